//! CONV_2D on pre-widened weights (`ad_conv2d_w16_dsp_s8`): the weights are
//! reordered and widened to int16 pairs at generation time, in the order the
//! SMLAD inner loop reads them, and the input zero point is folded into the
//! bias, so the inner loop spends one load and two SMLADs per channel and 4
//! MACs. The layout is documented in `src/conv/ad_conv2d_w16_dsp_s8.c`.

use std::fmt::Write;

use autodeploy_model::Graph;
use autodeploy_reference::layer::{Layer, Numeric, Step, Window};
use autodeploy_runtime::Kernel;

use crate::emit::layer::EmittedLayer;

/// Most bytes of the kernel's padded filter-row copies (`AD_W16_SCRATCH`).
const SCRATCH: usize = 1024;
/// Filter rows the kernel can hold (`AD_W16_MAX_ROWS`).
const MAX_ROWS: usize = 64;
/// Output channels per pass.
const BLOCK: usize = 4;
/// int32 values per channel record (`AD_W16_RECORD`).
const RECORD: usize = 3;

/// The kernels this variant replaces, and whether their call has a row buffer.
/// What replaces `kernel`: the variant, and the arguments to insert after
/// the call's `NULL, ` (the context).
fn replaces(kernel: Kernel) -> Option<(Kernel, &'static str)> {
    match kernel {
        Kernel::Conv2dS8 | Kernel::Conv2dDspS8 => Some((Kernel::Conv2dW16DspS8, "NULL, ")),
        Kernel::Conv2dRowbufS8 | Kernel::Conv2dRowbufDspS8 => Some((Kernel::Conv2dW16DspS8, "")),
        Kernel::Conv2dAddS8 | Kernel::Conv2dAddDspS8 => Some((Kernel::Conv2dAddW16DspS8, "")),
        _ => None,
    }
}

/// The generation-time tables of one layer.
pub(super) struct Tables {
    /// `filter_pairs`: two int16 values per word.
    pub pairs: Vec<i32>,
    /// `channels`: per channel, bias + offset * sum of its weights (mod
    /// 2^32), multiplier, and the left shift | right shift << 8.
    pub records: Vec<i32>,
}

/// What the tables are built from: a groups-1 filter `[out_c, rows, len]`
/// (`len` = k_w * c_in values per filter row) and its requantisation.
pub(super) struct Filter<'a> {
    pub out_c: usize,
    pub rows: usize,
    pub len: usize,
    pub weights: Vec<i8>,
    /// `out_c` values (zeros without a bias).
    pub bias: Vec<i32>,
    pub input_zero_point: i32,
    /// One value per channel, or one for all.
    pub multiplier: &'a [i32],
    pub shift: &'a [i32],
    /// Whether some tap falls outside the input (the kernel then needs its
    /// stack buffer for padded copies).
    pub outside: bool,
}

/// The layer's filter, or `None` when the layer is outside the kernel's
/// contract (grouped, dilated across, batched, non-constant weights...).
fn conv_filter<'a>(graph: &Graph, layer: &'a Layer) -> Option<Filter<'a>> {
    let Step::Conv {
        window,
        numeric: Numeric::Quant(r),
    } = &layer.step
    else {
        return None;
    };
    let (input, filter, output) = (window.input, window.filter, window.output);
    if input.n != 1 || filter.c != input.c || window.params.dilation_w != 1 || output.c != filter.n
    {
        return None;
    }
    Some(Filter {
        out_c: output.c,
        rows: filter.h,
        len: filter.w * filter.c,
        weights: weights(graph, layer)?,
        bias: bias(graph, layer, output.c)?,
        input_zero_point: r.input_zero_point,
        multiplier: &r.multiplier,
        shift: &r.shift,
        outside: taps_outside(window),
    })
}

/// Whether some tap of the layer's window falls outside the input (in the
/// padding): the twin of `ad_conv_taps_outside` in `ad_conv_check.h`.
pub(super) fn taps_outside(window: &Window) -> bool {
    let (p, i, f, o) = (
        &window.params,
        &window.input,
        &window.filter,
        &window.output,
    );
    p.pad_h > 0
        || p.pad_w > 0
        || (o.h.max(1) - 1) * p.stride_h + (f.h.max(1) - 1) * p.dilation_h >= i.h
        || (o.w.max(1) - 1) * p.stride_w + (f.w.max(1) - 1) * p.dilation_w >= i.w
}

/// The layer's constant int8 filter (input 1), `None` when it is not constant.
pub(super) fn weights(graph: &Graph, layer: &Layer) -> Option<Vec<i8>> {
    graph
        .tensor(layer.inputs.get(1).copied().flatten()?)
        .data_i8()
}

/// Channel `oc`'s value of a per-channel table (one value for all when the
/// table has one).
pub(super) fn per_channel(v: &[i32], oc: usize) -> Option<i32> {
    v.get(oc).or(v.first()).copied()
}

/// `bias` with the input zero point folded in: `bias - z_in * sum(weights)`,
/// wrapping like the accumulator, since sum((x - z) w) + b = sum(x w) + b -
/// z sum(w) modulo 2^32.
pub(super) fn fold_zero_point<'w>(
    bias: i32,
    input_zero_point: i32,
    weights: impl IntoIterator<Item = &'w i8>,
) -> i32 {
    let sum = weights
        .into_iter()
        .fold(0i32, |s, &w| s.wrapping_add(i32::from(w)));
    bias.wrapping_add(input_zero_point.wrapping_neg().wrapping_mul(sum))
}

/// A shift of `ad_requantize` as its two parts: the wrapping left shift
/// (modulo 32) and the rounding right shift clamped to 0..=31, as amounts.
pub(super) fn shift_parts(shift: i32) -> (i32, i32) {
    if shift > 0 {
        (shift & 31, 0)
    } else {
        (0, (-i64::from(shift)).min(31) as i32)
    }
}

/// The layer's constant int32 bias (input 2), zeros without one.
pub(super) fn bias(graph: &Graph, layer: &Layer, out_c: usize) -> Option<Vec<i32>> {
    match layer.inputs.get(2).copied().flatten() {
        Some(b) => graph.tensor(b).data_i32(),
        None => Some(vec![0; out_c]),
    }
}

/// Builds the tables, or `None` when the filter does not fit the kernel.
pub(super) fn tables(f: &Filter) -> Option<Tables> {
    let (out_c, rows, len) = (f.out_c, f.rows, f.len);
    let len4 = len.div_ceil(4) * 4;
    if rows > MAX_ROWS
        || ((f.outside || len4 != len) && (rows + 1) * len4 > SCRATCH)
        || f.weights.len() != out_c * rows * len
        || f.bias.len() != out_c
    {
        return None;
    }
    let weights = &f.weights;
    let blocks = out_c.div_ceil(BLOCK);
    let mut pairs = Vec::with_capacity(blocks * BLOCK * rows * len4 / 2);
    let mut records = vec![0i32; blocks * BLOCK * RECORD];
    for (oc, rec) in records.chunks_mut(RECORD).enumerate().take(out_c) {
        let (multiplier, shift) = (per_channel(f.multiplier, oc)?, per_channel(f.shift, oc)?);
        if multiplier == i32::MIN {
            return None;
        }
        let (left, right) = shift_parts(shift);
        rec.copy_from_slice(&[
            fold_zero_point(
                f.bias[oc],
                f.input_zero_point,
                &weights[oc * rows * len..(oc + 1) * rows * len],
            ),
            multiplier,
            left | (right << 8),
        ]);
    }
    for b in 0..blocks {
        for ky in 0..rows {
            for g in 0..len4 / 4 {
                for j in 0..BLOCK {
                    let oc = b * BLOCK + j;
                    let v = |i: usize| -> i32 {
                        let t = 4 * g + i;
                        if oc < out_c && t < len {
                            i32::from(weights[(oc * rows + ky) * len + t])
                        } else {
                            0
                        }
                    };
                    // SXTB16 lanes: bytes 0 and 2, then 1 and 3 (rotated by 8).
                    pairs.push(pair(v(0), v(2)));
                    pairs.push(pair(v(1), v(3)));
                }
            }
        }
    }
    Some(Tables { pairs, records })
}

/// The generated code's comment on the choice.
pub(super) fn why(t: &Tables) -> String {
    format!(
        "DSP: weights pre-widened to int16 pairs in SMLAD order ({} bytes), input zero point folded into the bias, requantisation constants per channel, 4 output channels per pass",
        t.pairs.len() * 4
    )
}

/// An int16 pair in one word, `lo` in the low half.
fn pair(lo: i32, hi: i32) -> i32 {
    ((lo as u32 & 0xFFFF) | ((hi as u32) << 16)) as i32
}

/// A C array of int32 values (INT32_MIN written as an expression).
pub(super) fn array(name: &str, values: &[i32]) -> String {
    array_with("", name, values)
}

/// The pre-widened weights, in the weights section (`AD_WEIGHTS_ATTR`, from
/// `NAME_weights.h`) like the int8 arrays they replace.
pub(super) fn weight_array(name: &str, values: &[i32]) -> String {
    array_with("AD_WEIGHTS_ATTR ", name, values)
}

fn array_with(attr: &str, name: &str, values: &[i32]) -> String {
    let mut out = format!(
        "{attr}static const int32_t {name}[{}] = {{",
        values.len().max(1)
    );
    for (i, v) in values.iter().enumerate() {
        out.push_str(if i % 16 == 0 { "\n    " } else { " " });
        if *v == i32::MIN {
            out.push_str("(-2147483647 - 1),");
        } else {
            let _ = write!(out, "{v},");
        }
    }
    out.push_str("\n};\n");
    out
}

/// `body` without layer `i`'s multiplier and shift tables, which the
/// channel records replace (2,880 bytes on kws_ref_model), and with its
/// `quant` pointing at none (the kernel reads only its zero points and
/// activation range).
pub(super) fn without_quant_tables(body: &str, i: usize) -> String {
    let tables = [
        format!("static const int32_t layer{i}_multiplier["),
        format!("static const int8_t layer{i}_shift["),
    ];
    let mut out = String::with_capacity(body.len());
    let mut in_table = false;
    for line in body.lines() {
        let text = line.trim();
        if in_table {
            in_table = text != "};";
            continue;
        }
        if tables.iter().any(|t| text.starts_with(t.as_str())) {
            in_table = !text.ends_with("};");
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.replace(
        &format!(".multiplier = layer{i}_multiplier, .shift = layer{i}_shift"),
        ".multiplier = NULL, .shift = NULL",
    )
}

/// `emitted` with its CONV_2D call moved to `ad_conv2d_w16_dsp_s8` and the
/// tables it needs, when the layer fits (the caller checks the core);
/// `emitted` unchanged otherwise.
pub fn prewiden(
    graph: &Graph,
    layer: &Layer,
    fn_name: &str,
    emitted: EmittedLayer,
) -> EmittedLayer {
    let Some(old) = emitted.kernel else {
        return emitted;
    };
    let Some((new, insert)) = replaces(old) else {
        return emitted;
    };
    let Some(t) = conv_filter(graph, layer).as_ref().and_then(tables) else {
        return emitted;
    };
    let code = &emitted.code;
    // The one call: kernel name, then its filter and bias between the dims.
    let call = format!("return {}(NULL, ", old.c_name());
    let (Some(start), 1) = (code.find(&call), code.matches(&call).count()) else {
        return emitted;
    };
    let Some(f) = code[start..].find(", &filter_dims, ").map(|p| start + p) else {
        return emitted;
    };
    let Some(o) = code[f..].find(", &output_dims, ").map(|p| f + p) else {
        return emitted;
    };
    let fn_open = format!("static ad_status {fn_name}(void)\n{{\n");
    let Some(head) = code[..start].rfind(&fn_open) else {
        return emitted;
    };
    let body_start = head + fn_open.len();
    let why = why(&t);
    let mut out = String::with_capacity(code.len() + t.pairs.len() * 12);
    out.push_str(&code[..head].replace(
        &format!("({}) */", old.c_name()),
        &format!("({}) */", new.c_name()),
    ));
    out.push_str(&weight_array(&format!("{fn_name}_filter_pairs"), &t.pairs));
    out.push_str(&array(&format!("{fn_name}_channels"), &t.records));
    out.push_str(&fn_open);
    let _ = writeln!(out, "    /* Kernel variant: {} ({why}). */", new.c_name());
    // The body without an earlier variant's comment line.
    let line_start = code[..start]
        .rfind('\n')
        .map_or(start, |p| p + 1)
        .max(body_start);
    let body: String = code[body_start..line_start]
        .lines()
        .filter(|l| !l.trim_start().starts_with("/* Kernel variant:"))
        .map(|l| format!("{l}\n"))
        .collect();
    out.push_str(&without_quant_tables(&body, layer.index));
    out.push_str(&code[line_start..start]);
    let _ = write!(out, "return {}(NULL, {insert}", new.c_name());
    out.push_str(&code[start + call.len()..f]);
    let _ = write!(
        out,
        ", &filter_dims, {fn_name}_filter_pairs, {fn_name}_channels"
    );
    out.push_str(&code[o..]);
    EmittedLayer {
        kernel: Some(new),
        code: out,
    }
}
