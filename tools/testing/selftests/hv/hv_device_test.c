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
	} else {
		HV_ASSERT_EQ(mem, 1);
		HV_ASSERT_EQ(ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS), 256);
		HV_ASSERT_EQ(ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS), 64);
		HV_ASSERT_EQ(ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS), 64);
		HV_ASSERT_EQ(ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_READONLY_MEM), 1);
		HV_ASSERT_EQ(ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT), 1);
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
