//! Numbers derived from a [`Profile`]: per-layer time, MACs per count and
//! share; totals; run statistics; the count spent outside the layers.

use serde::Serialize;

use crate::data::Profile;

/// Derived numbers for one layer (same order as [`Profile::layers`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerMetrics {
    pub index: usize,
    /// `count / clock_hz * 1e6`; `None` if the clock is 0.
    pub time_us: Option<f64>,
    /// `macs / count`; `None` if the count is 0.
    pub macs_per_count: Option<f64>,
    /// `count / sum of layer counts * 100`; `None` if that sum is 0.
    pub share_percent: Option<f64>,
}

/// Minimum, median and maximum of the whole-inference counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RunSummary {
    pub runs: usize,
    pub min: u64,
    /// The middle count; with an even number of runs, the mean of the two
    /// middle counts rounded down.
    pub median: u64,
    pub max: u64,
}

/// Totals over the layers and the runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Totals {
    pub layers: usize,
    /// Sum of the layer counts.
    pub count: u64,
    pub macs: u64,
    /// Sum of the layers' weight bytes (a tensor shared by two layers counts twice).
    pub weight_bytes: u64,
    /// Sum of the layers' activation bytes (before memory planning).
    pub activation_bytes: u64,
    /// Time of the layer counts summed.
    pub time_us: Option<f64>,
    /// All MACs over the sum of the layer counts.
    pub macs_per_count: Option<f64>,
    /// Whole-inference statistics, if any run was recorded (in JSON under `runs`).
    #[serde(skip)]
    pub runs: Option<RunSummary>,
    /// The median run's time.
    pub median_run_time_us: Option<f64>,
    /// Median whole-inference count minus the sum of layer counts: what the
    /// layer hooks and the glue between layers cost (negative if the layer
    /// counts add up to more than a whole run).
    pub outside_layers: Option<i64>,
    /// `outside_layers` as a percent of the median whole-inference count.
    pub outside_layers_percent: Option<f64>,
}

/// `count` at `clock_hz`, in microseconds; `None` for a zero clock.
pub fn time_us(count: u64, clock_hz: u64) -> Option<f64> {
    (clock_hz > 0).then(|| count as f64 / clock_hz as f64 * 1e6)
}

fn ratio(numerator: u64, denominator: u64) -> Option<f64> {
    (denominator > 0).then(|| numerator as f64 / denominator as f64)
}

/// Min, median and max of `counts`; `None` if empty.
pub fn run_summary(counts: &[u64]) -> Option<RunSummary> {
    if counts.is_empty() {
        return None;
    }
    let mut sorted = counts.to_vec();
    sorted.sort_unstable();
    let n = sorted.len();
    let median = if n % 2 == 1 {
        sorted[n / 2]
    } else {
        let (a, b) = (sorted[n / 2 - 1], sorted[n / 2]);
        a / 2 + b / 2 + (a % 2 + b % 2) / 2
    };
    Some(RunSummary {
        runs: n,
        min: sorted[0],
        median,
        max: sorted[n - 1],
    })
}

/// Per-layer derived numbers, in layer order.
pub fn layer_metrics(profile: &Profile) -> Vec<LayerMetrics> {
    let total: u64 = profile.layers.iter().map(|l| l.count).sum();
    profile
        .layers
        .iter()
        .map(|layer| LayerMetrics {
            index: layer.index,
            time_us: time_us(layer.count, profile.board.clock_hz),
            macs_per_count: ratio(layer.macs, layer.count),
            share_percent: ratio(layer.count, total).map(|r| r * 100.0),
        })
        .collect()
}

/// Totals over layers and runs.
pub fn totals(profile: &Profile) -> Totals {
    let layers = &profile.layers;
    let count: u64 = layers.iter().map(|l| l.count).sum();
    let macs: u64 = layers.iter().map(|l| l.macs).sum();
    let runs = run_summary(&profile.runs.counts);
    let clock = profile.board.clock_hz;
    let outside_layers = runs.map(|r| r.median as i64 - count as i64);
    let outside_layers_percent = runs
        .zip(outside_layers)
        .filter(|(r, _)| r.median > 0)
        .map(|(r, d)| d as f64 / r.median as f64 * 100.0);
    Totals {
        layers: layers.len(),
        count,
        macs,
        weight_bytes: layers.iter().map(|l| l.weight_bytes).sum(),
        activation_bytes: layers.iter().map(|l| l.activation_bytes).sum(),
        time_us: time_us(count, clock),
        macs_per_count: ratio(macs, count),
        runs,
        median_run_time_us: runs.and_then(|r| time_us(r.median, clock)),
        outside_layers,
        outside_layers_percent,
    }
}

/// Total flash (code and weights) and RAM (arena, static RAM, stack) in bytes.
/// The stack counts its reserved size if known, else its high-water mark.
pub fn memory_totals(profile: &Profile) -> (u64, u64) {
    let m = &profile.memory;
    let stack = m.stack_size.or(m.stack_high_water).unwrap_or(0);
    (
        m.flash_code + m.flash_weights,
        m.arena + m.static_ram + stack,
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::data::*;

    /// A small hand-made profile: 3 layers at 100 MHz.
    pub(crate) fn sample() -> Profile {
        let layer = |index, tag: &str, macs, count| LayerRecord {
            index,
            tag: tag.into(),
            kernel: Some(format!("ad_{}_s8", tag.to_lowercase())),
            output_shape: vec![1, 8, 8, 4],
            macs,
            count,
            weight_bytes: 100 * index as u64,
            activation_bytes: 512,
        };
        Profile {
            model: "tiny".into(),
            model_hash: "abc123".into(),
            board: BoardInfo {
                name: "qemu-m4".into(),
                core: "cortex-m4".into(),
                clock_hz: 100_000_000,
                counter: Counter::Instructions,
            },
            layers: vec![
                layer(0, "CONV_2D", 50_000, 100_000),
                layer(1, "DEPTHWISE_CONV_2D", 9_000, 30_000),
                layer(2, "SOFTMAX", 0, 70_000),
            ],
            runs: RunStats {
                warmup: 1,
                counts: vec![205_000, 210_000, 201_000, 220_000],
            },
            memory: MemoryUse {
                flash_code: 12_000,
                flash_weights: 30_000,
                flash_by_kernel: vec![("ad_conv2d_s8".into(), 2_000)],
                arena: 4_096,
                arena_lower_bound: Some(4_000),
                arena_portable: None,
                static_ram: 1_000,
                state: 0,
                stack_high_water: Some(700),
                stack_size: Some(2_048),
            },
            validation: None,
            tool_version: "0.1.0".into(),
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn per_layer_numbers_by_hand() {
        let m = layer_metrics(&sample());
        // 100_000 instructions at 100 MHz = 1 ms.
        assert!(close(m[0].time_us.unwrap(), 1000.0));
        assert!(close(m[1].time_us.unwrap(), 300.0));
        // 50_000 MACs / 100_000 = 0.5; 9_000 / 30_000 = 0.3; 0 MACs → 0.
        assert!(close(m[0].macs_per_count.unwrap(), 0.5));
        assert!(close(m[1].macs_per_count.unwrap(), 0.3));
        assert!(close(m[2].macs_per_count.unwrap(), 0.0));
        // Shares of 200_000.
        assert!(close(m[0].share_percent.unwrap(), 50.0));
        assert!(close(m[1].share_percent.unwrap(), 15.0));
        assert!(close(m[2].share_percent.unwrap(), 35.0));
    }

    #[test]
    fn totals_by_hand() {
        let t = totals(&sample());
        assert_eq!(t.layers, 3);
        assert_eq!(t.count, 200_000);
        assert_eq!(t.macs, 59_000);
        assert_eq!(t.weight_bytes, 300);
        assert_eq!(t.activation_bytes, 1536);
        assert!(close(t.time_us.unwrap(), 2000.0));
        assert!(close(t.macs_per_count.unwrap(), 0.295));
        // Sorted runs 201k 205k 210k 220k: median (205k + 210k) / 2.
        let r = t.runs.unwrap();
        assert_eq!(
            (r.runs, r.min, r.median, r.max),
            (4, 201_000, 207_500, 220_000)
        );
        assert!(close(t.median_run_time_us.unwrap(), 2075.0));
        assert_eq!(t.outside_layers, Some(7_500));
        assert!(close(
            t.outside_layers_percent.unwrap(),
            7_500.0 / 207_500.0 * 100.0
        ));
    }

    #[test]
    fn median_odd_even_and_rounding() {
        assert_eq!(run_summary(&[]), None);
        assert_eq!(run_summary(&[5]).unwrap().median, 5);
        assert_eq!(run_summary(&[9, 1, 5]).unwrap().median, 5);
        assert_eq!(run_summary(&[1, 2]).unwrap().median, 1);
        assert_eq!(run_summary(&[3, 5]).unwrap().median, 4);
        // No overflow near u64::MAX.
        assert_eq!(run_summary(&[u64::MAX, u64::MAX]).unwrap().median, u64::MAX);
    }

    #[test]
    fn zero_clock_and_zero_counts_give_none() {
        let mut p = sample();
        p.board.clock_hz = 0;
        for l in &mut p.layers {
            l.count = 0;
        }
        p.runs.counts.clear();
        let m = layer_metrics(&p);
        assert!(m.iter().all(|m| m.time_us.is_none()
            && m.macs_per_count.is_none()
            && m.share_percent.is_none()));
        let t = totals(&p);
        assert!(t.time_us.is_none() && t.runs.is_none() && t.outside_layers.is_none());
    }

    #[test]
    fn layer_counts_above_the_run_give_negative_outside() {
        let mut p = sample();
        p.runs.counts = vec![190_000];
        let t = totals(&p);
        assert_eq!(t.outside_layers, Some(-10_000));
    }

    #[test]
    fn memory_totals_prefer_reserved_stack() {
        let mut p = sample();
        assert_eq!(memory_totals(&p), (42_000, 4_096 + 1_000 + 2_048));
        p.memory.stack_size = None;
        assert_eq!(memory_totals(&p).1, 4_096 + 1_000 + 700);
    }
}
