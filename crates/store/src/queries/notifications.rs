//! The SQL of `NotificationsTx`: a login's notifications, their parameters kept as one
//! JSON object of strings; `NotificationRow` is converted here only.

use domain::clock::Timestamp;
use domain::model::NotificationRecord;
use domain::numbers::LoginId;

/// Parameters as stored: a JSON object of strings, so any number of them fit one column.
pub(crate) fn encode_params(params: &[(String, String)]) -> String {
    let map: serde_json::Map<String, serde_json::Value> =
        params.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect();
    serde_json::Value::Object(map).to_string()
}

/// The parameters back; a column that is not such an object reads as none (the page then
/// shows the notification's sentence without them rather than failing the list).
fn decode_params(s: &str) -> Vec<(String, String)> {
    match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(s) {
        Ok(map) => map.into_iter().map(|(k, v)| (k, v.as_str().unwrap_or_default().to_string())).collect(),
        Err(_) => Vec::new(),
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct NotificationRow {
    entity_id: i64,
    id: String,
    login_id: String,
    kind: String,
    params: String,
    created_at: i64,
}

impl From<NotificationRow> for NotificationRecord {
    fn from(r: NotificationRow) -> Self {
        NotificationRecord {
            entity_id: r.entity_id,
            id: r.id,
            login_id: LoginId::from_stored(r.login_id),
            kind: r.kind,
            params: decode_params(&r.params),
            created_at: Timestamp(r.created_at),
        }
    }
}

macro_rules! impl_notifications_tx {
    ($DbTx:ident) => {
        mod notifications {
            use domain::model::NotificationRecord;
            use domain::store::{NotificationsTx, StoreResult};

            use super::$DbTx;
            use $crate::error::map_err;
            use $crate::queries::notifications::{encode_params, NotificationRow};

            #[async_trait::async_trait]
            impl NotificationsTx for $DbTx {
                async fn insert_notification(&mut self, n: &NotificationRecord) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO notifications (entity_id, id, login_id, kind, params, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(n.entity_id)
                    .bind(&n.id)
                    .bind(n.login_id.as_str())
                    .bind(&n.kind)
                    .bind(encode_params(&n.params))
                    .bind(n.created_at.0)
                    .execute(self.c())
                    .await
                    .map_err(map_err)?;
                    Ok(())
                }

                async fn list_notifications(
                    &mut self,
                    entity_id: i64,
                    login_id: &str,
                    limit: i64,
                ) -> StoreResult<Vec<NotificationRecord>> {
                    let rows: Vec<NotificationRow> = sqlx::query_as(
                        "SELECT entity_id, id, login_id, kind, params, created_at FROM notifications \
                         WHERE entity_id = $1 AND login_id = $2 ORDER BY created_at DESC, id LIMIT $3",
                    )
                    .bind(entity_id)
                    .bind(login_id)
                    .bind(limit)
                    .fetch_all(self.c())
                    .await
                    .map_err(map_err)?;
                    Ok(rows.into_iter().map(Into::into).collect())
                }
            }
        }
    };
}
