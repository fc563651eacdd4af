//! Request and answer shapes shared by several resources. Requests refuse unknown fields;
//! answers show identity numbers and mobiles masked only (R27).

use domain::clock::Timestamp;
use domain::person::{IdDocumentInput, PersonInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdDocumentBody {
    /// `macau_resident`, `passport` or `other`.
    #[serde(rename = "type")]
    pub kind: String,
    pub number: String,
}

impl From<IdDocumentBody> for IdDocumentInput {
    fn from(d: IdDocumentBody) -> Self {
        IdDocumentInput { kind: d.kind, number: d.number }
    }
}

/// A person who gets a login: administrator or staff.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonBody {
    pub name: String,
    pub id_document: IdDocumentBody,
    /// A Macau mobile number, `+853` optional.
    pub mobile: String,
}

impl From<PersonBody> for PersonInput {
    fn from(p: PersonBody) -> Self {
        PersonInput { name: p.name, id_document: p.id_document.into(), mobile: Some(p.mobile), document_shown: None }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MaskedIdDocument {
    #[serde(rename = "type")]
    pub kind: String,
    /// Masked, e.g. `1••••••(8)`.
    pub number: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginIdView {
    pub login_id: String,
}

#[derive(Serialize, ToSchema)]
pub struct KindView {
    /// `entity`, `admin` or `staff`.
    pub kind: String,
}

pub fn rfc3339(t: Timestamp) -> String {
    t.rfc3339()
}

pub fn rfc3339_opt(t: Option<Timestamp>) -> Option<String> {
    t.map(Timestamp::rfc3339)
}
