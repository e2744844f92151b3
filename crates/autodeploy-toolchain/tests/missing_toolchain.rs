//! With AUTODEPLOY_GCC / AUTODEPLOY_QEMU pointing nowhere, discovery says what to install.
//! (Its own test binary: it changes the process environment.)

use autodeploy_toolchain::{find_qemu, QemuRunner, Toolchain, ToolchainError};

#[test]
fn nonexistent_overrides_give_tool_not_found() {
    std::env::set_var("AUTODEPLOY_GCC", "/nonexistent/bin/arm-none-eabi-gcc");
    std::env::set_var("AUTODEPLOY_QEMU", "/nonexistent/bin/qemu-system-arm");

    let err = Toolchain::discover().unwrap_err();
    let ToolchainError::ToolNotFound {
        tool,
        install_hint,
        detail,
    } = &err
    else {
        panic!("expected ToolNotFound, got {err:?}")
    };
    assert_eq!(tool, "arm-none-eabi-gcc");
    assert_eq!(
        install_hint,
        "apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi"
    );
    assert!(
        detail.contains("/nonexistent/bin/arm-none-eabi-gcc"),
        "{detail}"
    );
    assert_eq!(
        err.to_string(),
        "arm-none-eabi-gcc not found (AUTODEPLOY_GCC points to \"/nonexistent/bin/arm-none-eabi-gcc\", \
         which does not exist); install it with `apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi`"
    );

    assert!(matches!(
        find_qemu(),
        Err(ToolchainError::ToolNotFound { ref install_hint, .. }) if install_hint == "apt-get install qemu-system-arm"
    ));
    assert!(QemuRunner::discover().is_err());
}
