//! Machine credentials at the token endpoint (R36): the entity's own software authenticates
//! with its secret or a `private_key_jwt` assertion and gets `client_credentials` tokens for
//! one resource at a time (RFC 8707): one of its e-services, or the provisioning API. Every
//! use of such a token reads its credential again, so deleting, expiring or narrowing the
//! credential stops its tokens at once, on every node.

use super::{OidcError, OidcResult};
use crate::access::ProvisionerOf;
use crate::audit::{Action, Actor, AuditEvent};
use crate::clock::Timestamp;
use crate::crypto::{constant_time_eq, random_token, token_hash};
use crate::error::{Error, Result};
use crate::model::oidc::ClientAuth;
use crate::model::{is_machine_client_id, MachineCredentialRecord, MachineTokenFacts, MachineTokenRecord, Resource};
use crate::oidc::clients::ASSERTION_LEEWAY_SECS;
use crate::services::{Ctx, Services};
use crate::store::Tx;

/// `last_used_at` is written at most this often per credential.
const USE_RECORDED_EVERY_SECS: i64 = 60;

/// A token response for a machine credential: no refresh token, no ID token.
#[derive(Debug)]
pub struct MachineIssued {
    pub access_token: String,
    pub expires_in: i64,
    pub resource: Resource,
}

/// What introspection says of a live machine token: the entity, the credential, the resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachineClaims {
    pub entity_number: String,
    /// The credential's client id (`sub` and `client_id`).
    pub sub: String,
    pub aud: Resource,
}

impl MachineClaims {
    pub(crate) fn of(f: &MachineTokenFacts) -> Self {
        MachineClaims {
            entity_number: f.entity_number.clone(),
            sub: f.token.client_id.clone(),
            aud: f.token.resource.clone(),
        }
    }
}

/// The decision on every use: unexpired, the credential unended and still granted the resource.
pub(crate) fn live_at(f: &MachineTokenFacts, now: Timestamp) -> bool {
    let granted = match f.token.resource {
        Resource::Provisioning => f.provisioning,
        Resource::EService(_) => f.eservice_granted,
    };
    now < f.token.expires_at && now < f.valid_until && granted
}

fn invalid_target(why: &str) -> OidcError {
    OidcError::oauth("invalid_target", why.to_string())
}

impl Services {
    /// A live credential by client id; an unknown or ended one answers `invalid_client`.
    async fn live_machine_credential(&self, tx: &mut dyn Tx, client_id: &str) -> OidcResult<MachineCredentialRecord> {
        if !is_machine_client_id(client_id) {
            return Err(OidcError::invalid_client());
        }
        let c = tx.find_machine_credential(client_id).await?.ok_or_else(OidcError::invalid_client)?;
        if self.clock.now() >= c.valid_until {
            return Err(OidcError::oauth("invalid_client", "this machine credential has expired"));
        }
        Ok(c)
    }

    /// `client_secret_basic` / `client_secret_post` for a machine credential. Unknown
    /// credentials and wrong secrets answer alike.
    pub async fn authenticate_machine_secret(
        &self,
        client_id: &str,
        secret: &str,
    ) -> OidcResult<MachineCredentialRecord> {
        let mut tx = self.store.read().await?;
        let c = self.live_machine_credential(tx.as_mut(), client_id).await?;
        let offered = self.vault.client_secret_hash(secret);
        if c.auth == ClientAuth::Secret && constant_time_eq(&c.secret_hash, &offered) {
            Ok(c)
        } else {
            Err(OidcError::invalid_client())
        }
    }

    /// The credential an assertion names, for the transport to check the signature with its JWK.
    pub async fn machine_credential_for_assertion(&self, client_id: &str) -> OidcResult<MachineCredentialRecord> {
        let mut tx = self.store.read().await?;
        let c = self.live_machine_credential(tx.as_mut(), client_id).await?;
        if c.auth != ClientAuth::PrivateKeyJwt || c.jwk.is_none() {
            return Err(OidcError::invalid_client());
        }
        Ok(c)
    }

    /// After the transport checked the assertion: each `jti` is accepted once.
    pub async fn accept_machine_assertion(
        &self,
        c: MachineCredentialRecord,
        jti: &str,
        expires_at: Timestamp,
    ) -> OidcResult<MachineCredentialRecord> {
        if c.auth != ClientAuth::PrivateKeyJwt || jti.is_empty() || jti.len() > 255 {
            return Err(OidcError::invalid_client());
        }
        let mut tx = self.store.write().await?;
        let keep_until = expires_at.plus_secs(ASSERTION_LEEWAY_SECS);
        if !tx.record_machine_assertion(c.entity_id, &c.client_id, jti, keep_until).await? {
            return Err(OidcError::oauth("invalid_client", "this client assertion was used before"));
        }
        tx.commit().await?;
        Ok(c)
    }

    /// R36: `client_credentials` for an authenticated machine credential and one resource
    /// (RFC 8707): one of its e-services (usable by its entity) or, with the provisioning
    /// right, the provisioning API. The token never outlives the credential.
    pub async fn machine_token(
        &self,
        ctx: &Ctx,
        authenticated: &MachineCredentialRecord,
        resource: Option<Resource>,
    ) -> OidcResult<MachineIssued> {
        let Some(resource) = resource else {
            return Err(invalid_target("resource is required: an e-service's client_id, or the provisioning API"));
        };
        let mut tx = self.store.write().await?;
        // Read again under the write lock: deleted or narrowed since it authenticated?
        let c = self.live_machine_credential(tx.as_mut(), &authenticated.client_id).await?;
        match &resource {
            Resource::Provisioning if !c.provisioning => {
                return Err(invalid_target("this credential has no provisioning right"))
            }
            Resource::Provisioning => {}
            Resource::EService(code) => {
                if !c.eservices.contains(code) {
                    return Err(invalid_target("this credential may not call that e-service"));
                }
                let e = tx.find_eservice(code).await?.ok_or_else(|| invalid_target("no such e-service"))?;
                if e.requires_registration && !tx.list_registrations(c.entity_id).await?.contains(code) {
                    return Err(invalid_target("the entity is not registered with that e-service"));
                }
            }
        }
        let now = self.clock.now();
        let expires_at = now.plus_secs(self.policy.access_token_ttl_secs).min(c.valid_until);
        let access_token = random_token();
        let record = MachineTokenRecord {
            token_hash: token_hash(&access_token),
            entity_id: c.entity_id,
            client_id: c.client_id.clone(),
            resource: resource.clone(),
            created_at: now,
            expires_at,
        };
        tx.insert_machine_token(&record).await?;
        tx.record_machine_use(c.entity_id, &c.client_id, now, now.plus_secs(-USE_RECORDED_EVERY_SECS)).await?;
        let ev = AuditEvent::new(Actor::Client(c.client_id.clone()), Action::TokenIssued)
            .entity(c.entity_id)
            .target(resource.as_stored().to_string())
            .detail("client_credentials machine_credential");
        self.commit(tx, ctx, &[ev]).await?;
        Ok(MachineIssued { access_token, expires_in: now.secs_until(expires_at), resource })
    }

    /// A machine token when it is live now and for this resource.
    pub(crate) async fn live_machine_token(
        &self,
        tx: &mut dyn Tx,
        token: &str,
        resource: &Resource,
    ) -> OidcResult<Option<MachineTokenFacts>> {
        let Some(f) = tx.find_machine_token(&token_hash(token)).await? else { return Ok(None) };
        Ok((live_at(&f, self.clock.now()) && f.token.resource == *resource).then_some(f))
    }

    /// R33, R36: the provisioning credential behind a bearer at `/scim/v2`: a live access
    /// token for the provisioning API of a live credential that still has the right.
    pub async fn provisioner_of_bearer(&self, _ctx: &Ctx, bearer: &str) -> Result<ProvisionerOf> {
        let mut tx = self.store.read().await?;
        let hash = token_hash(bearer);
        let f = self.live_provisioning_token(tx.as_mut(), &hash).await?;
        Ok(ProvisionerOf {
            entity_id: f.token.entity_id,
            entity_number: f.entity_number,
            client_id: f.token.client_id,
            token_hash: hash,
        })
    }

    /// A SCIM write's transaction, once the provisioner's token is read again inside it: the
    /// write lock serialises every node's writes, so a credential deleted, ended or stripped
    /// of the right while this write waited for the lock writes nothing.
    pub(crate) async fn provisioning_write(&self, p: &ProvisionerOf) -> Result<Box<dyn Tx>> {
        let mut tx = self.store.write().await?;
        self.live_provisioning_token(tx.as_mut(), &p.token_hash).await?;
        Ok(tx)
    }

    async fn live_provisioning_token(&self, tx: &mut dyn Tx, hash: &str) -> Result<MachineTokenFacts> {
        match tx.find_machine_token(hash).await? {
            Some(f) if f.token.resource == Resource::Provisioning && live_at(&f, self.clock.now()) => Ok(f),
            _ => Err(Error::Unauthenticated),
        }
    }
}
