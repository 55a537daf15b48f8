//! The `atb-gpu` binary: parses the command line and reports errors without panicking.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = atb_gpu::cli::Cli::parse();
    match atb_gpu::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}
