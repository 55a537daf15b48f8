//! The end-to-end jobs behind the CLI: load and check the candles, train (neural or boosted),
//! evaluate beside the naive forecast, and save a registry version. The CLI only parses
//! arguments and prints.

mod candles;
mod outcome;
mod request;

pub use candles::{LoadedCandles, load_candles};
pub use outcome::TrainOutcome;
pub use request::TrainRequest;
