//! Entities acting for entities (R34, R35), on both backends with the fake clock: a mandate
//! offered, accepted or declined, acted under by the logins its receiver assigns, ended by
//! either side or by its end; the chooser at sign-in; the represented entity and the acting
//! party in ID token, userinfo and introspection; no re-delegation and no management of the
//! mandating entity; bad input refused with nothing changed.

mod support;
use support::oidc::*;
use support::*;

use domain::access::{Caller, Operator};
use domain::access_terms::{AssignmentStatus, DAY_SECS};
use domain::assignment_form::AssignmentInput;
use domain::clock::{Clock, Timestamp};
use domain::mandate_form::MandateInput;
use domain::mandates::{MandateView, MandatedEService};
use domain::model::MandateStatus;
use domain::numbers::EntityNumber;
use domain::oidc::authorize::Outcome;
use domain::oidc::permission::Denial;
use domain::oidc::tokens::Act;
use domain::Error;

/// Two codes of e-services that allow intermediaries, and one that does not.
const TAX: &str = "r34-tax";
const SSF: &str = "r34-ssf";
const JOBS: &str = "r34-jobs";

struct Firm {
    number: String,
    admin: Caller,
    staff_id: String,
    staff: Caller,
}

/// An entity with a signed-in administrator and a signed-in staff member.
async fn firm(env: &Env, op: &Operator, reg: &str, mobile_tail: u32) -> Firm {
    let e = env.entity(op, reg, &format!("6281{mobile_tail:04}")).await;
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    let staff_id = staff(env, &admin, &format!("S{reg}"), &format!("6282{mobile_tail:04}"), "staff1").await;
    let staff = env.sign_in(&e.entity_number, "staff1").await;
    Firm { number: e.entity_number, admin, staff_id, staff }
}

/// The catalogue: two e-services that allow intermediaries (with their secrets), one that does not.
async fn catalogue(env: &Env, op: &Operator) -> (String, String) {
    let tax = intermediary_client(env, op, TAX, false).await;
    let ssf = intermediary_client(env, op, SSF, false).await;
    client(env, op, JOBS, "DSAL", false).await;
    (tax, ssf)
}

fn until_days(env: &Env, days: i64) -> Timestamp {
    let t = env.clock.now().plus_secs(days * DAY_SECS);
    Timestamp(t.0 - t.0.rem_euclid(1_000_000))
}

async fn offer(env: &Env, from: &Firm, to: &str, codes: &[&str], until: Timestamp) -> Result<MandateView, Error> {
    let input = MandateInput {
        to_entity_number: to.into(),
        eservices: codes.iter().map(|c| c.to_string()).collect(),
        valid_until: until.rfc3339(),
    };
    env.services.offer_mandate(&from.admin.admin_of(&from.number).unwrap(), &env.ctx(), input).await
}

async fn answer(env: &Env, by: &Firm, id: &str, accept: bool) -> Result<MandateView, Error> {
    env.services.answer_mandate(&by.admin.admin_of(&by.number).unwrap(), &env.ctx(), id, accept).await
}

async fn end(env: &Env, by: &Firm, id: &str) -> Result<(), Error> {
    env.services.end_mandate(&by.admin.admin_of(&by.number).unwrap(), &env.ctx(), id).await
}

async fn act_under(
    env: &Env,
    by: &Firm,
    login_id: &str,
    id: &str,
    wanted: Vec<AssignmentInput>,
) -> Result<Vec<MandatedEService>, Error> {
    env.services.assign_under_mandate(&by.admin.admin_of(&by.number).unwrap(), &env.ctx(), login_id, id, wanted).await
}

/// A mandate from `a` to `b` for the codes, accepted, with `b`'s staff member acting on them.
async fn mandated(env: &Env, a: &Firm, b: &Firm, codes: &[&str], days: i64) -> MandateView {
    let m = offer(env, a, &b.number, codes, until_days(env, days)).await.unwrap();
    answer(env, b, &m.id, true).await.unwrap();
    let wanted = codes.iter().map(|c| AssignmentInput::plain(*c)).collect();
    act_under(env, b, &b.staff_id, &m.id, wanted).await.unwrap();
    m
}

async fn mandates_of(env: &Env, who: &Firm) -> domain::mandates::MandateLists {
    env.services.mandates(&who.admin.overseer_of(&who.number).unwrap()).await.unwrap()
}

async fn audit(env: &Env, viewer: &Caller) -> Vec<(String, String, String)> {
    let o = viewer.overseer_of(viewer.entity_number()).unwrap();
    let rows = env.services.entity_audit(&o, 0, 1000).await.unwrap();
    rows.into_iter().map(|r| (r.action, r.result, r.detail)).collect()
}

/// The back-channel logouts waiting for delivery, as (e-service, sub), leased away.
async fn logouts(env: &Env) -> Vec<(String, String)> {
    let now = env.clock.now();
    let mut tx = env.store.write().await.unwrap();
    let leased = tx.lease_logouts(now, now.plus_secs(60), "test", 100).await.unwrap();
    tx.commit().await.unwrap();
    leased.into_iter().map(|l| (l.client_id, l.sub)).collect()
}

fn code_of(e: &Error) -> &'static str {
    match e {
        Error::Conflict { code, .. } | Error::Refused { code, .. } => code.as_str(),
        Error::NotFound => "not_found",
        other => panic!("expected a conflict, refusal or not found, got {other:?}"),
    }
}

both_backends!(r34_a_mandate_is_offered_accepted_acted_under_and_ended_at_once, |env: Env| async move {
    let op = env.operator().await;
    let (tax_secret, _) = catalogue(&env, &op).await;
    let a = firm(&env, &op, "R34-A1", 1).await;
    let b = firm(&env, &op, "R34-B1", 2).await;
    let until = until_days(&env, 365);
    let m = offer(&env, &a, &b.number, &[TAX, SSF], until).await.unwrap();
    assert_eq!(
        (m.status, m.valid_until, m.eservices.clone()),
        (MandateStatus::Offered, until, vec![SSF.into(), TAX.into()])
    );
    // Both sides see it; the receiving side's administrators are told.
    assert_eq!(mandates_of(&env, &a).await.given[0].id, m.id);
    assert_eq!(mandates_of(&env, &b).await.received[0].id, m.id);
    assert_eq!(
        env.services.my_notifications(&b.admin).await.unwrap().iter().filter(|n| n.kind == "mandate_offered").count(),
        1
    );

    // An offer grants nothing, and no login acts under it before it is accepted.
    assert!(matches!(authorize_for(&env, &b.staff, TAX, &a.number).await, Outcome::Denied(Denial::NotMandated)));
    let early = err(act_under(&env, &b, &b.staff_id, &m.id, vec![TAX.into()]).await);
    assert_eq!(code_of(&early), "mandate_not_active");
    // Only the receiver answers; the giver does not accept its own offer.
    assert_eq!(code_of(&err(answer(&env, &a, &m.id, true).await)), "not_found");
    assert_eq!(answer(&env, &b, &m.id, true).await.unwrap().status, MandateStatus::Active);
    assert_eq!(code_of(&err(answer(&env, &b, &m.id, true).await)), "already_decided");

    // Accepted: B assigns its staff member to one of the two; a login with only that one
    // choice never sees the chooser and signs in for A straight away.
    let got = act_under(&env, &b, &b.staff_id, &m.id, vec![TAX.into()]).await.unwrap();
    assert_eq!((got[0].code.as_str(), got[0].status), (TAX, AssignmentStatus::Active));
    let issued = redeem(&env, TAX, &tax_secret, authorize(&env, &b.staff, TAX).await).await;
    let id = issued.id_token.clone().unwrap();
    let act = Some(Act { entity_number: b.number.clone(), sub: b.staff_id.clone() });
    assert_eq!(
        (id.entity_number.as_str(), id.act.clone(), id.sub.as_str()),
        (a.number.as_str(), act.clone(), b.staff_id.as_str())
    );
    assert_eq!(id.until, Some(until), "no token outlives the mandate");
    let info = env.services.userinfo(&issued.access_token).await.unwrap();
    assert_eq!((info.entity_number.as_str(), info.act.clone()), (a.number.as_str(), act.clone()));
    let c = env.services.authenticate_client(TAX, &tax_secret).await.unwrap();
    let seen = env.services.introspect(&c, &issued.access_token).await.unwrap().unwrap().claims.unwrap();
    assert_eq!((seen.entity_number.as_str(), seen.act.clone()), (a.number.as_str(), act));
    // The e-service the mandate names but the login was not assigned: refused.
    assert!(matches!(
        authorize_for(&env, &b.staff, SSF, &a.number).await,
        Outcome::Denied(Denial::NotActingUnderMandate)
    ));
    assert!(matches!(authorize(&env, &b.staff, SSF).await, Outcome::Denied(Denial::NotAssigned)));
    // A sees who acts for it, by name.
    let given = &mandates_of(&env, &a).await.given[0];
    assert_eq!(
        given.acting.iter().map(|x| (x.name.as_str(), x.eservice_code.as_str())).collect::<Vec<_>>(),
        [("Staff Person", TAX)]
    );

    // A ends it: the token, its refresh and a new sign-in are refused at once, with no sweep,
    // and the e-service is told by back-channel logout in the same transaction.
    end(&env, &a, &m.id).await.unwrap();
    let told = logouts(&env).await;
    assert_eq!(told, [(TAX.to_string(), b.staff_id.clone())], "one back-channel logout");
    assert!(!active(&env, TAX, &tax_secret, &issued.access_token).await);
    assert_eq!(oauth_code(env.services.userinfo(&issued.access_token).await), "invalid_token");
    let refresh = issued.refresh_token.unwrap();
    assert_eq!(oauth_code(env.services.refresh(&env.ctx(), &c, &refresh).await), "invalid_grant");
    assert!(matches!(authorize(&env, &b.staff, TAX).await, Outcome::Denied(Denial::NotAssigned)));
    assert!(matches!(authorize_for(&env, &b.staff, TAX, &a.number).await, Outcome::Denied(Denial::NotMandated)));
    assert_eq!(mandates_of(&env, &b).await.received[0].status, MandateStatus::Ended);
    assert_eq!(code_of(&err(end(&env, &b, &m.id).await)), "mandate_not_active");

    // The other side ends a new one just as well.
    let m2 = mandated(&env, &a, &b, &[TAX], 30).await;
    let again = redeem(&env, TAX, &tax_secret, authorize(&env, &b.staff, TAX).await).await;
    end(&env, &b, &m2.id).await.unwrap();
    assert!(!active(&env, TAX, &tax_secret, &again.access_token).await);

    // Both audits hold every step with both numbers.
    for viewer in [&a.admin, &b.admin] {
        let log = audit(&env, viewer).await;
        for action in [
            "mandate.offered",
            "mandate.accepted",
            "mandate.logins_assigned",
            "mandate.ended",
            "oidc.sign_in_authorized",
        ] {
            assert!(
                log.iter().any(|(act, r, d)| act == action
                    && r == "success"
                    && d.contains(&format!("for={}", a.number))
                    && d.contains(&format!("by={}", b.number))),
                "{action} in {}'s audit: {log:?}",
                viewer.entity_number()
            );
        }
    }
});

both_backends!(r34_a_declined_offer_grants_nothing_and_is_answered_once, |env: Env| async move {
    let op = env.operator().await;
    catalogue(&env, &op).await;
    let a = firm(&env, &op, "R34-A2", 3).await;
    let b = firm(&env, &op, "R34-B2", 4).await;
    let m = offer(&env, &a, &b.number, &[TAX], until_days(&env, 90)).await.unwrap();
    assert_eq!(answer(&env, &b, &m.id, false).await.unwrap().status, MandateStatus::Declined);
    assert_eq!(code_of(&err(answer(&env, &b, &m.id, true).await)), "already_decided");
    assert_eq!(code_of(&err(act_under(&env, &b, &b.staff_id, &m.id, vec![TAX.into()]).await)), "mandate_not_active");
    assert!(matches!(authorize_for(&env, &b.staff, TAX, &a.number).await, Outcome::Denied(Denial::NotMandated)));
    // Declined, it no longer blocks a new offer; an offer not yet answered can be withdrawn.
    let m2 = offer(&env, &a, &b.number, &[TAX], until_days(&env, 90)).await.unwrap();
    end(&env, &a, &m2.id).await.unwrap();
    assert_eq!(code_of(&err(answer(&env, &b, &m2.id, true).await)), "already_decided");
    let log = audit(&env, &a.admin).await;
    assert!(log.iter().any(|(act, _, d)| act == "mandate.declined" && d.contains(&format!("by={}", b.number))));
});

both_backends!(r34_a_mandate_ends_by_itself_at_its_end_after_notices_at_14_and_3_days, |env: Env| async move {
    let op = env.operator().await;
    let (tax_secret, _) = catalogue(&env, &op).await;
    let a = firm(&env, &op, "R34-A3", 5).await;
    let b = firm(&env, &op, "R34-B3", 6).await;
    let m = mandated(&env, &a, &b, &[TAX], 20).await;
    let notices = |who: Caller| {
        let env = &env;
        async move {
            env.services.my_notifications(&who).await.unwrap().iter().filter(|n| n.kind == "mandate_ending").count()
        }
    };
    env.clock.advance_secs(7 * DAY_SECS);
    let swept = env.services.sweep_access(100).await.unwrap();
    assert_eq!(swept.mandate_notices, 1);
    env.services.sweep_access(100).await.unwrap();
    assert_eq!(
        (notices(a.admin.clone()).await, notices(b.admin.clone()).await, notices(b.staff.clone()).await),
        (1, 1, 1),
        "once each"
    );
    env.clock.advance_secs(11 * DAY_SECS);
    env.services.sweep_access(100).await.unwrap();
    assert_eq!(notices(b.staff.clone()).await, 2, "and again at 3 days");

    // One second before the end a sign-in still works, its tokens capped at the end.
    let end_at = m.valid_until;
    env.clock.advance_secs(env.clock.now().secs_until(end_at) - 1);
    let issued = redeem(&env, TAX, &tax_secret, authorize(&env, &b.staff, TAX).await).await;
    assert!(issued.expires_in <= 1, "{}", issued.expires_in);
    // At the end: refused on the next request, before any sweep.
    env.clock.advance_secs(1);
    assert!(!active(&env, TAX, &tax_secret, &issued.access_token).await);
    assert!(matches!(authorize_for(&env, &b.staff, TAX, &a.number).await, Outcome::Denied(Denial::MandateEnded)));
    assert_eq!(mandates_of(&env, &a).await.given[0].status, MandateStatus::Ended);
    let swept = env.services.sweep_access(100).await.unwrap();
    assert_eq!(swept.mandates_ended, 1);
    assert_eq!(env.services.sweep_access(100).await.unwrap().mandates_ended, 0, "once");
    // An ended mandate leaves room for a new one between the same entities.
    let renewed = offer(&env, &a, &b.number, &[TAX], until_days(&env, 30)).await.unwrap();
    assert_eq!(renewed.status, MandateStatus::Offered);
    let statuses: Vec<_> = mandates_of(&env, &a).await.given.iter().map(|m| m.status).collect();
    assert_eq!(statuses, [MandateStatus::Offered, MandateStatus::Ended], "{statuses:?}");
});

both_backends!(r34_no_redelegation_and_a_mandate_never_grants_management, |env: Env| async move {
    let op = env.operator().await;
    let (tax_secret, _) = catalogue(&env, &op).await;
    let a = firm(&env, &op, "R34-A4", 7).await;
    let b = firm(&env, &op, "R34-B4", 8).await;
    let c = firm(&env, &op, "R34-C4", 9).await;
    mandated(&env, &a, &b, &[TAX], 100).await;
    // B gives C a mandate of its own for the same e-service: C acts for B, never for A.
    mandated(&env, &b, &c, &[TAX], 100).await;
    assert!(matches!(authorize_for(&env, &c.staff, TAX, &a.number).await, Outcome::Denied(Denial::NotMandated)));
    let for_b = redeem(&env, TAX, &tax_secret, authorize(&env, &c.staff, TAX).await).await;
    assert_eq!(for_b.id_token.unwrap().entity_number, b.number, "C's only choice is B");
    // B's staff acting for A manage nothing of A: A's data answers as if it did not exist.
    assert!(matches!(b.staff.admin_of(&a.number), Err(Error::NotFound)));
    assert!(matches!(b.admin.admin_of(&a.number), Err(Error::NotFound)));
    assert!(matches!(b.admin.overseer_of(&a.number), Err(Error::NotFound)));
    // A mandate A gave C is not B's to see, answer or end.
    let ac = offer(&env, &a, &c.number, &[TAX], until_days(&env, 50)).await.unwrap();
    assert_eq!(code_of(&err(end(&env, &b, &ac.id).await)), "not_found");
    assert_eq!(code_of(&err(answer(&env, &b, &ac.id, true).await)), "not_found");
    assert!(mandates_of(&env, &b).await.received.iter().all(|m| m.id != ac.id));
    // B cannot assign A's logins, nor its own logins under a mandate it gave.
    let bc = &mandates_of(&env, &b).await.given[0];
    assert_eq!(code_of(&err(act_under(&env, &b, &b.staff_id, &bc.id, vec![TAX.into()]).await)), "not_found");
    assert_eq!(
        code_of(&err(
            act_under(&env, &b, &a.staff_id, &mandates_of(&env, &b).await.received[0].id, vec![TAX.into()]).await
        )),
        "not_found"
    );
});

both_backends!(r34_bad_input_is_refused_by_field_and_changes_nothing, |env: Env| async move {
    let op = env.operator().await;
    catalogue(&env, &op).await;
    let a = firm(&env, &op, "R34-A5", 10).await;
    let b = firm(&env, &op, "R34-B5", 11).await;
    let year = until_days(&env, 365);
    let nobody = EntityNumber::from_sequence(987_654).as_str().to_string();
    let cases: Vec<(String, Vec<&str>, Timestamp, &str, &str)> = vec![
        (nobody, vec![TAX], year, "to_entity_number", "unknown_entity"),
        (a.number.clone(), vec![TAX], year, "to_entity_number", "own_entity"),
        ("1234".into(), vec![TAX], year, "to_entity_number", "invalid_format"),
        (b.number.clone(), vec![TAX], until_days(&env, 800), "valid_until", "end_too_far_ahead"),
        (b.number.clone(), vec![TAX], until_days(&env, -1), "valid_until", "end_in_past"),
        (b.number.clone(), vec![JOBS], year, "eservices[0]", "intermediaries_not_allowed"),
        (b.number.clone(), vec!["nope-svc"], year, "eservices[0]", "unknown_eservice"),
        (b.number.clone(), vec![TAX, TAX], year, "eservices[1]", "duplicate"),
        (b.number.clone(), vec![], year, "eservices", "required"),
    ];
    for (to, codes, until, field, code) in cases {
        let e = err(offer(&env, &a, &to, &codes, until).await);
        assert!(has_field(&e, field, code), "{field} {code}: {e:?}");
    }
    assert!(mandates_of(&env, &a).await.given.is_empty(), "nothing offered");
    assert!(mandates_of(&env, &b).await.received.is_empty());
    let refused = audit(&env, &a.admin)
        .await
        .into_iter()
        .filter(|(act, r, _)| act == "mandate.offered" && r != "success")
        .count();
    assert!(refused >= 9, "each refusal audited: {refused}");

    // Offered twice: the second is a conflict.
    let m = offer(&env, &a, &b.number, &[TAX], year).await.unwrap();
    assert_eq!(code_of(&err(offer(&env, &a, &b.number, &[SSF], year).await)), "mandate_exists");
    answer(&env, &b, &m.id, true).await.unwrap();
    // Assigning beyond the mandate's e-services or its end.
    let e = err(act_under(&env, &b, &b.staff_id, &m.id, vec![SSF.into()]).await);
    assert!(has_field(&e, "eservices[0]", "not_in_mandate"), "{e:?}");
    let late =
        AssignmentInput { code: TAX.into(), valid_from: None, valid_until: Some(until_days(&env, 400).rfc3339()) };
    let e = err(act_under(&env, &b, &b.staff_id, &m.id, vec![late]).await);
    assert!(has_field(&e, "eservices[0].valid_until", "beyond_mandate"), "{e:?}");
    let e = err(act_under(&env, &b, &b.staff_id, &m.id, vec![TAX.into(), TAX.into()]).await);
    assert!(has_field(&e, "eservices[1]", "duplicate"), "{e:?}");
    assert!(mandates_of(&env, &b).await.received[0].acting.is_empty(), "nothing assigned");
    // A mandate id that is no UUID, or nobody's, names nothing.
    assert_eq!(code_of(&err(answer(&env, &b, "not-a-uuid", true).await)), "not_found");
    assert_eq!(code_of(&err(end(&env, &b, &uuid::Uuid::new_v4().to_string()).await)), "not_found");
});

both_backends!(r35_the_chooser_lists_the_own_entity_and_each_mandator_and_acting_for_picks, |env: Env| async move {
    let op = env.operator().await;
    let (tax_secret, _) = catalogue(&env, &op).await;
    let a = firm(&env, &op, "R35-A1", 12).await;
    let c = firm(&env, &op, "R35-C1", 13).await;
    let d = firm(&env, &op, "R35-D1", 14).await;
    let b = firm(&env, &op, "R35-B1", 15).await;
    // Before any mandate, a login that may use the e-service itself sees no chooser.
    assign(&env, &b.admin, &b.staff_id, &[TAX]).await;
    let own = redeem(&env, TAX, &tax_secret, authorize(&env, &b.staff, TAX).await).await;
    let id = own.id_token.unwrap();
    assert_eq!((id.entity_number.as_str(), id.act), (b.number.as_str(), None));

    mandated(&env, &a, &b, &[TAX], 100).await;
    mandated(&env, &c, &b, &[TAX], 100).await;
    let Outcome::Choose(choices) = authorize(&env, &b.staff, TAX).await else { panic!("a chooser") };
    let listed: Vec<(&str, bool)> = choices.iter().map(|x| (x.entity_number.as_str(), x.own)).collect();
    let mut mandators = [a.number.as_str(), c.number.as_str()];
    mandators.sort();
    assert_eq!(listed, [(b.number.as_str(), true), (mandators[0], false), (mandators[1], false)]);
    // Each choice gives its claims.
    let for_c = redeem(&env, TAX, &tax_secret, authorize_for(&env, &b.staff, TAX, &c.number).await).await;
    let id = for_c.id_token.unwrap();
    assert_eq!((id.entity_number, id.act.map(|x| x.entity_number)), (c.number.clone(), Some(b.number.clone())));
    let for_own = redeem(&env, TAX, &tax_secret, authorize_for(&env, &b.staff, TAX, &b.number).await).await;
    assert_eq!(for_own.id_token.unwrap().act, None);
    // An entity that never mandated B is refused, and says why.
    assert!(matches!(authorize_for(&env, &b.staff, TAX, &d.number).await, Outcome::Denied(Denial::NotMandated)));
    // Another login of B, assigned nothing under the mandates, has nothing to choose.
    assert!(matches!(authorize(&env, &b.admin, TAX).await, Outcome::Denied(Denial::NotAssigned)));
    // The e-service that allows no intermediaries never offers a choice.
    assign(&env, &b.admin, &b.staff_id, &[TAX, JOBS]).await;
    assert!(matches!(authorize_for(&env, &b.staff, JOBS, &a.number).await, Outcome::Denied(Denial::NoIntermediaries)));
    assert!(matches!(authorize(&env, &b.staff, JOBS).await, Outcome::Code(_)));
});

both_backends!(
    r34_taking_a_login_off_a_mandate_or_deleting_it_ends_its_sign_ins_for_the_client,
    |env: Env| async move {
        let op = env.operator().await;
        let (tax_secret, _) = catalogue(&env, &op).await;
        let a = firm(&env, &op, "R34-A6", 16).await;
        let b = firm(&env, &op, "R34-B6", 17).await;
        let m = mandated(&env, &a, &b, &[TAX, SSF], 100).await;
        // Its own assignment ending does not end what it does for A, and the reverse.
        assign(&env, &b.admin, &b.staff_id, &[TAX]).await;
        let for_a = redeem(&env, TAX, &tax_secret, authorize_for(&env, &b.staff, TAX, &a.number).await).await;
        let for_b = redeem(&env, TAX, &tax_secret, authorize_for(&env, &b.staff, TAX, &b.number).await).await;
        assign(&env, &b.admin, &b.staff_id, &[]).await;
        assert!(active(&env, TAX, &tax_secret, &for_a.access_token).await);
        assert!(!active(&env, TAX, &tax_secret, &for_b.access_token).await);
        // Saving the same assignment under the mandate again keeps its sessions.
        act_under(&env, &b, &b.staff_id, &m.id, vec![TAX.into(), SSF.into()]).await.unwrap();
        assert!(active(&env, TAX, &tax_secret, &for_a.access_token).await, "unchanged, kept");
        act_under(&env, &b, &b.staff_id, &m.id, vec![SSF.into()]).await.unwrap();
        assert!(!active(&env, TAX, &tax_secret, &for_a.access_token).await, "taken off TAX under the mandate");
        // Deleting the login ends the rest.
        act_under(&env, &b, &b.staff_id, &m.id, vec![TAX.into()]).await.unwrap();
        let again = redeem(&env, TAX, &tax_secret, authorize(&env, &b.staff, TAX).await).await;
        env.services.delete_login(&b.admin.admin_of(&b.number).unwrap(), &env.ctx(), &b.staff_id).await.unwrap();
        assert!(!active(&env, TAX, &tax_secret, &again.access_token).await);
        assert!(mandates_of(&env, &a).await.given[0].acting.is_empty(), "a deleted login acts for nobody");
    }
);
