//! The pace of SMS delivery: a node hands the gateway at most `rate` messages a second after
//! a first burst of as many, so a thousand activation codes queued at once (R32) reach the
//! gateway spread over time instead of all in one moment. A token bucket, decided from the
//! instants it is given, so its arithmetic is tested without a clock.

use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct Pace {
    /// Seconds between two messages at the steady rate.
    interval: Duration,
    /// How many may go at once after a quiet time.
    burst: u32,
    /// The instant from which the bucket is full again; before it, each message waits its
    /// slot.
    full_at: Option<Instant>,
}

impl Pace {
    /// `rate` messages a second (at least 1), with a burst of as many.
    pub fn per_second(rate: u32) -> Pace {
        let rate = rate.max(1);
        Pace { interval: Duration::from_secs(1) / rate, burst: rate, full_at: None }
    }

    /// The instant the next message may go, asked at `now`; the slot is taken.
    pub fn take(&mut self, now: Instant) -> Instant {
        let depth = self.interval * self.burst;
        // Each message moves the instant the bucket is full again one interval later; it may
        // go once that instant is at most a full bucket's depth ahead.
        let full_at = self.full_at.filter(|&t| t > now).unwrap_or(now) + self.interval;
        self.full_at = Some(full_at);
        full_at.checked_sub(depth).map_or(now, |t| t.max(now))
    }

    /// The longest a batch of `n` messages can wait for its slots.
    pub fn span_of(&self, n: u32) -> Duration {
        self.interval * n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r32_a_thousand_codes_reach_the_gateway_at_the_rate_after_one_burst() {
        let mut pace = Pace::per_second(20);
        let start = Instant::now();
        let slots: Vec<Instant> = (0..1000).map(|_| pace.take(start)).collect();
        // The first burst goes at once, the rest one every 50 ms.
        assert!(slots[..20].iter().all(|&t| t == start));
        assert_eq!(slots[20] - start, Duration::from_millis(50));
        assert_eq!(slots[999] - start, Duration::from_millis(50) * 980);
        assert!(slots.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn r32_a_quiet_time_refills_the_burst() {
        let mut pace = Pace::per_second(10);
        let start = Instant::now();
        for _ in 0..30 {
            pace.take(start);
        }
        let later = start + Duration::from_secs(10);
        assert!((0..10).all(|_| pace.take(later) == later));
        assert_eq!(pace.take(later) - later, Duration::from_millis(100));
    }
}
