// SPDX-License-Identifier: GPL-2.0
/*
 * The distance gate, 4 nodes (0-1:16, 2-3:16, other pairs 32, 1 GiB and
 * one CPU each): nodes full of page cache, most of node 0 held by
 * another task's mlocked anon, so node 0 alone cannot take the workload.
 * With distance 16 the workload stays on {0,1}, node 1's page cache paying
 * for what the workload put there (no less, and not much more), nodes 2
 * and 3 untouched; with distance 10 node 1 is left alone and the workload
 * reaches 2 and 3.  With node 1 held as well, the workload must go to 2
 * and 3: distance 16 never reclaims them, distance 32 does.
 */
#include "kselftest_harness.h"
#include "lr_workload.h"

#define CG_A	LR_CG_ROOT "/lr_gate"
#define CG_HOG	LR_CG_ROOT "/lr_hog"

FIXTURE(gate) {
	long work_mib;
	struct anon_result r;
	pid_t hog;
};

/* Node 0's memory minus what the workload and the kernel need: mlocked. */
static pid_t start_hog(long mib)
{
	char m[24];
	char *argv[] = { LR_BIN "/anon_fault", "-c", CG_HOG, "-n", "0", "-b", "-l",
			 "-H", "3600", m, NULL };
	pid_t pid;

	snprintf(m, sizeof(m), "%ld", mib);
	pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

FIXTURE_SETUP(gate)
{
	long total0, free0;

	LR_REQUIRE(lr_exists(LR_MODULE_PATH) && lr_exists(LR_BIN "/anon_fault"),
		   "module or workloads not in the guest");
	LR_REQUIRE(lr_exists(LR_NODE_DIR "/node3") && !lr_exists(LR_NODE_DIR "/node4"),
		   "needs exactly 4 nodes");
	/* As in placement_test: no kswapd wakeups from watermark boosting. */
	ASSERT_EQ(0, lr_vm_quiet());
	ASSERT_EQ(0, lr_cg_create(CG_A));
	ASSERT_EQ(0, lr_cg_create(CG_HOG));
	total0 = lr_node_meminfo_kb(0, "MemTotal:") / 1024;
	self->work_mib = total0 * 40 / 100;
	sync();
	ASSERT_EQ(0, lr_write_str("/proc/sys/vm/drop_caches", "3"));
	/* Hold all but ~25% of node 0; the workload is 40% of a node. */
	free0 = lr_node_meminfo_kb(0, "MemFree:") / 1024;
	self->hog = start_hog(free0 - total0 / 4);
	ASSERT_GT(self->hog, 0);
	for (int i = 0; i < 600; i++) {
		if (lr_node_meminfo_kb(0, "Mlocked:") / 1024 >= free0 - total0 / 4 - 8)
			break;
		usleep(100000);
	}
	TH_LOG("node0: %ld MiB mlocked by another task", lr_node_meminfo_kb(0, "Mlocked:") / 1024);
	ASSERT_EQ(0, lr_module_load());
}

FIXTURE_TEARDOWN(gate)
{
	if (self->hog > 0) {
		kill(self->hog, SIGKILL);
		waitpid(self->hog, NULL, 0);
	}
	lr_trace_off();
	lr_vm_restore();
	rmdir(CG_A);
	rmdir(CG_HOG);
}

/* Page cache on nodes 2 and 3, MiB. */
static long file23(void)
{
	return (lr_node_meminfo_kb(2, "FilePages:") + lr_node_meminfo_kb(3, "FilePages:")) / 1024;
}

struct gate_run {
	long file1_before, file1_after, file23_before, file23_after, reclaims23;
};

/*
 * Fills nodes 0 and 1 (and 2 and 3 if FILL23) with page cache and runs the
 * workload in CG_A.
 */
static void run(struct __test_metadata *_metadata, FIXTURE_DATA(gate) *self,
		const char *distance, bool fill23, struct gate_run *g)
{
	long reclaims0 = lr_cg_stat_node(CG_A, "direct_reclaims", 2) +
			 lr_cg_stat_node(CG_A, "direct_reclaims", 3);

	ASSERT_EQ(0, lr_write_str(CG_A "/memory.local_reclaim.mode", "kswapd direct"));
	ASSERT_EQ(0, lr_write_str(CG_A "/memory.local_reclaim.distance", distance));
	/*
	 * Read as ordinary tasks on each node's CPU would: the node fills up
	 * and the rest spills to the next node, and no kswapd is woken (the
	 * very behaviour under test), so nothing reclaims behind our back.
	 */
	for (int n = 0; n < (fill23 ? 4 : 2); n++)
		ASSERT_EQ(0, lr_fill(n, lr_node_meminfo_kb(n, "MemFree:") / 1024 + 64,
				     LR_FILL_UNBOUND));
	lr_wait_kswapd_idle();
	g->file1_before = lr_node_meminfo_kb(1, "FilePages:") / 1024;
	g->file23_before = file23();
	TH_LOG("distance %s: FilePages node0 %ld node1 %ld nodes2-3 %ld MiB; MemFree node0 %ld "
	       "node1 %ld MiB", distance, lr_node_meminfo_kb(0, "FilePages:") / 1024,
	       g->file1_before, g->file23_before, lr_node_meminfo_kb(0, "MemFree:") / 1024,
	       lr_node_meminfo_kb(1, "MemFree:") / 1024);
	ASSERT_EQ(0, lr_run_anon(CG_A, 0, 1, self->work_mib, NULL, &self->r));
	g->file1_after = lr_node_meminfo_kb(1, "FilePages:") / 1024;
	g->file23_after = file23();
	g->reclaims23 = lr_cg_stat_node(CG_A, "direct_reclaims", 2) +
			lr_cg_stat_node(CG_A, "direct_reclaims", 3) - reclaims0;
	TH_LOG("distance %s: workload %ld MiB: node0 %.1f%% node1 %.1f%% nodes2-3 %.1f%%; "
	       "FilePages node1 %ld -> %ld, nodes2-3 %ld -> %ld MiB; reclaims of nodes 2-3 %ld",
	       distance, self->work_mib, lr_cg_pct(&self->r, 1), lr_cg_pct(&self->r, 2),
	       lr_cg_pct(&self->r, 0xc), g->file1_before, g->file1_after, g->file23_before,
	       g->file23_after, g->reclaims23);
}

TEST_F_TIMEOUT(gate, distance_16_keeps_within_0_1, 900)
{
	struct gate_run g;
	long on1, lost1;

	run(_metadata, self, "16", true, &g);
	EXPECT_GE(lr_cg_pct(&self->r, 0x3), 95.0);
	/*
	 * Node 1's page cache paid for the workload's share of node 1: at
	 * least half of it (the rest from node 1's free pages), at most 10%
	 * and 32 MiB more (no over-eviction).
	 */
	on1 = self->work_mib * lr_cg_pct(&self->r, 2) / 100;
	lost1 = g.file1_before - g.file1_after;
	TH_LOG("node 1: %ld MiB of the workload, %ld MiB of page cache lost", on1, lost1);
	EXPECT_GE(lost1, on1 / 2);
	EXPECT_LE(lost1, on1 * 11 / 10 + 32);
	/* Nodes 2 and 3, beyond the distance, were left alone. */
	EXPECT_EQ(0, g.reclaims23);
	EXPECT_GE(g.file23_after * 100, g.file23_before * 95);
}

TEST_F_TIMEOUT(gate, distance_10_leaves_node1_alone, 900)
{
	struct gate_run g;

	EXPECT_EQ(0, lr_trace_on(NULL));
	run(_metadata, self, "10", false, &g);
	lr_trace_off();
	/* The spills are traced: placed beyond the distance, on nodes 2-3. */
	EXPECT_TRUE(lr_trace_has("mm_node_reclaim_policy_placed: preferred_nid=0 nid=2 distance=32",
				 NULL) ||
		    lr_trace_has("mm_node_reclaim_policy_placed: preferred_nid=0 nid=3 distance=32",
				 NULL));
	/* Node 0, within the distance, was reclaimed for the workload... */
	EXPECT_GE(lr_cg_pct(&self->r, 1), 50.0);
	/* ...node 1, beyond it, was not. */
	EXPECT_GE(g.file1_after * 100, g.file1_before * 95)
		TH_LOG("node 1 page cache must stay within 5%%");
	EXPECT_GE(lr_cg_pct(&self->r, 0xc), 5.0) TH_LOG("a measurable share on nodes 2 and 3");
}

/*
 * Node 1 held too: the workload has to go to nodes 2 and 3.  Distance 16
 * leaves their page cache to the kernel (no reclaim of them by the
 * policy); distance 32 reaches them and reclaims them before spilling.
 */
TEST_F_TIMEOUT(gate, distance_32_reaches_nodes_2_3, 900)
{
	long free1 = lr_node_meminfo_kb(1, "MemFree:") / 1024;
	struct gate_run g16, g32;
	pid_t hog1;
	char m[24];
	char *argv[] = { LR_BIN "/anon_fault", "-c", CG_HOG, "-n", "1", "-b", "-l",
			 "-H", "3600", m, NULL };

	snprintf(m, sizeof(m), "%ld", free1 - 48);
	hog1 = lr_spawn_quiet(argv);
	ASSERT_GT(hog1, 0);
	for (int i = 0; i < 600 && lr_node_meminfo_kb(1, "Mlocked:") / 1024 < free1 - 64; i++)
		usleep(100000);
	TH_LOG("node1: %ld MiB mlocked by another task", lr_node_meminfo_kb(1, "Mlocked:") / 1024);
	run(_metadata, self, "16", true, &g16);
	run(_metadata, self, "32", true, &g32);
	kill(hog1, SIGKILL);
	waitpid(hog1, NULL, 0);
	EXPECT_EQ(0, g16.reclaims23);
	EXPECT_GT(g32.reclaims23, 0);
}

TEST_HARNESS_MAIN
