// SPDX-License-Identifier: GPL-2.0

//! The NUMA topology as the policy sees it: online nodes and SLIT
//! distances, read from the kernel when needed (nodes can be hot-added).

use kernel::{bindings, prelude::*};

use crate::policy::Distance;

extern "C" {
    fn lr_node_online(nid: c_int) -> bool;
    fn lr_node_has_cpus(nid: c_int) -> bool;
    fn lr_node_distance(from: c_int, to: c_int) -> c_int;
}

/// Rows longer than this are truncated in the log (the policy sees all).
const MAX_LOGGED_NODES: usize = 64;

/// Number of possible node ids (`nr_node_ids`).
pub(crate) fn nr_node_ids() -> usize {
    // SAFETY: `nr_node_ids` is written once during early boot and only read
    // afterwards.
    let n = unsafe { bindings::nr_node_ids };
    usize::try_from(n).unwrap_or(0)
}

/// Whether node `nid` is online.
fn node_online(nid: u32) -> bool {
    let Ok(nid) = c_int::try_from(nid) else {
        return false;
    };
    // SAFETY: `lr_node_online` range-checks `nid` and tests one bit of
    // `node_states[N_ONLINE]`.
    unsafe { lr_node_online(nid) }
}

/// Whether node `nid` has CPUs (`N_CPU`); memory-only nodes have none.
pub(crate) fn node_has_cpus(nid: u32) -> bool {
    let Ok(nid) = c_int::try_from(nid) else {
        return false;
    };
    // SAFETY: `lr_node_has_cpus` range-checks `nid` and tests one bit of
    // `node_states[N_CPU]`; safe in any context.
    unsafe { lr_node_has_cpus(nid) }
}

/// The online nodes, in id order.
pub(crate) fn online_nodes() -> impl Iterator<Item = u32> + Clone {
    (0..u32::try_from(nr_node_ids()).unwrap_or(0)).filter(|&nid| node_online(nid))
}

/// SLIT distance between two nodes.
pub(crate) fn node_distance(from: u32, to: u32) -> Distance {
    let (Ok(a), Ok(b)) = (c_int::try_from(from), c_int::try_from(to)) else {
        return Distance::MAX;
    };
    // SAFETY: `lr_node_distance` range-checks both ids (the remote default
    // for a bad one) and calls `node_distance()`, which reads the boot-time
    // SLIT table; safe in any context.
    Distance::clamp_from(unsafe { lr_node_distance(a, b) })
}

/// Logs the distance matrix, one row per online node.
pub(crate) fn log_distances() {
    for from in online_nodes() {
        let mut row = [0u8; MAX_LOGGED_NODES];
        let mut len = 0;
        for (slot, to) in row.iter_mut().zip(online_nodes()) {
            *slot = node_distance(from, to).get();
            len += 1;
        }
        pr_info!("node {} distances: {:?}\n", from, &row[..len]);
    }
}
