// SPDX-License-Identifier: GPL-2.0
//! The NUMA topology and per-node memory, from
//! `/sys/devices/system/node/node*/{distance,meminfo}`.

use crate::error::{Error, Result};
use crate::root::{Root, NODE_DIR};

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub id: u32,
    /// SLIT distances to every node, in node order.
    pub distance: Vec<u32>,
    /// Whether the node has CPUs (`cpulist` not empty); a node whose
    /// `cpulist` cannot be read counts as having some.
    pub has_cpus: bool,
    pub mem_free_kib: u64,
    pub file_pages_kib: u64,
    pub anon_pages_kib: u64,
}

/// One `Node N Field: V kB` value of a node's meminfo.
fn meminfo_kib(text: &str, field: &str) -> u64 {
    text.lines()
        .find_map(|l| {
            let mut w = l.split_whitespace().skip(2);
            (w.next()? == field).then(|| w.next()?.parse().ok())?
        })
        .unwrap_or(0)
}

pub fn nodes(root: &Root) -> Result<Vec<Node>> {
    let dir = root.path(NODE_DIR);
    let list = root
        .numbered(&dir, "node")
        .map_err(|e| Error::io(NODE_DIR, &e))?;
    list.into_iter()
        .map(|(id, path)| {
            let distance = root
                .read(&path.join("distance"))?
                .split_whitespace()
                .map(|d| {
                    d.parse()
                        .map_err(|_| Error::Io(format!("node{id}/distance: '{d}' is not a number")))
                })
                .collect::<Result<Vec<u32>>>()?;
            let meminfo = root.read(&path.join("meminfo"))?;
            let has_cpus = std::fs::read_to_string(path.join("cpulist"))
                .map_or(true, |c| !c.trim().is_empty());
            Ok(Node {
                id,
                distance,
                has_cpus,
                mem_free_kib: meminfo_kib(&meminfo, "MemFree:"),
                file_pages_kib: meminfo_kib(&meminfo, "FilePages:"),
                anon_pages_kib: meminfo_kib(&meminfo, "AnonPages:"),
            })
        })
        .collect()
}

/// The nodes within `d` of `from` (SLIT distance <= d), the policy's reach.
pub fn within(nodes: &[Node], from: &Node, d: u32) -> Vec<u32> {
    nodes
        .iter()
        .enumerate()
        .filter(|(i, _)| from.distance.get(*i).is_some_and(|&x| x <= d))
        .map(|(_, n)| n.id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meminfo_fields() {
        let m = "Node 0 MemTotal:  1000 kB\nNode 0 MemFree:  20 kB\nNode 0 FilePages:  900 kB\n";
        assert_eq!(meminfo_kib(m, "MemFree:"), 20);
        assert_eq!(meminfo_kib(m, "FilePages:"), 900);
        assert_eq!(meminfo_kib(m, "AnonPages:"), 0);
    }

    #[test]
    fn reach() {
        let n = |id, distance: Vec<u32>| Node {
            id,
            distance,
            has_cpus: true,
            mem_free_kib: 0,
            file_pages_kib: 0,
            anon_pages_kib: 0,
        };
        let nodes = vec![
            n(0, vec![10, 16, 32]),
            n(1, vec![16, 10, 32]),
            n(2, vec![32, 32, 10]),
        ];
        assert_eq!(within(&nodes, &nodes[0], 16), vec![0, 1]);
        assert_eq!(within(&nodes, &nodes[2], 10), vec![2]);
        assert_eq!(within(&nodes, &nodes[0], 254), vec![0, 1, 2]);
    }
}
