//! Acceptance of access over time over HTTP (R28–R31, R37), on both backends against the
//! spawned binary: dated assignments and their statuses, bad input as problems naming the
//! field or rule (nothing changed, the refusal audited), four eyes, access requests, and the
//! access review run to its end and exported as JSON and CSV with the sealed audit head.

#[path = "support/oidc.rs"]
mod oidc_support;
mod support;

use oidc_support::*;
use serde_json::{json, Value};
use support::*;

fn rfc3339_in(secs: i64) -> String {
    let t = time::OffsetDateTime::now_utc() + time::Duration::seconds(secs);
    t.format(&time::format_description::well_known::Rfc3339).unwrap()
}

fn problem_names(v: &Value, field: &str, code: &str) -> bool {
    v["errors"].as_array().is_some_and(|e| e.iter().any(|e| e["field"] == field && e["code"] == code))
}

async fn add(s: &Server, op: &str, code: &str, four_eyes: bool) {
    let body = json!({
        "code": code, "names": {"zh": "服務", "pt": "Serviço", "en": "Service"}, "department": "DSAL",
        "assurance": "basic", "requires_registration": false, "four_eyes": four_eyes, "review_days": 90,
    });
    let (st, v) = s.call("POST", "/counter/eservices", Some(op), Some(body)).await;
    assert_eq!(st, 201, "{v}");
    assert_eq!((v["four_eyes"].as_bool(), v["review_days"].as_i64()), (Some(four_eyes), Some(90)), "{v}");
}

on_both_backends!(r28_r31_r37_dated_assignments_four_eyes_and_requests_over_http, |s: Server| async move {
    let op = s.operator_token().await;
    add(&s, &op, "acc-jobs", false).await;
    add(&s, &op, "acc-pay", true).await;
    let o = org(&s, &op).await;
    let path = format!("/entities/{}/logins/{}/eservices", o.entity, o.staff_id);

    let start = rfc3339_in(86_400);
    let body =
        json!({"eservices": [{"code": "acc-jobs", "valid_from": start, "valid_until": rfc3339_in(30 * 86_400)}]});
    let (st, v) = s.call("PUT", &path, Some(&o.admin_token), Some(body)).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["eservices"][0]["status"], "pending", "{v}");
    // The login itself and the entity account read the same; another entity's login does not.
    for token in [&o.staff_token, &o.entity_token] {
        let (st, got) = s.call("GET", &path, Some(token), None).await;
        assert_eq!((st, &got), (200, &v));
    }

    // Bad input: a problem naming the field, nothing changed, the refusal in the audit.
    let cases = [
        (
            json!({"code": "acc-jobs", "valid_from": rfc3339_in(7200), "valid_until": rfc3339_in(3600)}),
            "eservices[0].valid_until",
            "ends_before_start",
        ),
        (json!({"code": "acc-jobs", "valid_until": rfc3339_in(-60)}), "eservices[0].valid_until", "end_in_past"),
        (
            json!({"code": "acc-jobs", "valid_from": rfc3339_in(400 * 86_400)}),
            "eservices[0].valid_from",
            "start_too_far_ahead",
        ),
        (json!({"code": "acc-jobs", "valid_from": "soon"}), "eservices[0].valid_from", "invalid_date"),
    ];
    for (item, field, code) in cases {
        let (st, p) = s.call("PUT", &path, Some(&o.admin_token), Some(json!({"eservices": [item]}))).await;
        assert_eq!(st, 422, "{p}");
        assert!(problem_names(&p, field, code), "{field} {code}: {p}");
    }
    let (st, p) = s
        .call("PUT", &path, Some(&o.admin_token), Some(json!({"eservices": [{"code": "acc-jobs", "until": "x"}]})))
        .await;
    assert!((400..500).contains(&st), "an unknown field: {st} {p}");
    let (_, got) = s.call("GET", &path, Some(&o.admin_token), None).await;
    assert_eq!(got, v, "nothing changed");
    let (_, audit) = s.call("GET", &format!("/entities/{}/audit", o.entity), Some(&o.admin_token), None).await;
    let refused = audit["records"]
        .as_array()
        .map_or(0, |r| r.iter().filter(|e| e["action"] == "eservice.assigned" && e["result"] == "refused").count());
    assert!(refused >= 4, "the refusals are audited: {audit}");

    // Four eyes: the sole administrator's proposal stays pending; approving it is refused.
    let (st, v) = s.call("PUT", &path, Some(&o.admin_token), Some(json!({"eservices": ["acc-pay"]}))).await;
    assert_eq!(
        (st, v["eservices"][0]["status"].as_str(), v["eservices"][0]["proposed_by"].as_str()),
        (200, Some("pending"), Some(o.admin_id.as_str())),
        "{v}"
    );
    let (st, p) = s.call("POST", &format!("{path}/acc-pay/approve"), Some(&o.admin_token), None).await;
    assert_eq!((st, p["code"].as_str()), (403, Some("cannot_approve_own_proposal")), "{p}");

    // A request, refused with a reason and then granted with dates after asking again.
    let reqs = format!("/entities/{}/access-requests", o.entity);
    let (st, r) =
        s.call("POST", &reqs, Some(&o.staff_token), Some(json!({"eservice": "acc-jobs", "reason": ""}))).await;
    assert_eq!(st, 422, "{r}");
    assert!(problem_names(&r, "reason", "required"), "{r}");
    let (st, r) =
        s.call("POST", &reqs, Some(&o.staff_token), Some(json!({"eservice": "acc-jobs", "reason": "Hiring"}))).await;
    assert_eq!(st, 201, "{r}");
    let id = r["request_id"].as_str().unwrap().to_string();
    let (st, list) = s.call("GET", &format!("{reqs}?open=true"), Some(&o.admin_token), None).await;
    assert_eq!((st, list["requests"].as_array().map(Vec::len)), (200, Some(1)), "{list}");
    let (st, p) = s.call("POST", &format!("{reqs}/{id}/grant"), Some(&o.staff_token), Some(json!({}))).await;
    assert_eq!(st, 403, "staff cannot grant: {p}");
    let until = rfc3339_in(10 * 86_400);
    let (st, g) =
        s.call("POST", &format!("{reqs}/{id}/grant"), Some(&o.admin_token), Some(json!({"valid_until": until}))).await;
    assert_eq!((st, g["decision"].as_str()), (200, Some("granted")), "{g}");
    let (_, v) = s.call("GET", &path, Some(&o.staff_token), None).await;
    let jobs = v["eservices"].as_array().unwrap().iter().find(|e| e["code"] == "acc-jobs").unwrap().clone();
    assert_eq!((jobs["status"].as_str(), jobs["valid_from"].is_null()), (Some("active"), true), "{v}");
    let (st, p) =
        s.call("POST", &format!("{reqs}/{id}/refuse"), Some(&o.admin_token), Some(json!({"reason": "late"}))).await;
    assert_eq!((st, p["code"].as_str()), (409, Some("request_answered")), "{p}");
});

on_both_backends!(r30_an_access_review_is_run_to_its_end_and_exported_with_its_sealed_head, |s: Server| async move {
    let op = s.operator_token().await;
    add(&s, &op, "rev-jobs", false).await;
    add(&s, &op, "rev-tax", false).await;
    let o = org(&s, &op).await;
    let path = format!("/entities/{}/logins/{}/eservices", o.entity, o.staff_id);
    let (st, v) = s.call("PUT", &path, Some(&o.admin_token), Some(json!({"eservices": ["rev-jobs", "rev-tax"]}))).await;
    assert_eq!(st, 200, "{v}");
    let review = format!("/entities/{}/access-review", o.entity);
    let (st, r) = s.call("GET", &review, Some(&o.admin_token), None).await;
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["items"].as_array().map(Vec::len), Some(2), "{r}");
    assert!(r["due_at"].is_string() && r["suspends_at"].is_string(), "{r}");
    let (st, _) = s.call("GET", &review, Some(&o.staff_token), None).await;
    assert_eq!(st, 403, "staff do not see the review");
    let (st, _) = s.call("GET", &format!("{review}/export"), Some(&o.admin_token), None).await;
    assert_eq!(st, 404, "no finished review yet");

    let d = |e: &str, decision: &str| json!({"login_id": o.staff_id, "eservice": e, "decision": decision});
    let (st, p) = s
        .call(
            "POST",
            &format!("{review}/decisions"),
            Some(&o.admin_token),
            Some(json!({"decisions": [d("rev-jobs", "confirm"), d("rev-jobs", "remove")]})),
        )
        .await;
    assert_eq!(st, 422, "{p}");
    assert!(problem_names(&p, "decisions[1]", "duplicate"), "{p}");
    let stranger = json!({"login_id": uuid::Uuid::new_v4().to_string(), "eservice": "rev-jobs", "decision": "confirm"});
    let (st, p) = s
        .call("POST", &format!("{review}/decisions"), Some(&o.admin_token), Some(json!({"decisions": [stranger]})))
        .await;
    assert!(st == 422 && problem_names(&p, "decisions[0]", "not_in_review"), "{st} {p}");
    let (st, r) = s
        .call(
            "POST",
            &format!("{review}/decisions"),
            Some(&o.admin_token),
            Some(json!({"decisions": [d("rev-jobs", "confirm")]})),
        )
        .await;
    assert_eq!((st, r["last_finished_id"].is_null()), (200, true), "one item left: {r}");
    let (st, p) = s
        .call(
            "POST",
            &format!("{review}/decisions"),
            Some(&o.admin_token),
            Some(json!({"decisions": [d("rev-jobs", "confirm")]})),
        )
        .await;
    assert!(st == 422 && problem_names(&p, "decisions[0]", "already_decided"), "{st} {p}");
    let (st, r) = s
        .call(
            "POST",
            &format!("{review}/decisions"),
            Some(&o.admin_token),
            Some(json!({"decisions": [d("rev-tax", "remove")]})),
        )
        .await;
    assert_eq!(st, 200, "{r}");
    let id = r["last_finished_id"].as_str().expect("finished").to_string();

    let (st, export) = s.call("GET", &format!("{review}/export?format=json"), Some(&o.admin_token), None).await;
    assert_eq!((st, export["review_id"].as_str()), (200, Some(id.as_str())), "{export}");
    let decisions: Vec<(&str, &str)> = export["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["eservice"].as_str().unwrap(), i["decision"].as_str().unwrap()))
        .collect();
    assert_eq!(decisions, [("rev-jobs", "confirm"), ("rev-tax", "remove")]);
    let head = export["sealed_head"].as_str().unwrap().to_string();
    let (seq, hash) = head.split_once(':').expect("seq:hash");
    assert_eq!(hash.len(), 64, "a SHA-256 in hex: {head}");
    let (_, audit) =
        s.call("GET", &format!("/entities/{}/audit?limit=500", o.entity), Some(&o.admin_token), None).await;
    let rows = audit["records"].as_array().cloned().unwrap_or_default();
    let sealing = rows.iter().find(|r| r["action"] == "review.finished").unwrap_or_else(|| panic!("{audit}"));
    assert_eq!(sealing["seq"].as_i64().map(|n| n.to_string()).as_deref(), Some(seq), "sealed right after: {sealing}");

    let res = s
        .http
        .get(format!("{}/api/v1{review}/export?format=csv", s.base))
        .bearer_auth(&o.admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = res.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("review_id,finished_at,sealed_head,login_id,login_name,eservice"), "{csv}");
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[1..].iter().all(|l| l.contains(&head) && l.contains(&id)), "{csv}");
    let (st, p) = s.call("GET", &format!("{review}/export?format=xml"), Some(&o.admin_token), None).await;
    assert!(st == 422 && problem_names(&p, "format", "invalid_choice"), "{st} {p}");
});

on_both_backends!(r28_a_signed_id_token_expires_when_the_assignment_ends_not_later, |s: Server| async move {
    let op = s.operator_token().await;
    let rp = add_eservice(&s, &op, "r28-exp", "DSF", false, None).await;
    let o = org(&s, &op).await;
    let path = format!("/entities/{}/logins/{}/eservices", o.entity, o.staff_id);
    // Ends two minutes from now: well within the ID token's usual five minutes.
    let end = (time::OffsetDateTime::now_utc() + time::Duration::seconds(120)).replace_nanosecond(0).unwrap();
    let until = end.format(&time::format_description::well_known::Rfc3339).unwrap();
    let (st, v) = s
        .call(
            "PUT",
            &path,
            Some(&o.admin_token),
            Some(json!({"eservices": [{"code": "r28-exp", "valid_until": until}]})),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    let tokens = tokens_for(&s, &rp, &o.entity, STAFF_USER).await;
    let claims = verify_es256(tokens["id_token"].as_str().unwrap(), &jwks(&s).await, &s.base, &rp.client_id, true);
    assert_eq!(claims["exp"].as_i64(), Some(end.unix_timestamp()), "the ID token ends with the assignment: {claims}");
    assert!(tokens["expires_in"].as_i64().unwrap() <= 120, "so does the access token: {tokens}");
    // Without an end the usual lifetime applies.
    s.call("PUT", &path, Some(&o.admin_token), Some(json!({"eservices": ["r28-exp"]}))).await;
    let tokens = tokens_for(&s, &rp, &o.entity, STAFF_USER).await;
    let claims = verify_es256(tokens["id_token"].as_str().unwrap(), &jwks(&s).await, &s.base, &rp.client_id, true);
    let lifetime = claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap();
    assert!(lifetime > 120, "the usual ID token lifetime: {claims}");
});
