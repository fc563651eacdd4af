//! The token endpoint (RFC 6749 §3.2), userinfo, introspection (RFC 7662) and revocation
//! (RFC 7009). Errors are OAuth's JSON, not problem documents: that is what clients parse.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use domain::model::oidc::{ClientRecord, TokenKind};
use domain::model::{is_machine_client_id, MachineCredentialRecord, Resource};
use domain::oidc::tokens::Issued;
use domain::oidc::{OidcError, OidcResult};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

use super::jose;
use crate::extract::{bearer, ReqCtx};
use crate::state::AppState;

pub fn oauth_error(e: OidcError) -> Response {
    match e {
        OidcError::OAuth { error, description } => {
            let status = match error {
                "invalid_client" => StatusCode::UNAUTHORIZED,
                "invalid_token" | "insufficient_user_authentication" => StatusCode::UNAUTHORIZED,
                _ => StatusCode::BAD_REQUEST,
            };
            let mut res = (status, Json(json!({"error": error, "error_description": description}))).into_response();
            if error == "invalid_client" {
                res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"oidc\""));
            }
            if error == "invalid_token" {
                res.headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer error=\"invalid_token\""));
            }
            // RFC 9470 §3: the challenge names what would do.
            if error == "insufficient_user_authentication" {
                res.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static(
                        "Bearer error=\"insufficient_user_authentication\", error_description=\"advanced authentication is required\", acr_values=\"advanced\"",
                    ),
                );
            }
            res
        }
        // A value the database cannot hold (PostgreSQL refuses NUL in text) came from the
        // request: the request is at fault, not the service.
        OidcError::Service(domain::Error::Store(domain::store::StoreError::InvalidValue(_))) => {
            oauth_error(OidcError::invalid_request("a parameter holds a character that is not allowed"))
        }
        OidcError::Service(e) => {
            tracing::error!(error = %e, "token endpoint failed");
            let status = match e {
                domain::Error::Store(domain::store::StoreError::Unavailable(_)) => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            (status, Json(json!({"error": "server_error", "error_description": "the service failed; try again"})))
                .into_response()
        }
    }
}

/// The form body of an OAuth request (RFC 6749 §3.2): `application/x-www-form-urlencoded`,
/// each parameter at most once. Errors are OAuth's, not axum's.
fn oauth_form(headers: &HeaderMap, body: &Bytes) -> OidcResult<HashMap<String, String>> {
    let is_form = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
        v.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("application/x-www-form-urlencoded")
    });
    if !is_form {
        return Err(OidcError::invalid_request("the body must be application/x-www-form-urlencoded"));
    }
    let mut out = HashMap::new();
    for (k, v) in form_urlencoded::parse(body) {
        if out.insert(k.to_string(), v.into_owned()).is_some() {
            return Err(OidcError::invalid_request(format!("{k} was given twice")));
        }
    }
    Ok(out)
}

fn percent_decode(s: &str) -> String {
    form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default()
}

/// How a request says which client it is and proves it.
enum Proof {
    Secret {
        client_id: String,
        secret: String,
    },
    /// `private_key_jwt`: the client id (given, or the assertion's unverified `iss`) and the JWT.
    Assertion {
        client_id: String,
        assertion: String,
    },
}

impl Proof {
    fn client_id(&self) -> &str {
        match self {
            Proof::Secret { client_id, .. } | Proof::Assertion { client_id, .. } => client_id,
        }
    }
}

/// `client_secret_basic` (RFC 6749 §2.3.1: both parts form-encoded), `client_secret_post` or
/// `private_key_jwt`; never two.
fn client_proof(headers: &HeaderMap, form: &HashMap<String, String>) -> OidcResult<Proof> {
    if let Some(kind) = form.get("client_assertion_type") {
        if kind != JWT_BEARER {
            return Err(OidcError::invalid_request(format!("client_assertion_type must be {JWT_BEARER}")));
        }
        if headers.contains_key(header::AUTHORIZATION) || form.contains_key("client_secret") {
            return Err(OidcError::invalid_request("use one client authentication method, not two"));
        }
        let assertion = field(form, "client_assertion")?.to_string();
        // The issuer claim names the client; it is only trusted once the signature checks.
        let claimed = jose::unverified_issuer(&assertion);
        let client_id = form.get("client_id").cloned().or(claimed).ok_or_else(OidcError::invalid_client)?;
        return Ok(Proof::Assertion { client_id, assertion });
    }
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
        .map(|(_, b64)| b64.trim().to_string());
    let posted = (form.get("client_id"), form.get("client_secret"));
    let (client_id, secret) = match (basic, posted) {
        (Some(_), (_, Some(_))) => {
            return Err(OidcError::invalid_request("use one client authentication method, not two"))
        }
        (Some(b64), (posted_id, None)) => {
            let decoded = STANDARD.decode(b64).ok().and_then(|b| String::from_utf8(b).ok());
            let Some((id, secret)) = decoded.as_deref().and_then(|d| d.split_once(':')) else {
                return Err(OidcError::invalid_client());
            };
            let id = percent_decode(id);
            if posted_id.is_some_and(|p| *p != id) {
                return Err(OidcError::invalid_client());
            }
            (id, percent_decode(secret))
        }
        (None, (Some(id), Some(secret))) => (id.clone(), secret.clone()),
        (None, _) => return Err(OidcError::invalid_client()),
    };
    Ok(Proof::Secret { client_id, secret })
}

/// An e-service's client, authenticated.
pub async fn authenticate_client(
    state: &AppState,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> OidcResult<ClientRecord> {
    authenticate_proof(state, client_proof(headers, form)?).await
}

async fn authenticate_proof(state: &AppState, proof: Proof) -> OidcResult<ClientRecord> {
    match proof {
        Proof::Secret { client_id, secret } => state.services.authenticate_client(&client_id, &secret).await,
        Proof::Assertion { client_id, assertion } => {
            let client = state.services.find_client(&client_id).await?.ok_or_else(OidcError::invalid_client)?;
            let jwks = client.jwks.clone().ok_or_else(OidcError::invalid_client)?;
            let now = state.services.clock.now();
            let (jti, exp) = jose::verify_client_assertion(&assertion, &client_id, &jwks, &audiences(state), now)
                .map_err(|why| OidcError::oauth("invalid_client", why))?;
            state.services.accept_client_assertion(client, &jti, exp).await
        }
    }
}

/// What a client assertion's `aud` may name: the issuer or the token endpoint.
fn audiences(state: &AppState) -> [String; 2] {
    let issuer = state.issuer.to_string();
    [issuer.clone(), format!("{issuer}/oidc/token")]
}

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// R36: a machine credential, authenticated by its secret or its `private_key_jwt` assertion.
async fn authenticate_machine(state: &AppState, proof: Proof) -> OidcResult<MachineCredentialRecord> {
    match proof {
        Proof::Secret { client_id, secret } => state.services.authenticate_machine_secret(&client_id, &secret).await,
        Proof::Assertion { client_id, assertion } => {
            let c = state.services.machine_credential_for_assertion(&client_id).await?;
            let jwk = c.jwk.clone().ok_or_else(OidcError::invalid_client)?;
            let now = state.services.clock.now();
            let (jti, exp) = jose::verify_machine_assertion(&assertion, &client_id, &jwk, &audiences(state), now)
                .map_err(|why| OidcError::oauth("invalid_client", why))?;
            state.services.accept_machine_assertion(c, &jti, exp).await
        }
    }
}

/// RFC 8707's `resource`: an e-service's client id, or the provisioning API's URL.
fn machine_resource(state: &AppState, form: &HashMap<String, String>) -> OidcResult<Option<Resource>> {
    let Some(raw) = form.get("resource").filter(|r| !r.is_empty()) else { return Ok(None) };
    if *raw == format!("{}/scim/v2", state.issuer) {
        return Ok(Some(Resource::Provisioning));
    }
    Ok(Some(Resource::EService(raw.clone())))
}

/// The token request of a machine credential: `client_credentials` for one resource.
async fn machine_token(
    state: &AppState,
    ctx: &domain::services::Ctx,
    form: &HashMap<String, String>,
    proof: Proof,
) -> OidcResult<Response> {
    let credential = authenticate_machine(state, proof).await?;
    if field(form, "grant_type")? != "client_credentials" {
        return Err(OidcError::oauth(
            "unauthorized_client",
            "a machine credential uses grant_type=client_credentials only",
        ));
    }
    let resource = machine_resource(state, form)?;
    let issued = state.services.machine_token(ctx, &credential, resource).await?;
    let mut res = Json(json!({
        "access_token": issued.access_token,
        "token_type": "Bearer",
        "expires_in": issued.expires_in,
    }))
    .into_response();
    res.headers_mut().insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    Ok(res)
}

/// The `aud` of a machine token as introspection shows it.
fn audience(state: &AppState, r: &Resource) -> String {
    match r {
        Resource::EService(code) => code.clone(),
        Resource::Provisioning => format!("{}/scim/v2", state.issuer),
    }
}

fn field<'a>(form: &'a HashMap<String, String>, name: &str) -> OidcResult<&'a str> {
    form.get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| OidcError::invalid_request(format!("{name} is required")))
}

async fn token_response(state: &AppState, issued: Issued) -> Result<Response, OidcError> {
    let mut body = Map::new();
    body.insert("access_token".into(), json!(issued.access_token));
    body.insert("token_type".into(), json!("Bearer"));
    body.insert("expires_in".into(), json!(issued.expires_in));
    body.insert("scope".into(), json!(issued.scope));
    if let Some(r) = issued.refresh_token {
        body.insert("refresh_token".into(), json!(r));
    }
    if let Some(claims) = issued.id_token {
        let now = state.services.clock.now();
        let signer = state.services.signer().await?;
        let jwt = jose::id_token(&signer, &state.issuer, &claims, now, state.services.policy.id_token_ttl_secs)
            .map_err(|e| OidcError::Service(domain::Error::Internal(e)))?;
        body.insert("id_token".into(), json!(jwt));
    }
    let mut res = Json(Value::Object(body)).into_response();
    res.headers_mut().insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    Ok(res)
}

pub async fn post_token(
    State(state): State<AppState>,
    ReqCtx(ctx): ReqCtx,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = async {
        let form = oauth_form(&headers, &body)?;
        let proof = client_proof(&headers, &form)?;
        if is_machine_client_id(proof.client_id()) {
            return machine_token(&state, &ctx, &form, proof).await;
        }
        let client = authenticate_proof(&state, proof).await?;
        let issued = match field(&form, "grant_type")? {
            "authorization_code" => {
                let code = field(&form, "code")?;
                let redirect_uri = field(&form, "redirect_uri")?;
                let verifier = form.get("code_verifier").map(String::as_str).unwrap_or_default();
                if verifier.is_empty() {
                    return Err(OidcError::invalid_grant("code_verifier is required (PKCE)"));
                }
                state.services.exchange_code(&ctx, &client, code, redirect_uri, verifier).await?
            }
            "refresh_token" => state.services.refresh(&ctx, &client, field(&form, "refresh_token")?).await?,
            "client_credentials" => {
                // Its own task: a request leading a group commit must finish it even when
                // its client hangs up, since others' tokens ride in it.
                let services = state.services.clone();
                tokio::spawn(async move { services.client_credentials(&ctx, &client).await })
                    .await
                    .map_err(|e| OidcError::Service(domain::Error::Internal(e.to_string())))??
            }
            _ => {
                return Err(OidcError::oauth(
                    "unsupported_grant_type",
                    "grant_type must be authorization_code, refresh_token or client_credentials",
                ))
            }
        };
        token_response(&state, issued).await
    }
    .await;
    result.unwrap_or_else(oauth_error)
}

pub async fn post_introspect(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let result = async {
        let form = oauth_form(&headers, &body)?;
        let client = authenticate_client(&state, &headers, &form).await?;
        let token = field(&form, "token")?;
        let Some(i) = state.services.introspect(&client, token).await? else {
            return Ok(Json(json!({"active": false})).into_response());
        };
        let mut m = Map::new();
        m.insert("active".into(), json!(true));
        m.insert("iss".into(), json!(state.issuer.as_ref()));
        m.insert("client_id".into(), json!(i.client_id));
        m.insert("scope".into(), json!(i.scope));
        m.insert("iat".into(), json!(jose::secs(i.issued_at)));
        m.insert("exp".into(), json!(jose::secs(i.expires_at)));
        m.insert(
            "token_type".into(),
            json!(match i.kind {
                TokenKind::Access => "Bearer",
                TokenKind::Refresh => "refresh_token",
            }),
        );
        if let Some(mc) = &i.machine {
            m.insert("entity_number".into(), json!(mc.entity_number));
            m.insert("sub".into(), json!(mc.sub));
            m.insert("aud".into(), json!(audience(&state, &mc.aud)));
        }
        if let Some(c) = &i.claims {
            jose::scoped_claims(&mut m, c);
            m.insert("acr".into(), json!(c.auth.acr));
            m.insert("auth_time".into(), json!(jose::secs(c.auth.auth_time)));
        }
        Ok(Json(Value::Object(m)).into_response())
    }
    .await;
    result.unwrap_or_else(oauth_error)
}

pub async fn post_revoke(
    State(state): State<AppState>,
    ReqCtx(ctx): ReqCtx,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = async {
        let form = oauth_form(&headers, &body)?;
        let client = authenticate_client(&state, &headers, &form).await?;
        let token = field(&form, "token")?;
        state.services.revoke_token(&ctx, &client, token).await?;
        Ok(StatusCode::OK.into_response())
    }
    .await;
    result.unwrap_or_else(oauth_error)
}

pub async fn userinfo(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(token) = bearer(&headers) else {
        return oauth_error(OidcError::oauth("invalid_token", "a bearer access token is required"));
    };
    match state.services.userinfo(token).await {
        Ok(c) => {
            let mut m = Map::new();
            jose::scoped_claims(&mut m, &c);
            Json(Value::Object(m)).into_response()
        }
        Err(e) => oauth_error(e),
    }
}
