//! The SQL of `AuditTx`: the audit log's rows and the head row of its hash chain, read
//! into `AuditLogRow` and `AuditHeadRow` and converted into the domain's records here only.

use domain::clock::Timestamp;
use domain::model::{AuditHead, AuditRow};

pub(crate) const AUDIT_COLS: &str =
    "seq, at, actor, entity_id, action, target, result, detail, source, prev_hash, hash";

#[derive(sqlx::FromRow)]
pub(crate) struct AuditLogRow {
    seq: i64,
    at: i64,
    actor: String,
    entity_id: Option<i64>,
    action: String,
    target: Option<String>,
    result: String,
    detail: String,
    source: String,
    prev_hash: String,
    hash: String,
}

impl From<AuditLogRow> for AuditRow {
    fn from(r: AuditLogRow) -> Self {
        AuditRow {
            seq: r.seq,
            at: Timestamp(r.at),
            actor: r.actor,
            entity_id: r.entity_id,
            action: r.action,
            target: r.target,
            result: r.result,
            detail: r.detail,
            source: r.source,
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AuditHeadRow {
    seq: i64,
    hash: String,
    mac: String,
}

impl AuditHeadRow {
    /// The head, or `None` while the chain is empty (the row exists from the first
    /// migration on, at sequence 0, so PostgreSQL's writers always have it to lock).
    pub(crate) fn into_head(self) -> Option<AuditHead> {
        (self.seq > 0).then_some(AuditHead { seq: self.seq, hash: self.hash, mac: self.mac })
    }
}

macro_rules! impl_audit_tx {
    ($DbTx:ident) => {
        mod audit {
            use domain::model::{AuditHead, AuditRow};
            use domain::store::{AuditTx, StoreResult};

            use super::$DbTx;
            use $crate::error::map_err;
            use $crate::queries::audit::{AuditHeadRow, AuditLogRow, AUDIT_COLS};

            #[async_trait::async_trait]
            impl AuditTx for $DbTx {
                async fn audit_head(&mut self) -> StoreResult<Option<AuditHead>> {
                    let row: Option<AuditHeadRow> = sqlx::query_as("SELECT seq, hash, mac FROM audit_head WHERE id = 1")
                        .fetch_optional(self.c())
                        .await
                        .map_err(map_err)?;
                    Ok(row.and_then(AuditHeadRow::into_head))
                }

                async fn append_audit(&mut self, rows: &[AuditRow], head: &AuditHead) -> StoreResult<()> {
                    let sql =
                        format!("INSERT INTO audit_log ({AUDIT_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)");
                    for a in rows {
                        sqlx::query(&sql)
                            .bind(a.seq)
                            .bind(a.at.0)
                            .bind(&a.actor)
                            .bind(a.entity_id)
                            .bind(&a.action)
                            .bind(&a.target)
                            .bind(&a.result)
                            .bind(&a.detail)
                            .bind(&a.source)
                            .bind(&a.prev_hash)
                            .bind(&a.hash)
                            .execute(self.c())
                            .await
                            .map_err(map_err)?;
                    }
                    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2, mac = $3 WHERE id = 1")
                        .bind(head.seq)
                        .bind(&head.hash)
                        .bind(&head.mac)
                        .execute(self.c())
                        .await
                        .map_err(map_err)?;
                    Ok(())
                }

                async fn list_audit(
                    &mut self,
                    entity_id: Option<i64>,
                    after_seq: i64,
                    limit: i64,
                ) -> StoreResult<Vec<AuditRow>> {
                    let sql = format!(
                        "SELECT {AUDIT_COLS} FROM audit_log WHERE ($1 IS NULL OR entity_id = $1) AND seq > $2 ORDER BY seq LIMIT $3"
                    );
                    let rows: Vec<AuditLogRow> = sqlx::query_as(&sql)
                        .bind(entity_id)
                        .bind(after_seq)
                        .bind(limit)
                        .fetch_all(self.c())
                        .await
                        .map_err(map_err)?;
                    Ok(rows.into_iter().map(Into::into).collect())
                }
            }
        }
    };
}
