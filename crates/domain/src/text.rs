//! Free text from people (names, references): NFKC-normalised, trimmed, length-bounded, and
//! free of control characters, so what is stored is what a clerk would type again.

use crate::error::FieldError;
use crate::Code;
use unicode_normalization::UnicodeNormalization;

pub const NAME_MAX: usize = 200;

/// A person's or an entity's name, or another short free text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text(String);

impl Text {
    pub fn parse(field: &str, raw: &str, max: usize) -> Result<Text, FieldError> {
        let s: String = raw.nfkc().collect::<String>().trim().to_string();
        if s.is_empty() {
            return Err(FieldError::new(field, Code::Required, "must not be empty"));
        }
        if s.chars().count() > max {
            return Err(FieldError::new(field, Code::TooLong, format!("at most {max} characters")));
        }
        if s.chars().any(|c| c.is_control()) {
            return Err(FieldError::new(field, Code::Invalid, "must not contain control characters"));
        }
        Ok(Text(s))
    }
    /// An optional text: absent or blank is `None`.
    pub fn parse_opt(field: &str, raw: Option<&str>, max: usize) -> Result<Option<Text>, FieldError> {
        match raw {
            None => Ok(None),
            Some(r) if r.trim().is_empty() => Ok(None),
            Some(r) => Text::parse(field, r, max).map(Some),
        }
    }
    /// A value read back from storage, trusted because it was parsed before it was stored.
    pub fn from_stored(s: String) -> Text {
        Text(s)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
