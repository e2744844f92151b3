//! Real builds with arm-none-eabi-gcc and real runs on qemu-system-arm, on every built-in board.

mod common;

use std::io::Read;
use std::time::{Duration, Instant};

use autodeploy_toolchain::{
    Board, Placement, QemuOptions, QemuRunner, SerialKind, ToolchainError, UartPort,
    FAULT_EXIT_CODE,
};
use common::{build, spec, BOARDS};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn runner() -> QemuRunner {
    QemuRunner::discover().expect("qemu-system-arm is needed for these tests")
}

fn options(serial: SerialKind) -> QemuOptions {
    QemuOptions::with_serial(serial).timeout(Duration::from_secs(20))
}

fn hello(board: &str, exit_code: u8) -> std::path::PathBuf {
    let code = exit_code.to_string();
    build(
        board,
        &spec("hello", &["hello.c"]).define("HELLO_EXIT_CODE", Some(&code)),
    )
    .unwrap()
    .elf
}

fn assert_hello(board: &str, text: &str) {
    assert!(
        text.contains(&format!("hello from {board}\n")),
        "{board}: {text:?}"
    );
    assert!(text.contains("printf works: 42\n"), "{board}: {text:?}");
    assert!(text.contains("stack high water: "), "{board}: {text:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hello_over_tcp_reports_the_exit_code() {
    for name in BOARDS {
        let board = Board::builtin(name).unwrap();
        let out = runner()
            .run(&board, &hello(name, 7), &options(SerialKind::Tcp))
            .await
            .unwrap();
        assert_hello(name, &out.uart_text());
        assert_eq!(out.exit_code, 7, "{name}: {}", out.stderr);
        assert!(!out.is_fault());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hello_over_pty_reports_the_exit_code() {
    for name in BOARDS {
        let board = Board::builtin(name).unwrap();
        let out = runner()
            .run(&board, &hello(name, 0), &options(SerialKind::Pty))
            .await
            .unwrap();
        assert_hello(name, &out.uart_text());
        assert_eq!(out.exit_code, 0, "{name}: {}", out.stderr);
    }
}

fn echo_firmware(board: &str) -> std::path::PathBuf {
    build(
        board,
        &spec("hello-echo", &["hello.c"]).define("HELLO_WAIT_FOR_DIGIT", None),
    )
    .unwrap()
    .elf
}

/// 2000 lines (22 KB, more than a pty buffers) written right before the exit all arrive, over
/// both transports.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_uart_byte_is_lost_at_exit() {
    let lines = 2000;
    let board = Board::builtin("qemu-m4").unwrap();
    let fw = build(
        "qemu-m4",
        &spec("chatty", &["chatty.c"]).define("CHATTY_LINES", Some(&lines.to_string())),
    )
    .unwrap();
    let expected: String = (0..lines).map(|i| format!("line {i:05}\n")).collect();
    for serial in [SerialKind::Pty, SerialKind::Tcp] {
        let out = runner()
            .run(&board, &fw.elf, &options(serial))
            .await
            .unwrap();
        assert_eq!(out.exit_code, 0);
        assert!(
            out.uart_text() == expected,
            "{serial:?}: {} of {} bytes",
            out.uart.len(),
            expected.len()
        );
    }
}

/// What the RPC transport does with a pty: take the path, open it itself, talk both ways, then
/// wait for the exit. Nothing written before the caller opened the path is lost.
/// EIO, which a pty read returns once the other side hung up (Linux).
fn libc_eio() -> i32 {
    5
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pty_path_can_be_opened_by_the_caller() {
    for name in BOARDS {
        let board = Board::builtin(name).unwrap();
        let mut session = runner()
            .start(&board, &echo_firmware(name), &options(SerialKind::Pty))
            .await
            .unwrap();
        let Some(UartPort::Pty(path)) = session.take_uart() else {
            panic!("expected a pty")
        };
        assert_eq!(session.pty_path(), Some(path.as_path()));
        assert!(path.starts_with("/dev/pts/"), "{path:?}");
        // Let the firmware write its greeting before anyone has the pty open.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let text = tokio::task::spawn_blocking(move || {
            use std::io::Write;
            let mut file = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(&path)
                .unwrap();
            let mut text = Vec::new();
            let mut chunk = [0u8; 256];
            let mut sent: Option<std::time::Instant> = None;
            // A pty read can come back empty or with EIO/EAGAIN for a moment
            // on a loaded machine: retry until a deadline, not on the first.
            // The digit is sent again when no answer came within 2 s (seen
            // lost once on a loaded machine); the firmware reads one byte and
            // exits, after which QEMU hangs up the pty: a write or read error
            // once a digit went out ends the exchange, and the exit code
            // below proves the digit arrived.
            let deadline = std::time::Instant::now() + Duration::from_secs(20);
            while !String::from_utf8_lossy(&text).contains("got 4\n") {
                let resend = sent.is_none_or(|at| at.elapsed() > Duration::from_secs(2));
                if resend && String::from_utf8_lossy(&text).contains("stack high water") {
                    if file.write_all(b"4").is_err() && sent.is_some() {
                        break;
                    }
                    sent = Some(std::time::Instant::now());
                }
                match file.read(&mut chunk) {
                    Ok(n) if n > 0 => text.extend_from_slice(&chunk[..n]),
                    Err(e) if e.raw_os_error() == Some(libc_eio()) && sent.is_some() => break,
                    _ if std::time::Instant::now() < deadline => {
                        std::thread::sleep(Duration::from_millis(10));
                    }
                    _ => break,
                }
            }
            String::from_utf8_lossy(&text).into_owned()
        })
        .await
        .unwrap();
        assert!(
            text.starts_with(&format!("hello from {name}\n")),
            "{text:?}"
        );
        assert!(text.contains("stack high water"), "{text:?}");
        // The firmware exits with the digit it read: the byte went host -> board.
        assert_eq!(session.wait().await.unwrap().code, 4, "{name} {text:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tcp_stream_is_handed_over_connected() {
    for name in BOARDS {
        let board = Board::builtin(name).unwrap();
        let mut session = runner()
            .start(&board, &echo_firmware(name), &options(SerialKind::Tcp))
            .await
            .unwrap();
        let Some(UartPort::Tcp(mut stream)) = session.take_uart() else {
            panic!("expected a TCP stream")
        };
        let mut text = Vec::new();
        let mut chunk = [0u8; 256];
        while !String::from_utf8_lossy(&text).contains("stack high water") {
            let n = stream.read(&mut chunk).await.unwrap();
            assert!(
                n > 0,
                "{name}: early end: {:?}",
                String::from_utf8_lossy(&text)
            );
            text.extend_from_slice(&chunk[..n]);
        }
        stream.write_all(b"6").await.unwrap();
        stream.read_to_end(&mut text).await.unwrap();
        let text = String::from_utf8_lossy(&text);
        assert_hello(name, &text);
        assert!(text.ends_with("got 6\n"), "{text:?}");
        assert_eq!(session.wait().await.unwrap().code, 6, "{name}");
    }
}

fn field(text: &str, name: &str) -> u32 {
    let start = text
        .find(&format!(" {name}=0x"))
        .unwrap_or_else(|| panic!("{name} missing in {text:?}"))
        + name.len()
        + 4;
    u32::from_str_radix(&text[start..start + 8], 16).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_report_registers_and_exit() {
    for name in BOARDS {
        let board = Board::builtin(name).unwrap();

        // Undefined instruction: UsageFault UNDEFINSTR escalated to HardFault.
        let fw = build(
            name,
            &spec("fault-udf", &["fault.c"]).define("FAULT_KIND", Some("1")),
        )
        .unwrap();
        let out = runner()
            .run(&board, &fw.elf, &options(SerialKind::Tcp))
            .await
            .unwrap();
        let text = out.uart_text();
        assert_eq!(out.exit_code, FAULT_EXIT_CODE, "{name}: {text:?}");
        assert!(out.is_fault());
        assert!(text.contains("AD_FAULT"), "{name}: {text:?}");
        assert_eq!(
            field(&text, "cfsr") & 0x0001_0000,
            0x0001_0000,
            "UNDEFINSTR"
        );
        assert_eq!(field(&text, "hfsr"), 0x4000_0000, "FORCED");
        let pc = field(&text, "pc");
        let code = board.region_for(Placement::Code).unwrap();
        assert!(code.contains(u64::from(pc)), "{name}: pc {pc:#x} in code");

        // Load from an address with nothing behind it: precise BusFault with BFAR.
        let fw = build(
            name,
            &spec("fault-bus", &["fault.c"])
                .define("FAULT_KIND", Some("2"))
                .define("FAULT_ADDRESS", Some("0xF0000000u")),
        )
        .unwrap();
        let out = runner()
            .run(&board, &fw.elf, &options(SerialKind::Tcp))
            .await
            .unwrap();
        let text = out.uart_text();
        assert_eq!(out.exit_code, FAULT_EXIT_CODE, "{name}: {text:?}");
        assert_eq!(field(&text, "cfsr"), 0x0000_8200, "BFARVALID | PRECISERR");
        assert_eq!(field(&text, "bfar"), 0xF000_0000);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_firmware_can_replace_the_fault_hook() {
    let board = Board::builtin("qemu-m7").unwrap();
    let fw = build(
        "qemu-m7",
        &spec("fault-hook", &["fault.c"])
            .define("FAULT_KIND", Some("1"))
            .define("CUSTOM_FAULT_HOOK", None),
    )
    .unwrap();
    let out = runner()
        .run(&board, &fw.elf, &options(SerialKind::Tcp))
        .await
        .unwrap();
    assert_eq!(out.exit_code, 42, "{}", out.uart_text());
    assert!(out.uart_text().contains("custom hook cfsr=0x00010000\n"));
    assert!(!out.uart_text().contains("AD_FAULT"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qemu_errors_are_reported_with_its_output() {
    let dir = tempfile::tempdir().unwrap();
    let not_elf = dir.path().join("not-firmware.elf");
    std::fs::write(&not_elf, b"this is not an ELF file").unwrap();
    let board = Board::builtin("qemu-m4").unwrap();
    let err = runner()
        .run(&board, &not_elf, &options(SerialKind::Tcp))
        .await
        .unwrap_err();
    let ToolchainError::QemuFailed {
        board, stderr, elf, ..
    } = &err
    else {
        panic!("expected QemuFailed, got {err:?}")
    };
    assert_eq!((board.as_str(), elf), ("qemu-m4", &not_elf));
    assert!(stderr.contains("qemu-system-arm:"), "{stderr}");
}

/// Armv8-M only: the reset handler sets MSPLIM to the bottom of the stack.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stack_overflow_is_caught_on_the_m55() {
    let board = Board::builtin("qemu-m55").unwrap();
    let fw = build("qemu-m55", &spec("overflow", &["overflow.c"])).unwrap();
    let out = runner()
        .run(&board, &fw.elf, &options(SerialKind::Tcp))
        .await
        .unwrap();
    let text = out.uart_text();
    assert_eq!(out.exit_code, FAULT_EXIT_CODE, "{text:?}");
    assert_eq!(
        field(&text, "cfsr") & 0x0010_0000,
        0x0010_0000,
        "STKOF: {text:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_firmware_that_never_ends_is_killed_at_the_timeout() {
    let board = Board::builtin("qemu-m4").unwrap();
    let fw = build("qemu-m4", &spec("hang", &["hang.c"])).unwrap();
    let timeout = Duration::from_secs(2);
    let started = Instant::now();
    let err = runner()
        .run(
            &board,
            &fw.elf,
            &QemuOptions::with_serial(SerialKind::Tcp).timeout(timeout),
        )
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        matches!(err, ToolchainError::RunTimeout { ref board, timeout: t, .. } if board == "qemu-m4" && t == timeout),
        "{err:?}"
    );
    assert!(
        elapsed >= timeout && elapsed < timeout + Duration::from_secs(5),
        "{elapsed:?}"
    );
    let message = err.to_string();
    assert!(message.contains("did not exit within 2s"), "{message}");
}

#[test]
fn an_image_too_big_is_refused_naming_the_memory() {
    // 5 MiB of weights in the 4 MiB code memory, a 17 MiB arena in the 16 MiB PSRAM.
    let err = build(
        "qemu-m4",
        &spec("too-big", &["big.c"])
            .define("BIG_RODATA", Some("(5u << 20)"))
            .define("BIG_ARENA", Some("(17u << 20)")),
    )
    .unwrap_err();
    let ToolchainError::DoesNotFit {
        board,
        firmware,
        overflows,
    } = &err
    else {
        panic!("expected DoesNotFit, got {err:?}")
    };
    assert_eq!((board.as_str(), firmware.as_str()), ("qemu-m4", "too-big"));
    let code = overflows
        .iter()
        .find(|o| o.region == "code")
        .expect("code overflows");
    assert_eq!(code.capacity, 4 << 20);
    assert!(
        code.over_by() >= 1 << 20 && code.over_by() < (1 << 20) + 16 * 1024,
        "{code:?}"
    );
    let psram = overflows
        .iter()
        .find(|o| o.region == "psram")
        .expect("psram overflows");
    assert_eq!(psram.over_by(), 1 << 20);
    let message = err.to_string();
    assert!(message.contains("memory \"code\" needs"), "{message}");
    assert!(
        message.contains(
            "memory \"psram\" needs 17825792 bytes but holds 16777216 (over by 1048576 bytes)"
        ),
        "{message}"
    );
}

#[test]
fn memory_report_places_sections_in_the_board_memories() {
    for name in BOARDS {
        let board = Board::builtin(name).unwrap();
        let fw = build(
            name,
            &spec("hello", &["hello.c"]).define("HELLO_EXIT_CODE", Some("0")),
        )
        .unwrap();
        let report = &fw.memory;
        for (section, what) in [
            (".text", Placement::Code),
            (".rodata", Placement::Rodata),
            (".data", Placement::Data),
            (".bss", Placement::Bss),
            (".stack", Placement::Stack),
            (".heap", Placement::Heap),
        ] {
            let s = report
                .sections
                .iter()
                .find(|s| s.name == section)
                .unwrap_or_else(|| panic!("{name}: no {section}"));
            assert_eq!(
                s.region.as_deref(),
                Some(board.region_for(what).unwrap().name.as_str()),
                "{name}: {section}"
            );
        }
        assert_eq!(report.section_size(".stack"), board.stack_size);
        // The initial values of .data count in the code memory as well.
        let code = board.region_for(Placement::Code).unwrap();
        let code_use = report.regions.iter().find(|r| r.name == code.name).unwrap();
        let in_code: u64 = report
            .sections
            .iter()
            .filter(|s| s.region.as_deref() == Some(code.name.as_str()))
            .map(|s| s.size)
            .sum();
        assert_eq!(code_use.used, in_code + report.section_size(".data"));
        assert!(report.to_string().contains(".stack"));
    }
}

/// Write and read back a word in the middle and at the very end of every memory of every board:
/// the memories in the board files exist with at least the stated size.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_board_memory_is_usable_to_its_last_word() {
    for name in BOARDS {
        let board = Board::builtin(name).unwrap();
        let mut addresses = Vec::new();
        for region in &board.memory {
            addresses.push(region.origin + region.length / 2 + 0x100);
            addresses.push(region.end() - 4);
        }
        let list = addresses
            .iter()
            .map(|a| format!("{a:#x}u"))
            .collect::<Vec<_>>()
            .join(",");
        let fw = build(
            name,
            &spec("memprobe", &["memprobe.c"]).define("PROBE_ADDRESSES", Some(&list)),
        )
        .unwrap();
        let out = runner()
            .run(&board, &fw.elf, &options(SerialKind::Tcp))
            .await
            .unwrap();
        let text = out.uart_text();
        for a in &addresses {
            assert!(
                text.contains(&format!("probe {a:#010x} ok")),
                "{name}: {text}"
            );
        }
        assert_eq!(out.exit_code, 0, "{name}: {text}");
    }
}
