// SPDX-License-Identifier: GPL-2.0

//! The module's files as one unit: `/sys/kernel/mm/local_reclaim/` with its
//! knobs, and the `memory.local_reclaim.*` cgroup files, created together
//! and removed together.

use kernel::{bindings, prelude::*};

use crate::{hooks::Policy, sysfs::Dir};

extern "C" {
    fn lr_files_add(dir: *mut bindings::kobject, ctx: *const c_void) -> c_int;
    fn lr_files_remove(dir: *mut bindings::kobject);
}

/// The files; removed on drop.
///
/// # Invariants
///
/// The files in `dir` and the cgroup files exist and their handlers use the
/// `Policy` given to [`Files::new`], which outlives `self`.
pub(crate) struct Files {
    dir: Dir,
}

impl Files {
    /// Creates every file; their handlers work on `policy`, which must be
    /// registered while the files exist.
    ///
    /// # Safety
    ///
    /// `policy` must outlive the returned `Files`, and stay registered.
    pub(crate) unsafe fn new(policy: &Policy) -> Result<Self> {
        let dir = Dir::create_in_mm(c"local_reclaim")?;
        let ctx: *const Policy = policy;
        // SAFETY: `dir` is a live kobject; `ctx` stays valid until
        // `lr_files_remove`, which the caller guarantees by outliving us.
        kernel::error::to_result(unsafe { lr_files_add(dir.as_raw(), ctx.cast()) })?;
        // INVARIANT: the files exist from here on.
        Ok(Files { dir })
    }
}

impl Drop for Files {
    fn drop(&mut self) {
        // SAFETY: the files exist (type invariant); this returns once no
        // handler runs, before `dir` itself is released.
        unsafe { lr_files_remove(self.dir.as_raw()) };
    }
}
