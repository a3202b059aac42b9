// SPDX-License-Identifier: GPL-2.0

//! `local_reclaim`: keep a workload's memory on its own NUMA node by
//! reclaiming nearby nodes before the allocator spills to distant ones.
//!
//! The crate root declares the module's parts and holds the module state.

use kernel::prelude::*;

// Parsing is used by the knobs, which arrive with the policy hooks.
#[allow(dead_code)]
mod policy;
mod sysfs;
mod topology;

module! {
    type: LocalReclaim,
    name: "local_reclaim",
    authors: ["local_reclaim developers"],
    description: "Per-cgroup NUMA local reclaim policy",
    license: "GPL",
}

/// Module state: lives from `insmod` to `rmmod`.
struct LocalReclaim {
    _dir: sysfs::Dir,
}

impl kernel::Module for LocalReclaim {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        topology::log_distances();
        let dir = sysfs::Dir::create_in_mm(c"local_reclaim")?;
        pr_info!(
            "loaded, {} nodes online\n",
            topology::online_nodes().count()
        );
        Ok(LocalReclaim { _dir: dir })
    }
}

impl Drop for LocalReclaim {
    fn drop(&mut self) {
        pr_info!("unloaded\n");
    }
}
