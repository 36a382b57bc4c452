// SPDX-License-Identifier: GPL-2.0-only
/* /dev/hv and VM fds: the system ioctls and their bad inputs. */
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "hv_util.h"

HV_TEST(device_is_a_char_device)
{
	struct stat st;

	HV_ASSERT_OK(stat(HV_DEV, &st));
	HV_ASSERT(S_ISCHR(st.st_mode), "mode 0%o", st.st_mode);
	close(hv_open_dev());
}

HV_TEST(api_version_is_12)
{
	int fd = hv_open_dev();

	HV_ASSERT_EQ(ioctl(fd, KVM_GET_API_VERSION, 0), 12);
	HV_ASSERT_ERRNO(ioctl(fd, KVM_GET_API_VERSION, 1), EINVAL);
	close(fd);
}

HV_TEST(check_extension_reports_only_what_works)
{
	char backend[16];
	int fd = hv_open_dev();
	long b;

	HV_ASSERT_EQ(ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_CHECK_EXTENSION_VM), 1);
	b = ioctl(fd, KVM_CHECK_EXTENSION, HV_CAP_BACKEND);
	hv_sysfs_read("backend", backend, sizeof(backend));
	HV_ASSERT_EQ(b, !strcmp(backend, "vmx") ? HV_BACKEND_VMX : HV_BACKEND_SVM);
	/* Unknown capabilities are 0, never an error. */
	HV_ASSERT_EQ(ioctl(fd, KVM_CHECK_EXTENSION, 0x7fffffff), 0);
	HV_ASSERT_EQ(ioctl(fd, KVM_CHECK_EXTENSION, -1L), 0);
	HV_ASSERT_EQ(ioctl(fd, KVM_CHECK_EXTENSION, HV_CAP_BASE + 0xffff), 0);
	close(fd);
}

/* A backend reports guest capabilities exactly when it can run vCPUs. */
HV_TEST(capabilities_match_vcpu_support)
{
	int fd = hv_open_dev(), vm = hv_create_vm(fd), vcpu;
	long mem = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY);

	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0) {
		HV_ASSERT_EQ(errno, EOPNOTSUPP);
		HV_ASSERT_EQ(mem, 0);
		HV_ASSERT_EQ(ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS), 0);
		HV_ASSERT_EQ(ioctl(fd, KVM_CHECK_EXTENSION, HV_CAP_TDP_LEVELS), 0);
	} else {
		HV_ASSERT_EQ(mem, 1);
		HV_ASSERT_EQ(ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS), 256);
		HV_ASSERT_EQ(ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS), 64);
		HV_ASSERT_EQ(ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS), 64);
		HV_ASSERT_EQ(ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_READONLY_MEM), 1);
		HV_ASSERT_EQ(ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT), 1);
		/* NPT follows the host's paging depth (VmallocTotal tells it). */
		HV_ASSERT_EQ(ioctl(fd, KVM_CHECK_EXTENSION, HV_CAP_TDP_LEVELS),
			     hv_meminfo_kb("VmallocTotal") > (64LL << 30) ? 5 : 4);
		close(vcpu);
	}
	close(vm);
	close(fd);
}

HV_TEST(vm_check_extension_matches_system)
{
	int fd = hv_open_dev(), vm = hv_create_vm(fd);

	HV_ASSERT_EQ(ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_CHECK_EXTENSION_VM), 1);
	HV_ASSERT_EQ(ioctl(vm, KVM_CHECK_EXTENSION, HV_CAP_BACKEND),
		     ioctl(fd, KVM_CHECK_EXTENSION, HV_CAP_BACKEND));
	HV_ASSERT_EQ(ioctl(vm, KVM_CHECK_EXTENSION, 0x7fffffff), 0);
	close(vm);
	close(fd);
}

/* QEMU's protocol: start with one entry, double on E2BIG. */
static struct kvm_cpuid2 *get_supported_cpuid(int fd, int *tries)
{
	struct kvm_cpuid2 *c = NULL;
	int n = 1;

	for (*tries = 1;; (*tries)++, n *= 2) {
		free(c);
		c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
		c->nent = n;
		if (!ioctl(fd, KVM_GET_SUPPORTED_CPUID, c))
			return c;
		HV_ASSERT(errno == E2BIG, "KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
		HV_ASSERT_EQ(c->nent, n);	/* left alone on E2BIG, as KVM */
		HV_ASSERT(n < 1024, "never enough entries");
	}
}

static const struct kvm_cpuid_entry2 *find_leaf(const struct kvm_cpuid2 *c,
						unsigned int fn, unsigned int idx)
{
	unsigned int i;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn && c->entries[i].index == idx)
			return &c->entries[i];
	return NULL;
}

HV_TEST(supported_cpuid_e2big_protocol_and_policy)
{
	int fd = hv_open_dev(), tries;
	struct kvm_cpuid2 *c = get_supported_cpuid(fd, &tries);
	const struct kvm_cpuid_entry2 *e;
	char sig[13] = "";

	hv_diag("%u entries after %d tries", c->nent, tries);
	HV_ASSERT(tries > 1 && c->nent > 8, "%u entries", c->nent);
	e = find_leaf(c, 0x40000000, 0);
	HV_ASSERT(e, "no KVM signature leaf");
	memcpy(sig, &e->ebx, 4);
	memcpy(sig + 4, &e->ecx, 4);
	memcpy(sig + 8, &e->edx, 4);
	HV_ASSERT(!strcmp(sig, "KVMKVMKVM"), "signature '%s'", sig);
	/* No paravirtual feature is implemented, so none is advertised. */
	e = find_leaf(c, 0x40000001, 0);
	HV_ASSERT(e && !e->eax && !e->edx, "0x40000001 advertises features");
	e = find_leaf(c, 1, 0);
	HV_ASSERT(e && (e->ecx & (1u << 31)), "hypervisor bit missing");
	HV_ASSERT(!(e->ecx & (1u << 5)), "VMX advertised: no nested virtualization");
	e = find_leaf(c, 0x80000001, 0);
	HV_ASSERT(e && !(e->ecx & (1u << 2)), "SVM advertised: no nested virtualization");
	HV_ASSERT(e->edx & (1u << 29), "long mode missing");
	HV_ASSERT_ERRNO(ioctl(fd, KVM_GET_SUPPORTED_CPUID, NULL), EFAULT);
	free(c);
	close(fd);
}

HV_TEST(msr_index_list_e2big_protocol)
{
	struct kvm_msr_list probe = { .nmsrs = 0 }, *l;
	int fd = hv_open_dev();
	unsigned int i;
	bool star = false, tsc = false, efer = false;

	/* QEMU asks with nmsrs = 0 first: E2BIG, with the count. */
	HV_ASSERT_ERRNO(ioctl(fd, KVM_GET_MSR_INDEX_LIST, &probe), E2BIG);
	HV_ASSERT(probe.nmsrs >= 10, "%u MSRs", probe.nmsrs);
	l = calloc(1, sizeof(*l) + probe.nmsrs * sizeof(l->indices[0]));
	l->nmsrs = probe.nmsrs;
	HV_ASSERT_OK(ioctl(fd, KVM_GET_MSR_INDEX_LIST, l));
	HV_ASSERT_EQ(l->nmsrs, probe.nmsrs);
	for (i = 0; i < l->nmsrs; i++) {
		star |= l->indices[i] == 0xc0000081;
		tsc |= l->indices[i] == 0x10;
		efer |= l->indices[i] == 0xc0000080;
	}
	HV_ASSERT(star && tsc, "STAR or TSC missing from the list");
	HV_ASSERT(!efer, "EFER listed (KVM does not list it)");
	HV_ASSERT_ERRNO(ioctl(fd, KVM_GET_MSR_INDEX_LIST, NULL), EFAULT);
	free(l);
	close(fd);
}

HV_TEST(vcpu_mmap_size)
{
	int fd = hv_open_dev();

	HV_ASSERT_EQ(ioctl(fd, KVM_GET_VCPU_MMAP_SIZE, 0), 2 * getpagesize());
	HV_ASSERT_ERRNO(ioctl(fd, KVM_GET_VCPU_MMAP_SIZE, 1), EINVAL);
	close(fd);
}

HV_TEST(create_vm_type_0_only)
{
	int fd = hv_open_dev(), vm;

	HV_ASSERT_ERRNO(ioctl(fd, KVM_CREATE_VM, 1), EINVAL);
	HV_ASSERT_ERRNO(ioctl(fd, KVM_CREATE_VM, ~0UL), EINVAL);
	HV_ASSERT_EQ(hv_sysfs_long("vms"), 0);
	vm = hv_create_vm(fd);
	HV_ASSERT(fcntl(vm, F_GETFD) & FD_CLOEXEC, "VM fd is not close-on-exec");
	HV_ASSERT_EQ(hv_sysfs_long("vms"), 1);
	close(vm);
	HV_ASSERT_EQ(hv_sysfs_long("vms"), 0);
	close(fd);
}

HV_TEST(vm_outlives_dev_fd)
{
	int fd = hv_open_dev(), vm = hv_create_vm(fd);

	close(fd);
	HV_ASSERT_EQ(ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_CHECK_EXTENSION_VM), 1);
	HV_ASSERT_EQ(hv_sysfs_long("vms"), 1);
	close(vm);
	HV_ASSERT_EQ(hv_sysfs_long("vms"), 0);
}

HV_TEST(bad_ioctls_get_kvm_errnos)
{
	int fd = hv_open_dev(), vm = hv_create_vm(fd);
	char c;

	/* KVM: unknown system ioctl -> EINVAL, unknown VM ioctl -> ENOTTY. */
	HV_ASSERT_ERRNO(ioctl(fd, _IO(KVMIO, 0xff), 0), EINVAL);
	HV_ASSERT_ERRNO(ioctl(fd, KVM_RUN, 0), EINVAL);
	HV_ASSERT_ERRNO(ioctl(fd, _IO(HVIO, 0x00), 0), EINVAL);
	HV_ASSERT_ERRNO(ioctl(vm, _IO(KVMIO, 0xff), 0), ENOTTY);
	HV_ASSERT_ERRNO(ioctl(vm, KVM_GET_API_VERSION, 0), ENOTTY);
	HV_ASSERT_ERRNO(ioctl(vm, KVM_CREATE_VM, 0), ENOTTY);
	/* Neither fd can be read, written or mapped. */
	HV_ASSERT_ERRNO(read(fd, &c, 1), EINVAL);
	HV_ASSERT_ERRNO(write(vm, &c, 1), EINVAL);
	HV_ASSERT(mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED &&
		  errno == ENODEV, "mmap of /dev/hv: %s", strerror(errno));
	HV_ASSERT(mmap(NULL, 4096, PROT_READ, MAP_SHARED, vm, 0) == MAP_FAILED &&
		  errno == ENODEV, "mmap of a VM fd: %s", strerror(errno));
	/* Nothing was lost: the VM still answers. */
	HV_ASSERT_EQ(ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_CHECK_EXTENSION_VM), 1);
	close(vm);
	close(fd);
}

HV_TEST(vm_fd_refused_to_other_process)
{
	int fd = hv_open_dev(), vm = hv_create_vm(fd), status;
	pid_t pid = fork();

	HV_ASSERT(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		int own;

		/* The inherited VM fd belongs to the parent's mm: EIO, like KVM. */
		HV_ASSERT_ERRNO(ioctl(vm, KVM_CHECK_EXTENSION,
				      KVM_CAP_CHECK_EXTENSION_VM), EIO);
		/* The child's own VM works. */
		own = hv_create_vm(fd);
		HV_ASSERT_EQ(ioctl(own, KVM_CHECK_EXTENSION,
				   KVM_CAP_CHECK_EXTENSION_VM), 1);
		close(own);
		exit(0);
	}
	HV_ASSERT_EQ(waitpid(pid, &status, 0), pid);
	HV_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child failed");
	HV_ASSERT_EQ(ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_CHECK_EXTENSION_VM), 1);
	close(vm);
	close(fd);
}

HV_TEST(many_vms_at_once)
{
	int fd = hv_open_dev(), vms[64], i;

	for (i = 0; i < 64; i++)
		vms[i] = hv_create_vm(fd);
	HV_ASSERT_EQ(hv_sysfs_long("vms"), 64);
	HV_ASSERT_EQ(hv_sysfs_long("hw_enabled_cpus"), hv_online_cpus());
	for (i = 0; i < 64; i++)
		close(vms[i]);
	HV_ASSERT_EQ(hv_sysfs_long("vms"), 0);
	HV_ASSERT_EQ(hv_sysfs_long("hw_enabled_cpus"), 0);
	close(fd);
}
