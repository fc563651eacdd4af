//! The e-service catalogue and who may use what (R19, R21): operators register e-services
//! and record entities' registrations with them; administrators assign their entity's
//! logins to e-services.

use crate::access::{AdminOf, Caller, Operator};
use crate::audit::{Action, Actor, AuditEvent};
use crate::error::{Error, FieldError, Fields, Result};
use crate::eservice_form::{parse_code, EServiceInput};
use crate::logins::actor_of;
use crate::model::*;
use crate::notifications::{kinds, notify};
use crate::numbers::EntityNumber;
use crate::oidc::clients::Registrar;
use crate::services::{Ctx, Services};
use crate::store::{StoreError, Tx};
use crate::Code;

impl Services {
    pub async fn create_eservice(&self, op: &Operator, ctx: &Ctx, input: EServiceInput) -> Result<EServiceRecord> {
        Ok(self.register_eservice(Registrar::Operator(op), ctx, input, None).await?.eservice)
    }

    pub(crate) async fn insert_eservice(&self, tx: &mut dyn Tx, record: &EServiceRecord) -> Result<()> {
        match tx.insert_eservice(record).await {
            Ok(()) => Ok(()),
            Err(StoreError::Conflict(_)) => {
                Err(Error::conflict(Code::EserviceExists, "an e-service with this code exists"))
            }
            Err(e) => Err(e.into()),
        }
    }

    pub async fn find_eservice(&self, code: &str) -> Result<Option<EServiceRecord>> {
        let mut tx = self.store.read().await?;
        Ok(tx.find_eservice(code).await?)
    }

    pub async fn list_eservices(&self) -> Result<Vec<EServiceRecord>> {
        let mut tx = self.store.read().await?;
        Ok(tx.list_eservices().await?)
    }

    /// R19 [FAQ 19]: the codes of the e-services the administrator's entity is registered
    /// with, so that a page can show which assignments are possible and why not.
    pub async fn entity_registrations(&self, admin: &AdminOf<'_>) -> Result<Vec<String>> {
        let mut tx = self.store.read().await?;
        Ok(tx.list_registrations(admin.caller.entity_id).await?)
    }

    /// R19 [FAQ 19]: the counter records that an entity registered with an e-service.
    pub async fn register_entity_eservice(
        &self,
        op: &Operator,
        ctx: &Ctx,
        entity_number: &str,
        code: &str,
    ) -> Result<()> {
        let n = EntityNumber::parse("entity_number", entity_number).map_err(|_| Error::NotFound)?;
        let code = &*parse_code("code", code).map_err(|_| Error::NotFound)?;
        let mut tx = self.store.write().await?;
        let entity = tx.find_entity_by_number(n.as_str()).await?.ok_or(Error::NotFound)?;
        tx.find_eservice(code).await?.ok_or(Error::NotFound)?;
        tx.upsert_registration(entity.id, code, self.clock.now()).await?;
        let ev = AuditEvent::new(Actor::Operator(op.id), Action::EServiceRegistered).entity(entity.id).target(code);
        self.commit(tx, ctx, &[ev]).await
    }

    /// R19: replaces a login's e-services. Each must exist and, where it requires it, the
    /// entity must be registered with it. The entity account uses no e-services.
    pub async fn assign_eservices(
        &self,
        admin: &AdminOf<'_>,
        ctx: &Ctx,
        login_id: &str,
        codes: Vec<String>,
    ) -> Result<Vec<String>> {
        let refusal = AuditEvent::new(actor_of(admin.caller), Action::EServicesAssigned).target(login_id);
        self.refusals_audited(ctx, refusal, async move {
            let mut tx = self.store.write().await?;
            admin.still_holds(tx.as_mut()).await?;
            let (wanted, ev) = self.replace_assignments(tx.as_mut(), admin.caller, login_id, &codes).await?;
            self.commit(tx, ctx, &[ev]).await?;
            Ok(wanted)
        })
        .await
    }

    /// R19 for many logins at once (the pages' matrix): every row is saved, or none. A row
    /// that cannot be saved is named by the field `eservices:{login_id}`.
    pub async fn assign_matrix(&self, admin: &AdminOf<'_>, ctx: &Ctx, rows: Vec<(String, Vec<String>)>) -> Result<()> {
        let refusal = AuditEvent::new(actor_of(admin.caller), Action::EServicesAssigned).target("matrix");
        self.refusals_audited(ctx, refusal, async move {
            if rows.len() > 10_000 {
                return Err(Error::field("logins", Code::TooMany, "at most 10000 logins at once"));
            }
            let mut tx = self.store.write().await?;
            admin.still_holds(tx.as_mut()).await?;
            let mut f = Fields::default();
            let mut events = Vec::new();
            for (login_id, codes) in &rows {
                let field = format!("eservices:{login_id}");
                match self.replace_assignments(tx.as_mut(), admin.caller, login_id, codes).await {
                    Ok((_, ev)) => events.push(ev),
                    Err(Error::Validation(list)) => {
                        let first = list.into_iter().next();
                        let (code, message) =
                            first.map(|e| (e.code, e.message)).unwrap_or((Code::Invalid, String::new()));
                        f.push(FieldError::new(field, code, message));
                    }
                    Err(Error::Conflict { code, message }) => f.push(FieldError::new(field, code, message)),
                    Err(e) => return Err(e),
                }
            }
            // A refused row drops the transaction: the rows before it are not saved either.
            f.finish()?;
            self.commit(tx, ctx, &events).await
        })
        .await
    }

    /// Checks and writes one login's new e-services inside `tx`; the audit event to commit.
    async fn replace_assignments(
        &self,
        tx: &mut dyn Tx,
        c: &Caller,
        login_id: &str,
        codes: &[String],
    ) -> Result<(Vec<String>, AuditEvent)> {
        let login_id = &crate::numbers::LoginId::parse(login_id)?;
        if codes.len() > 500 {
            return Err(Error::field("eservices", Code::TooMany, "at most 500 e-services"));
        }
        let login = match tx.find_login(c.entity_id, login_id).await? {
            Some(l) if l.status != LoginStatus::Deleted => l,
            _ => return Err(Error::NotFound),
        };
        if login.kind == LoginKind::Entity {
            return Err(Error::conflict(
                Code::EntityAccountHasNoEservices,
                "the entity account does not use e-services",
            ));
        }
        let registrations = tx.list_registrations(c.entity_id).await?;
        let mut f = Fields::default();
        let mut wanted: Vec<String> = Vec::new();
        for (i, code) in codes.iter().enumerate() {
            let field = format!("eservices[{i}]");
            if let Err(e) = parse_code(&field, code) {
                f.push(e);
                continue;
            }
            match tx.find_eservice(code).await? {
                None => f.push(FieldError::new(field, Code::UnknownEservice, "no e-service has this code")),
                Some(e) if e.requires_registration && !registrations.contains(&e.code) => f.push(FieldError::new(
                    field,
                    Code::EntityNotRegistered,
                    "the entity must register with this e-service first",
                )),
                Some(e) => {
                    if !wanted.contains(&e.code) {
                        wanted.push(e.code);
                    }
                }
            }
        }
        f.finish()?;
        wanted.sort();
        let before = tx.list_login_eservices(c.entity_id, login_id).await?;
        let now = self.clock.now();
        tx.replace_login_eservices(c.entity_id, login_id, &wanted, now).await?;
        let added: Vec<String> = wanted.iter().filter(|w| !before.contains(w)).cloned().collect();
        let removed: Vec<String> = before.iter().filter(|b| !wanted.contains(b)).cloned().collect();
        crate::oidc::logout::end_login_eservices(tx, c.entity_id, login_id, &removed, now).await?;
        if !added.is_empty() {
            notify(tx, now, c.entity_id, login_id, kinds::ESERVICES_ASSIGNED, vec![("eservices", added.join(","))])
                .await?;
        }
        let ev = AuditEvent::new(actor_of(c), Action::EServicesAssigned).target(login_id).detail(wanted.join(","));
        Ok((wanted, ev))
    }
}
