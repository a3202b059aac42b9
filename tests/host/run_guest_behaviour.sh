#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# run-guest end to end: a 3-node topology with a CPU-less node is what the
# guest sees, --add puts a host file in /extra/, COMMAND's exit status is
# run-guest's, and --timeout kills a guest that runs too long.  The guests
# are --bare: make check runs this while it rebuilds the module and tests.
set -u
rg() { "$(dirname "$0")/../../scripts/run-guest" --bare "$@"; }
fail=0

out=$(rg --nodes "1024:0-1,1024:2-3,512:" --distances "0-1:12,0-2:32,1-2:32" \
	-- cat /sys/devices/system/node/node2/distance); rc=$?
out=$(printf '%s' "$out" | tr -d '\r')
if [ "$rc" -ne 0 ] || [ "$out" != "32 32 10" ]; then
	echo "node2 distance: exit $rc, output '$out' (want '32 32 10')"; fail=1
fi

extra=$(mktemp)
echo "payload $$" > "$extra"
out=$(rg --add "$extra" -- "cat /extra/$(basename "$extra")" | tr -d '\r'); rc=$?
rm -f "$extra"
[ "$rc" -eq 0 ] && [ "$out" = "payload $$" ] ||
	{ echo "--add: exit $rc, output '$out' (want 'payload $$')"; fail=1; }

rg -- exit 3 >/dev/null 2>&1; rc=$?
[ "$rc" -eq 3 ] || { echo "'-- exit 3' made run-guest exit $rc"; fail=1; }

start=$SECONDS
rg --timeout 20 -- sleep 600 >/dev/null 2>&1; rc=$?
took=$((SECONDS - start))
if [ "$rc" -eq 0 ] || [ "$took" -gt 60 ]; then
	echo "--timeout 20 -- sleep 600: exit $rc after $took s (want non-zero, ~20 s)"; fail=1
fi
echo "timeout run: exit $rc after $took s" >&2
exit $fail
