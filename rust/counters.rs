// SPDX-License-Identifier: GPL-2.0

//! Per-node event counters, kept per CPU, per cgroup and globally, and
//! their nested-keyed text form (`name N0=.. N1=..`, as in
//! `memory.numa_stat`).
//!
//! The allocator's hooks count from every CPU at once: each CPU adds to its
//! own copy (`this_cpu_add()`, safe in any context, NMI included), and
//! readers sum the copies, so no cache line is shared by all CPUs.

use core::{fmt, ptr::NonNull};

use kernel::prelude::*;

extern "C" {
    fn lr_pcpu_alloc(len: usize) -> *mut u64;
    fn lr_pcpu_free(pcpu: *mut u64);
    fn lr_pcpu_add(pcpu: *mut u64, idx: usize, n: u64);
    fn lr_pcpu_sum(pcpu: *mut u64, idx: usize) -> u64;
}

/// The events counted, in the order they are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Counter {
    /// The allocator asked the policy about the node (either site).
    Asked = 0,
    /// kswapd of the node was woken.
    KswapdWakeups,
    /// The node was reclaimed synchronously.
    DirectReclaims,
    /// Pages those reclaims freed on the node.
    PagesReclaimed,
    /// The first pass kept the node although its kswapd was running.
    BusyKept,
    /// An allocation the policy acted on got its page here, within reach.
    Kept,
    /// An allocation the policy acted on got its page here, beyond reach:
    /// it spilled.
    Spilled,
}

impl Counter {
    /// Every counter, in print order.
    pub(crate) const ALL: [Counter; 7] = [
        Counter::Asked,
        Counter::KswapdWakeups,
        Counter::DirectReclaims,
        Counter::PagesReclaimed,
        Counter::BusyKept,
        Counter::Kept,
        Counter::Spilled,
    ];

    /// The key in the stat files.
    pub(crate) fn name(self) -> &'static str {
        self.file_name().to_str().unwrap_or("?")
    }

    /// The key, and the name of the counter's file in the global `stat/`.
    pub(crate) const fn file_name(self) -> &'static CStr {
        match self {
            Counter::Asked => c"asked",
            Counter::KswapdWakeups => c"kswapd_wakeups",
            Counter::DirectReclaims => c"direct_reclaims",
            Counter::PagesReclaimed => c"pages_reclaimed",
            Counter::BusyKept => c"busy_kept",
            Counter::Kept => c"kept",
            Counter::Spilled => c"spilled",
        }
    }
}

/// One per-CPU `u64` per counter and possible node id.
///
/// # Examples
///
/// ```
/// use crate::counters::{Counter, Counters};
///
/// let c = Counters::new(2)?;
/// c.add(Counter::Kept, 1, 3);
/// c.add(Counter::Kept, 1, 4);
/// assert_eq!(c.get(Counter::Kept, 1), 7);
/// assert_eq!(c.get(Counter::Kept, 0), 0);
/// assert_eq!(c.get(Counter::Spilled, 1), 0);
/// # Ok::<(), Error>(())
/// ```
///
/// # Invariants
///
/// `pcpu` is a per-CPU array of `nr_nodes * Counter::ALL.len()` zeroed
/// `u64`s from `lr_pcpu_alloc`, owned by this value.
pub(crate) struct Counters {
    nr_nodes: usize,
    pcpu: NonNull<u64>,
}

// SAFETY: the per-CPU area may be updated and read from any CPU; this type
// only hands out copies of sums.
unsafe impl Send for Counters {}
// SAFETY: `add` only touches the current CPU's copy with a per-CPU atomic
// operation, `get` only reads.
unsafe impl Sync for Counters {}

impl Counters {
    /// Zeroed counters for node ids `0..nr_nodes` (may sleep).
    pub(crate) fn new(nr_nodes: usize) -> Result<Self> {
        let len = nr_nodes.checked_mul(Counter::ALL.len()).ok_or(EINVAL)?;
        // SAFETY: `lr_pcpu_alloc` allocates with GFP_KERNEL; we may sleep.
        let pcpu = NonNull::new(unsafe { lr_pcpu_alloc(len) }).ok_or(ENOMEM)?;
        // INVARIANT: a fresh zeroed area of `len` counters.
        Ok(Counters { nr_nodes, pcpu })
    }

    fn index(&self, c: Counter, nid: u32) -> Option<usize> {
        let nid = usize::try_from(nid).ok().filter(|&n| n < self.nr_nodes)?;
        Some(c as usize * self.nr_nodes + nid)
    }

    /// Adds `n` to counter `c` of node `nid`; ids out of range are ignored.
    pub(crate) fn add(&self, c: Counter, nid: u32, n: u64) {
        if let Some(i) = self.index(c, nid) {
            // SAFETY: `i` is within the area (type invariant, `index`).
            unsafe { lr_pcpu_add(self.pcpu.as_ptr(), i, n) };
        }
    }

    /// Counter `c` of node `nid`, summed over all CPUs.
    pub(crate) fn get(&self, c: Counter, nid: u32) -> u64 {
        self.index(c, nid).map_or(0, |i| {
            // SAFETY: `i` is within the area (type invariant, `index`).
            unsafe { lr_pcpu_sum(self.pcpu.as_ptr(), i) }
        })
    }

    /// Writes counter `c` of each of `nodes`: `N0=.. N1=..`.
    pub(crate) fn write_nodes(
        &self,
        w: &mut impl fmt::Write,
        c: Counter,
        nodes: impl Iterator<Item = u32>,
    ) -> fmt::Result {
        for (i, nid) in nodes.enumerate() {
            let sep = if i == 0 { "" } else { " " };
            write!(w, "{sep}N{}={}", nid, self.get(c, nid))?;
        }
        Ok(())
    }

    /// Writes one `name N0=.. N1=..` line per counter for `nodes`.
    pub(crate) fn write_to(
        &self,
        w: &mut impl fmt::Write,
        nodes: impl Iterator<Item = u32> + Clone,
    ) -> fmt::Result {
        for c in Counter::ALL {
            write!(w, "{} ", c.name())?;
            self.write_nodes(w, c, nodes.clone())?;
            w.write_str("\n")?;
        }
        Ok(())
    }
}

impl Drop for Counters {
    fn drop(&mut self) {
        // SAFETY: we own the area (type invariant); `free_percpu()` may be
        // called from any context, RCU callbacks included.
        unsafe { lr_pcpu_free(self.pcpu.as_ptr()) };
    }
}

#[cfg(lr_kunit)]
#[kunit_tests(local_reclaim_counters)]
mod tests {
    use super::*;

    /// The text a counter file would show.
    struct Text(KVec<u8>);

    impl fmt::Write for Text {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            self.0
                .extend_from_slice(s.as_bytes(), GFP_KERNEL)
                .map_err(|_| fmt::Error)
        }
    }

    #[test]
    fn each_counter_of_each_node_is_its_own() -> Result {
        let c = Counters::new(4)?;
        c.add(Counter::Asked, 0, 3);
        c.add(Counter::Asked, 0, 2);
        c.add(Counter::Kept, 3, 7);
        c.add(Counter::Spilled, 1, u64::from(u32::MAX) + 1);
        assert_eq!(c.get(Counter::Asked, 0), 5);
        assert_eq!(c.get(Counter::Asked, 3), 0);
        assert_eq!(c.get(Counter::Kept, 3), 7);
        assert_eq!(c.get(Counter::Kept, 0), 0);
        assert_eq!(c.get(Counter::Spilled, 1), u64::from(u32::MAX) + 1);
        for counter in Counter::ALL {
            assert_eq!(c.get(counter, 2), 0);
        }
        Ok(())
    }

    #[test]
    fn nodes_out_of_range_are_ignored() -> Result {
        let c = Counters::new(2)?;
        c.add(Counter::Asked, 2, 1);
        c.add(Counter::Asked, u32::MAX, 1);
        assert_eq!(c.get(Counter::Asked, 2), 0);
        assert_eq!(c.get(Counter::Asked, u32::MAX), 0);
        // Nothing spilled into the next counter's slots either.
        assert_eq!(c.get(Counter::KswapdWakeups, 0), 0);
        assert_eq!(c.get(Counter::KswapdWakeups, 1), 0);
        assert!(Counters::new(usize::MAX).is_err());
        Ok(())
    }

    #[test]
    fn text_is_nested_keyed() -> Result {
        let c = Counters::new(3)?;
        c.add(Counter::Asked, 0, 12);
        c.add(Counter::PagesReclaimed, 2, 512);
        let mut t = Text(KVec::new());
        c.write_nodes(&mut t, Counter::Asked, [0, 2].into_iter())
            .map_err(|_| ENOMEM)?;
        assert_eq!(&t.0[..], &b"N0=12 N2=0"[..]);
        let mut t = Text(KVec::new());
        c.write_to(&mut t, 0..3).map_err(|_| ENOMEM)?;
        let mut lines = t.0.split(|&b| b == b'\n');
        assert_eq!(lines.next(), Some(&b"asked N0=12 N1=0 N2=0"[..]));
        assert_eq!(lines.nth(2), Some(&b"pages_reclaimed N0=0 N1=0 N2=512"[..]));
        assert_eq!(
            t.0.iter().filter(|&&b| b == b'\n').count(),
            Counter::ALL.len()
        );
        Ok(())
    }
}
