//! The OpenID Connect provider's rules (R19, R21, R25): a token only for assigned logins,
//! single-use short-lived codes bound to PKCE, refresh rotation with reuse detection,
//! revocation that takes effect at once, back-channel logout queued with the change that
//! causes it, published signing keys, and the department API's scope.

mod support;
use support::oidc::*;
use support::*;

use domain::eservice_form::EServiceInput;
use domain::oidc::authorize::{AuthorizeError, Outcome};
use domain::oidc::clients::{ClientInput, Registrar};
use domain::oidc::permission::Denial;

both_backends!(r19_a_token_only_for_a_login_assigned_the_eservice, |env: Env| async move {
    let op = env.operator().await;
    let secret = client(&env, &op, "dsal-jobs", "DSAL", false).await;
    let e = env.entity(&op, "OIDC-1", "61900001").await;
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    assert!(matches!(authorize(&env, &admin, "dsal-jobs").await, Outcome::Denied(Denial::NotAssigned)));
    let account = env.sign_in(&e.entity_number, "entity").await;
    assert!(matches!(authorize(&env, &account, "dsal-jobs").await, Outcome::Denied(Denial::EntityAccount)));

    assign(&env, &admin, &e.admin_login_id, &["dsal-jobs"]).await;
    let issued = sign_in(&env, &admin, "dsal-jobs", &secret).await;
    let claims = issued.id_token.expect("an ID token");
    assert_eq!(claims.sub, e.admin_login_id);
    assert_eq!(claims.entity_number, e.entity_number);
    assert_eq!(claims.nonce.as_deref(), Some("n1"));
    assert_eq!(claims.auth.acr, "basic");
    assert!(active(&env, "dsal-jobs", &secret, &issued.access_token).await);

    // Removed: the very next introspection and refresh fail.
    assign(&env, &admin, &e.admin_login_id, &[]).await;
    assert!(!active(&env, "dsal-jobs", &secret, &issued.access_token).await);
    let c = env.services.authenticate_client("dsal-jobs", &secret).await.unwrap();
    let refresh = issued.refresh_token.unwrap();
    assert_eq!(oauth_code(env.services.refresh(&env.ctx(), &c, &refresh).await), "invalid_grant");
});

both_backends!(r19_registration_required_eservices_refuse_unregistered_entities, |env: Env| async move {
    let op = env.operator().await;
    let secret = client(&env, &op, "dsf-tax", "DSF", true).await;
    let e = env.entity(&op, "OIDC-2", "61900002").await;
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    let dept = {
        let c = env.services.authenticate_client("dsf-tax", &secret).await.unwrap();
        let t = env.services.client_credentials(&env.ctx(), &c).await.unwrap();
        env.services.department_client(&t.access_token).await.unwrap()
    };
    env.services.department_register(&dept, &env.ctx(), "dsf-tax", &e.entity_number).await.unwrap();
    assign(&env, &admin, &e.admin_login_id, &["dsf-tax"]).await;
    assert!(matches!(authorize(&env, &admin, "dsf-tax").await, Outcome::Code(_)));
    // The department unregisters the entity: sign-ins stop at once.
    env.services.department_unregister(&dept, &env.ctx(), "dsf-tax", &e.entity_number).await.unwrap();
    assert!(matches!(authorize(&env, &admin, "dsf-tax").await, Outcome::Denied(Denial::EntityNotRegistered)));
});

both_backends!(r19_codes_are_single_use_and_live_sixty_seconds, |env: Env| async move {
    let op = env.operator().await;
    let secret = client(&env, &op, "dsal-jobs", "DSAL", false).await;
    let e = env.entity(&op, "OIDC-3", "61900003").await;
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    assign(&env, &admin, &e.admin_login_id, &["dsal-jobs"]).await;
    let c = env.services.authenticate_client("dsal-jobs", &secret).await.unwrap();

    let Outcome::Code(code) = authorize(&env, &admin, "dsal-jobs").await else { panic!() };
    let wrong = "another-verifier-of-forty-three-characters-or-more-01";
    assert_eq!(oauth_code(env.services.exchange_code(&env.ctx(), &c, &code, REDIRECT, wrong).await), "invalid_grant");
    let other_uri = format!("{REDIRECT}/");
    let r = env.services.exchange_code(&env.ctx(), &c, &code, &other_uri, VERIFIER).await;
    assert_eq!(oauth_code(r), "invalid_grant");
    let first = env.services.exchange_code(&env.ctx(), &c, &code, REDIRECT, VERIFIER).await.unwrap();
    assert!(active(&env, "dsal-jobs", &secret, &first.access_token).await);
    let again = env.services.exchange_code(&env.ctx(), &c, &code, REDIRECT, VERIFIER).await;
    assert_eq!(oauth_code(again), "invalid_grant");
    assert!(!active(&env, "dsal-jobs", &secret, &first.access_token).await, "the first redemption's tokens die");

    let Outcome::Code(code) = authorize(&env, &admin, "dsal-jobs").await else { panic!() };
    env.clock.advance_secs(61);
    let late = env.services.exchange_code(&env.ctx(), &c, &code, REDIRECT, VERIFIER).await;
    assert_eq!(oauth_code(late), "invalid_grant");
});

both_backends!(r19_a_replaced_refresh_token_presented_again_revokes_the_family, |env: Env| async move {
    let op = env.operator().await;
    let secret = client(&env, &op, "dsal-jobs", "DSAL", false).await;
    let e = env.entity(&op, "OIDC-4", "61900004").await;
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    assign(&env, &admin, &e.admin_login_id, &["dsal-jobs"]).await;
    let c = env.services.authenticate_client("dsal-jobs", &secret).await.unwrap();
    let first = sign_in(&env, &admin, "dsal-jobs", &secret).await;
    let r1 = first.refresh_token.unwrap();
    let second = env.services.refresh(&env.ctx(), &c, &r1).await.unwrap();
    let r2 = second.refresh_token.unwrap();
    assert_ne!(r1, r2);
    assert!(active(&env, "dsal-jobs", &secret, &second.access_token).await);
    assert_eq!(oauth_code(env.services.refresh(&env.ctx(), &c, &r1).await), "invalid_grant");
    assert_eq!(oauth_code(env.services.refresh(&env.ctx(), &c, &r2).await), "invalid_grant");
    assert!(!active(&env, "dsal-jobs", &secret, &second.access_token).await);
});

both_backends!(r16_deleting_a_login_revokes_its_tokens_and_queues_backchannel_logout, |env: Env| async move {
    let op = env.operator().await;
    let secret = client(&env, &op, "dsal-jobs", "DSAL", false).await;
    let e = env.entity(&op, "OIDC-5", "61900005").await;
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    let a = admin.admin_of(&e.entity_number).unwrap();
    let staff_id = env
        .services
        .create_staff(&a, &env.ctx(), person("Staff", "passport", "P900005", Some("61900105"), true))
        .await
        .unwrap();
    let code = env.last_code_for(&canonical("61900105")).await;
    env.activate_staff(&e.entity_number, &code, "staff1").await;
    assign(&env, &admin, &staff_id, &["dsal-jobs"]).await;
    let staff = env.sign_in(&e.entity_number, "staff1").await;
    let issued = sign_in(&env, &staff, "dsal-jobs", &secret).await;
    assert!(env.services.lease_logouts("t", 60, 10).await.unwrap().is_empty());

    env.services.delete_login(&a, &env.ctx(), &staff_id).await.unwrap();
    assert!(!active(&env, "dsal-jobs", &secret, &issued.access_token).await);
    let queued = env.services.lease_logouts("t", 60, 10).await.unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].record.sub, staff_id);
    assert_eq!(queued[0].record.client_id, "dsal-jobs");
    assert!(queued[0].record.sid.is_some());
    assert_eq!(queued[0].uri.as_deref(), Some("https://jobs.example.mo/logout"));
});

both_backends!(r14_logout_ends_the_eservice_sessions_begun_from_that_session, |env: Env| async move {
    let op = env.operator().await;
    let secret = client(&env, &op, "dsal-jobs", "DSAL", false).await;
    let e = env.entity(&op, "OIDC-6", "61900006").await;
    let first = env.sign_in(&e.entity_number, "admin1").await;
    assign(&env, &first, &e.admin_login_id, &["dsal-jobs"]).await;
    let other = env.sign_in(&e.entity_number, "admin1").await;
    let a = sign_in(&env, &first, "dsal-jobs", &secret).await;
    let b = sign_in(&env, &other, "dsal-jobs", &secret).await;
    env.services.logout(&env.ctx(), &domain::access::Principal::Login(first)).await.unwrap();
    assert!(!active(&env, "dsal-jobs", &secret, &a.access_token).await);
    assert!(active(&env, "dsal-jobs", &secret, &b.access_token).await, "another session's tokens live on");
    assert_eq!(env.services.lease_logouts("t", 60, 10).await.unwrap().len(), 1);
});

both_backends!(oidc_redirect_uris_are_exact_and_safe, |env: Env| async move {
    let op = env.operator().await;
    client(&env, &op, "dsal-jobs", "DSAL", false).await;
    for bad in [format!("{REDIRECT}/"), REDIRECT.to_uppercase(), format!("{REDIRECT}?x=1"), "".into()] {
        let mut pairs = authorize_pairs("dsal-jobs");
        pairs[1].1 = bad.clone();
        let r = env.services.parse_authorize(&pairs).await;
        assert!(matches!(r, Err(AuthorizeError::NoRedirect(_))), "{bad:?} must not be redirected to");
    }
    for (uri, ok) in [
        ("http://jobs.example.mo/cb", false),
        ("https://jobs.example.mo/cb#frag", false),
        ("https://user@jobs.example.mo/cb", false),
        ("javascript:alert(1)", false),
        ("http://127.0.0.1:8000/cb", true),
        ("http://[::1]/cb", true),
    ] {
        let r = domain::oidc::clients::parse_uri("u", uri);
        assert_eq!(r.is_ok(), ok, "{uri}");
    }
});

both_backends!(oidc_pkce_s256_is_required, |env: Env| async move {
    let op = env.operator().await;
    client(&env, &op, "dsal-jobs", "DSAL", false).await;
    let expect = |pairs: Vec<(String, String)>, error: &str| {
        let services = env.services.clone();
        let error = error.to_string();
        async move {
            match services.parse_authorize(&pairs).await {
                Err(AuthorizeError::Redirect { error: e, state, .. }) => {
                    assert_eq!(e, error);
                    assert_eq!(state.as_deref(), Some("s1"));
                }
                other => panic!("expected {error}, got {other:?}"),
            }
        }
    };
    let without = authorize_pairs("dsal-jobs").into_iter().filter(|(k, _)| k != "code_challenge").collect();
    expect(without, "invalid_request").await;
    let mut plain = authorize_pairs("dsal-jobs");
    plain[7].1 = "plain".into();
    expect(plain, "invalid_request").await;
    let mut token = authorize_pairs("dsal-jobs");
    token[2].1 = "token".into();
    expect(token, "unsupported_response_type").await;
});

both_backends!(oidc_retired_keys_stay_published_until_their_id_tokens_expire, |env: Env| async move {
    env.services.ensure_signing_key().await.unwrap();
    let first = env.services.signer().await.unwrap().kid;
    assert_eq!(env.services.published_keys().await.unwrap().len(), 1);
    let second = env.services.rotate_signing_key(Registrar::Console, &env.ctx()).await.unwrap();
    assert_ne!(first, second);
    assert_eq!(env.services.signer().await.unwrap().kid, second);
    let published = env.services.published_keys().await.unwrap();
    assert!(published.len() == 2 && published.iter().any(|k| k.contains(&first)));
    env.clock.advance_secs(env.services.policy.id_token_ttl_secs + 1);
    let published = env.services.published_keys().await.unwrap();
    assert_eq!(published.len(), 1);
    assert!(published[0].contains(&second));
});

both_backends!(oidc_a_rotated_client_secret_replaces_the_old_one, |env: Env| async move {
    let op = env.operator().await;
    let old = client(&env, &op, "dsal-jobs", "DSAL", false).await;
    let new = env.services.rotate_client_secret(Registrar::Operator(&op), &env.ctx(), "dsal-jobs").await.unwrap();
    assert!(env.services.authenticate_client("dsal-jobs", &new).await.is_ok());
    assert_eq!(oauth_code(env.services.authenticate_client("dsal-jobs", &old).await), "invalid_client");
    assert_eq!(oauth_code(env.services.authenticate_client("nobody", &new).await), "invalid_client");
});

both_backends!(r25_a_department_acts_only_on_its_own_eservices, |env: Env| async move {
    let op = env.operator().await;
    let dsal = client(&env, &op, "dsal-jobs", "DSAL", false).await;
    client(&env, &op, "dsf-tax", "DSF", true).await;
    let e = env.entity(&op, "OIDC-8", "61900008").await;
    let c = env.services.authenticate_client("dsal-jobs", &dsal).await.unwrap();
    let token = env.services.client_credentials(&env.ctx(), &c).await.unwrap().access_token;
    let dept = env.services.department_client(&token).await.unwrap();
    let refused = env.services.department_register(&dept, &env.ctx(), "dsf-tax", &e.entity_number).await;
    assert!(matches!(refused, Err(domain::Error::Forbidden)));
    // An entity that has nothing to do with the e-service does not hear from it.
    let stranger =
        env.services.department_notify(&dept, &env.ctx(), "dsal-jobs", &e.entity_number, "Hi", "Hello").await;
    assert!(matches!(stranger, Err(domain::Error::NotFound)));
    env.services.department_register(&dept, &env.ctx(), "dsal-jobs", &e.entity_number).await.unwrap();
    let sent = env
        .services
        .department_notify(&dept, &env.ctx(), "dsal-jobs", &e.entity_number, "Renewal", "Please renew.")
        .await
        .unwrap();
    assert_eq!(sent, 2, "the entity account and the administrator");
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    let inbox = env.services.my_notifications(&admin).await.unwrap();
    assert!(inbox
        .iter()
        .any(|n| n.kind == "department_notice" && n.params.iter().any(|(k, v)| k == "subject" && v == "Renewal")));
    // A sign-in token is not a department credential.
    assign(&env, &admin, &e.admin_login_id, &["dsal-jobs"]).await;
    let issued = sign_in(&env, &admin, "dsal-jobs", &dsal).await;
    assert!(env.services.department_client(&issued.access_token).await.is_err());
});

both_backends!(r19_introspection_answers_only_the_tokens_own_client, |env: Env| async move {
    let op = env.operator().await;
    let jobs = client(&env, &op, "dsal-jobs", "DSAL", false).await;
    let permits = client(&env, &op, "dsal-permits", "DSAL", false).await;
    let e = env.entity(&op, "OIDC-9", "61900009").await;
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    assign(&env, &admin, &e.admin_login_id, &["dsal-jobs"]).await;
    let issued = sign_in(&env, &admin, "dsal-jobs", &jobs).await;
    assert!(active(&env, "dsal-jobs", &jobs, &issued.access_token).await);
    assert!(!active(&env, "dsal-permits", &permits, &issued.access_token).await, "same department, other e-service");
});

both_backends!(r14_a_code_redeemed_after_its_session_ended_is_refused, |env: Env| async move {
    let op = env.operator().await;
    let secret = client(&env, &op, "dsal-jobs", "DSAL", false).await;
    let e = env.entity(&op, "OIDC-10", "61900010").await;
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    assign(&env, &admin, &e.admin_login_id, &["dsal-jobs"]).await;
    let Outcome::Code(code) = authorize(&env, &admin, "dsal-jobs").await else { panic!() };
    env.services.logout(&env.ctx(), &domain::access::Principal::Login(admin)).await.unwrap();
    let c = env.services.authenticate_client("dsal-jobs", &secret).await.unwrap();
    let r = env.services.exchange_code(&env.ctx(), &c, &code, REDIRECT, VERIFIER).await;
    assert_eq!(oauth_code(r), "invalid_grant");
});

both_backends!(r14_refresh_tokens_do_not_outlive_the_sessions_absolute_lifetime, |env: Env| async move {
    let op = env.operator().await;
    let secret = client(&env, &op, "dsal-jobs", "DSAL", false).await;
    let e = env.entity(&op, "OIDC-11", "61900011").await;
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    assign(&env, &admin, &e.admin_login_id, &["dsal-jobs"]).await;
    let c = env.services.authenticate_client("dsal-jobs", &secret).await.unwrap();
    let mut refresh = sign_in(&env, &admin, "dsal-jobs", &secret).await.refresh_token.unwrap();
    // Rotating every hour keeps each token fresh, but not the grant past its absolute lifetime.
    let hours = env.services.policy.session_absolute_secs / 3600;
    for _ in 0..hours - 1 {
        env.clock.advance_secs(3600);
        refresh = env.services.refresh(&env.ctx(), &c, &refresh).await.unwrap().refresh_token.unwrap();
    }
    env.clock.advance_secs(3601);
    assert_eq!(oauth_code(env.services.refresh(&env.ctx(), &c, &refresh).await), "invalid_grant");
});

both_backends!(r14_sessions_that_time_out_unseen_end_their_eservice_sessions, |env: Env| async move {
    let op = env.operator().await;
    let secret = client(&env, &op, "dsal-jobs", "DSAL", false).await;
    let e = env.entity(&op, "OIDC-12", "61900012").await;
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    assign(&env, &admin, &e.admin_login_id, &["dsal-jobs"]).await;
    let issued = sign_in(&env, &admin, "dsal-jobs", &secret).await;
    assert_eq!(env.services.end_expired_sessions(100).await.unwrap(), 0);
    env.clock.advance_secs(env.services.policy.session_idle_secs + 1);
    assert!(env.services.end_expired_sessions(100).await.unwrap() >= 1);
    assert!(!active(&env, "dsal-jobs", &secret, &issued.access_token).await);
    let queued = env.services.lease_logouts("t", 60, 10).await.unwrap();
    assert_eq!(queued.len(), 1, "the e-service hears that the session ended");
});

both_backends!(oidc_max_age_zero_forces_a_fresh_sign_in, |env: Env| async move {
    let op = env.operator().await;
    client(&env, &op, "dsal-jobs", "DSAL", false).await;
    let e = env.entity(&op, "OIDC-13", "61900013").await;
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    let mut pairs = authorize_pairs("dsal-jobs");
    let req = env.services.parse_authorize(&pairs).await.unwrap();
    assert!(env.services.session_suffices(&req, &admin));
    pairs.push(("max_age".into(), "0".into()));
    let req = env.services.parse_authorize(&pairs).await.unwrap();
    assert!(!env.services.session_suffices(&req, &admin));
});

both_backends!(oidc_an_eservice_becomes_a_client_and_changes_its_keys_later, |env: Env| async move {
    let op = env.operator().await;
    let input = EServiceInput {
        code: "dsec-stats".into(),
        name_zh: "統計".into(),
        name_pt: "Estatística".into(),
        name_en: "Statistics".into(),
        department: "DSEC".into(),
        assurance: "basic".into(),
        requires_registration: false,
        four_eyes: false,
        allows_intermediaries: false,
        review_days: None,
    };
    env.services.create_eservice(&op, &env.ctx(), input).await.unwrap();
    let by = Registrar::Operator(&op);
    let uris = ClientInput { redirect_uris: vec![REDIRECT.into()], ..ClientInput::default() };
    let (c, secret, created) = env.services.set_client(by, &env.ctx(), "dsec-stats", uris.clone()).await.unwrap();
    assert!(created && secret.is_some());
    let secret = secret.unwrap();
    assert!(env.services.authenticate_client(&c.client_id, &secret).await.is_ok());
    // Changing URIs keeps the secret; switching to keys drops it.
    let more = ClientInput { redirect_uris: vec![REDIRECT.into(), "https://stats.example.mo/cb".into()], ..uris };
    let (c, again, created) = env.services.set_client(by, &env.ctx(), "dsec-stats", more.clone()).await.unwrap();
    assert!(!created && again.is_none() && c.redirect_uris.len() == 2);
    assert!(env.services.authenticate_client("dsec-stats", &secret).await.is_ok());
    let keys = ClientInput { jwks: Some(r#"{"keys":[]}"#.into()), ..more };
    env.services.set_client(by, &env.ctx(), "dsec-stats", keys).await.unwrap();
    assert_eq!(oauth_code(env.services.authenticate_client("dsec-stats", &secret).await), "invalid_client");
    let bad = ClientInput { redirect_uris: vec!["http://evil.example/cb".into()], ..ClientInput::default() };
    let e = env.services.set_client(by, &env.ctx(), "dsec-stats", bad).await.unwrap_err();
    assert!(has_field(&e, "oidc.redirect_uris[0]", "invalid_uri"));
});

both_backends!(oidc_spent_codes_and_tokens_are_purged_a_day_after_they_end, |env: Env| async move {
    let op = env.operator().await;
    let secret = client(&env, &op, "dsal-jobs", "DSAL", false).await;
    let e = env.entity(&op, "OIDC-14", "61900014").await;
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    assign(&env, &admin, &e.admin_login_id, &["dsal-jobs"]).await;
    let issued = sign_in(&env, &admin, "dsal-jobs", &secret).await;
    assert_eq!(env.services.purge_expired().await.unwrap(), 0, "nothing is spent yet");
    assert!(active(&env, "dsal-jobs", &secret, &issued.access_token).await);
    env.clock.advance_secs(env.services.policy.session_absolute_secs + domain::sessions::PURGE_AFTER_SECS + 1);
    assert!(env.services.purge_expired().await.unwrap() >= 3, "the code and both tokens");
    let c = env.services.authenticate_client("dsal-jobs", &secret).await.unwrap();
    let r = env.services.refresh(&env.ctx(), &c, &issued.refresh_token.unwrap()).await;
    assert_eq!(oauth_code(r), "invalid_grant");
});

both_backends!(r26_sign_ins_to_eservices_their_refusals_and_tokens_are_in_the_entitys_audit, |env: Env| async move {
    let op = env.operator().await;
    let secret = client(&env, &op, "dsal-jobs", "DSAL", false).await;
    let e = env.entity(&op, "OIDC-15", "61900015").await;
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    assert!(matches!(authorize(&env, &admin, "dsal-jobs").await, Outcome::Denied(_)));
    assign(&env, &admin, &e.admin_login_id, &["dsal-jobs"]).await;
    sign_in(&env, &admin, "dsal-jobs", &secret).await;
    let account = env.sign_in(&e.entity_number, "entity").await;
    let rows = env.services.entity_audit(&account.overseer_of(&e.entity_number).unwrap(), 0, 500).await.unwrap();
    let has = |action: &str, result: &str| rows.iter().any(|r| r.action == action && r.result == result);
    assert!(has("oidc.sign_in_denied", "refused"), "the refusal, with its reason");
    assert!(rows.iter().any(|r| r.action == "oidc.sign_in_denied" && r.detail.contains("eservice_not_assigned")));
    assert!(has("oidc.sign_in_authorized", "success"));
    assert!(has("oidc.token_issued", "success"));
});

both_backends!(r26_client_credentials_tokens_issued_together_each_keep_their_audit_record, |env: Env| async move {
    let op = env.operator().await;
    let secret = client(&env, &op, "dsal-jobs", "DSAL", false).await;
    let c = env.services.authenticate_client("dsal-jobs", &secret).await.unwrap();
    let before = {
        let mut tx = env.store.read().await.unwrap();
        tx.list_audit(None, 0, 100_000).await.unwrap().len()
    };
    // Forty at once: those that arrive while a commit is under way share the next one.
    let mut asked = tokio::task::JoinSet::new();
    for _ in 0..40 {
        let (services, c, ctx) = (env.services.clone(), c.clone(), env.ctx());
        asked.spawn(async move { services.client_credentials(&ctx, &c).await.map(|t| t.access_token) });
    }
    let tokens: std::collections::HashSet<String> = asked.join_all().await.into_iter().map(|t| t.unwrap()).collect();
    assert_eq!(tokens.len(), 40, "forty distinct tokens");
    for t in &tokens {
        let live = env.services.introspect(&c, t).await.unwrap();
        assert!(live.is_some(), "every token answered is durable and live");
    }
    let mut tx = env.store.read().await.unwrap();
    let rows = tx.list_audit(None, 0, 100_000).await.unwrap();
    let issued_rows =
        rows[before..].iter().filter(|r| r.action == "oidc.token_issued" && r.detail == "client_credentials");
    assert_eq!(issued_rows.count(), 40, "one audit record a token");
    assert!(domain::audit::verify(tx.as_mut(), &env.services.vault).await.is_ok(), "the chain still verifies");
});
