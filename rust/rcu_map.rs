// SPDX-License-Identifier: GPL-2.0

//! A map from 64-bit ids to boxed values, read lock-free under RCU and
//! written in process context: the per-cgroup state table.
//!
//! The allocator's hooks may run in interrupt context, so they must not
//! take the XArray's spinlock; `xa_load()` under `rcu_read_lock()` is the
//! lock-free read the XArray offers.  Removed values are freed only after
//! an RCU grace period.

use core::marker::PhantomData;

use kernel::{bindings, error::to_result, prelude::*, sync::rcu, types::Opaque};

/// An XArray of `KBox<T>` with RCU readers.
///
/// # Invariants
///
/// Every entry of `xa` is a pointer obtained from `KBox::into_raw` for a
/// `KBox<T>` that the map owns.
#[pin_data(PinnedDrop)]
pub(crate) struct RcuMap<T> {
    #[pin]
    xa: Opaque<bindings::xarray>,
    _owns: PhantomData<KBox<T>>,
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
            _owns: PhantomData,
        })
    }

    /// The value stored under `id`, valid while `_guard` is held.
    pub(crate) fn get<'a>(&'a self, id: u64, _guard: &'a rcu::Guard) -> Option<&'a T> {
        let index = usize::try_from(id).ok()?;
        // SAFETY: `xa` is initialised; `xa_load` may run concurrently with
        // writers under `rcu_read_lock()`, which `_guard` holds.
        let p = unsafe { bindings::xa_load(self.xa.get(), index) }.cast::<T>();
        // SAFETY: by the type invariant `p` is null or a live `KBox<T>`;
        // removed values are freed only after a grace period, so it stays
        // valid while `_guard` is held.
        unsafe { p.as_ref() }
    }

    /// Stores `value` under `id`, replacing and freeing any previous value
    /// after a grace period.  Process context only.
    /// Allocates XArray nodes with `GFP_KERNEL`.
    pub(crate) fn insert(&self, id: u64, value: KBox<T>) -> Result {
        let index = usize::try_from(id).map_err(|_| EINVAL)?;
        let new = KBox::into_raw(value);
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
        Self::free_after_grace_period(old.cast());
        Ok(())
    }

    /// Removes and frees the value under `id`, if any, after a grace
    /// period; returns whether there was one.  Process context only; sleeps.
    pub(crate) fn remove(&self, id: u64) -> bool {
        let Ok(index) = usize::try_from(id) else {
            return false;
        };
        // SAFETY: `xa` is initialised.
        let old = unsafe { bindings::xa_erase(self.xa.get(), index) };
        Self::free_after_grace_period(old.cast());
        !old.is_null()
    }

    fn free_after_grace_period(old: *mut T) {
        if old.is_null() {
            return;
        }
        rcu::synchronize_rcu();
        // SAFETY: `old` came out of the map, so by the type invariant it is
        // a `KBox<T>` we own, and after the grace period no reader holds a
        // reference obtained through `get`.
        drop(unsafe { KBox::from_raw(old) });
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
            // passed, so no reader remains; `p` is a `KBox<T>` we own.
            drop(unsafe { KBox::from_raw(p.cast::<T>()) });
        }
        // SAFETY: the XArray is now empty; `xa_destroy` frees its nodes.
        unsafe { bindings::xa_destroy(self.xa.get()) };
    }
}
