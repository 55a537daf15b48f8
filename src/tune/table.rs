//! `tuning.csv`: one row per configuration and fold, in grid order then fold order, with the
//! fold's scores beside persistence's. Every column is a deterministic function of the data and
//! the settings (fit times live in `tuning.json`), so a merged sharded run writes the same bytes
//! as an unsharded one.

use serde::{Deserialize, Serialize};

use crate::{AtbError, Result};

/// The scores of one configuration on one fold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TuningRow {
    /// Configuration index in grid order, 1-based.
    pub configuration: usize,
    /// `(key, value)` of every grid axis.
    pub parameters: Vec<(String, String)>,
    /// Fold, 1-based.
    pub fold: usize,
    /// Training samples of the fold.
    pub train_samples: usize,
    /// Early-stopping samples of the fold.
    pub validation_samples: usize,
    /// Scored samples of the fold.
    pub score_samples: usize,
    /// Open time of the first scored (target) bar.
    pub score_from: String,
    /// Open time of the last scored (target) bar.
    pub score_to: String,
    /// RMSE of the next close, price units.
    pub rmse: f64,
    /// MAE of the next close, price units.
    pub mae: f64,
    /// Directional accuracy in percent (`None` when no close moved).
    pub da_pct: Option<f64>,
    /// Persistence's RMSE on the same samples.
    pub naive_rmse: f64,
    /// Persistence's MAE on the same samples.
    pub naive_mae: f64,
    /// Diebold–Mariano p-value against persistence (`None` when undefined).
    pub dm_p_value: Option<f64>,
    /// Epochs run (neural) or boosting rounds trained.
    pub rounds: usize,
    /// The epoch or round kept (1-based), when early stopping chose one.
    pub best_round: Option<usize>,
    /// Seconds the fit took (in `tuning.json` only: it differs from run to run).
    pub seconds: f64,
}

/// Columns after the grid keys.
const SCORE_COLUMNS: [&str; 14] = [
    "fold",
    "train_samples",
    "validation_samples",
    "score_samples",
    "score_from",
    "score_to",
    "rmse",
    "mae",
    "da_pct",
    "naive_rmse",
    "naive_mae",
    "dm_p_value",
    "rounds",
    "best_round",
];

/// A number at full precision (the shortest text that reads back to the same f64), or empty.
fn exact(value: Option<f64>) -> String {
    value.map_or_else(String::new, |v| format!("{v}"))
}

/// The CSV text of `rows`: `configuration`, one column per grid key (`keys`, in axis order),
/// then [`SCORE_COLUMNS`].
pub fn tuning_csv(keys: &[&str], rows: &[TuningRow]) -> Result<String> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let failed = |e: csv::Error| AtbError::Config(format!("writing tuning.csv: {e}"));
    let mut header = vec!["configuration".to_string()];
    header.extend(keys.iter().map(|k| k.to_string()));
    header.extend(SCORE_COLUMNS.iter().map(|c| c.to_string()));
    out.write_record(&header).map_err(failed)?;
    for row in rows {
        let mut record = vec![row.configuration.to_string()];
        record.extend(row.parameters.iter().map(|(_, v)| v.clone()));
        record.extend([
            row.fold.to_string(),
            row.train_samples.to_string(),
            row.validation_samples.to_string(),
            row.score_samples.to_string(),
            row.score_from.clone(),
            row.score_to.clone(),
            exact(Some(row.rmse)),
            exact(Some(row.mae)),
            exact(row.da_pct),
            exact(Some(row.naive_rmse)),
            exact(Some(row.naive_mae)),
            exact(row.dm_p_value),
            row.rounds.to_string(),
            row.best_round.map_or_else(String::new, |r| r.to_string()),
        ]);
        out.write_record(&record).map_err(failed)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| AtbError::Config(format!("writing tuning.csv: {e}")))?;
    String::from_utf8(bytes).map_err(|e| AtbError::Config(format!("tuning.csv: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_values_are_quoted_and_numbers_read_back_exactly() {
        let row = TuningRow {
            configuration: 1,
            parameters: vec![
                ("lstm_units".into(), "[64,32]".into()),
                ("dropout".into(), "0.2".into()),
            ],
            fold: 2,
            train_samples: 100,
            validation_samples: 20,
            score_samples: 30,
            score_from: "2025-01-01 00:00:00".into(),
            score_to: "2025-01-02 05:00:00".into(),
            rmse: 0.001_712_345_678_9,
            mae: 117_000.123_456_789,
            da_pct: None,
            naive_rmse: 1.0,
            naive_mae: 2.0,
            dm_p_value: Some(0.21),
            rounds: 5,
            best_round: Some(3),
            seconds: 1.5,
        };
        let text = tuning_csv(&["lstm_units", "dropout"], &[row]).unwrap();
        let mut lines = text.lines();
        assert!(
            lines
                .next()
                .unwrap()
                .starts_with("configuration,lstm_units,dropout,fold,")
        );
        let line = lines.next().unwrap();
        assert!(line.starts_with("1,\"[64,32]\",0.2,2,100,20,30,"), "{line}");
        assert!(
            line.contains(",0.0017123456789,117000.123456789,,1,2,0.21,5,3"),
            "{line}"
        );
        assert!(
            !line.contains("1.5"),
            "fit times stay out of the table: {line}"
        );
    }
}
