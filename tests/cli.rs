//! The `atb-gpu` binary as a user runs it.

use std::process::Command;

fn atb_gpu(args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_atb-gpu"));
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("the binary runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn devices_lists_the_vulkan_adapter_and_the_auto_choice() {
    let (ok, stdout, stderr) = atb_gpu(&["devices", "--backend", "vulkan"], &[]);
    assert!(ok, "stdout: {stdout}\nstderr: {stderr}");
    assert!(stdout.contains("backend Vulkan"), "{stdout}");
    assert!(stdout.contains("max storage binding"), "{stdout}");
    assert!(stdout.contains("--device auto picks:"), "{stdout}");
}

#[test]
fn devices_without_a_vulkan_driver_says_so_and_fails_cleanly() {
    let no_driver = [
        ("VK_DRIVER_FILES", "/nonexistent/icd.json"),
        ("VK_ICD_FILENAMES", "/nonexistent/icd.json"),
    ];
    let (ok, stdout, stderr) = atb_gpu(&["devices", "--backend", "vulkan"], &no_driver);
    assert!(!ok, "must exit non-zero; stdout: {stdout}");
    assert!(stderr.contains("no Vulkan driver or adapter was found"), "{stderr}");
    assert!(stderr.contains("mesa-vulkan-drivers"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn unknown_device_choice_is_a_usage_error() {
    let (ok, _, stderr) = atb_gpu(&["devices", "--backend", "glide"], &[]);
    assert!(!ok);
    assert!(stderr.contains("invalid value 'glide'"), "{stderr}");
}
