// SPDX-License-Identifier: GPL-2.0

//! The kernel's `fmt::Display` for the pure types of `policy.rs`, which
//! implement `core::fmt::Display` so that host tests can format them too.
//!
//! `kernel::fmt` forwards its own `Display` to `core`'s for the core types
//! with a macro it does not export (`impl_display_forward!`), so this is
//! the kernel side's thin shim for ours: nothing but the forwarding.

use kernel::fmt::{Display, Formatter, Result};

use crate::policy::{Distance, Joined, Mode, Setting};

macro_rules! forward_display {
    ($($ty:ty),* $(,)?) => {
        $(
            impl Display for $ty {
                fn fmt(&self, f: &mut Formatter<'_>) -> Result {
                    core::fmt::Display::fmt(self, f)
                }
            }
        )*
    };
}

forward_display!(Distance, Mode, Joined, Setting<Mode>, Setting<Distance>);
