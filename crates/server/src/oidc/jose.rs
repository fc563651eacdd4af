//! The provider's JWTs: ID tokens and back-channel logout tokens, ES256 with the signing
//! key's `kid`; and checking an `id_token_hint` against the published keys.

use domain::clock::Timestamp;
use domain::model::oidc::Authentication;
use domain::oidc::has_scope;
use domain::oidc::keys::Signer;
use domain::oidc::tokens::Claims;
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
    // R35: whoever acts for another entity says so, whatever the scopes (RFC 8693 §4.1).
    if let Some(act) = &c.act {
        out.insert("act".into(), json!({ "entity_number": act.entity_number, "sub": act.sub }));
        out.insert("entity_number".into(), json!(c.entity_number));
    }
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
    // R28: never past the end of the assignment the sign-in was permitted under.
    let exp = c.until.map_or(secs(now) + ttl_secs, |end| (secs(now) + ttl_secs).min(secs(end)));
    m.insert("exp".into(), json!(exp));
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
    let header = jsonwebtoken::decode_header(token).ok()?;
    // An ID token, not a logout token or anything else this provider signs.
    if header.typ.as_deref() != Some("JWT") {
        return None;
    }
    let kid = header.kid?;
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

/// A client's registered JWKS for `private_key_jwt`: 1 to 5 P-256 keys, each with a `kid`.
/// Returns it re-serialised, as stored.
pub fn check_client_jwks(value: &Value) -> Result<String, String> {
    let set: jsonwebtoken::jwk::JwkSet =
        serde_json::from_value(value.clone()).map_err(|e| format!("not a JWKS: {e}"))?;
    if set.keys.is_empty() || set.keys.len() > 5 {
        return Err("between 1 and 5 keys".into());
    }
    for k in &set.keys {
        let ec_p256 = matches!(
            &k.algorithm,
            jsonwebtoken::jwk::AlgorithmParameters::EllipticCurve(p)
                if p.curve == jsonwebtoken::jwk::EllipticCurve::P256
        );
        if !ec_p256 || k.common.key_id.as_deref().is_none_or(str::is_empty) {
            return Err("every key must be an EC P-256 public key with a kid".into());
        }
        DecodingKey::from_jwk(k).map_err(|e| format!("unusable key: {e}"))?;
    }
    serde_json::to_string(&set).map_err(|e| e.to_string())
}

/// RFC 7523 §3: a client assertion signed by one of the client's keys, issued by and about
/// the client, for this provider, unexpired and short-lived. Returns its `jti` and `exp`.
pub fn verify_client_assertion(
    assertion: &str,
    client_id: &str,
    client_jwks: &str,
    audiences: &[String],
    now: Timestamp,
) -> Result<(String, Timestamp), String> {
    let header = jsonwebtoken::decode_header(assertion).map_err(|e| format!("malformed assertion: {e}"))?;
    if header.alg != Algorithm::ES256 {
        return Err("the assertion must be signed with ES256".into());
    }
    let set: jsonwebtoken::jwk::JwkSet = serde_json::from_str(client_jwks).map_err(|e| e.to_string())?;
    let jwk = match &header.kid {
        Some(kid) => set.find(kid),
        None if set.keys.len() == 1 => set.keys.first(),
        None => None,
    }
    .ok_or("no registered key matches the assertion's kid")?;
    let key = DecodingKey::from_jwk(jwk).map_err(|e| e.to_string())?;
    assertion_claims(assertion, &key, Algorithm::ES256, client_id, audiences, now)
}

/// R36: a machine credential's assertion, signed with its one registered public JWK by that
/// key's algorithm (ES256 or RS256). `none` and HMAC (a shared secret) are refused by name.
pub fn verify_machine_assertion(
    assertion: &str,
    client_id: &str,
    jwk: &str,
    audiences: &[String],
    now: Timestamp,
) -> Result<(String, Timestamp), String> {
    let claimed_alg = unverified_header(assertion)
        .and_then(|h| h.get("alg").and_then(Value::as_str).map(str::to_string))
        .ok_or("malformed assertion: no JOSE header with an alg")?;
    let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_str(jwk).map_err(|e| e.to_string())?;
    let alg = match &jwk.algorithm {
        jsonwebtoken::jwk::AlgorithmParameters::RSA(_) => Algorithm::RS256,
        _ => Algorithm::ES256,
    };
    let wanted = if alg == Algorithm::RS256 { "RS256" } else { "ES256" };
    if claimed_alg != wanted {
        return Err(format!(
            "the assertion must be signed with {wanted}, the registered key's algorithm (alg {claimed_alg} is refused)"
        ));
    }
    let header = jsonwebtoken::decode_header(assertion).map_err(|e| format!("malformed assertion: {e}"))?;
    if let (Some(kid), Some(registered)) = (&header.kid, &jwk.common.key_id) {
        if kid != registered {
            return Err("the assertion's kid is not the registered key's".into());
        }
    }
    let key = DecodingKey::from_jwk(&jwk).map_err(|e| e.to_string())?;
    assertion_claims(assertion, &key, alg, client_id, audiences, now)
}

/// The claims RFC 7523 §3 asks of a client assertion, once its key is known.
fn assertion_claims(
    assertion: &str,
    key: &DecodingKey,
    alg: Algorithm,
    client_id: &str,
    audiences: &[String],
    now: Timestamp,
) -> Result<(String, Timestamp), String> {
    let mut v = Validation::new(alg);
    v.set_issuer(&[client_id]);
    v.set_audience(audiences);
    v.sub = Some(client_id.to_string());
    v.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
    v.leeway = domain::oidc::clients::ASSERTION_LEEWAY_SECS as u64;
    let claims = jsonwebtoken::decode::<Map<String, Value>>(assertion, key, &v)
        .map_err(|e| format!("assertion refused: {e}"))?
        .claims;
    let exp = claims.get("exp").and_then(Value::as_i64).ok_or("exp is required")?;
    if exp - secs(now) > 600 {
        return Err("the assertion lives longer than 10 minutes".into());
    }
    let jti = claims.get("jti").and_then(Value::as_str).ok_or("jti is required")?;
    Ok((jti.to_string(), Timestamp(exp.saturating_mul(1_000_000))))
}

/// A JWT's JOSE header, before any check.
fn unverified_header(jwt: &str) -> Option<Map<String, Value>> {
    use base64::Engine;
    let header = jwt.split('.').next()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(header).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The `iss` a JWT claims, before any check: only to find which key to check it with.
pub fn unverified_issuer(jwt: &str) -> Option<String> {
    use base64::Engine;
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).ok()?;
    let v: Value = serde_json::from_slice(&bytes).ok()?;
    v.get("iss")?.as_str().map(str::to_string)
}
