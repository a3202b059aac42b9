// SPDX-License-Identifier: GPL-2.0
//! Memory cgroups: finding the cgroup2 mount, resolving a CGROUP argument
//! (a path under the mount or relative to it, a systemd unit or slice, a
//! process, `self`), and the module's files in each cgroup.

use crate::cli::Target;
use crate::error::{Error, Result};
use crate::root::Root;
use crate::stat::Stat;
use std::fs;
use std::path::{Component, Path, PathBuf};

pub const MODE_FILE: &str = "memory.local_reclaim.mode";
pub const DISTANCE_FILE: &str = "memory.local_reclaim.distance";
pub const STAT_FILE: &str = "memory.local_reclaim.stat";

/// The cgroup2 mount point (as the system sees it), from /proc/self/mounts.
pub fn mount(root: &Root) -> Result<PathBuf> {
    let mounts = fs::read_to_string(root.path("/proc/self/mounts"))
        .map_err(|e| Error::io("/proc/self/mounts", &e))?;
    mounts
        .lines()
        .find_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() > 2 && f[2] == "cgroup2").then(|| PathBuf::from(f[1]))
        })
        .ok_or(Error::NoCgroup2)
}

/// A memory cgroup: its name relative to the mount ("/" for the root) and
/// its directory under the lrctl root.
#[derive(Debug, Clone, PartialEq)]
pub struct Cgroup {
    pub name: String,
    pub dir: PathBuf,
}

impl Cgroup {
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    pub fn is_root(&self) -> bool {
        self.name == "/"
    }
}

/// Resolves a CGROUP path: an absolute path under the mount, or a path
/// relative to it (`db`, `/db` when not under the mount, `./db`).  No `..`.
pub fn resolve_path(root: &Root, arg: &str) -> Result<Cgroup> {
    let mnt = mount(root)?;
    let p = Path::new(arg);
    let rel = p.strip_prefix(&mnt).unwrap_or(p);
    let mut name = PathBuf::from("/");
    for c in rel.components() {
        match c {
            Component::Normal(s) => name.push(s),
            Component::RootDir | Component::CurDir => {}
            _ => {
                return Err(Error::NoCgroup(format!(
                    "{arg}: '..' is not allowed in a cgroup path"
                )))
            }
        }
    }
    let dir = root.path(mnt.join(name.strip_prefix("/").unwrap_or(&name)));
    if !dir.is_dir() {
        return Err(Error::NoCgroup(format!(
            "{arg}: no such cgroup under {}",
            mnt.display()
        )));
    }
    Ok(Cgroup {
        name: name.display().to_string(),
        dir,
    })
}

/// The suffixes of the systemd units that have a cgroup.
const UNIT_SUFFIXES: [&str; 6] = [".service", ".slice", ".scope", ".socket", ".mount", ".swap"];

/// Whether `s` reads as a systemd unit name (no `/`, a unit suffix).
pub fn is_unit_name(s: &str) -> bool {
    !s.contains('/')
        && UNIT_SUFFIXES
            .iter()
            .any(|x| s.len() > x.len() && s.ends_with(x))
}

/// Where systemd puts a slice: `a-b.slice` under `a.slice/`.
fn slice_path(name: &str) -> Option<PathBuf> {
    let stem = name.strip_suffix(".slice")?;
    let mut p = PathBuf::new();
    let mut prefix = String::new();
    for part in stem.split('-') {
        if part.is_empty() {
            return None;
        }
        if !prefix.is_empty() {
            prefix.push('-');
        }
        prefix.push_str(part);
        p.push(format!("{prefix}.slice"));
    }
    Some(p)
}

/// The cgroup of a systemd unit or slice, or None when there is none now:
/// `postgresql.service` is found wherever it is in the tree
/// (`system.slice/postgresql.service`); a name without a unit suffix is
/// taken as a `.service`, as systemctl does.  More than one match is an
/// error.
pub fn lookup_unit(root: &Root, unit: &str) -> Result<Option<Cgroup>> {
    if unit.is_empty() || unit.contains('/') {
        return Err(Error::NoCgroup(format!("'{unit}' is not a unit name")));
    }
    let unit = if is_unit_name(unit) {
        unit.to_string()
    } else {
        format!("{unit}.service")
    };
    let mnt = mount(root)?;
    let top = root.path(&mnt);
    if let Some(p) = slice_path(&unit) {
        if top.join(&p).is_dir() {
            return resolve_path(root, &p.display().to_string()).map(Some);
        }
    }
    let mut found = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let Ok(entries) = fs::read_dir(top.join(&rel)) else {
            continue;
        };
        for e in entries.flatten() {
            if !e.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            let sub = rel.join(e.file_name());
            if e.file_name() == unit.as_str() {
                found.push(sub);
            } else {
                stack.push(sub);
            }
        }
    }
    found.sort();
    match found.len() {
        0 => Ok(None),
        1 => resolve_path(root, &found[0].display().to_string()).map(Some),
        _ => Err(Error::NoCgroup(format!(
            "{unit}: more than one cgroup of that name: /{}; give the path",
            found
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", /")
        ))),
    }
}

/// As [`lookup_unit`], with no cgroup an error.
pub fn find_unit(root: &Root, unit: &str) -> Result<Cgroup> {
    lookup_unit(root, unit)?.ok_or_else(|| {
        let mnt = mount(root)
            .map(|m| m.display().to_string())
            .unwrap_or_default();
        Error::NoCgroup(format!(
            "{unit}: no cgroup of that unit under {mnt} (is it running?)"
        ))
    })
}

/// The cgroup2 cgroup of a process (`self` for lrctl's own, which is its
/// caller's unless lrctl was moved), from `/proc/PID/cgroup`.
pub fn of_process(root: &Root, pid: &str) -> Result<Cgroup> {
    let f = format!("/proc/{pid}/cgroup");
    let text = fs::read_to_string(root.path(&f)).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::NoCgroup(format!("{pid}: no such process")),
        _ => Error::io(&f, &e),
    })?;
    let path = text
        .lines()
        .find_map(|l| l.strip_prefix("0::"))
        .ok_or(Error::NoCgroup2)?;
    let path = path.strip_suffix(" (deleted)").unwrap_or(path);
    resolve_path(root, path).map_err(|e| match e {
        Error::NoCgroup(m) => Error::NoCgroup(format!("process {pid}: {m}")),
        e => e,
    })
}

/// Resolves a CGROUP argument: `self`, a path, or else (when no such path
/// exists) a systemd unit or slice name.  Use `./self` for a cgroup named
/// `self`.
pub fn resolve(root: &Root, arg: &str) -> Result<Cgroup> {
    if arg == "self" {
        return of_process(root, "self");
    }
    match resolve_path(root, arg) {
        Err(Error::NoCgroup(_)) if is_unit_name(arg) => find_unit(root, arg),
        r => r,
    }
}

/// The cgroup a command names, one way or another.
pub fn resolve_target(root: &Root, t: &Target) -> Result<Cgroup> {
    match (&t.cgroup, &t.unit, t.pid) {
        (Some(c), ..) => resolve(root, c),
        (_, Some(u), _) => find_unit(root, u),
        (_, _, Some(pid)) => of_process(root, &pid.to_string()),
        _ => Err(Error::Usage(
            "name a cgroup: CGROUP, --unit or --pid".into(),
        )),
    }
}

/// Requires the module's files in a non-root cgroup.
pub fn require_files(root: &Root, cg: &Cgroup) -> Result<()> {
    if cg.is_root() {
        return Err(Error::NoCgroup(
            "the root cgroup has no memory.local_reclaim files: its values are the global ones (use --global)".into(),
        ));
    }
    root.require_module()?;
    if !cg.file(MODE_FILE).exists() {
        return Err(Error::NoCgroup(format!(
            "{}: no memory controller in this cgroup (enable +memory in its parent's cgroup.subtree_control)",
            cg.name
        )));
    }
    Ok(())
}

/// Every cgroup under the mount that has the module's stat file, in
/// depth-first name order.
pub fn all(root: &Root) -> Result<Vec<Cgroup>> {
    let mnt = mount(root)?;
    let top = root.path(&mnt);
    let mut out = Vec::new();
    let mut stack = vec![(String::new(), top)];
    while let Some((name, dir)) = stack.pop() {
        if dir.join(STAT_FILE).exists() {
            out.push(Cgroup {
                name: if name.is_empty() {
                    "/".into()
                } else {
                    name.clone()
                },
                dir: dir.clone(),
            });
        }
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        let mut subs: Vec<(String, PathBuf)> = entries
            .filter_map(|e| {
                let e = e.ok()?;
                e.file_type().ok()?.is_dir().then(|| {
                    (
                        format!("{name}/{}", e.file_name().to_string_lossy()),
                        e.path(),
                    )
                })
            })
            .collect();
        subs.sort();
        stack.extend(subs.into_iter().rev());
    }
    Ok(out)
}

/// A cgroup's configured values and its stat.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub mode: String,
    pub distance: String,
    pub stat: Stat,
}

pub fn settings(root: &Root, cg: &Cgroup) -> Result<Settings> {
    require_files(root, cg)?;
    Ok(Settings {
        mode: root.read(&cg.file(MODE_FILE))?.trim().to_string(),
        distance: root.read(&cg.file(DISTANCE_FILE))?.trim().to_string(),
        stat: Stat::parse(&root.read(&cg.file(STAT_FILE))?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_names_and_slices() {
        assert!(is_unit_name("postgresql.service"));
        assert!(is_unit_name("user-1000.slice"));
        assert!(!is_unit_name("system.slice/x.service"));
        assert!(!is_unit_name(".service"));
        assert!(!is_unit_name("db"));
        assert_eq!(
            slice_path("user-1000.slice"),
            Some(PathBuf::from("user.slice/user-1000.slice"))
        );
        assert_eq!(
            slice_path("a-b-c.slice"),
            Some(PathBuf::from("a.slice/a-b.slice/a-b-c.slice"))
        );
        assert_eq!(slice_path("x.service"), None);
        assert_eq!(slice_path("a--b.slice"), None);
    }
}
