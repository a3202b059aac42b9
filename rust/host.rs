// SPDX-License-Identifier: GPL-2.0

//! Host build of the module's pure logic, so `cargo test` exercises the same
//! source files the kernel module is built from.

#![no_std]
#![allow(dead_code)]

#[cfg(test)]
extern crate std;

// The kernel crate's `impl_flags!`, which `policy.rs` uses: the kernel
// source's own `rust/kernel/impl_flags.rs`, copied by `build.rs` without
// its documentation (whose example needs the kernel crate), reachable as
// `crate::impl_flags` as in the module.
mod flags {
    include!(concat!(env!("OUT_DIR"), "/impl_flags.rs"));
    pub(crate) use impl_flags;
}
pub(crate) use flags::impl_flags;

#[path = "policy.rs"]
mod policy;
