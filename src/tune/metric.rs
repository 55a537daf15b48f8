//! The score that ranks configurations: RMSE, MAE (lower is better) or directional accuracy
//! (higher is better), averaged over the walk-forward folds.

use serde::{Deserialize, Serialize};

use super::table::TuningRow;

/// What `--metric` ranks by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Root mean squared error of the next close, price units.
    Rmse,
    /// Mean absolute error of the next close, price units.
    Mae,
    /// Directional accuracy, percent of moves.
    Da,
}

impl Metric {
    /// The name in tables and files.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Rmse => "rmse",
            Metric::Mae => "mae",
            Metric::Da => "da",
        }
    }

    /// This metric's value on one fold (`None`: directional accuracy with no move to score).
    pub fn of(self, row: &TuningRow) -> Option<f64> {
        match self {
            Metric::Rmse => Some(row.rmse),
            Metric::Mae => Some(row.mae),
            Metric::Da => row.da_pct,
        }
    }

    /// True when `candidate` is strictly better than `incumbent` (ties keep the incumbent, so the
    /// earliest configuration in grid order wins a tie).
    pub fn better(self, candidate: f64, incumbent: f64) -> bool {
        match self {
            Metric::Rmse | Metric::Mae => candidate < incumbent,
            Metric::Da => candidate > incumbent,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Metric;

    #[test]
    fn errors_rank_low_and_direction_ranks_high_and_ties_keep_the_first() {
        assert!(Metric::Rmse.better(1.0, 2.0));
        assert!(!Metric::Mae.better(2.0, 1.0));
        assert!(Metric::Da.better(55.0, 51.0));
        assert!(!Metric::Rmse.better(1.0, 1.0));
        assert!(!Metric::Da.better(51.0, 51.0));
    }
}
