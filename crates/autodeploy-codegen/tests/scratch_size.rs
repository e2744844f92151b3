//! The code generator's scratch sizes (`autodeploy_codegen::emit::scratch`)
//! are the C runtime's `*_scratch_size()` companions: the companions,
//! compiled for the host, give the same bytes on a grid of filter shapes.

use std::fmt::Write as _;
use std::process::Command;

use autodeploy_codegen::emit::scratch;
use autodeploy_testkit::models::workspace_root;

#[test]
fn rust_scratch_sizes_are_the_c_companions() {
    let mut shapes = Vec::new();
    for k_h in [1, 2, 3, 5, 10] {
        for k_w in [1, 3, 4, 7] {
            for c in [1, 3, 4, 8, 40, 64, 129] {
                for out_c in [1, 2, 3, 8, 12, 13, 64, 128, 255] {
                    shapes.push((k_h, k_w, c, out_c));
                }
            }
        }
    }
    let mut main =
        String::from("#include <stdio.h>\n#include \"ad_runtime.h\"\nint main(void)\n{\n");
    for (h, w, c, o) in &shapes {
        let _ = writeln!(
            main,
            "    {{ ad_dims f = {{{o}, {h}, {w}, {c}}}, out = {{1, 1, 1, {o}}};\n      printf(\"%d %d %d\\n\", (int)ad_conv2d_mve_s8_scratch_size(&f, &out), (int)ad_depthwise_conv2d_mve_s8_scratch_size(&f, &out), (int)ad_conv2d_w16_dsp_s8_scratch_size(&f)); }}"
        );
    }
    main.push_str("    return 0;\n}\n");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.c"), main).unwrap();
    let runtime = workspace_root().join("firmware-templates/runtime");
    let exe = dir.path().join("sizes");
    let built = Command::new("cc")
        .arg("-std=c99")
        .arg("-Wall")
        .arg("-Werror")
        .arg(format!("-I{}", runtime.join("include").display()))
        .arg(format!("-I{}", runtime.join("src/conv").display()))
        .arg(dir.path().join("main.c"))
        .args(
            [
                "ad_conv2d_mve_scratch_size.c",
                "ad_depthwise_conv2d_mve_scratch_size.c",
                "ad_conv2d_w16_scratch_size.c",
            ]
            .map(|f| runtime.join("src/conv").join(f)),
        )
        .arg("-o")
        .arg(&exe)
        .output()
        .expect("the host C compiler `cc`");
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let run = Command::new(&exe).output().unwrap();
    assert!(run.status.success());
    let lines: Vec<String> = String::from_utf8(run.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(lines.len(), shapes.len());
    for ((h, w, c, o), line) in shapes.iter().zip(&lines) {
        let expected = format!(
            "{} {} {}",
            scratch::conv_mve(h * w * c, *o),
            scratch::depthwise_mve(h * w, *o, true),
            scratch::w16(*h, *w, *c)
        );
        assert_eq!(line, &expected, "filter {h}x{w}x{c}, {o} output channels");
    }
}
