#!/bin/bash
# Build the busybox initramfs that boots an hv test payload in an emulator.
# Interface: see CONTRACT.txt in this directory. Works as root and as non-root.
set -eu

prog=${0##*/}
here=$(cd "$(dirname "$0")" && pwd)

usage() {
	cat <<EOF
usage: $prog --kver KVER --payload DIR --out FILE

Writes FILE, a gzip-compressed newc cpio archive holding a static busybox
(with its applet links), /init (from $here/init) and DIR copied to /hv.
DIR must contain run.sh. If DIR/modules.list exists, each stock module named
in it (one per line, '#' comments allowed, kvm_amd or kvm-amd) is copied with
its modules.dep dependencies from /lib/modules/KVER, together with filtered
modules.dep/alias/symbols/softdep/order/devname and modules.builtin, so that
busybox 'modprobe NAME' works inside the machine. Compressed modules
(.ko.xz/.ko.zst/.ko.gz) are stored decompressed.

Environment: BUSYBOX=path of a static busybox (default: /bin/busybox or the
one in PATH); MODULES_DIR=module root instead of /lib/modules/KVER;
TMPDIR for scratch space.
EOF
}

die() { echo "$prog: error: $*" >&2; exit 1; }

kver='' payload='' out=''
while [ $# -gt 0 ]; do
	case $1 in
	--kver) [ $# -ge 2 ] || die "--kver needs a value"; kver=$2; shift 2 ;;
	--payload) [ $# -ge 2 ] || die "--payload needs a value"; payload=$2; shift 2 ;;
	--out) [ $# -ge 2 ] || die "--out needs a value"; out=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument '$1'" ;;
	esac
done
[ -n "$kver" ] && [ -n "$payload" ] && [ -n "$out" ] || { usage >&2; die "--kver, --payload and --out are required"; }
[ -d "$payload" ] || die "payload directory '$payload' does not exist"
[ -f "$payload/run.sh" ] || die "payload directory '$payload' has no run.sh"
[ -f "$here/init" ] || die "$here/init is missing"
moddir=${MODULES_DIR:-/lib/modules/$kver}

for tool in cpio gzip find sort awk; do
	command -v "$tool" >/dev/null || die "'$tool' not found (apt-get install cpio gzip findutils coreutils mawk)"
done

# A static busybox: the initramfs holds no libraries.
bb=${BUSYBOX:-}
if [ -z "$bb" ]; then
	for c in /bin/busybox /usr/bin/busybox "$(command -v busybox || true)"; do
		[ -n "$c" ] && [ -x "$c" ] && { bb=$c; break; }
	done
fi
[ -n "$bb" ] && [ -x "$bb" ] || die "busybox not found (apt-get install busybox-static)"
if command -v ldd >/dev/null; then
	case $(LC_ALL=C ldd "$bb" 2>&1 || true) in
	*"not a dynamic executable"*|*"statically linked"*) ;;
	*) die "$bb is dynamically linked; install busybox-static (or set BUSYBOX)" ;;
	esac
fi
"$bb" --list-full >/dev/null 2>&1 || die "$bb does not support --list-full"

stage=$(mktemp -d "${TMPDIR:-/tmp}/hv-initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT
root=$stage/root
mkdir -p "$root"

# --- base layout, busybox and its applet links -----------------------------
(cd "$root" && mkdir -p bin sbin usr/bin usr/sbin dev proc sys tmp run root etc hv lib/modules)
chmod 1777 "$root/tmp"
cp "$bb" "$root/bin/busybox"
chmod 0755 "$root/bin/busybox"
"$bb" --list-full | while read -r applet; do
	[ -e "$root/$applet" ] || [ -L "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done
[ -L "$root/bin/sh" ] || die "busybox has no 'sh' applet"
cp "$here/init" "$root/init"
chmod 0755 "$root/init"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"

# --- payload ---------------------------------------------------------------
cp -R -P --preserve=mode "$payload/." "$root/hv/"

# --- stock modules ---------------------------------------------------------
nmods=0
if [ -f "$payload/modules.list" ]; then
	[ -f "$moddir/modules.dep" ] || die "$moddir/modules.dep not found (is linux-image-$kver installed?)"
	dst=$root/lib/modules/$kver
	mkdir -p "$dst"
	# Resolve names (and their dependencies, recursively) to paths.
	# Output lines: "P <path>" to copy, "B <name>" built in, "M <name>" unknown.
	resolved=$(awk '
		function norm(s) { sub(/\.ko(\.(xz|zst|gz))?$/, "", s); gsub(/-/, "_", s); return s }
		function base(p) { sub(/.*\//, "", p); return norm(p) }
		FILENAME == ARGV[1] {
			p = $1; sub(/:$/, "", p)
			path[base(p)] = p
			deps[p] = ""
			for (i = 2; i <= NF; i++) deps[p] = deps[p] " " $i
			next
		}
		FILENAME == ARGV[2] { builtin[base($1)] = 1; next }
		{
			sub(/#.*/, "")
			for (i = 1; i <= NF; i++) {
				n = norm($i)
				if (n in path) want(path[n])
				else if (n in builtin) print "B " n
				else print "M " $i
			}
		}
		function want(p,   k, a, j) {
			if (p in seen) return
			seen[p] = 1
			print "P " p
			k = split(deps[p], a, " ")
			for (j = 1; j <= k; j++) want(a[j])
		}
	' "$moddir/modules.dep" "$( [ -f "$moddir/modules.builtin" ] && echo "$moddir/modules.builtin" || echo /dev/null)" \
		"$payload/modules.list")
	missing=$(printf '%s\n' "$resolved" | sed -n 's/^M //p' | tr '\n' ' ')
	[ -z "$missing" ] || die "modules.list: not found in $moddir/modules.dep (nor built in): $missing"
	for n in $(printf '%s\n' "$resolved" | sed -n 's/^B //p'); do
		echo "$prog: note: module $n is built into $kver, nothing to copy"
	done
	printf '%s\n' "$resolved" | sed -n 's/^P //p' | sort -u >"$stage/paths"
	while read -r p; do
		src=$moddir/$p
		[ -f "$src" ] || die "$src listed in modules.dep but missing"
		mkdir -p "$dst/$(dirname "$p")"
		case $p in
		*.ko) cp "$src" "$dst/$p" ;;
		*.ko.xz) command -v xz >/dev/null || die "$p is xz-compressed and xz is not installed"
			xz -dc "$src" >"$dst/${p%.xz}" ;;
		*.ko.zst) command -v zstd >/dev/null || die "$p is zstd-compressed and zstd is not installed"
			zstd -dcq "$src" >"$dst/${p%.zst}" ;;
		*.ko.gz) gzip -dc "$src" >"$dst/${p%.gz}" ;;
		*) die "$p: unknown module file type" ;;
		esac
		nmods=$((nmods + 1))
	done <"$stage/paths"
	# Index files restricted to the copied modules, with .ko paths. Module
	# names are compared with '-' and '_' folded, as modprobe does.
	awk -v out="$dst" '
		function norm(s) { sub(/\.ko(\.(xz|zst|gz))?$/, "", s); gsub(/-/, "_", s); return s }
		function base(p) { sub(/.*\//, "", p); return norm(p) }
		function ko(p) { sub(/\.ko\.(xz|zst|gz)$/, ".ko", p); return p }
		FILENAME == ARGV[1] { sel[$1] = 1; name[base($1)] = 1; next }
		FILENAME == ARGV[2] {
			p = $1; sub(/:$/, "", p)
			if (!(p in sel)) next
			line = ko(p) ":"
			for (i = 2; i <= NF; i++) line = line " " ko($i)
			print line > (out "/modules.dep"); next
		}
		FILENAME == ARGV[3] { if ($1 in sel) print ko($1) > (out "/modules.order"); next }
		FILENAME == ARGV[4] { if (norm($3) in name) print > (out "/modules.alias"); next }
		FILENAME == ARGV[5] { if (norm($3) in name) print > (out "/modules.symbols"); next }
		FILENAME == ARGV[6] { if ($1 == "softdep" && norm($2) in name) print > (out "/modules.softdep"); next }
		FILENAME == ARGV[7] { if (norm($1) in name) print > (out "/modules.devname"); next }
	' "$stage/paths" "$moddir/modules.dep" \
		"$( [ -f "$moddir/modules.order" ] && echo "$moddir/modules.order" || echo /dev/null)" \
		"$( [ -f "$moddir/modules.alias" ] && echo "$moddir/modules.alias" || echo /dev/null)" \
		"$( [ -f "$moddir/modules.symbols" ] && echo "$moddir/modules.symbols" || echo /dev/null)" \
		"$( [ -f "$moddir/modules.softdep" ] && echo "$moddir/modules.softdep" || echo /dev/null)" \
		"$( [ -f "$moddir/modules.devname" ] && echo "$moddir/modules.devname" || echo /dev/null)"
	for f in modules.dep modules.order modules.alias modules.symbols modules.softdep modules.devname; do
		[ -e "$dst/$f" ] || : >"$dst/$f"
	done
	[ ! -f "$moddir/modules.builtin" ] || cp "$moddir/modules.builtin" "$dst/"
fi

# --- archive ---------------------------------------------------------------
# A newc entry written by hand, for the one thing cpio cannot take from a
# directory a non-root user can build: the /dev/console node, which the kernel
# opens for /init before any devtmpfs is mounted. The kernel accepts several
# concatenated cpio archives.
newc_entry() { # name mode(octal) nlink rdevmajor rdevminor
	local name=$1 mode=$2 nlink=$3 maj=$4 min=$5 ns pad
	ns=$((${#name} + 1))
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		$((0x48560000 + ${#name})) $((8#$mode)) 0 0 "$nlink" 0 0 0 0 "$maj" "$min" "$ns" 0
	printf '%s\0' "$name"
	pad=$(((4 - (110 + ns) % 4) % 4))
	[ $pad -eq 0 ] || head -c $pad /dev/zero
}

outdir=$(dirname "$out")
[ -d "$outdir" ] || die "output directory '$outdir' does not exist"
tmpout=$(mktemp "$outdir/.${out##*/}.XXXXXX")
trap 'rm -rf "$stage"; rm -f "$tmpout"' EXIT
{
	(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet)
	newc_entry dev/console 020600 1 5 1
	newc_entry TRAILER!!! 0 1 0 0
} | gzip -9 -n >"$tmpout"
chmod 0644 "$tmpout"
mv -f "$tmpout" "$out"
trap 'rm -rf "$stage"' EXIT

echo "$prog: wrote $out ($(( $(wc -c <"$out") / 1024 )) KiB, busybox $("$bb" | sed -n '1s/^BusyBox \(v[^ ]*\).*/\1/p'), $nmods module file(s))"
