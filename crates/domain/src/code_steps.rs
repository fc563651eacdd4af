//! The steps activation (R9, R10) and password reset (R12) share: whether a one-time code is
//! still good, counting a wrong try, spending the code under the write lock, and hashing the
//! password the person chose.

use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::model::{CodePurpose, CodeRecord};
use crate::services::Services;
use crate::store::Tx;

impl CodeRecord {
    /// Whether `hash` opens this code at `now`: unused, not void after `max_failures` wrong
    /// tries, not expired, and the same code.
    pub fn accepts(&self, hash: &str, now: Timestamp, max_failures: i64) -> bool {
        !self.used && self.failures < max_failures && self.expires_at > now && self.code_hash == hash
    }
}

impl Services {
    /// A wrong try at a known code counts against it: enough of them void it (R9).
    pub(crate) async fn count_wrong_try(&self, tx: &mut dyn Tx, mut record: CodeRecord) -> Result<()> {
        if !record.used {
            record.failures += 1;
            tx.upsert_code(&record).await?;
        }
        Ok(())
    }

    /// Spends the login's code, under the write lock: since it was checked it may have been
    /// used, replaced by a new one or voided, and then nothing is spent.
    pub(crate) async fn spend_code(
        &self,
        tx: &mut dyn Tx,
        (entity_id, login_id): (i64, &str),
        purpose: CodePurpose,
        hash: &str,
        now: Timestamp,
    ) -> Result<()> {
        let max = self.policy.code_max_failures;
        let found = tx.find_code(entity_id, login_id, purpose).await?;
        let mut code = found.filter(|c| c.accepts(hash, now, max)).ok_or(Error::InvalidCode)?;
        code.used = true;
        tx.upsert_code(&code).await?;
        Ok(())
    }

    /// The password a person chose, checked against the policy and against their own words
    /// (username, the entity's names), then hashed on the hashing pool.
    pub(crate) async fn hash_chosen_password(&self, raw: &str, context: &[&str]) -> Result<String> {
        let password = self.policy.password.check("password", raw, context).map_err(|e| Error::Validation(vec![e]))?;
        Ok(self.hasher.hash(password).await?)
    }
}
