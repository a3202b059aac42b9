// SPDX-License-Identifier: GPL-2.0
//! `lrctl top` (or `watch`): per-cgroup, per-node rates of the module's
//! counters, refreshed every interval, busiest first.

use crate::cgroup;
use crate::error::Result;
use crate::out::{self, Format};
use crate::root::Root;
use crate::stat::Stat;
use json_out::Json;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// The counters shown, as (stat name, column title).
const COLUMNS: [(&str, &str); 5] = [
    ("kswapd_wakeups", "wakeups/s"),
    ("direct_reclaims", "direct/s"),
    ("pages_reclaimed", "reclaimed/s"),
    ("kept", "kept/s"),
    ("spilled", "spilled/s"),
];

/// All stats at one instant, keyed by cgroup name ("(all)" is the global).
fn sample(root: &Root) -> Result<BTreeMap<String, Stat>> {
    root.require_module()?;
    let mut m = BTreeMap::new();
    m.insert("(all)".to_string(), Stat::parse(&root.global_stat()?));
    for cg in cgroup::all(root)? {
        // A cgroup removed between listing and reading is simply gone.
        if let Ok(text) = std::fs::read_to_string(cg.file(cgroup::STAT_FILE)) {
            m.insert(cg.name, Stat::parse(&text));
        }
    }
    Ok(m)
}

/// One row: cgroup, node, rate per column.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub cgroup: String,
    pub node: u32,
    pub rates: [f64; 5],
}

/// Rates between two samples `secs` apart; rows with no activity are left
/// out.  Counters that went backwards (a recreated cgroup) count from 0.
pub fn rates(
    before: &BTreeMap<String, Stat>,
    after: &BTreeMap<String, Stat>,
    secs: f64,
) -> Vec<Row> {
    let mut rows = Vec::new();
    for (name, now) in after {
        let then = before.get(name);
        for node in now.nodes() {
            let mut r = [0.0; 5];
            for (i, (c, _)) in COLUMNS.iter().enumerate() {
                let a = now.get(c, node);
                let b = then.map_or(0, |t| t.get(c, node));
                r[i] = a.checked_sub(b).unwrap_or(a) as f64 / secs;
            }
            if r.iter().any(|&v| v > 0.0) {
                rows.push(Row {
                    cgroup: name.clone(),
                    node,
                    rates: r,
                });
            }
        }
    }
    rows.sort_by(|a, b| {
        b.rates[2]
            .total_cmp(&a.rates[2])
            .then(a.cgroup.cmp(&b.cgroup))
            .then(a.node.cmp(&b.node))
    });
    rows
}

pub fn render(rows: &[Row], secs: f64) -> String {
    let mut s = format!("local_reclaim activity over the last {secs:.1} s\n\n");
    let width = rows
        .iter()
        .map(|r| r.cgroup.len())
        .max()
        .unwrap_or(6)
        .max(6);
    let _ = write!(s, "{:<width$}  {:>4}", "cgroup", "node");
    for (_, title) in COLUMNS {
        let _ = write!(s, "  {title:>11}");
    }
    s.push('\n');
    if rows.is_empty() {
        s.push_str("(no activity)\n");
    }
    for r in rows {
        let _ = write!(s, "{:<width$}  {:>4}", r.cgroup, format!("N{}", r.node));
        for v in r.rates {
            let _ = write!(s, "  {v:>11.1}");
        }
        s.push('\n');
    }
    s
}

pub fn json(rows: &[Row], secs: f64) -> Json {
    Json::obj(vec![
        ("interval_s", Json::Num(secs)),
        (
            "rows",
            Json::Arr(
                rows.iter()
                    .map(|r| {
                        let mut f = vec![("cgroup".to_string(), Json::Str(r.cgroup.clone()))];
                        f.push(("node".into(), Json::UInt(r.node.into())));
                        for (i, (c, _)) in COLUMNS.iter().enumerate() {
                            f.push((format!("{c}_per_s"), Json::Num(r.rates[i])));
                        }
                        Json::Obj(f)
                    })
                    .collect(),
            ),
        ),
    ])
}

/// Refreshes every `interval` until interrupted, or `count` times.
pub fn run(root: &Root, interval: Duration, count: Option<u64>, format: Format) -> Result<()> {
    let clear = !format.is_json() && std::io::stdout().is_terminal();
    let mut before = sample(root)?;
    let mut t0 = Instant::now();
    let mut n = 0;
    while count.is_none_or(|c| n < c) {
        std::thread::sleep(interval);
        let after = sample(root)?;
        let secs = t0.elapsed().as_secs_f64();
        let rows = rates(&before, &after, secs);
        // A reader that went away ends the loop (out::print's Closed).
        if format.is_json() {
            out::print(&format.render(&json(&rows, secs)))?;
        } else {
            let home = if clear { "\x1b[H\x1b[2J" } else { "" };
            out::print(&format!("{home}{}", render(&rows, secs)))?;
        }
        before = after;
        t0 = Instant::now();
        n += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_skip_idle_rows_and_sort_busiest_first() {
        let mut b = BTreeMap::new();
        let mut a = BTreeMap::new();
        b.insert(
            "/x".to_string(),
            Stat::parse("kswapd_wakeups N0=1 N1=5\npages_reclaimed N0=0 N1=0\n"),
        );
        a.insert(
            "/x".to_string(),
            Stat::parse("kswapd_wakeups N0=3 N1=5\npages_reclaimed N0=10 N1=0\n"),
        );
        a.insert(
            "/y".to_string(),
            Stat::parse("pages_reclaimed N0=40 N1=0\n"),
        );
        let rows = rates(&b, &a, 2.0);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].cgroup, "/y");
        assert_eq!(rows[0].rates[2], 20.0);
        assert_eq!(rows[1].rates, [1.0, 0.0, 5.0, 0.0, 0.0]);
        assert!(render(&rows, 2.0).contains("/y"));
        assert!(render(&[], 1.0).contains("(no activity)"));
    }
}
