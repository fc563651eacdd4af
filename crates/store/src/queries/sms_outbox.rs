//! The SQL of `SmsOutboxTx`: queued messages, leased through `outbox::lease_sql` like the
//! back-channel logouts, delivered in order per number; `OutboxRow` is converted here only.

use domain::clock::Timestamp;
use domain::model::OutboxRecord;

/// What a lease returns of each message.
pub(crate) const LEASED_COLS: &str = "id, payload_sealed, attempts, created_at";

#[derive(sqlx::FromRow)]
pub(crate) struct OutboxRow {
    id: i64,
    /// Wiped once delivered; a leased message is undelivered, so it still has it.
    payload_sealed: Option<Vec<u8>>,
    attempts: i64,
    created_at: i64,
}

impl From<OutboxRow> for OutboxRecord {
    fn from(r: OutboxRow) -> Self {
        OutboxRecord {
            id: r.id,
            payload_sealed: r.payload_sealed.unwrap_or_default(),
            attempts: r.attempts,
            created_at: Timestamp(r.created_at),
        }
    }
}

/// `(undelivered messages, when the oldest of them was queued)`.
pub(crate) type BacklogRow = (i64, Option<i64>);

macro_rules! impl_sms_outbox_tx {
    ($DbTx:ident, $skip_locked:literal) => {
        mod sms_outbox {
            use domain::clock::Timestamp;
            use domain::model::OutboxRecord;
            use domain::store::{SmsOutboxTx, StoreResult};

            use super::$DbTx;
            use $crate::error::map_err;
            use $crate::outbox::lease_sql;
            use $crate::queries::sms_outbox::{BacklogRow, OutboxRow, LEASED_COLS};

            #[async_trait::async_trait]
            impl SmsOutboxTx for $DbTx {
                async fn insert_sms(&mut self, payload: &[u8], recipient_key: &str, at: Timestamp) -> StoreResult<i64> {
                    sqlx::query_scalar(
                        "INSERT INTO sms_outbox (payload_sealed, recipient_key, created_at, next_attempt_at, attempts) \
                         VALUES ($1, $2, $3, $3, 0) RETURNING id",
                    )
                    .bind(payload)
                    .bind(recipient_key)
                    .bind(at.0)
                    .fetch_one(self.c())
                    .await
                    .map_err(map_err)
                }

                async fn lease_sms(
                    &mut self,
                    now: Timestamp,
                    lease_until: Timestamp,
                    owner: &str,
                    limit: i64,
                ) -> StoreResult<Vec<OutboxRecord>> {
                    let sql = lease_sql("sms_outbox", LEASED_COLS, $skip_locked);
                    let rows: Vec<OutboxRow> = sqlx::query_as(&sql)
                        .bind(owner)
                        .bind(lease_until.0)
                        .bind(now.0)
                        .bind(limit)
                        .fetch_all(self.c())
                        .await
                        .map_err(map_err)?;
                    let mut out: Vec<OutboxRecord> = rows.into_iter().map(Into::into).collect();
                    out.sort_by_key(|o| o.id);
                    Ok(out)
                }

                async fn mark_sms_delivered(&mut self, id: i64, owner: &str, at: Timestamp) -> StoreResult<()> {
                    sqlx::query(
                        "UPDATE sms_outbox SET delivered_at = $1, payload_sealed = NULL, lease_until = NULL, last_error = NULL \
                         WHERE id = $2 AND lease_owner = $3",
                    )
                    .bind(at.0)
                    .bind(id)
                    .bind(owner)
                    .execute(self.c())
                    .await
                    .map_err(map_err)?;
                    Ok(())
                }

                async fn sms_waits_for_earlier(&mut self, id: i64) -> StoreResult<bool> {
                    // Only whether a row exists matters; nothing of it is read.
                    let row = sqlx::query(
                        "SELECT 1 AS one FROM sms_outbox m JOIN sms_outbox e ON e.recipient_key = m.recipient_key \
                         WHERE m.id = $1 AND e.id < m.id AND e.delivered_at IS NULL LIMIT 1",
                    )
                    .bind(id)
                    .fetch_optional(self.c())
                    .await
                    .map_err(map_err)?;
                    Ok(row.is_some())
                }

                async fn release_sms_leases(&mut self, owner: &str) -> StoreResult<u64> {
                    let done = sqlx::query(
                        "UPDATE sms_outbox SET lease_until = NULL WHERE lease_owner = $1 AND delivered_at IS NULL AND lease_until IS NOT NULL",
                    )
                    .bind(owner)
                    .execute(self.c())
                    .await
                    .map_err(map_err)?;
                    Ok(done.rows_affected())
                }

                async fn mark_sms_retry(&mut self, id: i64, owner: &str, next: Timestamp, error: &str) -> StoreResult<()> {
                    sqlx::query(
                        "UPDATE sms_outbox SET next_attempt_at = $1, lease_until = NULL, last_error = $2 WHERE id = $3 AND lease_owner = $4",
                    )
                    .bind(next.0)
                    .bind(error)
                    .bind(id)
                    .bind(owner)
                    .execute(self.c())
                    .await
                    .map_err(map_err)?;
                    Ok(())
                }

                async fn sms_backlog(&mut self) -> StoreResult<(i64, Option<Timestamp>)> {
                    let (n, oldest): BacklogRow = sqlx::query_as(
                        "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM sms_outbox WHERE delivered_at IS NULL",
                    )
                    .fetch_one(self.c())
                    .await
                    .map_err(map_err)?;
                    Ok((n, oldest.map(Timestamp)))
                }
            }
        }
    };
}
