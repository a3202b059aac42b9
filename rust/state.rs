// SPDX-License-Identifier: GPL-2.0

//! The module's state: global knobs, global and per-cgroup counters, the
//! per-cgroup configuration table, and every cgroup's effective values.
//!
//! The allocator's hooks must not walk the cgroup tree: each cgroup keeps
//! its effective mode and distance in one word, recomputed for every cgroup
//! when a setting changes and for a new cgroup when it comes online, and
//! the allocator is told which cgroups have a mode at all
//! (`node_reclaim_policy_set_active()`), so it never asks about the rest.

use kernel::{
    bindings, new_mutex,
    prelude::*,
    sync::{
        atomic::{Atomic, Relaxed},
        rcu, Mutex,
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
///
/// # Invariants
///
/// `memcg` is the cgroup this state belongs to; it is alive while the state
/// is in `State::cgroups`, from which `State::cgroup_offline` removes it.
pub(crate) struct CgroupState {
    /// `Config::pack()` of the cgroup's settings: one word, so never torn.
    config: Atomic<u32>,
    /// `Effective::pack()` of the values that apply to its tasks.
    effective: Atomic<u32>,
    memcg: *mut bindings::mem_cgroup,
    /// Events of allocations made for this cgroup.
    pub(crate) counters: Counters,
}

// SAFETY: `memcg` is only dereferenced under `State::update` (which keeps
// the cgroup online) or RCU; the rest is atomics and per-CPU counters.
unsafe impl Send for CgroupState {}
// SAFETY: as above; shared access only reads `memcg` and updates atomics.
unsafe impl Sync for CgroupState {}

impl CgroupState {
    fn new(memcg: MemCgroup<'_>, eff: Effective) -> Result<Self> {
        Ok(CgroupState {
            config: Atomic::new(Config::INHERIT.pack()),
            effective: Atomic::new(eff.pack()),
            memcg: memcg.as_raw(),
            counters: Counters::new(topology::nr_node_ids())?,
        })
    }

    /// The cgroup's own settings.
    pub(crate) fn config(&self) -> Config {
        Config::unpack(self.config.load(Relaxed))
    }

    /// The values that apply to the cgroup's tasks.
    pub(crate) fn effective(&self) -> Effective {
        Effective::unpack(self.effective.load(Relaxed))
    }

    /// Replaces the settings `update` changes, atomically with respect to
    /// readers and to other writers.  The caller refreshes the effective
    /// values afterwards ([`State::refresh`]).
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

/// Tells the allocator whether to ask the policy about a cgroup's
/// allocations (`None`: allocations made for no cgroup).
pub(crate) trait SetActive {
    /// Asks about `memcg`'s allocations from now on, or stops asking.
    fn set_active(&self, memcg: Option<MemCgroup<'_>>, active: bool);
}

/// Global state, shared by the allocator hooks and the file handlers.
#[pin_data]
pub(crate) struct State {
    /// The `mode` knob (`Mode::bits`): the mode of cgroups that inherit
    /// up to the root.
    global_mode: Atomic<u32>,
    /// 1 once an administrator wrote the `node_reclaim_distance` knob.
    global_distance_set: Atomic<u32>,
    /// Events of all allocations.
    pub(crate) global: Counters,
    /// Per-cgroup state, keyed by cgroup id.
    #[pin]
    cgroups: RcuMap<CgroupState>,
    /// Serialises recomputing effective values: setting changes, cgroups
    /// coming online and going offline.  Taken inside `cgroup_mutex` by
    /// the cgroup callbacks, so never held while taking it.
    #[pin]
    update: Mutex<()>,
}

impl State {
    /// Fresh state; the global mode starts `off`.
    pub(crate) fn new() -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            global_mode: Atomic::new(0),
            global_distance_set: Atomic::new(0),
            global: Counters::new(topology::nr_node_ids())?,
            cgroups <- RcuMap::new(),
            update <- new_mutex!(()),
        })
    }

    /// The `mode` knob.
    pub(crate) fn global_mode(&self) -> Mode {
        Mode::from_bits(u8::try_from(self.global_mode.load(Relaxed)).unwrap_or(0))
    }

    /// Sets the `mode` knob; the caller refreshes the effective values.
    pub(crate) fn set_global_mode(&self, mode: Mode) {
        self.global_mode.store(u32::from(mode.bits()), Relaxed);
    }

    /// Sets the `node_reclaim_distance` knob (the kernel's variable, which
    /// the scheduler, khugepaged and `zone_reclaim_mode` read too); the
    /// caller refreshes the effective values.
    pub(crate) fn set_global_distance(&self, d: Distance) {
        set_kernel_distance(i32::from(d.get()));
        self.global_distance_set.store(1, Relaxed);
    }

    /// The global values: the `mode` knob and the kernel's
    /// `node_reclaim_distance`.
    pub(crate) fn global_effective(&self) -> Effective {
        Effective {
            mode: self.global_mode(),
            distance: kernel_distance(),
            distance_set: self.global_distance_set.load(Relaxed) != 0,
        }
    }

    /// The state of `memcg` itself and the values that apply to its
    /// allocations (`None`: made for no cgroup).  O(1): no walk up the tree
    /// unless `memcg` has no state (no memory for one at online).
    pub(crate) fn lookup<'a>(
        &'a self,
        memcg: Option<MemCgroup<'_>>,
        guard: &'a rcu::Guard,
    ) -> (Option<&'a CgroupState>, Effective) {
        let Some(m) = memcg else {
            return (None, self.global_effective());
        };
        match self.cgroup(m, guard) {
            Some(s) => (Some(s), s.effective()),
            None => (None, self.resolve(m, guard)),
        }
    }

    /// Effective values of `memcg` from the settings of it and its
    /// ancestors.
    fn resolve(&self, memcg: MemCgroup<'_>, guard: &rcu::Guard) -> Effective {
        let chain = memcg::ancestors(Some(memcg))
            .filter_map(|m| self.cgroups.get(m.id(), guard))
            .map(CgroupState::config);
        resolve(chain, self.global_effective())
    }

    /// The state of `memcg`, if it has one.
    pub(crate) fn cgroup<'a>(
        &'a self,
        memcg: MemCgroup<'_>,
        guard: &'a rcu::Guard,
    ) -> Option<&'a CgroupState> {
        self.cgroups.get(memcg.id(), guard)
    }

    /// Counts an event for the cgroup (if known) and globally.
    pub(crate) fn count(&self, own: Option<&CgroupState>, c: Counter, nid: u32, n: u64) {
        self.global.add(c, nid, n);
        if let Some(s) = own {
            s.counters.add(c, nid, n);
        }
    }

    /// Recomputes every cgroup's effective values after a setting changed,
    /// and tells the allocator which cgroups to ask about.
    pub(crate) fn refresh(&self, alloc: &impl SetActive) {
        let _update = self.update.lock();
        let guard = rcu::read_lock();
        self.cgroups.for_each(&guard, |s| {
            // SAFETY: `s.memcg` is alive while its state is in the map, and
            // `update` keeps `cgroup_offline` from removing it.
            let Some(m) = (unsafe { MemCgroup::from_raw(s.memcg) }) else {
                return;
            };
            let eff = self.resolve(m, &guard);
            s.effective.store(eff.pack(), Relaxed);
            alloc.set_active(Some(m), !eff.mode.is_off());
        });
        alloc.set_active(None, !self.global_mode().is_off());
    }

    /// A memory cgroup came online: give it a state with the values it
    /// inherits.  Without memory for one, its values are looked up the
    /// slow way and its events count globally only.
    pub(crate) fn cgroup_online(&self, memcg: MemCgroup<'_>, alloc: &impl SetActive) {
        let _update = self.update.lock();
        let guard = rcu::read_lock();
        let eff = self.resolve(memcg, &guard);
        drop(guard);
        let inserted =
            CgroupState::new(memcg, eff).and_then(|s| self.cgroups.insert(memcg.id(), s));
        if inserted.is_err() {
            pr_warn!("no memory for cgroup {} state; it inherits\n", memcg.id());
        }
        alloc.set_active(Some(memcg), !eff.mode.is_off());
    }

    /// A memory cgroup went offline: free its state after a grace period.
    pub(crate) fn cgroup_offline(&self, memcg: MemCgroup<'_>) {
        let _update = self.update.lock();
        self.cgroups.remove(memcg.id());
    }

    /// Per-cgroup states allocated and not yet freed, for leak checks (the
    /// `stat` file's `cgroup_states`).
    pub(crate) fn live(&self) -> u64 {
        self.cgroups.live()
    }
}

/// Gives `node_reclaim_distance` back the value it had when this was made,
/// on drop: the module drops it once its files are gone, so no write to the
/// knob can land after it.
pub(crate) struct DistanceRestore(i32);

impl DistanceRestore {
    /// Remembers the current value.
    pub(crate) fn new() -> Self {
        DistanceRestore(kernel_distance_raw())
    }
}

impl Drop for DistanceRestore {
    fn drop(&mut self) {
        set_kernel_distance(self.0);
    }
}

/// The kernel's `node_reclaim_distance`.
fn kernel_distance_raw() -> i32 {
    // SAFETY: `node_reclaim_distance` is a plain exported `int`; a volatile
    // read is READ_ONCE().
    unsafe { core::ptr::read_volatile(&raw const bindings::node_reclaim_distance) }
}

/// Sets the kernel's `node_reclaim_distance` (shared with
/// `vm.zone_reclaim_mode`, the scheduler and khugepaged).
fn set_kernel_distance(d: i32) {
    // SAFETY: a volatile write is WRITE_ONCE(); the kernel's readers use
    // READ_ONCE() and accept either value.
    unsafe { core::ptr::write_volatile(&raw mut bindings::node_reclaim_distance, d) }
}

/// The kernel's `node_reclaim_distance` as a knob value.
pub(crate) fn kernel_distance() -> Distance {
    Distance::clamp_from(kernel_distance_raw())
}

#[cfg(lr_kunit)]
#[kunit_tests(local_reclaim_state)]
mod tests {
    use super::*;
    use crate::policy::{Change, ModeFlag, Setting};

    /// Records what the state told the allocator, as the allocator hooks'
    /// `SetActive` would act on it: 0 never told, 1 inactive, 2 active.
    struct Recorder {
        root: Atomic<u32>,
        no_cgroup: Atomic<u32>,
    }

    impl Recorder {
        fn new() -> Self {
            Recorder {
                root: Atomic::new(0),
                no_cgroup: Atomic::new(0),
            }
        }
    }

    impl SetActive for Recorder {
        fn set_active(&self, memcg: Option<MemCgroup<'_>>, active: bool) {
            let to = if memcg.is_some() {
                &self.root
            } else {
                &self.no_cgroup
            };
            to.store(if active { 2 } else { 1 }, Relaxed);
        }
    }

    /// The root memory cgroup, which lives as long as the system.
    fn root() -> Result<MemCgroup<'static>> {
        // SAFETY: `root_mem_cgroup` is set once at boot, before modules
        // load, and a volatile read is READ_ONCE().
        let ptr = unsafe { core::ptr::read_volatile(&raw const bindings::root_mem_cgroup) };
        // SAFETY: the root memory cgroup is never freed.
        unsafe { MemCgroup::from_raw(ptr) }.ok_or(ENODEV)
    }

    /// A fresh state, what it told the allocator, and the root cgroup.
    struct Fixture {
        state: Pin<KBox<State>>,
        alloc: Recorder,
        root: MemCgroup<'static>,
    }

    impl Fixture {
        fn new() -> Result<Self> {
            Ok(Fixture {
                state: KBox::pin_init(State::new(), GFP_KERNEL)?,
                alloc: Recorder::new(),
                root: root()?,
            })
        }

        /// Whether the root has state, and its effective values.
        fn root_effective(&self) -> (bool, Effective) {
            let guard = rcu::read_lock();
            let (own, eff) = self.state.lookup(Some(self.root), &guard);
            (own.is_some(), eff)
        }

        /// Sets the root's own mode, as its file would (without refresh).
        fn set_root_mode(&self, mode: Setting<Mode>) -> Result {
            let guard = rcu::read_lock();
            let s = self.state.cgroup(self.root, &guard).ok_or(ENOENT)?;
            s.update(|c| c.apply(Change::Mode(mode)));
            Ok(())
        }
    }

    #[test]
    fn a_cgroup_without_state_takes_the_global_values() -> Result {
        let f = Fixture::new()?;
        f.state.set_global_mode(ModeFlag::Direct.into());
        assert_eq!(f.root_effective(), (false, f.state.global_effective()));
        let guard = rcu::read_lock();
        assert_eq!(
            f.state.lookup(None, &guard).1.mode,
            Mode::from(ModeFlag::Direct)
        );
        Ok(())
    }

    #[test]
    fn online_cgroup_gets_state_and_inherits() -> Result {
        let f = Fixture::new()?;
        f.state.set_global_mode(ModeFlag::Kswapd.into());
        f.state.cgroup_online(f.root, &f.alloc);
        let (has_state, eff) = f.root_effective();
        assert!(has_state);
        assert_eq!(eff.mode, Mode::from(ModeFlag::Kswapd));
        assert_eq!(f.alloc.root.load(Relaxed), 2);
        assert_eq!(f.state.live(), 1);
        Ok(())
    }

    #[test]
    fn refresh_applies_a_cgroup_setting_and_tells_the_allocator() -> Result {
        let f = Fixture::new()?;
        let direct = Mode::from(ModeFlag::Direct);
        f.state.cgroup_online(f.root, &f.alloc);
        assert_eq!(f.alloc.root.load(Relaxed), 1);
        f.set_root_mode(Setting::Set(direct))?;
        // Not effective until the refresh.
        assert_eq!(f.root_effective().1.mode, Mode::OFF);
        f.state.refresh(&f.alloc);
        assert_eq!(f.root_effective().1.mode, direct);
        assert_eq!(f.alloc.root.load(Relaxed), 2);
        // The global mode is still off: allocations for no cgroup are not
        // asked about.
        assert_eq!(f.alloc.no_cgroup.load(Relaxed), 1);
        // Back to inherit, with a global mode now.
        f.set_root_mode(Setting::Inherit)?;
        f.state.set_global_mode(ModeFlag::Kswapd | ModeFlag::Direct);
        f.state.refresh(&f.alloc);
        assert_eq!(
            f.root_effective().1.mode,
            ModeFlag::Kswapd | ModeFlag::Direct
        );
        assert_eq!(f.alloc.no_cgroup.load(Relaxed), 2);
        Ok(())
    }

    #[test]
    fn offline_cgroup_state_is_freed() -> Result {
        let f = Fixture::new()?;
        f.state.cgroup_online(f.root, &f.alloc);
        f.state.cgroup_offline(f.root);
        assert!(!f.root_effective().0);
        rcu::rcu_barrier();
        assert_eq!(f.state.live(), 0);
        Ok(())
    }
}
