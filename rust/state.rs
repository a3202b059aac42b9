// SPDX-License-Identifier: GPL-2.0

//! The module's state: global knobs, global and per-cgroup counters, the
//! per-cgroup configuration table, and effective-value lookup for the
//! allocating task.

use kernel::{
    bindings,
    prelude::*,
    sync::{
        atomic::{Atomic, Relaxed},
        rcu,
    },
};

use crate::{
    counters::{Counter, Counters},
    memcg::{self, MemCgroup},
    policy::{resolve, Config, Distance, Effective, Mode},
    rcu_map::RcuMap,
    topology,
};

/// What the module keeps for one memory cgroup.
pub(crate) struct CgroupState {
    /// `Config::pack()` of the cgroup's settings: one word, so never torn.
    config: Atomic<u32>,
    /// Events of tasks in this cgroup.
    pub(crate) counters: Counters,
}

impl CgroupState {
    fn new() -> Result<Self> {
        Ok(CgroupState {
            config: Atomic::new(Config::INHERIT.pack()),
            counters: Counters::new(topology::nr_node_ids(), GFP_KERNEL)?,
        })
    }

    /// The cgroup's own settings.
    pub(crate) fn config(&self) -> Config {
        Config::unpack(self.config.load(Relaxed))
    }

    /// Replaces the settings `update` changes, atomically with respect to
    /// readers and to other writers.
    pub(crate) fn update(&self, update: impl Fn(Config) -> Config) {
        let mut old = self.config.load(Relaxed);
        loop {
            let new = update(Config::unpack(old)).pack();
            match self.config.cmpxchg(old, new, Relaxed) {
                Ok(_) => return,
                Err(cur) => old = cur,
            }
        }
    }
}

/// Global state, shared by the allocator hooks and the file handlers.
#[pin_data]
pub(crate) struct State {
    /// The `mode` knob (`Mode::bits`): the mode of cgroups that inherit
    /// up to the root.
    global_mode: Atomic<u32>,
    /// Events of all tasks.
    pub(crate) global: Counters,
    /// Per-cgroup state, keyed by cgroup id.
    #[pin]
    cgroups: RcuMap<CgroupState>,
    /// `node_reclaim_distance` when the module loaded, restored on unload.
    boot_distance: i32,
}

impl State {
    /// Fresh state; the global mode starts `off`.
    pub(crate) fn new() -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            global_mode: Atomic::new(0),
            global: Counters::new(topology::nr_node_ids(), GFP_KERNEL)?,
            cgroups <- RcuMap::new(),
            boot_distance: kernel_distance_raw(),
        })
    }

    /// The `mode` knob.
    pub(crate) fn global_mode(&self) -> Mode {
        Mode::from_bits(u8::try_from(self.global_mode.load(Relaxed)).unwrap_or(0))
    }

    /// Sets the `mode` knob.
    pub(crate) fn set_global_mode(&self, mode: Mode) {
        self.global_mode.store(u32::from(mode.bits()), Relaxed);
    }

    /// The global values: the `mode` knob and the kernel's
    /// `node_reclaim_distance`.
    pub(crate) fn global_effective(&self) -> Effective {
        Effective {
            mode: self.global_mode(),
            distance: Distance::clamp_from(kernel_distance_raw()),
        }
    }

    /// Effective values for a task in `memcg` (or no cgroup).
    pub(crate) fn effective(&self, memcg: Option<MemCgroup<'_>>, guard: &rcu::Guard) -> Effective {
        self.lookup(memcg, guard).1
    }

    /// The state of `memcg` itself and the effective values for its tasks,
    /// in one walk up the tree (the allocation hooks need both).
    pub(crate) fn lookup<'a>(
        &'a self,
        memcg: Option<MemCgroup<'_>>,
        guard: &'a rcu::Guard,
    ) -> (Option<&'a CgroupState>, Effective) {
        let own = memcg.and_then(|m| self.cgroup(m, guard));
        let parents = memcg.and_then(|m| m.parent());
        let ancestors = memcg::ancestors(parents).filter_map(|m| self.cgroups.get(m.id(), guard));
        let chain = Iterator::chain(own.into_iter(), ancestors);
        (
            own,
            resolve(chain.map(|s| s.config()), self.global_effective()),
        )
    }

    /// The state of `memcg`, if it has one.
    pub(crate) fn cgroup<'a>(
        &'a self,
        memcg: MemCgroup<'_>,
        guard: &'a rcu::Guard,
    ) -> Option<&'a CgroupState> {
        self.cgroups.get(memcg.id(), guard)
    }

    /// Counts an event for the task's cgroup (if known) and globally.
    pub(crate) fn count(&self, own: Option<&CgroupState>, c: Counter, nid: u32, n: u64) {
        self.global.add(c, nid, n);
        if let Some(s) = own {
            s.counters.add(c, nid, n);
        }
    }

    /// A memory cgroup came online: give it a state.  Without memory for
    /// one it keeps inheriting and its events count globally only.
    pub(crate) fn cgroup_online(&self, memcg: MemCgroup<'_>) {
        let inserted = CgroupState::new().and_then(|s| self.cgroups.insert(memcg.id(), s));
        if inserted.is_err() {
            pr_warn!("no memory for cgroup {} state; it inherits\n", memcg.id());
        }
    }

    /// A memory cgroup went offline: free its state after a grace period.
    pub(crate) fn cgroup_offline(&self, memcg: MemCgroup<'_>) {
        self.cgroups.remove(memcg.id());
    }

    /// Per-cgroup states allocated and not yet freed, for leak checks (the
    /// `stat` file's `cgroup_states`).
    pub(crate) fn live(&self) -> u64 {
        self.cgroups.live()
    }

    /// Restores `node_reclaim_distance` as it was at load.
    pub(crate) fn restore_distance(&self) {
        set_kernel_distance(self.boot_distance);
    }
}

/// The kernel's `node_reclaim_distance`.
fn kernel_distance_raw() -> i32 {
    // SAFETY: `node_reclaim_distance` is a plain exported `int`; a volatile
    // read is READ_ONCE().
    unsafe { core::ptr::read_volatile(&raw const bindings::node_reclaim_distance) }
}

/// Sets the kernel's `node_reclaim_distance` (shared with
/// `vm.zone_reclaim_mode`).
pub(crate) fn set_kernel_distance(d: i32) {
    // SAFETY: a volatile write is WRITE_ONCE(); readers read it once per
    // zone they consider and accept either value.
    unsafe { core::ptr::write_volatile(&raw mut bindings::node_reclaim_distance, d) }
}

/// The kernel's `node_reclaim_distance` as a knob value.
pub(crate) fn kernel_distance() -> Distance {
    Distance::clamp_from(kernel_distance_raw())
}
