# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# TAP helpers for the guest's shell selftests; sourced, not run:
#
#   TAP_PREFIX=lrctl; . ./lr_tap.sh
#
# ok STATUS NAME      "ok N PREFIX.NAME" when STATUS is 0, else "not ok"
#                     (counted in $failed)
# show TITLE [FILE]   TITLE and FILE (default $TAP_OUT) as TAP comments
# requires PROGRAM... make check's guests have the programs: there a
#                     missing one fails the test; elsewhere it is skipped
n=0 failed=0

ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n $TAP_PREFIX.$2"
	else
		echo "not ok $n $TAP_PREFIX.$2"
		failed=$((failed + 1))
	fi
}

show() {
	echo "# $1"
	sed 's/^/#   /' "${2:-$TAP_OUT}"
}

requires() {
	for _p in "$@"; do
		[ -e "$_p" ] || command -v "$_p" >/dev/null 2>&1 && continue
		if [ -n "${LR_SUITE:-}" ]; then
			echo "1..1"
			echo "not ok 1 $TAP_PREFIX: $_p is not in the guest"
			exit 1
		fi
		echo "1..0 # SKIP $_p is not in the guest"
		exit 0
	done
}
