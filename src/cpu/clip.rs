//! CPU reference of `shaders/clip.wgsl`: global gradient norm and clipping factor.

/// `(norm, scale)`: `norm = sqrt(Σ g²)` (summed in f64), `scale = max_norm / norm` when
/// `norm > max_norm`, else 1 (the division in f32, as the shader).
pub fn clip_scale(grads: &[f32], max_norm: f32) -> (f32, f32) {
    let sum: f64 = grads.iter().map(|&g| f64::from(g) * f64::from(g)).sum();
    let norm = sum.sqrt() as f32;
    let scale = if norm > max_norm {
        max_norm / norm
    } else {
        1.0
    };
    (norm, scale)
}

/// `out[i] = grads[i] · scale`.
pub fn clip_apply(grads: &[f32], scale: f32) -> Vec<f32> {
    grads.iter().map(|&g| g * scale).collect()
}
