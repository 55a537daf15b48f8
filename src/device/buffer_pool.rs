//! Reuse of GPU buffers across kernel calls and training steps.
//!
//! A buffer released while commands that may use it are still being recorded is parked
//! ("deferred") until the next submit; only then can it be handed out again. This keeps
//! `queue.write_buffer` into a reused buffer from overtaking the commands that read its old
//! contents, since wgpu runs queue writes before the next submitted command buffer.
//!
//! Buffers bound by a captured [`Plan`](super::Plan) are *pinned*: while the plan lives they
//! are never handed out again, even after their `GpuBuffer` is dropped, because every replay
//! of the plan still reads and writes them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// The usage class of a pooled buffer; buffers are only reused within one class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BufferClass {
    /// Kernel operands: STORAGE | COPY_SRC | COPY_DST.
    Storage,
    /// Small kernel parameters: UNIFORM | COPY_DST.
    Uniform,
    /// Host readback staging: MAP_READ | COPY_DST.
    Readback,
}

impl BufferClass {
    fn usage(self) -> wgpu::BufferUsages {
        use wgpu::BufferUsages as U;
        match self {
            BufferClass::Storage => U::STORAGE | U::COPY_SRC | U::COPY_DST,
            BufferClass::Uniform => U::UNIFORM | U::COPY_DST,
            BufferClass::Readback => U::MAP_READ | U::COPY_DST,
        }
    }
}

/// Rounds a request up to its pool bucket: multiples of 256 bytes up to 4 KiB, then steps of
/// one sixteenth of the next power of two (at most 12.5 % slack).
pub(crate) fn bucket_size(bytes: u64) -> u64 {
    let bytes = bytes.max(4);
    if bytes <= 4096 {
        return bytes.div_ceil(256) * 256;
    }
    let step = bytes.next_power_of_two() / 16;
    bytes.div_ceil(step) * step
}

/// A released buffer with what it takes to file it: (class, bucket, buffer).
type Released = (BufferClass, u64, wgpu::Buffer);

#[derive(Default)]
struct PoolState {
    free: HashMap<(BufferClass, u64), Vec<wgpu::Buffer>>,
    deferred: Vec<Released>,
    recording: bool,
    /// How many live plans bind each pinned buffer.
    pins: HashMap<wgpu::Buffer, usize>,
    /// Pinned buffers whose `GpuBuffer` was dropped: they wait for their plans to go.
    retained: Vec<Released>,
    created: u64,
    reused: u64,
    /// Bytes of every buffer created (the pool keeps them all).
    created_bytes: u64,
}

impl PoolState {
    fn file(&mut self, released: Released) {
        let (class, bucket, buffer) = released;
        if self.pins.contains_key(&buffer) {
            self.retained.push((class, bucket, buffer));
        } else if self.recording {
            self.deferred.push((class, bucket, buffer));
        } else {
            self.free.entry((class, bucket)).or_default().push(buffer);
        }
    }
}

/// Shared pool state; [`GpuBuffer`]s hold an `Arc` to it and return themselves on drop.
#[derive(Default)]
pub(crate) struct BufferPool {
    state: Mutex<PoolState>,
}

impl BufferPool {
    fn lock(&self) -> std::sync::MutexGuard<'_, PoolState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes a free buffer of the bucket, or creates one with `create(bucket_bytes, usage)`.
    pub(crate) fn acquire(
        self: &Arc<Self>,
        class: BufferClass,
        bytes: u64,
        create: impl FnOnce(u64, wgpu::BufferUsages) -> wgpu::Buffer,
    ) -> GpuBuffer {
        let bucket = bucket_size(bytes);
        let reused = {
            let mut state = self.lock();
            let buffer = state.free.get_mut(&(class, bucket)).and_then(Vec::pop);
            if buffer.is_some() {
                state.reused += 1;
            } else {
                state.created += 1;
                state.created_bytes += bucket;
            }
            buffer
        };
        let buffer = reused.unwrap_or_else(|| create(bucket, class.usage()));
        GpuBuffer {
            buffer: Some(buffer),
            offset: 0,
            bytes,
            origin: Origin::Pool {
                bucket,
                class,
                pool: Arc::clone(self),
            },
        }
    }

    /// Marks that commands are being recorded: releases from now on are deferred.
    pub(crate) fn begin_recording(&self) {
        self.lock().recording = true;
    }

    /// Called right after a submit: deferred buffers become free again.
    pub(crate) fn after_submit(&self) {
        let mut state = self.lock();
        state.recording = false;
        let deferred = std::mem::take(&mut state.deferred);
        for released in deferred {
            state.file(released);
        }
    }

    fn release(&self, class: BufferClass, bucket: u64, buffer: wgpu::Buffer) {
        self.lock().file((class, bucket, buffer));
    }

    /// Pins buffers bound by a new plan.
    pub(crate) fn pin(&self, buffers: &[wgpu::Buffer]) {
        let mut state = self.lock();
        for buffer in buffers {
            *state.pins.entry(buffer.clone()).or_default() += 1;
        }
    }

    /// Unpins the buffers of a dropped plan; released ones no other plan binds become free.
    pub(crate) fn unpin(&self, buffers: &[wgpu::Buffer]) {
        let mut state = self.lock();
        for buffer in buffers {
            if let Some(count) = state.pins.get_mut(buffer) {
                *count -= 1;
                if *count == 0 {
                    state.pins.remove(buffer);
                }
            }
        }
        let retained = std::mem::take(&mut state.retained);
        for released in retained {
            state.file(released);
        }
    }

    /// (buffers created, acquisitions served from the pool).
    pub(crate) fn counts(&self) -> (u64, u64) {
        let state = self.lock();
        (state.created, state.reused)
    }

    /// Bytes of GPU memory the pool's buffers hold: every buffer it created, in use or free
    /// (buffers are never destroyed while the pool lives).
    pub(crate) fn bytes_held(&self) -> u64 {
        self.lock().created_bytes
    }
}

/// Where a [`GpuBuffer`]'s memory comes from, and so what dropping it does.
enum Origin {
    /// A pooled buffer: dropping it returns it to the pool.
    Pool {
        bucket: u64,
        class: BufferClass,
        pool: Arc<BufferPool>,
    },
    /// A window into another buffer, which it keeps alive.
    View { _parent: Arc<GpuBuffer> },
}

/// `bytes` meaningful bytes of GPU memory starting at `offset`: a pooled buffer (returned to
/// the pool when dropped) or a view into one.
pub struct GpuBuffer {
    buffer: Option<wgpu::Buffer>,
    offset: u64,
    bytes: u64,
    origin: Origin,
}

impl GpuBuffer {
    /// The wgpu buffer (its size is the pool bucket, at least [`GpuBuffer::bytes`]).
    pub fn raw(&self) -> &wgpu::Buffer {
        // Invariant: `buffer` is `Some` until `drop`.
        self.buffer
            .as_ref()
            .unwrap_or_else(|| unreachable!("GpuBuffer used after drop"))
    }

    /// The number of meaningful bytes.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Byte offset of the meaningful bytes in [`GpuBuffer::raw`].
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// A binding of exactly the meaningful bytes (at least 4, the smallest legal binding).
    pub fn binding(&self) -> wgpu::BindingResource<'_> {
        wgpu::BindingResource::Buffer(wgpu::BufferBinding {
            buffer: self.raw(),
            offset: self.offset,
            size: std::num::NonZeroU64::new(self.bytes.max(4)),
        })
    }

    /// A window of `bytes` bytes at `offset` bytes into `parent`, which it keeps alive.
    /// The caller checks bounds and the adapter's offset alignment.
    pub(crate) fn view(parent: &Arc<GpuBuffer>, offset: u64, bytes: u64) -> GpuBuffer {
        GpuBuffer {
            buffer: Some(parent.raw().clone()),
            offset: parent.offset + offset,
            bytes,
            origin: Origin::View {
                _parent: Arc::clone(parent),
            },
        }
    }
}

impl Drop for GpuBuffer {
    fn drop(&mut self) {
        if let (
            Some(buffer),
            Origin::Pool {
                bucket,
                class,
                pool,
            },
        ) = (self.buffer.take(), &self.origin)
        {
            pool.release(*class, *bucket, buffer);
        }
    }
}

impl std::fmt::Debug for GpuBuffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GpuBuffer({} bytes at {})", self.bytes, self.offset)
    }
}

#[cfg(test)]
mod tests {
    use super::bucket_size;

    #[test]
    fn buckets_round_up_with_bounded_slack() {
        assert_eq!(bucket_size(0), 256);
        assert_eq!(bucket_size(1), 256);
        assert_eq!(bucket_size(257), 512);
        assert_eq!(bucket_size(4096), 4096);
        for bytes in [4097u64, 10_000, 1 << 20, (1 << 20) + 1, 123_456_789] {
            let b = bucket_size(bytes);
            assert!(b >= bytes);
            assert!(
                (b - bytes) as f64 <= bytes as f64 * 0.125 + 1.0,
                "{bytes} -> {b}"
            );
        }
    }
}
