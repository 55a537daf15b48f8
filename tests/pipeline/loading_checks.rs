//! Loading a saved version checks every tensor's name, shape and values against the config,
//! and the config against itself and scaler.json; errors name the version folder and file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use atb_gpu::ComputeDevice;
use atb_gpu::pipeline::{fit_neural, load_saved_model, save_neural};
use safetensors::tensor::{Dtype, TensorView};

use super::request;

/// (name, shape, little-endian f32 bytes) of every tensor in a safetensors file.
fn tensors(path: &Path) -> Vec<(String, Vec<usize>, Vec<u8>)> {
    let bytes = std::fs::read(path).unwrap();
    let file = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let mut out: Vec<_> = file
        .tensors()
        .into_iter()
        .map(|(name, view)| (name, view.shape().to_vec(), view.data().to_vec()))
        .collect();
    out.sort();
    out
}

fn write_tensors(path: &Path, tensors: &[(String, Vec<usize>, Vec<u8>)]) {
    let views: HashMap<String, TensorView<'_>> = tensors
        .iter()
        .map(|(name, shape, data)| {
            (
                name.clone(),
                TensorView::new(Dtype::F32, shape.clone(), data).unwrap(),
            )
        })
        .collect();
    std::fs::write(path, safetensors::serialize(views, None).unwrap()).unwrap();
}

/// The error of loading `models`' latest BTCUSDT version, which must name `version` and `file`.
fn load_error(models: &Path, version: &Path, file: &str) -> String {
    let err = match load_saved_model(models, "BTCUSDT", "latest", &ComputeDevice::Cpu) {
        Ok(_) => panic!("must not load"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains(&version.join(file).display().to_string()),
        "names {file} in the version folder: {err}"
    );
    err
}

fn saved_tcn(models: &Path) -> PathBuf {
    let req = request(
        models,
        "tcn",
        &["num_filters=4", "num_layers=1", "dense_units=4"],
    );
    let trained = fit_neural(&req, |_, _| {}).unwrap();
    save_neural(&req, &trained).unwrap().path
}

#[test]
fn tensors_must_match_the_config_by_name_and_shape() {
    let dir = tempfile::tempdir().unwrap();
    let version = saved_tcn(dir.path());
    let weights = version.join("model.safetensors");
    let original = tensors(&weights);
    let kernel = original
        .iter()
        .position(|(n, s, _)| s.len() == 3 && n.ends_with("conv_0/kernel"))
        .expect("a conv kernel");

    let mut reversed = original.clone();
    reversed[kernel].1.reverse();
    write_tensors(&weights, &reversed);
    let err = load_error(dir.path(), &version, "model.safetensors");
    assert!(
        err.contains(&format!("'{}' has shape", original[kernel].0)) && err.contains("needs"),
        "{err}"
    );

    let mut extra = original.clone();
    extra.push(("stray/bias".into(), vec![1], vec![0; 4]));
    write_tensors(&weights, &extra);
    let err = load_error(dir.path(), &version, "model.safetensors");
    assert!(
        err.contains("stray/bias") && err.contains("not parameters"),
        "{err}"
    );

    let mut missing = original.clone();
    let gone = missing.remove(0).0;
    write_tensors(&weights, &missing);
    let err = load_error(dir.path(), &version, "model.safetensors");
    assert!(err.contains(&format!("'{gone}' is missing")), "{err}");

    write_tensors(&weights, &original);
    load_saved_model(dir.path(), "BTCUSDT", "latest", &ComputeDevice::Cpu)
        .expect("the untouched file loads");
}

#[test]
fn the_config_must_agree_with_itself_and_the_scaler() {
    let dir = tempfile::tempdir().unwrap();
    let version = saved_tcn(dir.path());
    let path = version.join("config.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let edit = |change: &dyn Fn(&mut serde_json::Value)| {
        let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
        change(&mut json);
        std::fs::write(&path, serde_json::to_string(&json).unwrap()).unwrap();
        load_error(dir.path(), &version, "config.json")
    };
    let err = edit(&|j| {
        j["features"].as_array_mut().unwrap().pop();
    });
    assert!(
        err.contains("14 features are listed but the model takes 15"),
        "{err}"
    );
    let err = edit(&|j| j["uses_extra_columns"] = true.into());
    assert!(err.contains("uses_extra_columns is true"), "{err}");
    let err = edit(&|j| j["sequence_length"] = 0.into());
    assert!(err.contains("sequence_length is 0"), "{err}");
    let err = edit(&|j| j["features"][0] = "close".into());
    assert!(err.contains("differ from scaler.json"), "{err}");
    let err = edit(&|j| j["model"]["input_shape"] = serde_json::json!([12, 15]));
    assert!(
        err.contains("input_shape"),
        "today's config has no input_shape: {err}"
    );
}

#[test]
fn a_v0_1_0_sequence_length_that_disagrees_with_input_shape_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/v0_1_0/models");
    let source = std::fs::read_dir(fixture.join("BTCUSDT/price"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.ends_with("2026-12-01_08h_v1"))
        .unwrap();
    let version = dir.path().join("BTCUSDT/price/2026-12-01_08h_v1");
    std::fs::create_dir_all(&version).unwrap();
    for entry in std::fs::read_dir(&source).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), version.join(entry.file_name())).unwrap();
    }
    load_saved_model(dir.path(), "BTCUSDT", "latest", &ComputeDevice::Cpu).expect("the copy loads");
    let path = version.join("config.json");
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let t = json["model"]["input_shape"][0].as_u64().unwrap();
    json["sequence_length"] = (t + 1).into();
    std::fs::write(&path, serde_json::to_string(&json).unwrap()).unwrap();
    let err = load_error(dir.path(), &version, "config.json");
    assert!(
        err.contains(&format!("sequence_length {} disagrees", t + 1))
            && err.contains("input_shape"),
        "{err}"
    );
}
