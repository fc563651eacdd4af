//! Acceptance: `entity-account audit verify` passes on a live database and fails, naming the
//! record, after any single audit row is altered or the newest one is deleted (R26).

mod support;
use serde_json::json;
use support::*;

async fn verify(s: &Server) -> (bool, String) {
    let out = s.cli(&["audit", "verify"], None).await;
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

on_both_backends!(r26_audit_verify_detects_any_altered_record, |s: Server| async move {
    let op = s.operator_token().await;
    let (st, b) = s
        .call(
            "POST",
            "/counter/applications",
            Some(&op),
            Some(application("AUD-1", "+85366300000", &[("A", "passport", "P3000001", "66300001")])),
        )
        .await;
    assert_eq!(st, 201);
    let app_no = b["application_number"].as_str().unwrap().to_string();
    let (st, _) = s.call("POST", &format!("/counter/applications/{app_no}/approve"), Some(&op), None).await;
    assert_eq!(st, 200);
    let (st, _) = s
        .call(
            "POST",
            "/login",
            None,
            Some(json!({"entity_number": "10000012", "username": "x", "password": "wrong password"})),
        )
        .await;
    assert_eq!(st, 401);

    let (ok, out) = verify(&s).await;
    assert!(ok, "a live database verifies: {out}");
    let n: usize = out.split_whitespace().find_map(|w| w.parse().ok()).expect("record count");
    assert!(n >= 5, "{out}");

    // Alter each column of each record in turn: verify fails and names that record; put
    // it back and the chain verifies again.
    let alterations = [
        ("detail", "detail = detail || 'x'", "detail = substr(detail, 1, length(detail) - 1)"),
        ("actor", "actor = actor || 'x'", "actor = substr(actor, 1, length(actor) - 1)"),
        ("action", "action = action || 'x'", "action = substr(action, 1, length(action) - 1)"),
        ("at", "at = at + 1", "at = at - 1"),
        ("prev_hash", "prev_hash = prev_hash || 'x'", "prev_hash = substr(prev_hash, 1, length(prev_hash) - 1)"),
        ("hash", "hash = hash || 'x'", "hash = substr(hash, 1, length(hash) - 1)"),
    ];
    for seq in 1..=n {
        for (column, alter, revert) in alterations {
            s.sql(&format!("UPDATE audit_log SET {alter} WHERE seq = {seq}")).await;
            let (ok, out) = verify(&s).await;
            assert!(!ok, "altering {column} of record {seq} went unnoticed");
            assert!(out.contains(&format!("record {seq} ")), "altering {column} of {seq} must name it: {out}");
            s.sql(&format!("UPDATE audit_log SET {revert} WHERE seq = {seq}")).await;
        }
    }
    let (ok, out) = verify(&s).await;
    assert!(ok, "restored, the chain verifies again: {out}");
});

on_both_backends!(r26_audit_verify_detects_deleted_newest_record, |s: Server| async move {
    let op = s.operator_token().await;
    let (st, _) = s
        .call(
            "POST",
            "/counter/applications",
            Some(&op),
            Some(application("AUD-2", "+85366300010", &[("A", "passport", "P3000011", "66300011")])),
        )
        .await;
    assert_eq!(st, 201);
    let (ok, out) = verify(&s).await;
    assert!(ok, "{out}");
    let n: usize = out.split_whitespace().find_map(|w| w.parse().ok()).unwrap();
    s.sql(&format!("DELETE FROM audit_log WHERE seq = {n}")).await;
    let (ok, out) = verify(&s).await;
    assert!(!ok, "deleting the newest record must be detected");
    assert!(out.contains(&format!("{n}")), "names the missing record: {out}");

    // Rewriting the checkpoint to match the shortened chain needs the key: still detected.
    s.sql(&format!("UPDATE audit_head SET seq = {}, hash = (SELECT hash FROM audit_log WHERE seq = {})", n - 1, n - 1))
        .await;
    let (ok, out) = verify(&s).await;
    assert!(!ok, "a forged checkpoint must be detected: {out}");
});
