//! The SQL of `LoginsTx`: an entity's logins, read into `LoginRow` and converted into the
//! domain's `LoginRecord` here only; pages are keyset pages on `logins_entity_order`.

use domain::clock::Timestamp;
use domain::model::{LoginKind, LoginRecord, LoginStatus};
use domain::numbers::LoginId;
use domain::store::StoreError;

use crate::columns::{id_type, parse, parse_opt};

pub(crate) const LOGIN_COLS: &str = "entity_id, id, kind, status, name, id_type, id_number_sealed, id_number_mask, \
    id_number_lookup, mobile_sealed, mobile_mask, mobile_lookup, username, username_key, password_hash, \
    admin_removed, sms_notices, created_at, activated_at, deleted_at, external_id, scim_version, modified_at";

#[derive(sqlx::FromRow)]
pub(crate) struct LoginRow {
    entity_id: i64,
    id: String,
    kind: String,
    status: String,
    name: String,
    id_type: Option<String>,
    id_number_sealed: Option<Vec<u8>>,
    id_number_mask: Option<String>,
    id_number_lookup: Option<String>,
    mobile_sealed: Vec<u8>,
    mobile_mask: String,
    mobile_lookup: String,
    username: Option<String>,
    username_key: Option<String>,
    password_hash: Option<String>,
    admin_removed: bool,
    sms_notices: bool,
    created_at: i64,
    activated_at: Option<i64>,
    deleted_at: Option<i64>,
    external_id: Option<String>,
    scim_version: i64,
    modified_at: Option<i64>,
}

impl TryFrom<LoginRow> for LoginRecord {
    type Error = StoreError;
    fn try_from(r: LoginRow) -> Result<Self, StoreError> {
        Ok(LoginRecord {
            entity_id: r.entity_id,
            id: LoginId::from_stored(r.id),
            kind: parse("kind", &r.kind, LoginKind::from_str_opt)?,
            status: parse("status", &r.status, LoginStatus::from_str_opt)?,
            name: r.name,
            id_type: parse_opt("id_type", r.id_type, id_type)?,
            id_number_sealed: r.id_number_sealed,
            id_number_mask: r.id_number_mask,
            id_number_lookup: r.id_number_lookup,
            mobile_sealed: r.mobile_sealed,
            mobile_mask: r.mobile_mask,
            mobile_lookup: r.mobile_lookup,
            username: r.username,
            username_key: r.username_key,
            password_hash: r.password_hash,
            admin_removed: r.admin_removed,
            sms_notices: r.sms_notices,
            created_at: Timestamp(r.created_at),
            activated_at: r.activated_at.map(Timestamp),
            deleted_at: r.deleted_at.map(Timestamp),
            external_id: r.external_id,
            scim_version: r.scim_version,
            modified_at: r.modified_at.map(Timestamp),
        })
    }
}

macro_rules! impl_logins_tx {
    ($DbTx:ident) => {
        mod logins {
            use domain::clock::Timestamp;
            use domain::model::LoginRecord;
            use domain::store::{LoginsTx, StoreResult};

            use super::$DbTx;
            use $crate::error::map_err;
            use $crate::queries::logins::{LoginRow, LOGIN_COLS};

            #[async_trait::async_trait]
            impl LoginsTx for $DbTx {
                async fn insert_login(&mut self, l: &LoginRecord) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO logins (entity_id, id, kind, status, name, id_type, id_number_sealed, id_number_mask, \
                         id_number_lookup, mobile_sealed, mobile_mask, mobile_lookup, username, username_key, password_hash, \
                         admin_removed, sms_notices, created_at, activated_at, deleted_at, external_id, scim_version, \
                         modified_at, name_key) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, \
                         $21, $22, $23, $24)",
                    )
                    .bind(l.entity_id)
                    .bind(l.id.as_str())
                    .bind(l.kind.as_str())
                    .bind(l.status.as_str())
                    .bind(&l.name)
                    .bind(l.id_type.map(|t| t.as_str()))
                    .bind(&l.id_number_sealed)
                    .bind(&l.id_number_mask)
                    .bind(&l.id_number_lookup)
                    .bind(&l.mobile_sealed)
                    .bind(&l.mobile_mask)
                    .bind(&l.mobile_lookup)
                    .bind(&l.username)
                    .bind(&l.username_key)
                    .bind(&l.password_hash)
                    .bind(l.admin_removed)
                    .bind(l.sms_notices)
                    .bind(l.created_at.0)
                    .bind(l.activated_at.map(|t| t.0))
                    .bind(l.deleted_at.map(|t| t.0))
                    .bind(&l.external_id)
                    .bind(l.scim_version)
                    .bind(l.modified_at.map(|t| t.0))
                    .bind(domain::credentials::fold_key(&l.name))
                    .execute(self.c())
                    .await
                    .map_err(map_err)?;
                    Ok(())
                }

                async fn update_login(&mut self, l: &LoginRecord) -> StoreResult<()> {
                    sqlx::query(
                        "UPDATE logins SET kind = $1, status = $2, username = $3, username_key = $4, password_hash = $5, \
                         admin_removed = $6, activated_at = $7, deleted_at = $8, sms_notices = $11, name = $12, \
                         name_key = $13, external_id = $14, scim_version = $15, modified_at = $16 \
                         WHERE entity_id = $9 AND id = $10",
                    )
                    .bind(l.kind.as_str())
                    .bind(l.status.as_str())
                    .bind(&l.username)
                    .bind(&l.username_key)
                    .bind(&l.password_hash)
                    .bind(l.admin_removed)
                    .bind(l.activated_at.map(|t| t.0))
                    .bind(l.deleted_at.map(|t| t.0))
                    .bind(l.entity_id)
                    .bind(l.id.as_str())
                    .bind(l.sms_notices)
                    .bind(&l.name)
                    .bind(domain::credentials::fold_key(&l.name))
                    .bind(&l.external_id)
                    .bind(l.scim_version)
                    .bind(l.modified_at.map(|t| t.0))
                    .execute(self.c())
                    .await
                    .map_err(map_err)?;
                    Ok(())
                }

                async fn find_login(&mut self, entity_id: i64, login_id: &str) -> StoreResult<Option<LoginRecord>> {
                    let sql = format!("SELECT {LOGIN_COLS} FROM logins WHERE entity_id = $1 AND id = $2");
                    let row: Option<LoginRow> = sqlx::query_as(&sql)
                        .bind(entity_id)
                        .bind(login_id)
                        .fetch_optional(self.c())
                        .await
                        .map_err(map_err)?;
                    row.map(LoginRecord::try_from).transpose()
                }

                async fn find_login_by_username(&mut self, entity_id: i64, key: &str) -> StoreResult<Option<LoginRecord>> {
                    let sql = format!(
                        "SELECT {LOGIN_COLS} FROM logins WHERE entity_id = $1 AND username_key = $2 AND status <> 'deleted'"
                    );
                    let row: Option<LoginRow> =
                        sqlx::query_as(&sql).bind(entity_id).bind(key).fetch_optional(self.c()).await.map_err(map_err)?;
                    row.map(LoginRecord::try_from).transpose()
                }

                async fn find_logins_by_id_number(&mut self, entity_id: i64, lookup: &str) -> StoreResult<Vec<LoginRecord>> {
                    let sql = format!("SELECT {LOGIN_COLS} FROM logins WHERE entity_id = $1 AND id_number_lookup = $2");
                    let rows: Vec<LoginRow> =
                        sqlx::query_as(&sql).bind(entity_id).bind(lookup).fetch_all(self.c()).await.map_err(map_err)?;
                    rows.into_iter().map(LoginRecord::try_from).collect()
                }

                async fn list_logins(&mut self, entity_id: i64) -> StoreResult<Vec<LoginRecord>> {
                    let sql = format!("SELECT {LOGIN_COLS} FROM logins WHERE entity_id = $1 ORDER BY created_at, id");
                    let rows: Vec<LoginRow> =
                        sqlx::query_as(&sql).bind(entity_id).fetch_all(self.c()).await.map_err(map_err)?;
                    rows.into_iter().map(LoginRecord::try_from).collect()
                }

                async fn list_logins_page(
                    &mut self,
                    entity_id: i64,
                    after: Option<(Timestamp, String)>,
                    limit: i64,
                ) -> StoreResult<Vec<LoginRecord>> {
                    // Keyset paging on the index `logins_entity_order`: each page costs its own
                    // length, however far into the entity it starts. The first page starts
                    // after a key below every login's.
                    let (created_at, id) = after.unwrap_or((Timestamp(i64::MIN), String::new()));
                    let sql = format!(
                        "SELECT {LOGIN_COLS} FROM logins WHERE entity_id = $1 AND status <> 'deleted' \
                         AND (created_at, id) > ($2, $3) ORDER BY created_at, id LIMIT $4"
                    );
                    let rows: Vec<LoginRow> = sqlx::query_as(&sql)
                        .bind(entity_id)
                        .bind(created_at.0)
                        .bind(id)
                        .bind(limit)
                        .fetch_all(self.c())
                        .await
                        .map_err(map_err)?;
                    rows.into_iter().map(LoginRecord::try_from).collect()
                }
            }
        }
    };
}
