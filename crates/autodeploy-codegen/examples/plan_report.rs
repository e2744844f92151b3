//! Prints the memory plan figures of each model given on the command line,
//! one line per model (`key=value`, tab-separated), for `cargo xtask bench
//! memory`. `generated_arena` is the arena of the C code `generate` emits
//! with its default options (what the product delivers); `arena` is the
//! planner's best with every option. With `--detail`, also prints every
//! layer's scheme and every tensor's placement.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

use autodeploy_codegen::plan::{check, plan_with_external, PlanOptions};
use autodeploy_codegen::state::plan_state;
use autodeploy_codegen::{generate, GenerateOptions};
use autodeploy_model::Model;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let detail = args.iter().any(|a| a == "--detail");
    let mut failed = false;
    for path in args.iter().filter(|a| !a.starts_with("--")) {
        if let Err(e) = report(path, detail) {
            eprintln!("{path}: {e}");
            failed = true;
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn report(path: &str, detail: bool) -> Result<(), Box<dyn std::error::Error>> {
    let bytes = std::fs::read(path)?;
    let model = Model::from_bytes(&bytes)?;
    let graph = model.main_graph();
    // Streaming models: the tensors of the state region are not in the arena.
    let external = plan_state(&model)?.external();
    let best = plan_with_external(graph, &PlanOptions::default(), &external)?;
    check(graph, &best)?;
    let plain = plan_with_external(graph, &PlanOptions::conservative(), &external)?;
    check(graph, &plain)?;
    let name = std::path::Path::new(path)
        .file_stem()
        .map_or_else(|| path.to_string(), |s| s.to_string_lossy().into_owned());
    let schemes: Vec<String> = best
        .in_place_layers()
        .map(|(l, s)| format!("{l}:{}", s.name()))
        .collect();
    let reordered = best.order != (0..graph.operators.len()).collect::<Vec<_>>();
    // The arena the generated C declares, or why there is no generated code.
    // The header's macros: what the product delivers.
    let (generated_arena, generated_state) =
        match generate(&model, &bytes, &GenerateOptions::new(&name, path)) {
            Ok(g) => {
                let header = g
                    .file(&format!("{}.h", g.name))
                    .ok_or("no generated header")?;
                let macro_value = |what: &str| {
                    let key = format!("#define {}_{what} ", g.name.to_uppercase());
                    header
                        .contents
                        .lines()
                        .find_map(|l| l.strip_prefix(key.as_str()))
                        .map(|v| v.trim_end_matches('u').to_string())
                        .ok_or(format!("no {what} in the generated header"))
                };
                (macro_value("ARENA_SIZE")?, macro_value("STATE_SIZE")?)
            }
            Err(e) => (
                format!("error: {}", e.to_string().replace(['\t', '\n'], " ")),
                "0".into(),
            ),
        };
    println!(
        "model={name}\tgenerated_arena={generated_arena}\tgenerated_state={generated_state}\tarena={}\tlower_bound={}\tplain_lower_bound={}\tplain_arena={}\tstrategy={}\treordered={reordered}\tschemes={}",
        best.arena_size,
        best.lower_bound,
        best.plain_lower_bound,
        plain.arena_size,
        best.strategy,
        schemes.join(",")
    );
    if detail {
        println!("  order: {:?}", best.order);
        for (l, s) in best.in_place_layers() {
            println!("  layer {l} {}: {s:?}", graph.operators[l].name());
        }
        for (t, p) in best.buffers.iter().enumerate() {
            if let Some(p) = p {
                let tensor = &graph.tensors[t];
                println!(
                    "  tensor {t} '{}' {:?}: {}..{}",
                    tensor.name,
                    tensor.shape,
                    p.offset,
                    p.end()
                );
            }
        }
    }
    Ok(())
}
