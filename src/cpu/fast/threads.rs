//! The rayon thread pool of the fast CPU path: sized once at start-up by `--threads`.

use crate::{AtbError, Result};

/// Sizes the global rayon pool to `threads` (`None`: one per logical core). Call it before any
/// computation; once the pool runs, asking for another size is an error.
pub fn configure(threads: Option<usize>) -> Result<()> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        if n == 0 {
            return Err(AtbError::Config(
                "--threads must be at least 1 (omit it to use every core)".to_string(),
            ));
        }
        builder = builder.num_threads(n);
    }
    match builder.build_global() {
        Ok(()) => Ok(()),
        // Already started (a second command in one process): fine unless the size differs.
        Err(_) if threads.is_none_or(|n| n == current()) => Ok(()),
        Err(e) => Err(AtbError::Config(format!(
            "cannot start {} CPU threads: {e}",
            threads.unwrap_or_default()
        ))),
    }
}

/// The number of threads the fast path runs on.
pub fn current() -> usize {
    rayon::current_num_threads()
}

/// Splits `items` into at most `pieces` nearly equal parts; returns the part length (≥ 1).
pub fn part_len(items: usize, pieces: usize) -> usize {
    items.div_ceil(pieces.max(1)).max(1)
}
