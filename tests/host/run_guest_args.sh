#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# run-guest rejects bad topologies with exit 2 and a one-line reason before
# anything boots.  LR_KDIR points nowhere, so an argument that slipped
# through validation would fail with a different status.
set -u
rg=$(dirname "$0")/../../scripts/run-guest
export LR_KDIR=/nonexistent
fail=0
check() {	# check WANT_STATUS ARGS...
	local want=$1 out rc
	shift
	out=$("$rg" "$@" 2>&1 >/dev/null); rc=$?
	if [ "$rc" -ne "$want" ] || { [ "$want" = 2 ] && [ "$(printf '%s\n' "$out" | wc -l)" -ne 1 ]; }; then
		echo "run-guest $*: exit $rc (want $want): $out"
		fail=1
	fi
}
check 2 --nodes "abc" -- true
check 2 --nodes "1024:0-1,abc" -- true
check 2 --nodes "1024:0-1,1024:1-2" -- true		# CPU 1 twice
check 2 --nodes "1024:0-1,1024:3" -- true		# gap at CPU 2
check 2 --nodes "1024:,1024:" -- true			# no CPUs at all
check 2 --nodes "64:0" -- true				# too little memory
check 2 --distances "0-1:9" -- true
check 2 --distances "0-1:255" -- true
check 2 --distances "0-1:10" -- true
check 2 --distances "0-2:21" -- true			# node 2 does not exist
check 2 --distances "0-0:21" -- true
check 2 --distances "0-1" -- true
check 2 --timeout 0 -- true
check 2 --timeout abc -- true
check 2 --hotplug 100 -- true			# not a multiple of 128 MiB
check 2 --hotplug 0 -- true
check 2 --bogus -- true
check 2 --nodes "1024:0-1,1024:2-3"			# no command
# Valid arguments get past validation and fail later on the missing kernel.
check 1 --nodes "1024:0-1,1024:2-3,512:" --distances "0-1:12,0-2:32,1>2:40" --hotplug 256 -- true
exit $fail
