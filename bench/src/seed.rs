//! The bulk seeder: a whole territory's entities and logins, written through the storage
//! port (so the rows are exactly what the server writes), in large transactions, sealed and
//! keyed with the server's own master key. Every seeded login is active and shares one
//! password hash computed once (hashing a million passwords would take hours and measure
//! nothing); the output says so.

use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use domain::application_form::registration_lookup;
use domain::clock::Timestamp;
use domain::credentials::{Password, Username};
use domain::crypto::{Purpose, Vault};
use domain::identity::{lookup_form, IdDocument, IdDocumentType, MacauMobile};
use domain::model::{EntityNames, EntityRecord, EntityType, LoginKind, LoginRecord, LoginStatus};
use domain::numbers::EntityNumber;
use domain::password_hash::HashParams;
use domain::store::Tx;

use crate::server::PASSWORD;

/// Rows a transaction writes before it commits.
const BATCH: u64 = 5_000;

pub struct Shape {
    pub entities: u64,
    pub logins: u64,
    /// Staff of the first seeded entity, the one whose list is paged.
    pub big_staff: u64,
}

pub struct Seeded {
    pub entities: u64,
    pub logins: u64,
    pub seconds: f64,
    /// The entity with `big_staff` staff; its administrator is `admin` with the bench password.
    pub big_entity: String,
}

/// The server's master key, from the key file it created at its first start.
fn vault(key_file: &Path) -> anyhow::Result<Vault> {
    let text = std::fs::read_to_string(key_file).with_context(|| format!("reading {}", key_file.display()))?;
    let key = zeroize::Zeroizing::new(hex::decode(text.trim()).context("the key file holds hex")?);
    Ok(Vault::new(&key)?)
}

struct Seeder {
    vault: Vault,
    password_hash: String,
    now: Timestamp,
}

impl Seeder {
    fn login(&self, entity_id: i64, kind: LoginKind, n: u64, username: &str) -> LoginRecord {
        let mobile = MacauMobile::parse("mobile", &format!("+8536{:07}", n % 10_000_000)).expect("a valid mobile");
        let id = IdDocument::from_stored(IdDocumentType::Passport, format!("S{n:09}"));
        let username = Username::from_stored(username.to_string());
        LoginRecord {
            entity_id,
            id: domain::numbers::LoginId::generate(),
            kind,
            status: LoginStatus::Active,
            name: format!("Seeded person {n}"),
            id_type: Some(id.kind()),
            id_number_sealed: Some(self.vault.seal(Purpose::IdNumber, id.number())),
            id_number_mask: Some(id.masked_number()),
            id_number_lookup: Some(self.vault.lookup(Purpose::IdNumber, &lookup_form(id.number()))),
            mobile_sealed: self.vault.seal(Purpose::Mobile, mobile.as_str()),
            mobile_mask: mobile.masked(),
            mobile_lookup: self.vault.lookup(Purpose::Mobile, mobile.as_str()),
            username: Some(username.as_str().to_string()),
            username_key: Some(username.key().to_string()),
            password_hash: Some(self.password_hash.clone()),
            admin_removed: false,
            sms_notices: false,
            // Distinct times keep the list order the server's own (created_at, id).
            created_at: Timestamp(self.now.0 + n as i64),
            activated_at: Some(self.now),
            deleted_at: None,
            external_id: None,
            scim_version: 0,
            modified_at: None,
        }
    }

    async fn entity(&self, tx: &mut dyn Tx, i: u64) -> anyhow::Result<EntityRecord> {
        let seq = tx.next_sequence("entity").await?;
        let registration = format!("SEED-{i}");
        let mut e = EntityRecord {
            id: 0,
            number: EntityNumber::from_sequence(seq).as_str().to_string(),
            entity_type: EntityType::Company,
            names: EntityNames {
                zh: Some(format!("種子{i}有限公司")),
                pt: Some(format!("Semente {i} Lda")),
                en: Some(format!("Seed {i} Ltd")),
            },
            registration_lookup: registration_lookup(&self.vault, EntityType::Company, &registration),
            registration_number: registration,
            mobile_sealed: self.vault.seal(Purpose::Mobile, "+85360000000"),
            created_at: self.now,
        };
        e.id = tx.insert_entity(&e).await?;
        Ok(e)
    }
}

/// Seeds `shape` into the database the server at `database_url` uses (after its first start,
/// which created the key file and the schema).
pub async fn seed(database_url: &str, key_file: &Path, shape: &Shape) -> anyhow::Result<Seeded> {
    let started = Instant::now();
    let store = store::open(database_url).await?;
    let seeder = Seeder {
        vault: vault(key_file)?,
        password_hash: HashParams::OWASP.hash(&Password::for_login(PASSWORD)),
        now: domain::clock::Clock::now(&domain::clock::SystemClock),
    };
    let mut tx = store.write().await?;
    let mut rows = 0u64;
    let mut logins = 0u64;
    let mut n = 0u64;
    let mut big_entity = String::new();
    // Every entity has its entity account and one administrator; the first has `big_staff`
    // staff, the rest share what is left of `logins` (the first few one more each).
    let others = shape.entities.saturating_sub(1).max(1);
    let left = shape.logins.saturating_sub(shape.big_staff + 2 * shape.entities);
    let (per_entity, remainder) = (left / others, left % others);
    for i in 0..shape.entities {
        let entity = seeder.entity(tx.as_mut(), i).await?;
        if i == 0 {
            big_entity = entity.number.clone();
        }
        let staff = if i == 0 { shape.big_staff } else { per_entity + u64::from(i <= remainder) };
        let people = [(LoginKind::Entity, "entity".to_string()), (LoginKind::Admin, "admin".to_string())]
            .into_iter()
            .chain((0..staff).map(|k| (LoginKind::Staff, format!("staff{k}"))));
        for (kind, username) in people {
            n += 1;
            tx.insert_login(&seeder.login(entity.id, kind, n, &username)).await?;
            logins += 1;
            rows += 1;
            if rows.is_multiple_of(BATCH) {
                tx.commit().await?;
                tx = store.write().await?;
            }
        }
    }
    tx.commit().await?;
    Ok(Seeded { entities: shape.entities, logins, seconds: started.elapsed().as_secs_f64(), big_entity })
}
