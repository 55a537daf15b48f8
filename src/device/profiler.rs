//! GPU timestamp profiling of kernel dispatches (adapters with `TIMESTAMP_QUERY`).

use crate::{AtbError, Result};

/// GPU time of one profiled kernel dispatch.
#[derive(Debug, Clone, PartialEq)]
pub struct KernelTiming {
    /// The dispatch's label (kernel name).
    pub label: &'static str,
    /// GPU nanoseconds between the start and the end of its compute pass.
    pub nanos: f64,
}

/// Timestamp queries around each compute pass, resolved into a buffer on demand.
pub(crate) struct Profiler {
    query_set: wgpu::QuerySet,
    resolve: wgpu::Buffer,
    readback: wgpu::Buffer,
    capacity: u32,
    labels: Vec<&'static str>,
    period_ns: f64,
}

impl Profiler {
    /// A profiler that can time up to `capacity` dispatches between two reads.
    pub(crate) fn new(
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        features: wgpu::Features,
        capacity: u32,
    ) -> Result<Profiler> {
        if !features.contains(wgpu::Features::TIMESTAMP_QUERY) {
            return Err(AtbError::Unsupported("timestamp queries (TIMESTAMP_QUERY)"));
        }
        let capacity = capacity.clamp(1, 2048);
        let bytes = u64::from(capacity) * 2 * 8;
        Ok(Profiler {
            query_set: device.create_query_set(&wgpu::QuerySetDescriptor {
                label: Some("atb profiler"),
                ty: wgpu::QueryType::Timestamp,
                count: capacity * 2,
            }),
            resolve: device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("atb profiler resolve"),
                size: bytes,
                usage: wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
                mapped_at_creation: false,
            }),
            readback: device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("atb profiler readback"),
                size: bytes,
                usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            }),
            capacity,
            labels: Vec::new(),
            period_ns: f64::from(queue.get_timestamp_period()),
        })
    }

    /// Timestamp writes for the next pass, or `None` once `capacity` passes are recorded.
    pub(crate) fn next_pass(
        &mut self,
        label: &'static str,
    ) -> Option<wgpu::ComputePassTimestampWrites<'_>> {
        let index = u32::try_from(self.labels.len()).ok()?;
        if index >= self.capacity {
            return None;
        }
        self.labels.push(label);
        Some(wgpu::ComputePassTimestampWrites {
            query_set: &self.query_set,
            beginning_of_pass_write_index: Some(2 * index),
            end_of_pass_write_index: Some(2 * index + 1),
        })
    }

    /// How many passes have been timed since the last [`Profiler::finish`].
    pub(crate) fn recorded(&self) -> usize {
        self.labels.len()
    }

    /// Records the resolve of every timestamp so far and its copy to the readback buffer.
    pub(crate) fn record_resolve(&self, encoder: &mut wgpu::CommandEncoder) {
        let queries = 2 * self.labels.len() as u32;
        encoder.resolve_query_set(&self.query_set, 0..queries, &self.resolve, 0);
        encoder.copy_buffer_to_buffer(&self.resolve, 0, &self.readback, 0, u64::from(queries) * 8);
    }

    /// The readback buffer holding the resolved timestamps after a submit.
    pub(crate) fn readback(&self) -> &wgpu::Buffer {
        &self.readback
    }

    /// Turns resolved raw timestamps into timings and forgets the recorded passes.
    pub(crate) fn finish(&mut self, raw: &[u64]) -> Vec<KernelTiming> {
        let labels = std::mem::take(&mut self.labels);
        labels
            .into_iter()
            .enumerate()
            .map(|(i, label)| {
                let ticks = raw[2 * i + 1].saturating_sub(raw[2 * i]);
                KernelTiming {
                    label,
                    nanos: ticks as f64 * self.period_ns,
                }
            })
            .collect()
    }
}
