//! `private_key_jwt` (RFC 7523, OpenID Connect Core §9): an e-service registered with its
//! public keys authenticates with a signed assertion instead of a secret; each assertion is
//! single use, for this provider only, and short-lived.

mod support;

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use p256::ecdsa::SigningKey;
use p256::pkcs8::EncodePrivateKey;
use serde_json::{json, Value};
use support::*;

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

struct ClientKey {
    der: Vec<u8>,
    jwk: Value,
}

fn client_key(kid: &str) -> ClientKey {
    use base64::Engine;
    let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    let sk = SigningKey::random(&mut rand::rngs::OsRng);
    let point = sk.verifying_key().to_encoded_point(false);
    ClientKey {
        der: sk.to_pkcs8_der().unwrap().as_bytes().to_vec(),
        jwk: json!({"kty": "EC", "crv": "P-256", "kid": kid, "x": b64(point.x().unwrap()), "y": b64(point.y().unwrap())}),
    }
}

fn assertion(key: &ClientKey, kid: &str, claims: Value) -> String {
    let mut h = Header::new(Algorithm::ES256);
    h.kid = Some(kid.into());
    jsonwebtoken::encode(&h, &claims, &EncodingKey::from_ec_der(&key.der)).unwrap()
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

async fn token_with(s: &Server, client_assertion: &str) -> (u16, Value) {
    let res = s
        .http
        .post(format!("{}/oidc/token", s.base))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_assertion_type", JWT_BEARER),
            ("client_assertion", client_assertion),
        ])
        .send()
        .await
        .unwrap();
    let st = res.status().as_u16();
    (st, res.json().await.unwrap_or(Value::Null))
}

on_both_backends!(oidc_private_key_jwt_clients_sign_single_use_assertions, |s: Server| async move {
    let op = s.operator_token().await;
    let key = client_key("k1");
    let body = json!({
        "code": "dsi-signed", "names": {"zh": "簽署", "pt": "Assinado", "en": "Signed"},
        "department": "DSI", "assurance": "basic", "requires_registration": false,
        "oidc": {"redirect_uris": ["https://signed.example.mo/cb"], "jwks": {"keys": [key.jwk.clone()]}},
    });
    let (st, b) = s.call("POST", "/counter/eservices", Some(&op), Some(body)).await;
    assert_eq!(st, 201, "{b}");
    assert_eq!(b["client_id"], "dsi-signed");
    assert!(b.get("client_secret").is_none(), "a key-registered client has no secret: {b}");

    let claims = |jti: &str, aud: &str, exp: i64| json!({"iss": "dsi-signed", "sub": "dsi-signed", "aud": aud, "jti": jti, "exp": exp, "iat": now()});
    let good = assertion(&key, "k1", claims("j-1", &format!("{}/oidc/token", s.base), now() + 60));
    let (st, b) = token_with(&s, &good).await;
    assert_eq!(st, 200, "{b}");
    assert!(b["access_token"].is_string());

    let (st, b) = token_with(&s, &good).await;
    assert_eq!((st, b["error"].as_str()), (401, Some("invalid_client")), "a replayed assertion: {b}");

    let other_aud = assertion(&key, "k1", claims("j-2", "https://elsewhere.example", now() + 60));
    assert_eq!(token_with(&s, &other_aud).await.0, 401, "an assertion for another audience");
    let expired = assertion(&key, "k1", claims("j-3", &s.base, now() - 120));
    assert_eq!(token_with(&s, &expired).await.0, 401, "an expired assertion");
    let too_long = assertion(&key, "k1", claims("j-4", &s.base, now() + 3600));
    assert_eq!(token_with(&s, &too_long).await.0, 401, "an assertion living an hour");
    let stranger = client_key("k1");
    let forged = assertion(&stranger, "k1", claims("j-5", &s.base, now() + 60));
    assert_eq!(token_with(&s, &forged).await.0, 401, "signed by a key the client did not register");
    let fine = assertion(&key, "k1", claims("j-6", &s.base, now() + 60));
    assert_eq!(token_with(&s, &fine).await.0, 200, "the issuer itself is an accepted audience");

    // No secret to rotate, and a bad key set is refused naming the field.
    let (st, b) = s.call("POST", "/counter/eservices/dsi-signed/client-secret", Some(&op), None).await;
    assert_eq!((st, b["code"].as_str()), (409, Some("client_uses_private_key_jwt")), "{b}");
    let bad = json!({
        "code": "dsi-bad", "names": {"zh": "壞", "pt": "Mau", "en": "Bad"},
        "department": "DSI", "assurance": "basic", "requires_registration": false,
        "oidc": {"redirect_uris": ["https://bad.example.mo/cb"], "jwks": {"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}},
    });
    let (st, b) = s.call("POST", "/counter/eservices", Some(&op), Some(bad)).await;
    assert_eq!(st, 422, "{b}");
    assert_eq!(b["errors"][0]["field"], "oidc.jwks", "{b}");
});
