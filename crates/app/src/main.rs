//! `entity-account`: the one binary. Parses the command line and hands each subcommand its
//! typed configuration; `wiring.rs` builds the services, `serve.rs` runs the server.

mod backup;
mod cli;
mod config_file;
mod eservice_cli;
mod keys;
mod mobile_app;
mod serve;
mod wiring;

use std::io::Read;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use cli::{AuditCommand, Cli, Command, OperatorCommand};

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    if let Err(e) = config_file::apply(&mut cli, &matches) {
        eprintln!("entity-account: {e:#}");
        return ExitCode::from(2);
    }
    // Named so that `top -H` and `perf` tell the server's workers from a client's beside it.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .thread_name("ea-worker")
        .enable_all()
        .build()
        .expect("tokio runtime");
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("entity-account: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve(args) => {
            serve::init_tracing(&args.log_format);
            serve::run(&cli.common, args).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            store::open(&cli.common.database_url).await?;
            println!("migrations applied");
            Ok(ExitCode::SUCCESS)
        }
        Command::Operator { command: OperatorCommand::Add { username, password_stdin } } => {
            if !password_stdin {
                anyhow::bail!("give the password on standard input with --password-stdin");
            }
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password)?;
            let password = password.trim_end_matches(['\n', '\r']);
            let w = wiring::build(&cli.common, domain::config::Policy::default()).await?;
            match w.services.create_operator(&username, password).await {
                Ok(id) => {
                    println!("operator {username} created (id {id})");
                    Ok(ExitCode::SUCCESS)
                }
                Err(domain::Error::Validation(errors)) => {
                    for e in errors {
                        eprintln!("{}: {}", e.field, e.message);
                    }
                    Ok(ExitCode::from(2))
                }
                Err(e) => Err(e.into()),
            }
        }
        Command::Backup { path } => backup::backup(&cli.common, &path).await,
        Command::Restore { path } => backup::restore(&cli.common, &path).await,
        Command::Eservice { command } => eservice_cli::eservice(&cli.common, command).await,
        Command::Oidc { command } => eservice_cli::oidc(&cli.common, command).await,
        // A client of the public API: no services, no database.
        Command::App(args) => Ok(mobile_app::run(args).await),
        Command::Audit { command: AuditCommand::Verify } => {
            let w = wiring::build(&cli.common, domain::config::Policy::default()).await?;
            let mut tx = w.services.store.read().await?;
            match domain::audit::verify(tx.as_mut(), &w.services.vault).await {
                Ok(n) => {
                    println!("audit log verified: {n} records, checkpoint matches");
                    Ok(ExitCode::SUCCESS)
                }
                Err(domain::audit::VerifyOutcome::Invalid(e)) => {
                    eprintln!("audit log INVALID: {e}");
                    Ok(ExitCode::FAILURE)
                }
                Err(domain::audit::VerifyOutcome::Store(e)) => Err(e.into()),
            }
        }
    }
}
