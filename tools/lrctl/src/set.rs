// SPDX-License-Identifier: GPL-2.0
//! `lrctl set`: writes a cgroup's (or the global) mode and distance, after
//! checking both with the module's own parser, so that a bad value changes
//! nothing and is reported precisely.

use crate::cgroup::{self, DISTANCE_FILE, MODE_FILE};
use crate::error::{Error, Result};
use crate::policy::{self, ParseError};
use crate::root::{Root, GLOBAL_DIR};

/// What to set; `None` leaves a value as it is.
#[derive(Debug, Default, PartialEq)]
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

/// Checks a change before anything is written.
pub fn validate(c: &Change, global: bool) -> Result<()> {
    if c.mode.is_none() && c.distance.is_none() {
        return Err(Error::Usage("set needs --mode and/or --distance".into()));
    }
    if let Some(m) = &c.mode {
        if global {
            policy::Mode::parse(m.as_bytes()).map_err(|e| invalid("mode", m, e, MODE_VALUES))?;
        } else {
            policy::parse_mode_setting(m.as_bytes())
                .map_err(|e| invalid("mode", m, e, CG_MODE_VALUES))?;
        }
    }
    if let Some(d) = &c.distance {
        if global {
            policy::Distance::parse(d.as_bytes())
                .map_err(|e| invalid("distance", d, e, "10..254"))?;
        } else {
            policy::parse_distance_setting(d.as_bytes())
                .map_err(|e| invalid("distance", d, e, "inherit or 10..254"))?;
        }
    }
    Ok(())
}

pub fn run(root: &Root, target: Option<&str>, c: &Change) -> Result<()> {
    validate(c, target.is_none())?;
    let (mode_file, distance_file) = match target {
        None => {
            root.require_module()?;
            let dir = root.path(GLOBAL_DIR);
            (dir.join("mode"), dir.join("node_reclaim_distance"))
        }
        Some(arg) => {
            let cg = cgroup::resolve(root, arg)?;
            cgroup::require_files(root, &cg)?;
            (cg.file(MODE_FILE), cg.file(DISTANCE_FILE))
        }
    };
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
