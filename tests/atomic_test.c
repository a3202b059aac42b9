// SPDX-License-Identifier: GPL-2.0
/*
 * Low-memory and atomic paths: with the global mode "kswapd direct unmap",
 * eight threads fault anon memory on node 0 over and over while a reader
 * keeps node 0 full of page cache, driving node 0 down to its watermarks.
 * Meanwhile lr_atomic_probe.ko allocates GFP_ATOMIC pages on node 0 from a
 * 1 ms soft hrtimer (on a node 1 CPU, so CPU contention on node 0 does not
 * count as a stall).  The policy must never make an atomic allocation wait
 * or fail: the atomic allocation rate during the pressure is compared with
 * the rate before it, failures and the longest gap between timer expiries
 * are counted, and the lowest free page count seen on node 0 shows the
 * watermarks were reached.
 *
 * Under TCG the guest's vCPUs share the host's cores, so a busy guest gets
 * fewer timer expiries per second: the rate ratio shows that contention
 * (about 0.5 on 2 host cores), while pages per expiry show the allocator.
 * A stall shows as a long gap between expiries; a deadlock as no expiry.
 *
 * Prints "figure atomic rate_before=R rate_during=R ratio=X
 * per_tick_ratio=X failures=N max_gap_ms=N lowest_free=N min_wmark=N
 * low_wmark=N".
 */
#include <sched.h>
#include <time.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "lr_workload.h"

#define PROBE_PATH	"/opt/local_reclaim/lr_atomic_probe.ko"
#define PROBE_STATS	"/sys/kernel/debug/lr_atomic_probe/stats"
#define CG		LR_CG_ROOT "/lr_atomic"
#define WINDOW_S	8

struct probe_stats {
	long ticks, attempts, successes, local, failures, max_gap_us;
};

static int probe_read(struct probe_stats *s)
{
	char buf[512], *p;

	memset(s, 0, sizeof(*s));
	if (lr_read_file(PROBE_STATS, buf, sizeof(buf)) < 0)
		return -1;
	p = strstr(buf, "ticks ");
	if (!p || sscanf(p, "ticks %ld attempts %ld successes %ld local %ld failures %ld "
			 "max_gap_us %ld", &s->ticks, &s->attempts, &s->successes, &s->local,
			 &s->failures, &s->max_gap_us) != 6)
		return -1;
	return 0;
}

/* Loads the probe from a CPU of node 1, where its hrtimer then runs. */
static int probe_load(void)
{
	cpu_set_t set, old;
	char list[64];
	long long cpus;
	int ret, cpu;

	if (lr_read_file(LR_NODE_DIR "/node1/cpulist", list, sizeof(list)) < 0)
		return -ENODEV;
	cpus = lr_parse_list(list);
	if (cpus <= 0)
		return -ENODEV;
	cpu = __builtin_ctzll(cpus);
	sched_getaffinity(0, sizeof(old), &old);
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return -errno;
	ret = lr_insmod(PROBE_PATH, "nid=0 period_us=1000 batch=8");
	sched_setaffinity(0, sizeof(old), &old);
	return ret;
}

/* Free pages and watermarks of node 0's highest populated zone. */
static int zone_free(long *free, long *min, long *low)
{
	FILE *f = fopen("/proc/zoneinfo", "r");
	char line[256];
	bool in_node0 = false;
	long pf = -1, mn = -1, lw = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		int nid;
		char zone[32];
		long v;

		if (sscanf(line, "Node %d, zone %31s", &nid, zone) == 2) {
			in_node0 = nid == 0;
			continue;
		}
		if (!in_node0)
			continue;
		if (sscanf(line, " pages free %ld", &v) == 1)
			pf = v;
		else if (sscanf(line, " min %ld", &v) == 1)
			mn = v;
		else if (sscanf(line, " low %ld", &v) == 1)
			lw = v;
		else if (sscanf(line, " present %ld", &v) == 1 && v > 0 && pf >= 0) {
			/* A populated zone: remember it, a later one wins. */
			*free = pf;
			*min = mn;
			*low = lw;
		}
	}
	fclose(f);
	return 0;
}

FIXTURE(atomic) {
};

FIXTURE_SETUP(atomic)
{
	LR_REQUIRE(lr_exists(LR_MODULE_PATH) && lr_exists(PROBE_PATH),
		   "local_reclaim.ko or lr_atomic_probe.ko not in the guest");
	LR_REQUIRE(lr_exists(LR_NODE_DIR "/node1"), "needs two nodes");
	ASSERT_EQ(0, lr_vm_quiet());
	ASSERT_EQ(0, lr_module_load());
	ASSERT_EQ(0, lr_write_str(LR_SYSFS_DIR "/mode", "kswapd direct unmap"));
	ASSERT_EQ(0, lr_cg_create(CG));
}

FIXTURE_TEARDOWN(atomic)
{
	syscall(SYS_delete_module, "lr_atomic_probe", O_NONBLOCK);
	lr_vm_restore();
	rmdir(CG);
}

TEST_F_TIMEOUT(atomic, atomic_allocations_do_not_stall_at_min_watermark, 900)
{
	long total = lr_node_meminfo_kb(0, "MemTotal:") / 1024;
	long lowest = -1, min = 0, low = 0, nfree = 0, mn = 0, lw = 0;
	struct probe_stats before, during;
	char mib[24], fill[24];
	char *work[] = { LR_BIN "/anon_fault", "-c", CG, "-n", "0", "-t", "8", "-R", "1000000",
			 mib, NULL };
	char *reader[] = { LR_BIN "/fill_node", "-o", "0", "-u", "0", fill, NULL };
	double rate_before, rate_during, ratio, per_tick;
	pid_t w, r = -1;
	time_t end;

	ASSERT_EQ(0, probe_load()) TH_LOG("insmod lr_atomic_probe");

	/* Before: the node idle, full of page cache. */
	ASSERT_EQ(0, lr_reset_and_fill(0, total + 64, false));
	ASSERT_EQ(0, lr_write_str(PROBE_STATS, "0"));
	sleep(WINDOW_S);
	ASSERT_EQ(0, probe_read(&before));

	/* During: 8 threads refault 90% of node 0 while its cache refills. */
	snprintf(mib, sizeof(mib), "%ld", total * 90 / 100);
	snprintf(fill, sizeof(fill), "%ld", total + 64);
	w = lr_spawn_quiet(work);
	ASSERT_GT(w, 0);
	sleep(2);
	ASSERT_EQ(0, lr_write_str(PROBE_STATS, "0"));
	for (end = time(NULL) + WINDOW_S; time(NULL) < end;) {
		if (r <= 0 || waitpid(r, NULL, WNOHANG) == r)
			r = lr_spawn_quiet(reader);
		if (!zone_free(&nfree, &mn, &lw) && (lowest < 0 || nfree < lowest)) {
			lowest = nfree;
			min = mn;
			low = lw;
		}
		usleep(20000);
	}
	ASSERT_EQ(0, probe_read(&during));
	kill(w, SIGKILL);
	if (r > 0)
		kill(r, SIGKILL);
	waitpid(w, NULL, 0);
	if (r > 0)
		waitpid(r, NULL, 0);

	rate_before = (double)before.successes / WINDOW_S;
	rate_during = (double)during.successes / WINDOW_S;
	ratio = rate_before > 0 ? rate_during / rate_before : 0;
	per_tick = before.successes && during.ticks ?
		   ((double)during.successes / during.ticks) / ((double)before.successes / before.ticks) : 0;
	TH_LOG("before: %ld ticks, %ld/%ld pages (%ld on node 0), max gap %ld us", before.ticks,
	       before.successes, before.attempts, before.local, before.max_gap_us);
	TH_LOG("during: %ld ticks, %ld/%ld pages (%ld on node 0), max gap %ld us", during.ticks,
	       during.successes, during.attempts, during.local, during.max_gap_us);
	TH_LOG("figure atomic rate_before=%.0f rate_during=%.0f ratio=%.2f per_tick_ratio=%.3f "
	       "failures=%ld max_gap_ms=%ld lowest_free=%ld min_wmark=%ld low_wmark=%ld",
	       rate_before, rate_during, ratio, per_tick, during.failures,
	       during.max_gap_us / 1000, lowest, min, low);
	/* The pressure was real: node 0 went down to its low watermark. */
	EXPECT_LE(lowest, low);
	EXPECT_GT(before.successes, 0);
	/*
	 * No stall: every expiry gets its pages, no expiry waits a second,
	 * and the timer keeps at least a quarter of its idle rate (vCPU
	 * contention alone costs about half under TCG).
	 */
	EXPECT_GE(per_tick, 0.99);
	EXPECT_LE(during.failures, during.attempts / 100);
	EXPECT_LT(during.max_gap_us, 1000000);
	EXPECT_GE(ratio, 0.25);
}

TEST_HARNESS_MAIN
