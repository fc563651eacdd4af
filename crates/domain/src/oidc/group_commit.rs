//! Group commit for client_credentials tokens. Each token is a change with its audit record
//! in the same transaction (R26), and write transactions are serialised, so one at a time
//! issuance was bound by the database's commit (a flush to disk each). Requests that arrive
//! while a commit is under way join the next one: one transaction writes every waiting
//! request's grant, token and audit record, and its commit makes all of them durable before
//! any of them is answered. Nothing is answered that is not on disk, and a failed commit
//! fails every request in it.
//!
//! The first request to find no commit under way leads: it writes batches until none is
//! waiting. If the leader's future is dropped mid-way, every request it was carrying or
//! that was waiting is answered with an error at once, and the next request leads anew.

use std::sync::Mutex;

use tokio::sync::oneshot;

use super::model::{GrantRecord, TokenRecord};
use crate::audit::{self, AuditEvent};
use crate::error::{Error, Result};
use crate::services::Services;
use crate::store::StoreError;

/// Most requests one transaction carries.
const MAX_BATCH: usize = 256;

/// One request's writes.
pub(crate) struct Issuance {
    pub grant: GrantRecord,
    pub token: TokenRecord,
    pub event: AuditEvent,
    pub source: String,
}

type Answer = oneshot::Sender<std::result::Result<(), Error>>;

#[derive(Default)]
pub struct IssueQueue(Mutex<Queue>);

#[derive(Default)]
struct Queue {
    waiting: Vec<(Issuance, Answer)>,
    leading: bool,
}

impl IssueQueue {
    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.0.lock().expect("no panic while holding the issue queue")
    }
}

/// The leadership. A leader that finds nobody waiting hands it back in the same critical
/// section (so no request can queue unseen); one stopped early answers every request still
/// waiting with an error (by dropping their senders) as it drops.
struct Leading<'a> {
    queue: &'a IssueQueue,
    handed_back: bool,
}

impl Drop for Leading<'_> {
    fn drop(&mut self) {
        if !self.handed_back {
            let mut q = self.queue.lock();
            q.leading = false;
            q.waiting.clear();
        }
    }
}

/// A copy of a failed commit's error for each request it carried.
fn for_each_request(e: &Error) -> Error {
    match e {
        Error::Store(StoreError::Unavailable(m)) => Error::Store(StoreError::Unavailable(m.clone())),
        Error::Store(StoreError::Conflict(c)) => Error::Store(StoreError::Conflict(c)),
        other => Error::Internal(other.to_string()),
    }
}

impl Services {
    /// Writes `item` in the next group commit; returns once it is durable.
    pub(crate) async fn issue_in_group(&self, item: Issuance) -> Result<()> {
        let (answer, answered) = oneshot::channel();
        let lead = {
            let mut q = self.issue_queue.lock();
            q.waiting.push((item, answer));
            !std::mem::replace(&mut q.leading, true)
        };
        if lead {
            self.lead_issuance().await;
        }
        match answered.await {
            Ok(result) => result,
            Err(_) => Err(StoreError::Unavailable("the group commit carrying this token stopped".into()).into()),
        }
    }

    async fn lead_issuance(&self) {
        let mut leading = Leading { queue: &self.issue_queue, handed_back: false };
        loop {
            let batch: Vec<(Issuance, Answer)> = {
                let mut q = leading.queue.lock();
                if q.waiting.is_empty() {
                    q.leading = false;
                    leading.handed_back = true;
                    return;
                }
                let n = q.waiting.len().min(MAX_BATCH);
                q.waiting.drain(..n).collect()
            };
            let (items, answers): (Vec<Issuance>, Vec<Answer>) = batch.into_iter().unzip();
            let result = self.write_issuances(&items).await;
            for answer in answers {
                let _ = answer.send(match &result {
                    Ok(()) => Ok(()),
                    Err(e) => Err(for_each_request(e)),
                });
            }
        }
    }

    async fn write_issuances(&self, items: &[Issuance]) -> Result<()> {
        let mut tx = self.store.write().await?;
        let now = self.clock.now();
        for it in items {
            tx.insert_grant(&it.grant).await?;
            tx.insert_token(&it.token).await?;
            audit::append(tx.as_mut(), &self.vault, now, &it.source, std::slice::from_ref(&it.event)).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
