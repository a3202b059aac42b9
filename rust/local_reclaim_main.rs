// SPDX-License-Identifier: GPL-2.0

//! `local_reclaim`: keep a workload's memory on its own NUMA node by
//! reclaiming nearby nodes before the allocator spills to distant ones.
//!
//! The crate root declares the module's parts and holds the module state:
//! the policy registered with the page allocator, the files that set it,
//! and `node_reclaim_distance`'s value from before the load.

use kernel::prelude::*;

// `policy.rs` declares its flag types with the kernel crate's macro (the
// host build, `host.rs`, includes the same macro from the kernel source).
use kernel::impl_flags;

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
/// Initialised in the order that is safe: `node_reclaim_distance`
/// remembered, the policy registered, then the files that change both.
/// Torn down the other way round: `drop` removes the files (no knob write
/// can land after that), then the fields drop in declaration order:
/// `node_reclaim_distance` gets its old value back, and the policy is
/// unregistered, once no allocator callback runs, before its state is
/// freed.
#[pin_data(PinnedDrop)]
struct LocalReclaim {
    /// Borrows `policy`: see `init`.
    files: Option<files::Files<'static>>,
    distance: state::DistanceRestore,
    #[pin]
    policy: hooks::RegisteredPolicy,
}

impl kernel::InPlaceModule for LocalReclaim {
    fn init(_module: &'static ThisModule) -> impl PinInit<Self, Error> {
        topology::log_distances();
        try_pin_init!(&this in Self {
            distance: state::DistanceRestore::new(),
            policy <- hooks::RegisteredPolicy::new(),
            files: {
                // SAFETY: `policy` is initialised (above) and pinned in
                // `Self`, so it stays valid and in place until `Self` is
                // dropped; `drop` removes the files before that, so the
                // borrow never outlives it.
                let policy = unsafe { &(*this.as_ptr()).policy };
                Some(files::Files::new(policy)?)
            },
        }? Error)
        .pin_chain(|m| {
            pr_info!(
                "loaded, {} nodes online, mode {}, node_reclaim_distance {}\n",
                topology::online_nodes().count(),
                m.policy.state.global_mode(),
                state::kernel_distance()
            );
            Ok(())
        })
    }
}

#[pinned_drop]
impl PinnedDrop for LocalReclaim {
    fn drop(self: Pin<&mut Self>) {
        // The files first: they borrow the policy, and a knob write must
        // not land after `node_reclaim_distance` is given back.
        drop(self.project().files.take());
        pr_info!("unloaded\n");
    }
}
