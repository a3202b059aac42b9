// SPDX-License-Identifier: GPL-2.0
//! From raw records to the figures the report shows: placement per node,
//! the share within distance D, the modeled access cost, the over-eviction
//! ratio, fault-in rates relative to the same boot's baseline, the
//! overhead and allocation-rate ratios, and medians over repetitions.

use crate::record::Record;
use std::collections::BTreeMap;

/// Bytes of a base page on the guests (x86-64).
pub const PAGE_BYTES: f64 = 4096.0;

/// One guest boot's NUMA topology, from its `@topology` record.
#[derive(Debug, Clone, PartialEq)]
pub struct Topology {
    pub nodes: usize,
    /// SLIT distances, `distance[from][to]`.
    pub distance: Vec<Vec<f64>>,
    /// The kernel's node_reclaim_distance at boot.
    pub reclaim_distance: f64,
    pub memtotal_mib: Vec<f64>,
    /// The guest's CPUs, counted from the `cpusN=` lists.
    pub vcpus: usize,
    /// The host's cores, from the `@host` record `scripts/bench` writes
    /// ahead of the guest's output.
    pub host_cores: Option<usize>,
}

/// CPUs in a kernel cpulist ("0-1,4"); None when it does not parse.
fn cpulist_len(s: &str) -> Option<usize> {
    let mut n = 0;
    for part in s.split(',').filter(|p| !p.is_empty()) {
        n += match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (a.parse::<usize>().ok()?, b.parse::<usize>().ok()?);
                b.checked_sub(a)? + 1
            }
            None => {
                part.parse::<usize>().ok()?;
                1
            }
        };
    }
    Some(n)
}

impl Topology {
    pub fn from_record(r: &Record) -> Result<Topology, String> {
        let nodes = r.num("nodes").ok_or("@topology without nodes=")? as usize;
        if nodes == 0 || nodes > 64 {
            return Err(format!("@topology: {nodes} nodes"));
        }
        let mut distance = Vec::with_capacity(nodes);
        let mut memtotal_mib = Vec::with_capacity(nodes);
        let mut vcpus = 0;
        for n in 0..nodes {
            let row: Result<Vec<f64>, _> = r
                .text(&format!("distance{n}"))
                .ok_or(format!("@topology without distance{n}="))?
                .split(',')
                .map(str::parse::<f64>)
                .collect();
            let row = row.map_err(|e| format!("@topology distance{n}: {e}"))?;
            if row.len() != nodes {
                return Err(format!("@topology distance{n} has {} entries", row.len()));
            }
            distance.push(row);
            memtotal_mib.push(r.num(&format!("memtotal_mib{n}")).unwrap_or(0.0));
            if let Some(l) = r.text(&format!("cpus{n}")) {
                vcpus += cpulist_len(l).ok_or(format!("@topology cpus{n}={l}: not a cpulist"))?;
            }
        }
        Ok(Topology {
            nodes,
            distance,
            reclaim_distance: r
                .num("reclaim_distance")
                .ok_or("@topology without reclaim_distance=")?,
            memtotal_mib,
            vcpus,
            host_cores: None,
        })
    }
}

/// The other cgroup of the neighbour scenario, which never has the policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Neighbour {
    pub node_pages: Vec<f64>,
    pub local_pct: f64,
    pub relative_rate: Option<f64>,
    pub mib_s: f64,
    /// Its page cache on the workload's node before and after, MiB.
    pub file_before_mib: f64,
    pub file_after_mib: f64,
}

/// One measured run with everything derived from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub boot: usize,
    pub scenario: String,
    pub config: String,
    pub size_pct: f64,
    pub threads: f64,
    pub rep: f64,
    /// The node whose CPUs the workload ran on.
    pub node: usize,
    pub mib: f64,
    /// D: the distance that bounds "within D" for this configuration.
    pub distance: f64,
    /// Workload pages per node, by move_pages(2).
    pub node_pages: Vec<f64>,
    pub pages: f64,
    pub local_pct: f64,
    pub within_pct: f64,
    /// Mean SLIT distance of the workload's pages / 10: a model, not a time.
    pub modeled_cost: f64,
    /// Local share by the cgroup's memory.numa_stat, the second opinion.
    pub numa_stat_local_pct: Option<f64>,
    /// Page cache pages the local node lost during the run.
    pub evicted_local_pages: f64,
    /// evicted_local_pages / pages placed locally.
    pub over_eviction: Option<f64>,
    pub mib_s: f64,
    /// Fault-in rate / the baseline configuration's in the same boot.
    pub relative_rate: Option<f64>,
    /// vmstat deltas and memory.local_reclaim.stat sums.
    pub counters: BTreeMap<String, f64>,
    pub neighbour: Option<Neighbour>,
    pub record: Record,
}

/// Counters carried from the record into `Run::counters`, in table order.
pub const COUNTERS: &[&str] = &[
    "pgsteal_kswapd",
    "pgsteal_direct",
    "allocstall",
    "pageoutrun",
    "numa_miss",
    "lr_kswapd_wakeups",
    "lr_direct_reclaims",
    "lr_pages_reclaimed",
    "lr_kept",
    "lr_spilled",
];

/// The configuration other runs of a scenario are compared with.
pub fn baseline_config(scenario: &str) -> &'static str {
    match scenario {
        "neighbour" => "off",
        _ => "default",
    }
}

fn node_vec(r: &Record, prefix: &str, nodes: usize) -> Vec<f64> {
    let m = r.per_node(prefix);
    (0..nodes)
        .map(|n| m.get(&n).copied().unwrap_or(0.0))
        .collect()
}

fn pct(part: f64, whole: f64) -> f64 {
    if whole > 0.0 {
        100.0 * part / whole
    } else {
        0.0
    }
}

/// Page cache (FilePages) a node lost from before the workload to after it.
fn cache_lost_kib(r: &Record, node: usize) -> Option<f64> {
    Some(r.num(&format!("file_before_kb{node}"))? - r.num(&format!("file_after_kb{node}"))?)
}

impl Run {
    pub fn from_record(boot: usize, topo: &Topology, r: &Record) -> Result<Run, String> {
        let need = |k: &str| {
            r.num(k)
                .ok_or_else(|| format!("@run without a number for {k}="))
        };
        let scenario = r
            .text("scenario")
            .ok_or("@run without scenario=")?
            .to_string();
        let config = r.text("config").ok_or("@run without config=")?.to_string();
        let node = need("node")? as usize;
        if node >= topo.nodes {
            return Err(format!(
                "@run node={node} but the boot has {} nodes",
                topo.nodes
            ));
        }
        let distance = need("distance")?;
        let pages = need("pages")?;
        if pages <= 0.0 {
            return Err("@run with pages=0".into());
        }
        let node_pages = node_vec(r, "pages", topo.nodes);
        let placed: f64 = node_pages.iter().sum();
        let dist = &topo.distance[node];
        let within: f64 = (0..topo.nodes)
            .filter(|&n| dist[n] <= distance)
            .map(|n| node_pages[n])
            .sum();
        let cost = if placed > 0.0 {
            (0..topo.nodes)
                .map(|n| node_pages[n] * dist[n])
                .sum::<f64>()
                / placed
                / 10.0
        } else {
            0.0
        };
        // cg_bytes: the numa_stat line the scenario's workload lives in
        // (apps, redis); cg_anon_bytes: anon_fault's.
        let cg = if r.per_node("cg_bytes").is_empty() {
            node_vec(r, "cg_anon_bytes", topo.nodes)
        } else {
            node_vec(r, "cg_bytes", topo.nodes)
        };
        let cg_total: f64 = cg.iter().sum();
        let evicted = match cache_lost_kib(r, node) {
            Some(kib) => (kib * 1024.0 / PAGE_BYTES).max(0.0),
            None => {
                return Err(format!(
                    "@run without file_before_kb{node}/file_after_kb{node}"
                ))
            }
        };
        let local = node_pages[node];
        // Below 1% of the workload, "per page placed locally" is noise.
        let over_eviction = (local >= placed / 100.0 && local > 0.0).then(|| evicted / local);
        let counters = COUNTERS
            .iter()
            .filter_map(|&k| Some((k.to_string(), r.num(k)?)))
            .collect();
        let neighbour = if r.num("b_pages").is_some() {
            let b_pages = node_vec(r, "b_pages", topo.nodes);
            let b_total: f64 = b_pages.iter().sum();
            let file = |k: &str| r.num(&format!("{k}{node}")).unwrap_or(0.0) / 1048576.0;
            Some(Neighbour {
                local_pct: pct(b_pages[node], b_total),
                node_pages: b_pages,
                relative_rate: None,
                mib_s: need("b_mib_s")?,
                file_before_mib: file("b_file_before_bytes"),
                file_after_mib: file("b_file_after_bytes"),
            })
        } else {
            None
        };
        Ok(Run {
            boot,
            scenario,
            config,
            size_pct: need("size_pct")?,
            threads: need("threads")?,
            rep: need("rep")?,
            node,
            mib: need("mib")?,
            distance,
            local_pct: pct(local, placed),
            within_pct: pct(within, placed),
            modeled_cost: cost,
            numa_stat_local_pct: (cg_total > 0.0).then(|| pct(cg[node], cg_total)),
            evicted_local_pages: evicted,
            over_eviction,
            mib_s: need("mib_s")?,
            relative_rate: None,
            counters,
            neighbour,
            node_pages,
            pages,
            record: r.clone(),
        })
    }

    /// Local share by numastat -p (MiB per node), for the programs nobody
    /// here wrote.
    pub fn numastat_local_pct(&self) -> Option<f64> {
        let m = self.record.per_node("numastat_mib");
        let total: f64 = m.values().sum();
        (total > 0.0).then(|| pct(m.get(&self.node).copied().unwrap_or(0.0), total))
    }

    /// Page cache the node lost during the run, MiB.
    pub fn cache_lost_mib(&self, node: usize) -> Option<f64> {
        cache_lost_kib(&self.record, node).map(|kib| kib / 1024.0)
    }

    /// Same boot, scenario, size, threads and repetition: runs that were
    /// measured side by side.
    fn same_cell(&self, o: &Run) -> bool {
        self.boot == o.boot
            && self.scenario == o.scenario
            && self.size_pct == o.size_pct
            && self.threads == o.threads
            && self.rep == o.rep
    }
}

/// Fills in each run's fault-in rate relative to its baseline run.
pub fn relate_rates(runs: &mut [Run]) {
    let bases: Vec<Option<(f64, Option<f64>)>> = runs
        .iter()
        .map(|r| {
            runs.iter()
                .find(|b| b.same_cell(r) && b.config == baseline_config(&r.scenario))
                .map(|b| (b.mib_s, b.neighbour.as_ref().map(|n| n.mib_s)))
        })
        .collect();
    for (r, base) in runs.iter_mut().zip(bases) {
        let Some((a, b)) = base else { continue };
        if a > 0.0 {
            r.relative_rate = Some(r.mib_s / a);
        }
        if let (Some(n), Some(b)) = (r.neighbour.as_mut(), b) {
            if b > 0.0 {
                n.relative_rate = Some(n.mib_s / b);
            }
        }
    }
}

/// The median, or `None` for no values.
pub fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    })
}

/// Median, smallest and largest of a set of ratios.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    pub n: usize,
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    pub fn of(v: Vec<f64>) -> Option<Spread> {
        let min = v.iter().copied().fold(f64::INFINITY, f64::min);
        let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let n = v.len();
        Some(Spread {
            n,
            median: median(v)?,
            min,
            max,
        })
    }
}

/// The runs of one configuration at one size and thread count (one table
/// row): every figure is the median over its repetitions.
#[derive(Debug, Clone)]
pub struct Row<'a> {
    pub runs: Vec<&'a Run>,
}

impl Row<'_> {
    pub fn first(&self) -> &Run {
        self.runs[0]
    }

    pub fn med(&self, f: impl Fn(&Run) -> Option<f64>) -> Option<f64> {
        median(self.runs.iter().filter_map(|r| f(r)).collect())
    }

    /// Median share of the workload on each node.
    pub fn node_pct(&self) -> Vec<f64> {
        let nodes = self.first().node_pages.len();
        (0..nodes)
            .map(|n| {
                self.med(|r| Some(pct(r.node_pages[n], r.node_pages.iter().sum())))
                    .unwrap_or(0.0)
            })
            .collect()
    }
}

/// Groups runs into rows, in the order their first run appeared.
pub fn rows<'a>(runs: &'a [Run], scenario: &str) -> Vec<Row<'a>> {
    let mut out: Vec<Row<'a>> = Vec::new();
    for r in runs.iter().filter(|r| r.scenario == scenario) {
        match out.iter_mut().find(|row| {
            let f = row.first();
            f.config == r.config && f.size_pct == r.size_pct && f.threads == r.threads
        }) {
            Some(row) => row.runs.push(r),
            None => out.push(Row { runs: vec![r] }),
        }
    }
    out
}

/// One `@overhead` measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct OverheadSample {
    pub boot: usize,
    pub variant: String,
    pub round: f64,
    pub threads: f64,
    pub mib_s: f64,
}

impl OverheadSample {
    pub fn from_record(boot: usize, r: &Record) -> Result<OverheadSample, String> {
        let need = |k: &str| {
            r.num(k)
                .ok_or_else(|| format!("@overhead without a number for {k}="))
        };
        let mib_s = need("mib_s")?;
        if mib_s <= 0.0 {
            return Err("@overhead with mib_s=0".into());
        }
        Ok(OverheadSample {
            boot,
            variant: r
                .text("variant")
                .ok_or("@overhead without variant=")?
                .into(),
            round: need("round")?,
            threads: need("threads")?,
            mib_s,
        })
    }
}

/// The variant VARIANT is compared with: the module unloaded, in the same
/// scenario (`busy_*` variants ran with another tenant keeping node 0's
/// kswapd busy, and compare with `busy_unloaded`).
pub fn base_of(variant: &str) -> &'static str {
    if variant.starts_with("busy_") {
        "busy_unloaded"
    } else {
        "unloaded"
    }
}

/// Page-fault rate of VARIANT / module unloaded, per round of one boot.
pub fn overhead(samples: &[OverheadSample], variant: &str) -> Option<Spread> {
    let base_variant = base_of(variant);
    let ratios = samples
        .iter()
        .filter(|s| s.variant == variant)
        .filter_map(|s| {
            let base = samples
                .iter()
                .find(|b| b.variant == base_variant && b.boot == s.boot && b.round == s.round)?;
            Some(s.mib_s / base.mib_s)
        })
        .collect();
    Spread::of(ratios)
}

/// Allocation rate under reclaim: "kswapd direct" / "direct", per size and
/// thread count of the filled-node scenario, over repetitions.
pub fn alloc_rate(runs: &[Run]) -> Vec<(f64, f64, Spread)> {
    let scenario = alloc_rate_scenario(runs);
    let direct = || {
        runs.iter()
            .filter(move |r| r.scenario == scenario && r.config == "direct")
    };
    let mut out = Vec::new();
    for r in direct() {
        if out
            .iter()
            .any(|(s, t, _)| *s == r.size_pct && *t == r.threads)
        {
            continue;
        }
        let ratios = direct()
            .filter(|d| d.size_pct == r.size_pct && d.threads == r.threads)
            .filter_map(|d| {
                let kd = runs
                    .iter()
                    .find(|k| k.config == "kswapd_direct" && k.same_cell(d))?;
                Some(kd.mib_s / d.mib_s)
            })
            .collect();
        if let Some(s) = Spread::of(ratios) {
            out.push((r.size_pct, r.threads, s));
        }
    }
    out
}

/// Which runs measure the allocation rate: those of the guest made for it
/// (`rate`: no more vCPUs than the host has cores, so kswapd has a CPU of
/// its own) when it ran, the filled-node runs otherwise.
pub fn alloc_rate_scenario(runs: &[Run]) -> &'static str {
    if runs.iter().any(|r| r.scenario == "rate") {
        "rate"
    } else {
        "filled"
    }
}

/// The boot whose runs [`alloc_rate`] uses.
pub fn alloc_rate_boot(runs: &[Run]) -> Option<usize> {
    let s = alloc_rate_scenario(runs);
    runs.iter().find(|r| r.scenario == s).map(|r| r.boot)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn topo2() -> Topology {
        let r = Record::parse(
            "@topology nodes=2 reclaim_distance=30 distance0=10,21 distance1=21,10 \
             memtotal_mib0=1000 memtotal_mib1=1000",
        )
        .unwrap();
        Topology::from_record(&r).unwrap()
    }

    pub(crate) fn run_line(config: &str, p0: u32, p1: u32, mib_s: f64, evicted_kb: u32) -> String {
        format!(
            "@run scenario=filled config={config} size_pct=40 threads=1 rep=1 node=0 mib=400 \
             distance=30 pages0={p0} pages1={p1} pages={} mib_s={mib_s} \
             cg_anon_bytes0={} cg_anon_bytes1={} file_before_kb0=900000 \
             file_after_kb0={} file_before_kb1=0 file_after_kb1=0 pgsteal_kswapd=5 numa_miss=7",
            p0 + p1,
            p0 as u64 * 4096,
            p1 as u64 * 4096,
            900000 - evicted_kb
        )
    }

    pub(crate) fn run(config: &str, p0: u32, p1: u32, mib_s: f64, evicted_kb: u32) -> Run {
        let r = Record::parse(&run_line(config, p0, p1, mib_s, evicted_kb)).unwrap();
        Run::from_record(0, &topo2(), &r).unwrap()
    }

    #[test]
    fn topology_parses_and_rejects_ragged_matrices() {
        let t = topo2();
        assert_eq!(t.nodes, 2);
        assert_eq!(t.distance[0][1], 21.0);
        let bad =
            Record::parse("@topology nodes=2 reclaim_distance=30 distance0=10 distance1=21,10")
                .unwrap();
        assert!(Topology::from_record(&bad).is_err());
    }

    #[test]
    fn placement_cost_and_over_eviction() {
        let r = run("kswapd_direct", 750, 250, 10.0, 4 * 825);
        assert_eq!(r.local_pct, 75.0);
        assert_eq!(r.within_pct, 100.0);
        assert_eq!(r.numa_stat_local_pct, Some(75.0));
        // (750 * 10 + 250 * 21) / 1000 / 10
        assert!((r.modeled_cost - 1.275).abs() < 1e-9);
        assert_eq!(r.evicted_local_pages, 825.0);
        assert!((r.over_eviction.unwrap() - 1.1).abs() < 1e-9);
        assert_eq!(r.counters["numa_miss"], 7.0);
        assert!(!r.counters.contains_key("lr_kept"));
    }

    #[test]
    fn within_distance_follows_d() {
        let line = run_line("kswapd", 600, 400, 10.0, 0).replace("distance=30", "distance=20");
        let r = Run::from_record(0, &topo2(), &Record::parse(&line).unwrap()).unwrap();
        assert_eq!(r.within_pct, 60.0);
    }

    #[test]
    fn over_eviction_needs_local_pages() {
        assert_eq!(run("default", 5, 995, 10.0, 400).over_eviction, None);
        assert_eq!(run("default", 0, 1000, 10.0, 0).over_eviction, None);
    }

    #[test]
    fn missing_numbers_are_errors() {
        let line = run_line("default", 1, 1, 1.0, 0).replace(" mib_s=1", "");
        assert!(Run::from_record(0, &topo2(), &Record::parse(&line).unwrap()).is_err());
        let line = run_line("default", 0, 0, 1.0, 0);
        assert!(Run::from_record(0, &topo2(), &Record::parse(&line).unwrap()).is_err());
    }

    #[test]
    fn rates_relative_to_the_same_boot_baseline() {
        let mut runs = vec![
            run("default", 10, 990, 100.0, 0),
            run("direct", 990, 10, 50.0, 0),
        ];
        runs.push(run("kswapd_direct", 990, 10, 125.0, 0));
        let mut other_boot = run("default", 10, 990, 1.0, 0);
        other_boot.boot = 1;
        runs.push(other_boot);
        relate_rates(&mut runs);
        assert_eq!(runs[0].relative_rate, Some(1.0));
        assert_eq!(runs[1].relative_rate, Some(0.5));
        assert_eq!(runs[3].relative_rate, Some(1.0));
        let ar = alloc_rate(&runs);
        assert_eq!(ar.len(), 1);
        assert_eq!(ar[0].2.median, 2.5);
    }

    #[test]
    fn topology_counts_vcpus() {
        let t = Topology::from_record(
            &Record::parse(
                "@topology nodes=2 reclaim_distance=30 distance0=10,21 distance1=21,10 \
                 cpus0=0-1,4 cpus1=",
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(t.vcpus, 3);
        assert_eq!(topo2().vcpus, 0);
        assert!(Topology::from_record(
            &Record::parse("@topology nodes=1 reclaim_distance=30 distance0=10 cpus0=3-1").unwrap()
        )
        .is_err());
    }

    #[test]
    fn alloc_rate_prefers_the_rate_guest() {
        let mut runs = vec![
            run("direct", 990, 10, 50.0, 0),
            run("kswapd_direct", 990, 10, 125.0, 0),
        ];
        let mut d = run("direct", 990, 10, 40.0, 0);
        let mut kd = run("kswapd_direct", 990, 10, 60.0, 0);
        for r in [&mut d, &mut kd] {
            r.scenario = "rate".into();
            r.boot = 2;
        }
        runs.extend([d, kd]);
        assert_eq!(alloc_rate_boot(&runs), Some(2));
        let ar = alloc_rate(&runs);
        assert_eq!(ar.len(), 1);
        assert_eq!(ar[0].2.median, 1.5);
    }

    #[test]
    fn medians_and_rows() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
        let mut a = run("default", 10, 990, 100.0, 0);
        let mut b = a.clone();
        b.rep = 2.0;
        b.local_pct = 3.0;
        a.local_pct = 1.0;
        let runs = vec![a, run("direct", 990, 10, 50.0, 0), b];
        let rows = rows(&runs, "filled");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].runs.len(), 2);
        assert_eq!(rows[0].med(|r| Some(r.local_pct)), Some(2.0));
    }

    #[test]
    fn overhead_ratios_pair_rounds() {
        let s = |v: &str, round: f64, mib_s: f64| OverheadSample {
            boot: 0,
            variant: v.into(),
            round,
            threads: 1.0,
            mib_s,
        };
        let samples = vec![
            s("unloaded", 1.0, 100.0),
            s("off", 1.0, 99.0),
            s("on", 1.0, 101.0),
            s("unloaded", 2.0, 50.0),
            s("off", 2.0, 50.0),
            s("on", 2.0, 49.0),
        ];
        let off = overhead(&samples, "off").unwrap();
        assert_eq!(off.n, 2);
        assert!((off.median - 0.995).abs() < 1e-9);
        assert_eq!(off.min, 0.99);
        assert!(overhead(&samples, "missing").is_none());
    }

    #[test]
    fn busy_variants_compare_with_busy_unloaded() {
        let s = |v: &str, mib_s: f64| OverheadSample {
            boot: 0,
            variant: v.into(),
            round: 1.0,
            threads: 1.0,
            mib_s,
        };
        let samples = vec![
            s("unloaded", 100.0),
            s("busy_unloaded", 40.0),
            s("busy_off", 36.0),
        ];
        let off = overhead(&samples, "busy_off").unwrap();
        assert!((off.median - 0.9).abs() < 1e-9);
        assert_eq!(base_of("busy_on"), "busy_unloaded");
        assert_eq!(base_of("on"), "unloaded");
    }
}
