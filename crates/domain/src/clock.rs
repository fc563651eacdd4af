//! Time as the rules see it: a `Timestamp` in microseconds and a `Clock` port, so tests can
//! move time forward (idle timeouts, code expiry) without sleeping.

use std::sync::atomic::{AtomicI64, Ordering};

/// Microseconds since the Unix epoch, UTC. Stored as a BIGINT on both backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub const fn micros(self) -> i64 {
        self.0
    }
    pub fn plus_secs(self, secs: i64) -> Timestamp {
        Timestamp(self.0 + secs * 1_000_000)
    }
    pub fn secs_until(self, later: Timestamp) -> i64 {
        (later.0 - self.0 + 999_999).div_euclid(1_000_000)
    }
    /// RFC 3339 with second precision, as the API and the SMS sink show it.
    pub fn rfc3339(self) -> String {
        let t = time::OffsetDateTime::from_unix_timestamp_nanos(self.0 as i128 * 1000)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
            .replace_nanosecond(0)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
    }
    /// Macau local time (UTC+8, no daylight saving) to the minute, rounded down: what an SMS
    /// says a code is valid until, so one delivered late says plainly when it expired.
    pub fn macau_minute(self) -> String {
        let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
        let t = time::OffsetDateTime::from_unix_timestamp_nanos(self.0 as i128 * 1000)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
            .to_offset(offset);
        format!("{:04}-{:02}-{:02} {:02}:{:02}", t.year(), t.month() as u8, t.day(), t.hour(), t.minute())
    }
}

pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let nanos = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
        Timestamp((nanos / 1000) as i64)
    }
}

/// A clock for tests: starts at a fixed instant and moves only when told.
pub struct FakeClock(AtomicI64);

impl FakeClock {
    pub fn new(start: Timestamp) -> Self {
        FakeClock(AtomicI64::new(start.0))
    }
    pub fn advance_secs(&self, secs: i64) {
        self.0.fetch_add(secs * 1_000_000, Ordering::SeqCst);
    }
}

impl Clock for FakeClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::SeqCst))
    }
}
