//! Client against the fake board over the in-memory pair: every request, error paths,
//! timeouts, garbage and noise on the line.

mod common;

use std::time::Duration;

use autodeploy_rpc::transport::memory::{self, MemoryTransport};
use autodeploy_rpc::transport::Noise;
use autodeploy_rpc::{Client, ClientConfig, CounterKind, ErrorCode, RpcError};
use common::{pattern, BoardConfig, FakeBoard, HASH};

fn quick() -> ClientConfig {
    ClientConfig {
        timeout: Duration::from_millis(300),
        invoke_timeout: Duration::from_millis(300),
        expected_model_hash: Some(HASH.to_vec()),
        ..ClientConfig::default()
    }
}

/// Starts a fake board; returns the host end and the board end's line control.
fn start(
    cfg: BoardConfig,
) -> (
    MemoryTransport,
    memory::LineControl,
    std::sync::Arc<std::sync::Mutex<common::Seen>>,
) {
    let (host, board) = memory::pair(64 * 1024);
    let line = board.line();
    let (fake, seen) = FakeBoard::new(cfg);
    tokio::spawn(fake.serve(board));
    (host, line, seen)
}

#[tokio::test]
async fn full_session() {
    let (host, _, seen) = start(BoardConfig::default());
    let mut client = Client::connect_with(host, quick()).await.unwrap();
    let info = client.info().unwrap().clone();
    assert_eq!(info.board, "fake-m4");
    assert_eq!(info.core, "cortex-m4");
    assert_eq!(info.clock_hz, 25_000_000);
    assert_eq!(info.arena_size, 12_345);
    assert_eq!(info.model_hash, HASH);

    // 3000 bytes: three chunks of 1024, 1024, 952.
    let input = pattern(3000);
    client.set_input(0, &input).await.unwrap();
    assert_eq!(client.get_input(0).await.unwrap(), input);
    assert_eq!(seen.lock().unwrap().requests, 1 + 3 + 3);

    let run = client.invoke(3, 2).await.unwrap();
    assert_eq!((run.runs, run.count, run.stack_high_water), (3, 126, 2048));
    assert_eq!(run.counter(), CounterKind::Instructions);
    let expected: Vec<u8> = input.iter().map(|b| b.wrapping_add(3)).collect();
    assert_eq!(client.get_output(0).await.unwrap(), expected);

    let profile = client.get_profile().await.unwrap();
    assert_eq!(profile.len(), 5);
    for (i, entry) in profile.iter().enumerate() {
        assert_eq!(entry.layer, i as u32);
        assert_eq!(entry.count, 1_000_000_000_000 + i as u64);
        assert_eq!(entry.counter(), CounterKind::Instructions);
    }

    let partial = client.run_layers(0, 2).await.unwrap();
    assert_eq!(partial.count, 3);
    let t3 = client.get_tensor(3).await.unwrap();
    assert_eq!(
        t3,
        input.iter().map(|b| b.wrapping_add(3)).collect::<Vec<_>>()
    );

    let stats = client.get_stats().await.unwrap();
    assert_eq!((stats.stack_high_water, stats.stack_size), (2048, 8192));

    client.reset().await.unwrap();
    assert_eq!(seen.lock().unwrap().resets, 1);
    assert_eq!(client.get_input(0).await.unwrap(), vec![0; 3000]);
    assert_eq!(client.frame_stats().dropped(), 0);
}

#[tokio::test]
async fn board_chunk_limit_is_respected() {
    let (host, _, seen) = start(BoardConfig {
        max_chunk: 100,
        input_size: 250,
        ..BoardConfig::default()
    });
    let mut client = Client::connect_with(host, quick()).await.unwrap();
    client.set_input(0, &pattern(250)).await.unwrap();
    assert_eq!(seen.lock().unwrap().requests, 1 + 3);
    assert_eq!(client.get_input(0).await.unwrap(), pattern(250));
}

#[tokio::test]
async fn board_errors_are_typed() {
    let (host, _, _) = start(BoardConfig::default());
    let mut client = Client::connect_with(host, quick()).await.unwrap();
    match client.set_input(0, &[1, 2, 3]).await {
        Err(RpcError::Board {
            code: ErrorCode::SizeMismatch,
            message,
            detail,
            request,
        }) => {
            assert_eq!(message, "wrong input size");
            assert_eq!(detail, -7);
            assert!(request.starts_with("set_input(input 0"), "{request}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        client.get_tensor(99).await,
        Err(RpcError::Board {
            code: ErrorCode::BadIndex,
            ..
        })
    ));
    assert!(matches!(
        client.get_profile().await,
        Err(RpcError::Board {
            code: ErrorCode::Unavailable,
            ..
        })
    ));
    assert!(matches!(
        client.run_layers(3, 1).await,
        Err(RpcError::InvalidArgument(_))
    ));
}

#[tokio::test]
async fn protocol_version_mismatch() {
    let (host, _, _) = start(BoardConfig {
        protocol_version: 99,
        ..BoardConfig::default()
    });
    match Client::connect_with(host, quick()).await {
        Err(RpcError::ProtocolVersion {
            host,
            board_version: 99,
            board,
        }) => {
            assert_eq!(host, autodeploy_rpc::PROTOCOL_VERSION);
            assert_eq!(board, "fake-m4");
        }
        other => panic!("{:?}", other.map(|_| ())),
    }
}

#[tokio::test]
async fn stale_firmware_is_detected() {
    let (host, _, _) = start(BoardConfig {
        model_hash: vec![1; 32],
        ..BoardConfig::default()
    });
    match Client::connect_with(host, quick()).await {
        Err(RpcError::ModelHash {
            expected, actual, ..
        }) => {
            assert_eq!(expected, HASH);
            assert_eq!(actual, vec![1; 32]);
        }
        other => panic!("{:?}", other.map(|_| ())),
    }
}

#[tokio::test]
async fn silent_board_times_out_with_what_was_awaited() {
    let (host, line, seen) = start(BoardConfig::default());
    line.set_mute(true);
    let cfg = ClientConfig {
        timeout: Duration::from_millis(100),
        retries: 1,
        ..quick()
    };
    let start = std::time::Instant::now();
    match Client::connect_with(host, cfg).await {
        Err(RpcError::Timeout {
            awaited,
            attempts,
            timeout,
            transport,
        }) => {
            assert_eq!(awaited, "the answer to hello");
            assert_eq!(attempts, 2);
            assert_eq!(timeout, Duration::from_millis(100));
            assert_eq!(transport, "memory (host end)");
        }
        other => panic!("{:?}", other.map(|_| ())),
    }
    assert!(start.elapsed() >= Duration::from_millis(200));
    assert_eq!(seen.lock().unwrap().requests, 2);
}

#[tokio::test]
async fn lost_request_is_retried() {
    let (host, _, seen) = start(BoardConfig {
        ignore_first: 1,
        ..BoardConfig::default()
    });
    let cfg = ClientConfig {
        timeout: Duration::from_millis(100),
        ..quick()
    };
    let client = Client::connect_with(host, cfg).await.unwrap();
    assert_eq!(seen.lock().unwrap().requests, 2);
    assert_eq!(client.info().unwrap().board, "fake-m4");
}

#[tokio::test]
async fn corrupt_answers_are_reported_as_such() {
    let (host, line, _) = start(BoardConfig::default());
    // Every byte the board sends has a flipped bit: every frame fails its CRC.
    line.set_noise(Some(Noise {
        seed: 1,
        flip_ppm: 1_000_000,
        ..Noise::default()
    }));
    let cfg = ClientConfig {
        timeout: Duration::from_millis(100),
        retries: 2,
        ..quick()
    };
    match Client::connect_with(host, cfg).await {
        Err(RpcError::CorruptFrames {
            corrupt_frames,
            crc_failures,
            attempts,
            ..
        }) => {
            assert_eq!(attempts, 3);
            assert!(corrupt_frames >= 3, "{corrupt_frames}");
            assert!(crc_failures <= corrupt_frames);
        }
        other => panic!("{:?}", other.map(|_| ())),
    }
}

#[tokio::test]
async fn garbage_before_and_inside_answers_is_survived() {
    let (host, line, _) = start(BoardConfig::default());
    let mut client = Client::connect_with(host, quick()).await.unwrap();
    // Boot noise with zeros and fake frame starts before the next answer.
    line.inject(b"\r\nQEMU boot \x00\x01\x02\xff\x00\x07");
    client.set_input(0, &pattern(3000)).await.unwrap();
    // A flipped bit in the middle of the next answer: the client times out once and resends.
    line.flip(20, 0x04);
    assert_eq!(client.get_input(0).await.unwrap(), pattern(3000));
    assert!(client.frame_stats().crc_errors >= 1);
    // Lost bytes in an answer: same.
    line.drop_next(3);
    assert_eq!(client.get_stats().await.unwrap().stack_size, 8192);
}

#[tokio::test]
async fn garbage_towards_the_board_is_survived() {
    let (host, _, seen) = start(BoardConfig::default());
    let host_line = host.line();
    let mut client = Client::connect_with(host, quick()).await.unwrap();
    host_line.inject(&[0x00, 0x13, 0x37, 0x00, 0xFF, 0xFF]);
    host_line.flip(10, 0x80);
    client.set_input(0, &pattern(3000)).await.unwrap();
    assert_eq!(client.get_input(0).await.unwrap(), pattern(3000));
    assert!(seen.lock().unwrap().bad_frames >= 2);
}

#[tokio::test]
async fn noisy_line_both_ways_still_delivers_exact_data() {
    let (host, line, seen) = start(BoardConfig::default());
    let host_line = host.line();
    let cfg = ClientConfig {
        timeout: Duration::from_millis(100),
        retries: 20,
        ..quick()
    };
    let mut client = Client::connect_with(host, cfg).await.unwrap();
    let noise = Noise {
        seed: 7,
        drop_ppm: 200,
        flip_ppm: 200,
        garbage_ppm: 200,
    };
    line.set_noise(Some(noise));
    host_line.set_noise(Some(Noise { seed: 8, ..noise }));
    for round in 0..5u8 {
        let input: Vec<u8> = pattern(3000).iter().map(|b| b ^ round).collect();
        client.set_input(0, &input).await.unwrap();
        client.invoke(1, 0).await.unwrap();
        let expected: Vec<u8> = input.iter().map(|b| b.wrapping_add(1)).collect();
        assert_eq!(
            client.get_output(0).await.unwrap(),
            expected,
            "round {round}"
        );
    }
    // The noise did hit frames in both directions.
    assert!(client.frame_stats().dropped() > 0);
    assert!(seen.lock().unwrap().bad_frames > 0);
}

#[tokio::test]
async fn logs_and_stale_answers_are_skipped() {
    let (host, _, _) = start(BoardConfig {
        chatter: true,
        ..BoardConfig::default()
    });
    let mut client = Client::connect_with(host, quick()).await.unwrap();
    client.set_input(0, &pattern(3000)).await.unwrap();
    assert_eq!(client.invoke(1, 0).await.unwrap().runs, 1);
}

#[tokio::test]
async fn fault_report_carries_registers_and_layer() {
    let (host, _, _) = start(BoardConfig {
        fault_on_invoke: true,
        ..BoardConfig::default()
    });
    let mut client = Client::connect_with(host, quick()).await.unwrap();
    match client.invoke(1, 0).await {
        Err(RpcError::Fault(fault)) => {
            assert_eq!(fault.layer, Some(2));
            assert_eq!(fault.pc, 0x0800_0abc);
            assert_eq!(fault.lr, 0x0800_0123);
            assert_eq!(fault.cfsr, 1 << 25);
            assert_eq!(fault.hfsr, 1 << 30);
            assert_eq!(fault.flags(), vec!["DIVBYZERO", "FORCED"]);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn closed_transport_is_reported() {
    let (host, board) = memory::pair(1024);
    drop(board);
    match Client::connect_with(host, quick()).await {
        Err(RpcError::Closed { .. } | RpcError::Io { .. }) => {}
        other => panic!("{:?}", other.map(|_| ())),
    }
}
