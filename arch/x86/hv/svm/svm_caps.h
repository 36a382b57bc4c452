/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * AMD-V capabilities: CPUID 0x8000000A decoding.  Pure logic, shared with the
 * userspace unit tests; CPUID and MSRs are read by svm.c.
 */
#ifndef HV_SVM_CAPS_H
#define HV_SVM_CAPS_H

#include <hv/hv_types.h>

#define HV_CPUID_SVM_LEAF		0x8000000a
#define HV_CPUID_EXT_ECX_SVM		BIT(2)	/* CPUID 0x80000001 ECX */

#define HV_MSR_EFER			0xc0000080
#define HV_EFER_SVME			BIT_ULL(12)
#define HV_MSR_VM_CR			0xc0010114
#define HV_VM_CR_SVMDIS			BIT_ULL(4)
#define HV_MSR_VM_HSAVE_PA		0xc0010117

/* CPUID 0x8000000A EDX bits (AMD APM Vol. 3, E.4.10). */
enum hv_svm_feature {
	HV_SVM_F_NPT			= 0,
	HV_SVM_F_LBRV			= 1,
	HV_SVM_F_SVML			= 2,
	HV_SVM_F_NRIPS			= 3,
	HV_SVM_F_TSC_SCALE		= 4,
	HV_SVM_F_VMCB_CLEAN		= 5,
	HV_SVM_F_FLUSH_BY_ASID		= 6,
	HV_SVM_F_DECODE_ASSISTS		= 7,
	HV_SVM_F_PAUSE_FILTER		= 10,
	HV_SVM_F_PAUSE_THRESHOLD	= 12,
	HV_SVM_F_AVIC			= 13,
	HV_SVM_F_VMSAVE_VIRT		= 15,
	HV_SVM_F_VGIF			= 16,
	HV_SVM_F_GMET			= 17,
	HV_SVM_F_X2AVIC			= 18,
	HV_SVM_F_SSS_CHECK		= 19,
	HV_SVM_F_SPEC_CTRL		= 20,
	HV_SVM_F_ROGPT			= 21,
	HV_SVM_F_HOST_MCE_OVERRIDE	= 23,
	HV_SVM_F_TLBI_CTL		= 24,
	HV_SVM_F_VNMI			= 25,
	HV_SVM_F_IBS_VIRT		= 26,
};

struct hv_svm_caps {
	u32 revision;
	u32 nr_asids;
	u64 features;	/* BIT_ULL(enum hv_svm_feature) */
};

#define HV_SVM_HAS(caps, f)	(!!((caps)->features & BIT_ULL(HV_SVM_F_##f)))

/*
 * Decodes CPUID 0x8000000A.  Returns 0, or -EOPNOTSUPP when the CPU cannot
 * host guests (fewer than two ASIDs: ASID 0 belongs to the host).
 */
int hv_svm_caps_parse(struct hv_svm_caps *caps, u32 eax, u32 ebx, u32 edx);

int hv_svm_features_format(char *buf, size_t size, u64 features);
int hv_svm_caps_format(char *buf, size_t size, const struct hv_svm_caps *caps);

#endif /* HV_SVM_CAPS_H */
