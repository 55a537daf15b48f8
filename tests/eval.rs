//! Evaluation metrics, the persistence baseline and the comparison table, on hand-computed data.

use atb_gpu::AtbError;
use atb_gpu::eval::{
    Comparison, binomial_upper_tail_half, compute_metrics, naive_persistence_metrics,
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
    assert!(c.beats_naive());
    let text = c.to_string();
    for needle in [
        "RMSE",
        "MAE",
        "MAPE %",
        "R²",
        "DA %",
        "skill",
        "4.4441",
        "7.5000",
        "66.67 (p=0.5000)",
        "0.4075",
        "beats persistence",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    let rmse_line = text.lines().find(|l| l.starts_with("RMSE")).unwrap();
    assert!(rmse_line.find("4.4441").unwrap() < rmse_line.find("7.5000").unwrap());
}

#[test]
fn a_model_worse_than_persistence_is_shown_as_such() {
    let worse = [120.0, 80.0, 110.0, 90.0];
    let c = Comparison::new(&worse, &ACTUAL, &PREV).unwrap();
    assert!(c.skill.unwrap() < 0.0);
    assert!(!c.beats_naive());
    assert!(c.to_string().contains("does NOT beat persistence"));
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
