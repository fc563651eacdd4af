//! The User resource's schema as the rules know it (RFC 7643 §4.1, §7), written once: PATCH
//! paths and filters are checked against it, and the server renders `/Schemas` from it.

pub const CORE_USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const EXTENSION_USER: &str = "urn:ietf:params:scim:schemas:extension:entity-account:2.0:User";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrType {
    String,
    Boolean,
    Complex,
    DateTime,
}

impl AttrType {
    pub fn as_str(self) -> &'static str {
        match self {
            AttrType::String => "string",
            AttrType::Boolean => "boolean",
            AttrType::Complex => "complex",
            AttrType::DateTime => "dateTime",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutability {
    ReadOnly,
    ReadWrite,
    /// Set when the login is created; afterwards only the same value is accepted.
    Immutable,
    WriteOnly,
}

impl Mutability {
    pub fn as_str(self) -> &'static str {
        match self {
            Mutability::ReadOnly => "readOnly",
            Mutability::ReadWrite => "readWrite",
            Mutability::Immutable => "immutable",
            Mutability::WriteOnly => "writeOnly",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returned {
    Always,
    Default,
    Never,
}

impl Returned {
    pub fn as_str(self) -> &'static str {
        match self {
            Returned::Always => "always",
            Returned::Default => "default",
            Returned::Never => "never",
        }
    }
}

pub struct AttrDef {
    pub name: &'static str,
    pub kind: AttrType,
    pub multi: bool,
    pub required: bool,
    pub case_exact: bool,
    pub mutability: Mutability,
    pub returned: Returned,
    /// `server` where the value is unique within the entity.
    pub unique: bool,
    pub description: &'static str,
    pub sub: &'static [AttrDef],
}

const fn attr(name: &'static str, kind: AttrType, mutability: Mutability, description: &'static str) -> AttrDef {
    AttrDef {
        name,
        kind,
        multi: false,
        required: false,
        case_exact: false,
        mutability,
        returned: Returned::Default,
        unique: false,
        description,
        sub: &[],
    }
}

use AttrType::*;
use Mutability::*;

pub const USER_ATTRS: &[AttrDef] = &[
    AttrDef {
        returned: Returned::Always,
        case_exact: true,
        unique: true,
        ..attr("id", String, ReadOnly, "The login id.")
    },
    AttrDef {
        case_exact: true,
        unique: true,
        ..attr("externalId", String, ReadWrite, "The provisioning system's id for the person; unique in the entity.")
    },
    AttrDef {
        unique: true,
        ..attr(
            "userName",
            String,
            ReadOnly,
            "The username the person chose at activation (R11), or the login id until then. Set only by the person.",
        )
    },
    AttrDef {
        required: true,
        sub: &[
            attr("formatted", String, ReadWrite, "The person's name, as the login shows it."),
            attr("givenName", String, ReadWrite, "Read only to compose `formatted` when it is absent."),
            attr("familyName", String, ReadWrite, "Read only to compose `formatted` when it is absent."),
        ],
        ..attr("name", Complex, ReadWrite, "The person's name.")
    },
    attr(
        "active",
        Boolean,
        ReadWrite,
        "false suspends the login at once (its sessions and tokens end); true resumes it.",
    ),
    AttrDef {
        multi: true,
        required: true,
        sub: &[
            attr("value", String, Immutable, "A Macau mobile number, +853 and 8 digits beginning with 6."),
            attr("type", String, Immutable, "mobile"),
            attr("primary", Boolean, Immutable, "Ignored."),
        ],
        ..attr(
            "phoneNumbers",
            Complex,
            Immutable,
            "The mobile activation codes go to (type mobile). Set at creation; it cannot be changed through SCIM.",
        )
    },
    AttrDef {
        returned: Returned::Never,
        ..attr("password", String, WriteOnly, "Never accepted: the person sets their own password at activation (R11).")
    },
];

pub const EXTENSION_ATTRS: &[AttrDef] = &[
    AttrDef {
        required: true,
        returned: Returned::Never,
        ..attr("idDocumentType", String, WriteOnly, "macau_resident, passport or other. Set at creation only.")
    },
    AttrDef {
        required: true,
        returned: Returned::Never,
        case_exact: true,
        ..attr(
            "idDocumentNumber",
            String,
            WriteOnly,
            "The identity document's number. Write-only: never returned; set at creation only.",
        )
    },
    attr("idDocumentNumberMask", String, ReadOnly, "The number masked: only its last characters shown."),
];

/// The definition an attribute name (any case) names in `attrs`.
pub fn find<'a>(attrs: &'a [AttrDef], name: &str) -> Option<&'a AttrDef> {
    attrs.iter().find(|a| a.name.eq_ignore_ascii_case(name))
}
