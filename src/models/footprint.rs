//! What a configuration costs before it is built: its parameters and the activations one
//! training sample keeps, layer by layer, computed from the config alone with checked
//! arithmetic. Each part is named by the setting that sizes it, so an oversized request
//! (`lstm_units=[18446744073709551615]`, `attention_key_dim=1000000000000`) is an error naming
//! that setting instead of an overflow panic or an aborted allocation, and the memory check
//! can say which setting to lower.
//!
//! Activation counts follow the layers' forward passes: a layer's output, a convolution's
//! unfolded input (the fast CPU path's im2col), an LSTM's input projection, gates and states,
//! attention's projections and its [heads, T, T] weights. They are an estimate of what the
//! tape holds, not an exact byte count.

use super::cnn_lstm::SENTIMENT_UNITS;
use super::config::ModelConfig;
use crate::{AtbError, Result};

/// The widest layer a setting may ask for (units, filters, key size, dense units, heads ×
/// key size): 64 times the widest preset (256).
pub const MAX_WIDTH: usize = 16_384;

/// One layer's share of a [`Footprint`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FootprintPart {
    /// The setting that sizes it, as the user writes it (e.g. `lstm_units[0]=128`).
    pub setting: String,
    /// Scalar parameters.
    pub parameters: u64,
    /// f32 values one training sample keeps for the backward pass.
    pub activations: u64,
}

/// Parameters and per-sample activations of a configuration over windows of T bars.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Footprint {
    /// Every layer, in build order.
    pub parts: Vec<FootprintPart>,
    /// Total scalar parameters (as `Model::parameter_count` will report).
    pub parameters: u64,
    /// Total f32 activations of one sample.
    pub activations_per_sample: u64,
    /// The largest single activation tensor of one sample, in f32 values.
    pub largest_activation: u64,
}

impl Footprint {
    /// The part with the most parameters plus activations of `batch` samples: what to lower.
    pub fn largest_part(&self, batch: u64) -> Option<&FootprintPart> {
        self.parts.iter().max_by_key(|p| {
            p.activations
                .saturating_mul(batch)
                .saturating_add(p.parameters)
        })
    }
}

/// The product of `factors`, or `None` on overflow.
fn product(factors: &[u64]) -> Option<u64> {
    factors.iter().try_fold(1u64, |acc, &f| acc.checked_mul(f))
}

/// The sum of `terms`, or `None` on overflow.
fn sum(terms: &[Option<u64>]) -> Option<u64> {
    terms
        .iter()
        .try_fold(0u64, |acc, &t| t.and_then(|t| acc.checked_add(t)))
}

/// Parameters, activations and largest tensor of one layer.
type Cost = (Option<u64>, Option<u64>, Option<u64>);

/// A dense layer over `rows` positions: `inputs × units` weights and a bias.
fn linear(inputs: u64, units: u64, rows: u64) -> Cost {
    let out = product(&[rows, units]);
    (sum(&[product(&[inputs, units]), Some(units)]), out, out)
}

/// A causal convolution over `t` steps: its output and its unfolded input.
fn conv(inputs: u64, filters: u64, kernel: u64, t: u64) -> Cost {
    let out = product(&[t, filters]);
    let unfolded = product(&[t, kernel, inputs]);
    (
        sum(&[product(&[kernel, inputs, filters]), Some(filters)]),
        sum(&[out, unfolded]),
        out.zip(unfolded).map(|(a, b)| a.max(b)),
    )
}

/// An LSTM layer: kernel, recurrent kernel and bias; input projection, gates, h and c per step.
fn lstm(inputs: u64, units: u64, t: u64) -> Cost {
    let gates = product(&[4, units]);
    let params = gates.and_then(|g| sum(&[product(&[g, inputs]), product(&[g, units]), Some(g)]));
    (params, product(&[t, units, 10]), product(&[t, units, 4]))
}

/// Pre-norm multi-head self-attention (layer norm, Q/K/V and output projections, weights).
fn attention(width: u64, heads: u64, key_dim: u64, t: u64) -> Cost {
    let inner = product(&[heads, key_dim]);
    let Some(inner) = inner else {
        return (None, None, None);
    };
    let projection = product(&[width, inner]);
    let params = sum(&[
        product(&[3, inner]),
        projection.and_then(|p| p.checked_mul(4)),
        Some(width),
        product(&[2, width]),
    ]);
    let weights = product(&[heads, t, t]);
    let activations = sum(&[product(&[t, inner, 4]), weights, product(&[t, width, 4])]);
    let largest = weights.zip(product(&[t, inner])).map(|(a, b)| a.max(b));
    (params, activations, largest)
}

/// Accumulates the parts of one configuration.
struct Tally {
    t: u64,
    footprint: Footprint,
}

impl Tally {
    fn new(t: usize) -> Tally {
        Tally {
            t: t as u64,
            footprint: Footprint {
                parts: Vec::new(),
                parameters: 0,
                activations_per_sample: 0,
                largest_activation: 0,
            },
        }
    }

    /// Adds one layer; an overflow anywhere is an error naming `setting`.
    fn add(&mut self, setting: String, (parameters, activations, largest): Cost) -> Result<()> {
        let f = &mut self.footprint;
        let totals = parameters
            .zip(activations)
            .zip(largest)
            .and_then(|((p, a), l)| {
                Some((
                    f.parameters.checked_add(p)?,
                    f.activations_per_sample.checked_add(a)?,
                    p,
                    a,
                    l,
                ))
            });
        let Some((total_params, total_acts, p, a, l)) = totals else {
            return Err(AtbError::Config(format!(
                "invalid value for {setting}: the model's size overflows 64-bit arithmetic"
            )));
        };
        f.parameters = total_params;
        f.activations_per_sample = total_acts;
        f.largest_activation = f.largest_activation.max(l);
        f.parts.push(FootprintPart {
            setting,
            parameters: p,
            activations: a,
        });
        Ok(())
    }

    /// Dropout (its mask) and the dense head (`units`, then one output).
    fn head(&mut self, inputs: u64, units: usize) -> Result<()> {
        let (p1, a1, l1) = linear(inputs, units as u64, 1);
        let (p2, a2, _) = linear(units as u64, 1, 1);
        self.add(
            format!("'dense_units'={units}"),
            (sum(&[p1, p2]), sum(&[a1, a1, a2]), l1),
        )
    }

    fn lstm_stack(&mut self, inputs: u64, units: &[usize]) -> Result<u64> {
        let mut width = inputs;
        for (i, &u) in units.iter().enumerate() {
            let (p, a, l) = lstm(width, u as u64, self.t);
            let dropout = product(&[self.t, u as u64]);
            self.add(format!("'lstm_units'[{i}]={u}"), (p, sum(&[a, dropout]), l))?;
            width = u as u64;
        }
        Ok(width)
    }

    fn tcn_stack(
        &mut self,
        inputs: u64,
        filters: usize,
        kernel: usize,
        layers: usize,
    ) -> Result<()> {
        let (f, k, t) = (filters as u64, kernel as u64, self.t);
        let mut width = inputs;
        for i in 0..layers {
            let setting = format!(
                "'num_layers'={layers} (block {i}, dilation 2^{i}) with 'num_filters'={filters} \
                 and 'kernel_size'={kernel}"
            );
            // The dilation 2^i and the causal span (kernel − 1)·2^i must be representable.
            let span = u32::try_from(i)
                .ok()
                .and_then(|i| 1u64.checked_shl(i))
                .and_then(|d| d.checked_mul(k.saturating_sub(1)));
            let (p0, a0, l0) = conv(width, f, k, t);
            let (p1, a1, l1) = conv(f, f, k, t);
            let (ps, as_, ls) = if width == f {
                (Some(0), Some(0), Some(0))
            } else {
                conv(width, f, 1, t)
            };
            let extra = product(&[t, f, 3]); // two dropout masks, the residual sum
            let largest = [l0, l1, ls]
                .into_iter()
                .try_fold(0u64, |m, l| l.map(|l| m.max(l)));
            let params = span.and(sum(&[p0, p1, ps]));
            self.add(setting, (params, sum(&[a0, a1, as_, extra]), largest))?;
            width = f;
        }
        Ok(())
    }

    fn attention(&mut self, width: u64, heads: usize, key_dim: usize) -> Result<()> {
        self.add(
            format!("'num_attention_heads'={heads} with 'attention_key_dim'={key_dim}"),
            attention(width, heads as u64, key_dim as u64, self.t),
        )
    }
}

/// Fails when a width setting exceeds [`MAX_WIDTH`].
fn check_width(key: &str, value: usize) -> Result<()> {
    if value > MAX_WIDTH {
        return Err(AtbError::Config(format!(
            "invalid value for '{key}': {value} (a layer may be at most {MAX_WIDTH} wide)"
        )));
    }
    Ok(())
}

impl ModelConfig {
    /// The footprint of this configuration over windows of `sequence_length` bars; an error
    /// naming the setting when a width exceeds [`MAX_WIDTH`] or a size overflows.
    pub fn footprint(&self, sequence_length: usize) -> Result<Footprint> {
        let mut tally = Tally::new(sequence_length);
        let features = self.features() as u64;
        match self {
            ModelConfig::CnnLstm(c) => {
                for &f in &c.conv_filters {
                    check_width("conv_filters", f)?;
                }
                for &u in &c.lstm_units {
                    check_width("lstm_units", u)?;
                }
                check_width("dense_units", c.dense_units)?;
                let sentiment = if c.has_sentiment {
                    c.sentiment_features as u64
                } else {
                    0
                };
                let mut width = features.saturating_sub(sentiment);
                let t = tally.t;
                for (i, &f) in c.conv_filters.iter().enumerate() {
                    let (p, a, l) = conv(width, f as u64, c.kernel_size as u64, t);
                    tally.add(
                        format!(
                            "'conv_filters'[{i}]={f} with 'kernel_size'={}",
                            c.kernel_size
                        ),
                        (p, sum(&[a, product(&[t, f as u64])]), l),
                    )?;
                    width = f as u64;
                }
                let mut head_inputs = tally.lstm_stack(width, &c.lstm_units)?;
                if sentiment > 0 {
                    tally.add(
                        "'has_sentiment'=true".to_string(),
                        linear(sentiment, SENTIMENT_UNITS as u64, 1),
                    )?;
                    head_inputs = head_inputs.saturating_add(SENTIMENT_UNITS as u64);
                }
                tally.head(head_inputs, c.dense_units)?;
            }
            ModelConfig::AttentionLstm(c) => {
                for &u in &c.lstm_units {
                    check_width("lstm_units", u)?;
                }
                check_width("attention_key_dim", c.attention_key_dim)?;
                check_width("num_attention_heads", c.num_attention_heads)?;
                check_width(
                    "attention_key_dim",
                    c.num_attention_heads.saturating_mul(c.attention_key_dim),
                )?;
                check_width("dense_units", c.dense_units)?;
                let width = tally.lstm_stack(features, &c.lstm_units)?;
                tally.attention(width, c.num_attention_heads, c.attention_key_dim)?;
                tally.head(width, c.dense_units)?;
            }
            ModelConfig::Tcn(c) => {
                check_width("num_filters", c.num_filters)?;
                check_width("dense_units", c.dense_units)?;
                tally.tcn_stack(features, c.num_filters, c.kernel_size, c.num_layers)?;
                tally.head(c.num_filters as u64, c.dense_units)?;
            }
            ModelConfig::TcnAttention(c) => {
                check_width("num_filters", c.num_filters)?;
                check_width("attention_key_dim", c.attention_key_dim)?;
                check_width("num_attention_heads", c.num_attention_heads)?;
                check_width(
                    "attention_key_dim",
                    c.num_attention_heads.saturating_mul(c.attention_key_dim),
                )?;
                check_width("dense_units", c.dense_units)?;
                tally.tcn_stack(features, c.num_filters, c.kernel_size, c.num_layers)?;
                let width = c.num_filters as u64;
                tally.attention(width, c.num_attention_heads, c.attention_key_dim)?;
                tally.head(width, c.dense_units)?;
            }
        }
        Ok(tally.footprint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::ComputeDevice;
    use crate::models::config::ModelType;
    use crate::models::factory::Model;
    use crate::models::overrides::Overrides;
    use crate::models::variant::Variant;

    fn config(model_type: &str, variant: Variant, sets: &[&str]) -> Result<ModelConfig> {
        ModelConfig::new(
            ModelType::parse(model_type)?,
            (12, 15),
            variant,
            &Overrides::parse(sets)?,
        )
    }

    #[test]
    fn the_parameter_count_matches_the_built_model() {
        let cases: &[(&str, &[&str])] = &[
            ("cnn_lstm", &[]),
            ("cnn_lstm", &["conv_filters=[3, 5]", "kernel_size=2"]),
            ("attention_lstm", &[]),
            (
                "attention_lstm",
                &["lstm_units=[6]", "num_attention_heads=2"],
            ),
            ("tcn", &[]),
            ("tcn", &["num_filters=15", "num_layers=3"]),
            ("tcn_attention", &[]),
        ];
        for variant in [Variant::Lightweight, Variant::Default, Variant::Deep] {
            for (model_type, sets) in cases {
                let c = config(model_type, variant, sets).unwrap();
                let built = Model::build(&c, 1, &ComputeDevice::Cpu).unwrap();
                let footprint = c.footprint(12).unwrap();
                assert_eq!(
                    footprint.parameters,
                    built.parameter_count() as u64,
                    "{model_type} {variant:?} {sets:?}"
                );
                assert!(footprint.activations_per_sample > 0);
            }
        }
        let sentiment = config("cnn_lstm", Variant::Lightweight, &["has_sentiment=true"])
            .unwrap()
            .with_sentiment_columns(2)
            .unwrap();
        let built = Model::build(&sentiment, 1, &ComputeDevice::Cpu).unwrap();
        assert_eq!(
            sentiment.footprint(12).unwrap().parameters,
            built.parameter_count() as u64
        );
    }

    #[test]
    fn oversized_settings_are_errors_naming_the_setting() {
        for (model_type, set, named) in [
            (
                "cnn_lstm",
                "lstm_units=[18446744073709551615]",
                "'lstm_units': 18446744073709551615",
            ),
            (
                "cnn_lstm",
                "dense_units=4294967296",
                "'dense_units': 4294967296",
            ),
            (
                "cnn_lstm",
                "conv_filters=[100000]",
                "'conv_filters': 100000",
            ),
            (
                "attention_lstm",
                "attention_key_dim=1000000000000",
                "'attention_key_dim'",
            ),
            ("tcn", "num_filters=20000", "'num_filters': 20000"),
        ] {
            let err = config(model_type, Variant::Default, &[set])
                .expect_err(set)
                .to_string();
            assert!(
                err.contains(named) && err.contains("at most 16384 wide"),
                "{set}: {err}"
            );
        }
        let err = config("tcn", Variant::Default, &["num_layers=65", "kernel_size=2"])
            .expect_err("2^64 dilation")
            .to_string();
        assert!(
            err.contains("'num_layers'=65 (block 64") && err.contains("overflows"),
            "{err}"
        );
        let err = config(
            "tcn",
            Variant::Default,
            &["kernel_size=18446744073709551615"],
        )
        .expect_err("a kernel of 2^64 - 1 taps")
        .to_string();
        assert!(err.contains("'kernel_size'=18446744073709551615"), "{err}");
        let huge_window = config("tcn", Variant::Default, &[])
            .unwrap()
            .footprint(usize::MAX)
            .expect_err("activations of 2^64 bars overflow")
            .to_string();
        assert!(huge_window.contains("overflows"), "{huge_window}");
    }

    #[test]
    fn the_largest_part_is_what_to_lower() {
        let c = config(
            "attention_lstm",
            Variant::Default,
            &["lstm_units=[16384, 8]"],
        )
        .unwrap();
        let footprint = c.footprint(60).unwrap();
        let largest = footprint.largest_part(32).unwrap();
        assert_eq!(largest.setting, "'lstm_units'[0]=16384");
    }
}
