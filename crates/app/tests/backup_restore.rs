//! Backup and restore (issue 7, point 8): `entity-account backup PATH` taken while the server
//! runs, `restore PATH` into a new database, then `audit verify` and a sign-in on the restored
//! data; what happened after the backup is not in it; a restore never lands on a database that
//! holds data, and a backup restored with another key is refused. SQLite uses `VACUUM INTO`,
//! PostgreSQL `pg_dump`/`pg_restore` (the PostgreSQL client tools must be installed).

mod support;
use serde_json::Value;
use support::*;

/// Points the server's commands at a new, empty database for the restore (a PostgreSQL one is
/// dropped with the value returned).
async fn point_at_an_empty_database(s: &mut Server) -> Option<testkit::PgTestDb> {
    match s.backend {
        Backend::Sqlite => {
            s.database_url = format!("sqlite://{}", s.dir.path().join("restored.db").display());
            None
        }
        Backend::Postgres => {
            let db = testkit::PgTestDb::create("r").await.expect("a PostgreSQL test database");
            s.database_url = db.url.clone();
            Some(db)
        }
    }
}

fn ok(out: &std::process::Output) -> bool {
    out.status.success()
}

fn text(out: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

on_both_backends!(
    backup_taken_online_restores_with_a_verified_audit_chain_and_a_working_sign_in,
    |mut s: Server| async move {
        let op = s.operator_token().await;
        let (_, kept) = s
            .approve(&op, application("BACKUP-1", "+85366300000", &[("Admin", "passport", "B3000001", "66300001")]))
            .await;
        s.activate("entity_number", &kept, "+85366300001", "admin").await;
        s.login(&kept, "admin").await;

        // Online: the server keeps running (and serving) while the backup is taken.
        let backup = s.dir.path().join("backup.ea");
        let path = backup.to_str().unwrap();
        let out = s.cli(&["backup", path], None).await;
        assert!(ok(&out), "backup: {}", text(&out));
        assert!(!ok(&s.cli(&["backup", path], None).await), "a backup never overwrites a file");

        let (after_app, _) = s
            .approve(&op, application("BACKUP-2", "+85366310000", &[("Later", "passport", "B3100001", "66310001")]))
            .await;

        s.stop();
        let _new_pg = point_at_an_empty_database(&mut s).await;
        let out = s.cli(&["restore", path], None).await;
        assert!(ok(&out), "restore: {}", text(&out));
        assert!(text(&out).contains("audit log verified"), "{}", text(&out));
        let again = s.cli(&["restore", path], None).await;
        assert!(!ok(&again), "a restore never lands on a database that holds data: {}", text(&again));

        let out = s.cli(&["audit", "verify"], None).await;
        assert!(ok(&out), "audit verify after restore: {}", text(&out));
        s.spawn().await;
        let (token, _) = s.login(&kept, "admin").await;
        let (st, me) = s.call("GET", "/me", Some(&token), None).await;
        assert_eq!(st, 200, "{me}");
        assert_eq!(me["entity_number"], Value::String(kept.clone()));
        let op = s.operator_token().await;
        let (st, _) = s.call("GET", &format!("/counter/applications/{after_app}"), Some(&op), None).await;
        assert_eq!(st, 404, "the application made after the backup is not in it");
    }
);

on_both_backends!(a_backup_restored_with_another_key_is_refused, |mut s: Server| async move {
    let backup = s.dir.path().join("backup.ea");
    let path = backup.to_str().unwrap().to_string();
    assert!(ok(&s.cli(&["backup", &path], None).await));
    s.stop();
    let _new_pg = point_at_an_empty_database(&mut s).await;
    let other_key = s.dir.path().join("other.key");
    std::fs::write(&other_key, "ab".repeat(32)).unwrap();
    let out = s.command().env("EA_KEY_FILE", &other_key).args(["restore", &path]).output().expect("run restore");
    assert!(!out.status.success(), "restored with the wrong key: {}", text(&out));
    assert!(text(&out).contains("key"), "the refusal names the key: {}", text(&out));
    // Without any key file at all, it does not even start.
    let out = s
        .command()
        .env("EA_KEY_FILE", s.dir.path().join("missing.key"))
        .args(["restore", &path])
        .output()
        .expect("run restore");
    assert!(!out.status.success());
    assert!(text(&out).contains("missing"), "{}", text(&out));
});
