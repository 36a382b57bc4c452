// SPDX-License-Identifier: GPL-2.0-only
/*
 * x86 vCPUs: creation and reset, the register ioctls, and one guest entry.
 */
#include <linux/kvm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/fpu/api.h>
#include <asm/msr.h>

#include "x86.h"

#define HV_MAX_CPUID_ENTRIES	256	/* KVM_MAX_CPUID_ENTRIES */

int hv_arch_vm_init(struct hv_vm *vm)
{
	struct hv_x86_vm *xvm = kzalloc(sizeof(*xvm), GFP_KERNEL_ACCOUNT);
	int r;

	if (!xvm)
		return -ENOMEM;
	xvm->vm = vm;
	vm->arch = xvm;
	/* A backend without vCPUs yet (VMX for now) needs no MMU either. */
	if (!hv_ops->run)
		return 0;
	r = hv_mmu_vm_init(vm);
	if (r) {
		kfree(xvm);
		vm->arch = NULL;
	}
	return r;
}

void hv_arch_vm_destroy(struct hv_vm *vm)
{
	hv_mmu_vm_destroy(vm);
	kfree(vm->arch);
}

static void hv_vcpu_reset(struct hv_x86_vcpu *v)
{
	memset(v->gprs, 0, sizeof(v->gprs));
	/* EDX holds family/model/stepping after reset; 0x600 as KVM. */
	v->gprs[HV_GPR_RDX] = 0x600;
	v->mp_state = KVM_MP_STATE_RUNNABLE;
	v->apic_base = 0xfee00000ULL | BIT_ULL(11) |
		       (v->vcpu->id == 0 ? BIT_ULL(8) : 0);
	v->irq_queued = false;
	v->nmi_queued = false;
	v->nmi_masked = false;
	v->xcr0 = XFEATURE_MASK_FP;
	v->pending = HV_PENDING_NONE;
	v->nr_stored_msrs = 0;
	hv_ops->vcpu_reset(v);
	hv_msr_update_caps(v);
	/* The guest's TSC starts at 0, as on KVM. */
	v->tsc_offset = -rdtsc();
	hv_ops->set_tsc_offset(v, v->tsc_offset);
}

int hv_arch_vcpu_create(struct hv_vcpu *vcpu)
{
	struct hv_x86_vcpu *v;
	int r;

	if (!hv_ops->run)
		return -EOPNOTSUPP;
	v = kzalloc(sizeof(*v), GFP_KERNEL_ACCOUNT);
	if (!v)
		return -ENOMEM;
	v->vcpu = vcpu;
	vcpu->arch = v;
	if (!fpu_alloc_guest_fpstate(&v->guest_fpu)) {
		r = -ENOMEM;
		goto err_free;
	}
	r = hv_ops->vcpu_create(v);
	if (r)
		goto err_fpu;
	hv_vcpu_reset(v);
	hv_ops->set_tdp_root(v, to_x86_vm(vcpu->vm)->tdp.root_pa);
	return 0;

err_fpu:
	fpu_free_guest_fpstate(&v->guest_fpu);
err_free:
	kfree(v);
	vcpu->arch = NULL;
	return r;
}

void hv_arch_vcpu_destroy(struct hv_vcpu *vcpu)
{
	struct hv_x86_vcpu *v = to_x86(vcpu);

	if (!v)
		return;
	hv_ops->vcpu_free(v);
	hv_mmu_vcpu_free_cache(v);
	fpu_free_guest_fpstate(&v->guest_fpu);
	kvfree(v->cpuid);
	kfree(v);
	vcpu->arch = NULL;
}

void hv_arch_vcpu_run_begin(struct hv_vcpu *vcpu)
{
	fpu_swap_kvm_fpstate(&to_x86(vcpu)->guest_fpu, true);
}

void hv_arch_vcpu_run_end(struct hv_vcpu *vcpu)
{
	fpu_swap_kvm_fpstate(&to_x86(vcpu)->guest_fpu, false);
	hv_sync_run_state(to_x86(vcpu));
}

int hv_arch_vcpu_complete_userspace_exit(struct hv_vcpu *vcpu)
{
	struct hv_x86_vcpu *v = to_x86(vcpu);
	u64 cr8 = READ_ONCE(vcpu->run->cr8);

	/* Userspace owns the TPR too: KVM takes kvm_run.cr8 at each KVM_RUN. */
	if (cr8 > 15)
		return -EINVAL;
	hv_ops->set_reg(v, HV_REG_CR8, cr8);
	return hv_complete_userspace_exit(v);
}

int hv_arch_vcpu_enter_exit(struct hv_vcpu *vcpu)
{
	struct hv_x86_vcpu *v = to_x86(vcpu);
	int r;

	if (v->mp_state == KVM_MP_STATE_HALTED) {
		/* No interrupt source can wake it yet: report the halt. */
		vcpu->run->exit_reason = KVM_EXIT_HLT;
		return 0;
	}

	hv_inject_pending_events(v);
	preempt_disable();
	local_irq_disable();
	WRITE_ONCE(vcpu->cpu, smp_processor_id());
	WRITE_ONCE(vcpu->mode, HV_IN_GUEST_MODE);
	/* Pairs with hv_vcpu_kick(): see requests made before a kick. */
	smp_mb();
	if (need_resched() || signal_pending(current)) {
		WRITE_ONCE(vcpu->mode, HV_OUTSIDE_GUEST_MODE);
		local_irq_enable();
		preempt_enable();
		return 1;
	}
	hv_ops->run(v, hv_check_request(vcpu, HV_REQ_TLB_FLUSH));
	WRITE_ONCE(vcpu->mode, HV_OUTSIDE_GUEST_MODE);
	local_irq_enable();
	preempt_enable();

	r = hv_handle_exit(v);
	if (r > 0 && hv_irq_window_open(v)) {
		vcpu->run->exit_reason = KVM_EXIT_IRQ_WINDOW_OPEN;
		return 0;
	}
	return r;
}

/* Where struct kvm_regs keeps each general-purpose register. */
static const unsigned short hv_kvm_regs_offset[HV_NR_GPRS] = {
	[HV_GPR_RAX] = offsetof(struct kvm_regs, rax),
	[HV_GPR_RCX] = offsetof(struct kvm_regs, rcx),
	[HV_GPR_RDX] = offsetof(struct kvm_regs, rdx),
	[HV_GPR_RBX] = offsetof(struct kvm_regs, rbx),
	[HV_GPR_RSP] = offsetof(struct kvm_regs, rsp),
	[HV_GPR_RBP] = offsetof(struct kvm_regs, rbp),
	[HV_GPR_RSI] = offsetof(struct kvm_regs, rsi),
	[HV_GPR_RDI] = offsetof(struct kvm_regs, rdi),
	[HV_GPR_R8] = offsetof(struct kvm_regs, r8),
	[HV_GPR_R9] = offsetof(struct kvm_regs, r9),
	[HV_GPR_R10] = offsetof(struct kvm_regs, r10),
	[HV_GPR_R11] = offsetof(struct kvm_regs, r11),
	[HV_GPR_R12] = offsetof(struct kvm_regs, r12),
	[HV_GPR_R13] = offsetof(struct kvm_regs, r13),
	[HV_GPR_R14] = offsetof(struct kvm_regs, r14),
	[HV_GPR_R15] = offsetof(struct kvm_regs, r15),
};

static void hv_get_regs(struct hv_x86_vcpu *v, struct kvm_regs *r)
{
	int i;

	for (i = 0; i < HV_NR_GPRS; i++)
		*(u64 *)((u8 *)r + hv_kvm_regs_offset[i]) = v->gprs[i];
	r->rip = hv_rip(v);
	r->rflags = hv_ops->get_reg(v, HV_REG_RFLAGS);
}

static void hv_set_regs(struct hv_x86_vcpu *v, const struct kvm_regs *r)
{
	int i;

	for (i = 0; i < HV_NR_GPRS; i++)
		v->gprs[i] = *(const u64 *)((const u8 *)r + hv_kvm_regs_offset[i]);
	hv_ops->set_reg(v, HV_REG_RIP, r->rip);
	/* Bit 1 is always 1; KVM forces it the same way. */
	hv_ops->set_reg(v, HV_REG_RFLAGS, r->rflags | X86_EFLAGS_FIXED);
	/* A new RIP abandons any half-done instruction. */
	v->pending = HV_PENDING_NONE;
}

static struct kvm_segment *hv_sreg_seg(struct kvm_sregs *s, enum hv_seg seg)
{
	switch (seg) {
	case HV_SEG_CS: return &s->cs;
	case HV_SEG_DS: return &s->ds;
	case HV_SEG_ES: return &s->es;
	case HV_SEG_FS: return &s->fs;
	case HV_SEG_GS: return &s->gs;
	case HV_SEG_SS: return &s->ss;
	case HV_SEG_TR: return &s->tr;
	default: return &s->ldt;
	}
}

static void hv_get_sregs(struct hv_x86_vcpu *v, struct kvm_sregs *s)
{
	int seg;

	memset(s, 0, sizeof(*s));
	for (seg = 0; seg < HV_NR_SEGS; seg++)
		hv_ops->get_segment(v, hv_sreg_seg(s, seg), seg);
	hv_ops->get_dtable(v, &s->gdt, false);
	hv_ops->get_dtable(v, &s->idt, true);
	s->cr0 = hv_ops->get_reg(v, HV_REG_CR0);
	s->cr2 = hv_ops->get_reg(v, HV_REG_CR2);
	s->cr3 = hv_ops->get_reg(v, HV_REG_CR3);
	s->cr4 = hv_ops->get_reg(v, HV_REG_CR4);
	s->efer = hv_ops->get_reg(v, HV_REG_EFER);
	s->cr8 = hv_ops->get_reg(v, HV_REG_CR8);
	s->apic_base = v->apic_base;
}

/*
 * Architectural checks KVM makes on KVM_SET_SREGS; the hardware checks the
 * rest at entry (an invalid state then ends in KVM_EXIT_FAIL_ENTRY).
 */
static int hv_check_sregs(const struct kvm_sregs *s)
{
	bool lma = s->efer & EFER_LMA, pg = s->cr0 & X86_CR0_PG;

	if ((s->cr0 >> 32) || (s->cr4 >> 32) || (s->efer & ~0xffffULL))
		return -EINVAL;
	if (pg && !(s->cr0 & X86_CR0_PE))
		return -EINVAL;
	if (((s->cr0 & X86_CR0_NW) && !(s->cr0 & X86_CR0_CD)))
		return -EINVAL;
	/* LMA must agree with LME && PG; long mode needs PAE. */
	if (lma != (pg && (s->efer & EFER_LME)))
		return -EINVAL;
	if (lma && !(s->cr4 & X86_CR4_PAE))
		return -EINVAL;
	return 0;
}

static int hv_set_sregs(struct hv_x86_vcpu *v, struct kvm_sregs *s)
{
	int seg, r;

	r = hv_check_sregs(s);
	if (r)
		return r;
	for (seg = 0; seg < HV_NR_SEGS; seg++)
		hv_ops->set_segment(v, hv_sreg_seg(s, seg), seg);
	hv_ops->set_dtable(v, &s->gdt, false);
	hv_ops->set_dtable(v, &s->idt, true);
	hv_ops->set_reg(v, HV_REG_CR2, s->cr2);
	hv_ops->set_reg(v, HV_REG_CR3, s->cr3);
	hv_ops->set_reg(v, HV_REG_EFER, s->efer);
	hv_ops->set_reg(v, HV_REG_CR4, s->cr4);
	hv_ops->set_reg(v, HV_REG_CR0, s->cr0);
	hv_ops->set_reg(v, HV_REG_CR8, s->cr8 & 0xf);
	v->apic_base = s->apic_base;
	return 0;
}

static long hv_set_cpuid2(struct hv_x86_vcpu *v, struct kvm_cpuid2 __user *u)
{
	struct hv_cpuid_entry *e = NULL;
	struct kvm_cpuid2 c;
	int r;

	if (copy_from_user(&c, u, sizeof(c)))
		return -EFAULT;
	if (c.nent > HV_CPUID_MAX_ENTRIES)
		return -E2BIG;
	if (c.nent) {
		e = vmemdup_user(u->entries, array_size(c.nent, sizeof(*e)));
		if (IS_ERR(e))
			return PTR_ERR(e);
	}
	r = hv_cpuid_check_guest_table(e, c.nent);
	if (r) {
		kvfree(e);
		return r;
	}
	kvfree(v->cpuid);
	v->cpuid = e;
	v->cpuid_nent = c.nent;
	hv_msr_update_caps(v);
	return 0;
}

static long hv_get_cpuid2(struct hv_x86_vcpu *v, struct kvm_cpuid2 __user *u)
{
	struct kvm_cpuid2 c;

	if (copy_from_user(&c, u, sizeof(c)))
		return -EFAULT;
	/* As KVM: a short buffer gets E2BIG with the needed count in nent. */
	if (c.nent < v->cpuid_nent) {
		c.nent = v->cpuid_nent;
		return copy_to_user(u, &c, sizeof(c)) ? -EFAULT : -E2BIG;
	}
	if (copy_to_user(u->entries, v->cpuid,
			 array_size(v->cpuid_nent, sizeof(*v->cpuid))))
		return -EFAULT;
	c.nent = v->cpuid_nent;
	return copy_to_user(u, &c, sizeof(c)) ? -EFAULT : 0;
}

long hv_arch_vcpu_ioctl(struct hv_vcpu *vcpu, unsigned int ioctl, unsigned long arg)
{
	struct hv_x86_vcpu *v = to_x86(vcpu);
	void __user *argp = (void __user *)arg;
	union {
		struct kvm_regs regs;
		struct kvm_sregs sregs;
		struct kvm_mp_state mp;
	} *u;
	long r;

	switch (ioctl) {
	case KVM_SET_CPUID2:
		return hv_set_cpuid2(v, argp);
	case KVM_GET_CPUID2:
		return hv_get_cpuid2(v, argp);
	case KVM_GET_MSRS:
		return hv_vcpu_msrs_ioctl(v, argp, false);
	case KVM_SET_MSRS:
		return hv_vcpu_msrs_ioctl(v, argp, true);
	}
	r = hv_vcpu_fpu_ioctl(v, ioctl, argp);
	if (r != -ENOIOCTLCMD)
		return r;
	r = hv_vcpu_events_ioctl(v, ioctl, argp);
	if (r != -ENOIOCTLCMD)
		return r;

	u = kzalloc(sizeof(*u), GFP_KERNEL);
	if (!u)
		return -ENOMEM;
	switch (ioctl) {
	case KVM_GET_REGS:
		hv_get_regs(v, &u->regs);
		r = copy_to_user(argp, &u->regs, sizeof(u->regs)) ? -EFAULT : 0;
		break;
	case KVM_SET_REGS:
		r = -EFAULT;
		if (copy_from_user(&u->regs, argp, sizeof(u->regs)))
			break;
		hv_set_regs(v, &u->regs);
		r = 0;
		break;
	case KVM_GET_SREGS:
		hv_get_sregs(v, &u->sregs);
		r = copy_to_user(argp, &u->sregs, sizeof(u->sregs)) ? -EFAULT : 0;
		break;
	case KVM_SET_SREGS:
		r = -EFAULT;
		if (copy_from_user(&u->sregs, argp, sizeof(u->sregs)))
			break;
		r = hv_set_sregs(v, &u->sregs);
		break;
	case KVM_GET_MP_STATE:
		u->mp.mp_state = v->mp_state;
		r = copy_to_user(argp, &u->mp, sizeof(u->mp)) ? -EFAULT : 0;
		break;
	case KVM_SET_MP_STATE:
		r = -EFAULT;
		if (copy_from_user(&u->mp, argp, sizeof(u->mp)))
			break;
		r = -EINVAL;
		if (u->mp.mp_state != KVM_MP_STATE_RUNNABLE &&
		    u->mp.mp_state != KVM_MP_STATE_HALTED)
			break;
		v->mp_state = u->mp.mp_state;
		r = 0;
		break;
	default:
		/* What KVM's x86 vCPU ioctl handler answers. */
		r = -EINVAL;
		break;
	}
	kfree(u);
	return r;
}
