//! Acceptance: the whole lifecycle over HTTP against the spawned binary, on both backends —
//! from the counter's application to a staff login using an assigned e-service, and the
//! removal and restoration of administrator rights.

mod support;
use serde_json::json;
use support::*;

on_both_backends!(r1_to_r19_whole_lifecycle_over_http, |s: Server| async move {
    let op = s.operator_token().await;

    // The counter registers the application (R1–R4) and approves it (R6).
    let app = application(
        "CRN-80001",
        "+85366000010",
        &[
            ("李小明", "passport", "K1234567", "66000011"),
            ("Ana Lopes", "macau_resident", "1234567(8)", "+853 6600 0012"),
        ],
    );
    let (st, b) = s.call("POST", "/counter/applications", Some(&op), Some(app)).await;
    assert_eq!(st, 201, "{b}");
    assert_eq!(b["status"], "submitted");
    let app_no = b["application_number"].as_str().unwrap().to_string();
    let (st, b) = s.call("POST", &format!("/counter/applications/{app_no}/approve"), Some(&op), None).await;
    assert_eq!(st, 200, "{b}");
    let entity = b["entity_number"].as_str().unwrap().to_string();
    let (st, b) = s.call("GET", &format!("/counter/applications/{app_no}"), Some(&op), None).await;
    assert_eq!(st, 200, "{b}");
    assert_eq!((b["status"].as_str(), b["entity_number"].as_str()), (Some("approved"), Some(entity.as_str())));

    // The entity account activates with the application number and the code from the SMS (R10).
    let code = s.code_for("+85366000010", 1).await;
    let (st, b) = s
        .call("POST", "/activate", None, Some(json!({"application_number": app_no, "activation_code": code, "username": "company", "password": PASSWORD})))
        .await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["kind"], "entity");

    // Each administrator activates with the entity number.
    for (mobile, username) in [("+85366000011", "admin.lee"), ("+85366000012", "admin.lopes")] {
        let code = s.code_for(mobile, 1).await;
        let (st, b) = s
            .call("POST", "/activate", None, Some(json!({"entity_number": entity, "activation_code": code, "username": username, "password": PASSWORD})))
            .await;
        assert_eq!(st, 200, "{b}");
        assert_eq!(b["kind"], "admin");
    }
    let (lee, lee_id) = s.login(&entity, "admin.lee").await;
    let (lopes, _) = s.login(&entity, "admin.lopes").await;

    // An administrator creates a staff login (R15); the staff member activates and logs in.
    let (st, b) = s
        .call(
            "POST",
            &format!("/entities/{entity}/logins"),
            Some(&lopes),
            Some(json!({
            "name": "Staff Wong", "id_document": {"type": "passport", "number": "E9876543"}, "mobile": "66000013"})),
        )
        .await;
    assert_eq!(st, 201, "{b}");
    let staff_id = b["login_id"].as_str().unwrap().to_string();
    let code = s.code_for("+85366000013", 1).await;
    let (st, b) = s
        .call(
            "POST",
            "/activate",
            None,
            Some(json!({"entity_number": entity, "activation_code": code, "username": "wong", "password": PASSWORD})),
        )
        .await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["kind"], "staff");
    let (staff, _) = s.login(&entity, "WONG").await;

    // An administrator assigns an e-service (R19); GET /me shows it.
    let (st, b) = s
        .call(
            "POST",
            "/counter/eservices",
            Some(&op),
            Some(json!({
            "code": "tax-returns", "names": {"zh": "報稅", "pt": "Declarações fiscais", "en": "Tax returns"},
            "department": "DSF", "assurance": "basic", "requires_registration": false})),
        )
        .await;
    assert_eq!(st, 201, "{b}");
    let (st, b) = s
        .call(
            "PUT",
            &format!("/entities/{entity}/logins/{staff_id}/eservices"),
            Some(&lopes),
            Some(json!({"eservices": ["tax-returns"]})),
        )
        .await;
    assert_eq!(st, 200, "{b}");
    let (st, me) = s.call("GET", "/me", Some(&staff), None).await;
    assert_eq!(st, 200, "{me}");
    assert_eq!(me["kind"], "staff");
    assert_eq!(me["entity_number"], entity.as_str());
    assert_eq!(me["eservices"][0]["code"], "tax-returns");

    // The entity account removes Lee's administrator rights (R17): Lee's session ends at
    // once (R14), and signed in again Lee can no longer create staff.
    let (company, _) = s.login(&entity, "company").await;
    let (st, b) =
        s.call("POST", &format!("/entities/{entity}/logins/{lee_id}/remove-admin"), Some(&company), None).await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["kind"], "staff");
    let (st, _) = s.call("GET", "/me", Some(&lee), None).await;
    assert_eq!(st, 401);
    let (lee, _) = s.login(&entity, "admin.lee").await;
    let staff2 =
        json!({"name": "Staff Ho", "id_document": {"type": "other", "number": "XJ12345"}, "mobile": "66000014"});
    let (st, b) = s.call("POST", &format!("/entities/{entity}/logins"), Some(&lee), Some(staff2.clone())).await;
    assert_eq!(st, 403, "{b}");
    assert_eq!(b["code"], "forbidden");

    // The counter restores the rights (R8); Lee can create staff again.
    let (st, b) =
        s.call("POST", &format!("/counter/entities/{entity}/logins/{lee_id}/restore-admin"), Some(&op), None).await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["kind"], "admin");
    let (st, b) = s.call("POST", &format!("/entities/{entity}/logins"), Some(&lee), Some(staff2)).await;
    assert_eq!(st, 201, "{b}");

    // The audit chain written along the way verifies (R26).
    let out = s.cli(&["audit", "verify"], None).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
});
