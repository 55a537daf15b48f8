//! `TrainOutcome`: what a finished training job reports.

use std::fmt;

use crate::eval::Comparison;
use crate::registry::VersionInfo;

/// The result of `atb-gpu train model`.
#[derive(Debug, Clone)]
pub struct TrainOutcome {
    /// The saved registry version.
    pub version: VersionInfo,
    /// Test-set metrics in price units, beside the naive persistence forecast.
    pub comparison: Comparison,
    /// Wall-clock seconds spent training.
    pub train_seconds: f64,
    /// The device that trained (e.g. `gpu: NVIDIA H200 (Vulkan)`).
    pub device: String,
}

impl fmt::Display for TrainOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "trained in {:.1} s on {}",
            self.train_seconds, self.device
        )?;
        writeln!(
            f,
            "test set ({} samples), next-hour close in price units:",
            self.comparison.model.n
        )?;
        write!(f, "{}", self.comparison)?;
        writeln!(f)?;
        write!(f, "saved: {}", self.version.path.display())
    }
}
