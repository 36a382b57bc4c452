// SPDX-License-Identifier: GPL-2.0-only
/*
 * CPUID policy.  hv reports in KVM_GET_SUPPORTED_CPUID only what it can
 * virtualize: the host's identity (vendor, family/model/stepping, cache
 * and TLB descriptions) and those feature bits of the host that work in a
 * guest without help hv does not give.  Everything else is masked; the
 * reason for each masked bit is in the tables below.
 *
 * Leaves reported (KVM's shape, so QEMU's parsing of it holds):
 *   0x0 .. min(host max, 0x1f), every leaf, unknown ones zeroed;
 *   0x80000000 .. min(host max, 0x80000021), likewise;
 *   0x40000000 "KVMKVMKVM", EAX = 0x40000001, and 0x40000001 = 0: no
 *   paravirtual feature is implemented, so none is advertised (QEMU
 *   saves/restores every PV MSR whose bit it sees).
 * Indexed leaves (4, 7, 0xB, 0xD, 0xF, 0x10, 0x12, 0x14, 0x17, 0x18, 0x1D,
 * 0x1E, 0x1F, 0x8000001D) carry HV_CPUID_FLAG_SIGNIFCANT_INDEX.
 */
#include "cpuid.h"

#define HV_CPUID_MAX_BASIC	0x1fU
#define HV_CPUID_MAX_EXT	0x80000021U
#define HV_CPUID_MAX_SUBLEAF	64U	/* bound for host leaves 4, 0x8000001d */

#define R(reg)	HV_CPUID_##reg
/* Register bits are 32-bit: keep the masks u32. */
#define B32(n)	(1U << (n))

/* ---- Leaf 1 ---------------------------------------------------------- */

/* 1.ECX */
#define C1_SSE3		B32(0)
#define C1_PCLMULQDQ	B32(1)
#define C1_SSSE3	B32(9)
#define C1_FMA		B32(12)
#define C1_CX16		B32(13)
#define C1_PCID		B32(17)
#define C1_SSE4_1	B32(19)
#define C1_SSE4_2	B32(20)
#define C1_X2APIC	B32(21)
#define C1_MOVBE	B32(22)
#define C1_POPCNT	B32(23)
#define C1_TSC_DEADLINE	B32(24)
#define C1_AES		B32(25)
#define C1_XSAVE	B32(26)
#define C1_OSXSAVE	B32(27)
#define C1_AVX		B32(28)
#define C1_F16C		B32(29)
#define C1_RDRAND	B32(30)
#define C1_HYPERVISOR	B32(31)

/*
 * 1.ECX masked:
 *   DTES64 2, DS_CPL 4	debug store: no DS area virtualization
 *   MONITOR 3		MONITOR/MWAIT not virtualized (leaf 5 zeroed too)
 *   VMX 5		no nested virtualization
 *   SMX 6		no GETSEC
 *   EST 7, TM2 8	no power/thermal control
 *   CNXT_ID 10		host L1 mode control
 *   SDBG 11		IA32_DEBUG_INTERFACE not emulated
 *   XTPR 14		no xTPR update control MSR
 *   PDCM 15		IA32_PERF_CAPABILITIES not emulated (no vPMU)
 *   DCA 18		no direct cache access
 *   TSC_DEADLINE 24	deadline timer not emulated yet
 *   OSXSAVE 27		dynamic: mirrors guest CR4.OSXSAVE
 * Conditional: X2APIC (HV_CPUID_F_X2APIC, emulated: host not needed),
 * XSAVE (guest XCR0 not empty), AVX/FMA/F16C (YMM state allowed).
 * Forced: HYPERVISOR.
 */
#define C1_PASS		(C1_SSE3 | C1_PCLMULQDQ | C1_SSSE3 | C1_CX16 | \
			 C1_PCID | C1_SSE4_1 | C1_SSE4_2 | C1_MOVBE | \
			 C1_POPCNT | C1_AES | C1_RDRAND)
#define C1_AVX_GROUP	(C1_AVX | C1_FMA | C1_F16C)

/*
 * 1.EDX kept: FPU VME DE PSE TSC MSR PAE MCE CX8 APIC SEP MTRR PGE MCA CMOV
 * PAT PSE36 CLFLUSH MMX FXSR SSE SSE2 SS (0-9, 11-17, 19, 23-27).
 * 1.EDX masked:
 *   10, 20, 30		reserved
 *   PSN 18		processor serial number (leaf 3 zeroed)
 *   DS 21		debug store not virtualized
 *   ACPI 22		no thermal monitor MSRs
 *   HTT 28		topology is userspace's to describe
 *   TM 29, PBE 31	thermal monitor, pending break enable
 * APIC (9) is dynamic: cleared while IA32_APIC_BASE.EN is 0.
 */
#define D1_APIC		B32(9)
#define D1_PASS		(0x3ffU | (0x7fU << 11) | B32(19) | (0x1fU << 23))

/*
 * 1.EBX: brand index [7:0] and CLFLUSH line size [15:8] kept; logical
 * processor count [23:16] cleared (HTT masked); initial APIC ID [31:24]
 * is dynamic, from the vCPU.
 */
#define B1_PASS		0x0000ffffU

/* ---- Leaf 7 ---------------------------------------------------------- */

/* 7.0.EBX */
#define B7_FSGSBASE	B32(0)
#define B7_BMI1		B32(3)
#define B7_HLE		B32(4)
#define B7_AVX2		B32(5)
#define B7_FDP_EXCPTN	B32(6)
#define B7_SMEP		B32(7)
#define B7_BMI2		B32(8)
#define B7_ERMS		B32(9)
#define B7_INVPCID	B32(10)
#define B7_RTM		B32(11)
#define B7_ZERO_FCS_FDS	B32(13)
#define B7_AVX512F	B32(16)
#define B7_AVX512DQ	B32(17)
#define B7_RDSEED	B32(18)
#define B7_ADX		B32(19)
#define B7_SMAP		B32(20)
#define B7_AVX512IFMA	B32(21)
#define B7_CLFLUSHOPT	B32(23)
#define B7_CLWB		B32(24)
#define B7_AVX512PF	B32(26)
#define B7_AVX512ER	B32(27)
#define B7_AVX512CD	B32(28)
#define B7_SHA		B32(29)
#define B7_AVX512BW	B32(30)
#define B7_AVX512VL	B32(31)

/*
 * 7.0.EBX masked:
 *   TSC_ADJUST 1	IA32_TSC_ADJUST not emulated
 *   SGX 2		no SGX (leaf 0x12 zeroed)
 *   PQM 12, PQE 15	resource director MSRs not virtualized (0xF/0x10 zeroed)
 *   MPX 14		BNDCFGS and XCR0 bits 3-4 not supported
 *   INTEL_PT 25	Intel PT policy comes later (leaf 0x14 zeroed)
 *   7, 22		reserved
 * Conditional: INVPCID (HV_CPUID_F_INVPCID: the backend must let the guest
 * run it), AVX2 (YMM allowed), AVX-512 F/DQ/IFMA/PF/ER/CD/BW/VL (AVX-512
 * state allowed).
 */
#define B7_PASS		(B7_FSGSBASE | B7_BMI1 | B7_HLE | B7_FDP_EXCPTN | \
			 B7_SMEP | B7_BMI2 | B7_ERMS | B7_RTM | \
			 B7_ZERO_FCS_FDS | B7_RDSEED | B7_ADX | B7_SMAP | \
			 B7_CLFLUSHOPT | B7_CLWB | B7_SHA)
#define B7_AVX512	(B7_AVX512F | B7_AVX512DQ | B7_AVX512IFMA | \
			 B7_AVX512PF | B7_AVX512ER | B7_AVX512CD | \
			 B7_AVX512BW | B7_AVX512VL)

/* 7.0.ECX */
#define C7_AVX512VBMI	B32(1)
#define C7_UMIP		B32(2)
#define C7_PKU		B32(3)
#define C7_OSPKE	B32(4)
#define C7_AVX512VBMI2	B32(6)
#define C7_GFNI		B32(8)
#define C7_VAES		B32(9)
#define C7_VPCLMULQDQ	B32(10)
#define C7_AVX512VNNI	B32(11)
#define C7_AVX512BITALG	B32(12)
#define C7_AVX512VPOPCNT B32(14)
#define C7_LA57		B32(16)
#define C7_RDPID	B32(22)
#define C7_CLDEMOTE	B32(25)
#define C7_MOVDIRI	B32(27)
#define C7_MOVDIR64B	B32(28)

/*
 * 7.0.ECX masked:
 *   PREFETCHWT1 0	not reported by KVM either
 *   PKU 3, OSPKE 4	protection keys not supported yet (no PKRU state)
 *   WAITPKG 5		UMWAIT/TPAUSE need IA32_UMWAIT_CONTROL emulation
 *   CET_SS 7		no CET state
 *   TME 13		memory encryption is the host's
 *   MAWAU 21:17	no MPX
 *   KL 23		Key Locker not virtualized
 *   BUS_LOCK_DETECT 24	not virtualized
 *   ENQCMD 29		needs PASID state
 *   SGX_LC 30		no SGX
 *   PKS 31		no supervisor protection keys
 * Conditional: UMIP (host has it, or HV_CPUID_F_UMIP_EMUL), LA57 (host has
 * it and HV_CPUID_F_LA57), RDPID (HV_CPUID_F_RDTSCP: reads TSC_AUX),
 * VAES/VPCLMULQDQ (YMM), AVX-512 VBMI/VBMI2/VNNI/BITALG/VPOPCNTDQ.
 */
#define C7_PASS		(C7_GFNI | C7_CLDEMOTE | C7_MOVDIRI | C7_MOVDIR64B)
#define C7_AVX		(C7_VAES | C7_VPCLMULQDQ)
#define C7_AVX512	(C7_AVX512VBMI | C7_AVX512VBMI2 | C7_AVX512VNNI | \
			 C7_AVX512BITALG | C7_AVX512VPOPCNT)

/* 7.0.EDX */
#define D7_AVX512_4VNNIW B32(2)
#define D7_AVX512_4FMAPS B32(3)
#define D7_FSRM		B32(4)
#define D7_VP2INTERSECT	B32(8)
#define D7_MD_CLEAR	B32(10)
#define D7_SERIALIZE	B32(14)
#define D7_TSXLDTRK	B32(16)
#define D7_AVX512_FP16	B32(23)
#define D7_SPEC_CTRL	B32(26)
#define D7_STIBP	B32(27)
#define D7_ARCH_CAP	B32(29)
#define D7_SSBD		B32(31)

/*
 * 7.0.EDX masked:
 *   UINTR 5		no user interrupts
 *   SRBDS_CTRL 9	MCU_OPT_CTRL not emulated
 *   RTM_ALWAYS_ABORT 11, TSX_FORCE_ABORT 13  TSX control MSRs not emulated
 *   HYBRID 15		no hybrid topology
 *   PCONFIG 18		no PCONFIG
 *   ARCH_LBR 19	no LBR virtualization
 *   IBT 20		no CET state
 *   AMX_BF16 22, AMX_TILE 24, AMX_INT8 25  no AMX (no XFD, no XTILE state)
 *   L1D_FLUSH 28	IA32_FLUSH_CMD not emulated
 *   CORE_CAPABILITIES 30  MSR not emulated
 * Conditional: SPEC_CTRL/STIBP/SSBD (HV_CPUID_F_SPEC_CTRL), AVX-512
 * 4VNNIW/4FMAPS/VP2INTERSECT/FP16.
 * Forced: ARCH_CAPABILITIES (emulated from policy, like KVM).
 */
#define D7_PASS		(D7_FSRM | D7_MD_CLEAR | D7_SERIALIZE | D7_TSXLDTRK)
#define D7_AVX512	(D7_AVX512_4VNNIW | D7_AVX512_4FMAPS | \
			 D7_VP2INTERSECT | D7_AVX512_FP16)
#define D7_SPEC		(D7_SPEC_CTRL | D7_STIBP | D7_SSBD)

/*
 * 7.1.EAX kept: CMPCCXADD 7, FZRM 10, FSRS 11, FSRC 12; with YMM: SHA512 0,
 * SM3 1, SM4 2, AVX_VNNI 4, AVX_IFMA 23; with AVX-512: AVX512_BF16 5.
 * Masked: WRMSRNS 19 (exit handling not written), AMX_FP16 21 (no AMX),
 * LAM 26 (linear address masking not supported by the MMU), the rest
 * reserved or host-only (FRED 17, LKGS 18 need state hv does not switch).
 * 7.1.EDX kept: PREFETCHITI 14; with YMM: AVX_VNNI_INT8 4, AVX_NE_CONVERT
 * 5, AVX_VNNI_INT16 10.  Masked: AMX_COMPLEX 8, AVX10 19, CET_SSS 18.
 * 7.1.EBX/ECX zeroed.  Subleaf 2 and above not reported (7.0.EAX <= 1).
 */
#define A71_PASS	(B32(7) | B32(10) | B32(11) | B32(12))
#define A71_AVX		(B32(0) | B32(1) | B32(2) | B32(4) | B32(23))
#define A71_AVX512	B32(5)
#define D71_PASS	B32(14)
#define D71_AVX		(B32(4) | B32(5) | B32(10))

/* ---- Leaf 0xD -------------------------------------------------------- */

#define A_D1_XSAVEOPT	B32(0)
#define A_D1_XSAVEC	B32(1)
#define A_D1_XGETBV1	B32(2)
#define A_D1_XSAVES	B32(3)
/*
 * 0xD.1.EAX masked: XFD 4 (no extended feature disable: no AMX);
 * XSAVES only with HV_CPUID_F_XSAVES.  IA32_XSS supports nothing, so
 * 0xD.1 ECX/EDX are 0 and no XSS-managed subleaf is reported.
 */
#define C_DI_XSS	B32(0)	/* 0xD.i ECX: component lives in IA32_XSS */
#define C_DI_ALIGN64	B32(1)	/* 0xD.i ECX: 64-byte aligned when compacted */

/* ---- Extended leaves ------------------------------------------------- */

/*
 * 0x80000001.ECX kept: LAHF_LM 0, CMP_LEGACY 1, CR8_LEGACY 4, ABM 5,
 * SSE4A 6, MISALIGNSSE 7, 3DNOWPREFETCH 8, TBM 21, TOPOEXT 22; with YMM:
 * XOP 11, FMA4 16.
 * Masked:
 *   SVM 2		no nested virtualization (leaf 0x8000000A zeroed)
 *   EXTAPIC 3		no extended APIC space
 *   OSVW 9		OSVW MSRs not emulated
 *   IBS 10		no instruction-based sampling
 *   SKINIT 12		no SKINIT/STGI outside SVM
 *   WDT 13		no watchdog
 *   LWP 15		no lightweight profiling
 *   TCE 17		EFER.TCE not supported
 *   NODEID 19		host topology
 *   PERFCTR_CORE 23, PERFCTR_NB 24, PERFTSC 27, PCX_L2I 28  no vPMU
 *   DBX 26		no data breakpoint extensions
 *   MWAITX 29		MONITORX/MWAITX not virtualized
 */
#define C81_PASS	(B32(0) | B32(1) | B32(4) | B32(5) | B32(6) | B32(7) | \
			 B32(8) | B32(21) | B32(22))
#define C81_AVX		(B32(11) | B32(16))

/*
 * 0x80000001.EDX kept: the bits AMD duplicates from 1.EDX (0-9, 12-17, 23,
 * 24: same policy as there), SYSCALL 11, NX 20, MMXEXT 22, FXSR_OPT 25,
 * GBPAGES 26, LM 29, 3DNOWEXT 30, 3DNOW 31; RDTSCP 27 with
 * HV_CPUID_F_RDTSCP.  Masked: the rest (reserved).
 * 0x80000001.EBX[27:16] (PkgType and reserved) cleared.
 */
#define D81_ALIASES	(0x3ffU | (0x3fU << 12) | B32(23) | B32(24))
#define D81_PASS	(B32(11) | B32(20) | B32(22) | B32(25) | B32(26) | \
			 B32(29) | B32(30) | B32(31))
#define D81_RDTSCP	B32(27)

/* 0x80000007.EDX: only invariant TSC (8); power management zeroed. */
#define D87_INVTSC	B32(8)

/*
 * 0x80000008.EBX kept: CLZERO 0, XSAVEERPTR 2, WBNOINVD 9, SSB_NO 26;
 * with HV_CPUID_F_SPEC_CTRL: IBPB 12, IBRS 14, STIBP 15, STIBP_ALWAYS_ON
 * 17, SSBD 24, PSFD 28.  Masked: INVLPGB 3, RDPRU 4, MCOMMIT 8 (not
 * virtualized), VIRT_SSBD 25 (VIRT_SPEC_CTRL not emulated), the rest.
 * 0x80000008.EAX: PhysAddrSize = host's, LinAddrSize = 57 with LA57 else
 * 48, GuestPhysAddrSize = max_gpa_bits when smaller, else 0.
 * 0x80000008.ECX: core count [7:0] and ApicIdSize [15:12] kept.  EDX = 0.
 */
#define B88_PASS	(B32(0) | B32(2) | B32(9) | B32(26))
#define B88_SPEC	(B32(12) | B32(14) | B32(15) | B32(17) | B32(24) | \
			 B32(28))
#define C88_PASS	0x0000f0ffU

/*
 * 0x80000021.EAX kept: NO_NESTED_DATA_BP 0, LFENCE_RDTSC 2,
 * NULL_SEL_CLR_BASE 6.  Masked: AUTOIBRS 8 (EFER bit not supported), the
 * rest (SMM and prefetch controls, speculation MSRs not emulated).
 */
#define A8_21_PASS	(B32(0) | B32(2) | B32(6))

struct hv_cpuid_gen {
	const struct hv_cpuid_host *host;
	struct hv_cpuid_entry *out;
	unsigned int max;
	unsigned int n;
	u64 xcr0;	/* XCR0 bits reported in 0xD.0 */
	bool avx;
	bool avx512;
	bool la57;
};

static void host_cpuid(const struct hv_cpuid_host *h, u32 fn, u32 idx,
		       u32 r[4])
{
	const struct hv_cpuid_entry *e;

	memset(r, 0, 4 * sizeof(*r));
	if (h->cpuid) {
		h->cpuid(h->opaque, fn, idx, r);
		return;
	}
	e = hv_cpuid_find(h->table, h->table_n, fn, idx);
	if (e) {
		r[R(EAX)] = e->eax;
		r[R(EBX)] = e->ebx;
		r[R(ECX)] = e->ecx;
		r[R(EDX)] = e->edx;
	}
}

static u32 host_reg(const struct hv_cpuid_host *h, u32 fn, u32 idx, int reg)
{
	u32 r[4];

	host_cpuid(h, fn, idx, r);
	return r[reg];
}

static void put(struct hv_cpuid_gen *g, u32 fn, u32 idx, u32 flags,
		const u32 r[4])
{
	if (g->n < g->max) {
		struct hv_cpuid_entry *e = &g->out[g->n];

		memset(e, 0, sizeof(*e));
		e->function = fn;
		e->index = idx;
		e->flags = flags;
		e->eax = r[R(EAX)];
		e->ebx = r[R(EBX)];
		e->ecx = r[R(ECX)];
		e->edx = r[R(EDX)];
	}
	g->n++;
}

static void put_zero(struct hv_cpuid_gen *g, u32 fn, u32 flags)
{
	static const u32 zero[4];

	put(g, fn, 0, flags, zero);
}

static u32 align64(u32 x)
{
	return (x + 63) & ~63U;
}

/*
 * XSAVE size for @xf from the 0xD.i leaves of the host (@h) or of table
 * @e/@n (@h NULL).
 */
static u32 xsave_size(const struct hv_cpuid_host *h,
		      const struct hv_cpuid_entry *e, unsigned int n,
		      u64 xf, bool compacted)
{
	u32 size = HV_XSAVE_BASE_SIZE;
	unsigned int i;

	for (i = 2; i < 64; i++) {
		u32 r[4] = { 0, 0, 0, 0 };
		u32 off;

		if (!(xf & BIT_ULL(i)))
			continue;
		if (h) {
			host_cpuid(h, 0xd, i, r);
		} else {
			const struct hv_cpuid_entry *s;

			s = hv_cpuid_find(e, n, 0xd, i);
			if (!s)
				continue;
			r[R(EAX)] = s->eax;
			r[R(EBX)] = s->ebx;
			r[R(ECX)] = s->ecx;
		}
		if (!r[R(EAX)])
			continue;
		if (compacted) {
			off = (r[R(ECX)] & C_DI_ALIGN64) ? align64(size) : size;
			size = off + r[R(EAX)];
		} else if (r[R(EBX)] + r[R(EAX)] > size) {
			size = r[R(EBX)] + r[R(EAX)];
		}
	}
	return size;
}

/*
 * The XCR0 bits guests get: what hv supports (HV_CPUID_F_XSAVE/AVX/AVX512),
 * the host kernel allows, and the CPU enumerates with a sane 0xD.i.
 * AVX-512 needs all three of its components, and YMM; everything needs
 * x87 and SSE.
 */
static void compute_xcr0(struct hv_cpuid_gen *g, u32 max_basic)
{
	const struct hv_cpuid_host *h = g->host;
	u64 want = 0, xcr0;
	unsigned int i;
	u32 r[4];

	g->xcr0 = 0;
	g->avx = false;
	g->avx512 = false;
	if (max_basic < 0xd || !(h->features & HV_CPUID_F_XSAVE) ||
	    !(host_reg(h, 1, 0, R(ECX)) & C1_XSAVE))
		return;

	want = HV_XFEATURE_X87 | HV_XFEATURE_SSE;
	if (h->features & HV_CPUID_F_AVX)
		want |= HV_XFEATURE_YMM;
	if (h->features & HV_CPUID_F_AVX512)
		want |= HV_XFEATURE_AVX512;

	host_cpuid(h, 0xd, 0, r);
	xcr0 = want & h->host_xcr0_supported &
	       (r[R(EAX)] | ((u64)r[R(EDX)] << 32));

	/* Drop components the CPU describes inconsistently. */
	for (i = 2; i < 64; i++) {
		if (!(xcr0 & BIT_ULL(i)))
			continue;
		host_cpuid(h, 0xd, i, r);
		if (!r[R(EAX)] || (r[R(ECX)] & C_DI_XSS))
			xcr0 &= ~BIT_ULL(i);
	}

	if ((xcr0 & (HV_XFEATURE_X87 | HV_XFEATURE_SSE)) !=
	    (HV_XFEATURE_X87 | HV_XFEATURE_SSE))
		return;
	if (!(xcr0 & HV_XFEATURE_YMM) ||
	    !(host_reg(h, 1, 0, R(ECX)) & C1_AVX))
		xcr0 &= ~(HV_XFEATURE_YMM | HV_XFEATURE_AVX512);
	if ((xcr0 & HV_XFEATURE_AVX512) != HV_XFEATURE_AVX512 ||
	    max_basic < 7 || !(host_reg(h, 7, 0, R(EBX)) & B7_AVX512F))
		xcr0 &= ~HV_XFEATURE_AVX512;

	g->xcr0 = xcr0;
	g->avx = !!(xcr0 & HV_XFEATURE_YMM);
	g->avx512 = !!(xcr0 & HV_XFEATURE_AVX512);
}

static void leaf_1(struct hv_cpuid_gen *g)
{
	const struct hv_cpuid_host *h = g->host;
	u32 r[4], ecx_ok = C1_PASS;

	host_cpuid(h, 1, 0, r);
	if (g->xcr0)
		ecx_ok |= C1_XSAVE;
	if (g->avx)
		ecx_ok |= C1_AVX_GROUP;
	r[R(EBX)] &= B1_PASS;
	r[R(ECX)] &= ecx_ok;
	r[R(ECX)] |= C1_HYPERVISOR;
	if (h->features & HV_CPUID_F_X2APIC)
		r[R(ECX)] |= C1_X2APIC;
	r[R(EDX)] &= D1_PASS;
	put(g, 1, 0, 0, r);
}

static void leaf_4(struct hv_cpuid_gen *g, u32 fn)
{
	u32 i, r[4];

	/* Cache descriptions, up to and including the first null one. */
	for (i = 0; i < HV_CPUID_MAX_SUBLEAF; i++) {
		host_cpuid(g->host, fn, i, r);
		put(g, fn, i, HV_CPUID_FLAG_SIGNIFCANT_INDEX, r);
		if (!(r[R(EAX)] & 0x1f))
			break;
	}
}

static void leaf_7(struct hv_cpuid_gen *g)
{
	const struct hv_cpuid_host *h = g->host;
	u32 r[4], host_ecx, ebx_ok = B7_PASS, ecx_ok = C7_PASS;
	u32 edx_ok = D7_PASS, max_sub;

	host_cpuid(h, 7, 0, r);
	host_ecx = r[R(ECX)];
	max_sub = r[R(EAX)] < 1 ? r[R(EAX)] : 1;

	if (h->features & HV_CPUID_F_INVPCID)
		ebx_ok |= B7_INVPCID;
	if (g->avx) {
		ebx_ok |= B7_AVX2;
		ecx_ok |= C7_AVX;
	}
	if (g->avx512) {
		ebx_ok |= B7_AVX512;
		ecx_ok |= C7_AVX512;
		edx_ok |= D7_AVX512;
	}
	if (h->features & HV_CPUID_F_RDTSCP)
		ecx_ok |= C7_RDPID;
	if (h->features & HV_CPUID_F_SPEC_CTRL)
		edx_ok |= D7_SPEC;

	r[R(EAX)] = max_sub;
	r[R(EBX)] &= ebx_ok;
	r[R(ECX)] &= ecx_ok;
	if ((host_ecx & C7_UMIP) || (h->features & HV_CPUID_F_UMIP_EMUL))
		r[R(ECX)] |= C7_UMIP;
	if (g->la57)
		r[R(ECX)] |= C7_LA57;
	r[R(EDX)] &= edx_ok;
	r[R(EDX)] |= D7_ARCH_CAP;
	put(g, 7, 0, HV_CPUID_FLAG_SIGNIFCANT_INDEX, r);

	if (max_sub < 1)
		return;
	host_cpuid(h, 7, 1, r);
	r[R(EAX)] &= A71_PASS | (g->avx ? A71_AVX : 0) |
		     (g->avx512 ? A71_AVX512 : 0);
	r[R(EBX)] = 0;
	r[R(ECX)] = 0;
	r[R(EDX)] &= D71_PASS | (g->avx ? D71_AVX : 0);
	put(g, 7, 1, HV_CPUID_FLAG_SIGNIFCANT_INDEX, r);
}

static void leaf_d(struct hv_cpuid_gen *g)
{
	const struct hv_cpuid_host *h = g->host;
	const u32 f = HV_CPUID_FLAG_SIGNIFCANT_INDEX;
	u32 r[4], eax1_ok;
	unsigned int i;

	if (!g->xcr0) {
		put_zero(g, 0xd, f);
		return;
	}

	r[R(EAX)] = (u32)g->xcr0;
	r[R(EDX)] = (u32)(g->xcr0 >> 32);
	r[R(EBX)] = xsave_size(h, NULL, 0, g->xcr0, false);
	r[R(ECX)] = r[R(EBX)];
	put(g, 0xd, 0, f, r);

	eax1_ok = A_D1_XSAVEOPT | A_D1_XSAVEC | A_D1_XGETBV1;
	if (h->features & HV_CPUID_F_XSAVES)
		eax1_ok |= A_D1_XSAVES;
	host_cpuid(h, 0xd, 1, r);
	r[R(EAX)] &= eax1_ok;
	r[R(EBX)] = (r[R(EAX)] & (A_D1_XSAVEC | A_D1_XSAVES)) ?
		    xsave_size(h, NULL, 0, g->xcr0, true) : 0;
	r[R(ECX)] = 0;
	r[R(EDX)] = 0;
	put(g, 0xd, 1, f, r);

	for (i = 2; i < 64; i++) {
		if (!(g->xcr0 & BIT_ULL(i)))
			continue;
		host_cpuid(h, 0xd, i, r);
		r[R(ECX)] &= C_DI_ALIGN64;	/* no XFD, not XSS-managed */
		r[R(EDX)] = 0;
		put(g, 0xd, i, f, r);
	}
}

static void basic_leaf(struct hv_cpuid_gen *g, u32 fn, u32 max_basic)
{
	const u32 f = HV_CPUID_FLAG_SIGNIFCANT_INDEX;
	u32 r[4];

	switch (fn) {
	case 0:
		host_cpuid(g->host, 0, 0, r);
		r[R(EAX)] = max_basic;
		put(g, 0, 0, 0, r);
		break;
	case 1:
		leaf_1(g);
		break;
	case 2:		/* cache/TLB descriptors */
		host_cpuid(g->host, 2, 0, r);
		put(g, 2, 0, 0, r);
		break;
	case 4:		/* deterministic cache parameters */
		leaf_4(g, 4);
		break;
	case 6:		/* thermal/power: only ARAT, the LAPIC timer is emulated */
		r[R(EAX)] = B32(2);
		r[R(EBX)] = 0;
		r[R(ECX)] = 0;
		r[R(EDX)] = 0;
		put(g, 6, 0, 0, r);
		break;
	case 7:
		leaf_7(g);
		break;
	case 0xd:
		leaf_d(g);
		break;
	case 0xb:	/* topology: none (userspace describes it) */
	case 0x1f:
	case 0xf:	/* RDT monitoring */
	case 0x10:	/* RDT allocation */
	case 0x12:	/* SGX */
	case 0x14:	/* Intel PT: policy comes later */
	case 0x17:	/* SoC vendor attributes */
	case 0x18:	/* deterministic address translation */
	case 0x1d:	/* AMX tiles */
	case 0x1e:	/* AMX TMUL */
		put_zero(g, fn, f);
		break;
	default:
		/*
		 * 3 (serial number), 5 (MONITOR/MWAIT), 8, 9 (DCA), 0xA
		 * (architectural perfmon: no vPMU), 0xC, 0xE, 0x11, 0x13,
		 * 0x15/0x16 (TSC and core frequencies: the guest's TSC need
		 * not tick at the host's rate), 0x19 (Key Locker), 0x1A
		 * (hybrid), 0x1B (PCONFIG), 0x1C (arch LBR): zeroed.
		 */
		put_zero(g, fn, 0);
		break;
	}
}

static void leaf_80000008(struct hv_cpuid_gen *g)
{
	const struct hv_cpuid_host *h = g->host;
	u32 r[4], phys, virt, gpa = 0;

	host_cpuid(h, 0x80000008, 0, r);
	phys = r[R(EAX)] & 0xff;
	virt = g->la57 ? 57 : 48;
	if (h->max_gpa_bits && h->max_gpa_bits < phys)
		gpa = h->max_gpa_bits;
	r[R(EAX)] = phys | (virt << 8) | (gpa << 16);
	r[R(EBX)] &= B88_PASS |
		     ((h->features & HV_CPUID_F_SPEC_CTRL) ? B88_SPEC : 0);
	r[R(ECX)] &= C88_PASS;
	r[R(EDX)] = 0;
	put(g, 0x80000008, 0, 0, r);
}

static void ext_leaf(struct hv_cpuid_gen *g, u32 fn, u32 max_ext)
{
	const struct hv_cpuid_host *h = g->host;
	u32 r[4];

	host_cpuid(h, fn, 0, r);
	switch (fn) {
	case 0x80000000:
		r[R(EAX)] = max_ext;
		break;
	case 0x80000001:
		r[R(EBX)] &= ~0x0fff0000U;
		r[R(ECX)] &= C81_PASS | (g->avx ? C81_AVX : 0);
		r[R(EDX)] &= (D81_ALIASES & D1_PASS) | D81_PASS |
			     ((h->features & HV_CPUID_F_RDTSCP) ? D81_RDTSCP : 0);
		break;
	case 0x80000002:	/* brand string */
	case 0x80000003:
	case 0x80000004:
	case 0x80000005:	/* L1 cache and TLB */
		break;
	case 0x80000006:	/* L2/L3 cache and TLB; EDX[17:16] reserved */
		r[R(EDX)] &= ~0x00030000U;
		break;
	case 0x80000007:
		r[R(EAX)] = 0;
		r[R(EBX)] = 0;
		r[R(ECX)] = 0;
		r[R(EDX)] &= D87_INVTSC;
		break;
	case 0x80000008:
		leaf_80000008(g);
		return;
	case 0x80000019:	/* 1G-page TLB */
		r[R(ECX)] = 0;
		r[R(EDX)] = 0;
		break;
	case 0x8000001a:	/* performance optimizations */
		r[R(EAX)] &= 0x7;
		r[R(EBX)] = 0;
		r[R(ECX)] = 0;
		r[R(EDX)] = 0;
		break;
	case 0x8000001d:
		leaf_4(g, fn);
		return;
	case 0x80000021:
		r[R(EAX)] &= A8_21_PASS;
		r[R(EBX)] = 0;
		r[R(ECX)] = 0;
		r[R(EDX)] = 0;
		break;
	default:
		/*
		 * 0x8000000A (SVM), 0x8000001B (IBS), 0x8000001C (LWP),
		 * 0x8000001E (host topology), 0x8000001F (SEV), 0x80000020
		 * (PQoS), reserved leaves: zeroed.
		 */
		memset(r, 0, 4 * sizeof(*r));
		break;
	}
	put(g, fn, 0, 0, r);
}

int hv_cpuid_supported(const struct hv_cpuid_host *host,
		       struct hv_cpuid_entry *out, unsigned int max,
		       unsigned int *nent)
{
	struct hv_cpuid_gen g = { .host = host, .out = out, .max = max };
	u32 r[4], fn, max_basic, max_ext;

	if (!host || !nent || (!out && max) ||
	    (!host->cpuid && !host->table) ||
	    (host->backend != HV_CPUID_BACKEND_VMX &&
	     host->backend != HV_CPUID_BACKEND_SVM))
		return -EINVAL;

	host_cpuid(host, 0, 0, r);
	max_basic = r[R(EAX)] < HV_CPUID_MAX_BASIC ? r[R(EAX)] :
						     HV_CPUID_MAX_BASIC;
	compute_xcr0(&g, max_basic);
	g.la57 = (host->features & HV_CPUID_F_LA57) && max_basic >= 7 &&
		 (host_reg(host, 7, 0, R(ECX)) & C7_LA57);

	for (fn = 0; fn <= max_basic; fn++)
		basic_leaf(&g, fn, max_basic);

	max_ext = host_reg(host, 0x80000000, 0, R(EAX));
	if (max_ext < 0x80000000) {
		/* No extended leaves: report the range as empty. */
		put_zero(&g, 0x80000000, 0);
	} else {
		if (max_ext > HV_CPUID_MAX_EXT)
			max_ext = HV_CPUID_MAX_EXT;
		for (fn = 0x80000000; fn <= max_ext; fn++)
			ext_leaf(&g, fn, max_ext);
	}

	r[R(EAX)] = HV_CPUID_KVM_FEATURES;
	r[R(EBX)] = HV_CPUID_KVM_SIG_EBX;
	r[R(ECX)] = HV_CPUID_KVM_SIG_ECX;
	r[R(EDX)] = HV_CPUID_KVM_SIG_EDX;
	put(&g, HV_CPUID_KVM_SIGNATURE, 0, 0, r);
	/* No paravirtual feature is implemented: advertise none. */
	put_zero(&g, HV_CPUID_KVM_FEATURES, 0);

	*nent = g.n;
	return g.n > max ? -E2BIG : 0;
}

const struct hv_cpuid_entry *hv_cpuid_find(const struct hv_cpuid_entry *e,
					   unsigned int n, u32 function,
					   u32 index)
{
	unsigned int i;

	if (!e)
		return NULL;
	for (i = 0; i < n; i++) {
		if (e[i].function != function)
			continue;
		if (!(e[i].flags & HV_CPUID_FLAG_SIGNIFCANT_INDEX) ||
		    e[i].index == index)
			return &e[i];
	}
	return NULL;
}

bool hv_cpuid_vendor_is_amd(const struct hv_cpuid_entry *e, unsigned int n)
{
	const struct hv_cpuid_entry *v = hv_cpuid_find(e, n, 0, 0);

	if (!v)
		return false;
	/* "AuthenticAMD", "HygonGenuine" in EBX, EDX, ECX order. */
	return (v->ebx == 0x68747541 && v->edx == 0x69746e65 &&
		v->ecx == 0x444d4163) ||
	       (v->ebx == 0x6f677948 && v->edx == 0x6e65476e &&
		v->ecx == 0x656e6975);
}

const struct hv_cpuid_entry *hv_cpuid_lookup(const struct hv_cpuid_entry *e,
					     unsigned int n, u32 function,
					     u32 index)
{
	const struct hv_cpuid_entry *ent, *basic, *class;

	ent = hv_cpuid_find(e, n, function, index);
	if (ent)
		return ent;

	basic = hv_cpuid_find(e, n, 0, 0);
	if (!basic || hv_cpuid_vendor_is_amd(e, n))
		return NULL;

	if (function >= 0x40000000 && function <= 0x4fffffff)
		class = hv_cpuid_find(e, n, function & 0xffffff00, 0);
	else if (function >= 0xc0000000)
		class = hv_cpuid_find(e, n, 0xc0000000, 0);
	else
		class = hv_cpuid_find(e, n, function & 0x80000000, 0);
	if (class && function <= class->eax)
		return NULL;

	return hv_cpuid_find(e, n, basic->eax, index);
}

u32 hv_cpuid_xsave_size(const struct hv_cpuid_entry *e, unsigned int n,
			u64 xfeatures, bool compacted)
{
	return xsave_size(NULL, e, n, xfeatures, compacted);
}

void hv_cpuid_guest_result(const struct hv_cpuid_entry *e, unsigned int n,
			   const struct hv_cpuid_dyn *dyn, u32 function,
			   u32 index, u32 regs[4])
{
	const struct hv_cpuid_entry *ent;
	u32 fn;

	memset(regs, 0, 4 * sizeof(*regs));
	ent = hv_cpuid_lookup(e, n, function, index);
	if (!ent) {
		/*
		 * A present 0xB/0x1F (it has a subleaf 1) reports the x2APIC
		 * ID in EDX and echoes the level in ECX[7:0] for any subleaf.
		 */
		if ((function == 0xb || function == 0x1f) &&
		    hv_cpuid_find(e, n, function, 1)) {
			regs[R(ECX)] = index & 0xff;
			regs[R(EDX)] = dyn->apic_id;
		}
		return;
	}

	regs[R(EAX)] = ent->eax;
	regs[R(EBX)] = ent->ebx;
	regs[R(ECX)] = ent->ecx;
	regs[R(EDX)] = ent->edx;
	fn = ent->function;

	switch (fn) {
	case 1:
		regs[R(EBX)] = (regs[R(EBX)] & 0x00ffffff) |
			       ((dyn->apic_id & 0xff) << 24);
		if (dyn->cr4_osxsave)
			regs[R(ECX)] |= C1_OSXSAVE;
		else
			regs[R(ECX)] &= ~C1_OSXSAVE;
		if (!dyn->apic_enabled)
			regs[R(EDX)] &= ~D1_APIC;
		break;
	case 7:
		if (ent->index != 0 &&
		    (ent->flags & HV_CPUID_FLAG_SIGNIFCANT_INDEX))
			break;
		if (dyn->cr4_pke)
			regs[R(ECX)] |= C7_OSPKE;
		else
			regs[R(ECX)] &= ~C7_OSPKE;
		break;
	case 0xb:
	case 0x1f:
		regs[R(EDX)] = dyn->apic_id;
		break;
	case 0xd:
		if (!(ent->flags & HV_CPUID_FLAG_SIGNIFCANT_INDEX))
			break;
		if (ent->index == 0)
			regs[R(EBX)] = hv_cpuid_xsave_size(e, n, dyn->xcr0,
							   false);
		else if (ent->index == 1 &&
			 (ent->eax & (A_D1_XSAVEC | A_D1_XSAVES)))
			regs[R(EBX)] = hv_cpuid_xsave_size(e, n,
							   dyn->xcr0 | dyn->xss,
							   true);
		break;
	default:
		break;
	}
}

u64 hv_cpuid_guest_xcr0_mask(const struct hv_cpuid_entry *e, unsigned int n)
{
	const struct hv_cpuid_entry *d = hv_cpuid_find(e, n, 0xd, 0);

	if (!d)
		return 0;
	return d->eax | ((u64)d->edx << 32);
}

int hv_cpuid_check_guest_table(const struct hv_cpuid_entry *e, unsigned int n)
{
	const struct hv_cpuid_entry *ent;
	unsigned int i, j;
	u64 xcr0;

	if (n > HV_CPUID_MAX_ENTRIES)
		return -E2BIG;
	if (n && !e)
		return -EINVAL;

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (e[i].function == e[j].function &&
			    e[i].index == e[j].index)
				return -EINVAL;

	/* KVM: canonical checks assume 48- or 57-bit linear addresses. */
	ent = hv_cpuid_find(e, n, 0x80000008, 0);
	if (ent) {
		u32 va = (ent->eax >> 8) & 0xff;

		if (va != 0 && va != 48 && va != 57)
			return -EINVAL;
	}

	xcr0 = hv_cpuid_guest_xcr0_mask(e, n);
	if (xcr0) {
		u32 max_size = hv_cpuid_find(e, n, 0xd, 0)->ecx;

		if (!(xcr0 & HV_XFEATURE_X87))
			return -EINVAL;
		for (i = 2; i < 64; i++) {
			if (!(xcr0 & BIT_ULL(i)))
				continue;
			ent = hv_cpuid_find(e, n, 0xd, i);
			if (!ent || ent->index != i)
				continue;
			if (!ent->eax || (ent->ecx & C_DI_XSS))
				return -EINVAL;
			if (max_size &&
			    (u64)ent->ebx + ent->eax > max_size)
				return -EINVAL;
		}
	}
	return 0;
}

struct hv_cpuid_bit {
	u32 function;
	u8 index;
	u8 reg;
	u8 bit;
};

static const struct hv_cpuid_bit hv_cpuid_bits[HV_CPUID_FEAT_NR] = {
	[HV_CPUID_FEAT_MCE]		= { 1, 0, R(EDX), 7 },
	[HV_CPUID_FEAT_APIC]		= { 1, 0, R(EDX), 9 },
	[HV_CPUID_FEAT_MTRR]		= { 1, 0, R(EDX), 12 },
	[HV_CPUID_FEAT_MCA]		= { 1, 0, R(EDX), 14 },
	[HV_CPUID_FEAT_PAT]		= { 1, 0, R(EDX), 16 },
	[HV_CPUID_FEAT_PCID]		= { 1, 0, R(ECX), 17 },
	[HV_CPUID_FEAT_X2APIC]		= { 1, 0, R(ECX), 21 },
	[HV_CPUID_FEAT_TSC_DEADLINE]	= { 1, 0, R(ECX), 24 },
	[HV_CPUID_FEAT_XSAVE]		= { 1, 0, R(ECX), 26 },
	[HV_CPUID_FEAT_AVX]		= { 1, 0, R(ECX), 28 },
	[HV_CPUID_FEAT_HYPERVISOR]	= { 1, 0, R(ECX), 31 },
	[HV_CPUID_FEAT_FSGSBASE]	= { 7, 0, R(EBX), 0 },
	[HV_CPUID_FEAT_SMEP]		= { 7, 0, R(EBX), 7 },
	[HV_CPUID_FEAT_INVPCID]		= { 7, 0, R(EBX), 10 },
	[HV_CPUID_FEAT_AVX512F]		= { 7, 0, R(EBX), 16 },
	[HV_CPUID_FEAT_SMAP]		= { 7, 0, R(EBX), 20 },
	[HV_CPUID_FEAT_UMIP]		= { 7, 0, R(ECX), 2 },
	[HV_CPUID_FEAT_PKU]		= { 7, 0, R(ECX), 3 },
	[HV_CPUID_FEAT_LA57]		= { 7, 0, R(ECX), 16 },
	[HV_CPUID_FEAT_RDPID]		= { 7, 0, R(ECX), 22 },
	[HV_CPUID_FEAT_SPEC_CTRL]	= { 7, 0, R(EDX), 26 },
	[HV_CPUID_FEAT_STIBP]		= { 7, 0, R(EDX), 27 },
	[HV_CPUID_FEAT_ARCH_CAPABILITIES] = { 7, 0, R(EDX), 29 },
	[HV_CPUID_FEAT_SSBD]		= { 7, 0, R(EDX), 31 },
	[HV_CPUID_FEAT_XSAVES]		= { 0xd, 1, R(EAX), 3 },
	[HV_CPUID_FEAT_SYSCALL]		= { 0x80000001, 0, R(EDX), 11 },
	[HV_CPUID_FEAT_NX]		= { 0x80000001, 0, R(EDX), 20 },
	[HV_CPUID_FEAT_FXSR_OPT]	= { 0x80000001, 0, R(EDX), 25 },
	[HV_CPUID_FEAT_GBPAGES]		= { 0x80000001, 0, R(EDX), 26 },
	[HV_CPUID_FEAT_RDTSCP]		= { 0x80000001, 0, R(EDX), 27 },
	[HV_CPUID_FEAT_LM]		= { 0x80000001, 0, R(EDX), 29 },
	[HV_CPUID_FEAT_AMD_IBPB]	= { 0x80000008, 0, R(EBX), 12 },
	[HV_CPUID_FEAT_AMD_IBRS]	= { 0x80000008, 0, R(EBX), 14 },
	[HV_CPUID_FEAT_AMD_STIBP]	= { 0x80000008, 0, R(EBX), 15 },
	[HV_CPUID_FEAT_AMD_SSBD]	= { 0x80000008, 0, R(EBX), 24 },
	[HV_CPUID_FEAT_AMD_PSFD]	= { 0x80000008, 0, R(EBX), 28 },
};

bool hv_cpuid_has(const struct hv_cpuid_entry *e, unsigned int n,
		  enum hv_cpuid_feature f)
{
	const struct hv_cpuid_entry *ent;
	const struct hv_cpuid_bit *b;
	u32 val;

	if ((unsigned int)f >= HV_CPUID_FEAT_NR)
		return false;
	b = &hv_cpuid_bits[f];
	ent = hv_cpuid_find(e, n, b->function, b->index);
	if (!ent)
		return false;
	switch (b->reg) {
	case R(EAX):
		val = ent->eax;
		break;
	case R(EBX):
		val = ent->ebx;
		break;
	case R(ECX):
		val = ent->ecx;
		break;
	default:
		val = ent->edx;
		break;
	}
	return !!(val & B32(b->bit));
}

unsigned int hv_cpuid_maxphyaddr(const struct hv_cpuid_entry *e,
				 unsigned int n)
{
	const struct hv_cpuid_entry *ent = hv_cpuid_find(e, n, 0x80000000, 0);

	if (!ent || ent->eax < 0x80000008)
		return 36;
	ent = hv_cpuid_find(e, n, 0x80000008, 0);
	if (!ent || !(ent->eax & 0xff))
		return 36;
	return ent->eax & 0xff;
}
