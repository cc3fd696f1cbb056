//! The Python-compatible scalar helpers.

use crate::pycompat::scalars as py;
use crate::pycompat::strptime;

#[test]
fn repr_and_truncate() {
    assert_eq!(py::repr_str("abc"), "'abc'");
    assert_eq!(py::repr_str("it's"), "\"it's\"");
    assert_eq!(py::repr_str("both'\""), "'both\\'\"'");
    assert_eq!(py::repr_str("a\tb\n\\"), "'a\\tb\\n\\\\'");
    assert_eq!(py::repr_str("\u{1}ü"), "'\\x01ü'");
    assert_eq!(py::truncate_repr("short"), "short");
    let long = format!(
        "{{'sort_by': 'created', 'logical_operator': {}, 'model': None, 'pipeline_run': None}}",
        "x".repeat(40)
    );
    assert_eq!(py::truncate_repr(&long), "{'sort_by': 'created', 'l...e, 'pipeline_run': None}");
    // byte-based, cut on character boundaries
    let uni = format!("{}ü{}", "y".repeat(30), "z".repeat(23));
    assert_eq!(py::truncate_repr(&uni), format!("{}...{}", "y".repeat(25), "z".repeat(23)));
}

#[test]
fn floats() {
    for (f, s) in [
        (1.0, "1.0"),
        (0.1, "0.1"),
        (1e16, "1e+16"),
        (1e15, "1000000000000000.0"),
        (1.5e-7, "1.5e-07"),
        (-0.0, "-0.0"),
        (123456789.123, "123456789.123"),
        (0.0001, "0.0001"),
        (0.00001, "1e-05"),
        (f64::INFINITY, "inf"),
    ] {
        assert_eq!(py::float_repr(f), s);
    }
    for (s, v) in [
        ("1", 1.0),
        (" 2.5 ", 2.5),
        ("1_0", 10.0),
        ("1e1", 10.0),
        (".5", 0.5),
        ("5.", 5.0),
        ("-inf", f64::NEG_INFINITY),
        ("+Infinity", f64::INFINITY),
        ("1E+2", 100.0),
    ] {
        assert_eq!(py::parse_float(s), Some(v), "{s}");
    }
    assert!(py::parse_float("nan").is_some_and(f64::is_nan));
    for s in ["", "abc", "1_", "_1", "1__0", "1e", "0x1", "1.5.2", "--1", "in f"] {
        assert_eq!(py::parse_float(s), None, "{s}");
    }
}

#[test]
fn ints() {
    for (s, v) in [
        ("5", 5),
        (" 5 ", 5),
        ("+5", 5),
        ("-0", 0),
        ("1_000_0", 10000),
        ("0_1", 1),
        ("2.0", 2),
        ("1_0.0", 10),
        ("\u{a0}5", 5),
    ] {
        assert_eq!(py::lax_int(s), Some(v), "{s}");
    }
    for s in ["", "2.", ".0", "+-1", "1__0", "_10", "1e3", "0x1", "1 0", "2.00_0", "2.5"] {
        assert_eq!(py::lax_int(s), None, "{s}");
    }
    assert_eq!(py::lax_int("99999999999999999999999999999999999999999999"), Some(i128::MAX));
    assert_eq!(py::parse_int_as_float(" 007 "), Some(7.0));
    assert_eq!(py::parse_int_as_float("1.0"), None);
}

#[test]
fn bools_and_uuids() {
    assert_eq!(py::lax_bool("oN"), Some(true));
    assert_eq!(py::lax_bool("F"), Some(false));
    assert_eq!(py::lax_bool("true "), None);
    let hex = "3296e24ade154c6a9d2b8a3f0b1c2d3e";
    for s in [
        "3296e24a-de15-4c6a-9d2b-8a3f0b1c2d3e",
        "3296E24ADE154C6A9D2B8A3F0B1C2D3E",
        "{3296e24ade154c6a9d2b8a3f0b1c2d3e}",
        "urn:uuid:3296e24a-de15-4c6a-9d2b-8a3f0b1c2d3e",
        "3-2-9-6e24ade154c6a9d2b8a3f0b1c2d3e",
    ] {
        assert_eq!(py::uuid_hex(s).as_deref(), Some(hex), "{s}");
    }
    assert_eq!(py::uuid_hex(" 296e24ade154c6a9d2b8a3f0b1c2d3e").as_deref(), Some("0296e24ade154c6a9d2b8a3f0b1c2d3e"));
    assert_eq!(py::uuid_hex("0x96e24ade154c6a9d2b8a3f0b1c2d3e").as_deref(), Some("0096e24ade154c6a9d2b8a3f0b1c2d3e"));
    for s in ["", "junk", "3296e24ade154c6a9d2b8a3f0b1c2d3", "g296e24ade154c6a9d2b8a3f0b1c2d3e"] {
        assert_eq!(py::uuid_hex(s), None, "{s}");
    }
    assert_eq!(py::uuid_error(""), "invalid length: expected length 32 for simple format, found 0");
    assert_eq!(py::uuid_error("---"), "invalid group count: expected 5, found 4");
    assert_eq!(
        py::uuid_error("aäb"),
        "invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `ä` at 2"
    );
    assert_eq!(
        py::uuid_error("f4483725-ed6b-4617-b7e5-c547d9ed92c"),
        "invalid group length in group 4: expected 12, found 11"
    );
    assert_eq!(
        py::uuid_error("f448372-5ed6b-4617-b7e5-c547d9ed92c3"),
        "invalid group length in group 0: expected 8, found 7"
    );
    assert_eq!(py::uuid_error("{f4483725ed6b4617b7e5c547d9ed92c3}"), "invalid group count: expected 5, found 1");
    assert_eq!(
        py::uuid_error("urn:uuid:zz"),
        "invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `z` at 10"
    );
}

#[test]
fn datetimes() {
    let base = 946_684_800_000_000i64;
    for s in ["2000-01-01 00:00:00", "2000-1-1 0:0:0", "2000-01- 1 00:00:00", "2000-01-01  \t00:00:00"] {
        assert_eq!(strptime(s), Some(base), "{s}");
    }
    assert_eq!(strptime("2000-02-29 23:59:59"), Some(base + (59 * 86_400 + 86_399) * 1_000_000));
    assert_eq!(strptime("1969-12-31 23:59:59"), Some(-1_000_000));
    for s in [
        "2000-01-01T00:00:00",
        "2000-01-01",
        "2000-01-01 00:00:00 ",
        " 2000-01-01 00:00:00",
        "2000-02-30 00:00:00",
        "1900-02-29 00:00:00",
        "2000-01-01 00:00:60",
        "2000-01-01 24:00:00",
        "0000-01-01 00:00:00",
        "2000-13-01 00:00:00",
        "2000-01-01 00:00:000",
        "20000-01-01 00:00:00",
        "",
    ] {
        assert_eq!(strptime(s), None, "{s}");
    }
}
