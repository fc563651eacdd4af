//! The public pages, driven like a browser over HTTP: activation of the entity account and of
//! an administrator, then sign-in (R10); the "need help" requests, which answer alike whether
//! or not the details match (R12); an application's progress (R7); and forms without their
//! CSRF value, which change nothing (R14). Bad input comes back with the typed values kept
//! (never a password or a code) and the error beside its field.

#[path = "support/oidc.rs"]
mod oidc_support;
mod support;

use std::time::Duration;

/// A posted form's fields.
type Form = Vec<(String, String)>;

use oidc_support::*;
use support::*;

fn f(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// The error beside `field`, as `macros.html` writes it.
fn error_beside(page: &Page, field: &str) -> bool {
    page.body.contains(&format!("id=\"{field}-error\""))
}

fn has_summary(page: &Page) -> bool {
    page.body.contains("id=\"error-summary\"")
}

/// Every row but the audit log's and the SMS outbox's (whose delivery state moves on its own).
async fn state_of(s: &Server) -> Vec<String> {
    s.snapshot().await.into_iter().filter(|r| !r.starts_with("audit_") && !r.starts_with("sms_outbox:")).collect()
}

/// Opens `path` in English and returns the page and its CSRF value.
async fn open(b: &mut Browser, path: &str) -> (Page, String) {
    let sep = if path.contains('?') { '&' } else { '?' };
    let page = b.get(&format!("{}{path}{sep}lang=en", b.base)).await;
    assert_eq!(page.status, 200, "{path}: {}", page.body);
    let csrf = hidden_inputs(&page.body).into_iter().find(|(n, _)| n == "csrf").map(|(_, v)| v).unwrap_or_default();
    (page, csrf)
}

async fn post(b: &mut Browser, path: &str, fields: &[(&str, &str)]) -> Page {
    let url = format!("{}{path}", b.base);
    b.post_form(&url, &f(fields)).await
}

/// The page's text with the HTML escapes undone (the templates escape `/` in links).
fn text(page: &Page) -> String {
    html_unescape(&page.body.replace("&#x2f;", "/"))
}

on_both_backends!(
    r10_the_entity_account_and_an_administrator_activate_from_the_pages_then_sign_in,
    |s: Server| async move {
        let op = s.operator_token().await;
        let app = application("WEB-R10-1", "+85366300000", &[("Admin", "passport", "P3000001", "66300001")]);
        let (app_no, entity) = s.approve(&op, app).await;
        let mut b = Browser::new(&s.base);

        // Both ways are offered; the administrator/staff one is the default.
        let (page, _) = open(&mut b, "/activate").await;
        assert!(
            page.body.contains("href=\"/activate?as=entity\"") && page.body.contains("href=\"/activate?as=login\"")
        );
        assert!(page.body.contains("name=\"entity_number\"") && !page.body.contains("name=\"application_number\""));
        for name in ["activation_code", "username", "password", "password_confirm"] {
            assert!(page.body.contains(&format!("name=\"{name}\"")), "the form has {name}");
        }
        assert!(page.body.contains("id=\"activate-submit\""));
        assert!(page.body.contains("At least 15 characters"), "the password hint gives the length");

        // The entity account: application number + the code sent to the entity's mobile.
        let (page, csrf) = open(&mut b, "/activate?as=entity").await;
        assert!(page.body.contains("name=\"application_number\"") && !page.body.contains("name=\"entity_number\""));
        let code = s.code_for("+85366300000", 1).await;
        let done = post(
            &mut b,
            "/activate",
            &[
                ("csrf", &csrf),
                ("as", "entity"),
                ("application_number", &app_no),
                ("activation_code", &code),
                ("username", "entity.web"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await;
        assert_eq!(done.status, 200, "{}", done.body);
        assert!(done.body.contains("id=\"activate-done\"") && done.body.contains("Entity account"), "{}", done.body);
        assert!(text(&done).contains("href=\"/login\""), "a link to sign in");

        // The administrator: entity number + its own code.
        let (_, csrf) = open(&mut b, "/activate?as=login").await;
        let code = s.code_for("+85366300001", 1).await;
        let done = post(
            &mut b,
            "/activate",
            &[
                ("csrf", &csrf),
                ("as", "login"),
                ("entity_number", &entity),
                ("activation_code", &code),
                ("username", "admin.web"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await;
        assert_eq!(done.status, 200, "{}", done.body);
        assert!(done.body.contains("Administrator") && done.body.contains(&entity));
        let to_login = format!("/login?entity_number={entity}");
        assert!(text(&done).contains(&format!("href=\"{to_login}\"")), "the sign-in link names the entity");

        // Sign-in through the page works for both, with the entity number filled in.
        let (page, csrf) = open(&mut b, &to_login).await;
        assert!(page.body.contains(&format!("value=\"{entity}\"")), "the entity number is filled in");
        let signed = post(
            &mut b,
            "/login",
            &[("csrf", &csrf), ("entity_number", &entity), ("username", "admin.web"), ("password", PASSWORD)],
        )
        .await;
        assert_eq!((signed.status, signed.location.as_deref()), (303, Some("/admin/staff")), "{}", signed.body);
        let mut other = Browser::new(&s.base);
        let (_, csrf) = open(&mut other, "/login").await;
        let signed = post(
            &mut other,
            "/login",
            &[("csrf", &csrf), ("entity_number", &entity), ("username", "entity.web"), ("password", PASSWORD)],
        )
        .await;
        assert_eq!((signed.status, signed.location.as_deref()), (303, Some("/account")), "{}", signed.body);

        // A used code does not work twice.
        let (_, csrf) = open(&mut b, "/activate?as=login").await;
        let again = post(
            &mut b,
            "/activate",
            &[
                ("csrf", &csrf),
                ("as", "login"),
                ("entity_number", &entity),
                ("activation_code", &code),
                ("username", "admin.two"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await;
        assert_eq!(again.status, 422);
        assert!(error_beside(&again, "activation_code"));
    }
);

on_both_backends!(r10_bad_activation_input_comes_back_beside_its_field_with_the_values_kept, |s: Server| async move {
    let op = s.operator_token().await;
    let app = application("WEB-R10-2", "+85366310000", &[("Admin", "passport", "P3100001", "66310001")]);
    let (_, entity) = s.approve(&op, app).await;
    let code = s.code_for("+85366310001", 1).await;
    let unknown = domain::numbers::EntityNumber::from_sequence(888_888).as_str().to_string();
    let mut b = Browser::new(&s.base);
    let (_, csrf) = open(&mut b, "/activate").await;
    let before = state_of(&s).await;

    let form = |number: &str, code: &str, username: &str, password: &str, confirm: &str| {
        f(&[
            ("csrf", &csrf),
            ("as", "login"),
            ("entity_number", number),
            ("activation_code", code),
            ("username", username),
            ("password", password),
            ("password_confirm", confirm),
        ])
    };
    let long_username = "u".repeat(40);
    // (what, the form, the field the error stands beside, its English message)
    let cases: Vec<(&str, Form, &str, &str)> = vec![
        ("empty entity number", form("", &code, "kept.name", PASSWORD, PASSWORD), "entity_number", "Required."),
        (
            "passwords differ",
            form(&entity, &code, "kept.name", PASSWORD, "correct horse battery stapler"),
            "password_confirm",
            "The two passwords differ.",
        ),
        ("confirmation missing", form(&entity, &code, "kept.name", PASSWORD, ""), "password_confirm", "Required."),
        ("malformed entity number", form("1234", &code, "kept.name", PASSWORD, PASSWORD), "entity_number", ""),
        ("unknown entity number", form(&unknown, &code, "kept.name", PASSWORD, PASSWORD), "activation_code", ""),
        (
            "short password",
            form(&entity, &code, "kept.name", "short one", "short one"),
            "password",
            "at least 15 characters",
        ),
        ("long username", form(&entity, &code, &long_username, PASSWORD, PASSWORD), "username", ""),
    ];
    let url = format!("{}/activate", s.base);
    for (what, fields, field, message) in cases {
        let page = b.post_form(&url, &fields).await;
        assert_eq!(page.status, 422, "{what}: {}", page.body);
        assert!(error_beside(&page, field), "{what}: the error is beside {field}: {}", page.body);
        assert!(has_summary(&page), "{what}: and summarised at the top");
        assert!(page.body.contains(message), "{what}: {message}");
        let typed_username = fields.iter().find(|(k, _)| k == "username").unwrap().1.clone();
        assert!(page.body.contains(&format!("value=\"{typed_username}\"")), "{what}: the username is kept");
        let typed_number = fields.iter().find(|(k, _)| k == "entity_number").unwrap().1.clone();
        if !typed_number.is_empty() {
            assert!(page.body.contains(&format!("value=\"{typed_number}\"")), "{what}: the number is kept");
        }
        assert!(!page.body.contains(PASSWORD) && !page.body.contains("short one"), "{what}: no password comes back");
        assert!(!page.body.contains(&code), "{what}: the code does not come back");
    }
    let page = b.post_form(&url, &form("1234", &code, "", PASSWORD, PASSWORD)).await;
    assert_eq!(page.status, 422);
    assert!(error_beside(&page, "username") && error_beside(&page, "entity_number"), "every fault at once");
    assert_eq!(before, state_of(&s).await, "refused forms change nothing");

    // The entity account's way refuses an entity's number in place of the application's.
    let (_, csrf) = open(&mut b, "/activate?as=entity").await;
    let page = post(
        &mut b,
        "/activate",
        &[
            ("csrf", &csrf),
            ("as", "entity"),
            ("application_number", &entity),
            ("activation_code", &code),
            ("username", "kept.name"),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
        ],
    )
    .await;
    assert_eq!(page.status, 422);
    assert!(error_beside(&page, "application_number") && page.body.contains(&format!("value=\"{entity}\"")));
    assert!(page.body.contains("name=\"application_number\""), "the same way is shown again");

    // Nothing was used up: the right form still activates.
    let (_, csrf) = open(&mut b, "/activate").await;
    let ok = post(
        &mut b,
        "/activate",
        &[
            ("csrf", &csrf),
            ("as", "login"),
            ("entity_number", &entity),
            ("activation_code", &code),
            ("username", "kept.name"),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
        ],
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    s.login(&entity, "kept.name").await;
});

on_both_backends!(r12_resend_answers_alike_whether_or_not_the_details_match, |s: Server| async move {
    let op = s.operator_token().await;
    let app = application("WEB-R12-1", "+85366320000", &[("Admin", "passport", "P3200001", "66320001")]);
    let (_, entity) = s.approve(&op, app).await;
    let first = s.code_for("+85366320001", 1).await;
    let unknown = domain::numbers::EntityNumber::from_sequence(777_001).as_str().to_string();
    let mut b = Browser::new(&s.base);

    let (hub, _) = open(&mut b, "/help").await;
    for link in ["/help/resend", "/help/username", "/help/password"] {
        assert!(text(&hub).contains(&format!("href=\"{link}\"")), "the hub offers {link}");
    }
    let (page, csrf) = open(&mut b, "/help/resend").await;
    for name in ["entity_number", "id_document_number", "mobile"] {
        assert!(page.body.contains(&format!("name=\"{name}\"")), "the form has {name}");
    }
    assert!(page.body.contains("id=\"resend-submit\""));

    let tries = [
        ("matching", entity.as_str(), "P3200001", "6632 0001"),
        ("wrong document", entity.as_str(), "P9999999", "66320001"),
        ("wrong mobile", entity.as_str(), "P3200001", "66329999"),
        ("unknown entity", unknown.as_str(), "P3200001", "66320001"),
    ];
    let mut answers = Vec::new();
    for (what, number, doc, mobile) in tries {
        let page = post(
            &mut b,
            "/help/resend",
            &[("csrf", &csrf), ("entity_number", number), ("id_document_number", doc), ("mobile", mobile)],
        )
        .await;
        assert!(page.body.contains("id=\"help-sent\""), "{what}: {}", page.body);
        answers.push((what, page.status, page.body));
    }
    for (what, status, body) in &answers[1..] {
        assert_eq!((*status, body), (answers[0].1, &answers[0].2), "{what} answers like a match");
    }
    assert_eq!(answers[0].1, 200);

    // Only the match sent a code: the new one works, the old one is void (R9).
    let second = s.code_for("+85366320001", 2).await;
    assert_ne!(first, second);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let sent = s.sms().into_iter().filter(|m| m["to"] == "+85366320001").count();
    assert_eq!(sent, 2, "no other SMS went out");
    assert!(!s.sms().iter().any(|m| m["to"] == "+85366329999"), "nothing to a number that did not match");
    let (_, csrf2) = open(&mut b, "/activate").await;
    let activate = |code: &str| {
        f(&[
            ("csrf", &csrf2),
            ("as", "login"),
            ("entity_number", &entity),
            ("activation_code", code),
            ("username", "admin.r12"),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
        ])
    };
    let url = format!("{}/activate", s.base);
    assert_eq!(b.post_form(&url, &activate(&first)).await.status, 422, "the replaced code is void");
    assert_eq!(b.post_form(&url, &activate(&second)).await.status, 200, "the new code works");

    // Faults of the form itself (they say nothing about any login) come back beside the field.
    let page = post(
        &mut b,
        "/help/resend",
        &[("csrf", &csrf), ("entity_number", &entity), ("id_document_number", "P3200001"), ("mobile", "12345")],
    )
    .await;
    assert_eq!(page.status, 422);
    assert!(error_beside(&page, "mobile") && has_summary(&page));
    assert!(page.body.contains("value=\"12345\"") && page.body.contains("value=\"P3200001\""), "values kept");
    let page = post(
        &mut b,
        "/help/resend",
        &[("csrf", &csrf), ("entity_number", &entity), ("id_document_number", " "), ("mobile", "66320001")],
    )
    .await;
    assert_eq!(page.status, 422);
    assert!(error_beside(&page, "id_document_number") && page.body.contains("Required."));
    assert!(page.body.contains(&format!("value=\"{entity}\"")));
    let page = post(
        &mut b,
        "/help/resend",
        &[("csrf", &csrf), ("entity_number", ""), ("id_document_number", "P3200001"), ("mobile", "12345")],
    )
    .await;
    assert_eq!(page.status, 422);
    assert!(error_beside(&page, "entity_number") && error_beside(&page, "mobile"), "every fault at once");
});

on_both_backends!(r12_username_and_password_are_recovered_from_the_pages, |s: Server| async move {
    let op = s.operator_token().await;
    let app = application("WEB-R12-2", "+85366330000", &[("Admin", "passport", "P3300001", "66330001")]);
    let (_, entity) = s.approve(&op, app).await;
    s.activate("entity_number", &entity, "+85366330001", "admin.help").await;
    let mut b = Browser::new(&s.base);
    let details = |csrf: &str| {
        vec![
            ("csrf".to_string(), csrf.to_string()),
            ("entity_number".to_string(), entity.clone()),
            ("id_document_number".to_string(), "P3300001".to_string()),
            ("mobile".to_string(), "66330001".to_string()),
        ]
    };

    // The username, by SMS.
    let (page, csrf) = open(&mut b, "/help/username").await;
    assert!(page.body.contains("id=\"username-submit\""));
    let sent = b.post_form(&format!("{}/help/username", s.base), &details(&csrf)).await;
    assert_eq!(sent.status, 200);
    assert!(sent.body.contains("id=\"help-sent\""));
    eventually(20, "the username SMS", || {
        let found =
            s.sms().iter().any(|m| m["template"] == "username_reminder" && m["params"]["username"] == "admin.help");
        async move { found }
    })
    .await;

    // A reset code, by SMS; then the new password with it.
    let (page, csrf) = open(&mut b, "/help/password").await;
    assert!(page.body.contains("id=\"password-submit\""));
    let sent = b.post_form(&format!("{}/help/password", s.base), &details(&csrf)).await;
    assert_eq!(sent.status, 200);
    assert!(text(&sent).contains("href=\"/help/password/confirm\""));
    let reset_code = s.code_for("+85366330001", 2).await;

    let (page, csrf) = open(&mut b, &format!("/help/password/confirm?entity_number={entity}")).await;
    assert!(page.body.contains(&format!("value=\"{entity}\"")), "the entity number is filled in");
    for name in ["entity_number", "username", "reset_code", "password", "password_confirm"] {
        assert!(page.body.contains(&format!("name=\"{name}\"")), "the form has {name}");
    }
    let new_password = "a brand new sentence for the password";
    let reset = |code: &str, confirm: &str| {
        f(&[
            ("csrf", &csrf),
            ("entity_number", &entity),
            ("username", "admin.help"),
            ("reset_code", code),
            ("password", new_password),
            ("password_confirm", confirm),
        ])
    };
    let url = format!("{}/help/password/confirm", s.base);
    let before = state_of(&s).await;
    let page = b.post_form(&url, &reset(&reset_code, "a different sentence entirely")).await;
    assert_eq!(page.status, 422);
    assert!(error_beside(&page, "password_confirm") && page.body.contains("value=\"admin.help\""));
    assert!(!page.body.contains(&reset_code) && !page.body.contains(new_password), "no secret comes back");
    assert_eq!(before, state_of(&s).await, "a mismatch changes nothing");
    let page = b.post_form(&url, &reset("WXYZ0-12345", new_password)).await;
    assert_eq!(page.status, 422);
    assert!(error_beside(&page, "reset_code") && !page.body.contains("WXYZ0-12345"), "{}", page.body);
    let done = b.post_form(&url, &reset(&reset_code, new_password)).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("id=\"reset-done\""));
    assert!(text(&done).contains(&format!("href=\"/login?entity_number={entity}\"")));

    let (_, csrf) = open(&mut b, "/login").await;
    let old = post(
        &mut b,
        "/login",
        &[("csrf", &csrf), ("entity_number", &entity), ("username", "admin.help"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(old.status, 401, "the old password no longer works");
    let signed = post(
        &mut b,
        "/login",
        &[("csrf", &csrf), ("entity_number", &entity), ("username", "admin.help"), ("password", new_password)],
    )
    .await;
    assert_eq!((signed.status, signed.location.as_deref()), (303, Some("/admin/staff")));
});

on_both_backends!(r7_progress_shows_only_status_and_dates, |s: Server| async move {
    let op = s.operator_token().await;
    let app = application("WEB-R7-1", "+85366340000", &[("Admin", "passport", "P3400001", "66340001")]);
    let (st, body) = s.call("POST", "/counter/applications", Some(&op), Some(app)).await;
    assert_eq!(st, 201, "{body}");
    let app_no = body["application_number"].as_str().unwrap().to_string();
    let mut b = Browser::new(&s.base);

    let (page, csrf) = open(&mut b, "/applications/status").await;
    assert!(page.body.contains("name=\"application_number\"") && page.body.contains("name=\"registration_number\""));
    assert!(page.body.contains("id=\"progress-submit\"") && !page.body.contains("id=\"progress-result\""));
    let ask =
        |number: &str, reg: &str| f(&[("csrf", &csrf), ("application_number", number), ("registration_number", reg)]);
    let url = format!("{}/applications/status", s.base);
    let page = b.post_form(&url, &ask(&app_no, "WEB-R7-1")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("data-status=\"submitted\"") && page.body.contains(">Submitted<"), "{}", page.body);
    assert!(page.body.contains("id=\"progress-submitted-at\"") && page.body.contains("Not yet decided"));
    for private in ["Test Ltd", "澳門測試有限公司", "66340000", "P3400001", "陳大文"] {
        assert!(!page.body.contains(private), "the answer shows status and dates only, not {private}");
    }

    // An unknown application and a wrong registration number answer alike.
    let unknown = domain::numbers::ApplicationNumber::from_sequence(99_999).as_str().to_string();
    let wrong_reg = b.post_form(&url, &ask(&app_no, "WEB-R7-X")).await;
    let unknown_app = b.post_form(&url, &ask(&unknown, "WEB-R7-1")).await;
    for page in [&wrong_reg, &unknown_app] {
        assert_eq!(page.status, 404);
        assert!(page.body.contains("id=\"progress-not-found\"") && !page.body.contains("id=\"progress-result\""));
    }
    assert_eq!(
        wrong_reg.body.replace("WEB-R7-X", "").replace(&app_no, ""),
        unknown_app.body.replace("WEB-R7-1", "").replace(&unknown, ""),
        "one answer for both"
    );

    // Bad input.
    let page = b.post_form(&url, &ask("", "WEB-R7-1")).await;
    assert_eq!(page.status, 422);
    assert!(error_beside(&page, "application_number") && page.body.contains("value=\"WEB-R7-1\""));
    let page = b.post_form(&url, &ask("B123", "WEB-R7-1")).await;
    assert_eq!(page.status, 422);
    assert!(error_beside(&page, "application_number") && page.body.contains("value=\"B123\""));

    // Decided, by a link with both numbers.
    let (st, _) = s.call("POST", &format!("/counter/applications/{app_no}/approve"), Some(&op), None).await;
    assert_eq!(st, 200);
    let page = b
        .get(&format!("{}/applications/status?application_number={app_no}&registration_number=WEB-R7-1", s.base))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("data-status=\"approved\"") && page.body.contains("<time id=\"progress-decided-at\""));
});

on_both_backends!(r14_public_forms_without_their_csrf_value_change_nothing, |s: Server| async move {
    let op = s.operator_token().await;
    let app = application("WEB-R14-1", "+85366350000", &[("Admin", "passport", "P3500001", "66350001")]);
    let (_, entity) = s.approve(&op, app).await;
    let code = s.code_for("+85366350001", 1).await;
    let mut b = Browser::new(&s.base);
    let (_, csrf) = open(&mut b, "/activate").await;
    let activate = vec![
        ("as", "login"),
        ("entity_number", entity.as_str()),
        ("activation_code", code.as_str()),
        ("username", "admin.csrf"),
        ("password", PASSWORD),
        ("password_confirm", PASSWORD),
    ];
    let resend = vec![("entity_number", entity.as_str()), ("id_document_number", "P3500001"), ("mobile", "66350001")];
    let before = state_of(&s).await;
    let sms_before = s.sms().len();

    assert_eq!(post(&mut b, "/activate", &activate).await.status, 403);
    let mut forged = activate.clone();
    forged.push(("csrf", "not-our-token"));
    assert_eq!(post(&mut b, "/activate", &forged).await.status, 403);
    assert_eq!(post(&mut b, "/help/resend", &resend).await.status, 403);
    assert_eq!(post(&mut b, "/help/password", &resend).await.status, 403);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(before, state_of(&s).await, "nothing changed");
    assert_eq!(sms_before, s.sms().len(), "no SMS went out");

    // With its CSRF value the same form works.
    let mut with = activate.clone();
    with.push(("csrf", csrf.as_str()));
    assert_eq!(post(&mut b, "/activate", &with).await.status, 200);
});
