#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkfastkernel.sh - turn /boot/vmlinuz-KVER into a "fast kernel": the same
# kernel as a bzImage whose protected-mode part is NOT compressed.
#
#   mkfastkernel.sh --kver KVER --out FILE [--vmlinuz FILE] [--force] [--debug]
#
# In Bochs the stock kernel spends ~50 s of a ~76 s boot in its XZ
# decompressor.  The fast kernel is
#   [stock real-mode setup sectors, header patched]
#   [fastkernel-stub.s: 32-bit entry at code32_start]
#   [vmlinux laid out by physical address, trailing zeros trimmed]
# The setup code runs unchanged (BIOS e820, video, A20, protected mode) and
# enters the stub, which moves the image to its physical load address, builds
# identity page tables, enters long mode and jumps to startup_64 with
# %rsi = boot_params (the 64-bit boot protocol).  See fastkernel-stub.s.
#
# The kernel runs at its link-time physical address (LOAD_PHYSICAL_ADDR), as
# the decompressor would put it with "nokaslr"; no relocation is applied.  The
# result boots from BIOS loaders (isolinux, QEMU -kernel), not from EFI.
#
# The output is rebuilt only when it is missing or older than the source
# vmlinuz or than these build files (--force: always).  Needs: od, dd, xz (or
# the payload's decompressor), as, objcopy, readelf, cc.
set -eu

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PROG=${0##*/}
STUB_SRC=$HERE/fastkernel-stub.s
ELF_SRC=$HERE/fastkernel-elf.c

usage() {
	cat <<EOF
usage: $PROG --kver KVER --out FILE [--vmlinuz FILE] [--force] [--debug]

  --kver KVER      source kernel /boot/vmlinuz-KVER
  --vmlinuz FILE   source bzImage (instead of /boot/vmlinuz-KVER)
  --out FILE       fast kernel to write (kept as a cache)
  --force          rebuild even if FILE is up to date
  --debug          stub prints progress markers on COM1 (implies --force)
EOF
}
die() { echo "$PROG: error: $*" >&2; exit 1; }
msg() { echo "$PROG: $*" >&2; }

KVER='' SRC='' OUT='' FORCE=0 DEBUG=0
while [ $# -gt 0 ]; do
	case $1 in
	--kver)    [ $# -ge 2 ] || die "$1 needs an argument"; KVER=$2; shift 2 ;;
	--vmlinuz) [ $# -ge 2 ] || die "$1 needs an argument"; SRC=$2; shift 2 ;;
	--out)     [ $# -ge 2 ] || die "$1 needs an argument"; OUT=$2; shift 2 ;;
	--force)   FORCE=1; shift ;;
	--debug)   DEBUG=1; FORCE=1; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument '$1'" ;;
	esac
done
[ -n "$OUT" ] || { usage >&2; die "--out is required"; }
if [ -z "$SRC" ]; then
	[ -n "$KVER" ] || { usage >&2; die "--kver or --vmlinuz is required"; }
	SRC=/boot/vmlinuz-$KVER
fi
[ -f "$SRC" ] || die "$SRC not found"
[ -r "$SRC" ] || die "$SRC is not readable (Debian installs it mode 0600: run as root or copy it)"

# Cache check.
if [ "$FORCE" = 0 ] && [ -s "$OUT" ] && [ "$OUT" -nt "$SRC" ] &&
   [ "$OUT" -nt "$STUB_SRC" ] && [ "$OUT" -nt "$ELF_SRC" ] && [ "$OUT" -nt "${BASH_SOURCE[0]}" ]; then
	msg "$OUT is up to date"
	exit 0
fi

for t in od dd as objcopy readelf "${CC:-cc}"; do
	command -v "$t" >/dev/null || die "'$t' not found (apt-get install binutils gcc coreutils)"
done

T=$(mktemp -d "${TMPDIR:-/tmp}/hv-fastkernel.XXXXXX")
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM HUP

# Little-endian field access.
get_le() {	# FILE OFFSET SIZE(1|2|4)
	od -An -tu"$3" -j "$2" -N "$3" "$1" | tr -d ' \n'
}
put_le() {	# FILE OFFSET SIZE VALUE
	local s='' i
	for ((i = 0; i < $3; i++)); do
		s+=$(printf '\\%03o' $(( ($4 >> (8 * i)) & 255 )))
	done
	printf "$s" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
hex() { printf '0x%x' "$1"; }

# --- the stock bzImage header (Documentation/arch/x86/boot.rst) ---------------
[ "$(od -An -c -j 0x202 -N 4 "$SRC" | tr -d ' \n')" = HdrS ] ||
	die "$SRC: no 'HdrS' boot header: not a bzImage"
VERSION=$(get_le "$SRC" $((0x206)) 2)
[ "$VERSION" -ge $((0x208)) ] ||
	die "$SRC: boot protocol $(hex "$VERSION") < 2.08 has no payload fields"
SETUP_SECTS=$(get_le "$SRC" $((0x1f1)) 1)
[ "$SETUP_SECTS" -ne 0 ] || SETUP_SECTS=4
SETUP_BYTES=$(( (SETUP_SECTS + 1) * 512 ))
LOADFLAGS=$(get_le "$SRC" $((0x211)) 1)
[ $((LOADFLAGS & 1)) -eq 1 ] || die "$SRC: not LOADED_HIGH (zImage?)"
CODE32=$(get_le "$SRC" $((0x214)) 4)
[ "$CODE32" -eq $((0x100000)) ] || die "$SRC: code32_start $(hex "$CODE32") != 0x100000"
PAYLOAD_OFF=$(get_le "$SRC" $((0x248)) 4)
PAYLOAD_LEN=$(get_le "$SRC" $((0x24c)) 4)
[ "$PAYLOAD_LEN" -gt 0 ] || die "$SRC: no payload"

# --- the payload: compressed vmlinux (+ relocs, + 4-byte size) ----------------
dd if="$SRC" of="$T/payload" bs=4096 iflag=skip_bytes,count_bytes \
	skip=$((SETUP_BYTES + PAYLOAD_OFF)) count="$PAYLOAD_LEN" status=none
MAGIC=$(od -An -tx1 -N 6 "$T/payload" | tr -d ' \n')
case $MAGIC in
fd377a585a00*) DECOMP="xz -dc --single-stream" ;;
1f8b*)         DECOMP="gzip -dc" ;;
28b52ffd*)     DECOMP="zstd -dcq" ;;
425a68*)       DECOMP="bzip2 -dc" ;;
5d0000*)       DECOMP="xz -dc --format=lzma" ;;
*) die "$SRC: unknown payload compression (magic $MAGIC)" ;;
esac
command -v "${DECOMP%% *}" >/dev/null || die "'${DECOMP%% *}' needed to unpack $SRC"
# gzip/zstd complain about the trailing 4-byte size; the ELF check decides.
$DECOMP <"$T/payload" >"$T/vmlinux" 2>"$T/decomp.err" || true
[ "$(od -An -tx1 -N 4 "$T/vmlinux" | tr -d ' \n')" = 7f454c46 ] ||
	die "$SRC: payload did not decompress to an ELF file: $(head -c 300 "$T/decomp.err")"

# --- vmlinux -> raw image by physical address ----------------------------------
${CC:-cc} -O2 -Wall -o "$T/fastkernel-elf" "$ELF_SRC" || die "cannot compile $ELF_SRC"
"$T/fastkernel-elf" "$T/vmlinux" "$T/image" >"$T/vars"
KDEST='' KFILELEN='' KMEMEND='' KENTRY=''
. "$T/vars"
[ -n "$KDEST" ] && [ -n "$KFILELEN" ] && [ -n "$KMEMEND" ] && [ -n "$KENTRY" ] ||
	die "fastkernel-elf gave no layout"
# The kernel must start at or above 16 MiB: the stub and the image are loaded
# at 1 MiB and the stub must stay below the kernel's final location.
[ $((KDEST)) -ge $((0x1000000)) ] || die "kernel load address $KDEST below 16 MiB: unsupported"
[ $((KDEST & 0x1fffff)) -eq 0 ] || die "kernel load address $KDEST is not 2 MiB aligned"
PT=$KMEMEND
PT_END=$((KMEMEND + 6 * 0x1000))

# --- the stub ---------------------------------------------------------------------
as --32 -o "$T/stub.o" \
	--defsym KDEST="$KDEST" --defsym KFILELEN="$KFILELEN" \
	--defsym KMEMEND="$KMEMEND" --defsym KENTRY="$KENTRY" --defsym PT="$PT" --defsym DEBUG="$DEBUG" \
	"$STUB_SRC" || die "cannot assemble $STUB_SRC"
readelf -r "$T/stub.o" | grep -q 'no relocations' ||
	die "$STUB_SRC needs relocations; it must be position independent"
objcopy -O binary -j .text "$T/stub.o" "$T/stub.bin"
STUB_LEN=$(stat -c %s "$T/stub.bin")
[ $((STUB_LEN % 16)) -eq 0 ] || die "stub size $STUB_LEN is not a multiple of 16"
PM_LEN=$((STUB_LEN + KFILELEN))
# Loaded at 1 MiB, the stub + image must end below 4 GiB and the stub must end
# below KDEST (the stub checks this again at run time).
[ $((0x100000 + STUB_LEN)) -le $((KDEST)) ] || die "stub too large"

# --- assemble and patch the header ------------------------------------------------
head -c "$SETUP_BYTES" "$SRC" >"$T/out"
cat "$T/stub.bin" "$T/image" >>"$T/out"
# syssize: 16-byte paragraphs of the protected-mode part (stub + image).
put_le "$T/out" $((0x1f4)) 4 $((PM_LEN / 16))
# loadflags: LOADED_HIGH stays; KASLR_FLAG (bit 1) is the decompressor's
# report that it randomized: never set here.
put_le "$T/out" $((0x211)) 1 $((LOADFLAGS & ~2 & 0xff))
# relocatable_kernel = 0: load at code32_start (1 MiB).  The stub is position
# independent, but a relocating loader could put it inside the kernel's final
# location (e.g. at pref_address 16 MiB); kernel_alignment is then unused.
put_le "$T/out" $((0x234)) 1 0
# xloadflags = 0: no 64-bit entry at +0x200 (XLF_KERNEL_64), no EFI handover,
# no loading above 4 GiB; all of those lived in the compressed kernel.
put_le "$T/out" $((0x236)) 2 0
# payload_offset/length: there is no compressed ELF payload any more.
put_le "$T/out" $((0x248)) 4 0
put_le "$T/out" $((0x24c)) 4 0
# pref_address: where the protected-mode part is to be loaded.
put_le "$T/out" $((0x258)) 4 $((0x100000))
put_le "$T/out" $((0x25c)) 4 0
# init_size: memory used from the load address on: stub + image at 1 MiB, the
# kernel from KDEST to its end, the 6 page-table pages.  Loaders keep the
# initrd and command line out of it.
put_le "$T/out" $((0x260)) 4 $((PT_END - 0x100000))
# handover_offset, kernel_info_offset pointed into the compressed kernel.
[ "$VERSION" -ge $((0x20b)) ] && put_le "$T/out" $((0x264)) 4 0
[ "$VERSION" -ge $((0x20f)) ] && put_le "$T/out" $((0x268)) 4 0

mkdir -p "$(dirname "$OUT")"
cp "$T/out" "$OUT.tmp.$$"
mv -f "$OUT.tmp.$$" "$OUT"
msg "built $OUT from $SRC: $(stat -c %s "$OUT") bytes (stub $STUB_LEN, image $KFILELEN at $KDEST, kernel end $KMEMEND, entry $KENTRY, page tables $(hex "$PT"), init_size $(hex $((PT_END - 0x100000))))"
