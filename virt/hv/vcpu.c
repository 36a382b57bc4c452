// SPDX-License-Identifier: GPL-2.0-only
/*
 * vCPU file descriptors: creation, the kvm_run mmap, KVM_RUN's loop and the
 * signal mask.  Register state and exits belong to the architecture.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/kvm.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "hv.h"

static void hv_kick_ack(void *unused)
{
}

/*
 * Makes a vCPU that is in guest mode exit, and waits until it has: once this
 * returns, the vCPU will see any request made before the call before it
 * enters again.  Needs interrupts enabled.
 */
void hv_vcpu_kick(struct hv_vcpu *vcpu)
{
	int cpu, me;

	/* Pairs with the barrier between setting mode and checking requests. */
	smp_mb__after_atomic();
	if (READ_ONCE(vcpu->mode) != HV_IN_GUEST_MODE)
		return;
	cpu = READ_ONCE(vcpu->cpu);
	me = get_cpu();
	if (cpu >= 0 && cpu != me)
		smp_call_function_single(cpu, hv_kick_ack, NULL, 1);
	put_cpu();
}

static int hv_vcpu_run(struct hv_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	sigset_t saved;
	int r;

	if (vcpu->sigset_active)
		sigprocmask(SIG_SETMASK, &vcpu->sigset, &saved);
	hv_arch_vcpu_run_begin(vcpu);

	r = hv_arch_vcpu_complete_userspace_exit(vcpu);
	if (r <= 0)
		goto out;
	if (hv_run_immediate_exit(run)) {
		run->exit_reason = KVM_EXIT_INTR;
		r = -EINTR;
		goto out;
	}
	for (;;) {
		if (signal_pending(current)) {
			run->exit_reason = KVM_EXIT_INTR;
			r = -EINTR;
			break;
		}
		cond_resched();
		r = hv_arch_vcpu_enter_exit(vcpu);
		if (r <= 0)
			break;
	}
out:
	hv_arch_vcpu_run_end(vcpu);
	if (vcpu->sigset_active)
		sigprocmask(SIG_SETMASK, &saved, NULL);
	return r;
}

static long hv_vcpu_set_signal_mask(struct hv_vcpu *vcpu, void __user *argp)
{
	struct kvm_signal_mask sm;
	sigset_t set;

	if (!argp) {
		vcpu->sigset_active = false;
		return 0;
	}
	if (copy_from_user(&sm, argp, sizeof(sm)))
		return -EFAULT;
	if (sm.len != sizeof(set))
		return -EINVAL;
	if (copy_from_user(&set, (u8 __user *)argp + sizeof(sm), sizeof(set)))
		return -EFAULT;
	sigdelsetmask(&set, sigmask(SIGKILL) | sigmask(SIGSTOP));
	vcpu->sigset = set;
	vcpu->sigset_active = true;
	return 0;
}

static long hv_vcpu_ioctl(struct file *filp, unsigned int ioctl, unsigned long arg)
{
	struct hv_vcpu *vcpu = filp->private_data;
	long r;

	if (vcpu->vm->mm != current->mm)
		return -EIO;
	if (mutex_lock_killable(&vcpu->mutex))
		return -EINTR;
	switch (ioctl) {
	case KVM_RUN:
		r = arg ? -EINVAL : hv_vcpu_run(vcpu);
		break;
	case KVM_SET_SIGNAL_MASK:
		r = hv_vcpu_set_signal_mask(vcpu, (void __user *)arg);
		break;
	default:
		r = hv_arch_vcpu_ioctl(vcpu, ioctl, arg);
		break;
	}
	mutex_unlock(&vcpu->mutex);
	return r;
}

static vm_fault_t hv_vcpu_fault(struct vm_fault *vmf)
{
	struct hv_vcpu *vcpu = vmf->vma->vm_file->private_data;
	struct page *page;

	if (vmf->pgoff == 0)
		page = virt_to_page(vcpu->run);
	else if (vmf->pgoff == KVM_PIO_PAGE_OFFSET)
		page = virt_to_page(vcpu->pio_data);
	else
		return VM_FAULT_SIGBUS;
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct hv_vcpu_vm_ops = {
	.fault = hv_vcpu_fault,
};

static int hv_vcpu_mmap(struct file *file, struct vm_area_struct *vma)
{
	vma->vm_ops = &hv_vcpu_vm_ops;
	return 0;
}

static int hv_vcpu_release(struct inode *inode, struct file *filp)
{
	struct hv_vcpu *vcpu = filp->private_data;

	hv_vm_put(vcpu->vm);
	return 0;
}

static const struct file_operations hv_vcpu_fops = {
	.owner = THIS_MODULE,
	.release = hv_vcpu_release,
	.unlocked_ioctl = hv_vcpu_ioctl,
	.compat_ioctl = hv_vcpu_ioctl,
	.mmap = hv_vcpu_mmap,
	.llseek = noop_llseek,
};

/* Called when the VM goes, after every vCPU fd has been closed. */
void hv_vcpu_destroy(struct hv_vcpu *vcpu)
{
	hv_arch_vcpu_destroy(vcpu);
	free_page((unsigned long)vcpu->pio_data);
	free_page((unsigned long)vcpu->run);
	kfree(vcpu);
}

int hv_vcpu_create(struct hv_vm *vm, unsigned long id)
{
	struct hv_vcpu *vcpu;
	struct file *file;
	char name[16];
	int fd, r;

	if (id >= HV_MAX_VCPUS)
		return -EINVAL;

	vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		return -ENOMEM;
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->cpu = -1;
	mutex_init(&vcpu->mutex);
	vcpu->run = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	vcpu->pio_data = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	r = -ENOMEM;
	if (!vcpu->run || !vcpu->pio_data)
		goto err_free;
	r = hv_arch_vcpu_create(vcpu);
	if (r)
		goto err_free;

	mutex_lock(&vm->lock);
	if (vm->vcpus[id]) {
		r = -EEXIST;
		goto err_unlock;
	}
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		r = fd;
		goto err_unlock;
	}
	snprintf(name, sizeof(name), "hv-vcpu:%lu", id);
	file = anon_inode_getfile(name, &hv_vcpu_fops, vcpu, O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		r = PTR_ERR(file);
		goto err_unlock;
	}
	hv_vm_get(vm);
	/* Published last: the MMU notifier may look at it from now on. */
	smp_store_release(&vm->vcpus[id], vcpu);
	atomic_inc(&vm->nr_vcpus);
	mutex_unlock(&vm->lock);
	fd_install(fd, file);
	return fd;

err_unlock:
	mutex_unlock(&vm->lock);
	hv_arch_vcpu_destroy(vcpu);
err_free:
	free_page((unsigned long)vcpu->pio_data);
	free_page((unsigned long)vcpu->run);
	kfree(vcpu);
	return r;
}
