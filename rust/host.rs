// SPDX-License-Identifier: GPL-2.0

//! Host build of the module's pure logic, so `cargo test` exercises the same
//! source files the kernel module is built from.

#![no_std]
#![allow(dead_code)]

#[cfg(test)]
extern crate std;

#[path = "policy.rs"]
mod policy;
