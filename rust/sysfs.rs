// SPDX-License-Identifier: GPL-2.0

//! `/sys/kernel/mm/local_reclaim/`: the directory, and the handlers of its
//! files (`mode`, `node_reclaim_distance`, `stat`), called from shim.c.

use core::{fmt::Write, ptr::NonNull};

use kernel::{bindings, prelude::*, str::CStrExt};

use crate::{
    hooks::Policy,
    policy::{BufWriter, Distance, Mode},
    state, topology,
};

extern "C" {
    fn lr_capable_admin() -> bool;
}

/// Whether the writer may change knobs: `CAP_SYS_ADMIN` in the initial
/// user namespace, since reclaim evicts other tenants' page cache.
pub(crate) fn capable_admin() -> bool {
    // SAFETY: `capable()` only inspects the current task's credentials.
    unsafe { lr_capable_admin() }
}

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

    /// The raw kobject, for attaching attribute groups.
    pub(crate) fn as_raw(&self) -> *mut bindings::kobject {
        self.0.as_ptr()
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        // SAFETY: by the type invariant we own one reference; dropping it
        // removes the directory.
        unsafe { bindings::kobject_put(self.0.as_ptr()) };
    }
}

/// Knob numbers; must match the enum in shim.c.
const KNOB_MODE: c_uint = 0;
const KNOB_DISTANCE: c_uint = 1;
const KNOB_STAT: c_uint = 2;

/// The policy behind a handler's context pointer.
///
/// # Safety
///
/// `ctx` must be the pointer given to `lr_files_add`, still registered.
unsafe fn policy_of<'a>(ctx: *const c_void) -> Option<&'a Policy> {
    // SAFETY: the caller guarantees `ctx` is null or a live `Policy`.
    unsafe { ctx.cast::<Policy>().as_ref() }
}

fn show(policy: &Policy, knob: c_uint, w: &mut BufWriter<'_>) -> core::fmt::Result {
    let state = &policy.state;
    match knob {
        KNOB_MODE => writeln!(w, "{}", state.global_mode()),
        KNOB_DISTANCE => writeln!(w, "{}", state::kernel_distance()),
        _ => {
            state.global.write_to(w, topology::online_nodes())?;
            writeln!(w, "cgroup_states {}", state.live())
        }
    }
}

fn store(policy: &Policy, knob: c_uint, input: &[u8]) -> Result {
    if !capable_admin() {
        return Err(EPERM);
    }
    match knob {
        KNOB_MODE => policy
            .state
            .set_global_mode(Mode::parse(input).map_err(|_| EINVAL)?),
        KNOB_DISTANCE => policy
            .state
            .set_global_distance(Distance::parse(input).map_err(|_| EINVAL)?),
        _ => return Err(EACCES),
    }
    policy.refresh();
    Ok(())
}

/// `show` of every file; `buf` is a sysfs page.
///
/// # Safety
///
/// Called by shim.c with the registered context and a sysfs page.
#[no_mangle]
unsafe extern "C" fn lr_sysfs_show(ctx: *const c_void, knob: c_uint, buf: *mut u8) -> isize {
    // SAFETY: shim.c passes the registered context.
    let Some(policy) = (unsafe { policy_of(ctx) }) else {
        return ENODEV.to_errno() as isize;
    };
    // SAFETY: sysfs hands `show` a zeroed buffer of PAGE_SIZE bytes.
    let page = unsafe { core::slice::from_raw_parts_mut(buf, kernel::page::PAGE_SIZE) };
    let mut w = BufWriter::new(page);
    match show(policy, knob, &mut w) {
        Ok(()) => w.len() as isize,
        Err(_) => EOVERFLOW.to_errno() as isize,
    }
}

/// `store` of the writable files.
///
/// # Safety
///
/// Called by shim.c with the registered context and `len` bytes at `buf`.
#[no_mangle]
unsafe extern "C" fn lr_sysfs_store(
    ctx: *const c_void,
    knob: c_uint,
    buf: *const u8,
    len: usize,
) -> isize {
    // SAFETY: shim.c passes the registered context.
    let Some(policy) = (unsafe { policy_of(ctx) }) else {
        return ENODEV.to_errno() as isize;
    };
    if knob == KNOB_STAT {
        return EACCES.to_errno() as isize;
    }
    // SAFETY: sysfs passes `len` readable bytes at `buf`.
    let input = unsafe { core::slice::from_raw_parts(buf, len) };
    match store(policy, knob, input) {
        Ok(()) => len as isize,
        Err(e) => e.to_errno() as isize,
    }
}
