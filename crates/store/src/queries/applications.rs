//! The SQL of `ApplicationsTx`: applications with their people, in two tables; the rows
//! (`ApplicationRow`, `PersonRow`) are converted into the domain's records here only.

use domain::clock::Timestamp;
use domain::model::{ApplicationRecord, ApplicationStatus, EntityNames, EntityType, PersonRole, StoredPerson};
use domain::store::StoreError;

use crate::columns::{id_type, parse};

/// An application with the number of the entity its approval created, if any.
pub(crate) const APP_SELECT: &str = "SELECT a.id, a.number, a.status, a.entity_type, a.name_zh, a.name_pt, a.name_en, \
    a.registration_number, a.registration_lookup, a.mobile_sealed, a.mobile_mask, a.agreement_signed, \
    a.submitted_by, a.submitted_at, a.decided_at, a.decided_by, a.reject_reason, a.entity_id, \
    e.number AS entity_number FROM applications a LEFT JOIN entities e ON e.id = a.entity_id";

#[derive(sqlx::FromRow)]
pub(crate) struct ApplicationRow {
    id: i64,
    number: String,
    status: String,
    entity_type: String,
    name_zh: Option<String>,
    name_pt: Option<String>,
    name_en: Option<String>,
    registration_number: String,
    registration_lookup: String,
    mobile_sealed: Vec<u8>,
    mobile_mask: String,
    agreement_signed: bool,
    submitted_by: i64,
    submitted_at: i64,
    decided_at: Option<i64>,
    decided_by: Option<i64>,
    reject_reason: Option<String>,
    entity_id: Option<i64>,
    entity_number: Option<String>,
}

/// The application without its people, which are read by a second statement.
impl TryFrom<ApplicationRow> for ApplicationRecord {
    type Error = StoreError;
    fn try_from(r: ApplicationRow) -> Result<Self, StoreError> {
        Ok(ApplicationRecord {
            id: r.id,
            number: r.number,
            status: parse("status", &r.status, ApplicationStatus::from_str_opt)?,
            entity_type: parse("entity_type", &r.entity_type, EntityType::from_str_opt)?,
            names: EntityNames { zh: r.name_zh, pt: r.name_pt, en: r.name_en },
            registration_number: r.registration_number,
            registration_lookup: r.registration_lookup,
            mobile_sealed: r.mobile_sealed,
            mobile_mask: r.mobile_mask,
            people: Vec::new(),
            agreement_signed: r.agreement_signed,
            submitted_by: r.submitted_by,
            submitted_at: Timestamp(r.submitted_at),
            decided_at: r.decided_at.map(Timestamp),
            decided_by: r.decided_by,
            reject_reason: r.reject_reason,
            entity_id: r.entity_id,
            entity_number: r.entity_number,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct PersonRow {
    role: String,
    name: String,
    id_type: String,
    id_number_sealed: Vec<u8>,
    id_number_mask: String,
    id_number_lookup: String,
    mobile_sealed: Option<Vec<u8>>,
    mobile_mask: Option<String>,
    document_shown: bool,
    poa_reference: Option<String>,
}

impl TryFrom<PersonRow> for StoredPerson {
    type Error = StoreError;
    fn try_from(r: PersonRow) -> Result<Self, StoreError> {
        Ok(StoredPerson {
            role: parse("role", &r.role, PersonRole::from_str_opt)?,
            name: r.name,
            id_type: parse("id_type", &r.id_type, id_type)?,
            id_number_sealed: r.id_number_sealed,
            id_number_mask: r.id_number_mask,
            id_number_lookup: r.id_number_lookup,
            mobile_sealed: r.mobile_sealed,
            mobile_mask: r.mobile_mask,
            document_shown: r.document_shown,
            poa_reference: r.poa_reference,
        })
    }
}

macro_rules! impl_applications_tx {
    ($DbTx:ident) => {
        mod applications {
            use domain::model::{ApplicationRecord, ApplicationStatus, StoredPerson};
            use domain::store::{ApplicationsTx, StoreResult};

            use super::$DbTx;
            use $crate::error::map_err;
            use $crate::queries::applications::{ApplicationRow, PersonRow, APP_SELECT};

            #[async_trait::async_trait]
            impl ApplicationsTx for $DbTx {
                async fn insert_application(&mut self, a: &ApplicationRecord) -> StoreResult<i64> {
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO applications (number, status, entity_type, name_zh, name_pt, name_en, registration_number, \
                         registration_lookup, mobile_sealed, mobile_mask, agreement_signed, submitted_by, submitted_at, decided_at, \
                         decided_by, reject_reason, entity_id) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id",
                    )
                    .bind(&a.number)
                    .bind(a.status.as_str())
                    .bind(a.entity_type.as_str())
                    .bind(&a.names.zh)
                    .bind(&a.names.pt)
                    .bind(&a.names.en)
                    .bind(&a.registration_number)
                    .bind(&a.registration_lookup)
                    .bind(&a.mobile_sealed)
                    .bind(&a.mobile_mask)
                    .bind(a.agreement_signed)
                    .bind(a.submitted_by)
                    .bind(a.submitted_at.0)
                    .bind(a.decided_at.map(|t| t.0))
                    .bind(a.decided_by)
                    .bind(&a.reject_reason)
                    .bind(a.entity_id)
                    .fetch_one(self.c())
                    .await
                    .map_err(map_err)?;
                    for (i, p) in a.people.iter().enumerate() {
                        sqlx::query(
                            "INSERT INTO application_people (application_id, position, role, name, id_type, id_number_sealed, \
                             id_number_mask, id_number_lookup, mobile_sealed, mobile_mask, document_shown, poa_reference) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                        )
                        .bind(id)
                        .bind(i as i64)
                        .bind(p.role.as_str())
                        .bind(&p.name)
                        .bind(p.id_type.as_str())
                        .bind(&p.id_number_sealed)
                        .bind(&p.id_number_mask)
                        .bind(&p.id_number_lookup)
                        .bind(&p.mobile_sealed)
                        .bind(&p.mobile_mask)
                        .bind(p.document_shown)
                        .bind(&p.poa_reference)
                        .execute(self.c())
                        .await
                        .map_err(map_err)?;
                    }
                    Ok(id)
                }

                async fn find_application(&mut self, number: &str) -> StoreResult<Option<ApplicationRecord>> {
                    let sql = format!("{APP_SELECT} WHERE a.number = $1");
                    let row: Option<ApplicationRow> =
                        sqlx::query_as(&sql).bind(number).fetch_optional(self.c()).await.map_err(map_err)?;
                    let Some(row) = row else { return Ok(None) };
                    let mut app = ApplicationRecord::try_from(row)?;
                    let people: Vec<PersonRow> =
                        sqlx::query_as("SELECT * FROM application_people WHERE application_id = $1 ORDER BY position")
                            .bind(app.id)
                            .fetch_all(self.c())
                            .await
                            .map_err(map_err)?;
                    app.people = people.into_iter().map(StoredPerson::try_from).collect::<StoreResult<_>>()?;
                    Ok(Some(app))
                }

                async fn update_application(&mut self, a: &ApplicationRecord) -> StoreResult<()> {
                    sqlx::query(
                        "UPDATE applications SET status = $1, decided_at = $2, decided_by = $3, reject_reason = $4, entity_id = $5 WHERE id = $6",
                    )
                    .bind(a.status.as_str())
                    .bind(a.decided_at.map(|t| t.0))
                    .bind(a.decided_by)
                    .bind(&a.reject_reason)
                    .bind(a.entity_id)
                    .bind(a.id)
                    .execute(self.c())
                    .await
                    .map_err(map_err)?;
                    Ok(())
                }

                async fn list_applications(
                    &mut self,
                    status: Option<ApplicationStatus>,
                    limit: i64,
                ) -> StoreResult<Vec<ApplicationRecord>> {
                    let sql = format!("{APP_SELECT} WHERE ($1 IS NULL OR a.status = $1) ORDER BY a.id DESC LIMIT $2");
                    let rows: Vec<ApplicationRow> = sqlx::query_as(&sql)
                        .bind(status.map(|s| s.as_str()))
                        .bind(limit)
                        .fetch_all(self.c())
                        .await
                        .map_err(map_err)?;
                    rows.into_iter().map(ApplicationRecord::try_from).collect()
                }
            }
        }
    };
}
