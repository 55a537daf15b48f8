//! Strided single-precision GEMM, `C = α·A·B + β·C`, on `matrixmultiply::sgemm`, and a
//! rayon-parallel form that splits C into fixed blocks.
//!
//! Why `matrixmultiply` (already under ndarray, so no new build cost): it takes arbitrary row
//! and column strides, so transposed operands and one time step of a `[B,T,·]` tensor are
//! views without copies; each element of C is accumulated in the same k order wherever it lies
//! in C, so splitting C into blocks changes no bit. Measured against faer's `gemm` 0.19 on
//! this project's shapes in docs/benchmarks.md ("Fast CPU path").

use rayon::prelude::*;

/// A read-only strided matrix inside a slice: element (i, j) is `data[i·rs + j·cs]`.
#[derive(Debug, Clone, Copy)]
pub struct Mat<'a> {
    data: &'a [f32],
    rows: usize,
    cols: usize,
    rs: usize,
    cs: usize,
}

impl<'a> Mat<'a> {
    /// A strided view; panics (a bug in the caller, shapes are validated upstream) when an
    /// element would lie outside `data`.
    pub fn new(data: &'a [f32], rows: usize, cols: usize, rs: usize, cs: usize) -> Mat<'a> {
        assert!(
            fits(data.len(), rows, cols, rs, cs),
            "GEMM view out of bounds"
        );
        Mat {
            data,
            rows,
            cols,
            rs,
            cs,
        }
    }

    /// The row-major `rows × cols` matrix at the start of `data`.
    pub fn rows(data: &'a [f32], rows: usize, cols: usize) -> Mat<'a> {
        Mat::new(data, rows, cols, cols, 1)
    }

    /// The transpose (a view, nothing moves).
    pub fn t(self) -> Mat<'a> {
        Mat {
            rows: self.cols,
            cols: self.rows,
            rs: self.cs,
            cs: self.rs,
            ..self
        }
    }

    /// Rows `start..start + len` (a view).
    pub fn row_range(self, start: usize, len: usize) -> Mat<'a> {
        assert!(start + len <= self.rows, "GEMM row range out of bounds");
        let offset = if len == 0 { 0 } else { start * self.rs };
        Mat {
            data: &self.data[offset.min(self.data.len())..],
            rows: len,
            ..self
        }
    }

    /// Columns `start..start + len` (a view).
    pub fn col_range(self, start: usize, len: usize) -> Mat<'a> {
        self.t().row_range(start, len).t()
    }
}

/// A writable strided matrix inside a slice: element (i, j) is `data[i·rs + j·cs]`.
#[derive(Debug)]
pub struct MatMut<'a> {
    data: &'a mut [f32],
    rows: usize,
    cols: usize,
    rs: usize,
    cs: usize,
}

impl<'a> MatMut<'a> {
    /// A strided view; panics (a caller bug) when an element would lie outside `data`.
    pub fn new(data: &'a mut [f32], rows: usize, cols: usize, rs: usize, cs: usize) -> MatMut<'a> {
        assert!(
            fits(data.len(), rows, cols, rs, cs),
            "GEMM view out of bounds"
        );
        MatMut {
            data,
            rows,
            cols,
            rs,
            cs,
        }
    }

    /// The row-major `rows × cols` matrix at the start of `data`.
    pub fn rows(data: &'a mut [f32], rows: usize, cols: usize) -> MatMut<'a> {
        MatMut::new(data, rows, cols, cols, 1)
    }
}

/// Whether every element of a `rows × cols` view with strides (rs, cs) lies in `len`.
fn fits(len: usize, rows: usize, cols: usize, rs: usize, cs: usize) -> bool {
    rows == 0 || cols == 0 || (rows - 1) * rs + (cols - 1) * cs < len
}

/// `C = α·A·B + β·C` on one thread (β = 0 ignores C's old contents, NaN included).
pub fn gemm(alpha: f32, a: Mat<'_>, b: Mat<'_>, beta: f32, c: MatMut<'_>) {
    assert!(
        a.rows == c.rows && b.cols == c.cols && a.cols == b.rows,
        "GEMM shapes {}×{} · {}×{} → {}×{}",
        a.rows,
        a.cols,
        b.rows,
        b.cols,
        c.rows,
        c.cols
    );
    if c.rows == 0 || c.cols == 0 {
        return;
    }
    if a.cols == 0 {
        scale_in_place(beta, c);
        return;
    }
    let stride =
        |s: usize| isize::try_from(s).unwrap_or_else(|_| unreachable!("slice strides fit isize"));
    // SAFETY: `Mat::new`/`MatMut::new` checked that every element of the three views lies
    // inside its slice; C is borrowed mutably, so it aliases neither A nor B.
    unsafe {
        matrixmultiply::sgemm(
            c.rows,
            a.cols,
            c.cols,
            alpha,
            a.data.as_ptr(),
            stride(a.rs),
            stride(a.cs),
            b.data.as_ptr(),
            stride(b.rs),
            stride(b.cs),
            beta,
            c.data.as_mut_ptr(),
            stride(c.rs),
            stride(c.cs),
        );
    }
}

/// `C = β·C` for an empty inner dimension.
fn scale_in_place(beta: f32, c: MatMut<'_>) {
    for i in 0..c.rows {
        for j in 0..c.cols {
            let v = &mut c.data[i * c.rs + j * c.cs];
            *v = if beta == 0.0 { 0.0 } else { beta * *v };
        }
    }
}

/// Rows of C per parallel block: large enough that packing B once per block pays off.
const ROW_BLOCK: usize = 64;

/// [`gemm`] with C split into fixed blocks of [`ROW_BLOCK`] rows, run on the rayon pool.
/// C must be row-major with row stride `c_cols` (the common case); the blocks depend on
/// the shape only, and blocking changes no bit of the result.
pub fn par_gemm(alpha: f32, a: Mat<'_>, b: Mat<'_>, beta: f32, c: &mut [f32], c_cols: usize) {
    let rows = a.rows;
    assert!(c.len() >= rows * c_cols, "GEMM output too short");
    let c = &mut c[..rows * c_cols];
    if rows <= ROW_BLOCK || c_cols == 0 {
        gemm(alpha, a, b, beta, MatMut::rows(c, rows, c_cols));
        return;
    }
    c.par_chunks_mut(ROW_BLOCK * c_cols)
        .enumerate()
        .for_each(|(block, c_block)| {
            let len = c_block.len() / c_cols;
            let a_block = a.row_range(block * ROW_BLOCK, len);
            gemm(alpha, a_block, b, beta, MatMut::rows(c_block, len, c_cols));
        });
}

/// `A·B` for a short result with a long inner dimension (a weight gradient summed over
/// every row of a batch): computed as `(Bᵀ·Aᵀ)ᵀ` so that the parallel blocks split B's
/// columns when A has fewer rows than B has columns; returns `A·B` row-major.
pub fn par_gemm_short(a: Mat<'_>, b: Mat<'_>) -> Vec<f32> {
    let (m, n) = (a.rows, b.cols);
    if m >= n {
        let mut c = vec![0.0f32; m * n];
        par_gemm(1.0, a, b, 0.0, &mut c, n);
        return c;
    }
    let mut ct = vec![0.0f32; n * m];
    par_gemm(1.0, b.t(), a.t(), 0.0, &mut ct, m);
    let mut c = vec![0.0f32; m * n];
    if m > 0 {
        for (j, col) in ct.chunks_exact(m).enumerate() {
            for (i, &v) in col.iter().enumerate() {
                c[i * n + j] = v;
            }
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(a: &[f32], b: &[f32], m: usize, k: usize, n: usize) -> Vec<f32> {
        let mut c = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                c[i * n + j] = (0..k).map(|p| a[i * k + p] * b[p * n + j]).sum();
            }
        }
        c
    }

    #[test]
    fn strided_views_and_blocks_match_a_naive_product() {
        // Small integers: every product and sum is exact in f32, so equality is exact.
        let (m, k, n) = (133, 7, 5);
        let a: Vec<f32> = (0..m * k).map(|i| (i % 5) as f32 - 2.0).collect();
        let b: Vec<f32> = (0..k * n).map(|i| (i % 3) as f32 - 1.0).collect();
        let want = naive(&a, &b, m, k, n);
        let mut c = vec![f32::NAN; m * n];
        par_gemm(
            1.0,
            Mat::rows(&a, m, k),
            Mat::rows(&b, k, n),
            0.0,
            &mut c,
            n,
        );
        assert_eq!(c, want);
        // Aᵀ stored k×m, used through a transposed view.
        let at: Vec<f32> = (0..k * m).map(|i| a[(i % m) * k + i / m]).collect();
        let mut c2 = vec![0.0; m * n];
        gemm(
            1.0,
            Mat::rows(&at, k, m).t(),
            Mat::rows(&b, k, n),
            0.0,
            MatMut::rows(&mut c2, m, n),
        );
        assert_eq!(c2, want);
        // β = 1 accumulates.
        gemm(
            1.0,
            Mat::rows(&a, m, k),
            Mat::rows(&b, k, n),
            1.0,
            MatMut::rows(&mut c2, m, n),
        );
        assert_eq!(c2, want.iter().map(|v| 2.0 * v).collect::<Vec<_>>());
        // The short form: (Aᵀ)ᵀ·B through the transposed blocks.
        assert_eq!(
            par_gemm_short(Mat::rows(&at, k, m).t(), Mat::rows(&b, k, n)),
            want
        );
    }
}
