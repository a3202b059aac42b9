#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Busybox ash, which has local as dash has.
# shellcheck shell=dash
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
#   lr_bench apps      [-c CONFIGS] [-w WORKLOADS] [-s SIZE] [-H SECONDS] [-r REPS]
#   lr_bench redis     [-c CONFIGS] [-s SIZE] [-r REPS]
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
# apps       the filled node again, with stress-ng from Debian as the
#            workload (--vm: anonymous, --mmap with --mmap-file: a mapped
#            file on ext4), held SECONDS while it keeps touching its memory;
#            configurations ending in _nb run with NUMA balancing on.
#            Needs run-guest --apps.
# redis      cgroup B reads a big file with dd on node 0's CPUs until node 0
#            is full of its page cache; then redis-server (cgroup A, node
#            0's CPUs) is loaded by redis-benchmark with random keys (-r)
#            to SIZE% of node 0's capacity: where Redis's memory lands, and
#            how much of B's cache node 0 lost.  Needs run-guest --apps.
#
# Configurations: default, zrm (vm.zone_reclaim_mode=1), zrm_d10 (the same
# with node_reclaim_distance 10, through our knob), membind (MPOL_BIND),
# agent (tools/workloads/lr_agent: a user-space agent that asks
# nodeN/reclaim to reclaim before node 0 runs short), damos (a DAMON scheme
# that pages out cold memory of node 0 with a quota goal on node 0's free
# memory), and the module's modes.  The order of configurations changes
# from one cell and repetition to the next (see permute).  Every @run
# records kernel.numa_balancing and how long each wait for kswapd to go
# idle took (idle_before_ms, idle_after_ms; idle_gave_up counts the waits
# that gave up after 10 s).  Raw outputs of each run go between
# "@raw-begin NAME" and "@raw-end" lines (scripts/bench stores them).
set -u
BIN=/opt/local_reclaim/bin
MOD=/opt/local_reclaim/local_reclaim.ko
LR=/sys/kernel/mm/local_reclaim
CG=/sys/fs/cgroup
NODE=/sys/devices/system/node
T0=$(date +%s)

ALL_CONFIGS="default zrm zrm_d10 membind agent damos kswapd direct kswapd_direct kswapd_direct_unmap"
DAMON=/sys/kernel/mm/damon/admin/kdamonds
DAMON_STAT=/sys/module/damon_stat/parameters/enabled

progress() { echo "[bench $(($(date +%s) - T0)) s] $*"; }
die() { echo "lr_bench: $*" >&2; exit 1; }
loaded() { [ -d $LR ]; }
load() { loaded || insmod $MOD || die "insmod $MOD failed"; }
unload() { ! loaded || rmmod local_reclaim || die "rmmod local_reclaim failed"; }
put() { echo "$2" > "$1" || die "cannot write '$2' to $1"; }
meminfo_kb() { awk -v f="$2:" '$3 == f { print $4 }' $NODE/node"$1"/meminfo; }
meminfo_mib() { echo $(($(meminfo_kb "$1" "$2") / 1024)); }
list() { echo "$1" | tr ' ' ','; }

cg_make() { rmdir "$CG/$1" 2>/dev/null; mkdir "$CG/$1" || die "mkdir $CG/$1"; }
cg_drop() { rmdir "$CG/$1" 2>/dev/null || true; }

# Node 0 is where every workload runs; its MemTotal sets the sizes.
TOTAL0=$(meminfo_mib 0 MemTotal)

# wmark_mib NODE WMARK: NODE's zones' WMARK (min, low, high) watermarks
# together, in MiB (4 KiB pages).
wmark_mib() {
	awk -v n="$1" -v w="$2" '$1 == "Node" { on = ($2 == n ",") } on && $1 == w { s += $2 }
		END { print int(s * 4 / 1024) }' /proc/zoneinfo
}
high_mib() { wmark_mib "$1" high; }

drop_caches() { sync; put /proc/sys/vm/drop_caches 3; }

# Hundredths of a second since boot.
uptime_cs() { awk '{ split($1, t, "."); print t[1] * 100 + t[2] }' /proc/uptime; }

# Waits (up to ~10 s) until no kswapd has scanned for half a second, so that
# nothing reclaims behind the next measurement.  IDLE_MS is how long it
# waited; IDLE_GAVE_UP counts the waits that gave up.
IDLE_MS=0 IDLE_GAVE_UP=0
kswapd_idle() {
	local last=-1 i=0 now t0
	t0=$(uptime_cs)
	while [ $i -lt 20 ]; do
		now=$(awk '$1 == "pgscan_kswapd" { print $2 }' /proc/vmstat)
		if [ "$now" = "$last" ]; then
			IDLE_MS=$((($(uptime_cs) - t0) * 10))
			return
		fi
		last=$now i=$((i + 1))
		usleep 500000
	done
	IDLE_MS=$((($(uptime_cs) - t0) * 10))
	IDLE_GAVE_UP=$((IDLE_GAVE_UP + 1))
}

# The settings a run was measured under, for its @run record.
setting_fields() {
	echo " numa_balancing=$(cat /proc/sys/kernel/numa_balancing 2>/dev/null || echo -)" \
		"zone_reclaim_mode=$(cat /proc/sys/vm/zone_reclaim_mode)"
}

# permute "LIST" K: LIST rotated by K places, and reversed when K is odd,
# so that across cells and repetitions no configuration always runs
# first, nor always right after the same other one.
permute() {
	echo "$1" | awk -v k="$2" '{
		n = NF
		for (i = 0; i < n; i++) o[i] = $((i + k) % n + 1)
		s = ""
		for (i = 0; i < n; i++) s = s (i ? " " : "") (k % 2 ? o[n - 1 - i] : o[i])
		print s
	}'
}

# raw NAME FILE...: the files' contents as one raw block of the log, each
# followed by its FILE.nodes (snap's per-node meminfo) when there is one.
raw() {
	local name=$1 f
	shift
	echo "@raw-begin $name"
	for f in "$@"; do
		echo "==> $f <=="
		cat "$f" 2>/dev/null
		[ ! -e "$f.nodes" ] || { echo "==> $f.nodes <=="; cat "$f.nodes"; }
	done
	echo "@raw-end"
}

# fill NODE MIB [CGROUP [dd]]: read MIB MiB of the scratch file on NODE's
# CPUs as an ordinary task (unbound: once NODE is short the rest spills),
# from a part of the file of NODE's own; with "dd", Debian's dd reads it
# (the Redis scenario's neighbour).  Readahead's large folios (up to order
# 9) need free blocks of their order: on a node whose free memory is in
# smaller blocks (after earlier runs) they spill while the node still has
# hundreds of MiB free, and the run would start from a node that is not
# full.  So, once kswapd is idle, the same task reads what the node still
# has free above its low watermark in single pages (fill_node -s), bound
# to the node (even an order-0 read, unbound, went to node 1 with 300 MiB
# of node 0's Normal zone free in blocks of order 0 to 8, after runs that
# woke node 0's kswapd for order 9), from the next part of the file, until
# at most 16 MiB are left above low (4 reads at most).  FILL_FREE_KB0 is
# what node 0 had free after its first read (the @run records carry it);
# the output of every read is in /tmp/fill.out.
FILL_FREE_KB0=-
fill() {
	local cmd="$BIN/fill_node -u -o $(($1 * 1280)) $1 $2" free top at=$(($1 * 1280 + $2)) i=0
	[ "${4:-}" != dd ] ||
		cmd="taskset -c $(cat $NODE/node$1/cpulist) dd if=/mnt/scratch/fill of=/dev/null bs=1M count=$2 skip=$(($1 * 1280))"
	in_cg "${3:-}" "$cmd" > /tmp/fill.out 2>&1 || die "filling node $1 failed: $(cat /tmp/fill.out)"
	[ "$1" != 0 ] || FILL_FREE_KB0=$(meminfo_kb 0 MemFree)
	while [ $i -lt 4 ]; do
		kswapd_idle
		free=$(meminfo_mib "$1" MemFree)
		top=$((free - $(wmark_mib "$1" low)))
		[ "$top" -gt 16 ] || break
		progress "node $1 has $free MiB free after the fill: $top MiB more in single pages, bound to it"
		in_cg "${3:-}" "$BIN/fill_node -s -o $at $1 $top" >> /tmp/fill.out 2>&1 ||
			die "topping up node $1 failed: $(cat /tmp/fill.out)"
		at=$((at + top)) i=$((i + 1))
	done
}

# in_cg CGROUP COMMAND: COMMAND in CGROUP (none: in ours).
in_cg() {
	if [ -n "$1" ]; then
		sh -c "echo \$\$ > $CG/$1/cgroup.procs && exec $2"
	else
		$2
	fi
}

# snap FILE: the counters a run is measured by; every node's whole meminfo
# and /proc/buddyinfo in FILE.nodes, for the raw log (what else holds a
# node that is not full, and in what pieces its free memory is).
snap() {
	local d
	cat $NODE/node[0-9]*/meminfo /proc/buddyinfo > "$1.nodes"
	{
		awk '$1 ~ /^(pgsteal_kswapd|pgsteal_direct|pgscan_kswapd|pgscan_direct|pageoutrun|numa_miss|numa_foreign)$/ { print }
		     $1 ~ /^allocstall_/ { s += $2 } END { print "allocstall", s }' /proc/vmstat
		for d in $NODE/node[0-9]*; do
			awk -v n="${d##*node}" '$3 == "FilePages:" { print "file_kb" n, $4 }
				$3 == "MemFree:" { print "free_kb" n, $4 }' "$d/meminfo"
		done
	} > "$1"
}

# delta BEFORE AFTER: " key=delta" per counter; each node's page cache and
# free memory before and after.
delta() {
	awk 'NR == FNR { b[$1] = $2; next }
	     $1 ~ /^(file|free)_kb/ { split($1, p, "_kb")
		printf " %s_before_kb%s=%s %s_after_kb%s=%s", p[1], p[2], b[$1], p[1], p[2], $2; next }
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

# node_ranges NODE: "START END" (bytes) per run of NODE's memory blocks.
node_ranges() {
	local bs
	bs=$(printf '%d' "0x$(cat /sys/devices/system/memory/block_size_bytes)")
	for b in $NODE/node"$1"/memory[0-9]*; do echo "${b##*memory}"; done | sort -n |
		awk -v bs="$bs" '
			NR == 1 { s = $1; e = $1; next }
			$1 == e + 1 { e = $1; next }
			{ printf "%.0f %.0f\n", s * bs, (e + 1) * bs; s = $1; e = $1 }
			END { if (NR) printf "%.0f %.0f\n", s * bs, (e + 1) * bs }'
}

# The alternatives keep node 0 above its high watermarks plus this margin,
# the agent by polling, DAMOS through its quota goal.
ALT_MARGIN_MIB=32

# damos_start NODE: a DAMON scheme on NODE's physical memory that pages
# out regions not accessed for a second, with a quota goal on NODE's free
# memory (node_mem_free_bp) and the "temporal" tuner: the full quota
# (64 MiB per 100 ms) while the goal is missed, nothing once it is met.
damos_start() {
	local k=$DAMON/0 c t sc i=0 start end bp
	[ -d $DAMON ] || die "no DAMON sysfs interface (CONFIG_DAMON_SYSFS)"
	bp=$((($(high_mib "$1") + ALT_MARGIN_MIB) * 10000 / $(meminfo_mib "$1" MemTotal)))
	# DAMON_STAT (on at boot on Debian's kernels) runs its context
	# exclusively, and DAMON starts no other while it runs (EBUSY): an
	# administrator who wants DAMOS turns it off first, and so do we, for
	# the run only.
	if [ "$(cat $DAMON_STAT 2>/dev/null)" = Y ]; then
		put $DAMON_STAT N
		DAMON_STAT_WAS=Y
	fi
	put $DAMON/nr_kdamonds 1
	put $k/contexts/nr_contexts 1
	c=$k/contexts/0
	put $c/operations paddr
	put $c/targets/nr_targets 1
	t=$c/targets/0/regions
	node_ranges "$1" > /tmp/damon.ranges
	put $t/nr_regions "$(wc -l < /tmp/damon.ranges)"
	while read -r start end; do
		put $t/$i/start "$start"
		put $t/$i/end "$end"
		i=$((i + 1))
	done < /tmp/damon.ranges
	put $c/schemes/nr_schemes 1
	sc=$c/schemes/0
	put $sc/action pageout
	# Every range defaults to 0-0: a region of any size, never accessed,
	# idle for at least 10 aggregation intervals.
	put $sc/access_pattern/sz/min 0
	put $sc/access_pattern/sz/max 18446744073709551615
	put $sc/access_pattern/nr_accesses/min 0
	put $sc/access_pattern/nr_accesses/max 0
	put $sc/access_pattern/age/min 10
	put $sc/access_pattern/age/max 18446744073709551615
	put $sc/quotas/reset_interval_ms 100
	put $sc/quotas/bytes $((64 << 20))
	put $sc/quotas/goal_tuner temporal
	put $sc/quotas/goals/nr_goals 1
	put $sc/quotas/goals/0/target_metric node_mem_free_bp
	put $sc/quotas/goals/0/nid "$1"
	put $sc/quotas/goals/0/target_value "$bp"
	put $k/state on
	DAMOS_BP=$bp
}

# alt_stop: stops the agent or DAMOS if one runs; their figures go to
# /tmp/alt.fields (" key=value") and their output to /tmp/alt.out.
AGENT_PID='' DAMOS_BP='' DAMON_STAT_WAS=''
alt_stop() {
	local sc=$DAMON/0/contexts/0/schemes/0
	: > /tmp/alt.fields
	if [ -n "$AGENT_PID" ]; then
		kill "$AGENT_PID"
		wait "$AGENT_PID"
		AGENT_PID=
		awk '$1 == "node" { for (i = 3; i <= NF; i++) printf " agent_%s", $i }' /tmp/alt.out \
			> /tmp/alt.fields
	fi
	if [ -n "$DAMOS_BP" ]; then
		put $DAMON/0/state update_schemes_stats
		{
			echo "target_value $DAMOS_BP"
			for f in nr_tried sz_tried nr_applied sz_applied qt_exceeds; do
				echo "$f $(cat $sc/stats/$f)"
			done
		} > /tmp/alt.out
		put $DAMON/0/state off
		DAMOS_BP=
		if [ -n "$DAMON_STAT_WAS" ]; then
			put $DAMON_STAT "$DAMON_STAT_WAS"
			DAMON_STAT_WAS=
		fi
		awk '{ printf " damos_%s=%s", $1, $2 }' /tmp/alt.out > /tmp/alt.fields
	fi
}

# apply_config CGROUP CONFIG: the machine as CONFIG wants it for CGROUP.
# CONFIG_nb: CONFIG with NUMA balancing on.
apply_config() {
	alt_stop
	: > /tmp/alt.out
	put /proc/sys/vm/zone_reclaim_mode 0
	case $2 in
	*_nb) put /proc/sys/kernel/numa_balancing 1 ;;
	*) [ ! -w /proc/sys/kernel/numa_balancing ] || put /proc/sys/kernel/numa_balancing 0 ;;
	esac
	case ${2%_nb} in
	default|membind) unload ;;
	off) load; put "$CG/$1/memory.local_reclaim.mode" off ;;
	zrm) unload; put /proc/sys/vm/zone_reclaim_mode 1 ;;
	zrm_d10)	# zone_reclaim_mode with the distance changed through our knob
		load; put $LR/node_reclaim_distance 10; put /proc/sys/vm/zone_reclaim_mode 1 ;;
	agent)
		unload
		$BIN/lr_agent -m $ALT_MARGIN_MIB 0 > /tmp/alt.out &
		AGENT_PID=$! ;;
	damos) unload; damos_start 0 ;;
	kswapd|direct|kswapd_direct|kswapd_direct_unmap)
		load; put "$CG/$1/memory.local_reclaim.mode" "$(echo "${2%_nb}" | tr _ ' ')" ;;
	*) die "unknown configuration '$2' (one of: $ALL_CONFIGS, any of them with _nb)" ;;
	esac
}

# The distance that bounds "within D" for CONFIG in CGROUP.
config_distance() {
	case ${2%_nb} in
	zrm_d10) echo 10 ;;
	off|kswapd|direct|kswapd_direct|kswapd_direct_unmap)
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
	configs=$ALL_CONFIGS sizes="40 90" threads="1 8" reps=1 name=filled
	while getopts c:s:t:r:n: o; do
		case $o in
		c) configs=$OPTARG ;; s) sizes=$OPTARG ;; t) threads=$OPTARG ;; r) reps=$OPTARG ;;
		n) name=$OPTARG ;;
		*) die "filled: bad option" ;;
		esac
	done
	nc=$(echo $configs | wc -w) ns=$(echo $sizes | wc -w) nt=$(echo $threads | wc -w)
	total=$((nc * ns * nt * reps)) k=0 cell=0
	put /proc/sys/vm/watermark_boost_factor 0
	capacity
	echo "@plan scenario=$name configs=$(list "$configs") sizes=$(list "$sizes") threads=$(list "$threads") reps=$reps capacity_mib=$CAP0"
	r=1
	while [ $r -le "$reps" ]; do
		for s in $sizes; do
			for t in $threads; do
				for c in $(permute "$configs" $cell); do
					k=$((k + 1))
					filled_run "$c" "$s" "$t" "$r" "$name $k/$total: $c, ${s}%, $t thread(s), rep $r" "$name"
				done
				cell=$((cell + 1))
			done
		done
		r=$((r + 1))
	done
	unload
}

# Sizes are percentages of what node 0 can give a workload bound to it
# (MPOL_BIND): its free memory with the page cache dropped, less its zones'
# high watermarks.  MemTotal would count the initramfs, the kernel's own
# memory and the min_free_kbytes that khugepaged raises to ~5% of memory
# with THP: 90% of it does not fit and the bound run is OOM-killed.
capacity() {
	unload
	drop_caches
	kswapd_idle
	CAP0=$(($(meminfo_mib 0 MemFree) - $(high_mib 0)))
}

# fill_and_apply CGROUP CONFIG LABEL [FILLER_CGROUP [dd]]: node 0 full of
# clean page cache read by an ordinary task (fill), then CONFIG applied for
# CGROUP (after the fill: zone_reclaim_mode would otherwise change how the
# reader fills, and every configuration starts from the same page cache),
# with the filler, a neighbour, always off when the module is loaded; then
# a wait for kswapd to go idle (IDLE_BEFORE_MS).
fill_and_apply() {
	progress "$3: ${5:-fill_node}${4:+ in $4} fills node 0 with $((TOTAL0 + 64)) MiB of page cache"
	drop_caches
	fill 0 $((TOTAL0 + 64)) ${4:+"$4"} ${5:+"$5"}
	apply_config "$1" "$2"
	[ -z "${4:-}" ] || [ ! -f "$CG/$4/memory.local_reclaim.mode" ] ||
		put "$CG/$4/memory.local_reclaim.mode" off
	kswapd_idle
	IDLE_BEFORE_MS=$IDLE_MS
}

# The fields every placement @run carries after its measurement.
run_fields() {
	echo "$(setting_fields) fill_free_kb0=$FILL_FREE_KB0" \
		"idle_before_ms=$IDLE_BEFORE_MS idle_after_ms=$IDLE_MS" \
		"idle_gave_up=$IDLE_GAVE_UP$(cat /tmp/alt.fields)"
}

# filled_run CONFIG SIZE THREADS REP LABEL SCENARIO
filled_run() {
	cg_make bench_a
	apply_config bench_a default
	mib=$((CAP0 * $2 / 100))
	fill_and_apply bench_a "$1" "$5"
	snap /tmp/before
	bind=
	[ "${1%_nb}" = membind ] && bind=-b
	progress "$5: $mib MiB of anon from node 0's CPUs"
	$BIN/anon_fault -c $CG/bench_a -n 0 $bind -t "$3" $mib > /tmp/work || die "anon_fault failed"
	# What a woken kswapd goes on reclaiming counts too.
	kswapd_idle
	snap /tmp/after
	alt_stop
	echo "@run scenario=$6 config=$1 size_pct=$2 threads=$3 rep=$4 node=0 mib=$mib" \
		"distance=$(config_distance bench_a "$1")$(workload_fields /tmp/work)$(delta /tmp/before /tmp/after)" \
		"$(lr_fields bench_a)$(run_fields)"
	raw "$6-$1-$2pct-$3t-rep$4" /tmp/work /tmp/before /tmp/after /tmp/alt.out
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
		for gd in $(permute "default $distances" $((r - 1))); do
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
			IDLE_BEFORE_MS=$IDLE_MS
			: > /tmp/alt.fields
			snap /tmp/before
			progress "$label: $mib MiB of anon from node 0's CPUs"
			$BIN/anon_fault -c $CG/bench_a -n 0 $mib > /tmp/work || die "anon_fault failed"
			kswapd_idle
			snap /tmp/after
			dist=$gd
			[ $gd = default ] && dist=$RECLAIM_DISTANCE
			echo "@run scenario=gate config=$([ $gd = default ] && echo default || echo "d$gd") size_pct=40" \
				"threads=1 rep=$r node=0 mib=$mib distance=$dist$(workload_fields /tmp/work)" \
				"$(delta /tmp/before /tmp/after)$(lr_fields bench_a)$(run_fields)"
			raw "gate-$gd-rep$r" /tmp/work /tmp/before /tmp/after
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
	threads=4 reps=1 configs="off kswapd_direct agent damos"
	while getopts c:t:r: o; do
		case $o in
		c) configs=$OPTARG ;; t) threads=$OPTARG ;; r) reps=$OPTARG ;; *) die "neighbour: bad option" ;;
		esac
	done
	echo "@plan scenario=neighbour configs=$(list "$configs") reps=$reps"
	put /proc/sys/vm/watermark_boost_factor 0
	amib=$((TOTAL0 * 40 / 100)) bmib=$((TOTAL0 * 20 / 100))
	total=$(($(echo $configs | wc -w) * reps)) k=0 r=1
	while [ "$r" -le "$reps" ]; do
		for a in $(permute "$configs" $((r - 1))); do
			k=$((k + 1))
			label="neighbour $k/$total: A $a, B off, rep $r"
			unload
			cg_make bench_a
			cg_make bench_b
			fill_and_apply bench_a "$a" "$label" bench_b
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
			alt_stop
			echo "@run scenario=neighbour config=$a size_pct=40 threads=$threads rep=$r node=0 mib=$amib" \
				"b_mib=$bmib distance=$(config_distance bench_a "$a")$(workload_fields /tmp/work_a)" \
				"$(workload_fields /tmp/work_b b_)$b_file$(numa_stat_fields bench_b file b_file_after_bytes)" \
				"$(delta /tmp/before /tmp/after)$(lr_fields bench_a)$(run_fields)"
			raw "neighbour-$a-rep$r" /tmp/work_a /tmp/work_b /tmp/before /tmp/after /tmp/alt.out
			apply_config bench_a default
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
	# shellcheck disable=SC2046 # one pid a word
	kill $(pidof fill_node) 2> /dev/null
	wait $busy_pid
	cg_drop bench_busy
	unload
}

# pid_fields FILE: pid_pages's report of KIND ("anon", "file" or "all") as
# " pages<N>=... pages=...".
pid_fields() {
	awk -v k="$2" '($1 == k || (k == "all" && ($1 == "anon" || $1 == "file"))) && NF == 3 {
			n[$2] += $3; t += $3 }
		END { for (i in n) printf " pages%s=%d", i, n[i]; printf " pages=%d", t }' "$1"
}

# numastat_fields FILE: the "Total" row of numastat -p, MiB per node.
numastat_fields() {
	awk '$1 == "Total" && NF > 2 { for (i = 2; i < NF; i++) printf " numastat_mib%d=%s", i - 2, $i }' "$1"
}

# cg_fields CGROUP KEY: one memory.numa_stat line as " cg_bytes<N>=...".
cg_fields() { numa_stat_fields "$1" "$2" cg_bytes; }

# cg_mib CGROUP: the cgroup's memory.current in MiB.
cg_mib() { echo $(($(cat "$CG/$1/memory.current") >> 20)); }

need_apps() {
	command -v stress-ng > /dev/null && command -v redis-server > /dev/null &&
		command -v numastat > /dev/null || die "$1 needs Debian's programs: run-guest --apps"
}

apps() {
	configs="default zrm membind agent damos kswapd_direct default_nb kswapd_direct_nb"
	workloads="vm mmap" size=40 hold=15 reps=1
	while getopts c:w:s:H:r: o; do
		case $o in
		c) configs=$OPTARG ;; w) workloads=$OPTARG ;; s) size=$OPTARG ;; H) hold=$OPTARG ;;
		r) reps=$OPTARG ;; *) die "apps: bad option" ;;
		esac
	done
	need_apps apps
	put /proc/sys/vm/watermark_boost_factor 0
	capacity
	for w in $workloads; do
		echo "@plan scenario=apps_$w configs=$(list "$configs") sizes=$size threads=1 reps=$reps capacity_mib=$CAP0"
	done
	total=$(($(echo $configs | wc -w) * $(echo $workloads | wc -w) * reps)) k=0 cell=0 r=1
	while [ "$r" -le "$reps" ]; do
		for w in $workloads; do
			for c in $(permute "$configs" $cell); do
				k=$((k + 1))
				apps_run "$c" "$w" "$size" "$hold" "$r" "apps $k/$total: stress-ng --$w, $c, ${size}%, rep $r"
			done
			cell=$((cell + 1))
		done
		r=$((r + 1))
	done
	unload
}

# apps_run CONFIG WORKLOAD SIZE HOLD REP LABEL
apps_run() {
	local mib pre='' args sp t0 t1 i best=-1 n cg pp
	mib=$((CAP0 * $3 / 100))
	cg_make bench_a
	apply_config bench_a default
	fill_and_apply bench_a "$1" "$6"
	snap /tmp/before
	[ "${1%_nb}" = membind ] && pre="numactl --membind=0"
	# --no-madvise: stress-ng otherwise gives each mapping a random
	# madvise() advice, which decides between huge pages and not (--vm)
	# and whether readahead runs (--mmap) from one run to the next.
	case $2 in
	vm) args="--vm 1 --vm-bytes ${mib}M --vm-keep --no-madvise" ;;
	mmap) args="--mmap 1 --mmap-bytes ${mib}M --mmap-file --no-madvise --temp-path /mnt/scratch" ;;
	*) die "apps: unknown workload '$2' (vm or mmap)" ;;
	esac
	progress "$6: stress-ng $args on node 0's CPUs, held ${4} s"
	t0=$(uptime_cs)
	sh -c "echo \$\$ > $CG/bench_a/cgroup.procs &&
		exec $pre stress-ng $args --taskset $(cat $NODE/node0/cpulist) --timeout 600s --metrics-brief" \
		> /tmp/stress.out 2>&1 &
	sp=$!
	# Resident: the cgroup holds 95% of the size (anon, or the mapped file).
	i=0
	while [ "$(cg_mib bench_a)" -lt $((mib * 95 / 100)) ] && [ $i -lt 1200 ]; do
		kill -0 $sp 2>/dev/null || die "stress-ng exited: $(cat /tmp/stress.out)"
		usleep 100000
		i=$((i + 1))
	done
	t1=$(uptime_cs)
	sleep "$4"
	# The mmap stressor maps and unmaps in a loop: of three samples, the
	# one that saw the most pages mapped.
	for i in 1 2 3; do
		# shellcheck disable=SC2046 # one pid a word
		$BIN/pid_pages $(cat $CG/bench_a/cgroup.procs) > /tmp/pp.$i 2>/dev/null || : > /tmp/pp.$i
		n=$(awk '$1 == "anon_pages" || $1 == "file_pages" { t += $2 } END { print t + 0 }' /tmp/pp.$i)
		[ "$n" -le "$best" ] || { best=$n; cp /tmp/pp.$i /tmp/pp; }
		[ "$2" = mmap ] || break
		usleep 300000
	done
	# shellcheck disable=SC2046 # one pid a word
	numastat -p $(cat $CG/bench_a/cgroup.procs) > /tmp/numastat 2>&1
	cat $CG/bench_a/memory.numa_stat > /tmp/numa_stat
	# The workload's memory: anonymous for --vm; the mapped file (and the
	# stressor's own anonymous pages) for --mmap.
	if [ "$2" = vm ]; then
		cg=$(cg_fields bench_a anon) pp=$(pid_fields /tmp/pp anon)
	else
		cg=$(cg_fields bench_a file) pp=$(pid_fields /tmp/pp all)
	fi
	kill $sp
	wait $sp 2>/dev/null
	kswapd_idle
	snap /tmp/after
	alt_stop
	echo "@run scenario=apps_$2 config=$1 size_pct=$3 threads=1 rep=$5 node=0 mib=$mib" \
		"distance=$(config_distance bench_a "$1")$pp" \
		"mib_s=$((mib * 100 / (t1 - t0 + 1)))$cg$(numastat_fields /tmp/numastat)" \
		"$(delta /tmp/before /tmp/after)$(lr_fields bench_a)$(run_fields)"
	raw "apps_$2-$1-rep$5" /tmp/fill.out /tmp/stress.out /tmp/pp /tmp/numastat /tmp/numa_stat /tmp/before /tmp/after /tmp/alt.out
	rm -f /mnt/scratch/tmp-stress-ng-* 2>/dev/null
	apply_config bench_a default
	cg_drop bench_a
}

# redis_rps FILE: requests per second of redis-benchmark -q's last report.
redis_rps() { tr '\r' '\n' < "$1" | awk '/requests per second/ { v = $2 } END { print v + 0 }'; }

redis() {
	configs="default zrm membind agent damos kswapd_direct" size=60 reps=1
	while getopts c:s:r: o; do
		case $o in
		c) configs=$OPTARG ;; s) size=$OPTARG ;; r) reps=$OPTARG ;; *) die "redis: bad option" ;;
		esac
	done
	need_apps redis
	put /proc/sys/vm/watermark_boost_factor 0
	capacity
	echo "@plan scenario=redis configs=$(list "$configs") sizes=$size threads=1 reps=$reps capacity_mib=$CAP0"
	total=$(($(echo $configs | wc -w) * reps)) k=0 r=1
	while [ "$r" -le "$reps" ]; do
		for c in $(permute "$configs" $((r - 1))); do
			k=$((k + 1))
			redis_run "$c" "$size" "$r" "redis $k/$total: $c, ${size}%, rep $r"
		done
		r=$((r + 1))
	done
	unload
}

# redis_run CONFIG SIZE REP LABEL
redis_run() {
	local mib keys val=4000 pre='' rp i set_rps get_rps cpus0 cpus1
	mib=$((CAP0 * $2 / 100))
	# ~5 KiB a key: the value in jemalloc's 4 KiB class, the key, its
	# object and the dict entry.
	keys=$((mib * 1024 / 5))
	cpus0=$(cat $NODE/node0/cpulist) cpus1=$(cat $NODE/node1/cpulist)
	unload
	cg_make bench_a
	cg_make bench_b
	fill_and_apply bench_a "$1" "$4" bench_b dd
	b_file=$(numa_stat_fields bench_b file b_file_before_bytes)
	snap /tmp/before
	[ "${1%_nb}" = membind ] && pre="numactl --membind=0"
	rm -f /tmp/redis.sock
	sh -c "echo \$\$ > $CG/bench_a/cgroup.procs &&
		exec $pre taskset -c $cpus0 redis-server --port 0 --unixsocket /tmp/redis.sock \
			--save '' --appendonly no --dir /tmp --daemonize no" > /tmp/redis.log 2>&1 &
	rp=$!
	i=0
	until [ "$(redis-cli -s /tmp/redis.sock ping 2>/dev/null)" = PONG ]; do
		[ $i -lt 300 ] && kill -0 $rp 2>/dev/null || die "redis-server did not start: $(cat /tmp/redis.log)"
		usleep 100000
		i=$((i + 1))
	done
	progress "$4: redis-benchmark SETs $((keys * 2)) random keys of $keys, $val-byte values (~$mib MiB)"
	t0=$(uptime_cs)
	taskset -c "$cpus1" redis-benchmark -s /tmp/redis.sock -t set -r $keys -n $((keys * 2)) -d $val -P 16 -q \
		> /tmp/redis_set.out 2>&1 || die "redis-benchmark failed: $(cat /tmp/redis_set.out)"
	t1=$(uptime_cs)
	taskset -c "$cpus1" redis-benchmark -s /tmp/redis.sock -t get -r $keys -n $keys -d $val -P 16 -q \
		> /tmp/redis_get.out 2>&1 || die "redis-benchmark failed: $(cat /tmp/redis_get.out)"
	set_rps=$(redis_rps /tmp/redis_set.out) get_rps=$(redis_rps /tmp/redis_get.out)
	$BIN/pid_pages $rp > /tmp/pp || die "pid_pages $rp failed"
	numastat -p $rp > /tmp/numastat 2>&1
	redis-cli -s /tmp/redis.sock info memory | tr -d '\r' > /tmp/redis_info
	cat $CG/bench_a/memory.numa_stat > /tmp/numa_stat
	cg=$(cg_fields bench_a anon)
	b_after=$(numa_stat_fields bench_b file b_file_after_bytes)
	redis-cli -s /tmp/redis.sock shutdown nosave > /dev/null 2>&1
	wait $rp 2>/dev/null
	kswapd_idle
	snap /tmp/after
	alt_stop
	echo "@run scenario=redis config=$1 size_pct=$2 threads=1 rep=$3 node=0 mib=$mib" \
		"distance=$(config_distance bench_a "$1")$(pid_fields /tmp/pp anon)" \
		"mib_s=$(awk -v r="$set_rps" -v v=$val 'BEGIN { printf "%.1f", r * v / 1048576 }')" \
		"set_rps=$set_rps get_rps=$get_rps set_s=$(((t1 - t0) / 100)) keys=$keys" \
		"used_memory_mib=$(awk -F: '$1 == "used_memory" { print int($2 / 1048576) }' /tmp/redis_info)" \
		"$cg$(numastat_fields /tmp/numastat)$b_file$b_after" \
		"$(delta /tmp/before /tmp/after)$(lr_fields bench_a)$(run_fields)"
	raw "redis-$1-rep$3" /tmp/fill.out /tmp/redis_set.out /tmp/redis_get.out /tmp/pp /tmp/numastat \
		/tmp/redis_info /tmp/numa_stat /tmp/before /tmp/after /tmp/alt.out /tmp/redis.log
	apply_config bench_a default
	cg_drop bench_a
	cg_drop bench_b
}

[ $# -ge 1 ] || die "usage: lr_bench topology|filled|gate|neighbour|overhead|busy|apps|redis [options]"
[ -f $MOD ] || die "no module at $MOD"
scenario=$1
shift
RECLAIM_DISTANCE=$(reclaim_distance)
case $scenario in
topology|filled|gate|neighbour|overhead|busy|apps|redis) $scenario "$@" ;;
*) die "unknown scenario '$scenario'" ;;
esac
