//! From the flatbuffer's operator code and options union to [`OpKind`].
//!
//! The options union is checked against the operator code: an operator
//! whose options table is of another kind is an error. Missing options take
//! the format's defaults (as TensorFlow Lite does); `validate` then rejects
//! defaults that make no sense (a stride of 0, say).

use crate::generated::tflite::{self, BuiltinOptionsRef};
use crate::op::*;
use crate::tensor::ElementType;

/// Why an operator's options could not be decoded.
pub(crate) enum DecodeError {
    /// The flatbuffer itself is unreadable here.
    Flatbuffer(planus::Error),
    /// The options union holds a table that belongs to another operator.
    WrongOptions { expected: &'static str },
}

impl From<planus::Error> for DecodeError {
    fn from(e: planus::Error) -> Self {
        DecodeError::Flatbuffer(e)
    }
}

/// Takes the options table `$variant` out of `$options`, or its defaults.
macro_rules! options {
    ($options:expr, $variant:ident) => {
        match $options {
            None => tflite::$variant::default(),
            Some(BuiltinOptionsRef::$variant(r)) => tflite::$variant::try_from(r)?,
            Some(_) => {
                return Err(DecodeError::WrongOptions {
                    expected: stringify!($variant),
                })
            }
        }
    };
}

pub(crate) fn activation(a: tflite::ActivationFunctionType) -> Activation {
    use tflite::ActivationFunctionType as A;
    match a {
        A::None => Activation::None,
        A::Relu => Activation::Relu,
        A::ReluN1To1 => Activation::ReluN1To1,
        A::Relu6 => Activation::Relu6,
        A::Tanh => Activation::Tanh,
        A::SignBit => Activation::SignBit,
    }
}

pub(crate) fn padding(p: tflite::Padding) -> Padding {
    match p {
        tflite::Padding::Same => Padding::Same,
        tflite::Padding::Valid => Padding::Valid,
    }
}

pub(crate) fn element_type(t: tflite::TensorType) -> ElementType {
    use tflite::TensorType as T;
    match t {
        T::Float32 => ElementType::Float32,
        T::Float16 => ElementType::Float16,
        T::Int32 => ElementType::Int32,
        T::Uint8 => ElementType::Uint8,
        T::Int64 => ElementType::Int64,
        T::String => ElementType::String,
        T::Bool => ElementType::Bool,
        T::Int16 => ElementType::Int16,
        T::Complex64 => ElementType::Complex64,
        T::Int8 => ElementType::Int8,
        T::Float64 => ElementType::Float64,
        T::Complex128 => ElementType::Complex128,
        T::Uint64 => ElementType::Uint64,
        T::Resource => ElementType::Resource,
        T::Variant => ElementType::Variant,
        T::Uint32 => ElementType::Uint32,
        T::Uint16 => ElementType::Uint16,
        T::Int4 => ElementType::Int4,
        T::Bfloat16 => ElementType::Bfloat16,
        T::Int2 => ElementType::Int2,
        T::Uint4 => ElementType::Uint4,
        T::Float8E4m3fn => ElementType::Float8E4m3fn,
        T::Float8E5m2 => ElementType::Float8E5m2,
    }
}

/// Decodes builtin operator `code` (version `version`) with its options.
pub(crate) fn decode_builtin(
    code: i32,
    version: i32,
    opts: Option<BuiltinOptionsRef<'_>>,
) -> Result<OpKind, DecodeError> {
    use OpKind as K;
    let kind = match code {
        0 => {
            let o = options!(opts, AddOptions);
            K::Add {
                activation: activation(o.fused_activation_function),
                pot_scale_int16: o.pot_scale_int16,
            }
        }
        1 => K::AveragePool2d(pool(options!(opts, Pool2DOptions))),
        2 => {
            let o = options!(opts, ConcatenationOptions);
            K::Concatenation {
                axis: o.axis,
                activation: activation(o.fused_activation_function),
            }
        }
        3 => {
            let o = options!(opts, Conv2DOptions);
            K::Conv2d(Conv2dOptions {
                padding: padding(o.padding),
                stride_w: o.stride_w,
                stride_h: o.stride_h,
                dilation_w: o.dilation_w_factor,
                dilation_h: o.dilation_h_factor,
                activation: activation(o.fused_activation_function),
            })
        }
        4 => {
            let o = options!(opts, DepthwiseConv2DOptions);
            K::DepthwiseConv2d(DepthwiseConv2dOptions {
                padding: padding(o.padding),
                stride_w: o.stride_w,
                stride_h: o.stride_h,
                dilation_w: o.dilation_w_factor,
                dilation_h: o.dilation_h_factor,
                depth_multiplier: o.depth_multiplier,
                activation: activation(o.fused_activation_function),
            })
        }
        5 => K::DepthToSpace {
            block_size: options!(opts, DepthToSpaceOptions).block_size,
        },
        6 => K::Dequantize,
        8 => K::Floor,
        9 => {
            let o = options!(opts, FullyConnectedOptions);
            K::FullyConnected(FullyConnectedOptions {
                activation: activation(o.fused_activation_function),
                keep_num_dims: o.keep_num_dims,
                shuffled_weights: o.weights_format
                    == tflite::FullyConnectedOptionsWeightsFormat::Shuffled4x16Int8,
                asymmetric_quantize_inputs: o.asymmetric_quantize_inputs,
            })
        }
        11 => K::L2Normalization {
            activation: activation(options!(opts, L2NormOptions).fused_activation_function),
        },
        12 => K::L2Pool2d(pool(options!(opts, Pool2DOptions))),
        14 => K::Logistic,
        17 => K::MaxPool2d(pool(options!(opts, Pool2DOptions))),
        18 => K::Mul {
            activation: activation(options!(opts, MulOptions).fused_activation_function),
        },
        19 => K::Relu,
        20 => K::ReluN1To1,
        21 => K::Relu6,
        22 => K::Reshape {
            new_shape: options!(opts, ReshapeOptions).new_shape,
        },
        23 => {
            let o = options!(opts, ResizeBilinearOptions);
            K::ResizeBilinear {
                align_corners: o.align_corners,
                half_pixel_centers: o.half_pixel_centers,
            }
        }
        25 => K::Softmax {
            beta: options!(opts, SoftmaxOptions).beta,
        },
        26 => K::SpaceToDepth {
            block_size: options!(opts, SpaceToDepthOptions).block_size,
        },
        27 => {
            let o = options!(opts, SvdfOptions);
            K::Svdf {
                rank: o.rank,
                activation: activation(o.fused_activation_function),
            }
        }
        28 => K::Tanh,
        34 => K::Pad,
        36 => {
            let o = options!(opts, GatherOptions);
            K::Gather {
                axis: o.axis,
                batch_dims: o.batch_dims,
            }
        }
        37 => K::BatchToSpaceNd,
        38 => K::SpaceToBatchNd,
        39 => K::Transpose,
        40 => K::Mean {
            keep_dims: options!(opts, ReducerOptions).keep_dims,
        },
        41 => {
            let o = options!(opts, SubOptions);
            K::Sub {
                activation: activation(o.fused_activation_function),
                pot_scale_int16: o.pot_scale_int16,
            }
        }
        42 => K::Div {
            activation: activation(options!(opts, DivOptions).fused_activation_function),
        },
        43 => K::Squeeze {
            dims: options!(opts, SqueezeOptions)
                .squeeze_dims
                .unwrap_or_default(),
        },
        44 => {
            let o = options!(opts, UnidirectionalSequenceLstmOptions);
            K::UnidirectionalSequenceLstm(SequenceLstmOptions {
                activation: activation(o.fused_activation_function),
                cell_clip: o.cell_clip,
                proj_clip: o.proj_clip,
                time_major: o.time_major,
                asymmetric_quantize_inputs: o.asymmetric_quantize_inputs,
                diagonal_recurrent_tensors: o.diagonal_recurrent_tensors,
            })
        }
        45 => {
            let o = options!(opts, StridedSliceOptions);
            K::StridedSlice(StridedSliceOptions {
                begin_mask: o.begin_mask,
                end_mask: o.end_mask,
                ellipsis_mask: o.ellipsis_mask,
                new_axis_mask: o.new_axis_mask,
                shrink_axis_mask: o.shrink_axis_mask,
                offset: o.offset,
            })
        }
        47 => K::Exp,
        49 => K::Split {
            num_splits: options!(opts, SplitOptions).num_splits,
        },
        50 => K::LogSoftmax,
        53 => K::Cast,
        54 => K::Prelu,
        55 => K::Maximum,
        56 => K::ArgMax {
            output_type: element_type(options!(opts, ArgMaxOptions).output_type),
        },
        57 => K::Minimum,
        58 => K::Less,
        59 => K::Neg,
        60 => K::PadV2,
        61 => K::Greater,
        62 => K::GreaterEqual,
        63 => K::LessEqual,
        64 => K::Select,
        65 => K::Slice,
        66 => K::Sin,
        67 => {
            let o = options!(opts, TransposeConvOptions);
            K::TransposeConv(TransposeConvOptions {
                padding: padding(o.padding),
                stride_w: o.stride_w,
                stride_h: o.stride_h,
                activation: activation(o.fused_activation_function),
            })
        }
        69 => K::Tile,
        70 => K::ExpandDims,
        71 => K::Equal,
        72 => K::NotEqual,
        73 => K::Log,
        74 => K::Sum {
            keep_dims: options!(opts, ReducerOptions).keep_dims,
        },
        75 => K::Sqrt,
        76 => K::Rsqrt,
        77 => K::Shape {
            out_type: element_type(options!(opts, ShapeOptions).out_type),
        },
        79 => K::ArgMin {
            output_type: element_type(options!(opts, ArgMinOptions).output_type),
        },
        81 => K::ReduceProd {
            keep_dims: options!(opts, ReducerOptions).keep_dims,
        },
        82 => K::ReduceMax {
            keep_dims: options!(opts, ReducerOptions).keep_dims,
        },
        83 => {
            let o = options!(opts, PackOptions);
            K::Pack {
                values_count: o.values_count,
                axis: o.axis,
            }
        }
        84 => K::LogicalOr,
        86 => K::LogicalAnd,
        87 => K::LogicalNot,
        88 => {
            let o = options!(opts, UnpackOptions);
            K::Unpack {
                num: o.num,
                axis: o.axis,
            }
        }
        89 => K::ReduceMin {
            keep_dims: options!(opts, ReducerOptions).keep_dims,
        },
        90 => K::FloorDiv,
        92 => K::Square,
        93 => K::ZerosLike,
        94 => K::Fill,
        95 => K::FloorMod,
        97 => {
            let o = options!(opts, ResizeNearestNeighborOptions);
            K::ResizeNearestNeighbor {
                align_corners: o.align_corners,
                half_pixel_centers: o.half_pixel_centers,
            }
        }
        98 => K::LeakyRelu {
            alpha: options!(opts, LeakyReluOptions).alpha,
        },
        99 => K::SquaredDifference,
        100 => K::MirrorPad {
            reflect: options!(opts, MirrorPadOptions).mode == tflite::MirrorPadMode::Reflect,
        },
        101 => K::Abs,
        102 => K::SplitV {
            num_splits: options!(opts, SplitVOptions).num_splits,
        },
        104 => K::Ceil,
        107 => K::GatherNd,
        108 => K::Cos,
        111 => K::Elu,
        114 => K::Quantize,
        116 => K::Round,
        117 => K::HardSwish,
        118 => {
            let o = options!(opts, IfOptions);
            K::If {
                then_subgraph: o.then_subgraph_index,
                else_subgraph: o.else_subgraph_index,
            }
        }
        119 => {
            let o = options!(opts, WhileOptions);
            K::While {
                cond_subgraph: o.cond_subgraph_index,
                body_subgraph: o.body_subgraph_index,
            }
        }
        123 => K::SelectV2,
        126 => {
            let o = options!(opts, BatchMatMulOptions);
            K::BatchMatMul {
                adj_x: o.adj_x,
                adj_y: o.adj_y,
            }
        }
        128 => {
            let o = options!(opts, CumsumOptions);
            K::Cumsum {
                exclusive: o.exclusive,
                reverse: o.reverse,
            }
        }
        129 => K::CallOnce {
            init_subgraph: options!(opts, CallOnceOptions).init_subgraph_index,
        },
        130 => K::BroadcastTo,
        142 => {
            let o = options!(opts, VarHandleOptions);
            K::VarHandle {
                container: o.container.unwrap_or_default(),
                shared_name: o.shared_name.unwrap_or_default(),
            }
        }
        143 => K::ReadVariable,
        144 => K::AssignVariable,
        150 => K::Gelu {
            approximate: options!(opts, GeluOptions).approximate,
        },
        152 => K::Relu0To1,
        _ => K::Unsupported {
            code,
            name: crate::generated::builtin_operator_name(code)
                .map(str::to_string)
                .unwrap_or_else(|| format!("BUILTIN_{code}")),
            version,
        },
    };
    Ok(kind)
}

fn pool(o: tflite::Pool2DOptions) -> Pool2dOptions {
    Pool2dOptions {
        padding: padding(o.padding),
        stride_w: o.stride_w,
        stride_h: o.stride_h,
        filter_w: o.filter_width,
        filter_h: o.filter_height,
        activation: activation(o.fused_activation_function),
    }
}
