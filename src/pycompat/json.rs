//! JSON text exactly as Python's `json.dumps` writes it (separators `", "` and
//! `": "`, non-ASCII escaped, Python float repr). ZenML stores run-metadata
//! values this way, and `run_metadata` filters match against that text.
//! (A parsed JSON number is always finite, so `NaN`/`Infinity` never arise.)

use super::scalars::float_repr;
use serde_json::Value;
use std::fmt::Write;

pub fn dumps(v: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, v);
    out
}

fn write_value(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => write!(out, "{i}").unwrap_or(()),
            (_, Some(u), _) => write!(out, "{u}").unwrap_or(()),
            (_, _, Some(f)) => out.push_str(&float_repr(f)),
            _ => out.push_str(&n.to_string()),
        },
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_str(out, k);
                out.push_str(": ");
                write_value(out, item);
            }
            out.push('}');
        }
    }
}

fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    write!(out, "\\u{unit:04x}").unwrap_or(());
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn matches_python_json_dumps() {
        assert_eq!(dumps(&json!("alpha")), "\"alpha\"");
        assert_eq!(dumps(&json!([1, 2])), "[1, 2]");
        assert_eq!(dumps(&json!({"a": 1, "b": [true, null]})), "{\"a\": 1, \"b\": [true, null]}");
        assert_eq!(dumps(&json!("é☃")), "\"\\u00e9\\u2603\"");
        assert_eq!(dumps(&json!("😀")), "\"\\ud83d\\ude00\"");
    }

    #[test]
    fn floats_use_python_repr() {
        assert_eq!(float_repr(0.9), "0.9");
        assert_eq!(float_repr(2.0), "2.0");
        assert_eq!(float_repr(-1.5), "-1.5");
        assert_eq!(float_repr(1e16), "1e+16");
        assert_eq!(float_repr(123456789012345.0), "123456789012345.0");
        assert_eq!(float_repr(0.0001), "0.0001");
        assert_eq!(float_repr(0.00001), "1e-05");
        assert_eq!(float_repr(1.5e-7), "1.5e-07");
        assert_eq!(float_repr(0.0), "0.0");
    }
}
