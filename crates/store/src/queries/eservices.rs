//! The SQL of `EServicesTx`: the catalogue, entities' registrations and logins'
//! assignments with their terms; `EServiceRow`, `AssignmentRow` and `AccessRow` are converted
//! here only.

use domain::clock::Timestamp;
use domain::model::{
    AccessFacts, AssignmentRecord, AssignmentTerms, Assurance, EServiceRecord, EntityNames, LoginKind,
};
use domain::model::{LoginStatus, ReviewCycle};
use domain::numbers::LoginId;
use domain::store::StoreError;

use crate::columns::parse;

pub(crate) const ESERVICE_COLS: &str =
    "code, name_zh, name_pt, name_en, department, assurance, requires_registration, four_eyes, review_days, created_at, \
     allows_intermediaries";

#[derive(sqlx::FromRow)]
pub(crate) struct EServiceRow {
    code: String,
    name_zh: String,
    name_pt: String,
    name_en: String,
    department: String,
    assurance: String,
    requires_registration: bool,
    four_eyes: bool,
    allows_intermediaries: bool,
    review_days: i64,
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
            four_eyes: r.four_eyes,
            allows_intermediaries: r.allows_intermediaries,
            review_days: r.review_days,
            created_at: Timestamp(r.created_at),
        })
    }
}

pub(crate) const ASSIGNMENT_COLS: &str = "login_id, eservice_code, assigned_at, valid_from, valid_until, proposed_by, \
    reviewed_at, reviewed_by, confirmed_at, last_used_at, warned_days, ended_at";

#[derive(sqlx::FromRow)]
pub(crate) struct AssignmentRow {
    login_id: String,
    eservice_code: String,
    assigned_at: i64,
    valid_from: Option<i64>,
    valid_until: Option<i64>,
    proposed_by: Option<String>,
    reviewed_at: i64,
    reviewed_by: Option<String>,
    confirmed_at: Option<i64>,
    last_used_at: Option<i64>,
    warned_days: Option<i64>,
    ended_at: Option<i64>,
}

impl From<AssignmentRow> for AssignmentRecord {
    fn from(r: AssignmentRow) -> Self {
        AssignmentRecord {
            login_id: LoginId::from_stored(r.login_id),
            eservice_code: r.eservice_code,
            assigned_at: Timestamp(r.assigned_at),
            terms: AssignmentTerms {
                valid_from: r.valid_from.map(Timestamp),
                valid_until: r.valid_until.map(Timestamp),
                proposed_by: r.proposed_by.map(LoginId::from_stored),
                reviewed_at: Timestamp(r.reviewed_at),
            },
            reviewed_by: r.reviewed_by,
            confirmed_at: r.confirmed_at.map(Timestamp),
            last_used_at: r.last_used_at.map(Timestamp),
            warned_days: r.warned_days,
            ended_at: r.ended_at.map(Timestamp),
        }
    }
}

/// An assignment with its entity, as the sweep lists them.
#[derive(sqlx::FromRow)]
pub(crate) struct EntityAssignmentRow {
    entity_id: i64,
    #[sqlx(flatten)]
    row: AssignmentRow,
}

impl From<EntityAssignmentRow> for (i64, AssignmentRecord) {
    fn from(r: EntityAssignmentRow) -> Self {
        (r.entity_id, r.row.into())
    }
}

/// The one statement of the access decision: the login, its entity, the e-service, the
/// assignment and the review cycle, joined on the login's key and the e-service's code.
pub(crate) static ACCESS_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let eservice = ESERVICE_COLS.split(", ").map(|c| format!("s.{c}")).collect::<Vec<_>>().join(", ");
    format!(
        "SELECT l.id AS login_id, l.status AS login_status, l.kind AS login_kind, l.name AS login_name, \
         e.number AS entity_number, e.name_zh AS entity_name_zh, e.name_pt AS entity_name_pt, \
         e.name_en AS entity_name_en, e.created_at AS entity_created_at, {eservice}, \
         EXISTS (SELECT 1 FROM entity_eservices r WHERE r.entity_id = l.entity_id AND r.eservice_code = s.code) AS registered, \
         a.reviewed_at AS assignment_reviewed_at, a.valid_from, a.valid_until, a.proposed_by, \
         c.started_at AS cycle_started_at, c.due_at AS cycle_due_at, c.announced_at AS cycle_announced_at \
         FROM logins l JOIN entities e ON e.id = l.entity_id JOIN eservices s ON s.code = $3 \
         LEFT JOIN login_eservices a ON a.entity_id = l.entity_id AND a.login_id = l.id AND a.eservice_code = s.code \
         LEFT JOIN access_review_cycles c ON c.entity_id = l.entity_id \
         WHERE l.entity_id = $1 AND l.id = $2"
    )
});

#[derive(sqlx::FromRow)]
pub(crate) struct AccessRow {
    login_id: String,
    login_status: String,
    login_kind: String,
    login_name: String,
    entity_number: String,
    entity_name_zh: Option<String>,
    entity_name_pt: Option<String>,
    entity_name_en: Option<String>,
    entity_created_at: i64,
    #[sqlx(flatten)]
    eservice: EServiceRow,
    registered: bool,
    assignment_reviewed_at: Option<i64>,
    valid_from: Option<i64>,
    valid_until: Option<i64>,
    proposed_by: Option<String>,
    cycle_started_at: Option<i64>,
    cycle_due_at: Option<i64>,
    cycle_announced_at: Option<i64>,
}

impl TryFrom<AccessRow> for AccessFacts {
    type Error = StoreError;
    fn try_from(r: AccessRow) -> Result<Self, StoreError> {
        let assignment = r.assignment_reviewed_at.map(|reviewed_at| AssignmentTerms {
            valid_from: r.valid_from.map(Timestamp),
            valid_until: r.valid_until.map(Timestamp),
            proposed_by: r.proposed_by.map(LoginId::from_stored),
            reviewed_at: Timestamp(reviewed_at),
        });
        let cycle = match (r.cycle_started_at, r.cycle_due_at) {
            (Some(started_at), Some(due_at)) => Some(ReviewCycle {
                started_at: Timestamp(started_at),
                due_at: Timestamp(due_at),
                announced_at: r.cycle_announced_at.map(Timestamp),
            }),
            _ => None,
        };
        Ok(AccessFacts {
            login_id: LoginId::from_stored(r.login_id),
            login_status: parse("status", &r.login_status, LoginStatus::from_str_opt)?,
            login_kind: parse("kind", &r.login_kind, LoginKind::from_str_opt)?,
            login_name: r.login_name,
            entity_number: r.entity_number,
            entity_names: EntityNames { zh: r.entity_name_zh, pt: r.entity_name_pt, en: r.entity_name_en },
            entity_created_at: Timestamp(r.entity_created_at),
            eservice: r.eservice.try_into()?,
            registered: r.registered,
            assignment,
            cycle,
        })
    }
}

/// `(login_id, eservice_code)`, as the assignment lists return them.
pub(crate) type AssignmentPair = (String, String);

macro_rules! impl_eservices_tx {
    ($DbTx:ident) => {
        mod eservices {
            use domain::clock::Timestamp;
            use domain::model::{AccessFacts, AssignmentRecord, EServiceRecord};
            use domain::store::{EServicesTx, StoreResult};

            use super::$DbTx;
            use $crate::error::map_err;
            use $crate::queries::eservices::{AccessRow, AssignmentPair, AssignmentRow, EServiceRow, EntityAssignmentRow};
            use $crate::queries::eservices::{ACCESS_SQL, ASSIGNMENT_COLS, ESERVICE_COLS};

            #[async_trait::async_trait]
            impl EServicesTx for $DbTx {
                async fn insert_eservice(&mut self, e: &EServiceRecord) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO eservices (code, name_zh, name_pt, name_en, department, assurance, requires_registration, \
                         four_eyes, review_days, created_at, allows_intermediaries) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                    )
                    .bind(&e.code)
                    .bind(&e.name_zh)
                    .bind(&e.name_pt)
                    .bind(&e.name_en)
                    .bind(&e.department)
                    .bind(e.assurance.as_str())
                    .bind(e.requires_registration)
                    .bind(e.four_eyes)
                    .bind(e.review_days)
                    .bind(e.created_at.0)
                    .bind(e.allows_intermediaries)
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

                async fn replace_assignments(
                    &mut self,
                    entity_id: i64,
                    login_id: &str,
                    rows: &[AssignmentRecord],
                ) -> StoreResult<()> {
                    // Deleting everything and inserting the new set keeps one statement per row and
                    // no dialect-specific array syntax.
                    sqlx::query("DELETE FROM login_eservices WHERE entity_id = $1 AND login_id = $2")
                        .bind(entity_id)
                        .bind(login_id)
                        .execute(self.c())
                        .await
                        .map_err(map_err)?;
                    for row in rows {
                        self.upsert_assignment(entity_id, row).await?;
                    }
                    Ok(())
                }

                async fn upsert_assignment(&mut self, entity_id: i64, a: &AssignmentRecord) -> StoreResult<()> {
                    let sql = format!(
                        "INSERT INTO login_eservices (entity_id, {ASSIGNMENT_COLS}) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
                         ON CONFLICT (entity_id, login_id, eservice_code) DO UPDATE SET \
                         assigned_at = excluded.assigned_at, valid_from = excluded.valid_from, \
                         valid_until = excluded.valid_until, proposed_by = excluded.proposed_by, \
                         reviewed_at = excluded.reviewed_at, reviewed_by = excluded.reviewed_by, confirmed_at = excluded.confirmed_at, \
                         last_used_at = excluded.last_used_at, warned_days = excluded.warned_days, \
                         ended_at = excluded.ended_at"
                    );
                    sqlx::query(&sql)
                        .bind(entity_id)
                        .bind(a.login_id.as_str())
                        .bind(&a.eservice_code)
                        .bind(a.assigned_at.0)
                        .bind(a.terms.valid_from.map(|t| t.0))
                        .bind(a.terms.valid_until.map(|t| t.0))
                        .bind(a.terms.proposed_by.as_ref().map(|l| l.as_str()))
                        .bind(a.terms.reviewed_at.0)
                        .bind(a.reviewed_by.as_deref())
                        .bind(a.confirmed_at.map(|t| t.0))
                        .bind(a.last_used_at.map(|t| t.0))
                        .bind(a.warned_days)
                        .bind(a.ended_at.map(|t| t.0))
                        .execute(self.c())
                        .await
                        .map_err(map_err)?;
                    Ok(())
                }

                async fn delete_assignment(&mut self, entity_id: i64, login_id: &str, code: &str) -> StoreResult<()> {
                    sqlx::query("DELETE FROM login_eservices WHERE entity_id = $1 AND login_id = $2 AND eservice_code = $3")
                        .bind(entity_id)
                        .bind(login_id)
                        .bind(code)
                        .execute(self.c())
                        .await
                        .map_err(map_err)?;
                    Ok(())
                }

                async fn list_assignments(&mut self, entity_id: i64, login_id: &str) -> StoreResult<Vec<AssignmentRecord>> {
                    let sql = format!(
                        "SELECT {ASSIGNMENT_COLS} FROM login_eservices WHERE entity_id = $1 AND login_id = $2 ORDER BY eservice_code"
                    );
                    let rows: Vec<AssignmentRow> =
                        sqlx::query_as(&sql).bind(entity_id).bind(login_id).fetch_all(self.c()).await.map_err(map_err)?;
                    Ok(rows.into_iter().map(AssignmentRecord::from).collect())
                }

                async fn list_entity_assignment_records(&mut self, entity_id: i64) -> StoreResult<Vec<AssignmentRecord>> {
                    let sql = format!(
                        "SELECT {ASSIGNMENT_COLS} FROM login_eservices WHERE entity_id = $1 ORDER BY login_id, eservice_code"
                    );
                    let rows: Vec<AssignmentRow> =
                        sqlx::query_as(&sql).bind(entity_id).fetch_all(self.c()).await.map_err(map_err)?;
                    Ok(rows.into_iter().map(AssignmentRecord::from).collect())
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

                async fn find_access(
                    &mut self,
                    entity_id: i64,
                    login_id: &str,
                    code: &str,
                ) -> StoreResult<Option<AccessFacts>> {
                    let row: Option<AccessRow> = sqlx::query_as(ACCESS_SQL.as_str())
                        .bind(entity_id)
                        .bind(login_id)
                        .bind(code)
                        .fetch_optional(self.c())
                        .await
                        .map_err(map_err)?;
                    row.map(AccessFacts::try_from).transpose()
                }

                async fn record_use(
                    &mut self,
                    entity_id: i64,
                    login_id: &str,
                    code: &str,
                    at: Timestamp,
                    not_since: Timestamp,
                ) -> StoreResult<()> {
                    sqlx::query(
                        "UPDATE login_eservices SET last_used_at = $4 WHERE entity_id = $1 AND login_id = $2 \
                         AND eservice_code = $3 AND (last_used_at IS NULL OR last_used_at <= $5)",
                    )
                    .bind(entity_id)
                    .bind(login_id)
                    .bind(code)
                    .bind(at.0)
                    .bind(not_since.0)
                    .execute(self.c())
                    .await
                    .map_err(map_err)?;
                    Ok(())
                }

                async fn list_ending_assignments(
                    &mut self,
                    now: Timestamp,
                    first_by: Timestamp,
                    last_by: Timestamp,
                    last_days: i64,
                    limit: i64,
                ) -> StoreResult<Vec<(i64, AssignmentRecord)>> {
                    let sql = format!(
                        "SELECT entity_id, {ASSIGNMENT_COLS} FROM login_eservices \
                         WHERE valid_until IS NOT NULL AND ended_at IS NULL AND (valid_until <= $1 \
                         OR (warned_days IS NULL AND valid_until <= $2) OR (warned_days > $4 AND valid_until <= $3)) \
                         ORDER BY valid_until LIMIT $5"
                    );
                    let rows: Vec<EntityAssignmentRow> = sqlx::query_as(&sql)
                        .bind(now.0)
                        .bind(first_by.0)
                        .bind(last_by.0)
                        .bind(last_days)
                        .bind(limit)
                        .fetch_all(self.c())
                        .await
                        .map_err(map_err)?;
                    Ok(rows.into_iter().map(Into::into).collect())
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
                    sqlx::query_as::<_, AssignmentPair>(
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
                    let mut q = sqlx::query_as::<_, AssignmentPair>(&sql).bind(entity_id);
                    for id in login_ids {
                        q = q.bind(id);
                    }
                    q.fetch_all(self.c()).await.map_err(map_err)
                }
            }
        }
    };
}
