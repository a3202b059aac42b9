#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The configuration file at boot, without systemd: what the shipped files
# make systemd do, done by hand with the same files (run-guest --add puts
# dist/'s in /extra): load the modules modules-load.d names, run the
# unit's ExecStart= line, then check every entry reached its cgroup; a
# service restarted (its cgroup recreated) gets its settings back from the
# drop-in's ExecStartPre= line; a service in a slice keeps the slice's by
# inheritance with no apply at all; a module reloaded gets them back from
# ExecStart= again; a bad file changes nothing; --dry-run writes nothing.
# TAP output.
LRCTL=/opt/local_reclaim/bin/lrctl
MODDIR=/opt/local_reclaim
EXTRA=/extra
CGR=/sys/fs/cgroup
PG=$CGR/system.slice/lrt-pg.service
SLICE=$CGR/lrtdb.slice
WEB=$SLICE/lrt-web.service

# is FILE VALUE: the file reads VALUE (else says what it reads).
is() { v=$(cat "$1"); [ "$v" = "$2" ] || { echo "# $1: '$v', expected '$2'"; return 1; }; }
effective() { sed -n 's/^effective mode=\([^ ]*\).*/\1/p' "$1/memory.local_reclaim.stat"; }
# The command of a unit file's KEY= line, with lrctl where the guest has it.
unit_cmd() { sed -n "s/^$2=//p" "$1" | sed "s|/usr/sbin/lrctl|$LRCTL|; s|^+||"; }
knobs() { cat /sys/kernel/mm/local_reclaim/mode /sys/kernel/mm/local_reclaim/node_reclaim_distance \
	$PG/memory.local_reclaim.* $SLICE/memory.local_reclaim.mode $SLICE/memory.local_reclaim.distance; }
cleanup() {
	rmdir $WEB $SLICE $PG 2>/dev/null
	[ ! -d /sys/kernel/mm/local_reclaim ] || rmmod local_reclaim
}

TAP_PREFIX=lrctl_apply TAP_OUT=/tmp/apply.out
# shellcheck source=tests/lr_tap.sh
. "$(dirname "$0")/lr_tap.sh"

echo "TAP version 13"
requires $LRCTL $MODDIR/local_reclaim.ko $EXTRA/local_reclaim.service $EXTRA/modules-load.conf \
	$EXTRA/service.d-local_reclaim.conf $EXTRA/local_reclaim.conf
echo "1..16"
cleanup
# The cgroups as systemd makes them: a running service in system.slice, a
# slice of its own with a service in it.
echo +memory > $CGR/cgroup.subtree_control
mkdir -p $CGR/system.slice $SLICE
echo +memory > $CGR/system.slice/cgroup.subtree_control
echo +memory > $SLICE/cgroup.subtree_control
mkdir $PG $WEB
cat > /etc/local_reclaim.conf <<'CONF'
# written by lrctl_apply_test
[global]
mode = kswapd
distance = 25

[unit lrt-pg.service]
mode = kswapd,direct
distance = 21

[slice lrtdb.slice]
mode = direct unmap

[unit lrt-absent.service]
mode = off
CONF
# Boot: systemd-modules-load, then local_reclaim.service (ordered after it).
grep -q '^After=.*systemd-modules-load.service' $EXTRA/local_reclaim.service
ok $? unit_runs_after_modules_load
r=0
for m in $(sed 's/#.*//' $EXTRA/modules-load.conf); do
	insmod $MODDIR/$m.ko || r=1
done
[ -d /sys/kernel/mm/local_reclaim ] || r=1
ok $r modules_load_d_loads_the_module
# The shipped example, all commented out, applies as nothing.
"$LRCTL" apply --dry-run --config $EXTRA/local_reclaim.conf > /tmp/apply.out 2>&1
r=$?
grep -q "^nothing in" /tmp/apply.out || r=1
[ $r -eq 0 ] || show "the example configuration:"
ok $r example_configuration_is_valid

cmd=$(unit_cmd $EXTRA/local_reclaim.service ExecStart)
echo "# ExecStart: $cmd"
eval "$cmd" > /tmp/apply.out 2>&1
r=$?
[ $r -eq 0 ] || show "ExecStart exited $r:"
ok $r unit_execstart_succeeds
grep -q "^skipped: \[unit lrt-absent.service\]" /tmp/apply.out
r=$?
[ $r -eq 0 ] || show "no skip reported for a unit that is not running:"
ok $r absent_unit_skipped

is /sys/kernel/mm/local_reclaim/mode kswapd && is /sys/kernel/mm/local_reclaim/node_reclaim_distance 25
ok $? global_entry_applied
is $PG/memory.local_reclaim.mode "kswapd direct" && is $PG/memory.local_reclaim.distance 21
ok $? unit_entry_applied
is $SLICE/memory.local_reclaim.mode "direct unmap" && [ "$(effective $WEB)" = direct,unmap ]
ok $? slice_entry_applied_and_inherited

# The service restarts: systemd removes its cgroup and makes a new one,
# which has none of the settings, until the drop-in's ExecStartPre=.
rmdir $PG && mkdir $PG
is $PG/memory.local_reclaim.mode inherit
ok $? recreated_cgroup_lost_its_settings
cmd=$(unit_cmd $EXTRA/service.d-local_reclaim.conf ExecStartPre | sed 's/%n/lrt-pg.service/')
echo "# ExecStartPre: $cmd"
eval "$cmd" > /tmp/apply.out 2>&1
r=$?
is $PG/memory.local_reclaim.mode "kswapd direct" && is $PG/memory.local_reclaim.distance 21 || r=1
is /sys/kernel/mm/local_reclaim/node_reclaim_distance 25 || r=1
[ $r -eq 0 ] || show "ExecStartPre:"
ok $r execstartpre_restores_the_service

# A service in the slice restarts: inheritance carries the slice's mode.
rmdir $WEB && mkdir $WEB
[ "$(effective $WEB)" = direct,unmap ] && is $WEB/memory.local_reclaim.mode inherit
ok $? slice_carries_a_recreated_service

# The module is reloaded: everything is gone until the unit runs again.
rmmod local_reclaim && insmod $MODDIR/local_reclaim.ko
is /sys/kernel/mm/local_reclaim/mode off > /dev/null && is $PG/memory.local_reclaim.mode inherit > /dev/null
ok $? reload_forgets
eval "$(unit_cmd $EXTRA/local_reclaim.service ExecStart)" > /tmp/apply.out 2>&1
r=$?
is /sys/kernel/mm/local_reclaim/mode kswapd && is $PG/memory.local_reclaim.mode "kswapd direct" &&
	is $SLICE/memory.local_reclaim.mode "direct unmap" || r=1
ok $r execstart_again_after_reload

# A bad file, its mistake last: nothing changes.  A dry run writes nothing.
knobs > /tmp/knobs.before
sed -i 's/^mode = kswapd$/mode = off/' /etc/local_reclaim.conf
printf '[cgroup system.slice]\nmode = sometimes\n' >> /etc/local_reclaim.conf
"$LRCTL" apply > /tmp/apply.out 2>&1
r=$?
knobs | cmp -s - /tmp/knobs.before && [ $r -eq 8 ] && grep -q "local_reclaim.conf:$(wc -l < /etc/local_reclaim.conf):" /tmp/apply.out
r=$?
[ $r -eq 0 ] || show "bad file:"
ok $r bad_file_changes_nothing
sed -i '$d' /etc/local_reclaim.conf
sed -i '$d' /etc/local_reclaim.conf
"$LRCTL" apply --dry-run > /tmp/apply.out 2>&1
r=$?
knobs | cmp -s - /tmp/knobs.before && grep -q "^would set: global mode: kswapd -> off" /tmp/apply.out || r=1
[ $r -eq 0 ] || show "dry run:"
ok $r dry_run_writes_nothing
"$LRCTL" apply > /tmp/apply.out 2>&1 && is /sys/kernel/mm/local_reclaim/mode off
ok $? the_change_applies

rm -f /etc/local_reclaim.conf
cleanup
exit $((failed > 0))
