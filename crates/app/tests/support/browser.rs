//! A real browser for the web platform's acceptance suite (`browser.rs`, which includes this
//! file with `#[path = "support/browser.rs"] mod browser_support;` so the other suites do not
//! compile it): headless Chromium driven over WebDriver by `fantoccini`, through a
//! `chromedriver` started on a free port as a child process (killed, with the browser it
//! started, when the `Browser` is dropped).
//!
//! Without Chromium and chromedriver the tests print "skipped: no chromium" and pass, unless
//! `EA_REQUIRE_BROWSER=1` is set (CI), then they fail.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

use crate::support::*;

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const LANGS: [&str; 3] = ["zh-Hant", "pt", "en"];

/// Phone and desktop window sizes.
pub const PHONE: (u32, u32) = (390, 844);
pub const DESKTOP: (u32, u32) = (1280, 900);

/// One browser session at a time: the machine has two cores, and the server under test
/// needs one of them.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Whether this machine can run the suite; `false` means the test should return (it has
/// printed why), and panics instead when `EA_REQUIRE_BROWSER=1`.
pub fn available() -> bool {
    let present = Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
    if !present {
        if std::env::var("EA_REQUIRE_BROWSER").as_deref() == Ok("1") {
            panic!("EA_REQUIRE_BROWSER=1 but {CHROMIUM} or {CHROMEDRIVER} is missing");
        }
        eprintln!("skipped: no chromium");
    }
    present
}

pub struct Browser {
    pub c: Client,
    /// The server's base URL: `goto("/login")` means `{base}/login`.
    pub base: String,
    driver: Child,
    _profile: tempfile::TempDir,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium for the server at `base` (call
    /// `available()` first).
    pub async fn open(base: &str) -> Browser {
        let turn = ONE_AT_A_TIME.lock().await;
        let port = free_port();
        let profile = tempfile::tempdir().unwrap();
        // Its own process group, so that dropping the Browser ends chromedriver and the
        // Chromium it started, even when a test panics before `close`.
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("start chromedriver");
        let url = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = match http.get(format!("{url}/status")).send().await {
                Ok(r) => r.json::<Value>().await.map(|v| v["value"]["ready"] == true).unwrap_or(false),
                Err(_) => false,
            };
            if ready {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver did not start on {url}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let (w, h) = DESKTOP;
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-default-apps", "--no-first-run", "--hide-scrollbars",
                    "--force-device-scale-factor=1",
                    format!("--window-size={w},{h}"),
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            },
        });
        let caps = match caps {
            Value::Object(m) => m,
            _ => unreachable!(),
        };
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let c = ClientBuilder::new(connector).capabilities(caps).connect(&url).await.expect("a WebDriver session");
        Browser { c, base: base.to_string(), driver, _profile: profile, _turn: turn }
    }

    /// Ends the WebDriver session (and so the browser), then chromedriver.
    pub async fn close(self) {
        let _ = self.c.clone().close().await;
    }

    fn abs(&self, path: &str) -> String {
        if path.starts_with('/') {
            format!("{}{path}", self.base)
        } else {
            path.to_string()
        }
    }

    pub async fn goto(&self, path: &str) {
        self.c.goto(&self.abs(path)).await.unwrap_or_else(|e| panic!("goto {path}: {e}"));
        self.wait_loaded().await;
    }

    /// The current URL's path and query, e.g. `/admin/staff?created=1`.
    pub async fn path(&self) -> String {
        let u = self.c.current_url().await.unwrap();
        match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        }
    }

    pub async fn url(&self) -> String {
        self.c.current_url().await.unwrap().to_string()
    }

    pub async fn source(&self) -> String {
        self.c.source().await.unwrap()
    }

    pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.c.execute(script, args).await.unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    async fn wait_loaded(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.js("return document.readyState", vec![]).await != "complete" {
            assert!(Instant::now() < deadline, "page did not finish loading");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// The element matching the CSS selector, or a panic that names it and the page.
    pub async fn find(&self, css: &str) -> Element {
        match self.c.find(Locator::Css(css)).await {
            Ok(e) => e,
            Err(e) => panic!("no {css} on {} ({e})\n{}", self.path().await, self.main_text().await),
        }
    }

    pub async fn try_find(&self, css: &str) -> Option<Element> {
        self.c.find(Locator::Css(css)).await.ok()
    }

    pub async fn find_all(&self, css: &str) -> Vec<Element> {
        self.c.find_all(Locator::Css(css)).await.unwrap()
    }

    /// The element with that id (ids may hold dots and brackets: `entity.name_zh`).
    pub async fn by_id(&self, id: &str) -> Element {
        self.find(&format!("[id=\"{id}\"]")).await
    }

    pub async fn has_id(&self, id: &str) -> bool {
        self.try_find(&format!("[id=\"{id}\"]")).await.is_some()
    }

    /// Types `value` into the field named `name` (replacing what it held); chooses the
    /// option of that value in a select; ticks a checkbox for "on"/"true", unticks it for "".
    pub async fn fill(&self, name: &str, value: &str) {
        let e = self.find(&format!("[name=\"{name}\"]")).await;
        let tag = e.tag_name().await.unwrap().to_lowercase();
        let kind = e.attr("type").await.unwrap().unwrap_or_default();
        if tag == "select" {
            e.select_by_value(value).await.unwrap_or_else(|err| panic!("select {name}={value}: {err}"));
        } else if kind == "checkbox" || kind == "radio" {
            let want = matches!(value, "on" | "true" | "1" | "yes");
            if e.is_selected().await.unwrap() != want {
                e.click().await.unwrap();
            }
        } else {
            e.clear().await.unwrap();
            if !value.is_empty() {
                e.send_keys(value).await.unwrap_or_else(|err| panic!("type into {name}: {err}"));
            }
        }
    }

    /// Sets a field's value without typing: for what the page would never let a person type
    /// (beyond `maxlength`), to show the server checks it too.
    pub async fn set_value(&self, name: &str, value: &str) {
        let found = self
            .js(
                "const e = document.querySelector('[name=\"' + arguments[0] + '\"]'); if (!e) return false; \
                 e.removeAttribute('maxlength'); e.value = arguments[1]; return true;",
                vec![json!(name), json!(value)],
            )
            .await;
        assert_eq!(found, true, "no field {name} on {}", self.path().await);
    }

    /// The value a field holds now.
    pub async fn value(&self, name: &str) -> String {
        let e = self.find(&format!("[name=\"{name}\"]")).await;
        e.prop("value").await.unwrap().unwrap_or_default()
    }

    /// Lets the server, not the browser, judge the forms of this page: no `required`,
    /// `maxlength` or type checks before posting.
    pub async fn no_browser_checks(&self) {
        self.js(
            "document.querySelectorAll('form').forEach(f => f.noValidate = true); \
             document.querySelectorAll('[maxlength]').forEach(e => e.removeAttribute('maxlength'));",
            vec![],
        )
        .await;
    }

    /// Clicks the element with that id (a checkbox, a link, a button that stays on the page).
    pub async fn click(&self, id: &str) {
        self.by_id(id).await.click().await.unwrap_or_else(|e| panic!("click #{id}: {e}"));
    }

    /// Clicks the element with that id and waits for the page it leads to.
    pub async fn submit(&self, id: &str) {
        self.js("window.__ea_before_click = true;", vec![]).await;
        self.click(id).await;
        self.wait_new_page().await;
    }

    /// Follows the link matching the CSS selector, waiting for the page it leads to.
    pub async fn follow(&self, css: &str) {
        self.js("window.__ea_before_click = true;", vec![]).await;
        self.find(css).await.click().await.unwrap_or_else(|e| panic!("click {css}: {e}"));
        self.wait_new_page().await;
    }

    async fn wait_new_page(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let done = self
                .c
                .execute("return window.__ea_before_click !== true && document.readyState === 'complete';", vec![])
                .await
                .map(|v| v == true)
                .unwrap_or(false);
            if done {
                return;
            }
            assert!(Instant::now() < deadline, "no new page after the click on {}", self.path().await);
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// The visible text of the element matching the CSS selector.
    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.unwrap()
    }

    pub async fn text_of_id(&self, id: &str) -> String {
        self.by_id(id).await.text().await.unwrap()
    }

    pub async fn is_visible(&self, id: &str) -> bool {
        match self.try_find(&format!("[id=\"{id}\"]")).await {
            Some(e) => e.is_displayed().await.unwrap_or(false),
            None => false,
        }
    }

    /// The `<main>` text (or the body's when there is no main), for failure messages.
    pub async fn main_text(&self) -> String {
        self.c
            .execute("const m = document.querySelector('main') || document.body; return m ? m.innerText : '';", vec![])
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    pub async fn html_lang(&self) -> String {
        self.js("return document.documentElement.getAttribute('lang') || '';", vec![]).await.as_str().unwrap().into()
    }

    /// Every text the page shows or announces: text nodes (trimmed), the title, and the
    /// `aria-label`, `title`, `placeholder` and `alt` attributes.
    pub async fn texts(&self) -> Vec<String> {
        let v = self
            .js(
                "const out = [document.title]; \
                 const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT); \
                 let n; while ((n = w.nextNode())) { const p = n.parentElement; \
                   if (p && (p.tagName === 'SCRIPT' || p.tagName === 'STYLE')) continue; \
                   const t = n.nodeValue.trim(); if (t) out.push(t); } \
                 document.querySelectorAll('[aria-label],[title],[placeholder],[alt]').forEach(e => \
                   ['aria-label', 'title', 'placeholder', 'alt'].forEach(a => { const t = e.getAttribute(a); if (t) out.push(t.trim()); })); \
                 document.querySelectorAll('input[type=submit],input[type=button]').forEach(e => out.push(e.value)); \
                 return out;",
                vec![],
            )
            .await;
        v.as_array().unwrap().iter().map(|t| t.as_str().unwrap_or_default().to_string()).collect()
    }

    /// Hrefs of the main navigation's links.
    pub async fn nav_links(&self) -> Vec<String> {
        let v = self
            .js("return Array.from(document.querySelectorAll('nav.nav a')).map(a => a.getAttribute('href'));", vec![])
            .await;
        v.as_array().unwrap().iter().map(|t| t.as_str().unwrap_or_default().to_string()).collect()
    }

    /// Every link's href on the page.
    pub async fn links(&self) -> Vec<String> {
        let v = self
            .js("return Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href'));", vec![])
            .await;
        v.as_array().unwrap().iter().map(|t| t.as_str().unwrap_or_default().to_string()).collect()
    }

    /// Sets the window so that the page's viewport is `width`×`height` (the window's own
    /// frame, even headless, takes some of the window size).
    pub async fn set_size(&self, (width, height): (u32, u32)) {
        self.c.set_window_size(width, height).await.unwrap();
        let v = self.js("return [window.innerWidth, window.innerHeight];", vec![]).await;
        let (iw, ih) = (v[0].as_u64().unwrap_or(0) as u32, v[1].as_u64().unwrap_or(0) as u32);
        if (iw, ih) != (width, height) && iw > 0 && ih > 0 {
            self.c.set_window_size(width + width.saturating_sub(iw), height + height.saturating_sub(ih)).await.unwrap();
        }
        // Let the layout settle at the new size.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    /// Sets the viewport to `width`×`height` and writes a PNG of the whole page at that
    /// width to `path` (the viewport grows to the page's height for the picture, up to
    /// 8000 pixels, then comes back).
    pub async fn screenshot(&self, path: &Path, width: u32, height: u32) {
        self.set_size((width, height)).await;
        let full = self.js("return document.documentElement.scrollHeight;", vec![]).await.as_u64().unwrap_or(0);
        let full = (full as u32).clamp(height, 8000);
        if full > height {
            self.set_size((width, full)).await;
        }
        let png = self.c.screenshot().await.unwrap();
        if full > height {
            self.set_size((width, height)).await;
        }
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(path, png).unwrap();
    }

    /// The page's width and, when it is wider than the window, the elements that stick
    /// out (not clipped by a scrolling box), as `tag.class` or `tag#id`, at most five.
    pub async fn overflow(&self) -> (u64, Vec<String>) {
        let v = self
            .js(
                "const vw = document.documentElement.clientWidth; const out = []; \
                 for (const e of document.body.querySelectorAll('*')) { \
                   const r = e.getBoundingClientRect(); if (r.right <= vw + 1 || r.width === 0) continue; \
                   let clipped = false, abs = getComputedStyle(e).position === 'absolute'; \
                   for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) { \
                     const cs = getComputedStyle(a); \
                     if (cs.overflowX !== 'visible' && (!abs || cs.position !== 'static') && a.getBoundingClientRect().right <= vw + 1) { clipped = true; break; } \
                     if (cs.position !== 'static') abs = false; } \
                   if (!clipped && out.length < 5) out.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + String(e.className).split(' ').join('.') : '') + ' ' + Math.round(r.right) + 'px'); } \
                 return [document.documentElement.scrollWidth, out];",
                vec![],
            )
            .await;
        let list = v[1].as_array().unwrap().iter().map(|t| t.as_str().unwrap_or_default().to_string()).collect();
        (v[0].as_u64().unwrap_or(0), list)
    }

    /// Signs in at /login as a login of the entity.
    pub async fn sign_in(&self, entity_number: &str, username: &str, password: &str) {
        self.goto("/login").await;
        self.fill("entity_number", entity_number).await;
        self.fill("username", username).await;
        self.fill("password", password).await;
        self.submit("login-submit").await;
        self.assert_not_refused("signing in").await;
        let p = self.path().await;
        assert!(!p.starts_with("/login"), "{username} is signed in, not back at {p}: {}", self.main_text().await);
    }

    /// Panics when the page is the refusal page (403), naming what was being done.
    pub async fn assert_not_refused(&self, what: &str) {
        let texts = self.texts().await;
        let refused = LANGS.iter().any(|l| message(l, "forbidden-title").is_some_and(|m| texts.contains(&m)));
        assert!(
            !refused,
            "{what}: the server refused the browser's own form (403) at {}: {}",
            self.path().await,
            self.main_text().await
        );
    }

    /// Signs in at /counter/login as the test operator.
    pub async fn sign_in_operator(&self) {
        self.goto("/counter/login").await;
        self.fill("username", OPERATOR).await;
        self.fill("password", OPERATOR_PASSWORD).await;
        self.submit("counter-login-submit").await;
        self.assert_not_refused("the operator signing in").await;
        let p = self.path().await;
        assert!(
            !p.starts_with("/counter/login"),
            "the operator is signed in, not back at {p}: {}",
            self.main_text().await
        );
    }

    /// Fetches `path` outside the browser with the browser's cookies (its session): for
    /// downloads, which a headless browser saves instead of showing. Status, content type
    /// and body.
    pub async fn download(&self, path: &str) -> (u16, String, String) {
        let cookies = self.c.get_all_cookies().await.unwrap();
        let header = cookies.iter().map(|c| format!("{}={}", c.name(), c.value())).collect::<Vec<_>>().join("; ");
        let res = reqwest::Client::new()
            .get(self.abs(path))
            .header("Cookie", header)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let status = res.status().as_u16();
        let kind = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        (status, kind, res.text().await.unwrap_or_default())
    }

    /// Signs out with the header's button, when there is one.
    pub async fn sign_out(&self) {
        if self.has_id("sign-out").await {
            self.submit("sign-out").await;
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // The process group holds chromedriver and the browser it started.
        let pgid = self.driver.id().to_string();
        let _ = Command::new("kill").args(["-KILL", "--", &format!("-{pgid}")]).status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

// ---------------------------------------------------------------------------------------
// The catalogues, to tell a translated text from a key that was never translated.

fn locales_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../server/locales")
}

/// Every message key of every catalogue.
pub fn catalogue_keys() -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for lang in LANGS {
        for entry in std::fs::read_dir(locales_dir().join(lang)).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for line in text.lines() {
                if let Some((k, _)) = line.split_once('=') {
                    let k = k.trim();
                    let first = k.chars().next().unwrap_or(' ');
                    if first.is_ascii_lowercase()
                        && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                    {
                        keys.insert(k.to_string());
                    }
                }
            }
        }
    }
    keys
}

/// The message `key` in `lang`, as the catalogue writes it (single-line messages).
pub fn message(lang: &str, key: &str) -> Option<String> {
    for entry in std::fs::read_dir(locales_dir().join(lang)).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for line in text.lines() {
            if let Some((k, v)) = line.split_once('=') {
                if k.trim() == key && !v.trim().is_empty() {
                    return Some(v.trim().to_string());
                }
            }
        }
    }
    None
}

/// Whether `text` has the shape of a catalogue key (`login-title`, `error-invalid-code`).
pub fn looks_like_key(text: &str) -> bool {
    let mut parts = text.split('-');
    let first = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    !first.is_empty()
        && first.chars().all(|c| c.is_ascii_lowercase())
        && !rest.is_empty()
        && rest.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
}

/// Panics when the page shows a text that is a catalogue key (or has a key's shape).
pub async fn assert_translated(b: &Browser, what: &str) {
    let keys = catalogue_keys();
    let texts = b.texts().await;
    for t in &texts {
        assert!(!looks_like_key(t), "{what} at {}: untranslated text {t:?}", b.path().await);
        assert!(!keys.contains(t.as_str()), "{what} at {}: raw key {t:?}", b.path().await);
    }
    let all = texts.join("\n");
    for k in keys.iter().filter(|k| k.contains('-')) {
        let found = all.split(|c: char| c.is_whitespace() || "·,.:;()[]«»\"“”'".contains(c)).any(|w| w == k);
        assert!(!found, "{what} at {}: raw key {k:?} in the text", b.path().await);
    }
}

// ---------------------------------------------------------------------------------------
// Setting an organisation up over the API (the lifecycle test does it in the browser).

/// An activated organisation: entity account, one administrator, one staff login, all with
/// `PASSWORD`.
#[derive(Clone, Debug)]
pub struct Org {
    pub app_no: String,
    pub entity: String,
    pub entity_user: String,
    pub admin_user: String,
    pub staff_user: String,
    pub admin_id: String,
    pub staff_id: String,
    pub admin_token: String,
}

/// `prefix` is a digit (1-9) keeping this organisation's mobile numbers apart.
pub async fn org(s: &Server, op: &str, prefix: u8) -> Org {
    let entity_mobile = format!("+853662{prefix}0010");
    let admin_mobile = format!("+853662{prefix}0011");
    let staff_mobile = format!("+853662{prefix}0013");
    let app = application(
        &format!("CRN-7{prefix}001"),
        &entity_mobile,
        &[("Admin Chan", "passport", &format!("K76{prefix}4321"), &admin_mobile)],
    );
    let (app_no, entity) = s.approve(op, app).await;
    let (entity_user, admin_user, staff_user) =
        ("company".to_string(), "admin.chan".to_string(), "staff.wong".to_string());
    assert_eq!(s.activate("application_number", &app_no, &entity_mobile, &entity_user).await, "entity");
    assert_eq!(s.activate("entity_number", &entity, &admin_mobile, &admin_user).await, "admin");
    let (admin_token, admin_id) = s.login(&entity, &admin_user).await;
    let (st, b) = s
        .call(
            "POST",
            &format!("/entities/{entity}/logins"),
            Some(&admin_token),
            Some(json!({"name": "Staff Wong", "id_document": {"type": "passport", "number": format!("E98{prefix}6543")}, "mobile": staff_mobile})),
        )
        .await;
    assert_eq!(st, 201, "create staff: {b}");
    let staff_id = b["login_id"].as_str().unwrap().to_string();
    assert_eq!(s.activate("entity_number", &entity, &staff_mobile, &staff_user).await, "staff");
    Org { app_no, entity, entity_user, admin_user, staff_user, admin_id, staff_id, admin_token }
}

/// Registers an e-service in the catalogue over the API.
pub async fn eservice(s: &Server, op: &str, code: &str) {
    let body = json!({
        "code": code, "names": {"zh": format!("{code} 服務"), "pt": format!("Serviço {code}"), "en": format!("Service {code}")},
        "department": "DSAT", "assurance": "basic", "requires_registration": false,
    });
    let (st, b) = s.call("POST", "/counter/eservices", Some(op), Some(body)).await;
    assert_eq!(st, 201, "create e-service {code}: {b}");
}
