//! The navigation each kind of person sees: the entity account manages administrators,
//! administrators manage staff and e-services, staff use e-services, operators the counter.
//! A link shown here is only a convenience; every page checks its own rights.

use domain::access::{Caller, Operator};
use domain::model::LoginKind;
use serde::Serialize;

/// Who a page is for, once a guard looked them up: it decides the navigation.
#[derive(Clone, Debug, Default)]
pub enum Who {
    #[default]
    Nobody,
    Login(Caller),
    Operator(Operator),
}

#[derive(Serialize)]
pub struct NavItem {
    pub href: &'static str,
    /// The catalogue key of its label.
    pub key: &'static str,
    pub current: bool,
}

fn links(who: &Who) -> &'static [(&'static str, &'static str)] {
    match who {
        Who::Nobody => &[],
        Who::Operator(_) => &[
            ("/counter/applications", "nav-applications"),
            ("/counter/applications/new", "nav-new-application"),
            ("/counter/entities", "nav-entities"),
            ("/counter/eservices", "nav-eservices-catalogue"),
            ("/counter/eid", "nav-counter-eid"),
        ],
        Who::Login(c) => match c.kind() {
            LoginKind::Entity => &[
                ("/account", "nav-overview"),
                ("/account/logins", "nav-logins"),
                ("/admin/mandates", "nav-mandates"),
                ("/admin/machine-credentials", "nav-machine-credentials"),
                ("/entity/audit", "nav-audit"),
                ("/my/notifications", "nav-notifications"),
            ],
            LoginKind::Admin => &[
                ("/admin/staff", "nav-staff"),
                ("/admin/assignments", "nav-assignments"),
                ("/admin/access-review", "nav-access-review"),
                ("/admin/access-requests", "nav-access-requests"),
                ("/admin/mandates", "nav-mandates"),
                ("/admin/machine-credentials", "nav-machine-credentials"),
                ("/entity/audit", "nav-audit"),
                ("/my/eservices", "nav-my-eservices"),
                ("/my/notifications", "nav-notifications"),
                ("/my/entity", "nav-my-entity"),
                ("/my/eid", "nav-my-eid"),
            ],
            LoginKind::Staff => &[
                ("/my/eservices", "nav-my-eservices"),
                ("/my/notifications", "nav-notifications"),
                ("/my/entity", "nav-my-entity"),
                ("/my/eid", "nav-my-eid"),
            ],
        },
    }
}

pub fn items(who: &Who, path: &str) -> Vec<NavItem> {
    let path = path.split('?').next().unwrap_or(path);
    let list = links(who);
    // The longest matching prefix is the current section.
    let current = list
        .iter()
        .filter(|(href, _)| path == *href || path.starts_with(&format!("{href}/")))
        .max_by_key(|(href, _)| href.len())
        .map(|(href, _)| *href);
    list.iter().map(|(href, key)| NavItem { href, key, current: Some(*href) == current }).collect()
}

/// Who is signed in, for the page header.
#[derive(Serialize)]
pub struct WhoView {
    /// The catalogue key naming the kind of person.
    pub kind_key: &'static str,
    pub entity_number: Option<String>,
    /// Where signing out posts to.
    pub sign_out: &'static str,
}

pub fn who(who: &Who) -> Option<WhoView> {
    match who {
        Who::Nobody => None,
        Who::Operator(_) => {
            Some(WhoView { kind_key: "kind-operator", entity_number: None, sign_out: "/counter/sign-out" })
        }
        Who::Login(c) => Some(WhoView {
            kind_key: match c.kind() {
                LoginKind::Entity => "kind-entity",
                LoginKind::Admin => "kind-admin",
                LoginKind::Staff => "kind-staff",
            },
            entity_number: Some(c.entity_number().to_string()),
            sign_out: "/logout",
        }),
    }
}
