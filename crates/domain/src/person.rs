//! A natural person as the counter and the administrators record one: name, identity
//! document and, for whoever gets SMS codes, a Macau mobile. Parsed once, sealed once.

use crate::crypto::{Purpose, Vault};
use crate::error::{FieldError, Fields};
use crate::identity::{lookup_form, IdDocument, IdDocumentType, MacauMobile};
use crate::model::{PersonRole, StoredPerson};
use crate::text::{Text, NAME_MAX};
use crate::Code;

pub struct IdDocumentInput {
    pub kind: String,
    pub number: String,
}

pub struct PersonInput {
    pub name: String,
    pub id_document: IdDocumentInput,
    pub mobile: Option<String>,
    pub document_shown: Option<bool>,
}

/// A person whose fields all parsed. `M` is `MacauMobile` for administrators and staff,
/// who get SMS codes (`ReachablePerson`), and `Option<MacauMobile>` for everyone else.
pub struct Person<M = Option<MacauMobile>> {
    pub name: Text,
    pub id: IdDocument,
    pub mobile: M,
}

/// A person with a Macau mobile: one who can be sent an activation code.
pub type ReachablePerson = Person<MacauMobile>;

/// Parses a person at `path`; `needs_mobile` for administrators and staff, who get SMS codes.
pub fn parse_person(path: &str, p: &PersonInput, needs_mobile: bool) -> Result<Person, Vec<FieldError>> {
    let (f, name, id, mobile) = parse_parts(path, p, needs_mobile);
    match (name, id) {
        (Some(name), Some(id)) if f.is_empty() => Ok(Person { name, id, mobile }),
        _ => Err(f.into_vec()),
    }
}

/// Parses a person who must have a mobile (administrators, staff).
pub fn parse_reachable(path: &str, p: &PersonInput) -> Result<ReachablePerson, Vec<FieldError>> {
    let (f, name, id, mobile) = parse_parts(path, p, true);
    match (name, id, mobile) {
        (Some(name), Some(id), Some(mobile)) if f.is_empty() => Ok(Person { name, id, mobile }),
        _ => Err(f.into_vec()),
    }
}

/// Every field's parse, and the faults of all of them, so one answer names every bad field.
fn parse_parts(
    path: &str,
    p: &PersonInput,
    needs_mobile: bool,
) -> (Fields, Option<Text>, Option<IdDocument>, Option<MacauMobile>) {
    let at = |field: &str| {
        if path.is_empty() {
            field.to_string()
        } else {
            format!("{path}.{field}")
        }
    };
    let mut f = Fields::default();
    let name = f.take(Text::parse(&at("name"), &p.name, NAME_MAX));
    let id = f.take(IdDocument::parse(&at("id_document"), &p.id_document.kind, &p.id_document.number));
    // A bad type hides the number's check: a blank number is still named, so that one
    // answer lists every empty field.
    let kind_ok = IdDocumentType::parse("", &p.id_document.kind).is_ok();
    if !kind_ok && p.id_document.number.trim().is_empty() {
        f.push(FieldError::new(at("id_document.number"), Code::Required, "the document number is required"));
    }
    let mobile = match (&p.mobile, needs_mobile) {
        (Some(m), _) => f.take(MacauMobile::parse(&at("mobile"), m)),
        (None, true) => {
            f.push(FieldError::new(at("mobile"), Code::Required, "a Macau mobile number is required"));
            None
        }
        (None, false) => None,
    };
    (f, name, id, mobile)
}

/// A person's mobile, whether or not one was required.
pub trait MobileOf {
    fn mobile(&self) -> Option<&MacauMobile>;
}

impl MobileOf for MacauMobile {
    fn mobile(&self) -> Option<&MacauMobile> {
        Some(self)
    }
}

impl MobileOf for Option<MacauMobile> {
    fn mobile(&self) -> Option<&MacauMobile> {
        self.as_ref()
    }
}

impl<M: MobileOf> Person<M> {
    /// The person as an application stores it: identity number and mobile sealed, with
    /// masks to show and the lookup hash that finds the person again.
    pub fn seal(&self, vault: &Vault, role: PersonRole, poa_reference: Option<String>) -> StoredPerson {
        let mobile = self.mobile.mobile();
        StoredPerson {
            role,
            name: self.name.as_str().to_string(),
            id_type: self.id.kind(),
            id_number_sealed: vault.seal(Purpose::IdNumber, self.id.number()),
            id_number_mask: self.id.masked_number(),
            id_number_lookup: vault.lookup(Purpose::IdNumber, &lookup_form(self.id.number())),
            mobile_sealed: mobile.map(|m| vault.seal(Purpose::Mobile, m.as_str())),
            mobile_mask: mobile.map(|m| m.masked()),
            document_shown: true,
            poa_reference,
        }
    }
}
