//! The SQL of `MetaTx`: meta values (the master key's fingerprint, …) and the named
//! sequences that number applications and entities. Scalars only, so no row structs.

macro_rules! impl_meta_tx {
    ($DbTx:ident) => {
        mod meta {
            use domain::store::{MetaTx, StoreResult};

            use super::$DbTx;
            use $crate::error::map_err;

            #[async_trait::async_trait]
            impl MetaTx for $DbTx {
                async fn find_meta(&mut self, key: &str) -> StoreResult<Option<String>> {
                    sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
                        .bind(key)
                        .fetch_optional(self.c())
                        .await
                        .map_err(map_err)
                }

                async fn insert_meta(&mut self, key: &str, value: &str) -> StoreResult<()> {
                    sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2)")
                        .bind(key)
                        .bind(value)
                        .execute(self.c())
                        .await
                        .map_err(map_err)?;
                    Ok(())
                }

                async fn next_sequence(&mut self, name: &str) -> StoreResult<i64> {
                    sqlx::query_scalar("UPDATE sequences SET value = value + 1 WHERE name = $1 RETURNING value")
                        .bind(name)
                        .fetch_one(self.c())
                        .await
                        .map_err(map_err)
                }
            }
        }
    };
}
