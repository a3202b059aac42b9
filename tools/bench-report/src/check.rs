// SPDX-License-Identifier: GPL-2.0
//! `--check`: did every configuration the guest planned (`@plan`) run and
//! produce numbers?  Used by `make check` on the smoke-size benchmark; it
//! asserts completeness, never a figure or a timing.

use crate::model::{base_of, overhead, OverheadSample, Run};
use crate::record::Record;

/// One line per scenario and configuration: name, and Ok(detail) or Err(why).
pub type Outcome = (String, Result<String, String>);

fn list(plan: &Record, key: &str) -> Vec<String> {
    plan.text(key)
        .map(|s| {
            s.split(',')
                .filter(|x| !x.is_empty())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

fn count(plan: &Record, key: &str) -> usize {
    plan.num(key).unwrap_or(0.0) as usize
}

/// Checks the runs of one boot against its plans.  `bad` holds the records
/// that failed to parse, with the reason, for the diagnosis.
pub fn check_boot(
    plans: &[Record],
    runs: &[Run],
    samples: &[OverheadSample],
    bad: &[(Record, String)],
) -> Vec<Outcome> {
    let mut out = Vec::new();
    for plan in plans {
        let scenario = plan.text("scenario").unwrap_or("?");
        if scenario == "overhead" {
            let rounds = count(plan, "rounds");
            for v in list(plan, "configs") {
                let n = samples.iter().filter(|s| s.variant == v).count();
                let name = format!("bench.overhead.{v}");
                let ratio = if v == base_of(&v) {
                    Some(1.0)
                } else {
                    overhead(samples, &v).map(|s| s.median)
                };
                out.push(match ratio {
                    Some(r) if n == rounds && rounds > 0 => {
                        (name, Ok(format!("{n} rounds, rate ratio {r:.3}")))
                    }
                    _ => (name, Err(format!("{n} of {rounds} rounds measured"))),
                });
            }
            continue;
        }
        let sizes = list(plan, "sizes");
        let threads = list(plan, "threads");
        let reps = count(plan, "reps").max(1);
        for config in list(plan, "configs") {
            let name = format!("bench.{scenario}.{config}");
            let mine: Vec<&Run> = runs
                .iter()
                .filter(|r| r.scenario == scenario && r.config == config)
                .collect();
            let mut missing = Vec::new();
            for s in if sizes.is_empty() {
                vec![String::new()]
            } else {
                sizes.clone()
            } {
                for t in if threads.is_empty() {
                    vec![String::new()]
                } else {
                    threads.clone()
                } {
                    for rep in 1..=reps {
                        let found = mine.iter().any(|r| {
                            (s.is_empty() || r.size_pct.to_string() == s)
                                && (t.is_empty() || r.threads.to_string() == t)
                                && r.rep == rep as f64
                        });
                        if !found {
                            missing.push(format!("size {s} threads {t} rep {rep}"));
                        }
                    }
                }
            }
            let why_bad: Vec<&String> = bad
                .iter()
                .filter(|(r, _)| {
                    r.text("scenario") == Some(scenario) && r.text("config") == Some(&config)
                })
                .map(|(_, why)| why)
                .collect();
            out.push(if missing.is_empty() {
                let local: Vec<String> =
                    mine.iter().map(|r| format!("{:.1}", r.local_pct)).collect();
                (
                    name,
                    Ok(format!("{} run(s), local% {}", mine.len(), local.join(" "))),
                )
            } else {
                let mut why = format!("no numbers for {}", missing.join(", "));
                if let Some(b) = why_bad.first() {
                    why.push_str(&format!(" ({b})"));
                }
                (name, Err(why))
            });
        }
    }
    out
}

/// Scenarios that must have been planned at all.
pub fn check_planned(plans: &[Record], expected: &[String]) -> Vec<Outcome> {
    expected
        .iter()
        .filter(|s| !plans.iter().any(|p| p.text("scenario") == Some(s.as_str())))
        .map(|s| {
            (
                format!("bench.{s}"),
                Err("the guest never started this scenario".to_string()),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tests::{run_line, topo2};

    fn runs(lines: &[String]) -> Vec<Run> {
        lines
            .iter()
            .map(|l| Run::from_record(0, &topo2(), &Record::parse(l).unwrap()).unwrap())
            .collect()
    }

    #[test]
    fn every_planned_cell_must_have_a_run() {
        let plan =
            Record::parse("@plan scenario=filled configs=default,direct sizes=40 threads=1 reps=1")
                .unwrap();
        let r = runs(&[run_line("default", 1, 9, 1.0, 0)]);
        let out = check_boot(&[plan], &r, &[], &[]);
        assert_eq!(out.len(), 2);
        assert!(out[0].1.is_ok(), "{:?}", out[0]);
        assert!(out[1]
            .1
            .as_ref()
            .unwrap_err()
            .contains("size 40 threads 1 rep 1"));
    }

    #[test]
    fn a_missing_repetition_fails() {
        let plan = Record::parse("@plan scenario=filled configs=default sizes=40 threads=1 reps=2")
            .unwrap();
        let out = check_boot(
            &[plan],
            &runs(&[run_line("default", 1, 9, 1.0, 0)]),
            &[],
            &[],
        );
        assert!(out[0].1.is_err());
    }

    #[test]
    fn overhead_needs_every_round() {
        let plan = Record::parse("@plan scenario=overhead configs=unloaded,off rounds=2").unwrap();
        let s = |v: &str, round: f64| OverheadSample {
            boot: 0,
            variant: v.into(),
            round,
            threads: 1.0,
            mib_s: 1.0,
        };
        let out = check_boot(
            std::slice::from_ref(&plan),
            &[],
            &[s("unloaded", 1.0), s("off", 1.0)],
            &[],
        );
        assert!(out.iter().all(|o| o.1.is_err()));
        let all = [
            s("unloaded", 1.0),
            s("off", 1.0),
            s("unloaded", 2.0),
            s("off", 2.0),
        ];
        assert!(check_boot(&[plan], &[], &all, &[])
            .iter()
            .all(|o| o.1.is_ok()));
    }

    #[test]
    fn unplanned_scenarios_fail() {
        let plan = Record::parse("@plan scenario=filled configs=default").unwrap();
        let out = check_planned(&[plan], &["filled".into(), "gate".into()]);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].0, "bench.gate");
    }
}
