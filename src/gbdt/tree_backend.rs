//! Where a tree's per-leaf work runs: histograms and the row partition, on the CPU reference
//! or on the GPU, behind one interface so the grower (and so the trees) is the same code on
//! both devices.
//!
//! Rows live in one row-id array; each leaf owns a contiguous segment of it. Splitting a leaf
//! partitions its segment stably (left rows first). On the GPU the row ids, the packed bins
//! and the round's gradients stay on the device; only histograms (features × 256 × 3
//! integers) come back to the host, where the split search runs.

use std::sync::Arc;

use super::binning::BinnedMatrix;
use super::device::histogram_cpu::gbdt_histogram;
use super::device::histogram_gpu as gpu_histogram;
use super::device::partition_cpu::gbdt_partition;
use super::device::partition_gpu as gpu_partition;
use super::device::partition_rule::PartitionRule;
use super::histogram::Histogram;
use super::quantise::QuantisedGradients;
use crate::device::{BufferClass, GpuBuffer, GpuContext};
use crate::{AtbError, Result};

/// The GPU-resident state of [`TreeBackend::Gpu`].
pub struct GpuTreeState {
    ctx: Arc<GpuContext>,
    bins: GpuBuffer,
    words_per_row: usize,
    features: usize,
    pairs: Option<GpuBuffer>,
    rows: Option<(GpuBuffer, GpuBuffer, usize)>,
}

/// Builds histograms and partitions rows for one training set.
pub enum TreeBackend<'a> {
    /// The CPU reference ([`super::device::histogram_cpu`], [`super::device::partition_cpu`]).
    Cpu {
        /// The binned training set.
        bins: &'a BinnedMatrix,
        /// This round's fixed-point `(gradient, hessian)` pairs.
        pairs: Vec<i32>,
        /// The row-id array the leaves' segments index.
        rows: Vec<u32>,
        /// Scratch space of the partition.
        scratch: Vec<u32>,
    },
    /// The GPU kernels ([`super::device::histogram_gpu`], [`super::device::partition_gpu`]).
    Gpu(Box<GpuTreeState>),
}

fn not_ready(what: &str) -> AtbError {
    AtbError::Gpu(format!("gbdt: {what} used before it was set"))
}

impl<'a> TreeBackend<'a> {
    /// A CPU backend.
    pub fn cpu(bins: &'a BinnedMatrix) -> Self {
        TreeBackend::Cpu {
            bins,
            pairs: Vec::new(),
            rows: Vec::new(),
            scratch: Vec::new(),
        }
    }

    /// A GPU backend: uploads the packed bins once.
    pub fn gpu(ctx: Arc<GpuContext>, bins: &BinnedMatrix) -> Result<Self> {
        let packed = ctx.upload(&bins.packed(), "gbdt bins")?;
        Ok(TreeBackend::Gpu(Box::new(GpuTreeState {
            ctx,
            bins: packed,
            words_per_row: bins.words_per_row(),
            features: bins.cols(),
            pairs: None,
            rows: None,
        })))
    }

    /// Installs the round's quantised gradients.
    pub fn set_gradients(&mut self, q: &QuantisedGradients) -> Result<()> {
        match self {
            TreeBackend::Cpu { pairs, .. } => {
                pairs.clear();
                pairs.extend_from_slice(&q.pairs);
            }
            TreeBackend::Gpu(g) => g.pairs = Some(g.ctx.upload(&q.pairs, "gbdt gradient pairs")?),
        }
        Ok(())
    }

    /// Starts a tree: the root leaf owns `rows` (the round's bag).
    pub fn reset_rows(&mut self, rows: &[u32]) -> Result<()> {
        match self {
            TreeBackend::Cpu { rows: r, .. } => {
                r.clear();
                r.extend_from_slice(rows);
            }
            TreeBackend::Gpu(g) => {
                let ids = g.ctx.upload(rows, "gbdt row ids")?;
                let bytes = 4 * rows.len().max(1) as u64;
                let scratch = g
                    .ctx
                    .alloc(BufferClass::Storage, bytes, "gbdt row scratch")?;
                g.rows = Some((ids, scratch, rows.len()));
            }
        }
        Ok(())
    }

    /// The histogram of the leaf owning `rows[begin .. begin + count]`.
    pub fn build(&mut self, begin: usize, count: usize) -> Result<Histogram> {
        match self {
            TreeBackend::Cpu {
                bins, pairs, rows, ..
            } => Ok(gbdt_histogram(bins, &rows[begin..begin + count], pairs)),
            TreeBackend::Gpu(g) => {
                let pairs = g.pairs.as_ref().ok_or_else(|| not_ready("gradients"))?;
                let (ids, _, _) = g.rows.as_ref().ok_or_else(|| not_ready("row ids"))?;
                let hist = gpu_histogram::gbdt_histogram(
                    &g.ctx,
                    &g.bins,
                    g.words_per_row,
                    g.features,
                    ids,
                    begin,
                    count,
                    pairs,
                )?;
                let data: Vec<i32> = g.ctx.read(&hist)?;
                Histogram::from_raw(g.features, data)
                    .ok_or_else(|| AtbError::Gpu("gbdt histogram readback is too short".into()))
            }
        }
    }

    /// Partitions the segment `rows[begin .. begin + count]` by `rule`, stably, left rows
    /// first; `left_count` (known from the split's histogram counts) rows go left.
    pub fn partition(
        &mut self,
        begin: usize,
        count: usize,
        left_count: usize,
        rule: &PartitionRule,
    ) -> Result<()> {
        match self {
            TreeBackend::Cpu {
                bins,
                rows,
                scratch,
                ..
            } => {
                gbdt_partition(bins, rows, scratch, begin, count, rule);
                Ok(())
            }
            TreeBackend::Gpu(g) => {
                let (ids, scratch, _) = g.rows.as_ref().ok_or_else(|| not_ready("row ids"))?;
                gpu_partition::gbdt_partition(
                    &g.ctx,
                    &g.bins,
                    g.words_per_row,
                    ids,
                    scratch,
                    begin,
                    count,
                    left_count,
                    rule,
                )
            }
        }
    }

    /// The row-id array (read back from the GPU once per tree).
    pub fn rows(&self) -> Result<Vec<u32>> {
        match self {
            TreeBackend::Cpu { rows, .. } => Ok(rows.clone()),
            TreeBackend::Gpu(g) => {
                let (ids, _, len) = g.rows.as_ref().ok_or_else(|| not_ready("row ids"))?;
                let mut out: Vec<u32> = g.ctx.read(ids)?;
                out.truncate(*len);
                Ok(out)
            }
        }
    }
}
