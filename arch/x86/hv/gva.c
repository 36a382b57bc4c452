// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest-virtual accesses for the exits that touch guest memory themselves
 * (instruction fetch for MMIO, string I/O): segment + offset to linear,
 * linear to physical through the guest's page tables (guest_walk.c).
 */
#include <linux/mm.h>

#include "x86.h"
#include "guest_walk.h"

static int hv_gva_read_gpa(void *opaque, u64 gpa, void *buf, unsigned int len)
{
	return hv_guest_memory_rw(opaque, gpa, buf, len, false);
}

/* The paging state the guest's translations use now. */
static void hv_walk_ctx_init(struct hv_x86_vcpu *v, struct hv_walk_ctx *ctx)
{
	*ctx = (struct hv_walk_ctx) {
		.cr0 = hv_ops->get_reg(v, HV_REG_CR0),
		.cr3 = hv_ops->get_reg(v, HV_REG_CR3),
		.cr4 = hv_ops->get_reg(v, HV_REG_CR4),
		.efer = hv_ops->get_reg(v, HV_REG_EFER),
		.maxphyaddr = hv_cpuid_maxphyaddr(v->cpuid, v->cpuid_nent),
		.read_gpa = hv_gva_read_gpa,
		.opaque = v->vcpu->vm,
	};
}

enum hv_cpu_mode hv_cpu_mode(struct hv_x86_vcpu *v)
{
	struct kvm_segment cs;

	hv_ops->get_segment(v, &cs, HV_SEG_CS);
	return hv_emul_cpu_mode(hv_ops->get_reg(v, HV_REG_CR0) & X86_CR0_PE,
				hv_ops->get_reg(v, HV_REG_RFLAGS) & X86_EFLAGS_VM,
				hv_ops->get_reg(v, HV_REG_EFER) & EFER_LMA,
				cs.l, cs.db);
}

/* Segment base + offset; in 64-bit mode only FS and GS have a base. */
u64 hv_linear_address(struct hv_x86_vcpu *v, enum hv_seg seg, u64 offset)
{
	struct kvm_segment s;

	if (hv_cpu_mode(v) == HV_MODE_LONG64 && seg != HV_SEG_FS && seg != HV_SEG_GS)
		return offset;
	hv_ops->get_segment(v, &s, seg);
	return (s.base + offset) & (hv_cpu_mode(v) == HV_MODE_LONG64 ? ~0ULL : 0xffffffffULL);
}

/*
 * Translates @gva for @access (HV_WALK_*), CPL 3 accesses as user ones.
 * Returns 0 and *@gpa; or 0 with res->fault set (the caller injects #PF or
 * #GP); or -EFAULT when the guest's page tables are not in guest RAM.
 * slots_sem must be held.
 */
int hv_gva_to_gpa(struct hv_x86_vcpu *v, u64 gva, unsigned int access,
		  u64 *gpa, struct hv_walk_result *res)
{
	struct kvm_segment ss;
	struct hv_walk_ctx ctx;
	int r;

	hv_walk_ctx_init(v, &ctx);
	hv_ops->get_segment(v, &ss, HV_SEG_SS);
	if (ss.dpl == 3 && !(access & HV_WALK_FETCH))
		access |= HV_WALK_USER;
	r = hv_guest_walk(&ctx, gva, access, res);
	if (!r && !res->fault)
		*gpa = res->gpa;
	return r;
}
