//! The master key file: 64 hex characters, created with mode 0600 on first start. A
//! database that already holds data refuses to start without its key.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use zeroize::Zeroizing;

pub enum Loaded {
    Existing(Zeroizing<Vec<u8>>),
    Created(Zeroizing<Vec<u8>>),
}

pub fn load_or_create(path: &Path, may_create: bool) -> anyhow::Result<Loaded> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let bytes = Zeroizing::new(hex::decode(text.trim()).context("the key file must hold 64 hex characters")?);
            anyhow::ensure!(bytes.len() == 32, "the key file must hold 32 bytes (64 hex characters)");
            Ok(Loaded::Existing(bytes))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            anyhow::ensure!(
                may_create,
                "the key file {} is missing, but the database already holds data sealed with a key; restore the key file",
                path.display()
            );
            let key = domain::crypto::Vault::generate_master_key();
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            }
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
            let mut f = opts.open(path).with_context(|| format!("creating {}", path.display()))?;
            f.write_all(hex::encode(key.as_ref()).as_bytes())?;
            f.sync_all()?;
            Ok(Loaded::Created(Zeroizing::new(key.to_vec())))
        }
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}
