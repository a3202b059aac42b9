// SPDX-License-Identifier: GPL-2.0

//! Per-node event counters, kept per cgroup and globally, and their
//! nested-keyed text form (`name N0=.. N1=..`, as in `memory.numa_stat`).

use core::fmt;

use kernel::{
    prelude::*,
    sync::atomic::{Atomic, Relaxed},
};

/// The events counted, in the order they are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Counter {
    /// kswapd of the node was woken for a task within the distance.
    KswapdWakeups = 0,
    /// The node was reclaimed synchronously.
    DirectReclaims,
    /// Pages those reclaims freed on the node.
    PagesReclaimed,
    /// The first pass kept the node although its kswapd was running.
    BusyKept,
    /// An allocation the policy acted on got its page here, within the
    /// distance.
    Kept,
    /// An allocation the policy acted on got its page here, beyond the
    /// distance: it spilled.
    Spilled,
}

impl Counter {
    /// Every counter, in print order.
    pub(crate) const ALL: [Counter; 6] = [
        Counter::KswapdWakeups,
        Counter::DirectReclaims,
        Counter::PagesReclaimed,
        Counter::BusyKept,
        Counter::Kept,
        Counter::Spilled,
    ];

    /// The key in the stat files.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Counter::KswapdWakeups => "kswapd_wakeups",
            Counter::DirectReclaims => "direct_reclaims",
            Counter::PagesReclaimed => "pages_reclaimed",
            Counter::BusyKept => "busy_kept",
            Counter::Kept => "kept",
            Counter::Spilled => "spilled",
        }
    }
}

/// One `Atomic<u64>` per counter and possible node id.
pub(crate) struct Counters {
    nr_nodes: usize,
    values: KVec<Atomic<u64>>,
}

impl Counters {
    /// Zeroed counters for node ids `0..nr_nodes`.
    pub(crate) fn new(nr_nodes: usize, flags: kernel::alloc::Flags) -> Result<Self> {
        let len = nr_nodes.checked_mul(Counter::ALL.len()).ok_or(EINVAL)?;
        let mut values = KVec::with_capacity(len, flags)?;
        for _ in 0..len {
            values.push(Atomic::new(0), flags)?;
        }
        Ok(Counters { nr_nodes, values })
    }

    fn slot(&self, c: Counter, nid: u32) -> Option<&Atomic<u64>> {
        let nid = usize::try_from(nid).ok().filter(|&n| n < self.nr_nodes)?;
        self.values.get(c as usize * self.nr_nodes + nid)
    }

    /// Adds `n` to counter `c` of node `nid`; ids out of range are ignored.
    pub(crate) fn add(&self, c: Counter, nid: u32, n: u64) {
        if let Some(v) = self.slot(c, nid) {
            v.add(n, Relaxed);
        }
    }

    /// Counter `c` of node `nid`.
    pub(crate) fn get(&self, c: Counter, nid: u32) -> u64 {
        self.slot(c, nid).map_or(0, |v| v.load(Relaxed))
    }

    /// Writes one `name N0=.. N1=..` line per counter for `nodes`.
    pub(crate) fn write_to(
        &self,
        w: &mut impl fmt::Write,
        nodes: impl Iterator<Item = u32> + Clone,
    ) -> fmt::Result {
        for c in Counter::ALL {
            w.write_str(c.name())?;
            for nid in nodes.clone() {
                write!(w, " N{}={}", nid, self.get(c, nid))?;
            }
            w.write_str("\n")?;
        }
        Ok(())
    }
}
