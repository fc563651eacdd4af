//! Acceptance: the OpenAPI document documents every endpoint of the contract, and the copy
//! committed at the repository root is the one the code generates. After changing the API,
//! regenerate it with `UPDATE_OPENAPI=1 cargo test -p server --test openapi`.

use std::path::PathBuf;

fn committed_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../openapi.json")
}

#[test]
fn committed_openapi_document_matches_the_code() {
    let generated = server::openapi::document_json();
    if std::env::var("UPDATE_OPENAPI").is_ok() {
        std::fs::write(committed_path(), &generated).unwrap();
    }
    let committed =
        std::fs::read_to_string(committed_path()).expect("openapi.json is committed at the repository root");
    assert!(
        committed == generated,
        "openapi.json differs from the generated document; run UPDATE_OPENAPI=1 cargo test -p server --test openapi"
    );
}

#[test]
fn openapi_documents_every_contract_endpoint() {
    let doc: serde_json::Value = serde_json::from_str(&server::openapi::document_json()).unwrap();
    assert_eq!(doc["openapi"].as_str().unwrap().get(..3), Some("3.1"));
    let contract = [
        ("post", "/api/v1/counter/login"),
        ("post", "/api/v1/counter/applications"),
        ("get", "/api/v1/counter/applications/{application_number}"),
        ("post", "/api/v1/counter/applications/{application_number}/approve"),
        ("post", "/api/v1/counter/applications/{application_number}/reject"),
        ("post", "/api/v1/counter/entities/{entity_number}/administrators"),
        ("post", "/api/v1/counter/eservices"),
        ("put", "/api/v1/counter/entities/{entity_number}/eservices/{code}"),
        ("post", "/api/v1/counter/entities/{entity_number}/logins/{login_id}/restore-admin"),
        ("get", "/api/v1/applications/{application_number}/status"),
        ("post", "/api/v1/activate"),
        ("post", "/api/v1/activation-codes/resend"),
        ("post", "/api/v1/login"),
        ("post", "/api/v1/logout"),
        ("get", "/api/v1/me"),
        ("get", "/api/v1/entities/{entity_number}/logins"),
        ("post", "/api/v1/entities/{entity_number}/logins"),
        ("delete", "/api/v1/entities/{entity_number}/logins/{login_id}"),
        ("post", "/api/v1/entities/{entity_number}/logins/{login_id}/remove-admin"),
        ("put", "/api/v1/entities/{entity_number}/logins/{login_id}/eservices"),
        ("get", "/api/v1/eservices"),
        ("get", "/api/v1/me/notifications"),
        ("get", "/api/v1/entities/{entity_number}/audit"),
        ("get", "/healthz"),
        ("get", "/readyz"),
    ];
    for (method, path) in contract {
        assert!(doc["paths"][path][method].is_object(), "{method} {path} is not documented");
    }
}
