//! Axis ranges that show every finite value with a little air around it.

/// `[min, max]` of the finite values, widened by 5% (or by 1 when all values are equal);
/// `None` when there is no finite value.
pub(crate) fn padded_range<'a>(values: impl IntoIterator<Item = &'a f64>) -> Option<(f64, f64)> {
    let (lo, hi) = values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |acc: Option<(f64, f64)>, &v| {
            Some(acc.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))))
        })?;
    let pad = if hi > lo { 0.05 * (hi - lo) } else { 1.0 };
    Some((lo - pad, hi + pad))
}

#[cfg(test)]
mod tests {
    use super::padded_range;

    #[test]
    fn pads_spread_skips_non_finite_and_widens_constants() {
        let (lo, hi) = padded_range(&[1.0, f64::NAN, 3.0, f64::INFINITY]).unwrap();
        assert!((lo - 0.9).abs() < 1e-12 && (hi - 3.1).abs() < 1e-12);
        assert_eq!(padded_range(&[2.0, 2.0]), Some((1.0, 3.0)));
        assert_eq!(padded_range(&[f64::NAN]), None);
        assert_eq!(padded_range(&[]), None);
    }
}
