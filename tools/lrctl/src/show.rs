// SPDX-License-Identifier: GPL-2.0
//! `lrctl show CGROUP`: the configured and effective mode and distance, and
//! the cgroup's per-node counters.

use crate::cgroup::{self, Cgroup, Settings};
use crate::cli::Target;
use crate::error::Result;
use crate::out::{self, Format};
use crate::root::Root;
use json_out::Json;
use std::fmt::Write;

/// The counters as `memory.numa_stat`-style JSON: {"name": {"N0": v, ...}}.
pub fn counters_json(s: &Settings) -> Json {
    Json::Obj(
        s.stat
            .counters
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    Json::Obj(
                        v.iter()
                            .map(|(n, c)| (format!("N{n}"), Json::UInt(*c)))
                            .collect(),
                    ),
                )
            })
            .collect(),
    )
}

pub fn render(cg: &Cgroup, s: &Settings, format: Format) -> String {
    let (eff_mode, eff_dist) = s
        .stat
        .effective
        .as_ref()
        .map(|(m, d)| (m.replace(',', " "), d.to_string()))
        .unwrap_or(("?".into(), "?".into()));
    if format.is_json() {
        return format.render(&Json::obj(vec![
            ("cgroup", Json::Str(cg.name.clone())),
            (
                "configured",
                Json::obj(vec![
                    ("mode", Json::Str(s.mode.clone())),
                    ("distance", Json::Str(s.distance.clone())),
                ]),
            ),
            (
                "effective",
                Json::obj(vec![
                    ("mode", Json::Str(eff_mode)),
                    (
                        "distance",
                        s.stat
                            .effective
                            .as_ref()
                            .map_or(Json::Null, |(_, d)| Json::UInt((*d).into())),
                    ),
                ]),
            ),
            ("counters", counters_json(s)),
        ]));
    }
    let mut out = String::new();
    let _ = writeln!(out, "cgroup:    {}", cg.name);
    let _ = writeln!(out, "mode:      {:<16} effective: {eff_mode}", s.mode);
    let _ = writeln!(out, "distance:  {:<16} effective: {eff_dist}", s.distance);
    let nodes = s.stat.nodes();
    let _ = write!(out, "\n{:<18}", "counter");
    for n in &nodes {
        let _ = write!(out, "{:>12}", format!("N{n}"));
    }
    out.push('\n');
    for (k, _) in &s.stat.counters {
        let _ = write!(out, "{k:<18}");
        for n in &nodes {
            let _ = write!(out, "{:>12}", s.stat.get(k, *n));
        }
        out.push('\n');
    }
    out
}

pub fn run(root: &Root, target: &Target, format: Format) -> Result<()> {
    let cg = cgroup::resolve_target(root, target)?;
    let s = cgroup::settings(root, &cg)?;
    out::print(&render(&cg, &s, format))
}
