//! Robustness: real models with bytes flipped, overwritten, cut, spliced,
//! inserted and removed must load or fail with an error, never panic or
//! hang.
//!
//! The normal run tries 2,000 mutations (proptest, fixed seed per run of the
//! suite). A long campaign: `PROPTEST_CASES=1000000 cargo test --release -p
//! autodeploy-model --test mutation` (docs/testing.md).

mod common;

use std::time::{Duration, Instant};

use autodeploy_model::Model;
use proptest::prelude::*;

const MODELS: &[&str] = &[
    "tflm-examples/hello_world_int8",
    "tflm-examples/hello_world_float",
    "mlperf-tiny/kws_ref_model",
    "mlperf-tiny/ad01_int8",
    "mlperf-tiny/ic_resnet8_int8",
    "mlperf-tiny/str_ww_ref_model",
    "tflm-examples/trained_lstm_int8",
    "microwakeword/alexa",
];

/// Far above what a parse of these models takes (milliseconds): a guard
/// against hangs, not a performance claim.
const HANG_GUARD: Duration = Duration::from_secs(10);

#[derive(Debug, Clone)]
enum Mutation {
    FlipBit {
        at: usize,
        bit: u8,
    },
    Overwrite {
        at: usize,
        value: u8,
    },
    /// A 32-bit little-endian value written over bytes: hits offsets and lengths.
    OverwriteWord {
        at: usize,
        value: u32,
    },
    Truncate {
        keep: usize,
    },
    Splice {
        from_model: usize,
        from: usize,
        to: usize,
        len: usize,
    },
    Insert {
        at: usize,
        bytes: Vec<u8>,
    },
    Remove {
        at: usize,
        len: usize,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    // Positions are fractions of the file (per mille) so they fit any model.
    prop_oneof![
        4 => (0usize..1000, 0u8..8).prop_map(|(at, bit)| Mutation::FlipBit { at, bit }),
        2 => (0usize..1000, any::<u8>()).prop_map(|(at, value)| Mutation::Overwrite { at, value }),
        2 => (0usize..1000, prop_oneof![any::<u32>(), 0u32..4096, Just(u32::MAX), Just(0x8000_0000)])
            .prop_map(|(at, value)| Mutation::OverwriteWord { at, value }),
        1 => (0usize..1000).prop_map(|keep| Mutation::Truncate { keep }),
        1 => (0..MODELS.len(), 0usize..1000, 0usize..1000, 1usize..64)
            .prop_map(|(from_model, from, to, len)| Mutation::Splice { from_model, from, to, len }),
        1 => (0usize..1000, proptest::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        1 => (0usize..1000, 1usize..64).prop_map(|(at, len)| Mutation::Remove { at, len }),
    ]
}

fn position(per_mille: usize, len: usize) -> usize {
    per_mille * len / 1000
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation, models: &[Vec<u8>]) {
    let len = bytes.len();
    // After a truncation to nothing, only an insertion has bytes to act on.
    if len == 0 && !matches!(m, Mutation::Insert { .. }) {
        return;
    }
    match m {
        Mutation::FlipBit { at, bit } => bytes[position(*at, len)] ^= 1 << bit,
        Mutation::Overwrite { at, value } => bytes[position(*at, len)] = *value,
        Mutation::OverwriteWord { .. } if len < 4 => {}
        Mutation::OverwriteWord { at, value } => {
            let at = position(*at, len.saturating_sub(4)) & !3;
            bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
        }
        Mutation::Truncate { keep } => bytes.truncate(position(*keep, len)),
        Mutation::Splice {
            from_model,
            from,
            to,
            len: n,
        } => {
            let source = &models[*from_model];
            let from = position(*from, source.len());
            let n = (*n).min(source.len() - from);
            let to = position(*to, len);
            let n = n.min(len - to);
            bytes[to..to + n].copy_from_slice(&source[from..from + n]);
        }
        Mutation::Insert { at, bytes: extra } => {
            let at = position(*at, len);
            bytes.splice(at..at, extra.iter().copied());
        }
        Mutation::Remove { at, len: n } => {
            let at = position(*at, len);
            let end = (at + n).min(len);
            bytes.drain(at..end);
        }
    }
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn mutated_models_never_panic_or_hang(
        model in 0..MODELS.len(),
        mutations in proptest::collection::vec(mutation(), 1..4),
    ) {
        let models = loaded_models();
        let mut bytes = models[model].clone();
        for m in &mutations {
            apply(&mut bytes, m, models);
        }
        let start = Instant::now();
        // Everything a later stage calls on a loaded model must hold up too.
        if let Ok(model) = Model::from_bytes(&bytes) {
            let _ = model.check_supported();
            let summary = model.summary();
            prop_assert_eq!(summary.layers.len(), model.main_graph().operators.len());
        }
        prop_assert!(start.elapsed() < HANG_GUARD, "took {:?}", start.elapsed());
    }
}

fn loaded_models() -> &'static [Vec<u8>] {
    static MODELS_BYTES: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    MODELS_BYTES.get_or_init(|| MODELS.iter().map(|m| common::model_bytes(m)).collect())
}
