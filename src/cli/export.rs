//! `atb-gpu export SYMBOL [--version latest] [--out FILE]`: a saved version as an ONNX file,
//! checked against our own predictions on its test data before the command succeeds.

use std::path::PathBuf;

use clap::Args;

use crate::Result;
use crate::export::{ML_OPSET, OPSET, RELATIVE_BOUND};
use crate::pipeline::{ExportRequest, export_version};

/// Arguments of `atb-gpu export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Trading pair.
    pub symbol: String,
    /// `latest`, a version name or `vN`.
    #[arg(long, default_value = "latest")]
    pub version: String,
    /// The ONNX file to write (default: SYMBOL-VERSION.onnx here; saved versions are never
    /// modified).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The candles a neural version was trained on, when they are no longer where its
    /// config.json says (the check needs its test windows).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Also write the check samples and our predictions as JSON (read by
    /// tools/onnx_check.py, which runs the file in onnxruntime).
    #[arg(long)]
    pub check_out: Option<PathBuf>,
    /// Registry root.
    #[arg(long, default_value = crate::registry::DEFAULT_ROOT)]
    pub models_dir: PathBuf,
    /// CPU threads of our own predictions (default: one per core).
    #[arg(long)]
    pub threads: Option<usize>,
}

/// Runs `atb-gpu export` (our predictions on the CPU backend).
pub fn run(args: &ExportArgs) -> Result<()> {
    let report = export_version(&ExportRequest {
        models_dir: args.models_dir.clone(),
        symbol: args.symbol.clone(),
        version: args.version.clone(),
        out: args.out.clone(),
        data: args.data.clone(),
        check_out: args.check_out.clone(),
    })?;
    let opsets = if report.model_type == "lightgbm" {
        format!("opset {OPSET}, ai.onnx.ml {ML_OPSET}")
    } else {
        format!("opset {OPSET}")
    };
    println!(
        "{} {} ({}): wrote {} ({:.1} KiB, {opsets})",
        report.version.symbol,
        report.version.name,
        report.model_type,
        report.path.display(),
        report.bytes as f64 / 1024.0
    );
    let a = &report.agreement;
    println!(
        "checked with {} on the last {} test samples: max abs diff {:.3e}, max rel diff {:.3e} \
         (bound {RELATIVE_BOUND:e})",
        report.runtime, a.samples, a.max_abs, a.max_rel
    );
    if let Some(bundle) = &args.check_out {
        println!("check bundle: {}", bundle.display());
    }
    Ok(())
}
