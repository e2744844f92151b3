//! Streaming models: resource variables persist across invocations, the
//! init subgraph runs once, and `reset` returns to a fresh interpreter.
//! Bit-exactness with TensorFlow Lite Micro is checked by the oracle test.

use autodeploy_model::{InputGenerator, Model, TensorValue};
use autodeploy_reference::Interpreter;
use autodeploy_testkit::models::model_path;

fn run_frames(interpreter: &mut Interpreter, seed: u64, frames: usize) -> Vec<Vec<TensorValue>> {
    let graph = interpreter.model().main_graph().clone();
    let input = graph.tensor(graph.inputs[0]).clone();
    let mut generator = InputGenerator::new(seed);
    (0..frames)
        .map(|_| {
            let frame = generator.value_for(&input).unwrap();
            interpreter.set_input(0, frame).unwrap();
            interpreter.invoke().unwrap();
            interpreter.variables()
        })
        .collect()
}

#[test]
fn state_persists_between_frames_and_reset_restores_it() {
    for name in ["microwakeword/alexa", "microwakeword/hey_jarvis"] {
        let model = Model::from_path(model_path(name)).unwrap();
        let mut interpreter = Interpreter::new(model).unwrap();
        let fresh = interpreter.variables();
        assert_eq!(fresh.len(), 6, "{name}");
        let first = run_frames(&mut interpreter, 7, 5);
        // The window shifts in new frames: the state moves on every step.
        assert_ne!(first[0], fresh, "{name}: state unchanged after a frame");
        assert_ne!(first[4], first[3], "{name}: state unchanged between frames");
        interpreter.reset();
        assert_eq!(interpreter.variables(), fresh, "{name}: reset");
        let again = run_frames(&mut interpreter, 7, 5);
        assert_eq!(again, first, "{name}: the same frames after reset");
    }
}
