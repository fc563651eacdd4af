//! The SQL of the e-ID store methods, instantiated after `impl_store!` in each backend's
//! module (it reuses that expansion's `DbTx`, `get`, `ts` and `map_err`).

macro_rules! impl_eid_store {
    () => {
        use domain::model::eid as em;

        const EID_COLS: &str = "entity_id, login_id, face_enabled, face_off_reason, face_failures, face_next_try_at, \
                                totp_secret_sealed, totp_last_step, totp_bound_at, updated_at";
        const ENROLMENT_COLS: &str = "entity_id, id, login_id, created_at, expires_at, used_at";

        #[async_trait::async_trait]
        impl domain::eid::store::EidTx for DbTx {
            async fn find_eid(&mut self, entity_id: i64, login_id: &str) -> StoreResult<Option<em::EidRecord>> {
                let sql = format!("SELECT {EID_COLS} FROM login_eid WHERE entity_id = $1 AND login_id = $2");
                let row = sqlx::query(&sql).bind(entity_id).bind(login_id).fetch_optional(self.c()).await.map_err(map_err)?;
                let Some(r) = row else { return Ok(None) };
                Ok(Some(em::EidRecord {
                    entity_id: get(&r, "entity_id")?,
                    login_id: get(&r, "login_id")?,
                    face_enabled: get(&r, "face_enabled")?,
                    face_off_reason: get(&r, "face_off_reason")?,
                    face_failures: get(&r, "face_failures")?,
                    face_next_try_at: ts(&r, "face_next_try_at")?,
                    totp_secret_sealed: get(&r, "totp_secret_sealed")?,
                    totp_last_step: get(&r, "totp_last_step")?,
                    totp_bound_at: ts_opt(&r, "totp_bound_at")?,
                    updated_at: ts(&r, "updated_at")?,
                }))
            }

            async fn upsert_eid(&mut self, e: &em::EidRecord) -> StoreResult<()> {
                sqlx::query(&format!(
                    "INSERT INTO login_eid ({EID_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                     ON CONFLICT (entity_id, login_id) DO UPDATE SET face_enabled = $3, face_off_reason = $4, \
                     face_failures = $5, face_next_try_at = $6, totp_secret_sealed = $7, totp_last_step = $8, \
                     totp_bound_at = $9, updated_at = $10"
                ))
                .bind(e.entity_id)
                .bind(&e.login_id)
                .bind(e.face_enabled)
                .bind(&e.face_off_reason)
                .bind(e.face_failures)
                .bind(e.face_next_try_at.0)
                .bind(&e.totp_secret_sealed)
                .bind(e.totp_last_step)
                .bind(e.totp_bound_at.map(|t| t.0))
                .bind(e.updated_at.0)
                .execute(self.c())
                .await
                .map_err(map_err)?;
                Ok(())
            }

            async fn insert_enrolment(&mut self, e: &em::EnrolmentRecord) -> StoreResult<()> {
                sqlx::query(&format!("INSERT INTO eid_enrolments ({ENROLMENT_COLS}) VALUES ($1, $2, $3, $4, $5, $6)"))
                    .bind(e.entity_id)
                    .bind(&e.id)
                    .bind(&e.login_id)
                    .bind(e.created_at.0)
                    .bind(e.expires_at.0)
                    .bind(e.used_at.map(|t| t.0))
                    .execute(self.c())
                    .await
                    .map_err(map_err)?;
                Ok(())
            }

            async fn find_enrolment(&mut self, entity_id: i64, id: &str) -> StoreResult<Option<em::EnrolmentRecord>> {
                let sql = format!("SELECT {ENROLMENT_COLS} FROM eid_enrolments WHERE entity_id = $1 AND id = $2");
                let row = sqlx::query(&sql).bind(entity_id).bind(id).fetch_optional(self.c()).await.map_err(map_err)?;
                let Some(r) = row else { return Ok(None) };
                Ok(Some(em::EnrolmentRecord {
                    entity_id: get(&r, "entity_id")?,
                    id: get(&r, "id")?,
                    login_id: get(&r, "login_id")?,
                    created_at: ts(&r, "created_at")?,
                    expires_at: ts(&r, "expires_at")?,
                    used_at: ts_opt(&r, "used_at")?,
                }))
            }

            async fn use_enrolment(&mut self, entity_id: i64, id: &str, at: Timestamp) -> StoreResult<bool> {
                let r = sqlx::query(
                    "UPDATE eid_enrolments SET used_at = $1 WHERE entity_id = $2 AND id = $3 AND used_at IS NULL",
                )
                .bind(at.0)
                .bind(entity_id)
                .bind(id)
                .execute(self.c())
                .await
                .map_err(map_err)?;
                Ok(r.rows_affected() == 1)
            }

            async fn insert_eid_key(&mut self, k: &em::EidKeyRecord) -> StoreResult<()> {
                sqlx::query("INSERT INTO eid_keys (id, private_sealed, public_key, created_at) VALUES ($1, $2, $3, $4)")
                    .bind(&k.id)
                    .bind(&k.private_sealed)
                    .bind(&k.public_key)
                    .bind(k.created_at.0)
                    .execute(self.c())
                    .await
                    .map_err(map_err)?;
                Ok(())
            }

            async fn find_eid_key(&mut self) -> StoreResult<Option<em::EidKeyRecord>> {
                let row = sqlx::query(
                    "SELECT id, private_sealed, public_key, created_at FROM eid_keys ORDER BY created_at DESC, id LIMIT 1",
                )
                .fetch_optional(self.c())
                .await
                .map_err(map_err)?;
                let Some(r) = row else { return Ok(None) };
                Ok(Some(em::EidKeyRecord {
                    id: get(&r, "id")?,
                    private_sealed: get(&r, "private_sealed")?,
                    public_key: get(&r, "public_key")?,
                    created_at: ts(&r, "created_at")?,
                }))
            }

            async fn purge_enrolments(&mut self, before: Timestamp) -> StoreResult<u64> {
                let r = sqlx::query("DELETE FROM eid_enrolments WHERE expires_at < $1")
                    .bind(before.0)
                    .execute(self.c())
                    .await
                    .map_err(map_err)?;
                Ok(r.rows_affected())
            }

            async fn set_step_up(&mut self, token_hash: &str, at: Timestamp, method: &str) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO session_step_ups (token_hash, at, method) VALUES ($1, $2, $3) \
                     ON CONFLICT (token_hash) DO UPDATE SET at = $2, method = $3",
                )
                .bind(token_hash)
                .bind(at.0)
                .bind(method)
                .execute(self.c())
                .await
                .map_err(map_err)?;
                Ok(())
            }

            async fn find_step_up(&mut self, token_hash: &str) -> StoreResult<Option<(Timestamp, String)>> {
                let row = sqlx::query("SELECT at, method FROM session_step_ups WHERE token_hash = $1")
                    .bind(token_hash)
                    .fetch_optional(self.c())
                    .await
                    .map_err(map_err)?;
                let Some(r) = row else { return Ok(None) };
                Ok(Some((ts(&r, "at")?, get(&r, "method")?)))
            }
        }
    };
}
