/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VMX capability MSRs: decoding and control adjustment.  Pure logic, shared
 * with the userspace unit tests; the MSRs are read by vmx.c.
 */
#ifndef HV_VMX_CAPS_H
#define HV_VMX_CAPS_H

#include <hv/hv_types.h>

#define HV_MSR_IA32_FEAT_CTL		0x0000003a
#define HV_FEAT_CTL_LOCKED		BIT_ULL(0)
#define HV_FEAT_CTL_VMX_OUTSIDE_SMX	BIT_ULL(2)

#define HV_MSR_VMX_BASIC		0x00000480
#define HV_MSR_VMX_PINBASED_CTLS	0x00000481
#define HV_MSR_VMX_PROCBASED_CTLS	0x00000482
#define HV_MSR_VMX_EXIT_CTLS		0x00000483
#define HV_MSR_VMX_ENTRY_CTLS		0x00000484
#define HV_MSR_VMX_MISC			0x00000485
#define HV_MSR_VMX_CR0_FIXED0		0x00000486
#define HV_MSR_VMX_CR0_FIXED1		0x00000487
#define HV_MSR_VMX_CR4_FIXED0		0x00000488
#define HV_MSR_VMX_CR4_FIXED1		0x00000489
#define HV_MSR_VMX_PROCBASED_CTLS2	0x0000048b
#define HV_MSR_VMX_EPT_VPID_CAP		0x0000048c
#define HV_MSR_VMX_TRUE_PINBASED_CTLS	0x0000048d
#define HV_MSR_VMX_TRUE_PROCBASED_CTLS	0x0000048e
#define HV_MSR_VMX_TRUE_EXIT_CTLS	0x0000048f
#define HV_MSR_VMX_TRUE_ENTRY_CTLS	0x00000490

/* IA32_VMX_BASIC */
#define HV_VMX_BASIC_REVISION_MASK	0x7fffffffULL
#define HV_VMX_BASIC_SIZE_SHIFT		32
#define HV_VMX_BASIC_SIZE_MASK		0x1fffULL
#define HV_VMX_BASIC_32BIT_PA		BIT_ULL(48)
#define HV_VMX_BASIC_MEMTYPE_SHIFT	50
#define HV_VMX_BASIC_MEMTYPE_MASK	0xfULL
#define HV_VMX_BASIC_MEMTYPE_WB		6
#define HV_VMX_BASIC_INOUT		BIT_ULL(54)
#define HV_VMX_BASIC_TRUE_CTLS		BIT_ULL(55)

/* Allowed-1 bits consulted before reading optional MSRs. */
#define HV_VMX_PROC_ACTIVATE_SECONDARY	BIT(31)
#define HV_VMX_PROC2_ENABLE_EPT		BIT(1)
#define HV_VMX_PROC2_ENABLE_VPID	BIT(5)

/* Sources of feature bits, see hv_vmx_feature_desc. */
enum hv_vmx_cap_src {
	HV_VMX_SRC_PIN,		/* allowed-1 half of the pin-based controls */
	HV_VMX_SRC_PROC,	/* allowed-1 half of the processor-based controls */
	HV_VMX_SRC_PROC2,	/* allowed-1 half of the secondary controls */
	HV_VMX_SRC_EXIT,
	HV_VMX_SRC_ENTRY,
	HV_VMX_SRC_EPT_VPID,	/* IA32_VMX_EPT_VPID_CAP, all 64 bits */
	HV_VMX_SRC_BASIC,
	HV_VMX_SRC_MISC,
};

/* Features hv reports and (later) depends on; bit numbers of caps.features. */
enum hv_vmx_feature {
	HV_VMX_F_TRUE_CTLS,
	HV_VMX_F_INOUT_INFO,
	HV_VMX_F_VIRTUAL_NMIS,
	HV_VMX_F_PREEMPTION_TIMER,
	HV_VMX_F_POSTED_INTR,
	HV_VMX_F_TPR_SHADOW,
	HV_VMX_F_MSR_BITMAP,
	HV_VMX_F_IO_BITMAP,
	HV_VMX_F_MTF,
	HV_VMX_F_SECONDARY,
	HV_VMX_F_VIRT_APIC_ACCESS,
	HV_VMX_F_EPT,
	HV_VMX_F_DESC_TABLE_EXITING,
	HV_VMX_F_RDTSCP,
	HV_VMX_F_VIRT_X2APIC,
	HV_VMX_F_VPID,
	HV_VMX_F_UNRESTRICTED_GUEST,
	HV_VMX_F_APIC_REG_VIRT,
	HV_VMX_F_VIRT_INTR_DELIVERY,
	HV_VMX_F_PAUSE_LOOP_EXITING,
	HV_VMX_F_INVPCID,
	HV_VMX_F_VMFUNC,
	HV_VMX_F_PML,
	HV_VMX_F_PT_CONCEAL_VMX,
	HV_VMX_F_XSAVES,
	HV_VMX_F_SPP,
	HV_VMX_F_PT_GUEST_PA,
	HV_VMX_F_TSC_SCALING,
	HV_VMX_F_LOAD_EFER,
	HV_VMX_F_LOAD_PAT,
	HV_VMX_F_EPT_EXEC_ONLY,
	HV_VMX_F_EPT_4LEVEL,
	HV_VMX_F_EPT_5LEVEL,
	HV_VMX_F_EPT_WB,
	HV_VMX_F_EPT_2M,
	HV_VMX_F_EPT_1G,
	HV_VMX_F_INVEPT,
	HV_VMX_F_EPT_AD,
	HV_VMX_F_INVVPID,
	HV_VMX_F_PT_IN_VMX,
	HV_VMX_F_NR
};

struct hv_vmx_feature_desc {
	const char *name;
	u8 src;		/* enum hv_vmx_cap_src */
	u8 bit;		/* bit in the source; control bits count from 0 */
};

extern const struct hv_vmx_feature_desc hv_vmx_features[HV_VMX_F_NR];

/* Raw capability MSRs; a value is 0 when the MSR does not exist. */
struct hv_vmx_msrs {
	u64 basic;
	u64 pinbased;
	u64 procbased;
	u64 exit;
	u64 entry;
	u64 misc;
	u64 cr0_fixed0;
	u64 cr0_fixed1;
	u64 cr4_fixed0;
	u64 cr4_fixed1;
	u64 procbased2;
	u64 ept_vpid;
	u64 true_pinbased;
	u64 true_procbased;
	u64 true_exit;
	u64 true_entry;
};

struct hv_vmx_caps {
	u32 revision;
	u32 vmcs_size;
	/* Control capability MSRs to adjust against (TRUE ones when present). */
	u64 pinbased;
	u64 procbased;
	u64 procbased2;
	u64 exit;
	u64 entry;
	u64 ept_vpid;
	u64 misc;
	u64 features;	/* BIT_ULL(enum hv_vmx_feature) */
};

#define HV_VMX_HAS(caps, f)	(!!((caps)->features & BIT_ULL(HV_VMX_F_##f)))

/*
 * Decodes @msrs into @caps.  Returns 0, or -EOPNOTSUPP when the CPU cannot
 * host a 64-bit hypervisor (VMCS larger than a page, VMCS accesses limited
 * to 32-bit addresses, or a VMCS memory type other than write-back).
 */
int hv_vmx_caps_parse(struct hv_vmx_caps *caps, const struct hv_vmx_msrs *msrs);

/*
 * Computes a VM-execution control field from its capability MSR: the
 * allowed-0 half (low 32 bits) holds bits that must be 1, the allowed-1 half
 * (high 32 bits) bits that may be 1.  @required bits must all be settable,
 * @optional bits are set when allowed.  Returns 0, or -EOPNOTSUPP (and leaves
 * @out alone) when a required bit is not allowed.
 */
int hv_vmx_adjust_ctls(u64 cap_msr, u32 required, u32 optional, u32 *out);

/* Checks a CR0/CR4 value against the FIXED0 (must be 1) / FIXED1 (may be 1) MSRs. */
bool hv_vmx_cr_valid(u64 val, u64 fixed0, u64 fixed1);

int hv_vmx_features_format(char *buf, size_t size, u64 features);

/* key=value lines with the raw capability values, for the sysfs report. */
int hv_vmx_caps_format(char *buf, size_t size, const struct hv_vmx_caps *caps);

#endif /* HV_VMX_CAPS_H */
