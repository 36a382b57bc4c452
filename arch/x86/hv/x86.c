// SPDX-License-Identifier: GPL-2.0-only
/*
 * x86 core: picks the vendor backend and keeps VMX/SVM operation enabled on
 * every online CPU exactly while at least one VM exists, so that hv coexists
 * with kvm_intel/kvm_amd, which do the same.
 */
#define pr_fmt(fmt) "hv: " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/reboot.h>
#include <linux/syscore_ops.h>
#include <linux/sysfs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/fpu/xcr.h>
#include <asm/fpu/xstate.h>

#include <linux/hv.h>

#include "x86.h"

const struct hv_x86_ops *hv_ops;

/*
 * hv_hw_users counts VMs; the hardware is on while it is non-zero.  Taken with
 * cpus_read_lock() held (outside hv_hw_lock) when enabling across CPUs, and by
 * the hotplug callbacks, which run with the hotplug lock held for write.
 */
static DEFINE_MUTEX(hv_hw_lock);
static unsigned int hv_hw_users;
static bool hv_hw_rebooting;
static enum cpuhp_state hv_cpuhp_state;
static DEFINE_PER_CPU(bool, hv_hw_enabled);

static int hv_hw_enable_this_cpu(void)
{
	int r;

	if (__this_cpu_read(hv_hw_enabled))
		return 0;
	r = hv_ops->hardware_enable();
	if (r) {
		pr_warn_ratelimited("%s is in use by another hypervisor on CPU %d; VM not created\n",
				    hv_ops->backend == HV_BACKEND_VMX ? "VT-x" : "AMD-V",
				    raw_smp_processor_id());
		return r;
	}
	__this_cpu_write(hv_hw_enabled, true);
	return 0;
}

static void hv_hw_disable_this_cpu(void)
{
	if (!__this_cpu_read(hv_hw_enabled))
		return;
	hv_ops->hardware_disable();
	__this_cpu_write(hv_hw_enabled, false);
}

static void hv_hw_enable_ipi(void *failed)
{
	if (hv_hw_enable_this_cpu())
		atomic_inc(failed);
}

static void hv_hw_disable_ipi(void *unused)
{
	hv_hw_disable_this_cpu();
}

int hv_arch_hw_get(void)
{
	atomic_t failed = ATOMIC_INIT(0);
	int r = 0;

	cpus_read_lock();
	mutex_lock(&hv_hw_lock);
	if (hv_hw_rebooting) {
		r = -EBUSY;
	} else if (hv_hw_users++ == 0) {
		on_each_cpu(hv_hw_enable_ipi, &failed, 1);
		if (atomic_read(&failed)) {
			hv_hw_users = 0;
			on_each_cpu(hv_hw_disable_ipi, NULL, 1);
			r = -EBUSY;
		}
	}
	mutex_unlock(&hv_hw_lock);
	cpus_read_unlock();
	return r;
}

void hv_arch_hw_put(void)
{
	cpus_read_lock();
	mutex_lock(&hv_hw_lock);
	if (!WARN_ON_ONCE(!hv_hw_users) && --hv_hw_users == 0)
		on_each_cpu(hv_hw_disable_ipi, NULL, 1);
	mutex_unlock(&hv_hw_lock);
	cpus_read_unlock();
}

unsigned int hv_arch_hw_enabled_cpus(void)
{
	unsigned int cpu, n = 0;

	for_each_possible_cpu(cpu)
		n += per_cpu(hv_hw_enabled, cpu);
	return n;
}

/* Hotplug callbacks run on the CPU going up or down. */
static int hv_cpu_online(unsigned int cpu)
{
	int r;

	r = hv_ops->check_processor_compat();
	if (r)
		return r;
	mutex_lock(&hv_hw_lock);
	if (hv_hw_users && !hv_hw_rebooting) {
		local_irq_disable();
		r = hv_hw_enable_this_cpu();
		local_irq_enable();
	}
	mutex_unlock(&hv_hw_lock);
	return r;
}

static int hv_cpu_offline(unsigned int cpu)
{
	mutex_lock(&hv_hw_lock);
	local_irq_disable();
	hv_hw_disable_this_cpu();
	local_irq_enable();
	mutex_unlock(&hv_hw_lock);
	return 0;
}

/*
 * VMX operation blocks INIT, so a CPU left in it cannot be restarted: leave
 * it on every CPU before reboot, and refuse new VMs from then on.
 */
static int hv_reboot(struct notifier_block *nb, unsigned long code, void *unused)
{
	mutex_lock(&hv_hw_lock);
	hv_hw_rebooting = true;
	on_each_cpu(hv_hw_disable_ipi, NULL, 1);
	mutex_unlock(&hv_hw_lock);
	return NOTIFY_OK;
}

static struct notifier_block hv_reboot_nb = {
	.notifier_call = hv_reboot,
	.priority = 0,
};

/* Suspend runs on the last online CPU with interrupts off; others are down. */
static int hv_suspend(void)
{
	hv_hw_disable_this_cpu();
	return 0;
}

static void hv_resume(void)
{
	if (hv_hw_users)
		WARN_ON_ONCE(hv_hw_enable_this_cpu());
}

static struct syscore_ops hv_syscore_ops = {
	.suspend = hv_suspend,
	.resume = hv_resume,
};

long hv_arch_check_extension(struct hv_vm *vm, long ext)
{
	/* Nothing below works on a backend that cannot run vCPUs yet. */
	bool vcpus = hv_ops->run;

	switch (ext) {
	case HV_CAP_BACKEND:
		return hv_ops->backend;
	case HV_CAP_TDP_LEVELS:
		return vcpus ? hv_ops->tdp_levels() : 0;
	case KVM_CAP_USER_MEMORY:
	case KVM_CAP_DESTROY_MEMORY_REGION_WORKS:
	case KVM_CAP_JOIN_MEMORY_REGIONS_WORKS:
	case KVM_CAP_READONLY_MEM:
	case KVM_CAP_IMMEDIATE_EXIT:
	case KVM_CAP_MP_STATE:
	case KVM_CAP_EXT_CPUID:
	case KVM_CAP_VCPU_EVENTS:
	case KVM_CAP_USER_NMI:
	case KVM_CAP_SET_TSS_ADDR:
	case KVM_CAP_SET_IDENTITY_MAP_ADDR:
	case KVM_CAP_XSAVE:
		return vcpus;
	case KVM_CAP_XCRS:
		return vcpus && boot_cpu_has(X86_FEATURE_XSAVE);
	case KVM_CAP_XSAVE2:
		return vcpus ? hv_fpu_xsave2_size() : 0;
	case KVM_CAP_NR_MEMSLOTS:
		return vcpus ? HV_MAX_MEMSLOTS : 0;
	case KVM_CAP_NR_VCPUS:
	case KVM_CAP_MAX_VCPUS:
		return vcpus ? HV_MAX_VCPUS : 0;
	case KVM_CAP_MAX_VCPU_ID:
		return vcpus ? HV_MAX_VCPUS : 0;
	default:
		return 0;
	}
}

/* What guests on this host may be offered: computed once, at load. */
static struct hv_cpuid_entry *hv_cpuid_table;
static unsigned int hv_cpuid_table_n;
static struct hv_msr_guest_caps hv_msr_host_caps;

const struct hv_cpuid_entry *hv_supported_cpuid(unsigned int *n)
{
	*n = hv_cpuid_table_n;
	return hv_cpuid_table;
}

static void hv_host_cpuid(void *opaque, u32 leaf, u32 subleaf, u32 regs[4])
{
	cpuid_count(leaf, subleaf, &regs[0], &regs[1], &regs[2], &regs[3]);
}

static int hv_cpuid_setup(void)
{
	u64 xcr0 = boot_cpu_has(X86_FEATURE_XSAVE) ? xgetbv(XCR_XFEATURE_ENABLED_MASK) : 0;
	struct hv_cpuid_host host = {
		.cpuid = hv_host_cpuid,
		.backend = hv_ops->backend,
		/* What the kernel's guest FPU state can hold, AMX aside. */
		.host_xcr0_supported = xcr0 & (XFEATURE_MASK_FPSSE | XFEATURE_MASK_YMM |
					       XFEATURE_MASK_AVX512),
		/* The guest's own paging may be 5-level whatever the host's. */
		.features = HV_CPUID_F_LA57 | HV_CPUID_F_INVPCID,
		.max_gpa_bits = hv_ops->tdp_levels && hv_ops->tdp_levels() == 4 ? 48 : 0,
	};
	unsigned int n = 0;
	int r;

	if (xcr0 & XFEATURE_MASK_SSE)
		host.features |= HV_CPUID_F_XSAVE;
	if (xcr0 & XFEATURE_MASK_YMM)
		host.features |= HV_CPUID_F_AVX;
	if ((xcr0 & XFEATURE_MASK_AVX512) == XFEATURE_MASK_AVX512)
		host.features |= HV_CPUID_F_AVX512;
	r = hv_cpuid_supported(&host, NULL, 0, &n);
	if (r != -E2BIG && r)
		return r;
	hv_cpuid_table = kcalloc(n, sizeof(*hv_cpuid_table), GFP_KERNEL);
	if (!hv_cpuid_table)
		return -ENOMEM;
	r = hv_cpuid_supported(&host, hv_cpuid_table, n, &n);
	if (r) {
		kfree(hv_cpuid_table);
		return r;
	}
	hv_cpuid_table_n = n;
	hv_msr_caps_init(&hv_msr_host_caps, hv_ops->backend, hv_cpuid_table, n,
			 NULL, 0);
	return 0;
}

static long hv_get_supported_cpuid(struct kvm_cpuid2 __user *u)
{
	struct kvm_cpuid2 c;

	BUILD_BUG_ON(sizeof(struct hv_cpuid_entry) != sizeof(struct kvm_cpuid_entry2));
	if (copy_from_user(&c, u, sizeof(c)))
		return -EFAULT;
	/* As KVM: too small a buffer is E2BIG, and nent is left alone. */
	if (c.nent < hv_cpuid_table_n)
		return -E2BIG;
	if (copy_to_user(u->entries, hv_cpuid_table,
			 array_size(hv_cpuid_table_n, sizeof(*hv_cpuid_table))))
		return -EFAULT;
	c.nent = hv_cpuid_table_n;
	return copy_to_user(u, &c, sizeof(c)) ? -EFAULT : 0;
}

static long hv_get_msr_index_list(struct kvm_msr_list __user *u)
{
	struct kvm_msr_list l;
	unsigned int n = 0, max;
	u32 *idx;
	int r;

	if (copy_from_user(&l, u, sizeof(l)))
		return -EFAULT;
	max = l.nmsrs;
	hv_msr_index_list(&hv_msr_host_caps, NULL, 0, &n);
	/* As KVM: the count goes back first, even when it is E2BIG. */
	l.nmsrs = n;
	if (copy_to_user(u, &l, sizeof(l)))
		return -EFAULT;
	if (max < n)
		return -E2BIG;
	idx = kcalloc(n, sizeof(*idx), GFP_KERNEL);
	if (!idx)
		return -ENOMEM;
	r = hv_msr_index_list(&hv_msr_host_caps, idx, n, &n);
	if (!r && copy_to_user(u->indices, idx, array_size(n, sizeof(*idx))))
		r = -EFAULT;
	kfree(idx);
	return r;
}

long hv_arch_dev_ioctl(unsigned int ioctl, unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (ioctl) {
	case KVM_GET_SUPPORTED_CPUID:
		return hv_get_supported_cpuid(argp);
	case KVM_GET_MSR_INDEX_LIST:
		return hv_get_msr_index_list(argp);
	default:
		/* What KVM's x86 system ioctl handler answers to the unknown. */
		return -EINVAL;
	}
}

long hv_arch_vm_ioctl(struct hv_vm *vm, unsigned int ioctl, unsigned long arg)
{
	u64 addr;

	switch (ioctl) {
	case KVM_SET_TSS_ADDR:
		/*
		 * Only VT-x without unrestricted guest needs a real-mode TSS;
		 * hv requires unrestricted guest, so it keeps KVM's check only.
		 */
		return arg > (unsigned int)(-3 * PAGE_SIZE) ? -EINVAL : 0;
	case KVM_SET_IDENTITY_MAP_ADDR:
		if (copy_from_user(&addr, (void __user *)arg, sizeof(addr)))
			return -EFAULT;
		/* As KVM: only before the first vCPU exists. */
		return atomic_read(&vm->nr_vcpus) ? -EINVAL : 0;
	default:
		/* What KVM's x86 VM ioctl handler answers to the unknown. */
		return -ENOTTY;
	}
}

static ssize_t backend_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", hv_ops->name);
}
static DEVICE_ATTR_RO(backend);

static ssize_t features_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	return hv_ops->show_features(buf, PAGE_SIZE);
}
static DEVICE_ATTR_RO(features);

static ssize_t caps_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	return hv_ops->show_caps(buf, PAGE_SIZE);
}
static DEVICE_ATTR_RO(caps);

static ssize_t hw_enabled_cpus_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", hv_arch_hw_enabled_cpus());
}
static DEVICE_ATTR_RO(hw_enabled_cpus);

static struct attribute *hv_arch_attrs[] = {
	&dev_attr_backend.attr,
	&dev_attr_features.attr,
	&dev_attr_caps.attr,
	&dev_attr_hw_enabled_cpus.attr,
	NULL,
};

const struct attribute_group hv_arch_attr_group = {
	.attrs = hv_arch_attrs,
};

int hv_arch_init(void)
{
	int r;

	if (boot_cpu_data.x86_vendor == X86_VENDOR_INTEL ||
	    boot_cpu_data.x86_vendor == X86_VENDOR_CENTAUR ||
	    boot_cpu_data.x86_vendor == X86_VENDOR_ZHAOXIN) {
		hv_ops = &hv_vmx_ops;
	} else if (boot_cpu_data.x86_vendor == X86_VENDOR_AMD ||
		   boot_cpu_data.x86_vendor == X86_VENDOR_HYGON) {
		hv_ops = &hv_svm_ops;
	} else {
		pr_err("no VT-x or AMD-V: unsupported CPU vendor\n");
		return -ENODEV;
	}

	r = hv_ops->hardware_setup();
	if (r)
		return r;
	r = hv_cpuid_setup();
	if (r)
		goto err_unsetup;

	/* Checks every online CPU now, and each CPU that comes up later. */
	r = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "hv:online",
			      hv_cpu_online, hv_cpu_offline);
	if (r < 0) {
		pr_err("%s capabilities differ between CPUs or CPU hotplug setup failed (%d)\n",
		       hv_ops->name, r);
		goto err_unsetup;
	}
	hv_cpuhp_state = r;
	register_reboot_notifier(&hv_reboot_nb);
	register_syscore_ops(&hv_syscore_ops);
	return 0;

err_unsetup:
	kfree(hv_cpuid_table);
	hv_ops->hardware_unsetup();
	return r;
}

void hv_arch_exit(void)
{
	unregister_syscore_ops(&hv_syscore_ops);
	unregister_reboot_notifier(&hv_reboot_nb);
	cpuhp_remove_state(hv_cpuhp_state);
	kfree(hv_cpuid_table);
	hv_ops->hardware_unsetup();
}
