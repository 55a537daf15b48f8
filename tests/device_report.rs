//! `tools/device_report.sh --smoke` against the executables cargo built for this test run
//! (`target/<profile>/atb-gpu`, `target/<profile>/examples/{epoch_bench,gbdt_bench}`; a plain
//! `cargo test` builds the examples, `cargo test --test device_report` alone does not — then
//! run `cargo build --examples` first). The criterion bench executable is not built by
//! `cargo test`, so that step is skipped with its reason; so are the torch steps where PyTorch
//! is missing. Checks the report's structure and that every step that ran passed.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// `target/<profile>`: the test executable lives in `target/<profile>/deps`.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable's path");
    exe.parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps/<test>")
        .to_path_buf()
}

#[test]
fn the_smoke_report_runs_every_step_or_says_why_not() {
    let bin_dir = profile_dir();
    for exe in ["atb-gpu", "examples/epoch_bench", "examples/gbdt_bench"] {
        assert!(
            bin_dir.join(exe).is_file(),
            "{} is missing: build the examples first (cargo build --examples, or a plain cargo test)",
            bin_dir.join(exe).display()
        );
    }
    let out = tempfile::tempdir().expect("a temporary folder");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/device_report.sh");
    let run = Command::new("bash")
        .arg(&script)
        .arg(out.path())
        .arg("--smoke")
        .arg("--bin-dir")
        .arg(&bin_dir)
        .output()
        .expect("bash runs the script");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "device_report.sh failed:\n{stderr}");

    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(out.path().join("report.json")).expect("report.json"),
    )
    .expect("report.json is JSON");
    assert_eq!(report["mode"], "smoke");
    let steps = report["steps"].as_array().expect("a list of steps");
    let names: Vec<&str> = steps.iter().filter_map(|s| s["name"].as_str()).collect();
    for expected in [
        "devices",
        "kernels_ours",
        "kernels_torch",
        "gbdt_ours",
        "gbdt_xgboost",
        "gbdt_lightgbm",
    ] {
        assert!(names.contains(&expected), "no step {expected} in {names:?}");
    }
    let epochs = report["epochs"].as_array().expect("epoch rows");
    assert_eq!(epochs.len(), 8, "four models at two batch sizes");
    for row in epochs {
        let (model, batch) = (&row["model_type"], &row["batch_size"]);
        for kind in ["ours", "torch_eager", "torch_compile"] {
            let name = format!("epoch_{kind}_{}_bs{batch}", model.as_str().unwrap_or("?"));
            assert!(names.contains(&name.as_str()), "no step {name}");
        }
    }
    for step in steps {
        let (name, status) = (&step["name"], step["status"].as_str());
        match status {
            Some("passed") => {}
            Some("skipped") => assert!(
                step["reason"].as_str().is_some_and(|r| !r.is_empty()),
                "{name} was skipped without a reason"
            ),
            _ => panic!(
                "{name} {status:?}: {}\n{}",
                step["reason"], step["stderr_tail"]
            ),
        }
    }
    let skipped = |name: &str| {
        steps
            .iter()
            .any(|s| s["name"] == name && s["status"] == "skipped")
    };
    // Without the bench executable its step says so; the first steps always run.
    assert!(skipped("kernels_ours"));
    assert!(!skipped("devices"));
    for row in epochs {
        let ours = &row["ours"];
        let seconds = ours["epoch_seconds"].as_array().expect("epoch seconds");
        assert_eq!(seconds.len(), 1, "one smoke epoch: {ours}");
        assert!(seconds[0].as_f64().is_some_and(|s| s > 0.0));
        assert!(ours["trainable_parameters"].as_u64().is_some_and(|p| p > 0));
        assert!(
            ours["infer_batch1_ms_p50"]
                .as_f64()
                .is_some_and(|p| p > 0.0)
        );
        if !row["torch_eager"].is_null() {
            assert_eq!(
                row["torch_eager"]["trainable_parameters"],
                ours["trainable_parameters"]
            );
        }
    }
    let summary = std::fs::read_to_string(out.path().join("summary.md")).expect("summary.md");
    for heading in [
        "## Steps",
        "## Training epoch",
        "## Inference",
        "## Kernels",
        "## Boosting",
    ] {
        assert!(summary.contains(heading), "summary.md lacks {heading}");
    }
    assert!(summary.contains("| kernels_ours | skipped |"));
}
