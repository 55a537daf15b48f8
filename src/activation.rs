//! Activation functions shared by the elementwise kernels and the matmul epilogue.
//!
//! The numeric codes are the values of the `ACTIVATION` / `UNARY_OP` override constants in the
//! shaders, so the Rust enum and the WGSL `switch` must stay in the same order.

/// A pointwise nonlinearity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Activation {
    /// Identity.
    #[default]
    None,
    /// max(x, 0).
    Relu,
    /// Hyperbolic tangent.
    Tanh,
    /// Logistic sigmoid 1 / (1 + e^-x).
    Sigmoid,
    /// Exact (erf) GELU, x·Φ(x), as Keras `gelu(approximate=False)` and PyTorch's default.
    Gelu,
}

impl Activation {
    /// The code the shaders' override constants use for this activation.
    pub fn shader_code(self) -> u32 {
        match self {
            Activation::None => 0,
            Activation::Relu => 1,
            Activation::Tanh => 2,
            Activation::Sigmoid => 3,
            Activation::Gelu => 4,
        }
    }

    /// Applies the activation to one value (the CPU reference of the WGSL `activate`).
    pub fn apply(self, x: f32) -> f32 {
        match self {
            Activation::None => x,
            Activation::Relu => x.max(0.0),
            Activation::Tanh => x.tanh(),
            Activation::Sigmoid => 1.0 / (1.0 + (-x).exp()),
            Activation::Gelu => 0.5 * x * (1.0 + erf(x / std::f32::consts::SQRT_2)),
        }
    }
}

impl Activation {
    /// The derivative at `x` (the CPU reference of the WGSL `activate_derivative` in
    /// `shaders/prelude/activation.wgsl`).
    pub fn derivative(self, x: f32) -> f32 {
        match self {
            Activation::None => 1.0,
            Activation::Relu => {
                if x > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Activation::Tanh => 1.0 - x.tanh() * x.tanh(),
            Activation::Sigmoid => {
                let s = 1.0 / (1.0 + (-x).exp());
                s * (1.0 - s)
            }
            Activation::Gelu => {
                let cdf = 0.5 * (1.0 + erf(x / std::f32::consts::SQRT_2));
                let pdf = (-0.5 * x * x).exp() / (2.0 * std::f32::consts::PI).sqrt();
                cdf + x * pdf
            }
        }
    }
}

/// The error function, Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7).
///
/// WGSL has no `erf`; the shaders use this same formula, so CPU and GPU agree to rounding.
pub fn erf(x: f32) -> f32 {
    let t = 1.0 / (1.0 + 0.327_591_1 * x.abs());
    let poly = t
        * (0.254_829_6
            + t * (-0.284_496_74 + t * (1.421_413_7 + t * (-1.453_152_1 + t * 1.061_405_4))));
    let y = 1.0 - poly * (-x * x).exp();
    y.copysign(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_matches_known_values() {
        // erf(0.5) = 0.5204998778, erf(1) = 0.8427007929, erf(2) = 0.9953222650
        for (x, want) in [
            (0.5f32, 0.520_499_9),
            (1.0, 0.842_700_8),
            (2.0, 0.995_322_3),
        ] {
            assert!((erf(x) - want).abs() < 3e-7, "erf({x}) = {}", erf(x));
            assert!((erf(-x) + want).abs() < 3e-7);
        }
        assert!(erf(0.0).abs() < 3e-7);
    }

    #[test]
    fn gelu_matches_reference_points() {
        // gelu(1) = 0.8413447, gelu(-1) = -0.1586553
        assert!((Activation::Gelu.apply(1.0) - 0.841_344_7).abs() < 1e-6);
        assert!((Activation::Gelu.apply(-1.0) + 0.158_655_3).abs() < 1e-6);
    }
}
