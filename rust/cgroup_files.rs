// SPDX-License-Identifier: GPL-2.0

//! `memory.local_reclaim.{mode,distance,stat}` in every non-root memory
//! cgroup: handlers called from shim.c's cftype table.

use core::fmt::{self, Write};

use kernel::{bindings, prelude::*, seq_file::SeqFile, seq_print, sync::rcu};

use crate::{
    hooks::Policy,
    memcg::MemCgroup,
    policy::{self, Change, Config, MAX_INPUT},
    topology,
};

/// File numbers; must match the enum in shim.c.
const CG_MODE: c_uint = 0;
const CG_DISTANCE: c_uint = 1;
const CG_STAT: c_uint = 2;

/// `fmt::Write` onto a seq_file.
struct SeqWriter<'a>(&'a SeqFile);

impl Write for SeqWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        seq_print!(self.0, "{}", s);
        Ok(())
    }
}

fn show(policy: &Policy, file: c_uint, memcg: MemCgroup<'_>, seq: &SeqFile) -> Result {
    let state = &policy.state;
    let guard = rcu::read_lock();
    let own = state.cgroup(memcg, &guard);
    let cfg = own.map_or(Config::INHERIT, |s| s.config());
    match file {
        CG_MODE => seq_print!(seq, "{}\n", cfg.mode),
        CG_DISTANCE => seq_print!(seq, "{}\n", cfg.distance),
        CG_STAT => {
            let mut w = SeqWriter(seq);
            if let Some(s) = own {
                s.counters
                    .write_to(&mut w, topology::online_nodes())
                    .map_err(|_| EINVAL)?;
            }
            let (_, eff) = state.lookup(Some(memcg), &guard);
            seq_print!(
                seq,
                "effective mode={} distance={}\n",
                eff.mode.joined(","),
                eff.distance
            );
            // Remote nodes with CPUs are within reach only once an
            // administrator set the distance.
            seq_print!(seq, "reach_cpu_nodes {}\n", u8::from(eff.distance_set));
        }
        _ => return Err(EINVAL),
    }
    Ok(())
}

/// Writes `input` to `file` of `memcg`, if the file was opened by an
/// administrator (`opener_admin`: `CAP_SYS_ADMIN` in the initial user
/// namespace, in the opener's credentials).
fn write(
    policy: &Policy,
    file: c_uint,
    memcg: MemCgroup<'_>,
    input: &[u8],
    opener_admin: bool,
) -> Result {
    if !opener_admin {
        return Err(EPERM);
    }
    if input.len() > MAX_INPUT {
        return Err(EINVAL);
    }
    // Parse before looking anything up: bad input changes nothing.
    let change = match file {
        CG_MODE => Change::Mode(policy::parse_mode_setting(input).map_err(|_| EINVAL)?),
        CG_DISTANCE => Change::Distance(policy::parse_distance_setting(input).map_err(|_| EINVAL)?),
        _ => return Err(EINVAL),
    };
    let guard = rcu::read_lock();
    policy
        .state
        .cgroup(memcg, &guard)
        .ok_or(ENOMEM)?
        .update(|c| c.apply(change));
    drop(guard);
    policy.refresh();
    Ok(())
}

/// `seq_show` of every file.
///
/// # Safety
///
/// Called by shim.c with the registered context, the file's cgroup and
/// its seq_file.
#[no_mangle]
unsafe extern "C" fn lr_cgroup_show(
    ctx: *const c_void,
    file: c_uint,
    memcg: *mut bindings::mem_cgroup,
    sf: *mut bindings::seq_file,
) -> c_int {
    // SAFETY: shim.c passes the registered context (a live `Policy`), the
    // file's cgroup, pinned while the file is open, and its seq_file.
    let (policy, memcg, seq) = unsafe {
        (
            ctx.cast::<Policy>().as_ref(),
            MemCgroup::from_raw(memcg),
            SeqFile::from_raw(sf),
        )
    };
    let (Some(policy), Some(memcg)) = (policy, memcg) else {
        return ENODEV.to_errno();
    };
    match show(policy, file, memcg, seq) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// `write` of the mode and distance files.
///
/// # Safety
///
/// Called by shim.c with the registered context, the file's cgroup,
/// `len` bytes at `buf`, and whether the file's opener is an administrator.
#[no_mangle]
unsafe extern "C" fn lr_cgroup_write(
    ctx: *const c_void,
    file: c_uint,
    memcg: *mut bindings::mem_cgroup,
    buf: *const u8,
    len: usize,
    opener_admin: bool,
) -> isize {
    // SAFETY: as for `lr_cgroup_show`; kernfs passes `len` readable bytes.
    let (policy, memcg, input) = unsafe {
        (
            ctx.cast::<Policy>().as_ref(),
            MemCgroup::from_raw(memcg),
            core::slice::from_raw_parts(buf, len),
        )
    };
    let (Some(policy), Some(memcg)) = (policy, memcg) else {
        return ENODEV.to_errno() as isize;
    };
    match write(policy, file, memcg, input, opener_admin) {
        Ok(()) => len as isize,
        Err(e) => e.to_errno() as isize,
    }
}
