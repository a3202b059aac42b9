// SPDX-License-Identifier: GPL-2.0
//! `lrctl apply`: writes a configuration file's settings (config.rs), the
//! global ones first, then each cgroup's in file order.  Like a knob's
//! -EINVAL, a bad file changes nothing: the whole file is parsed, every
//! value checked and every cgroup resolved before the first write, and a
//! write the kernel refuses puts back what was already written.

use crate::cgroup::{self, Cgroup};
use crate::config::{self, Entry, Target};
use crate::error::{Error, Result};
use crate::out::{self, Format};
use crate::root::Root;
use crate::set;
use json_out::Json;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// One file to write: what it belongs to, its value now and to be.
#[derive(Debug, Clone, PartialEq)]
pub struct Write1 {
    pub section: String,
    /// The cgroup's name, None for the global files.
    pub cgroup: Option<String>,
    pub key: &'static str,
    pub file: PathBuf,
    pub from: String,
    pub to: String,
}

/// An entry left out, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    pub section: String,
    pub reason: String,
}

/// Where an entry's target is now, or None when it does not exist now (a
/// service that is not running): an ambiguous unit or a cgroup without
/// the memory controller is an error.
fn locate(root: &Root, t: &Target) -> Result<Option<Cgroup>> {
    match t {
        Target::Global => Ok(None),
        Target::Cgroup(p) => match cgroup::resolve_path(root, p) {
            Ok(cg) => Ok(Some(cg)),
            Err(Error::NoCgroup(m)) if !m.contains("'..'") => Ok(None),
            Err(e) => Err(e),
        },
        Target::Unit(u) => cgroup::lookup_unit(root, u),
    }
}

/// The writes a file asks for, and the entries skipped.  `only`: the
/// entries for that unit's cgroup alone (no global ones).
pub fn plan(
    root: &Root,
    entries: &[Entry],
    file: &str,
    only: Option<&Cgroup>,
) -> Result<(Vec<Write1>, Vec<Skipped>)> {
    root.require_module()?;
    let mut writes = Vec::new();
    let mut skipped = Vec::new();
    let mut seen: Vec<(PathBuf, usize)> = Vec::new();
    for e in entries {
        let section = e.target.describe();
        if only.is_some() && e.target == Target::Global {
            continue;
        }
        let cg = if e.target == Target::Global {
            None
        } else {
            match locate(root, &e.target)? {
                Some(cg) => Some(cg),
                // Not there, so not the unit's: only that unit matters.
                None if only.is_some() => continue,
                None => {
                    skipped.push(Skipped {
                        section,
                        reason: "no such cgroup now (not running?)".into(),
                    });
                    continue;
                }
            }
        };
        if let (Some(o), Some(c)) = (only, &cg) {
            if o.dir != c.dir {
                continue;
            }
        }
        if let Some(c) = &cg {
            if let Some((_, line)) = seen.iter().find(|(d, _)| *d == c.dir) {
                return Err(Error::Invalid(format!(
                    "{file}:{}: {section} is {}, which line {line} sets already",
                    e.line, c.name
                )));
            }
            seen.push((c.dir.clone(), e.line));
        }
        let (mode_file, distance_file) = set::files(root, cg.as_ref())?;
        for (key, path, to) in [
            ("mode", mode_file, &e.change.mode),
            ("distance", distance_file, &e.change.distance),
        ] {
            let Some(to) = to else { continue };
            writes.push(Write1 {
                section: section.clone(),
                cgroup: cg.as_ref().map(|c| c.name.clone()),
                key,
                from: root.read(&path)?.trim().to_string(),
                file: path,
                to: to.clone(),
            });
        }
    }
    Ok((writes, skipped))
}

/// Writes what differs; on a refused write, puts back what was written
/// (newest first) and returns that write's error.
pub fn write_all(root: &Root, writes: &[Write1]) -> Result<()> {
    let mut done: Vec<&Write1> = Vec::new();
    for w in writes.iter().filter(|w| w.from != w.to) {
        if let Err(e) = root.write(&w.file, &w.to) {
            for d in done.iter().rev() {
                // Best effort: the value was readable and so writable.
                let _ = root.write(&d.file, &d.from);
            }
            return Err(e);
        }
        done.push(w);
    }
    Ok(())
}

fn render(writes: &[Write1], skipped: &[Skipped], dry_run: bool, format: Format) -> String {
    if format.is_json() {
        let w = writes
            .iter()
            .map(|w| {
                Json::obj(vec![
                    ("section", Json::Str(w.section.clone())),
                    ("cgroup", w.cgroup.clone().map_or(Json::Null, Json::Str)),
                    ("key", Json::Str(w.key.into())),
                    ("from", Json::Str(w.from.clone())),
                    ("to", Json::Str(w.to.clone())),
                    ("changed", Json::Bool(w.from != w.to)),
                ])
            })
            .collect();
        let s = skipped
            .iter()
            .map(|s| {
                Json::obj(vec![
                    ("section", Json::Str(s.section.clone())),
                    ("reason", Json::Str(s.reason.clone())),
                ])
            })
            .collect();
        return format.render(&Json::obj(vec![
            ("dry_run", Json::Bool(dry_run)),
            ("writes", Json::Arr(w)),
            ("skipped", Json::Arr(s)),
        ]));
    }
    let mut s = String::new();
    for w in writes {
        let what = match &w.cgroup {
            None => "global".to_string(),
            Some(c) => format!("{c} {}", w.section),
        };
        let verb = match (w.from == w.to, dry_run) {
            (true, _) => "unchanged",
            (false, true) => "would set",
            (false, false) => "set",
        };
        let _ = writeln!(s, "{verb}: {what} {}: {} -> {}", w.key, w.from, w.to);
    }
    for k in skipped {
        let _ = writeln!(s, "skipped: {}: {}", k.section, k.reason);
    }
    s
}

pub fn run(
    root: &Root,
    config: &Path,
    dry_run: bool,
    unit: Option<&str>,
    format: Format,
) -> Result<()> {
    let file = config.display().to_string();
    let path = if config.is_absolute() {
        root.path(config)
    } else {
        config.to_path_buf()
    };
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&file, &e))?;
    let entries = config::parse(&file, &text)?;
    let only = unit.map(|u| cgroup::find_unit(root, u)).transpose()?;
    let (writes, skipped) = plan(root, &entries, &file, only.as_ref())?;
    if !dry_run {
        write_all(root, &writes)?;
    }
    let mut text = render(&writes, &skipped, dry_run, format);
    if writes.is_empty() && skipped.is_empty() && !format.is_json() {
        text = match unit {
            Some(u) => format!("nothing in {file} for {u}\n"),
            None => format!("nothing in {file}\n"),
        };
    }
    out::print(&text)
}
