//! Acceptance: advanced electronic identification (R21–R24, `docs/eid.md`) on both backends —
//! the reference mobile app (`entity-account app`, run as a subprocess) signs in, requests an
//! enrolment and shows its sealed payload; the operator binds it at the counter after checking
//! the identity document; advanced e-services then ask for a second factor after the password
//! (the security verification code, RFC 6238 with a ±1 step window and no replay, or face
//! recognition with NIST's waits and switch-off), and the ID token says so (`acr`, `amr`).
//! Userinfo refuses a token whose sign-in no longer meets its e-service (RFC 9470).

#[path = "support/oidc.rs"]
mod oidc_support;
mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use oidc_support::*;
use serde_json::{json, Value};
use sqlx::Connection;
use support::*;

const STAFF_PASSPORT: &str = "E9876543";
const MACAU_ID: &str = "7123456(1)";
const MACAU_MOBILE: &str = "+85366100014";
const MACAU_USER: &str = "lei";
const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];

// ---------------------------------------------------------------------------------------
// The reference app, as a subprocess.

struct App {
    state: PathBuf,
    /// The app's working folder: it must stay empty (no database, no key file).
    cwd: PathBuf,
}

impl App {
    fn new(dir: &Path, name: &str) -> App {
        let cwd = dir.join(format!("{name}-cwd"));
        std::fs::create_dir_all(&cwd).unwrap();
        App { state: dir.join(format!("{name}.json")), cwd }
    }

    /// `entity-account app --state FILE ARGS…`, with `stdin`; no database, no key: it speaks
    /// only HTTP.
    async fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut c = std::process::Command::new(BIN);
        c.arg("app").arg("--state").arg(&self.state).args(args);
        c.env_remove("EA_DATABASE_URL").env_remove("EA_KEY_FILE").env_remove("EA_APP_STATE").current_dir(&self.cwd);
        c.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = c.spawn().expect("spawn entity-account app");
        {
            use std::io::Write;
            let mut input = child.stdin.take().unwrap();
            if let Some(s) = stdin {
                input.write_all(s.as_bytes()).unwrap();
            }
        }
        tokio::task::spawn_blocking(move || child.wait_with_output().unwrap()).await.unwrap()
    }

    async fn ok(&self, args: &[&str], stdin: Option<&str>) -> String {
        let out = self.run(args, stdin).await;
        assert!(
            out.status.success(),
            "app {args:?} exits 0, got {:?}: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    async fn login(&self, s: &Server, entity: &str, username: &str) {
        self.ok(
            &["login", "--base-url", &s.base, "--entity-number", entity, "--username", username, "--password-stdin"],
            Some(&format!("{PASSWORD}\n")),
        )
        .await;
    }

    /// `enrol`: the payload, which is all the app prints on standard output.
    async fn enrol(&self, png: Option<&Path>) -> String {
        let mut args = vec!["enrol".to_string()];
        if let Some(p) = png {
            args.push("--png".into());
            args.push(p.display().to_string());
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = self.run(&refs, None).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "app enrol exits 0, got {:?}: {stderr}", out.status.code());
        let stdout = String::from_utf8(out.stdout).unwrap();
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.len(), 1, "the payload alone on standard output: {stdout:?}");
        let payload = lines[0].trim().to_string();
        assert!(payload.starts_with("EA1.") && payload.split('.').count() == 4, "an EA1 payload: {payload}");
        assert!(stderr.contains('█') || stderr.contains('▀') || stderr.contains('▄'), "the QR on standard error");
        payload
    }

    async fn code(&self) -> String {
        let code = self.ok(&["code"], None).await.trim().to_string();
        assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()), "a 6-digit code: {code:?}");
        code
    }

    fn state_json(&self) -> Value {
        serde_json::from_slice(&std::fs::read(&self.state).unwrap()).unwrap()
    }

    /// The TOTP secret the app keeps (hex in its state file).
    fn secret(&self) -> Vec<u8> {
        let st = self.state_json();
        let hex_text = st["totp_secret_hex"].as_str().unwrap_or_else(|| panic!("totp_secret_hex in {st}"));
        let bytes: Vec<u8> =
            (0..hex_text.len()).step_by(2).map(|i| u8::from_str_radix(&hex_text[i..i + 2], 16).expect("hex")).collect();
        assert_eq!(bytes.len(), 20, "a 160-bit secret (R24)");
        bytes
    }

    fn mode(&self) -> u32 {
        std::fs::metadata(&self.state).unwrap().permissions().mode() & 0o777
    }
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Every text form the secret could be stored or sent in.
fn encodings_of(secret: &[u8]) -> Vec<String> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let hex = hex_of(secret);
    vec![
        hex.clone(),
        hex.to_uppercase(),
        STANDARD.encode(secret),
        STANDARD_NO_PAD.encode(secret),
        URL_SAFE.encode(secret),
        URL_SAFE_NO_PAD.encode(secret),
    ]
}

fn now_unix() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

// ---------------------------------------------------------------------------------------
// The organisations, e-services and the counter.

/// An organisation like `oidc_support::org`, numbered `k` so that several can live in one
/// database (registration number and mobiles differ); the staff login is registered with
/// `staff_doc`.
async fn org_k(s: &Server, op: &str, k: u32, staff_doc: (&str, &str)) -> Org {
    let m = |last: u32| format!("+853{}", 66100000 + k * 100 + last);
    let (entity_mobile, admin_mobile, staff_mobile) = (m(10), m(11), m(13));
    let admin_passport = format!("K765432{k}");
    let app = application(
        &format!("CRN-9100{k}"),
        &entity_mobile,
        &[("Admin Chan", "passport", admin_passport.as_str(), &admin_mobile[4..])],
    );
    let (app_no, entity) = s.approve(op, app).await;
    assert_eq!(s.activate("application_number", &app_no, &entity_mobile, ENTITY_USER).await, "entity");
    assert_eq!(s.activate("entity_number", &entity, &admin_mobile, ADMIN_USER).await, "admin");
    let (entity_token, entity_id) = s.login(&entity, ENTITY_USER).await;
    let (admin_token, admin_id) = s.login(&entity, ADMIN_USER).await;
    let (st, b) = s
        .call(
            "POST",
            &format!("/entities/{entity}/logins"),
            Some(&admin_token),
            Some(json!({"name": STAFF_NAME, "id_document": {"type": staff_doc.0, "number": staff_doc.1}, "mobile": &staff_mobile[4..]})),
        )
        .await;
    assert_eq!(st, 201, "create staff: {b}");
    let staff_id = b["login_id"].as_str().unwrap().to_string();
    assert_eq!(s.activate("entity_number", &entity, &staff_mobile, STAFF_USER).await, "staff");
    let (staff_token, id) = s.login(&entity, STAFF_USER).await;
    assert_eq!(id, staff_id);
    Org { entity, entity_token, entity_id, admin_token, admin_id, staff_token, staff_id }
}

/// A second staff login of `org`, registered with a Macau resident card: (token, login id).
async fn macau_login(s: &Server, org: &Org) -> (String, String) {
    let (st, b) = s
        .call(
            "POST",
            &format!("/entities/{}/logins", org.entity),
            Some(&org.admin_token),
            Some(json!({"name": "Lei Face", "id_document": {"type": "macau_resident", "number": MACAU_ID}, "mobile": &MACAU_MOBILE[4..]})),
        )
        .await;
    assert_eq!(st, 201, "create the Macau resident login: {b}");
    let id = b["login_id"].as_str().unwrap().to_string();
    assert_eq!(s.activate("entity_number", &org.entity, MACAU_MOBILE, MACAU_USER).await, "staff");
    let (token, got) = s.login(&org.entity, MACAU_USER).await;
    assert_eq!(got, id);
    (token, id)
}

/// `POST /api/v1/counter/eservices` with `assurance` and an `oidc` block.
async fn add_eservice_with(s: &Server, op: &str, code: &str, assurance: &str) -> Rp {
    let body = json!({
        "code": code, "names": {"zh": format!("{code} 服務"), "pt": format!("Serviço {code}"), "en": format!("Service {code}")},
        "department": "DSAL", "assurance": assurance, "requires_registration": false,
        "oidc": {"redirect_uris": [REDIRECT], "post_logout_redirect_uris": [POST_LOGOUT]},
    });
    let (st, b) = s.call("POST", "/counter/eservices", Some(op), Some(body)).await;
    assert_eq!(st, 201, "create e-service {code}: {b}");
    assert_eq!(b["assurance"], assurance, "{b}");
    let secret = b["client_secret"].as_str().unwrap_or_else(|| panic!("client_secret in {b}")).to_string();
    Rp { code: code.into(), client_id: b["client_id"].as_str().unwrap().into(), client_secret: secret }
}

/// The operator's scan: `POST …/logins/{id}/security-code`.
async fn bind(s: &Server, op: &str, entity: &str, login_id: &str, payload: &str, doc: (&str, &str)) -> (u16, Value) {
    s.call(
        "POST",
        &format!("/counter/entities/{entity}/logins/{login_id}/security-code"),
        Some(op),
        Some(json!({"payload": payload, "id_document": {"type": doc.0, "number": doc.1}})),
    )
    .await
}

async fn bind_ok(s: &Server, op: &str, entity: &str, login_id: &str, payload: &str, doc: (&str, &str)) {
    let (st, b) = bind(s, op, entity, login_id, payload, doc).await;
    assert_eq!(st, 204, "the counter binds the app: {b}");
}

/// Asserts a problem answer (status and `code`).
fn assert_problem(what: &str, (st, b): &(u16, Value), status: u16, code: &str) {
    assert_eq!((*st, b["code"].as_str()), (status, Some(code)), "{what}: {b}");
}

/// Asserts a 422 whose field errors name `field` with `code`.
fn assert_field_error(what: &str, (st, b): &(u16, Value), field: &str, code: Option<&str>) {
    assert_eq!(*st, 422, "{what}: {b}");
    let errors = b["errors"].as_array().unwrap_or_else(|| panic!("{what}: field errors in {b}"));
    assert!(
        errors.iter().any(|e| e["field"] == field && code.is_none_or(|c| e["code"] == c)),
        "{what}: an error on field {field:?} ({code:?}): {b}"
    );
}

async fn eid_state(s: &Server, token: &str) -> Value {
    let (st, b) = s.call("GET", "/me/eid", Some(token), None).await;
    assert_eq!(st, 200, "GET /me/eid: {b}");
    b
}

/// One value from the database (tests that read what the API does not show).
async fn query_i64(s: &Server, sql: &str) -> i64 {
    match s.backend {
        Backend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&s.database_url).await.unwrap();
            sqlx::query_scalar::<_, i64>(sql).fetch_one(&mut c).await.unwrap()
        }
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(&s.database_url).await.unwrap();
            sqlx::query_scalar::<_, i64>(sql).fetch_one(&mut c).await.unwrap()
        }
    }
}

// ---------------------------------------------------------------------------------------
// The browser's step-up.

/// The second-factor page: its form's hidden fields (`authorize`, `csrf`, …).
struct StepUp {
    fields: Vec<(String, String)>,
}

/// Asserts that `page` is the second-factor page (`200`, a form to `/oidc/step-up` with
/// hidden `authorize` and `csrf`).
fn step_up_page(what: &str, page: &Page) -> StepUp {
    assert_eq!(
        page.status, 200,
        "{what}: the second-factor page, got {} {:?}: {}",
        page.status, page.location, page.body
    );
    assert!(page.body.contains("/oidc/step-up"), "{what}: the form posts to /oidc/step-up: {}", page.body);
    let fields = hidden_inputs(&page.body);
    for f in ["authorize", "csrf"] {
        assert!(fields.iter().any(|(n, _)| n == f), "{what}: hidden {f} in the step-up form: {}", page.body);
    }
    StepUp { fields }
}

fn is_step_up_page(page: &Page) -> bool {
    page.status == 200 && page.body.contains("/oidc/step-up")
}

/// Posts the step-up form with `method` and its field; keeps the form's fields of a
/// re-rendered page for the next try.
async fn post_step_up(b: &mut Browser, form: &mut StepUp, method: &str, value: &str) -> Page {
    let field = if method == "otp" { "security_code" } else { "capture_ref" };
    let mut fields: Vec<(String, String)> =
        form.fields.iter().filter(|(n, _)| n != "method" && n != field).cloned().collect();
    fields.push(("method".into(), method.into()));
    fields.push((field.into(), value.into()));
    let url = format!("{}/oidc/step-up", b.base);
    let page = b.post_form(&url, &fields).await;
    if page.body.contains("/oidc/step-up") {
        let again = hidden_inputs(&page.body);
        if again.iter().any(|(n, _)| n == "authorize") {
            form.fields = again;
        }
    }
    page
}

/// The authorization code a step-up answer carries (asserting the 303 to the e-service).
fn code_of(what: &str, page: &Page, state: &str) -> String {
    assert_eq!(
        page.status, 303,
        "{what}: 303 to the e-service, got {} {:?}: {}",
        page.status, page.location, page.body
    );
    let loc = page.redirect();
    assert_eq!(without_query(&loc), REDIRECT, "{what}: {loc}");
    assert_eq!(param(&loc, "error"), None, "{what}: {loc}");
    assert_eq!(param(&loc, "state").as_deref(), Some(state), "{what}: {loc}");
    param(&loc, "code").unwrap_or_else(|| panic!("{what}: a code in {loc}"))
}

/// Asserts that a step-up try was refused: a 4xx page (like a wrong password's `401`), not a
/// redirect (which would carry a code, or mean the session was lost), not a server error.
fn assert_refused(what: &str, page: &Page) {
    assert!(
        (400..500).contains(&page.status),
        "{what}: refused with a 4xx page, got {} {:?}: {}",
        page.status,
        page.location,
        page.body
    );
}

/// A fresh browser signs `username` in for `rp`; asserts the second-factor page.
async fn sign_in_to_step_up(s: &Server, rp: &Rp, entity: &str, username: &str) -> (Browser, StepUp, AuthRequest) {
    let mut b = Browser::new(&s.base);
    let req = auth_request(&s.base, &rp.client_id, "openid profile entity");
    let page = b.sign_in(&req.url, entity, username, PASSWORD).await;
    let form = step_up_page(&format!("{username} after the password"), &page);
    (b, form, req)
}

/// Redeems the code and verifies the ID token: its claims.
async fn id_token_claims(s: &Server, rp: &Rp, code: &str, req: &AuthRequest) -> (Value, Value) {
    let tokens = redeem(s, rp, code, &req.verifier).await;
    let claims = verify_es256(tokens["id_token"].as_str().unwrap(), &jwks(s).await, &s.base, &rp.client_id, true);
    assert_eq!(claims["nonce"], req.nonce.as_str(), "{claims}");
    (tokens, claims)
}

/// `GET /oidc/userinfo`: (status, `WWW-Authenticate`, body).
async fn userinfo_with_header(s: &Server, access_token: &str) -> (u16, String, String) {
    let res = s.http.get(format!("{}/oidc/userinfo", s.base)).bearer_auth(access_token).send().await.unwrap();
    let st = res.status().as_u16();
    let www = res.headers().get("www-authenticate").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (st, www, res.text().await.unwrap_or_default())
}

// ---------------------------------------------------------------------------------------
// R23, R21: end to end with the reference app.

on_both_backends!(
    r23_r21_the_app_bound_at_the_counter_steps_a_sign_in_up_to_advanced,
    ["--face-verifier", "dev"],
    |s: Server| async move {
        let op = s.operator_token().await;
        let org = org(&s, &op).await;
        let rp = add_eservice_with(&s, &op, "dsal-advanced", "advanced").await;
        assign(&s, &org, &org.staff_id, &[&rp.code]).await;

        let app = App::new(s.dir.path(), "app");
        // A wrong password is the server's refusal: exit 2, its problem code on one line.
        let out = app
            .run(
                &[
                    "login",
                    "--base-url",
                    &s.base,
                    "--entity-number",
                    &org.entity,
                    "--username",
                    STAFF_USER,
                    "--password-stdin",
                ],
                Some("not the password\n"),
            )
            .await;
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "a refused sign-in exits 2: {err}");
        assert!(err.contains("invalid_credentials") && err.trim().lines().count() == 1, "{err}");

        app.login(&s, &org.entity, STAFF_USER).await;
        assert_eq!(app.mode(), 0o600, "the state file is the person's only");
        let (st, before) = s.call("GET", "/me/eid", Some(&org.staff_token), None).await;
        assert_eq!(st, 200, "{before}");
        assert_eq!(before["security_code"], json!({"available": true, "enrolled": false}), "{before}");
        assert_eq!(before["face"]["available"], false, "{before}");

        let png = s.dir.path().join("qr.png");
        let payload = app.enrol(Some(&png)).await;
        let bytes = std::fs::read(&png).expect("the PNG is written");
        assert!(bytes.starts_with(&PNG_SIGNATURE), "a PNG file");
        assert_eq!(app.mode(), 0o600, "the state file holding the secret stays 0600");
        let leftovers: Vec<String> = std::fs::read_dir(s.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("app.json") && n != "app.json")
            .collect();
        assert!(leftovers.is_empty(), "no temporary state file is left: {leftovers:?}");

        bind_ok(&s, &op, &org.entity, &org.staff_id, &payload, ("passport", STAFF_PASSPORT)).await;
        let after = eid_state(&s, &org.staff_token).await;
        assert_eq!(after["security_code"], json!({"available": true, "enrolled": true}), "{after}");
        let (st, counter_view) = s
            .call("GET", &format!("/counter/entities/{}/logins/{}/eid", org.entity, org.staff_id), Some(&op), None)
            .await;
        assert_eq!(st, 200, "{counter_view}");
        assert_eq!(counter_view["security_code"]["enrolled"], true, "{counter_view}");

        let (st, inbox) = s.call("GET", "/me/notifications", Some(&org.staff_token), None).await;
        assert_eq!(st, 200, "{inbox}");
        assert!(
            inbox["notifications"].as_array().unwrap().iter().any(|n| n["kind"] == "security_code_bound"),
            "R24: every new binding sends a notification: {inbox}"
        );

        // Sign in to the advanced e-service: the password, then the second-factor page.
        let (mut b, mut form, req) = sign_in_to_step_up(&s, &rp, &org.entity, STAFF_USER).await;
        let code = app.code().await;
        let page = post_step_up(&mut b, &mut form, "otp", &code).await;
        let auth_code = code_of("the app's code", &page, &req.state);
        let (tokens, claims) = id_token_claims(&s, &rp, &auth_code, &req).await;
        assert_eq!(claims["acr"], "advanced", "{claims}");
        assert_eq!(claims["amr"], json!(["pwd", "otp"]), "{claims}");
        assert_eq!(claims["sub"], org.staff_id.as_str(), "{claims}");
        let (st, info) = userinfo(&s, tokens["access_token"].as_str().unwrap()).await;
        assert_eq!(st, 200, "an advanced token passes userinfo: {info}");
        let opened: Vec<_> = std::fs::read_dir(&app.cwd).unwrap().collect();
        assert!(opened.is_empty(), "the app created nothing beside its state (no database, no key): {opened:?}");
    }
);

// ---------------------------------------------------------------------------------------
// R23: the binding is per login, so per entity.

on_both_backends!(
    r23_a_code_bound_in_one_entity_is_refused_in_another,
    ["--face-verifier", "dev"],
    |s: Server| async move {
        let op = s.operator_token().await;
        // The same person (same passport) is staff in two entities.
        let a = org_k(&s, &op, 1, ("passport", STAFF_PASSPORT)).await;
        let bo = org_k(&s, &op, 2, ("passport", STAFF_PASSPORT)).await;
        let rp = add_eservice_with(&s, &op, "dsal-advanced", "advanced").await;
        assign(&s, &a, &a.staff_id, &[&rp.code]).await;
        assign(&s, &bo, &bo.staff_id, &[&rp.code]).await;

        let app_a = App::new(s.dir.path(), "app-a");
        app_a.login(&s, &a.entity, STAFF_USER).await;
        let payload = app_a.enrol(None).await;
        // A's payload cannot bind B's login, even with the same person's document.
        let refused = bind(&s, &op, &bo.entity, &bo.staff_id, &payload, ("passport", STAFF_PASSPORT)).await;
        assert_problem("A's enrolment posted for B's login", &refused, 409, "enrolment_invalid");
        bind_ok(&s, &op, &a.entity, &a.staff_id, &payload, ("passport", STAFF_PASSPORT)).await;
        assert_eq!(eid_state(&s, &bo.staff_token).await["security_code"]["enrolled"], false);

        // B's login has no factor yet: the page with nothing A's code can satisfy, or
        // unmet_authentication_requirements.
        let mut b = Browser::new(&s.base);
        let req = auth_request(&s.base, &rp.client_id, "openid profile entity");
        let page = b.sign_in(&req.url, &bo.entity, STAFF_USER, PASSWORD).await;
        if is_step_up_page(&page) {
            let mut form = step_up_page("B without a code", &page);
            let code_a = app_a.code().await;
            let page = post_step_up(&mut b, &mut form, "otp", &code_a).await;
            assert_refused("A's code for B's login (B unbound)", &page);
        } else {
            let loc = page.redirect();
            assert_eq!(without_query(&loc), REDIRECT, "{loc}");
            assert_eq!(param(&loc, "error").as_deref(), Some("unmet_authentication_requirements"), "{loc}");
            assert_eq!(param(&loc, "state").as_deref(), Some(req.state.as_str()), "{loc}");
        }

        // B enrols with its own app (a person with logins in two entities enrols twice).
        let app_b = App::new(s.dir.path(), "app-b");
        app_b.login(&s, &bo.entity, STAFF_USER).await;
        let payload_b = app_b.enrol(None).await;
        bind_ok(&s, &op, &bo.entity, &bo.staff_id, &payload_b, ("passport", STAFF_PASSPORT)).await;
        assert_ne!(app_a.secret(), app_b.secret(), "each app makes its own secret");

        let (mut b, mut form, req) = sign_in_to_step_up(&s, &rp, &bo.entity, STAFF_USER).await;
        let code_a = app_a.code().await;
        let code_b = app_b.code().await;
        if code_a != code_b {
            let page = post_step_up(&mut b, &mut form, "otp", &code_a).await;
            assert_refused("A's code for B's login", &page);
        }
        let page = post_step_up(&mut b, &mut form, "otp", &code_b).await;
        let auth_code = code_of("B's code for B's login", &page, &req.state);
        let (_, claims) = id_token_claims(&s, &rp, &auth_code, &req).await;
        assert_eq!((claims["acr"].as_str(), claims["sub"].as_str()), (Some("advanced"), Some(bo.staff_id.as_str())));

        // A's binding is untouched by B's: A's app still steps A up.
        let (mut b, mut form, req) = sign_in_to_step_up(&s, &rp, &a.entity, STAFF_USER).await;
        let page = post_step_up(&mut b, &mut form, "otp", &app_a.code().await).await;
        let auth_code = code_of("A's code for A's login", &page, &req.state);
        let (_, claims) = id_token_claims(&s, &rp, &auth_code, &req).await;
        assert_eq!((claims["acr"].as_str(), claims["sub"].as_str()), (Some("advanced"), Some(a.staff_id.as_str())));
    }
);

// ---------------------------------------------------------------------------------------
// R23, R24: what the counter refuses, and where the secret never is.

on_both_backends!(
    r23_the_counter_refuses_other_documents_used_or_expired_enrolments,
    ["--face-verifier", "dev"],
    |s: Server| async move {
        let op = s.operator_token().await;
        let org = org(&s, &op).await;
        let app = App::new(s.dir.path(), "app");
        app.login(&s, &org.entity, STAFF_USER).await;
        let (n, staff) = (org.entity.clone(), org.staff_id.clone());

        // Enrolment 1: the operator checks the document; another number or type is refused.
        let p1 = app.enrol(None).await;
        let r = bind(&s, &op, &n, &staff, &p1, ("passport", "X1234567")).await;
        assert_field_error("another document number", &r, "id_document", Some("id_document_mismatch"));
        let r = bind(&s, &op, &n, &staff, &p1, ("other", STAFF_PASSPORT)).await;
        assert_field_error("another document type", &r, "id_document", Some("id_document_mismatch"));
        // A payload that does not open.
        let mut parts: Vec<String> = p1.split('.').map(str::to_string).collect();
        let last = parts[3].clone();
        let flipped = if last.ends_with('A') { 'B' } else { 'A' };
        parts[3] = format!("{}{flipped}", &last[..last.len() - 1]);
        let r = bind(&s, &op, &n, &staff, &parts.join("."), ("passport", STAFF_PASSPORT)).await;
        assert_field_error("a payload that does not open", &r, "payload", None);
        // Another login's enrolment (the administrator's login, with the administrator's document).
        let r = bind(&s, &op, &n, &org.admin_id, &p1, ("passport", "K7654321")).await;
        assert_problem("an enrolment of another login", &r, 409, "enrolment_invalid");
        assert_eq!(eid_state(&s, &org.staff_token).await["security_code"]["enrolled"], false, "nothing bound so far");

        // Enrolment 2: bound once; the same payload again is refused.
        let p2 = app.enrol(None).await;
        bind_ok(&s, &op, &n, &staff, &p2, ("passport", STAFF_PASSPORT)).await;
        let r = bind(&s, &op, &n, &staff, &p2, ("passport", STAFF_PASSPORT)).await;
        assert_problem("the same payload posted twice", &r, 409, "enrolment_invalid");

        // The secret is nowhere in clear: not in the operator's request (the payload), not in
        // any table (the audit log included).
        let secret = app.secret();
        let dump = s.snapshot().await.join("\n");
        for enc in encodings_of(&secret) {
            assert!(!p2.contains(&enc), "the operator's request carries the secret in clear ({enc})");
            assert!(!dump.contains(&enc), "the database holds the secret in clear ({enc})");
        }

        // Enrolment 3, aged past its 10 minutes (times are microseconds since the epoch).
        let p3 = app.enrol(None).await;
        let enrolment_id = p3.split('.').nth(1).unwrap().to_string();
        s.sql(&format!(
        "UPDATE eid_enrolments SET expires_at = expires_at - 601000000, created_at = created_at - 601000000 WHERE id = '{enrolment_id}'"
    ))
    .await;
        let r = bind(&s, &op, &n, &staff, &p3, ("passport", STAFF_PASSPORT)).await;
        assert_problem("an enrolment older than 10 minutes", &r, 409, "enrolment_invalid");
        // An enrolment the server never made (its payload cannot open either, so the docs allow
        // 409 enrolment_invalid or 422 on payload, whichever is checked first).
        let forged = p3.replacen(&enrolment_id, "no-such-enrolment", 1);
        let (st, b) = bind(&s, &op, &n, &staff, &forged, ("passport", STAFF_PASSPORT)).await;
        assert!(
            (st == 409 && b["code"] == "enrolment_invalid") || (st == 422 && b["errors"][0]["field"] == "payload"),
            "an unknown enrolment is refused: {st} {b}"
        );
        assert_eq!(eid_state(&s, &org.staff_token).await["security_code"]["enrolled"], true, "enrolment 2 stays bound");
    }
);

// ---------------------------------------------------------------------------------------
// R24: the TOTP window at the step-up.

on_both_backends!(
    r24_codes_of_the_current_step_and_one_either_side_once_each,
    ["--face-verifier", "dev"],
    |s: Server| async move {
        let op = s.operator_token().await;
        let org = org(&s, &op).await;
        let rp = add_eservice_with(&s, &op, "dsal-advanced", "advanced").await;
        assign(&s, &org, &org.staff_id, &[&rp.code]).await;
        let app = App::new(s.dir.path(), "app");
        app.login(&s, &org.entity, STAFF_USER).await;
        let payload = app.enrol(None).await;
        bind_ok(&s, &op, &org.entity, &org.staff_id, &payload, ("passport", STAFF_PASSPORT)).await;
        let secret = app.secret();

        // Four sessions waiting at the second-factor page (a success steps its session up, so
        // each acceptance needs a session of its own).
        let mut waiting = Vec::new();
        for _ in 0..4 {
            waiting.push(sign_in_to_step_up(&s, &rp, &org.entity, STAFF_USER).await);
        }
        // Well inside one 30-second step, so that "now" does not move while the codes are tried.
        let step = loop {
            let t = now_unix();
            if (1..=20).contains(&(t % 30)) {
                break t / 30;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        };
        let at = |delta: i64| domain::eid::totp::code_at(&secret, ((step as i64 + delta) as u64) * 30);
        let mut w = waiting.into_iter();

        let (mut b, mut f, req) = w.next().unwrap();
        for delta in [-2, 2] {
            let page = post_step_up(&mut b, &mut f, "otp", &at(delta)).await;
            assert_refused(&format!("the code of step {delta:+}"), &page);
        }
        let page = post_step_up(&mut b, &mut f, "otp", &at(-1)).await;
        let c1 = code_of("the code of step -1", &page, &req.state);
        let req1 = req;

        let (mut b, mut f, req) = w.next().unwrap();
        let page = post_step_up(&mut b, &mut f, "otp", &at(-1)).await;
        assert_refused("step -1 again (used)", &page);
        let page = post_step_up(&mut b, &mut f, "otp", &at(0)).await;
        code_of("the code of the current step", &page, &req.state);

        let (mut b, mut f, req) = w.next().unwrap();
        let page = post_step_up(&mut b, &mut f, "otp", &at(0)).await;
        assert_refused("the current step again (used)", &page);
        let page = post_step_up(&mut b, &mut f, "otp", &at(-1)).await;
        assert_refused("an earlier step", &page);
        let page = post_step_up(&mut b, &mut f, "otp", &at(1)).await;
        code_of("the code of step +1", &page, &req.state);

        let (mut b, mut f, _) = w.next().unwrap();
        let page = post_step_up(&mut b, &mut f, "otp", &at(0)).await;
        assert_refused("a step before the last accepted one", &page);
        let page = post_step_up(&mut b, &mut f, "otp", &at(1)).await;
        assert_refused("step +1 again (used)", &page);
        assert!(now_unix() / 30 == step, "the tries stayed within one step (the test's own precondition)");

        // The first success was a real one: its code redeems for an advanced sign-in.
        let (_, claims) = id_token_claims(&s, &rp, &c1, &req1).await;
        assert_eq!(
            (claims["acr"].as_str(), claims["amr"].clone()),
            (Some("advanced"), json!(["pwd", "otp"])),
            "{claims}"
        );
    }
);

// ---------------------------------------------------------------------------------------
// R22, R24: face recognition.

on_both_backends!(
    r22_face_recognition_on_by_default_off_by_the_person_on_at_the_counter,
    ["--face-verifier", "dev"],
    |s: Server| async move {
        let op = s.operator_token().await;
        let org = org(&s, &op).await;
        let (macau_token, macau_id) = macau_login(&s, &org).await;
        let counter_path = format!("/counter/entities/{}/logins/{macau_id}", org.entity);

        let st = eid_state(&s, &macau_token).await;
        assert_eq!(st["face"], json!({"available": true, "enabled": true, "off_reason": null}), "on by default: {st}");
        assert_eq!(st["security_code"], json!({"available": false, "enrolled": false}), "{st}");
        // R23: the security code is for other documents.
        let r = s.call("POST", "/me/eid/enrolments", Some(&macau_token), Some(json!({}))).await;
        assert_problem("an enrolment for a Macau resident card", &r, 409, "security_code_not_available");

        // The person switches face off with the app; the app reports the server's refusals as such.
        let app = App::new(s.dir.path(), "app");
        app.login(&s, &org.entity, MACAU_USER).await;
        let out = app.run(&["enrol"], None).await;
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "a refused enrolment exits 2: {err}");
        assert!(err.contains("security_code_not_available"), "{err}");
        assert!(out.stdout.is_empty(), "no payload on a refusal");
        let answer: Value =
            serde_json::from_str(app.ok(&["face", "off"], None).await.trim()).expect("the answer, JSON");
        assert_eq!(answer["face"], json!({"available": true, "enabled": false, "off_reason": "person"}), "{answer}");
        let r = s.call("PUT", "/me/eid/face", Some(&macau_token), Some(json!({"enabled": false}))).await;
        assert_eq!(r.0, 200, "switching off again: {}", r.1);
        assert_eq!(r.1["face"]["enabled"], false, "{}", r.1);
        let r = s.call("PUT", "/me/eid/face", Some(&macau_token), Some(json!({"enabled": true}))).await;
        assert_problem("the person switching face back on", &r, 403, "face_needs_counter");
        assert_eq!(eid_state(&s, &macau_token).await["face"]["enabled"], false);

        // Only the counter switches it back on.
        let (st, b) = s.call("POST", &format!("{counter_path}/face-recognition"), Some(&op), None).await;
        assert_eq!(st, 204, "{b}");
        let st = eid_state(&s, &macau_token).await;
        assert_eq!(st["face"], json!({"available": true, "enabled": true, "off_reason": null}), "{st}");
        let (code, view) = s.call("GET", &format!("{counter_path}/eid"), Some(&op), None).await;
        assert_eq!(code, 200, "{view}");
        assert_eq!(view["face"]["enabled"], true, "the counter sees the same state: {view}");

        // A passport login has no face recognition.
        let st = eid_state(&s, &org.staff_token).await;
        assert_eq!(st["face"]["available"], false, "{st}");
        assert_eq!(st["face"]["enabled"], false, "{st}");
        assert_eq!(st["security_code"]["available"], true, "{st}");
        for enabled in [true, false] {
            let r = s.call("PUT", "/me/eid/face", Some(&org.staff_token), Some(json!({"enabled": enabled}))).await;
            assert_problem(&format!("face {enabled} for a passport login"), &r, 409, "face_not_available");
        }
    }
);

on_both_backends!(
    r22_r24_face_step_up_waits_after_5_failures_and_switches_off_after_50,
    ["--face-verifier", "dev"],
    |s: Server| async move {
        let op = s.operator_token().await;
        let org = org(&s, &op).await;
        let (macau_token, macau_id) = macau_login(&s, &org).await;
        let rp = add_eservice_with(&s, &op, "dsal-advanced", "advanced").await;
        assign(&s, &org, &macau_id, &[&rp.code]).await;

        // A match steps the sign-in up.
        let (mut b, mut form, req) = sign_in_to_step_up(&s, &rp, &org.entity, MACAU_USER).await;
        let page = post_step_up(&mut b, &mut form, "face", "dev-match").await;
        let code = code_of("a face match", &page, &req.state);
        let (_, claims) = id_token_claims(&s, &rp, &code, &req).await;
        assert_eq!(claims["acr"], "advanced", "{claims}");
        assert_eq!(claims["amr"], json!(["pwd", "face"]), "{claims}");

        // Five failures are tried at once; the sixth try waits at least 30 s, even with a match.
        let (mut b, mut form, _) = sign_in_to_step_up(&s, &rp, &org.entity, MACAU_USER).await;
        for i in 1..=5 {
            let page = post_step_up(&mut b, &mut form, "face", &format!("wrong-{i}")).await;
            assert_refused(&format!("failed match {i}"), &page);
            assert_ne!(page.status, 429, "failure {i} is tried without waiting: {}", page.body);
        }
        let t0 = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_micros() as i64;
        for capture in ["wrong-6", "dev-match"] {
            let page = post_step_up(&mut b, &mut form, "face", capture).await;
            assert_refused(&format!("{capture} during the wait"), &page);
            let lower = page.body.to_lowercase();
            assert!(
                page.status == 429 || lower.contains("wait") || lower.contains("try again"),
                "{capture} after 5 failures: a 429 or a page saying to wait, got {}: {}",
                page.status,
                page.body
            );
        }
        let next =
            query_i64(&s, &format!("SELECT face_next_try_at FROM login_eid WHERE login_id = '{macau_id}'")).await;
        assert!(next >= t0 + 29_000_000, "the next try waits at least 30 s: next {next}, now {t0}");
        assert_eq!(eid_state(&s, &macau_token).await["face"]["enabled"], true, "still on after 5 failures");

        // To reach 50 without waiting 45 × 30 s, the failure count is set to 49 and the wait
        // lifted by SQL (login_eid.face_failures, face_next_try_at); the next failure is the 50th.
        s.sql(&format!("UPDATE login_eid SET face_failures = 49, face_next_try_at = 0 WHERE login_id = '{macau_id}'"))
            .await;
        let page = post_step_up(&mut b, &mut form, "face", "wrong-50").await;
        assert_refused("the 50th failure", &page);
        let st = eid_state(&s, &macau_token).await;
        assert_eq!(
            st["face"],
            json!({"available": true, "enabled": false, "off_reason": "failures"}),
            "off after 50: {st}"
        );
        // Off means off: a match no longer steps up (on this page or a new sign-in).
        let page = post_step_up(&mut b, &mut form, "face", "dev-match").await;
        assert_refused("a match while face is off", &page);
        let mut b2 = Browser::new(&s.base);
        let req2 = auth_request(&s.base, &rp.client_id, "openid profile entity");
        let page = b2.sign_in(&req2.url, &org.entity, MACAU_USER, PASSWORD).await;
        if is_step_up_page(&page) {
            let mut form = step_up_page("face off", &page);
            let page = post_step_up(&mut b2, &mut form, "face", "dev-match").await;
            assert_refused("a match on a new sign-in while face is off", &page);
        } else {
            let loc = page.redirect();
            assert_eq!(param(&loc, "error").as_deref(), Some("unmet_authentication_requirements"), "{loc}");
        }

        // The counter switches it on again and clears the count: a match works at once.
        let (st, body) = s
            .call(
                "POST",
                &format!("/counter/entities/{}/logins/{macau_id}/face-recognition", org.entity),
                Some(&op),
                None,
            )
            .await;
        assert_eq!(st, 204, "{body}");
        assert_eq!(
            query_i64(&s, &format!("SELECT face_failures FROM login_eid WHERE login_id = '{macau_id}'")).await,
            0
        );
        let (mut b, mut form, req) = sign_in_to_step_up(&s, &rp, &org.entity, MACAU_USER).await;
        let page = post_step_up(&mut b, &mut form, "face", "dev-match").await;
        code_of("a match after the counter", &page, &req.state);
    }
);

// ---------------------------------------------------------------------------------------
// R21: a basic sign-in does not reach an advanced e-service; RFC 9470 at userinfo.

on_both_backends!(
    r21_a_basic_session_steps_up_before_an_advanced_eservice,
    ["--face-verifier", "dev"],
    |s: Server| async move {
        let op = s.operator_token().await;
        let org = org(&s, &op).await;
        let basic = add_eservice_with(&s, &op, "dsf-basic", "basic").await;
        let advanced = add_eservice_with(&s, &op, "dsal-advanced", "advanced").await;
        assign(&s, &org, &org.staff_id, &[&basic.code, &advanced.code]).await;
        let app = App::new(s.dir.path(), "app");
        app.login(&s, &org.entity, STAFF_USER).await;
        let payload = app.enrol(None).await;
        bind_ok(&s, &op, &org.entity, &org.staff_id, &payload, ("passport", STAFF_PASSPORT)).await;

        // A basic sign-in: a code at once, acr basic.
        let mut b = Browser::new(&s.base);
        let req = auth_request(&s.base, &basic.client_id, "openid profile entity");
        let page = b.sign_in(&req.url, &org.entity, STAFF_USER, PASSWORD).await;
        let code = code_of("the basic e-service after the password", &page, &req.state);
        let (_, claims) = id_token_claims(&s, &basic, &code, &req).await;
        assert_eq!((claims["acr"].as_str(), claims["amr"].clone()), (Some("basic"), json!(["pwd"])), "{claims}");

        // The same single sign-on session at the advanced e-service: the second-factor page, no code.
        let req = auth_request(&s.base, &advanced.client_id, "openid profile entity");
        let page = b.get(&req.url).await;
        let mut form = step_up_page("the advanced e-service with a basic session", &page);
        let page = post_step_up(&mut b, &mut form, "otp", &app.code().await).await;
        let code = code_of("after the step-up", &page, &req.state);
        let (_, claims) = id_token_claims(&s, &advanced, &code, &req).await;
        assert_eq!(
            (claims["acr"].as_str(), claims["amr"].clone()),
            (Some("advanced"), json!(["pwd", "otp"])),
            "{claims}"
        );
        // The step-up lasts: the advanced e-service again answers with a code at once.
        let req = auth_request(&s.base, &advanced.client_id, "openid profile entity");
        let page = b.get(&req.url).await;
        code_of("the advanced e-service within the step-up's life", &page, &req.state);

        // acr_values=advanced asks for the step-up at a basic e-service too.
        let mut b = Browser::new(&s.base);
        let req = auth_request(&s.base, &basic.client_id, "openid profile entity");
        let url = format!("{}&acr_values=advanced", req.url);
        let page = b.sign_in(&url, &org.entity, STAFF_USER, PASSWORD).await;
        step_up_page("acr_values=advanced at a basic e-service", &page);
    }
);

on_both_backends!(
    r21_userinfo_refuses_a_basic_token_once_the_eservice_needs_advanced,
    ["--face-verifier", "dev"],
    |s: Server| async move {
        let op = s.operator_token().await;
        let org = org(&s, &op).await;
        let rp = add_eservice_with(&s, &op, "dsf-basic", "basic").await;
        assign(&s, &org, &org.staff_id, &[&rp.code]).await;
        let tokens = tokens_for(&s, &rp, &org.entity, STAFF_USER).await;
        let access = tokens["access_token"].as_str().unwrap();
        let (st, _, body) = userinfo_with_header(&s, access).await;
        assert_eq!(st, 200, "{body}");

        // The e-service now requires advanced assurance (RFC 9470: step-up authentication).
        s.sql(&format!("UPDATE eservices SET assurance = 'advanced' WHERE code = '{}'", rp.code)).await;
        let (st, www, body) = userinfo_with_header(&s, access).await;
        assert_eq!(st, 401, "a basic token at an advanced e-service: {body}");
        assert!(www.starts_with("Bearer"), "WWW-Authenticate: {www}");
        assert!(www.contains("error=\"insufficient_user_authentication\""), "WWW-Authenticate: {www}");
        assert!(www.contains("acr_values=\"advanced\""), "WWW-Authenticate: {www}");
    }
);

on_both_backends!(
    r21_a_step_up_lasts_step_up_ttl_secs,
    ["--face-verifier", "dev", "--step-up-ttl-secs", "60"],
    |s: Server| async move {
        let op = s.operator_token().await;
        let org = org(&s, &op).await;
        let rp = add_eservice_with(&s, &op, "dsal-advanced", "advanced").await;
        assign(&s, &org, &org.staff_id, &[&rp.code]).await;
        let app = App::new(s.dir.path(), "app");
        app.login(&s, &org.entity, STAFF_USER).await;
        let payload = app.enrol(None).await;
        bind_ok(&s, &op, &org.entity, &org.staff_id, &payload, ("passport", STAFF_PASSPORT)).await;
        let secret = app.secret();

        let (mut b, mut form, req) = sign_in_to_step_up(&s, &rp, &org.entity, STAFF_USER).await;
        let step = now_unix() / 30;
        let page = post_step_up(&mut b, &mut form, "otp", &domain::eid::totp::code_at(&secret, step * 30)).await;
        code_of("the step-up", &page, &req.state);
        let req = auth_request(&s.base, &rp.client_id, "openid profile entity");
        let page = b.get(&req.url).await;
        code_of("within the step-up's life", &page, &req.state);

        // Past --step-up-ttl-secs (60 s, the least the server takes; aged by SQL on the
        // session_step_ups table, microseconds) the single sign-on session still stands, the
        // step-up does not.
        s.sql("UPDATE session_step_ups SET at = at - 61000000").await;
        let req = auth_request(&s.base, &rp.client_id, "openid profile entity");
        let page = b.get(&req.url).await;
        let mut form = step_up_page("after the step-up expired", &page);
        let page = post_step_up(&mut b, &mut form, "otp", &domain::eid::totp::code_at(&secret, (step + 1) * 30)).await;
        code_of("a new step-up with the next step's code", &page, &req.state);
    }
);
