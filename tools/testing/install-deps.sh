#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Installs what `make check` needs on Debian 12, with apt-get, when missing.
# Prints the emulated machines' kernel release (KVER=...) and the 6.12
# headers directory (K612=...) for the caller to eval.
set -eu

need=(gcc make libc6-dev sparse kmod xz-utils cpio busybox-static
      qemu-system-x86 bochs bochsbios vgabios isolinux syslinux-common
      genisoimage linux-image-amd64 linux-headers-amd64 linux-source-6.1)

missing() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed$' || echo "$p"
	done
}

install() {
	[ $# -gt 0 ] || return 0
	if [ "$(id -u)" != 0 ]; then
		echo "install-deps: missing packages: $*" >&2
		echo "install-deps: run 'make check' as root, or: sudo apt-get install $*" >&2
		exit 1
	fi
	echo "install-deps: apt-get install $*" >&2
	if [ -z "${HV_APT_UPDATED:-}" ]; then
		apt-get update -qq >&2
		HV_APT_UPDATED=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

# shellcheck disable=SC2046
install $(missing "${need[@]}")

# The machines boot the kernel that linux-image-amd64 points to; the module
# for them must be built against that kernel's own headers.
kpkg=$(dpkg-query -W -f='${Depends}' linux-image-amd64 | sed 's/[ ,(].*//')
kver=${kpkg#linux-image-}
# shellcheck disable=SC2046
install $(missing "linux-headers-$kver")

# The newest 6.12 headers: installed ones, else the archive's.
k612=$(ls -d /usr/src/linux-headers-6.12.*-amd64 2>/dev/null | grep -v -- '-rt-\|-cloud-' | sort -V | tail -n 1 || true)
if [ -z "$k612" ]; then
	[ -n "${HV_APT_UPDATED:-}" ] || [ "$(id -u)" != 0 ] || { apt-get update -qq >&2; HV_APT_UPDATED=1; }
	pkg=$(apt-cache search --names-only '^linux-headers-6\.12\.[0-9]+\+deb12-amd64$' |
	      awk '{print $1}' | sort -V | tail -n 1)
	[ -n "$pkg" ] || { echo "install-deps: no linux-headers-6.12 package in the archive" >&2; exit 1; }
	install "$pkg"
	k612=/usr/src/${pkg}
fi
echo "KVER=$kver"
echo "K612=$k612"
