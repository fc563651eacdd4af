//! Stand-in until R36's machine credentials land (`Services::provisioner_of_bearer` is
//! theirs): no bearer is a provisioning credential yet, so every SCIM call answers 401.

use crate::access::ProvisionerOf;
use crate::error::{Error, Result};
use crate::services::{Ctx, Services};

impl Services {
    pub async fn provisioner_of_bearer(&self, _ctx: &Ctx, _bearer: &str) -> Result<ProvisionerOf> {
        Err(Error::Unauthenticated)
    }
}
