// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hardware detection and enabling: the report matches CPUID and the VMX
 * MSRs, VMX/SVM is on exactly while a VM exists, CPU hotplug, coexistence
 * with KVM, no leaks over many VMs, and module unloading.
 */
#include <sys/klog.h>
#include <sys/syscall.h>
#include <time.h>

#include "hv_util.h"

#define BIT_ULL(nr)		(1ULL << (nr))

#define MSR_EFER		0xc0000080
#define EFER_SVME		BIT_ULL(12)
#define MSR_VMX_PROCBASED2	0x48b
#define MSR_VMX_EPT_VPID_CAP	0x48c
#define MSR_VMX_BASIC		0x480

static void expect_feature(const char *features, const char *name, bool want)
{
	HV_ASSERT(hv_has_word(features, name) == want,
		  "feature '%s' %s in hv's report but %s by the hardware: '%s'",
		  name, want ? "missing" : "present", want ? "set" : "clear",
		  features);
}

HV_TEST(backend_matches_cpuid)
{
	unsigned int a, b, c, d;
	char backend[16];
	enum hv_cpu_vendor v = hv_cpu_vendor();

	hv_sysfs_read("backend", backend, sizeof(backend));
	hv_diag("hv backend: %s", backend);
	if (v == HV_CPU_INTEL) {
		__cpuid(1, a, b, c, d);
		HV_ASSERT(c & (1u << 5), "Intel CPU without VMX, yet hv loaded");
		HV_ASSERT(!strcmp(backend, "vmx"), "backend '%s' on Intel", backend);
	} else if (v == HV_CPU_AMD) {
		__cpuid(0x80000001, a, b, c, d);
		HV_ASSERT(c & (1u << 2), "AMD CPU without SVM, yet hv loaded");
		HV_ASSERT(!strcmp(backend, "svm"), "backend '%s' on AMD", backend);
	} else {
		HV_SKIP("CPU vendor is neither Intel nor AMD");
	}
}

HV_TEST(features_match_hardware)
{
	char features[1024], caps[1024], backend[16], want[64];
	uint64_t p2, ept, basic;
	unsigned int a, b, c, d;

	hv_sysfs_read("backend", backend, sizeof(backend));
	hv_sysfs_read("features", features, sizeof(features));
	hv_sysfs_read("caps", caps, sizeof(caps));
	hv_diag("features: %s", features);

	if (!strcmp(backend, "svm")) {
		__cpuid(0x8000000a, a, b, c, d);
		expect_feature(features, "npt", d & (1u << 0));
		expect_feature(features, "nrips", d & (1u << 3));
		expect_feature(features, "vmcb_clean", d & (1u << 5));
		expect_feature(features, "flush_by_asid", d & (1u << 6));
		expect_feature(features, "decode_assists", d & (1u << 7));
		expect_feature(features, "avic", d & (1u << 13));
		expect_feature(features, "vgif", d & (1u << 16));
		snprintf(want, sizeof(want), "asids=%u\n", b);
		HV_ASSERT(strstr(caps, want), "caps lack '%s': %s", want, caps);
		return;
	}

	/* VMX: compare against the capability MSRs read independently. */
	if (!hv_msr_available())
		HV_SKIP("/dev/cpu/0/msr missing (modprobe msr) to read VMX MSRs");
	HV_ASSERT(hv_rdmsr(0, MSR_VMX_BASIC, &basic), "read IA32_VMX_BASIC");
	snprintf(want, sizeof(want), "revision=%u\n", (unsigned int)(basic & 0x7fffffff));
	HV_ASSERT(!strncmp(caps, want, strlen(want)), "caps '%s' want '%s'", caps, want);
	if (!hv_rdmsr(0, MSR_VMX_PROCBASED2, &p2))
		p2 = 0;
	if (!hv_rdmsr(0, MSR_VMX_EPT_VPID_CAP, &ept))
		ept = 0;
	expect_feature(features, "ept", p2 & BIT_ULL(32 + 1));
	expect_feature(features, "desc_table_exiting", p2 & BIT_ULL(32 + 2));
	expect_feature(features, "vpid", p2 & BIT_ULL(32 + 5));
	expect_feature(features, "unrestricted_guest", p2 & BIT_ULL(32 + 7));
	expect_feature(features, "spp", p2 & BIT_ULL(32 + 23));
	expect_feature(features, "ept_4level", ept & BIT_ULL(6));
	expect_feature(features, "ept_5level", ept & BIT_ULL(7));
	expect_feature(features, "ept_ad", ept & BIT_ULL(21));
}

/* SVM only: EFER.SVME on each online CPU, as an independent witness. */
static void expect_svme(bool want)
{
	int cpu, n = (int)sysconf(_SC_NPROCESSORS_CONF);
	uint64_t efer;

	for (cpu = 0; cpu < n; cpu++) {
		if (!hv_cpu_online(cpu))
			continue;
		HV_ASSERT(hv_rdmsr(cpu, MSR_EFER, &efer), "read EFER of CPU %d", cpu);
		HV_ASSERT(!!(efer & EFER_SVME) == want, "CPU %d EFER 0x%llx, SVME %s",
			  cpu, (unsigned long long)efer, want ? "expected" : "unexpected");
	}
}

static bool is_svm(void)
{
	char backend[16];

	hv_sysfs_read("backend", backend, sizeof(backend));
	return !strcmp(backend, "svm");
}

HV_TEST(hardware_enabled_only_while_vm_exists)
{
	bool svm = is_svm() && hv_msr_available();
	int fd = hv_open_dev(), vm1, vm2;

	if (!svm)
		hv_diag("no EFER witness (VMX, or no msr driver): sysfs only");
	HV_ASSERT_EQ(hv_sysfs_long("hw_enabled_cpus"), 0);
	if (svm)
		expect_svme(false);
	vm1 = hv_create_vm(fd);
	HV_ASSERT_EQ(hv_sysfs_long("hw_enabled_cpus"), hv_online_cpus());
	if (svm)
		expect_svme(true);
	vm2 = hv_create_vm(fd);
	close(vm1);
	/* Still one VM: still on. */
	HV_ASSERT_EQ(hv_sysfs_long("hw_enabled_cpus"), hv_online_cpus());
	if (svm)
		expect_svme(true);
	close(vm2);
	HV_ASSERT_EQ(hv_sysfs_long("hw_enabled_cpus"), 0);
	if (svm)
		expect_svme(false);
	close(fd);
}

HV_TEST(cpu_hotplug_follows_vms)
{
	int fd, vm, last = (int)sysconf(_SC_NPROCESSORS_CONF) - 1;
	bool svm = is_svm() && hv_msr_available();

	if (last < 1 || !hv_cpu_online(last))
		HV_SKIP("needs a second online CPU to take offline");
	if (hv_set_cpu_online(last, false))
		HV_SKIP("CPU %d cannot be taken offline: %s", last, strerror(errno));
	HV_ASSERT_OK(hv_set_cpu_online(last, true));

	fd = hv_open_dev();
	vm = hv_create_vm(fd);
	HV_ASSERT_EQ(hv_sysfs_long("hw_enabled_cpus"), hv_online_cpus());
	HV_ASSERT_OK(hv_set_cpu_online(last, false));
	HV_ASSERT_EQ(hv_sysfs_long("hw_enabled_cpus"), hv_online_cpus());
	HV_ASSERT_OK(hv_set_cpu_online(last, true));
	HV_ASSERT_EQ(hv_sysfs_long("hw_enabled_cpus"), hv_online_cpus());
	if (svm)
		expect_svme(true);
	close(vm);
	HV_ASSERT_EQ(hv_sysfs_long("hw_enabled_cpus"), 0);

	/* A CPU that comes up while no VM exists stays off. */
	HV_ASSERT_OK(hv_set_cpu_online(last, false));
	HV_ASSERT_OK(hv_set_cpu_online(last, true));
	HV_ASSERT_EQ(hv_sysfs_long("hw_enabled_cpus"), 0);
	if (svm)
		expect_svme(false);
	close(fd);
}

static bool dmesg_contains(const char *needle)
{
	static char buf[1 << 20];
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, sizeof(buf) - 1);

	if (n < 0)
		return false;
	buf[n] = '\0';
	return strstr(buf, needle);
}

HV_TEST(coexists_with_kvm)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC), fd, kvm_vm, vm;

	if (kvm < 0)
		HV_SKIP("no /dev/kvm (kvm_intel/kvm_amd not loaded): %s", strerror(errno));
	fd = hv_open_dev();

	/* KVM holds the hardware: hv refuses, says why, changes nothing. */
	kvm_vm = ioctl(kvm, KVM_CREATE_VM, 0);
	HV_ASSERT(kvm_vm >= 0, "KVM_CREATE_VM on /dev/kvm: %s", strerror(errno));
	HV_ASSERT_ERRNO(ioctl(fd, KVM_CREATE_VM, 0), EBUSY);
	HV_ASSERT(dmesg_contains("in use by another hypervisor"),
		  "no dmesg line explains the EBUSY");
	HV_ASSERT_EQ(hv_sysfs_long("hw_enabled_cpus"), 0);
	HV_ASSERT_EQ(hv_sysfs_long("vms"), 0);
	/* ... and KVM's VM still works. */
	HV_ASSERT_EQ(ioctl(kvm_vm, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY), 1);
	close(kvm_vm);

	/* hv holds it: KVM refuses. */
	vm = hv_create_vm(fd);
	HV_ASSERT_ERRNO(ioctl(kvm, KVM_CREATE_VM, 0), EBUSY);
	close(vm);

	/* Both released: each works again. */
	kvm_vm = ioctl(kvm, KVM_CREATE_VM, 0);
	HV_ASSERT(kvm_vm >= 0, "KVM_CREATE_VM after hv released: %s", strerror(errno));
	close(kvm_vm);
	vm = hv_create_vm(fd);
	close(vm);
	close(kvm);
	close(fd);
}

/* Active objects per slab cache, from /proc/slabinfo. */
struct slab_count {
	char name[64];
	long objs;
	long size;
};

#define MAX_CACHES 1024

static int read_slabinfo(struct slab_count *c)
{
	char line[512];
	FILE *f = fopen("/proc/slabinfo", "r");
	int n = 0;

	if (!f)
		return -1;
	while (n < MAX_CACHES && fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || !strncmp(line, "slabinfo", 8))
			continue;
		if (sscanf(line, "%63s %ld %*d %ld", c[n].name, &c[n].objs,
			   &c[n].size) == 3)
			n++;
	}
	fclose(f);
	return n;
}

/*
 * Files and dentries are freed after an RCU grace period: wait for a few
 * (MEMBARRIER_CMD_GLOBAL runs synchronize_rcu()) and let callbacks run, so
 * that the counts say what is still allocated, not what is queued for freeing.
 */
static void settle_rcu(void)
{
	int i;

	for (i = 0; i < 3; i++) {
		syscall(SYS_membarrier, 1 /* MEMBARRIER_CMD_GLOBAL */, 0, 0);
		usleep(100000);
	}
}

/*
 * Anything hv leaks per VM leaves about one object per cycle in some slab
 * cache, however small the object; caching noise is a few slabs' worth and
 * does not grow with the number of cycles.
 */
HV_TEST(vm_create_destroy_1000_cycles_no_leak)
{
	static struct slab_count before[MAX_CACHES], after[MAX_CACHES];
	const int warmup = 100, cycles = 1000;
	long worst = 0, free0, free1;
	int fd = hv_open_dev(), i, j, n0, n1, worst_i = -1;
	struct timespec t0, t1;
	double us;

	for (i = 0; i < warmup; i++)
		close(hv_create_vm(fd));
	settle_rcu();
	n0 = read_slabinfo(before);
	if (n0 < 0)
		HV_SKIP("/proc/slabinfo unreadable (needs root): %s", strerror(errno));
	free0 = hv_meminfo_kb("MemFree");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < cycles; i++)
		close(hv_create_vm(fd));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	settle_rcu();
	n1 = read_slabinfo(after);
	free1 = hv_meminfo_kb("MemFree");
	us = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / 1e3 / cycles;

	for (i = 0; i < n1; i++) {
		for (j = 0; j < n0 && strcmp(before[j].name, after[i].name); j++)
			;
		if (j < n0 && after[i].objs - before[j].objs > worst) {
			worst = after[i].objs - before[j].objs;
			worst_i = i;
		}
	}
	hv_diag("%d VM create/destroy cycles: %.1f us/cycle (machine time), MemFree %+ld KiB",
		cycles, us, free1 - free0);
	hv_diag("largest slab growth: %+ld objects (%s)", worst,
		worst_i >= 0 ? after[worst_i].name : "none");
	HV_ASSERT_EQ(hv_sysfs_long("vms"), 0);
	HV_ASSERT_EQ(hv_sysfs_long("hw_enabled_cpus"), 0);
	HV_ASSERT(worst < cycles / 4, "slab cache %s grew by %ld objects in %d cycles",
		  after[worst_i].name, worst, cycles);
	close(fd);
}

HV_TEST(unload_refused_while_vm_open)
{
	int fd = hv_open_dev(), vm = hv_create_vm(fd);

	if (geteuid())
		HV_SKIP("needs root to try delete_module");
	close(fd);
	/* Only the VM fd pins the module now. */
	HV_ASSERT_ERRNO(syscall(SYS_delete_module, "hv", O_NONBLOCK), EWOULDBLOCK);
	HV_ASSERT_EQ(ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_CHECK_EXTENSION_VM), 1);
	close(vm);
}

HV_TEST(unload_and_reload)
{
	const char *ko = getenv("HV_MODULE");
	int i, mod;

	if (!ko)
		HV_SKIP("HV_MODULE (path of hv.ko) not set, so no reload possible");
	if (geteuid())
		HV_SKIP("needs root to unload and load modules");
	HV_ASSERT_OK(syscall(SYS_delete_module, "hv", O_NONBLOCK));
	HV_ASSERT(access(HV_DEV, F_OK) != 0, "/dev/hv still there after unload");
	mod = open(ko, O_RDONLY | O_CLOEXEC);
	HV_ASSERT(mod >= 0, "open %s: %s", ko, strerror(errno));
	HV_ASSERT_OK(syscall(SYS_finit_module, mod, "", 0));
	close(mod);
	for (i = 0; i < 100 && access(HV_DEV, F_OK); i++)
		usleep(10000);
	close(hv_create_vm(hv_open_dev()));
}
