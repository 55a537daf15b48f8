//! safetensors loading: `read_tensors` on arbitrary and damaged files, and a saved version
//! whose weights file holds any mix of the model's tensors (renamed, reshaped, missing, extra,
//! non-finite): loaded exactly when every tensor matches, refused otherwise, never a panic.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use atb_gpu::device::DeviceRequest;
use atb_gpu::pipeline::{TrainRequest, fit_neural, load_saved_model, save_neural};
use atb_gpu::registry::read_tensors;
use atb_gpu::{ComputeDevice, DeviceChoice};
use proptest::prelude::*;
use safetensors::tensor::{Dtype, TensorView};

/// A tiny saved tcn (trained once), its weights as (name, shape, bytes), and a lock: the
/// cases rewrite its weights file.
struct Saved {
    _dir: tempfile::TempDir,
    models: PathBuf,
    weights: PathBuf,
    tensors: Vec<(String, Vec<usize>, Vec<u8>)>,
}

fn saved() -> &'static Mutex<Saved> {
    static SAVED: OnceLock<Mutex<Saved>> = OnceLock::new();
    SAVED.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let request = TrainRequest {
            symbol: "BTCUSDT".into(),
            model_type: "tcn".into(),
            variant: "lightweight".into(),
            days: Some(20),
            epochs: 1,
            batch_size: 16,
            sequence_length: 12,
            learning_rate: None,
            patience: 5,
            seed: 3,
            device: DeviceRequest {
                device: DeviceChoice::Cpu,
                backend: None,
                allow_software: false,
            },
            data: None,
            max_gap_bars: atb_gpu::data::DEFAULT_MAX_GAP_BARS,
            checkpoint: None,
            models_dir: dir.path().to_path_buf(),
            overrides: vec![
                "num_filters=3".into(),
                "num_layers=1".into(),
                "dense_units=2".into(),
            ],
        };
        let trained = fit_neural(&request, |_, _| {}).unwrap();
        let version = save_neural(&request, &trained).unwrap();
        let weights = version.path.join("model.safetensors");
        let tensors = read_tensors(&weights)
            .unwrap()
            .into_iter()
            .map(|(name, shape, values)| {
                let bytes = values.iter().flat_map(|v| v.to_le_bytes()).collect();
                (name, shape, bytes)
            })
            .collect();
        Mutex::new(Saved {
            models: dir.path().to_path_buf(),
            _dir: dir,
            weights,
            tensors,
        })
    })
}

fn serialize(tensors: &[(String, Vec<usize>, Vec<u8>)]) -> Vec<u8> {
    let views: HashMap<String, TensorView<'_>> = tensors
        .iter()
        .map(|(n, s, d)| {
            (
                n.clone(),
                TensorView::new(Dtype::F32, s.clone(), d).unwrap(),
            )
        })
        .collect();
    safetensors::serialize(views, None).unwrap()
}

/// Reads `bytes` as a safetensors file; what loads has one value per element of its shape.
fn check_read(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap();
    if let Ok(tensors) = read_tensors(path) {
        for (_, shape, values) in tensors {
            assert_eq!(shape.iter().product::<usize>(), values.len());
        }
    }
}

/// One change to a tensor of the saved model.
#[derive(Debug, Clone)]
enum Change {
    Keep,
    Drop,
    Rename(String),
    Reverse,
    Poison(usize),
    Duplicate,
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        6 => Just(Change::Keep),
        1 => Just(Change::Drop),
        1 => "[a-z_/]{1,12}".prop_map(Change::Rename),
        1 => Just(Change::Reverse),
        1 => any::<usize>().prop_map(Change::Poison),
        1 => Just(Change::Duplicate),
    ]
}

proptest! {
    #[test]
    fn damaged_files_are_read_or_refused(
        cut in any::<prop::sample::Index>(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
        noise in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let saved = saved().lock().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.safetensors");
        let mut bytes = serialize(&saved.tensors);
        for (at, byte) in flips {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        check_read(&path, &bytes);
        bytes.truncate(cut.index(bytes.len() + 1));
        check_read(&path, &bytes);
        check_read(&path, &noise);
    }

    #[test]
    fn a_version_loads_exactly_when_every_tensor_matches(
        changes in prop::collection::vec(change(), 1..12),
    ) {
        let saved = saved().lock().unwrap();
        let mut tensors = Vec::new();
        let mut intact = true;
        for (i, (name, shape, bytes)) in saved.tensors.iter().enumerate() {
            let mut shape = shape.clone();
            let mut bytes = bytes.clone();
            let mut name = name.clone();
            match changes.get(i).cloned().unwrap_or(Change::Keep) {
                Change::Keep => {}
                Change::Drop => {
                    intact = false;
                    continue;
                }
                Change::Rename(to) => {
                    intact &= to == name;
                    name = to;
                }
                Change::Reverse => {
                    let before = shape.clone();
                    shape.reverse();
                    intact &= shape == before;
                }
                Change::Poison(at) => {
                    let i = 4 * (at % (bytes.len() / 4));
                    bytes[i..i + 4].copy_from_slice(&f32::NAN.to_le_bytes());
                    intact = false;
                }
                Change::Duplicate => {
                    tensors.push((format!("{name}/copy"), shape.clone(), bytes.clone()));
                    intact = false;
                }
            }
            tensors.push((name, shape, bytes));
        }
        tensors.sort_by(|a, b| a.0.cmp(&b.0));
        tensors.dedup_by(|a, b| a.0 == b.0);
        std::fs::write(&saved.weights, serialize(&tensors)).unwrap();
        let loaded = load_saved_model(&saved.models, "BTCUSDT", "latest", &ComputeDevice::Cpu);
        let original = serialize(&saved.tensors);
        std::fs::write(&saved.weights, original).unwrap();
        if intact {
            prop_assert!(loaded.is_ok(), "{:?}", loaded.err());
        } else {
            prop_assert!(loaded.is_err());
        }
    }
}
