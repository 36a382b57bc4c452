// SPDX-License-Identifier: GPL-2.0-only
/*
 * Exit policy: what each exit a backend decoded means for the guest and for
 * userspace.  Vendor-neutral; backends only fill struct hv_exit.
 */
#include <linux/kvm.h>
#include <linux/mm.h>
#include <asm/fpu/xcr.h>
#include <asm/fpu/xstate.h>
#include <asm/msr-index.h>

#include "x86.h"
#include "guest_walk.h"

#define HV_VEC_UD	6
#define HV_VEC_GP	13
#define HV_VEC_PF	14
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

	hv_inject_exception(v, HV_VEC_GP, pe, 0);
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

/* Adds @delta to the low @asize bytes of @reg, as string instructions do. */
static void hv_gpr_add(u64 *reg, s64 delta, unsigned int asize)
{
	u64 mask = asize == 8 ? ~0ULL : (1ULL << (asize * 8)) - 1;

	*reg = (*reg & ~mask) | ((*reg + delta) & mask);
}

/* OUTS's segment: DS unless the instruction overrides it (INS: always ES). */
static enum hv_seg hv_outs_segment(struct hv_x86_vcpu *v, enum hv_cpu_mode mode)
{
	enum hv_seg seg = HV_SEG_DS;
	u8 bytes[HV_INSN_MAX_LEN];
	int i, n = hv_fetch_insn(v, mode, bytes);

	for (i = 0; i < n; i++) {
		switch (bytes[i]) {
		case 0x26:
			seg = HV_SEG_ES;
			break;
		case 0x2e:
			seg = HV_SEG_CS;
			break;
		case 0x36:
			seg = HV_SEG_SS;
			break;
		case 0x3e:
			seg = HV_SEG_DS;
			break;
		case 0x64:
			seg = HV_SEG_FS;
			break;
		case 0x65:
			seg = HV_SEG_GS;
			break;
		case 0x66:
		case 0x67:
		case 0xf0:
		case 0xf2:
		case 0xf3:
			break;
		default:
			if (mode == HV_MODE_LONG64 && (bytes[i] & 0xf0) == 0x40)
				break;
			return seg;
		}
	}
	return seg;
}

/* Reverses the order of @count elements of @size bytes (DF=1 copies). */
static void hv_reverse_elements(u8 *buf, unsigned int count, unsigned int size)
{
	unsigned int i, j;
	u8 tmp;

	for (i = 0; i < count / 2; i++)
		for (j = 0; j < size; j++) {
			tmp = buf[i * size + j];
			buf[i * size + j] = buf[(count - 1 - i) * size + j];
			buf[(count - 1 - i) * size + j] = tmp;
		}
}

/*
 * INS/OUTS: up to one guest page of elements per KVM_EXIT_IO (count > 1),
 * as KVM does; a REP that needs more runs the instruction again.
 */
static int hv_handle_string_io(struct hv_x86_vcpu *v)
{
	const struct hv_exit *e = &v->exit;
	struct kvm_run *run = v->vcpu->run;
	unsigned int size = e->io.size, asize = e->io.addr_size;
	bool df = hv_ops->get_reg(v, HV_REG_RFLAGS) & X86_EFLAGS_DF;
	u64 amask = asize == 8 ? ~0ULL : (1ULL << (asize * 8)) - 1;
	enum hv_cpu_mode mode = hv_cpu_mode(v);
	u64 count = e->io.rep ? v->gprs[HV_GPR_RCX] & amask : 1;
	u64 off, lin, gpa, first;
	struct hv_walk_result res;
	unsigned int room;
	int r;

	if (!count) {
		hv_skip_insn(v, 0);
		return 1;
	}
	off = v->gprs[e->io.in ? HV_GPR_RDI : HV_GPR_RSI] & amask;
	lin = hv_linear_address(v, e->io.in ? HV_SEG_ES : hv_outs_segment(v, mode), off);
	/* Elements that fit in this page, going up or (DF) down. */
	room = df ? offset_in_page(lin) / size + 1 :
		    (PAGE_SIZE - offset_in_page(lin)) / size;
	if (offset_in_page(lin) + size > PAGE_SIZE)
		return hv_internal_error(v, KVM_INTERNAL_ERROR_EMULATION);
	count = min_t(u64, count, room);

	down_read(&v->vcpu->vm->slots_sem);
	r = hv_gva_to_gpa(v, lin, e->io.in ? HV_WALK_WRITE : 0, &gpa, &res);
	if (!r && res.fault) {
		up_read(&v->vcpu->vm->slots_sem);
		if (res.noncanonical) {
			hv_inject_gp(v);
		} else {
			hv_ops->set_reg(v, HV_REG_CR2, lin);
			hv_inject_exception(v, HV_VEC_PF, true, res.error_code);
		}
		return 1;
	}
	first = df ? gpa - (count - 1) * size : gpa;
	if (!r && !e->io.in) {
		r = hv_guest_memory_rw(v->vcpu->vm, first, v->vcpu->pio_data,
				       count * size, false);
		if (!r && df)
			hv_reverse_elements(v->vcpu->pio_data, count, size);
	}
	up_read(&v->vcpu->vm->slots_sem);
	/* Strings in MMIO or outside guest memory are not emulated. */
	if (r)
		return hv_internal_error(v, KVM_INTERNAL_ERROR_EMULATION);

	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = e->io.in ? KVM_EXIT_IO_IN : KVM_EXIT_IO_OUT;
	run->io.size = size;
	run->io.port = e->io.port;
	run->io.count = count;
	run->io.data_offset = KVM_PIO_PAGE_OFFSET * PAGE_SIZE;
	v->pio_count = count;
	v->pio_gpa = first;
	v->pending = HV_PENDING_STRING_IO;
	return 0;
}

/* Stores INS data, moves rSI/rDI and rCX, and retires or repeats. */
static int hv_complete_string_io(struct hv_x86_vcpu *v)
{
	const struct hv_exit *e = &v->exit;
	unsigned int size = e->io.size, asize = e->io.addr_size;
	bool df = hv_ops->get_reg(v, HV_REG_RFLAGS) & X86_EFLAGS_DF;
	s64 step = (df ? -1 : 1) * (s64)(v->pio_count * size);
	u64 amask = asize == 8 ? ~0ULL : (1ULL << (asize * 8)) - 1;
	int r = 0;

	if (e->io.in) {
		if (df)
			hv_reverse_elements(v->vcpu->pio_data, v->pio_count, size);
		down_read(&v->vcpu->vm->slots_sem);
		r = hv_guest_memory_rw(v->vcpu->vm, v->pio_gpa, v->vcpu->pio_data,
				       v->pio_count * size, true);
		up_read(&v->vcpu->vm->slots_sem);
		if (r)
			return hv_internal_error(v, KVM_INTERNAL_ERROR_EMULATION);
	}
	hv_gpr_add(&v->gprs[e->io.in ? HV_GPR_RDI : HV_GPR_RSI], step, asize);
	if (e->io.rep)
		hv_gpr_add(&v->gprs[HV_GPR_RCX], -(s64)v->pio_count, asize);
	/* A REP with elements left runs again (and exits again). */
	if (!e->io.rep || !(v->gprs[HV_GPR_RCX] & amask))
		hv_ops->set_reg(v, HV_REG_RIP, v->pending_rip);
	v->pending = HV_PENDING_NONE;
	return 1;
}

static int hv_handle_io(struct hv_x86_vcpu *v)
{
	struct kvm_run *run = v->vcpu->run;
	const struct hv_exit *e = &v->exit;

	v->pending_rip = e->next_rip;
	if (e->io.string)
		return hv_handle_string_io(v);

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
	case HV_PENDING_STRING_IO:
		return hv_complete_string_io(v);
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

	/* Only XCR0 (ECX[31:0] = 0); its rules are shared with KVM_SET_XCRS. */
	if ((u32)v->gprs[HV_GPR_RCX] != 0 || !hv_xcr0_valid(v, xcr0)) {
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
		hv_inject_exception(v, HV_VEC_UD, false, 0);
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
		/* Injection happens before the next entry. */
		hv_ops->set_irq_window(v, false);
		return 1;
	case HV_EXIT_NMI_WINDOW:
		v->nmi_masked = false;
		hv_ops->set_nmi_window(v, false);
		return 1;
	case HV_EXIT_UNHANDLED:
		break;
	}
	return hv_internal_error(v, KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON);
}
