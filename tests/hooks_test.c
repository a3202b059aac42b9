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
 *  - alloc_pages_nolock(), which may run in NMI: asked about, never acted
 *    on (no kswapd wakeup, no reclaim);
 *  - allocations that would rather fail than disrupt (__GFP_NORETRY, costly
 *    orders): light reclaim of their own size, never unmapping or swapping;
 *  - node 0's reclaim lock held by another task: the policy's wait for it
 *    is a memory stall, in the cgroup's memory.pressure;
 *  - a cgroup confined to node 0 by its cpuset: the policy is never asked
 *    about node 1, even for kernel allocations that may use it;
 *  - more memory asked than the machine has, "kswapd direct unmap" for every
 *    cgroup: the task is OOM-killed, in at most twice the time it takes with
 *    the module unloaded.
 */
#include <pthread.h>
#include <sched.h>
#include <time.h>

#include "kselftest_harness.h"
#include "lr_workload.h"

#define CG_ON	LR_CG_ROOT "/lr_on"
#define CG_OFF	LR_CG_ROOT "/lr_off"
#define CG_HOG	LR_CG_ROOT "/lr_hog"

#define CHARGE_PROBE	"/opt/local_reclaim/lr_charge_probe.ko"
#define CHARGE_ALLOC	"/sys/kernel/debug/lr_charge_probe/alloc"

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

FIXTURE(hooks) {
	long node0_mib;
	pid_t busy, hog;
	FILE *hog_out;
	struct anon_result r;
};

FIXTURE_SETUP(hooks)
{
	LR_REQUIRE(lr_exists(LR_MODULE_PATH) && lr_exists(LR_BIN "/anon_fault"),
		   "module or workloads not in the guest");
	LR_REQUIRE(lr_exists(LR_NODE_DIR "/node1") && !lr_exists(LR_NODE_DIR "/node2"),
		   "needs exactly 2 nodes");
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
	lr_cg_enter(LR_CG_ROOT);
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
 * asked and keeps the node.  It is in "kswapd" mode: it leaves node 0's
 * reclaim to kswapd, which then runs while it allocates.  ("kswapd direct"
 * reclaims the node itself, ahead of kswapd, and depending on timing may
 * never find it running.)
 */
TEST_F_TIMEOUT(hooks, off_tenant_not_asked, 900)
{
	long scan0, scan1, off_asked, on_asked, on_kept;

	load_with(_metadata, "kswapd");
	ASSERT_EQ(0, lr_reset_and_fill(0, self->node0_mib + 64, LR_FILL_UNBOUND));
	self->busy = start_busy_tenant(self->node0_mib);
	ASSERT_GT(self->busy, 0);
	sleep(3);

	scan0 = lr_node_vmstat(0, "pgscan_kswapd");
	ASSERT_EQ(0, lr_run_anon(CG_OFF, 0, 2, self->node0_mib * 40 / 100, NULL, &self->r));
	scan1 = lr_node_vmstat(0, "pgscan_kswapd");
	off_asked = lr_cg_stat(CG_OFF, "asked");
	TH_LOG("off tenant with node 0's kswapd busy (pgscan_kswapd +%ld): asked %ld, "
	       "local %.1f%%", scan1 - scan0, off_asked, lr_cg_pct(&self->r, 1));
	EXPECT_GT(scan1 - scan0, 0) TH_LOG("node 0's kswapd was not busy: the test proves nothing");
	EXPECT_EQ(0, off_asked);

	ASSERT_EQ(0, lr_run_anon(CG_ON, 0, 2, self->node0_mib * 40 / 100, NULL, &self->r));
	on_asked = lr_cg_stat(CG_ON, "asked");
	on_kept = lr_cg_stat(CG_ON, "busy_kept");
	TH_LOG("kswapd tenant: asked %ld, busy_kept %ld, local %.1f%%", on_asked, on_kept,
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
	/* Node 0 left with its high watermarks and 8 MiB free. */
	hog_mib = lr_node_meminfo_kb(0, "MemFree:") / 1024 - lr_node_high_mib(0) - 8;
	self->hog = lr_start_anon(CG_HOG, 0, 1, hog_mib, "-b", &self->r, &self->hog_out);
	ASSERT_GT(self->hog, 0);
	ASSERT_GT(self->r.pages, 0);
	TH_LOG("node 0: hog %ld MiB, FilePages %ld MiB, MemFree %ld MiB", hog_mib,
	       lr_node_meminfo_kb(0, "FilePages:") / 1024, lr_node_meminfo_kb(0, "MemFree:") / 1024);

	unrecl0 = lr_vmstat("node_reclaim_policy_unreclaimable");
	entered0 = lr_policy_reclaims() - lr_vmstat("node_reclaim_policy_unreclaimable");
	ASSERT_EQ(0, lr_run_anon(CG_ON, 0, 1, 200, NULL, &self->r));
	unrecl1 = lr_vmstat("node_reclaim_policy_unreclaimable");
	entered1 = lr_policy_reclaims() - lr_vmstat("node_reclaim_policy_unreclaimable");
	reclaims = lr_cg_stat(CG_ON, "direct_reclaims");
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
	ASSERT_EQ(0, lr_fill(0, 64, LR_FILL_BOUND));
	TH_LOG("node 0: hog %ld MiB, FilePages %ld MiB, MemFree %ld MiB", hog_mib,
	       lr_node_meminfo_kb(0, "FilePages:") / 1024, lr_node_meminfo_kb(0, "MemFree:") / 1024);

	ASSERT_EQ(0, lr_run_anon(CG_ON, 0, 1, 256, NULL, &self->r));
	reclaims = lr_cg_stat_node(CG_ON, "direct_reclaims", 0);
	placed = lr_cg_stat(CG_ON, "kept") + lr_cg_stat(CG_ON, "spilled");
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
	ASSERT_EQ(0, lr_fill(0, self->node0_mib, LR_FILL_BOUND));
	ASSERT_EQ(0, lr_fill(1, lr_node_meminfo_kb(1, "MemTotal:") / 1024 + 64, LR_FILL_BOUND));
	lr_wait_kswapd_idle();
	ASSERT_GT(lr_read_file(CG_ON "/memory.local_reclaim.stat", stat, sizeof(stat)), 0);
	EXPECT_NE(NULL, strstr(stat, "reach_cpu_nodes 0"));
	ASSERT_EQ(0, lr_run_anon(CG_ON, 0, 1, self->node0_mib * 40 / 100, NULL, &self->r));
	n1_default = lr_cg_stat_node(CG_ON, "direct_reclaims", 1);
	wake_default = lr_cg_stat_node(CG_ON, "kswapd_wakeups", 1);
	TH_LOG("default reach: node 1 reclaims %ld, kswapd wakeups %ld; node 0 %.1f%%",
	       n1_default, wake_default, lr_cg_pct(&self->r, 1));
	EXPECT_EQ(0, n1_default);
	EXPECT_EQ(0, wake_default);

	ASSERT_EQ(0, lr_write_str(CG_ON "/memory.local_reclaim.distance", "21"));
	ASSERT_GT(lr_read_file(CG_ON "/memory.local_reclaim.stat", stat, sizeof(stat)), 0);
	EXPECT_NE(NULL, strstr(stat, "reach_cpu_nodes 1"));
	ASSERT_EQ(0, lr_fill(1, lr_node_meminfo_kb(1, "MemTotal:") / 1024 + 64, LR_FILL_BOUND));
	lr_wait_kswapd_idle();
	ASSERT_EQ(0, lr_run_anon(CG_ON, 0, 1, self->node0_mib * 40 / 100, NULL, &self->r));
	n1_set = lr_cg_stat_node(CG_ON, "direct_reclaims", 1);
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
	ASSERT_EQ(0, lr_reset_and_fill(0, self->node0_mib + 64, LR_FILL_UNBOUND));
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
	       lr_cg_pct(&self->r, 1), lr_cg_stat_node(CG_ON, "kswapd_wakeups", 0));
	EXPECT_GT(lr_cg_stat_node(CG_ON, "kswapd_wakeups", 0), 0)
		TH_LOG("the policy never woke node 0's kswapd: the test proves nothing");
	/* Below low by at most a quarter of the gap: the per-CPU batches. */
	EXPECT_GE(ws.lowest, ws.low - gap / 4);
}

/* What the charge probe's last allocation got: pages, and of them on NID. */
static void probe_got(long *pages, long *local, char *line, size_t len)
{
	char buf[128];

	*pages = *local = -1;
	if (lr_read_file(CHARGE_ALLOC, buf, sizeof(buf)) < 0 ||
	    sscanf(buf, "pages %ld local %ld", pages, local) != 2)
		snprintf(line, len, "probe unreadable");
	else
		snprintf(line, len, "%ld pages, %ld on the node asked", *pages, *local);
}

/*
 * The module with CG_ON in MODE, lr_charge_probe loaded, node 0 full of
 * page cache, and the test in CG_ON, where the probe's allocations are
 * charged.
 */
static void probe_in_cg_on(struct __test_metadata *_metadata, long node0_mib, const char *mode)
{
	load_with(_metadata, mode);
	ASSERT_EQ(0, lr_insmod(CHARGE_PROBE, "")) TH_LOG("insmod lr_charge_probe");
	ASSERT_EQ(0, lr_reset_and_fill(0, node0_mib + 64, LR_FILL_UNBOUND));
	ASSERT_EQ(0, lr_cg_enter(CG_ON));
}

/*
 * The module with CG_ON in "kswapd direct", lr_charge_probe loaded, a
 * sleeping task in CG_ON to charge the probe's allocations to (returned:
 * the test gives it to the teardown to kill), and the test in CG_OFF.
 */
static pid_t charge_to_cg_on(struct __test_metadata *_metadata)
{
	pid_t pid;

	load_with(_metadata, "kswapd direct");
	EXPECT_EQ(0, lr_insmod(CHARGE_PROBE, "")) TH_LOG("insmod lr_charge_probe");
	pid = fork();
	if (pid == 0) {
		lr_cg_enter(CG_ON);
		pause();
		_exit(0);
	}
	EXPECT_GT(pid, 0);
	EXPECT_EQ(0, lr_cg_enter(CG_OFF));
	return pid;
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
	long pages = self->node0_mib * 256 * 40 / 100, n, local;
	char cmd[64], got[128];
	pid_t member;

	member = charge_to_cg_on(_metadata);
	ASSERT_GT(member, 0);
	self->busy = member;

	ASSERT_EQ(0, lr_reset_and_fill(0, self->node0_mib + 64, LR_FILL_UNBOUND));
	snprintf(cmd, sizeof(cmd), "0 0 %ld", pages);
	EXPECT_EQ(0, lr_write_str(CHARGE_ALLOC, cmd));
	probe_got(&n, &local, got, sizeof(got));
	TH_LOG("charged to itself: asked CG_OFF %ld CG_ON %ld; %s", lr_cg_stat(CG_OFF, "asked"),
	       lr_cg_stat(CG_ON, "asked"), got);
	EXPECT_EQ(0, lr_cg_stat(CG_ON, "asked"));
	EXPECT_EQ(0, lr_cg_stat(CG_OFF, "asked"));

	ASSERT_EQ(0, lr_reset_and_fill(0, self->node0_mib + 64, LR_FILL_UNBOUND));
	snprintf(cmd, sizeof(cmd), "%d 0 %ld", member, pages);
	EXPECT_EQ(0, lr_write_str(CHARGE_ALLOC, cmd));
	probe_got(&n, &local, got, sizeof(got));
	TH_LOG("charged to CG_ON: asked CG_OFF %ld CG_ON %ld, CG_ON direct_reclaims %ld "
	       "kswapd_wakeups %ld; %s", lr_cg_stat(CG_OFF, "asked"), lr_cg_stat(CG_ON, "asked"),
	       lr_cg_stat(CG_ON, "direct_reclaims"), lr_cg_stat(CG_ON, "kswapd_wakeups"), got);
	EXPECT_GT(lr_cg_stat(CG_ON, "asked"), 0);
	EXPECT_GT(lr_cg_stat(CG_ON, "direct_reclaims") + lr_cg_stat(CG_ON, "kswapd_wakeups"), 0);
	EXPECT_EQ(0, lr_cg_stat(CG_OFF, "asked"));
}

/*
 * alloc_pages_nolock() may be called in any context, NMI included: it may
 * neither sleep nor take the locks a kswapd wakeup takes.  Charged to a
 * "kswapd direct" cgroup, allocations enough to take node 0 to its min
 * watermark: the policy is asked, and neither wakes kswapd nor reclaims.
 * They are charged to a sleeping member of CG_ON, so that nothing but them
 * is decided by CG_ON's setting: the test's own allocations, reading the
 * counters with node 0 short, are in an off cgroup.
 */
TEST_F_TIMEOUT(hooks, nolock_allocations_never_act, 600)
{
	long pages = self->node0_mib * 256 * 60 / 100;
	long entered0, entered1, asked0, wakeups0, reclaims0, got, local;
	char cmd[64], got_line[128];
	pid_t member;

	member = charge_to_cg_on(_metadata);
	ASSERT_GT(member, 0);
	self->busy = member;
	ASSERT_EQ(0, lr_reset_and_fill(0, self->node0_mib + 64, LR_FILL_UNBOUND));
	entered0 = lr_policy_reclaims();
	asked0 = lr_cg_stat(CG_ON, "asked");
	wakeups0 = lr_cg_stat(CG_ON, "kswapd_wakeups");
	reclaims0 = lr_cg_stat(CG_ON, "direct_reclaims");
	snprintf(cmd, sizeof(cmd), "%d 0 %ld nolock", member, pages);
	EXPECT_EQ(0, lr_write_str(CHARGE_ALLOC, cmd));
	entered1 = lr_policy_reclaims();
	probe_got(&got, &local, got_line, sizeof(got_line));
	TH_LOG("nolock: asked %ld, kswapd_wakeups %ld, direct_reclaims %ld, reclaims entered "
	       "%ld; %s", lr_cg_stat(CG_ON, "asked") - asked0,
	       lr_cg_stat(CG_ON, "kswapd_wakeups") - wakeups0,
	       lr_cg_stat(CG_ON, "direct_reclaims") - reclaims0, entered1 - entered0, got_line);
	EXPECT_GT(lr_cg_stat(CG_ON, "asked") - asked0, 0)
		TH_LOG("node 0 never fell short: proves nothing");
	EXPECT_EQ(0, lr_cg_stat(CG_ON, "kswapd_wakeups") - wakeups0);
	EXPECT_EQ(0, lr_cg_stat(CG_ON, "direct_reclaims") - reclaims0);
	EXPECT_EQ(0, entered1 - entered0);
}

/*
 * Allocations that would rather fail than disrupt other tenants get light
 * reclaim only: a "kswapd direct unmap" cgroup's __GFP_NORETRY order-0
 * allocations (readahead's kind) and its order-4 ones (costly, as the page
 * cache's large folios), enough to take node 0 well below low, are
 * reclaimed for, but never with unmapping or swap.
 */
TEST_F_TIMEOUT(hooks, fail_fast_allocations_reclaim_lightly, 600)
{
	static const char *const kinds[] = { "noretry", "costly" };
	static const char *const flags[] = { "NORETRY", "COSTLY" };

	load_with(_metadata, "kswapd direct unmap");
	ASSERT_EQ(0, lr_insmod(CHARGE_PROBE, "")) TH_LOG("insmod lr_charge_probe");
	for (int k = 0; k < 2; k++) {
		long pages = self->node0_mib * 256 * 60 / 100 / (k ? 16 : 1);
		long asked0, wakeups0, reclaims0, reclaims, got, local;
		char cmd[64], got_line[128];

		ASSERT_EQ(0, lr_cg_enter(LR_CG_ROOT));
		ASSERT_EQ(0, lr_reset_and_fill(0, self->node0_mib + 64, LR_FILL_UNBOUND));
		ASSERT_EQ(0, lr_cg_enter(CG_ON));
		asked0 = lr_cg_stat(CG_ON, "asked");
		wakeups0 = lr_cg_stat(CG_ON, "kswapd_wakeups");
		reclaims0 = lr_cg_stat(CG_ON, "direct_reclaims");
		ASSERT_EQ(0, lr_trace_on(NULL));
		snprintf(cmd, sizeof(cmd), "0 0 %ld %s", pages, kinds[k]);
		EXPECT_EQ(0, lr_write_str(CHARGE_ALLOC, cmd));
		lr_trace_off();
		probe_got(&got, &local, got_line, sizeof(got_line));
		reclaims = lr_cg_stat(CG_ON, "direct_reclaims") - reclaims0;
		TH_LOG("%s: asked %ld, kswapd_wakeups %ld, direct_reclaims %ld; %s", kinds[k],
		       lr_cg_stat(CG_ON, "asked") - asked0,
		       lr_cg_stat(CG_ON, "kswapd_wakeups") - wakeups0, reclaims, got_line);
		EXPECT_GT(lr_cg_stat(CG_ON, "kswapd_wakeups") - wakeups0, 0)
			TH_LOG("%s: node 0 never fell short: proves nothing", kinds[k]);
		EXPECT_GT(reclaims, 0) TH_LOG("%s: no light reclaim", kinds[k]);
		EXPECT_TRUE(lr_trace_has(flags[k], "actions=WAKE_KSWAPD|RECLAIM "))
			TH_LOG("%s: no decision traced with RECLAIM alone", kinds[k]);
		EXPECT_FALSE(lr_trace_has(flags[k], "RECLAIM_UNMAP"))
			TH_LOG("%s: reclaim asked to unmap", kinds[k]);
	}
}

/* Cgroup CG's "some" memory stall so far, in microseconds; -1 if none. */
static long cg_stall_us(const char *cg)
{
	char path[256], buf[512], *p;

	snprintf(path, sizeof(path), "%s/memory.pressure", cg);
	if (lr_read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	p = strstr(buf, "total=");	/* the first line is "some" */
	return p ? strtol(p + strlen("total="), NULL, 10) : -1;
}

/*
 * Another task holds node 0's reclaim lock (lr_charge_probe "hold 0", as a
 * long node reclaim would): each of the policy's reclaims of node 0 waits
 * for it, at most 20 ms, then the allocation spills.  That wait is a
 * memory stall like the kernel's own reclaim: it shows in the cgroup's
 * memory.pressure.  The allocation (in the kernel, from CG_ON) takes node
 * 0's Normal zone 200 pages below its low watermark, so a few hundred of
 * its pages find node 0 below low.
 */
TEST_F_TIMEOUT(hooks, policy_wait_is_a_memory_stall, 600)
{
	static const char *const zones[] = { "DMA", "DMA32", "Normal" };
	long waits0, waits1, stall0, stall1, pages, pcp, got, local;
	char cmd[64], got_line[128];
	cpu_set_t cpu0;

	probe_in_cg_on(_metadata, self->node0_mib, "direct");
	ASSERT_EQ(0, lr_write_str(CHARGE_ALLOC, "hold 0"));
	/*
	 * Node 0's Normal zone down to low, then 200 allocations below it; if
	 * the fill left it below low already, 200 allocations.  The pages on
	 * the allocating CPU's per-CPU list come first and leave "pages free"
	 * where it is (a run that left them out allocated 274 pages, all from
	 * that list, and never went below low): the test allocates on CPU 0
	 * (node 0's) and counts that list too.
	 */
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(cpu0), &cpu0));
	/*
	 * The policy is asked only when no zone of the node passes: what DMA
	 * and DMA32 have above their low watermarks is taken first (a run
	 * that counted Normal's alone allocated 1423 pages on node 0 without
	 * one wait).  Their lowmem reserves are left out: more pages than
	 * needed only make more waits.
	 */
	pages = 0;
	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		long room = lr_zone_field(0, zones[i], "pages free") - lr_zone_field(0, zones[i], "low");

		pages += room > 0 ? room : 0;
	}
	pcp = lr_zone_pcp_pages(0, "Normal", 0);
	ASSERT_GE(pcp, 0) TH_LOG("no per-CPU list of node 0's Normal zone for CPU 0");
	pages += pcp + 200;
	stall0 = cg_stall_us(CG_ON);
	ASSERT_GE(stall0, 0) TH_LOG("no memory.pressure: the kernel lacks CONFIG_PSI");
	waits0 = lr_vmstat("node_reclaim_policy_wait");
	snprintf(cmd, sizeof(cmd), "0 0 %ld", pages);
	EXPECT_EQ(0, lr_write_str(CHARGE_ALLOC, cmd));
	waits1 = lr_vmstat("node_reclaim_policy_wait");
	stall1 = cg_stall_us(CG_ON);
	EXPECT_EQ(0, lr_write_str(CHARGE_ALLOC, "release 0"));
	probe_got(&got, &local, got_line, sizeof(got_line));
	TH_LOG("%ld pages asked (%ld on CPU 0's list of node 0's Normal): %ld waits for node 0's "
	       "reclaim lock, CG_ON's memory stall +%ld us (%.1f ms a wait); %s", pages, pcp,
	       waits1 - waits0, stall1 - stall0,
	       waits1 > waits0 ? (stall1 - stall0) / 1000.0 / (waits1 - waits0) : 0.0, got_line);
	EXPECT_GT(waits1 - waits0, 10) TH_LOG("the policy hardly waited: proves nothing");
	/* Each wait is 16-20 ms (5 ticks at HZ=250): count at least 10. */
	EXPECT_GE(stall1 - stall0, (waits1 - waits0) * 10000);
}

/*
 * A cgroup whose cpuset holds node 0 only, with a distance (21) that
 * reaches node 1.  Its kernel allocations (GFP_KERNEL, not hardwalled) may
 * still use node 1 once node 0 is short: cpusets let them fall back to the
 * nearest hardwalled ancestor's nodes.  Node 0 is held by another tenant's
 * mlocked memory, node 1 is full of page cache, and the allocation takes
 * more than node 1 has free: the policy must never be asked about node 1,
 * which is outside the cgroup's own cpuset, nor reclaim it.  The same
 * allocation without the cpuset reclaims node 1: the reach covers it.
 */
/*
 * Node 1 full of page cache (node 0 is the hog's), then, from CG_ON, all
 * that nodes 0 and 1 have free and 64 MiB more.  Returns the pages that
 * came from node 1; *free1 gets what node 1 had free before, in pages.
 */
static long take_node1(struct __test_metadata *_metadata, long node1_mib, long *free1)
{
	long pages, got, local;
	char cmd[64], line[128];

	if (lr_cg_enter(LR_CG_ROOT) || drop_caches() || lr_fill(1, node1_mib + 64, LR_FILL_BOUND))
		return -1;
	lr_wait_kswapd_idle();
	*free1 = lr_node_meminfo_kb(1, "MemFree:") / 4;
	pages = lr_node_meminfo_kb(0, "MemFree:") / 4 + *free1 + 16384;
	snprintf(cmd, sizeof(cmd), "0 0 %ld", pages);
	if (lr_cg_enter(CG_ON) || lr_write_str(CHARGE_ALLOC, cmd))
		return -1;
	probe_got(&got, &local, line, sizeof(line));
	TH_LOG("%ld pages asked: %s; node 1 had %ld free", pages, line, *free1);
	return got - local;
}

TEST_F_TIMEOUT(hooks, nodes_outside_the_cpuset_are_left_alone, 900)
{
	long node1_mib = lr_node_meminfo_kb(1, "MemTotal:") / 1024;
	long hog_mib, on1, free1, asked1, reclaims1, wakeups1;

	load_with(_metadata, "kswapd direct");
	ASSERT_EQ(0, lr_write_str(CG_ON "/memory.local_reclaim.distance", "21"));
	ASSERT_EQ(0, lr_write_str(CG_ON "/cpuset.mems", "0"));
	ASSERT_EQ(0, lr_insmod(CHARGE_PROBE, "")) TH_LOG("insmod lr_charge_probe");
	ASSERT_EQ(0, drop_caches());
	hog_mib = lr_node_meminfo_kb(0, "MemFree:") / 1024 - 32;
	self->hog = lr_start_anon(CG_HOG, 0, 1, hog_mib, "-b", &self->r, &self->hog_out);
	ASSERT_GT(self->hog, 0);

	on1 = take_node1(_metadata, node1_mib, &free1);
	asked1 = lr_cg_stat_node(CG_ON, "asked", 1);
	reclaims1 = lr_cg_stat_node(CG_ON, "direct_reclaims", 1);
	wakeups1 = lr_cg_stat_node(CG_ON, "kswapd_wakeups", 1);
	TH_LOG("cpuset.mems 0: %ld pages on node 1; node 1 asked %ld, reclaims %ld, kswapd "
	       "wakeups %ld; node 0 asked %ld", on1, asked1, reclaims1, wakeups1,
	       lr_cg_stat_node(CG_ON, "asked", 0));
	/* More than node 1 had free: it went below its watermarks. */
	EXPECT_GT(on1, free1) TH_LOG("node 1 was never short: the test proves nothing");
	EXPECT_EQ(0, asked1);
	EXPECT_EQ(0, reclaims1);
	EXPECT_EQ(0, wakeups1);

	/* Control: the same without the cpuset reaches node 1. */
	ASSERT_EQ(0, lr_cg_enter(LR_CG_ROOT));
	ASSERT_EQ(0, lr_write_str(CG_ON "/cpuset.mems", "0-1"));
	on1 = take_node1(_metadata, node1_mib, &free1);
	TH_LOG("no cpuset: %ld pages on node 1; node 1 asked %ld, reclaims %ld, kswapd wakeups %ld",
	       on1, lr_cg_stat_node(CG_ON, "asked", 1) - asked1,
	       lr_cg_stat_node(CG_ON, "direct_reclaims", 1) - reclaims1,
	       lr_cg_stat_node(CG_ON, "kswapd_wakeups", 1) - wakeups1);
	EXPECT_GT(on1, free1) TH_LOG("node 1 was never short: the control proves nothing");
	EXPECT_GT(lr_cg_stat_node(CG_ON, "asked", 1) - asked1, 0);
	EXPECT_GT(lr_cg_stat_node(CG_ON, "direct_reclaims", 1) - reclaims1, 0);
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
	ASSERT_EQ(0, lr_reset_and_fill(0, self->node0_mib + 64, LR_FILL_UNBOUND));
	unloaded = time_to_oom(total_mib + 256);
	ASSERT_GT(unloaded, 0) TH_LOG("not OOM-killed with the module unloaded");

	ASSERT_EQ(0, lr_module_load());
	ASSERT_EQ(0, lr_write_str(LR_SYSFS_DIR "/mode", "kswapd direct unmap"));
	ASSERT_EQ(0, lr_reset_and_fill(0, self->node0_mib + 64, LR_FILL_UNBOUND));
	loaded = time_to_oom(total_mib + 256);
	TH_LOG("OOM kill after %.1f s unloaded, %.1f s with kswapd direct unmap for all",
	       unloaded, loaded);
	ASSERT_GT(loaded, 0) TH_LOG("not OOM-killed with the policy on");
	EXPECT_LE(loaded, 2 * unloaded);
}

TEST_HARNESS_MAIN
