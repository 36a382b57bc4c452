/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CPUID policy: what KVM_GET_SUPPORTED_CPUID reports, validation of the
 * table given to KVM_SET_CPUID2, and what a guest's CPUID instruction
 * returns.  Pure logic, shared with the userspace unit tests; the host's
 * CPUID instruction is reached through a callback supplied by the caller.
 */
#ifndef HV_CPUID_H
#define HV_CPUID_H

#include <hv/hv_types.h>

/*
 * One CPUID leaf.  Same layout as the UAPI struct kvm_cpuid_entry2 (40
 * bytes), so the ioctl glue can copy arrays of it to and from userspace.
 */
struct hv_cpuid_entry {
	u32 function;
	u32 index;
	u32 flags;
	u32 eax;
	u32 ebx;
	u32 ecx;
	u32 edx;
	u32 padding[3];
};

/* The entry's index (ECX input) selects it; KVM's value and spelling. */
#define HV_CPUID_FLAG_SIGNIFCANT_INDEX	BIT(0)

/* KVM_MAX_CPUID_ENTRIES */
#define HV_CPUID_MAX_ENTRIES		256

/* Register slots of the regs[4] arrays below. */
enum { HV_CPUID_EAX, HV_CPUID_EBX, HV_CPUID_ECX, HV_CPUID_EDX };

/* Same values as HV_BACKEND_* of <linux/hv.h>. */
#define HV_CPUID_BACKEND_VMX		1
#define HV_CPUID_BACKEND_SVM		2

/* KVM paravirtual leaves. */
#define HV_CPUID_KVM_SIGNATURE		0x40000000
#define HV_CPUID_KVM_FEATURES		0x40000001
#define HV_CPUID_KVM_SIG_EBX		0x4b4d564b	/* "KVMK" */
#define HV_CPUID_KVM_SIG_ECX		0x564b4d56	/* "VMKV" */
#define HV_CPUID_KVM_SIG_EDX		0x0000004d	/* "M\0\0\0" */

/* XCR0 / XSAVE state components. */
#define HV_XFEATURE_X87			BIT_ULL(0)
#define HV_XFEATURE_SSE			BIT_ULL(1)
#define HV_XFEATURE_YMM			BIT_ULL(2)
#define HV_XFEATURE_BNDREGS		BIT_ULL(3)
#define HV_XFEATURE_BNDCSR		BIT_ULL(4)
#define HV_XFEATURE_OPMASK		BIT_ULL(5)
#define HV_XFEATURE_ZMM_HI256		BIT_ULL(6)
#define HV_XFEATURE_HI16_ZMM		BIT_ULL(7)
#define HV_XFEATURE_PKRU		BIT_ULL(9)
#define HV_XFEATURE_AVX512		(HV_XFEATURE_OPMASK | \
					 HV_XFEATURE_ZMM_HI256 | \
					 HV_XFEATURE_HI16_ZMM)
/* Legacy region (512) plus XSAVE header (64). */
#define HV_XSAVE_BASE_SIZE		576

/*
 * Optional things hv can virtualize on this host (hv_cpuid_host.features).
 * The caller sets a bit only when the core and the backend really support
 * it; hv_cpuid_supported() then also requires the host CPU to have it
 * unless the bit says the feature is emulated.
 */
#define HV_CPUID_F_X2APIC	BIT(0)	/* x2APIC emulated (in-kernel LAPIC) */
/* 5-level guest paging works (5-level TDP, or a 5-level host for shadow) */
#define HV_CPUID_F_LA57		BIT(1)
#define HV_CPUID_F_XSAVE	BIT(2)	/* XSAVE/XRSTOR/XSETBV, x87+SSE state */
#define HV_CPUID_F_AVX		BIT(3)	/* YMM state (needs F_XSAVE) */
#define HV_CPUID_F_AVX512	BIT(4)	/* opmask+ZMM state (needs F_AVX) */
#define HV_CPUID_F_UMIP_EMUL	BIT(5)	/* UMIP emulated when the host lacks it */
#define HV_CPUID_F_INVPCID	BIT(6)	/* backend lets the guest run INVPCID */
#define HV_CPUID_F_RDTSCP	BIT(7)	/* RDTSCP/RDPID enabled, TSC_AUX switched */
#define HV_CPUID_F_XSAVES	BIT(8)	/* XSAVES/XRSTORS enabled (XSS = 0) */
#define HV_CPUID_F_SPEC_CTRL	BIT(9)	/* IA32_SPEC_CTRL/PRED_CMD virtualized */

/* The host as hv_cpuid_supported() sees it. */
struct hv_cpuid_host {
	/*
	 * Raw host CPUID: @cpuid(@opaque, leaf, subleaf, regs) runs the
	 * instruction (on one CPU for the whole call).  When @cpuid is NULL,
	 * @table/@table_n is used instead: exact (function, index) match,
	 * else the entry of the function with index 0 if it is not flagged
	 * HV_CPUID_FLAG_SIGNIFCANT_INDEX, else zeros.
	 */
	void (*cpuid)(void *opaque, u32 leaf, u32 subleaf, u32 regs[4]);
	void *opaque;
	const struct hv_cpuid_entry *table;
	unsigned int table_n;

	int backend;			/* HV_CPUID_BACKEND_* */
	u64 host_xcr0_supported;	/* XCR0 bits the host kernel lets guests use */
	u32 features;			/* HV_CPUID_F_* */
	/*
	 * Highest guest-physical address width the nested page tables can
	 * map (48 with 4-level EPT/NPT), reported in 0x80000008 EAX[23:16]
	 * when below the host's MAXPHYADDR; 0 for no limit.
	 */
	u8 max_gpa_bits;
};

/*
 * Builds the KVM_GET_SUPPORTED_CPUID table into @out (room for @max
 * entries).  Returns 0 and sets *@nent to the number of entries, or
 * -E2BIG with *@nent set to the number needed when @max is too small (the
 * first @max entries are written anyway), or -EINVAL for a bad @host.
 */
int hv_cpuid_supported(const struct hv_cpuid_host *host,
		       struct hv_cpuid_entry *out, unsigned int max,
		       unsigned int *nent);

/*
 * Validates a KVM_SET_CPUID2 table.  Returns 0, -E2BIG for more than
 * HV_CPUID_MAX_ENTRIES entries (KVM's errno), or -EINVAL for a duplicate
 * (function, index) pair, a linear-address width in 0x80000008 EAX[15:8]
 * other than 0, 48 or 57, or an inconsistent XSAVE leaf (0xD.0 without
 * x87 state, or a component whose 0xD.i is empty, XSS-managed, or extends
 * past the size in 0xD.0 ECX).
 */
int hv_cpuid_check_guest_table(const struct hv_cpuid_entry *e, unsigned int n);

/*
 * Exact lookup: the entry for @function whose index is @index, or the first
 * entry for @function that is not flagged HV_CPUID_FLAG_SIGNIFCANT_INDEX.
 * NULL if none.  Use this for feature checks.
 */
const struct hv_cpuid_entry *hv_cpuid_find(const struct hv_cpuid_entry *e,
					   unsigned int n, u32 function,
					   u32 index);

/*
 * Lookup with the semantics of the CPUID instruction (KVM's): an exact
 * match first.  Otherwise, if the guest's vendor (leaf 0) is AMD or Hygon,
 * NULL: AMD returns zeros for any leaf it does not define.  Otherwise
 * (Intel semantics) a leaf beyond the maximum of its class -- basic 0x0,
 * hypervisor 0x400000xx (each 0x100 range its own class), extended
 * 0x80000000, Centaur 0xc0000000, or a class with no base leaf at all --
 * returns the entry of the highest basic leaf (CPUID.0.EAX) for the same
 * @index; the returned entry's ->function tells which leaf was used.  A
 * missing leaf inside its class's range gives NULL (zeros).
 */
const struct hv_cpuid_entry *hv_cpuid_lookup(const struct hv_cpuid_entry *e,
					     unsigned int n, u32 function,
					     u32 index);

/* vCPU state that CPUID output depends on. */
struct hv_cpuid_dyn {
	u32 apic_id;		/* x2APIC ID; 1.EBX[31:24] gets its low byte */
	u64 xcr0;		/* guest XCR0: 0xD.0 EBX */
	u64 xss;		/* guest IA32_XSS: 0xD.1 EBX (with xcr0) */
	bool cr4_osxsave;	/* 1.ECX[27] OSXSAVE */
	bool cr4_pke;		/* 7.0.ECX[4] OSPKE */
	bool apic_enabled;	/* IA32_APIC_BASE.EN: 1.EDX[9] APIC */
};

/*
 * The four registers a guest CPUID(@function, @index) returns, from the
 * guest table (hv_cpuid_lookup() semantics) with the dynamic bits of @dyn
 * applied: OSXSAVE, APIC and 1.EBX[31:24]; OSPKE; 0xB/0x1F EDX = x2APIC
 * ID (and, for a missing subleaf of a present 0xB/0x1F, ECX[7:0] = @index
 * as KVM does); 0xD.0 EBX = standard-format size for @dyn->xcr0; 0xD.1 EBX
 * = compacted size for xcr0 | xss when 0xD.1 EAX has XSAVEC or XSAVES.
 * Sizes come from the guest's own 0xD.i leaves; size hv's buffers with
 * hv_cpuid_xsave_size() over the supported (host) table instead.
 */
void hv_cpuid_guest_result(const struct hv_cpuid_entry *e, unsigned int n,
			   const struct hv_cpuid_dyn *dyn, u32 function,
			   u32 index, u32 regs[4]);

/*
 * XSAVE area size for the components in @xfeatures, from the 0xD.i
 * entries of @e: the standard format, or the compacted one.  Components
 * without a 0xD.i entry count as empty.  At least HV_XSAVE_BASE_SIZE.
 */
u32 hv_cpuid_xsave_size(const struct hv_cpuid_entry *e, unsigned int n,
			u64 xfeatures, bool compacted);

/* XCR0 bits the guest table allows: 0xD.0 EDX:EAX, 0 without 0xD.0. */
u64 hv_cpuid_guest_xcr0_mask(const struct hv_cpuid_entry *e, unsigned int n);

/* Feature bits the core asks about; see hv_cpuid_has(). */
enum hv_cpuid_feature {
	HV_CPUID_FEAT_MCE,		/* 1.EDX[7] */
	HV_CPUID_FEAT_APIC,		/* 1.EDX[9] */
	HV_CPUID_FEAT_MTRR,		/* 1.EDX[12] */
	HV_CPUID_FEAT_MCA,		/* 1.EDX[14] */
	HV_CPUID_FEAT_PAT,		/* 1.EDX[16] */
	HV_CPUID_FEAT_PCID,		/* 1.ECX[17] */
	HV_CPUID_FEAT_X2APIC,		/* 1.ECX[21] */
	HV_CPUID_FEAT_TSC_DEADLINE,	/* 1.ECX[24] */
	HV_CPUID_FEAT_XSAVE,		/* 1.ECX[26] */
	HV_CPUID_FEAT_AVX,		/* 1.ECX[28] */
	HV_CPUID_FEAT_HYPERVISOR,	/* 1.ECX[31] */
	HV_CPUID_FEAT_FSGSBASE,		/* 7.0.EBX[0] */
	HV_CPUID_FEAT_SMEP,		/* 7.0.EBX[7] */
	HV_CPUID_FEAT_INVPCID,		/* 7.0.EBX[10] */
	HV_CPUID_FEAT_AVX512F,		/* 7.0.EBX[16] */
	HV_CPUID_FEAT_SMAP,		/* 7.0.EBX[20] */
	HV_CPUID_FEAT_UMIP,		/* 7.0.ECX[2] */
	HV_CPUID_FEAT_PKU,		/* 7.0.ECX[3] */
	HV_CPUID_FEAT_LA57,		/* 7.0.ECX[16] */
	HV_CPUID_FEAT_RDPID,		/* 7.0.ECX[22] */
	HV_CPUID_FEAT_SPEC_CTRL,	/* 7.0.EDX[26] IBRS and IBPB */
	HV_CPUID_FEAT_STIBP,		/* 7.0.EDX[27] */
	HV_CPUID_FEAT_ARCH_CAPABILITIES,/* 7.0.EDX[29] */
	HV_CPUID_FEAT_SSBD,		/* 7.0.EDX[31] */
	HV_CPUID_FEAT_XSAVES,		/* 0xD.1.EAX[3] */
	HV_CPUID_FEAT_SYSCALL,		/* 0x80000001.EDX[11] */
	HV_CPUID_FEAT_NX,		/* 0x80000001.EDX[20] */
	HV_CPUID_FEAT_FXSR_OPT,		/* 0x80000001.EDX[25] */
	HV_CPUID_FEAT_GBPAGES,		/* 0x80000001.EDX[26] */
	HV_CPUID_FEAT_RDTSCP,		/* 0x80000001.EDX[27] */
	HV_CPUID_FEAT_LM,		/* 0x80000001.EDX[29] */
	HV_CPUID_FEAT_AMD_IBPB,		/* 0x80000008.EBX[12] */
	HV_CPUID_FEAT_AMD_IBRS,		/* 0x80000008.EBX[14] */
	HV_CPUID_FEAT_AMD_STIBP,	/* 0x80000008.EBX[15] */
	HV_CPUID_FEAT_AMD_SSBD,		/* 0x80000008.EBX[24] */
	HV_CPUID_FEAT_AMD_PSFD,		/* 0x80000008.EBX[28] */
	HV_CPUID_FEAT_NR
};

/* Does table @e (hv_cpuid_find() semantics) enumerate @f? */
bool hv_cpuid_has(const struct hv_cpuid_entry *e, unsigned int n,
		  enum hv_cpuid_feature f);

/* Guest MAXPHYADDR: 0x80000008 EAX[7:0] when enumerated, else 36. */
unsigned int hv_cpuid_maxphyaddr(const struct hv_cpuid_entry *e,
				 unsigned int n);

/* Is the vendor of leaf 0 AuthenticAMD or HygonGenuine? */
bool hv_cpuid_vendor_is_amd(const struct hv_cpuid_entry *e, unsigned int n);

#endif /* HV_CPUID_H */
