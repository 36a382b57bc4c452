#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-bochs.sh - boot a Debian kernel and an hv-vm initramfs in Bochs 2.7, the
# emulator that gives us VT-x (VMX with EPT, unrestricted guest, VPID) on
# machines without it.  See CONTRACT.txt and /work/shared/EMULATORS.md.
#
#   run-bochs.sh --kver KVER --initrd FILE --log FILE [--timeout SEC]
#                [--workdir DIR] [--stock | --kernel FILE] [--ips N]
#                [--memory MB] [--append "ARGS"]
#
# The kernel is booted from an isolinux CD image.  By default it is the "fast
# kernel" made by mkfastkernel.sh from /boot/vmlinuz-KVER (same kernel, payload
# not compressed: saves ~50 s of XZ decompression in the emulator); --stock
# boots /boot/vmlinuz-KVER itself.  The serial console (COM1) is copied to
# --log.  Exit status 0 iff the log contains "HV-VM: done".
set -eu

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PROG=${0##*/}

usage() {
	cat <<EOF
usage: $PROG --kver KVER --initrd FILE --log FILE [options]

  --kver KVER       kernel version: boots /boot/vmlinuz-KVER (or its fast copy)
  --initrd FILE     initramfs (from mkinitramfs.sh)
  --log FILE        where the guest's serial console output is written
  --timeout SEC     wall-clock limit for the whole run (default 1800)
  --workdir DIR     keep the ISO, bochsrc, bochs.log, serial.txt in DIR
                    (default: a temporary directory, removed afterwards)
  --stock           boot the stock (XZ-compressed) /boot/vmlinuz-KVER
  --kernel FILE     boot this bzImage instead (no fast-kernel build)
  --ips N           Bochs cpu ips (default 10000000)
  --memory MB       guest RAM (default 256)
  --append "ARGS"   extra kernel command line arguments

Environment: HV_VM_CACHE  directory for the cached fast kernel
             (default /tmp/hv-vm-cache-\$UID)
Exit status: 0 iff the log contains "HV-VM: done"; 124 on timeout; 1 otherwise.
EOF
}

die() { echo "$PROG: error: $*" >&2; exit 1; }
msg() { echo "$PROG: $*" >&2; }

KVER='' INITRD='' LOG='' TIMEOUT=1800 WORKDIR='' MODE=fast KERNEL='' IPS=10000000 MEM=256 EXTRA=''
while [ $# -gt 0 ]; do
	case $1 in
	--kver)    [ $# -ge 2 ] || die "$1 needs an argument"; KVER=$2; shift 2 ;;
	--initrd)  [ $# -ge 2 ] || die "$1 needs an argument"; INITRD=$2; shift 2 ;;
	--log)     [ $# -ge 2 ] || die "$1 needs an argument"; LOG=$2; shift 2 ;;
	--timeout) [ $# -ge 2 ] || die "$1 needs an argument"; TIMEOUT=$2; shift 2 ;;
	--workdir) [ $# -ge 2 ] || die "$1 needs an argument"; WORKDIR=$2; shift 2 ;;
	--ips)     [ $# -ge 2 ] || die "$1 needs an argument"; IPS=$2; shift 2 ;;
	--memory)  [ $# -ge 2 ] || die "$1 needs an argument"; MEM=$2; shift 2 ;;
	--append)  [ $# -ge 2 ] || die "$1 needs an argument"; EXTRA=$2; shift 2 ;;
	--kernel)  [ $# -ge 2 ] || die "$1 needs an argument"; KERNEL=$2; MODE='file'; shift 2 ;;
	--stock)   MODE=stock; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument '$1'" ;;
	esac
done
[ -n "$KVER" ] && [ -n "$INITRD" ] && [ -n "$LOG" ] || { usage >&2; die "--kver, --initrd and --log are required"; }
case $TIMEOUT in ''|*[!0-9]*) die "--timeout must be a number of seconds" ;; esac
case $IPS in ''|*[!0-9]*) die "--ips must be a number" ;; esac
case $MEM in ""|*[!0-9]*) die "--memory must be a number of MiB" ;; esac
case $KVER in */*|'') die "bad --kver '$KVER'" ;; esac
[ -f "$INITRD" ] || die "initrd '$INITRD' not found"

# Tools and firmware (Debian 12 paths).
BIOS=/usr/share/bochs/BIOS-bochs-latest
VGABIOS=/usr/share/vgabios/vgabios.bin
ISOLINUX_BIN=/usr/lib/ISOLINUX/isolinux.bin
LDLINUX_C32=/usr/lib/syslinux/modules/bios/ldlinux.c32
command -v bochs-bin >/dev/null || die "bochs-bin not found (apt-get install bochs bochsbios vgabios)"
for f in "$BIOS" "$VGABIOS" "$ISOLINUX_BIN" "$LDLINUX_C32"; do
	[ -f "$f" ] || die "$f not found (apt-get install bochsbios vgabios isolinux syslinux-common)"
done
if command -v genisoimage >/dev/null; then
	MKISO=genisoimage
elif command -v xorriso >/dev/null; then
	MKISO="xorriso -as mkisofs"
else
	die "neither genisoimage nor xorriso found"
fi

case $MODE in
stock)	KERNEL=/boot/vmlinuz-$KVER
	[ -f "$KERNEL" ] || die "$KERNEL not found" ;;
fast)	cache=${HV_VM_CACHE:-/tmp/hv-vm-cache-$(id -u)}
	mkdir -p "$cache" && [ -O "$cache" ] || die "cache directory $cache is not ours"
	KERNEL=$cache/vmlinuz-fast-$KVER
	"$HERE/mkfastkernel.sh" --kver "$KVER" --out "$KERNEL" >&2 ||
		die "cannot build the fast kernel (use --stock to boot the stock one)" ;;
file)	[ -f "$KERNEL" ] || die "kernel '$KERNEL' not found" ;;
esac

# Work directory.
if [ -n "$WORKDIR" ]; then
	mkdir -p "$WORKDIR"
	W=$(cd "$WORKDIR" && pwd)
	KEEP_W=1
else
	W=$(mktemp -d "${TMPDIR:-/tmp}/hv-bochs.XXXXXX")
	KEEP_W=0
fi
# bochsrc values are comma-separated and may not hold blanks or quotes.
case $W in *[[:space:],\"]*) die "work directory '$W' contains a blank, comma or quote" ;; esac
LOG_ABS=$(cd "$(dirname "$LOG")" 2>/dev/null && pwd)/${LOG##*/} ||
	die "directory of --log '$LOG' does not exist"

BPID=
cleanup() {
	local rc=$?
	trap - EXIT INT TERM HUP
	if [ -n "$BPID" ] && kill -0 "$BPID" 2>/dev/null; then
		kill -TERM "$BPID" 2>/dev/null || true
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$BPID" 2>/dev/null || break
			sleep 0.5
		done
		kill -KILL "$BPID" 2>/dev/null || true
		wait "$BPID" 2>/dev/null || true
	fi
	exec 3>&-
	[ -f "$W/serial.txt" ] && cp "$W/serial.txt" "$LOG_ABS" 2>/dev/null || true
	if [ "$KEEP_W" = 0 ]; then
		rm -rf "$W"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'msg "interrupted"; exit 130' INT TERM HUP

# Bootable CD: isolinux + kernel + initrd.
rm -rf "$W/iso" "$W/boot.iso" "$W/serial.txt" "$W/bochs.log" "$W/bochs.out" "$W/stdin"
mkdir -p "$W/iso/isolinux"
cp "$ISOLINUX_BIN" "$LDLINUX_C32" "$W/iso/isolinux/"
cp "$KERNEL" "$W/iso/vmlinuz"
cp "$INITRD" "$W/iso/initrd.img"
# clearcpuid=fsrm: Bochs reports FSRM without fast strings (memmove dies).
# clearcpuid=pku,xsaves,xsavec: Bochs 2.7 reports wrong XSAVE sizes.
# One clearcpuid= only: Linux 6.1 honours just the last one on the line.
# cryptomgr.notests: the crypto self-tests are ~40% of the instructions of a
# boot to /init (~0.9 of 2.3 billion), i.e. ~10 s of wall time in Bochs.
# nokaslr: the fast kernel runs where it was linked (KASLR lives in the
# decompressor it no longer has); keeps stock and fast boots alike.
CMDLINE="console=ttyS0,115200 nokaslr clearcpuid=fsrm,pku,xsaves,xsavec cryptomgr.notests${EXTRA:+ $EXTRA}"
cat >"$W/iso/isolinux/isolinux.cfg" <<EOF
SERIAL 0 115200
DEFAULT hv
PROMPT 0
TIMEOUT 0
LABEL hv
  KERNEL /vmlinuz
  INITRD /initrd.img
  APPEND $CMDLINE
EOF
$MKISO -quiet -o "$W/boot.iso" -b isolinux/isolinux.bin -c isolinux/boot.cat \
	-no-emul-boot -boot-load-size 4 -boot-info-table -R -J "$W/iso" ||
	die "cannot build the ISO image"
rm -rf "$W/iso"

cat >"$W/bochsrc" <<EOF
# generated by $PROG
cpu: model=corei7_icelake_u, count=1, ips=$IPS, reset_on_triple_fault=1, ignore_bad_msrs=1
memory: guest=$MEM, host=$MEM
romimage: file=$BIOS
vgaromimage: file=$VGABIOS
pci: enabled=1, chipset=i440fx
ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14
ata0-master: type=cdrom, path="$W/boot.iso", status=inserted
boot: cdrom
display_library: rfb, options="timeout=0"
speaker: enabled=0
sound: driver=dummy
mouse: enabled=0
com1: enabled=1, mode=file, dev="$W/serial.txt"
clock: sync=none, time0=local
log: $W/bochs.log
panic: action=fatal
error: action=report
info: action=report
debug: action=ignore
EOF
# Debugger commands: just continue.  The debugger reads stdin once the -rc
# file is exhausted, so stdin must stay open (a fifo we hold open on fd 3).
echo c >"$W/cmds"
mkfifo "$W/stdin"
exec 3<>"$W/stdin"

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
secs() { local ms=$1; printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100)); }

msg "booting $(basename "$KERNEL") ($MODE) + $(basename "$INITRD") in Bochs (timeout ${TIMEOUT}s, workdir $W)"
T0=$(now_ms)
# Bochs's rfb display listens for VNC on every interface with no password;
# where we may, give it a network namespace of its own so nothing can reach it.
netns=
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && unshare -n true 2>/dev/null; then
	netns="unshare -n"
fi
(cd "$W" && exec $netns bochs-bin -q -f bochsrc -rc cmds) <&3 >"$W/bochs.out" 2>&1 &
BPID=$!

T_INIT='' T_DONE='' T_PANIC='' T_RESET='' TIMED_OUT=0
while kill -0 "$BPID" 2>/dev/null; do
	sleep 1
	T=$(now_ms)
	if [ -f "$W/serial.txt" ]; then
		if [ -z "$T_INIT" ] && grep -q -e 'Run /init as init process' -e '^HV-VM: boot' "$W/serial.txt"; then
			T_INIT=$T
			msg "reached /init after $(secs $((T - T0))) s"
		fi
		if [ -z "$T_DONE" ] && grep -q 'HV-VM: done' "$W/serial.txt"; then
			T_DONE=$T
		fi
		if [ -z "$T_PANIC" ] && grep -q 'Kernel panic - not syncing' "$W/serial.txt"; then
			T_PANIC=$T
			msg "kernel panic in the guest; stopping Bochs shortly"
		fi
	fi
	# With its debugger built in, Bochs stops at a prompt when the machine
	# resets (reboot, or a triple fault with reset_on_triple_fault=1) and
	# waits for commands: it never exits by itself then.
	if grep -q "<bochs:[0-9]" "$W/bochs.out" 2>/dev/null; then
		T_RESET=$T
		msg "Bochs stopped in its debugger (guest reset: reboot or triple fault)"
		break
	fi
	# After a panic, leave a few seconds for the backtrace, then stop.
	if [ -n "$T_PANIC" ] && [ $((T - T_PANIC)) -ge 10000 ]; then
		break
	fi
	# "poweroff -f" makes Bochs exit; do not wait forever if it does not.
	if [ -n "$T_DONE" ] && [ $((T - T_DONE)) -ge 120000 ]; then
		msg "guest reported done but Bochs did not exit within 120 s; stopping it"
		break
	fi
	if [ $((T - T0)) -ge $((TIMEOUT * 1000)) ]; then
		TIMED_OUT=1
		break
	fi
done
BRC=0
if kill -0 "$BPID" 2>/dev/null; then
	kill -TERM "$BPID" 2>/dev/null || true
	sleep 1
	kill -KILL "$BPID" 2>/dev/null || true
	wait "$BPID" 2>/dev/null || true
	BRC=killed
else
	wait "$BPID" || BRC=$?
fi
BPID=
T_END=$(now_ms)
exec 3>&-

touch "$W/serial.txt"
cp "$W/serial.txt" "$LOG_ABS"

if [ "$TIMED_OUT" = 1 ]; then
	msg "TIMEOUT: no poweroff after ${TIMEOUT}s wall clock; Bochs killed (log: $LOG)"
	msg "last serial lines:"; tail -n 5 "$W/serial.txt" | sed 's/^/  | /' >&2
	exit 124
fi
msg "Bochs stopped after $(secs $((T_END - T0))) s (bochs exit status $BRC)"
if grep -q 'HV-VM: done' "$W/serial.txt"; then
	msg "boot time: /init $( [ -n "$T_INIT" ] && secs $((T_INIT - T0)) || echo '?') s, done $(secs $(( ${T_DONE:-$T_END} - T0 ))) s, total $(secs $((T_END - T0))) s (wall)"
	exit 0
fi
msg "FAILED: no 'HV-VM: done' in the serial log (log: $LOG)"
[ -n "$T_PANIC" ] && msg "the guest kernel panicked"
[ -n "$T_RESET" ] && msg "the guest reset (reboot or triple fault; see bochs.log, bochs.out in --workdir)"
if [ -s "$W/bochs.log" ]; then
	msg "Bochs log (panics/errors):"
	grep -E "^[0-9]+[pe]\\[|triple|shutdown" "$W/bochs.log" | grep -v -E "RDMSR|WRMSR" |
		tail -n 10 | sed "s/^/  | /" >&2 || true
fi
tail -n 5 "$W/serial.txt" | sed 's/^/  | /' >&2
exit 1
