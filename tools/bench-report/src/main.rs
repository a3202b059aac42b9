// SPDX-License-Identifier: GPL-2.0
//! lr-bench-report: reads the logs of the benchmark's guest boots (the
//! `@` records of `lr_bench`), prints the tables, and writes
//! `results.json`, `results.csv`, `table.txt` and `plot.svg`.
//!
//!   lr-bench-report [--out DIR] [--command CMD] [--check SCENARIOS] LOG...
//!
//! `--check filled,gate,...` instead verifies that every planned
//! configuration ran and produced numbers, one `PASS`/`FAIL` line each.

mod check;
mod export;
mod model;
mod plot;
mod record;
mod table;

use model::{relate_rates, OverheadSample, Run, Topology};
use record::{parse_log, Record};
use std::path::PathBuf;
use std::process::ExitCode;

struct Args {
    out: Option<PathBuf>,
    command: String,
    check: Option<Vec<String>>,
    logs: Vec<PathBuf>,
}

fn usage() -> ExitCode {
    eprintln!("usage: lr-bench-report [--out DIR] [--command CMD] [--check SCENARIO,...] LOG...");
    ExitCode::from(2)
}

fn parse_args() -> Option<Args> {
    let mut a = Args {
        out: None,
        command: String::new(),
        check: None,
        logs: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--out" => a.out = Some(it.next()?.into()),
            "--command" => a.command = it.next()?,
            "--check" => a.check = Some(it.next()?.split(',').map(String::from).collect()),
            s if s.starts_with('-') => return None,
            s => a.logs.push(s.into()),
        }
    }
    (!a.logs.is_empty()).then_some(a)
}

/// Everything read from the logs.
#[derive(Default)]
struct Data {
    boots: Vec<(String, Topology)>,
    plans: Vec<Vec<Record>>,
    runs: Vec<Run>,
    samples: Vec<OverheadSample>,
    bad: Vec<(Record, String)>,
}

fn read(logs: &[PathBuf]) -> Result<Data, String> {
    let mut d = Data::default();
    for (boot, path) in logs.iter().enumerate() {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut topo: Option<Topology> = None;
        let mut host_cores = None;
        let mut plans = Vec::new();
        for r in parse_log(&text) {
            match r.kind.as_str() {
                "topology" => {
                    topo = Some(
                        Topology::from_record(&r)
                            .map_err(|e| format!("{}: {e}", path.display()))?,
                    )
                }
                "host" => host_cores = r.num("cores").map(|c| c as usize),
                "plan" => plans.push(r),
                "run" => match topo
                    .as_ref()
                    .ok_or("@run before @topology".to_string())
                    .and_then(|t| Run::from_record(boot, t, &r))
                {
                    Ok(run) => d.runs.push(run),
                    Err(e) => d.bad.push((r, e)),
                },
                "overhead" => match OverheadSample::from_record(boot, &r) {
                    Ok(s) => d.samples.push(s),
                    Err(e) => d.bad.push((r, e)),
                },
                _ => {}
            }
        }
        let mut topo = topo.ok_or_else(|| format!("{}: no @topology record", path.display()))?;
        topo.host_cores = host_cores;
        d.boots.push((path.display().to_string(), topo));
        d.plans.push(plans);
    }
    relate_rates(&mut d.runs);
    Ok(d)
}

/// The guest the allocation-rate ratio was measured in.
fn rate_topo(d: &Data) -> Option<&Topology> {
    model::alloc_rate_boot(&d.runs).map(|b| &d.boots[b].1)
}

fn report(d: &Data) -> String {
    let mut out = String::new();
    let topo_of = |scenario: &str| {
        d.runs
            .iter()
            .find(|r| r.scenario == scenario)
            .map(|r| &d.boots[r.boot].1)
    };
    if let Some(t) = topo_of("filled") {
        out += &table::filled(&d.runs, t);
        out.push('\n');
    }
    if let Some(t) = topo_of("gate") {
        out += &table::gate(&d.runs, t);
        out.push('\n');
    }
    if topo_of("neighbour").is_some() {
        out += &table::neighbour(&d.runs);
        out.push('\n');
    }
    for s in ["apps_vm", "apps_mmap", "redis"] {
        if topo_of(s).is_some() {
            out += &table::apps(&d.runs, s);
            out.push('\n');
        }
    }
    if !d.samples.is_empty() {
        out += &table::overhead_table(&d.samples);
        out.push('\n');
    }
    if !model::alloc_rate(&d.runs).is_empty() {
        out += &table::alloc_rate_table(&d.runs, rate_topo(d));
        out.push('\n');
    }
    out += "local%: the workload's pages on its own node by move_pages(2); numa_stat%: the same from the \
            cgroup's memory.numa_stat.\n<=D%: pages on nodes within distance D of node 0.  \
            cost*: MODELED relative access cost = mean SLIT distance of the workload's pages / 10 \
            (a model; guests have no real remote latency).\nevict/placed: page cache the local node lost \
            / pages placed locally (over-eviction ratio).  rate: fault-in rate / the baseline \
            configuration's in the same boot.\nCounters are deltas over the workload: vmstat pgsteal_kswapd, \
            pgsteal_direct, allocstall, numa_miss; lr_*: memory.local_reclaim.stat, summed over nodes.\n\n";
    out += "Goals\n";
    for (g, met) in table::goals(&d.runs, &d.samples, rate_topo(d)) {
        out += &format!("  [{}] {g}\n", if met { "met" } else { "NOT met" });
    }
    out
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> Result<(), String> {
    std::fs::write(dir.join(name), text).map_err(|e| format!("{}: {e}", dir.join(name).display()))
}

fn main() -> ExitCode {
    let Some(args) = parse_args() else {
        return usage();
    };
    let d = match read(&args.logs) {
        Ok(d) => d,
        Err(e) if args.check.is_some() => {
            println!("FAIL bench.report: {e}");
            return ExitCode::from(1);
        }
        Err(e) => {
            eprintln!("lr-bench-report: {e}");
            return ExitCode::from(1);
        }
    };
    if let Some(expected) = &args.check {
        let mut outcomes = check::check_planned(&d.plans.concat(), expected);
        for (boot, plans) in d.plans.iter().enumerate() {
            let runs: Vec<Run> = d.runs.iter().filter(|r| r.boot == boot).cloned().collect();
            let samples: Vec<OverheadSample> = d
                .samples
                .iter()
                .filter(|s| s.boot == boot)
                .cloned()
                .collect();
            outcomes.extend(check::check_boot(plans, &runs, &samples, &d.bad));
        }
        let mut failed = false;
        for (name, res) in outcomes {
            match res {
                Ok(detail) => println!("PASS {name}: {detail}"),
                Err(why) => {
                    failed = true;
                    println!("FAIL {name}: {why}");
                }
            }
        }
        return if failed {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        };
    }
    let text = report(&d);
    print!("{text}");
    for (r, why) in &d.bad {
        eprintln!("lr-bench-report: skipped a @{} record: {why}", r.kind);
    }
    if let Some(dir) = &args.out {
        let goals = table::goals(&d.runs, &d.samples, rate_topo(&d));
        let caption = if args.command.is_empty() {
            "lr-bench-report".to_string()
        } else {
            format!("measured by: {}", args.command)
        };
        let res = std::fs::create_dir_all(dir)
            .map_err(|e| format!("{}: {e}", dir.display()))
            .and_then(|_| write(dir, "table.txt", &text))
            .and_then(|_| {
                write(
                    dir,
                    "results.json",
                    &export::json(&args.command, &d.boots, &d.runs, &d.samples, &goals),
                )
            })
            .and_then(|_| write(dir, "results.csv", &export::csv(&d.runs)))
            .and_then(|_| match plot::svg(&plot::panels(&d.runs), &caption) {
                Some(svg) => write(dir, "plot.svg", &svg),
                None => Ok(()),
            });
        if let Err(e) = res {
            eprintln!("lr-bench-report: {e}");
            return ExitCode::from(1);
        }
    }
    ExitCode::SUCCESS
}
