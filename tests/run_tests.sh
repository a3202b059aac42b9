#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side: run the named selftests in order and pass their TAP through.
# dmesg_test, if named, should come last.  Exit status: number of failing
# programs (0 when all passed).
cd /opt/local_reclaim/tests || exit 1
failed=0
for t in "$@"; do
	echo "# === $t ==="
	if [ ! -x "./$t" ]; then
		echo "1..1"
		echo "not ok 1 $t # program missing from the guest"
		failed=$((failed + 1))
		continue
	fi
	"./$t" 2>&1 || failed=$((failed + 1))
done
exit $failed
