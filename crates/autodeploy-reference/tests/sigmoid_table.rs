//! TensorFlow Lite's int16 sigmoid table and the int16 LOGISTIC/TANH kernels
//! that use it, against TensorFlow Lite Micro (the oracle venv; these tests
//! fail, never skip, without it).

use autodeploy_model::{Model, OpKind, TensorValue};
use autodeploy_reference::kernels::activation::SigmoidTanhS16Quant;
use autodeploy_reference::kernels::sigmoid_table::SIGMOID_TABLE;
use autodeploy_reference::{prepare, Interpreter};
use autodeploy_testkit::ops::activation::unary;
use autodeploy_testkit::ops::I16;
use autodeploy_testkit::oracle::{self, Interpreter as Oracle};
use autodeploy_testkit::sigmoid_table::{
    every_int16, full_range_model, full_range_outputs, measure, measurement_scale,
};

#[test]
fn committed_table_matches_tflite_micro() {
    // The measurement relies on TFLite Micro rescaling the input to exactly 2x.
    assert_eq!(
        prepare::tanh_s16_quant(measurement_scale()),
        SigmoidTanhS16Quant {
            input_multiplier: 16384,
            input_left_shift: 13
        }
    );
    let measured = measure().expect("measure the table through TensorFlow Lite Micro");
    let off: Vec<usize> = (0..256)
        .filter(|&i| measured[i] != SIGMOID_TABLE[i])
        .collect();
    assert!(
        off.is_empty(),
        "entries {off:?} differ from TensorFlow Lite Micro; run `cargo xtask oracle-tables`"
    );
}

/// Every int16 input through LOGISTIC and TANH at the shift-only scales and
/// at multiplier-path scales, bit-exact with TensorFlow Lite Micro.
#[test]
fn every_int16_input_matches_tflite_micro() {
    let mut models = Vec::new();
    for kind in [OpKind::Logistic, OpKind::Tanh] {
        for scale in [
            1.0 / 4096.0,
            1.0 / 2048.0,
            1.0 / 8192.0,
            1.0 / 32768.0,
            measurement_scale(),
            3.0e-4,
            1.7e-5,
            0.02,
            0.9,
        ] {
            models.push((kind.clone(), scale));
        }
    }
    let theirs = full_range_outputs(&models);
    let input = TensorValue::from_i16(&[1 << 16], &every_int16());
    for ((kind, scale), theirs) in models.iter().zip(theirs) {
        let theirs = theirs.unwrap_or_else(|e| panic!("{kind:?} scale {scale}: {e}"));
        let model = Model::from_bytes(&full_range_model(kind.clone(), *scale)).expect("model");
        let mut interpreter = Interpreter::new(model).expect("prepare");
        interpreter.set_input(0, input.clone()).expect("input");
        interpreter.invoke().expect("invoke");
        let ours = interpreter
            .output(0)
            .expect("output")
            .to_i16()
            .expect("int16");
        let wrong: Vec<i16> = every_int16()
            .into_iter()
            .zip(ours.iter().zip(&theirs))
            .filter(|(_, (a, b))| a != b)
            .map(|(x, _)| x)
            .collect();
        assert!(
            wrong.is_empty(),
            "{kind:?} input scale {scale}: {} inputs differ, first {:?}",
            wrong.len(),
            &wrong[..wrong.len().min(8)]
        );
    }
}

/// TFLite Micro requires zero points 0 and an output scale of 2^-15 for int16
/// LOGISTIC and TANH; both interpreters refuse anything else.
#[test]
fn bad_int16_quantization_is_refused_by_both() {
    let dir = tempfile_dir();
    let mut cases = Vec::new();
    for kind in [OpKind::Logistic, OpKind::Tanh] {
        for (qi, qo, reason) in [
            ((1e-3, 3), (1.0 / 32768.0, 0), "zero point 0"),
            ((1e-3, 0), (1.0 / 32768.0, -2), "zero point 0"),
            ((1e-3, 0), (1.0 / 256.0, 0), "scale 2^-15"),
        ] {
            let case = unary("refused", kind.clone(), &[4], (I16, qi), (I16, qo));
            let error = Interpreter::new(Model::from_bytes(&case.model).expect("model"))
                .err()
                .unwrap_or_else(|| panic!("{kind:?} {qi:?} {qo:?} accepted"));
            let text = error.to_string();
            assert!(text.contains(reason) && text.contains("layer"), "{text}");
            let path = dir.join(format!("refused{}.tflite", cases.len()));
            std::fs::write(&path, &case.model).expect("write model");
            cases.push(oracle::Case {
                model: path,
                samples: vec![vec![TensorValue::from_i16(&[4], &[0, 1, -1, 100])]],
                interpreters: vec![Oracle::Tflm],
                tensors: vec![],
            });
        }
    }
    for (k, result) in oracle::run(&cases).iter().enumerate() {
        assert!(
            result.get(Oracle::Tflm).is_err(),
            "case {k}: TensorFlow Lite Micro accepted it"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("autodeploy-sigmoid-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    dir
}
