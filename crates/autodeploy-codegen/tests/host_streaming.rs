//! Streaming models (microWakeWord alexa, hey_jarvis): the generated C,
//! built for the host with AddressSanitizer and UndefinedBehaviorSanitizer,
//! matches the reference interpreter bit for bit over 100 consecutive seeded
//! frames (and over espeak-ng's spoken wake word), outputs and state after
//! every step; `NAME_reset()` restores the initial state and the same
//! frames then give the same results again.

mod common;

use autodeploy_codegen::{generate, write_files, GenerateOptions, Generated};
use autodeploy_model::{InputGenerator, Model, TensorValue};
use autodeploy_reference::Interpreter;
use autodeploy_testkit::models::{model_path, workspace_root};
use autodeploy_testkit::spoken::spoken_frames;
use common::{build_host, run_with_stdin};

const FRAMES: usize = 100;
const AGAIN: usize = 5;

/// The reference's variables laid out as the generated state region.
fn region(generated: &Generated, variables: &[TensorValue]) -> Vec<u8> {
    let mut out = vec![0u8; generated.state.size];
    for (slot, value) in generated.state.slots.iter().zip(variables) {
        out[slot.offset..slot.offset + slot.bytes].copy_from_slice(&value.bytes);
    }
    out
}

/// The frames to stream: 100 seeded random ones, or the spoken `text`.
enum Frames {
    Random,
    Spoken(&'static str),
}

fn check_model(name: &str, source: Frames) {
    let bytes = std::fs::read(model_path(name)).unwrap();
    check_bytes(name, &bytes, source);
}

fn check_bytes(name: &str, bytes: &[u8], source: Frames) {
    let model = Model::from_bytes(bytes).unwrap();
    let stem = name.rsplit('/').next().unwrap();
    let generated = generate(&model, bytes, &GenerateOptions::new(stem, stem))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(
        generated.state.size,
        model.state.bytes(),
        "{name}: state size"
    );
    assert!(
        generated
            .file(&format!("{stem}.h"))
            .unwrap()
            .contents
            .contains(&format!(
                "#define {}_STATE_SIZE {}u",
                stem.to_uppercase(),
                generated.state.size
            )),
        "{name}: the header states the state size"
    );
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &generated.files, false).unwrap();
    let runner =
        workspace_root().join("crates/autodeploy-codegen/tests/stream_runner/ad_stream_runner.c");
    let exe = build_host(dir.path(), &runner);

    let graph = model.main_graph();
    let input = graph.tensor(graph.inputs[0]);
    let frames: Vec<TensorValue> = match source {
        Frames::Random => {
            let mut generator = InputGenerator::new(0x57EA);
            (0..FRAMES)
                .map(|_| generator.value_for(input).unwrap())
                .collect()
        }
        Frames::Spoken(text) => spoken_frames(&model, text, &dir.path().join("frames.npy")),
    };
    // 100 frames, a reset, then the first frames again.
    let mut commands = Vec::new();
    for frame in &frames {
        commands.push(b'f');
        commands.extend_from_slice(&frame.bytes);
    }
    commands.push(b'r');
    for frame in &frames[..AGAIN] {
        commands.push(b'f');
        commands.extend_from_slice(&frame.bytes);
    }
    let output = run_with_stdin(&exe, commands);
    assert!(
        output.status.success(),
        "{name}: runner failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let out = output.stdout;
    let mut at = 0;
    let mut take = |n: usize| {
        let bytes = out[at..at + n].to_vec();
        at += n;
        bytes
    };

    let mut interpreter = Interpreter::new(model.clone()).unwrap();
    let initial = region(&generated, &interpreter.initial_variables().unwrap());
    let step = |interpreter: &mut Interpreter,
                take: &mut dyn FnMut(usize) -> Vec<u8>,
                k: usize,
                frame: &TensorValue| {
        interpreter.set_input(0, frame.clone()).unwrap();
        interpreter.invoke().unwrap();
        for (o, expected) in interpreter.outputs().iter().enumerate() {
            assert_eq!(
                take(expected.bytes.len()),
                expected.bytes,
                "{name}: step {k} output {o} differs from the reference"
            );
        }
        let state = region(&generated, &interpreter.variables());
        assert_eq!(
            take(state.len()),
            state,
            "{name}: state after step {k} differs from the reference"
        );
    };
    for (k, frame) in frames.iter().enumerate() {
        step(&mut interpreter, &mut take, k, frame);
    }
    assert_eq!(take(initial.len()), initial, "{name}: state after reset");
    interpreter.reset();
    for (k, frame) in frames[..AGAIN].iter().enumerate() {
        step(&mut interpreter, &mut take, k, frame);
    }
    assert_eq!(at, out.len(), "{name}: extra output bytes");
}

#[test]
fn alexa_matches_the_reference_over_100_frames_and_reset() {
    check_model("microwakeword/alexa", Frames::Random);
}

#[test]
fn alexa_matches_the_reference_on_the_spoken_word() {
    check_model("microwakeword/alexa", Frames::Spoken("alexa"));
}

#[test]
fn hey_jarvis_matches_the_reference_over_100_frames_and_reset() {
    check_model("microwakeword/hey_jarvis", Frames::Random);
}

/// A float streaming model in miniature whose READ_VARIABLE and
/// ASSIGN_VARIABLE must copy: the value read and the value assigned are
/// both model outputs, so neither may live in the state region. The init
/// subgraph assigns 0.5 to every element.
fn copying_model() -> Vec<u8> {
    use autodeploy_model::builder::{GraphBuilder, TensorSpec};
    use autodeploy_model::{Activation, ElementType, OpKind};
    const F32: ElementType = ElementType::Float32;
    let handle = |g: &mut GraphBuilder| {
        let h = g.tensor(TensorSpec::new("h", ElementType::Resource, &[]));
        g.operator(
            OpKind::VarHandle {
                container: String::new(),
                shared_name: "s".into(),
            },
            &[],
            &[h],
        );
        h
    };
    let mut init = GraphBuilder::new();
    let h = handle(&mut init);
    let half = init.tensor(TensorSpec::new("half", F32, &[1, 4]).data_f32(&[0.5; 4]));
    init.operator(OpKind::AssignVariable, &[h, half], &[]);
    let mut main = GraphBuilder::new();
    let x = main.tensor(TensorSpec::new("x", F32, &[1, 4]));
    let old = main.tensor(TensorSpec::new("old", F32, &[1, 4]));
    let new = main.tensor(TensorSpec::new("new", F32, &[1, 4]));
    main.operator(OpKind::CallOnce { init_subgraph: 1 }, &[], &[]);
    let h = handle(&mut main);
    main.operator(OpKind::ReadVariable, &[h], &[old])
        .operator(
            OpKind::Add {
                activation: Activation::None,
                pot_scale_int16: false,
            },
            &[x, old],
            &[new],
        )
        .operator(OpKind::AssignVariable, &[h, new], &[])
        .inputs(&[x])
        .outputs(&[new, old]);
    main.into_model().subgraph(init).finish().unwrap()
}

#[test]
fn read_and_assign_copies_match_the_reference() {
    let bytes = copying_model();
    let model = Model::from_bytes(&bytes).unwrap();
    let generated = generate(&model, &bytes, &GenerateOptions::new("acc", "acc")).unwrap();
    use autodeploy_codegen::state::StateOp;
    assert!(matches!(generated.state.ops[2], StateOp::ReadCopy { .. }));
    assert!(matches!(generated.state.ops[4], StateOp::AssignCopy { .. }));
    assert_eq!(generated.state.initial, 0.5f32.to_le_bytes().repeat(4));
    check_bytes("acc", &bytes, Frames::Random);
}
