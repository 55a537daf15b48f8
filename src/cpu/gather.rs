//! CPU reference of `shaders/gather.wgsl`.

/// The geometry of one `copy_window`: src is [outer, src_axis, inner], dst is
/// [outer, dst_axis, inner], and `len` positions of the middle axis are copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Product of the dimensions before the axis.
    pub outer: usize,
    /// Length of the axis in src.
    pub src_axis: usize,
    /// Length of the axis in dst.
    pub dst_axis: usize,
    /// Product of the dimensions after the axis.
    pub inner: usize,
    /// First copied position in src.
    pub src_start: usize,
    /// Where it lands in dst.
    pub dst_start: usize,
    /// Number of positions copied.
    pub len: usize,
}

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
