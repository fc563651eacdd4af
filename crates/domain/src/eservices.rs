//! The e-service catalogue and who may use what (R19, R21): operators register e-services
//! and record entities' registrations with them; administrators assign their entity's
//! logins to e-services (`assignments.rs`).

use crate::access::{AdminOf, Operator};
use crate::audit::{Action, Actor, AuditEvent};
use crate::error::{Error, Result};
use crate::eservice_form::{parse_code, EServiceInput};
use crate::model::EServiceRecord;
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
}
