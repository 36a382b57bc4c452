// SPDX-License-Identifier: GPL-2.0-only
/*
 * Exit policy: what each exit a backend decoded means for the guest and for
 * userspace.  Vendor-neutral; backends only fill struct hv_exit.
 */
#include <linux/kvm.h>
#include <asm/fpu/xcr.h>
#include <asm/fpu/xstate.h>
#include <asm/msr-index.h>

#include "x86.h"

#define HV_VEC_UD	6
#define HV_VEC_GP	13
/* KVM's answer to an unknown hypercall: -KVM_ENOSYS in RAX. */
#define HV_KVM_ENOSYS	1000

int hv_internal_error(struct hv_x86_vcpu *v, u32 suberror)
{
	struct kvm_run *run = v->vcpu->run;

	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->internal.suberror = suberror;
	run->internal.ndata = 2;
	run->internal.data[0] = v->exit.hw_reason;
	run->internal.data[1] = hv_rip(v);
	return 0;
}

/*
 * Advances RIP past the instruction that exited.  The hardware gives the
 * next RIP when it can (NRIPS, I/O exits); otherwise @len is the length of
 * the only encoding hv expects for that exit.
 */
static void hv_skip_insn(struct hv_x86_vcpu *v, unsigned int len)
{
	u64 next = v->exit.next_rip ? v->exit.next_rip : hv_rip(v) + len;

	hv_ops->set_reg(v, HV_REG_RIP, next);
}

/* Outside protected mode exceptions push no error code (KVM drops it too). */
static void hv_inject_gp(struct hv_x86_vcpu *v)
{
	bool pe = hv_ops->get_reg(v, HV_REG_CR0) & X86_CR0_PE;

	hv_ops->inject_exception(v, HV_VEC_GP, pe, 0);
}

static int hv_handle_cpuid(struct hv_x86_vcpu *v)
{
	u64 cr4 = hv_ops->get_reg(v, HV_REG_CR4);
	struct hv_cpuid_dyn dyn = {
		.apic_id = v->vcpu->id,
		.xcr0 = v->xcr0,
		.cr4_osxsave = cr4 & X86_CR4_OSXSAVE,
		.cr4_pke = cr4 & X86_CR4_PKE,
		.apic_enabled = v->apic_base & MSR_IA32_APICBASE_ENABLE,
	};
	u64 *g = v->gprs;
	u32 regs[4];

	hv_cpuid_guest_result(v->cpuid, v->cpuid_nent, &dyn, g[HV_GPR_RAX],
			      g[HV_GPR_RCX], regs);
	g[HV_GPR_RAX] = regs[0];
	g[HV_GPR_RBX] = regs[1];
	g[HV_GPR_RCX] = regs[2];
	g[HV_GPR_RDX] = regs[3];
	hv_skip_insn(v, 2);
	return 1;
}

static int hv_handle_io(struct hv_x86_vcpu *v)
{
	struct kvm_run *run = v->vcpu->run;
	const struct hv_exit *e = &v->exit;

	if (e->io.string)
		return hv_internal_error(v, KVM_INTERNAL_ERROR_EMULATION);

	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = e->io.in ? KVM_EXIT_IO_IN : KVM_EXIT_IO_OUT;
	run->io.size = e->io.size;
	run->io.port = e->io.port;
	run->io.count = 1;
	run->io.data_offset = KVM_PIO_PAGE_OFFSET * PAGE_SIZE;
	if (!e->io.in)
		memcpy(v->vcpu->pio_data, &v->gprs[HV_GPR_RAX], e->io.size);
	v->pending_rip = e->next_rip;
	v->pending = e->io.in ? HV_PENDING_PIO_IN : HV_PENDING_SKIP;
	return 0;
}

/* Finishes an I/O instruction with what userspace left in kvm_run. */
int hv_complete_userspace_exit(struct hv_x86_vcpu *v)
{
	u64 *rax = &v->gprs[HV_GPR_RAX];
	u64 val = 0;

	switch (v->pending) {
	case HV_PENDING_NONE:
		return 1;
	case HV_PENDING_MMIO_READ:
		return hv_complete_mmio_read(v);
	case HV_PENDING_PIO_IN:
		memcpy(&val, v->vcpu->pio_data, v->exit.io.size);
		if (v->exit.io.size == 4)
			*rax = val;	/* IN EAX zero-extends, like any 32-bit write */
		else if (v->exit.io.size == 2)
			*rax = (*rax & ~0xffffULL) | val;
		else
			*rax = (*rax & ~0xffULL) | val;
		break;
	case HV_PENDING_SKIP:
		break;
	}
	hv_ops->set_reg(v, HV_REG_RIP, v->pending_rip);
	v->pending = HV_PENDING_NONE;
	return 1;
}

static int hv_handle_msr(struct hv_x86_vcpu *v, bool write)
{
	u32 msr = v->gprs[HV_GPR_RCX];
	u64 val;

	if (write) {
		val = (v->gprs[HV_GPR_RDX] << 32) | (u32)v->gprs[HV_GPR_RAX];
		if (hv_set_msr(v, msr, val, false)) {
			hv_inject_gp(v);
			return 1;
		}
	} else {
		if (hv_get_msr(v, msr, &val, false)) {
			hv_inject_gp(v);
			return 1;
		}
		v->gprs[HV_GPR_RAX] = (u32)val;
		v->gprs[HV_GPR_RDX] = val >> 32;
	}
	hv_skip_insn(v, 2);
	return 1;
}

static int hv_handle_xsetbv(struct hv_x86_vcpu *v)
{
	u64 xcr0 = (v->gprs[HV_GPR_RDX] << 32) | (u32)v->gprs[HV_GPR_RAX];
	/* What the guest's CPUID enumerates, within its FPU state. */
	u64 allowed = hv_cpuid_guest_xcr0_mask(v->cpuid, v->cpuid_nent) &
		      v->guest_fpu.xfeatures;

	/*
	 * XCR0 rules of the SDM: x87 always, AVX needs SSE, AVX-512 needs AVX
	 * and all three of its components, nothing the guest may not have.
	 */
	if (v->gprs[HV_GPR_RCX] != 0 ||
	    ((xcr0 & XFEATURE_MASK_AVX512) &&
	     ((xcr0 & XFEATURE_MASK_AVX512) != XFEATURE_MASK_AVX512 ||
	      !(xcr0 & XFEATURE_MASK_YMM))) || !(xcr0 & XFEATURE_MASK_FP) ||
	    (xcr0 & ~allowed) ||
	    ((xcr0 & XFEATURE_MASK_YMM) && !(xcr0 & XFEATURE_MASK_SSE))) {
		hv_inject_gp(v);
		return 1;
	}
	v->xcr0 = xcr0;
	hv_skip_insn(v, 3);
	return 1;
}

int hv_handle_exit(struct hv_x86_vcpu *v)
{
	struct kvm_run *run = v->vcpu->run;

	switch (v->exit.reason) {
	case HV_EXIT_NONE:
		return 1;
	case HV_EXIT_CPUID:
		return hv_handle_cpuid(v);
	case HV_EXIT_HLT:
		hv_skip_insn(v, 1);
		run->exit_reason = KVM_EXIT_HLT;
		return 0;
	case HV_EXIT_IO:
		return hv_handle_io(v);
	case HV_EXIT_NPF:
		return hv_mmu_page_fault(v);
	case HV_EXIT_MSR_READ:
		return hv_handle_msr(v, false);
	case HV_EXIT_MSR_WRITE:
		return hv_handle_msr(v, true);
	case HV_EXIT_XSETBV:
		return hv_handle_xsetbv(v);
	case HV_EXIT_HYPERCALL:
		v->gprs[HV_GPR_RAX] = (u64)-HV_KVM_ENOSYS;
		hv_skip_insn(v, 3);
		return 1;
	case HV_EXIT_UD:
		hv_ops->inject_exception(v, HV_VEC_UD, false, 0);
		return 1;
	case HV_EXIT_SHUTDOWN:
		run->exit_reason = KVM_EXIT_SHUTDOWN;
		return 0;
	case HV_EXIT_FAIL_ENTRY:
		run->exit_reason = KVM_EXIT_FAIL_ENTRY;
		run->fail_entry.hardware_entry_failure_reason = v->exit.hw_reason;
		run->fail_entry.cpu = v->vcpu->cpu;
		return 0;
	case HV_EXIT_IRQ_WINDOW:
	case HV_EXIT_UNHANDLED:
		break;
	}
	return hv_internal_error(v, KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON);
}
