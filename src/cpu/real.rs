//! The float types the differentiable CPU references are generic over: `f32` is the CPU
//! backend, `f64` lets gradient checks compare against finite differences without f32 noise.

use num_traits::Float;

/// `f32` or `f64`; references accumulate in f64 whichever it is.
pub trait Real: Float + Into<f64> {
    /// The nearest value of this type to `v`.
    fn from_f64(v: f64) -> Self;
}

impl Real for f32 {
    fn from_f64(v: f64) -> f32 {
        v as f32
    }
}

impl Real for f64 {
    fn from_f64(v: f64) -> f64 {
        v
    }
}
