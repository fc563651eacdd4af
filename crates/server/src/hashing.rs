//! The password-hash pool: Argon2id runs on blocking threads, never on the async workers,
//! and at most one hash per core runs at once, so a login flood cannot starve the rest.

use std::sync::Arc;

use domain::credentials::Password;
use domain::password_hash::{HashParams, PasswordHasher};
use tokio::sync::Semaphore;

pub struct Argon2Pool {
    params: HashParams,
    permits: Arc<Semaphore>,
    /// A real hash of a random password, verified when there is no stored hash to verify,
    /// so unknown usernames cost the same time as wrong passwords.
    dummy: String,
}

impl Argon2Pool {
    pub fn new(params: HashParams, workers: usize) -> Self {
        let dummy = params.hash(&Password::for_login(&domain::crypto::random_token()));
        Argon2Pool { params, permits: Arc::new(Semaphore::new(workers.max(1))), dummy }
    }

    async fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> T {
        let _permit = self.permits.acquire().await.expect("the semaphore is never closed");
        tokio::task::spawn_blocking(f).await.expect("the hash task does not panic")
    }
}

#[async_trait::async_trait]
impl PasswordHasher for Argon2Pool {
    async fn hash(&self, password: Password) -> String {
        let params = self.params;
        self.run(move || params.hash(&password)).await
    }

    async fn verify(&self, password: Password, phc: String) -> bool {
        self.run(move || HashParams::verify(&password, &phc)).await
    }

    async fn verify_dummy(&self, password: Password) {
        let phc = self.dummy.clone();
        self.run(move || HashParams::verify(&password, &phc)).await;
    }
}
