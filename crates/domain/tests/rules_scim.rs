//! Rule R33: SCIM provisioning by a credential of the entity (R36's provisioning right). It
//! sees its entity's staff logins only; it creates them as an administrator does (R15),
//! with the activation code by SMS; `active: false` suspends a login at once and `true`
//! resumes it; the identity document is write-only; lists filter and page in SQL; PATCH,
//! `If-Match` and refusals leave nothing half done. Every test runs on both backends.

mod support;
use support::oidc::*;
use support::*;

use domain::model::LoginStatus;
use domain::scim::schema::EXTENSION_USER;
use domain::scim::Value;
use domain::{Code, Error};

fn s(v: &str) -> Value {
    Value::String(v.into())
}

fn obj(members: &[(&str, Value)]) -> Value {
    Value::Object(members.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
}

/// A User body as an HR system sends it.
fn user_body(name: &str, mobile: &str, id_number: &str, external_id: Option<&str>) -> Value {
    let mut members = vec![
        ("schemas", Value::Array(vec![s("urn:ietf:params:scim:schemas:core:2.0:User"), s(EXTENSION_USER)])),
        ("userName", s("ignored-by-the-server")),
        ("name", obj(&[("formatted", s(name))])),
        ("phoneNumbers", Value::Array(vec![obj(&[("value", s(mobile)), ("type", s("mobile"))])])),
        (EXTENSION_USER, obj(&[("idDocumentType", s("passport")), ("idDocumentNumber", s(id_number))])),
    ];
    if let Some(e) = external_id {
        members.push(("externalId", s(e)));
    }
    obj(&members)
}

fn patch(ops: Vec<Value>) -> Value {
    obj(&[
        ("schemas", Value::Array(vec![s("urn:ietf:params:scim:api:messages:2.0:PatchOp")])),
        ("Operations", Value::Array(ops)),
    ])
}

fn pop(kind: &str, path: Option<&str>, value: Option<Value>) -> Value {
    let mut m = vec![("op", s(kind))];
    if let Some(p) = path {
        m.push(("path", s(p)));
    }
    if let Some(v) = value {
        m.push(("value", v));
    }
    obj(&m)
}

fn scim_code(e: &Error) -> Option<Code> {
    match e {
        Error::Validation(list) => list.first().map(|f| f.code),
        Error::Conflict { code, .. } | Error::Refused { code, .. } => Some(*code),
        _ => None,
    }
}

async fn audit_actions(env: &Env, admin: &domain::access::Caller) -> Vec<(String, bool, String)> {
    let v = admin.overseer_of(admin.entity_number()).unwrap();
    env.services
        .entity_audit(&v, 0, 500)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.action, r.result == "success", r.actor))
        .collect()
}

both_backends!(r33_scim_sees_only_its_entitys_staff, |env: Env| async move {
    let op = env.operator().await;
    let a = env.entity(&op, "R33-SEE-A", "63300001").await;
    let b = env.entity(&op, "R33-SEE-B", "63300002").await;
    let admin_a = env.sign_in(&a.entity_number, "admin1").await;
    let admin_b = env.sign_in(&b.entity_number, "admin1").await;
    let staff_a = staff(&env, &admin_a, "S3300001", "63300011", "staffa").await;
    let staff_b = staff(&env, &admin_b, "S3300002", "63300012", "staffb").await;
    let p = provisioner(&env, &a.entity_number).await;

    let list = env.services.scim_list_users(&p, None, None, None).await.unwrap();
    assert_eq!(list.total_results, 1, "only A's one staff login, not its administrator or entity account");
    assert_eq!(list.users[0].id, staff_a);
    assert_eq!(list.users[0].user_name, "staffa");

    let entity_account = env.sign_in(&a.entity_number, "entity").await;
    for hidden in [a.admin_login_id.as_str(), entity_account.login_id(), staff_b.as_str(), "not-a-uuid"] {
        assert!(matches!(env.services.scim_get_user(&p, hidden).await, Err(Error::NotFound)), "{hidden}");
        let body = user_body("X", "63300011", "S3300001", None);
        let put = env.services.scim_replace_user(&p, &env.ctx(), hidden, None, &body).await;
        assert!(matches!(put, Err(Error::NotFound)), "{hidden}: {put:?}");
        let pat = patch(vec![pop("replace", Some("active"), Some(Value::Bool(false)))]);
        assert!(matches!(env.services.scim_patch_user(&p, &env.ctx(), hidden, None, &pat).await, Err(Error::NotFound)));
        assert!(matches!(env.services.scim_delete_user(&p, &env.ctx(), hidden, None).await, Err(Error::NotFound)));
    }
    // Nothing of B's changed: its staff member still signs in, its administrator too.
    env.sign_in(&b.entity_number, "staffb").await;
    env.sign_in(&b.entity_number, "admin1").await;
    env.sign_in(&a.entity_number, "admin1").await;
});

both_backends!(r33_created_user_gets_activation_code_by_sms, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R33-NEW-1", "63300101").await;
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    let p = provisioner(&env, &e.entity_number).await;
    let before = env.outbox().await.len();
    let body = user_body("Chan Tai Man", "6330 0111", "P3300111", Some("hr-111"));
    let u = env.services.scim_create_user(&p, &env.ctx(), &body).await.unwrap();
    assert_eq!(u.user_name, u.id, "until the person chooses a username at activation, userName is the login id");
    assert_eq!(u.external_id.as_deref(), Some("hr-111"));
    assert!(u.active);
    assert_eq!(u.mobile, "+85363300111");
    let sms = env.outbox().await;
    assert_eq!(sms.len(), before + 1, "one SMS, the activation code");
    let code = env.last_code_for("+85363300111").await;
    // The person activates with it and chooses their own username and password (R10, R11).
    assert_eq!(env.activate_staff(&e.entity_number, &code, "chantm").await, u.id);
    let after = env.services.scim_get_user(&p, &u.id).await.unwrap();
    assert_eq!(after.user_name, "chantm");
    assert_ne!(after.version, u.version, "activation changed the resource, so its version");

    // R15's checks, reused: the same person twice, a bad mobile, a missing document; no password ever.
    let again = env.services.scim_create_user(&p, &env.ctx(), &user_body("Other", "63300112", "P3300111", None)).await;
    assert_eq!(scim_code(&again.unwrap_err()), Some(Code::PersonHasLogin));
    let dup_ext = env
        .services
        .scim_create_user(&p, &env.ctx(), &user_body("Other", "63300112", "P3300112", Some("hr-111")))
        .await;
    assert_eq!(scim_code(&dup_ext.unwrap_err()), Some(Code::ExternalIdTaken));
    let bad = env.services.scim_create_user(&p, &env.ctx(), &user_body("", "12345", "", None)).await.unwrap_err();
    let Error::Validation(fields) = &bad else { panic!("{bad:?}") };
    let named: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
    assert!(named.contains(&"name.formatted") && named.iter().any(|f| f.starts_with("phoneNumbers")), "{named:?}");
    assert!(named.iter().any(|f| f.starts_with(EXTENSION_USER)), "{named:?}");
    let Value::Object(mut with_password) = user_body("Pw", "63300113", "P3300113", None) else { unreachable!() };
    with_password.push(("password".into(), s("a password chosen by HR")));
    let pw = env.services.scim_create_user(&p, &env.ctx(), &Value::Object(with_password)).await.unwrap_err();
    assert_eq!(scim_code(&pw), Some(Code::Immutable));
    assert_eq!(env.outbox().await.len(), before + 1, "refused creations sent nothing");
    let list = env.services.scim_list_users(&p, None, None, None).await.unwrap();
    assert_eq!(list.total_results, 1, "refused creations created nothing");

    // Audited as SCIM's, naming the credential; the refusals too.
    let audit = audit_actions(&env, &admin).await;
    assert!(
        audit
            .iter()
            .any(|(a, ok, actor)| a == "scim.user_created" && *ok && *actor == format!("client:{}", p.client_id())),
        "{audit:?}"
    );
    assert!(audit.iter().filter(|(a, ok, _)| a == "scim.user_created" && !ok).count() >= 2, "{audit:?}");
});

both_backends!(r33_inactive_suspends_at_once_and_active_resumes, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R33-SUS-1", "63300201").await;
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    let secret = client(&env, &op, "dsal-jobs", "DSAL", false).await;
    let id = staff(&env, &admin, "S3300201", "63300211", "suspendme").await;
    assign(&env, &admin, &id, &["dsal-jobs"]).await;
    let session = env.token(&e.entity_number, "suspendme").await;
    let caller = env.sign_in(&e.entity_number, "suspendme").await;
    let issued = sign_in(&env, &caller, "dsal-jobs", &secret).await;
    assert!(active(&env, "dsal-jobs", &secret, &issued.access_token).await);
    let p = provisioner(&env, &e.entity_number).await;

    let pat = patch(vec![op_active(false)]);
    let u = env.services.scim_patch_user(&p, &env.ctx(), &id, None, &pat).await.unwrap();
    assert!(!u.active);
    // At once: the session, the e-service's token, a new sign-in and the access decision.
    assert!(env.services.authenticate(&session).await.is_err(), "the session ended");
    assert!(!active(&env, "dsal-jobs", &secret, &issued.access_token).await, "the token ended");
    let login = env
        .services
        .login(
            &env.ctx(),
            domain::sessions::LoginInput {
                entity_number: e.entity_number.clone(),
                username: "suspendme".into(),
                password: PASSWORD.into(),
            },
        )
        .await;
    assert!(login.is_err(), "a suspended login cannot sign in");
    let refused = env.services.parse_authorize(&authorize_pairs("dsal-jobs")).await.unwrap();
    let outcome = env.services.authorize(&env.ctx(), &caller, &refused).await;
    assert!(!matches!(outcome, Ok(domain::oidc::authorize::Outcome::Code(_))), "and grants nothing: {outcome:?}");
    let listed = env.services.scim_list_users(&p, Some("active eq false"), None, None).await.unwrap();
    assert_eq!(listed.users.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(), [id.as_str()]);

    // Resumed: signing in works again; what ended stays ended.
    let u = env.services.scim_patch_user(&p, &env.ctx(), &id, None, &patch(vec![op_active(true)])).await.unwrap();
    assert!(u.active);
    let back = env.token(&e.entity_number, "suspendme").await;
    assert!(env.services.authenticate(&back).await.is_ok());
    assert!(env.services.authenticate(&session).await.is_err(), "the old session stays ended");
    assert!(!active(&env, "dsal-jobs", &secret, &issued.access_token).await, "the old token stays ended");
    let audit = audit_actions(&env, &admin).await;
    assert!(
        audit.iter().any(|(a, ..)| a == "scim.user_suspended") && audit.iter().any(|(a, ..)| a == "scim.user_resumed")
    );

    // A login suspended before activation activates only once resumed.
    let u = env
        .services
        .scim_create_user(&p, &env.ctx(), &obj_with_active(user_body("Pending", "63300212", "P3300212", None), false))
        .await
        .unwrap();
    assert!(!u.active);
    let code = env.last_code_for("+85363300212").await;
    let activation = env
        .services
        .activate(
            &env.ctx(),
            domain::activation::ActivateInput {
                application_number: None,
                entity_number: Some(e.entity_number.clone()),
                activation_code: code.clone(),
                username: "pendingone".into(),
                password: PASSWORD.into(),
            },
        )
        .await;
    assert!(activation.is_err(), "a suspended login does not activate");
    env.services.scim_patch_user(&p, &env.ctx(), &u.id, None, &patch(vec![op_active(true)])).await.unwrap();
    assert_eq!(env.activate_staff(&e.entity_number, &code, "pendingone").await, u.id);
});

fn op_active(b: bool) -> Value {
    pop("replace", Some("active"), Some(Value::Bool(b)))
}

fn obj_with_active(v: Value, active: bool) -> Value {
    let Value::Object(mut m) = v else { unreachable!() };
    m.push(("active".into(), Value::Bool(active)));
    Value::Object(m)
}

both_backends!(r33_identity_document_is_write_only, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R33-WO-1", "63300301").await;
    let p = provisioner(&env, &e.entity_number).await;
    let u = env
        .services
        .scim_create_user(&p, &env.ctx(), &user_body("Write Only", "63300311", "P9988776", None))
        .await
        .unwrap();
    let shown = format!("{u:?}");
    assert!(!shown.contains("P9988776"), "never the number: {shown}");
    assert!(u.id_number_mask.as_deref().is_some_and(|m| m.ends_with("776") && !m.contains("9988")), "{u:?}");
    // Repeating it is accepted; changing it is not (mutability), through PUT or PATCH.
    let same = env
        .services
        .scim_replace_user(&p, &env.ctx(), &u.id, None, &user_body("Write Only", "63300311", "P9988776", None))
        .await;
    assert!(same.is_ok(), "{same:?}");
    let other = env
        .services
        .scim_replace_user(&p, &env.ctx(), &u.id, None, &user_body("Write Only", "63300311", "P1111111", None))
        .await;
    assert_eq!(scim_code(&other.unwrap_err()), Some(Code::Immutable));
    let path = format!("{EXTENSION_USER}:idDocumentNumber");
    let pat = patch(vec![
        pop("replace", Some(&path), Some(s("P2222222"))),
        pop("replace", Some(&format!("{EXTENSION_USER}:idDocumentType")), Some(s("passport"))),
    ]);
    assert_eq!(
        scim_code(&env.services.scim_patch_user(&p, &env.ctx(), &u.id, None, &pat).await.unwrap_err()),
        Some(Code::Immutable)
    );
    let mobile = patch(vec![pop("replace", Some("phoneNumbers[type eq \"mobile\"].value"), Some(s("63300399")))]);
    assert_eq!(
        scim_code(&env.services.scim_patch_user(&p, &env.ctx(), &u.id, None, &mobile).await.unwrap_err()),
        Some(Code::Immutable)
    );
});

both_backends!(r33_patch_add_replace_remove_with_and_without_path, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R33-PAT-1", "63300401").await;
    let p = provisioner(&env, &e.entity_number).await;
    let u = env
        .services
        .scim_create_user(&p, &env.ctx(), &user_body("Patch Me", "63300411", "P3300411", None))
        .await
        .unwrap();
    let run = |ops: Vec<Value>| {
        let (env, p, id) = (&env, &p, u.id.clone());
        async move { env.services.scim_patch_user(p, &env.ctx(), &id, None, &patch(ops)).await }
    };
    let v = run(vec![pop("add", Some("externalId"), Some(s("hr-411")))]).await.unwrap();
    assert_eq!(v.external_id.as_deref(), Some("hr-411"));
    let v = run(vec![pop(
        "replace",
        None,
        Some(obj(&[("name", obj(&[("formatted", s("Patched Name"))])), ("externalId", s("hr-412"))])),
    )])
    .await
    .unwrap();
    assert_eq!((v.name.as_str(), v.external_id.as_deref()), ("Patched Name", Some("hr-412")));
    let v = run(vec![pop("Replace", Some("name.formatted"), Some(s("By Path")))]).await.unwrap();
    assert_eq!(v.name, "By Path");
    let v = run(vec![pop("add", None, Some(obj(&[("active", s("False"))])))]).await.unwrap();
    assert!(!v.active, "a boolean spelled as a string, as some clients send it");
    let v = run(vec![pop("remove", Some("externalId"), None), pop("replace", Some("active"), Some(Value::Bool(true)))])
        .await
        .unwrap();
    assert_eq!(v.external_id, None);
    assert!(v.active);
    let version = v.version.clone();

    // Faults are named, and a refused PATCH changes nothing, not even its first operations.
    let cases = [
        (vec![pop("replace", Some("nickName"), Some(s("x")))], Code::InvalidPath),
        (vec![pop("replace", Some("phoneNumbers[type eq \"work\"].value"), Some(s("x")))], Code::NoTarget),
        (vec![pop("remove", None, None)], Code::NoTarget),
        (vec![pop("replace", Some("userName"), Some(s("chosen-by-hr")))], Code::Immutable),
        (
            vec![pop("replace", Some("name.formatted"), Some(s("Half Done"))), pop("remove", Some("name"), None)],
            Code::Required,
        ),
        (vec![pop("replace", Some("phoneNumbers[type eq"), Some(s("x")))], Code::InvalidPath),
        (vec![pop("copy", Some("active"), Some(Value::Bool(false)))], Code::InvalidFormat),
    ];
    for (ops, code) in cases {
        let r = run(ops.clone()).await;
        assert_eq!(scim_code(&r.unwrap_err()), Some(code), "{ops:?}");
    }
    let now = env.services.scim_get_user(&p, &u.id).await.unwrap();
    assert_eq!((now.name.as_str(), now.version.as_str()), ("By Path", version.as_str()), "nothing changed");
});

both_backends!(r33_if_match_refuses_a_stale_version, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R33-ETG-1", "63300501").await;
    let p = provisioner(&env, &e.entity_number).await;
    let u =
        env.services.scim_create_user(&p, &env.ctx(), &user_body("Tag", "63300511", "P3300511", None)).await.unwrap();
    assert!(u.version.starts_with("W/\""), "{}", u.version);
    let body = user_body("Tag Two", "63300511", "P3300511", None);
    let v = env.services.scim_replace_user(&p, &env.ctx(), &u.id, Some(&u.version), &body).await.unwrap();
    assert_ne!(v.version, u.version, "every change, a new version");
    let stale = env
        .services
        .scim_replace_user(
            &p,
            &env.ctx(),
            &u.id,
            Some(&u.version),
            &user_body("Tag Three", "63300511", "P3300511", None),
        )
        .await;
    assert_eq!(scim_code(&stale.unwrap_err()), Some(Code::VersionMismatch));
    let del = env.services.scim_delete_user(&p, &env.ctx(), &u.id, Some(&u.version)).await;
    assert_eq!(scim_code(&del.unwrap_err()), Some(Code::VersionMismatch));
    assert_eq!(env.services.scim_get_user(&p, &u.id).await.unwrap().name, "Tag Two");
    env.services.scim_delete_user(&p, &env.ctx(), &u.id, Some(&v.version)).await.unwrap();
    assert!(matches!(env.services.scim_get_user(&p, &u.id).await, Err(Error::NotFound)));
});

both_backends!(r33_delete_ends_the_login_as_an_administrators_deletion_does, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R33-DEL-1", "63300601").await;
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    let id = staff(&env, &admin, "S3300601", "63300611", "deleteme").await;
    let session = env.token(&e.entity_number, "deleteme").await;
    let p = provisioner(&env, &e.entity_number).await;
    env.services.scim_delete_user(&p, &env.ctx(), &id, None).await.unwrap();
    assert!(env.services.authenticate(&session).await.is_err());
    let logins = env.services.list_logins(&admin.overseer_of(&e.entity_number).unwrap()).await.unwrap();
    assert!(logins.iter().all(|l| l.login.id != id.as_str() || l.login.status == LoginStatus::Deleted));
    assert!(matches!(env.services.scim_delete_user(&p, &env.ctx(), &id, None).await, Err(Error::NotFound)));
    let audit = audit_actions(&env, &admin).await;
    assert!(audit.iter().any(|(a, ok, _)| a == "scim.user_deleted" && *ok));
});

both_backends!(r33_lists_filter_and_page_in_the_store, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R33-LST-1", "63300701").await;
    let p = provisioner(&env, &e.entity_number).await;
    let names = ["Álvaro Chan", "Beatriz Wong", "Carlos Chan", "Daniela Lei", "Eduardo Ho"];
    let mut ids = Vec::new();
    for (i, n) in names.iter().enumerate() {
        let ext = format!("HR-{i}");
        let body = user_body(n, &format!("6330071{i}"), &format!("P330071{i}"), Some(&ext));
        ids.push(env.services.scim_create_user(&p, &env.ctx(), &body).await.unwrap().id);
        env.clock.advance_secs(1);
    }
    let page = |f: Option<&'static str>, start: Option<i64>, count: Option<i64>| {
        let (env, p) = (&env, &p);
        async move {
            let l = env.services.scim_list_users(p, f, start, count).await.unwrap();
            (l.total_results, l.users.into_iter().map(|u| u.name).collect::<Vec<_>>())
        }
    };
    assert_eq!(page(None, Some(2), Some(2)).await, (5, vec!["Beatriz Wong".into(), "Carlos Chan".into()]));
    assert_eq!(page(None, Some(5), Some(10)).await.1, vec!["Eduardo Ho".to_string()]);
    assert_eq!(page(None, Some(0), Some(0)).await, (5, vec![]), "count=0 gives only the total");
    assert_eq!(page(Some("name.formatted co \"chan\""), None, None).await.0, 2, "case-insensitive");
    assert_eq!(
        page(Some("name.formatted sw \"ÁLV\""), None, None).await.1,
        vec!["Álvaro Chan".to_string()],
        "folded beyond ASCII"
    );
    assert_eq!(page(Some("name.formatted ew \"Ho\""), None, None).await.1, vec!["Eduardo Ho".to_string()]);
    assert_eq!(page(Some("externalId eq \"HR-1\""), None, None).await.1, vec!["Beatriz Wong".to_string()]);
    assert_eq!(page(Some("externalId eq \"hr-1\""), None, None).await.0, 0, "externalId is case-exact");
    assert_eq!(page(Some("EXTERNALID pr and not (name.formatted co \"Chan\")"), None, None).await.0, 3);
    assert_eq!(
        page(Some("(externalId eq \"HR-0\" or externalId eq \"HR-4\") and active eq true"), None, None).await.0,
        2
    );
    let by_id = format!("id eq \"{}\"", ids[3].to_uppercase());
    let l = env.services.scim_list_users(&p, Some(&by_id), None, None).await.unwrap();
    assert_eq!(l.users.len(), 1);
    let by_username = format!("userName eq \"{}\"", ids[2]);
    assert_eq!(env.services.scim_list_users(&p, Some(&by_username), None, None).await.unwrap().users[0].id, ids[2]);
    assert_eq!(page(Some("externalId ne \"HR-1\""), None, None).await.0, 4);

    for bad in [
        "userName eq",
        "nickName eq \"x\"",
        "userName gt \"a\"",
        "(userName pr",
        "emails[type eq \"work\"]",
        "active eq \"yes\"",
    ] {
        let e = env.services.scim_list_users(&p, Some(bad), None, None).await.unwrap_err();
        assert_eq!(scim_code(&e), Some(Code::InvalidFilter), "{bad}");
    }
});

// A write holds a provisioner read before it waited for the write lock; the credential is
// deleted meanwhile. The write reads the bearer again under the lock and writes nothing.
both_backends!(r33_r36_a_write_of_a_credential_deleted_while_it_waited_changes_nothing, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "R33-RACE-1", "63300901").await;
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    let (client_id, secret) = provisioning_credential(&env, &admin).await;
    let p = provisioner_by_secret(&env, &client_id, &secret).await;
    let made = env
        .services
        .scim_create_user(&p, &env.ctx(), &user_body("Lee Siu Ming", "63300911", "P3300911", None))
        .await
        .unwrap();
    let rights = admin.admin_of(admin.entity_number()).unwrap();
    env.services.delete_machine_credential(&rights, &env.ctx(), &client_id).await.unwrap();
    let before = env.outbox().await.len();
    let created = env.services.scim_create_user(&p, &env.ctx(), &user_body("Late", "63300912", "P3300912", None)).await;
    assert!(matches!(created, Err(Error::Unauthenticated)), "{created:?}");
    let replaced = env
        .services
        .scim_replace_user(&p, &env.ctx(), &made.id, None, &user_body("Renamed", "63300911", "P3300911", None))
        .await;
    assert!(matches!(replaced, Err(Error::Unauthenticated)), "{replaced:?}");
    let deleted = env.services.scim_delete_user(&p, &env.ctx(), &made.id, None).await;
    assert!(matches!(deleted, Err(Error::Unauthenticated)), "{deleted:?}");
    assert_eq!(env.outbox().await.len(), before, "nothing sent");
    // The login is as it was: the administrator's own listing still shows it, named as made.
    let logins = env.services.list_logins(&admin.overseer_of(&e.entity_number).unwrap()).await.unwrap();
    let kept: Vec<_> = logins.iter().filter(|l| l.login.id == made.id).map(|l| l.login.name.clone()).collect();
    assert_eq!(kept, ["Lee Siu Ming"], "neither renamed nor deleted");
});
