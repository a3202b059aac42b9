// SPDX-License-Identifier: GPL-2.0
//! The report as text tables: one per scenario, then the overhead and
//! allocation-rate ratios and the goals the issue set, met or not.

use crate::model::{alloc_rate, overhead, rows, Row, Run, Spread, Topology};
use std::fmt::Write;

/// A plain text table: left-aligned first column, the rest right-aligned.
pub struct Table {
    head: Vec<String>,
    body: Vec<Vec<String>>,
}

impl Table {
    pub fn new(head: &[&str]) -> Table {
        Table {
            head: head.iter().map(|s| s.to_string()).collect(),
            body: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.body.push(cells);
    }

    pub fn render(&self) -> String {
        let cols = self.head.len();
        let mut width = vec![0; cols];
        for r in std::iter::once(&self.head).chain(&self.body) {
            for (i, c) in r.iter().enumerate().take(cols) {
                width[i] = width[i].max(c.chars().count());
            }
        }
        let mut out = String::new();
        for r in std::iter::once(&self.head).chain(&self.body) {
            let mut line = String::new();
            for (i, c) in r.iter().enumerate().take(cols) {
                if i == 0 {
                    let _ = write!(line, "{c:<w$}", w = width[i]);
                } else {
                    let _ = write!(line, "  {c:>w$}", w = width[i]);
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

/// A configuration's name as the reader knows it.
pub fn label(scenario: &str, config: &str) -> String {
    match (scenario, config) {
        (_, "default") if scenario == "gate" => "policy off".into(),
        (_, "default") => "default".into(),
        (_, "zrm") => "zone_reclaim_mode=1".into(),
        (_, "zrm_d10") => "zone_reclaim_mode=1, distance 10".into(),
        (_, "membind") => "MPOL_BIND to node 0".into(),
        ("neighbour", "agent") => "A off, user-space agent".into(),
        ("neighbour", "damos") => "A off, DAMOS".into(),
        (_, "agent") => "user-space agent on nodeN/reclaim".into(),
        (_, "damos") => "DAMOS pageout, node_mem_free_bp goal".into(),
        (_, c) if c.ends_with("_nb") => {
            format!("{}, NUMA balancing on", label(scenario, &c[..c.len() - 3]))
        }
        ("neighbour", "off") => "A off".into(),
        ("neighbour", c) => format!("A {}", c.replace('_', " ")),
        ("gate", c) if c.starts_with('d') => format!("kswapd direct, D={}", &c[1..]),
        (_, c) => format!("local_reclaim {}", c.replace('_', " ")),
    }
}

pub fn num(v: Option<f64>, prec: usize) -> String {
    match v {
        // A small negative delta (the node's cache grew by a few pages)
        // rounds to "-0": print it as the 0 it is.
        Some(v) => {
            let s = format!("{v:.prec$}");
            match s.strip_prefix('-') {
                Some(abs) if abs.bytes().all(|b| b == b'0' || b == b'.') => abs.into(),
                _ => s,
            }
        }
        None => "-".into(),
    }
}

/// Node 0's free memory when the workload started (the fill done, kswapd
/// idle), median MiB: a node that was not full explains a local%.
fn free0(row: &Row<'_>) -> String {
    num(
        row.med(|r| r.record.num("free_before_kb0").map(|kb| kb / 1024.0)),
        0,
    )
}

fn count(row: &Row<'_>, key: &str) -> String {
    num(row.med(|r| r.counters.get(key).copied()), 0)
}

/// The median over a row's repetitions, with [min-max] when there are
/// several.
fn med_range(row: &Row<'_>, f: impl Fn(&Run) -> Option<f64>, prec: usize) -> String {
    let v: Vec<f64> = row.runs.iter().filter_map(|r| f(r)).collect();
    match Spread::of(v) {
        Some(s) if s.n > 1 => spread(&s, prec),
        Some(s) => format!("{:.p$}", s.median, p = prec),
        None => "-".into(),
    }
}

/// Programs nobody here wrote: stress-ng (--vm, --mmap) on the filled
/// node, and Redis beside a neighbour's page cache.
pub fn apps(runs: &[Run], scenario: &str) -> String {
    let redis = scenario == "redis";
    let mut head = vec![
        "configuration",
        "local%",
        "numa_stat%",
        "numastat%",
        "evict/placed",
        "rate",
        "kswapd_steal",
        "direct_steal",
        "numa_bal",
        "N0_free_MiB",
    ];
    if redis {
        head.extend([
            "set_rps",
            "get_rps",
            "B_cache_N0_before_MiB",
            "B_cache_N0_after_MiB",
        ]);
    }
    let mut t = Table::new(&head);
    for row in rows(runs, scenario) {
        let f = row.first();
        let rec = |r: &Run, k: &str| r.record.num(k);
        let mut cells = vec![
            label(scenario, &f.config),
            med_range(&row, |r| Some(r.local_pct), 1),
            num(row.med(|r| r.numa_stat_local_pct), 1),
            num(row.med(|r| r.numastat_local_pct()), 1),
            num(row.med(|r| r.over_eviction), 2),
            num(row.med(|r| r.relative_rate), 2),
            count(&row, "pgsteal_kswapd"),
            count(&row, "pgsteal_direct"),
            num(rec(f, "numa_balancing"), 0),
            free0(&row),
        ];
        if redis {
            cells.extend([
                num(row.med(|r| rec(r, "set_rps")), 0),
                num(row.med(|r| rec(r, "get_rps")), 0),
                num(
                    row.med(|r| rec(r, "b_file_before_bytes0").map(|b| b / 1048576.0)),
                    0,
                ),
                num(
                    row.med(|r| rec(r, "b_file_after_bytes0").map(|b| b / 1048576.0)),
                    0,
                ),
            ]);
        }
        t.row(cells);
    }
    let what = match scenario {
        "apps_vm" => "stress-ng --vm (anonymous, kept and re-touched) on node 0's CPUs, node 0 full of page cache",
        "apps_mmap" => "stress-ng --mmap --mmap-file (a mapped file on ext4) on node 0's CPUs, node 0 full of page cache",
        _ => "redis-server on node 0's CPUs loaded by redis-benchmark (random keys, 4000-byte values) after cgroup B's dd filled node 0 with page cache",
    };
    format!(
        "Scenario \"{scenario}\": {what}; local% by move_pages(2) on the program's pages, \
         numastat% by numastat -p; N0_free_MiB: node 0's free memory when the program \
         started{}\n\n{}",
        reps_note(runs, scenario),
        t.render()
    )
}

fn spread(s: &Spread, prec: usize) -> String {
    format!("{:.p$} [{:.p$}-{:.p$}]", s.median, s.min, s.max, p = prec)
}

fn reps_note(runs: &[Run], scenario: &str) -> String {
    let max = rows(runs, scenario)
        .iter()
        .map(|r| r.runs.len())
        .max()
        .unwrap_or(0);
    if max > 1 {
        format!("; medians of {max} repetitions")
    } else {
        String::new()
    }
}

pub fn filled(runs: &[Run], topo: &Topology) -> String {
    let mut t = Table::new(&[
        "configuration",
        "size",
        "thr",
        "local%",
        "numa_stat%",
        "<=D%",
        "D",
        "cost*",
        "evict/placed",
        "rate",
        "kswapd_steal",
        "direct_steal",
        "allocstall",
        "lr_wakeups",
        "lr_direct",
        "lr_reclaimed",
        "numa_miss",
        "N0_free_MiB",
    ]);
    for row in rows(runs, "filled") {
        let f = row.first();
        t.row(vec![
            label("filled", &f.config),
            format!("{:.0}%", f.size_pct),
            format!("{:.0}", f.threads),
            med_range(&row, |r| Some(r.local_pct), 1),
            num(row.med(|r| r.numa_stat_local_pct), 1),
            num(row.med(|r| Some(r.within_pct)), 1),
            num(Some(f.distance), 0),
            num(row.med(|r| Some(r.modeled_cost)), 2),
            num(row.med(|r| r.over_eviction), 2),
            num(row.med(|r| r.relative_rate), 2),
            count(&row, "pgsteal_kswapd"),
            count(&row, "pgsteal_direct"),
            count(&row, "allocstall"),
            count(&row, "lr_kswapd_wakeups"),
            count(&row, "lr_direct_reclaims"),
            count(&row, "lr_pages_reclaimed"),
            count(&row, "numa_miss"),
            free0(&row),
        ]);
    }
    let sizes: Vec<String> = topo
        .memtotal_mib
        .iter()
        .map(|m| format!("{m:.0}"))
        .collect();
    // The workload sizes, each once, in the order they ran.
    let mut workloads: Vec<(f64, f64)> = Vec::new();
    for r in runs.iter().filter(|r| r.scenario == "filled") {
        if !workloads.iter().any(|&(pct, _)| pct == r.size_pct) {
            workloads.push((r.size_pct, r.mib));
        }
    }
    let workloads: Vec<String> = workloads
        .iter()
        .map(|(pct, mib)| format!("{pct:.0}% = {mib:.0} MiB"))
        .collect();
    format!(
        "Scenario \"filled node\": {} nodes (MemTotal {} MiB), distance {}; node 0 full of clean \
         page cache,\nthen an anon workload of SIZE% of node 0's capacity ({}; the capacity is \
         node 0's free\nmemory with the page cache dropped, less its high watermarks) on node 0's \
         CPUs; N0_free_MiB: node 0's free memory\nwhen the workload started{}\n\n{}",
        topo.nodes,
        sizes.join(" / "),
        topo.distance[0].get(1).copied().unwrap_or(0.0),
        workloads.join(", "),
        reps_note(runs, "filled"),
        t.render()
    )
}

pub fn gate(runs: &[Run], topo: &Topology) -> String {
    let mut head = vec!["configuration".to_string(), "D".into()];
    head.extend((0..topo.nodes).map(|n| format!("N{n}%")));
    head.extend(
        [
            "<=D%",
            "cost*",
            "N0_cache_lost_MiB",
            "N1_cache_lost_MiB",
            "rate",
            "lr_wakeups",
            "lr_direct",
            "lr_spilled",
        ]
        .map(String::from),
    );
    let head: Vec<&str> = head.iter().map(String::as_str).collect();
    let mut t = Table::new(&head);
    for row in rows(runs, "gate") {
        let f = row.first();
        let mut cells = vec![label("gate", &f.config), num(Some(f.distance), 0)];
        cells.extend(row.node_pct().iter().map(|p| format!("{p:.1}")));
        cells.extend([
            med_range(&row, |r| Some(r.within_pct), 1),
            num(row.med(|r| Some(r.modeled_cost)), 2),
            num(row.med(|r| r.cache_lost_mib(0)), 0),
            num(row.med(|r| r.cache_lost_mib(1)), 0),
            num(row.med(|r| r.relative_rate), 2),
            count(&row, "lr_kswapd_wakeups"),
            count(&row, "lr_direct_reclaims"),
            count(&row, "lr_spilled"),
        ]);
        t.row(cells);
    }
    let d: Vec<String> = topo
        .distance
        .iter()
        .map(|r| {
            r.iter()
                .map(|d| format!("{d:.0}"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    format!(
        "Scenario \"distance gate\": {} nodes, SLIT {}; most of node 0 mlocked by another task, \
         nodes 0 and 1 full of page cache,\na 40% workload on node 0's CPUs{}\n\n{}",
        topo.nodes,
        d.join(" / "),
        reps_note(runs, "gate"),
        t.render()
    )
}

pub fn neighbour(runs: &[Run]) -> String {
    let mut t = Table::new(&[
        "configuration",
        "A_local%",
        "A_rate",
        "A_evict/placed",
        "B_local%",
        "B_rate",
        "B_cache_N0_before_MiB",
        "B_cache_N0_after_MiB",
    ]);
    for row in rows(runs, "neighbour") {
        let nb = |f: &dyn Fn(&crate::model::Neighbour) -> Option<f64>| {
            row.med(|r| r.neighbour.as_ref().and_then(f))
        };
        t.row(vec![
            label("neighbour", &row.first().config),
            med_range(&row, |r| Some(r.local_pct), 1),
            num(row.med(|r| r.relative_rate), 2),
            num(row.med(|r| r.over_eviction), 2),
            med_range(&row, |r| r.neighbour.as_ref().map(|n| n.local_pct), 1),
            num(nb(&|n| n.relative_rate), 2),
            num(nb(&|n| Some(n.file_before_mib)), 0),
            num(nb(&|n| Some(n.file_after_mib)), 0),
        ]);
    }
    format!(
        "Scenario \"neighbour\": cgroup B's page cache fills node 0; A (40% of node 0) and B (20%) \
         fault anon at once on node 0's CPUs;\nB's mode is always off{}\n\n{}",
        reps_note(runs, "neighbour"),
        t.render()
    )
}

pub fn overhead_table(samples: &[crate::model::OverheadSample]) -> String {
    let mut t = Table::new(&[
        "module",
        "rounds",
        "rate vs unloaded: median [min-max]",
        "overhead",
    ]);
    for (v, what) in [
        ("off", "loaded, every mode off"),
        ("on", "loaded, \"kswapd direct\" for all"),
        ("busy_off", "busy kswapd: loaded, tenant off"),
        ("busy_on", "busy kswapd: loaded, tenant \"kswapd direct\""),
    ] {
        if let Some(s) = overhead(samples, v) {
            t.row(vec![
                what.into(),
                s.n.to_string(),
                spread(&s, 3),
                format!("{:+.1}%", (1.0 - s.median) * 100.0),
            ]);
        }
    }
    format!(
        "Overhead: page-fault rate of a workload that never runs short (node 0 empty; \
         \"busy kswapd\": while another tenant keeps node 0's kswapd awake, vs the module \
         unloaded under the same load), interleaved rounds in one boot\n\n{}",
        t.render()
    )
}

/// "guest: V vCPUs, host: C cores" for the allocation-rate guest, and
/// whether the host can run every vCPU at once (unknown counts as yes).
fn rate_guest(topo: Option<&Topology>) -> (String, bool) {
    let Some(t) = topo else {
        return (String::new(), true);
    };
    match t.host_cores {
        Some(c) => (
            format!("guest: {} vCPUs, host: {c} cores", t.vcpus),
            t.vcpus <= c,
        ),
        None => (
            format!("guest: {} vCPUs, host cores not recorded", t.vcpus),
            true,
        ),
    }
}

pub fn alloc_rate_table(runs: &[Run], topo: Option<&Topology>) -> String {
    let mut t = Table::new(&[
        "size",
        "threads",
        "reps",
        "kswapd direct / direct: median [min-max]",
        "direct_steal: direct",
        "kswapd direct",
        "kswapd's share",
    ]);
    let scenario = crate::model::alloc_rate_scenario(runs);
    // Medians over the cell's runs of one configuration.
    let med = |size: f64, threads: f64, config: &str, f: &dyn Fn(&Run) -> Option<f64>| {
        crate::model::median(
            runs.iter()
                .filter(|r| r.scenario == scenario && r.config == config)
                .filter(|r| r.size_pct == size && r.threads == threads)
                .filter_map(f)
                .collect(),
        )
    };
    let direct = |r: &Run| r.counters.get("pgsteal_direct").copied();
    let share = |r: &Run| {
        let k = *r.counters.get("pgsteal_kswapd")?;
        let d = *r.counters.get("pgsteal_direct")?;
        (k + d > 0.0).then(|| 100.0 * k / (k + d))
    };
    let num = |v: Option<f64>, unit: &str| v.map_or("-".into(), |v| format!("{v:.0}{unit}"));
    for (size, threads, s) in alloc_rate(runs) {
        t.row(vec![
            format!("{size:.0}%"),
            format!("{threads:.0}"),
            s.n.to_string(),
            spread(&s, 2),
            num(med(size, threads, "direct", &direct), ""),
            num(med(size, threads, "kswapd_direct", &direct), ""),
            num(med(size, threads, "kswapd_direct", &share), "%"),
        ]);
    }
    format!(
        "Allocation rate under reclaim: fault-in rate with \"kswapd direct\" / with \"direct\" \
         alone, filled node, same boot ({}); pages reclaimed by the faulting task (vmstat \
         pgsteal_direct, medians) and kswapd's share of all reclaim under \"kswapd direct\"\n\n{}",
        rate_guest(topo).0,
        t.render()
    )
}

/// The goals, each with the figure measured.
pub fn goals(
    runs: &[Run],
    samples: &[crate::model::OverheadSample],
    rate_topo: Option<&Topology>,
) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for row in rows(runs, "filled") {
        let f = row.first();
        if f.config == "kswapd_direct" && f.size_pct == 40.0 {
            let v = row.med(|r| Some(r.local_pct)).unwrap_or(0.0);
            out.push((
                format!(
                    "kswapd direct, 40%, {:.0} thread(s): {v:.1}% local (goal >= 99%)",
                    f.threads
                ),
                v >= 99.0,
            ));
        }
    }
    // Over-eviction is a per-run failure: the worst repetition of every
    // cell that places on a filled node counts, not the median.
    for (who, is_cfg) in [
        (
            "local_reclaim",
            (|c: &str| c.contains("kswapd") || c.contains("direct")) as fn(&str) -> bool,
        ),
        ("zone_reclaim_mode", |c: &str| c.starts_with("zrm")),
    ] {
        let worst = ["filled", "neighbour", "redis"]
            .iter()
            .flat_map(|s| runs.iter().filter(move |r| r.scenario == *s))
            .filter(|r| is_cfg(&r.config))
            .filter_map(|r| Some((r.over_eviction?, r)))
            .max_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((v, r)) = worst {
            out.push((
                format!(
                    "over-eviction, worst {who} run of the filled, neighbour and redis scenarios \
                     ({} {}, {:.0}%, {:.0} thread(s), rep {:.0}): {v:.2} (goal <= 1.05)",
                    r.scenario,
                    label(&r.scenario, &r.config),
                    r.size_pct,
                    r.threads,
                    r.rep
                ),
                v <= 1.05,
            ));
        }
    }
    let (guest, fits) = rate_guest(rate_topo);
    for (size, threads, s) in alloc_rate(runs) {
        // kswapd reclaiming beside the faulting task needs a CPU of its
        // own; with more vCPUs than host cores the ratio says nothing.
        let verdict = if fits {
            ""
        } else {
            "; cannot tell: the guest's vCPUs outnumber the host's cores"
        };
        out.push((
            format!(
                "allocation rate, kswapd direct / direct, {size:.0}%, {threads:.0} thread(s): {:.2} \
                 (goal >= 2; {guest}{verdict})",
                s.median
            ),
            fits && s.median >= 2.0,
        ));
    }
    for v in ["off", "on", "busy_off", "busy_on"] {
        if let Some(s) = overhead(samples, v) {
            out.push(overhead_goal(v, &s));
        }
    }
    out
}

/// Overhead is two-sided: a goal of at most 1% is met only when the
/// median is within 1% of the unloaded rate AND the rounds' spread is
/// narrow enough (within +-1%) to tell; a speed-up, or a spread wider than
/// the goal, is reported as noise, not as met.
pub fn overhead_goal(v: &str, s: &Spread) -> (String, bool) {
    let o = (1.0 - s.median) * 100.0;
    let noise = (s.max - s.min) * 50.0;
    let met = o.abs() <= 1.0 && noise <= 1.0;
    let verdict = if met {
        "".to_string()
    } else if noise > 1.0 {
        format!("; rounds spread +-{noise:.1}%: noise, cannot tell")
    } else {
        "; outside +-1% either way".to_string()
    };
    (
        format!(
            "overhead, module loaded with policy {v}: {o:+.1}% [{:+.1}% to {:+.1}%] (goal |overhead| <= 1%){verdict}",
            (1.0 - s.max) * 100.0,
            (1.0 - s.min) * 100.0
        ),
        met,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tests::{run, topo2};

    #[test]
    fn num_prints_no_negative_zero() {
        assert_eq!(num(Some(-0.3), 0), "0");
        assert_eq!(num(Some(-0.04), 1), "0.0");
        assert_eq!(num(Some(-0.6), 0), "-1");
        assert_eq!(num(Some(-0.06), 1), "-0.1");
        assert_eq!(num(Some(2.5), 1), "2.5");
        assert_eq!(num(None, 1), "-");
    }

    #[test]
    fn gate_shows_the_range_of_repetitions() {
        let mut a = run("d16", 990, 10, 50.0, 0);
        let mut b = run("d16", 500, 500, 50.0, 0);
        for (r, rep) in [(&mut a, 1.0), (&mut b, 2.0)] {
            r.scenario = "gate".into();
            r.rep = rep;
            r.within_pct = 100.0 * rep / 2.0;
        }
        let t = gate(&[a, b], &topo2());
        assert!(t.contains("75.0 [50.0-100.0]"), "{t}");
    }

    #[test]
    fn rate_table_shows_kswapds_share() {
        let mut d = run("direct", 990, 10, 50.0, 0);
        d.counters.insert("pgsteal_kswapd".into(), 0.0);
        d.counters.insert("pgsteal_direct".into(), 800.0);
        let mut kd = run("kswapd_direct", 990, 10, 60.0, 0);
        kd.counters.insert("pgsteal_kswapd".into(), 600.0);
        kd.counters.insert("pgsteal_direct".into(), 200.0);
        let t = alloc_rate_table(&[d, kd], None);
        let row = t.lines().last().unwrap();
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(cols[cols.len() - 3..], ["800", "200", "75%"], "{t}");
    }

    #[test]
    fn rate_goal_needs_a_core_per_vcpu() {
        let runs = vec![
            run("direct", 990, 10, 50.0, 0),
            run("kswapd_direct", 990, 10, 125.0, 0),
        ];
        let goal = |vcpus, cores| {
            let mut t = topo2();
            t.vcpus = vcpus;
            t.host_cores = cores;
            goals(&runs, &[], Some(&t))
                .into_iter()
                .find(|(g, _)| g.starts_with("allocation rate"))
                .unwrap()
        };
        assert!(goal(2, Some(2)).1);
        assert!(goal(2, None).1);
        let (text, met) = goal(4, Some(2));
        assert!(!met);
        assert!(text.contains("cannot tell"), "{text}");
    }

    #[test]
    fn overhead_is_two_sided() {
        let s = |median, min, max| Spread {
            n: 5,
            median,
            min,
            max,
        };
        assert!(overhead_goal("on", &s(0.995, 0.993, 0.998)).1);
        // A speed-up is not a met goal.
        assert!(!overhead_goal("on", &s(1.05, 1.04, 1.06)).1);
        // Nor is a median near 1 with rounds all over the place.
        assert!(!overhead_goal("on", &s(1.0, 0.76, 1.41)).1);
        assert!(overhead_goal("on", &s(1.0, 0.76, 1.41)).0.contains("noise"));
    }

    #[test]
    fn renders_aligned_columns() {
        let mut t = Table::new(&["name", "n"]);
        t.row(vec!["a".into(), "1".into()]);
        t.row(vec!["longer".into(), "100".into()]);
        assert_eq!(t.render(), "name      n\na         1\nlonger  100\n");
    }

    #[test]
    fn labels() {
        assert_eq!(
            label("filled", "kswapd_direct_unmap"),
            "local_reclaim kswapd direct unmap"
        );
        assert_eq!(label("gate", "d16"), "kswapd direct, D=16");
        assert_eq!(label("gate", "default"), "policy off");
        assert_eq!(label("neighbour", "kswapd_direct"), "A kswapd direct");
        assert_eq!(label("neighbour", "agent"), "A off, user-space agent");
        assert_eq!(
            label("apps_vm", "damos"),
            "DAMOS pageout, node_mem_free_bp goal"
        );
        assert_eq!(
            label("apps_vm", "kswapd_direct_nb"),
            "local_reclaim kswapd direct, NUMA balancing on"
        );
        assert_eq!(num(None, 1), "-");
        assert_eq!(num(Some(1.25), 1), "1.2");
    }
}
