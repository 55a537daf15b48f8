//! The versioned model store: `ROOT/SYMBOL/price/YYYY-MM-DD_HHh_vN/`.
//!
//! A version is written into a hidden temporary folder and renamed into place on commit, so a
//! crash never leaves a half-written version (only a dot-folder that listing ignores, removed
//! by a later run once its process is gone), and concurrent runs get distinct version numbers.
//! Only complete versions (config.json parses, every model file present) are listed or
//! resolved.

pub mod completeness;
mod io_error;
pub mod pending;
mod scan;
pub mod stale;
pub mod store;
pub mod tensors;
pub mod utc_hour;
pub mod version;

pub use pending::PendingVersion;
pub use store::{DEFAULT_ROOT, Registry};
pub use tensors::{NamedTensor, OwnedTensor, read_tensors};
pub use version::VersionInfo;
