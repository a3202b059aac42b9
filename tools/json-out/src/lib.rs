// SPDX-License-Identifier: GPL-2.0
//! A JSON writer for the project's host tools: build a [`Json`] value,
//! [`Json::render`] it.  Non-finite numbers become `null`; arrays of
//! numbers stay on one line.  Counters are [`Json::UInt`]: written as the
//! exact integer, never through `f64` (which loses precision above 2^53).

/// A JSON value; writing is all the tools need.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Num(f64),
    /// An exact unsigned integer (a counter, a size, an id).
    UInt(u64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl Json {
    pub fn obj(fields: Vec<(&str, Json)>) -> Json {
        Json::Obj(
            fields
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    }

    pub fn render(&self, out: &mut String, indent: usize) {
        let pad = |n: usize| "  ".repeat(n);
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Num(v) if !v.is_finite() => out.push_str("null"),
            Json::Num(v) if v.fract() == 0.0 && v.abs() < 1e15 => out.push_str(&format!("{v:.0}")),
            Json::Num(v) => out.push_str(&format!("{v}")),
            Json::UInt(v) => out.push_str(&v.to_string()),
            Json::Str(s) => quote(out, s),
            Json::Arr(a)
                if a.iter()
                    .all(|v| matches!(v, Json::Num(_) | Json::UInt(_) | Json::Null)) =>
            {
                out.push('[');
                for (i, v) in a.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    v.render(out, indent);
                }
                out.push(']');
            }
            Json::Arr(a) => {
                out.push_str("[\n");
                for (i, v) in a.iter().enumerate() {
                    out.push_str(&pad(indent + 1));
                    v.render(out, indent + 1);
                    out.push_str(if i + 1 < a.len() { ",\n" } else { "\n" });
                }
                out.push_str(&pad(indent));
                out.push(']');
            }
            Json::Obj(o) => {
                out.push_str("{\n");
                for (i, (k, v)) in o.iter().enumerate() {
                    out.push_str(&pad(indent + 1));
                    quote(out, k);
                    out.push_str(": ");
                    v.render(out, indent + 1);
                    out.push_str(if i + 1 < o.len() { ",\n" } else { "\n" });
                }
                out.push_str(&pad(indent));
                out.push('}');
            }
        }
    }
}

fn quote(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

impl Json {
    /// The value as a string, pretty-printed, without a trailing newline.
    pub fn to_pretty(&self) -> String {
        let mut s = String::new();
        self.render(&mut s, 0);
        s
    }

    /// The value on one line (for JSON Lines output).
    pub fn to_line(&self) -> String {
        let mut s = String::new();
        self.render_compact(&mut s);
        s
    }

    fn render_compact(&self, out: &mut String) {
        match self {
            Json::Arr(a) => {
                out.push('[');
                for (i, v) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.render_compact(out);
                }
                out.push(']');
            }
            Json::Obj(o) => {
                out.push('{');
                for (i, (k, v)) in o.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    quote(out, k);
                    out.push(':');
                    v.render_compact(out);
                }
                out.push('}');
            }
            v => v.render(out, 0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_escapes_and_non_finite() {
        let j = Json::obj(vec![
            ("a", Json::Str("x\"y\n".into())),
            ("b", Json::Num(f64::NAN)),
            ("c", Json::Arr(vec![Json::Num(1.0), Json::Num(2.5)])),
            ("d", Json::Bool(true)),
        ]);
        assert_eq!(
            j.to_pretty(),
            "{\n  \"a\": \"x\\\"y\\n\",\n  \"b\": null,\n  \"c\": [1, 2.5],\n  \"d\": true\n}"
        );
        assert_eq!(
            j.to_line(),
            "{\"a\":\"x\\\"y\\n\",\"b\":null,\"c\":[1,2.5],\"d\":true}"
        );
    }

    #[test]
    fn integers_are_exact() {
        // 2^53 + 1 and u64::MAX are not representable as f64.
        let j = Json::Arr(vec![Json::UInt((1 << 53) + 1), Json::UInt(u64::MAX)]);
        assert_eq!(j.to_pretty(), "[9007199254740993, 18446744073709551615]");
        assert_eq!(j.to_line(), "[9007199254740993,18446744073709551615]");
    }
}
