#!/bin/bash
# Boot an hv test initramfs in QEMU TCG with emulated AMD-V (SVM + NPT).
# Interface: see CONTRACT.txt in this directory.
set -eu

prog=${0##*/}

usage() {
	cat <<EOF
usage: $prog --kver KVER --initrd FILE --log FILE [--paging 4|5] [--timeout SEC]
       [--append "ARGS"] [--cpu MODEL]

Boots /boot/vmlinuz-KVER with the initramfs FILE (from mkinitramfs.sh) in
qemu-system-x86_64 -M q35 -cpu max -accel tcg,thread=single (AMD-V emulated),
1 GiB, 2 CPUs. The serial console is written to the log (carriage returns
and terminal escape sequences removed) and echoed here with a "[qemu] "
prefix, except the dmesg dump.
--paging 5 (default) lets the kernel use 5-level paging (-cpu max has LA57);
--paging 4 adds the kernel argument no5lvl. --timeout is the wall-clock
limit in seconds (default 600) after which QEMU is killed. --append adds
kernel arguments (as does the environment variable HV_VM_APPEND). --cpu
replaces the CPU model (default max; e.g. max,-svm for a CPU without AMD-V).

Exit status: 0 iff the log contains "HV-VM: done" (the payload's own result
is judged by ktap-summary.sh); 124 on timeout; 1 otherwise.

Environment: QEMU (default qemu-system-x86_64), KERNEL (default
/boot/vmlinuz-KVER), HV_VM_APPEND (extra kernel arguments),
HV_VM_QUIET=1 (do not echo the console).
EOF
}

die() { echo "$prog: error: $*" >&2; exit 1; }

kver='' initrd='' log='' paging=5 timeout_s=600 extra='' cpu=max
while [ $# -gt 0 ]; do
	case $1 in
	--kver) [ $# -ge 2 ] || die "--kver needs a value"; kver=$2; shift 2 ;;
	--initrd) [ $# -ge 2 ] || die "--initrd needs a value"; initrd=$2; shift 2 ;;
	--log) [ $# -ge 2 ] || die "--log needs a value"; log=$2; shift 2 ;;
	--paging) [ $# -ge 2 ] || die "--paging needs a value"; paging=$2; shift 2 ;;
	--timeout) [ $# -ge 2 ] || die "--timeout needs a value"; timeout_s=$2; shift 2 ;;
	--append) [ $# -ge 2 ] || die "--append needs a value"; extra=$2; shift 2 ;;
	--cpu) [ $# -ge 2 ] || die "--cpu needs a value"; cpu=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument '$1'" ;;
	esac
done
[ -n "$kver" ] && [ -n "$initrd" ] && [ -n "$log" ] || { usage >&2; die "--kver, --initrd and --log are required"; }
case $paging in 4|5) ;; *) die "--paging must be 4 or 5, not '$paging'" ;; esac
case $timeout_s in ''|*[!0-9]*|0) die "--timeout must be a positive number of seconds, not '$timeout_s'" ;; esac

qemu=${QEMU:-qemu-system-x86_64}
kernel=${KERNEL:-/boot/vmlinuz-$kver}
command -v "$qemu" >/dev/null || die "$qemu not found (apt-get install qemu-system-x86)"
command -v timeout >/dev/null || die "timeout (coreutils) not found"
[ -r "$kernel" ] || die "kernel $kernel not found or not readable (apt-get install linux-image-$kver)"
[ -r "$initrd" ] || die "initrd $initrd not found or not readable"
logdir=$(dirname "$log")
[ -d "$logdir" ] || die "log directory '$logdir' does not exist"

# Oopses and WARNs are detected by scanning the log (ktap-summary.sh), so the
# kernel must not panic on them; panic=-1 reboots at once on a real panic and
# -no-reboot turns that into a QEMU exit.
append="console=ttyS0 panic=-1 quiet panic_on_warn=0 hv_vm.debug_exit=0xf4"
[ "$paging" = 5 ] || append="$append no5lvl"
[ -z "${HV_VM_APPEND:-}" ] || append="$append $HV_VM_APPEND"
[ -z "$extra" ] || append="$append $extra"

# shellcheck disable=SC2054 # commas belong to QEMU option values
qemu_args=(
	-M q35 -cpu "$cpu" -m 1G -smp 2
	-accel tcg,thread=single	# multi-threaded TCG soft-locks (EMULATORS.md)
	-nographic -monitor none -serial stdio -no-reboot
	-device isa-debug-exit,iobase=0xf4,iosize=0x04
	-kernel "$kernel" -initrd "$initrd" -append "$append"
)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/hv-run-qemu.XXXXXX")
qpid=
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
	[ -z "$qpid" ] || kill -TERM "$qpid" 2>/dev/null || true
	rm -rf "$scratch"
}
trap cleanup EXIT
trap 'echo "$prog: interrupted" >&2; exit 130' INT TERM HUP
mkfifo "$scratch/console"

echo "$prog: $kver, paging $paging-level, timeout ${timeout_s}s, log $log"
echo "$prog: append: $append"
t0=$EPOCHREALTIME
timeout -k 10 "$timeout_s" "$qemu" "${qemu_args[@]}" </dev/null >"$scratch/console" 2>&1 &
qpid=$!

quiet=${HV_VM_QUIET:-0}
t_boot='' in_dmesg=0 dmesg_lines=0 guest_rc=''
shopt -s extglob
exec 3>"$log"
while IFS= read -r line || [ -n "$line" ]; do
	# Carriage returns and terminal escapes (SeaBIOS clears the screen) out.
	line=${line//$'\r'/}
	line=${line//$'\e'[[]*([0-9;?])[a-zA-Z]/}
	line=${line//$'\e'?([a-zA-Z])/}
	printf '%s\n' "$line" >&3
	case $line in
	*"HV-VM: boot "*) [ -n "$t_boot" ] || t_boot=$EPOCHREALTIME ;;
	*"HV-VM: dmesg begin"*) in_dmesg=1 ;;
	*"HV-VM: dmesg end"*) in_dmesg=2 ;;
	*"HV-VM: done rc="*) guest_rc=${line##*HV-VM: done rc=} ;;
	esac
	case $in_dmesg in
	1) case $line in *"HV-VM: dmesg begin"*) ;; *) dmesg_lines=$((dmesg_lines + 1)); continue ;; esac ;;
	2) in_dmesg=0
	   [ "$quiet" = 1 ] || echo "[qemu] ($dmesg_lines lines of dmesg, see $log)" ;;
	esac
	[ "$quiet" = 1 ] || printf '[qemu] %s\n' "$line"
done <"$scratch/console"
exec 3>&-

st=0
wait "$qpid" || st=$?
qpid=
t1=$EPOCHREALTIME

secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
if [ -n "$t_boot" ]; then
	echo "$prog: /init reached after $(secs "$t0" "$t_boot") s; total $(secs "$t0" "$t1") s wall"
else
	echo "$prog: /init never reached; total $(secs "$t0" "$t1") s wall"
fi

if grep -q 'HV-VM: done' "$log"; then
	case $st in
	0) how="powered off" ;;
	124|137) how="killed by the timeout after printing 'done'" ;;
	*) if [ $((st & 1)) = 1 ] && [ "$(((st - 1) / 2))" = "$guest_rc" ]; then
		how="isa-debug-exit"
	   else
		how="QEMU exit status $st"
	   fi ;;
	esac
	echo "$prog: HV-VM: done, run.sh rc=$guest_rc ($how)"
	exit 0
fi
case $st in
124|137) echo "$prog: TIMEOUT: QEMU killed after ${timeout_s}s wall without 'HV-VM: done' (see $log)" >&2
	exit 124 ;;
*) echo "$prog: FAILED: QEMU exited with status $st without 'HV-VM: done' (crash or panic? see $log)" >&2
	exit 1 ;;
esac
