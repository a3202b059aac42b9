// SPDX-License-Identifier: GPL-2.0

//! `local_reclaim_kunit`: the KUnit tests of local_reclaim's data
//! structures (the RCU-read per-cgroup table, the per-CPU counters, the
//! per-cgroup lookup and refresh), and the examples in their
//! documentation, run in the kernel they are built for.
//!
//! The crate is built from the module's own source files with
//! `--cfg lr_kunit`, which turns on their `#[kunit_tests]` modules (see
//! `Kbuild`); KUnit runs the suites when this module loads and reports
//! them in the kernel log and in `/sys/kernel/debug/kunit/<suite>/results`.
//! It registers nothing: loading it leaves the allocator as it was.

// The tests exercise the data structures only; the rest of what these
// files offer is used by `local_reclaim.ko`, not here.
#![allow(dead_code)]

use kernel::prelude::*;

// `policy.rs` declares its flag types with the kernel crate's macro (the
// host build, `host.rs`, includes the same macro from the kernel source).
use kernel::impl_flags;

mod counters;
mod display;
/// The examples in the module's documentation (`rust/gen-doctests`),
/// generated where the build writes objects (`Kbuild`).
mod doctests {
    include!(env!("LR_DOCTESTS_RS"));
}
mod memcg;
mod policy;
mod rcu_map;
mod state;
mod topology;

module! {
    type: LocalReclaimKunit,
    name: "local_reclaim_kunit",
    authors: ["local_reclaim developers"],
    description: "KUnit tests of local_reclaim's data structures",
    license: "GPL",
}

struct LocalReclaimKunit;

impl kernel::Module for LocalReclaimKunit {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        Ok(LocalReclaimKunit)
    }
}
