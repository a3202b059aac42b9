// SPDX-License-Identifier: GPL-2.0

//! Memory cgroups as the policy sees them: the cgroup an allocation is made
//! for, its ancestors, and the id that keys per-cgroup state.

use core::{marker::PhantomData, ptr::NonNull};

use kernel::{bindings, ffi::c_void};

// `struct mem_cgroup` is opaque here: its bindgen layout is not FFI-safe.
extern "C" {
    fn lr_memcg_parent(memcg: *mut c_void) -> *mut c_void;
    fn lr_memcg_id(memcg: *mut c_void) -> u64;
}

/// A memory cgroup that cannot be freed while `'a` lasts: an RCU read-side
/// section, a cgroup callback or file that pins it, or the module's state
/// lock while the cgroup is online.
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

    /// The parent cgroup, `None` for the root.
    pub(crate) fn parent(self) -> Option<Self> {
        // SAFETY: `self.ptr` is live (type invariant); a cgroup pins its
        // parent for as long as it lives itself.
        unsafe { Self::from_raw(lr_memcg_parent(self.ptr.as_ptr().cast()).cast()) }
    }

    /// The raw pointer, for the kernel.
    pub(crate) fn as_raw(self) -> *mut bindings::mem_cgroup {
        self.ptr.as_ptr()
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
