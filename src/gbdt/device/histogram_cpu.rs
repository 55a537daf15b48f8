//! CPU reference of `shaders/gbdt_histogram.wgsl`: the integer histogram of a leaf's rows.
//!
//! Large leaves are split into contiguous chunks of rows, one per available core, each
//! accumulated into its own histogram; the partial histograms are then added. Integer
//! addition is associative, so the result does not depend on the chunking or thread count.

use crate::gbdt::binning::{BIN_STRIDE, BinnedMatrix};
use crate::gbdt::histogram::{CHANNELS, Histogram};

/// Leaves with fewer rows than this are built on one thread.
const ROWS_PER_THREAD: usize = 16_384;

/// Adds the rows `rows` into `data` (`features × BIN_STRIDE × CHANNELS`).
fn accumulate(bins: &BinnedMatrix, rows: &[u32], pairs: &[i32], data: &mut [i32]) {
    let features = bins.cols();
    for &r in rows {
        let r = r as usize;
        let (g, h) = (pairs[2 * r], pairs[2 * r + 1]);
        for (f, b) in bins.row(r).iter().enumerate() {
            let i = (f * BIN_STRIDE + usize::from(*b)) * CHANNELS;
            let cell = &mut data[i..i + CHANNELS];
            cell[0] = cell[0].wrapping_add(g);
            cell[1] = cell[1].wrapping_add(h);
            cell[2] = cell[2].wrapping_add(1);
        }
    }
    debug_assert_eq!(data.len(), features * BIN_STRIDE * CHANNELS);
}

/// The histogram of the rows `rows` of `bins`, from the interleaved fixed-point
/// `(gradient, hessian)` pairs `pairs` (one pair per row of `bins`). Wrapping integer adds, as
/// the GPU's atomics; the quantisation bound makes them exact.
pub fn gbdt_histogram(bins: &BinnedMatrix, rows: &[u32], pairs: &[i32]) -> Histogram {
    let features = bins.cols();
    let mut hist = Histogram::zeros(features);
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(rows.len() / ROWS_PER_THREAD)
        .max(1);
    if threads == 1 {
        accumulate(bins, rows, pairs, hist.data_mut());
        return hist;
    }
    let chunk = rows.len().div_ceil(threads);
    let partials: Vec<Histogram> = std::thread::scope(|scope| {
        let handles: Vec<_> = rows
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    let mut h = Histogram::zeros(features);
                    accumulate(bins, part, pairs, h.data_mut());
                    h
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let data = hist.data_mut();
    for p in &partials {
        for (d, v) in data.iter_mut().zip(p.data()) {
            *d = d.wrapping_add(*v);
        }
    }
    hist
}
