//! How values are written on a page: a moment in Macau time, a path segment percent-encoded.

use domain::clock::Timestamp;

/// A moment as people in Macau read it: local time (UTC+8), to the minute.
pub fn local_time(t: Timestamp) -> String {
    let offset = time::UtcOffset::from_hms(8, 0, 0).expect("a valid offset");
    let at = time::OffsetDateTime::from_unix_timestamp_nanos(t.micros() as i128 * 1000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .to_offset(offset);
    format!("{:04}-{:02}-{:02} {:02}:{:02}", at.year(), u8::from(at.month()), at.day(), at.hour(), at.minute())
}

/// `s` as one path segment: every byte but the unreserved ones (`A–Z a–z 0–9 - . _ ~`)
/// percent-encoded, so a space is `%20` (not `+`, which is form encoding) and `/`, `?`, `#`
/// cannot end the segment.
pub fn path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_segment_is_percent_encoded() {
        assert_eq!(path_segment("A12345678-9"), "A12345678-9");
        assert_eq!(path_segment("a b+c/d?e#f%"), "a%20b%2Bc%2Fd%3Fe%23f%25");
        assert_eq!(path_segment("澳門"), "%E6%BE%B3%E9%96%80");
    }

    #[test]
    fn local_time_is_macau_time_to_the_minute() {
        // 2024-01-31 20:30:59 UTC is 2024-02-01 04:30 in Macau.
        let t = Timestamp(1_706_733_059_000_000);
        assert_eq!(local_time(t), "2024-02-01 04:30");
    }
}
