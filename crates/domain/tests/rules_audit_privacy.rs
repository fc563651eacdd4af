//! Rules R25–R27: every login's notification inbox, the tamper-evident audit log (what it
//! records, that the chain verifies and locates alterations, that it holds no secrets, and
//! who may read an entity's part), and personal data sealed at rest with lookups and masks.

mod support;
use domain::Code;
use support::*;

use std::sync::Arc;

use domain::access::Caller;
use domain::audit::{self, VerifyError, VerifyOutcome};
use domain::config::Policy;
use domain::crypto::Purpose;
use domain::eservice_form::EServiceInput;
use domain::help::HelpKind;
use domain::identity::lookup_form;
use domain::model::{AuditRow, LoginKind};
use domain::sessions::LoginInput;
use domain::Error;

async fn staff(env: &Env, admin: &Caller, id_kind: &str, id: &str, mobile: &str, username: &str) -> String {
    let n = admin.entity_number().to_string();
    let login_id = env
        .services
        .create_staff(&admin.admin_of(&n).unwrap(), &env.ctx(), person("Staff Person", id_kind, id, Some(mobile), true))
        .await
        .unwrap();
    let code = env.last_code_for(&canonical(mobile)).await;
    env.activate_staff(&n, &code, username).await;
    login_id
}

async fn all_audit(env: &Env) -> Vec<AuditRow> {
    let mut tx = env.store.read().await.unwrap();
    tx.list_audit(None, 0, 100_000).await.unwrap()
}

async fn verify(env: &Env) -> Result<i64, VerifyOutcome> {
    let mut tx = env.store.read().await.unwrap();
    audit::verify(tx.as_mut(), &env.services.vault).await
}

/// What `audit verify` finds wrong, or `None` when the chain verifies.
async fn broken(env: &Env) -> Option<VerifyError> {
    match verify(env).await {
        Ok(_) => None,
        Err(VerifyOutcome::Invalid(e)) => Some(e),
        Err(VerifyOutcome::Store(e)) => panic!("store error: {e}"),
    }
}

async fn verified_len(env: &Env) -> i64 {
    verify(env).await.expect("the audit chain verifies")
}

async fn kinds(env: &Env, c: &Caller) -> Vec<String> {
    env.services.my_notifications(c).await.unwrap().into_iter().map(|n| n.kind).collect()
}

// ---------------------------------------------------------------------------------------
// R25

both_backends!(r25_notifications_for_approval_creation_rights_and_assignment, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R25-NT-1", "62500001").await;

    // Approval: the entity account hears of it, with its numbers.
    let account = env.sign_in(&e.entity_number, "entity").await;
    let inbox = env.services.my_notifications(&account).await.unwrap();
    let approved = inbox.iter().find(|n| n.kind == "application_approved").expect("approval notice");
    let param = |k: &str| approved.params.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    assert_eq!(param("application_number"), Some(e.application_number.clone()));
    assert_eq!(param("entity_number"), Some(e.entity_number.clone()));

    // Creation: the new staff login's inbox.
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    staff(&env, &admin, "passport", "R25NT2", "62500002", "staff1").await;
    let st = env.sign_in(&e.entity_number, "staff1").await;
    assert_eq!(kinds(&env, &st).await, vec!["login_created".to_string()]);

    // An administrator added at the counter.
    let admin2_id = env
        .services
        .add_admin(&op, &env.ctx(), &e.entity_number, person("Admin Two", "passport", "R25NT3", Some("62500003"), true))
        .await
        .unwrap();
    let code = env.last_code_for("+85362500003").await;
    env.activate_staff(&e.entity_number, &code, "admin2").await;
    let a2 = env.sign_in(&e.entity_number, "admin2").await;
    assert!(kinds(&env, &a2).await.contains(&"administrator_added".to_string()));

    // Rights removed, then restored (a minute apart, so "newest first" is defined).
    env.clock.advance_secs(60);
    env.services
        .remove_admin(&account.entity_account_of(&e.entity_number).unwrap(), &env.ctx(), &admin2_id)
        .await
        .unwrap();
    env.clock.advance_secs(60);
    env.services.restore_admin(&op, &env.ctx(), &e.entity_number, &admin2_id).await.unwrap();
    let a2 = env.sign_in(&e.entity_number, "admin2").await;
    let k = kinds(&env, &a2).await;
    // Newest first.
    assert_eq!(&k[..2], &["admin_rights_restored".to_string(), "admin_rights_removed".to_string()]);

    // E-service assigned.
    env.services
        .create_eservice(
            &op,
            &env.ctx(),
            EServiceInput {
                code: "r25-svc".into(),
                name_zh: "服務".into(),
                name_pt: "Serviço".into(),
                name_en: "Service".into(),
                department: "SAFP".into(),
                assurance: "basic".into(),
                requires_registration: false,
                four_eyes: false,
                allows_intermediaries: false,
                review_days: None,
            },
        )
        .await
        .unwrap();
    env.clock.advance_secs(60);
    env.services
        .assign_eservices(&admin.admin_of(&e.entity_number).unwrap(), &env.ctx(), st.login_id(), vec!["r25-svc".into()])
        .await
        .unwrap();
    let inbox = env.services.my_notifications(&st).await.unwrap();
    assert_eq!(inbox[0].kind, "eservices_assigned");
    assert!(inbox[0].params.contains(&("eservices".to_string(), "r25-svc".to_string())));
    // Assigning the same again is no news.
    env.services
        .assign_eservices(&admin.admin_of(&e.entity_number).unwrap(), &env.ctx(), st.login_id(), vec!["r25-svc".into()])
        .await
        .unwrap();
    assert_eq!(env.services.my_notifications(&st).await.unwrap().len(), 2);
});

both_backends!(r25_inbox_is_per_login, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R25-PL-1", "62500011").await;
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    staff(&env, &admin, "passport", "R25PL2", "62500012", "staff1").await;
    let account = env.sign_in(&e.entity_number, "entity").await;
    let st = env.sign_in(&e.entity_number, "staff1").await;
    for c in [&admin, &account, &st] {
        let inbox = env.services.my_notifications(c).await.unwrap();
        assert!(inbox.iter().all(|n| n.login_id == c.login_id()));
    }
    assert!(!kinds(&env, &admin).await.contains(&"login_created".to_string()));
    assert!(!kinds(&env, &st).await.contains(&"application_approved".to_string()));
});

// ---------------------------------------------------------------------------------------
// R26

both_backends!(r26_every_change_recorded_with_who_what_where_and_result, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R26-RC-1", "62600001").await;
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    let n0 = verified_len(&env).await;

    // One change, one record, chained on.
    let ctx = domain::services::Ctx::new("198.51.100.26");
    let staff_id = env
        .services
        .create_staff(
            &admin.admin_of(&e.entity_number).unwrap(),
            &ctx,
            person("Staff", "passport", "R26RC2", Some("62600002"), true),
        )
        .await
        .unwrap();
    assert_eq!(verified_len(&env).await, n0 + 1);
    let rows = all_audit(&env).await;
    let r = rows.last().unwrap();
    assert_eq!(r.action, "login.created");
    assert_eq!(r.actor, format!("login:{}", e.admin_login_id));
    assert_eq!(r.target.as_deref(), Some(staff_id.as_str()));
    assert_eq!(r.result, "success");
    assert_eq!(r.source, "198.51.100.26");
    assert!(r.entity_id.is_some());
    assert_eq!(r.at, domain::clock::Clock::now(env.clock.as_ref()));
    assert_eq!(r.prev_hash, rows[rows.len() - 2].hash);

    // Refused requests are recorded as refused.
    err(env.services.delete_login(&admin.admin_of(&e.entity_number).unwrap(), &env.ctx(), &e.admin_login_id).await);
    err(env
        .services
        .login(
            &env.ctx(),
            LoginInput {
                entity_number: e.entity_number.clone(),
                username: "admin1".into(),
                password: "not the password at all".into(),
            },
        )
        .await);
    let dup = env
        .services
        .submit_application(&op, &env.ctx(), application("R26 RC 1", &[("X", "passport", "R26RC9", "62600009")]))
        .await
        .unwrap()
        .0;
    err(env.services.approve_application(&op, &env.ctx(), &dup).await);
    let rows = all_audit(&env).await;
    let refused: Vec<_> = rows.iter().filter(|r| r.result == "refused").map(|r| r.action.as_str()).collect();
    assert_eq!(refused, vec!["login.deleted", "session.login_failed", "application.approved"]);
    assert_eq!(verified_len(&env).await, n0 + 5);
    // Operators are named as operators.
    let submitted = rows.iter().find(|r| r.action == "application.submitted").unwrap();
    assert_eq!(submitted.actor, format!("operator:{}", op.id()));
});

both_backends!(r26_audit_holds_no_password_code_or_full_identity_number, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R26-NS-1", "62600011").await;
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    staff(&env, &admin, "macau_resident", "1234567(8)", "62600012", "staff1").await;
    let mut secrets: Vec<String> = env
        .outbox()
        .await
        .iter()
        .filter_map(|m| m.param("code").map(str::to_string))
        .flat_map(|c| [c.clone(), c.replace('-', "")])
        .collect();
    // A failed login with a typed password, a wrong activation code, a reset request.
    let _ = env
        .services
        .login(
            &env.ctx(),
            LoginInput {
                entity_number: e.entity_number.clone(),
                username: "staff1".into(),
                password: "typed wrong pass phrase".into(),
            },
        )
        .await;
    help(&env, HelpKind::ResetPassword, &e.entity_number, "1234567(8)", "62600012").await.unwrap();
    secrets.push(env.last_code_for("+85362600012").await);
    secrets.extend(
        [
            PASSWORD,
            "typed wrong pass phrase",
            "1234567(8)",
            "12345678",
            "1234567",
            "PR26NS11",
            "62600011",
            "62600012",
            "66000001",
        ]
        .map(str::to_string),
    );
    let rows = all_audit(&env).await;
    assert!(rows.len() > 10);
    for r in &rows {
        let text = format!("{} {} {:?} {} {} {}", r.actor, r.action, r.target, r.result, r.detail, r.source);
        for s in &secrets {
            assert!(!text.contains(s.as_str()), "audit record {} holds {s}: {text}", r.seq);
        }
    }
});

both_backends!(r26_entity_reads_only_its_part_of_the_audit, |env: Env| async move {
    let op = env.operator().await;
    let a = env.entity(&op, "R26-RD-A", "62600021").await;
    let b = env.entity(&op, "R26-RD-B", "62600022").await;
    let admin = env.sign_in(&a.entity_number, "admin1").await;
    staff(&env, &admin, "passport", "R26RD2", "62600023", "staff1").await;
    let account = env.sign_in(&a.entity_number, "entity").await;
    let st = env.sign_in(&a.entity_number, "staff1").await;
    env.sign_in(&b.entity_number, "admin1").await;

    let mut tx = env.store.read().await.unwrap();
    let entity_a = tx.find_entity_by_number(&a.entity_number).await.unwrap().unwrap();
    drop(tx);
    for c in [&admin, &account] {
        let rows = env.services.entity_audit(&c.overseer_of(&a.entity_number).unwrap(), 0, 500).await.unwrap();
        assert!(rows.len() >= 5, "{}", rows.len());
        assert!(rows.iter().all(|r| r.entity_id == Some(entity_a.id)));
        assert!(rows.iter().any(|r| r.action == "application.approved"));
        assert!(rows.iter().any(|r| r.action == "login.created"));
        // Paged by sequence number.
        let after = rows[1].seq;
        let rest = env.services.entity_audit(&c.overseer_of(&a.entity_number).unwrap(), after, 2).await.unwrap();
        assert_eq!(rest.len(), 2);
        assert_eq!(rest[0].seq, rows[2].seq);
    }
    assert!(matches!(st.overseer_of(&a.entity_number), Err(Error::Forbidden)));
});

/// A raw connection to the test database, to do what an intruder with database access
/// could: the audit chain must show it.
enum Raw {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl Raw {
    async fn exec(&self, sql: &str) {
        match self {
            Raw::Sqlite(p) => {
                sqlx::query(sql).execute(p).await.unwrap();
            }
            Raw::Postgres(p) => {
                sqlx::query(sql).execute(p).await.unwrap();
            }
        }
    }
}

async fn tamper_run(env: Env, raw: Raw) {
    let op = env.operator().await;
    let e = env.entity(&op, "R26-TP-1", "62600031").await;
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    let n0 = verified_len(&env).await;
    assert!(n0 > 5);
    staff(&env, &admin, "passport", "R26TP2", "62600032", "staff1").await;
    let n1 = verified_len(&env).await;
    assert!(n1 > n0, "the chain grows with each change");
    err(env.services.delete_login(&admin.admin_of(&e.entity_number).unwrap(), &env.ctx(), &e.admin_login_id).await);
    let n = verified_len(&env).await;
    assert_eq!(n, n1 + 1);
    let rows = all_audit(&env).await;
    let refusal = rows.last().unwrap();
    assert_eq!((refusal.action.as_str(), refusal.result.as_str()), ("login.deleted", "refused"));

    // Altering a record in the middle: detected and located.
    let k = n0;
    raw.exec(&format!("UPDATE audit_log SET source = '198.51.100.99' WHERE seq = {k}")).await;
    assert_eq!(broken(&env).await, Some(VerifyError::Altered { seq: k }));
    let original = &rows[(k - 1) as usize];
    assert_eq!(original.seq, k);
    raw.exec(&format!("UPDATE audit_log SET source = '{}' WHERE seq = {k}", original.source)).await;
    assert_eq!(verified_len(&env).await, n);

    // Rewriting the newest record, the refusal, as a success: detected.
    raw.exec(&format!("UPDATE audit_log SET result = 'success' WHERE seq = {n}")).await;
    assert_eq!(broken(&env).await, Some(VerifyError::Altered { seq: n }));
    raw.exec(&format!("UPDATE audit_log SET result = 'refused' WHERE seq = {n}")).await;
    assert_eq!(verified_len(&env).await, n);

    // Deleting the newest record and rewriting the checkpoint without the key: detected.
    let mut tx = env.store.read().await.unwrap();
    let head = tx.audit_head().await.unwrap().unwrap();
    drop(tx);
    raw.exec(&format!("UPDATE audit_head SET seq = {}, hash = '{}' WHERE id = 1", n - 1, rows[(n - 2) as usize].hash))
        .await;
    raw.exec(&format!("DELETE FROM audit_log WHERE seq = {n}")).await;
    assert_eq!(broken(&env).await, Some(VerifyError::ForgedHead));
    raw.exec(&format!(
        "UPDATE audit_head SET seq = {}, hash = '{}', mac = '{}' WHERE id = 1",
        head.seq, head.hash, head.mac
    ))
    .await;

    // Deleting the newest record, the checkpoint left as it was: detected.
    assert_eq!(broken(&env).await, Some(VerifyError::Truncated { head_seq: n, last_seq: n - 1 }));

    // Deleting one in the middle: detected where it is missing.
    raw.exec(&format!("DELETE FROM audit_log WHERE seq = {k}")).await;
    assert_eq!(broken(&env).await, Some(VerifyError::Gap { after: k - 1, found: k + 1 }));
}

mod r26_audit_chain_verifies_and_detects_alteration {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let s = store::sqlite::SqliteStore::open(&url).await.unwrap();
        let raw = Raw::Sqlite(s.pool().clone());
        let env = Env::with_store(Arc::new(s), Some(dir), "sqlite", Policy::default()).await;
        tamper_run(env, raw).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        let Some(db) = testkit::PgTestDb::create("t").await else { return };
        let url = db.url.clone();
        let s = store::postgres::PgStore::open(&url).await.unwrap();
        let raw = Raw::Postgres(s.pool().clone());
        let env = Env::with_store(Arc::new(s), None, "postgres", Policy::default()).await.holding(db);
        tamper_run(env, raw).await;
    }
}

// ---------------------------------------------------------------------------------------
// R27

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

both_backends!(r27_identity_numbers_and_mobiles_are_sealed, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R27-SL-1", "62700001").await;
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    let id = staff(&env, &admin, "macau_resident", "5234567(1)", "62700002", "staff1").await;
    let vault = &env.services.vault;

    let mut tx = env.store.read().await.unwrap();
    let entity = tx.find_entity_by_number(&e.entity_number).await.unwrap().unwrap();
    let login = tx.find_login(entity.id, &id).await.unwrap().unwrap();

    // Sealed: the clear values are nowhere in the stored bytes.
    let id_sealed = login.id_number_sealed.clone().unwrap();
    for clear in ["5234567(1)", "52345671", "5234567"] {
        assert!(!contains(&id_sealed, clear));
    }
    for clear in ["+85362700002", "62700002"] {
        assert!(!contains(&login.mobile_sealed, clear));
    }
    assert!(!contains(&entity.mobile_sealed, "66000001"));
    // ... but open with the key, for the rules that need them.
    assert_eq!(vault.open(Purpose::IdNumber, &id_sealed).unwrap(), "5234567(1)");
    assert_eq!(vault.open(Purpose::Mobile, &login.mobile_sealed).unwrap(), "+85362700002");
    // Masks hide all but a hint.
    let id_mask = login.id_number_mask.clone().unwrap();
    assert_eq!(id_mask, "5••••••(1)");
    assert_eq!(login.mobile_mask, "+853 6•••••02");
    assert!(!id_mask.contains("234567") && !login.mobile_mask.contains("270000"));
    // Lookups find the login by its number however it is typed, and are not the number.
    let lookup = vault.lookup(Purpose::IdNumber, &lookup_form("5234567 (1)"));
    assert_eq!(login.id_number_lookup.as_deref(), Some(lookup.as_str()));
    assert!(!lookup.contains("5234567"));
    let found = tx.find_logins_by_id_number(entity.id, &lookup).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, id);
    assert_eq!(login.mobile_lookup, vault.lookup(Purpose::Mobile, "+85362700002"));

    // The application's people are sealed the same way.
    let app = tx.find_application(&e.application_number).await.unwrap().unwrap();
    assert!(!app.people.is_empty());
    for p in &app.people {
        let clear = vault.open(Purpose::IdNumber, &p.id_number_sealed).unwrap();
        assert!(!contains(&p.id_number_sealed, &clear));
        assert!(!p.id_number_mask.contains(&clear[1..clear.len() - 3]));
        if let Some(m) = &p.mobile_sealed {
            let clear = vault.open(Purpose::Mobile, m).unwrap();
            assert!(!contains(m, &clear[4..]));
        }
    }
    drop(tx);

    // What an administrator's list shows is the mask.
    let listed = env.services.list_logins(&admin.overseer_of(&e.entity_number).unwrap()).await.unwrap();
    let l = listed.iter().find(|s| s.login.id == id).unwrap();
    assert_eq!(l.login.id_number_mask.as_deref(), Some("5••••••(1)"));
    assert_eq!(l.login.kind, LoginKind::Staff);
});

both_backends!(r27_sms_outbox_holds_codes_and_numbers_sealed, |env: Env| async move {
    let op = env.operator().await;
    let (_, _) = env.approve(&op, application("R27-OB-1", &[("A", "passport", "R27OB1", "62700011")])).await;
    let code = env.last_code_for("+85362700011").await;
    let mut tx = env.store.read().await.unwrap();
    let now = domain::clock::Clock::now(env.clock.as_ref());
    let leased =
        tx.lease_sms(now.plus_secs(1_000_000_000), now.plus_secs(2_000_000_000), "r27-reader", 100).await.unwrap();
    assert_eq!(leased.len(), 2);
    for m in &leased {
        for clear in [code.as_str(), &code.replace('-', ""), "62700011", "66000001"] {
            assert!(!contains(&m.payload_sealed, clear), "outbox holds {clear}");
        }
        tx.mark_sms_retry(m.id, "r27-reader", now, "read by test").await.unwrap();
    }
});

both_backends!(r26_refusals_for_the_state_found_leave_only_their_audit_record, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "REF-1", "66770001").await;
    let before = all_audit(&env).await.len();
    // Restoring rights that were never removed: refused, recorded, nothing else changes.
    let r = env.services.restore_admin(&op, &env.ctx(), &e.entity_number, &e.admin_login_id).await;
    assert!(matches!(err(r), Error::Conflict { code: Code::NotRemovedAdministrator, .. }));
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    let me = admin.admin_of(&e.entity_number).unwrap();
    let r = env.services.delete_login(&me, &env.ctx(), &e.admin_login_id).await;
    assert!(matches!(err(r), Error::Refused { code: Code::CannotDeleteSelf, .. }));
    let rows = all_audit(&env).await;
    // One login record for sign_in, then the two refusals.
    let refusals: Vec<&AuditRow> = rows[before..].iter().filter(|r| r.result == "refused").collect();
    assert_eq!(refusals.len(), 2, "{:#?}", &rows[before..]);
    assert_eq!(refusals[0].action, "login.admin_rights_restored");
    assert!(refusals[0].detail.contains("not_removed_administrator"));
    assert_eq!(refusals[1].action, "login.deleted");
    assert!(refusals[1].detail.contains("cannot_delete_self"));
});
