// SPDX-License-Identifier: GPL-2.0
/*
 * Node hot-add: with the module loaded, ask the host (run-guest --hotplug)
 * for 256 MiB more on node 1 (a pc-dimm plugged through QEMU's monitor),
 * let the kernel add it -- through the ACPI notification, or, if none has
 * added it within 60 s, through /sys/devices/system/memory/probe at the
 * base of the SRAT's hotpluggable range, where QEMU places the first DIMM
 * and which the SRAT gives to the last node -- online the new blocks as
 * movable memory, and
 * check that the policy covers them: node 1 is refilled with page cache,
 * then a workload of 105% of node 1's original size runs on node 1's CPUs
 * with "kswapd direct".  It fits on node 1 only by using the new memory,
 * so most of it must land there (local %, anon pages in node 1's Movable
 * zone), and the module's node 1 counters must have moved.  Skips on a
 * kernel without memory hotplug.
 *
 * Prints "figure hotplug path=acpi|probe added_mib=N local=P
 * movable_anon_mib=N n1_events=N".
 */
#include <dirent.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "lr_workload.h"

#define CG		LR_CG_ROOT "/lr_hotplug"
#define MEMORY_DIR	"/sys/devices/system/memory"
#define ADD_MIB		256

/* Onlines node 1's offline memory blocks as movable; returns how many. */
static int online_new_blocks(void)
{
	DIR *d = opendir(MEMORY_DIR);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char path[512], state[32];

		if (strncmp(e->d_name, "memory", 6) || e->d_name[6] < '0' || e->d_name[6] > '9')
			continue;
		snprintf(path, sizeof(path), MEMORY_DIR "/%s/node1", e->d_name);
		if (!lr_exists(path))
			continue;
		snprintf(path, sizeof(path), MEMORY_DIR "/%s/state", e->d_name);
		if (lr_read_file(path, state, sizeof(state)) < 0 || strncmp(state, "offline", 7))
			continue;
		if (!lr_write_str(path, "online_movable"))
			n++;
	}
	closedir(d);
	return n;
}

/*
 * The base of the first hotpluggable memory range in the SRAT, and its
 * proximity domain; 0 if there is none.
 */
static unsigned long long srat_hotplug_base(int *pxm)
{
	unsigned char t[8192];
	int fd = open("/sys/firmware/acpi/tables/SRAT", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, t, sizeof(t));

	if (fd >= 0)
		close(fd);
	/* 48 bytes of header, then subtables of (type, length, ...). */
	for (ssize_t off = 48; off + 40 <= n && t[off + 1]; off += t[off + 1]) {
		unsigned int flags;
		unsigned long long base;

		if (t[off] != 1)	/* memory affinity */
			continue;
		memcpy(&flags, t + off + 28, 4);
		memcpy(&base, t + off + 8, 8);
		if ((flags & 3) == 3) {	/* enabled, hotpluggable */
			memcpy(pxm, t + off + 2, 4);
			return base;
		}
	}
	return 0;
}

/* Adds MIB MiB at the SRAT's hotpluggable base through the probe file. */
static int probe_add(struct __test_metadata *_metadata, long mib)
{
	char bs[32], addr[32];
	unsigned long long base, block;
	int pxm = -1, r;

	base = srat_hotplug_base(&pxm);
	if (!base || lr_read_file(MEMORY_DIR "/block_size_bytes", bs, sizeof(bs)) < 0)
		return -ENOENT;
	block = strtoull(bs, NULL, 16);
	TH_LOG("probe: SRAT hotpluggable range at %#llx (proximity domain %d), blocks of %llu MiB",
	       base, pxm, block >> 20);
	for (unsigned long long a = base; a < base + ((unsigned long long)mib << 20); a += block) {
		snprintf(addr, sizeof(addr), "%#llx", a);
		r = lr_write_str(MEMORY_DIR "/probe", addr);
		if (r) {
			TH_LOG("probe %s: %s", addr, strerror(-r));
			return r;
		}
	}
	return 0;
}

FIXTURE(hotplug) {
};

FIXTURE_SETUP(hotplug)
{
	LR_REQUIRE(lr_exists(MEMORY_DIR) && lr_exists(LR_MODULE_PATH),
		   "no memory hotplug in this kernel (the debug kernel has it)");
	LR_REQUIRE(lr_exists(LR_NODE_DIR "/node1"), "needs two nodes");
	ASSERT_EQ(0, lr_vm_quiet());
	ASSERT_EQ(0, lr_module_load());
	ASSERT_EQ(0, lr_cg_create(CG));
	ASSERT_EQ(0, lr_write_str(CG "/memory.local_reclaim.mode", "kswapd direct"));
}

FIXTURE_TEARDOWN(hotplug)
{
	lr_vm_restore();
	rmdir(CG);
}

TEST_F_TIMEOUT(hotplug, policy_covers_hot_added_memory, 1200)
{
	long t0 = lr_node_meminfo_kb(1, "MemTotal:") / 1024, t1 = t0;
	long r0 = lr_global_stat_sum(NULL), r1;
	char n1[8192], *p;
	long total = 0, movable = 0, n1_before = 0, n1_after = 0;
	struct anon_result r;
	int onlined = 0;
	const char *path = "acpi";
	FILE *out;
	pid_t pid;

	/* The module's node 1 counters before: the "N1=" values of stat. */
	lr_global_stat(n1, sizeof(n1));
	for (p = n1; (p = strstr(p, " N1=")); p++)
		n1_before += strtol(p + 4, NULL, 10);

	ASSERT_EQ(0, lr_write_str("/dev/ttyS3", "hot-add 1 " "256" "\n"))
		TH_LOG("no request port: run under run-guest --hotplug");
	for (int i = 0; i < 240 && t1 < t0 + ADD_MIB - 8; i++) {
		int n = online_new_blocks();

		if (n > 0)
			onlined += n;
		if (i == 120 && !onlined && lr_exists(MEMORY_DIR "/probe")) {
			/* 60 s and no ACPI notification has added the DIMM. */
			path = "probe";
			ASSERT_EQ(0, probe_add(_metadata, ADD_MIB));
		}
		usleep(500000);
		t1 = lr_node_meminfo_kb(1, "MemTotal:") / 1024;
	}
	TH_LOG("node 1: %ld MiB before, %ld MiB after hot-add through %s (%d blocks onlined)", t0,
	       t1, path, onlined);
	ASSERT_GE(t1, t0 + ADD_MIB - 8) TH_LOG("the hot-added memory never came online");

	/* Refill node 1 with page cache, then a workload bigger than it was. */
	ASSERT_EQ(0, lr_reset_and_fill(1, t1 + 64, LR_FILL_UNBOUND));
	pid = lr_start_anon(CG, 1, 2, t0 * 105 / 100, NULL, &r, &out);
	ASSERT_GT(pid, 0);
	movable = lr_zone_field(1, "Movable", "nr_zone_inactive_anon") +
		  lr_zone_field(1, "Movable", "nr_zone_active_anon");
	lr_stop_anon(pid, out);
	for (int n = 0; n < LR_MAX_NODES; n++)
		total += r.node_pages[n];

	lr_global_stat(n1, sizeof(n1));
	for (p = n1; (p = strstr(p, " N1=")); p++)
		n1_after += strtol(p + 4, NULL, 10);
	r1 = lr_global_stat_sum(NULL);
	TH_LOG("figure hotplug path=%s added_mib=%ld workload_mib=%ld local=%.1f "
	       "movable_anon_mib=%ld n1_events=%ld all_events=%ld", path, t1 - t0, t0 * 105 / 100,
	       total ? 100.0 * r.node_pages[1] / total : 0.0, movable * 4096 >> 20, n1_after - n1_before,
	       r1 - r0);
	ASSERT_GT(total, 0);
	/* Bigger than node 1 was, and still local: the new memory is used. */
	EXPECT_GE(100.0 * r.node_pages[1] / total, 90.0);
	EXPECT_GT(movable * 4096 >> 20, ADD_MIB / 2);
	/* The module decided for node 1, counting it. */
	EXPECT_GT(n1_after - n1_before, 0);
}

TEST_HARNESS_MAIN
