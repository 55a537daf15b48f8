//! CPU reference of `shaders/gbdt_histogram.wgsl`: the integer histogram of a leaf's rows.

use crate::gbdt::{BIN_STRIDE, BinnedMatrix, CHANNELS, Histogram};

/// The histogram of the rows `rows` of `bins`, from the interleaved fixed-point
/// `(gradient, hessian)` pairs `pairs` (one pair per row of `bins`). Wrapping integer adds, as
/// the GPU's atomics; the quantisation bound makes them exact.
pub fn gbdt_histogram(bins: &BinnedMatrix, rows: &[u32], pairs: &[i32]) -> Histogram {
    let features = bins.cols();
    let mut hist = Histogram::zeros(features);
    let data = hist.data_mut();
    for &r in rows {
        let r = r as usize;
        let (g, h) = (pairs[2 * r], pairs[2 * r + 1]);
        for f in 0..features {
            let i = (f * BIN_STRIDE + bins.get(r, f)) * CHANNELS;
            data[i] = data[i].wrapping_add(g);
            data[i + 1] = data[i + 1].wrapping_add(h);
            data[i + 2] = data[i + 2].wrapping_add(1);
        }
    }
    hist
}
