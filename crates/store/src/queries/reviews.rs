//! The SQL of `ReviewsTx`: each entity's review cycle, the items its review removed and the
//! finished reviews; `CycleRow`, `RemovalRow` and `FinishedRow` are converted here only.

use domain::clock::Timestamp;
use domain::model::{FinishedReview, ReviewCycle, ReviewRemoval};
use domain::numbers::LoginId;

#[derive(sqlx::FromRow)]
pub(crate) struct CycleRow {
    entity_id: i64,
    started_at: i64,
    due_at: i64,
    announced_at: Option<i64>,
}

impl From<CycleRow> for (i64, ReviewCycle) {
    fn from(r: CycleRow) -> Self {
        let cycle = ReviewCycle {
            started_at: Timestamp(r.started_at),
            due_at: Timestamp(r.due_at),
            announced_at: r.announced_at.map(Timestamp),
        };
        (r.entity_id, cycle)
    }
}

pub(crate) const REMOVAL_COLS: &str =
    "login_id, eservice_code, valid_from, valid_until, last_used_at, removed_by, removed_at";

#[derive(sqlx::FromRow)]
pub(crate) struct RemovalRow {
    login_id: String,
    eservice_code: String,
    valid_from: Option<i64>,
    valid_until: Option<i64>,
    last_used_at: Option<i64>,
    removed_by: String,
    removed_at: i64,
}

impl From<RemovalRow> for ReviewRemoval {
    fn from(r: RemovalRow) -> Self {
        ReviewRemoval {
            login_id: LoginId::from_stored(r.login_id),
            eservice_code: r.eservice_code,
            valid_from: r.valid_from.map(Timestamp),
            valid_until: r.valid_until.map(Timestamp),
            last_used_at: r.last_used_at.map(Timestamp),
            removed_by: r.removed_by,
            removed_at: Timestamp(r.removed_at),
        }
    }
}

pub(crate) const FINISHED_COLS: &str = "id, started_at, due_at, finished_at, finished_by, sealed_head, report";

#[derive(sqlx::FromRow)]
pub(crate) struct FinishedRow {
    id: String,
    started_at: i64,
    due_at: i64,
    finished_at: i64,
    finished_by: String,
    sealed_head: String,
    report: String,
}

impl From<FinishedRow> for FinishedReview {
    fn from(r: FinishedRow) -> Self {
        FinishedReview {
            id: r.id,
            started_at: Timestamp(r.started_at),
            due_at: Timestamp(r.due_at),
            finished_at: Timestamp(r.finished_at),
            finished_by: r.finished_by,
            sealed_head: r.sealed_head,
            report: r.report,
        }
    }
}

macro_rules! impl_reviews_tx {
    ($DbTx:ident) => {
        mod reviews {
            use domain::clock::Timestamp;
            use domain::model::{FinishedReview, ReviewCycle, ReviewRemoval};
            use domain::store::{ReviewsTx, StoreResult};

            use super::$DbTx;
            use $crate::error::map_err;
            use $crate::queries::reviews::{CycleRow, FinishedRow, RemovalRow, FINISHED_COLS, REMOVAL_COLS};

            #[async_trait::async_trait]
            impl ReviewsTx for $DbTx {
                async fn find_review_cycle(&mut self, entity_id: i64) -> StoreResult<Option<ReviewCycle>> {
                    let row: Option<CycleRow> = sqlx::query_as(
                        "SELECT entity_id, started_at, due_at, announced_at FROM access_review_cycles WHERE entity_id = $1",
                    )
                    .bind(entity_id)
                    .fetch_optional(self.c())
                    .await
                    .map_err(map_err)?;
                    Ok(row.map(|r| <(i64, ReviewCycle)>::from(r).1))
                }

                async fn put_review_cycle(&mut self, entity_id: i64, c: &ReviewCycle) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO access_review_cycles (entity_id, started_at, due_at, announced_at) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (entity_id) DO UPDATE SET started_at = excluded.started_at, due_at = excluded.due_at, \
                         announced_at = excluded.announced_at",
                    )
                    .bind(entity_id)
                    .bind(c.started_at.0)
                    .bind(c.due_at.0)
                    .bind(c.announced_at.map(|t| t.0))
                    .execute(self.c())
                    .await
                    .map_err(map_err)?;
                    Ok(())
                }

                async fn list_unannounced_due_cycles(
                    &mut self,
                    now: Timestamp,
                    first_cycle_secs: i64,
                    limit: i64,
                ) -> StoreResult<Vec<(i64, ReviewCycle)>> {
                    let rows: Vec<CycleRow> = sqlx::query_as(
                        "SELECT e.id AS entity_id, COALESCE(c.started_at, e.created_at) AS started_at, \
                         COALESCE(c.due_at, e.created_at + $2) AS due_at, c.announced_at AS announced_at \
                         FROM entities e LEFT JOIN access_review_cycles c ON c.entity_id = e.id \
                         WHERE COALESCE(c.due_at, e.created_at + $2) <= $1 \
                         AND (c.announced_at IS NULL OR c.announced_at < c.started_at) \
                         ORDER BY e.id LIMIT $3",
                    )
                    .bind(now.0)
                    .bind(first_cycle_secs * 1_000_000)
                    .bind(limit)
                    .fetch_all(self.c())
                    .await
                    .map_err(map_err)?;
                    Ok(rows.into_iter().map(Into::into).collect())
                }

                async fn insert_review_removal(&mut self, entity_id: i64, r: &ReviewRemoval) -> StoreResult<()> {
                    let sql = format!(
                        "INSERT INTO access_review_removals (entity_id, {REMOVAL_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                    );
                    sqlx::query(&sql)
                        .bind(entity_id)
                        .bind(r.login_id.as_str())
                        .bind(&r.eservice_code)
                        .bind(r.valid_from.map(|t| t.0))
                        .bind(r.valid_until.map(|t| t.0))
                        .bind(r.last_used_at.map(|t| t.0))
                        .bind(&r.removed_by)
                        .bind(r.removed_at.0)
                        .execute(self.c())
                        .await
                        .map_err(map_err)?;
                    Ok(())
                }

                async fn list_review_removals(
                    &mut self,
                    entity_id: i64,
                    since: Timestamp,
                ) -> StoreResult<Vec<ReviewRemoval>> {
                    let sql = format!(
                        "SELECT {REMOVAL_COLS} FROM access_review_removals WHERE entity_id = $1 AND removed_at >= $2 \
                         ORDER BY removed_at, login_id, eservice_code"
                    );
                    let rows: Vec<RemovalRow> =
                        sqlx::query_as(&sql).bind(entity_id).bind(since.0).fetch_all(self.c()).await.map_err(map_err)?;
                    Ok(rows.into_iter().map(Into::into).collect())
                }

                async fn insert_finished_review(&mut self, entity_id: i64, r: &FinishedReview) -> StoreResult<()> {
                    let sql = format!(
                        "INSERT INTO access_reviews (entity_id, {FINISHED_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                    );
                    sqlx::query(&sql)
                        .bind(entity_id)
                        .bind(&r.id)
                        .bind(r.started_at.0)
                        .bind(r.due_at.0)
                        .bind(r.finished_at.0)
                        .bind(&r.finished_by)
                        .bind(&r.sealed_head)
                        .bind(&r.report)
                        .execute(self.c())
                        .await
                        .map_err(map_err)?;
                    Ok(())
                }

                async fn latest_finished_review(&mut self, entity_id: i64) -> StoreResult<Option<FinishedReview>> {
                    let sql = format!(
                        "SELECT {FINISHED_COLS} FROM access_reviews WHERE entity_id = $1 ORDER BY finished_at DESC, id LIMIT 1"
                    );
                    let row: Option<FinishedRow> =
                        sqlx::query_as(&sql).bind(entity_id).fetch_optional(self.c()).await.map_err(map_err)?;
                    Ok(row.map(Into::into))
                }
            }
        }
    };
}
