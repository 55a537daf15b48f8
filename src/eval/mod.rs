//! Evaluation of next-close forecasts: error metrics, directional accuracy with its binomial
//! p-value, the naive persistence baseline, the Diebold–Mariano test against it, and the
//! side-by-side comparison every evaluation prints.

pub mod binomial;
pub mod comparison;
pub mod diebold_mariano;
pub mod metrics;
pub mod naive;
pub mod significant;

pub use binomial::binomial_upper_tail_half;
pub use comparison::Comparison;
pub use diebold_mariano::{DieboldMariano, SIGNIFICANCE_LEVEL, Verdict, verdict_of};
pub use metrics::{Metrics, compute_metrics};
pub use naive::naive_persistence_metrics;
pub use significant::significant;
