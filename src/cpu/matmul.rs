//! CPU reference of `shaders/matmul.wgsl` (ndarray's blocked GEMM per batch entry).

use ndarray::{ArrayView2, ArrayViewMut2, linalg::general_mat_mul};

use crate::descriptors::matmul::{MatmulOptions, MatmulShape};

/// `act(op(A) · op(B) + bias)` over row-major slices; returns the row-major result.
pub fn matmul(
    a: &[f32],
    b: &[f32],
    bias: Option<&[f32]>,
    shape: &MatmulShape,
    opts: &MatmulOptions,
) -> Vec<f32> {
    let MatmulShape { batch, m, n, k, .. } = *shape;
    let mut out = vec![0.0f32; batch * m * n];
    if m == 0 || n == 0 {
        return out;
    }
    let stride_a = if shape.a_batched { m * k } else { 0 };
    let stride_b = if shape.b_batched { k * n } else { 0 };
    for (index, c) in out.chunks_exact_mut(m * n).enumerate() {
        let a = &a[index * stride_a..index * stride_a + m * k];
        let b = &b[index * stride_b..index * stride_b + k * n];
        let a = view(a, m, k, opts.trans_a);
        let b = view(b, k, n, opts.trans_b);
        // Shapes were validated by MatmulShape::infer, so these views always fit.
        if let Ok(mut c_view) = ArrayViewMut2::from_shape((m, n), c) {
            general_mat_mul(1.0, &a, &b, 0.0, &mut c_view);
        }
        for row in c.chunks_exact_mut(n) {
            for (j, v) in row.iter_mut().enumerate() {
                let biased = *v + bias.map_or(0.0, |bias| bias[j]);
                *v = opts.activation.apply(biased);
            }
        }
    }
    out
}

/// A `rows × cols` view of `data`, stored transposed (`cols × rows`) when `transposed`.
fn view(data: &[f32], rows: usize, cols: usize, transposed: bool) -> ArrayView2<'_, f32> {
    let stored = if transposed {
        (cols, rows)
    } else {
        (rows, cols)
    };
    let v = ArrayView2::from_shape(stored, data)
        .unwrap_or_else(|_| unreachable!("matmul operand length checked by MatmulShape::infer"));
    if transposed { v.reversed_axes() } else { v }
}
