//! Builds the domain services from the configuration: store, master key, hash pool, clock.

use std::sync::Arc;

use anyhow::Context;
use domain::clock::SystemClock;
use domain::config::Policy;
use domain::crypto::Vault;
use domain::password_hash::HashParams;
use domain::Services;
use server::hashing::Argon2Pool;
use tokio::sync::Notify;

use crate::cli::Common;
use crate::keys;

pub struct Wired {
    pub services: Arc<Services>,
    /// The same pool as `services.hasher`, for its figures at `/metrics`.
    pub hash_pool: Arc<Argon2Pool>,
    pub sms_wake: Arc<Notify>,
}

pub async fn build(common: &Common, policy: Policy) -> anyhow::Result<Wired> {
    let store = store::open(&common.database_url).await.context("opening the database")?;
    let fingerprint = {
        let mut tx = store.read().await?;
        tx.find_meta("master_key_fingerprint").await?
    };
    let key = match keys::load_or_create(&common.key_file, fingerprint.is_none())? {
        keys::Loaded::Existing(k) | keys::Loaded::Created(k) => k,
    };
    let vault = Arc::new(Vault::new(&key)?);
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    let sms_wake = Arc::new(Notify::new());
    let wake = sms_wake.clone();
    // Building the pool computes one hash (the dummy for unknown usernames): off the runtime too.
    let hash_pool = Arc::new(tokio::task::spawn_blocking(move || Argon2Pool::new(HashParams::OWASP, workers)).await?);
    let services = Arc::new(Services {
        store,
        hasher: hash_pool.clone(),
        clock: Arc::new(SystemClock),
        vault,
        policy,
        sms_queued: Arc::new(move || wake.notify_one()),
        issue_queue: Default::default(),
    });
    services.check_master_key().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Wired { services, hash_pool, sms_wake })
}
