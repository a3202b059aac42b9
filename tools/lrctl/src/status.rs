// SPDX-License-Identifier: GPL-2.0
//! `lrctl status`: module and kernel state, the global settings, the
//! distance matrix with each node's reach marked, per-node memory.

use crate::error::{Error, Result};
use crate::out::{self, Format};
use crate::root::{Patched, Root, GLOBAL_DIR};
use crate::stat::Stat;
use crate::topology::{self, Node};
use json_out::Json;
use std::fmt::Write;

/// The global files' values.
pub struct Global {
    pub mode: String,
    pub distance: u32,
    pub stat: Stat,
}

pub fn global(root: &Root) -> Result<Global> {
    root.require_module()?;
    let dir = root.path(GLOBAL_DIR);
    let read = |f: &str| root.read(&dir.join(f)).map(|s| s.trim().to_string());
    let distance = read("node_reclaim_distance")?;
    Ok(Global {
        mode: read("mode")?,
        distance: distance
            .parse()
            .map_err(|_| Error::Io(format!("{GLOBAL_DIR}/node_reclaim_distance: '{distance}'")))?,
        stat: Stat::parse(&root.global_stat()?),
    })
}

fn mib(kib: u64) -> String {
    format!("{}", kib / 1024)
}

/// Prints the status; the result says whether the module is usable.
pub fn run(root: &Root, format: Format) -> Result<()> {
    let loaded = root.module_loaded();
    let patched = root.patched();
    let global = if loaded { Some(global(root)?) } else { None };
    let nodes = topology::nodes(root)?;
    let reach = |n: &Node| {
        global
            .as_ref()
            .map(|g| topology::within(&nodes, n, g.distance))
            .unwrap_or_default()
    };
    if format.is_json() {
        let node_json = |n: &Node| {
            Json::obj(vec![
                ("node", Json::UInt(n.id.into())),
                (
                    "distance",
                    Json::Arr(n.distance.iter().map(|&d| Json::UInt(d.into())).collect()),
                ),
                (
                    "within_distance",
                    Json::Arr(reach(n).into_iter().map(|d| Json::UInt(d.into())).collect()),
                ),
                ("mem_free_kib", Json::UInt(n.mem_free_kib)),
                ("file_pages_kib", Json::UInt(n.file_pages_kib)),
                ("anon_pages_kib", Json::UInt(n.anon_pages_kib)),
            ])
        };
        let doc = Json::obj(vec![
            ("module_loaded", Json::Bool(loaded)),
            ("kernel_patched", Json::Str(patched.as_str().into())),
            (
                "mode",
                global
                    .as_ref()
                    .map_or(Json::Null, |g| Json::Str(g.mode.clone())),
            ),
            (
                "node_reclaim_distance",
                global
                    .as_ref()
                    .map_or(Json::Null, |g| Json::UInt(g.distance.into())),
            ),
            (
                "cgroup_states",
                global
                    .as_ref()
                    .and_then(|g| g.stat.flat.iter().find(|(k, _)| k == "cgroup_states"))
                    .map_or(Json::Null, |(_, v)| Json::UInt(*v)),
            ),
            ("nodes", Json::Arr(nodes.iter().map(node_json).collect())),
        ]);
        out::print(&format.render(&doc))?;
    } else {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "module:                 {}",
            if loaded { "loaded" } else { "not loaded" }
        );
        let _ = writeln!(s, "kernel patched:         {}", patched.as_str());
        if let Some(g) = &global {
            let _ = writeln!(s, "global mode:            {}", g.mode);
            let _ = writeln!(s, "node_reclaim_distance:  {}", g.distance);
            if let Some((_, v)) = g.stat.flat.iter().find(|(k, _)| k == "cgroup_states") {
                let _ = writeln!(s, "cgroup states:          {v}");
            }
            let _ = writeln!(
                s,
                "\nnode distances (* = within {} of the row's node)",
                g.distance
            );
        } else {
            let _ = writeln!(s, "\nnode distances");
        }
        let _ = write!(s, "{:>6}", "");
        for n in &nodes {
            let _ = write!(s, "{:>6}", format!("N{}", n.id));
        }
        s.push('\n');
        for n in &nodes {
            let r = reach(n);
            let _ = write!(s, "{:>6}", format!("N{}", n.id));
            for (i, d) in n.distance.iter().enumerate() {
                let mark = if nodes.get(i).is_some_and(|m| r.contains(&m.id)) {
                    "*"
                } else {
                    " "
                };
                let _ = write!(s, "{:>6}", format!("{d}{mark}"));
            }
            s.push('\n');
        }
        let _ = writeln!(
            s,
            "\n{:>6}{:>10}{:>11}{:>11}  (MiB)",
            "node", "MemFree", "FilePages", "AnonPages"
        );
        for n in &nodes {
            let _ = writeln!(
                s,
                "{:>6}{:>10}{:>11}{:>11}",
                format!("N{}", n.id),
                mib(n.mem_free_kib),
                mib(n.file_pages_kib),
                mib(n.anon_pages_kib)
            );
        }
        out::print(&s)?;
    }
    match (loaded, patched) {
        (true, _) => Ok(()),
        (false, Patched::No) => Err(Error::NotPatched),
        (false, _) => Err(Error::ModuleNotLoaded),
    }
}
