//! The reference semantics of the artifact-version filters in plain Rust
//! (SQLite's `LIKE` and `CAST`, ZenML's operators), which the property
//! tests hold the compiled SQL to.

use super::prop_tests::{Row, ARTIFACTS, STR_OPS, USERS};

/// SQLite `LIKE` without ESCAPE: `%`, `_` (one character), ASCII case folding.
fn like(pattern: &[char], text: &[char]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some(('%', rest)) => (0..=text.len()).any(|i| like(rest, &text[i..])),
        Some((p, rest)) => match text.split_first() {
            Some((t, trest)) => (*p == '_' || p.eq_ignore_ascii_case(t)) && like(rest, trest),
            None => false,
        },
    }
}

fn like_str(pattern: &str, text: &str) -> bool {
    like(&pattern.chars().collect::<Vec<_>>(), &text.chars().collect::<Vec<_>>())
}

/// SQLite `CAST(text AS REAL)`: the longest numeric prefix, else 0.
fn cast_real(s: &str) -> f64 {
    let s = s.trim_start();
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut digits = i - digits_start;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let f = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        digits += i - f;
    }
    if digits == 0 {
        return 0.0;
    }
    let mut end = i;
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        let e = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        if j > e {
            end = j;
        }
    }
    s[..end].trim_end_matches('.').parse::<f64>().or_else(|_| s[..end].parse()).unwrap_or(0.0)
}

fn split_op(raw: &str) -> (&str, &str) {
    match raw.split_once(':') {
        Some((op, v)) if STR_OPS.contains(&op) && !op.is_empty() => (op, v),
        _ => ("equals", raw),
    }
}

fn num_cmp(op: &str, col: f64, v: f64) -> bool {
    col != 0.0
        && match op {
            "gt" => col > v,
            "gte" => col >= v,
            "lt" => col < v,
            _ => col <= v,
        }
}

/// StrFilter on one (nullable) text value; `json` = run-metadata value.
fn eval_str(op: &str, v: &str, col: Option<&str>, json: bool) -> Result<bool, ()> {
    if matches!(op, "gt" | "gte" | "lt" | "lte") {
        let f: f64 = v.trim().parse().map_err(|_| ())?;
        return Ok(col.is_some_and(|c| num_cmp(op, cast_real(c), f)));
    }
    let Some(c) = col else { return Ok(op == "isnull") };
    let q = |s: &str| format!("\"{s}\"");
    let items = || serde_json::from_str::<Vec<String>>(v).unwrap_or_default();
    Ok(match op {
        "isnull" => false,
        "isnotnull" => true,
        "contains" => like_str(&format!("%{v}%"), c),
        "notcontains" => !like_str(&format!("%{v}%"), c),
        "startswith" => like_str(&format!("{v}%"), c) || (json && like_str(&format!("\"{v}%"), c)),
        "endswith" => like_str(&format!("%{v}"), c) || (json && like_str(&format!("%{v}\""), c)),
        "oneof" => items().is_empty() || items().iter().any(|i| c == i || (json && c == q(i))),
        "notoneof" => items().iter().all(|i| c != i && !(json && c == q(i))),
        "notequals" => c != v && !(json && c == q(v)),
        _ => c == v || (json && c == q(v)),
    })
}

/// UUIDFilter on a 32-hex id.
fn eval_uuid(op: &str, v: &str, id: &str) -> Result<bool, ()> {
    let stripped = v.replace('-', "");
    let valid = stripped.len() == 32 && stripped.chars().all(|c| c.is_ascii_hexdigit());
    match op {
        "equals" => Ok(valid && stripped.to_lowercase() == id),
        "notequals" => Ok(!valid || stripped.to_lowercase() != id),
        "oneof" | "notoneof" => {
            let items: Vec<String> = serde_json::from_str::<Vec<String>>(v).unwrap_or_default();
            let items: Vec<String> = items.iter().map(|i| i.replace('-', "")).collect();
            eval_str(op, &serde_json::to_string(&items).unwrap_or_default(), Some(id), false)
        }
        _ => eval_str(op, &stripped, Some(id), false),
    }
}

pub(super) fn eval(r: &Row, param: &str, raw: &str) -> Result<bool, ()> {
    let (op, v) = split_op(raw);
    match param {
        "version" => eval_str(op, v, Some(r.version), false),
        "uri" => eval_str(op, v, Some(r.uri), false),
        "type" => eval_str(op, v, Some(r.kind), false),
        "id" => eval_uuid(op, v, &r.id),
        "version_number" => {
            let n: Option<i64> = r.version.trim().parse().ok();
            let want: i64 = v.parse().unwrap_or(0);
            Ok(match (op, n) {
                ("isnull", n) => n.is_none(),
                ("isnotnull", n) => n.is_some(),
                (_, None) => false,
                ("notequals", Some(n)) => n != want,
                ("gt", Some(n)) => n > want,
                ("gte", Some(n)) => n >= want,
                ("lt", Some(n)) => n < want,
                ("lte", Some(n)) => n <= want,
                (_, Some(n)) => n == want,
            })
        }
        "tags" => match op {
            "isnull" => Ok(r.tags.is_empty()),
            "isnotnull" => Ok(!r.tags.is_empty()),
            _ => {
                let hits: Result<Vec<bool>, ()> = r.tags.iter().map(|t| eval_str(op, v, Some(t), false)).collect();
                // The reference validates the value even without tags.
                eval_str(op, v, Some(""), false)?;
                Ok(hits?.into_iter().any(|b| b))
            }
        },
        "run_metadata" => {
            let (key, rest) = raw.split_once(':').unwrap_or((raw, ""));
            let (op, v) = split_op(rest);
            eval_str(op, v, Some(""), true)?;
            let hits: Result<Vec<bool>, ()> =
                r.meta.iter().filter(|(k, _)| *k == key).map(|(_, val)| eval_str(op, v, Some(val), true)).collect();
            Ok(hits?.into_iter().any(|b| b))
        }
        "artifact" => {
            let (name, id) = ARTIFACTS[r.artifact];
            Ok(eval_uuid(op, v, id)? | eval_str(op, v, Some(name), false)?)
        }
        _ => {
            // Validate the value even when the row has no creator.
            let (_, _, some_id) = USERS[0];
            eval_uuid(op, v, some_id)?;
            eval_str(op, v, Some(""), false)?;
            let Some(u) = r.user else { return Ok(false) };
            let (name, full, id) = USERS[u];
            Ok(eval_uuid(op, v, id)? | eval_str(op, v, Some(name), false)? | eval_str(op, v, Some(full), false)?)
        }
    }
}

#[test]
fn evaluator_helpers() {
    assert!(like_str("%x_", "AX1") && !like_str("x_", "x") && like_str("_", "ü"));
    assert_eq!(
        (cast_real(" 7"), cast_real("1e1"), cast_real("rc-1"), cast_real("3abc"), cast_real("1.5x")),
        (7.0, 10.0, 0.0, 3.0, 1.5)
    );
    assert_eq!((cast_real("3296e24a"), cast_real("1e"), cast_real("-3"), cast_real(".5")), (3.296e27, 1.0, -3.0, 0.5));
}
