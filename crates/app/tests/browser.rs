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

/// Today in Macau, as `YYYY-MM-DD`.
fn macau_today() -> String {
    macau_day_after(0)
}

/// The day `days` from today in Macau, as `YYYY-MM-DD` (as a date field holds it).
fn macau_day_after(days: i64) -> String {
    let micros = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_micros() as i64;
    domain::assignment_form::macau_date(domain::clock::Timestamp(micros + days * 86_400_000_000), false)
}

/// A `YYYY-MM-DD` day as the English pages write it ("31 March 2025").
fn english_day(ymd: &str) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let p: Vec<u32> = ymd.split('-').map(|x| x.parse().unwrap()).collect();
    format!("{} {} {}", p[2], MONTHS[p[1] as usize - 1], p[0])
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => 29,
        2 => 28,
        _ => 31,
    }
}

/// Asserts the page is in `lang`, shows no untranslated key and is no wider than a phone.
async fn assert_phone_page(b: &Browser, path: &str, lang: &str) {
    b.goto(&format!("{path}?lang={lang}")).await;
    assert_eq!(b.html_lang().await, lang, "{path} in {lang}");
    assert_translated(b, &format!("{path} in {lang}")).await;
    let (wide, sticking_out) = b.overflow().await;
    assert!(wide <= u64::from(PHONE.0), "{path} in {lang} is {wide}px wide at a phone's width: {sticking_out:?}");
}

/// R28–R30 in the browser, at a phone's width: an administrator gives a staff member an
/// e-service until the end of this month (a quick choice) and another until a typed date, a
/// wrong pair of dates comes back beside its field and changes nothing; the matrix shows
/// the end; the review is decided item by item and "confirm all" for a login to its end;
/// both exports answer with the audit head that sealed it, as the API's export does. Every
/// new page is then shown in each language.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r28_r30_an_administrator_dates_access_reviews_it_and_exports_the_review() {
    if !available() {
        return;
    }
    let s = Server::start(Backend::Sqlite).await.unwrap();
    let op = s.operator_token().await;
    let o = org(&s, &op, 6).await;
    eservice(&s, &op, "dsat_parking").await;
    eservice(&s, &op, "dsf_tax").await;
    // The administrator holds both e-services, so that the review has a login to confirm whole.
    let (st, body) = s
        .call(
            "PUT",
            &format!("/entities/{}/logins/{}/eservices", o.entity, o.admin_id),
            Some(&o.admin_token),
            Some(serde_json::json!({"eservices": ["dsat_parking", "dsf_tax"]})),
        )
        .await;
    assert_eq!(st, 200, "{body}");
    let b = Browser::open(&s.base).await;
    b.set_size(PHONE).await;
    b.sign_in(&o.entity, &o.admin_user, PASSWORD).await;

    // From the staff list to the staff member's own e-services page.
    b.goto("/admin/staff?lang=en").await;
    b.follow(&format!("[id=\"eservices-{}\"]", o.staff_id)).await;
    let page = format!("/admin/logins/{}/eservices", o.staff_id);
    assert_eq!(b.path().await, page, "the staff list links to the login's e-services");

    // A wrong pair of dates: beside the end, nothing saved.
    b.click("eservices.dsf_tax").await;
    b.set_value("valid_from.dsf_tax", "2030-01-10").await;
    b.set_value("valid_until.dsf_tax", "2030-01-05").await;
    b.submit("login-eservices-save").await;
    b.assert_not_refused("saving the dates").await;
    assert_error_beside(&b, "valid_until.dsf_tax", &["ends_before_start"]).await;
    assert_eq!(b.value("valid_until.dsf_tax").await, "2030-01-05", "the date typed stays");
    let (st, body) = s
        .call("GET", &format!("/entities/{}/logins/{}/eservices", o.entity, o.staff_id), Some(&o.admin_token), None)
        .await;
    assert_eq!(st, 200, "{body}");
    assert_eq!(body["eservices"].as_array().map(Vec::len), Some(0), "nothing was saved: {body}");

    // Until the end of this month (a quick choice) and until a typed day next year.
    let today = macau_today();
    let year: u32 = today[..4].parse().unwrap();
    let typed_end = format!("{}-06-30", year + 1);
    b.goto(&page).await;
    b.click("eservices.dsat_parking").await;
    b.fill("ends.dsat_parking", "end_of_month").await;
    b.click("eservices.dsf_tax").await;
    b.set_value("valid_until.dsf_tax", &typed_end).await;
    b.submit("login-eservices-save").await;
    assert_eq!(b.path().await, format!("{page}?saved=1"), "saved: {}", b.main_text().await);
    let month_end = b.value("valid_until.dsat_parking").await;
    let (y, m): (u32, u32) = (today[..4].parse().unwrap(), today[5..7].parse().unwrap());
    assert_eq!(month_end, format!("{y:04}-{m:02}-{:02}", days_in_month(y, m)), "the end of this month");
    let until = |day: &str| message("en", "access-state-until").unwrap().replace("{ $until }", &english_day(day));
    assert_eq!(b.text_of_id("state-dsat_parking").await.trim(), until(&month_end));
    assert_eq!(b.text_of_id("state-dsf_tax").await.trim(), until(&typed_end));

    // The matrix shows the ends (R29).
    b.goto("/admin/assignments").await;
    let cell = b.text_of_id(&format!("until-{}-dsat_parking", o.staff_id)).await;
    assert_eq!(cell.trim(), until(&month_end), "the matrix shows the end");

    // The review: one item removed, a login confirmed whole, the last item confirmed.
    b.goto("/admin/access-review").await;
    assert!(b.has_id("review-due").await && b.has_id("review-suspends").await, "{}", b.main_text().await);
    assert!(!b.has_id("export-csv").await, "no finished review to export yet");
    b.submit(&format!("remove-{}-dsf_tax", o.staff_id)).await;
    assert_eq!(b.path().await, "/admin/access-review?saved=1", "{}", b.main_text().await);
    b.submit(&format!("confirm-all-{}", o.admin_id)).await;
    assert_eq!(b.path().await, "/admin/access-review?saved=1", "{}", b.main_text().await);
    b.submit(&format!("confirm-{}-dsat_parking", o.staff_id)).await;
    assert_eq!(b.path().await, "/admin/access-review?finished=1", "{}", b.main_text().await);
    assert!(b.is_visible("review-finished").await, "the review says it is finished");

    // Both exports, with the browser's session, as the API exports them.
    let (st, kind, json) = b.download("/admin/access-review/export.json").await;
    assert_eq!(st, 200, "{json}");
    assert!(kind.starts_with("application/json"), "{kind}");
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let head = json["sealed_head"].as_str().unwrap_or_default().to_string();
    assert!(head.contains(':'), "a sealed head seq:hash: {json}");
    assert_eq!(json["items"].as_array().map(Vec::len), Some(4), "four items decided: {json}");
    let (st, api) =
        s.call("GET", &format!("/entities/{}/access-review/export", o.entity), Some(&o.admin_token), None).await;
    assert_eq!(st, 200, "{api}");
    assert_eq!(api, json, "the page's JSON is the API's");
    let (st, kind, csv) = b.download("/admin/access-review/export.csv").await;
    assert_eq!(st, 200, "{csv}");
    assert!(kind.starts_with("text/csv"), "{kind}");
    assert_eq!(csv.lines().count(), 5, "a header and four rows: {csv}");
    assert!(csv.lines().skip(1).all(|l| l.contains(&head)), "every row carries the sealed head: {csv}");
    assert!(csv.contains("dsf_tax") && csv.contains(",remove,"), "the removal is exported: {csv}");

    // The staff member no longer holds the removed e-service.
    b.goto(&page).await;
    assert!(!b.has_id("state-dsf_tax").await, "dsf_tax was removed: {}", b.main_text().await);

    // Every new page in each language, at a phone's width.
    for lang in LANGS {
        for path in [page.as_str(), "/admin/assignments", "/admin/access-review", "/admin/access-requests"] {
            assert_phone_page(&b, path, lang).await;
        }
        assert!(b.has_id("export-csv").await || b.path().await != "/admin/access-review", "export links stay");
    }
    b.close().await;
}

/// R37 in the browser, at a phone's width: a staff member asks for an e-service (a request
/// without a reason comes back beside the reason), an administrator grants it until a quick
/// choice and refuses another with a reason; the staff member sees the e-service with its end
/// among theirs, both answers, and the notices. Every page in each language.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r37_a_staff_member_requests_an_eservice_and_sees_it_granted() {
    if !available() {
        return;
    }
    let s = Server::start(Backend::Sqlite).await.unwrap();
    let op = s.operator_token().await;
    let o = org(&s, &op, 7).await;
    eservice(&s, &op, "dsat_parking").await;
    eservice(&s, &op, "dsf_tax").await;
    let b = Browser::open(&s.base).await;
    b.set_size(PHONE).await;

    // The staff member asks, first without a reason.
    b.sign_in(&o.entity, &o.staff_user, PASSWORD).await;
    b.goto("/my/eservices?lang=en").await;
    assert!(b.has_id("my-eservices-none").await, "nothing held yet: {}", b.main_text().await);
    b.no_browser_checks().await;
    b.fill("eservice", "dsf_tax").await;
    b.submit("request-submit").await;
    b.assert_not_refused("asking for an e-service").await;
    assert_error_beside(&b, "reason", &["required"]).await;
    assert_eq!(b.value("eservice").await, "dsf_tax", "the choice stays");
    b.fill("reason", "I file the entity's tax returns.").await;
    b.submit("request-submit").await;
    assert_eq!(b.path().await, "/my/eservices?requested=1", "{}", b.main_text().await);
    b.fill("eservice", "dsat_parking").await;
    b.fill("reason", "Parking for visitors.").await;
    b.submit("request-submit").await;
    assert_eq!(b.path().await, "/my/eservices?requested=1", "{}", b.main_text().await);
    let open = message("en", "access-request-open").unwrap();
    assert_eq!(b.text("#my-requests").await.matches(&open).count(), 2, "two open requests");
    b.sign_out().await;

    // An administrator grants the first until three months from now and refuses the second.
    b.sign_in(&o.entity, &o.admin_user, PASSWORD).await;
    b.goto("/my/notifications").await;
    let asked = message("en", "access-notice-requested").unwrap().replace("{ $login }", "Staff Wong");
    let asked = asked.replace("{ $eservice }", "Service dsf_tax");
    assert!(b.main_text().await.contains(&asked), "the administrator is told: {}", b.main_text().await);
    b.goto("/admin/access-requests").await;
    let (st, list) =
        s.call("GET", &format!("/entities/{}/access-requests", o.entity), Some(&o.admin_token), None).await;
    assert_eq!(st, 200, "{list}");
    let id_of = |code: &str| {
        list["requests"].as_array().unwrap().iter().find(|r| r["eservice"] == code).unwrap()["request_id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (tax, parking) = (id_of("dsf_tax"), id_of("dsat_parking"));
    b.fill(&format!("ends.{tax}"), "in_3_months").await;
    b.submit(&format!("grant-{tax}")).await;
    assert_eq!(b.path().await, "/admin/access-requests?done=granted", "{}", b.main_text().await);
    b.no_browser_checks().await;
    b.submit(&format!("refuse-{parking}")).await;
    assert_error_beside(&b, &format!("reason.{parking}"), &["required"]).await;
    b.fill(&format!("reason.{parking}"), "Visitors park at the public car park.").await;
    b.submit(&format!("refuse-{parking}")).await;
    assert_eq!(b.path().await, "/admin/access-requests?done=refused", "{}", b.main_text().await);
    assert!(b.has_id("requests-none").await, "no request is left open: {}", b.main_text().await);
    assert_eq!(b.find_all("#answered-requests li").await.len(), 2, "both are answered");
    for lang in LANGS {
        assert_phone_page(&b, "/admin/access-requests", lang).await;
        assert_phone_page(&b, "/my/notifications", lang).await;
    }
    b.sign_out().await;

    // The staff member holds the e-service, until a day about three months ahead, and is told.
    b.sign_in(&o.entity, &o.staff_user, PASSWORD).await;
    b.goto("/my/eservices?lang=en").await;
    let state = b.text_of_id("state-dsf_tax").await;
    let today = macau_today();
    let (y, m, d): (u32, u32, u32) =
        (today[..4].parse().unwrap(), today[5..7].parse().unwrap(), today[8..].parse().unwrap());
    let (y3, m3) = if m > 9 { (y + 1, m - 9) } else { (y, m + 3) };
    let in_3_months = format!("{y3:04}-{m3:02}-{:02}", d.min(days_in_month(y3, m3)));
    let until = message("en", "access-state-until").unwrap().replace("{ $until }", &english_day(&in_3_months));
    assert_eq!(state.trim(), until, "the granted e-service with its end in 3 months");
    assert!(!b.has_id("state-dsat_parking").await, "the refused one is not held");
    let requests = b.text("#my-requests").await;
    assert!(requests.contains(&message("en", "access-request-granted").unwrap()), "{requests}");
    assert!(requests.contains("Visitors park at the public car park."), "the refusal's reason: {requests}");
    b.goto("/my/notifications").await;
    let text = b.main_text().await;
    let granted = message("en", "access-notice-granted").unwrap().replace("{ $eservice }", "Service dsf_tax");
    assert!(text.contains(&granted), "told of the grant: {text}");
    assert!(text.contains("Visitors park at the public car park."), "told of the refusal: {text}");
    for lang in LANGS {
        assert_phone_page(&b, "/my/eservices", lang).await;
        assert_phone_page(&b, "/my/notifications", lang).await;
    }
    b.close().await;
}

/// The entity names every organisation of these tests has, by language (`application()`).
const ENTITY_NAMES: [(&str, &str); 3] = [("zh-Hant", "澳門測試有限公司"), ("pt", "Teste Limitada"), ("en", "Test Ltd")];

fn entity_name(lang: &str) -> &'static str {
    ENTITY_NAMES.iter().find(|(l, _)| *l == lang).map(|(_, n)| *n).unwrap()
}

/// An e-service's own page, where the provider sends the browser back: a listener on a free
/// port answering every request with a small page. Its redirect URI.
async fn landing_page() -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match conn.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let body = "<!doctype html><html lang=\"en\"><title>e-service</title><main>back at the e-service</main></html>";
                let answer = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = conn.write_all(answer.as_bytes()).await;
            });
        }
    });
    format!("http://127.0.0.1:{port}/cb")
}

/// An e-service whose department allows intermediaries (R34), registered as a client with
/// `redirect` as its redirect URI; its client secret.
async fn intermediary_eservice(s: &Server, op: &str, code: &str, redirect: &str) -> String {
    let body = serde_json::json!({
        "code": code, "names": {"zh": format!("{code} 服務"), "pt": format!("Serviço {code}"), "en": format!("Service {code}")},
        "department": "DSF", "assurance": "basic", "requires_registration": false, "allows_intermediaries": true,
        "oidc": {"redirect_uris": [redirect]},
    });
    let (st, b) = s.call("POST", "/counter/eservices", Some(op), Some(body)).await;
    assert_eq!(st, 201, "create e-service {code}: {b}");
    b["client_secret"].as_str().unwrap_or_else(|| panic!("client_secret in {b}")).to_string()
}

/// The mandate's status as the lists show it, in English.
async fn mandate_status(b: &Browser, id: &str) -> String {
    b.text_of_id(&format!("status-{id}")).await.trim().to_string()
}

/// R34 and R35 in the browser, at a phone's width: a client entity's administrator offers an
/// accounting firm a mandate for an e-service (its own entity number first, refused beside
/// the field, everything typed kept); the firm's administrator is told, accepts, and assigns
/// a staff member (an end beyond the mandate's refused beside its field); the staff member,
/// who also holds the e-service for the firm itself, signs in at the e-service, is asked for
/// whom they act, picks the client, and the e-service receives a code whose tokens name the
/// client with the staff member as the actor. The client sees who acts for it (by name), ends
/// the mandate, and the token stops at once; both audits name both entities and the other
/// entity's login as such. Every page in each language.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r34_r35_a_firm_is_mandated_assigns_staff_and_signs_in_for_its_client() {
    if !available() {
        return;
    }
    let s = Server::start(Backend::Sqlite).await.unwrap();
    let op = s.operator_token().await;
    let client = org(&s, &op, 8).await;
    let firm = org(&s, &op, 9).await;
    let redirect = landing_page().await;
    let secret = intermediary_eservice(&s, &op, "dsf_tax", &redirect).await;
    eservice(&s, &op, "dsat_parking").await;
    // The firm's staff member uses the e-service for the firm itself too: two choices.
    let (st, body) = s
        .call(
            "PUT",
            &format!("/entities/{}/logins/{}/eservices", firm.entity, firm.staff_id),
            Some(&firm.admin_token),
            Some(serde_json::json!({"eservices": ["dsf_tax"]})),
        )
        .await;
    assert_eq!(st, 200, "{body}");
    let year: u32 = macau_today()[..4].parse().unwrap();
    let mandate_end = format!("{}-12-31", year + 1);
    let staff_end = format!("{}-06-30", year + 1);

    let b = Browser::open(&s.base).await;
    b.set_size(PHONE).await;

    // The client's administrator offers the mandate, first to its own entity.
    b.sign_in(&client.entity, &client.admin_user, PASSWORD).await;
    b.goto("/admin/mandates?lang=en").await;
    assert!(b.has_id("given-none").await && b.has_id("received-none").await, "{}", b.main_text().await);
    assert!(b.has_id("eservices.dsf_tax").await, "an e-service allowing intermediaries is offered");
    assert!(!b.has_id("eservices.dsat_parking").await, "one allowing none is not: {}", b.main_text().await);
    b.no_browser_checks().await;
    b.fill("to_entity_number", &client.entity).await;
    b.click("eservices.dsf_tax").await;
    b.set_value("valid_until", &mandate_end).await;
    b.submit("offer-submit").await;
    b.assert_not_refused("offering a mandate").await;
    assert_error_beside(&b, "to_entity_number", &["own_entity"]).await;
    assert_eq!(b.value("to_entity_number").await, client.entity, "the number typed stays");
    assert_eq!(b.value("valid_until").await, mandate_end, "the end typed stays");
    assert!(b.by_id("eservices.dsf_tax").await.is_selected().await.unwrap(), "the ticked e-service stays ticked");
    b.fill("to_entity_number", &firm.entity).await;
    b.submit("offer-submit").await;
    assert_eq!(b.path().await, "/admin/mandates?done=offered", "{}", b.main_text().await);
    assert!(b.is_visible("notice").await, "the offer is confirmed");
    let (st, lists) =
        s.call("GET", &format!("/entities/{}/mandates", client.entity), Some(&client.admin_token), None).await;
    assert_eq!(st, 200, "{lists}");
    let id = lists["given"][0]["mandate_id"].as_str().unwrap_or_else(|| panic!("a given mandate: {lists}")).to_string();
    assert_eq!(mandate_status(&b, &id).await, message("en", "mandates-status-offered").unwrap());
    assert_eq!(b.text_of_id(&format!("until-{id}")).await.trim(), english_day(&mandate_end), "its last day");
    b.sign_out().await;

    // The firm's administrator is told, accepts, and assigns the staff member.
    b.sign_in(&firm.entity, &firm.admin_user, PASSWORD).await;
    b.goto("/my/notifications?lang=en").await;
    let told = message("en", "mandates-notice-offered")
        .unwrap()
        .replace("{ $entity }", &client.entity)
        .replace("{ $eservices }", "Service dsf_tax")
        .replace("{ $until }", &english_day(&mandate_end));
    assert!(b.main_text().await.contains(&told), "the firm is told of the offer: {}", b.main_text().await);
    b.goto("/admin/mandates").await;
    b.submit(&format!("accept-{id}")).await;
    assert_eq!(b.path().await, "/admin/mandates?done=accepted", "{}", b.main_text().await);
    assert_eq!(mandate_status(&b, &id).await, message("en", "mandates-status-active").unwrap());
    assert!(!b.has_id(&format!("accept-{id}")).await, "an accepted mandate is not answered again");
    b.follow(&format!("[id=\"assign-{id}\"]")).await;
    let page = format!("/admin/mandates/{id}");
    assert_eq!(b.path().await, page, "the received mandate links to its assignments");
    assert_eq!(
        b.find_all("form[id^=\"login-\"]").await.len(),
        2,
        "the administrator and the staff member, not the entity account"
    );
    let (tick, end) =
        (format!("eservices.{}.dsf_tax", firm.staff_id), format!("valid_until.{}.dsf_tax", firm.staff_id));
    let save = format!("save-{}", firm.staff_id);
    b.click(&tick).await;
    b.set_value(&end, &format!("{}-01-15", year + 2)).await;
    b.submit(&save).await;
    b.assert_not_refused("assigning under the mandate").await;
    assert_error_beside(&b, &end, &["beyond_mandate"]).await;
    assert!(b.by_id(&tick).await.is_selected().await.unwrap(), "the ticked box stays ticked");
    b.set_value(&end, &staff_end).await;
    b.submit(&save).await;
    assert_eq!(b.path().await, format!("{page}?done=saved"), "{}", b.main_text().await);
    let acting = b.text_of_id(&format!("acting-{}-dsf_tax", firm.staff_id)).await;
    let until = message("en", "mandates-acting-until").unwrap().replace("{ $until }", &english_day(&staff_end));
    assert_eq!(acting.trim(), until, "the staff member acts until the end chosen");
    for lang in LANGS {
        assert_phone_page(&b, "/admin/mandates", lang).await;
        assert_eq!(b.text("h1").await.trim(), message(lang, "mandates-title").unwrap(), "/admin/mandates in {lang}");
        assert_phone_page(&b, &page, lang).await;
        let title = message(lang, "mandates-assign-title").unwrap().replace("{ $entity }", entity_name(lang));
        assert_eq!(b.text("h1").await.trim(), title, "{page} in {lang}");
        assert_phone_page(&b, "/my/notifications", lang).await;
    }
    b.sign_out().await;

    // The staff member signs in at the e-service and acts for the client.
    b.sign_in(&firm.entity, &firm.staff_user, PASSWORD).await;
    let (challenge, verifier) = openidconnect::PkceCodeChallenge::new_random_sha256();
    let state = uuid::Uuid::new_v4().simple().to_string();
    let authorize = openidconnect::url::Url::parse_with_params(
        &format!("{}/oidc/authorize", s.base),
        &[
            ("response_type", "code"),
            ("client_id", "dsf_tax"),
            ("redirect_uri", redirect.as_str()),
            ("scope", "openid profile entity"),
            ("state", state.as_str()),
            ("nonce", "n-0S6_WzA2Mj"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
            ("ui_locales", "en"),
        ],
    )
    .unwrap();
    b.goto(authorize.as_str()).await;
    assert_eq!(
        b.text("h1").await.trim(),
        message("en", "oidc-choose-title").unwrap(),
        "the chooser: {}",
        b.main_text().await
    );
    assert_translated(&b, "the chooser").await;
    let own = format!("acting-for-{}", firm.entity);
    let for_client = format!("acting-for-{}", client.entity);
    assert!(b.has_id(&own).await && b.has_id(&for_client).await, "own entity and the client: {}", b.main_text().await);
    b.click(&for_client).await;
    b.submit("acting-for-submit").await;
    let landed = openidconnect::url::Url::parse(&b.url().await).unwrap();
    assert!(landed.as_str().starts_with(&format!("{redirect}?")), "back at the e-service: {landed}");
    let param = |name: &str| landed.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
    assert_eq!(param("state").as_deref(), Some(state.as_str()), "{landed}");
    assert_eq!(param("error"), None, "{landed}");
    let code = param("code").unwrap_or_else(|| panic!("a code in {landed}"));
    // The e-service redeems it: the tokens name the client, and the staff member as the actor.
    let http = reqwest::Client::new();
    let tokens: serde_json::Value = http
        .post(format!("{}/oidc/token", s.base))
        .basic_auth("dsf_tax", Some(&secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", redirect.as_str()),
            ("code_verifier", verifier.secret().as_str()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = tokens["access_token"].as_str().unwrap_or_else(|| panic!("an access token: {tokens}")).to_string();
    let (http, access, base) = (&http, &access, &s.base);
    let userinfo = move || async move {
        let res = http.get(format!("{base}/oidc/userinfo")).bearer_auth(access).send().await.unwrap();
        (res.status().as_u16(), res.json::<serde_json::Value>().await.unwrap_or_default())
    };
    let (st, info) = userinfo().await;
    assert_eq!(st, 200, "{info}");
    assert_eq!(info["entity_number"], client.entity.as_str(), "the represented entity: {info}");
    assert_eq!(info["act"]["entity_number"], firm.entity.as_str(), "the acting party: {info}");
    assert_eq!(info["act"]["sub"], info["sub"], "the staff member acts: {info}");
    b.goto("/my/eservices").await;
    b.sign_out().await;

    // The client sees who acts for it, by name only, and ends the mandate.
    b.sign_in(&client.entity, &client.admin_user, PASSWORD).await;
    b.goto("/admin/mandates?lang=en").await;
    let acting = b.text_of_id(&format!("acting-{id}")).await;
    assert!(acting.contains("Staff Wong") && acting.contains("Service dsf_tax"), "who acts for the client: {acting}");
    assert!(acting.contains(&until), "with the end: {acting}");
    assert!(!b.main_text().await.contains("E9896543"), "never an identity number");
    b.submit(&format!("end-{id}")).await;
    assert_eq!(b.path().await, "/admin/mandates?done=ended", "{}", b.main_text().await);
    assert_eq!(mandate_status(&b, &id).await, message("en", "mandates-status-ended").unwrap());
    assert!(!b.has_id(&format!("end-{id}")).await, "an ended mandate is not ended again");
    let (st, info) = userinfo().await;
    assert_ne!(st, 200, "the token made under the mandate stops with it: {info}");
    let (st, lists) =
        s.call("GET", &format!("/entities/{}/mandates", firm.entity), Some(&firm.admin_token), None).await;
    assert_eq!(st, 200, "{lists}");
    assert_eq!(lists["received"][0]["status"], "ended", "ended for the firm too: {lists}");

    // The client's audit names both entities, and the firm's login as the firm's.
    b.goto("/entity/audit?lang=en").await;
    let audit = b.main_text().await;
    let parties = message("en", "audit-mandate-parties")
        .unwrap()
        .replace("{ $mandating }", &client.entity)
        .replace("{ $mandated }", &firm.entity);
    assert!(audit.contains(&parties), "both entities: {audit}");
    let other = message("en", "audit-actor-other-entity-login").unwrap().replace("{ $entity }", &firm.entity);
    assert!(audit.contains(&other), "the firm's login as the firm's: {audit}");
    for lang in LANGS {
        assert_phone_page(&b, "/admin/mandates", lang).await;
        assert_eq!(b.text("h1").await.trim(), message(lang, "mandates-title").unwrap(), "/admin/mandates in {lang}");
        b.goto(&format!("/entity/audit?lang={lang}")).await;
        assert_translated(&b, &format!("/entity/audit in {lang}")).await;
    }
    b.close().await;
}

/// Chooses `contents` as the file of the page's file field `id` (a real file on disk, as a
/// person would pick it).
async fn choose_file(b: &Browser, id: &str, dir: &std::path::Path, name: &str, contents: &str) {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    b.by_id(id).await.send_keys(path.to_str().unwrap()).await.unwrap_or_else(|e| panic!("choose {name}: {e}"));
}

/// R36 and R32 in the browser, in each language: an administrator creates a machine
/// credential and reads its secret once (it works at the token endpoint and is not on the
/// list), then uploads a staff file (Excel's BOM and CRLF) with two bad rows, reads each
/// fault by row and column in the page's language, fixes the file, checks it and creates
/// every login; each new person's activation code reaches the SMS outbox.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r32_r36_an_administrator_creates_a_credential_and_imports_staff_from_a_file() {
    if !available() {
        return;
    }
    let s = Server::start(Backend::Sqlite).await.unwrap();
    let op = s.operator_token().await;
    let o = org(&s, &op, 8).await;
    eservice(&s, &op, "dsat_parking").await;
    let files = tempfile::tempdir().unwrap();
    let b = Browser::open(&s.base).await;
    b.sign_in(&o.entity, &o.admin_user, PASSWORD).await;

    for (i, lang) in LANGS.into_iter().enumerate() {
        // R36: a credential for one e-service, its secret shown once.
        b.goto(&format!("/admin/machine-credentials?lang={lang}")).await;
        assert_eq!(b.html_lang().await, lang);
        assert_translated(&b, &format!("the credentials page in {lang}")).await;
        b.fill("name", &format!("Payroll {lang}")).await;
        b.click("eservices.dsat_parking").await;
        b.set_value("valid_until", &macau_day_after(180)).await;
        b.submit("mc-create-submit").await;
        b.assert_not_refused("creating a credential").await;
        assert_translated(&b, &format!("the created credential in {lang}")).await;
        assert!(b.is_visible("mc-secret-warning").await, "the page warns the secret is shown once");
        let client_id = b.text_of_id("mc-client-id").await.trim().to_string();
        let secret = b.text_of_id("mc-secret").await.trim().to_string();
        assert!(client_id.starts_with("mc.") && secret.len() >= 32, "{client_id} / {secret}");
        let token = s
            .http
            .post(format!("{}/oidc/token", s.base))
            .basic_auth(&client_id, Some(&secret))
            .form(&[("grant_type", "client_credentials"), ("resource", "dsat_parking")])
            .send()
            .await
            .unwrap();
        assert_eq!(token.status().as_u16(), 200, "the secret shown works");
        b.follow("#mc-back").await;
        assert!(b.has_id(&format!("mc-row-{client_id}")).await, "listed: {}", b.main_text().await);
        assert!(!b.source().await.contains(&secret), "the secret is shown once only");

        // R32: a file with two bad rows (3: the mobile, 4: the e-service), as Excel saves it.
        let mobile = |n: usize| format!("+8536638{i}{n:03}");
        let row = |n: usize, mobile: &str, eservices: &str| {
            format!("Import {lang} {n},passport,P8{i}{n:04},{mobile},{eservices}\r\n")
        };
        let header = "\u{feff}name,id_document_type,id_document_number,mobile,eservices\r\n";
        let bad = [
            header.to_string(),
            row(1, &mobile(1), "dsat_parking"),
            row(2, "12345", ""),
            row(3, &mobile(3), "no_such"),
        ]
        .concat();
        b.goto("/admin/staff").await;
        b.follow("#staff-import").await;
        assert_eq!(b.path().await, "/admin/staff/import");
        assert_translated(&b, &format!("the import page in {lang}")).await;
        choose_file(&b, "import-file", files.path(), &format!("staff-{lang}.csv"), &bad).await;
        b.submit("import-check").await;
        assert!(b.is_visible("import-faults").await, "the faults are listed: {}", b.main_text().await);
        assert_translated(&b, &format!("the import faults in {lang}")).await;
        let mut faults = Vec::new();
        for f in b.find_all(".import-fault").await {
            let row = f.attr("data-row").await.unwrap().unwrap_or_default();
            let column = f.attr("data-column").await.unwrap().unwrap_or_default();
            faults.push((row, column, f.text().await.unwrap()));
        }
        let expect = [("3", "mobile", "error-invalid-mobile"), ("4", "eservices", "error-unknown-eservice")];
        assert_eq!(faults.len(), expect.len(), "two faults: {faults:?}");
        for ((row, column, text), (want_row, want_column, key)) in faults.iter().zip(expect) {
            assert_eq!((row.as_str(), column.as_str()), (want_row, want_column), "{faults:?}");
            let said = message(lang, key).unwrap();
            assert!(text.contains(&said), "row {row} says {said:?} in {lang}: {text:?}");
        }
        let (st, logins) = s.call("GET", &format!("/entities/{}/logins", o.entity), Some(&o.admin_token), None).await;
        assert_eq!(st, 200);
        assert!(!logins.to_string().contains(&format!("Import {lang}")), "nothing created on a check: {logins}");

        // Fixed, checked, created.
        let good =
            [header.to_string(), row(1, &mobile(1), "dsat_parking"), row(2, &mobile(2), ""), row(3, &mobile(3), "")]
                .concat();
        choose_file(&b, "import-file", files.path(), &format!("staff-{lang}-fixed.csv"), &good).await;
        b.submit("import-check").await;
        assert!(b.is_visible("import-checked").await, "no faults: {}", b.main_text().await);
        choose_file(&b, "import-file", files.path(), &format!("staff-{lang}-fixed.csv"), &good).await;
        b.submit("import-commit").await;
        assert_eq!(b.path().await, "/admin/staff?imported=3", "{}", b.main_text().await);
        assert!(b.is_visible("notice").await, "the staff page says what was created");
        assert_translated(&b, &format!("the staff page after the import in {lang}")).await;
        for n in 1..=3 {
            assert!(!s.code_for(&mobile(n), 1).await.is_empty(), "an activation code for row {n}");
        }
    }
    b.close().await;
}
