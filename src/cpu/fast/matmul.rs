//! The matmul of `cpu::matmul` on the parallel GEMM: a shared right operand with a batched
//! left one (a dense layer over `[B,T,F]`) becomes one `[B·T, K]·[K, N]` product, and the
//! bias and activation run over row blocks on the rayon pool.

use rayon::prelude::*;

use super::gemm::{Mat, par_gemm};
use crate::descriptors::matmul::{MatmulOptions, MatmulShape};

/// Rows per parallel block of the epilogue.
const EPILOGUE_ROWS: usize = 256;

/// A `rows × cols` view of `data`, stored transposed (`cols × rows`) when `transposed`.
fn view(data: &[f32], rows: usize, cols: usize, transposed: bool) -> Mat<'_> {
    if transposed {
        Mat::rows(data, cols, rows).t()
    } else {
        Mat::rows(data, rows, cols)
    }
}

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
    if m == 0 || n == 0 || batch == 0 {
        return out;
    }
    if shape.a_batched && !shape.b_batched && !opts.trans_a {
        // Every batch entry shares B: one tall product.
        par_gemm(
            1.0,
            Mat::rows(a, batch * m, k),
            view(b, k, n, opts.trans_b),
            0.0,
            &mut out,
            n,
        );
    } else {
        let stride_a = if shape.a_batched { m * k } else { 0 };
        let stride_b = if shape.b_batched { k * n } else { 0 };
        for (index, c) in out.chunks_exact_mut(m * n).enumerate() {
            let a = view(&a[index * stride_a..][..m * k], m, k, opts.trans_a);
            let b = view(&b[index * stride_b..][..k * n], k, n, opts.trans_b);
            par_gemm(1.0, a, b, 0.0, c, n);
        }
    }
    let activation = opts.activation;
    if bias.is_some() || activation != crate::activation::Activation::None {
        out.par_chunks_mut(EPILOGUE_ROWS * n).for_each(|block| {
            for row in block.chunks_exact_mut(n) {
                match bias {
                    Some(bias) => {
                        for (v, &b) in row.iter_mut().zip(bias) {
                            *v = activation.apply(*v + b);
                        }
                    }
                    None => {
                        for v in row.iter_mut() {
                            *v = activation.apply(*v);
                        }
                    }
                }
            }
        });
    }
    out
}
