//! Our own extractors, so every malformed request answers in our error format: JSON bodies
//! (with the failing field's path), query strings, the signed-in principal, and the
//! client's address for the audit log and throttling.

use domain::Code;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use domain::access::{Caller, Operator, Principal};
use domain::services::Ctx;
use domain::FieldError;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::state::AppState;

/// A JSON body: `application/json`, at most the router's body limit, every field known.
pub struct AppJson<T>(pub T);

fn field_of(path: &str, message: &str) -> String {
    // serde names missing and unknown fields in its message: `missing field `mobile``.
    let named = ["missing field `", "unknown field `"]
        .iter()
        .find_map(|p| message.find(p).map(|i| &message[i + p.len()..]))
        .and_then(|rest| rest.split('`').next());
    match (path, named) {
        (".", Some(n)) | ("", Some(n)) => n.to_string(),
        (p, Some(n)) if !p.ends_with(n) => format!("{p}.{n}"),
        (".", None) | ("", None) => "body".to_string(),
        (p, _) => p.to_string(),
    }
}

/// The field error code for serde's message.
fn serde_code(message: &str) -> Code {
    if message.starts_with("missing field") {
        Code::Required
    } else if message.starts_with("unknown field") {
        Code::UnknownField
    } else if message.starts_with("invalid type") {
        Code::InvalidType
    } else {
        Code::Invalid
    }
}

/// Parses in two steps, so a body that is not JSON at all is told apart from JSON of the
/// wrong shape, whatever comes first in it.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        let message = e.to_string();
        ApiError {
            errors: vec![FieldError::new("body", Code::MalformedJson, message.clone())],
            ..ApiError::new(StatusCode::BAD_REQUEST, "malformed_json", "Malformed JSON", message)
        }
    })?;
    serde_path_to_error::deserialize::<_, T>(value).map_err(|err| {
        let path = err.path().to_string();
        let message = err.into_inner().to_string();
        ApiError::validation(vec![FieldError::new(field_of(&path, &message), serde_code(&message), message)])
    })
}

/// The body, within the route's limit (`state::body_limit_of`).
async fn read_body<S: Send + Sync>(req: Request, state: &S) -> Result<axum::body::Bytes, ApiError> {
    let limit = crate::state::body_limit_of(req.uri().path());
    axum::body::Bytes::from_request(req, state).await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "Payload too large",
                format!("the body is larger than {} KiB", limit / 1024),
            )
        } else {
            ApiError::new(StatusCode::BAD_REQUEST, "malformed_body", "Malformed body", e.body_text())
        }
    })
}

/// The media type of the request's body, lower case, without its parameters.
fn media_type(req: &Request) -> String {
    let v = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    v.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

/// A `text/csv` body (R32's file), as bytes: the file's own parse reads it.
pub struct CsvBody(pub axum::body::Bytes);

impl<S: Send + Sync> FromRequest<S> for CsvBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if media_type(&req) != "text/csv" {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Unsupported media type",
                "send the file as text/csv",
            ));
        }
        read_body(req, state).await.map(CsvBody)
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for AppJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let mime = media_type(&req);
        let is_json = mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"));
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Unsupported media type",
                "send the body as application/json",
            ));
        }
        let bytes = read_body(req, state).await?;
        parse_json(&bytes).map(AppJson)
    }
}

/// A query string parsed into `T`; errors name the parameter.
pub struct AppQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for AppQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(q.as_bytes()));
        serde_path_to_error::deserialize(de).map(AppQuery).map_err(|err| {
            let path = err.path().to_string();
            let message = err.into_inner().to_string();
            ApiError::validation(vec![FieldError::new(field_of(&path, &message), serde_code(&message), message)])
        })
    }
}

/// Path parameters; a path that does not decode answers in our error format too.
pub struct AppPath<T>(pub T);

impl<T, S> FromRequestParts<S> for AppPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(AppPath(v)),
            Err(e) => Err(ApiError::new(StatusCode::BAD_REQUEST, "invalid_path", "Invalid path", e.body_text())),
        }
    }
}

/// The request's context: its source address, for the audit log and per-source throttling.
/// Behind a trusted load balancer it is the right-most `X-Forwarded-For` hop that is not
/// itself a trusted proxy; a header from anyone else is ignored, so it cannot be forged.
pub struct ReqCtx(pub Ctx);

impl FromRequestParts<AppState> for ReqCtx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let Some(peer) = peer else { return Ok(ReqCtx(Ctx::new("unknown"))) };
        let trusted = &state.trusted_proxies;
        if !trusted.contains(&peer) {
            return Ok(ReqCtx(Ctx::new(peer.to_string())));
        }
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|hop| hop.trim().parse::<std::net::IpAddr>().ok())
            .collect::<Vec<_>>();
        let client = forwarded.into_iter().rev().find(|ip| !trusted.contains(ip)).unwrap_or(peer);
        Ok(ReqCtx(Ctx::new(client.to_string())))
    }
}

/// The token of an `Authorization: Bearer …` header (RFC 6750 §2.1).
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

/// Whoever the bearer token belongs to.
pub struct Auth(pub Principal);

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer(&parts.headers).ok_or_else(|| ApiError::from(domain::Error::Unauthenticated))?;
        Ok(Auth(state.services.authenticate(token).await?))
    }
}

/// A signed-in login of an entity (not an operator).
pub struct LoginAuth(pub Caller);

impl FromRequestParts<AppState> for LoginAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match Auth::from_request_parts(parts, state).await?.0 {
            Principal::Login(c) => Ok(LoginAuth(c)),
            Principal::Operator(_) => Err(domain::Error::Forbidden.into()),
        }
    }
}

/// A signed-in counter operator.
pub struct OperatorAuth(pub Operator);

impl FromRequestParts<AppState> for OperatorAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match Auth::from_request_parts(parts, state).await?.0 {
            Principal::Operator(o) => Ok(OperatorAuth(o)),
            Principal::Login(_) => Err(domain::Error::Forbidden.into()),
        }
    }
}
