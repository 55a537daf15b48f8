//! Shared test fixtures: the GPU under test, seeded random data, tolerance checks.

use std::sync::{Arc, OnceLock};

use atb_gpu::device::GpuContext;
use atb_gpu::{ComputeDevice, DeviceChoice, DeviceRequest, Tensor};

/// The GPU device every kernel test runs on (software adapters allowed; `ATB_TEST_BACKEND`
/// may name `vulkan`, `gl`, `metal` or `dx12`). Fails loudly when there is none: a kernel
/// test that silently skipped would prove nothing.
pub fn gpu() -> ComputeDevice {
    static DEVICE: OnceLock<ComputeDevice> = OnceLock::new();
    DEVICE
        .get_or_init(|| {
            let backend = std::env::var("ATB_TEST_BACKEND").ok().map(|name| {
                <atb_gpu::BackendChoice as clap::ValueEnum>::from_str(&name, true)
                    .unwrap_or_else(|e| panic!("ATB_TEST_BACKEND={name}: {e}"))
            });
            let request = DeviceRequest {
                device: DeviceChoice::Gpu,
                backend,
                allow_software: true,
            };
            ComputeDevice::open(&request)
                .unwrap_or_else(|e| panic!("kernel tests need a GPU adapter: {e}"))
        })
        .clone()
}

/// The context of [`gpu`].
pub fn ctx() -> Arc<GpuContext> {
    match gpu() {
        ComputeDevice::Gpu(ctx) => ctx,
        ComputeDevice::Cpu => unreachable!("gpu() only returns GPU devices"),
    }
}

/// Deterministic uniform values in [-1, 1) (SplitMix64).
pub fn random(len: usize, seed: u64) -> Vec<f32> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(1);
    (0..len)
        .map(|_| {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            ((z >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        })
        .collect()
}

/// A CPU tensor of random values.
pub fn random_tensor(shape: &[usize], seed: u64) -> Tensor {
    let len = shape.iter().product();
    Tensor::from_vec(shape, random(len, seed)).expect("shape and data agree")
}

/// Asserts `|got - want| <= bound[i]` element by element, naming the first failure.
pub fn assert_within(got: &[f32], want: &[f32], bound: impl Fn(usize) -> f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        let err = (f64::from(g) - f64::from(w)).abs();
        assert!(
            err <= bound(i),
            "{what}: element {i}: got {g}, want {w} (|diff| {err:.3e} > bound {:.3e})",
            bound(i)
        );
    }
}

/// The forward-kernel contract of DESIGN.md: max(1e-5 absolute, 1e-4 relative).
pub fn assert_close(got: &[f32], want: &[f32], what: &str) {
    assert_within(
        got,
        want,
        |i| 1e-5f64.max(1e-4 * f64::from(want[i].abs())),
        what,
    );
}
