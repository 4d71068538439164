//! What an unquoted (plain) scalar means to kubectl.
//!
//! kubectl reads manifests through sigs.k8s.io/yaml, which is go-yaml v2: YAML 1.1 scalars.
//! `yes`, `on` and `y` are booleans there, `010` is the octal integer 8 and `1e3` a float,
//! where a YAML 1.2 reader sees strings (or other numbers). This module is go-yaml v2's
//! `resolve` function (resolve.go) rewritten: the resolution table, then Go's
//! `strconv.ParseInt(s, 0, 64)`, `ParseUint` and the YAML float pattern, in that order.
//! Timestamps are left out on purpose: go-yaml v2 hands them to kubectl as strings.

/// A plain scalar's value as go-yaml v2 resolves it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Scalar {
    /// `~`, `null`, `Null`, `NULL` or nothing at all.
    Null,
    /// Every YAML 1.1 spelling of true and false (`y`, `Yes`, `ON`, ...).
    Bool(bool),
    /// An integer that fits in an i64.
    Int(i64),
    /// A positive integer above i64::MAX.
    Uint(u64),
    /// A float (including `.inf` and `.nan`).
    Float(f64),
    /// Anything else: the text itself.
    Str,
}

impl Scalar {
    /// What kubectl's error messages call this type (`cannot unmarshal bool into ...`).
    pub fn go_type(self) -> &'static str {
        match self {
            Scalar::Null => "null",
            Scalar::Bool(_) => "bool",
            Scalar::Int(_) | Scalar::Uint(_) | Scalar::Float(_) => "number",
            Scalar::Str => "string",
        }
    }

    /// How a reader of the message would call it.
    pub fn describe(self) -> &'static str {
        match self {
            Scalar::Null => "null",
            Scalar::Bool(_) => "a boolean",
            Scalar::Int(_) | Scalar::Uint(_) => "an integer",
            Scalar::Float(_) => "a number",
            Scalar::Str => "a string",
        }
    }
}

/// Resolves a plain scalar the way go-yaml v2 does.
pub(crate) fn resolve_plain(text: &str) -> Scalar {
    let Some(&first) = text.as_bytes().first() else {
        return Scalar::Null;
    };
    if let Some(known) = lookup(text) {
        return known;
    }
    match first {
        b'.' => parse_go_float(text).map_or(Scalar::Str, Scalar::Float),
        b'0'..=b'9' | b'+' | b'-' => resolve_number(text),
        _ => Scalar::Str,
    }
}

/// go-yaml v2's `resolveMap`: the exact spellings of booleans, nulls and special floats.
fn lookup(text: &str) -> Option<Scalar> {
    Some(match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Scalar::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Scalar::Bool(false)
        }
        "~" | "null" | "Null" | "NULL" => Scalar::Null,
        ".nan" | ".NaN" | ".NAN" => Scalar::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Scalar::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Scalar::Float(f64::NEG_INFINITY),
        _ => return None,
    })
}

/// Integers (after dropping every `_`), then the YAML float pattern.
fn resolve_number(text: &str) -> Scalar {
    let plain: std::borrow::Cow<'_, str> = if text.contains('_') {
        text.replace('_', "").into()
    } else {
        text.into()
    };
    if let Some(v) = parse_go_int(&plain) {
        return match i64::try_from(v) {
            Ok(i) => Scalar::Int(i),
            Err(_) => match u64::try_from(v) {
                Ok(u) => Scalar::Uint(u),
                Err(_) => Scalar::Str,
            },
        };
    }
    if is_yaml_float(&plain) {
        if let Some(f) = parse_go_float(&plain) {
            return Scalar::Float(f);
        }
    }
    Scalar::Str
}

/// `strconv.ParseInt(s, 0, 64)` and, for what overflows it, `ParseUint(s, 0, 64)` (which
/// takes no sign): `0x`, `0o`, `0b` prefixes, a leading `0` for octal, else decimal.
fn parse_go_int(s: &str) -> Option<i128> {
    let (negative, signed, body) = match s.as_bytes().first()? {
        b'-' => (true, true, s.get(1..)?),
        b'+' => (false, true, s.get(1..)?),
        _ => (false, false, s),
    };
    let prefixed = |p: &str| {
        body.get(..2)
            .filter(|b| b.eq_ignore_ascii_case(p))
            .and_then(|_| body.get(2..))
    };
    let (radix, digits) = if let Some(d) = prefixed("0x") {
        (16, d)
    } else if let Some(d) = prefixed("0o") {
        (8, d)
    } else if let Some(d) = prefixed("0b") {
        (2, d)
    } else if body.len() > 1 && body.starts_with('0') {
        (8, body.get(1..)?)
    } else {
        (10, body)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u128::from_str_radix(digits, radix).ok()?;
    let value = i128::try_from(magnitude).ok()?;
    let value = if negative { -value } else { value };
    if i64::try_from(value).is_ok() || (!signed && u64::try_from(value).is_ok()) {
        Some(value)
    } else {
        None
    }
}

/// go-yaml's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Go's `strconv.ParseFloat(s, 64)` for the decimal forms the callers let through.
fn parse_go_float(s: &str) -> Option<f64> {
    if !is_yaml_float(s) {
        return None;
    }
    // Rust's parser takes the same decimal syntax; a `+` sign and a bare trailing `.` too.
    s.parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans_in_every_yaml_1_1_spelling() {
        for t in [
            "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE",
        ] {
            assert_eq!(resolve_plain(t), Scalar::Bool(true), "{t}");
        }
        for f in [
            "n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False",
        ] {
            assert_eq!(resolve_plain(f), Scalar::Bool(false), "{f}");
        }
        // Mixed case is not in go-yaml's table.
        for s in ["yEs", "oN", "tRUE", "nO"] {
            assert_eq!(resolve_plain(s), Scalar::Str, "{s}");
        }
    }

    #[test]
    fn nulls() {
        for t in ["", "~", "null", "Null", "NULL"] {
            assert_eq!(resolve_plain(t), Scalar::Null, "{t:?}");
        }
        assert_eq!(resolve_plain("nULL"), Scalar::Str);
    }

    #[test]
    fn integers_as_go_parse_int_reads_them() {
        let cases = [
            ("80", 80),
            ("010", 8),
            ("0o17", 15),
            ("0x1F", 31),
            ("0X1f", 31),
            ("0b101", 5),
            ("-0b11", -3),
            ("+42", 42),
            ("-7", -7),
            ("1_000", 1000),
            ("0", 0),
            ("0_1_0", 8),
        ];
        for (text, want) in cases {
            assert_eq!(resolve_plain(text), Scalar::Int(want), "{text}");
        }
        assert_eq!(
            resolve_plain("18446744073709551615"),
            Scalar::Uint(u64::MAX)
        );
    }

    #[test]
    fn numbers_that_are_floats_or_strings() {
        // Not octal (9 is no octal digit), but the float pattern matches.
        assert_eq!(resolve_plain("09"), Scalar::Float(9.0));
        assert_eq!(resolve_plain("0_8_0"), Scalar::Float(80.0));
        assert_eq!(resolve_plain("1e3"), Scalar::Float(1000.0));
        assert_eq!(resolve_plain("2.5"), Scalar::Float(2.5));
        assert_eq!(resolve_plain(".5"), Scalar::Float(0.5));
        assert_eq!(resolve_plain("-1."), Scalar::Float(-1.0));
        assert!(matches!(resolve_plain(".nan"), Scalar::Float(f) if f.is_nan()));
        assert_eq!(resolve_plain("-.inf"), Scalar::Float(f64::NEG_INFINITY));
        for s in [
            "0x",
            "1.2.3",
            "10.0.0.0/8",
            "1e",
            "-",
            "+",
            "8080/TCP",
            "0xZ",
            "2001-12-14",
            "1:20",
            ".",
            "12:30:00",
        ] {
            assert_eq!(resolve_plain(s), Scalar::Str, "{s}");
        }
    }

    #[test]
    fn words_stay_strings() {
        for s in [
            "pod-1",
            "nginx",
            "TCP",
            "yes-please",
            "onion",
            "Nope",
            "<<",
            "=",
        ] {
            assert_eq!(resolve_plain(s), Scalar::Str, "{s}");
        }
    }
}
