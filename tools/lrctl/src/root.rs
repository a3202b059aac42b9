// SPDX-License-Identifier: GPL-2.0
//! Where lrctl reads and writes: the real `/`, or a fake tree given with
//! `--root DIR` or `LRCTL_ROOT` (how the host tests run).  Every path lrctl
//! knows is written here once.

use crate::error::{Error, Result};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The module's global directory.
pub const GLOBAL_DIR: &str = "/sys/kernel/mm/local_reclaim";
/// The NUMA nodes' sysfs directory.
pub const NODE_DIR: &str = "/sys/devices/system/node";
/// The tracepoints the series adds, under tracefs (either mount point).
const TRACE_EVENTS: [&str; 2] = [
    "/sys/kernel/tracing/events/node_reclaim_policy",
    "/sys/kernel/debug/tracing/events/node_reclaim_policy",
];
/// A symbol only a patched kernel has.
const PATCHED_SYMBOL: &str = " node_reclaim_policy_register";

/// Whether the running kernel carries the series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Patched {
    Yes,
    No,
    /// Neither tracefs nor kallsyms could tell.
    Unknown,
}

impl Patched {
    pub fn as_str(self) -> &'static str {
        match self {
            Patched::Yes => "yes",
            Patched::No => "no",
            Patched::Unknown => "unknown",
        }
    }
}

pub struct Root {
    base: PathBuf,
}

impl Root {
    pub fn new(base: Option<PathBuf>) -> Root {
        Root {
            base: base.unwrap_or_else(|| PathBuf::from("/")),
        }
    }

    /// An absolute path of the running system, under the root.
    pub fn path(&self, abs: impl AsRef<Path>) -> PathBuf {
        let abs = abs.as_ref();
        self.base.join(abs.strip_prefix("/").unwrap_or(abs))
    }

    /// A path under the root shown as the system sees it.
    pub fn display(&self, p: &Path) -> String {
        match p.strip_prefix(&self.base) {
            Ok(rel) => format!("/{}", rel.display()),
            Err(_) => p.display().to_string(),
        }
    }

    pub fn read(&self, p: &Path) -> Result<String> {
        fs::read_to_string(p).map_err(|e| Error::io(&self.display(p), &e))
    }

    /// The global counters as one stat text, as a cgroup's
    /// `memory.local_reclaim.stat` reads: one `name N0=.. N1=..` line per
    /// file of `stat/` (one counter per file, in name order), then
    /// `cgroup_states N`.
    pub fn global_stat(&self) -> Result<String> {
        let dir = self.path(GLOBAL_DIR);
        let stat = dir.join("stat");
        let mut names: Vec<String> = fs::read_dir(&stat)
            .map_err(|e| Error::io(&self.display(&stat), &e))?
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .collect();
        names.sort();
        let mut text = String::new();
        for name in names {
            let v = self.read(&stat.join(&name))?;
            text.push_str(&format!("{name} {}\n", v.trim()));
        }
        let states = self.read(&dir.join("cgroup_states"))?;
        text.push_str(&format!("cgroup_states {}\n", states.trim()));
        Ok(text)
    }

    /// Writes one value the way `echo` does, in one write(2).
    pub fn write(&self, p: &Path, value: &str) -> Result<()> {
        let res = fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(p)
            .and_then(|mut f| f.write_all(format!("{value}\n").as_bytes()));
        res.map_err(|e| Error::io(&self.display(p), &e))
    }

    pub fn exists(&self, abs: impl AsRef<Path>) -> bool {
        self.path(abs).exists()
    }

    pub fn module_loaded(&self) -> bool {
        self.exists(GLOBAL_DIR)
    }

    /// Whether the kernel has the hooks: the module being loaded proves it;
    /// else the series' tracepoints, else its symbol in kallsyms.
    pub fn patched(&self) -> Patched {
        if self.module_loaded() || TRACE_EVENTS.iter().any(|t| self.exists(t)) {
            return Patched::Yes;
        }
        if TRACE_EVENTS
            .iter()
            .any(|t| self.exists(Path::new(t).parent().unwrap_or(Path::new("/"))))
        {
            return Patched::No;
        }
        match fs::read_to_string(self.path("/proc/kallsyms")) {
            // kallsyms without addresses still lists names; an empty or
            // missing one (no CONFIG_KALLSYMS) says nothing.
            Ok(s) if s.contains(PATCHED_SYMBOL) => Patched::Yes,
            Ok(s) if !s.is_empty() => Patched::No,
            _ => Patched::Unknown,
        }
    }

    /// Fails with the reason the module's files are not there.
    pub fn require_module(&self) -> Result<()> {
        if self.module_loaded() {
            Ok(())
        } else if self.patched() == Patched::No {
            Err(Error::NotPatched)
        } else {
            Err(Error::ModuleNotLoaded)
        }
    }

    /// The sorted subdirectories of `dir` whose name is PREFIX<number>.
    pub fn numbered(&self, dir: &Path, prefix: &str) -> io::Result<Vec<(u32, PathBuf)>> {
        let mut v: Vec<(u32, PathBuf)> = fs::read_dir(dir)?
            .filter_map(|e| {
                let e = e.ok()?;
                let n = e.file_name().to_str()?.strip_prefix(prefix)?.parse().ok()?;
                Some((n, e.path()))
            })
            .collect();
        v.sort();
        Ok(v)
    }
}
