//! Python-compatible scalar parsing and formatting.
//!
//! Known simplification: Python also accepts non-ASCII Unicode decimal digits
//! (e.g. `"٣"`) in `int()`/`float()`/`strptime`; these helpers accept ASCII
//! digits only.

use serde_json::Value as Json;

/// `repr(s)` of a Python `str`.
pub fn repr_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => {
                let n = c as u32;
                if n < 0x100 {
                    out.push_str(&format!("\\x{n:02x}"));
                } else {
                    out.push_str(&format!("\\u{n:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// pydantic-core's `input_value` truncation: a repr longer than 50 bytes
/// keeps its first 25 and last 24 bytes (cut on character boundaries).
pub fn truncate_repr(s: &str) -> String {
    if s.len() <= 50 {
        return s.to_string();
    }
    let mut head = 25;
    while !s.is_char_boundary(head) {
        head -= 1;
    }
    let mut tail = s.len() - 24;
    while !s.is_char_boundary(tail) {
        tail += 1;
    }
    format!("{}...{}", &s[..head], &s[tail..])
}

/// `repr(f)` of a Python float (shortest round-trip digits, Python layout).
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let sci = format!("{:e}", f); // e.g. "-1.25e-7", "1e20"
    let (mant, exp) = match sci.split_once('e') {
        Some(parts) => parts,
        None => return sci,
    };
    let exp: i32 = exp.parse().unwrap_or(0);
    let (neg, mant) = match mant.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mant),
    };
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    let sign = if neg { "-" } else { "" };
    if (-4..16).contains(&exp) {
        let n = digits.len() as i32;
        let body = if exp < 0 {
            format!("0.{}{}", "0".repeat((-exp - 1) as usize), digits)
        } else if exp + 1 >= n {
            format!("{}{}.0", digits, "0".repeat((exp + 1 - n) as usize))
        } else {
            let (a, b) = digits.split_at((exp + 1) as usize);
            format!("{a}.{b}")
        };
        format!("{sign}{body}")
    } else {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() { String::new() } else { format!(".{rest}") };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{first}{frac}e{esign}{:02}", exp.abs())
    }
}

fn json_number_str(n: &serde_json::Number) -> String {
    if n.is_i64() || n.is_u64() {
        n.to_string()
    } else {
        float_repr(n.as_f64().unwrap_or(f64::NAN))
    }
}

/// `str(obj)` of the Python object `json.loads` would produce.
pub fn json_str(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => json_repr(other),
    }
}

/// `repr(obj)` of the Python object `json.loads` would produce.
pub fn json_repr(v: &Json) -> String {
    match v {
        Json::Null => "None".into(),
        Json::Bool(true) => "True".into(),
        Json::Bool(false) => "False".into(),
        Json::Number(n) => json_number_str(n),
        Json::String(s) => repr_str(s),
        Json::Array(items) => {
            let parts: Vec<String> = items.iter().map(json_repr).collect();
            format!("[{}]", parts.join(", "))
        }
        Json::Object(map) => {
            let parts: Vec<String> = map.iter().map(|(k, v)| format!("{}: {}", repr_str(k), json_repr(v))).collect();
            format!("{{{}}}", parts.join(", "))
        }
    }
}

/// Python's whitespace (`str.strip()` without arguments).
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Removes `_` separators if each one sits between two ASCII digits (Python
/// numeric-literal rule); `None` if an underscore is misplaced.
fn strip_underscores(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.char_indices() {
        if c == '_' {
            let before = i > 0 && b[i - 1].is_ascii_digit();
            let after = b.get(i + 1).is_some_and(|x| x.is_ascii_digit());
            if !(before && after) {
                return None;
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// Python `float(s)`.
pub fn parse_float(s: &str) -> Option<f64> {
    let t = s.trim_matches(is_py_space);
    let t = strip_underscores(t)?;
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t.strip_prefix('+').unwrap_or(&t)),
    };
    let lower = body.to_ascii_lowercase();
    let v = if lower == "inf" || lower == "infinity" {
        f64::INFINITY
    } else if lower == "nan" {
        f64::NAN
    } else {
        // Python's decimal grammar: digits, optional fraction, optional exponent.
        let bytes = body.as_bytes();
        let mut i = 0;
        let mut mant_digits = 0;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
            mant_digits += 1;
        }
        if i < bytes.len() && bytes[i] == b'.' {
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
                mant_digits += 1;
            }
        }
        if mant_digits == 0 {
            return None;
        }
        if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
            i += 1;
            if i < bytes.len() && (bytes[i] == b'+' || bytes[i] == b'-') {
                i += 1;
            }
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            if i == start {
                return None;
            }
        }
        if i != bytes.len() {
            return None;
        }
        body.parse::<f64>().ok()?
    };
    Some(if neg { -v } else { v })
}

/// Digits of an optionally signed integer literal with Python underscore
/// rules; returns (negative, digits without separators).
fn int_digits(s: &str) -> Option<(bool, String)> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if body.is_empty() || !body.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    let digits = strip_underscores(body)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 4300 {
        return None;
    }
    Some((neg, digits))
}

fn saturating_i128(neg: bool, digits: &str) -> i128 {
    let mut v: i128 = 0;
    for b in digits.bytes() {
        v = v.saturating_mul(10).saturating_add(i128::from(b - b'0'));
    }
    if neg {
        -v
    } else {
        v
    }
}

/// Python `int(s)` (base 10), converted to `float` as pydantic's numeric
/// filter value does.
pub fn parse_int_as_float(s: &str) -> Option<f64> {
    let (neg, digits) = int_digits(s.trim_matches(is_py_space))?;
    let v: f64 = digits.parse().ok()?;
    Some(if neg { -v } else { v })
}

/// pydantic (lax mode) `int` from a query-string value; saturates at the
/// `i128` range (Python ints are unbounded).
pub fn lax_int(s: &str) -> Option<i128> {
    let t = s.trim();
    let t = match t.find('.') {
        Some(dot) => {
            let frac = &t[dot + 1..];
            if frac.is_empty() || !frac.bytes().all(|b| b == b'0') {
                return None;
            }
            &t[..dot]
        }
        None => t,
    };
    let (neg, digits) = int_digits(t)?;
    Some(saturating_i128(neg, &digits))
}

/// pydantic (lax mode) `bool` from a query-string value.
pub fn lax_bool(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "1" | "on" | "t" | "true" | "y" | "yes" => Some(true),
        "0" | "off" | "f" | "false" | "n" | "no" => Some(false),
        _ => None,
    }
}

/// Python `uuid.UUID(s)` validity, returning the 32-hex lowercase storage
/// form. Python strips `urn:`/`uuid:`, surrounding braces and every hyphen,
/// requires 32 characters and parses them with `int(x, 16)` (which tolerates
/// surrounding whitespace, a sign, a `0x` prefix and `_` separators).
pub fn uuid_hex(s: &str) -> Option<String> {
    let h = s.replace("urn:", "").replace("uuid:", "");
    let h = h.trim_matches(|c| c == '{' || c == '}').replace('-', "");
    if h.chars().count() != 32 {
        return None;
    }
    let t = h.trim_matches(is_py_space);
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let body = body
        .strip_prefix("0x")
        .or_else(|| body.strip_prefix("0X"))
        .map(|b| b.strip_prefix('_').unwrap_or(b))
        .unwrap_or(body);
    if body.is_empty() || body.starts_with('_') || body.ends_with('_') || body.contains("__") {
        return None;
    }
    let hex: String = body.chars().filter(|c| *c != '_').collect();
    if hex.is_empty() || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let n = u128::from_str_radix(&hex, 16).ok()?;
    if neg && n != 0 {
        return None;
    }
    Some(format!("{n:032x}"))
}

/// The error text pydantic-core (through the `uuid` crate it bundles)
/// gives for a string that is not a UUID.
pub fn uuid_error(input: &str) -> String {
    let (body, offset, simple) = if let Some(b) = input.strip_prefix('{').and_then(|b| b.strip_suffix('}')) {
        (b, 1, false)
    } else if let Some(b) = input.strip_prefix("urn:uuid:") {
        (b, 9, false)
    } else {
        (input, 0, true)
    };
    let mut hyphens = 0usize;
    let mut bounds = [0usize; 4];
    for (index, c) in body.char_indices() {
        let byte = (c as u32 & 0xff) as u8;
        if c as u32 > 0xff || (c != '-' && !byte.is_ascii_hexdigit()) {
            return format!(
                "invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `{c}` at {}",
                index + offset + 1
            );
        }
        if c == '-' {
            if hyphens < 4 {
                bounds[hyphens] = index;
            }
            hyphens += 1;
        }
    }
    if hyphens == 0 && simple {
        return format!("invalid length: expected length 32 for simple format, found {}", input.len());
    }
    if hyphens != 4 {
        return format!("invalid group count: expected 5, found {}", hyphens + 1);
    }
    const STARTS: [usize; 5] = [0, 9, 14, 19, 24];
    const LENS: [usize; 5] = [8, 4, 4, 4, 12];
    for i in 0..4 {
        if bounds[i] != STARTS[i + 1] - 1 {
            return format!(
                "invalid group length in group {i}: expected {}, found {}",
                LENS[i],
                bounds[i].saturating_sub(STARTS[i])
            );
        }
    }
    format!("invalid group length in group 4: expected 12, found {}", input.len().saturating_sub(STARTS[4]))
}
