//! An entity's logins a page at a time over HTTP (R15): `?limit=` and `after=` walk the
//! same list the unpaged answer gives, and bad paging parameters name their field.

mod support;
use serde_json::{json, Value};
use support::*;

on_both_backends!(r15_logins_are_listed_page_by_page_over_http, |s: Server| async move {
    let op = s.operator_token().await;
    let app = application("CRN-PAGE-1", "+85366000060", &[("Admin Page", "passport", "P6000061", "66000061")]);
    let (app_no, entity) = s.approve(&op, app).await;
    s.activate("application_number", &app_no, "+85366000060", "company").await;
    s.activate("entity_number", &entity, "+85366000061", "admin1").await;
    let (admin, _) = s.login(&entity, "admin1").await;
    for i in 2..7 {
        let body = json!({"name": format!("Staff {i}"), "id_document": {"type": "passport", "number": format!("P600006{i}")},
                          "mobile": format!("6600006{i}")});
        let (st, b) = s.call("POST", &format!("/entities/{entity}/logins"), Some(&admin), Some(body)).await;
        assert_eq!(st, 201, "{b}");
    }
    let ids = |b: &Value| -> Vec<String> {
        b["logins"].as_array().unwrap().iter().map(|l| l["login_id"].as_str().unwrap().to_string()).collect()
    };

    // Without parameters: every login, and no `next`, as before paging.
    let (st, b) = s.call("GET", &format!("/entities/{entity}/logins"), Some(&admin), None).await;
    assert_eq!(st, 200, "{b}");
    assert!(b.get("next").is_none(), "{b}");
    let whole = ids(&b);
    assert_eq!(whole.len(), 7);

    // Pages of 3: 3, 3, 1; each but the last names the next.
    let mut paged = Vec::new();
    let mut sizes = Vec::new();
    let mut path = format!("/entities/{entity}/logins?limit=3");
    loop {
        let (st, b) = s.call("GET", &path, Some(&admin), None).await;
        assert_eq!(st, 200, "{path}: {b}");
        sizes.push(ids(&b).len());
        paged.extend(ids(&b));
        match b.get("next").and_then(Value::as_str) {
            Some(next) => path = format!("/entities/{entity}/logins?limit=3&after={next}"),
            None => break,
        }
    }
    assert_eq!(sizes, [3, 3, 1]);
    assert_eq!(paged, whole);

    // Bad paging parameters are field errors naming the parameter.
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=lots", "limit"),
        ("limit=3&after=not-a-cursor", "after"),
        ("after=", "after"),
    ] {
        let (st, b) = s.call("GET", &format!("/entities/{entity}/logins?{query}"), Some(&admin), None).await;
        assert_eq!((st, b["code"].as_str()), (422, Some("validation_failed")), "{query}: {b}");
        assert_eq!(b["errors"][0]["field"], field, "{query}: {b}");
    }
});
