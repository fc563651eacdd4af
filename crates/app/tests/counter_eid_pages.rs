//! The counter's e-ID pages (R22, R23): an operator signs in with a browser at
//! `/counter/login`, looks a login up, binds the app's scanned QR against the identity
//! document (a wrong one re-renders the form with the error beside the field and the typed
//! values kept), and switches face recognition back on; a form without its CSRF value
//! changes nothing.

#[path = "support/oidc.rs"]
mod oidc_support;
mod support;

use oidc_support::*;
use serde_json::json;
use support::*;

fn csrf_of(page: &Page) -> String {
    hidden_inputs(&page.body).into_iter().find(|(n, _)| n == "csrf").expect("a csrf field").1
}

fn f(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

on_both_backends!(r23_the_counter_binds_an_app_and_switches_face_on_from_its_pages, |s: Server| async move {
    let op = s.operator_token().await;
    let org = org(&s, &op).await;
    let mut b = Browser::new(&s.base);

    // Sign in at the counter's sign-in page, coming from the e-ID page.
    let page = b.get(&format!("{}/counter/login?next=/counter/eid", s.base)).await;
    assert_eq!(page.status, 200);
    let csrf = csrf_of(&page);
    assert!(hidden_inputs(&page.body).iter().any(|(n, _)| n == "next"), "the page keeps where to go next");
    let next = "/counter/eid";
    let wrong = b
        .post_form(
            &format!("{}/counter/login", s.base),
            &f(&[("csrf", &csrf), ("next", next), ("username", OPERATOR), ("password", "not it at all, no")]),
        )
        .await;
    assert_eq!(wrong.status, 401);
    let ok = b
        .post_form(
            &format!("{}/counter/login", s.base),
            &f(&[("csrf", &csrf), ("next", next), ("username", OPERATOR), ("password", OPERATOR_PASSWORD)]),
        )
        .await;
    assert_eq!((ok.status, ok.location.as_deref()), (303, Some("/counter/eid")));

    // The staff login (passport): an enrolment from the app, as the reference app makes it.
    let (st, e) = s.call("POST", "/me/eid/enrolments", Some(&org.staff_token), Some(json!({}))).await;
    assert_eq!(st, 201, "{e}");
    let key = domain::eid::payload::decode_key(e["server_key"].as_str().unwrap()).unwrap();
    let qr = domain::eid::payload::seal(&key, e["enrolment_id"].as_str().unwrap(), &[9u8; 20]);
    let look = format!("{}/counter/eid?entity_number={}&login_id={}&lang=en", s.base, org.entity, org.staff_id);
    let page = b.get(&look).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("id=\"code-state\">Not bound<"), "{}", page.body);
    let csrf = csrf_of(&page);
    let bind = format!("{}/counter/eid/security-code", s.base);
    let fields = |number: &str| {
        f(&[
            ("csrf", &csrf),
            ("entity_number", &org.entity),
            ("login_id", &org.staff_id),
            ("payload", &qr),
            ("id_document.type", "passport"),
            ("id_document.number", number),
        ])
    };

    let before = s.snapshot().await;
    let no_csrf: Vec<(String, String)> = fields("E9876543").into_iter().filter(|(k, _)| k != "csrf").collect();
    assert_eq!(b.post_form(&bind, &no_csrf).await.status, 403, "no CSRF value, no change");
    let mismatch = b.post_form(&bind, &fields("E0000000")).await;
    assert_eq!(mismatch.status, 422);
    assert!(mismatch.body.contains("id=\"id_document.number-error\""), "the error is beside the document field");
    assert!(mismatch.body.contains("value=\"E0000000\"") && mismatch.body.contains(&qr), "typed values are kept");
    let after: Vec<String> = s.snapshot().await.into_iter().filter(|r| !r.starts_with("audit_")).collect();
    let before: Vec<String> = before.into_iter().filter(|r| !r.starts_with("audit_")).collect();
    assert_eq!(before, after, "refused forms change nothing but the audit log");

    let bound = b.post_form(&bind, &fields("E9876543")).await;
    assert_eq!(bound.status, 303, "{}", bound.body);
    let page = b.get(&look).await;
    assert!(page.body.contains("id=\"code-state\">App bound<"), "{}", page.body);

    // The administrator (passport too) has no face; a Macau resident card login does.
    let (st, body) = s
        .call(
            "POST",
            &format!("/entities/{}/logins", org.entity),
            Some(&org.admin_token),
            Some(json!({"name": "Face Person", "id_document": {"type": "macau_resident", "number": "5215299(8)"}, "mobile": "6610 0019"})),
        )
        .await;
    assert_eq!(st, 201, "{body}");
    let face_id = body["login_id"].as_str().unwrap().to_string();
    s.activate("entity_number", &org.entity, "+85366100019", "face.person").await;
    let (face_token, _) = s.login(&org.entity, "face.person").await;
    let (st, _) = s.call("PUT", "/me/eid/face", Some(&face_token), Some(json!({"enabled": false}))).await;
    assert_eq!(st, 200);
    let look = format!("{}/counter/eid?entity_number={}&login_id={face_id}&lang=en", s.base, org.entity);
    let page = b.get(&look).await;
    assert!(page.body.contains("id=\"face-state\">Off<") && page.body.contains("/counter/eid/face-recognition"));
    let csrf = csrf_of(&page);
    let on = b
        .post_form(
            &format!("{}/counter/eid/face-recognition", s.base),
            &f(&[("csrf", &csrf), ("entity_number", &org.entity), ("login_id", &face_id)]),
        )
        .await;
    assert_eq!(on.status, 303);
    let (_, me) = s.call("GET", "/me/eid", Some(&face_token), None).await;
    assert_eq!(me["face"]["enabled"], true, "{me}");

    // Without an operator session the pages send the browser to sign in.
    let mut stranger = Browser::new(&s.base);
    let page = stranger.get(&look).await;
    assert_eq!(page.status, 303);
    assert!(page.location.as_deref().unwrap_or("").starts_with("/counter/login?next="), "{:?}", page.location);
});
