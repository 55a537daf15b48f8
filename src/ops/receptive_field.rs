//! How many past time steps a stack of dilated causal convolutions sees.

use crate::{AtbError, Result};

/// The receptive field of `num_layers` levels with dilations 1, 2, 4, …, 2^(L-1), each level
/// holding `convs_per_layer` causal convolutions of `kernel_size` taps:
/// `1 + convs_per_layer · (kernel_size - 1) · Σ d`.
///
/// `convs_per_layer = 1` is the guide's `calculate_receptive_field` (kernel 5, 5 layers → 125);
/// keras-tcn's residual blocks hold two convolutions (`convs_per_layer = 2`, → 249).
pub fn receptive_field(
    kernel_size: usize,
    num_layers: usize,
    convs_per_layer: usize,
) -> Result<usize> {
    let err = |detail: String| AtbError::Shape {
        op: "receptive_field",
        detail,
    };
    if kernel_size == 0 {
        return Err(err("kernel_size must be at least 1".to_string()));
    }
    // Σ_{l<L} 2^l = 2^L - 1.
    let dilation_sum = u32::try_from(num_layers)
        .ok()
        .and_then(|layers| 1usize.checked_shl(layers))
        .map(|power| power - 1);
    dilation_sum
        .and_then(|sum| sum.checked_mul(kernel_size - 1))
        .and_then(|span| span.checked_mul(convs_per_layer))
        .and_then(|span| span.checked_add(1))
        .ok_or_else(|| {
            err(format!(
                "kernel_size {kernel_size}, {num_layers} layers, {convs_per_layer} convolutions per layer overflow"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guide_stack_sees_125_steps() {
        // The guide: calculate_receptive_field(kernel_size=5, num_layers=5) = 125.
        assert_eq!(receptive_field(5, 5, 1).unwrap(), 125);
    }

    #[test]
    fn keras_tcn_blocks_with_two_convolutions_see_249_steps() {
        assert_eq!(receptive_field(5, 5, 2).unwrap(), 249);
    }

    #[test]
    fn small_stacks_by_hand() {
        // No layers, or kernel 1: only the current step.
        assert_eq!(receptive_field(5, 0, 1).unwrap(), 1);
        assert_eq!(receptive_field(1, 6, 2).unwrap(), 1);
        // Kernel 2, dilations 1 and 2: 1 + 1·(1 + 2) = 4.
        assert_eq!(receptive_field(2, 2, 1).unwrap(), 4);
        // Kernel 3, dilations 1, 2, 4, two convolutions each: 1 + 2·2·7 = 29.
        assert_eq!(receptive_field(3, 3, 2).unwrap(), 29);
    }

    #[test]
    fn invalid_or_overflowing_stacks_are_errors() {
        assert!(receptive_field(0, 3, 1).is_err());
        assert!(receptive_field(5, 64, 1).is_err());
        assert!(receptive_field(5, 1000, 1).is_err());
        assert!(receptive_field(3, 62, 4).is_err());
    }
}
