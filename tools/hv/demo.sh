#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# usage: demo.sh [--dev PATH] [DIR]
#
# Runs hvrun's demo guests in every CPU mode on PATH (default /dev/hv):
# hello16.bin in real mode, hello32.bin in prot32, hello64.elf in long4 and
# long5.  DIR holds hvrun and guests/ (default: build/tools of this tree).
# Prints each command, the guest's output and one result line per run; long5
# counts as skipped when hvrun says the device offers no LA57 (status 4).
# Exit status 0 iff every run that was not skipped printed its greeting and
# exited with 0.  POSIX sh: it also runs under busybox in the test machines.

dev=/dev/hv
if [ "$1" = --dev ]; then
	[ $# -ge 2 ] || { echo "demo.sh: --dev needs a value" >&2; exit 2; }
	dev=$2
	shift 2
fi
dir=${1:-$(dirname "$0")/../../build/tools}
hvrun=$dir/hvrun
[ -x "$hvrun" ] || { echo "demo.sh: $hvrun not found (make tools)" >&2; exit 2; }

pass=0 fail=0 skip=0
for run in real:hello16.bin prot32:hello32.bin long4:hello64.elf \
	   long5:hello64.elf; do
	mode=${run%%:*}
	guest=$dir/guests/${run#*:}
	echo "\$ hvrun --dev $dev --mode $mode $guest"
	out=$("$hvrun" --dev "$dev" --mode "$mode" --timeout 60 -v "$guest" 2>&1)
	rc=$?
	[ -z "$out" ] || printf '%s\n' "$out"
	case $rc:$out in
	0:*"Hello from hv"*)
		echo "demo: $mode: ok"; pass=$((pass + 1)) ;;
	4:*)
		echo "demo: $mode: skipped"; skip=$((skip + 1)) ;;
	*)
		echo "demo: $mode: FAILED (hvrun exit status $rc)"
		fail=$((fail + 1)) ;;
	esac
done
echo "demo: $pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
