#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side: the module's KUnit tests and documentation examples.
# Loading local_reclaim_kunit.ko (built from the module's own source files
# with their #[kunit_tests] modules on; see Kbuild) makes KUnit run its
# suites; their results are read back from
# /sys/kernel/debug/kunit/SUITE/results and reported here, one TAP result
# per test case ("kunit.SUITE.CASE").  A suite missing, or with fewer
# cases than its plan, fails.
ko=/opt/local_reclaim/local_reclaim_kunit.ko
debugfs=/sys/kernel/debug/kunit
suites="local_reclaim_rcu_map local_reclaim_counters local_reclaim_state local_reclaim_doctests"
n=0 bad=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); bad=$((bad + 1)); echo "not ok $n $*"; }

if [ ! -f "$ko" ]; then
	echo "1..1"
	echo "not ok 1 kunit # $ko missing: the kernel has no CONFIG_KUNIT=y or the build left it out"
	exit 1
fi
if ! insmod "$ko"; then
	echo "1..1"
	echo "not ok 1 kunit # insmod $ko failed"
	exit 1
fi
for s in $suites; do
	r=$debugfs/$s/results
	if [ ! -r "$r" ]; then
		not_ok "kunit.$s # no $r: the suite did not run"
		continue
	fi
	sed 's/^/#   /' "$r"
	# Test cases are the indented result lines; the suite's plan is the
	# indented 1..N.
	plan=$(sed -n 's/^[[:space:]]\{1,\}1\.\.\([0-9]\{1,\}\)$/\1/p' "$r" | head -n 1)
	seen=0
	while read -r res rest; do
		[ -n "$res" ] || continue
		seen=$((seen + 1))
		case=$(echo "$rest" | sed 's/^[0-9]* //; s/ *#.*$//')
		case "$rest" in
		*"# SKIP"*) ok "kunit.$s.$case # SKIP ${rest#*# SKIP}" ;;
		*) if [ "$res" = ok ]; then ok "kunit.$s.$case"; else not_ok "kunit.$s.$case"; fi ;;
		esac
	done <<EOT
$(sed -n 's/^[[:space:]]\{1,\}\(not ok\|ok\) /\1 /p' "$r" | sed 's/^not ok /not_ok /')
EOT
	if [ -z "$plan" ] || [ "$seen" -lt "$plan" ]; then
		not_ok "kunit.$s.plan # ${seen} of ${plan:-no plan} cases reported"
	fi
done
rmmod local_reclaim_kunit || not_ok "kunit.rmmod"
echo "1..$n"
[ "$bad" -eq 0 ]
