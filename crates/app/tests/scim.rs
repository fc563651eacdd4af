//! Acceptance: SCIM 2.0 at `/scim/v2` (R33) on both backends, driven by a real SCIM client:
//! `tests/scim/client.py` on PyPI's scim2-client (with scim2-models and httpx2), in the
//! virtual environment `.ci/scim-client-setup` makes (`target/scim-venv`, or the Python that
//! `EA_SCIM_PYTHON` names). An administrator creates a provisioning credential (R36) over the
//! API, the credential gets a token for `<issuer>/scim/v2`, and the script provisions with
//! it: discovery, create, read, filtered and paged lists, replace, PATCH with and without
//! paths, ETags and `If-Match`, suspension, delete, and the errors. The test then checks what
//! only the server side shows: the activation codes went out by SMS, a suspended login cannot
//! sign in and a resumed one can, and the audit chain verifies. Without the client the test
//! skips, saying so; with `EA_REQUIRE_SCIM_CLIENT=1` (CI) it fails instead.

#[path = "support/oidc.rs"]
mod oidc_support;
mod support;

use std::path::PathBuf;

use oidc_support::*;
use serde_json::{json, Value};
use support::*;

fn python() -> Option<PathBuf> {
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/scim-venv/bin/python");
    let found = std::env::var_os("EA_SCIM_PYTHON").map(PathBuf::from).or(Some(venv)).filter(|p| p.exists());
    let usable = found.filter(|p| {
        std::process::Command::new(p)
            .args(["-c", "import scim2_client.engines.httpx2, scim2_models"])
            .status()
            .is_ok_and(|s| s.success())
    });
    if usable.is_none() {
        let why = "the SCIM client (scim2-client[httpx2]) is not installed: run .ci/scim-client-setup";
        assert!(std::env::var("EA_REQUIRE_SCIM_CLIENT").as_deref() != Ok("1"), "{why}");
        eprintln!("skipped: {why}");
    }
    usable
}

/// R36: the administrator's provisioning credential, and its access token for `/scim/v2`.
async fn provisioning_token(s: &Server, org: &Org) -> String {
    let until = time::OffsetDateTime::now_utc() + time::Duration::days(365);
    let until = until.format(&time::format_description::well_known::Rfc3339).unwrap();
    let (st, b) = s
        .call(
            "POST",
            &format!("/entities/{}/machine-credentials", org.entity),
            Some(&org.admin_token),
            Some(json!({"name": "HR system", "eservices": [], "provisioning": true, "valid_until": until})),
        )
        .await;
    assert_eq!(st, 201, "provisioning credential: {b}");
    let rp = Rp {
        code: String::new(),
        client_id: b["client_id"].as_str().unwrap().to_string(),
        client_secret: b["client_secret"].as_str().unwrap().to_string(),
    };
    let resource = format!("{}/scim/v2", s.base);
    let (st, b) = token(s, &rp, &[("grant_type", "client_credentials"), ("resource", &resource)]).await;
    assert_eq!(st, 200, "a token for /scim/v2: {b}");
    b["access_token"].as_str().unwrap().to_string()
}

async fn scim(s: &Server, method: &str, path: &str, token: &str, body: Option<Value>) -> (u16, Value) {
    let mut req = s.http.request(method.parse().unwrap(), format!("{}/scim/v2{path}", s.base)).bearer_auth(token);
    if let Some(b) = body {
        req = req.header("content-type", "application/scim+json").body(b.to_string());
    }
    let res = req.send().await.unwrap();
    let st = res.status().as_u16();
    (st, res.json().await.unwrap_or(Value::Null))
}

fn active_patch(active: bool) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
           "Operations": [{"op": "replace", "path": "active", "value": active}]})
}

on_both_backends!(r33_a_scim_client_provisions_the_entitys_staff, |s: Server| async move {
    let Some(python) = python() else { return };
    let op = s.operator_token().await;
    let org = org(&s, &op).await;
    let other = org_with(&s, &op, 1).await;
    let token = provisioning_token(&s, &org).await;
    let hidden = [org.admin_id.as_str(), org.entity_id.as_str(), other.staff_id.as_str()].join(",");

    // The organisation's own staff login (made by its administrator) is a User too; the
    // script provisions four more beside it, so it works on a fresh entity: remove it first.
    let (st, b) = scim(&s, "DELETE", &format!("/Users/{}", org.staff_id), &token, None).await;
    assert_eq!(st, 204, "{b}");

    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/scim/client.py");
    let mobile_base = "66330000";
    let out = tokio::process::Command::new(&python)
        .arg(&script)
        .env("SCIM_BASE", format!("{}/scim/v2", s.base))
        .env("SCIM_TOKEN", &token)
        .env("SCIM_HIDDEN", &hidden)
        .env("SCIM_MOBILE_BASE", mobile_base)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the SCIM client failed:\n{stdout}\n{stderr}");
    let last = stdout.lines().last().unwrap_or_default();
    let [_, _, alice, carl] = last.split(' ').collect::<Vec<_>>()[..] else { panic!("{stdout}") };

    // Every User it created got its activation code by SMS, as an administrator's would.
    for i in [0, 1, 2, 3] {
        let mobile = format!("+8536633000{i}");
        s.code_for(&mobile, 1).await;
    }
    // The person activates, choosing username and password (R11); SCIM then shows the username.
    assert_eq!(s.activate("entity_number", &org.entity, "+85366330000", "alice.chan").await, "staff");
    let (st, u) = scim(&s, "GET", &format!("/Users/{alice}"), &token, None).await;
    assert_eq!((st, u["userName"].as_str()), (200, Some("alice.chan")), "{u}");

    // Suspended: the session ends and signing in is refused; resumed: signing in works again.
    let (session, _) = s.login(&org.entity, "alice.chan").await;
    let (st, b) = scim(&s, "PATCH", &format!("/Users/{alice}"), &token, Some(active_patch(false))).await;
    assert_eq!((st, b["active"].as_bool()), (200, Some(false)), "{b}");
    let (st, _) = s.call("GET", "/me", Some(&session), None).await;
    assert_eq!(st, 401, "the suspended login's session ended at once");
    let creds = json!({"entity_number": org.entity, "username": "alice.chan", "password": PASSWORD});
    let (st, b) = s.call("POST", "/login", None, Some(creds.clone())).await;
    assert_eq!(st, 401, "a suspended login cannot sign in: {b}");
    let (st, _) = scim(&s, "PATCH", &format!("/Users/{alice}"), &token, Some(active_patch(true))).await;
    assert_eq!(st, 200);
    let (st, b) = s.call("POST", "/login", None, Some(creds)).await;
    assert_eq!(st, 200, "resumed: {b}");
    let (st, _) = s.call("GET", "/me", Some(&session), None).await;
    assert_eq!(st, 401, "the ended session stays ended");
    let (st, _) = scim(&s, "GET", &format!("/Users/{carl}"), &token, None).await;
    assert_eq!(st, 200);

    // The other entity is untouched; its staff member still signs in.
    s.login(&other.entity, STAFF_USER).await;
    // Every change is in the audit, as SCIM's, and the chain verifies.
    let (st, audit) = s.call("GET", &format!("/entities/{}/audit", org.entity), Some(&org.admin_token), None).await;
    assert_eq!(st, 200);
    let text = audit.to_string();
    for action in [
        "scim.user_created",
        "scim.user_replaced",
        "scim.user_patched",
        "scim.user_suspended",
        "scim.user_resumed",
        "scim.user_deleted",
    ] {
        assert!(text.contains(action), "{action} audited: {text}");
    }
    let out = s.cli(&["audit", "verify"], None).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
});

on_both_backends!(r33_scim_refuses_without_a_provisioning_token, |s: Server| async move {
    let op = s.operator_token().await;
    let org = org(&s, &op).await;
    for token in [None, Some("not-a-token"), Some(org.admin_token.as_str())] {
        let mut req = s.http.get(format!("{}/scim/v2/Users", s.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status().as_u16(), 401, "{token:?}");
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/scim+json"));
        let b: Value = res.json().await.unwrap();
        assert_eq!(b["schemas"], json!(["urn:ietf:params:scim:api:messages:2.0:Error"]));
        assert_eq!(b["status"], "401");
    }
    // Discovery needs no token; an unknown SCIM path answers in SCIM's shape.
    let res = s.http.get(format!("{}/scim/v2/ServiceProviderConfig", s.base)).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let res = s.http.get(format!("{}/scim/v2/Groups", s.base)).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 404);
    let b: Value = res.json().await.unwrap();
    assert_eq!(b["status"], "404");
});
