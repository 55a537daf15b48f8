//! The `atb-gpu` binary: parses the command line and reports errors without panicking.

use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

/// Restores the default SIGPIPE action, so `atb-gpu ... | head` ends quietly like other
/// command-line tools instead of failing on a closed pipe.
fn exit_quietly_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: called once at start-up, before any other thread exists; SIG_DFL is a valid action.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn main() -> ExitCode {
    let process_start = Instant::now();
    exit_quietly_on_closed_pipe();
    let cli = atb_gpu::cli::Cli::parse();
    match atb_gpu::cli::run(cli, process_start) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}
