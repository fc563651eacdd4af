//! The benchmark runner (issue 6): builds and spawns the real server on a fresh database,
//! drives it with its own closed-loop client, and writes `BENCHMARKS.md` with every figure
//! beside the baseline measured in the same run, their ratio and the target.
//!
//! `cargo run --release -p bench -- all` (SQLite), `… -- all --database-url postgres://…/empty_db`,
//! `… -- all --smoke` (a second a figure, asserts that every figure was produced).

mod load;
mod report;
mod server;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};

use load::{closed_loop, hashes_per_second, MakeRequest};
use report::Figure;
use server::Server;

#[derive(Parser)]
#[command(about = "Entity Account benchmarks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Every figure, written to BENCHMARKS.md (or --out).
    All {
        /// An empty PostgreSQL database to run on; SQLite in a temporary folder otherwise.
        #[arg(long)]
        database_url: Option<String>,
        /// Seconds each figure is driven for.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// A second a figure; checks only that every figure was produced.
        #[arg(long)]
        smoke: bool,
        #[arg(long, default_value = "BENCHMARKS.md")]
        out: PathBuf,
    },
}

/// The server binary beside this one, built with the same profile first.
fn server_binary() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let dir = exe.parent().context("the runner's folder")?.to_path_buf();
    let release = dir.ends_with("release");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut build = std::process::Command::new(cargo);
    build.args(["build", "-p", "app", "--bin", "entity-account"]);
    if release {
        build.arg("--release");
    }
    if !build.status()?.success() {
        bail!("building entity-account failed");
    }
    Ok(dir.join("entity-account"))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let Command::All { database_url, seconds, smoke, out } = Cli::parse().command;
    let duration = Duration::from_secs(if smoke { 1 } else { seconds });
    let bin = server_binary()?;
    let backend = if database_url.is_some() { "PostgreSQL" } else { "SQLite" };
    let s = Server::start(&bin, database_url.as_deref()).await?;
    let http = s.http.clone();
    let base = s.base.clone();
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    let mut figures = Vec::new();

    // The baseline of the fast paths: the cheapest route, same server, same client.
    let healthz: MakeRequest = {
        let url = format!("{base}/healthz");
        Arc::new(move |c| c.get(&url))
    };
    let h = closed_loop(&http, healthz, 200, 16, duration).await;
    let baseline = ("GET /healthz", h.per_second());

    let me: MakeRequest = {
        let (url, token) = (format!("{base}/api/v1/me"), s.session.clone());
        Arc::new(move |c| c.get(&url).bearer_auth(&token))
    };
    let run = closed_loop(&http, me, 200, 16, duration).await;
    figures.push(Figure::ratio("GET /api/v1/me with a session (req/s, c=16)", &run, baseline, 0.5));

    let access = s.client_token().await?;
    let introspect: MakeRequest = {
        let (url, id, secret, token) =
            (format!("{base}/oidc/introspect"), s.client_id.clone(), s.client_secret.clone(), access);
        Arc::new(move |c| c.post(&url).basic_auth(&id, Some(&secret)).form(&[("token", token.as_str())]))
    };
    let run = closed_loop(&http, introspect, 200, 16, duration).await;
    figures.push(Figure::ratio("OIDC token introspection (req/s, c=16)", &run, baseline, 0.5));

    let client_credentials: MakeRequest = {
        let (url, id, secret) = (format!("{base}/oidc/token"), s.client_id.clone(), s.client_secret.clone());
        Arc::new(move |c| c.post(&url).basic_auth(&id, Some(&secret)).form(&[("grant_type", "client_credentials")]))
    };
    let run = closed_loop(&http, client_credentials, 200, 16, duration).await;
    figures.push(Figure::ratio("OIDC client_credentials token issuance (req/s, c=16)", &run, baseline, 0.08));

    // Logins against what Argon2id alone does on these cores, measured just before.
    let hash_rate = tokio::task::spawn_blocking(move || hashes_per_second(cores, duration)).await?;
    let login: MakeRequest = {
        let (url, body) = (format!("{base}/api/v1/login"), s.login_body());
        Arc::new(move |c| c.post(&url).json(&body))
    };
    let run = closed_loop(&http, login, 200, 8, duration).await;
    let hash_baseline = ("Argon2id hashes alone, same parameters and cores", hash_rate);
    figures.push(Figure::ratio("Password logins over HTTP (logins/s, c=8)", &run, hash_baseline, 0.85));

    let mode = if smoke { "smoke (1 s a figure; values are not meaningful)" } else { "full" };
    let text = report::markdown(backend, mode, cores, baseline, &figures);
    std::fs::write(&out, text).with_context(|| format!("writing {}", out.display()))?;
    println!("wrote {}", out.display());
    for f in &figures {
        println!(
            "{}: {:.0} (baseline {:.0}, ratio {:.3}, target {})",
            f.name, f.value, f.baseline.1, f.ratio, f.target
        );
    }
    if smoke {
        // The smoke run proves the suite still produces every figure, not what they are.
        for f in &figures {
            if f.requests == 0 || f.errors > 0 || !f.value.is_finite() || f.baseline.1 <= 0.0 {
                bail!("figure not produced: {} ({} requests, {} errors)", f.name, f.requests, f.errors);
            }
        }
    }
    Ok(())
}
