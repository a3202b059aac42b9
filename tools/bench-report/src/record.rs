// SPDX-License-Identifier: GPL-2.0
//! The guest's benchmark records: one line `@KIND key=value ...` each, as
//! `tools/workloads/lr_bench.sh` prints them among its progress output.

use std::collections::BTreeMap;

/// One `@KIND key=value ...` line.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub kind: String,
    pub fields: BTreeMap<String, String>,
}

impl Record {
    /// Parses a line; `None` for anything that is not a record.  A serial
    /// console may leave a `\r` or leading noise, so the record may start
    /// anywhere after whitespace.
    pub fn parse(line: &str) -> Option<Record> {
        let line = line.trim();
        let rest = line.strip_prefix('@')?;
        if rest.starts_with(char::is_whitespace) {
            return None;
        }
        let mut words = rest.split_whitespace();
        let kind = words.next()?;
        if kind.is_empty() || !kind.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return None;
        }
        let mut fields = BTreeMap::new();
        for w in words {
            let (k, v) = w.split_once('=')?;
            if k.is_empty() {
                return None;
            }
            fields.insert(k.to_string(), v.to_string());
        }
        Some(Record {
            kind: kind.to_string(),
            fields,
        })
    }

    pub fn text(&self, key: &str) -> Option<&str> {
        self.fields.get(key).map(String::as_str)
    }

    /// A numeric field; `None` when absent or not a finite number.
    pub fn num(&self, key: &str) -> Option<f64> {
        self.text(key)?
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
    }

    /// Every field `PREFIX<node>` as node -> value, e.g. `pages0`, `pages1`.
    pub fn per_node(&self, prefix: &str) -> BTreeMap<usize, f64> {
        self.fields
            .iter()
            .filter_map(|(k, v)| {
                let n = k.strip_prefix(prefix)?;
                if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                Some((n.parse().ok()?, v.parse().ok()?))
            })
            .collect()
    }
}

/// Every record of a log, in order.
pub fn parse_log(text: &str) -> Vec<Record> {
    text.lines().filter_map(Record::parse).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_records_and_skips_the_rest() {
        let log = "[bench 3 s] filled 1/2: default\n\
                   @run scenario=filled pages=100 pages0=60 pages1=40 mib_s=12.5\r\n\
                   # not a record\n@ bad\n@run k\n";
        let recs = parse_log(log);
        assert_eq!(recs.len(), 1);
        let r = &recs[0];
        assert_eq!(r.kind, "run");
        assert_eq!(r.text("scenario"), Some("filled"));
        assert_eq!(r.num("mib_s"), Some(12.5));
        assert_eq!(r.num("scenario"), None);
        let nodes = r.per_node("pages");
        assert_eq!(nodes.len(), 2);
        assert_eq!(nodes[&1], 40.0);
    }

    #[test]
    fn rejects_non_finite_numbers() {
        let r = Record::parse("@run a=nan b=inf c=3").unwrap();
        assert_eq!(r.num("a"), None);
        assert_eq!(r.num("b"), None);
        assert_eq!(r.num("c"), Some(3.0));
    }
}
