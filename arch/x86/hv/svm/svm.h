/* SPDX-License-Identifier: GPL-2.0-only */
/* Internal interface between svm.c (per-CPU) and svm_vcpu.c (per-vCPU). */
#ifndef HV_SVM_H
#define HV_SVM_H

#include <linux/types.h>

#include "../x86.h"
#include "svm_caps.h"

extern struct hv_svm_caps hv_svm_caps;

/* Per-CPU state of the SVM backend. */
struct hv_svm_cpu {
	struct page *hsave;		/* VM_HSAVE_PA: the CPU's own use */
	struct page *host_save;		/* VMSAVE/VMLOAD of host state */
	u64 asid_generation;
	u32 next_asid;
};

DECLARE_PER_CPU(struct hv_svm_cpu, hv_svm_cpu);

int hv_svm_vcpu_setup(void);
void hv_svm_vcpu_unsetup(void);

int hv_svm_vcpu_create(struct hv_x86_vcpu *v);
void hv_svm_vcpu_free(struct hv_x86_vcpu *v);
void hv_svm_vcpu_reset(struct hv_x86_vcpu *v);
void hv_svm_set_tdp_root(struct hv_x86_vcpu *v, u64 root_pa);
void hv_svm_run(struct hv_x86_vcpu *v, bool flush_tlb);
u64 hv_svm_get_reg(struct hv_x86_vcpu *v, enum hv_x86_reg reg);
void hv_svm_set_reg(struct hv_x86_vcpu *v, enum hv_x86_reg reg, u64 val);
void hv_svm_get_segment(struct hv_x86_vcpu *v, struct kvm_segment *s,
			enum hv_seg seg);
void hv_svm_set_segment(struct hv_x86_vcpu *v, const struct kvm_segment *s,
			enum hv_seg seg);
void hv_svm_get_dtable(struct hv_x86_vcpu *v, struct kvm_dtable *dt, bool idt);
void hv_svm_set_dtable(struct hv_x86_vcpu *v, const struct kvm_dtable *dt,
		       bool idt);
bool hv_svm_get_msr(struct hv_x86_vcpu *v, u32 index, u64 *val);
bool hv_svm_set_msr(struct hv_x86_vcpu *v, u32 index, u64 val);
void hv_svm_set_tsc_offset(struct hv_x86_vcpu *v, u64 offset);
void hv_svm_set_event(struct hv_x86_vcpu *v, const struct hv_event *e);
void hv_svm_get_event(struct hv_x86_vcpu *v, struct hv_event *e);
bool hv_svm_get_interrupt_shadow(struct hv_x86_vcpu *v);
void hv_svm_set_interrupt_shadow(struct hv_x86_vcpu *v, bool on);
void hv_svm_set_irq_window(struct hv_x86_vcpu *v, bool on);
void hv_svm_set_nmi_window(struct hv_x86_vcpu *v, bool on);
int hv_svm_tdp_levels(void);

#endif /* HV_SVM_H */
