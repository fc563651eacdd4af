//! The storage port for mandates (R34, R35): entities authorising entities, the logins that
//! act under a mandate, the access decision for a login acting for another entity, and the
//! sign-ins made under a mandate (to end them with it).

use crate::clock::Timestamp;
use crate::error::StoreResult;
use crate::model::oidc::GrantRecord;
use crate::model::{ActingLogin, MandateLoginRecord, MandateRecord, MandateStatus, MandatedAccessFacts, Mandator};

#[async_trait::async_trait]
pub trait MandatesTx: Send {
    async fn insert_mandate(&mut self, m: &MandateRecord) -> StoreResult<()>;
    async fn find_mandate(&mut self, id: &str) -> StoreResult<Option<MandateRecord>>;
    /// The mandate offered or active from one entity to another, if any.
    async fn find_live_mandate(&mut self, from_entity_id: i64, to_entity_id: i64)
        -> StoreResult<Option<MandateRecord>>;
    /// Every mandate the entity gave or received, newest first.
    async fn list_mandates_of(&mut self, entity_id: i64) -> StoreResult<Vec<MandateRecord>>;
    /// Moves a mandate from `from` to `to`; false when it was no longer in `from`.
    async fn set_mandate_status(
        &mut self,
        id: &str,
        from: MandateStatus,
        to: MandateStatus,
        by: &str,
        at: Timestamp,
    ) -> StoreResult<bool>;
    /// Replaces a login's assignments under one mandate by these.
    async fn replace_mandate_logins(
        &mut self,
        entity_id: i64,
        login_id: &str,
        mandate_id: &str,
        rows: &[MandateLoginRecord],
    ) -> StoreResult<()>;
    /// The logins acting under a mandate, by name and e-service (deleted ones left out).
    async fn list_acting_logins(&mut self, mandate_id: &str) -> StoreResult<Vec<ActingLogin>>;
    /// Everything the decision needs when a login acts for `represented_entity_id`, in one
    /// statement; `None` when the login, the represented entity or the e-service does not exist.
    async fn find_mandated_access(
        &mut self,
        entity_id: i64,
        login_id: &str,
        represented_entity_id: i64,
        code: &str,
    ) -> StoreResult<Option<MandatedAccessFacts>>;
    /// The entities whose active mandate, unended at `now`, lets this login act for them at
    /// the e-service (R35's chooser; each is still asked of `find_mandated_access`).
    async fn mandators_of_login(
        &mut self,
        entity_id: i64,
        login_id: &str,
        code: &str,
        now: Timestamp,
    ) -> StoreResult<Vec<Mandator>>;
    /// Live grants made under a mandate; only the login's, and only the e-service's, when given.
    async fn live_grants_under_mandate(
        &mut self,
        mandate_id: &str,
        login_id: Option<&str>,
        code: Option<&str>,
    ) -> StoreResult<Vec<GrantRecord>>;
    /// Live grants of the e-service that involve the entity, as the login's entity or as the
    /// represented one (the entity is no longer registered with it).
    async fn live_grants_involving(&mut self, entity_id: i64, code: &str) -> StoreResult<Vec<GrantRecord>>;
    /// Active mandates whose sign-ins the sweep has not ended and whose end has come (before
    /// `now`), or comes before `first_by` with no notice sent, or before `last_by` with only
    /// the first notice (`warned_days` > `last_days`) sent.
    async fn list_ending_mandates(
        &mut self,
        now: Timestamp,
        first_by: Timestamp,
        last_by: Timestamp,
        last_days: i64,
        limit: i64,
    ) -> StoreResult<Vec<MandateRecord>>;
    /// Records the sweep's notice (`warned_days`) and its end of the mandate's sign-ins.
    async fn mark_mandate_swept(
        &mut self,
        id: &str,
        warned_days: Option<i64>,
        swept_at: Option<Timestamp>,
    ) -> StoreResult<()>;
}
