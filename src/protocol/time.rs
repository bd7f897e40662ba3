//! The three date formats OSS uses, to and from Unix seconds, with no clock of its own
//! (callers pass the time in, so the wasm client and tests agree on it).
//! RFC 1123 (`x-oss-date` for V1), ISO 8601 basic (`20240102T030405Z`, V4) and ISO 8601
//! extended (`2024-01-02T03:04:05.000Z`, XML bodies and STS `Expiration`).
//! Civil-date arithmetic after Howard Hinnant's `days_from_civil` / `civil_from_days`.

use crate::text::{self, int};

const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// (year, month 1–12, day 1–31, seconds of the day).
fn civil(secs: u64) -> (i64, u32, u32, u64) {
    let days = (secs / 86_400) as i64;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day, secs % 86_400)
}

fn from_civil(year: u32, month: u32, day: u32, h: u32, m: u32, s: u32) -> Option<u64> {
    let year = i64::from(year);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || h > 23 || m > 59 || s > 60 {
        return None;
    }
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if month > 2 { month - 3 } else { month + 9 } as i64;
    let doy = (153 * mp + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + (h * 3600 + m * 60 + s) as i64).ok()
}

/// The date and time fields as the formats write them: (year, month, day, hours, minutes,
/// seconds), all but the year zero-padded to two digits. The year needs no padding to four:
/// it is never before 1970 here.
fn fields(secs: u64) -> [String; 6] {
    let (y, mo, d, t) = civil(secs);
    let two = |n: u64| {
        let n = int(n);
        if n.len() < 2 {
            text::fill("0{}", &[&n])
        } else {
            n
        }
    };
    [
        int(y as u64),
        two(mo.into()),
        two(d.into()),
        two(t / 3600),
        two(t / 60 % 60),
        two(t % 60),
    ]
}

/// `Tue, 02 Jan 2024 03:04:05 GMT`
pub fn rfc1123(secs: u64) -> String {
    let (_, month, _, _) = civil(secs);
    let [y, _, d, h, m, s] = fields(secs);
    let (day, month) = (
        DAYS[((secs / 86_400) % 7) as usize],
        MONTHS[month as usize - 1],
    );
    text::fill(
        "{}, {} {} {} {}:{}:{} GMT",
        &[day, &d, month, &y, &h, &m, &s],
    )
}

/// `20240102T030405Z`
pub fn iso8601_basic(secs: u64) -> String {
    let [y, mo, d, h, m, s] = fields(secs);
    text::fill("{}{}{}T{}{}{}Z", &[&y, &mo, &d, &h, &m, &s])
}

/// `2024-01-02T03:04:05.000Z`
pub fn iso8601(secs: u64) -> String {
    let [y, mo, d, h, m, s] = fields(secs);
    text::fill("{}-{}-{}T{}:{}:{}.000Z", &[&y, &mo, &d, &h, &m, &s])
}

fn num(s: &str, range: std::ops::Range<usize>) -> Option<u32> {
    let part = s.get(range)?;
    if !part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text::parse_u32(part)
}

/// Parses RFC 1123 as HTTP sends it (`Tue, 02 Jan 2024 03:04:05 GMT`).
pub fn parse_rfc1123(s: &str) -> Option<u64> {
    let s = s.trim();
    let rest = s.get(5..)?; // after "Tue, "
    if s.len() != 29 || !rest.ends_with(" GMT") {
        return None;
    }
    let month = MONTHS.iter().position(|m| rest.get(3..6) == Some(m))? as u32 + 1;
    let (h, m, sec) = (num(rest, 12..14)?, num(rest, 15..17)?, num(rest, 18..20)?);
    from_civil(num(rest, 7..11)?, month, num(rest, 0..2)?, h, m, sec)
}

/// Parses `20240102T030405Z`.
pub fn parse_iso8601_basic(s: &str) -> Option<u64> {
    if s.len() != 16 || s.get(8..9) != Some("T") || !s.ends_with('Z') {
        return None;
    }
    from_civil(
        num(s, 0..4)?,
        num(s, 4..6)?,
        num(s, 6..8)?,
        num(s, 9..11)?,
        num(s, 11..13)?,
        num(s, 13..15)?,
    )
}

/// Parses `2024-01-02T03:04:05Z`, with or without fractional seconds.
pub fn parse_iso8601(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if s.len() < 20 || b.get(4) != Some(&b'-') || b.get(10) != Some(&b'T') || !s.ends_with('Z') {
        return None;
    }
    from_civil(
        num(s, 0..4)?,
        num(s, 5..7)?,
        num(s, 8..10)?,
        num(s, 11..13)?,
        num(s, 14..16)?,
        num(s, 17..19)?,
    )
}

/// `'60s'`, `'1.5 h'`, `'500'` (milliseconds) and the other units of the `ms` package, in
/// milliseconds.
pub fn parse_duration(s: &str) -> Option<f64> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    // By hand: a float parser (core's dec2flt) would add some 10 KB of wasm for this alone.
    let (whole, fraction) = text::split_once(&s[..split], ".").unwrap_or((&s[..split], ""));
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    let mut n = 0.0;
    for d in whole.bytes() {
        n = n * 10.0 + f64::from(d - b'0');
    }
    let mut scale = 0.1;
    for d in fraction.bytes() {
        if !d.is_ascii_digit() {
            return None;
        }
        n += f64::from(d - b'0') * scale;
        scale /= 10.0;
    }
    let unit = match s[split..].trim().to_ascii_lowercase().as_str() {
        "" | "ms" | "msec" | "msecs" | "millisecond" | "milliseconds" => 1.0,
        "s" | "sec" | "secs" | "second" | "seconds" => 1e3,
        "m" | "min" | "mins" | "minute" | "minutes" => 6e4,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3.6e6,
        "d" | "day" | "days" => 8.64e7,
        "w" | "week" | "weeks" => 6.048e8,
        _ => return None,
    };
    Some(n * unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: u64 = 1_704_164_645; // the vectors' frozen clock

    #[test]
    fn formats_the_vector_clock() {
        assert_eq!(rfc1123(T), "Tue, 02 Jan 2024 03:04:05 GMT");
        assert_eq!(iso8601_basic(T), "20240102T030405Z");
        assert_eq!(iso8601(T), "2024-01-02T03:04:05.000Z");
    }

    #[test]
    fn parses_what_it_formats() {
        for secs in [0, T, 951_782_400 /* 2000-02-29 */, 4_102_444_799] {
            assert_eq!(parse_rfc1123(&rfc1123(secs)), Some(secs));
            assert_eq!(parse_iso8601_basic(&iso8601_basic(secs)), Some(secs));
            assert_eq!(parse_iso8601(&iso8601(secs)), Some(secs));
        }
        assert_eq!(parse_iso8601("2024-01-02T03:04:05Z"), Some(T));
    }

    #[test]
    fn rejects_garbage() {
        assert_eq!(parse_rfc1123("Tue, 02 Foo 2024 03:04:05 GMT"), None);
        assert_eq!(parse_iso8601_basic("2024010203040Z"), None);
        assert_eq!(parse_iso8601("yesterday"), None);
        assert_eq!(parse_rfc1123("Tue, 02 Jan 2024 03:04:05 GMT\u{e9}"), None);
    }

    #[test]
    fn durations_as_the_ms_package_reads_them() {
        assert_eq!(parse_duration("60s"), Some(60_000.0));
        assert_eq!(parse_duration("2 m"), Some(120_000.0));
        assert_eq!(parse_duration("1.5h"), Some(5_400_000.0));
        assert_eq!(parse_duration("500"), Some(500.0));
        assert_eq!(parse_duration("10 Seconds"), Some(10_000.0));
        assert_eq!(parse_duration("soon"), None);
        assert_eq!(parse_duration("5 parsecs"), None);
        assert_eq!(parse_duration("1.2.3s"), None);
        assert_eq!(parse_duration(".5s"), Some(500.0));
        assert_eq!(parse_duration(""), None);
    }
}
