#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# node_table: per-node MemTotal, MemFree, FilePages and AnonPages in MiB,
# from /sys/devices/system/node/node*/meminfo.
printf '%-6s %10s %10s %10s %10s\n' node MemTotal MemFree FilePages AnonPages
for d in /sys/devices/system/node/node[0-9]*; do
	n=${d##*node}
	awk -v n="$n" '
		$3 == "MemTotal:" { t = $4 } $3 == "MemFree:" { f = $4 }
		$3 == "FilePages:" { p = $4 } $3 == "AnonPages:" { a = $4 }
		END { printf "%-6s %10d %10d %10d %10d\n", n, t / 1024, f / 1024, p / 1024, a / 1024 }
	' "$d/meminfo"
done
