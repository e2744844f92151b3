//! Each kind of bad input gets its own, specific error.

mod common;

use autodeploy_model::builder::{GraphBuilder, TensorSpec};
use autodeploy_model::{Activation, ElementType, FullyConnectedOptions, Model, ModelError, OpKind};
use common::model_bytes;

const F32: ElementType = ElementType::Float32;
const I8: ElementType = ElementType::Int8;

fn add() -> OpKind {
    OpKind::Add {
        activation: Activation::None,
        pot_scale_int16: true,
    }
}

/// a + b -> out, all float [1, 4], with tensor specs adjusted by `edit`.
fn add_model(edit: impl FnOnce(&mut [TensorSpec; 3])) -> Vec<u8> {
    let mut specs = [
        TensorSpec::new("a", F32, &[1, 4]),
        TensorSpec::new("b", F32, &[1, 4]),
        TensorSpec::new("out", F32, &[1, 4]),
    ];
    edit(&mut specs);
    let mut g = GraphBuilder::new();
    let [a, b, out] = specs.map(|s| g.tensor(s));
    g.operator(add(), &[a, b], &[out])
        .inputs(&[a, b])
        .outputs(&[out]);
    g.into_model().finish().unwrap()
}

fn load(bytes: &[u8]) -> Result<Model, ModelError> {
    Model::from_bytes(bytes)
}

#[test]
fn a_well_formed_builder_model_loads() {
    let model = load(&add_model(|_| {})).unwrap();
    assert_eq!(model.main_graph().operators[0].kind, add());
    model.check_supported().unwrap();
}

#[test]
fn empty_file() {
    assert!(matches!(load(&[]), Err(ModelError::Empty)));
}

#[test]
fn not_a_flatbuffer() {
    let text = b"this is a text file, certainly not a model\n";
    assert!(
        matches!(load(text), Err(ModelError::NotFlatbuffer { .. })),
        "{:?}",
        load(text)
    );
    assert!(matches!(
        load(&[1, 2, 3]),
        Err(ModelError::NotFlatbuffer { .. })
    ));
}

#[test]
fn wrong_file_identifier() {
    let mut bytes = model_bytes("tflm-examples/hello_world_int8");
    bytes[4..8].copy_from_slice(b"BFBS");
    match load(&bytes) {
        Err(ModelError::WrongIdentifier { found }) => assert_eq!(found, "BFBS"),
        other => panic!("expected WrongIdentifier, got {other:?}"),
    }
}

#[test]
fn truncated_file() {
    for name in [
        "mlperf-tiny/kws_ref_model",
        "tflm-examples/hello_world_int8",
        "mlperf-tiny/ad01_int8",
    ] {
        let bytes = model_bytes(name);
        for keep in [bytes.len() / 2, bytes.len() - 100, 64] {
            match load(&bytes[..keep]) {
                Err(ModelError::Truncated { file_len, .. }) => assert_eq!(file_len, keep),
                other => panic!("{name} cut at {keep}: expected Truncated, got {other:?}"),
            }
        }
    }
}

#[test]
fn tensor_index_out_of_range() {
    let mut g = GraphBuilder::new();
    let a = g.tensor(TensorSpec::new("a", F32, &[1, 4]));
    let out = g.tensor(TensorSpec::new("out", F32, &[1, 4]));
    g.operator(add(), &[a, 7], &[out])
        .inputs(&[a])
        .outputs(&[out]);
    match load(&g.into_model().finish().unwrap()) {
        Err(ModelError::TensorIndexOutOfRange { what, index, count }) => {
            assert_eq!((index, count), (7, 2));
            assert!(what.contains("layer 0 ADD input 1"), "{what}");
        }
        other => panic!("expected TensorIndexOutOfRange, got {other:?}"),
    }

    let mut g = GraphBuilder::new();
    let a = g.tensor(TensorSpec::new("a", F32, &[1, 4]));
    g.inputs(&[a]).outputs(&[5]);
    assert!(matches!(
        load(&g.into_model().finish().unwrap()),
        Err(ModelError::TensorIndexOutOfRange { index: 5, .. })
    ));
}

#[test]
fn negative_dimension() {
    let bytes = add_model(|t| t[1].shape = vec![1, -4]);
    match load(&bytes) {
        Err(ModelError::NegativeDimension {
            tensor,
            axis,
            value,
        }) => {
            assert_eq!(
                (tensor.index, tensor.name.as_str(), axis, value),
                (1, "b", 1, -4)
            );
        }
        other => panic!("expected NegativeDimension, got {other:?}"),
    }
}

#[test]
fn overflowing_dimensions() {
    let bytes = add_model(|t| t[0].shape = vec![1 << 30, 1 << 30, 1 << 30]);
    assert!(
        matches!(load(&bytes), Err(ModelError::ShapeOverflow { .. })),
        "{:?}",
        load(&bytes)
    );
    // Fits in 64 bits but not on any microcontroller.
    let bytes = add_model(|t| t[0].shape = vec![1 << 20, 1 << 20]);
    assert!(matches!(
        load(&bytes),
        Err(ModelError::ShapeOverflow { .. })
    ));
}

#[test]
fn data_size_not_matching_shape() {
    let bytes = add_model(|t| t[1] = TensorSpec::new("b", F32, &[1, 4]).data_f32(&[1.0, 2.0, 3.0]));
    match load(&bytes) {
        Err(ModelError::DataSizeMismatch {
            tensor,
            expected,
            actual,
            ..
        }) => {
            assert_eq!((tensor.index, expected, actual), (1, 16, 12));
        }
        other => panic!("expected DataSizeMismatch, got {other:?}"),
    }
}

/// Subgraph 0 runs `op` on x; `extra` more subgraphs pass a tensor through.
fn control_flow_model(op: OpKind, extra: usize) -> Vec<u8> {
    let mut main = GraphBuilder::new();
    let x = main.tensor(TensorSpec::new("x", F32, &[1]));
    let y = main.tensor(TensorSpec::new("y", F32, &[1]));
    main.operator(op, &[x], &[y]).inputs(&[x]).outputs(&[y]);
    let mut model = main.into_model();
    for _ in 0..extra {
        let mut g = GraphBuilder::new();
        let t = g.tensor(TensorSpec::new("t", F32, &[1]));
        g.inputs(&[t]).outputs(&[t]);
        model = model.subgraph(g);
    }
    model.finish().unwrap()
}

#[test]
fn a_while_subgraph_is_refused_naming_the_op() {
    let while_op = OpKind::While {
        cond_subgraph: 1,
        body_subgraph: 2,
    };
    match load(&control_flow_model(while_op, 2)) {
        Err(e @ ModelError::ControlFlow { .. }) => {
            let ModelError::ControlFlow {
                subgraph,
                layer,
                ref op,
            } = e
            else {
                unreachable!()
            };
            assert_eq!((subgraph, layer, op.as_str()), (0, 0, "WHILE"));
            assert!(e.to_string().contains("layer 0 WHILE"), "{e}");
        }
        other => panic!("expected ControlFlow, got {other:?}"),
    }
}

#[test]
fn an_if_subgraph_is_refused_naming_the_op() {
    let if_op = OpKind::If {
        then_subgraph: 1,
        else_subgraph: 2,
    };
    match load(&control_flow_model(if_op, 2)) {
        Err(ModelError::ControlFlow { layer, op, .. }) => {
            assert_eq!((layer, op.as_str()), (0, "IF"))
        }
        other => panic!("expected ControlFlow, got {other:?}"),
    }
}

#[test]
fn a_subgraph_nothing_runs_is_refused() {
    let relu = OpKind::Relu;
    match load(&control_flow_model(relu, 1)) {
        Err(ModelError::UnreachedSubgraph { count, subgraph }) => {
            assert_eq!((count, subgraph), (2, 1));
        }
        other => panic!("expected UnreachedSubgraph, got {other:?}"),
    }
}

#[test]
fn call_once_must_name_an_existing_subgraph() {
    let call = OpKind::CallOnce { init_subgraph: 5 };
    match load(&control_flow_model(call, 1)) {
        Err(ModelError::BadInitSubgraph { layer, init, count }) => {
            assert_eq!((layer, init, count), (0, 5, 2));
        }
        other => panic!("expected BadInitSubgraph, got {other:?}"),
    }
}

fn var_handle(g: &mut GraphBuilder, name: &str) -> usize {
    let h = g.tensor(TensorSpec::new("h", ElementType::Resource, &[]));
    g.operator(
        OpKind::VarHandle {
            container: String::new(),
            shared_name: name.into(),
        },
        &[],
        &[h],
    );
    h
}

/// A streaming model in miniature: the init subgraph assigns a constant to
/// variable "s", subgraph 0 reads it, adds the input and assigns the sum.
fn stateful_model(init_shape: &[i32]) -> Vec<u8> {
    let mut init = GraphBuilder::new();
    let h = var_handle(&mut init, "s");
    let zeros = init.tensor(TensorSpec::new("zeros", F32, init_shape).data_f32(&[0.0; 4]));
    init.operator(OpKind::AssignVariable, &[h, zeros], &[]);

    let mut main = GraphBuilder::new();
    let x = main.tensor(TensorSpec::new("x", F32, &[1, 4]));
    let old = main.tensor(TensorSpec::new("old", F32, &[1, 4]));
    let new = main.tensor(TensorSpec::new("new", F32, &[1, 4]));
    main.operator(OpKind::CallOnce { init_subgraph: 1 }, &[], &[]);
    let h = var_handle(&mut main, "s");
    main.operator(OpKind::ReadVariable, &[h], &[old])
        .operator(
            OpKind::Add {
                activation: Activation::None,
                pot_scale_int16: false,
            },
            &[x, old],
            &[new],
        )
        .operator(OpKind::AssignVariable, &[h, new], &[])
        .inputs(&[x])
        .outputs(&[new]);
    main.into_model().subgraph(init).finish().unwrap()
}

#[test]
fn call_once_init_subgraph_and_variables_are_resolved() {
    let model = load(&stateful_model(&[1, 4])).unwrap();
    assert_eq!(model.state.init_subgraphs, vec![1]);
    let [v] = model.state.variables.as_slice() else {
        panic!("expected one variable, got {:?}", model.state.variables);
    };
    assert_eq!((v.shared_name.as_str(), v.dtype), ("s", F32));
    assert_eq!((v.shape.as_slice(), v.bytes), (&[1usize, 4][..], 16));
    assert_eq!(model.state.variable_of(1, 0).map(|v| v.id), Some(0));
    assert_eq!(model.summary().totals.state_bytes, 16);
}

#[test]
fn a_variable_used_with_two_shapes_is_refused() {
    match load(&stateful_model(&[4])) {
        Err(e @ ModelError::VariableMismatch { .. }) => {
            let text = e.to_string();
            assert!(text.contains("'s'") && text.contains("[4]"), "{text}");
        }
        other => panic!("expected VariableMismatch, got {other:?}"),
    }
}

#[test]
fn dynamic_shape() {
    let bytes = add_model(|t| t[0] = TensorSpec::new("a", F32, &[1, 4]).signature(&[1, -1]));
    match load(&bytes) {
        Err(ModelError::DynamicShape { tensor, signature }) => {
            assert_eq!(tensor.name, "a");
            assert_eq!(signature, vec![1, -1]);
        }
        other => panic!("expected DynamicShape, got {other:?}"),
    }
    // An unknown batch of a static batch-1 shape is what converters write
    // for every Keras model: accepted as batch 1.
    let bytes = add_model(|t| t[0] = TensorSpec::new("a", F32, &[1, 4]).signature(&[-1, 4]));
    load(&bytes).unwrap();
}

#[test]
fn string_tensor() {
    let bytes = add_model(|t| t[2].dtype = ElementType::String);
    match load(&bytes) {
        Err(ModelError::StringTensor { tensor }) => assert_eq!(tensor.name, "out"),
        other => panic!("expected StringTensor, got {other:?}"),
    }
}

#[test]
fn hybrid_model() {
    let mut g = GraphBuilder::new();
    let x = g.tensor(TensorSpec::new("x", F32, &[1, 4]));
    let w = g.tensor(
        TensorSpec::new("w", I8, &[2, 4])
            .scale(0.1, 0)
            .data_i8(&[1; 8]),
    );
    let y = g.tensor(TensorSpec::new("y", F32, &[1, 2]));
    g.operator(
        OpKind::FullyConnected(FullyConnectedOptions {
            activation: Activation::None,
            keep_num_dims: false,
            shuffled_weights: false,
            asymmetric_quantize_inputs: false,
        }),
        &[x, w],
        &[y],
    )
    .inputs(&[x])
    .outputs(&[y]);
    match load(&g.into_model().finish().unwrap()) {
        Err(ModelError::HybridModel {
            layer, op, weights, ..
        }) => {
            assert_eq!(
                (layer, op.as_str(), weights.name.as_str()),
                (0, "FULLY_CONNECTED", "w")
            );
        }
        other => panic!("expected HybridModel, got {other:?}"),
    }
}

#[test]
fn unsupported_operators_are_all_listed_with_their_layers() {
    let mut g = GraphBuilder::new();
    let x = g.tensor(TensorSpec::new("x", F32, &[1, 4]));
    let y = g.tensor(TensorSpec::new("y", F32, &[1, 4]));
    let z = g.tensor(TensorSpec::new("z", F32, &[1, 4]));
    let w = g.tensor(TensorSpec::new("w", F32, &[1, 4]));
    g.operator(
        OpKind::Custom {
            name: "MyFancyOp".into(),
        },
        &[x],
        &[y],
    )
    .operator(add(), &[y, y], &[z])
    .operator(OpKind::Exp, &[z], &[w])
    .inputs(&[x])
    .outputs(&[w]);
    let model = load(&g.into_model().finish().unwrap()).unwrap();
    let err = model.check_supported().unwrap_err();
    match &err {
        ModelError::UnsupportedOps(ops) => {
            let found: Vec<(usize, &str)> = ops.iter().map(|o| (o.layer, o.op.as_str())).collect();
            assert_eq!(found, vec![(0, "MyFancyOp"), (2, "EXP")]);
        }
        other => panic!("expected UnsupportedOps, got {other:?}"),
    }
    let message = err.to_string();
    assert!(message.contains("2 unsupported operator(s)"), "{message}");
    assert!(message.contains("layer 2 EXP"), "{message}");
}

#[test]
fn an_unsupported_type_combination_names_the_layer() {
    // ADD on int32 is outside what autodeploy runs.
    let bytes = add_model(|t| t.iter_mut().for_each(|t| t.dtype = ElementType::Int32));
    let model = load(&bytes).unwrap();
    match model.check_supported() {
        Err(ModelError::UnsupportedOps(ops)) => {
            assert_eq!(ops.len(), 1);
            assert_eq!(ops[0].layer, 0);
            assert!(ops[0].reason.contains("int32"), "{}", ops[0].reason);
        }
        other => panic!("expected UnsupportedOps, got {other:?}"),
    }
}

#[test]
fn bad_options_are_refused() {
    let mut g = GraphBuilder::new();
    let x = g.tensor(TensorSpec::new("x", F32, &[1, 4, 4, 1]));
    let y = g.tensor(TensorSpec::new("y", F32, &[1, 2, 2, 1]));
    g.operator(
        OpKind::MaxPool2d(autodeploy_model::Pool2dOptions {
            padding: autodeploy_model::Padding::Valid,
            stride_w: 0,
            stride_h: 2,
            filter_w: 2,
            filter_h: 2,
            activation: Activation::None,
        }),
        &[x],
        &[y],
    )
    .inputs(&[x])
    .outputs(&[y]);
    match load(&g.into_model().finish().unwrap()) {
        Err(ModelError::BadOptions {
            layer: 0,
            op,
            problem,
        }) => {
            assert_eq!(op, "MAX_POOL_2D");
            assert!(problem.contains("strides"), "{problem}");
        }
        other => panic!("expected BadOptions, got {other:?}"),
    }
}
