#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side: run the named selftests in order and pass their TAP through.
# dmesg_test, if named, should come last.  Exit status: number of failing
# programs (0 when all passed).
#
# LR_LRU=mglru|classic: the LRU the programs run with.  Guests boot with
# the multi-gen LRU on, as Debian's kernel does; "classic" switches it off
# at run time (/sys/kernel/mm/lru_gen/enabled) before the first program.
cd /opt/local_reclaim/tests || exit 1
failed=0
lru_file=/sys/kernel/mm/lru_gen/enabled
case "${LR_LRU:-mglru}" in
mglru) want=y ;;
classic) want=n ;;
*) echo "# run_tests.sh: LR_LRU=$LR_LRU: not mglru or classic"; exit 1 ;;
esac
if [ -w "$lru_file" ]; then
	echo "$want" > "$lru_file"
	# Reads back a bitmask of the parts on: 0x0000 is off.
	state=$(cat "$lru_file")
	case "$want/$state" in
	y/0x0000|n/0x*[1-9a-f]*)
		echo "# run_tests.sh: $lru_file reads $state after writing $want"; exit 1 ;;
	esac
	echo "# lru: ${LR_LRU:-mglru} ($lru_file $state)"
	# The switch moves every LRU folio between the two kinds of lists;
	# start the first program from an empty page cache, not from that.
	sync
	echo 3 > /proc/sys/vm/drop_caches
elif [ "$want" = n ]; then
	echo "# lru: classic (no multi-gen LRU in this kernel)"
else
	echo "# run_tests.sh: LR_LRU=mglru but the kernel has no $lru_file"; exit 1
fi
for t in "$@"; do
	echo "# === $t ==="
	if [ ! -x "./$t" ]; then
		echo "1..1"
		echo "not ok 1 $t # program missing from the guest"
		failed=$((failed + 1))
		continue
	fi
	"./$t" 2>&1 || failed=$((failed + 1))
done
exit $failed
