#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# scripts/bench rejects a bad size or scenario list before it builds or
# boots anything, and leaves no results directory behind.
set -u
bench=$(dirname "$0")/../../scripts/bench
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail=0
check() {	# check ARGS...: must fail, say why in one line, write nothing
	local msg rc
	msg=$("$bench" --out "$out/r" "$@" 2>&1 >/dev/null); rc=$?
	if [ "$rc" -eq 0 ] || [ "$(printf '%s\n' "$msg" | wc -l)" -ne 1 ] || [ -e "$out/r" ]; then
		echo "bench $*: exit $rc: $msg"
		fail=1
	fi
	rm -rf "$out/r"
}
check --size huge
check --size
check --only foo
check --only apps,foo
check --only ""
check --only
check --bogus
exit $fail
