// SPDX-License-Identifier: GPL-2.0
/*
 * The leak check at the end of a debug-kernel run: unload the module, let
 * kmemleak scan twice (an object must stay unreferenced for 5 s and two
 * scans before it is reported), and fail with the report if anything is
 * suspected.  The guest's init cleared what kmemleak suspected at boot, so
 * what is reported here leaked while the tests ran.  Skips on a kernel
 * without CONFIG_DEBUG_KMEMLEAK.
 *
 * Prints "figure kmemleak scans=2 suspected=N".
 */
#include "kselftest_harness.h"
#include "lr_util.h"

#define KMEMLEAK "/sys/kernel/debug/kmemleak"

FIXTURE(kmemleak) {
};

FIXTURE_SETUP(kmemleak)
{
}

FIXTURE_TEARDOWN(kmemleak)
{
}

/* A scan of a debug guest's memory takes minutes under TCG. */
TEST_F_TIMEOUT(kmemleak, finds_nothing, 1800)
{
	static char report[1 << 20];
	int suspected = 0, n;

	LR_REQUIRE(lr_exists(KMEMLEAK), "no kmemleak in this kernel (the debug kernel has it)");
	if (lr_module_loaded())
		ASSERT_EQ(0, lr_module_unload());
	for (int scan = 0; scan < 2; scan++) {
		sleep(6);
		ASSERT_EQ(0, lr_write_str(KMEMLEAK, "scan"));
	}
	n = lr_read_file(KMEMLEAK, report, sizeof(report));
	ASSERT_GE(n, 0);
	for (char *p = report; (p = strstr(p, "unreferenced object")); p++)
		suspected++;
	TH_LOG("figure kmemleak scans=2 suspected=%d", suspected);
	if (suspected)
		TH_LOG("kmemleak report:\n%s", report);
	EXPECT_EQ(0, suspected);
}

TEST_HARNESS_MAIN
