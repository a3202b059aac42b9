// SPDX-License-Identifier: GPL-2.0

//! Pure policy logic: knob values and their parsing.
//!
//! Nothing here touches kernel state, so the same file is built into the
//! module and, through `host.rs`, into a host crate that `cargo test` runs.

use core::fmt;

/// Errors of the pure layer; the kernel glue maps every one to `EINVAL`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParseError {
    /// The input is not a value this knob accepts.
    Invalid,
    /// A number outside the knob's range.
    OutOfRange,
}

/// A SLIT node distance: 10 (local) to 254 (255 means unreachable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Distance(u8);

impl Distance {
    /// The local distance.
    pub(crate) const MIN: Distance = Distance(10);
    /// The largest reachable distance.
    pub(crate) const MAX: Distance = Distance(254);

    /// A distance from a knob value; `None` outside 10..=254.
    pub(crate) const fn new(v: u32) -> Option<Distance> {
        if v >= Self::MIN.0 as u32 && v <= Self::MAX.0 as u32 {
            Some(Distance(v as u8))
        } else {
            None
        }
    }

    /// A distance from the kernel's table, clamped into the valid range.
    pub(crate) fn clamp_from(v: i32) -> Distance {
        let v = v.clamp(i32::from(Self::MIN.0), i32::from(Self::MAX.0));
        Distance(u8::try_from(v).unwrap_or(Self::MAX.0))
    }

    /// The raw SLIT value.
    pub(crate) const fn get(self) -> u8 {
        self.0
    }

    /// Parses a sysfs write: decimal digits, optionally followed by one
    /// newline, nothing else.
    pub(crate) fn parse(input: &[u8]) -> Result<Distance, ParseError> {
        let v = parse_decimal(strip_newline(input))?;
        Distance::new(v).ok_or(ParseError::OutOfRange)
    }
}

impl fmt::Display for Distance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Drops one trailing newline, as `echo` adds it.
pub(crate) fn strip_newline(input: &[u8]) -> &[u8] {
    input.strip_suffix(b"\n").unwrap_or(input)
}

/// Parses a decimal `u32` with no sign, spaces or trailing garbage.
fn parse_decimal(s: &[u8]) -> Result<u32, ParseError> {
    if s.is_empty() || s.len() > 10 {
        return Err(ParseError::Invalid);
    }
    let mut v: u32 = 0;
    for &c in s {
        if !c.is_ascii_digit() {
            return Err(ParseError::Invalid);
        }
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_add(u32::from(c - b'0')))
            .ok_or(ParseError::OutOfRange)?;
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_accepts_slit_range() {
        assert_eq!(Distance::parse(b"10"), Ok(Distance(10)));
        assert_eq!(Distance::parse(b"254\n"), Ok(Distance(254)));
        assert_eq!(Distance::parse(b"21"), Ok(Distance(21)));
    }

    #[test]
    fn distance_rejects_bad_input() {
        for bad in [
            &b""[..],
            b"\n",
            b"9",
            b"255",
            b"-1",
            b"30abc",
            b" 20",
            b"20 ",
            b"20\n\n",
            b"+20",
            b"99999999999",
            b"inherit",
        ] {
            assert!(Distance::parse(bad).is_err(), "{:?}", bad);
        }
    }

    #[test]
    fn distance_clamps_kernel_values() {
        assert_eq!(Distance::clamp_from(255), Distance::MAX);
        assert_eq!(Distance::clamp_from(0), Distance::MIN);
        assert_eq!(Distance::clamp_from(32).get(), 32);
    }
}
