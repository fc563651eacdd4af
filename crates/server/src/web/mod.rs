//! The web platform: server-rendered pages in 繁體中文, Português and English for every
//! flow, on the same domain services as the JSON API. `page::Web` gives each handler its
//! language, CSRF pair and signed-in person; `form` checks posts; `view` renders.

pub mod assets;
pub mod audience;
pub mod cookies;
pub mod csrf;
pub mod form;
pub mod format;
pub mod i18n;
pub mod keys;
pub mod labels;
pub mod nav;
pub mod page;
pub mod posted;
pub mod query;
pub mod redirect;
pub mod view;

pub mod account;
pub mod counter;
pub mod public;

/// Templates, catalogues and assets, embedded by `build.rs`.
pub mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

use axum::routing::get;
use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assets/{name}", get(assets::get_asset))
        .merge(public::routes())
        .merge(account::routes())
        .merge(counter::routes())
}

/// Where a login lands after signing in: its kind's first page.
pub fn home_of(kind: domain::model::LoginKind) -> &'static str {
    match kind {
        domain::model::LoginKind::Entity => "/account",
        domain::model::LoginKind::Admin => "/admin/staff",
        domain::model::LoginKind::Staff => "/my/eservices",
    }
}

/// A `next=` target we may send a browser to: one of our own paths, never another site.
pub fn local_path(next: &str) -> Option<&str> {
    // Browsers drop tabs and newlines from URLs, so `/\t/evil.example` would leave the site.
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.contains("://")
        && !next.chars().any(|c| c.is_control() || c.is_whitespace());
    ok.then_some(next)
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn r14_next_never_leaves_the_site() {
        assert_eq!(local_path("/admin/staff?page=2"), Some("/admin/staff?page=2"));
        for bad in [
            "//evil.example",
            "https://evil.example/",
            "/\\evil.example",
            "evil",
            "",
            "/x?u=https://e",
            "/\t/evil.example",
            "/\n",
            "/ /evil",
        ] {
            assert_eq!(local_path(bad), None, "{bad}");
        }
    }
}
