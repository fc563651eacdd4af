//! The records the rules read and write through the store port. Sealed fields hold
//! ciphertext from `crypto::Vault`; `*_lookup` fields hold keyed hashes for exact search.

pub mod access;
pub mod eid;
pub mod machine;
pub mod mandate;
pub mod oidc;

pub use access::*;
pub use machine::*;
pub use mandate::*;

use crate::clock::Timestamp;
use crate::identity::IdDocumentType;

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }
            pub fn from_str_opt(s: &str) -> Option<Self> {
                match s { $($s => Some($name::$variant),)+ _ => None }
            }
            /// Every accepted spelling, for error messages.
            pub fn choices() -> String {
                [$($s),+].join(", ")
            }
        }
    };
}

string_enum!(
    /// The kinds of entity the FAQ names [FAQ 2].
    EntityType {
        Association = "association",
        Foundation = "foundation",
        Company = "company",
        Entrepreneur = "entrepreneur",
        Unincorporated = "unincorporated",
    }
);

string_enum!(
    /// R4: submitted → under review → approved | rejected.
    ApplicationStatus {
        Submitted = "submitted",
        UnderReview = "under_review",
        Approved = "approved",
        Rejected = "rejected",
    }
);

impl ApplicationStatus {
    /// R4: a submitted or under-review application can still be approved or rejected.
    pub fn is_undecided(self) -> bool {
        matches!(self, ApplicationStatus::Submitted | ApplicationStatus::UnderReview)
    }
}

string_enum!(
    LoginKind {
        Entity = "entity",
        Admin = "admin",
        Staff = "staff",
    }
);

string_enum!(
    /// A login is pending until activated; suspended (R33, SCIM `active: false`) grants nothing.
    LoginStatus {
        Pending = "pending",
        Active = "active",
        Suspended = "suspended",
        Deleted = "deleted",
    }
);

string_enum!(
    Assurance {
        Basic = "basic",
        Advanced = "advanced",
    }
);

string_enum!(
    /// What a one-time code is for.
    CodePurpose {
        Activation = "activation",
        PasswordReset = "password_reset",
    }
);

string_enum!(
    PersonRole {
        Representative = "representative",
        Proxy = "proxy",
        Administrator = "administrator",
    }
);

/// A person as stored: name in clear, identity number and mobile sealed.
#[derive(Debug, Clone)]
pub struct StoredPerson {
    pub role: PersonRole,
    pub name: String,
    pub id_type: IdDocumentType,
    pub id_number_sealed: Vec<u8>,
    pub id_number_mask: String,
    pub id_number_lookup: String,
    pub mobile_sealed: Option<Vec<u8>>,
    pub mobile_mask: Option<String>,
    pub document_shown: bool,
    pub poa_reference: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityNames {
    pub zh: Option<String>,
    pub pt: Option<String>,
    pub en: Option<String>,
}

impl EntityNames {
    /// The name to show when only one fits: Chinese, else Portuguese, else English.
    pub fn display(&self) -> &str {
        self.zh.as_deref().or(self.pt.as_deref()).or(self.en.as_deref()).unwrap_or("")
    }
    pub fn all(&self) -> Vec<&str> {
        [&self.zh, &self.pt, &self.en].into_iter().flatten().map(String::as_str).collect()
    }
}

#[derive(Debug, Clone)]
pub struct ApplicationRecord {
    pub id: i64,
    pub number: String,
    pub status: ApplicationStatus,
    pub entity_type: EntityType,
    pub names: EntityNames,
    pub registration_number: String,
    pub registration_lookup: String,
    pub mobile_sealed: Vec<u8>,
    pub mobile_mask: String,
    pub people: Vec<StoredPerson>,
    pub agreement_signed: bool,
    pub submitted_by: i64,
    pub submitted_at: Timestamp,
    pub decided_at: Option<Timestamp>,
    pub decided_by: Option<i64>,
    pub reject_reason: Option<String>,
    pub entity_id: Option<i64>,
    /// Read only: the number of the entity the approval created.
    pub entity_number: Option<String>,
}

#[derive(Debug, Clone)]
pub struct EntityRecord {
    pub id: i64,
    pub number: String,
    pub entity_type: EntityType,
    pub names: EntityNames,
    pub registration_number: String,
    pub registration_lookup: String,
    pub mobile_sealed: Vec<u8>,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct LoginRecord {
    pub entity_id: i64,
    pub id: crate::numbers::LoginId,
    pub kind: LoginKind,
    pub status: LoginStatus,
    pub name: String,
    pub id_type: Option<IdDocumentType>,
    pub id_number_sealed: Option<Vec<u8>>,
    pub id_number_mask: Option<String>,
    pub id_number_lookup: Option<String>,
    pub mobile_sealed: Vec<u8>,
    pub mobile_mask: String,
    pub mobile_lookup: String,
    pub username: Option<String>,
    pub username_key: Option<String>,
    pub password_hash: Option<String>,
    /// Set when the entity account removed this login's administrator rights (R17); only
    /// such a login can have them restored by the counter.
    pub admin_removed: bool,
    /// R29: notices that access ends come by SMS too (the login asked for it).
    pub sms_notices: bool,
    pub created_at: Timestamp,
    pub activated_at: Option<Timestamp>,
    pub deleted_at: Option<Timestamp>,
    /// R33: the provisioning system's id for the person (SCIM `externalId`).
    pub external_id: Option<String>,
    /// R33: how many changes SCIM made; part of the resource's version.
    pub scim_version: i64,
    /// When the login last changed through SCIM (creation and activation have their own).
    pub modified_at: Option<Timestamp>,
}

impl LoginRecord {
    /// R17: the login holds administrator rights (the ones the entity account may remove).
    pub fn has_admin_rights(&self) -> bool {
        self.kind == LoginKind::Admin
    }
}

#[derive(Debug, Clone)]
pub struct CodeRecord {
    pub entity_id: i64,
    pub login_id: crate::numbers::LoginId,
    pub purpose: CodePurpose,
    pub code_hash: String,
    pub expires_at: Timestamp,
    pub failures: i64,
    pub used: bool,
}

#[derive(Debug, Clone)]
pub struct OperatorRecord {
    pub id: i64,
    pub username: String,
    pub username_key: String,
    pub password_hash: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionSubject {
    Login,
    Operator,
}

#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub token_hash: String,
    pub subject: SessionSubject,
    /// For operator sessions, the operator id is in `operator_id` and these are empty.
    pub entity_id: Option<i64>,
    pub login_id: Option<crate::numbers::LoginId>,
    pub operator_id: Option<i64>,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub expires_at: Timestamp,
}

/// A session with what authenticating it needs of its holder, read in one statement: the
/// holder's fields are `None` when the operator, login or entity no longer exists.
#[derive(Debug, Clone)]
pub struct SessionHolder {
    pub session: SessionRecord,
    pub operator_username: Option<String>,
    pub login_kind: Option<LoginKind>,
    pub login_status: Option<LoginStatus>,
    pub entity_number: Option<String>,
}

#[derive(Debug, Clone)]
pub struct EServiceRecord {
    pub code: String,
    pub name_zh: String,
    pub name_pt: String,
    pub name_en: String,
    pub department: String,
    pub assurance: Assurance,
    pub requires_registration: bool,
    /// An assignment to it takes effect only when a second administrator approves (R31).
    pub four_eyes: bool,
    /// Entities may act for others on it under a mandate (R34).
    pub allows_intermediaries: bool,
    /// How often an entity reviews who may use it, in days (R30: 30 to 180).
    pub review_days: i64,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct NotificationRecord {
    pub entity_id: i64,
    pub id: String,
    pub login_id: crate::numbers::LoginId,
    pub kind: String,
    /// Key–value pairs the page renders into a sentence in the reader's language.
    pub params: Vec<(String, String)>,
    pub created_at: Timestamp,
}

/// A message waiting in the outbox: recipient and payload sealed (they hold codes).
#[derive(Debug, Clone)]
pub struct OutboxRecord {
    pub id: i64,
    pub payload_sealed: Vec<u8>,
    pub attempts: i64,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct ThrottleRecord {
    pub key: String,
    pub failures: i64,
    pub last_failure_at: Timestamp,
    pub blocked_until: Timestamp,
}

/// Per-window counts (R7 misses, R12 requests): the window opens at the first count
/// (`last_failure_at`) and lasts `window_secs`.
impl ThrottleRecord {
    /// What counts now: nothing once the window has passed.
    pub fn count_within(&self, window_secs: i64, now: Timestamp) -> i64 {
        if self.last_failure_at.plus_secs(window_secs) > now {
            self.failures
        } else {
            0
        }
    }

    /// Seconds until the window ends (a `Retry-After`).
    pub fn secs_left(&self, window_secs: i64, now: Timestamp) -> i64 {
        now.secs_until(self.last_failure_at.plus_secs(window_secs))
    }

    /// One more count: in the current window, or the first of a window opening now.
    pub fn counted(prev: Option<ThrottleRecord>, key: String, window_secs: i64, now: Timestamp) -> ThrottleRecord {
        let count = prev.as_ref().map(|t| t.count_within(window_secs, now)).unwrap_or(0);
        let since = prev.filter(|_| count > 0).map(|t| t.last_failure_at).unwrap_or(now);
        ThrottleRecord { key, failures: count + 1, last_failure_at: since, blocked_until: now }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub seq: i64,
    pub at: Timestamp,
    pub actor: String,
    pub entity_id: Option<i64>,
    pub action: String,
    pub target: Option<String>,
    pub result: String,
    pub detail: String,
    pub source: String,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditHead {
    pub seq: i64,
    pub hash: String,
    pub mac: String,
}
