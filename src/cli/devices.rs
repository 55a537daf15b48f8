//! `atb-gpu devices`: every adapter with the limits and features that matter to atb-gpu.

use std::fmt::Write as _;

use crate::device::{
    AdapterSummary, DeviceChoice, DeviceRequest, Selection, choose_adapter, list_adapters,
};
use crate::{AtbError, Result};

/// Arguments of `atb-gpu devices`.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct DevicesArgs {
    /// Only list adapters of this graphics API.
    #[arg(long, value_enum)]
    pub backend: Option<crate::device::BackendChoice>,
}

/// Prints the adapter list; fails when no Vulkan, Metal or DX12 adapter exists (or none of
/// the requested backend).
pub fn run(args: &DevicesArgs) -> Result<()> {
    let adapters = list_adapters(args.backend);
    print!("{}", render(&adapters, args.backend));
    let request = DeviceRequest::from_env(DeviceChoice::Auto, args.backend);
    let primary: Vec<AdapterSummary> = adapters
        .iter()
        .filter(|a| args.backend.is_some() || a.info.backend != wgpu::Backend::Gl)
        .cloned()
        .collect();
    if primary.is_empty() {
        let which = match args.backend {
            Some(b) => format!("{b:?}"),
            None => "Vulkan, Metal or DX12".to_string(),
        };
        return Err(AtbError::NoAdapter(format!(
            "no {which} driver or adapter was found{}. On Debian/Ubuntu `apt-get install mesa-vulkan-drivers libvulkan1` \
             installs Vulkan (lavapipe, a software adapter); `--device cpu` runs without a GPU",
            if adapters.is_empty() {
                ""
            } else {
                " (only OpenGL adapters: pass --backend gl to use them)"
            }
        )));
    }
    match choose_adapter(&primary, &request)? {
        Selection::Adapter(i) => println!(
            "--device auto picks: {} ({:?})",
            primary[i].info.name, primary[i].info.backend
        ),
        Selection::Cpu(reason) => println!("--device auto picks: the CPU backend ({reason})"),
    }
    Ok(())
}

/// The human-readable adapter list.
pub fn render(
    adapters: &[AdapterSummary],
    backend: Option<crate::device::BackendChoice>,
) -> String {
    let mut out = String::new();
    if adapters.is_empty() {
        let scope = backend.map_or("any backend".to_string(), |b| format!("{b:?}"));
        let _ = writeln!(out, "No GPU adapters found on {scope}.");
        return out;
    }
    for (i, a) in adapters.iter().enumerate() {
        let info = &a.info;
        let l = &a.limits;
        let software = if a.is_software() { " [software]" } else { "" };
        let _ = writeln!(out, "[{i}] {}{software}", info.name);
        let _ = writeln!(
            out,
            "    backend {:?}, type {:?}, driver {} {}",
            info.backend, info.device_type, info.driver, info.driver_info
        );
        let _ = writeln!(
            out,
            "    max storage binding {} MiB, max buffer {} MiB, workgroup memory {} KiB, invocations/workgroup {}, workgroups/dim {}",
            l.max_storage_buffer_binding_size >> 20,
            l.max_buffer_size >> 20,
            l.max_compute_workgroup_storage_size >> 10,
            l.max_compute_invocations_per_workgroup,
            l.max_compute_workgroups_per_dimension
        );
        let flag = |f: wgpu::Features| if a.features.contains(f) { "yes" } else { "no" };
        let _ = writeln!(
            out,
            "    shader-f16 {}, timestamp-query {}, subgroup {} (size {}..{}), float32-atomic {}",
            flag(wgpu::Features::SHADER_F16),
            flag(wgpu::Features::TIMESTAMP_QUERY),
            flag(wgpu::Features::SUBGROUP),
            info.subgroup_min_size,
            info.subgroup_max_size,
            flag(wgpu::Features::SHADER_FLOAT32_ATOMIC),
        );
    }
    out
}
