#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Users' own kernels: make KDIR= and make KSRC= build the module against an
# explicitly given tree (the cached one), and trees that cannot work fail
# at once with the reason: no series (KDIR and KSRC), no CONFIG_RUST.  The
# DKMS recipe (dkms.conf) builds the module against KDIR as dkms would.
# Usage: kernel_trees.sh KDIR (the cached, patched build tree)
set -u
. "$(dirname "$0")/../../scripts/lib.sh"
kdir=$1
src=$kdir
[ ! -e "$kdir/source" ] || src=$(readlink -f "$kdir/source")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
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

# The explicit trees build the module (KSRC's is built once, then cached).
make -s -C "$LR_TOP" KDIR="$kdir" module >/dev/null 2>"$tmp/err" ||
	{ say "make KDIR=$kdir module failed:"; tail -n 20 "$tmp/err"; fail=1; }
make -s -C "$LR_TOP" KSRC="$src" module >/dev/null 2>"$tmp/err" ||
	{ say "make KSRC=$src module failed:"; tail -n 20 "$tmp/err"; fail=1; }

# An unpatched build tree: Module.symvers without the series' exports.
mkdir -p "$tmp/unpatched" "$tmp/norust"
cp "$kdir/.config" "$tmp/unpatched/.config"
grep -vP '\t(node_reclaim_policy_\w+|node_reclaim_distance|mm_kobj|cgroup_(add_dfl|rm)_cftypes)\t' \
	"$kdir/Module.symvers" > "$tmp/unpatched/Module.symvers"
want_fail "make KDIR=<unpatched>" "lacks the node reclaim policy series" \
	make -s -C "$LR_TOP" KDIR="$tmp/unpatched" module
# A tree without Rust.
grep -v '^CONFIG_RUST=' "$kdir/.config" > "$tmp/norust/.config"
cp "$kdir/Module.symvers" "$tmp/norust/"
want_fail "make KDIR=<no CONFIG_RUST>" "without CONFIG_RUST" make -s -C "$LR_TOP" KDIR="$tmp/norust" module
# An unpatched source tree: the pristine one.
want_fail "make KSRC=<pristine>" "lacks the node reclaim policy series" \
	make -s -C "$LR_TOP" KSRC="$("$LR_TOP/scripts/fetch-kernel")" module

# DKMS: dkms.conf's MAKE in a copy of the sources, as dkms runs it.
dk=$tmp/dkms/local_reclaim/0.1/build
mkdir -p "$dk"
cp -r "$LR_TOP/Kbuild" "$LR_TOP/rust" "$dk/"
rm -rf "$dk/rust/target"
(
	kernel_source_dir=$kdir dkms_tree=$tmp/dkms LLVM=$LR_LLVM
	# shellcheck source=/dev/null
	. "$LR_TOP/dkms.conf"
	[ "$BUILT_MODULE_NAME" = local_reclaim ] || { echo "dkms.conf: BUILT_MODULE_NAME is '$BUILT_MODULE_NAME'"; exit 1; }
	cd "$dk" && eval "${MAKE[0]}" >"$tmp/dkms.log" 2>&1
) || { say "dkms.conf's MAKE failed:"; tail -n 20 "$tmp/dkms.log" 2>/dev/null; fail=1; }
[ -f "$dk/local_reclaim.ko" ] || { say "dkms.conf's MAKE built no local_reclaim.ko"; fail=1; }

# Leave the module built against the default tree, as the guests expect.
"$LR_TOP/scripts/build-module" >/dev/null || fail=1
exit $fail
