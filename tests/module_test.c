// SPDX-License-Identifier: GPL-2.0
/*
 * local_reclaim.ko loads, creates /sys/kernel/mm/local_reclaim/, logs the
 * distance matrix it sees (matching the node sysfs files), unloads, and
 * the directory is gone afterwards.
 */
#include "kselftest_harness.h"
#include "lr_util.h"

/*
 * The messages logged since kmsg_fd was opened and moved to the end of the
 * log (SEEK_END), one per line, into buf; returns their length.
 */
static int read_new_kmsg(int kmsg_fd, char *buf, size_t len)
{
	char rec[8192];
	size_t off = 0;
	ssize_t n;

	while ((n = read(kmsg_fd, rec, sizeof(rec) - 1)) > 0) {
		char *msg;

		rec[n] = '\0';
		msg = strchr(rec, ';');	/* "prio,seq,usec,flags;message\n..." */
		if (!msg)
			continue;
		msg++;
		msg[strcspn(msg, "\n")] = '\0';
		off += snprintf(buf + off, len - off, "%s\n", msg);
		if (off >= len - 1)
			break;
	}
	return n < 0 && errno != EAGAIN ? -errno : (int)off;
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

/* What this load logged, not an earlier one. */
TEST_F(module, logs_distance_matrix)
{
	static char log[1 << 16];
	char path[128], row[256], want[512];
	int nodes = 0, fd;

	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	ASSERT_GE(fd, 0);
	ASSERT_GE(lseek(fd, 0, SEEK_END), 0);
	ASSERT_EQ(0, lr_module_load());
	ASSERT_GT(read_new_kmsg(fd, log, sizeof(log)), 0);
	close(fd);
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
		EXPECT_NE(NULL, strstr(log, want)) TH_LOG("this load logged:\n%s", log);
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
