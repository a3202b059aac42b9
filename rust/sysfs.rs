// SPDX-License-Identifier: GPL-2.0

//! The module's directory under `/sys/kernel/mm/`.

use core::ptr::NonNull;

use kernel::{bindings, prelude::*, str::CStrExt};

/// A kobject directory under `/sys/kernel/mm/`, removed on drop.
///
/// # Invariants
///
/// `self.0` is a kobject returned by `kobject_create_and_add()` whose
/// reference this value owns.
pub(crate) struct Dir(NonNull<bindings::kobject>);

// SAFETY: the kobject is reference counted and its API may be used from any
// thread; this type only holds and finally drops one reference.
unsafe impl Send for Dir {}
// SAFETY: `Dir` offers no methods that mutate through a shared reference.
unsafe impl Sync for Dir {}

impl Dir {
    /// Creates `/sys/kernel/mm/<name>/`.
    pub(crate) fn create_in_mm(name: &'static CStr) -> Result<Self> {
        // SAFETY: `name` is a NUL-terminated static string; `mm_kobj` is set
        // up by `mm_sysfs_init()` long before any module can load.
        let kobj =
            unsafe { bindings::kobject_create_and_add(name.as_char_ptr(), bindings::mm_kobj) };
        // INVARIANT: a non-NULL return is a new kobject we hold a reference to.
        NonNull::new(kobj).map(Dir).ok_or(ENOMEM)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        // SAFETY: by the type invariant we own one reference; dropping it
        // removes the directory once no attribute callbacks are running.
        unsafe { bindings::kobject_put(self.0.as_ptr()) };
    }
}
