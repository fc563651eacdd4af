//! A first check that the support builds an entity end to end on each backend.

mod support;
use support::*;

both_backends!(r6_approval_creates_entity_and_activation_codes, |env: Env| async move {
    let op = env.operator().await;
    let e = env.entity(&op, "SO-1", "66100001").await;
    assert_eq!(e.entity_number.len(), 8);
    let admin = env.sign_in(&e.entity_number, "admin1").await;
    assert_eq!(admin.kind(), domain::model::LoginKind::Admin);
});
