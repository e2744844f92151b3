//! Property tests of the host frame decoder: round trips, random input, and streams of frames
//! with bit flips, truncation and garbage in between.

use autodeploy_rpc::frame::{self, FrameDecoder, MAX_PAYLOAD};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Damage {
    None,
    /// Flip bit `bit` of the encoded byte at `pos` (modulo the frame length, delimiters included).
    Flip {
        pos: usize,
        bit: u8,
    },
    /// Keep only the first `keep` bytes of the encoded frame, losing at least its last COBS
    /// byte (a frame that loses only its closing delimiter is still whole: the next frame's
    /// opening delimiter ends it).
    Truncate {
        keep: usize,
    },
    /// Random bytes (zeros included) before the frame; the frame itself is intact.
    GarbageBefore(Vec<u8>),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        4 => Just(Damage::None),
        2 => (any::<usize>(), 0u8..8).prop_map(|(pos, bit)| Damage::Flip { pos, bit }),
        1 => any::<usize>().prop_map(|keep| Damage::Truncate { keep }),
        2 => prop::collection::vec(any::<u8>(), 0..64).prop_map(Damage::GarbageBefore),
    ]
}

fn payload(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 1..max),
        // Runs of zeros and of non-zeros stress the COBS block boundaries.
        (1..max, any::<bool>()).prop_map(|(n, zero)| vec![if zero { 0 } else { 0xA5 }; n]),
        prop::collection::vec(prop_oneof![Just(0u8), Just(1u8), any::<u8>()], 1..max),
    ]
}

/// Builds the damaged stream; returns it with the payloads that must come out.
fn build(frames: &[(Vec<u8>, Damage)]) -> (Vec<u8>, Vec<Vec<u8>>) {
    let mut wire = Vec::new();
    let mut expect = Vec::new();
    for (p, d) in frames {
        let mut enc = frame::encode(p);
        match d {
            Damage::None => expect.push(p.clone()),
            Damage::Flip { pos, bit } => {
                let i = pos % enc.len();
                enc[i] ^= 1 << bit;
            }
            Damage::Truncate { keep } => enc.truncate(keep % (enc.len() - 1)),
            Damage::GarbageBefore(g) => {
                wire.extend_from_slice(g);
                expect.push(p.clone());
            }
        }
        wire.extend_from_slice(&enc);
    }
    (wire, expect)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn round_trip(p in payload(MAX_PAYLOAD + 1)) {
        let wire = frame::encode(&p);
        prop_assert!(wire.len() <= frame::max_encoded_len(p.len()));
        prop_assert_eq!(wire.iter().filter(|&&b| b == 0).count(), 2);
        let mut d = FrameDecoder::default();
        let out: Vec<_> = d.push_bytes(&wire);
        prop_assert_eq!(out, vec![Ok(p)]);
    }

    #[test]
    fn random_bytes_never_panic_and_rarely_pass(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let mut d = FrameDecoder::new(256);
        let out = d.push_bytes(&bytes);
        let good = out.iter().filter(|r| r.is_ok()).count();
        prop_assert!(out.len() <= bytes.len());
        // A random blob passes a CRC-32 once in 2^32; seeing one here means a broken check.
        prop_assert_eq!(good, 0);
        prop_assert_eq!(d.stats().frames, 0);
    }

    #[test]
    fn damaged_frames_cost_only_themselves(
        frames in prop::collection::vec((payload(300), damage()), 1..12),
        trailing in prop::collection::vec(any::<u8>(), 0..16),
    ) {
        let (mut wire, expect) = build(&frames);
        wire.extend_from_slice(&trailing);
        // A clean frame at the end must always come through, whatever came before.
        wire.extend(frame::encode(b"sentinel"));
        let mut d = FrameDecoder::default();
        let good: Vec<Vec<u8>> = d.push_bytes(&wire).into_iter().filter_map(Result::ok).collect();
        let mut want = expect;
        want.push(b"sentinel".to_vec());
        prop_assert_eq!(good, want);
    }

    #[test]
    fn byte_by_byte_equals_bulk(frames in prop::collection::vec((payload(100), damage()), 1..6)) {
        let (wire, _) = build(&frames);
        let mut bulk = FrameDecoder::default();
        let mut single = FrameDecoder::default();
        let a = bulk.push_bytes(&wire);
        let b: Vec<_> = wire.iter().filter_map(|&x| single.push_byte(x)).collect();
        prop_assert_eq!(a, b);
        prop_assert_eq!(bulk.stats(), single.stats());
    }

    #[test]
    fn oversize_frames_are_dropped_and_bounded(
        sizes in prop::collection::vec(1usize..200, 1..10),
    ) {
        const MAX: usize = 64;
        let mut wire = Vec::new();
        let mut want = Vec::new();
        for (i, n) in sizes.iter().enumerate() {
            let p = vec![i as u8 + 1; *n];
            if *n <= MAX {
                want.push(p.clone());
            }
            wire.extend(frame::encode(&p));
        }
        let mut d = FrameDecoder::new(MAX);
        let good: Vec<Vec<u8>> = d.push_bytes(&wire).into_iter().filter_map(Result::ok).collect();
        prop_assert_eq!(good, want);
        prop_assert_eq!(d.stats().oversize as usize, sizes.iter().filter(|&&n| n > MAX).count());
    }
}
