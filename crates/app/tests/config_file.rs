//! The configuration file: read when given, overridden by `EA_` variables and flags, and a
//! typo in it is an error naming the key.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_entity-account");

fn run(dir: &std::path::Path, env: &[(&str, String)], args: &[&str]) -> std::process::Output {
    let mut c = Command::new(BIN);
    c.current_dir(dir).env_remove("EA_DATABASE_URL").env_remove("EA_KEY_FILE").env_remove("EA_CONFIG");
    for (k, v) in env {
        c.env(k, v);
    }
    c.args(args).output().unwrap()
}

#[test]
fn config_file_is_read_and_variables_and_flags_override_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let config = d.join("ea.toml");
    std::fs::write(
        &config,
        format!("database_url = \"sqlite://{}/from-file.db\"\nlisten = \"127.0.0.1:9\"\n", d.display()),
    )
    .unwrap();
    let cfg = config.to_str().unwrap();

    let out = run(d, &[], &["--config", cfg, "migrate"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(d.join("from-file.db").exists());

    let out =
        run(d, &[("EA_DATABASE_URL", format!("sqlite://{}/from-env.db", d.display()))], &["--config", cfg, "migrate"]);
    assert!(out.status.success());
    assert!(d.join("from-env.db").exists());

    let flag = format!("sqlite://{}/from-flag.db", d.display());
    let out = run(
        d,
        &[("EA_DATABASE_URL", format!("sqlite://{}/from-env2.db", d.display()))],
        &["--config", cfg, "--database-url", &flag, "migrate"],
    );
    assert!(out.status.success());
    assert!(d.join("from-flag.db").exists() && !d.join("from-env2.db").exists());
}

#[test]
fn an_unknown_key_in_the_config_file_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("ea.toml");
    std::fs::write(&config, "databse_url = \"sqlite://x.db\"\n").unwrap();
    let out = run(dir.path(), &[], &["--config", config.to_str().unwrap(), "migrate"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("databse_url"), "{err}");
    assert!(!dir.path().join("x.db").exists());
}
