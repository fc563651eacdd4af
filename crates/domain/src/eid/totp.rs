//! RFC 6238 codes (R24): SHA-1, 6 digits, 30-second steps; the current step and one on
//! either side are accepted, and never a step at or before the last one accepted, so a code
//! works once.

use totp_rs::{Algorithm, TOTP};

pub const STEP_SECS: u64 = 30;
pub const DIGITS: usize = 6;

fn totp(secret: &[u8]) -> Option<TOTP> {
    TOTP::new(Algorithm::SHA1, DIGITS, 0, STEP_SECS, secret.to_vec()).ok()
}

/// The code for Unix time `unix_secs` (the app's side, and tests').
pub fn code_at(secret: &[u8], unix_secs: u64) -> String {
    totp(secret).map(|t| t.generate(unix_secs)).unwrap_or_default()
}

/// The step a code matches, if it matches one within ±1 of now and after `last_step`.
pub fn matching_step(secret: &[u8], code: &str, unix_secs: u64, last_step: Option<i64>) -> Option<i64> {
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let t = totp(secret)?;
    let now_step = (unix_secs / STEP_SECS) as i64;
    (now_step - 1..=now_step + 1)
        .filter(|s| last_step.is_none_or(|last| *s > last))
        .find(|s| crate::crypto::constant_time_eq(&t.generate((*s as u64) * STEP_SECS), code))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn rfc6238_test_vector() {
        // RFC 6238 Appendix B, SHA-1, T = 59 → 94287082 (8 digits); the last 6 digits.
        assert_eq!(code_at(SECRET, 59), "287082");
    }

    #[test]
    fn r24_current_step_and_one_either_side_only() {
        let now = 1_000_000_020;
        let step = (now / 30) as i64;
        for (delta, ok) in [(-2, false), (-1, true), (0, true), (1, true), (2, false)] {
            let code = code_at(SECRET, ((step + delta) as u64) * 30);
            assert_eq!(matching_step(SECRET, &code, now, None).is_some(), ok, "step {delta:+}");
        }
    }

    #[test]
    fn r24_a_used_step_and_any_earlier_one_are_refused() {
        let now = 1_000_000_020;
        let step = (now / 30) as i64;
        let code = code_at(SECRET, (step as u64) * 30);
        assert_eq!(matching_step(SECRET, &code, now, None), Some(step));
        assert_eq!(matching_step(SECRET, &code, now, Some(step)), None, "replayed");
        let earlier = code_at(SECRET, ((step - 1) as u64) * 30);
        assert_eq!(matching_step(SECRET, &earlier, now, Some(step)), None, "an earlier step");
        let later = code_at(SECRET, ((step + 1) as u64) * 30);
        assert_eq!(matching_step(SECRET, &later, now, Some(step)), Some(step + 1));
    }
}
