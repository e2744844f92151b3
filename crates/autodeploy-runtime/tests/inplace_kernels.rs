//! The in-place kernels (row buffer, fused conv+ADD) against a Rust model of
//! their contracts: the plain reference kernel runs into a separate buffer;
//! the C kernel runs over one arena holding its input, with the output
//! `delta` bytes from it as a memory plan lays them out and a line buffer of
//! the fewest slots the contract needs (a separate exact-size allocation);
//! the output region must equal the reference's bytes. With one slot fewer
//! than needed the kernel must refuse before writing. Built with ASan/UBSan.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use autodeploy_reference::kernels::conv::{
    conv2d_f32, conv2d_s8, depthwise_conv2d_f32, depthwise_conv2d_s8, ConvParams, ConvQuant,
    DepthwiseParams,
};
use autodeploy_reference::kernels::elementwise::add_s8;
use autodeploy_reference::kernels::pool::{
    avg_pool2d_f32, avg_pool2d_s8, max_pool2d_f32, max_pool2d_s8, PoolParams,
};
use autodeploy_reference::kernels::{Dims4, FloatActivation, QuantActivation};
use autodeploy_reference::prepare::{
    add_quant, quantize_multiplier, FusedActivation, QParams, QuantType,
};
use common::{runtime_dir, runtime_sources, Case, Rng};

fn driver() -> &'static Path {
    static DRIVER: OnceLock<PathBuf> = OnceLock::new();
    DRIVER.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("autodeploy-inplace-driver-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let exe = dir.join("driver");
        let out = Command::new(common::host_cc())
            .args([
                "-std=c99",
                "-O1",
                "-g",
                "-Wall",
                "-Wextra",
                "-Werror",
                "-pedantic",
            ])
            .args(["-ffp-contract=off", "-fsanitize=address,undefined"])
            .args(["-fno-sanitize-recover=all", "-fno-omit-frame-pointer", "-I"])
            .arg(runtime_dir().join("include"))
            .args(runtime_sources())
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/inplace_driver/driver.c"))
            .arg("-lm")
            .arg("-o")
            .arg(&exe)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        exe
    })
}

/// What a case must give: these bytes, or a refusal.
enum Want {
    Bytes(Vec<u8>),
    Refused,
}

fn run(name: &str, cases: Vec<(Case, Want, String)>) {
    let mut child = Command::new(driver())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input: Vec<u8> = cases.iter().flat_map(|(c, _, _)| c.0.clone()).collect();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(
        out.status.success(),
        "{name}: driver failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let data = out.stdout;
    let mut pos = 0;
    for (k, (_, want, what)) in cases.iter().enumerate() {
        let status = i32::from_ne_bytes(data[pos..pos + 4].try_into().unwrap());
        let len = u32::from_ne_bytes(data[pos + 4..pos + 8].try_into().unwrap()) as usize;
        let got = &data[pos + 8..pos + 8 + len];
        pos += 8 + len;
        match want {
            Want::Refused => assert!(
                status < 0,
                "{name} case {k}: accepted an unsafe ring: {what}"
            ),
            Want::Bytes(b) => {
                assert_eq!(status, 0, "{name} case {k}: status {status}: {what}");
                assert!(
                    got == b.as_slice(),
                    "{name} case {k}: output differs: {what}"
                );
            }
        }
    }
    assert_eq!(pos, data.len());
}

/// The unit geometry of a layer, and the contract's rules (a Rust model).
#[derive(Clone, Copy, Debug)]
struct Geom {
    units_in: i64,
    in_unit: i64,
    units_out: i64,
    out_unit: i64,
    k: i64,
    s: i64,
    d: i64,
    p: i64,
}

impl Geom {
    /// First output unit whose bytes meet input unit r (units_out if none).
    fn first_write(&self, r: i64, delta: i64) -> i64 {
        (0..self.units_out)
            .find(|&y| {
                let (a, b) = (delta + y * self.out_unit, delta + (y + 1) * self.out_unit);
                a < (r + 1) * self.in_unit && r * self.in_unit < b
            })
            .unwrap_or(self.units_out)
    }
    /// Last output unit whose need() holds r (-1 if none).
    fn last_read(&self, r: i64) -> i64 {
        (0..self.units_out)
            .rev()
            .find(|&y| {
                let lo = y * self.s - self.p;
                lo <= r && r <= lo + (self.k - 1) * self.d
            })
            .unwrap_or(-1)
    }
    /// Whether `rows` slots suffice (a slot refilled only once its unit is dead).
    fn safe(&self, delta: i64, rows: i64) -> bool {
        let saved: Vec<i64> = (0..self.units_in)
            .filter(|&r| {
                let f = self.first_write(r, delta);
                f < self.units_out && f <= self.last_read(r)
            })
            .collect();
        if rows == 0 {
            return saved.is_empty();
        }
        saved.iter().all(|&r| {
            saved
                .iter()
                .find(|&&n| n > r && n % rows == r % rows)
                .is_none_or(|&n| self.first_write(n, delta) > self.last_read(r))
        })
    }
}

/// A layout: (delta, in_off, out_off, arena_len, rows).
fn layout(rng: &mut Rng, g: &Geom, elem: i64) -> (i64, i64, i64, i64, i64) {
    let (si, so) = (g.units_in * g.in_unit, g.units_out * g.out_unit);
    let delta = match rng.range(0, 3) {
        0 => 0,
        1 => (si - so) / elem * elem,
        _ => rng.range(-so / elem, si / elem) * elem,
    };
    let in_off = (-delta).max(0);
    let out_off = in_off + delta;
    let len = (in_off + si).max(out_off + so);
    let rows = (0..=g.units_in).find(|&r| g.safe(delta, r)).unwrap();
    (delta, in_off, out_off, len, rows)
}

fn header(
    case: &mut Case,
    unit: i32,
    g: &Geom,
    lay: (i64, i64, i64, i64, i64),
    rows: i64,
    arena: &[u8],
) {
    let (delta, in_off, out_off, _, _) = lay;
    case.i32(unit)
        .i32(delta as i32)
        .i32(g.in_unit as i32)
        .i32(g.out_unit as i32)
        .i32(rows as i32)
        .i32(in_off as i32)
        .i32(out_off as i32)
        .i32((g.units_out * g.out_unit) as i32);
    case.arr_i8(&arena.iter().map(|&b| b as i8).collect::<Vec<_>>());
}

fn arena_with(rng: &mut Rng, len: i64, in_off: i64, input: &[u8]) -> Vec<u8> {
    let mut a: Vec<u8> = (0..len).map(|_| rng.range(0, 255) as u8).collect();
    a[in_off as usize..in_off as usize + input.len()].copy_from_slice(input);
    a
}

fn out_size(input: usize, k: usize, stride: usize, dilation: usize, pad: usize) -> usize {
    let span = dilation * (k - 1) + 1;
    (input + 2 * pad).saturating_sub(span) / stride + 1
}

fn params_case(case: &mut Case, p: &ConvParams) {
    for v in [
        p.stride_h,
        p.stride_w,
        p.pad_h,
        p.pad_w,
        p.dilation_h,
        p.dilation_w,
    ] {
        case.usize(v);
    }
}

fn d4(d: Dims4) -> [usize; 4] {
    [d.n, d.h, d.w, d.c]
}

/// Pushes a safe case and, when the ring needs slots, the same with one slot fewer.
fn push_pair(
    cases: &mut Vec<(Case, Want, String)>,
    build: &dyn Fn(i64) -> Case,
    rows: i64,
    want: Vec<u8>,
    what: String,
) {
    cases.push((build(rows), Want::Bytes(want), what.clone()));
    if rows > 0 {
        cases.push((
            build(rows - 1),
            Want::Refused,
            format!("{what} with {} slots", rows - 1),
        ));
    }
}

#[test]
fn conv_and_depthwise_row_buffer_match_the_plain_reference() {
    let mut rng = Rng::new(7);
    let mut cases = Vec::new();
    let mut saving = 0;
    for n in 0..400 {
        let (depthwise, f32_) = (n % 4 >= 2, n % 2 == 1);
        let pixels = !depthwise && rng.chance(30);
        let e: usize = if f32_ { 4 } else { 1 };
        let (in_h, in_w) = (rng.usize(1, 8), rng.usize(1, 6));
        let in_c = rng.usize(1, 5);
        let dm = if depthwise && rng.chance(30) { 2 } else { 1 };
        let out_c = if depthwise {
            in_c * dm
        } else {
            rng.usize(1, 6)
        };
        let (k_h, k_w) = if pixels {
            (1, 1)
        } else {
            (rng.usize(1, 4), rng.usize(1, 3))
        };
        let p = if pixels {
            ConvParams {
                stride_h: 1,
                stride_w: 1,
                dilation_h: 1,
                dilation_w: 1,
                pad_h: 0,
                pad_w: 0,
            }
        } else {
            ConvParams {
                stride_h: rng.usize(1, 3),
                stride_w: rng.usize(1, 2),
                dilation_h: if rng.chance(20) { 2 } else { 1 },
                dilation_w: 1,
                pad_h: rng.usize(0, k_h - 1),
                pad_w: rng.usize(0, k_w - 1),
            }
        };
        let input_dims = Dims4::new(1, in_h, in_w, in_c);
        let filter_dims = if depthwise {
            Dims4::new(1, k_h, k_w, out_c)
        } else {
            Dims4::new(out_c, k_h, k_w, in_c)
        };
        let output_dims = Dims4::new(
            1,
            out_size(in_h, k_h, p.stride_h, p.dilation_h, p.pad_h),
            out_size(in_w, k_w, p.stride_w, p.dilation_w, p.pad_w),
            out_c,
        );
        let g = if pixels {
            Geom {
                units_in: (in_h * in_w) as i64,
                in_unit: (in_c * e) as i64,
                units_out: (in_h * in_w) as i64,
                out_unit: (out_c * e) as i64,
                k: 1,
                s: 1,
                d: 1,
                p: 0,
            }
        } else {
            Geom {
                units_in: in_h as i64,
                in_unit: (in_w * in_c * e) as i64,
                units_out: output_dims.h as i64,
                out_unit: (output_dims.w * out_c * e) as i64,
                k: k_h as i64,
                s: p.stride_h as i64,
                d: p.dilation_h as i64,
                p: p.pad_h as i64,
            }
        };
        let lay = layout(&mut rng, &g, e as i64);
        let rows = lay.4;
        saving += usize::from(rows > 0);
        let unit = i32::from(pixels);
        let dw = DepthwiseParams {
            conv: p,
            depth_multiplier: dm,
        };
        let what = format!("dw {depthwise} f32 {f32_} pixels {pixels} {p:?} in {input_dims:?} out {output_dims:?} delta {} rows {rows}", lay.0);
        let op = 1 + i32::from(f32_) + 2 * i32::from(depthwise);
        let n_in = input_dims.checked_len().unwrap();
        let n_out = output_dims.checked_len().unwrap();
        let n_f = filter_dims.checked_len().unwrap();
        if f32_ {
            let input = rng.vec_f32(n_in, -2.0, 2.0);
            let filter = rng.vec_f32(n_f, -1.0, 1.0);
            let bias = rng.chance(70).then(|| rng.vec_f32(out_c, -1.0, 1.0));
            let (amin, amax) = rng.activation_f32();
            let act = FloatActivation {
                min: amin,
                max: amax,
            };
            let mut out = vec![0f32; n_out];
            if depthwise {
                depthwise_conv2d_f32(
                    &dw,
                    act,
                    input_dims,
                    &input,
                    filter_dims,
                    &filter,
                    bias.as_deref(),
                    output_dims,
                    &mut out,
                )
                .unwrap();
            } else {
                conv2d_f32(
                    &p,
                    act,
                    input_dims,
                    &input,
                    filter_dims,
                    &filter,
                    bias.as_deref(),
                    output_dims,
                    &mut out,
                )
                .unwrap();
            }
            let bytes: Vec<u8> = input.iter().flat_map(|x| x.to_ne_bytes()).collect();
            let arena = arena_with(&mut rng, lay.3, lay.1, &bytes);
            let build = |rows: i64| {
                let mut c = Case::new(op);
                header(&mut c, unit, &g, lay, rows, &arena);
                params_case(&mut c, &p);
                if depthwise {
                    c.usize(dm);
                }
                c.f32(amin)
                    .f32(amax)
                    .dims(d4(input_dims))
                    .dims(d4(filter_dims))
                    .arr_f32(&filter)
                    .opt_arr_f32(bias.as_deref())
                    .dims(d4(output_dims));
                c
            };
            let want = out.iter().flat_map(|x| x.to_ne_bytes()).collect();
            push_pair(&mut cases, &build, rows, want, what);
        } else {
            let input = rng.vec_i8(n_in);
            let filter = rng.vec_i8(n_f);
            let bias = rng.chance(70).then(|| {
                (0..out_c)
                    .map(|_| rng.range(-5000, 5000) as i32)
                    .collect::<Vec<_>>()
            });
            let (mult, shift): (Vec<i32>, Vec<i32>) = (0..out_c)
                .map(|_| quantize_multiplier(rng.log_uniform(1e-4, 0.5)))
                .unzip();
            let (in_zp, out_zp) = (rng.zero_point_s8(), rng.zero_point_s8());
            let (amin, amax) = rng.activation(out_zp, -128, 127);
            let quant = ConvQuant {
                input_zero_point: in_zp,
                output_zero_point: out_zp,
                multiplier: &mult,
                shift: &shift,
                activation: QuantActivation {
                    min: amin,
                    max: amax,
                },
            };
            let mut out = vec![0i8; n_out];
            if depthwise {
                depthwise_conv2d_s8(
                    &dw,
                    &quant,
                    input_dims,
                    &input,
                    filter_dims,
                    &filter,
                    bias.as_deref(),
                    output_dims,
                    &mut out,
                )
                .unwrap();
            } else {
                conv2d_s8(
                    &p,
                    &quant,
                    input_dims,
                    &input,
                    filter_dims,
                    &filter,
                    bias.as_deref(),
                    output_dims,
                    &mut out,
                )
                .unwrap();
            }
            let bytes: Vec<u8> = input.iter().map(|&x| x as u8).collect();
            let arena = arena_with(&mut rng, lay.3, lay.1, &bytes);
            let build = |rows: i64| {
                let mut c = Case::new(op);
                header(&mut c, unit, &g, lay, rows, &arena);
                params_case(&mut c, &p);
                if depthwise {
                    c.usize(dm);
                }
                c.i32(in_zp)
                    .i32(out_zp)
                    .i32(amin)
                    .i32(amax)
                    .arr_i32(&mult)
                    .arr_i32(&shift);
                c.dims(d4(input_dims))
                    .dims(d4(filter_dims))
                    .arr_i8(&filter)
                    .opt_arr_i32(bias.as_deref())
                    .dims(d4(output_dims));
                c
            };
            let want = out.iter().map(|&x| x as u8).collect();
            push_pair(&mut cases, &build, rows, want, what);
        }
    }
    assert!(saving > 100, "too few cases need the line buffer: {saving}");
    run("conv/depthwise row buffer", cases);
}

#[test]
fn pooling_row_buffer_matches_the_plain_reference() {
    let mut rng = Rng::new(8);
    let mut cases = Vec::new();
    for n in 0..300 {
        let (max, f32_) = (n % 4 >= 2, n % 2 == 1);
        let e: usize = if f32_ { 4 } else { 1 };
        let (in_h, in_w, c) = (rng.usize(1, 8), rng.usize(1, 6), rng.usize(1, 4));
        let (f_h, f_w) = (rng.usize(1, 4.min(in_h)), rng.usize(1, 3.min(in_w)));
        let p = PoolParams {
            stride_h: rng.usize(1, 3),
            stride_w: rng.usize(1, 2),
            filter_h: f_h,
            filter_w: f_w,
            pad_h: rng.usize(0, f_h - 1),
            pad_w: rng.usize(0, f_w - 1),
        };
        let input_dims = Dims4::new(1, in_h, in_w, c);
        let output_dims = Dims4::new(
            1,
            out_size(in_h, f_h, p.stride_h, 1, p.pad_h),
            out_size(in_w, f_w, p.stride_w, 1, p.pad_w),
            c,
        );
        let g = Geom {
            units_in: in_h as i64,
            in_unit: (in_w * c * e) as i64,
            units_out: output_dims.h as i64,
            out_unit: (output_dims.w * c * e) as i64,
            k: f_h as i64,
            s: p.stride_h as i64,
            d: 1,
            p: p.pad_h as i64,
        };
        let lay = layout(&mut rng, &g, e as i64);
        let rows = lay.4;
        let op = 5 + i32::from(f32_) + 2 * i32::from(max);
        let what = format!(
            "max {max} f32 {f32_} {p:?} in {input_dims:?} delta {} rows {rows}",
            lay.0
        );
        let n_in = input_dims.checked_len().unwrap();
        let n_out = output_dims.checked_len().unwrap();
        let pool_case = |c: &mut Case| {
            for v in [
                p.stride_h, p.stride_w, p.pad_h, p.pad_w, p.filter_h, p.filter_w,
            ] {
                c.usize(v);
            }
        };
        if f32_ {
            let input = rng.vec_f32(n_in, -3.0, 3.0);
            let (amin, amax) = rng.activation_f32();
            let act = FloatActivation {
                min: amin,
                max: amax,
            };
            let mut out = vec![0f32; n_out];
            let r = if max {
                max_pool2d_f32(&p, act, input_dims, &input, output_dims, &mut out)
            } else {
                avg_pool2d_f32(&p, act, input_dims, &input, output_dims, &mut out)
            };
            if r.is_err() {
                continue;
            }
            let bytes: Vec<u8> = input.iter().flat_map(|x| x.to_ne_bytes()).collect();
            let arena = arena_with(&mut rng, lay.3, lay.1, &bytes);
            let build = |rows: i64| {
                let mut c = Case::new(op);
                header(&mut c, 0, &g, lay, rows, &arena);
                pool_case(&mut c);
                c.f32(amin)
                    .f32(amax)
                    .dims(d4(input_dims))
                    .dims(d4(output_dims));
                c
            };
            let want = out.iter().flat_map(|x| x.to_ne_bytes()).collect();
            push_pair(&mut cases, &build, rows, want, what);
        } else {
            let input = rng.vec_i8(n_in);
            let (amin, amax) = rng.activation(0, -128, 127);
            let act = QuantActivation {
                min: amin,
                max: amax,
            };
            let mut out = vec![0i8; n_out];
            let r = if max {
                max_pool2d_s8(&p, act, input_dims, &input, output_dims, &mut out)
            } else {
                avg_pool2d_s8(&p, act, input_dims, &input, output_dims, &mut out)
            };
            if r.is_err() {
                continue;
            }
            let bytes: Vec<u8> = input.iter().map(|&x| x as u8).collect();
            let arena = arena_with(&mut rng, lay.3, lay.1, &bytes);
            let build = |rows: i64| {
                let mut c = Case::new(op);
                header(&mut c, 0, &g, lay, rows, &arena);
                pool_case(&mut c);
                c.i32(amin)
                    .i32(amax)
                    .dims(d4(input_dims))
                    .dims(d4(output_dims));
                c
            };
            let want = out.iter().map(|&x| x as u8).collect();
            push_pair(&mut cases, &build, rows, want, what);
        }
    }
    run("pool row buffer", cases);
}

#[test]
fn fused_conv_add_matches_conv_then_add() {
    let mut rng = Rng::new(9);
    let mut cases = Vec::new();
    for n in 0..200 {
        let depthwise = n % 2 == 1;
        let (in_h, in_w, in_c) = (rng.usize(1, 7), rng.usize(1, 7), rng.usize(1, 6));
        let dm = if depthwise && rng.chance(30) { 2 } else { 1 };
        let out_c = if depthwise {
            in_c * dm
        } else {
            rng.usize(1, 6)
        };
        let (k_h, k_w) = (rng.usize(1, 3), rng.usize(1, 3));
        let p = ConvParams {
            stride_h: rng.usize(1, 2),
            stride_w: rng.usize(1, 2),
            dilation_h: 1,
            dilation_w: 1,
            pad_h: rng.usize(0, k_h - 1),
            pad_w: rng.usize(0, k_w - 1),
        };
        let input_dims = Dims4::new(rng.usize(1, 2), in_h, in_w, in_c);
        let filter_dims = if depthwise {
            Dims4::new(1, k_h, k_w, out_c)
        } else {
            Dims4::new(out_c, k_h, k_w, in_c)
        };
        let output_dims = Dims4::new(
            input_dims.n,
            out_size(in_h, k_h, p.stride_h, 1, p.pad_h),
            out_size(in_w, k_w, p.stride_w, 1, p.pad_w),
            out_c,
        );
        let input = rng.vec_i8(input_dims.checked_len().unwrap());
        let filter = rng.vec_i8(filter_dims.checked_len().unwrap());
        let bias = rng.chance(70).then(|| {
            (0..out_c)
                .map(|_| rng.range(-5000, 5000) as i32)
                .collect::<Vec<_>>()
        });
        let (mult, shift): (Vec<i32>, Vec<i32>) = (0..out_c)
            .map(|_| quantize_multiplier(rng.log_uniform(1e-4, 0.5)))
            .unzip();
        let (in_zp, out_zp) = (rng.zero_point_s8(), rng.zero_point_s8());
        let (amin, amax) = rng.activation(out_zp, -128, 127);
        let quant = ConvQuant {
            input_zero_point: in_zp,
            output_zero_point: out_zp,
            multiplier: &mult,
            shift: &shift,
            activation: QuantActivation {
                min: amin,
                max: amax,
            },
        };
        let n_out = output_dims.checked_len().unwrap();
        let mut conv = vec![0i8; n_out];
        let dw = DepthwiseParams {
            conv: p,
            depth_multiplier: dm,
        };
        if depthwise {
            depthwise_conv2d_s8(
                &dw,
                &quant,
                input_dims,
                &input,
                filter_dims,
                &filter,
                bias.as_deref(),
                output_dims,
                &mut conv,
            )
            .unwrap();
        } else {
            conv2d_s8(
                &p,
                &quant,
                input_dims,
                &input,
                filter_dims,
                &filter,
                bias.as_deref(),
                output_dims,
                &mut conv,
            )
            .unwrap();
        }
        let qp = |rng: &mut Rng| QParams {
            scale: rng.log_uniform(1e-3, 1.0) as f32,
            zero_point: rng.zero_point_s8(),
        };
        let (q1, q2, qo) = (qp(&mut rng), qp(&mut rng), qp(&mut rng));
        let act = [
            FusedActivation::None,
            FusedActivation::Relu,
            FusedActivation::Relu6,
        ][rng.usize(0, 2)];
        let aq = add_quant(q1, q2, qo, QuantType::Int8, act).unwrap();
        let residual = rng.vec_i8(n_out);
        let shape = vec![output_dims.n, output_dims.h, output_dims.w, out_c];
        let mut want = vec![0i8; n_out];
        add_s8(&aq, &shape, &conv, &shape, &residual, &shape, &mut want).unwrap();
        let mut c = Case::new(if depthwise { 10 } else { 9 });
        params_case(&mut c, &p);
        if depthwise {
            c.usize(dm);
        }
        c.i32(in_zp)
            .i32(out_zp)
            .i32(amin)
            .i32(amax)
            .arr_i32(&mult)
            .arr_i32(&shift);
        for v in [
            aq.left_shift,
            aq.input1_zero_point,
            aq.input1_multiplier,
            aq.input1_shift,
            aq.input2_zero_point,
            aq.input2_multiplier,
            aq.input2_shift,
            aq.output_zero_point,
            aq.output_multiplier,
            aq.output_shift,
            aq.activation.min,
            aq.activation.max,
        ] {
            c.i32(v);
        }
        c.dims(d4(input_dims))
            .arr_i8(&input)
            .dims(d4(filter_dims))
            .arr_i8(&filter);
        c.opt_arr_i32(bias.as_deref())
            .dims(d4(output_dims))
            .arr_i8(&residual);
        let what = format!("dw {depthwise} {p:?} in {input_dims:?} filter {filter_dims:?}");
        cases.push((
            c,
            Want::Bytes(want.iter().map(|&x| x as u8).collect()),
            what,
        ));
    }
    run("fused conv+add", cases);
}
