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

/// A setting that fights the policy, or a kernel that cannot have it.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    /// What it is about, for scripts: `zone_reclaim_mode`,
    /// `numa_balancing`, `memory_only_node`, `kernel_not_patched`.
    pub id: &'static str,
    pub message: String,
}

/// A sysctl's value, if the file is there and holds a number.
fn sysctl(root: &Root, path: &str) -> Option<u64> {
    std::fs::read_to_string(root.path(path))
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// What in the system's settings works against the policy.
pub fn warnings(
    root: &Root,
    patched: Patched,
    global: Option<&Global>,
    nodes: &[Node],
) -> Vec<Warning> {
    let mut w = Vec::new();
    if patched == Patched::No {
        w.push(Warning {
            id: "kernel_not_patched",
            message: "the running kernel lacks the node reclaim policy series: \
                      local_reclaim.ko cannot load (apply patches/ and rebuild)"
                .into(),
        });
    }
    if let Some(v) = sysctl(root, "/proc/sys/vm/zone_reclaim_mode").filter(|&v| v != 0) {
        w.push(Warning {
            id: "zone_reclaim_mode",
            message: format!(
                "vm.zone_reclaim_mode is {v}: node_reclaim() also reclaims the local node \
                 for every task, those of cgroups whose mode is off included, before \
                 local_reclaim is asked; set it to 0 (sysctl vm.zone_reclaim_mode=0)"
            ),
        });
    }
    if let Some(v) = sysctl(root, "/proc/sys/kernel/numa_balancing").filter(|&v| v != 0) {
        w.push(Warning {
            id: "numa_balancing",
            message: format!(
                "kernel.numa_balancing is {v}: it migrates pages after they are placed, \
                 so pages do not stay where the policy put them, and its migrations need \
                 the free memory the policy keeps for local allocations; set it to 0 \
                 (sysctl kernel.numa_balancing=0) unless that is wanted"
            ),
        });
    }
    if let Some(g) = global {
        // The default reach (no distance set anywhere) takes memory-only
        // nodes within node_reclaim_distance: their page cache is
        // reclaimed for the CPU nodes' tasks, as zone_reclaim_mode does.
        for m in nodes.iter().filter(|n| !n.has_cpus) {
            let near: Vec<String> = nodes
                .iter()
                .filter(|n| n.has_cpus && topology::within(nodes, n, g.distance).contains(&m.id))
                .map(|n| n.id.to_string())
                .collect();
            if !near.is_empty() {
                w.push(Warning {
                    id: "memory_only_node",
                    message: format!(
                        "node {} has memory and no CPUs, and is within {} of node(s) {}: \
                         the policy reclaims its page cache for their tasks (a memory \
                         tier meant for demoted pages, CXL or PMEM, is usually not to be \
                         reclaimed so); set a smaller distance to leave it out",
                        m.id,
                        g.distance,
                        near.join(", ")
                    ),
                });
            }
        }
    }
    w
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
    let warns = warnings(root, patched, global.as_ref(), &nodes);
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
                ("has_cpus", Json::Bool(n.has_cpus)),
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
            (
                "warnings",
                Json::Arr(
                    warns
                        .iter()
                        .map(|w| {
                            Json::obj(vec![
                                ("id", Json::Str(w.id.into())),
                                ("message", Json::Str(w.message.clone())),
                            ])
                        })
                        .collect(),
                ),
            ),
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
        if !warns.is_empty() {
            s.push('\n');
        }
        for w in &warns {
            let _ = writeln!(s, "warning: {}", w.message);
        }
        out::print(&s)?;
    }
    match (loaded, patched) {
        (true, _) => Ok(()),
        (false, Patched::No) => Err(Error::NotPatched),
        (false, _) => Err(Error::ModuleNotLoaded),
    }
}
