// SPDX-License-Identifier: GPL-2.0
//! lrctl against a fake sysfs/cgroup tree (LRCTL_ROOT): every command, its
//! output, and the exit status of every error it tells apart.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Tree {
    dir: PathBuf,
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

fn put(p: &Path, text: &str) {
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

impl Tree {
    /// A 2-node machine, distance 21, module loaded, cgroup "db" with a mode.
    fn new() -> Tree {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "lrctl-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = fs::remove_dir_all(&dir);
        let t = Tree { dir };
        t.put(
            "proc/self/mounts",
            "proc /proc proc rw 0 0\ncgroup2 /sys/fs/cgroup cgroup2 rw,nosuid 0 0\n",
        );
        for (n, d) in [(0, "10 21"), (1, "21 10")] {
            t.put(
                &format!("sys/devices/system/node/node{n}/distance"),
                &format!("{d}\n"),
            );
            t.put(
                &format!("sys/devices/system/node/node{n}/meminfo"),
                &format!("Node {n} MemTotal: 1048576 kB\nNode {n} MemFree: 20480 kB\nNode {n} FilePages: 972800 kB\nNode {n} AnonPages: 10240 kB\n"),
            );
        }
        t.put("sys/kernel/mm/local_reclaim/mode", "kswapd\n");
        t.put("sys/kernel/mm/local_reclaim/node_reclaim_distance", "30\n");
        t.put(
            "sys/kernel/mm/local_reclaim/stat/kswapd_wakeups",
            "N0=5 N1=0\n",
        );
        t.put(
            "sys/kernel/mm/local_reclaim/stat/pages_reclaimed",
            "N0=50 N1=0\n",
        );
        t.put("sys/kernel/mm/local_reclaim/cgroup_states", "2\n");
        t.put(
            "sys/kernel/tracing/events/node_reclaim_policy/enable",
            "0\n",
        );
        t.put(
            "sys/fs/cgroup/db/memory.local_reclaim.mode",
            "kswapd direct\n",
        );
        t.put(
            "sys/fs/cgroup/db/memory.local_reclaim.distance",
            "inherit\n",
        );
        t.put(
            "sys/fs/cgroup/db/memory.local_reclaim.stat",
            "kswapd_wakeups N0=12 N1=0\ndirect_reclaims N0=3 N1=0\npages_reclaimed N0=99 N1=1\n\
             effective mode=kswapd,direct distance=30\n",
        );
        fs::create_dir_all(t.dir.join("sys/fs/cgroup/nomem")).unwrap();
        // A systemd-like tree: a service under system.slice, a user slice.
        for cg in [
            "system.slice/postgresql.service",
            "user.slice/user-1000.slice",
        ] {
            t.put(
                &format!("sys/fs/cgroup/{cg}/memory.local_reclaim.mode"),
                "inherit\n",
            );
            t.put(
                &format!("sys/fs/cgroup/{cg}/memory.local_reclaim.distance"),
                "inherit\n",
            );
            t.put(
                &format!("sys/fs/cgroup/{cg}/memory.local_reclaim.stat"),
                "kswapd_wakeups N0=0 N1=0\neffective mode=kswapd distance=30\n",
            );
        }
        t.put("proc/self/cgroup", "0::/db\n");
        t.put("proc/4242/cgroup", "0::/system.slice/postgresql.service\n");
        t
    }

    fn put(&self, rel: &str, text: &str) {
        put(&self.dir.join(rel), text);
    }

    fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.dir.join(rel)).unwrap()
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_lrctl"))
            .args(args)
            .env("LRCTL_ROOT", &self.dir)
            .output()
            .unwrap()
    }
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn status_shows_everything() {
    let t = Tree::new();
    let o = t.run(&["status"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let s = out(&o);
    for want in [
        "module:                 loaded",
        "kernel patched:         yes",
        "global mode:            kswapd",
        "node_reclaim_distance:  30",
        "cgroup states:          2",
        "21*",
        "950",
    ] {
        assert!(s.contains(want), "missing '{want}' in:\n{s}");
    }
    let j = out(&t.run(&["--pretty", "status"]));
    assert!(
        j.contains("\"module_loaded\": true") && j.contains("\"within_distance\": [0, 1]"),
        "{j}"
    );
    assert!(j.contains("\"file_pages_kib\": 972800"), "{j}");
}

#[test]
fn status_tells_unloaded_from_unpatched() {
    let t = Tree::new();
    fs::remove_dir_all(t.dir.join("sys/kernel/mm/local_reclaim")).unwrap();
    let o = t.run(&["status"]);
    assert_eq!(code(&o), 3, "{}", err(&o));
    assert!(out(&o).contains("not loaded") && err(&o).contains("module not loaded"));
    fs::remove_dir_all(t.dir.join("sys/kernel/tracing/events/node_reclaim_policy")).unwrap();
    let o = t.run(&["status"]);
    assert_eq!(code(&o), 4, "{}", err(&o));
    assert!(err(&o).contains("kernel not patched"));
    assert_eq!(code(&t.run(&["show", "db"])), 4);
    assert_eq!(code(&t.run(&["set", "db", "--mode", "off"])), 4);
}

#[test]
fn show_configured_and_effective() {
    let t = Tree::new();
    for arg in ["db", "/db", "/sys/fs/cgroup/db"] {
        let o = t.run(&["show", arg]);
        assert_eq!(code(&o), 0, "{arg}: {}", err(&o));
        let s = out(&o);
        assert!(s.contains("cgroup:    /db"), "{s}");
        assert!(
            s.contains("kswapd direct") && s.contains("effective: 30"),
            "{s}"
        );
        assert!(
            s.lines()
                .any(|l| l.starts_with("pages_reclaimed") && l.ends_with("1") && l.contains("99")),
            "{s}"
        );
    }
    let j = out(&t.run(&["-p", "show", "db"]));
    assert!(
        j.contains("\"distance\": \"inherit\"") && j.contains("\"distance\": 30"),
        "{j}"
    );
    assert!(j.contains("\"N0\": 12"), "{j}");
}

#[test]
fn cgroup_errors() {
    let t = Tree::new();
    let o = t.run(&["show", "nosuch"]);
    assert_eq!(code(&o), 5);
    assert!(err(&o).contains("no such cgroup"), "{}", err(&o));
    assert_eq!(code(&t.run(&["show", "nomem"])), 5);
    assert_eq!(code(&t.run(&["show", "/"])), 5);
    assert_eq!(code(&t.run(&["show", "db/../x"])), 5);
    t.put("proc/self/mounts", "proc /proc proc rw 0 0\n");
    let o = t.run(&["show", "db"]);
    assert_eq!(code(&o), 6);
    assert!(err(&o).contains("cgroup2 not mounted"));
}

#[test]
fn set_writes_only_valid_values() {
    let t = Tree::new();
    let o = t.run(&["set", "db", "--mode", "direct unmap", "--distance", "21"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(
        t.read("sys/fs/cgroup/db/memory.local_reclaim.mode"),
        "direct unmap\n"
    );
    assert_eq!(
        t.read("sys/fs/cgroup/db/memory.local_reclaim.distance"),
        "21\n"
    );
    // A bad distance changes nothing, not even the valid mode.
    let o = t.run(&["set", "db", "--mode", "off", "--distance", "300"]);
    assert_eq!(code(&o), 8);
    assert!(err(&o).contains("out of range"), "{}", err(&o));
    assert_eq!(
        t.read("sys/fs/cgroup/db/memory.local_reclaim.mode"),
        "direct unmap\n"
    );
    assert_eq!(code(&t.run(&["set", "db", "--mode", "fast"])), 8);
    assert_eq!(code(&t.run(&["set", "db"])), 2);
    let o = t.run(&[
        "set",
        "--global",
        "--mode",
        "kswapd direct",
        "--distance",
        "16",
    ]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(
        t.read("sys/kernel/mm/local_reclaim/mode"),
        "kswapd direct\n"
    );
    assert_eq!(
        t.read("sys/kernel/mm/local_reclaim/node_reclaim_distance"),
        "16\n"
    );
    assert_eq!(
        code(&t.run(&["set", "--global", "--distance", "inherit"])),
        8
    );
}

#[test]
fn top_reports_rates() {
    let t = Tree::new();
    let o = t.run(&["--json", "top", "--interval", "0.1", "--count", "1"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let s = out(&o);
    assert_eq!(s.lines().count(), 1);
    assert!(
        s.starts_with("{\"interval_s\":") && s.contains("\"rows\":[]"),
        "{s}"
    );
    let o = t.run(&["watch", "--interval", "0.1", "--count", "2"]);
    assert_eq!(code(&o), 0);
    assert_eq!(out(&o).matches("(no activity)").count(), 2);
}

#[test]
fn version_root_and_per_command_help() {
    let t = Tree::new();
    for v in ["--version", "-V"] {
        let o = t.run(&[v]);
        assert_eq!(code(&o), 0, "{v}: {}", err(&o));
        assert!(out(&o).starts_with("lrctl "), "{}", out(&o));
    }
    // --root=DIR and --root DIR, anywhere on the line, over LRCTL_ROOT.
    let root = format!("--root={}", t.dir.display());
    let o = Command::new(env!("CARGO_BIN_EXE_lrctl"))
        .args(["status", &root])
        .env("LRCTL_ROOT", "/nonexistent")
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(out(&o).contains("global mode:            kswapd"));
    let o = t.run(&["set", "--help"]);
    assert_eq!(code(&o), 0);
    let s = out(&o);
    assert!(
        s.contains("Usage: lrctl set") && s.contains("--distance") && !s.contains("Commands:"),
        "{s}"
    );
    let o = t.run(&["help", "top"]);
    assert!(out(&o).contains("--interval"), "{}", out(&o));
    // Usage errors exit 2 and say so on stderr.
    for bad in [
        &["frob"][..],
        &["show"],
        &["set", "db"],
        &["top", "--interval", "0"],
    ] {
        let o = t.run(bad);
        assert_eq!(code(&o), 2, "{bad:?}");
        assert!(err(&o).contains("error:"), "{bad:?}: {}", err(&o));
    }
}

#[test]
fn json_compact_and_pretty() {
    let t = Tree::new();
    let j = out(&t.run(&["-j", "show", "db"]));
    assert_eq!(j.lines().count(), 1, "{j}");
    assert!(j.contains("\"N0\":12"), "{j}");
    let p = out(&t.run(&["show", "db", "-p"]));
    assert!(p.lines().count() > 5 && p.contains("\"N0\": 12"), "{p}");
    let j = out(&t.run(&["--json", "status"]));
    assert_eq!(j.lines().count(), 1, "{j}");
    assert!(j.contains("\"within_distance\":[0,1]"), "{j}");
}

#[test]
fn counters_are_exact_integers() {
    let t = Tree::new();
    // 2^53 + 1 and u64::MAX: f64 would print ...992 and 1.8e19.
    t.put(
        "sys/fs/cgroup/db/memory.local_reclaim.stat",
        "pages_reclaimed N0=9007199254740993 N1=18446744073709551615\n\
         effective mode=kswapd distance=30\n",
    );
    t.put(
        "sys/kernel/mm/local_reclaim/cgroup_states",
        "9007199254740993\n",
    );
    let j = out(&t.run(&["-j", "show", "db"]));
    assert!(
        j.contains("\"N0\":9007199254740993") && j.contains("\"N1\":18446744073709551615"),
        "{j}"
    );
    let j = out(&t.run(&["-j", "status"]));
    assert!(j.contains("\"cgroup_states\":9007199254740993"), "{j}");
}

#[test]
fn mode_as_the_stat_file_prints_it() {
    let t = Tree::new();
    let o = t.run(&["set", "db", "--mode", "kswapd,direct"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(
        t.read("sys/fs/cgroup/db/memory.local_reclaim.mode"),
        "kswapd direct\n"
    );
    let o = t.run(&["set", "--global", "--mode", "unmap,direct"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(t.read("sys/kernel/mm/local_reclaim/mode"), "direct unmap\n");
    assert_eq!(code(&t.run(&["set", "db", "--mode", "kswapd,off"])), 8);
}

#[test]
fn cgroups_by_unit_pid_and_self() {
    let t = Tree::new();
    for args in [
        &["show", "postgresql.service"][..],
        &["show", "--unit", "postgresql.service"],
        &["show", "--unit", "postgresql"],
        &["show", "--pid", "4242"],
        &["show", "system.slice/postgresql.service"],
    ] {
        let o = t.run(args);
        assert_eq!(code(&o), 0, "{args:?}: {}", err(&o));
        assert!(
            out(&o).contains("cgroup:    /system.slice/postgresql.service"),
            "{args:?}: {}",
            out(&o)
        );
    }
    let o = t.run(&["show", "user-1000.slice"]);
    assert!(out(&o).contains("cgroup:    /user.slice/user-1000.slice"));
    let o = t.run(&["show", "self"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(out(&o).contains("cgroup:    /db"), "{}", out(&o));
    let o = t.run(&["set", "--unit", "postgresql.service", "--mode", "direct"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(
        t.read("sys/fs/cgroup/system.slice/postgresql.service/memory.local_reclaim.mode"),
        "direct\n"
    );
    // Not there, ambiguous, no such process: exit 5.
    let o = t.run(&["show", "mysql.service"]);
    assert_eq!(code(&o), 5);
    assert!(err(&o).contains("is it running?"), "{}", err(&o));
    t.put(
        "sys/fs/cgroup/other.slice/postgresql.service/memory.local_reclaim.mode",
        "inherit\n",
    );
    let o = t.run(&["show", "--unit", "postgresql.service"]);
    assert_eq!(code(&o), 5);
    assert!(err(&o).contains("more than one"), "{}", err(&o));
    let o = t.run(&["show", "--pid", "999999"]);
    assert_eq!(code(&o), 5);
    assert!(err(&o).contains("no such process"), "{}", err(&o));
}

#[test]
fn a_closed_pipe_ends_lrctl_quietly() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let t = Tree::new();
    let mut child = Command::new(env!("CARGO_BIN_EXE_lrctl"))
        .args(["-j", "top", "--interval", "0.1"])
        .env("LRCTL_ROOT", &t.dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("{\"interval_s\":"), "{first}");
    // The reader is gone (as `| head -1` goes): the next refresh ends it.
    let o = child.wait_with_output().unwrap();
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(err(&o).is_empty(), "{}", err(&o));
}

#[test]
fn status_warns_about_settings_that_fight_the_policy() {
    let t = Tree::new();
    t.put("proc/sys/vm/zone_reclaim_mode", "0\n");
    t.put("proc/sys/kernel/numa_balancing", "0\n");
    for n in 0..2 {
        t.put(&format!("sys/devices/system/node/node{n}/cpulist"), "0-1\n");
    }
    let o = t.run(&["status"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(!out(&o).contains("warning:"), "{}", out(&o));
    assert!(out(&t.run(&["-j", "status"])).contains("\"warnings\":[]"));

    t.put("proc/sys/vm/zone_reclaim_mode", "1\n");
    t.put("proc/sys/kernel/numa_balancing", "2\n");
    // Node 1 without CPUs, at 21 from node 0: within the distance (30).
    t.put("sys/devices/system/node/node1/cpulist", "\n");
    let o = t.run(&["status"]);
    assert_eq!(code(&o), 0, "warnings do not change the status");
    let s = out(&o);
    for want in [
        "warning: vm.zone_reclaim_mode is 1",
        "warning: kernel.numa_balancing is 2",
        "warning: node 1 has memory and no CPUs, and is within 30 of node(s) 0",
    ] {
        assert!(s.contains(want), "missing '{want}' in:\n{s}");
    }
    let j = out(&t.run(&["-j", "status"]));
    for id in ["zone_reclaim_mode", "numa_balancing", "memory_only_node"] {
        assert!(j.contains(&format!("{{\"id\":\"{id}\"")), "{id}: {j}");
    }
    // Out of reach: a global distance below 21 leaves node 1 out.
    t.put("sys/kernel/mm/local_reclaim/node_reclaim_distance", "20\n");
    assert!(!out(&t.run(&["status"])).contains("no CPUs"));

    // A kernel without the series: no module, no tracepoints, kallsyms
    // without the symbol.
    fs::remove_dir_all(t.dir.join("sys/kernel/mm/local_reclaim")).unwrap();
    fs::remove_dir_all(t.dir.join("sys/kernel/tracing/events/node_reclaim_policy")).unwrap();
    t.put("proc/kallsyms", "ffffffff81000000 T _stext\n");
    let o = t.run(&["status"]);
    assert_eq!(code(&o), 4);
    assert!(
        out(&o).contains("warning: the running kernel lacks the node reclaim policy series"),
        "{}",
        out(&o)
    );
}

const CONF: &str = "\
# local_reclaim's settings
[global]
mode = kswapd
distance = 25

[cgroup db]
mode = direct
distance = 21

[unit postgresql.service]
mode = kswapd,direct

[slice user-1000.slice]
distance = 16

[unit mysql.service]   # not running: skipped
mode = off
";

const CG_FILES: [&str; 8] = [
    "sys/kernel/mm/local_reclaim/mode",
    "sys/kernel/mm/local_reclaim/node_reclaim_distance",
    "sys/fs/cgroup/db/memory.local_reclaim.mode",
    "sys/fs/cgroup/db/memory.local_reclaim.distance",
    "sys/fs/cgroup/system.slice/postgresql.service/memory.local_reclaim.mode",
    "sys/fs/cgroup/system.slice/postgresql.service/memory.local_reclaim.distance",
    "sys/fs/cgroup/user.slice/user-1000.slice/memory.local_reclaim.mode",
    "sys/fs/cgroup/user.slice/user-1000.slice/memory.local_reclaim.distance",
];

impl Tree {
    fn knobs(&self) -> Vec<String> {
        CG_FILES.iter().map(|f| self.read(f)).collect()
    }
}

#[test]
fn apply_writes_every_entry_in_order() {
    let t = Tree::new();
    t.put("etc/local_reclaim.conf", CONF);
    let o = t.run(&["apply"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(
        t.knobs(),
        [
            "kswapd\n",
            "25\n",
            "direct\n",
            "21\n",
            "kswapd direct\n",
            "inherit\n",
            "inherit\n",
            "16\n"
        ]
    );
    let s = out(&o);
    for want in [
        "set: global mode: kswapd -> kswapd",
        "set: global distance: 30 -> 25",
        "set: /system.slice/postgresql.service [unit postgresql.service] mode: inherit -> kswapd direct",
        "skipped: [unit mysql.service]: no such cgroup now",
    ] {
        let want = want.replace("set: global mode: kswapd -> kswapd", "unchanged: global mode: kswapd -> kswapd");
        assert!(s.contains(&want), "missing '{want}' in:\n{s}");
    }
    // Applying again changes nothing and says so.
    let s = out(&t.run(&["apply"]));
    assert!(!s.contains("set: "), "{s}");
}

#[test]
fn apply_dry_run_writes_nothing() {
    let t = Tree::new();
    t.put("etc/local_reclaim.conf", CONF);
    let before = t.knobs();
    let o = t.run(&["apply", "--dry-run"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(out(&o).contains("would set: /db [cgroup db] mode: kswapd direct -> direct"));
    assert_eq!(t.knobs(), before);
    let j = out(&t.run(&["-j", "apply", "-n", "--config", "/etc/local_reclaim.conf"]));
    assert!(
        j.contains("\"dry_run\":true") && j.contains("\"to\":\"kswapd direct\""),
        "{j}"
    );
}

#[test]
fn a_bad_file_changes_nothing() {
    let t = Tree::new();
    let before = t.knobs();
    // Valid sections first, the mistake last: nothing may be written.
    for (bad, status, says) in [
        (
            format!("{CONF}\n[cgroup db2]\nmode = sometimes\n"),
            8,
            "local_reclaim.conf:20: [cgroup db2]: mode",
        ),
        (
            format!("{CONF}\n[cgroup system.slice/postgresql.service]\nmode = off\n"),
            8,
            "which line 10 sets already",
        ),
        (
            format!("{CONF}\n[cgroup nomem]\nmode = off\n"),
            5,
            "no memory controller",
        ),
        (format!("{CONF}\nfrob\n"), 8, "local_reclaim.conf:19:"),
    ] {
        t.put("etc/local_reclaim.conf", &bad);
        let o = t.run(&["apply"]);
        assert_eq!(code(&o), status, "{says}: {}", err(&o));
        assert!(err(&o).contains(says), "{says}: {}", err(&o));
        assert_eq!(t.knobs(), before, "{says}");
    }
    // A write the kernel refuses puts back what was written before it: the
    // global mode and distance, db's mode.
    t.put("etc/local_reclaim.conf", CONF);
    // (/proc/version reads, and refuses writes with EIO, even root's.)
    let d = t.dir.join("sys/fs/cgroup/db/memory.local_reclaim.distance");
    fs::remove_file(&d).unwrap();
    std::os::unix::fs::symlink("/proc/version", &d).unwrap();
    let o = t.run(&["apply"]);
    assert_eq!(code(&o), 1, "{}", err(&o));
    assert!(
        err(&o).contains("memory.local_reclaim.distance"),
        "{}",
        err(&o)
    );
    assert_eq!(t.read(CG_FILES[1]), before[1]);
    assert_eq!(t.read(CG_FILES[2]), before[2]);
    // No file, no module.
    fs::remove_file(t.dir.join("etc/local_reclaim.conf")).unwrap();
    assert_eq!(code(&t.run(&["apply"])), 1);
    t.put("etc/local_reclaim.conf", CONF);
    fs::remove_dir_all(t.dir.join("sys/kernel/mm/local_reclaim")).unwrap();
    assert_eq!(code(&t.run(&["apply"])), 3);
}

#[test]
fn apply_for_one_unit() {
    let t = Tree::new();
    t.put("etc/local_reclaim.conf", CONF);
    let before = t.knobs();
    let o = t.run(&["apply", "--unit", "postgresql.service"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let mut want = before.clone();
    want[4] = "kswapd direct\n".into();
    assert_eq!(t.knobs(), want, "only the unit's entry, not the global one");
    let o = t.run(&["apply", "--unit", "user.slice"]);
    assert!(
        out(&o).contains("nothing in /etc/local_reclaim.conf for user.slice"),
        "{}",
        out(&o)
    );
    assert_eq!(code(&t.run(&["apply", "--unit", "mysql.service"])), 5);
}

#[test]
fn the_shipped_example_configuration_is_valid() {
    let t = Tree::new();
    let example = fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../dist/local_reclaim.conf"
    ))
    .unwrap();
    t.put("etc/as-shipped.conf", &example);
    let o = t.run(&["apply", "-n", "--config", "/etc/as-shipped.conf"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(out(&o).starts_with("nothing in"), "{}", out(&o));
    // Every commented-out section and setting, taken in.
    let all: String = example
        .lines()
        .map(|l| match l.strip_prefix('#') {
            Some(r) if r.starts_with('[') || r.contains(" = ") => format!("{r}\n"),
            _ => format!("{l}\n"),
        })
        .collect();
    t.put("etc/uncommented.conf", &all);
    let o = t.run(&["apply", "-n", "--config", "/etc/uncommented.conf"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let s = out(&o);
    assert!(
        s.contains("unchanged: global distance: 30 -> 30")
            && s.contains("[unit postgresql.service] mode: inherit -> kswapd direct")
            && s.contains("skipped: [slice database.slice]"),
        "{s}"
    );
}
