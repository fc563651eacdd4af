//! One write transaction at a time in this process, queued in order before it takes a
//! connection. Both backends serialise writes anyway (SQLite has one writer; PostgreSQL's
//! writes all lock the audit chain's head first), but they make the waiting expensive: a
//! SQLite writer waits inside `BEGIN IMMEDIATE`, sleeping in the busy handler's steps of up to
//! 100 ms while the lock may long be free, and on both a waiting writer holds a pooled
//! connection that readers then lack. Here writers wait on a fair queue holding nothing, and
//! the database's own lock still orders this process against others (the command line, or
//! other nodes on one PostgreSQL).

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

#[derive(Clone)]
pub(crate) struct WriteGate(Arc<Semaphore>);

/// This process's turn to write, held by the write transaction until it ends.
pub(crate) type WriteTurn = OwnedSemaphorePermit;

impl Default for WriteGate {
    fn default() -> Self {
        WriteGate(Arc::new(Semaphore::new(1)))
    }
}

impl WriteGate {
    pub(crate) async fn turn(&self) -> WriteTurn {
        self.0.clone().acquire_owned().await.expect("the write gate is never closed")
    }
}
