//! The `atb-gpu` binary: parses the command line and reports errors without panicking.

use std::path::Path;
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

/// Mesa's Vulkan device-select layer connects to a Wayland display while adapters are listed;
/// without a session (`XDG_RUNTIME_DIR` unset or not a folder) libwayland then prints
/// `error: XDG_RUNTIME_DIR is invalid or not set in the environment.` twice on every command.
/// atb-gpu chooses adapters itself, so in that case the layer is turned off
/// (`NODEVICE_SELECT=1`) unless the user set that variable.
fn quiet_gpu_probe_without_a_session() {
    let session = std::env::var_os("XDG_RUNTIME_DIR").is_some_and(|dir| Path::new(&dir).is_dir());
    if !session && std::env::var_os("NODEVICE_SELECT").is_none() {
        // SAFETY: called once at start-up, before any other thread exists.
        unsafe {
            std::env::set_var("NODEVICE_SELECT", "1");
        }
    }
}

fn main() -> ExitCode {
    let process_start = Instant::now();
    exit_quietly_on_closed_pipe();
    quiet_gpu_probe_without_a_session();
    let cli = atb_gpu::cli::Cli::parse();
    match atb_gpu::cli::run(cli, process_start) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}
