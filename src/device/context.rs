//! `GpuContext`: one wgpu device with its queue, buffer pool, pipeline cache, command recorder
//! and health (device-lost and uncaptured errors turned into `AtbError`s).
//!
//! Kernel launches are recorded into one pending command encoder; it is submitted only when
//! the host needs a result (a readback, [`GpuContext::synchronize`]) or after
//! [`MAX_PENDING_DISPATCHES`], so a chain of kernels costs one submit.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, ThreadId};

use super::buffer_pool::{BufferClass, BufferPool, GpuBuffer};
use super::pipeline_cache::PipelineCache;
use super::plan::{Command, Plan};
use super::profiler::{KernelTiming, Profiler};
use super::shaders::Shader;
use crate::{AtbError, Result};

/// Submit automatically after this many recorded dispatches, bounding parked buffers.
pub const MAX_PENDING_DISPATCHES: u32 = 1024;

/// The optional features we use when the adapter has them.
const WANTED_FEATURES: wgpu::Features = wgpu::Features::SHADER_F16
    .union(wgpu::Features::TIMESTAMP_QUERY)
    .union(wgpu::Features::SUBGROUP);

/// One kernel launch: which pipeline, its parameters and buffers, and the grid.
pub struct Dispatch<'a> {
    /// Shader file.
    pub shader: Shader,
    /// Entry point in that file.
    pub entry: &'static str,
    /// WGSL `override` constants.
    pub constants: &'a [(&'static str, f64)],
    /// Bytes of the uniform parameter block at `@binding(0)`.
    pub params: &'a [u8],
    /// Storage buffers and their `@binding` numbers.
    pub buffers: &'a [Binding<'a>],
    /// Workgroup counts (x, y, z).
    pub workgroups: [u32; 3],
    /// Name in profiles and errors.
    pub label: &'static str,
}

/// A storage buffer bound at a `@binding` number of group 0.
pub struct Binding<'a> {
    /// The binding number.
    pub index: u32,
    /// The buffer.
    pub buffer: &'a GpuBuffer,
}

impl<'a> Binding<'a> {
    /// `buffer` at binding `index`: for entry points that use some of a shader's bindings.
    pub fn at(index: u32, buffer: &'a GpuBuffer) -> Self {
        Self { index, buffer }
    }

    /// The buffers at bindings 1, 2, 3, … in the order given (binding 0 is the uniform
    /// parameter block, which [`Dispatch::params`] fills), as Candle's `set_params!`.
    pub fn in_order<const N: usize>(buffers: [&'a GpuBuffer; N]) -> [Self; N] {
        let mut index = 0;
        buffers.map(|buffer| {
            index += 1;
            Self { index, buffer }
        })
    }
}

/// Counters that show whether work is being re-created (tests assert on them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ContextStats {
    /// wgpu buffers created so far.
    pub buffers_created: u64,
    /// Buffer requests served from the pool.
    pub buffers_reused: u64,
    /// Compute pipelines built so far.
    pub pipelines_built: u64,
    /// Pipeline requests served from the cache.
    pub pipeline_hits: u64,
    /// Queue submits so far.
    pub submits: u64,
    /// Bytes of GPU memory held by the buffer pool (every buffer created so far; the pool
    /// keeps free buffers for reuse rather than destroying them).
    pub buffer_bytes: u64,
}

#[derive(Default)]
struct Health {
    lost: Mutex<Option<String>>,
    errors: Mutex<Vec<String>>,
}

/// Commands and pinned buffers gathered while a capture is open.
struct Capture {
    commands: Vec<Command>,
    pinned: Vec<wgpu::Buffer>,
}

#[derive(Default)]
struct Recorder {
    encoder: Option<wgpu::CommandEncoder>,
    dispatches: u32,
    submits: u64,
    profiler: Option<Profiler>,
    /// Open captures, one per capturing thread: a thread's capture holds only its own work.
    captures: HashMap<ThreadId, Capture>,
}

impl Recorder {
    /// Records one command into the pending encoder (creating it if needed).
    fn record(&mut self, device: &wgpu::Device, command: &Command) {
        let encoder = self.encoder.get_or_insert_with(|| {
            device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("atb") })
        });
        match command {
            Command::Dispatch {
                pipeline,
                bind_group,
                workgroups,
                label,
            } => {
                let timestamp_writes = self.profiler.as_mut().and_then(|p| p.next_pass(label));
                let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: Some(label),
                    timestamp_writes,
                });
                pass.set_pipeline(pipeline);
                pass.set_bind_group(0, bind_group, &[]);
                let [x, y, z] = *workgroups;
                pass.dispatch_workgroups(x, y, z);
                self.dispatches += 1;
            }
            Command::Copy {
                src,
                src_offset,
                dst,
                dst_offset,
                bytes,
            } => encoder.copy_buffer_to_buffer(src, *src_offset, dst, *dst_offset, *bytes),
        }
    }
}

/// A wgpu device ready to run atb-gpu kernels.
pub struct GpuContext {
    info: wgpu::AdapterInfo,
    limits: wgpu::Limits,
    features: wgpu::Features,
    device: wgpu::Device,
    queue: wgpu::Queue,
    pipelines: PipelineCache,
    pool: Arc<BufferPool>,
    recorder: Mutex<Recorder>,
    health: Arc<Health>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl GpuContext {
    /// Opens a device on `adapter` with the adapter's own limits and the optional features
    /// we use (SHADER_F16, TIMESTAMP_QUERY, SUBGROUP) that it offers.
    pub fn new(adapter: &wgpu::Adapter) -> Result<GpuContext> {
        let info = adapter.get_info();
        let limits = adapter.limits();
        let features = adapter.features() & WANTED_FEATURES;
        let descriptor = wgpu::DeviceDescriptor {
            label: Some("atb-gpu"),
            required_features: features,
            required_limits: limits.clone(),
            memory_hints: wgpu::MemoryHints::Performance,
            ..Default::default()
        };
        let (device, queue) =
            pollster::block_on(adapter.request_device(&descriptor)).map_err(|e| {
                AtbError::RequestDevice {
                    adapter: info.name.clone(),
                    message: e.to_string(),
                }
            })?;
        let health = Arc::new(Health::default());
        let on_lost = Arc::clone(&health);
        device.set_device_lost_callback(move |reason, message| {
            *lock(&on_lost.lost) = Some(format!("{reason:?}: {message}"));
        });
        let on_error = Arc::clone(&health);
        device.on_uncaptured_error(Arc::new(move |error: wgpu::Error| {
            lock(&on_error.errors).push(error.to_string());
        }));
        Ok(GpuContext {
            info,
            limits,
            features,
            device,
            queue,
            pipelines: PipelineCache::default(),
            pool: Arc::new(BufferPool::default()),
            recorder: Mutex::new(Recorder::default()),
            health,
        })
    }

    /// The adapter this device runs on.
    pub fn adapter_info(&self) -> &wgpu::AdapterInfo {
        &self.info
    }

    /// The device limits (the adapter's own).
    pub fn limits(&self) -> &wgpu::Limits {
        &self.limits
    }

    /// The optional features enabled on the device.
    pub fn features(&self) -> wgpu::Features {
        self.features
    }

    /// The raw wgpu device, for code that builds its own resources.
    pub fn device(&self) -> &wgpu::Device {
        &self.device
    }

    /// Counters of buffers, pipelines and submits.
    pub fn stats(&self) -> ContextStats {
        let (buffers_created, buffers_reused) = self.pool.counts();
        let (pipelines_built, pipeline_hits) = self.pipelines.counts();
        ContextStats {
            buffers_created,
            buffers_reused,
            pipelines_built,
            pipeline_hits,
            submits: lock(&self.recorder).submits,
            buffer_bytes: self.pool.bytes_held(),
        }
    }

    /// Fails if the device was lost or wgpu reported an error since the last check.
    pub fn check_health(&self) -> Result<()> {
        if let Some(message) = lock(&self.health.lost).clone() {
            return Err(AtbError::DeviceLost(message));
        }
        let errors = std::mem::take(&mut *lock(&self.health.errors));
        if errors.is_empty() {
            Ok(())
        } else {
            Err(AtbError::Gpu(errors.join("; ")))
        }
    }

    fn check_size(&self, class: BufferClass, bytes: u64, label: &str) -> Result<()> {
        let too_large = |limit: u64, limit_name| AtbError::BufferTooLarge {
            label: label.to_string(),
            bytes,
            limit,
            limit_name,
        };
        if bytes > self.limits.max_buffer_size {
            return Err(too_large(self.limits.max_buffer_size, "max_buffer_size"));
        }
        let binding_limit = match class {
            BufferClass::Storage => self.limits.max_storage_buffer_binding_size,
            BufferClass::Uniform => self.limits.max_uniform_buffer_binding_size,
            BufferClass::Readback => u64::MAX,
        };
        if bytes > binding_limit {
            let name = match class {
                BufferClass::Uniform => "max_uniform_buffer_binding_size",
                _ => "max_storage_buffer_binding_size",
            };
            return Err(too_large(binding_limit, name));
        }
        Ok(())
    }

    /// A pooled buffer of at least `bytes` bytes (contents undefined).
    pub fn alloc(&self, class: BufferClass, bytes: u64, label: &str) -> Result<GpuBuffer> {
        self.check_health()?;
        self.check_size(class, bytes, label)?;
        let mut failure = None;
        let buffer = self.pool.acquire(class, bytes, |size, usage| {
            let scope = self.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
            let buffer = self.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size,
                usage,
                mapped_at_creation: false,
            });
            failure = pollster::block_on(scope.pop());
            buffer
        });
        match failure {
            Some(err) => Err(AtbError::Gpu(format!(
                "allocating '{label}' ({bytes} bytes): {err}"
            ))),
            None => Ok(buffer),
        }
    }

    /// Uploads plain data into a new storage buffer.
    pub fn upload<T: bytemuck::Pod>(&self, data: &[T], label: &str) -> Result<GpuBuffer> {
        let bytes: &[u8] = bytemuck::cast_slice(data);
        let buffer = self.alloc(BufferClass::Storage, bytes.len() as u64, label)?;
        if !bytes.is_empty() {
            self.queue.write_buffer(buffer.raw(), 0, bytes);
        }
        Ok(buffer)
    }

    /// Records one kernel launch into the pending command encoder.
    pub fn dispatch(&self, call: &Dispatch<'_>) -> Result<()> {
        let limit = self.limits.max_compute_workgroups_per_dimension;
        if let Some(&groups) = call.workgroups.iter().find(|&&g| g > limit) {
            return Err(AtbError::DispatchTooLarge {
                kernel: call.label,
                groups: u64::from(groups),
                limit,
            });
        }
        if call.workgroups.contains(&0) {
            return Ok(());
        }
        let cached = self
            .pipelines
            .get(&self.device, call.shader, call.entry, call.constants)?;
        let params = self.alloc(BufferClass::Uniform, call.params.len() as u64, call.label)?;
        self.queue.write_buffer(params.raw(), 0, call.params);
        let mut entries = vec![wgpu::BindGroupEntry {
            binding: 0,
            resource: params.binding(),
        }];
        entries.extend(call.buffers.iter().map(|b| wgpu::BindGroupEntry {
            binding: b.index,
            resource: b.buffer.binding(),
        }));
        let bind_group = self.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(call.label),
            layout: &cached.layout,
            entries: &entries,
        });
        let command = Command::Dispatch {
            pipeline: cached.pipeline.clone(),
            bind_group,
            workgroups: call.workgroups,
            label: call.label,
        };
        let mut bound: Vec<wgpu::Buffer> = vec![params.raw().clone()];
        bound.extend(call.buffers.iter().map(|b| b.buffer.raw().clone()));
        self.record(command, &bound);
        Ok(())
    }

    /// Records a command into the pending encoder, and into the open capture if any.
    fn record(&self, command: Command, bound: &[wgpu::Buffer]) {
        let mut recorder = lock(&self.recorder);
        self.pool.begin_recording();
        recorder.record(&self.device, &command);
        if let Some(capture) = recorder.captures.get_mut(&thread::current().id()) {
            self.pool.pin(bound);
            capture.pinned.extend_from_slice(bound);
            capture.commands.push(command);
        }
        if recorder.dispatches >= MAX_PENDING_DISPATCHES {
            self.submit_locked(&mut recorder, None);
        }
    }

    /// Records a copy of all of `src`'s bytes into `dst` (which must be at least as large).
    pub fn copy(&self, src: &GpuBuffer, dst: &GpuBuffer) -> Result<()> {
        if dst.bytes() < src.bytes() {
            return Err(AtbError::Shape {
                op: "copy",
                detail: format!("{} bytes do not fit in {}", src.bytes(), dst.bytes()),
            });
        }
        if src.bytes() > 0 {
            let command = Command::Copy {
                src: src.raw().clone(),
                src_offset: src.offset(),
                dst: dst.raw().clone(),
                dst_offset: dst.offset(),
                bytes: src.bytes(),
            };
            self.record(command, &[src.raw().clone(), dst.raw().clone()]);
        }
        Ok(())
    }

    /// Overwrites `dst` with `data` after every command recorded so far (pending work is
    /// submitted first, since queue writes would otherwise overtake it).
    pub fn write<T: bytemuck::Pod>(&self, dst: &GpuBuffer, data: &[T]) -> Result<()> {
        let bytes: &[u8] = bytemuck::cast_slice(data);
        if bytes.len() as u64 > dst.bytes() {
            return Err(AtbError::Shape {
                op: "write",
                detail: format!("{} bytes do not fit in {}", bytes.len(), dst.bytes()),
            });
        }
        self.flush();
        self.queue.write_buffer(dst.raw(), dst.offset(), bytes);
        Ok(())
    }

    /// A view of `bytes` bytes at `offset` into `parent`; the offset must be a multiple of
    /// the adapter's `min_storage_buffer_offset_alignment`.
    pub fn view(&self, parent: &Arc<GpuBuffer>, offset: u64, bytes: u64) -> Result<GpuBuffer> {
        let align = u64::from(self.limits.min_storage_buffer_offset_alignment);
        if !offset.is_multiple_of(align) || offset + bytes > parent.bytes() {
            return Err(AtbError::Shape {
                op: "view",
                detail: format!(
                    "a view of {bytes} bytes at {offset} into {} bytes (offsets must be multiples of {align})",
                    parent.bytes()
                ),
            });
        }
        Ok(GpuBuffer::view(parent, offset, bytes))
    }

    /// The alignment, in bytes, of buffer views (`min_storage_buffer_offset_alignment`).
    pub fn view_alignment(&self) -> u64 {
        u64::from(self.limits.min_storage_buffer_offset_alignment)
    }

    /// Starts capturing every dispatch and copy this thread records into a [`Plan`] (they
    /// still run now). Other threads' work is not captured.
    pub fn begin_capture(&self) -> Result<()> {
        let mut recorder = lock(&self.recorder);
        let id = thread::current().id();
        if recorder.captures.contains_key(&id) {
            return Err(AtbError::Gpu(
                "this thread already has an open capture".to_string(),
            ));
        }
        recorder.captures.insert(
            id,
            Capture {
                commands: Vec::new(),
                pinned: Vec::new(),
            },
        );
        Ok(())
    }

    /// Ends this thread's capture and returns the plan (an empty plan if none was open).
    pub fn end_capture(&self) -> Plan {
        let capture = lock(&self.recorder)
            .captures
            .remove(&thread::current().id());
        let (commands, pinned) = capture.map_or_else(Default::default, |c| (c.commands, c.pinned));
        Plan {
            commands,
            pinned,
            pool: Arc::clone(&self.pool),
        }
    }

    /// Records the plan's commands again into the pending encoder; creates nothing.
    pub fn replay(&self, plan: &Plan) -> Result<()> {
        self.check_health()?;
        let mut recorder = lock(&self.recorder);
        self.pool.begin_recording();
        for command in &plan.commands {
            recorder.record(&self.device, command);
            if recorder.dispatches >= MAX_PENDING_DISPATCHES {
                self.submit_locked(&mut recorder, None);
                self.pool.begin_recording();
            }
        }
        Ok(())
    }

    /// Submits the pending encoder (plus `tail`, recorded after it) and frees parked buffers.
    fn submit_locked(&self, recorder: &mut Recorder, tail: Option<wgpu::CommandEncoder>) {
        let buffers: Vec<wgpu::CommandBuffer> = recorder
            .encoder
            .take()
            .into_iter()
            .chain(tail)
            .map(wgpu::CommandEncoder::finish)
            .collect();
        recorder.dispatches = 0;
        if !buffers.is_empty() {
            self.queue.submit(buffers);
            recorder.submits += 1;
        }
        self.pool.after_submit();
    }

    /// Submits everything recorded so far without waiting for it.
    pub fn flush(&self) {
        let mut recorder = lock(&self.recorder);
        self.submit_locked(&mut recorder, None);
    }

    /// Submits everything recorded and waits until the GPU has finished it.
    pub fn synchronize(&self) -> Result<()> {
        self.flush();
        self.wait()
    }

    fn wait(&self) -> Result<()> {
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| AtbError::Gpu(format!("waiting for the GPU: {e}")))?;
        self.check_health()
    }

    /// Copies `source` (all its meaningful bytes) back to the host, after all pending work.
    pub fn read<T: bytemuck::Pod>(&self, source: &GpuBuffer) -> Result<Vec<T>> {
        let bytes = source.bytes();
        if bytes == 0 {
            return Ok(Vec::new());
        }
        let staging = self.alloc(BufferClass::Readback, bytes, "readback")?;
        let mut copy = self
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("readback"),
            });
        copy.copy_buffer_to_buffer(source.raw(), source.offset(), staging.raw(), 0, bytes);
        {
            let mut recorder = lock(&self.recorder);
            self.submit_locked(&mut recorder, Some(copy));
        }
        self.map_and_copy(staging.raw(), bytes)
    }

    fn map_and_copy<T: bytemuck::Pod>(&self, buffer: &wgpu::Buffer, bytes: u64) -> Result<Vec<T>> {
        let (sender, receiver) = std::sync::mpsc::channel();
        buffer.map_async(wgpu::MapMode::Read, 0..bytes, move |result| {
            // A send error means the reader gave up (it returned an error); nothing to do.
            let _ = sender.send(result);
        });
        // Another thread's poll may run this callback, so wait on the channel, polling
        // until the callback arrives; a dropped callback means the mapping was abandoned.
        let mapped = loop {
            self.wait()?;
            match receiver.recv_timeout(std::time::Duration::from_millis(1)) {
                Ok(result) => break result,
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => continue,
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(AtbError::Gpu("a readback was abandoned".to_string()));
                }
            }
        };
        mapped.map_err(|e| AtbError::Gpu(format!("mapping a readback buffer: {e}")))?;
        let data = {
            let view = buffer
                .get_mapped_range(0..bytes)
                .map_err(|e| AtbError::Gpu(format!("reading a mapped buffer: {e}")))?;
            bytemuck::pod_collect_to_vec(&view)
        };
        buffer.unmap();
        Ok(data)
    }

    /// Starts timing every following dispatch (up to `capacity` of them) with timestamps.
    pub fn enable_profiler(&self, capacity: u32) -> Result<()> {
        let profiler = Profiler::new(&self.device, &self.queue, self.features, capacity)?;
        lock(&self.recorder).profiler = Some(profiler);
        Ok(())
    }

    /// Runs all pending work and returns the GPU time of each dispatch profiled since the
    /// last call, in submission order. Empty when the profiler is off.
    pub fn take_profile(&self) -> Result<Vec<KernelTiming>> {
        let mut recorder = lock(&self.recorder);
        let recorded = recorder.profiler.as_ref().map_or(0, Profiler::recorded);
        if recorded == 0 {
            return Ok(Vec::new());
        }
        let mut resolve = self
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("profile"),
            });
        if let Some(profiler) = recorder.profiler.as_ref() {
            profiler.record_resolve(&mut resolve);
        }
        self.submit_locked(&mut recorder, Some(resolve));
        let Some(profiler) = recorder.profiler.as_mut() else {
            return Ok(Vec::new());
        };
        let raw: Vec<u64> = self.map_and_copy(profiler.readback(), recorded as u64 * 16)?;
        Ok(profiler.finish(&raw))
    }
}

impl std::fmt::Debug for GpuContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "GpuContext({} on {:?})",
            self.info.name, self.info.backend
        )
    }
}
