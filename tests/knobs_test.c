// SPDX-License-Identifier: GPL-2.0
/*
 * local_reclaim knobs: defaults, round trips, canonical order, inheritance
 * down the cgroup tree, EINVAL for bad input with the value unchanged (see
 * perm_test for unprivileged writers, fuzz_test for random input).
 */
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "lr_util.h"

#define CG	"/sys/fs/cgroup"
#define PARENT	CG "/lr_knobs"
#define CHILD	PARENT "/child"

static void read_trim(const char *path, char *buf, size_t len)
{
	int n = lr_read_file(path, buf, len);

	if (n < 0) {
		snprintf(buf, len, "<%s>", strerror(-n));
		return;
	}
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
}

/* The "effective" line of a stat file: "mode=... distance=...". */
static void effective(const char *cg, char *buf, size_t len)
{
	char path[256], stat[8192], *p;

	snprintf(path, sizeof(path), "%s/memory.local_reclaim.stat", cg);
	read_trim(path, stat, sizeof(stat));
	p = strstr(stat, "effective ");
	snprintf(buf, len, "%s", p ? p + strlen("effective ") : "<none>");
	p = strchr(buf, '\n');
	if (p)
		*p = '\0';
}

FIXTURE(knobs) {
	char buf[8192];
};

FIXTURE_SETUP(knobs)
{
	LR_REQUIRE(lr_exists(LR_MODULE_PATH), "%s not in the guest", LR_MODULE_PATH);
	if (lr_module_loaded())
		ASSERT_EQ(0, lr_module_unload());
	ASSERT_EQ(0, lr_module_load());
	rmdir(CHILD);
	rmdir(PARENT);
	ASSERT_EQ(0, mkdir(PARENT, 0755));
	ASSERT_EQ(0, lr_write_str(PARENT "/cgroup.subtree_control", "+memory"));
	ASSERT_EQ(0, mkdir(CHILD, 0755));
}

FIXTURE_TEARDOWN(knobs)
{
	rmdir(CHILD "/gone");
	rmdir(CHILD);
	rmdir(PARENT);
	if (lr_module_loaded())
		lr_module_unload();
}

/*
 * The kernel's node_reclaim_distance at boot: RECLAIM_DISTANCE (30) on
 * x86, 32 on AMD's Zen families (0x17 on; init_amd_zen_common()).
 */
static int boot_reclaim_distance(void)
{
	char buf[8192], *v, *f;
	int family;

	if (lr_read_file("/proc/cpuinfo", buf, sizeof(buf)) < 0)
		return -1;
	v = strstr(buf, "vendor_id");
	f = strstr(buf, "cpu family");
	if (!v || !f || sscanf(strchr(f, ':') + 1, "%d", &family) != 1)
		return -1;
	return !strncmp(strchr(v, ':') + 2, "AuthenticAMD", 12) && family >= 0x17 ? 32 : 30;
}

TEST_F(knobs, defaults)
{
	read_trim(LR_SYSFS_DIR "/mode", self->buf, sizeof(self->buf));
	EXPECT_STREQ("off", self->buf);
	read_trim(LR_SYSFS_DIR "/node_reclaim_distance", self->buf, sizeof(self->buf));
	TH_LOG("node_reclaim_distance at load: %s", self->buf);
	EXPECT_EQ(boot_reclaim_distance(), atoi(self->buf));
	read_trim(CHILD "/memory.local_reclaim.mode", self->buf, sizeof(self->buf));
	EXPECT_STREQ("inherit", self->buf);
	read_trim(CHILD "/memory.local_reclaim.distance", self->buf, sizeof(self->buf));
	EXPECT_STREQ("inherit", self->buf);
	/* The root cgroup has no files; the global knobs play its part. */
	EXPECT_FALSE(lr_exists(CG "/memory.local_reclaim.mode"));
	/* The global counters: one file per counter, one value per node. */
	read_trim(LR_SYSFS_DIR "/stat/kswapd_wakeups", self->buf, sizeof(self->buf));
	EXPECT_EQ(0, strncmp(self->buf, "N0=", 3)) TH_LOG("stat/kswapd_wakeups: %s", self->buf);
	read_trim(LR_SYSFS_DIR "/cgroup_states", self->buf, sizeof(self->buf));
	EXPECT_GE(strtol(self->buf, NULL, 10), 2) TH_LOG("cgroup_states: %s", self->buf);
}

TEST_F(knobs, round_trip_and_canonical_order)
{
	static const char *const in[] = { "kswapd", "direct kswapd", "unmap direct kswapd",
					  "unmap\tkswapd\n", "off" };
	static const char *const out[] = { "kswapd", "kswapd direct", "kswapd direct unmap",
					   "kswapd unmap", "off" };

	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		ASSERT_EQ(0, lr_write_str(CHILD "/memory.local_reclaim.mode", in[i]));
		read_trim(CHILD "/memory.local_reclaim.mode", self->buf, sizeof(self->buf));
		EXPECT_STREQ(out[i], self->buf);
		ASSERT_EQ(0, lr_write_str(LR_SYSFS_DIR "/mode", in[i]));
		read_trim(LR_SYSFS_DIR "/mode", self->buf, sizeof(self->buf));
		EXPECT_STREQ(out[i], self->buf);
	}
	ASSERT_EQ(0, lr_write_str(CHILD "/memory.local_reclaim.distance", "16\n"));
	read_trim(CHILD "/memory.local_reclaim.distance", self->buf, sizeof(self->buf));
	EXPECT_STREQ("16", self->buf);
	ASSERT_EQ(0, lr_write_str(CHILD "/memory.local_reclaim.distance", "inherit"));
	read_trim(CHILD "/memory.local_reclaim.distance", self->buf, sizeof(self->buf));
	EXPECT_STREQ("inherit", self->buf);
	ASSERT_EQ(0, lr_write_str(CHILD "/memory.local_reclaim.mode", "inherit"));
	read_trim(CHILD "/memory.local_reclaim.mode", self->buf, sizeof(self->buf));
	EXPECT_STREQ("inherit", self->buf);
}

TEST_F(knobs, inheritance)
{
	char eff[256], old[32];

	/* Values that differ from the defaults (off, 30), so a write that is
	 * lost shows. */
	read_trim(LR_SYSFS_DIR "/node_reclaim_distance", old, sizeof(old));
	ASSERT_STRNE("41", old);
	ASSERT_EQ(0, lr_write_str(LR_SYSFS_DIR "/mode", "kswapd"));
	ASSERT_EQ(0, lr_write_str(LR_SYSFS_DIR "/node_reclaim_distance", "41"));
	effective(CHILD, eff, sizeof(eff));
	EXPECT_STREQ("mode=kswapd distance=41", eff) TH_LOG("global only");

	ASSERT_EQ(0, lr_write_str(PARENT "/memory.local_reclaim.mode", "direct kswapd"));
	ASSERT_EQ(0, lr_write_str(PARENT "/memory.local_reclaim.distance", "16"));
	effective(CHILD, eff, sizeof(eff));
	EXPECT_STREQ("mode=kswapd,direct distance=16", eff) TH_LOG("parent set, child inherits");

	ASSERT_EQ(0, lr_write_str(CHILD "/memory.local_reclaim.mode", "off"));
	effective(CHILD, eff, sizeof(eff));
	EXPECT_STREQ("mode=off distance=16", eff) TH_LOG("child overrides the mode");
	effective(PARENT, eff, sizeof(eff));
	EXPECT_STREQ("mode=kswapd,direct distance=16", eff) TH_LOG("parent unaffected");

	ASSERT_EQ(0, lr_write_str(CHILD "/memory.local_reclaim.mode", "inherit"));
	effective(CHILD, eff, sizeof(eff));
	EXPECT_STREQ("mode=kswapd,direct distance=16", eff) TH_LOG("override removed");

	ASSERT_EQ(0, lr_write_str(PARENT "/memory.local_reclaim.distance", "inherit"));
	effective(CHILD, eff, sizeof(eff));
	EXPECT_STREQ("mode=kswapd,direct distance=41", eff) TH_LOG("distance back to global");
	lr_write_str(LR_SYSFS_DIR "/node_reclaim_distance", old);
}

/* Every bad write fails with EINVAL and leaves the value readable as it was. */
static void expect_rejected(struct __test_metadata *_metadata, const char *path,
			    const char *input, size_t len)
{
	char before[256], after[256];

	read_trim(path, before, sizeof(before));
	EXPECT_EQ(-EINVAL, lr_write_file(path, input, len))
		TH_LOG("%s <- '%.20s' (%zu bytes)", path, input, len);
	read_trim(path, after, sizeof(after));
	EXPECT_STREQ(before, after);
}

TEST_F(knobs, bad_input_is_einval_and_changes_nothing)
{
	/*
	 * A zero-byte write(2) reaches no handler: kernfs returns 0 for it
	 * (checked below to change nothing).  "\n" is the empty value as echo
	 * writes it, and is rejected.
	 */
	static const char *const modes[] = { "foo", "kswapd foo", "off kswapd", "\n", "KSWAPD" };
	static const char *const dists[] = { "\n", "9", "255", "-1", "30abc", "foo", " 20" };
	static char junk[4096];
	const char *files[] = { CHILD "/memory.local_reclaim.mode", LR_SYSFS_DIR "/mode" };

	memset(junk, 'x', sizeof(junk));
	ASSERT_EQ(0, lr_write_str(CHILD "/memory.local_reclaim.mode", "direct"));
	ASSERT_EQ(0, lr_write_str(CHILD "/memory.local_reclaim.distance", "21"));
	for (size_t f = 0; f < 2; f++) {
		for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
			expect_rejected(_metadata, files[f], modes[i], strlen(modes[i]));
		expect_rejected(_metadata, files[f], junk, sizeof(junk));
	}
	for (size_t i = 0; i < sizeof(dists) / sizeof(dists[0]); i++) {
		expect_rejected(_metadata, CHILD "/memory.local_reclaim.distance",
				dists[i], strlen(dists[i]));
		expect_rejected(_metadata, LR_SYSFS_DIR "/node_reclaim_distance",
				dists[i], strlen(dists[i]));
	}
	for (size_t f = 0; f < 4; f++) {
		const char *all[] = { CHILD "/memory.local_reclaim.mode", LR_SYSFS_DIR "/mode",
				      CHILD "/memory.local_reclaim.distance",
				      LR_SYSFS_DIR "/node_reclaim_distance" };
		char before[64], after[64];

		read_trim(all[f], before, sizeof(before));
		EXPECT_EQ(0, lr_write_file(all[f], "", 0));
		read_trim(all[f], after, sizeof(after));
		EXPECT_STREQ(before, after);
	}
	expect_rejected(_metadata, CHILD "/memory.local_reclaim.distance", junk, sizeof(junk));
	expect_rejected(_metadata, LR_SYSFS_DIR "/node_reclaim_distance", junk, sizeof(junk));
	/* "inherit" exists per cgroup only. */
	expect_rejected(_metadata, LR_SYSFS_DIR "/mode", "inherit", 7);
	expect_rejected(_metadata, LR_SYSFS_DIR "/node_reclaim_distance", "inherit", 7);
}

TEST_F(knobs, removed_cgroup_state_is_freed)
{
	long before = lr_settled_cgroup_states();

	ASSERT_GT(before, 0);
	ASSERT_EQ(0, lr_write_str(CHILD "/cgroup.subtree_control", "+memory"));
	ASSERT_EQ(0, mkdir(CHILD "/gone", 0755));
	EXPECT_EQ(before + 1, lr_cgroup_states());
	ASSERT_EQ(0, lr_write_str(CHILD "/gone/memory.local_reclaim.mode", "direct"));
	ASSERT_EQ(0, lr_write_str(CHILD "/gone/memory.local_reclaim.distance", "12"));
	ASSERT_EQ(0, rmdir(CHILD "/gone"));
	/* Offlining (asynchronous after rmdir) frees the state. */
	for (int i = 0; i < 100 && lr_cgroup_states() != before; i++)
		usleep(50000);
	EXPECT_EQ(before, lr_cgroup_states());
	/* A new cgroup of the same name starts afresh. */
	ASSERT_EQ(0, mkdir(CHILD "/gone", 0755));
	read_trim(CHILD "/gone/memory.local_reclaim.mode", self->buf, sizeof(self->buf));
	EXPECT_STREQ("inherit", self->buf);
	read_trim(CHILD "/gone/memory.local_reclaim.distance", self->buf, sizeof(self->buf));
	EXPECT_STREQ("inherit", self->buf);
	ASSERT_EQ(0, rmdir(CHILD "/gone"));
}

TEST_HARNESS_MAIN
