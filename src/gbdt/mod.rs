//! LightGBM-style histogram gradient boosting (the guide's LightGBM model), on the GPU or CPU.
//!
//! Pipeline: [`binning`] (quantile bins, missing-value bin) → per round [`objective`]
//! gradients → [`mod@quantise`] (fixed point, for integer-atomic histograms) → [`grower`]
//! (leaf-wise growth from [`histogram`]s built and rows partitioned by [`tree_backend`] on the device, sibling
//! histograms by subtraction, [`split`] search on the host) → [`booster`] (shrinkage,
//! sampling, early stopping, prediction) → [`importance`], [`model_text`] (`model.txt`), read back by [`model_text_reader`].

pub mod binning;
pub mod booster;
pub mod csv_export;
pub mod device;
pub mod gpu_forest;
pub mod grower;
pub mod histogram;
pub mod importance;
pub mod matrix;
pub mod model_text;
pub mod model_text_parse;
pub mod model_text_reader;
pub mod objective;
pub mod params;
pub mod quantise;
pub mod rng;
pub mod split;
pub mod tree;
pub mod tree_backend;

pub use binning::{BIN_STRIDE, BinMapper, BinnedMatrix, fit_bin_mappers};
pub use booster::{
    LightGbmModel, RoundMetrics, create_lightgbm_model, predict, rmse, train,
    train_lightgbm_with_early_stopping,
};
pub use csv_export::{feature_csv, write_feature_csv};
pub use histogram::{BinSums, CHANNELS, Histogram};
pub use importance::{FeatureImportance, ImportanceType, get_feature_importance};
pub use matrix::FeatureMatrix;
pub use model_text::{save_model_txt, to_model_string};
pub use model_text_parse::{TextModel, TextTree, parse_text_model};
pub use model_text_reader::{load_model_txt, parse_model_string};
pub use objective::Objective;
pub use params::GbdtParams;
pub use quantise::{QuantisedGradients, quantise};
pub use tree::Tree;
