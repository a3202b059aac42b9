#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# lrctl against the real module in the guest: status with the module
# unloaded and loaded, set/show round trips through the cgroup files,
# invalid and out-of-range values (exit 8, value unchanged), no such
# cgroup (5), an unprivileged user (7 on set, reads allowed), and top
# seeing a workload's reclaim; the command line as its peers behave:
# --version, per-command help, the stat file's mode form, cgroups named
# by unit, pid and self, -j/-p, a reader that closes the pipe.  TAP output.
LRCTL=/opt/local_reclaim/bin/lrctl
BIN=/opt/local_reclaim/bin
MOD=/opt/local_reclaim/local_reclaim.ko
CG=/sys/fs/cgroup/lrctl_t

# expect CODE DESCRIPTION COMMAND...: the command exits CODE.
expect() {
	want=$1 what=$2
	shift 2
	"$@" > /tmp/lrctl.out 2> /tmp/lrctl.err
	got=$?
	[ "$got" -eq "$want" ] || { echo "# '$*' exited $got, expected $want"; sed 's/^/#   /' /tmp/lrctl.out /tmp/lrctl.err; }
	ok $((got != want)) "$what"
}

has() { grep -q -- "$1" /tmp/lrctl.out || { echo "# no '$1' in:"; sed 's/^/#   /' /tmp/lrctl.out; return 1; }; }

TAP_PREFIX=lrctl TAP_OUT=/tmp/lrctl.out
# shellcheck source=tests/lr_tap.sh
. "$(dirname "$0")/lr_tap.sh"

echo "TAP version 13"
requires $LRCTL $MOD
echo "1..35"
[ -d /sys/kernel/mm/local_reclaim ] && rmmod local_reclaim
rmdir /sys/fs/cgroup/lrctl_t.slice/lrctl-db.service /sys/fs/cgroup/lrctl_t.slice $CG 2>/dev/null

expect 3 status_unloaded_exits_3 $LRCTL status
has "module:                 not loaded" && has "kernel patched:         yes"
ok $? status_unloaded_says_so

insmod $MOD || exit 1
mkdir $CG
expect 0 status_loaded $LRCTL status
nodes=$(ls -d /sys/devices/system/node/node[0-9]* | wc -l)
rows=$(grep -c '^ *N[0-9]* *[0-9]*\*' /tmp/lrctl.out)
has "node_reclaim_distance:  30" && has "global mode:            off" && [ "$rows" -eq "$nodes" ]
ok $? status_shows_settings_and_every_node

expect 0 set_mode_and_distance $LRCTL set lrctl_t --mode "direct kswapd" --distance 21
[ "$(cat $CG/memory.local_reclaim.mode)" = "kswapd direct" ] && [ "$(cat $CG/memory.local_reclaim.distance)" = 21 ]
ok $? set_reached_the_cgroup_files

expect 0 show_by_full_path $LRCTL show $CG
has "effective: kswapd direct" && has "effective: 21" && has "^pages_reclaimed"
ok $? show_has_effective_values_and_counters
expect 0 show_json $LRCTL -p show /lrctl_t
has '"distance": 21' && has '"kswapd_wakeups": {'
ok $? show_json_has_values
expect 0 show_json_one_line $LRCTL --json show /lrctl_t
[ "$(wc -l < /tmp/lrctl.out)" -eq 1 ] && has '"distance":21'
ok $? show_json_is_one_line

# The command line as bpftool's, numastat's: version, per-command help,
# the stat file's own mode form, other ways to name a cgroup.
expect 0 version $LRCTL --version
has "^lrctl [0-9]"
ok $? version_printed
expect 0 set_help $LRCTL set --help
has "Usage: lrctl set" && ! grep -q "^Commands:" /tmp/lrctl.out
ok $? set_help_is_sets
expect 0 mode_as_stat_prints_it $LRCTL set lrctl_t --mode direct,unmap
[ "$(cat $CG/memory.local_reclaim.mode)" = "direct unmap" ]
ok $? comma_mode_reached_the_cgroup
$LRCTL set lrctl_t --mode "kswapd direct"
# A service-like cgroup under a slice, named by its unit name alone.
echo +memory > /sys/fs/cgroup/cgroup.subtree_control
mkdir -p /sys/fs/cgroup/lrctl_t.slice
echo +memory > /sys/fs/cgroup/lrctl_t.slice/cgroup.subtree_control
mkdir -p /sys/fs/cgroup/lrctl_t.slice/lrctl-db.service
expect 0 set_by_unit_name $LRCTL set lrctl-db.service --distance 16
[ "$(cat /sys/fs/cgroup/lrctl_t.slice/lrctl-db.service/memory.local_reclaim.distance)" = 16 ]
ok $? unit_name_found_under_its_slice
expect 0 show_by_pid sh -c "echo \$\$ > /sys/fs/cgroup/lrctl_t.slice/lrctl-db.service/cgroup.procs && exec $LRCTL show --pid \$\$"
has "cgroup:    /lrctl_t.slice/lrctl-db.service"
ok $? pid_names_its_cgroup
expect 0 show_self sh -c "echo \$\$ > $CG/cgroup.procs && exec $LRCTL show self"
has "cgroup:    /lrctl_t$"
ok $? self_names_its_cgroup
# The reader goes away: lrctl ends quietly, not with a panic (101).
{ $LRCTL -j top --interval 0.2 2> /tmp/lrctl.err; echo $? > /tmp/lrctl.rc; } | head -1 > /tmp/lrctl.out
[ "$(cat /tmp/lrctl.rc)" = 0 ] && [ ! -s /tmp/lrctl.err ] && has '^{"interval_s":'
ok $? closed_pipe_exits_0

expect 8 out_of_range_distance $LRCTL set lrctl_t --mode off --distance 255
[ "$(cat $CG/memory.local_reclaim.mode)" = "kswapd direct" ] && [ "$(cat $CG/memory.local_reclaim.distance)" = 21 ]
ok $? out_of_range_changes_nothing
expect 8 invalid_mode $LRCTL set lrctl_t --mode sometimes
[ "$(cat $CG/memory.local_reclaim.mode)" = "kswapd direct" ]
ok $? invalid_mode_changes_nothing
expect 5 no_such_cgroup $LRCTL show lrctl_nosuch

expect 7 unprivileged_set_denied su -s /bin/sh lruser -c "$LRCTL set /lrctl_t --mode off"
[ "$(cat $CG/memory.local_reclaim.mode)" = "kswapd direct" ]
ok $? unprivileged_set_changes_nothing
expect 0 unprivileged_show_allowed su -s /bin/sh lruser -c "$LRCTL show /lrctl_t"

# top over the whole of a workload that makes node 0 reclaim for the cgroup.
echo 0 > /proc/sys/vm/watermark_boost_factor
sync
echo 3 > /proc/sys/vm/drop_caches
mib=$(awk '$3 == "MemTotal:" { print int($4 / 1024) }' /sys/devices/system/node/node0/meminfo)
$LRCTL --json top --interval 40 --count 1 > /tmp/lrctl.top 2>&1 &
top=$!
$BIN/fill_node -u 0 $((mib + 64)) > /dev/null
$BIN/anon_fault -c $CG -n 0 $((mib * 30 / 100)) > /dev/null
wait $top
cp /tmp/lrctl.top /tmp/lrctl.out
has '"cgroup":"/lrctl_t","node":0' && has '"cgroup":"(all)","node":0'
ok $? top_sees_the_workloads_reclaim
echo 15000 > /proc/sys/vm/watermark_boost_factor

rmmod local_reclaim
expect 3 show_after_rmmod_exits_3 $LRCTL show lrctl_t
rmdir $CG /sys/fs/cgroup/lrctl_t.slice/lrctl-db.service /sys/fs/cgroup/lrctl_t.slice
exit $((failed > 0))
