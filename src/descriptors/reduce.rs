//! What a reduction computes and over which axis.

/// What to compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReduceOp {
    /// Sum.
    Sum,
    /// Arithmetic mean.
    Mean,
}

/// Which axis to reduce, viewing the tensor as rows × last dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReduceAxis {
    /// Reduce the last axis: shape `[.., n]` → `[..]`.
    Last,
    /// Reduce every row: shape `[.., n]` → `[n]` (e.g. a bias gradient).
    Rows,
}
