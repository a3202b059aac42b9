// SPDX-License-Identifier: GPL-2.0

//! `memory.local_reclaim.{mode,distance,stat}` in every non-root memory
//! cgroup: handlers called from files.c's cftype table.

use core::fmt::{self, Write};

use kernel::{bindings, prelude::*, seq_file::SeqFile, seq_print, sync::rcu};

use crate::{
    files::policy_of,
    hooks::RegisteredPolicy,
    memcg::MemCgroup,
    policy::{self, Change, Config, MAX_INPUT},
    topology,
};

/// `fmt::Write` onto a seq_file.
struct SeqWriter<'a>(&'a SeqFile);

impl Write for SeqWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        seq_print!(self.0, "{}", s);
        Ok(())
    }
}

/// The policy and cgroup of a handler.
///
/// # Safety
///
/// As for [`policy_of`]; `memcg` is the file's cgroup, pinned while the
/// file is open.
unsafe fn args<'a>(
    ctx: *const c_void,
    memcg: *mut bindings::mem_cgroup,
) -> Option<(&'a RegisteredPolicy, MemCgroup<'a>)> {
    // SAFETY: the caller's guarantee.
    unsafe { Some((policy_of(ctx)?, MemCgroup::from_raw(memcg)?)) }
}

/// Runs a `seq_show` handler.
///
/// # Safety
///
/// As for [`args`]; `sf` is the file's seq_file.
unsafe fn show(
    ctx: *const c_void,
    memcg: *mut bindings::mem_cgroup,
    sf: *mut bindings::seq_file,
    show: impl FnOnce(&RegisteredPolicy, MemCgroup<'_>, &SeqFile) -> Result,
) -> c_int {
    // SAFETY: the caller's guarantee.
    let Some((policy, memcg)) = (unsafe { args(ctx, memcg) }) else {
        return ENODEV.to_errno();
    };
    // SAFETY: kernfs passes the open file's seq_file.
    let seq = unsafe { SeqFile::from_raw(sf) };
    match show(policy, memcg, seq) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// The cgroup's own setting of a file.
fn own_config(policy: &RegisteredPolicy, memcg: MemCgroup<'_>) -> Config {
    let guard = rcu::read_lock();
    policy
        .state
        .cgroup(memcg, &guard)
        .map_or(Config::INHERIT, |s| s.config())
}

/// Declares the C entry point of a file's `seq_show`, which files.c calls
/// with the files' context, the file's cgroup and its seq_file, and which
/// prints what `$show` prints (given the policy, the cgroup and the
/// seq_file).
macro_rules! cgroup_show {
    ($(#[$doc:meta])* $name:ident => $show:expr) => {
        $(#[$doc])*
        ///
        /// # Safety
        ///
        /// Called by files.c with the files' context, the file's cgroup and
        /// its seq_file.
        #[no_mangle]
        unsafe extern "C" fn $name(
            ctx: *const c_void,
            memcg: *mut bindings::mem_cgroup,
            sf: *mut bindings::seq_file,
        ) -> c_int {
            // SAFETY: as files.c guarantees.
            unsafe { show(ctx, memcg, sf, $show) }
        }
    };
}

/// Declares the C entry point of a file's `write`, which files.c calls
/// with the files' context, the file's cgroup, `len` bytes at `buf` and
/// whether the file's opener is an administrator, and which applies the
/// change `$parse` makes of the input.
macro_rules! cgroup_write {
    ($(#[$doc:meta])* $name:ident => $parse:expr) => {
        $(#[$doc])*
        ///
        /// # Safety
        ///
        /// Called by files.c with the files' context, the file's cgroup,
        /// `len` bytes at `buf`, and whether the file's opener is an
        /// administrator.
        #[no_mangle]
        unsafe extern "C" fn $name(
            ctx: *const c_void,
            memcg: *mut bindings::mem_cgroup,
            buf: *const u8,
            len: usize,
            opener_admin: bool,
        ) -> isize {
            // SAFETY: as files.c guarantees.
            unsafe { write(ctx, memcg, buf, len, opener_admin, $parse) }
        }
    };
}

cgroup_show!(
    /// `memory.local_reclaim.mode`: the cgroup's own mode, or inherit.
    lr_cgroup_mode_show => |p, m, seq| {
        seq_print!(seq, "{}\n", own_config(p, m).mode);
        Ok(())
    }
);

cgroup_show!(
    /// `memory.local_reclaim.distance`: the cgroup's own distance, or
    /// inherit.
    lr_cgroup_distance_show => |p, m, seq| {
        seq_print!(seq, "{}\n", own_config(p, m).distance);
        Ok(())
    }
);

cgroup_show!(
    /// `memory.local_reclaim.stat`: the cgroup's counters per node, its
    /// effective values, and whether its reach covers nodes with CPUs.
    lr_cgroup_stat_show => stat
);

fn stat(policy: &RegisteredPolicy, memcg: MemCgroup<'_>, seq: &SeqFile) -> Result {
    let state = &policy.state;
    let guard = rcu::read_lock();
    if let Some(s) = state.cgroup(memcg, &guard) {
        s.counters
            .write_to(&mut SeqWriter(seq), topology::online_nodes())
            .map_err(|_| EINVAL)?;
    }
    let (_, eff) = state.lookup(Some(memcg), &guard);
    seq_print!(
        seq,
        "effective mode={} distance={}\n",
        eff.mode.joined(","),
        eff.distance
    );
    // Remote nodes with CPUs are within reach only once an administrator
    // set the distance.
    seq_print!(seq, "reach_cpu_nodes {}\n", u8::from(eff.distance_set));
    Ok(())
}

/// Applies a write of `len` bytes at `buf` to the cgroup's setting, if the
/// file's opener is an administrator (`CAP_SYS_ADMIN` in the initial user
/// namespace, in the opener's credentials): reclaim evicts other tenants'
/// page cache.  Bad input changes nothing.
///
/// # Safety
///
/// As for [`args`]; `len` bytes are readable at `buf`.
unsafe fn write(
    ctx: *const c_void,
    memcg: *mut bindings::mem_cgroup,
    buf: *const u8,
    len: usize,
    opener_admin: bool,
    parse: impl FnOnce(&[u8]) -> Option<Change>,
) -> isize {
    // SAFETY: the caller's guarantee.
    let Some((policy, memcg)) = (unsafe { args(ctx, memcg) }) else {
        return ENODEV.to_errno() as isize;
    };
    if !opener_admin {
        return EPERM.to_errno() as isize;
    }
    if len > MAX_INPUT {
        return EINVAL.to_errno() as isize;
    }
    // SAFETY: kernfs passes `len` readable bytes at `buf`.
    let input = unsafe { core::slice::from_raw_parts(buf, len) };
    // Parse before looking anything up: bad input changes nothing.
    let Some(change) = parse(input) else {
        return EINVAL.to_errno() as isize;
    };
    let guard = rcu::read_lock();
    let Some(own) = policy.state.cgroup(memcg, &guard) else {
        return ENOMEM.to_errno() as isize;
    };
    own.update(|c| c.apply(change));
    drop(guard);
    policy.refresh();
    len as isize
}

cgroup_write!(
    /// `memory.local_reclaim.mode`: sets the cgroup's mode, or inherit.
    lr_cgroup_mode_write => |input| policy::parse_mode_setting(input).ok().map(Change::Mode)
);

cgroup_write!(
    /// `memory.local_reclaim.distance`: sets the cgroup's distance, or
    /// inherit.
    lr_cgroup_distance_write => |input| {
        policy::parse_distance_setting(input).ok().map(Change::Distance)
    }
);
