//! The provider's JWTs: ID tokens and back-channel logout tokens, ES256 with the signing
//! key's `kid`; and checking an `id_token_hint` against the published keys.

use domain::clock::Timestamp;
use domain::oidc::keys::Signer;
use domain::oidc::tokens::Claims;
use domain::oidc::{has_scope, model::Authentication};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{json, Map, Value};

pub const BACKCHANNEL_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

pub fn secs(t: Timestamp) -> i64 {
    t.0.div_euclid(1_000_000)
}

fn sign(signer: &Signer, typ: &str, claims: &Value) -> Result<String, String> {
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(signer.kid.clone());
    header.typ = Some(typ.to_string());
    let key = EncodingKey::from_ec_der(&signer.pkcs8_der);
    jsonwebtoken::encode(&header, claims, &key).map_err(|e| format!("signing: {e}"))
}

fn auth_claims(out: &mut Map<String, Value>, auth: &Authentication) {
    out.insert("auth_time".into(), json!(secs(auth.auth_time)));
    out.insert("acr".into(), json!(auth.acr));
    out.insert("amr".into(), json!(auth.amr.split(' ').filter(|m| !m.is_empty()).collect::<Vec<_>>()));
}

/// The claims the scopes grant: `profile` → name, locale; `entity` → the entity's.
pub fn scoped_claims(out: &mut Map<String, Value>, c: &Claims) {
    out.insert("sub".into(), json!(c.sub));
    if has_scope(&c.scope, "profile") {
        out.insert("name".into(), json!(c.name));
        out.insert("locale".into(), json!(c.auth.locale));
    }
    if has_scope(&c.scope, "entity") {
        out.insert("entity_number".into(), json!(c.entity_number));
        out.insert("entity_name".into(), json!(c.entity_name));
        out.insert("login_kind".into(), json!(c.login_kind));
    }
}

pub fn id_token(signer: &Signer, issuer: &str, c: &Claims, now: Timestamp, ttl_secs: i64) -> Result<String, String> {
    let mut m = Map::new();
    m.insert("iss".into(), json!(issuer));
    m.insert("aud".into(), json!(c.client_id));
    m.insert("azp".into(), json!(c.client_id));
    m.insert("iat".into(), json!(secs(now)));
    m.insert("exp".into(), json!(secs(now) + ttl_secs));
    if let Some(n) = &c.nonce {
        m.insert("nonce".into(), json!(n));
    }
    if let Some(sid) = &c.sid {
        m.insert("sid".into(), json!(sid));
    }
    auth_claims(&mut m, &c.auth);
    scoped_claims(&mut m, c);
    sign(signer, "JWT", &Value::Object(m))
}

/// OpenID Connect Back-Channel Logout 1.0 §2.4.
pub fn logout_token(
    signer: &Signer,
    issuer: &str,
    client_id: &str,
    sub: &str,
    sid: Option<&str>,
    now: Timestamp,
) -> Result<String, String> {
    let mut m = Map::new();
    m.insert("iss".into(), json!(issuer));
    m.insert("aud".into(), json!(client_id));
    m.insert("iat".into(), json!(secs(now)));
    m.insert("exp".into(), json!(secs(now) + 120));
    m.insert("jti".into(), json!(uuid::Uuid::new_v4().to_string()));
    m.insert("sub".into(), json!(sub));
    if let Some(sid) = sid {
        m.insert("sid".into(), json!(sid));
    }
    m.insert("events".into(), json!({ BACKCHANNEL_EVENT: {} }));
    sign(signer, "logout+jwt", &Value::Object(m))
}

/// The claims of an ID token this provider signed with a published key, expired or not
/// (an `id_token_hint` may be old); `None` when it is not ours.
pub fn verify_hint(token: &str, issuer: &str, published: &[String]) -> Option<Map<String, Value>> {
    let kid = jsonwebtoken::decode_header(token).ok()?.kid?;
    let jwk_text = published.iter().find(|j| {
        serde_json::from_str::<Value>(j).ok().and_then(|v| v["kid"].as_str().map(|k| k == kid)).unwrap_or(false)
    })?;
    let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_str(jwk_text).ok()?;
    let key = DecodingKey::from_jwk(&jwk).ok()?;
    let mut v = Validation::new(Algorithm::ES256);
    v.validate_exp = false;
    v.validate_aud = false;
    v.required_spec_claims.clear();
    v.set_issuer(&[issuer]);
    jsonwebtoken::decode::<Map<String, Value>>(token, &key, &v).ok().map(|d| d.claims)
}
