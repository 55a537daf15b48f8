//! The `YYYY-MM-DD_HHh` stamp of a version name, from the system clock in UTC.

use std::time::{SystemTime, UNIX_EPOCH};

/// `YYYY-MM-DD_HHh` for `unix_seconds` seconds after 1970-01-01T00:00:00Z.
pub fn utc_hour_stamp(unix_seconds: u64) -> String {
    let days = (unix_seconds / 86_400) as i64;
    let hour = (unix_seconds % 86_400) / 3_600;
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}_{hour:02}h")
}

/// The stamp of the current time (the epoch if the clock reads before it).
pub fn utc_hour_stamp_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    utc_hour_stamp(secs)
}

/// Proleptic Gregorian (year, month, day) of a day count since 1970-01-01
/// (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::utc_hour_stamp;

    #[test]
    fn known_instants_format_as_utc_hours() {
        assert_eq!(utc_hour_stamp(0), "1970-01-01_00h");
        // 2000-02-29T23:59:59Z, a leap day in a century leap year.
        assert_eq!(utc_hour_stamp(951_868_799), "2000-02-29_23h");
        // 2026-11-29T03:30:00Z.
        assert_eq!(utc_hour_stamp(1_795_923_000), "2026-11-29_03h");
    }
}
