//! The optional TOML configuration file (`--config` / `EA_CONFIG`). Precedence, highest
//! first: command-line flag, `EA_` environment variable, this file, built-in default. An
//! unknown key is an error, so a typo cannot silently leave a default in force.

use std::path::Path;

use anyhow::Context;
use clap::parser::ValueSource;
use clap::ArgMatches;
use serde::Deserialize;

use crate::cli::{Cli, Command};

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    database_url: Option<String>,
    key_file: Option<std::path::PathBuf>,
    listen: Option<String>,
    sms_sink: Option<String>,
    public_url: Option<String>,
    activation_code_ttl_secs: Option<i64>,
    password_min_chars: Option<usize>,
    trusted_proxies: Option<Vec<std::net::IpAddr>>,
    log_format: Option<String>,
    id_token_ttl_secs: Option<i64>,
    access_token_ttl_secs: Option<i64>,
    refresh_token_ttl_secs: Option<i64>,
    step_up_ttl_secs: Option<i64>,
    face_verifier: Option<Option<String>>,
    node_id: Option<Option<String>>,
}

fn defaulted(m: &ArgMatches, id: &str) -> bool {
    matches!(m.value_source(id), None | Some(ValueSource::DefaultValue))
}

/// Fills every setting still at its default from the file, then `*_FILE` secrets.
pub fn apply(cli: &mut Cli, matches: &ArgMatches) -> anyhow::Result<()> {
    let file = match &cli.common.config {
        Some(path) => read(path)?,
        None => ConfigFile::default(),
    };
    if defaulted(matches, "database_url") {
        if let Ok(path) = std::env::var("EA_DATABASE_URL_FILE") {
            // A URL with a password in it can come from a secrets mount instead of the environment.
            cli.common.database_url = std::fs::read_to_string(&path)
                .with_context(|| format!("reading EA_DATABASE_URL_FILE {path}"))?
                .trim()
                .to_string();
        } else if let Some(v) = file.database_url {
            cli.common.database_url = v;
        }
    }
    if defaulted(matches, "key_file") {
        if let Some(v) = file.key_file {
            cli.common.key_file = v;
        }
    }
    if let (Command::Serve(args), Some(("serve", m))) = (&mut cli.command, matches.subcommand()) {
        macro_rules! fill {
            ($($field:ident),*) => {$(
                if defaulted(m, stringify!($field)) {
                    if let Some(v) = file.$field {
                        args.$field = v;
                    }
                }
            )*};
        }
        fill!(
            listen,
            sms_sink,
            public_url,
            activation_code_ttl_secs,
            password_min_chars,
            trusted_proxies,
            log_format,
            id_token_ttl_secs,
            access_token_ttl_secs,
            refresh_token_ttl_secs,
            step_up_ttl_secs,
            face_verifier,
            node_id
        );
    }
    Ok(())
}

fn read(path: &Path) -> anyhow::Result<ConfigFile> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading the configuration file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("in the configuration file {}", path.display()))
}
