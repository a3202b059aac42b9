// SPDX-License-Identifier: GPL-2.0
//! The man page and the shell completions checked in under doc/ and
//! completions/ (and installed by `make install`) are what `lrctl gen`
//! makes from the command line's definitions today.  After changing
//! src/cli.rs: `LRCTL_BLESS=1 cargo test --test generated` rewrites them.

use std::path::Path;
use std::process::Command;

fn check(args: &[&str], file: &str) -> Option<String> {
    let o = Command::new(env!("CARGO_BIN_EXE_lrctl"))
        .args(args)
        .output()
        .expect("run lrctl");
    assert!(o.status.success(), "lrctl {args:?} failed");
    let now = String::from_utf8(o.stdout).expect("utf-8");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    if std::env::var_os("LRCTL_BLESS").is_some() {
        std::fs::write(&path, &now).expect("write");
        return None;
    }
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    (old != now).then(|| format!("{file} is out of date"))
}

#[test]
fn generated_files_are_current() {
    let stale: Vec<String> = [
        (&["gen", "man"][..], "doc/lrctl.8"),
        (&["gen", "completions", "bash"], "completions/lrctl.bash"),
        (&["gen", "completions", "zsh"], "completions/_lrctl"),
        (&["gen", "completions", "fish"], "completions/lrctl.fish"),
    ]
    .into_iter()
    .filter_map(|(a, f)| check(a, f))
    .collect();
    assert!(
        stale.is_empty(),
        "{}; regenerate with: LRCTL_BLESS=1 cargo test --test generated",
        stale.join(", ")
    );
}
