//! What an administrator asks for when assigning an e-service (R19, R28), and its parse: a
//! code with an optional start and end. The API sends RFC 3339 instants; the pages send
//! dates (`YYYY-MM-DD`) in Macau time, a start meaning that day's first moment and an end
//! meaning the midnight that ends that day ("until 31 March" grants all of the 31st).

use crate::access_terms::START_AHEAD_MAX_SECS;
use crate::clock::Timestamp;
use crate::error::{FieldError, Fields};
use crate::eservice_form::parse_code;
use crate::Code;

#[derive(Debug, Clone, Default)]
pub struct AssignmentInput {
    pub code: String,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
}

impl From<&str> for AssignmentInput {
    fn from(code: &str) -> Self {
        AssignmentInput::plain(code)
    }
}

impl From<String> for AssignmentInput {
    fn from(code: String) -> Self {
        AssignmentInput::plain(code)
    }
}

impl AssignmentInput {
    /// A plain code: no dates.
    pub fn plain(code: impl Into<String>) -> Self {
        AssignmentInput { code: code.into(), ..Default::default() }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAssignment {
    pub code: String,
    pub valid_from: Option<Timestamp>,
    pub valid_until: Option<Timestamp>,
}

/// Which edge of a day a bare date names.
#[derive(Clone, Copy)]
enum Edge {
    Start,
    End,
}

const MACAU_OFFSET_SECS: i64 = 8 * 3600;

/// An instant: RFC 3339, or a date in Macau time read as `edge` of that day.
fn parse_instant(field: &str, raw: &str, edge: Edge) -> Result<Timestamp, FieldError> {
    let bad = || FieldError::new(field, Code::InvalidDate, "a date (YYYY-MM-DD) or an RFC 3339 date-time");
    let raw = raw.trim();
    if let Ok(t) = time::OffsetDateTime::parse(raw, &time::format_description::well_known::Rfc3339) {
        return Ok(Timestamp((t.unix_timestamp_nanos() / 1000) as i64));
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(raw, &format).map_err(|_| bad())?;
    let date = match edge {
        Edge::Start => date,
        Edge::End => date.next_day().ok_or_else(bad)?,
    };
    let midnight_utc = date.midnight().assume_utc().unix_timestamp() - MACAU_OFFSET_SECS;
    Ok(Timestamp(midnight_utc * 1_000_000))
}

/// An end: an RFC 3339 instant, or the midnight that ends a Macau date.
pub(crate) fn parse_end(field: &str, raw: &str) -> Result<Timestamp, FieldError> {
    parse_instant(field, raw, Edge::End)
}

/// The Macau date of an instant, as a page's date field shows it; an end shows the day it
/// ends (the day before the midnight it is).
pub fn macau_date(t: Timestamp, is_end: bool) -> String {
    let secs = t.0.div_euclid(1_000_000) + MACAU_OFFSET_SECS - i64::from(is_end);
    let d = time::OffsetDateTime::from_unix_timestamp(secs).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

/// A date field that may be left empty: `Some(None)` when it is, `None` when it is wrong.
fn optional_instant(f: &mut Fields, field: &str, raw: Option<&str>, edge: Edge) -> Option<Option<Timestamp>> {
    match raw.map(str::trim).filter(|v| !v.is_empty()) {
        None => Some(None),
        Some(v) => f.take(parse_instant(field, v, edge)).map(Some),
    }
}

impl AssignmentInput {
    /// The code and dates; errors name `{prefix}.code`, `{prefix}.valid_from` and
    /// `{prefix}.valid_until` (the prefix alone for a code, as plain lists name it).
    pub fn parse(&self, prefix: &str, f: &mut Fields) -> Option<ParsedAssignment> {
        let dated = self.valid_from.is_some() || self.valid_until.is_some();
        let code_field = if dated { format!("{prefix}.code") } else { prefix.to_string() };
        let code = f.take(parse_code(&code_field, &self.code));
        let field = |name: &str| format!("{prefix}.{name}");
        let from = optional_instant(f, &field("valid_from"), self.valid_from.as_deref(), Edge::Start);
        let until = optional_instant(f, &field("valid_until"), self.valid_until.as_deref(), Edge::End);
        let parsed = ParsedAssignment { code: code?, valid_from: from?, valid_until: until? };
        if let (Some(a), Some(b)) = (parsed.valid_from, parsed.valid_until) {
            if b <= a {
                f.push(FieldError::new(
                    field("valid_until"),
                    Code::EndsBeforeStart,
                    "the end must come after the start",
                ));
                return None;
            }
        }
        Some(parsed)
    }
}

impl ParsedAssignment {
    /// R28's limits against the clock, for dates being set now (unchanged ones are kept as
    /// they are, even once their end has passed).
    pub fn check_dates(&self, prefix: &str, now: Timestamp, f: &mut Fields) {
        if self.valid_until.is_some_and(|end| end <= now) {
            f.push(FieldError::new(format!("{prefix}.valid_until"), Code::EndInPast, "the end has already passed"));
        }
        if self.valid_from.is_some_and(|start| start > now.plus_secs(START_AHEAD_MAX_SECS)) {
            f.push(FieldError::new(
                format!("{prefix}.valid_from"),
                Code::StartTooFarAhead,
                "the start can be at most one year ahead",
            ));
        }
    }
}
