#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Runs inside a test machine as /hv/run.sh (see CONTRACT.txt): loads hv.ko,
# runs every selftest, unloads hv.ko.  Setup and teardown report as KTAP
# suites of their own so that a failed insmod is a failure, not silence.
cd /hv || exit 1
export HV_MODULE=/hv/hv.ko
export HV_TEST_TIMEOUT="${HV_TEST_TIMEOUT:-600}"

ktap_line() { # n ok|not-ok description
	if [ "$2" = ok ]; then echo "ok $1 $3"; else echo "not ok $1 $3"; fi
}

# A machine without VT-x/AMD-V: hv must refuse to load, say why, once.
if ! grep -qwE 'svm|vmx' /proc/cpuinfo; then
	echo "KTAP version 1"
	echo "# hv-vm: CPU without VT-x/AMD-V"
	echo "1..3"
	err=$(insmod /hv/hv.ko 2>&1)
	if [ $? -ne 0 ] && [ ! -e /dev/hv ]; then ktap_line 1 ok "insmod hv.ko fails"
	else ktap_line 1 not-ok "insmod hv.ko fails"; fi
	echo "# insmod: $err"
	case $err in
	*"No such device"*) ktap_line 2 ok "insmod fails with ENODEV" ;;
	*) ktap_line 2 not-ok "insmod fails with ENODEV" ;;
	esac
	# busybox insmod tries finit_module, then init_module: two attempts,
	# so count distinct messages of hv's (the kernel's taint notes aside).
	msgs=$(dmesg | sed -n 's/^\[[^]]*\] hv: //p' | grep -v 'taints kernel\|verification failed' | sort -u)
	echo "# hv says: $msgs"
	if [ "$(echo "$msgs" | grep -c .)" = 1 ] && echo "$msgs" | grep -q '^no AMD-V\|^no VT-x'; then
		ktap_line 3 ok "one dmesg message says there is no VT-x/AMD-V"
	else
		ktap_line 3 not-ok "one dmesg message says there is no VT-x/AMD-V"
	fi
	exit 0
fi

echo "KTAP version 1"
echo "# hv-vm setup"
echo "1..3"
modprobe msr >/dev/null 2>&1
if [ -e /dev/cpu/0/msr ]; then ktap_line 1 ok "msr driver loaded"
else ktap_line 1 not-ok "msr driver loaded"; fi
if grep -qw svm /proc/cpuinfo; then kvm=kvm_amd; else kvm=kvm_intel; fi
if modprobe $kvm && [ -e /dev/kvm ]; then ktap_line 2 ok "$kvm loaded as the side-by-side baseline"
else ktap_line 2 not-ok "$kvm loaded as the side-by-side baseline"; fi
if insmod /hv/hv.ko && [ -c /dev/hv ]; then
	ktap_line 3 ok "insmod hv.ko creates /dev/hv"
else
	ktap_line 3 not-ok "insmod hv.ko creates /dev/hv"
	exit 1
fi

rc=0
for t in /hv/selftests/*_test; do
	"$t" || rc=1
done

# hvrun (the custom VMM on libhv) greets from a guest in every CPU mode.
if [ -x /hv/tools/hvrun ]; then
	backend=$(cat /sys/class/misc/hv/backend)
	demo=$(sh /hv/demo.sh --dev /dev/hv /hv/tools 2>&1)
	echo "KTAP version 1"
	echo "# hvrun demo guests on /dev/hv"
	echo "1..4"
	echo "$demo" | sed 's/^/# /'
	n=0
	for m in real prot32 long4 long5; do
		n=$((n + 1))
		if [ "$backend" = vmx ]; then
			echo "ok $n hvrun $m guest # SKIP the VMX backend runs no vCPUs yet"
			continue
		fi
		case $demo in
		*"demo: $m: ok"*) echo "ok $n hvrun $m guest greets" ;;
		*"demo: $m: skipped"*) echo "ok $n hvrun $m guest # SKIP the device offers no LA57" ;;
		*) echo "not ok $n hvrun $m guest greets"; rc=1 ;;
		esac
	done
fi

echo "KTAP version 1"
echo "# hv-vm teardown"
echo "1..1"
if rmmod hv && [ ! -e /dev/hv ]; then ktap_line 1 ok "rmmod hv.ko after the suite"
else ktap_line 1 not-ok "rmmod hv.ko after the suite"; rc=1; fi
exit $rc
