#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Users' own kernels: make KDIR= and make KSRC= build the module against an
# explicitly given tree (the cached one), and trees that cannot work fail
# at once with the reason: no series (KDIR and KSRC), no CONFIG_RUST.  The
# DKMS recipe (dkms.conf) builds the module against KDIR as dkms would.
# No second kernel is built: KSRC= is proven on the cached tree's sources,
# its configuration compared, its build run in a copy of the cached
# tree's objects (KOBJ=).  Everything is built in a copy of the project,
# so make check can run this while guests read the repository's module.
# Usage: kernel_trees.sh KDIR (the cached, patched build tree)
set -u
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../../scripts/lib.sh"
kdir=$1
src=$kdir
[ ! -e "$kdir/source" ] || src=$(readlink -f "$kdir/source")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
top=$tmp/project
mkdir -p "$top"
tar -C "$LR_TOP" --exclude=./.git --exclude=./results --exclude=./tests/build --exclude=./tools/build \
	--exclude=target --exclude='*.ko' --exclude='*.o' --exclude='.*.cmd' -cf - . | tar -C "$top" -xf -
say() { echo "$*"; }

# want_fail WHAT PATTERN CMD...: CMD fails, and says PATTERN.
want_fail() {
	local what=$1 pattern=$2 out
	shift 2
	if out=$("$@" 2>&1); then
		say "$what: succeeded, but must fail"; fail=1
	elif ! grep -q -- "$pattern" <<< "$out"; then
		say "$what: failed without saying '$pattern':"; echo "$out" | tail -n 5; fail=1
	fi
}

# KSRC= without building a second kernel: the configuration it writes
# must be the cached tree's, line for line (same fragment, same code
# path); then a KSRC= build in an output directory that holds a copy of
# the cached tree's objects (KOBJ=) must find nothing to recompile and
# build the module against it.
cfg=$(KSRC=$src KOBJ=$tmp/ksrc-config "$top/scripts/build-kernel" --configure-only 2>"$tmp/err") ||
	{ say "KSRC= configuration failed:"; tail -n 20 "$tmp/err"; fail=1; }
if [ -n "$cfg" ] && ! diff -u <(grep -v '^#' "$kdir/.config") <(grep -v '^#' "$cfg/.config") > "$tmp/cfg.diff"; then
	say "KSRC= writes a configuration that differs from the cached tree's:"; head -n 20 "$tmp/cfg.diff"; fail=1
fi
cp -a "$kdir" "$tmp/ksrc-obj"
stamp=$(stat -c %Y "$tmp/ksrc-obj/mm/page_alloc.o")
make -s -C "$top" KSRC="$src" KOBJ="$tmp/ksrc-obj" module >/dev/null 2>"$tmp/err" ||
	{ say "make KSRC=$src KOBJ=<copy> module failed:"; tail -n 20 "$tmp/err"; fail=1; }
[ "$(stat -c %Y "$tmp/ksrc-obj/mm/page_alloc.o")" = "$stamp" ] ||
	{ say "make KSRC= KOBJ=<copy of the cached tree> recompiled mm/page_alloc.o: its objects were not reused"; fail=1; }
[ -f "$top/local_reclaim.ko" ] && grep -q "$tmp/ksrc-obj" "$top/.local_reclaim.ko.cmd" 2>/dev/null ||
	{ say "make KSRC= KOBJ=<copy> left no local_reclaim.ko linked against the copy"; fail=1; }

# An unpatched build tree: Module.symvers without the series' exports.
mkdir -p "$tmp/unpatched" "$tmp/norust"
cp "$kdir/.config" "$tmp/unpatched/.config"
grep -vP '\t(node_reclaim_policy_\w+|node_reclaim_distance|mm_kobj|cgroup_(add_dfl|rm)_cftypes)\t' \
	"$kdir/Module.symvers" > "$tmp/unpatched/Module.symvers"
want_fail "make KDIR=<unpatched>" "lacks the node reclaim policy series" \
	make -s -C "$top" KDIR="$tmp/unpatched" module
# A tree without Rust.
grep -v '^CONFIG_RUST=' "$kdir/.config" > "$tmp/norust/.config"
cp "$kdir/Module.symvers" "$tmp/norust/"
want_fail "make KDIR=<no CONFIG_RUST>" "without CONFIG_RUST" make -s -C "$top" KDIR="$tmp/norust" module
# An unpatched source tree: the pristine one.
want_fail "make KSRC=<pristine>" "lacks the node reclaim policy series" \
	make -s -C "$top" KSRC="$("$LR_TOP/scripts/fetch-kernel")" module

# DKMS: dkms.conf's MAKE in a copy of the sources, as dkms runs it.
dk=$tmp/dkms/local_reclaim/0.1/build
mkdir -p "$dk"
cp -r "$top/Kbuild" "$top/rust" "$dk/"
rm -rf "$dk/rust/target"
(
	# shellcheck disable=SC2034 # read by dkms.conf
	kernel_source_dir=$kdir dkms_tree=$tmp/dkms LLVM=$LR_LLVM
	# shellcheck source=/dev/null
	. "$top/dkms.conf"
	[ "$BUILT_MODULE_NAME" = local_reclaim ] || { echo "dkms.conf: BUILT_MODULE_NAME is '$BUILT_MODULE_NAME'"; exit 1; }
	cd "$dk" && eval "${MAKE[0]}" >"$tmp/dkms.log" 2>&1
) || { say "dkms.conf's MAKE failed:"; tail -n 20 "$tmp/dkms.log" 2>/dev/null; fail=1; }
[ -f "$dk/local_reclaim.ko" ] || { say "dkms.conf's MAKE built no local_reclaim.ko"; fail=1; }

# KDIR=: the module against the cached tree as it is.
make -s -C "$top" KDIR="$kdir" module >/dev/null 2>"$tmp/err" ||
	{ say "make KDIR=$kdir module failed:"; tail -n 20 "$tmp/err"; fail=1; }
grep -q "$kdir" "$top/.local_reclaim.ko.cmd" 2>/dev/null ||
	{ say "make KDIR=$kdir module left no local_reclaim.ko linked against it"; fail=1; }
exit $fail
