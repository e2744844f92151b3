//! Pooling, MEAN and data movement (RESHAPE, SQUEEZE, EXPAND_DIMS,
//! CONCATENATION, PACK, UNPACK, SPLIT, SPLIT_V, PAD, PADV2, STRIDED_SLICE, TRANSPOSE).

use autodeploy_testkit::ops::shape::{data_movement, pooling_and_mean};

use crate::harness::*;

#[test]
fn pooling_and_mean_match_tflite_micro() {
    check("pool", pooling_and_mean(CASES));
}

#[test]
fn data_movement_matches_tflite_micro() {
    check("data", data_movement(CASES));
}
