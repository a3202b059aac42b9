// SPDX-License-Identifier: GPL-2.0
//! `lrctl gen man|completions SHELL`: the man page and the shell
//! completions, generated from the command line's own definitions
//! (cli.rs).  The copies in tools/lrctl/doc/ and completions/ are checked
//! against these by tests/generated.rs.

use crate::cli::{Cli, Shell, DEFAULT_CONFIG};
use clap::CommandFactory;
use clap_mangen::Man;
use roff::{bold, italic, line_break, roman, Roff};

/// The global options, which `lrctl.8` lists once, not under each command.
const GLOBAL_ARGS: [&str; 4] = ["root", "json", "pretty", "help"];

fn rendered(f: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> String {
    let mut buf = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = f(&mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}

/// One `.SS` subsection per visible command: its synopsis, what it does,
/// its own options.
fn commands(cmd: &clap::Command) -> String {
    let mut s = String::from(".SH COMMANDS\n");
    for sub in cmd
        .get_subcommands()
        .filter(|c| !c.is_hide_set() && c.get_name() != "help")
    {
        let mut sub = sub.clone();
        for a in GLOBAL_ARGS {
            if sub.get_arguments().any(|x| x.get_id() == a) {
                sub = sub.mut_arg(a, |x| x.hide(true));
            }
        }
        let name = sub.get_name().to_string();
        let mut r = Roff::new();
        r.control("SS", [name.as_str()]);
        s.push_str(&r.to_roff());
        let man = Man::new(sub.clone());
        let syn = rendered(|w| man.render_synopsis_section(w));
        s.push_str(&syn.replacen(".SH SYNOPSIS\n", "", 1));
        let about = sub
            .get_long_about()
            .or(sub.get_about())
            .map(|a| a.to_string())
            .unwrap_or_default();
        let aliases: Vec<&str> = sub.get_visible_aliases().collect();
        let mut r = Roff::new();
        r.control("PP", []);
        let mut text = about.trim_end().to_string();
        if !text.ends_with('.') {
            text.push('.');
        }
        if !aliases.is_empty() {
            text.push_str(&format!(" Also: {}.", aliases.join(", ")));
        }
        r.text([roman(text)]);
        if let Some(after) = sub.get_after_long_help().or(sub.get_after_help()) {
            r.control("PP", []);
            r.text([roman(after.to_string())]);
        }
        s.push_str(&r.to_roff());
        if sub.get_arguments().any(|a| !a.is_hide_set()) {
            let opts = rendered(|w| man.render_options_section(w));
            s.push_str(&opts.replacen(".SH OPTIONS\n", "", 1));
        }
    }
    s
}

/// The man page's own sections after the commands.
fn trailer() -> String {
    let mut r = Roff::new();
    r.control("SH", ["CGROUPS"]);
    r.text([roman(
        "A cgroup is named by its path under the cgroup2 mount (/sys/fs/cgroup/db), by its \
         path relative to the mount (db, /db), by a systemd unit or slice name \
         (postgresql.service, found wherever it is in the tree; --unit also takes a name \
         without a suffix, as a .service), by --pid PID, or as self, lrctl's own cgroup \
         (its caller's).  A path that exists is taken before a unit of that name; ./self \
         names a cgroup called self.",
    )]);
    r.control("SH", ["CONFIGURATION FILE"]);
    r.text([roman(
        "lrctl apply reads sections of key = value lines; # starts a comment.  [global] \
         sets the global mode and node_reclaim_distance; [cgroup PATH] a cgroup by its \
         path; [unit NAME.service] and [slice NAME.slice] the cgroup of a systemd unit or \
         slice, wherever it is in the tree.  Keys: mode and distance, each at most once \
         per section, with the values of lrctl set (inherit only for cgroups); a value may \
         be in double quotes.  Each target appears once.  The whole file is checked, and \
         every cgroup found, before anything is written: any mistake exits 8 with the \
         file and line, and changes nothing.  A cgroup or unit that does not exist now \
         (a service not running) is skipped; its settings are applied when it starts by \
         ExecStartPre=+/usr/sbin/lrctl apply --unit %n in the service, or inherited from \
         a slice that stays.",
    )]);
    r.control("PP", []);
    r.text([
        bold("[global]"),
        line_break(),
        bold("mode = kswapd"),
        line_break(),
        bold("[unit postgresql.service]"),
        line_break(),
        bold("mode = kswapd,direct"),
        line_break(),
        bold("distance = 16"),
    ]);
    r.control("SH", ["EXIT STATUS"]);
    for (code, what) in [
        (
            "0",
            "Success; also when the reader of the output goes away (lrctl -j top | head -1).",
        ),
        ("1", "Any other I/O error."),
        ("2", "Usage: a bad command line."),
        ("3", "The local_reclaim module is not loaded."),
        ("4", "The kernel lacks the node reclaim policy series."),
        (
            "5",
            "No such cgroup, unit or process, or no memory controller in the cgroup.",
        ),
        ("6", "No cgroup2 file system is mounted."),
        ("7", "Permission denied: writes need CAP_SYS_ADMIN."),
        (
            "8",
            "A value invalid or out of range, or a bad configuration file (nothing is written).",
        ),
    ] {
        r.control("TP", []);
        r.text([bold(code)]);
        r.text([roman(what)]);
    }
    r.control("SH", ["ENVIRONMENT"]);
    r.control("TP", []);
    r.text([bold("LRCTL_ROOT")]);
    r.text([roman("As --root.")]);
    r.control("SH", ["FILES"]);
    for (f, what) in [
        (
            DEFAULT_CONFIG,
            "The configuration lrctl apply reads: [global], [cgroup PATH], [unit NAME.service] \
             and [slice NAME.slice] sections of mode = and distance = lines (see lrctl apply \
             --help and the admin guide).",
        ),
        (
            "/sys/kernel/mm/local_reclaim/",
            "The module's global knobs and counters.",
        ),
        (
            "/sys/fs/cgroup/*/memory.local_reclaim.{mode,distance,stat}",
            "The per-cgroup knobs and counters.",
        ),
        (
            "/lib/systemd/system/local_reclaim.service",
            "Runs lrctl apply at boot, after systemd-modules-load.service has loaded the \
             module (/usr/lib/modules-load.d/local_reclaim.conf).",
        ),
    ] {
        r.control("TP", []);
        r.text([italic(f)]);
        r.text([roman(what)]);
    }
    r.control("SH", ["EXAMPLES"]);
    for ex in [
        "lrctl status",
        "lrctl set postgresql.service --mode kswapd,direct --distance 16",
        "lrctl set --global --mode kswapd",
        "lrctl -p show --pid 1234",
        "lrctl -j top --interval 1",
        "lrctl apply --dry-run",
    ] {
        r.control("PP", []);
        r.text([bold(ex)]);
    }
    r.control("SH", ["SEE ALSO"]);
    r.text([roman(
        "numastat(8), systemd.resource-control(5), the local_reclaim admin guide \
         (Documentation/admin-guide.rst)",
    )]);
    r.to_roff()
}

/// lrctl.8.
pub fn man() -> String {
    let mut cmd = Cli::command();
    cmd.build();
    let man = Man::new(cmd.clone())
        .section("8")
        .manual("System Administration")
        .source(format!("lrctl {}", env!("CARGO_PKG_VERSION")));
    let mut s = rendered(|w| {
        man.render_title(w)?;
        man.render_name_section(w)?;
        man.render_synopsis_section(w)?;
        man.render_description_section(w)?;
        man.render_options_section(w)
    });
    s.push_str(&commands(&cmd));
    s.push_str(&trailer());
    s
}

/// A completion script.
pub fn completions(shell: Shell) -> String {
    // The same command without the hidden `gen`, which bash's and zsh's
    // generators would offer.
    let full = Cli::command();
    let mut cmd = clap::Command::new("lrctl")
        .version(env!("CARGO_PKG_VERSION"))
        .args(full.get_arguments().cloned())
        .subcommands(full.get_subcommands().filter(|c| !c.is_hide_set()).cloned());
    let sh = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    rendered(|w| {
        clap_complete::generate(sh, &mut cmd, "lrctl", w);
        Ok(())
    })
}
