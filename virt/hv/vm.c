// SPDX-License-Identifier: GPL-2.0-only
/*
 * VM objects and their file descriptors.  A VM fd is an anonymous inode
 * whose last close destroys the VM; it is usable only from the process (mm)
 * that created it, like KVM's.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/kvm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "hv.h"

atomic_t hv_nr_vms = ATOMIC_INIT(0);

static void hv_vm_destroy(struct hv_vm *vm)
{
	mmdrop(vm->mm);
	kfree(vm);
	hv_arch_hw_put();
	atomic_dec(&hv_nr_vms);
}

static int hv_vm_release(struct inode *inode, struct file *filp)
{
	hv_vm_destroy(filp->private_data);
	return 0;
}

static long hv_vm_ioctl(struct file *filp, unsigned int ioctl, unsigned long arg)
{
	struct hv_vm *vm = filp->private_data;

	if (vm->mm != current->mm)
		return -EIO;

	switch (ioctl) {
	case KVM_CHECK_EXTENSION:
		return hv_check_extension(vm, arg);
	default:
		/* What KVM's x86 VM ioctl handler answers. */
		return -ENOTTY;
	}
}

static const struct file_operations hv_vm_fops = {
	.owner = THIS_MODULE,
	.release = hv_vm_release,
	.unlocked_ioctl = hv_vm_ioctl,
	.compat_ioctl = hv_vm_ioctl,
	.llseek = noop_llseek,
};

int hv_vm_create(unsigned long type)
{
	struct hv_vm *vm;
	struct file *file;
	int fd, r;

	if (type)
		return -EINVAL;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return -ENOMEM;
	r = hv_arch_hw_get();
	if (r)
		goto err_free;
	atomic_inc(&hv_nr_vms);
	mmgrab(current->mm);
	vm->mm = current->mm;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		r = fd;
		goto err_destroy;
	}
	file = anon_inode_getfile("hv-vm", &hv_vm_fops, vm, O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		r = PTR_ERR(file);
		goto err_destroy;
	}
	fd_install(fd, file);
	return fd;

err_destroy:
	hv_vm_destroy(vm);
	return r;
err_free:
	kfree(vm);
	return r;
}
