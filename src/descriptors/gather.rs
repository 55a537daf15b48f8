//! The geometry of one window copy of `shaders/gather.wgsl`.

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
