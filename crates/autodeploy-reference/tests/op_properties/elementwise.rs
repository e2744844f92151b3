//! ADD, SUB, MUL, MAXIMUM, MINIMUM with broadcasting.

use autodeploy_testkit::ops::elementwise::elementwise_binary_ops;

use crate::harness::*;

#[test]
fn elementwise_binary_ops_match_tflite_micro() {
    check("elementwise", elementwise_binary_ops(CASES));
}
