// SPDX-License-Identifier: GPL-2.0-only
/*
 * SVM vCPUs: the VMCB, ASIDs, VMRUN and exit decoding.  Mechanics only: the
 * x86 core decides what an exit means.
 */
#define pr_fmt(fmt) "hv: " fmt

#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/pgtable.h>
#include <linux/slab.h>
#include <asm/debugreg.h>
#include <asm/fpu/xcr.h>
#include <asm/msr-index.h>
#include <asm/svm.h>

#include "svm.h"

#define HV_IOPM_PAGES	3	/* 12 KiB: one bit per port, and 3 more bytes */
#define HV_MSRPM_PAGES	2	/* 8 KiB */
#define HV_DEFAULT_PAT	0x0007040600070406ULL
#define HV_DR6_RESET	0xffff0ff0ULL
#define HV_DR7_RESET	0x400ULL

struct hv_svm_vcpu {
	struct vmcb *vmcb;
	u64 vmcb_pa;
	u64 cr0;		/* as the guest set it (CD/NW are not applied) */
	u64 asid_generation;
	int asid_cpu;
};

asmlinkage void hv_svm_vmrun(unsigned long vmcb_pa, unsigned long *gprs,
			     unsigned long host_save_pa);

/* Every port and MSR access exits: shared by all vCPUs, never written. */
static struct page *hv_iopm, *hv_msrpm;
static u64 hv_host_xcr0;

static inline struct hv_svm_vcpu *to_svm(struct hv_x86_vcpu *v)
{
	return v->backend;
}

int hv_svm_tdp_levels(void)
{
	/* A nested table walk has the host's depth: it uses host CR4.LA57. */
	return pgtable_l5_enabled() ? 5 : 4;
}

int hv_svm_vcpu_setup(void)
{
	hv_iopm = alloc_pages(GFP_KERNEL, get_order(HV_IOPM_PAGES * PAGE_SIZE));
	hv_msrpm = alloc_pages(GFP_KERNEL, get_order(HV_MSRPM_PAGES * PAGE_SIZE));
	if (!hv_iopm || !hv_msrpm) {
		hv_svm_vcpu_unsetup();
		return -ENOMEM;
	}
	memset(page_address(hv_iopm), 0xff, PAGE_SIZE << get_order(HV_IOPM_PAGES * PAGE_SIZE));
	memset(page_address(hv_msrpm), 0xff, PAGE_SIZE << get_order(HV_MSRPM_PAGES * PAGE_SIZE));
	if (boot_cpu_has(X86_FEATURE_XSAVE))
		hv_host_xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	return 0;
}

void hv_svm_vcpu_unsetup(void)
{
	if (hv_iopm)
		__free_pages(hv_iopm, get_order(HV_IOPM_PAGES * PAGE_SIZE));
	if (hv_msrpm)
		__free_pages(hv_msrpm, get_order(HV_MSRPM_PAGES * PAGE_SIZE));
	hv_iopm = NULL;
	hv_msrpm = NULL;
}

static void hv_svm_intercept(struct vmcb *vmcb, unsigned int bit)
{
	vmcb->control.intercepts[bit / 32] |= BIT(bit % 32);
}

static void hv_svm_seg_init(struct vmcb_seg *s, u16 sel, u16 attrib, u32 limit,
			    u64 base)
{
	*s = (struct vmcb_seg) {
		.selector = sel, .attrib = attrib, .limit = limit, .base = base,
	};
}

void hv_svm_vcpu_reset(struct hv_x86_vcpu *v)
{
	struct hv_svm_vcpu *svm = to_svm(v);
	struct vmcb_control_area *c = &svm->vmcb->control;
	struct vmcb_save_area *s = &svm->vmcb->save;
	static const unsigned int intercepts[] = {
		INTERCEPT_INTR, INTERCEPT_NMI, INTERCEPT_SMI, INTERCEPT_CPUID,
		INTERCEPT_HLT, INTERCEPT_IOIO_PROT, INTERCEPT_MSR_PROT,
		INTERCEPT_SHUTDOWN, INTERCEPT_VMRUN, INTERCEPT_VMMCALL,
		INTERCEPT_VMLOAD, INTERCEPT_VMSAVE, INTERCEPT_STGI,
		INTERCEPT_CLGI, INTERCEPT_SKINIT, INTERCEPT_INVLPGA,
		INTERCEPT_XSETBV, INTERCEPT_MONITOR, INTERCEPT_MWAIT,
		INTERCEPT_RDPRU,
	};
	u64 ncr3 = c->nested_cr3;
	unsigned int i;

	memset(svm->vmcb, 0, PAGE_SIZE);
	for (i = 0; i < ARRAY_SIZE(intercepts); i++)
		hv_svm_intercept(svm->vmcb, intercepts[i]);
	c->iopm_base_pa = page_to_phys(hv_iopm);
	c->msrpm_base_pa = page_to_phys(hv_msrpm);
	/* The guest's IF masks only virtual interrupts; host ones still exit. */
	c->int_ctl = V_INTR_MASKING_MASK;
	c->nested_ctl = SVM_NESTED_CTL_NP_ENABLE;
	c->nested_cr3 = ncr3;
	svm->asid_generation = 0;	/* a fresh ASID at the next entry */

	/* Power-on state (SDM/APM "Initialization"), as KVM sets it. */
	hv_svm_seg_init(&s->cs, 0xf000, 0x9b, 0xffff, 0xffff0000);
	hv_svm_seg_init(&s->ds, 0, 0x93, 0xffff, 0);
	hv_svm_seg_init(&s->es, 0, 0x93, 0xffff, 0);
	hv_svm_seg_init(&s->fs, 0, 0x93, 0xffff, 0);
	hv_svm_seg_init(&s->gs, 0, 0x93, 0xffff, 0);
	hv_svm_seg_init(&s->ss, 0, 0x93, 0xffff, 0);
	hv_svm_seg_init(&s->ldtr, 0, 0x82, 0xffff, 0);
	hv_svm_seg_init(&s->tr, 0, 0x8b, 0xffff, 0);
	s->gdtr.limit = 0xffff;
	s->idtr.limit = 0xffff;
	s->rip = 0xfff0;
	s->rflags = X86_EFLAGS_FIXED;
	svm->cr0 = X86_CR0_NW | X86_CR0_CD | X86_CR0_ET;
	s->cr0 = svm->cr0 & ~(X86_CR0_NW | X86_CR0_CD);
	/* VMRUN requires EFER.SVME in the guest state; the guest never sees it. */
	s->efer = EFER_SVME;
	s->dr6 = HV_DR6_RESET;
	s->dr7 = HV_DR7_RESET;
	s->g_pat = HV_DEFAULT_PAT;
}

int hv_svm_vcpu_create(struct hv_x86_vcpu *v)
{
	struct hv_svm_vcpu *svm = kzalloc(sizeof(*svm), GFP_KERNEL_ACCOUNT);
	struct page *page;

	if (!svm)
		return -ENOMEM;
	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!page) {
		kfree(svm);
		return -ENOMEM;
	}
	svm->vmcb = page_address(page);
	svm->vmcb_pa = page_to_phys(page);
	svm->asid_cpu = -1;
	v->backend = svm;
	return 0;
}

void hv_svm_vcpu_free(struct hv_x86_vcpu *v)
{
	struct hv_svm_vcpu *svm = to_svm(v);

	if (!svm)
		return;
	free_page((unsigned long)svm->vmcb);
	kfree(svm);
	v->backend = NULL;
}

void hv_svm_set_tdp_root(struct hv_x86_vcpu *v, u64 root_pa)
{
	to_svm(v)->vmcb->control.nested_cr3 = root_pa;
}

/*
 * ASIDs are handed out per CPU; when a CPU runs out it starts a new
 * generation with a full TLB flush.  Without flush-by-ASID (QEMU's SVM has
 * none) a fresh ASID is also how a vCPU drops its own translations.
 */
static void hv_svm_pick_asid(struct hv_svm_vcpu *svm, bool flush)
{
	struct hv_svm_cpu *sd = this_cpu_ptr(&hv_svm_cpu);
	int cpu = smp_processor_id();
	struct vmcb_control_area *c = &svm->vmcb->control;

	if (!flush && svm->asid_cpu == cpu &&
	    svm->asid_generation == sd->asid_generation)
		return;
	if (!sd->next_asid || sd->next_asid >= hv_svm_caps.nr_asids) {
		sd->asid_generation++;
		sd->next_asid = 1;
		c->tlb_ctl = TLB_CONTROL_FLUSH_ALL_ASID;
	}
	c->asid = sd->next_asid++;
	svm->asid_generation = sd->asid_generation;
	svm->asid_cpu = cpu;
}

static void hv_svm_decode_exit(struct hv_x86_vcpu *v)
{
	struct vmcb_control_area *c = &to_svm(v)->vmcb->control;
	struct hv_exit *e = &v->exit;
	u64 code = ((u64)c->exit_code_hi << 32) | c->exit_code;
	u64 info1 = c->exit_info_1;

	memset(e, 0, sizeof(*e));
	e->hw_reason = code;
	if (HV_SVM_HAS(&hv_svm_caps, NRIPS))
		e->next_rip = c->next_rip;

	/*
	 * Exit codes fit in 32 bits; VMEXIT_INVALID is -1 there (emulators
	 * leave exit_code_hi at 0), so decode the low half, as KVM does.
	 */
	switch (c->exit_code) {
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
	case SVM_EXIT_SMI:
		e->reason = HV_EXIT_NONE;
		break;
	case SVM_EXIT_CPUID:
		e->reason = HV_EXIT_CPUID;
		break;
	case SVM_EXIT_HLT:
		e->reason = HV_EXIT_HLT;
		break;
	case SVM_EXIT_IOIO:
		e->reason = HV_EXIT_IO;
		e->io.port = info1 >> 16;
		e->io.in = info1 & SVM_IOIO_TYPE_MASK;
		e->io.string = info1 & SVM_IOIO_STR_MASK;
		e->io.rep = info1 & SVM_IOIO_REP_MASK;
		e->io.size = (info1 & SVM_IOIO_SIZE_MASK) >> SVM_IOIO_SIZE_SHIFT;
		/* The size field is one-hot: 1, 2 or 4 bytes. */
		e->io.size = e->io.size == 4 ? 4 : e->io.size == 2 ? 2 : 1;
		/* Address size of string I/O: one-hot A16/A32/A64. */
		e->io.addr_size = (info1 & SVM_IOIO_ASIZE_MASK) >> SVM_IOIO_ASIZE_SHIFT;
		e->io.addr_size = e->io.addr_size == 4 ? 8 : e->io.addr_size == 2 ? 4 : 2;
		/* I/O intercepts always report the next RIP. */
		e->next_rip = c->exit_info_2;
		break;
	case SVM_EXIT_MSR:
		e->reason = info1 ? HV_EXIT_MSR_WRITE : HV_EXIT_MSR_READ;
		break;
	case SVM_EXIT_NPF:
		e->reason = HV_EXIT_NPF;
		e->npf.gpa = c->exit_info_2;
		e->npf.present = info1 & BIT(0);
		e->npf.write = info1 & BIT(1);
		e->npf.fetch = info1 & BIT(4);
		break;
	case SVM_EXIT_SHUTDOWN:
		e->reason = HV_EXIT_SHUTDOWN;
		break;
	case SVM_EXIT_VMMCALL:
		e->reason = HV_EXIT_HYPERCALL;
		break;
	case SVM_EXIT_XSETBV:
		e->reason = HV_EXIT_XSETBV;
		break;
	case SVM_EXIT_VINTR:
		e->reason = HV_EXIT_IRQ_WINDOW;
		break;
	case SVM_EXIT_IRET:
		e->reason = HV_EXIT_NMI_WINDOW;
		break;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
	case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT:
	case SVM_EXIT_RDPRU:
		e->reason = HV_EXIT_UD;
		break;
	case (u32)SVM_EXIT_ERR:
		e->reason = HV_EXIT_FAIL_ENTRY;
		break;
	default:
		e->reason = HV_EXIT_UNHANDLED;
		break;
	}
}

void hv_svm_run(struct hv_x86_vcpu *v, bool flush_tlb)
{
	struct hv_svm_vcpu *svm = to_svm(v);
	struct vmcb *vmcb = svm->vmcb;
	struct hv_svm_cpu *sd = this_cpu_ptr(&hv_svm_cpu);
	bool switch_xcr0 = hv_host_xcr0 && v->xcr0 != hv_host_xcr0;

	hv_svm_pick_asid(svm, flush_tlb);
	vmcb->save.rax = v->gprs[HV_GPR_RAX];
	vmcb->save.rsp = v->gprs[HV_GPR_RSP];
	if (switch_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, v->xcr0);

	/*
	 * With GIF clear nothing interrupts the switch; IF set means a host
	 * interrupt that arrives while the guest runs makes it exit.
	 */
	asm volatile("clgi" ::: "memory");
	local_irq_enable();
	hv_svm_vmrun(svm->vmcb_pa, (unsigned long *)v->gprs,
		     page_to_phys(sd->host_save));
	local_irq_disable();
	asm volatile("stgi" ::: "memory");

	/*
	 * Restore the host's XCR0 from what the CPU holds, not from what we
	 * loaded: an XSETBV that did not exit (QEMU's SVM never intercepts
	 * it) must not leave the guest's value in the host.
	 */
	if (hv_host_xcr0 && xgetbv(XCR_XFEATURE_ENABLED_MASK) != hv_host_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, hv_host_xcr0);
	/* #VMEXIT leaves DR7 at its reset value; breakpoints need it back. */
	if (hw_breakpoint_active())
		hw_breakpoint_restore();

	v->gprs[HV_GPR_RAX] = vmcb->save.rax;
	v->gprs[HV_GPR_RSP] = vmcb->save.rsp;
	vmcb->control.tlb_ctl = TLB_CONTROL_DO_NOTHING;
	/*
	 * An event whose delivery the exit interrupted (e.g. a fault on the
	 * IDT) is delivered again at the next entry.  Software interrupts are
	 * not: the INT instruction runs again instead.
	 */
	vmcb->control.event_inj = 0;
	if ((vmcb->control.exit_int_info & SVM_EXITINTINFO_VALID) &&
	    (vmcb->control.exit_int_info & SVM_EXITINTINFO_TYPE_MASK) !=
	    SVM_EXITINTINFO_TYPE_SOFT) {
		vmcb->control.event_inj = vmcb->control.exit_int_info;
		vmcb->control.event_inj_err = vmcb->control.exit_int_info_err;
	}
	hv_svm_decode_exit(v);
}

u64 hv_svm_get_reg(struct hv_x86_vcpu *v, enum hv_x86_reg reg)
{
	struct vmcb_save_area *s = &to_svm(v)->vmcb->save;

	switch (reg) {
	case HV_REG_RIP:
		return s->rip;
	case HV_REG_RFLAGS:
		return s->rflags;
	case HV_REG_CR0:
		/* What the guest wrote, and what the hardware changed (TS, MP). */
		return (to_svm(v)->cr0 & (X86_CR0_CD | X86_CR0_NW)) | s->cr0;
	case HV_REG_CR2:
		return s->cr2;
	case HV_REG_CR3:
		return s->cr3;
	case HV_REG_CR4:
		return s->cr4;
	case HV_REG_EFER:
		return s->efer & ~(u64)EFER_SVME;
	case HV_REG_PAT:
		return s->g_pat;
	case HV_REG_CR8:
		return to_svm(v)->vmcb->control.int_ctl & V_TPR_MASK;
	}
	return 0;
}

void hv_svm_set_reg(struct hv_x86_vcpu *v, enum hv_x86_reg reg, u64 val)
{
	struct hv_svm_vcpu *svm = to_svm(v);
	struct vmcb_save_area *s = &svm->vmcb->save;

	switch (reg) {
	case HV_REG_RIP:
		s->rip = val;
		break;
	case HV_REG_RFLAGS:
		s->rflags = val;
		break;
	case HV_REG_CR0:
		svm->cr0 = val;
		/* Caching stays on: KVM's CD_NW_CLEARED behaviour. */
		s->cr0 = val & ~(X86_CR0_CD | X86_CR0_NW);
		break;
	case HV_REG_CR2:
		s->cr2 = val;
		break;
	case HV_REG_CR3:
		s->cr3 = val;
		break;
	case HV_REG_CR4:
		s->cr4 = val;
		break;
	case HV_REG_EFER:
		s->efer = val | EFER_SVME;
		break;
	case HV_REG_PAT:
		s->g_pat = val;
		break;
	case HV_REG_CR8:
		svm->vmcb->control.int_ctl &= ~V_TPR_MASK;
		svm->vmcb->control.int_ctl |= val & V_TPR_MASK;
		break;
	}
}

static struct vmcb_seg *hv_svm_seg(struct vmcb_save_area *s, enum hv_seg seg)
{
	switch (seg) {
	case HV_SEG_CS: return &s->cs;
	case HV_SEG_DS: return &s->ds;
	case HV_SEG_ES: return &s->es;
	case HV_SEG_FS: return &s->fs;
	case HV_SEG_GS: return &s->gs;
	case HV_SEG_SS: return &s->ss;
	case HV_SEG_TR: return &s->tr;
	default: return &s->ldtr;
	}
}

void hv_svm_get_segment(struct hv_x86_vcpu *v, struct kvm_segment *var,
			enum hv_seg seg)
{
	const struct vmcb_seg *s = hv_svm_seg(&to_svm(v)->vmcb->save, seg);
	u16 a = s->attrib;

	*var = (struct kvm_segment) {
		.base = s->base,
		.limit = s->limit,
		.selector = s->selector,
		.type = a & SVM_SELECTOR_TYPE_MASK,
		.s = !!(a & SVM_SELECTOR_S_MASK),
		.dpl = (a & SVM_SELECTOR_DPL_MASK) >> SVM_SELECTOR_DPL_SHIFT,
		.present = !!(a & SVM_SELECTOR_P_MASK),
		.avl = !!(a & SVM_SELECTOR_AVL_MASK),
		.l = !!(a & SVM_SELECTOR_L_MASK),
		.db = !!(a & SVM_SELECTOR_DB_MASK),
		.g = !!(a & SVM_SELECTOR_G_MASK),
		.unusable = !(a & SVM_SELECTOR_P_MASK),
	};
}

void hv_svm_set_segment(struct hv_x86_vcpu *v, const struct kvm_segment *var,
			enum hv_seg seg)
{
	struct vmcb_save_area *save = &to_svm(v)->vmcb->save;
	struct vmcb_seg *s = hv_svm_seg(save, seg);

	s->base = var->base;
	s->limit = var->limit;
	s->selector = var->selector;
	s->attrib = 0;
	if (!var->unusable)
		s->attrib = (var->type & SVM_SELECTOR_TYPE_MASK) |
			    (var->s << SVM_SELECTOR_S_SHIFT) |
			    ((var->dpl & 3) << SVM_SELECTOR_DPL_SHIFT) |
			    (var->present << SVM_SELECTOR_P_SHIFT) |
			    (var->avl << SVM_SELECTOR_AVL_SHIFT) |
			    (var->l << SVM_SELECTOR_L_SHIFT) |
			    (var->db << SVM_SELECTOR_DB_SHIFT) |
			    (var->g << SVM_SELECTOR_G_SHIFT);
	/* The CPL is SS.DPL, as the APM requires of the VMCB. */
	if (seg == HV_SEG_SS)
		save->cpl = var->dpl & 3;
}

void hv_svm_get_dtable(struct hv_x86_vcpu *v, struct kvm_dtable *dt, bool idt)
{
	struct vmcb_save_area *s = &to_svm(v)->vmcb->save;
	const struct vmcb_seg *t = idt ? &s->idtr : &s->gdtr;

	dt->base = t->base;
	dt->limit = t->limit;
}

void hv_svm_set_dtable(struct hv_x86_vcpu *v, const struct kvm_dtable *dt,
		       bool idt)
{
	struct vmcb_save_area *s = &to_svm(v)->vmcb->save;
	struct vmcb_seg *t = idt ? &s->idtr : &s->gdtr;

	t->base = dt->base;
	t->limit = dt->limit;
}

/* The MSRs the VMCB holds (VMRUN/VMSAVE/VMLOAD switch them). */
static u64 *hv_svm_msr_field(struct vmcb_save_area *s, u32 index)
{
	switch (index) {
	case MSR_IA32_SYSENTER_CS:	return &s->sysenter_cs;
	case MSR_IA32_SYSENTER_ESP:	return &s->sysenter_esp;
	case MSR_IA32_SYSENTER_EIP:	return &s->sysenter_eip;
	case MSR_STAR:			return &s->star;
	case MSR_LSTAR:			return &s->lstar;
	case MSR_CSTAR:			return &s->cstar;
	case MSR_SYSCALL_MASK:		return &s->sfmask;
	case MSR_KERNEL_GS_BASE:	return &s->kernel_gs_base;
	case MSR_FS_BASE:		return &s->fs.base;
	case MSR_GS_BASE:		return &s->gs.base;
	case MSR_IA32_CR_PAT:		return &s->g_pat;
	default:			return NULL;
	}
}

bool hv_svm_get_msr(struct hv_x86_vcpu *v, u32 index, u64 *val)
{
	u64 *f;

	if (index == MSR_EFER) {
		*val = hv_svm_get_reg(v, HV_REG_EFER);
		return true;
	}
	f = hv_svm_msr_field(&to_svm(v)->vmcb->save, index);
	if (f)
		*val = *f;
	return f;
}

bool hv_svm_set_msr(struct hv_x86_vcpu *v, u32 index, u64 val)
{
	u64 *f;

	if (index == MSR_EFER) {
		hv_svm_set_reg(v, HV_REG_EFER, val);
		return true;
	}
	f = hv_svm_msr_field(&to_svm(v)->vmcb->save, index);
	if (f)
		*f = val;
	return f;
}

void hv_svm_set_tsc_offset(struct hv_x86_vcpu *v, u64 offset)
{
	to_svm(v)->vmcb->control.tsc_offset = offset;
}

static const u32 hv_svm_event_types[] = {
	[HV_EVENT_IRQ] = SVM_EVTINJ_TYPE_INTR,
	[HV_EVENT_NMI] = SVM_EVTINJ_TYPE_NMI,
	[HV_EVENT_EXCEPTION] = SVM_EVTINJ_TYPE_EXEPT,
	[HV_EVENT_SOFT_IRQ] = SVM_EVTINJ_TYPE_SOFT,
};

void hv_svm_set_event(struct hv_x86_vcpu *v, const struct hv_event *e)
{
	struct vmcb_control_area *c = &to_svm(v)->vmcb->control;

	if (e->type == HV_EVENT_NONE) {
		c->event_inj = 0;
		return;
	}
	c->event_inj = e->vector | hv_svm_event_types[e->type] | SVM_EVTINJ_VALID |
		       (e->has_error ? SVM_EVTINJ_VALID_ERR : 0);
	c->event_inj_err = e->error;
}

void hv_svm_get_event(struct hv_x86_vcpu *v, struct hv_event *e)
{
	struct vmcb_control_area *c = &to_svm(v)->vmcb->control;
	u32 type = c->event_inj & SVM_EVTINJ_TYPE_MASK;
	unsigned int i;

	memset(e, 0, sizeof(*e));
	if (!(c->event_inj & SVM_EVTINJ_VALID))
		return;
	for (i = HV_EVENT_IRQ; i < ARRAY_SIZE(hv_svm_event_types); i++)
		if (hv_svm_event_types[i] == type)
			e->type = i;
	e->vector = c->event_inj & SVM_EVTINJ_VEC_MASK;
	e->has_error = c->event_inj & SVM_EVTINJ_VALID_ERR;
	e->error = c->event_inj_err;
}

bool hv_svm_get_interrupt_shadow(struct hv_x86_vcpu *v)
{
	return to_svm(v)->vmcb->control.int_state & SVM_INTERRUPT_SHADOW_MASK;
}

void hv_svm_set_interrupt_shadow(struct hv_x86_vcpu *v, bool on)
{
	struct vmcb_control_area *c = &to_svm(v)->vmcb->control;

	c->int_state = on ? c->int_state | SVM_INTERRUPT_SHADOW_MASK :
			    c->int_state & ~SVM_INTERRUPT_SHADOW_MASK;
}

static void hv_svm_set_intercept(struct vmcb *vmcb, unsigned int bit, bool on)
{
	if (on)
		vmcb->control.intercepts[bit / 32] |= BIT(bit % 32);
	else
		vmcb->control.intercepts[bit / 32] &= ~BIT(bit % 32);
}

/*
 * A virtual interrupt the guest never receives: the VINTR intercept fires
 * as soon as the guest could take it, which is the window we want.
 */
void hv_svm_set_irq_window(struct hv_x86_vcpu *v, bool on)
{
	struct vmcb *vmcb = to_svm(v)->vmcb;

	vmcb->control.int_ctl &= ~(V_IRQ_MASK | V_INTR_PRIO_MASK | V_IGN_TPR_MASK);
	if (on)
		vmcb->control.int_ctl |= V_IRQ_MASK | V_IGN_TPR_MASK |
					 (0xf << V_INTR_PRIO_SHIFT);
	hv_svm_set_intercept(vmcb, INTERCEPT_VINTR, on);
}

/* NMIs stay masked until the handler's IRET, which SVM does not report otherwise. */
void hv_svm_set_nmi_window(struct hv_x86_vcpu *v, bool on)
{
	hv_svm_set_intercept(to_svm(v)->vmcb, INTERCEPT_IRET, on);
}
