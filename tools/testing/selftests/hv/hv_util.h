/* SPDX-License-Identifier: GPL-2.0-only */
/* Helpers shared by hv's selftests: the device, sysfs, MSRs, CPUs, memory. */
#ifndef HV_UTIL_H
#define HV_UTIL_H

#include <cpuid.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>
#include <linux/hv.h>

#include "hv_test.h"

#define HV_DEV		"/dev/hv"
#define HV_SYSFS	"/sys/class/misc/hv/"

static inline int hv_open_dev(void)
{
	int fd = open(HV_DEV, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		HV_FAIL("open %s: %s (is hv.ko loaded?)", HV_DEV, strerror(errno));
	return fd;
}

static inline int hv_create_vm(int devfd)
{
	int vm = ioctl(devfd, KVM_CREATE_VM, 0);

	if (vm < 0)
		HV_FAIL("KVM_CREATE_VM: %s", strerror(errno));
	return vm;
}

/* Reads a sysfs file of /dev/hv into @buf (newline stripped). */
static inline void hv_sysfs_read(const char *name, char *buf, size_t size)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), HV_SYSFS "%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		HV_FAIL("open %s: %s", path, strerror(errno));
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		HV_FAIL("read %s: %s", path, strerror(errno));
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
}

static inline long hv_sysfs_long(const char *name)
{
	char buf[64];

	hv_sysfs_read(name, buf, sizeof(buf));
	return strtol(buf, NULL, 0);
}

/* Is @word one of the space-separated words of @list? */
static inline bool hv_has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p = list;

	while ((p = strstr(p, word))) {
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
		p += n;
	}
	return false;
}

/* MSR of CPU @cpu through the msr driver; false when unavailable. */
static inline bool hv_rdmsr(int cpu, uint32_t msr, uint64_t *val)
{
	char path[64];
	bool ok;
	int fd;

	snprintf(path, sizeof(path), "/dev/cpu/%d/msr", cpu);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	ok = pread(fd, val, sizeof(*val), msr) == sizeof(*val);
	close(fd);
	return ok;
}

static inline bool hv_msr_available(void)
{
	return access("/dev/cpu/0/msr", R_OK) == 0;
}

static inline int hv_online_cpus(void)
{
	return (int)sysconf(_SC_NPROCESSORS_ONLN);
}

static inline bool hv_cpu_online(int cpu)
{
	char path[96], c = '1';
	int fd;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return cpu == 0;
	if (read(fd, &c, 1) != 1)
		c = '0';
	close(fd);
	return c == '1';
}

/* Returns 0, or -1 with errno when the CPU cannot be switched. */
static inline int hv_set_cpu_online(int cpu, bool online)
{
	char path[96];
	int fd, r;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	r = write(fd, online ? "1" : "0", 1) == 1 ? 0 : -1;
	close(fd);
	return r;
}

/* A /proc/meminfo field, in KiB; -1 if absent. */
static inline long hv_meminfo_kb(const char *field)
{
	char line[256];
	size_t n = strlen(field);
	long val = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, n) && line[n] == ':') {
			val = strtol(line + n + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return val;
}

enum hv_cpu_vendor { HV_CPU_OTHER, HV_CPU_INTEL, HV_CPU_AMD };

static inline enum hv_cpu_vendor hv_cpu_vendor(void)
{
	unsigned int a, b, c, d;
	char v[13];

	__cpuid(0, a, b, c, d);
	memcpy(v, &b, 4);
	memcpy(v + 4, &d, 4);
	memcpy(v + 8, &c, 4);
	v[12] = '\0';
	if (!strcmp(v, "GenuineIntel"))
		return HV_CPU_INTEL;
	if (!strcmp(v, "AuthenticAMD"))
		return HV_CPU_AMD;
	return HV_CPU_OTHER;
}

#endif /* HV_UTIL_H */
