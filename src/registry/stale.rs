//! Removing the temporary folders (`.tmp-<pid>-<nanos>-<seq>`) that runs which died before
//! committing left behind.
//!
//! A folder is removed only when no live run can still be writing it: it is not this
//! process's, it is older than [`GRACE`], and either its process is gone (known on systems
//! with `/proc`) or it is older than [`ABANDONED`] (a live process with that number is then a
//! later one that reused it; saving a version takes seconds).

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Younger folders are always kept: their run may be on another machine sharing the folder.
pub const GRACE: Duration = Duration::from_secs(10 * 60);

/// Older folders are removed even when a process with their number runs.
pub const ABANDONED: Duration = Duration::from_secs(7 * 24 * 3600);

/// The (process id, creation time) a temporary folder's name records.
pub(crate) fn parse_pending_name(name: &str) -> Option<(u32, SystemTime)> {
    let mut parts = name.strip_prefix(".tmp-")?.split('-');
    let pid = parts.next()?.parse().ok()?;
    let nanos: u128 = parts.next()?.parse().ok()?;
    let _sequence: u64 = parts.next()?.parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    let nanos = u64::try_from(nanos).ok()?;
    Some((pid, UNIX_EPOCH + Duration::from_nanos(nanos)))
}

/// Whether process `pid` runs on this machine; `None` where that cannot be told (no `/proc`).
fn process_alive(pid: u32) -> Option<bool> {
    let proc_root = Path::new("/proc");
    if !proc_root.join("self").exists() {
        return None;
    }
    Some(proc_root.join(pid.to_string()).exists())
}

/// Whether the temporary folder named `name` can be removed at time `now`.
fn is_stale(name: &str, now: SystemTime) -> bool {
    let Some((pid, created)) = parse_pending_name(name) else {
        return false;
    };
    if pid == std::process::id() {
        return false;
    }
    // A creation time in the future (clock skew) reads as age zero: kept.
    let age = now.duration_since(created).unwrap_or(Duration::ZERO);
    if age < GRACE {
        return false;
    }
    age >= ABANDONED || process_alive(pid) == Some(false)
}

/// Removes the stale temporary folders in `price_dir` and returns them. Best effort: a folder
/// that cannot be removed stays (listing ignores it) and is not returned.
pub(crate) fn remove_stale_pending(price_dir: &Path, now: SystemTime) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(price_dir) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && is_stale(&name, now) && fs::remove_dir_all(entry.path()).is_ok() {
            removed.push(entry.path());
        }
    }
    removed.sort();
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_only_old_folders_of_dead_or_ancient_runs_are_stale() {
        let created = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let nanos = created.duration_since(UNIX_EPOCH).unwrap().as_nanos();
        let name = |pid: u32| format!(".tmp-{pid}-{nanos}-3");
        assert_eq!(parse_pending_name(&name(12)), Some((12, created)));
        for stray in [
            ".tmp-1-2",
            ".tmp-x-2-3",
            ".tmp-1-2-3-4",
            "tmp-1-2-3",
            ".claim-v3",
        ] {
            assert_eq!(parse_pending_name(stray), None, "{stray}");
        }
        let own = name(std::process::id());
        let after = |d: Duration| created + d;
        assert!(!is_stale(&own, after(ABANDONED * 2)), "never our own");
        // pid 1 is always alive where /proc exists.
        let live = name(1);
        assert!(!is_stale(&live, after(GRACE * 2)));
        assert!(is_stale(&live, after(ABANDONED)));
        assert!(
            !is_stale(&live, created - Duration::from_secs(60)),
            "future"
        );
    }
}
