//! Rules R15–R20: administrators create and delete staff logins, the entity account removes
//! administrator rights and only the counter restores them, an entity may be left without
//! administrators, e-service assignment needs the entity's registration where the e-service
//! says so, and one entity's logins never reach another entity's data.

mod support;
use domain::Code;
use support::*;

use domain::access::Caller;
use domain::eservice_form::EServiceInput;
use domain::model::{LoginKind, LoginStatus};
use domain::Error;

async fn live_logins(env: &Env, viewer: &Caller) -> Vec<(String, LoginKind, LoginStatus)> {
    env.services
        .list_logins(&viewer.overseer_of(viewer.entity_number()).unwrap())
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.login.id.to_string(), s.login.kind, s.login.status))
        .collect()
}

async fn eservice(env: &Env, op: &domain::access::Operator, code: &str, requires_registration: bool) {
    env.services
        .create_eservice(
            op,
            &env.ctx(),
            EServiceInput {
                code: code.into(),
                name_zh: "電子服務".into(),
                name_pt: "Serviço electrónico".into(),
                name_en: "E-service".into(),
                department: "DSAT".into(),
                assurance: "basic".into(),
                requires_registration,
                four_eyes: false,
                allows_intermediaries: false,
                review_days: None,
            },
        )
        .await
        .unwrap();
}

// ---------------------------------------------------------------------------------------
// R15

both_backends!(r15_admin_creates_staff_with_sms_code, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R15-CR-1", "61500001").await;
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    let before = env.outbox().await.len();
    // No counter involved: the administrator's own act.
    let id = env
        .services
        .create_staff(
            &admin.admin_of(&e.entity_number).unwrap(),
            &env.ctx(),
            person("Lei Siu Ling", "macau_resident", "7123456(1)", Some("+853 6150 0002"), true),
        )
        .await
        .unwrap();
    let out = env.outbox().await;
    assert_eq!(out.len(), before + 1, "one SMS, to the new person");
    let sms = out.last().unwrap();
    assert_eq!(sms.to, "+85361500002");
    assert_eq!(sms.template, "activation_code");
    assert_eq!(sms.param("entity_number"), Some(e.entity_number.as_str()));

    let logins = live_logins(&env, &admin).await;
    assert!(logins.contains(&(id.clone(), LoginKind::Staff, LoginStatus::Pending)));

    let code = sms.param("code").unwrap().to_string();
    assert_eq!(env.activate_staff(&e.entity_number, &code, "lei.sl").await, id);
    let s = env.sign_in(&e.entity_number, "lei.sl").await;
    assert_eq!(s.kind(), LoginKind::Staff);
    assert_eq!(s.login_id(), id);
    // Its record: name, document, mobile as given.
    let me = env.services.me(&s).await.unwrap();
    assert_eq!(me.login.name, "Lei Siu Ling");
    assert_eq!(me.login.mobile_mask, "+853 6•••••02");
    assert_eq!(me.login.id_number_mask.as_deref(), Some("7••••••(1)"));
});

both_backends!(r15_only_administrators_create_staff_and_details_are_checked, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R15-CK-1", "61500011").await;
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    let staff_caller = {
        staff(&env, &admin, "R15CK2", "61500012", "staff1").await;
        env.sign_in(&e.entity_number, "staff1").await
    };
    let account = env.sign_in(&e.entity_number, "entity").await;
    assert!(matches!(staff_caller.admin_of(&e.entity_number), Err(Error::Forbidden)));
    assert!(matches!(account.admin_of(&e.entity_number), Err(Error::Forbidden)));

    let a = admin.admin_of(&e.entity_number).unwrap();
    // A Macau mobile is required (the code goes there), and a valid document.
    let x = err(env
        .services
        .create_staff(&a, &env.ctx(), person("X", "passport", "R15CK3", Some("+852 9123 4567"), true))
        .await);
    assert!(has_field(&x, "mobile", "invalid_mobile"), "{x:?}");
    let x = err(env.services.create_staff(&a, &env.ctx(), person("X", "passport", "R15CK3", None, true)).await);
    assert!(has_field(&x, "mobile", "required"), "{x:?}");
    let x = err(env
        .services
        .create_staff(&a, &env.ctx(), person("X", "macau_resident", "2234567(8)", Some("61500013"), true))
        .await);
    assert!(has_field(&x, "id_document.number", "invalid_id_number"), "{x:?}");
    // One login per person per entity.
    let x = err(env
        .services
        .create_staff(&a, &env.ctx(), person("Same Person", "passport", "r15ck2", Some("61500014"), true))
        .await);
    assert!(matches!(x, Error::Conflict { code: Code::PersonHasLogin, .. }), "{x:?}");
});

/// Every page of `viewer`'s entity from `limit`-sized pages: (login id, e-services) per page.
async fn pages(env: &Env, viewer: &Caller, limit: i64) -> Vec<Vec<(String, Vec<String>)>> {
    let overseer = viewer.overseer_of(viewer.entity_number()).unwrap();
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = env.services.list_logins_page(&overseer, after.as_deref(), limit).await.unwrap();
        out.push(page.logins.into_iter().map(|s| (s.login.id.to_string(), s.eservices)).collect());
        match page.next {
            Some(next) => after = Some(next),
            None => return out,
        }
    }
}

both_backends!(r15_an_entitys_logins_are_listed_page_by_page_without_gaps_or_repeats, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R15-PG-1", "61500021").await;
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    let a = admin.admin_of(&e.entity_number).unwrap();
    eservice(&env, &op, "paging-svc", false).await;
    eservice(&env, &op, "paging-other", false).await;
    let mut staff_ids = Vec::new();
    for i in 0..8u32 {
        // Some share a creation instant, so the login id must break the tie.
        if i.is_multiple_of(3) {
            env.clock.advance_secs(1);
        }
        let p = person("Staff", "passport", &format!("R15PG{i}"), Some(&format!("6150003{i}")), true);
        staff_ids.push(env.services.create_staff(&a, &env.ctx(), p).await.unwrap());
    }
    env.services.assign_eservices(&a, &env.ctx(), &staff_ids[1], vec!["paging-svc".into()]).await.unwrap();
    env.services
        .assign_eservices(&a, &env.ctx(), &staff_ids[4], vec!["paging-svc".into(), "paging-other".into()])
        .await
        .unwrap();
    // A deleted login is in no page, as in the whole list.
    env.services.delete_login(&a, &env.ctx(), &staff_ids[6]).await.unwrap();

    let whole: Vec<(String, Vec<String>)> = env
        .services
        .list_logins(&admin.overseer_of(&e.entity_number).unwrap())
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.login.id.to_string(), s.eservices))
        .collect();
    // The entity account, admin1 and seven live staff: three full pages, the last one says so.
    assert_eq!(whole.len(), 9);
    let paged = pages(&env, &admin, 3).await;
    assert_eq!(paged.iter().map(Vec::len).collect::<Vec<_>>(), [3, 3, 3]);
    assert_eq!(paged.concat(), whole, "the pages, in order, are the whole list");
    assert!(whole.iter().all(|(id, _)| *id != staff_ids[6]));
    let of = |id: &str| whole.iter().find(|(l, _)| l == id).map(|(_, e)| e.clone()).unwrap();
    assert_eq!(of(&staff_ids[1]), ["paging-svc"]);
    assert_eq!(of(&staff_ids[4]), ["paging-other", "paging-svc"]);
    // Any size gives the same list; a last page that is not full ends it too.
    for limit in [1, 2, 4, 500] {
        assert_eq!(pages(&env, &admin, limit).await.concat(), whole, "limit {limit}");
    }
    assert_eq!(pages(&env, &admin, 4).await.len(), 3);
});

both_backends!(
    r15_a_page_is_asked_for_with_a_limit_of_1_to_500_and_a_cursor_of_a_previous_page,
    |env: Env| async move {
        let op = env.operator().await;
        let e = env.entity(&op, "R15-PG-2", "61500041").await;
        let admin = env.sign_in(&e.entity_number, "admin1").await;
        let viewer = admin.overseer_of(&e.entity_number).unwrap();
        for limit in [0, -1, 501] {
            let x = err(env.services.list_logins_page(&viewer, None, limit).await);
            assert!(has_field(&x, "limit", "invalid"), "{limit}: {x:?}");
        }
        for after in ["", "not base64!", "bm90IGEgY3Vyc29y", "MTIzOm5vdC1hLXV1aWQ"] {
            let x = err(env.services.list_logins_page(&viewer, Some(after), 10).await);
            assert!(has_field(&x, "after", "invalid"), "{after:?}: {x:?}");
        }
        let x = err(env.services.list_logins_page(&viewer, Some("?"), 0).await);
        assert!(has_field(&x, "after", "invalid") && has_field(&x, "limit", "invalid"), "both named: {x:?}");
        // The entity account sees the pages too; staff do not.
        let account = env.sign_in(&e.entity_number, "entity").await;
        assert_eq!(pages(&env, &account, 1).await.len(), 2);
        staff(&env, &admin, "R15PG2S", "61500042", "staff1").await;
        let st = env.sign_in(&e.entity_number, "staff1").await;
        assert!(matches!(st.overseer_of(&e.entity_number), Err(Error::Forbidden)));
    }
);

// ---------------------------------------------------------------------------------------
// R16

both_backends!(r16_admin_cannot_delete_self, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R16-SELF-1", "61600001").await;
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    let x =
        err(env.services.delete_login(&admin.admin_of(&e.entity_number).unwrap(), &env.ctx(), &e.admin_login_id).await);
    assert!(matches!(x, Error::Refused { code: Code::CannotDeleteSelf, .. }), "{x:?}");
    // Still there, still an administrator, still signed in.
    env.services.authenticate(&env.token(&e.entity_number, "admin1").await).await.unwrap();
    assert!(live_logins(&env, &admin).await.contains(&(
        e.admin_login_id.clone(),
        LoginKind::Admin,
        LoginStatus::Active
    )));
});

both_backends!(r16_admin_deletes_other_admin, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R16-OTH-1", "61600011").await;
    let admin2_id = counter_admin(&env, &op, &e.entity_number, "R16OTH2", "61600012", "admin2").await;
    let admin2 = env.sign_in(&e.entity_number, "admin2").await;
    let admin1_token = env.token(&e.entity_number, "admin1").await;
    // Administrator 2 deletes administrator 1.
    env.services
        .delete_login(&admin2.admin_of(&e.entity_number).unwrap(), &env.ctx(), &e.admin_login_id)
        .await
        .unwrap();
    let logins = live_logins(&env, &admin2).await;
    assert!(!logins.iter().any(|(id, _, _)| *id == e.admin_login_id));
    assert!(logins.iter().any(|(id, _, _)| *id == admin2_id));
    let x = err(env.services.authenticate(&admin1_token).await);
    assert!(matches!(x, Error::Unauthenticated), "{x:?}");
    let x = err(env
        .services
        .login(
            &env.ctx(),
            domain::sessions::LoginInput {
                entity_number: e.entity_number.clone(),
                username: "admin1".into(),
                password: PASSWORD.into(),
            },
        )
        .await);
    assert!(matches!(x, Error::InvalidCredentials), "{x:?}");
    // Deleting it again: it is gone.
    let x = err(env
        .services
        .delete_login(&admin2.admin_of(&e.entity_number).unwrap(), &env.ctx(), &e.admin_login_id)
        .await);
    assert!(matches!(x, Error::NotFound), "{x:?}");
});

both_backends!(r16_admin_deletes_staff_but_never_the_entity_account, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R16-ST-1", "61600021").await;
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    let s1 = staff(&env, &admin, "R16ST2", "61600022", "staff1").await;
    let s2 = staff(&env, &admin, "R16ST3", "61600023", "staff2").await;
    let staff2 = env.sign_in(&e.entity_number, "staff2").await;
    let a = admin.admin_of(&e.entity_number).unwrap();
    env.services.delete_login(&a, &env.ctx(), &s1).await.unwrap();
    assert!(!live_logins(&env, &admin).await.iter().any(|(id, _, _)| *id == s1));

    let account_id = live_logins(&env, &admin).await.into_iter().find(|(_, k, _)| *k == LoginKind::Entity).unwrap().0;
    let x = err(env.services.delete_login(&a, &env.ctx(), &account_id).await);
    assert!(matches!(x, Error::Refused { code: Code::CannotDeleteEntityAccount, .. }), "{x:?}");
    // Staff delete nothing.
    assert!(matches!(staff2.admin_of(&e.entity_number), Err(Error::Forbidden)));
    // The person of a deleted login can be given a new one.
    let again = staff(&env, &admin, "R16ST2", "61600022", "staff1").await;
    assert_ne!(again, s1);
    assert_ne!(again, s2);
});

// ---------------------------------------------------------------------------------------
// R17, R18

both_backends!(r17_entity_account_removes_admin_rights_and_only_counter_restores, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R17-RM-1", "61700001").await;
    let admin2_id = counter_admin(&env, &op, &e.entity_number, "R17RM2", "61700002", "admin2").await;
    let account = env.sign_in(&e.entity_number, "entity").await;
    let admin1 = env.sign_in(&e.entity_number, "admin1").await;

    // Administrators cannot remove rights; only the entity account can.
    assert!(matches!(admin1.entity_account_of(&e.entity_number), Err(Error::Forbidden)));
    let kind = env
        .services
        .remove_admin(&account.entity_account_of(&e.entity_number).unwrap(), &env.ctx(), &admin2_id)
        .await
        .unwrap();
    assert_eq!(kind, LoginKind::Staff);
    // The login stays, as an ordinary staff login.
    let logins = live_logins(&env, &account).await;
    assert!(logins.contains(&(admin2_id.clone(), LoginKind::Staff, LoginStatus::Active)));
    let demoted = env.sign_in(&e.entity_number, "admin2").await;
    assert_eq!(demoted.kind(), LoginKind::Staff);
    assert_eq!(demoted.login_id(), admin2_id);
    // Not an administrator any more: cannot remove again, cannot act as one.
    let x = err(env
        .services
        .remove_admin(&account.entity_account_of(&e.entity_number).unwrap(), &env.ctx(), &admin2_id)
        .await);
    assert!(matches!(x, Error::Conflict { code: Code::NotAnAdministrator, .. }), "{x:?}");
    assert!(matches!(demoted.admin_of(&e.entity_number), Err(Error::Forbidden)));

    // Only the counter restores; and only rights that were removed.
    let kind = env.services.restore_admin(&op, &env.ctx(), &e.entity_number, &admin2_id).await.unwrap();
    assert_eq!(kind, LoginKind::Admin);
    assert_eq!(env.sign_in(&e.entity_number, "admin2").await.kind(), LoginKind::Admin);
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    let s = staff(&env, &admin, "R17RM3", "61700003", "staff1").await;
    let x = err(env.services.restore_admin(&op, &env.ctx(), &e.entity_number, &s).await);
    assert!(matches!(x, Error::Conflict { code: Code::NotRemovedAdministrator, .. }), "{x:?}");
    let x = err(env.services.restore_admin(&op, &env.ctx(), &e.entity_number, &admin2_id).await);
    assert!(matches!(x, Error::Conflict { code: Code::NotRemovedAdministrator, .. }), "{x:?}");
});

both_backends!(r18_entity_without_administrator_manages_nothing_until_counter_restores, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R18-NA-1", "61800001").await;
    eservice(&env, &op, "r18-basic", false).await;
    let account = env.sign_in(&e.entity_number, "entity").await;
    env.services
        .remove_admin(&account.entity_account_of(&e.entity_number).unwrap(), &env.ctx(), &e.admin_login_id)
        .await
        .unwrap();

    // No administrator left: allowed, and nobody can manage logins.
    let logins = live_logins(&env, &account).await;
    assert!(!logins.iter().any(|(_, k, _)| *k == LoginKind::Admin));
    let former = env.sign_in(&e.entity_number, "admin1").await;
    assert!(matches!(former.admin_of(&e.entity_number), Err(Error::Forbidden)));
    assert!(matches!(account.admin_of(&e.entity_number), Err(Error::Forbidden)));
    // The entity account can still see its logins, but remove nothing more.
    let x = err(env
        .services
        .remove_admin(&account.entity_account_of(&e.entity_number).unwrap(), &env.ctx(), &e.admin_login_id)
        .await);
    assert!(matches!(x, Error::Conflict { code: Code::NotAnAdministrator, .. }), "{x:?}");

    // The counter restores; management works again.
    env.services.restore_admin(&op, &env.ctx(), &e.entity_number, &e.admin_login_id).await.unwrap();
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    let s = staff(&env, &admin, "R18NA2", "61800002", "staff1").await;
    env.services
        .assign_eservices(&admin.admin_of(&e.entity_number).unwrap(), &env.ctx(), &s, vec!["r18-basic".into()])
        .await
        .unwrap();
});

both_backends!(r18_counter_adds_administrator_to_entity_without_one, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R18-ADD-1", "61800011").await;
    let account = env.sign_in(&e.entity_number, "entity").await;
    env.services
        .remove_admin(&account.entity_account_of(&e.entity_number).unwrap(), &env.ctx(), &e.admin_login_id)
        .await
        .unwrap();
    counter_admin(&env, &op, &e.entity_number, "R18ADD2", "61800012", "newadmin").await;
    let admin = env.sign_in(&e.entity_number, "newadmin").await;
    assert_eq!(admin.kind(), LoginKind::Admin);
    staff(&env, &admin, "R18ADD3", "61800013", "staff1").await;
});

// ---------------------------------------------------------------------------------------
// R19

both_backends!(r19_assignment_requires_registration_when_eservice_says_so, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R19-REG-1", "61900001").await;
    eservice(&env, &op, "tax-returns", true).await;
    eservice(&env, &op, "parking", false).await;
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    let s = staff(&env, &admin, "R19REG2", "61900002", "staff1").await;
    let a = admin.admin_of(&e.entity_number).unwrap();

    let x = err(env.services.assign_eservices(&a, &env.ctx(), &s, vec!["parking".into(), "tax-returns".into()]).await);
    assert!(has_field(&x, "eservices[1]", "entity_not_registered"), "{x:?}");
    // All or nothing: "parking" was not assigned either.
    let staff_caller = env.sign_in(&e.entity_number, "staff1").await;
    assert!(env.services.me(&staff_caller).await.unwrap().eservices.is_empty());

    // One that does not require registration is assigned at once.
    let got = env.services.assign_eservices(&a, &env.ctx(), &s, vec!["parking".into()]).await.unwrap();
    assert_eq!(got.iter().map(|a| a.code.as_str()).collect::<Vec<_>>(), ["parking"]);

    // After the counter records the registration, the other can be assigned.
    env.services.register_entity_eservice(&op, &env.ctx(), &e.entity_number, "tax-returns").await.unwrap();
    let got =
        env.services.assign_eservices(&a, &env.ctx(), &s, vec!["tax-returns".into(), "parking".into()]).await.unwrap();
    assert_eq!(got.iter().map(|a| a.code.as_str()).collect::<Vec<_>>(), ["parking", "tax-returns"]);
    let mine: Vec<_> = env.services.me(&staff_caller).await.unwrap().eservices.into_iter().map(|e| e.code).collect();
    assert_eq!(mine, vec!["parking".to_string(), "tax-returns".to_string()]);

    // Registration is per entity: another entity still must register.
    let other = env.entity(&op, "R19-REG-2", "61900003").await;
    let other_admin = env.sign_in(&other.entity_number, "admin1").await;
    let x = err(env
        .services
        .assign_eservices(
            &other_admin.admin_of(&other.entity_number).unwrap(),
            &env.ctx(),
            &other.admin_login_id,
            vec!["tax-returns".into()],
        )
        .await);
    assert!(has_field(&x, "eservices[0]", "entity_not_registered"), "{x:?}");
});

both_backends!(r19_a_matrix_of_assignments_is_saved_whole_or_not_at_all, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R19-MX-1", "61900021").await;
    eservice(&env, &op, "mx-open", false).await;
    eservice(&env, &op, "mx-registered", true).await;
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    let s = staff(&env, &admin, "R19MX2", "61900022", "staff1").await;
    let a = admin.admin_of(&e.entity_number).unwrap();
    let me = e.admin_login_id.clone();

    // The second row needs a registration the entity lacks: the first row is not saved either.
    let rows = vec![(me.clone(), vec!["mx-open".to_string()]), (s.clone(), vec!["mx-registered".to_string()])];
    let x = err(env.services.assign_matrix(&a, &env.ctx(), rows).await);
    assert!(has_field(&x, &format!("eservices:{s}"), "entity_not_registered"), "{x:?}");
    assert!(env.services.me(&admin).await.unwrap().eservices.is_empty(), "the valid row was not saved alone");

    // A row for the entity account is refused beside its row.
    let account = env.sign_in(&e.entity_number, "entity").await;
    let rows = vec![(account.login_id().to_string(), vec!["mx-open".to_string()])];
    let x = err(env.services.assign_matrix(&a, &env.ctx(), rows).await);
    assert!(has_field(&x, &format!("eservices:{}", account.login_id()), "entity_account_has_no_eservices"), "{x:?}");

    // Valid rows are saved together.
    let rows = vec![(me.clone(), vec!["mx-open".to_string()]), (s.clone(), vec!["mx-open".to_string()])];
    env.services.assign_matrix(&a, &env.ctx(), rows).await.unwrap();
    let staff_caller = env.sign_in(&e.entity_number, "staff1").await;
    for who in [&admin, &staff_caller] {
        let mine: Vec<_> = env.services.me(who).await.unwrap().eservices.into_iter().map(|e| e.code).collect();
        assert_eq!(mine, vec!["mx-open".to_string()]);
    }

    // Another entity's login is not found (R20), and nothing is saved.
    let other = env.entity(&op, "R19-MX-3", "61900023").await;
    let rows = vec![(me.clone(), vec![]), (other.admin_login_id.clone(), vec!["mx-open".to_string()])];
    assert!(matches!(env.services.assign_matrix(&a, &env.ctx(), rows).await, Err(domain::Error::NotFound)));
    assert_eq!(env.services.me(&admin).await.unwrap().eservices.len(), 1, "the first row stayed as it was");
});

both_backends!(r19_admin_assigns_self_and_staff_but_staff_and_entity_account_cannot, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R19-AS-1", "61900011").await;
    eservice(&env, &op, "licensing", false).await;
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    let s = staff(&env, &admin, "R19AS2", "61900012", "staff1").await;
    let a = admin.admin_of(&e.entity_number).unwrap();
    // Themselves included.
    env.services.assign_eservices(&a, &env.ctx(), &e.admin_login_id, vec!["licensing".into()]).await.unwrap();
    assert_eq!(env.services.me(&admin).await.unwrap().eservices[0].code, "licensing");
    // Unknown e-service.
    let x = err(env.services.assign_eservices(&a, &env.ctx(), &s, vec!["no-such-thing".into()]).await);
    assert!(has_field(&x, "eservices[0]", "unknown_eservice"), "{x:?}");
    // The entity account uses no e-services.
    let account = env.sign_in(&e.entity_number, "entity").await;
    let x = err(env.services.assign_eservices(&a, &env.ctx(), account.login_id(), vec!["licensing".into()]).await);
    assert!(matches!(x, Error::Conflict { code: Code::EntityAccountHasNoEservices, .. }), "{x:?}");
    // Staff and the entity account cannot assign.
    let st = env.sign_in(&e.entity_number, "staff1").await;
    assert!(matches!(st.admin_of(&e.entity_number), Err(Error::Forbidden)));
    assert!(matches!(account.admin_of(&e.entity_number), Err(Error::Forbidden)));
    // Unassigning: an empty list.
    env.services.assign_eservices(&a, &env.ctx(), &e.admin_login_id, vec![]).await.unwrap();
    assert!(env.services.me(&admin).await.unwrap().eservices.is_empty());
    // Deleting a login removes its assignments.
    env.services.assign_eservices(&a, &env.ctx(), &s, vec!["licensing".into()]).await.unwrap();
    env.services.delete_login(&a, &env.ctx(), &s).await.unwrap();
    let listed = env.services.list_logins(&admin.overseer_of(&e.entity_number).unwrap()).await.unwrap();
    assert!(listed.iter().all(|l| l.eservices.is_empty()));
});

// ---------------------------------------------------------------------------------------
// R20

both_backends!(r20_other_entity_login_cannot_read_or_change, |env: Env| async move {
    let op = env.operator().await;
    let a = env.entity(&op, "R20-A", "62000001").await;
    let b = env.entity(&op, "R20-B", "62000002").await;
    eservice(&env, &op, "r20-svc", false).await;
    let admin_a = env.sign_in(&a.entity_number, "admin1").await;
    let account_a = env.sign_in(&a.entity_number, "entity").await;
    let admin_b = env.sign_in(&b.entity_number, "admin1").await;
    let staff_b = staff(&env, &admin_b, "R20B2", "62000003", "staff1").await;

    // Capabilities for another entity are refused as if it did not exist.
    for (who, c) in [("admin", &admin_a), ("entity account", &account_a)] {
        assert!(matches!(c.admin_of(&b.entity_number), Err(Error::NotFound)), "{who}");
        assert!(matches!(c.entity_account_of(&b.entity_number), Err(Error::NotFound)), "{who}");
        assert!(matches!(c.overseer_of(&b.entity_number), Err(Error::NotFound)), "{who}");
    }

    // Even with its own capability, B's login ids are unknown to A.
    let own = admin_a.admin_of(&a.entity_number).unwrap();
    for target in [&b.admin_login_id, &staff_b] {
        let x = err(env.services.delete_login(&own, &env.ctx(), target).await);
        assert!(matches!(x, Error::NotFound), "{x:?}");
        let x = err(env.services.assign_eservices(&own, &env.ctx(), target, vec!["r20-svc".into()]).await);
        assert!(matches!(x, Error::NotFound), "{x:?}");
    }
    let x = err(env
        .services
        .remove_admin(&account_a.entity_account_of(&a.entity_number).unwrap(), &env.ctx(), &b.admin_login_id)
        .await);
    assert!(matches!(x, Error::NotFound), "{x:?}");
    // The counter names the entity too: B's login under A's number is not found.
    let x = err(env.services.restore_admin(&op, &env.ctx(), &a.entity_number, &staff_b).await);
    assert!(matches!(x, Error::NotFound), "{x:?}");

    // Reads stay inside the entity.
    let listed_a = live_logins(&env, &admin_a).await;
    assert!(listed_a.iter().all(|(id, _, _)| *id != b.admin_login_id && *id != staff_b));
    assert_eq!(listed_a.len(), 2);
    let paged_a: Vec<String> = pages(&env, &admin_a, 1).await.concat().into_iter().map(|(id, _)| id).collect();
    assert_eq!(paged_a, listed_a.iter().map(|(id, _, _)| id.clone()).collect::<Vec<_>>());
    // A cursor from B's pages positions A's list; it never opens B's.
    let over_a = admin_a.overseer_of(&a.entity_number).unwrap();
    let over_b = admin_b.overseer_of(&b.entity_number).unwrap();
    let b_cursor = env.services.list_logins_page(&over_b, None, 1).await.unwrap().next.unwrap();
    let page = env.services.list_logins_page(&over_a, Some(&b_cursor), 500).await.unwrap();
    assert!(page.logins.iter().all(|s| listed_a.iter().any(|(id, _, _)| *id == s.login.id)), "only A's logins");
    let audit_a = env.services.entity_audit(&admin_a.overseer_of(&a.entity_number).unwrap(), 0, 500).await.unwrap();
    assert!(!audit_a.is_empty());
    let audit_b = env.services.entity_audit(&admin_b.overseer_of(&b.entity_number).unwrap(), 0, 500).await.unwrap();
    let a_seqs: std::collections::HashSet<_> = audit_a.iter().map(|r| r.seq).collect();
    assert!(audit_b.iter().all(|r| !a_seqs.contains(&r.seq)));
    assert!(audit_a.iter().all(|r| r.target.as_deref() != Some(staff_b.as_str())));

    // Nothing in B changed.
    let listed_b = live_logins(&env, &admin_b).await;
    assert!(listed_b.contains(&(b.admin_login_id.clone(), LoginKind::Admin, LoginStatus::Active)));
    assert!(listed_b.contains(&(staff_b.clone(), LoginKind::Staff, LoginStatus::Active)));
    let staff_b_caller = env.sign_in(&b.entity_number, "staff1").await;
    assert!(env.services.me(&staff_b_caller).await.unwrap().eservices.is_empty());
});

both_backends!(r16_an_administrator_deleted_meanwhile_cannot_act_on_an_earlier_check, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "RACE-1", "66880001").await;
    let code_mobile = "66880002";
    env.services
        .add_admin(&op, &env.ctx(), &e.entity_number, person("Second", "passport", "P8800002", Some(code_mobile), true))
        .await
        .unwrap();
    let code = env.last_code_for(&canonical(code_mobile)).await;
    env.activate_staff(&e.entity_number, &code, "admin2").await;
    let first = env.sign_in(&e.entity_number, "admin1").await;
    let second = env.sign_in(&e.entity_number, "admin2").await;
    // Both were checked as administrators; the second deletes the first.
    let first_rights = first.admin_of(&e.entity_number).unwrap();
    let second_rights = second.admin_of(&e.entity_number).unwrap();
    env.services.delete_login(&second_rights, &env.ctx(), first.login_id()).await.unwrap();
    // The first's request, checked before the deletion, lands after it: refused.
    let r = env.services.delete_login(&first_rights, &env.ctx(), second.login_id()).await;
    assert!(matches!(err(r), Error::Unauthenticated));
    let r = env
        .services
        .create_staff(&first_rights, &env.ctx(), person("X", "passport", "P8800003", Some("66880003"), true))
        .await;
    assert!(matches!(err(r), Error::Unauthenticated));
});

both_backends!(r14_a_deleted_pending_login_cannot_be_activated_with_its_code, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "RACE-2", "66880011").await;
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    let rights = admin.admin_of(&e.entity_number).unwrap();
    let id = env
        .services
        .create_staff(&rights, &env.ctx(), person("Pending", "passport", "P8800012", Some("66880012"), true))
        .await
        .unwrap();
    let code = env.last_code_for(&canonical("66880012")).await;
    env.services.delete_login(&rights, &env.ctx(), &id).await.unwrap();
    let r = env
        .services
        .activate(
            &env.ctx(),
            domain::activation::ActivateInput {
                application_number: None,
                entity_number: Some(e.entity_number.clone()),
                activation_code: code,
                username: "ghost".into(),
                password: PASSWORD.into(),
            },
        )
        .await;
    assert!(matches!(err(r), Error::InvalidCode));
});

both_backends!(r17_rights_removed_from_a_pending_administrator_stay_removed_after_activation, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "RACE-3", "66880021").await;
    let id = env
        .services
        .add_admin(&op, &env.ctx(), &e.entity_number, person("Later", "passport", "P8800022", Some("66880022"), true))
        .await
        .unwrap();
    let code = env.last_code_for(&canonical("66880022")).await;
    let account = env.sign_in(&e.entity_number, "entity").await;
    env.services.remove_admin(&account.entity_account_of(&e.entity_number).unwrap(), &env.ctx(), &id).await.unwrap();
    env.activate_staff(&e.entity_number, &code, "later").await;
    let later = env.sign_in(&e.entity_number, "later").await;
    assert_eq!(later.kind(), LoginKind::Staff);
    assert!(matches!(err(later.admin_of(&e.entity_number)), Error::Forbidden));
});
