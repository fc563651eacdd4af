//! Small helpers the page modules share: the page's query parameters, the `?next=` target
//! of a sign-in page, the `?done=` notice after a redirect, Macau local time, and the
//! percent-encoding of a path segment.

use domain::clock::Timestamp;
use domain::identity::IdDocumentType;
use domain::model::{ApplicationStatus, EntityType, LoginKind, LoginStatus};

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

/// A moment as people in Macau read it: local time (UTC+8), to the minute.
pub fn local_time(t: Timestamp) -> String {
    let offset = time::UtcOffset::from_hms(8, 0, 0).expect("a valid offset");
    let at = time::OffsetDateTime::from_unix_timestamp_nanos(t.micros() as i128 * 1000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .to_offset(offset);
    format!("{:04}-{:02}-{:02} {:02}:{:02}", at.year(), u8::from(at.month()), at.day(), at.hour(), at.minute())
}

/// `s` as one path segment: every byte but the unreserved ones (`A–Z a–z 0–9 - . _ ~`)
/// percent-encoded, so a space is `%20` (not `+`, which is form encoding) and `/`, `?`, `#`
/// cannot end the segment.
pub fn path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

// The labels of the domain's kinds, one message key each, shared by the account, counter
// and public pages (the catalogues hold one translation per label).

/// A login's kind: the keys the navigation uses too.
pub fn login_kind_key(k: LoginKind) -> &'static str {
    match k {
        LoginKind::Entity => "kind-entity",
        LoginKind::Admin => "kind-admin",
        LoginKind::Staff => "kind-staff",
    }
}

pub fn login_status_key(s: LoginStatus) -> &'static str {
    match s {
        LoginStatus::Pending => "label-login-status-pending",
        LoginStatus::Active => "label-login-status-active",
        LoginStatus::Deleted => "label-login-status-deleted",
    }
}

pub fn id_type_key(t: IdDocumentType) -> &'static str {
    match t {
        IdDocumentType::MacauResident => "label-id-type-macau-resident",
        IdDocumentType::Passport => "label-id-type-passport",
        IdDocumentType::Other => "label-id-type-other",
    }
}

/// The identity document types, as `[value, label key]` pairs for `m.select`.
pub fn id_type_options() -> Vec<(&'static str, &'static str)> {
    [IdDocumentType::MacauResident, IdDocumentType::Passport, IdDocumentType::Other]
        .into_iter()
        .map(|t| (t.as_str(), id_type_key(t)))
        .collect()
}

pub fn entity_type_key(t: EntityType) -> &'static str {
    match t {
        EntityType::Association => "label-entity-type-association",
        EntityType::Foundation => "label-entity-type-foundation",
        EntityType::Company => "label-entity-type-company",
        EntityType::Entrepreneur => "label-entity-type-entrepreneur",
        EntityType::Unincorporated => "label-entity-type-unincorporated",
    }
}

pub fn application_status_key(s: ApplicationStatus) -> &'static str {
    match s {
        ApplicationStatus::Submitted => "label-application-status-submitted",
        ApplicationStatus::UnderReview => "label-application-status-under-review",
        ApplicationStatus::Approved => "label-application-status-approved",
        ApplicationStatus::Rejected => "label-application-status-rejected",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_segment_is_percent_encoded() {
        assert_eq!(path_segment("A12345678-9"), "A12345678-9");
        assert_eq!(path_segment("a b+c/d?e#f%"), "a%20b%2Bc%2Fd%3Fe%23f%25");
        assert_eq!(path_segment("澳門"), "%E6%BE%B3%E9%96%80");
    }

    #[test]
    fn local_time_is_macau_time_to_the_minute() {
        // 2024-01-31 20:30:59 UTC is 2024-02-01 04:30 in Macau.
        let t = Timestamp(1_706_733_059_000_000);
        assert_eq!(local_time(t), "2024-02-01 04:30");
    }
}
