//! Allocation-free text forms of the two values every response is full of:
//! timestamps (Python's `isoformat()` of a naive UTC datetime) and hyphenated
//! UUIDs. A page of 20 versions writes about 200 of them, so they are written
//! into stack buffers instead of going through `format!`.

/// Up to `N` ASCII bytes on the stack.
pub struct StackStr<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> StackStr<N> {
    pub fn as_str(&self) -> &str {
        // Only ASCII is ever written (digits, punctuation, checked-ASCII hex).
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }
}

fn two(out: &mut [u8], v: u32) {
    out[0] = b'0' + (v / 10 % 10) as u8;
    out[1] = b'0' + (v % 10) as u8;
}

/// Proleptic Gregorian (year, month, day) of a day count since 1970-01-01
/// (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `2026-11-28T09:54:24.864662` (no fraction when the microsecond is 0), or
/// `None` outside the years 1–9999 that Python's `datetime` can hold.
pub fn iso_micros(micros: i64) -> Option<StackStr<26>> {
    let secs = micros.div_euclid(1_000_000);
    let frac = micros.rem_euclid(1_000_000) as u32;
    let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
    if !(1..=9999).contains(&year) {
        return None;
    }
    let sod = secs.rem_euclid(86_400) as u32;
    let mut buf = *b"0000-00-00T00:00:00.000000";
    let year = year as u32;
    two(&mut buf[0..2], year / 100);
    two(&mut buf[2..4], year % 100);
    two(&mut buf[5..7], month);
    two(&mut buf[8..10], day);
    two(&mut buf[11..13], sod / 3600);
    two(&mut buf[14..16], sod / 60 % 60);
    two(&mut buf[17..19], sod % 60);
    if frac == 0 {
        return Some(StackStr { buf, len: 19 });
    }
    two(&mut buf[20..22], frac / 10_000);
    two(&mut buf[22..24], frac / 100 % 100);
    two(&mut buf[24..26], frac % 100);
    Some(StackStr { buf, len: 26 })
}

/// `8-4-4-4-12` from 32 ASCII (hex) characters; `None` for anything else.
pub fn hyphenate(hex: &str) -> Option<StackStr<36>> {
    let src = hex.as_bytes();
    if src.len() != 32 || !hex.is_ascii() {
        return None;
    }
    let mut buf = [0u8; 36];
    let mut at = 0;
    for (i, part) in [(0, 8), (8, 12), (12, 16), (16, 20), (20, 32)].into_iter().enumerate() {
        if i > 0 {
            buf[at] = b'-';
            at += 1;
        }
        let n = part.1 - part.0;
        buf[at..at + n].copy_from_slice(&src[part.0..part.1]);
        at += n;
    }
    Some(StackStr { buf, len: 36 })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;
    use proptest::prelude::*;

    fn chrono_iso(micros: i64) -> String {
        let dt = DateTime::from_timestamp_micros(micros).unwrap().naive_utc();
        let s = dt.format("%Y-%m-%dT%H:%M:%S").to_string();
        match dt.and_utc().timestamp_subsec_micros() {
            0 => s,
            us => format!("{s}.{us:06}"),
        }
    }

    #[test]
    fn fixed_points() {
        assert_eq!(iso_micros(0).unwrap().as_str(), "1970-01-01T00:00:00");
        assert_eq!(iso_micros(1_795_859_664_864_662).unwrap().as_str(), "2026-11-28T09:54:24.864662");
        assert_eq!(iso_micros(-1).unwrap().as_str(), "1969-12-31T23:59:59.999999");
        assert_eq!(iso_micros(951_782_400_000_001).unwrap().as_str(), "2000-02-29T00:00:00.000001");
        assert!(iso_micros(i64::MAX).is_none());
        assert!(iso_micros(-62_135_596_800_000_001).is_none()); // 0000-12-31T23:59:59.999999
        assert_eq!(iso_micros(-62_135_596_800_000_000).unwrap().as_str(), "0001-01-01T00:00:00");
    }

    #[test]
    fn hyphenation() {
        let h = hyphenate("0123456789abcdef0123456789abcdef").unwrap();
        assert_eq!(h.as_str(), "01234567-89ab-cdef-0123-456789abcdef");
        assert!(hyphenate("short").is_none());
        assert!(hyphenate(&"é".repeat(16)).is_none()); // 32 bytes, not ASCII
    }

    proptest! {
        #[test]
        fn same_as_chrono(micros in -62_135_596_800_000_000i64..253_402_300_799_999_999) {
            let iso = iso_micros(micros).unwrap();
            prop_assert_eq!(iso.as_str(), chrono_iso(micros));
        }

        #[test]
        fn whole_seconds_same_as_chrono(secs in -62_135_596_800i64..253_402_300_799) {
            let iso = iso_micros(secs * 1_000_000).unwrap();
            prop_assert_eq!(iso.as_str(), chrono_iso(secs * 1_000_000));
        }
    }
}
