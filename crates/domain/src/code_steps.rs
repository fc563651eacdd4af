//! The steps activation (R9, R10) and password reset (R12) share: whether a one-time code is
//! still good, counting a wrong try, spending the code under the write lock, and hashing the
//! password the person chose.

use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::model::{CodePurpose, CodeRecord, LoginRecord};
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
        login: &LoginRecord,
        purpose: CodePurpose,
        hash: &str,
        now: Timestamp,
    ) -> Result<()> {
        let max = self.policy.code_max_failures;
        let found = tx.find_code(login.entity_id, &login.id, purpose).await?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn code(used: bool, failures: i64, expires_at: i64) -> CodeRecord {
        CodeRecord {
            entity_id: 1,
            login_id: crate::numbers::LoginId::generate(),
            purpose: CodePurpose::Activation,
            code_hash: "right".into(),
            expires_at: Timestamp(expires_at),
            failures,
            used,
        }
    }

    /// R9 (and R12's reset codes): a code opens only while unused, unexpired and under five
    /// wrong tries, and only with its own hash. Both the check before hashing and the spend
    /// under the write lock ask this one question.
    #[test]
    fn r9_a_code_is_accepted_only_unused_unexpired_under_its_wrong_tries_and_right() {
        let (now, max) = (Timestamp(100), 5);
        assert!(code(false, 4, 101).accepts("right", now, max));
        assert!(!code(false, 4, 101).accepts("wrong", now, max), "another code");
        assert!(!code(true, 0, 101).accepts("right", now, max), "single use");
        assert!(!code(false, 5, 101).accepts("right", now, max), "void after five wrong tries");
        assert!(!code(false, 0, 100).accepts("right", now, max), "expired at its end");
    }
}
