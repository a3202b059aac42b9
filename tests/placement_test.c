// SPDX-License-Identifier: GPL-2.0
/*
 * Placement on a filled node (2 nodes, distance 21): node 0 full of clean
 * page cache, a workload on node 0's CPUs faults in anon memory of 40% of
 * node 0.  Measured per cgroup from memory.numa_stat, cross-checked with
 * move_pages(2); every test prints its fractions.
 */
#include "kselftest_harness.h"
#include "lr_workload.h"

#define CG_BASE	LR_CG_ROOT "/lr_base"
#define CG_A	LR_CG_ROOT "/lr_a"
#define CG_B	LR_CG_ROOT "/lr_b"

struct setup {
	long fill_mib, work_mib;
};

static void sizes(struct setup *s)
{
	long total = lr_node_meminfo_kb(0, "MemTotal:") / 1024;

	/* Unbound, as an ordinary reader: node 0 fills up, ~64 MiB spill to node 1. */
	s->fill_mib = total + 64;
	s->work_mib = total * 40 / 100;
}

/*
 * Refills node 0 and checks that it is full: its free memory at most 32
 * MiB above its zones' high watermarks (55-74 MiB free against 63 MiB of
 * high watermarks in the runs of 2026-12-07; 604 MiB free with a quarter
 * of the fill), or a run would measure a node the workload fits in.
 */
static void fill(struct __test_metadata *_metadata, const struct setup *s)
{
	long free_mib, high_mib;

	ASSERT_EQ(0, lr_reset_and_fill(0, s->fill_mib, LR_FILL_UNBOUND)) TH_LOG("fill");
	free_mib = lr_node_meminfo_kb(0, "MemFree:") / 1024;
	high_mib = lr_node_high_mib(0);
	ASSERT_LE(free_mib - high_mib, 32)
		TH_LOG("node 0 not full: %ld MiB free, its high watermarks %ld MiB", free_mib,
		       high_mib);
}

/* One measured run: refill node 0, run the workload in CG, print. */
static double run(struct __test_metadata *_metadata, const struct setup *s,
		  const char *what, const char *cg, int threads, struct anon_result *r)
{
	fill(_metadata, s);
	TH_LOG("%s: node0 FilePages %ld MiB MemFree %ld MiB before the workload", what,
	       lr_node_meminfo_kb(0, "FilePages:") / 1024, lr_node_meminfo_kb(0, "MemFree:") / 1024);
	ASSERT_EQ(0, lr_run_anon(cg, 0, threads, s->work_mib, NULL, r)) TH_LOG("workload");
	TH_LOG("%s: %d thread(s), %ld MiB: %.1f%% of the cgroup's anon on node 0 (numa_stat), "
	       "%.1f%% by move_pages", what, threads, s->work_mib, lr_cg_pct(r, 1), r->local_pct);
	return lr_cg_pct(r, 1);
}

FIXTURE(placement) {
	struct setup s;
	struct anon_result r;
};

FIXTURE_SETUP(placement)
{
	LR_REQUIRE(lr_exists(LR_MODULE_PATH) && lr_exists(LR_BIN "/anon_fault"),
		   "module or workloads not in the guest");
	LR_REQUIRE(lr_exists(LR_NODE_DIR "/node1") && !lr_exists(LR_NODE_DIR "/node2"),
		   "needs exactly 2 nodes");
	sizes(&self->s);
	/*
	 * Watermark boosting wakes kswapd from rmqueue() after fragmenting
	 * fallbacks, so the default's locality would depend on what the
	 * previous run fragmented.  Off for every configuration alike.
	 */
	ASSERT_EQ(0, lr_vm_quiet());
	ASSERT_EQ(0, lr_cg_create(CG_BASE));
	ASSERT_EQ(0, lr_cg_create(CG_A));
	ASSERT_EQ(0, lr_cg_create(CG_B));
}

FIXTURE_TEARDOWN(placement)
{
	/* Also when an assertion ended the test with tracing on. */
	lr_trace_off();
	lr_write_str("/proc/sys/vm/zone_reclaim_mode", "0");
	lr_vm_restore();
	rmdir(CG_BASE);
	rmdir(CG_A "/lr_child/lr_grand");
	rmdir(CG_A "/lr_child");
	rmdir(CG_A);
	rmdir(CG_B);
}

/*
 * At most one synchronous reclaim of a node per allocation the policy acted
 * on: A's direct_reclaims, summed over nodes, against its kept + spilled.
 */
static void expect_one_reclaim_per_allocation(struct __test_metadata *_metadata)
{
	const char *stat = CG_A "/memory.local_reclaim.stat";
	long reclaims = lr_stat_sum(stat, "direct_reclaims");
	long placed = lr_stat_sum(stat, "kept") + lr_stat_sum(stat, "spilled");

	TH_LOG("A: %ld node reclaims for %ld allocations acted on", reclaims, placed);
	EXPECT_GT(placed, 0);
	EXPECT_LE(reclaims, placed);
}

static void load_with(struct __test_metadata *_metadata, const char *a_mode)
{
	if (!lr_module_loaded())
		ASSERT_EQ(0, lr_module_load());
	ASSERT_EQ(0, lr_write_str(CG_A "/memory.local_reclaim.mode", a_mode));
	ASSERT_EQ(0, lr_write_str(CG_B "/memory.local_reclaim.mode", "off"));
}

/*
 * The policy's decisions and placements of the last run are in the trace.
 * Decisions to keep the default behaviour (everyone else's allocations)
 * are filtered out, so the buffer holds the workload's.
 */
static void expect_traced(struct __test_metadata *_metadata)
{
	const char *decide = "mm_node_reclaim_policy_decide: preferred_nid=0 nid=0 distance=10";

	EXPECT_TRUE(lr_trace_has(decide, "actions=WAKE_KSWAPD|RECLAIM "));
	EXPECT_TRUE(lr_trace_has(decide, "taken=WAKE_KSWAPD|RECLAIM "));
	EXPECT_TRUE(lr_trace_has("mm_node_reclaim_policy_placed: preferred_nid=0 nid=0 distance=10",
				 NULL));
	/* What the reclaim did: pages freed, the time it took, the cgroup. */
	EXPECT_GT(lr_trace_max("taken=WAKE_KSWAPD|RECLAIM ", "nr_reclaimed="), 0);
	EXPECT_GT(lr_trace_max("taken=WAKE_KSWAPD|RECLAIM ", "delay_us="), 0);
	/* Something was carried out: the zone is taken or skipped, never the default. */
	EXPECT_TRUE(lr_trace_has("taken=WAKE_KSWAPD|RECLAIM ", "result="));
	EXPECT_FALSE(lr_trace_has("taken=WAKE_KSWAPD|RECLAIM ", "result=default"));
	EXPECT_GT(lr_trace_max(decide, "memcg_id="), 1) TH_LOG("not the root cgroup's id");
}

TEST_F_TIMEOUT(placement, filled_node_one_thread, 900)
{
	double base, a, b;

	base = run(_metadata, &self->s, "module unloaded", CG_BASE, 1, &self->r);
	load_with(_metadata, "kswapd direct");
	EXPECT_EQ(0, lr_trace_on("actions != 0"));
	a = run(_metadata, &self->s, "A kswapd direct", CG_A, 1, &self->r);
	lr_trace_off();
	expect_traced(_metadata);
	b = run(_metadata, &self->s, "B off", CG_B, 1, &self->r);
	TH_LOG("local: unloaded %.1f%%, A (kswapd direct) %.1f%%, B (off) %.1f%%", base, a, b);
	EXPECT_GE(a, 99.0);
	expect_one_reclaim_per_allocation(_metadata);
	EXPECT_LE(b - base, 5.0);
	EXPECT_GE(b - base, -5.0);
	/* The test can tell the difference, or it proves nothing. */
	EXPECT_GE(a - b, 20.0);
}

TEST_F_TIMEOUT(placement, contention_eight_threads, 900)
{
	double zrm, a;

	ASSERT_EQ(0, lr_write_str("/proc/sys/vm/zone_reclaim_mode", "1"));
	zrm = run(_metadata, &self->s, "zone_reclaim_mode=1, module unloaded", CG_BASE, 8, &self->r);
	ASSERT_EQ(0, lr_write_str("/proc/sys/vm/zone_reclaim_mode", "0"));
	load_with(_metadata, "kswapd direct");
	a = run(_metadata, &self->s, "A kswapd direct", CG_A, 8, &self->r);
	TH_LOG("8 threads local: zone_reclaim_mode=1 %.1f%%, local_reclaim kswapd direct %.1f%%",
	       zrm, a);
	EXPECT_GE(a, 99.0);
	expect_one_reclaim_per_allocation(_metadata);
}

TEST_F_TIMEOUT(placement, kswapd_mode, 900)
{
	char stat[8192], *p;
	long steal0, steal1, wakeups = -1;

	load_with(_metadata, "kswapd");
	fill(_metadata, &self->s);
	steal0 = lr_node_vmstat(0, "pgsteal_kswapd");
	ASSERT_EQ(0, lr_run_anon(CG_A, 0, 1, self->s.work_mib, NULL, &self->r));
	steal1 = lr_node_vmstat(0, "pgsteal_kswapd");
	ASSERT_GT(lr_read_file(CG_A "/memory.local_reclaim.stat", stat, sizeof(stat)), 0);
	p = strstr(stat, "kswapd_wakeups N0=");
	if (p)
		wakeups = strtol(p + strlen("kswapd_wakeups N0="), NULL, 10);
	TH_LOG("kswapd only: node0 pgsteal_kswapd +%ld, kswapd_wakeups N0=%ld, local %.1f%% "
	       "(first half %.1f%%, second half %.1f%%)", steal1 - steal0, wakeups,
	       lr_cg_pct(&self->r, 1), self->r.first_half_pct, self->r.second_half_pct);
	EXPECT_GT(steal1 - steal0, 0);
	EXPECT_GT(wakeups, 0);
	EXPECT_GE(self->r.second_half_pct, 80.0);
}

/*
 * Inheritance as behaviour, not only as read-back: a grandchild whose mode
 * is inherit places as its grandparent's setting says, and follows a
 * change of it at once (no write to the grandchild in between).
 */
TEST_F_TIMEOUT(placement, grandchild_follows_grandparent, 900)
{
	const char *child = CG_A "/lr_child", *grand = CG_A "/lr_child/lr_grand";
	double on, off;

	ASSERT_EQ(0, lr_write_str(CG_A "/cgroup.subtree_control", "+memory"));
	ASSERT_EQ(0, lr_cg_create(child));
	ASSERT_EQ(0, lr_write_str(CG_A "/lr_child/cgroup.subtree_control", "+memory"));
	ASSERT_EQ(0, lr_cg_create(grand));
	load_with(_metadata, "kswapd direct");
	on = run(_metadata, &self->s, "grandchild of kswapd direct", grand, 1, &self->r);
	ASSERT_EQ(0, lr_write_str(CG_A "/memory.local_reclaim.mode", "off"));
	off = run(_metadata, &self->s, "grandchild of off", grand, 1, &self->r);
	TH_LOG("grandchild local: %.1f%% under kswapd direct, %.1f%% once the grandparent is off",
	       on, off);
	EXPECT_GE(on, 99.0);
	EXPECT_GE(on - off, 20.0);
	rmdir(grand);
	rmdir(child);
}

/*
 * Once the module is unloaded the static key is off: the same workload on
 * a filled node leaves no node reclaim policy event in the trace.
 */
TEST_F_TIMEOUT(placement, no_events_once_unloaded, 900)
{
	load_with(_metadata, "kswapd direct");
	ASSERT_EQ(0, lr_module_unload());
	EXPECT_EQ(0, lr_trace_on(NULL));
	run(_metadata, &self->s, "A after rmmod", CG_A, 1, &self->r);
	lr_trace_off();
	EXPECT_FALSE(lr_trace_has("node_reclaim_policy", NULL));
}

/*
 * Runs the workload in CG on a node 0 just filled with readahead's large
 * page cache folios (up to order 9, in DMA32 and Normal alike) and checks
 * that node 0 lost no more page cache than the workload put there, 5% of
 * slack: reclaim is decided for the node, and what one reclaim frees in
 * either zone is used before the node is reclaimed again.
 */
static void expect_evicted_as_placed(struct __test_metadata *_metadata,
				     const struct setup *s, const char *what,
				     const char *cg, struct anon_result *r)
{
	long before, after, placed;

	fill(_metadata, s);
	before = lr_node_meminfo_kb(0, "FilePages:");
	ASSERT_EQ(0, lr_run_anon(cg, 0, 1, s->work_mib, NULL, r));
	after = lr_node_meminfo_kb(0, "FilePages:");
	placed = s->work_mib * 1024 * lr_cg_pct(r, 1) / 100;
	TH_LOG("%s (%s LRU): %ld MiB placed on node 0, its page cache %ld -> %ld MiB "
	       "(evicted/placed %.2f), %ld MiB free once it exited", what, lr_lru(), placed / 1024,
	       before / 1024, after / 1024, placed ? (double)(before - after) / placed : 0.0,
	       lr_node_meminfo_kb(0, "MemFree:") / 1024);
	EXPECT_GE(lr_cg_pct(r, 1), 95.0);
	EXPECT_LE(before - after, placed * 105 / 100);
}

/* No over-eviction by the policy: evicted/placed <= 1.05. */
TEST_F_TIMEOUT(placement, evicts_no_more_than_it_places, 900)
{
	load_with(_metadata, "kswapd direct");
	expect_evicted_as_placed(_metadata, &self->s, "kswapd direct", CG_A, &self->r);
}

/*
 * The same with `direct`: no kswapd refilling the Normal zone, so every
 * allocation that finds Normal short depends on the node being judged as
 * a whole (DMA32 holds what the previous reclaim freed).
 */
TEST_F_TIMEOUT(placement, direct_evicts_no_more_than_it_places, 900)
{
	load_with(_metadata, "direct");
	expect_evicted_as_placed(_metadata, &self->s, "direct", CG_A, &self->r);
}

/* Nor by zone_reclaim_mode, which decides per node as the policy does. */
TEST_F_TIMEOUT(placement, zone_reclaim_mode_evicts_no_more_than_it_places, 900)
{
	ASSERT_EQ(0, lr_write_str("/proc/sys/vm/zone_reclaim_mode", "1"));
	expect_evicted_as_placed(_metadata, &self->s, "zone_reclaim_mode=1", CG_BASE, &self->r);
}

/*
 * `direct` alone reclaims node 0 synchronously, under MGLRU as under the
 * classic LRU: node 0's pgsteal_direct grows, and the workload stays local.
 */
TEST_F_TIMEOUT(placement, direct_reclaims_page_cache, 900)
{
	long steal0, steal1;
	double a;

	load_with(_metadata, "direct");
	fill(_metadata, &self->s);
	steal0 = lr_node_vmstat(0, "pgsteal_direct");
	ASSERT_EQ(0, lr_run_anon(CG_A, 0, 1, self->s.work_mib, NULL, &self->r));
	steal1 = lr_node_vmstat(0, "pgsteal_direct");
	a = lr_cg_pct(&self->r, 1);
	TH_LOG("direct (%s LRU): node0 pgsteal_direct +%ld MiB, %.1f%% local, "
	       "%ld direct reclaims", lr_lru(), (steal1 - steal0) / 256, a,
	       lr_stat_sum(CG_A "/memory.local_reclaim.stat", "direct_reclaims"));
	EXPECT_GT(steal1 - steal0, self->s.work_mib * 256 / 2);
	EXPECT_GE(a, 99.0);
}

/*
 * vm.zone_reclaim_mode=1 (no module) reclaims node 0's clean page cache
 * under MGLRU as under the classic LRU.
 */
TEST_F_TIMEOUT(placement, zone_reclaim_mode_reclaims, 900)
{
	long steal0, steal1, ok0, ok1;
	double zrm;

	ASSERT_EQ(0, lr_write_str("/proc/sys/vm/zone_reclaim_mode", "1"));
	fill(_metadata, &self->s);
	steal0 = lr_node_vmstat(0, "pgsteal_direct");
	ok0 = lr_vmstat("zone_reclaim_success");
	ASSERT_EQ(0, lr_run_anon(CG_BASE, 0, 1, self->s.work_mib, NULL, &self->r));
	steal1 = lr_node_vmstat(0, "pgsteal_direct");
	ok1 = lr_vmstat("zone_reclaim_success");
	zrm = lr_cg_pct(&self->r, 1);
	TH_LOG("zone_reclaim_mode=1 (%s LRU): node0 pgsteal_direct +%ld MiB, "
	       "zone_reclaim_success +%ld, %.1f%% local", lr_lru(), (steal1 - steal0) / 256,
	       ok1 - ok0, zrm);
	EXPECT_GT(steal1 - steal0, self->s.work_mib * 256 / 2);
	EXPECT_GT(ok1 - ok0, 0);
	EXPECT_GE(zrm, 95.0);
}

/* One run of the workload with one more anon_fault option. */
static void run_opt(struct __test_metadata *_metadata, const struct setup *s, const char *cg,
		    const char *opt, struct anon_result *r)
{
	fill(_metadata, s);
	ASSERT_EQ(0, lr_run_anon(cg, 0, 1, s->work_mib, opt, r));
}

/*
 * Transparent huge pages "always", defrag "madvise", as Debian's kernels
 * boot.  A THP fault first tries the local node alone (__GFP_THISNODE |
 * __GFP_NORETRY).  Outside MADV_HUGEPAGE ranges that try may not reclaim
 * and the fault falls back to base pages, which the policy keeps local;
 * the page cache folios its reclaim evicts leave huge blocks free, so the
 * later THP tries succeed locally.  In a MADV_HUGEPAGE range the local try
 * may reclaim: the policy gives it light reclaim of its own size and the
 * slow path compacts locally, as zone_reclaim_mode lets it; without that,
 * the fault's second try, which may use any node, takes a remote THP.
 * Never a remote THP with the policy, and the workload local.  What the
 * workload gets in each configuration (THP and base pages, on and off
 * node 0) is printed; Documentation/testing.rst quotes it.
 */
TEST_F_TIMEOUT(placement, thp_always_places_local, 900)
{
	static const struct {
		const char *what, *cg, *mode;
		bool zrm, madvised;
	} cfgs[] = {
		{ "module unloaded", CG_BASE, NULL, false, false },
		{ "zone_reclaim_mode=1", CG_BASE, NULL, true, false },
		{ "A kswapd direct", CG_A, "kswapd direct", false, false },
		{ "A direct", CG_A, "direct", false, false },
		{ "MADV_HUGEPAGE, module unloaded", CG_BASE, NULL, false, true },
		{ "MADV_HUGEPAGE, zone_reclaim_mode=1", CG_BASE, NULL, true, true },
		{ "MADV_HUGEPAGE, A kswapd direct", CG_A, "kswapd direct", false, true },
	};
	char mode[64] = "";
	double pct[ARRAY_SIZE(cfgs)];

	ASSERT_GE(lr_read_file("/sys/kernel/mm/transparent_hugepage/enabled", mode, sizeof(mode)),
		  0);
	ASSERT_NE(NULL, strstr(mode, "[always]")) TH_LOG("THP is not 'always' at boot: %s", mode);
	for (size_t i = 0; i < ARRAY_SIZE(cfgs); i++) {
		struct anon_result *r = &self->r;
		long thp_local, thp_remote, base_local, base_remote;

		if (cfgs[i].mode)
			load_with(_metadata, cfgs[i].mode);
		else if (lr_module_loaded())
			ASSERT_EQ(0, lr_module_unload());
		ASSERT_EQ(0, lr_write_str("/proc/sys/vm/zone_reclaim_mode", cfgs[i].zrm ? "1" : "0"));
		run_opt(_metadata, &self->s, cfgs[i].cg, cfgs[i].madvised ? "-M" : "-T", r);
		thp_local = r->thp_node_pages[0];
		thp_remote = r->thp_pages - thp_local;
		base_local = r->node_pages[0] - thp_local;
		base_remote = r->pages - r->node_pages[0] - thp_remote;
		pct[i] = lr_cg_pct(r, 1);
		TH_LOG("THP always, %s (%s LRU): %.1f%% local (numa_stat); of %ld MiB: local THP %ld, "
		       "local base %ld, remote THP %ld, remote base %ld MiB", cfgs[i].what, lr_lru(),
		       pct[i], r->pages / 256, thp_local / 256, base_local / 256, thp_remote / 256,
		       base_remote / 256);
		if (cfgs[i].mode)
			EXPECT_EQ(0, thp_remote) TH_LOG("the policy sent a THP to node 1");
	}
	EXPECT_GE(pct[2], 99.0);
	EXPECT_GE(pct[3], 99.0);
	EXPECT_GE(pct[1], 95.0);
	/* The test can tell the difference, or it proves nothing. */
	EXPECT_GE(pct[2] - pct[0], 20.0);
	/* MADV_HUGEPAGE: the default takes remote THPs, the policy local ones. */
	EXPECT_GE(pct[6], 99.0);
	EXPECT_GE(pct[5], 95.0);
	EXPECT_GE(pct[6] - pct[4], 20.0);
}

/*
 * NUMA balancing on, as Debian's kernels boot: the workload keeps reading
 * its memory for a while, so that balancing's hinting faults see it, and
 * placement is read at the end.  Balancing cannot bring back to node 0 what
 * the default sent to node 1 while node 0 stays full of page cache (it
 * migrates only to a node with free memory above its high watermark); the
 * policy's pages are local from the start.  Prints, per configuration,
 * the hinting faults, the pages balancing migrated and the migrations that
 * failed during the run.
 */
TEST_F_TIMEOUT(placement, numa_balancing_on, 900)
{
	static const struct {
		const char *what, *cg, *mode;
		bool zrm;
	} cfgs[] = {
		{ "module unloaded", CG_BASE, NULL, false },
		{ "zone_reclaim_mode=1", CG_BASE, NULL, true },
		{ "A kswapd direct", CG_A, "kswapd direct", false },
	};
	double pct[ARRAY_SIZE(cfgs)];
	long hint = 0;

	ASSERT_EQ(0, lr_write_str("/proc/sys/kernel/numa_balancing", "1"));
	for (size_t i = 0; i < ARRAY_SIZE(cfgs); i++) {
		long h0, m0, f0, h1, m1, f1;

		if (cfgs[i].mode)
			load_with(_metadata, cfgs[i].mode);
		ASSERT_EQ(0, lr_write_str("/proc/sys/vm/zone_reclaim_mode", cfgs[i].zrm ? "1" : "0"));
		h0 = lr_vmstat("numa_hint_faults");
		m0 = lr_vmstat("numa_pages_migrated");
		f0 = lr_vmstat("pgmigrate_fail");
		/* 8 s of reads after the fault. */
		run_opt(_metadata, &self->s, cfgs[i].cg, "-A8", &self->r);
		h1 = lr_vmstat("numa_hint_faults");
		m1 = lr_vmstat("numa_pages_migrated");
		f1 = lr_vmstat("pgmigrate_fail");
		pct[i] = lr_cg_pct(&self->r, 1);
		hint += h1 - h0;
		TH_LOG("NUMA balancing on, %s (%s LRU): %.1f%% local at the end (numa_stat), "
		       "%ld passes over the memory; numa_hint_faults +%ld, numa_pages_migrated +%ld, "
		       "pgmigrate_fail +%ld", cfgs[i].what, lr_lru(), pct[i],
		       self->r.access_passes, h1 - h0, m1 - m0, f1 - f0);
	}
	/* Balancing ran, or the figures say nothing about it. */
	EXPECT_GT(hint, 0);
	EXPECT_GE(pct[2], 99.0);
	EXPECT_GE(pct[1], 95.0);
	EXPECT_GE(pct[2] - pct[0], 20.0);
}

TEST_HARNESS_MAIN
