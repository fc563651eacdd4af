//! Machine credentials (R36): an entity's own software gets a client id and a secret (shown
//! once) or registers a public JWK, the e-services it may call or the provisioning right,
//! and an end; the entity lists, narrows and deletes them.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use domain::machine_credential_form::MachineCredentialInput;
use domain::model::MachineCredentialRecord;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dto::{rfc3339, rfc3339_opt};
use crate::error::ApiResult;
use crate::extract::{AppJson, AppPath, LoginAuth, ReqCtx};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MachineCredentialBody {
    /// What the software is, for the entity's people (1 to 100 characters).
    pub name: String,
    /// E-service codes it may get tokens for (registered ones, where an e-service requires
    /// registration). May be empty only with `provisioning`.
    pub eservices: Vec<String>,
    /// R33: it may provision the entity's staff logins at `/scim/v2`.
    #[serde(default)]
    pub provisioning: bool,
    /// RFC 3339, or a date (Macau time, the whole day included); at most two years ahead.
    pub valid_until: String,
    /// A public JWK: EC P-256 (ES256) or RSA of 2048 bits or more (RS256). With it the
    /// software authenticates with `private_key_jwt`; without it, it gets a secret.
    #[schema(value_type = Option<Object>)]
    #[serde(default)]
    pub jwk: Option<serde_json::Value>,
}

#[derive(Serialize, ToSchema)]
pub struct MachineCredentialCreated {
    pub client_id: String,
    /// Only for a credential without a JWK, and only in this answer: it is never shown again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    pub credential: MachineCredentialView,
}

#[derive(Serialize, ToSchema)]
pub struct MachineCredentialView {
    pub client_id: String,
    pub name: String,
    pub eservices: Vec<String>,
    pub provisioning: bool,
    pub valid_until: String,
    pub last_used_at: Option<String>,
    pub created_at: String,
    /// `client_secret` (basic or post) or `private_key_jwt`.
    pub auth_method: String,
    /// `ES256` or `RS256`, for a `private_key_jwt` credential.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwk_alg: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MachineCredentialList {
    pub credentials: Vec<MachineCredentialView>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MachineCredentialEservicesBody {
    /// The e-services it may call from now on (replacing the current ones); a token for one
    /// taken away stops at once.
    pub eservices: Vec<String>,
}

pub fn view(c: MachineCredentialRecord) -> MachineCredentialView {
    let jwk_alg = c.jwk.as_deref().and_then(|j| {
        serde_json::from_str::<serde_json::Value>(j).ok().and_then(|v| v["alg"].as_str().map(str::to_string))
    });
    MachineCredentialView {
        client_id: c.client_id,
        name: c.name,
        eservices: c.eservices,
        provisioning: c.provisioning,
        valid_until: rfc3339(c.valid_until),
        last_used_at: rfc3339_opt(c.last_used_at),
        created_at: rfc3339(c.created_at),
        auth_method: c.auth.as_str().to_string(),
        jwk_alg,
    }
}

#[utoipa::path(post, path = "/api/v1/entities/{entity_number}/machine-credentials", tag = "entity",
    security(("bearer" = [])), params(("entity_number" = String, Path)), request_body = MachineCredentialBody,
    responses((status = 201, body = MachineCredentialCreated,
        description = "created by an administrator; the secret, when there is one, is shown only here")))]
pub async fn post_machine_credential(
    State(state): State<AppState>,
    LoginAuth(caller): LoginAuth,
    ReqCtx(ctx): ReqCtx,
    AppPath(entity_number): AppPath<String>,
    AppJson(b): AppJson<MachineCredentialBody>,
) -> ApiResult<(StatusCode, Json<MachineCredentialCreated>)> {
    let admin = caller.admin_of(&entity_number)?;
    let input = MachineCredentialInput {
        name: b.name,
        eservices: b.eservices,
        provisioning: b.provisioning,
        valid_until: b.valid_until,
        // Not an object (a string, a number): the parse names `jwk` as not a JSON object.
        jwk: b.jwk.map(|v| if v.is_object() { v.to_string() } else { "[]".into() }),
    };
    let created = state.services.create_machine_credential(&admin, &ctx, input).await?;
    let body = MachineCredentialCreated {
        client_id: created.credential.client_id.clone(),
        client_secret: created.secret,
        credential: view(created.credential),
    };
    Ok((StatusCode::CREATED, Json(body)))
}

#[utoipa::path(get, path = "/api/v1/entities/{entity_number}/machine-credentials", tag = "entity",
    security(("bearer" = [])), params(("entity_number" = String, Path)), responses(
    (status = 200, body = MachineCredentialList, description = "for the entity account and the administrators")))]
pub async fn get_machine_credentials(
    State(state): State<AppState>,
    LoginAuth(caller): LoginAuth,
    AppPath(entity_number): AppPath<String>,
) -> ApiResult<Json<MachineCredentialList>> {
    let who = caller.overseer_of(&entity_number)?;
    let list = state.services.list_machine_credentials(&who).await?;
    Ok(Json(MachineCredentialList { credentials: list.into_iter().map(view).collect() }))
}

#[utoipa::path(get, path = "/api/v1/entities/{entity_number}/machine-credentials/{client_id}", tag = "entity",
    security(("bearer" = [])), params(("entity_number" = String, Path), ("client_id" = String, Path)), responses(
    (status = 200, body = MachineCredentialView)))]
pub async fn get_machine_credential(
    State(state): State<AppState>,
    LoginAuth(caller): LoginAuth,
    AppPath((entity_number, client_id)): AppPath<(String, String)>,
) -> ApiResult<Json<MachineCredentialView>> {
    let who = caller.overseer_of(&entity_number)?;
    Ok(Json(view(state.services.find_machine_credential(&who, &client_id).await?)))
}

#[utoipa::path(put, path = "/api/v1/entities/{entity_number}/machine-credentials/{client_id}/eservices",
    tag = "entity", security(("bearer" = [])), params(("entity_number" = String, Path), ("client_id" = String, Path)),
    request_body = MachineCredentialEservicesBody, responses(
    (status = 200, body = MachineCredentialView, description = "its e-services replaced; tokens for removed ones stop")))]
pub async fn put_machine_credential_eservices(
    State(state): State<AppState>,
    LoginAuth(caller): LoginAuth,
    ReqCtx(ctx): ReqCtx,
    AppPath((entity_number, client_id)): AppPath<(String, String)>,
    AppJson(b): AppJson<MachineCredentialEservicesBody>,
) -> ApiResult<Json<MachineCredentialView>> {
    let admin = caller.admin_of(&entity_number)?;
    let c = state.services.set_machine_credential_eservices(&admin, &ctx, &client_id, b.eservices).await?;
    Ok(Json(view(c)))
}

#[utoipa::path(delete, path = "/api/v1/entities/{entity_number}/machine-credentials/{client_id}", tag = "entity",
    security(("bearer" = [])), params(("entity_number" = String, Path), ("client_id" = String, Path)), responses(
    (status = 204, description = "deleted; its tokens stop at once")))]
pub async fn delete_machine_credential(
    State(state): State<AppState>,
    LoginAuth(caller): LoginAuth,
    ReqCtx(ctx): ReqCtx,
    AppPath((entity_number, client_id)): AppPath<(String, String)>,
) -> ApiResult<StatusCode> {
    let admin = caller.admin_of(&entity_number)?;
    state.services.delete_machine_credential(&admin, &ctx, &client_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
