//! `server`: serves Secure Routes, or runs an admin command. See `server --help`.

use std::process::ExitCode;

use clap::Parser;
use server::config::{Cli, Command};

#[tokio::main]
async fn main() -> ExitCode {
    auth::hash_pool::return_hash_memory_promptly();
    let cli = Cli::parse();
    server::telemetry::init(&cli.log_level);
    let settings = match cli.settings() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let result = match cli.command.clone().unwrap_or(Command::Serve) {
        Command::Serve => server::run(settings).await,
        Command::CreateAdmin(args) => server::commands::create_admin(settings, args).await,
        Command::RotateKeys => server::commands::rotate_keys(settings).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Plain stderr as well as the log: a failed start must be obvious to whoever ran it.
            eprintln!("error: {e:#}");
            tracing::error!(error = %e, "exiting");
            ExitCode::FAILURE
        }
    }
}
