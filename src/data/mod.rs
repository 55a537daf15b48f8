//! Market data: CSV loading and validation, the embedded default data set, gap filling,
//! feature engineering (neural and tabular), chronological splits, scaling and windows.
//!
//! The training pipeline is:
//! [`load_symbol`] → [`fill_gaps`] → [`last_days`] → [`engineer_features`] (or
//! [`engineer_features_for_lgb`]) → [`make_windows`]. See `docs/data.md` for the rules and
//! the feature formulas.

pub mod candles;
pub mod csv;
pub mod embedded;
pub mod features;
pub mod frame;
pub mod gaps;
mod indicators;
pub mod lgb_features;
pub mod scaler;
pub mod split;
pub mod time;
mod validate;
pub mod windows;

pub use candles::{Candles, ExtraSeries};
pub use csv::{load_csv, parse_csv};
pub use embedded::{EMBEDDED_SYMBOL, embedded_candles, last_days, load_symbol};
pub use features::{FeatureSet, PRICE_FEATURES, engineer_features};
pub use frame::FeatureFrame;
pub use gaps::{DEFAULT_MAX_GAP_BARS, Gap, GapReport, fill_gaps, find_gaps, infer_interval};
pub use lgb_features::engineer_features_for_lgb;
pub use scaler::{FeatureScaler, Scalers, TargetScaler};
pub use split::{SplitFractions, SplitRanges, chronological_split};
pub use windows::{Dataset, WindowConfig, WindowSet, latest_window, make_windows, make_windows_on};
