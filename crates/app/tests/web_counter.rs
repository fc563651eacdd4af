//! The counter back-office pages over HTTP (R1–R8, R19, R14): an operator signs in through
//! the page, registers applications with the form (bad input re-renders with what was typed
//! and each error beside its field), approves (SMS codes go out) and rejects, finds
//! entities, adds and restores administrators, and keeps the e-service catalogue. Nobody
//! else gets in; a form without its CSRF value changes nothing.

#[path = "support/oidc.rs"]
mod oidc_support;
mod support;

use oidc_support::*;
use support::*;

type Fields = Vec<(String, String)>;

fn f(pairs: &[(&str, &str)]) -> Fields {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn csrf_of(page: &Page) -> String {
    hidden_inputs(&page.body).into_iter().find(|(n, _)| n == "csrf").expect("a csrf field").1
}

fn set(fields: &mut Fields, name: &str, value: &str) {
    fields.retain(|(k, _)| k != name);
    fields.push((name.to_string(), value.to_string()));
}

fn unset(fields: &mut Fields, name: &str) {
    fields.retain(|(k, _)| k != name);
}

/// What the application form posts for a company with one legal representative (document
/// shown), the given administrators, and blank repeated blocks as a browser sends them.
fn application_form(reg: &str, mobile: &str, admins: &[(&str, &str, &str, &str)]) -> Fields {
    let mut out = f(&[
        ("entity.type", "company"),
        ("entity.name_zh", "櫃檯測試有限公司"),
        ("entity.name_pt", "Teste Balcão Limitada"),
        ("entity.name_en", "Counter Test Ltd"),
        ("entity.registration_number", reg),
        ("entity.mobile", mobile),
        ("representatives[0].name", "陳大文"),
        ("representatives[0].id_document.type", "macau_resident"),
        ("representatives[0].id_document.number", "5215299(8)"),
        ("representatives[0].document_shown", "on"),
    ]);
    for i in 1..3 {
        for field in ["name", "id_document.type", "id_document.number"] {
            out.push((format!("representatives[{i}].{field}"), String::new()));
        }
    }
    for field in
        ["proxy.name", "proxy.id_document.type", "proxy.id_document.number", "proxy.power_of_attorney.reference"]
    {
        out.push((field.to_string(), String::new()));
    }
    for i in 0..3 {
        let (name, kind, number, mobile) = admins.get(i).copied().unwrap_or(("", "", "", ""));
        out.push((format!("administrators[{i}].name"), name.into()));
        out.push((format!("administrators[{i}].id_document.type"), kind.into()));
        out.push((format!("administrators[{i}].id_document.number"), number.into()));
        out.push((format!("administrators[{i}].mobile"), mobile.into()));
    }
    out.push(("agreement_signed".into(), "on".into()));
    out
}

fn with_csrf(csrf: &str, fields: &Fields) -> Fields {
    let mut out = f(&[("csrf", csrf)]);
    out.extend(fields.iter().cloned());
    out
}

/// Signs the browser in as the test operator through the page; returns a CSRF value.
async fn sign_in(s: &Server, b: &mut Browser) -> String {
    let page = b.get(&format!("{}/counter/login", s.base)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("id=\"counter-login-submit\""));
    let csrf = csrf_of(&page);
    let ok = b
        .post_form(
            &format!("{}/counter/login", s.base),
            &f(&[("csrf", &csrf), ("username", OPERATOR), ("password", OPERATOR_PASSWORD)]),
        )
        .await;
    assert_eq!((ok.status, ok.location.as_deref()), (303, Some("/counter/applications")), "{}", ok.body);
    assert!(ok.set_cookies.iter().any(|c| c.starts_with("ea_counter=") && c.contains("HttpOnly")));
    csrf
}

/// Submits the form; returns the application number from the redirect.
async fn submit(s: &Server, b: &mut Browser, csrf: &str, fields: &Fields) -> String {
    let res = b.post_form(&format!("{}/counter/applications/new", s.base), &with_csrf(csrf, fields)).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let to = res.location.unwrap();
    let number = to
        .strip_prefix("/counter/applications/")
        .and_then(|r| r.strip_suffix("?done=submitted"))
        .unwrap_or_else(|| panic!("{to}"));
    number.to_string()
}

/// The text of `id="ID">…<`.
fn text_of(body: &str, id: &str) -> Option<String> {
    let marker = format!("id=\"{id}\">");
    let at = body.find(&marker)? + marker.len();
    Some(body[at..at + body[at..].find('<')?].to_string())
}

/// The database without its audit log (refused requests are audited, on purpose) and the
/// sessions' last-seen times (touched by any request).
async fn state(s: &Server) -> Vec<String> {
    s.snapshot().await.into_iter().filter(|r| !r.starts_with("audit_") && !r.starts_with("sessions:")).collect()
}

on_both_backends!(r1_r2_r3_the_counter_registers_applications_with_the_form, |s: Server| async move {
    let mut b = Browser::new(&s.base);
    // A wrong password: 401 and the page again, the password not echoed.
    let page = b.get(&format!("{}/counter/login", s.base)).await;
    let csrf = csrf_of(&page);
    let wrong = b
        .post_form(
            &format!("{}/counter/login", s.base),
            &f(&[("csrf", &csrf), ("username", OPERATOR), ("password", "not it at all, no")]),
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.body.contains("id=\"password-error\"") && !wrong.body.contains("not it at all"));
    assert!(wrong.body.contains(&format!("value=\"{OPERATOR}\"")), "the username is kept");
    let csrf = sign_in(&s, &mut b).await;

    let page = b.get(&format!("{}/counter/applications/new?lang=en", s.base)).await;
    assert_eq!(page.status, 200);
    for name in [
        "entity.type",
        "entity.name_zh",
        "entity.name_pt",
        "entity.name_en",
        "entity.registration_number",
        "entity.mobile",
        "representatives[0].name",
        "representatives[2].id_document.type",
        "representatives[1].id_document.number",
        "representatives[0].document_shown",
        "proxy.name",
        "proxy.id_document.type",
        "proxy.id_document.number",
        "proxy.document_shown",
        "proxy.power_of_attorney.notarised",
        "proxy.power_of_attorney.reference",
        "administrators[0].name",
        "administrators[2].id_document.type",
        "administrators[1].id_document.number",
        "administrators[2].mobile",
        "agreement_signed",
    ] {
        assert!(page.body.contains(&format!("name=\"{name}\"")), "the form has {name}");
    }
    assert!(page.body.contains("id=\"application-submit\""));

    // Bad input: re-rendered with what was typed and the error beside its field.
    let good = application_form("CRN-W1", "6612 3400", &[("Admin Chan", "passport", "K7654321", "66123401")]);
    let before = state(&s).await;
    let cases: Vec<(&str, Fields, &str, &str)> = vec![
        (
            "R2 document not shown",
            {
                let mut x = good.clone();
                unset(&mut x, "representatives[0].document_shown");
                x
            },
            "representatives[0].document_shown",
            "value=\"陳大文\"",
        ),
        (
            "R2 no administrator",
            {
                let mut x = good.clone();
                for field in ["name", "id_document.type", "id_document.number", "mobile"] {
                    set(&mut x, &format!("administrators[0].{field}"), "");
                }
                x
            },
            "administrators",
            "value=\"CRN-W1\"",
        ),
        (
            "R2 four administrators",
            {
                let mut x = application_form(
                    "CRN-W1",
                    "66123400",
                    &[
                        ("Admin One", "passport", "K1000001", "66123401"),
                        ("Admin Two", "passport", "K1000002", "66123402"),
                        ("Admin Three", "passport", "K1000003", "66123403"),
                    ],
                );
                set(&mut x, "administrators[3].name", "Admin Four");
                set(&mut x, "administrators[3].id_document.type", "passport");
                set(&mut x, "administrators[3].id_document.number", "K1000004");
                set(&mut x, "administrators[3].mobile", "66123404");
                x
            },
            "administrators",
            "value=\"Admin Four\"",
        ),
        (
            "R1 invalid mobile",
            {
                let mut x = application_form(
                    "CRN-W1",
                    "66123400",
                    &[("Admin One", "passport", "K1000001", "66123401"), ("Admin Two", "passport", "K1000002", "5512")],
                );
                set(&mut x, "administrators[1].mobile", "5512");
                x
            },
            "administrators[1].mobile",
            "value=\"5512\"",
        ),
        (
            "R1 empty name",
            {
                let mut x = good.clone();
                set(&mut x, "entity.name_zh", "");
                set(&mut x, "entity.name_pt", "");
                set(&mut x, "administrators[0].name", "");
                x
            },
            "entity.name_zh",
            "value=\"K7654321\"",
        ),
        (
            "R3 proxy without a notarised power of attorney",
            {
                let mut x = good.clone();
                set(&mut x, "proxy.name", "Lei Proxy");
                set(&mut x, "proxy.id_document.type", "passport");
                set(&mut x, "proxy.id_document.number", "P7777777");
                set(&mut x, "proxy.document_shown", "on");
                set(&mut x, "proxy.power_of_attorney.reference", "NOT-1");
                x
            },
            "proxy.power_of_attorney.notarised",
            "value=\"NOT-1\"",
        ),
    ];
    for (what, fields, field, kept) in cases {
        let res = b.post_form(&format!("{}/counter/applications/new", s.base), &with_csrf(&csrf, &fields)).await;
        assert_eq!(res.status, 422, "{what}: {}", res.body);
        assert!(
            res.body.contains(&format!("id=\"{field}-error\"")),
            "{what}: the error is beside {field}: {}",
            res.body
        );
        assert!(res.body.contains("id=\"error-summary\""), "{what}: and summarised");
        assert!(res.body.contains(kept), "{what}: typed values are kept ({kept})");
    }
    let res = b
        .post_form(
            &format!("{}/counter/applications/new", s.base),
            &with_csrf(&csrf, &{
                let mut x = good.clone();
                set(&mut x, "administrators[0].name", "");
                x
            }),
        )
        .await;
    assert!(res.body.contains("id=\"administrators[0].name-error\""), "an administrator's own field");
    assert_eq!(before, state(&s).await, "refused applications change nothing");

    // A good one, with a proxy, from a later block: blank blocks are ignored.
    let mut fields = good.clone();
    for field in ["name", "id_document.type", "id_document.number", "mobile"] {
        let v = fields.iter().find(|(k, _)| *k == format!("administrators[0].{field}")).unwrap().1.clone();
        set(&mut fields, &format!("administrators[0].{field}"), "");
        set(&mut fields, &format!("administrators[2].{field}"), &v);
    }
    set(&mut fields, "proxy.name", "Lei Proxy");
    set(&mut fields, "proxy.id_document.type", "passport");
    set(&mut fields, "proxy.id_document.number", "P7777777");
    set(&mut fields, "proxy.document_shown", "on");
    set(&mut fields, "proxy.power_of_attorney.notarised", "on");
    set(&mut fields, "proxy.power_of_attorney.reference", "NOT-2024-17");
    let number = submit(&s, &mut b, &csrf, &fields).await;
    let page = b.get(&format!("{}/counter/applications/{number}?lang=en", s.base)).await;
    assert_eq!(page.status, 200);
    assert_eq!(text_of(&page.body, "application-number").as_deref(), Some(number.as_str()));
    assert_eq!(text_of(&page.body, "application-status").as_deref(), Some("Submitted"));
    assert!(page.body.contains("NOT-2024-17") && page.body.contains("Lei Proxy") && page.body.contains("Admin Chan"));
    for secret in ["5215299", "7654321", "7777777", "66123401", "66123400"] {
        assert!(!page.body.contains(secret), "R27: {secret} is masked on the review page");
    }
    let (_, api) =
        s.call("GET", &format!("/counter/applications/{number}"), Some(&s.operator_token().await), None).await;
    assert_eq!(api["people"].as_array().unwrap().len(), 3, "representative, proxy, administrator: {api}");

    // The queue lists it, and filters by status.
    let queue = b.get(&format!("{}/counter/applications", s.base)).await;
    assert!(queue.body.contains(&format!("href=\"/counter/applications/{number}\"")));
    let submitted = b.get(&format!("{}/counter/applications?status=submitted", s.base)).await;
    assert!(submitted.body.contains(&number));
    let approved = b.get(&format!("{}/counter/applications?status=approved", s.base)).await;
    assert!(!approved.body.contains(&format!("/counter/applications/{number}\"")));
});

on_both_backends!(r4_r5_r6_the_counter_reviews_approves_and_rejects, |s: Server| async move {
    let mut b = Browser::new(&s.base);
    let csrf = sign_in(&s, &mut b).await;
    let one = submit(
        &s,
        &mut b,
        &csrf,
        &application_form("CRN-W2", "66200000", &[("Admin Ho", "passport", "K2000001", "66200001")]),
    )
    .await;
    let page = b.get(&format!("{}/counter/applications/{one}", s.base)).await;
    for id in ["start-review", "approve", "reject"] {
        assert!(page.body.contains(&format!("id=\"{id}\"")), "{id}");
    }
    let url = |n: &str, act: &str| format!("{}/counter/applications/{n}/{act}", s.base);
    let res = b.post_form(&url(&one, "review"), &f(&[("csrf", &csrf)])).await;
    assert_eq!(res.status, 303);
    let page = b.get(&format!("{}/counter/applications/{one}?lang=en", s.base)).await;
    assert_eq!(text_of(&page.body, "application-status").as_deref(), Some("Under review"));
    assert!(!page.body.contains("id=\"start-review\""));

    // R6: approval gives the entity number and sends each activation code.
    let res = b.post_form(&url(&one, "approve"), &f(&[("csrf", &csrf)])).await;
    assert_eq!(
        (res.status, res.location.as_deref()),
        (303, Some(format!("/counter/applications/{one}?done=approved").as_str()))
    );
    let page = b.get(&format!("{}/counter/applications/{one}?lang=en", s.base)).await;
    let entity = text_of(&page.body, "entity-number").expect("the entity number is shown");
    assert_eq!(entity.len(), 8, "{entity}");
    assert_eq!(text_of(&page.body, "application-status").as_deref(), Some("Approved"));
    assert!(!page.body.contains("id=\"approve\""), "decided: no more actions");
    let entity_code = s.code_for("+85366200000", 1).await;
    let admin_code = s.code_for("+85366200001", 1).await;
    assert_ne!(entity_code, admin_code);
    assert!(s.sms().iter().any(|m| m["params"]["entity_number"] == entity.as_str()));

    // Deciding twice is refused.
    let again = b.post_form(&url(&one, "approve"), &f(&[("csrf", &csrf)])).await;
    assert_eq!(again.status, 409, "{}", again.body);

    // R5: a second application for the same entity cannot be approved.
    let two = submit(
        &s,
        &mut b,
        &csrf,
        &application_form("crn w2", "66200010", &[("Admin Iao", "passport", "K2000011", "66200011")]),
    )
    .await;
    let before = state(&s).await;
    let dup = b.post_form(&url(&two, "approve"), &f(&[("csrf", &csrf)])).await;
    assert_eq!(dup.status, 409, "{}", dup.body);
    assert!(dup.body.contains("id=\"error-summary\""));
    assert_eq!(before, state(&s).await, "a refused approval changes nothing");

    // Rejection needs a reason; it is recorded and shown.
    let empty = b.post_form(&url(&two, "reject"), &f(&[("csrf", &csrf), ("reason", "  ")])).await;
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("id=\"reason-error\""));
    let res = b
        .post_form(&url(&two, "reject"), &f(&[("csrf", &csrf), ("reason", "The entity already holds an account.")]))
        .await;
    assert_eq!(res.status, 303);
    let page = b.get(&format!("{}/counter/applications/{two}?lang=en", s.base)).await;
    assert_eq!(text_of(&page.body, "application-status").as_deref(), Some("Rejected"));
    assert_eq!(text_of(&page.body, "reject-reason").as_deref(), Some("The entity already holds an account."));
    assert!(s.sms().iter().all(|m| m["to"] != "+85366200011"), "a rejected application sends no code");

    let missing = b.get(&format!("{}/counter/applications/A0000000", s.base)).await;
    assert_eq!(missing.status, 404);
});

on_both_backends!(r8_the_counter_adds_and_restores_administrators, |s: Server| async move {
    let op = s.operator_token().await;
    let app = application(
        "CRN-W3",
        "+85366300000",
        &[("Admin One", "passport", "K3000001", "66300001"), ("Admin Two", "passport", "K3000002", "66300002")],
    );
    let (app_no, entity) = s.approve(&op, app).await;
    let mut b = Browser::new(&s.base);
    let csrf = sign_in(&s, &mut b).await;

    // Lookup: by entity number, by registration number (as typed differently), unknown.
    let res = b.get(&format!("{}/counter/entities?entity_number={entity}", s.base)).await;
    assert_eq!((res.status, res.location.as_deref()), (303, Some(format!("/counter/entities/{entity}").as_str())));
    let res = b.get(&format!("{}/counter/entities?entity_number=&registration_number=crn-w3", s.base)).await;
    assert_eq!((res.status, res.location.as_deref()), (303, Some(format!("/counter/entities/{entity}").as_str())));
    let res = b.get(&format!("{}/counter/entities?entity_number=99999999", s.base)).await;
    assert_eq!(res.status, 404);
    assert!(res.body.contains("id=\"entity_number-error\"") && res.body.contains("value=\"99999999\""));
    let page = b.get(&format!("{}/counter/entities", s.base)).await;
    assert!(page.body.contains("id=\"lookup-submit\""));

    let page = b.get(&format!("{}/counter/entities/{entity}", s.base)).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Admin One") && page.body.contains("Admin Two"));
    assert_eq!(text_of(&page.body, "admin-count").as_deref(), Some("2 / 3"));
    for secret in ["3000001", "66300001"] {
        assert!(!page.body.contains(secret), "R27: {secret} is masked");
    }

    // A third administrator; a fourth is refused and changes nothing.
    let add = format!("{}/counter/entities/{entity}/administrators", s.base);
    let person = |name: &str, number: &str, mobile: &str| {
        f(&[
            ("csrf", &csrf),
            ("name", name),
            ("id_document.type", "passport"),
            ("id_document.number", number),
            ("mobile", mobile),
        ])
    };
    let bad = b.post_form(&add, &person("Admin Three", "K3000003", "12")).await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("id=\"mobile-error\"") && bad.body.contains("value=\"Admin Three\""));
    let res = b.post_form(&add, &person("Admin Three", "K3000003", "66300003")).await;
    assert_eq!(res.status, 303, "{}", res.body);
    s.code_for("+85366300003", 1).await;
    let before = state(&s).await;
    let fourth = b.post_form(&add, &person("Admin Four", "K3000004", "66300004")).await;
    assert_eq!(fourth.status, 409, "{}", fourth.body);
    assert!(fourth.body.contains("id=\"error-summary\"") && fourth.body.contains("value=\"Admin Four\""));
    assert_eq!(before, state(&s).await, "the fourth administrator was not added");

    // The entity account removes Admin One's rights; the counter restores them.
    s.activate("application_number", &app_no, "+85366300000", "company").await;
    let (account, _) = s.login(&entity, "company").await;
    let (_, view) = s.call("GET", &format!("/counter/entities/{entity}"), Some(&op), None).await;
    let id_of = |name: &str| {
        view["logins"].as_array().unwrap().iter().find(|l| l["name"] == name).unwrap()["login_id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let one = id_of("Admin One");
    let (st, body) =
        s.call("POST", &format!("/entities/{entity}/logins/{one}/remove-admin"), Some(&account), None).await;
    assert_eq!(st, 200, "{body}");
    let page = b.get(&format!("{}/counter/entities/{entity}", s.base)).await;
    assert!(page.body.contains(&format!("id=\"restore-admin-{one}\"")), "a removed administrator can be restored");
    assert_eq!(text_of(&page.body, "admin-count").as_deref(), Some("2 / 3"));
    let res = b
        .post_form(&format!("{}/counter/entities/{entity}/logins/{one}/restore-admin", s.base), &f(&[("csrf", &csrf)]))
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let (_, view) = s.call("GET", &format!("/counter/entities/{entity}"), Some(&op), None).await;
    let kind =
        view["logins"].as_array().unwrap().iter().find(|l| l["login_id"] == one.as_str()).unwrap()["kind"].clone();
    assert_eq!(kind, "admin");
    let page = b.get(&format!("{}/counter/entities/{entity}", s.base)).await;
    assert!(!page.body.contains(&format!("id=\"restore-admin-{one}\"")));
    assert_eq!(text_of(&page.body, "admin-count").as_deref(), Some("3 / 3"));

    // A login not yet activated gets a new activation code; an activated one has no button.
    let two = id_of("Admin Two");
    assert!(page.body.contains(&format!("id=\"reissue-{two}\"")));
    let res = b
        .post_form(
            &format!("{}/counter/entities/{entity}/logins/{two}/activation-code", s.base),
            &f(&[("csrf", &csrf)]),
        )
        .await;
    assert_eq!(res.status, 303);
    let first = s.code_for("+85366300002", 1).await;
    assert_ne!(first, s.code_for("+85366300002", 2).await);
    assert!(page.body.contains(&format!("href=\"/counter/eid?entity_number={entity}&amp;login_id={two}\"")));
});

on_both_backends!(r19_r21_the_counter_keeps_the_eservice_catalogue, |s: Server| async move {
    let op = s.operator_token().await;
    let (_, entity) =
        s.approve(&op, application("CRN-W4", "+85366400000", &[("Admin", "passport", "K4000001", "66400001")])).await;
    let mut b = Browser::new(&s.base);
    let csrf = sign_in(&s, &mut b).await;
    let page = b.get(&format!("{}/counter/eservices", s.base)).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("id=\"eservice-add-submit\""));
    let url = format!("{}/counter/eservices", s.base);
    let eservice = |code: &str| {
        f(&[
            ("csrf", &csrf),
            ("code", code),
            ("names.zh", "報稅"),
            ("names.pt", "Declarações fiscais"),
            ("names.en", "Tax returns"),
            ("department", "DSF"),
            ("assurance", "advanced"),
            ("requires_registration", "on"),
        ])
    };
    let bad = b.post_form(&url, &eservice("Tax Returns!")).await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("id=\"code-error\"") && bad.body.contains("value=\"Tax Returns!\""));
    assert!(bad.body.contains("value=\"Declarações fiscais\""));
    let res = b.post_form(&url, &eservice("tax-returns")).await;
    assert_eq!((res.status, res.location.as_deref()), (303, Some("/counter/eservices?done=added")));
    let page = b.get(&format!("{url}?lang=en")).await;
    assert!(page.body.contains("id=\"eservice-tax-returns\"") && page.body.contains("Tax returns"));
    let dup = b.post_form(&url, &eservice("tax-returns")).await;
    assert_eq!(dup.status, 409);
    assert!(dup.body.contains("id=\"code-error\""));

    // The entity registers with it at the counter.
    let page = b.get(&format!("{}/counter/entities/{entity}", s.base)).await;
    assert!(page.body.contains("<option value=\"tax-returns\""));
    let res = b
        .post_form(
            &format!("{}/counter/entities/{entity}/eservices", s.base),
            &f(&[("csrf", &csrf), ("eservice", "tax-returns")]),
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let page = b.get(&format!("{}/counter/entities/{entity}", s.base)).await;
    let registrations = &page.body[page.body.find("id=\"registrations\"").unwrap()..];
    assert!(registrations[..registrations.find("</ul>").unwrap()].contains("tax-returns"));
    let unknown = b
        .post_form(
            &format!("{}/counter/entities/{entity}/eservices", s.base),
            &f(&[("csrf", &csrf), ("eservice", "no-such")]),
        )
        .await;
    assert_eq!(unknown.status, 404);
    assert!(unknown.body.contains("id=\"eservice-error\""));
});

on_both_backends!(r14_counter_pages_are_for_signed_in_operators_and_their_own_forms, |s: Server| async move {
    let op = s.operator_token().await;
    let (app_no, entity) =
        s.approve(&op, application("CRN-W5", "+85366500000", &[("Admin", "passport", "K5000001", "66500001")])).await;
    let mut stranger = Browser::new(&s.base);
    let root = stranger.get(&format!("{}/counter", s.base)).await;
    assert_eq!((root.status, root.location.as_deref()), (303, Some("/counter/login")));
    for path in [
        "/counter/applications".to_string(),
        "/counter/applications/new".to_string(),
        format!("/counter/applications/{app_no}"),
        "/counter/entities".to_string(),
        format!("/counter/entities/{entity}"),
        "/counter/eservices".to_string(),
        "/counter/eid".to_string(),
    ] {
        let page = stranger.get(&format!("{}{path}", s.base)).await;
        assert_eq!(page.status, 303, "{path}");
        let to = page.location.unwrap();
        assert!(to.starts_with("/counter/login?next="), "{path} → {to}");
    }
    // A signed-in entity login is no operator either.
    s.activate("application_number", &app_no, "+85366500000", "company").await;
    let mut login = Browser::new(&s.base);
    let page = login.get(&format!("{}/login", s.base)).await;
    let csrf = csrf_of(&page);
    let res = login
        .post_form(
            &format!("{}/login", s.base),
            &f(&[("csrf", &csrf), ("entity_number", &entity), ("username", "company"), ("password", PASSWORD)]),
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let page = login.get(&format!("{}/counter/applications", s.base)).await;
    assert!(
        page.location.as_deref().unwrap_or("").starts_with("/counter/login"),
        "an entity login is sent to the counter's sign-in"
    );

    // A stranger's post with a valid form but no session: to sign in, nothing changed.
    let page = stranger.get(&format!("{}/counter/login", s.base)).await;
    let csrf = csrf_of(&page);
    let before = state(&s).await;
    let res = stranger
        .post_form(&format!("{}/counter/applications/{app_no}/reject", s.base), &f(&[("csrf", &csrf), ("reason", "x")]))
        .await;
    assert_eq!(res.status, 303);
    assert!(res.location.unwrap().starts_with("/counter/login"));
    assert_eq!(before, state(&s).await, "a post without an operator changes nothing");

    // `next` brings the operator back, and only to our own pages.
    let res = stranger
        .post_form(
            &format!("{}/counter/login", s.base),
            &f(&[
                ("csrf", &csrf),
                ("username", OPERATOR),
                ("password", OPERATOR_PASSWORD),
                ("next", "/counter/eservices"),
            ]),
        )
        .await;
    assert_eq!((res.status, res.location.as_deref()), (303, Some("/counter/eservices")));
    let mut other = Browser::new(&s.base);
    let page = other.get(&format!("{}/counter/login?next=//evil.example/", s.base)).await;
    assert!(!hidden_inputs(&page.body).iter().any(|(n, _)| n == "next"), "a foreign next is dropped");
    let res = other
        .post_form(
            &format!("{}/counter/login", s.base),
            &f(&[
                ("csrf", &csrf_of(&page)),
                ("username", OPERATOR),
                ("password", OPERATOR_PASSWORD),
                ("next", "https://evil.example/"),
            ]),
        )
        .await;
    assert_eq!((res.status, res.location.as_deref()), (303, Some("/counter/applications")));

    // The operator's posts without the CSRF value are refused and change nothing.
    let mut b = stranger;
    let csrf = csrf_of(&b.get(&format!("{}/counter/applications/new", s.base)).await);
    let before = state(&s).await;
    let application = application_form("CRN-W6", "66500010", &[("Admin X", "passport", "K5000011", "66500011")]);
    for (path, fields) in [
        ("/counter/applications/new".to_string(), application),
        (format!("/counter/applications/{app_no}/reject"), f(&[("reason", "no")])),
        (format!("/counter/applications/{app_no}/approve"), vec![]),
        (
            format!("/counter/entities/{entity}/administrators"),
            f(&[
                ("name", "X"),
                ("id_document.type", "passport"),
                ("id_document.number", "K5000012"),
                ("mobile", "66500012"),
            ]),
        ),
        (
            "/counter/eservices".to_string(),
            f(&[
                ("code", "no-csrf"),
                ("names.zh", "x"),
                ("names.pt", "x"),
                ("names.en", "x"),
                ("department", "x"),
                ("assurance", "basic"),
            ]),
        ),
        ("/counter/sign-out".to_string(), vec![]),
    ] {
        let res = b.post_form(&format!("{}{path}", s.base), &fields).await;
        assert_eq!(res.status, 403, "{path} without CSRF");
        let wrong = b.post_form(&format!("{}{path}", s.base), &with_csrf("forged", &fields)).await;
        assert_eq!(wrong.status, 403, "{path} with a forged CSRF value");
    }
    assert_eq!(before, state(&s).await, "refused posts change nothing");
    assert_eq!(b.get(&format!("{}/counter/applications", s.base)).await.status, 200, "still signed in");

    // Signing out ends the session: the old cookie no longer opens the pages.
    let old_cookie = b.jar.get("ea_counter").cloned().expect("the counter cookie");
    let res = b.post_form(&format!("{}/counter/sign-out", s.base), &f(&[("csrf", &csrf)])).await;
    assert_eq!((res.status, res.location.as_deref()), (303, Some("/counter/login?signed_out=1")));
    assert!(!b.jar.contains_key("ea_counter"));
    b.jar.insert("ea_counter".into(), old_cookie);
    let page = b.get(&format!("{}/counter/applications", s.base)).await;
    assert_eq!(page.status, 303, "the ended session is refused");
});
