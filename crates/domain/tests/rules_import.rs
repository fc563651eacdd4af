//! Staff logins from a file (R32), on both backends: a dry run reports every row's faults by
//! row and column and creates nothing; a commit creates every row or none, queues each
//! person's activation code and assigns the e-services the row names.

mod support;
use support::oidc::*;
use support::*;

use domain::access::Caller;

const HEADER: &str = "name,id_document_type,id_document_number,mobile,eservices\r\n";

fn file(rows: &[String]) -> Vec<u8> {
    let mut s = format!("\u{FEFF}{HEADER}");
    for r in rows {
        s.push_str(r);
        s.push_str("\r\n");
    }
    s.into_bytes()
}

fn row(i: usize, eservices: &str) -> String {
    format!("Staff {i},passport,P{i:05},6{:07},{eservices}", 3000000 + i)
}

async fn staff_count(env: &Env, admin: &Caller) -> usize {
    let o = admin.overseer_of(admin.entity_number()).unwrap();
    env.services
        .list_logins(&o)
        .await
        .unwrap()
        .iter()
        .filter(|s| s.login.kind == domain::model::LoginKind::Staff)
        .count()
}

async fn setup(env: &Env, reg: &str) -> Caller {
    let op = env.operator().await;
    let e = env.entity(&op, reg, "62810001").await;
    client(env, &op, "r32-tax", "DSF", false).await;
    env.sign_in(&e.entity_number, "admin1").await
}

both_backends!(r32_dry_run_names_every_faulty_row_by_column_and_creates_nothing, |env: Env| async move {
    let admin = setup(&env, "R32A").await;
    let a = admin.admin_of_own().unwrap();
    let sms_before = env.outbox().await.len();
    let rows = vec![
        row(1, "r32-tax"),
        "Bad mobile,passport,P90001,12345,".to_string(),
        row(3, "no-such-service"),
        format!("Twin,passport,P{:05},63000004,", 1),
        ",passport,P90005,63000005,".to_string(),
    ];
    let report = env.services.import_staff(&a, &env.ctx(), &file(&rows), true).await.unwrap();
    assert_eq!((report.rows, report.created), (5, 0));
    let named: Vec<(usize, &str, String)> =
        report.errors.iter().map(|e| (e.row, e.field.as_str(), e.code.to_string())).collect();
    assert!(named.contains(&(3, "mobile", "invalid_mobile".into())), "{named:?}");
    assert!(named.contains(&(4, "eservices", "unknown_eservice".into())), "{named:?}");
    assert!(named.contains(&(5, "id_document_number", "duplicate_person".into())), "{named:?}");
    assert!(named.iter().any(|n| n.0 == 6 && n.1 == "name"), "{named:?}");
    assert!(!named.iter().any(|n| n.0 == 2), "a good row has no fault: {named:?}");
    // Committing the same file is refused whole: nothing made, nothing sent, one audit record.
    let report = env.services.import_staff(&a, &env.ctx(), &file(&rows), false).await.unwrap();
    assert_eq!(report.created, 0);
    assert_eq!(staff_count(&env, &admin).await, 0);
    assert_eq!(env.outbox().await.len(), sms_before);
    let o = admin.overseer_of(admin.entity_number()).unwrap();
    let audit = env.services.entity_audit(&o, 0, 1000).await.unwrap();
    assert_eq!(audit.iter().filter(|r| r.action == "login.imported").count(), 1);
    assert!(audit.iter().all(|r| r.action != "login.created" || r.detail != "staff import"));
});

both_backends!(r32_existing_logins_are_duplicates_too, |env: Env| async move {
    let admin = setup(&env, "R32B").await;
    staff(&env, &admin, "P00001", "63000001", "first1").await;
    let a = admin.admin_of_own().unwrap();
    let report = env.services.import_staff(&a, &env.ctx(), &file(&[row(1, ""), row(2, "")]), true).await.unwrap();
    let named: Vec<(usize, String, String)> =
        report.errors.iter().map(|e| (e.row, e.field.clone(), e.code.to_string())).collect();
    assert_eq!(named, [(2, "id_document_number".to_string(), "person_has_login".to_string())]);
});

both_backends!(r32_commit_creates_every_row_with_its_code_and_eservices, |env: Env| async move {
    let admin = setup(&env, "R32C").await;
    let a = admin.admin_of_own().unwrap();
    let sms_before = env.outbox().await.len();
    let rows: Vec<String> = (1..=1000).map(|i| row(i, if i % 2 == 0 { "r32-tax" } else { "" })).collect();
    let report = env.services.import_staff(&a, &env.ctx(), &file(&rows), false).await.unwrap();
    assert!(report.errors.is_empty(), "{:?}", &report.errors[..report.errors.len().min(3)]);
    assert_eq!((report.rows, report.created), (1000, 1000));
    assert_eq!(staff_count(&env, &admin).await, 1000);
    let sent = env.outbox().await;
    assert_eq!(sent.len() - sms_before, 1000, "one activation code a person, queued in the outbox");
    let second = &report.login_ids[1];
    let held = env.services.login_assignments(&admin, admin.entity_number(), second).await.unwrap();
    assert_eq!(held.iter().map(|x| x.code.as_str()).collect::<Vec<_>>(), ["r32-tax"]);
    // The same file again: every row is now a person with a login; nothing more is made.
    let again = env.services.import_staff(&a, &env.ctx(), &file(&rows), false).await.unwrap();
    assert_eq!((again.created, again.errors.len()), (0, 1000));
    assert_eq!(staff_count(&env, &admin).await, 1000);
});
