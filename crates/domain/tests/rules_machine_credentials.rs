//! Machine credentials (R36), on both backends with the fake clock: an administrator creates
//! one for the entity's software (a secret shown once, or a public JWK), it gets tokens for
//! one granted resource at a time, introspection names the entity and the credential, and a
//! deleted, expired or narrowed credential's tokens stop at once. Ending notices (R29) 30,
//! 14, 7 and 3 days before, each once. Bad input is refused by field with nothing created.

mod support;
use support::oidc::*;
use support::*;

use base64::Engine;
use domain::access::Caller;
use domain::access_terms::DAY_SECS;
use domain::clock::{Clock, Timestamp};
use domain::machine_credential_form::MachineCredentialInput;
use domain::machine_credentials::CreatedMachineCredential;
use domain::model::Resource;
use domain::oidc::machine::MachineIssued;
use domain::Error;

const TAX: &str = "r36-tax";
const SSF: &str = "r36-ssf";
/// An e-service that requires the entity's registration.
const REG: &str = "r36-reg";

struct Firm {
    number: String,
    admin: Caller,
}

async fn firm(env: &Env, op: &domain::access::Operator, reg: &str, mobile: &str) -> Firm {
    let e = env.entity(op, reg, mobile).await;
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    Firm { number: e.entity_number, admin }
}

fn input(eservices: &[&str], provisioning: bool, until: Timestamp) -> MachineCredentialInput {
    MachineCredentialInput {
        name: "Payroll export".into(),
        eservices: eservices.iter().map(|c| c.to_string()).collect(),
        provisioning,
        valid_until: until.rfc3339(),
        jwk: None,
    }
}

fn in_days(env: &Env, days: i64) -> Timestamp {
    let t = env.clock.now().plus_secs(days * DAY_SECS);
    Timestamp(t.0 - t.0.rem_euclid(1_000_000))
}

async fn create(env: &Env, f: &Firm, i: MachineCredentialInput) -> Result<CreatedMachineCredential, Error> {
    env.services.create_machine_credential(&f.admin.admin_of(&f.number).unwrap(), &env.ctx(), i).await
}

/// A token for `resource` by the credential's secret.
async fn token(env: &Env, c: &CreatedMachineCredential, resource: Option<Resource>) -> Result<MachineIssued, String> {
    let secret = c.secret.as_deref().unwrap();
    let cred =
        env.services.authenticate_machine_secret(&c.credential.client_id, secret).await.map_err(|e| e.to_string())?;
    env.services.machine_token(&env.ctx(), &cred, resource).await.map_err(|e| e.to_string())
}

fn svc(code: &str) -> Resource {
    Resource::EService(code.into())
}

/// What the e-service `code` (secret `secret`) learns at introspection: entity number, sub.
async fn introspect(env: &Env, code: &str, secret: &str, token: &str) -> Option<(String, String, String)> {
    let c = env.services.authenticate_client(code, secret).await.unwrap();
    let i = env.services.introspect(&c, token).await.unwrap()?;
    assert!(i.claims.is_none(), "no person claims");
    let m = i.machine.expect("a machine token");
    assert_eq!(m.aud, svc(code));
    Some((m.entity_number, m.sub, i.client_id))
}

fn p256_jwk() -> String {
    let key = p256::SecretKey::random(&mut rand::rngs::OsRng);
    key.public_key().to_jwk_string()
}

both_backends!(r36_credential_token_names_entity_and_credential, |env: Env| async move {
    let op = env.operator().await;
    let tax = client(&env, &op, TAX, "DSF", false).await;
    let ssf = client(&env, &op, SSF, "FSS", false).await;
    let a = firm(&env, &op, "R36-1", "62810001").await;
    let c = create(&env, &a, input(&[TAX], false, in_days(&env, 90))).await.unwrap();
    let id = c.credential.client_id.clone();
    assert!(id.starts_with("mc."), "{id}");
    let t = token(&env, &c, Some(svc(TAX))).await.unwrap();
    assert_eq!(t.expires_in, env.services.policy.access_token_ttl_secs);
    let seen = introspect(&env, TAX, &tax, &t.access_token).await;
    assert_eq!(seen, Some((a.number.clone(), id.clone(), id.clone())), "entity_number, sub and client_id");
    assert_eq!(introspect(&env, SSF, &ssf, &t.access_token).await, None, "another e-service sees nothing");
    assert!(matches!(
        env.services.provisioner_of_bearer(&env.ctx(), &t.access_token).await,
        Err(Error::Unauthenticated)
    ));
    // Not a person's token: userinfo and the department API refuse it.
    assert!(env.services.userinfo(&t.access_token).await.is_err());
    assert!(env.services.department_client(&t.access_token).await.is_err());
    // Last use recorded.
    let listed = env.services.list_machine_credentials(&a.admin.overseer_of(&a.number).unwrap()).await.unwrap();
    assert_eq!(listed[0].last_used_at, Some(env.clock.now()));
});

both_backends!(r36_last_use_is_recorded_at_most_once_a_minute, |env: Env| async move {
    let op = env.operator().await;
    client(&env, &op, TAX, "DSF", false).await;
    let a = firm(&env, &op, "R36-2", "62810002").await;
    let c = create(&env, &a, input(&[TAX], false, in_days(&env, 90))).await.unwrap();
    let first = env.clock.now();
    token(&env, &c, Some(svc(TAX))).await.unwrap();
    env.clock.advance_secs(30);
    token(&env, &c, Some(svc(TAX))).await.unwrap();
    let who = a.admin.overseer_of(&a.number).unwrap();
    assert_eq!(env.services.list_machine_credentials(&who).await.unwrap()[0].last_used_at, Some(first));
    env.clock.advance_secs(31);
    token(&env, &c, Some(svc(TAX))).await.unwrap();
    assert_eq!(env.services.list_machine_credentials(&who).await.unwrap()[0].last_used_at, Some(env.clock.now()));
});

both_backends!(r36_deleted_credential_tokens_stop_at_once, |env: Env| async move {
    let op = env.operator().await;
    let tax = client(&env, &op, TAX, "DSF", false).await;
    let a = firm(&env, &op, "R36-3", "62810003").await;
    let c = create(&env, &a, input(&[TAX], false, in_days(&env, 90))).await.unwrap();
    let t = token(&env, &c, Some(svc(TAX))).await.unwrap();
    assert!(introspect(&env, TAX, &tax, &t.access_token).await.is_some());
    let admin = a.admin.admin_of(&a.number).unwrap();
    env.services.delete_machine_credential(&admin, &env.ctx(), &c.credential.client_id).await.unwrap();
    assert_eq!(introspect(&env, TAX, &tax, &t.access_token).await, None, "its token stops at once");
    assert!(token(&env, &c, Some(svc(TAX))).await.unwrap_err().contains("invalid_client"));
    let e = env.services.delete_machine_credential(&admin, &env.ctx(), &c.credential.client_id).await;
    assert!(matches!(e, Err(Error::NotFound)), "{e:?}");
});

both_backends!(r36_expired_credential_gets_no_token_and_its_tokens_stop, |env: Env| async move {
    let op = env.operator().await;
    let tax = client(&env, &op, TAX, "DSF", false).await;
    let a = firm(&env, &op, "R36-4", "62810004").await;
    // An end 100 s ahead (an RFC 3339 instant): the token is capped at it, and stops by it.
    let end = Timestamp(env.clock.now().0 - env.clock.now().0.rem_euclid(1_000_000)).plus_secs(100);
    let c = create(&env, &a, input(&[TAX], false, end)).await.unwrap();
    let t = token(&env, &c, Some(svc(TAX))).await.unwrap();
    assert!(t.expires_in <= 100, "capped at the credential's end: {}", t.expires_in);
    assert!(introspect(&env, TAX, &tax, &t.access_token).await.is_some());
    env.clock.advance_secs(101);
    assert_eq!(introspect(&env, TAX, &tax, &t.access_token).await, None);
    let e = token(&env, &c, Some(svc(TAX))).await.unwrap_err();
    assert!(e.contains("invalid_client") && e.contains("expired"), "{e}");
});

both_backends!(r36_narrowed_credential_loses_that_eservice_at_once, |env: Env| async move {
    let op = env.operator().await;
    let tax = client(&env, &op, TAX, "DSF", false).await;
    let ssf = client(&env, &op, SSF, "FSS", false).await;
    let a = firm(&env, &op, "R36-5", "62810005").await;
    let c = create(&env, &a, input(&[TAX, SSF], false, in_days(&env, 90))).await.unwrap();
    let for_tax = token(&env, &c, Some(svc(TAX))).await.unwrap();
    let for_ssf = token(&env, &c, Some(svc(SSF))).await.unwrap();
    let admin = a.admin.admin_of(&a.number).unwrap();
    let id = &c.credential.client_id;
    let narrowed =
        env.services.set_machine_credential_eservices(&admin, &env.ctx(), id, vec![SSF.into()]).await.unwrap();
    assert_eq!(narrowed.eservices, [SSF]);
    assert_eq!(introspect(&env, TAX, &tax, &for_tax.access_token).await, None, "the removed e-service's token stops");
    assert!(introspect(&env, SSF, &ssf, &for_ssf.access_token).await.is_some(), "the kept one goes on");
    assert!(token(&env, &c, Some(svc(TAX))).await.unwrap_err().contains("invalid_target"));
});

both_backends!(r36_resource_must_be_granted, |env: Env| async move {
    let op = env.operator().await;
    let tax = client(&env, &op, TAX, "DSF", false).await;
    client(&env, &op, SSF, "FSS", false).await;
    let a = firm(&env, &op, "R36-6", "62810006").await;
    let c = create(&env, &a, input(&[TAX], false, in_days(&env, 90))).await.unwrap();
    for r in [None, Some(svc(SSF)), Some(svc("no-such")), Some(Resource::Provisioning)] {
        let e = token(&env, &c, r.clone()).await.unwrap_err();
        assert!(e.starts_with("invalid_target"), "{r:?}: {e}");
    }
    // The provisioning right: a token for the provisioning API only, and it names the entity.
    let p = create(&env, &a, input(&[], true, in_days(&env, 90))).await.unwrap();
    assert!(token(&env, &p, Some(svc(TAX))).await.unwrap_err().starts_with("invalid_target"));
    let t = token(&env, &p, Some(Resource::Provisioning)).await.unwrap();
    let who = env.services.provisioner_of_bearer(&env.ctx(), &t.access_token).await.unwrap();
    assert_eq!((who.entity_number(), who.client_id()), (a.number.as_str(), p.credential.client_id.as_str()));
    assert_eq!(introspect(&env, TAX, &tax, &t.access_token).await, None, "an e-service never sees it");
    let tax_token = token(&env, &c, Some(svc(TAX))).await.unwrap();
    assert!(env.services.provisioner_of_bearer(&env.ctx(), &tax_token.access_token).await.is_err());
    assert!(env.services.provisioner_of_bearer(&env.ctx(), "not-a-token").await.is_err());
    // Deleting the provisioning credential ends the bearer at once.
    let admin = a.admin.admin_of(&a.number).unwrap();
    env.services.delete_machine_credential(&admin, &env.ctx(), &p.credential.client_id).await.unwrap();
    assert!(matches!(
        env.services.provisioner_of_bearer(&env.ctx(), &t.access_token).await,
        Err(Error::Unauthenticated)
    ));
});

both_backends!(r36_end_at_most_two_years_ahead, |env: Env| async move {
    let op = env.operator().await;
    client(&env, &op, TAX, "DSF", false).await;
    let a = firm(&env, &op, "R36-7", "62810007").await;
    let e = err(create(&env, &a, input(&[TAX], false, in_days(&env, 732))).await);
    assert!(has_field(&e, "valid_until", "end_too_far_ahead"), "{e:?}");
    let e = err(create(&env, &a, input(&[TAX], false, in_days(&env, -1))).await);
    assert!(has_field(&e, "valid_until", "end_in_past"), "{e:?}");
    let mut no_end = input(&[TAX], false, in_days(&env, 1));
    no_end.valid_until = String::new();
    assert!(has_field(&err(create(&env, &a, no_end).await), "valid_until", "required"));
    let who = a.admin.overseer_of(&a.number).unwrap();
    assert!(env.services.list_machine_credentials(&who).await.unwrap().is_empty(), "nothing created");
    create(&env, &a, input(&[TAX], false, in_days(&env, 730))).await.unwrap();
    // A Macau date, as the page sends it: the whole day included.
    let mut dated = input(&[TAX], false, in_days(&env, 1));
    dated.valid_until = domain::assignment_form::macau_date(in_days(&env, 30), false);
    create(&env, &a, dated).await.unwrap();
});

both_backends!(r36_secret_shown_once_and_stored_hashed, |env: Env| async move {
    let op = env.operator().await;
    client(&env, &op, TAX, "DSF", false).await;
    let a = firm(&env, &op, "R36-8", "62810008").await;
    let c = create(&env, &a, input(&[TAX], false, in_days(&env, 90))).await.unwrap();
    let secret = c.secret.clone().expect("a secret without a JWK");
    let mut tx = env.store.read().await.unwrap();
    let stored = tx.find_machine_credential(&c.credential.client_id).await.unwrap().unwrap();
    assert_ne!(stored.secret_hash, secret);
    assert_eq!(stored.secret_hash, env.services.vault.client_secret_hash(&secret), "a keyed hash");
    drop(tx);
    assert!(env.services.authenticate_machine_secret(&c.credential.client_id, "wrong").await.is_err());
    // With a JWK: no secret at all, and a secret does not authenticate it.
    let mut with_key = input(&[TAX], false, in_days(&env, 90));
    with_key.jwk = Some(p256_jwk());
    let k = create(&env, &a, with_key).await.unwrap();
    assert!(k.secret.is_none());
    assert_eq!(k.credential.auth, domain::model::oidc::ClientAuth::PrivateKeyJwt);
    assert!(env.services.authenticate_machine_secret(&k.credential.client_id, "").await.is_err());
    assert!(env.services.machine_credential_for_assertion(&k.credential.client_id).await.is_ok());
    assert!(env.services.machine_credential_for_assertion(&c.credential.client_id).await.is_err());
});

both_backends!(r36_assertion_jti_accepted_once, |env: Env| async move {
    let op = env.operator().await;
    client(&env, &op, TAX, "DSF", false).await;
    let a = firm(&env, &op, "R36-9", "62810009").await;
    let mut with_key = input(&[TAX], false, in_days(&env, 90));
    with_key.jwk = Some(p256_jwk());
    let k = create(&env, &a, with_key).await.unwrap();
    let exp = env.clock.now().plus_secs(60);
    let c = env.services.machine_credential_for_assertion(&k.credential.client_id).await.unwrap();
    let c = env.services.accept_machine_assertion(c, "jti-1", exp).await.unwrap();
    env.services.machine_token(&env.ctx(), &c, Some(svc(TAX))).await.unwrap();
    let again = env.services.accept_machine_assertion(c, "jti-1", exp).await;
    assert!(again.unwrap_err().to_string().contains("used before"));
});

fn rsa_jwk(bits: usize, private: bool) -> String {
    let mut n = vec![0xffu8; bits / 8];
    n[0] = 0xc1;
    let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    let d = if private { format!(r#","d":"{}""#, b64(&n)) } else { String::new() };
    format!(r#"{{"kty":"RSA","n":"{}","e":"AQAB"{d}}}"#, b64(&n))
}

both_backends!(r36_bad_input_names_the_field_and_creates_nothing, |env: Env| async move {
    let op = env.operator().await;
    client(&env, &op, TAX, "DSF", false).await;
    client(&env, &op, REG, "DSF", true).await;
    let a = firm(&env, &op, "R36-10", "62810010").await;
    let until = in_days(&env, 90);
    let cases: Vec<(MachineCredentialInput, &str, &str)> = vec![
        (input(&["no-such"], false, until), "eservices[0]", "unknown_eservice"),
        (input(&[REG], false, until), "eservices[0]", "entity_not_registered"),
        (input(&[TAX, TAX], false, until), "eservices[1]", "duplicate"),
        (input(&["Not A Code"], false, until), "eservices[0]", "invalid_code"),
        (input(&[], false, until), "eservices", "one_of_required"),
        (MachineCredentialInput { name: " ".into(), ..input(&[TAX], false, until) }, "name", "required"),
    ];
    let key = |jwk: &str| MachineCredentialInput { jwk: Some(jwk.into()), ..input(&[TAX], false, until) };
    let private_ec = {
        let k = p256::SecretKey::random(&mut rand::rngs::OsRng);
        k.to_jwk_string().to_string()
    };
    let jwks = [
        "not json".to_string(),
        "[]".into(),
        r#"{"keys":[]}"#.into(),
        r#"{"kty":"oct","k":"c2VjcmV0"}"#.into(),
        r#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#.into(),
        r#"{"kty":"EC","crv":"P-384","x":"AA","y":"AA"}"#.into(),
        r#"{"kty":"EC","crv":"P-256","x":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","y":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}"#.into(),
        p256_jwk().replace(r#""kty":"EC""#, r#""kty":"EC","alg":"HS256""#),
        p256_jwk().replace(r#""kty":"EC""#, r#""kty":"EC","alg":"none""#),
        private_ec,
        rsa_jwk(1024, false),
        rsa_jwk(2048, true),
    ];
    let mut cases = cases;
    for j in &jwks {
        cases.push((key(j), "jwk", "invalid_jwk"));
    }
    for (i, field, code) in cases {
        let e = err(create(&env, &a, i.clone()).await);
        assert!(has_field(&e, field, code), "{field} {code} for {:?}: {e:?}", i.jwk);
    }
    let who = a.admin.overseer_of(&a.number).unwrap();
    assert!(env.services.list_machine_credentials(&who).await.unwrap().is_empty(), "nothing created");
    // The good keys: P-256 and RSA 2048.
    create(&env, &a, key(&p256_jwk())).await.unwrap();
    create(&env, &a, key(&rsa_jwk(2048, false))).await.unwrap();
    // Staff and the entity account do not create credentials.
    let entity = env.sign_in(&a.number, "entity").await;
    assert!(matches!(entity.admin_of(&a.number), Err(Error::Forbidden)));
});

both_backends!(r36_another_entity_neither_sees_nor_deletes_a_credential, |env: Env| async move {
    let op = env.operator().await;
    let tax = client(&env, &op, TAX, "DSF", false).await;
    let a = firm(&env, &op, "R36-11", "62810011").await;
    let b = firm(&env, &op, "R36-12", "62810012").await;
    let c = create(&env, &a, input(&[TAX], false, in_days(&env, 90))).await.unwrap();
    let id = &c.credential.client_id;
    let b_admin = b.admin.admin_of(&b.number).unwrap();
    let b_view = b.admin.overseer_of(&b.number).unwrap();
    assert!(matches!(env.services.find_machine_credential(&b_view, id).await, Err(Error::NotFound)));
    assert!(matches!(env.services.delete_machine_credential(&b_admin, &env.ctx(), id).await, Err(Error::NotFound)));
    let e = env.services.set_machine_credential_eservices(&b_admin, &env.ctx(), id, vec![TAX.into()]).await;
    assert!(matches!(e, Err(Error::NotFound)), "{e:?}");
    assert!(env.services.list_machine_credentials(&b_view).await.unwrap().is_empty());
    assert!(matches!(b.admin.admin_of(&a.number), Err(Error::NotFound)), "a path of another entity is 404");
    let t = token(&env, &c, Some(svc(TAX))).await.unwrap();
    assert_eq!(introspect(&env, TAX, &tax, &t.access_token).await.unwrap().0, a.number, "A's, never B's");
});

async fn notices(env: &Env, who: &Caller) -> Vec<String> {
    let n = env.services.my_notifications(who).await.unwrap();
    n.iter()
        .filter(|n| n.kind == "machine_credential_ending")
        .map(|n| n.params.iter().find(|(k, _)| k == "days").map(|(_, v)| v.clone()).unwrap_or_default())
        .collect()
}

both_backends!(r36_ending_is_announced_30_14_7_and_3_days_before_each_once, |env: Env| async move {
    let op = env.operator().await;
    client(&env, &op, TAX, "DSF", false).await;
    let a = firm(&env, &op, "R36-13", "62810013").await;
    assert!(env.services.set_sms_notices(&a.admin, &env.ctx(), true).await.unwrap());
    create(&env, &a, input(&[TAX], false, in_days(&env, 40))).await.unwrap();
    let sweep = || async { env.services.sweep_access(100).await.unwrap().machine_credential_notices };
    assert_eq!(sweep().await, 0, "40 days ahead: nothing yet");
    env.clock.advance_secs(10 * DAY_SECS + 1);
    assert_eq!(sweep().await, 1, "30 days");
    assert_eq!(sweep().await, 0, "each once");
    env.clock.advance_secs(16 * DAY_SECS);
    assert_eq!(sweep().await, 1, "14 days");
    // A sweep that missed the 7-day notice sends only the one due now (3 days).
    env.clock.advance_secs(11 * DAY_SECS);
    assert_eq!(sweep().await, 1, "3 days");
    assert_eq!(sweep().await, 0);
    env.clock.advance_secs(4 * DAY_SECS);
    assert_eq!(sweep().await, 0, "ended: nothing more");
    let mut days = notices(&env, &a.admin).await;
    days.sort();
    assert_eq!(days, ["14", "3", "30"]);
    let sms: Vec<_> = env.outbox().await.into_iter().filter(|m| m.template == "machine_credential_ending").collect();
    assert_eq!(sms.len(), 3, "by SMS too, as the administrator asked");
    assert_eq!(sms[0].param("name"), Some("Payroll export"));
});

both_backends!(r36_seven_day_notice_when_created_close_to_its_end, |env: Env| async move {
    let op = env.operator().await;
    client(&env, &op, TAX, "DSF", false).await;
    let a = firm(&env, &op, "R36-14", "62810014").await;
    create(&env, &a, input(&[TAX], false, in_days(&env, 6))).await.unwrap();
    assert_eq!(env.services.sweep_access(100).await.unwrap().machine_credential_notices, 1);
    assert_eq!(env.services.sweep_access(100).await.unwrap().machine_credential_notices, 0);
    env.clock.advance_secs(3 * DAY_SECS + 1);
    assert_eq!(env.services.sweep_access(100).await.unwrap().machine_credential_notices, 1);
    assert_eq!(notices(&env, &a.admin).await.len(), 2);
    let mut days = notices(&env, &a.admin).await;
    days.sort();
    assert_eq!(days, ["3", "7"]);
});
