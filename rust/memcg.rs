// SPDX-License-Identifier: GPL-2.0

//! Memory cgroups as the policy sees them: the allocating task's cgroup,
//! its ancestors, and the id that keys per-cgroup state.

use core::{marker::PhantomData, ptr::NonNull};

use kernel::{bindings, ffi::c_void, sync::rcu};

// `struct mem_cgroup` is opaque here: its bindgen layout is not FFI-safe.
extern "C" {
    fn lr_current_memcg() -> *mut c_void;
    fn lr_memcg_parent(memcg: *mut c_void) -> *mut c_void;
    fn lr_memcg_id(memcg: *mut c_void) -> u64;
}

/// A memory cgroup that cannot be freed while `'a` lasts: either an RCU
/// read-side section or a cgroup callback that pins it.
///
/// # Invariants
///
/// `ptr` points to a live `struct mem_cgroup` for `'a`.
#[derive(Clone, Copy)]
pub(crate) struct MemCgroup<'a> {
    ptr: NonNull<bindings::mem_cgroup>,
    _life: PhantomData<&'a bindings::mem_cgroup>,
}

impl<'a> MemCgroup<'a> {
    /// Wraps a pointer from the kernel.
    ///
    /// # Safety
    ///
    /// `ptr` must be null or point to a memory cgroup that stays alive for
    /// `'a`.
    pub(crate) unsafe fn from_raw(ptr: *mut bindings::mem_cgroup) -> Option<Self> {
        // INVARIANT: the caller guarantees liveness for `'a`.
        NonNull::new(ptr).map(|ptr| MemCgroup {
            ptr,
            _life: PhantomData,
        })
    }

    /// The current task's memory cgroup, or `None` in interrupt context or
    /// when memory cgroups are disabled.
    pub(crate) fn current(_guard: &'a rcu::Guard) -> Option<Self> {
        // SAFETY: `_guard` holds rcu_read_lock(), which `lr_current_memcg`
        // requires, and which keeps the returned cgroup alive for `'a`.
        unsafe { Self::from_raw(lr_current_memcg().cast()) }
    }

    /// The parent cgroup, `None` for the root.
    pub(crate) fn parent(self) -> Option<Self> {
        // SAFETY: `self.ptr` is live (type invariant); a cgroup pins its
        // parent for as long as it lives itself.
        unsafe { Self::from_raw(lr_memcg_parent(self.ptr.as_ptr().cast()).cast()) }
    }

    /// The cgroup's id (`cgroup_id()`), unique for the life of the system.
    pub(crate) fn id(self) -> u64 {
        // SAFETY: `self.ptr` is live (type invariant).
        unsafe { lr_memcg_id(self.ptr.as_ptr().cast()) }
    }
}

/// `memcg`, then its parent, up to the root.
pub(crate) fn ancestors(memcg: Option<MemCgroup<'_>>) -> impl Iterator<Item = MemCgroup<'_>> {
    core::iter::successors(memcg, |m| m.parent())
}
