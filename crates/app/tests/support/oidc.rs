//! OpenID Connect test support, shared by `oidc*.rs` and `department_api.rs` (included with
//! `#[path = "support/oidc.rs"] mod oidc_support;` so the other suites do not compile it):
//! an organisation with an entity account, an administrator and a staff login; e-services
//! registered as clients; a minimal browser (hand-made cookie jar, no redirects followed)
//! that signs in through the provider's form; raw token, introspection and revocation calls.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use openidconnect::url::Url;
use serde_json::{json, Value};

use crate::support::*;

pub const REDIRECT: &str = "http://127.0.0.1:9/cb";
pub const POST_LOGOUT: &str = "http://127.0.0.1:9/bye";

pub const ENTITY_MOBILE: &str = "+85366100010";
pub const ADMIN_MOBILE: &str = "+85366100011";
pub const STAFF_MOBILE: &str = "+85366100013";
pub const ENTITY_USER: &str = "company";
pub const ADMIN_USER: &str = "admin.chan";
pub const STAFF_USER: &str = "wong";
pub const STAFF_NAME: &str = "Staff Wong";
pub const ENTITY_NAMES: [&str; 3] = ["澳門測試有限公司", "Teste Limitada", "Test Ltd"];

/// Identity document numbers and mobile numbers of the organisation's people: none may ever
/// appear in an ID token, a userinfo answer or a logout token.
pub const NEVER_CLAIMED: [&str; 8] =
    ["5215299", "K7654321", "E9876543", "66100010", "66100011", "66100013", "6610 0011", "6610 0013"];

/// Claim names that would carry the same personal data.
pub const NEVER_CLAIM_NAMES: [&str; 5] = ["phone_number", "mobile", "id_document", "document_number", "id_number"];

/// Asserts that `text` (a decoded token payload or a JSON answer) carries no identity document
/// or mobile number.
pub fn assert_no_personal_numbers(what: &str, text: &str) {
    for n in NEVER_CLAIMED {
        assert!(!text.contains(n), "{what} carries {n:?}: {text}");
    }
    for n in NEVER_CLAIM_NAMES {
        assert!(!text.contains(&format!("\"{n}\"")), "{what} carries a {n:?} claim: {text}");
    }
}

/// An e-service registered as an OpenID Connect client.
#[derive(Clone, Debug)]
pub struct Rp {
    pub code: String,
    pub client_id: String,
    pub client_secret: String,
}

/// `POST /api/v1/counter/eservices` with an `oidc` block; asserts the 201 answer.
pub async fn add_eservice(
    s: &Server,
    op: &str,
    code: &str,
    department: &str,
    requires_registration: bool,
    backchannel_logout_uri: Option<&str>,
) -> Rp {
    add_eservice_with(s, op, code, department, requires_registration, backchannel_logout_uri, json!({})).await
}

/// `add_eservice` with more fields of the catalogue entry (`allows_intermediaries`, …).
pub async fn add_eservice_with(
    s: &Server,
    op: &str,
    code: &str,
    department: &str,
    requires_registration: bool,
    backchannel_logout_uri: Option<&str>,
    more: Value,
) -> Rp {
    let mut oidc = json!({"redirect_uris": [REDIRECT], "post_logout_redirect_uris": [POST_LOGOUT]});
    if let Some(u) = backchannel_logout_uri {
        oidc["backchannel_logout_uri"] = json!(u);
    }
    let body = json!({
        "code": code, "names": {"zh": format!("{code} 服務"), "pt": format!("Serviço {code}"), "en": format!("Service {code}")},
        "department": department, "assurance": "basic", "requires_registration": requires_registration,
        "oidc": oidc,
    });
    let mut body = body;
    for (k, v) in more.as_object().into_iter().flatten() {
        body[k] = v.clone();
    }
    let (st, b) = s.call("POST", "/counter/eservices", Some(op), Some(body)).await;
    assert_eq!(st, 201, "create e-service {code}: {b}");
    assert_eq!(b["code"], code, "{b}");
    assert_eq!(b["client_id"], code, "client_id is the e-service code: {b}");
    let secret = b["client_secret"].as_str().unwrap_or_else(|| panic!("client_secret in {b}")).to_string();
    assert!(secret.len() >= 16, "a client secret worth the name: {b}");
    Rp { code: code.into(), client_id: b["client_id"].as_str().unwrap().into(), client_secret: secret }
}

/// An activated organisation: entity account, one administrator, one staff login.
#[derive(Clone, Debug)]
pub struct Org {
    pub entity: String,
    pub entity_token: String,
    pub entity_id: String,
    pub admin_token: String,
    pub admin_id: String,
    pub staff_token: String,
    pub staff_id: String,
}

/// Approves an application, activates the entity account and its administrator, and has the
/// administrator create and the staff member activate a staff login (as `lifecycle.rs` does).
pub async fn org(s: &Server, op: &str) -> Org {
    org_with(s, op, 0).await
}

/// `org` number `k` of a test (0 is `org`'s): its own registration number and mobiles, so
/// several organisations live side by side.
pub async fn org_with(s: &Server, op: &str, k: u8) -> Org {
    let mobile = |tail: &str| format!("661{k}00{tail}");
    let entity_mobile = format!("+853{}", mobile("10"));
    let app = application(
        &format!("CRN-9000{}", k + 1),
        &entity_mobile,
        &[("Admin Chan", "passport", "K7654321", &mobile("11"))],
    );
    let (app_no, entity) = s.approve(op, app).await;
    assert_eq!(s.activate("application_number", &app_no, &entity_mobile, ENTITY_USER).await, "entity");
    assert_eq!(s.activate("entity_number", &entity, &format!("+853{}", mobile("11")), ADMIN_USER).await, "admin");
    let (entity_token, entity_id) = s.login(&entity, ENTITY_USER).await;
    let (admin_token, admin_id) = s.login(&entity, ADMIN_USER).await;
    let (st, b) = s
        .call(
            "POST",
            &format!("/entities/{entity}/logins"),
            Some(&admin_token),
            Some(json!({"name": STAFF_NAME, "id_document": {"type": "passport", "number": "E9876543"}, "mobile": mobile("13")})),
        )
        .await;
    assert_eq!(st, 201, "create staff: {b}");
    let staff_id = b["login_id"].as_str().unwrap().to_string();
    assert_eq!(s.activate("entity_number", &entity, &format!("+853{}", mobile("13")), STAFF_USER).await, "staff");
    let (staff_token, id) = s.login(&entity, STAFF_USER).await;
    assert_eq!(id, staff_id);
    Org { entity, entity_token, entity_id, admin_token, admin_id, staff_token, staff_id }
}

/// The administrator sets the e-services `login_id` may use (`[]` removes them all).
pub async fn assign(s: &Server, org: &Org, login_id: &str, codes: &[&str]) {
    let (st, b) = s
        .call(
            "PUT",
            &format!("/entities/{}/logins/{login_id}/eservices", org.entity),
            Some(&org.admin_token),
            Some(json!({ "eservices": codes })),
        )
        .await;
    assert_eq!(st, 200, "assign {codes:?} to {login_id}: {b}");
}

/// The counter records the entity's registration with an e-service.
pub async fn register(s: &Server, op: &str, entity: &str, code: &str) {
    let (st, b) = s.call("PUT", &format!("/counter/entities/{entity}/eservices/{code}"), Some(op), None).await;
    assert_eq!(st, 204, "register {entity} with {code}: {b}");
}

// ---------------------------------------------------------------------------------------
// A minimal browser.

pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub set_cookies: Vec<String>,
    pub body: String,
}

impl Page {
    /// The `Location` of a redirect, parsed; panics otherwise.
    pub fn redirect(&self) -> Url {
        assert!((300..400).contains(&self.status), "expected a redirect, got {}: {}", self.status, self.body);
        let l = self.location.as_deref().unwrap_or_else(|| panic!("{} without Location", self.status));
        Url::parse(l).unwrap_or_else(|e| panic!("Location {l:?}: {e}"))
    }
}

/// A browser: keeps cookies (by name, for the issuer only), follows no redirect, sends the
/// issuer's `Origin` with form posts.
pub struct Browser {
    pub base: String,
    pub http: reqwest::Client,
    pub jar: BTreeMap<String, String>,
}

impl Browser {
    pub fn new(base: &str) -> Browser {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Browser { base: base.to_string(), http, jar: BTreeMap::new() }
    }

    fn cookie_header(&self) -> Option<String> {
        if self.jar.is_empty() {
            return None;
        }
        Some(self.jar.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; "))
    }

    async fn page(&mut self, res: reqwest::Response) -> Page {
        let status = res.status().as_u16();
        let location = res.headers().get("location").map(|v| v.to_str().unwrap().to_string());
        let mut set_cookies = Vec::new();
        for v in res.headers().get_all("set-cookie") {
            let raw = v.to_str().unwrap().to_string();
            let pair = raw.split(';').next().unwrap_or("");
            if let Some((name, value)) = pair.split_once('=') {
                let (name, value) = (name.trim().to_string(), value.trim().to_string());
                let lower = raw.to_ascii_lowercase();
                if value.is_empty() || lower.contains("max-age=0") || lower.contains("expires=thu, 01 jan 1970") {
                    self.jar.remove(&name);
                } else {
                    self.jar.insert(name, value);
                }
            }
            set_cookies.push(raw);
        }
        let body = res.text().await.unwrap_or_default();
        Page { status, location, set_cookies, body }
    }

    pub async fn get(&mut self, url: &str) -> Page {
        assert!(url.starts_with(&self.base), "the browser only talks to the issuer: {url}");
        let mut req = self.http.get(url);
        if let Some(c) = self.cookie_header() {
            req = req.header("cookie", c);
        }
        let res = req.send().await.expect("GET");
        self.page(res).await
    }

    pub async fn post_form(&mut self, url: &str, fields: &[(String, String)]) -> Page {
        let mut req = self.http.post(url).header("origin", &self.base).form(fields);
        if let Some(c) = self.cookie_header() {
            req = req.header("cookie", c);
        }
        let res = req.send().await.expect("POST");
        self.page(res).await
    }

    /// Posts `fields` and one file as `multipart/form-data`, as a browser uploads a file.
    pub async fn post_multipart(&mut self, url: &str, fields: &[(String, String)], file: (&str, &str)) -> Page {
        let boundary = "----ea-test-boundary-7d1f";
        let mut body = String::new();
        for (name, value) in fields {
            body.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            ));
        }
        let (name, contents) = file;
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"staff.csv\"\r\n\
             Content-Type: text/csv\r\n\r\n{contents}\r\n--{boundary}--\r\n"
        ));
        let mut req = self
            .http
            .post(url)
            .header("origin", &self.base)
            .header("content-type", format!("multipart/form-data; boundary={boundary}"))
            .body(body);
        if let Some(c) = self.cookie_header() {
            req = req.header("cookie", c);
        }
        let res = req.send().await.expect("POST");
        self.page(res).await
    }

    /// Opens `authorize_url`; when the provider shows its sign-in form, fills it in and posts
    /// it. Returns the last answer: normally a redirect to the e-service (or the 403 page).
    pub async fn sign_in(&mut self, authorize_url: &str, entity: &str, username: &str, password: &str) -> Page {
        let page = self.get(authorize_url).await;
        if page.status != 200 {
            return page;
        }
        self.submit_login(&page, entity, username, password).await
    }

    /// Posts the sign-in form `page` shows, with its hidden fields.
    pub async fn submit_login(&mut self, page: &Page, entity: &str, username: &str, password: &str) -> Page {
        assert!(page.body.contains("/oidc/login"), "the sign-in form posts to /oidc/login: {}", page.body);
        let mut fields = hidden_inputs(&page.body);
        assert!(fields.iter().any(|(n, _)| n == "csrf"), "the form has a hidden csrf field: {}", page.body);
        for visible in ["entity_number", "username", "password"] {
            assert!(page.body.contains(&format!("name=\"{visible}\"")), "the form has a {visible} field");
        }
        fields.push(("entity_number".into(), entity.into()));
        fields.push(("username".into(), username.into()));
        fields.push(("password".into(), password.into()));
        let url = format!("{}/oidc/login", self.base);
        self.post_form(&url, &fields).await
    }

    /// Answers R35's chooser `page` for the entity numbered `acting_for`.
    pub async fn choose(&mut self, page: &Page, acting_for: &str) -> Page {
        assert!(page.body.contains("/oidc/act"), "the chooser posts to /oidc/act: {}", page.body);
        assert!(page.body.contains(&format!("value=\"{acting_for}\"")), "{acting_for} is a choice: {}", page.body);
        let mut fields = hidden_inputs(&page.body);
        fields.push(("acting_for".into(), acting_for.into()));
        let url = format!("{}/oidc/act", self.base);
        self.post_form(&url, &fields).await
    }
}

pub fn html_unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&#x2F;", "/")
        .replace("&#x2f;", "/")
        .replace("&#47;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The `<input type="hidden" name="NAME" value="VALUE">` fields of a page, values unescaped.
pub fn hidden_inputs(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let marker = "<input type=\"hidden\" name=\"";
    let mut rest = html;
    while let Some(i) = rest.find(marker) {
        rest = &rest[i + marker.len()..];
        let Some(end_name) = rest.find('"') else { break };
        let name = &rest[..end_name];
        let after = &rest[end_name..];
        let vmark = "\" value=\"";
        assert!(
            after.starts_with(vmark),
            "hidden input {name} not written as documented: {}",
            &after[..after.len().min(80)]
        );
        let v = &after[vmark.len()..];
        let end_value = v.find('"').unwrap();
        out.push((html_unescape(name), html_unescape(&v[..end_value])));
        rest = &v[end_value..];
    }
    out
}

/// The `href` of the `<a id="return" …>` link of a page, unescaped.
pub fn return_link(html: &str) -> Option<String> {
    let at = html.find("id=\"return\"")?;
    let start = html[..at].rfind("<a")?;
    let end = at + html[at..].find('>')?;
    let tag = &html[start..end];
    let h = tag.find("href=\"")? + 6;
    let len = tag[h..].find('"')?;
    Some(html_unescape(&tag[h..h + len]))
}

/// A query (or, failing that, fragment) parameter of a URL.
pub fn param(url: &Url, name: &str) -> Option<String> {
    if let Some((_, v)) = url.query_pairs().find(|(k, _)| k == name) {
        return Some(v.into_owned());
    }
    let frag = url.fragment()?;
    openidconnect::url::form_urlencoded::parse(frag.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// The redirect URI part of a URL (scheme, host, port, path; no query).
pub fn without_query(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    u.to_string()
}

// ---------------------------------------------------------------------------------------
// Raw authorization code flow.

/// PKCE S256: (verifier, challenge).
pub fn pkce() -> (String, String) {
    let (challenge, verifier) = openidconnect::PkceCodeChallenge::new_random_sha256();
    (verifier.secret().clone(), challenge.as_str().to_string())
}

pub fn random() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// `GET /oidc/authorize` URL with `params` (in order).
pub fn authorize_url(base: &str, params: &[(&str, &str)]) -> String {
    Url::parse_with_params(&format!("{base}/oidc/authorize"), params).unwrap().to_string()
}

/// A well-formed authorization request: (url, state, nonce, code_verifier).
pub struct AuthRequest {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub verifier: String,
}

pub fn auth_request(base: &str, client_id: &str, scope: &str) -> AuthRequest {
    let (verifier, challenge) = pkce();
    let (state, nonce) = (random(), random());
    let url = authorize_url(
        base,
        &[
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", REDIRECT),
            ("scope", scope),
            ("state", &state),
            ("nonce", &nonce),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    );
    AuthRequest { url, state, nonce, verifier }
}

/// Signs `username` in (or reuses the browser's session) for `client_id` and returns
/// (code, code_verifier, nonce); asserts the redirect to the registered URI with the state.
pub async fn code_via(b: &mut Browser, client_id: &str, entity: &str, username: &str) -> (String, String, String) {
    let req = auth_request(&b.base.clone(), client_id, "openid profile entity");
    let page = b.sign_in(&req.url, entity, username, PASSWORD).await;
    // 303 after the form; a redirect of either kind when the single sign-on session answers.
    assert!(
        page.status == 303 || page.status == 302,
        "sign-in answers a redirect to the e-service: {} {:?} {}",
        page.status,
        page.location,
        page.body
    );
    let loc = page.redirect();
    assert_eq!(without_query(&loc), REDIRECT, "{loc}");
    assert_eq!(param(&loc, "state").as_deref(), Some(req.state.as_str()), "{loc}");
    assert_eq!(param(&loc, "error"), None, "{loc}");
    let code = param(&loc, "code").unwrap_or_else(|| panic!("code in {loc}"));
    (code, req.verifier, req.nonce)
}

/// `POST /oidc/token` with client_secret_basic; (status, JSON body).
pub async fn token(s: &Server, rp: &Rp, form: &[(&str, &str)]) -> (u16, Value) {
    token_at(&s.base, rp, form).await
}

/// `token`, at the node serving `base`.
pub async fn token_at(base: &str, rp: &Rp, form: &[(&str, &str)]) -> (u16, Value) {
    let res = reqwest::Client::new()
        .post(format!("{base}/oidc/token"))
        .basic_auth(&rp.client_id, Some(&rp.client_secret))
        .form(form)
        .send()
        .await
        .expect("token request");
    let st = res.status().as_u16();
    let text = res.text().await.unwrap();
    (st, serde_json::from_str(&text).unwrap_or_else(|_| json!({ "_raw": text })))
}

/// Exchanges a code (client_secret_basic); asserts 200 and returns the token answer.
pub async fn redeem(s: &Server, rp: &Rp, code: &str, verifier: &str) -> Value {
    let (st, b) = token(
        s,
        rp,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
        ],
    )
    .await;
    assert_eq!(st, 200, "code exchange: {b}");
    for f in ["access_token", "refresh_token", "id_token"] {
        assert!(b[f].is_string(), "{f} in {b}");
    }
    b
}

/// A fresh browser signs `username` in for `rp` and redeems the code: the token answer.
pub async fn tokens_for(s: &Server, rp: &Rp, entity: &str, username: &str) -> Value {
    let mut b = Browser::new(&s.base);
    let (code, verifier, _) = code_via(&mut b, &rp.client_id, entity, username).await;
    redeem(s, rp, &code, &verifier).await
}

pub async fn refresh(s: &Server, rp: &Rp, refresh_token: &str) -> (u16, Value) {
    token(s, rp, &[("grant_type", "refresh_token"), ("refresh_token", refresh_token)]).await
}

/// Asserts an RFC 6749 error answer.
pub fn assert_token_error(what: &str, (st, b): &(u16, Value), status: u16, error: &str) {
    assert_eq!((*st, b["error"].as_str()), (status, Some(error)), "{what}: {b}");
}

/// `POST /oidc/introspect` (RFC 7662, client_secret_basic): the answer.
pub async fn introspect(s: &Server, rp: &Rp, token: &str) -> Value {
    introspect_at(&s.base, rp, token).await
}

/// `introspect`, at the node serving `base`.
pub async fn introspect_at(base: &str, rp: &Rp, token: &str) -> Value {
    let res = reqwest::Client::new()
        .post(format!("{base}/oidc/introspect"))
        .basic_auth(&rp.client_id, Some(&rp.client_secret))
        .form(&[("token", token)])
        .send()
        .await
        .unwrap();
    let st = res.status().as_u16();
    let b: Value = res.json().await.unwrap_or(Value::Null);
    assert_eq!(st, 200, "introspection answers 200 even for dead tokens: {b}");
    assert!(b["active"].is_boolean(), "{b}");
    b
}

pub async fn active(s: &Server, rp: &Rp, token: &str) -> bool {
    introspect(s, rp, token).await["active"].as_bool().unwrap()
}

/// `POST /oidc/revoke` (RFC 7009, client_secret_post): the status.
pub async fn revoke(s: &Server, rp: &Rp, token: &str, hint: &str) -> u16 {
    s.http
        .post(format!("{}/oidc/revoke", s.base))
        .form(&[
            ("token", token),
            ("token_type_hint", hint),
            ("client_id", &rp.client_id),
            ("client_secret", &rp.client_secret),
        ])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// `GET /oidc/userinfo` with a bearer token: (status, JSON or raw text).
pub async fn userinfo(s: &Server, access_token: &str) -> (u16, Value) {
    userinfo_at(&s.base, access_token).await
}

/// `userinfo`, at the node serving `base`.
pub async fn userinfo_at(base: &str, access_token: &str) -> (u16, Value) {
    let res =
        reqwest::Client::new().get(format!("{base}/oidc/userinfo")).bearer_auth(access_token).send().await.unwrap();
    let st = res.status().as_u16();
    let text = res.text().await.unwrap();
    (st, serde_json::from_str(&text).unwrap_or_else(|_| json!({ "_raw": text })))
}

pub async fn jwks(s: &Server) -> Value {
    let res = s.http.get(format!("{}/oidc/jwks", s.base)).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    res.json().await.unwrap()
}

pub fn kids(jwks: &Value) -> Vec<String> {
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().expect("every key has a kid").to_string())
        .collect()
}

/// The decoded (unverified) payload of a compact JWS.
pub fn jwt_payload(jwt: &str) -> Value {
    use base64::Engine;
    let part = jwt.split('.').nth(1).expect("a compact JWS");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// Verifies a compact JWS against the JWKS with `jsonwebtoken` (ES256, by `kid`) and returns
/// its claims. `aud` and `iss` are checked; `exp` only when `check_exp`.
pub fn verify_es256(jwt: &str, jwks: &Value, iss: &str, aud: &str, check_exp: bool) -> Value {
    use jsonwebtoken::{decode, decode_header, jwk::JwkSet, Algorithm, DecodingKey, Validation};
    let header = decode_header(jwt).unwrap();
    assert_eq!(header.alg, Algorithm::ES256);
    let kid = header.kid.clone().expect("a kid in the header");
    let set: JwkSet = serde_json::from_value(jwks.clone()).expect("a JWK set");
    let jwk = set.find(&kid).unwrap_or_else(|| panic!("kid {kid} in the JWKS {jwks}"));
    let key = DecodingKey::from_jwk(jwk).unwrap();
    let mut v = Validation::new(Algorithm::ES256);
    v.set_issuer(&[iss]);
    v.set_audience(&[aud]);
    v.validate_exp = check_exp;
    v.leeway = 0;
    v.set_required_spec_claims(&["iss", "aud", "sub", "iat"]);
    decode::<Value>(jwt, &key, &v).unwrap_or_else(|e| panic!("{jwt} does not verify: {e}")).claims
}

/// Waits (up to `secs`) for `check` to hold.
pub async fn eventually<F, Fut>(secs: u64, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if check().await {
            return;
        }
        assert!(Instant::now() < deadline, "{what} within {secs} s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
