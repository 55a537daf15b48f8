//! The workgroup width of the one-row-per-workgroup kernels (softmax, layer norm).

/// Threads per row for rows of `cols` elements: the next power of two, from 32 (one
/// subgroup on most GPUs) to 256, as the `THREADS` override constant expects.
pub(crate) fn row_threads(cols: usize) -> f64 {
    cols.clamp(32, 256).next_power_of_two() as f64
}

#[cfg(test)]
mod tests {
    use super::row_threads;

    #[test]
    fn widths_are_powers_of_two_between_32_and_256() {
        let cases = [(0, 32.0), (1, 32.0), (33, 64.0), (128, 128.0), (129, 256.0)];
        for (cols, want) in cases {
            assert_eq!(row_threads(cols), want, "cols {cols}");
        }
        assert_eq!(row_threads(1 << 20), 256.0);
    }
}
