// SPDX-License-Identifier: GPL-2.0
/*
 * The distance gate, 4 nodes (0-1:16, 2-3:16, other pairs 32, 1 GiB and
 * one CPU each): nodes 0 and 1 full of page cache, most of node 0 held by
 * another task's mlocked anon, so node 0 alone cannot take the workload.
 * With distance 16 the workload stays on {0,1}, node 1's page cache paying;
 * with distance 10 node 1 is left alone and the workload reaches 2 and 3.
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
	lr_vm_restore();
	rmdir(CG_A);
	rmdir(CG_HOG);
}

/* Fills nodes 0 and 1 with page cache and runs the workload in CG_A. */
static void run(struct __test_metadata *_metadata, FIXTURE_DATA(gate) *self,
		const char *distance, long *file1_before, long *file1_after)
{
	ASSERT_EQ(0, lr_write_str(CG_A "/memory.local_reclaim.mode", "kswapd direct"));
	ASSERT_EQ(0, lr_write_str(CG_A "/memory.local_reclaim.distance", distance));
	/*
	 * Read as ordinary tasks on each node's CPU would: the node fills up
	 * and the rest spills to the next node, and no kswapd is woken (the
	 * very behaviour under test), so nothing reclaims behind our back.
	 */
	ASSERT_EQ(0, lr_fill(0, lr_node_meminfo_kb(0, "MemFree:") / 1024 + 64, false));
	ASSERT_EQ(0, lr_fill(1, lr_node_meminfo_kb(1, "MemFree:") / 1024 + 64, false));
	lr_wait_kswapd_idle();
	*file1_before = lr_node_meminfo_kb(1, "FilePages:") / 1024;
	TH_LOG("distance %s: FilePages node0 %ld node1 %ld MiB; MemFree node0 %ld node1 %ld MiB",
	       distance, lr_node_meminfo_kb(0, "FilePages:") / 1024, *file1_before,
	       lr_node_meminfo_kb(0, "MemFree:") / 1024, lr_node_meminfo_kb(1, "MemFree:") / 1024);
	ASSERT_EQ(0, lr_run_anon(CG_A, 0, 1, self->work_mib, NULL, &self->r));
	*file1_after = lr_node_meminfo_kb(1, "FilePages:") / 1024;
	TH_LOG("distance %s: workload %ld MiB: node0 %.1f%% node1 %.1f%% nodes2-3 %.1f%%; "
	       "node1 FilePages %ld -> %ld MiB", distance, self->work_mib,
	       lr_cg_pct(&self->r, 1), lr_cg_pct(&self->r, 2), lr_cg_pct(&self->r, 0xc),
	       *file1_before, *file1_after);
}

TEST_F_TIMEOUT(gate, distance_16_keeps_within_0_1, 900)
{
	long before, after;

	run(_metadata, self, "16", &before, &after);
	EXPECT_GE(lr_cg_pct(&self->r, 0x3), 95.0);
	/* Node 1's page cache paid for it. */
	EXPECT_LT(after, before);
}

TEST_F_TIMEOUT(gate, distance_10_leaves_node1_alone, 900)
{
	long before, after;

	run(_metadata, self, "10", &before, &after);
	/* Node 0, within the distance, was reclaimed for the workload... */
	EXPECT_GE(lr_cg_pct(&self->r, 1), 50.0);
	/* ...node 1, beyond it, was not. */
	EXPECT_GE(after * 100, before * 95) TH_LOG("node 1 page cache must stay within 5%%");
	EXPECT_GE(lr_cg_pct(&self->r, 0xc), 5.0) TH_LOG("a measurable share on nodes 2 and 3");
}

TEST_HARNESS_MAIN
