// SPDX-License-Identifier: GPL-2.0-only
/*
 * MMIO: a guest access that no memslot backs (or a write to a read-only
 * one) is decoded from the guest's instruction bytes and becomes
 * KVM_EXIT_MMIO.  The decoder is emulate.c (pure); this file fetches the
 * bytes through the guest's page tables and moves data and registers.
 * Hardware decode assists are not needed (QEMU's SVM has none).
 */
#include <linux/kvm.h>
#include <linux/mm.h>
#include <linux/uaccess.h>

#include "x86.h"
#include "guest_walk.h"

/*
 * Fetches up to 15 bytes at CS:RIP.  Returns how many could be read (the
 * instruction may end before a page the guest cannot reach), or -EFAULT.
 */
int hv_fetch_insn(struct hv_x86_vcpu *v, enum hv_cpu_mode mode, u8 *bytes)
{
	struct hv_vm *vm = v->vcpu->vm;
	struct hv_walk_result res;
	unsigned int n = 0, chunk;
	u64 rip = hv_rip(v), lin, gpa;

	if (mode == HV_MODE_REAL || mode == HV_MODE_VM86 || mode == HV_MODE_PROT16)
		rip &= 0xffff;
	else if (mode != HV_MODE_LONG64)
		rip &= 0xffffffff;
	lin = hv_linear_address(v, HV_SEG_CS, rip);

	down_read(&vm->slots_sem);
	while (n < HV_INSN_MAX_LEN) {
		chunk = min_t(unsigned int, HV_INSN_MAX_LEN - n,
			      PAGE_SIZE - offset_in_page(lin + n));
		if (hv_gva_to_gpa(v, lin + n, HV_WALK_FETCH, &gpa, &res) ||
		    res.fault ||
		    hv_guest_memory_rw(vm, gpa, bytes + n, chunk, false))
			break;
		n += chunk;
	}
	up_read(&vm->slots_sem);
	return n ? n : -EFAULT;
}

static void hv_emul_regs_get(struct hv_x86_vcpu *v, struct hv_emul_regs *r)
{
	memcpy(r->gpr, v->gprs, sizeof(r->gpr));
	r->rip = hv_rip(v);
	r->rflags = hv_ops->get_reg(v, HV_REG_RFLAGS);
}

static void hv_emul_regs_put(struct hv_x86_vcpu *v, const struct hv_emul_regs *r)
{
	memcpy(v->gprs, r->gpr, sizeof(v->gprs));
	hv_ops->set_reg(v, HV_REG_RIP, r->rip);
	hv_ops->set_reg(v, HV_REG_RFLAGS, r->rflags);
}

static int hv_mmio_exit(struct hv_x86_vcpu *v, const struct hv_mmio_access *acc)
{
	struct kvm_run *run = v->vcpu->run;

	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = v->mmio_gpa;
	run->mmio.len = acc->size;
	run->mmio.is_write = acc->dir == HV_MMIO_WRITE;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (run->mmio.is_write)
		memcpy(run->mmio.data, &acc->data, acc->size);
	return 0;
}

/*
 * Runs the second half of an instruction: after a read came back, or at
 * once for a write (a posted write, as KVM's).  The instruction retires
 * here: registers, flags and RIP are updated before userspace sees a write.
 */
static int hv_mmio_complete(struct hv_x86_vcpu *v)
{
	struct hv_emul_regs regs;
	int r;

	hv_emul_regs_get(v, &regs);
	r = hv_emul_mmio_complete(&v->mmio_insn, &regs, &v->mmio_acc);
	if (r < 0)
		return hv_internal_error(v, KVM_INTERNAL_ERROR_EMULATION);
	hv_emul_regs_put(v, &regs);
	if (r & HV_EMUL_WRITE)
		return hv_mmio_exit(v, &v->mmio_acc);
	return 1;
}

int hv_complete_mmio_read(struct hv_x86_vcpu *v)
{
	v->pending = HV_PENDING_NONE;
	memcpy(&v->mmio_acc.data, v->vcpu->run->mmio.data, v->mmio_acc.size);
	return hv_mmio_complete(v);
}

int hv_emulate_mmio(struct hv_x86_vcpu *v)
{
	struct hv_insn *insn = &v->mmio_insn;
	struct hv_mmio_access *acc = &v->mmio_acc;
	struct hv_emul_regs regs;
	enum hv_cpu_mode mode;
	u8 bytes[HV_INSN_MAX_LEN];
	int n;

	/* Code in MMIO is not emulated (KVM does not either). */
	if (v->exit.npf.fetch)
		return hv_internal_error(v, KVM_INTERNAL_ERROR_EMULATION);

	mode = hv_cpu_mode(v);
	n = hv_fetch_insn(v, mode, bytes);
	if (n < 0 || hv_insn_decode(insn, bytes, n, mode))
		return hv_internal_error(v, KVM_INTERNAL_ERROR_EMULATION);

	hv_emul_regs_get(v, &regs);
	if (hv_emul_mmio_begin(insn, &regs, acc))
		return hv_internal_error(v, KVM_INTERNAL_ERROR_EMULATION);
	/*
	 * MOVS has two memory operands, either of which may be RAM: not
	 * emulated yet.  Nor is an access that straddles two pages.
	 */
	if (acc->movs || offset_in_page(v->exit.npf.gpa) + acc->size > PAGE_SIZE)
		return hv_internal_error(v, KVM_INTERNAL_ERROR_EMULATION);
	v->mmio_gpa = v->exit.npf.gpa;

	switch (acc->dir) {
	case HV_MMIO_READ:
		v->pending = HV_PENDING_MMIO_READ;
		return hv_mmio_exit(v, acc);
	case HV_MMIO_WRITE:
		return hv_mmio_complete(v);
	default:
		/* REP with a zero count: nothing to access. */
		return hv_mmio_complete(v);
	}
}
