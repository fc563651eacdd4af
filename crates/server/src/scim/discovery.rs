//! What a SCIM client reads before it provisions (RFC 7644 §4): the service provider's
//! features, the User schemas (rendered from the domain's one table) and the resource type.

use axum::extract::{Path, State};
use axum::response::Response;
use domain::scim::filter::MAX_FILTER_LEN;
use domain::scim::patch::MAX_OPERATIONS;
use domain::scim::schema::{AttrDef, CORE_USER, EXTENSION_ATTRS, EXTENSION_USER, USER_ATTRS};
use domain::scim::users::MAX_COUNT;
use serde_json::{json, Value};

use super::users::LIST_RESPONSE;
use super::wire::{scim_json, ScimError};
use crate::state::AppState;

const SP_CONFIG: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
const SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";
const RESOURCE_TYPE: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";

fn base(state: &AppState) -> String {
    format!("{}/scim/v2", state.issuer.trim_end_matches('/'))
}

pub async fn get_service_provider_config(State(state): State<AppState>) -> Response {
    scim_json(&json!({
        "schemas": [SP_CONFIG],
        "documentationUri": format!("{}/docs/scim.md", state.issuer.trim_end_matches('/')),
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": MAX_COUNT},
        "changePassword": {"supported": false},
        "sort": {"supported": false},
        "etag": {"supported": true},
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": format!(
                "An access token from {}/oidc/token (client_credentials, resource={}) for a machine credential with the provisioning right. Filters up to {MAX_FILTER_LEN} bytes, PATCH up to {MAX_OPERATIONS} operations.",
                state.issuer.trim_end_matches('/'), base(&state)),
            "primary": true,
        }],
        "meta": {"resourceType": "ServiceProviderConfig", "location": format!("{}/ServiceProviderConfig", base(&state))},
    }))
}

fn attribute(a: &AttrDef) -> Value {
    let mut v = json!({
        "name": a.name,
        "type": a.kind.as_str(),
        "multiValued": a.multi,
        "description": a.description,
        "required": a.required,
        "caseExact": a.case_exact,
        "mutability": a.mutability.as_str(),
        "returned": a.returned.as_str(),
        "uniqueness": if a.unique { "server" } else { "none" },
    });
    if !a.sub.is_empty() {
        v["subAttributes"] = a.sub.iter().map(attribute).collect();
    }
    v
}

fn schemas(state: &AppState) -> Vec<Value> {
    let one = |id: &str, name: &str, description: &str, attrs: &[AttrDef]| {
        json!({
            "schemas": [SCHEMA],
            "id": id,
            "name": name,
            "description": description,
            "attributes": attrs.iter().map(attribute).collect::<Vec<_>>(),
            "meta": {"resourceType": "Schema", "location": format!("{}/Schemas/{id}", base(state))},
        })
    };
    vec![
        one(CORE_USER, "User", "An entity's staff login", USER_ATTRS),
        one(EXTENSION_USER, "EntityAccountUser", "The login's identity document: write-only", EXTENSION_ATTRS),
    ]
}

fn resource_types(state: &AppState) -> Vec<Value> {
    vec![json!({
        "schemas": [RESOURCE_TYPE],
        "id": "User",
        "name": "User",
        "endpoint": "/Users",
        "description": "An entity's staff login",
        "schema": CORE_USER,
        "schemaExtensions": [{"schema": EXTENSION_USER, "required": false}],
        "meta": {"resourceType": "ResourceType", "location": format!("{}/ResourceTypes/User", base(state))},
    })]
}

fn list(items: Vec<Value>) -> Response {
    scim_json(&json!({
        "schemas": [LIST_RESPONSE],
        "totalResults": items.len(),
        "startIndex": 1,
        "itemsPerPage": items.len(),
        "Resources": items,
    }))
}

fn one_of(items: Vec<Value>, id: &str) -> Result<Response, ScimError> {
    items.into_iter().find(|v| v["id"].as_str() == Some(id)).map(|v| scim_json(&v)).ok_or_else(ScimError::not_found)
}

pub async fn get_schemas(State(state): State<AppState>) -> Response {
    list(schemas(&state))
}

pub async fn get_schema(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, ScimError> {
    one_of(schemas(&state), &id)
}

pub async fn get_resource_types(State(state): State<AppState>) -> Response {
    list(resource_types(&state))
}

pub async fn get_resource_type(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, ScimError> {
    one_of(resource_types(&state), &id)
}
