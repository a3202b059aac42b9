#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# scripts/bootstrap's guard: an installed package may be upgraded to a
# stable or security update of the release the system runs, never to
# another release's version (the apt pitfall of ../shared/TOOLCHAIN.md).
set -u
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../../scripts/lib.sh"
fail=0
sim='NOTE: This is only a simulation!
Inst flex (2.6.4-8.2 Debian:12.14/oldstable [amd64])
Inst libcap2 [1:2.66-4+deb12u2+b2] (1:2.66-4+deb12u3+b1 Debian:12.14/oldstable [amd64])
Inst libgst [1.22.0-3+deb12u4] (1.22.0-3+deb12u6 Debian:12.14/oldstable, Debian-Security:12/oldstable-security [amd64])
Inst redis-tools [5:7.0.15-1~deb12u5] (5:7.0.15-1~deb12u7 Debian-Security:12/oldstable-security [amd64])
Inst libc6 [2.36-9+deb12u10] (2.41-12 Debian:13.2/stable [amd64])
Inst dpkg [1.21.22] (1.21.23 Debian:12.14/oldstable, Debian:13.2/stable [amd64])
Inst gcc-14-base [14.2.0-19] (14.2.0-19 Debian:unstable [amd64])
Inst libfoo [1] (2 local:1/x [amd64])
Inst libbar [1] (2 Debian:121.1/x [amd64])
Conf flex (2.6.4-8.2 Debian:12.14/oldstable [amd64])'
want='Inst libc6 [2.36-9+deb12u10] (2.41-12 Debian:13.2/stable [amd64])
Inst dpkg [1.21.22] (1.21.23 Debian:12.14/oldstable, Debian:13.2/stable [amd64])
Inst gcc-14-base [14.2.0-19] (14.2.0-19 Debian:unstable [amd64])
Inst libfoo [1] (2 local:1/x [amd64])
Inst libbar [1] (2 Debian:121.1/x [amd64])'
got=$(printf '%s\n' "$sim" | lr_foreign_upgrades 12)
[ "$got" = "$want" ] || { printf 'release 12: got\n%s\nwant\n%s\n' "$got" "$want"; fail=1; }
# Only the upgrades count: a fresh install from any suite is not one.
got=$(printf '%s\n' 'Inst m4 (1.4.19-3 Debian:13.2/stable [amd64])' | lr_foreign_upgrades 12)
[ -z "$got" ] || { printf 'no upgrades: got\n%s\n' "$got"; fail=1; }
# An unknown release: every upgrade is foreign.
got=$(printf '%s\n' "$sim" | lr_foreign_upgrades "" | wc -l)
[ "$got" -eq 8 ] || { echo "unknown release: $got lines, want 8"; fail=1; }
got=$(printf '%s\n' "$sim" | lr_foreign_upgrades "trixie/sid" | wc -l)
[ "$got" -eq 8 ] || { echo "release trixie/sid: $got lines, want 8"; fail=1; }
exit $fail
