//! Chronological splits and windows: shapes, no straddling, train-only scaling, prices back.

use atb_gpu::data::{
    FeatureFrame, FeatureSet, SplitFractions, WindowConfig, chronological_split, engineer_features,
    latest_window, make_windows,
};
use ndarray::{Array2, s};

use crate::common::synthetic_candles;

/// A frame whose first feature is the row index and second a deterministic wiggle, with closes
/// that identify the row too.
fn indexed_frame(rows: usize) -> FeatureFrame {
    let mut values = Array2::zeros((rows, 2));
    for r in 0..rows {
        values[[r, 0]] = r as f64;
        values[[r, 1]] = ((r * 7919) % 13) as f64;
    }
    let close: Vec<f64> = (0..rows).map(|r| 1000.0 + r as f64).collect();
    FeatureFrame {
        names: vec!["row".into(), "wiggle".into()],
        values,
        time_ms: (0..rows as i64).map(|r| r * 3_600_000).collect(),
        next_close: (0..rows).map(|r| close.get(r + 1).copied()).collect(),
        close,
        first_candle: 0,
    }
}

#[test]
fn split_is_chronological_and_validates_fractions() {
    let ranges = chronological_split(1000, SplitFractions::default()).expect("valid");
    assert_eq!(
        (ranges.train, ranges.validation, ranges.test),
        (0..700, 700..850, 850..1000)
    );
    for bad in [(0.0, 0.2), (0.8, 0.2), (0.7, -0.1), (f64::NAN, 0.1)] {
        let fractions = SplitFractions {
            train: bad.0,
            validation: bad.1,
        };
        assert!(chronological_split(1000, fractions).is_err(), "{bad:?}");
    }
}

#[test]
fn no_window_or_target_straddles_a_split_boundary() {
    let rows = 1000;
    let frame = indexed_frame(rows);
    let config = WindowConfig {
        sequence_length: 60,
        split: SplitFractions::default(),
    };
    let data = make_windows(&frame, &config).expect("enough rows");
    let (mean, std) = (data.scalers.features.mean[0], data.scalers.features.std[0]);
    for (set, range) in [
        (&data.train, &data.ranges.train),
        (&data.validation, &data.ranges.validation),
        (&data.test, &data.ranges.test),
    ] {
        assert_eq!(
            set.len(),
            range.len() - 60,
            "every full window inside the split is used"
        );
        assert_eq!(set.x.dim(), (set.len(), 60, 2));
        for i in 0..set.len() {
            let rows_seen: Vec<usize> = (0..60)
                .map(|k| (f64::from(set.x[[i, k, 0]]) * std + mean).round() as usize)
                .collect();
            let target_row = (set.target_time_ms[i] / 3_600_000) as usize;
            assert!(
                range.contains(&rows_seen[0]),
                "window starts inside {range:?}"
            );
            assert!(
                range.contains(&target_row),
                "target row {target_row} inside {range:?}"
            );
            assert!(
                rows_seen.windows(2).all(|w| w[1] == w[0] + 1),
                "consecutive rows"
            );
            assert_eq!(target_row, rows_seen[59] + 1, "the target is the next bar");
            assert_eq!(set.prev_close[i], 1000.0 + rows_seen[59] as f64);
            assert_eq!(set.next_close[i], 1000.0 + target_row as f64);
        }
    }
    assert_eq!(data.train.target_time_ms[0], 60 * 3_600_000);
    assert_eq!(
        *data.test.target_time_ms.last().expect("samples"),
        999 * 3_600_000
    );
}

#[test]
fn scalers_use_train_rows_only() {
    let frame = indexed_frame(1000);
    let config = WindowConfig::default();
    let data = make_windows(&frame, &config).expect("enough rows");
    let train = frame.values.slice(s![0..700, 0]);
    assert_eq!(data.scalers.features.mean[0], train.sum() / 700.0);
    let mut changed = frame.clone();
    changed.values.slice_mut(s![700.., ..]).fill(1e6);
    for c in &mut changed.close[701..] {
        *c *= 3.0;
    }
    let other = make_windows(&changed, &config).expect("enough rows");
    assert_eq!(
        other.scalers, data.scalers,
        "validation and test data never reach the scalers"
    );
    assert_eq!(other.train, data.train);
}

#[test]
fn real_features_give_standardised_train_inputs_and_prices_back() {
    let candles = synthetic_candles(900, 0);
    let frame = engineer_features(&candles, FeatureSet::Price).expect("features");
    let data = make_windows(&frame, &WindowConfig::default()).expect("windows");
    assert_eq!(data.train.x.dim(), (data.train.len(), 60, 15));
    let scaled = data
        .scalers
        .features
        .transform(frame.values.slice(s![data.ranges.train.clone(), ..]))
        .expect("ok");
    for c in 0..15 {
        let col = scaled.column(c);
        let m = col.iter().map(|&v| f64::from(v)).sum::<f64>() / col.len() as f64;
        let sd = (col.iter().map(|&v| (f64::from(v) - m).powi(2)).sum::<f64>() / col.len() as f64)
            .sqrt();
        assert!(m.abs() < 1e-5, "column {c} mean {m}");
        assert!((sd - 1.0).abs() < 1e-4, "column {c} std {sd}");
    }
    let y: Vec<f64> = data.train.y.iter().map(|&v| f64::from(v)).collect();
    let y_mean = y.iter().sum::<f64>() / y.len() as f64;
    assert!(
        y_mean.abs() < 1e-5,
        "train target standardised: mean {y_mean}"
    );
    for set in [&data.train, &data.validation, &data.test] {
        for i in 0..set.len() {
            let price = data
                .scalers
                .target
                .inverse(f64::from(set.y[i]), set.prev_close[i]);
            assert!(
                (price - set.next_close[i]).abs() <= 1e-7 * set.next_close[i],
                "{price} vs {}",
                set.next_close[i]
            );
        }
    }
}

#[test]
fn rows_as_windows_of_one_for_tabular_models() {
    let frame = indexed_frame(100);
    let config = WindowConfig {
        sequence_length: 1,
        split: SplitFractions::default(),
    };
    let data = make_windows(&frame, &config).expect("ok");
    assert_eq!(data.train.x.dim(), (69, 1, 2));
}

#[test]
fn too_short_splits_and_zero_length_are_clear_errors() {
    let frame = indexed_frame(300);
    let message = make_windows(&frame, &WindowConfig::default())
        .expect_err("45-row splits")
        .to_string();
    assert!(
        message.contains("the validation split has 45 bars but a window of 60 bars"),
        "{message}"
    );
    let config = WindowConfig {
        sequence_length: 0,
        split: SplitFractions::default(),
    };
    assert!(make_windows(&frame, &config).is_err());
    let longest = WindowConfig {
        sequence_length: usize::MAX,
        split: SplitFractions::default(),
    };
    let message = make_windows(&frame, &longest)
        .expect_err("2^64 - 1 bars, not an overflow panic")
        .to_string();
    assert!(
        message.contains("a window of 18446744073709551615 bars"),
        "{message}"
    );
}

#[test]
fn latest_window_is_the_last_rows_scaled() {
    let frame = indexed_frame(1000);
    let data = make_windows(&frame, &WindowConfig::default()).expect("ok");
    let window = latest_window(&frame, &data.scalers, 60).expect("enough rows");
    assert_eq!(window.dim(), (1, 60, 2));
    let (mean, std) = (data.scalers.features.mean[0], data.scalers.features.std[0]);
    assert_eq!((f64::from(window[[0, 59, 0]]) * std + mean).round(), 999.0);
    let last_test = data.test.x.slice(s![data.test.len() - 1, 1.., ..]);
    assert_eq!(
        window.slice(s![0, ..59, ..]),
        last_test,
        "one bar after the last test window"
    );
    let mut renamed = frame.clone();
    renamed.names[1] = "other".into();
    assert!(latest_window(&renamed, &data.scalers, 60).is_err());
}

#[test]
fn an_inconsistent_frame_is_a_shape_error() {
    let mut frame = indexed_frame(500);
    frame.close.pop();
    let message = make_windows(&frame, &WindowConfig::default())
        .expect_err("499 closes")
        .to_string();
    assert!(
        message.contains("500 rows of 2 values but 499 closes"),
        "{message}"
    );
}
