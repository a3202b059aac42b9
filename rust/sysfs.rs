// SPDX-License-Identifier: GPL-2.0

//! `/sys/kernel/mm/local_reclaim/`: one handler per file and operation
//! (`mode`, `node_reclaim_distance`, `cgroup_states`, and one file per
//! counter in `stat/`), called from files.c's attributes with the policy
//! their directory was created for.

use core::fmt::Write;

use kernel::{prelude::*, str::Formatter};

use crate::{
    counters::Counter,
    files::policy_of,
    hooks::RegisteredPolicy,
    policy::{Distance, Mode},
    state, topology,
};

extern "C" {
    fn lr_capable_admin() -> bool;
}

/// Whether the writer of a sysfs knob may change it: `CAP_SYS_ADMIN` in
/// the initial user namespace, since reclaim evicts other tenants' page
/// cache.  (Only root may open these files for writing; the cgroup files
/// check their opener instead.)
fn writer_is_admin() -> bool {
    // SAFETY: `capable()` only inspects the current task's credentials.
    unsafe { lr_capable_admin() }
}

/// Formats `show`'s output into the sysfs page at `buf`.
///
/// # Safety
///
/// As for [`policy_of`]; `buf` is the page sysfs hands to `show`.
unsafe fn show(
    ctx: *const c_void,
    buf: *mut u8,
    show: impl FnOnce(&RegisteredPolicy, &mut Formatter<'_>) -> core::fmt::Result,
) -> isize {
    // SAFETY: the caller's guarantee.
    let Some(policy) = (unsafe { policy_of(ctx) }) else {
        return ENODEV.to_errno() as isize;
    };
    // SAFETY: sysfs hands `show` a buffer of PAGE_SIZE bytes.
    let page = unsafe { core::slice::from_raw_parts_mut(buf, kernel::page::PAGE_SIZE) };
    let mut w = Formatter::new(page);
    match show(policy, &mut w) {
        Ok(()) => w.bytes_written() as isize,
        Err(_) => EOVERFLOW.to_errno() as isize,
    }
}

/// Applies a `store` of `len` bytes at `buf`, then refreshes every
/// cgroup's effective values.
///
/// # Safety
///
/// As for [`policy_of`]; `len` bytes are readable at `buf`.
unsafe fn store(
    ctx: *const c_void,
    buf: *const u8,
    len: usize,
    store: impl FnOnce(&RegisteredPolicy, &[u8]) -> Result,
) -> isize {
    // SAFETY: the caller's guarantee.
    let Some(policy) = (unsafe { policy_of(ctx) }) else {
        return ENODEV.to_errno() as isize;
    };
    if !writer_is_admin() {
        return EPERM.to_errno() as isize;
    }
    // SAFETY: sysfs passes `len` readable bytes at `buf`.
    let input = unsafe { core::slice::from_raw_parts(buf, len) };
    match store(policy, input) {
        Ok(()) => {
            policy.refresh();
            len as isize
        }
        Err(e) => e.to_errno() as isize,
    }
}

/// Declares the C entry point of a file's `show`, which files.c calls
/// with the files' context and a sysfs page, and which writes what `$show`
/// formats (given the policy and a writer onto the page).
macro_rules! sysfs_show {
    ($(#[$doc:meta])* $name:ident => $show:expr) => {
        $(#[$doc])*
        ///
        /// # Safety
        ///
        /// Called by files.c with the files' context and a sysfs page.
        #[no_mangle]
        unsafe extern "C" fn $name(ctx: *const c_void, buf: *mut u8) -> isize {
            // SAFETY: as files.c guarantees.
            unsafe { show(ctx, buf, $show) }
        }
    };
}

/// Declares the C entry point of a file's `store`, which files.c calls
/// with the files' context and `len` bytes at `buf`, and which applies
/// `$store` (given the policy and the input) if the writer may.
macro_rules! sysfs_store {
    ($(#[$doc:meta])* $name:ident => $store:expr) => {
        $(#[$doc])*
        ///
        /// # Safety
        ///
        /// Called by files.c with the files' context and `len` bytes at
        /// `buf`.
        #[no_mangle]
        unsafe extern "C" fn $name(ctx: *const c_void, buf: *const u8, len: usize) -> isize {
            // SAFETY: as files.c guarantees.
            unsafe { store(ctx, buf, len, $store) }
        }
    };
}

sysfs_show!(
    /// `mode`: the global mode, for cgroups that inherit up to the root.
    lr_sysfs_mode_show => |p, w| writeln!(w, "{}", p.state.global_mode())
);

sysfs_store!(
    /// `mode`: sets the global mode.
    lr_sysfs_mode_store => |p, input| {
        p.state.set_global_mode(Mode::parse(input).map_err(|_| EINVAL)?);
        Ok(())
    }
);

sysfs_show!(
    /// `node_reclaim_distance`: the kernel's, shared with
    /// `zone_reclaim_mode`.
    lr_sysfs_distance_show => |_, w| writeln!(w, "{}", state::kernel_distance())
);

sysfs_store!(
    /// `node_reclaim_distance`: sets it, for every cgroup that inherits it.
    lr_sysfs_distance_store => |p, input| {
        p.state.set_global_distance(Distance::parse(input).map_err(|_| EINVAL)?);
        Ok(())
    }
);

sysfs_show!(
    /// `cgroup_states`: how many cgroups the module keeps state for.
    lr_sysfs_cgroup_states_show => |p, w| writeln!(w, "{}", p.state.live())
);

/// `stat/<counter>`: one counter of allocations made for no cgroup (or
/// the root cgroup), per online node; `counter` indexes `Counter::ALL`,
/// whose names the files were created with.
///
/// # Safety
///
/// Called by files.c with the files' context and a sysfs page.
#[no_mangle]
unsafe extern "C" fn lr_sysfs_counter_show(
    ctx: *const c_void,
    counter: c_uint,
    buf: *mut u8,
) -> isize {
    let Some(&c) = usize::try_from(counter)
        .ok()
        .and_then(|i| Counter::ALL.get(i))
    else {
        return EINVAL.to_errno() as isize;
    };
    // SAFETY: as files.c guarantees.
    unsafe {
        show(ctx, buf, |p, w| {
            p.state.global.write_nodes(w, c, topology::online_nodes())?;
            writeln!(w)
        })
    }
}
