#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# `make check`: installs what is missing, runs the unit tests, builds hv.ko
# against the Debian 6.1 and 6.12 headers (W=1, sparse, warnings fatal),
# then boots the emulated machines and runs the selftests inside:
#   qemu-la57   QEMU TCG -cpu max (AMD-V), host kernel in 5-level paging
#   qemu-4lvl   the same with no5lvl
#   bochs-vmx   Bochs 2.7 Ice Lake (VT-x with EPT)
#   qemu-nosvm  QEMU -cpu max,-svm: hv must refuse to load
# Ends with one line "N passed, N failed, N skipped".  Logs: build/check/.
#
# HV_CHECK_MACHINES="qemu-la57 qemu-4lvl bochs-vmx" picks machines.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
vm=$top/tools/testing/hv-vm
out=$top/build/check
results=$out/results.txt
machines=${HV_CHECK_MACHINES:-qemu-la57 qemu-4lvl bochs-vmx qemu-nosvm}
start=$(date +%s)

rm -rf "$out"
mkdir -p "$out"
: >"$results"

say() { echo "== $* ($(($(date +%s) - start)) s)"; }
record() { # PASS|FAIL|SKIP label description
	echo "$1 $2: $3" | tee -a "$results"
}

say "dependencies"
deps=$("$top/tools/testing/install-deps.sh") || { record FAIL deps "install-deps.sh failed"; deps=; }
eval "$deps"
KVER=${KVER:-}
K612=${K612:-}

say "unit tests"
make -s -C "$top" unit >"$out/unit.log" 2>&1 || echo "Bail out! make unit failed" >>"$out/unit.log"
"$vm/ktap-summary.sh" --plain --label unit "$out/unit.log" | tee -a "$results" | grep -v '^PASS'

build_module() { # label kdir
	local label=$1 kdir=$2 log=$out/build-$1.log
	if [ ! -d "$kdir" ]; then
		record FAIL "$label" "no headers at '$kdir'"
		return 1
	fi
	# W=1 warnings and sparse findings are errors for us.
	if make -C "$top" modules KDIR="$kdir" W=1 C=1 KCFLAGS=-Werror >"$log" 2>&1 &&
	   ! grep -E 'warning:|error:' "$log" >/dev/null; then
		record PASS "$label" "hv.ko builds against $(basename "$kdir") with W=1 and sparse, no warnings"
	else
		grep -E 'warning:|error:' "$log" | head -20
		record FAIL "$label" "hv.ko build against $(basename "$kdir") (log: $log)"
		return 1
	fi
}

say "module builds"
build_module build-6.1 "/usr/src/linux-headers-$KVER"
mod_ok=$?
build_module build-6.12 "$K612"

say "lint"
# Kernel style (tools/testing/checkpatch.sh: kernel and userspace passes).
mapfile -t lint_files < <(git -C "$top" ls-files -- '*.c' '*.h')
if "$top/tools/testing/checkpatch.sh" >"$out/checkpatch.log" 2>&1; then
	record PASS lint "checkpatch --strict clean (${#lint_files[@]} files)"
else
	cat "$out/checkpatch.log"
	lint_n=$(grep -cE '^[^ ]+:[0-9]+: (ERROR|WARNING|CHECK):' "$out/checkpatch.log")
	record FAIL lint "checkpatch --strict: $lint_n findings in ${#lint_files[@]} files (log: $out/checkpatch.log)"
fi

say "selftests and payload"
payload=$out/payload
if make -s -C "$top" selftests >"$out/selftests-build.log" 2>&1; then
	record PASS build-selftests "selftests build (static)"
else
	cat "$out/selftests-build.log"
	record FAIL build-selftests "selftests build (log: $out/selftests-build.log)"
	mod_ok=1
fi
if make -s -C "$top" tools >"$out/tools-build.log" 2>&1; then
	record PASS build-tools "libhv, hvrun and the demo guests build"
else
	cat "$out/tools-build.log"
	record FAIL build-tools "tools build (log: $out/tools-build.log)"
	mod_ok=1
fi

run_machine() { # name
	local name=$1 log=$out/$1.log rc=0
	case $name in
	qemu-la57) "$vm/run-qemu.sh" --kver "$KVER" --initrd "$out/initrd.img" --log "$log" --paging 5 ;;
	qemu-4lvl) "$vm/run-qemu.sh" --kver "$KVER" --initrd "$out/initrd.img" --log "$log" --paging 4 ;;
	qemu-nosvm) "$vm/run-qemu.sh" --kver "$KVER" --initrd "$out/initrd.img" --log "$log" --paging 4 \
			--cpu max,-svm ;;
	bochs-vmx) HV_VM_CACHE="$top/build/fastkernel" \
		"$vm/run-bochs.sh" --kver "$KVER" --initrd "$out/initrd.img" --log "$log" \
			--workdir "$out/bochs" ;;
	*) echo "unknown machine $name" >"$log"; return 1 ;;
	esac >"$out/$name.runner.log" 2>&1 || rc=$?
	return $rc
}

# What each machine must show beyond its tests: the vendor and paging mode.
machine_expect() { # name log
	local name=$1 log=$2 backend la57
	case $name in
	qemu-la57) backend=svm la57=1 ;;
	qemu-4lvl) backend=svm la57=0 ;;
	bochs-vmx) backend=vmx la57=0 ;;
	qemu-nosvm) return 0 ;;	# its suite checks the refusal itself
	esac
	if tr -d '\r' <"$log" | grep -q "^HV-VM: boot .* la57=$la57"; then
		record PASS "$name" "host kernel runs with la57=$la57"
	else
		record FAIL "$name" "host kernel paging: want la57=$la57, got '$(grep -m1 '^HV-VM: boot' "$log")'"
	fi
	if tr -d '\r' <"$log" | grep -q "^# hv backend: $backend\$"; then
		record PASS "$name" "hv chose the $backend backend"
	else
		record FAIL "$name" "hv did not report backend $backend"
	fi
}

if [ "$mod_ok" = 0 ]; then
	mkdir -p "$payload/selftests"
	cp "$top/build/$KVER/hv.ko" "$payload/"
	cp "$top"/build/selftests/*_test "$payload/selftests/"
	cp "$vm/payload-run.sh" "$payload/run.sh"
	mkdir -p "$payload/tools"
	cp -r "$top/build/tools/hvrun" "$top/build/tools/guests" "$payload/tools/"
	cp "$top/tools/hv/demo.sh" "$payload/"
	printf '%s\n' msr kvm_amd kvm_intel >"$payload/modules.list"
	if "$vm/mkinitramfs.sh" --kver "$KVER" --payload "$payload" --out "$out/initrd.img" \
		>"$out/initramfs.log" 2>&1; then
		say "machines: $machines"
		pids=()
		# Bochs is the long pole: it runs on one core while the QEMU machines
		# take turns on the other (each emulator is single-threaded).
		for m in $machines; do
			case $m in bochs-*) run_machine "$m" & pids+=($!) ;; esac
		done
		for m in $machines; do
			case $m in bochs-*) ;; *) run_machine "$m" ;; esac
		done
		for p in "${pids[@]}"; do wait "$p"; done
		for m in $machines; do
			say "results: $m"
			tail -n 3 "$out/$m.runner.log"
			"$vm/ktap-summary.sh" --label "$m" "$out/$m.log" | tee -a "$results" | grep -v '^PASS'
			machine_expect "$m" "$out/$m.log"
		done
	else
		cat "$out/initramfs.log"
		record FAIL initramfs "mkinitramfs.sh failed (log: $out/initramfs.log)"
	fi
else
	record FAIL machines "not run: hv.ko or the selftests did not build"
fi

say "summary"
grep '^SKIP' "$results" || true
pass=$(grep -c '^PASS' "$results")
fail=$(grep -c '^FAIL' "$results")
skip=$(grep -c '^SKIP' "$results")
if [ "$fail" -gt 0 ]; then
	echo "failures:"
	grep '^FAIL' "$results"
fi
echo "wall time: $(($(date +%s) - start)) s; logs in $out"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
