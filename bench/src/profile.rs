//! `bench profile`: each fast path, and password logins, alone, driven as `all` drives them,
//! under `perf record -a`.
//! The whole machine is recorded because the load generator, the server and PostgreSQL share
//! the two cores, and where the cycles go between them is half of every answer. Beside each
//! recording go two `perf report`s: the split by thread and library, and the server's own
//! top symbols. The profiles that BENCHMARKS.md's analysis cites come from here.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{bail, Context};

use crate::fast_paths::{self, Relying, CONCURRENCY};
use crate::load::{closed_loop, MakeRequest, Run};
use crate::logins;
use crate::server::{Server, ADMIN_USERNAME};

/// Seconds the load runs before the recording starts, so that it sees the steady state.
const WARM_UP: Duration = Duration::from_secs(1);

pub async fn run(s: &Server, backend: &str, dir: &Path, duration: Duration) -> anyhow::Result<Vec<String>> {
    std::fs::create_dir_all(dir)?;
    let pid = s.pid().context("the server runs")?;
    let access = s.client_token().await?;
    // Password logins at c=8, as `all` drives them: where the cores go besides the hash.
    let scenarios: [(&str, MakeRequest, usize); 5] = [
        ("healthz", fast_paths::healthz(s), CONCURRENCY),
        ("me", fast_paths::me(s, &s.session), CONCURRENCY),
        ("introspection", fast_paths::introspect(s, access), CONCURRENCY),
        ("client_credentials", fast_paths::client_credentials(s), CONCURRENCY),
        ("logins", logins::login(s, &s.entity_number, ADMIN_USERNAME), 8),
    ];
    let mut lines = Vec::new();
    for (name, make, concurrency) in scenarios {
        let name = format!("{backend}-{name}");
        let perf = record(dir, &name, duration);
        let run = closed_loop(&s.http, make, 200, concurrency, duration + WARM_UP * 2).await;
        finish(perf.await?, dir, &name, pid)?;
        lines.push(summary(&name, &run));
    }
    // The exchange alone: codes are asked for first, for long enough to outlast the recording.
    let rp = Relying::of(s, &s.session);
    let (codes, _) = fast_paths::make_codes(&rp, duration * 2).await;
    let name = format!("{backend}-code_exchange");
    let perf = record(dir, &name, duration);
    let run = fast_paths::exchange_codes(&rp, codes, duration + WARM_UP * 2).await;
    finish(perf.await?, dir, &name, pid)?;
    lines.push(summary(&name, &run));
    Ok(lines)
}

fn summary(name: &str, run: &Run) -> String {
    format!("{name}: {:.0}/s, p99 {:.2} ms, {} failed", run.per_second(), run.p99_ms(), run.errors)
}

/// `perf record` of every CPU for `duration`, after the warm-up, on a blocking thread.
fn record(dir: &Path, name: &str, duration: Duration) -> tokio::task::JoinHandle<std::io::Result<bool>> {
    let data = dir.join(format!("{name}.data"));
    tokio::task::spawn_blocking(move || {
        std::thread::sleep(WARM_UP);
        let status = Command::new("perf")
            .args(["record", "-a", "-F", "999", "-o"])
            .arg(&data)
            .args(["--", "sleep", &duration.as_secs_f64().to_string()])
            .output()?
            .status;
        Ok(status.success())
    })
}

/// The two reports beside the recording.
fn finish(recorded: std::io::Result<bool>, dir: &Path, name: &str, pid: u32) -> anyhow::Result<()> {
    if !recorded.context("running perf (Debian's linux-perf)")? {
        bail!("perf record failed for {name}");
    }
    let data = dir.join(format!("{name}.data"));
    let report = |extra: &[&str], out: &str| -> anyhow::Result<()> {
        let o = Command::new("perf")
            .args(["report", "--stdio", "--no-children", "-i"])
            .arg(&data)
            .args(extra)
            .output()
            .context("running perf report")?;
        if !o.status.success() {
            bail!("perf report failed for {name}: {}", String::from_utf8_lossy(&o.stderr));
        }
        std::fs::write(dir.join(format!("{name}.{out}.txt")), o.stdout)?;
        Ok(())
    };
    report(&["--sort", "comm,dso", "--percent-limit", "1"], "threads")?;
    report(&["--pid", &pid.to_string(), "--sort", "dso,sym", "--percent-limit", "0.5"], "server")?;
    Ok(())
}
