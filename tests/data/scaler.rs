//! Scalers: train-only statistics, exact JSON round trip, inverse to prices.

use atb_gpu::data::{FeatureScaler, Scalers, TargetScaler};
use ndarray::array;

#[test]
fn feature_scaler_standardises_and_guards_constant_columns() {
    let names = vec!["a".to_string(), "b".to_string()];
    let train = array![[1.0, 5.0], [3.0, 5.0]];
    let scaler = FeatureScaler::fit(&names, train.view());
    assert_eq!(scaler.mean, vec![2.0, 5.0]);
    assert_eq!(
        scaler.std,
        vec![1.0, 1.0],
        "population std of [1,3] is 1; constant column gets 1"
    );
    let scaled = scaler
        .transform(array![[4.0, 6.0]].view())
        .expect("same columns");
    assert_eq!(scaled, array![[2.0f32, 1.0]]);
    assert!(scaler.transform(array![[1.0]].view()).is_err());
}

#[test]
fn target_scaler_inverse_returns_the_price() {
    let returns = [0.01, -0.02, 0.005, 0.0];
    let t = TargetScaler::fit(&returns);
    let scaled = t.scale(100.0, 103.0);
    assert!((t.inverse(scaled, 100.0) - 103.0).abs() < 1e-10);
    assert_eq!(t.inverse(-t.mean / t.std, 250.0), 250.0, "zero log return");
}

fn awkward_scalers() -> Scalers {
    let values = [
        0.1 + 0.2,
        1e-300,
        -123_456.789_012_345_67,
        std::f64::consts::PI,
        5e-324,
        1.0 / 3.0,
    ];
    Scalers {
        features: FeatureScaler {
            names: (0..values.len())
                .map(|i| format!("f{i} \"quoted\""))
                .collect(),
            mean: values.to_vec(),
            std: values.iter().map(|v| v.abs() + 0.7).collect(),
        },
        target: TargetScaler {
            mean: -2.220_446_049_250_313e-16,
            std: 0.006_789_012_345_678_9,
        },
    }
}

#[test]
fn scalers_round_trip_through_json_bit_exactly() {
    let scalers = awkward_scalers();
    let json = scalers.to_json().expect("serialises");
    let back = Scalers::from_json("scaler.json", &json).expect("parses");
    assert_eq!(back, scalers);
    for (a, b) in back.features.mean.iter().zip(&scalers.features.mean) {
        assert_eq!(a.to_bits(), b.to_bits());
    }
    assert_eq!(back.target.std.to_bits(), scalers.target.std.to_bits());
}

#[test]
fn malformed_or_inconsistent_json_is_an_error_naming_the_file() {
    let e = Scalers::from_json("models/x/scaler.json", "{\"features\": 3}").expect_err("bad");
    assert!(e.to_string().starts_with("models/x/scaler.json:1: "), "{e}");
    let mut scalers = awkward_scalers();
    scalers.features.std.pop();
    let json = scalers.to_json().expect("serialises");
    let e = Scalers::from_json("s.json", &json).expect_err("lengths differ");
    assert!(
        e.to_string()
            .contains("6 feature names but 6 means and 5 standard deviations"),
        "{e}"
    );
    let mut scalers = awkward_scalers();
    scalers.target.std = 0.0;
    let e = Scalers::from_json("s.json", &scalers.to_json().expect("ok")).expect_err("zero std");
    assert!(e.to_string().contains("must be positive"), "{e}");
}

#[test]
fn a_scaler_that_sends_a_value_to_infinity_is_an_error_naming_the_feature() {
    let scaler = FeatureScaler {
        names: vec!["rsi_14".into(), "log_return_1".into()],
        mean: vec![50.0, -1e300],
        std: vec![10.0, 1e-300],
    };
    let e = scaler
        .transform(array![[55.0, 0.01]].view())
        .expect_err("0.01 + 1e300 over 1e-300 overflows");
    assert!(
        e.to_string()
            .starts_with("not a finite number: feature 'log_return_1' = 0.01 scales to inf"),
        "{e}"
    );
}
