//! What the counter types for an application (R1–R4), and its parse: every field checked
//! at once, so one answer names every fault, into a `ParsedApplication` that holds only
//! valid values. Also R5's key of an entity (its registry and registration number).

use crate::crypto::{Purpose, Vault};
use crate::error::{Error, FieldError, Fields, Result};
use crate::identity::MacauMobile;
use crate::model::EntityType;
use crate::person::{parse_person, parse_reachable, Person, PersonInput, ReachablePerson};
use crate::text::{Text, NAME_MAX};
use crate::Code;

pub struct ProxyInput {
    pub person: PersonInput,
    pub poa_notarised: bool,
    pub poa_reference: String,
}

pub struct EntityInput {
    pub kind: String,
    pub name_zh: Option<String>,
    pub name_pt: Option<String>,
    pub name_en: Option<String>,
    pub registration_number: String,
    pub mobile: String,
}

pub struct ApplicationInput {
    pub entity: EntityInput,
    pub representatives: Vec<PersonInput>,
    pub proxy: Option<ProxyInput>,
    pub administrators: Vec<PersonInput>,
    pub agreement_signed: bool,
}

/// An application whose every field parsed and whose R1–R4 checks passed.
pub struct ParsedApplication {
    pub kind: EntityType,
    pub name_zh: Option<Text>,
    pub name_pt: Option<Text>,
    pub name_en: Option<Text>,
    pub registration_number: Text,
    pub mobile: MacauMobile,
    pub representatives: Vec<Person>,
    /// The proxy and the reference of their notarised power of attorney (R3).
    pub proxy: Option<(Person, Text)>,
    pub administrators: Vec<ReachablePerson>,
}

/// At most this many legal representatives on one application.
const MAX_REPRESENTATIVES: usize = 20;

impl ApplicationInput {
    /// R1–R4 on what was typed; `max_admins` is the policy's (R2: one to three).
    pub fn parse(&self, max_admins: usize) -> Result<ParsedApplication> {
        let mut f = Fields::default();
        let entity = parse_entity(&self.entity, &mut f);
        let representatives = self.parse_representatives(&mut f);
        let proxy = self.proxy.as_ref().and_then(|p| parse_proxy(p, &mut f));
        let administrators = self.parse_administrators(max_admins, &mut f);
        if !self.agreement_signed {
            f.push(FieldError::new(
                "agreement_signed",
                Code::AgreementNotSigned,
                "the entity account agreement must be signed and stamped",
            ));
        }
        match entity {
            Some((kind, [name_zh, name_pt, name_en], registration_number, mobile)) if f.is_empty() => {
                Ok(ParsedApplication {
                    kind,
                    name_zh,
                    name_pt,
                    name_en,
                    registration_number,
                    mobile,
                    representatives,
                    proxy,
                    administrators,
                })
            }
            _ => Err(Error::Validation(f.into_vec())),
        }
    }

    /// R1, R2: every legal representative, each document shown.
    fn parse_representatives(&self, f: &mut Fields) -> Vec<Person> {
        if self.representatives.is_empty() {
            f.push(FieldError::new("representatives", Code::Required, "at least one legal representative"));
        }
        if self.representatives.len() > MAX_REPRESENTATIVES {
            f.push(FieldError::new(
                "representatives",
                Code::TooMany,
                format!("at most {MAX_REPRESENTATIVES} legal representatives"),
            ));
        }
        let mut people = Vec::new();
        for (i, r) in self.representatives.iter().enumerate() {
            let path = format!("representatives[{i}]");
            match parse_person(&path, r, false) {
                Ok(p) => {
                    if r.document_shown != Some(true) {
                        f.push(FieldError::new(
                            format!("{path}.document_shown"),
                            Code::DocumentNotShown,
                            "the representative's identity document (original or certified copy) must be shown",
                        ));
                    }
                    people.push(p);
                }
                Err(errs) => f.extend(errs),
            }
        }
        people
    }

    /// R2: one to three administrators, each a different person with a Macau mobile.
    fn parse_administrators(&self, max_admins: usize, f: &mut Fields) -> Vec<ReachablePerson> {
        let n = self.administrators.len();
        if n == 0 || n > max_admins {
            f.push(FieldError::new(
                "administrators",
                Code::AdministratorsCount,
                format!("between 1 and {max_admins} administrators"),
            ));
        }
        let mut people: Vec<ReachablePerson> = Vec::new();
        for (i, a) in self.administrators.iter().enumerate().take(max_admins + 1) {
            let path = format!("administrators[{i}]");
            match parse_reachable(&path, a) {
                Ok(p) => {
                    let same = |q: &ReachablePerson| q.id.kind() == p.id.kind() && q.id.number() == p.id.number();
                    if people.iter().any(same) {
                        f.push(FieldError::new(
                            format!("{path}.id_document"),
                            Code::DuplicatePerson,
                            "the same person appears twice",
                        ));
                    }
                    people.push(p);
                }
                Err(errs) => f.extend(errs),
            }
        }
        people
    }
}

type ParsedEntity = (EntityType, [Option<Text>; 3], Text, MacauMobile);

/// R1: the entity's type, names (Chinese and/or Portuguese), registration and mobile.
fn parse_entity(e: &EntityInput, f: &mut Fields) -> Option<ParsedEntity> {
    let kind = EntityType::from_str_opt(&e.kind);
    if kind.is_none() {
        f.push(FieldError::new("entity.type", Code::InvalidChoice, format!("one of {}", EntityType::choices())));
    }
    let name_zh = f.take(Text::parse_opt("entity.name_zh", e.name_zh.as_deref(), NAME_MAX)).flatten();
    let name_pt = f.take(Text::parse_opt("entity.name_pt", e.name_pt.as_deref(), NAME_MAX)).flatten();
    let name_en = f.take(Text::parse_opt("entity.name_en", e.name_en.as_deref(), NAME_MAX)).flatten();
    // A blank name counts as absent.
    let blank = |n: &Option<String>| n.as_deref().is_none_or(|s| s.trim().is_empty());
    if blank(&e.name_zh) && blank(&e.name_pt) {
        f.push(FieldError::new("entity.name_zh", Code::Required, "a Chinese or a Portuguese name is required"));
    }
    let reg = f.take(Text::parse("entity.registration_number", &e.registration_number, 50));
    if let Some(r) = &reg {
        if registration_canonical(r.as_str()).is_empty() {
            f.push(FieldError::new("entity.registration_number", Code::Invalid, "must contain letters or digits"));
        }
    }
    let mobile = f.take(MacauMobile::parse("entity.mobile", &e.mobile));
    Some((kind?, [name_zh, name_pt, name_en], reg?, mobile?))
}

/// R3: a proxy with a notarised power of attorney and the proxy's document shown.
fn parse_proxy(proxy: &ProxyInput, f: &mut Fields) -> Option<(Person, Text)> {
    let person = match parse_person("proxy", &proxy.person, false) {
        Ok(p) => p,
        Err(errs) => {
            f.extend(errs);
            return None;
        }
    };
    if proxy.person.document_shown != Some(true) {
        f.push(FieldError::new(
            "proxy.document_shown",
            Code::DocumentNotShown,
            "the proxy's identity document must be shown",
        ));
    }
    if !proxy.poa_notarised {
        f.push(FieldError::new(
            "proxy.power_of_attorney.notarised",
            Code::PowerOfAttorneyNotNotarised,
            "the original notarised power of attorney is required",
        ));
    }
    let reference = f.take(Text::parse("proxy.power_of_attorney.reference", &proxy.poa_reference, 100))?;
    Some((person, reference))
}

/// The registry an entity type is registered at: R5's "same registry + registration number".
fn registry_of(t: EntityType) -> &'static str {
    match t {
        EntityType::Company | EntityType::Entrepreneur => "commercial",
        EntityType::Association | EntityType::Foundation => "legal_persons",
        EntityType::Unincorporated => "other",
    }
}

/// Every registry, for a search by registration number alone.
pub const REGISTRIES: [&str; 3] = ["commercial", "legal_persons", "other"];

/// A registration number as compared: letters and digits only, upper case.
pub fn registration_canonical(raw: &str) -> String {
    raw.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_uppercase).collect()
}

/// R5's key of an entity: its registry and its registration number, whatever the spacing
/// or case it was typed in. Public for the bulk seeder, which must key entities alike.
pub fn registration_lookup(vault: &Vault, kind: EntityType, registration_number: &str) -> String {
    registry_lookup(vault, registry_of(kind), &registration_canonical(registration_number))
}

/// The lookup hash of a canonical registration number at one registry.
pub fn registry_lookup(vault: &Vault, registry: &str, canonical: &str) -> String {
    vault.lookup(Purpose::Registration, &format!("{registry}:{canonical}"))
}
