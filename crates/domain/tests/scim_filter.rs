//! Hostile input against SCIM's parsers (R33), as `hostile_input.rs` does for the others:
//! the filter parser never panics on any string, nests no deeper than its limit, and every
//! filter tree it prints parses back to the same tree; the list query built from a filter
//! and PATCH applied to a User's view never panic either. Pure functions: no store.
//!
//!   `cargo test -p domain --test scim_filter` (`PROPTEST_CASES` for a longer run)

use domain::scim::filter::{self, AttrPath, CompValue, CompareOp, Filter};
use domain::scim::patch::{self, OpKind, PatchOp};
use domain::scim::query::user_filter;
use domain::scim::Value;
use proptest::prelude::*;
use proptest::test_runner::Config;

fn config() -> Config {
    Config { failure_persistence: None, ..Config::default() }
}

const TRICKY: &[char] = &[
    '\0', '"', '\\', '(', ')', '[', ']', ' ', '\t', '\n', ':', '.', '$', '-', '\u{202e}', '\u{200b}', 'é', 'ß', '𝟘',
    '\u{ffff}',
];

fn hostile_char() -> impl Strategy<Value = char> {
    prop_oneof![3 => any::<char>(), 4 => prop::sample::select(TRICKY), 3 => prop::char::range('a', 'z')]
}

fn hostile_string() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => prop::collection::vec(hostile_char(), 0..40).prop_map(String::from_iter),
        1 => (prop::collection::vec(hostile_char(), 1..4), 1_000usize..5_000)
            .prop_map(|(cs, n)| cs.iter().cycle().take(n).collect()),
    ]
}

/// Filter-shaped text: real keywords, attributes and literals in random order.
fn filterish() -> impl Strategy<Value = String> {
    let word = prop::sample::select(vec![
        "userName",
        "externalId",
        "active",
        "name.formatted",
        "eq",
        "co",
        "sw",
        "pr",
        "ne",
        "gt",
        "and",
        "or",
        "not",
        "(",
        ")",
        "[",
        "]",
        "\"x\"",
        "\"a\\\"b\"",
        "true",
        "false",
        "null",
        "42",
        "-1.5e3",
        "urn:a:b:attr",
        "emails[type eq \"work\"]",
    ]);
    prop::collection::vec(word, 0..16).prop_map(|w| w.join(" "))
}

fn attr_path() -> impl Strategy<Value = AttrPath> {
    let name = prop::sample::select(vec!["userName", "externalId", "active", "name", "type", "value", "x_y-z$1"]);
    let sub = prop::option::of(prop::sample::select(vec!["formatted", "givenName", "value"]));
    let urn = prop::option::of(prop::sample::select(vec![
        "urn:ietf:params:scim:schemas:core:2.0:User",
        "urn:ietf:params:scim:schemas:extension:entity-account:2.0:User",
    ]));
    (urn, name, sub).prop_map(|(urn, attr, sub)| AttrPath {
        urn: urn.map(str::to_string),
        attr: attr.to_string(),
        sub: sub.map(str::to_string),
    })
}

fn comp_value() -> impl Strategy<Value = CompValue> {
    prop_oneof![
        4 => prop::collection::vec(hostile_char(), 0..12).prop_map(|c| CompValue::Str(String::from_iter(c))),
        1 => any::<bool>().prop_map(CompValue::Bool),
        1 => Just(CompValue::Null),
        1 => prop::sample::select(vec!["0", "42", "-7", "3.25", "1e9", "-0.5E-3"]).prop_map(|n| CompValue::Number(n.into())),
    ]
}

fn compare_op() -> impl Strategy<Value = CompareOp> {
    prop::sample::select(vec![
        CompareOp::Eq,
        CompareOp::Ne,
        CompareOp::Co,
        CompareOp::Sw,
        CompareOp::Ew,
        CompareOp::Gt,
        CompareOp::Ge,
        CompareOp::Lt,
        CompareOp::Le,
    ])
}

fn filter_tree() -> impl Strategy<Value = Filter> {
    let leaf = prop_oneof![
        3 => (attr_path(), compare_op(), comp_value()).prop_map(|(path, op, value)| Filter::Compare { path, op, value }),
        1 => attr_path().prop_map(Filter::Present),
    ];
    leaf.prop_recursive(6, 40, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Filter::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Filter::Or(Box::new(a), Box::new(b))),
            inner.clone().prop_map(|x| Filter::Not(Box::new(x))),
            (attr_path().prop_filter("a value path has no sub-attribute", |p| p.sub.is_none()), inner)
                .prop_map(|(path, f)| Filter::ValuePath { path, filter: Box::new(f) }),
        ]
    })
}

fn user_view() -> Value {
    Value::Object(vec![
        ("externalId".into(), Value::String("hr-1".into())),
        ("name".into(), Value::Object(vec![("formatted".into(), Value::String("Chan Tai Man".into()))])),
        ("active".into(), Value::Bool(true)),
        (
            "phoneNumbers".into(),
            Value::Array(vec![Value::Object(vec![
                ("value".into(), Value::String("+85362345678".into())),
                ("type".into(), Value::String("mobile".into())),
            ])]),
        ),
    ])
}

fn patch_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        hostile_string().prop_map(Value::String),
        Just(Value::Number("1".into())),
    ];
    leaf.prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::vec(
                (prop::sample::select(vec!["formatted", "value", "type", "active", "externalId", "name"]), inner),
                0..3
            )
            .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}

fn patch_path() -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop_oneof![
        prop::sample::select(vec![
            "externalId",
            "active",
            "name",
            "name.formatted",
            "phoneNumbers",
            "phoneNumbers[type eq \"mobile\"]",
            "phoneNumbers[type eq \"mobile\"].value",
            "phoneNumbers[value co \"+\"].type",
            "userName",
            "id",
            "password",
            "emails",
            "urn:ietf:params:scim:schemas:extension:entity-account:2.0:User",
            "urn:ietf:params:scim:schemas:extension:entity-account:2.0:User:idDocumentNumber",
            "urn:ietf:params:scim:schemas:core:2.0:User:name.givenName",
        ])
        .prop_map(str::to_string),
        hostile_string(),
    ])
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn scim_filter_parser_survives_hostile_input(raw in hostile_string()) {
        if let Ok(f) = filter::parse(&raw) {
            // Whatever parses prints as text that parses to the same tree.
            prop_assert_eq!(filter::parse(&f.to_string()), Ok(f.clone()));
            let _ = user_filter(&f);
        }
    }

    #[test]
    fn scim_filter_parser_survives_filter_shaped_input(raw in filterish()) {
        if let Ok(f) = filter::parse(&raw) {
            prop_assert_eq!(filter::parse(&f.to_string()), Ok(f.clone()));
            let _ = user_filter(&f);
        }
    }

    #[test]
    fn scim_filter_trees_round_trip_through_their_text(f in filter_tree()) {
        let text = f.to_string();
        prop_assert_eq!(filter::parse(&text), Ok(f), "printed as {}", text);
    }

    #[test]
    fn scim_patch_survives_hostile_operations(
        ops in prop::collection::vec(
            (prop::sample::select(vec![OpKind::Add, OpKind::Replace, OpKind::Remove]), patch_path(), prop::option::of(patch_value())),
            1..6,
        )
    ) {
        let mut view = user_view();
        for (op, path, value) in ops {
            let _ = patch::apply(&mut view, &PatchOp { op, path, value });
        }
    }
}

#[test]
fn scim_filter_nesting_past_the_limit_is_refused_not_overflowed() {
    let deep = format!("{}userName pr{}", "not (".repeat(100), ")".repeat(100));
    assert!(filter::parse(&deep).unwrap_err().contains("deeper"));
    let brackets = format!("{}userName pr{}", "(".repeat(500), ")".repeat(500));
    assert!(filter::parse(&brackets).is_err());
}
