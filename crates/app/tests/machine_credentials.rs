//! Acceptance: machine credentials (R36) over HTTP on the spawned binary, on both backends —
//! an administrator creates one, the software gets `client_credentials` tokens for one
//! resource (RFC 8707) with `client_secret_basic`, `client_secret_post` or `private_key_jwt`
//! (a real ES256 assertion), the e-service introspects them (entity and credential, no
//! person), and deleting the credential stops its tokens at once. Bad input: a clear error
//! naming the field, never a 500, nothing created; another entity's admin gets 404.

#[path = "support/oidc.rs"]
mod oidc_support;
mod support;

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use oidc_support::*;
use p256::ecdsa::SigningKey;
use p256::pkcs8::EncodePrivateKey;
use serde_json::{json, Value};
use support::*;

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// A day about a year ahead, as the pages and the API take it.
fn a_year_ahead() -> String {
    let t = time::OffsetDateTime::now_utc() + time::Duration::days(365);
    format!("{:04}-{:02}-{:02}", t.year(), t.month() as u8, t.day())
}

async fn create(s: &Server, org: &Org, body: Value) -> (u16, Value) {
    s.call("POST", &format!("/entities/{}/machine-credentials", org.entity), Some(&org.admin_token), Some(body)).await
}

async fn machine_token(s: &Server, form: &[(&str, &str)], basic: Option<(&str, &str)>) -> (u16, Value) {
    let mut req = s.http.post(format!("{}/oidc/token", s.base)).form(form);
    if let Some((id, secret)) = basic {
        req = req.basic_auth(id, Some(secret));
    }
    let res = req.send().await.unwrap();
    let st = res.status().as_u16();
    (st, res.json().await.unwrap_or(Value::Null))
}

on_both_backends!(
    r36_secret_credential_token_names_entity_and_credential_and_stops_when_deleted,
    |s: Server| async move {
        let op = s.operator_token().await;
        let tax = add_eservice(&s, &op, "r36-tax", "DSF", false, None).await;
        let ssf = add_eservice(&s, &op, "r36-ssf", "FSS", false, None).await;
        let org = org(&s, &op).await;
        let (st, b) = create(
            &s,
            &org,
            json!({"name": "Payroll", "eservices": ["r36-tax"], "provisioning": false,
        "valid_until": a_year_ahead()}),
        )
        .await;
        assert_eq!(st, 201, "{b}");
        let id = b["client_id"].as_str().unwrap().to_string();
        let secret = b["client_secret"].as_str().expect("a secret without a JWK").to_string();

        // client_secret_basic, for the e-service it may call.
        let cc = [("grant_type", "client_credentials"), ("resource", "r36-tax")];
        let (st, t) = machine_token(&s, &cc, Some((&id, &secret))).await;
        assert_eq!(st, 200, "{t}");
        assert!(t.get("refresh_token").is_none() && t.get("id_token").is_none(), "{t}");
        let access = t["access_token"].as_str().unwrap().to_string();
        let seen = introspect(&s, &tax, &access).await;
        assert_eq!(seen["active"], true, "{seen}");
        assert_eq!(seen["entity_number"], org.entity.as_str(), "{seen}");
        assert_eq!(seen["sub"], id.as_str(), "{seen}");
        assert_eq!(seen["client_id"], id.as_str(), "{seen}");
        assert_eq!(seen["aud"], "r36-tax", "{seen}");
        assert!(seen.get("name").is_none() && seen.get("login_kind").is_none(), "no person claims: {seen}");
        assert_eq!(introspect(&s, &ssf, &access).await["active"], false, "another e-service sees nothing");
        let (st, _) = userinfo(&s, &access).await;
        assert_eq!(st, 401, "not a person's token");

        // client_secret_post too.
        let post = [
            ("grant_type", "client_credentials"),
            ("resource", "r36-tax"),
            ("client_id", &id),
            ("client_secret", &secret),
        ];
        assert_eq!(machine_token(&s, &post, None).await.0, 200);

        // One granted resource per token (RFC 8707), and only client_credentials.
        for (what, form) in [
            ("no resource", vec![("grant_type", "client_credentials")]),
            ("not granted", vec![("grant_type", "client_credentials"), ("resource", "r36-ssf")]),
            ("unknown", vec![("grant_type", "client_credentials"), ("resource", "https://nowhere.example/x")]),
            (
                "no provisioning right",
                vec![("grant_type", "client_credentials"), ("resource", &format!("{}/scim/v2", s.base))],
            ),
        ] {
            assert_token_error(what, &machine_token(&s, &form, Some((&id, &secret))).await, 400, "invalid_target");
        }
        let code = [("grant_type", "authorization_code"), ("code", "x"), ("redirect_uri", REDIRECT)];
        assert_token_error(
            "a code grant",
            &machine_token(&s, &code, Some((&id, &secret))).await,
            400,
            "unauthorized_client",
        );
        assert_token_error(
            "a wrong secret",
            &machine_token(&s, &cc, Some((&id, "wrong"))).await,
            401,
            "invalid_client",
        );

        // Listed for the entity account and the administrator, never with the secret.
        for tok in [&org.entity_token, &org.admin_token] {
            let (st, list) =
                s.call("GET", &format!("/entities/{}/machine-credentials", org.entity), Some(tok), None).await;
            assert_eq!(st, 200, "{list}");
            let c = &list["credentials"][0];
            assert_eq!(
                (c["client_id"].as_str(), c["auth_method"].as_str()),
                (Some(id.as_str()), Some("client_secret"))
            );
            assert!(c["last_used_at"].is_string(), "{c}");
            assert!(!list.to_string().contains(&secret), "the secret is shown once: {list}");
        }
        let (st, _) =
            s.call("GET", &format!("/entities/{}/machine-credentials", org.entity), Some(&org.staff_token), None).await;
        assert_eq!(st, 403);

        // Deleted: its token stops at once and it gets no more.
        let path = format!("/entities/{}/machine-credentials/{id}", org.entity);
        let (st, b) = s.call("DELETE", &path, Some(&org.admin_token), None).await;
        assert_eq!(st, 204, "{b}");
        assert_eq!(introspect(&s, &tax, &access).await["active"], false);
        assert_token_error("deleted", &machine_token(&s, &cc, Some((&id, &secret))).await, 401, "invalid_client");
        assert_eq!(s.call("DELETE", &path, Some(&org.admin_token), None).await.0, 404);
        // The e-services' own client_credentials grant is unchanged.
        let (st, b) = token(&s, &tax, &[("grant_type", "client_credentials")]).await;
        assert_eq!(st, 200, "{b}");
    }
);

/// A `client_credentials` token for `r36-tax`, the client authenticated by `assertion` alone.
async fn by_assertion(s: &Server, assertion: &str) -> (u16, Value) {
    let form = [
        ("grant_type", "client_credentials"),
        ("resource", "r36-tax"),
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", assertion),
    ];
    machine_token(s, &form, None).await
}

fn header_b64(v: &Value) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}

on_both_backends!(r36_private_key_jwt_credential_signs_single_use_es256_assertions, |s: Server| async move {
    use base64::Engine;
    let op = s.operator_token().await;
    let tax = add_eservice(&s, &op, "r36-tax", "DSF", false, None).await;
    let org = org(&s, &op).await;
    let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    let sk = SigningKey::random(&mut rand::rngs::OsRng);
    let point = sk.verifying_key().to_encoded_point(false);
    let jwk =
        json!({"kty": "EC", "crv": "P-256", "kid": "k1", "x": b64(point.x().unwrap()), "y": b64(point.y().unwrap())});
    let (st, b) =
        create(&s, &org, json!({"name": "ERP", "eservices": ["r36-tax"], "valid_until": a_year_ahead(), "jwk": jwk}))
            .await;
    assert_eq!(st, 201, "{b}");
    assert!(b.get("client_secret").is_none(), "a key-registered credential has no secret: {b}");
    assert_eq!(b["credential"]["auth_method"], "private_key_jwt");
    let id = b["client_id"].as_str().unwrap().to_string();
    let der = sk.to_pkcs8_der().unwrap().as_bytes().to_vec();
    let claims = |jti: &str| json!({"iss": id, "sub": id, "aud": format!("{}/oidc/token", s.base), "jti": jti, "exp": now() + 60, "iat": now()});
    let signed = |jti: &str| {
        let mut h = Header::new(Algorithm::ES256);
        h.kid = Some("k1".into());
        jsonwebtoken::encode(&h, &claims(jti), &EncodingKey::from_ec_der(&der)).unwrap()
    };
    let good = signed("j-1");
    let (st, t) = by_assertion(&s, &good).await;
    assert_eq!(st, 200, "{t}");
    let seen = introspect(&s, &tax, t["access_token"].as_str().unwrap()).await;
    assert_eq!((seen["active"].as_bool(), seen["sub"].as_str()), (Some(true), Some(id.as_str())), "{seen}");
    assert_token_error("a replayed assertion", &by_assertion(&s, &good).await, 401, "invalid_client");

    // alg none and HS256 are refused with a clear OAuth error.
    let payload = header_b64(&claims("j-2"));
    let none = format!("{}.{payload}.", header_b64(&json!({"alg": "none", "typ": "JWT"})));
    let (st, b) = by_assertion(&s, &none).await;
    assert_eq!((st, b["error"].as_str()), (401, Some("invalid_client")), "{b}");
    assert!(b["error_description"].as_str().unwrap().contains("ES256"), "{b}");
    let hs = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims("j-3"), &EncodingKey::from_secret(b"guess"))
        .unwrap();
    let (st, b) = by_assertion(&s, &hs).await;
    assert_eq!((st, b["error"].as_str()), (401, Some("invalid_client")), "{b}");
    assert!(b["error_description"].as_str().unwrap().contains("HS256"), "{b}");
    // Signed by another key.
    let other = SigningKey::random(&mut rand::rngs::OsRng).to_pkcs8_der().unwrap().as_bytes().to_vec();
    let mut h = Header::new(Algorithm::ES256);
    h.kid = Some("k1".into());
    let forged = jsonwebtoken::encode(&h, &claims("j-4"), &EncodingKey::from_ec_der(&other)).unwrap();
    assert_token_error("a forged assertion", &by_assertion(&s, &forged).await, 401, "invalid_client");
});

on_both_backends!(r36_bad_input_names_the_field_never_500_and_creates_nothing, |s: Server| async move {
    let op = s.operator_token().await;
    add_eservice(&s, &op, "r36-tax", "DSF", false, None).await;
    let org = org(&s, &op).await;
    let other = org_with(&s, &op, 1).await;
    let base = json!({"name": "X", "eservices": ["r36-tax"], "valid_until": a_year_ahead()});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let cases = [
        (with("jwk", json!("not an object")), "jwk"),
        (with("jwk", json!({"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"})), "jwk"),
        (with("jwk", json!({"kty": "oct", "k": "c2VjcmV0"})), "jwk"),
        (with("jwk", json!({"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA", "d": "AA"})), "jwk"),
        (with("eservices", json!(["no-such"])), "eservices[0]"),
        (with("eservices", json!([])), "eservices"),
        (with("valid_until", json!("2999-01-01")), "valid_until"),
        (with("valid_until", json!("yesterday")), "valid_until"),
    ];
    for (body, field) in cases {
        let (st, b) = create(&s, &org, body.clone()).await;
        assert_eq!(st, 422, "{body}: {b}");
        assert!(b["errors"].as_array().unwrap().iter().any(|e| e["field"] == field), "{field} in {b}");
    }
    let (st, list) =
        s.call("GET", &format!("/entities/{}/machine-credentials", org.entity), Some(&org.admin_token), None).await;
    assert_eq!((st, list["credentials"].as_array().map(Vec::len)), (200, Some(0)), "nothing created: {list}");

    // Another entity's administrator: 404 for the path and for the credential.
    let (st, b) = create(&s, &org, base.clone()).await;
    assert_eq!(st, 201, "{b}");
    let id = b["client_id"].as_str().unwrap();
    let theirs = format!("/entities/{}/machine-credentials", org.entity);
    assert_eq!(s.call("GET", &theirs, Some(&other.admin_token), None).await.0, 404);
    assert_eq!(s.call("DELETE", &format!("{theirs}/{id}"), Some(&other.admin_token), None).await.0, 404);
    let mine = format!("/entities/{}/machine-credentials/{id}", other.entity);
    assert_eq!(s.call("DELETE", &mine, Some(&other.admin_token), None).await.0, 404, "not theirs under their own path");
    assert_eq!(s.call("GET", &mine, Some(&other.admin_token), None).await.0, 404);
});

/// A test-only RSA key (made with `openssl genrsa 2048` for this suite; it guards nothing)
/// and its public JWK.
const RSA_TEST_KEY: &str = include_str!("fixtures/rsa-2048-test-key.pem");
const RSA_TEST_JWK: &str = include_str!("fixtures/rsa-2048-test-key.jwk.json");

on_both_backends!(r36_private_key_jwt_credential_signs_rs256_assertions, |s: Server| async move {
    let op = s.operator_token().await;
    let tax = add_eservice(&s, &op, "r36-tax", "DSF", false, None).await;
    let org = org(&s, &op).await;
    let jwk: Value = serde_json::from_str(RSA_TEST_JWK).unwrap();
    let (st, b) = create(
        &s,
        &org,
        json!({"name": "Payroll", "eservices": ["r36-tax"], "valid_until": a_year_ahead(), "jwk": jwk}),
    )
    .await;
    assert_eq!(st, 201, "{b}");
    assert_eq!(b["credential"]["auth_method"], "private_key_jwt");
    let id = b["client_id"].as_str().unwrap().to_string();
    let key = EncodingKey::from_rsa_pem(RSA_TEST_KEY.as_bytes()).unwrap();
    let signed = |alg: Algorithm, jti: &str| {
        let mut h = Header::new(alg);
        h.kid = Some("r1".into());
        let claims = json!({"iss": id, "sub": id, "aud": format!("{}/oidc/token", s.base), "jti": jti, "exp": now() + 60, "iat": now()});
        jsonwebtoken::encode(&h, &claims, &key).unwrap()
    };
    let (st, t) = by_assertion(&s, &signed(Algorithm::RS256, "r-1")).await;
    assert_eq!(st, 200, "{t}");
    let seen = introspect(&s, &tax, t["access_token"].as_str().unwrap()).await;
    assert_eq!((seen["active"].as_bool(), seen["sub"].as_str()), (Some(true), Some(id.as_str())), "{seen}");
    assert_eq!(seen["entity_number"], json!(org.entity), "{seen}");
    // The same key under another RSA algorithm than the registered one is refused by name.
    let (st, b) = by_assertion(&s, &signed(Algorithm::PS256, "r-2")).await;
    assert_eq!((st, b["error"].as_str()), (401, Some("invalid_client")), "{b}");
    assert!(b["error_description"].as_str().unwrap_or_default().contains("RS256"), "{b}");
    assert_token_error(
        "a replayed RS256 assertion",
        &by_assertion(&s, &signed(Algorithm::RS256, "r-1")).await,
        401,
        "invalid_client",
    );
});
