//! The authorization endpoint's decisions (OpenID Connect Core §3.1.2, RFC 9700): which
//! requests are refused without a redirect (unknown client, redirect URI not registered
//! byte for byte), which are refused back to the e-service, and the code a permitted
//! sign-in gets.

use std::collections::HashMap;

use super::permission::{self, Acting, Denial};
use super::{has_scope, CODE_TTL_SECS, SCOPES};
use crate::access::Caller;
use crate::audit::{Action, Actor, AuditEvent};
use crate::crypto::sid_of;
use crate::crypto::{random_token, token_hash};
use crate::error::Result;
use crate::model::oidc::OnBehalf;
use crate::model::oidc::{Authentication, ClientRecord, CodeRecord};
use crate::model::{Assurance, Mandator};
use crate::numbers::EntityNumber;
use crate::services::{Ctx, Services};
use crate::store::Tx;

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
    /// R35: the entity (by number) the login is to act for, asked by the e-service
    /// (`acting_for`, as `login_hint` asks for a login) or chosen by the person.
    pub acting_for: Option<EntityNumber>,
}

/// One entity a login may act for at the e-service (R35's chooser).
#[derive(Debug, Clone)]
pub struct Choice {
    pub entity_number: String,
    pub entity_names: crate::model::EntityNames,
    /// The login's own entity.
    pub own: bool,
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
    /// R35: the login may act for more than one entity here; the person chooses.
    Choose(Vec<Choice>),
}

const STATE_MAX: usize = 1024;
/// How long after a password sign-in its person may still answer the chooser.
const CHOOSER_SECS: i64 = 600;
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
    acting_for: Option<EntityNumber>,
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
    let acting_for = match params.get("acting_for").copied().filter(|v| !v.is_empty()) {
        None => None,
        Some(v) => Some(
            EntityNumber::parse("acting_for", v)
                .map_err(|_| ("invalid_request", "acting_for must be an entity number"))?,
        ),
    };
    Ok(Asked { nonce, scope, code_challenge, prompt, max_age, wants_advanced, locale, acting_for })
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
            acting_for: asked.acting_for,
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

    /// R35: whether the session may answer the chooser: as `session_suffices`, or signed in
    /// by password moments ago (the sign-in this very request asked for, `prompt=login`).
    pub fn may_choose(&self, req: &AuthorizeRequest, caller: &Caller) -> bool {
        self.session_suffices(req, caller) || caller.signed_in_at.secs_until(self.clock.now()) <= CHOOSER_SECS
    }

    /// R35: for whom the login may use the e-service now: its own entity when it may itself,
    /// and each entity whose mandate lets it act there, each with what its check permitted.
    /// When the request names an entity (`acting_for`), only that one is asked; the denial
    /// comes back when none is permitted.
    async fn choices(
        &self,
        tx: &mut dyn Tx,
        caller: &Caller,
        req: &AuthorizeRequest,
    ) -> Result<Result<Vec<(Choice, permission::Permitted)>, Denial>> {
        let (client_id, now) = (req.client.client_id.as_str(), self.clock.now());
        let wanted = req.acting_for.as_ref().map(|n| n.as_str());
        let mut out = Vec::new();
        let mut first_denial = None;
        if wanted.is_none_or(|n| n == caller.entity_number) {
            match permission::check(tx, caller.entity_id, &caller.login_id, client_id, Acting::Own, now).await? {
                Ok(p) => out.push((
                    Choice { entity_number: p.entity_number.clone(), entity_names: p.entity_names.clone(), own: true },
                    p,
                )),
                Err(d) => first_denial = Some(d),
            }
        }
        if wanted != Some(caller.entity_number.as_str()) {
            // Asked for one entity: that one is checked, so the denial says what is missing.
            let mandators = match wanted {
                None => tx.mandators_of_login(caller.entity_id, &caller.login_id, client_id, now).await?,
                Some(n) => tx
                    .find_entity_by_number(n)
                    .await?
                    .map(|e| Mandator { entity_id: e.id, entity_number: e.number, entity_names: e.names })
                    .into_iter()
                    .collect(),
            };
            for m in mandators {
                let acting = Acting::For { entity_id: m.entity_id, mandate_id: None };
                match permission::check(tx, caller.entity_id, &caller.login_id, client_id, acting, now).await? {
                    Ok(p) => out
                        .push((Choice { entity_number: m.entity_number, entity_names: m.entity_names, own: false }, p)),
                    Err(d) => first_denial = first_denial.or(Some(d)),
                }
            }
        }
        if out.is_empty() {
            let denial = match (wanted, first_denial) {
                (_, Some(d)) => d,
                // Asked for an entity that gave this login's entity no mandate here.
                (Some(_), None) => Denial::NotMandated,
                (None, None) => Denial::NotAssigned,
            };
            return Ok(Err(denial));
        }
        Ok(Ok(out))
    }

    /// A signed-in login's request: a code when the login may use the e-service, for its own
    /// entity or, once chosen, for an entity that mandated its entity (R35).
    pub async fn authorize(&self, ctx: &Ctx, caller: &Caller, req: &AuthorizeRequest) -> Result<Outcome> {
        let client_id = req.client.client_id.clone();
        let actor = Actor::Login { entity_id: caller.entity_id, login_id: caller.login_id.clone() };
        let asked_for = req.acting_for.as_ref().map(|n| format!("for={}", n.as_str())).unwrap_or_default();
        let mut tx = self.store.write().await?;
        let mut choices = match self.choices(tx.as_mut(), caller, req).await? {
            Ok(c) => c,
            Err(denial) => {
                drop(tx);
                let detail = [denial.code(), &asked_for].join(" ").trim().to_string();
                let ev = AuditEvent::new(actor, Action::SignInDenied).target(client_id).detail(detail);
                self.audit_refusal(ctx, ev).await?;
                return Ok(Outcome::Denied(denial));
            }
        };
        // R21: an advanced e-service needs a live step-up of this session, whoever it acts for.
        let eservice = &choices[0].1.eservice;
        let step_up = self.step_up_in(tx.as_mut(), caller).await?;
        if (req.wants_advanced || eservice.assurance == Assurance::Advanced) && step_up.is_none() {
            drop(tx);
            let eid = self.my_eid(caller).await?;
            if eid.any_factor() {
                return Ok(Outcome::NeedsStepUp(eid));
            }
            let ev = AuditEvent::new(actor, Action::SignInDenied).target(client_id).detail("advanced_required");
            self.audit_refusal(ctx, ev).await?;
            return Ok(Outcome::NeedsAdvanced);
        }
        if choices.len() > 1 {
            return Ok(Outcome::Choose(choices.into_iter().map(|(c, _)| c).collect()));
        }
        let (_, permitted) = choices.remove(0);
        let (acr, amr) = match &step_up {
            Some(method) => ("advanced", format!("pwd {method}")),
            None => ("basic", "pwd".to_string()),
        };
        let code = random_token();
        let now = self.clock.now();
        let on_behalf = permitted
            .on_behalf
            .as_ref()
            .map(|r| OnBehalf { represented_entity_id: r.entity_id, mandate_id: r.mandate_id.clone() });
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
            on_behalf,
        })
        .await?;
        let ev = AuditEvent::new(actor, Action::SignInAuthorized).target(client_id);
        let events = match &permitted.on_behalf {
            None => vec![ev],
            // R34: both entities' audits record a sign-in under a mandate.
            Some(r) => {
                let detail = format!("mandate={} for={} by={}", r.mandate_id, r.entity_number, caller.entity_number);
                let ev = ev.detail(detail);
                vec![ev.clone(), ev.entity(r.entity_id)]
            }
        };
        self.commit(tx, ctx, &events).await?;
        Ok(Outcome::Code(code))
    }
}
