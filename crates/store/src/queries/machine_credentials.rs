//! The SQL of `MachineCredentialsTx`: an entity's machine credentials with their e-services,
//! their tokens (read with the credential in one statement), their one-use assertions and
//! their ending notices. The row structs are converted here only.

use domain::clock::Timestamp;
use domain::model::oidc::ClientAuth;
use domain::model::{MachineCredentialRecord, MachineTokenFacts, MachineTokenRecord, Resource};
use domain::numbers::LoginId;
use domain::store::StoreError;

use crate::columns::parse;

pub(crate) const CREDENTIAL_COLS: &str = "entity_id, client_id, name, auth, secret_hash, jwk, provisioning, \
                                          valid_until, created_by, created_at, last_used_at, warned_days";

#[derive(sqlx::FromRow)]
pub(crate) struct CredentialRow {
    entity_id: i64,
    client_id: String,
    name: String,
    auth: String,
    secret_hash: String,
    jwk: Option<String>,
    provisioning: bool,
    valid_until: i64,
    created_by: String,
    created_at: i64,
    last_used_at: Option<i64>,
    warned_days: Option<i64>,
}

/// Credential rows joined with their e-services, `(client_id, code)` pairs in code order.
pub(crate) fn assemble(
    rows: Vec<CredentialRow>,
    codes: Vec<(String, String)>,
) -> Result<Vec<MachineCredentialRecord>, StoreError> {
    rows.into_iter()
        .map(|r| {
            let eservices = codes.iter().filter(|(c, _)| *c == r.client_id).map(|(_, e)| e.clone()).collect();
            Ok(MachineCredentialRecord {
                entity_id: r.entity_id,
                auth: parse("auth", &r.auth, ClientAuth::parse)?,
                client_id: r.client_id,
                name: r.name,
                secret_hash: r.secret_hash,
                jwk: r.jwk,
                eservices,
                provisioning: r.provisioning,
                valid_until: Timestamp(r.valid_until),
                created_by: LoginId::from_stored(r.created_by),
                created_at: Timestamp(r.created_at),
                last_used_at: r.last_used_at.map(Timestamp),
                warned_days: r.warned_days,
            })
        })
        .collect()
}

/// A token, its credential's end and right, its entity's number, and whether the credential
/// still names the token's e-service and the entity may use it (registered where required).
pub(crate) const TOKEN_FACTS_SQL: &str = "SELECT t.token_hash, t.entity_id, t.client_id, t.resource, t.created_at, \
     t.expires_at, c.valid_until, c.provisioning, e.number AS entity_number, \
     EXISTS (SELECT 1 FROM machine_credential_eservices me JOIN eservices s ON s.code = me.eservice_code \
       WHERE me.entity_id = t.entity_id AND me.client_id = t.client_id AND me.eservice_code = t.resource \
       AND (NOT s.requires_registration OR EXISTS (SELECT 1 FROM entity_eservices r \
         WHERE r.entity_id = t.entity_id AND r.eservice_code = s.code))) AS eservice_granted \
     FROM machine_tokens t \
     JOIN machine_credentials c ON c.entity_id = t.entity_id AND c.client_id = t.client_id \
     JOIN entities e ON e.id = t.entity_id \
     WHERE t.token_hash = $1";

#[derive(sqlx::FromRow)]
pub(crate) struct TokenFactsRow {
    token_hash: String,
    entity_id: i64,
    client_id: String,
    resource: String,
    created_at: i64,
    expires_at: i64,
    valid_until: i64,
    provisioning: bool,
    entity_number: String,
    eservice_granted: bool,
}

impl From<TokenFactsRow> for MachineTokenFacts {
    fn from(r: TokenFactsRow) -> Self {
        MachineTokenFacts {
            token: MachineTokenRecord {
                token_hash: r.token_hash,
                entity_id: r.entity_id,
                client_id: r.client_id,
                resource: Resource::from_stored(&r.resource),
                created_at: Timestamp(r.created_at),
                expires_at: Timestamp(r.expires_at),
            },
            entity_number: r.entity_number,
            valid_until: Timestamp(r.valid_until),
            provisioning: r.provisioning,
            eservice_granted: r.eservice_granted,
        }
    }
}

/// Which credentials a read selects.
#[derive(Clone, Copy)]
pub(crate) enum Which<'a> {
    ClientId(&'a str),
    Entity(i64),
}

macro_rules! impl_machine_credentials_tx {
    ($DbTx:ident) => {
        mod machine_credentials {
            use domain::clock::Timestamp;
            use domain::model::{MachineCredentialRecord, MachineTokenFacts, MachineTokenRecord};
            use domain::store::{MachineCredentialsTx, StoreResult};

            use super::$DbTx;
            use $crate::error::map_err;
            use $crate::queries::machine_credentials::{
                assemble, CredentialRow, TokenFactsRow, Which, CREDENTIAL_COLS, TOKEN_FACTS_SQL,
            };

            impl $DbTx {
                async fn credentials_where(&mut self, which: Which<'_>) -> StoreResult<Vec<MachineCredentialRecord>> {
                    let clause = match which {
                        Which::ClientId(_) => "client_id = $1",
                        Which::Entity(_) => "entity_id = $1",
                    };
                    let sql = format!(
                        "SELECT {CREDENTIAL_COLS} FROM machine_credentials WHERE {clause} ORDER BY name, client_id"
                    );
                    let q = sqlx::query_as(&sql);
                    let q = match which { Which::ClientId(c) => q.bind(c.to_string()), Which::Entity(e) => q.bind(e) };
                    let rows: Vec<CredentialRow> = q.fetch_all(self.c()).await.map_err(map_err)?;
                    let sql = format!(
                        "SELECT client_id, eservice_code FROM machine_credential_eservices WHERE {clause} \
                         ORDER BY eservice_code"
                    );
                    let q = sqlx::query_as(&sql);
                    let q = match which { Which::ClientId(c) => q.bind(c.to_string()), Which::Entity(e) => q.bind(e) };
                    let codes: Vec<(String, String)> = q.fetch_all(self.c()).await.map_err(map_err)?;
                    assemble(rows, codes)
                }

                async fn insert_credential_eservices(
                    &mut self,
                    entity_id: i64,
                    client_id: &str,
                    eservices: &[String],
                ) -> StoreResult<()> {
                    for code in eservices {
                        sqlx::query(
                            "INSERT INTO machine_credential_eservices (entity_id, client_id, eservice_code) \
                             VALUES ($1, $2, $3)",
                        )
                        .bind(entity_id)
                        .bind(client_id)
                        .bind(code)
                        .execute(self.c())
                        .await
                        .map_err(map_err)?;
                    }
                    Ok(())
                }
            }

            #[async_trait::async_trait]
            impl MachineCredentialsTx for $DbTx {
                async fn insert_machine_credential(&mut self, c: &MachineCredentialRecord) -> StoreResult<()> {
                    let sql = format!(
                        "INSERT INTO machine_credentials ({CREDENTIAL_COLS}) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
                    );
                    sqlx::query(&sql)
                        .bind(c.entity_id)
                        .bind(&c.client_id)
                        .bind(&c.name)
                        .bind(c.auth.as_str())
                        .bind(&c.secret_hash)
                        .bind(c.jwk.as_deref())
                        .bind(c.provisioning)
                        .bind(c.valid_until.0)
                        .bind(c.created_by.as_str())
                        .bind(c.created_at.0)
                        .bind(c.last_used_at.map(|t| t.0))
                        .bind(c.warned_days)
                        .execute(self.c())
                        .await
                        .map_err(map_err)?;
                    self.insert_credential_eservices(c.entity_id, &c.client_id, &c.eservices).await
                }

                async fn find_machine_credential(
                    &mut self,
                    client_id: &str,
                ) -> StoreResult<Option<MachineCredentialRecord>> {
                    Ok(self.credentials_where(Which::ClientId(client_id)).await?.pop())
                }

                async fn list_machine_credentials(&mut self, entity_id: i64) -> StoreResult<Vec<MachineCredentialRecord>> {
                    self.credentials_where(Which::Entity(entity_id)).await
                }

                async fn update_machine_credential_eservices(
                    &mut self,
                    entity_id: i64,
                    client_id: &str,
                    eservices: &[String],
                ) -> StoreResult<bool> {
                    let found: Option<i64> = sqlx::query_scalar(
                        "SELECT entity_id FROM machine_credentials WHERE entity_id = $1 AND client_id = $2",
                    )
                    .bind(entity_id)
                    .bind(client_id)
                    .fetch_optional(self.c())
                    .await
                    .map_err(map_err)?;
                    if found.is_none() {
                        return Ok(false);
                    }
                    sqlx::query("DELETE FROM machine_credential_eservices WHERE entity_id = $1 AND client_id = $2")
                        .bind(entity_id)
                        .bind(client_id)
                        .execute(self.c())
                        .await
                        .map_err(map_err)?;
                    self.insert_credential_eservices(entity_id, client_id, eservices).await?;
                    Ok(true)
                }

                async fn delete_machine_credential(&mut self, entity_id: i64, client_id: &str) -> StoreResult<bool> {
                    for table in ["machine_tokens", "machine_assertions", "machine_credential_eservices"] {
                        sqlx::query(&format!("DELETE FROM {table} WHERE entity_id = $1 AND client_id = $2"))
                            .bind(entity_id)
                            .bind(client_id)
                            .execute(self.c())
                            .await
                            .map_err(map_err)?;
                    }
                    let r = sqlx::query("DELETE FROM machine_credentials WHERE entity_id = $1 AND client_id = $2")
                        .bind(entity_id)
                        .bind(client_id)
                        .execute(self.c())
                        .await
                        .map_err(map_err)?;
                    Ok(r.rows_affected() == 1)
                }

                async fn record_machine_use(
                    &mut self,
                    entity_id: i64,
                    client_id: &str,
                    now: Timestamp,
                    before: Timestamp,
                ) -> StoreResult<()> {
                    sqlx::query(
                        "UPDATE machine_credentials SET last_used_at = $3 WHERE entity_id = $1 AND client_id = $2 \
                         AND (last_used_at IS NULL OR last_used_at <= $4)",
                    )
                    .bind(entity_id)
                    .bind(client_id)
                    .bind(now.0)
                    .bind(before.0)
                    .execute(self.c())
                    .await
                    .map_err(map_err)?;
                    Ok(())
                }

                async fn insert_machine_token(&mut self, t: &MachineTokenRecord) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO machine_tokens (token_hash, entity_id, client_id, resource, created_at, expires_at) \
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(&t.token_hash)
                    .bind(t.entity_id)
                    .bind(&t.client_id)
                    .bind(t.resource.as_stored())
                    .bind(t.created_at.0)
                    .bind(t.expires_at.0)
                    .execute(self.c())
                    .await
                    .map_err(map_err)?;
                    Ok(())
                }

                async fn find_machine_token(&mut self, token_hash: &str) -> StoreResult<Option<MachineTokenFacts>> {
                    let row: Option<TokenFactsRow> = sqlx::query_as(TOKEN_FACTS_SQL)
                        .bind(token_hash)
                        .fetch_optional(self.c())
                        .await
                        .map_err(map_err)?;
                    Ok(row.map(MachineTokenFacts::from))
                }

                async fn record_machine_assertion(
                    &mut self,
                    entity_id: i64,
                    client_id: &str,
                    jti: &str,
                    expires_at: Timestamp,
                ) -> StoreResult<bool> {
                    let r = sqlx::query(
                        "INSERT INTO machine_assertions (entity_id, client_id, jti, expires_at) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (entity_id, client_id, jti) DO NOTHING",
                    )
                    .bind(entity_id)
                    .bind(client_id)
                    .bind(jti)
                    .bind(expires_at.0)
                    .execute(self.c())
                    .await
                    .map_err(map_err)?;
                    Ok(r.rows_affected() == 1)
                }

                async fn list_ending_machine_credentials(
                    &mut self,
                    now: Timestamp,
                    thresholds: &[(i64, Timestamp)],
                    limit: i64,
                ) -> StoreResult<Vec<MachineCredentialRecord>> {
                    if thresholds.is_empty() {
                        return Ok(Vec::new());
                    }
                    let due: Vec<String> = (0..thresholds.len())
                        .map(|i| {
                            let (d, t) = (3 + 2 * i, 4 + 2 * i);
                            format!("(valid_until <= ${t} AND (warned_days IS NULL OR warned_days > ${d}))")
                        })
                        .collect();
                    let sql = format!(
                        "SELECT client_id FROM machine_credentials WHERE valid_until > $1 AND ({}) \
                         ORDER BY valid_until, client_id LIMIT $2",
                        due.join(" OR ")
                    );
                    let mut q = sqlx::query_scalar(&sql).bind(now.0).bind(limit);
                    for (days, at) in thresholds {
                        q = q.bind(*days).bind(at.0);
                    }
                    let ids: Vec<String> = q.fetch_all(self.c()).await.map_err(map_err)?;
                    let mut out = Vec::with_capacity(ids.len());
                    for id in ids {
                        out.extend(self.credentials_where(Which::ClientId(&id)).await?);
                    }
                    Ok(out)
                }

                async fn set_machine_credential_warned(
                    &mut self,
                    entity_id: i64,
                    client_id: &str,
                    days: i64,
                ) -> StoreResult<()> {
                    sqlx::query("UPDATE machine_credentials SET warned_days = $3 WHERE entity_id = $1 AND client_id = $2")
                        .bind(entity_id)
                        .bind(client_id)
                        .bind(days)
                        .execute(self.c())
                        .await
                        .map_err(map_err)?;
                    Ok(())
                }

                async fn purge_machine_tokens(&mut self, before: Timestamp) -> StoreResult<u64> {
                    let mut n = 0;
                    for table in ["machine_tokens", "machine_assertions"] {
                        let r = sqlx::query(&format!("DELETE FROM {table} WHERE expires_at < $1"))
                            .bind(before.0)
                            .execute(self.c())
                            .await
                            .map_err(map_err)?;
                        n += r.rows_affected();
                    }
                    Ok(n)
                }
            }
        }
    };
}
