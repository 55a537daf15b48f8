//! The registry's mapping of I/O failures to errors that name the path.

/// Maps a `std::io::Error` on `path` to [`AtbError::Io`](crate::AtbError::Io).
pub(crate) fn io_at(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> crate::AtbError + '_ {
    move |source| crate::AtbError::Io {
        path: path.to_path_buf(),
        source,
    }
}
