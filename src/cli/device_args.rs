//! The device flags every computing subcommand shares.

use crate::device::{BackendChoice, DeviceChoice};

/// Device flags shared by the subcommands that compute.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct DeviceArgs {
    /// auto: a hardware GPU if there is one, else the CPU; gpu: any GPU adapter (software
    /// ones too); cpu: the CPU backend.
    #[arg(long, value_enum, default_value_t = DeviceChoice::Auto)]
    pub device: DeviceChoice,
    /// Restrict to one graphics API (default: Vulkan, Metal or DX12; GL only when named).
    #[arg(long, value_enum)]
    pub backend: Option<BackendChoice>,
    /// CPU threads of the CPU backend (default: one per core).
    #[arg(long)]
    pub threads: Option<usize>,
}
