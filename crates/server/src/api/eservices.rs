//! The e-service catalogue (operators) and entities' registrations with e-services (R19).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use domain::eservice_form::EServiceInput;
use domain::model::EServiceRecord;
use domain::oidc::clients::{ClientInput, Registrar};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};
use crate::extract::{AppJson, AppPath, LoginAuth, OperatorAuth, ReqCtx};
use crate::state::AppState;
use domain::FieldError;

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NamesBody {
    pub zh: String,
    pub pt: String,
    pub en: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EServiceBody {
    pub code: String,
    pub names: NamesBody,
    pub department: String,
    /// `basic` or `advanced`.
    pub assurance: String,
    pub requires_registration: bool,
    /// R31: an assignment to it takes effect only when a second administrator of the
    /// entity approves it.
    #[serde(default)]
    pub four_eyes: bool,
    /// R34: entities may act for others on it under a mandate.
    #[serde(default)]
    pub allows_intermediaries: bool,
    /// R30: how often an entity reviews who may use it, 30 to 180 days (default 180).
    #[serde(default)]
    pub review_days: Option<i64>,
    /// Registers the e-service as an OpenID Connect client too; the answer then carries
    /// its `client_id` and `client_secret` (shown only once).
    #[serde(default)]
    pub oidc: Option<ClientBody>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientBody {
    /// Exact URIs: `https`, or `http` on a loopback host.
    pub redirect_uris: Vec<String>,
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    #[serde(default)]
    pub backchannel_logout_uri: Option<String>,
    /// For `private_key_jwt` (RFC 7523): the client's public keys (EC P-256, each with a
    /// `kid`). The client then gets no secret.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub jwks: Option<serde_json::Value>,
}

/// A client body as the domain takes it; the JWKS is checked here, where JSON is known.
fn client_input(c: ClientBody) -> Result<ClientInput, ApiError> {
    let jwks =
        match &c.jwks {
            None => None,
            Some(v) => Some(crate::oidc::jose::check_client_jwks(v).map_err(|why| {
                ApiError::validation(vec![FieldError::new("oidc.jwks", domain::Code::InvalidJwks, why)])
            })?),
        };
    Ok(ClientInput {
        redirect_uris: c.redirect_uris,
        post_logout_redirect_uris: c.post_logout_redirect_uris,
        backchannel_logout_uri: c.backchannel_logout_uri,
        jwks,
    })
}

#[derive(Serialize, ToSchema)]
pub struct ClientView {
    pub client_id: String,
    /// Only when this call made a secret: a new secret client, or one switched from keys.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub backchannel_logout_uri: Option<String>,
    /// `client_secret` or `private_key_jwt`.
    pub token_endpoint_auth_method: String,
}

#[utoipa::path(put, path = "/api/v1/counter/eservices/{code}/client", tag = "counter", security(("bearer" = [])),
    params(("code" = String, Path)), request_body = ClientBody, responses(
    (status = 201, body = ClientView, description = "the e-service became a client"),
    (status = 200, body = ClientView, description = "its client registration was replaced")))]
pub async fn put_client(
    State(state): State<AppState>,
    OperatorAuth(op): OperatorAuth,
    ReqCtx(ctx): ReqCtx,
    AppPath(code): AppPath<String>,
    AppJson(b): AppJson<ClientBody>,
) -> ApiResult<(StatusCode, Json<ClientView>)> {
    let input = client_input(b)?;
    let (c, secret, created) = state.services.set_client(Registrar::Operator(&op), &ctx, &code, input).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((
        status,
        Json(ClientView {
            client_id: c.client_id,
            client_secret: secret,
            redirect_uris: c.redirect_uris,
            post_logout_redirect_uris: c.post_logout_redirect_uris,
            backchannel_logout_uri: c.backchannel_logout_uri,
            token_endpoint_auth_method: c.auth.as_str().into(),
        }),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct ClientSecretView {
    pub client_id: String,
    pub client_secret: String,
}

#[derive(Serialize, ToSchema)]
pub struct EServiceView {
    pub code: String,
    pub names: NamesBody,
    pub department: String,
    pub assurance: String,
    pub requires_registration: bool,
    pub four_eyes: bool,
    pub allows_intermediaries: bool,
    pub review_days: i64,
    /// Only in the answer that registered the client.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
}

impl From<EServiceRecord> for EServiceView {
    fn from(e: EServiceRecord) -> Self {
        EServiceView {
            code: e.code,
            names: NamesBody { zh: e.name_zh, pt: e.name_pt, en: e.name_en },
            department: e.department,
            assurance: e.assurance.as_str().into(),
            requires_registration: e.requires_registration,
            four_eyes: e.four_eyes,
            allows_intermediaries: e.allows_intermediaries,
            review_days: e.review_days,
            client_id: None,
            client_secret: None,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CatalogueView {
    pub eservices: Vec<EServiceView>,
}

#[utoipa::path(post, path = "/api/v1/counter/eservices", tag = "counter", security(("bearer" = [])),
    request_body = EServiceBody, responses(
    (status = 201, body = EServiceView)))]
pub async fn post_eservice(
    State(state): State<AppState>,
    OperatorAuth(op): OperatorAuth,
    ReqCtx(ctx): ReqCtx,
    AppJson(b): AppJson<EServiceBody>,
) -> ApiResult<(StatusCode, Json<EServiceView>)> {
    let input = EServiceInput {
        code: b.code,
        name_zh: b.names.zh,
        name_pt: b.names.pt,
        name_en: b.names.en,
        department: b.department,
        assurance: b.assurance,
        requires_registration: b.requires_registration,
        four_eyes: b.four_eyes,
        review_days: b.review_days,
        allows_intermediaries: b.allows_intermediaries,
    };
    let client = b.oidc.map(client_input).transpose()?;
    let r = state.services.register_eservice(Registrar::Operator(&op), &ctx, input, client).await?;
    let mut view = EServiceView::from(r.eservice);
    if let Some((c, secret)) = r.client {
        view.client_id = Some(c.client_id);
        view.client_secret = secret;
    }
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(post, path = "/api/v1/counter/eservices/{code}/client-secret", tag = "counter", security(("bearer" = [])),
    params(("code" = String, Path)), responses(
    (status = 200, body = ClientSecretView, description = "a new secret; the old one no longer works")))]
pub async fn post_client_secret(
    State(state): State<AppState>,
    OperatorAuth(op): OperatorAuth,
    ReqCtx(ctx): ReqCtx,
    AppPath(code): AppPath<String>,
) -> ApiResult<Json<ClientSecretView>> {
    let secret = state.services.rotate_client_secret(Registrar::Operator(&op), &ctx, &code).await?;
    Ok(Json(ClientSecretView { client_id: code, client_secret: secret }))
}

#[utoipa::path(get, path = "/api/v1/counter/eservices", tag = "counter", security(("bearer" = [])), responses(
    (status = 200, body = CatalogueView)))]
pub async fn get_counter_eservices(
    State(state): State<AppState>,
    OperatorAuth(_op): OperatorAuth,
) -> ApiResult<Json<CatalogueView>> {
    let list = state.services.list_eservices().await?;
    Ok(Json(CatalogueView { eservices: list.into_iter().map(Into::into).collect() }))
}

#[utoipa::path(get, path = "/api/v1/eservices", tag = "eservices", security(("bearer" = [])), responses(
    (status = 200, body = CatalogueView)))]
pub async fn get_eservices(State(state): State<AppState>, LoginAuth(_c): LoginAuth) -> ApiResult<Json<CatalogueView>> {
    let list = state.services.list_eservices().await?;
    Ok(Json(CatalogueView { eservices: list.into_iter().map(Into::into).collect() }))
}

#[utoipa::path(put, path = "/api/v1/counter/entities/{entity_number}/eservices/{code}", tag = "counter", security(("bearer" = [])),
    params(("entity_number" = String, Path), ("code" = String, Path)), responses(
    (status = 204, description = "the entity is registered with the e-service")))]
pub async fn put_entity_registration(
    State(state): State<AppState>,
    OperatorAuth(op): OperatorAuth,
    ReqCtx(ctx): ReqCtx,
    AppPath((entity_number, code)): AppPath<(String, String)>,
) -> ApiResult<StatusCode> {
    state.services.register_entity_eservice(&op, &ctx, &entity_number, &code).await?;
    Ok(StatusCode::NO_CONTENT)
}
