//! CPU reference of `shaders/dropout.wgsl`: the same integer hash, so masks are bit-identical.

use crate::descriptors::dropout::DropoutMask;

/// `out[i] = kept(i) ? x[i] · scale : 0` (the forward on `x`, the backward on `dy`).
pub fn dropout_apply(x: &[f32], mask: &DropoutMask) -> Vec<f32> {
    (0u32..)
        .zip(x)
        .map(|(i, &v)| if mask.kept(i) { v * mask.scale } else { 0.0 })
        .collect()
}

/// `out[i] = kept(i) ? 1 : 0` for `n` elements.
pub fn dropout_mask(n: usize, mask: &DropoutMask) -> Vec<f32> {
    (0u32..)
        .take(n)
        .map(|i| if mask.kept(i) { 1.0 } else { 0.0 })
        .collect()
}
