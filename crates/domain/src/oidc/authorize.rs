//! The authorization endpoint's decisions (OpenID Connect Core §3.1.2, RFC 9700): which
//! requests are refused without a redirect (unknown client, redirect URI not registered
//! byte for byte), which are refused back to the e-service, and the code a permitted
//! sign-in gets.

use std::collections::HashMap;

use super::permission::{self, Denial};
use super::{has_scope, CODE_TTL_SECS, SCOPES};
use crate::access::Caller;
use crate::audit::{Action, Actor, AuditEvent};
use crate::crypto::sid_of;
use crate::crypto::{random_token, token_hash};
use crate::error::Result;
use crate::model::oidc::{Authentication, ClientRecord, CodeRecord};
use crate::model::Assurance;
use crate::services::{Ctx, Services};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    Default,
    Login,
    None,
}

/// The page languages; `ui_locales` picks one, the `locale` claim reports it.
pub fn pick_locale(ui_locales: &str) -> Option<&'static str> {
    ui_locales.split(' ').find_map(|tag| {
        let t = tag.to_ascii_lowercase();
        if t.starts_with("zh") {
            Some("zh-Hant")
        } else if t.starts_with("pt") {
            Some("pt")
        } else if t.starts_with("en") {
            Some("en")
        } else {
            None
        }
    })
}

/// A valid authorization request.
#[derive(Debug, Clone)]
pub struct AuthorizeRequest {
    pub client: ClientRecord,
    pub redirect_uri: String,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub scope: String,
    pub code_challenge: String,
    pub prompt: Prompt,
    pub max_age: Option<i64>,
    pub wants_advanced: bool,
    pub locale: Option<&'static str>,
}

/// Why a request is refused: before the redirect URI is trusted, to the person only;
/// afterwards, to the e-service through its redirect URI.
#[derive(Debug, Clone)]
pub enum AuthorizeError {
    NoRedirect(String),
    Redirect { redirect_uri: String, state: Option<String>, error: &'static str, description: String },
}

/// What a signed-in person's request comes to.
#[derive(Debug)]
pub enum Outcome {
    /// Redirect with this code.
    Code(String),
    /// The login may not use the e-service: the person is told why, the e-service gets
    /// `access_denied`.
    Denied(Denial),
    /// The e-service needs advanced authentication and the login has a second factor: the
    /// person is asked for it (R21).
    NeedsStepUp(crate::model::eid::EidState),
    /// The e-service needs advanced authentication and the login has no second factor.
    NeedsAdvanced,
}

const STATE_MAX: usize = 1024;
const NONCE_MAX: usize = 255;

/// The query's parameters by name (a repeated one keeps its last value).
type Params<'a> = HashMap<&'a str, &'a str>;

/// What the request asks for, once its faults can go back to the e-service.
struct Asked {
    nonce: Option<String>,
    scope: String,
    code_challenge: String,
    prompt: Prompt,
    max_age: Option<i64>,
    wants_advanced: bool,
    locale: Option<&'static str>,
}

/// The parameters after the redirect URI: a fault is `(error, description)` for the
/// e-service's redirect.
fn parse_redirectable(params: &Params<'_>) -> Result<Asked, (&'static str, &'static str)> {
    if params.contains_key("request") || params.contains_key("request_uri") {
        return Err(("request_not_supported", "request objects are not supported"));
    }
    match params.get("response_type").copied() {
        Some("code") => {}
        None => return Err(("invalid_request", "response_type is required")),
        Some(_) => return Err(("unsupported_response_type", "only response_type=code is supported")),
    }
    if params.get("response_mode").is_some_and(|m| *m != "query") {
        return Err(("invalid_request", "only response_mode=query is supported"));
    }
    let requested = params.get("scope").copied().unwrap_or_default();
    if !has_scope(requested, "openid") {
        return Err(("invalid_scope", "the openid scope is required"));
    }
    // Scopes this provider does not know are ignored (OpenID Connect Core §3.1.2.1).
    let scope = SCOPES.iter().filter(|s| has_scope(requested, s)).copied().collect::<Vec<_>>().join(" ");
    let code_challenge = match params.get("code_challenge") {
        Some(c) if is_pkce_value(c) => c.to_string(),
        Some(_) => return Err(("invalid_request", "code_challenge is malformed")),
        None => return Err(("invalid_request", "PKCE is required: code_challenge is missing")),
    };
    if params.get("code_challenge_method").copied() != Some("S256") {
        return Err(("invalid_request", "code_challenge_method must be S256"));
    }
    let nonce = params.get("nonce").map(|s| s.to_string()).filter(|s| !s.is_empty());
    if nonce.as_ref().is_some_and(|n| n.len() > NONCE_MAX) {
        return Err(("invalid_request", "nonce is longer than 255 characters"));
    }
    let (prompt, max_age) = parse_prompt(params)?;
    let wants_advanced = params.get("acr_values").is_some_and(|v| v.split(' ').any(|a| a == "advanced"));
    let locale = params.get("ui_locales").and_then(|l| pick_locale(l));
    Ok(Asked { nonce, scope, code_challenge, prompt, max_age, wants_advanced, locale })
}

/// `prompt` and `max_age`, where `max_age=0` is `prompt=login` (OpenID Connect Core §3.1.2.1).
fn parse_prompt(params: &Params<'_>) -> Result<(Prompt, Option<i64>), (&'static str, &'static str)> {
    let prompt = match params.get("prompt").copied() {
        None | Some("") | Some("consent") => Prompt::Default,
        Some("login") => Prompt::Login,
        Some("none") => Prompt::None,
        Some("select_account") => return Err(("account_selection_required", "one login per session")),
        Some(_) => return Err(("invalid_request", "prompt must be none, login or consent")),
    };
    let max_age = match params.get("max_age") {
        None => None,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if n >= 0 => Some(n),
            _ => return Err(("invalid_request", "max_age must be a number of seconds")),
        },
    };
    let prompt = if max_age == Some(0) && prompt == Prompt::Default { Prompt::Login } else { prompt };
    Ok((prompt, max_age))
}

fn is_pkce_value(s: &str) -> bool {
    (43..=128).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

impl Services {
    /// Checks an authorization request's parameters (the query, as pairs). Until the client
    /// and its redirect URI are known, a fault is shown to the person only; from then on it
    /// goes back to the e-service.
    pub async fn parse_authorize(&self, pairs: &[(String, String)]) -> Result<AuthorizeRequest, AuthorizeError> {
        let mut params: Params<'_> = HashMap::new();
        let mut repeated = None;
        for (k, v) in pairs {
            if params.insert(k.as_str(), v.as_str()).is_some() {
                repeated = Some(k.clone());
            }
        }
        let client = self.trusted_client(&params, repeated.as_deref()).await?;
        let redirect_uri = params.get("redirect_uri").copied().unwrap_or_default();
        let state = params.get("state").map(|s| s.to_string()).filter(|s| !s.is_empty());
        let fail = |error: &'static str, description: &str| AuthorizeError::Redirect {
            redirect_uri: redirect_uri.to_string(),
            state: state.clone().filter(|s| s.len() <= STATE_MAX),
            error,
            description: description.to_string(),
        };
        if let Some(k) = repeated {
            return Err(fail("invalid_request", &format!("{k} was given twice")));
        }
        if state.as_ref().is_some_and(|s| s.len() > STATE_MAX) {
            return Err(fail("invalid_request", "state is longer than 1024 characters"));
        }
        let asked = parse_redirectable(&params).map_err(|(error, why)| fail(error, why))?;
        Ok(AuthorizeRequest {
            client,
            redirect_uri: redirect_uri.to_string(),
            state,
            nonce: asked.nonce,
            scope: asked.scope,
            code_challenge: asked.code_challenge,
            prompt: asked.prompt,
            max_age: asked.max_age,
            wants_advanced: asked.wants_advanced,
            locale: asked.locale,
        })
    }

    /// The client, once its `client_id` is known and `redirect_uri` is one of its own
    /// byte for byte: before that, nothing may be redirected anywhere.
    async fn trusted_client(
        &self,
        params: &Params<'_>,
        repeated: Option<&str>,
    ) -> Result<ClientRecord, AuthorizeError> {
        let no_redirect = |why: &str| AuthorizeError::NoRedirect(why.to_string());
        if matches!(repeated, Some("client_id" | "redirect_uri")) {
            return Err(no_redirect("a parameter was given twice"));
        }
        let client_id = params.get("client_id").copied().unwrap_or_default();
        if client_id.is_empty() {
            return Err(no_redirect("client_id is required"));
        }
        let client = match self.find_client(client_id).await {
            Ok(Some(c)) => c,
            Ok(None) => return Err(no_redirect("unknown client_id")),
            // The cause is for the log (the transport logs refusals); the person sees no internals.
            Err(_) => return Err(no_redirect("the service is unavailable; try again later")),
        };
        let redirect_uri = params.get("redirect_uri").copied().unwrap_or_default();
        // Exact string comparison (RFC 9700 §4.1.3): no trailing-slash, case or query leniency.
        if !client.redirect_uris.iter().any(|u| u == redirect_uri) {
            return Err(no_redirect("redirect_uri is not registered for this client"));
        }
        Ok(client)
    }

    /// Whether the session may answer the request without a fresh password sign-in.
    pub fn session_suffices(&self, req: &AuthorizeRequest, caller: &Caller) -> bool {
        let age = caller.signed_in_at.secs_until(self.clock.now());
        req.prompt != Prompt::Login && req.max_age.is_none_or(|max| age <= max)
    }

    /// A signed-in login's request: a code when the login may use the e-service.
    pub async fn authorize(&self, ctx: &Ctx, caller: &Caller, req: &AuthorizeRequest) -> Result<Outcome> {
        let client_id = req.client.client_id.clone();
        let actor = Actor::Login { entity_id: caller.entity_id, login_id: caller.login_id.clone() };
        let mut tx = self.store.write().await?;
        let permitted =
            match permission::check(tx.as_mut(), caller.entity_id, &caller.login_id, &client_id, self.clock.now())
                .await?
            {
                Ok(p) => p,
                Err(denial) => {
                    drop(tx);
                    let ev = AuditEvent::new(actor, Action::SignInDenied).target(client_id).detail(denial.code());
                    self.audit_refusal(ctx, ev).await?;
                    return Ok(Outcome::Denied(denial));
                }
            };
        // R21: an advanced e-service needs a live step-up of this session.
        let step_up = self.step_up_in(tx.as_mut(), caller).await?;
        if (req.wants_advanced || permitted.eservice.assurance == Assurance::Advanced) && step_up.is_none() {
            drop(tx);
            let eid = self.my_eid(caller).await?;
            if eid.any_factor() {
                return Ok(Outcome::NeedsStepUp(eid));
            }
            let ev = AuditEvent::new(actor, Action::SignInDenied).target(client_id).detail("advanced_required");
            self.audit_refusal(ctx, ev).await?;
            return Ok(Outcome::NeedsAdvanced);
        }
        let (acr, amr) = match &step_up {
            Some(method) => ("advanced", format!("pwd {method}")),
            None => ("basic", "pwd".to_string()),
        };
        let code = random_token();
        let now = self.clock.now();
        tx.insert_oidc_code(&CodeRecord {
            code_hash: token_hash(&code),
            client_id: client_id.clone(),
            entity_id: caller.entity_id,
            login_id: caller.login_id.clone(),
            redirect_uri: req.redirect_uri.clone(),
            code_challenge: req.code_challenge.clone(),
            nonce: req.nonce.clone(),
            scope: req.scope.clone(),
            sid: sid_of(&caller.token_hash),
            session_hash: caller.token_hash.clone(),
            auth: Authentication {
                auth_time: caller.signed_in_at,
                acr: acr.into(),
                amr,
                locale: req.locale.unwrap_or("zh-Hant").into(),
            },
            created_at: now,
            expires_at: now.plus_secs(CODE_TTL_SECS),
            grant_id: None,
        })
        .await?;
        let ev = AuditEvent::new(actor, Action::SignInAuthorized).target(client_id);
        self.commit(tx, ctx, &[ev]).await?;
        Ok(Outcome::Code(code))
    }
}
