//! What an operator or the department types for a catalogue entry (R19), and its parse;
//! the e-service code's shape, which paths and assignments name too.

use crate::access_terms::{REVIEW_DAYS_MAX, REVIEW_DAYS_MIN};
use crate::clock::Timestamp;
use crate::error::{FieldError, Fields};
use crate::model::{Assurance, EServiceRecord};
use crate::text::{Text, NAME_MAX};
use crate::Code;

pub struct EServiceInput {
    pub code: String,
    pub name_zh: String,
    pub name_pt: String,
    pub name_en: String,
    pub department: String,
    pub assurance: String,
    pub requires_registration: bool,
    /// R31: an assignment takes effect only when a second administrator approves it.
    pub four_eyes: bool,
    /// R30: how often entities review who may use it, 30 to 180 days (180 when not given).
    pub review_days: Option<i64>,
    /// R34: entities may act for others on it under a mandate.
    pub allows_intermediaries: bool,
}

/// An e-service code: 2 to 64 lower-case letters, digits, `-` and `_`.
pub(crate) fn parse_code(field: &str, raw: &str) -> Result<String, FieldError> {
    let ok = (2..=64).contains(&raw.len())
        && raw.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && raw.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if ok {
        Ok(raw.to_string())
    } else {
        Err(FieldError::new(field, Code::InvalidCode, "2 to 64 lower-case letters, digits, - and _"))
    }
}

impl EServiceInput {
    /// The catalogue entry an input describes; its errors join `fields`.
    pub fn parse(self, f: &mut Fields, now: Timestamp) -> Option<EServiceRecord> {
        let code = f.take(parse_code("code", &self.code));
        let zh = f.take(Text::parse("names.zh", &self.name_zh, NAME_MAX));
        let pt = f.take(Text::parse("names.pt", &self.name_pt, NAME_MAX));
        let en = f.take(Text::parse("names.en", &self.name_en, NAME_MAX));
        let dept = f.take(Text::parse("department", &self.department, NAME_MAX));
        let assurance = Assurance::from_str_opt(&self.assurance);
        if assurance.is_none() {
            f.push(FieldError::new("assurance", Code::InvalidChoice, format!("one of {}", Assurance::choices())));
        }
        let review_days = self.review_days.unwrap_or(REVIEW_DAYS_MAX);
        if !(REVIEW_DAYS_MIN..=REVIEW_DAYS_MAX).contains(&review_days) {
            f.push(FieldError::new(
                "review_days",
                Code::OutOfRange,
                format!("from {REVIEW_DAYS_MIN} to {REVIEW_DAYS_MAX} days"),
            ));
        }
        Some(EServiceRecord {
            code: code?,
            name_zh: zh?.to_string(),
            name_pt: pt?.to_string(),
            name_en: en?.to_string(),
            department: dept?.to_string(),
            assurance: assurance?,
            requires_registration: self.requires_registration,
            four_eyes: self.four_eyes,
            allows_intermediaries: self.allows_intermediaries,
            review_days,
            created_at: now,
        })
    }
}
