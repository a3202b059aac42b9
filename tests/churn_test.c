// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup churn: LR_CHURN_CYCLES (default 1,000) cycles of mkdir, set mode
 * and distance, move a task in, allocate, move it out, rmdir.  Afterwards
 * the module's live per-cgroup states (cgroup_states in the global stat
 * file, counting states waiting for their RCU grace period too) are back
 * to their starting value; the debug kernel's kmemleak scan at the end of
 * the run (kmemleak_test) looks for anything freed without our counter
 * noticing.
 *
 * Prints "figure churn cycles=N states_before=N states_after=N leaked=N".
 */
#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "lr_workload.h"

#define PARENT	LR_CG_ROOT "/lr_churn"

static const char *const modes[] = { "kswapd", "direct", "kswapd direct", "direct unmap",
				     "kswapd direct unmap", "off", "inherit" };
static const char *const dists[] = { "10", "16", "21", "30", "254", "inherit" };

/* The child: joins CG, faults in 4 MiB, moves out to the root, exits. */
static int visit(const char *cg)
{
	size_t len = 4 << 20;
	char *p;

	if (lr_cg_enter(cg))
		return 1;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 2;
	for (size_t off = 0; off < len; off += 4096)
		p[off] = 1;
	munmap(p, len);
	/* Out again, to the root: PARENT has controllers, so no tasks. */
	return lr_cg_enter(LR_CG_ROOT) ? 3 : 0;
}

FIXTURE(churn) {
};

FIXTURE_SETUP(churn)
{
	LR_REQUIRE(lr_exists(LR_MODULE_PATH), "%s not in the guest", LR_MODULE_PATH);
	if (lr_module_loaded())
		ASSERT_EQ(0, lr_module_unload());
	ASSERT_EQ(0, lr_module_load());
	ASSERT_EQ(0, lr_cg_create(PARENT));
	ASSERT_EQ(0, lr_write_str(PARENT "/cgroup.subtree_control", "+memory"));
}

FIXTURE_TEARDOWN(churn)
{
	rmdir(PARENT);
	if (lr_module_loaded())
		lr_module_unload();
}

TEST_F_TIMEOUT(churn, mkdir_set_move_allocate_rmdir, 1800)
{
	const char *s = getenv("LR_CHURN_CYCLES");
	long cycles = s ? strtol(s, NULL, 10) : 1000, before, peak = 0, after;
	long failed = 0, busy_retries = 0;

	before = lr_settled_cgroup_states();
	ASSERT_GE(before, 0);
	for (long i = 0; i < cycles; i++) {
		char cg[128], path[192];
		pid_t pid;
		int st, r;

		snprintf(cg, sizeof(cg), PARENT "/c%ld", i);
		ASSERT_EQ(0, mkdir(cg, 0755)) TH_LOG("cycle %ld: mkdir: %s", i, strerror(errno));
		snprintf(path, sizeof(path), "%s/memory.local_reclaim.mode", cg);
		ASSERT_EQ(0, lr_write_str(path, modes[i % 7]));
		snprintf(path, sizeof(path), "%s/memory.local_reclaim.distance", cg);
		ASSERT_EQ(0, lr_write_str(path, dists[i % 6]));
		if (lr_cgroup_states() > peak)
			peak = lr_cgroup_states();
		pid = fork();
		ASSERT_GE(pid, 0);
		if (pid == 0)
			_exit(visit(cg));
		ASSERT_EQ(pid, waitpid(pid, &st, 0));
		if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			if (failed++ < 5)
				TH_LOG("cycle %ld: the task failed (status %#x)", i, st);
		}
		/* An exiting task may still be leaving the cgroup. */
		while ((r = rmdir(cg)) && errno == EBUSY && busy_retries < 100000) {
			busy_retries++;
			usleep(1000);
		}
		ASSERT_EQ(0, r) TH_LOG("cycle %ld: rmdir: %s", i, strerror(errno));
	}
	after = lr_settled_cgroup_states();
	/* Offlining is asynchronous: give the last cgroups' RCU callbacks time. */
	for (int i = 0; i < 100 && after != before; i++) {
		usleep(100000);
		after = lr_cgroup_states();
	}
	TH_LOG("figure churn cycles=%ld states_before=%ld states_peak=%ld states_after=%ld leaked=%ld "
	       "task_failures=%ld", cycles, before, peak, after, after - before, failed);
	EXPECT_EQ(0, failed);
	EXPECT_EQ(before, after);
	/* The states were really made: one per live cgroup. */
	EXPECT_GT(peak, before);
}

TEST_HARNESS_MAIN
