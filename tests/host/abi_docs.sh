#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Documentation/ABI/testing/: the kernel's own ABI parser
# (tools/docs/get_abi.py validate) accepts the entries, and they name
# exactly the files the module creates: every sysfs attribute and counter
# file of rust/files.c and rust/counters.rs, every cgroup file.
# Usage: abi_docs.sh KSRC (a 7.3 kernel source, for get_abi.py)
set -u
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../../scripts/lib.sh"
ksrc=$1
abi=$LR_TOP/Documentation/ABI
fail=0
out=$(python3 "$ksrc/tools/docs/get_abi.py" -D "$abi" validate 2>&1) || fail=1
# get_abi.py prints its complaints and still exits 0 for some of them.
[ -z "$out" ] || { echo "get_abi.py validate:"; echo "$out"; fail=1; }
# Each What: once, and each entry with Date, Contact and Description.
dups=$(grep -h '^What:' "$abi"/testing/* | sort | uniq -d)
[ -z "$dups" ] || { echo "described twice: $dups"; fail=1; }
for f in "$abi"/testing/*; do
	for k in Date Contact Description; do
		[ "$(grep -c "^$k:" "$f")" -eq "$(awk '/^What:/ && !w { n++ } { w = /^What:/ } END { print n }' "$f")" ] ||
			{ echo "$(basename "$f"): not one $k: per entry"; fail=1; }
	done
done

g=/sys/kernel/mm/local_reclaim
{
	echo "$g/"
	grep -oP '__ATTR_R[OW]+_MODE\(\K\w+' "$LR_TOP/rust/files.c" | sed "s|^|$g/|"
	grep -oP '=> c"\K\w+(?=")' "$LR_TOP/rust/counters.rs" | sed "s|^|$g/stat/|"
	grep -oP '\.name = "\Klocal_reclaim\.\w+(?=")' "$LR_TOP/rust/files.c" | sed 's|^|/sys/fs/cgroup/<cgroup>/memory.|'
} | sort > "${TMPDIR:-/tmp}/abi.$$.files"
grep -h '^What:' "$abi"/testing/* | awk '{ print $2 }' | sort > "${TMPDIR:-/tmp}/abi.$$.what"
d=$(diff "${TMPDIR:-/tmp}/abi.$$.files" "${TMPDIR:-/tmp}/abi.$$.what")
rm -f "${TMPDIR:-/tmp}/abi.$$.files" "${TMPDIR:-/tmp}/abi.$$.what"
[ -z "$d" ] || { echo "files the module creates (<) and What: entries (>) differ:"; echo "$d"; fail=1; }
[ "$(grep -c "stat/" <<< "$(grep -h '^What:' "$abi"/testing/*)")" -ge 7 ] || { echo "fewer than 7 counters"; fail=1; }
exit $fail
