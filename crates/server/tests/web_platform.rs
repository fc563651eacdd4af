//! The web platform's own rules through the router (`oneshot`, no network): page headers
//! (R14: CSP without inline script, no framing, no-store), `__Host-` cookies behind https,
//! language negotiation and the switcher, CSRF and cross-origin refusals, `next=` that
//! never leaves the site, and pages (not JSON) for browsers that ask for a missing page.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use domain::clock::SystemClock;
use domain::config::Policy;
use domain::crypto::Vault;
use domain::password_hash::HashParams;
use domain::Services;
use http_body_util::BodyExt;
use server::hashing::Argon2Pool;
use server::AppState;
use tower::ServiceExt;

const ISSUER: &str = "https://ea.example.mo";

async fn router_for(issuer: &str) -> (axum::Router, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = store::open(&format!("sqlite://{}", dir.path().join("w.db").display())).await.unwrap();
    let services = Arc::new(Services {
        store,
        hasher: Arc::new(Argon2Pool::new(HashParams { m_kib: 64, t: 1, p: 1 }, 1)),
        clock: Arc::new(SystemClock),
        vault: Arc::new(Vault::new(&[6u8; 32]).unwrap()),
        policy: Policy::default(),
        sms_queued: Arc::new(|| {}),
        issue_queue: Default::default(),
    });
    (server::router(AppState::new(services).with_issuer(issuer)), dir)
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> String {
        self.headers.get(name).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
    }
    fn cookies(&self) -> Vec<String> {
        self.headers.get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_string()).collect()
    }
}

async fn send(app: &axum::Router, req: Request<Body>) -> Answer {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    Answer { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
}

fn get(uri: &str) -> axum::http::request::Builder {
    Request::builder().method("GET").uri(uri).header(header::ACCEPT, "text/html")
}

/// The value of the hidden `csrf` field of a page.
fn csrf_of(body: &str) -> String {
    let at = body.find("name=\"csrf\" value=\"").expect("a csrf field") + "name=\"csrf\" value=\"".len();
    body[at..].split('"').next().unwrap().to_string()
}

fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_string()
}

#[tokio::test]
async fn r14_pages_forbid_inline_script_framing_and_caching() {
    let (app, _d) = router_for(ISSUER).await;
    for path in ["/login", "/activate", "/help", "/applications/status", "/counter/login"] {
        let a = send(&app, get(path).body(Body::empty()).unwrap()).await;
        assert_eq!(a.status, StatusCode::OK, "{path}");
        let csp = a.header("content-security-policy");
        assert!(csp.contains("default-src 'none'"), "{path}: {csp}");
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(a.header("x-frame-options"), "DENY", "{path}");
        assert_eq!(a.header("cache-control"), "no-store", "{path}");
        assert!(!a.body.contains("<script") && !a.body.contains(" style=\""), "{path}: no inline script or style");
    }
    // The stylesheet may be kept: its URL changes with its content.
    let css = send(&app, get("/assets/app.css").body(Body::empty()).unwrap()).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.header("cache-control").contains("immutable"));
}

#[tokio::test]
async fn r14_behind_https_cookies_are_host_prefixed_secure_httponly_and_samesite() {
    let (app, _d) = router_for(ISSUER).await;
    let a = send(&app, get("/login?lang=en").body(Body::empty()).unwrap()).await;
    let cookies = a.cookies();
    assert!(!cookies.is_empty());
    for c in &cookies {
        assert!(c.starts_with("__Host-"), "{c}");
        assert!(c.contains("; Secure") && c.contains("HttpOnly") && c.contains("SameSite=Lax"), "{c}");
        assert!(c.contains("Path=/") && !c.to_ascii_lowercase().contains("domain="), "{c}");
    }
    // Plain HTTP (development on localhost) drops the prefix and `Secure`, or browsers would refuse them.
    let (dev, _d2) = router_for("http://127.0.0.1:8080").await;
    let a = send(&dev, get("/login").body(Body::empty()).unwrap()).await;
    assert!(a.cookies().iter().all(|c| !c.starts_with("__Host-") && !c.contains("Secure")), "{:?}", a.cookies());
}

#[tokio::test]
async fn languages_come_from_the_choice_the_cookie_then_accept_language() {
    let (app, _d) = router_for(ISSUER).await;
    // First visit: the browser's language.
    let a = send(
        &app,
        get("/login").header(header::ACCEPT_LANGUAGE, "pt-PT,pt;q=0.9,en;q=0.5").body(Body::empty()).unwrap(),
    )
    .await;
    assert!(a.body.contains("<html lang=\"pt\">"), "{}", &a.body[..200]);
    // No preference at all: Traditional Chinese.
    let a = send(&app, get("/login").body(Body::empty()).unwrap()).await;
    assert!(a.body.contains("<html lang=\"zh-Hant\">"));
    // `?lang=` switches and is remembered in a cookie that beats Accept-Language.
    let a = send(&app, get("/login?lang=en").body(Body::empty()).unwrap()).await;
    assert!(a.body.contains("<html lang=\"en\">"));
    let lang = a.cookies().into_iter().find(|c| c.starts_with("__Host-ea_lang=")).expect("the choice is remembered");
    let a = send(
        &app,
        get("/activate")
            .header(header::COOKIE, cookie_pair(&lang))
            .header(header::ACCEPT_LANGUAGE, "pt")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(a.body.contains("<html lang=\"en\">"));
    // The switcher reloads this page in each language.
    for tag in ["zh-Hant", "pt", "en"] {
        assert!(a.body.contains(&format!("href=\"&#x2f;activate?lang={tag}\"")), "{tag}: {}", a.body);
    }
}

#[tokio::test]
async fn r14_a_form_without_its_csrf_value_or_from_another_origin_is_refused() {
    let (app, _d) = router_for(ISSUER).await;
    let page = send(&app, get("/login?lang=en").body(Body::empty()).unwrap()).await;
    let csrf = csrf_of(&page.body);
    let cookies: Vec<String> = page.cookies().iter().map(|c| cookie_pair(c)).collect();
    let post = |body: String, origin: &str| {
        Request::builder()
            .method("POST")
            .uri("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, cookies.join("; "))
            .header(header::ORIGIN, origin)
            .body(Body::from(body))
            .unwrap()
    };
    let fields = "entity_number=12345678&username=someone&password=a+long+enough+password";
    // Ours: the form is taken (and the sign-in fails on its merits).
    let ours = send(&app, post(format!("csrf={csrf}&{fields}"), ISSUER)).await;
    assert_ne!(ours.status, StatusCode::FORBIDDEN, "{}", ours.body);
    for (what, body, origin) in [
        ("no csrf value", fields.to_string(), ISSUER),
        ("a forged csrf value", format!("csrf={}&{fields}", "0".repeat(64)), ISSUER),
        ("another origin", format!("csrf={csrf}&{fields}"), "https://evil.example"),
    ] {
        let a = send(&app, post(body, origin)).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{what}");
        assert!(a.body.contains("<html lang=\"en\">"), "{what}: the refusal is a page in the page's language");
    }
}

#[tokio::test]
async fn r14_next_never_leaves_the_site_and_a_crafted_location_is_not_a_500() {
    let (app, _d) = router_for(ISSUER).await;
    for next in ["%2F%09%2Fevil.example", "%2F%0A", "https%3A%2F%2Fevil.example", "%2F%2Fevil.example"] {
        let a = send(&app, get(&format!("/login?next={next}")).body(Body::empty()).unwrap()).await;
        assert_eq!(a.status, StatusCode::OK, "{next}");
        assert!(!a.body.contains("name=\"next\""), "{next}: a foreign next is dropped");
    }
    let a = send(&app, get("/login?next=%2Fadmin%2Fstaff").body(Body::empty()).unwrap()).await;
    assert!(a.body.contains("name=\"next\" value=\"&#x2f;admin&#x2f;staff\""), "our own path is kept");
}

#[tokio::test]
async fn a_browser_asking_for_a_missing_page_gets_a_page_and_programs_get_problem_json() {
    let (app, _d) = router_for(ISSUER).await;
    let a = send(&app, get("/no/such/page?lang=pt").body(Body::empty()).unwrap()).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert!(a.header("content-type").starts_with("text/html") && a.body.contains("<html lang=\"pt\">"));
    let a = send(&app, Request::builder().uri("/no/such/page").body(Body::empty()).unwrap()).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert!(a.header("content-type").starts_with("application/problem+json"));
    let a = send(&app, get("/api/v1/nothing").body(Body::empty()).unwrap()).await;
    assert!(a.header("content-type").starts_with("application/problem+json"), "the API answers JSON to anyone");
}

#[tokio::test]
async fn the_providers_pages_speak_the_language_chosen_on_them() {
    let (app, _d) = router_for(ISSUER).await;
    // An unknown client is refused without a redirect; the page is still in the chosen language.
    let a = send(&app, get("/oidc/authorize?client_id=nobody&lang=en").body(Body::empty()).unwrap()).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.body.contains("<html lang=\"en\">"), "{}", a.body);
}
