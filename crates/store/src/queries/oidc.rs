//! The SQL of `OidcTx`, the OpenID Connect provider's part of the port: clients, codes,
//! grants, tokens, signing keys, the back-channel logout outbox and the sweep's purges.

/// `$skip_locked` is the backend's `SKIP LOCKED` for leasing logouts (`outbox::lease_sql`).
macro_rules! impl_oidc_tx {
    ($DbTx:ident, $skip_locked:literal) => {
        mod oidc {
            use domain::clock::Timestamp;
            use domain::model::oidc as om;
            use domain::store::OidcTx;
            use domain::store::StoreResult;

            use super::$DbTx;
            use $crate::error::map_err;
            use $crate::outbox::lease_sql;
            use $crate::queries::oidc_rows::{
                ClientRow, GrantRow, LogoutRow, OidcCodeRow, SigningKeyRow, TokenGrantRow, CLIENT_COLS, GRANT_COLS,
                KEY_COLS, LEASED_LOGOUT_COLS, OIDC_CODE_COLS,
            };

            #[async_trait::async_trait]
            impl OidcTx for $DbTx {
                async fn insert_client(&mut self, c: &om::ClientRecord) -> StoreResult<()> {
                    sqlx::query(&format!("INSERT INTO oidc_clients ({CLIENT_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"))
                        .bind(&c.client_id)
                        .bind(c.auth.as_str())
                        .bind(&c.secret_hash)
                        .bind(&c.jwks)
                        .bind(c.redirect_uris.join("\n"))
                        .bind(c.post_logout_redirect_uris.join("\n"))
                        .bind(&c.backchannel_logout_uri)
                        .bind(c.created_at.0)
                        .bind(c.updated_at.0)
                        .execute(self.c())
                        .await
                        .map_err(map_err)?;
                    Ok(())
                }

                async fn find_client(&mut self, client_id: &str) -> StoreResult<Option<om::ClientRecord>> {
                    let sql = format!("SELECT {CLIENT_COLS} FROM oidc_clients WHERE client_id = $1");
                    let row: Option<ClientRow> =
                        sqlx::query_as(&sql).bind(client_id).fetch_optional(self.c()).await.map_err(map_err)?;
                    row.map(om::ClientRecord::try_from).transpose()
                }

                async fn list_clients(&mut self) -> StoreResult<Vec<om::ClientRecord>> {
                    let sql = format!("SELECT {CLIENT_COLS} FROM oidc_clients ORDER BY client_id");
                    let rows: Vec<ClientRow> = sqlx::query_as(&sql).fetch_all(self.c()).await.map_err(map_err)?;
                    rows.into_iter().map(om::ClientRecord::try_from).collect()
                }

                async fn record_assertion(&mut self, client_id: &str, jti: &str, expires_at: Timestamp, now: Timestamp) -> StoreResult<bool> {
                    sqlx::query("DELETE FROM oidc_assertions WHERE expires_at < $1")
                        .bind(now.0)
                        .execute(self.c())
                        .await
                        .map_err(map_err)?;
                    let r = sqlx::query(
                        "INSERT INTO oidc_assertions (client_id, jti, expires_at) VALUES ($1, $2, $3) \
                         ON CONFLICT (client_id, jti) DO NOTHING",
                    )
                    .bind(client_id)
                    .bind(jti)
                    .bind(expires_at.0)
                    .execute(self.c())
                    .await
                    .map_err(map_err)?;
                    Ok(r.rows_affected() == 1)
                }

                async fn update_client(&mut self, c: &om::ClientRecord) -> StoreResult<()> {
                    sqlx::query(
                        "UPDATE oidc_clients SET auth_method = $1, secret_hash = $2, jwks = $3, redirect_uris = $4, \
                         post_logout_redirect_uris = $5, backchannel_logout_uri = $6, updated_at = $7 WHERE client_id = $8",
                    )
                    .bind(c.auth.as_str())
                    .bind(&c.secret_hash)
                    .bind(&c.jwks)
                    .bind(c.redirect_uris.join("\n"))
                    .bind(c.post_logout_redirect_uris.join("\n"))
                    .bind(&c.backchannel_logout_uri)
                    .bind(c.updated_at.0)
                    .bind(&c.client_id)
                    .execute(self.c())
                    .await
                    .map_err(map_err)?;
                    Ok(())
                }

                async fn update_client_secret(&mut self, client_id: &str, secret_hash: &str, at: Timestamp) -> StoreResult<()> {
                    sqlx::query("UPDATE oidc_clients SET secret_hash = $1, updated_at = $2 WHERE client_id = $3")
                        .bind(secret_hash)
                        .bind(at.0)
                        .bind(client_id)
                        .execute(self.c())
                        .await
                        .map_err(map_err)?;
                    Ok(())
                }

                async fn insert_oidc_code(&mut self, c: &om::CodeRecord) -> StoreResult<()> {
                    sqlx::query(&format!(
                        "INSERT INTO oidc_codes ({OIDC_CODE_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)"
                    ))
                    .bind(&c.code_hash)
                    .bind(&c.client_id)
                    .bind(c.entity_id)
                    .bind(c.login_id.as_str())
                    .bind(&c.redirect_uri)
                    .bind(&c.code_challenge)
                    .bind(&c.nonce)
                    .bind(&c.scope)
                    .bind(&c.sid)
                    .bind(&c.session_hash)
                    .bind(c.auth.auth_time.0)
                    .bind(&c.auth.acr)
                    .bind(&c.auth.amr)
                    .bind(&c.auth.locale)
                    .bind(c.created_at.0)
                    .bind(c.expires_at.0)
                    .bind(&c.grant_id)
                    .bind(c.on_behalf.as_ref().map(|o| o.represented_entity_id))
                    .bind(c.on_behalf.as_ref().map(|o| o.mandate_id.as_str()))
                    .execute(self.c())
                    .await
                    .map_err(map_err)?;
                    Ok(())
                }

                async fn find_oidc_code(&mut self, code_hash: &str) -> StoreResult<Option<om::CodeRecord>> {
                    let sql = format!("SELECT {OIDC_CODE_COLS} FROM oidc_codes WHERE code_hash = $1");
                    let row: Option<OidcCodeRow> =
                        sqlx::query_as(&sql).bind(code_hash).fetch_optional(self.c()).await.map_err(map_err)?;
                    Ok(row.map(Into::into))
                }

                async fn redeem_oidc_code(&mut self, code_hash: &str, grant_id: &str) -> StoreResult<bool> {
                    let r = sqlx::query("UPDATE oidc_codes SET grant_id = $1 WHERE code_hash = $2 AND grant_id IS NULL")
                        .bind(grant_id)
                        .bind(code_hash)
                        .execute(self.c())
                        .await
                        .map_err(map_err)?;
                    Ok(r.rows_affected() == 1)
                }

                async fn insert_grant(&mut self, g: &om::GrantRecord) -> StoreResult<()> {
                    sqlx::query(&format!(
                        "INSERT INTO oidc_grants ({GRANT_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
                    ))
                    .bind(&g.id)
                    .bind(&g.client_id)
                    .bind(g.entity_id)
                    .bind(g.login_id.as_deref())
                    .bind(&g.sid)
                    .bind(&g.scope)
                    .bind(g.auth.auth_time.0)
                    .bind(&g.auth.acr)
                    .bind(&g.auth.amr)
                    .bind(&g.auth.locale)
                    .bind(g.created_at.0)
                    .bind(g.revoked_at.map(|t| t.0))
                    .bind(g.on_behalf.as_ref().map(|o| o.represented_entity_id))
                    .bind(g.on_behalf.as_ref().map(|o| o.mandate_id.as_str()))
                    .execute(self.c())
                    .await
                    .map_err(map_err)?;
                    Ok(())
                }

                async fn find_grant(&mut self, id: &str) -> StoreResult<Option<om::GrantRecord>> {
                    let sql = format!("SELECT {GRANT_COLS} FROM oidc_grants WHERE id = $1");
                    let row: Option<GrantRow> = sqlx::query_as(&sql).bind(id).fetch_optional(self.c()).await.map_err(map_err)?;
                    Ok(row.map(Into::into))
                }

                async fn revoke_grant(&mut self, id: &str, at: Timestamp) -> StoreResult<()> {
                    sqlx::query("UPDATE oidc_grants SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                        .bind(at.0)
                        .bind(id)
                        .execute(self.c())
                        .await
                        .map_err(map_err)?;
                    Ok(())
                }

                async fn live_grants_of_login(
                    &mut self,
                    entity_id: i64,
                    login_id: &str,
                    client_id: Option<&str>,
                ) -> StoreResult<Vec<om::GrantRecord>> {
                    let sql = format!(
                        "SELECT {GRANT_COLS} FROM oidc_grants WHERE entity_id = $1 AND login_id = $2 \
                         AND revoked_at IS NULL AND ($3 IS NULL OR client_id = $3) ORDER BY created_at"
                    );
                    let rows: Vec<GrantRow> = sqlx::query_as(&sql)
                        .bind(entity_id)
                        .bind(login_id)
                        .bind(client_id)
                        .fetch_all(self.c())
                        .await
                        .map_err(map_err)?;
                    Ok(rows.into_iter().map(Into::into).collect())
                }

                async fn live_grants_of_sid(&mut self, sid: &str) -> StoreResult<Vec<om::GrantRecord>> {
                    let sql = format!(
                        "SELECT {GRANT_COLS} FROM oidc_grants WHERE sid = $1 AND revoked_at IS NULL ORDER BY created_at"
                    );
                    let rows: Vec<GrantRow> = sqlx::query_as(&sql).bind(sid).fetch_all(self.c()).await.map_err(map_err)?;
                    Ok(rows.into_iter().map(Into::into).collect())
                }

                async fn rebind_session(&mut self, old_hash: &str, new_hash: &str, old_sid: &str, new_sid: &str) -> StoreResult<()> {
                    sqlx::query("UPDATE oidc_codes SET session_hash = $1, sid = $2 WHERE session_hash = $3")
                        .bind(new_hash)
                        .bind(new_sid)
                        .bind(old_hash)
                        .execute(self.c())
                        .await
                        .map_err(map_err)?;
                    sqlx::query("UPDATE oidc_grants SET sid = $1 WHERE sid = $2")
                        .bind(new_sid)
                        .bind(old_sid)
                        .execute(self.c())
                        .await
                        .map_err(map_err)?;
                    Ok(())
                }

                async fn insert_token(&mut self, t: &om::TokenRecord) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO oidc_tokens (token_hash, grant_id, kind, created_at, expires_at, used_at) \
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(&t.token_hash)
                    .bind(&t.grant_id)
                    .bind(t.kind.as_str())
                    .bind(t.created_at.0)
                    .bind(t.expires_at.0)
                    .bind(t.used_at.map(|u| u.0))
                    .execute(self.c())
                    .await
                    .map_err(map_err)?;
                    Ok(())
                }

                async fn find_token_with_grant(
                    &mut self,
                    token_hash: &str,
                ) -> StoreResult<Option<(om::TokenRecord, om::GrantRecord)>> {
                    // The grant's columns keep their names (`GrantRow` reads them); the token's
                    // that would collide with them are renamed.
                    let row: Option<TokenGrantRow> = sqlx::query_as(
                        "SELECT g.*, t.token_hash, t.kind AS token_kind, t.created_at AS token_created_at, \
                         t.expires_at AS token_expires_at, t.used_at AS token_used_at \
                         FROM oidc_tokens t JOIN oidc_grants g ON g.id = t.grant_id WHERE t.token_hash = $1",
                    )
                    .bind(token_hash)
                    .fetch_optional(self.c())
                    .await
                    .map_err(map_err)?;
                    row.map(TryInto::try_into).transpose()
                }

                async fn use_token(&mut self, token_hash: &str, at: Timestamp) -> StoreResult<bool> {
                    let r = sqlx::query("UPDATE oidc_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL")
                        .bind(at.0)
                        .bind(token_hash)
                        .execute(self.c())
                        .await
                        .map_err(map_err)?;
                    Ok(r.rows_affected() == 1)
                }

                async fn insert_signing_key(&mut self, k: &om::SigningKeyRecord) -> StoreResult<()> {
                    sqlx::query(&format!("INSERT INTO oidc_keys ({KEY_COLS}) VALUES ($1, $2, $3, $4, $5)"))
                        .bind(&k.kid)
                        .bind(&k.private_sealed)
                        .bind(&k.public_jwk)
                        .bind(k.created_at.0)
                        .bind(k.retired_at.map(|t| t.0))
                        .execute(self.c())
                        .await
                        .map_err(map_err)?;
                    Ok(())
                }

                async fn retire_signing_keys(&mut self, at: Timestamp) -> StoreResult<()> {
                    sqlx::query("UPDATE oidc_keys SET retired_at = $1 WHERE retired_at IS NULL")
                        .bind(at.0)
                        .execute(self.c())
                        .await
                        .map_err(map_err)?;
                    Ok(())
                }

                async fn list_signing_keys(&mut self) -> StoreResult<Vec<om::SigningKeyRecord>> {
                    let sql = format!("SELECT {KEY_COLS} FROM oidc_keys ORDER BY created_at DESC, kid");
                    let rows: Vec<SigningKeyRow> = sqlx::query_as(&sql).fetch_all(self.c()).await.map_err(map_err)?;
                    Ok(rows.into_iter().map(Into::into).collect())
                }

                async fn insert_logout(&mut self, client_id: &str, sub: &str, sid: Option<&str>, at: Timestamp) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO backchannel_outbox (client_id, sub, sid, created_at, next_attempt_at, attempts) \
                         VALUES ($1, $2, $3, $4, $4, 0)",
                    )
                    .bind(client_id)
                    .bind(sub)
                    .bind(sid)
                    .bind(at.0)
                    .execute(self.c())
                    .await
                    .map_err(map_err)?;
                    Ok(())
                }

                async fn lease_logouts(&mut self, now: Timestamp, lease_until: Timestamp, owner: &str, limit: i64) -> StoreResult<Vec<om::LogoutRecord>> {
                    let sql = lease_sql("backchannel_outbox", LEASED_LOGOUT_COLS, $skip_locked);
                    let rows: Vec<LogoutRow> = sqlx::query_as(&sql)
                        .bind(owner)
                        .bind(lease_until.0)
                        .bind(now.0)
                        .bind(limit)
                        .fetch_all(self.c())
                        .await
                        .map_err(map_err)?;
                    let mut out: Vec<om::LogoutRecord> = rows.into_iter().map(Into::into).collect();
                    out.sort_by_key(|o| o.id);
                    Ok(out)
                }

                async fn mark_logout_delivered(&mut self, id: i64, owner: &str, at: Timestamp) -> StoreResult<()> {
                    sqlx::query(
                        "UPDATE backchannel_outbox SET delivered_at = $1, lease_until = NULL, last_error = NULL \
                         WHERE id = $2 AND lease_owner = $3",
                    )
                    .bind(at.0)
                    .bind(id)
                    .bind(owner)
                    .execute(self.c())
                    .await
                    .map_err(map_err)?;
                    Ok(())
                }

                async fn mark_logout_retry(&mut self, id: i64, owner: &str, next: Timestamp, error: &str) -> StoreResult<()> {
                    sqlx::query(
                        "UPDATE backchannel_outbox SET next_attempt_at = $1, lease_until = NULL, last_error = $2 \
                         WHERE id = $3 AND lease_owner = $4",
                    )
                    .bind(next.0)
                    .bind(error)
                    .bind(id)
                    .bind(owner)
                    .execute(self.c())
                    .await
                    .map_err(map_err)?;
                    Ok(())
                }

                async fn expired_sessions(&mut self, now: Timestamp, idle_before: Timestamp, limit: i64) -> StoreResult<Vec<String>> {
                    sqlx::query_scalar(
                        "SELECT token_hash FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2 ORDER BY token_hash LIMIT $3",
                    )
                    .bind(now.0)
                    .bind(idle_before.0)
                    .bind(limit)
                    .fetch_all(self.c())
                    .await
                    .map_err(map_err)
                }

                async fn purge_oidc(&mut self, before: Timestamp) -> StoreResult<u64> {
                    let statements = [
                        "DELETE FROM oidc_codes WHERE expires_at < $1",
                        "DELETE FROM oidc_tokens WHERE expires_at < $1",
                        "DELETE FROM oidc_tokens WHERE grant_id IN (SELECT id FROM oidc_grants WHERE revoked_at < $1)",
                        "DELETE FROM oidc_codes WHERE grant_id IN (SELECT id FROM oidc_grants WHERE revoked_at < $1)",
                        "DELETE FROM oidc_grants WHERE revoked_at < $1",
                        "DELETE FROM oidc_assertions WHERE expires_at < $1",
                        "DELETE FROM backchannel_outbox WHERE delivered_at < $1",
                    ];
                    let mut n = 0;
                    for sql in statements {
                        n += sqlx::query(sql).bind(before.0).execute(self.c()).await.map_err(map_err)?.rows_affected();
                    }
                    Ok(n)
                }

                async fn delete_registration(&mut self, entity_id: i64, code: &str) -> StoreResult<bool> {
                    let r = sqlx::query("DELETE FROM entity_eservices WHERE entity_id = $1 AND eservice_code = $2")
                        .bind(entity_id)
                        .bind(code)
                        .execute(self.c())
                        .await
                        .map_err(map_err)?;
                    Ok(r.rows_affected() > 0)
                }
            }
        }
    };
}
