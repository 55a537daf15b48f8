//! UTC timestamps as epoch milliseconds: parsing ISO dates and epoch numbers, formatting, calendar.

/// Milliseconds in one hour.
pub const HOUR_MS: i64 = 3_600_000;
/// Milliseconds in one day.
pub const DAY_MS: i64 = 24 * HOUR_MS;

/// Epoch values at or above this are microseconds, not milliseconds (1e14 ms is the year 5138;
/// Binance's spot kline dumps switched to microseconds in 2025).
const MICROSECONDS_FROM: i64 = 100_000_000_000_000;

/// Parses a timestamp cell: an ISO date (`2022-07-16 07:00:00`, `2022-07-16T07:00:00Z`,
/// `2022-07-16T07:00:00.000+02:00`, `2022-07-16`) or an integer epoch in milliseconds
/// (microseconds when ≥ 1e14). Returns epoch milliseconds UTC, or why the text is not a time.
pub fn parse_timestamp(text: &str) -> Result<i64, String> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        let value: i64 = text
            .parse()
            .map_err(|_| format!("epoch time {text:?} is out of range"))?;
        return Ok(if value >= MICROSECONDS_FROM {
            value / 1000
        } else {
            value
        });
    }
    parse_iso(text).ok_or_else(|| {
        format!("expected a date like \"2022-07-16 07:00:00\" or epoch milliseconds, got {text:?}")
    })
}

/// Formats epoch milliseconds as `YYYY-MM-DD HH:MM:SS` (UTC).
pub fn format_timestamp(ms: i64) -> String {
    let days = ms.div_euclid(DAY_MS);
    let in_day = ms.rem_euclid(DAY_MS) / 1000;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        in_day / 3600,
        in_day / 60 % 60,
        in_day % 60
    )
}

/// Hour of the day (0–23, UTC) of an epoch-millisecond time.
pub fn hour_of_day(ms: i64) -> u32 {
    (ms.rem_euclid(DAY_MS) / HOUR_MS) as u32
}

/// Day of the week (Monday = 0 … Sunday = 6, UTC), as pandas' `dayofweek`.
pub fn day_of_week(ms: i64) -> u32 {
    // 1970-01-01 was a Thursday (3 when Monday is 0).
    (ms.div_euclid(DAY_MS) + 3).rem_euclid(7) as u32
}

/// A human name for a bar interval: `1h`, `15m`, `1d`, `90s`.
pub fn format_interval(ms: i64) -> String {
    if ms % DAY_MS == 0 {
        format!("{}d", ms / DAY_MS)
    } else if ms % HOUR_MS == 0 {
        format!("{}h", ms / HOUR_MS)
    } else if ms % 60_000 == 0 {
        format!("{}m", ms / 60_000)
    } else if ms % 1000 == 0 {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

/// `YYYY-MM-DD[( |T)HH:MM[:SS[.fff]]][Z|±HH:MM]`.
fn parse_iso(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut ms = days_from_civil(year, month, day) * DAY_MS;
    let rest = &b[10..];
    if rest.is_empty() {
        return Some(ms);
    }
    if !(rest[0] == b' ' || rest[0] == b'T') || rest.len() < 6 || rest[3] != b':' {
        return None;
    }
    let hour = digits(&rest[1..3])?;
    let minute = digits(&rest[4..6])?;
    if hour > 23 || minute > 59 {
        return None;
    }
    ms += hour * HOUR_MS + minute * 60_000;
    let mut rest = &rest[6..];
    if rest.first() == Some(&b':') {
        let second = digits(rest.get(1..3)?)?;
        if second > 59 {
            return None;
        }
        ms += second * 1000;
        rest = &rest[3..];
        if rest.first() == Some(&b'.') {
            let frac_len = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if frac_len == 0 {
                return None;
            }
            let frac = &rest[1..1 + frac_len];
            let padded: Vec<u8> = frac.iter().chain(b"000").take(3).copied().collect();
            ms += digits(&padded)?;
            rest = &rest[1 + frac_len..];
        }
    }
    match rest {
        [] | [b'Z'] => Some(ms),
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let offset = digits(&[*h1, *h2])? * HOUR_MS + digits(&[*m1, *m2])? * 60_000;
            Some(if *sign == b'+' {
                ms - offset
            } else {
                ms + offset
            })
        }
        _ => None,
    }
}

fn digits(b: &[u8]) -> Option<i64> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0, |acc, &c| acc * 10 + i64::from(c - b'0')))
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01 (inverse of [`days_from_civil`]).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}
