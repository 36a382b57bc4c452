/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Raw host CPUID tables for the CPUID and MSR policy unit tests: an Ice
 * Lake client like Bochs's corei7_icelake_u, an AMD EPYC (Zen 3) and an
 * AMD-vendor QEMU "-cpu max" (TCG) with LA57.  Values are representative,
 * not dumps: what matters is which bits are set.
 */
#ifndef HV_UNIT_CPUID_HOSTS_H
#define HV_UNIT_CPUID_HOSTS_H

#include "../../../arch/x86/hv/cpuid.h"

#define HOST_UNUSED	__attribute__((unused))
#define SIG		HV_CPUID_FLAG_SIGNIFCANT_INDEX
#define E(fn, idx, fl, a, b, c, d) \
	{ .function = (fn), .index = (idx), .flags = (fl), \
	  .eax = (a), .ebx = (b), .ecx = (c), .edx = (d) }

/*
 * Leaf 0 or 0x80000000: the highest leaf in EAX, "GenuineIntel" or
 * "AuthenticAMD" in EBX, ECX, EDX.
 */
#define E_INTEL(fn, max)	E(fn, 0, 0, max, 0x756e6547, 0x6c65746e, 0x49656e69)
#define E_AMD(fn, max)		E(fn, 0, 0, max, 0x68747541, 0x444d4163, 0x69746e65)

static const struct hv_cpuid_entry icelake[] HOST_UNUSED = {
	E_INTEL(0, 0x1b),
	/*
	 * VMX, MONITOR, DTES64, DS_CPL, EST, TM2, XTPR, PDCM, X2APIC,
	 * TSC_DEADLINE, OSXSAVE set; HTT, DS, ACPI, TM, PBE in EDX.
	 */
	E(1, 0, 0, 0x000706e5, 0x05100800, 0x7ffaf3bf, 0xbfebfbff),
	E(2, 0, 0, 0x00feff01, 0x000000f0, 0, 0),
	E(4, 0, SIG, 0x1c004121, 0x02c0003f, 0x0000003f, 0),
	E(4, 1, SIG, 0x1c004122, 0x01c0003f, 0x0000003f, 0),
	E(4, 2, SIG, 0x1c004143, 0x01c0003f, 0x000003ff, 0),
	E(4, 3, SIG, 0x1c03c163, 0x02c0003f, 0x00001fff, 6),
	E(4, 4, SIG, 0, 0, 0, 0),
	E(5, 0, 0, 0x40, 0x40, 3, 0x11142120),
	E(6, 0, 0, 0x27f7, 2, 9, 0),
	/* SGX, TSC_ADJUST, PT, PKU/OSPKE, SGX_LC, L1D_FLUSH, CORE_CAP set. */
	E(7, 0, SIG, 0, 0xf2bf27ef, 0x40405f5e, 0xfc000410),
	E(0xa, 0, 0, 0x08300805, 0, 0, 0x8603),
	E(0xb, 0, SIG, 1, 2, 0x100, 3),
	E(0xb, 1, SIG, 4, 8, 0x201, 3),
	/* x87 SSE YMM opmask ZMM_Hi256 Hi16_ZMM PKRU; PT in XSS. */
	E(0xd, 0, SIG, 0x2e7, 0xa88, 0xa88, 0),
	E(0xd, 1, SIG, 0xf, 0xa88, 0x100, 0),
	E(0xd, 2, SIG, 0x100, 0x240, 0, 0),
	E(0xd, 5, SIG, 0x40, 0x440, 0, 0),
	E(0xd, 6, SIG, 0x200, 0x480, 0, 0),
	E(0xd, 7, SIG, 0x400, 0x680, 0, 0),
	E(0xd, 8, SIG, 0x80, 0, 1, 0),
	E(0xd, 9, SIG, 8, 0xa80, 0, 0),
	E(0x12, 0, SIG, 3, 0, 0, 0x241f),
	E(0x14, 0, SIG, 1, 0xf, 7, 0),
	E(0x14, 1, SIG, 0x02490002, 0x003f3fff, 0, 0),
	E(0x15, 0, 0, 2, 0x9c, 0x0249f000, 0),
	E(0x16, 0, 0, 0x7d0, 0x1068, 0x64, 0),
	E(0x80000000, 0, 0, 0x80000008, 0, 0, 0),
	E(0x80000001, 0, 0, 0, 0, 0x121, 0x2c100800),
	E(0x80000002, 0, 0, 0x65746e49, 0x2952286c, 0x726f4320, 0x4d542865),
	E(0x80000003, 0, 0, 0x37692029, 0x3536312d, 0x20374737, 0x20555043),
	E(0x80000004, 0, 0, 0x2e312040, 0x48473033, 0x0000007a, 0),
	E(0x80000006, 0, 0, 0, 0, 0x02007040, 0),
	E(0x80000007, 0, 0, 0, 0, 0, 0x100),
	E(0x80000008, 0, 0, 0x3027, 0x200, 0, 0),
};

static const struct hv_cpuid_entry epyc[] HOST_UNUSED = {
	E_AMD(0, 0x10),
	E(1, 0, 0, 0x00a00f11, 0x20800800, 0x7ef8320b, 0x178bfbff),
	E(5, 0, 0, 0x40, 0x40, 3, 0x11),
	E(6, 0, 0, 4, 0, 1, 0),
	/* PKU/OSPKE set. */
	E(7, 0, SIG, 0, 0x219c07a9, 0x0040061c, 0x10),
	/* x87 SSE YMM PKRU; CET in XSS. */
	E(0xd, 0, SIG, 0x207, 0x988, 0x988, 0),
	E(0xd, 1, SIG, 0xf, 0x348, 0x1800, 0),
	E(0xd, 2, SIG, 0x100, 0x240, 0, 0),
	E(0xd, 9, SIG, 8, 0x980, 0, 0),
	E(0xd, 11, SIG, 0x10, 0, 1, 0),
	E(0xd, 12, SIG, 0x18, 0, 1, 0),
	E_AMD(0x80000000, 0x80000023),
	/*
	 * SVM, EXTAPIC, OSVW, IBS, SKINIT, WDT, TCE, PERFCTR_*, DBX,
	 * PCX_L2I, MWAITX set.
	 */
	E(0x80000001, 0, 0, 0x00a00f11, 0x20ff0000, 0x35c237ff, 0x2fd3fbff),
	E(0x80000005, 0, 0, 0xff40ff40, 0xff40ff40, 0x20080140, 0x20080140),
	E(0x80000006, 0, 0, 0x48002200, 0x68004200, 0x02006140, 0x08039140),
	E(0x80000007, 0, 0, 0, 0x3b, 0, 0x6799),
	/* RDPRU, VIRT_SSBD set. */
	E(0x80000008, 0, 0, 0x3030, 0x1703d215, 0x0000703f, 0x10007),
	E(0x8000000a, 0, 0, 1, 0x8000, 0, 0x101bbcff),
	E(0x80000019, 0, 0, 0xf040f040, 0xf0400000, 0, 0),
	E(0x8000001a, 0, 0, 6, 0, 0, 0),
	E(0x8000001d, 0, SIG, 0x00004121, 0x01c0003f, 0x3f, 0),
	E(0x8000001d, 1, SIG, 0x00004122, 0x01c0003f, 0x3f, 0),
	E(0x8000001d, 2, SIG, 0x00004143, 0x01c0003f, 0x3ff, 2),
	E(0x8000001d, 3, SIG, 0x0003c163, 0x03c0003f, 0x7fff, 1),
	E(0x8000001d, 4, SIG, 0, 0, 0, 0),
	E(0x8000001e, 0, 0, 0, 0x100, 0, 0),
	E(0x8000001f, 0, 0, 0x0001b5ff, 0x4177, 509, 1),
	/* AUTOIBRS and others beyond the kept three set. */
	E(0x80000021, 0, 0, 0x38002f47, 0, 0, 0),
	E(0x80000022, 0, 0, 7, 0x100, 0, 0),
	E(0x80000023, 0, 0, 0, 0, 0, 0),
};

static const struct hv_cpuid_entry qemu_max[] HOST_UNUSED = {
	E_AMD(0, 0xd),
	E(1, 0, 0, 0x000806f1, 0x00000800, 0xfef8320b, 0x078bfbff),
	/* LA57, UMIP, PKU set. */
	E(7, 0, SIG, 0, 0x219c07a9, 0x0041001c, 0x10),
	E(0xd, 0, SIG, 0x207, 0x988, 0x988, 0),
	E(0xd, 1, SIG, 1, 0, 0, 0),
	E(0xd, 2, SIG, 0x100, 0x240, 0, 0),
	E(0xd, 9, SIG, 8, 0x980, 0, 0),
	E_AMD(0x80000000, 0x8000000a),
	E(0x80000001, 0, 0, 0x000806f1, 0, 0x00000375, 0xe7d3fbff),
	E(0x80000008, 0, 0, 0x3934, 0, 0, 0),
	E(0x8000000a, 0, 0, 1, 0x10, 0, 0x10009),
};

static inline unsigned int host_n_icelake(void) { return ARRAY_SIZE(icelake); }
static inline unsigned int host_n_epyc(void) { return ARRAY_SIZE(epyc); }
static inline unsigned int host_n_qemu_max(void) { return ARRAY_SIZE(qemu_max); }

#define ALL_XCR0	0xffffffffffffffffULL
#define ALL_FEATURES	(HV_CPUID_F_X2APIC | HV_CPUID_F_LA57 | \
			 HV_CPUID_F_XSAVE | HV_CPUID_F_AVX | \
			 HV_CPUID_F_AVX512 | HV_CPUID_F_UMIP_EMUL | \
			 HV_CPUID_F_INVPCID | HV_CPUID_F_RDTSCP)

static inline struct hv_cpuid_host host_of(const struct hv_cpuid_entry *t,
					   unsigned int n, int backend,
					   u32 features)
{
	struct hv_cpuid_host h = {
		.table = t,
		.table_n = n,
		.backend = backend,
		.host_xcr0_supported = ALL_XCR0,
		.features = features,
	};
	return h;
}

#endif /* HV_UNIT_CPUID_HOSTS_H */
