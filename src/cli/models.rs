//! `atb-gpu models list [SYMBOL]` and `atb-gpu models show SYMBOL [--version V]`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::registry::Registry;
use crate::{AtbError, Result};

/// Registry commands.
#[derive(Debug, Subcommand)]
pub enum ModelsCommand {
    /// List complete saved versions (of one symbol, or all); incomplete ones are named on
    /// stderr.
    List(ListArgs),
    /// Show one version: its files, configuration and test metrics.
    Show(ShowArgs),
}

/// Arguments of `models list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only this symbol.
    pub symbol: Option<String>,
    /// Registry root.
    #[arg(long, default_value = crate::registry::DEFAULT_ROOT)]
    pub models_dir: PathBuf,
}

/// Arguments of `models show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Trading pair.
    pub symbol: String,
    /// `latest`, a version name or `vN`.
    #[arg(long, default_value = "latest")]
    pub version: String,
    /// Registry root.
    #[arg(long, default_value = crate::registry::DEFAULT_ROOT)]
    pub models_dir: PathBuf,
}

fn read(path: &std::path::Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|source| AtbError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Runs `atb-gpu models ...`.
pub fn run(command: &ModelsCommand) -> Result<()> {
    match command {
        ModelsCommand::List(args) => {
            let registry = Registry::open(&args.models_dir)?;
            let versions = registry.list(args.symbol.as_deref())?;
            if versions.is_empty() {
                println!("no saved versions under {}", args.models_dir.display());
            }
            for v in versions {
                println!("{:<12} {:<24} {}", v.symbol, v.name, v.path.display());
            }
            for (v, reason) in registry.incomplete(args.symbol.as_deref())? {
                eprintln!("skipped incomplete version {}: {reason}", v.path.display());
            }
            Ok(())
        }
        ModelsCommand::Show(args) => {
            let version = Registry::open(&args.models_dir)?.resolve(&args.symbol, &args.version)?;
            println!(
                "{} {} at {}",
                version.symbol,
                version.name,
                version.path.display()
            );
            let mut files: Vec<String> = std::fs::read_dir(&version.path)
                .map_err(|source| AtbError::Io {
                    path: version.path.clone(),
                    source,
                })?
                .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
                .collect();
            files.sort();
            println!("files: {}", files.join(", "));
            for name in ["config.json", "metrics.json"] {
                let path = version.path.join(name);
                if path.exists() {
                    println!("--- {name}\n{}", read(&path)?);
                }
            }
            Ok(())
        }
    }
}
