//! The server process as the kernel sees it: resident memory now, and its peak while a
//! scenario runs (sampled, since VmHWM would also count the start).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Resident set size of `pid` in MiB, from /proc.
pub fn rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Samples `pid`'s RSS every 20 ms until stopped; `stop()` gives the peak in MiB.
pub struct PeakRss {
    running: Arc<AtomicBool>,
    peak_kib: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl PeakRss {
    pub fn start(pid: u32) -> PeakRss {
        let running = Arc::new(AtomicBool::new(true));
        let peak_kib = Arc::new(AtomicU64::new(0));
        let (r, p) = (running.clone(), peak_kib.clone());
        let task = tokio::spawn(async move {
            while r.load(Ordering::Relaxed) {
                if let Some(mib) = rss_mib(pid) {
                    p.fetch_max((mib * 1024.0) as u64, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        });
        PeakRss { running, peak_kib, task }
    }

    pub async fn stop(self) -> f64 {
        self.running.store(false, Ordering::Relaxed);
        let _ = self.task.await;
        self.peak_kib.load(Ordering::Relaxed) as f64 / 1024.0
    }
}
