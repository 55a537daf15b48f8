//! Numbers for tables with a fixed count of significant digits, so that two errors of a coin
//! priced at 0.17 differ on screen as visibly as two errors of one priced at 117,000.

/// `value` with `digits` significant digits: fixed notation for magnitudes in [1e-4, 1e15),
/// scientific notation outside it; zero and non-finite values as Rust prints them.
pub fn significant(value: f64, digits: usize) -> String {
    let digits = digits.max(1);
    if value == 0.0 || !value.is_finite() {
        return format!("{value}");
    }
    let magnitude = value.abs().log10().floor();
    if !(-4.0..15.0).contains(&magnitude) {
        return format!("{value:.prec$e}", prec = digits - 1);
    }
    // Rounding can carry into the next power of ten (9.999996 → 10.0000): recount from the
    // rounded value so the digit count stays exact.
    let decimals = |m: f64| (digits as i64 - 1 - m as i64).max(0) as usize;
    let first = format!("{value:.prec$}", prec = decimals(magnitude));
    let rounded: f64 = first.parse().unwrap_or(value);
    let rounded_magnitude = rounded.abs().log10().floor();
    if rounded_magnitude > magnitude {
        format!("{value:.prec$}", prec = decimals(rounded_magnitude))
    } else {
        first
    }
}

#[cfg(test)]
mod tests {
    use super::significant;

    #[test]
    fn keeps_the_requested_significant_digits_at_every_scale() {
        assert_eq!(significant(0.00171234, 6), "0.00171234");
        assert_eq!(significant(0.00170987, 6), "0.00170987");
        assert_eq!(significant(412.345678, 6), "412.346");
        assert_eq!(significant(116966.697, 6), "116967");
        assert_eq!(significant(-0.0123, 4), "-0.01230");
        assert_eq!(significant(7.5, 6), "7.50000");
    }

    #[test]
    fn rounding_into_the_next_power_of_ten_keeps_the_digit_count() {
        assert_eq!(significant(9.9999996, 6), "10.0000");
        assert_eq!(significant(0.099999996, 3), "0.100");
    }

    #[test]
    fn extreme_magnitudes_use_scientific_notation() {
        assert_eq!(significant(1.23456e-7, 4), "1.235e-7");
        assert_eq!(significant(3.0e20, 3), "3.00e20");
        assert_eq!(significant(0.0, 6), "0");
        assert_eq!(significant(f64::NAN, 6), "NaN");
    }
}
