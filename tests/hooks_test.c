// SPDX-License-Identifier: GPL-2.0
/*
 * The allocator hooks where a real machine takes them (2 nodes, distance
 * 21, node 0 with DMA, DMA32 and Normal zones, no swap):
 *
 *  - a node whose kswapd another tenant keeps busy: a cgroup whose mode is
 *    off is never asked about (the allocator filters it out before any call
 *    into the module), while an enabled one is;
 *  - a node with nothing to reclaim: the policy's allocations do not enter
 *    reclaim, the kernel counts them as node_reclaim_policy_unreclaimable;
 *  - a node whose reclaim cannot satisfy the allocation: at most one
 *    synchronous reclaim per node per allocation, whatever number of the
 *    node's zones fail and however often the allocator retries;
 *  - by default, another node with CPUs is never reclaimed, only once an
 *    administrator set a distance;
 *  - the policy only wakes kswapd: node 0's Normal zone is never taken below
 *    the low watermark the allocation asked for;
 *  - an allocation charged to another cgroup (set_active_memcg()) is
 *    decided by that cgroup's setting, not by the allocating task's;
 *  - more memory asked than the machine has, "kswapd direct unmap" for every
 *    cgroup: the task is OOM-killed, in at most twice the time it takes with
 *    the module unloaded.
 */
#include <pthread.h>
#include <time.h>

#include "kselftest_harness.h"
#include "lr_workload.h"

#define CG_ON	LR_CG_ROOT "/lr_on"
#define CG_OFF	LR_CG_ROOT "/lr_off"
#define CG_HOG	LR_CG_ROOT "/lr_hog"

#define CHARGE_PROBE	"/opt/local_reclaim/lr_charge_probe.ko"
#define CHARGE_ALLOC	"/sys/kernel/debug/lr_charge_probe/alloc"

/* One counter of /proc/vmstat, -1 if missing. */
static long vmstat(const char *name)
{
	char buf[16384], key[64], *p;

	if (lr_read_file("/proc/vmstat", buf, sizeof(buf)) < 0)
		return -1;
	snprintf(key, sizeof(key), "\n%s ", name);
	p = strstr(buf, key);
	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

/* A cgroup's counter NAME summed over nodes. */
static long cg_stat(const char *cg, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/memory.local_reclaim.stat", cg);
	return lr_stat_sum(path, name);
}

/* A cgroup's counter NAME on node NID, -1 if missing. */
static long cg_stat_node(const char *cg, const char *name, int nid)
{
	char path[256], buf[8192], key[80], *p;

	snprintf(path, sizeof(path), "%s/memory.local_reclaim.stat", cg);
	if (lr_read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	snprintf(key, sizeof(key), "%s ", name);
	p = strstr(buf, key);
	if (!p || (p != buf && p[-1] != '\n'))
		return -1;
	snprintf(key, sizeof(key), " N%d=", nid);
	p = strstr(p, key);
	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Drops the page cache and lets kswapd settle. */
static int drop_caches(void)
{
	sync();
	if (lr_write_str("/proc/sys/vm/drop_caches", "3"))
		return -1;
	lr_wait_kswapd_idle();
	return 0;
}

/* Moves the calling task into cgroup CG; 0 or -1. */
static int enter_cgroup(const char *cg)
{
	char path[256], pid[24];

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	snprintf(pid, sizeof(pid), "%d", getpid());
	return lr_write_str(path, pid) ? -1 : 0;
}

FIXTURE(hooks) {
	long node0_mib;
	pid_t busy, hog;
	FILE *hog_out;
	struct anon_result r;
};

FIXTURE_SETUP(hooks)
{
	if (!lr_exists(LR_MODULE_PATH) || !lr_exists(LR_BIN "/anon_fault"))
		SKIP(return, "module or workloads not in the guest");
	if (!lr_exists(LR_NODE_DIR "/node1") || lr_exists(LR_NODE_DIR "/node2"))
		SKIP(return, "needs exactly 2 nodes");
	self->node0_mib = lr_node_meminfo_kb(0, "MemTotal:") / 1024;
	self->busy = self->hog = -1;
	ASSERT_EQ(0, lr_vm_quiet());
	ASSERT_EQ(0, lr_cg_create(CG_ON));
	ASSERT_EQ(0, lr_cg_create(CG_OFF));
	ASSERT_EQ(0, lr_cg_create(CG_HOG));
}

FIXTURE_TEARDOWN(hooks)
{
	if (self->busy > 0) {
		kill(-self->busy, SIGKILL);
		kill(self->busy, SIGKILL);
		waitpid(self->busy, NULL, 0);
	}
	if (self->hog > 0)
		lr_stop_anon(self->hog, self->hog_out);
	enter_cgroup(LR_CG_ROOT);
	syscall(SYS_delete_module, "lr_charge_probe", O_NONBLOCK);
	lr_vm_restore();
	rmdir(CG_ON);
	rmdir(CG_OFF);
	rmdir(CG_HOG);
}

static void load_with(struct __test_metadata *_metadata, const char *on_mode)
{
	ASSERT_EQ(0, lr_module_load());
	ASSERT_EQ(0, lr_write_str(CG_ON "/memory.local_reclaim.mode", on_mode));
	ASSERT_EQ(0, lr_write_str(CG_OFF "/memory.local_reclaim.mode", "off"));
	ASSERT_EQ(0, lr_write_str(CG_HOG "/memory.local_reclaim.mode", "off"));
}

/*
 * Another tenant reads a file bound to node 0, over and over, in CG_HOG:
 * node 0 reclaims itself all the time, so its kswapd stays awake.
 */
static pid_t start_busy_tenant(long node0_mib)
{
	char cmd[256];
	pid_t pid;

	snprintf(cmd, sizeof(cmd),
		 "echo $$ > " CG_HOG "/cgroup.procs; "
		 "while :; do " LR_BIN "/fill_node -o 2048 0 %ld; done >/dev/null 2>&1",
		 node0_mib * 2);
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		execl("/bin/sh", "sh", "-c", cmd, NULL);
		_exit(127);
	}
	return pid;
}

/*
 * A cgroup whose mode is off makes no call into the module, also where the
 * allocator asks before any watermark check: the first pass past a node
 * whose kswapd runs.  The enabled cgroup, under the same conditions, is
 * asked and keeps the node.
 */
TEST_F_TIMEOUT(hooks, off_tenant_not_asked, 900)
{
	long scan0, scan1, off_asked, on_asked, on_kept;

	load_with(_metadata, "kswapd direct");
	ASSERT_EQ(0, lr_reset_and_fill(0, self->node0_mib + 64, false));
	self->busy = start_busy_tenant(self->node0_mib);
	ASSERT_GT(self->busy, 0);
	sleep(3);

	scan0 = lr_node_vmstat(0, "pgscan_kswapd");
	ASSERT_EQ(0, lr_run_anon(CG_OFF, 0, 2, self->node0_mib * 40 / 100, NULL, &self->r));
	scan1 = lr_node_vmstat(0, "pgscan_kswapd");
	off_asked = cg_stat(CG_OFF, "asked");
	TH_LOG("off tenant with node 0's kswapd busy (pgscan_kswapd +%ld): asked %ld, "
	       "local %.1f%%", scan1 - scan0, off_asked, lr_cg_pct(&self->r, 1));
	EXPECT_GT(scan1 - scan0, 0) TH_LOG("node 0's kswapd was not busy: the test proves nothing");
	EXPECT_EQ(0, off_asked);

	ASSERT_EQ(0, lr_run_anon(CG_ON, 0, 2, self->node0_mib * 40 / 100, NULL, &self->r));
	on_asked = cg_stat(CG_ON, "asked");
	on_kept = cg_stat(CG_ON, "busy_kept");
	TH_LOG("kswapd direct tenant: asked %ld, busy_kept %ld, local %.1f%%", on_asked, on_kept,
	       lr_cg_pct(&self->r, 1));
	EXPECT_GT(on_asked, 0);
	EXPECT_GT(on_kept, 0) TH_LOG("the busy-kswapd site was never reached");
}

/*
 * Node 0 holds nothing the policy may reclaim (no page cache, another
 * tenant's anonymous memory, no unmap asked): its allocations must not
 * enter reclaim, nor take or wait for the node's reclaim lock.
 */
TEST_F_TIMEOUT(hooks, nothing_reclaimable, 600)
{
	long unrecl0, unrecl1, entered0, entered1, reclaims, hog_mib;

	load_with(_metadata, "direct");
	ASSERT_EQ(0, drop_caches());
	hog_mib = lr_node_meminfo_kb(0, "MemFree:") / 1024 - 48;
	self->hog = lr_start_anon(CG_HOG, 0, 1, hog_mib, "-b", &self->r, &self->hog_out);
	ASSERT_GT(self->hog, 0);
	ASSERT_GT(self->r.pages, 0);
	TH_LOG("node 0: hog %ld MiB, FilePages %ld MiB, MemFree %ld MiB", hog_mib,
	       lr_node_meminfo_kb(0, "FilePages:") / 1024, lr_node_meminfo_kb(0, "MemFree:") / 1024);

	unrecl0 = vmstat("node_reclaim_policy_unreclaimable");
	entered0 = vmstat("node_reclaim_policy_success") + vmstat("node_reclaim_policy_failed") +
		   vmstat("node_reclaim_policy_wait");
	ASSERT_EQ(0, lr_run_anon(CG_ON, 0, 1, 200, NULL, &self->r));
	unrecl1 = vmstat("node_reclaim_policy_unreclaimable");
	entered1 = vmstat("node_reclaim_policy_success") + vmstat("node_reclaim_policy_failed") +
		   vmstat("node_reclaim_policy_wait");
	reclaims = cg_stat(CG_ON, "direct_reclaims");
	TH_LOG("unreclaimable +%ld, reclaims entered +%ld, direct_reclaims %ld, local %.1f%%",
	       unrecl1 - unrecl0, entered1 - entered0, reclaims, lr_cg_pct(&self->r, 1));
	EXPECT_GT(unrecl1 - unrecl0, 0) TH_LOG("the policy never asked to reclaim node 0");
	EXPECT_EQ(0, entered1 - entered0);
	EXPECT_EQ(0, reclaims);
}

/*
 * Node 0 holds a little page cache and another tenant's anonymous memory:
 * each reclaim frees something but rarely enough.  However many of node
 * 0's zones fail, and however often the allocator retries, an allocation
 * the policy acted on reclaims node 0 at most once.
 */
TEST_F_TIMEOUT(hooks, one_reclaim_per_node, 600)
{
	long hog_mib, reclaims, placed;

	load_with(_metadata, "direct");
	ASSERT_EQ(0, drop_caches());
	hog_mib = lr_node_meminfo_kb(0, "MemFree:") / 1024 - 96;
	self->hog = lr_start_anon(CG_HOG, 0, 1, hog_mib, "-b", &self->r, &self->hog_out);
	ASSERT_GT(self->hog, 0);
	/* Some page cache on node 0, bound there: about 64 MiB. */
	ASSERT_EQ(0, lr_fill(0, 64, true));
	TH_LOG("node 0: hog %ld MiB, FilePages %ld MiB, MemFree %ld MiB", hog_mib,
	       lr_node_meminfo_kb(0, "FilePages:") / 1024, lr_node_meminfo_kb(0, "MemFree:") / 1024);

	ASSERT_EQ(0, lr_run_anon(CG_ON, 0, 1, 256, NULL, &self->r));
	reclaims = cg_stat_node(CG_ON, "direct_reclaims", 0);
	placed = cg_stat(CG_ON, "kept") + cg_stat(CG_ON, "spilled");
	TH_LOG("node 0 reclaims %ld for %ld allocations acted on, local %.1f%%", reclaims,
	       placed, lr_cg_pct(&self->r, 1));
	EXPECT_GT(reclaims, 0) TH_LOG("node 0 was never reclaimed: the test proves nothing");
	EXPECT_LE(reclaims, placed);
}

/*
 * By default the policy reaches no further than zone_reclaim_mode: node 1
 * has CPUs, so although it lies within node_reclaim_distance (30 > 21), a
 * cgroup that did not set a distance never has it reclaimed; once the
 * distance is set, node 1 is reclaimed before the allocation spills.
 */
TEST_F_TIMEOUT(hooks, default_reach_spares_other_nodes_with_cpus, 900)
{
	long n1_default, n1_set, wake_default;
	char stat[8192];

	load_with(_metadata, "kswapd direct");
	ASSERT_EQ(0, drop_caches());
	self->hog = lr_start_anon(CG_HOG, 0, 1, self->node0_mib * 80 / 100, "-bl", &self->r,
				  &self->hog_out);
	ASSERT_GT(self->hog, 0);
	ASSERT_EQ(0, lr_fill(0, self->node0_mib, true));
	ASSERT_EQ(0, lr_fill(1, lr_node_meminfo_kb(1, "MemTotal:") / 1024 + 64, true));
	lr_wait_kswapd_idle();
	ASSERT_GT(lr_read_file(CG_ON "/memory.local_reclaim.stat", stat, sizeof(stat)), 0);
	EXPECT_NE(NULL, strstr(stat, "reach_cpu_nodes 0"));
	ASSERT_EQ(0, lr_run_anon(CG_ON, 0, 1, self->node0_mib * 40 / 100, NULL, &self->r));
	n1_default = cg_stat_node(CG_ON, "direct_reclaims", 1);
	wake_default = cg_stat_node(CG_ON, "kswapd_wakeups", 1);
	TH_LOG("default reach: node 1 reclaims %ld, kswapd wakeups %ld; node 0 %.1f%%",
	       n1_default, wake_default, lr_cg_pct(&self->r, 1));
	EXPECT_EQ(0, n1_default);
	EXPECT_EQ(0, wake_default);

	ASSERT_EQ(0, lr_write_str(CG_ON "/memory.local_reclaim.distance", "21"));
	ASSERT_GT(lr_read_file(CG_ON "/memory.local_reclaim.stat", stat, sizeof(stat)), 0);
	EXPECT_NE(NULL, strstr(stat, "reach_cpu_nodes 1"));
	ASSERT_EQ(0, lr_fill(1, lr_node_meminfo_kb(1, "MemTotal:") / 1024 + 64, true));
	lr_wait_kswapd_idle();
	ASSERT_EQ(0, lr_run_anon(CG_ON, 0, 1, self->node0_mib * 40 / 100, NULL, &self->r));
	n1_set = cg_stat_node(CG_ON, "direct_reclaims", 1);
	TH_LOG("distance 21 set: node 1 reclaims %ld", n1_set);
	EXPECT_GT(n1_set, 0) TH_LOG("node 1 never needed reclaim: the test proves nothing");
}

/*
 * Samples node 0's Normal zone while an allocation runs: the lowest
 * distance seen between its free pages and its min watermark.
 */
struct wmark_sampler {
	pthread_t thread;
	volatile bool stop;
	long lowest, min, low, samples;
};

static void *wmark_sample(void *arg)
{
	struct wmark_sampler *ws = arg;

	while (!ws->stop) {
		long free = lr_zone_field(0, "Normal", "pages free");

		if (free >= 0 && (ws->lowest < 0 || free < ws->lowest))
			ws->lowest = free;
		ws->samples++;
		usleep(1000);
	}
	return NULL;
}

/*
 * "kswapd" alone asks only for kswapd to be woken: the allocation, on its
 * first attempt at the low watermark, must not take node 0's Normal zone
 * below that watermark.  It takes node 0's DMA32 zone or spills to node 1,
 * which have room above it, while kswapd refills the Normal zone.  A wide low-min gap (watermark_scale_factor 1000, 10% of
 * the zone) keeps the per-CPU lists' batches from blurring the line.
 */
TEST_F_TIMEOUT(hooks, kswapd_wake_keeps_asked_watermark, 600)
{
	struct wmark_sampler ws = { .lowest = -1 };
	long gap;

	ASSERT_EQ(0, lr_write_str("/proc/sys/vm/watermark_scale_factor", "1000"));
	load_with(_metadata, "kswapd");
	ASSERT_EQ(0, lr_reset_and_fill(0, self->node0_mib + 64, false));
	ws.min = lr_zone_field(0, "Normal", "min");
	ws.low = lr_zone_field(0, "Normal", "low");
	ASSERT_GT(ws.min, 0) TH_LOG("node 0 has no Normal zone: run with --below-4g");
	gap = ws.low - ws.min;
	ASSERT_EQ(0, pthread_create(&ws.thread, NULL, wmark_sample, &ws));
	EXPECT_EQ(0, lr_run_anon(CG_ON, 0, 2, self->node0_mib * 60 / 100, NULL, &self->r));
	ws.stop = true;
	pthread_join(ws.thread, NULL);
	TH_LOG("node 0 Normal: min %ld low %ld, lowest free seen %ld (%ld samples); "
	       "local %.1f%%, kswapd wakeups %ld", ws.min, ws.low, ws.lowest, ws.samples,
	       lr_cg_pct(&self->r, 1), cg_stat_node(CG_ON, "kswapd_wakeups", 0));
	EXPECT_GT(cg_stat_node(CG_ON, "kswapd_wakeups", 0), 0)
		TH_LOG("the policy never woke node 0's kswapd: the test proves nothing");
	/* Below low by at most a quarter of the gap: the per-CPU batches. */
	EXPECT_GE(ws.lowest, ws.low - gap / 4);
}

/*
 * The kernel charges some allocations to another task's cgroup: bpf maps,
 * fanotify events, io_uring buffers, through set_active_memcg().  The
 * policy must decide them by the charged cgroup's setting.  A task in an
 * off cgroup allocates in the kernel (lr_charge_probe), once for itself:
 * no cgroup is asked about; once charged to a task of CG_ON's: CG_ON is
 * asked and acts, the allocating task's cgroup still is not asked.
 */
TEST_F_TIMEOUT(hooks, remote_charge_follows_charged_cgroup, 600)
{
	long pages = self->node0_mib * 256 * 40 / 100;
	char cmd[64], got[128];
	pid_t member;

	load_with(_metadata, "kswapd direct");
	ASSERT_EQ(0, lr_insmod(CHARGE_PROBE, "")) TH_LOG("insmod lr_charge_probe");
	/* A task of CG_ON's, to charge to. */
	member = fork();
	if (member == 0) {
		enter_cgroup(CG_ON);
		pause();
		_exit(0);
	}
	ASSERT_GT(member, 0);
	self->busy = member;
	ASSERT_EQ(0, enter_cgroup(CG_OFF));

	ASSERT_EQ(0, lr_reset_and_fill(0, self->node0_mib + 64, false));
	snprintf(cmd, sizeof(cmd), "0 0 %ld", pages);
	EXPECT_EQ(0, lr_write_str(CHARGE_ALLOC, cmd));
	lr_read_file(CHARGE_ALLOC, got, sizeof(got));
	TH_LOG("charged to itself: asked CG_OFF %ld CG_ON %ld; %s", cg_stat(CG_OFF, "asked"),
	       cg_stat(CG_ON, "asked"), got);
	EXPECT_EQ(0, cg_stat(CG_ON, "asked"));
	EXPECT_EQ(0, cg_stat(CG_OFF, "asked"));

	ASSERT_EQ(0, lr_reset_and_fill(0, self->node0_mib + 64, false));
	snprintf(cmd, sizeof(cmd), "%d 0 %ld", member, pages);
	EXPECT_EQ(0, lr_write_str(CHARGE_ALLOC, cmd));
	lr_read_file(CHARGE_ALLOC, got, sizeof(got));
	TH_LOG("charged to CG_ON: asked CG_OFF %ld CG_ON %ld, CG_ON direct_reclaims %ld "
	       "kswapd_wakeups %ld; %s", cg_stat(CG_OFF, "asked"), cg_stat(CG_ON, "asked"),
	       cg_stat(CG_ON, "direct_reclaims"), cg_stat(CG_ON, "kswapd_wakeups"), got);
	EXPECT_GT(cg_stat(CG_ON, "asked"), 0);
	EXPECT_GT(cg_stat(CG_ON, "direct_reclaims") + cg_stat(CG_ON, "kswapd_wakeups"), 0);
	EXPECT_EQ(0, cg_stat(CG_OFF, "asked"));
}

/*
 * Runs a task that asks for more anonymous memory than the machine has,
 * in CG_ON, and returns the seconds until it was killed (negative if it
 * was not killed by SIGKILL).
 */
static double time_to_oom(long mib)
{
	char m[24];
	char *argv[] = { LR_BIN "/anon_fault", "-c", CG_ON, "-n", "0", m, NULL };
	double t0 = now();
	pid_t pid;
	int st;

	snprintf(m, sizeof(m), "%ld", mib);
	pid = lr_spawn_quiet(argv);
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL)
		return -1;
	return now() - t0;
}

/*
 * The OOM killer still gets its turn: the allocator's last-chance attempt
 * at the high watermark must not succeed at a lower one because the policy
 * woke kswapd, or the machine thrashes instead of killing.
 */
TEST_F_TIMEOUT(hooks, oom_still_kills, 900)
{
	long total_mib = (lr_node_meminfo_kb(0, "MemTotal:") +
			  lr_node_meminfo_kb(1, "MemTotal:")) / 1024;
	double unloaded, loaded;

	/* One mapping larger than RAM: the heuristic would refuse it. */
	ASSERT_EQ(0, lr_write_str("/proc/sys/vm/overcommit_memory", "1"));
	ASSERT_EQ(0, lr_reset_and_fill(0, self->node0_mib + 64, false));
	unloaded = time_to_oom(total_mib + 256);
	ASSERT_GT(unloaded, 0) TH_LOG("not OOM-killed with the module unloaded");

	ASSERT_EQ(0, lr_module_load());
	ASSERT_EQ(0, lr_write_str(LR_SYSFS_DIR "/mode", "kswapd direct unmap"));
	ASSERT_EQ(0, lr_reset_and_fill(0, self->node0_mib + 64, false));
	loaded = time_to_oom(total_mib + 256);
	TH_LOG("OOM kill after %.1f s unloaded, %.1f s with kswapd direct unmap for all",
	       unloaded, loaded);
	ASSERT_GT(loaded, 0) TH_LOG("not OOM-killed with the policy on");
	EXPECT_LE(loaded, 2 * unloaded);
}

TEST_HARNESS_MAIN
