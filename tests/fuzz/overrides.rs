//! The `--set key=value` parser and the model configs it leads to: any text is parsed or
//! refused, any accepted config has a footprint or a size error, and a small one builds with
//! exactly the parameters its footprint counted.

use atb_gpu::ComputeDevice;
use atb_gpu::models::{Model, ModelConfig, ModelType, Overrides, Variant};
use proptest::prelude::*;

/// Keys no architecture accepts.
const STRANGERS: [&str; 3] = ["colour", "", "n_estimators"];

/// The four architectures.
const TYPES: [ModelType; 4] = [
    ModelType::CnnLstm,
    ModelType::AttentionLstm,
    ModelType::Tcn,
    ModelType::TcnAttention,
];

fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        12 => (1u64..9).prop_map(|v| v.to_string()),
        1 => any::<u64>().prop_map(|v| v.to_string()),
        1 => Just("18446744073709551615".to_string()),
        1 => Just("4294967296".to_string()),
        1 => Just("1000000000000".to_string()),
        1 => any::<i64>().prop_map(|v| v.to_string()),
        1 => any::<f64>().prop_map(|v| v.to_string()),
    ]
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        number(),
        prop::collection::vec(number(), 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
        prop::collection::vec(number(), 1..4).prop_map(|v| v.join(",")),
        Just("true".to_string()),
        Just("0.3".to_string()),
        "[ -~]{0,10}",
    ]
}

/// One `--set` item: mostly a key `model_type` accepts, sometimes another or free text.
fn item(model_type: ModelType) -> impl Strategy<Value = String> {
    let any_key: Vec<&str> = TYPES
        .iter()
        .flat_map(|t| t.accepted_keys().iter().copied())
        .chain(STRANGERS)
        .collect();
    prop_oneof![
        12 => (prop::sample::select(model_type.accepted_keys().to_vec()), value())
            .prop_map(|(k, v)| format!("{k}={v}")),
        1 => (prop::sample::select(any_key), value()).prop_map(|(k, v)| format!("{k}={v}")),
        1 => "[ -~]{0,16}",
    ]
}

/// A model type with overrides for it.
fn request() -> impl Strategy<Value = (ModelType, Vec<String>)> {
    prop::sample::select(TYPES.to_vec())
        .prop_flat_map(|t| (Just(t), prop::collection::vec(item(t), 0..4)))
}

proptest! {
    #[test]
    fn any_overrides_give_a_config_or_an_error_and_small_ones_build_as_counted(
        (model_type, items) in request(),
        variant in prop::sample::select(vec![Variant::Lightweight, Variant::Default, Variant::Deep]),
        sequence_length in prop_oneof![1usize..64, Just(usize::MAX), any::<usize>()],
        features in 1usize..20,
    ) {
        let Ok(overrides) = Overrides::parse(&items) else { return Ok(()); };
        let Ok(config) = ModelConfig::new(model_type, (sequence_length, features), variant, &overrides)
        else {
            return Ok(());
        };
        let parameters = config.footprint(1).expect("new() checked the sizes").parameters;
        let _ = config.footprint(sequence_length);
        if parameters < 100_000 {
            let model = Model::build(&config, 7, &ComputeDevice::Cpu).unwrap();
            prop_assert_eq!(model.parameter_count() as u64, parameters);
        }
    }
}
