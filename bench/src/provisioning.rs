//! Software acting for an entity (issue 17): staff logins created from one CSV file (R32),
//! beside the same number created one at a time over the API in the same run; and an HR
//! system paging through an entity's Users over SCIM (R33) with a provisioning credential's
//! token (R36).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use serde_json::{json, Value};

use crate::load::{closed_loop, MakeRequest};
use crate::report::{Figure, Target};
use crate::server::Server;

/// A file of `rows` staff, as Excel saves "CSV UTF-8" (BOM, CRLF).
fn staff_file(rows: usize) -> String {
    let mut file = String::from("\u{feff}name,id_document_type,id_document_number,mobile,eservices\r\n");
    for n in 0..rows {
        file.push_str(&format!("Imported {n},passport,CSV{n:06},+853680{n:05},bench-svc\r\n"));
    }
    file
}

/// The two figures of R32: the commit's seconds against a bound, and against the same
/// logins created one at a time.
pub async fn csv_import(s: &Server, session: &str, entity: &str, rows: usize) -> anyhow::Result<Vec<Figure>> {
    let url = format!("{}/api/v1/entities/{entity}/logins/import", s.base);
    let send = |dry_run: bool, file: String| {
        s.http
            .post(&url)
            .bearer_auth(session)
            .query(&[("dry_run", dry_run.to_string())])
            .header("content-type", "text/csv")
            .body(file)
            .send()
    };
    let file = staff_file(rows);
    let started = Instant::now();
    let checked = send(true, file.clone()).await?;
    let check_seconds = started.elapsed().as_secs_f64();
    if !checked.status().is_success() {
        bail!("the dry run: {} {}", checked.status(), checked.text().await?);
    }
    let started = Instant::now();
    let committed = send(false, file).await?;
    let commit_seconds = started.elapsed().as_secs_f64();
    let report: Value = committed.json().await?;
    let created = report["created"].as_u64().unwrap_or(0) as usize;

    // The baseline: as many logins typed in one by one, each its own request.
    let started = Instant::now();
    for n in 0..rows {
        let body = json!({
            "name": format!("Typed {n}"), "id_document": {"type": "passport", "number": format!("ONE{n:06}")},
            "mobile": format!("+853681{n:05}"),
        });
        s.call("POST", &format!("/entities/{entity}/logins"), Some(session), body).await?;
    }
    let typed_seconds = started.elapsed().as_secs_f64();

    let notes = format!(
        "{created} of {rows} rows created in one transaction; the dry run of the same file took {check_seconds:.2} s"
    );
    // Every typed login was created, or `call` failed the run.
    let produced = created == rows;
    let mut versus = Figure::versus(
        "Staff logins from a CSV file ÷ the same typed one at a time",
        commit_seconds,
        "s",
        ("the same logins created one a request over the API", typed_seconds),
        Target::AtMost(1.0),
    );
    versus.notes = format!("{rows} logins each way");
    versus.produced &= produced;
    Ok(vec![
        Figure::value(
            &format!("Creating {rows} staff logins from one CSV file (commit)"),
            commit_seconds,
            "s",
            Target::AtMost(5.0),
            notes,
            produced,
        ),
        versus,
    ])
}

const PAGE: usize = 100;

/// A provisioning credential of `entity`, made by its administrator, and its SCIM token.
async fn scim_token(s: &Server, session: &str, entity: &str) -> anyhow::Result<String> {
    let until = time::OffsetDateTime::now_utc() + time::Duration::days(365);
    let body = json!({
        "name": "Bench HR system", "eservices": [], "provisioning": true,
        "valid_until": format!("{:04}-{:02}-{:02}", until.year(), until.month() as u8, until.day()),
    });
    let created = s.call("POST", &format!("/entities/{entity}/machine-credentials"), Some(session), body).await?;
    let id = created["client_id"].as_str().context("a client id")?;
    let secret = created["client_secret"].as_str().context("a secret")?;
    let discovery: Value =
        s.http.get(format!("{}/.well-known/openid-configuration", s.base)).send().await?.json().await?;
    let issuer = discovery["issuer"].as_str().context("an issuer")?;
    let token: Value = s
        .http
        .post(format!("{}/oidc/token", s.base))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "client_credentials"), ("resource", &format!("{issuer}/scim/v2"))])
        .send()
        .await?
        .json()
        .await?;
    token["access_token"].as_str().map(str::to_string).with_context(|| format!("a SCIM token: {token}"))
}

/// An HR system pages through `entity`'s staff over SCIM, `PAGE` Users a request, every
/// page of the list in turn.
pub async fn scim_paging(
    s: &Server,
    session: &str,
    entity: &str,
    staff: u64,
    duration: Duration,
) -> anyhow::Result<Figure> {
    let token = scim_token(s, session, entity).await?;
    let url = format!("{}/scim/v2/Users", s.base);
    let first: Value = s
        .http
        .get(&url)
        .bearer_auth(&token)
        .query(&[("startIndex", "1"), ("count", &PAGE.to_string())])
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let total = first["totalResults"].as_u64().context("totalResults")? as usize;
    let pages = total.div_ceil(PAGE).max(1);
    let next = Arc::new(AtomicUsize::new(0));
    let make: MakeRequest = Arc::new(move |c| {
        let start = (next.fetch_add(1, Ordering::Relaxed) % pages) * PAGE + 1;
        c.get(&url).bearer_auth(&token).query(&[("startIndex", start.to_string()), ("count", PAGE.to_string())])
    });
    let run = closed_loop(&s.http, make, 200, 4, duration).await;
    let notes = format!(
        "{PAGE} Users a page over {total} ({pages} pages, startIndex/count), c=4, {:.0} pages/s, {} requests",
        run.per_second(),
        run.requests
    );
    let produced = run.requests > 0 && run.errors == 0 && total as u64 >= staff;
    Ok(Figure::value(
        "Listing one entity's Users over SCIM a page at a time: p99",
        run.p99_ms(),
        "ms",
        Target::AtMost(10.0),
        notes,
        produced,
    ))
}
