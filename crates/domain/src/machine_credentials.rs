//! Machine credentials (R36): an entity's administrator creates a credential for the
//! entity's own software (a name, a generated secret shown once or a public JWK, the
//! e-services it may call or the provisioning right of R33, an end at most two years ahead),
//! narrows its e-services, and deletes it; the entity account and administrators list them.
//! Tokens and their checks are the provider's (`oidc::machine`). Every step is audited.

use rand::RngCore;

use crate::access::{AdminOf, OverseerOf};
use crate::audit::{Action, AuditEvent};
use crate::crypto::random_token;
use crate::error::{Error, FieldError, Fields, Result};
use crate::logins::actor_of;
use crate::machine_credential_form::MachineCredentialInput;
use crate::mandate_form::parse_codes;
use crate::model::oidc::ClientAuth;
use crate::model::{is_machine_client_id, MachineCredentialRecord, MACHINE_CLIENT_PREFIX};
use crate::services::{Ctx, Services};
use crate::store::Tx;
use crate::Code;

/// A new credential, with its secret in clear when it has one: the only time anyone sees it.
#[derive(Debug)]
pub struct CreatedMachineCredential {
    pub credential: MachineCredentialRecord,
    pub secret: Option<String>,
}

fn new_client_id() -> String {
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    format!("{MACHINE_CLIENT_PREFIX}{}", hex::encode(b))
}

/// What the audit says of a credential: its name, e-services and rights, never a secret.
fn detail_of(c: &MachineCredentialRecord) -> String {
    format!(
        "name={} eservices={} provisioning={} auth={} until={}",
        c.name,
        c.eservices.join(","),
        c.provisioning,
        c.auth.as_str(),
        c.valid_until.rfc3339()
    )
}

impl Services {
    /// Each e-service exists and the entity may use it (registered where it requires that),
    /// as for an assignment to a login; faults named `eservices[i]`.
    async fn check_usable(&self, tx: &mut dyn Tx, entity_id: i64, codes: &[String], f: &mut Fields) -> Result<()> {
        let registrations = tx.list_registrations(entity_id).await?;
        for (i, code) in codes.iter().enumerate() {
            let field = format!("eservices[{i}]");
            match tx.find_eservice(code).await? {
                None => f.push(FieldError::new(field, Code::UnknownEservice, "no e-service has this code")),
                Some(e) if e.requires_registration && !registrations.contains(&e.code) => f.push(FieldError::new(
                    field,
                    Code::EntityNotRegistered,
                    "the entity must register with this e-service first",
                )),
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// R36: an administrator creates a machine credential for the entity's own software.
    pub async fn create_machine_credential(
        &self,
        admin: &AdminOf<'_>,
        ctx: &Ctx,
        input: MachineCredentialInput,
    ) -> Result<CreatedMachineCredential> {
        let refusal = AuditEvent::new(actor_of(admin.caller), Action::MachineCredentialCreated)
            .detail(format!("name={}", input.name.trim().chars().take(100).collect::<String>()));
        self.attempts_audited(ctx, refusal, async move {
            let now = self.clock.now();
            let mut f = Fields::default();
            let parsed = input.parse(now, &mut f);
            let mut tx = self.store.write().await?;
            admin.still_holds(tx.as_mut()).await?;
            let Some(p) = parsed else { return Err(Error::Validation(f.into_vec())) };
            self.check_usable(tx.as_mut(), admin.caller.entity_id, &p.eservices, &mut f).await?;
            f.finish()?;
            let secret = p.jwk.is_none().then(random_token);
            let credential = MachineCredentialRecord {
                entity_id: admin.caller.entity_id,
                client_id: new_client_id(),
                name: p.name,
                auth: if p.jwk.is_some() { ClientAuth::PrivateKeyJwt } else { ClientAuth::Secret },
                secret_hash: secret.as_deref().map(|s| self.vault.client_secret_hash(s)).unwrap_or_default(),
                jwk: p.jwk.map(|j| j.json),
                eservices: p.eservices,
                provisioning: p.provisioning,
                valid_until: p.valid_until,
                created_by: admin.caller.login_id.clone(),
                created_at: now,
                last_used_at: None,
                warned_days: None,
            };
            tx.insert_machine_credential(&credential).await?;
            let ev = AuditEvent::new(actor_of(admin.caller), Action::MachineCredentialCreated)
                .target(credential.client_id.clone())
                .detail(detail_of(&credential));
            self.commit(tx, ctx, &[ev]).await?;
            Ok(CreatedMachineCredential { credential, secret })
        })
        .await
    }

    /// The entity's machine credentials, by name (the entity account and administrators).
    pub async fn list_machine_credentials(&self, who: &OverseerOf<'_>) -> Result<Vec<MachineCredentialRecord>> {
        let mut tx = self.store.read().await?;
        Ok(tx.list_machine_credentials(who.caller.entity_id).await?)
    }

    /// One of the entity's credentials; another entity's answers as if it did not exist.
    pub async fn find_machine_credential(
        &self,
        who: &OverseerOf<'_>,
        client_id: &str,
    ) -> Result<MachineCredentialRecord> {
        let mut tx = self.store.read().await?;
        own_credential(tx.as_mut(), who.caller.entity_id, client_id).await
    }

    /// R36: replaces the credential's e-services; a token for one taken away stops at once.
    pub async fn set_machine_credential_eservices(
        &self,
        admin: &AdminOf<'_>,
        ctx: &Ctx,
        client_id: &str,
        eservices: Vec<String>,
    ) -> Result<MachineCredentialRecord> {
        let refusal = AuditEvent::new(actor_of(admin.caller), Action::MachineCredentialEservicesSet)
            .target(client_id.chars().take(64).collect::<String>());
        self.attempts_audited(ctx, refusal, async move {
            let mut f = Fields::default();
            let mut tx = self.store.write().await?;
            admin.still_holds(tx.as_mut()).await?;
            let mut c = own_credential(tx.as_mut(), admin.caller.entity_id, client_id).await?;
            let codes = if eservices.is_empty() && c.provisioning {
                Some(Vec::new())
            } else {
                parse_codes("eservices", &eservices, &mut f)
            };
            let Some(mut codes) = codes else { return Err(Error::Validation(f.into_vec())) };
            codes.sort();
            self.check_usable(tx.as_mut(), c.entity_id, &codes, &mut f).await?;
            f.finish()?;
            tx.update_machine_credential_eservices(c.entity_id, &c.client_id, &codes).await?;
            c.eservices = codes;
            let ev = AuditEvent::new(actor_of(admin.caller), Action::MachineCredentialEservicesSet)
                .target(c.client_id.clone())
                .detail(detail_of(&c));
            self.commit(tx, ctx, &[ev]).await?;
            Ok(c)
        })
        .await
    }

    /// R36: deletes a credential; its tokens stop at once.
    pub async fn delete_machine_credential(&self, admin: &AdminOf<'_>, ctx: &Ctx, client_id: &str) -> Result<()> {
        let mut tx = self.store.write().await?;
        admin.still_holds(tx.as_mut()).await?;
        let c = own_credential(tx.as_mut(), admin.caller.entity_id, client_id).await?;
        if !tx.delete_machine_credential(c.entity_id, &c.client_id).await? {
            return Err(Error::NotFound);
        }
        let ev = AuditEvent::new(actor_of(admin.caller), Action::MachineCredentialDeleted)
            .target(c.client_id.clone())
            .detail(detail_of(&c));
        self.commit(tx, ctx, &[ev]).await
    }
}

/// The entity's credential by client id; not a machine client id, or another entity's,
/// answers `NotFound` (the former without asking the database).
async fn own_credential(tx: &mut dyn Tx, entity_id: i64, client_id: &str) -> Result<MachineCredentialRecord> {
    if !is_machine_client_id(client_id) {
        return Err(Error::NotFound);
    }
    match tx.find_machine_credential(client_id).await? {
        Some(c) if c.entity_id == entity_id => Ok(c),
        _ => Err(Error::NotFound),
    }
}
