#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# lr_bench: the guest side of the benchmark (scripts/bench boots the guests
# and runs it).  Runs one scenario and prints its raw measurements as
# "@KIND key=value ..." records, with progress lines "[bench N s] ..." on
# the way; tools/bench-report turns the records into the table, the
# results files and the plot.  Every derived figure is computed there.
#
#   lr_bench topology
#   lr_bench filled    [-c CONFIGS] [-s SIZES] [-t THREADS] [-r REPS]
#   lr_bench gate      [-d DISTANCES] [-r REPS]
#   lr_bench neighbour [-t THREADS] [-r REPS]
#   lr_bench overhead  [-s SIZE] [-t THREADS] [-r ROUNDS] [-p PASSES]
#   lr_bench busy      [-s SIZE] [-t THREADS] [-r ROUNDS] [-p PASSES]
#
# filled     node 0 full of clean page cache read by an ordinary task, then
#            an anon workload of SIZE% of node 0 on node 0's CPUs, under
#            each configuration (default: all of them, see apply_config).
# gate       4 nodes (0-1 and 2-3 near, the pairs far apart): most of node
#            0 mlocked by another task, nodes 0 and 1 full of page cache, a
#            40% workload with "kswapd direct" and each distance D.
# neighbour  cgroup B's page cache fills node 0; A (40%) and B (20%) fault
#            anon at the same time, A with the policy off, then with
#            "kswapd direct"; B is always off.
# overhead   a workload that never runs short (SIZE% of an empty node,
#            faulted PASSES times per measurement),
#            with the module unloaded, loaded with every mode off, and
#            loaded with "kswapd direct" for everyone, interleaved.
# busy       the same workload while another tenant (bench_busy, off)
#            keeps node 0's kswapd awake by reading a file bound to node 0
#            over and over: the allocator then asks before any watermark
#            check (the first pass past a node whose kswapd runs).  The
#            measured tenant with the module unloaded, loaded and "off"
#            (never asked), and loaded with "kswapd direct"; interleaved.
set -u
BIN=/opt/local_reclaim/bin
MOD=/opt/local_reclaim/local_reclaim.ko
LR=/sys/kernel/mm/local_reclaim
CG=/sys/fs/cgroup
NODE=/sys/devices/system/node
T0=$(date +%s)

ALL_CONFIGS="default zrm zrm_d10 membind kswapd direct kswapd_direct kswapd_direct_unmap"

progress() { echo "[bench $(($(date +%s) - T0)) s] $*"; }
die() { echo "lr_bench: $*" >&2; exit 1; }
loaded() { [ -d $LR ]; }
load() { loaded || insmod $MOD || die "insmod $MOD failed"; }
unload() { ! loaded || rmmod local_reclaim || die "rmmod local_reclaim failed"; }
put() { echo "$2" > "$1" || die "cannot write '$2' to $1"; }
meminfo_mib() { awk -v f="$2:" '$3 == f { print int($4 / 1024) }' $NODE/node"$1"/meminfo; }
list() { echo "$1" | tr ' ' ','; }

cg_make() { rmdir "$CG/$1" 2>/dev/null; mkdir "$CG/$1" || die "mkdir $CG/$1"; }
cg_drop() { rmdir "$CG/$1" 2>/dev/null || true; }

# Node 0 is where every workload runs; its MemTotal sets the sizes.
TOTAL0=$(meminfo_mib 0 MemTotal)

# NODE's zones' high watermarks together, in MiB (4 KiB pages).
high_mib() {
	awk -v n="$1" '$1 == "Node" { on = ($2 == n ",") } on && $1 == "high" { s += $2 }
		END { print int(s * 4 / 1024) }' /proc/zoneinfo
}

drop_caches() { sync; put /proc/sys/vm/drop_caches 3; }

# Waits (up to ~10 s) until no kswapd has scanned for half a second, so that
# nothing reclaims behind the next measurement.
kswapd_idle() {
	local last=-1 i=0 now
	while [ $i -lt 20 ]; do
		now=$(awk '$1 == "pgscan_kswapd" { print $2 }' /proc/vmstat)
		[ "$now" = "$last" ] && return
		last=$now i=$((i + 1))
		usleep 500000
	done
}

# fill NODE MIB [CGROUP]: read MIB MiB of the scratch file on NODE's CPUs
# as an ordinary task (unbound: once NODE is short the rest spills), from a
# part of the file of NODE's own.
fill() {
	if [ -n "${3:-}" ]; then
		sh -c "echo \$\$ > $CG/$3/cgroup.procs && exec $BIN/fill_node -u -o $(($1 * 1280)) $1 $2" \
			>/dev/null || die "fill_node $1 failed"
	else
		$BIN/fill_node -u -o $(($1 * 1280)) "$1" "$2" >/dev/null || die "fill_node $1 failed"
	fi
}

# snap FILE: the counters a run is measured by.
snap() {
	local d
	{
		awk '$1 ~ /^(pgsteal_kswapd|pgsteal_direct|pgscan_kswapd|pgscan_direct|pageoutrun|numa_miss|numa_foreign)$/ { print }
		     $1 ~ /^allocstall_/ { s += $2 } END { print "allocstall", s }' /proc/vmstat
		for d in $NODE/node[0-9]*; do
			awk -v n="${d##*node}" '$3 == "FilePages:" { print "file_kb" n, $4 }' "$d/meminfo"
		done
	} > "$1"
}

# delta BEFORE AFTER: " key=delta" per counter, file pages before and after.
delta() {
	awk 'NR == FNR { b[$1] = $2; next }
	     $1 ~ /^file_kb/ { n = substr($1, 8); printf " file_before_kb%s=%s file_after_kb%s=%s", n, b[$1], n, $2; next }
	     { printf " %s=%d", $1, $2 - b[$1] }' "$1" "$2"
}

# workload_fields FILE [PREFIX]: anon_fault's report as " key=value".
workload_fields() {
	awk -v p="${2:-}" '
		$1 == "node" { printf " %spages%s=%s", p, $2, $3 }
		$1 == "pages" { printf " %spages=%s", p, $2 }
		$1 == "fault_mib_per_s" { printf " %smib_s=%s", p, $2 }
		$1 == "cg_anon" || $1 == "cg_file" {
			for (i = 2; i <= NF; i++) { split($i, kv, "="); printf " %s%s_bytes%s=%s", p, $1, substr(kv[1], 2), kv[2] }
		}' "$1"
}

# lr_fields CGROUP [PREFIX]: the cgroup's memory.local_reclaim.stat, summed
# over nodes, and its effective distance; nothing without the module.
lr_fields() {
	[ -f "$CG/$1/memory.local_reclaim.stat" ] || return 0
	awk -v p="${2:-}" '
		$1 == "effective" { for (i = 2; i <= NF; i++) if ($i ~ /^distance=/) printf " %seffective_%s", p, $i; next }
		$2 !~ /=/ { printf " %slr_%s=%s", p, $1, $2; next }
		{ s = 0; for (i = 2; i <= NF; i++) { split($i, kv, "="); s += kv[2] } printf " %slr_%s=%d", p, $1, s }
	' "$CG/$1/memory.local_reclaim.stat"
}

# numa_stat_fields CGROUP KEY NAME: " NAME<node>=bytes" for one numa_stat line.
numa_stat_fields() {
	awk -v k="$2" -v name="$3" '$1 == k {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); printf " %s%s=%s", name, substr(kv[1], 2), kv[2] }
	}' "$CG/$1/memory.numa_stat"
}

# The kernel's node_reclaim_distance (only visible through the module).
reclaim_distance() {
	local was=0
	loaded && was=1
	load
	cat $LR/node_reclaim_distance
	[ $was = 1 ] || unload
}

# apply_config CGROUP CONFIG: the machine as CONFIG wants it for CGROUP.
apply_config() {
	put /proc/sys/vm/zone_reclaim_mode 0
	case $2 in
	default|membind) unload ;;
	zrm) unload; put /proc/sys/vm/zone_reclaim_mode 1 ;;
	zrm_d10)	# zone_reclaim_mode with the distance changed through our knob
		load; put $LR/node_reclaim_distance 10; put /proc/sys/vm/zone_reclaim_mode 1 ;;
	kswapd|direct|kswapd_direct|kswapd_direct_unmap)
		load; put "$CG/$1/memory.local_reclaim.mode" "$(echo "$2" | tr _ ' ')" ;;
	*) die "unknown configuration '$2' (one of: $ALL_CONFIGS)" ;;
	esac
}

# The distance that bounds "within D" for CONFIG in CGROUP.
config_distance() {
	case $2 in
	zrm_d10) echo 10 ;;
	kswapd|direct|kswapd_direct|kswapd_direct_unmap)
		awk '$1 == "effective" { for (i = 2; i <= NF; i++) if ($i ~ /^distance=/) print substr($i, 10) }' \
			"$CG/$1/memory.local_reclaim.stat" ;;
	*) echo "$RECLAIM_DISTANCE" ;;
	esac
}

topology() {
	local n rec d i
	n=$(ls -d $NODE/node[0-9]* | wc -l)
	rec="@topology nodes=$n reclaim_distance=$RECLAIM_DISTANCE"
	for d in $NODE/node[0-9]*; do
		i=${d##*node}
		rec="$rec distance$i=$(list "$(cat "$d/distance")") memtotal_mib$i=$(meminfo_mib "$i" MemTotal)"
		rec="$rec cpus$i=$(cat "$d/cpulist")"
	done
	echo "$rec"
}

filled() {
	configs=$ALL_CONFIGS sizes="40 90" threads="1 8" reps=1
	while getopts c:s:t:r: o; do
		case $o in
		c) configs=$OPTARG ;; s) sizes=$OPTARG ;; t) threads=$OPTARG ;; r) reps=$OPTARG ;;
		*) die "filled: bad option" ;;
		esac
	done
	nc=$(echo $configs | wc -w) ns=$(echo $sizes | wc -w) nt=$(echo $threads | wc -w)
	total=$((nc * ns * nt * reps)) k=0
	put /proc/sys/vm/watermark_boost_factor 0
	# Sizes are percentages of what node 0 can give a workload bound to it
	# (MPOL_BIND): its free memory with the page cache dropped, less its
	# zones' high watermarks.  MemTotal would count the initramfs, the
	# kernel's own memory and the min_free_kbytes that khugepaged raises to
	# ~5% of memory with THP: 90% of it does not fit and the bound run is
	# OOM-killed.
	unload
	drop_caches
	kswapd_idle
	CAP0=$(($(meminfo_mib 0 MemFree) - $(high_mib 0)))
	echo "@plan scenario=filled configs=$(list "$configs") sizes=$(list "$sizes") threads=$(list "$threads") reps=$reps capacity_mib=$CAP0"
	r=1
	while [ $r -le "$reps" ]; do
		for s in $sizes; do
			for t in $threads; do
				for c in $configs; do
					k=$((k + 1))
					filled_run "$c" "$s" "$t" "$r" "filled $k/$total: $c, ${s}%, $t thread(s), rep $r"
				done
			done
		done
		r=$((r + 1))
	done
	unload
}

# filled_run CONFIG SIZE THREADS REP LABEL
filled_run() {
	cg_make bench_a
	apply_config bench_a default
	mib=$((CAP0 * $2 / 100))
	progress "$5: filling node 0 with $((TOTAL0 + 64)) MiB of page cache"
	drop_caches
	fill 0 $((TOTAL0 + 64))
	# The same page cache for every configuration: applied after the fill
	# (zone_reclaim_mode would otherwise change how the reader fills).
	apply_config bench_a "$1"
	kswapd_idle
	snap /tmp/before
	bind=
	[ "$1" = membind ] && bind=-b
	progress "$5: $mib MiB of anon from node 0's CPUs"
	$BIN/anon_fault -c $CG/bench_a -n 0 $bind -t "$3" $mib > /tmp/work || die "anon_fault failed"
	# What a woken kswapd goes on reclaiming counts too.
	kswapd_idle
	snap /tmp/after
	echo "@run scenario=filled config=$1 size_pct=$2 threads=$3 rep=$4 node=0 mib=$mib" \
		"distance=$(config_distance bench_a "$1")$(workload_fields /tmp/work)$(delta /tmp/before /tmp/after)$(lr_fields bench_a)"
	apply_config bench_a default
	cg_drop bench_a
}

gate() {
	distances="10 16 32" reps=1
	while getopts d:r: o; do
		case $o in
		d) distances=$OPTARG ;; r) reps=$OPTARG ;; *) die "gate: bad option" ;;
		esac
	done
	[ -d $NODE/node3 ] || die "gate needs 4 nodes"
	echo "@plan scenario=gate configs=default$(for d in $distances; do printf ',d%s' "$d"; done) reps=$reps"
	put /proc/sys/vm/watermark_boost_factor 0
	unload
	cg_make bench_hog
	drop_caches
	# Another task holds all but a quarter of node 0, mlocked.
	free0=$(meminfo_mib 0 MemFree)
	hold=$((free0 - TOTAL0 / 4))
	progress "gate: another task mlocks $hold MiB of node 0"
	$BIN/anon_fault -c $CG/bench_hog -n 0 -b -l -H 36000 $hold >/dev/null &
	hog=$!
	i=0
	while [ $i -lt 600 ] && [ "$(meminfo_mib 0 Mlocked)" -lt $((hold - 8)) ]; do
		usleep 100000
		i=$((i + 1))
	done
	mib=$((TOTAL0 * 40 / 100))
	total=$(( ($(echo $distances | wc -w) + 1) * reps)) k=0 r=1
	while [ "$r" -le "$reps" ]; do
		for gd in default $distances; do
			k=$((k + 1))
			label="gate $k/$total: $([ $gd = default ] && echo "policy off" || echo "kswapd direct, distance $gd"), rep $r"
			cg_make bench_a
			if [ $gd = default ]; then
				unload
			else
				load
				put $CG/bench_a/memory.local_reclaim.mode "kswapd direct"
				put $CG/bench_a/memory.local_reclaim.distance "$gd"
			fi
			progress "$label: filling nodes 0 and 1 with page cache"
			sync
			put /proc/sys/vm/drop_caches 1
			fill 0 $(($(meminfo_mib 0 MemFree) + 64))
			fill 1 $(($(meminfo_mib 1 MemFree) + 64))
			kswapd_idle
			snap /tmp/before
			progress "$label: $mib MiB of anon from node 0's CPUs"
			$BIN/anon_fault -c $CG/bench_a -n 0 $mib > /tmp/work || die "anon_fault failed"
			kswapd_idle
			snap /tmp/after
			dist=$gd
			[ $gd = default ] && dist=$RECLAIM_DISTANCE
			echo "@run scenario=gate config=$([ $gd = default ] && echo default || echo "d$gd") size_pct=40" \
				"threads=1 rep=$r node=0 mib=$mib distance=$dist$(workload_fields /tmp/work)" \
				"$(delta /tmp/before /tmp/after)$(lr_fields bench_a)"
			unload
			cg_drop bench_a
		done
		r=$((r + 1))
	done
	kill $hog
	wait $hog 2>/dev/null
	cg_drop bench_hog
}

neighbour() {
	threads=4 reps=1
	while getopts t:r: o; do
		case $o in
		t) threads=$OPTARG ;; r) reps=$OPTARG ;; *) die "neighbour: bad option" ;;
		esac
	done
	echo "@plan scenario=neighbour configs=off,kswapd_direct reps=$reps"
	put /proc/sys/vm/watermark_boost_factor 0
	amib=$((TOTAL0 * 40 / 100)) bmib=$((TOTAL0 * 20 / 100))
	total=$((2 * reps)) k=0 r=1
	while [ "$r" -le "$reps" ]; do
		for a in off kswapd_direct; do
			k=$((k + 1))
			label="neighbour $k/$total: A $a, B off, rep $r"
			load
			cg_make bench_a
			cg_make bench_b
			put $CG/bench_a/memory.local_reclaim.mode "$(echo $a | tr _ ' ')"
			put $CG/bench_b/memory.local_reclaim.mode off
			progress "$label: B's page cache fills node 0"
			drop_caches
			fill 0 $((TOTAL0 + 64)) bench_b
			kswapd_idle
			b_file=$(numa_stat_fields bench_b file b_file_before_bytes)
			snap /tmp/before
			progress "$label: A faults $amib MiB and B $bmib MiB at once, $threads threads each"
			$BIN/anon_fault -c $CG/bench_a -n 0 -t "$threads" $amib > /tmp/work_a &
			pa=$!
			$BIN/anon_fault -c $CG/bench_b -n 0 -t "$threads" $bmib > /tmp/work_b &
			pb=$!
			wait $pa || die "anon_fault A failed"
			wait $pb || die "anon_fault B failed"
			kswapd_idle
			snap /tmp/after
			echo "@run scenario=neighbour config=$a size_pct=40 threads=$threads rep=$r node=0 mib=$amib" \
				"b_mib=$bmib distance=$(config_distance bench_a kswapd)$(workload_fields /tmp/work_a)" \
				"$(workload_fields /tmp/work_b b_)$b_file$(numa_stat_fields bench_b file b_file_after_bytes)" \
				"$(delta /tmp/before /tmp/after)$(lr_fields bench_a)"
			unload
			cg_drop bench_a
			cg_drop bench_b
		done
		r=$((r + 1))
	done
}

# rate_options NAME PASSES "$@": the options of the rate scenarios
# (overhead, busy) into size, threads, rounds, passes and mib.
rate_options() {
	name=$1 size=40 threads=1 rounds=5 passes=$2
	shift 2
	while getopts s:t:r:p: o; do
		case $o in
		s) size=$OPTARG ;; t) threads=$OPTARG ;; r) rounds=$OPTARG ;; p) passes=$OPTARG ;;
		*) die "$name: bad option" ;;
		esac
	done
	mib=$((TOTAL0 * size / 100))
}

overhead() {
	rate_options overhead 5 "$@"
	echo "@plan scenario=overhead configs=unloaded,off,on rounds=$rounds"
	r=1
	while [ "$r" -le "$rounds" ]; do
		# Each round starts with another variant: no position bias.
		case $((r % 3)) in
		1) order="unloaded off on" ;; 2) order="off on unloaded" ;; *) order="on unloaded off" ;;
		esac
		for v in $order; do
			progress "overhead round $r/$rounds: $v, $passes x $mib MiB that fit in node 0"
			case $v in
			unloaded) unload ;;
			off) unload; load ;;
			on) unload; load; put $LR/mode "kswapd direct" ;;
			esac
			cg_make bench_a
			drop_caches
			# A short unmeasured run first: under TCG, loading a module or
			# flipping a static key rewrites kernel text, and QEMU then
			# retranslates code the first run would pay for.
			$BIN/anon_fault -c $CG/bench_a -n 0 -t "$threads" $((mib / 4 + 1)) > /dev/null ||
				die "anon_fault failed"
			kswapd_idle
			$BIN/anon_fault -c $CG/bench_a -n 0 -t "$threads" -R "$passes" $mib > /tmp/work ||
				die "anon_fault failed"
			echo "@overhead variant=$v round=$r threads=$threads mib=$mib passes=$passes$(workload_fields /tmp/work)"
			cg_drop bench_a
		done
		r=$((r + 1))
	done
	unload
}

busy() {
	rate_options busy 3 "$@"
	echo "@plan scenario=overhead configs=busy_unloaded,busy_off,busy_on rounds=$rounds"
	drop_caches
	cg_make bench_busy
	rm -f /tmp/busy.stop
	sh -c "echo \$\$ > $CG/bench_busy/cgroup.procs
		while [ ! -e /tmp/busy.stop ]; do $BIN/fill_node -o 2048 0 $((TOTAL0 * 2)); done" \
		> /dev/null 2>&1 &
	busy_pid=$!
	sleep 3
	r=1
	while [ "$r" -le "$rounds" ]; do
		case $((r % 3)) in
		1) order="busy_unloaded busy_off busy_on" ;; 2) order="busy_off busy_on busy_unloaded" ;;
		*) order="busy_on busy_unloaded busy_off" ;;
		esac
		for v in $order; do
			progress "busy-kswapd round $r/$rounds: $v, $passes x $mib MiB while another tenant keeps node 0's kswapd busy"
			unload
			[ "$v" = busy_unloaded ] || load
			cg_make bench_a
			[ "$v" != busy_on ] || put $CG/bench_a/memory.local_reclaim.mode "kswapd direct"
			$BIN/anon_fault -c $CG/bench_a -n 0 -t "$threads" $((mib / 4 + 1)) > /dev/null ||
				die "anon_fault failed"
			scan0=$(awk '$1 == "pgscan_kswapd" { print $2 }' $NODE/node0/vmstat)
			$BIN/anon_fault -c $CG/bench_a -n 0 -t "$threads" -R "$passes" $mib > /tmp/work ||
				die "anon_fault failed"
			scan1=$(awk '$1 == "pgscan_kswapd" { print $2 }' $NODE/node0/vmstat)
			echo "@overhead variant=$v round=$r threads=$threads mib=$mib passes=$passes kswapd_scan0=$((scan1 - scan0))$(lr_fields bench_a)$(workload_fields /tmp/work)"
			cg_drop bench_a
		done
		r=$((r + 1))
	done
	touch /tmp/busy.stop
	kill $(pidof fill_node) 2> /dev/null
	wait $busy_pid
	cg_drop bench_busy
	unload
}

[ $# -ge 1 ] || die "usage: lr_bench topology|filled|gate|neighbour|overhead|busy [options]"
[ -f $MOD ] || die "no module at $MOD"
scenario=$1
shift
RECLAIM_DISTANCE=$(reclaim_distance)
case $scenario in
topology|filled|gate|neighbour|overhead|busy) $scenario "$@" ;;
*) die "unknown scenario '$scenario'" ;;
esac
