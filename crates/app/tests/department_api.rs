//! Acceptance: the department API (R21, R25) with client-credentials tokens, on both backends —
//! a department registers entities with its own e-services, notifies their logins and lists
//! who may use them; another department's e-services are out of its reach.

#[path = "support/oidc.rs"]
mod oidc_support;
mod support;

use oidc_support::*;
use serde_json::{json, Value};
use support::*;

async fn client_credentials(s: &Server, rp: &Rp) -> String {
    let (st, b) = token(s, rp, &[("grant_type", "client_credentials")]).await;
    assert_eq!(st, 200, "client_credentials: {b}");
    assert!(b["token_type"].as_str().is_some_and(|t| t.eq_ignore_ascii_case("bearer")), "{b}");
    assert!(b.get("refresh_token").is_none() && b.get("id_token").is_none(), "a client token only: {b}");
    b["access_token"].as_str().unwrap().to_string()
}

fn inbox_has(list: &Value, subject: &str, body: &str) -> bool {
    list["notifications"].as_array().unwrap().iter().any(|n| {
        let text = n.to_string();
        text.contains(subject) && text.contains(body)
    })
}

on_both_backends!(r21_department_token_acts_only_on_its_own_departments_eservices, |s: Server| async move {
    let op = s.operator_token().await;
    let a = add_eservice(&s, &op, "dsal-permits", "DSAL", true, None).await;
    let b_service = add_eservice(&s, &op, "dsf-tax", "DSF", false, None).await;
    let org = org(&s, &op).await;
    let dsal = client_credentials(&s, &a).await;
    let n = &org.entity;

    // Registration of the entity with A, by DSAL.
    let path_a = format!("/department/eservices/{}/entities/{n}", a.code);
    let (st, b) = s.call("PUT", &path_a, Some(&dsal), None).await;
    assert_eq!(st, 204, "{b}");
    let (st, b) = s.call("PUT", &path_a, None, None).await;
    assert_eq!(st, 401, "no bearer: {b}");
    let (st, b) = s.call("PUT", &path_a, Some(&org.admin_token), None).await;
    assert!(st == 401 || st == 403, "a login's session token is not a department token: {st} {b}");
    // Registered, A can now be assigned to the staff login (it requires registration).
    assign(&s, &org, &org.staff_id, &[a.code.as_str()]).await;

    // A notification reaches every live login of the entity.
    let (subject, body) = ("Licença renovada 牌照已續期", "A sua licença foi renovada até 2030.");
    let (st, b) = s
        .call("POST", &format!("{path_a}/notifications"), Some(&dsal), Some(json!({"subject": subject, "body": body})))
        .await;
    assert_eq!(st, 201, "{b}");
    for (who, tok) in [("entity", &org.entity_token), ("admin", &org.admin_token), ("staff", &org.staff_token)] {
        let (st, list) = s.call("GET", "/me/notifications", Some(tok), None).await;
        assert_eq!(st, 200, "{list}");
        assert!(inbox_has(&list, subject, body), "{who} has the notification: {list}");
    }

    // Who may use A: the assigned staff login, not the unassigned administrator.
    let (st, b) = s.call("GET", &format!("{path_a}/logins"), Some(&dsal), None).await;
    assert_eq!(st, 200, "{b}");
    let logins = b["logins"].as_array().unwrap_or_else(|| panic!("logins in {b}"));
    let staff =
        logins.iter().find(|l| l["login_id"] == org.staff_id.as_str()).unwrap_or_else(|| panic!("staff in {b}"));
    assert_eq!((staff["name"].as_str(), staff["kind"].as_str()), (Some(STAFF_NAME), Some("staff")), "{b}");
    assert!(!logins.iter().any(|l| l["login_id"] == org.admin_id.as_str()), "the unassigned admin is not listed: {b}");
    assert_no_personal_numbers("the department's login list", &b.to_string());

    // DSAL's token on DSF's e-service B: 403 forbidden, and nothing happens.
    let path_b = format!("/department/eservices/{}/entities/{n}", b_service.code);
    let before = s.snapshot().await;
    for (method, path, body) in [
        ("PUT", path_b.clone(), None),
        ("DELETE", path_b.clone(), None),
        ("POST", format!("{path_b}/notifications"), Some(json!({"subject": "x", "body": "y"}))),
        ("GET", format!("{path_b}/logins"), None),
    ] {
        let (st, b) = s.call(method, &path, Some(&dsal), body).await;
        assert_eq!((st, b["code"].as_str()), (403, Some("forbidden")), "{method} {path}: {b}");
    }
    assert_eq!(s.snapshot().await, before, "refused department calls change nothing");

    // DSF's own token does reach B.
    let dsf = client_credentials(&s, &b_service).await;
    let (st, b) = s.call("GET", &format!("{path_b}/logins"), Some(&dsf), None).await;
    assert_eq!(st, 200, "{b}");
    let (st, b) = s.call("GET", &format!("{path_a}/logins"), Some(&dsf), None).await;
    assert_eq!((st, b["code"].as_str()), (403, Some("forbidden")), "DSF on DSAL's e-service: {b}");

    // Unregistering is DSAL's too.
    let (st, b) = s.call("DELETE", &path_a, Some(&dsal), None).await;
    assert_eq!(st, 204, "{b}");
});
