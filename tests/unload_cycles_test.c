// SPDX-License-Identifier: GPL-2.0
/*
 * Unload under load: LR_UNLOAD_CYCLES (default 100) cycles of insmod, set
 * policies on three cgroups and the global mode, let the policy act, rmmod
 * -- while eight threads in those cgroups fault anon memory on node 0 over
 * and over and a reader keeps node 0 full of page cache.  Every load and
 * unload must succeed, and after the last unload the same workload as
 * before the first load (module unloaded) must see no reclaim for a policy
 * (the kernel's node_reclaim_policy_* events) and be placed as unloaded,
 * not as with the global mode the cycles set: no hook, no static key, no
 * setting left behind.
 *
 * Prints "figure unload cycles=N acted=N baseline_local=P after_local=P
 * policy_events_after=N".
 *
 * And node_reclaim_distance, which the global knob writes through to the
 * kernel, is what it was before the load after every unload, also when
 * writers hammer the knob while rmmod runs: no write may land after the
 * module gave the value back.
 */
#include <pthread.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "lr_workload.h"

#define CG_BASE	LR_CG_ROOT "/lr_ubase"
#define NR_CG	3

static const char *const cgs[NR_CG] = { LR_CG_ROOT "/lr_u0", LR_CG_ROOT "/lr_u1",
					LR_CG_ROOT "/lr_u2" };
static const char *const cg_modes[NR_CG] = { "kswapd direct", "direct unmap", "kswapd" };
static const char *const cg_dists[NR_CG] = { "21", "16", "inherit" };

/* Keeps node 0 full of page cache: fill_node in a loop, in lr_u2. */
static pid_t spawn_refill(long mib)
{
	pid_t pid = fork();

	if (pid == 0) {
		char m[24];

		setpgid(0, 0);	/* killed with its fill_node */
		char *argv[] = { LR_BIN "/fill_node", "-o", "0", "-u", "0", m, NULL };

		snprintf(m, sizeof(m), "%ld", mib);
		if (lr_write_str(LR_CG_ROOT "/lr_u2/cgroup.procs", "0"))
			_exit(1);
		for (;;) {
			pid_t c = lr_spawn_quiet(argv);

			if (c < 0 || waitpid(c, NULL, 0) != c)
				_exit(1);
			usleep(200000);
		}
	}
	return pid;
}

/* Direct reclaims and kswapd wakeups the module counted, all nodes. */
static long acted(void)
{
	return lr_global_stat_sum("direct_reclaims") + lr_global_stat_sum("kswapd_wakeups");
}

static double measure(struct __test_metadata *_metadata, const char *what, long fill, long work)
{
	struct anon_result r;

	/*
	 * The cycles leave node 0 fragmented (no free block above order 8
	 * in runs), and readahead's large folios would then go to node 1
	 * with 200 MiB of node 0 free: fill with single pages, so that both
	 * measurements start from a node 0 as full.
	 */
	if (lr_reset_and_fill(0, fill, LR_FILL_UNBOUND | LR_FILL_PAGES))
		return -1;
	TH_LOG("%s: node 0 MemFree %ld FilePages %ld AnonPages %ld Slab %ld Shmem %ld MiB, "
	       "node 1 MemFree %ld MiB", what, lr_node_meminfo_kb(0, "MemFree:") / 1024,
	       lr_node_meminfo_kb(0, "FilePages:") / 1024, lr_node_meminfo_kb(0, "AnonPages:") / 1024,
	       lr_node_meminfo_kb(0, "Slab:") / 1024, lr_node_meminfo_kb(0, "Shmem:") / 1024,
	       lr_node_meminfo_kb(1, "MemFree:") / 1024);
	if (lr_run_anon(CG_BASE, 0, 8, work, NULL, &r))
		return -1;
	TH_LOG("%s: %.1f%% of the workload on node 0 (numa_stat), %.1f%% by move_pages", what,
	       lr_cg_pct(&r, 1), r.local_pct);
	return lr_cg_pct(&r, 1);
}

FIXTURE(unload) {
};

FIXTURE_SETUP(unload)
{
	LR_REQUIRE(lr_exists(LR_MODULE_PATH) && lr_exists(LR_BIN "/anon_fault"),
		   "module or workloads not in the guest");
	LR_REQUIRE(lr_exists(LR_NODE_DIR "/node1"), "needs two nodes");
	ASSERT_EQ(0, lr_vm_quiet());
	ASSERT_EQ(0, lr_cg_create(CG_BASE));
	for (int i = 0; i < NR_CG; i++)
		ASSERT_EQ(0, lr_cg_create(cgs[i]));
}

FIXTURE_TEARDOWN(unload)
{
	lr_vm_restore();
	rmdir(CG_BASE);
	for (int i = 0; i < NR_CG; i++)
		rmdir(cgs[i]);
}

TEST_F_TIMEOUT(unload, cycles_while_eight_threads_allocate, 1800)
{
	const char *s = getenv("LR_UNLOAD_CYCLES");
	long cycles = s ? strtol(s, NULL, 10) : 100, done = 0, with_action = 0;
	long total = lr_node_meminfo_kb(0, "MemTotal:") / 1024;
	long fill = total + 64, work = total * 40 / 100;
	char mib[24];
	char *a0[] = { LR_BIN "/anon_fault", "-c", (char *)cgs[0], "-n", "0", "-t", "4",
		       "-R", "1000000", mib, NULL };
	char *a1[] = { LR_BIN "/anon_fault", "-c", (char *)cgs[1], "-n", "0", "-t", "4",
		       "-R", "1000000", mib, NULL };
	double base, after;
	pid_t w0, w1, refill;
	long events;

	base = measure(_metadata, "before the first load", fill, work);
	ASSERT_GE(base, 0);

	ASSERT_EQ(0, lr_reset_and_fill(0, fill, LR_FILL_UNBOUND));
	snprintf(mib, sizeof(mib), "%ld", work);
	w0 = lr_spawn_quiet(a0);
	w1 = lr_spawn_quiet(a1);
	refill = spawn_refill(fill);
	ASSERT_GT(w0, 0);
	ASSERT_GT(w1, 0);
	ASSERT_GT(refill, 0);
	for (long i = 0; i < cycles; i++) {
		char path[256];
		int r;

		r = lr_module_load();
		ASSERT_EQ(0, r) TH_LOG("cycle %ld: insmod: %s", i, strerror(-r));
		ASSERT_EQ(0, lr_write_str(LR_SYSFS_DIR "/mode", i % 2 ? "kswapd" : "direct"));
		for (int c = 0; c < NR_CG; c++) {
			snprintf(path, sizeof(path), "%s/memory.local_reclaim.mode", cgs[c]);
			ASSERT_EQ(0, lr_write_str(path, cg_modes[(c + i) % NR_CG]));
			snprintf(path, sizeof(path), "%s/memory.local_reclaim.distance", cgs[c]);
			ASSERT_EQ(0, lr_write_str(path, cg_dists[(c + i) % NR_CG]));
		}
		/* Let the policy act, for a varying while (0-190 ms). */
		usleep(10000 * (i * 7 % 20));
		with_action += acted() > 0;
		r = lr_module_unload();
		ASSERT_EQ(0, r) TH_LOG("cycle %ld: rmmod: %s", i, strerror(-r));
		/* Nothing of the module may remain between cycles. */
		ASSERT_FALSE(lr_exists(LR_SYSFS_DIR));
		ASSERT_FALSE(lr_exists(LR_CG_ROOT "/lr_u0/memory.local_reclaim.mode"));
		done++;
	}
	kill(-refill, SIGKILL);
	kill(w0, SIGKILL);
	kill(w1, SIGKILL);
	waitpid(refill, NULL, 0);
	waitpid(w0, NULL, 0);
	waitpid(w1, NULL, 0);

	events = lr_policy_reclaims();
	after = measure(_metadata, "after the last unload", fill, work);
	events = lr_policy_reclaims() - events;
	TH_LOG("figure unload cycles=%ld acted=%ld baseline_local=%.1f after_local=%.1f "
	       "policy_events_after=%ld", done, with_action, base, after, events);
	EXPECT_EQ(cycles, done);
	/* The policy was at work in most cycles, not loaded and idle. */
	EXPECT_GE(with_action, cycles / 2);
	/* No reclaim for a policy once none is registered. */
	EXPECT_EQ(0, events);
	/*
	 * Placement as unloaded, not as with a policy (which puts 95-100% of
	 * this workload on node 0).  Unloaded, it is bimodal: 0-2% when node
	 * 0's kswapd stays asleep, up to 38% when a stray wakeup lets kswapd
	 * feed the workload (runs of 2026-11-23), so the bound is wide; a run
	 * where only the second measurement meets such a wakeup can still
	 * exceed it.
	 */
	EXPECT_LE(after, base + 35.0);
	EXPECT_LE(after, 60.0);
}

/* Writes a distance to the global knob until told to stop. */
struct distance_writer {
	pthread_t thread;
	volatile bool stop;
	long writes;
};

static void *write_distance(void *arg)
{
	struct distance_writer *w = arg;

	while (!w->stop) {
		int fd = open(LR_SYSFS_DIR "/node_reclaim_distance", O_WRONLY);

		if (fd < 0)
			continue;
		if (write(fd, "77", 2) == 2)
			w->writes++;
		close(fd);
	}
	return NULL;
}

/* node_reclaim_distance as the module shows it right after a load. */
static long distance_at_load(void)
{
	char buf[32];
	long d = -1;

	if (lr_module_load())
		return -1;
	if (lr_read_file(LR_SYSFS_DIR "/node_reclaim_distance", buf, sizeof(buf)) > 0)
		d = strtol(buf, NULL, 10);
	return lr_module_unload() ? -1 : d;
}

TEST_F_TIMEOUT(unload, distance_restored_despite_writes_during_rmmod, 900)
{
	struct distance_writer w[2];
	long before, after, writes = 0, cycles = 40;

	before = distance_at_load();
	ASSERT_GT(before, 0);
	ASSERT_NE(77, before);
	for (long i = 0; i < cycles; i++) {
		int r;

		ASSERT_EQ(0, lr_module_load());
		for (int t = 0; t < 2; t++) {
			w[t] = (struct distance_writer){ 0 };
			ASSERT_EQ(0, pthread_create(&w[t].thread, NULL, write_distance, &w[t]));
		}
		usleep(1000 * (i % 10));
		do
			r = lr_module_unload();
		while (r == -EAGAIN || r == -EBUSY);
		for (int t = 0; t < 2; t++) {
			w[t].stop = true;
			pthread_join(w[t].thread, NULL);
			writes += w[t].writes;
		}
		ASSERT_EQ(0, r) TH_LOG("cycle %ld: rmmod: %s", i, strerror(-r));
		after = distance_at_load();
		ASSERT_EQ(before, after) TH_LOG("cycle %ld: a write during rmmod survived it", i);
	}
	TH_LOG("%ld cycles, %ld writes of 77 while loaded, node_reclaim_distance %ld throughout",
	       cycles, writes, before);
	EXPECT_GT(writes, cycles);
}

TEST_HARNESS_MAIN
