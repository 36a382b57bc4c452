// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/hv: the system ioctls of the KVM ABI (API version 12).
 */
#define pr_fmt(fmt) "hv: " fmt

#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/kvm.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include "hv.h"

#define HV_API_VERSION		12
/* struct kvm_run, then the PIO data page (KVM_PIO_PAGE_OFFSET). */
#define HV_VCPU_MMAP_PAGES	2

long hv_check_extension(struct hv_vm *vm, long ext)
{
	switch (ext) {
	case KVM_CAP_CHECK_EXTENSION_VM:
		return 1;
	default:
		return hv_arch_check_extension(vm, ext);
	}
}

static long hv_dev_ioctl(struct file *filp, unsigned int ioctl, unsigned long arg)
{
	switch (ioctl) {
	case KVM_GET_API_VERSION:
		return arg ? -EINVAL : HV_API_VERSION;
	case KVM_CREATE_VM:
		return hv_vm_create(arg);
	case KVM_CHECK_EXTENSION:
		return hv_check_extension(NULL, arg);
	case KVM_GET_VCPU_MMAP_SIZE:
		return arg ? -EINVAL : HV_VCPU_MMAP_PAGES * PAGE_SIZE;
	default:
		return hv_arch_dev_ioctl(ioctl, arg);
	}
}

static const struct file_operations hv_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = hv_dev_ioctl,
	.compat_ioctl = hv_dev_ioctl,
	.llseek = noop_llseek,
};

static ssize_t vms_show(struct device *dev, struct device_attribute *attr,
			char *buf)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&hv_nr_vms));
}
static DEVICE_ATTR_RO(vms);

static struct attribute *hv_dev_attrs[] = {
	&dev_attr_vms.attr,
	NULL,
};

static const struct attribute_group hv_dev_attr_group = {
	.attrs = hv_dev_attrs,
};

static const struct attribute_group *hv_dev_groups[] = {
	&hv_dev_attr_group,
	&hv_arch_attr_group,
	NULL,
};

static struct miscdevice hv_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "hv",
	.fops = &hv_dev_fops,
	.groups = hv_dev_groups,
	.mode = 0666,
};

static int __init hv_init(void)
{
	int r;

	r = hv_arch_init();
	if (r)
		return r;
	r = misc_register(&hv_dev);
	if (r) {
		pr_err("cannot register /dev/hv (%d)\n", r);
		hv_arch_exit();
	}
	return r;
}

static void __exit hv_exit(void)
{
	misc_deregister(&hv_dev);
	hv_arch_exit();
}

module_init(hv_init);
module_exit(hv_exit);
MODULE_DESCRIPTION("hv: a Type-2 hypervisor with the KVM ABI on /dev/hv");
MODULE_LICENSE("GPL");
