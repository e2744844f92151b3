//! A streaming model on the board with a real signal: espeak-ng's "alexa"
//! (frames from `autodeploy_testkit::spoken`) streams through qemu-m4 in one
//! stream; every step's output and the final state match the reference,
//! the reference's per-step trace equals TensorFlow Lite Micro's on the same
//! frames, and the profile's `report.html` plots both lines.

mod common;

use autodeploy_model::Model;
use autodeploy_profile::{render_html, TRACE_CHART_ID};
use autodeploy_testkit::models::model_path;
use autodeploy_testkit::oracle::{self, Case, Interpreter as Oracle};
use autodeploy_testkit::spoken::spoken_frames;
use autodeploy_validate::{validate_and_profile, ProfileOptions};
use common::{model_bytes, options};

#[tokio::test(flavor = "current_thread")]
async fn spoken_alexa_streams_bit_exact_and_the_report_plots_the_trace() {
    let name = "microwakeword/alexa";
    let bytes = model_bytes(name);
    let model = Model::from_bytes(&bytes).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let frames = spoken_frames(&model, "alexa", &dir.path().join("frames.npy"));
    let samples: Vec<_> = frames.iter().map(|f| vec![f.clone()]).collect();

    let deployed = validate_and_profile(
        &bytes,
        "alexa",
        &samples,
        &[],
        options("qemu-m4"),
        Some(ProfileOptions { warmup: 0, runs: 1 }),
    )
    .await
    .unwrap_or_else(|e| panic!("{name}: {e:?}"));
    let report = deployed.report.expect("a validation report");
    assert!(report.passed(), "{name}: {:?}", report.divergence);
    let state = report.state.as_ref().expect("a streaming model's state");
    assert_eq!((state.matching, state.elements), (3024, 3024));
    let (board, reference) = report.output_trace.clone().expect("a per-step trace");
    assert_eq!(board, reference);
    assert_eq!(board.len(), frames.len());
    assert_eq!(board.iter().copied().fold(0.0, f64::max), 255.0);

    // The reference line is TensorFlow Lite Micro's line.
    let results = oracle::run(&[Case {
        model: model_path(name),
        samples,
        interpreters: vec![Oracle::Tflm],
        tensors: Vec::new(),
    }]);
    let tflm: Vec<f64> = results[0]
        .get(Oracle::Tflm)
        .as_ref()
        .unwrap_or_else(|e| panic!("TFLite Micro failed: {e}"))
        .iter()
        .map(|s| f64::from(s.outputs[0].bytes[0]))
        .collect();
    assert_eq!(reference, tflm);

    let profile = deployed.profile.expect("a profile");
    assert_eq!(profile.memory.state, 3024);
    let html = render_html(&profile);
    assert!(html.contains(&format!("<svg id=\"{TRACE_CHART_ID}\"")));
    assert_eq!(html.matches("<polyline class=\"series\"").count(), 2);
    assert!(html.contains("bit-exact with TFLite Micro"));
}

#[tokio::test(flavor = "current_thread")]
async fn a_wrong_layer_in_a_stream_names_the_first_frame_and_layer() {
    let name = "microwakeword/alexa";
    let bytes = model_bytes(name);
    let mut opts = options("qemu-m4");
    // The first CONV_2D: its output feeds the window of variable
    // 'stream_7/states', so the state goes wrong from the first frame on.
    opts.firmware.corrupt_layer = Some(14);
    let report =
        autodeploy_validate::validate(&bytes, "alexa", &common::samples(&bytes, 5, 4), opts)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
    assert!(!report.passed(), "a corrupted layer must show");
    let state = report.state.as_ref().expect("the state is compared");
    assert!(!state.passes(), "the state differs after the stream");
    assert_eq!(report.first_bad_step, Some(0));
    let d = report.divergence.expect("the first differing layer");
    assert_eq!((d.sample, d.layer, d.op.as_str()), (0, 14, "CONV_2D"));
}
