//! The benchmark runner (issue 6): builds and spawns the real server on a fresh database,
//! measures it with small data, seeds a territory's worth of entities and logins, measures
//! again, floods it with logins, and writes `BENCHMARKS.md` with every figure beside the
//! baseline measured in the same run, their ratio and the target.
//!
//! `cargo run --release -p bench -- all` (SQLite), `… -- all --postgres-url postgres://…/empty_db`
//! (SQLite, then PostgreSQL), `… -- all --smoke` (seconds and small data; asserts that every
//! figure was produced, not what it is). `… -- profile [--postgres-url …]` records each fast
//! path, and logins, alone under `perf` (see `profile.rs`).

mod fast_paths;
mod load;
mod logins;
mod paging;
mod process;
mod profile;
mod provisioning;
mod report;
mod seed;
mod server;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};

use report::{Figure, Section, Target};
use seed::Shape;
use server::Server;

#[derive(Parser)]
#[command(about = "Entity Account benchmarks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Every figure, written to BENCHMARKS.md (or --out).
    All(AllArgs),
    /// Each fast path, and logins, alone with small data under `perf record -a`, reports beside
    /// the recordings.
    Profile(ProfileArgs),
}

#[derive(clap::Args)]
struct ProfileArgs {
    /// An empty PostgreSQL database: profiled after SQLite.
    #[arg(long)]
    postgres_url: Option<String>,
    /// Seconds each path is recorded for.
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    #[arg(long, default_value = "target/profiles")]
    out_dir: PathBuf,
}

async fn profile(a: ProfileArgs) -> anyhow::Result<()> {
    let bin = server_binary()?;
    let duration = Duration::from_secs(a.seconds);
    let postgres = a.postgres_url.as_deref().map(|url| ("postgres", Some(url)));
    let mut lines = Vec::new();
    for (name, url) in std::iter::once(("sqlite", None)).chain(postgres) {
        let s = Server::start(&bin, url).await?;
        lines.extend(profile::run(&s, name, &a.out_dir, duration).await?);
    }
    let summary = lines.join("\n") + "\n";
    std::fs::write(a.out_dir.join("summary.txt"), &summary)?;
    print!("{summary}");
    println!("recordings and reports in {}", a.out_dir.display());
    Ok(())
}

#[derive(clap::Args)]
struct AllArgs {
    /// An empty PostgreSQL database: the suite runs on it after SQLite.
    #[arg(long)]
    postgres_url: Option<String>,
    /// Only PostgreSQL (with --postgres-url).
    #[arg(long)]
    skip_sqlite: bool,
    /// Seconds each throughput figure is driven for.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Seconds of the login flood.
    #[arg(long, default_value_t = 30)]
    flood_seconds: u64,
    #[arg(long, default_value_t = 100_000)]
    entities: u64,
    #[arg(long, default_value_t = 1_000_000)]
    logins: u64,
    /// Staff of the one entity whose list is paged.
    #[arg(long, default_value_t = 10_000)]
    big_staff: u64,
    /// Seconds and small data; checks only that every figure was produced.
    #[arg(long)]
    smoke: bool,
    #[arg(long, default_value = "BENCHMARKS.md")]
    out: PathBuf,
}

struct Plan {
    duration: Duration,
    flood: Duration,
    shape: Shape,
    /// Rows of the staff file committed at once (R32).
    import_rows: usize,
}

/// The server binary beside this one, built with the same profile first.
fn server_binary() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let dir = exe.parent().context("the runner's folder")?.to_path_buf();
    let release = dir.ends_with("release");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut build = std::process::Command::new(cargo);
    // The whole workspace's binaries, as `.ci/run` builds them: selecting `-p app` alone
    // would resolve other dependency features and rebuild them all.
    build.args(["build", "--workspace", "--bins"]);
    if release {
        build.arg("--release");
    }
    if !build.status()?.success() {
        bail!("building entity-account failed");
    }
    Ok(dir.join("entity-account"))
}

/// Within 10 % of the small-data value: the figure at scale over the same figure with small
/// data, each already a ratio to its own run's baseline.
fn stays(name: &str, at_scale: f64, small: f64) -> Figure {
    Figure::versus(name, at_scale, "×", ("the same ratio with small data", small), Target::AtLeast(0.9))
}

async fn backend(bin: &Path, name: &str, database_url: Option<&str>, plan: &Plan) -> anyhow::Result<Vec<Section>> {
    let d = plan.duration;
    println!("{name}: small data");
    let mut s = Server::start(bin, database_url).await?;
    let session = s.session.clone();
    let small = fast_paths::measure(&s, &session, d).await?;
    let (login_small, _) = logins::efficiency(&s, &s.entity_number, server::ADMIN_USERNAME, d).await;
    let small_login_ratio = login_small.compared();
    let mut figures = small.figures;
    figures.push(login_small);
    figures.extend(provisioning::csv_import(&s, &session, &s.entity_number, plan.import_rows).await?);
    let small_section = Section {
        title: format!("{name}, small data"),
        intro: format!(
            "A fresh database with one entity, its administrator (signed in) and one e-service client. \
             `/healthz` ran at {:.0}/s.",
            small.healthz
        ),
        figures,
    };

    s.stop();
    let shape = &plan.shape;
    println!("{name}: seeding {} entities and {} logins", shape.entities, shape.logins);
    let seeded = seed::seed(&s.database_url, &s.key_file(), shape).await?;
    println!(
        "{name}: seeded {} entities and {} logins in {:.0} s (every seeded login shares one password hash, computed once)",
        seeded.entities, seeded.logins, seeded.seconds
    );
    let ready = s.spawn().await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle_mib = s.pid().and_then(process::rss_mib).unwrap_or(0.0);
    let admin = s.sign_in(&seeded.big_entity, "admin").await?;
    s.assign_bench_service(&admin, &seeded.big_entity).await?;
    let large = fast_paths::measure(&s, &admin, d).await?;
    let (login_large, capacity) = logins::efficiency(&s, &seeded.big_entity, "admin", d).await;
    let mut figures = vec![
        Figure::value(
            "Ready (`/readyz` 200) after start",
            ready.as_secs_f64() * 1000.0,
            "ms",
            Target::AtMost(300.0),
            "from spawning the process, polled every 2 ms".into(),
            ready > Duration::ZERO,
        ),
        Figure::value("Idle RSS", idle_mib, "MiB", Target::AtMost(30.0), "1 s after ready".into(), idle_mib > 0.0),
        stays("GET /api/v1/me ÷ /healthz, at scale", large.me_ratio, small.me_ratio),
        stays("Introspection ÷ /healthz, at scale", large.introspection_ratio, small.introspection_ratio),
        stays("Logins ÷ Argon2id alone, at scale", login_large.compared(), small_login_ratio),
        paging::figure(&s, &admin, &seeded.big_entity, shape.big_staff, d).await?,
        provisioning::scim_paging(&s, &admin, &seeded.big_entity, shape.big_staff, d).await?,
    ];
    figures.extend(large.figures);
    figures.push(login_large);
    let scale_section = Section {
        title: format!("{name}, {} entities and {} logins", seeded.entities, seeded.logins),
        intro: format!(
            "The same database seeded through the storage port in {:.0} s: every seeded login is active and \
             shares one password hash computed once. The first seeded entity has {} staff; its administrator \
             is the caller. `/healthz` ran at {:.0}/s.",
            seeded.seconds, shape.big_staff, large.healthz
        ),
        figures,
    };

    println!("{name}: login flood");
    let flood = logins::flood(&s, &seeded.big_entity, "admin", capacity, idle_mib, plan.flood).await;
    let flood_section = Section {
        title: format!("{name}, logins offered at twice capacity"),
        intro: format!(
            "Logins offered open loop at 2 × {capacity:.0}/s (the rate measured above) for {} s, `/me` offered \
             beside them; past 16 waiting a hashing thread the server refuses logins with `503 busy`.",
            plan.flood.as_secs()
        ),
        figures: flood,
    };
    Ok(vec![small_section, scale_section, flood_section])
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let a = match Cli::parse().command {
        Command::All(a) => a,
        Command::Profile(p) => return profile(p).await,
    };
    let plan = if a.smoke {
        Plan {
            duration: Duration::from_secs(1),
            flood: Duration::from_secs(2),
            shape: Shape { entities: 200, logins: 3_000, big_staff: 500 },
            import_rows: 50,
        }
    } else {
        Plan {
            duration: Duration::from_secs(a.seconds),
            flood: Duration::from_secs(a.flood_seconds),
            shape: Shape { entities: a.entities, logins: a.logins, big_staff: a.big_staff },
            import_rows: 1_000,
        }
    };
    let bin = server_binary()?;
    let mut sections = Vec::new();
    if !a.skip_sqlite {
        sections.extend(backend(&bin, "SQLite", None, &plan).await?);
    }
    if let Some(url) = a.postgres_url.as_deref() {
        sections.extend(backend(&bin, "PostgreSQL", Some(url), &plan).await?);
    }
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    let mode = if a.smoke { "smoke (seconds and small data; the values mean nothing)" } else { "full" };
    let command = "cargo run --release -p bench -- all --postgres-url postgres://…/an_empty_database";
    let analysis = report::kept_analysis(&std::fs::read_to_string(&a.out).unwrap_or_default());
    std::fs::write(&a.out, report::markdown(mode, cores, command, &sections, &analysis))
        .with_context(|| format!("writing {}", a.out.display()))?;
    println!("wrote {}", a.out.display());
    for sec in &sections {
        for f in &sec.figures {
            let met = if f.met() { "met" } else { "NOT MET" };
            println!("{}: {}: {:.3} {} ({met}) {}", sec.title, f.name, f.value, f.unit, f.notes);
        }
    }
    if a.smoke {
        // The smoke run proves the suite still produces every figure, not what they are.
        let missing: Vec<_> =
            sections.iter().flat_map(|s| &s.figures).filter(|f| !f.produced).map(|f| &f.name).collect();
        if !missing.is_empty() {
            bail!("figures not produced: {missing:?}");
        }
    }
    Ok(())
}
