use std::process::ExitCode;

use clap::{Parser, Subcommand};
use woosync::config::Config;
use woosync::{database, telemetry};

/// Keeps a faithful, always-fresh copy of WooCommerce stores in a SQL database.
#[derive(Parser)]
#[command(name = "woosync", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply the database migrations (the release step); safe to run twice.
    Migrate,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("woosync: configuration error: {error}");
            return ExitCode::from(2);
        }
    };
    telemetry::init_logging(config.log_format);
    let result = match cli.command {
        Command::Migrate => migrate(&config).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn migrate(config: &Config) -> anyhow::Result<()> {
    let url = database::database_url(config)?;
    let db = database::connect_url(&url).await?;
    let applied = database::migrate(&db).await?;
    tracing::info!(
        database = %database::redact_password(&url),
        applied,
        "database schema is up to date"
    );
    Ok(())
}
