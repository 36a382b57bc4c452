# SPDX-License-Identifier: GPL-2.0-only
#
# hv: top-level targets.  Kbuild (the file named Kbuild) describes hv.ko; this
# file is what people run.  See README.md and Documentation/virt/hv/testing.rst.
#
#   make                 hv.ko for KDIR, in build/<kernel release>/hv.ko
#   make unit            userspace unit tests of the pure logic (ASan, UBSan)
#   make selftests       the selftest binaries, in build/selftests/
#   make tools           libhv.a (build/lib/), hvrun and guests (build/tools/)
#   make demo            boot the QEMU AMD-V machine, greet from guests on hv
#   make check           everything, in the emulated test machines; last line
#                        "N passed, N failed, N skipped"
#   make check-native    the selftests on this host (needs root and VT-x/AMD-V)
#
# KDIR defaults to the running kernel's build tree, else the newest Debian
# linux-headers-*-amd64.  W=1 and C=1 are passed to kbuild as usual.

SRCDIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
BUILD := $(SRCDIR)/build

KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	  $(lastword $(sort $(wildcard /usr/src/linux-headers-*-amd64))))
KVER = $(shell sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)
MODDIR = $(BUILD)/$(KVER)
MODULE_SOURCES := Kbuild arch virt include

CC ?= gcc
SELFTEST_DIR := tools/testing/selftests/hv
UNIT_DIR := tools/testing/hv-unit

.PHONY: all modules unit selftests tools demo check check-native clean help

all: modules

modules:
	@test -n "$(KVER)" || { echo "hv: no kernel build tree; install linux-headers-amd64 or set KDIR" >&2; exit 1; }
	@mkdir -p $(MODDIR)
	@cp -rsf $(addprefix $(SRCDIR)/,$(MODULE_SOURCES)) $(MODDIR)/
	$(MAKE) -C $(KDIR) M=$(MODDIR) modules
	@echo "hv: built $(MODDIR)/hv.ko"

unit:
	$(MAKE) -C $(UNIT_DIR) O=$(BUILD)/unit run

selftests:
	$(MAKE) -C $(SELFTEST_DIR) O=$(BUILD)/selftests

tools:
	$(MAKE) -C tools/hv O=$(BUILD)/tools LIBO=$(BUILD)/lib

demo:
	@tools/testing/hv-demo.sh

check:
	@tools/testing/hv-check.sh

check-native: modules selftests
	@tools/testing/selftests/hv/run_native.sh $(MODDIR)/hv.ko $(BUILD)/selftests

clean:
	rm -rf $(BUILD)

help:
	@sed -n '3,16p' $(SRCDIR)/Makefile
