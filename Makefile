# SPDX-License-Identifier: GPL-2.0
# local_reclaim: user-facing targets.  The module itself is built through
# Kbuild (see Kbuild); everything heavy is cached under
# ${XDG_CACHE_HOME:-~/.cache}/local_reclaim, keyed by its inputs.
#
#   make            bootstrap if needed, build the kernel and local_reclaim.ko
#   make demo       the main job: the benchmark at demo size (~10 min), table,
#                   results.json/csv and plot.svg under results/
#   make bench      the benchmark at full size (3 repetitions, ~30 min)
#   make check      every test: host checks, builds, guest selftests, the
#                   reliability suite, and a smoke of it on the debug kernel;
#                   ends with a table of phase times (README: cold 47 min,
#                   warm 12 min)
#   make check-debug  every guest suite on the debug kernel (KASAN, lockdep,
#                   kmemleak, DEBUG_VM, Rust debug assertions), hot-add too
#   make check-mutants  build deliberately broken modules (tests/mutants/)
#                   and check that the tests named to catch each one fail
#   make patches-check  checkpatch and build every patch of the series in turn
#   make KDIR=/path/to/built/kernel    build against an already-built tree
#   make KSRC=/path/to/linux           build that source tree instead (in
#                                      the cache, or in KOBJ=DIR if given)
SHELL := /bin/bash
export KDIR KSRC KOBJ

all: module

bootstrap:
	@scripts/bootstrap

kernel: bootstrap
	@scripts/build-kernel >/dev/null

module: kernel
	@scripts/build-module

tests: kernel
	@scripts/build-tests

check:
	@scripts/check

check-debug:
	@scripts/check --debug

check-mutants:
	@scripts/check-mutants

demo:
	@scripts/demo

bench:
	@scripts/bench --size full

patches-check: bootstrap
	@scripts/patches-check

clean:
	rm -rf tests/build tools/build rust/target tools/bench-report/target
	rm -f *.ko *.o *.mod *.mod.c *.mod.o modules.order Module.symvers .*.cmd rust/*.o rust/.*.cmd rust/*.d \
		rust/doctests.rs
	cd tests/modules && rm -f *.ko *.o *.mod *.mod.c modules.order Module.symvers .*.cmd

.PHONY: all bootstrap kernel module tests check check-debug check-mutants demo bench patches-check clean
