//! CPU reference of `shaders/reduce.wgsl` (accumulates in f64).

use crate::descriptors::reduce::{ReduceAxis, ReduceOp};

/// Sum or mean of a row-major `rows × cols` matrix along `axis`.
pub fn reduce(x: &[f32], rows: usize, cols: usize, op: ReduceOp, axis: ReduceAxis) -> Vec<f32> {
    let finish = |sum: f64, count: usize| match op {
        ReduceOp::Sum => sum as f32,
        ReduceOp::Mean => (sum / count as f64) as f32,
    };
    match axis {
        ReduceAxis::Last => (0..rows)
            .map(|r| {
                let row = &x[r * cols..(r + 1) * cols];
                finish(row.iter().map(|&v| f64::from(v)).sum(), cols)
            })
            .collect(),
        ReduceAxis::Rows => {
            let mut sums = vec![0.0f64; cols];
            for row in x.chunks_exact(cols.max(1)).take(rows) {
                for (s, &v) in sums.iter_mut().zip(row) {
                    *s += f64::from(v);
                }
            }
            sums.into_iter().map(|s| finish(s, rows)).collect()
        }
    }
}
