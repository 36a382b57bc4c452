#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# checkpatch.pl --strict over hv's C sources and headers, with the script
# from Debian's linux-source package (extracted once into build/checkpatch/).
# Usage: checkpatch.sh [FILE...]; default: every tracked .c and .h file.
# Two passes: kernel code (everything outside tools/) and userspace code
# (tools/), the latter with a few more rules ignored.  Prints the findings
# of both and exits 1 if either has any.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=$top/build/checkpatch
tarball=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n 1 || true)

if [ ! -x "$dir/scripts/checkpatch.pl" ]; then
	[ -n "$tarball" ] || { echo "checkpatch: install linux-source-6.1" >&2; exit 2; }
	mkdir -p "$dir"
	base=$(basename "$tarball" .tar.xz)
	tar -xJf "$tarball" -C "$dir" --strip-components=1 \
		"$base/scripts/checkpatch.pl" "$base/scripts/spelling.txt" \
		"$base/scripts/const_structs.checkpatch"
fi

cd "$top"
if [ $# -eq 0 ]; then
	mapfile -t files < <(git ls-files -- '*.c' '*.h')
else
	files=("$@")
fi
kernel=()
user=()
for f in "${files[@]}"; do
	rel=${f#"$top"/}
	case ${rel#./} in
	tools/*) user+=("$f") ;;
	*) kernel+=("$f") ;;
	esac
done

# Both passes: no MAINTAINERS or kernel tree to check paths and SPDX tags
# against, and NEW_TYPEDEFS/CONST_STRUCT are about kernel-wide conventions
# (the type header's u8..s64 shim, the kernel's list of const structs).
ignore=FILE_PATH_CHANGES,SPDX_LICENSE_TAG,NEW_TYPEDEFS,CONST_STRUCT

# Userspace only: rules that presume the kernel's headers or environment.
#   PREFER_DEFINED_ATTRIBUTE_MACRO  __printf(), __aligned(), __maybe_unused
#                        come from <linux/compiler_attributes.h>, which
#                        userspace does not have.
#   ARRAY_SIZE           libhv and the selftests have no such macro (the
#                        unit tests do, from include/hv/hv_types.h).
#   CAMELCASE            libc's names: Elf64_Ehdr, Elf32_Phdr...
#   EMBEDDED_FUNCTION_NAME  "usage:" printed by usage(), the "outb"
#                        instruction in the guests' outb()...
#   VOLATILE             sig_atomic_t flags and pointers that signal
#                        handlers read must be volatile.
#   PREFER_KERNEL_TYPES  programs use <stdint.h> (checkpatch itself already
#                        exempts tools/).
#   SPLIT_STRING         help texts and long messages are split to fit in
#                        100 columns: checkpatch lets only the kernel's
#                        printk-like functions have longer lines.
# BIT_MACRO is kept: the programs without BIT() define their own.
ignore_user=PREFER_DEFINED_ATTRIBUTE_MACRO,ARRAY_SIZE,CAMELCASE
ignore_user+=,EMBEDDED_FUNCTION_NAME,VOLATILE,PREFER_KERNEL_TYPES,SPLIT_STRING

checkpatch() { # ignore-list file...
	local types=$1

	shift
	[ $# -gt 0 ] || return 0
	"$dir/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
		--ignore "$types" --file "$@"
}

rc=0
checkpatch "$ignore" "${kernel[@]}" || rc=1
checkpatch "$ignore,$ignore_user" "${user[@]}" || rc=1
exit $rc
