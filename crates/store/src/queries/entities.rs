//! The SQL of `EntitiesTx`: entities by number, registration or id, read into
//! `EntityRow` and converted into the domain's `EntityRecord` here only.

use domain::clock::Timestamp;
use domain::model::{EntityNames, EntityRecord, EntityType};
use domain::store::StoreError;

use crate::columns::parse;

pub(crate) const ENTITY_COLS: &str =
    "id, number, entity_type, name_zh, name_pt, name_en, registration_number, registration_lookup, mobile_sealed, created_at";

#[derive(sqlx::FromRow)]
pub(crate) struct EntityRow {
    id: i64,
    number: String,
    entity_type: String,
    name_zh: Option<String>,
    name_pt: Option<String>,
    name_en: Option<String>,
    registration_number: String,
    registration_lookup: String,
    mobile_sealed: Vec<u8>,
    created_at: i64,
}

impl TryFrom<EntityRow> for EntityRecord {
    type Error = StoreError;
    fn try_from(r: EntityRow) -> Result<Self, StoreError> {
        Ok(EntityRecord {
            id: r.id,
            number: r.number,
            entity_type: parse("entity_type", &r.entity_type, EntityType::from_str_opt)?,
            names: EntityNames { zh: r.name_zh, pt: r.name_pt, en: r.name_en },
            registration_number: r.registration_number,
            registration_lookup: r.registration_lookup,
            mobile_sealed: r.mobile_sealed,
            created_at: Timestamp(r.created_at),
        })
    }
}

macro_rules! impl_entities_tx {
    ($DbTx:ident) => {
        mod entities {
            use domain::model::EntityRecord;
            use domain::store::{EntitiesTx, StoreResult};

            use super::$DbTx;
            use $crate::error::map_err;
            use $crate::queries::entities::{EntityRow, ENTITY_COLS};

            #[async_trait::async_trait]
            impl EntitiesTx for $DbTx {
                async fn insert_entity(&mut self, e: &EntityRecord) -> StoreResult<i64> {
                    sqlx::query_scalar(
                        "INSERT INTO entities (number, entity_type, name_zh, name_pt, name_en, registration_number, registration_lookup, \
                         mobile_sealed, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                    )
                    .bind(&e.number)
                    .bind(e.entity_type.as_str())
                    .bind(&e.names.zh)
                    .bind(&e.names.pt)
                    .bind(&e.names.en)
                    .bind(&e.registration_number)
                    .bind(&e.registration_lookup)
                    .bind(&e.mobile_sealed)
                    .bind(e.created_at.0)
                    .fetch_one(self.c())
                    .await
                    .map_err(map_err)
                }

                async fn find_entity_by_number(&mut self, number: &str) -> StoreResult<Option<EntityRecord>> {
                    let sql = format!("SELECT {ENTITY_COLS} FROM entities WHERE number = $1");
                    let row: Option<EntityRow> =
                        sqlx::query_as(&sql).bind(number).fetch_optional(self.c()).await.map_err(map_err)?;
                    row.map(EntityRecord::try_from).transpose()
                }

                async fn find_entity_by_registration(&mut self, lookup: &str) -> StoreResult<Option<EntityRecord>> {
                    let sql = format!("SELECT {ENTITY_COLS} FROM entities WHERE registration_lookup = $1");
                    let row: Option<EntityRow> =
                        sqlx::query_as(&sql).bind(lookup).fetch_optional(self.c()).await.map_err(map_err)?;
                    row.map(EntityRecord::try_from).transpose()
                }

                async fn find_entity(&mut self, id: i64) -> StoreResult<Option<EntityRecord>> {
                    let sql = format!("SELECT {ENTITY_COLS} FROM entities WHERE id = $1");
                    let row: Option<EntityRow> =
                        sqlx::query_as(&sql).bind(id).fetch_optional(self.c()).await.map_err(map_err)?;
                    row.map(EntityRecord::try_from).transpose()
                }
            }
        }
    };
}
