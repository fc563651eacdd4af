//! Rules R1–R8: counter applications — what they record, the checks before they are
//! accepted, their status flow, one account per entity, what approval sends, the public
//! progress query, and administrators added or restored later at the counter.

mod support;
use domain::Code;
use support::*;

use domain::access::Operator;
use domain::application_form::{ApplicationInput, EntityInput, ProxyInput};
use domain::crypto::Purpose;
use domain::model::{ApplicationStatus, EntityType, LoginKind, LoginStatus, PersonRole};
use domain::numbers::ApplicationNumber;
use domain::Error;

/// The (field, code) pairs of a validation error; panics on any other error.
fn fields(e: &Error) -> Vec<(String, &'static str)> {
    match e {
        Error::Validation(v) => v.iter().map(|f| (f.field.clone(), f.code.as_str())).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

async fn application_count(env: &Env, op: &Operator) -> usize {
    env.services.list_applications(op, None).await.unwrap().len()
}

async fn audit_rows(env: &Env) -> Vec<domain::model::AuditRow> {
    let mut tx = env.store.read().await.unwrap();
    tx.list_audit(None, 0, 10_000).await.unwrap()
}

both_backends!(r1_application_records_entity_representatives_and_administrators, |env: Env| async move {
    let op = env.operator().await;
    let input = ApplicationInput {
        entity: EntityInput {
            kind: "association".into(),
            name_zh: Some("澳門測試協會".into()),
            name_pt: Some("Associação de Teste de Macau".into()),
            name_en: Some("Macau Test Association".into()),
            registration_number: "R1-AS-001".into(),
            mobile: "+853 6610 0101".into(),
        },
        representatives: vec![
            person("Chan Tai Man", "macau_resident", "1234567(8)", None, true),
            person("Maria Santos", "passport", "PT123456", None, true),
        ],
        proxy: None,
        administrators: vec![
            person("Admin A", "passport", "R1ADMA1", Some("66100102"), true),
            person("Admin B", "macau_resident", "5123456(7)", Some("66100103"), true),
        ],
        agreement_signed: true,
    };
    let (number, status) = env.services.submit_application(&op, &env.ctx(), input).await.unwrap();
    assert_eq!(status, ApplicationStatus::Submitted);

    let app = env.services.get_application(&op, &number).await.unwrap();
    assert_eq!(app.number, number);
    assert_eq!(app.entity_type, EntityType::Association);
    assert_eq!(app.names.zh.as_deref(), Some("澳門測試協會"));
    assert_eq!(app.names.pt.as_deref(), Some("Associação de Teste de Macau"));
    assert_eq!(app.names.en.as_deref(), Some("Macau Test Association"));
    assert_eq!(app.registration_number, "R1-AS-001");
    // The entity's linked mobile, canonical and sealed.
    let vault = &env.services.vault;
    assert_eq!(vault.open(Purpose::Mobile, &app.mobile_sealed).unwrap(), "+85366100101");
    assert!(app.agreement_signed);
    assert_eq!(app.submitted_by, op.id());

    let reps: Vec<_> = app.people.iter().filter(|p| p.role == PersonRole::Representative).collect();
    assert_eq!(reps.len(), 2, "every legal representative is recorded");
    assert_eq!(reps[0].name, "Chan Tai Man");
    assert_eq!(vault.open(Purpose::IdNumber, &reps[0].id_number_sealed).unwrap(), "1234567(8)");
    assert_eq!(vault.open(Purpose::IdNumber, &reps[1].id_number_sealed).unwrap(), "PT123456");
    assert!(reps.iter().all(|p| p.document_shown));

    let admins: Vec<_> = app.people.iter().filter(|p| p.role == PersonRole::Administrator).collect();
    assert_eq!(admins.len(), 2);
    assert_eq!(admins[0].name, "Admin A");
    assert_eq!(vault.open(Purpose::Mobile, admins[0].mobile_sealed.as_ref().unwrap()).unwrap(), "+85366100102");
    assert_eq!(vault.open(Purpose::IdNumber, &admins[1].id_number_sealed).unwrap(), "5123456(7)");
});

both_backends!(r1_every_entity_type_and_a_chinese_or_portuguese_name, |env: Env| async move {
    let op = env.operator().await;
    for (i, kind) in ["association", "foundation", "company", "entrepreneur", "unincorporated"].iter().enumerate() {
        let mut app = application(&format!("R1-T-{i}"), &[("A", "passport", "R1TYPE1", "66100111")]);
        app.entity.kind = kind.to_string();
        env.services.submit_application(&op, &env.ctx(), app).await.unwrap_or_else(|e| panic!("{kind}: {e:?}"));
    }
    let mut bad = application("R1-T-X", &[("A", "passport", "R1TYPE1", "66100111")]);
    bad.entity.kind = "partnership".into();
    let e = err(env.services.submit_application(&op, &env.ctx(), bad).await);
    assert!(has_field(&e, "entity.type", "invalid_choice"), "{e:?}");

    // English alone is not enough: Chinese and/or Portuguese are required.
    let mut en_only = application("R1-T-Y", &[("A", "passport", "R1TYPE1", "66100111")]);
    en_only.entity.name_zh = None;
    en_only.entity.name_pt = None;
    en_only.entity.name_en = Some("English Only Ltd".into());
    let e = err(env.services.submit_application(&op, &env.ctx(), en_only).await);
    assert!(has_field(&e, "entity.name_zh", "required"), "{e:?}");

    // Administrators need a Macau mobile; the entity's mobile must be a Macau one too.
    let mut no_mobile = application("R1-T-Z", &[("A", "passport", "R1TYPE1", "66100111")]);
    no_mobile.administrators[0].mobile = None;
    no_mobile.entity.mobile = "+852 6612 3456".into();
    let e = err(env.services.submit_application(&op, &env.ctx(), no_mobile).await);
    assert!(has_field(&e, "administrators[0].mobile", "required"), "{e:?}");
    assert!(has_field(&e, "entity.mobile", "invalid_mobile"), "{e:?}");
    assert_eq!(application_count(&env, &op).await, 5);
});

both_backends!(r2_submission_refused_without_agreement, |env: Env| async move {
    let op = env.operator().await;
    let mut app = application("R2-AG-1", &[("A", "passport", "R2AGR1", "66200001")]);
    app.agreement_signed = false;
    let e = err(env.services.submit_application(&op, &env.ctx(), app).await);
    assert_eq!(fields(&e), vec![("agreement_signed".to_string(), "agreement_not_signed")]);
    assert_eq!(application_count(&env, &op).await, 0, "nothing recorded");
});

both_backends!(r2_submission_refused_unless_every_representative_document_shown, |env: Env| async move {
    let op = env.operator().await;
    let mut app = application("R2-DS-1", &[("A", "passport", "R2DOC1", "66200011")]);
    app.representatives.push(person("Second Rep", "passport", "R2REP2", None, false));
    let e = err(env.services.submit_application(&op, &env.ctx(), app).await);
    assert_eq!(fields(&e), vec![("representatives[1].document_shown".to_string(), "document_not_shown")]);
    // Not saying whether it was shown is not showing it.
    let mut app = application("R2-DS-2", &[("A", "passport", "R2DOC1", "66200011")]);
    app.representatives[0].document_shown = None;
    let e = err(env.services.submit_application(&op, &env.ctx(), app).await);
    assert!(has_field(&e, "representatives[0].document_shown", "document_not_shown"), "{e:?}");
    // At least one legal representative.
    let mut app = application("R2-DS-3", &[("A", "passport", "R2DOC1", "66200011")]);
    app.representatives.clear();
    let e = err(env.services.submit_application(&op, &env.ctx(), app).await);
    assert!(has_field(&e, "representatives", "required"), "{e:?}");
    assert_eq!(application_count(&env, &op).await, 0);
});

both_backends!(r2_one_to_three_administrators_each_a_different_person, |env: Env| async move {
    let op = env.operator().await;
    let none = application("R2-AD-0", &[]);
    let e = err(env.services.submit_application(&op, &env.ctx(), none).await);
    assert!(has_field(&e, "administrators", "administrators_count"), "{e:?}");

    let four = application(
        "R2-AD-4",
        &[
            ("A1", "passport", "R2ADM1", "66200021"),
            ("A2", "passport", "R2ADM2", "66200022"),
            ("A3", "passport", "R2ADM3", "66200023"),
            ("A4", "passport", "R2ADM4", "66200024"),
        ],
    );
    let e = err(env.services.submit_application(&op, &env.ctx(), four).await);
    assert!(has_field(&e, "administrators", "administrators_count"), "{e:?}");

    let twice = application(
        "R2-AD-2",
        &[("A1", "passport", "R2ADM1", "66200021"), ("A1 again", "passport", "r2adm1", "66200022")],
    );
    let e = err(env.services.submit_application(&op, &env.ctx(), twice).await);
    assert!(has_field(&e, "administrators[1].id_document", "duplicate_person"), "{e:?}");
    assert_eq!(application_count(&env, &op).await, 0);

    let three = application(
        "R2-AD-3",
        &[
            ("A1", "passport", "R2ADM1", "66200021"),
            ("A2", "passport", "R2ADM2", "66200022"),
            ("A3", "passport", "R2ADM3", "66200023"),
        ],
    );
    env.services.submit_application(&op, &env.ctx(), three).await.unwrap();
    assert_eq!(application_count(&env, &op).await, 1);
});

fn proxy(notarised: bool, reference: &str, shown: bool) -> ProxyInput {
    ProxyInput {
        person: person("Proxy Person", "passport", "R3PROXY1", None, shown),
        poa_notarised: notarised,
        poa_reference: reference.into(),
    }
}

both_backends!(r3_proxy_needs_notarised_power_of_attorney_and_document_shown, |env: Env| async move {
    let op = env.operator().await;
    let admins = [("A", "passport", "R3ADM1", "66300001")];

    let mut app = application("R3-PX-1", &admins);
    app.proxy = Some(proxy(false, "NOT-2025-001", true));
    let e = err(env.services.submit_application(&op, &env.ctx(), app).await);
    assert_eq!(fields(&e), vec![("proxy.power_of_attorney.notarised".to_string(), "power_of_attorney_not_notarised")]);

    let mut app = application("R3-PX-2", &admins);
    app.proxy = Some(proxy(true, "NOT-2025-001", false));
    let e = err(env.services.submit_application(&op, &env.ctx(), app).await);
    assert_eq!(fields(&e), vec![("proxy.document_shown".to_string(), "document_not_shown")]);

    let mut app = application("R3-PX-3", &admins);
    app.proxy = Some(proxy(true, "   ", true));
    let e = err(env.services.submit_application(&op, &env.ctx(), app).await);
    assert!(has_field(&e, "proxy.power_of_attorney.reference", "required"), "{e:?}");
    assert_eq!(application_count(&env, &op).await, 0);
});

both_backends!(r3_proxy_application_records_power_of_attorney_reference, |env: Env| async move {
    let op = env.operator().await;
    let mut app = application("R3-PX-9", &[("A", "passport", "R3ADM9", "66300009")]);
    app.proxy = Some(proxy(true, "Notary 2025/0042", true));
    let (number, _) = env.services.submit_application(&op, &env.ctx(), app).await.unwrap();
    let app = env.services.get_application(&op, &number).await.unwrap();
    let proxies: Vec<_> = app.people.iter().filter(|p| p.role == PersonRole::Proxy).collect();
    assert_eq!(proxies.len(), 1);
    assert_eq!(proxies[0].name, "Proxy Person");
    assert_eq!(proxies[0].poa_reference.as_deref(), Some("Notary 2025/0042"));
    assert!(proxies[0].document_shown);
    assert_eq!(env.services.vault.open(Purpose::IdNumber, &proxies[0].id_number_sealed).unwrap(), "R3PROXY1");
    // A proxy application is approved like any other.
    env.services.approve_application(&op, &env.ctx(), &number).await.unwrap();
});

both_backends!(r4_submission_returns_application_number_and_status_flow, |env: Env| async move {
    let op = env.operator().await;
    let app = application("R4-FL-1", &[("A", "passport", "R4FLOW1", "66400001")]);
    let (number, status) = env.services.submit_application(&op, &env.ctx(), app).await.unwrap();
    assert_eq!(status, ApplicationStatus::Submitted);
    assert!(ApplicationNumber::parse("n", &number).is_ok(), "a well-formed application number: {number}");
    let a = env.services.get_application(&op, &number).await.unwrap();
    assert_eq!(a.status, ApplicationStatus::Submitted);
    assert!(a.decided_at.is_none());

    env.clock.advance_secs(3600);
    let s = env.services.start_review(&op, &env.ctx(), &number).await.unwrap();
    assert_eq!(s, ApplicationStatus::UnderReview);
    // Review starts once.
    let e = err(env.services.start_review(&op, &env.ctx(), &number).await);
    assert!(matches!(e, Error::Conflict { code: Code::InvalidStatus, .. }), "{e:?}");

    env.clock.advance_secs(3600);
    env.services.approve_application(&op, &env.ctx(), &number).await.unwrap();
    let a = env.services.get_application(&op, &number).await.unwrap();
    assert_eq!(a.status, ApplicationStatus::Approved);
    assert_eq!(a.decided_at, Some(a.submitted_at.plus_secs(7200)));
    assert_eq!(a.decided_by, Some(op.id()));
    // Decided applications stay decided.
    let e = err(env.services.reject_application(&op, &env.ctx(), &number, "changed our mind").await);
    assert!(matches!(e, Error::Conflict { code: Code::ApplicationDecided, .. }), "{e:?}");
    let e = err(env.services.start_review(&op, &env.ctx(), &number).await);
    assert!(matches!(e, Error::Conflict { code: Code::InvalidStatus, .. }), "{e:?}");

    // Each submission gets its own number.
    let app = application("R4-FL-2", &[("A", "passport", "R4FLOW2", "66400002")]);
    let (second, _) = env.services.submit_application(&op, &env.ctx(), app).await.unwrap();
    assert_ne!(second, number);
});

both_backends!(r4_reject_requires_reason_and_is_final, |env: Env| async move {
    let op = env.operator().await;
    let app = application("R4-RJ-1", &[("A", "passport", "R4REJ1", "66400011")]);
    let (number, _) = env.services.submit_application(&op, &env.ctx(), app).await.unwrap();
    let e = err(env.services.reject_application(&op, &env.ctx(), &number, "  ").await);
    assert!(has_field(&e, "reason", "required"), "{e:?}");

    let s =
        env.services.reject_application(&op, &env.ctx(), &number, "registration certificate expired").await.unwrap();
    assert_eq!(s, ApplicationStatus::Rejected);
    let a = env.services.get_application(&op, &number).await.unwrap();
    assert_eq!(a.status, ApplicationStatus::Rejected);
    assert_eq!(a.reject_reason.as_deref(), Some("registration certificate expired"));
    assert!(a.decided_at.is_some());
    assert!(a.entity_id.is_none());

    let e = err(env.services.approve_application(&op, &env.ctx(), &number).await);
    assert!(matches!(e, Error::Conflict { code: Code::ApplicationDecided, .. }), "{e:?}");
    // A rejected application sends no activation code.
    assert!(env.outbox().await.is_empty());
});

both_backends!(r5_second_application_for_same_entity_refused, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R5-CO-1", "66500001").await;

    // The same registration number as typed differently at the counter.
    let again = application("r5 co 1", &[("Other", "passport", "R5OTHER1", "66500002")]);
    let (number, _) = env.services.submit_application(&op, &env.ctx(), again).await.unwrap();
    let before = env.outbox().await.len();
    let refused = err(env.services.approve_application(&op, &env.ctx(), &number).await);
    assert!(matches!(refused, Error::Conflict { code: Code::EntityAlreadyRegistered, .. }), "{refused:?}");
    let a = env.services.get_application(&op, &number).await.unwrap();
    assert_eq!(a.status, ApplicationStatus::Submitted, "nothing changed");
    assert!(a.entity_id.is_none());
    assert_eq!(env.outbox().await.len(), before, "no code sent");
    // The refusal is in the audit log.
    let rows = audit_rows(&env).await;
    let last = rows.last().unwrap();
    assert_eq!(last.action, "application.approved");
    assert_eq!(last.result, "refused");
    assert_eq!(last.target.as_deref(), Some(number.as_str()));
    // The existing entity is untouched and still signs in.
    env.sign_in(&e.entity_number, "admin1").await;
});

both_backends!(r5_same_number_at_another_registry_is_another_entity, |env: Env| async move {
    let op = env.operator().await;
    env.entity(&op, "R5-77", "66500011").await;
    // Companies and associations are registered at different registries.
    let mut assoc = application("R5-77", &[("Assoc", "passport", "R5ASSOC1", "66500012")]);
    assoc.entity.kind = "association".into();
    let (_, entity_number) = env.approve(&op, assoc).await;
    assert!(!entity_number.is_empty());
});

both_backends!(r6_approval_sends_each_its_own_activation_code, |env: Env| async move {
    let op = env.operator().await;
    let app = application(
        "R6-SMS-1",
        &[("Admin A", "passport", "R6ADMA1", "66600001"), ("Admin B", "passport", "R6ADMB1", "66600002")],
    );
    let (app_no, entity_number) = env.approve(&op, app).await;
    assert_eq!(entity_number.len(), 8);
    assert!(domain::numbers::EntityNumber::parse("n", &entity_number).is_ok());

    let out = env.outbox().await;
    assert_eq!(out.len(), 3, "entity account and two administrators");
    let to = |m: &str| out.iter().find(|s| s.to == m).unwrap_or_else(|| panic!("no SMS to {m}"));
    let entity_sms = to("+85366000001");
    let a = to("+85366600001");
    let b = to("+85366600002");
    for s in [entity_sms, a, b] {
        assert_eq!(s.template, "activation_code");
        assert_eq!(s.param("entity_number"), Some(entity_number.as_str()));
        assert!(s.body.contains(s.param("code").unwrap()));
    }
    // The entity account activates with the application number, so its SMS names it.
    assert_eq!(entity_sms.param("application_number"), Some(app_no.as_str()));
    let codes: std::collections::HashSet<_> = [entity_sms, a, b].iter().map(|s| s.param("code")).collect();
    assert_eq!(codes.len(), 3, "each login has its own code");

    // The logins exist, pending, until activated.
    let mut tx = env.store.read().await.unwrap();
    let entity = tx.find_entity_by_number(&entity_number).await.unwrap().unwrap();
    let logins = tx.list_logins(entity.id).await.unwrap();
    drop(tx);
    let count = |k: LoginKind| logins.iter().filter(|l| l.kind == k).count();
    assert_eq!((count(LoginKind::Entity), count(LoginKind::Admin)), (1, 2));
    assert_eq!(logins.len(), 3);
    assert!(logins.iter().all(|l| l.status == LoginStatus::Pending));
    let a = env.services.get_application(&op, &app_no).await.unwrap();
    assert_eq!(a.entity_id, Some(entity.id));
});

both_backends!(r7_progress_shows_status_and_dates_only, |env: Env| async move {
    let op = env.operator().await;
    let app = application("R7-PG-1", &[("A", "passport", "R7PROG1", "66700001")]);
    let (number, _) = env.services.submit_application(&op, &env.ctx(), app).await.unwrap();
    let submitted_at = env.services.get_application(&op, &number).await.unwrap().submitted_at;

    // Anyone: no operator, no login. The registration number may be typed loosely.
    let p = env.services.application_progress(&env.ctx(), &number, "r7 pg 1").await.unwrap();
    assert_eq!(p.status, ApplicationStatus::Submitted);
    assert_eq!(p.submitted_at, submitted_at);
    assert!(p.decided_at.is_none());

    env.services.start_review(&op, &env.ctx(), &number).await.unwrap();
    let p = env.services.application_progress(&env.ctx(), &number, "R7-PG-1").await.unwrap();
    assert_eq!(p.status, ApplicationStatus::UnderReview);

    env.clock.advance_secs(86_400);
    env.services.reject_application(&op, &env.ctx(), &number, "incomplete").await.unwrap();
    let p = env.services.application_progress(&env.ctx(), &number, "R7-PG-1").await.unwrap();
    assert_eq!(p.status, ApplicationStatus::Rejected);
    assert_eq!(p.decided_at, Some(submitted_at.plus_secs(86_400)));
});

both_backends!(r7_wrong_registration_number_answers_like_unknown_application, |env: Env| async move {
    let op = env.operator().await;
    let app = application("R7-PG-2", &[("A", "passport", "R7PROG2", "66700002")]);
    let (number, _) = env.services.submit_application(&op, &env.ctx(), app).await.unwrap();
    let wrong_reg = err(env.services.application_progress(&env.ctx(), &number, "R7-PG-3").await);
    let unknown = ApplicationNumber::from_sequence(999_999);
    let unknown_app = err(env.services.application_progress(&env.ctx(), unknown.as_str(), "R7-PG-2").await);
    assert!(matches!(wrong_reg, Error::NotFound), "{wrong_reg:?}");
    assert!(matches!(unknown_app, Error::NotFound), "{unknown_app:?}");
    assert_eq!(wrong_reg.to_string(), unknown_app.to_string());
    // A malformed number is a form error, which says nothing about any application.
    let e = err(env.services.application_progress(&env.ctx(), "A12", "R7-PG-2").await);
    assert!(has_field(&e, "application_number", "invalid_format"), "{e:?}");
});

both_backends!(r7_a_source_that_keeps_guessing_application_numbers_waits, |env: Env| async move {
    let op = env.operator().await;
    let app = application("R7-PG-4", &[("A", "passport", "R7PROG4", "66700004")]);
    let (number, _) = env.services.submit_application(&op, &env.ctx(), app).await.unwrap();
    let max = env.services.policy.progress_max_misses_per_source;
    for i in 0..max {
        let guess = ApplicationNumber::from_sequence(900_000 + i);
        let e = err(env.services.application_progress(&env.ctx(), guess.as_str(), "R7-PG-4").await);
        assert!(matches!(e, Error::NotFound), "{e:?}");
    }
    // Now even the right pair waits, so guessing cannot go on.
    let e = err(env.services.application_progress(&env.ctx(), &number, "R7-PG-4").await);
    assert!(matches!(e, Error::TooManyAttempts { .. }), "{e:?}");
    // Another source is not affected; after the window the source may ask again.
    let elsewhere = domain::services::Ctx::new("192.0.2.77");
    assert!(env.services.application_progress(&elsewhere, &number, "R7-PG-4").await.is_ok());
    env.clock.advance_secs(env.services.policy.help_window_secs + 1);
    assert!(env.services.application_progress(&env.ctx(), &number, "R7-PG-4").await.is_ok());
});

both_backends!(r8_counter_adds_administrators_up_to_three, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R8-AD-1", "66800001").await;
    let id2 = env
        .services
        .add_admin(&op, &env.ctx(), &e.entity_number, person("Admin Two", "passport", "R8ADM2", Some("66800002"), true))
        .await
        .unwrap();
    // The new administrator gets an SMS code and activates as an administrator.
    let code = env.last_code_for("+85366800002").await;
    let activated = env.activate_staff(&e.entity_number, &code, "admin2").await;
    assert_eq!(activated, id2);
    assert_eq!(env.sign_in(&e.entity_number, "admin2").await.kind(), LoginKind::Admin);
    // A pending administrator counts too.
    env.services
        .add_admin(
            &op,
            &env.ctx(),
            &e.entity_number,
            person("Admin Three", "passport", "R8ADM3", Some("66800003"), true),
        )
        .await
        .unwrap();
    let err4 = err(env
        .services
        .add_admin(
            &op,
            &env.ctx(),
            &e.entity_number,
            person("Admin Four", "passport", "R8ADM4", Some("66800004"), true),
        )
        .await);
    assert!(matches!(err4, Error::Conflict { code: Code::TooManyAdministrators, .. }), "{err4:?}");
    let rows = audit_rows(&env).await;
    let last = rows.last().unwrap();
    assert_eq!((last.action.as_str(), last.result.as_str()), ("login.administrator_added", "refused"));
    // A person who already has a login in this entity is not added twice.
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    let a = admin.admin_of(&e.entity_number).unwrap();
    env.services.delete_login(&a, &env.ctx(), &id2).await.unwrap();
    let dup = err(env
        .services
        .add_admin(
            &op,
            &env.ctx(),
            &e.entity_number,
            person("Admin One", "passport", "PR8AD11", Some("66800005"), true),
        )
        .await);
    assert!(matches!(dup, Error::Conflict { code: Code::PersonHasLogin, .. }), "{dup:?}");
    // After a deletion there is room again.
    env.services
        .add_admin(
            &op,
            &env.ctx(),
            &e.entity_number,
            person("Admin Four", "passport", "R8ADM4", Some("66800004"), true),
        )
        .await
        .unwrap();
    // Unknown entity.
    let unknown = domain::numbers::EntityNumber::from_sequence(999_999);
    let nf = err(env
        .services
        .add_admin(
            &op,
            &env.ctx(),
            unknown.as_str(),
            person("Admin Five", "passport", "R8ADM5", Some("66800006"), true),
        )
        .await);
    assert!(matches!(nf, Error::NotFound), "{nf:?}");
});

both_backends!(r8_restore_refused_when_three_administrators, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R8-RS-1", "66800011").await;
    let id2 = env
        .services
        .add_admin(&op, &env.ctx(), &e.entity_number, person("Admin Two", "passport", "R8RES2", Some("66800012"), true))
        .await
        .unwrap();
    env.services
        .add_admin(
            &op,
            &env.ctx(),
            &e.entity_number,
            person("Admin Three", "passport", "R8RES3", Some("66800013"), true),
        )
        .await
        .unwrap();
    let account = env.sign_in(&e.entity_number, "entity").await;
    env.services.remove_admin(&account.entity_account_of(&e.entity_number).unwrap(), &env.ctx(), &id2).await.unwrap();
    let id4 = env
        .services
        .add_admin(
            &op,
            &env.ctx(),
            &e.entity_number,
            person("Admin Four", "passport", "R8RES4", Some("66800014"), true),
        )
        .await
        .unwrap();
    let full = err(env.services.restore_admin(&op, &env.ctx(), &e.entity_number, &id2).await);
    assert!(matches!(full, Error::Conflict { code: Code::TooManyAdministrators, .. }), "{full:?}");
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    env.services.delete_login(&admin.admin_of(&e.entity_number).unwrap(), &env.ctx(), &id4).await.unwrap();
    let kind = env.services.restore_admin(&op, &env.ctx(), &e.entity_number, &id2).await.unwrap();
    assert_eq!(kind, LoginKind::Admin);
});
