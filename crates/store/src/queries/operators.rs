//! The SQL of `OperatorsTx`: counter operators' accounts, and the row they are read
//! into (`OperatorRow`, converted into the domain's `OperatorRecord` here only).

use domain::clock::Timestamp;
use domain::model::OperatorRecord;

#[derive(sqlx::FromRow)]
pub(crate) struct OperatorRow {
    id: i64,
    username: String,
    username_key: String,
    password_hash: String,
    created_at: i64,
}

impl From<OperatorRow> for OperatorRecord {
    fn from(r: OperatorRow) -> Self {
        OperatorRecord {
            id: r.id,
            username: r.username,
            username_key: r.username_key,
            password_hash: r.password_hash,
            created_at: Timestamp(r.created_at),
        }
    }
}

macro_rules! impl_operators_tx {
    ($DbTx:ident) => {
        mod operators {
            use domain::model::OperatorRecord;
            use domain::store::{OperatorsTx, StoreResult};

            use super::$DbTx;
            use $crate::error::map_err;
            use $crate::queries::operators::OperatorRow;

            #[async_trait::async_trait]
            impl OperatorsTx for $DbTx {
                async fn insert_operator(&mut self, op: &OperatorRecord) -> StoreResult<i64> {
                    sqlx::query_scalar(
                        "INSERT INTO operators (username, username_key, password_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
                    )
                    .bind(&op.username)
                    .bind(&op.username_key)
                    .bind(&op.password_hash)
                    .bind(op.created_at.0)
                    .fetch_one(self.c())
                    .await
                    .map_err(map_err)
                }

                async fn find_operator_by_key(&mut self, key: &str) -> StoreResult<Option<OperatorRecord>> {
                    let row: Option<OperatorRow> = sqlx::query_as("SELECT * FROM operators WHERE username_key = $1")
                        .bind(key)
                        .fetch_optional(self.c())
                        .await
                        .map_err(map_err)?;
                    Ok(row.map(Into::into))
                }

                async fn find_operator(&mut self, id: i64) -> StoreResult<Option<OperatorRecord>> {
                    let row: Option<OperatorRow> = sqlx::query_as("SELECT * FROM operators WHERE id = $1")
                        .bind(id)
                        .fetch_optional(self.c())
                        .await
                        .map_err(map_err)?;
                    Ok(row.map(Into::into))
                }
            }
        }
    };
}
