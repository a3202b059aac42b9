// SPDX-License-Identifier: GPL-2.0
/*
 * local_reclaim.ko loads, creates /sys/kernel/mm/local_reclaim/, logs the
 * distance matrix it sees (matching the node sysfs files), unloads, and
 * the directory is gone afterwards.
 */
#include <sys/klog.h>

#include "kselftest_harness.h"
#include "lr_util.h"

/* Appends the kernel log to buf; returns its length. */
static int read_kmsg(char *buf, size_t len)
{
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, len - 1);

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return n;
}

FIXTURE(module) {};

FIXTURE_SETUP(module)
{
	LR_REQUIRE(lr_exists(LR_MODULE_PATH), "%s not in the guest", LR_MODULE_PATH);
	if (lr_module_loaded())
		ASSERT_EQ(0, lr_module_unload());
}

FIXTURE_TEARDOWN(module)
{
	if (lr_module_loaded())
		lr_module_unload();
}

TEST_F(module, load_creates_sysfs_dir)
{
	ASSERT_FALSE(lr_exists(LR_SYSFS_DIR));
	ASSERT_EQ(0, lr_module_load());
	ASSERT_TRUE(lr_module_loaded());
	EXPECT_TRUE(lr_exists(LR_SYSFS_DIR));
}

TEST_F(module, logs_distance_matrix)
{
	static char log[1 << 20];
	char path[128], row[256], want[512];
	int nodes = 0;

	ASSERT_EQ(0, lr_module_load());
	ASSERT_GT(read_kmsg(log, sizeof(log)), 0);
	for (int i = 0; i < LR_MAX_NODES; i++) {
		char *p, *end, *w = want;

		snprintf(path, sizeof(path), LR_NODE_DIR "/node%d/distance", i);
		if (lr_read_file(path, row, sizeof(row)) < 0)
			continue;
		nodes++;
		/* "10 21" in sysfs is logged as "[10, 21]" by the module. */
		w += sprintf(w, "local_reclaim: node %d distances: [", i);
		for (p = row;; p = end) {
			long d = strtol(p, &end, 10);

			if (end == p)
				break;
			w += sprintf(w, "%s%ld", p == row ? "" : ", ", d);
		}
		sprintf(w, "]");
		TH_LOG("expect: %s", want);
		EXPECT_NE(NULL, strstr(log, want));
	}
	ASSERT_GT(nodes, 0);
}

TEST_F(module, unload_removes_sysfs_dir)
{
	ASSERT_EQ(0, lr_module_load());
	ASSERT_TRUE(lr_exists(LR_SYSFS_DIR));
	ASSERT_EQ(0, lr_module_unload());
	EXPECT_FALSE(lr_module_loaded());
	EXPECT_FALSE(lr_exists(LR_SYSFS_DIR));
}

TEST_F(module, second_load_is_refused_while_loaded)
{
	ASSERT_EQ(0, lr_module_load());
	EXPECT_EQ(-EEXIST, lr_module_load());
}

TEST_HARNESS_MAIN
