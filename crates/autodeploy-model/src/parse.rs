//! From .tflite bytes to an owned [`Model`], checking every offset, index
//! and size on the way. Nothing here panics or loops on bad input: every
//! read is bounds-checked by planus, and every loop runs over a vector whose
//! length planus has checked against the file size.

use crate::decode::{decode_builtin, element_type, DecodeError};
use crate::error::{ModelError, TensorLabel};
use crate::generated::tflite;
use crate::graph::{Graph, Metadata, Model, SignatureDef, TensorMap};
use crate::op::{OpKind, Operator};
use crate::quant::Quantization;
use crate::tensor::Tensor;

/// No tensor on a microcontroller comes close to this; larger shapes are
/// corrupt, and refusing them keeps every size computation in range.
const MAX_TENSOR_BYTES: usize = 1 << 31;

const CUSTOM_CODE: i32 = 32;
const IDENTIFIER: &[u8; 4] = b"TFL3";

pub(crate) fn parse(bytes: &[u8]) -> Result<Model, ModelError> {
    check_header(bytes)?;
    match read_model(bytes) {
        Err(ModelError::Truncated { what, file_len })
            if !reads_further_when_longer(bytes, &what) =>
        {
            Err(ModelError::Corrupt {
                what,
                problem: format!("offset or length points outside the file ({file_len} bytes)"),
            })
        }
        other => other,
    }
}

fn check_header(bytes: &[u8]) -> Result<(), ModelError> {
    if bytes.is_empty() {
        return Err(ModelError::Empty);
    }
    if bytes.len() < 8 {
        return Err(ModelError::NotFlatbuffer {
            reason: format!("only {} bytes, a flatbuffer has at least 8", bytes.len()),
        });
    }
    let root = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
    let identifier = &bytes[4..8];
    if identifier != IDENTIFIER {
        // A flatbuffer of another schema has a plausible root offset and a
        // printable identifier; anything else is not a flatbuffer at all.
        let plausible = root >= 8 && root < bytes.len() && root % 4 == 0;
        if plausible && identifier.iter().all(|b| b.is_ascii_graphic()) {
            return Err(ModelError::WrongIdentifier {
                found: String::from_utf8_lossy(identifier).into_owned(),
            });
        }
        return Err(ModelError::NotFlatbuffer {
            reason: format!(
                "no \"TFL3\" identifier at bytes 4..8 (found {})",
                escape(identifier)
            ),
        });
    }
    if root >= bytes.len() {
        return Err(ModelError::Truncated {
            what: format!("the root table (at byte {root})"),
            file_len: bytes.len(),
        });
    }
    Ok(())
}

fn escape(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a read that failed past the end of the file would get further if
/// the file were longer: then the file was cut short, rather than holding a
/// corrupt offset. Only called on the error path.
fn reads_further_when_longer(bytes: &[u8], failed_at: &str) -> bool {
    // Long enough to cover the offsets of any model a microcontroller runs,
    // even when the file was cut short very early.
    let padded_len = bytes.len().saturating_mul(8).max(4 << 20);
    let mut longer = vec![0u8; padded_len];
    longer[..bytes.len()].copy_from_slice(bytes);
    // Still out of range at the same place: the offset itself is bad. Any
    // other outcome means the read reached the added bytes.
    !matches!(read_model(&longer), Err(ModelError::Truncated { what, .. }) if what == failed_at)
}

/// Attaches "where" to a planus error. Offsets and lengths out of range are
/// reported as truncation first; [`parse`] reclassifies them if padding the
/// file does not help.
fn fb<T>(
    result: planus::Result<T>,
    what: impl FnOnce() -> String,
    len: usize,
) -> Result<T, ModelError> {
    result.map_err(|e| flatbuffer_error(e, what(), len))
}

fn flatbuffer_error(e: planus::Error, what: String, len: usize) -> ModelError {
    use planus::errors::ErrorKind as K;
    match e.error_kind {
        K::InvalidOffset | K::InvalidLength => ModelError::Truncated {
            what,
            file_len: len,
        },
        K::UnknownEnumTag { source } => ModelError::Corrupt {
            what,
            problem: format!(
                "unknown enum value {:?} in {}",
                source.tag, e.source_location.method
            ),
        },
        K::UnknownUnionTag { tag } => ModelError::Corrupt {
            what,
            problem: format!("unknown options type {tag} in {}", e.source_location.method),
        },
        other => ModelError::Corrupt {
            what,
            problem: format!(
                "{other} in {}.{}",
                e.source_location.type_, e.source_location.method
            ),
        },
    }
}

fn read_model(bytes: &[u8]) -> Result<Model, ModelError> {
    use planus::ReadAsRoot;
    let len = bytes.len();
    let root = fb(
        tflite::ModelRef::read_as_root(bytes),
        || "the model table".into(),
        len,
    )?;
    let version = fb(root.version(), || "the model version".into(), len)?;
    let description =
        fb(root.description(), || "the model description".into(), len)?.map(str::to_string);

    let opcodes = read_operator_codes(&root, len)?;
    let buffers = read_buffers(&root, bytes)?;

    let subgraph_refs = fb(root.subgraphs(), || "the subgraph list".into(), len)?;
    let Some(subgraph_refs) = subgraph_refs.filter(|s| !s.is_empty()) else {
        return Err(ModelError::NoSubgraph);
    };
    let mut subgraphs = Vec::with_capacity(subgraph_refs.len());
    for (s, sg) in subgraph_refs.iter().enumerate() {
        let sg = fb(sg, || format!("subgraph {s}"), len)?;
        subgraphs.push(read_subgraph(s, &sg, &opcodes, &buffers, len)?);
    }

    let signatures = read_signatures(&root, len)?;
    let metadata = read_metadata(&root, &buffers, len)?;
    Ok(Model {
        version,
        description,
        subgraphs,
        signatures,
        metadata,
        state: Default::default(),
    })
}

/// An entry of the operator-code table, resolved.
struct OpCode {
    code: i32,
    custom: Option<String>,
    version: i32,
}

fn read_operator_codes(root: &tflite::ModelRef<'_>, len: usize) -> Result<Vec<OpCode>, ModelError> {
    let Some(codes) = fb(
        root.operator_codes(),
        || "the operator code table".into(),
        len,
    )?
    else {
        return Ok(Vec::new());
    };
    let mut out = Vec::with_capacity(codes.len());
    for (i, code) in codes.iter().enumerate() {
        let what = || format!("operator code {i}");
        let code = fb(code, what, len)?;
        // Files written before codes outgrew a byte only set the deprecated
        // field; newer files set both (the byte saturated at 127). The
        // larger of the two is the operator.
        let deprecated = i32::from(fb(code.deprecated_builtin_code(), what, len)?);
        let builtin = fb(code.builtin_code(), what, len)?;
        let custom = fb(code.custom_code(), what, len)?.map(str::to_string);
        let version = fb(code.version(), what, len)?;
        out.push(OpCode {
            code: deprecated.max(builtin),
            custom,
            version,
        });
    }
    Ok(out)
}

/// Buffer contents, resolved against the file for buffers stored by offset.
fn read_buffers(
    root: &tflite::ModelRef<'_>,
    bytes: &[u8],
) -> Result<Vec<Option<Vec<u8>>>, ModelError> {
    let len = bytes.len();
    let Some(buffers) = fb(root.buffers(), || "the buffer table".into(), len)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::with_capacity(buffers.len());
    for (i, buffer) in buffers.iter().enumerate() {
        let what = || format!("buffer {i}");
        let buffer = fb(buffer, what, len)?;
        let data = fb(buffer.data(), what, len)?;
        let offset = fb(buffer.offset(), what, len)?;
        let size = fb(buffer.size(), what, len)?;
        let contents = match data {
            Some(d) if !d.is_empty() => Some(d.to_vec()),
            // Offsets of 0 and 1 are the format's "not stored outside" markers.
            _ if offset > 1 && size > 0 => {
                let end = offset.checked_add(size).filter(|&e| e <= len as u64);
                let Some(end) = end else {
                    return Err(ModelError::BufferOutOfFile {
                        buffer: i,
                        offset,
                        end: offset.saturating_add(size),
                        file_len: len,
                    });
                };
                Some(bytes[offset as usize..end as usize].to_vec())
            }
            _ => None,
        };
        out.push(contents);
    }
    Ok(out)
}

fn read_subgraph(
    s: usize,
    sg: &tflite::SubGraphRef<'_>,
    opcodes: &[OpCode],
    buffers: &[Option<Vec<u8>>],
    len: usize,
) -> Result<Graph, ModelError> {
    let name = fb(sg.name(), || format!("subgraph {s} name"), len)?.map(str::to_string);
    let mut tensors = Vec::new();
    if let Some(refs) = fb(sg.tensors(), || format!("subgraph {s} tensor list"), len)? {
        tensors.reserve(refs.len());
        for (t, tensor) in refs.iter().enumerate() {
            let tensor = fb(tensor, || format!("tensor {t} of subgraph {s}"), len)?;
            tensors.push(read_tensor(t, &tensor, buffers, len)?);
        }
    }
    let count = tensors.len();
    let index_list = |list: planus::Result<Option<planus::Vector<'_, i32>>>, what: &str| {
        let list = fb(list, || format!("subgraph {s} {what}"), len)?;
        list.map(|v| v.iter().collect::<Vec<i32>>())
            .unwrap_or_default()
            .into_iter()
            .map(|i| tensor_index(i, count, || format!("subgraph {s} {what}")))
            .collect::<Result<Vec<usize>, ModelError>>()
    };
    let inputs = index_list(sg.inputs(), "inputs")?;
    let outputs = index_list(sg.outputs(), "outputs")?;

    let mut operators = Vec::new();
    if let Some(refs) = fb(
        sg.operators(),
        || format!("subgraph {s} operator list"),
        len,
    )? {
        operators.reserve(refs.len());
        for (layer, op) in refs.iter().enumerate() {
            let op = fb(op, || format!("layer {layer}"), len)?;
            operators.push(read_operator(layer, &op, opcodes, count, len)?);
        }
    }
    Ok(Graph {
        name,
        tensors,
        operators,
        inputs,
        outputs,
    })
}

fn tensor_index(i: i32, count: usize, what: impl FnOnce() -> String) -> Result<usize, ModelError> {
    usize::try_from(i)
        .ok()
        .filter(|&i| i < count)
        .ok_or_else(|| ModelError::TensorIndexOutOfRange {
            what: what(),
            index: i64::from(i),
            count,
        })
}

fn read_tensor(
    index: usize,
    t: &tflite::TensorRef<'_>,
    buffers: &[Option<Vec<u8>>],
    len: usize,
) -> Result<Tensor, ModelError> {
    let what = || format!("tensor {index}");
    let name = fb(t.name(), what, len)?.unwrap_or("").to_string();
    let label = || TensorLabel {
        index,
        name: name.clone(),
    };
    let what = || format!("tensor {}", label());
    let dtype = element_type(fb(t.type_(), what, len)?);
    let raw_shape: Vec<i32> = fb(t.shape(), what, len)?
        .map(|v| v.iter().collect())
        .unwrap_or_default();
    let mut shape = Vec::with_capacity(raw_shape.len());
    for (axis, &d) in raw_shape.iter().enumerate() {
        let d = usize::try_from(d).map_err(|_| ModelError::NegativeDimension {
            tensor: label(),
            axis,
            value: d,
        })?;
        shape.push(d);
    }
    let elements = shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d));
    let bytes = elements.and_then(|n| dtype.bytes_for(n).or(Some(0)));
    if bytes.is_none_or(|b| b > MAX_TENSOR_BYTES) {
        return Err(ModelError::ShapeOverflow {
            tensor: label(),
            shape: raw_shape,
        });
    }
    let shape_signature = fb(t.shape_signature(), what, len)?.map(|v| v.iter().collect());
    let quant = read_quantization(t, &label, &shape, len)?;

    let buffer = fb(t.buffer(), what, len)?;
    let data = match buffers.get(buffer as usize) {
        Some(d) => d.clone(),
        // Buffer 0 is the format's empty sentinel; a model without a buffer
        // table may still use it.
        None if buffer == 0 => None,
        None => {
            return Err(ModelError::BufferIndexOutOfRange {
                tensor: label(),
                index: buffer,
                count: buffers.len(),
            })
        }
    };
    if let (Some(d), Some(expected)) = (&data, dtype.bytes_for(elements.unwrap_or(0))) {
        if d.len() != expected {
            return Err(ModelError::DataSizeMismatch {
                tensor: label(),
                dtype: dtype.to_string(),
                shape,
                expected,
                actual: d.len(),
            });
        }
    }
    let is_variable = fb(t.is_variable(), what, len)?;
    Ok(Tensor {
        index,
        name: name.clone(),
        dtype,
        shape,
        shape_signature,
        quant,
        data,
        is_variable,
    })
}

fn read_quantization(
    t: &tflite::TensorRef<'_>,
    label: &dyn Fn() -> TensorLabel,
    shape: &[usize],
    len: usize,
) -> Result<Option<Quantization>, ModelError> {
    let what = || format!("quantization of tensor {}", label());
    let Some(q) = fb(t.quantization(), what, len)? else {
        return Ok(None);
    };
    let scale: Vec<f32> = fb(q.scale(), what, len)?
        .map(|v| v.iter().collect())
        .unwrap_or_default();
    let zero_point: Vec<i64> = fb(q.zero_point(), what, len)?
        .map(|v| v.iter().collect())
        .unwrap_or_default();
    let axis = fb(q.quantized_dimension(), what, len)?;
    if scale.is_empty() && zero_point.is_empty() {
        // Only min/max or custom details: not affine quantization.
        return Ok(None);
    }
    let bad = || ModelError::BadQuantization {
        tensor: label(),
        scales: scale.len(),
        zero_points: zero_point.len(),
        axis,
    };
    let axis_index = usize::try_from(axis).map_err(|_| bad())?;
    let per_channel_ok = shape.get(axis_index).is_some_and(|&n| n == scale.len());
    if scale.len() != zero_point.len() || (scale.len() > 1 && !per_channel_ok) {
        return Err(bad());
    }
    Ok(Some(Quantization {
        scale,
        zero_point,
        axis: axis_index,
    }))
}

fn read_operator(
    layer: usize,
    op: &tflite::OperatorRef<'_>,
    opcodes: &[OpCode],
    tensor_count: usize,
    len: usize,
) -> Result<Operator, ModelError> {
    let what = || format!("layer {layer}");
    let opcode_index = fb(op.opcode_index(), what, len)?;
    let opcode = opcodes
        .get(opcode_index as usize)
        .ok_or(ModelError::OpcodeIndexOutOfRange {
            layer,
            index: opcode_index,
            count: opcodes.len(),
        })?;
    let kind = if opcode.code == CUSTOM_CODE {
        OpKind::Custom {
            name: opcode.custom.clone().unwrap_or_else(|| "CUSTOM".into()),
        }
    } else {
        let options = fb(op.builtin_options(), what, len)?;
        match decode_builtin(opcode.code, opcode.version, options) {
            Ok(kind) => kind,
            Err(DecodeError::Flatbuffer(e)) => return Err(flatbuffer_error(e, what(), len)),
            Err(DecodeError::WrongOptions { expected }) => {
                let name =
                    crate::generated::builtin_operator_name(opcode.code).unwrap_or("UNKNOWN");
                return Err(ModelError::BadOptions {
                    layer,
                    op: name.to_string(),
                    problem: format!("its options table is not {expected}"),
                });
            }
        }
    };
    let op_name = kind.name().to_string();
    let list = |v: planus::Result<Option<planus::Vector<'_, i32>>>, role: &str| {
        fb(v, || format!("layer {layer} {op_name} {role}"), len).map(|v| {
            v.map(|v| v.iter().collect::<Vec<i32>>())
                .unwrap_or_default()
        })
    };
    let mut inputs = Vec::new();
    for (slot, i) in list(op.inputs(), "inputs")?.into_iter().enumerate() {
        inputs.push(if i == -1 {
            None
        } else {
            Some(tensor_index(i, tensor_count, || {
                format!("layer {layer} {op_name} input {slot}")
            })?)
        });
    }
    let indices = |v: Vec<i32>, role: &str| {
        v.into_iter()
            .enumerate()
            .map(|(slot, i)| {
                tensor_index(i, tensor_count, || {
                    format!("layer {layer} {op_name} {role} {slot}")
                })
            })
            .collect::<Result<Vec<usize>, ModelError>>()
    };
    let outputs = indices(list(op.outputs(), "outputs")?, "output")?;
    let intermediates = indices(list(op.intermediates(), "intermediates")?, "intermediate")?;
    Ok(Operator {
        index: layer,
        kind,
        version: opcode.version,
        inputs,
        outputs,
        intermediates,
    })
}

fn read_signatures(
    root: &tflite::ModelRef<'_>,
    len: usize,
) -> Result<Vec<SignatureDef>, ModelError> {
    let Some(defs) = fb(root.signature_defs(), || "the signature list".into(), len)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::with_capacity(defs.len());
    for (i, def) in defs.iter().enumerate() {
        let what = || format!("signature {i}");
        let def = fb(def, what, len)?;
        let maps = |v: planus::Result<
            Option<planus::Vector<'_, planus::Result<tflite::TensorMapRef<'_>>>>,
        >| {
            let mut maps = Vec::new();
            for m in fb(v, what, len)?.iter().flat_map(|v| v.iter()) {
                let m = fb(m, what, len)?;
                maps.push(TensorMap {
                    name: fb(m.name(), what, len)?.unwrap_or("").to_string(),
                    tensor: fb(m.tensor_index(), what, len)? as usize,
                });
            }
            Ok::<_, ModelError>(maps)
        };
        out.push(SignatureDef {
            key: fb(def.signature_key(), what, len)?
                .unwrap_or("")
                .to_string(),
            subgraph: fb(def.subgraph_index(), what, len)? as usize,
            inputs: maps(def.inputs())?,
            outputs: maps(def.outputs())?,
        });
    }
    Ok(out)
}

fn read_metadata(
    root: &tflite::ModelRef<'_>,
    buffers: &[Option<Vec<u8>>],
    len: usize,
) -> Result<Vec<Metadata>, ModelError> {
    let Some(entries) = fb(root.metadata(), || "the metadata list".into(), len)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let what = || format!("metadata entry {i}");
        let entry = fb(entry, what, len)?;
        let buffer = fb(entry.buffer(), what, len)? as usize;
        out.push(Metadata {
            name: fb(entry.name(), what, len)?.unwrap_or("").to_string(),
            data: buffers.get(buffer).cloned().flatten().unwrap_or_default(),
        });
    }
    Ok(out)
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;
