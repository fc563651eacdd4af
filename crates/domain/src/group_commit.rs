//! Group commit, for client_credentials tokens now. Each token is a change with its audit record
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

use std::future::Future;
use std::sync::Mutex;

use tokio::sync::oneshot;

use crate::audit::AuditEvent;
use crate::error::{Error, Result};
use crate::model::oidc::{GrantRecord, TokenRecord};
use crate::store::StoreError;

/// Most requests one transaction carries.
const MAX_BATCH: usize = 256;

/// One client_credentials request's writes.
pub struct Issuance {
    pub(crate) grant: GrantRecord,
    pub(crate) token: TokenRecord,
    pub(crate) event: AuditEvent,
    pub(crate) source: String,
}

type Answer = oneshot::Sender<std::result::Result<(), Error>>;

/// Requests waiting for the next commit, and whether one of them leads.
pub struct GroupCommit<T>(Mutex<Queue<T>>);

struct Queue<T> {
    waiting: Vec<(T, Answer)>,
    leading: bool,
}

impl<T> Default for GroupCommit<T> {
    fn default() -> Self {
        GroupCommit(Mutex::new(Queue { waiting: Vec::new(), leading: false }))
    }
}

impl<T> GroupCommit<T> {
    fn lock(&self) -> std::sync::MutexGuard<'_, Queue<T>> {
        self.0.lock().expect("no panic while holding the group commit's queue")
    }

    /// Queues `item` for the next commit and returns once that commit is durable. `write`
    /// makes one transaction of a batch and commits it; the leader calls it, batch by batch.
    pub(crate) async fn submit<F, Fut>(&self, item: T, write: F) -> Result<()>
    where
        F: Fn(Vec<T>) -> Fut,
        Fut: Future<Output = Result<()>>,
    {
        let (answer, answered) = oneshot::channel();
        let lead = {
            let mut q = self.lock();
            q.waiting.push((item, answer));
            !std::mem::replace(&mut q.leading, true)
        };
        if lead {
            self.lead(write).await;
        }
        match answered.await {
            Ok(result) => result,
            Err(_) => Err(StoreError::Unavailable("the group commit carrying this request stopped".into()).into()),
        }
    }

    async fn lead<F, Fut>(&self, write: F)
    where
        F: Fn(Vec<T>) -> Fut,
        Fut: Future<Output = Result<()>>,
    {
        let mut leading = Leading { queue: self, handed_back: false };
        loop {
            let batch: Vec<(T, Answer)> = {
                let mut q = leading.queue.lock();
                if q.waiting.is_empty() {
                    q.leading = false;
                    leading.handed_back = true;
                    return;
                }
                let n = q.waiting.len().min(MAX_BATCH);
                q.waiting.drain(..n).collect()
            };
            let (items, answers): (Vec<T>, Vec<Answer>) = batch.into_iter().unzip();
            let result = write(items).await;
            for answer in answers {
                let _ = answer.send(match &result {
                    Ok(()) => Ok(()),
                    Err(e) => Err(for_each_request(e)),
                });
            }
        }
    }
}

/// The leadership. A leader that finds nobody waiting hands it back in the same critical
/// section (so no request can queue unseen); one stopped early answers every request still
/// waiting with an error (by dropping their senders) as it drops.
struct Leading<'a, T> {
    queue: &'a GroupCommit<T>,
    handed_back: bool,
}

impl<T> Drop for Leading<'_, T> {
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
