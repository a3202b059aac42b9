// SPDX-License-Identifier: GPL-2.0

//! The module's files as one unit: `/sys/kernel/mm/local_reclaim/` with its
//! knobs, and the `memory.local_reclaim.*` cgroup files, created together
//! and removed together.  Their handlers (`sysfs.rs`, `cgroup_files.rs`)
//! reach the policy through the files' own state in files.c, not a global.

use core::{marker::PhantomData, ptr::NonNull};

use kernel::{prelude::*, str::CStrExt};

use crate::{counters::Counter, hooks::RegisteredPolicy};

/// files.c's `struct lr_files`: the directory's kobject, the cgroup files'
/// cftypes, and the policy their handlers work on.
#[repr(C)]
struct LrFiles {
    _opaque: [u8; 0],
}

extern "C" {
    fn lr_files_add(ctx: *const c_void, counters: *const *const c_char, nr: c_uint)
        -> *mut LrFiles;
    fn lr_files_remove(files: *mut LrFiles);
}

/// The policy behind a file handler's context pointer (what [`Files::new`]
/// gave files.c).
///
/// # Safety
///
/// `ctx` must be the pointer the files were created with: a registered
/// `RegisteredPolicy`, which outlives them.
pub(crate) unsafe fn policy_of<'a>(ctx: *const c_void) -> Option<&'a RegisteredPolicy> {
    // SAFETY: the caller guarantees `ctx` is null or a live `RegisteredPolicy`.
    unsafe { ctx.cast::<RegisteredPolicy>().as_ref() }
}

/// The files, whose handlers work on the policy borrowed for `'a`; removed
/// on drop.
///
/// # Invariants
///
/// `files` came from `lr_files_add()` and was not removed yet.
pub(crate) struct Files<'a> {
    files: NonNull<LrFiles>,
    _policy: PhantomData<&'a RegisteredPolicy>,
}

// SAFETY: the files may be removed from any thread.
unsafe impl Send for Files<'_> {}
// SAFETY: `Files` has no methods taking `&self`.
unsafe impl Sync for Files<'_> {}

impl<'a> Files<'a> {
    /// Creates every file; their handlers work on `policy`, which is
    /// registered for as long as it exists.
    pub(crate) fn new(policy: &'a RegisteredPolicy) -> Result<Self> {
        let ctx: *const RegisteredPolicy = policy;
        let names = Counter::ALL.map(|c| c.file_name().as_char_ptr());
        let nr = c_uint::try_from(names.len()).map_err(|_| EINVAL)?;
        // SAFETY: `ctx` stays valid for `'a`, which `Self` cannot outlive,
        // and `Drop` removes the files first; the names are static, and
        // files.c copies the array of pointers.
        let files = unsafe { lr_files_add(ctx.cast(), names.as_ptr(), nr) };
        kernel::error::from_err_ptr(files)?;
        // INVARIANT: a pointer that is not an error is the new files.
        NonNull::new(files).map_or(Err(ENOMEM), |files| {
            Ok(Files {
                files,
                _policy: PhantomData,
            })
        })
    }
}

impl Drop for Files<'_> {
    fn drop(&mut self) {
        // SAFETY: the files exist (type invariant); this returns once no
        // handler runs, and frees them.
        unsafe { lr_files_remove(self.files.as_ptr()) };
    }
}
