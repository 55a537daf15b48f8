//! The job behind `atb-gpu export`: a saved version (neural or boosted) as an ONNX file,
//! validated on up to 256 of the version's own test samples against our predictions, with an
//! optional JSON bundle of those inputs and predictions for other runtimes (onnxruntime in CI).

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::saved_model::load_saved_model;
use super::version_windows::version_test_windows;
use crate::device::ComputeDevice;
use crate::export::{
    Agreement, FEATURES_INPUT, ModelHeader, ModelProto, OPSET, RELATIVE_BOUND, WINDOW_INPUT,
    Weights, encode, neural_model, run_tract, run_tree_ensemble, tree_ensemble_model,
};
use crate::gbdt::parse_text_model;
use crate::registry::{Registry, VersionInfo};
use crate::{AtbError, Result, Tensor};

/// Samples the export is checked on (the last ones of the test split).
pub const CHECK_SAMPLES: usize = 256;

/// What `atb-gpu export` was asked to do.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    /// Registry root.
    pub models_dir: PathBuf,
    /// Trading pair.
    pub symbol: String,
    /// `latest`, a version name or `vN`.
    pub version: String,
    /// The ONNX file to write (default `SYMBOL-VERSION.onnx` in the working directory).
    pub out: Option<PathBuf>,
    /// The candles a neural version was trained on, when not where `config.json` says.
    pub data: Option<PathBuf>,
    /// Where to write the check bundle (inputs and our predictions as JSON), if anywhere.
    pub check_out: Option<PathBuf>,
}

/// What was written and how well it agrees with our predictions.
#[derive(Debug, Clone)]
pub struct ExportReport {
    /// The version exported.
    pub version: VersionInfo,
    /// Its model type.
    pub model_type: String,
    /// The ONNX file.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: usize,
    /// The runtime that ran it here, and why that one.
    pub runtime: &'static str,
    /// Outputs of that runtime beside ours.
    pub agreement: Agreement,
}

/// Inputs, our predictions and the bound, for `tools/onnx_check.py`.
#[derive(Debug, Serialize)]
struct CheckBundle<'a> {
    model: String,
    model_type: &'a str,
    input: &'static str,
    shape: Vec<usize>,
    inputs: &'a [f32],
    expected: &'a [f64],
    relative_bound: f64,
}

/// A model ready to write, with the samples to check it on.
struct Exported {
    model_type: String,
    model: ModelProto,
    input: &'static str,
    shape: Vec<usize>,
    inputs: Vec<f32>,
    expected: Vec<f64>,
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> AtbError + '_ {
    move |source| AtbError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn header(version: &VersionInfo, model_type: &str, extra: Vec<(&str, String)>) -> ModelHeader {
    let mut metadata = vec![
        ("symbol".to_string(), version.symbol.clone()),
        ("version".to_string(), version.name.clone()),
        ("model_type".to_string(), model_type.to_string()),
    ];
    metadata.extend(extra.into_iter().map(|(k, v)| (k.to_string(), v)));
    ModelHeader {
        graph_name: format!("{}_{}", version.symbol, model_type),
        model_version: i64::from(version.number),
        doc: format!(
            "atb-gpu {model_type} of {} {}: next-bar forecast (docs/export.md)",
            version.symbol, version.name
        ),
        metadata,
    }
}

/// The last `CHECK_SAMPLES` of `count` items of `width` values each.
fn tail<T: Copy>(values: &[T], count: usize, width: usize) -> (usize, Vec<T>) {
    let n = count.min(CHECK_SAMPLES);
    (n, values[(count - n) * width..count * width].to_vec())
}

fn export_neural(request: &ExportRequest, version: &VersionInfo) -> Result<Exported> {
    let saved = load_saved_model(
        &request.models_dir,
        &version.symbol,
        &version.name,
        &ComputeDevice::Cpu,
    )?;
    let test = version_test_windows(&saved, request.data.as_deref())?;
    let (_, steps, features) = test.x.dim();
    let all: Vec<f32> = test.x.iter().copied().collect();
    let (n, inputs) = tail(&all, test.len(), steps * features);
    let shape = vec![n, steps, features];
    let expected = saved
        .predict_scaled(&Tensor::from_vec(&shape, inputs.clone())?)?
        .into_iter()
        .map(f64::from)
        .collect();
    let model_type = saved.config.model.model_type().name().to_string();
    let model = neural_model(
        &saved.config.model,
        steps,
        &Weights::new(saved.model.params.to_host()?),
        header(
            version,
            &model_type,
            vec![
                ("features", saved.config.features.join(",")),
                ("sequence_length", steps.to_string()),
                ("scaler", "scaler.json of the version".to_string()),
                ("target", saved.config.target.clone()),
            ],
        ),
    )?;
    Ok(Exported {
        model_type,
        model,
        input: WINDOW_INPUT,
        shape,
        inputs,
        expected,
    })
}

/// Reads `(features, our prediction)` rows of `test_predictions.csv`.
fn boosted_test_rows(path: &Path, names: &[String]) -> Result<(usize, Vec<f32>, Vec<f64>)> {
    let file = path.display().to_string();
    let error = |line: Option<usize>, message: String| AtbError::Data {
        file: file.clone(),
        line,
        column: None,
        message,
    };
    let mut reader = csv::Reader::from_path(path).map_err(|e| error(None, e.to_string()))?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| error(Some(1), e.to_string()))?
        .iter()
        .map(String::from)
        .collect();
    let Some(prediction) = header.iter().position(|h| h == "prediction") else {
        return Err(error(Some(1), "no 'prediction' column".to_string()));
    };
    if header.len() < names.len() || header[..names.len()] != *names {
        return Err(error(
            Some(1),
            format!("the columns do not start with model.txt's features {names:?}"),
        ));
    }
    let (mut rows, mut ours, mut count) = (Vec::new(), Vec::new(), 0);
    for (i, record) in reader.records().enumerate() {
        let line = Some(i + 2);
        let record = record.map_err(|e| error(line, e.to_string()))?;
        let number = |c: usize| -> Result<f64> {
            let cell = record.get(c).unwrap_or_default();
            cell.parse::<f64>().map_err(|_| {
                error(
                    line,
                    format!("'{cell}' in column {} is not a number", header[c]),
                )
            })
        };
        for c in 0..names.len() {
            rows.push(number(c)? as f32);
        }
        ours.push(number(prediction)?);
        count += 1;
    }
    if count == 0 {
        return Err(error(None, "no test rows".to_string()));
    }
    let (_, rows) = tail(&rows, count, names.len());
    let (n, ours) = tail(&ours, count, 1);
    Ok((n, rows, ours))
}

fn export_boosted(version: &VersionInfo) -> Result<Exported> {
    let path = version.path.join("model.txt");
    let text = std::fs::read_to_string(&path).map_err(io_error(&path))?;
    let forest = parse_text_model(&path.display().to_string(), &text)?;
    let (n, inputs, expected) = boosted_test_rows(
        &version.path.join("test_predictions.csv"),
        &forest.feature_names,
    )?;
    let features = forest.feature_names.len();
    let model = tree_ensemble_model(
        &forest,
        header(
            version,
            "lightgbm",
            vec![
                ("features", forest.feature_names.join(",")),
                ("target", super::lightgbm::BOOSTING_TARGET.to_string()),
            ],
        ),
    )?;
    Ok(Exported {
        model_type: "lightgbm".to_string(),
        model,
        input: FEATURES_INPUT,
        shape: vec![n, features],
        inputs,
        expected,
    })
}

/// Exports the version of `request`, writes the file (and the check bundle), runs the file
/// on the check samples, and fails when it is more than [`RELATIVE_BOUND`] from our
/// predictions (the file stays, for inspection).
pub fn export_version(request: &ExportRequest) -> Result<ExportReport> {
    let version =
        Registry::open(&request.models_dir)?.resolve(&request.symbol, &request.version)?;
    let boosted = version.path.join("model.txt").is_file();
    let exported = if boosted {
        export_boosted(&version)?
    } else {
        export_neural(request, &version)?
    };
    let path = request
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{}-{}.onnx", version.symbol, version.name)));
    let bytes = encode(&exported.model);
    std::fs::write(&path, &bytes).map_err(io_error(&path))?;
    if let Some(check_out) = &request.check_out {
        let bundle = CheckBundle {
            model: path.display().to_string(),
            model_type: &exported.model_type,
            input: exported.input,
            shape: exported.shape.clone(),
            inputs: &exported.inputs,
            expected: &exported.expected,
            relative_bound: RELATIVE_BOUND,
        };
        let json = serde_json::to_string(&bundle)
            .map_err(|e| AtbError::Export(format!("could not serialise the check bundle: {e}")))?;
        std::fs::write(check_out, json).map_err(io_error(check_out))?;
    }
    let (runtime, outputs) = if boosted {
        (
            "the tree-ensemble decoder (tract 0.23 has no TreeEnsembleRegressor)",
            run_tree_ensemble(&bytes, &exported.inputs, exported.shape[1])?,
        )
    } else {
        (
            "tract",
            run_tract(&bytes, &exported.inputs, &exported.shape)?,
        )
    };
    let agreement = Agreement::measure(&exported.expected, &outputs)?;
    if !agreement.within_bound() {
        return Err(AtbError::Export(format!(
            "{}: {runtime} differs from our predictions by {:.3e} relative (max abs {:.3e}) on \
             {} samples, above the bound {RELATIVE_BOUND:e} (opset {OPSET}); the file was kept \
             for inspection",
            path.display(),
            agreement.max_rel,
            agreement.max_abs,
            agreement.samples
        )));
    }
    Ok(ExportReport {
        version,
        model_type: exported.model_type,
        path,
        bytes: bytes.len(),
        runtime,
        agreement,
    })
}
