# SPDX-License-Identifier: GPL-2.0
# local_reclaim: user-facing targets.  The module itself is built through
# Kbuild (see Kbuild); everything heavy is cached under
# ${XDG_CACHE_HOME:-~/.cache}/local_reclaim, keyed by its inputs.
#
#   make            bootstrap if needed, build the kernel and local_reclaim.ko
#   make demo       the main job: the benchmark at demo size (~44 min), table,
#                   results.json/csv and plot.svg under results/
#   make bench      the benchmark at full size (3 repetitions, 48 - 77 min)
#   make check      every test: host checks, builds, guest selftests, the
#                   reliability suite, and a smoke of it on the debug kernel;
#                   ends with a table of phase times (README: warm 23 min,
#                   cold about an hour)
#   make check-debug  every guest suite on the debug kernel (KASAN, lockdep,
#                   kmemleak, DEBUG_VM, Rust debug assertions), hot-add too
#   make check-mutants  build deliberately broken modules (tests/mutants/)
#                   and check that the tests named to catch each one fail
#   make patches-check  checkpatch and build every patch of the series in turn
#   make KDIR=/path/to/built/kernel    build against an already-built tree
#   make KSRC=/path/to/linux           build that source tree instead (in
#                                      the cache, or in KOBJ=DIR if given)
#   make install    install what make built: local_reclaim.ko, lrctl, its man
#                   page and completions, the systemd unit, the modules-load.d
#                   file, the example configuration (DESTDIR= respected)
#   make uninstall  remove them again
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

# lrctl alone, static as the guests need it (scripts/build-tests does the same).
lrctl:
	RUSTFLAGS="-C target-feature=+crt-static" cargo build --quiet --release \
		--target x86_64-unknown-linux-gnu --manifest-path tools/lrctl/Cargo.toml
	install -D -m 755 tools/lrctl/target/x86_64-unknown-linux-gnu/release/lrctl tools/build/lrctl

# Installation.  The module goes to /lib/modules/$(KREL)/updates, KREL being
# the kernel release local_reclaim.ko was built for (its vermagic).  An
# existing /etc/local_reclaim.conf is kept, and kept by uninstall too
# unless it is still the example.  depmod runs only without DESTDIR
# (a package's own scripts run it).
DESTDIR ?=
PREFIX ?= /usr
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/local_reclaim
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/vendor-completions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
UNITDIR ?= /lib/systemd/system
MODULESLOADDIR ?= /usr/lib/modules-load.d
SYSCONFDIR ?= /etc
KO ?= local_reclaim.ko
KREL ?= $(shell modinfo -F vermagic $(KO) 2>/dev/null | cut -d' ' -f1)
MODDIR ?= /lib/modules/$(KREL)/updates
LRCTL_BIN ?= tools/build/lrctl

INSTALLED := $(MODDIR)/local_reclaim.ko $(SBINDIR)/lrctl $(MANDIR)/man8/lrctl.8 \
	$(BASHCOMPDIR)/lrctl $(ZSHCOMPDIR)/_lrctl $(FISHCOMPDIR)/lrctl.fish \
	$(UNITDIR)/local_reclaim.service $(MODULESLOADDIR)/local_reclaim.conf \
	$(DOCDIR)/local_reclaim.conf.example $(DOCDIR)/service.d-local_reclaim.conf

$(LRCTL_BIN):
	$(MAKE) lrctl

install: $(LRCTL_BIN)
	@[ -f "$(KO)" ] || { echo "make install: no $(KO): build it first (make, or make KDIR=...)" >&2; exit 1; }
	@[ -n "$(KREL)" ] || { echo "make install: cannot read the kernel release of $(KO) (modinfo); give KREL=" >&2; exit 1; }
	install -D -m 644 $(KO) $(DESTDIR)$(MODDIR)/local_reclaim.ko
	install -D -m 755 $(LRCTL_BIN) $(DESTDIR)$(SBINDIR)/lrctl
	install -D -m 644 tools/lrctl/doc/lrctl.8 $(DESTDIR)$(MANDIR)/man8/lrctl.8
	install -D -m 644 tools/lrctl/completions/lrctl.bash $(DESTDIR)$(BASHCOMPDIR)/lrctl
	install -D -m 644 tools/lrctl/completions/_lrctl $(DESTDIR)$(ZSHCOMPDIR)/_lrctl
	install -D -m 644 tools/lrctl/completions/lrctl.fish $(DESTDIR)$(FISHCOMPDIR)/lrctl.fish
	install -D -m 644 dist/local_reclaim.service $(DESTDIR)$(UNITDIR)/local_reclaim.service
	install -D -m 644 dist/modules-load.conf $(DESTDIR)$(MODULESLOADDIR)/local_reclaim.conf
	install -D -m 644 dist/local_reclaim.conf $(DESTDIR)$(DOCDIR)/local_reclaim.conf.example
	install -D -m 644 dist/service.d-local_reclaim.conf $(DESTDIR)$(DOCDIR)/service.d-local_reclaim.conf
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/local_reclaim.conf ]; then \
		echo "keeping the existing $(DESTDIR)$(SYSCONFDIR)/local_reclaim.conf"; \
	else \
		install -D -m 644 dist/local_reclaim.conf $(DESTDIR)$(SYSCONFDIR)/local_reclaim.conf; \
	fi
	[ -n "$(DESTDIR)" ] || depmod -a $(KREL)

uninstall:
	@if cmp -s dist/local_reclaim.conf $(DESTDIR)$(SYSCONFDIR)/local_reclaim.conf; then \
		rm -f $(DESTDIR)$(SYSCONFDIR)/local_reclaim.conf; \
	elif [ -e $(DESTDIR)$(SYSCONFDIR)/local_reclaim.conf ]; then \
		echo "keeping $(DESTDIR)$(SYSCONFDIR)/local_reclaim.conf: it differs from the example"; \
	fi
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	-rmdir $(DESTDIR)$(DOCDIR) $(DESTDIR)$(MODDIR) 2>/dev/null
	[ -n "$(DESTDIR)" ] || [ -z "$(KREL)" ] || depmod -a $(KREL)

.PHONY: all bootstrap kernel module tests check check-debug check-mutants demo bench patches-check clean \
	lrctl install uninstall
