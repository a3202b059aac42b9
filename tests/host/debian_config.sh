#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Usage: debian_config.sh CONFIG [KSRC]
#
# Checks that the guest kernel's .config (CONFIG) builds memory behaviour as
# Debian's own 7.3 kernel does (linux-config-7.3's amd64 flavour, from
# scripts/fetch-debian-config): compares every option defined in mm/Kconfig
# (and the files it sources) of KSRC, plus the memory options defined
# elsewhere that PATTERNS names.  KSRC defaults to CONFIG's tree's source
# link, else the pristine tree of scripts/fetch-kernel.  Prints each
# difference, then fails on any not in ALLOW below, and on an ALLOW entry
# that no longer differs.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../../scripts/lib.sh"

# The differences that stay ours: one "SYMBOL  reason" a line.  Only what
# does not change how the guests place, reclaim or account memory belongs
# here; anything else is fixed in config/kernel.config instead.
ALLOW='
# The hotplug tests online each hot-added block themselves, into the zone
# they test; Debian onlines at once (auto zone).
CONFIG_MHP_DEFAULT_ONLINE_TYPE_OFFLINE       blocks stay offline until a test onlines them
CONFIG_MHP_DEFAULT_ONLINE_TYPE_ONLINE_AUTO   the other side of the same choice
# Hardware memory errors: MEMORY_FAILURE needs X86_MCE; QEMU reports none.
CONFIG_ARCH_SUPPORTS_MEMORY_FAILURE          selected by X86_MCE, not built
CONFIG_MEMORY_FAILURE                        needs X86_MCE; no machine checks in the guests
CONFIG_HWPOISON_INJECT                       debug module on top of MEMORY_FAILURE
# Soft-dirty tracking needs CHECKPOINT_RESTORE; it only marks PTEs for
# /proc/PID/clear_refs users, none of which the guests run.
CONFIG_MEM_SOFT_DIRTY                        needs CHECKPOINT_RESTORE, not built
# Capabilities selected by x86 or driver features the guests do not build;
# without the feature nothing uses them.
CONFIG_ARCH_HAS_LAZY_MMU_MODE                selected by PARAVIRT_XXL (Xen PV)
CONFIG_ARCH_HAS_USER_SHADOW_STACK            selected by X86_USER_SHADOW_STACK (CET)
CONFIG_ARCH_USES_PG_ARCH_2                   selected by X86_PAT, which needs MTRR
CONFIG_ASYNC_KERNEL_PGTABLE_FREE             selected by IOMMU_SVA
CONFIG_IOMMU_MM_DATA                         selected by IOMMU SVA drivers
CONFIG_MMU_NOTIFIER                          selected by KVM, SGX, Xen and IOMMU drivers
CONFIG_BALLOON                               selected by the balloon drivers; the guests have no balloon
CONFIG_BALLOON_MIGRATION                     depends on BALLOON
CONFIG_FIND_NORMAL_PAGE                      selected by Xen drivers
CONFIG_MAPPING_DIRTY_HELPERS                 selected by vmwgfx
CONFIG_VMAP_PFN                              selected by i915 and xe
# Device memory (pmem, GPUs): no such device in the guests.
CONFIG_ZONE_DEVICE                           device memory; no pmem or GPU in the guests
CONFIG_DEVICE_PRIVATE                        GPU memory; needs ZONE_DEVICE
CONFIG_DEVICE_MIGRATION                      MIGRATION && ZONE_DEVICE
CONFIG_GET_FREE_REGION                       selected by DEVICE_PRIVATE and CXL
CONFIG_HMM_MIRROR                            selected by GPU and RDMA drivers
'

# Memory options outside mm/Kconfig: symbols, or prefixes ending in "*".
PATTERNS='
CONFIG_NUMA* CONFIG_ACPI_NUMA CONFIG_X86_64_ACPI_NUMA CONFIG_NODES_SHIFT
CONFIG_MEMCG* CONFIG_CGROUPS CONFIG_CPUSETS CONFIG_PSI* CONFIG_SWAP
CONFIG_ZSWAP* CONFIG_ZSMALLOC* CONFIG_TRANSPARENT_HUGEPAGE* CONFIG_THP_SWAP
CONFIG_LRU_GEN* CONFIG_DAMON* CONFIG_MEMORY_HOTPLUG* CONFIG_MHP_*
CONFIG_COMPACTION CONFIG_CMA* CONFIG_MIGRATION CONFIG_KSM CONFIG_HUGETLB*
CONFIG_ZONE_DMA* CONFIG_SHUFFLE_PAGE_ALLOCATOR CONFIG_PAGE_REPORTING
CONFIG_DEFERRED_STRUCT_PAGE_INIT CONFIG_PER_VMA_LOCK CONFIG_SCHED_NUMA*
'

[ $# -ge 1 ] && [ $# -le 2 ] || lr_die "usage: $0 CONFIG [KSRC]"
ours=$1
[ -f "$ours" ] || lr_die "$ours: no such config"
if [ $# -eq 2 ]; then
	ksrc=$2
elif [ -e "$(dirname "$ours")/source/mm/Kconfig" ]; then
	ksrc=$(dirname "$ours")/source
else
	ksrc=$("$LR_TOP/scripts/fetch-kernel")
fi
[ -f "$ksrc/mm/Kconfig" ] || lr_die "$ksrc has no mm/Kconfig"
debian=$("$LR_TOP/scripts/fetch-debian-config")

# mm/Kconfig and what it sources from mm/, one level deep is all 7.3 has
# (mm/damon/Kconfig).
kconfigs=("$ksrc/mm/Kconfig")
while read -r f; do
	if [ -f "$ksrc/$f" ]; then kconfigs+=("$ksrc/$f"); fi
done < <(sed -n 's/^[[:space:]]*source[[:space:]]*"\(mm\/[^"]*\)".*/\1/p' "$ksrc/mm/Kconfig")

# One line per symbol compared: "SYMBOL<tab>OURS<tab>DEBIAN", values as
# the .config has them, "n" for "is not set" and for absent.
compare() {
	awk -v patterns="$PATTERNS" -v nk=${#kconfigs[@]} '
	BEGIN { np = split(patterns, pat); OFS = "\t" }
	FNR == 1 { file++ }
	file <= nk {
		if ($1 == "config" || $1 == "menuconfig") want["CONFIG_" $2] = 1
		next
	}
	{
		if (/^CONFIG_[A-Za-z0-9_]+=/) {
			eq = index($0, "=")
			sym = substr($0, 1, eq - 1); val = substr($0, eq + 1)
		} else if (/^# CONFIG_[A-Za-z0-9_]+ is not set$/) {
			sym = $2; val = "n"
		} else {
			next
		}
		if (file == nk + 1) o[sym] = val; else d[sym] = val
		for (i = 1; i <= np; i++) {
			p = pat[i]
			if (p ~ /\*$/ ? index(sym, substr(p, 1, length(p) - 1)) == 1 : sym == p)
				want[sym] = 1
		}
	}
	END {
		for (sym in want)
			print sym, (sym in o ? o[sym] : "n"), (sym in d ? d[sym] : "n")
	}' "${kconfigs[@]}" "$ours" "$debian" | sort
}

table=$(compare)
allowed=$(printf '%s\n' "$ALLOW" | awk 'NF && $1 !~ /^#/ { print $1 }' | sort)
bad=$(printf '%s\n' "$ALLOW" | awk 'NF && $1 !~ /^#/ && (NF < 2 || $1 !~ /^CONFIG_[A-Za-z0-9_]+$/)')
[ -z "$bad" ] || lr_die "ALLOW entries need a symbol and a reason: $bad"
total=$(printf '%s\n' "$table" | grep -c . || true)
diffs=$(printf '%s\n' "$table" | awk -F '\t' '$2 != $3')
ndiff=$(printf '%s\n' "$diffs" | grep -c . || true)
fail=0
while IFS=$'\t' read -r sym o d; do
	[ -n "$sym" ] || continue
	echo "$sym: ours=$o debian=$d"
	grep -qx "$sym" <<< "$allowed" || { echo "  not allow-listed: set it as Debian does in config/kernel.config"; fail=1; }
done <<< "$diffs"
while read -r sym; do
	[ -n "$sym" ] || continue
	printf '%s\n' "$diffs" | grep -q "^$sym"$'\t' ||
		{ echo "$sym: allow-listed but the same as Debian's now; drop it from ALLOW"; fail=1; }
done <<< "$allowed"
[ "$fail" = 0 ] || { echo "$total options compared, $ndiff differences, some not as allowed (Debian: $debian)"; exit 1; }
echo "$total options compared, $ndiff differences, all allow-listed"
