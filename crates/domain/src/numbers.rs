//! The public numbers people type: the entity number (實體編號) and the application number
//! (申請編號). Both end in a check digit so a mistyped digit is caught before any lookup.

use crate::error::FieldError;
use crate::Code;

/// ISO 7064 mod 11-10 check digit: catches every single-digit error and most transpositions.
fn check_digit(digits: &str) -> u32 {
    let mut p = 10;
    for c in digits.chars() {
        let d = c.to_digit(10).unwrap_or(0);
        let mut s = (d + p) % 10;
        if s == 0 {
            s = 10;
        }
        p = (s * 2) % 11;
    }
    (11 - p) % 10
}

fn digits_only(raw: &str) -> String {
    raw.chars().filter(|c| !c.is_whitespace() && *c != '-').collect()
}

/// An entity number: 8 digits, the last a check digit. Allocated from a sequence on approval.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EntityNumber(String);

impl EntityNumber {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let s = digits_only(raw);
        if s.len() != 8 || !s.chars().all(|c| c.is_ascii_digit()) {
            return Err(FieldError::new(field, Code::InvalidFormat, "an entity number has 8 digits"));
        }
        if check_digit(&s[..7]) != s[7..].parse::<u32>().unwrap_or(99) {
            return Err(FieldError::new(
                field,
                Code::InvalidCheckDigit,
                "the entity number's check digit does not match",
            ));
        }
        Ok(EntityNumber(s))
    }
    /// The number for the `seq`-th entity (seq ≥ 1); numbers start at 1000001 so they all have 8 digits.
    pub fn from_sequence(seq: i64) -> Self {
        let body = format!("{:07}", 1_000_000 + seq);
        let d = check_digit(&body);
        EntityNumber(format!("{body}{d}"))
    }
    pub fn from_stored(s: String) -> Self {
        EntityNumber(s)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An application number: `A` then 9 digits, the last a check digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ApplicationNumber(String);

impl ApplicationNumber {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let s = digits_only(raw).to_ascii_uppercase();
        let Some(digits) = s.strip_prefix('A') else {
            return Err(FieldError::new(field, Code::InvalidFormat, "an application number is A followed by 9 digits"));
        };
        if digits.len() != 9 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(FieldError::new(field, Code::InvalidFormat, "an application number is A followed by 9 digits"));
        }
        if check_digit(&digits[..8]) != digits[8..].parse::<u32>().unwrap_or(99) {
            return Err(FieldError::new(
                field,
                Code::InvalidCheckDigit,
                "the application number's check digit does not match",
            ));
        }
        Ok(ApplicationNumber(s))
    }
    pub fn from_sequence(seq: i64) -> Self {
        let body = format!("{:08}", 10_000_000 + seq);
        let d = check_digit(&body);
        ApplicationNumber(format!("A{body}{d}"))
    }
    pub fn from_stored(s: String) -> Self {
        ApplicationNumber(s)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A login's id: a UUID in its hyphenated lower-case form. Records carry it parsed, so no
/// service parses a login's id twice; it reads as the `str` it travels as.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LoginId(String);

impl LoginId {
    /// A new, random id.
    pub fn generate() -> LoginId {
        LoginId(uuid::Uuid::new_v4().hyphenated().to_string())
    }

    /// The id a path or a body names. Anything that is not a UUID names no login, so it
    /// answers like an unknown one.
    pub fn parse(raw: &str) -> Result<LoginId, crate::Error> {
        uuid::Uuid::parse_str(raw).map(|u| LoginId(u.hyphenated().to_string())).map_err(|_| crate::Error::NotFound)
    }

    /// An id as the database holds it (written by `generate` or `parse`).
    pub fn from_stored(s: String) -> LoginId {
        LoginId(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for LoginId {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for LoginId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for LoginId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for LoginId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for LoginId {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

impl PartialEq<LoginId> for String {
    fn eq(&self, other: &LoginId) -> bool {
        *self == other.0
    }
}

impl PartialEq<LoginId> for &str {
    fn eq(&self, other: &LoginId) -> bool {
        *self == other.0
    }
}

impl From<&LoginId> for String {
    fn from(id: &LoginId) -> String {
        id.0.clone()
    }
}

impl From<LoginId> for String {
    fn from(id: LoginId) -> String {
        id.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn entity_numbers_from_sequence_parse_back(seq in 1i64..8_999_999) {
            let n = EntityNumber::from_sequence(seq);
            prop_assert_eq!(EntityNumber::parse("n", n.as_str()).unwrap(), n);
        }

        #[test]
        fn a_single_wrong_digit_is_caught(seq in 1i64..8_999_999, pos in 0usize..8, delta in 1u32..10) {
            let n = EntityNumber::from_sequence(seq);
            let mut chars: Vec<char> = n.as_str().chars().collect();
            let d = chars[pos].to_digit(10).unwrap();
            chars[pos] = char::from_digit((d + delta) % 10, 10).unwrap();
            let typo: String = chars.into_iter().collect();
            prop_assert!(EntityNumber::parse("n", &typo).is_err());
        }

        #[test]
        fn application_numbers_from_sequence_parse_back(seq in 1i64..89_999_999) {
            let n = ApplicationNumber::from_sequence(seq);
            prop_assert_eq!(ApplicationNumber::parse("n", &n.as_str().to_lowercase()).unwrap(), n);
        }
    }
}
