//! Many generated one-operator models in few C builds: the harness of the
//! code generator's host property test (`autodeploy-codegen/tests/op_codegen.rs`)
//! and of the on-board property tests of the optimised kernel variants
//! (`autodeploy-validate/tests/qemu_kernel_variants.rs`).
//!
//! Every case's model is generated under its own prefix (`m<k>`); its four
//! C files ([`ModelSources`]) are inlined into the units. Generated code keeps every file-scope name behind that
//! prefix, so [`write_units`] can put hundreds of models into one
//! translation unit ("unity build"): the compiler then starts a few times
//! instead of twice per model, and the runtime headers are parsed once per
//! unit. A generated `main` runs every case on its samples, either on the
//! host ([`host_main`]: inputs on stdin, outputs on stdout, compared here by
//! [`check_host_output`]) or on a board ([`firmware_main`]: inputs and the
//! reference's outputs embedded, compared on the board, one line per case on
//! the UART, read back by [`check_firmware_report`]).
//!
//! [`Tally`] counts per operator and type how many cases were compared, had
//! no C kernel or were refused by the reference, and names the ones that
//! compared fewer than a minimum: nothing is skipped silently.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use autodeploy_model::{InputGenerator, Model, TensorValue};

use crate::compare::compare;

/// One generated model with its inputs and the reference's outputs.
#[derive(Debug, Clone)]
pub struct Bundled {
    /// The summary line it counts towards ("ADD int8").
    pub label: String,
    /// The problem, for a failure message.
    pub desc: String,
    /// The C prefix of its generated model.
    pub name: String,
    /// Its generated C.
    pub sources: ModelSources,
    /// Bytes of its arena (`NAME_ARENA_SIZE`).
    pub arena_size: usize,
    /// Per sample, its inputs.
    pub samples: Vec<Vec<TensorValue>>,
    /// Per sample, the reference's outputs.
    pub expected: Vec<Vec<TensorValue>>,
    /// What else the case is counted for (the kernel variants it calls).
    pub tags: Vec<String>,
}

impl Bundled {
    fn input_bytes(&self) -> Vec<usize> {
        self.samples
            .first()
            .map(|s| s.iter().map(|v| v.bytes.len()).collect())
            .unwrap_or_default()
    }

    fn output_bytes(&self) -> Vec<usize> {
        self.expected
            .first()
            .map(|s| s.iter().map(|v| v.bytes.len()).collect())
            .unwrap_or_default()
    }
}

/// `n` seeded uniform input samples for `model`'s inputs.
pub fn default_samples(model: &Model, seed: u64, n: usize) -> Vec<Vec<TensorValue>> {
    let graph = model.main_graph();
    let mut generator = InputGenerator::new(seed);
    (0..n)
        .map(|_| {
            graph
                .inputs
                .iter()
                .map(|&i| generator.value_for(graph.tensor(i)).expect("input type"))
                .collect()
        })
        .collect()
}

/// The first `max` failure messages, one a line, for an assertion message.
pub fn failure_list(failures: &[String], max: usize) -> String {
    failures
        .iter()
        .take(max)
        .cloned()
        .collect::<Vec<_>>()
        .join("\n")
}

/// What happened to one generated case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Built and compared.
    Compared,
    /// The code generator has no C kernel for it.
    NoKernel,
    /// The reference interpreter refused it (as TensorFlow Lite Micro does).
    Refused,
}

/// Counts of one summary line.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub compared: usize,
    pub no_kernel: usize,
    pub refused: usize,
}

/// Per summary line (operator and type, or kernel variant), what happened.
#[derive(Debug, Default, Clone)]
pub struct Tally(pub BTreeMap<String, Counts>);

impl Tally {
    pub fn record(&mut self, label: &str, outcome: Outcome) {
        let c = self.0.entry(label.to_string()).or_default();
        match outcome {
            Outcome::Compared => c.compared += 1,
            Outcome::NoKernel => c.no_kernel += 1,
            Outcome::Refused => c.refused += 1,
        }
    }

    /// One line per label, for the test's output.
    pub fn lines(&self) -> Vec<String> {
        self.0
            .iter()
            .map(|(label, c)| {
                format!(
                    "{label:<40} compared {:>4}  no C kernel {:>4}  refused by the reference {:>4}",
                    c.compared, c.no_kernel, c.refused
                )
            })
            .collect()
    }

    /// The labels with a C kernel (at least one case compared) that compared
    /// fewer than `min` cases, with their counts. Labels whose every case had
    /// no C kernel are not in it (they are printed by [`Tally::lines`]).
    pub fn short_of(&self, min: usize) -> Vec<String> {
        self.0
            .iter()
            .filter(|(_, c)| c.compared > 0 && c.compared < min)
            .map(|(label, c)| format!("{label}: compared {} of at least {min}", c.compared))
            .collect()
    }
}

/// The four C files of one generated model: `NAME.h`, `NAME_weights.h`,
/// `NAME.c`, `NAME_weights.c`.
#[derive(Debug, Clone, Default)]
pub struct ModelSources {
    pub header: String,
    pub weights_header: String,
    pub source: String,
    pub weights: String,
}

impl ModelSources {
    /// Picks them from a generated model's files (path, contents); `None`
    /// when one is missing.
    pub fn from_files<'a>(
        name: &str,
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Option<ModelSources> {
        let mut found: [Option<String>; 4] = Default::default();
        let wanted = [".h", "_weights.h", ".c", "_weights.c"].map(|s| format!("{name}{s}"));
        for (path, contents) in files {
            if let Some(i) = wanted.iter().position(|w| w == path) {
                found[i] = Some(contents.to_string());
            }
        }
        let [Some(header), Some(weights_header), Some(source), Some(weights)] = found else {
            return None;
        };
        Some(ModelSources {
            header,
            weights_header,
            source,
            weights,
        })
    }
}

/// `text` without its `#include "NAME..."` lines of the model's own
/// headers (which the unit holds already), after a `#line` naming `file`.
fn inline(c: &mut String, name: &str, file: &str, text: &str) {
    let _ = writeln!(c, "#line 1 \"{file}\"");
    for line in text.lines() {
        let own = line
            .strip_prefix("#include \"")
            .is_some_and(|rest| rest.starts_with(name) && rest.ends_with(".h\""));
        if own {
            // Keep the line count for the #line mapping.
            c.push('\n');
        } else {
            c.push_str(line);
            c.push('\n');
        }
    }
}

/// Writes `ROOT/models.h` (every case's `NAME.h`, for the `main`) and
/// `units` C files `ROOT/unit<u>.c`, each holding the generated sources of a
/// contiguous share of `cases` (inlined: a few files instead of four per
/// model). With `external_arena`, every model takes its arena from
/// `NAME_init` (one buffer shared by all cases; a board's memory is small).
pub fn write_units(
    root: &Path,
    cases: &[&Bundled],
    units: usize,
    external_arena: bool,
) -> std::io::Result<Vec<PathBuf>> {
    let mut headers =
        String::from("/* Generated models' headers (autodeploy-testkit bundle). */\n");
    for p in cases {
        inline(
            &mut headers,
            &p.name,
            &format!("{}.h", p.name),
            &p.sources.header,
        );
    }
    std::fs::write(root.join("models.h"), headers)?;
    let per = cases.len().div_ceil(units.max(1)).max(1);
    let mut paths = Vec::new();
    for (u, chunk) in cases.chunks(per).enumerate() {
        let mut c =
            String::from("/* Unity build of generated models (autodeploy-testkit bundle). */\n");
        for p in chunk {
            let n = &p.name;
            if external_arena {
                let _ = writeln!(c, "#define {}_EXTERNAL_ARENA", n.to_uppercase());
            }
            inline(&mut c, n, &format!("{n}.h"), &p.sources.header);
            inline(
                &mut c,
                n,
                &format!("{n}_weights.h"),
                &p.sources.weights_header,
            );
            inline(&mut c, n, &format!("{n}.c"), &p.sources.source);
            inline(&mut c, n, &format!("{n}_weights.c"), &p.sources.weights);
        }
        let path = root.join(format!("unit{u}.c"));
        std::fs::write(&path, c)?;
        paths.push(path);
    }
    Ok(paths)
}

fn size_list(v: &[usize]) -> String {
    if v.is_empty() {
        "0".to_string()
    } else {
        v.iter()
            .map(|b| format!("{b}u"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Per case: `static` wrappers with common signatures and its tensor sizes.
fn case_table(c: &mut String, cases: &[&Bundled], init_args: &str) {
    c.push_str("#include \"models.h\"\n");
    for p in cases {
        let n = &p.name;
        let _ = writeln!(
            c,
            "static int {n}_init0(void) {{ return (int){n}_init({init_args}); }}\nstatic int {n}_invoke0(void) {{ return (int){n}_invoke(); }}\nstatic const size_t {n}_ib[] = {{{}}};\nstatic const size_t {n}_ob[] = {{{}}};",
            size_list(&p.input_bytes()),
            size_list(&p.output_bytes())
        );
    }
}

/// The `main` of a host executable: every case, every sample, in order;
/// inputs from stdin, per sample the status (int32) and the outputs to stdout.
pub fn host_main(cases: &[&Bundled]) -> String {
    let mut c = String::from("#include <stdio.h>\n#include <stdint.h>\n");
    case_table(&mut c, cases, "NULL, 0");
    c.push_str("\nstatic int run_case(int (*init)(void), int (*invoke)(void), void *(*in)(size_t), void *(*out)(size_t), const size_t *ib, size_t ni, const size_t *ob, size_t no, int samples)\n{\n    int s; size_t i; int32_t st;\n    if (init() != 0) return 0;\n    for (s = 0; s < samples; s++) {\n        for (i = 0; i < ni; i++) if (fread(in(i), 1, ib[i], stdin) != ib[i]) return 0;\n        st = invoke();\n        fwrite(&st, sizeof st, 1, stdout);\n        if (st == 0) for (i = 0; i < no; i++) fwrite(out(i), 1, ob[i], stdout);\n    }\n    return 1;\n}\n\nint main(void)\n{\n");
    for p in cases {
        let n = &p.name;
        let _ = writeln!(
            c,
            "    if (!run_case({n}_init0, {n}_invoke0, {n}_input, {n}_output, {n}_ib, {}u, {n}_ob, {}u, {})) return 2;",
            p.input_bytes().len(),
            p.output_bytes().len(),
            p.samples.len()
        );
    }
    c.push_str("    fflush(stdout);\n    return 0;\n}\n");
    c
}

/// What the host executable reads on stdin: every case's samples, in order.
pub fn host_input(cases: &[&Bundled]) -> Vec<u8> {
    cases
        .iter()
        .flat_map(|p| p.samples.iter().flatten().flat_map(|v| v.bytes.clone()))
        .collect()
}

/// Compares the host executable's stdout with the reference's outputs:
/// one message per mismatching output (exact for integers, the float
/// tolerance of [`compare`] for float32).
pub fn check_host_output(cases: &[&Bundled], data: &[u8]) -> Vec<String> {
    let mut pos = 0;
    let mut failures = Vec::new();
    for p in cases {
        for (s, expected) in p.expected.iter().enumerate() {
            let Some(status) = data.get(pos..pos + 4) else {
                failures.push(format!("{} {}: output ends early", p.label, p.desc));
                return failures;
            };
            let status = i32::from_ne_bytes(status.try_into().expect("4 bytes"));
            pos += 4;
            if status != 0 {
                failures.push(format!(
                    "{} {} sample {s}: C status {status}",
                    p.label, p.desc
                ));
                continue;
            }
            for (o, want) in expected.iter().enumerate() {
                let len = want.bytes.len();
                let Some(bytes) = data.get(pos..pos + len) else {
                    failures.push(format!("{} {}: output ends early", p.label, p.desc));
                    return failures;
                };
                let ours = TensorValue {
                    bytes: bytes.to_vec(),
                    ..want.clone()
                };
                pos += len;
                if let Err(e) = compare(&ours, want) {
                    failures.push(format!("{} {} sample {s} output {o}: {e}", p.label, p.desc));
                }
            }
        }
    }
    if pos != data.len() {
        failures.push(format!("{} trailing bytes of output", data.len() - pos));
    }
    failures
}

fn byte_array(c: &mut String, name: &str, bytes: impl Iterator<Item = u8>) {
    let _ = write!(c, "static const uint8_t {name}[] = {{");
    let mut any = false;
    for (i, b) in bytes.enumerate() {
        if i % 24 == 0 {
            c.push_str("\n   ");
        }
        let _ = write!(c, " {b},");
        any = true;
    }
    if !any {
        c.push_str(" 0");
    }
    c.push_str("\n};\n");
}

/// The `main` of a board firmware: the inputs and the reference's outputs
/// are embedded; every case runs on one shared arena and its outputs are
/// compared byte for byte on the board (the variants under test are integer
/// kernels). One UART line per case: `case <k> ok`, `case <k> status <s>`
/// or `case <k> mismatch sample <s> output <o> byte <b>`; then `done <n>`.
pub fn firmware_main(cases: &[&Bundled]) -> String {
    let arena = cases
        .iter()
        .map(|p| p.arena_size)
        .max()
        .unwrap_or(0)
        .max(16);
    let mut c = String::from("#include <stdint.h>\n#include <stddef.h>\n#include <string.h>\n\n#include \"ad_board.h\"\n");
    let _ = writeln!(
        c,
        "\nstatic uint8_t test_arena[{arena}u] __attribute__((aligned(16), section(\".ad_arena\")));"
    );
    case_table(&mut c, cases, "test_arena, sizeof test_arena");
    for p in cases {
        let n = &p.name;
        byte_array(
            &mut c,
            &format!("{n}_in"),
            p.samples
                .iter()
                .flatten()
                .flat_map(|v| v.bytes.iter().copied()),
        );
        byte_array(
            &mut c,
            &format!("{n}_want"),
            p.expected
                .iter()
                .flatten()
                .flat_map(|v| v.bytes.iter().copied()),
        );
    }
    c.push_str(
        "\ntypedef struct {\n    int (*init)(void);\n    int (*invoke)(void);\n    void *(*in)(size_t);\n    void *(*out)(size_t);\n    const size_t *ib, *ob;\n    size_t ni, no, samples;\n    const uint8_t *inputs, *want;\n} test_case;\n\nstatic const test_case cases[] = {\n",
    );
    for p in cases {
        let n = &p.name;
        let _ = writeln!(
            c,
            "    {{{n}_init0, {n}_invoke0, {n}_input, {n}_output, {n}_ib, {n}_ob, {}u, {}u, {}u, {n}_in, {n}_want}},",
            p.input_bytes().len(),
            p.output_bytes().len(),
            p.samples.len()
        );
    }
    c.push_str(
        r#"};

static void report(size_t k, const char *what)
{
    ad_board_uart_puts("case ");
    ad_board_uart_put_u32((uint32_t)k);
    ad_board_uart_puts(what);
}

int main(void)
{
    size_t k, s, i, b;
    for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const test_case *t = &cases[k];
        const uint8_t *in = t->inputs, *want = t->want;
        int ok = 1, status = t->init();
        if (status != 0) {
            report(k, " status ");
            ad_board_uart_put_u32((uint32_t)-status);
            ad_board_uart_puts("\n");
            continue;
        }
        for (s = 0; s < t->samples && ok; s++) {
            for (i = 0; i < t->ni; i++) {
                memcpy(t->in(i), in, t->ib[i]);
                in += t->ib[i];
            }
            status = t->invoke();
            if (status != 0) {
                report(k, " status ");
                ad_board_uart_put_u32((uint32_t)-status);
                ad_board_uart_puts("\n");
                ok = 0;
                break;
            }
            for (i = 0; i < t->no && ok; i++) {
                const uint8_t *got = (const uint8_t *)t->out(i);
                for (b = 0; b < t->ob[i]; b++) {
                    if (got[b] != want[b]) {
                        report(k, " mismatch sample ");
                        ad_board_uart_put_u32((uint32_t)s);
                        ad_board_uart_puts(" output ");
                        ad_board_uart_put_u32((uint32_t)i);
                        ad_board_uart_puts(" byte ");
                        ad_board_uart_put_u32((uint32_t)b);
                        ad_board_uart_puts("\n");
                        ok = 0;
                        break;
                    }
                }
                want += t->ob[i];
            }
        }
        if (ok) {
            report(k, " ok\n");
        }
    }
    ad_board_uart_puts("done ");
    ad_board_uart_put_u32((uint32_t)k);
    ad_board_uart_puts("\n");
    return 0;
}
"#,
    );
    c
}

/// Reads the firmware's UART text: one failure message per case that did
/// not report `ok` (a mismatch, a status, or no line at all), or an error
/// when the run did not reach its `done` line.
pub fn check_firmware_report(cases: &[&Bundled], uart: &str) -> Result<Vec<String>, String> {
    let mut lines: BTreeMap<usize, &str> = BTreeMap::new();
    let mut done = None;
    for line in uart.lines() {
        if let Some(rest) = line.strip_prefix("case ") {
            let (k, what) = rest.split_once(' ').unwrap_or((rest, ""));
            if let Ok(k) = k.parse() {
                lines.insert(k, what);
            }
        } else if let Some(n) = line.strip_prefix("done ") {
            done = n.trim().parse::<usize>().ok();
        }
    }
    if done != Some(cases.len()) {
        let last = uart.lines().rev().take(5).collect::<Vec<_>>();
        return Err(format!(
            "the firmware did not finish its {} cases (done line {done:?}); last lines: {last:?}",
            cases.len()
        ));
    }
    Ok(cases
        .iter()
        .enumerate()
        .filter_map(|(k, p)| match lines.get(&k) {
            Some(&"ok") => None,
            Some(what) => Some(format!(
                "{} {} ({}): {what}",
                p.label,
                p.desc,
                p.tags.join(", ")
            )),
            None => Some(format!("{} {}: no report", p.label, p.desc)),
        })
        .collect())
}
