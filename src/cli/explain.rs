//! `atb-gpu explain SYMBOL [--version latest] [--out FILE]`: the attention weights of a saved
//! attention model over the latest window, as a heatmap and the most attended bars.

use std::path::PathBuf;

use clap::Args;

use super::gap_args::GapArgs;
use crate::Result;
use crate::data::load_symbol;
use crate::device::ComputeDevice;
use crate::pipeline::{attention_map, attention_png, load_saved_model};

/// Arguments of `atb-gpu explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Trading pair.
    pub symbol: String,
    /// `latest`, a version name or `vN`.
    #[arg(long, default_value = "latest")]
    pub version: String,
    /// Candles whose latest window is explained (default: the embedded BTCUSDT data).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Gap-filling bound.
    #[command(flatten)]
    pub gaps: GapArgs,
    /// Registry root.
    #[arg(long, default_value = crate::registry::DEFAULT_ROOT)]
    pub models_dir: PathBuf,
    /// Where to write the heatmap (default: attention-SYMBOL-VERSION.png here; saved versions
    /// are never modified).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// CPU threads (default: one per core).
    #[arg(long)]
    pub threads: Option<usize>,
}

/// Runs `atb-gpu explain` (on the CPU backend: one window does not need a GPU).
pub fn run(args: &ExplainArgs) -> Result<()> {
    let saved = load_saved_model(
        &args.models_dir,
        &args.symbol,
        &args.version,
        &ComputeDevice::Cpu,
    )?;
    let candles = load_symbol(&args.symbol, args.data.as_deref())?;
    let map = attention_map(&saved, &candles, args.gaps.max_gap_bars)?;
    let out = args.out.clone().unwrap_or_else(|| {
        PathBuf::from(format!(
            "attention-{}-{}.png",
            saved.version.symbol, saved.version.name
        ))
    });
    attention_png(&map, &out)?;
    println!(
        "{} {}: attention of the last bar (mean of {} heads):",
        saved.version.symbol, saved.version.name, map.heads
    );
    for (bars_back, weight) in map.strongest_for_last_step(5) {
        println!("  {bars_back:>3} bars back: {weight:.3}");
    }
    println!("heatmap: {}", out.display());
    Ok(())
}
