//! E-services as OpenID Connect clients: registration with exact redirect URIs, secrets
//! shown once and kept as keyed hashes, rotation, and client authentication.

use super::{OidcError, OidcResult};
use crate::access::Operator;
use crate::audit::{Action, Actor, AuditEvent};
use crate::crypto::{constant_time_eq, random_token};
use crate::error::{Error, FieldError, Fields, Result};
use crate::eservice_form::EServiceInput;
use crate::model::oidc::{ClientAuth, ClientRecord};
use crate::model::EServiceRecord;
use crate::services::{Ctx, Services};
use crate::Code;

/// Who registers e-services: a counter operator through the API, or whoever runs the
/// command line on the server (they hold the database and the key anyway).
#[derive(Clone, Copy)]
pub enum Registrar<'a> {
    Operator(&'a Operator),
    Console,
}

impl Registrar<'_> {
    pub fn actor(self) -> Actor {
        match self {
            Registrar::Operator(op) => Actor::Operator(op.id),
            Registrar::Console => Actor::System,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ClientInput {
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub backchannel_logout_uri: Option<String>,
    /// For `private_key_jwt` (RFC 7523): the client's public keys, a JWKS the transport has
    /// already checked. Without it the client gets a secret.
    pub jwks: Option<String>,
}

pub const MAX_URIS: usize = 10;
/// Clock skew allowed on client assertions' `exp` (and how much longer their `jti` is kept).
pub const ASSERTION_LEEWAY_SECS: i64 = 30;
const URI_MAX_CHARS: usize = 2000;

/// A redirect or logout URI as RFC 9700 wants them: absolute, `https` (or `http` on a
/// loopback host, for development and native apps), no fragment, no credentials. They are
/// later compared byte for byte, never normalised.
pub fn parse_uri(field: &str, raw: &str) -> Result<String, FieldError> {
    let bad = |why: &str| Err(FieldError::new(field, Code::InvalidUri, why.to_string()));
    // URIs are ASCII (RFC 3986; a browser percent-encodes the rest): no bidirectional
    // overrides or look-alike letters in what is compared byte for byte.
    if raw.is_empty()
        || raw.len() > URI_MAX_CHARS
        || !raw.is_ascii()
        || raw.chars().any(|c| c.is_ascii_whitespace() || c.is_ascii_control())
    {
        return bad("an absolute URI in ASCII without spaces, at most 2000 characters");
    }
    let (scheme, rest) = match raw.split_once("://") {
        Some(p) => p,
        None => return bad("an absolute https URI"),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() || authority.contains('@') {
        return bad("a host, and no user name or password");
    }
    if raw.contains('#') {
        return bad("no fragment");
    }
    // The host, and after it nothing or a port: `[::1` without its bracket is no loopback.
    let (host, port) = match authority.strip_prefix('[') {
        Some(inner) => match inner.split_once(']') {
            Some((h, rest)) => (format!("[{h}]"), rest),
            None => return bad("a host"),
        },
        None => match authority.split_once(':') {
            Some((h, _)) => (h.to_string(), &authority[h.len()..]),
            None => (authority.to_string(), ""),
        },
    };
    let port_ok = port.is_empty()
        || port.strip_prefix(':').is_some_and(|p| (1..=5).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()));
    if !port_ok {
        return bad("a host and at most a numeric port");
    }
    let loopback = matches!(host.as_str(), "127.0.0.1" | "[::1]" | "localhost");
    match scheme {
        "https" => Ok(raw.to_string()),
        "http" if loopback => Ok(raw.to_string()),
        "http" => bad("https, or http only on a loopback host"),
        _ => bad("an https URI"),
    }
}

fn parse_uris(fields: &mut Fields, field: &str, raws: &[String], at_least_one: bool) -> Vec<String> {
    if at_least_one && raws.is_empty() {
        fields.push(FieldError::new(field, Code::Required, "at least one URI"));
    }
    if raws.len() > MAX_URIS {
        fields.push(FieldError::new(field, Code::TooMany, format!("at most {MAX_URIS} URIs")));
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, raw) in raws.iter().enumerate() {
        if let Some(u) = fields.take(parse_uri(&format!("{field}[{i}]"), raw)) {
            if !out.contains(&u) {
                out.push(u);
            }
        }
    }
    out
}

/// A registration's URIs, checked; field names under `oidc.`.
pub(crate) fn parse_client(fields: &mut Fields, input: &ClientInput) -> ClientInput {
    ClientInput {
        redirect_uris: parse_uris(fields, "oidc.redirect_uris", &input.redirect_uris, true),
        post_logout_redirect_uris: parse_uris(
            fields,
            "oidc.post_logout_redirect_uris",
            &input.post_logout_redirect_uris,
            false,
        ),
        backchannel_logout_uri: input
            .backchannel_logout_uri
            .as_deref()
            .and_then(|u| fields.take(parse_uri("oidc.backchannel_logout_uri", u))),
        jwks: input.jwks.clone(),
    }
}

/// A new e-service and, when asked, its client registration, with the secret (for secret
/// clients) in clear: the only time anyone sees it.
pub struct Registered {
    pub eservice: EServiceRecord,
    pub client: Option<(ClientRecord, Option<String>)>,
}

impl Services {
    /// Registers an e-service and, with `client`, its OpenID Connect client, in one
    /// transaction: an e-service is never left half-registered.
    pub async fn register_eservice(
        &self,
        by: Registrar<'_>,
        ctx: &Ctx,
        input: EServiceInput,
        client: Option<ClientInput>,
    ) -> Result<Registered> {
        let mut fields = Fields::default();
        let record = input.parse(&mut fields, self.clock.now());
        let client = client.map(|c| parse_client(&mut fields, &c));
        let record = fields.finish_with(|| record)?;
        let mut tx = self.store.write().await?;
        self.insert_eservice(tx.as_mut(), &record).await?;
        let mut events = vec![AuditEvent::new(by.actor(), Action::EServiceCreated).target(record.code.clone())];
        let client = match client {
            None => None,
            Some(c) => {
                let secret = c.jwks.is_none().then(random_token);
                let now = self.clock.now();
                let rec = ClientRecord {
                    client_id: record.code.clone(),
                    auth: if c.jwks.is_some() { ClientAuth::PrivateKeyJwt } else { ClientAuth::Secret },
                    secret_hash: secret.as_deref().map(|s| self.vault.client_secret_hash(s)).unwrap_or_default(),
                    jwks: c.jwks,
                    redirect_uris: c.redirect_uris,
                    post_logout_redirect_uris: c.post_logout_redirect_uris,
                    backchannel_logout_uri: c.backchannel_logout_uri,
                    created_at: now,
                    updated_at: now,
                };
                tx.insert_client(&rec).await?;
                events.push(AuditEvent::new(by.actor(), Action::ClientRegistered).target(record.code.clone()));
                Some((rec, secret))
            }
        };
        self.commit(tx, ctx, &events).await?;
        Ok(Registered { eservice: record, client })
    }

    /// Makes an e-service a client, or changes its client's URIs and keys. A secret is made
    /// (and returned, once) only when the client had none; `created` says which it was.
    pub async fn set_client(
        &self,
        by: Registrar<'_>,
        ctx: &Ctx,
        code: &str,
        input: ClientInput,
    ) -> Result<(ClientRecord, Option<String>, bool)> {
        let mut fields = Fields::default();
        let c = parse_client(&mut fields, &input);
        fields.finish()?;
        crate::eservice_form::parse_code("code", code).map_err(|_| Error::NotFound)?;
        let mut tx = self.store.write().await?;
        tx.find_eservice(code).await?.ok_or(Error::NotFound)?;
        let now = self.clock.now();
        let before = tx.find_client(code).await?;
        let auth = if c.jwks.is_some() { ClientAuth::PrivateKeyJwt } else { ClientAuth::Secret };
        let keeps_secret = before.as_ref().is_some_and(|b| b.auth == ClientAuth::Secret) && auth == ClientAuth::Secret;
        let secret = (auth == ClientAuth::Secret && !keeps_secret).then(random_token);
        let secret_hash = match (&secret, &before) {
            (Some(s), _) => self.vault.client_secret_hash(s),
            (None, Some(b)) if keeps_secret => b.secret_hash.clone(),
            _ => String::new(),
        };
        let rec = ClientRecord {
            client_id: code.to_string(),
            auth,
            secret_hash,
            jwks: c.jwks,
            redirect_uris: c.redirect_uris,
            post_logout_redirect_uris: c.post_logout_redirect_uris,
            backchannel_logout_uri: c.backchannel_logout_uri,
            created_at: before.as_ref().map(|b| b.created_at).unwrap_or(now),
            updated_at: now,
        };
        let created = before.is_none();
        if created {
            tx.insert_client(&rec).await?;
        } else {
            tx.update_client(&rec).await?;
        }
        let action = if created { Action::ClientRegistered } else { Action::ClientUpdated };
        self.commit(tx, ctx, &[AuditEvent::new(by.actor(), action).target(code)]).await?;
        Ok((rec, secret, created))
    }

    /// A new client secret; the old one stops working at once.
    pub async fn rotate_client_secret(&self, by: Registrar<'_>, ctx: &Ctx, client_id: &str) -> Result<String> {
        // Not an e-service code (a NUL, say): no such client, without asking the database.
        crate::eservice_form::parse_code("code", client_id).map_err(|_| Error::NotFound)?;
        let mut tx = self.store.write().await?;
        let client = tx.find_client(client_id).await?.ok_or(Error::NotFound)?;
        if client.auth != ClientAuth::Secret {
            return Err(Error::conflict(Code::ClientUsesPrivateKeyJwt, "this client signs JWTs; it has no secret"));
        }
        let secret = random_token();
        tx.update_client_secret(client_id, &self.vault.client_secret_hash(&secret), self.clock.now()).await?;
        let ev = AuditEvent::new(by.actor(), Action::ClientSecretRotated).target(client_id);
        self.commit(tx, ctx, &[ev]).await?;
        Ok(secret)
    }

    pub async fn list_clients(&self) -> Result<Vec<(EServiceRecord, Option<ClientRecord>)>> {
        let mut tx = self.store.read().await?;
        let clients = tx.list_clients().await?;
        let eservices = tx.list_eservices().await?;
        Ok(eservices
            .into_iter()
            .map(|e| {
                let c = clients.iter().find(|c| c.client_id == e.code).cloned();
                (e, c)
            })
            .collect())
    }

    /// The client a request names, when its secret is right. Unknown clients and wrong
    /// secrets answer alike.
    pub async fn authenticate_client(&self, client_id: &str, secret: &str) -> OidcResult<ClientRecord> {
        let mut tx = self.store.read().await?;
        let client = tx.find_client(client_id).await?;
        let offered = self.vault.client_secret_hash(secret);
        match client {
            Some(c) if c.auth == ClientAuth::Secret && constant_time_eq(&c.secret_hash, &offered) => Ok(c),
            _ => Err(OidcError::invalid_client()),
        }
    }

    /// The second half of `private_key_jwt`, after the transport checked the assertion's
    /// signature and claims: each assertion (`jti`) is accepted once.
    pub async fn accept_client_assertion(
        &self,
        client: ClientRecord,
        jti: &str,
        expires_at: crate::clock::Timestamp,
    ) -> OidcResult<ClientRecord> {
        if client.auth != ClientAuth::PrivateKeyJwt || jti.is_empty() || jti.len() > 255 {
            return Err(OidcError::invalid_client());
        }
        let mut tx = self.store.write().await?;
        // Kept past its expiry by the clock leeway the check allows, so it cannot come back.
        let keep_until = expires_at.plus_secs(ASSERTION_LEEWAY_SECS);
        if !tx.record_assertion(&client.client_id, jti, keep_until, self.clock.now()).await? {
            return Err(OidcError::oauth("invalid_client", "this client assertion was used before"));
        }
        tx.commit().await?;
        Ok(client)
    }

    /// A client by id, for the authorize and logout endpoints (which do not authenticate it).
    pub async fn find_client(&self, client_id: &str) -> Result<Option<ClientRecord>> {
        let mut tx = self.store.read().await?;
        Ok(tx.find_client(client_id).await?)
    }
}
