//! SCIM's wire format: `application/scim+json` bodies read into the domain's `Value` (a key
//! repeated in any case is refused, as SCIM names are case-insensitive), errors in SCIM's
//! shape (RFC 7644 §3.12), and the domain's errors mapped onto them exhaustively.

use std::fmt;

use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::scim::Value;
use domain::store::StoreError;
use domain::{Code, Error};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

pub const SCIM_JSON: &str = "application/scim+json";
pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// A SCIM error answer: `scimType` only where RFC 7644 Table 9 has one.
#[derive(Debug)]
pub struct ScimError {
    pub status: StatusCode,
    pub scim_type: Option<&'static str>,
    pub detail: String,
}

impl ScimError {
    pub fn new(status: StatusCode, scim_type: Option<&'static str>, detail: impl Into<String>) -> Self {
        ScimError { status, scim_type, detail: detail.into() }
    }
    pub fn bad(scim_type: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, Some(scim_type), detail)
    }
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, None, "no such resource")
    }
}

impl IntoResponse for ScimError {
    fn into_response(self) -> Response {
        let mut body = serde_json::json!({
            "schemas": [ERROR_SCHEMA],
            "status": self.status.as_u16().to_string(),
            "detail": self.detail,
        });
        if let Some(t) = self.scim_type {
            body["scimType"] = t.into();
        }
        let mut res = (self.status, scim_json(&body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"scim\""));
        }
        res
    }
}

/// A body as `application/scim+json`.
pub fn scim_json(body: &serde_json::Value) -> Response {
    let mut res = axum::Json(body).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(SCIM_JSON));
    res
}

fn scim_type_of(code: Code) -> &'static str {
    match code {
        Code::InvalidFilter => "invalidFilter",
        Code::InvalidPath => "invalidPath",
        Code::NoTarget => "noTarget",
        Code::Immutable => "mutability",
        Code::InvalidFormat | Code::MalformedJson => "invalidSyntax",
        _ => "invalidValue",
    }
}

impl From<Error> for ScimError {
    fn from(e: Error) -> Self {
        use StatusCode as S;
        match e {
            Error::Validation(errors) => {
                let scim_type = errors.first().map(|e| scim_type_of(e.code)).unwrap_or("invalidValue");
                let detail = errors
                    .iter()
                    .map(|e| if e.field.is_empty() { e.message.clone() } else { format!("{}: {}", e.field, e.message) })
                    .collect::<Vec<_>>()
                    .join("; ");
                ScimError::bad(scim_type, detail)
            }
            Error::Conflict { code: Code::VersionMismatch, message } => {
                ScimError::new(S::PRECONDITION_FAILED, None, message)
            }
            Error::Conflict { code: code @ (Code::ExternalIdTaken | Code::PersonHasLogin), message } => {
                ScimError::new(S::CONFLICT, Some("uniqueness"), format!("{code}: {message}"))
            }
            Error::Conflict { code, message } => ScimError::new(S::CONFLICT, None, format!("{code}: {message}")),
            Error::Refused { code, message } => ScimError::new(S::FORBIDDEN, None, format!("{code}: {message}")),
            Error::NotFound => ScimError::not_found(),
            Error::Unauthenticated | Error::InvalidCredentials | Error::InvalidCode | Error::PasswordLocked => {
                ScimError::new(S::UNAUTHORIZED, None, "a provisioning credential's access token is required")
            }
            Error::Forbidden => ScimError::new(S::FORBIDDEN, None, "this credential may not do this"),
            Error::TooManyAttempts { .. } => ScimError::new(S::TOO_MANY_REQUESTS, None, "too many requests"),
            Error::Busy { .. } | Error::Store(StoreError::Unavailable(_)) => {
                ScimError::new(S::SERVICE_UNAVAILABLE, None, "the service cannot answer now; try again shortly")
            }
            Error::Store(StoreError::InvalidValue(_)) => ScimError::bad("invalidValue", "a value was refused"),
            Error::Store(StoreError::Conflict(_)) => {
                ScimError::new(S::CONFLICT, Some("uniqueness"), "a value that must be unique is taken")
            }
            Error::Store(StoreError::Database(cause)) | Error::Internal(cause) => {
                tracing::error!(%cause, "SCIM request failed");
                ScimError::new(S::INTERNAL_SERVER_ERROR, None, "the server could not complete the request")
            }
        }
    }
}

/// A SCIM request body, read into the domain's `Value`.
pub struct ScimBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for ScimBody {
    type Rejection = ScimError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                let mime = v.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
                mime == SCIM_JSON || mime == "application/json"
            })
            .unwrap_or(false);
        if !json {
            return Err(ScimError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                None,
                "send the body as application/scim+json",
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ScimError::new(StatusCode::PAYLOAD_TOO_LARGE, None, "the body is larger than 64 KiB")
            } else {
                ScimError::bad("invalidSyntax", e.body_text())
            }
        })?;
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        let value = ScimValue::deserialize(&mut de)
            .and_then(|v| de.end().map(|_| v))
            .map_err(|e| ScimError::bad("invalidSyntax", e.to_string()))?;
        Ok(ScimBody(value.0))
    }
}

/// The domain's `Value` read straight from JSON, refusing a member name given twice.
struct ScimValue(Value);

impl<'de> Deserialize<'de> for ScimValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor).map(ScimValue)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Number(n.to_string()))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Number(n.to_string()))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        Ok(Value::Number(n.to_string()))
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_string()))
    }
    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(ScimValue(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members: Vec<(String, Value)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if members.iter().any(|(k, _)| k.eq_ignore_ascii_case(&key)) {
                return Err(de::Error::custom(format!("the attribute `{key}` is given twice")));
            }
            let ScimValue(v) = map.next_value()?;
            members.push((key, v));
        }
        Ok(Value::Object(members))
    }
}
