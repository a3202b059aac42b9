#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make install and make uninstall into a scratch DESTDIR: every file in
# its place with its mode, the installed lrctl runs, the man page renders
# without warnings, the unit verifies (where systemd-analyze exists); an
# administrator's edited /etc/local_reclaim.conf survives both a second
# install and uninstall; after uninstall nothing but directories is left.
# Needs what make builds: local_reclaim.ko and tools/build/lrctl.
set -u
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../../scripts/lib.sh"
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
fail=0
say() { echo "$*"; fail=1; }
krel=$(modinfo -F vermagic "$LR_TOP/local_reclaim.ko" | cut -d' ' -f1)
[ -n "$krel" ] || { echo "no kernel release in local_reclaim.ko"; exit 1; }

make -s -C "$LR_TOP" DESTDIR="$d" install > "$d.log" 2>&1 || { cat "$d.log"; say "make install failed"; }
rm -f "$d.log"
while read -r mode path; do
	f=$d$path
	if [ ! -f "$f" ]; then
		say "missing: $path"
	elif [ "$(stat -c %a "$f")" != "$mode" ]; then
		say "$path: mode $(stat -c %a "$f"), expected $mode"
	fi
done <<EOF2
644 /lib/modules/$krel/updates/local_reclaim.ko
755 /usr/sbin/lrctl
644 /usr/share/man/man8/lrctl.8
644 /usr/share/bash-completion/completions/lrctl
644 /usr/share/zsh/vendor-completions/_lrctl
644 /usr/share/fish/vendor_completions.d/lrctl.fish
644 /lib/systemd/system/local_reclaim.service
644 /usr/lib/modules-load.d/local_reclaim.conf
644 /usr/share/doc/local_reclaim/local_reclaim.conf.example
644 /usr/share/doc/local_reclaim/service.d-local_reclaim.conf
644 /etc/local_reclaim.conf
EOF2
cmp -s "$LR_TOP/local_reclaim.ko" "$d/lib/modules/$krel/updates/local_reclaim.ko" || say "the installed module is not local_reclaim.ko"
"$d/usr/sbin/lrctl" --version | grep -q '^lrctl ' || say "the installed lrctl does not run"
grep -qx local_reclaim "$d/usr/lib/modules-load.d/local_reclaim.conf" || say "modules-load.d file does not name local_reclaim"
if command -v groff > /dev/null; then
	w=$(groff -man -Tutf8 -ww -z "$d/usr/share/man/man8/lrctl.8" 2>&1)
	[ -z "$w" ] || say "lrctl.8: groff warns: $w"
fi
if command -v systemd-analyze > /dev/null; then
	# The unit's own directives; a missing /usr/sbin/lrctl is the only
	# complaint allowed (the host need not have it installed).
	w=$(systemd-analyze verify --man=no "$d/lib/systemd/system/local_reclaim.service" 2>&1 |
		grep -v 'Command /usr/sbin/lrctl is not executable')
	[ -z "$w" ] || say "local_reclaim.service: $w"
fi

# The administrator's configuration is theirs.
echo "[global]" > "$d/etc/local_reclaim.conf"
echo "mode = kswapd" >> "$d/etc/local_reclaim.conf"
make -s -C "$LR_TOP" DESTDIR="$d" install > /dev/null 2>&1
grep -q '^mode = kswapd' "$d/etc/local_reclaim.conf" || say "make install overwrote an edited /etc/local_reclaim.conf"
make -s -C "$LR_TOP" DESTDIR="$d" uninstall > /dev/null 2>&1 || say "make uninstall failed"
[ -f "$d/etc/local_reclaim.conf" ] || say "make uninstall removed an edited /etc/local_reclaim.conf"
rm -f "$d/etc/local_reclaim.conf"

# Uninstall after a plain install leaves no file behind.
make -s -C "$LR_TOP" DESTDIR="$d" install > /dev/null 2>&1
make -s -C "$LR_TOP" DESTDIR="$d" uninstall > /dev/null 2>&1 || say "make uninstall failed"
left=$(cd "$d" && find . ! -type d)
[ -z "$left" ] || say "left after make uninstall: $left"
exit $fail
