//! Rules R21–R24: face recognition on by default for Macau resident cards, off by the
//! person and on again only at the counter, NIST's waits and switch-off; the security code
//! bound in person against the same document, single use, 10 minutes, per entity; RFC 6238
//! codes each accepted once; and the step-up that advanced e-services ask for.

mod support;
use domain::Code;
use support::*;

use domain::access::{Caller, Operator};
use domain::eid::face::{FaceMatch, FaceUnavailable, FaceVerifier};
use domain::eid::step_up::Factor;
use domain::eid::{payload, totp};
use domain::eservice_form::EServiceInput;
use domain::person::IdDocumentInput;
use domain::Error;

/// A staff login of `e` registered with (`kind`, `number`), activated as `username`.
/// The caller of the session that a step-up put in place of the old one.
async fn renewed(env: &Env, token: &str) -> Caller {
    match env.services.authenticate(token).await.unwrap() {
        domain::access::Principal::Login(c) => c,
        _ => panic!("a login's session"),
    }
}

async fn new_staff(
    env: &Env,
    e: &TestEntity,
    kind: &str,
    number: &str,
    mobile: &str,
    username: &str,
) -> (String, Caller) {
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    let a = admin.admin_of(&e.entity_number).unwrap();
    let id =
        env.services.create_staff(&a, &env.ctx(), person("Staff", kind, number, Some(mobile), true)).await.unwrap();
    let code = env.last_code_for(&canonical(mobile)).await;
    env.activate_staff(&e.entity_number, &code, username).await;
    (id, env.sign_in(&e.entity_number, username).await)
}

fn doc(kind: &str, number: &str) -> IdDocumentInput {
    IdDocumentInput { kind: kind.into(), number: number.into() }
}

/// The app's side of an enrolment: a fresh secret sealed into the QR payload.
async fn enrol(env: &Env, caller: &Caller) -> (String, Vec<u8>) {
    env.services.ensure_enrolment_key().await.unwrap();
    let e = env.services.request_enrolment(caller, &env.ctx()).await.unwrap();
    let secret: Vec<u8> = (0..20).map(|_| rand::random::<u8>()).collect();
    let key = payload::decode_key(&e.server_key).unwrap();
    (payload::seal(&key, &e.id, &secret), secret)
}

fn unix(env: &Env) -> u64 {
    (domain::clock::Clock::now(env.clock.as_ref()).0 / 1_000_000) as u64
}

both_backends!(r23_the_counter_binds_the_app_against_the_registered_document, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "EID-1", "62300001").await;
    let (id, staff) = new_staff(&env, &e, "passport", "PA123456", "62300101", "staff1").await;
    let state = env.services.my_eid(&staff).await.unwrap();
    assert!(state.code_available && !state.code_bound && !state.face_available);

    let (qr, secret) = enrol(&env, &staff).await;
    let wrong =
        env.services.bind_security_code(&op, &env.ctx(), &e.entity_number, &id, &qr, doc("passport", "PA999999")).await;
    assert!(has_field(&err(wrong), "id_document", "id_document_mismatch"));
    let other_type =
        env.services.bind_security_code(&op, &env.ctx(), &e.entity_number, &id, &qr, doc("other", "PA123456")).await;
    assert!(has_field(&err(other_type), "id_document", "id_document_mismatch"));
    env.services
        .bind_security_code(&op, &env.ctx(), &e.entity_number, &id, &qr, doc("passport", "PA123456"))
        .await
        .unwrap();
    assert!(env.services.my_eid(&staff).await.unwrap().code_bound);
    let inbox = env.services.my_notifications(&staff).await.unwrap();
    assert!(inbox.iter().any(|n| n.kind == "security_code_bound"));

    let again =
        env.services.bind_security_code(&op, &env.ctx(), &e.entity_number, &id, &qr, doc("passport", "PA123456")).await;
    assert!(matches!(err(again), Error::Conflict { code: Code::EnrolmentInvalid, .. }), "single use");

    let (late, _) = enrol(&env, &staff).await;
    env.clock.advance_secs(601);
    let expired = env
        .services
        .bind_security_code(&op, &env.ctx(), &e.entity_number, &id, &late, doc("passport", "PA123456"))
        .await;
    assert!(matches!(err(expired), Error::Conflict { code: Code::EnrolmentInvalid, .. }), "10 minutes");

    // The secret is nowhere in clear: not in the payload the operator carries, not in the database.
    let hex_secret = hex::encode(&secret);
    assert!(!qr.contains(&hex_secret));
    let dump = format!(
        "{:?}",
        env.services.store.read().await.unwrap().find_eid(staff_entity(&env, &e).await, &id).await.unwrap()
    );
    assert!(!dump.contains(&hex_secret) && !dump.contains(&format!("{:?}", secret)));
});

async fn staff_entity(env: &Env, e: &TestEntity) -> i64 {
    let mut tx = env.store.read().await.unwrap();
    tx.find_entity_by_number(&e.entity_number).await.unwrap().unwrap().id
}

both_backends!(r23_a_macau_card_login_has_face_and_no_security_code, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "EID-2", "62300002").await;
    let (_, staff) = new_staff(&env, &e, "macau_resident", "5215299(8)", "62300102", "staff1").await;
    let state = env.services.my_eid(&staff).await.unwrap();
    assert!(state.face_available && state.face_enabled && !state.code_available);
    let refused = env.services.request_enrolment(&staff, &env.ctx()).await;
    assert!(matches!(err(refused), Error::Conflict { code: Code::SecurityCodeNotAvailable, .. }));
});

both_backends!(r22_the_person_switches_face_off_and_only_the_counter_on, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "EID-3", "62300003").await;
    let (id, staff) = new_staff(&env, &e, "macau_resident", "1234567(8)", "62300103", "staff1").await;
    let off = env.services.set_my_face(&staff, &env.ctx(), false).await.unwrap();
    assert!(!off.face_enabled && off.face_off_reason.as_deref() == Some("person"));
    let on = env.services.set_my_face(&staff, &env.ctx(), true).await;
    assert!(matches!(err(on), Error::Refused { code: Code::FaceNeedsCounter, .. }));
    env.services.counter_face_on(&op, &env.ctx(), &e.entity_number, &id).await.unwrap();
    assert!(env.services.my_eid(&staff).await.unwrap().face_enabled);

    let (_, passport) = new_staff(&env, &e, "passport", "PB12345", "62300203", "staff2").await;
    let none = env.services.set_my_face(&passport, &env.ctx(), true).await;
    assert!(matches!(err(none), Error::Conflict { code: Code::FaceNotAvailable, .. }));
});

both_backends!(r24_codes_accept_one_step_either_side_and_each_step_once, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "EID-4", "62300004").await;
    let (id, mut staff) = new_staff(&env, &e, "passport", "PC12345", "62300104", "staff1").await;
    let (qr, secret) = enrol(&env, &staff).await;
    env.services
        .bind_security_code(&op, &env.ctx(), &e.entity_number, &id, &qr, doc("passport", "PC12345"))
        .await
        .unwrap();
    let at = |steps: i64| totp::code_at(&secret, (unix(&env) as i64 + steps * 30) as u64);
    for far in [-2, 2] {
        let r = env.services.step_up(&staff, &env.ctx(), Factor::Code(&at(far))).await;
        assert!(matches!(err(r), Error::InvalidCode), "step {far:+} is refused");
    }
    let behind = at(-1);
    let now_code = at(0);
    for code in [&behind, &now_code] {
        let up = env.services.step_up(&staff, &env.ctx(), Factor::Code(code)).await.unwrap();
        assert_eq!(up.method, "otp");
        staff = renewed(&env, &up.token).await;
    }
    assert!(
        matches!(err(env.services.step_up(&staff, &env.ctx(), Factor::Code(&now_code)).await), Error::InvalidCode),
        "used"
    );
    assert!(
        matches!(err(env.services.step_up(&staff, &env.ctx(), Factor::Code(&behind)).await), Error::InvalidCode),
        "earlier"
    );
    let up = env.services.step_up(&staff, &env.ctx(), Factor::Code(&at(1))).await.unwrap();
    assert_eq!(up.method, "otp");
    let staff = renewed(&env, &up.token).await;
    assert_eq!(env.services.step_up_of(&staff).await.unwrap().as_deref(), Some("otp"));
    env.clock.advance_secs(env.services.policy.step_up_ttl_secs + 1);
    assert_eq!(env.services.step_up_of(&staff).await.unwrap(), None, "a step-up lasts less than the session");
});

both_backends!(r14_a_step_up_replaces_the_session_and_the_old_id_signs_nobody_in, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "EID-14", "62300014").await;
    let (id, _) = new_staff(&env, &e, "passport", "PN12345", "62300114", "staff1").await;
    let before = env.token(&e.entity_number, "staff1").await;
    let staff = renewed(&env, &before).await;
    let (qr, secret) = enrol(&env, &staff).await;
    env.services
        .bind_security_code(&op, &env.ctx(), &e.entity_number, &id, &qr, doc("passport", "PN12345"))
        .await
        .unwrap();
    let up = env.services.step_up(&staff, &env.ctx(), Factor::Code(&totp::code_at(&secret, unix(&env)))).await;
    let up = up.unwrap();
    assert_ne!(up.token, before, "a new session id");
    assert!(matches!(err(env.services.authenticate(&before).await), Error::Unauthenticated), "the old id is void");
    let after = renewed(&env, &up.token).await;
    assert_eq!(env.services.step_up_of(&after).await.unwrap().as_deref(), Some("otp"));
});

both_backends!(r23_a_code_bound_in_one_entity_does_not_open_another, |env: Env| async move {
    let op = env.operator().await;
    let a = env.entity(&op, "EID-5A", "62300005").await;
    let b = env.entity(&op, "EID-5B", "62300006").await;
    let (id_a, in_a) = new_staff(&env, &a, "passport", "PD12345", "62300105", "same.person").await;
    let (_, in_b) = new_staff(&env, &b, "passport", "PD12345", "62300105", "same.person").await;
    let (qr, secret) = enrol(&env, &in_a).await;
    env.services
        .bind_security_code(&op, &env.ctx(), &a.entity_number, &id_a, &qr, doc("passport", "PD12345"))
        .await
        .unwrap();
    assert!(!env.services.my_eid(&in_b).await.unwrap().code_bound, "enrol again for each entity");
    let code = totp::code_at(&secret, unix(&env));
    let r = env.services.step_up(&in_b, &env.ctx(), Factor::Code(&code)).await;
    assert!(matches!(err(r), Error::Conflict { code: Code::SecurityCodeNotBound, .. }));
    // A's payload cannot bind B's login either.
    let (qr_a2, _) = enrol(&env, &in_a).await;
    let cross = env
        .services
        .bind_security_code(&op, &env.ctx(), &b.entity_number, in_b.login_id(), &qr_a2, doc("passport", "PD12345"))
        .await;
    assert!(matches!(err(cross), Error::Conflict { code: Code::EnrolmentInvalid, .. }));
});

/// Matches exactly the capture `good`, and counts its calls.
struct FakeFace(std::sync::atomic::AtomicUsize);

#[async_trait::async_trait]
impl FaceVerifier for FakeFace {
    async fn verify(&self, capture_ref: &str, _id: &str) -> Result<FaceMatch, FaceUnavailable> {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(FaceMatch { matched: capture_ref == "good", live: true })
    }
}

both_backends!(r24_face_waits_after_five_failures_and_switches_off_after_fifty, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "EID-6", "62300007").await;
    let (id, staff) = new_staff(&env, &e, "macau_resident", "7654321(0)", "62300107", "staff1").await;
    let face = FakeFace(Default::default());
    let ctx = env.ctx();
    let try_face =
        |r: &'static str| env.services.step_up(&staff, &ctx, Factor::Face { capture_ref: r, verifier: &face });
    assert_eq!(try_face("good").await.unwrap().method, "face");
    for _ in 0..5 {
        assert!(matches!(err(try_face("bad").await), Error::InvalidCode));
    }
    let calls = face.0.load(std::sync::atomic::Ordering::SeqCst);
    match err(try_face("good").await) {
        Error::TooManyAttempts { retry_after_secs } => assert!(retry_after_secs >= 29, "{retry_after_secs}"),
        other => panic!("expected a wait, got {other:?}"),
    }
    assert_eq!(face.0.load(std::sync::atomic::Ordering::SeqCst), calls, "the service is not even asked");
    for _ in 5..50 {
        env.clock.advance_secs(30);
        assert!(matches!(err(try_face("bad").await), Error::InvalidCode));
    }
    let state = env.services.my_eid(&staff).await.unwrap();
    assert!(!state.face_enabled && state.face_off_reason.as_deref() == Some("failures"));
    env.clock.advance_secs(30);
    assert!(matches!(err(try_face("good").await), Error::Conflict { code: Code::FaceNotAvailable, .. }));
    env.services.counter_face_on(&op, &env.ctx(), &e.entity_number, &id).await.unwrap();
    // The first success replaced the session the attempts above came from: a fresh sign-in.
    let again = env.sign_in(&e.entity_number, "staff1").await;
    let up = env.services.step_up(&again, &ctx, Factor::Face { capture_ref: "good", verifier: &face }).await;
    assert_eq!(up.unwrap().method, "face");
});

async fn advanced_eservice(env: &Env, op: &Operator) {
    let input = EServiceInput {
        code: "dsi-adv".into(),
        name_zh: "進階".into(),
        name_pt: "Avançado".into(),
        name_en: "Advanced".into(),
        department: "DSI".into(),
        assurance: "advanced".into(),
        requires_registration: false,
        four_eyes: false,
        // R35: an intermediary's login signs in for its client here too (with its own step-up).
        allows_intermediaries: true,
        review_days: None,
    };
    let client = domain::oidc::clients::ClientInput {
        redirect_uris: vec!["https://adv.example.mo/cb".into()],
        ..Default::default()
    };
    let by = domain::oidc::clients::Registrar::Operator(op);
    env.services.register_eservice(by, &env.ctx(), input, Some(client)).await.unwrap();
}

/// An authorization request to the advanced e-service, with `extra` parameters.
async fn advanced_request(env: &Env, extra: &[(&str, &str)]) -> domain::oidc::authorize::AuthorizeRequest {
    let pairs: Vec<(String, String)> = [
        ("client_id", "dsi-adv"),
        ("redirect_uri", "https://adv.example.mo/cb"),
        ("response_type", "code"),
        ("scope", "openid"),
        ("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"),
        ("code_challenge_method", "S256"),
    ]
    .iter()
    .chain(extra)
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    env.services.parse_authorize(&pairs).await.unwrap()
}

/// R21 for `staff` (of entity `number`, login `id`, passport `passport`): no factor, the
/// e-service cannot be met; a security code bound at the counter, a step-up is asked; after
/// it, a code.
async fn code_after_step_up(
    env: &Env,
    op: &Operator,
    (number, id, passport): (&str, &str, &str),
    staff: Caller,
    req: &domain::oidc::authorize::AuthorizeRequest,
) {
    use domain::oidc::authorize::Outcome;
    assert!(matches!(env.services.authorize(&env.ctx(), &staff, req).await.unwrap(), Outcome::NeedsAdvanced));
    let (qr, secret) = enrol(env, &staff).await;
    env.services.bind_security_code(op, &env.ctx(), number, id, &qr, doc("passport", passport)).await.unwrap();
    assert!(matches!(env.services.authorize(&env.ctx(), &staff, req).await.unwrap(), Outcome::NeedsStepUp(_)));
    let code = totp::code_at(&secret, unix(env));
    let up = env.services.step_up(&staff, &env.ctx(), Factor::Code(&code)).await.unwrap();
    let staff = renewed(env, &up.token).await;
    assert!(matches!(env.services.authorize(&env.ctx(), &staff, req).await.unwrap(), Outcome::Code(_)));
}

both_backends!(r21_an_advanced_eservice_needs_a_step_up_of_the_session, |env: Env| async move {
    let op = env.operator().await;
    advanced_eservice(&env, &op).await;
    let e = env.entity(&op, "EID-7", "62300008").await;
    let (id, staff) = new_staff(&env, &e, "passport", "PE12345", "62300108", "staff1").await;
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    let a = admin.admin_of(&e.entity_number).unwrap();
    env.services.assign_eservices(&a, &env.ctx(), &id, vec!["dsi-adv".into()]).await.unwrap();
    let req = advanced_request(&env, &[]).await;
    // No second factor at all: the e-service hears it cannot be met; then bound and stepped up.
    code_after_step_up(&env, &op, (&e.entity_number, &id, "PE12345"), staff, &req).await;
});

both_backends!(r35_an_advanced_eservice_needs_the_acting_logins_own_step_up, |env: Env| async move {
    let op = env.operator().await;
    advanced_eservice(&env, &op).await;
    let client = env.entity(&op, "EID-C1", "62300020").await;
    let firm = env.entity(&op, "EID-F1", "62300021").await;
    let (id, staff) = new_staff(&env, &firm, "passport", "PM12345", "62300121", "staff1").await;
    // The client mandates the firm; the firm's administrator has the staff member act under it.
    let client_admin = env.sign_in(&client.entity_number, "admin1").await;
    let until = domain::clock::Clock::now(env.clock.as_ref()).plus_secs(90 * 86_400).rfc3339();
    let offer = domain::mandate_form::MandateInput {
        to_entity_number: firm.entity_number.clone(),
        eservices: vec!["dsi-adv".into()],
        valid_until: until,
    };
    let m = env
        .services
        .offer_mandate(&client_admin.admin_of(&client.entity_number).unwrap(), &env.ctx(), offer)
        .await
        .unwrap();
    let firm_admin = env.sign_in(&firm.entity_number, "admin1").await;
    let a = firm_admin.admin_of(&firm.entity_number).unwrap();
    env.services.answer_mandate(&a, &env.ctx(), &m.id, true).await.unwrap();
    env.services.assign_under_mandate(&a, &env.ctx(), &id, &m.id, vec!["dsi-adv".into()]).await.unwrap();
    let req = advanced_request(&env, &[("acting_for", &client.entity_number)]).await;
    // The mandate does not lower the bar: the acting login needs its own second factor.
    code_after_step_up(&env, &op, (&firm.entity_number, &id, "PM12345"), staff, &req).await;
});

both_backends!(r24_twenty_wrong_codes_in_a_row_unbind_the_app, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "EID-8", "62300009").await;
    let (id, staff) = new_staff(&env, &e, "passport", "PF12345", "62300109", "staff1").await;
    let (qr, secret) = enrol(&env, &staff).await;
    env.services
        .bind_security_code(&op, &env.ctx(), &e.entity_number, &id, &qr, doc("passport", "PF12345"))
        .await
        .unwrap();
    let good = totp::code_at(&secret, unix(&env));
    let wrong = if good == "000000" { "111111" } else { "000000" };
    for i in 0..domain::eid::CODE_MAX_FAILURES {
        env.clock.advance_secs(901); // past any delay: only the count matters here
        let r = env.services.step_up(&staff, &env.ctx(), Factor::Code(wrong)).await;
        assert!(matches!(err(r), Error::InvalidCode), "try {i}");
    }
    let state = env.services.my_eid(&staff).await.unwrap();
    assert!(!state.code_bound, "the binding is gone; the counter binds again");
    let inbox = env.services.my_notifications(&staff).await.unwrap();
    assert!(inbox.iter().any(|n| n.kind == "security_code_unbound"));
    let code = totp::code_at(&secret, unix(&env));
    let r = env.services.step_up(&staff, &env.ctx(), Factor::Code(&code)).await;
    assert!(matches!(err(r), Error::Conflict { code: Code::SecurityCodeNotBound, .. }));
});
