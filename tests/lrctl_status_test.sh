#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# lrctl status's warnings about settings that fight the policy, on the
# guest's real topology: vm.zone_reclaim_mode and kernel.numa_balancing
# (each off, then on), and memory-only nodes within the global distance
# of a node with CPUs (expected from the guest's own SLIT, so the 2-node
# guest checks that none is reported and the 4-node one, whose node 3 has
# no CPUs, that it is, with the right nodes).  TAP output.
LRCTL=/opt/local_reclaim/bin/lrctl
MOD=/opt/local_reclaim/local_reclaim.ko
NODES=/sys/devices/system/node

TAP_PREFIX=lrctl_status TAP_OUT=/tmp/lrctl.out
# shellcheck source=tests/lr_tap.sh
. "$(dirname "$0")/lr_tap.sh"

echo "TAP version 13"
requires $LRCTL $MOD
echo "1..8"
loaded=1
[ -d /sys/kernel/mm/local_reclaim ] || { insmod $MOD || exit 1; loaded=0; }
zrm=$(cat /proc/sys/vm/zone_reclaim_mode)
nb=$(cat /proc/sys/kernel/numa_balancing)
echo 0 > /proc/sys/vm/zone_reclaim_mode
echo 0 > /proc/sys/kernel/numa_balancing

# The memory-only nodes within the global distance of a node with CPUs,
# from sysfs alone: "M:N,N" per such node M.
d=$(cat /sys/kernel/mm/local_reclaim/node_reclaim_distance)
expected=$(for f in $NODES/node[0-9]*; do
	cpus=-
	[ -z "$(tr -d '\n' < $f/cpulist)" ] || cpus=C
	echo "${f##*node} $cpus $(cat $f/distance)"
done | sort -n | awk -v d="$d" '
	{ id[NR] = $1; cpus[NR] = ($2 == "C"); n = NR
	  for (i = 3; i <= NF; i++) dist[NR, i - 2] = $i }
	END {
		for (m = 1; m <= n; m++) {
			if (cpus[m]) continue
			near = ""
			for (c = 1; c <= n; c++)
				if (cpus[c] && dist[c, m] <= d) near = near (near == "" ? "" : ", ") id[c]
			if (near != "") print id[m] ":" near
		}
	}')
echo "# memory-only nodes within $d of a CPU node: ${expected:-none}"

$LRCTL status > /tmp/lrctl.out 2>&1
rc=$?
[ $rc -eq 0 ] && ! grep -q "warning: vm.zone_reclaim_mode\|warning: kernel.numa_balancing" /tmp/lrctl.out
r=$?
[ $r -eq 0 ] || show "status exited $rc or warned with both off:"
ok $r no_warning_with_both_off

r=0
echo "$expected" > /tmp/lrctl.expected
while IFS= read -r e; do
	[ -n "$e" ] || continue
	grep -q "warning: node ${e%%:*} has memory and no CPUs, and is within $d of node(s) ${e#*:}:" /tmp/lrctl.out || r=1
done < /tmp/lrctl.expected
[ "$(grep -c 'has memory and no CPUs' /tmp/lrctl.out)" -eq "$(echo "$expected" | grep -c :)" ] || r=1
[ $r -eq 0 ] || show "memory-only nodes expected: ${expected:-none}; status said:"
ok $r memory_only_nodes_as_the_slit_says

# warned SYSCTL: with the sysctl (vm.zone_reclaim_mode, ...) at 1, status
# warns about it; -j names the warning by the sysctl's last part.
warned() {
	f=/proc/sys/$(echo "$1" | tr . /) id=${1#*.}
	echo 1 > "$f"
	$LRCTL status > /tmp/lrctl.out 2>&1
	grep -q "^warning: $1 is 1: " /tmp/lrctl.out
	r=$?
	[ $r -eq 0 ] || show "no $1 warning:"
	ok $r "${id}_warned"
	$LRCTL -j status > /tmp/lrctl.out 2>&1
	grep -q "{\"id\":\"$id\"" /tmp/lrctl.out
	r=$?
	[ $r -eq 0 ] || show "no $id id in the JSON:"
	ok $r "json_names_${id}"
	echo 0 > "$f"
}
warned vm.zone_reclaim_mode
warned kernel.numa_balancing

# A global distance below every remote distance leaves no memory-only
# node within reach.
$LRCTL set --global --distance 10
$LRCTL status > /tmp/lrctl.out 2>&1
! grep -q 'has memory and no CPUs' /tmp/lrctl.out
r=$?
[ $r -eq 0 ] || show "distance 10, still warned:"
ok $r distance_10_reaches_no_other_node
$LRCTL set --global --distance "$d"
[ "$(cat /sys/kernel/mm/local_reclaim/node_reclaim_distance)" = "$d" ]
ok $? distance_restored

echo "$zrm" > /proc/sys/vm/zone_reclaim_mode
echo "$nb" > /proc/sys/kernel/numa_balancing
[ $loaded = 1 ] || rmmod local_reclaim
exit $((failed > 0))
