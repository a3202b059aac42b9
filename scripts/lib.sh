# SPDX-License-Identifier: GPL-2.0
# Its settings are read by the scripts that source it.
# shellcheck shell=bash disable=SC2034
# Shared settings for the project's scripts: cache location, toolchain
# pins and small helpers.  Sourced, never executed.

LR_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LR_CACHE=${LR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/local_reclaim}

# Toolchain pins (see ../shared/TOOLCHAIN.md and Documentation/testing.rst).
LR_KSERIES=7.3
LR_KPKG=linux-source-$LR_KSERIES
LR_KSUITE=${LR_KSUITE:-trixie-backports}
LR_LLVM=-19
LR_BINDGEN_VERSION=0.72.1
# Kernel builds: one job more than cores keeps both busy through I/O.
LR_JOBS=${LR_JOBS:-$(($(nproc) + 1))}

export CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}
export PATH="$CARGO_HOME/bin:$PATH"
export LIBCLANG_PATH=${LIBCLANG_PATH:-/usr/lib/llvm${LR_LLVM}/lib}
export CCACHE_DIR=${CCACHE_DIR:-$LR_CACHE/ccache}
# Kernel trees (kernel/<key>/{src,build}, series/{src,build}) have their
# sources at ../src from the build directory: with the base directory at
# the cache's root ccache sees the same relative paths and shares objects.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$LR_CACHE}
export CCACHE_NOHASHDIR=true

lr_log() { printf '[local_reclaim %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
lr_die() { printf 'local_reclaim: error: %s\n' "$*" >&2; exit 1; }
lr_need() {
	command -v "$1" >/dev/null 2>&1 ||
		lr_die "'$1' is missing; run 'make bootstrap' (as root) or install it: $2"
}

# The project's private apt configuration: Debian's $LR_KSUITE at the
# mirror the machine already uses, with its own sources list, lists, status
# and archives under $LR_APT_ROOT; the system's apt state is never touched.
LR_APT_ROOT=$LR_CACHE/apt

# lr_apt_mirror: the mirror the machine already uses for Debian (deb822 or
# one-line form); deb.debian.org when it names none.
lr_apt_mirror() {
	local f uri
	for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		uri=$(sed -n -e 's/^URIs:[[:space:]]*\([^[:space:]]*\/debian\/\?\)[[:space:]]*$/\1/p' \
			     -e 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]*\/debian\/\?\)[[:space:]].*/\2/p' "$f" | head -n1)
		[ -n "$uri" ] && { echo "$uri"; return 0; }
	done
	echo http://deb.debian.org/debian
}

# lr_private_apt: sets up $LR_APT_ROOT (its directories, an empty status
# file, a sources list naming $LR_KSUITE main at lr_apt_mirror's URI), sets
# LR_APT_URI to that URI and fills the array LR_APT_OPTS with the options
# that point apt-get at it.  Dies without Debian's archive keyring.  Call it
# directly, not in $(...): it sets variables and may exit.
lr_private_apt() {
	local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	mkdir -p "$LR_APT_ROOT"/{lists/partial,archives/partial,etc/preferences.d}
	: > "$LR_APT_ROOT/status"
	LR_APT_URI=$(lr_apt_mirror)
	[ -r "$keyring" ] || lr_die "$keyring is missing; apt-get install debian-archive-keyring"
	echo "deb [signed-by=$keyring] $LR_APT_URI $LR_KSUITE main" > "$LR_APT_ROOT/etc/sources.list"
	LR_APT_OPTS=(-o "Dir::Etc::SourceList=$LR_APT_ROOT/etc/sources.list"
		     -o "Dir::Etc::SourceParts=/dev/null"
		     -o "Dir::Etc::Preferences=/dev/null"
		     -o "Dir::Etc::PreferencesParts=$LR_APT_ROOT/etc/preferences.d"
		     -o "Dir::State::Lists=$LR_APT_ROOT/lists"
		     -o "Dir::State::status=$LR_APT_ROOT/status"
		     -o "Dir::Cache=$LR_APT_ROOT"
		     -o "Dir::Cache::Archives=$LR_APT_ROOT/archives"
		     -o "APT::Get::List-Cleanup=0"
		     -o "Debug::NoLocking=1"
		     -o "APT::Sandbox::User=root")
}

# lr_series_patches: the kernel series' patch files in order, one path a
# line, as patches/series names them (comments and blank lines skipped).
# Fails when the series names a file that does not exist.
lr_series_patches() {
	local p
	[ -f "$LR_TOP/patches/series" ] || return 0
	while read -r p; do
		p=${p%%#*}
		p=${p%"${p##*[![:space:]]}"}
		[ -n "$p" ] || continue
		[ -f "$LR_TOP/patches/$p" ] || lr_die "patches/series names $p, which does not exist"
		echo "$LR_TOP/patches/$p"
	done < "$LR_TOP/patches/series"
}

# lr_foreign_upgrades RELEASE: of the "Inst" lines of an apt-get -s run on
# stdin, prints those that upgrade an installed package ("Inst P [old]")
# to a version not from Debian RELEASE's own suites (its point releases and
# security updates): another release's packages, or origins apt cannot
# name.  Every upgrade counts as foreign when RELEASE is not a number.
lr_foreign_upgrades() {
	local release=$1 own
	own="(Debian|Debian-Security):${release}[./][^,)]*"
	if [[ $release =~ ^[0-9]+$ ]]; then
		lr_upgrades | grep -vE "\(([^ ]+ )?$own(, $own)* \[" || true
	else
		lr_upgrades
	fi
}

# lr_upgrades: of the lines of an apt-get -s run on stdin, those that
# upgrade an installed package ("Inst P [old] (new ...)").
lr_upgrades() { grep -E '^Inst [^ ]+ \[' || true; }

# The symbols the series exports that local_reclaim.ko links against; a
# tree without them is not patched.
LR_SERIES_SYMBOLS="node_reclaim_policy_register node_reclaim_policy_unregister node_reclaim_distance mm_kobj cgroup_add_dfl_cftypes"

# lr_check_kdir DIR: dies with the reason DIR cannot build the module.
lr_check_kdir() {
	local kdir=$1 sym
	[ -f "$kdir/.config" ] && [ -f "$kdir/Module.symvers" ] ||
		lr_die "$kdir is not a built kernel tree (no .config or Module.symvers)"
	grep -q '^CONFIG_RUST=y' "$kdir/.config" ||
		lr_die "the kernel at $kdir is built without CONFIG_RUST=y; local_reclaim.ko is Rust (enable RUST, see config/kernel.config)"
	for sym in $LR_SERIES_SYMBOLS; do
		grep -qP "^0x[0-9a-f]+\t$sym\t" "$kdir/Module.symvers" ||
			lr_die "the kernel at $kdir lacks the node reclaim policy series (no $sym in Module.symvers): apply patches/series and rebuild it"
	done
}

# checkpatch.pl's options for the series: --strict; and UNKNOWN_COMMIT_ID
# ignored, since the trees are unpacked from Debian's tarball, without the
# history a Fixes: tag's commit could be looked up in.
LR_CHECKPATCH_OPTS=(--strict --quiet --ignore UNKNOWN_COMMIT_ID)
