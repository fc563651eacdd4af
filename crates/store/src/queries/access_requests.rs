//! The SQL of `AccessRequestsTx`: logins' requests for e-services and their answers;
//! `RequestRow` is converted here only.

use domain::clock::Timestamp;
use domain::model::{AccessRequestRecord, RequestDecision};
use domain::numbers::LoginId;
use domain::store::StoreError;

use crate::columns::parse_opt;

pub(crate) const REQUEST_COLS: &str =
    "entity_id, id, login_id, eservice_code, reason, created_at, decision, decided_by, decided_at, answer";

#[derive(sqlx::FromRow)]
pub(crate) struct RequestRow {
    entity_id: i64,
    id: String,
    login_id: String,
    eservice_code: String,
    reason: String,
    created_at: i64,
    decision: Option<String>,
    decided_by: Option<String>,
    decided_at: Option<i64>,
    answer: Option<String>,
}

impl TryFrom<RequestRow> for AccessRequestRecord {
    type Error = StoreError;
    fn try_from(r: RequestRow) -> Result<Self, StoreError> {
        Ok(AccessRequestRecord {
            entity_id: r.entity_id,
            id: r.id,
            login_id: LoginId::from_stored(r.login_id),
            eservice_code: r.eservice_code,
            reason: r.reason,
            created_at: Timestamp(r.created_at),
            decision: parse_opt("decision", r.decision, RequestDecision::parse)?,
            decided_by: r.decided_by,
            decided_at: r.decided_at.map(Timestamp),
            answer: r.answer,
        })
    }
}

macro_rules! impl_access_requests_tx {
    ($DbTx:ident) => {
        mod access_requests {
            use domain::model::AccessRequestRecord;
            use domain::store::{AccessRequestsTx, StoreResult};

            use super::$DbTx;
            use $crate::error::map_err;
            use $crate::queries::access_requests::{RequestRow, REQUEST_COLS};

            #[async_trait::async_trait]
            impl AccessRequestsTx for $DbTx {
                async fn insert_access_request(&mut self, r: &AccessRequestRecord) -> StoreResult<()> {
                    let sql = format!(
                        "INSERT INTO access_requests ({REQUEST_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
                    );
                    sqlx::query(&sql)
                        .bind(r.entity_id)
                        .bind(&r.id)
                        .bind(r.login_id.as_str())
                        .bind(&r.eservice_code)
                        .bind(&r.reason)
                        .bind(r.created_at.0)
                        .bind(r.decision.map(|d| d.as_str()))
                        .bind(r.decided_by.as_deref())
                        .bind(r.decided_at.map(|t| t.0))
                        .bind(r.answer.as_deref())
                        .execute(self.c())
                        .await
                        .map_err(map_err)?;
                    Ok(())
                }

                async fn find_access_request(
                    &mut self,
                    entity_id: i64,
                    id: &str,
                ) -> StoreResult<Option<AccessRequestRecord>> {
                    let sql = format!("SELECT {REQUEST_COLS} FROM access_requests WHERE entity_id = $1 AND id = $2");
                    let row: Option<RequestRow> =
                        sqlx::query_as(&sql).bind(entity_id).bind(id).fetch_optional(self.c()).await.map_err(map_err)?;
                    row.map(AccessRequestRecord::try_from).transpose()
                }

                async fn answer_access_request(&mut self, r: &AccessRequestRecord) -> StoreResult<bool> {
                    let done = sqlx::query(
                        "UPDATE access_requests SET decision = $3, decided_by = $4, decided_at = $5, answer = $6 \
                         WHERE entity_id = $1 AND id = $2 AND decision IS NULL",
                    )
                    .bind(r.entity_id)
                    .bind(&r.id)
                    .bind(r.decision.map(|d| d.as_str()))
                    .bind(r.decided_by.as_deref())
                    .bind(r.decided_at.map(|t| t.0))
                    .bind(r.answer.as_deref())
                    .execute(self.c())
                    .await
                    .map_err(map_err)?;
                    Ok(done.rows_affected() == 1)
                }

                async fn list_access_requests(
                    &mut self,
                    entity_id: i64,
                    login_id: Option<&str>,
                    open_only: bool,
                    limit: i64,
                ) -> StoreResult<Vec<AccessRequestRecord>> {
                    let sql = format!(
                        "SELECT {REQUEST_COLS} FROM access_requests WHERE entity_id = $1 \
                         AND ($2 IS NULL OR login_id = $2) AND (decision IS NULL OR NOT $3) \
                         ORDER BY created_at DESC, id LIMIT $4"
                    );
                    let rows: Vec<RequestRow> = sqlx::query_as(&sql)
                        .bind(entity_id)
                        .bind(login_id)
                        .bind(open_only)
                        .bind(limit)
                        .fetch_all(self.c())
                        .await
                        .map_err(map_err)?;
                    rows.into_iter().map(AccessRequestRecord::try_from).collect()
                }
            }
        }
    };
}
