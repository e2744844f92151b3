//! A real signal through the streaming models: espeak-ng says "alexa" and
//! "hey jarvis", pymicro-features makes the int8 frames
//! (`autodeploy_testkit::spoken`), and every frame streams through the
//! reference and TensorFlow Lite Micro, one instance each: every step's
//! output and every variable after every step are bit-exact (TFLite Micro's
//! variables read from the tensors its ASSIGN_VARIABLE stores, as in
//! `oracle_streaming`). alexa's probability reaches 255 of 255 at the word
//! and falls back to 0 after it; hey_jarvis does not react to espeak-ng's
//! "hey jarvis", so it is checked for exactness only.

// The probability trace is for people reading the test log.
#![allow(clippy::print_stderr)]

use autodeploy_model::Model;
use autodeploy_reference::Interpreter;
use autodeploy_testkit::models::{assigned_tensors, model_path};
use autodeploy_testkit::oracle::{self, Case, Interpreter as Oracle};
use autodeploy_testkit::spoken::spoken_frames;

fn trace(name: &str, text: &str) -> Vec<u8> {
    let model = Model::from_path(model_path(name)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let frames = spoken_frames(&model, text, &dir.path().join("frames.npy"));
    assert!(frames.len() > 50, "{name}: only {} frames", frames.len());
    let assigned = assigned_tensors(&model);
    let case = Case {
        model: model_path(name),
        samples: frames.iter().map(|f| vec![f.clone()]).collect(),
        interpreters: vec![Oracle::Tflm],
        tensors: assigned.iter().map(|&(_, t)| t).collect(),
    };
    let results = oracle::run(std::slice::from_ref(&case));
    let tflm = results[0]
        .get(Oracle::Tflm)
        .as_ref()
        .unwrap_or_else(|e| panic!("{name}: TFLite Micro failed: {e}"));
    assert_eq!(tflm.len(), frames.len(), "{name}");
    let mut interpreter = Interpreter::new(model).unwrap();
    let mut ours = Vec::new();
    for (step, (frame, expected)) in frames.iter().zip(tflm).enumerate() {
        interpreter.set_input(0, frame.clone()).unwrap();
        interpreter.invoke().unwrap();
        let output = interpreter.outputs();
        assert_eq!(
            output, expected.outputs,
            "{name}: output differs from TFLite Micro at step {step}"
        );
        let state = interpreter.variables();
        for &(id, tensor) in &assigned {
            assert_eq!(
                state[id].bytes, expected.tensors[&tensor].bytes,
                "{name}: variable {id} differs from TFLite Micro after step {step}"
            );
        }
        ours.push(output[0].bytes[0]);
    }
    eprintln!("{name} '{text}': {ours:?}");
    ours
}

#[test]
fn spoken_alexa_fires_alexa_and_matches_tflite_micro_at_every_step() {
    let probability = trace("microwakeword/alexa", "alexa");
    let peak = probability.iter().copied().max().unwrap();
    assert_eq!(peak, 255, "alexa's probability at the word");
    let at = probability.iter().position(|&p| p == 255).unwrap();
    // Silence before the word and after it: low at the start and the end.
    assert!(
        probability[..at / 2].iter().all(|&p| p < 64),
        "{probability:?}"
    );
    let tail = &probability[probability.len() - 20..];
    assert!(
        tail.iter().all(|&p| p == 0),
        "falls back after the word: {tail:?}"
    );
}

#[test]
fn spoken_hey_jarvis_matches_tflite_micro_at_every_step() {
    trace("microwakeword/hey_jarvis", "hey jarvis");
}
