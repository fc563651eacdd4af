//! `/scim/v2/Users`: each handler reads the request, calls one of the domain's SCIM
//! services with the provisioning credential, and renders the User with its `ETag`.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::scim::schema::{CORE_USER, EXTENSION_USER};
use domain::scim::{ScimList, ScimUser};
use serde_json::json;

use super::wire::{scim_json, ScimBody, ScimError};
use super::ScimAuth;
use crate::extract::ReqCtx;
use crate::state::AppState;

pub const LIST_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

fn rfc3339(t: domain::clock::Timestamp) -> String {
    let at =
        time::OffsetDateTime::from_unix_timestamp_nanos(t.0 as i128 * 1000).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

fn location(state: &AppState, id: &str) -> String {
    format!("{}/scim/v2/Users/{id}", state.issuer.trim_end_matches('/'))
}

/// A User as SCIM answers it: never the identity document, only its mask.
pub fn user_json(state: &AppState, u: &ScimUser) -> serde_json::Value {
    let mut v = json!({
        "schemas": [CORE_USER, EXTENSION_USER],
        "id": u.id,
        "userName": u.user_name,
        "name": {"formatted": u.name},
        "active": u.active,
        "phoneNumbers": [{"value": u.mobile, "type": "mobile", "primary": true}],
        "meta": {
            "resourceType": "User",
            "created": rfc3339(u.created),
            "lastModified": rfc3339(u.last_modified),
            "location": location(state, &u.id),
            "version": u.version,
        },
    });
    if let Some(e) = &u.external_id {
        v["externalId"] = e.clone().into();
    }
    v[EXTENSION_USER] = match &u.id_number_mask {
        Some(mask) => json!({"idDocumentNumberMask": mask}),
        None => json!({}),
    };
    v
}

fn with_etag(mut res: Response, u: &ScimUser) -> Response {
    if let Ok(v) = HeaderValue::from_str(&u.version) {
        res.headers_mut().insert(header::ETAG, v);
    }
    res
}

fn if_match(headers: &HeaderMap) -> Option<String> {
    headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok()).map(str::to_string)
}

pub async fn post_user(
    State(state): State<AppState>,
    ScimAuth(p): ScimAuth,
    ReqCtx(ctx): ReqCtx,
    ScimBody(body): ScimBody,
) -> Result<Response, ScimError> {
    let u = state.services.scim_create_user(&p, &ctx, &body).await?;
    let mut res = (StatusCode::CREATED, scim_json(&user_json(&state, &u))).into_response();
    if let Ok(v) = HeaderValue::from_str(&location(&state, &u.id)) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(with_etag(res, &u))
}

pub async fn get_user(
    State(state): State<AppState>,
    ScimAuth(p): ScimAuth,
    Path(id): Path<String>,
) -> Result<Response, ScimError> {
    let u = state.services.scim_get_user(&p, &id).await?;
    Ok(with_etag(scim_json(&user_json(&state, &u)), &u))
}

fn int_param(q: &HashMap<String, String>, name: &str) -> Result<Option<i64>, ScimError> {
    let Some((_, raw)) = q.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)) else { return Ok(None) };
    raw.trim().parse::<i64>().map(Some).map_err(|_| ScimError::bad("invalidValue", format!("{name} is an integer")))
}

pub async fn get_users(
    State(state): State<AppState>,
    ScimAuth(p): ScimAuth,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ScimError> {
    let filter = q.iter().find(|(k, _)| k.eq_ignore_ascii_case("filter")).map(|(_, v)| v.as_str());
    if q.keys().any(|k| k.eq_ignore_ascii_case("sortBy")) {
        return Err(ScimError::bad("invalidValue", "sorting is not supported; Users come in creation order"));
    }
    let list =
        state.services.scim_list_users(&p, filter, int_param(&q, "startIndex")?, int_param(&q, "count")?).await?;
    Ok(scim_json(&list_json(&state, &list)))
}

fn list_json(state: &AppState, list: &ScimList) -> serde_json::Value {
    json!({
        "schemas": [LIST_RESPONSE],
        "totalResults": list.total_results,
        "startIndex": list.start_index,
        "itemsPerPage": list.users.len(),
        "Resources": list.users.iter().map(|u| user_json(state, u)).collect::<Vec<_>>(),
    })
}

pub async fn put_user(
    State(state): State<AppState>,
    ScimAuth(p): ScimAuth,
    ReqCtx(ctx): ReqCtx,
    Path(id): Path<String>,
    headers: HeaderMap,
    ScimBody(body): ScimBody,
) -> Result<Response, ScimError> {
    let u = state.services.scim_replace_user(&p, &ctx, &id, if_match(&headers).as_deref(), &body).await?;
    Ok(with_etag(scim_json(&user_json(&state, &u)), &u))
}

pub async fn patch_user(
    State(state): State<AppState>,
    ScimAuth(p): ScimAuth,
    ReqCtx(ctx): ReqCtx,
    Path(id): Path<String>,
    headers: HeaderMap,
    ScimBody(body): ScimBody,
) -> Result<Response, ScimError> {
    let u = state.services.scim_patch_user(&p, &ctx, &id, if_match(&headers).as_deref(), &body).await?;
    Ok(with_etag(scim_json(&user_json(&state, &u)), &u))
}

pub async fn delete_user(
    State(state): State<AppState>,
    ScimAuth(p): ScimAuth,
    ReqCtx(ctx): ReqCtx,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, ScimError> {
    state.services.scim_delete_user(&p, &ctx, &id, if_match(&headers).as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}
