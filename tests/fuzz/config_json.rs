//! `config.json` parsing (today's format and v0.1.0's) on arbitrary text and on valid files
//! with one value replaced: parsed or refused, and a parsed model config has a footprint or
//! a size error.

use atb_gpu::models::{ModelConfig, ModelType, Overrides, Variant};
use atb_gpu::pipeline::SavedConfig;
use proptest::prelude::*;
use serde_json::{Value, json};

/// A valid config.json of `model_type`, today's format or v0.1.0's flat one.
fn template(model_type: ModelType, v0_1: bool) -> Value {
    let model = ModelConfig::new(
        model_type,
        (12, 15),
        Variant::Default,
        &Overrides::default(),
    )
    .unwrap();
    let features: Vec<String> = (0..15).map(|i| format!("f{i}")).collect();
    let model = if v0_1 {
        json!({
            "model_type": model_type.name(), "variant": "default", "input_shape": [12, 15],
            "conv_filters": [4], "lstm_units": [4], "num_filters": 4, "kernel_size": 3,
            "num_layers": 2, "num_attention_heads": 2, "attention_key_dim": 4,
            "dense_units": 4, "dropout": 0.2, "has_sentiment": false, "sentiment_features": 0
        })
    } else {
        serde_json::to_value(&model).unwrap()
    };
    json!({
        "atb_gpu_version": if v0_1 { "0.1.0" } else { "0.2.0" },
        "symbol": "BTCUSDT",
        "model": model,
        "features": features,
        "uses_extra_columns": false,
        "sequence_length": 12,
        "target": "next-bar log return",
        "training": {
            "epochs": 1, "epochs_run": 1, "best_epoch": 1, "batch_size": 32,
            "learning_rate": 0.001, "patience": 15, "clip_norm": 1.0, "seed": 42
        },
        "data": {
            "source": "x.csv", "first": "2025-06-25 07:00:00", "last": "2025-07-15 06:00:00",
            "bars": 480, "fingerprint": "fnv1a64:0", "days": null, "gaps": "interval 1h, no gaps",
            "samples": [289, 53, 53]
        },
        "device": "cpu"
    })
}

/// JSON pointers of every value in `v` (objects' and arrays' members, recursively).
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let p = format!("{at}/{k}");
                out.push(p.clone());
                pointers(child, p, out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let p = format!("{at}/{i}");
                out.push(p.clone());
                pointers(child, p, out);
            }
        }
        _ => {}
    }
}

fn replacement() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        Just(Value::from(u64::MAX)),
        Just(Value::from(16_384u64)),
        Just(Value::from(0u64)),
        Just(json!([u64::MAX])),
        Just(json!([16384, 16384, 16384])),
        Just(Value::Null),
        Just(json!(true)),
        "[ -~]{0,12}".prop_map(Value::from),
    ]
}

/// Parses `text`; what parses must have a footprint or a clean size error.
fn check(text: &str) {
    if let Ok(config) = SavedConfig::from_json(text) {
        let _ = config.model.footprint(config.sequence_length);
    }
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
        check(&text);
    }

    #[test]
    fn a_valid_config_with_one_value_replaced_or_removed_never_panics(
        model_type in prop::sample::select(vec![
            ModelType::CnnLstm, ModelType::AttentionLstm, ModelType::Tcn, ModelType::TcnAttention,
        ]),
        v0_1 in any::<bool>(),
        pick in any::<prop::sample::Index>(),
        new_value in replacement(),
        remove in any::<bool>(),
    ) {
        let mut value = template(model_type, v0_1);
        check(&value.to_string());
        let mut all = Vec::new();
        pointers(&value, String::new(), &mut all);
        let target = pick.get(&all).clone();
        let (parent, key) = target.rsplit_once('/').unwrap();
        match value.pointer_mut(parent) {
            Some(Value::Object(map)) if remove => {
                map.remove(key);
            }
            _ => {
                if let Some(slot) = value.pointer_mut(&target) {
                    *slot = new_value;
                }
            }
        }
        check(&value.to_string());
    }
}
