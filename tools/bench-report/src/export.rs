// SPDX-License-Identifier: GPL-2.0
//! The machine-readable results: `results.json` (every run with its raw
//! record and derived figures, plus the overhead and allocation-rate
//! ratios) and `results.csv` (one row per run).

use crate::model::{alloc_rate, overhead, OverheadSample, Run, Spread, Topology};
use crate::table::label;
use json_out::Json;

fn opt(v: Option<f64>) -> Json {
    v.map_or(Json::Null, Json::Num)
}

fn spread(s: Option<Spread>) -> Json {
    match s {
        None => Json::Null,
        Some(s) => Json::obj(vec![
            ("rounds", Json::Num(s.n as f64)),
            ("median", Json::Num(s.median)),
            ("min", Json::Num(s.min)),
            ("max", Json::Num(s.max)),
        ]),
    }
}

fn run_json(r: &Run) -> Json {
    let mut f = vec![
        ("boot", Json::Num(r.boot as f64)),
        ("scenario", Json::Str(r.scenario.clone())),
        ("config", Json::Str(r.config.clone())),
        ("label", Json::Str(label(&r.scenario, &r.config))),
        ("size_pct", Json::Num(r.size_pct)),
        ("threads", Json::Num(r.threads)),
        ("rep", Json::Num(r.rep)),
        ("node", Json::Num(r.node as f64)),
        ("mib", Json::Num(r.mib)),
        ("distance", Json::Num(r.distance)),
        ("pages", Json::Num(r.pages)),
        (
            "pages_per_node",
            Json::Arr(r.node_pages.iter().map(|&p| Json::Num(p)).collect()),
        ),
        ("local_pct", Json::Num(r.local_pct)),
        ("numa_stat_local_pct", opt(r.numa_stat_local_pct)),
        ("within_distance_pct", Json::Num(r.within_pct)),
        ("modeled_cost", Json::Num(r.modeled_cost)),
        ("evicted_local_pages", Json::Num(r.evicted_local_pages)),
        ("over_eviction", opt(r.over_eviction)),
        ("relative_rate", opt(r.relative_rate)),
        (
            "counters",
            Json::Obj(
                r.counters
                    .iter()
                    .map(|(k, v)| (k.clone(), Json::Num(*v)))
                    .collect(),
            ),
        ),
    ];
    if let Some(n) = &r.neighbour {
        f.push((
            "neighbour_b",
            Json::obj(vec![
                (
                    "pages_per_node",
                    Json::Arr(n.node_pages.iter().map(|&p| Json::Num(p)).collect()),
                ),
                ("local_pct", Json::Num(n.local_pct)),
                ("relative_rate", opt(n.relative_rate)),
                ("page_cache_before_mib", Json::Num(n.file_before_mib)),
                ("page_cache_after_mib", Json::Num(n.file_after_mib)),
            ]),
        ));
    }
    f.push((
        "raw",
        Json::Obj(
            r.record
                .fields
                .iter()
                .map(|(k, v)| (k.clone(), Json::Str(v.clone())))
                .collect(),
        ),
    ));
    Json::obj(f)
}

fn topo_json(t: &Topology) -> Json {
    Json::obj(vec![
        ("nodes", Json::Num(t.nodes as f64)),
        ("reclaim_distance", Json::Num(t.reclaim_distance)),
        (
            "distance",
            Json::Arr(
                t.distance
                    .iter()
                    .map(|r| Json::Arr(r.iter().map(|&d| Json::Num(d)).collect()))
                    .collect(),
            ),
        ),
        (
            "memtotal_mib",
            Json::Arr(t.memtotal_mib.iter().map(|&m| Json::Num(m)).collect()),
        ),
        ("vcpus", Json::Num(t.vcpus as f64)),
        (
            "host_cores",
            t.host_cores.map_or(Json::Null, |c| Json::Num(c as f64)),
        ),
    ])
}

pub fn json(
    command: &str,
    boots: &[(String, Topology)],
    runs: &[Run],
    samples: &[OverheadSample],
    goals: &[(String, bool)],
) -> String {
    let doc = Json::obj(vec![
        ("generator", Json::Str("lr-bench-report".into())),
        ("command", Json::Str(command.into())),
        (
            "boots",
            Json::Arr(
                boots
                    .iter()
                    .map(|(log, t)| {
                        Json::obj(vec![
                            ("log", Json::Str(log.clone())),
                            ("topology", topo_json(t)),
                        ])
                    })
                    .collect(),
            ),
        ),
        ("runs", Json::Arr(runs.iter().map(run_json).collect())),
        (
            "overhead",
            Json::obj(vec![
                ("loaded_off_vs_unloaded", spread(overhead(samples, "off"))),
                ("loaded_on_vs_unloaded", spread(overhead(samples, "on"))),
                (
                    "busy_kswapd_off_vs_unloaded",
                    spread(overhead(samples, "busy_off")),
                ),
                (
                    "busy_kswapd_on_vs_unloaded",
                    spread(overhead(samples, "busy_on")),
                ),
            ]),
        ),
        (
            "alloc_rate_kswapd_direct_vs_direct",
            Json::Arr(
                alloc_rate(runs)
                    .into_iter()
                    .map(|(size, threads, s)| {
                        Json::obj(vec![
                            ("size_pct", Json::Num(size)),
                            ("threads", Json::Num(threads)),
                            ("ratio", spread(Some(s))),
                        ])
                    })
                    .collect(),
            ),
        ),
        (
            "goals",
            Json::Arr(
                goals
                    .iter()
                    .map(|(g, met)| {
                        Json::obj(vec![
                            ("goal", Json::Str(g.clone())),
                            ("met", Json::Bool(*met)),
                        ])
                    })
                    .collect(),
            ),
        ),
    ]);
    let mut out = String::new();
    doc.render(&mut out, 0);
    out.push('\n');
    out
}

pub fn csv(runs: &[Run]) -> String {
    let nodes = runs.iter().map(|r| r.node_pages.len()).max().unwrap_or(0);
    let mut head: Vec<String> = [
        "scenario",
        "config",
        "label",
        "size_pct",
        "threads",
        "rep",
        "distance",
        "pages",
        "local_pct",
        "numa_stat_local_pct",
        "within_distance_pct",
        "modeled_cost",
        "over_eviction",
        "relative_rate",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    head.extend((0..nodes).map(|n| format!("pages_node{n}")));
    head.extend((0..nodes).map(|n| format!("cache_lost_mib_node{n}")));
    head.extend(crate::model::COUNTERS.iter().map(|s| s.to_string()));
    let mut out = head.join(",");
    out.push('\n');
    let f = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v}"));
    for r in runs {
        let mut cells = vec![
            r.scenario.clone(),
            r.config.clone(),
            format!("\"{}\"", label(&r.scenario, &r.config)),
            f(Some(r.size_pct)),
            f(Some(r.threads)),
            f(Some(r.rep)),
            f(Some(r.distance)),
            f(Some(r.pages)),
            format!("{:.2}", r.local_pct),
            r.numa_stat_local_pct
                .map_or(String::new(), |v| format!("{v:.2}")),
            format!("{:.2}", r.within_pct),
            format!("{:.4}", r.modeled_cost),
            r.over_eviction.map_or(String::new(), |v| format!("{v:.4}")),
            r.relative_rate.map_or(String::new(), |v| format!("{v:.4}")),
        ];
        cells.extend((0..nodes).map(|n| f(r.node_pages.get(n).copied())));
        cells.extend((0..nodes).map(|n| {
            r.cache_lost_mib(n)
                .map_or(String::new(), |v| format!("{v:.1}"))
        }));
        cells.extend(
            crate::model::COUNTERS
                .iter()
                .map(|k| f(r.counters.get(*k).copied())),
        );
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_has_one_row_per_run_and_equal_columns() {
        let topo = crate::model::tests::topo2();
        let runs: Vec<Run> = ["default", "direct"]
            .iter()
            .map(|c| {
                let rec =
                    crate::record::Record::parse(&crate::model::tests::run_line(c, 10, 20, 5.0, 0))
                        .unwrap();
                Run::from_record(0, &topo, &rec).unwrap()
            })
            .collect();
        let out = csv(&runs);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 3);
        let n = lines[0].split(',').count();
        assert!(lines.iter().all(|l| l.split(',').count() == n));
    }
}
