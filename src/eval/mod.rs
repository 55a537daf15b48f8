//! Evaluation of next-close forecasts: error metrics, directional accuracy with its binomial
//! p-value, the naive persistence baseline and the side-by-side comparison every evaluation prints.

pub mod binomial;
pub mod comparison;
pub mod metrics;
pub mod naive;

pub use binomial::binomial_upper_tail_half;
pub use comparison::Comparison;
pub use metrics::{Metrics, compute_metrics};
pub use naive::naive_persistence_metrics;
