//! R32: staff logins from a file. A dry run reads every row as the staff form would (R15),
//! with the duplicates within the file and with the entity's logins, and the e-services each
//! row names, and reports every fault by row and column. Committing does the same and then
//! creates every row or none, in one transaction: each login with its activation code queued
//! in the SMS outbox, its e-services and its audit record.

use std::collections::HashMap;

use crate::access::AdminOf;
use crate::assignment_form::AssignmentInput;
use crate::assignments::Dates;
use crate::audit::{Action, AuditEvent};
use crate::error::Result;
use crate::identity::lookup_form;
use crate::import_form::{parse_import, ImportRow, RowError};
use crate::logins::actor_of;
use crate::model::{EServiceRecord, LoginKind};
use crate::notifications::kinds;
use crate::person::{parse_reachable, ReachablePerson};
use crate::services::{Ctx, Services};
use crate::store::Tx;
use crate::Code;

/// What an import did, or would do.
#[derive(Debug)]
pub struct ImportReport {
    /// The rows the file holds.
    pub rows: usize,
    /// The logins created: 0 for a dry run and for a refused file.
    pub created: usize,
    /// Every fault found; a file with any creates nothing.
    pub errors: Vec<RowError>,
    /// The new logins' ids, in the file's order.
    pub login_ids: Vec<String>,
}

/// A row that read as a person, with the e-services it asks for.
struct ReadRow {
    person: ReachablePerson,
    eservices: Vec<String>,
}

impl Services {
    /// R32: reads `file`; unless `dry_run` and when no row has a fault, creates every row's
    /// staff login. A refused commit is audited with the faults' count.
    pub async fn import_staff(
        &self,
        admin: &AdminOf<'_>,
        ctx: &Ctx,
        file: &[u8],
        dry_run: bool,
    ) -> Result<ImportReport> {
        let c = admin.caller;
        let rows = match parse_import(file) {
            Ok(rows) => rows,
            Err(errors) => return self.refused(admin, ctx, 0, errors, dry_run).await,
        };
        let count = rows.len();
        let mut tx = if dry_run { self.store.read().await? } else { self.store.write().await? };
        admin.still_holds(tx.as_mut()).await?;
        let (read, errors) = self.check_rows(tx.as_mut(), c.entity_id, rows).await?;
        if !errors.is_empty() {
            drop(tx);
            return self.refused(admin, ctx, count, errors, dry_run).await;
        }
        if dry_run {
            return Ok(ImportReport { rows: count, created: 0, errors, login_ids: Vec::new() });
        }
        let now = self.clock.now();
        let entity = self.load_entity(tx.as_mut(), c.entity_id).await?;
        let mut events = Vec::with_capacity(count * 2 + 1);
        let mut login_ids = Vec::with_capacity(count);
        for r in read {
            let id = self
                .add_person_login(tx.as_mut(), &entity, LoginKind::Staff, r.person, kinds::LOGIN_CREATED, now)
                .await?;
            events.push(AuditEvent::new(actor_of(c), Action::LoginCreated).target(id.clone()).detail("staff import"));
            if !r.eservices.is_empty() {
                let wanted: Vec<AssignmentInput> = r.eservices.iter().map(AssignmentInput::plain).collect();
                events.extend(self.replace_assignments(tx.as_mut(), c, &id, &wanted, Dates::AsGiven).await?);
            }
            login_ids.push(id.to_string());
        }
        events.push(AuditEvent::new(actor_of(c), Action::LoginsImported).detail(format!("rows={count}")));
        self.commit(tx, ctx, &events).await?;
        self.wake_sms();
        Ok(ImportReport { rows: count, created: login_ids.len(), errors: Vec::new(), login_ids })
    }

    /// The report of a file with faults; a refused commit leaves its audit record.
    async fn refused(
        &self,
        admin: &AdminOf<'_>,
        ctx: &Ctx,
        rows: usize,
        errors: Vec<RowError>,
        dry_run: bool,
    ) -> Result<ImportReport> {
        if !dry_run {
            let detail = format!("rows={rows} refused: {} faults", errors.len());
            self.audit_refusal(ctx, AuditEvent::new(actor_of(admin.caller), Action::LoginsImported).detail(detail))
                .await?;
        }
        Ok(ImportReport { rows, created: 0, errors, login_ids: Vec::new() })
    }

    /// Every row's faults: its fields (R15), the same person twice in the file or already
    /// with a login of the entity, and e-services that do not exist or need a registration.
    async fn check_rows(
        &self,
        tx: &mut dyn Tx,
        entity_id: i64,
        rows: Vec<ImportRow>,
    ) -> Result<(Vec<ReadRow>, Vec<RowError>)> {
        let registrations = tx.list_registrations(entity_id).await?;
        let mut eservices: HashMap<String, Option<EServiceRecord>> = HashMap::new();
        let mut first_row_of: HashMap<String, usize> = HashMap::new();
        let mut errors = Vec::new();
        let mut read = Vec::with_capacity(rows.len());
        for r in rows {
            let before = errors.len();
            for code in &r.eservices {
                if !eservices.contains_key(code) {
                    let found = tx.find_eservice(code).await?;
                    eservices.insert(code.clone(), found);
                }
                match &eservices[code] {
                    None => errors.push(RowError::new(
                        r.row,
                        "eservices",
                        Code::UnknownEservice,
                        format!("no e-service has the code {code}"),
                    )),
                    Some(e) if e.requires_registration && !registrations.contains(&e.code) => {
                        errors.push(RowError::new(
                            r.row,
                            "eservices",
                            Code::EntityNotRegistered,
                            format!("the entity must register with {code} first"),
                        ))
                    }
                    Some(_) => {}
                }
            }
            let person = match parse_reachable("", &r.person) {
                Ok(p) => p,
                Err(list) => {
                    errors.extend(list.into_iter().map(|e| RowError::of_field(r.row, e)));
                    continue;
                }
            };
            let key = lookup_form(person.id.number());
            if let Some(first) = first_row_of.get(&key) {
                errors.push(RowError::new(
                    r.row,
                    "id_document_number",
                    Code::DuplicatePerson,
                    format!("the same person is on row {first}"),
                ));
                continue;
            }
            first_row_of.insert(key.clone(), r.row);
            if self.person_has_login(tx, entity_id, &person.id).await? {
                errors.push(RowError::new(
                    r.row,
                    "id_document_number",
                    Code::PersonHasLogin,
                    "this person already has a login in this entity",
                ));
                continue;
            }
            if errors.len() == before {
                read.push(ReadRow { person, eservices: r.eservices });
            }
        }
        Ok((read, errors))
    }
}
