//! One stored version and its folder name, `YYYY-MM-DD_HHh_vN`.

use std::path::PathBuf;

use serde::Serialize;

/// A committed version of a symbol's price model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionInfo {
    /// Trading symbol, e.g. `BTCUSDT`.
    pub symbol: String,
    /// Folder name, e.g. `2026-11-29_03h_v2`.
    pub name: String,
    /// The version number N (unique per symbol).
    pub number: u32,
    /// The version folder.
    pub path: PathBuf,
}

/// Folder name of version `number` stamped `utc_hour` (`YYYY-MM-DD_HHh`).
pub fn version_name(utc_hour: &str, number: u32) -> String {
    format!("{utc_hour}_v{number}")
}

/// N of a folder named `YYYY-MM-DD_HHh_vN`; `None` for anything else (temporary dot-folders,
/// stray files).
pub fn parse_version_number(name: &str) -> Option<u32> {
    let (stamp, number) = name.split_once("_v")?;
    let b = stamp.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let stamp_ok = b.len() == 14
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'_'
        && digits(11..13)
        && b[13] == b'h';
    let number_ok = !number.is_empty() && number.bytes().all(|c| c.is_ascii_digit());
    if stamp_ok && number_ok {
        number.parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_version_number, version_name};

    #[test]
    fn names_round_trip_and_strays_are_rejected() {
        let name = version_name("2026-11-29_03h", 12);
        assert_eq!(name, "2026-11-29_03h_v12");
        assert_eq!(parse_version_number(&name), Some(12));
        for stray in [
            ".tmp-1-2",
            "2026-11-29_03h_v",
            "2026-11-29_03h_vx",
            "2026-11-29_3h_v1",
            "notes_v1",
            "2026-11-29_03h_v1_old",
        ] {
            assert_eq!(parse_version_number(stray), None, "{stray}");
        }
    }
}
