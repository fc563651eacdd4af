//! Test support for the rule tests: real stores (SQLite in a temporary folder always,
//! PostgreSQL in a fresh database when `EA_TEST_POSTGRES_URL` is set), a fake clock, a
//! cheap Argon2id (the production parameters are tested separately), an SMS outbox reader,
//! and builders that take an entity through the counter.

#![allow(dead_code)]

pub mod oidc;

use std::sync::Arc;

use domain::access::{Caller, Operator, Principal};
use domain::activation::ActivateInput;
use domain::application_form::*;
use domain::clock::{FakeClock, Timestamp};
use domain::config::Policy;
use domain::credentials::Password;
use domain::crypto::Vault;
use domain::password_hash::{Busy, HashParams, PasswordHasher};
use domain::person::*;
use domain::services::{Ctx, Services};
use domain::sessions::LoginInput;
use domain::sms::SmsMessage;
use domain::store::Store;

/// Argon2id at the smallest cost, so rule tests run fast; same code path as production.
pub struct CheapHasher;

const CHEAP: HashParams = HashParams { m_kib: 64, t: 1, p: 1 };

#[async_trait::async_trait]
impl PasswordHasher for CheapHasher {
    async fn hash(&self, password: Password) -> Result<String, Busy> {
        Ok(CHEAP.hash(&password))
    }
    async fn verify(&self, password: Password, phc: String) -> Result<bool, Busy> {
        Ok(HashParams::verify(&password, &phc))
    }
    async fn verify_dummy(&self, password: Password) -> Result<(), Busy> {
        let _ = HashParams::verify(
            &password,
            "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo",
        );
        Ok(())
    }
}

pub const PASSWORD: &str = "correct horse battery staple";

pub struct Env {
    pub services: Arc<Services>,
    pub clock: Arc<FakeClock>,
    pub store: Arc<dyn Store>,
    /// Keeps the SQLite folder alive for the test's duration.
    _dir: Option<tempfile::TempDir>,
    /// Drops the PostgreSQL test database when the test ends.
    _pg: Option<testkit::PgTestDb>,
    pub backend: &'static str,
}

impl Env {
    pub async fn sqlite() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        Env::with_store(store::open(&url).await.unwrap(), Some(dir), "sqlite", Policy::default()).await
    }

    /// `None` when no PostgreSQL is configured for tests.
    pub async fn postgres() -> Option<Env> {
        let db = testkit::PgTestDb::create("t").await?;
        let store = store::open(&db.url).await.unwrap();
        Some(Env::with_store(store, None, "postgres", Policy::default()).await.holding(db))
    }

    pub async fn with_store(
        store: Arc<dyn Store>,
        dir: Option<tempfile::TempDir>,
        backend: &'static str,
        policy: Policy,
    ) -> Env {
        let clock = Arc::new(FakeClock::new(Timestamp(1_790_000_000_000_000)));
        let services = Arc::new(Services {
            store: store.clone(),
            hasher: Arc::new(CheapHasher),
            clock: clock.clone(),
            vault: Arc::new(Vault::new(&[42u8; 32]).unwrap()),
            policy,
            sms_queued: Arc::new(|| {}),
            issue_queue: Default::default(),
        });
        services.check_master_key().await.unwrap();
        Env { services, clock, store, _dir: dir, _pg: None, backend }
    }

    pub fn holding(mut self, db: testkit::PgTestDb) -> Env {
        self._pg = Some(db);
        self
    }

    pub fn ctx(&self) -> Ctx {
        Ctx::new("192.0.2.1")
    }

    /// Every SMS queued so far, oldest first (read from the outbox, as the worker would).
    pub async fn outbox(&self) -> Vec<SmsMessage> {
        let mut tx = self.store.read().await.unwrap();
        let now = self.clock.now_ts();
        let leased = tx
            .lease_sms(now.plus_secs(1_000_000_000), now.plus_secs(2_000_000_000), "test-reader", 10_000)
            .await
            .unwrap();
        // Put them back: reading must not deliver.
        let mut out = Vec::new();
        for m in &leased {
            out.push(SmsMessage::open(&self.services.vault, &m.payload_sealed).expect("sealed with the test key"));
            tx.mark_sms_retry(m.id, "test-reader", now, "read by test").await.unwrap();
        }
        out
    }

    /// The newest code sent to `mobile` (canonical `+853…`).
    pub async fn last_code_for(&self, mobile: &str) -> String {
        self.outbox()
            .await
            .into_iter()
            .rev()
            .find(|m| m.to == mobile && m.param("code").is_some())
            .and_then(|m| m.param("code").map(str::to_string))
            .unwrap_or_else(|| panic!("no code sent to {mobile}"))
    }

    pub async fn operator(&self) -> Operator {
        let name = format!("op{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        self.services.create_operator(&name, "counter operator pass phrase").await.unwrap();
        let token = self.services.operator_login(&self.ctx(), &name, "counter operator pass phrase").await.unwrap();
        match self.services.authenticate(&token).await.unwrap() {
            Principal::Operator(o) => o,
            _ => unreachable!(),
        }
    }

    /// Signs a login in and returns its `Caller`.
    pub async fn sign_in(&self, entity_number: &str, username: &str) -> Caller {
        let token = self.token(entity_number, username).await;
        match self.services.authenticate(&token).await.unwrap() {
            Principal::Login(c) => c,
            _ => unreachable!(),
        }
    }

    pub async fn token(&self, entity_number: &str, username: &str) -> String {
        let input =
            LoginInput { entity_number: entity_number.into(), username: username.into(), password: PASSWORD.into() };
        self.services.login(&self.ctx(), input).await.unwrap().token
    }

    /// Submits `app` and approves it; returns (application number, entity number).
    pub async fn approve(&self, op: &Operator, app: ApplicationInput) -> (String, String) {
        let (number, _) = self.services.submit_application(op, &self.ctx(), app).await.unwrap();
        let a = self.services.approve_application(op, &self.ctx(), &number).await.unwrap();
        (number, a.entity_number)
    }

    /// A whole entity: approved, entity account activated as `entity`, administrator
    /// `admin1` activated.
    pub async fn entity(&self, op: &Operator, reg: &str, admin_mobile: &str) -> TestEntity {
        let (app_no, entity_number) =
            self.approve(op, application(reg, &[("Admin One", "passport", &format!("P{reg}1"), admin_mobile)])).await;
        let entity_mobile = "+85366000001";
        let code = self.last_code_for(entity_mobile).await;
        self.services
            .activate(
                &self.ctx(),
                ActivateInput {
                    application_number: Some(app_no.clone()),
                    entity_number: None,
                    activation_code: code,
                    username: "entity".into(),
                    password: PASSWORD.into(),
                },
            )
            .await
            .unwrap();
        let code = self.last_code_for(&canonical(admin_mobile)).await;
        let admin = self.activate_staff(&entity_number, &code, "admin1").await;
        TestEntity { application_number: app_no, entity_number, admin_login_id: admin }
    }

    pub async fn activate_staff(&self, entity_number: &str, code: &str, username: &str) -> String {
        self.services
            .activate(
                &self.ctx(),
                ActivateInput {
                    application_number: None,
                    entity_number: Some(entity_number.into()),
                    activation_code: code.into(),
                    username: username.into(),
                    password: PASSWORD.into(),
                },
            )
            .await
            .unwrap()
            .login_id
    }
}

/// R33, R36: the provisioning credential of the entity numbered `entity_number`, as the
/// bearer of its `/scim/v2` token makes it.
/// Its administrator `admin1` makes the credential.
pub async fn provisioner(env: &Env, entity_number: &str) -> domain::access::ProvisionerOf {
    let admin = env.sign_in(entity_number, "admin1").await;
    let (client_id, secret) = provisioning_credential(env, &admin).await;
    provisioner_by_secret(env, &client_id, &secret).await
}

/// R36: a provisioning credential made by `admin`, ending in a year: its client id and secret.
pub async fn provisioning_credential(env: &Env, admin: &domain::access::Caller) -> (String, String) {
    let input = domain::machine_credential_form::MachineCredentialInput {
        name: "HR system".into(),
        eservices: vec![],
        provisioning: true,
        valid_until: domain::clock::Clock::now(&*env.clock).plus_secs(365 * 86_400).rfc3339(),
        jwk: None,
    };
    let rights = admin.admin_of(admin.entity_number()).unwrap();
    let made = env.services.create_machine_credential(&rights, &env.ctx(), input).await.unwrap();
    (made.credential.client_id, made.secret.unwrap())
}

/// The provisioner a fresh `/scim/v2` token of the credential `client_id` makes.
pub async fn provisioner_by_secret(env: &Env, client_id: &str, secret: &str) -> domain::access::ProvisionerOf {
    let cred = env.services.authenticate_machine_secret(client_id, secret).await.unwrap();
    let t = env.services.machine_token(&env.ctx(), &cred, Some(domain::model::Resource::Provisioning)).await.unwrap();
    env.services.provisioner_of_bearer(&env.ctx(), &t.access_token).await.unwrap()
}

pub struct TestEntity {
    pub application_number: String,
    pub entity_number: String,
    pub admin_login_id: String,
}

pub fn canonical(mobile: &str) -> String {
    domain::identity::MacauMobile::parse("m", mobile).unwrap().as_str().to_string()
}

trait NowTs {
    fn now_ts(&self) -> Timestamp;
}
impl NowTs for FakeClock {
    fn now_ts(&self) -> Timestamp {
        domain::clock::Clock::now(self)
    }
}

pub fn person(name: &str, kind: &str, number: &str, mobile: Option<&str>, shown: bool) -> PersonInput {
    PersonInput {
        name: name.into(),
        id_document: IdDocumentInput { kind: kind.into(), number: number.into() },
        mobile: mobile.map(str::to_string),
        document_shown: Some(shown),
    }
}

/// A valid application for registration number `reg` with the given administrators
/// (name, document type, document number, mobile). The entity's mobile is +85366000001.
pub fn application(reg: &str, admins: &[(&str, &str, &str, &str)]) -> ApplicationInput {
    ApplicationInput {
        entity: EntityInput {
            kind: "company".into(),
            name_zh: Some("測試有限公司".into()),
            name_pt: Some("Teste Limitada".into()),
            name_en: None,
            registration_number: reg.into(),
            mobile: "+85366000001".into(),
        },
        representatives: vec![person("Legal Rep", "macau_resident", "1234567(8)", None, true)],
        proxy: None,
        administrators: admins.iter().map(|(n, k, num, m)| person(n, k, num, Some(m), true)).collect(),
        agreement_signed: true,
    }
}

/// Runs a rule test on SQLite always and on PostgreSQL when configured:
/// `both_backends!(r16_admin_cannot_delete_self, |env| async move { … });`
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let env = support::Env::sqlite().await;
                ($body)(env).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(env) = support::Env::postgres().await else { return };
                ($body)(env).await;
            }
        }
    };
}

/// The error of a call that must fail.
pub fn err<T>(r: Result<T, domain::Error>) -> domain::Error {
    match r {
        Ok(_) => panic!("expected an error, got Ok"),
        Err(e) => e,
    }
}

/// Whether a validation error names `field` with `code`.
pub fn has_field(e: &domain::Error, field: &str, code: &str) -> bool {
    match e {
        domain::Error::Validation(v) => v.iter().any(|f| f.field == field && f.code == code),
        _ => false,
    }
}

/// A "need help" request (R12) from `source`, parsed and fulfilled as the server does.
pub async fn help_from(
    env: &Env,
    source: &str,
    kind: domain::help::HelpKind,
    entity_number: &str,
    id_number: &str,
    mobile: &str,
) -> Result<(), domain::Error> {
    let ctx = Ctx::new(source);
    let input = domain::help::HelpInput {
        entity_number: entity_number.into(),
        id_document_number: id_number.into(),
        mobile: mobile.into(),
    };
    let req = env.services.parse_help(&ctx, &input).await?;
    env.services.fulfil_help(&ctx, kind, req).await
}

pub async fn help(
    env: &Env,
    kind: domain::help::HelpKind,
    entity_number: &str,
    id_number: &str,
    mobile: &str,
) -> Result<(), domain::Error> {
    help_from(env, "192.0.2.1", kind, entity_number, id_number, mobile).await
}

/// The administrator `admin` creates a staff login; the person activates it as `username`.
pub async fn staff(env: &Env, admin: &Caller, id: &str, mobile: &str, username: &str) -> String {
    let n = admin.entity_number().to_string();
    let id = env
        .services
        .create_staff(
            &admin.admin_of(&n).unwrap(),
            &env.ctx(),
            person("Staff Person", "passport", id, Some(mobile), true),
        )
        .await
        .unwrap();
    let code = env.last_code_for(&canonical(mobile)).await;
    assert_eq!(env.activate_staff(&n, &code, username).await, id);
    id
}

/// Counter adds an administrator who activates as `username`.
pub async fn counter_admin(
    env: &Env,
    op: &domain::access::Operator,
    entity_number: &str,
    id: &str,
    mobile: &str,
    username: &str,
) -> String {
    let login_id = env
        .services
        .add_admin(op, &env.ctx(), entity_number, person("Another Admin", "passport", id, Some(mobile), true))
        .await
        .unwrap();
    let code = env.last_code_for(&canonical(mobile)).await;
    env.activate_staff(entity_number, &code, username).await;
    login_id
}
