//! Every shared model: the planner's plans (full and conservative) pass the
//! independent checker, and corrupted plans are rejected.

use std::path::PathBuf;

use autodeploy_codegen::plan::{check, plan, InPlace, MemoryPlan, Placement, PlanOptions};
use autodeploy_codegen::CodegenError;
use autodeploy_model::{Graph, Model};

fn models_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/models")
}

/// (name, graph) of every shared model the model crate accepts.
fn shared_models() -> Vec<(String, Graph)> {
    let mut out = Vec::new();
    for dir in ["mlperf-tiny", "tflm-examples", "microwakeword"] {
        let Ok(entries) = std::fs::read_dir(models_dir().join(dir)) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
        paths.sort();
        for path in paths {
            if path.extension().is_none_or(|e| e != "tflite") {
                continue;
            }
            // Streaming models (an init subgraph) are planned elsewhere.
            let Ok(model) = Model::from_path(&path) else {
                continue;
            };
            if model.subgraphs.len() != 1 {
                continue;
            }
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            out.push((name, model.main_graph().clone()));
        }
    }
    out
}

fn load(name: &str) -> Graph {
    let path = models_dir()
        .join("mlperf-tiny")
        .join(format!("{name}.tflite"));
    Model::from_path(path).unwrap().main_graph().clone()
}

#[test]
fn every_shared_model_gets_checked_plans() {
    let models = shared_models();
    assert!(models.len() >= 8, "only {} models found", models.len());
    for (name, graph) in &models {
        for options in [PlanOptions::default(), PlanOptions::conservative()] {
            let p = plan(graph, &options).unwrap_or_else(|e| panic!("{name}: {e}"));
            check(graph, &p).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(p.lower_bound <= p.arena_size, "{name}");
            assert_eq!(p.arena_size % 16, 0, "{name}");
        }
        let conservative = plan(graph, &PlanOptions::conservative()).unwrap();
        assert!(conservative
            .in_place
            .iter()
            .all(|s| matches!(s, InPlace::None)));
        assert_eq!(
            conservative.order,
            (0..graph.operators.len()).collect::<Vec<_>>()
        );
        // Without in-place schemes, our placement reaches the plain bound.
        assert!(
            conservative.arena_size >= conservative.plain_lower_bound,
            "{name}"
        );
    }
}

#[test]
fn mlperf_tiny_targets() {
    // (model, TFLite Micro total, TFLite Micro head) from SOURCES.md.
    for (name, total, head) in [
        ("kws_ref_model", 24_272, 16_000),
        ("vww_96_int8", 103_680, 73_728),
        ("ic_resnet8_int8", 55_984, 49_152),
        ("ad01_int8", 3_984, 768),
        ("str_ww_ref_model", 16_640, 6_656),
    ] {
        let graph = load(name);
        let p = plan(&graph, &PlanOptions::default()).unwrap();
        assert!(
            p.arena_size * 10 <= total * 6,
            "{name}: {} vs {total}",
            p.arena_size
        );
        assert!(
            p.arena_size <= head,
            "{name}: {} vs head {head}",
            p.arena_size
        );
    }
    let kws = plan(&load("kws_ref_model"), &PlanOptions::default()).unwrap();
    assert!(kws.arena_size <= 12_000, "kws: {}", kws.arena_size);
}

#[test]
fn plain_lower_bounds_match_the_anchors() {
    for (name, bound) in [
        ("kws_ref_model", 16_000),
        ("vww_96_int8", 55_296),
        ("ic_resnet8_int8", 49_152),
        ("ad01_int8", 768),
        ("str_ww_ref_model", 6_656),
    ] {
        let p = plan(&load(name), &PlanOptions::conservative()).unwrap();
        assert_eq!(p.plain_lower_bound, bound, "{name}");
        assert_eq!(p.arena_size, bound, "{name}: plain arena");
    }
}

#[test]
fn schemes_can_be_switched_off_one_by_one() {
    let graph = load("ic_resnet8_int8");
    for tweak in [
        |o: &mut PlanOptions| o.fused_add = false,
        |o: &mut PlanOptions| o.row_buffer = false,
        |o: &mut PlanOptions| o.elementwise_in_place = false,
        |o: &mut PlanOptions| o.reorder = false,
        |o: &mut PlanOptions| o.alias = false,
    ] {
        let mut options = PlanOptions::default();
        tweak(&mut options);
        let p = plan(&graph, &options).unwrap();
        check(&graph, &p).unwrap();
        for s in &p.in_place {
            match s {
                InPlace::FusedAdd { .. } | InPlace::FusedInto { .. } => assert!(options.fused_add),
                InPlace::RowBuffer { .. } => assert!(options.row_buffer),
                InPlace::Elementwise { .. } => assert!(options.elementwise_in_place),
                InPlace::Alias { .. } => assert!(options.alias),
                InPlace::None => {}
            }
        }
    }
}

#[test]
fn scratch_buffers_are_planned() {
    let graph = load("kws_ref_model");
    let options =
        PlanOptions::default().with_scratch(|_, op| if op.index % 2 == 0 { 100 } else { 0 });
    let p = plan(&graph, &options).unwrap();
    check(&graph, &p).unwrap();
    for (l, s) in p.scratch.iter().enumerate() {
        assert_eq!(s.map(|s| s.size), (l % 2 == 0).then_some(100), "layer {l}");
    }
}

fn kws_plan() -> (Graph, MemoryPlan) {
    let graph = load("kws_ref_model");
    let p = plan(&graph, &PlanOptions::conservative()).unwrap();
    (graph, p)
}

#[test]
fn overlap_is_rejected() {
    let (graph, mut p) = kws_plan();
    // Layer 1's input and output are live together; put one on the other.
    let op = &graph.operators[1];
    let (x, y) = (op.input(0).unwrap(), op.outputs[0]);
    p.buffers[y] = p.buffers[x];
    assert!(matches!(
        check(&graph, &p),
        Err(CodegenError::Overlap { .. })
    ));
}

#[test]
fn misalignment_is_rejected() {
    let (graph, mut p) = kws_plan();
    let t = graph.operators[3].outputs[0];
    let mut b = p.buffers[t].unwrap();
    b.offset += 4;
    p.buffers[t] = Some(b);
    assert!(matches!(
        check(&graph, &p),
        Err(CodegenError::Misaligned { .. })
    ));
}

#[test]
fn outside_arena_and_missing_are_rejected() {
    let (graph, p) = kws_plan();
    let mut small = p.clone();
    small.arena_size -= 16;
    assert!(matches!(
        check(&graph, &small),
        Err(CodegenError::OutsideArena { .. })
    ));
    let mut missing = p.clone();
    missing.buffers[graph.operators[5].outputs[0]] = None;
    assert!(matches!(
        check(&graph, &missing),
        Err(CodegenError::MissingPlacement { .. })
    ));
    let mut order = p.clone();
    order.order.swap(2, 3);
    assert!(matches!(
        check(&graph, &order),
        Err(CodegenError::InvalidOrder { .. })
    ));
}

#[test]
fn broken_in_place_schemes_are_rejected() {
    let graph = load("kws_ref_model");
    let p = plan(&graph, &PlanOptions::default()).unwrap();
    // A depthwise row buffer without its line buffer.
    let (l, _) = p
        .in_place_layers()
        .find(|(l, s)| {
            matches!(s, InPlace::RowBuffer { rows, .. } if *rows > 0)
                && graph.operators[*l].name() == "DEPTHWISE_CONV_2D"
        })
        .expect("kws uses a depthwise row buffer");
    let mut no_lines = p.clone();
    if let InPlace::RowBuffer {
        rows, line_buffer, ..
    } = &mut no_lines.in_place[l]
    {
        *rows = 0;
        *line_buffer = None;
    }
    assert!(matches!(
        check(&graph, &no_lines),
        Err(CodegenError::InPlaceRule { .. })
    ));
    // One slot fewer than needed: two saved rows collide.
    let mut short = p.clone();
    if let InPlace::RowBuffer { rows, .. } = &mut short.in_place[l] {
        *rows -= 1;
    }
    if let InPlace::RowBuffer { rows, .. } = &short.in_place[l] {
        if *rows > 0 {
            assert!(matches!(
                check(&graph, &short),
                Err(CodegenError::InPlaceRule { .. })
            ));
        }
    }
    // The line buffer placed over the live tensor.
    let mut clash = p.clone();
    let x = graph.operators[l].input(0).unwrap();
    if let InPlace::RowBuffer { line_buffer, .. } = &mut clash.in_place[l] {
        let lb = line_buffer.unwrap();
        *line_buffer = Some(Placement {
            offset: p.buffers[x].unwrap().offset,
            size: lb.size,
        });
    }
    assert!(check(&graph, &clash).is_err());

    // A fused ADD whose residual is not where the ADD writes.
    let graph = load("ic_resnet8_int8");
    let p = plan(&graph, &PlanOptions::default()).unwrap();
    let (_, fused) = p
        .in_place_layers()
        .find(|(_, s)| matches!(s, InPlace::FusedAdd { .. }))
        .expect("ic_resnet8 fuses an ADD");
    let InPlace::FusedAdd { add_layer, .. } = fused.clone() else {
        unreachable!()
    };
    let mut moved = p.clone();
    let out = graph.operators[add_layer].outputs[0];
    moved.buffers[out] = Some(Placement {
        offset: moved.arena_size,
        size: moved.buffers[out].unwrap().size,
    });
    moved.arena_size += moved.buffers[out].unwrap().size.div_ceil(16) * 16;
    assert!(matches!(
        check(&graph, &moved),
        Err(CodegenError::InPlaceRule { .. })
    ));
}

#[test]
fn streaming_models_plan_without_their_state_and_placing_it_is_refused() {
    use autodeploy_codegen::plan::plan_with_external;
    use autodeploy_codegen::state::plan_state;

    for name in ["alexa", "hey_jarvis"] {
        let path = models_dir()
            .join("microwakeword")
            .join(format!("{name}.tflite"));
        let model = Model::from_path(path).unwrap();
        let graph = model.main_graph();
        let state = plan_state(&model).unwrap();
        assert_eq!(state.size, model.state.bytes(), "{name}");
        let external = state.external();
        for options in [PlanOptions::default(), PlanOptions::conservative()] {
            let p = plan_with_external(graph, &options, &external)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            check(graph, &p).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(external.iter().all(|&t| p.buffers[t].is_none()), "{name}");
        }
        let mut bad = plan_with_external(graph, &PlanOptions::default(), &external).unwrap();
        let in_state = external
            .iter()
            .copied()
            .find(|&t| state.in_state[t].is_some())
            .expect("a tensor aliased onto the state");
        bad.buffers[in_state] = Some(Placement {
            offset: 0,
            size: graph.tensor(in_state).byte_size(),
        });
        assert!(
            matches!(check(graph, &bad), Err(CodegenError::ExternalPlaced { .. })),
            "{name}"
        );
    }
}
