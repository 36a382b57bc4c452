// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of the CPUID policy (arch/x86/hv/cpuid.c). */
#include "hv_test.h"
#include "cpuid_hosts.h"

#define VMX	HV_CPUID_BACKEND_VMX
#define SVM	HV_CPUID_BACKEND_SVM

static struct hv_cpuid_entry out[HV_CPUID_MAX_ENTRIES];
static unsigned int nout;

static void build(const struct hv_cpuid_host *h)
{
	int r;

	memset(out, 0xa5, sizeof(out));
	r = hv_cpuid_supported(h, out, ARRAY_SIZE(out), &nout);
	HV_ASSERT_EQ(r, 0);
	HV_ASSERT(nout > 0 && nout <= ARRAY_SIZE(out), "nent %u", nout);
}

static void build_icelake(u32 features)
{
	struct hv_cpuid_host h = host_of(icelake, host_n_icelake(), VMX,
					 features);
	build(&h);
}

static void build_epyc(u32 features)
{
	struct hv_cpuid_host h = host_of(epyc, host_n_epyc(), SVM, features);

	build(&h);
}

/* Independent of the code under test: exact (function, index) match. */
static const struct hv_cpuid_entry *get(u32 fn, u32 idx)
{
	unsigned int i;

	for (i = 0; i < nout; i++)
		if (out[i].function == fn && out[i].index == idx)
			return &out[i];
	return NULL;
}

static const struct hv_cpuid_entry *must(u32 fn, u32 idx)
{
	const struct hv_cpuid_entry *e = get(fn, idx);

	HV_ASSERT(e, "leaf 0x%x.%u missing", fn, idx);
	return e;
}

static unsigned int count_fn(u32 fn)
{
	unsigned int i, c = 0;

	for (i = 0; i < nout; i++)
		c += out[i].function == fn;
	return c;
}

HV_TEST(e2big_protocol_like_qemu)
{
	struct hv_cpuid_host h = host_of(icelake, host_n_icelake(), VMX,
					 ALL_FEATURES);
	struct hv_cpuid_entry buf[HV_CPUID_MAX_ENTRIES];
	unsigned int n = 12345, need, size;
	int r;

	HV_ASSERT_EQ(hv_cpuid_supported(&h, NULL, 0, &n), -E2BIG);
	need = n;
	HV_ASSERT(need > 40 && need < HV_CPUID_MAX_ENTRIES, "need %u", need);

	/* QEMU: start with one entry, double on -E2BIG. */
	for (size = 1;; size *= 2) {
		n = 0;
		r = hv_cpuid_supported(&h, buf, size, &n);
		if (r != -E2BIG)
			break;
		HV_ASSERT_EQ(n, need);
		HV_ASSERT_EQ(buf[0].function, 0);	/* partial fill */
	}
	HV_ASSERT_EQ(r, 0);
	HV_ASSERT_EQ(n, need);
	HV_ASSERT(size >= need, "size %u", size);

	HV_ASSERT_EQ(hv_cpuid_supported(&h, buf, need, &n), 0);
	HV_ASSERT_EQ(n, need);
	HV_ASSERT_EQ(hv_cpuid_supported(&h, buf, need - 1, &n), -E2BIG);
	HV_ASSERT_EQ(n, need);
}

HV_TEST(bad_host_rejected)
{
	struct hv_cpuid_host h = host_of(icelake, host_n_icelake(), 0, 0);
	unsigned int n;

	HV_ASSERT_EQ(hv_cpuid_supported(&h, out, 8, &n), -EINVAL);
	h.backend = 3;
	HV_ASSERT_EQ(hv_cpuid_supported(&h, out, 8, &n), -EINVAL);
	h.backend = VMX;
	h.table = NULL;
	HV_ASSERT_EQ(hv_cpuid_supported(&h, out, 8, &n), -EINVAL);
	h.table = icelake;
	HV_ASSERT_EQ(hv_cpuid_supported(&h, NULL, 8, &n), -EINVAL);
	HV_ASSERT_EQ(hv_cpuid_supported(NULL, out, 8, &n), -EINVAL);
	HV_ASSERT_EQ(hv_cpuid_supported(&h, out, 8, NULL), -EINVAL);
}

static void table_cpuid(void *opaque, u32 leaf, u32 subleaf, u32 regs[4])
{
	const struct hv_cpuid_entry *e;

	e = hv_cpuid_find(icelake, host_n_icelake(), leaf, subleaf);
	(*(unsigned int *)opaque)++;
	regs[0] = e ? e->eax : 0;
	regs[1] = e ? e->ebx : 0;
	regs[2] = e ? e->ecx : 0;
	regs[3] = e ? e->edx : 0;
}

HV_TEST(callback_host_matches_table_host)
{
	struct hv_cpuid_host h = host_of(icelake, host_n_icelake(), VMX,
					 ALL_FEATURES);
	static struct hv_cpuid_entry cb[HV_CPUID_MAX_ENTRIES];
	unsigned int calls = 0, n;

	build(&h);
	h.table = NULL;
	h.table_n = 0;
	h.cpuid = table_cpuid;
	h.opaque = &calls;
	HV_ASSERT_EQ(hv_cpuid_supported(&h, cb, ARRAY_SIZE(cb), &n), 0);
	HV_ASSERT_EQ(n, nout);
	HV_ASSERT(calls > 0, "callback not used");
	HV_ASSERT(!memcmp(cb, out, n * sizeof(cb[0])), "outputs differ");
}

HV_TEST(layout_matches_kvm_cpuid_entry2)
{
	/* struct kvm_cpuid_entry2: 7 u32 fields then u32 padding[3]. */
	HV_ASSERT_EQ(sizeof(struct hv_cpuid_entry), 40);
	HV_ASSERT_EQ(offsetof(struct hv_cpuid_entry, flags), 8);
	HV_ASSERT_EQ(offsetof(struct hv_cpuid_entry, edx), 24);
	HV_ASSERT_EQ(HV_CPUID_FLAG_SIGNIFCANT_INDEX, 1);
}

HV_TEST(icelake_identity_passes_through)
{
	const struct hv_cpuid_entry *e;
	unsigned int i;

	build_icelake(ALL_FEATURES);
	e = must(0, 0);
	HV_ASSERT_EQ(e->eax, 0x1b);
	HV_ASSERT_EQ(e->ebx, 0x756e6547);
	HV_ASSERT_EQ(e->ecx, 0x6c65746e);
	HV_ASSERT_EQ(e->edx, 0x49656e69);
	HV_ASSERT_EQ(must(1, 0)->eax, 0x000706e5);
	/* Every basic leaf up to the max, each exactly once (index 0). */
	for (i = 0; i <= 0x1b; i++)
		HV_ASSERT(get(i, 0), "leaf 0x%x missing", i);
	HV_ASSERT_EQ(count_fn(0x1c), 0);
	HV_ASSERT_EQ(must(0x80000002, 0)->eax, 0x65746e49);
	/* Padding is zero, as KVM returns it. */
	for (i = 0; i < nout; i++)
		HV_ASSERT(!out[i].padding[0] && !out[i].padding[1] &&
			  !out[i].padding[2], "entry %u padding", i);
}

HV_TEST(icelake_leaf1_masks)
{
	const struct hv_cpuid_entry *e;

	build_icelake(ALL_FEATURES);
	e = must(1, 0);
	HV_ASSERT_EQ(e->flags, 0);
	/*
	 * VMX 5, MONITOR 3, DTES64 2, DS_CPL 4, EST 7, TM2 8, XTPR 14,
	 * PDCM 15, TSC_DEADLINE 24, OSXSAVE 27: all off.
	 */
	HV_ASSERT_EQ(e->ecx & (BIT(2) | BIT(3) | BIT(4) | BIT(5) | BIT(7) |
			       BIT(8) | BIT(14) | BIT(15) | BIT(24) | BIT(27)), 0);
	HV_ASSERT(e->ecx & BIT(31), "hypervisor bit");
	HV_ASSERT(e->ecx & BIT(21), "x2apic with F_X2APIC");
	HV_ASSERT(e->ecx & BIT(26), "xsave");
	HV_ASSERT(e->ecx & BIT(28), "avx");
	HV_ASSERT(e->ecx & BIT(12), "fma");
	HV_ASSERT(e->ecx & BIT(17), "pcid");
	/* HTT 28, DS 21, ACPI 22, TM 29, PBE 31 off; the rest kept. */
	HV_ASSERT_EQ(e->edx, 0xbfebfbffU & ~(BIT(21) | BIT(22) | BIT(28) |
					     BIT(29) | BIT(31)));
	/* APIC ID and logical count cleared, CLFLUSH size kept. */
	HV_ASSERT_EQ(e->ebx, 0x00000800);

	build_icelake(ALL_FEATURES & ~HV_CPUID_F_X2APIC);
	HV_ASSERT_EQ(must(1, 0)->ecx & BIT(21), 0);
}

HV_TEST(x2apic_is_emulated_not_host_dependent)
{
	build_epyc(HV_CPUID_F_X2APIC);
	HV_ASSERT(must(1, 0)->ecx & BIT(21), "x2apic");
	build_epyc(0);
	HV_ASSERT_EQ(must(1, 0)->ecx & BIT(21), 0);
}

HV_TEST(icelake_leaf7_masks)
{
	const struct hv_cpuid_entry *e;

	build_icelake(ALL_FEATURES);
	e = must(7, 0);
	HV_ASSERT_EQ(e->flags, SIG);
	HV_ASSERT_EQ(e->eax, 0);
	/* TSC_ADJUST 1, SGX 2, PT 25 off. */
	HV_ASSERT_EQ(e->ebx & (BIT(1) | BIT(2) | BIT(25)), 0);
	HV_ASSERT(e->ebx & BIT(0), "fsgsbase");
	HV_ASSERT(e->ebx & BIT(10), "invpcid with F_INVPCID");
	HV_ASSERT(e->ebx & BIT(16), "avx512f");
	HV_ASSERT(e->ebx & BIT(5), "avx2");
	HV_ASSERT(e->ebx & BIT(7) && e->ebx & BIT(20), "smep/smap");
	/* PKU 3, OSPKE 4, SGX_LC 30 off; UMIP, RDPID kept; no LA57 on host. */
	HV_ASSERT_EQ(e->ecx & (BIT(3) | BIT(4) | BIT(30) | BIT(16)), 0);
	HV_ASSERT(e->ecx & BIT(2), "umip");
	HV_ASSERT(e->ecx & BIT(22), "rdpid with F_RDTSCP");
	HV_ASSERT(e->ecx & BIT(1), "avx512vbmi");
	/*
	 * L1D_FLUSH 28, CORE_CAP 30 off; SPEC_CTRL off without F_SPEC_CTRL;
	 * ARCH_CAPABILITIES forced; FSRM, MD_CLEAR kept.
	 */
	HV_ASSERT_EQ(e->edx, BIT(4) | BIT(10) | BIT(29));
	HV_ASSERT(!get(7, 1), "subleaf 1 beyond 7.0.EAX");

	build_icelake(ALL_FEATURES | HV_CPUID_F_SPEC_CTRL);
	HV_ASSERT_EQ(must(7, 0)->edx,
		     BIT(4) | BIT(10) | BIT(26) | BIT(27) | BIT(29) | BIT(31));

	build_icelake(ALL_FEATURES & ~(HV_CPUID_F_INVPCID | HV_CPUID_F_RDTSCP));
	HV_ASSERT_EQ(must(7, 0)->ebx & BIT(10), 0);
	HV_ASSERT_EQ(must(7, 0)->ecx & BIT(22), 0);
	HV_ASSERT_EQ(must(0x80000001, 0)->edx & BIT(27), 0);
}

HV_TEST(umip_emulation_input)
{
	/* EPYC has UMIP; QEMU max too; check the emulation input alone. */
	build_epyc(0);
	HV_ASSERT(must(7, 0)->ecx & BIT(2), "host umip passes");
	{
		struct hv_cpuid_entry t[ARRAY_SIZE(epyc)];
		struct hv_cpuid_host h;
		unsigned int i;

		memcpy(t, epyc, sizeof(t));
		for (i = 0; i < ARRAY_SIZE(t); i++)
			if (t[i].function == 7)
				t[i].ecx &= ~BIT(2);
		h = host_of(t, ARRAY_SIZE(t), SVM, 0);
		build(&h);
		HV_ASSERT_EQ(must(7, 0)->ecx & BIT(2), 0);
		h.features = HV_CPUID_F_UMIP_EMUL;
		build(&h);
		HV_ASSERT(must(7, 0)->ecx & BIT(2), "emulated umip");
	}
}

HV_TEST(xsave_sizes_avx512_on)
{
	const struct hv_cpuid_entry *e;

	build_icelake(ALL_FEATURES);
	e = must(0xd, 0);
	HV_ASSERT_EQ(e->flags, SIG);
	/* x87 SSE YMM opmask ZMM_Hi256 Hi16_ZMM; no PKRU. */
	HV_ASSERT_EQ(e->eax, 0xe7);
	HV_ASSERT_EQ(e->edx, 0);
	HV_ASSERT_EQ(e->ebx, 0x680 + 0x400);
	HV_ASSERT_EQ(e->ecx, 0x680 + 0x400);
	HV_ASSERT(get(0xd, 2) && get(0xd, 5) && get(0xd, 6) && get(0xd, 7),
		  "component subleaves");
	HV_ASSERT_EQ(must(0xd, 7)->eax, 0x400);
	HV_ASSERT_EQ(must(0xd, 7)->ebx, 0x680);
	HV_ASSERT(!get(0xd, 8) && !get(0xd, 9), "PT (XSS) and PKRU absent");
	/* XSAVES masked without F_XSAVES, XSAVEC kept: compacted size. */
	e = must(0xd, 1);
	HV_ASSERT_EQ(e->eax, 0x7);
	HV_ASSERT_EQ(e->ebx, 576 + 256 + 64 + 512 + 1024);
	HV_ASSERT_EQ(e->ecx, 0);
	HV_ASSERT_EQ(e->edx, 0);
	HV_ASSERT_EQ(hv_cpuid_guest_xcr0_mask(out, nout), 0xe7);

	build_icelake(ALL_FEATURES | HV_CPUID_F_XSAVES);
	HV_ASSERT_EQ(must(0xd, 1)->eax, 0xf);
}

HV_TEST(xsave_sizes_avx512_off)
{
	const struct hv_cpuid_entry *e;

	build_icelake(ALL_FEATURES & ~HV_CPUID_F_AVX512);
	e = must(0xd, 0);
	HV_ASSERT_EQ(e->eax, 0x7);
	HV_ASSERT_EQ(e->ebx, 576 + 256);
	HV_ASSERT_EQ(e->ecx, 576 + 256);
	HV_ASSERT(!get(0xd, 5) && !get(0xd, 6) && !get(0xd, 7),
		  "no AVX-512 subleaves");
	HV_ASSERT_EQ(must(0xd, 1)->ebx, 576 + 256);
	/* The whole AVX-512 family goes with its state. */
	e = must(7, 0);
	HV_ASSERT_EQ(e->ebx & 0xdc230000U, 0);
	HV_ASSERT_EQ(e->ecx & (BIT(1) | BIT(6) | BIT(11) | BIT(12) | BIT(14)), 0);
	HV_ASSERT(e->ebx & BIT(5), "avx2 stays");
	HV_ASSERT(e->ecx & BIT(9), "vaes stays");
	HV_ASSERT(must(1, 0)->ecx & BIT(28), "avx stays");
}

HV_TEST(host_xcr0_limits_exposure)
{
	struct hv_cpuid_host h = host_of(icelake, host_n_icelake(), VMX,
					 ALL_FEATURES);

	/* The host kernel allows x87+SSE only: no AVX anything. */
	h.host_xcr0_supported = 0x3;
	build(&h);
	HV_ASSERT_EQ(must(0xd, 0)->eax, 0x3);
	HV_ASSERT_EQ(must(0xd, 0)->ebx, 576);
	HV_ASSERT_EQ(must(1, 0)->ecx & (BIT(28) | BIT(12) | BIT(29)), 0);
	HV_ASSERT(must(1, 0)->ecx & BIT(26), "xsave stays");
	HV_ASSERT_EQ(must(7, 0)->ebx & (BIT(5) | BIT(16)), 0);

	/* Partial AVX-512 state is no AVX-512. */
	h.host_xcr0_supported = 0x67;
	build(&h);
	HV_ASSERT_EQ(must(0xd, 0)->eax, 0x7);
	HV_ASSERT_EQ(must(7, 0)->ebx & BIT(16), 0);
}

HV_TEST(xsave_off_hides_avx_and_leaf_d)
{
	const struct hv_cpuid_entry *e;

	build_icelake(ALL_FEATURES & ~HV_CPUID_F_XSAVE);
	e = must(1, 0);
	HV_ASSERT_EQ(e->ecx & (BIT(26) | BIT(27) | BIT(28) | BIT(12) | BIT(29)),
		     0);
	e = must(0xd, 0);
	HV_ASSERT(!e->eax && !e->ebx && !e->ecx && !e->edx, "0xD.0 zero");
	HV_ASSERT_EQ(count_fn(0xd), 1);
	HV_ASSERT_EQ(must(7, 0)->ebx & (BIT(5) | BIT(16)), 0);
	HV_ASSERT_EQ(hv_cpuid_guest_xcr0_mask(out, nout), 0);
}

HV_TEST(perfmon_pt_sgx_topology_zeroed)
{
	static const u32 zeroed[] = { 3, 5, 0xa, 0x12, 0x14, 0x15, 0x16, 0xb };
	unsigned int i;

	build_icelake(ALL_FEATURES);
	for (i = 0; i < ARRAY_SIZE(zeroed); i++) {
		const struct hv_cpuid_entry *e = must(zeroed[i], 0);

		HV_ASSERT(!e->eax && !e->ebx && !e->ecx && !e->edx,
			  "leaf 0x%x not zero", zeroed[i]);
		HV_ASSERT_EQ(count_fn(zeroed[i]), 1);
	}
	HV_ASSERT_EQ(must(6, 0)->eax, BIT(2));	/* ARAT only */
	HV_ASSERT_EQ(must(2, 0)->eax, 0x00feff01);
}

HV_TEST(indexed_leaves_flagged)
{
	unsigned int i;

	build_icelake(ALL_FEATURES);
	/* Leaf 4 up to and including the null descriptor. */
	HV_ASSERT_EQ(count_fn(4), 5);
	for (i = 0; i < nout; i++) {
		u32 fn = out[i].function;
		bool indexed = fn == 4 || fn == 7 || fn == 0xb || fn == 0xd ||
			       fn == 0xf || fn == 0x10 || fn == 0x12 ||
			       fn == 0x14 || fn == 0x17 || fn == 0x18;

		HV_ASSERT_EQ(out[i].flags, indexed ? SIG : 0);
	}
	build_epyc(0);
	HV_ASSERT_EQ(count_fn(0x8000001d), 5);
	HV_ASSERT_EQ(must(0x8000001d, 3)->flags, SIG);
}

HV_TEST(pv_leaves_advertise_nothing)
{
	const struct hv_cpuid_entry *e;

	build_icelake(ALL_FEATURES);
	e = must(0x40000000, 0);
	HV_ASSERT_EQ(e->eax, 0x40000001);
	HV_ASSERT(!memcmp(&e->ebx, "KVMKVMKVM\0\0\0", 12), "signature");
	e = must(0x40000001, 0);
	HV_ASSERT(!e->eax && !e->ebx && !e->ecx && !e->edx, "no PV features");
	HV_ASSERT_EQ(count_fn(0x40000000), 1);
	HV_ASSERT_EQ(count_fn(0x40000001), 1);
	HV_ASSERT_EQ(count_fn(0x40000002), 0);
}

HV_TEST(icelake_extended_leaves)
{
	const struct hv_cpuid_entry *e;

	build_icelake(ALL_FEATURES);
	HV_ASSERT_EQ(must(0x80000000, 0)->eax, 0x80000008);
	e = must(0x80000001, 0);
	HV_ASSERT_EQ(e->ecx, 0x121);		/* LAHF, ABM, PREFETCHW */
	HV_ASSERT_EQ(e->edx, 0x2c100800);	/* SYSCALL NX 1G RDTSCP LM */
	e = must(0x80000008, 0);
	HV_ASSERT_EQ(e->eax, 0x3027);		/* 39 phys, 48 linear */
	HV_ASSERT_EQ(e->ebx, 0x200);		/* WBNOINVD */
	HV_ASSERT_EQ(must(0x80000007, 0)->edx, 0x100);
	HV_ASSERT_EQ(count_fn(0x80000009), 0);
}

HV_TEST(epyc_masks)
{
	const struct hv_cpuid_entry *e;
	unsigned int i;

	build_epyc(ALL_FEATURES);
	e = must(0, 0);
	HV_ASSERT_EQ(e->ebx, 0x68747541);
	e = must(1, 0);
	HV_ASSERT_EQ(e->ecx & BIT(3), 0);	/* MONITOR */
	/* Max extended leaf capped at 0x80000021. */
	HV_ASSERT_EQ(must(0x80000000, 0)->eax, 0x80000021);
	HV_ASSERT_EQ(count_fn(0x80000022), 0);
	for (i = 0x80000000; i <= 0x80000021; i++)
		HV_ASSERT(get(i, 0), "leaf 0x%x missing", i);
	e = must(0x80000001, 0);
	/*
	 * Kept: LAHF 0, CMP_LEGACY 1, CR8 4, ABM 5, SSE4A 6, MISALIGN 7,
	 * PREFETCHW 8, TOPOEXT 22.  SVM, EXTAPIC, OSVW, IBS, SKINIT, WDT,
	 * TCE, PERFCTR_*, DBX, PCX_L2I, MWAITX masked.
	 */
	HV_ASSERT_EQ(e->ecx, BIT(0) | BIT(1) | BIT(4) | BIT(5) | BIT(6) |
			     BIT(7) | BIT(8) | BIT(22));
	HV_ASSERT_EQ(e->edx, 0x2fd3fbff);
	HV_ASSERT_EQ(e->ebx, 0x20000000);	/* PkgType kept, 27:16 cleared */
	e = must(0x8000000a, 0);
	HV_ASSERT(!e->eax && !e->ebx && !e->ecx && !e->edx, "SVM leaf");
	e = must(0x8000001e, 0);
	HV_ASSERT(!e->eax && !e->ebx && !e->ecx && !e->edx, "topology");
	e = must(0x8000001f, 0);
	HV_ASSERT(!e->eax && !e->ebx && !e->ecx && !e->edx, "SEV");
	HV_ASSERT_EQ(must(0x80000021, 0)->eax, BIT(0) | BIT(2) | BIT(6));
	HV_ASSERT_EQ(must(0x80000007, 0)->edx, BIT(8));
	HV_ASSERT_EQ(must(0x80000007, 0)->ebx, 0);
	e = must(0x80000008, 0);
	HV_ASSERT_EQ(e->eax, 0x3030);
	/*
	 * CLZERO, XSAVEERPTR, WBNOINVD, SSB_NO; no spec bits, RDPRU,
	 * VIRT_SSBD without F_SPEC_CTRL.
	 */
	HV_ASSERT_EQ(e->ebx, BIT(0) | BIT(2) | BIT(9) | BIT(26));
	HV_ASSERT_EQ(e->ecx, 0x703f);
	HV_ASSERT_EQ(e->edx, 0);
	/* PKRU state and PKU dropped; XSS-managed CET never reported. */
	HV_ASSERT_EQ(must(0xd, 0)->eax, 0x7);
	HV_ASSERT(!get(0xd, 11) && !get(0xd, 12) && !get(0xd, 9), "subleaves");
	HV_ASSERT_EQ(must(7, 0)->ecx & (BIT(3) | BIT(4)), 0);
	HV_ASSERT_EQ(must(7, 0)->ebx & BIT(16), 0);	/* no AVX-512 host */

	build_epyc(ALL_FEATURES | HV_CPUID_F_SPEC_CTRL);
	HV_ASSERT_EQ(must(0x80000008, 0)->ebx,
		     BIT(0) | BIT(2) | BIT(9) | BIT(12) | BIT(14) | BIT(15) |
		     BIT(17) | BIT(24) | BIT(26) | BIT(28));
}

HV_TEST(la57_and_address_sizes)
{
	struct hv_cpuid_host h = host_of(qemu_max, host_n_qemu_max(), SVM,
					 ALL_FEATURES);

	build(&h);
	HV_ASSERT(must(7, 0)->ecx & BIT(16), "la57");
	HV_ASSERT_EQ(must(0x80000008, 0)->eax, 0x3934);
	HV_ASSERT(hv_cpuid_has(out, nout, HV_CPUID_FEAT_LA57), "has la57");

	h.features &= ~HV_CPUID_F_LA57;
	build(&h);
	HV_ASSERT_EQ(must(7, 0)->ecx & BIT(16), 0);
	HV_ASSERT_EQ(must(0x80000008, 0)->eax, 0x3034);	/* 48-bit linear */
	/* PKU masked, SVM masked, QEMU's own hypervisor bit kept. */
	HV_ASSERT_EQ(must(7, 0)->ecx & BIT(3), 0);
	HV_ASSERT_EQ(must(0x80000001, 0)->ecx & BIT(2), 0);
	HV_ASSERT(must(1, 0)->ecx & BIT(31), "hypervisor");

	/* 4-level nested paging: GuestPhysAddrSize caps at 48. */
	h.max_gpa_bits = 48;
	build(&h);
	HV_ASSERT_EQ(must(0x80000008, 0)->eax, 0x303034);
	h.max_gpa_bits = 52;
	build(&h);
	HV_ASSERT_EQ(must(0x80000008, 0)->eax, 0x3034);

	/* Requested, but the host CPU cannot: Ice Lake client. */
	build_icelake(ALL_FEATURES);
	HV_ASSERT_EQ(must(7, 0)->ecx & BIT(16), 0);
}

/* ---- Lookup semantics ------------------------------------------------ */

static const struct hv_cpuid_entry intel_guest[] = {
	E_INTEL(0, 0xb),
	E(1, 0, 0, 0x000706e5, 0x00000800, BIT(26) | BIT(27), BIT(9)),
	E(7, 0, SIG, 1, 0x11, BIT(3) | BIT(4), 0),
	E(7, 1, SIG, 0, 0, 0, 0x22),
	E(0xb, 0, SIG, 1, 1, 0x100, 0),
	E(0xb, 1, SIG, 0, 1, 0x201, 0),
	E(0xd, 0, SIG, 0xe7, 0, 0xa80, 0),
	E(0xd, 1, SIG, 0x3, 0, 0, 0),
	E(0xd, 2, SIG, 0x100, 0x240, 0, 0),
	E(0xd, 5, SIG, 0x40, 0x440, 0, 0),
	E(0xd, 6, SIG, 0x200, 0x480, 0, 0),
	E(0xd, 7, SIG, 0x400, 0x680, 0, 0),
	E(0x40000000, 0, 0, 0x40000001, 0x4b4d564b, 0x564b4d56, 0x4d),
	E(0x40000001, 0, 0, 0, 0, 0, 0),
	E(0x80000000, 0, 0, 0x80000008, 0, 0, 0),
	E(0x80000008, 0, 0, 0x3027, 0, 0, 0),
};

HV_TEST(lookup_index_significance)
{
	const struct hv_cpuid_entry *e;
	unsigned int n = ARRAY_SIZE(intel_guest);

	e = hv_cpuid_lookup(intel_guest, n, 7, 1);
	HV_ASSERT(e && e->index == 1, "7.1");
	/* Not significant: any index finds leaf 1. */
	e = hv_cpuid_lookup(intel_guest, n, 1, 99);
	HV_ASSERT(e && e->function == 1, "1.99");
	/* Significant, in range, missing subleaf: zeros (NULL). */
	HV_ASSERT(!hv_cpuid_lookup(intel_guest, n, 7, 5), "7.5");
	HV_ASSERT(!hv_cpuid_find(intel_guest, n, 7, 5), "find 7.5");
	/* In range but absent leaf 3: zeros. */
	HV_ASSERT(!hv_cpuid_lookup(intel_guest, n, 3, 0), "leaf 3");
	HV_ASSERT(!hv_cpuid_lookup(NULL, 0, 0, 0), "empty table");
}

HV_TEST(lookup_intel_out_of_range_uses_max_basic)
{
	const struct hv_cpuid_entry *e;
	unsigned int n = ARRAY_SIZE(intel_guest);

	e = hv_cpuid_lookup(intel_guest, n, 0x20, 0);
	HV_ASSERT(e && e->function == 0xb && e->index == 0, "basic");
	/* The original index is observed. */
	e = hv_cpuid_lookup(intel_guest, n, 0x20, 1);
	HV_ASSERT(e && e->function == 0xb && e->index == 1, "basic idx 1");
	e = hv_cpuid_lookup(intel_guest, n, 0x80000009, 0);
	HV_ASSERT(e && e->function == 0xb, "extended");
	e = hv_cpuid_lookup(intel_guest, n, 0x40000002, 0);
	HV_ASSERT(e && e->function == 0xb, "KVM range above its max");
	e = hv_cpuid_lookup(intel_guest, n, 0x40000100, 0);
	HV_ASSERT(e && e->function == 0xb, "hypervisor class absent");
	e = hv_cpuid_lookup(intel_guest, n, 0xc0000000, 0);
	HV_ASSERT(e && e->function == 0xb, "Centaur class absent");
	/* Inside the extended range but undefined: zeros. */
	HV_ASSERT(!hv_cpuid_lookup(intel_guest, n, 0x80000005, 0), "in range");
}

HV_TEST(lookup_amd_returns_zeros)
{
	struct hv_cpuid_entry t[ARRAY_SIZE(intel_guest)];
	struct hv_cpuid_dyn dyn = { .apic_id = 3 };
	u32 regs[4] = { 1, 1, 1, 1 };

	memcpy(t, intel_guest, sizeof(t));
	t[0].ebx = 0x68747541;
	t[0].ecx = 0x444d4163;
	t[0].edx = 0x69746e65;
	HV_ASSERT(hv_cpuid_vendor_is_amd(t, ARRAY_SIZE(t)), "amd");
	HV_ASSERT(!hv_cpuid_lookup(t, ARRAY_SIZE(t), 0x20, 0), "basic");
	HV_ASSERT(!hv_cpuid_lookup(t, ARRAY_SIZE(t), 0x80000009, 0), "ext");
	hv_cpuid_guest_result(t, ARRAY_SIZE(t), &dyn, 0x80000009, 0, regs);
	HV_ASSERT(!regs[0] && !regs[1] && !regs[2] && !regs[3], "zeros");

	/* Hygon follows AMD. */
	t[0].ebx = 0x6f677948;
	t[0].ecx = 0x656e6975;
	t[0].edx = 0x6e65476e;
	HV_ASSERT(hv_cpuid_vendor_is_amd(t, ARRAY_SIZE(t)), "hygon");
	HV_ASSERT(!hv_cpuid_vendor_is_amd(intel_guest, ARRAY_SIZE(t)), "intel");
}

HV_TEST(guest_result_dynamic_bits)
{
	struct hv_cpuid_dyn dyn = { .apic_id = 0x105, .xcr0 = 0x7 };
	unsigned int n = ARRAY_SIZE(intel_guest);
	u32 r[4];

	hv_cpuid_guest_result(intel_guest, n, &dyn, 1, 0, r);
	HV_ASSERT_EQ(r[HV_CPUID_EBX], 0x05000800);
	HV_ASSERT_EQ(r[HV_CPUID_ECX], BIT(26));		/* OSXSAVE off */
	HV_ASSERT_EQ(r[HV_CPUID_EDX], 0);		/* APIC disabled */
	dyn.cr4_osxsave = true;
	dyn.apic_enabled = true;
	hv_cpuid_guest_result(intel_guest, n, &dyn, 1, 0, r);
	HV_ASSERT_EQ(r[HV_CPUID_ECX], BIT(26) | BIT(27));
	HV_ASSERT_EQ(r[HV_CPUID_EDX], BIT(9));

	hv_cpuid_guest_result(intel_guest, n, &dyn, 7, 0, r);
	HV_ASSERT_EQ(r[HV_CPUID_ECX], BIT(3));		/* OSPKE off */
	dyn.cr4_pke = true;
	hv_cpuid_guest_result(intel_guest, n, &dyn, 7, 0, r);
	HV_ASSERT_EQ(r[HV_CPUID_ECX], BIT(3) | BIT(4));
	hv_cpuid_guest_result(intel_guest, n, &dyn, 7, 1, r);
	HV_ASSERT_EQ(r[HV_CPUID_EDX], 0x22);		/* untouched */

	hv_cpuid_guest_result(intel_guest, n, &dyn, 0xb, 1, r);
	HV_ASSERT_EQ(r[HV_CPUID_ECX], 0x201);
	HV_ASSERT_EQ(r[HV_CPUID_EDX], 0x105);
	/* Missing subleaf of a present 0xB: level echoed, x2APIC ID. */
	hv_cpuid_guest_result(intel_guest, n, &dyn, 0xb, 7, r);
	HV_ASSERT_EQ(r[HV_CPUID_EAX], 0);
	HV_ASSERT_EQ(r[HV_CPUID_EBX], 0);
	HV_ASSERT_EQ(r[HV_CPUID_ECX], 7);
	HV_ASSERT_EQ(r[HV_CPUID_EDX], 0x105);
	/* Out of range: the max basic leaf (0xB) with its dynamic EDX. */
	hv_cpuid_guest_result(intel_guest, n, &dyn, 0x30, 1, r);
	HV_ASSERT_EQ(r[HV_CPUID_ECX], 0x201);
	HV_ASSERT_EQ(r[HV_CPUID_EDX], 0x105);
}

HV_TEST(guest_result_xsave_size_follows_xcr0)
{
	struct hv_cpuid_dyn dyn = { .xcr0 = 0x3 };
	unsigned int n = ARRAY_SIZE(intel_guest);
	u32 r[4];

	hv_cpuid_guest_result(intel_guest, n, &dyn, 0xd, 0, r);
	HV_ASSERT_EQ(r[HV_CPUID_EAX], 0xe7);
	HV_ASSERT_EQ(r[HV_CPUID_EBX], 576);
	HV_ASSERT_EQ(r[HV_CPUID_ECX], 0xa80);		/* max stays */
	dyn.xcr0 = 0x7;
	hv_cpuid_guest_result(intel_guest, n, &dyn, 0xd, 0, r);
	HV_ASSERT_EQ(r[HV_CPUID_EBX], 832);
	dyn.xcr0 = 0xe7;
	hv_cpuid_guest_result(intel_guest, n, &dyn, 0xd, 0, r);
	HV_ASSERT_EQ(r[HV_CPUID_EBX], 2688);
	/* 0xD.1 has XSAVEC: compacted size of xcr0 | xss. */
	hv_cpuid_guest_result(intel_guest, n, &dyn, 0xd, 1, r);
	HV_ASSERT_EQ(r[HV_CPUID_EBX], 576 + 256 + 64 + 512 + 1024);
	dyn.xcr0 = 0x7;
	hv_cpuid_guest_result(intel_guest, n, &dyn, 0xd, 1, r);
	HV_ASSERT_EQ(r[HV_CPUID_EBX], 832);
	/* Subleaves are returned as stored. */
	hv_cpuid_guest_result(intel_guest, n, &dyn, 0xd, 2, r);
	HV_ASSERT_EQ(r[HV_CPUID_EAX], 0x100);
	HV_ASSERT_EQ(r[HV_CPUID_EBX], 0x240);
}

HV_TEST(xsave_size_compacted_alignment)
{
	static const struct hv_cpuid_entry t[] = {
		E(0xd, 2, SIG, 0x100, 0x240, 0, 0),
		E(0xd, 5, SIG, 0x40, 0x440, 0x2, 0),	/* 64-byte aligned */
		E(0xd, 9, SIG, 8, 0xa80, 0x2, 0),
	};

	/* 576 + 256 = 832, aligned 832; + 64 = 896; align 896; + 8. */
	HV_ASSERT_EQ(hv_cpuid_xsave_size(t, 3, 0x227, true), 904);
	/* Without YMM: opmask at 576 -> 640, PKRU aligned at 640. */
	HV_ASSERT_EQ(hv_cpuid_xsave_size(t, 3, 0x223, true), 640 + 8);
	HV_ASSERT_EQ(hv_cpuid_xsave_size(t, 3, 0x227, false), 0xa88);
	HV_ASSERT_EQ(hv_cpuid_xsave_size(t, 3, 0x3, false), 576);
	HV_ASSERT_EQ(hv_cpuid_xsave_size(NULL, 0, 0x7, false), 576);
}

/* ---- KVM_SET_CPUID2 validation --------------------------------------- */

HV_TEST(check_accepts_supported_tables)
{
	build_icelake(ALL_FEATURES | HV_CPUID_F_XSAVES | HV_CPUID_F_SPEC_CTRL);
	HV_ASSERT_EQ(hv_cpuid_check_guest_table(out, nout), 0);
	build_epyc(ALL_FEATURES);
	HV_ASSERT_EQ(hv_cpuid_check_guest_table(out, nout), 0);
	HV_ASSERT_EQ(hv_cpuid_check_guest_table(intel_guest,
						ARRAY_SIZE(intel_guest)), 0);
	HV_ASSERT_EQ(hv_cpuid_check_guest_table(NULL, 0), 0);
	HV_ASSERT_EQ(hv_cpuid_check_guest_table(NULL, 1), -EINVAL);
}

HV_TEST(check_rejects_duplicates)
{
	struct hv_cpuid_entry t[4] = {
		E(0, 0, 0, 7, 0, 0, 0),
		E(7, 0, SIG, 0, 0, 0, 0),
		E(7, 1, SIG, 0, 0, 0, 0),
		E(1, 0, 0, 0, 0, 0, 0),
	};

	HV_ASSERT_EQ(hv_cpuid_check_guest_table(t, 4), 0);
	t[2].index = 0;
	HV_ASSERT_EQ(hv_cpuid_check_guest_table(t, 4), -EINVAL);
	t[2].index = 1;
	t[3].function = 0;
	HV_ASSERT_EQ(hv_cpuid_check_guest_table(t, 4), -EINVAL);
}

HV_TEST(check_entry_count_limit)
{
	static struct hv_cpuid_entry t[HV_CPUID_MAX_ENTRIES + 1];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++)
		t[i].function = 0x80000000 + i;
	HV_ASSERT_EQ(hv_cpuid_check_guest_table(t, HV_CPUID_MAX_ENTRIES), 0);
	HV_ASSERT_EQ(hv_cpuid_check_guest_table(t, HV_CPUID_MAX_ENTRIES + 1),
		     -E2BIG);
}

HV_TEST(check_linear_address_width)
{
	struct hv_cpuid_entry t[1] = { E(0x80000008, 0, 0, 0x3027, 0, 0, 0) };

	HV_ASSERT_EQ(hv_cpuid_check_guest_table(t, 1), 0);
	t[0].eax = 0x3927;
	HV_ASSERT_EQ(hv_cpuid_check_guest_table(t, 1), 0);
	t[0].eax = 0x0027;
	HV_ASSERT_EQ(hv_cpuid_check_guest_table(t, 1), 0);
	t[0].eax = 0x2827;
	HV_ASSERT_EQ(hv_cpuid_check_guest_table(t, 1), -EINVAL);
}

HV_TEST(check_xsave_sanity)
{
	struct hv_cpuid_entry t[3] = {
		E(0xd, 0, SIG, 0x7, 0, 0x340, 0),
		E(0xd, 1, SIG, 0, 0, 0, 0),
		E(0xd, 2, SIG, 0x100, 0x240, 0, 0),
	};

	HV_ASSERT_EQ(hv_cpuid_check_guest_table(t, 3), 0);
	t[0].eax = 0x6;				/* no x87 */
	HV_ASSERT_EQ(hv_cpuid_check_guest_table(t, 3), -EINVAL);
	t[0].eax = 0x7;
	t[0].ecx = 0x33f;			/* YMM ends past the max */
	HV_ASSERT_EQ(hv_cpuid_check_guest_table(t, 3), -EINVAL);
	t[0].ecx = 0x340;
	t[2].eax = 0;				/* empty component */
	HV_ASSERT_EQ(hv_cpuid_check_guest_table(t, 3), -EINVAL);
	t[2].eax = 0x100;
	t[2].ecx = 1;				/* XSS-managed */
	HV_ASSERT_EQ(hv_cpuid_check_guest_table(t, 3), -EINVAL);
	t[2].ecx = 0;
	t[0].eax = 0;				/* no XSAVE: no checks */
	t[2].eax = 0;
	HV_ASSERT_EQ(hv_cpuid_check_guest_table(t, 3), 0);
}

/* ---- Feature helpers ------------------------------------------------- */

HV_TEST(has_features)
{
	build_icelake(ALL_FEATURES);
	HV_ASSERT(hv_cpuid_has(out, nout, HV_CPUID_FEAT_LM), "lm");
	HV_ASSERT(hv_cpuid_has(out, nout, HV_CPUID_FEAT_NX), "nx");
	HV_ASSERT(hv_cpuid_has(out, nout, HV_CPUID_FEAT_XSAVE), "xsave");
	HV_ASSERT(hv_cpuid_has(out, nout, HV_CPUID_FEAT_AVX512F), "avx512f");
	HV_ASSERT(hv_cpuid_has(out, nout, HV_CPUID_FEAT_UMIP), "umip");
	HV_ASSERT(hv_cpuid_has(out, nout, HV_CPUID_FEAT_RDTSCP), "rdtscp");
	HV_ASSERT(hv_cpuid_has(out, nout, HV_CPUID_FEAT_HYPERVISOR), "hv");
	HV_ASSERT(hv_cpuid_has(out, nout, HV_CPUID_FEAT_ARCH_CAPABILITIES),
		  "arch_cap");
	HV_ASSERT(!hv_cpuid_has(out, nout, HV_CPUID_FEAT_LA57), "la57");
	HV_ASSERT(!hv_cpuid_has(out, nout, HV_CPUID_FEAT_PKU), "pku");
	HV_ASSERT(!hv_cpuid_has(out, nout, HV_CPUID_FEAT_TSC_DEADLINE), "tscd");
	HV_ASSERT(!hv_cpuid_has(out, nout, HV_CPUID_FEAT_XSAVES), "xsaves");
	HV_ASSERT(!hv_cpuid_has(out, nout, HV_CPUID_FEAT_NR), "bad feature");
	HV_ASSERT(!hv_cpuid_has(NULL, 0, HV_CPUID_FEAT_LM), "no table");
	HV_ASSERT_EQ(hv_cpuid_maxphyaddr(out, nout), 39);
	HV_ASSERT_EQ(hv_cpuid_maxphyaddr(NULL, 0), 36);
	HV_ASSERT_EQ(hv_cpuid_guest_xcr0_mask(NULL, 0), 0);
}

HV_TEST(supported_is_self_consistent)
{
	/* hv_cpuid_xsave_size() over the output matches 0xD.0 ECX. */
	build_icelake(ALL_FEATURES);
	HV_ASSERT_EQ(hv_cpuid_xsave_size(out, nout,
					 hv_cpuid_guest_xcr0_mask(out, nout),
					 false), must(0xd, 0)->ecx);
	build_epyc(ALL_FEATURES);
	HV_ASSERT_EQ(hv_cpuid_xsave_size(out, nout,
					 hv_cpuid_guest_xcr0_mask(out, nout),
					 false), must(0xd, 0)->ecx);
	HV_ASSERT_EQ(must(0xd, 0)->ecx, 832);
}
