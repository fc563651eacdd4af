//! Who may do what (R15–R20), as types. A `Caller` or `Operator` exists only when a session
//! token checked out; the capability types below can only be built from one, after the
//! tenant check, so a service that takes an `AdminOf` cannot be reached without it. The
//! tenant is always the session's: a path's entity number is only compared with it.

use crate::error::{Error, Result};
use crate::model::{LoginKind, LoginStatus};
use crate::store::Tx;

/// A signed-in login of an entity.
#[derive(Debug, Clone)]
pub struct Caller {
    pub(crate) entity_id: i64,
    pub(crate) entity_number: String,
    pub(crate) login_id: crate::numbers::LoginId,
    pub(crate) kind: LoginKind,
    pub(crate) token_hash: String,
    /// When the session's password sign-in happened (OpenID Connect `auth_time`, `max_age`).
    pub(crate) signed_in_at: crate::clock::Timestamp,
}

/// A signed-in counter operator.
#[derive(Debug, Clone)]
pub struct Operator {
    pub(crate) id: i64,
    pub(crate) username: String,
    pub(crate) token_hash: String,
}

#[derive(Debug, Clone)]
pub enum Principal {
    Login(Caller),
    Operator(Operator),
}

impl Caller {
    pub fn entity_number(&self) -> &str {
        &self.entity_number
    }
    pub fn login_id(&self) -> &str {
        &self.login_id
    }
    pub fn kind(&self) -> LoginKind {
        self.kind
    }

    /// Another entity's data answers as if it did not exist (R20): no hint that it does.
    fn same_tenant(&self, entity_number: &str) -> Result<()> {
        if self.entity_number == entity_number {
            Ok(())
        } else {
            Err(Error::NotFound)
        }
    }

    /// R15, R16, R19: an administrator of this entity.
    pub fn admin_of(&self, entity_number: &str) -> Result<AdminOf<'_>> {
        self.same_tenant(entity_number)?;
        match self.kind {
            LoginKind::Admin => Ok(AdminOf { caller: self }),
            _ => Err(Error::Forbidden),
        }
    }

    /// R15, R16, R19: an administrator of the caller's own entity (a page, whose tenant is
    /// always its session's).
    pub fn admin_of_own(&self) -> Result<AdminOf<'_>> {
        self.admin_of(self.entity_number())
    }

    /// R17: the entity account of the caller's own entity.
    pub fn entity_account_of_own(&self) -> Result<EntityAccountOf<'_>> {
        self.entity_account_of(self.entity_number())
    }

    /// R17: the entity account of this entity.
    pub fn entity_account_of(&self, entity_number: &str) -> Result<EntityAccountOf<'_>> {
        self.same_tenant(entity_number)?;
        match self.kind {
            LoginKind::Entity => Ok(EntityAccountOf { caller: self }),
            _ => Err(Error::Forbidden),
        }
    }

    /// The entity account or an administrator: may see all of the entity's logins and its
    /// audit trail (R26).
    pub fn overseer_of(&self, entity_number: &str) -> Result<OverseerOf<'_>> {
        self.same_tenant(entity_number)?;
        match self.kind {
            LoginKind::Entity | LoginKind::Admin => Ok(OverseerOf { caller: self }),
            LoginKind::Staff => Err(Error::Forbidden),
        }
    }
}

impl Operator {
    pub fn id(&self) -> i64 {
        self.id
    }
    pub fn username(&self) -> &str {
        &self.username
    }
}

pub struct AdminOf<'a> {
    pub(crate) caller: &'a Caller,
}
pub struct EntityAccountOf<'a> {
    pub(crate) caller: &'a Caller,
}
pub struct OverseerOf<'a> {
    pub(crate) caller: &'a Caller,
}

impl AdminOf<'_> {
    /// Re-checked under the write lock: a removal or deletion may have landed since the
    /// session was checked, and a request must not act on rights that are gone.
    pub(crate) async fn still_holds(&self, tx: &mut dyn Tx) -> Result<()> {
        still_holds(tx, self.caller, LoginKind::Admin).await
    }
}

impl EntityAccountOf<'_> {
    pub(crate) async fn still_holds(&self, tx: &mut dyn Tx) -> Result<()> {
        still_holds(tx, self.caller, LoginKind::Entity).await
    }
}

async fn still_holds(tx: &mut dyn Tx, caller: &Caller, kind: LoginKind) -> Result<()> {
    match tx.find_login(caller.entity_id, &caller.login_id).await? {
        Some(l) if l.status == LoginStatus::Active && l.kind == kind => Ok(()),
        Some(l) if l.status == LoginStatus::Active => Err(Error::Forbidden),
        _ => Err(Error::Unauthenticated),
    }
}

/// R33, R36: a machine credential of an entity that holds the provisioning right, built only
/// from an access token issued to it for `/scim/v2` (`Services::provisioner_of_bearer`).
/// It reaches that entity's staff logins and nothing else.
#[derive(Debug, Clone)]
pub struct ProvisionerOf {
    pub(crate) entity_id: i64,
    pub(crate) entity_number: String,
    pub(crate) client_id: String,
    /// The bearer's hash: every write reads the token again under the write lock.
    pub(crate) token_hash: String,
}

impl ProvisionerOf {
    pub fn entity_id(&self) -> i64 {
        self.entity_id
    }
    pub fn entity_number(&self) -> &str {
        &self.entity_number
    }
    /// The machine credential's client id (the audit's actor).
    pub fn client_id(&self) -> &str {
        &self.client_id
    }
}
