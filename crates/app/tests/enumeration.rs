//! Acceptance: answers that would tell an attacker whether an account exists are all alike
//! (R12, R13).

mod support;
use serde_json::json;
use support::*;

on_both_backends!(r13_login_failures_look_alike_and_r12_resend_always_202, |s: Server| async move {
    let op = s.operator_token().await;
    let app = application(
        "ENUM-1",
        "+85366200000",
        &[("Admin", "passport", "P2000001", "66200001"), ("Second", "passport", "P2000002", "66200002")],
    );
    let (_, entity) = s.approve(&op, app).await;
    s.activate("entity_number", &entity, "+85366200001", "admin").await;
    s.activate("entity_number", &entity, "+85366200002", "second").await;
    let (admin, _) = s.login(&entity, "admin").await;
    let (_, second_id) = s.login(&entity, "second").await;
    let (st, _) = s.call("DELETE", &format!("/entities/{entity}/logins/{second_id}"), Some(&admin), None).await;
    assert_eq!(st, 204);

    let unknown_entity = domain::numbers::EntityNumber::from_sequence(777_777).as_str().to_string();
    let attempts = [
        ("unknown entity", unknown_entity.as_str(), "admin", PASSWORD),
        ("unknown username", entity.as_str(), "nobody", PASSWORD),
        ("wrong password", entity.as_str(), "admin", "a wrong password entirely"),
        ("deleted login", entity.as_str(), "second", PASSWORD),
    ];
    let mut answers = Vec::new();
    for (what, e, u, p) in attempts {
        let res = s
            .http
            .post(s.url("/login"))
            .json(&json!({"entity_number": e, "username": u, "password": p}))
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let body = res.text().await.unwrap();
        answers.push((what, status, body));
    }
    for (what, status, body) in &answers {
        assert_eq!(*status, 401, "{what}: {body}");
        assert_eq!((status, body), (&answers[0].1, &answers[0].2), "{what} differs from {}", answers[0].0);
    }
    assert!(answers[0].2.contains("invalid_credentials"));

    // Resend: a match, a wrong mobile, an unknown entity — all 202 with one body.
    let mut bodies = Vec::new();
    for (e, id, mobile) in [
        (entity.as_str(), "P2000001", "66200001"),
        (entity.as_str(), "P2000001", "66299999"),
        (unknown_entity.as_str(), "P2000001", "66200001"),
    ] {
        let res = s
            .http
            .post(s.url("/activation-codes/resend"))
            .json(&json!({"entity_number": e, "id_document_number": id, "mobile": mobile}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 202);
        bodies.push(res.text().await.unwrap());
    }
    assert!(bodies.iter().all(|b| *b == bodies[0]), "{bodies:?}");
});
