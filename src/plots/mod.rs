//! PNG plots: training history, feature importance and heatmaps (attention weights).
//!
//! Drawn with `plotters` and a bundled DejaVu Sans font, so no system font or fontconfig is
//! needed.

mod canvas;
pub mod heatmap;
pub mod history;
pub mod importance;
mod value_range;

pub use heatmap::{HEATMAP_SIZE, heatmap_png};
pub use history::{HISTORY_SIZE, TrainingCurves, history_png};
pub use importance::{IMPORTANCE_WIDTH, importance_height, importance_png};
