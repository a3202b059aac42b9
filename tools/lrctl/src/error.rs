// SPDX-License-Identifier: GPL-2.0
//! lrctl's errors: one line each, and the exit status that tells them apart.

use std::fmt;
use std::io;

/// Everything that can go wrong, each with its own exit status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// Bad command line (exit 2).
    Usage(String),
    /// The kernel carries the series but local_reclaim.ko is not loaded (3).
    ModuleNotLoaded,
    /// The kernel lacks the node reclaim policy hooks (4).
    NotPatched,
    /// No such cgroup, or no memory controller in it (5).
    NoCgroup(String),
    /// No cgroup2 file system mounted (6).
    NoCgroup2,
    /// EPERM/EACCES on a file (7).
    Permission(String),
    /// A value the knob does not accept (8).
    Invalid(String),
    /// Any other I/O error (1).
    Io(String),
    /// Whoever read stdout closed it (`| head`): lrctl stops quietly, 0.
    Closed,
}

impl Error {
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Closed => 0,
            Error::Io(_) => 1,
            Error::Usage(_) => 2,
            Error::ModuleNotLoaded => 3,
            Error::NotPatched => 4,
            Error::NoCgroup(_) => 5,
            Error::NoCgroup2 => 6,
            Error::Permission(_) => 7,
            Error::Invalid(_) => 8,
        }
    }

    /// An I/O error on `what` (a path), classified.
    pub fn io(what: &str, e: &io::Error) -> Error {
        match e.raw_os_error() {
            Some(libc_errno::EPERM) | Some(libc_errno::EACCES) => Error::Permission(format!(
                "{what}: permission denied (writes need CAP_SYS_ADMIN)"
            )),
            Some(libc_errno::EINVAL) => {
                Error::Invalid(format!("{what}: the kernel rejected the value"))
            }
            _ => Error::Io(format!("{what}: {e}")),
        }
    }
}

/// The errno values lrctl tells apart (Linux, all architectures).
mod libc_errno {
    pub const EPERM: i32 = 1;
    pub const EACCES: i32 = 13;
    pub const EINVAL: i32 = 22;
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(s) => write!(f, "{s} (see lrctl --help)"),
            Error::ModuleNotLoaded => {
                f.write_str("local_reclaim module not loaded (insmod local_reclaim.ko)")
            }
            Error::NotPatched => f.write_str(
                "kernel not patched: no node reclaim policy hooks (apply patches/ and rebuild)",
            ),
            Error::NoCgroup(s) => f.write_str(s),
            Error::NoCgroup2 => {
                f.write_str("cgroup2 not mounted (mount -t cgroup2 none /sys/fs/cgroup)")
            }
            Error::Permission(s) | Error::Invalid(s) | Error::Io(s) => f.write_str(s),
            Error::Closed => f.write_str("stdout closed"),
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_classification() {
        let e = |n| Error::io("f", &io::Error::from_raw_os_error(n));
        assert_eq!(e(13).exit_code(), 7);
        assert_eq!(e(1).exit_code(), 7);
        assert_eq!(e(22).exit_code(), 8);
        assert_eq!(e(5).exit_code(), 1);
    }
}
