//! The `trove` binary: parse the command line, load settings, dispatch.

use clap::Parser;
use std::process::ExitCode;
use trove::cli::{Cli, Command, ServeArgs};
use trove::config::{Overrides, Settings};

#[global_allocator]
static ALLOC: trove::alloc::MiMalloc = trove::alloc::MiMalloc;

fn main() -> ExitCode {
    trove::alloc::purge_freed_memory_at_once();
    let cli = Cli::parse();
    let serve_args = match &cli.command {
        Some(Command::Serve(a)) => Some(a),
        None => Some(&ServeArgs { bind: None, log_level: None }),
        _ => None,
    };
    let overrides = Overrides {
        bind: serve_args.and_then(|a| a.bind.clone()),
        data_dir: cli.data_dir.clone(),
        log_level: serve_args.and_then(|a| a.log_level.clone()),
    };
    let result = match &cli.command {
        Some(Command::PrintConfig) => {
            print!("{}", trove::config::EXAMPLE_CONFIG);
            Ok(())
        }
        command => Settings::load(cli.config.as_deref(), &overrides).and_then(|settings| match command {
            Some(Command::User(cmd)) => trove::commands::user(&settings, cmd),
            Some(Command::Backup { file }) => trove::commands::backup(&settings, file),
            Some(Command::Restore { file }) => trove::commands::restore(&settings, file),
            Some(Command::Export { file, with_password_hashes }) => {
                trove::commands::dump::export(&settings, file, *with_password_hashes)
            }
            Some(Command::Import { file }) => trove::commands::dump::import(&settings, file),
            Some(Command::Migrate(args)) => trove::commands::migrate(&settings, args),
            _ => trove::commands::serve(settings),
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("trove: {e}");
            ExitCode::FAILURE
        }
    }
}
