//! The SQL of every store method, written once and instantiated for each backend by
//! `impl_store!`. Both dialects accept this SQL as written (`$n` parameters, `RETURNING`,
//! `ON CONFLICT`, partial indexes); the only differences are the module-level
//! `begin_write` and `SKIP_LOCKED` of each backend.

macro_rules! impl_store {
    ($Store:ident, $Db:ty) => {
        use domain::clock::Timestamp;
        use domain::identity::IdDocumentType;
        use domain::model::*;
        use domain::store::{StoreResult, Tx};
        use sqlx::Row;

        type DbRow = <$Db as sqlx::Database>::Row;

        enum Conn {
            Tx(sqlx::Transaction<'static, $Db>),
            Pooled(sqlx::pool::PoolConnection<$Db>),
        }

        pub struct DbTx {
            conn: Conn,
            /// A write transaction's turn (`write_gate.rs`), given back when it ends.
            _turn: Option<crate::write_gate::WriteTurn>,
        }

        impl DbTx {
            fn c(&mut self) -> &mut <$Db as sqlx::Database>::Connection {
                match &mut self.conn {
                    Conn::Tx(t) => &mut **t,
                    Conn::Pooled(p) => &mut **p,
                }
            }
        }

        #[async_trait::async_trait]
        impl domain::store::Store for $Store {
            async fn read(&self) -> StoreResult<Box<dyn Tx>> {
                let c = self.breaker.call(self.pool.acquire(), || self.probe()).await.map_err(map_err)?;
                Ok(Box::new(DbTx { conn: Conn::Pooled(c), _turn: None }))
            }
            async fn write(&self) -> StoreResult<Box<dyn Tx>> {
                // The turn first, outside the breaker: a writer queued behind one that found
                // the database away is then refused at once by the open breaker.
                let turn = self.writers.turn().await;
                let t = self.breaker.call(begin_write(&self.pool), || self.probe()).await.map_err(map_err)?;
                Ok(Box::new(DbTx { conn: Conn::Tx(t), _turn: Some(turn) }))
            }
            async fn ping(&self) -> StoreResult<()> {
                let mut c = self.breaker.call(self.pool.acquire(), || self.probe()).await.map_err(map_err)?;
                sqlx::query("SELECT 1").execute(&mut *c).await.map_err(map_err)?;
                Ok(())
            }
            fn pool_stats(&self) -> domain::store::PoolStats {
                domain::store::PoolStats {
                    open: self.pool.size(),
                    idle: self.pool.num_idle() as u32,
                    max: self.pool.options().get_max_connections(),
                }
            }
        }

        impl $Store {
            /// Whether the database answers, for the breaker's background probe.
            fn probe(&self) -> impl std::future::Future<Output = Result<(), sqlx::Error>> + Send + 'static {
                let pool = self.pool.clone();
                async move {
                    let mut c = pool.acquire().await?;
                    sqlx::query("SELECT 1").execute(&mut *c).await?;
                    Ok(())
                }
            }
        }

        fn corrupt(what: &str, value: &str) -> StoreError {
            StoreError::Database(format!("unexpected {what} in the database: {value}"))
        }

        fn enum_col<T>(row: &DbRow, col: &str, parse: fn(&str) -> Option<T>) -> StoreResult<T> {
            let s: String = row.try_get(col).map_err(map_err)?;
            parse(&s).ok_or_else(|| corrupt(col, &s))
        }

        fn ts(row: &DbRow, col: &str) -> StoreResult<Timestamp> {
            Ok(Timestamp(row.try_get::<i64, _>(col).map_err(map_err)?))
        }

        fn ts_opt(row: &DbRow, col: &str) -> StoreResult<Option<Timestamp>> {
            Ok(row.try_get::<Option<i64>, _>(col).map_err(map_err)?.map(Timestamp))
        }

        fn get<T>(row: &DbRow, col: &str) -> StoreResult<T>
        where
            T: for<'r> sqlx::Decode<'r, $Db> + sqlx::Type<$Db>,
        {
            row.try_get(col).map_err(map_err)
        }

        fn id_type(s: &str) -> Option<IdDocumentType> {
            match s {
                "macau_resident" => Some(IdDocumentType::MacauResident),
                "passport" => Some(IdDocumentType::Passport),
                "other" => Some(IdDocumentType::Other),
                _ => None,
            }
        }

        const LOGIN_COLS: &str = "entity_id, id, kind, status, name, id_type, id_number_sealed, id_number_mask, \
            id_number_lookup, mobile_sealed, mobile_mask, mobile_lookup, username, username_key, password_hash, \
            admin_removed, created_at, activated_at, deleted_at";

        fn login_from(r: &DbRow) -> StoreResult<LoginRecord> {
            let id_type_s: Option<String> = get(r, "id_type")?;
            Ok(LoginRecord {
                entity_id: get(r, "entity_id")?,
                id: get(r, "id")?,
                kind: enum_col(r, "kind", LoginKind::from_str_opt)?,
                status: enum_col(r, "status", LoginStatus::from_str_opt)?,
                name: get(r, "name")?,
                id_type: match id_type_s {
                    Some(s) => Some(id_type(&s).ok_or_else(|| corrupt("id_type", &s))?),
                    None => None,
                },
                id_number_sealed: get(r, "id_number_sealed")?,
                id_number_mask: get(r, "id_number_mask")?,
                id_number_lookup: get(r, "id_number_lookup")?,
                mobile_sealed: get(r, "mobile_sealed")?,
                mobile_mask: get(r, "mobile_mask")?,
                mobile_lookup: get(r, "mobile_lookup")?,
                username: get(r, "username")?,
                username_key: get(r, "username_key")?,
                password_hash: get(r, "password_hash")?,
                admin_removed: get(r, "admin_removed")?,
                created_at: ts(r, "created_at")?,
                activated_at: ts_opt(r, "activated_at")?,
                deleted_at: ts_opt(r, "deleted_at")?,
            })
        }

        const ENTITY_COLS: &str =
            "id, number, entity_type, name_zh, name_pt, name_en, registration_number, registration_lookup, mobile_sealed, created_at";

        fn entity_from(r: &DbRow) -> StoreResult<EntityRecord> {
            Ok(EntityRecord {
                id: get(r, "id")?,
                number: get(r, "number")?,
                entity_type: enum_col(r, "entity_type", EntityType::from_str_opt)?,
                names: EntityNames { zh: get(r, "name_zh")?, pt: get(r, "name_pt")?, en: get(r, "name_en")? },
                registration_number: get(r, "registration_number")?,
                registration_lookup: get(r, "registration_lookup")?,
                mobile_sealed: get(r, "mobile_sealed")?,
                created_at: ts(r, "created_at")?,
            })
        }

        /// An application with the number of the entity its approval created, if any.
        const APP_SELECT: &str = "SELECT a.id, a.number, a.status, a.entity_type, a.name_zh, a.name_pt, a.name_en, \
            a.registration_number, a.registration_lookup, a.mobile_sealed, a.mobile_mask, a.agreement_signed, \
            a.submitted_by, a.submitted_at, a.decided_at, a.decided_by, a.reject_reason, a.entity_id, \
            e.number AS entity_number FROM applications a LEFT JOIN entities e ON e.id = a.entity_id";

        fn application_from(r: &DbRow) -> StoreResult<ApplicationRecord> {
            Ok(ApplicationRecord {
                id: get(r, "id")?,
                number: get(r, "number")?,
                status: enum_col(r, "status", ApplicationStatus::from_str_opt)?,
                entity_type: enum_col(r, "entity_type", EntityType::from_str_opt)?,
                names: EntityNames { zh: get(r, "name_zh")?, pt: get(r, "name_pt")?, en: get(r, "name_en")? },
                registration_number: get(r, "registration_number")?,
                registration_lookup: get(r, "registration_lookup")?,
                mobile_sealed: get(r, "mobile_sealed")?,
                mobile_mask: get(r, "mobile_mask")?,
                people: Vec::new(),
                agreement_signed: get(r, "agreement_signed")?,
                submitted_by: get(r, "submitted_by")?,
                submitted_at: ts(r, "submitted_at")?,
                decided_at: ts_opt(r, "decided_at")?,
                decided_by: get(r, "decided_by")?,
                reject_reason: get(r, "reject_reason")?,
                entity_id: get(r, "entity_id")?,
                entity_number: get(r, "entity_number")?,
            })
        }

        fn person_from(r: &DbRow) -> StoreResult<StoredPerson> {
            let t: String = get(r, "id_type")?;
            Ok(StoredPerson {
                role: enum_col(r, "role", PersonRole::from_str_opt)?,
                name: get(r, "name")?,
                id_type: id_type(&t).ok_or_else(|| corrupt("id_type", &t))?,
                id_number_sealed: get(r, "id_number_sealed")?,
                id_number_mask: get(r, "id_number_mask")?,
                id_number_lookup: get(r, "id_number_lookup")?,
                mobile_sealed: get(r, "mobile_sealed")?,
                mobile_mask: get(r, "mobile_mask")?,
                document_shown: get(r, "document_shown")?,
                poa_reference: get(r, "poa_reference")?,
            })
        }

        const CODE_COLS: &str = "entity_id, login_id, purpose, code_hash, expires_at, failures, used";

        fn code_from(r: &DbRow) -> StoreResult<CodeRecord> {
            Ok(CodeRecord {
                entity_id: get(r, "entity_id")?,
                login_id: get(r, "login_id")?,
                purpose: enum_col(r, "purpose", CodePurpose::from_str_opt)?,
                code_hash: get(r, "code_hash")?,
                expires_at: ts(r, "expires_at")?,
                failures: get(r, "failures")?,
                used: get(r, "used")?,
            })
        }

        const ESERVICE_COLS: &str =
            "code, name_zh, name_pt, name_en, department, assurance, requires_registration, created_at";

        fn eservice_from(r: &DbRow) -> StoreResult<EServiceRecord> {
            Ok(EServiceRecord {
                code: get(r, "code")?,
                name_zh: get(r, "name_zh")?,
                name_pt: get(r, "name_pt")?,
                name_en: get(r, "name_en")?,
                department: get(r, "department")?,
                assurance: enum_col(r, "assurance", Assurance::from_str_opt)?,
                requires_registration: get(r, "requires_registration")?,
                created_at: ts(r, "created_at")?,
            })
        }

        fn operator_from(r: &DbRow) -> StoreResult<OperatorRecord> {
            Ok(OperatorRecord {
                id: get(r, "id")?,
                username: get(r, "username")?,
                username_key: get(r, "username_key")?,
                password_hash: get(r, "password_hash")?,
                created_at: ts(r, "created_at")?,
            })
        }

        fn session_from(r: &DbRow) -> StoreResult<SessionRecord> {
            let subject: String = get(r, "subject")?;
            Ok(SessionRecord {
                token_hash: get(r, "token_hash")?,
                subject: if subject == "operator" { SessionSubject::Operator } else { SessionSubject::Login },
                entity_id: get(r, "entity_id")?,
                login_id: get(r, "login_id")?,
                operator_id: get(r, "operator_id")?,
                created_at: ts(r, "created_at")?,
                last_seen_at: ts(r, "last_seen_at")?,
                expires_at: ts(r, "expires_at")?,
            })
        }

        const AUDIT_COLS: &str =
            "seq, at, actor, entity_id, action, target, result, detail, source, prev_hash, hash";

        fn audit_from(r: &DbRow) -> StoreResult<AuditRow> {
            Ok(AuditRow {
                seq: get(r, "seq")?,
                at: ts(r, "at")?,
                actor: get(r, "actor")?,
                entity_id: get(r, "entity_id")?,
                action: get(r, "action")?,
                target: get(r, "target")?,
                result: get(r, "result")?,
                detail: get(r, "detail")?,
                source: get(r, "source")?,
                prev_hash: get(r, "prev_hash")?,
                hash: get(r, "hash")?,
            })
        }

        #[async_trait::async_trait]
        impl Tx for DbTx {
            async fn commit(self: Box<Self>) -> StoreResult<()> {
                match self.conn {
                    Conn::Tx(t) => t.commit().await.map_err(map_err),
                    Conn::Pooled(_) => Ok(()),
                }
            }

            async fn find_meta(&mut self, key: &str) -> StoreResult<Option<String>> {
                sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
                    .bind(key)
                    .fetch_optional(self.c())
                    .await
                    .map_err(map_err)
            }

            async fn insert_meta(&mut self, key: &str, value: &str) -> StoreResult<()> {
                sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2)")
                    .bind(key)
                    .bind(value)
                    .execute(self.c())
                    .await
                    .map_err(map_err)?;
                Ok(())
            }

            async fn next_sequence(&mut self, name: &str) -> StoreResult<i64> {
                sqlx::query_scalar("UPDATE sequences SET value = value + 1 WHERE name = $1 RETURNING value")
                    .bind(name)
                    .fetch_one(self.c())
                    .await
                    .map_err(map_err)
            }

            async fn insert_operator(&mut self, op: &OperatorRecord) -> StoreResult<i64> {
                sqlx::query_scalar(
                    "INSERT INTO operators (username, username_key, password_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(&op.username)
                .bind(&op.username_key)
                .bind(&op.password_hash)
                .bind(op.created_at.0)
                .fetch_one(self.c())
                .await
                .map_err(map_err)
            }

            async fn find_operator_by_key(&mut self, key: &str) -> StoreResult<Option<OperatorRecord>> {
                let row = sqlx::query("SELECT * FROM operators WHERE username_key = $1")
                    .bind(key)
                    .fetch_optional(self.c())
                    .await
                    .map_err(map_err)?;
                row.as_ref().map(operator_from).transpose()
            }

            async fn find_operator(&mut self, id: i64) -> StoreResult<Option<OperatorRecord>> {
                let row = sqlx::query("SELECT * FROM operators WHERE id = $1")
                    .bind(id)
                    .fetch_optional(self.c())
                    .await
                    .map_err(map_err)?;
                row.as_ref().map(operator_from).transpose()
            }

            async fn insert_session(&mut self, s: &SessionRecord) -> StoreResult<()> {
                let subject = match s.subject {
                    SessionSubject::Login => "login",
                    SessionSubject::Operator => "operator",
                };
                sqlx::query(
                    "INSERT INTO sessions (token_hash, subject, entity_id, login_id, operator_id, created_at, last_seen_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(&s.token_hash)
                .bind(subject)
                .bind(s.entity_id)
                .bind(&s.login_id)
                .bind(s.operator_id)
                .bind(s.created_at.0)
                .bind(s.last_seen_at.0)
                .bind(s.expires_at.0)
                .execute(self.c())
                .await
                .map_err(map_err)?;
                Ok(())
            }

            async fn find_session(&mut self, token_hash: &str) -> StoreResult<Option<SessionRecord>> {
                let row = sqlx::query("SELECT * FROM sessions WHERE token_hash = $1")
                    .bind(token_hash)
                    .fetch_optional(self.c())
                    .await
                    .map_err(map_err)?;
                row.as_ref().map(session_from).transpose()
            }

            async fn find_session_holder(&mut self, token_hash: &str) -> StoreResult<Option<SessionHolder>> {
                let row = sqlx::query(
                    "SELECT s.*, o.username AS operator_username, l.kind AS login_kind, \
                     l.status AS login_status, e.number AS entity_number \
                     FROM sessions s \
                     LEFT JOIN operators o ON o.id = s.operator_id \
                     LEFT JOIN logins l ON l.entity_id = s.entity_id AND l.id = s.login_id \
                     LEFT JOIN entities e ON e.id = s.entity_id \
                     WHERE s.token_hash = $1",
                )
                .bind(token_hash)
                .fetch_optional(self.c())
                .await
                .map_err(map_err)?;
                let Some(r) = row else { return Ok(None) };
                let login_kind: Option<String> = get(&r, "login_kind")?;
                let login_status: Option<String> = get(&r, "login_status")?;
                Ok(Some(SessionHolder {
                    session: session_from(&r)?,
                    operator_username: get(&r, "operator_username")?,
                    login_kind: login_kind
                        .map(|k| LoginKind::from_str_opt(&k).ok_or_else(|| corrupt("login_kind", &k)))
                        .transpose()?,
                    login_status: login_status
                        .map(|s| LoginStatus::from_str_opt(&s).ok_or_else(|| corrupt("login_status", &s)))
                        .transpose()?,
                    entity_number: get(&r, "entity_number")?,
                }))
            }

            async fn touch_session(&mut self, token_hash: &str, at: Timestamp) -> StoreResult<()> {
                sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                    .bind(at.0)
                    .bind(token_hash)
                    .execute(self.c())
                    .await
                    .map_err(map_err)?;
                Ok(())
            }

            async fn delete_session(&mut self, token_hash: &str) -> StoreResult<()> {
                sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                    .bind(token_hash)
                    .execute(self.c())
                    .await
                    .map_err(map_err)?;
                Ok(())
            }

            async fn delete_login_sessions(&mut self, entity_id: i64, login_id: &str) -> StoreResult<u64> {
                let r = sqlx::query("DELETE FROM sessions WHERE entity_id = $1 AND login_id = $2")
                    .bind(entity_id)
                    .bind(login_id)
                    .execute(self.c())
                    .await
                    .map_err(map_err)?;
                Ok(r.rows_affected())
            }

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
                let row = sqlx::query(&sql).bind(number).fetch_optional(self.c()).await.map_err(map_err)?;
                let Some(row) = row else { return Ok(None) };
                let mut app = application_from(&row)?;
                let people = sqlx::query("SELECT * FROM application_people WHERE application_id = $1 ORDER BY position")
                    .bind(app.id)
                    .fetch_all(self.c())
                    .await
                    .map_err(map_err)?;
                app.people = people.iter().map(person_from).collect::<StoreResult<_>>()?;
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

            async fn list_applications(&mut self, status: Option<ApplicationStatus>, limit: i64) -> StoreResult<Vec<ApplicationRecord>> {
                let sql = format!(
                    "{APP_SELECT} WHERE ($1 IS NULL OR a.status = $1) ORDER BY a.id DESC LIMIT $2"
                );
                let rows = sqlx::query(&sql)
                    .bind(status.map(|s| s.as_str()))
                    .bind(limit)
                    .fetch_all(self.c())
                    .await
                    .map_err(map_err)?;
                rows.iter().map(application_from).collect()
            }

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
                let row = sqlx::query(&sql).bind(number).fetch_optional(self.c()).await.map_err(map_err)?;
                row.as_ref().map(entity_from).transpose()
            }

            async fn find_entity_by_registration(&mut self, lookup: &str) -> StoreResult<Option<EntityRecord>> {
                let sql = format!("SELECT {ENTITY_COLS} FROM entities WHERE registration_lookup = $1");
                let row = sqlx::query(&sql).bind(lookup).fetch_optional(self.c()).await.map_err(map_err)?;
                row.as_ref().map(entity_from).transpose()
            }

            async fn find_entity(&mut self, id: i64) -> StoreResult<Option<EntityRecord>> {
                let sql = format!("SELECT {ENTITY_COLS} FROM entities WHERE id = $1");
                let row = sqlx::query(&sql).bind(id).fetch_optional(self.c()).await.map_err(map_err)?;
                row.as_ref().map(entity_from).transpose()
            }

            async fn insert_login(&mut self, l: &LoginRecord) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO logins (entity_id, id, kind, status, name, id_type, id_number_sealed, id_number_mask, \
                     id_number_lookup, mobile_sealed, mobile_mask, mobile_lookup, username, username_key, password_hash, \
                     admin_removed, created_at, activated_at, deleted_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
                )
                .bind(l.entity_id)
                .bind(&l.id)
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
                .bind(l.created_at.0)
                .bind(l.activated_at.map(|t| t.0))
                .bind(l.deleted_at.map(|t| t.0))
                .execute(self.c())
                .await
                .map_err(map_err)?;
                Ok(())
            }

            async fn update_login(&mut self, l: &LoginRecord) -> StoreResult<()> {
                sqlx::query(
                    "UPDATE logins SET kind = $1, status = $2, username = $3, username_key = $4, password_hash = $5, \
                     admin_removed = $6, activated_at = $7, deleted_at = $8 WHERE entity_id = $9 AND id = $10",
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
                .bind(&l.id)
                .execute(self.c())
                .await
                .map_err(map_err)?;
                Ok(())
            }

            async fn find_login(&mut self, entity_id: i64, login_id: &str) -> StoreResult<Option<LoginRecord>> {
                let sql = format!("SELECT {LOGIN_COLS} FROM logins WHERE entity_id = $1 AND id = $2");
                let row = sqlx::query(&sql).bind(entity_id).bind(login_id).fetch_optional(self.c()).await.map_err(map_err)?;
                row.as_ref().map(login_from).transpose()
            }

            async fn find_login_by_username(&mut self, entity_id: i64, key: &str) -> StoreResult<Option<LoginRecord>> {
                let sql = format!(
                    "SELECT {LOGIN_COLS} FROM logins WHERE entity_id = $1 AND username_key = $2 AND status <> 'deleted'"
                );
                let row = sqlx::query(&sql).bind(entity_id).bind(key).fetch_optional(self.c()).await.map_err(map_err)?;
                row.as_ref().map(login_from).transpose()
            }

            async fn find_logins_by_id_number(&mut self, entity_id: i64, lookup: &str) -> StoreResult<Vec<LoginRecord>> {
                let sql = format!("SELECT {LOGIN_COLS} FROM logins WHERE entity_id = $1 AND id_number_lookup = $2");
                let rows = sqlx::query(&sql).bind(entity_id).bind(lookup).fetch_all(self.c()).await.map_err(map_err)?;
                rows.iter().map(login_from).collect()
            }

            async fn list_logins(&mut self, entity_id: i64) -> StoreResult<Vec<LoginRecord>> {
                let sql = format!("SELECT {LOGIN_COLS} FROM logins WHERE entity_id = $1 ORDER BY created_at, id");
                let rows = sqlx::query(&sql).bind(entity_id).fetch_all(self.c()).await.map_err(map_err)?;
                rows.iter().map(login_from).collect()
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
                let rows = sqlx::query(&sql)
                    .bind(entity_id)
                    .bind(created_at.0)
                    .bind(id)
                    .bind(limit)
                    .fetch_all(self.c())
                    .await
                .map_err(map_err)?;
                rows.iter().map(login_from).collect()
            }

            async fn upsert_code(&mut self, c: &CodeRecord) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO codes (entity_id, login_id, purpose, code_hash, expires_at, failures, used) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) \
                     ON CONFLICT (entity_id, login_id, purpose) DO UPDATE SET code_hash = excluded.code_hash, \
                     expires_at = excluded.expires_at, failures = excluded.failures, used = excluded.used",
                )
                .bind(c.entity_id)
                .bind(&c.login_id)
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

            async fn find_code(&mut self, entity_id: i64, login_id: &str, purpose: CodePurpose) -> StoreResult<Option<CodeRecord>> {
                let sql = format!("SELECT {CODE_COLS} FROM codes WHERE entity_id = $1 AND login_id = $2 AND purpose = $3");
                let row = sqlx::query(&sql)
                    .bind(entity_id)
                    .bind(login_id)
                    .bind(purpose.as_str())
                    .fetch_optional(self.c())
                    .await
                    .map_err(map_err)?;
                row.as_ref().map(code_from).transpose()
            }

            async fn find_code_by_hash(&mut self, entity_id: i64, purpose: CodePurpose, hash: &str) -> StoreResult<Option<CodeRecord>> {
                let sql = format!("SELECT {CODE_COLS} FROM codes WHERE entity_id = $1 AND purpose = $2 AND code_hash = $3");
                let row = sqlx::query(&sql)
                    .bind(entity_id)
                    .bind(purpose.as_str())
                    .bind(hash)
                    .fetch_optional(self.c())
                    .await
                    .map_err(map_err)?;
                row.as_ref().map(code_from).transpose()
            }

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
                let rows = sqlx::query(&sql).fetch_all(self.c()).await.map_err(map_err)?;
                rows.iter().map(eservice_from).collect()
            }

            async fn find_eservice(&mut self, code: &str) -> StoreResult<Option<EServiceRecord>> {
                let sql = format!("SELECT {ESERVICE_COLS} FROM eservices WHERE code = $1");
                let row = sqlx::query(&sql).bind(code).fetch_optional(self.c()).await.map_err(map_err)?;
                row.as_ref().map(eservice_from).transpose()
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
                sqlx::query_scalar("SELECT eservice_code FROM entity_eservices WHERE entity_id = $1 ORDER BY eservice_code")
                    .bind(entity_id)
                    .fetch_all(self.c())
                    .await
                    .map_err(map_err)
            }

            async fn replace_login_eservices(&mut self, entity_id: i64, login_id: &str, codes: &[String], at: Timestamp) -> StoreResult<()> {
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
                let row = sqlx::query(&sql)
                    .bind(entity_id)
                    .bind(login_id)
                    .bind(code)
                    .fetch_optional(self.c())
                    .await
                    .map_err(map_err)?;
                let Some(r) = row else { return Ok(None) };
                Ok(Some(EServiceAccess {
                    eservice: eservice_from(&r)?,
                    assigned: get(&r, "assigned")?,
                    registered: get(&r, "registered")?,
                }))
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
                let rows = sqlx::query(&sql).bind(entity_id).bind(login_id).fetch_all(self.c()).await.map_err(map_err)?;
                rows.iter().map(eservice_from).collect()
            }

            async fn list_entity_assignments(&mut self, entity_id: i64) -> StoreResult<Vec<(String, String)>> {
                let rows = sqlx::query(
                    "SELECT login_id, eservice_code FROM login_eservices WHERE entity_id = $1 ORDER BY login_id, eservice_code",
                )
                .bind(entity_id)
                .fetch_all(self.c())
                .await
                .map_err(map_err)?;
                rows.iter().map(|r| Ok((get(r, "login_id")?, get(r, "eservice_code")?))).collect()
            }

            async fn list_assignments_of(&mut self, entity_id: i64, login_ids: &[String]) -> StoreResult<Vec<(String, String)>> {
                if login_ids.is_empty() {
                    return Ok(Vec::new());
                }
                let placeholders = (2..login_ids.len() + 2).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ");
                let sql = format!(
                    "SELECT login_id, eservice_code FROM login_eservices WHERE entity_id = $1 AND login_id IN ({placeholders}) \
                     ORDER BY login_id, eservice_code"
                );
                let mut q = sqlx::query(&sql).bind(entity_id);
                for id in login_ids {
                    q = q.bind(id);
                }
                let rows = q.fetch_all(self.c()).await.map_err(map_err)?;
                rows.iter().map(|r| Ok((get(r, "login_id")?, get(r, "eservice_code")?))).collect()
            }

            async fn insert_notification(&mut self, n: &NotificationRecord) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO notifications (entity_id, id, login_id, kind, params, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(n.entity_id)
                .bind(&n.id)
                .bind(&n.login_id)
                .bind(&n.kind)
                .bind(crate::encode_params(&n.params))
                .bind(n.created_at.0)
                .execute(self.c())
                .await
                .map_err(map_err)?;
                Ok(())
            }

            async fn list_notifications(&mut self, entity_id: i64, login_id: &str, limit: i64) -> StoreResult<Vec<NotificationRecord>> {
                let rows = sqlx::query(
                    "SELECT entity_id, id, login_id, kind, params, created_at FROM notifications \
                     WHERE entity_id = $1 AND login_id = $2 ORDER BY created_at DESC, id LIMIT $3",
                )
                .bind(entity_id)
                .bind(login_id)
                .bind(limit)
                .fetch_all(self.c())
                .await
                .map_err(map_err)?;
                rows.iter()
                    .map(|r| {
                        let params: String = get(r, "params")?;
                        Ok(NotificationRecord {
                            entity_id: get(r, "entity_id")?,
                            id: get(r, "id")?,
                            login_id: get(r, "login_id")?,
                            kind: get(r, "kind")?,
                            params: crate::decode_params(&params),
                            created_at: ts(r, "created_at")?,
                        })
                    })
                    .collect()
            }

            async fn insert_sms(&mut self, payload: &[u8], recipient_key: &str, at: Timestamp) -> StoreResult<i64> {
                sqlx::query_scalar(
                    "INSERT INTO sms_outbox (payload_sealed, recipient_key, created_at, next_attempt_at, attempts) \
                     VALUES ($1, $2, $3, $3, 0) RETURNING id",
                )
                .bind(payload)
                .bind(recipient_key)
                .bind(at.0)
                .fetch_one(self.c())
                .await
                .map_err(map_err)
            }

            async fn lease_sms(&mut self, now: Timestamp, lease_until: Timestamp, owner: &str, limit: i64) -> StoreResult<Vec<OutboxRecord>> {
                let sql = format!(
                    "UPDATE sms_outbox SET lease_owner = $1, lease_until = $2, attempts = attempts + 1 WHERE id IN (\
                     SELECT id FROM sms_outbox WHERE delivered_at IS NULL AND next_attempt_at <= $3 \
                     AND (lease_until IS NULL OR lease_until <= $3) ORDER BY id LIMIT $4 {SKIP_LOCKED}) \
                     RETURNING id, payload_sealed, attempts, created_at"
                );
                let rows = sqlx::query(&sql)
                    .bind(owner)
                    .bind(lease_until.0)
                    .bind(now.0)
                    .bind(limit)
                    .fetch_all(self.c())
                    .await
                    .map_err(map_err)?;
                let mut out = rows
                    .iter()
                    .map(|r| {
                        Ok(OutboxRecord {
                            id: get(r, "id")?,
                            payload_sealed: get::<Option<Vec<u8>>>(r, "payload_sealed")?.unwrap_or_default(),
                            attempts: get(r, "attempts")?,
                            created_at: ts(r, "created_at")?,
                        })
                    })
                    .collect::<StoreResult<Vec<_>>>()?;
                out.sort_by_key(|o| o.id);
                Ok(out)
            }

            async fn mark_sms_delivered(&mut self, id: i64, owner: &str, at: Timestamp) -> StoreResult<()> {
                sqlx::query(
                    "UPDATE sms_outbox SET delivered_at = $1, payload_sealed = NULL, lease_until = NULL, last_error = NULL \
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

            async fn sms_waits_for_earlier(&mut self, id: i64) -> StoreResult<bool> {
                let row = sqlx::query(
                    "SELECT 1 AS one FROM sms_outbox m JOIN sms_outbox e ON e.recipient_key = m.recipient_key \
                     WHERE m.id = $1 AND e.id < m.id AND e.delivered_at IS NULL LIMIT 1",
                )
                .bind(id)
                .fetch_optional(self.c())
                .await
                .map_err(map_err)?;
                Ok(row.is_some())
            }

            async fn release_sms_leases(&mut self, owner: &str) -> StoreResult<u64> {
                let done = sqlx::query(
                    "UPDATE sms_outbox SET lease_until = NULL WHERE lease_owner = $1 AND delivered_at IS NULL AND lease_until IS NOT NULL",
                )
                .bind(owner)
                .execute(self.c())
                .await
                .map_err(map_err)?;
                Ok(done.rows_affected())
            }

            async fn mark_sms_retry(&mut self, id: i64, owner: &str, next: Timestamp, error: &str) -> StoreResult<()> {
                sqlx::query(
                    "UPDATE sms_outbox SET next_attempt_at = $1, lease_until = NULL, last_error = $2 WHERE id = $3 AND lease_owner = $4",
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

            async fn sms_backlog(&mut self) -> StoreResult<(i64, Option<Timestamp>)> {
                let row = sqlx::query(
                    "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM sms_outbox WHERE delivered_at IS NULL",
                )
                .fetch_one(self.c())
                .await
                .map_err(map_err)?;
                Ok((get(&row, "n")?, ts_opt(&row, "oldest")?))
            }

            async fn find_throttle(&mut self, key: &str) -> StoreResult<Option<ThrottleRecord>> {
                let row = sqlx::query("SELECT key, failures, last_failure_at, blocked_until FROM throttles WHERE key = $1")
                    .bind(key)
                    .fetch_optional(self.c())
                    .await
                    .map_err(map_err)?;
                let Some(r) = row else { return Ok(None) };
                Ok(Some(ThrottleRecord {
                    key: get(&r, "key")?,
                    failures: get(&r, "failures")?,
                    last_failure_at: ts(&r, "last_failure_at")?,
                    blocked_until: ts(&r, "blocked_until")?,
                }))
            }

            async fn upsert_throttle(&mut self, t: &ThrottleRecord) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO throttles (key, failures, last_failure_at, blocked_until) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, last_failure_at = excluded.last_failure_at, \
                     blocked_until = excluded.blocked_until",
                )
                .bind(&t.key)
                .bind(t.failures)
                .bind(t.last_failure_at.0)
                .bind(t.blocked_until.0)
                .execute(self.c())
                .await
                .map_err(map_err)?;
                Ok(())
            }

            async fn delete_throttle(&mut self, key: &str) -> StoreResult<()> {
                sqlx::query("DELETE FROM throttles WHERE key = $1").bind(key).execute(self.c()).await.map_err(map_err)?;
                Ok(())
            }

            async fn audit_head(&mut self) -> StoreResult<Option<AuditHead>> {
                let row = sqlx::query("SELECT seq, hash, mac FROM audit_head WHERE id = 1")
                    .fetch_optional(self.c())
                    .await
                    .map_err(map_err)?;
                let Some(r) = row else { return Ok(None) };
                let head = AuditHead { seq: get(&r, "seq")?, hash: get(&r, "hash")?, mac: get(&r, "mac")? };
                Ok((head.seq > 0).then_some(head))
            }

            async fn append_audit(&mut self, rows: &[AuditRow], head: &AuditHead) -> StoreResult<()> {
                for a in rows {
                    let sql = format!(
                        "INSERT INTO audit_log ({AUDIT_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
                    );
                    sqlx::query(&sql)
                        .bind(a.seq)
                        .bind(a.at.0)
                        .bind(&a.actor)
                        .bind(a.entity_id)
                        .bind(&a.action)
                        .bind(&a.target)
                        .bind(&a.result)
                        .bind(&a.detail)
                        .bind(&a.source)
                        .bind(&a.prev_hash)
                        .bind(&a.hash)
                        .execute(self.c())
                        .await
                        .map_err(map_err)?;
                }
                sqlx::query("UPDATE audit_head SET seq = $1, hash = $2, mac = $3 WHERE id = 1")
                    .bind(head.seq)
                    .bind(&head.hash)
                    .bind(&head.mac)
                    .execute(self.c())
                    .await
                    .map_err(map_err)?;
                Ok(())
            }

            async fn list_audit(&mut self, entity_id: Option<i64>, after_seq: i64, limit: i64) -> StoreResult<Vec<AuditRow>> {
                let sql = format!(
                    "SELECT {AUDIT_COLS} FROM audit_log WHERE ($1 IS NULL OR entity_id = $1) AND seq > $2 ORDER BY seq LIMIT $3"
                );
                let rows = sqlx::query(&sql)
                    .bind(entity_id)
                    .bind(after_seq)
                    .bind(limit)
                    .fetch_all(self.c())
                    .await
                    .map_err(map_err)?;
                rows.iter().map(audit_from).collect()
            }
        }
    };
}
