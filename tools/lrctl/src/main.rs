// SPDX-License-Identifier: GPL-2.0
//! lrctl: inspect and set local_reclaim, per memory cgroup.
//!
//! ```text
//! lrctl [--root DIR] [-j|-p] status
//! lrctl [--root DIR] [-j|-p] show CGROUP|--unit NAME|--pid PID
//! lrctl [--root DIR] set CGROUP|--unit NAME|--pid PID|--global [--mode MODE] [--distance D]
//! lrctl [--root DIR] [-j|-p] top|watch [--interval SECONDS] [--count N]
//! lrctl [--root DIR] [-j|-p] apply [--config FILE] [--dry-run] [--unit NAME]
//! ```
//!
//! Exit status: 0 ok, 1 other I/O error, 2 usage, 3 module not loaded,
//! 4 kernel not patched, 5 no such (memory) cgroup, 6 cgroup2 not mounted,
//! 7 permission denied, 8 value invalid or out of range.  The command line
//! is declared in cli.rs.

mod apply;
mod cgroup;
mod cli;
mod config;
mod error;
mod gen;
mod out;
// The kernel crate's `impl_flags!`, which policy.rs uses (see
// rust/host.rs, which does the same).
mod flags {
    include!(concat!(env!("OUT_DIR"), "/impl_flags.rs"));
    pub(crate) use impl_flags;
}
pub(crate) use flags::impl_flags;

#[allow(dead_code)]
#[path = "../../../rust/policy.rs"]
mod policy;
mod root;
mod set;
mod show;
mod stat;
mod status;
mod top;
mod topology;

use clap::Parser;
use cli::{Cli, Command, Gen};
use error::{Error, Result};
use out::Format;
use root::Root;
use std::process::ExitCode;

fn run(cli: Cli) -> Result<()> {
    // An empty LRCTL_ROOT means the real root, as when it is unset.
    let root = Root::new(cli.root.filter(|r| !r.as_os_str().is_empty()));
    let format = Format::new(cli.json, cli.pretty);
    match cli.command {
        Command::Status => status::run(&root, format),
        Command::Show { target } => show::run(&root, &target, format),
        Command::Set {
            target,
            mode,
            distance,
        } => set::run(
            &root,
            target.cgroup().as_ref(),
            &set::Change { mode, distance },
        ),
        Command::Top { interval, count } => top::run(&root, interval, count, format),
        Command::Apply {
            config,
            dry_run,
            unit,
        } => apply::run(&root, &config, dry_run, unit.as_deref(), format),
        Command::Gen { what: Gen::Man } => out::print(&gen::man()),
        Command::Gen {
            what: Gen::Completions { shell },
        } => out::print(&gen::completions(shell)),
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version (exit 0), or a usage error (2); a
            // closed stdout is not worth a panic.
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    match run(cli) {
        Ok(()) | Err(Error::Closed) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lrctl: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
