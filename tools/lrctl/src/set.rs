// SPDX-License-Identifier: GPL-2.0
//! `lrctl set`: writes a cgroup's (or the global) mode and distance, after
//! checking both with the module's own parser, so that a bad value changes
//! nothing and is reported precisely.

use crate::cgroup::{self, Cgroup, DISTANCE_FILE, MODE_FILE};
use crate::cli::Target;
use crate::error::{Error, Result};
use crate::policy::{self, ParseError};
use crate::root::{Root, GLOBAL_DIR};
use std::path::PathBuf;

/// What to set; `None` leaves a value as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Change {
    pub mode: Option<String>,
    pub distance: Option<String>,
}

fn invalid(what: &str, value: &str, e: ParseError, range: &str) -> Error {
    match e {
        ParseError::OutOfRange => Error::Invalid(format!("{what} '{value}' out of range: {range}")),
        ParseError::Invalid => Error::Invalid(format!("{what} '{value}' is not {range}")),
    }
}

const MODE_VALUES: &str = "off, or flags among kswapd, direct, unmap";
const CG_MODE_VALUES: &str = "inherit, off, or flags among kswapd, direct, unmap";

/// A mode as the module reads it: `memory.local_reclaim.stat` prints
/// `mode=kswapd,direct`, so commas separate flags as blanks do.
fn mode_words(m: &str) -> String {
    m.replace(',', " ")
}

/// Checks a change before anything is written, and returns the values to
/// write, in the module's canonical form (`kswapd direct`).
pub fn validate(c: &Change, global: bool) -> Result<Change> {
    if c.mode.is_none() && c.distance.is_none() {
        return Err(Error::Usage("set needs --mode and/or --distance".into()));
    }
    let mode = match &c.mode {
        None => None,
        Some(m) if global => Some(
            policy::Mode::parse(mode_words(m).as_bytes())
                .map_err(|e| invalid("mode", m, e, MODE_VALUES))?
                .to_string(),
        ),
        Some(m) => Some(
            policy::parse_mode_setting(mode_words(m).as_bytes())
                .map_err(|e| invalid("mode", m, e, CG_MODE_VALUES))?
                .to_string(),
        ),
    };
    let distance = match &c.distance {
        None => None,
        Some(d) if global => Some(
            policy::Distance::parse(d.as_bytes())
                .map_err(|e| invalid("distance", d, e, "10..254"))?
                .to_string(),
        ),
        Some(d) => Some(
            policy::parse_distance_setting(d.as_bytes())
                .map_err(|e| invalid("distance", d, e, "inherit or 10..254"))?
                .to_string(),
        ),
    };
    Ok(Change { mode, distance })
}

/// The files a target's mode and distance live in: the global ones, or a
/// cgroup's (which must have them).
pub fn files(root: &Root, target: Option<&Cgroup>) -> Result<(PathBuf, PathBuf)> {
    match target {
        None => {
            root.require_module()?;
            let dir = root.path(GLOBAL_DIR);
            Ok((dir.join("mode"), dir.join("node_reclaim_distance")))
        }
        Some(cg) => {
            cgroup::require_files(root, cg)?;
            Ok((cg.file(MODE_FILE), cg.file(DISTANCE_FILE)))
        }
    }
}

pub fn run(root: &Root, target: Option<&Target>, c: &Change) -> Result<()> {
    let c = validate(c, target.is_none())?;
    let cg = target
        .map(|t| cgroup::resolve_target(root, t))
        .transpose()?;
    let (mode_file, distance_file) = files(root, cg.as_ref())?;
    if let Some(m) = &c.mode {
        root.write(&mode_file, m)?;
    }
    if let Some(d) = &c.distance {
        root.write(&distance_file, d)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ch(mode: Option<&str>, distance: Option<&str>) -> Change {
        Change {
            mode: mode.map(String::from),
            distance: distance.map(String::from),
        }
    }

    #[test]
    fn validation_matches_the_module() {
        assert!(validate(&ch(Some("kswapd direct"), Some("21")), false).is_ok());
        // The stat file's form, in any order, comes out canonical.
        assert_eq!(
            validate(&ch(Some("direct,kswapd"), Some("021")), true),
            Ok(ch(Some("kswapd direct"), Some("21")))
        );
        assert_eq!(
            validate(&ch(Some("unmap, direct"), None), false),
            Ok(ch(Some("direct unmap"), None))
        );
        assert!(validate(&ch(Some("kswapd,,off"), None), false).is_err());
        assert!(validate(&ch(Some("inherit"), Some("inherit")), false).is_ok());
        assert_eq!(
            validate(&ch(Some("inherit"), None), true)
                .unwrap_err()
                .exit_code(),
            8
        );
        let e = validate(&ch(None, Some("300")), false).unwrap_err();
        assert_eq!(e.exit_code(), 8);
        assert!(e.to_string().contains("out of range"), "{e}");
        assert!(validate(&ch(Some("kswapd off"), None), false).is_err());
        assert!(validate(&ch(Some("fast"), None), false).is_err());
        assert_eq!(validate(&ch(None, None), false).unwrap_err().exit_code(), 2);
    }
}
