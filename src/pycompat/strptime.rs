//! Python's `datetime.strptime(value, "%Y-%m-%d %H:%M:%S")`, which is more
//! lenient than the format suggests: one-digit fields, a space before a
//! one-digit day, any run of whitespace between date and time.

/// One `%X` directive of Python's `_strptime`, as regex alternatives tried
/// in order: (first char class, second char class or none).
type Alt = (&'static str, &'static str);
const D: &str = "0123456789";
const MONTH: &[Alt] = &[("1", "012"), ("0", "123456789"), ("123456789", "")];
const DAY: &[Alt] = &[("3", "01"), ("12", D), ("0", "123456789"), ("123456789", ""), (" ", "123456789")];
const HOUR: &[Alt] = &[("2", "0123"), ("01", D), (D, "")];
const MINUTE: &[Alt] = &[("012345", D), (D, "")];
const SECOND: &[Alt] = &[("6", "01"), ("012345", D), (D, "")];

enum Tok {
    Year,
    Field(&'static [Alt]),
    Lit(char),
    Space,
}
const FORMAT: &[Tok] = &[
    Tok::Year,
    Tok::Lit('-'),
    Tok::Field(MONTH),
    Tok::Lit('-'),
    Tok::Field(DAY),
    Tok::Space,
    Tok::Field(HOUR),
    Tok::Lit(':'),
    Tok::Field(MINUTE),
    Tok::Lit(':'),
    Tok::Field(SECOND),
];

fn to_num(s: &[char]) -> u32 {
    s.iter().filter_map(|c| c.to_digit(10)).fold(0, |a, d| a * 10 + d)
}

fn match_from(chars: &[char], pos: usize, tok: usize, out: &mut Vec<u32>) -> bool {
    let Some(t) = FORMAT.get(tok) else {
        return pos == chars.len();
    };
    match t {
        Tok::Year => {
            let ok = chars.len() >= pos + 4 && chars[pos..pos + 4].iter().all(char::is_ascii_digit);
            if ok {
                out.push(to_num(&chars[pos..pos + 4]));
                if match_from(chars, pos + 4, tok + 1, out) {
                    return true;
                }
                out.pop();
            }
            false
        }
        Tok::Lit(c) => chars.get(pos) == Some(c) && match_from(chars, pos + 1, tok + 1, out),
        Tok::Space => {
            let mut end = pos;
            while end < chars.len() && chars[end].is_whitespace() {
                end += 1;
            }
            // `\s+` is greedy and backtracks.
            (pos + 1..=end).rev().any(|e| match_from(chars, e, tok + 1, out))
        }
        Tok::Field(alts) => {
            for (first, second) in alts.iter() {
                let Some(c0) = chars.get(pos) else { return false };
                if !first.contains(*c0) {
                    continue;
                }
                let len = if second.is_empty() {
                    1
                } else {
                    match chars.get(pos + 1) {
                        Some(c1) if second.contains(*c1) => 2,
                        _ => continue,
                    }
                };
                out.push(to_num(&chars[pos..pos + len]));
                if match_from(chars, pos + len, tok + 1, out) {
                    return true;
                }
                out.pop();
            }
            false
        }
    }
}

/// `datetime.strptime(s, "%Y-%m-%d %H:%M:%S")` as naive UTC, in
/// microseconds since the Unix epoch.
pub fn strptime(s: &str) -> Option<i64> {
    let chars: Vec<char> = s.chars().collect();
    let mut f = Vec::with_capacity(6);
    if !match_from(&chars, 0, 0, &mut f) || f.len() != 6 {
        return None;
    }
    let year = i32::try_from(f[0]).ok()?;
    let date = chrono::NaiveDate::from_ymd_opt(year, f[1], f[2])?;
    if year < 1 {
        return None;
    }
    let dt = date.and_hms_opt(f[3], f[4], f[5])?;
    Some(dt.and_utc().timestamp_micros())
}

/// A datetime as pydantic reads a request field (ISO 8601 with `T` or a
/// space, optional fraction, optional offset converted to UTC; a bare date
/// is midnight), as naive UTC microseconds since the Unix epoch.
pub fn iso_datetime(s: &str) -> Option<i64> {
    use chrono::{DateTime, NaiveDate, NaiveDateTime};
    let s = s.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(&s.replacen(' ', "T", 1)) {
        return Some(dt.timestamp_micros());
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, format) {
            return Some(dt.and_utc().timestamp_micros());
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|dt| dt.and_utc().timestamp_micros())
}

#[cfg(test)]
mod iso_tests {
    use super::iso_datetime;

    #[test]
    fn reads_what_the_client_sends() {
        assert_eq!(iso_datetime("2026-12-02T20:36:20.836781"), Some(1_796_243_780_836_781));
        assert_eq!(iso_datetime("2026-12-02 20:36:20.836781"), Some(1_796_243_780_836_781));
        assert_eq!(iso_datetime("2026-12-02T21:36:20.836781+01:00"), Some(1_796_243_780_836_781));
        assert_eq!(iso_datetime("2026-12-02T20:36:20Z"), Some(1_796_243_780_000_000));
        assert_eq!(iso_datetime("2026-12-02"), Some(1_796_169_600_000_000));
        assert_eq!(iso_datetime("yesterday"), None);
    }
}
