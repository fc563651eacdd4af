//! The machine credentials page (R36) over HTTP like a browser without script: an
//! administrator creates one (the secret shown once, on the answer to the post only), sees
//! it listed with its end and last use, deletes it; bad input is shown beside its field;
//! the entity account sees the list only; staff are refused.

#[path = "support/oidc.rs"]
mod oidc_support;
mod support;

use oidc_support::*;
use support::*;

fn f(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn csrf_of(page: &Page) -> String {
    hidden_inputs(&page.body).into_iter().find(|(n, _)| n == "csrf").expect("a csrf field").1
}

async fn sign_in(s: &Server, entity: &str, username: &str) -> Browser {
    let mut b = Browser::new(&s.base);
    let page = b.get(&format!("{}/login?lang=en", s.base)).await;
    let mut fields = hidden_inputs(&page.body);
    fields.extend(f(&[("entity_number", entity), ("username", username), ("password", PASSWORD)]));
    let res = b.post_form(&format!("{}/login", s.base), &fields).await;
    assert_eq!(res.status, 303, "sign-in as {username}: {}", res.body);
    b
}

/// The text of the element with `id` (its first text, up to the next tag).
fn text_of(html: &str, id: &str) -> Option<String> {
    let at = html.find(&format!("id=\"{id}\""))?;
    let rest = &html[at..];
    let start = rest.find('>')? + 1;
    let end = rest[start..].find('<')?;
    Some(rest[start..start + end].trim().to_string())
}

const PAGE: &str = "/admin/machine-credentials";

on_both_backends!(r36_page_creates_shows_the_secret_once_lists_and_deletes, |s: Server| async move {
    let op = s.operator_token().await;
    let tax = add_eservice(&s, &op, "r36-tax", "DSF", false, None).await;
    let org = org(&s, &op).await;
    let mut admin = sign_in(&s, &org.entity, ADMIN_USER).await;
    let page = admin.get(&format!("{}{PAGE}", s.base)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("id=\"mc-none\"") && page.body.contains("id=\"mc-create\""), "{}", page.body);
    let csrf = csrf_of(&page);
    let until = {
        let t = time::OffsetDateTime::now_utc() + time::Duration::days(90);
        format!("{:04}-{:02}-{:02}", t.year(), t.month() as u8, t.day())
    };

    // A malformed key: shown beside the field, nothing created.
    let bad =
        f(&[("csrf", &csrf), ("name", "ERP"), ("eservices", "r36-tax"), ("valid_until", &until), ("jwk", "{nope")]);
    let res = admin.post_form(&format!("{}{PAGE}", s.base), &bad).await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.body.contains("jwk-error"), "the field names its error: {}", res.body);

    let good = f(&[("csrf", &csrf), ("name", "ERP"), ("eservices", "r36-tax"), ("valid_until", &until)]);
    let res = admin.post_form(&format!("{}{PAGE}", s.base), &good).await;
    assert_eq!(res.status, 201, "{}", res.body);
    let id = text_of(&res.body, "mc-client-id").expect("the client id");
    let secret = text_of(&res.body, "mc-secret").expect("the secret, once");
    assert!(res.body.contains("id=\"mc-secret-warning\""), "{}", res.body);
    // The secret works, and is never on the list.
    let cc = [("grant_type", "client_credentials"), ("resource", "r36-tax")];
    let t =
        s.http.post(format!("{}/oidc/token", s.base)).basic_auth(&id, Some(&secret)).form(&cc).send().await.unwrap();
    assert_eq!(t.status().as_u16(), 200);
    let token: serde_json::Value = t.json().await.unwrap();
    assert!(active(&s, &tax, token["access_token"].as_str().unwrap()).await);
    let list = admin.get(&format!("{}{PAGE}", s.base)).await;
    assert!(list.body.contains(&format!("id=\"mc-row-{id}\"")), "{}", list.body);
    assert!(!list.body.contains(&secret), "shown once only");

    // The entity account sees the list, not the form; staff are refused.
    let mut account = sign_in(&s, &org.entity, ENTITY_USER).await;
    let seen = account.get(&format!("{}{PAGE}", s.base)).await;
    assert_eq!(seen.status, 200);
    assert!(seen.body.contains(&id) && !seen.body.contains("id=\"mc-create\""), "{}", seen.body);
    let mut staff = sign_in(&s, &org.entity, STAFF_USER).await;
    assert_eq!(staff.get(&format!("{}{PAGE}", s.base)).await.status, 403);

    // Deleted: gone from the list, its token stops.
    let del = admin.post_form(&format!("{}{PAGE}/{id}/delete", s.base), &f(&[("csrf", &csrf_of(&list))])).await;
    assert_eq!(del.status, 303, "{}", del.body);
    let after = admin.get(&format!("{}{PAGE}?done=deleted", s.base)).await;
    assert!(after.body.contains("id=\"mc-none\"") && after.body.contains("id=\"notice\""), "{}", after.body);
    assert!(!active(&s, &tax, token["access_token"].as_str().unwrap()).await);
});
