//! The SQL of `ScimTx`: a Users filter becomes one WHERE clause over the entity's live staff
//! logins (the partial index `logins_scim_order`), with every value bound, never spliced.
//! Comparisons use only what both dialects share (`substr`, `length`, `replace`), each
//! wrapped so that a NULL column gives false, never NULL: `not` then means what it says.

use domain::scim::query::{TextOp, UserField, UserFilter};

/// The entity's live staff logins, `$1` the entity.
pub(crate) const STAFF: &str = "entity_id = $1 AND kind = 'staff' AND status <> 'deleted'";

fn column(f: UserField) -> &'static str {
    match f {
        UserField::Id => "id",
        UserField::UserName => "COALESCE(username_key, id)",
        UserField::ExternalId => "external_id",
        UserField::Name => "name_key",
    }
}

/// The filter as SQL whose parameters start at `$first`, and the values to bind in order.
pub(crate) fn where_sql(f: &UserFilter, first: usize) -> (String, Vec<String>) {
    let mut binds = Vec::new();
    let sql = walk(f, first, &mut binds);
    (sql, binds)
}

fn walk(f: &UserFilter, first: usize, binds: &mut Vec<String>) -> String {
    match f {
        UserFilter::All => "TRUE".into(),
        UserFilter::Active(true) => "status <> 'suspended'".into(),
        UserFilter::Active(false) => "status = 'suspended'".into(),
        UserFilter::Present(UserField::Name) => "name_key <> ''".into(),
        UserFilter::Present(field) => format!("{} IS NOT NULL", column(*field)),
        UserFilter::And(a, b) => format!("({} AND {})", walk(a, first, binds), walk(b, first, binds)),
        UserFilter::Or(a, b) => format!("({} OR {})", walk(a, first, binds), walk(b, first, binds)),
        UserFilter::Not(x) => format!("(NOT {})", walk(x, first, binds)),
        UserFilter::Text { field, op, value } => {
            binds.push(value.clone());
            let p = format!("${}", first + binds.len() - 1);
            let c = column(*field);
            match op {
                TextOp::Eq => format!("COALESCE({c} = {p}, FALSE)"),
                TextOp::Ne => format!("COALESCE({c} <> {p}, TRUE)"),
                TextOp::Sw => format!("COALESCE(substr({c}, 1, length({p})) = {p}, FALSE)"),
                TextOp::Ew => format!(
                    "COALESCE(length({c}) >= length({p}) AND substr({c}, length({c}) - length({p}) + 1) = {p}, FALSE)"
                ),
                TextOp::Co => {
                    format!("COALESCE({c} IS NOT NULL AND ({p} = '' OR replace({c}, {p}, '') <> {c}), FALSE)")
                }
            }
        }
    }
}

macro_rules! impl_scim_tx {
    ($DbTx:ident) => {
        mod scim {
            use domain::model::LoginRecord;
            use domain::scim::query::UserFilter;
            use domain::store::{ScimTx, StoreResult};

            use super::$DbTx;
            use $crate::error::map_err;
            use $crate::queries::logins::{LoginRow, LOGIN_COLS};
            use $crate::queries::scim::{where_sql, STAFF};

            #[async_trait::async_trait]
            impl ScimTx for $DbTx {
                async fn count_scim_users(&mut self, entity_id: i64, filter: &UserFilter) -> StoreResult<i64> {
                    let (cond, binds) = where_sql(filter, 2);
                    let sql = format!("SELECT COUNT(*) FROM logins WHERE {STAFF} AND {cond}");
                    let mut q = sqlx::query_scalar(&sql).bind(entity_id);
                    for b in binds {
                        q = q.bind(b);
                    }
                    q.fetch_one(self.c()).await.map_err(map_err)
                }

                async fn list_scim_users(
                    &mut self,
                    entity_id: i64,
                    filter: &UserFilter,
                    offset: i64,
                    limit: i64,
                ) -> StoreResult<Vec<LoginRecord>> {
                    let (cond, binds) = where_sql(filter, 4);
                    let sql = format!(
                        "SELECT {LOGIN_COLS} FROM logins WHERE {STAFF} AND {cond} ORDER BY created_at, id LIMIT $2 OFFSET $3"
                    );
                    let mut q = sqlx::query_as::<_, LoginRow>(&sql).bind(entity_id).bind(limit).bind(offset);
                    for b in binds {
                        q = q.bind(b);
                    }
                    let rows = q.fetch_all(self.c()).await.map_err(map_err)?;
                    rows.into_iter().map(LoginRecord::try_from).collect()
                }

                async fn find_login_by_external_id(
                    &mut self,
                    entity_id: i64,
                    external_id: &str,
                ) -> StoreResult<Option<LoginRecord>> {
                    let sql = format!(
                        "SELECT {LOGIN_COLS} FROM logins WHERE entity_id = $1 AND external_id = $2 AND status <> 'deleted'"
                    );
                    let row: Option<LoginRow> = sqlx::query_as(&sql)
                        .bind(entity_id)
                        .bind(external_id)
                        .fetch_optional(self.c())
                        .await
                        .map_err(map_err)?;
                    row.map(LoginRecord::try_from).transpose()
                }
            }
        }
    };
}
