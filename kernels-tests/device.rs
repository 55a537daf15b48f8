//! The device layer: adapter report, pooling, pipeline cache, limits, compile errors,
//! profiler and device loss — each failure a clear `AtbError`, never a panic.

use std::sync::Arc;

use atb_gpu::activation::Activation;
use atb_gpu::device::{BufferClass, Dispatch, GpuContext, Shader};
use atb_gpu::ops::{self, MatmulOptions};
use atb_gpu::{AtbError, ComputeDevice, DeviceChoice, DeviceRequest};

use crate::common::{ctx, random_tensor};

/// A context of its own, so counters are not disturbed by tests running in parallel.
fn private_context() -> Arc<GpuContext> {
    let request = DeviceRequest {
        device: DeviceChoice::Gpu,
        backend: ctx().adapter_info().backend.try_into_choice(),
        allow_software: true,
    };
    match ComputeDevice::open(&request) {
        Ok(ComputeDevice::Gpu(ctx)) => ctx,
        other => panic!("expected a GPU context, got {other:?}"),
    }
}

trait IntoChoice {
    fn try_into_choice(self) -> Option<atb_gpu::BackendChoice>;
}

impl IntoChoice for wgpu::Backend {
    fn try_into_choice(self) -> Option<atb_gpu::BackendChoice> {
        match self {
            wgpu::Backend::Vulkan => Some(atb_gpu::BackendChoice::Vulkan),
            wgpu::Backend::Metal => Some(atb_gpu::BackendChoice::Metal),
            wgpu::Backend::Dx12 => Some(atb_gpu::BackendChoice::Dx12),
            wgpu::Backend::Gl => Some(atb_gpu::BackendChoice::Gl),
            _ => None,
        }
    }
}

#[test]
fn kernel_tests_run_on_a_named_adapter() {
    let info = ctx().adapter_info().clone();
    println!(
        "kernel tests run on: {} ({:?}, {:?}, driver {} {})",
        info.name, info.backend, info.device_type, info.driver, info.driver_info
    );
    assert!(!info.name.is_empty());
}

#[test]
fn steady_state_calls_create_no_pipelines_or_buffers() {
    let ctx = private_context();
    let device = ComputeDevice::Gpu(Arc::clone(&ctx));
    let a = random_tensor(&[33, 15], 1).to_device(&device).unwrap();
    let b = random_tensor(&[15, 64], 2).to_device(&device).unwrap();
    let bias = random_tensor(&[64], 3).to_device(&device).unwrap();
    let opts = MatmulOptions {
        activation: Activation::Tanh,
        ..MatmulOptions::default()
    };
    let step = || {
        let h = ops::matmul(&a, &b, Some(&bias), &opts).unwrap();
        ops::reduce(&h, ops::ReduceOp::Mean, ops::ReduceAxis::Rows)
            .unwrap()
            .to_vec()
            .unwrap()
    };
    let first = step();
    let warm = ctx.stats();
    assert!(
        warm.pipelines_built >= 2 && warm.buffers_created > 0,
        "{warm:?}"
    );
    // Every buffer is at least one 256-byte bucket, and the pool holds them all.
    assert!(warm.buffer_bytes >= 256 * warm.buffers_created, "{warm:?}");
    for _ in 0..10 {
        assert_eq!(step(), first, "same inputs, same bits");
    }
    let steady = ctx.stats();
    assert_eq!(
        steady.pipelines_built, warm.pipelines_built,
        "pipelines rebuilt: {steady:?}"
    );
    assert_eq!(
        steady.buffers_created, warm.buffers_created,
        "buffers allocated: {steady:?}"
    );
    assert_eq!(steady.buffer_bytes, warm.buffer_bytes, "{steady:?}");
    assert!(steady.pipeline_hits >= warm.pipeline_hits + 20);
    assert!(steady.buffers_reused > warm.buffers_reused);
}

#[test]
fn oversized_buffers_are_refused_with_the_limit_named() {
    let ctx = ctx();
    let too_big = ctx.limits().max_storage_buffer_binding_size + 4;
    let err = ctx
        .alloc(BufferClass::Storage, too_big, "huge activations")
        .unwrap_err();
    match &err {
        AtbError::BufferTooLarge {
            label, limit_name, ..
        } => {
            assert_eq!(label, "huge activations");
            assert!(limit_name.starts_with("max_"), "{limit_name}");
        }
        other => panic!("expected BufferTooLarge, got {other}"),
    }
    assert!(err.to_string().contains("huge activations"));
}

#[test]
fn a_broken_shader_names_its_file() {
    let ctx = ctx();
    let broken = Shader {
        file: "shaders/broken_for_test.wgsl",
        source: "@compute @workgroup_size(1) fn main() { let x: u32 = 1.5; }",
    };
    let err = ctx
        .dispatch(&Dispatch {
            shader: broken,
            entry: "main",
            constants: &[],
            params: &[0; 16],
            buffers: &[],
            workgroups: [1, 1, 1],
            label: "broken",
        })
        .unwrap_err();
    assert!(matches!(err, AtbError::ShaderCompile { .. }), "{err}");
    assert!(
        err.to_string().contains("shaders/broken_for_test.wgsl"),
        "{err}"
    );
    // The context stays usable after the failure.
    let x = random_tensor(&[4], 1)
        .to_device(&ComputeDevice::Gpu(ctx.clone()))
        .unwrap();
    assert_eq!(x.to_vec().unwrap().len(), 4);
}

#[test]
fn grids_beyond_the_limit_are_refused() {
    let ctx = ctx();
    let limit = ctx.limits().max_compute_workgroups_per_dimension;
    let err = ctx
        .dispatch(&Dispatch {
            shader: Shader::REDUCE,
            entry: "reduce_rows",
            constants: &[],
            params: &[0; 16],
            buffers: &[],
            workgroups: [limit + 1, 1, 1],
            label: "too wide",
        })
        .unwrap_err();
    assert!(
        matches!(
            err,
            AtbError::DispatchTooLarge {
                kernel: "too wide",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn profiler_times_each_dispatch() {
    let ctx = private_context();
    if !ctx.features().contains(wgpu::Features::TIMESTAMP_QUERY) {
        let err = ctx.enable_profiler(16).unwrap_err();
        assert!(matches!(err, AtbError::Unsupported(_)));
        return;
    }
    ctx.enable_profiler(16).unwrap();
    let device = ComputeDevice::Gpu(Arc::clone(&ctx));
    let a = random_tensor(&[64, 64], 1).to_device(&device).unwrap();
    let h = ops::matmul(&a, &a, None, &MatmulOptions::default()).unwrap();
    let _ = ops::reduce(&h, ops::ReduceOp::Sum, ops::ReduceAxis::Last).unwrap();
    let profile = ctx.take_profile().unwrap();
    let labels: Vec<_> = profile.iter().map(|t| t.label).collect();
    assert_eq!(labels, ["matmul", "reduce"]);
    assert!(
        profile.iter().all(|t| t.nanos > 0.0 && t.nanos < 60e9),
        "{profile:?}"
    );
    assert!(
        ctx.take_profile().unwrap().is_empty(),
        "a profile is read once"
    );
}

#[test]
fn a_lost_device_is_an_error_not_a_panic() {
    let ctx = private_context();
    let device = ComputeDevice::Gpu(Arc::clone(&ctx));
    let a = random_tensor(&[8, 8], 1).to_device(&device).unwrap();
    ctx.device().destroy();
    let result = ops::matmul(&a, &a, None, &MatmulOptions::default()).and_then(|c| c.to_vec());
    let err = result.unwrap_err();
    assert!(
        matches!(err, AtbError::DeviceLost(_) | AtbError::Gpu(_)),
        "expected a device error, got {err}"
    );
}

#[test]
fn a_captured_plan_replays_without_creating_anything() {
    use atb_gpu::ops::StepCounter;
    let ctx = private_context();
    let device = ComputeDevice::Gpu(Arc::clone(&ctx));
    let w = random_tensor(&[4, 3], 1).to_device(&device).unwrap();
    let x = random_tensor(&[2, 4], 2).to_device(&device).unwrap();
    let counter = StepCounter::new(&device, 1).unwrap();
    // The step: y = tanh(x·w), then the counter advances.
    ctx.begin_capture().unwrap();
    let y = ops::matmul(
        &x,
        &w,
        None,
        &MatmulOptions {
            activation: Activation::Tanh,
            ..Default::default()
        },
    )
    .unwrap();
    counter.advance(0, 1).unwrap();
    let plan = ctx.end_capture();
    assert_eq!(plan.dispatches(), 2);
    let first = y.to_vec().unwrap();
    let before = ctx.stats();
    for _ in 0..5 {
        ctx.replay(&plan).unwrap();
    }
    assert_eq!(
        counter.get(0).unwrap(),
        6,
        "the capture ran once and each replay once"
    );
    assert_eq!(
        y.to_vec().unwrap(),
        first,
        "replays write the same output buffer"
    );
    let after = ctx.stats();
    assert_eq!(after.pipelines_built, before.pipelines_built);
    assert_eq!(
        after.pipeline_hits, before.pipeline_hits,
        "a replay does not even look pipelines up"
    );
    // Reading back allocates one staging buffer at most once.
    assert!(
        after.buffers_created <= before.buffers_created + 1,
        "{before:?} -> {after:?}"
    );
}

#[test]
fn buffers_bound_by_a_plan_are_not_handed_out_while_it_lives() {
    let ctx = private_context();
    let device = ComputeDevice::Gpu(Arc::clone(&ctx));
    let x = random_tensor(&[64], 1).to_device(&device).unwrap();
    ctx.begin_capture().unwrap();
    let y = ops::unary(ops::UnaryOp::Scale(2.0), &x).unwrap();
    let plan = ctx.end_capture();
    let want = y.to_vec().unwrap();
    drop(y); // the plan still writes this buffer on every replay
    let z = ops::unary(ops::UnaryOp::Scale(-1.0), &x).unwrap();
    let z_before = z.to_vec().unwrap();
    ctx.replay(&plan).unwrap();
    assert_eq!(
        z.to_vec().unwrap(),
        z_before,
        "a replay must not overwrite a live tensor"
    );
    assert_eq!(want.len(), 64);
    drop(plan);
}
