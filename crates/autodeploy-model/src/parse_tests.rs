//! Models crafted field by field, for errors the builder cannot produce.

use super::parse;
use crate::builder::with_identifier;
use crate::error::ModelError;
use crate::generated::tflite;
use crate::op::OpKind;

fn tensor(name: &str, buffer: u32) -> tflite::Tensor {
    tflite::Tensor {
        shape: Some(vec![1, 4]),
        type_: tflite::TensorType::Float32,
        buffer,
        name: Some(name.into()),
        ..Default::default()
    }
}

fn opcode(deprecated: i8, builtin: i32) -> tflite::OperatorCode {
    tflite::OperatorCode {
        deprecated_builtin_code: deprecated,
        builtin_code: builtin,
        version: 1,
        custom_code: None,
    }
}

/// One subgraph: tensors `t0` (input) and `t1` (output), one operator.
fn craft(
    opcodes: Vec<tflite::OperatorCode>,
    operator: tflite::Operator,
    buffers: Vec<tflite::Buffer>,
    tensors: Vec<tflite::Tensor>,
) -> Vec<u8> {
    let model = tflite::Model {
        version: 3,
        operator_codes: Some(opcodes),
        subgraphs: Some(vec![tflite::SubGraph {
            tensors: Some(tensors),
            inputs: Some(vec![0]),
            outputs: Some(vec![1]),
            operators: Some(vec![operator]),
            ..Default::default()
        }]),
        buffers: Some(buffers),
        ..Default::default()
    };
    let mut builder = planus::Builder::new();
    with_identifier(builder.finish(&model, None))
}

fn operator(opcode_index: u32, options: Option<tflite::BuiltinOptions>) -> tflite::Operator {
    tflite::Operator {
        opcode_index,
        inputs: Some(vec![0]),
        outputs: Some(vec![1]),
        builtin_options: options,
        ..Default::default()
    }
}

fn plain(opcodes: Vec<tflite::OperatorCode>) -> Vec<u8> {
    craft(
        opcodes,
        operator(0, None),
        vec![tflite::Buffer::default()],
        vec![tensor("t0", 0), tensor("t1", 0)],
    )
}

#[test]
fn deprecated_builtin_code_alone_names_the_operator() {
    // Old files only set the byte: 14 is LOGISTIC.
    let model = parse(&plain(vec![opcode(14, 0)])).unwrap();
    assert_eq!(model.subgraphs[0].operators[0].kind, OpKind::Logistic);
}

#[test]
fn new_builtin_code_wins_over_the_saturated_byte() {
    // Codes above 127 store 127 in the byte: 142 is VAR_HANDLE.
    let model = parse(&plain(vec![opcode(127, 142)])).unwrap();
    assert!(matches!(
        model.subgraphs[0].operators[0].kind,
        OpKind::VarHandle { .. }
    ));
}

#[test]
fn operator_codes_newer_than_the_schema_are_unsupported_not_corrupt() {
    let model = parse(&plain(vec![opcode(127, 4000)])).unwrap();
    match &model.subgraphs[0].operators[0].kind {
        OpKind::Unsupported {
            code,
            name,
            version,
        } => {
            assert_eq!((*code, name.as_str(), *version), (4000, "BUILTIN_4000", 1));
        }
        other => panic!("expected Unsupported, got {other:?}"),
    }
}

#[test]
fn opcode_index_out_of_range() {
    let bytes = craft(
        vec![opcode(14, 14)],
        operator(3, None),
        vec![tflite::Buffer::default()],
        vec![tensor("t0", 0), tensor("t1", 0)],
    );
    assert!(matches!(
        parse(&bytes),
        Err(ModelError::OpcodeIndexOutOfRange {
            layer: 0,
            index: 3,
            count: 1
        })
    ));
}

#[test]
fn buffer_index_out_of_range() {
    let bytes = craft(
        vec![opcode(14, 14)],
        operator(0, None),
        vec![tflite::Buffer::default()],
        vec![tensor("t0", 0), tensor("t1", 9)],
    );
    match parse(&bytes) {
        Err(ModelError::BufferIndexOutOfRange {
            tensor,
            index,
            count,
        }) => {
            assert_eq!((tensor.name.as_str(), index, count), ("t1", 9, 1));
        }
        other => panic!("expected BufferIndexOutOfRange, got {other:?}"),
    }
}

#[test]
fn buffer_data_outside_the_file() {
    let outside = tflite::Buffer {
        data: None,
        offset: 1 << 20,
        size: 16,
    };
    let bytes = craft(
        vec![opcode(14, 14)],
        operator(0, None),
        vec![tflite::Buffer::default(), outside],
        vec![tensor("t0", 0), tensor("t1", 1)],
    );
    match parse(&bytes) {
        Err(ModelError::BufferOutOfFile {
            buffer,
            offset,
            end,
            ..
        }) => {
            assert_eq!((buffer, offset, end), (1, 1 << 20, (1 << 20) + 16));
        }
        other => panic!("expected BufferOutOfFile, got {other:?}"),
    }
}

#[test]
fn options_of_another_operator_are_refused() {
    let conv_options = tflite::BuiltinOptions::Conv2DOptions(Box::default());
    let bytes = craft(
        vec![opcode(0, 0)],
        operator(0, Some(conv_options)),
        vec![tflite::Buffer::default()],
        vec![tensor("t0", 0), tensor("t1", 0)],
    );
    match parse(&bytes) {
        Err(ModelError::BadOptions {
            layer: 0,
            op,
            problem,
        }) => {
            assert_eq!(op, "ADD");
            assert!(problem.contains("AddOptions"), "{problem}");
        }
        other => panic!("expected BadOptions, got {other:?}"),
    }
}

/// Byte position of field `field` of the root table's offset slot.
fn root_field_position(bytes: &[u8], field: usize) -> usize {
    let u32_at = |p: usize| u32::from_le_bytes(bytes[p..p + 4].try_into().unwrap());
    let root = u32_at(0) as usize;
    let vtable = (root as i64 - i64::from(u32_at(root) as i32)) as usize;
    let slot = vtable + 4 + 2 * field;
    let offset = u16::from_le_bytes([bytes[slot], bytes[slot + 1]]) as usize;
    assert_ne!(offset, 0, "field {field} is absent");
    root + offset
}

#[test]
fn an_offset_far_outside_the_file_is_corrupt_not_truncated() {
    let mut bytes = plain(vec![opcode(14, 14)]);
    // Field 2 of Model is the subgraph list.
    let at = root_field_position(&bytes, 2);
    bytes[at..at + 4].copy_from_slice(&0x4000_0000u32.to_le_bytes());
    match parse(&bytes) {
        Err(ModelError::Corrupt { what, problem }) => {
            assert_eq!(what, "the subgraph list");
            assert!(problem.contains("outside the file"), "{problem}");
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

#[test]
fn no_subgraph() {
    let model = tflite::Model {
        version: 3,
        ..Default::default()
    };
    let mut builder = planus::Builder::new();
    let bytes = with_identifier(builder.finish(&model, None));
    assert!(matches!(parse(&bytes), Err(ModelError::NoSubgraph)));
}
