// SPDX-License-Identifier: GPL-2.0
//! lrctl's command line, declared once with clap: the parser, `--help`,
//! the man page and the shell completions (`lrctl gen`) all come from
//! these definitions.

use clap::{Args, Parser, Subcommand, ValueEnum, ValueHint};
use std::path::PathBuf;
use std::time::Duration;

/// The exit statuses, in `--help` and the man page.
pub const EXIT_STATUS: &str = "\
Exit status: 0 ok, 1 other I/O error, 2 usage, 3 module not loaded,
4 kernel not patched, 5 no such (memory) cgroup, 6 cgroup2 not mounted,
7 permission denied, 8 value invalid or out of range (also a bad
configuration file).";

/// The default configuration file of `lrctl apply`.
pub const DEFAULT_CONFIG: &str = "/etc/local_reclaim.conf";

#[derive(Debug, Parser)]
#[command(
    name = "lrctl",
    version,
    about = "Inspect and set local_reclaim, the per-cgroup NUMA local reclaim policy",
    long_about = "Inspect and set local_reclaim, the per-cgroup NUMA local reclaim policy.\n\n\
        local_reclaim keeps a workload's memory on its own NUMA node by reclaiming that \
        node's page cache (waking its kswapd, or reclaiming synchronously) before the \
        allocator falls back to a remote node.  lrctl shows the module's state, sets its \
        global and per-cgroup knobs, watches its counters and applies a configuration file.",
    after_help = EXIT_STATUS,
    arg_required_else_help = true,
    max_term_width = 100
)]
pub struct Cli {
    /// Read and write under DIR instead of / (a chroot, a test tree)
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        value_hint = ValueHint::DirPath,
        env = "LRCTL_ROOT",
        hide_env_values = true,
        help_heading = "Global options"
    )]
    pub root: Option<PathBuf>,

    /// JSON output, one line per document
    #[arg(short = 'j', long, global = true, help_heading = "Global options")]
    pub json: bool,

    /// Pretty-printed JSON output (implies --json)
    #[arg(short = 'p', long, global = true, help_heading = "Global options")]
    pub pretty: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Module and kernel state, global settings, node distances with each
    /// node's reach, per-node memory, and settings that fight the policy
    Status,

    /// A cgroup's configured and effective mode and distance, and its
    /// per-node counters
    Show {
        #[command(flatten)]
        target: Target,
    },

    /// Set a cgroup's (or the global) mode and distance
    #[command(
        after_help = "MODE: inherit | off | flags among kswapd, direct, unmap, separated by \
        blanks or commas (\"kswapd direct\", kswapd,direct).\n\
        DISTANCE: inherit | 10..254.  --global takes neither inherit."
    )]
    Set {
        #[command(flatten)]
        target: SetTarget,

        /// The mode: inherit, off, or flags among kswapd, direct, unmap
        #[arg(long, value_name = "MODE", required_unless_present = "distance")]
        mode: Option<String>,

        /// The distance: inherit, or 10..254 (a SLIT distance)
        #[arg(long, value_name = "DISTANCE")]
        distance: Option<String>,
    },

    /// Per-cgroup, per-node rates of the counters, refreshed until
    /// interrupted
    #[command(visible_alias = "watch")]
    Top {
        /// Seconds between refreshes (0.1..3600)
        #[arg(long, value_name = "SECONDS", default_value = "2", value_parser = parse_interval)]
        interval: Duration,

        /// Stop after N refreshes
        #[arg(long, value_name = "N")]
        count: Option<u64>,
    },

    /// Apply a configuration file: the global settings, then each cgroup's
    #[command(
        after_help = "Every entry is checked before anything is written: a bad file \
        changes nothing (exit 8).  A cgroup or unit that does not exist now is skipped and \
        reported.  See local_reclaim.conf in Documentation/admin-guide.rst or lrctl(8)."
    )]
    Apply {
        /// The configuration file
        #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath, default_value = DEFAULT_CONFIG)]
        config: PathBuf,

        /// Print what would be written, write nothing
        #[arg(long, short = 'n')]
        dry_run: bool,

        /// Apply only the entries that resolve to this unit's cgroup (for a
        /// service's ExecStartPre=)
        #[arg(long, value_name = "NAME")]
        unit: Option<String>,
    },

    /// Generate the man page or shell completions (for packaging)
    #[command(hide = true)]
    Gen {
        #[command(subcommand)]
        what: Gen,
    },
}

#[derive(Debug, Subcommand)]
pub enum Gen {
    /// lrctl.8, in roff
    Man,
    /// A completion script for SHELL
    Completions {
        #[arg(value_enum)]
        shell: Shell,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

/// Which cgroup a command is about: exactly one way of naming it.
#[derive(Debug, Args, Clone, PartialEq)]
#[group(required = true, multiple = false)]
pub struct Target {
    /// A cgroup path (under the cgroup2 mount, or relative to it), a systemd
    /// unit or slice name (postgresql.service), or `self`
    #[arg(value_name = "CGROUP")]
    pub cgroup: Option<String>,

    /// The cgroup of a systemd unit or slice (.service assumed without a
    /// suffix)
    #[arg(long, value_name = "NAME")]
    pub unit: Option<String>,

    /// The cgroup of a process
    #[arg(long, value_name = "PID")]
    pub pid: Option<u32>,
}

/// `set`'s target: a cgroup, named as [`Target`] names it, or the global
/// settings: exactly one of them (`--global` joins `Target`'s group).
#[derive(Debug, Args, Clone, PartialEq)]
pub struct SetTarget {
    #[command(flatten)]
    pub target: Target,

    /// The global mode and node_reclaim_distance
    #[arg(long, group = "Target")]
    pub global: bool,
}

impl SetTarget {
    /// The cgroup named, or None for --global.
    pub fn cgroup(&self) -> Option<Target> {
        (!self.global).then(|| self.target.clone())
    }
}

fn parse_interval(v: &str) -> Result<Duration, String> {
    let s: f64 = v.parse().map_err(|_| format!("'{v}' is not a number"))?;
    if !(0.1..=3600.0).contains(&s) {
        return Err(format!("{v} must be 0.1..3600 seconds"));
    }
    Ok(Duration::from_secs_f64(s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn p(s: &str) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("lrctl").chain(s.split_whitespace()))
    }

    #[test]
    fn definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn commands_and_options() {
        assert!(matches!(p("status").unwrap().command, Command::Status));
        let a = p("-j show db").unwrap();
        assert!(a.json && !a.pretty);
        let Command::Show { target } = a.command else {
            panic!("not show")
        };
        assert_eq!(target.cgroup.as_deref(), Some("db"));
        // Global options anywhere, `=` forms.
        let a = p("show --pid=42 --pretty --root=/tmp/x").unwrap();
        assert!(a.pretty);
        assert_eq!(a.root, Some(PathBuf::from("/tmp/x")));
        assert!(matches!(a.command, Command::Show { target } if target.pid == Some(42)));
        let a = p("set db --mode kswapd,direct --distance 21").unwrap();
        let Command::Set {
            target,
            mode,
            distance,
        } = a.command
        else {
            panic!("not set")
        };
        assert_eq!(
            target.cgroup().and_then(|t| t.cgroup).as_deref(),
            Some("db")
        );
        assert_eq!(mode.as_deref(), Some("kswapd,direct"));
        assert_eq!(distance.as_deref(), Some("21"));
        assert!(matches!(
            p("set --global --distance 30").unwrap().command,
            Command::Set { target, .. } if target.cgroup().is_none()
        ));
        assert!(matches!(
            p("watch --interval 0.5 --count 3").unwrap().command,
            Command::Top { count: Some(3), .. }
        ));
        assert!(matches!(
            p("apply -n --unit pg.service").unwrap().command,
            Command::Apply {
                dry_run: true,
                unit: Some(_),
                ..
            }
        ));
    }

    #[test]
    fn usage_errors_exit_2() {
        for bad in [
            "",
            "frob",
            "show",
            "show a b",
            "show a --unit b",
            "show --pid x",
            "set",
            "set db",
            "set db --global --mode off",
            "top --interval 0",
            "status --nope",
            "top --count x",
            "gen completions tcsh",
        ] {
            let e = p(bad).map(|_| ()).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{bad}: {e}");
        }
        for ok in ["--help", "-V", "--version", "set --help", "help show"] {
            assert_eq!(p(ok).map(|_| ()).unwrap_err().exit_code(), 0, "{ok}");
        }
    }
}
