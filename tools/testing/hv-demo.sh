#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# `make demo`: boots the QEMU AMD-V machine (5-level host paging; --paging 4
# for 4-level) and runs hvrun's greeting guests on /dev/hv there, in real,
# 32-bit and 64-bit mode (4- and 5-level guest paging).  Prints what the
# guests print.  Works on a machine without VT-x/AMD-V; see
# Documentation/virt/hv/testing.rst.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
vm=$top/tools/testing/hv-vm
paging=5
[ "${1:-}" = --paging ] && paging=$2

eval "$("$top/tools/testing/install-deps.sh")"
make -s -C "$top" modules KDIR="/usr/src/linux-headers-$KVER" >/dev/null
make -s -C "$top" tools >/dev/null
out=$top/build/demo
rm -rf "$out"
mkdir -p "$out/payload/tools"
cp "$top/build/$KVER/hv.ko" "$out/payload/"
cp -r "$top/build/tools/hvrun" "$top/build/tools/guests" "$out/payload/tools/"
cp "$top/tools/hv/demo.sh" "$out/payload/"
cat >"$out/payload/run.sh" <<'RUN'
insmod /hv/hv.ko || exit 1
sh /hv/demo.sh --dev /dev/hv /hv/tools
RUN
"$vm/mkinitramfs.sh" --kver "$KVER" --payload "$out/payload" --out "$out/initrd.img" >/dev/null
echo "demo: booting the QEMU AMD-V machine (host paging: $paging-level)..."
HV_VM_QUIET=1 "$vm/run-qemu.sh" --kver "$KVER" --initrd "$out/initrd.img" \
	--log "$out/console.log" --paging "$paging" >"$out/runner.log" 2>&1 || true
tr -d '\r' <"$out/console.log" | sed -n '/^HV-VM: boot/,/^HV-VM: dmesg begin/p' | sed '$d'
tr -d '\r' <"$out/console.log" | grep -q '^demo: 4 passed, 0 failed'
