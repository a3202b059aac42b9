#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The tracing one-liners of Documentation/admin-guide.rst ("One-liners"),
# run as written there: tracefs (events, a filter, a histogram trigger),
# trace-cmd, perf and bpftrace, each over the same COMMAND: a cgroup in
# "kswapd direct" faulting 40% of node 0 in while node 0 is full of clean
# page cache, so the policy decides.  Each must see decisions on node 0.
# trace-cmd, perf and bpftrace are Debian's, from run-guest --apps.  TAP
# output.
MOD=/opt/local_reclaim/local_reclaim.ko
BIN=/opt/local_reclaim/bin
CG=/sys/fs/cgroup/tracing_t
T=/sys/kernel/tracing
DECIDE=$T/events/node_reclaim_policy/mm_node_reclaim_policy_decide
NODE0=/sys/devices/system/node/node0
TAP_PREFIX=tracing TAP_OUT=/tmp/tracing.out
# shellcheck source=tests/lr_tap.sh
. "$(dirname "$0")/lr_tap.sh"

echo "TAP version 13"
requires $MOD $BIN/fill_node $BIN/anon_fault $T/events trace-cmd perf bpftrace
echo "1..7"

mib0() { awk -v k="$1:" '$3 == k { print int($4 / 1024) }' $NODE0/meminfo; }
# prepare: node 0 full of clean page cache, as the documentation's
# scenario has it (a reader not bound to node 0, so the cache spills).
prepare() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
	$BIN/fill_node -u 0 $(($(mib0 MemTotal) + 64)) >/dev/null
	sleep 1
}
# The COMMAND of the one-liners.
mib=$(($(mib0 MemTotal) * 40 / 100))
COMMAND="$BIN/anon_fault -c $CG -n 0 $mib"

[ -d /sys/kernel/mm/local_reclaim ] || insmod $MOD || exit 1
mkdir -p $CG
echo "kswapd direct" > $CG/memory.local_reclaim.mode || exit 1
echo 0 > $T/tracing_on
echo > $T/trace
echo 1 > $T/tracing_on

# tracefs: every event of the policy over the command, then the decisions
# counted per node and outcome.
prepare
echo 1 > $T/events/node_reclaim_policy/enable
$COMMAND > /dev/null
echo 0 > $T/events/node_reclaim_policy/enable
sed -n 's/.*_decide: .* nid=\([0-9]*\) .* result=\([a-z_]*\)$/nid=\1 \2/p' $T/trace |
	sort | uniq -c > $TAP_OUT
grep -q ' nid=0 allocate$' $TAP_OUT
r=$?
show "decisions per node and outcome (tracefs):"
ok $r tracefs_events

# tracefs: a filter keeps only the decisions that reclaimed something.
prepare
echo > $T/trace
echo 'nr_reclaimed > 0' > $DECIDE/filter
echo 1 > $DECIDE/enable
$COMMAND > /dev/null
echo 0 > $DECIDE/enable
echo 0 > $DECIDE/filter
grep '_decide: ' $T/trace > $TAP_OUT
[ -s $TAP_OUT ] && ! grep -q ' nr_reclaimed=0 ' $TAP_OUT
r=$?
[ $r -eq 0 ] || show "filtered decisions (none, or some with nr_reclaimed=0):"
ok $r tracefs_filter

# tracefs: a histogram trigger counts decisions per node and outcome in
# the kernel, what a bpftrace map would.
prepare
echo 'hist:keys=nid,result' > $DECIDE/trigger
$COMMAND > /dev/null
cat $DECIDE/hist > $TAP_OUT
echo '!hist:keys=nid,result' > $DECIDE/trigger
grep -Eq '^\{ nid: +0, result: +1 \} hitcount: +[1-9]' $TAP_OUT
r=$?
show "hist trigger:"
ok $r tracefs_hist

# trace-cmd: all events of one command.
prepare
cd /tmp || exit 1
trace-cmd record -q -e node_reclaim_policy -o /tmp/trace.dat $COMMAND > /dev/null 2>&1
trace-cmd report -i /tmp/trace.dat 2>/dev/null | grep 'mm_node_reclaim_policy_decide:' > $TAP_OUT
grep -q ' nid=0 ' $TAP_OUT
r=$?
[ $r -eq 0 ] || show "trace-cmd report:"
[ $r -ne 0 ] || echo "# trace-cmd: $(wc -l < $TAP_OUT) decisions"
ok $r trace_cmd_record

# perf stat: the policy's events counted over the command.
prepare
perf stat -x, -e 'node_reclaim_policy:*' -a -- $COMMAND > /dev/null 2> $TAP_OUT
awk -F, '$3 == "node_reclaim_policy:mm_node_reclaim_policy_decide" && $1 > 0 { found = 1 }
	END { exit !found }' $TAP_OUT
r=$?
show "perf stat:"
ok $r perf_stat

# perf record: the decisions that allocated (result 1), with their fields.
prepare
perf record -q -e node_reclaim_policy:mm_node_reclaim_policy_decide --filter 'result == 1' \
	-a -o /tmp/perf.data -- $COMMAND > /dev/null 2>&1
perf script -i /tmp/perf.data 2>/dev/null > $TAP_OUT
grep -q 'mm_node_reclaim_policy_decide:.* nid=0 .*result=allocate' $TAP_OUT &&
	! grep 'mm_node_reclaim_policy_decide:' $TAP_OUT | grep -qv 'result=allocate'
r=$?
[ $r -eq 0 ] || show "perf script:"
[ $r -ne 0 ] || echo "# perf script: $(wc -l < $TAP_OUT) decisions"
ok $r perf_record

# bpftrace: decisions per node and outcome, in a map.  The test kernel has
# no BTF, so the event's kernel type (u64) is defined for bpftrace's clang;
# a distribution kernel with BTF needs no #define.
prepare
bpftrace -e '#define u64 unsigned long long
tracepoint:node_reclaim_policy:mm_node_reclaim_policy_decide { @[args->nid, args->result] = count(); }' \
	-c "$COMMAND" > $TAP_OUT 2>&1
grep -Eq '^@\[0, 1\]: [1-9]' $TAP_OUT
r=$?
show "bpftrace:"
ok $r bpftrace_count

rmdir $CG
rmmod local_reclaim
exit $((failed > 0))
