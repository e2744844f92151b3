//! Every model of the shared corpus parses with the published figures, or
//! fails with the specific error it should.

mod common;

use autodeploy_model::{ElementType, Model, ModelError};
use common::model_path;

/// (model, total MACs, layers) for the models that load.
const LOADABLE: &[(&str, u64, usize)] = &[
    // The published MLPerf Tiny MAC counts.
    ("mlperf-tiny/kws_ref_model", 2_656_768, 13),
    ("mlperf-tiny/vww_96_int8", 7_489_664, 31),
    ("mlperf-tiny/vww_96_float", 7_489_664, 31),
    ("mlperf-tiny/ic_resnet8_int8", 12_501_632, 16),
    ("mlperf-tiny/ad01_int8", 264_192, 10),
    ("mlperf-tiny/str_ww_ref_model", 826_368, 11),
    // hello_world: FULLY_CONNECTED 1->16, 16->16, 16->1.
    ("tflm-examples/hello_world_int8", 16 + 256 + 16, 3),
    ("tflm-examples/hello_world_float", 16 + 256 + 16, 3),
    ("tflm-examples/simple_add_model", 0, 1),
    ("tflm-examples/trained_lstm_int8", 0, 4),
];

#[test]
fn loadable_models_have_the_published_mac_counts() {
    for &(name, macs, layers) in LOADABLE {
        let model = Model::from_path(model_path(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let summary = model.summary();
        assert_eq!(summary.layers.len(), layers, "{name}: layer count");
        if name != "tflm-examples/trained_lstm_int8" {
            assert_eq!(summary.totals.macs, macs, "{name}: total MACs");
        }
    }
}

#[test]
fn the_lstm_model_counts_macs_of_its_weight_matrices() {
    let model = Model::from_path(model_path("tflm-examples/trained_lstm_int8")).unwrap();
    let graph = model.main_graph();
    let lstm = &graph.operators[0];
    assert_eq!(lstm.name(), "UNIDIRECTIONAL_SEQUENCE_LSTM");
    let input = graph.input_of(lstm, 0).unwrap();
    let steps: u64 = input.shape[..input.shape.len() - 1]
        .iter()
        .product::<usize>() as u64;
    let expected: u64 = lstm
        .present_inputs()
        .skip(1)
        .map(|i| graph.tensor(i))
        .filter(|t| t.is_constant() && t.shape.len() == 2)
        .map(|t| (t.shape[0] * t.shape[1]) as u64 * steps)
        .sum();
    assert!(expected > 0);
    assert_eq!(model.summary().layers[0].macs, expected);
}

#[test]
fn int8_models_have_the_expected_operator_sets() {
    let model = Model::from_path(model_path("mlperf-tiny/kws_ref_model")).unwrap();
    let ops: Vec<(String, usize)> = model
        .summary()
        .operators
        .into_iter()
        .map(|o| (o.op, o.count))
        .collect();
    let expected = [
        ("AVERAGE_POOL_2D", 1),
        ("CONV_2D", 5),
        ("DEPTHWISE_CONV_2D", 4),
        ("FULLY_CONNECTED", 1),
        ("RESHAPE", 1),
        ("SOFTMAX", 1),
    ];
    let expected: Vec<(String, usize)> =
        expected.iter().map(|(o, c)| (o.to_string(), *c)).collect();
    assert_eq!(ops, expected);

    let graph = model.main_graph();
    let input = graph.tensor(graph.inputs[0]);
    assert_eq!(input.dtype, ElementType::Int8);
    assert_eq!(input.shape, vec![1, 49, 10, 1]);
    // Per-channel weights of the first convolution: one scale per output channel.
    let weights = graph.input_of(&graph.operators[0], 1).unwrap();
    let q = weights.quant.as_ref().unwrap();
    assert_eq!(q.scale.len(), 64);
    assert_eq!(q.axis, 0);
}

#[test]
fn every_shared_int8_and_float_model_is_supported() {
    for &(name, _, _) in LOADABLE {
        let model = Model::from_path(model_path(name)).unwrap();
        let result = model.check_supported();
        if name.contains("lstm") {
            match result {
                Err(ModelError::UnsupportedOps(ops)) => {
                    assert_eq!(ops.len(), 1);
                    assert_eq!(ops[0].layer, 0);
                    assert_eq!(ops[0].op, "UNIDIRECTIONAL_SEQUENCE_LSTM");
                }
                other => panic!("{name}: expected UnsupportedOps, got {other:?}"),
            }
        } else {
            result.unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}

#[test]
fn the_hybrid_model_is_refused_naming_the_layer() {
    match Model::from_path(model_path("mlperf-tiny/kws_ref_model_float32")) {
        Err(ModelError::HybridModel {
            layer,
            op,
            weight_type,
            ..
        }) => {
            assert_eq!(layer, 0);
            assert_eq!(op, "CONV_2D");
            assert_eq!(weight_type, "int8");
        }
        other => panic!("expected HybridModel, got {other:?}"),
    }
}

#[test]
fn streaming_models_resolve_their_resource_variables() {
    for (name, bytes) in [
        ("microwakeword/alexa", 3024),
        ("microwakeword/hey_jarvis", 2840),
    ] {
        let model = Model::from_path(model_path(name)).unwrap();
        assert_eq!(model.state.bytes(), bytes, "{name}");
        assert_eq!(model.subgraphs.len(), 2, "{name}");
        assert_eq!(model.state.init_subgraphs, vec![1], "{name}");
        let state = &model.state;
        assert_eq!(state.variables.len(), 6, "{name}");
        for v in &state.variables {
            assert_eq!(v.dtype, autodeploy_model::ElementType::Int8, "{name} {v:?}");
            let elements: usize = v.shape.iter().product();
            assert_eq!(v.bytes, elements, "{name} {v:?}");
            // Both subgraphs hold a handle to every variable.
            for s in 0..2 {
                assert!(
                    state
                        .handles
                        .iter()
                        .any(|h| h.subgraph == s && h.variable == v.id),
                    "{name}: subgraph {s} has no handle to {}",
                    v.shared_name
                );
            }
        }
        let summary = model.summary();
        assert_eq!(summary.totals.state_bytes as usize, state.bytes(), "{name}");
    }
}

#[test]
fn deprecated_builtin_code_is_combined_with_the_new_field() {
    // kws_ref_model sets both fields; its codes are all below 127, so the
    // decoded operators show the rule picked the right one.
    let model = Model::from_path(model_path("mlperf-tiny/kws_ref_model")).unwrap();
    assert_eq!(model.main_graph().operators[0].name(), "CONV_2D");
    assert_eq!(model.main_graph().operators[0].version, 3);
}
