//! Streaming models against TensorFlow Lite Micro: 100 consecutive seeded
//! random frames through one interpreter instance on each side, every
//! step's output compared, and the state too. TensorFlow Lite Micro's Python
//! API does not expose resource variables, so the state it holds is read
//! from the tensors that its ASSIGN_VARIABLE operators store (the new state
//! of each step), and compared with the reference's variables.

// The per-model summary line is for people reading the test log.
#![allow(clippy::print_stderr)]

use autodeploy_model::{InputGenerator, Model};
use autodeploy_reference::Interpreter;
use autodeploy_testkit::models::{assigned_tensors, model_path};
use autodeploy_testkit::oracle::{self, Case, Interpreter as Oracle};

const FRAMES: usize = 100;

#[test]
fn microwakeword_models_match_tflite_micro_over_100_frames() {
    let names = ["microwakeword/alexa", "microwakeword/hey_jarvis"];
    let mut cases = Vec::new();
    let mut models = Vec::new();
    for name in names {
        let model = Model::from_path(model_path(name)).unwrap();
        let graph = model.main_graph();
        let input = graph.tensor(graph.inputs[0]);
        let mut generator = InputGenerator::new(2026);
        let samples = (0..FRAMES)
            .map(|_| vec![generator.value_for(input).unwrap()])
            .collect();
        let assigned = assigned_tensors(&model);
        cases.push(Case {
            model: model_path(name),
            samples,
            interpreters: vec![Oracle::Tflm],
            tensors: assigned.iter().map(|&(_, t)| t).collect(),
        });
        models.push((name, model, assigned));
    }
    let results = oracle::run(&cases);
    for ((name, model, assigned), (case, result)) in
        models.into_iter().zip(cases.iter().zip(&results))
    {
        let tflm = result
            .get(Oracle::Tflm)
            .as_ref()
            .unwrap_or_else(|e| panic!("{name}: TFLite Micro failed: {e}"));
        let mut interpreter = Interpreter::new(model).unwrap();
        let mut nonzero = 0;
        for (step, (inputs, expected)) in case.samples.iter().zip(tflm).enumerate() {
            interpreter.set_input(0, inputs[0].clone()).unwrap();
            interpreter.invoke().unwrap();
            assert_eq!(
                interpreter.outputs(),
                expected.outputs,
                "{name}: output differs at step {step}"
            );
            let state = interpreter.variables();
            for &(id, tensor) in &assigned {
                let theirs = &expected.tensors[&tensor];
                assert_eq!(
                    state[id].bytes, theirs.bytes,
                    "{name}: variable {id} differs after step {step}"
                );
            }
            nonzero += usize::from(expected.outputs[0].bytes.iter().any(|&b| b != 0));
        }
        assert_eq!(tflm.len(), FRAMES, "{name}");
        // Random frames mostly drive the probability to 0; the state check
        // above is what makes this comparison meaningful.
        eprintln!("{name}: {FRAMES} steps bit-exact, {nonzero} non-zero outputs");
    }
}
