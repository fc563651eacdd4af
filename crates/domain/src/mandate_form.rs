//! What an administrator offers another entity (R34), and its parse: the other entity's
//! number, the e-services, and an end at most two years ahead. The catalogue checks (each
//! e-service exists and allows intermediaries) are the rules', which read it.

use crate::access_terms::DAY_SECS;
use crate::assignment_form::parse_end;
use crate::clock::Timestamp;
use crate::error::{FieldError, Fields};
use crate::eservice_form::parse_code;
use crate::numbers::EntityNumber;
use crate::Code;

/// R34, R36: a mandate or a machine credential lasts at most two years.
pub const MANDATE_MAX_SECS: i64 = 731 * DAY_SECS;
/// More e-services than any catalogue holds is a mistake, not a mandate.
const ESERVICES_MAX: usize = 100;

#[derive(Debug, Clone, Default)]
pub struct MandateInput {
    pub to_entity_number: String,
    pub eservices: Vec<String>,
    pub valid_until: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedMandate {
    pub to_entity_number: EntityNumber,
    pub eservices: Vec<String>,
    pub valid_until: Timestamp,
}

/// A list of e-service codes, each named `{field}[i]`: at least one, none twice.
pub(crate) fn parse_codes(field: &str, raw: &[String], f: &mut Fields) -> Option<Vec<String>> {
    if raw.is_empty() {
        f.push(FieldError::new(field, Code::Required, "at least one e-service"));
        return None;
    }
    if raw.len() > ESERVICES_MAX {
        f.push(FieldError::new(field, Code::TooMany, format!("at most {ESERVICES_MAX} e-services")));
        return None;
    }
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    let mut ok = true;
    for (i, code) in raw.iter().enumerate() {
        let name = format!("{field}[{i}]");
        match f.take(parse_code(&name, code.trim())) {
            Some(c) if out.contains(&c) => {
                f.push(FieldError::new(name, Code::Duplicate, "named twice"));
                ok = false;
            }
            Some(c) => out.push(c),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

/// R34, R36: a required end, in the future and at most two years ahead (`MANDATE_MAX_SECS`).
pub(crate) fn parse_end_within_two_years(field: &str, raw: &str, now: Timestamp, f: &mut Fields) -> Option<Timestamp> {
    let until = match raw.trim() {
        "" => {
            f.push(FieldError::new(field, Code::Required, "an end is required"));
            None
        }
        raw => f.take(parse_end(field, raw)),
    }?;
    if until <= now {
        f.push(FieldError::new(field, Code::EndInPast, "the end has already passed"));
        None
    } else if until > now.plus_secs(MANDATE_MAX_SECS) {
        f.push(FieldError::new(field, Code::EndTooFarAhead, "the end comes at most two years ahead"));
        None
    } else {
        Some(until)
    }
}

impl MandateInput {
    pub fn parse(&self, now: Timestamp, f: &mut Fields) -> Option<ParsedMandate> {
        let number = f.take(EntityNumber::parse("to_entity_number", self.to_entity_number.trim()));
        let eservices = parse_codes("eservices", &self.eservices, f);
        let until = parse_end_within_two_years("valid_until", &self.valid_until, now, f);
        if !f.is_empty() {
            return None;
        }
        Some(ParsedMandate { to_entity_number: number?, eservices: eservices?, valid_until: until? })
    }
}
