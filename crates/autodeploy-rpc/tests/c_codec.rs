//! Cross-compatibility of the firmware C codec (`firmware-templates/validator/rpc/`) with this
//! crate: the C codec is built for the host with the system C compiler (`$CC`, else `cc`),
//! strict warnings as errors and, where available, AddressSanitizer and UBSan, into a small
//! driver (`tests/c/ad_rpc_echo.c`) that decodes frames from stdin and re-encodes them.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use autodeploy_rpc::frame::{self, FrameDecoder};
use autodeploy_rpc::proto::{self, board_message::Body, host_message::Request};
use proptest::prelude::*;
use prost::Message;

const REJECTED: &[u8] = &[0xFF];

fn driver() -> &'static Path {
    static DRIVER: OnceLock<PathBuf> = OnceLock::new();
    DRIVER.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let rpc = root.join("../../firmware-templates/validator/rpc");
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ad_rpc_echo");
        let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_owned());
        let build = |sanitize: bool| {
            let mut cmd = Command::new(&cc);
            cmd.args([
                "-std=c99",
                "-pedantic",
                "-Wall",
                "-Wextra",
                "-Werror",
                "-Wshadow",
            ])
            .args([
                "-Wconversion",
                "-Wstrict-prototypes",
                "-Wmissing-prototypes",
                "-O1",
                "-g",
            ]);
            if sanitize {
                cmd.args(["-fsanitize=address,undefined", "-fno-sanitize-recover=all"]);
            }
            cmd.arg("-I")
                .arg(&rpc)
                .arg(rpc.join("ad_rpc.c"))
                .arg(root.join("tests/c/ad_rpc_echo.c"))
                .arg("-o")
                .arg(&out);
            cmd.output()
                .expect("run the C compiler (set CC or install cc)")
        };
        let result = build(true);
        if !result.status.success() {
            // Without the sanitizer runtime the build must still be warning-free.
            let plain = build(false);
            assert!(
                plain.status.success(),
                "C codec does not compile:\n{}",
                String::from_utf8_lossy(&plain.stderr)
            );
        }
        out
    })
}

/// Runs the driver; returns the good frames it wrote and its statistics line.
fn run(mode: &str, input: &[u8]) -> (Vec<Vec<u8>>, Vec<u8>, String) {
    let mut child = Command::new(driver())
        .arg(mode)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let data = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&data));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "driver failed: {stderr}");
    let mut dec = FrameDecoder::default();
    let frames: Vec<Vec<u8>> = dec
        .push_bytes(&output.stdout)
        .into_iter()
        .map(|r| r.unwrap())
        .collect();
    let stats = stderr.lines().last().unwrap_or_default().to_owned();
    (frames, output.stdout, stats)
}

fn stat(stats: &str, key: &str) -> u64 {
    stats
        .split_whitespace()
        .find_map(|kv| kv.strip_prefix(&format!("{key}=")))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {key} in {stats:?}"))
}

// ----------------------------------------------------------------------------------------
// Message strategies

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..max)
}

fn text() -> impl Strategy<Value = String> {
    "[ -~]{0,40}"
}

fn host_message() -> impl Strategy<Value = proto::HostMessage> {
    let request = prop_oneof![
        any::<u32>().prop_map(|v| Request::Hello(proto::Hello {
            protocol_version: v
        })),
        (any::<u32>(), any::<u32>(), any::<u32>(), bytes(1025)).prop_map(
            |(index, offset, total_size, data)| {
                Request::SetInput(proto::SetInput {
                    index,
                    offset,
                    total_size,
                    data,
                })
            }
        ),
        (any::<u32>(), any::<u32>())
            .prop_map(|(runs, warmup)| Request::Invoke(proto::Invoke { runs, warmup })),
        (0i32..3, any::<u32>(), any::<u32>(), any::<u32>()).prop_map(
            |(kind, index, offset, length)| {
                Request::ReadTensor(proto::ReadTensor {
                    kind,
                    index,
                    offset,
                    length,
                })
            }
        ),
        (any::<u32>(), any::<u32>())
            .prop_map(|(first, last)| Request::RunLayers(proto::RunLayers { first, last })),
        Just(Request::Reset(proto::Reset {})),
        any::<u32>().prop_map(|first| Request::GetProfile(proto::GetProfile { first })),
        Just(Request::GetStats(proto::GetStats {})),
    ];
    (1u32.., request).prop_map(|(seq, request)| proto::HostMessage {
        seq,
        request: Some(request),
    })
}

fn board_message() -> impl Strategy<Value = proto::BoardMessage> {
    let info = (any::<[u32; 9]>(), text(), text(), bytes(33), text()).prop_map(
        |(n, board, core, model_hash, firmware)| {
            Body::Info(proto::Info {
                protocol_version: n[0],
                board,
                core,
                clock_hz: n[1],
                model_hash,
                arena_size: n[2],
                max_chunk: n[3],
                input_count: n[4],
                output_count: n[5],
                layer_count: n[6],
                tensor_count: n[7],
                firmware,
            })
        },
    );
    let chunk = (
        0i32..3,
        any::<u32>(),
        any::<u32>(),
        any::<u32>(),
        bytes(1025),
    )
        .prop_map(|(kind, index, offset, total_size, data)| {
            Body::TensorChunk(proto::TensorChunk {
                kind,
                index,
                offset,
                total_size,
                data,
            })
        });
    let run = (any::<u32>(), any::<u64>(), 0i32..4, any::<u32>()).prop_map(
        |(runs, count, counter, stack_high_water)| {
            Body::RunResult(proto::RunResult {
                runs,
                count,
                counter,
                stack_high_water,
            })
        },
    );
    let entry = (any::<u32>(), any::<u64>(), 0i32..4).prop_map(|(layer, count, counter)| {
        proto::LayerCount {
            layer,
            count,
            counter,
        }
    });
    let profile =
        (any::<u32>(), prop::collection::vec(entry, 0..=32)).prop_map(|(layer_count, entries)| {
            Body::Profile(proto::Profile {
                layer_count,
                entries,
            })
        });
    let stats = any::<[u32; 3]>().prop_map(|s| {
        Body::Stats(proto::Stats {
            stack_high_water: s[0],
            stack_size: s[1],
            arena_used: s[2],
        })
    });
    let error = (0i32..8, text(), any::<i32>()).prop_map(|(code, message, detail)| {
        Body::Error(proto::Error {
            code,
            message,
            detail,
        })
    });
    let fault = (any::<[u32; 7]>(), -1i32..200).prop_map(|(r, layer)| {
        Body::Fault(proto::FaultReport {
            cfsr: r[0],
            hfsr: r[1],
            mmfar: r[2],
            bfar: r[3],
            pc: r[4],
            lr: r[5],
            xpsr: r[6],
            layer,
        })
    });
    let log = text().prop_map(|text| Body::Log(proto::Log { text }));
    let body = prop_oneof![
        info,
        Just(Body::Ack(proto::Ack {})),
        chunk,
        run,
        profile,
        stats,
        error,
        fault,
        log
    ];
    (any::<u32>(), body).prop_map(|(seq, body)| proto::BoardMessage {
        seq,
        body: Some(body),
    })
}

fn frames_of<M: Message>(msgs: &[M]) -> Vec<u8> {
    let mut wire = Vec::new();
    for m in msgs {
        frame::encode_into(&m.encode_to_vec(), &mut wire);
    }
    wire
}

// ----------------------------------------------------------------------------------------

#[test]
fn c_and_rust_frames_are_byte_identical() {
    let payloads: Vec<Vec<u8>> = [1usize, 2, 3, 4, 250, 253, 254, 255, 256, 300, 508, 1152]
        .iter()
        .flat_map(|&n| {
            [
                vec![0u8; n],
                vec![0x11u8; n],
                (0..n).map(|i| (i % 255) as u8).collect::<Vec<u8>>(),
            ]
        })
        .collect();
    let mut wire = Vec::new();
    for p in &payloads {
        frame::encode_into(p, &mut wire);
    }
    let (frames, stdout, stats) = run("raw", &wire);
    assert_eq!(frames, payloads);
    // The C encoder writes exactly what the Rust encoder writes.
    assert_eq!(stdout, wire);
    assert_eq!(stat(&stats, "frames"), payloads.len() as u64);
}

#[test]
fn c_decoder_resyncs_after_garbage_flips_and_truncation() {
    let good = |i: u8| -> Vec<u8> {
        (0..200)
            .map(|j| i.wrapping_mul(31).wrapping_add(j))
            .collect()
    };
    let mut wire = b"\r\nboot noise\x00\x00\x13".to_vec();
    let mut expect = Vec::new();
    for i in 1..=20u8 {
        let mut f = frame::encode(&good(i));
        match i % 5 {
            0 => f[7] ^= 0x01,            // bit flip: CRC error
            1 => f.truncate(f.len() / 2), // cut short: merged with the next opening delimiter
            2 => {
                wire.extend_from_slice(&[0x00, 0xFF, 0x01, 0x01, 0x01, 0x01, 0x01, 0x00, 0x42]);
                expect.push(good(i));
            }
            _ => expect.push(good(i)),
        }
        wire.extend(f);
    }
    // An oversize frame, then one more good frame.
    wire.extend(frame::encode(&vec![7u8; 3000]));
    wire.extend(frame::encode(b"last"));
    expect.push(b"last".to_vec());

    let (frames, _, stats) = run("raw", &wire);
    assert_eq!(frames, expect);
    assert_eq!(stat(&stats, "crc_errors"), 4, "{stats}"); // the flips
    assert!(stat(&stats, "malformed") >= 4 + 4, "{stats}"); // truncations, garbage blobs
    assert_eq!(stat(&stats, "oversize"), 1, "{stats}");
    // The Rust decoder sees the very same stream the same way.
    let mut rust = FrameDecoder::default();
    let _ = rust.push_bytes(&wire);
    let r = rust.stats();
    let c = [
        stat(&stats, "frames"),
        stat(&stats, "crc_errors"),
        stat(&stats, "malformed"),
        stat(&stats, "oversize"),
    ];
    assert_eq!([r.frames, r.crc_errors, r.malformed, r.oversize], c);
}

#[test]
fn every_host_request_kind_round_trips_through_c() {
    let msgs = vec![
        proto::HostMessage {
            seq: 1,
            request: Some(Request::Hello(proto::Hello {
                protocol_version: 1,
            })),
        },
        proto::HostMessage {
            seq: 2,
            request: Some(Request::SetInput(proto::SetInput {
                index: 0,
                offset: 1024,
                total_size: 3000,
                data: vec![0; 1024],
            })),
        },
        proto::HostMessage {
            seq: 3,
            request: Some(Request::Invoke(proto::Invoke {
                runs: 10,
                warmup: 2,
            })),
        },
        proto::HostMessage {
            seq: 4,
            request: Some(Request::ReadTensor(proto::ReadTensor {
                kind: 2,
                index: 17,
                offset: 0,
                length: 1024,
            })),
        },
        proto::HostMessage {
            seq: 5,
            request: Some(Request::RunLayers(proto::RunLayers { first: 0, last: 0 })),
        },
        proto::HostMessage {
            seq: 6,
            request: Some(Request::Reset(proto::Reset {})),
        },
        proto::HostMessage {
            seq: 7,
            request: Some(Request::GetProfile(proto::GetProfile { first: 32 })),
        },
        proto::HostMessage {
            seq: u32::MAX,
            request: Some(Request::GetStats(proto::GetStats {})),
        },
    ];
    let (frames, _, stats) = run("host", &frames_of(&msgs));
    assert_eq!(stat(&stats, "decode_errors"), 0, "{stats}");
    let back: Vec<proto::HostMessage> = frames
        .iter()
        .map(|f| proto::HostMessage::decode(f.as_slice()).unwrap())
        .collect();
    assert_eq!(back, msgs);
    // And the C encoder is canonical: same bytes as prost.
    let expected: Vec<Vec<u8>> = msgs.iter().map(Message::encode_to_vec).collect();
    assert_eq!(frames, expected);
}

#[test]
fn c_decoder_skips_unknown_fields_and_rejects_bad_wire_types() {
    // seq 5, unknown field 15 (varint), unknown field 16 (bytes), unknown fixed32/fixed64,
    // then Invoke { runs: 3 }.
    let mut ok = vec![0x08, 0x05, 0x78, 0x2a, 0x82, 0x01, 0x02, 0xAB, 0xCD];
    ok.extend([0x8d, 0x01, 1, 2, 3, 4, 0x89, 0x01, 1, 2, 3, 4, 5, 6, 7, 8]);
    ok.extend([0x22, 0x02, 0x08, 0x03]);
    // Invoke sent as a varint instead of a message: must be rejected.
    let bad_wire = vec![0x08, 0x05, 0x20, 0x03];
    // A length running past the end.
    let bad_len = vec![0x08, 0x05, 0x22, 0x09, 0x08];
    let mut wire = Vec::new();
    for p in [&ok, &bad_wire, &bad_len] {
        frame::encode_into(p, &mut wire);
    }
    let (frames, _, stats) = run("host", &wire);
    let first = proto::HostMessage::decode(frames[0].as_slice()).unwrap();
    assert_eq!(
        first,
        proto::HostMessage {
            seq: 5,
            request: Some(Request::Invoke(proto::Invoke { runs: 3, warmup: 0 }))
        }
    );
    assert_eq!(frames[1], REJECTED);
    assert_eq!(frames[2], REJECTED);
    assert_eq!(stat(&stats, "decode_errors"), 2);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn host_messages_round_trip(msgs in prop::collection::vec(host_message(), 1..60)) {
        let (frames, _, _) = run("host", &frames_of(&msgs));
        let expected: Vec<Vec<u8>> = msgs.iter().map(Message::encode_to_vec).collect();
        prop_assert_eq!(frames, expected);
    }

    #[test]
    fn board_messages_round_trip(msgs in prop::collection::vec(board_message(), 1..60)) {
        let (frames, _, _) = run("board", &frames_of(&msgs));
        let back: Vec<proto::BoardMessage> =
            frames.iter().map(|f| proto::BoardMessage::decode(f.as_slice()).unwrap()).collect();
        prop_assert_eq!(&back, &msgs);
        let expected: Vec<Vec<u8>> = msgs.iter().map(Message::encode_to_vec).collect();
        prop_assert_eq!(frames, expected);
    }

    /// Random bytes, and random payloads in good frames: no crash, no sanitizer report.
    #[test]
    fn random_input_never_crashes_the_c_decoder(
        noise in prop::collection::vec(any::<u8>(), 0..4096),
        payloads in prop::collection::vec(prop::collection::vec(any::<u8>(), 1..200), 0..40),
    ) {
        let mut wire = noise;
        for p in &payloads {
            frame::encode_into(p, &mut wire);
        }
        let (frames, _, _) = run("host", &wire);
        prop_assert!(frames.len() >= payloads.len());
        let (frames, _, _) = run("board", &wire);
        prop_assert!(frames.len() >= payloads.len());
    }

    /// Mutated messages inside good frames: the C decoder never crashes (sanitizers on), and
    /// whenever both decoders accept, they agree.
    #[test]
    fn mutated_messages_agree_with_prost(
        cases in prop::collection::vec((board_message(), any::<usize>(), any::<u8>()), 1..60),
    ) {
        let mut wire = Vec::new();
        let mut mutated = Vec::new();
        for (m, pos, x) in &cases {
            let mut p = m.encode_to_vec();
            let i = pos % p.len();
            p[i] ^= x | 1;
            frame::encode_into(&p, &mut wire);
            mutated.push(p);
        }
        let (frames, _, _) = run("board", &wire);
        prop_assert_eq!(frames.len(), mutated.len());
        for (p, c) in mutated.iter().zip(&frames) {
            let by_prost = proto::BoardMessage::decode(p.as_slice());
            if c.as_slice() == REJECTED {
                continue;
            }
            let by_c = proto::BoardMessage::decode(c.as_slice());
            if let (Ok(a), Ok(b)) = (by_prost, by_c) {
                prop_assert_eq!(a, b);
            }
        }
    }
}
