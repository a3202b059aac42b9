// SPDX-License-Identifier: GPL-2.0

//! The node reclaim policy the module registers with the page allocator:
//! C-callable callbacks that read the effective values of the cgroup an
//! allocation is made for and apply `policy::decide`, and the cgroup
//! callbacks that keep those values current.

use kernel::{bindings, prelude::*, sync::rcu, types::Opaque};

use crate::{
    counters::Counter,
    memcg::MemCgroup,
    policy::{self, Action, Actions, AllocContext, Candidate, Site},
    state::{SetActive, State},
    topology,
};

/// The policy as the page allocator sees it: the `struct
/// node_reclaim_policy` whose callbacks it calls, and the state they serve.
///
/// Registered by its initializer, once the state is ready, and
/// unregistered by its drop, which returns once no callback runs; the
/// state is freed only after that.  Pinned: the allocator holds a pointer
/// to `ops`.
#[pin_data(PinnedDrop)]
pub(crate) struct RegisteredPolicy {
    #[pin]
    pub(crate) state: State,
    #[pin]
    ops: Opaque<bindings::node_reclaim_policy>,
}

// SAFETY: `ops` is written once before registration and afterwards only
// read, by the kernel; `state` is `Send`.
unsafe impl Send for RegisteredPolicy {}
// SAFETY: the kernel only reads `ops`; all of `state` is safe to share
// (atomics, per-CPU counters, a mutex, and an RCU map whose writers the
// mutex and the kernel serialise).
unsafe impl Sync for RegisteredPolicy {}

impl RegisteredPolicy {
    /// The policy, registered with the allocator.
    pub(crate) fn new() -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            state <- State::new(),
            // Last: the callbacks may run as soon as this is registered.
            ops <- Opaque::try_ffi_init(|ops: *mut bindings::node_reclaim_policy| {
                // SAFETY: `ops` is valid for writes and pinned in `Self`.
                unsafe {
                    ops.write(bindings::node_reclaim_policy {
                        decide: Some(nrp_decide),
                        acted: Some(nrp_acted),
                        placed: Some(nrp_placed),
                        memcg_online: Some(nrp_memcg_online),
                        memcg_offline: Some(nrp_memcg_offline),
                    })
                };
                // SAFETY: `ops` is initialised, and stays valid and in place
                // until `PinnedDrop::drop` unregisters it; the callbacks
                // reach `state`, initialised above, through it.
                kernel::error::to_result(unsafe { bindings::node_reclaim_policy_register(ops) })
            }),
        })
        // The cgroups got their values at registration; the allocations
        // made for no cgroup follow the global mode.
        .pin_chain(|policy| {
            policy.refresh();
            Ok(())
        })
    }

    /// Recomputes every cgroup's effective values after a knob changed.
    pub(crate) fn refresh(&self) {
        self.state.refresh(self);
    }
}

#[pinned_drop]
impl PinnedDrop for RegisteredPolicy {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: registered by `new()`; this waits until no callback runs,
        // so `state` may be freed afterwards.
        unsafe { bindings::node_reclaim_policy_unregister(self.ops.get()) };
    }
}

impl SetActive for RegisteredPolicy {
    fn set_active(&self, memcg: Option<MemCgroup<'_>>, active: bool) {
        let memcg = memcg.map_or(core::ptr::null_mut(), MemCgroup::as_raw);
        // SAFETY: `ops` is registered for as long as `self` exists; `memcg`
        // is live.
        unsafe { bindings::node_reclaim_policy_set_active(self.ops.get(), memcg, active) };
    }
}

/// The policy a callback was registered with.
///
/// # Safety
///
/// `ops` must be the `ops` field of a live `RegisteredPolicy`.
unsafe fn policy_of<'a>(ops: *mut bindings::node_reclaim_policy) -> &'a RegisteredPolicy {
    // SAFETY: the caller guarantees `ops` is `RegisteredPolicy::ops`;
    // `Opaque<T>` has the layout of `T`.
    unsafe {
        &*kernel::container_of!(
            ops.cast::<Opaque<bindings::node_reclaim_policy>>(),
            RegisteredPolicy,
            ops
        )
    }
}

fn site_of(req: &bindings::nrp_request) -> Site {
    if req.site == bindings::nrp_site_NRP_SITE_KSWAPD_BUSY {
        Site::KswapdBusy
    } else {
        Site::Watermark
    }
}

// `policy.rs` builds on the host too, without bindings: tie its copies of
// the C constants to the kernel's, at build time.
const _: () = {
    assert!(AllocContext::WMARK_LOW == bindings::zone_watermarks_WMARK_LOW);
    assert!(AllocContext::MAY_SLEEP == bindings::NRP_CTX_MAY_SLEEP);
    assert!(AllocContext::MAY_WAKE == bindings::NRP_CTX_MAY_WAKE);
    assert!(AllocContext::NORETRY == bindings::NRP_CTX_NORETRY);
    assert!(AllocContext::COSTLY == bindings::NRP_CTX_COSTLY);
    assert!(AllocContext::THISNODE == bindings::NRP_CTX_THISNODE);
    assert!(Action::WakeKswapd as u32 == bindings::NRP_WAKE_KSWAPD);
    assert!(Action::Reclaim as u32 == bindings::NRP_RECLAIM);
    assert!(Action::ReclaimUnmap as u32 == bindings::NRP_RECLAIM_UNMAP);
    assert!(Action::Keep as u32 == bindings::NRP_KEEP);
};

fn nid_of(nid: c_int) -> u32 {
    u32::try_from(nid).unwrap_or(u32::MAX)
}

/// Node `nid` as seen from `req`'s preferred node.
fn candidate(req: &bindings::nrp_request, nid: c_int) -> Candidate {
    Candidate {
        distance: topology::node_distance(nid_of(req.preferred_nid), nid_of(nid)),
        preferred: nid == req.preferred_nid,
        has_cpus: topology::node_has_cpus(nid_of(nid)),
    }
}

/// The cgroup of a request.
///
/// # Safety
///
/// `req` must be a request the allocator passed to a callback that is
/// still running, which keeps `req.memcg` alive for `'a`.
unsafe fn memcg_of<'a>(
    req: &bindings::nrp_request,
    _guard: &'a rcu::Guard,
) -> Option<MemCgroup<'a>> {
    // SAFETY: the allocator holds rcu_read_lock() around the callback, and
    // the caller's guarantee covers `'a`.
    unsafe { MemCgroup::from_raw(req.memcg) }
}

/// `decide` callback: rcu_read_lock() held by the allocator, any context.
///
/// # Safety
///
/// Called by the allocator with the registered `ops` and a valid request.
unsafe extern "C" fn nrp_decide(
    ops: *mut bindings::node_reclaim_policy,
    req: *const bindings::nrp_request,
) -> c_uint {
    // SAFETY: the allocator passes the registered ops (inside a live
    // `RegisteredPolicy`, which outlives its registration) and a valid request.
    let (policy, req) = unsafe { (policy_of(ops), &*req) };
    let guard = rcu::read_lock();
    // SAFETY: `req` is this callback's request.
    let memcg = unsafe { memcg_of(req, &guard) };
    let (own, eff) = policy.state.lookup(memcg, &guard);
    let nid = nid_of(req.nid);
    policy.state.count(own, Counter::Asked, nid, 1);
    let ctx = AllocContext::from_bits(req.ctx, req.wmark);
    let actions = policy::decide(eff, site_of(req), candidate(req, req.nid), ctx);
    if actions.contains(Action::Keep) {
        policy.state.count(own, Counter::BusyKept, nid, 1);
    }
    actions.bits()
}

/// `acted` callback: counts what the allocator did.
///
/// # Safety
///
/// Called by the allocator with the registered `ops` and a valid request.
unsafe extern "C" fn nrp_acted(
    ops: *mut bindings::node_reclaim_policy,
    req: *const bindings::nrp_request,
    taken: c_uint,
    nr_reclaimed: c_ulong,
    _zone_ok: bool,
) {
    // SAFETY: as for `nrp_decide`.
    let (policy, req) = unsafe { (policy_of(ops), &*req) };
    let guard = rcu::read_lock();
    // SAFETY: `req` is this callback's request.
    let memcg = unsafe { memcg_of(req, &guard) };
    let own = memcg.and_then(|m| policy.state.cgroup(m, &guard));
    let nid = nid_of(req.nid);
    let taken = Actions::from_bits(taken);
    if taken.contains(Action::WakeKswapd) {
        policy.state.count(own, Counter::KswapdWakeups, nid, 1);
    }
    if taken.contains(Action::Reclaim) {
        policy.state.count(own, Counter::DirectReclaims, nid, 1);
        policy.state.count(
            own,
            Counter::PagesReclaimed,
            nid,
            u64::try_from(nr_reclaimed).unwrap_or(u64::MAX),
        );
    }
}

/// `placed` callback: the allocation kept within reach, or spilled.
///
/// # Safety
///
/// Called by the allocator with the registered `ops` and a valid request.
unsafe extern "C" fn nrp_placed(
    ops: *mut bindings::node_reclaim_policy,
    req: *const bindings::nrp_request,
    nid: c_int,
) {
    // SAFETY: as for `nrp_decide`.
    let (policy, req) = unsafe { (policy_of(ops), &*req) };
    let guard = rcu::read_lock();
    // SAFETY: `req` is this callback's request.
    let memcg = unsafe { memcg_of(req, &guard) };
    let (own, eff) = policy.state.lookup(memcg, &guard);
    let c = if policy::kept_within(eff, candidate(req, nid)) {
        Counter::Kept
    } else {
        Counter::Spilled
    };
    policy.state.count(own, c, nid_of(nid), 1);
}

/// `memcg_online` callback: cgroup_mutex held, may sleep.
///
/// # Safety
///
/// Called by the kernel with the registered `ops` and a live cgroup.
unsafe extern "C" fn nrp_memcg_online(
    ops: *mut bindings::node_reclaim_policy,
    memcg: *mut bindings::mem_cgroup,
) {
    // SAFETY: as for `nrp_decide`; the cgroup is alive for the callback.
    let (policy, memcg) = unsafe { (policy_of(ops), MemCgroup::from_raw(memcg)) };
    if let Some(memcg) = memcg {
        policy.state.cgroup_online(memcg, policy);
    }
}

/// `memcg_offline` callback: cgroup_mutex held, may sleep.
///
/// # Safety
///
/// Called by the kernel with the registered `ops` and a live cgroup.
unsafe extern "C" fn nrp_memcg_offline(
    ops: *mut bindings::node_reclaim_policy,
    memcg: *mut bindings::mem_cgroup,
) {
    // SAFETY: as for `nrp_memcg_online`.
    let (policy, memcg) = unsafe { (policy_of(ops), MemCgroup::from_raw(memcg)) };
    if let Some(memcg) = memcg {
        policy.state.cgroup_offline(memcg);
    }
}
