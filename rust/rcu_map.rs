// SPDX-License-Identifier: GPL-2.0

//! A map from 64-bit ids to boxed values, read lock-free under RCU and
//! written in process context: the per-cgroup state table.
//!
//! The allocator's hooks may run in interrupt context, so they must not
//! take the XArray's spinlock; `xa_load()` under `rcu_read_lock()` is the
//! lock-free read the XArray offers.  Removed values are dropped from an
//! RCU callback (`call_rcu()`), so removing never waits for a grace period:
//! the cgroup offline path that removes runs under `cgroup_mutex`.

use core::marker::PhantomData;

use kernel::{
    bindings,
    error::to_result,
    prelude::*,
    sync::{
        atomic::{Atomic, Relaxed},
        rcu,
    },
    types::Opaque,
};

/// A value in the map with the RCU head that frees it.  `value` comes
/// first, so a pointer to the entry is a pointer to its value.
#[repr(C)]
struct Entry<T> {
    value: T,
    rcu: Opaque<bindings::callback_head>,
    /// The owning map's `live` count, decremented when the entry is freed.
    live: *const Atomic<u64>,
}

/// An XArray of boxed values with RCU readers.
///
/// # Examples
///
/// ```
/// use crate::rcu_map::RcuMap;
/// use kernel::sync::rcu;
///
/// let map = KBox::pin_init(RcuMap::<u32>::new(), GFP_KERNEL)?;
/// map.insert(42, 7)?;
/// {
///     let guard = rcu::read_lock();
///     assert_eq!(map.get(42, &guard), Some(&7));
///     assert_eq!(map.get(43, &guard), None);
/// }
/// // Removed at once for new readers, freed after a grace period.
/// map.remove(42);
/// assert_eq!(map.get(42, &rcu::read_lock()), None);
/// # Ok::<(), Error>(())
/// ```
///
/// # Invariants
///
/// Every entry of `xa` is a pointer obtained from `KBox::into_raw` for a
/// `KBox<Entry<T>>` that the map owns, whose `live` points to the map's
/// `live`.  The map is pinned (it is only built through `new()`), and it
/// outlives every entry, including those waiting for a grace period.
#[pin_data(PinnedDrop)]
pub(crate) struct RcuMap<T> {
    #[pin]
    xa: Opaque<bindings::xarray>,
    /// Entries allocated and not yet freed: in the map or waiting for a
    /// grace period.
    live: Atomic<u64>,
    _owns: PhantomData<KBox<Entry<T>>>,
}

// SAFETY: the map owns its `KBox<T>` values and hands out only shared
// references, so it may move between and be shared by threads when `T` may.
unsafe impl<T: Send + Sync> Send for RcuMap<T> {}
// SAFETY: as above; all mutation goes through the XArray's own locking.
unsafe impl<T: Send + Sync> Sync for RcuMap<T> {}

impl<T> RcuMap<T> {
    /// An empty map.
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            // SAFETY: `xa_init_flags` initialises the XArray in place and
            // `slot` is valid for writes; flags 0 selects a plain XArray.
            xa <- Opaque::ffi_init(|slot| unsafe { bindings::xa_init_flags(slot, 0) }),
            live: Atomic::new(0),
            _owns: PhantomData,
        })
    }

    /// The value stored under `id`, valid while `_guard` is held.
    pub(crate) fn get<'a>(&'a self, id: u64, _guard: &'a rcu::Guard) -> Option<&'a T> {
        let index = usize::try_from(id).ok()?;
        // SAFETY: `xa` is initialised; `xa_load` may run concurrently with
        // writers under `rcu_read_lock()`, which `_guard` holds.
        let p = unsafe { bindings::xa_load(self.xa.get(), index) }.cast::<Entry<T>>();
        // SAFETY: by the type invariant `p` is null or a live entry; removed
        // entries are freed only after a grace period, so it stays valid
        // while `_guard` is held.
        unsafe { p.as_ref() }.map(|e| &e.value)
    }

    /// Calls `f` on every value, in id order, valid while `_guard` is held.
    /// Values inserted or removed meanwhile may or may not be seen.
    pub(crate) fn for_each<'a>(&'a self, _guard: &'a rcu::Guard, mut f: impl FnMut(&'a T)) {
        let mut index: usize = 0;
        loop {
            // SAFETY: `xa` is initialised; `xa_find` may run concurrently
            // with writers and updates `index` to the entry it returns.
            let p = unsafe {
                bindings::xa_find(self.xa.get(), &mut index, usize::MAX, bindings::XA_PRESENT)
            }
            .cast::<Entry<T>>();
            // SAFETY: as in `get`: null or an entry that stays valid while
            // `_guard` is held.
            let Some(entry) = (unsafe { p.as_ref() }) else {
                return;
            };
            f(&entry.value);
            let Some(next) = index.checked_add(1) else {
                return;
            };
            index = next;
        }
    }

    /// Stores `value` under `id`, replacing any previous value, which is
    /// freed after a grace period.  Process context only.
    /// Allocates the entry and XArray nodes with `GFP_KERNEL`.
    pub(crate) fn insert(&self, id: u64, value: T) -> Result {
        let index = usize::try_from(id).map_err(|_| EINVAL)?;
        let entry = Entry {
            value,
            rcu: Opaque::uninit(),
            live: &self.live,
        };
        let new = KBox::into_raw(KBox::new(entry, GFP_KERNEL)?);
        // SAFETY: `xa` is initialised; `new` is a valid, non-null, 4-byte
        // aligned pointer (not an XArray internal entry).
        let old =
            unsafe { bindings::xa_store(self.xa.get(), index, new.cast(), bindings::GFP_KERNEL) };
        // SAFETY: `xa_err` only decodes the returned entry.
        if let Err(e) = to_result(unsafe { bindings::xa_err(old) }) {
            // SAFETY: the store failed, so `new` is still ours alone.
            drop(unsafe { KBox::from_raw(new) });
            return Err(e);
        }
        self.live.add(1, Relaxed);
        Self::free_after_grace_period(old.cast());
        Ok(())
    }

    /// Values allocated and not yet freed, counting those removed but still
    /// waiting for their grace period.
    pub(crate) fn live(&self) -> u64 {
        self.live.load(Relaxed)
    }

    /// Removes the value under `id`, if any, and frees it after a grace
    /// period.  Does not sleep.
    pub(crate) fn remove(&self, id: u64) {
        let Ok(index) = usize::try_from(id) else {
            return;
        };
        // SAFETY: `xa` is initialised.
        let old = unsafe { bindings::xa_erase(self.xa.get(), index) };
        Self::free_after_grace_period(old.cast());
    }

    /// Queues `old`, an entry just taken out of the map (or null), to be
    /// dropped once every reader that may have found it is gone.
    fn free_after_grace_period(old: *mut Entry<T>) {
        if old.is_null() {
            return;
        }
        // SAFETY: `old` came out of the map, so by the type invariant it is
        // a live entry we own; its RCU head is unused until now.
        // `Self::free_entry` frees it after the grace period, and the map's
        // drop waits for it with `rcu_barrier()`, so the callback cannot
        // outlive the module.
        unsafe { bindings::call_rcu((*old).rcu.get(), Some(Self::free_entry)) };
    }

    /// The RCU callback: drops the entry whose head is `head`.
    ///
    /// # Safety
    ///
    /// `head` is the `rcu` field of an entry queued by
    /// `free_after_grace_period`, and a grace period has elapsed since.
    unsafe extern "C" fn free_entry(head: *mut bindings::callback_head) {
        let head = head.cast::<Opaque<bindings::callback_head>>();
        // SAFETY: `head` points into an `Entry<T>` (function safety
        // contract); `container_of!` recovers the entry.
        let entry = unsafe { kernel::container_of!(head, Entry<T>, rcu) };
        // SAFETY: the entry came from `KBox::into_raw` and left the map
        // before the grace period, so no reader can still reach it.
        let entry = unsafe { KBox::from_raw(entry) };
        // SAFETY: the map outlives its entries (type invariant).
        unsafe { &*entry.live }.fetch_sub(1, Relaxed);
    }
}

#[pinned_drop]
impl<T> PinnedDrop for RcuMap<T> {
    fn drop(self: Pin<&mut Self>) {
        let mut index: usize = 0;
        loop {
            // SAFETY: `xa` is initialised; `xa_find` updates `index`.
            let p = unsafe {
                bindings::xa_find(self.xa.get(), &mut index, usize::MAX, bindings::XA_PRESENT)
            };
            if p.is_null() {
                break;
            }
            // SAFETY: `xa` is initialised and `index` holds `p`.
            unsafe { bindings::xa_erase(self.xa.get(), index) };
            // SAFETY: the owner of the map only drops it after the allocator
            // hooks that read it are unregistered and a grace period has
            // passed, so no reader remains; `p` is an entry we own.
            drop(unsafe { KBox::from_raw(p.cast::<Entry<T>>()) });
            self.live.fetch_sub(1, Relaxed);
        }
        // Entries removed earlier may still wait in `free_entry` callbacks,
        // which live in this module's text: let them all run first.
        rcu::rcu_barrier();
        // SAFETY: the XArray is now empty; `xa_destroy` frees its nodes.
        unsafe { bindings::xa_destroy(self.xa.get()) };
    }
}

#[cfg(lr_kunit)]
#[kunit_tests(local_reclaim_rcu_map)]
mod tests {
    use super::*;
    use kernel::sync::Arc;

    /// A value that counts its drops in a counter the test keeps.
    struct Tracked {
        v: u32,
        drops: Arc<Atomic<u32>>,
    }

    impl Drop for Tracked {
        fn drop(&mut self) {
            self.drops.add(1, Relaxed);
        }
    }

    struct Fixture {
        map: Pin<KBox<RcuMap<Tracked>>>,
        drops: Arc<Atomic<u32>>,
    }

    impl Fixture {
        fn new() -> Result<Self> {
            Ok(Fixture {
                map: KBox::pin_init(RcuMap::new(), GFP_KERNEL)?,
                drops: Arc::new(Atomic::new(0), GFP_KERNEL)?,
            })
        }

        fn insert(&self, id: u64, v: u32) -> Result {
            self.map.insert(
                id,
                Tracked {
                    v,
                    drops: self.drops.clone(),
                },
            )
        }

        fn get(&self, id: u64) -> Option<u32> {
            let guard = rcu::read_lock();
            self.map.get(id, &guard).map(|t| t.v)
        }

        fn drops(&self) -> u32 {
            self.drops.load(Relaxed)
        }
    }

    #[test]
    fn get_finds_what_insert_stored() -> Result {
        let f = Fixture::new()?;
        assert_eq!(f.get(1), None);
        f.insert(1, 10)?;
        f.insert(1 << 40, 20)?;
        assert_eq!(f.get(1), Some(10));
        assert_eq!(f.get(1 << 40), Some(20));
        assert_eq!(f.get(2), None);
        assert_eq!(f.map.live(), 2);
        Ok(())
    }

    #[test]
    fn replaced_value_is_freed_after_a_grace_period() -> Result {
        let f = Fixture::new()?;
        f.insert(7, 1)?;
        f.insert(7, 2)?;
        assert_eq!(f.get(7), Some(2));
        rcu::rcu_barrier();
        assert_eq!(f.drops(), 1);
        assert_eq!(f.map.live(), 1);
        Ok(())
    }

    #[test]
    fn reader_keeps_a_removed_value_until_it_unlocks() -> Result {
        let f = Fixture::new()?;
        f.insert(3, 30)?;
        let guard = rcu::read_lock();
        let seen = f.map.get(3, &guard).ok_or(ENOENT)?;
        f.map.remove(3);
        // Removing does not wait: the value this reader holds is still
        // there, and counted live, until the reader's grace period ends.
        assert_eq!(seen.v, 30);
        assert_eq!(f.map.live(), 1);
        assert_eq!(f.map.get(3, &guard).map(|t| t.v), None);
        drop(guard);
        rcu::rcu_barrier();
        assert_eq!(f.drops(), 1);
        assert_eq!(f.map.live(), 0);
        // Removing what is not there is a no-op.
        f.map.remove(3);
        f.map.remove(u64::MAX);
        Ok(())
    }

    #[test]
    fn for_each_visits_every_value_in_id_order() -> Result {
        let f = Fixture::new()?;
        for (id, v) in [(1_000_000, 3), (7, 2), (0, 0), (3, 1)] {
            f.insert(id, v)?;
        }
        f.map.remove(7);
        let mut seen = KVec::new();
        let guard = rcu::read_lock();
        let mut pushed = Ok(());
        f.map.for_each(&guard, |t| {
            if pushed.is_ok() {
                pushed = seen.push(t.v, GFP_ATOMIC);
            }
        });
        drop(guard);
        pushed?;
        assert_eq!(&seen[..], &[0, 1, 3][..]);
        Ok(())
    }

    #[test]
    fn dropping_the_map_frees_every_value() -> Result {
        let f = Fixture::new()?;
        for id in 0..5 {
            f.insert(id, 0)?;
        }
        // One waiting for its grace period, four still in the map.
        f.map.remove(4);
        let Fixture { map, drops } = f;
        drop(map);
        assert_eq!(drops.load(Relaxed), 5);
        Ok(())
    }
}
