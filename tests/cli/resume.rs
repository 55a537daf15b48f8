//! `train ... --resume`: a run killed with SIGKILL mid-epoch continues from the checkpoint of
//! its last finished epoch and ends with weights bit-identical to an uninterrupted run's.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use super::atb_gpu;
use super::fixtures::{assert_one_line_error, saved_version};

/// `train model BTCUSDT` on 60 days of the embedded data: a small cnn_lstm whose epochs take
/// about a second, with a patience that lets the learning rate drop on a plateau.
fn args<'a>(models: &'a Path, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "train",
        "model",
        "BTCUSDT",
        "--model-type",
        "cnn_lstm",
        "--variant",
        "lightweight",
        "--days",
        "60",
        "--sequence-length",
        "24",
        "--epochs",
        "6",
        "--patience",
        "3",
        "--seed",
        "5",
        "--device",
        "cpu",
        "--models-dir",
        models.to_str().unwrap(),
    ];
    args.extend(extra);
    args
}

fn weights(models: &Path) -> Vec<u8> {
    std::fs::read(
        saved_version(models)
            .expect("a saved version")
            .join("model.safetensors"),
    )
    .unwrap()
}

#[test]
fn a_killed_run_resumes_to_the_uninterrupted_runs_weights() {
    let dir = tempfile::tempdir().unwrap();
    let straight = dir.path().join("straight");
    let (ok, stdout, stderr) = atb_gpu(&args(&straight, &[]), &[]);
    assert!(ok, "{stdout}{stderr}");
    assert!(
        !straight.join("BTCUSDT/checkpoint-cnn_lstm").exists(),
        "a saved run's checkpoint is removed"
    );

    let killed = dir.path().join("killed");
    let mut child = Command::new(env!("CARGO_BIN_EXE_atb-gpu"))
        .args(args(&killed, &[]))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let second = line.starts_with("epoch   2/6");
        seen.push(line);
        if second {
            break;
        }
    }
    // The checkpoint of epoch 2 is renamed into place right after its line is printed.
    let state = killed.join("BTCUSDT/checkpoint-cnn_lstm/state.json");
    let waited = std::time::Instant::now();
    let epochs_done = || -> usize {
        let text = std::fs::read_to_string(&state).unwrap_or_default();
        text.split_once("\"epochs_done\":")
            .map(|(_, rest)| {
                rest.chars()
                    .take_while(char::is_ascii_digit)
                    .collect::<String>()
            })
            .and_then(|digits| digits.parse().ok())
            .unwrap_or(0)
    };
    while epochs_done() < 2 {
        assert!(waited.elapsed().as_secs() < 30, "no checkpoint of epoch 2");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().expect("SIGKILL during epoch 3");
    child.wait().unwrap();
    assert!(
        seen.last().is_some_and(|l| l.starts_with("epoch   2/6")),
        "{seen:?}"
    );
    assert!(
        saved_version(&killed).is_none(),
        "the killed run saved nothing"
    );
    assert!(
        killed
            .join("BTCUSDT/checkpoint-cnn_lstm/state.json")
            .exists()
    );

    let (ok, stdout, stderr) = atb_gpu(&args(&killed, &["--resume"]), &[]);
    assert!(ok, "{stdout}{stderr}");
    assert!(
        !stdout.contains("epoch   1/6") && !stdout.contains("epoch   2/6"),
        "resumed after epoch 2 or later: {stdout}"
    );
    assert_eq!(
        weights(&killed),
        weights(&straight),
        "bit-identical final weights"
    );
}

#[test]
fn resume_needs_a_checkpoint_of_the_same_run() {
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models");
    assert_one_line_error(
        &atb_gpu(&args(&models, &["--resume"]), &[]),
        &["checkpoint", "there is no checkpoint to resume"],
    );
    let checkpoint = models.join("BTCUSDT/checkpoint-cnn_lstm");
    std::fs::create_dir_all(&checkpoint).unwrap();
    std::fs::write(
        checkpoint.join("state.json"),
        r#"{"key":"another run","epochs_done":1,"stopped_early":false,"best_epoch":null,
            "adam_steps":0,"adam_learning_rate":0.001,"rng_state":0,"global_step":0,
            "learning_rate":0.001,"callbacks":{"settings":{"patience":3,"min_delta":0.0,
            "lr_patience":2,"lr_factor":0.5,"min_lr":1e-6},"best":1.0,"since_best":0,
            "since_lr_change":0,"learning_rate":0.001},"history":{"epochs":[]}}"#,
    )
    .unwrap();
    assert_one_line_error(
        &atb_gpu(&args(&models, &["--resume"]), &[]),
        &["belongs to another run"],
    );
    assert_one_line_error(
        &atb_gpu(
            &[
                "train",
                "model",
                "BTCUSDT",
                "--model-type",
                "lightgbm",
                "--resume",
                "--models-dir",
                models.to_str().unwrap(),
            ],
            &[],
        ),
        &["--resume continues a neural model's fit"],
    );
}
