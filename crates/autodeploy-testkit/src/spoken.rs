//! Spoken-word input frames for the streaming wake-word models: espeak-ng
//! speaks a phrase and `oracle/spoken_frames.py` (pymicro-features in the
//! oracle venv) turns it into the model's int8 frames. Test support only.

use std::path::Path;
use std::process::Command;

use autodeploy_model::{Model, TensorValue};

use crate::models::workspace_root;
use crate::oracle::python;

/// Writes the frames of `text` spoken for `model` to `out` (a stacked .npy
/// of shape `[N, ...input shape]`) and returns them one by one. Panics with
/// the reason when espeak-ng or the venv is missing: these tests never skip.
pub fn spoken_frames(model: &Model, text: &str, out: &Path) -> Vec<TensorValue> {
    let graph = model.main_graph();
    let input = graph.tensor(graph.inputs[0]);
    let quant = input
        .quant
        .as_ref()
        .expect("a wake-word model has a quantized input");
    let stride = input.shape.get(1).copied().unwrap_or(1);
    let output = Command::new(python())
        .arg(workspace_root().join("oracle/spoken_frames.py"))
        .args(["--text", text])
        // The f32 scale exactly, as a double (what TFLite hands pymicro-wakeword).
        .arg(format!("--scale={}", f64::from(quant.scale())))
        .arg(format!("--zero-point={}", quant.zero_point()))
        .arg(format!("--stride={stride}"))
        .arg("--out")
        .arg(out)
        .output()
        .expect("run the oracle venv's python");
    assert!(
        output.status.success(),
        "spoken_frames.py failed (is espeak-ng installed? `cargo xtask test` installs it):\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("clamped=0 "),
        "features outside int8 after quantisation: {stdout}"
    );
    let file = std::fs::File::open(out).expect("the frames file");
    let stacked = TensorValue::read_npy(std::io::BufReader::new(file)).expect("a valid .npy");
    let frame_bytes = input.byte_size();
    stacked
        .bytes
        .chunks(frame_bytes)
        .map(|chunk| TensorValue {
            dtype: input.dtype,
            shape: input.shape.clone(),
            bytes: chunk.to_vec(),
        })
        .collect()
}
