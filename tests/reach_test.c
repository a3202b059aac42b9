// SPDX-License-Identifier: GPL-2.0
/*
 * The reach of the distance gate on an asymmetric SLIT with a memory-only
 * node (the 4node suite: 0>2 at 32 but 2>0 at 30, 1>3 at 30 but 3>1 at 28,
 * node 3 CPU-less, 512 MiB):
 *
 *  - the distance is read from the allocating node to the candidate, not
 *    the other way: a workload on node 2 reaches node 0 (30) with distance
 *    30, although node 0 sees node 2 at 32;
 *  - a memory-only node within reach is reclaimed, beyond it is not: a
 *    workload on node 1 reaches node 3 (30) with distance 30 and with the
 *    default reach (node_reclaim_distance, 30), not with distance 29,
 *    although node 3 sees node 1 at 28.
 *
 * Each scenario confines the workload's cgroup to two nodes (cpuset.mems),
 * holds the near node with another task's memory, fills the far one with
 * page cache, and counts the policy's reclaims of the far node.
 */
#include "kselftest_harness.h"
#include "lr_workload.h"

#define CG_A	LR_CG_ROOT "/lr_reach"
#define CG_HOG	LR_CG_ROOT "/lr_hog"

FIXTURE(reach) {
	struct anon_result r;
};

FIXTURE_SETUP(reach)
{
	char cpus[64];

	LR_REQUIRE(lr_exists(LR_MODULE_PATH) && lr_exists(LR_BIN "/anon_fault"),
		   "module or workloads not in the guest");
	LR_REQUIRE(lr_exists(LR_NODE_DIR "/node3") && !lr_exists(LR_NODE_DIR "/node4"),
		   "needs exactly 4 nodes");
	LR_REQUIRE(lr_read_file(LR_NODE_DIR "/node3/cpulist", cpus, sizeof(cpus)) <= 1,
		   "node 3 must have no CPUs");
	ASSERT_EQ(0, lr_vm_quiet());
	ASSERT_EQ(0, lr_cg_create(CG_A));
	ASSERT_EQ(0, lr_cg_create(CG_HOG));
	ASSERT_EQ(0, lr_module_load());
	ASSERT_EQ(0, lr_write_str(CG_A "/memory.local_reclaim.mode", "kswapd direct"));
	ASSERT_EQ(0, lr_write_str(CG_HOG "/memory.local_reclaim.mode", "off"));
}

FIXTURE_TEARDOWN(reach)
{
	lr_vm_restore();
	rmdir(CG_A);
	rmdir(CG_HOG);
}

/*
 * A workload of a quarter of node FAR's size, on node NEAR's CPUs, in CG_A
 * confined to NEAR and FAR, with DISTANCE; NEAR held by another task, FAR
 * full of page cache.  Returns the policy's reclaims of FAR for it.
 */
static long reclaims_of_far(struct __test_metadata *_metadata, FIXTURE_DATA(reach) *self,
			    int near, int far, const char *distance)
{
	long far_mib = lr_node_meminfo_kb(far, "MemTotal:") / 1024, hog_mib, before, after;
	struct anon_result hog_r;
	char mems[16];
	FILE *hog_out;
	pid_t hog;

	snprintf(mems, sizeof(mems), "%d,%d", near, far);
	EXPECT_EQ(0, lr_write_str(CG_A "/cpuset.mems", mems));
	EXPECT_EQ(0, lr_write_str(CG_A "/memory.local_reclaim.distance", distance));
	sync();
	EXPECT_EQ(0, lr_write_str("/proc/sys/vm/drop_caches", "3"));
	/* Leaves the near node its high watermarks and 8 MiB free. */
	hog_mib = lr_node_meminfo_kb(near, "MemFree:") / 1024 - lr_node_high_mib(near) - 8;
	hog = lr_start_anon(CG_HOG, near, 1, hog_mib, "-b", &hog_r, &hog_out);
	EXPECT_GT(hog, 0) TH_LOG("could not hold node %d", near);
	if (hog <= 0)
		return -1;
	EXPECT_EQ(0, lr_fill(far, far_mib + 64, LR_FILL_BOUND));
	lr_wait_kswapd_idle();
	before = lr_cg_stat_node(CG_A, "direct_reclaims", far);
	EXPECT_EQ(0, lr_run_anon(CG_A, near, 1, far_mib / 4, NULL, &self->r));
	after = lr_cg_stat_node(CG_A, "direct_reclaims", far);
	lr_stop_anon(hog, hog_out);
	TH_LOG("node %d -> %d (distance %s): %ld reclaims of node %d; workload on node %d "
	       "%.1f%%, node %d %.1f%%", near, far, distance, after - before, far, near,
	       lr_cg_pct(&self->r, 1L << near), far, lr_cg_pct(&self->r, 1L << far));
	return after - before;
}

TEST_F_TIMEOUT(reach, asymmetric_distance_is_read_from_the_allocating_node, 900)
{
	/* 2>0 is 30: within 30; 0>2 (32) must not be what is read. */
	EXPECT_GT(reclaims_of_far(_metadata, self, 2, 0, "30"), 0);
	EXPECT_EQ(0, reclaims_of_far(_metadata, self, 2, 0, "29"));
}

TEST_F_TIMEOUT(reach, memory_only_node_within_reach_is_reclaimed, 900)
{
	/* 1>3 is 30: beyond 29 (3>1, 28, must not be what is read). */
	EXPECT_EQ(0, reclaims_of_far(_metadata, self, 1, 3, "29"));
	EXPECT_GT(reclaims_of_far(_metadata, self, 1, 3, "30"), 0);
	/* The default reach: memory-only nodes within node_reclaim_distance. */
	EXPECT_GT(reclaims_of_far(_metadata, self, 1, 3, "inherit"), 0);
}

TEST_HARNESS_MAIN
