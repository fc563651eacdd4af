//! How values are written on a page: a moment in Macau time, a day in the page's language,
//! a path segment percent-encoded.

use domain::assignment_form::macau_date;
use domain::clock::Timestamp;

use super::i18n::Lang;

/// A moment as people in Macau read it: local time (UTC+8), to the minute.
pub fn local_time(t: Timestamp) -> String {
    let offset = time::UtcOffset::from_hms(8, 0, 0).expect("a valid offset");
    let at = time::OffsetDateTime::from_unix_timestamp_nanos(t.micros() as i128 * 1000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .to_offset(offset);
    format!("{:04}-{:02}-{:02} {:02}:{:02}", at.year(), u8::from(at.month()), at.day(), at.hour(), at.minute())
}

/// A Macau date (`YYYY-MM-DD`) as the page's language writes it: 2025年3月31日, 31/03/2025,
/// 31 March 2025. Anything else is shown as it is.
pub fn local_day(lang: Lang, ymd: &str) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let parts: Vec<&str> = ymd.split('-').collect();
    let [y, m, d] = parts[..] else { return ymd.to_string() };
    let (Ok(year), Ok(month), Ok(day)) = (y.parse::<i32>(), m.parse::<usize>(), d.parse::<u8>()) else {
        return ymd.to_string();
    };
    if !(1..=12).contains(&month) {
        return ymd.to_string();
    }
    match lang {
        Lang::Zh => format!("{year}年{month}月{day}日"),
        Lang::Pt => format!("{day:02}/{month:02}/{year}"),
        Lang::En => format!("{day} {} {year}", MONTHS[month - 1]),
    }
}

/// An assignment's start or end as the day a person reads: a start is its first day, an end
/// the last day it still includes (the midnight that ends it belongs to the day before).
pub fn local_date(lang: Lang, t: Timestamp, is_end: bool) -> String {
    local_day(lang, &macau_date(t, is_end))
}

/// An RFC 3339 instant, as the domain's reports write them.
pub fn instant_of(s: &str) -> Option<Timestamp> {
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()?;
    Some(Timestamp((t.unix_timestamp_nanos() / 1000) as i64))
}

/// The Macau date `t` falls on.
pub fn macau_today(t: Timestamp) -> time::Date {
    let offset = time::UtcOffset::from_hms(8, 0, 0).expect("a valid offset");
    time::OffsetDateTime::from_unix_timestamp_nanos(t.micros() as i128 * 1000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .to_offset(offset)
        .date()
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
    fn a_day_is_written_in_the_page_language() {
        assert_eq!(local_day(Lang::Zh, "2025-03-31"), "2025年3月31日");
        assert_eq!(local_day(Lang::Pt, "2025-03-31"), "31/03/2025");
        assert_eq!(local_day(Lang::En, "2025-03-31"), "31 March 2025");
        assert_eq!(local_day(Lang::En, "not a day"), "not a day");
    }

    #[test]
    fn local_time_is_macau_time_to_the_minute() {
        // 2024-01-31 20:30:59 UTC is 2024-02-01 04:30 in Macau.
        let t = Timestamp(1_706_733_059_000_000);
        assert_eq!(local_time(t), "2024-02-01 04:30");
    }
}
