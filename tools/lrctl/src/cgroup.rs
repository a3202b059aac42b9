// SPDX-License-Identifier: GPL-2.0
//! Memory cgroups: finding the cgroup2 mount, resolving a CGROUP argument
//! (a path under the mount, or relative to it), and the module's files in
//! each cgroup.

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

/// Resolves CGROUP: an absolute path under the mount, or a path relative
/// to it (`db`, `/db` when not under the mount, `./db`).  No `..`.
pub fn resolve(root: &Root, arg: &str) -> Result<Cgroup> {
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
