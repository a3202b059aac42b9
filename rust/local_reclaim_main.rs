// SPDX-License-Identifier: GPL-2.0

//! `local_reclaim`: keep a workload's memory on its own NUMA node by
//! reclaiming nearby nodes before the allocator spills to distant ones.
//!
//! The crate root declares the module's parts and holds the module state:
//! the policy (pinned: the allocator and the file handlers point into it),
//! its registration with the page allocator, and the files.

use kernel::prelude::*;

mod cgroup_files;
mod counters;
mod display;
mod files;
mod hooks;
mod memcg;
mod policy;
mod rcu_map;
mod state;
mod sysfs;
mod topology;

module! {
    type: LocalReclaim,
    name: "local_reclaim",
    authors: ["local_reclaim developers"],
    description: "Per-cgroup NUMA local reclaim policy",
    license: "GPL",
}

/// Module state, from `insmod` to `rmmod`.
///
/// Fields drop in declaration order: the files go first (no handler runs
/// after, so no knob write can land later), then `node_reclaim_distance`
/// gets its value from before the load back, then the policy is
/// unregistered (no allocator callback runs after), then the policy and
/// its per-cgroup state are freed.
struct LocalReclaim {
    _files: files::Files,
    _distance: state::DistanceRestore,
    _registration: hooks::Registration,
    _policy: Pin<KBox<hooks::Policy>>,
}

impl kernel::Module for LocalReclaim {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        topology::log_distances();
        let distance = state::DistanceRestore::new();
        let policy = KBox::pin_init(hooks::Policy::new(), GFP_KERNEL)?;
        // SAFETY: `policy` is declared after `_registration`, so it is
        // dropped, and freed, only after the registration is.
        let registration = unsafe { hooks::Registration::new(policy.as_ref())? };
        // SAFETY: `policy` is declared after `_files` too, and so is
        // `_registration`: the policy stays registered while files exist.
        let files = unsafe { files::Files::new(&policy)? };
        pr_info!(
            "loaded, {} nodes online, mode {}, node_reclaim_distance {}\n",
            topology::online_nodes().count(),
            policy.state.global_mode(),
            state::kernel_distance()
        );
        Ok(LocalReclaim {
            _files: files,
            _distance: distance,
            _registration: registration,
            _policy: policy,
        })
    }
}

impl Drop for LocalReclaim {
    fn drop(&mut self) {
        // Runs before the fields drop.
        pr_info!("unloaded\n");
    }
}
