//! An administrator pages through an entity's 10,000 staff: every page's cursor is collected
//! by walking the list once, then pages are fetched in a closed loop, each loop taking the
//! next cursor.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use crate::load::{closed_loop, MakeRequest};
use crate::report::{Figure, Target};
use crate::server::Server;

const PAGE: usize = 100;

pub async fn figure(s: &Server, session: &str, entity: &str, staff: u64, duration: Duration) -> anyhow::Result<Figure> {
    let url = format!("{}/api/v1/entities/{entity}/logins", s.base);
    let mut cursors: Vec<Option<String>> = vec![None];
    let mut seen = 0usize;
    loop {
        let mut req = s.http.get(&url).bearer_auth(session).query(&[("limit", PAGE.to_string())]);
        if let Some(after) = cursors.last().cloned().flatten() {
            req = req.query(&[("after", after)]);
        }
        let page: serde_json::Value = req.send().await?.error_for_status()?.json().await?;
        seen += page["logins"].as_array().context("a page of logins")?.len();
        match page["next"].as_str() {
            Some(next) => cursors.push(Some(next.to_string())),
            None => break,
        }
    }
    let pages = cursors.len();
    let next = Arc::new(AtomicUsize::new(0));
    let make: MakeRequest = {
        let (url, token) = (url.clone(), session.to_string());
        Arc::new(move |c| {
            let i = next.fetch_add(1, Ordering::Relaxed) % pages;
            let req = c.get(&url).bearer_auth(&token).query(&[("limit", PAGE.to_string())]);
            match &cursors[i] {
                Some(after) => req.query(&[("after", after)]),
                None => req,
            }
        })
    };
    let run = closed_loop(&s.http, make, 200, 4, duration).await;
    let notes = format!(
        "{PAGE} a page over {seen} logins ({pages} pages), c=4, {:.0} pages/s, {} requests",
        run.per_second(),
        run.requests
    );
    let produced = run.requests > 0 && run.errors == 0 && seen as u64 >= staff;
    Ok(Figure::value(
        "Listing one entity's staff a page at a time: p99",
        run.p99_ms(),
        "ms",
        Target::AtMost(10.0),
        notes,
        produced,
    ))
}
