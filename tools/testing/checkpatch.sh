#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# checkpatch.pl --strict over hv's C sources and headers, with the script
# from Debian's linux-source package (extracted once into build/checkpatch/).
# Usage: checkpatch.sh [FILE...]; prints the findings, exits 1 if any.
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
	mapfile -t files < <(git ls-files -- '*.c' '*.h' | grep -v '^tools/testing/hv-unit/cpuid_hosts.h$')
else
	files=("$@")
fi
# Userspace code follows the same style; the kernel-only rules that make
# no sense there (printf, new typedefs in the type header) are not applied.
"$dir/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
	--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG,NEW_TYPEDEFS,CONST_STRUCT \
	--file "${files[@]}"
