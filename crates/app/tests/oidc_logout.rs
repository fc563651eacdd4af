//! Acceptance: who may use an e-service is checked at every OpenID Connect step (R19), and
//! taking that right away ends what was granted — at once for the provider's own answers,
//! and by a signed back-channel logout token to the e-service. On both backends.

#[path = "support/oidc.rs"]
mod oidc_support;
mod support;

use std::collections::HashMap;
use std::time::Duration;

use oidc_support::*;
use serde_json::Value;
use support::*;

/// A back-channel logout receiver on 127.0.0.1: every form POST's `logout_token` goes to the
/// channel; it answers 200.
async fn receiver() -> (String, tokio::sync::mpsc::UnboundedReceiver<(String, HashMap<String, String>)>) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/backchannel",
        axum::routing::post(
            move |headers: axum::http::HeaderMap, axum::Form(form): axum::Form<HashMap<String, String>>| {
                let tx = tx.clone();
                async move {
                    let ct = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
                    let _ = tx.send((ct, form));
                    axum::http::StatusCode::OK
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/backchannel"), rx)
}

on_both_backends!(
    r19_unassigned_staff_gets_access_denied_until_assigned_and_loses_tokens_when_unassigned,
    |s: Server| async move {
        let op = s.operator_token().await;
        let rp = add_eservice(&s, &op, "tax-returns", "DSF", false, None).await;
        let org = org(&s, &op).await;

        // Not assigned: after the password, a 403 page whose return link tells the e-service.
        let mut b = Browser::new(&s.base);
        let req = auth_request(&s.base, &rp.client_id, "openid profile entity");
        let page = b.sign_in(&req.url, &org.entity, STAFF_USER, PASSWORD).await;
        assert_eq!(page.status, 403, "{:?} {}", page.location, page.body);
        assert_eq!(page.location, None);
        let href = return_link(&page.body).unwrap_or_else(|| panic!("<a id=\"return\" href=…> in {}", page.body));
        let link = openidconnect::url::Url::parse(&href).unwrap();
        assert_eq!(without_query(&link), REDIRECT, "{href}");
        assert_eq!(param(&link, "error").as_deref(), Some("access_denied"), "{href}");
        assert_eq!(param(&link, "state").as_deref(), Some(req.state.as_str()), "{href}");
        assert!(param(&link, "error_description").is_some_and(|d| !d.is_empty()), "{href}");
        assert_eq!(param(&link, "code"), None);
        // Nor does a second try, nor another login of the entity that is not assigned either.
        let page =
            b.sign_in(&auth_request(&s.base, &rp.client_id, "openid").url, &org.entity, STAFF_USER, PASSWORD).await;
        assert_eq!(page.status, 403, "{}", page.body);
        let mut other = Browser::new(&s.base);
        let page =
            other.sign_in(&auth_request(&s.base, &rp.client_id, "openid").url, &org.entity, ADMIN_USER, PASSWORD).await;
        assert_eq!(page.status, 403, "an unassigned administrator too: {}", page.body);

        // Assigned by the administrator: the same flow yields tokens.
        assign(&s, &org, &org.staff_id, &["tax-returns"]).await;
        let (code, verifier, _) = code_via(&mut b, &rp.client_id, &org.entity, STAFF_USER).await;
        let t = redeem(&s, &rp, &code, &verifier).await;
        let access = t["access_token"].as_str().unwrap().to_string();
        let rt = t["refresh_token"].as_str().unwrap().to_string();
        assert!(active(&s, &rp, &access).await);
        assert_eq!(userinfo(&s, &access).await.0, 200);

        // The assignment removed: refresh, introspection and userinfo say no at once.
        assign(&s, &org, &org.staff_id, &[]).await;
        let after = introspect(&s, &rp, &access).await;
        assert_eq!(after["active"], false, "{after}");
        assert_token_error(
            "refresh after the assignment is removed",
            &refresh(&s, &rp, &rt).await,
            400,
            "invalid_grant",
        );
        assert_eq!(userinfo(&s, &access).await.0, 401, "userinfo after the assignment is removed");
        let page =
            b.sign_in(&auth_request(&s.base, &rp.client_id, "openid").url, &org.entity, STAFF_USER, PASSWORD).await;
        assert_eq!(page.status, 403, "signing in again is refused too: {:?} {}", page.location, page.body);
    }
);

on_both_backends!(
    r14_deleting_a_login_sends_a_signed_backchannel_logout_and_revokes_its_tokens,
    |s: Server| async move {
        let (uri, mut rx) = receiver().await;
        let op = s.operator_token().await;
        let rp = add_eservice(&s, &op, "tax-returns", "DSF", false, Some(&uri)).await;
        let bystander = add_eservice(&s, &op, "land-registry", "DSCC", false, None).await;
        let org = org(&s, &op).await;
        assign(&s, &org, &org.staff_id, &["tax-returns", "land-registry"]).await;

        let t = tokens_for(&s, &rp, &org.entity, STAFF_USER).await;
        let id_claims = jwt_payload(t["id_token"].as_str().unwrap());
        let sid = id_claims["sid"].as_str().expect("sid in the ID token").to_string();
        let access = t["access_token"].as_str().unwrap().to_string();
        let t_other = tokens_for(&s, &bystander, &org.entity, STAFF_USER).await;
        assert!(active(&s, &rp, &access).await);
        assert!(rx.try_recv().is_err(), "no logout before the deletion");

        // The administrator deletes the login: its tokens are dead when the DELETE answers.
        let (st, b) = s
            .call("DELETE", &format!("/entities/{}/logins/{}", org.entity, org.staff_id), Some(&org.admin_token), None)
            .await;
        assert_eq!(st, 204, "{b}");
        let after = introspect(&s, &rp, &access).await;
        assert_eq!(after["active"], false, "{after}");
        assert!(!active(&s, &bystander, t_other["access_token"].as_str().unwrap()).await, "at every e-service");
        assert_token_error(
            "refresh after deletion",
            &refresh(&s, &rp, t["refresh_token"].as_str().unwrap()).await,
            400,
            "invalid_grant",
        );

        // The e-service's receiver gets a logout token within a few seconds.
        let (ct, form) = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .expect("a back-channel logout within 10 s")
            .unwrap();
        assert!(ct.starts_with("application/x-www-form-urlencoded"), "{ct}");
        let lt = form.get("logout_token").unwrap_or_else(|| panic!("logout_token in {form:?}")).clone();
        let header = jsonwebtoken::decode_header(&lt).unwrap();
        assert_eq!(header.alg, jsonwebtoken::Algorithm::ES256);
        assert_eq!(header.typ.as_deref(), Some("logout+jwt"));
        let keys = jwks(&s).await;
        assert!(kids(&keys).contains(header.kid.as_ref().expect("kid")), "{keys}");
        let claims: Value = verify_es256(&lt, &keys, &s.base, &rp.client_id, true);
        assert_eq!(claims["iss"], s.base.as_str());
        assert_eq!(claims["aud"], rp.client_id.as_str(), "aud is the client_id: {claims}");
        assert_eq!(claims["sub"], org.staff_id.as_str(), "{claims}");
        assert_eq!(claims["sid"], sid.as_str(), "{claims}");
        assert!(claims["jti"].as_str().is_some_and(|j| !j.is_empty()), "{claims}");
        assert!(claims["iat"].is_number() && claims["exp"].is_number(), "{claims}");
        assert_eq!(
            claims["events"]["http://schemas.openid.net/event/backchannel-logout"],
            serde_json::json!({}),
            "the back-channel logout event: {claims}"
        );
        assert!(claims.get("nonce").is_none(), "a logout token has no nonce: {claims}");
        assert_no_personal_numbers("the logout token", &claims.to_string());

        // One delivery: the receiver answered 200, so nothing is retried.
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert!(rx.try_recv().is_err(), "delivered once");
    }
);
