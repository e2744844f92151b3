//! The build cache: identical input is a no-op, any change rebuilds.

mod common;

use autodeploy_toolchain::{Board, Builder};
use common::{firmware_dir, toolchain};

#[test]
fn second_identical_build_is_a_cache_hit_and_changes_rebuild() {
    let cache = tempfile::tempdir().unwrap();
    let builder = Builder::new(toolchain(), cache.path());
    let board = Board::builtin("qemu-m4").unwrap();
    let include = tempfile::tempdir().unwrap();
    std::fs::write(include.path().join("extra.h"), "#define EXTRA 1\n").unwrap();
    let spec = common::spec("hello", &["hello.c"])
        .include_dir(include.path())
        .define("HELLO_EXIT_CODE", Some("0"));

    let first = builder.build(&board, &spec).unwrap();
    assert!(!first.from_cache);
    let mtime = std::fs::metadata(&first.elf).unwrap().modified().unwrap();

    let second = builder.build(&board, &spec).unwrap();
    assert!(second.from_cache);
    assert_eq!(second.elf, first.elf);
    assert_eq!(second.cache_key, first.cache_key);
    assert_eq!(
        std::fs::metadata(&second.elf).unwrap().modified().unwrap(),
        mtime
    );
    assert_eq!(second.memory, first.memory);

    // A changed header in an include directory, a changed define, another board: rebuilt.
    std::fs::write(include.path().join("extra.h"), "#define EXTRA 2\n").unwrap();
    let third = builder.build(&board, &spec).unwrap();
    assert!(!third.from_cache);
    assert_ne!(third.cache_key, first.cache_key);
    let fourth = builder
        .build(&board, &spec.clone().define("ANOTHER", None))
        .unwrap();
    assert!(!fourth.from_cache);
    let m7 = builder
        .build(&Board::builtin("qemu-m7").unwrap(), &spec)
        .unwrap();
    assert!(!m7.from_cache);

    // Only finished entries are left in the cache directory.
    let leftovers: Vec<_> = std::fs::read_dir(cache.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert!(firmware_dir().join("hello.c").is_file());
}

#[test]
fn compile_errors_name_the_source() {
    let cache = tempfile::tempdir().unwrap();
    let src = cache.path().join("broken.c");
    std::fs::write(&src, "int main(void) { return missing; }\n").unwrap();
    let builder = Builder::new(toolchain(), cache.path().join("cache"));
    let err = builder
        .build(
            &Board::builtin("qemu-m4").unwrap(),
            &autodeploy_toolchain::FirmwareSpec::new("broken").source(&src),
        )
        .unwrap_err();
    match err {
        autodeploy_toolchain::ToolchainError::CompileFailed {
            source_file,
            stderr,
            board,
            ..
        } => {
            assert_eq!(source_file, src);
            assert_eq!(board, "qemu-m4");
            assert!(stderr.contains("missing"), "{stderr}");
        }
        other => panic!("expected CompileFailed, got {other:?}"),
    }
}
