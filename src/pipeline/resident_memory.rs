//! The process's resident memory, from `/proc/self/status` (Linux): current (`VmRSS`) and peak
//! (`VmHWM`). Elsewhere both are unknown (`None`), and reports say so.

/// The value of `field` (e.g. `VmHWM`) in `/proc/self/status` text, in bytes.
fn status_bytes(status: &str, field: &str) -> Option<u64> {
    let line = status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))?;
    let mut parts = line.split_whitespace();
    let kib: u64 = parts.next()?.parse().ok()?;
    (parts.next() == Some("kB")).then_some(kib * 1024)
}

fn read_status(field: &str) -> Option<u64> {
    status_bytes(&std::fs::read_to_string("/proc/self/status").ok()?, field)
}

/// Bytes resident now, if the system tells.
pub fn resident_bytes() -> Option<u64> {
    read_status("VmRSS")
}

/// The most bytes resident at once since the process started, if the system tells.
pub fn peak_resident_bytes() -> Option<u64> {
    read_status("VmHWM")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_read_in_kib_and_anything_else_is_unknown() {
        let status = "Name:\tatb-gpu\nVmHWM:\t  123456 kB\nVmRSS:\t    2048 kB\nVmX:\t12\n";
        assert_eq!(status_bytes(status, "VmHWM"), Some(123_456 * 1024));
        assert_eq!(status_bytes(status, "VmRSS"), Some(2 * 1024 * 1024));
        assert_eq!(status_bytes(status, "VmX"), None, "no unit");
        assert_eq!(status_bytes(status, "VmSwap"), None);
        if std::path::Path::new("/proc/self/status").exists() {
            let (now, peak) = (resident_bytes().unwrap(), peak_resident_bytes().unwrap());
            assert!(now > 0 && peak >= now, "{now} {peak}");
        }
    }
}
