//! Where histograms are built: the CPU reference or the GPU kernel, behind one interface so
//! that the tree grower (and therefore the trees) is the same code on both devices.

use std::sync::Arc;

use super::binning::BinnedMatrix;
use super::histogram::Histogram;
use super::quantise::QuantisedGradients;
use crate::Result;
use crate::cpu::gbdt_histogram::gbdt_histogram;
use crate::device::{GpuBuffer, GpuContext};
use crate::kernels::gbdt_histogram as gpu_histogram;

/// Builds leaf histograms of one training set for the current round's gradients.
pub enum HistogramSource<'a> {
    /// The CPU reference ([`crate::cpu::gbdt_histogram`]).
    Cpu {
        /// The binned training set.
        bins: &'a BinnedMatrix,
        /// This round's fixed-point `(gradient, hessian)` pairs.
        pairs: Vec<i32>,
    },
    /// The GPU kernel ([`crate::kernels::gbdt_histogram`]); bins uploaded once.
    Gpu {
        /// The device.
        ctx: Arc<GpuContext>,
        /// The binned training set in its packed layout.
        bins: GpuBuffer,
        /// Words per row of `bins`.
        words_per_row: usize,
        /// Number of features.
        features: usize,
        /// This round's pairs (uploaded by [`HistogramSource::set_gradients`]).
        pairs: Option<GpuBuffer>,
    },
}

impl<'a> HistogramSource<'a> {
    /// A CPU source.
    pub fn cpu(bins: &'a BinnedMatrix) -> Self {
        HistogramSource::Cpu {
            bins,
            pairs: Vec::new(),
        }
    }

    /// A GPU source: uploads the packed bins once.
    pub fn gpu(ctx: Arc<GpuContext>, bins: &BinnedMatrix) -> Result<Self> {
        let packed = ctx.upload(&bins.packed(), "gbdt bins")?;
        Ok(HistogramSource::Gpu {
            ctx,
            bins: packed,
            words_per_row: bins.words_per_row(),
            features: bins.cols(),
            pairs: None,
        })
    }

    /// Installs the round's quantised gradients.
    pub fn set_gradients(&mut self, q: &QuantisedGradients) -> Result<()> {
        match self {
            HistogramSource::Cpu { pairs, .. } => {
                pairs.clear();
                pairs.extend_from_slice(&q.pairs);
            }
            HistogramSource::Gpu { ctx, pairs, .. } => {
                *pairs = Some(ctx.upload(&q.pairs, "gbdt gradient pairs")?);
            }
        }
        Ok(())
    }

    /// The histogram of the rows `rows`.
    pub fn build(&mut self, rows: &[u32]) -> Result<Histogram> {
        match self {
            HistogramSource::Cpu { bins, pairs } => Ok(gbdt_histogram(bins, rows, pairs)),
            HistogramSource::Gpu {
                ctx,
                bins,
                words_per_row,
                features,
                pairs,
            } => {
                let pairs = pairs.as_ref().ok_or_else(|| {
                    crate::AtbError::Gpu("gbdt histogram built before gradients were set".into())
                })?;
                let rows_buf = ctx.upload(rows, "gbdt leaf rows")?;
                let hist = gpu_histogram::gbdt_histogram(
                    ctx,
                    bins,
                    *words_per_row,
                    *features,
                    &rows_buf,
                    rows.len(),
                    pairs,
                )?;
                let data: Vec<i32> = ctx.read(&hist)?;
                Histogram::from_raw(*features, data).ok_or_else(|| {
                    crate::AtbError::Gpu("gbdt histogram readback is too short".into())
                })
            }
        }
    }
}
