//! How the pages show and take an assignment's terms (R28–R31): what an assignment does now
//! as one sentence ("from 3 March", "until 31 March", "awaiting a second administrator's
//! approval", …), and the quick choices for its end, which the server resolves into the
//! Macau date the end field would hold, so the common case needs one choice and no script.

use domain::access_terms::AssignmentStatus;
use domain::assignment_form::macau_date;
use domain::assignments::LoginAssignment;
use domain::clock::Timestamp;
use serde::Serialize;
use time::{Date, Month};

use crate::web::form::FormValues;
use crate::web::format::{local_date, local_time, macau_today};
use crate::web::i18n::Lang;

/// What an assignment does now, as a page says it: `t(key, from=…, until=…)`.
#[derive(Serialize, Clone)]
pub(super) struct TermsView {
    pub key: &'static str,
    /// `ok` when it grants access now, `warn` otherwise.
    pub badge: &'static str,
    pub from: String,
    pub until: String,
    pub last_used: Option<String>,
}

pub(super) fn terms_view(lang: Lang, a: &LoginAssignment) -> TermsView {
    let day = |t: Option<Timestamp>, is_end| t.map(|t| local_date(lang, t, is_end)).unwrap_or_default();
    let key = match a.status {
        AssignmentStatus::Pending if a.proposed_by.is_some() => "access-state-proposed",
        AssignmentStatus::Pending if a.valid_until.is_some() => "access-state-from-until",
        AssignmentStatus::Pending => "access-state-from",
        AssignmentStatus::Active if a.valid_until.is_some() => "access-state-until",
        AssignmentStatus::Active => "access-state-active",
        AssignmentStatus::Suspended => "access-state-suspended",
        AssignmentStatus::Ended => "access-state-ended",
    };
    TermsView {
        key,
        badge: if a.status == AssignmentStatus::Active { "ok" } else { "warn" },
        from: day(a.valid_from, false),
        until: day(a.valid_until, true),
        last_used: a.last_used_at.map(local_time),
    }
}

/// The label of a status as the review and its export name it (`active`, `pending`, …).
pub(super) fn status_key(status: &str) -> &'static str {
    match AssignmentStatus::parse(status) {
        Some(AssignmentStatus::Active) => "access-status-active",
        Some(AssignmentStatus::Pending) => "access-status-pending",
        Some(AssignmentStatus::Suspended) => "access-status-suspended",
        Some(AssignmentStatus::Ended) | None => "access-status-ended",
    }
}

/// The quick choices for an end, as `[value, label key]` pairs for a select.
pub(super) const END_CHOICES: [(&str, &str); 3] = [
    ("end_of_month", "access-ends-month"),
    ("in_3_months", "access-ends-3-months"),
    ("end_of_year", "access-ends-year"),
];

fn first_of_next_month(d: Date) -> Option<Date> {
    match d.month() {
        Month::December => Date::from_calendar_date(d.year() + 1, Month::January, 1).ok(),
        m => Date::from_calendar_date(d.year(), m.next(), 1).ok(),
    }
}

fn ymd(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The last day a quick choice includes, counted from today in Macau.
pub(super) fn resolve_end(choice: &str, now: Timestamp) -> Option<String> {
    let today = macau_today(now);
    let day = match choice {
        "end_of_month" => first_of_next_month(today)?.previous_day()?,
        "in_3_months" => {
            let mut first = today.replace_day(1).ok()?;
            for _ in 0..3 {
                first = first_of_next_month(first)?;
            }
            let last = first_of_next_month(first)?.previous_day()?.day();
            first.replace_day(today.day().min(last)).ok()?
        }
        "end_of_year" => Date::from_calendar_date(today.year(), Month::December, 31).ok()?,
        _ => return None,
    };
    Some(ymd(day))
}

/// The end a form asks for: its quick choice when one is made, else the date typed (blank:
/// no end).
pub(super) fn posted_end(form: &FormValues, choice_field: &str, date_field: &str, now: Timestamp) -> Option<String> {
    form.opt(choice_field).and_then(|c| resolve_end(&c, now)).or_else(|| form.opt(date_field))
}

/// A posted date as the domain takes it: the stored instant itself when the field still
/// shows it (an instant set through the API need not be a Macau midnight, and an unchanged
/// end must not read as a change), else the date as typed.
pub(super) fn kept_or_typed(typed: Option<String>, stored: Option<Timestamp>, is_end: bool) -> Option<String> {
    match (typed, stored) {
        (Some(day), Some(t)) if day == macau_date(t, is_end) => Some(t.rfc3339()),
        (typed, _) => typed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2025-01-31 10:00 in Macau.
    const JAN_31: Timestamp = Timestamp(1_738_288_800_000_000);

    #[test]
    fn r28_the_quick_choices_end_on_macau_days() {
        assert_eq!(resolve_end("end_of_month", JAN_31).as_deref(), Some("2025-01-31"));
        // Three months after 31 January is the last day of April.
        assert_eq!(resolve_end("in_3_months", JAN_31).as_deref(), Some("2025-04-30"));
        assert_eq!(resolve_end("end_of_year", JAN_31).as_deref(), Some("2025-12-31"));
        assert_eq!(resolve_end("someday", JAN_31), None);
    }

    #[test]
    fn r28_an_unchanged_date_keeps_the_stored_instant() {
        let t = Timestamp(1_738_288_800_000_000);
        let shown = macau_date(t, true);
        assert_eq!(kept_or_typed(Some(shown), Some(t), true), Some(t.rfc3339()));
        assert_eq!(kept_or_typed(Some("2030-01-01".into()), Some(t), true).as_deref(), Some("2030-01-01"));
        assert_eq!(kept_or_typed(None, Some(t), true), None);
    }
}
