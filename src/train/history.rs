//! `History`: per-epoch metrics of a fit, as Keras' `history.history`.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

/// One epoch's metrics (losses in the scaled training units, RMSE/MAE likewise).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EpochMetrics {
    /// Mean training loss (MSE).
    pub loss: f64,
    /// Validation loss (MSE).
    pub val_loss: f64,
    /// Training RMSE.
    pub rmse: f64,
    /// Validation RMSE.
    pub val_rmse: f64,
    /// Training MAE.
    pub mae: f64,
    /// Validation MAE.
    pub val_mae: f64,
    /// Learning rate used in the epoch.
    pub learning_rate: f64,
    /// Wall-clock seconds of the epoch.
    pub seconds: f64,
}

/// Metrics of every epoch, in order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// One entry per finished epoch.
    pub epochs: Vec<EpochMetrics>,
}

impl History {
    /// The epoch (0-based) with the lowest validation loss.
    pub fn best_epoch(&self) -> Option<usize> {
        self.epochs
            .iter()
            .enumerate()
            .filter(|(_, m)| m.val_loss.is_finite())
            .min_by(|a, b| a.1.val_loss.total_cmp(&b.1.val_loss))
            .map(|(i, _)| i)
    }

    /// The history as CSV: `epoch,loss,val_loss,rmse,val_rmse,mae,val_mae,learning_rate,seconds`.
    pub fn to_csv(&self) -> String {
        let mut out =
            String::from("epoch,loss,val_loss,rmse,val_rmse,mae,val_mae,learning_rate,seconds\n");
        for (i, m) in self.epochs.iter().enumerate() {
            let _ = writeln!(
                out,
                "{},{},{},{},{},{},{},{},{:.3}",
                i + 1,
                m.loss,
                m.val_loss,
                m.rmse,
                m.val_rmse,
                m.mae,
                m.val_mae,
                m.learning_rate,
                m.seconds
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn epoch(loss: f64, val_loss: f64) -> EpochMetrics {
        EpochMetrics {
            loss,
            val_loss,
            rmse: loss.sqrt(),
            val_rmse: val_loss.sqrt(),
            mae: 0.5,
            val_mae: 0.6,
            learning_rate: 1e-3,
            seconds: 1.25,
        }
    }

    #[test]
    fn best_epoch_skips_nan_and_csv_has_a_row_per_epoch() {
        let history = History {
            epochs: vec![
                epoch(1.0, 0.9),
                epoch(0.8, f64::NAN),
                epoch(0.7, 0.4),
                epoch(0.6, 0.5),
            ],
        };
        assert_eq!(history.best_epoch(), Some(2));
        let csv = history.to_csv();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 5);
        assert!(lines[0].starts_with("epoch,loss,val_loss,rmse,val_rmse"));
        assert!(lines[3].starts_with("3,0.7,0.4,"));
        assert_eq!(History::default().best_epoch(), None);
    }
}
