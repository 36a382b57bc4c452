#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# `make check-native`: the selftests on this host, which must have VT-x or
# AMD-V and must not have hv loaded.  Needs root.  Usage: run_native.sh KO DIR
set -u
ko=$1
dir=$2
if [ "$(id -u)" != 0 ]; then
	echo "check-native: needs root (loads and unloads hv.ko)" >&2
	exit 1
fi
if grep -q '^hv ' /proc/modules; then
	echo "check-native: hv is already loaded; rmmod it first" >&2
	exit 1
fi
modprobe msr 2>/dev/null
insmod "$ko" || { echo "check-native: insmod $ko failed (see dmesg)" >&2; exit 1; }
rc=0
for t in "$dir"/*_test; do
	HV_MODULE=$ko "$t" || rc=1
done
rmmod hv || rc=1
exit $rc
