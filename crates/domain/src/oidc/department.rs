//! The department API (R19, R25): an e-service, with its own client credentials, registers
//! entities with its department's e-services, posts notices to an entity's logins, and
//! asks which of an entity's logins may use an e-service. A department acts only on its
//! own e-services.

use super::permission;
use super::tokens::DepartmentClient;
use crate::audit::{Action, Actor, AuditEvent};
use crate::error::{Error, Fields, Result};
use crate::eservice_form::parse_code;
use crate::model::{EServiceRecord, EntityRecord, LoginKind, LoginStatus};
use crate::notifications::{kinds, notify};
use crate::numbers::EntityNumber;
use crate::services::{Ctx, Services};
use crate::store::Tx;
use crate::text::Text;

pub const SUBJECT_MAX: usize = 200;
pub const BODY_MAX: usize = 4000;

/// A login an e-service may let in.
#[derive(Debug, Clone)]
pub struct PermittedLogin {
    pub login_id: String,
    pub name: String,
    pub kind: LoginKind,
}

impl Services {
    /// The e-service and entity a department call names; another department's e-service is
    /// `Forbidden`, an unknown one or an unknown entity `NotFound`.
    async fn department_target(
        &self,
        tx: &mut dyn Tx,
        dept: &DepartmentClient,
        code: &str,
        entity_number: &str,
    ) -> Result<(EServiceRecord, EntityRecord)> {
        let code = parse_code("code", code).map_err(|_| Error::NotFound)?;
        let eservice = tx.find_eservice(&code).await?.ok_or(Error::NotFound)?;
        if eservice.department != dept.department {
            return Err(Error::Forbidden);
        }
        let n = EntityNumber::parse("entity_number", entity_number).map_err(|_| Error::NotFound)?;
        let entity = tx.find_entity_by_number(n.as_str()).await?.ok_or(Error::NotFound)?;
        Ok((eservice, entity))
    }

    fn department_event(dept: &DepartmentClient, action: Action, entity: &EntityRecord, code: &str) -> AuditEvent {
        AuditEvent::new(Actor::Client(dept.client_id.clone()), action).entity(entity.id).target(code.to_string())
    }

    pub async fn department_register(
        &self,
        dept: &DepartmentClient,
        ctx: &Ctx,
        code: &str,
        entity_number: &str,
    ) -> Result<()> {
        let mut tx = self.store.write().await?;
        let (eservice, entity) = self.department_target(tx.as_mut(), dept, code, entity_number).await?;
        tx.upsert_registration(entity.id, &eservice.code, self.clock.now()).await?;
        let ev = Self::department_event(dept, Action::EServiceRegistered, &entity, &eservice.code);
        self.commit(tx, ctx, &[ev]).await
    }

    /// Unregistering leaves assignments in place; sign-ins to an e-service that requires
    /// registration are refused from the next request on, and those made for or by the entity
    /// (under a mandate too, R34) end now.
    pub async fn department_unregister(
        &self,
        dept: &DepartmentClient,
        ctx: &Ctx,
        code: &str,
        entity_number: &str,
    ) -> Result<()> {
        let mut tx = self.store.write().await?;
        let (eservice, entity) = self.department_target(tx.as_mut(), dept, code, entity_number).await?;
        if !tx.delete_registration(entity.id, &eservice.code).await? {
            return Err(Error::NotFound);
        }
        if eservice.requires_registration {
            let grants = tx.live_grants_involving(entity.id, &eservice.code).await?;
            super::logout::end_grants(tx.as_mut(), &grants, self.clock.now(), true).await?;
        }
        let ev = Self::department_event(dept, Action::EServiceUnregistered, &entity, &eservice.code);
        self.commit(tx, ctx, &[ev]).await
    }

    /// R25: a notice in the inbox of every live login of the entity.
    pub async fn department_notify(
        &self,
        dept: &DepartmentClient,
        ctx: &Ctx,
        code: &str,
        entity_number: &str,
        subject: &str,
        body: &str,
    ) -> Result<usize> {
        let mut f = Fields::default();
        let subject = f.take(Text::parse("subject", subject, SUBJECT_MAX));
        let body = f.take(Text::parse("body", body, BODY_MAX));
        let (subject, body) = f.finish_with(|| Some((subject?, body?)))?;
        let mut tx = self.store.write().await?;
        let (eservice, entity) = self.department_target(tx.as_mut(), dept, code, entity_number).await?;
        // Only an entity that deals with the e-service hears from it: registered with it, or
        // with a login assigned to it. Anyone else is not the department's to write to.
        let registered = tx.list_registrations(entity.id).await?.contains(&eservice.code);
        let assigned = tx.list_entity_assignments(entity.id).await?.iter().any(|(_, c)| *c == eservice.code);
        if !registered && !assigned {
            return Err(Error::NotFound);
        }
        let now = self.clock.now();
        let logins = tx.list_logins(entity.id).await?;
        let mut sent = 0;
        for l in logins.iter().filter(|l| l.status != LoginStatus::Deleted) {
            let params = vec![
                ("eservice", eservice.code.clone()),
                ("department", eservice.department.clone()),
                ("subject", subject.to_string()),
                ("body", body.to_string()),
            ];
            notify(tx.as_mut(), now, entity.id, &l.id, kinds::DEPARTMENT_NOTICE, params).await?;
            sent += 1;
        }
        let ev = Self::department_event(dept, Action::DepartmentNotice, &entity, &eservice.code)
            .detail(format!("logins: {sent}"));
        self.commit(tx, ctx, &[ev]).await?;
        Ok(sent)
    }

    /// The entity's logins that may sign into the e-service now.
    pub async fn department_permitted_logins(
        &self,
        dept: &DepartmentClient,
        code: &str,
        entity_number: &str,
    ) -> Result<Vec<PermittedLogin>> {
        let mut tx = self.store.read().await?;
        let (eservice, entity) = self.department_target(tx.as_mut(), dept, code, entity_number).await?;
        let mut out = Vec::new();
        let now = self.clock.now();
        for l in tx.list_logins(entity.id).await? {
            if permission::check(tx.as_mut(), entity.id, &l.id, &eservice.code, permission::Acting::Own, now)
                .await?
                .is_ok()
            {
                out.push(PermittedLogin { login_id: l.id.into(), name: l.name, kind: l.kind });
            }
        }
        Ok(out)
    }
}
