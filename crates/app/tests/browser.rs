//! Acceptance of the web platform in a real browser: headless Chromium driven over WebDriver
//! (see `support/browser.rs`), against the spawned binary on a fresh SQLite database.
//! People type and click; the tests read what the pages show. Without Chromium the tests
//! print "skipped: no chromium" and pass, unless `EA_REQUIRE_BROWSER=1`.
//!
//! `EA_WRITE_SCREENSHOTS=1 cargo test -p app --test browser screenshots` writes the pictures
//! of the main pages to `docs/screenshots/<page>-<lang>-<phone|desktop>.png` (whole pages, at
//! 390 and 1280 pixels wide; Chinese needs a CJK font, e.g. Debian's `fonts-noto-cjk`).

#[path = "support/browser.rs"]
mod browser_support;
mod support;

use browser_support::*;
use support::*;

/// The password of the wrong sign-in attempts.
const WRONG: &str = "not the password at all";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_language_renders_login_activation_and_staff_list() {
    if !available() {
        return;
    }
    let s = Server::start(Backend::Sqlite).await.unwrap();
    let op = s.operator_token().await;
    let o = org(&s, &op, 2).await;
    let b = Browser::open(&s.base).await;

    for lang in LANGS {
        // The sign-in page, in the language asked for.
        b.goto(&format!("/login?lang={lang}")).await;
        assert_eq!(b.html_lang().await, lang, "/login?lang={lang}");
        assert_translated(&b, &format!("/login in {lang}")).await;

        // A wrong password: the message beside the password field, in that language.
        b.fill("entity_number", &o.entity).await;
        b.fill("username", &o.admin_user).await;
        b.fill("password", WRONG).await;
        b.submit("login-submit").await;
        b.assert_not_refused("a wrong password").await;
        assert_eq!(b.html_lang().await, lang, "the refused sign-in keeps the language");
        assert!(b.is_visible("password-error").await, "#password-error shown in {lang}: {}", b.main_text().await);
        let shown = b.text_of_id("password-error").await;
        let expected = message(lang, "error-invalid-credentials").unwrap();
        assert!(shown.contains(&expected), "#password-error in {lang} is {shown:?}, not {expected:?}");
        assert_eq!(b.value("entity_number").await, o.entity, "the entity number typed stays");
        assert_eq!(b.value("password").await, "", "a password never comes back");
        assert_translated(&b, &format!("refused /login in {lang}")).await;

        // The activation page: the language is remembered without ?lang=.
        b.goto("/activate").await;
        assert_eq!(b.html_lang().await, lang, "/activate remembers {lang}");
        assert_translated(&b, &format!("/activate in {lang}")).await;

        // The administrator's staff list.
        b.sign_in(&o.entity, &o.admin_user, PASSWORD).await;
        b.goto("/admin/staff").await;
        assert_eq!(b.path().await, "/admin/staff", "the administrator sees the staff list: {}", b.main_text().await);
        assert_eq!(b.html_lang().await, lang, "/admin/staff in {lang}");
        assert_translated(&b, &format!("/admin/staff in {lang}")).await;
        assert!(b.main_text().await.contains("Staff Wong"), "the staff login is listed: {}", b.main_text().await);
        b.sign_out().await;
    }
    b.close().await;
}

/// From the counter's application to a staff login using its e-service, and the entity
/// account taking an administrator's rights away: every step typed and clicked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifecycle_through_the_browser() {
    if !available() {
        return;
    }
    let s = Server::start(Backend::Sqlite).await.unwrap();
    let b = Browser::open(&s.base).await;
    let (entity_mobile, admin_mobile, staff_mobile) = ("+85366300010", "+85366300011", "+85366300013");

    // The operator signs in at the counter and registers the application (R1–R4).
    b.sign_in_operator().await;
    b.goto("/counter/applications/new").await;
    b.fill("entity.type", "company").await;
    b.fill("entity.name_zh", "澳門瀏覽器測試有限公司").await;
    b.fill("entity.name_pt", "Teste do Navegador Limitada").await;
    b.fill("entity.registration_number", "CRN-30001").await;
    b.fill("entity.mobile", "6630 0010").await;
    b.fill("representatives[0].name", "陳大文").await;
    b.fill("representatives[0].id_document.type", "macau_resident").await;
    b.fill("representatives[0].id_document.number", "5215299(8)").await;
    b.fill("representatives[0].document_shown", "on").await;
    b.fill("administrators[0].name", "Admin Chan").await;
    b.fill("administrators[0].id_document.type", "passport").await;
    b.fill("administrators[0].id_document.number", "K7300001").await;
    b.fill("administrators[0].mobile", "+853 6630 0011").await;
    b.fill("agreement_signed", "on").await;
    b.submit("application-submit").await;
    assert!(
        b.has_id("application-number").await,
        "the application was registered: {} {}",
        b.path().await,
        b.main_text().await
    );
    let app_no = b.text_of_id("application-number").await.trim().to_string();
    assert!(app_no.starts_with('A'), "an application number: {app_no:?}");

    // …approves it on the review page (R6) and reads the entity number it was given.
    b.submit("approve").await;
    assert!(b.has_id("entity-number").await, "approved: {}", b.main_text().await);
    let entity = b.text_of_id("entity-number").await.trim().to_string();
    assert_eq!(entity.len(), 8, "an entity number: {entity:?}");

    // …and adds an e-service to the catalogue.
    b.goto("/counter/eservices").await;
    b.fill("code", "dsat_parking").await;
    b.fill("names.zh", "泊車服務").await;
    b.fill("names.pt", "Serviço de estacionamento").await;
    b.fill("names.en", "Parking service").await;
    b.fill("department", "DSAT").await;
    b.fill("assurance", "basic").await;
    b.submit("eservice-add-submit").await;
    assert!(b.has_id("eservice-dsat_parking").await, "the e-service is in the catalogue: {}", b.main_text().await);
    b.sign_out().await;

    // The entity account activates with its application number and the code sent by SMS (R9).
    b.goto("/activate").await;
    b.follow("[id=\"activate-as-entity\"]").await;
    b.fill("application_number", &app_no).await;
    b.fill("activation_code", &s.code_for(entity_mobile, 1).await).await;
    b.fill("username", "company").await;
    b.fill("password", PASSWORD).await;
    b.fill("password_confirm", PASSWORD).await;
    b.submit("activate-submit").await;
    assert!(b.has_id("activate-done").await, "the entity account is active: {}", b.main_text().await);

    // The administrator activates with the entity number (R10).
    activate_login(&b, &s, &entity, admin_mobile, "admin.chan").await;

    // The administrator signs in and creates a staff login (R15).
    b.sign_in(&entity, "admin.chan", PASSWORD).await;
    assert_eq!(b.path().await, "/admin/staff", "an administrator lands on the staff list");
    b.goto("/admin/staff/new").await;
    b.fill("name", "Staff Wong").await;
    b.fill("id_document.type", "passport").await;
    b.fill("id_document.number", "E7300003").await;
    b.fill("mobile", "6630 0013").await;
    b.submit("staff-new-submit").await;
    let path = b.path().await;
    let Some(staff_id) = path.strip_prefix("/admin/staff?created=").map(str::to_string) else {
        panic!("back on the staff list with the new login, not {path}: {}", b.main_text().await)
    };
    assert!(b.main_text().await.contains("Staff Wong"), "the new login is listed");

    // …and assigns it the e-service (R19).
    b.goto("/admin/assignments").await;
    let cell = format!("input[type=\"checkbox\"][name=\"eservices:{staff_id}\"][value=\"dsat_parking\"]");
    let e = b.find(&cell).await;
    assert!(!e.is_selected().await.unwrap(), "not assigned yet");
    e.click().await.unwrap();
    b.submit("assign-save").await;
    assert!(b.find(&cell).await.is_selected().await.unwrap(), "the assignment was saved: {}", b.main_text().await);
    b.sign_out().await;

    // Staff activates, signs in and finds the e-service among theirs.
    activate_login(&b, &s, &entity, staff_mobile, "staff.wong").await;
    b.sign_in(&entity, "staff.wong", PASSWORD).await;
    assert_eq!(b.path().await, "/my/eservices", "staff land on their e-services");
    let shown = b.main_text().await;
    assert!(
        ["泊車服務", "Serviço de estacionamento", "Parking service"].iter().any(|n| shown.contains(n)),
        "staff see the assigned e-service: {shown}"
    );
    assert!(!b.nav_links().await.iter().any(|l| l.starts_with("/admin")), "staff have no administrator pages");
    b.sign_out().await;

    // The entity account takes the administrator's rights away (R17).
    b.sign_in(&entity, "company", PASSWORD).await;
    b.goto("/account/logins").await;
    let remove_links: Vec<String> = b
        .links()
        .await
        .into_iter()
        .filter(|l| l.starts_with("/account/logins/") && l.ends_with("/remove-admin"))
        .collect();
    assert_eq!(remove_links.len(), 1, "one administrator to remove: {remove_links:?}");
    b.follow(&format!("a[href=\"{}\"]", remove_links[0])).await;
    b.submit("confirm").await;
    assert_eq!(b.path().await.split('?').next().unwrap(), "/account/logins", "back on the logins after removing");
    assert!(b.links().await.iter().all(|l| !l.ends_with("/remove-admin")), "no administrator left to remove");
    b.sign_out().await;

    // The former administrator, signing in again, has no administrator pages any more.
    b.sign_in(&entity, "admin.chan", PASSWORD).await;
    assert!(!b.path().await.starts_with("/login"), "the former administrator still signs in: {}", b.main_text().await);
    let nav = b.nav_links().await;
    assert!(!nav.is_empty(), "a signed-in login has a navigation");
    assert!(!nav.iter().any(|l| l.starts_with("/admin")), "no /admin links in the navigation: {nav:?}");
    b.goto("/admin/staff").await;
    let path = b.path().await;
    let refused =
        b.texts().await.iter().any(|t| LANGS.iter().any(|l| message(l, "forbidden-title").as_deref() == Some(t)));
    assert!(
        path.starts_with("/login") || (path == "/admin/staff" && refused),
        "/admin/staff is refused to the former administrator: {path} {}",
        b.main_text().await
    );
    b.close().await;
}

/// Activates an administrator or staff login with the entity number and its SMS code.
async fn activate_login(b: &Browser, s: &Server, entity: &str, mobile: &str, username: &str) {
    b.goto("/activate").await;
    b.fill("entity_number", entity).await;
    b.fill("activation_code", &s.code_for(mobile, 1).await).await;
    b.fill("username", username).await;
    b.fill("password", PASSWORD).await;
    b.fill("password_confirm", PASSWORD).await;
    b.submit("activate-submit").await;
    assert!(b.has_id("activate-done").await, "{username} is active: {}", b.main_text().await);
}

/// Extra request headers, name and value.
type Headers = Vec<(&'static str, String)>;

/// The names of the entity's logins, over the API.
async fn login_names(s: &Server, o: &Org) -> Vec<String> {
    let (st, b) = s.call("GET", &format!("/entities/{}/logins", o.entity), Some(&o.admin_token), None).await;
    assert_eq!(st, 200, "{b}");
    let mut names: Vec<String> =
        b["logins"].as_array().unwrap().iter().map(|l| l["name"].as_str().unwrap_or_default().to_string()).collect();
    names.sort();
    names
}

/// Whether the page is the refusal page (403), in any language.
async fn is_refusal(b: &Browser) -> bool {
    let texts = b.texts().await;
    LANGS.iter().any(|l| message(l, "forbidden-title").is_some_and(|m| texts.contains(&m)))
}

/// A form without its CSRF token, and posts from another origin, are refused with 403 and
/// change nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csrf_and_cross_origin_posts_are_refused() {
    if !available() {
        return;
    }
    let s = Server::start(Backend::Sqlite).await.unwrap();
    let op = s.operator_token().await;
    let o = org(&s, &op, 3).await;
    let b = Browser::open(&s.base).await;
    b.sign_in(&o.entity, &o.admin_user, PASSWORD).await;
    let names = login_names(&s, &o).await;

    // In the browser: the staff form, its hidden CSRF field removed by a script.
    b.goto("/admin/staff/new?lang=en").await;
    b.fill("name", "No Token").await;
    b.fill("id_document.type", "passport").await;
    b.fill("id_document.number", "E5550001").await;
    b.fill("mobile", "6623 0021").await;
    let removed = b
        .js("const f = document.querySelectorAll('main form input[name=csrf]'); f.forEach(e => e.remove()); return f.length;", vec![])
        .await;
    assert_eq!(removed, 1, "the staff form carries one CSRF field");
    let before = s.snapshot().await;
    b.submit("staff-new-submit").await;
    assert!(is_refusal(&b).await, "the post without its token is refused: {}", b.main_text().await);
    assert_eq!(s.snapshot().await, before, "a refused post changes nothing");
    assert_eq!(login_names(&s, &o).await, names, "no staff login created");

    // Over plain HTTP with the browser's own cookies and a valid token, to see the status and
    // to send what a browser would only send from another site.
    b.goto("/admin/staff/new").await;
    let token = b.value("csrf").await;
    assert!(!token.is_empty());
    let cookie =
        b.c.get_all_cookies()
            .await
            .unwrap()
            .iter()
            .map(|c| format!("{}={}", c.name(), c.value()))
            .collect::<Vec<_>>()
            .join("; ");
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let url = format!("{}/admin/staff/new", s.base);
    let fields = |csrf: Option<&str>| {
        let mut f = vec![
            ("name", "Cross Site".to_string()),
            ("id_document.type", "passport".to_string()),
            ("id_document.number", "E5550002".to_string()),
            ("mobile", "66230022".to_string()),
        ];
        if let Some(t) = csrf {
            f.push(("csrf", t.to_string()));
        }
        f
    };
    let post = |headers: Headers, csrf: Option<&str>| {
        let mut req = http.post(&url).header("Cookie", cookie.clone()).form(&fields(csrf));
        for (k, v) in headers {
            req = req.header(k, v);
        }
        req.send()
    };
    let before = s.snapshot().await;
    let cases: Vec<(&str, Headers, Option<&str>)> = vec![
        ("without its token", vec![("Origin", s.base.clone())], None),
        ("with a wrong token", vec![("Origin", s.base.clone())], Some("not-our-token")),
        ("from Origin: http://evil.example", vec![("Origin", "http://evil.example".into())], Some(&token)),
        (
            "marked Sec-Fetch-Site: cross-site",
            vec![("Sec-Fetch-Site", "cross-site".into()), ("Origin", "null".into())],
            Some(&token),
        ),
    ];
    for (what, headers, csrf) in cases {
        let res = post(headers, csrf).await.unwrap();
        assert_eq!(res.status().as_u16(), 403, "a post {what} is refused");
        assert_eq!(s.snapshot().await, before, "a post {what} changes nothing");
    }
    assert_eq!(login_names(&s, &o).await, names, "no staff login created");

    // The same post from our own origin, with the token: it was only the origin.
    let res =
        post(vec![("Origin", s.base.clone()), ("Sec-Fetch-Site", "same-origin".into())], Some(&token)).await.unwrap();
    assert_eq!(res.status().as_u16(), 303, "the same post from our own page is accepted");
    assert!(login_names(&s, &o).await.contains(&"Cross Site".to_string()));
    b.close().await;
}

/// Where the screenshots go: docs/screenshots with EA_WRITE_SCREENSHOTS=1, otherwise a
/// temporary folder (so that test runs leave the tree clean).
fn screenshot_dir() -> (std::path::PathBuf, Option<tempfile::TempDir>) {
    if std::env::var("EA_WRITE_SCREENSHOTS").as_deref() == Ok("1") {
        (std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots"), None)
    } else {
        let t = tempfile::tempdir().unwrap();
        (t.path().to_path_buf(), Some(t))
    }
}

/// The main pages, in every language, at phone and desktop widths.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn screenshots_of_the_main_pages() {
    if !available() {
        return;
    }
    let s = Server::start(Backend::Sqlite).await.unwrap();
    let op = s.operator_token().await;
    let o = org(&s, &op, 4).await;
    eservice(&s, &op, "dsat_parking").await;
    eservice(&s, &op, "dsf_tax").await;
    let (st, body) = s
        .call(
            "PUT",
            &format!("/entities/{}/logins/{}/eservices", o.entity, o.staff_id),
            Some(&o.admin_token),
            Some(serde_json::json!({"eservices": ["dsat_parking"]})),
        )
        .await;
    assert_eq!(st, 200, "{body}");
    // One application waiting in the queue.
    let app = application("CRN-74002", "+85366240020", &[("Ana Lopes", "passport", "K7404321", "66240021")]);
    let (st, body) = s.call("POST", "/counter/applications", Some(&op), Some(app)).await;
    assert_eq!(st, 201, "{body}");

    let (dir, _keep) = screenshot_dir();
    let b = Browser::open(&s.base).await;
    let mut written = Vec::new();
    let mut too_wide = Vec::new();
    let sessions: [(&str, &[(&str, &str)]); 4] = [
        ("public", &[("login", "/login"), ("activate", "/activate"), ("help", "/help")]),
        ("admin", &[("admin-staff", "/admin/staff"), ("admin-assignments", "/admin/assignments")]),
        ("entity", &[("account-logins", "/account/logins")]),
        (
            "operator",
            &[
                ("counter-application-form", "/counter/applications/new"),
                ("counter-applications", "/counter/applications"),
            ],
        ),
    ];
    for (who, pages) in sessions {
        b.set_size(DESKTOP).await;
        match who {
            "admin" => b.sign_in(&o.entity, &o.admin_user, PASSWORD).await,
            "entity" => {
                b.sign_out().await;
                b.sign_in(&o.entity, &o.entity_user, PASSWORD).await
            }
            "operator" => {
                b.sign_out().await;
                b.sign_in_operator().await
            }
            _ => {}
        }
        for (name, path) in pages.iter() {
            for lang in LANGS {
                b.goto(&format!("{path}?lang={lang}")).await;
                assert_eq!(b.path().await, format!("{path}?lang={lang}"), "{name} opens for the {who}");
                assert_eq!(b.html_lang().await, lang, "{name} in {lang}");
                for (form, size) in [("phone", PHONE), ("desktop", DESKTOP)] {
                    let file = dir.join(format!("{name}-{lang}-{form}.png"));
                    b.screenshot(&file, size.0, size.1).await;
                    if form == "phone" {
                        b.set_size(size).await;
                        let (wide, sticking_out) = b.overflow().await;
                        if wide > u64::from(size.0) {
                            too_wide.push(format!("{name}-{lang}: {wide}px wide, {sticking_out:?}"));
                        }
                    }
                    written.push(file);
                }
            }
        }
    }
    b.close().await;
    assert_eq!(written.len(), 8 * 3 * 2);
    for f in &written {
        let len = std::fs::metadata(f).unwrap().len();
        assert!(len > 2000, "{} is an actual picture ({len} bytes)", f.display());
    }
    eprintln!("{} screenshots in {}", written.len(), dir.display());
    assert!(too_wide.is_empty(), "pages wider than a phone (the page scrolls sideways): {too_wide:?}");
}

/// Asserts that the page came back with `field`'s error beside it, one of the `codes`'
/// messages (in English), and the same message in the summary at the top.
async fn assert_error_beside(b: &Browser, field: &str, codes: &[&str]) {
    let what = format!("{field} on {}", b.path().await);
    assert!(b.is_visible("error-summary").await, "{what}: #error-summary at the top: {}", b.main_text().await);
    assert!(
        b.is_visible(&format!("{field}-error")).await,
        "{what}: #{field}-error beside the field: {}",
        b.main_text().await
    );
    let shown = b.text_of_id(&format!("{field}-error")).await;
    let expected: Vec<String> = codes
        .iter()
        .map(|c| {
            message("en", &format!("error-{}", c.replace('_', "-"))).unwrap_or_else(|| panic!("no message for {c}"))
        })
        .collect();
    let msg = expected
        .iter()
        .find(|m| shown.contains(m.as_str()))
        .unwrap_or_else(|| panic!("{what}: #{field}-error is {shown:?}, not one of {expected:?}"));
    let summary = b.text_of_id("error-summary").await;
    assert!(summary.contains(msg.as_str()), "{what}: the summary repeats {msg:?}: {summary:?}");
    let link = format!("#error-summary a[href=\"#{field}\"]");
    assert!(b.try_find(&link).await.is_some(), "{what}: the summary links to the field");
    // The field itself says it is wrong, and where the message is.
    let input = b.by_id(field).await;
    assert_eq!(input.attr("aria-invalid").await.unwrap().as_deref(), Some("true"), "{what}: aria-invalid");
    let described = input.attr("aria-describedby").await.unwrap().unwrap_or_default();
    assert!(described.split(' ').any(|d| d == format!("{field}-error")), "{what}: aria-describedby {described:?}");
}

/// Wrong input in the activation and staff forms comes back with what was typed, the error
/// beside its field and a summary at the top.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_re_renders_beside_the_field() {
    if !available() {
        return;
    }
    let s = Server::start(Backend::Sqlite).await.unwrap();
    let op = s.operator_token().await;
    let o = org(&s, &op, 5).await;
    // A staff login waiting for its activation, with the code its mobile received.
    let (st, body) = s
        .call(
            "POST",
            &format!("/entities/{}/logins", o.entity),
            Some(&o.admin_token),
            Some(serde_json::json!({"name": "Pending Lee", "id_document": {"type": "passport", "number": "E5250001"}, "mobile": "66250014"})),
        )
        .await;
    assert_eq!(st, 201, "{body}");
    let code = s.code_for("+85366250014", 1).await;
    let b = Browser::open(&s.base).await;

    // --- Activation.
    // Everything empty.
    b.goto("/activate?lang=en").await;
    b.no_browser_checks().await;
    b.submit("activate-submit").await;
    b.assert_not_refused("an empty activation form").await;
    for f in ["entity_number", "activation_code", "username", "password", "password_confirm"] {
        assert_error_beside(&b, f, &["required"]).await;
    }

    // Two different passwords: caught before the code is tried; what was typed stays.
    let fill_activation = |number: String, username: String, confirm: &'static str| {
        let b = &b;
        let code = code.clone();
        async move {
            b.no_browser_checks().await;
            b.fill("entity_number", &number).await;
            b.fill("activation_code", &code).await;
            b.set_value("username", &username).await;
            b.fill("password", PASSWORD).await;
            b.fill("password_confirm", confirm).await;
            b.submit("activate-submit").await;
        }
    };
    b.goto("/activate").await;
    fill_activation(o.entity.clone(), "pending.lee".into(), "correct horse battery stapler").await;
    assert_error_beside(&b, "password_confirm", &["password_mismatch"]).await;
    assert_eq!(b.value("entity_number").await, o.entity, "the entity number typed stays");
    assert_eq!(b.value("username").await, "pending.lee", "the username typed stays");
    assert_eq!(b.value("password").await, "", "a password never comes back");
    assert_eq!(b.value("password_confirm").await, "", "a password never comes back");

    // Too long: a username of 300 letters, an entity number of 30 digits.
    fill_activation(o.entity.clone(), "u".repeat(300), PASSWORD).await;
    assert_error_beside(&b, "username", &["too_long", "invalid_username"]).await;
    assert_eq!(b.value("username").await, "u".repeat(300), "the long username typed stays");
    fill_activation("1".repeat(30), "pending.lee".into(), PASSWORD).await;
    assert_error_beside(&b, "entity_number", &["invalid_format", "too_long", "invalid"]).await;
    assert_eq!(b.value("entity_number").await, "1".repeat(30));

    // Unknown entity numbers: one whose check digit is wrong, one well formed that nobody has
    // (which, not to tell who exists, reads as a wrong code).
    let wrong_digit = format!("{}{}", &o.entity[..7], (o.entity[7..].parse::<u32>().unwrap() + 1) % 10);
    fill_activation(wrong_digit.clone(), "pending.lee".into(), PASSWORD).await;
    assert_error_beside(&b, "entity_number", &["invalid_check_digit"]).await;
    assert_eq!(b.value("entity_number").await, wrong_digit);
    let nobody = domain::numbers::EntityNumber::from_sequence(8_999_999).as_str().to_string();
    fill_activation(nobody.clone(), "pending.lee".into(), PASSWORD).await;
    if b.has_id("entity_number-error").await {
        assert_error_beside(&b, "entity_number", &["not_found", "invalid_code"]).await;
    } else {
        assert_error_beside(&b, "activation_code", &["invalid_code"]).await;
    }
    assert_eq!(b.value("entity_number").await, nobody);
    assert_eq!(b.value("username").await, "pending.lee");

    // None of that used the code up: the right answer still activates.
    fill_activation(o.entity.clone(), "pending.lee".into(), PASSWORD).await;
    assert!(b.has_id("activate-done").await, "the code still works: {}", b.main_text().await);

    // --- The administrator's staff form.
    b.sign_in(&o.entity, &o.admin_user, PASSWORD).await;
    let names = login_names(&s, &o).await;
    b.goto("/admin/staff/new?lang=en").await;
    b.no_browser_checks().await;
    b.submit("staff-new-submit").await;
    for f in ["name", "id_document.type", "mobile"] {
        assert_error_beside(&b, f, &["required", "invalid_choice"]).await;
    }
    // Checked last, so that the rest of the test still runs when it fails.
    let number_said_required = b.has_id("id_document.number-error").await;

    // A name of 300 characters.
    b.no_browser_checks().await;
    b.set_value("name", &"陳".repeat(300)).await;
    b.fill("id_document.type", "passport").await;
    b.fill("id_document.number", "E5250002").await;
    b.fill("mobile", "6625 0015").await;
    b.submit("staff-new-submit").await;
    assert_error_beside(&b, "name", &["too_long"]).await;
    assert_eq!(b.value("name").await, "陳".repeat(300), "the long name typed stays");
    assert_eq!(b.value("id_document.type").await, "passport", "the document type chosen stays");
    assert_eq!(b.value("id_document.number").await, "E5250002", "the document number typed stays");
    assert_eq!(b.value("mobile").await, "6625 0015", "the mobile typed stays");

    // A mobile number that is not a Macau mobile.
    b.no_browser_checks().await;
    b.fill("name", "Wrong Mobile").await;
    b.fill("mobile", "2812 3456").await;
    b.submit("staff-new-submit").await;
    assert_error_beside(&b, "mobile", &["invalid_mobile"]).await;
    assert_eq!(b.value("name").await, "Wrong Mobile");
    assert_eq!(b.value("mobile").await, "2812 3456");
    assert!(!b.has_id("name-error").await, "the corrected name has no error any more");

    assert_eq!(login_names(&s, &o).await, names, "nothing was created by the refused forms");
    b.close().await;
    assert!(number_said_required, "an empty staff form says the identity document number is required too");
}
