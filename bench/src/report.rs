//! `BENCHMARKS.md`: each figure with the baseline measured in the same run, their ratio, the
//! target, and the command that reproduces it. The runner rewrites the tables and keeps
//! what is written by hand below the analysis marker (profiles, what would close a gap).

use crate::load::Run;

pub const ANALYSIS_MARKER: &str = "<!-- analysis: written by hand, kept by the runner -->";

/// What a figure must be to meet its target.
#[derive(Clone, Copy)]
pub enum Target {
    /// The compared number (the ratio when there is a baseline) is at least this.
    AtLeast(f64),
    /// The compared number is at most this.
    AtMost(f64),
}

pub struct Figure {
    pub name: String,
    pub value: f64,
    pub unit: &'static str,
    /// The baseline measured in the same run, when the target is a ratio.
    pub baseline: Option<(String, f64)>,
    pub target: Target,
    /// Latency and counts worth reading beside the value.
    pub notes: String,
    /// Whether the scenario ran at all: requests answered as expected, none failing.
    pub produced: bool,
}

impl Figure {
    /// A throughput against a baseline's throughput.
    pub fn ratio(name: &str, run: &Run, baseline: (&str, f64), target: f64) -> Figure {
        Figure {
            name: name.to_string(),
            value: run.per_second(),
            unit: "/s",
            baseline: Some((baseline.0.to_string(), baseline.1)),
            target: Target::AtLeast(target),
            notes: format!("p99 {:.2} ms, {} requests", run.p99_ms(), run.requests),
            produced: run.requests > 0 && run.errors == 0,
        }
    }

    /// A plain measured value against a bound.
    pub fn value(name: &str, value: f64, unit: &'static str, target: Target, notes: String, produced: bool) -> Figure {
        Figure { name: name.to_string(), value, unit, baseline: None, target, notes, produced }
    }

    /// A value against another measured in the same run, with a bound on their ratio.
    pub fn versus(name: &str, value: f64, unit: &'static str, baseline: (&str, f64), target: Target) -> Figure {
        Figure {
            name: name.to_string(),
            value,
            unit,
            baseline: Some((baseline.0.to_string(), baseline.1)),
            target,
            notes: String::new(),
            produced: value.is_finite() && baseline.1 > 0.0,
        }
    }

    /// The number the target speaks of.
    pub fn compared(&self) -> f64 {
        match &self.baseline {
            Some((_, b)) => self.value / b,
            None => self.value,
        }
    }

    pub fn met(&self) -> bool {
        match self.target {
            Target::AtLeast(t) => self.compared() >= t,
            Target::AtMost(t) => self.compared() <= t,
        }
    }

    fn target_text(&self) -> String {
        let unit = if self.baseline.is_some() { "×" } else { self.unit };
        // Targets derived from a measurement (the flood's memory bound) get one decimal.
        let t = |v: f64| if v.fract() == 0.0 || v < 1.0 { format!("{v}") } else { format!("{v:.1}") };
        match self.target {
            Target::AtLeast(v) => format!("≥ {} {unit}", t(v)),
            Target::AtMost(v) => format!("≤ {} {unit}", t(v)),
        }
    }
}

/// One table: a backend's figures in one phase (small data, at scale, under a flood).
pub struct Section {
    pub title: String,
    pub intro: String,
    pub figures: Vec<Figure>,
}

fn number(v: f64, unit: &str) -> String {
    if v >= 100.0 {
        format!("{v:.0} {unit}")
    } else {
        format!("{v:.2} {unit}")
    }
}

pub fn markdown(mode: &str, cores: usize, command: &str, sections: &[Section], analysis: &str) -> String {
    let mut s = String::new();
    s.push_str("# Benchmarks\n\n");
    s.push_str(&format!(
        "Mode: {mode}. Cores: {cores}. The server, the load generator and every baseline share these cores, \
         and every ratio's baseline was measured in the same run. Reproduce: `{command}`.\n\n"
    ));
    for sec in sections {
        s.push_str(&format!("## {}\n\n{}\n\n", sec.title, sec.intro));
        s.push_str("| figure | value | baseline (same run) | ratio | target | met | notes |\n");
        s.push_str("|---|---|---|---|---|---|---|\n");
        for f in &sec.figures {
            let (baseline, ratio) = match &f.baseline {
                Some((name, v)) => (format!("{name} = {}", number(*v, f.unit)), format!("{:.3}", f.compared())),
                None => ("—".to_string(), "—".to_string()),
            };
            s.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} |\n",
                f.name,
                number(f.value, f.unit),
                baseline,
                ratio,
                f.target_text(),
                if f.met() { "yes" } else { "**no**" },
                f.notes
            ));
        }
        s.push('\n');
    }
    s.push_str(ANALYSIS_MARKER);
    s.push('\n');
    s.push_str(analysis);
    s
}

/// What is written by hand below the marker in an earlier `BENCHMARKS.md`, kept as it is.
pub fn kept_analysis(previous: &str) -> String {
    previous.split_once(ANALYSIS_MARKER).map(|(_, rest)| rest.trim_start_matches('\n').to_string()).unwrap_or_default()
}
