//! Acceptance: the provider refuses what RFC 9700 (OAuth 2.0 Security BCP), RFC 7636 (PKCE)
//! and RFC 6749 say it must, on both backends — inexact redirect URIs without redirecting,
//! authorization requests without S256 PKCE, other response and grant types, wrong code
//! verifiers, codes redeemed twice or too late, and replayed refresh tokens.

#[path = "support/oidc.rs"]
mod oidc_support;
mod support;

use oidc_support::*;
use support::*;

/// A valid authorization request's parameters with `changes` applied (`None` removes one).
fn params(client_id: &str, challenge: &str, state: &str, changes: &[(&str, Option<&str>)]) -> Vec<(String, String)> {
    let mut p: Vec<(String, String)> = [
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", REDIRECT),
        ("scope", "openid profile entity"),
        ("state", state),
        ("nonce", "n-0S6_WzA2Mj"),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in changes {
        p.retain(|(name, _)| name != k);
        if let Some(v) = v {
            p.push((k.to_string(), v.to_string()));
        }
    }
    p
}

fn url_of(base: &str, p: &[(String, String)]) -> String {
    let refs: Vec<(&str, &str)> = p.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    authorize_url(base, &refs)
}

/// Asserts that `page` redirects to the registered URI with `error` and the request's state.
fn assert_redirect_error(what: &str, page: &Page, error: &str, state: &str) {
    assert!((300..400).contains(&page.status), "{what}: expected a redirect, got {} {}", page.status, page.body);
    let loc = page.redirect();
    assert_eq!(without_query(&loc), REDIRECT, "{what}: {loc}");
    assert_eq!(param(&loc, "error").as_deref(), Some(error), "{what}: {loc}");
    assert_eq!(param(&loc, "state").as_deref(), Some(state), "{what}: {loc}");
    assert_eq!(param(&loc, "code"), None, "{what}: {loc}");
}

/// Authorization parameters to replace (`None` removes one).
type Overrides<'a> = Vec<(&'a str, Option<&'a str>)>;

on_both_backends!(rfc9700_redirect_uri_compared_exactly_and_never_redirected_to_when_wrong, |s: Server| async move {
    let op = s.operator_token().await;
    let rp = add_eservice(&s, &op, "tax-returns", "DSF", false, None).await;
    let (_, challenge) = pkce();
    let mut b = Browser::new(&s.base);
    let cases: [(&str, Overrides); 6] = [
        ("trailing slash", vec![("redirect_uri", Some("http://127.0.0.1:9/cb/"))]),
        ("different case", vec![("redirect_uri", Some("http://127.0.0.1:9/CB"))]),
        ("added query", vec![("redirect_uri", Some("http://127.0.0.1:9/cb?next=/admin"))]),
        ("other host", vec![("redirect_uri", Some("http://127.0.0.2:9/cb"))]),
        ("unknown client", vec![("client_id", Some("no-such-eservice"))]),
        // Even when the request has other faults, a bad redirect URI is never used.
        ("bad uri, bad type", vec![("redirect_uri", Some("http://127.0.0.1:9/cb/")), ("response_type", Some("token"))]),
    ];
    for (what, changes) in cases {
        let page = b.get(&url_of(&s.base, &params(&rp.client_id, &challenge, "st", &changes))).await;
        assert_eq!(page.status, 400, "{what}: {}", page.body);
        assert_eq!(page.location, None, "{what}: no Location");
        assert!(!page.body.contains("127.0.0.1:9/cb"), "{what}: no link to the unregistered URI");
    }
});

on_both_backends!(rfc7636_pkce_s256_is_required_and_checked, |s: Server| async move {
    let op = s.operator_token().await;
    let rp = add_eservice(&s, &op, "tax-returns", "DSF", false, None).await;
    let org = org(&s, &op).await;
    assign(&s, &org, &org.staff_id, &["tax-returns"]).await;
    let mut b = Browser::new(&s.base);
    let (verifier, challenge) = pkce();
    for (what, changes) in [
        ("missing code_challenge", vec![("code_challenge", None), ("code_challenge_method", None)]),
        (
            "code_challenge_method=plain",
            vec![("code_challenge", Some(verifier.as_str())), ("code_challenge_method", Some("plain"))],
        ),
    ] {
        let page = b.get(&url_of(&s.base, &params(&rp.client_id, &challenge, "st-1", &changes))).await;
        assert_redirect_error(what, &page, "invalid_request", "st-1");
    }

    // A code bound to one challenge is not redeemed with another verifier, nor without one.
    let (code, _, _) = code_via(&mut b, &rp.client_id, &org.entity, STAFF_USER).await;
    let (other, _) = pkce();
    let r = token(
        &s,
        &rp,
        &[("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", REDIRECT), ("code_verifier", &other)],
    )
    .await;
    assert_token_error("wrong code_verifier", &r, 400, "invalid_grant");
    let (code, _, _) = code_via(&mut b, &rp.client_id, &org.entity, STAFF_USER).await;
    let (st, body) =
        token(&s, &rp, &[("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", REDIRECT)]).await;
    assert_eq!(st, 400, "{body}");
    assert!(
        ["invalid_grant", "invalid_request"].contains(&body["error"].as_str().unwrap_or("")),
        "no verifier: {body}"
    );
    // Nor with another redirect_uri than the one authorised.
    let (code, verifier, _) = code_via(&mut b, &rp.client_id, &org.entity, STAFF_USER).await;
    let r = token(
        &s,
        &rp,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "http://127.0.0.1:9/cb/"),
            ("code_verifier", &verifier),
        ],
    )
    .await;
    assert_token_error("another redirect_uri", &r, 400, "invalid_grant");
});

on_both_backends!(rfc6749_only_the_code_flow_and_the_documented_grants, |s: Server| async move {
    let op = s.operator_token().await;
    let rp = add_eservice(&s, &op, "tax-returns", "DSF", false, None).await;
    let (_, challenge) = pkce();
    let mut b = Browser::new(&s.base);
    for rt in ["token", "id_token", "code token"] {
        let page =
            b.get(&url_of(&s.base, &params(&rp.client_id, &challenge, "st-2", &[("response_type", Some(rt))]))).await;
        assert_redirect_error(&format!("response_type={rt}"), &page, "unsupported_response_type", "st-2");
    }
    for gt in ["password", "implicit", "urn:ietf:params:oauth:grant-type:device_code"] {
        let r = token(&s, &rp, &[("grant_type", gt), ("username", STAFF_USER), ("password", PASSWORD)]).await;
        assert_token_error(&format!("grant_type={gt}"), &r, 400, "unsupported_grant_type");
    }
    // A wrong client secret is invalid_client, 401.
    let wrong = Rp { client_secret: "not-the-secret".into(), ..rp.clone() };
    let r = token(&s, &wrong, &[("grant_type", "client_credentials")]).await;
    assert_token_error("wrong client secret", &r, 401, "invalid_client");
});

on_both_backends!(rfc9700_a_code_is_single_use_and_lives_60_seconds, |s: Server| async move {
    let op = s.operator_token().await;
    let rp = add_eservice(&s, &op, "tax-returns", "DSF", false, None).await;
    let org = org(&s, &op).await;
    assign(&s, &org, &org.staff_id, &["tax-returns"]).await;
    let mut b = Browser::new(&s.base);

    // Redeemed twice: the second is invalid_grant and revokes what the first got.
    let (code, verifier, _) = code_via(&mut b, &rp.client_id, &org.entity, STAFF_USER).await;
    let first = redeem(&s, &rp, &code, &verifier).await;
    let access = first["access_token"].as_str().unwrap();
    assert!(active(&s, &rp, access).await);
    let form = [
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", REDIRECT),
        ("code_verifier", &verifier),
    ];
    let r = token(&s, &rp, &form).await;
    assert_token_error("second redemption", &r, 400, "invalid_grant");
    let after = introspect(&s, &rp, access).await;
    assert_eq!(after["active"], false, "the first redemption's access token is revoked: {after}");
    let r = refresh(&s, &rp, first["refresh_token"].as_str().unwrap()).await;
    assert_token_error("the first redemption's refresh token", &r, 400, "invalid_grant");

    // A code older than 60 s is refused.
    let (code, verifier, _) = code_via(&mut b, &rp.client_id, &org.entity, STAFF_USER).await;
    s.sql("UPDATE oidc_codes SET expires_at = expires_at - 61000000, created_at = created_at - 61000000").await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", REDIRECT),
        ("code_verifier", &verifier),
    ];
    let r = token(&s, &rp, &form).await;
    assert_token_error("a code 61 s old", &r, 400, "invalid_grant");
    // A fresh one still works: the refusal was about age, not the session.
    let (code, verifier, _) = code_via(&mut b, &rp.client_id, &org.entity, STAFF_USER).await;
    redeem(&s, &rp, &code, &verifier).await;
});

on_both_backends!(rfc9700_a_replayed_refresh_token_revokes_its_family, |s: Server| async move {
    let op = s.operator_token().await;
    let rp = add_eservice(&s, &op, "tax-returns", "DSF", false, None).await;
    let org = org(&s, &op).await;
    assign(&s, &org, &org.staff_id, &["tax-returns"]).await;
    let t = tokens_for(&s, &rp, &org.entity, STAFF_USER).await;
    let other_family = tokens_for(&s, &rp, &org.entity, STAFF_USER).await;
    let rt1 = t["refresh_token"].as_str().unwrap().to_string();
    let (st, t2) = refresh(&s, &rp, &rt1).await;
    assert_eq!(st, 200, "{t2}");
    let rt2 = t2["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(rt1, rt2);
    assert_token_error("the replaced refresh token", &refresh(&s, &rp, &rt1).await, 400, "invalid_grant");
    assert_token_error("the newer token of the same family", &refresh(&s, &rp, &rt2).await, 400, "invalid_grant");
    // Another family (another sign-in) is untouched.
    let (st, b) = refresh(&s, &rp, other_family["refresh_token"].as_str().unwrap()).await;
    assert_eq!(st, 200, "{b}");
    // A refresh token is bound to its client.
    let rp2 = add_eservice(&s, &op, "land-registry", "DSCC", false, None).await;
    let (st, b) = refresh(&s, &rp, b["refresh_token"].as_str().unwrap()).await;
    assert_eq!(st, 200, "{b}");
    assert_token_error(
        "another client's refresh token",
        &refresh(&s, &rp2, b["refresh_token"].as_str().unwrap()).await,
        400,
        "invalid_grant",
    );
});

on_both_backends!(oidc_authorization_without_the_openid_scope_is_invalid_scope, |s: Server| async move {
    // docs/oidc.md: `invalid_scope` (RFC 6749 §4.1.2.1) when `openid` is missing.
    let op = s.operator_token().await;
    let rp = add_eservice(&s, &op, "tax-returns", "DSF", false, None).await;
    let (_, challenge) = pkce();
    let mut b = Browser::new(&s.base);
    let page =
        b.get(&url_of(&s.base, &params(&rp.client_id, &challenge, "st-3", &[("scope", Some("profile entity"))]))).await;
    assert_redirect_error("no openid scope", &page, "invalid_scope", "st-3");
});
