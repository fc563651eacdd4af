//! SCIM Users (R33): an entity's staff logins as a provisioning credential sees them.
//! Created as an administrator creates one (R15: the same parse, the same duplicate check,
//! the activation code by SMS), read, listed, replaced, patched, suspended and resumed by
//! `active`, and deleted as an administrator deletes one. Administrators and the entity
//! account do not exist here: every id that is not a live staff login answers 404.

use crate::access::ProvisionerOf;
use crate::audit::{Action, Actor, AuditEvent};
use crate::clock::Timestamp;
use crate::crypto::{sha256_hex, Purpose};
use crate::error::{internal, Error, FieldError, Fields, Result};
use crate::identity::{lookup_form, IdDocument, MacauMobile};
use crate::logins::{end_login_access, erase_login};
use crate::model::{LoginKind, LoginRecord, LoginStatus};
use crate::notifications::kinds;
use crate::numbers::LoginId;
use crate::person::{parse_reachable, IdDocumentInput, PersonInput};
use crate::scim::filter;
use crate::scim::patch::{self, no_password};
use crate::scim::query::{user_filter, UserFilter};
use crate::scim::schema::EXTENSION_USER;
use crate::scim::value::Value;
use crate::services::{Ctx, Services};
use crate::store::Tx;
use crate::text::{Text, NAME_MAX};
use crate::Code;

/// The most Users one page holds (a larger `count` is cut to it, RFC 7644 §3.4.2.4), and
/// the page size when none is asked.
pub const MAX_COUNT: i64 = 200;
pub const DEFAULT_COUNT: i64 = 100;
/// The longest `externalId` kept.
pub const EXTERNAL_ID_MAX: usize = 255;

/// A User as answers show it. The identity document is never in it but as its mask.
#[derive(Debug, Clone)]
pub struct ScimUser {
    pub id: String,
    pub user_name: String,
    pub external_id: Option<String>,
    pub name: String,
    pub mobile: String,
    pub active: bool,
    pub id_number_mask: Option<String>,
    pub created: Timestamp,
    pub last_modified: Timestamp,
    /// `W/"…"`: changes with every change of the login.
    pub version: String,
}

/// One page of a list (RFC 7644 §3.4.2): `start_index` is 1-based.
#[derive(Debug, Clone)]
pub struct ScimList {
    pub total_results: i64,
    pub start_index: i64,
    pub users: Vec<ScimUser>,
}

/// The resource's version: a digest of everything it shows and of SCIM's change count, so
/// any change (through SCIM, activation, a new username) gives another.
fn version_of(l: &LoginRecord) -> String {
    let parts = [
        l.id.as_str(),
        &l.scim_version.to_string(),
        l.status.as_str(),
        l.username.as_deref().unwrap_or(""),
        &l.name,
        l.external_id.as_deref().unwrap_or("\u{0}"),
        &l.activated_at.map(|t| t.0).unwrap_or(0).to_string(),
        &l.modified_at.map(|t| t.0).unwrap_or(0).to_string(),
    ];
    let bytes: Vec<&[u8]> = parts.iter().flat_map(|p| [p.as_bytes(), b"\x1f"]).collect();
    format!("W/\"{}\"", &sha256_hex(&bytes)[..20])
}

/// What a body (a POST's or PUT's resource, or a PATCH's result) says of the attributes the
/// rules keep. `userName` is read-only (the person chooses it, R11) and ignored.
#[derive(Debug, Default)]
struct UserWrite {
    external_id: Option<String>,
    name: Option<String>,
    mobile: Option<String>,
    active: Option<bool>,
    id_type: Option<String>,
    id_number: Option<String>,
}

const MOBILE_PATH: &str = "phoneNumbers[type eq \"mobile\"].value";

fn not_a(field: &str, what: &str, got: &Value) -> FieldError {
    FieldError::new(field, Code::InvalidType, format!("{field} is {what}, not {}", got.kind()))
}

fn string_at(f: &mut Fields, v: Option<&Value>, field: &str) -> Option<String> {
    match v {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => {
            f.push(not_a(field, "a string", other));
            None
        }
    }
}

fn read_user(v: &Value) -> Result<UserWrite> {
    let Value::Object(_) = v else {
        return Err(Error::field("", Code::InvalidType, "a User is an object"));
    };
    let mut f = Fields::default();
    if v.get("password").is_some_and(|p| !p.is_null()) {
        f.push(no_password());
    }
    let mut w = UserWrite { external_id: string_at(&mut f, v.get("externalId"), "externalId"), ..Default::default() };
    match v.get("name") {
        None | Some(Value::Null) => {}
        Some(name @ Value::Object(_)) => {
            w.name = string_at(&mut f, name.get("formatted"), "name.formatted");
            if w.name.is_none() {
                let given = string_at(&mut f, name.get("givenName"), "name.givenName");
                let family = string_at(&mut f, name.get("familyName"), "name.familyName");
                let joined = [given, family].into_iter().flatten().collect::<Vec<_>>().join(" ");
                w.name = Some(joined).filter(|n| !n.trim().is_empty());
            }
        }
        Some(other) => f.push(not_a("name", "an object", other)),
    }
    w.active = match v.get("active") {
        None | Some(Value::Null) => None,
        Some(a) => match a.as_bool() {
            Some(b) => Some(b),
            None => {
                f.push(not_a("active", "a boolean", a));
                None
            }
        },
    };
    match v.get("phoneNumbers") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            let mobile = items
                .iter()
                .find(|i| i.get("type").and_then(Value::as_str).is_some_and(|t| t.eq_ignore_ascii_case("mobile")))
                .or(if items.len() == 1 { items.first() } else { None });
            match (mobile, items.is_empty()) {
                (Some(m), _) => w.mobile = string_at(&mut f, m.get("value"), MOBILE_PATH),
                (None, true) => {}
                (None, false) => f.push(FieldError::new(
                    "phoneNumbers",
                    Code::Required,
                    "one phone number of type mobile is required",
                )),
            }
        }
        Some(other) => f.push(not_a("phoneNumbers", "an array", other)),
    }
    match v.get(EXTENSION_USER) {
        None | Some(Value::Null) => {}
        Some(ext @ Value::Object(_)) => {
            w.id_type = string_at(&mut f, ext.get("idDocumentType"), &format!("{EXTENSION_USER}:idDocumentType"));
            w.id_number = string_at(&mut f, ext.get("idDocumentNumber"), &format!("{EXTENSION_USER}:idDocumentNumber"));
        }
        Some(other) => f.push(not_a(EXTENSION_USER, "an object", other)),
    }
    f.finish()?;
    Ok(w)
}

/// R15's field names as SCIM's attribute paths.
fn scim_field(e: FieldError) -> FieldError {
    let field = match e.field.as_str() {
        "name" => "name.formatted".to_string(),
        "mobile" => MOBILE_PATH.to_string(),
        "id_document.type" => format!("{EXTENSION_USER}:idDocumentType"),
        f if f.starts_with("id_document") => format!("{EXTENSION_USER}:idDocumentNumber"),
        f => f.to_string(),
    };
    FieldError { field, ..e }
}

fn parse_external_id(raw: Option<&str>) -> std::result::Result<Option<String>, FieldError> {
    let Some(raw) = raw else { return Ok(None) };
    if raw.is_empty() || raw.chars().count() > EXTERNAL_ID_MAX || raw.chars().any(char::is_control) {
        return Err(FieldError::new(
            "externalId",
            Code::Invalid,
            format!("1 to {EXTERNAL_ID_MAX} characters, none of them a control character"),
        ));
    }
    Ok(Some(raw.to_string()))
}

fn immutable(field: &str, what: &str) -> FieldError {
    FieldError::new(field, Code::Immutable, format!("{what} is set when the login is created and cannot change"))
}

/// Whether the write changes the entity's login, and the audit's words for what it changed.
enum Absent {
    /// PUT: an absent mobile or identity document keeps the login's (write-only, immutable).
    Keeps,
    /// PATCH: the result of the operations lacks it, so an operation removed it.
    Removed,
}

impl Services {
    fn scim_user(&self, l: &LoginRecord) -> Result<ScimUser> {
        let mobile = self.vault.open(Purpose::Mobile, &l.mobile_sealed).map_err(internal)?;
        let last_modified = [Some(l.created_at), l.activated_at, l.modified_at].into_iter().flatten().max();
        Ok(ScimUser {
            id: l.id.to_string(),
            user_name: l.username.clone().unwrap_or_else(|| l.id.to_string()),
            external_id: l.external_id.clone(),
            name: l.name.clone(),
            mobile,
            active: l.status != LoginStatus::Suspended,
            id_number_mask: l.id_number_mask.clone(),
            created: l.created_at,
            last_modified: last_modified.unwrap_or(l.created_at),
            version: version_of(l),
        })
    }

    /// The writable view PATCH operates on: what a PUT would send back.
    fn writable_view(&self, u: &ScimUser) -> Value {
        let mut v = Value::object();
        if let Some(e) = &u.external_id {
            v.set("externalId", Value::String(e.clone()));
        }
        v.set("name", Value::Object(vec![("formatted".into(), Value::String(u.name.clone()))]));
        v.set("active", Value::Bool(u.active));
        v.set(
            "phoneNumbers",
            Value::Array(vec![Value::Object(vec![
                ("value".into(), Value::String(u.mobile.clone())),
                ("type".into(), Value::String("mobile".into())),
            ])]),
        );
        v
    }

    /// A live staff login of the provisioner's entity, or 404: administrators, the entity
    /// account, deleted logins and every other entity's logins alike.
    async fn staff_login(&self, tx: &mut dyn Tx, p: &ProvisionerOf, id: &str) -> Result<LoginRecord> {
        let id = LoginId::parse(id).map_err(|_| Error::NotFound)?;
        match tx.find_login(p.entity_id, &id).await? {
            Some(l) if l.kind == LoginKind::Staff && l.status != LoginStatus::Deleted => Ok(l),
            _ => Err(Error::NotFound),
        }
    }

    fn scim_event(p: &ProvisionerOf, action: Action) -> AuditEvent {
        AuditEvent::new(Actor::Client(p.client_id.clone()), action).entity(p.entity_id)
    }

    /// RFC 7644 §3.5.2 `If-Match`: checked under the write lock against the login as it is.
    fn check_version(l: &LoginRecord, if_match: Option<&str>) -> Result<()> {
        let Some(wanted) = if_match else { return Ok(()) };
        let have = version_of(l);
        let strip = |s: &str| s.trim().trim_start_matches("W/").to_string();
        let ok = wanted.split(',').any(|w| w.trim() == "*" || strip(w) == strip(&have));
        if ok {
            Ok(())
        } else {
            Err(Error::conflict(Code::VersionMismatch, "the login changed since this version; read it again"))
        }
    }

    /// POST /Users: R15's staff-login creation, for the provisioner's entity.
    pub async fn scim_create_user(&self, p: &ProvisionerOf, ctx: &Ctx, body: &Value) -> Result<ScimUser> {
        let refusal = Self::scim_event(p, Action::ScimUserCreated).detail(format!("by {}", p.client_id));
        self.refusals_audited(ctx, refusal, async move {
            let w = read_user(body)?;
            let person = PersonInput {
                name: w.name.clone().unwrap_or_default(),
                id_document: IdDocumentInput {
                    kind: w.id_type.clone().unwrap_or_default(),
                    number: w.id_number.clone().unwrap_or_default(),
                },
                mobile: w.mobile.clone(),
                document_shown: None,
            };
            let mut f = Fields::default();
            let parsed = match parse_reachable("", &person) {
                Ok(person) => Some(person),
                Err(errors) => {
                    f.extend(errors.into_iter().map(scim_field).collect());
                    None
                }
            };
            let external_id = f.take(parse_external_id(w.external_id.as_deref())).flatten();
            let person = f.finish_with(|| parsed)?;
            let mut tx = self.provisioning_write(p).await?;
            let now = self.clock.now();
            let entity = tx.find_entity(p.entity_id).await?.ok_or(Error::Unauthenticated)?;
            if let Some(e) = &external_id {
                self.ensure_external_id_free(tx.as_mut(), p.entity_id, e, None).await?;
            }
            let id = self
                .add_person_login(tx.as_mut(), &entity, LoginKind::Staff, person, kinds::LOGIN_CREATED, now)
                .await?;
            let mut login = tx.find_login(p.entity_id, &id).await?.ok_or_else(|| internal("created login is gone"))?;
            login.external_id = external_id;
            if w.active == Some(false) {
                login.status = LoginStatus::Suspended;
            }
            tx.update_login(&login).await?;
            let ev = Self::scim_event(p, Action::ScimUserCreated).target(id.clone()).detail(format!(
                "by {}; staff{}",
                p.client_id,
                if w.active == Some(false) { ", suspended" } else { "" }
            ));
            self.commit(tx, ctx, &[ev]).await?;
            self.wake_sms();
            self.scim_user(&login)
        })
        .await
    }

    async fn ensure_external_id_free(
        &self,
        tx: &mut dyn Tx,
        entity_id: i64,
        external_id: &str,
        except: Option<&str>,
    ) -> Result<()> {
        match tx.find_login_by_external_id(entity_id, external_id).await? {
            Some(other) if Some(other.id.as_str()) != except => {
                Err(Error::conflict(Code::ExternalIdTaken, "another login of this entity has this externalId"))
            }
            _ => Ok(()),
        }
    }

    /// GET /Users/{id}.
    pub async fn scim_get_user(&self, p: &ProvisionerOf, id: &str) -> Result<ScimUser> {
        let mut tx = self.store.read().await?;
        let login = self.staff_login(tx.as_mut(), p, id).await?;
        self.scim_user(&login)
    }

    /// GET /Users: `filter` (RFC 7644 §3.4.2.2), `startIndex` (1-based; less is 1) and
    /// `count` (0 to `MAX_COUNT`; more is cut, less is 0). Two statements: the count and the
    /// page, both on the entity's staff index.
    pub async fn scim_list_users(
        &self,
        p: &ProvisionerOf,
        filter_text: Option<&str>,
        start_index: Option<i64>,
        count: Option<i64>,
    ) -> Result<ScimList> {
        let filter = match filter_text.filter(|t| !t.trim().is_empty()) {
            None => UserFilter::All,
            Some(text) => {
                let parsed = filter::parse(text)
                    .map_err(|e| Error::Validation(vec![FieldError::new("filter", Code::InvalidFilter, e)]))?;
                user_filter(&parsed).map_err(|e| Error::Validation(vec![e]))?
            }
        };
        let start_index = start_index.unwrap_or(1).max(1);
        let count = count.unwrap_or(DEFAULT_COUNT).clamp(0, MAX_COUNT);
        let mut tx = self.store.read().await?;
        let total_results = tx.count_scim_users(p.entity_id, &filter).await?;
        let logins = if count == 0 {
            Vec::new()
        } else {
            tx.list_scim_users(p.entity_id, &filter, start_index - 1, count).await?
        };
        let users = logins.iter().map(|l| self.scim_user(l)).collect::<Result<Vec<_>>>()?;
        Ok(ScimList { total_results, start_index, users })
    }

    /// PUT /Users/{id}: the body is the whole resource. Absent `externalId` clears it; absent
    /// `active` keeps the login's; the mobile and identity document may be repeated, never changed.
    pub async fn scim_replace_user(
        &self,
        p: &ProvisionerOf,
        ctx: &Ctx,
        id: &str,
        if_match: Option<&str>,
        body: &Value,
    ) -> Result<ScimUser> {
        let refusal = Self::scim_event(p, Action::ScimUserReplaced).target(id).detail(format!("by {}", p.client_id));
        self.refusals_audited(ctx, refusal, async move {
            let w = read_user(body)?;
            let mut tx = self.provisioning_write(p).await?;
            let login = self.staff_login(tx.as_mut(), p, id).await?;
            Self::check_version(&login, if_match)?;
            self.scim_write(tx, p, ctx, login, w, Absent::Keeps, Action::ScimUserReplaced).await
        })
        .await
    }

    /// PATCH /Users/{id}: the operations apply in order to the login's writable view; the
    /// result is then read as a PUT's body, all of it or nothing.
    pub async fn scim_patch_user(
        &self,
        p: &ProvisionerOf,
        ctx: &Ctx,
        id: &str,
        if_match: Option<&str>,
        body: &Value,
    ) -> Result<ScimUser> {
        let refusal = Self::scim_event(p, Action::ScimUserPatched).target(id).detail(format!("by {}", p.client_id));
        self.refusals_audited(ctx, refusal, async move {
            let ops = patch::read_request(body).map_err(|e| Error::Validation(vec![e]))?;
            let mut tx = self.provisioning_write(p).await?;
            let login = self.staff_login(tx.as_mut(), p, id).await?;
            Self::check_version(&login, if_match)?;
            let mut view = self.writable_view(&self.scim_user(&login)?);
            for op in &ops {
                patch::apply(&mut view, op).map_err(|e| Error::Validation(vec![e]))?;
            }
            let w = read_user(&view)?;
            self.scim_write(tx, p, ctx, login, w, Absent::Removed, Action::ScimUserPatched).await
        })
        .await
    }

    /// The write PUT and PATCH share: checks every attribute, changes what differs, ends the
    /// login's sessions and grants when it is suspended, and audits each kind of change.
    #[allow(clippy::too_many_arguments)]
    async fn scim_write(
        &self,
        mut tx: Box<dyn Tx>,
        p: &ProvisionerOf,
        ctx: &Ctx,
        mut login: LoginRecord,
        w: UserWrite,
        absent: Absent,
        action: Action,
    ) -> Result<ScimUser> {
        let mut f = Fields::default();
        let name = match &w.name {
            Some(n) => f.take(Text::parse("name.formatted", n, NAME_MAX)),
            None => {
                f.push(FieldError::new("name.formatted", Code::Required, "the person's name is required"));
                None
            }
        };
        match (&w.mobile, &absent) {
            (Some(m), _) => {
                if let Some(m) = f.take(MacauMobile::parse(MOBILE_PATH, m)) {
                    if self.vault.lookup(Purpose::Mobile, m.as_str()) != login.mobile_lookup {
                        f.push(immutable(MOBILE_PATH, "the mobile"));
                    }
                }
            }
            (None, Absent::Removed) => f.push(immutable("phoneNumbers", "the mobile")),
            (None, Absent::Keeps) => {}
        }
        if w.id_type.is_some() || w.id_number.is_some() {
            let field = format!("{EXTENSION_USER}:idDocumentNumber");
            let doc =
                IdDocument::parse(&field, w.id_type.as_deref().unwrap_or(""), w.id_number.as_deref().unwrap_or(""));
            if let Some(doc) = f.take(doc.map_err(scim_field)) {
                let same = Some(doc.kind()) == login.id_type
                    && login.id_number_lookup.as_deref()
                        == Some(self.vault.lookup(Purpose::IdNumber, &lookup_form(doc.number())).as_str());
                if !same {
                    f.push(immutable(&field, "the identity document"));
                }
            }
        }
        let external_id = f.take(parse_external_id(w.external_id.as_deref())).flatten();
        let name = f.finish_with(|| name)?;
        if let Some(e) = external_id.as_ref().filter(|e| login.external_id.as_ref() != Some(*e)) {
            self.ensure_external_id_free(tx.as_mut(), login.entity_id, e, Some(login.id.as_str())).await?;
        }

        let now = self.clock.now();
        let mut changed = Vec::new();
        if name.as_str() != login.name {
            login.name = name.as_str().to_string();
            changed.push("name.formatted");
        }
        if external_id != login.external_id {
            login.external_id = external_id;
            changed.push("externalId");
        }
        let active_now = login.status != LoginStatus::Suspended;
        let active = w.active.unwrap_or(active_now);
        let mut events = Vec::new();
        if !changed.is_empty() {
            events.push(Self::scim_event(p, action).target(login.id.clone()).detail(format!(
                "by {}; {}",
                p.client_id,
                changed.join(", ")
            )));
        }
        if active != active_now {
            if active {
                login.status = if login.activated_at.is_some() { LoginStatus::Active } else { LoginStatus::Pending };
                events.push(
                    Self::scim_event(p, Action::ScimUserResumed)
                        .target(login.id.clone())
                        .detail(format!("by {}", p.client_id)),
                );
            } else {
                login.status = LoginStatus::Suspended;
                end_login_access(tx.as_mut(), login.entity_id, &login.id, now).await?;
                events.push(
                    Self::scim_event(p, Action::ScimUserSuspended)
                        .target(login.id.clone())
                        .detail(format!("by {}", p.client_id)),
                );
            }
        }
        if events.is_empty() {
            // Nothing differs: nothing is written, and the version stays.
            return self.scim_user(&login);
        }
        login.scim_version += 1;
        login.modified_at = Some(now);
        tx.update_login(&login).await?;
        self.commit(tx, ctx, &events).await?;
        self.scim_user(&login)
    }

    /// DELETE /Users/{id}: the login is deleted as an administrator deletes it (R16), its
    /// sessions, grants and codes ending with it.
    pub async fn scim_delete_user(&self, p: &ProvisionerOf, ctx: &Ctx, id: &str, if_match: Option<&str>) -> Result<()> {
        let refusal = Self::scim_event(p, Action::ScimUserDeleted).target(id).detail(format!("by {}", p.client_id));
        self.refusals_audited(ctx, refusal, async move {
            let mut tx = self.provisioning_write(p).await?;
            let mut login = self.staff_login(tx.as_mut(), p, id).await?;
            Self::check_version(&login, if_match)?;
            erase_login(tx.as_mut(), &mut login, self.clock.now()).await?;
            let ev = Self::scim_event(p, Action::ScimUserDeleted)
                .target(login.id.clone())
                .detail(format!("by {}; was staff", p.client_id));
            self.commit(tx, ctx, &[ev]).await
        })
        .await
    }
}
