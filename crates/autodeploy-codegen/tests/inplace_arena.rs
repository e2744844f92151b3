//! The generated code gets the planner's arena: `NAME_ARENA_SIZE` in the
//! generated header equals the arena of the planner's best plan (every
//! option on) for the models whose targets need in-place execution.

use autodeploy_codegen::plan::{plan, InPlace, PlanOptions};
use autodeploy_codegen::{generate, GenerateOptions};
use autodeploy_model::Model;
use autodeploy_testkit::models::model_path;

fn generated_arena(name: &str) -> (usize, usize, Vec<&'static str>) {
    let bytes = std::fs::read(model_path(name)).unwrap();
    let model = Model::from_bytes(&bytes).unwrap();
    let stem = name.rsplit('/').next().unwrap();
    let generated = generate(&model, &bytes, &GenerateOptions::new(stem, stem))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let header = &generated.file(&format!("{stem}.h")).unwrap().contents;
    let key = format!("#define {}_ARENA_SIZE ", stem.to_uppercase());
    let declared: usize = header
        .lines()
        .find_map(|l| l.strip_prefix(key.as_str()))
        .unwrap_or_else(|| panic!("{name}: no {key} in the header"))
        .trim_end_matches('u')
        .parse()
        .unwrap();
    let best = plan(model.main_graph(), &PlanOptions::default()).unwrap();
    let schemes = generated
        .plan
        .in_place
        .iter()
        .filter(|s| !matches!(s, InPlace::None))
        .map(InPlace::name)
        .collect();
    (declared, best.arena_size, schemes)
}

#[test]
fn kws_generated_arena_is_the_planners() {
    let (declared, planner, schemes) = generated_arena("mlperf-tiny/kws_ref_model");
    assert_eq!(declared, planner, "kws: generated arena vs planner");
    assert!(declared <= 12_000, "kws arena {declared} > 12,000");
    assert!(schemes.contains(&"row_buffer"), "{schemes:?}");
}

#[test]
fn ic_resnet8_generated_arena_is_the_planners() {
    let (declared, planner, schemes) = generated_arena("mlperf-tiny/ic_resnet8_int8");
    assert_eq!(declared, planner, "ic_resnet8: generated arena vs planner");
    assert!(declared <= 33_590, "ic_resnet8 arena {declared}");
    assert!(schemes.contains(&"fused_add"), "{schemes:?}");
    assert!(schemes.contains(&"fused_into"), "{schemes:?}");
}
