//! Acceptance: bad input on every endpoint — malformed JSON, wrong types, missing and unknown
//! fields, overlong strings, bodies over 64 KiB, wrong media types, invalid mobiles and
//! identity documents — gets a 4xx problem+json with the contract's code and the field
//! named, never a 500, and leaves the database exactly as it was.

mod support;
use serde_json::{json, Value};
use support::*;

/// A JSON path like `administrators[0].mobile` as a JSON pointer.
fn pointer(path: &str) -> String {
    let mut p = String::new();
    for part in path.split('.') {
        match part.split_once('[') {
            Some((name, idx)) => {
                p.push('/');
                p.push_str(name);
                p.push('/');
                p.push_str(idx.trim_end_matches(']'));
            }
            None => {
                p.push('/');
                p.push_str(part);
            }
        }
    }
    p
}

fn with(body: &Value, path: &str, value: Value) -> Value {
    let mut b = body.clone();
    *b.pointer_mut(&pointer(path)).unwrap_or_else(|| panic!("{path} in {body}")) = value;
    b
}

fn without(body: &Value, path: &str) -> Value {
    let mut b = body.clone();
    let (parent, last) = match path.rsplit_once('.') {
        Some((p, l)) => (pointer(p), l.to_string()),
        None => (String::new(), path.to_string()),
    };
    let obj = if parent.is_empty() { &mut b } else { b.pointer_mut(&parent).unwrap() };
    obj.as_object_mut().unwrap().remove(&last).unwrap_or_else(|| panic!("{path} in {body}"));
    b
}

struct Case {
    method: &'static str,
    path: String,
    token: Option<String>,
    body: Value,
    /// A string field: sent as a number, and sent 3,000 characters long.
    string_field: &'static str,
    /// A required field: left out.
    required_field: &'static str,
    mobile_field: Option<&'static str>,
    id_document_field: Option<&'static str>,
}

async fn send_raw(s: &Server, c: &Case, content_type: &str, body: Vec<u8>) -> (u16, String, Value) {
    let mut req =
        s.http.request(c.method.parse().unwrap(), s.url(&c.path)).header("content-type", content_type).body(body);
    if let Some(t) = &c.token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let ct = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let text = res.text().await.unwrap();
    (status, ct, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Sends one bad request and checks the answer: status, problem+json, code, field.
/// What a bad request must get: status, code, and the field the problem names.
struct Want<'a>(u16, &'a str, Option<&'a str>);

async fn expect(s: &Server, c: &Case, what: &str, ct: &str, body: Vec<u8>, want: Want<'_>) {
    let Want(status, code, field) = want;
    let (st, content_type, b) = send_raw(s, c, ct, body).await;
    let label = format!("{} {} — {what}", c.method, c.path);
    assert_eq!(st, status, "{label}: {b}");
    assert_eq!(content_type, "application/problem+json", "{label}");
    assert_eq!(b["code"], code, "{label}: {b}");
    assert_eq!(b["status"], status, "{label}");
    for k in ["type", "title", "detail"] {
        assert!(b[k].is_string(), "{label}: {k} missing in {b}");
    }
    if let Some(f) = field {
        let fields: Vec<&str> =
            b["errors"].as_array().map(|a| a.iter().filter_map(|e| e["field"].as_str()).collect()).unwrap_or_default();
        assert!(
            fields.iter().any(|x| *x == f || x.starts_with(&format!("{f}."))),
            "{label}: field {f} not named in {b}"
        );
    }
}

async fn run_case(s: &Server, c: &Case) {
    let json = |v: &Value| serde_json::to_vec(v).unwrap();
    expect(s, c, "malformed JSON", "application/json", b"{\"a\": ".to_vec(), Want(400, "malformed_json", Some("body")))
        .await;
    expect(s, c, "not JSON at all", "application/json", b"hello".to_vec(), Want(400, "malformed_json", Some("body")))
        .await;
    expect(s, c, "wrong media type", "text/plain", json(&c.body), Want(415, "unsupported_media_type", None)).await;
    expect(s, c, "a JSON array", "application/json", b"[]".to_vec(), Want(422, "validation_failed", None)).await;
    let b = with(&c.body, c.string_field, json!(12345));
    expect(s, c, "wrong type", "application/json", json(&b), Want(422, "validation_failed", Some(c.string_field)))
        .await;
    let b = with(&c.body, c.string_field, json!(null));
    if c.required_field == c.string_field {
        expect(
            s,
            c,
            "null for a string",
            "application/json",
            json(&b),
            Want(422, "validation_failed", Some(c.string_field)),
        )
        .await;
    }
    let b = without(&c.body, c.required_field);
    expect(s, c, "missing field", "application/json", json(&b), Want(422, "validation_failed", Some(c.required_field)))
        .await;
    let mut b = c.body.clone();
    b.as_object_mut().unwrap().insert("unexpected".into(), json!(1));
    expect(s, c, "unknown field", "application/json", json(&b), Want(422, "validation_failed", Some("unexpected")))
        .await;
    let b = with(&c.body, c.string_field, json!("x".repeat(3000)));
    expect(s, c, "overlong string", "application/json", json(&b), Want(422, "validation_failed", Some(c.string_field)))
        .await;
    let b = with(&c.body, c.string_field, json!("x".repeat(70 * 1024)));
    expect(s, c, "body over 64 KiB", "application/json", json(&b), Want(413, "payload_too_large", None)).await;
    if let Some(m) = c.mobile_field {
        for bad in ["+85356123456", "6612345", "not a phone", "+852 61234567"] {
            let b = with(&c.body, m, json!(bad));
            expect(
                s,
                c,
                &format!("invalid mobile {bad}"),
                "application/json",
                json(&b),
                Want(422, "validation_failed", Some(m)),
            )
            .await;
        }
    }
    if let Some(d) = c.id_document_field {
        let b = with(&c.body, d, json!({"type": "macau_resident", "number": "ABC"}));
        expect(
            s,
            c,
            "invalid BIR number",
            "application/json",
            json(&b),
            Want(422, "validation_failed", Some(&format!("{d}.number"))),
        )
        .await;
        let b = with(&c.body, d, json!({"type": "driving_licence", "number": "K1234567"}));
        expect(
            s,
            c,
            "unknown document type",
            "application/json",
            json(&b),
            Want(422, "validation_failed", Some(&format!("{d}.type"))),
        )
        .await;
        let b = with(&c.body, d, json!({"type": "passport", "number": "!!"}));
        expect(
            s,
            c,
            "invalid passport number",
            "application/json",
            json(&b),
            Want(422, "validation_failed", Some(&format!("{d}.number"))),
        )
        .await;
    }
}

on_both_backends!(bad_input_is_refused_with_named_fields_and_changes_nothing, |s: Server| async move {
    // An entity with an active entity account and administrator, so every endpoint is reachable.
    let op = s.operator_token().await;
    let app = application("BAD-1", "+85366100000", &[("Admin", "passport", "P7654321", "66100001")]);
    let (app_no, entity) = s.approve(&op, app.clone()).await;
    s.activate("application_number", &app_no, "+85366100000", "company").await;
    s.activate("entity_number", &entity, "+85366100001", "admin").await;
    let (admin, admin_id) = s.login(&entity, "admin").await;
    let (st, b) = s
        .call(
            "POST",
            "/counter/applications",
            Some(&op),
            Some(application("BAD-2", "+85366100002", &[("A", "passport", "P1111111", "66100003")])),
        )
        .await;
    assert_eq!(st, 201, "{b}");
    let pending_app = b["application_number"].as_str().unwrap().to_string();

    let person =
        json!({"name": "Staff", "id_document": {"type": "passport", "number": "E1234567"}, "mobile": "66100004"});
    let help = json!({"entity_number": entity, "id_document_number": "P7654321", "mobile": "66100001"});
    let cases = vec![
        Case {
            method: "POST",
            path: "/counter/login".into(),
            token: None,
            body: json!({"username": "x", "password": "y"}),
            string_field: "username",
            required_field: "password",
            mobile_field: None,
            id_document_field: None,
        },
        Case {
            method: "POST",
            path: "/counter/applications".into(),
            token: Some(op.clone()),
            body: app.clone(),
            string_field: "entity.name_zh",
            required_field: "entity.mobile",
            mobile_field: Some("entity.mobile"),
            id_document_field: Some("representatives[0].id_document"),
        },
        Case {
            method: "POST",
            path: "/counter/applications".into(),
            token: Some(op.clone()),
            body: app.clone(),
            string_field: "administrators[0].name",
            required_field: "administrators[0].mobile",
            mobile_field: Some("administrators[0].mobile"),
            id_document_field: Some("administrators[0].id_document"),
        },
        Case {
            method: "POST",
            path: format!("/counter/applications/{pending_app}/reject"),
            token: Some(op.clone()),
            body: json!({"reason": "documents incomplete"}),
            string_field: "reason",
            required_field: "reason",
            mobile_field: None,
            id_document_field: None,
        },
        Case {
            method: "POST",
            path: format!("/counter/entities/{entity}/administrators"),
            token: Some(op.clone()),
            body: person.clone(),
            string_field: "name",
            required_field: "id_document",
            mobile_field: Some("mobile"),
            id_document_field: Some("id_document"),
        },
        Case {
            method: "POST",
            path: "/counter/eservices".into(),
            token: Some(op.clone()),
            body: json!({"code": "svc", "names": {"zh": "服務", "pt": "Serviço", "en": "Service"}, "department": "D",
                            "assurance": "basic", "requires_registration": false}),
            string_field: "names.pt",
            required_field: "assurance",
            mobile_field: None,
            id_document_field: None,
        },
        Case {
            method: "POST",
            path: "/activate".into(),
            token: None,
            body: json!({"entity_number": entity, "activation_code": "ABCDE-FGHJK", "username": "someone", "password": PASSWORD}),
            string_field: "password",
            required_field: "activation_code",
            mobile_field: None,
            id_document_field: None,
        },
        Case {
            method: "POST",
            path: "/activate".into(),
            token: None,
            body: json!({"entity_number": entity, "activation_code": "ABCDE-FGHJK", "username": "someone", "password": PASSWORD}),
            string_field: "username",
            required_field: "username",
            mobile_field: None,
            id_document_field: None,
        },
        Case {
            method: "POST",
            path: "/activation-codes/resend".into(),
            token: None,
            body: help.clone(),
            string_field: "id_document_number",
            required_field: "mobile",
            mobile_field: Some("mobile"),
            id_document_field: None,
        },
        Case {
            method: "POST",
            path: "/help/username".into(),
            token: None,
            body: help.clone(),
            string_field: "id_document_number",
            required_field: "entity_number",
            mobile_field: Some("mobile"),
            id_document_field: None,
        },
        Case {
            method: "POST",
            path: "/help/password-reset".into(),
            token: None,
            body: help.clone(),
            string_field: "id_document_number",
            required_field: "id_document_number",
            mobile_field: Some("mobile"),
            id_document_field: None,
        },
        Case {
            method: "POST",
            path: "/help/password-reset/confirm".into(),
            token: None,
            body: json!({"entity_number": entity, "username": "admin", "reset_code": "ABCDE-FGHJK", "password": PASSWORD}),
            string_field: "reset_code",
            required_field: "password",
            mobile_field: None,
            id_document_field: None,
        },
        Case {
            method: "POST",
            path: "/login".into(),
            token: None,
            body: json!({"entity_number": entity, "username": "admin", "password": "wrong password here"}),
            string_field: "username",
            required_field: "entity_number",
            mobile_field: None,
            id_document_field: None,
        },
        Case {
            method: "POST",
            path: format!("/entities/{entity}/logins"),
            token: Some(admin.clone()),
            body: person.clone(),
            string_field: "name",
            required_field: "name",
            mobile_field: Some("mobile"),
            id_document_field: Some("id_document"),
        },
        Case {
            method: "PUT",
            path: format!("/entities/{entity}/logins/{admin_id}/eservices"),
            token: Some(admin.clone()),
            body: json!({"eservices": ["nothing"]}),
            string_field: "eservices[0]",
            required_field: "eservices",
            mobile_field: None,
            id_document_field: None,
        },
    ];

    let before = s.snapshot().await;
    for c in &cases {
        run_case(&s, c).await;
    }
    // Query strings and paths are input too.
    for (path, status, code) in [
        (format!("/applications/{app_no}/status"), 422, "validation_failed"),
        (format!("/applications/{app_no}/status?registration_number=BAD-1&x=1"), 422, "validation_failed"),
        ("/applications/not-a-number/status?registration_number=BAD-1".to_string(), 422, "validation_failed"),
        (
            format!(
                "/applications/{}/status?registration_number=BAD-1",
                domain::numbers::ApplicationNumber::from_sequence(990).as_str()
            ),
            404,
            "not_found",
        ),
        (format!("/entities/{entity}/audit?limit=lots"), 422, "validation_failed"),
        ("/counter/applications?status=sideways".to_string(), 422, "validation_failed"),
        ("/counter/applications/A0000/approve".to_string(), 405, "method_not_allowed"),
        ("/no/such/route".to_string(), 404, "not_found"),
    ] {
        let token = if path.starts_with("/counter") { Some(op.as_str()) } else { Some(admin.as_str()) };
        let (st, b) = s.call("GET", &path, token, None).await;
        assert_eq!((st, b["code"].as_str().unwrap_or("")), (status, code), "GET {path}: {b}");
    }
    for (method, path) in [
        ("POST", "/counter/applications/A999999999/approve".to_string()),
        ("POST", "/counter/applications/nonsense/review".to_string()),
        ("POST", format!("/entities/{entity}/logins/no-such-login/remove-admin")),
        ("DELETE", format!("/entities/{entity}/logins/no-such-login")),
        ("POST", format!("/counter/entities/{entity}/logins/no-such-login/restore-admin")),
        ("PUT", format!("/counter/entities/{entity}/eservices/no-such-service")),
        ("PUT", "/counter/entities/99999999/eservices/no-such-service".to_string()),
    ] {
        let token = if path.starts_with("/counter") { op.as_str() } else { admin.as_str() };
        let (st, b) = s.call(method, &path, Some(token), None).await;
        assert!((400..500).contains(&st), "{method} {path}: {st} {b}");
        assert!(b["code"].is_string(), "{method} {path}: {b}");
    }
    // Values no parser should let through to the database: NUL characters, undecodable
    // paths, ids of the wrong shape. PostgreSQL refuses NUL bytes; none may become a 500.
    let nul = "a\u{0}b";
    for (method, path, token, body, status) in [
        (
            "POST",
            "/login".to_string(),
            None,
            Some(json!({"entity_number": entity, "username": nul, "password": "x"})),
            422,
        ),
        ("POST", "/counter/login".to_string(), None, Some(json!({"username": nul, "password": "x"})), 422),
        (
            "POST",
            "/help/password-reset/confirm".to_string(),
            None,
            Some(json!({"entity_number": entity, "username": nul, "reset_code": "ABCDE-FGHJK", "password": PASSWORD})),
            422,
        ),
        (
            "POST",
            "/activation-codes/resend".to_string(),
            None,
            Some(json!({"entity_number": entity, "id_document_number": nul, "mobile": "66100001"})),
            422,
        ),
        (
            "PUT",
            format!("/entities/{entity}/logins/{admin_id}/eservices"),
            Some(admin.as_str()),
            Some(json!({"eservices": [nul]})),
            422,
        ),
        ("DELETE", format!("/entities/{entity}/logins/ab%00cd"), Some(admin.as_str()), None, 404),
        ("POST", format!("/counter/entities/{entity}/logins/ab%00cd/restore-admin"), Some(op.as_str()), None, 404),
        ("PUT", format!("/counter/entities/{entity}/eservices/ab%00cd"), Some(op.as_str()), None, 404),
        ("GET", "/counter/applications/%FF".to_string(), Some(op.as_str()), None, 400),
    ] {
        let mut req = s.http.request(method.parse().unwrap(), s.url(&path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let st = res.status().as_u16();
        let ct = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        let text = res.text().await.unwrap();
        assert_eq!(st, status, "{method} {path}: {text}");
        assert_eq!(ct, "application/problem+json", "{method} {path}");
    }
    let after = s.snapshot().await;
    let changed: Vec<_> =
        after.iter().filter(|r| !before.contains(r)).chain(before.iter().filter(|r| !after.contains(r))).collect();
    // The only traces a refused request may leave are its audit record and, for the one
    // progress query above that found nothing (R7), its source's count of misses.
    let (throttles, changed): (Vec<_>, Vec<_>) = changed
        .into_iter()
        .filter(|r| !r.starts_with("audit_log:") && !r.starts_with("audit_head:"))
        .partition(|r| r.starts_with("throttles:"));
    assert!(throttles.len() <= 1, "only the progress miss is counted: {throttles:#?}");
    assert!(changed.is_empty(), "bad input changed the database: {changed:#?}");
});
