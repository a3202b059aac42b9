// SPDX-License-Identifier: GPL-2.0
/*
 * The guest kernel log holds no BUG:, WARNING:, oops, lockdep, KASAN or
 * kmemleak report.  Run last in every guest, after the other tests.
 */
#include <sys/klog.h>

#include "kselftest_harness.h"
#include "lr_util.h"

static const char *const bad_markers[] = {
	"BUG:", "WARNING:", "Oops", "Kernel panic", "general protection fault",
	"UBSAN:", "KASAN:", "possible circular locking", "inconsistent lock state",
	"suspected memory leak", "unreferenced object", "rcu_sched detected stall",
	"rcu: INFO:", "hung_task", "blocked for more than",
};

TEST(dmesg_clean)
{
	static char log[1 << 20];
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, sizeof(log) - 1);
	int found = 0;

	ASSERT_GE(n, 0);
	log[n] = '\0';
	for (char *line = strtok(log, "\n"); line; line = strtok(NULL, "\n")) {
		for (size_t i = 0; i < sizeof(bad_markers) / sizeof(bad_markers[0]); i++) {
			if (strstr(line, bad_markers[i])) {
				TH_LOG("%s", line);
				found++;
				break;
			}
		}
	}
	EXPECT_EQ(0, found);
}

TEST_HARNESS_MAIN
