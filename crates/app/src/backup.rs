//! `entity-account backup PATH` and `restore PATH`. A backup is taken online and is one
//! consistent snapshot: SQLite's `VACUUM INTO` on SQLite, `pg_dump` (custom format, one
//! snapshot) on PostgreSQL. The master key is not in it: it must be kept apart (whoever holds
//! both holds everyone's personal data). A restore goes only into an empty target, then
//! migrates and verifies the whole audit chain with the configured key, so a backup restored
//! with the wrong key, or altered, is reported rather than served.

use std::path::Path;
use std::process::{Command, ExitCode};

use anyhow::{bail, ensure, Context};
use store::Backend;

use crate::cli::Common;
use crate::wiring;

pub async fn backup(common: &Common, dest: &Path) -> anyhow::Result<ExitCode> {
    ensure!(!dest.exists(), "{} exists already; a backup never overwrites a file", dest.display());
    let url = &common.database_url;
    match Backend::of(url) {
        Some(Backend::Sqlite) => {
            ensure!(
                Path::new(store::sqlite::file_path(url)).exists(),
                "there is no database at {}",
                store::sqlite::file_path(url)
            );
            store::sqlite::vacuum_into(url, dest).await.context("VACUUM INTO")?;
        }
        Some(Backend::Postgres) => {
            let dest = dest.to_str().context("the backup path must be UTF-8")?;
            pg_tool("pg_dump", url, &["--format=custom", "--no-owner", "--no-privileges", "--file", dest])?;
        }
        None => bail!("unsupported database URL"),
    }
    println!("backup written to {} (the master key is not in it: keep it apart)", dest.display());
    Ok(ExitCode::SUCCESS)
}

pub async fn restore(common: &Common, src: &Path) -> anyhow::Result<ExitCode> {
    ensure!(src.is_file(), "no backup at {}", src.display());
    ensure!(
        common.key_file.exists(),
        "the key file {} is missing: restore it first (the backup's data is sealed with it)",
        common.key_file.display()
    );
    let url = &common.database_url;
    match Backend::of(url) {
        Some(Backend::Sqlite) => {
            let target = Path::new(store::sqlite::file_path(url));
            ensure!(!target.exists(), "{} exists: a restore goes only into a new database file", target.display());
            if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            }
            // Copied beside the target and renamed: no half-copied database is ever at the path.
            let partial = target.with_extension("restoring");
            std::fs::copy(src, &partial).with_context(|| format!("copying to {}", partial.display()))?;
            std::fs::File::open(&partial)?.sync_all()?;
            std::fs::rename(&partial, target)?;
        }
        Some(Backend::Postgres) => {
            ensure!(
                store::postgres::is_empty(url).await?,
                "the database is not empty: a restore goes only into an empty one"
            );
            let src = src.to_str().context("the backup path must be UTF-8")?;
            pg_tool(
                "pg_restore",
                url,
                &["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", src],
            )?;
        }
        None => bail!("unsupported database URL"),
    }
    // Opening migrates a backup taken by an older version; then the chain must verify.
    let w = wiring::build(common, domain::config::Policy::default()).await?;
    let mut tx = w.services.store.read().await?;
    match domain::audit::verify(tx.as_mut(), &w.services.vault).await {
        Ok(n) => {
            println!("restored; audit log verified: {n} records, checkpoint matches");
            Ok(ExitCode::SUCCESS)
        }
        Err(domain::audit::VerifyOutcome::Invalid(e)) => {
            eprintln!("restored, but the audit log is INVALID: {e}");
            Ok(ExitCode::FAILURE)
        }
        Err(domain::audit::VerifyOutcome::Store(e)) => Err(e.into()),
    }
}

/// Runs `pg_dump`/`pg_restore` against the database URL; the password goes in the
/// environment, not on the command line, where other users of the machine could read it.
fn pg_tool(tool: &str, url: &str, args: &[&str]) -> anyhow::Result<()> {
    let mut parsed = reqwest::Url::parse(url).context("the database URL")?;
    let password = parsed.password().map(|p| percent_encoding::percent_decode_str(p).decode_utf8_lossy().into_owned());
    let _ = parsed.set_password(None);
    let mut cmd = Command::new(tool);
    cmd.args(args).arg("--dbname").arg(parsed.as_str());
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
    let status = cmd.status().with_context(|| format!("running {tool} (install the PostgreSQL client tools)"))?;
    ensure!(status.success(), "{tool} failed ({status})");
    Ok(())
}
