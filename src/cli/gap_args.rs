//! The gap-filling flag every command that reads candles shares.

use crate::data::DEFAULT_MAX_GAP_BARS;

/// How far gap filling may go.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct GapArgs {
    /// Longest run of missing bars filled with flat bars (previous close, volume 0); a longer
    /// gap is an error naming both bars.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_GAP_BARS)]
    pub max_gap_bars: usize,
}
