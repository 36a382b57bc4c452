/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86 core of hv.  A vendor backend (vmx/, svm/) is one ops table: the
 * mechanics of one vendor's hardware, no policy.  The core owns the vCPU's
 * general-purpose registers and decides what every exit means.
 */
#ifndef HV_X86_H
#define HV_X86_H

#include <linux/kvm.h>
#include <linux/types.h>
#include <asm/fpu/api.h>

#include "../../../virt/hv/hv.h"
#include "cpuid.h"
#include "emulate.h"
#include "msr.h"
#include "regs.h"
#include "mmu/tdp.h"

struct hv_x86_vcpu;

/* Guest state kept by the backend (VMCB/VMCS), reached through ops. */
enum hv_x86_reg {
	HV_REG_RIP,
	HV_REG_RFLAGS,
	HV_REG_CR0,
	HV_REG_CR2,
	HV_REG_CR3,
	HV_REG_CR4,
	HV_REG_EFER,
	HV_REG_PAT,
	HV_REG_CR8,		/* the TPR, as MOV CR8 sees it */
};

/* An event delivered through the guest's IDT at the next entry. */
enum hv_event_type {
	HV_EVENT_NONE,
	HV_EVENT_IRQ,		/* external interrupt */
	HV_EVENT_NMI,
	HV_EVENT_EXCEPTION,
	HV_EVENT_SOFT_IRQ,	/* INTn interrupted by an exit */
};

struct hv_event {
	enum hv_event_type type;
	u8 vector;
	bool has_error;
	u32 error;
};

/* What a backend decodes its exit into; the core handles it. */
enum hv_exit_reason {
	HV_EXIT_NONE,		/* host interrupt or NMI: just enter again */
	HV_EXIT_CPUID,
	HV_EXIT_HLT,
	HV_EXIT_IO,
	HV_EXIT_NPF,		/* nested page fault / EPT violation */
	HV_EXIT_MSR_READ,
	HV_EXIT_MSR_WRITE,
	HV_EXIT_SHUTDOWN,	/* triple fault */
	HV_EXIT_HYPERCALL,	/* VMMCALL / VMCALL */
	HV_EXIT_XSETBV,
	HV_EXIT_IRQ_WINDOW,
	HV_EXIT_NMI_WINDOW,	/* the guest ran IRET: NMIs may be unmasked */
	HV_EXIT_UD,		/* an instruction the guest may not run: #UD */
	HV_EXIT_FAIL_ENTRY,	/* hardware refused the guest state */
	HV_EXIT_UNHANDLED,	/* an exit hv does not expect */
};

struct hv_exit {
	enum hv_exit_reason reason;
	u64 hw_reason;		/* the vendor's exit code, for reports */
	u64 next_rip;		/* 0: the hardware did not say */
	union {
		struct {
			u16 port;
			u8 size;	/* 1, 2 or 4 */
			u8 addr_size;	/* string I/O: 2, 4 or 8 */
			bool in;
			bool string;
			bool rep;
		} io;
		struct {
			u64 gpa;
			bool write;
			bool fetch;
			bool present;	/* a translation existed (permission fault) */
		} npf;
	};
};

/* An exit to userspace whose completion waits for the next KVM_RUN. */
enum hv_pending {
	HV_PENDING_NONE,
	HV_PENDING_PIO_IN,	/* copy the PIO data page into RAX */
	HV_PENDING_SKIP,	/* only advance RIP (PIO out) */
	HV_PENDING_MMIO_READ,	/* finish v->mmio_insn with kvm_run's data */
	HV_PENDING_STRING_IO,	/* finish INS/OUTS of v->pio_count elements */
};

/* Zeroed pages for TDP tables, filled before mmu_lock is taken. */
struct hv_table_cache {
	void *pages[HV_PTE_MAX_LEVELS];
	int nr;
};

struct hv_x86_vcpu {
	struct hv_vcpu *vcpu;
	u64 gprs[HV_NR_GPRS];
	struct hv_exit exit;
	enum hv_pending pending;
	u64 pending_rip;	/* RIP after the pending instruction */
	/* The instruction an MMIO exit is in the middle of. */
	struct hv_insn mmio_insn;
	struct hv_mmio_access mmio_acc;
	u64 mmio_gpa;
	/* INS/OUTS in flight: elements, and where INS data goes. */
	u32 pio_count;
	u64 pio_gpa;

	struct hv_cpuid_entry *cpuid;	/* KVM_SET_CPUID2's table */
	unsigned int cpuid_nent;
	struct hv_msr_guest_caps msr_caps;
	u64 tsc_offset;
	/* MSRs kept by the core rather than the VMCB/VMCS (MTRRs, MCE...). */
	struct {
		u32 index;
		u64 data;
	} stored_msrs[96];
	unsigned int nr_stored_msrs;
	u32 mp_state;
	u64 apic_base;
	u64 xcr0;

	/* Interrupt and NMI state of a vCPU without an in-kernel LAPIC. */
	bool irq_queued;	/* KVM_INTERRUPT: deliver irq_vector when allowed */
	u8 irq_vector;
	bool nmi_queued;	/* KVM_NMI */
	bool nmi_masked;	/* an NMI handler runs: until its IRET */
	struct hv_table_cache table_cache;
	/* The guest's FPU/XSAVE state: in the CPU during KVM_RUN. */
	struct fpu_guest guest_fpu;

	void *backend;		/* struct hv_svm_vcpu or struct hv_vmx_vcpu */
};

struct hv_x86_vm {
	struct hv_vm *vm;
	struct hv_tdp tdp;
	/* The faulting vCPU's cache while it maps (mmu_lock); NULL at setup. */
	struct hv_table_cache *cache;
	bool destroying;
};

struct hv_x86_ops {
	const char *name;		/* "vmx" or "svm" */
	int backend;			/* HV_BACKEND_* of <linux/hv.h> */

	/*
	 * Probes the boot CPU.  Returns 0, -ENODEV when the CPU lacks the
	 * extension, or -EOPNOTSUPP when firmware disabled it or it is
	 * unusable; the backend prints the one dmesg line that says why.
	 */
	int (*hardware_setup)(void);
	void (*hardware_unsetup)(void);
	/* Runs on each CPU as it comes up: same capabilities as the boot CPU? */
	int (*check_processor_compat)(void);
	/*
	 * Enter/leave VMX or SVM operation on this CPU (interrupts off).
	 * hardware_enable returns -EBUSY when another hypervisor already
	 * holds the CPU, and then changes nothing.
	 */
	int (*hardware_enable)(void);
	void (*hardware_disable)(void);

	/* sysfs report: feature names on one line, and raw key=value caps. */
	int (*show_features)(char *buf, size_t size);
	int (*show_caps)(char *buf, size_t size);

	/* Two-dimensional paging: entry format and depth for new VMs. */
	const struct hv_pte_format *tdp_format;
	int (*tdp_levels)(void);

	int (*vcpu_create)(struct hv_x86_vcpu *v);
	void (*vcpu_free)(struct hv_x86_vcpu *v);
	/* Architectural reset state (power-on values). */
	void (*vcpu_reset)(struct hv_x86_vcpu *v);
	void (*set_tdp_root)(struct hv_x86_vcpu *v, u64 root_pa);
	/*
	 * Enters the guest once with interrupts and preemption off, and
	 * decodes the exit into v->exit.  Serves HV_REQ_TLB_FLUSH first.
	 */
	void (*run)(struct hv_x86_vcpu *v, bool flush_tlb);

	u64 (*get_reg)(struct hv_x86_vcpu *v, enum hv_x86_reg reg);
	void (*set_reg)(struct hv_x86_vcpu *v, enum hv_x86_reg reg, u64 val);
	void (*get_segment)(struct hv_x86_vcpu *v, struct kvm_segment *s,
			    enum hv_seg seg);
	void (*set_segment)(struct hv_x86_vcpu *v, const struct kvm_segment *s,
			    enum hv_seg seg);
	void (*get_dtable)(struct hv_x86_vcpu *v, struct kvm_dtable *dt, bool idt);
	void (*set_dtable)(struct hv_x86_vcpu *v, const struct kvm_dtable *dt,
			   bool idt);
	/* MSRs the VMCB/VMCS holds: false when @index is not one of them. */
	bool (*get_msr)(struct hv_x86_vcpu *v, u32 index, u64 *val);
	bool (*set_msr)(struct hv_x86_vcpu *v, u32 index, u64 val);
	void (*set_tsc_offset)(struct hv_x86_vcpu *v, u64 offset);
	/* The event the next entry delivers (type NONE to cancel it). */
	void (*set_event)(struct hv_x86_vcpu *v, const struct hv_event *e);
	void (*get_event)(struct hv_x86_vcpu *v, struct hv_event *e);
	/* STI / MOV SS blocking of interrupts for one instruction. */
	bool (*get_interrupt_shadow)(struct hv_x86_vcpu *v);
	void (*set_interrupt_shadow)(struct hv_x86_vcpu *v, bool on);
	/* Exit as soon as the guest can take an interrupt (or an NMI). */
	void (*set_irq_window)(struct hv_x86_vcpu *v, bool on);
	void (*set_nmi_window)(struct hv_x86_vcpu *v, bool on);
};

extern const struct hv_x86_ops *hv_ops;
extern struct hv_x86_ops hv_vmx_ops;
extern struct hv_x86_ops hv_svm_ops;

static inline struct hv_x86_vcpu *to_x86(struct hv_vcpu *vcpu)
{
	return vcpu->arch;
}

static inline struct hv_x86_vm *to_x86_vm(struct hv_vm *vm)
{
	return vm->arch;
}

static inline u64 hv_rip(struct hv_x86_vcpu *v)
{
	return hv_ops->get_reg(v, HV_REG_RIP);
}

/* arch/x86/hv/x86.c: what KVM_GET_SUPPORTED_CPUID returns. */
const struct hv_cpuid_entry *hv_supported_cpuid(unsigned int *n);

/* arch/x86/hv/vcpu_msr.c; 0, -EPERM (#GP for the guest) or -ENOENT. */
int hv_get_msr(struct hv_x86_vcpu *v, u32 index, u64 *val, bool host);
int hv_set_msr(struct hv_x86_vcpu *v, u32 index, u64 val, bool host);
void hv_msr_update_caps(struct hv_x86_vcpu *v);
long hv_vcpu_msrs_ioctl(struct hv_x86_vcpu *v, struct kvm_msrs __user *u,
			bool set);

/*
 * arch/x86/hv/fpu.c: KVM_GET/SET_FPU, KVM_GET/SET_XSAVE, KVM_GET_XSAVE2,
 * KVM_GET/SET_XCRS; -ENOIOCTLCMD for any other ioctl.
 */
long hv_vcpu_fpu_ioctl(struct hv_x86_vcpu *v, unsigned int ioctl,
		       void __user *argp);
/* May @v's XCR0 be @xcr0?  The one rule of XSETBV and KVM_SET_XCRS. */
bool hv_xcr0_valid(struct hv_x86_vcpu *v, u64 xcr0);
/* KVM_CAP_XSAVE2: bytes of KVM_GET_XSAVE2 and KVM_SET_XSAVE, >= 4096. */
u32 hv_fpu_xsave2_size(void);

/* arch/x86/hv/events.c */
void hv_inject_exception(struct hv_x86_vcpu *v, u8 vector, bool has_error,
			 u32 error);
bool hv_interrupt_allowed(struct hv_x86_vcpu *v);
void hv_inject_pending_events(struct hv_x86_vcpu *v);
bool hv_irq_window_open(struct hv_x86_vcpu *v);
void hv_sync_run_state(struct hv_x86_vcpu *v);
long hv_vcpu_events_ioctl(struct hv_x86_vcpu *v, unsigned int ioctl,
			  void __user *argp);

/* arch/x86/hv/mmu/mmu.c */
int hv_mmu_vm_init(struct hv_vm *vm);
void hv_mmu_vm_destroy(struct hv_vm *vm);
/* Returns 1 to enter again, 0 for an exit to userspace, <0 for KVM_RUN. */
int hv_mmu_page_fault(struct hv_x86_vcpu *v);
void hv_mmu_vcpu_free_cache(struct hv_x86_vcpu *v);

/* arch/x86/hv/exits.c */
int hv_handle_exit(struct hv_x86_vcpu *v);
int hv_complete_userspace_exit(struct hv_x86_vcpu *v);
int hv_internal_error(struct hv_x86_vcpu *v, u32 suberror);
/* arch/x86/hv/gva.c */
struct hv_walk_result;
enum hv_cpu_mode hv_cpu_mode(struct hv_x86_vcpu *v);
u64 hv_linear_address(struct hv_x86_vcpu *v, enum hv_seg seg, u64 offset);
int hv_gva_to_gpa(struct hv_x86_vcpu *v, u64 gva, unsigned int access,
		  u64 *gpa, struct hv_walk_result *res);

/* arch/x86/hv/mmio.c: an access the MMU cannot map (MMIO, read-only slot). */
int hv_emulate_mmio(struct hv_x86_vcpu *v);
int hv_complete_mmio_read(struct hv_x86_vcpu *v);
int hv_fetch_insn(struct hv_x86_vcpu *v, enum hv_cpu_mode mode, u8 *bytes);

#endif /* HV_X86_H */
