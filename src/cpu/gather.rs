//! CPU reference of `shaders/gather.wgsl`.

use crate::descriptors::gather::Window;

/// `dst[o, dst_start + a, i] = src[o, src_start + a, i]` for `a < len`.
pub fn copy_window(src: &[f32], dst: &mut [f32], w: &Window) {
    let run = w.len * w.inner;
    for o in 0..w.outer {
        let from = (o * w.src_axis + w.src_start) * w.inner;
        let to = (o * w.dst_axis + w.dst_start) * w.inner;
        dst[to..to + run].copy_from_slice(&src[from..from + run]);
    }
}

/// `out[r, :] = table[indices[batch · rows + r], :]`.
pub fn gather_rows(
    table: &[f32],
    cols: usize,
    indices: &[u32],
    batch: usize,
    rows: usize,
) -> Vec<f32> {
    let mut out = Vec::with_capacity(rows * cols);
    for &row in &indices[batch * rows..(batch + 1) * rows] {
        let row = row as usize;
        out.extend_from_slice(&table[row * cols..(row + 1) * cols]);
    }
    out
}
