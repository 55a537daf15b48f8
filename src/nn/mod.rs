//! Neural-network building blocks on top of the autograd tape: parameters and their
//! initialisation, layers, pooling, the `Network` trait with its forward context, and the
//! inference entry point.

mod attention;
mod conv1d;
mod dropout;
mod dropout_site;
mod inference;
mod init;
mod layer_norm;
mod linear;
mod lstm;
mod network;
mod params;
mod pooling;

pub use attention::MultiHeadAttention;
pub use conv1d::Conv1d;
pub use dropout::Dropout;
pub use dropout_site::DropoutSite;
pub use inference::{infer, predict};
pub use init::{Init, InitRng};
pub use layer_norm::{LAYER_NORM_EPSILON, LayerNorm};
pub use linear::Linear;
pub use lstm::Lstm;
pub use network::{Forward, Mode, Network};
pub use params::{HostTensor, ParamBuilder, ParamEntry, ParamId, Params};
pub use pooling::{last_step, mean_over_time};
