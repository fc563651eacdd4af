//! The SQL of `EServicesTx`: the catalogue, entities' registrations and logins'
//! assignments; `EServiceRow` and `EServiceAccessRow` are converted here only.

use domain::clock::Timestamp;
use domain::model::{Assurance, EServiceAccess, EServiceRecord};
use domain::store::StoreError;

use crate::columns::parse;

pub(crate) const ESERVICE_COLS: &str =
    "code, name_zh, name_pt, name_en, department, assurance, requires_registration, created_at";

#[derive(sqlx::FromRow)]
pub(crate) struct EServiceRow {
    code: String,
    name_zh: String,
    name_pt: String,
    name_en: String,
    department: String,
    assurance: String,
    requires_registration: bool,
    created_at: i64,
}

impl TryFrom<EServiceRow> for EServiceRecord {
    type Error = StoreError;
    fn try_from(r: EServiceRow) -> Result<Self, StoreError> {
        Ok(EServiceRecord {
            code: r.code,
            name_zh: r.name_zh,
            name_pt: r.name_pt,
            name_en: r.name_en,
            department: r.department,
            assurance: parse("assurance", &r.assurance, Assurance::from_str_opt)?,
            requires_registration: r.requires_registration,
            created_at: Timestamp(r.created_at),
        })
    }
}

/// An e-service with whether one login has it assigned and its entity is registered.
#[derive(sqlx::FromRow)]
pub(crate) struct EServiceAccessRow {
    #[sqlx(flatten)]
    eservice: EServiceRow,
    assigned: bool,
    registered: bool,
}

impl TryFrom<EServiceAccessRow> for EServiceAccess {
    type Error = StoreError;
    fn try_from(r: EServiceAccessRow) -> Result<Self, StoreError> {
        Ok(EServiceAccess { eservice: r.eservice.try_into()?, assigned: r.assigned, registered: r.registered })
    }
}

/// `(login_id, eservice_code)`, as the assignment lists return them.
pub(crate) type AssignmentRow = (String, String);

macro_rules! impl_eservices_tx {
    ($DbTx:ident) => {
        mod eservices {
            use domain::clock::Timestamp;
            use domain::model::{EServiceAccess, EServiceRecord};
            use domain::store::{EServicesTx, StoreResult};

            use super::$DbTx;
            use $crate::error::map_err;
            use $crate::queries::eservices::{AssignmentRow, EServiceAccessRow, EServiceRow, ESERVICE_COLS};

            #[async_trait::async_trait]
            impl EServicesTx for $DbTx {
                async fn insert_eservice(&mut self, e: &EServiceRecord) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO eservices (code, name_zh, name_pt, name_en, department, assurance, requires_registration, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(&e.code)
                    .bind(&e.name_zh)
                    .bind(&e.name_pt)
                    .bind(&e.name_en)
                    .bind(&e.department)
                    .bind(e.assurance.as_str())
                    .bind(e.requires_registration)
                    .bind(e.created_at.0)
                    .execute(self.c())
                    .await
                    .map_err(map_err)?;
                    Ok(())
                }

                async fn list_eservices(&mut self) -> StoreResult<Vec<EServiceRecord>> {
                    let sql = format!("SELECT {ESERVICE_COLS} FROM eservices ORDER BY code");
                    let rows: Vec<EServiceRow> = sqlx::query_as(&sql).fetch_all(self.c()).await.map_err(map_err)?;
                    rows.into_iter().map(EServiceRecord::try_from).collect()
                }

                async fn find_eservice(&mut self, code: &str) -> StoreResult<Option<EServiceRecord>> {
                    let sql = format!("SELECT {ESERVICE_COLS} FROM eservices WHERE code = $1");
                    let row: Option<EServiceRow> =
                        sqlx::query_as(&sql).bind(code).fetch_optional(self.c()).await.map_err(map_err)?;
                    row.map(EServiceRecord::try_from).transpose()
                }

                async fn upsert_registration(&mut self, entity_id: i64, code: &str, at: Timestamp) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO entity_eservices (entity_id, eservice_code, registered_at) VALUES ($1, $2, $3) \
                         ON CONFLICT (entity_id, eservice_code) DO NOTHING",
                    )
                    .bind(entity_id)
                    .bind(code)
                    .bind(at.0)
                    .execute(self.c())
                    .await
                    .map_err(map_err)?;
                    Ok(())
                }

                async fn list_registrations(&mut self, entity_id: i64) -> StoreResult<Vec<String>> {
                    sqlx::query_scalar(
                        "SELECT eservice_code FROM entity_eservices WHERE entity_id = $1 ORDER BY eservice_code",
                    )
                    .bind(entity_id)
                    .fetch_all(self.c())
                    .await
                    .map_err(map_err)
                }

                async fn replace_login_eservices(
                    &mut self,
                    entity_id: i64,
                    login_id: &str,
                    codes: &[String],
                    at: Timestamp,
                ) -> StoreResult<()> {
                    // Deleting everything and inserting the new set keeps one statement per row and
                    // no dialect-specific array syntax.
                    sqlx::query("DELETE FROM login_eservices WHERE entity_id = $1 AND login_id = $2")
                        .bind(entity_id)
                        .bind(login_id)
                        .execute(self.c())
                        .await
                        .map_err(map_err)?;
                    for code in codes {
                        sqlx::query(
                            "INSERT INTO login_eservices (entity_id, login_id, eservice_code, assigned_at) VALUES ($1, $2, $3, $4)",
                        )
                        .bind(entity_id)
                        .bind(login_id)
                        .bind(code)
                        .bind(at.0)
                        .execute(self.c())
                        .await
                        .map_err(map_err)?;
                    }
                    Ok(())
                }

                async fn list_login_eservices(&mut self, entity_id: i64, login_id: &str) -> StoreResult<Vec<String>> {
                    sqlx::query_scalar(
                        "SELECT eservice_code FROM login_eservices WHERE entity_id = $1 AND login_id = $2 ORDER BY eservice_code",
                    )
                    .bind(entity_id)
                    .bind(login_id)
                    .fetch_all(self.c())
                    .await
                    .map_err(map_err)
                }

                async fn find_eservice_access(
                    &mut self,
                    entity_id: i64,
                    login_id: &str,
                    code: &str,
                ) -> StoreResult<Option<EServiceAccess>> {
                    let sql = format!(
                        "SELECT {ESERVICE_COLS}, \
                         EXISTS (SELECT 1 FROM login_eservices a \
                                 WHERE a.entity_id = $1 AND a.login_id = $2 AND a.eservice_code = s.code) AS assigned, \
                         EXISTS (SELECT 1 FROM entity_eservices r \
                                 WHERE r.entity_id = $1 AND r.eservice_code = s.code) AS registered \
                         FROM eservices s WHERE s.code = $3"
                    );
                    let row: Option<EServiceAccessRow> = sqlx::query_as(&sql)
                        .bind(entity_id)
                        .bind(login_id)
                        .bind(code)
                        .fetch_optional(self.c())
                        .await
                        .map_err(map_err)?;
                    row.map(EServiceAccess::try_from).transpose()
                }

                async fn list_login_eservice_records(
                    &mut self,
                    entity_id: i64,
                    login_id: &str,
                ) -> StoreResult<Vec<EServiceRecord>> {
                    let sql = format!(
                        "SELECT {ESERVICE_COLS} FROM eservices WHERE code IN \
                         (SELECT eservice_code FROM login_eservices WHERE entity_id = $1 AND login_id = $2) ORDER BY code"
                    );
                    let rows: Vec<EServiceRow> =
                        sqlx::query_as(&sql).bind(entity_id).bind(login_id).fetch_all(self.c()).await.map_err(map_err)?;
                    rows.into_iter().map(EServiceRecord::try_from).collect()
                }

                async fn list_entity_assignments(&mut self, entity_id: i64) -> StoreResult<Vec<(String, String)>> {
                    sqlx::query_as::<_, AssignmentRow>(
                        "SELECT login_id, eservice_code FROM login_eservices WHERE entity_id = $1 ORDER BY login_id, eservice_code",
                    )
                    .bind(entity_id)
                    .fetch_all(self.c())
                    .await
                    .map_err(map_err)
                }

                async fn list_assignments_of(
                    &mut self,
                    entity_id: i64,
                    login_ids: &[String],
                ) -> StoreResult<Vec<(String, String)>> {
                    if login_ids.is_empty() {
                        return Ok(Vec::new());
                    }
                    let placeholders =
                        (2..login_ids.len() + 2).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ");
                    let sql = format!(
                        "SELECT login_id, eservice_code FROM login_eservices WHERE entity_id = $1 AND login_id IN ({placeholders}) \
                         ORDER BY login_id, eservice_code"
                    );
                    let mut q = sqlx::query_as::<_, AssignmentRow>(&sql).bind(entity_id);
                    for id in login_ids {
                        q = q.bind(id);
                    }
                    q.fetch_all(self.c()).await.map_err(map_err)
                }
            }
        }
    };
}
