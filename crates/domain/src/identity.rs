//! Personal identifiers collected by the rules (R1, R27): Macau mobile numbers and identity
//! documents. Both are parsed into one canonical form so lookups by hash are exact.

use crate::error::FieldError;
use crate::Code;

/// A Macau mobile number: `+853` and 8 digits beginning with 6, stored as `+853XXXXXXXX`.
#[derive(Clone, PartialEq, Eq)]
pub struct MacauMobile(String);

impl MacauMobile {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let compact: String = raw.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        let local = compact.strip_prefix("+853").or_else(|| compact.strip_prefix("00853")).unwrap_or(&compact);
        if local.len() != 8 || !local.chars().all(|c| c.is_ascii_digit()) || !local.starts_with('6') {
            return Err(FieldError::new(
                field,
                Code::InvalidMobile,
                "a Macau mobile number has 8 digits beginning with 6, optionally after +853",
            ));
        }
        Ok(MacauMobile(format!("+853{local}")))
    }
    pub fn from_stored(s: String) -> Self {
        MacauMobile(s)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// `+853 6•••••78`: enough for a person to recognise their own number.
    pub fn masked(&self) -> String {
        let local = &self.0[4..];
        format!("+853 {}•••••{}", &local[..1], &local[6..])
    }
}

impl std::fmt::Debug for MacauMobile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MacauMobile({})", self.masked())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdDocumentType {
    /// Macau resident identity card, permanent or non-permanent.
    MacauResident,
    Passport,
    Other,
}

impl IdDocumentType {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        match raw {
            "macau_resident" => Ok(Self::MacauResident),
            "passport" => Ok(Self::Passport),
            "other" => Ok(Self::Other),
            _ => Err(FieldError::new(field, Code::InvalidChoice, "one of macau_resident, passport, other")),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MacauResident => "macau_resident",
            Self::Passport => "passport",
            Self::Other => "other",
        }
    }
}

/// An identity document: its type and its number in canonical form.
#[derive(Clone, PartialEq, Eq)]
pub struct IdDocument {
    kind: IdDocumentType,
    number: String,
}

impl IdDocument {
    /// `field` is the path of the document object (`administrators[0].id_document`).
    pub fn parse(field: &str, kind: &str, number: &str) -> Result<Self, FieldError> {
        let kind = IdDocumentType::parse(&format!("{field}.type"), kind)?;
        let number_field = format!("{field}.number");
        let number = match kind {
            IdDocumentType::MacauResident => parse_bir(&number_field, number)?,
            _ => parse_foreign(&number_field, number)?,
        };
        Ok(IdDocument { kind, number })
    }
    pub fn from_stored(kind: IdDocumentType, number: String) -> Self {
        IdDocument { kind, number }
    }
    pub fn kind(&self) -> IdDocumentType {
        self.kind
    }
    pub fn number(&self) -> &str {
        &self.number
    }
    /// `1••••••(8)` or `E••••••12`: shown in pages and logs instead of the number.
    pub fn masked_number(&self) -> String {
        mask_number(&self.number)
    }
}

pub fn mask_number(n: &str) -> String {
    let chars: Vec<char> = n.chars().collect();
    if chars.len() <= 4 {
        return "•".repeat(chars.len());
    }
    let head: String = chars[..1].iter().collect();
    let tail: String = chars[chars.len() - 3..].iter().collect();
    format!("{head}{}{tail}", "•".repeat(chars.len() - 4))
}

/// The form an identity number takes for lookups when its type is not given (R12's "need
/// help" form asks only for the number): letters and digits, upper case.
pub fn lookup_form(raw: &str) -> String {
    raw.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

impl std::fmt::Debug for IdDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdDocument({}, {})", self.kind.as_str(), self.masked_number())
    }
}

/// Macau resident card (BIR): 7 digits and a check digit, written `1234567(8)`; typed with or
/// without the parentheses or slashes.
fn parse_bir(field: &str, raw: &str) -> Result<String, FieldError> {
    let digits: String = raw.chars().filter(|c| c.is_ascii_digit()).collect();
    let rest_ok = raw.chars().all(|c| c.is_ascii_digit() || "()/ -".contains(c));
    if digits.len() != 8 || !rest_ok || !matches!(digits.as_bytes()[0], b'1' | b'5' | b'7') {
        return Err(FieldError::new(
            field,
            Code::InvalidIdNumber,
            "a Macau resident identity card number is 8 digits, written 1234567(8), beginning with 1, 5 or 7",
        ));
    }
    Ok(format!("{}({})", &digits[..7], &digits[7..]))
}

/// Passports and other documents: 5 to 20 letters and digits after dropping spaces and hyphens.
fn parse_foreign(field: &str, raw: &str) -> Result<String, FieldError> {
    let compact: String = raw.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    if compact.len() < 5 || compact.len() > 20 || !compact.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(FieldError::new(field, Code::InvalidIdNumber, "5 to 20 letters and digits"));
    }
    Ok(compact.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contract_mobile_forms_are_accepted_and_canonical() {
        for raw in ["+85366123456", "66123456", "+853 6612 3456", "00853-6612-3456"] {
            assert_eq!(MacauMobile::parse("m", raw).unwrap().as_str(), "+85366123456");
        }
        for raw in ["", "+85356123456", "6612345", "661234567", "+852 66123456", "6612345a"] {
            assert!(MacauMobile::parse("m", raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn bir_numbers_are_canonical() {
        let d = IdDocument::parse("d", "macau_resident", "12345678").unwrap();
        assert_eq!(d.number(), "1234567(8)");
        assert_eq!(IdDocument::parse("d", "macau_resident", "1/234567/8").unwrap(), d);
        assert!(IdDocument::parse("d", "macau_resident", "2234567(8)").is_err());
        assert!(IdDocument::parse("d", "passport", "K1").is_err());
        assert_eq!(IdDocument::parse("d", "passport", "k12 345-67").unwrap().number(), "K1234567");
        assert_eq!(lookup_form("1234567(8)"), "12345678");
    }

    #[test]
    fn r27_masks_hide_most_of_the_number() {
        assert_eq!(MacauMobile::parse("m", "66123478").unwrap().masked(), "+853 6•••••78");
        let d = IdDocument::parse("d", "macau_resident", "1234567(8)").unwrap();
        assert!(!d.masked_number().contains("23456"));
        assert!(!format!("{d:?}").contains("23456"));
    }
}
