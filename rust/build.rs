// SPDX-License-Identifier: GPL-2.0

//! Host build only: gives `host.rs` the kernel crate's `impl_flags!` from
//! the 7.3 source the module is built against, so that the host tests and
//! the module share one definition.  The source is `$LR_KSRC` if set, else
//! the project's pristine copy (`scripts/fetch-kernel` prints its path and
//! downloads it on first use).

use std::{env, fs, path::PathBuf, process::Command};

fn kernel_source() -> Result<PathBuf, String> {
    if let Ok(src) = env::var("LR_KSRC") {
        return Ok(PathBuf::from(src));
    }
    // This file is rust/build.rs, whichever package builds with it.
    let build_rs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(file!());
    let rust_dir = build_rs.parent().ok_or("build.rs has no directory")?;
    let script = rust_dir.join("../scripts/fetch-kernel");
    let out = Command::new(&script)
        .output()
        .map_err(|e| format!("{}: {e}", script.display()))?;
    if !out.status.success() {
        return Err(format!(
            "{} failed: {}",
            script.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let path = String::from_utf8_lossy(&out.stdout);
    let path = path.lines().last().unwrap_or_default().trim();
    Ok(PathBuf::from(path))
}

fn main() -> Result<(), String> {
    println!("cargo:rerun-if-env-changed=LR_KSRC");
    let macro_file = kernel_source()?.join("rust/kernel/impl_flags.rs");
    println!("cargo:rerun-if-changed={}", macro_file.display());
    let text =
        fs::read_to_string(&macro_file).map_err(|e| format!("{}: {e}", macro_file.display()))?;
    // Inner documentation cannot be `include!`d, and the outer one holds an
    // example that needs the kernel crate: keep the code only.  A macro
    // exported from an `include!` cannot be reached by path, so `host.rs`
    // re-exports it with `use` instead of `#[macro_export]`.
    let code: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//") && l.trim() != "#[macro_export]")
        .flat_map(|l| [l, "\n"])
        .collect();
    if !code.contains("macro_rules! impl_flags") {
        return Err(format!("{}: no impl_flags! macro", macro_file.display()));
    }
    let out = PathBuf::from(env::var("OUT_DIR").map_err(|e| e.to_string())?).join("impl_flags.rs");
    fs::write(&out, code).map_err(|e| format!("{}: {e}", out.display()))
}
