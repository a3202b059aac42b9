// SPDX-License-Identifier: GPL-2.0
//! `/etc/local_reclaim.conf`: the settings `lrctl apply` writes, parsed
//! and checked whole before anything is written.
//!
//! ```text
//! # comment
//! [global]                      the global mode and node_reclaim_distance
//! mode = kswapd
//! distance = 30
//!
//! [cgroup db]                   a cgroup path under the cgroup2 mount
//! mode = kswapd direct
//!
//! [unit postgresql.service]     a systemd unit's cgroup, wherever it is
//! mode = kswapd,direct
//! distance = 16
//!
//! [slice database.slice]        a systemd slice's cgroup
//! mode = direct
//! ```
//!
//! Keys are `mode` and `distance`, each at most once per section, with the
//! values `lrctl set` takes (`inherit` only in a cgroup's section); a value
//! may be in double quotes.  Each target appears once; a section sets at
//! least one key.

use crate::cgroup;
use crate::error::{Error, Result};
use crate::set::{self, Change};

/// What a section is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Global,
    /// A cgroup path as written.
    Cgroup(String),
    /// A unit or slice name.
    Unit(String),
}

impl Target {
    /// The section header, as in the file.
    pub fn describe(&self) -> String {
        match self {
            Target::Global => "[global]".into(),
            Target::Cgroup(p) => format!("[cgroup {p}]"),
            Target::Unit(u) if u.ends_with(".slice") => format!("[slice {u}]"),
            Target::Unit(u) => format!("[unit {u}]"),
        }
    }
}

/// One section: its target, its line, the values to write (canonical).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub target: Target,
    pub line: usize,
    pub change: Change,
    /// The lines of the mode and of the distance.
    pub lines: (usize, usize),
}

fn bad(file: &str, line: usize, what: impl std::fmt::Display) -> Error {
    Error::Invalid(format!("{file}:{line}: {what}"))
}

fn unquote(v: &str) -> &str {
    v.strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(v)
}

/// Parses and checks a whole file; `file` names it in errors.
pub fn parse(file: &str, text: &str) -> Result<Vec<Entry>> {
    let mut entries: Vec<Entry> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if let Some(h) = line.strip_prefix('[') {
            let h = h
                .strip_suffix(']')
                .ok_or_else(|| bad(file, n, "a section header ends with ']'"))?
                .trim();
            let (kind, name) = h.split_once(char::is_whitespace).unwrap_or((h, ""));
            let name = name.trim();
            let target = match (kind, name) {
                ("global", "") => Target::Global,
                ("cgroup", p) if !p.is_empty() => Target::Cgroup(p.to_string()),
                ("unit", u) if cgroup::is_unit_name(u) => Target::Unit(u.to_string()),
                ("slice", s) if cgroup::is_unit_name(s) && s.ends_with(".slice") => {
                    Target::Unit(s.to_string())
                }
                _ => {
                    return Err(bad(
                        file,
                        n,
                        format!(
                            "'[{h}]': sections are [global], [cgroup PATH], \
                             [unit NAME.service] and [slice NAME.slice]"
                        ),
                    ))
                }
            };
            if let Some(e) = entries.iter().find(|e| e.target == target) {
                return Err(bad(
                    file,
                    n,
                    format!("{} again (first at line {})", target.describe(), e.line),
                ));
            }
            entries.push(Entry {
                target,
                line: n,
                change: Change::default(),
                lines: (n, n),
            });
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| bad(file, n, format!("'{line}': expected KEY = VALUE")))?;
        let (key, value) = (key.trim(), unquote(value.trim()).to_string());
        let entry = entries
            .last_mut()
            .ok_or_else(|| bad(file, n, "a setting before any [section]"))?;
        let (slot, at) = match key {
            "mode" => (&mut entry.change.mode, &mut entry.lines.0),
            "distance" => (&mut entry.change.distance, &mut entry.lines.1),
            _ => {
                return Err(bad(
                    file,
                    n,
                    format!("unknown key '{key}' (mode or distance)"),
                ))
            }
        };
        if slot.is_some() {
            return Err(bad(file, n, format!("{key} set twice in this section")));
        }
        *slot = Some(value);
        *at = n;
    }
    for e in &mut entries {
        if e.change == Change::default() {
            return Err(bad(
                file,
                e.line,
                format!("{} sets nothing", e.target.describe()),
            ));
        }
        // Each value on its own, so that an error names its line.
        let global = e.target == Target::Global;
        let mut checked = Change::default();
        for (mode, distance, line) in [
            (e.change.mode.clone(), None, e.lines.0),
            (None, e.change.distance.clone(), e.lines.1),
        ] {
            if mode.is_none() && distance.is_none() {
                continue;
            }
            let c = set::validate(&Change { mode, distance }, global).map_err(|err| match err {
                Error::Invalid(m) => bad(file, line, format!("{}: {m}", e.target.describe())),
                err => err,
            })?;
            checked.mode = checked.mode.or(c.mode);
            checked.distance = checked.distance.or(c.distance);
        }
        e.change = checked;
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(mode: Option<&str>, distance: Option<&str>) -> Change {
        Change {
            mode: mode.map(String::from),
            distance: distance.map(String::from),
        }
    }

    #[test]
    fn parses_every_section_kind() {
        let e = parse(
            "f",
            "# local_reclaim\n[global]\nmode = kswapd\ndistance=30 # reach\n\n\
             [cgroup db]\nmode = \"direct, kswapd\"\n[unit pg.service]\ndistance = inherit\n\
             [ slice db.slice ]\nmode=off\n",
        )
        .unwrap();
        let got: Vec<(Target, Change)> = e.into_iter().map(|e| (e.target, e.change)).collect();
        assert_eq!(
            got,
            vec![
                (Target::Global, change(Some("kswapd"), Some("30"))),
                (
                    Target::Cgroup("db".into()),
                    change(Some("kswapd direct"), None)
                ),
                (
                    Target::Unit("pg.service".into()),
                    change(None, Some("inherit"))
                ),
                (Target::Unit("db.slice".into()), change(Some("off"), None)),
            ]
        );
        assert_eq!(parse("f", "").unwrap(), vec![]);
    }

    #[test]
    fn every_mistake_is_refused_with_its_line() {
        for (text, line, says) in [
            ("[global]\nmode = fast\n", 2, "is not"),
            ("[global]\ndistance = inherit\n", 2, "distance"),
            (
                "[cgroup db]\nmode = off\ndistance = 255\n",
                3,
                "out of range",
            ),
            ("mode = off\n", 1, "before any [section]"),
            ("[global]\nmode off\n", 2, "KEY = VALUE"),
            ("[global]\nspeed = 1\n", 2, "unknown key"),
            ("[global]\nmode = off\nmode = kswapd\n", 3, "twice"),
            (
                "[cgroup db]\nmode = off\n[cgroup db]\nmode = off\n",
                3,
                "again",
            ),
            ("[unit pg]\nmode = off\n", 1, "sections are"),
            ("[slice pg.service]\nmode = off\n", 1, "sections are"),
            ("[global\nmode = off\n", 1, "ends with"),
            ("[cgroup db]\n", 1, "sets nothing"),
        ] {
            let e = parse("f", text).unwrap_err();
            assert_eq!(e.exit_code(), 8, "{text}");
            let m = e.to_string();
            assert!(
                m.starts_with(&format!("f:{line}: ")) && m.contains(says),
                "{text:?}: {m}"
            );
        }
    }
}
