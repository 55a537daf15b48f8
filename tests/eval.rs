//! Evaluation metrics, the persistence baseline and the comparison table, on hand-computed data.

use atb_gpu::AtbError;
use atb_gpu::eval::{
    Comparison, DieboldMariano, Verdict, binomial_upper_tail_half, compute_metrics,
    naive_persistence_metrics,
};

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

// prev = 100 everywhere; actual moves up, down, not at all, up; the model predicts up, down,
// up, flat. Errors (pred - actual) = [-5, 5, 2, -5].
const PREV: [f64; 4] = [100.0, 100.0, 100.0, 100.0];
const ACTUAL: [f64; 4] = [110.0, 90.0, 100.0, 105.0];
const PRED: [f64; 4] = [105.0, 95.0, 102.0, 100.0];

#[test]
fn metrics_match_hand_computed_values() {
    let m = compute_metrics(&PRED, &ACTUAL, &PREV).unwrap();
    assert_eq!(m.n, 4);
    assert!(close(m.rmse, (79.0f64 / 4.0).sqrt(), 1e-12));
    assert!(close(m.mae, 17.0 / 4.0, 1e-12));
    let mape = 100.0 * (5.0 / 110.0 + 5.0 / 90.0 + 2.0 / 100.0 + 5.0 / 105.0) / 4.0;
    assert!(close(m.mape_pct.unwrap(), mape, 1e-12));
    assert_eq!(m.mape_zero_actuals, 0);
    // mean 101.25; SS_tot = 76.5625 + 126.5625 + 1.5625 + 14.0625 = 218.75.
    assert!(close(m.r2.unwrap(), 1.0 - 79.0 / 218.75, 1e-12));
    // The unchanged close is a tie; the flat prediction on a move up is a miss.
    assert_eq!(m.direction_ties, 1);
    assert_eq!(m.direction_trials, 3);
    assert_eq!(m.direction_hits, 2);
    assert!(close(
        m.directional_accuracy_pct.unwrap(),
        200.0 / 3.0,
        1e-12
    ));
    assert!(close(m.da_p_value.unwrap(), 0.5, 1e-12));
}

#[test]
fn persistence_scores_the_previous_close_and_claims_no_direction() {
    let n = naive_persistence_metrics(&ACTUAL, &PREV).unwrap();
    // Errors (prev - actual) = [-10, 10, 0, -5].
    assert!(close(n.rmse, 7.5, 1e-12));
    assert!(close(n.mae, 6.25, 1e-12));
    assert_eq!(n.directional_accuracy_pct, None);
    assert_eq!(n.da_p_value, None);
    assert_eq!(n.direction_trials, 3);
    assert_eq!(n.direction_ties, 1);
}

#[test]
fn comparison_reports_skill_and_renders_both_columns() {
    let c = Comparison::new(&PRED, &ACTUAL, &PREV).unwrap();
    let skill = 1.0 - (79.0f64 / 4.0).sqrt() / 7.5;
    assert!(close(c.skill.unwrap(), skill, 1e-12));
    let text = c.to_string();
    for needle in [
        "RMSE",
        "MAE",
        "MAPE %",
        "R²",
        "DA %",
        "skill",
        "4.44410",
        "7.50000",
        "66.67 (p=0.5000)",
        "0.407454",
        "DM test",
        // A lower RMSE on four samples is no evidence: the summary must not claim a win.
        "not distinguishable from persistence",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    assert!(!text.contains("beats persistence"), "{text}");
    assert_eq!(c.verdict(), Verdict::NotDistinguishable);
    let rmse_line = text.lines().find(|l| l.starts_with("RMSE")).unwrap();
    assert!(rmse_line.find("4.44410").unwrap() < rmse_line.find("7.50000").unwrap());
}

/// The fixed error series of `tools/diebold_mariano_reference.py` (t = 0..59).
fn reference_series(case: &str) -> (Vec<f64>, Vec<f64>) {
    let t = (0..60).map(f64::from);
    let naive: Vec<f64> = t.clone().map(|t| (0.45 * t).cos() * 1.1).collect();
    let half: Vec<f64> = t
        .clone()
        .zip(&naive)
        .map(|(t, n)| 0.5 * n + 0.05 * (1.3 * t).sin())
        .collect();
    match case {
        "close" => (
            t.map(|t| (0.7 * t + 0.3).sin() * (1.0 + 0.005 * t))
                .collect(),
            naive,
        ),
        "better" => (half, naive),
        _ => (naive, half),
    }
}

#[test]
fn diebold_mariano_matches_an_independent_implementation() {
    // Pinned from `python3 tools/diebold_mariano_reference.py` (numpy + scipy.stats.t, written
    // from Harvey, Leybourne and Newbold 1997), on the same series.
    for (case, mean, statistic, p, verdict) in [
        (
            "close",
            0.04447952185493393,
            0.5432019393493775,
            0.5890372448980938,
            Verdict::NotDistinguishable,
        ),
        (
            "better",
            -0.4546090722498645,
            -10.38793106097477,
            6.061021484344723e-15,
            Verdict::Beats,
        ),
        (
            "worse",
            0.4546090722498645,
            10.38793106097477,
            6.061021484344723e-15,
            Verdict::Worse,
        ),
    ] {
        let (model, naive) = reference_series(case);
        let dm = DieboldMariano::test(&model, &naive).unwrap().unwrap();
        assert_eq!(dm.n, 60);
        assert!(
            close(dm.mean_loss_difference, mean, 1e-12),
            "{case}: {dm:?}"
        );
        assert!(close(dm.statistic, statistic, 1e-12), "{case}: {dm:?}");
        assert!(
            (dm.p_value - p).abs() <= 1e-9 * p,
            "{case}: {dm:?} vs p {p}"
        );
        assert_eq!(dm.verdict(), verdict, "{case}");
    }
}

#[test]
fn the_summary_wording_follows_the_test_in_each_case() {
    // Persistence's error is 1 on every sample (prev = actual - 1); the model's error is e.
    let n = 200;
    let actual: Vec<f64> = (0..n).map(|i| 100.0 + f64::from(i)).collect();
    let previous: Vec<f64> = actual.iter().map(|a| a - 1.0).collect();
    let wobble = |i: i32| 0.1 * (f64::from(i) * 0.9).sin();
    let with_errors = |e: &dyn Fn(i32) -> f64| -> Vec<f64> {
        (0..n).map(|i| actual[i as usize] + e(i)).collect()
    };
    for (errors, phrase) in [
        (with_errors(&|i| 0.5 + wobble(i)), "beats persistence"),
        (with_errors(&|i| 2.0 + wobble(i)), "worse than persistence"),
        (
            with_errors(&|i| if i % 2 == 0 { 0.8 } else { -1.18 } + wobble(i)),
            "not distinguishable from persistence",
        ),
    ] {
        let c = Comparison::new(&errors, &actual, &previous).unwrap();
        let text = c.to_string();
        assert!(text.contains(phrase), "expected {phrase:?} in\n{text}");
        let json = serde_json::to_value(&c).unwrap();
        assert!(json["diebold_mariano"]["p_value"].is_f64(), "{json}");
    }
}

#[test]
fn identical_forecasts_have_no_test_and_distinguish_nothing() {
    let c = Comparison::new(&PREV, &ACTUAL, &PREV).unwrap();
    assert_eq!(c.diebold_mariano, None);
    assert_eq!(c.verdict(), Verdict::NotDistinguishable);
    assert!(
        c.to_string()
            .contains("not distinguishable from persistence")
    );
    assert!(DieboldMariano::test(&[1.0, 2.0], &[1.0]).is_err());
}

#[test]
fn metrics_written_before_the_test_existed_still_load() {
    let c = Comparison::new(&PRED, &ACTUAL, &PREV).unwrap();
    let mut json = serde_json::to_value(&c).unwrap();
    json.as_object_mut().unwrap().remove("diebold_mariano");
    let back: Comparison = serde_json::from_value(json).unwrap();
    assert_eq!(back.diebold_mariano, None);
    assert_eq!(back.model, c.model);
}

#[test]
fn constant_series_leaves_r2_and_direction_undefined_without_panicking() {
    let m = compute_metrics(&[5.0, 6.0, 4.0], &[5.0, 5.0, 5.0], &[5.0, 5.0, 5.0]).unwrap();
    assert_eq!(m.r2, None);
    assert_eq!(m.directional_accuracy_pct, None);
    assert_eq!(m.da_p_value, None);
    assert_eq!(m.direction_ties, 3);
    assert!(close(m.rmse, (2.0f64 / 3.0).sqrt(), 1e-12));
    // Persistence is exact here: skill is undefined, and the table says so.
    let c = Comparison::new(&[5.0, 6.0, 4.0], &[5.0, 5.0, 5.0], &[5.0, 5.0, 5.0]).unwrap();
    assert_eq!(c.skill, None);
    assert!(c.to_string().contains("n/a"));
    let json = serde_json::to_string(&c).unwrap();
    assert!(json.contains("\"r2\":null"), "{json}");
}

#[test]
fn zero_actual_closes_are_left_out_of_mape_and_counted() {
    let m = compute_metrics(&[1.0, 1.0], &[0.0, 2.0], &[1.0, 1.0]).unwrap();
    assert!(close(m.mape_pct.unwrap(), 50.0, 1e-12));
    assert_eq!(m.mape_zero_actuals, 1);
    let all_zero = compute_metrics(&[1.0], &[0.0], &[1.0]).unwrap();
    assert_eq!(all_zero.mape_pct, None);
    assert!(close(all_zero.rmse, 1.0, 1e-12));
}

#[test]
fn binomial_p_values_match_known_values() {
    // Reference values: sum_{i>=k} C(n, i) / 2^n in exact integer arithmetic.
    for (hits, trials, p) in [
        (60, 100, 0.028443966820490395),
        (55, 100, 0.18410080866334813),
        (530, 1000, 0.03101159754918159),
        (5200, 10000, 3.296757799336221e-05),
    ] {
        let got = binomial_upper_tail_half(hits, trials);
        assert!(
            close(got, p, 1e-9) && (got - p).abs() <= 1e-9 * p,
            "{hits}/{trials}: {got} vs {p}"
        );
    }
}

#[test]
fn bad_inputs_are_errors_not_panics() {
    let err = compute_metrics(&[1.0], &[1.0, 2.0], &[1.0, 2.0]).unwrap_err();
    assert!(matches!(err, AtbError::Evaluation(_)));
    assert!(err.to_string().contains("length mismatch"), "{err}");
    assert!(compute_metrics(&[], &[], &[]).is_err());
    let err = compute_metrics(&[1.0, f64::NAN], &[1.0, 2.0], &[1.0, 2.0]).unwrap_err();
    assert!(
        err.to_string().contains("predicted close at index 1"),
        "{err}"
    );
}

/// Closes at `level` with moves `level × [0.7 %, −0.9 %, …]`, a model that forecasts
/// `share` of each move, and persistence: their RMSEs differ by the factor `1 − share`.
fn priced_at(level: f64, share: f64) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let moves = [0.0070, -0.0088, 0.0123, -0.0053, 0.0100, -0.0076];
    let prev: Vec<f64> = (0..moves.len())
        .map(|i| level * (1.0 + 0.001 * i as f64))
        .collect();
    let actual: Vec<f64> = prev.iter().zip(moves).map(|(p, m)| p * (1.0 + m)).collect();
    let predicted: Vec<f64> = prev
        .iter()
        .zip(&actual)
        .map(|(p, a)| p + share * (a - p))
        .collect();
    (predicted, actual, prev)
}

#[test]
fn every_table_tells_errors_apart_at_doge_and_btc_scales() {
    use atb_gpu::pipeline::{BenchmarkReport, BenchmarkRow};
    // DOGE at 0.17 (the model 3 % better) and BTC at 117,000 (0.01 % better).
    for (level, share) in [(0.17, 0.03), (117_000.0, 0.0001)] {
        let (predicted, actual, prev) = priced_at(level, share);
        let c = Comparison::new(&predicted, &actual, &prev).unwrap();
        let columns = |text: &str, label: &str| -> Vec<String> {
            let line = text.lines().find(|l| l.starts_with(label)).unwrap();
            line.split_whitespace().map(str::to_string).collect()
        };
        let text = c.to_string();
        for label in ["RMSE", "MAE"] {
            let cells = columns(&text, label);
            assert_ne!(
                cells[1], cells[2],
                "{label} at {level} shows no difference:\n{text}"
            );
        }
        if level < 1.0 {
            // Four fixed decimals (the old format) could not tell these apart.
            assert_eq!(
                format!("{:.4}", c.model.rmse),
                format!("{:.4}", c.naive.rmse)
            );
        }
        let row = |model: &str, metrics: &atb_gpu::eval::Metrics| BenchmarkRow {
            model: model.to_string(),
            train_seconds: 1.0,
            infer_ms_p50: 1.0,
            infer_ms_p95: 1.0,
            throughput_per_s: 1.0,
            parameters_mib: 1.0,
            metrics: metrics.clone(),
            vs_persistence: None,
        };
        let report = BenchmarkReport {
            device: "cpu".into(),
            test_bars: actual.len(),
            rows: vec![row("tcn", &c.model), row("naive", &c.naive)],
        };
        let text = report.to_string();
        let (model, naive) = (columns(&text, "tcn"), columns(&text, "naive"));
        for (column, name) in [(3, "RMSE"), (4, "MAE")] {
            assert_ne!(
                model[column], naive[column],
                "benchmark {name} at {level} shows no difference:\n{text}"
            );
        }
    }
}

#[test]
fn forecasts_whose_errors_overflow_are_an_error_not_infinite_metrics() {
    let actual = [100.0, 101.0, 102.0];
    let previous = [99.0, 100.0, 101.0];
    let predicted = [1e300, 1e300, 101.0];
    let e = compute_metrics(&predicted, &actual, &previous).expect_err("RMSE overflows");
    assert!(matches!(e, AtbError::NonFinite(_)), "{e:?}");
    assert!(e.to_string().contains("RMSE is inf over 3 samples"), "{e}");
    assert!(Comparison::new(&predicted, &actual, &previous).is_err());
}
