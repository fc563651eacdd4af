//! Test-only helpers shared by every crate's suites: a fresh PostgreSQL database per test,
//! dropped when the test ends. Never a dependency of production code.

use sqlx::Connection;

/// A database of its own for one test, beside the one `EA_TEST_POSTGRES_URL` names.
pub struct PgTestDb {
    pub url: String,
    base: String,
    name: String,
}

impl PgTestDb {
    /// `None` when `EA_TEST_POSTGRES_URL` is unset — unless `EA_REQUIRE_POSTGRES` is set
    /// (as in CI), when a PostgreSQL variant must not skip.
    pub async fn create(prefix: &str) -> Option<PgTestDb> {
        let Ok(base) = std::env::var("EA_TEST_POSTGRES_URL") else {
            assert!(
                std::env::var("EA_REQUIRE_POSTGRES").is_err(),
                "EA_REQUIRE_POSTGRES is set but EA_TEST_POSTGRES_URL is not"
            );
            eprintln!("EA_TEST_POSTGRES_URL not set: PostgreSQL run skipped");
            return None;
        };
        let name = format!("ea_{prefix}_{}", uuid::Uuid::new_v4().simple());
        let mut conn = sqlx::PgConnection::connect(&base).await.expect("EA_TEST_POSTGRES_URL connects");
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create the test database");
        let (stem, _) = base.rsplit_once('/').expect("a database URL ends in /NAME");
        Some(PgTestDb { url: format!("{stem}/{name}"), base, name })
    }
}

impl Drop for PgTestDb {
    fn drop(&mut self) {
        let (base, name) = (self.base.clone(), self.name.clone());
        // Drop runs inside the test's runtime; the cleanup gets a runtime of its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            rt.block_on(async {
                if let Ok(mut c) = sqlx::PgConnection::connect(&base).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut c).await;
                }
            });
        })
        .join();
    }
}
