//! R8, R9, R11 over HTTP: administrators and the counter can only cause a new activation
//! code to be sent — the old one dies, the new one works, and an activated login gets none.
//! The counter finds an entity's logins by entity number.

mod support;
use serde_json::json;
use support::*;

on_both_backends!(r11_admin_and_counter_can_only_cause_a_new_activation_code, |s: Server| async move {
    let op = s.operator_token().await;
    let app = application("REI-1", "+85366500000", &[("Admin", "passport", "P5000001", "66500001")]);
    let (_, entity) = s.approve(&op, app).await;
    s.activate("entity_number", &entity, "+85366500001", "admin").await;
    let (admin, admin_id) = s.login(&entity, "admin").await;
    let (st, b) = s
        .call(
            "POST",
            &format!("/entities/{entity}/logins"),
            Some(&admin),
            Some(json!({
            "name": "Staff", "id_document": {"type": "passport", "number": "E5000002"}, "mobile": "66500002"})),
        )
        .await;
    assert_eq!(st, 201);
    let staff_id = b["login_id"].as_str().unwrap().to_string();
    let first = s.code_for("+85366500002", 1).await;

    // The administrator has a new code sent; then the counter does.
    let (st, b) =
        s.call("POST", &format!("/entities/{entity}/logins/{staff_id}/activation-code"), Some(&admin), None).await;
    assert_eq!(st, 204, "{b}");
    let second = s.code_for("+85366500002", 2).await;
    let (st, b) =
        s.call("POST", &format!("/counter/entities/{entity}/logins/{staff_id}/activation-code"), Some(&op), None).await;
    assert_eq!(st, 204, "{b}");
    let third = s.code_for("+85366500002", 3).await;
    assert!(first != second && second != third);

    for old in [&first, &second] {
        let (st, b) = s
            .call(
                "POST",
                "/activate",
                None,
                Some(
                    json!({"entity_number": entity, "activation_code": old, "username": "staff", "password": PASSWORD}),
                ),
            )
            .await;
        assert_eq!((st, b["code"].as_str()), (400, Some("invalid_code")), "a replaced code is void: {b}");
    }
    let (st, b) = s
        .call(
            "POST",
            "/activate",
            None,
            Some(json!({"entity_number": entity, "activation_code": third, "username": "staff", "password": PASSWORD})),
        )
        .await;
    assert_eq!(st, 200, "{b}");

    // Activated logins get no code: passwords are reset by the person only.
    let (st, b) =
        s.call("POST", &format!("/entities/{entity}/logins/{admin_id}/activation-code"), Some(&admin), None).await;
    assert_eq!((st, b["code"].as_str()), (409, Some("already_activated")));

    // The counter's view of the entity lists its logins, masked.
    let (st, b) = s.call("GET", &format!("/counter/entities/{entity}"), Some(&op), None).await;
    assert_eq!(st, 200, "{b}");
    let mut kinds: Vec<&str> = b["logins"].as_array().unwrap().iter().map(|l| l["kind"].as_str().unwrap()).collect();
    kinds.sort();
    assert_eq!(kinds, vec!["admin", "entity", "staff"]);
    assert!(!b.to_string().contains("66500002") && !b.to_string().contains("E5000002"), "{b}");
    // A login of the entity is no operator.
    let (st, _) = s.call("GET", &format!("/counter/entities/{entity}"), Some(&admin), None).await;
    assert_eq!(st, 403);
});
