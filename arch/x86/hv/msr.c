// SPDX-License-Identifier: GPL-2.0-only
/*
 * MSR policy.  Every MSR hv emulates for a guest is described once in
 * hv_msrs[] with its semantic class; hv_msr_policy_check() applies the
 * class's rules.  Anything not in the table is unknown (-ENOENT): the core
 * injects #GP or, if userspace asked for it, exits to userspace.
 *
 * Host-initiated accesses (KVM_GET_MSRS/KVM_SET_MSRS) are permissive as
 * QEMU expects -- it asserts that its whole batch is processed -- but never
 * so permissive that hardware state becomes invalid (VM entry checks
 * canonical addresses, EFER, PAT).
 *
 * Decisions worth knowing:
 *  - KVM PV MSRs 0x11/0x12 (wall clock, system time): QEMU 7.2 sends them
 *    on every reset whatever CPUID says.  hv advertises no PV feature, so
 *    the guest gets #GP on both reads and writes; host writes are accepted
 *    (any value) and stored, host reads return what was stored.  Nothing
 *    ever acts on the value.  They are not in the index list.
 *  - EFER is not in the index list (KVM keeps it in kvm_sregs), nor are
 *    the MTRRs (QEMU sends them anyway when CPUID has MTRR).
 *  - MISC_ENABLE: a guest may not set LIMIT_CPUID or XD_DISABLE (their
 *    effects are not emulated); everything else is stored.  Host writes
 *    are stored as they come.
 *  - MCi_STATUS: a guest may only write 0 (no HWCR.McStatusWrEn); the host
 *    may write anything.  MCi_CTL and MCG_CTL take 0 or all ones (bits 0
 *    and 10 of MCi_CTL may be clear: old Linux clears them on AMD K8).
 *  - Constants (MTRRcap, MCG_CAP, FEAT_CTL, PLATFORM_INFO, PLATFORM_ID)
 *    accept a host write of their own value only, so that restoring state
 *    from an incompatible source fails instead of being silently dropped.
 */
#include "msr.h"
#include "cpuid.h"

#define BE_ANY		0
#define BE_VMX		HV_CPUID_BACKEND_VMX
#define BE_SVM		HV_CPUID_BACKEND_SVM
#define F_SAVE		HV_MSR_F_SAVE

#define MSR1(nm, idx, c, be, nd, fl, rst)				\
	{ .name = nm, .index = idx, .count = 1, .cls = HV_MSR_C_##c,	\
	  .backend = be, .need = nd, .flags = fl, .reset = rst }
#define MSRN(nm, idx, n, c, rst)					\
	{ .name = nm, .index = idx, .count = n, .cls = HV_MSR_C_##c,	\
	  .reset = rst }

/* MCi_CTL may have these clear and still count as "all ones". */
#define MCI_CTL_TOLERATED	(BIT_ULL(0) | BIT_ULL(10))
/* MCG_STATUS: RIPV, EIPV, MCIP; no LMCE. */
#define MCG_STATUS_VALID	0x7ULL
/* HWCR: TscFreqSel (24) is kept; bits 3, 6, 8 are accepted and dropped. */
#define HWCR_KEEP		BIT_ULL(24)
#define HWCR_IGNORED		(BIT_ULL(3) | BIT_ULL(6) | BIT_ULL(8))
/* DEBUGCTL: LBR (0) and BTF (1) accepted and dropped: not virtualized. */
#define DEBUGCTL_IGNORED	(BIT_ULL(0) | BIT_ULL(1))
#define MISC_ENABLE_GUEST_RO	(HV_MISC_ENABLE_LIMIT_CPUID | \
				 HV_MISC_ENABLE_XD_DISABLE)
#define SPEC_CTRL_IBRS		BIT_ULL(0)
#define SPEC_CTRL_STIBP		BIT_ULL(1)
#define SPEC_CTRL_SSBD		BIT_ULL(2)
#define SPEC_CTRL_PSFD		BIT_ULL(7)
#define PRED_CMD_IBPB		BIT_ULL(0)

/*
 * The emulated MSRs.  The index list is the HV_MSR_F_SAVE entries in this
 * order: KVM's msrs_to_save, then its emulated MSRs, for the features hv
 * has.
 *
 *   MSR                  class        rules
 *   SYSENTER_CS          STORE        any value
 *   SYSENTER_ESP/EIP     SYSENTER     canonical on VMX (VMCS field), any on SVM
 *   STAR, SYSCALL_MASK   STORE        any value
 *   CSTAR, LSTAR, KERNEL_GS_BASE, FS_BASE, GS_BASE
 *                        CANONICAL    canonical for 48 bits, 57 with LA57
 *   TSC                  TSC          any value; the core keeps an offset
 *   PAT                  PAT          every byte UC/WC/WT/WP/WB/UC-
 *   TSC_AUX              TSC_AUX      guest needs RDTSCP or RDPID; VMX: bits
 *                                     63:32 #GP; SVM: ignored
 *   SPEC_CTRL            SPEC_CTRL    guest needs it; bits per CPUID
 *   XSS                  XSS          guest needs XSAVES; supported_xss only
 *   ARCH_CAPABILITIES    ARCH_CAP     guest: read-only; host: subset of policy
 *   MISC_ENABLE          MISC_ENABLE  guest may not set LIMIT_CPUID, XD_DISABLE
 *   MCG_STATUS           MCG_STATUS   guest: RIPV/EIPV/MCIP only; host: any
 *   MCG_CTL              MCG_CTL      0 or ~0; absent without MCG_CAP.CTL_P
 *                                     (host may still write 0)
 *   UCODE_REV            UCODE        guest writes ignored; host sets it
 *   APIC_BASE            APIC_BASE    reserved bits, EXTD needs x2APIC and EN
 *   EFER                 EFER         SCE; LME/LMA need LM; NXE needs NX;
 *                                     FFXSR needs FXSR_OPT (SVM); SVME never
 *   MTRRcap              CONST        0x508: 8 variable, fixed, WC
 *   MTRRdefType          MTRR_DEF     type valid, bits 63:12, 9:8 reserved
 *   MTRRfix*             MTRR_FIXED   every byte a valid type
 *   MTRRphysBase/Mask0-7 MTRR_VAR     base: type valid, 11:8 and >= MAXPHYADDR
 *                                     reserved; mask: 10:0, >= MAXPHYADDR
 *   MCG_CAP              MCG_CAP      read-only: KVM_X86_SETUP_MCE
 *   MC0..MC31 CTL/STATUS/ADDR/MISC
 *                        MC_BANK      banks >= MCG_CAP count #GP; CTL 0 or ~0;
 *                                     guest STATUS writes 0 only
 *   PRED_CMD             PRED_CMD     write-only IBPB; guest needs IBPB
 *   FEAT_CTL (VMX)       CONST        locked, VMX off
 *   PLATFORM_INFO (VMX)  CONST        0: no CPUID faulting, no ratios
 *   PLATFORM_ID (VMX)    CONST        0
 *   DEBUGCTL             DEBUGCTL     LBR/BTF accepted and dropped, rest #GP
 *   HWCR (SVM)           HWCR         TscFreqSel stored; 3, 6, 8 dropped;
 *                                     McStatusWrEn and the rest #GP
 *   KVM_WALL_CLOCK, KVM_SYSTEM_TIME
 *                        PV_HOST      guest #GP; host any, stored
 */
static const struct hv_msr_desc hv_msrs[] = {
	/* msrs_to_save */
	MSR1("IA32_SYSENTER_CS", HV_MSR_IA32_SYSENTER_CS, STORE, BE_ANY,
	     0, F_SAVE, 0),
	MSR1("IA32_SYSENTER_ESP", HV_MSR_IA32_SYSENTER_ESP, SYSENTER,
	     BE_ANY, 0, F_SAVE, 0),
	MSR1("IA32_SYSENTER_EIP", HV_MSR_IA32_SYSENTER_EIP, SYSENTER,
	     BE_ANY, 0, F_SAVE, 0),
	MSR1("STAR", HV_MSR_STAR, STORE, BE_ANY, 0, F_SAVE, 0),
	MSR1("CSTAR", HV_MSR_CSTAR, CANONICAL, BE_ANY, 0, F_SAVE, 0),
	MSR1("KERNEL_GS_BASE", HV_MSR_KERNEL_GS_BASE, CANONICAL, BE_ANY,
	     0, F_SAVE, 0),
	MSR1("SYSCALL_MASK", HV_MSR_SYSCALL_MASK, STORE, BE_ANY, 0,
	     F_SAVE, 0),
	MSR1("LSTAR", HV_MSR_LSTAR, CANONICAL, BE_ANY, 0, F_SAVE, 0),
	MSR1("IA32_TSC", HV_MSR_IA32_TSC, TSC, BE_ANY, 0, F_SAVE, 0),
	MSR1("IA32_PAT", HV_MSR_IA32_PAT, PAT, BE_ANY, 0, F_SAVE,
	     HV_PAT_DEFAULT),
	MSR1("TSC_AUX", HV_MSR_TSC_AUX, TSC_AUX, BE_ANY,
	     HV_MSR_GF_RDTSCP | HV_MSR_GF_RDPID, F_SAVE, 0),
	MSR1("IA32_SPEC_CTRL", HV_MSR_IA32_SPEC_CTRL, SPEC_CTRL, BE_ANY,
	     HV_MSR_GF_SPEC_CTRL, F_SAVE, 0),
	MSR1("IA32_XSS", HV_MSR_IA32_XSS, XSS, BE_ANY, HV_MSR_GF_XSAVES,
	     F_SAVE, 0),
	/* emulated_msrs */
	MSR1("IA32_ARCH_CAPABILITIES", HV_MSR_IA32_ARCH_CAPABILITIES,
	     ARCH_CAP, BE_ANY, HV_MSR_GF_ARCH_CAP, F_SAVE, 0),
	MSR1("IA32_MISC_ENABLE", HV_MSR_IA32_MISC_ENABLE, MISC_ENABLE,
	     BE_ANY, 0, F_SAVE,
	     HV_MISC_ENABLE_BTS_UNAVAIL | HV_MISC_ENABLE_PEBS_UNAVAIL),
	MSR1("IA32_MCG_STATUS", HV_MSR_IA32_MCG_STATUS, MCG_STATUS,
	     BE_ANY, 0, F_SAVE, 0),
	MSR1("IA32_MCG_CTL", HV_MSR_IA32_MCG_CTL, MCG_CTL, BE_ANY, 0,
	     F_SAVE, 0),
	MSR1("IA32_UCODE_REV", HV_MSR_IA32_UCODE_REV, UCODE, BE_ANY, 0,
	     F_SAVE, HV_UCODE_REV_DEFAULT),
	/* not listed */
	MSR1("IA32_APIC_BASE", HV_MSR_IA32_APIC_BASE, APIC_BASE, BE_ANY,
	     0, 0, HV_APIC_BASE_DEFAULT | HV_APIC_BASE_EN | HV_APIC_BASE_BSP),
	MSR1("EFER", HV_MSR_EFER, EFER, BE_ANY, 0, 0, 0),
	MSR1("FS_BASE", HV_MSR_FS_BASE, CANONICAL, BE_ANY, 0, 0, 0),
	MSR1("GS_BASE", HV_MSR_GS_BASE, CANONICAL, BE_ANY, 0, 0, 0),
	MSR1("MTRRcap", HV_MSR_MTRR_CAP, CONST, BE_ANY, 0, 0,
	     HV_MTRR_CAP_VALUE),
	MSR1("MTRRdefType", HV_MSR_MTRR_DEF_TYPE, MTRR_DEF, BE_ANY, 0,
	     0, 0),
	MSRN("MTRRfix64K", HV_MSR_MTRR_FIX64K_00000, 1, MTRR_FIXED, 0),
	MSRN("MTRRfix16K", HV_MSR_MTRR_FIX16K_80000, 2, MTRR_FIXED, 0),
	MSRN("MTRRfix4K", HV_MSR_MTRR_FIX4K_C0000, 8, MTRR_FIXED, 0),
	MSRN("MTRRphysBase/Mask", HV_MSR_MTRR_PHYSBASE0,
	     2 * HV_MTRR_NR_VAR, MTRR_VAR, 0),
	MSR1("IA32_MCG_CAP", HV_MSR_IA32_MCG_CAP, MCG_CAP, BE_ANY, 0, 0,
	     0),
	MSRN("IA32_MCi", HV_MSR_IA32_MC0_CTL, 4 * 32, MC_BANK, 0),
	MSR1("IA32_PRED_CMD", HV_MSR_IA32_PRED_CMD, PRED_CMD, BE_ANY,
	     HV_MSR_GF_IBPB, 0, 0),
	MSR1("IA32_FEAT_CTL", HV_MSR_IA32_FEAT_CTL, CONST, BE_VMX, 0, 0,
	     HV_FEAT_CTL_LOCK),
	MSR1("PLATFORM_INFO", HV_MSR_PLATFORM_INFO, CONST, BE_VMX, 0, 0, 0),
	MSR1("IA32_PLATFORM_ID", HV_MSR_IA32_PLATFORM_ID, CONST, BE_VMX, 0, 0, 0),
	MSR1("IA32_DEBUGCTL", HV_MSR_IA32_DEBUGCTL, DEBUGCTL, BE_ANY, 0,
	     0, 0),
	MSR1("K7_HWCR", HV_MSR_K7_HWCR, HWCR, BE_SVM, 0, 0, 0),
	MSR1("KVM_WALL_CLOCK", HV_MSR_KVM_WALL_CLOCK, PV_HOST, BE_ANY, 0,
	     0, 0),
	MSR1("KVM_SYSTEM_TIME", HV_MSR_KVM_SYSTEM_TIME, PV_HOST, BE_ANY,
	     0, 0, 0),
};

const struct hv_msr_desc *hv_msr_desc_of(u32 index, int backend)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hv_msrs); i++) {
		const struct hv_msr_desc *d = &hv_msrs[i];

		if (index < d->index || index - d->index >= d->count)
			continue;
		if (d->backend != BE_ANY && d->backend != backend)
			return NULL;
		return d;
	}
	return NULL;
}

static bool has(const struct hv_msr_guest_caps *caps, u32 f)
{
	return !!(caps->features & f);
}

/* Bits 63:w-1 all equal, w = 57 with LA57 in guest CPUID, else 48. */
static bool canonical(u64 v, const struct hv_msr_guest_caps *caps)
{
	unsigned int w = has(caps, HV_MSR_GF_LA57) ? 57 : 48;
	u64 top = v >> (w - 1);

	return top == 0 || top == (~0ULL >> (w - 1));
}

static u64 phys_rsvd(const struct hv_msr_guest_caps *caps)
{
	unsigned int bits = caps->maxphyaddr;

	if (bits < 32 || bits > 52)
		bits = 36;
	return ~0ULL << bits;
}

/* Memory types valid in an MTRR: UC, WC, WT, WP, WB. */
static bool mtrr_type_ok(u64 t)
{
	return t < 8 && ((0x73U >> t) & 1);
}

/* Memory types valid in a PAT entry: the MTRR ones and UC-. */
static bool pat_type_ok(u64 t)
{
	return t < 8 && ((0xf3U >> t) & 1);
}

static bool bytes_ok(u64 v, bool (*ok)(u64 t))
{
	unsigned int i;

	for (i = 0; i < 8; i++)
		if (!ok((v >> (8 * i)) & 0xff))
			return false;
	return true;
}

static unsigned int mce_banks(const struct hv_msr_guest_caps *caps)
{
	return caps->mcg_cap & 0xff;
}

static int efer_check(u64 v, bool host, const struct hv_msr_guest_caps *caps)
{
	u64 ok = HV_EFER_SCE;

	if (host) {
		/* What hv can run at all; guest CPUID is not consulted. */
		ok |= HV_EFER_LME | HV_EFER_LMA | HV_EFER_NXE;
		if (caps->backend == HV_CPUID_BACKEND_SVM)
			ok |= HV_EFER_FFXSR;
	} else {
		if (has(caps, HV_MSR_GF_LM))
			ok |= HV_EFER_LME | HV_EFER_LMA;
		if (has(caps, HV_MSR_GF_NX))
			ok |= HV_EFER_NXE;
		if (has(caps, HV_MSR_GF_FXSR_OPT) &&
		    caps->backend == HV_CPUID_BACKEND_SVM)
			ok |= HV_EFER_FFXSR;
	}
	return (v & ~ok) ? -EPERM : 0;
}

static int apic_base_check(u64 v, const struct hv_msr_guest_caps *caps)
{
	u64 rsvd = 0xffULL | BIT_ULL(9) | phys_rsvd(caps);

	if (!has(caps, HV_MSR_GF_X2APIC))
		rsvd |= HV_APIC_BASE_EXTD;
	if (v & rsvd)
		return -EPERM;
	/* x2APIC mode with the APIC disabled is invalid. */
	if ((v & HV_APIC_BASE_EXTD) && !(v & HV_APIC_BASE_EN))
		return -EPERM;
	return 0;
}

static int mtrr_var_check(u32 index, u64 v,
			  const struct hv_msr_guest_caps *caps)
{
	if (!((index - HV_MSR_MTRR_PHYSBASE0) & 1)) {
		/* PHYSBASEn: type in 7:0, 11:8 reserved. */
		if (!mtrr_type_ok(v & 0xff))
			return -EPERM;
		return (v & (0xf00ULL | phys_rsvd(caps))) ? -EPERM : 0;
	}
	/* PHYSMASKn: valid bit 11, 10:0 reserved. */
	return (v & (0x7ffULL | phys_rsvd(caps))) ? -EPERM : 0;
}

static int mc_bank_check(u32 index, u64 v, bool write, bool host,
			 const struct hv_msr_guest_caps *caps)
{
	u32 off = index - HV_MSR_IA32_MC0_CTL;

	if (off / 4 >= mce_banks(caps))
		return -EPERM;
	if (!write)
		return 0;
	switch (off & 3) {
	case 0:		/* MCi_CTL */
		if (v && (v | MCI_CTL_TOLERATED) != ~0ULL)
			return -EPERM;
		return 0;
	case 1:		/* MCi_STATUS */
		return (!host && v) ? -EPERM : 0;
	default:	/* MCi_ADDR, MCi_MISC */
		return 0;
	}
}

static int const_value(const struct hv_msr_desc *d,
		       const struct hv_msr_guest_caps *caps, u64 *val)
{
	if (d->cls == HV_MSR_C_MCG_CAP)
		*val = caps->mcg_cap;
	else
		*val = d->reset;
	return 0;
}

static int write_check(const struct hv_msr_desc *d, u32 index, u64 v,
		       bool host, const struct hv_msr_guest_caps *caps)
{
	u64 c;

	switch (d->cls) {
	case HV_MSR_C_STORE:
		return (v & d->rsvd) ? -EPERM : 0;
	case HV_MSR_C_CANONICAL:
		return canonical(v, caps) ? 0 : -EPERM;
	case HV_MSR_C_SYSENTER:
		if (caps->backend == HV_CPUID_BACKEND_VMX && !canonical(v, caps))
			return -EPERM;
		return 0;
	case HV_MSR_C_CONST:
	case HV_MSR_C_MCG_CAP:
		if (!host)
			return -EPERM;
		const_value(d, caps, &c);
		return v == c ? 0 : -EPERM;
	case HV_MSR_C_UCODE:
	case HV_MSR_C_TSC:
		return 0;
	case HV_MSR_C_APIC_BASE:
		return apic_base_check(v, caps);
	case HV_MSR_C_EFER:
		return efer_check(v, host, caps);
	case HV_MSR_C_PAT:
		return bytes_ok(v, pat_type_ok) ? 0 : -EPERM;
	case HV_MSR_C_MTRR_DEF:
		if (v & ~0xcffULL)
			return -EPERM;
		return mtrr_type_ok(v & 0xff) ? 0 : -EPERM;
	case HV_MSR_C_MTRR_FIXED:
		return bytes_ok(v, mtrr_type_ok) ? 0 : -EPERM;
	case HV_MSR_C_MTRR_VAR:
		return mtrr_var_check(index, v, caps);
	case HV_MSR_C_MCG_STATUS:
		return (!host && (v & ~MCG_STATUS_VALID)) ? -EPERM : 0;
	case HV_MSR_C_MCG_CTL:
		if (!(caps->mcg_cap & HV_MCG_CTL_P))
			return (host && !v) ? 0 : -EPERM;
		return (v == 0 || v == ~0ULL) ? 0 : -EPERM;
	case HV_MSR_C_MC_BANK:
		return mc_bank_check(index, v, true, host, caps);
	case HV_MSR_C_MISC_ENABLE:
		return (!host && (v & MISC_ENABLE_GUEST_RO)) ? -EPERM : 0;
	case HV_MSR_C_PV_HOST:
		return host ? 0 : -EPERM;
	case HV_MSR_C_XSS:
		return (v & ~caps->supported_xss) ? -EPERM : 0;
	case HV_MSR_C_SPEC_CTRL:
		return (v & ~caps->spec_ctrl_valid) ? -EPERM : 0;
	case HV_MSR_C_PRED_CMD:
		return (v & ~PRED_CMD_IBPB) ? -EPERM : 0;
	case HV_MSR_C_ARCH_CAP:
		if (!host)
			return -EPERM;
		return (v & ~caps->arch_capabilities) ? -EPERM : 0;
	case HV_MSR_C_TSC_AUX:
		if (caps->backend == HV_CPUID_BACKEND_VMX && (v >> 32))
			return -EPERM;
		return 0;
	case HV_MSR_C_HWCR:
		return (v & ~(HWCR_KEEP | HWCR_IGNORED)) ? -EPERM : 0;
	case HV_MSR_C_DEBUGCTL:
		return (v & ~DEBUGCTL_IGNORED) ? -EPERM : 0;
	}
	return -EPERM;
}

static int read_check(const struct hv_msr_desc *d, u32 index, bool host,
		      const struct hv_msr_guest_caps *caps)
{
	switch (d->cls) {
	case HV_MSR_C_PRED_CMD:
		return -EPERM;		/* write-only */
	case HV_MSR_C_PV_HOST:
		return host ? 0 : -EPERM;
	case HV_MSR_C_MCG_CTL:
		if (!host && !(caps->mcg_cap & HV_MCG_CTL_P))
			return -EPERM;
		return 0;
	case HV_MSR_C_MC_BANK:
		return mc_bank_check(index, 0, false, host, caps);
	default:
		return 0;
	}
}

int hv_msr_policy_check(u32 index, u64 value, bool write, bool host_initiated,
			const struct hv_msr_guest_caps *caps)
{
	const struct hv_msr_desc *d = hv_msr_desc_of(index, caps->backend);

	if (!d)
		return -ENOENT;
	if (!host_initiated && d->need && !(caps->features & d->need))
		return -EPERM;
	if (write)
		return write_check(d, index, value, host_initiated, caps);
	return read_check(d, index, host_initiated, caps);
}

u64 hv_msr_write_value(u32 index, u64 value, u64 old, bool host_initiated,
		       const struct hv_msr_guest_caps *caps)
{
	const struct hv_msr_desc *d = hv_msr_desc_of(index, caps->backend);

	if (!d)
		return value;
	switch (d->cls) {
	case HV_MSR_C_EFER:
		if (host_initiated)
			return value;
		/* LMA is status: WRMSR does not change it. */
		return (value & ~HV_EFER_LMA) | (old & HV_EFER_LMA);
	case HV_MSR_C_UCODE:
		return host_initiated ? value : old;
	case HV_MSR_C_HWCR:
		return value & HWCR_KEEP;
	case HV_MSR_C_DEBUGCTL:
		return value & ~DEBUGCTL_IGNORED;
	case HV_MSR_C_TSC_AUX:
		if (caps->backend == HV_CPUID_BACKEND_SVM)
			return (u32)value;
		return value;
	case HV_MSR_C_PRED_CMD:
		return 0;
	default:
		return value;
	}
}

int hv_msr_reset_value(u32 index, const struct hv_msr_guest_caps *caps,
		       u64 *val)
{
	const struct hv_msr_desc *d = hv_msr_desc_of(index, caps->backend);

	if (!d)
		return -ENOENT;
	switch (d->cls) {
	case HV_MSR_C_MCG_CAP:
		return const_value(d, caps, val);
	case HV_MSR_C_MCG_CTL:
		*val = (caps->mcg_cap & HV_MCG_CTL_P) ? ~0ULL : 0;
		return 0;
	case HV_MSR_C_MC_BANK:
		if ((index - HV_MSR_IA32_MC0_CTL) / 4 >= mce_banks(caps))
			return -ENOENT;
		*val = ((index - HV_MSR_IA32_MC0_CTL) & 3) ? 0 : ~0ULL;
		return 0;
	case HV_MSR_C_ARCH_CAP:
		*val = caps->arch_capabilities;
		return 0;
	default:
		*val = d->reset;
		return 0;
	}
}

static bool listed(const struct hv_msr_desc *d,
		   const struct hv_msr_guest_caps *hv)
{
	if (!(d->flags & HV_MSR_F_SAVE))
		return false;
	if (d->backend != BE_ANY && d->backend != hv->backend)
		return false;
	if (d->need && !(hv->features & d->need))
		return false;
	/* KVM lists XSS only when some XSS feature is supported. */
	if (d->cls == HV_MSR_C_XSS && !hv->supported_xss)
		return false;
	return true;
}

int hv_msr_index_list(const struct hv_msr_guest_caps *hv, u32 *out,
		      unsigned int max, unsigned int *n)
{
	unsigned int i, cnt = 0;

	for (i = 0; i < ARRAY_SIZE(hv_msrs); i++) {
		const struct hv_msr_desc *d = &hv_msrs[i];
		unsigned int k;

		if (!listed(d, hv))
			continue;
		for (k = 0; k < d->count; k++, cnt++)
			if (cnt < max)
				out[cnt] = d->index + k;
	}
	*n = cnt;
	return cnt > max ? -E2BIG : 0;
}

int hv_msr_mcg_cap_check(u64 mcg_cap)
{
	unsigned int banks = mcg_cap & 0xff;

	if (!banks || banks > HV_MCE_MAX_BANKS)
		return -EINVAL;
	/* Bank count 7:0 and MCG_EXT_CNT 23:16 are not capability bits. */
	if (mcg_cap & ~(HV_MCG_CTL_P | HV_MCG_SER_P | 0xffULL | 0xff0000ULL))
		return -EINVAL;
	return 0;
}

void hv_msr_caps_init(struct hv_msr_guest_caps *caps, int backend,
		      const struct hv_cpuid_entry *guest, unsigned int guest_n,
		      const struct hv_cpuid_entry *hv, unsigned int hv_n)
{
	static const struct {
		u8 feat;
		u32 gf;
	} map[] = {
		{ HV_CPUID_FEAT_LM, HV_MSR_GF_LM },
		{ HV_CPUID_FEAT_NX, HV_MSR_GF_NX },
		{ HV_CPUID_FEAT_FXSR_OPT, HV_MSR_GF_FXSR_OPT },
		{ HV_CPUID_FEAT_LA57, HV_MSR_GF_LA57 },
		{ HV_CPUID_FEAT_RDTSCP, HV_MSR_GF_RDTSCP },
		{ HV_CPUID_FEAT_RDPID, HV_MSR_GF_RDPID },
		{ HV_CPUID_FEAT_X2APIC, HV_MSR_GF_X2APIC },
		{ HV_CPUID_FEAT_XSAVES, HV_MSR_GF_XSAVES },
		{ HV_CPUID_FEAT_ARCH_CAPABILITIES, HV_MSR_GF_ARCH_CAP },
	};
	bool f[HV_CPUID_FEAT_NR];
	unsigned int i;

	for (i = 0; i < HV_CPUID_FEAT_NR; i++)
		f[i] = hv_cpuid_has(guest, guest_n, (enum hv_cpuid_feature)i) &&
		       (!hv || hv_cpuid_has(hv, hv_n, (enum hv_cpuid_feature)i));

	caps->backend = backend;
	caps->features = 0;
	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (f[map[i].feat])
			caps->features |= map[i].gf;

	caps->spec_ctrl_valid = 0;
	if (f[HV_CPUID_FEAT_SPEC_CTRL] || f[HV_CPUID_FEAT_AMD_IBRS])
		caps->spec_ctrl_valid |= SPEC_CTRL_IBRS;
	if (f[HV_CPUID_FEAT_STIBP] || f[HV_CPUID_FEAT_AMD_STIBP])
		caps->spec_ctrl_valid |= SPEC_CTRL_STIBP;
	if (f[HV_CPUID_FEAT_SSBD] || f[HV_CPUID_FEAT_AMD_SSBD])
		caps->spec_ctrl_valid |= SPEC_CTRL_SSBD;
	if (f[HV_CPUID_FEAT_AMD_PSFD])
		caps->spec_ctrl_valid |= SPEC_CTRL_PSFD;
	if (caps->spec_ctrl_valid)
		caps->features |= HV_MSR_GF_SPEC_CTRL;
	if (f[HV_CPUID_FEAT_SPEC_CTRL] || f[HV_CPUID_FEAT_AMD_IBPB])
		caps->features |= HV_MSR_GF_IBPB;

	caps->maxphyaddr = (u8)hv_cpuid_maxphyaddr(guest, guest_n);
}
