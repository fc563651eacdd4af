//! The SQL of `SessionsTx`: sessions by token hash, and the one statement that reads a
//! session with its holder; `SessionRow` and `SessionHolderRow` are converted here only.

use domain::clock::Timestamp;
use domain::model::{LoginKind, LoginStatus, SessionHolder, SessionRecord, SessionSubject};
use domain::numbers::LoginId;
use domain::store::StoreError;

use crate::columns::parse_opt;

#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    token_hash: String,
    subject: String,
    entity_id: Option<i64>,
    login_id: Option<String>,
    operator_id: Option<i64>,
    created_at: i64,
    last_seen_at: i64,
    expires_at: i64,
}

/// How the `subject` column spells whose session it is.
pub(crate) fn subject_str(s: SessionSubject) -> &'static str {
    match s {
        SessionSubject::Login => "login",
        SessionSubject::Operator => "operator",
    }
}

impl From<SessionRow> for SessionRecord {
    fn from(r: SessionRow) -> Self {
        SessionRecord {
            token_hash: r.token_hash,
            subject: if r.subject == "operator" { SessionSubject::Operator } else { SessionSubject::Login },
            entity_id: r.entity_id,
            login_id: r.login_id.map(LoginId::from_stored),
            operator_id: r.operator_id,
            created_at: Timestamp(r.created_at),
            last_seen_at: Timestamp(r.last_seen_at),
            expires_at: Timestamp(r.expires_at),
        }
    }
}

/// A session joined with its operator, or its login and entity (`find_session_holder`).
#[derive(sqlx::FromRow)]
pub(crate) struct SessionHolderRow {
    #[sqlx(flatten)]
    session: SessionRow,
    operator_username: Option<String>,
    login_kind: Option<String>,
    login_status: Option<String>,
    entity_number: Option<String>,
}

impl TryFrom<SessionHolderRow> for SessionHolder {
    type Error = StoreError;
    fn try_from(r: SessionHolderRow) -> Result<Self, StoreError> {
        Ok(SessionHolder {
            session: r.session.into(),
            operator_username: r.operator_username,
            login_kind: parse_opt("login_kind", r.login_kind, LoginKind::from_str_opt)?,
            login_status: parse_opt("login_status", r.login_status, LoginStatus::from_str_opt)?,
            entity_number: r.entity_number,
        })
    }
}

macro_rules! impl_sessions_tx {
    ($DbTx:ident) => {
        mod sessions {
            use domain::clock::Timestamp;
            use domain::model::{SessionHolder, SessionRecord};
            use domain::store::{SessionsTx, StoreResult};

            use super::$DbTx;
            use $crate::error::map_err;
            use $crate::queries::sessions::{subject_str, SessionHolderRow, SessionRow};

            #[async_trait::async_trait]
            impl SessionsTx for $DbTx {
                async fn insert_session(&mut self, s: &SessionRecord) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO sessions (token_hash, subject, entity_id, login_id, operator_id, created_at, last_seen_at, expires_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(&s.token_hash)
                    .bind(subject_str(s.subject))
                    .bind(s.entity_id)
                    .bind(s.login_id.as_deref())
                    .bind(s.operator_id)
                    .bind(s.created_at.0)
                    .bind(s.last_seen_at.0)
                    .bind(s.expires_at.0)
                    .execute(self.c())
                    .await
                    .map_err(map_err)?;
                    Ok(())
                }

                async fn find_session(&mut self, token_hash: &str) -> StoreResult<Option<SessionRecord>> {
                    let row: Option<SessionRow> = sqlx::query_as("SELECT * FROM sessions WHERE token_hash = $1")
                        .bind(token_hash)
                        .fetch_optional(self.c())
                        .await
                        .map_err(map_err)?;
                    Ok(row.map(Into::into))
                }

                async fn find_session_holder(&mut self, token_hash: &str) -> StoreResult<Option<SessionHolder>> {
                    let row: Option<SessionHolderRow> = sqlx::query_as(
                        "SELECT s.*, o.username AS operator_username, l.kind AS login_kind, \
                         l.status AS login_status, e.number AS entity_number \
                         FROM sessions s \
                         LEFT JOIN operators o ON o.id = s.operator_id \
                         LEFT JOIN logins l ON l.entity_id = s.entity_id AND l.id = s.login_id \
                         LEFT JOIN entities e ON e.id = s.entity_id \
                         WHERE s.token_hash = $1",
                    )
                    .bind(token_hash)
                    .fetch_optional(self.c())
                    .await
                    .map_err(map_err)?;
                    row.map(SessionHolder::try_from).transpose()
                }

                async fn touch_session(&mut self, token_hash: &str, at: Timestamp) -> StoreResult<()> {
                    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                        .bind(at.0)
                        .bind(token_hash)
                        .execute(self.c())
                        .await
                        .map_err(map_err)?;
                    Ok(())
                }

                async fn delete_session(&mut self, token_hash: &str) -> StoreResult<()> {
                    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                        .bind(token_hash)
                        .execute(self.c())
                        .await
                        .map_err(map_err)?;
                    Ok(())
                }

                async fn delete_login_sessions(&mut self, entity_id: i64, login_id: &str) -> StoreResult<u64> {
                    let r = sqlx::query("DELETE FROM sessions WHERE entity_id = $1 AND login_id = $2")
                        .bind(entity_id)
                        .bind(login_id)
                        .execute(self.c())
                        .await
                        .map_err(map_err)?;
                    Ok(r.rows_affected())
                }
            }
        }
    };
}
