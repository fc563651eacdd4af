//! The SQL of `EidTx`, the advanced e-ID part of the port: a login's e-ID state, enrolments,
//! the enrolment key and sessions' step-ups; its rows are converted here only.

use domain::clock::Timestamp;
use domain::model::eid as em;
use domain::numbers::LoginId;

pub(crate) const EID_COLS: &str =
    "entity_id, login_id, face_enabled, face_off_reason, face_failures, face_next_try_at, \
                                   totp_secret_sealed, totp_last_step, totp_bound_at, updated_at";
pub(crate) const ENROLMENT_COLS: &str = "entity_id, id, login_id, created_at, expires_at, used_at";

#[derive(sqlx::FromRow)]
pub(crate) struct EidRow {
    entity_id: i64,
    login_id: String,
    face_enabled: bool,
    face_off_reason: Option<String>,
    face_failures: i64,
    face_next_try_at: i64,
    totp_secret_sealed: Option<Vec<u8>>,
    totp_last_step: Option<i64>,
    totp_bound_at: Option<i64>,
    updated_at: i64,
}

impl From<EidRow> for em::EidRecord {
    fn from(r: EidRow) -> Self {
        em::EidRecord {
            entity_id: r.entity_id,
            login_id: LoginId::from_stored(r.login_id),
            face_enabled: r.face_enabled,
            face_off_reason: r.face_off_reason,
            face_failures: r.face_failures,
            face_next_try_at: Timestamp(r.face_next_try_at),
            totp_secret_sealed: r.totp_secret_sealed,
            totp_last_step: r.totp_last_step,
            totp_bound_at: r.totp_bound_at.map(Timestamp),
            updated_at: Timestamp(r.updated_at),
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct EnrolmentRow {
    entity_id: i64,
    id: String,
    login_id: String,
    created_at: i64,
    expires_at: i64,
    used_at: Option<i64>,
}

impl From<EnrolmentRow> for em::EnrolmentRecord {
    fn from(r: EnrolmentRow) -> Self {
        em::EnrolmentRecord {
            entity_id: r.entity_id,
            id: r.id,
            login_id: LoginId::from_stored(r.login_id),
            created_at: Timestamp(r.created_at),
            expires_at: Timestamp(r.expires_at),
            used_at: r.used_at.map(Timestamp),
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct EidKeyRow {
    id: String,
    private_sealed: Vec<u8>,
    public_key: String,
    created_at: i64,
}

impl From<EidKeyRow> for em::EidKeyRecord {
    fn from(r: EidKeyRow) -> Self {
        em::EidKeyRecord {
            id: r.id,
            private_sealed: r.private_sealed,
            public_key: r.public_key,
            created_at: Timestamp(r.created_at),
        }
    }
}

/// `(at, method)` of a session's latest step-up.
pub(crate) type StepUpRow = (i64, String);

macro_rules! impl_eid_tx {
    ($DbTx:ident) => {
        mod eid {
            use domain::clock::Timestamp;
            use domain::model::eid as em;
            use domain::store::EidTx;
            use domain::store::StoreResult;

            use super::$DbTx;
            use $crate::error::map_err;
            use $crate::queries::eid::{EidKeyRow, EidRow, EnrolmentRow, StepUpRow, EID_COLS, ENROLMENT_COLS};

            #[async_trait::async_trait]
            impl EidTx for $DbTx {
                async fn find_eid(&mut self, entity_id: i64, login_id: &str) -> StoreResult<Option<em::EidRecord>> {
                    let sql = format!("SELECT {EID_COLS} FROM login_eid WHERE entity_id = $1 AND login_id = $2");
                    let row: Option<EidRow> = sqlx::query_as(&sql)
                        .bind(entity_id)
                        .bind(login_id)
                        .fetch_optional(self.c())
                        .await
                        .map_err(map_err)?;
                    Ok(row.map(Into::into))
                }

                async fn upsert_eid(&mut self, e: &em::EidRecord) -> StoreResult<()> {
                    sqlx::query(&format!(
                        "INSERT INTO login_eid ({EID_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                         ON CONFLICT (entity_id, login_id) DO UPDATE SET face_enabled = $3, face_off_reason = $4, \
                         face_failures = $5, face_next_try_at = $6, totp_secret_sealed = $7, totp_last_step = $8, \
                         totp_bound_at = $9, updated_at = $10"
                    ))
                    .bind(e.entity_id)
                    .bind(e.login_id.as_str())
                    .bind(e.face_enabled)
                    .bind(&e.face_off_reason)
                    .bind(e.face_failures)
                    .bind(e.face_next_try_at.0)
                    .bind(&e.totp_secret_sealed)
                    .bind(e.totp_last_step)
                    .bind(e.totp_bound_at.map(|t| t.0))
                    .bind(e.updated_at.0)
                    .execute(self.c())
                    .await
                    .map_err(map_err)?;
                    Ok(())
                }

                async fn insert_enrolment(&mut self, e: &em::EnrolmentRecord) -> StoreResult<()> {
                    sqlx::query(&format!("INSERT INTO eid_enrolments ({ENROLMENT_COLS}) VALUES ($1, $2, $3, $4, $5, $6)"))
                        .bind(e.entity_id)
                        .bind(&e.id)
                        .bind(e.login_id.as_str())
                        .bind(e.created_at.0)
                        .bind(e.expires_at.0)
                        .bind(e.used_at.map(|t| t.0))
                        .execute(self.c())
                        .await
                        .map_err(map_err)?;
                    Ok(())
                }

                async fn find_enrolment(&mut self, entity_id: i64, id: &str) -> StoreResult<Option<em::EnrolmentRecord>> {
                    let sql = format!("SELECT {ENROLMENT_COLS} FROM eid_enrolments WHERE entity_id = $1 AND id = $2");
                    let row: Option<EnrolmentRow> =
                        sqlx::query_as(&sql).bind(entity_id).bind(id).fetch_optional(self.c()).await.map_err(map_err)?;
                    Ok(row.map(Into::into))
                }

                async fn use_enrolment(&mut self, entity_id: i64, id: &str, at: Timestamp) -> StoreResult<bool> {
                    let r = sqlx::query(
                        "UPDATE eid_enrolments SET used_at = $1 WHERE entity_id = $2 AND id = $3 AND used_at IS NULL",
                    )
                    .bind(at.0)
                    .bind(entity_id)
                    .bind(id)
                    .execute(self.c())
                    .await
                    .map_err(map_err)?;
                    Ok(r.rows_affected() == 1)
                }

                async fn insert_eid_key(&mut self, k: &em::EidKeyRecord) -> StoreResult<()> {
                    sqlx::query("INSERT INTO eid_keys (id, private_sealed, public_key, created_at) VALUES ($1, $2, $3, $4)")
                        .bind(&k.id)
                        .bind(&k.private_sealed)
                        .bind(&k.public_key)
                        .bind(k.created_at.0)
                        .execute(self.c())
                        .await
                        .map_err(map_err)?;
                    Ok(())
                }

                async fn find_eid_key(&mut self) -> StoreResult<Option<em::EidKeyRecord>> {
                    let row: Option<EidKeyRow> = sqlx::query_as(
                        "SELECT id, private_sealed, public_key, created_at FROM eid_keys ORDER BY created_at DESC, id LIMIT 1",
                    )
                    .fetch_optional(self.c())
                    .await
                    .map_err(map_err)?;
                    Ok(row.map(Into::into))
                }

                async fn purge_enrolments(&mut self, before: Timestamp) -> StoreResult<u64> {
                    let r = sqlx::query("DELETE FROM eid_enrolments WHERE expires_at < $1")
                        .bind(before.0)
                        .execute(self.c())
                        .await
                        .map_err(map_err)?;
                    Ok(r.rows_affected())
                }

                async fn set_step_up(&mut self, token_hash: &str, at: Timestamp, method: &str) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO session_step_ups (token_hash, at, method) VALUES ($1, $2, $3) \
                         ON CONFLICT (token_hash) DO UPDATE SET at = $2, method = $3",
                    )
                    .bind(token_hash)
                    .bind(at.0)
                    .bind(method)
                    .execute(self.c())
                    .await
                    .map_err(map_err)?;
                    Ok(())
                }

                async fn find_step_up(&mut self, token_hash: &str) -> StoreResult<Option<(Timestamp, String)>> {
                    let row: Option<StepUpRow> = sqlx::query_as("SELECT at, method FROM session_step_ups WHERE token_hash = $1")
                        .bind(token_hash)
                        .fetch_optional(self.c())
                        .await
                        .map_err(map_err)?;
                    Ok(row.map(|(at, method)| (Timestamp(at), method)))
                }
            }
        }
    };
}
