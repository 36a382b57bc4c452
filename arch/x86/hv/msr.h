/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * MSR policy: which MSRs hv emulates for a guest, what each one accepts,
 * its reset value, and the list KVM_GET_MSR_INDEX_LIST returns.  Pure
 * logic, shared with the userspace unit tests; the core keeps the values.
 */
#ifndef HV_MSR_H
#define HV_MSR_H

#include <hv/hv_types.h>

struct hv_cpuid_entry;

#define HV_MSR_IA32_TSC			0x00000010
#define HV_MSR_IA32_PLATFORM_ID		0x00000017
#define HV_MSR_IA32_APIC_BASE		0x0000001b
#define HV_MSR_IA32_FEAT_CTL		0x0000003a	/* as in vmx_caps.h */
#define HV_MSR_IA32_SPEC_CTRL		0x00000048
#define HV_MSR_IA32_PRED_CMD		0x00000049
#define HV_MSR_IA32_UCODE_REV		0x0000008b
#define HV_MSR_PLATFORM_INFO		0x000000ce
#define HV_MSR_MTRR_CAP			0x000000fe
#define HV_MSR_IA32_ARCH_CAPABILITIES	0x0000010a
#define HV_MSR_IA32_SYSENTER_CS		0x00000174
#define HV_MSR_IA32_SYSENTER_ESP	0x00000175
#define HV_MSR_IA32_SYSENTER_EIP	0x00000176
#define HV_MSR_IA32_MCG_CAP		0x00000179
#define HV_MSR_IA32_MCG_STATUS		0x0000017a
#define HV_MSR_IA32_MCG_CTL		0x0000017b
#define HV_MSR_IA32_MISC_ENABLE		0x000001a0
#define HV_MSR_IA32_DEBUGCTL		0x000001d9
#define HV_MSR_MTRR_PHYSBASE0		0x00000200	/* PHYSMASKn = BASEn + 1 */
#define HV_MSR_MTRR_FIX64K_00000	0x00000250
#define HV_MSR_MTRR_FIX16K_80000	0x00000258
#define HV_MSR_MTRR_FIX16K_A0000	0x00000259
#define HV_MSR_MTRR_FIX4K_C0000		0x00000268	/* .. 0x26f */
#define HV_MSR_IA32_PAT			0x00000277
#define HV_MSR_MTRR_DEF_TYPE		0x000002ff
/* Bank i: 0x400 + 4i + {0 CTL, 1 STATUS, 2 ADDR, 3 MISC}. */
#define HV_MSR_IA32_MC0_CTL		0x00000400
#define HV_MSR_IA32_XSS			0x00000da0
#define HV_MSR_EFER			0xc0000080	/* as in svm_caps.h */
#define HV_MSR_STAR			0xc0000081
#define HV_MSR_LSTAR			0xc0000082
#define HV_MSR_CSTAR			0xc0000083
#define HV_MSR_SYSCALL_MASK		0xc0000084
#define HV_MSR_FS_BASE			0xc0000100
#define HV_MSR_GS_BASE			0xc0000101
#define HV_MSR_KERNEL_GS_BASE		0xc0000102
#define HV_MSR_TSC_AUX			0xc0000103
#define HV_MSR_K7_HWCR			0xc0010015
#define HV_MSR_KVM_WALL_CLOCK		0x00000011
#define HV_MSR_KVM_SYSTEM_TIME		0x00000012

#define HV_EFER_SCE			BIT_ULL(0)
#define HV_EFER_LME			BIT_ULL(8)
#define HV_EFER_LMA			BIT_ULL(10)
#define HV_EFER_NXE			BIT_ULL(11)
#define HV_EFER_FFXSR			BIT_ULL(14)

#define HV_APIC_BASE_BSP		BIT_ULL(8)
#define HV_APIC_BASE_EXTD		BIT_ULL(10)
#define HV_APIC_BASE_EN			BIT_ULL(11)
#define HV_APIC_BASE_DEFAULT		0xfee00000ULL

#define HV_PAT_DEFAULT			0x0007040600070406ULL

/* MTRRcap: 8 variable ranges, fixed ranges, write-combining. */
#define HV_MTRR_NR_VAR			8
#define HV_MTRR_CAP_VALUE		(HV_MTRR_NR_VAR | BIT_ULL(8) | BIT_ULL(10))

/* Machine check: what KVM_X86_GET_MCE_CAP_SUPPORTED reports. */
#define HV_MCE_MAX_BANKS		10	/* KVM_CAP_MCE; QEMU >= 8.2 needs 10 */
#define HV_MCG_CTL_P			BIT_ULL(8)
#define HV_MCG_SER_P			BIT_ULL(24)
#define HV_MCG_CAP_SUPPORTED		(HV_MCG_CTL_P | HV_MCG_SER_P | \
					 HV_MCE_MAX_BANKS)

#define HV_MISC_ENABLE_FAST_STRING	BIT_ULL(0)
#define HV_MISC_ENABLE_BTS_UNAVAIL	BIT_ULL(11)
#define HV_MISC_ENABLE_PEBS_UNAVAIL	BIT_ULL(12)
#define HV_MISC_ENABLE_LIMIT_CPUID	BIT_ULL(22)
#define HV_MISC_ENABLE_XD_DISABLE	BIT_ULL(34)

#define HV_FEAT_CTL_LOCK		BIT_ULL(0)
#define HV_UCODE_REV_DEFAULT		0x100000000ULL	/* revision 1 in EDX */

/*
 * What a guest's CPUID enumerates (intersected with what hv supports):
 * hv_msr_guest_caps.features.
 */
#define HV_MSR_GF_LM		BIT(0)
#define HV_MSR_GF_NX		BIT(1)
#define HV_MSR_GF_FXSR_OPT	BIT(2)
#define HV_MSR_GF_LA57		BIT(3)
#define HV_MSR_GF_RDTSCP	BIT(4)
#define HV_MSR_GF_RDPID		BIT(5)
#define HV_MSR_GF_X2APIC	BIT(6)
#define HV_MSR_GF_XSAVES	BIT(7)
#define HV_MSR_GF_SPEC_CTRL	BIT(8)	/* IA32_SPEC_CTRL exists */
#define HV_MSR_GF_IBPB		BIT(9)	/* IA32_PRED_CMD exists */
#define HV_MSR_GF_ARCH_CAP	BIT(10)	/* IA32_ARCH_CAPABILITIES exists */

/* Everything the MSR policy depends on for one vCPU. */
struct hv_msr_guest_caps {
	int backend;		/* HV_CPUID_BACKEND_* */
	u32 features;		/* HV_MSR_GF_* */
	u8 maxphyaddr;		/* guest MAXPHYADDR */
	u64 mcg_cap;		/* from KVM_X86_SETUP_MCE; 0 = no MCE banks */
	u64 arch_capabilities;	/* IA32_ARCH_CAPABILITIES hv exposes */
	u64 supported_xss;	/* IA32_XSS bits hv supports: 0 today */
	u64 spec_ctrl_valid;	/* IA32_SPEC_CTRL bits the guest may set */
};

/*
 * Fills @caps->backend, ->features, ->maxphyaddr and ->spec_ctrl_valid from
 * the guest's CPUID table @guest, intersected with hv's supported table
 * @hv (KVM_GET_SUPPORTED_CPUID output; NULL for no intersection).  The
 * caller sets ->mcg_cap, ->arch_capabilities and ->supported_xss.
 */
void hv_msr_caps_init(struct hv_msr_guest_caps *caps, int backend,
		      const struct hv_cpuid_entry *guest, unsigned int guest_n,
		      const struct hv_cpuid_entry *hv, unsigned int hv_n);

/* Semantic classes of the emulated MSRs; see the table in msr.c. */
enum hv_msr_class {
	HV_MSR_C_STORE,		/* plain storage; set bits of ->rsvd #GP */
	HV_MSR_C_CANONICAL,	/* storage of a linear address: canonical */
	HV_MSR_C_SYSENTER,	/* storage; canonical on VMX (VMCS field) */
	/* read-only: guest writes #GP, host writes must equal the value */
	HV_MSR_C_CONST,
	HV_MSR_C_UCODE,		/* guest writes ignored, host writes set it */
	HV_MSR_C_TSC,		/* the core keeps it as a TSC offset */
	HV_MSR_C_APIC_BASE,	/* the core's LAPIC keeps it */
	HV_MSR_C_EFER,
	HV_MSR_C_PAT,
	HV_MSR_C_MTRR_DEF,
	HV_MSR_C_MTRR_FIXED,
	HV_MSR_C_MTRR_VAR,	/* PHYSBASEn (even), PHYSMASKn (odd) */
	HV_MSR_C_MCG_CAP,	/* read-only: KVM_X86_SETUP_MCE sets it */
	HV_MSR_C_MCG_STATUS,
	HV_MSR_C_MCG_CTL,
	HV_MSR_C_MC_BANK,	/* MCi_CTL/STATUS/ADDR/MISC */
	HV_MSR_C_MISC_ENABLE,
	HV_MSR_C_PV_HOST,	/* KVM PV MSR without the PV feature: host only */
	HV_MSR_C_XSS,
	HV_MSR_C_SPEC_CTRL,
	HV_MSR_C_PRED_CMD,	/* write-only command (IBPB) */
	HV_MSR_C_ARCH_CAP,	/* read-only for the guest, from policy */
	HV_MSR_C_TSC_AUX,
	HV_MSR_C_HWCR,
	HV_MSR_C_DEBUGCTL,
};

/* hv_msr_desc.flags */
#define HV_MSR_F_SAVE		BIT(0)	/* in KVM_GET_MSR_INDEX_LIST */

struct hv_msr_desc {
	const char *name;
	u32 index;		/* first MSR */
	u16 count;		/* consecutive MSRs described */
	u8 cls;			/* enum hv_msr_class */
	u8 backend;		/* 0, or the only HV_CPUID_BACKEND_* having it */
	u32 need;		/* HV_MSR_GF_*: guest needs one of these */
	u32 flags;		/* HV_MSR_F_* */
	u64 reset;		/* reset value (see hv_msr_reset_value()) */
	u64 rsvd;		/* HV_MSR_C_STORE: bits that #GP */
};

/* The description of @index for @backend, or NULL when hv does not emulate it. */
const struct hv_msr_desc *hv_msr_desc_of(u32 index, int backend);

/*
 * May this access happen?  @write with @value, or a read; @host_initiated
 * for KVM_GET_MSRS/KVM_SET_MSRS.  Returns 0, -EPERM (the guest gets #GP;
 * the ioctl stops at this MSR), or -ENOENT for an MSR hv does not emulate
 * (x2APIC MSRs 0x800-0x8ff belong to the LAPIC and are not in this table).
 * Host-initiated accesses skip the guest-CPUID gating and, for machine
 * check and MISC_ENABLE values, the guest-only restrictions; value checks
 * that protect hardware state (canonical addresses, EFER bits, PAT/MTRR
 * types) apply to both.  State-dependent checks (EFER.LME with paging on,
 * APIC mode transitions) are the core's.
 */
int hv_msr_policy_check(u32 index, u64 value, bool write, bool host_initiated,
			const struct hv_msr_guest_caps *caps);

/*
 * The value to keep after an accepted write of @value over @old: guest
 * EFER writes keep @old's LMA, guest UCODE_REV writes are ignored, HWCR
 * and DEBUGCTL drop the bits they ignore, TSC_AUX on SVM keeps 32 bits,
 * PRED_CMD keeps nothing (the core acts on it).  Otherwise @value.
 */
u64 hv_msr_write_value(u32 index, u64 value, u64 old, bool host_initiated,
		       const struct hv_msr_guest_caps *caps);

/*
 * Reset (power-on) value of @index into *@val.  Returns 0 or -ENOENT.
 * APIC_BASE is the BSP's: the core clears HV_APIC_BASE_BSP on the others.
 * TSC reads 0: the core turns it into an offset.
 */
int hv_msr_reset_value(u32 index, const struct hv_msr_guest_caps *caps,
		       u64 *val);

/*
 * KVM_GET_MSR_INDEX_LIST: the MSRs to save and restore for migration,
 * given what hv supports on this host (@hv: caps built from the supported
 * CPUID).  Writes up to @max indices to @out and sets *@n to the full
 * count; returns 0, or -E2BIG when @max is too small.
 */
int hv_msr_index_list(const struct hv_msr_guest_caps *hv, u32 *out,
		      unsigned int max, unsigned int *n);

/* KVM_X86_SETUP_MCE: 0 when hv supports @mcg_cap, else -EINVAL. */
int hv_msr_mcg_cap_check(u64 mcg_cap);

#endif /* HV_MSR_H */
