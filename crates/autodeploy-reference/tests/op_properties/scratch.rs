use autodeploy_model::{Activation, OpKind, TensorValue, ElementType};
use autodeploy_reference::prepare::{self, QParams, QuantType, FusedActivation};
use autodeploy_reference::kernels::elementwise;
use crate::harness::*;

#[test]
fn scratch_sub() {
    let mut rng = Rng::new(3);
    let shape = [64usize, 64, 16];
    let n = 64 * 64 * 16;
    let mut cases = Vec::new();
    let mut all = Vec::new();
    for k in 0..40 {
        let dt = if k % 2 == 0 { I8 } else { I16 };
        let qa = act_quant(&mut rng, dt); let qb = act_quant(&mut rng, dt); let qo = act_quant(&mut rng, dt);
        let bytes = model(|g| {
            let a = g.tensor(act_spec("a", dt, &shape, qa));
            let b = g.tensor(act_spec("b", dt, &shape, qb));
            let o = g.tensor(act_spec("out", dt, &shape, qo));
            g.operator(OpKind::Sub { activation: Activation::None, pot_scale_int16: false }, &[a, b], &[o]).inputs(&[a, b]).outputs(&[o]);
        });
        let (lo, hi) = if dt == I8 { (-128, 127) } else { (-32768, 32767) };
        let av: Vec<i64> = (0..n).map(|_| rng.range(lo, hi)).collect();
        let bv: Vec<i64> = (0..n).map(|_| rng.range(lo, hi)).collect();
        let tv = |v: &Vec<i64>| if dt == I8 { TensorValue::from_i8(&shape, &v.iter().map(|&x| x as i8).collect::<Vec<_>>()) } else { TensorValue::from_i16(&shape, &v.iter().map(|&x| x as i16).collect::<Vec<_>>()) };
        let samples = vec![vec![tv(&av), tv(&bv)]];
        let path = std::env::temp_dir().join(format!("scratch_sub{k}.tflite"));
        std::fs::write(&path, &bytes).unwrap();
        cases.push(autodeploy_testkit::oracle::Case { model: path, samples, interpreters: vec![autodeploy_testkit::oracle::Interpreter::Tflm], tensors: vec![] });
        all.push((dt, qa, qb, qo, av, bv));
    }
    let r = autodeploy_testkit::oracle::run(&cases);
    for (k, (dt, qa, qb, qo, av, bv)) in all.into_iter().enumerate() {
        let theirs = r[k].get(autodeploy_testkit::oracle::Interpreter::Tflm).as_ref().unwrap()[0].outputs[0].to_f64().unwrap();
        let q = |s: (f32, i64)| QParams { scale: s.0, zero_point: s.1 as i32 };
        let qt = if dt == I8 { QuantType::Int8 } else { QuantType::Int16 };
        let mut line = format!("{dt:?}");
        for (name, p) in [("f32", prepare::sub_quant(q(qa), q(qb), q(qo), qt, FusedActivation::None).unwrap()), ("f64", prepare::add_quant(q(qa), q(qb), q(qo), qt, FusedActivation::None).unwrap())] {
            let ours: Vec<f64> = if dt == I8 {
                let a: Vec<i8> = av.iter().map(|&x| x as i8).collect(); let b: Vec<i8> = bv.iter().map(|&x| x as i8).collect();
                let mut out = vec![0i8; n]; elementwise::sub_s8(&p, &shape, &a, &shape, &b, &shape, &mut out).unwrap(); out.iter().map(|&x| x as f64).collect()
            } else {
                let a: Vec<i16> = av.iter().map(|&x| x as i16).collect(); let b: Vec<i16> = bv.iter().map(|&x| x as i16).collect();
                let mut out = vec![0i16; n]; elementwise::sub_s16(&p, &shape, &a, &shape, &b, &shape, &mut out).unwrap(); out.iter().map(|&x| x as f64).collect()
            };
            let d = (0..n).filter(|&i| ours[i] != theirs[i]).count();
            line += &format!(" {name}: {d}");
        }
        println!("{line}");
    }
    let _ = ElementType::Int8;
}
