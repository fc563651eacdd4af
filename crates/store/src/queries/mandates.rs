//! The SQL of `MandatesTx`: mandates between entities, the logins acting under them, the
//! access decision for a login acting for another entity, and the sign-ins made under a
//! mandate. The row structs are converted here only.

use domain::clock::Timestamp;
use domain::model::{
    ActingLogin, EntityNames, LoginKind, LoginStatus, MandateRecord, MandateStatus, MandatedAccessFacts, Mandator,
};
use domain::numbers::LoginId;
use domain::store::StoreError;

use crate::columns::parse;
use crate::queries::eservices::{EServiceRow, ESERVICE_COLS};

pub(crate) const MANDATE_COLS: &str = "from_entity_id, id, to_entity_id, status, valid_until, offered_by, offered_at, \
                                       decided_by, decided_at, ended_by, ended_at, warned_days";

#[derive(sqlx::FromRow)]
pub(crate) struct MandateRow {
    from_entity_id: i64,
    id: String,
    to_entity_id: i64,
    status: String,
    valid_until: i64,
    offered_by: String,
    offered_at: i64,
    decided_by: Option<String>,
    decided_at: Option<i64>,
    ended_by: Option<String>,
    ended_at: Option<i64>,
    warned_days: Option<i64>,
}

impl MandateRow {
    /// The record, with its e-services (read by a second statement).
    pub(crate) fn with(self, eservices: Vec<String>) -> Result<MandateRecord, StoreError> {
        Ok(MandateRecord {
            id: self.id,
            from_entity_id: self.from_entity_id,
            to_entity_id: self.to_entity_id,
            status: parse("status", &self.status, MandateStatus::parse)?,
            eservices,
            valid_until: Timestamp(self.valid_until),
            offered_by: LoginId::from_stored(self.offered_by),
            offered_at: Timestamp(self.offered_at),
            decided_by: self.decided_by.map(LoginId::from_stored),
            decided_at: self.decided_at.map(Timestamp),
            ended_by: self.ended_by,
            ended_at: self.ended_at.map(Timestamp),
            warned_days: self.warned_days,
        })
    }
}

/// Mandate rows joined with their e-services, `(mandate_id, code)` pairs in code order.
pub(crate) fn assemble(rows: Vec<MandateRow>, codes: Vec<(String, String)>) -> Result<Vec<MandateRecord>, StoreError> {
    rows.into_iter()
        .map(|r| {
            let mine = codes.iter().filter(|(m, _)| *m == r.id).map(|(_, c)| c.clone()).collect();
            r.with(mine)
        })
        .collect()
}

#[derive(sqlx::FromRow)]
pub(crate) struct ActingRow {
    login_id: String,
    name: String,
    status: String,
    eservice_code: String,
    valid_from: Option<i64>,
    valid_until: Option<i64>,
    last_used_at: Option<i64>,
}

impl TryFrom<ActingRow> for ActingLogin {
    type Error = StoreError;
    fn try_from(r: ActingRow) -> Result<Self, StoreError> {
        Ok(ActingLogin {
            login_id: LoginId::from_stored(r.login_id),
            name: r.name,
            login_status: parse("status", &r.status, LoginStatus::from_str_opt)?,
            eservice_code: r.eservice_code,
            valid_from: r.valid_from.map(Timestamp),
            valid_until: r.valid_until.map(Timestamp),
            last_used_at: r.last_used_at.map(Timestamp),
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct MandatorRow {
    id: i64,
    number: String,
    name_zh: Option<String>,
    name_pt: Option<String>,
    name_en: Option<String>,
}

impl From<MandatorRow> for Mandator {
    fn from(r: MandatorRow) -> Self {
        Mandator {
            entity_id: r.id,
            entity_number: r.number,
            entity_names: EntityNames { zh: r.name_zh, pt: r.name_pt, en: r.name_en },
        }
    }
}

/// The decision's one statement for a login acting for another entity ($3) at an e-service
/// ($4): the mandate offered or active between the two (at most one), whether it names the
/// e-service, the login's assignment under it, and both entities' registrations.
pub(crate) static MANDATED_ACCESS_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let eservice = ESERVICE_COLS.split(", ").map(|c| format!("s.{c}")).collect::<Vec<_>>().join(", ");
    format!(
        "SELECT l.id AS login_id, l.status AS login_status, l.kind AS login_kind, l.name AS login_name, \
         e.number AS entity_number, e.name_zh AS entity_name_zh, e.name_pt AS entity_name_pt, \
         e.name_en AS entity_name_en, re.number AS represented_number, re.name_zh AS represented_name_zh, \
         re.name_pt AS represented_name_pt, re.name_en AS represented_name_en, {eservice}, \
         m.id AS mandate_id, m.status AS mandate_status, m.valid_until AS mandate_valid_until, \
         EXISTS (SELECT 1 FROM mandate_eservices me WHERE me.mandate_id = m.id AND me.eservice_code = s.code) \
           AS mandate_names_eservice, \
         ml.assigned_at AS acting_assigned_at, ml.valid_from AS acting_valid_from, ml.valid_until AS acting_valid_until, \
         EXISTS (SELECT 1 FROM entity_eservices r WHERE r.entity_id = re.id AND r.eservice_code = s.code) \
           AS represented_registered, \
         EXISTS (SELECT 1 FROM entity_eservices r WHERE r.entity_id = l.entity_id AND r.eservice_code = s.code) \
           AS registered \
         FROM logins l JOIN entities e ON e.id = l.entity_id JOIN entities re ON re.id = $3 \
         JOIN eservices s ON s.code = $4 \
         LEFT JOIN mandates m ON m.from_entity_id = re.id AND m.to_entity_id = l.entity_id \
           AND m.status IN ('offered', 'active') \
         LEFT JOIN mandate_logins ml ON ml.entity_id = l.entity_id AND ml.login_id = l.id \
           AND ml.mandate_id = m.id AND ml.eservice_code = s.code \
         WHERE l.entity_id = $1 AND l.id = $2"
    )
});

#[derive(sqlx::FromRow)]
pub(crate) struct MandatedAccessRow {
    login_id: String,
    login_status: String,
    login_kind: String,
    login_name: String,
    entity_number: String,
    entity_name_zh: Option<String>,
    entity_name_pt: Option<String>,
    entity_name_en: Option<String>,
    represented_number: String,
    represented_name_zh: Option<String>,
    represented_name_pt: Option<String>,
    represented_name_en: Option<String>,
    #[sqlx(flatten)]
    eservice: EServiceRow,
    mandate_id: Option<String>,
    mandate_status: Option<String>,
    mandate_valid_until: Option<i64>,
    mandate_names_eservice: bool,
    acting_assigned_at: Option<i64>,
    acting_valid_from: Option<i64>,
    acting_valid_until: Option<i64>,
    represented_registered: bool,
    registered: bool,
}

impl TryFrom<MandatedAccessRow> for MandatedAccessFacts {
    type Error = StoreError;
    fn try_from(r: MandatedAccessRow) -> Result<Self, StoreError> {
        let mandate = match (r.mandate_id, r.mandate_status, r.mandate_valid_until) {
            (Some(id), Some(status), Some(until)) => {
                Some((id, parse("mandate_status", &status, MandateStatus::parse)?, Timestamp(until)))
            }
            _ => None,
        };
        Ok(MandatedAccessFacts {
            login_id: LoginId::from_stored(r.login_id),
            login_status: parse("status", &r.login_status, LoginStatus::from_str_opt)?,
            login_kind: parse("kind", &r.login_kind, LoginKind::from_str_opt)?,
            login_name: r.login_name,
            entity_number: r.entity_number,
            entity_names: EntityNames { zh: r.entity_name_zh, pt: r.entity_name_pt, en: r.entity_name_en },
            represented_number: r.represented_number,
            represented_names: EntityNames {
                zh: r.represented_name_zh,
                pt: r.represented_name_pt,
                en: r.represented_name_en,
            },
            eservice: r.eservice.try_into()?,
            mandate,
            mandate_names_eservice: r.mandate_names_eservice,
            assignment: r
                .acting_assigned_at
                .map(|_| (r.acting_valid_from.map(Timestamp), r.acting_valid_until.map(Timestamp))),
            represented_registered: r.represented_registered,
            registered: r.registered,
        })
    }
}

/// Which mandates a read selects.
#[derive(Clone, Copy)]
pub(crate) enum Which<'a> {
    Id(&'a str),
    /// Every mandate the entity gave or received.
    Entity(i64),
}

macro_rules! impl_mandates_tx {
    ($DbTx:ident) => {
        mod mandates {
            use domain::clock::Timestamp;
            use domain::model::oidc::GrantRecord;
            use domain::model::{
                ActingLogin, MandateLoginRecord, MandateRecord, MandateStatus, MandatedAccessFacts, Mandator,
            };
            use domain::store::{MandatesTx, StoreResult};

            use super::$DbTx;
            use $crate::error::map_err;
            use $crate::queries::mandates::{
                assemble, ActingRow, MandateRow, MandatedAccessRow, MandatorRow, Which, MANDATED_ACCESS_SQL,
                MANDATE_COLS,
            };
            use $crate::queries::oidc_rows::{GrantRow, GRANT_COLS};

            impl $DbTx {
                /// One mandate by id, or every mandate an entity gave or received, with their e-services.
                async fn mandates_where(&mut self, which: Which<'_>) -> StoreResult<Vec<MandateRecord>> {
                    let clause = match which {
                        Which::Id(_) => "id = $1",
                        Which::Entity(_) => "from_entity_id = $1 OR to_entity_id = $1",
                    };
                    let sql = format!("SELECT {MANDATE_COLS} FROM mandates WHERE {clause} ORDER BY offered_at DESC, id");
                    let q = sqlx::query_as(&sql);
                    let q = match which { Which::Id(id) => q.bind(id.to_string()), Which::Entity(e) => q.bind(e) };
                    let rows: Vec<MandateRow> = q.fetch_all(self.c()).await.map_err(map_err)?;
                    let sql = format!(
                        "SELECT mandate_id, eservice_code FROM mandate_eservices WHERE mandate_id IN \
                         (SELECT id FROM mandates WHERE {clause}) ORDER BY eservice_code"
                    );
                    let q = sqlx::query_as(&sql);
                    let q = match which { Which::Id(id) => q.bind(id.to_string()), Which::Entity(e) => q.bind(e) };
                    let codes: Vec<(String, String)> = q.fetch_all(self.c()).await.map_err(map_err)?;
                    assemble(rows, codes)
                }
            }

            #[async_trait::async_trait]
            impl MandatesTx for $DbTx {
                async fn insert_mandate(&mut self, m: &MandateRecord) -> StoreResult<()> {
                    let sql = format!(
                        "INSERT INTO mandates ({MANDATE_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
                    );
                    sqlx::query(&sql)
                        .bind(m.from_entity_id)
                        .bind(&m.id)
                        .bind(m.to_entity_id)
                        .bind(m.status.as_str())
                        .bind(m.valid_until.0)
                        .bind(m.offered_by.as_str())
                        .bind(m.offered_at.0)
                        .bind(m.decided_by.as_deref())
                        .bind(m.decided_at.map(|t| t.0))
                        .bind(m.ended_by.as_deref())
                        .bind(m.ended_at.map(|t| t.0))
                        .bind(m.warned_days)
                        .execute(self.c())
                        .await
                        .map_err(map_err)?;
                    for code in &m.eservices {
                        sqlx::query("INSERT INTO mandate_eservices (mandate_id, eservice_code) VALUES ($1, $2)")
                            .bind(&m.id)
                            .bind(code)
                            .execute(self.c())
                            .await
                            .map_err(map_err)?;
                    }
                    Ok(())
                }

                async fn find_mandate(&mut self, id: &str) -> StoreResult<Option<MandateRecord>> {
                    Ok(self.mandates_where(Which::Id(id)).await?.pop())
                }

                async fn find_live_mandate(
                    &mut self,
                    from_entity_id: i64,
                    to_entity_id: i64,
                ) -> StoreResult<Option<MandateRecord>> {
                    let id: Option<String> = sqlx::query_scalar(
                        "SELECT id FROM mandates WHERE from_entity_id = $1 AND to_entity_id = $2 \
                         AND status IN ('offered', 'active')",
                    )
                    .bind(from_entity_id)
                    .bind(to_entity_id)
                    .fetch_optional(self.c())
                    .await
                    .map_err(map_err)?;
                    match id {
                        Some(id) => self.find_mandate(&id).await,
                        None => Ok(None),
                    }
                }

                async fn list_mandates_of(&mut self, entity_id: i64) -> StoreResult<Vec<MandateRecord>> {
                    self.mandates_where(Which::Entity(entity_id)).await
                }

                async fn set_mandate_status(
                    &mut self,
                    id: &str,
                    from: MandateStatus,
                    to: MandateStatus,
                    by: &str,
                    at: Timestamp,
                ) -> StoreResult<bool> {
                    // Answering fills `decided_*`; ending fills `ended_*`.
                    let sql = if to == MandateStatus::Ended {
                        "UPDATE mandates SET status = $3, ended_by = $4, ended_at = $5 WHERE id = $1 AND status = $2"
                    } else {
                        "UPDATE mandates SET status = $3, decided_by = $4, decided_at = $5 WHERE id = $1 AND status = $2"
                    };
                    let done = sqlx::query(sql)
                        .bind(id)
                        .bind(from.as_str())
                        .bind(to.as_str())
                        .bind(by)
                        .bind(at.0)
                        .execute(self.c())
                        .await
                        .map_err(map_err)?;
                    Ok(done.rows_affected() == 1)
                }

                async fn replace_mandate_logins(
                    &mut self,
                    entity_id: i64,
                    login_id: &str,
                    mandate_id: &str,
                    rows: &[MandateLoginRecord],
                ) -> StoreResult<()> {
                    sqlx::query("DELETE FROM mandate_logins WHERE entity_id = $1 AND login_id = $2 AND mandate_id = $3")
                        .bind(entity_id)
                        .bind(login_id)
                        .bind(mandate_id)
                        .execute(self.c())
                        .await
                        .map_err(map_err)?;
                    for r in rows {
                        sqlx::query(
                            "INSERT INTO mandate_logins (entity_id, login_id, mandate_id, eservice_code, valid_from, \
                             valid_until, assigned_by, assigned_at, last_used_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                        )
                        .bind(r.entity_id)
                        .bind(r.login_id.as_str())
                        .bind(&r.mandate_id)
                        .bind(&r.eservice_code)
                        .bind(r.valid_from.map(|t| t.0))
                        .bind(r.valid_until.map(|t| t.0))
                        .bind(r.assigned_by.as_str())
                        .bind(r.assigned_at.0)
                        .bind(r.last_used_at.map(|t| t.0))
                        .execute(self.c())
                        .await
                        .map_err(map_err)?;
                    }
                    Ok(())
                }

                async fn list_acting_logins(&mut self, mandate_id: &str) -> StoreResult<Vec<ActingLogin>> {
                    let rows: Vec<ActingRow> = sqlx::query_as(
                        "SELECT ml.login_id, l.name, l.status, ml.eservice_code, ml.valid_from, ml.valid_until, \
                         ml.last_used_at FROM mandate_logins ml \
                         JOIN logins l ON l.entity_id = ml.entity_id AND l.id = ml.login_id \
                         WHERE ml.mandate_id = $1 AND l.status <> 'deleted' ORDER BY l.name, ml.login_id, ml.eservice_code",
                    )
                    .bind(mandate_id)
                    .fetch_all(self.c())
                    .await
                    .map_err(map_err)?;
                    rows.into_iter().map(ActingLogin::try_from).collect()
                }

                async fn find_mandated_access(
                    &mut self,
                    entity_id: i64,
                    login_id: &str,
                    represented_entity_id: i64,
                    code: &str,
                ) -> StoreResult<Option<MandatedAccessFacts>> {
                    let row: Option<MandatedAccessRow> = sqlx::query_as(MANDATED_ACCESS_SQL.as_str())
                        .bind(entity_id)
                        .bind(login_id)
                        .bind(represented_entity_id)
                        .bind(code)
                        .fetch_optional(self.c())
                        .await
                        .map_err(map_err)?;
                    row.map(MandatedAccessFacts::try_from).transpose()
                }

                async fn mandators_of_login(
                    &mut self,
                    entity_id: i64,
                    login_id: &str,
                    code: &str,
                    now: Timestamp,
                ) -> StoreResult<Vec<Mandator>> {
                    let rows: Vec<MandatorRow> = sqlx::query_as(
                        "SELECT re.id, re.number, re.name_zh, re.name_pt, re.name_en FROM mandate_logins ml \
                         JOIN mandates m ON m.id = ml.mandate_id AND m.status = 'active' AND m.valid_until > $4 \
                         JOIN entities re ON re.id = m.from_entity_id \
                         WHERE ml.entity_id = $1 AND ml.login_id = $2 AND ml.eservice_code = $3 ORDER BY re.number",
                    )
                    .bind(entity_id)
                    .bind(login_id)
                    .bind(code)
                    .bind(now.0)
                    .fetch_all(self.c())
                    .await
                    .map_err(map_err)?;
                    Ok(rows.into_iter().map(Into::into).collect())
                }

                async fn live_grants_under_mandate(
                    &mut self,
                    mandate_id: &str,
                    login_id: Option<&str>,
                    code: Option<&str>,
                ) -> StoreResult<Vec<GrantRecord>> {
                    let sql = format!(
                        "SELECT {GRANT_COLS} FROM oidc_grants WHERE revoked_at IS NULL AND mandate_id = $1 \
                         AND ($2 IS NULL OR login_id = $2) AND ($3 IS NULL OR client_id = $3) ORDER BY created_at"
                    );
                    let rows: Vec<GrantRow> = sqlx::query_as(&sql)
                        .bind(mandate_id)
                        .bind(login_id)
                        .bind(code)
                        .fetch_all(self.c())
                        .await
                        .map_err(map_err)?;
                    Ok(rows.into_iter().map(Into::into).collect())
                }

                async fn live_grants_involving(&mut self, entity_id: i64, code: &str) -> StoreResult<Vec<GrantRecord>> {
                    let sql = format!(
                        "SELECT {GRANT_COLS} FROM oidc_grants WHERE revoked_at IS NULL AND client_id = $2 \
                         AND (entity_id = $1 OR represented_entity_id = $1) ORDER BY created_at"
                    );
                    let rows: Vec<GrantRow> =
                        sqlx::query_as(&sql).bind(entity_id).bind(code).fetch_all(self.c()).await.map_err(map_err)?;
                    Ok(rows.into_iter().map(Into::into).collect())
                }

                async fn list_ending_mandates(
                    &mut self,
                    now: Timestamp,
                    first_by: Timestamp,
                    last_by: Timestamp,
                    last_days: i64,
                    limit: i64,
                ) -> StoreResult<Vec<MandateRecord>> {
                    let ids: Vec<String> = sqlx::query_scalar(
                        "SELECT id FROM mandates WHERE status = 'active' AND swept_at IS NULL AND (valid_until <= $1 \
                         OR (warned_days IS NULL AND valid_until <= $2) OR (warned_days > $4 AND valid_until <= $3)) \
                         ORDER BY valid_until LIMIT $5",
                    )
                    .bind(now.0)
                    .bind(first_by.0)
                    .bind(last_by.0)
                    .bind(last_days)
                    .bind(limit)
                    .fetch_all(self.c())
                    .await
                    .map_err(map_err)?;
                    let mut out = Vec::with_capacity(ids.len());
                    for id in ids {
                        out.extend(self.find_mandate(&id).await?);
                    }
                    Ok(out)
                }

                async fn mark_mandate_swept(
                    &mut self,
                    id: &str,
                    warned_days: Option<i64>,
                    swept_at: Option<Timestamp>,
                ) -> StoreResult<()> {
                    sqlx::query(
                        "UPDATE mandates SET warned_days = COALESCE($2, warned_days), swept_at = COALESCE($3, swept_at) \
                         WHERE id = $1",
                    )
                    .bind(id)
                    .bind(warned_days)
                    .bind(swept_at.map(|t| t.0))
                    .execute(self.c())
                    .await
                    .map_err(map_err)?;
                    Ok(())
                }
            }
        }
    };
}
