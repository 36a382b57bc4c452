// SPDX-License-Identifier: GPL-2.0-only
/*
 * VM objects and their file descriptors.  A VM lives while its fd or any of
 * its vCPU fds is open; it is usable only from the process (mm) that created
 * it, like KVM's.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/kvm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "hv.h"

atomic_t hv_nr_vms = ATOMIC_INIT(0);

void hv_vm_get(struct hv_vm *vm)
{
	refcount_inc(&vm->users);
}

static void hv_vm_destroy(struct hv_vm *vm)
{
	int i;

	/* The notifier walks vm->vcpus: stop it before they go. */
	if (vm->arch)
		hv_mmu_notifier_unregister(vm);
	for (i = 0; i < HV_MAX_VCPUS; i++)
		if (vm->vcpus[i])
			hv_vcpu_destroy(vm->vcpus[i]);
	if (vm->arch)
		hv_arch_vm_destroy(vm);
	mmdrop(vm->mm);
	kfree(vm);
	hv_arch_hw_put();
	atomic_dec(&hv_nr_vms);
}

void hv_vm_put(struct hv_vm *vm)
{
	if (refcount_dec_and_test(&vm->users))
		hv_vm_destroy(vm);
}

static int hv_vm_release(struct inode *inode, struct file *filp)
{
	hv_vm_put(filp->private_data);
	return 0;
}

static long hv_vm_ioctl(struct file *filp, unsigned int ioctl, unsigned long arg)
{
	struct hv_vm *vm = filp->private_data;
	void __user *argp = (void __user *)arg;

	if (vm->mm != current->mm)
		return -EIO;

	switch (ioctl) {
	case KVM_CHECK_EXTENSION:
		return hv_check_extension(vm, arg);
	case KVM_CREATE_VCPU:
		return hv_vcpu_create(vm, arg);
	case KVM_SET_USER_MEMORY_REGION: {
		struct kvm_userspace_memory_region mem;

		if (copy_from_user(&mem, argp, sizeof(mem)))
			return -EFAULT;
		return hv_set_user_memory_region(vm, &mem);
	}
	default:
		return hv_arch_vm_ioctl(vm, ioctl, arg);
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
	if (r) {
		kfree(vm);
		return r;
	}
	atomic_inc(&hv_nr_vms);
	refcount_set(&vm->users, 1);
	mutex_init(&vm->lock);
	init_rwsem(&vm->slots_sem);
	spin_lock_init(&vm->mmu_lock);
	INIT_LIST_HEAD(&vm->freed_tables);
	mmgrab(current->mm);
	vm->mm = current->mm;

	r = hv_arch_vm_init(vm);
	if (r)
		goto err_put;
	r = hv_mmu_notifier_register(vm);
	if (r) {
		hv_arch_vm_destroy(vm);
		vm->arch = NULL;
		goto err_put;
	}

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		r = fd;
		goto err_put;
	}
	file = anon_inode_getfile("hv-vm", &hv_vm_fops, vm, O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		r = PTR_ERR(file);
		goto err_put;
	}
	fd_install(fd, file);
	return fd;

err_put:
	hv_vm_put(vm);
	return r;
}
