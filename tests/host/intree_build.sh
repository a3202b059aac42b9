#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The module dropped into a kernel tree and built in-tree with its Kconfig:
# the project's Kconfig, Kbuild and rust/ copied to mm/local_reclaim/ of
# the cached patched source, sourced from mm/Kconfig and mm/Makefile;
# CONFIG_LOCAL_RECLAIM=m and its KUnit tests' symbol taken by
# olddefconfig; both modules built by 'make mm/local_reclaim/NAME.ko' in
# the cached build tree, and nothing else rebuilt.  The cached
# trees are not modified: inside a mount namespace of its own, the test
# lays an overlay over each (the source and the build directory, at their
# own paths, so that no command line changes and nothing else rebuilds),
# whose upper layers are scratch directories removed at the end.  Also:
# on the pristine source (no series) Kconfig drops the symbol.
# Usage: intree_build.sh KDIR (the cached, patched build tree)
set -u
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../../scripts/lib.sh"
kdir=$(cd "$1" && pwd)
src=$(readlink -f "$kdir/source")
pristine=$("$LR_TOP/scripts/fetch-kernel")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"/{su,sw,ou,ow,pu,pw}

# What a user adds to a kernel tree: the module's directory, two lines.
stage() {	# stage UPPER SRC
	local up=$1 s=$2
	mkdir -p "$up/mm/local_reclaim/rust"
	cp "$LR_TOP/Kconfig" "$LR_TOP/Kbuild" "$up/mm/local_reclaim/"
	cp "$LR_TOP"/rust/*.rs "$LR_TOP"/rust/*.c "$LR_TOP"/rust/*.h "$LR_TOP/rust/gen-doctests" \
		"$up/mm/local_reclaim/rust/"
	# Not the generated doctests.rs of a build here: the tree makes its own.
	rm -f "$up/mm/local_reclaim/rust/host.rs" "$up/mm/local_reclaim/rust/build.rs" \
		"$up/mm/local_reclaim/rust/doctests.rs"
	{ cat "$s/mm/Kconfig"; echo 'source "mm/local_reclaim/Kconfig"'; } > "$up/mm/Kconfig"
	{ cat "$s/mm/Makefile"; echo 'obj-y += local_reclaim/'; } > "$up/mm/Makefile"
}
stage "$tmp/su" "$src"
stage "$tmp/pu" "$pristine"
cp "$kdir/.config" "$tmp/pristine.config"

# shellcheck disable=SC2016
unshare -m bash -c '
	set -e
	kdir=$1 src=$2 tmp=$3 llvm=$4 pristine=$5
	mount -t overlay overlay -o "lowerdir=$src,upperdir=$tmp/su,workdir=$tmp/sw" "$src"
	mount -t overlay overlay -o "lowerdir=$kdir,upperdir=$tmp/ou,workdir=$tmp/ow" "$kdir"
	mount -t overlay overlay -o "lowerdir=$pristine,upperdir=$tmp/pu,workdir=$tmp/pw" "$pristine"
	cd "$kdir"
	mk=(make -s LLVM="$llvm" CC="ccache clang$llvm")
	"$src/scripts/config" --file .config --module LOCAL_RECLAIM --module LOCAL_RECLAIM_KUNIT_TEST
	"${mk[@]}" olddefconfig
	for sym in LOCAL_RECLAIM LOCAL_RECLAIM_KUNIT_TEST; do
		grep -qx "CONFIG_$sym=m" .config || { echo "olddefconfig dropped CONFIG_$sym=m"; exit 1; }
	done
	"${mk[@]}" -j"$(nproc)" mm/local_reclaim/local_reclaim.ko mm/local_reclaim/local_reclaim_kunit.ko \
		> "$tmp/build.log" 2>&1 || { tail -n 30 "$tmp/build.log"; echo "the in-tree build failed"; exit 1; }
	for m in local_reclaim local_reclaim_kunit; do
		modinfo "$kdir/mm/local_reclaim/$m.ko" 2>/dev/null | grep -q "^name: *$m$" ||
			{ echo "no $m.ko built in mm/local_reclaim/"; exit 1; }
	done
	# What rebuilt besides the module: only what the new symbol touches.
	others=$(find "$tmp/ou" -name "*.o" ! -path "*/mm/local_reclaim/*" | sed "s|^$tmp/ou/||")
	[ -z "$others" ] || { echo "objects outside the module rebuilt:"; echo "$others" | head -n 20; exit 1; }

	# A tree without the series: Kconfig must not offer the symbol.
	mkdir "$tmp/pobj"
	cp "$tmp/pristine.config" "$tmp/pobj/.config"
	"$pristine/scripts/config" --file "$tmp/pobj/.config" --module LOCAL_RECLAIM
	make -s -C "$pristine" O="$tmp/pobj" LLVM="$llvm" olddefconfig > /dev/null 2>&1
	! grep -q "^CONFIG_LOCAL_RECLAIM=" "$tmp/pobj/.config" ||
		{ echo "on a tree without the series, CONFIG_LOCAL_RECLAIM stayed set"; exit 1; }
' _ "$kdir" "$src" "$tmp" "$LR_LLVM" "$pristine"
