//! Access that ends by itself and is reviewed (R28–R31, R37), with the fake clock: dated
//! assignments decided against now at every check, tokens capped at the end, ending notices,
//! access reviews with their suspension and sealed export, four eyes, and access requests.

mod support;
use support::oidc::*;
use support::*;

use domain::access::{Caller, Operator};
use domain::access_terms::{AssignmentStatus, DAY_SECS};
use domain::assignment_form::AssignmentInput;
use domain::assignments::LoginAssignment;
use domain::clock::{Clock, Timestamp};
use domain::model::RequestDecision;
use domain::oidc::authorize::Outcome;
use domain::oidc::permission::Denial;
use domain::reviews::DecisionInput;
use domain::Error;

fn dated(code: &str, from: Option<Timestamp>, until: Option<Timestamp>) -> AssignmentInput {
    AssignmentInput {
        code: code.into(),
        valid_from: from.map(|t| t.rfc3339()),
        valid_until: until.map(|t| t.rfc3339()),
    }
}

/// Whole seconds, as RFC 3339 carries them.
fn at_second(t: Timestamp) -> Timestamp {
    Timestamp(t.0 - t.0.rem_euclid(1_000_000))
}

async fn set(env: &Env, admin: &Caller, login_id: &str, wanted: Vec<AssignmentInput>) -> Vec<LoginAssignment> {
    let a = admin.admin_of(admin.entity_number()).unwrap();
    env.services.assign_eservices(&a, &env.ctx(), login_id, wanted).await.unwrap()
}

async fn status_of(env: &Env, viewer: &Caller, login_id: &str, code: &str) -> AssignmentStatus {
    let list = env.services.login_assignments(viewer, viewer.entity_number(), login_id).await.unwrap();
    list.into_iter().find(|a| a.code == code).map(|a| a.status).expect("the e-service is listed")
}

async fn audit_actions(env: &Env, viewer: &Caller) -> Vec<(String, String, String)> {
    let o = viewer.overseer_of(viewer.entity_number()).unwrap();
    let rows = env.services.entity_audit(&o, 0, 1000).await.unwrap();
    rows.into_iter().map(|r| (r.action, r.result, r.detail)).collect()
}

async fn notices(env: &Env, who: &Caller, kind: &str) -> usize {
    env.services.my_notifications(who).await.unwrap().iter().filter(|n| n.kind == kind).count()
}

/// An entity with `n` administrators (signed in, in order) and one staff member.
async fn entity_with_admins(env: &Env, op: &Operator, reg: &str, n: usize) -> (Vec<Caller>, String, Caller) {
    let e = env.entity(op, reg, "62800001").await;
    let mut admins = vec![env.sign_in(&e.entity_number, "admin1").await];
    for i in 2..=n {
        let mobile = format!("6280000{i}");
        counter_admin(env, op, &e.entity_number, &format!("P{reg}{i}"), &mobile, &format!("admin{i}")).await;
        admins.push(env.sign_in(&e.entity_number, &format!("admin{i}")).await);
    }
    let staff_id = staff(env, &admins[0], &format!("S{reg}"), "62809999", "staff1").await;
    let staff_caller = env.sign_in(&e.entity_number, "staff1").await;
    (admins, staff_id, staff_caller)
}

both_backends!(r28_an_assignment_grants_from_its_start_until_its_end_and_no_token_outlives_it, |env: Env| async move {
    let op = env.operator().await;
    let secret = client(&env, &op, "r28-jobs", "DSAL", false).await;
    let (admins, staff_id, staff) = entity_with_admins(&env, &op, "R28-1", 1).await;
    let start = at_second(env.clock.now().plus_secs(3600));
    let end = start.plus_secs(2 * 3600);
    let got = set(&env, &admins[0], &staff_id, vec![dated("r28-jobs", Some(start), Some(end))]).await;
    assert_eq!(
        (got[0].valid_from, got[0].valid_until, got[0].status),
        (Some(start), Some(end), AssignmentStatus::Pending)
    );

    // Before the start: nothing, and the login sees it as pending from that date.
    assert!(matches!(authorize(&env, &staff, "r28-jobs").await, Outcome::Denied(Denial::NotYetValid)));
    assert_eq!(status_of(&env, &staff, &staff_id, "r28-jobs").await, AssignmentStatus::Pending);
    // At the start: a sign-in, whose tokens and ID token end with the assignment.
    env.clock.advance_secs(env.clock.now().secs_until(start));
    let now = env.clock.now();
    assert!(now >= start && now < start.plus_secs(1));
    let issued = sign_in(&env, &staff, "r28-jobs", &secret).await;
    assert_eq!(issued.id_token.as_ref().unwrap().until, Some(end));
    assert!(active(&env, "r28-jobs", &secret, &issued.access_token).await);

    // One second before the end: still active; a refresh then gives tokens that end with it.
    env.clock.advance_secs(now.secs_until(end) - 1);
    let c = env.services.authenticate_client("r28-jobs", &secret).await.unwrap();
    let refreshed = env.services.refresh(&env.ctx(), &c, issued.refresh_token.as_ref().unwrap()).await.unwrap();
    assert!(refreshed.expires_in <= 1, "capped at the end: {}", refreshed.expires_in);
    assert_eq!(refreshed.id_token.as_ref().unwrap().until, Some(end));
    assert!(active(&env, "r28-jobs", &secret, &refreshed.access_token).await);
    assert!(env.services.userinfo(&refreshed.access_token).await.is_ok());

    // At the end: refused everywhere on the very next request, with no sweep run.
    env.clock.advance_secs(1);
    assert!(!active(&env, "r28-jobs", &secret, &refreshed.access_token).await);
    assert_eq!(oauth_code(env.services.userinfo(&refreshed.access_token).await), "invalid_token");
    let refresh = refreshed.refresh_token.unwrap();
    assert_eq!(oauth_code(env.services.refresh(&env.ctx(), &c, &refresh).await), "invalid_grant");
    assert!(matches!(authorize(&env, &staff, "r28-jobs").await, Outcome::Denied(Denial::Ended)));
    assert_eq!(status_of(&env, &admins[0], &staff_id, "r28-jobs").await, AssignmentStatus::Ended);
    // Setting the dates was audited with them.
    let audit = audit_actions(&env, &admins[0]).await;
    assert!(audit.iter().any(|(a, r, d)| a == "eservice.assigned" && r == "success" && d.contains(&start.rfc3339())));
});

both_backends!(r28_an_id_token_issued_at_2355_on_the_last_day_expires_at_midnight, |env: Env| async move {
    let op = env.operator().await;
    let secret = client(&env, &op, "r28-tax", "DSF", false).await;
    let (admins, staff_id, staff) = entity_with_admins(&env, &op, "R28-2", 1).await;
    // "Until" a date on the page: through that whole day, Macau time.
    let today = domain::assignment_form::macau_date(env.clock.now(), false);
    let wanted = AssignmentInput { code: "r28-tax".into(), valid_from: None, valid_until: Some(today.clone()) };
    let got = set(&env, &admins[0], &staff_id, vec![wanted]).await;
    let midnight = got[0].valid_until.unwrap();
    assert_eq!(domain::assignment_form::macau_date(midnight, true), today);
    // 23:58 Macau time on that day: the tokens end at midnight, not five minutes later.
    env.clock.advance_secs(env.clock.now().secs_until(midnight) - 120);
    let issued = sign_in(&env, &staff, "r28-tax", &secret).await;
    assert_eq!(issued.expires_in, 120);
    assert_eq!(issued.id_token.unwrap().until, Some(midnight));
});

both_backends!(r28_bad_dates_are_refused_by_field_and_change_nothing_but_the_audit, |env: Env| async move {
    let op = env.operator().await;
    client(&env, &op, "r28-bad", "DSAL", false).await;
    let (admins, staff_id, _) = entity_with_admins(&env, &op, "R28-3", 1).await;
    let a = admins[0].admin_of(admins[0].entity_number()).unwrap();
    let now = env.clock.now();
    let cases = [
        (
            dated("r28-bad", Some(now.plus_secs(DAY_SECS * 2)), Some(now.plus_secs(DAY_SECS))),
            "eservices[0].valid_until",
            "ends_before_start",
        ),
        (dated("r28-bad", None, Some(now.plus_secs(-60))), "eservices[0].valid_until", "end_in_past"),
        (dated("r28-bad", Some(now.plus_secs(DAY_SECS * 400)), None), "eservices[0].valid_from", "start_too_far_ahead"),
        (
            AssignmentInput { code: "r28-bad".into(), valid_from: Some("next monday".into()), valid_until: None },
            "eservices[0].valid_from",
            "invalid_date",
        ),
    ];
    for (input, field, code) in cases {
        let e = err(env.services.assign_eservices(&a, &env.ctx(), &staff_id, vec![input]).await);
        assert!(has_field(&e, field, code), "{field} {code}: {e:?}");
    }
    let twice = vec![dated("r28-bad", None, Some(now.plus_secs(DAY_SECS))), dated("r28-bad", None, None)];
    let e = err(env.services.assign_eservices(&a, &env.ctx(), &staff_id, twice).await);
    assert!(has_field(&e, "eservices[1]", "duplicate"), "{e:?}");
    assert!(env.services.login_assignments(&admins[0], admins[0].entity_number(), &staff_id).await.unwrap().is_empty());
    let refused = audit_actions(&env, &admins[0])
        .await
        .into_iter()
        .filter(|(a, r, _)| a == "eservice.assigned" && r == "refused")
        .count();
    assert_eq!(refused, 5, "each refusal audited, nothing else written");
});

both_backends!(
    r29_ending_is_announced_14_and_3_days_before_each_once_and_ends_sessions_at_the_end,
    |env: Env| async move {
        let op = env.operator().await;
        let secret = client(&env, &op, "r29-jobs", "DSAL", false).await;
        let (admins, staff_id, staff) = entity_with_admins(&env, &op, "R29-1", 2).await;
        let end = at_second(env.clock.now().plus_secs(20 * DAY_SECS));
        set(&env, &admins[0], &staff_id, vec![dated("r29-jobs", None, Some(end))]).await;
        assert!(env.services.set_sms_notices(&staff, &env.ctx(), true).await.unwrap(), "the staff member asks for SMS");
        env.services.sweep_access(100).await.unwrap();
        assert_eq!(notices(&env, &staff, "access_ending").await, 0, "20 days ahead: no notice yet");

        env.clock.advance_secs(6 * DAY_SECS + 1);
        assert_eq!(env.services.sweep_access(100).await.unwrap().ending_notices, 1);
        assert_eq!(env.services.sweep_access(100).await.unwrap().ending_notices, 0, "each notice once");
        for who in [&staff, &admins[0], &admins[1]] {
            assert_eq!(notices(&env, who, "access_ending").await, 1);
        }
        // By SMS through the outbox to the one who asked for it, and to nobody else.
        let sms: Vec<_> = env.outbox().await.into_iter().filter(|m| m.template == "access_ending").collect();
        assert_eq!(sms.iter().map(|m| m.to.as_str()).collect::<Vec<_>>(), [canonical("62809999")], "{sms:?}");
        assert_eq!(sms[0].param("eservice"), Some("r29-jobs"));
        env.clock.advance_secs(11 * DAY_SECS);
        assert_eq!(env.services.sweep_access(100).await.unwrap().ending_notices, 1);
        env.services.sweep_access(100).await.unwrap();
        assert_eq!(notices(&env, &staff, "access_ending").await, 2);
        let n = env.services.my_notifications(&staff).await.unwrap();
        let three = n.iter().find(|n| n.kind == "access_ending").unwrap();
        assert!(three.params.iter().any(|(k, v)| k == "days" && v == "3"), "{:?}", three.params);

        // At the end the sweep revokes the sign-in's grant (back-channel logout queued) once.
        env.clock.advance_secs(env.clock.now().secs_until(end) - 60);
        let staff = env.sign_in(staff.entity_number(), "staff1").await;
        let issued = sign_in(&env, &staff, "r29-jobs", &secret).await;
        env.clock.advance_secs(60);
        assert!(!active(&env, "r29-jobs", &secret, &issued.access_token).await, "refused before any sweep");
        assert_eq!(env.services.sweep_access(100).await.unwrap().ended, 1);
        assert_eq!(env.services.sweep_access(100).await.unwrap().ended, 0);
        let audit = audit_actions(&env, &admins[0]).await;
        assert!(audit.iter().any(|(a, _, d)| a == "eservice.assignment_ended" && d == "r29-jobs"));
        let mut tx = env.store.read().await.unwrap();
        let entity = tx.find_entity_by_number(staff.entity_number()).await.unwrap().unwrap();
        assert!(tx.live_grants_of_login(entity.id, &staff_id, Some("r29-jobs")).await.unwrap().is_empty());
    }
);

both_backends!(r30_a_review_suspends_what_is_left_unconfirmed_and_confirming_restores_it, |env: Env| async move {
    let op = env.operator().await;
    let secret = client(&env, &op, "r30-jobs", "DSAL", false).await;
    client(&env, &op, "r30-tax", "DSF", false).await;
    let (admins, staff_id, staff) = entity_with_admins(&env, &op, "R30-1", 1).await;
    set(&env, &admins[0], &staff_id, vec!["r30-jobs".into(), "r30-tax".into()]).await;
    let a = admins[0].admin_of(admins[0].entity_number()).unwrap();
    let review = env.services.access_review(&a).await.unwrap();
    assert_eq!(review.items.len(), 2);
    assert!(review.items.iter().all(|i| i.decision.is_none()));
    sign_in(&env, &staff, "r30-jobs", &secret).await;
    let used = env.services.access_review(&a).await.unwrap();
    assert!(
        used.items.iter().find(|i| i.eservice == "r30-jobs").unwrap().last_used_at.is_some(),
        "use recorded at issuance"
    );

    // Due after 180 days: announced once; items granted in the cycle are not suspended.
    env.clock.advance_secs(env.clock.now().secs_until(review.due_at));
    assert_eq!(env.services.sweep_access(100).await.unwrap().reviews_announced, 1);
    assert_eq!(env.services.sweep_access(100).await.unwrap().reviews_announced, 0);
    assert_eq!(notices(&env, &admins[0], "access_review_due").await, 1);
    env.clock.advance_secs(14 * DAY_SECS);
    assert_eq!(status_of(&env, &staff, &staff_id, "r30-jobs").await, AssignmentStatus::Active, "granted in this cycle");

    // Finish this review; the next cycle's items, left unconfirmed past their grace, are suspended.
    let all = |d: &str| {
        ["r30-jobs", "r30-tax"]
            .iter()
            .map(|e| DecisionInput { login_id: staff_id.clone(), eservice: e.to_string(), decision: d.into() })
            .collect::<Vec<_>>()
    };
    let next = env.services.decide_review(&a, &env.ctx(), all("confirm")).await.unwrap();
    assert!(next.last_finished.is_some(), "every item decided: the review is finished");
    assert!(next.items.iter().all(|i| i.decision.is_none()), "the next review starts undecided");
    let export = env.services.review_export(&a).await.unwrap();
    assert_eq!(export.items.len(), 2);
    assert!(export.items.iter().all(|i| i.decision.as_deref() == Some("confirm")));
    let mut tx = env.store.read().await.unwrap();
    let head = tx.audit_head().await.unwrap().unwrap();
    drop(tx);
    assert_eq!(export.sealed_head, format!("{}:{}", head.seq, head.hash), "sealed by the head after its own record");

    env.clock.advance_secs(env.clock.now().secs_until(next.suspends_at) - 60);
    let staff = env.sign_in(staff.entity_number(), "staff1").await;
    let issued = sign_in(&env, &staff, "r30-jobs", &secret).await;
    env.clock.advance_secs(59);
    assert!(active(&env, "r30-jobs", &secret, &issued.access_token).await, "one second before the suspension");
    env.clock.advance_secs(1);
    assert!(!active(&env, "r30-jobs", &secret, &issued.access_token).await, "suspended: the very next introspection");
    assert!(matches!(authorize(&env, &staff, "r30-jobs").await, Outcome::Denied(Denial::Suspended)));
    assert_eq!(status_of(&env, &staff, &staff_id, "r30-jobs").await, AssignmentStatus::Suspended);
    let r = env.services.access_review(&a).await.unwrap();
    assert!(r.items.iter().all(|i| i.status == "suspended"), "still listed, as suspended");

    // Confirming restores it; removing the other ends it.
    let one =
        vec![DecisionInput { login_id: staff_id.clone(), eservice: "r30-jobs".into(), decision: "confirm".into() }];
    env.services.decide_review(&a, &env.ctx(), one).await.unwrap();
    assert_eq!(status_of(&env, &staff, &staff_id, "r30-jobs").await, AssignmentStatus::Active);
    assert!(matches!(authorize(&env, &staff, "r30-jobs").await, Outcome::Code(_)));
    let rm = vec![DecisionInput { login_id: staff_id.clone(), eservice: "r30-tax".into(), decision: "remove".into() }];
    let done = env.services.decide_review(&a, &env.ctx(), rm).await.unwrap();
    assert!(done.last_finished.unwrap().0 != export.review_id, "a second review finished");
    let export = env.services.review_export(&a).await.unwrap();
    let decisions: Vec<_> = export.items.iter().map(|i| (i.eservice.as_str(), i.decision.as_deref())).collect();
    assert_eq!(decisions, [("r30-jobs", Some("confirm")), ("r30-tax", Some("remove"))]);
});

both_backends!(r30_nobody_confirms_their_own_access_where_another_administrator_can, |env: Env| async move {
    let op = env.operator().await;
    client(&env, &op, "r30-own", "DSAL", false).await;
    for n in [1, 2] {
        let (admins, staff_id, _) = entity_with_admins(&env, &op, &format!("R30-O{n}"), n).await;
        let own = admins[0].login_id().to_string();
        set(&env, &admins[0], &own, vec!["r30-own".into()]).await;
        set(&env, &admins[0], &staff_id, vec!["r30-own".into()]).await;
        let a = admins[0].admin_of(admins[0].entity_number()).unwrap();
        let mine =
            vec![DecisionInput { login_id: own.clone(), eservice: "r30-own".into(), decision: "confirm".into() }];
        let r = env.services.decide_review(&a, &env.ctx(), mine.clone()).await;
        if n == 1 {
            assert!(r.is_ok(), "the only administrator confirms their own: {r:?}");
            continue;
        }
        let e = err(r);
        assert!(has_field(&e, "decisions[0]", "cannot_confirm_own_access"), "{e:?}");
        let b = admins[1].admin_of(admins[1].entity_number()).unwrap();
        env.services.decide_review(&b, &env.ctx(), mine).await.unwrap();
        let audit = audit_actions(&env, &admins[0]).await;
        assert!(audit
            .iter()
            .any(|(a, r, d)| a == "review.confirmed" && r == "refused" && d.contains("cannot_confirm_own_access")));
    }
});

both_backends!(
    r30_decisions_for_another_entitys_login_twice_or_unknown_are_refused_and_change_nothing,
    |env: Env| async move {
        let op = env.operator().await;
        client(&env, &op, "r30-bad", "DSAL", false).await;
        let (admins, staff_id, _) = entity_with_admins(&env, &op, "R30-B1", 1).await;
        let (other_admins, other_staff, _) = entity_with_admins(&env, &op, "R30-B2", 1).await;
        set(&env, &admins[0], &staff_id, vec!["r30-bad".into()]).await;
        set(&env, &other_admins[0], &other_staff, vec!["r30-bad".into()]).await;
        let a = admins[0].admin_of(admins[0].entity_number()).unwrap();
        let d = |login: &str, decision: &str| DecisionInput {
            login_id: login.into(),
            eservice: "r30-bad".into(),
            decision: decision.into(),
        };
        let e = err(env
            .services
            .decide_review(&a, &env.ctx(), vec![d(&staff_id, "confirm"), d(&other_staff, "remove")])
            .await);
        assert!(has_field(&e, "decisions[1]", "not_in_review"), "another entity's login: {e:?}");
        let e = err(env
            .services
            .decide_review(&a, &env.ctx(), vec![d(&staff_id, "confirm"), d(&staff_id, "confirm")])
            .await);
        assert!(has_field(&e, "decisions[1]", "duplicate"), "{e:?}");
        let e = err(env.services.decide_review(&a, &env.ctx(), vec![d(&staff_id, "maybe")]).await);
        assert!(has_field(&e, "decisions[0].decision", "invalid_choice"), "{e:?}");
        // Nothing changed: the other entity keeps its assignment, and ours is still undecided.
        let other = other_admins[0].admin_of(other_admins[0].entity_number()).unwrap();
        assert_eq!(env.services.access_review(&other).await.unwrap().items.len(), 1);
        assert!(env.services.access_review(&a).await.unwrap().items[0].decision.is_none());
        // Decided, then decided again: refused.
        env.services.decide_review(&a, &env.ctx(), vec![d(&staff_id, "confirm")]).await.unwrap();
        set(&env, &admins[0], &staff_id, vec!["r30-bad".into()]).await;
        let r = env.services.access_review(&a).await.unwrap();
        let again = r.items.iter().find(|i| i.login_id == staff_id).unwrap();
        assert!(again.decision.is_none(), "a finished review's item starts undecided in the next");
    }
);

both_backends!(r30_an_eservice_asking_for_shorter_reviews_brings_the_review_nearer, |env: Env| async move {
    let op = env.operator().await;
    client_asking(&env, &op, "r30-short", "DSAL", false, false, Some(30)).await;
    let (admins, staff_id, _) = entity_with_admins(&env, &op, "R30-S1", 1).await;
    let a = admins[0].admin_of(admins[0].entity_number()).unwrap();
    let before = env.services.access_review(&a).await.unwrap().due_at;
    set(&env, &admins[0], &staff_id, vec!["r30-short".into()]).await;
    let after = env.services.access_review(&a).await.unwrap().due_at;
    assert_eq!(after, env.clock.now().plus_secs(30 * DAY_SECS));
    assert!(after < before);
    let e = err(env
        .services
        .create_eservice(
            &op,
            &env.ctx(),
            domain::eservice_form::EServiceInput {
                code: "r30-too-short".into(),
                name_zh: "服務".into(),
                name_pt: "Serviço".into(),
                name_en: "Service".into(),
                department: "D".into(),
                assurance: "basic".into(),
                requires_registration: false,
                four_eyes: false,
                allows_intermediaries: false,
                review_days: Some(29),
            },
        )
        .await);
    assert!(has_field(&e, "review_days", "out_of_range"), "{e:?}");
});

both_backends!(r31_four_eyes_with_one_two_and_three_administrators, |env: Env| async move {
    let op = env.operator().await;
    let secret = client_asking(&env, &op, "r31-pay", "FSS", false, true, None).await;
    for n in [1, 2, 3] {
        let (admins, staff_id, staff) = entity_with_admins(&env, &op, &format!("R31-{n}"), n).await;
        let got = set(&env, &admins[0], &staff_id, vec!["r31-pay".into()]).await;
        assert_eq!(got[0].status, AssignmentStatus::Pending, "a proposal grants nothing");
        assert_eq!(got[0].proposed_by.as_deref(), Some(admins[0].login_id()));
        assert!(matches!(authorize(&env, &staff, "r31-pay").await, Outcome::Denied(Denial::AwaitingApproval)));
        let first = admins[0].admin_of(admins[0].entity_number()).unwrap();
        let e = err(env.services.approve_assignment(&first, &env.ctx(), &staff_id, "r31-pay").await);
        assert!(matches!(&e, Error::Refused { code, .. } if *code == "cannot_approve_own_proposal"), "{e:?}");
        assert_eq!(status_of(&env, &staff, &staff_id, "r31-pay").await, AssignmentStatus::Pending);
        if n == 1 {
            continue; // Nobody else can approve: it stays pending.
        }
        for other in &admins[1..] {
            assert_eq!(notices(&env, other, "assignment_proposed").await, 1);
        }
        let second = admins[n - 1].admin_of(admins[n - 1].entity_number()).unwrap();
        let got = env.services.approve_assignment(&second, &env.ctx(), &staff_id, "r31-pay").await.unwrap();
        assert_eq!(got[0].status, AssignmentStatus::Active);
        let e = err(env.services.approve_assignment(&second, &env.ctx(), &staff_id, "r31-pay").await);
        assert!(matches!(&e, Error::Conflict { code, .. } if *code == "not_awaiting_approval"), "{e:?}");
        sign_in(&env, &staff, "r31-pay", &secret).await;
        let audit = audit_actions(&env, &admins[0]).await;
        assert!(audit.iter().any(|(a, r, _)| a == "eservice.assignment_approved" && r == "refused"));
        assert!(audit.iter().any(|(a, r, _)| a == "eservice.assignment_approved" && r == "success"));
    }
});

both_backends!(r37_a_staff_member_requests_an_eservice_and_is_granted_or_refused, |env: Env| async move {
    let op = env.operator().await;
    let secret = client(&env, &op, "r37-jobs", "DSAL", false).await;
    client(&env, &op, "r37-tax", "DSF", false).await;
    let (admins, staff_id, staff) = entity_with_admins(&env, &op, "R37-1", 2).await;
    let n = staff.entity_number().to_string();
    let r =
        env.services.request_access(&staff, &env.ctx(), &n, "r37-jobs", "I run the hiring this month").await.unwrap();
    let e = err(env.services.request_access(&staff, &env.ctx(), &n, "r37-jobs", "again").await);
    assert!(has_field(&e, "eservice", "duplicate"), "{e:?}");
    let e = err(env.services.request_access(&staff, &env.ctx(), &n, "r37-tax", "").await);
    assert!(has_field(&e, "reason", "required"), "{e:?}");
    for a in &admins {
        assert_eq!(notices(&env, a, "access_requested").await, 1);
        assert_eq!(env.services.access_requests(a, true).await.unwrap().len(), 1);
    }

    let a = admins[1].admin_of(&n).unwrap();
    let until = env.clock.now().plus_secs(30 * DAY_SECS);
    let e = err(env.services.grant_access_request(&a, &env.ctx(), &r.id, None, Some("2020-01-01".into())).await);
    assert!(has_field(&e, "valid_until", "end_in_past"), "{e:?}");
    let granted = env.services.grant_access_request(&a, &env.ctx(), &r.id, None, Some(until.rfc3339())).await.unwrap();
    assert_eq!(granted.decision, Some(RequestDecision::Granted));
    assert_eq!(notices(&env, &staff, "access_request_granted").await, 1);
    assert_eq!(status_of(&env, &staff, &staff_id, "r37-jobs").await, AssignmentStatus::Active);
    sign_in(&env, &staff, "r37-jobs", &secret).await;
    let e = err(env.services.refuse_access_request(&a, &env.ctx(), &r.id, "too late").await);
    assert!(matches!(&e, Error::Conflict { code, .. } if *code == "request_answered"), "{e:?}");

    let r2 = env.services.request_access(&staff, &env.ctx(), &n, "r37-tax", "Filing for a client").await.unwrap();
    let refused = env.services.refuse_access_request(&a, &env.ctx(), &r2.id, "The accountant files it").await.unwrap();
    assert_eq!(
        (refused.decision, refused.answer.as_deref()),
        (Some(RequestDecision::Refused), Some("The accountant files it"))
    );
    let told = env.services.my_notifications(&staff).await.unwrap();
    let t = told.iter().find(|n| n.kind == "access_request_refused").unwrap();
    assert!(t.params.iter().any(|(k, v)| k == "reason" && v == "The accountant files it"));
    // Staff see only their own; another entity's administrator sees none of it.
    assert_eq!(env.services.access_requests(&staff, false).await.unwrap().len(), 2);
    let (outsiders, _, _) = entity_with_admins(&env, &op, "R37-2", 1).await;
    assert!(env.services.access_requests(&outsiders[0], false).await.unwrap().is_empty());
    let o = outsiders[0].admin_of(outsiders[0].entity_number()).unwrap();
    assert!(matches!(env.services.refuse_access_request(&o, &env.ctx(), &r2.id, "x").await, Err(Error::NotFound)));
    // Not a request id at all (a NUL, which PostgreSQL would refuse): no such request.
    let bad = env.services.refuse_access_request(&a, &env.ctx(), "not\0an id", "x").await;
    assert!(matches!(bad, Err(Error::NotFound)), "{bad:?}");
});
