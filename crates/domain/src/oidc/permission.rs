//! Whether a login may use an e-service now (R19): asked at sign-in, at code redemption,
//! at every refresh, userinfo and introspection, so a removed assignment or a deleted login
//! takes effect on the very next request.

use crate::model::{EServiceRecord, EntityRecord, LoginKind, LoginRecord, LoginStatus};
use crate::store::{StoreResult, Tx};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    /// Deleted, or not yet activated.
    LoginNotActive,
    /// The entity account manages logins and uses no e-services itself.
    EntityAccount,
    NotAssigned,
    EntityNotRegistered,
    UnknownEService,
}

impl Denial {
    pub fn code(self) -> &'static str {
        match self {
            Denial::LoginNotActive => "login_not_active",
            Denial::EntityAccount => "entity_account_has_no_eservices",
            Denial::NotAssigned => "eservice_not_assigned",
            Denial::EntityNotRegistered => "entity_not_registered",
            Denial::UnknownEService => "unknown_eservice",
        }
    }

    /// Why, for the e-service's `error_description` (the person's page translates the code).
    pub fn description(self) -> &'static str {
        match self {
            Denial::LoginNotActive => "the login is not active",
            Denial::EntityAccount => "the entity account does not use e-services",
            Denial::NotAssigned => "the entity's administrator has not assigned this e-service to the login",
            Denial::EntityNotRegistered => "the entity is not registered with this e-service",
            Denial::UnknownEService => "the e-service is not in the catalogue",
        }
    }
}

/// What a permitted sign-in is about: the claims are made from these.
#[derive(Debug, Clone)]
pub struct Permitted {
    pub login: LoginRecord,
    pub entity: EntityRecord,
    pub eservice: EServiceRecord,
}

pub async fn check(
    tx: &mut dyn Tx,
    entity_id: i64,
    login_id: &str,
    eservice_code: &str,
) -> StoreResult<Result<Permitted, Denial>> {
    let Some(login) = tx.find_login(entity_id, login_id).await?.filter(|l| l.status == LoginStatus::Active) else {
        return Ok(Err(Denial::LoginNotActive));
    };
    if login.kind == LoginKind::Entity {
        return Ok(Err(Denial::EntityAccount));
    }
    let Some(access) = tx.find_eservice_access(entity_id, login_id, eservice_code).await? else {
        return Ok(Err(Denial::UnknownEService));
    };
    if !access.assigned {
        return Ok(Err(Denial::NotAssigned));
    }
    if access.eservice.requires_registration && !access.registered {
        return Ok(Err(Denial::EntityNotRegistered));
    }
    let Some(entity) = tx.find_entity(entity_id).await? else {
        return Ok(Err(Denial::LoginNotActive));
    };
    Ok(Ok(Permitted { login, entity, eservice: access.eservice }))
}
