//! Acceptance: staff logins from a file over HTTP (R32) on the spawned binary, on both
//! backends — `text/csv` only; a dry run answers 422 with every row's faults by column and
//! creates nothing (the outbox's part is `rules_import.rs`'s); the fixed file commits, and every
//! row's person gets an activation code by SMS.

#[path = "support/oidc.rs"]
mod oidc_support;
mod support;

use oidc_support::*;
use serde_json::Value;
use support::*;

const HEADER: &str = "\u{FEFF}name,id_document_type,id_document_number,mobile,eservices\r\n";

async fn import(s: &Server, org: &Org, dry_run: bool, media: &str, body: String) -> (u16, Value) {
    let url = format!("{}/api/v1/entities/{}/logins/import?dry_run={dry_run}", s.base, org.entity);
    let res =
        s.http.post(url).bearer_auth(&org.admin_token).header("content-type", media).body(body).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn faults(b: &Value) -> Vec<(u64, String, String)> {
    let list = b["errors"].as_array().cloned().unwrap_or_default();
    list.iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["field"].as_str().unwrap().into(), e["code"].as_str().unwrap().into()))
        .collect()
}

on_both_backends!(r32_a_staff_file_is_checked_by_row_then_committed_whole, |s: Server| async move {
    let op = s.operator_token().await;
    let org = org(&s, &op).await;
    let good = "Ana Lei,passport,Q1000001,66300001,\r\nBen Ho,passport,Q1000002,66300002,\r\n";
    let bad =
        format!("{HEADER}{good}Bad Mobile,passport,Q1000003,12345,\r\nNo Service,passport,Q1000004,66300004,nope\r\n");
    let (st, b) = import(&s, &org, true, "application/json", bad.clone()).await;
    assert_eq!(st, 415, "{b}");
    for dry_run in [true, false] {
        let (st, b) = import(&s, &org, dry_run, "text/csv; charset=utf-8", bad.clone()).await;
        assert_eq!(st, 422, "{b}");
        assert_eq!((b["rows"].as_u64(), b["created"].as_u64()), (Some(4), Some(0)), "{b}");
        assert_eq!(
            faults(&b),
            [
                (4, "mobile".to_string(), "invalid_mobile".to_string()),
                (5, "eservices".into(), "unknown_eservice".into())
            ]
        );
    }
    let fixed =
        format!("{HEADER}{good}Bad Mobile,passport,Q1000003,66300003,\r\nNo Service,passport,Q1000004,66300004,\r\n");
    let (st, b) = import(&s, &org, true, "text/csv", fixed.clone()).await;
    assert_eq!((st, b["created"].as_u64()), (200, Some(0)), "{b}");
    let (st, b) = import(&s, &org, false, "text/csv", fixed).await;
    assert_eq!((st, b["created"].as_u64()), (200, Some(4)), "{b}");
    assert_eq!(b["login_ids"].as_array().map(Vec::len), Some(4));
    for n in 1..=4 {
        s.code_for(&format!("+85366300{n:03}"), 1).await;
    }
    let (st, list) = s.call("GET", &format!("/entities/{}/logins", org.entity), Some(&org.admin_token), None).await;
    assert_eq!(st, 200);
    assert!(list.to_string().contains("Ben Ho"), "{list}");
});

// The staff page's upload as a browser posts it (`multipart/form-data`): without the page's
// form token it is refused and creates nothing; with it, the check lists the faults by row
// and the commit creates every row.
on_both_backends!(r32_the_upload_page_checks_its_form_token_and_commits_the_file, |s: Server| async move {
    let op = s.operator_token().await;
    let org = org(&s, &op).await;
    let mut b = Browser::new(&s.base);
    let page = b.get(&format!("{}/login?lang=en", s.base)).await;
    let mut fields = hidden_inputs(&page.body);
    let signed = [("entity_number", org.entity.as_str()), ("username", ADMIN_USER), ("password", PASSWORD)];
    fields.extend(signed.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    assert_eq!(b.post_form(&format!("{}/login", s.base), &fields).await.status, 303);
    let url = format!("{}/admin/staff/import", s.base);
    let form = b.get(&url).await;
    assert_eq!(form.status, 200, "{}", form.body);
    let csrf = hidden_inputs(&form.body).into_iter().find(|(n, _)| n == "csrf").expect("a form token").1;
    let file = format!("{HEADER}Cai Wai,passport,Q2000001,66310001,\r\nDu Fong,passport,Q2000002,123,\r\n");
    let action = |a: &str| ("action".to_string(), a.to_string());

    let without = b.post_multipart(&url, &[action("commit")], ("file", &file)).await;
    assert_eq!(without.status, 403, "no form token: {}", without.body);
    let forged = b.post_multipart(&url, &[("csrf".into(), "forged".into()), action("commit")], ("file", &file)).await;
    assert_eq!(forged.status, 403, "a wrong form token");
    let checked = b.post_multipart(&url, &[("csrf".into(), csrf.clone()), action("check")], ("file", &file)).await;
    assert_eq!(checked.status, 422, "{}", checked.body);
    assert!(checked.body.contains("data-row=\"3\" data-column=\"mobile\""), "{}", checked.body);
    let (_, list) = s.call("GET", &format!("/entities/{}/logins", org.entity), Some(&org.admin_token), None).await;
    assert!(!list.to_string().contains("Cai Wai"), "nothing created: {list}");

    let fixed = file.replace(",123,", ",66310002,");
    let done = b.post_multipart(&url, &[("csrf".into(), csrf), action("commit")], ("file", &fixed)).await;
    assert_eq!((done.status, done.location.as_deref()), (303, Some("/admin/staff?imported=2")), "{}", done.body);
    s.code_for("+85366310002", 1).await;
});
