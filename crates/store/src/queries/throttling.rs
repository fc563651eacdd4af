//! The SQL of `ThrottlesTx`: throttling counters by key, read into `ThrottleRow` and
//! converted into the domain's `ThrottleRecord` here only.

use domain::clock::Timestamp;
use domain::model::ThrottleRecord;

#[derive(sqlx::FromRow)]
pub(crate) struct ThrottleRow {
    key: String,
    failures: i64,
    last_failure_at: i64,
    blocked_until: i64,
}

impl From<ThrottleRow> for ThrottleRecord {
    fn from(r: ThrottleRow) -> Self {
        ThrottleRecord {
            key: r.key,
            failures: r.failures,
            last_failure_at: Timestamp(r.last_failure_at),
            blocked_until: Timestamp(r.blocked_until),
        }
    }
}

macro_rules! impl_throttles_tx {
    ($DbTx:ident) => {
        mod throttling {
            use domain::model::ThrottleRecord;
            use domain::store::{StoreResult, ThrottlesTx};

            use super::$DbTx;
            use $crate::error::map_err;
            use $crate::queries::throttling::ThrottleRow;

            #[async_trait::async_trait]
            impl ThrottlesTx for $DbTx {
                async fn find_throttle(&mut self, key: &str) -> StoreResult<Option<ThrottleRecord>> {
                    let row: Option<ThrottleRow> = sqlx::query_as(
                        "SELECT key, failures, last_failure_at, blocked_until FROM throttles WHERE key = $1",
                    )
                    .bind(key)
                    .fetch_optional(self.c())
                    .await
                    .map_err(map_err)?;
                    Ok(row.map(Into::into))
                }

                async fn upsert_throttle(&mut self, t: &ThrottleRecord) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO throttles (key, failures, last_failure_at, blocked_until) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, last_failure_at = excluded.last_failure_at, \
                         blocked_until = excluded.blocked_until",
                    )
                    .bind(&t.key)
                    .bind(t.failures)
                    .bind(t.last_failure_at.0)
                    .bind(t.blocked_until.0)
                    .execute(self.c())
                    .await
                    .map_err(map_err)?;
                    Ok(())
                }

                async fn delete_throttle(&mut self, key: &str) -> StoreResult<()> {
                    sqlx::query("DELETE FROM throttles WHERE key = $1")
                        .bind(key)
                        .execute(self.c())
                        .await
                        .map_err(map_err)?;
                    Ok(())
                }
            }
        }
    };
}
