//! Helium (MVE) variants for Cortex-M55, chosen before the DSP ones.
//!
//! CONV_2D and DEPTHWISE_CONV_2D run on generation-time tables ([`pack`]):
//! weights packed in the order the inner loops read them, the input zero
//! point folded into the bias and the shifts split, per channel. The C kernels
//! keep the rest of their per-call state (sums, receptive-field windows, tap
//! pointers) on the stack, sized to the layer and bounded by the limits below;
//! a layer beyond them keeps the DSP or portable kernel.

use autodeploy_model::Graph;
use autodeploy_reference::layer::{Layer, Numeric, Requant, Step};
use autodeploy_runtime::Kernel;

use super::conv;
use crate::emit::layer::EmittedLayer;

/// `AD_MVE_MAX_CHANNELS` in `ad_mve.h`.
const MAX_CHANNELS: usize = 512;
/// `AD_MVE_MAX_WINDOW` in `ad_mve.h`: filter height x width x depth bytes.
const MAX_WINDOW: usize = 2304;
/// `AD_MVE_MAX_ROWS` in the row-buffer CONV_2D, `AD_DW_MVE_MAX_ROWS` in `ad_dw_mve.h`.
const MAX_ROWS: usize = 16;
/// `AD_DW_MVE_MAX_TAPS` in `ad_dw_mve.h`.
const MAX_TAPS: usize = 64;

/// The Helium variant for `kernel` on `layer`, with the reason, if one applies.
pub(super) fn variant(kernel: Kernel, layer: &Layer) -> Option<(Kernel, &'static str)> {
    match (kernel, &layer.step) {
        (Kernel::Conv2dRowbufS8, Step::Conv { window, .. })
            if window.filter.c == window.input.c
                && window.output.c <= MAX_CHANNELS
                && window.filter.h <= MAX_ROWS
                && window.filter.h * window.filter.w * window.filter.c <= MAX_WINDOW =>
        {
            Some((
                Kernel::Conv2dRowbufMveS8,
                "Helium: weights packed at generation time in groups of three channels, one VMLADAVA per 16 bytes of the gathered window, two pixels per pass, input zero point folded into the bias at generation time",
            ))
        }
        (Kernel::Conv2dS8 | Kernel::Conv2dAddS8, Step::Conv { window, .. })
            if window.filter.c == window.input.c
                && window.output.c <= MAX_CHANNELS
                && window.filter.h * window.filter.w * window.filter.c <= MAX_WINDOW =>
        {
            Some((
                if kernel == Kernel::Conv2dS8 {
                    Kernel::Conv2dMveS8
                } else {
                    Kernel::Conv2dAddMveS8
                },
                "Helium: weights packed at generation time in groups of three channels, one VMLADAVA per 16 bytes of the gathered window, two pixels per pass, input zero point folded into the bias at generation time",
            ))
        }
        (Kernel::FullyConnectedS8, Step::FullyConnected { .. }) => Some((
            Kernel::FullyConnectedMveS8,
            "Helium: VMLADAVA dot products, four output channels per pass, zero points folded",
        )),
        (Kernel::AvgPoolS8, Step::Pool { max: false, .. }) => Some((
            Kernel::AvgPoolMveS8,
            "Helium: window sums of 16 channels at a time",
        )),
        (
            Kernel::DepthwiseConv2dRowbufS8 | Kernel::DepthwiseConv2dS8,
            Step::Depthwise {
                window,
                depth_multiplier: 1,
                ..
            },
        ) if window.output.c <= MAX_CHANNELS
            && window.filter.h <= MAX_ROWS
            && window.filter.h * window.filter.w <= MAX_TAPS =>
        {
            Some((
                if kernel == Kernel::DepthwiseConv2dS8 {
                    Kernel::DepthwiseConv2dMveS8
                } else {
                    Kernel::DepthwiseConv2dRowbufMveS8
                },
                "Helium: 8 channels and two pixels per pass with VMULLB/VMULLT, input zero point folded into the bias and requantisation constants in block order at generation time",
            ))
        }
        _ => None,
    }
}

/// FULLY_CONNECTED on `ad_fully_connected_mve_s8` with the input zero point
/// folded into the bias at generation time: `bias + (-z_in) * sum(w)` per
/// output channel (wrapping, like the accumulator), emitted as a const array,
/// and the call's quant record given input zero point 0, so the kernel runs
/// its plain dot products without the per-call weight sums (one VADDVA per 16
/// weights). Exact because sum((x - z) w) + b = sum(x w) + (b - z sum(w))
/// modulo 2^32, and a filter zero point of 0 leaves no other term. `emitted`
/// unchanged when the layer does not fit (weights not constant, filter zero
/// point, or a call it cannot rewrite).
pub(super) fn fold_fully_connected(
    graph: &Graph,
    layer: &Layer,
    fn_name: &str,
    emitted: EmittedLayer,
) -> EmittedLayer {
    if emitted.kernel != Some(Kernel::FullyConnectedMveS8) {
        return emitted;
    }
    let Step::FullyConnected {
        dims,
        numeric: Numeric::Quant(r),
    } = &layer.step
    else {
        return emitted;
    };
    if r.filter_zero_point != 0 || r.input_zero_point == 0 {
        return emitted;
    }
    let (out_c, depth) = (dims.output_depth, dims.input_depth);
    let Some(weights) = conv::weights(graph, layer) else {
        return emitted;
    };
    let Some(bias) = conv::bias(graph, layer, out_c) else {
        return emitted;
    };
    if weights.len() != out_c * depth || bias.len() != out_c {
        return emitted;
    }
    let folded: Vec<i32> = weights
        .chunks(depth)
        .zip(&bias)
        .map(|(row, &b)| conv::fold_zero_point(b, r.input_zero_point, row))
        .collect();
    // The call's arguments: ctx, &quant, &input_dims, input, &filter_dims, filter, bias, &output_dims, output.
    let code = &emitted.code;
    let zp = format!(".input_zero_point = {}, ", r.input_zero_point);
    let Some(mut call) = Call::find(code, Kernel::FullyConnectedMveS8) else {
        return emitted;
    };
    if code.matches(&zp).count() != 1 || call.args.len() != 9 {
        return emitted;
    }
    let name = format!("{fn_name}_folded_bias");
    call.args[6] = name.clone();
    let mut out = conv::array(&name, &folded);
    out.push_str(&call.rewrite(code).replace(&zp, ".input_zero_point = 0, "));
    let out = out.replace(
        "zero points folded).",
        "zero points folded; input zero point folded into the bias at generation time).",
    );
    EmittedLayer {
        kernel: emitted.kernel,
        code: out,
    }
}

/// Channels per group of the packed CONV_2D layout (`AD_CONV_MVE_GROUP`).
const GROUP: usize = 3;
/// Bytes per weight chunk (one VMLADAVA).
const CHUNK: usize = 16;
/// What the channel count is rounded up to in the channel records
/// (`ad_conv_mve_section`): whole groups of three and vectors of four.
const SECTION_STEP: usize = 12;
/// Lanes of a requantisation vector.
const LANES: usize = 4;
/// Channels per block of the DEPTHWISE_CONV_2D tables (`AD_DW_MVE_RECORD`
/// holds four vectors of eight lanes).
const DW_BLOCK: usize = 8;
/// int32 words before the first depthwise block record (`AD_DW_MVE_HEADER`).
const DW_HEADER: usize = 4;

/// What replaces a layer's filter and bias arguments (layouts in
/// `ad_conv_mve.h` and `ad_dw_mve.h`).
struct Tables {
    /// The filter in the order the inner loop reads it.
    packed: Vec<i8>,
    /// Folded biases, multipliers and split shifts per channel.
    records: Vec<i32>,
}

/// Channel `oc`'s multiplier and its shift as the kernels' left and right
/// (negative) shifts, or `None` for a multiplier of `i32::MIN` (VQRDMULH
/// would saturate where the reference does not).
fn requantisation(r: &Requant, oc: usize) -> Option<(i32, i32, i32)> {
    let (multiplier, shift) = (
        conv::per_channel(&r.multiplier, oc)?,
        conv::per_channel(&r.shift, oc)?,
    );
    let (left, right) = conv::shift_parts(shift);
    (multiplier != i32::MIN).then_some((multiplier, left, -right))
}

/// The CONV_2D tables of an OHWI filter of `out_c` rows of `n` bytes: the
/// filter in groups of three channels, chunk by chunk; the records hold the
/// folded biases, then per vector of four channels their multipliers, left
/// shifts and right shifts.
fn conv_tables(weights: &[i8], n: usize, bias: &[i32], r: &Requant) -> Option<Tables> {
    let out_c = bias.len();
    let chunks = n.div_ceil(CHUNK);
    let mut packed = vec![0i8; out_c.div_ceil(GROUP) * chunks * GROUP * CHUNK];
    let section = out_c.div_ceil(SECTION_STEP) * SECTION_STEP;
    let mut records = vec![0i32; 4 * section];
    for (oc, row) in weights.chunks(n).enumerate().take(out_c) {
        let (g, j) = (oc / GROUP, oc % GROUP);
        for (i, &w) in row.iter().enumerate() {
            packed[((g * chunks + i / CHUNK) * GROUP + j) * CHUNK + i % CHUNK] = w;
        }
        let (multiplier, left, right) = requantisation(r, oc)?;
        records[oc] = conv::fold_zero_point(bias[oc], r.input_zero_point, row);
        let vector = &mut records[section + oc / LANES * 3 * LANES..][..3 * LANES];
        vector[oc % LANES] = multiplier;
        vector[LANES + oc % LANES] = left;
        vector[2 * LANES + oc % LANES] = right;
    }
    Some(Tables { packed, records })
}

/// The DEPTHWISE_CONV_2D tables of a filter of `taps` rows of `out_c`
/// channels (HWC): per block of eight channels and tap the block's eight
/// weights; the records start with a header word (1 when a channel shifts
/// left) and hold per block the folded biases, multipliers, left and right
/// shifts in accumulator order (even channels, then odd ones).
fn depthwise_tables(weights: &[i8], taps: usize, bias: &[i32], r: &Requant) -> Option<Tables> {
    let out_c = bias.len();
    let blocks = out_c.div_ceil(DW_BLOCK);
    let mut packed = vec![0i8; blocks * taps * DW_BLOCK];
    for (t, tap) in weights.chunks(out_c).enumerate() {
        for (oc, &w) in tap.iter().enumerate() {
            packed[(oc / DW_BLOCK * taps + t) * DW_BLOCK + oc % DW_BLOCK] = w;
        }
    }
    let mut records = vec![0i32; DW_HEADER + blocks * 4 * DW_BLOCK];
    for oc in 0..out_c {
        let (multiplier, left, right) = requantisation(r, oc)?;
        let lane = ((oc & 1) << 2) + ((oc & 7) >> 1);
        let channel = weights.iter().skip(oc).step_by(out_c);
        let rec = &mut records[DW_HEADER + oc / DW_BLOCK * 4 * DW_BLOCK..][..4 * DW_BLOCK];
        rec[lane] = conv::fold_zero_point(bias[oc], r.input_zero_point, channel);
        rec[DW_BLOCK + lane] = multiplier;
        rec[2 * DW_BLOCK + lane] = left;
        rec[3 * DW_BLOCK + lane] = right;
        if left != 0 {
            records[0] = 1;
        }
    }
    Some(Tables { packed, records })
}

/// The portable kernel a Helium variant on generation-time tables stands
/// for (its call has that kernel's arguments).
fn portable(kernel: Kernel) -> Option<Kernel> {
    match kernel {
        Kernel::Conv2dRowbufMveS8 => Some(Kernel::Conv2dRowbufS8),
        Kernel::Conv2dMveS8 => Some(Kernel::Conv2dS8),
        Kernel::Conv2dAddMveS8 => Some(Kernel::Conv2dAddS8),
        Kernel::DepthwiseConv2dRowbufMveS8 => Some(Kernel::DepthwiseConv2dRowbufS8),
        Kernel::DepthwiseConv2dMveS8 => Some(Kernel::DepthwiseConv2dS8),
        _ => None,
    }
}

/// The tables of a Helium CONV_2D or DEPTHWISE_CONV_2D layer, or `None` when
/// its filter or bias is not constant or does not fit.
fn tables(graph: &Graph, layer: &Layer) -> Option<Tables> {
    let (window, r, depthwise) = match &layer.step {
        Step::Conv {
            window,
            numeric: Numeric::Quant(r),
        } => (window, r, false),
        Step::Depthwise {
            window,
            depth_multiplier: 1,
            numeric: Numeric::Quant(r),
        } => (window, r, true),
        _ => return None,
    };
    let out_c = window.output.c;
    let weights = conv::weights(graph, layer)?;
    let bias = conv::bias(graph, layer, out_c)?;
    // Rows of the filter: output channels (OHWI), or taps (1HWC, depthwise).
    let rows = window.filter.h * window.filter.w * if depthwise { 1 } else { window.filter.c };
    if r.filter_zero_point != 0 || rows == 0 || weights.len() != out_c * rows || bias.len() != out_c
    {
        return None;
    }
    if depthwise {
        depthwise_tables(&weights, rows, &bias, r)
    } else {
        conv_tables(&weights, rows, &bias, r)
    }
}

/// A Helium CONV_2D or DEPTHWISE_CONV_2D layer on its generation-time
/// tables: the call's filter becomes the packed weights (in the weights
/// section) and its bias the channel records, and the layer's
/// multiplier and shift tables go (the records hold them). A layer whose
/// filter or bias is not constant goes back to the portable kernel, whose
/// contract its call already has.
pub(super) fn pack(
    graph: &Graph,
    layer: &Layer,
    fn_name: &str,
    emitted: EmittedLayer,
) -> EmittedLayer {
    let Some(mve) = emitted.kernel else {
        return emitted;
    };
    let Some(portable) = portable(mve) else {
        return emitted;
    };
    let packed = tables(graph, layer)
        .and_then(|t| rewrite_on_tables(&emitted, mve, layer.index, fn_name, &t));
    packed.unwrap_or_else(|| {
        let code: String = emitted
            .code
            .lines()
            .filter(|l| !l.trim_start().starts_with("/* Kernel variant:"))
            .map(|l| format!("{l}\n"))
            .collect();
        EmittedLayer {
            kernel: Some(portable),
            code: code.replace(mve.c_name(), portable.c_name()),
        }
    })
}

/// `emitted`'s call on `tables`: its last four arguments are filter, bias,
/// &output_dims and output.
fn rewrite_on_tables(
    emitted: &EmittedLayer,
    mve: Kernel,
    index: usize,
    fn_name: &str,
    tables: &Tables,
) -> Option<EmittedLayer> {
    let code = &emitted.code;
    let mut call = Call::find(code, mve)?;
    let k = call.args.len();
    if k < 10 {
        return None;
    }
    let (packed, records) = (format!("{fn_name}_packed"), format!("{fn_name}_channels"));
    call.args[k - 4] = packed.clone();
    call.args[k - 3] = records.clone();
    let mut out = crate::emit::c::int_array(
        "AD_WEIGHTS_ATTR static const",
        "int8_t",
        &packed,
        &tables.packed,
    );
    out.push_str(&conv::array(&records, &tables.records));
    let body = call.rewrite(code);
    out.push_str(&conv::without_quant_tables(&body, index));
    Some(EmittedLayer {
        kernel: Some(mve),
        code: out,
    })
}

/// The one `return KERNEL(...);` call of a layer's code, its arguments split.
struct Call {
    /// Byte range of the arguments in the code.
    start: usize,
    end: usize,
    args: Vec<String>,
}

impl Call {
    /// The call of `kernel` in `code`, if there is exactly one.
    fn find(code: &str, kernel: Kernel) -> Option<Call> {
        let head = format!("return {}(", kernel.c_name());
        if code.matches(&head).count() != 1 {
            return None;
        }
        let start = code.find(&head)? + head.len();
        let end = start + code[start..].find(");")?;
        Some(Call {
            start,
            end,
            args: code[start..end].split(", ").map(str::to_string).collect(),
        })
    }

    /// `code` with the call's arguments replaced by `self.args`.
    fn rewrite(&self, code: &str) -> String {
        format!(
            "{}{}{}",
            &code[..self.start],
            self.args.join(", "),
            &code[self.end..]
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use autodeploy_reference::kernels::QuantActivation;

    fn requant(shift: Vec<i32>) -> Requant {
        Requant {
            input_zero_point: -3,
            filter_zero_point: 0,
            output_zero_point: 0,
            multiplier: vec![1 << 30; shift.len()],
            shift,
            per_channel: true,
            activation: QuantActivation {
                min: -128,
                max: 127,
            },
        }
    }

    #[test]
    fn conv_tables_pack_groups_of_three_chunk_by_chunk() {
        // 4 channels (two groups, the second with one channel), windows of 20 bytes (two chunks).
        let (out_c, n) = (4, 20);
        let weights: Vec<i8> = (0..out_c * n).map(|i| (i % 100) as i8).collect();
        let t = conv_tables(
            &weights,
            n,
            &[10, 20, 30, 40],
            &requant(vec![-1, 2, 0, -40]),
        )
        .unwrap();
        assert_eq!(t.packed.len(), 2 * 2 * GROUP * CHUNK);
        for oc in 0..out_c {
            for i in 0..n {
                let (g, j) = (oc / GROUP, oc % GROUP);
                let at = ((g * 2 + i / CHUNK) * GROUP + j) * CHUNK + i % CHUNK;
                assert_eq!(t.packed[at], weights[oc * n + i], "channel {oc} byte {i}");
            }
        }
        // Past the window and past out_c: zeros.
        assert!(t.packed[3 * CHUNK + 4..4 * CHUNK].iter().all(|&w| w == 0));
        assert!(t.packed[((2 + 1) * GROUP + 1) * CHUNK..]
            .iter()
            .all(|&w| w == 0));
        // Biases with 3 * sum(w) folded in, then per vector: multipliers, left, right shifts.
        let section = 12;
        let sum0: i32 = weights[..n].iter().map(|&w| i32::from(w)).sum();
        assert_eq!(t.records.len(), 4 * section);
        assert_eq!(t.records[0], 10 + 3 * sum0);
        assert_eq!(&t.records[section..section + 4], &[1 << 30; 4]);
        assert_eq!(&t.records[section + 4..section + 8], &[0, 2, 0, 0]);
        assert_eq!(&t.records[section + 8..section + 12], &[-1, 0, 0, -31]);
        assert!(t.records[4..section].iter().all(|&v| v == 0));
    }

    #[test]
    fn depthwise_tables_pack_blocks_and_hold_even_then_odd_channels() {
        // 9 channels (a full block and one channel), 2 taps, HWC.
        let (out_c, taps) = (9, 2);
        let weights: Vec<i8> = (0..out_c * taps).map(|i| i as i8).collect();
        let bias: Vec<i32> = (0..out_c as i32).map(|c| 100 * c).collect();
        let mut shifts = vec![-2; out_c];
        shifts[8] = 1;
        let t = depthwise_tables(&weights, taps, &bias, &requant(shifts)).unwrap();
        // Block 0 tap 1, channel 3; block 1 (channel 8 alone): taps 0 and 1, zeros past it.
        assert_eq!(t.packed[8 + 3], weights[out_c + 3]);
        let mut block1 = [0i8; 16];
        (block1[0], block1[8]) = (weights[8], weights[out_c + 8]);
        assert_eq!(&t.packed[16..], &block1);
        let records = t.records;
        assert_eq!(records.len(), DW_HEADER + 2 * 4 * DW_BLOCK);
        assert_eq!(records[0], 1, "channel 8 shifts left");
        let block = &records[DW_HEADER..][..4 * DW_BLOCK];
        // Channel 1 (odd) is lane 4, channel 2 (even) lane 1.
        let folded =
            |c: usize| bias[c] + 3 * (i32::from(weights[c]) + i32::from(weights[out_c + c]));
        assert_eq!(block[4], folded(1));
        assert_eq!(block[1], folded(2));
        assert_eq!(block[3 * DW_BLOCK + 1], -2);
        let last = &records[DW_HEADER + 4 * DW_BLOCK..];
        assert_eq!(
            (last[0], last[2 * DW_BLOCK], last[3 * DW_BLOCK]),
            (folded(8), 1, 0)
        );
    }
}
