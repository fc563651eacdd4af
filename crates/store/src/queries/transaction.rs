//! A backend's `Store` and its transaction type: a pooled connection for reads, a write
//! transaction behind this process's write gate and the database's write lock for writes.

/// Defines `$DbTx` and implements `Store` for `$Store` and `Tx` (its commit) for `$DbTx`.
/// `$begin_write` is the backend's way to open a write transaction holding the write lock.
macro_rules! impl_transaction {
    ($DbTx:ident, $Store:ident, $Db:ty, $begin_write:ident) => {
        enum Conn {
            Tx(sqlx::Transaction<'static, $Db>),
            Pooled(sqlx::pool::PoolConnection<$Db>),
        }

        pub struct $DbTx {
            conn: Conn,
            /// A write transaction's turn (`write_gate.rs`), given back when it ends.
            _turn: Option<$crate::write_gate::WriteTurn>,
        }

        impl $DbTx {
            /// The connection every area's statements run on.
            fn c(&mut self) -> &mut <$Db as sqlx::Database>::Connection {
                match &mut self.conn {
                    Conn::Tx(t) => &mut **t,
                    Conn::Pooled(p) => &mut **p,
                }
            }
        }

        #[async_trait::async_trait]
        impl domain::store::Store for $Store {
            async fn read(&self) -> domain::store::StoreResult<Box<dyn domain::store::Tx>> {
                let c =
                    self.breaker.call(self.pool.acquire(), || self.probe()).await.map_err($crate::error::map_err)?;
                Ok(Box::new($DbTx { conn: Conn::Pooled(c), _turn: None }))
            }
            async fn write(&self) -> domain::store::StoreResult<Box<dyn domain::store::Tx>> {
                // The turn first, outside the breaker: a writer queued behind one that found
                // the database away is then refused at once by the open breaker.
                let turn = self.writers.turn().await;
                let t = self
                    .breaker
                    .call($begin_write(&self.pool), || self.probe())
                    .await
                    .map_err($crate::error::map_err)?;
                Ok(Box::new($DbTx { conn: Conn::Tx(t), _turn: Some(turn) }))
            }
            async fn ping(&self) -> domain::store::StoreResult<()> {
                let mut c =
                    self.breaker.call(self.pool.acquire(), || self.probe()).await.map_err($crate::error::map_err)?;
                sqlx::query("SELECT 1").execute(&mut *c).await.map_err($crate::error::map_err)?;
                Ok(())
            }
            fn pool_stats(&self) -> domain::store::PoolStats {
                domain::store::PoolStats {
                    open: self.pool.size(),
                    idle: self.pool.num_idle() as u32,
                    max: self.pool.options().get_max_connections(),
                }
            }
        }

        impl $Store {
            /// Whether the database answers, for the breaker's background probe.
            fn probe(&self) -> impl std::future::Future<Output = Result<(), sqlx::Error>> + Send + 'static {
                let pool = self.pool.clone();
                async move {
                    let mut c = pool.acquire().await?;
                    sqlx::query("SELECT 1").execute(&mut *c).await?;
                    Ok(())
                }
            }
        }

        #[async_trait::async_trait]
        impl domain::store::Tx for $DbTx {
            async fn commit(self: Box<Self>) -> domain::store::StoreResult<()> {
                match self.conn {
                    Conn::Tx(t) => t.commit().await.map_err($crate::error::map_err),
                    Conn::Pooled(_) => Ok(()),
                }
            }
        }
    };
}
