//! The SQL of `CodesTx`: one-time codes, one per login and purpose, read into `CodeRow`
//! and converted into the domain's `CodeRecord` here only.

use domain::clock::Timestamp;
use domain::model::{CodePurpose, CodeRecord};
use domain::numbers::LoginId;
use domain::store::StoreError;

use crate::columns::parse;

pub(crate) const CODE_COLS: &str = "entity_id, login_id, purpose, code_hash, expires_at, failures, used";

#[derive(sqlx::FromRow)]
pub(crate) struct CodeRow {
    entity_id: i64,
    login_id: String,
    purpose: String,
    code_hash: String,
    expires_at: i64,
    failures: i64,
    used: bool,
}

impl TryFrom<CodeRow> for CodeRecord {
    type Error = StoreError;
    fn try_from(r: CodeRow) -> Result<Self, StoreError> {
        Ok(CodeRecord {
            entity_id: r.entity_id,
            login_id: LoginId::from_stored(r.login_id),
            purpose: parse("purpose", &r.purpose, CodePurpose::from_str_opt)?,
            code_hash: r.code_hash,
            expires_at: Timestamp(r.expires_at),
            failures: r.failures,
            used: r.used,
        })
    }
}

macro_rules! impl_codes_tx {
    ($DbTx:ident) => {
        mod codes {
            use domain::model::{CodePurpose, CodeRecord};
            use domain::store::{CodesTx, StoreResult};

            use super::$DbTx;
            use $crate::error::map_err;
            use $crate::queries::codes::{CodeRow, CODE_COLS};

            #[async_trait::async_trait]
            impl CodesTx for $DbTx {
                async fn upsert_code(&mut self, c: &CodeRecord) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO codes (entity_id, login_id, purpose, code_hash, expires_at, failures, used) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7) \
                         ON CONFLICT (entity_id, login_id, purpose) DO UPDATE SET code_hash = excluded.code_hash, \
                         expires_at = excluded.expires_at, failures = excluded.failures, used = excluded.used",
                    )
                    .bind(c.entity_id)
                    .bind(c.login_id.as_str())
                    .bind(c.purpose.as_str())
                    .bind(&c.code_hash)
                    .bind(c.expires_at.0)
                    .bind(c.failures)
                    .bind(c.used)
                    .execute(self.c())
                    .await
                    .map_err(map_err)?;
                    Ok(())
                }

                async fn find_code(
                    &mut self,
                    entity_id: i64,
                    login_id: &str,
                    purpose: CodePurpose,
                ) -> StoreResult<Option<CodeRecord>> {
                    let sql =
                        format!("SELECT {CODE_COLS} FROM codes WHERE entity_id = $1 AND login_id = $2 AND purpose = $3");
                    let row: Option<CodeRow> = sqlx::query_as(&sql)
                        .bind(entity_id)
                        .bind(login_id)
                        .bind(purpose.as_str())
                        .fetch_optional(self.c())
                        .await
                        .map_err(map_err)?;
                    row.map(CodeRecord::try_from).transpose()
                }

                async fn find_code_by_hash(
                    &mut self,
                    entity_id: i64,
                    purpose: CodePurpose,
                    hash: &str,
                ) -> StoreResult<Option<CodeRecord>> {
                    let sql =
                        format!("SELECT {CODE_COLS} FROM codes WHERE entity_id = $1 AND purpose = $2 AND code_hash = $3");
                    let row: Option<CodeRow> = sqlx::query_as(&sql)
                        .bind(entity_id)
                        .bind(purpose.as_str())
                        .bind(hash)
                        .fetch_optional(self.c())
                        .await
                        .map_err(map_err)?;
                    row.map(CodeRecord::try_from).transpose()
                }
            }
        }
    };
}
