//! `BENCHMARKS.md`: each figure with the baseline measured in the same run, their ratio, the
//! target, and the command that reproduces it.

use crate::load::Run;

pub struct Figure {
    pub name: &'static str,
    pub value: f64,
    pub p99_ms: f64,
    pub requests: u64,
    pub errors: u64,
    pub baseline: (&'static str, f64),
    pub ratio: f64,
    pub target: f64,
}

impl Figure {
    pub fn ratio(name: &'static str, run: &Run, baseline: (&'static str, f64), target: f64) -> Figure {
        let value = run.per_second();
        Figure {
            name,
            value,
            p99_ms: run.p99_ms(),
            requests: run.requests,
            errors: run.errors,
            baseline,
            ratio: value / baseline.1,
            target,
        }
    }
}

pub fn markdown(backend: &str, mode: &str, cores: usize, healthz: (&str, f64), figures: &[Figure]) -> String {
    let mut s = String::new();
    s.push_str("# Benchmarks\n\n");
    s.push_str(&format!(
        "Backend: {backend}. Mode: {mode}. Cores: {cores}. Every ratio's baseline was measured in the \
         same run on the same machine (the server, the load generator and the baseline share the cores).\n\n"
    ));
    s.push_str(&format!("Baseline of the fast paths: `{}` at {:.0} req/s.\n\n", healthz.0, healthz.1));
    s.push_str("| figure | value | p99 | baseline | ratio | target | met |\n|---|---|---|---|---|---|---|\n");
    for f in figures {
        s.push_str(&format!(
            "| {} | {:.0} | {:.2} ms | {} = {:.0} | {:.3} | ≥ {} | {} |\n",
            f.name,
            f.value,
            f.p99_ms,
            f.baseline.0,
            f.baseline.1,
            f.ratio,
            f.target,
            if f.ratio >= f.target { "yes" } else { "no" }
        ));
    }
    s.push_str(
        "\nReproduce: `cargo run --release -p bench -- all` (SQLite), or \
         `cargo run --release -p bench -- all --database-url postgres://…/an_empty_database`.\n",
    );
    s
}
