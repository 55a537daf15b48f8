//! Neural-network building blocks on top of the autograd tape: parameters and their
//! initialisation, layers, pooling.

mod init;
mod linear;
mod lstm;
mod params;
mod pooling;

pub use init::{Init, InitRng};
pub use linear::Linear;
pub use lstm::Lstm;
pub use params::{HostTensor, ParamBuilder, ParamEntry, ParamId, Params};
pub use pooling::{last_step, mean_over_time};
