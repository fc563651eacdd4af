//! OpenID Connect steps the rule tests share: an e-service registered as a client, an
//! authorization request, a whole sign-in, and what the token endpoint and introspection say.

use base64::Engine;
use domain::access::{Caller, Operator};
use domain::eservice_form::EServiceInput;
use domain::oidc::authorize::Outcome;
use domain::oidc::clients::{ClientInput, Registrar};
use domain::oidc::tokens::Issued;
use domain::oidc::OidcError;
use sha2::Digest;

use super::Env;

pub const VERIFIER: &str = "a-verifier-of-forty-three-characters-or-more-0123456789";
pub const REDIRECT: &str = "https://jobs.example.mo/cb";

pub fn challenge() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(VERIFIER.as_bytes()))
}

/// Registers e-service `code` of `department` as a client; returns its secret.
pub async fn client(env: &Env, op: &Operator, code: &str, department: &str, requires_registration: bool) -> String {
    client_asking(env, op, code, department, requires_registration, false, None).await
}

/// `client`, for an e-service that may demand four eyes (R31) and a review period (R30).
pub async fn client_asking(
    env: &Env,
    op: &Operator,
    code: &str,
    department: &str,
    requires_registration: bool,
    four_eyes: bool,
    review_days: Option<i64>,
) -> String {
    let input = eservice_input(code, department, requires_registration);
    register(env, op, EServiceInput { four_eyes, review_days, ..input }).await
}

/// `client`, for an e-service whose department allows intermediaries (R34).
pub async fn intermediary_client(env: &Env, op: &Operator, code: &str, requires_registration: bool) -> String {
    let input = eservice_input(code, "DSF", requires_registration);
    register(env, op, EServiceInput { allows_intermediaries: true, ..input }).await
}

fn eservice_input(code: &str, department: &str, requires_registration: bool) -> EServiceInput {
    EServiceInput {
        code: code.into(),
        name_zh: "電子服務".into(),
        name_pt: "Serviço electrónico".into(),
        name_en: "E-service".into(),
        department: department.into(),
        assurance: "basic".into(),
        requires_registration,
        four_eyes: false,
        allows_intermediaries: false,
        review_days: None,
    }
}

async fn register(env: &Env, op: &Operator, input: EServiceInput) -> String {
    let c = ClientInput {
        redirect_uris: vec![REDIRECT.into()],
        post_logout_redirect_uris: vec![],
        backchannel_logout_uri: Some("https://jobs.example.mo/logout".into()),
        jwks: None,
    };
    let r = env.services.register_eservice(Registrar::Operator(op), &env.ctx(), input, Some(c)).await.unwrap();
    r.client.unwrap().1.expect("a secret client")
}

pub fn authorize_pairs(client_id: &str) -> Vec<(String, String)> {
    [
        ("client_id", client_id),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        ("scope", "openid profile entity"),
        ("state", "s1"),
        ("nonce", "n1"),
        ("code_challenge", &challenge()),
        ("code_challenge_method", "S256"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

pub async fn authorize(env: &Env, caller: &Caller, client_id: &str) -> Outcome {
    let req = env.services.parse_authorize(&authorize_pairs(client_id)).await.unwrap();
    env.services.authorize(&env.ctx(), caller, &req).await.unwrap()
}

/// `authorize`, asking to act for the entity numbered `acting_for` (R35).
pub async fn authorize_for(env: &Env, caller: &Caller, client_id: &str, acting_for: &str) -> Outcome {
    let mut pairs = authorize_pairs(client_id);
    pairs.push(("acting_for".into(), acting_for.into()));
    let req = env.services.parse_authorize(&pairs).await.unwrap();
    env.services.authorize(&env.ctx(), caller, &req).await.unwrap()
}

/// The tokens of a code.
pub async fn redeem(env: &Env, client_id: &str, secret: &str, outcome: Outcome) -> Issued {
    let Outcome::Code(code) = outcome else { panic!("no code: {outcome:?}") };
    let c = env.services.authenticate_client(client_id, secret).await.unwrap();
    env.services.exchange_code(&env.ctx(), &c, &code, REDIRECT, VERIFIER).await.unwrap()
}

pub async fn assign(env: &Env, admin: &Caller, login_id: &str, codes: &[&str]) {
    let a = admin.admin_of(admin.entity_number()).unwrap();
    let codes = codes.iter().map(|c| (*c).into()).collect();
    env.services.assign_eservices(&a, &env.ctx(), login_id, codes).await.unwrap();
}

/// A full sign-in of `caller` into `client_id`: the tokens.
pub async fn sign_in(env: &Env, caller: &Caller, client_id: &str, secret: &str) -> Issued {
    let Outcome::Code(code) = authorize(env, caller, client_id).await else { panic!("no code") };
    let c = env.services.authenticate_client(client_id, secret).await.unwrap();
    env.services.exchange_code(&env.ctx(), &c, &code, REDIRECT, VERIFIER).await.unwrap()
}

pub fn oauth_code<T: std::fmt::Debug>(r: Result<T, OidcError>) -> &'static str {
    match r {
        Err(OidcError::OAuth { error, .. }) => error,
        other => panic!("expected an OAuth error, got {other:?}"),
    }
}

pub async fn active(env: &Env, client_id: &str, secret: &str, token: &str) -> bool {
    let c = env.services.authenticate_client(client_id, secret).await.unwrap();
    env.services.introspect(&c, token).await.unwrap().is_some()
}
