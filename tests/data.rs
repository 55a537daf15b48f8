//! The data layer: CSV loading and validation, gaps, the embedded data set, features,
//! splits, scalers and windows.

#[path = "data/common.rs"]
mod common;
#[path = "data/csv_errors.rs"]
mod csv_errors;
#[path = "data/csv_loading.rs"]
mod csv_loading;
#[path = "data/embedded.rs"]
mod embedded;
#[path = "data/features.rs"]
mod features;
#[path = "data/gaps.rs"]
mod gaps;
#[path = "data/lgb_features.rs"]
mod lgb_features;
#[path = "data/scaler.rs"]
mod scaler;
#[path = "data/windows.rs"]
mod windows;
