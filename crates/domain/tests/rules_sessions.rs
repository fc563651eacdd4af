//! Rules R13–R14: signing in with entity number + username + password, answers that do not
//! tell which part was wrong, throttling and the 100-failure lock, and sessions that time
//! out and end at once when a login is deleted or loses a right.

mod support;
use support::*;

use domain::access::Principal;
use domain::crypto::token_hash;
use domain::help::{HelpKind, ResetInput};
use domain::model::LoginKind;
use domain::services::Ctx;
use domain::sessions::{LoginInput, SignedIn};
use domain::Error;

async fn login_from(
    env: &Env,
    source: &str,
    entity_number: &str,
    username: &str,
    password: &str,
) -> Result<SignedIn, Error> {
    env.services
        .login(
            &Ctx::new(source),
            LoginInput { entity_number: entity_number.into(), username: username.into(), password: password.into() },
        )
        .await
}

async fn login(env: &Env, entity_number: &str, username: &str, password: &str) -> Result<SignedIn, Error> {
    login_from(env, "192.0.2.1", entity_number, username, password).await
}

/// An administrator-created, activated staff login.
async fn staff(env: &Env, entity_number: &str, id: &str, mobile: &str, username: &str) -> String {
    let admin = env.sign_in(entity_number, "admin1").await;
    env.services
        .create_staff(
            &admin.admin_of(entity_number).unwrap(),
            &env.ctx(),
            person("Staff Person", "passport", id, Some(mobile), true),
        )
        .await
        .unwrap();
    let code = env.last_code_for(&canonical(mobile)).await;
    env.activate_staff(entity_number, &code, username).await
}

async fn is_signed_out(env: &Env, token: &str) -> bool {
    matches!(env.services.authenticate(token).await, Err(Error::Unauthenticated))
}

// ---------------------------------------------------------------------------------------
// R13

both_backends!(r13_entity_account_and_staff_sign_in_alike, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R13-AL-1", "61300001").await;
    let staff_id = staff(&env, &e.entity_number, "R13AL2", "61300002", "staff1").await;
    for (user, kind) in [("entity", LoginKind::Entity), ("admin1", LoginKind::Admin), ("staff1", LoginKind::Staff)] {
        let s = login(&env, &e.entity_number, user, PASSWORD).await.unwrap();
        assert_eq!(s.kind, kind);
        let Principal::Login(c) = env.services.authenticate(&s.token).await.unwrap() else { panic!("a login session") };
        assert_eq!(c.entity_number(), e.entity_number);
        assert_eq!(c.kind(), kind);
    }
    assert_eq!(login(&env, &e.entity_number, "staff1", PASSWORD).await.unwrap().login_id, staff_id);
});

both_backends!(r13_same_answer_for_unknown_entity_unknown_user_wrong_password_deleted_login, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R13-SA-1", "61300011").await;
    let staff_id = staff(&env, &e.entity_number, "R13SA2", "61300012", "staff1").await;
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    env.services.delete_login(&admin.admin_of(&e.entity_number).unwrap(), &env.ctx(), &staff_id).await.unwrap();
    // A login that is not yet activated has no password either.
    env.services
        .add_admin(&op, &env.ctx(), &e.entity_number, person("Pending", "passport", "R13SA3", Some("61300013"), true))
        .await
        .unwrap();
    let unknown = domain::numbers::EntityNumber::from_sequence(999_999);

    let attempts = [
        (unknown.as_str(), "admin1", PASSWORD),                         // unknown entity
        (e.entity_number.as_str(), "nobody", PASSWORD),                 // unknown username
        (e.entity_number.as_str(), "admin1", "wrong pass phrase here"), // wrong password
        (e.entity_number.as_str(), "staff1", PASSWORD),                 // deleted login
    ];
    let mut answers = Vec::new();
    for (n, u, p) in attempts {
        let e = err(login(&env, n, u, p).await);
        assert!(matches!(e, Error::InvalidCredentials), "{n}/{u}: {e:?}");
        answers.push(e.to_string());
    }
    answers.dedup();
    assert_eq!(answers.len(), 1, "{answers:?}");
});

both_backends!(r13_throttle_refuses_even_right_password, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R13-TH-1", "61300021").await;
    // Five free failures, then growing delays.
    for _ in 0..5 {
        let x = err(login(&env, &e.entity_number, "admin1", "wrong pass phrase here").await);
        assert!(matches!(x, Error::InvalidCredentials), "{x:?}");
    }
    login(&env, &e.entity_number, "admin1", PASSWORD).await.unwrap();
    // A success starts the count again.
    for _ in 0..6 {
        err(login(&env, &e.entity_number, "admin1", "wrong pass phrase here").await);
    }
    let x = err(login(&env, &e.entity_number, "admin1", PASSWORD).await);
    assert!(matches!(x, Error::TooManyAttempts { retry_after_secs: 1 }), "{x:?}");
    env.clock.advance_secs(1);
    err(login(&env, &e.entity_number, "admin1", "wrong pass phrase here").await);
    // The next delay is longer.
    let x = err(login(&env, &e.entity_number, "admin1", PASSWORD).await);
    assert!(matches!(x, Error::TooManyAttempts { retry_after_secs: 2 }), "{x:?}");
    // The case of the username does not get round the throttle.
    let x = err(login(&env, &e.entity_number, "ADMIN1", PASSWORD).await);
    assert!(matches!(x, Error::TooManyAttempts { .. }), "{x:?}");
    env.clock.advance_secs(2);
    let s = login(&env, &e.entity_number, "admin1", PASSWORD).await.unwrap();
    assert_eq!(s.kind, LoginKind::Admin);
});

both_backends!(r13_lock_after_100_failures_until_reset, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R13-LK-1", "61300031").await;
    for i in 1..=100 {
        // Past any delay (at most 15 minutes), from one source address.
        env.clock.advance_secs(901);
        let x = err(login(&env, &e.entity_number, "admin1", "wrong pass phrase here").await);
        assert!(matches!(x, Error::InvalidCredentials), "failure {i}: {x:?}");
    }
    env.clock.advance_secs(901);
    let x = err(login(&env, &e.entity_number, "admin1", PASSWORD).await);
    assert!(matches!(x, Error::PasswordLocked), "{x:?}");
    assert!(x.to_string().contains("disabled"), "a clear message: {x}");
    // Time alone does not unlock it.
    env.clock.advance_secs(30 * 86_400);
    let x = err(login(&env, &e.entity_number, "admin1", PASSWORD).await);
    assert!(matches!(x, Error::PasswordLocked), "{x:?}");
    // The lock is in the audit log.
    let mut tx = env.store.read().await.unwrap();
    let rows = tx.list_audit(None, 0, 100_000).await.unwrap();
    drop(tx);
    assert_eq!(rows.iter().filter(|r| r.action == "session.login_locked").count(), 1);

    // A password reset through "need help" unlocks it.
    help(&env, HelpKind::ResetPassword, &e.entity_number, "PR13LK11", "61300031").await.unwrap();
    let code = env.last_code_for("+85361300031").await;
    env.services
        .reset_password(
            &env.ctx(),
            ResetInput {
                entity_number: e.entity_number.clone(),
                username: "admin1".into(),
                reset_code: code,
                password: "a brand new pass phrase".into(),
            },
        )
        .await
        .unwrap();
    let s = login(&env, &e.entity_number, "admin1", "a brand new pass phrase").await.unwrap();
    assert_eq!(s.kind, LoginKind::Admin);
});

both_backends!(r13_failures_do_not_affect_other_entity_same_username, |env: Env| async move {
    let op = env.operator().await;
    let a = env.entity(&op, "R13-OE-A", "61300041").await;
    let b = env.entity(&op, "R13-OE-B", "61300042").await;
    for _ in 0..8 {
        let _ = login(&env, &a.entity_number, "admin1", "wrong pass phrase here").await;
    }
    let x = err(login(&env, &a.entity_number, "admin1", PASSWORD).await);
    assert!(matches!(x, Error::TooManyAttempts { .. }), "{x:?}");
    // Same username, other entity, same source: unaffected.
    let s = login(&env, &b.entity_number, "admin1", PASSWORD).await.unwrap();
    assert_eq!(s.kind, LoginKind::Admin);
    // And another login of the throttled entity is unaffected too.
    login(&env, &a.entity_number, "entity", PASSWORD).await.unwrap();
});

both_backends!(r13_source_address_throttled_across_usernames, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R13-SR-1", "61300051").await;
    let src = "203.0.113.66";
    // Spraying many usernames from one address: each name stays under its own limit.
    for i in 0..100 {
        let x = err(login_from(&env, src, &e.entity_number, &format!("guess{i}"), "wrong pass phrase here").await);
        assert!(matches!(x, Error::InvalidCredentials), "{i}: {x:?}");
        // After 20 the address waits longer and longer (up to a minute) between tries.
        if (20..99).contains(&i) {
            let wait =
                err(login_from(&env, src, &e.entity_number, &format!("guess{i}"), "wrong pass phrase here").await);
            assert!(
                matches!(wait, Error::TooManyAttempts { retry_after_secs } if retry_after_secs <= 60),
                "{i}: {wait:?}"
            );
        }
        env.clock.advance_secs(61);
    }
    // The address is now refused, even with a right password ...
    let x = err(login_from(&env, src, &e.entity_number, "admin1", PASSWORD).await);
    assert!(matches!(x, Error::TooManyAttempts { .. }), "{x:?}");
    // ... while the login itself is not throttled from elsewhere.
    login_from(&env, "198.51.100.5", &e.entity_number, "admin1", PASSWORD).await.unwrap();
    // The address is let in again after the window.
    env.clock.advance_secs(15 * 60 + 1);
    login_from(&env, src, &e.entity_number, "admin1", PASSWORD).await.unwrap();
});

// ---------------------------------------------------------------------------------------
// R14

both_backends!(r14_idle_and_absolute_timeouts, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R14-TO-1", "61400001").await;

    // Idle: 30 minutes without a request ends the session.
    let token = env.token(&e.entity_number, "admin1").await;
    env.clock.advance_secs(30 * 60 - 1);
    env.services.authenticate(&token).await.unwrap();
    env.clock.advance_secs(30 * 60 - 1);
    env.services.authenticate(&token).await.unwrap();
    env.clock.advance_secs(30 * 60);
    assert!(is_signed_out(&env, &token).await);
    // Once ended, it stays ended.
    assert!(is_signed_out(&env, &token).await);

    // Absolute: 12 hours at most, however active.
    let token = env.token(&e.entity_number, "admin1").await;
    let mut elapsed = 0;
    while elapsed + 20 * 60 < 12 * 3600 {
        env.clock.advance_secs(20 * 60);
        elapsed += 20 * 60;
        env.services.authenticate(&token).await.unwrap_or_else(|x| panic!("active at {elapsed}s: {x:?}"));
    }
    env.clock.advance_secs(12 * 3600 - elapsed);
    assert!(is_signed_out(&env, &token).await);
});

both_backends!(r14_deleted_login_or_removed_right_ends_sessions_at_once, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R14-END-1", "61400011").await;
    let staff_id = staff(&env, &e.entity_number, "R14END2", "61400012", "staff1").await;
    let staff_token = env.token(&e.entity_number, "staff1").await;
    let staff_token2 = env.token(&e.entity_number, "staff1").await;
    env.services.authenticate(&staff_token).await.unwrap();

    let admin = env.sign_in(&e.entity_number, "admin1").await;
    env.services.delete_login(&admin.admin_of(&e.entity_number).unwrap(), &env.ctx(), &staff_id).await.unwrap();
    // The very next request, with either of its sessions, is refused.
    assert!(is_signed_out(&env, &staff_token).await);
    assert!(is_signed_out(&env, &staff_token2).await);

    // Removing administrator rights ends that administrator's sessions too.
    let admin2_id = env
        .services
        .add_admin(
            &op,
            &env.ctx(),
            &e.entity_number,
            person("Admin Two", "passport", "R14END3", Some("61400013"), true),
        )
        .await
        .unwrap();
    let code = env.last_code_for("+85361400013").await;
    env.activate_staff(&e.entity_number, &code, "admin2").await;
    let admin2_token = env.token(&e.entity_number, "admin2").await;
    let account = env.sign_in(&e.entity_number, "entity").await;
    env.services
        .remove_admin(&account.entity_account_of(&e.entity_number).unwrap(), &env.ctx(), &admin2_id)
        .await
        .unwrap();
    assert!(is_signed_out(&env, &admin2_token).await);
    // Signing in again gives only what is left: a staff login.
    let again = env.sign_in(&e.entity_number, "admin2").await;
    assert_eq!(again.kind(), LoginKind::Staff);
    assert!(matches!(again.admin_of(&e.entity_number), Err(Error::Forbidden)));
    // Others' sessions are untouched.
    env.services.authenticate(&env.token(&e.entity_number, "admin1").await).await.unwrap();
});

both_backends!(r14_tokens_random_hashed_new_at_each_login_and_logout_ends, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R14-TK-1", "61400021").await;
    let t1 = env.token(&e.entity_number, "admin1").await;
    let t2 = env.token(&e.entity_number, "admin1").await;
    assert_ne!(t1, t2, "a new session id at each login");
    // At least 128 bits: 32 random bytes, base64url.
    assert!(t1.len() >= 22, "{t1}");
    assert!(t1.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));

    // Stored only as a hash.
    let mut tx = env.store.read().await.unwrap();
    assert!(tx.find_session(&t1).await.unwrap().is_none());
    let s = tx.find_session(&token_hash(&t1)).await.unwrap().unwrap();
    drop(tx);
    assert_ne!(s.token_hash, t1);

    // Logout ends that session only.
    let p1 = env.services.authenticate(&t1).await.unwrap();
    env.services.logout(&env.ctx(), &p1).await.unwrap();
    assert!(is_signed_out(&env, &t1).await);
    env.services.authenticate(&t2).await.unwrap();
    // A made-up token is not a session.
    assert!(is_signed_out(&env, "not-a-token").await);
});
