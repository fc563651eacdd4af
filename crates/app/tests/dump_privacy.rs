//! Acceptance: a dump of the database holds no identity number, mobile number, password,
//! activation or reset code, or session token in clear (R11, R14, R27). SQLite is checked
//! byte for byte (database and WAL files); PostgreSQL through `pg_dump`.

mod support;
use serde_json::json;
use support::*;

async fn dump(s: &mut Server) -> Vec<u8> {
    match s.backend {
        Backend::Sqlite => {
            s.stop();
            let mut bytes = Vec::new();
            for entry in std::fs::read_dir(s.dir.path()).unwrap() {
                let p = entry.unwrap().path();
                let name = p.file_name().unwrap().to_string_lossy().to_string();
                if name.starts_with("ea.db") {
                    bytes.extend(std::fs::read(&p).unwrap());
                }
            }
            bytes
        }
        Backend::Postgres => {
            let out = std::process::Command::new("pg_dump")
                .arg("--dbname")
                .arg(&s.database_url)
                .output()
                .expect("pg_dump runs");
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            out.stdout
        }
    }
}

on_both_backends!(r27_database_dump_holds_no_personal_data_or_secrets_in_clear, |s: Server| async move {
    let mut s = s;
    let op = s.operator_token().await;
    let app = json!({
        "entity": {"type": "association", "name_zh": "澳門測試協會", "registration_number": "ASSOC-77",
                   "mobile": "+853 6640 0000"},
        "representatives": [{"name": "Rep", "id_document": {"type": "macau_resident", "number": "7315429(6)"}, "document_shown": true}],
        "proxy": {"name": "Proxy", "id_document": {"type": "passport", "number": "PX9081726"}, "document_shown": true,
                  "power_of_attorney": {"notarised": true, "reference": "NOT-2026-1"}},
        "administrators": [{"name": "Admin", "id_document": {"type": "passport", "number": "QZ5647382"}, "mobile": "66400001"}],
        "agreement_signed": true
    });
    let (st, b) = s.call("POST", "/counter/applications", Some(&op), Some(app)).await;
    assert_eq!(st, 201, "{b}");
    let app_no = b["application_number"].as_str().unwrap().to_string();
    let (_, b) = s.call("POST", &format!("/counter/applications/{app_no}/approve"), Some(&op), None).await;
    let entity = b["entity_number"].as_str().unwrap().to_string();
    let entity_code = s.code_for("+85366400000", 1).await;
    let admin_code = s.code_for("+85366400001", 1).await;
    let (st, _) = s
        .call("POST", "/activate", None, Some(json!({"application_number": app_no, "activation_code": entity_code, "username": "assoc", "password": PASSWORD})))
        .await;
    assert_eq!(st, 200);
    let admin_password = "a different long pass phrase for my desk";
    let (st, _) = s
        .call("POST", "/activate", None, Some(json!({"entity_number": entity, "activation_code": admin_code, "username": "admin", "password": admin_password})))
        .await;
    assert_eq!(st, 200);
    let (st, b) = s
        .call(
            "POST",
            "/login",
            None,
            Some(json!({"entity_number": entity, "username": "admin", "password": admin_password})),
        )
        .await;
    assert_eq!(st, 200);
    let token = b["token"].as_str().unwrap().to_string();
    let (st, _) = s
        .call(
            "POST",
            &format!("/entities/{entity}/logins"),
            Some(&token),
            Some(json!({
            "name": "Staff", "id_document": {"type": "macau_resident", "number": "5123987(4)"}, "mobile": "66400002"})),
        )
        .await;
    assert_eq!(st, 201);
    let staff_code = s.code_for("+85366400002", 1).await;
    let (st, _) = s
        .call(
            "POST",
            "/help/password-reset",
            None,
            Some(json!({"entity_number": entity, "id_document_number": "QZ5647382", "mobile": "66400001"})),
        )
        .await;
    assert_eq!(st, 202);
    let reset_code = s.code_for("+85366400001", 2).await;

    let bytes = dump(&mut s).await;
    let text = String::from_utf8_lossy(&bytes);
    let mut secrets = vec![
        "7315429",
        "PX9081726",
        "QZ5647382",
        "5123987", // identity numbers
        "66400000",
        "66400001",
        "66400002", // mobiles
        PASSWORD,
        admin_password,
        &token,
    ];
    let codes = [entity_code, admin_code, staff_code, reset_code];
    let plain_codes: Vec<String> = codes.iter().map(|c| c.replace('-', "")).collect();
    secrets.extend(codes.iter().map(String::as_str));
    secrets.extend(plain_codes.iter().map(String::as_str));
    assert!(
        text.contains("ASSOC-77") || s.backend == Backend::Sqlite,
        "the dump is real: it holds the registration number"
    );
    // R11 end to end: what the server stores for a password is an Argon2id hash at OWASP's
    // parameters (m=19456 KiB, t=2, p=1).
    assert!(text.contains("$argon2id$v=19$m=19456,t=2,p=1$"), "passwords are stored as OWASP Argon2id hashes");
    for secret in secrets {
        assert!(!text.contains(secret), "{secret} appears in clear in the {:?} dump", s.backend);
    }
});
