//! Enumerating adapters and choosing one: `--device auto|gpu|cpu`, `--backend ...`.

use std::sync::Arc;

use super::compute_device::ComputeDevice;
use super::context::GpuContext;
use crate::{AtbError, Result};

/// Which kind of device the user asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum DeviceChoice {
    /// A hardware GPU when there is one, otherwise the CPU backend (said in one line).
    #[default]
    Auto,
    /// A GPU adapter, software ones (lavapipe, llvmpipe, WARP) included; an error if none.
    Gpu,
    /// The CPU reference backend.
    Cpu,
}

/// Which graphics API to go through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BackendChoice {
    /// Vulkan (Linux, Windows, Android; NVIDIA, AMD, Intel, lavapipe).
    Vulkan,
    /// Metal (macOS, iOS).
    Metal,
    /// Direct3D 12 (Windows).
    Dx12,
    /// OpenGL / GLES (fallback; needs an EGL driver).
    Gl,
}

impl BackendChoice {
    fn backends(self) -> wgpu::Backends {
        match self {
            BackendChoice::Vulkan => wgpu::Backends::VULKAN,
            BackendChoice::Metal => wgpu::Backends::METAL,
            BackendChoice::Dx12 => wgpu::Backends::DX12,
            BackendChoice::Gl => wgpu::Backends::GL,
        }
    }
}

/// A device request as the CLI and the library take it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DeviceRequest {
    /// auto, gpu or cpu.
    pub device: DeviceChoice,
    /// Restrict to one backend; `None` means Vulkan, Metal or DX12 (GL only when named).
    pub backend: Option<BackendChoice>,
    /// Let `auto` take a software adapter (set by `ATB_ALLOW_SOFTWARE_ADAPTER=1`).
    pub allow_software: bool,
}

impl DeviceRequest {
    /// A request with `allow_software` read from `ATB_ALLOW_SOFTWARE_ADAPTER`.
    pub fn from_env(device: DeviceChoice, backend: Option<BackendChoice>) -> DeviceRequest {
        let allow_software = std::env::var("ATB_ALLOW_SOFTWARE_ADAPTER")
            .map(|v| v == "1" || v.eq_ignore_ascii_case("true"))
            .unwrap_or(false);
        DeviceRequest {
            device,
            backend,
            allow_software,
        }
    }

    /// The backends to enumerate for this request.
    fn backends(&self) -> wgpu::Backends {
        match self.backend {
            Some(b) => b.backends(),
            None => wgpu::Backends::PRIMARY,
        }
    }
}

/// What `atb-gpu devices` shows of one adapter.
#[derive(Debug, Clone)]
pub struct AdapterSummary {
    /// wgpu's adapter info (name, backend, type, driver).
    pub info: wgpu::AdapterInfo,
    /// The adapter's own limits.
    pub limits: wgpu::Limits,
    /// The adapter's optional features.
    pub features: wgpu::Features,
}

impl AdapterSummary {
    /// True for CPU rasterisers exposed as GPUs (lavapipe, llvmpipe, WARP).
    pub fn is_software(&self) -> bool {
        self.info.device_type == wgpu::DeviceType::Cpu
    }

    fn preference(&self) -> u8 {
        match self.info.device_type {
            wgpu::DeviceType::DiscreteGpu => 0,
            wgpu::DeviceType::IntegratedGpu => 1,
            wgpu::DeviceType::VirtualGpu => 2,
            wgpu::DeviceType::Other => 3,
            wgpu::DeviceType::Cpu => 4,
        }
    }
}

/// The outcome of [`choose_adapter`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Use the adapter at this index of the list.
    Adapter(usize),
    /// Use the CPU backend, for this reason (shown to the user in one line).
    Cpu(String),
}

/// Picks an adapter for a request: hardware before software, discrete before integrated.
///
/// Pure function of the list, so the policy is testable without a GPU.
pub fn choose_adapter(adapters: &[AdapterSummary], request: &DeviceRequest) -> Result<Selection> {
    if request.device == DeviceChoice::Cpu {
        return Ok(Selection::Cpu("--device cpu".to_string()));
    }
    let software_ok = request.device == DeviceChoice::Gpu || request.allow_software;
    let best = adapters
        .iter()
        .enumerate()
        .filter(|(_, a)| software_ok || !a.is_software())
        .min_by_key(|(i, a)| (a.preference(), *i))
        .map(|(i, _)| i);
    match (best, request.device) {
        (Some(i), _) => Ok(Selection::Adapter(i)),
        (None, DeviceChoice::Gpu) => Err(AtbError::NoAdapter(no_adapter_hint(request))),
        (None, _) => {
            let reason = if adapters.iter().any(AdapterSummary::is_software) {
                "only a software GPU adapter was found (use --device gpu or ATB_ALLOW_SOFTWARE_ADAPTER=1 to use it)"
            } else {
                "no GPU adapter was found"
            };
            Ok(Selection::Cpu(reason.to_string()))
        }
    }
}

fn no_adapter_hint(request: &DeviceRequest) -> String {
    let which = match request.backend {
        Some(b) => format!("{b:?}"),
        None => "Vulkan, Metal or DX12".to_string(),
    };
    format!(
        "no {which} adapter was found. Install a driver (Debian/Ubuntu: `apt-get install mesa-vulkan-drivers libvulkan1` \
         gives the lavapipe software adapter), pick another --backend, or use --device cpu"
    )
}

fn instance(backends: wgpu::Backends) -> wgpu::Instance {
    let mut desc = wgpu::InstanceDescriptor::new_without_display_handle_from_env();
    desc.backends = wgpu::Backends::from_env().unwrap_or(backends);
    wgpu::Instance::new(desc)
}

/// Lists every adapter on the given backend (all of Vulkan/Metal/DX12/GL when `None`).
pub fn list_adapters(backend: Option<BackendChoice>) -> Vec<AdapterSummary> {
    let backends = backend.map_or(wgpu::Backends::all(), BackendChoice::backends);
    let adapters = pollster::block_on(instance(backends).enumerate_adapters(backends));
    adapters.iter().map(summarize).collect()
}

fn summarize(adapter: &wgpu::Adapter) -> AdapterSummary {
    AdapterSummary {
        info: adapter.get_info(),
        limits: adapter.limits(),
        features: adapter.features(),
    }
}

impl ComputeDevice {
    /// Opens the device a request asks for (see [`DeviceRequest`]).
    pub fn open(request: &DeviceRequest) -> Result<ComputeDevice> {
        open(request)
    }
}

/// Opens the device a request asks for.
fn open(request: &DeviceRequest) -> Result<ComputeDevice> {
    if request.device == DeviceChoice::Cpu {
        return Ok(ComputeDevice::Cpu);
    }
    let backends = request.backends();
    let instance = instance(backends);
    let adapters = pollster::block_on(instance.enumerate_adapters(backends));
    let summaries: Vec<AdapterSummary> = adapters.iter().map(summarize).collect();
    match choose_adapter(&summaries, request)? {
        Selection::Cpu(reason) => {
            eprintln!("atb-gpu: using the CPU backend: {reason}");
            Ok(ComputeDevice::Cpu)
        }
        Selection::Adapter(i) => {
            let ctx = GpuContext::new(&adapters[i])?;
            Ok(ComputeDevice::Gpu(Arc::new(ctx)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn adapter(name: &str, device_type: wgpu::DeviceType) -> AdapterSummary {
        AdapterSummary {
            info: wgpu::AdapterInfo {
                name: name.to_string(),
                vendor: 0,
                device: 0,
                device_type,
                device_pci_bus_id: String::new(),
                driver: String::new(),
                driver_info: String::new(),
                backend: wgpu::Backend::Vulkan,
                subgroup_min_size: 4,
                subgroup_max_size: 128,
                transient_saves_memory: None,
                limit_bucket: None,
            },
            limits: wgpu::Limits::default(),
            features: wgpu::Features::empty(),
        }
    }

    fn request(device: DeviceChoice, allow_software: bool) -> DeviceRequest {
        DeviceRequest {
            device,
            backend: None,
            allow_software,
        }
    }

    #[test]
    fn auto_prefers_discrete_over_integrated_and_software() {
        let list = [
            adapter("lavapipe", wgpu::DeviceType::Cpu),
            adapter("igpu", wgpu::DeviceType::IntegratedGpu),
            adapter("dgpu", wgpu::DeviceType::DiscreteGpu),
        ];
        let pick = choose_adapter(&list, &request(DeviceChoice::Auto, false)).unwrap();
        assert_eq!(pick, Selection::Adapter(2));
    }

    #[test]
    fn auto_skips_software_unless_allowed() {
        let list = [adapter("lavapipe", wgpu::DeviceType::Cpu)];
        let pick = choose_adapter(&list, &request(DeviceChoice::Auto, false)).unwrap();
        assert!(matches!(pick, Selection::Cpu(reason) if reason.contains("software")));
        let allowed = choose_adapter(&list, &request(DeviceChoice::Auto, true)).unwrap();
        assert_eq!(allowed, Selection::Adapter(0));
        let gpu = choose_adapter(&list, &request(DeviceChoice::Gpu, false)).unwrap();
        assert_eq!(gpu, Selection::Adapter(0));
    }

    #[test]
    fn gpu_without_adapters_is_a_clear_error_and_auto_falls_back() {
        let err = choose_adapter(&[], &request(DeviceChoice::Gpu, false)).unwrap_err();
        assert!(err.to_string().contains("mesa-vulkan-drivers"), "{err}");
        let pick = choose_adapter(&[], &request(DeviceChoice::Auto, false)).unwrap();
        assert!(matches!(pick, Selection::Cpu(_)));
    }

    #[test]
    fn cpu_choice_never_touches_adapters() {
        let list = [adapter("dgpu", wgpu::DeviceType::DiscreteGpu)];
        let pick = choose_adapter(&list, &request(DeviceChoice::Cpu, false)).unwrap();
        assert!(matches!(pick, Selection::Cpu(_)));
    }
}
