//! Rules R9–R12: activation codes, activation itself, usernames and passwords, and the
//! "need help" route (resend code, forgotten username, password reset).

mod support;
use support::*;

use domain::access::Principal;
use domain::activation::{ActivateInput, Activated};
use domain::config::Policy;
use domain::credentials::{Password, PasswordPolicy};
use domain::help::{HelpKind, ResetInput};
use domain::model::{CodePurpose, LoginKind, LoginStatus};
use domain::password_hash::HashParams;
use domain::sessions::LoginInput;
use domain::Error;

const ENTITY_MOBILE: &str = "+85366000001";

/// A code of the right shape that is not `code`.
fn other_code(code: &str) -> String {
    let first = if code.starts_with('0') { "1" } else { "0" };
    format!("{first}{}", &code[1..])
}

async fn activate_account(env: &Env, application_number: &str, code: &str, username: &str) -> Result<Activated, Error> {
    env.services
        .activate(
            &env.ctx(),
            ActivateInput {
                application_number: Some(application_number.into()),
                entity_number: None,
                activation_code: code.into(),
                username: username.into(),
                password: PASSWORD.into(),
            },
        )
        .await
}

async fn activate_login(
    env: &Env,
    entity_number: &str,
    code: &str,
    username: &str,
    password: &str,
) -> Result<Activated, Error> {
    env.services
        .activate(
            &env.ctx(),
            ActivateInput {
                application_number: None,
                entity_number: Some(entity_number.into()),
                activation_code: code.into(),
                username: username.into(),
                password: password.into(),
            },
        )
        .await
}

async fn login(env: &Env, entity_number: &str, username: &str, password: &str) -> Result<(), Error> {
    env.services
        .login(
            &env.ctx(),
            LoginInput { entity_number: entity_number.into(), username: username.into(), password: password.into() },
        )
        .await
        .map(|_| ())
}

async fn sms_count(env: &Env) -> usize {
    env.outbox().await.len()
}

async fn code_record(
    env: &Env,
    entity_number: &str,
    login_id: &str,
    purpose: CodePurpose,
) -> domain::model::CodeRecord {
    let mut tx = env.store.read().await.unwrap();
    let entity = tx.find_entity_by_number(entity_number).await.unwrap().unwrap();
    tx.find_code(entity.id, login_id, purpose).await.unwrap().unwrap()
}

async fn login_ids(env: &Env, entity_number: &str) -> Vec<domain::model::LoginRecord> {
    let mut tx = env.store.read().await.unwrap();
    let entity = tx.find_entity_by_number(entity_number).await.unwrap().unwrap();
    tx.list_logins(entity.id).await.unwrap()
}

/// Runs a test on both backends with a policy other than the default.
macro_rules! both_backends_with_policy {
    ($name:ident, $policy:expr, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("t.db").display());
                let store = store::open(&url).await.unwrap();
                let env = Env::with_store(store, Some(dir), "sqlite", $policy).await;
                ($body)(env).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(db) = testkit::PgTestDb::create("t").await else { return };
                let url = db.url.clone();
                let store = store::open(&url).await.unwrap();
                let env = Env::with_store(store, None, "postgres", $policy).await.holding(db);
                ($body)(env).await;
            }
        }
    };
}

// ---------------------------------------------------------------------------------------
// R9

both_backends!(r9_code_void_after_five_wrong_tries, |env: Env| async move {
    let op = env.operator().await;
    let (app_no, entity_number) =
        env.approve(&op, application("R9-VD-1", &[("A", "passport", "R9VOID1", "69100001")])).await;
    let code = env.last_code_for(ENTITY_MOBILE).await;
    let wrong = other_code(&code);
    for _ in 0..5 {
        let e = err(activate_account(&env, &app_no, &wrong, "entity").await);
        assert!(matches!(e, Error::InvalidCode), "{e:?}");
    }
    // The right code, after five wrong ones, is void.
    let e = err(activate_account(&env, &app_no, &code, "entity").await);
    assert!(matches!(e, Error::InvalidCode), "{e:?}");

    let account = login_ids(&env, &entity_number).await.into_iter().find(|l| l.kind == LoginKind::Entity).unwrap();
    assert_eq!(account.status, LoginStatus::Pending);
    let rec = code_record(&env, &entity_number, &account.id, CodePurpose::Activation).await;
    // Five wrong tries, and the right code after them counted as one more.
    assert!(rec.failures >= 5, "{}", rec.failures);
    assert!(!rec.used);
    // Every failed try is in the audit log as refused.
    let mut tx = env.store.read().await.unwrap();
    let rows = tx.list_audit(None, 0, 10_000).await.unwrap();
    let failed = rows.iter().filter(|r| r.action == "login.activation_failed" && r.result == "refused").count();
    assert_eq!(failed, 6);
});

both_backends!(r9_wrong_codes_through_entity_number_are_throttled, |env: Env| async move {
    let op = env.operator().await;
    let (_, entity_number) = env.approve(&op, application("R9-TH-1", &[("A", "passport", "R9THR1", "69100011")])).await;
    let code = env.last_code_for("+85369100011").await;
    let wrong = other_code(&code);
    for _ in 0..6 {
        let e = err(activate_login(&env, &entity_number, &wrong, "admin1", PASSWORD).await);
        assert!(matches!(e, Error::InvalidCode), "{e:?}");
    }
    // Throttled: even the right code waits.
    let e = err(activate_login(&env, &entity_number, &code, "admin1", PASSWORD).await);
    assert!(matches!(e, Error::TooManyAttempts { retry_after_secs } if retry_after_secs >= 1), "{e:?}");
    env.clock.advance_secs(2);
    let a = activate_login(&env, &entity_number, &code, "admin1", PASSWORD).await.unwrap();
    assert_eq!(a.kind, LoginKind::Admin);
});

both_backends!(r9_resend_voids_old_code_and_keeps_failure_count, |env: Env| async move {
    let op = env.operator().await;
    let (app_no, entity_number) =
        env.approve(&op, application("R9-RS-1", &[("A", "passport", "R9RES1", "69100021")])).await;
    let old = env.last_code_for(ENTITY_MOBILE).await;
    let wrong = other_code(&old);
    for _ in 0..4 {
        err(activate_account(&env, &app_no, &wrong, "entity").await);
    }
    // The entity account's "identity number" on the help form is its registration number.
    help(&env, HelpKind::ResendActivationCode, &entity_number, "R9-RS-1", "66000001").await.unwrap();
    let new = env.last_code_for(ENTITY_MOBILE).await;
    assert_ne!(new, old);
    // The old code is void (and counts as the fifth wrong try) ...
    let e = err(activate_account(&env, &app_no, &old, "entity").await);
    assert!(matches!(e, Error::InvalidCode), "{e:?}");
    // ... and the resend did not reset the count, so the new code is void too.
    let e = err(activate_account(&env, &app_no, &new, "entity").await);
    assert!(matches!(e, Error::InvalidCode), "{e:?}");
});

both_backends!(r9_resend_replaces_code_old_one_void, |env: Env| async move {
    let op = env.operator().await;
    let (app_no, entity_number) =
        env.approve(&op, application("R9-RS-2", &[("A", "passport", "R9RES2", "69100031")])).await;
    // Entity account: two wrong tries, a resend, then the old code fails and the new works.
    let old = env.last_code_for(ENTITY_MOBILE).await;
    err(activate_account(&env, &app_no, &other_code(&old), "entity").await);
    err(activate_account(&env, &app_no, &other_code(&old), "entity").await);
    help(&env, HelpKind::ResendActivationCode, &entity_number, "r9 rs 2", "+853 6600 0001").await.unwrap();
    let sms = env.outbox().await.into_iter().last().unwrap();
    assert_eq!(sms.to, ENTITY_MOBILE);
    assert_eq!(sms.param("application_number"), Some(app_no.as_str()));
    let new = env.last_code_for(ENTITY_MOBILE).await;
    let e = err(activate_account(&env, &app_no, &old, "entity").await);
    assert!(matches!(e, Error::InvalidCode), "{e:?}");
    let a = activate_account(&env, &app_no, &new, "entity").await.unwrap();
    assert_eq!(a.kind, LoginKind::Entity);

    // Administrator: the same through the entity number.
    let old = env.last_code_for("+85369100031").await;
    help(&env, HelpKind::ResendActivationCode, &entity_number, "R9RES2", "69100031").await.unwrap();
    let new = env.last_code_for("+85369100031").await;
    assert_ne!(new, old);
    let e = err(activate_login(&env, &entity_number, &old, "admin1", PASSWORD).await);
    assert!(matches!(e, Error::InvalidCode), "{e:?}");
    activate_login(&env, &entity_number, &new, "admin1", PASSWORD).await.unwrap();
});

both_backends!(r9_code_expires, |env: Env| async move {
    let op = env.operator().await;
    let (app_no, entity_number) = env
        .approve(
            &op,
            application("R9-EX-1", &[("A", "passport", "R9EXPA", "69100041"), ("B", "passport", "R9EXPB", "69100042")]),
        )
        .await;
    let sms = env.outbox().await;
    assert!(sms.iter().all(|m| m.param("valid_hours") == Some("72")));
    let account_code = env.last_code_for(ENTITY_MOBILE).await;
    let a = env.last_code_for("+85369100041").await;
    let b = env.last_code_for("+85369100042").await;

    // Default 72 hours: valid one second before, void at the end.
    env.clock.advance_secs(72 * 3600 - 1);
    activate_login(&env, &entity_number, &a, "admina", PASSWORD).await.unwrap();
    env.clock.advance_secs(1);
    let e = err(activate_login(&env, &entity_number, &b, "adminb", PASSWORD).await);
    assert!(matches!(e, Error::InvalidCode), "{e:?}");
    let e = err(activate_account(&env, &app_no, &account_code, "entity").await);
    assert!(matches!(e, Error::InvalidCode), "{e:?}");

    // A resend gives a fresh lifetime.
    help(&env, HelpKind::ResendActivationCode, &entity_number, "R9EXPB", "69100042").await.unwrap();
    let b2 = env.last_code_for("+85369100042").await;
    env.clock.advance_secs(3600);
    activate_login(&env, &entity_number, &b2, "adminb", PASSWORD).await.unwrap();
});

both_backends_with_policy!(
    r9_code_lifetime_configurable_down_to_ten_minutes,
    Policy { activation_code_ttl_secs: Policy::MIN_CODE_TTL_SECS, ..Policy::default() },
    |env: Env| async move {
        assert_eq!(Policy::MIN_CODE_TTL_SECS, 600);
        let op = env.operator().await;
        let (_, entity_number) = env
            .approve(
                &op,
                application(
                    "R9-EX-2",
                    &[("A", "passport", "R9EXPC", "69100051"), ("B", "passport", "R9EXPD", "69100052")],
                ),
            )
            .await;
        // The SMS tells the truth about the lifetime.
        let sms = env.outbox().await.into_iter().find(|m| m.to == "+85369100051").unwrap();
        assert!(sms.body.contains("10 min") && !sms.body.contains(" h."), "{}", sms.body);
        let a = env.last_code_for("+85369100051").await;
        let b = env.last_code_for("+85369100052").await;
        env.clock.advance_secs(599);
        activate_login(&env, &entity_number, &a, "admina", PASSWORD).await.unwrap();
        env.clock.advance_secs(1);
        let e = err(activate_login(&env, &entity_number, &b, "adminb", PASSWORD).await);
        assert!(matches!(e, Error::InvalidCode), "{e:?}");
    }
);

both_backends!(r9_code_single_use_and_stored_only_as_keyed_hash, |env: Env| async move {
    let op = env.operator().await;
    let (_, entity_number) =
        env.approve(&op, application("R9-HS-1", &[("A", "passport", "R9HASH1", "69100061")])).await;
    let code = env.last_code_for("+85369100061").await;
    let typed = code.replace('-', "");
    assert_eq!(typed.len(), 10);
    let id = activate_login(&env, &entity_number, &code.to_lowercase(), "admin1", PASSWORD).await.unwrap().login_id;
    let rec = code_record(&env, &entity_number, &id, CodePurpose::Activation).await;
    assert!(rec.used);
    assert!(!rec.code_hash.contains(&typed));
    assert_ne!(rec.code_hash, typed);
    assert_eq!(rec.code_hash, env.services.vault.code_hash(&typed));
    // Single use.
    let e = err(activate_login(&env, &entity_number, &code, "admin1b", PASSWORD).await);
    assert!(matches!(e, Error::InvalidCode), "{e:?}");
});

both_backends!(r9_activation_code_never_works_as_password, |env: Env| async move {
    let op = env.operator().await;
    let (app_no, entity_number) =
        env.approve(&op, application("R9-PW-1", &[("A", "passport", "R9PASS1", "69100071")])).await;
    let account_code = env.last_code_for(ENTITY_MOBILE).await;
    let admin_code = env.last_code_for("+85369100071").await;
    // Before activation: no username yet; nothing the person types with the code works.
    for (user, code) in [("admin1", &admin_code), ("entity", &account_code)] {
        for typed in [code.clone(), code.replace('-', "")] {
            let e = err(login(&env, &entity_number, user, &typed).await);
            assert!(matches!(e, Error::InvalidCredentials), "{e:?}");
        }
    }
    activate_login(&env, &entity_number, &admin_code, "admin1", PASSWORD).await.unwrap();
    activate_account(&env, &app_no, &account_code, "entity").await.unwrap();
    // After activation: the code is not a password either.
    for (user, code) in [("admin1", &admin_code), ("entity", &account_code)] {
        let e = err(login(&env, &entity_number, user, code).await);
        assert!(matches!(e, Error::InvalidCredentials), "{e:?}");
        login(&env, &entity_number, user, PASSWORD).await.unwrap();
    }
});

// ---------------------------------------------------------------------------------------
// R10

both_backends!(r10_entity_account_activates_with_application_number_only, |env: Env| async move {
    let op = env.operator().await;
    let (app_no, entity_number) =
        env.approve(&op, application("R10-EA-1", &[("A", "passport", "R10EA1", "61000001")])).await;
    let account_code = env.last_code_for(ENTITY_MOBILE).await;
    let admin_code = env.last_code_for("+85361000001").await;

    // The entity account's code through the entity number: refused.
    let e = err(activate_login(&env, &entity_number, &account_code, "entity", PASSWORD).await);
    assert!(matches!(e, Error::InvalidCode), "{e:?}");
    // An administrator's code through the application number: refused.
    let e = err(activate_account(&env, &app_no, &admin_code, "admin1").await);
    assert!(matches!(e, Error::InvalidCode), "{e:?}");
    // Both numbers at once: a form error.
    let e = err(env
        .services
        .activate(
            &env.ctx(),
            ActivateInput {
                application_number: Some(app_no.clone()),
                entity_number: Some(entity_number.clone()),
                activation_code: account_code.clone(),
                username: "entity".into(),
                password: PASSWORD.into(),
            },
        )
        .await);
    assert!(has_field(&e, "entity_number", "one_of_required"), "{e:?}");

    // The right way round, each sets the username and password the person chose.
    let a = activate_account(&env, &app_no, &account_code, "Chan.Company").await.unwrap();
    assert_eq!(a.kind, LoginKind::Entity);
    let b = activate_login(&env, &entity_number, &admin_code, "wong.admin", PASSWORD).await.unwrap();
    assert_eq!(b.kind, LoginKind::Admin);
    let c = env.sign_in(&entity_number, "chan.company").await;
    assert_eq!(c.kind(), LoginKind::Entity);
    assert_eq!(c.login_id(), a.login_id);
    assert_eq!(env.sign_in(&entity_number, "wong.admin").await.login_id(), b.login_id);
    // An application that was never approved activates nothing.
    let (pending, _) = env
        .services
        .submit_application(&op, &env.ctx(), application("R10-EA-2", &[("A", "passport", "R10EA2", "61000002")]))
        .await
        .unwrap();
    let e = err(activate_account(&env, &pending, &account_code, "x.entity").await);
    assert!(matches!(e, Error::InvalidCode), "{e:?}");
});

// ---------------------------------------------------------------------------------------
// R11

both_backends!(r11_username_unique_case_insensitive_within_entity_but_free_across_entities, |env: Env| async move {
    let op = env.operator().await;
    let a = env.entity(&op, "R11-UN-A", "61100001").await;
    // Another entity uses the same usernames freely ("entity", "admin1").
    let b = env.entity(&op, "R11-UN-B", "61100002").await;
    assert_ne!(a.entity_number, b.entity_number);

    let admin = env.sign_in(&a.entity_number, "admin1").await;
    env.services
        .create_staff(
            &admin.admin_of(&a.entity_number).unwrap(),
            &env.ctx(),
            person("Staff", "passport", "R11STAFF", Some("61100003"), true),
        )
        .await
        .unwrap();
    let code = env.last_code_for("+85361100003").await;
    for taken in ["ADMIN1", "Admin1", "ａｄｍｉｎ１", "Entity"] {
        let e = err(activate_login(&env, &a.entity_number, &code, taken, PASSWORD).await);
        assert!(has_field(&e, "username", "username_taken"), "{taken}: {e:?}");
    }
    activate_login(&env, &a.entity_number, &code, "Staff.One", PASSWORD).await.unwrap();
    // Signing in compares the same way.
    env.sign_in(&a.entity_number, "STAFF.ONE").await;
    env.sign_in(&a.entity_number, "ｓｔａｆｆ.ｏｎｅ").await;

    // In entity B, "staff.one" is free.
    let admin_b = env.sign_in(&b.entity_number, "admin1").await;
    env.services
        .create_staff(
            &admin_b.admin_of(&b.entity_number).unwrap(),
            &env.ctx(),
            person("Staff", "passport", "R11STAFF", Some("61100003"), true),
        )
        .await
        .unwrap();
    let code = env.last_code_for("+85361100003").await;
    activate_login(&env, &b.entity_number, &code, "staff.one", PASSWORD).await.unwrap();
    assert_ne!(
        env.sign_in(&a.entity_number, "staff.one").await.login_id(),
        env.sign_in(&b.entity_number, "staff.one").await.login_id()
    );
});

both_backends!(r11_password_policy_reasons, |env: Env| async move {
    let op = env.operator().await;
    let (_, entity_number) =
        env.approve(&op, application("R11-PW-1", &[("A", "passport", "R11PW1", "61100011")])).await;
    let code = env.last_code_for("+85361100011").await;
    let refused = [
        ("fourteen chars", "password_too_short"),
        ("passwordpassword", "password_blocklisted"),
        ("password12345678", "password_blocklisted"),
        ("my name is chan.taiman ok", "password_contains_context"),
        // The entity's name (Portuguese "Teste Limitada") is context too.
        ("our teste limitada account", "password_contains_context"),
        ("abababababababababab", "password_repetitive"),
    ];
    for (pw, reason) in refused {
        let e = err(activate_login(&env, &entity_number, &code, "chan.taiman", pw).await);
        assert!(has_field(&e, "password", reason), "{pw}: {e:?}");
    }
    // Over the maximum.
    let e = err(activate_login(&env, &entity_number, &code, "chan.taiman", &"x1y2z3w4".repeat(40)).await);
    assert!(has_field(&e, "password", "password_too_long"), "{e:?}");
    // A refused password did not use up the code; no composition rules: 15 lower-case
    // letters and spaces are enough, and 64+ characters of any script are allowed.
    let long = "澳門公共服務一戶通".repeat(8);
    assert!(long.chars().count() >= 64);
    activate_login(&env, &entity_number, &code, "chan.taiman", &long).await.unwrap();
    login(&env, &entity_number, "chan.taiman", &long).await.unwrap();
    // Exactly 15 characters is the default minimum.
    assert_eq!(PasswordPolicy::default().min_chars, 15);
    assert!(PasswordPolicy::default().check("p", "quiet river fox", &[]).is_ok());
});

both_backends_with_policy!(
    r11_minimum_length_configurable,
    Policy { password: PasswordPolicy { min_chars: 20, max_chars: 256 }, ..Policy::default() },
    |env: Env| async move {
        let op = env.operator().await;
        let (_, entity_number) =
            env.approve(&op, application("R11-PW-2", &[("A", "passport", "R11PW2", "61100021")])).await;
        let code = env.last_code_for("+85361100021").await;
        let e = err(activate_login(&env, &entity_number, &code, "admin1", "quiet river foxes").await);
        assert!(has_field(&e, "password", "password_too_short"), "{e:?}");
        activate_login(&env, &entity_number, &code, "admin1", "quiet river foxes run").await.unwrap();
    }
);

both_backends!(r11_password_normalised_so_any_unicode_form_signs_in, |env: Env| async move {
    let op = env.operator().await;
    let (_, entity_number) = env
        .approve(
            &op,
            application(
                "R11-PW-3",
                &[("A", "passport", "R11PW3A", "61100031"), ("B", "passport", "R11PW3B", "61100032")],
            ),
        )
        .await;
    // Full-width letters (as some input methods type them) are NFKC-equal to ASCII.
    let code = env.last_code_for("+85361100031").await;
    activate_login(&env, &entity_number, &code, "admina", "ｃｏｒｒｅｃｔ horse battery staple").await.unwrap();
    login(&env, &entity_number, "admina", PASSWORD).await.unwrap();
    // Decomposed accents (as some keyboards send them) equal the precomposed ones.
    let code = env.last_code_for("+85361100032").await;
    activate_login(&env, &entity_number, &code, "adminb", "cre\u{300}me bru\u{302}le\u{301}e au cafe\u{301}")
        .await
        .unwrap();
    login(&env, &entity_number, "adminb", "crème brûlée au café").await.unwrap();
    let e = err(login(&env, &entity_number, "adminb", "creme brulee au cafe").await);
    assert!(matches!(e, Error::InvalidCredentials), "{e:?}");
});

#[test]
fn r11_stored_hash_is_argon2id_owasp() {
    let pw = Password::for_login("correct horse battery staple");
    let phc = HashParams::OWASP.hash(&pw);
    assert!(phc.starts_with("$argon2id$v=19$"), "{phc}");
    assert!(phc.contains("m=19456,t=2,p=1"), "{phc}");
    assert!(!phc.contains("correct horse"));
    assert!(HashParams::verify(&pw, &phc));
    assert!(!HashParams::verify(&Password::for_login("correct horse battery stapler"), &phc));
    // Salted: the same password never hashes the same.
    assert_ne!(phc, HashParams::OWASP.hash(&pw));
    // The production parameters are at least OWASP's.
    let p = HashParams::OWASP;
    assert!(p.m_kib >= 19_456 && p.t >= 2 && p.p >= 1);
}

both_backends!(r11_stored_password_is_an_argon2id_hash_only, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R11-HS-1", "61100041").await;
    let logins = login_ids(&env, &e.entity_number).await;
    for l in logins {
        let h = l.password_hash.expect("activated logins have a hash");
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(!h.contains(PASSWORD));
    }
});

// ---------------------------------------------------------------------------------------
// R12

both_backends!(r12_resend_only_for_matching_pending_login, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R12-RS-1", "61200001").await;
    // A second administrator, not yet activated.
    let pending_id = env
        .services
        .add_admin(
            &op,
            &env.ctx(),
            &e.entity_number,
            person("Admin Two", "passport", "R12ADM2", Some("61200002"), true),
        )
        .await
        .unwrap();
    let first = env.last_code_for("+85361200002").await;
    let before = sms_count(&env).await;
    let unknown = domain::numbers::EntityNumber::from_sequence(999_999);

    let no_match = [
        (e.entity_number.as_str(), "R12ADM2", "61200009"),  // wrong mobile
        (e.entity_number.as_str(), "R12ADM9", "61200002"),  // wrong document
        (unknown.as_str(), "R12ADM2", "61200002"),          // unknown entity
        (e.entity_number.as_str(), "PR12RS11", "61200001"), // activated login
    ];
    for (n, id, m) in no_match {
        // The same answer as a match.
        help(&env, HelpKind::ResendActivationCode, n, id, m).await.unwrap();
    }
    assert_eq!(sms_count(&env).await, before, "no SMS for a non-match");

    help(&env, HelpKind::ResendActivationCode, &e.entity_number, "r12adm2", "+853 6120 0002").await.unwrap();
    let out = env.outbox().await;
    assert_eq!(out.len(), before + 1);
    let sms = out.last().unwrap();
    assert_eq!(sms.to, "+85361200002", "only to the registered mobile");
    assert_eq!(sms.template, "activation_code");
    let second = env.last_code_for("+85361200002").await;
    assert_ne!(first, second);
    let a = activate_login(&env, &e.entity_number, &second, "admin2", PASSWORD).await.unwrap();
    assert_eq!(a.login_id, pending_id);

    // Non-matches leave an audit record and nothing else.
    let mut tx = env.store.read().await.unwrap();
    let rows = tx.list_audit(None, 0, 10_000).await.unwrap();
    let refused = rows.iter().filter(|r| r.action == "login.activation_code_resent" && r.result == "refused").count();
    assert_eq!(refused, 4);
});

both_backends!(r12_help_rate_limited_per_source_and_per_login, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R12-RL-1", "61200011").await;
    env.services
        .add_admin(&op, &env.ctx(), &e.entity_number, person("Admin Two", "passport", "R12RL2", Some("61200012"), true))
        .await
        .unwrap();

    // Per login: five resends an hour reach the phone, then no more (same answer).
    let before = sms_count(&env).await;
    for i in 0..6 {
        help_from(
            &env,
            &format!("198.51.100.{i}"),
            HelpKind::ResendActivationCode,
            &e.entity_number,
            "R12RL2",
            "61200012",
        )
        .await
        .unwrap();
    }
    assert_eq!(sms_count(&env).await, before + 5);

    // Per source: 30 requests an hour, whatever they ask.
    let src = "203.0.113.9";
    for _ in 0..30 {
        help_from(&env, src, HelpKind::ForgotUsername, &e.entity_number, "NOBODY1", "61200019").await.unwrap();
    }
    let limited =
        err(help_from(&env, src, HelpKind::ResendActivationCode, &e.entity_number, "R12RL2", "61200012").await);
    assert!(matches!(limited, Error::TooManyAttempts { retry_after_secs } if retry_after_secs > 0), "{limited:?}");
    // Another source is not affected.
    help_from(&env, "203.0.113.10", HelpKind::ForgotUsername, &e.entity_number, "NOBODY1", "61200019").await.unwrap();

    // An hour later both limits have passed.
    env.clock.advance_secs(3601);
    let before = sms_count(&env).await;
    help_from(&env, src, HelpKind::ResendActivationCode, &e.entity_number, "R12RL2", "61200012").await.unwrap();
    assert_eq!(sms_count(&env).await, before + 1);
});

both_backends!(r12_forgot_username_and_reset_password, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R12-FU-1", "61200021").await;
    let token = env.token(&e.entity_number, "admin1").await;

    // Forgotten username: sent to the registered mobile.
    help(&env, HelpKind::ForgotUsername, &e.entity_number, "PR12FU11", "61200021").await.unwrap();
    let sms = env.outbox().await.into_iter().last().unwrap();
    assert_eq!(sms.to, "+85361200021");
    assert_eq!(sms.template, "username_reminder");
    assert_eq!(sms.param("username"), Some("admin1"));
    assert!(sms.body.contains("admin1"));
    // The entity account too, with its registration number.
    help(&env, HelpKind::ForgotUsername, &e.entity_number, "R12-FU-1", "66000001").await.unwrap();
    let sms = env.outbox().await.into_iter().last().unwrap();
    assert_eq!((sms.to.as_str(), sms.param("username")), (ENTITY_MOBILE, Some("entity")));

    // Reset: a code by SMS, then a new password of the person's choosing.
    help(&env, HelpKind::ResetPassword, &e.entity_number, "PR12FU11", "61200021").await.unwrap();
    let sms = env.outbox().await.into_iter().last().unwrap();
    assert_eq!(sms.template, "password_reset_code");
    assert_eq!(sms.to, "+85361200021");
    let code = sms.param("code").unwrap().to_string();
    let reset = |code: String, password: &str| ResetInput {
        entity_number: e.entity_number.clone(),
        username: "ADMIN1".into(),
        reset_code: code,
        password: password.into(),
    };
    let wrong = err(env.services.reset_password(&env.ctx(), reset(other_code(&code), "a brand new pass phrase")).await);
    assert!(matches!(wrong, Error::InvalidCode), "{wrong:?}");
    // The policy applies to the new password; the code survives a refused one.
    let short = err(env.services.reset_password(&env.ctx(), reset(code.clone(), "too short")).await);
    assert!(has_field(&short, "password", "password_too_short"), "{short:?}");
    env.services.reset_password(&env.ctx(), reset(code.clone(), "a brand new pass phrase")).await.unwrap();

    let old = err(login(&env, &e.entity_number, "admin1", PASSWORD).await);
    assert!(matches!(old, Error::InvalidCredentials), "{old:?}");
    login(&env, &e.entity_number, "admin1", "a brand new pass phrase").await.unwrap();
    // Sessions from before the reset are over.
    let gone = err(env.services.authenticate(&token).await);
    assert!(matches!(gone, Error::Unauthenticated), "{gone:?}");
    // The code was single use.
    let again = err(env.services.reset_password(&env.ctx(), reset(code, "another new pass phrase")).await);
    assert!(matches!(again, Error::InvalidCode), "{again:?}");
    // The person is told.
    let token = env
        .services
        .login(
            &env.ctx(),
            LoginInput {
                entity_number: e.entity_number.clone(),
                username: "admin1".into(),
                password: "a brand new pass phrase".into(),
            },
        )
        .await
        .unwrap()
        .token;
    let Principal::Login(me) = env.services.authenticate(&token).await.unwrap() else { panic!("a login") };
    let inbox = env.services.my_notifications(&me).await.unwrap();
    assert!(inbox.iter().any(|n| n.kind == "password_reset"));
});

both_backends!(r12_username_and_reset_only_for_activated_logins, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R12-AC-1", "61200031").await;
    env.services
        .add_admin(&op, &env.ctx(), &e.entity_number, person("Admin Two", "passport", "R12AC2", Some("61200032"), true))
        .await
        .unwrap();
    let before = sms_count(&env).await;
    for kind in [HelpKind::ForgotUsername, HelpKind::ResetPassword] {
        help(&env, kind, &e.entity_number, "R12AC2", "61200032").await.unwrap();
    }
    assert_eq!(sms_count(&env).await, before, "a pending login has neither");
});

both_backends!(r12_reset_code_expires_after_thirty_minutes, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R12-EX-1", "61200041").await;
    help(&env, HelpKind::ResetPassword, &e.entity_number, "PR12EX11", "61200041").await.unwrap();
    let code = env.last_code_for("+85361200041").await;
    env.clock.advance_secs(30 * 60);
    let expired = err(env
        .services
        .reset_password(
            &env.ctx(),
            ResetInput {
                entity_number: e.entity_number.clone(),
                username: "admin1".into(),
                reset_code: code,
                password: "a brand new pass phrase".into(),
            },
        )
        .await);
    assert!(matches!(expired, Error::InvalidCode), "{expired:?}");
    login(&env, &e.entity_number, "admin1", PASSWORD).await.unwrap();
});
