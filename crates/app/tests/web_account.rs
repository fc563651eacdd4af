//! The signed-in pages of an entity's logins, driven over HTTP like a browser without
//! script: administrators create staff logins (R15), delete others but never themselves
//! (R16), assign e-services through the matrix (R19); the entity account removes
//! administrator rights (R17); every login sees its e-services, notifications, entity and
//! e-ID tools (R22, R25); another entity's login ids lead nowhere (R20); a form without its
//! CSRF value changes nothing (R14); every page is `Cache-Control: no-store`.

#[path = "support/oidc.rs"]
mod oidc_support;
mod support;

use oidc_support::*;
use serde_json::{json, Value};
use support::*;

fn f(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn csrf_of(page: &Page) -> String {
    hidden_inputs(&page.body).into_iter().find(|(n, _)| n == "csrf").expect("a csrf field").1
}

/// Signs `username` of `entity` in through `/login` (in English); returns the browser.
async fn sign_in(s: &Server, entity: &str, username: &str) -> Browser {
    let mut b = Browser::new(&s.base);
    let page = b.get(&format!("{}/login?lang=en", s.base)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let mut fields = hidden_inputs(&page.body);
    fields.extend(f(&[("entity_number", entity), ("username", username), ("password", PASSWORD)]));
    let res = b.post_form(&format!("{}/login", s.base), &fields).await;
    assert_eq!(res.status, 303, "sign-in as {username}: {}", res.body);
    b
}

/// GETs a page of ours and asserts it answers `status` with `Cache-Control: no-store`.
async fn open(b: &mut Browser, path: &str, status: u16) -> Page {
    let url = format!("{}{path}", b.base);
    let mut req = b.http.get(&url);
    let cookies = b.jar.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
    if !cookies.is_empty() {
        req = req.header("cookie", cookies);
    }
    let res = req.send().await.unwrap();
    assert_eq!(
        res.headers().get("cache-control").and_then(|v| v.to_str().ok()),
        Some("no-store"),
        "{path} is no-store"
    );
    let page = b.get(&url).await;
    assert_eq!(page.status, status, "GET {path}: {}", page.body);
    page
}

async fn post(b: &mut Browser, path: &str, fields: &[(String, String)]) -> Page {
    let url = format!("{}{path}", b.base);
    b.post_form(&url, fields).await
}

/// An e-service without OpenID Connect client (the matrix only needs the catalogue).
async fn eservice(s: &Server, op: &str, code: &str, requires_registration: bool) {
    let body = json!({
        "code": code, "names": {"zh": format!("{code} 服務"), "pt": format!("Serviço {code}"), "en": format!("Service {code}")},
        "department": "DSAL", "assurance": "basic", "requires_registration": requires_registration,
    });
    let (st, b) = s.call("POST", "/counter/eservices", Some(op), Some(body)).await;
    assert_eq!(st, 201, "{b}");
}

async fn logins_of(s: &Server, entity: &str, token: &str) -> Vec<Value> {
    let (st, b) = s.call("GET", &format!("/entities/{entity}/logins"), Some(token), None).await;
    assert_eq!(st, 200, "{b}");
    b["logins"].as_array().unwrap().clone()
}

fn sms_to(s: &Server, mobile: &str) -> usize {
    s.sms().iter().filter(|m| m["to"] == mobile).count()
}

on_both_backends!(r15_an_administrator_creates_a_staff_login_on_the_page, |s: Server| async move {
    let op = s.operator_token().await;
    let org = org(&s, &op).await;
    let mut admin = sign_in(&s, &org.entity, ADMIN_USER).await;

    let page = open(&mut admin, "/admin/staff", 200).await;
    assert!(page.body.contains(STAFF_NAME), "{}", page.body);
    assert!(page.body.contains("href=\"/admin/staff/new\""), "{}", page.body);
    let page = open(&mut admin, "/admin/staff/new", 200).await;
    for name in ["name", "id_document.type", "id_document.number", "mobile"] {
        assert!(page.body.contains(&format!("name=\"{name}\"")), "field {name}: {}", page.body);
    }
    assert!(page.body.contains("id=\"staff-new-submit\""), "{}", page.body);
    let csrf = csrf_of(&page);

    // Bad input: the page comes back with what was typed and each error beside its field.
    let long = "L".repeat(201);
    let bad = post(
        &mut admin,
        "/admin/staff/new",
        &f(&[
            ("csrf", &csrf),
            ("name", &long),
            ("id_document.type", "macau_resident"),
            ("id_document.number", "99-not-a-card"),
            ("mobile", "2812 3456"),
        ]),
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains(&format!("value=\"{long}\"")), "the name is kept: {}", bad.body);
    assert!(bad.body.contains("value=\"99-not-a-card\""), "the number is kept: {}", bad.body);
    assert!(bad.body.contains("value=\"2812 3456\""), "the mobile is kept: {}", bad.body);
    assert!(bad.body.contains("<option value=\"macau_resident\" selected>"), "the type is kept: {}", bad.body);
    assert!(bad.body.contains("id=\"name-error\""), "{}", bad.body);
    assert!(bad.body.contains("id=\"id_document.number-error\""), "{}", bad.body);
    assert!(bad.body.contains("id=\"mobile-error\""), "{}", bad.body);
    assert!(bad.body.contains("Too long."), "{}", bad.body);
    assert!(bad.body.contains("Enter a Macau mobile number"), "{}", bad.body);
    let empty = post(
        &mut admin,
        "/admin/staff/new",
        &f(&[("csrf", &csrf), ("name", " "), ("id_document.type", ""), ("id_document.number", ""), ("mobile", "")]),
    )
    .await;
    assert_eq!(empty.status, 422, "{}", empty.body);
    assert!(empty.body.contains("id=\"id_document.type-error\""), "{}", empty.body);
    assert!(empty.body.contains("Required."), "{}", empty.body);
    assert_eq!(sms_to(&s, "+85366100021"), 0, "no code for a refused form");

    // A good one: the login exists, the page says an SMS code went to the (masked) mobile.
    let ok = post(
        &mut admin,
        "/admin/staff/new",
        &f(&[
            ("csrf", &csrf),
            ("name", "Lee Siu Ming"),
            ("id_document.type", "passport"),
            ("id_document.number", "P1234567"),
            ("mobile", "6610 0021"),
        ]),
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    let to = ok.location.clone().unwrap();
    assert!(to.starts_with("/admin/staff?created="), "{to}");
    let done = open(&mut admin, &to, 200).await;
    assert!(done.body.contains("A staff login was created for Lee Siu Ming."), "{}", done.body);
    assert!(done.body.contains("+853 6•••••21"), "the masked mobile: {}", done.body);
    assert!(!done.body.contains("66100021"), "never the whole mobile: {}", done.body);
    let code = s.code_for("+85366100021", 1).await;
    assert!(!code.is_empty());
    let list = logins_of(&s, &org.entity, &org.admin_token).await;
    assert!(list.iter().any(|l| l["name"] == "Lee Siu Ming" && l["kind"] == "staff" && l["status"] == "pending"));

    // Search and paging: the query keeps only matching names.
    let found = open(&mut admin, "/admin/staff?q=siu", 200).await;
    assert!(found.body.contains("Lee Siu Ming") && !found.body.contains(STAFF_NAME), "{}", found.body);
    let none = open(&mut admin, "/admin/staff?q=nobody-here&page=9", 200).await;
    assert!(!none.body.contains("Lee Siu Ming"), "{}", none.body);
    // The entity's audit trail shows the creation.
    let audit = open(&mut admin, "/entity/audit", 200).await;
    assert!(audit.body.contains("login.created"), "{}", audit.body);
    assert!(!audit.body.contains("P1234567"), "no identity number in the audit page");
});

on_both_backends!(r19_an_administrator_assigns_e_services_through_the_matrix, |s: Server| async move {
    let op = s.operator_token().await;
    let org = org(&s, &op).await;
    eservice(&s, &op, "tax", false).await;
    eservice(&s, &op, "permits", true).await;
    let mut admin = sign_in(&s, &org.entity, ADMIN_USER).await;
    let mut staff = sign_in(&s, &org.entity, STAFF_USER).await;
    let before = open(&mut staff, "/my/eservices", 200).await;
    assert!(before.body.contains("No e-service is assigned to you yet"), "{}", before.body);

    let page = open(&mut admin, "/admin/assignments", 200).await;
    let staff_box = format!("name=\"eservices:{}\" value=\"tax\"", org.staff_id);
    assert!(page.body.contains(&staff_box), "{}", page.body);
    assert!(page.body.contains("id=\"assign-save\""), "{}", page.body);
    // The e-service that needs a registration the entity lacks: disabled, with the reason.
    let permits = format!("name=\"eservices:{}\" value=\"permits\" disabled", org.staff_id);
    assert!(page.body.contains(&permits), "{}", page.body);
    assert!(page.body.contains("The entity must first register with this e-service."), "{}", page.body);

    // Save the whole matrix with "tax" ticked for the staff login.
    let mut fields = hidden_inputs(&page.body);
    assert_eq!(fields.iter().filter(|(n, _)| n == "logins").count(), 2, "one row per login: {fields:?}");
    fields.push((format!("eservices:{}", org.staff_id), "tax".into()));
    let saved = post(&mut admin, "/admin/assignments", &fields).await;
    assert_eq!((saved.status, saved.location.as_deref()), (303, Some("/admin/assignments?saved=1")), "{}", saved.body);
    let page = open(&mut admin, "/admin/assignments?saved=1", 200).await;
    assert!(page.body.contains(&format!("{staff_box} checked")), "{}", page.body);
    assert!(page.body.contains("The assignments were saved."), "{}", page.body);

    // The staff member sees it, and was told.
    let mine = open(&mut staff, "/my/eservices", 200).await;
    // What is held is listed above the request form, whose choice lists what is not (R37).
    let held = mine.body.split("id=\"request-title\"").next().unwrap_or_default();
    assert!(held.contains("Service tax"), "{}", mine.body);
    assert!(!held.contains("Service permits"), "{}", mine.body);
    let inbox = open(&mut staff, "/my/notifications", 200).await;
    assert!(inbox.body.contains("You may now use: Service tax."), "{}", inbox.body);
    let zh = open(&mut staff, "/my/notifications?lang=zh-Hant", 200).await;
    assert!(zh.body.contains("你現可使用以下電子服務：tax 服務。"), "{}", zh.body);
    let pt = open(&mut staff, "/my/notifications?lang=pt", 200).await;
    assert!(pt.body.contains("Passou a poder usar: Serviço tax."), "{}", pt.body);
    let _ = open(&mut staff, "/my/eservices?lang=en", 200).await;

    // One row alone, forged to include the blocked e-service: refused beside the row, nothing saved.
    let page = open(&mut admin, "/admin/assignments", 200).await;
    let mut fields: Vec<(String, String)> = hidden_inputs(&page.body);
    fields.push(("row".into(), org.staff_id.clone()));
    fields.push((format!("eservices:{}", org.staff_id), "tax".into()));
    fields.push((format!("eservices:{}", org.staff_id), "permits".into()));
    let refused = post(&mut admin, "/admin/assignments", &fields).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("The entity is not registered with this e-service."), "{}", refused.body);
    let list = logins_of(&s, &org.entity, &org.admin_token).await;
    let row = list.iter().find(|l| l["login_id"] == org.staff_id.as_str()).unwrap();
    assert_eq!(row["eservices"], json!(["tax"]));

    // After the counter records the registration, the box is enabled and the row saves.
    register(&s, &op, &org.entity, "permits").await;
    let page = open(&mut admin, "/admin/assignments", 200).await;
    assert!(!page.body.contains(&permits), "{}", page.body);
    let ok = post(&mut admin, "/admin/assignments", &fields).await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    let list = logins_of(&s, &org.entity, &org.admin_token).await;
    let row = list.iter().find(|l| l["login_id"] == org.staff_id.as_str()).unwrap();
    assert_eq!(row["eservices"], json!(["permits", "tax"]));
});

/// What a browser posts from a page: its hidden fields and its ticked, enabled checkboxes
/// (a disabled box is never sent).
fn posted_by_browser(html: &str) -> Vec<(String, String)> {
    let mut out = hidden_inputs(html);
    let mut rest = html;
    while let Some(i) = rest.find("<input type=\"checkbox\"") {
        rest = &rest[i..];
        let tag = &rest[..rest.find('>').unwrap()];
        rest = &rest[tag.len()..];
        let attr = |name: &str| {
            let mark = format!(" {name}=\"");
            tag.find(&mark).map(|at| {
                let v = &tag[at + mark.len()..];
                v[..v.find('"').unwrap()].to_string()
            })
        };
        let flag = |name: &str| tag.split_whitespace().any(|w| w == name || w.starts_with(&format!("{name}=")));
        if flag("checked") && !flag("disabled") {
            out.push((attr("name").unwrap(), attr("value").unwrap()));
        }
    }
    out
}

on_both_backends!(
    r19_an_assignment_the_entity_lost_the_registration_for_is_never_dropped_silently,
    |s: Server| async move {
        let op = s.operator_token().await;
        let org = org(&s, &op).await;
        eservice(&s, &op, "tax", false).await;
        let permits = add_eservice(&s, &op, "permits", "DSAL", true, None).await;
        register(&s, &op, &org.entity, "permits").await;
        assign(&s, &org, &org.staff_id, &["permits", "tax"]).await;
        // The department unregisters the entity; the assignment stays (sign-ins are refused).
        let (st, b) = token(&s, &permits, &[("grant_type", "client_credentials")]).await;
        assert_eq!(st, 200, "{b}");
        let dsal = b["access_token"].as_str().unwrap().to_string();
        let (st, b) = s
            .call("DELETE", &format!("/department/eservices/permits/entities/{}", org.entity), Some(&dsal), None)
            .await;
        assert_eq!(st, 204, "{b}");
        let stored =
            |list: Vec<Value>, id: &str| list.iter().find(|l| l["login_id"] == id).unwrap()["eservices"].clone();

        // The staff row's box stays ticked and can be unticked; an unassigned blocked box is disabled.
        let mut admin = sign_in(&s, &org.entity, ADMIN_USER).await;
        let page = open(&mut admin, "/admin/assignments", 200).await;
        let staff_permits = format!("name=\"eservices:{}\" value=\"permits\" checked aria-describedby", org.staff_id);
        assert!(page.body.contains(&staff_permits), "{}", page.body);
        let admin_permits = format!("name=\"eservices:{}\" value=\"permits\" disabled", org.admin_id);
        assert!(page.body.contains(&admin_permits), "{}", page.body);

        // "Save all" with a change in another row: saved, and the staff row keeps both.
        let mut fields = posted_by_browser(&page.body);
        fields.push((format!("eservices:{}", org.admin_id), "tax".into()));
        let saved = post(&mut admin, "/admin/assignments", &fields).await;
        assert_eq!(
            (saved.status, saved.location.as_deref()),
            (303, Some("/admin/assignments?saved=1")),
            "{}",
            saved.body
        );
        let list = logins_of(&s, &org.entity, &org.admin_token).await;
        assert_eq!(stored(list.clone(), &org.staff_id), json!(["permits", "tax"]));
        assert_eq!(stored(list, &org.admin_id), json!(["tax"]));

        // The staff row's own button, untouched: nothing to save, no error.
        let page = open(&mut admin, "/admin/assignments", 200).await;
        let mut fields = posted_by_browser(&page.body);
        fields.push(("row".into(), org.staff_id.clone()));
        let same = post(&mut admin, "/admin/assignments", &fields).await;
        assert_eq!(same.status, 303, "{}", same.body);
        assert_eq!(
            stored(logins_of(&s, &org.entity, &org.admin_token).await, &org.staff_id),
            json!(["permits", "tax"])
        );

        // Unticking "tax" while keeping the blocked one: refused beside the row, nothing removed.
        let keep: Vec<(String, String)> = fields.iter().filter(|(_, v)| v != "tax").cloned().collect();
        let refused = post(&mut admin, "/admin/assignments", &keep).await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert!(refused.body.contains(&format!("id=\"eservices:{}-error\"", org.staff_id)), "{}", refused.body);
        assert!(refused.body.contains("The entity is not registered with this e-service."), "{}", refused.body);
        assert_eq!(
            stored(logins_of(&s, &org.entity, &org.admin_token).await, &org.staff_id),
            json!(["permits", "tax"])
        );

        // Unticking the blocked box itself is an explicit removal: saved.
        let untick: Vec<(String, String)> = fields.iter().filter(|(_, v)| v != "permits").cloned().collect();
        let removed = post(&mut admin, "/admin/assignments", &untick).await;
        assert_eq!(removed.status, 303, "{}", removed.body);
        assert_eq!(stored(logins_of(&s, &org.entity, &org.admin_token).await, &org.staff_id), json!(["tax"]));
        let page = open(&mut admin, "/admin/assignments", 200).await;
        assert!(page.body.contains(&format!("name=\"eservices:{}\" value=\"permits\" disabled", org.staff_id)));
    }
);

on_both_backends!(r16_an_administrator_deletes_others_but_never_themselves, |s: Server| async move {
    let op = s.operator_token().await;
    let org = org(&s, &op).await;
    let mut admin = sign_in(&s, &org.entity, ADMIN_USER).await;
    let mut staff = sign_in(&s, &org.entity, STAFF_USER).await;

    // Yourself: the page says why, and offers no button; a forced post is refused the same way.
    let page = open(&mut admin, "/admin/staff", 200).await;
    assert!(!page.body.contains(&format!("id=\"delete-{}\"", org.admin_id)), "{}", page.body);
    let me = open(&mut admin, &format!("/admin/logins/{}/delete", org.admin_id), 200).await;
    assert!(me.body.contains("You cannot delete your own login."), "{}", me.body);
    assert!(!me.body.contains("id=\"confirm\""), "{}", me.body);
    let forced =
        post(&mut admin, &format!("/admin/logins/{}/delete", org.admin_id), &f(&[("csrf", &csrf_of(&page))])).await;
    assert_eq!(forced.status, 403, "{}", forced.body);
    assert!(forced.body.contains("You cannot delete your own login."), "{}", forced.body);
    assert_eq!(logins_of(&s, &org.entity, &org.admin_token).await.len(), 3, "nothing deleted");

    // Someone else: confirm, and they are gone, their session with them.
    let confirm = open(&mut admin, &format!("/admin/logins/{}/delete", org.staff_id), 200).await;
    assert!(confirm.body.contains("id=\"confirm\""), "{}", confirm.body);
    assert!(confirm.body.contains(STAFF_NAME), "{}", confirm.body);
    let done = post(&mut admin, &format!("/admin/logins/{}/delete", org.staff_id), &hidden_inputs(&confirm.body)).await;
    assert_eq!((done.status, done.location.as_deref()), (303, Some("/admin/staff?deleted=1")), "{}", done.body);
    let page = open(&mut admin, "/admin/staff?deleted=1", 200).await;
    assert!(page.body.contains("The login was deleted"), "{}", page.body);
    assert!(!page.body.contains(STAFF_NAME), "{}", page.body);
    let gone = staff.get(&format!("{}/my/eservices", s.base)).await;
    assert_eq!(gone.status, 303, "{}", gone.body);
    assert!(gone.location.unwrap().starts_with("/login?next="));
    // A deleted login's page is no longer found.
    let _ = open(&mut admin, &format!("/admin/logins/{}/delete", org.staff_id), 404).await;
});

on_both_backends!(r17_the_entity_account_removes_administrator_rights, |s: Server| async move {
    let op = s.operator_token().await;
    let org = org(&s, &op).await;
    let mut account = sign_in(&s, &org.entity, ENTITY_USER).await;
    let mut admin = sign_in(&s, &org.entity, ADMIN_USER).await;
    let _ = open(&mut admin, "/admin/staff", 200).await;

    let overview = open(&mut account, "/account", 200).await;
    assert!(overview.body.contains(&org.entity), "{}", overview.body);
    assert!(overview.body.contains("Test Ltd"), "{}", overview.body);
    assert!(overview.body.contains("id=\"count-admins\">1<"), "{}", overview.body);
    let list = open(&mut account, "/account/logins", 200).await;
    assert!(list.body.contains(STAFF_NAME) && list.body.contains("Admin Chan"), "{}", list.body);
    for secret in ["K7654321", "E9876543", "66100011", "66100013"] {
        assert!(!list.body.contains(secret), "{secret} only masked: {}", list.body);
    }
    let link = format!("/account/logins/{}/remove-admin", org.admin_id);
    assert!(list.body.contains(&format!("href=\"{link}\"")), "{}", list.body);
    // A staff login has no rights to remove: no button.
    let staff_page = open(&mut account, &format!("/account/logins/{}/remove-admin", org.staff_id), 200).await;
    assert!(staff_page.body.contains("This login has no administrator rights."), "{}", staff_page.body);
    assert!(!staff_page.body.contains("id=\"confirm\""));

    // The confirmation says plainly that only the counter gives the rights back.
    let confirm = open(&mut account, &link, 200).await;
    assert!(confirm.body.contains("The entity account cannot give these rights back."), "{}", confirm.body);
    assert!(confirm.body.contains("Only the service counter can restore them"), "{}", confirm.body);
    let zh = open(&mut account, &format!("{link}?lang=zh-Hant"), 200).await;
    assert!(zh.body.contains("只可由實體向服務櫃檯申請恢復"), "{}", zh.body);
    let confirm = open(&mut account, &format!("{link}?lang=en"), 200).await;
    let done = post(&mut account, &link, &hidden_inputs(&confirm.body)).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let to = done.location.unwrap();
    assert!(to.starts_with("/account/logins?removed="), "{to}");
    let after = open(&mut account, &to, 200).await;
    assert!(after.body.contains("Administrator rights were removed from Admin Chan."), "{}", after.body);
    assert!(!after.body.contains(&format!("href=\"{link}\"")), "{}", after.body);

    // The removal ended the person's sessions: the next request goes to sign in; signed in
    // again, the login is staff and the administrators' pages answer 403.
    let next = admin.get(&format!("{}/admin/staff", s.base)).await;
    assert_eq!(next.status, 303, "{}", next.body);
    assert!(next.location.unwrap().starts_with("/login?next="));
    let mut again = sign_in(&s, &org.entity, ADMIN_USER).await;
    let _ = open(&mut again, "/admin/staff", 403).await;
    let who = open(&mut again, "/my/entity", 200).await;
    assert!(who.body.contains("id=\"my-kind\">Staff<"), "{}", who.body);
    let inbox = open(&mut again, "/my/notifications", 200).await;
    assert!(inbox.body.contains("The entity account removed your administrator rights."), "{}", inbox.body);

    // R18: no administrator left, and the overview says so.
    let overview = open(&mut account, "/account", 200).await;
    assert!(overview.body.contains("id=\"count-admins\">0<"), "{}", overview.body);
    assert!(overview.body.contains("The entity has no administrator at the moment"), "{}", overview.body);
    let audit = open(&mut account, "/entity/audit", 200).await;
    assert!(audit.body.contains("login.admin_rights_removed"), "{}", audit.body);
    assert!(audit.body.contains("Administrator rights removed"), "{}", audit.body);
});

on_both_backends!(r16_staff_and_the_entity_account_are_kept_to_their_own_pages, |s: Server| async move {
    let op = s.operator_token().await;
    let org = org(&s, &op).await;
    let mut staff = sign_in(&s, &org.entity, STAFF_USER).await;
    let page = open(&mut staff, "/my/eservices", 200).await;
    for path in [
        "/admin/staff".to_string(),
        "/admin/staff/new".to_string(),
        "/admin/assignments".to_string(),
        format!("/admin/logins/{}/delete", org.admin_id),
        "/account".to_string(),
        "/account/logins".to_string(),
        format!("/account/logins/{}/remove-admin", org.admin_id),
        "/entity/audit".to_string(),
    ] {
        let _ = open(&mut staff, &path, 403).await;
    }
    let before = s.snapshot().await;
    let csrf = csrf_of(&page);
    let forced = post(
        &mut staff,
        "/admin/staff/new",
        &f(&[
            ("csrf", &csrf),
            ("name", "Sneaky"),
            ("id_document.type", "passport"),
            ("id_document.number", "S1234567"),
            ("mobile", "66100099"),
        ]),
    )
    .await;
    assert_eq!(forced.status, 403, "{}", forced.body);
    let forced = post(&mut staff, &format!("/admin/logins/{}/delete", org.admin_id), &f(&[("csrf", &csrf)])).await;
    assert_eq!(forced.status, 403, "{}", forced.body);
    assert_eq!(s.snapshot().await, before, "refused posts change nothing");

    // The entity account cannot use the administrators' pages either; nobody signed in is sent to sign in.
    let mut account = sign_in(&s, &org.entity, ENTITY_USER).await;
    let _ = open(&mut account, "/admin/staff", 403).await;
    let _ = open(&mut account, "/admin/assignments", 403).await;
    let mine = open(&mut account, "/my/eservices", 200).await;
    assert!(mine.body.contains("does not use e-services"), "{}", mine.body);
    let mut nobody = Browser::new(&s.base);
    let out = nobody.get(&format!("{}/admin/staff", s.base)).await;
    assert_eq!((out.status, out.location.as_deref()), (303, Some("/login?next=%2Fadmin%2Fstaff")));
});

on_both_backends!(r20_another_entitys_login_ids_lead_nowhere, |s: Server| async move {
    let op = s.operator_token().await;
    let org = org(&s, &op).await;
    eservice(&s, &op, "tax", false).await;
    // A second entity with its own administrator.
    let app = application("CRN-90002", "+85366200010", &[("Admin Two", "passport", "K1111111", "66200011")]);
    let (app_no, other) = s.approve(&op, app).await;
    s.activate("application_number", &app_no, "+85366200010", "other.co").await;
    s.activate("entity_number", &other, "+85366200011", "admin.two").await;
    let (other_token, other_admin) = s.login(&other, "admin.two").await;

    let mut admin = sign_in(&s, &org.entity, ADMIN_USER).await;
    let mut account = sign_in(&s, &org.entity, ENTITY_USER).await;
    let page = open(&mut admin, "/admin/staff", 200).await;
    let csrf = csrf_of(&page);
    let _ = open(&mut admin, &format!("/admin/logins/{other_admin}/delete"), 404).await;
    let del = post(&mut admin, &format!("/admin/logins/{other_admin}/delete"), &f(&[("csrf", &csrf)])).await;
    assert_eq!(del.status, 404, "{}", del.body);
    let _ = open(&mut account, &format!("/account/logins/{other_admin}/remove-admin"), 404).await;
    let acsrf = csrf_of(&open(&mut account, "/account/logins", 200).await);
    let rem = post(&mut account, &format!("/account/logins/{other_admin}/remove-admin"), &f(&[("csrf", &acsrf)])).await;
    assert_eq!(rem.status, 404, "{}", rem.body);
    let key = format!("eservices:{other_admin}");
    let assign = post(
        &mut admin,
        "/admin/assignments",
        &f(&[("csrf", &csrf), ("logins", &other_admin), (&key, "tax"), ("row", &other_admin)]),
    )
    .await;
    assert_eq!(assign.status, 404, "{}", assign.body);
    assert!(assign.body.contains("No such record."), "{}", assign.body);
    // A path's entity number is never used: the other entity's pages are not reachable by URL either.
    let _ = open(&mut admin, &format!("/admin/logins/{other_admin}/delete?entity_number={other}"), 404).await;

    // The other entity is untouched.
    let theirs = logins_of(&s, &other, &other_token).await;
    let row = theirs.iter().find(|l| l["login_id"] == other_admin.as_str()).expect("still there");
    assert_eq!((row["kind"].as_str(), row["eservices"].clone()), (Some("admin"), json!([])));
    let page = open(&mut admin, "/admin/staff", 200).await;
    assert!(!page.body.contains("Admin Two"), "{}", page.body);
    let audit = open(&mut admin, "/entity/audit", 200).await;
    assert!(!audit.body.contains("Admin Two") && !audit.body.contains(&other_admin[..8]), "{}", audit.body);
});

on_both_backends!(r14_a_post_without_its_csrf_value_changes_nothing, |s: Server| async move {
    let op = s.operator_token().await;
    let org = org(&s, &op).await;
    let mut admin = sign_in(&s, &org.entity, ADMIN_USER).await;
    let mut account = sign_in(&s, &org.entity, ENTITY_USER).await;
    let _ = open(&mut admin, "/admin/staff/new", 200).await;
    let _ = open(&mut account, "/account/logins", 200).await;
    let before = s.snapshot().await;
    let person = [
        ("name", "No Token"),
        ("id_document.type", "passport"),
        ("id_document.number", "N1234567"),
        ("mobile", "66100077"),
    ];
    let r = post(&mut admin, "/admin/staff/new", &f(&person)).await;
    assert_eq!(r.status, 403, "{}", r.body);
    let mut wrong = f(&person);
    wrong.push(("csrf".into(), "not-our-token".into()));
    let r = post(&mut admin, "/admin/staff/new", &wrong).await;
    assert_eq!(r.status, 403, "{}", r.body);
    let r = post(&mut admin, &format!("/admin/logins/{}/delete", org.staff_id), &[]).await;
    assert_eq!(r.status, 403, "{}", r.body);
    let r = post(&mut account, &format!("/account/logins/{}/remove-admin", org.admin_id), &[]).await;
    assert_eq!(r.status, 403, "{}", r.body);
    let r = post(&mut admin, "/admin/assignments", &f(&[("logins", &org.staff_id)])).await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(s.snapshot().await, before, "nothing changed");
    assert_eq!(sms_to(&s, "+85366100077"), 0);
});

on_both_backends!(r22_a_person_switches_face_recognition_off_on_the_e_id_page, |s: Server| async move {
    let op = s.operator_token().await;
    let org = org(&s, &op).await;
    // A staff login registered with a Macau resident card: face recognition is on by default.
    let (st, b) = s
        .call(
            "POST",
            &format!("/entities/{}/logins", org.entity),
            Some(&org.admin_token),
            Some(json!({"name": "Ho Ka Man", "id_document": {"type": "macau_resident", "number": "1234567(8)"}, "mobile": "66100031"})),
        )
        .await;
    assert_eq!(st, 201, "{b}");
    s.activate("entity_number", &org.entity, "+85366100031", "ho.km").await;
    let mut ho = sign_in(&s, &org.entity, "ho.km").await;
    let page = open(&mut ho, "/my/eid", 200).await;
    assert!(page.body.contains("id=\"face-state\">On<"), "{}", page.body);
    assert!(page.body.contains("id=\"code-state\">Not applicable<"), "{}", page.body);
    let confirm = open(&mut ho, "/my/eid/face-off", 200).await;
    assert!(confirm.body.contains("only the service counter can"), "{}", confirm.body);
    assert!(confirm.body.contains("id=\"confirm\""), "{}", confirm.body);
    let done = post(&mut ho, "/my/eid/face-off", &hidden_inputs(&confirm.body)).await;
    assert_eq!((done.status, done.location.as_deref()), (303, Some("/my/eid?face_off=1")), "{}", done.body);
    let page = open(&mut ho, "/my/eid?face_off=1", 200).await;
    assert!(page.body.contains("id=\"face-state\">Off<"), "{}", page.body);
    assert!(page.body.contains("Face recognition is now off."), "{}", page.body);
    let inbox = open(&mut ho, "/my/notifications", 200).await;
    assert!(inbox.body.contains("Only the service counter can switch it back on."), "{}", inbox.body);
    // Switching off again is nothing to do: the confirmation page sends back to the e-ID page.
    let again = ho.get(&format!("{}/my/eid/face-off", s.base)).await;
    assert_eq!((again.status, again.location.as_deref()), (303, Some("/my/eid")));

    // The passport holder: the security code applies, not bound yet.
    let mut staff = sign_in(&s, &org.entity, STAFF_USER).await;
    let page = open(&mut staff, "/my/eid", 200).await;
    assert!(page.body.contains("id=\"face-state\">Not applicable<"), "{}", page.body);
    assert!(page.body.contains("id=\"code-state\">Not bound<"), "{}", page.body);
    let entity = open(&mut staff, "/my/entity", 200).await;
    assert!(entity.body.contains(&format!("id=\"entity-number\">{}<", org.entity)), "{}", entity.body);
    assert!(entity.body.contains("澳門測試有限公司") && entity.body.contains("Teste Limitada"), "{}", entity.body);
    let face = post(&mut staff, "/my/eid/face-off", &f(&[("csrf", &csrf_of(&page))])).await;
    assert_eq!(face.status, 409, "{}", face.body);
    assert!(face.body.contains("Face recognition is off for this login."), "{}", face.body);
});

on_both_backends!(r15_the_staff_list_searches_and_pages_twenty_at_a_time, |s: Server| async move {
    let op = s.operator_token().await;
    let org = org(&s, &op).await;
    for i in 1..=22 {
        let body = json!({"name": format!("Person {i:02}"), "id_document": {"type": "passport", "number": format!("PP{i:06}")},
                          "mobile": format!("661002{i:02}")});
        let (st, b) =
            s.call("POST", &format!("/entities/{}/logins", org.entity), Some(&org.admin_token), Some(body)).await;
        assert_eq!(st, 201, "{b}");
    }
    let mut admin = sign_in(&s, &org.entity, ADMIN_USER).await;
    // 24 logins besides the entity account: 20 on the first page, 4 on the second.
    let first = open(&mut admin, "/admin/staff", 200).await;
    assert!(first.body.contains("24 logins"), "{}", first.body);
    assert!(first.body.contains("Page 1 of 2"), "{}", first.body);
    assert!(first.body.contains("id=\"page-next\" rel=\"next\""), "{}", first.body);
    assert!(!first.body.contains("id=\"page-prev\""), "{}", first.body);
    let rows = |body: &str| body.matches("<tr id=\"login-").count();
    assert_eq!(rows(&first.body), 20);
    let second = open(&mut admin, "/admin/staff?page=2", 200).await;
    assert_eq!(rows(&second.body), 4, "{}", second.body);
    assert!(second.body.contains("id=\"page-prev\""), "{}", second.body);
    // The search narrows by name or username, case-insensitively, and keeps the query in the pager.
    let found = open(&mut admin, "/admin/staff?q=person%201", 200).await;
    assert_eq!(rows(&found.body), 10, "Person 10 to 19: {}", found.body);
    assert!(found.body.contains("value=\"person 1\""), "the query is kept: {}", found.body);
    let by_username = open(&mut admin, "/admin/staff?q=ADMIN.CHAN", 200).await;
    assert_eq!(rows(&by_username.body), 1, "{}", by_username.body);
    let past_the_end = open(&mut admin, "/admin/staff?page=99", 200).await;
    assert!(past_the_end.body.contains("Page 2 of 2"), "{}", past_the_end.body);
    let nonsense = open(&mut admin, "/admin/staff?page=abc", 200).await;
    assert!(nonsense.body.contains("Page 1 of 2"), "{}", nonsense.body);
});
