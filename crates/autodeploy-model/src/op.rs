//! Operators: a typed enum with the decoded options of each operator that
//! autodeploy knows, and an explicit `Unsupported` for the rest.

use serde::Serialize;

use crate::generated::builtin_operator_name;
use crate::tensor::ElementType;

/// How a convolution or pooling window treats the border.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Padding {
    /// Zero-pad so that output size = ceil(input / stride).
    Same,
    /// No padding: output size = ceil((input - window + 1) / stride).
    Valid,
}

/// An activation fused into the end of an operator (clamps its output).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    None,
    Relu,
    ReluN1To1,
    Relu6,
    Tanh,
    SignBit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Conv2dOptions {
    pub padding: Padding,
    pub stride_w: i32,
    pub stride_h: i32,
    pub dilation_w: i32,
    pub dilation_h: i32,
    pub activation: Activation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DepthwiseConv2dOptions {
    pub padding: Padding,
    pub stride_w: i32,
    pub stride_h: i32,
    pub dilation_w: i32,
    pub dilation_h: i32,
    pub depth_multiplier: i32,
    pub activation: Activation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TransposeConvOptions {
    pub padding: Padding,
    pub stride_w: i32,
    pub stride_h: i32,
    pub activation: Activation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Pool2dOptions {
    pub padding: Padding,
    pub stride_w: i32,
    pub stride_h: i32,
    pub filter_w: i32,
    pub filter_h: i32,
    pub activation: Activation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FullyConnectedOptions {
    pub activation: Activation,
    /// Keep the input's leading dimensions instead of flattening to 2-D.
    pub keep_num_dims: bool,
    /// Weights in the shuffled 4x16 int8 layout (not supported by micro kernels).
    pub shuffled_weights: bool,
    pub asymmetric_quantize_inputs: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StridedSliceOptions {
    pub begin_mask: i32,
    pub end_mask: i32,
    pub ellipsis_mask: i32,
    pub new_axis_mask: i32,
    pub shrink_axis_mask: i32,
    /// `end` is an offset from `begin` rather than an index.
    pub offset: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SequenceLstmOptions {
    pub activation: Activation,
    pub cell_clip: f32,
    pub proj_clip: f32,
    pub time_major: bool,
    pub asymmetric_quantize_inputs: bool,
    pub diagonal_recurrent_tensors: bool,
}

/// What an operator computes, with its decoded options.
///
/// Variants are named after the TensorFlow Lite builtin operators;
/// [`OpKind::name`] gives the TensorFlow Lite spelling.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum OpKind {
    // Element-wise binary arithmetic (with broadcasting).
    Add {
        activation: Activation,
        pot_scale_int16: bool,
    },
    Sub {
        activation: Activation,
        pot_scale_int16: bool,
    },
    Mul {
        activation: Activation,
    },
    Div {
        activation: Activation,
    },
    SquaredDifference,
    Maximum,
    Minimum,
    FloorDiv,
    FloorMod,

    // Convolution, pooling and dense layers.
    Conv2d(Conv2dOptions),
    DepthwiseConv2d(DepthwiseConv2dOptions),
    TransposeConv(TransposeConvOptions),
    AveragePool2d(Pool2dOptions),
    MaxPool2d(Pool2dOptions),
    L2Pool2d(Pool2dOptions),
    FullyConnected(FullyConnectedOptions),
    BatchMatMul {
        adj_x: bool,
        adj_y: bool,
    },

    // Activations and normalisation.
    Softmax {
        beta: f32,
    },
    LogSoftmax,
    Logistic,
    Tanh,
    Relu,
    Relu6,
    ReluN1To1,
    Relu0To1,
    LeakyRelu {
        alpha: f32,
    },
    HardSwish,
    Prelu,
    Elu,
    Gelu {
        approximate: bool,
    },
    L2Normalization {
        activation: Activation,
    },

    // Quantization.
    Quantize,
    Dequantize,

    // Shape and data movement.
    Reshape {
        /// The target shape from the options; the second input wins if present.
        new_shape: Option<Vec<i32>>,
    },
    Squeeze {
        dims: Vec<i32>,
    },
    ExpandDims,
    Concatenation {
        axis: i32,
        activation: Activation,
    },
    Pack {
        values_count: i32,
        axis: i32,
    },
    Unpack {
        num: i32,
        axis: i32,
    },
    Split {
        num_splits: i32,
    },
    SplitV {
        num_splits: i32,
    },
    StridedSlice(StridedSliceOptions),
    Slice,
    Transpose,
    Pad,
    PadV2,
    MirrorPad {
        /// `true` for REFLECT, `false` for SYMMETRIC.
        reflect: bool,
    },
    Gather {
        axis: i32,
        batch_dims: i32,
    },
    GatherNd,
    Tile,
    BroadcastTo,
    SpaceToDepth {
        block_size: i32,
    },
    DepthToSpace {
        block_size: i32,
    },
    SpaceToBatchNd,
    BatchToSpaceNd,
    ResizeBilinear {
        align_corners: bool,
        half_pixel_centers: bool,
    },
    ResizeNearestNeighbor {
        align_corners: bool,
        half_pixel_centers: bool,
    },
    Shape {
        out_type: ElementType,
    },
    Cast,
    ZerosLike,
    Fill,

    // Reductions.
    Mean {
        keep_dims: bool,
    },
    Sum {
        keep_dims: bool,
    },
    ReduceMax {
        keep_dims: bool,
    },
    ReduceMin {
        keep_dims: bool,
    },
    ReduceProd {
        keep_dims: bool,
    },
    ArgMax {
        output_type: ElementType,
    },
    ArgMin {
        output_type: ElementType,
    },
    Cumsum {
        exclusive: bool,
        reverse: bool,
    },

    // Element-wise unary math.
    Abs,
    Neg,
    Exp,
    Log,
    Sqrt,
    Rsqrt,
    Square,
    Sin,
    Cos,
    Floor,
    Ceil,
    Round,

    // Comparison and logic.
    Equal,
    NotEqual,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
    LogicalAnd,
    LogicalOr,
    LogicalNot,
    Select,
    SelectV2,

    // Recurrent layers.
    UnidirectionalSequenceLstm(SequenceLstmOptions),
    Svdf {
        rank: i32,
        activation: Activation,
    },

    // Control flow and resource variables.
    CallOnce {
        init_subgraph: i32,
    },
    VarHandle {
        container: String,
        shared_name: String,
    },
    ReadVariable,
    AssignVariable,
    While {
        cond_subgraph: i32,
        body_subgraph: i32,
    },
    If {
        then_subgraph: i32,
        else_subgraph: i32,
    },

    /// A custom operator, named by its custom code.
    Custom {
        name: String,
    },
    /// A builtin operator this crate does not decode.
    Unsupported {
        code: i32,
        name: String,
        version: i32,
    },
}

impl OpKind {
    /// The builtin operator code (`None` for custom operators).
    pub fn code(&self) -> Option<i32> {
        use OpKind::*;
        Some(match self {
            Add { .. } => 0,
            AveragePool2d(_) => 1,
            Concatenation { .. } => 2,
            Conv2d(_) => 3,
            DepthwiseConv2d(_) => 4,
            DepthToSpace { .. } => 5,
            Dequantize => 6,
            Floor => 8,
            FullyConnected(_) => 9,
            L2Normalization { .. } => 11,
            L2Pool2d(_) => 12,
            Logistic => 14,
            MaxPool2d(_) => 17,
            Mul { .. } => 18,
            Relu => 19,
            ReluN1To1 => 20,
            Relu6 => 21,
            Reshape { .. } => 22,
            ResizeBilinear { .. } => 23,
            Softmax { .. } => 25,
            SpaceToDepth { .. } => 26,
            Svdf { .. } => 27,
            Tanh => 28,
            Pad => 34,
            Gather { .. } => 36,
            BatchToSpaceNd => 37,
            SpaceToBatchNd => 38,
            Transpose => 39,
            Mean { .. } => 40,
            Sub { .. } => 41,
            Div { .. } => 42,
            Squeeze { .. } => 43,
            UnidirectionalSequenceLstm(_) => 44,
            StridedSlice(_) => 45,
            Exp => 47,
            Split { .. } => 49,
            LogSoftmax => 50,
            Cast => 53,
            Prelu => 54,
            Maximum => 55,
            ArgMax { .. } => 56,
            Minimum => 57,
            Less => 58,
            Neg => 59,
            PadV2 => 60,
            Greater => 61,
            GreaterEqual => 62,
            LessEqual => 63,
            Select => 64,
            Slice => 65,
            Sin => 66,
            TransposeConv(_) => 67,
            Tile => 69,
            ExpandDims => 70,
            Equal => 71,
            NotEqual => 72,
            Log => 73,
            Sum { .. } => 74,
            Sqrt => 75,
            Rsqrt => 76,
            Shape { .. } => 77,
            ArgMin { .. } => 79,
            ReduceProd { .. } => 81,
            ReduceMax { .. } => 82,
            Pack { .. } => 83,
            LogicalOr => 84,
            LogicalAnd => 86,
            LogicalNot => 87,
            Unpack { .. } => 88,
            ReduceMin { .. } => 89,
            FloorDiv => 90,
            Square => 92,
            ZerosLike => 93,
            Fill => 94,
            FloorMod => 95,
            ResizeNearestNeighbor { .. } => 97,
            LeakyRelu { .. } => 98,
            SquaredDifference => 99,
            MirrorPad { .. } => 100,
            Abs => 101,
            SplitV { .. } => 102,
            Ceil => 104,
            GatherNd => 107,
            Cos => 108,
            Elu => 111,
            Quantize => 114,
            Round => 116,
            HardSwish => 117,
            If { .. } => 118,
            While { .. } => 119,
            SelectV2 => 123,
            BatchMatMul { .. } => 126,
            Cumsum { .. } => 128,
            CallOnce { .. } => 129,
            BroadcastTo => 130,
            VarHandle { .. } => 142,
            ReadVariable => 143,
            AssignVariable => 144,
            Gelu { .. } => 150,
            Relu0To1 => 152,
            Custom { .. } => return None,
            Unsupported { code, .. } => *code,
        })
    }

    /// The TensorFlow Lite name: `CONV_2D`, `FULLY_CONNECTED`, or the custom code.
    pub fn name(&self) -> &str {
        match self {
            OpKind::Custom { name } => name,
            OpKind::Unsupported { name, .. } => name,
            other => other
                .code()
                .and_then(builtin_operator_name)
                .unwrap_or("UNKNOWN"),
        }
    }

    /// The fused activation, for operators that have one.
    pub fn fused_activation(&self) -> Option<Activation> {
        use OpKind::*;
        match self {
            Add { activation, .. }
            | Sub { activation, .. }
            | Mul { activation }
            | Div { activation }
            | Concatenation { activation, .. }
            | L2Normalization { activation }
            | Svdf { activation, .. } => Some(*activation),
            Conv2d(o) => Some(o.activation),
            DepthwiseConv2d(o) => Some(o.activation),
            TransposeConv(o) => Some(o.activation),
            AveragePool2d(o) | MaxPool2d(o) | L2Pool2d(o) => Some(o.activation),
            FullyConnected(o) => Some(o.activation),
            UnidirectionalSequenceLstm(o) => Some(o.activation),
            _ => None,
        }
    }
}

/// One node of a graph: an operator applied to tensors.
#[derive(Debug, Clone, PartialEq)]
pub struct Operator {
    /// Position in execution order (the "layer" in messages and reports).
    pub index: usize,
    pub kind: OpKind,
    /// The operator version from the model's operator code table.
    pub version: i32,
    /// Input tensor indices; `None` marks an omitted optional input.
    pub inputs: Vec<Option<usize>>,
    pub outputs: Vec<usize>,
    /// Extra tensors some kernels (LSTM) keep intermediate results in.
    pub intermediates: Vec<usize>,
}

impl Operator {
    pub fn name(&self) -> &str {
        self.kind.name()
    }

    /// The input tensor index at `slot`, if present.
    pub fn input(&self, slot: usize) -> Option<usize> {
        self.inputs.get(slot).copied().flatten()
    }

    /// Indices of the inputs that are present.
    pub fn present_inputs(&self) -> impl Iterator<Item = usize> + '_ {
        self.inputs.iter().filter_map(|i| *i)
    }
}
