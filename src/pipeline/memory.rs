//! The pre-flight memory estimate of a neural job — parameters with their gradients and Adam
//! state, the activations of one batch, the windows — checked against the host's available
//! memory and the adapter's buffer limits before a model is built or an epoch runs. The error
//! names the estimate, its parts and the setting to lower.

use std::fmt;

use crate::device::{ComputeDevice, available_host_memory};
use crate::models::Footprint;
use crate::{AtbError, Result};

/// Bytes of one f32.
const F32: u64 = 4;
/// Copies of the parameters a fit keeps: values, gradients, Adam's two moments and the best
/// epoch's weights.
const PARAMETER_COPIES: u64 = 5;
/// Activations are kept once for the forward pass and once more as their gradients.
const ACTIVATION_COPIES: u64 = 2;
/// Windows evaluated at once (validation, prediction; `train::fit`'s chunk).
const EVAL_WINDOWS: u64 = 256;
/// Window sets are held twice: the host arrays and the device (or CPU backend) copy.
const WINDOW_COPIES: u64 = 2;

/// What a job is estimated to need, in bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryEstimate {
    /// Parameters with gradients, Adam moments and the best weights.
    pub parameters: u64,
    /// Activations of one training batch (or of one evaluation chunk, when larger).
    pub activations: u64,
    /// The windows of every split.
    pub windows: u64,
    /// The largest single buffer a device must hold at once, with what it is.
    pub largest_buffer: (&'static str, u64),
    /// The setting that contributes most, as the user writes it.
    pub culprit: String,
}

/// Bytes in a human unit (GiB, MiB, KiB).
fn human(bytes: u64) -> String {
    const UNITS: [(&str, u64); 4] = [
        ("TiB", 1 << 40),
        ("GiB", 1 << 30),
        ("MiB", 1 << 20),
        ("KiB", 1 << 10),
    ];
    for (unit, size) in UNITS {
        if bytes >= size {
            return format!("{:.1} {unit}", bytes as f64 / size as f64);
        }
    }
    format!("{bytes} bytes")
}

impl MemoryEstimate {
    /// The estimate of a fit of `footprint` with batches of `batch` windows and
    /// `window_values` f32 values over all splits' windows; `None` when it overflows.
    pub fn of_training(footprint: &Footprint, batch: usize, window_values: u64) -> Option<Self> {
        let batch = batch as u64;
        let parameters = footprint.parameters.checked_mul(F32 * PARAMETER_COPIES)?;
        let train = footprint
            .activations_per_sample
            .checked_mul(batch)?
            .checked_mul(F32 * ACTIVATION_COPIES)?;
        let eval = footprint
            .largest_activation
            .checked_mul(EVAL_WINDOWS)?
            .checked_mul(F32 * ACTIVATION_COPIES)?;
        let activations = train.max(eval);
        let windows = window_values.checked_mul(F32 * WINDOW_COPIES)?;
        let buffers = [
            (
                "the flat parameter buffer",
                footprint.parameters.checked_mul(F32)?,
            ),
            ("the training windows", window_values.checked_mul(F32)?),
            (
                "the largest activation of one batch",
                footprint
                    .largest_activation
                    .checked_mul(batch.max(EVAL_WINDOWS))?
                    .checked_mul(F32)?,
            ),
        ];
        let largest_buffer = buffers.into_iter().max_by_key(|(_, b)| *b)?;
        let culprit = footprint
            .largest_part(batch)
            .map_or_else(|| "the model's settings".to_string(), |p| p.setting.clone());
        let estimate = MemoryEstimate {
            parameters,
            activations,
            windows,
            largest_buffer,
            culprit,
        };
        estimate.checked_total().map(|_| estimate)
    }

    /// The estimate of loading `footprint`'s model and forecasting one window; `None` when it
    /// overflows.
    pub fn of_inference(footprint: &Footprint) -> Option<Self> {
        let parameters = footprint.parameters.checked_mul(F32)?;
        let activations = footprint.activations_per_sample.checked_mul(F32)?;
        let estimate = MemoryEstimate {
            parameters,
            activations,
            windows: 0,
            largest_buffer: ("the flat parameter buffer", parameters),
            culprit: footprint
                .largest_part(1)
                .map_or_else(|| "the model's settings".to_string(), |p| p.setting.clone()),
        };
        estimate.checked_total().map(|_| estimate)
    }

    fn checked_total(&self) -> Option<u64> {
        self.parameters
            .checked_add(self.activations)?
            .checked_add(self.windows)
    }

    /// Everything together.
    pub fn total(&self) -> u64 {
        self.checked_total().unwrap_or(u64::MAX)
    }

    /// Fails when the estimate exceeds `available` host bytes (when known) or one buffer
    /// exceeds the GPU adapter's limits, naming the estimate and what to lower.
    pub fn check(&self, device: &ComputeDevice, available: Option<u64>) -> Result<()> {
        if let Some(available) = available.filter(|&a| self.total() > a) {
            return Err(AtbError::Config(format!(
                "not enough memory: the run needs about {self}, the host has {} available \
                 (MemAvailable); lower {}, --batch-size or --sequence-length",
                human(available),
                self.culprit
            )));
        }
        if let Some(ctx) = device.gpu() {
            let limits = ctx.limits();
            let (what, bytes) = self.largest_buffer;
            for (limit, name) in [
                (limits.max_buffer_size, "max_buffer_size"),
                (
                    limits.max_storage_buffer_binding_size,
                    "max_storage_buffer_binding_size",
                ),
            ] {
                if bytes > limit {
                    return Err(AtbError::Config(format!(
                        "too large for the adapter: {what} needs {} but {} allows {} ({name}); \
                         lower {}, --batch-size or --sequence-length, or use --device cpu",
                        human(bytes),
                        ctx.adapter_info().name,
                        human(limit),
                        self.culprit
                    )));
                }
            }
        }
        Ok(())
    }

    /// [`check`](Self::check) against this host's available memory.
    pub fn check_here(&self, device: &ComputeDevice) -> Result<()> {
        self.check(device, available_host_memory())
    }
}

impl fmt::Display for MemoryEstimate {
    /// `4.2 GiB (parameters with gradients and Adam state 1.0 GiB, activations 3.0 GiB,
    /// windows 200.0 MiB)`; parts not counted (0 bytes) are left out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = [
            ("parameters with gradients and Adam state", self.parameters),
            ("activations", self.activations),
            ("windows", self.windows),
        ]
        .iter()
        .filter(|(_, bytes)| *bytes > 0)
        .map(|(what, bytes)| format!("{what} {}", human(*bytes)))
        .collect();
        write!(f, "{} ({})", human(self.total()), parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{ModelConfig, ModelType, Overrides, Variant};

    fn footprint(sets: &[&str]) -> Footprint {
        ModelConfig::new(
            ModelType::Tcn,
            (60, 15),
            Variant::Default,
            &Overrides::parse(sets).unwrap(),
        )
        .unwrap()
        .footprint(60)
        .unwrap()
    }

    #[test]
    fn the_estimate_adds_its_parts_and_is_checked_against_the_available_bytes() {
        let f = footprint(&[]);
        let e = MemoryEstimate::of_training(&f, 32, 1_000_000).unwrap();
        assert_eq!(e.parameters, f.parameters * 4 * 5);
        assert_eq!(e.windows, 8_000_000);
        assert_eq!(
            e.activations,
            (f.activations_per_sample * 32 * 8).max(f.largest_activation * 256 * 8)
        );
        assert_eq!(e.total(), e.parameters + e.activations + e.windows);
        assert!(e.check(&ComputeDevice::Cpu, Some(e.total())).is_ok());
        assert!(
            e.check(&ComputeDevice::Cpu, None).is_ok(),
            "unknown: not checked"
        );
        let err = e
            .check(&ComputeDevice::Cpu, Some(e.total() - 1))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("not enough memory: the run needs about ")
                && err.contains("windows 7.6 MiB")
                && err.contains("lower 'num_layers'=5"),
            "{err}"
        );
        assert!(
            MemoryEstimate::of_training(&f, usize::MAX, 0).is_none(),
            "overflow"
        );
        let inference = MemoryEstimate::of_inference(&f).unwrap();
        assert_eq!(inference.parameters, f.parameters * 4);
        assert_eq!(human(1536), "1.5 KiB");
        assert_eq!(human(3 << 30), "3.0 GiB");
        assert_eq!(human(12), "12 bytes");
    }
}
