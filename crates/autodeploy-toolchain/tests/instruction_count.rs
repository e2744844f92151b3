//! Exact instruction counting: a hand-written loop whose executed instruction count is known
//! from its disassembly (2n + 1 between the two counter reads, see firmware/count_loop.S) is
//! timed with the board counter, and the host's conversion with the board's exact ratio must
//! give that count back.

mod common;

use std::time::Duration;

use autodeploy_toolchain::{Board, QemuOptions, QemuRunner, SerialKind};
use common::{build, spec, BOARDS};

/// Largest difference (in instructions) allowed between the count computed from the counter
/// ticks and the count known from the disassembly: none. With `-icount shift=10` (the QEMU
/// boards' files) one instruction is 25.6 ticks on MPS2 and 20.48 on AN547, so the tick
/// quantisation is below 1/20 instruction and rounding gives the exact count.
const TOLERANCE: i128 = 0;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counter_ticks_give_the_exact_instruction_count() {
    let qemu = QemuRunner::discover().expect("qemu-system-arm is needed for this test");
    let mut report = Vec::new();
    for name in BOARDS {
        let board = Board::builtin(name).unwrap();
        let fw = build(name, &spec("count", &["count.c", "count_loop.S"])).unwrap();
        let out = qemu
            .run(
                &board,
                &fw.elf,
                &QemuOptions::with_serial(SerialKind::Tcp).timeout(Duration::from_secs(30)),
            )
            .await
            .unwrap();
        assert_eq!(out.exit_code, 0, "{name}: {}", out.stderr);
        let text = out.uart_text();
        let mut seen = 0;
        let mut worst = 0i128;
        let mut errors = Vec::new();
        for line in text.lines().filter(|l| l.starts_with("count ")) {
            let value = |key: &str| -> u64 {
                line.split_whitespace()
                    .find_map(|w| w.strip_prefix(key))
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_else(|| panic!("{name}: bad line {line:?}"))
            };
            let n = value("n=");
            let ticks = value("ticks=");
            let expected = i128::from(2 * n + 1);
            let counted = board.counter.instructions_from_ticks(ticks).unwrap() as i128;
            let error = counted - expected;
            errors.push((n, ticks, error));
            worst = worst.max(error.abs());
            seen += 1;
        }
        assert_eq!(seen, 30, "{name}: {text}");
        report.push((name, worst, errors));
        // Two back-to-back reads through the API are at most a few instructions apart.
        let api_delta: u64 = text
            .lines()
            .find_map(|l| l.strip_prefix("api delta="))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("{name}: no api delta in {text}"));
        assert!(
            board.counter.instructions_from_ticks(api_delta).unwrap() <= 8,
            "{name}: api delta {api_delta}"
        );
    }
    assert!(
        report.iter().all(|(_, worst, _)| *worst <= TOLERANCE),
        "counted - expected, per board (worst, [(n, ticks, error)]): {report:#?}"
    );
}
