// SPDX-License-Identifier: GPL-2.0
//! lrctl: inspect and set local_reclaim, per memory cgroup.
//!
//! ```text
//! lrctl [--root DIR] [--json] status
//! lrctl [--root DIR] [--json] show CGROUP
//! lrctl [--root DIR] set CGROUP|--global [--mode MODE] [--distance D]
//! lrctl [--root DIR] [--json] top|watch [--interval SECONDS] [--count N]
//! ```
//!
//! Exit status: 0 ok, 1 other I/O error, 2 usage, 3 module not loaded,
//! 4 kernel not patched, 5 no such (memory) cgroup, 6 cgroup2 not mounted,
//! 7 permission denied, 8 value invalid or out of range.

mod cgroup;
mod error;
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

use error::{Error, Result};
use root::Root;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

const HELP: &str = "\
usage: lrctl [--root DIR] [--json] COMMAND

  status                       module and kernel state, global mode and
                               node_reclaim_distance, node distances with
                               each node's reach, per-node memory
  show CGROUP                  configured and effective mode and distance,
                               per-node counters
  set CGROUP [--mode M] [--distance D]
                               M: inherit | off | kswapd direct unmap (any)
                               D: inherit | 10..254
  set --global [--mode M] [--distance D]
                               the global mode and node_reclaim_distance
  top [--interval S] [--count N]
                               per-cgroup, per-node rates, every S seconds
                               (default 2); 'watch' is the same

CGROUP is a path under the cgroup2 mount or relative to it.
--json: JSON on every read command (top: one line per refresh).
--root DIR (or LRCTL_ROOT): read and write under DIR instead of /.
Exit: 0 ok, 1 I/O error, 2 usage, 3 module not loaded, 4 kernel not
patched, 5 no such cgroup, 6 cgroup2 not mounted, 7 permission denied,
8 invalid or out-of-range value.
";

#[derive(Debug, PartialEq)]
enum Command {
    Help,
    Status,
    Show(String),
    Set(Option<String>, set::Change),
    Top(Duration, Option<u64>),
}

#[derive(Debug, PartialEq)]
struct Args {
    root: Option<PathBuf>,
    json: bool,
    command: Command,
}

fn value(it: &mut impl Iterator<Item = String>, opt: &str) -> Result<String> {
    it.next()
        .ok_or_else(|| Error::Usage(format!("{opt} needs a value")))
}

fn parse(args: impl IntoIterator<Item = String>, env_root: Option<String>) -> Result<Args> {
    let mut it = args.into_iter();
    let mut root = env_root.filter(|s| !s.is_empty()).map(PathBuf::from);
    let (mut json, mut global) = (false, false);
    let mut words = Vec::new();
    let mut change = set::Change::default();
    let (mut interval, mut count) = (Duration::from_secs(2), None);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--root" => root = Some(value(&mut it, &a)?.into()),
            "--json" => json = true,
            "--global" => global = true,
            "--mode" => change.mode = Some(value(&mut it, &a)?),
            "--distance" => change.distance = Some(value(&mut it, &a)?),
            "--interval" => {
                let v = value(&mut it, &a)?;
                let s: f64 = v
                    .parse()
                    .map_err(|_| Error::Usage(format!("--interval '{v}' is not a number")))?;
                if !(0.1..=3600.0).contains(&s) {
                    return Err(Error::Usage(format!(
                        "--interval {v} must be 0.1..3600 seconds"
                    )));
                }
                interval = Duration::from_secs_f64(s);
            }
            "--count" => {
                let v = value(&mut it, &a)?;
                count = Some(
                    v.parse()
                        .map_err(|_| Error::Usage(format!("--count '{v}' is not a number")))?,
                );
            }
            "-h" | "--help" | "help" => words.insert(0, "help".to_string()),
            s if s.starts_with("--") => return Err(Error::Usage(format!("unknown option {s}"))),
            _ => words.push(a),
        }
    }
    let mut w = words.iter().map(String::as_str);
    let command = match (w.next(), w.next(), w.next()) {
        (Some("help"), ..) | (None, ..) => Command::Help,
        (Some("status"), None, _) => Command::Status,
        (Some("show"), Some(cg), None) => Command::Show(cg.into()),
        (Some("set"), Some(cg), None) if !global => Command::Set(Some(cg.into()), change),
        (Some("set"), None, _) if global => Command::Set(None, change),
        (Some("set"), ..) => return Err(Error::Usage("set takes one CGROUP or --global".into())),
        (Some("top" | "watch"), None, _) => Command::Top(interval, count),
        (Some(c), ..) if ["status", "show", "top", "watch"].contains(&c) => {
            return Err(Error::Usage(format!("wrong arguments for {c}")))
        }
        (Some(c), ..) => return Err(Error::Usage(format!("unknown command '{c}'"))),
    };
    Ok(Args {
        root,
        json,
        command,
    })
}

fn run(args: Args) -> Result<()> {
    let root = Root::new(args.root);
    match args.command {
        Command::Help => {
            print!("{HELP}");
            Ok(())
        }
        Command::Status => status::run(&root, args.json),
        Command::Show(cg) => show::run(&root, &cg, args.json),
        Command::Set(target, change) => set::run(&root, target.as_deref(), &change),
        Command::Top(interval, count) => top::run(&root, interval, count, args.json),
    }
}

fn main() -> ExitCode {
    let args = parse(std::env::args().skip(1), std::env::var("LRCTL_ROOT").ok());
    match args.and_then(run) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lrctl: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Args> {
        parse(s.split_whitespace().map(String::from), None)
    }

    #[test]
    fn commands_and_options() {
        assert_eq!(p("status").unwrap().command, Command::Status);
        let a = p("--json show db").unwrap();
        assert!(a.json);
        assert_eq!(a.command, Command::Show("db".into()));
        let a = p("set db --mode kswapd --distance 21").unwrap();
        assert_eq!(
            a.command,
            Command::Set(
                Some("db".into()),
                set::Change {
                    mode: Some("kswapd".into()),
                    distance: Some("21".into())
                }
            )
        );
        assert!(matches!(
            p("set --global --distance 30").unwrap().command,
            Command::Set(None, _)
        ));
        assert!(matches!(
            p("watch --interval 0.5 --count 3").unwrap().command,
            Command::Top(_, Some(3))
        ));
        assert_eq!(p("").unwrap().command, Command::Help);
        let r = parse(vec!["status".to_string()], Some("/tmp/x".into())).unwrap();
        assert_eq!(r.root, Some(PathBuf::from("/tmp/x")));
    }

    #[test]
    fn usage_errors() {
        for bad in [
            "frob",
            "show",
            "show a b",
            "set",
            "set db --global",
            "top --interval 0",
            "status --nope",
            "top --count x",
        ] {
            assert_eq!(p(bad).unwrap_err().exit_code(), 2, "{bad}");
        }
    }
}
