//! Test support: builds the C test driver (runtime sources plus
//! `tests/driver/driver.c`) once per test binary with the host compiler and
//! sanitizers, streams many cases through one driver process, and compares its
//! outputs with the Rust reference kernels.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// The runtime root (`firmware-templates/runtime`).
pub fn runtime_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../firmware-templates/runtime")
}

/// All `.c` files of the runtime.
pub fn runtime_sources() -> Vec<PathBuf> {
    autodeploy_runtime::all_files()
        .iter()
        .filter(|f| f.path.ends_with(".c"))
        .map(|f| runtime_dir().join(f.path))
        .collect()
}

/// The host C compiler (`$CC`, else `cc`).
pub fn host_cc() -> String {
    std::env::var("CC").unwrap_or_else(|_| "cc".to_string())
}

/// Path of the sanitizer-instrumented driver, built on first use.
pub fn driver() -> &'static Path {
    static DRIVER: OnceLock<PathBuf> = OnceLock::new();
    DRIVER.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("autodeploy-runtime-driver-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create driver dir");
        let exe = dir.join("driver");
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        let output = Command::new(host_cc())
            .args([
                "-std=c99",
                "-O1",
                "-g",
                "-Wall",
                "-Wextra",
                "-Werror",
                "-pedantic",
                "-ffp-contract=off",
                "-fsanitize=address,undefined",
                "-fno-sanitize-recover=all",
                "-fno-omit-frame-pointer",
            ])
            .arg("-I")
            .arg(runtime_dir().join("include"))
            .args(runtime_sources())
            .arg(manifest.join("tests/driver/driver.c"))
            .arg("-lm")
            .arg("-o")
            .arg(&exe)
            .output()
            .expect("run the host C compiler");
        assert!(
            output.status.success(),
            "building the driver failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        exe
    })
}

/// Deterministic SplitMix64 generator.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next_u64() % ((hi - lo + 1) as u64)) as i64
    }

    pub fn usize(&mut self, lo: usize, hi: usize) -> usize {
        self.range(lo as i64, hi as i64) as usize
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Log-uniform in `[lo, hi]`.
    pub fn log_uniform(&mut self, lo: f64, hi: f64) -> f64 {
        (lo.ln() + self.unit() * (hi.ln() - lo.ln())).exp()
    }

    /// An int8 value, with the extremes and zero over-represented.
    pub fn i8(&mut self) -> i8 {
        match self.range(0, 9) {
            0 => -128,
            1 => 127,
            2 => 0,
            _ => self.range(-128, 127) as i8,
        }
    }

    /// An int16 value, with the extremes over-represented.
    pub fn i16(&mut self) -> i16 {
        match self.range(0, 9) {
            0 => i16::MIN,
            1 => i16::MAX,
            2 => 0,
            3 => self.range(-300, 300) as i16,
            _ => self.range(-32768, 32767) as i16,
        }
    }

    /// A zero point in the int8 range, often at an extreme.
    pub fn zero_point_s8(&mut self) -> i32 {
        match self.range(0, 5) {
            0 => -128,
            1 => 127,
            2 => 0,
            _ => self.range(-128, 127) as i32,
        }
    }

    pub fn f32_in(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.unit() as f32
    }

    pub fn vec_i8(&mut self, n: usize) -> Vec<i8> {
        (0..n).map(|_| self.i8()).collect()
    }

    pub fn vec_i16(&mut self, n: usize) -> Vec<i16> {
        (0..n).map(|_| self.i16()).collect()
    }

    pub fn vec_f32(&mut self, n: usize, lo: f32, hi: f32) -> Vec<f32> {
        (0..n).map(|_| self.f32_in(lo, hi)).collect()
    }

    /// Quantised clamp range: full, "relu" from the zero point, or random.
    pub fn activation(&mut self, zp: i32, min: i32, max: i32) -> (i32, i32) {
        match self.range(0, 3) {
            0 | 1 => (min, max),
            2 => (zp.clamp(min, max), max),
            _ => {
                let a = self.range(i64::from(min), i64::from(max)) as i32;
                let b = self.range(i64::from(a), i64::from(max)) as i32;
                (a, b)
            }
        }
    }

    /// Float clamp range: none, RELU, RELU6 or RELU_N1_TO_1.
    pub fn activation_f32(&mut self) -> (f32, f32) {
        match self.range(0, 3) {
            0 => (f32::MIN, f32::MAX),
            1 => (0.0, f32::MAX),
            2 => (0.0, 6.0),
            _ => (-1.0, 1.0),
        }
    }
}

/// Serialises one case in the driver's input format.
#[derive(Default)]
pub struct Case(pub Vec<u8>);

impl Case {
    pub fn new(op: i32) -> Self {
        let mut c = Self(Vec::new());
        c.i32(op);
        c
    }
    pub fn i32(&mut self, v: i32) -> &mut Self {
        self.0.extend_from_slice(&v.to_ne_bytes());
        self
    }
    pub fn usize(&mut self, v: usize) -> &mut Self {
        self.i32(i32::try_from(v).expect("fits i32"))
    }
    pub fn f32(&mut self, v: f32) -> &mut Self {
        self.0.extend_from_slice(&v.to_ne_bytes());
        self
    }
    pub fn dims(&mut self, d: [usize; 4]) -> &mut Self {
        for v in d {
            self.usize(v);
        }
        self
    }
    pub fn shape(&mut self, s: &[usize]) -> &mut Self {
        self.usize(s.len());
        for &v in s {
            self.usize(v);
        }
        self
    }
    pub fn arr_i8(&mut self, v: &[i8]) -> &mut Self {
        self.usize(v.len());
        self.0.extend(v.iter().map(|&x| x as u8));
        self
    }
    pub fn arr_i16(&mut self, v: &[i16]) -> &mut Self {
        self.usize(v.len());
        for &x in v {
            self.0.extend_from_slice(&x.to_ne_bytes());
        }
        self
    }
    pub fn arr_i32(&mut self, v: &[i32]) -> &mut Self {
        self.usize(v.len());
        for &x in v {
            self.i32(x);
        }
        self
    }
    pub fn arr_f32(&mut self, v: &[f32]) -> &mut Self {
        self.usize(v.len());
        for &x in v {
            self.f32(x);
        }
        self
    }
    pub fn opt_arr_i32(&mut self, v: Option<&[i32]>) -> &mut Self {
        match v {
            Some(v) => self.i32(1).arr_i32(v),
            None => self.i32(0),
        }
    }
    pub fn opt_arr_i64(&mut self, v: Option<&[i64]>) -> &mut Self {
        match v {
            Some(v) => {
                self.i32(1).usize(v.len());
                for &x in v {
                    self.0.extend_from_slice(&x.to_ne_bytes());
                }
                self
            }
            None => self.i32(0),
        }
    }
    pub fn opt_arr_f32(&mut self, v: Option<&[f32]>) -> &mut Self {
        match v {
            Some(v) => self.i32(1).arr_f32(v),
            None => self.i32(0),
        }
    }
}

/// What the reference produced for a case.
pub enum Expect {
    /// Success with these output bytes, compared exactly.
    Bytes(Vec<u8>),
    /// Success with these floats, compared within 1e-5 relative / 1e-6 absolute.
    Floats(Vec<f32>),
    /// The reference rejected the arguments: the C kernel must fail too.
    Error,
}

pub fn bytes_i8(v: &[i8]) -> Vec<u8> {
    v.iter().map(|&x| x as u8).collect()
}

pub fn bytes_i16(v: &[i16]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_ne_bytes()).collect()
}

/// Cases for one kernel, run through one driver process.
pub struct Batch {
    name: &'static str,
    input: Vec<u8>,
    expected: Vec<(Expect, String)>,
}

impl Batch {
    pub fn new(name: &'static str) -> Self {
        Self {
            name,
            input: Vec::new(),
            expected: Vec::new(),
        }
    }

    /// Adds a case; `what` describes it for failure messages.
    pub fn push(&mut self, case: Case, expect: Expect, what: String) {
        self.input.extend_from_slice(&case.0);
        self.expected.push((expect, what));
    }

    pub fn len(&self) -> usize {
        self.expected.len()
    }

    /// Runs every case and panics on the first mismatch.
    pub fn run(self) {
        let mut child = Command::new(driver())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env("ASAN_OPTIONS", "abort_on_error=0:halt_on_error=1")
            .env("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
            .spawn()
            .expect("start the driver");
        let mut stdin = child.stdin.take().expect("driver stdin");
        let input = self.input;
        let writer = std::thread::spawn(move || {
            // The driver may die early (sanitizer report); the status check below explains.
            let _ = stdin.write_all(&input);
        });
        let out = child.wait_with_output().expect("driver output");
        writer.join().expect("writer thread");
        assert!(
            out.status.success(),
            "{}: driver failed ({}):\n{}",
            self.name,
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        let data = out.stdout;
        let mut pos = 0usize;
        let mut take = |n: usize| {
            let s = &data[pos..pos + n];
            pos += n;
            s
        };
        for (index, (expect, what)) in self.expected.iter().enumerate() {
            let status = i32::from_ne_bytes(take(4).try_into().expect("4 bytes"));
            let len = u32::from_ne_bytes(take(4).try_into().expect("4 bytes")) as usize;
            let got = take(len);
            let ctx = || format!("{} case {index}: {what}", self.name);
            match expect {
                Expect::Error => assert!(status < 0, "{}: C accepted what Rust rejected", ctx()),
                Expect::Bytes(want) => {
                    assert_eq!(status, 0, "{}: C returned status {status}", ctx());
                    if got != want.as_slice() {
                        let first = got.iter().zip(want).position(|(a, b)| a != b);
                        panic!(
                            "{}: output differs at byte {first:?} (len {} vs {})",
                            ctx(),
                            got.len(),
                            want.len()
                        );
                    }
                }
                Expect::Floats(want) => {
                    assert_eq!(status, 0, "{}: C returned status {status}", ctx());
                    assert_eq!(got.len(), want.len() * 4, "{}: output length", ctx());
                    for (i, (c, &r)) in got.chunks_exact(4).zip(want).enumerate() {
                        let c = f32::from_ne_bytes(c.try_into().expect("4 bytes"));
                        let close = c == r
                            || (c.is_nan() && r.is_nan())
                            || (c - r).abs() <= 1e-6
                            || (c - r).abs() <= 1e-5 * r.abs().max(c.abs());
                        assert!(close, "{}: element {i}: C {c} vs Rust {r}", ctx());
                    }
                }
            }
        }
        assert_eq!(pos, data.len(), "{}: trailing driver output", self.name);
    }
}

/// Expected bytes from an int8 reference result.
pub fn expect_i8(result: Result<(), impl std::fmt::Debug>, out: &[i8]) -> Expect {
    match result {
        Ok(()) => Expect::Bytes(bytes_i8(out)),
        Err(_) => Expect::Error,
    }
}

/// Expected bytes from an int16 reference result.
pub fn expect_i16(result: Result<(), impl std::fmt::Debug>, out: &[i16]) -> Expect {
    match result {
        Ok(()) => Expect::Bytes(bytes_i16(out)),
        Err(_) => Expect::Error,
    }
}

/// Expected floats from a float32 reference result.
pub fn expect_f32(result: Result<(), impl std::fmt::Debug>, out: &[f32]) -> Expect {
    match result {
        Ok(()) => Expect::Floats(out.to_vec()),
        Err(_) => Expect::Error,
    }
}
