//! A page's query string: its parameters, the `?next=` target of a sign-in page and the
//! `?done=` notice after a redirect.

use super::form::FormValues;
use super::local_path;
use super::page::Web;

/// This page's query parameters (without `lang`), read like a posted form.
pub fn query_values(web: &Web) -> FormValues {
    let q = web.path.split_once('?').map(|(_, q)| q).unwrap_or("");
    FormValues::parse(q.as_bytes())
}

/// One query parameter of this page (`?page=2`), or `None` when absent.
pub fn query(web: &Web, name: &str) -> Option<String> {
    let q = web.path.split_once('?').map(|(_, q)| q)?;
    form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// Whether the query holds `name=value` exactly (`?signed_out=1`).
pub fn query_is(web: &Web, name: &str, value: &str) -> bool {
    query(web, name).is_some_and(|v| v == value)
}

/// `?next=` of a sign-in page when it is one of our own paths, otherwise "".
pub fn next_of(web: &Web) -> String {
    query(web, "next").and_then(|v| local_path(&v).map(str::to_string)).unwrap_or_default()
}

/// The message key of the `?done=` notice, from the page's `(value, key)` list.
pub fn notice_of(web: &Web, notices: &[(&str, &'static str)]) -> Option<&'static str> {
    let done = query(web, "done")?;
    notices.iter().find(|(value, _)| *value == done).map(|(_, key)| *key)
}
