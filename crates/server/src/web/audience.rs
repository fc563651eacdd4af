//! One extractor per audience of the pages: each gives the page (`Web`) and who it is for,
//! or answers as the page would (the sign-in page for nobody, 403 for the wrong kind), so a
//! handler states its audience in its signature instead of repeating the guard.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::Response;
use domain::access::{Caller, Operator};
use domain::model::LoginKind;

use super::page::Web;
use crate::state::AppState;

/// Declares an extractor for the logins of `$kinds`.
macro_rules! login_audience {
    ($(#[$doc:meta])* $Name:ident, $kinds:expr) => {
        $(#[$doc])*
        pub struct $Name(pub Web, pub Caller);

        impl FromRequestParts<AppState> for $Name {
            type Rejection = Response;

            async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
                let mut web = Web::of(parts, state).await;
                let caller = web.login_of($kinds).await?;
                Ok($Name(web, caller))
            }
        }
    };
}

login_audience!(
    /// A page for an entity's administrators (R15–R19: staff, e-services).
    AdminPage,
    &[LoginKind::Admin]
);
login_audience!(
    /// A page for the entity account itself (R16, R17: its administrators).
    EntityAccountPage,
    &[LoginKind::Entity]
);
login_audience!(
    /// A page for those who oversee an entity: its account and its administrators (R26).
    OverseerPage,
    &[LoginKind::Entity, LoginKind::Admin]
);
login_audience!(
    /// A page for any login of an entity: its own e-services, notices, e-ID.
    LoginPage,
    &[LoginKind::Entity, LoginKind::Admin, LoginKind::Staff]
);

/// A page for counter operators; anyone else is sent to the counter's sign-in.
pub struct OperatorPage(pub Web, pub Operator);

impl FromRequestParts<AppState> for OperatorPage {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let mut web = Web::of(parts, state).await;
        let op = web.operator().await?;
        Ok(OperatorPage(web, op))
    }
}
