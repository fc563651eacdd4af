//! Acceptance: the OpenID Connect provider seen by a real relying party (the `openidconnect`
//! crate) and a hand-driven browser, on both backends — discovery, the authorization code flow
//! with PKCE S256, state and nonce, ID token and userinfo claims (and what they never carry),
//! refresh rotation, introspection and revocation; and signing key rotation.

#[path = "support/oidc.rs"]
mod oidc_support;
mod support;

use oidc_support::*;
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreClaimName, CoreClaimType, CoreClientAuthMethod,
    CoreErrorResponseType, CoreGenderClaim, CoreGrantType, CoreIdTokenVerifier, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJweKeyManagementAlgorithm, CoreJwsSigningAlgorithm, CoreResponseMode,
    CoreResponseType, CoreRevocableToken, CoreRevocationErrorResponse, CoreSubjectIdentifierType,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AdditionalProviderMetadata, AuthorizationCode, Client, ClientId, ClientSecret, CsrfToken,
    EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdToken, IdTokenFields, IntrospectionUrl,
    IssuerUrl, JsonWebKey, JsonWebKeySet, JsonWebKeySetUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge,
    ProviderMetadata, RedirectUrl, RefreshToken, RequestTokenError, Scope, StandardErrorResponse,
    StandardTokenResponse, SubjectIdentifier, TokenIntrospectionResponse, TokenResponse, UserInfoClaims,
};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use support::*;

/// The claims the `entity` scope adds.
#[derive(Clone, Debug, Deserialize, Serialize)]
struct EaClaims {
    entity_number: Option<String>,
    entity_name: Option<String>,
    login_kind: Option<String>,
    /// R35: the acting party, when the login acts for another entity (RFC 8693).
    act: Option<serde_json::Value>,
}
impl AdditionalClaims for EaClaims {}

/// Discovery fields the core metadata type does not read.
#[derive(Clone, Debug, Deserialize, Serialize)]
struct EaMetadata {
    introspection_endpoint: Option<String>,
    revocation_endpoint: Option<String>,
    end_session_endpoint: Option<String>,
    code_challenge_methods_supported: Option<Vec<String>>,
    backchannel_logout_supported: Option<bool>,
}
impl AdditionalProviderMetadata for EaMetadata {}

type EaProviderMetadata = ProviderMetadata<
    EaMetadata,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;
type EaIdToken = IdToken<EaClaims, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm>;
type EaTokenResponse = StandardTokenResponse<
    IdTokenFields<
        EaClaims,
        EmptyExtraTokenFields,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    >,
    CoreTokenType,
>;
type EaClient<HasIntrospectionUrl = EndpointNotSet> = Client<
    EaClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    EaTokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    HasIntrospectionUrl,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// An HTTP client for the relying party that follows no redirect (as the crate advises).
fn rp_http() -> openidconnect::reqwest::Client {
    openidconnect::reqwest::ClientBuilder::new()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The relying party's client of e-service `rp`, from the discovered metadata.
fn rp_client(meta: EaProviderMetadata, rp: &Rp, introspection: String) -> EaClient<EndpointSet> {
    EaClient::from_provider_metadata(
        meta,
        ClientId::new(rp.client_id.clone()),
        Some(ClientSecret::new(rp.client_secret.clone())),
    )
    .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).unwrap())
    .set_introspection_url(IntrospectionUrl::new(introspection).unwrap())
}

fn token_error<RE: std::error::Error>(
    e: RequestTokenError<RE, StandardErrorResponse<CoreErrorResponseType>>,
) -> CoreErrorResponseType {
    match e {
        RequestTokenError::ServerResponse(r) => r.error().clone(),
        other => panic!("expected an RFC 6749 error answer, got {other:?}"),
    }
}

on_both_backends!(r19_relying_party_signs_a_staff_login_in_with_pkce_and_validated_tokens, |s: Server| async move {
    let op = s.operator_token().await;
    let rp = add_eservice(&s, &op, "tax-returns", "DSF", false, None).await;
    let org = org(&s, &op).await;
    assign(&s, &org, &org.staff_id, &["tax-returns"]).await;
    let http = rp_http();

    // Discovery: the issuer is the public URL; code flow with S256 only.
    let issuer = IssuerUrl::new(s.base.clone()).unwrap();
    let meta = EaProviderMetadata::discover_async(issuer.clone(), &http).await.expect("discovery");
    assert_eq!(meta.issuer().as_str(), s.base);
    assert_eq!(meta.authorization_endpoint().as_str(), format!("{}/oidc/authorize", s.base));
    assert_eq!(meta.token_endpoint().map(|u| u.as_str().to_string()), Some(format!("{}/oidc/token", s.base)));
    assert_eq!(meta.jwks_uri().as_str(), format!("{}/oidc/jwks", s.base));
    assert_eq!(meta.userinfo_endpoint().map(|u| u.as_str().to_string()), Some(format!("{}/oidc/userinfo", s.base)));
    let rts: Vec<String> = meta
        .response_types_supported()
        .iter()
        .map(|r| serde_json::to_value(r).unwrap().as_str().unwrap().to_string())
        .collect();
    assert_eq!(rts, ["code"], "code flow only");
    assert!(meta.id_token_signing_alg_values_supported().contains(&CoreJwsSigningAlgorithm::EcdsaP256Sha256));
    let extra = meta.additional_metadata().clone();
    assert_eq!(extra.code_challenge_methods_supported, Some(vec!["S256".to_string()]));
    let introspection_endpoint = extra.introspection_endpoint.clone().expect("introspection_endpoint");
    assert_eq!(introspection_endpoint, format!("{}/oidc/introspect", s.base));
    assert_eq!(extra.revocation_endpoint, Some(format!("{}/oidc/revoke", s.base)));
    assert_eq!(extra.end_session_endpoint, Some(format!("{}/oidc/logout", s.base)));
    assert_eq!(extra.backchannel_logout_supported, Some(true));
    for scope in ["openid", "profile", "entity"] {
        assert!(meta.scopes_supported().unwrap().iter().any(|s| s.as_str() == scope), "{scope} supported");
    }
    assert!(meta.jwks().keys().iter().all(|k| k.key_id().is_some()), "every key has a kid");

    let client = rp_client(meta, &rp, introspection_endpoint);

    // The authorization request, with PKCE S256, state and nonce.
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, state, nonce) = client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("profile".into()))
        .add_scope(Scope::new("entity".into()))
        .set_pkce_challenge(challenge)
        .url();

    // The browser: the sign-in page, its form, then 303 to the e-service.
    let mut browser = Browser::new(&s.base);
    let form = browser.get(auth_url.as_str()).await;
    assert_eq!(form.status, 200, "no session yet: the sign-in page {}", form.body);
    let hidden = hidden_inputs(&form.body);
    assert!(!hidden.is_empty(), "hidden inputs written as documented: {}", form.body);
    let page = browser.submit_login(&form, &org.entity, STAFF_USER, PASSWORD).await;
    assert_eq!(page.status, 303, "{:?} {}", page.location, page.body);
    let sso = page.set_cookies.iter().find(|c| c.starts_with("ea_sso=")).expect("the ea_sso session cookie");
    let lower = sso.to_ascii_lowercase();
    assert!(lower.contains("httponly") && lower.contains("samesite=lax"), "{sso}");
    assert!(!lower.contains("secure"), "no Secure on a plain-HTTP public URL: {sso}");
    assert!(browser.jar.contains_key("ea_csrf"), "the ea_csrf cookie: {:?}", browser.jar);
    let loc = page.redirect();
    assert_eq!(without_query(&loc), REDIRECT);
    assert_eq!(param(&loc, "state").as_deref(), Some(state.secret().as_str()));
    let code = param(&loc, "code").expect("a code");

    // The code exchange, then the ID token checked by the crate: signature against the JWKS,
    // iss, aud, nonce, exp.
    let tokens: EaTokenResponse = client
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .expect("code exchange");
    let id_token = tokens.id_token().expect("an ID token").clone();
    let claims = id_token.claims(&client.id_token_verifier(), &nonce).expect("a valid ID token").clone();
    assert_eq!(claims.issuer().as_str(), s.base);
    assert_eq!(claims.audiences().iter().map(|a| a.as_str()).collect::<Vec<_>>(), [rp.client_id.as_str()]);
    assert_eq!(claims.subject().as_str(), org.staff_id, "sub is the login's id");
    assert_eq!(claims.auth_context_ref().map(|a| a.as_str()), Some("basic"));
    let amr: Vec<String> = claims.auth_method_refs().expect("amr").iter().map(|a| a.as_str().to_string()).collect();
    assert_eq!(amr, ["pwd"]);
    let auth_time = claims.auth_time().expect("auth_time");
    assert!(auth_time <= claims.issue_time() && claims.issue_time() < claims.expiration());
    assert!((claims.issue_time() - auth_time).num_seconds() < 120, "signed in just now");
    let more = claims.additional_claims();
    assert_eq!(more.entity_number.as_deref(), Some(org.entity.as_str()));
    assert!(ENTITY_NAMES.contains(&more.entity_name.as_deref().unwrap_or("")), "{more:?}");
    assert_eq!(more.login_kind.as_deref(), Some("staff"));
    assert_eq!(claims.name().and_then(|n| n.get(None)).map(|n| n.as_str()), Some(STAFF_NAME));
    let locale = claims.locale().expect("locale").as_str().to_string();
    assert!(["zh-Hant", "pt", "en"].contains(&locale.as_str()), "{locale}");
    let raw = jwt_payload(&id_token.to_string());
    assert!(raw["sid"].is_string(), "sid: {raw}");
    assert_eq!(raw["nonce"], nonce.secret().as_str());
    assert_no_personal_numbers("the ID token", &raw.to_string());
    let header = jsonwebtoken::decode_header(&id_token.to_string()).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::ES256);
    assert!(header.kid.is_some());

    // Userinfo: the same person, through the crate (sub checked) and raw.
    let access = tokens.access_token().clone();
    let info: UserInfoClaims<EaClaims, CoreGenderClaim> = client
        .user_info(access.clone(), Some(SubjectIdentifier::new(org.staff_id.clone())))
        .unwrap()
        .request_async(&http)
        .await
        .expect("userinfo");
    assert_eq!(info.additional_claims().entity_number.as_deref(), Some(org.entity.as_str()));
    assert_eq!(info.additional_claims().login_kind.as_deref(), Some("staff"));
    assert_eq!(info.name().and_then(|n| n.get(None)).map(|n| n.as_str()), Some(STAFF_NAME));
    let (st, raw_info) = userinfo(&s, access.secret()).await;
    assert_eq!(st, 200, "{raw_info}");
    assert_eq!(raw_info["sub"], org.staff_id.as_str());
    assert_no_personal_numbers("userinfo", &raw_info.to_string());
    let res = s.http.post(format!("{}/oidc/userinfo", s.base)).bearer_auth(access.secret()).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200, "userinfo by POST too");

    // Introspection: active, about this login and client.
    let intro = client.introspect(&access).request_async(&http).await.expect("introspection");
    assert!(intro.active());
    assert_eq!(intro.client_id().map(|c| c.as_str()), Some(rp.client_id.as_str()));
    let raw_intro = introspect(&s, &rp, access.secret()).await;
    assert_eq!(raw_intro["sub"], org.staff_id.as_str(), "{raw_intro}");

    // Refresh: a new refresh token; the old one is refused afterwards.
    let rt1 = tokens.refresh_token().expect("a refresh token").clone();
    let refreshed: EaTokenResponse =
        client.exchange_refresh_token(&rt1).unwrap().request_async(&http).await.expect("refresh");
    let rt2 = refreshed.refresh_token().expect("a new refresh token").clone();
    assert_ne!(rt2.secret(), rt1.secret(), "the refresh token is rotated");
    assert!(active(&s, &rp, refreshed.access_token().secret()).await);
    let again = client.exchange_refresh_token(&rt1).unwrap().request_async(&http).await;
    assert_eq!(token_error(again.expect_err("a replaced refresh token")), CoreErrorResponseType::InvalidGrant);

    // Revocation (RFC 7009): a second sign-in rides the single sign-on session (no form).
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, state, nonce) = client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("entity".into()))
        .set_pkce_challenge(challenge)
        .url();
    let page = browser.get(auth_url.as_str()).await;
    assert!(page.status == 302 || page.status == 303, "single sign-on: straight back to the e-service {}", page.body);
    let loc = page.redirect();
    assert_eq!(param(&loc, "state").as_deref(), Some(state.secret().as_str()));
    let tokens: EaTokenResponse = client
        .exchange_code(AuthorizationCode::new(param(&loc, "code").unwrap()))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .expect("second code exchange");
    let claims2 = tokens.id_token().unwrap().claims(&client.id_token_verifier(), &nonce).expect("valid").clone();
    assert_eq!(claims2.subject().as_str(), org.staff_id);
    assert_eq!(claims2.auth_time(), Some(auth_time), "the same sign-in");
    let (access, rt3) = (tokens.access_token().secret().clone(), tokens.refresh_token().unwrap().secret().clone());
    assert!(active(&s, &rp, &access).await);
    assert_eq!(revoke(&s, &rp, &access, "access_token").await, 200);
    let after = introspect(&s, &rp, &access).await;
    assert_eq!(after["active"], false, "{after}");
    assert_eq!(userinfo(&s, &access).await.0, 401, "a revoked access token is refused at userinfo");
    assert_eq!(revoke(&s, &rp, &rt3, "refresh_token").await, 200);
    let gone = client.exchange_refresh_token(&RefreshToken::new(rt3)).unwrap().request_async(&http).await;
    assert_eq!(token_error(gone.expect_err("a revoked refresh token")), CoreErrorResponseType::InvalidGrant);
    assert_eq!(revoke(&s, &rp, "no-such-token", "access_token").await, 200, "RFC 7009: unknown tokens are fine");
});

on_both_backends!(
    signing_key_rotation_keeps_the_old_key_until_its_id_tokens_expire,
    ["--id-token-ttl-secs", "2"],
    |s: Server| async move {
        let op = s.operator_token().await;
        let rp = add_eservice(&s, &op, "tax-returns", "DSF", false, None).await;
        let org = org(&s, &op).await;
        assign(&s, &org, &org.staff_id, &["tax-returns"]).await;
        let http = rp_http();
        let issuer = IssuerUrl::new(s.base.clone()).unwrap();
        let jwks_url = JsonWebKeySetUrl::new(format!("{}/oidc/jwks", s.base)).unwrap();
        let verifier = |keys: JsonWebKeySet<CoreJsonWebKey>| {
            CoreIdTokenVerifier::new_confidential_client(
                ClientId::new(rp.client_id.clone()),
                ClientSecret::new(rp.client_secret.clone()),
                issuer.clone(),
                keys,
            )
            .set_allowed_algs([CoreJwsSigningAlgorithm::EcdsaP256Sha256])
        };

        // An ID token signed by the first key K1.
        let mut browser = Browser::new(&s.base);
        let (code, code_verifier, nonce) = code_via(&mut browser, &rp.client_id, &org.entity, STAFF_USER).await;
        let t1 = redeem(&s, &rp, &code, &code_verifier).await;
        let jwt1 = t1["id_token"].as_str().unwrap().to_string();
        let keys1 = JsonWebKeySet::<CoreJsonWebKey>::fetch_async(&jwks_url, &http).await.unwrap();
        let id1: EaIdToken = jwt1.parse().unwrap();
        let nonce = Nonce::new(nonce);
        let c1 = id1.claims(&verifier(keys1), &nonce).expect("valid under the first JWKS").clone();
        let iat1 = c1.issue_time();
        assert_eq!((c1.expiration() - iat1).num_seconds(), 2, "--id-token-ttl-secs 2");
        let k1 = jsonwebtoken::decode_header(&jwt1).unwrap().kid.unwrap();
        assert_eq!(kids(&jwks(&s).await), std::slice::from_ref(&k1));

        // Rotation from the command line while the server runs.
        let out = s.cli(&["oidc", "rotate-key"], None).await;
        assert!(out.status.success(), "rotate-key: {}", String::from_utf8_lossy(&out.stderr));
        let both = jwks(&s).await;
        let listed = kids(&both);
        assert_eq!(listed.len(), 2, "old and new key: {both}");
        assert!(listed.contains(&k1), "{both}");
        // The old ID token still validates against the new JWKS (clock set to its issue time).
        let keys2 = JsonWebKeySet::<CoreJsonWebKey>::fetch_async(&jwks_url, &http).await.unwrap();
        id1.claims(&verifier(keys2).set_time_fn(move || iat1), &nonce).expect("K1 tokens still verify");
        verify_es256(&jwt1, &both, &s.base, &rp.client_id, false);

        // A new ID token is signed by the new key.
        let (code, code_verifier, _) = code_via(&mut browser, &rp.client_id, &org.entity, STAFF_USER).await;
        let t2 = redeem(&s, &rp, &code, &code_verifier).await;
        let jwt2 = t2["id_token"].as_str().unwrap().to_string();
        let k2 = jsonwebtoken::decode_header(&jwt2).unwrap().kid.unwrap();
        assert_ne!(k2, k1, "the new key signs at once");
        assert!(listed.contains(&k2));
        verify_es256(&jwt2, &both, &s.base, &rp.client_id, true);

        // Once every K1 ID token has expired (2 s), K1 leaves the JWKS; K2 stays.
        tokio::time::sleep(Duration::from_secs(3)).await;
        let mut last = jwks(&s).await;
        for _ in 0..50 {
            if !kids(&last).contains(&k1) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            last = jwks(&s).await;
        }
        assert_eq!(kids(&last), std::slice::from_ref(&k2), "K1 gone about 2 s after its last ID token: {last}");
        verify_es256(&jwt2, &last, &s.base, &rp.client_id, false);
        // The refresh token from before the rotation still works (only ID-token keys rotate).
        let (st, b) = refresh(&s, &rp, t1["refresh_token"].as_str().unwrap()).await;
        assert_eq!(st, 200, "{b}");
    }
);

on_both_backends!(r35_a_relying_party_signs_in_for_a_client_entity_as_a_firms_staff, |s: Server| async move {
    let op = s.operator_token().await;
    let more = serde_json::json!({"allows_intermediaries": true});
    let rp = add_eservice_with(&s, &op, "dsf-returns", "DSF", false, None, more).await;
    let client_org = org_with(&s, &op, 0).await;
    let firm = org_with(&s, &op, 1).await;
    let (a, b) = (client_org.entity.clone(), firm.entity.clone());

    // Bad offers: a clear 422 naming the field, nothing offered.
    let mandates = format!("/entities/{a}/mandates");
    for (body, field, code) in [
        (
            serde_json::json!({"to_entity_number": a, "eservices": ["dsf-returns"], "valid_until": "2027-12-31"}),
            "to_entity_number",
            "own_entity",
        ),
        (
            serde_json::json!({"to_entity_number": b, "eservices": ["dsf-returns"], "valid_until": "2099-12-31"}),
            "valid_until",
            "end_too_far_ahead",
        ),
        (
            serde_json::json!({"to_entity_number": b, "eservices": ["dsf-returns"], "valid_until": "someday"}),
            "valid_until",
            "invalid_date",
        ),
    ] {
        let (st, v) = s.call("POST", &mandates, Some(&client_org.admin_token), Some(body)).await;
        assert_eq!(st, 422, "{v}");
        assert!(
            v["errors"].as_array().unwrap().iter().any(|e| e["field"] == field && e["code"] == code),
            "{field} {code}: {v}"
        );
    }
    let (st, v) = s
        .call(
            "POST",
            &mandates,
            Some(&firm.admin_token),
            Some(serde_json::json!({"to_entity_number": b, "eservices": ["dsf-returns"], "valid_until": "2027-12-31"})),
        )
        .await;
    assert_eq!(st, 404, "another entity's path: {v}");
    let (_, none) = s.call("GET", &mandates, Some(&client_org.admin_token), None).await;
    assert_eq!(none["given"], serde_json::json!([]), "{none}");

    // The client offers the firm a mandate; the firm accepts it and assigns its staff member,
    // who also uses the e-service for the firm itself.
    let offer = serde_json::json!({"to_entity_number": b, "eservices": ["dsf-returns"], "valid_until": "2027-12-31"});
    let (st, m) = s.call("POST", &format!("/entities/{a}/mandates"), Some(&client_org.admin_token), Some(offer)).await;
    assert_eq!((st, m["status"].as_str()), (201, Some("offered")), "{m}");
    let id = m["mandate_id"].as_str().unwrap().to_string();
    let (st, got) = s.call("GET", &format!("/entities/{b}/mandates"), Some(&firm.entity_token), None).await;
    assert_eq!((st, got["received"][0]["mandate_id"].as_str()), (200, Some(id.as_str())), "{got}");
    let accept = format!("/entities/{b}/mandates/{id}/accept");
    let (st, v) = s.call("POST", &accept, Some(&firm.admin_token), None).await;
    assert_eq!((st, v["status"].as_str()), (200, Some("active")), "{v}");
    let (st, v) = s.call("POST", &accept, Some(&firm.admin_token), None).await;
    assert_eq!((st, v["code"].as_str()), (409, Some("already_decided")), "{v}");
    let acting = format!("/entities/{b}/logins/{}/mandates/{id}", firm.staff_id);
    let (st, v) =
        s.call("PUT", &acting, Some(&firm.admin_token), Some(serde_json::json!({"eservices": ["dsf-returns"]}))).await;
    assert_eq!((st, v["eservices"][0]["status"].as_str()), (200, Some("active")), "{v}");
    assign(&s, &firm, &firm.staff_id, &["dsf-returns"]).await;

    // The relying party signs the firm's staff member in; the chooser asks for whom.
    let http = rp_http();
    let meta = EaProviderMetadata::discover_async(IssuerUrl::new(s.base.clone()).unwrap(), &http).await.unwrap();
    let introspection = meta.additional_metadata().introspection_endpoint.clone().unwrap();
    let client = rp_client(meta, &rp, introspection);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, state, nonce) = client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("profile".into()))
        .add_scope(Scope::new("entity".into()))
        .set_pkce_challenge(challenge)
        .url();
    let mut browser = Browser::new(&s.base);
    let chooser = browser.sign_in(auth_url.as_str(), &b, STAFF_USER, PASSWORD).await;
    assert_eq!(chooser.status, 200, "the chooser: {:?} {}", chooser.location, chooser.body);
    assert!(chooser.body.contains(&format!("value=\"{b}\"")), "the firm itself is a choice: {}", chooser.body);
    let page = browser.choose(&chooser, &a).await;
    assert_eq!(page.status, 303, "{:?} {}", page.location, page.body);
    let loc = page.redirect();
    assert_eq!(param(&loc, "state").as_deref(), Some(state.secret().as_str()));
    let tokens: EaTokenResponse = client
        .exchange_code(AuthorizationCode::new(param(&loc, "code").expect("a code")))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .expect("code exchange");

    // The ID token, checked by the crate: the client entity, the firm and the login acting.
    let claims = tokens.id_token().unwrap().claims(&client.id_token_verifier(), &nonce).expect("valid").clone();
    assert_eq!(claims.subject().as_str(), firm.staff_id, "sub is the acting login");
    let act = serde_json::json!({"entity_number": b, "sub": firm.staff_id});
    assert_eq!(claims.additional_claims().entity_number.as_deref(), Some(a.as_str()));
    assert_eq!(claims.additional_claims().act.as_ref(), Some(&act));
    let access = tokens.access_token().clone();
    let info: UserInfoClaims<EaClaims, CoreGenderClaim> = client
        .user_info(access.clone(), Some(SubjectIdentifier::new(firm.staff_id.clone())))
        .unwrap()
        .request_async(&http)
        .await
        .expect("userinfo");
    assert_eq!(info.additional_claims().entity_number.as_deref(), Some(a.as_str()));
    assert_eq!(info.additional_claims().act.as_ref(), Some(&act));
    let raw = introspect(&s, &rp, access.secret()).await;
    assert_eq!(
        (raw["active"].as_bool(), &raw["entity_number"], &raw["act"]),
        (Some(true), &serde_json::json!(a), &act),
        "{raw}"
    );

    // The client sees who acts for it, by name; then ends the mandate: refused at once.
    let (_, given) = s.call("GET", &format!("/entities/{a}/mandates"), Some(&client_org.admin_token), None).await;
    let who = &given["given"][0]["acting"][0];
    assert_eq!((who["name"].as_str(), who.get("login_id")), (Some(STAFF_NAME), None), "{given}");
    let (st, v) = s.call("DELETE", &format!("/entities/{a}/mandates/{id}"), Some(&client_org.admin_token), None).await;
    assert_eq!(st, 204, "{v}");
    assert_eq!(introspect(&s, &rp, access.secret()).await["active"], false);
    assert_eq!(userinfo(&s, access.secret()).await.0, 401);
    let rt = tokens.refresh_token().unwrap();
    let again = client.exchange_refresh_token(rt).unwrap().request_async(&http).await;
    assert_eq!(token_error(again.expect_err("refresh after the end")), CoreErrorResponseType::InvalidGrant);

    // Both audits hold each step with both numbers.
    for (n, token) in [(&a, &client_org.admin_token), (&b, &firm.admin_token)] {
        let (st, log) = s.call("GET", &format!("/entities/{n}/audit"), Some(token), None).await;
        assert_eq!(st, 200, "{log}");
        let text = log.to_string();
        for action in ["mandate.offered", "mandate.accepted", "mandate.logins_assigned", "mandate.ended"] {
            assert!(text.contains(action), "{action} in {n}'s audit: {text}");
        }
        assert!(text.contains(&format!("for={a}")) && text.contains(&format!("by={b}")), "{text}");
    }
});
