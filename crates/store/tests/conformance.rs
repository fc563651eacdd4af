//! The store conformance suite: what the domain relies on from any backend, run on SQLite
//! always and on PostgreSQL when `EA_TEST_POSTGRES_URL` is set. (The rule tests in
//! `crates/domain/tests` exercise every other method through the services.)

use std::sync::Arc;

use domain::clock::Timestamp;
use domain::model::*;
use domain::numbers::LoginId;
use domain::store::{Store, StoreError};

async fn sqlite() -> (Arc<dyn Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("c.db").display());
    (store::open(&url).await.unwrap(), dir)
}

async fn postgres() -> Option<(Arc<dyn Store>, testkit::PgTestDb)> {
    let db = testkit::PgTestDb::create("c").await?;
    Some((store::open(&db.url).await.unwrap(), db))
}

macro_rules! conformance {
    ($name:ident) => {
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                let (s, _dir) = super::sqlite().await;
                super::$name(s).await;
            }
            #[tokio::test]
            async fn postgres() {
                if let Some((s, _db)) = super::postgres().await {
                    super::$name(s).await;
                }
            }
        }
    };
}

fn entity(number: &str, lookup: &str) -> EntityRecord {
    EntityRecord {
        id: 0,
        number: number.into(),
        entity_type: EntityType::Company,
        names: EntityNames { zh: Some("測試".into()), pt: None, en: None },
        registration_number: "R1".into(),
        registration_lookup: lookup.into(),
        mobile_sealed: vec![1, 2, 3],
        created_at: Timestamp(1),
    }
}

fn login(entity_id: i64, id: &str, username_key: Option<&str>) -> LoginRecord {
    LoginRecord {
        entity_id,
        id: LoginId::from_stored(id.into()),
        kind: LoginKind::Staff,
        status: LoginStatus::Active,
        name: "N".into(),
        id_type: None,
        id_number_sealed: None,
        id_number_mask: None,
        id_number_lookup: None,
        mobile_sealed: vec![9],
        mobile_mask: "m".into(),
        mobile_lookup: "ml".into(),
        username: username_key.map(str::to_string),
        username_key: username_key.map(str::to_string),
        password_hash: None,
        admin_removed: false,
        sms_notices: false,
        created_at: Timestamp(1),
        activated_at: None,
        deleted_at: None,
        external_id: None,
        scim_version: 0,
        modified_at: None,
    }
}

async fn sequences_count_up_and_roll_back(s: Arc<dyn Store>) {
    let mut tx = s.write().await.unwrap();
    assert_eq!(tx.next_sequence("entity").await.unwrap(), 1);
    drop(tx); // rolled back
    let mut tx = s.write().await.unwrap();
    assert_eq!(tx.next_sequence("entity").await.unwrap(), 1);
    assert_eq!(tx.next_sequence("entity").await.unwrap(), 2);
    tx.commit().await.unwrap();
    let mut tx = s.write().await.unwrap();
    assert_eq!(tx.next_sequence("entity").await.unwrap(), 3);
}
conformance!(sequences_count_up_and_roll_back);

/// A writer waiting for its turn holds no connection (`write_gate.rs`), so reads go on while
/// writers queue. Without the gate the queued writers would fill the pool, each waiting for the
/// database's write lock, and the read would wait out the pool's acquire timeout (5 s on
/// PostgreSQL, 10 s on SQLite); the bound below is a liveness check, not a speed figure.
async fn writers_queued_behind_a_write_hold_no_connection_so_reads_go_on(s: Arc<dyn Store>) {
    let held = s.write().await.unwrap();
    let writers: Vec<_> = (0..20)
        .map(|_| {
            let s = s.clone();
            tokio::spawn(async move {
                let mut tx = s.write().await.unwrap();
                tx.next_sequence("entity").await.unwrap();
                tx.commit().await.unwrap();
            })
        })
        .collect();
    for _ in 0..20 {
        tokio::task::yield_now().await;
    }
    let read = tokio::time::timeout(std::time::Duration::from_secs(3), async {
        let mut tx = s.read().await.unwrap();
        tx.find_meta("no-such-key").await.unwrap()
    })
    .await;
    assert_eq!(read.ok(), Some(None), "a read waited behind queued writers");
    drop(held);
    for w in writers {
        w.await.unwrap();
    }
    // Every queued writer wrote, one after another.
    let mut tx = s.write().await.unwrap();
    assert_eq!(tx.next_sequence("entity").await.unwrap(), 21);
}
conformance!(writers_queued_behind_a_write_hold_no_connection_so_reads_go_on);

async fn r5_r11_uniqueness_is_enforced_by_the_store(s: Arc<dyn Store>) {
    // After an error a transaction is void on PostgreSQL: each conflict ends its own.
    let mut tx = s.write().await.unwrap();
    let e = tx.insert_entity(&entity("10000012", "lookup-a")).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = s.write().await.unwrap();
    assert!(matches!(tx.insert_entity(&entity("10000020", "lookup-a")).await, Err(StoreError::Conflict(_))));
    drop(tx);
    let mut tx = s.write().await.unwrap();
    let e2 = tx.insert_entity(&entity("10000020", "lookup-b")).await.unwrap();
    tx.insert_login(&login(e, "l1", Some("chan"))).await.unwrap();
    // The same username in another entity is fine (R11 is per entity).
    tx.insert_login(&login(e2, "l2", Some("chan"))).await.unwrap();
    assert!(matches!(tx.insert_login(&login(e, "l3", Some("chan"))).await, Err(StoreError::Conflict(_))));
}
conformance!(r5_r11_uniqueness_is_enforced_by_the_store);

async fn deleted_logins_free_their_username(s: Arc<dyn Store>) {
    let mut tx = s.write().await.unwrap();
    let e = tx.insert_entity(&entity("10000012", "lookup-a")).await.unwrap();
    let mut l = login(e, "l1", Some("chan"));
    tx.insert_login(&l).await.unwrap();
    l.status = LoginStatus::Deleted;
    tx.update_login(&l).await.unwrap();
    tx.insert_login(&login(e, "l2", Some("chan"))).await.unwrap();
    assert_eq!(tx.find_login_by_username(e, "chan").await.unwrap().unwrap().id, "l2");
}
conformance!(deleted_logins_free_their_username);

fn session(
    token_hash: &str,
    subject: SessionSubject,
    entity_id: Option<i64>,
    login_id: Option<&str>,
    operator_id: Option<i64>,
) -> SessionRecord {
    SessionRecord {
        token_hash: token_hash.into(),
        subject,
        entity_id,
        login_id: login_id.map(|l| LoginId::from_stored(l.to_string())),
        operator_id,
        created_at: Timestamp(5),
        last_seen_at: Timestamp(6),
        expires_at: Timestamp(7),
    }
}

fn eservice(code: &str) -> EServiceRecord {
    EServiceRecord {
        code: code.into(),
        name_zh: "服務".into(),
        name_pt: "Serviço".into(),
        name_en: "Service".into(),
        department: "D".into(),
        assurance: Assurance::Basic,
        requires_registration: false,
        four_eyes: false,
        allows_intermediaries: true,
        review_days: 180,
        created_at: Timestamp(1),
    }
}

fn assignment(login_id: &str, code: &str, from: Option<i64>, until: Option<i64>) -> AssignmentRecord {
    AssignmentRecord {
        login_id: LoginId::from_stored(login_id.to_string()),
        eservice_code: code.into(),
        assigned_at: Timestamp(2),
        terms: AssignmentTerms {
            valid_from: from.map(Timestamp),
            valid_until: until.map(Timestamp),
            proposed_by: None,
            reviewed_at: Timestamp(2),
        },
        reviewed_by: Some("admin".into()),
        confirmed_at: None,
        last_used_at: None,
        warned_days: None,
        ended_at: None,
    }
}

async fn a_session_is_read_with_its_holder_in_one_statement(s: Arc<dyn Store>) {
    let mut tx = s.write().await.unwrap();
    let e = tx.insert_entity(&entity("10000012", "lookup-a")).await.unwrap();
    tx.insert_login(&login(e, "l1", Some("chan"))).await.unwrap();
    let op = tx
        .insert_operator(&OperatorRecord {
            id: 0,
            username: "Counter1".into(),
            username_key: "counter1".into(),
            password_hash: "h".into(),
            created_at: Timestamp(1),
        })
        .await
        .unwrap();
    tx.insert_session(&session("login-s", SessionSubject::Login, Some(e), Some("l1"), None)).await.unwrap();
    tx.insert_session(&session("op-s", SessionSubject::Operator, None, None, Some(op))).await.unwrap();
    tx.insert_session(&session("gone-s", SessionSubject::Login, Some(e), Some("l2"), None)).await.unwrap();
    for code in ["svc-b", "svc-a", "svc-c"] {
        tx.insert_eservice(&eservice(code)).await.unwrap();
    }
    let rows = [assignment("l1", "svc-b", None, None), assignment("l1", "svc-a", None, None)];
    tx.replace_assignments(e, "l1", &rows).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = s.read().await.unwrap();
    let h = tx.find_session_holder("login-s").await.unwrap().unwrap();
    assert_eq!(h.session.login_id.as_deref(), Some("l1"));
    assert_eq!(h.session.last_seen_at, Timestamp(6));
    assert_eq!((h.login_kind, h.login_status), (Some(LoginKind::Staff), Some(LoginStatus::Active)));
    assert_eq!(h.entity_number.as_deref(), Some("10000012"));
    assert_eq!(h.operator_username, None);
    let h = tx.find_session_holder("op-s").await.unwrap().unwrap();
    assert_eq!((h.session.operator_id, h.operator_username.as_deref()), (Some(op), Some("Counter1")));
    assert_eq!((h.login_kind, h.entity_number), (None, None));
    assert!(tx.find_session_holder("no-such-session").await.unwrap().is_none());
    // A session whose login is not there: the login's fields are empty, the entity's are not.
    let h = tx.find_session_holder("gone-s").await.unwrap().unwrap();
    assert_eq!((h.login_kind, h.login_status, h.entity_number.as_deref()), (None, None, Some("10000012")));
    let codes: Vec<String> =
        tx.list_login_eservice_records(e, "l1").await.unwrap().into_iter().map(|r| r.code).collect();
    assert_eq!(codes, ["svc-a", "svc-b"]);
    assert!(tx.list_login_eservice_records(e, "l9").await.unwrap().is_empty());
    drop(tx);

    // A deleted login's session says so.
    let mut tx = s.write().await.unwrap();
    let mut l = tx.find_login(e, "l1").await.unwrap().unwrap();
    l.status = LoginStatus::Deleted;
    tx.update_login(&l).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = s.read().await.unwrap();
    let h = tx.find_session_holder("login-s").await.unwrap().unwrap();
    assert_eq!(h.login_status, Some(LoginStatus::Deleted));
}
conformance!(a_session_is_read_with_its_holder_in_one_statement);

async fn r28_the_access_decision_reads_login_entity_eservice_terms_and_cycle_in_one_statement(s: Arc<dyn Store>) {
    let mut tx = s.write().await.unwrap();
    let e = tx.insert_entity(&entity("10000012", "lookup-a")).await.unwrap();
    let other = tx.insert_entity(&entity("10000020", "lookup-b")).await.unwrap();
    tx.insert_login(&login(e, "l1", Some("chan"))).await.unwrap();
    tx.insert_login(&login(e, "l2", Some("wong"))).await.unwrap();
    tx.insert_login(&login(other, "l1", Some("lee"))).await.unwrap();
    for code in ["svc-a", "svc-b"] {
        tx.insert_eservice(&eservice(code)).await.unwrap();
    }
    tx.replace_assignments(e, "l1", &[assignment("l1", "svc-a", Some(10), Some(20))]).await.unwrap();
    tx.replace_assignments(other, "l1", &[assignment("l1", "svc-b", None, None)]).await.unwrap();
    tx.upsert_registration(other, "svc-a", Timestamp(2)).await.unwrap();
    let cycle = ReviewCycle { started_at: Timestamp(3), due_at: Timestamp(30), announced_at: None };
    tx.put_review_cycle(e, &cycle).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = s.read().await.unwrap();
    let f = tx.find_access(e, "l1", "svc-a").await.unwrap().unwrap();
    assert_eq!((f.login_name.as_str(), f.entity_number.as_str(), f.eservice.code.as_str()), ("N", "10000012", "svc-a"));
    let terms = f.assignment.unwrap();
    assert_eq!((terms.valid_from, terms.valid_until), (Some(Timestamp(10)), Some(Timestamp(20))));
    assert_eq!((f.cycle, f.registered), (Some(cycle), false));
    // Another login of the entity, and the same login id in another entity, are not assigned it.
    assert!(tx.find_access(e, "l2", "svc-a").await.unwrap().unwrap().assignment.is_none());
    assert!(tx.find_access(e, "l1", "svc-b").await.unwrap().unwrap().assignment.is_none());
    // Registration and the review cycle are the entity's, whichever login asks.
    let f = tx.find_access(other, "l1", "svc-a").await.unwrap().unwrap();
    assert_eq!((f.registered, f.cycle, f.assignment), (true, None, None));
    assert!(tx.find_access(e, "l1", "no-such-service").await.unwrap().is_none());
    assert!(tx.find_access(e, "l9", "svc-a").await.unwrap().is_none());
    // Its use is recorded at most once per interval.
    drop(tx);
    let mut tx = s.write().await.unwrap();
    tx.record_use(e, "l1", "svc-a", Timestamp(100), Timestamp(40)).await.unwrap();
    tx.record_use(e, "l1", "svc-a", Timestamp(120), Timestamp(60)).await.unwrap();
    let a = tx.list_assignments(e, "l1").await.unwrap();
    assert_eq!(a[0].last_used_at, Some(Timestamp(100)));
    tx.record_use(e, "l1", "svc-a", Timestamp(200), Timestamp(140)).await.unwrap();
    assert_eq!(tx.list_assignments(e, "l1").await.unwrap()[0].last_used_at, Some(Timestamp(200)));
    // The sweep finds what ends by now, or is due a notice, and not what it already handled.
    let ending = tx.list_ending_assignments(Timestamp(5), Timestamp(19), Timestamp(8), 3, 10).await.unwrap();
    assert_eq!(ending.len(), 0, "ends at 20: after the first notice's horizon");
    let ending = tx.list_ending_assignments(Timestamp(5), Timestamp(25), Timestamp(8), 3, 10).await.unwrap();
    assert_eq!(ending.iter().map(|(e, a)| (*e, a.eservice_code.as_str())).collect::<Vec<_>>(), [(e, "svc-a")]);
    let mut warned = ending[0].1.clone();
    warned.warned_days = Some(14);
    tx.upsert_assignment(e, &warned).await.unwrap();
    assert!(tx.list_ending_assignments(Timestamp(5), Timestamp(25), Timestamp(8), 3, 10).await.unwrap().is_empty());
    assert_eq!(tx.list_ending_assignments(Timestamp(5), Timestamp(25), Timestamp(21), 3, 10).await.unwrap().len(), 1);
    assert_eq!(tx.list_ending_assignments(Timestamp(20), Timestamp(25), Timestamp(8), 3, 10).await.unwrap().len(), 1);
}
conformance!(r28_the_access_decision_reads_login_entity_eservice_terms_and_cycle_in_one_statement);

async fn a_token_is_read_with_its_grant_in_one_statement(s: Arc<dyn Store>) {
    use domain::model::oidc::*;
    let mut tx = s.write().await.unwrap();
    let e = tx.insert_entity(&entity("10000012", "lookup-a")).await.unwrap();
    tx.insert_login(&login(e, "l1", Some("chan"))).await.unwrap();
    tx.insert_eservice(&eservice("svc-a")).await.unwrap();
    tx.insert_client(&ClientRecord {
        client_id: "svc-a".into(),
        auth: ClientAuth::Secret,
        secret_hash: "h".into(),
        jwks: None,
        redirect_uris: vec!["https://svc-a.example/cb".into()],
        post_logout_redirect_uris: vec![],
        backchannel_logout_uri: None,
        created_at: Timestamp(1),
        updated_at: Timestamp(1),
    })
    .await
    .unwrap();
    let grant = GrantRecord {
        id: "g1".into(),
        client_id: "svc-a".into(),
        entity_id: Some(e),
        login_id: Some(LoginId::from_stored("l1".into())),
        sid: Some("sid-1".into()),
        scope: "openid profile".into(),
        auth: Authentication { auth_time: Timestamp(3), acr: "basic".into(), amr: "pwd".into(), locale: "pt".into() },
        created_at: Timestamp(4),
        revoked_at: Some(Timestamp(9)),
        on_behalf: None,
    };
    tx.insert_grant(&grant).await.unwrap();
    let token = |hash: &str, kind, created_at, used_at| TokenRecord {
        token_hash: hash.into(),
        grant_id: "g1".into(),
        kind,
        created_at: Timestamp(created_at),
        expires_at: Timestamp(created_at + 300),
        used_at,
    };
    tx.insert_token(&token("t-access", TokenKind::Access, 5, None)).await.unwrap();
    tx.insert_token(&token("t-refresh", TokenKind::Refresh, 6, Some(Timestamp(7)))).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = s.read().await.unwrap();
    // The token's own times, not the grant's, though both tables name them alike.
    let (t, g) = tx.find_token_with_grant("t-refresh").await.unwrap().unwrap();
    assert_eq!((t.token_hash.as_str(), t.grant_id.as_str(), t.kind), ("t-refresh", "g1", TokenKind::Refresh));
    assert_eq!((t.created_at, t.expires_at, t.used_at), (Timestamp(6), Timestamp(306), Some(Timestamp(7))));
    assert_eq!((g.id.as_str(), g.entity_id, g.login_id.as_deref()), ("g1", Some(e), Some("l1")));
    assert_eq!((g.created_at, g.revoked_at, g.auth), (Timestamp(4), Some(Timestamp(9)), grant.auth.clone()));
    let (t, _) = tx.find_token_with_grant("t-access").await.unwrap().unwrap();
    assert_eq!((t.kind, t.created_at, t.used_at), (TokenKind::Access, Timestamp(5), None));
    assert!(tx.find_token_with_grant("no-such-token").await.unwrap().is_none());
}
conformance!(a_token_is_read_with_its_grant_in_one_statement);

async fn outbox_leases_are_exclusive_until_they_expire(s: Arc<dyn Store>) {
    let mut tx = s.write().await.unwrap();
    let a = tx.insert_sms(b"first", "to-a", Timestamp(10)).await.unwrap();
    let b = tx.insert_sms(b"second", "to-b", Timestamp(11)).await.unwrap();
    tx.commit().await.unwrap();
    let mut c = s.read().await.unwrap();
    let leased = c.lease_sms(Timestamp(20), Timestamp(80), "node-a", 10).await.unwrap();
    assert_eq!(leased.iter().map(|m| m.id).collect::<Vec<_>>(), vec![a, b]);
    assert_eq!(leased[0].payload_sealed, b"first");
    // Another node finds nothing while the lease holds.
    assert!(c.lease_sms(Timestamp(30), Timestamp(90), "node-b", 10).await.unwrap().is_empty());
    c.mark_sms_delivered(a, "node-a", Timestamp(31)).await.unwrap();
    // Node b cannot mark a message it does not hold.
    c.mark_sms_retry(b, "node-b", Timestamp(0), "not mine").await.unwrap();
    assert!(c.lease_sms(Timestamp(40), Timestamp(90), "node-b", 10).await.unwrap().is_empty());
    // After the lease runs out the undelivered one is due again; the delivered one never.
    let again = c.lease_sms(Timestamp(81), Timestamp(140), "node-b", 10).await.unwrap();
    assert_eq!(again.iter().map(|m| (m.id, m.attempts)).collect::<Vec<_>>(), vec![(b, 2)]);
    let (backlog, oldest) = c.sms_backlog().await.unwrap();
    assert_eq!((backlog, oldest), (1, Some(Timestamp(11))));
}
conformance!(outbox_leases_are_exclusive_until_they_expire);

async fn outbox_orders_messages_to_one_number_and_a_restarted_node_takes_back_its_leases(s: Arc<dyn Store>) {
    let mut tx = s.write().await.unwrap();
    let first = tx.insert_sms(b"1", "to-a", Timestamp(10)).await.unwrap();
    let other = tx.insert_sms(b"2", "to-b", Timestamp(11)).await.unwrap();
    let second = tx.insert_sms(b"3", "to-a", Timestamp(12)).await.unwrap();
    tx.commit().await.unwrap();
    let mut c = s.read().await.unwrap();
    assert!(!c.sms_waits_for_earlier(first).await.unwrap());
    assert!(!c.sms_waits_for_earlier(other).await.unwrap(), "another number does not wait");
    assert!(c.sms_waits_for_earlier(second).await.unwrap(), "the later message to the same number waits");
    assert_eq!(c.lease_sms(Timestamp(20), Timestamp(1_000), "node-a", 10).await.unwrap().len(), 3);
    c.mark_sms_delivered(first, "node-a", Timestamp(21)).await.unwrap();
    assert!(!c.sms_waits_for_earlier(second).await.unwrap(), "once the first is delivered");
    // node-a dies holding two leases; node-b's are not its to release.
    assert_eq!(c.release_sms_leases("node-b").await.unwrap(), 0);
    assert!(c.lease_sms(Timestamp(30), Timestamp(1_000), "node-b", 10).await.unwrap().is_empty());
    assert_eq!(c.release_sms_leases("node-a").await.unwrap(), 2);
    let back = c.lease_sms(Timestamp(31), Timestamp(1_000), "node-a", 10).await.unwrap();
    assert_eq!(back.iter().map(|m| m.id).collect::<Vec<_>>(), vec![other, second]);
}
conformance!(outbox_orders_messages_to_one_number_and_a_restarted_node_takes_back_its_leases);

/// The back-channel logout outbox leases through the same statement as the SMS outbox
/// (`outbox::lease_sql`), and holds to what `outbox_leases_are_exclusive_until_they_expire`
/// proves of it; a retry waits for its time.
async fn logout_outbox_leases_are_exclusive_until_they_expire(s: Arc<dyn Store>) {
    use domain::model::oidc::*;
    let mut tx = s.write().await.unwrap();
    tx.insert_eservice(&eservice("svc-a")).await.unwrap();
    tx.insert_client(&ClientRecord {
        client_id: "svc-a".into(),
        auth: ClientAuth::Secret,
        secret_hash: "h".into(),
        jwks: None,
        redirect_uris: vec!["https://svc-a.example/cb".into()],
        post_logout_redirect_uris: vec![],
        backchannel_logout_uri: Some("https://svc-a.example/bc".into()),
        created_at: Timestamp(1),
        updated_at: Timestamp(1),
    })
    .await
    .unwrap();
    tx.insert_logout("svc-a", "sub-1", Some("sid-1"), Timestamp(10)).await.unwrap();
    tx.insert_logout("svc-a", "sub-2", None, Timestamp(11)).await.unwrap();
    tx.commit().await.unwrap();
    let mut c = s.read().await.unwrap();
    let leased = c.lease_logouts(Timestamp(20), Timestamp(80), "node-a", 10).await.unwrap();
    let seen =
        leased.iter().map(|l| (l.client_id.as_str(), l.sub.as_str(), l.sid.as_deref(), l.attempts, l.created_at));
    assert_eq!(
        seen.collect::<Vec<_>>(),
        vec![("svc-a", "sub-1", Some("sid-1"), 1, Timestamp(10)), ("svc-a", "sub-2", None, 1, Timestamp(11))]
    );
    let (a, b) = (leased[0].id, leased[1].id);
    assert!(a < b, "in the order they were queued");
    // Another node finds nothing while the lease holds, and cannot mark what it does not hold.
    assert!(c.lease_logouts(Timestamp(30), Timestamp(90), "node-b", 10).await.unwrap().is_empty());
    c.mark_logout_delivered(a, "node-a", Timestamp(31)).await.unwrap();
    c.mark_logout_retry(b, "node-b", Timestamp(0), "not mine").await.unwrap();
    assert!(c.lease_logouts(Timestamp(40), Timestamp(90), "node-b", 10).await.unwrap().is_empty());
    // After the lease runs out the undelivered one is due again; the delivered one never.
    let again = c.lease_logouts(Timestamp(81), Timestamp(140), "node-b", 10).await.unwrap();
    assert_eq!(again.iter().map(|l| (l.id, l.attempts)).collect::<Vec<_>>(), vec![(b, 2)]);
    // Its holder asks for a retry later: not due before then, lease or none.
    c.mark_logout_retry(b, "node-b", Timestamp(200), "refused").await.unwrap();
    assert!(c.lease_logouts(Timestamp(150), Timestamp(300), "node-a", 10).await.unwrap().is_empty());
    let retried = c.lease_logouts(Timestamp(200), Timestamp(300), "node-a", 10).await.unwrap();
    assert_eq!(retried.iter().map(|l| (l.id, l.attempts)).collect::<Vec<_>>(), vec![(b, 3)]);
}
conformance!(logout_outbox_leases_are_exclusive_until_they_expire);

async fn audit_head_moves_with_the_chain(s: Arc<dyn Store>) {
    let mut tx = s.write().await.unwrap();
    assert!(tx.audit_head().await.unwrap().is_none());
    let row = AuditRow {
        seq: 1,
        at: Timestamp(5),
        actor: "system".into(),
        entity_id: None,
        action: "a".into(),
        target: None,
        result: "success".into(),
        detail: String::new(),
        source: "s".into(),
        prev_hash: "0".into(),
        hash: "h1".into(),
    };
    tx.append_audit(std::slice::from_ref(&row), &AuditHead { seq: 1, hash: "h1".into(), mac: "m".into() })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = s.read().await.unwrap();
    assert_eq!(tx.audit_head().await.unwrap().unwrap().seq, 1);
    assert_eq!(tx.list_audit(None, 0, 10).await.unwrap(), vec![row]);
}
conformance!(audit_head_moves_with_the_chain);

async fn r36_a_machine_token_is_read_with_its_credential_and_ends_with_it(s: Arc<dyn Store>) {
    use domain::model::oidc::ClientAuth;
    let mut tx = s.write().await.unwrap();
    let a = tx.insert_entity(&entity("10000013", "lookup-a")).await.unwrap();
    let b = tx.insert_entity(&entity("10000021", "lookup-b")).await.unwrap();
    tx.insert_eservice(&eservice("svc-a")).await.unwrap();
    tx.insert_eservice(&eservice("svc-b")).await.unwrap();
    let cred = MachineCredentialRecord {
        entity_id: a,
        client_id: "mc.0123456789abcdef0123456789abcdef".into(),
        name: "Payroll".into(),
        auth: ClientAuth::Secret,
        secret_hash: "h".into(),
        jwk: None,
        eservices: vec!["svc-a".into(), "svc-b".into()],
        provisioning: true,
        valid_until: Timestamp(1_000),
        created_by: LoginId::from_stored("admin-1".into()),
        created_at: Timestamp(1),
        last_used_at: None,
        warned_days: None,
    };
    tx.insert_machine_credential(&cred).await.unwrap();
    let token = |hash: &str, resource: Resource| MachineTokenRecord {
        token_hash: hash.into(),
        entity_id: a,
        client_id: cred.client_id.clone(),
        resource,
        created_at: Timestamp(2),
        expires_at: Timestamp(300),
    };
    tx.insert_machine_token(&token("m-a", Resource::EService("svc-a".into()))).await.unwrap();
    tx.insert_machine_token(&token("m-scim", Resource::Provisioning)).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = s.write().await.unwrap();
    assert_eq!(tx.find_machine_credential(&cred.client_id).await.unwrap().as_ref(), Some(&cred));
    assert_eq!(tx.list_machine_credentials(a).await.unwrap(), vec![cred.clone()]);
    assert!(tx.list_machine_credentials(b).await.unwrap().is_empty(), "another entity's list is its own");
    let f = tx.find_machine_token("m-a").await.unwrap().unwrap();
    assert_eq!((f.token.resource.clone(), f.entity_number.as_str()), (Resource::EService("svc-a".into()), "10000013"));
    assert_eq!((f.valid_until, f.provisioning, f.eservice_granted), (Timestamp(1_000), true, true));
    assert_eq!(tx.find_machine_token("m-scim").await.unwrap().unwrap().token.resource, Resource::Provisioning);
    // Narrowed: the token for the e-service it lost is read as no longer granted.
    assert!(!tx.update_machine_credential_eservices(b, &cred.client_id, &["svc-b".into()]).await.unwrap());
    assert!(tx.update_machine_credential_eservices(a, &cred.client_id, &["svc-b".into()]).await.unwrap());
    assert!(!tx.find_machine_token("m-a").await.unwrap().unwrap().eservice_granted);
    // An assertion's jti once; the last use at most once a window.
    assert!(tx.record_machine_assertion(a, &cred.client_id, "j-1", Timestamp(60)).await.unwrap());
    assert!(!tx.record_machine_assertion(a, &cred.client_id, "j-1", Timestamp(60)).await.unwrap());
    tx.record_machine_use(a, &cred.client_id, Timestamp(100), Timestamp(40)).await.unwrap();
    tx.record_machine_use(a, &cred.client_id, Timestamp(110), Timestamp(50)).await.unwrap();
    let used = tx.find_machine_credential(&cred.client_id).await.unwrap().unwrap().last_used_at;
    assert_eq!(used, Some(Timestamp(100)), "a use within the window is not written again");
    // Another entity cannot delete it; its own deletes it with its tokens.
    assert!(!tx.delete_machine_credential(b, &cred.client_id).await.unwrap());
    assert!(tx.delete_machine_credential(a, &cred.client_id).await.unwrap());
    assert!(tx.find_machine_credential(&cred.client_id).await.unwrap().is_none());
    assert!(tx.find_machine_token("m-scim").await.unwrap().is_none(), "its tokens went with it");
    assert!(!tx.delete_machine_credential(a, &cred.client_id).await.unwrap());
    tx.commit().await.unwrap();
}
conformance!(r36_a_machine_token_is_read_with_its_credential_and_ends_with_it);

#[test]
fn migration_trees_have_the_same_file_names() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
    let names = |d: &str| {
        let mut v: Vec<String> = std::fs::read_dir(root.join(d))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        v.sort();
        v
    };
    assert!(!names("sqlite").is_empty());
    assert_eq!(names("sqlite"), names("postgres"), "the two migration trees must have the same files");
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode_with_foreign_keys_a_busy_timeout_and_a_1_mib_page_cache() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("w.db").display());
    let s = store::sqlite::SqliteStore::open(&url).await.unwrap();
    let mut c = s.pool().acquire().await.unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&mut *c).await.unwrap();
    let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(&mut *c).await.unwrap();
    let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout").fetch_one(&mut *c).await.unwrap();
    assert_eq!((mode.as_str(), fk), ("wal", 1));
    assert!(busy >= 5_000, "busy timeout {busy} ms");
    // Negative: KiB. Eight connections' caches stay within the flood's memory budget.
    let cache: i64 = sqlx::query_scalar("PRAGMA cache_size").fetch_one(&mut *c).await.unwrap();
    assert_eq!(cache, -1024);
}
