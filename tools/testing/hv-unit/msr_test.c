// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of the MSR policy (arch/x86/hv/msr.c). */
#include "hv_test.h"
#include "cpuid_hosts.h"
#include "../../../arch/x86/hv/msr.h"

#define VMX	HV_CPUID_BACKEND_VMX
#define SVM	HV_CPUID_BACKEND_SVM

static struct hv_cpuid_entry supp[HV_CPUID_MAX_ENTRIES];
static unsigned int nsupp;

/* Caps of a guest whose CPUID is hv's supported CPUID of @t. */
static struct hv_msr_guest_caps caps_of(const struct hv_cpuid_entry *t,
					unsigned int n, int backend,
					u32 features)
{
	struct hv_cpuid_host h = host_of(t, n, backend, features);
	struct hv_msr_guest_caps c;

	HV_ASSERT_EQ(hv_cpuid_supported(&h, supp, ARRAY_SIZE(supp), &nsupp), 0);
	memset(&c, 0x5a, sizeof(c));
	hv_msr_caps_init(&c, backend, supp, nsupp, supp, nsupp);
	c.mcg_cap = HV_MCG_CAP_SUPPORTED;
	c.arch_capabilities = 0;
	c.supported_xss = 0;
	return c;
}

static struct hv_msr_guest_caps icl(void)
{
	return caps_of(icelake, host_n_icelake(), VMX, ALL_FEATURES);
}

static struct hv_msr_guest_caps amd(void)
{
	return caps_of(epyc, host_n_epyc(), SVM, ALL_FEATURES);
}

#define GW(i, v, c)	hv_msr_policy_check(i, v, true, false, c)
#define HW(i, v, c)	hv_msr_policy_check(i, v, true, true, c)
#define GR(i, c)	hv_msr_policy_check(i, 0, false, false, c)
#define HR(i, c)	hv_msr_policy_check(i, 0, false, true, c)

static bool in_list(const u32 *l, unsigned int n, u32 idx)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (l[i] == idx)
			return true;
	return false;
}

HV_TEST(index_list_e2big_protocol)
{
	struct hv_msr_guest_caps c = icl();
	unsigned int n = 999, need;
	u32 l[64];

	/* QEMU's first call: nmsrs = 0. */
	HV_ASSERT_EQ(hv_msr_index_list(&c, NULL, 0, &n), -E2BIG);
	need = n;
	HV_ASSERT(need > 10 && need <= ARRAY_SIZE(l), "need %u", need);
	HV_ASSERT_EQ(hv_msr_index_list(&c, l, need - 1, &n), -E2BIG);
	HV_ASSERT_EQ(n, need);
	HV_ASSERT_EQ(hv_msr_index_list(&c, l, ARRAY_SIZE(l), &n), 0);
	HV_ASSERT_EQ(n, need);
	HV_ASSERT_EQ(hv_msr_index_list(&c, l, need, &n), 0);
}

HV_TEST(index_list_contents_follow_kvm)
{
	static const u32 expect[] = {
		HV_MSR_IA32_SYSENTER_CS, HV_MSR_IA32_SYSENTER_ESP,
		HV_MSR_IA32_SYSENTER_EIP, HV_MSR_STAR, HV_MSR_CSTAR,
		HV_MSR_KERNEL_GS_BASE, HV_MSR_SYSCALL_MASK, HV_MSR_LSTAR,
		HV_MSR_IA32_TSC, HV_MSR_IA32_PAT, HV_MSR_TSC_AUX,
		HV_MSR_IA32_ARCH_CAPABILITIES, HV_MSR_IA32_MISC_ENABLE,
		HV_MSR_IA32_MCG_STATUS, HV_MSR_IA32_MCG_CTL,
		HV_MSR_IA32_UCODE_REV,
	};
	struct hv_msr_guest_caps c = icl();
	unsigned int n, i, j;
	u32 l[64];

	HV_ASSERT_EQ(hv_msr_index_list(&c, l, ARRAY_SIZE(l), &n), 0);
	HV_ASSERT_EQ(n, ARRAY_SIZE(expect));
	for (i = 0; i < n; i++)
		HV_ASSERT_EQ(l[i], expect[i]);
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			HV_ASSERT(l[i] != l[j], "duplicate 0x%x", l[i]);
	/* Not listed, as in KVM or because hv lacks the feature. */
	HV_ASSERT(!in_list(l, n, HV_MSR_EFER), "EFER");
	HV_ASSERT(!in_list(l, n, HV_MSR_MTRR_DEF_TYPE), "MTRR");
	HV_ASSERT(!in_list(l, n, HV_MSR_KVM_WALL_CLOCK), "PV");
	HV_ASSERT(!in_list(l, n, HV_MSR_KVM_SYSTEM_TIME), "PV");
	HV_ASSERT(!in_list(l, n, 0x6e0), "TSC_DEADLINE");
	HV_ASSERT(!in_list(l, n, HV_MSR_IA32_SPEC_CTRL), "SPEC_CTRL");
	HV_ASSERT(!in_list(l, n, HV_MSR_IA32_XSS), "XSS");

	/* Without RDTSCP no TSC_AUX; with SPEC_CTRL support, SPEC_CTRL. */
	c = caps_of(icelake, host_n_icelake(), VMX,
		    (ALL_FEATURES & ~HV_CPUID_F_RDTSCP) | HV_CPUID_F_SPEC_CTRL);
	HV_ASSERT_EQ(hv_msr_index_list(&c, l, ARRAY_SIZE(l), &n), 0);
	HV_ASSERT(!in_list(l, n, HV_MSR_TSC_AUX), "TSC_AUX");
	HV_ASSERT(in_list(l, n, HV_MSR_IA32_SPEC_CTRL), "SPEC_CTRL");
	/* XSS only once some XSS feature is supported. */
	c = caps_of(icelake, host_n_icelake(), VMX,
		    ALL_FEATURES | HV_CPUID_F_XSAVES);
	HV_ASSERT_EQ(hv_msr_index_list(&c, l, ARRAY_SIZE(l), &n), 0);
	HV_ASSERT(!in_list(l, n, HV_MSR_IA32_XSS), "XSS with xss=0");
	c.supported_xss = BIT_ULL(8);
	HV_ASSERT_EQ(hv_msr_index_list(&c, l, ARRAY_SIZE(l), &n), 0);
	HV_ASSERT(in_list(l, n, HV_MSR_IA32_XSS), "XSS");
}

HV_TEST(caps_from_cpuid)
{
	struct hv_msr_guest_caps c = icl();
	struct hv_cpuid_entry g[HV_CPUID_MAX_ENTRIES];
	unsigned int i, n;

	HV_ASSERT_EQ(c.backend, VMX);
	HV_ASSERT_EQ(c.features, HV_MSR_GF_LM | HV_MSR_GF_NX |
				 HV_MSR_GF_RDTSCP | HV_MSR_GF_RDPID |
				 HV_MSR_GF_X2APIC | HV_MSR_GF_ARCH_CAP);
	HV_ASSERT_EQ(c.maxphyaddr, 39);
	HV_ASSERT_EQ(c.spec_ctrl_valid, 0);

	c = caps_of(icelake, host_n_icelake(), VMX,
		    ALL_FEATURES | HV_CPUID_F_SPEC_CTRL);
	HV_ASSERT_EQ(c.spec_ctrl_valid, 0x7);	/* IBRS STIBP SSBD */
	HV_ASSERT(c.features & HV_MSR_GF_SPEC_CTRL, "spec_ctrl");
	HV_ASSERT(c.features & HV_MSR_GF_IBPB, "ibpb");

	c = caps_of(epyc, host_n_epyc(), SVM,
		    ALL_FEATURES | HV_CPUID_F_SPEC_CTRL);
	HV_ASSERT_EQ(c.spec_ctrl_valid, 0x87);	/* + PSFD */
	HV_ASSERT(c.features & HV_MSR_GF_FXSR_OPT, "ffxsr");
	HV_ASSERT_EQ(c.maxphyaddr, 48);

	/* A guest CPUID claiming what hv does not support gets nothing. */
	c = icl();
	n = nsupp;
	memcpy(g, supp, n * sizeof(g[0]));
	for (i = 0; i < n; i++)
		if (g[i].function == 7 && g[i].index == 0)
			g[i].ecx |= BIT(16);		/* LA57 */
	hv_msr_caps_init(&c, VMX, g, n, supp, nsupp);
	HV_ASSERT_EQ(c.features & HV_MSR_GF_LA57, 0);
	hv_msr_caps_init(&c, VMX, g, n, NULL, 0);
	HV_ASSERT(c.features & HV_MSR_GF_LA57, "no intersection");
	/* A guest without LM in CPUID. */
	for (i = 0; i < n; i++)
		if (g[i].function == 0x80000001)
			g[i].edx &= ~BIT(29);
	hv_msr_caps_init(&c, VMX, g, n, supp, nsupp);
	HV_ASSERT_EQ(c.features & HV_MSR_GF_LM, 0);
}

HV_TEST(efer_bits_follow_guest_cpuid)
{
	struct hv_msr_guest_caps c = icl();
	u64 lm = HV_EFER_LME | HV_EFER_LMA;

	HV_ASSERT_EQ(GW(HV_MSR_EFER, 0, &c), 0);
	HV_ASSERT_EQ(GW(HV_MSR_EFER, HV_EFER_SCE | lm | HV_EFER_NXE, &c), 0);
	HV_ASSERT_EQ(GW(HV_MSR_EFER, BIT_ULL(12), &c), -EPERM);	/* SVME */
	HV_ASSERT_EQ(HW(HV_MSR_EFER, BIT_ULL(12), &c), -EPERM);
	HV_ASSERT_EQ(GW(HV_MSR_EFER, BIT_ULL(1), &c), -EPERM);	/* reserved */
	HV_ASSERT_EQ(GW(HV_MSR_EFER, HV_EFER_FFXSR, &c), -EPERM);
	HV_ASSERT_EQ(HW(HV_MSR_EFER, HV_EFER_FFXSR, &c), -EPERM);	/* VMX */

	c.features &= ~(HV_MSR_GF_LM | HV_MSR_GF_NX);
	HV_ASSERT_EQ(GW(HV_MSR_EFER, HV_EFER_LME, &c), -EPERM);
	HV_ASSERT_EQ(GW(HV_MSR_EFER, HV_EFER_NXE, &c), -EPERM);
	HV_ASSERT_EQ(GW(HV_MSR_EFER, HV_EFER_SCE, &c), 0);
	/* The host restores what hv can run, whatever the guest CPUID. */
	HV_ASSERT_EQ(HW(HV_MSR_EFER, HV_EFER_SCE | lm | HV_EFER_NXE, &c), 0);

	c = amd();
	HV_ASSERT_EQ(GW(HV_MSR_EFER, HV_EFER_FFXSR, &c), 0);
	HV_ASSERT_EQ(GW(HV_MSR_EFER, BIT_ULL(12), &c), -EPERM);
	HV_ASSERT_EQ(GW(HV_MSR_EFER, BIT_ULL(15), &c), -EPERM);	/* TCE */
}

HV_TEST(efer_guest_write_keeps_lma)
{
	struct hv_msr_guest_caps c = icl();
	u64 v;

	v = hv_msr_write_value(HV_MSR_EFER, HV_EFER_LME, HV_EFER_LME |
			       HV_EFER_LMA, false, &c);
	HV_ASSERT_EQ(v, HV_EFER_LME | HV_EFER_LMA);
	v = hv_msr_write_value(HV_MSR_EFER, HV_EFER_LMA, 0, false, &c);
	HV_ASSERT_EQ(v, 0);
	v = hv_msr_write_value(HV_MSR_EFER, HV_EFER_LMA | HV_EFER_LME, 0,
			       true, &c);
	HV_ASSERT_EQ(v, HV_EFER_LMA | HV_EFER_LME);
}

HV_TEST(pat_memory_types)
{
	struct hv_msr_guest_caps c = icl();
	u64 v;

	HV_ASSERT_EQ(hv_msr_reset_value(HV_MSR_IA32_PAT, &c, &v), 0);
	HV_ASSERT_EQ(v, HV_PAT_DEFAULT);
	HV_ASSERT_EQ(GW(HV_MSR_IA32_PAT, HV_PAT_DEFAULT, &c), 0);
	HV_ASSERT_EQ(GW(HV_MSR_IA32_PAT, 0x0706050401000707ULL, &c), 0);
	HV_ASSERT_EQ(GW(HV_MSR_IA32_PAT, 0x0007040600070402ULL, &c), -EPERM);
	HV_ASSERT_EQ(GW(HV_MSR_IA32_PAT, 0x0307040600070406ULL, &c), -EPERM);
	HV_ASSERT_EQ(GW(HV_MSR_IA32_PAT, 0x0007040600070416ULL, &c), -EPERM);
	/* Invalid for the host too: it would reach the VMCS/VMCB. */
	HV_ASSERT_EQ(HW(HV_MSR_IA32_PAT, 0x0007040600070402ULL, &c), -EPERM);
	HV_ASSERT_EQ(GR(HV_MSR_IA32_PAT, &c), 0);
}

HV_TEST(mtrr_rules)
{
	struct hv_msr_guest_caps c = icl();	/* MAXPHYADDR 39 */
	u32 b0 = HV_MSR_MTRR_PHYSBASE0, m7 = HV_MSR_MTRR_PHYSBASE0 + 15;
	u64 v;

	HV_ASSERT_EQ(GW(HV_MSR_MTRR_DEF_TYPE, 0xc06, &c), 0);
	HV_ASSERT_EQ(GW(HV_MSR_MTRR_DEF_TYPE, 0xc02, &c), -EPERM);
	HV_ASSERT_EQ(GW(HV_MSR_MTRR_DEF_TYPE, 0xc07, &c), -EPERM);	/* UC- */
	HV_ASSERT_EQ(GW(HV_MSR_MTRR_DEF_TYPE, 0x1006, &c), -EPERM);
	HV_ASSERT_EQ(GW(HV_MSR_MTRR_DEF_TYPE, 0x306, &c), -EPERM);

	HV_ASSERT_EQ(GW(HV_MSR_MTRR_FIX64K_00000, 0x0606060606060606ULL, &c),
		     0);
	HV_ASSERT_EQ(GW(HV_MSR_MTRR_FIX16K_A0000, 0x0000000000000000ULL, &c),
		     0);
	HV_ASSERT_EQ(GW(HV_MSR_MTRR_FIX4K_C0000 + 7, 0x0506040100060606ULL,
			&c), 0);
	HV_ASSERT_EQ(GW(HV_MSR_MTRR_FIX4K_C0000 + 7, 0x0506040100060603ULL,
			&c), -EPERM);
	HV_ASSERT_EQ(GR(HV_MSR_MTRR_FIX4K_C0000 + 8, &c), -ENOENT);

	HV_ASSERT_EQ(GW(b0, 0x7f00000006ULL, &c), 0);
	HV_ASSERT_EQ(GW(b0, 0x8000000006ULL, &c), -EPERM);	/* bit 39 */
	HV_ASSERT_EQ(GW(b0, 0x0000100007ULL, &c), -EPERM);	/* UC- */
	HV_ASSERT_EQ(GW(b0, 0x0000100106ULL, &c), -EPERM);	/* bit 8 */
	HV_ASSERT_EQ(GW(m7, 0x7ffff00800ULL, &c), 0);		/* valid */
	HV_ASSERT_EQ(GW(m7, 0x7ffff00801ULL, &c), -EPERM);
	HV_ASSERT_EQ(HW(m7, 0xfffff00800ULL, &c), -EPERM);	/* bit 39 */
	HV_ASSERT_EQ(GR(m7 + 1, &c), -ENOENT);			/* 0x210 */

	/* MTRRcap: read-only constant. */
	HV_ASSERT_EQ(hv_msr_reset_value(HV_MSR_MTRR_CAP, &c, &v), 0);
	HV_ASSERT_EQ(v, 0x508);
	HV_ASSERT_EQ(GR(HV_MSR_MTRR_CAP, &c), 0);
	HV_ASSERT_EQ(GW(HV_MSR_MTRR_CAP, 0x508, &c), -EPERM);
	HV_ASSERT_EQ(HW(HV_MSR_MTRR_CAP, 0x508, &c), 0);
	HV_ASSERT_EQ(HW(HV_MSR_MTRR_CAP, 0x50a, &c), -EPERM);
}

HV_TEST(mce_setup_and_banks)
{
	struct hv_msr_guest_caps c = icl();
	u32 mc = HV_MSR_IA32_MC0_CTL;
	u64 v;

	HV_ASSERT_EQ(hv_msr_mcg_cap_check(HV_MCG_CAP_SUPPORTED), 0);
	HV_ASSERT_EQ(hv_msr_mcg_cap_check(HV_MCG_CTL_P | 1), 0);
	HV_ASSERT_EQ(hv_msr_mcg_cap_check(HV_MCG_CTL_P), -EINVAL);	/* 0 */
	HV_ASSERT_EQ(hv_msr_mcg_cap_check(HV_MCG_CTL_P | 11), -EINVAL);
	HV_ASSERT_EQ(hv_msr_mcg_cap_check(10 | BIT_ULL(27)), -EINVAL); /* LMCE */
	HV_ASSERT_EQ(hv_msr_mcg_cap_check(10 | BIT_ULL(10)), -EINVAL); /* CMCI */

	HV_ASSERT_EQ(hv_msr_reset_value(HV_MSR_IA32_MCG_CAP, &c, &v), 0);
	HV_ASSERT_EQ(v, HV_MCG_CAP_SUPPORTED);
	HV_ASSERT_EQ(GW(HV_MSR_IA32_MCG_CAP, v, &c), -EPERM);
	HV_ASSERT_EQ(HW(HV_MSR_IA32_MCG_CAP, v, &c), 0);
	HV_ASSERT_EQ(HW(HV_MSR_IA32_MCG_CAP, v + 1, &c), -EPERM);
	HV_ASSERT_EQ(hv_msr_reset_value(HV_MSR_IA32_MCG_CTL, &c, &v), 0);
	HV_ASSERT_EQ(v, ~0ULL);
	HV_ASSERT_EQ(hv_msr_reset_value(mc, &c, &v), 0);
	HV_ASSERT_EQ(v, ~0ULL);
	HV_ASSERT_EQ(hv_msr_reset_value(mc + 4 * 9 + 1, &c, &v), 0);
	HV_ASSERT_EQ(v, 0);
	HV_ASSERT_EQ(hv_msr_reset_value(mc + 4 * 10, &c, &v), -ENOENT);

	/* MCi_STATUS: the guest may clear it only; the host may set it. */
	HV_ASSERT_EQ(GW(mc + 1, 0, &c), 0);
	HV_ASSERT_EQ(GW(mc + 1, BIT_ULL(63), &c), -EPERM);
	HV_ASSERT_EQ(HW(mc + 1, BIT_ULL(63) | 0x1234, &c), 0);
	HV_ASSERT_EQ(GW(mc + 4 * 9 + 1, 1, &c), -EPERM);
	HV_ASSERT_EQ(HW(mc + 4 * 9 + 1, 1, &c), 0);
	/* MCi_CTL: 0 or all ones (bit 10 and 0 tolerated clear). */
	HV_ASSERT_EQ(GW(mc, ~0ULL, &c), 0);
	HV_ASSERT_EQ(GW(mc, 0, &c), 0);
	HV_ASSERT_EQ(GW(mc + 16, ~BIT_ULL(10), &c), 0);
	HV_ASSERT_EQ(GW(mc, 0xff, &c), -EPERM);
	HV_ASSERT_EQ(HW(mc, 0xff, &c), -EPERM);
	/* ADDR/MISC: plain storage. */
	HV_ASSERT_EQ(GW(mc + 2, 0x1234, &c), 0);
	HV_ASSERT_EQ(GW(mc + 3, 0x5678, &c), 0);
	/* Beyond MCG_CAP's 10 banks. */
	HV_ASSERT_EQ(GR(mc + 40, &c), -EPERM);
	HV_ASSERT_EQ(HR(mc + 40, &c), -EPERM);
	HV_ASSERT_EQ(HW(mc + 41, 0, &c), -EPERM);
	HV_ASSERT_EQ(GR(mc + 4 * 32, &c), -ENOENT);	/* VMX_BASIC */

	/* MCG_STATUS: RIPV/EIPV/MCIP for the guest, anything for the host. */
	HV_ASSERT_EQ(GW(HV_MSR_IA32_MCG_STATUS, 0x7, &c), 0);
	HV_ASSERT_EQ(GW(HV_MSR_IA32_MCG_STATUS, 0x8, &c), -EPERM);
	HV_ASSERT_EQ(HW(HV_MSR_IA32_MCG_STATUS, 0x8, &c), 0);
	/* MCG_CTL: 0 or all ones. */
	HV_ASSERT_EQ(GW(HV_MSR_IA32_MCG_CTL, ~0ULL, &c), 0);
	HV_ASSERT_EQ(GW(HV_MSR_IA32_MCG_CTL, 1, &c), -EPERM);

	/* Without MCG_CTL_P: absent for the guest, host may write 0. */
	c.mcg_cap = 10;
	HV_ASSERT_EQ(GR(HV_MSR_IA32_MCG_CTL, &c), -EPERM);
	HV_ASSERT_EQ(GW(HV_MSR_IA32_MCG_CTL, 0, &c), -EPERM);
	HV_ASSERT_EQ(HR(HV_MSR_IA32_MCG_CTL, &c), 0);
	HV_ASSERT_EQ(HW(HV_MSR_IA32_MCG_CTL, 0, &c), 0);
	HV_ASSERT_EQ(HW(HV_MSR_IA32_MCG_CTL, ~0ULL, &c), -EPERM);
	HV_ASSERT_EQ(hv_msr_reset_value(HV_MSR_IA32_MCG_CTL, &c, &v), 0);
	HV_ASSERT_EQ(v, 0);

	/* Before KVM_X86_SETUP_MCE: no banks at all. */
	c.mcg_cap = 0;
	HV_ASSERT_EQ(GR(mc, &c), -EPERM);
	HV_ASSERT_EQ(HW(mc, 0, &c), -EPERM);
}

HV_TEST(unknown_msrs)
{
	struct hv_msr_guest_caps c = icl(), a = amd();

	HV_ASSERT_EQ(GR(0x6e0, &c), -ENOENT);		/* TSC_DEADLINE */
	HV_ASSERT_EQ(GR(0x3b, &c), -ENOENT);		/* TSC_ADJUST */
	HV_ASSERT_EQ(GR(0x800 + 0x30, &c), -ENOENT);	/* x2APIC: LAPIC's */
	HV_ASSERT_EQ(HW(0x10b, 0, &c), -ENOENT);	/* FLUSH_CMD */
	HV_ASSERT_EQ(GR(0x4b564d00, &c), -ENOENT);	/* KVM_WALL_CLOCK_NEW */
	HV_ASSERT_EQ(GR(0xdeadbeef, &c), -ENOENT);
	HV_ASSERT_EQ(GR(0x480, &c), -ENOENT);		/* VMX_BASIC */
	/* Vendor-specific ones exist for their backend only. */
	HV_ASSERT_EQ(GR(HV_MSR_IA32_FEAT_CTL, &a), -ENOENT);
	HV_ASSERT_EQ(GR(HV_MSR_PLATFORM_INFO, &a), -ENOENT);
	HV_ASSERT_EQ(GR(HV_MSR_K7_HWCR, &c), -ENOENT);
	HV_ASSERT(!hv_msr_desc_of(HV_MSR_K7_HWCR, VMX), "hwcr on vmx");
	HV_ASSERT(hv_msr_desc_of(HV_MSR_K7_HWCR, SVM), "hwcr on svm");
	HV_ASSERT_EQ(hv_msr_write_value(0xdeadbeef, 5, 3, false, &c), 5);
	{
		u64 v;

		HV_ASSERT_EQ(hv_msr_reset_value(0x6e0, &c, &v), -ENOENT);
	}
}

HV_TEST(kvm_pv_msrs_host_only)
{
	struct hv_msr_guest_caps c = icl();
	u32 pv[] = { HV_MSR_KVM_WALL_CLOCK, HV_MSR_KVM_SYSTEM_TIME };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pv); i++) {
		HV_ASSERT_EQ(GR(pv[i], &c), -EPERM);
		HV_ASSERT_EQ(GW(pv[i], 0, &c), -EPERM);
		HV_ASSERT_EQ(HR(pv[i], &c), 0);
		HV_ASSERT_EQ(HW(pv[i], 0, &c), 0);
		HV_ASSERT_EQ(HW(pv[i], 0x12345001, &c), 0);
	}
}

HV_TEST(canonical_addresses)
{
	struct hv_msr_guest_caps c = icl(), a = amd();
	u64 k48 = 0xffff800000000000ULL, k57 = 0xff00000000000000ULL;

	HV_ASSERT_EQ(GW(HV_MSR_LSTAR, k48, &c), 0);
	HV_ASSERT_EQ(GW(HV_MSR_LSTAR, 0x00007fffffffffffULL, &c), 0);
	HV_ASSERT_EQ(GW(HV_MSR_LSTAR, 0x0000800000000000ULL, &c), -EPERM);
	HV_ASSERT_EQ(HW(HV_MSR_KERNEL_GS_BASE, k57, &c), -EPERM);
	HV_ASSERT_EQ(GW(HV_MSR_CSTAR, k57, &c), -EPERM);
	HV_ASSERT_EQ(GW(HV_MSR_FS_BASE, k57, &c), -EPERM);
	c.features |= HV_MSR_GF_LA57;
	HV_ASSERT_EQ(GW(HV_MSR_CSTAR, k57, &c), 0);
	HV_ASSERT_EQ(GW(HV_MSR_GS_BASE, 0x0100000000000000ULL, &c), -EPERM);
	HV_ASSERT_EQ(GW(HV_MSR_GS_BASE, 0x00ffffffffffffffULL, &c), 0);
	c.features &= ~HV_MSR_GF_LA57;

	/* SYSENTER_ESP/EIP: canonical on VMX only. */
	HV_ASSERT_EQ(GW(HV_MSR_IA32_SYSENTER_EIP, 0x0000800000000000ULL, &c),
		     -EPERM);
	HV_ASSERT_EQ(HW(HV_MSR_IA32_SYSENTER_ESP, 0x0000800000000000ULL, &c),
		     -EPERM);
	HV_ASSERT_EQ(GW(HV_MSR_IA32_SYSENTER_EIP, 0x0000800000000000ULL, &a),
		     0);
	/* Plain storage. */
	HV_ASSERT_EQ(GW(HV_MSR_STAR, ~0ULL, &c), 0);
	HV_ASSERT_EQ(GW(HV_MSR_SYSCALL_MASK, 0x47700, &c), 0);
	HV_ASSERT_EQ(GW(HV_MSR_IA32_SYSENTER_CS, 0x10, &c), 0);
	HV_ASSERT_EQ(GW(HV_MSR_IA32_TSC, ~0ULL, &c), 0);
}

HV_TEST(misc_enable)
{
	struct hv_msr_guest_caps c = icl();
	u64 v;

	HV_ASSERT_EQ(hv_msr_reset_value(HV_MSR_IA32_MISC_ENABLE, &c, &v), 0);
	HV_ASSERT_EQ(v, HV_MISC_ENABLE_BTS_UNAVAIL |
			HV_MISC_ENABLE_PEBS_UNAVAIL);
	HV_ASSERT_EQ(GW(HV_MSR_IA32_MISC_ENABLE, v | 1, &c), 0);
	HV_ASSERT_EQ(GW(HV_MSR_IA32_MISC_ENABLE, HV_MISC_ENABLE_XD_DISABLE,
			&c), -EPERM);
	HV_ASSERT_EQ(GW(HV_MSR_IA32_MISC_ENABLE, HV_MISC_ENABLE_LIMIT_CPUID,
			&c), -EPERM);
	HV_ASSERT_EQ(HW(HV_MSR_IA32_MISC_ENABLE, HV_MISC_ENABLE_XD_DISABLE |
			BIT_ULL(18), &c), 0);
}

HV_TEST(tsc_aux)
{
	struct hv_msr_guest_caps c = icl(), a = amd();

	HV_ASSERT_EQ(GW(HV_MSR_TSC_AUX, 3, &c), 0);
	HV_ASSERT_EQ(GW(HV_MSR_TSC_AUX, BIT_ULL(32), &c), -EPERM);
	HV_ASSERT_EQ(HW(HV_MSR_TSC_AUX, BIT_ULL(32), &c), -EPERM);
	HV_ASSERT_EQ(GW(HV_MSR_TSC_AUX, BIT_ULL(32) | 3, &a), 0);
	HV_ASSERT_EQ(hv_msr_write_value(HV_MSR_TSC_AUX, BIT_ULL(32) | 3, 0,
					false, &a), 3);
	HV_ASSERT_EQ(hv_msr_write_value(HV_MSR_TSC_AUX, 3, 0, false, &c), 3);

	/* RDPID alone is enough; neither: #GP, but the host may restore. */
	c.features &= ~HV_MSR_GF_RDTSCP;
	HV_ASSERT_EQ(GR(HV_MSR_TSC_AUX, &c), 0);
	c.features &= ~HV_MSR_GF_RDPID;
	HV_ASSERT_EQ(GR(HV_MSR_TSC_AUX, &c), -EPERM);
	HV_ASSERT_EQ(GW(HV_MSR_TSC_AUX, 0, &c), -EPERM);
	HV_ASSERT_EQ(HW(HV_MSR_TSC_AUX, 5, &c), 0);
}

HV_TEST(spec_ctrl_and_pred_cmd)
{
	struct hv_msr_guest_caps c = icl();

	HV_ASSERT_EQ(GR(HV_MSR_IA32_SPEC_CTRL, &c), -EPERM);
	HV_ASSERT_EQ(GW(HV_MSR_IA32_PRED_CMD, 1, &c), -EPERM);
	HV_ASSERT_EQ(HW(HV_MSR_IA32_SPEC_CTRL, 0, &c), 0);
	HV_ASSERT_EQ(HW(HV_MSR_IA32_SPEC_CTRL, 1, &c), -EPERM);

	c = caps_of(icelake, host_n_icelake(), VMX,
		    ALL_FEATURES | HV_CPUID_F_SPEC_CTRL);
	HV_ASSERT_EQ(GW(HV_MSR_IA32_SPEC_CTRL, 0x7, &c), 0);
	HV_ASSERT_EQ(GW(HV_MSR_IA32_SPEC_CTRL, 0x80, &c), -EPERM);
	HV_ASSERT_EQ(GR(HV_MSR_IA32_SPEC_CTRL, &c), 0);
	HV_ASSERT_EQ(GW(HV_MSR_IA32_PRED_CMD, 1, &c), 0);
	HV_ASSERT_EQ(GW(HV_MSR_IA32_PRED_CMD, 2, &c), -EPERM);
	HV_ASSERT_EQ(GR(HV_MSR_IA32_PRED_CMD, &c), -EPERM);
	HV_ASSERT_EQ(HR(HV_MSR_IA32_PRED_CMD, &c), -EPERM);
	HV_ASSERT_EQ(hv_msr_write_value(HV_MSR_IA32_PRED_CMD, 1, 0, false, &c),
		     0);

	c = caps_of(epyc, host_n_epyc(), SVM,
		    ALL_FEATURES | HV_CPUID_F_SPEC_CTRL);
	HV_ASSERT_EQ(GW(HV_MSR_IA32_SPEC_CTRL, 0x80, &c), 0);	/* PSFD */
	HV_ASSERT_EQ(GW(HV_MSR_IA32_PRED_CMD, 1, &c), 0);
}

HV_TEST(arch_capabilities_read_only)
{
	struct hv_msr_guest_caps c = icl();
	u64 v;

	c.arch_capabilities = 0x2b;	/* RDCL_NO IBRS_ALL SKIP_L1DFL SSB_NO */
	HV_ASSERT_EQ(hv_msr_reset_value(HV_MSR_IA32_ARCH_CAPABILITIES, &c, &v),
		     0);
	HV_ASSERT_EQ(v, 0x2b);
	HV_ASSERT_EQ(GR(HV_MSR_IA32_ARCH_CAPABILITIES, &c), 0);
	HV_ASSERT_EQ(GW(HV_MSR_IA32_ARCH_CAPABILITIES, 0x2b, &c), -EPERM);
	HV_ASSERT_EQ(HW(HV_MSR_IA32_ARCH_CAPABILITIES, 0x0b, &c), 0);
	HV_ASSERT_EQ(HW(HV_MSR_IA32_ARCH_CAPABILITIES, 0, &c), 0);
	HV_ASSERT_EQ(HW(HV_MSR_IA32_ARCH_CAPABILITIES, 0x6b, &c), -EPERM);
	c.features &= ~HV_MSR_GF_ARCH_CAP;
	HV_ASSERT_EQ(GR(HV_MSR_IA32_ARCH_CAPABILITIES, &c), -EPERM);
	HV_ASSERT_EQ(HR(HV_MSR_IA32_ARCH_CAPABILITIES, &c), 0);
}

HV_TEST(apic_base)
{
	struct hv_msr_guest_caps c = icl();
	u64 v, base = HV_APIC_BASE_DEFAULT | HV_APIC_BASE_EN;

	HV_ASSERT_EQ(hv_msr_reset_value(HV_MSR_IA32_APIC_BASE, &c, &v), 0);
	HV_ASSERT_EQ(v, 0xfee00900);
	HV_ASSERT_EQ(GW(HV_MSR_IA32_APIC_BASE, base, &c), 0);
	HV_ASSERT_EQ(GW(HV_MSR_IA32_APIC_BASE, base | HV_APIC_BASE_EXTD, &c),
		     0);
	HV_ASSERT_EQ(GW(HV_MSR_IA32_APIC_BASE, HV_APIC_BASE_DEFAULT |
			HV_APIC_BASE_EXTD, &c), -EPERM);	/* EXTD, !EN */
	HV_ASSERT_EQ(GW(HV_MSR_IA32_APIC_BASE, base | BIT_ULL(9), &c), -EPERM);
	HV_ASSERT_EQ(GW(HV_MSR_IA32_APIC_BASE, base | 1, &c), -EPERM);
	HV_ASSERT_EQ(HW(HV_MSR_IA32_APIC_BASE, base | BIT_ULL(39), &c),
		     -EPERM);
	HV_ASSERT_EQ(GW(HV_MSR_IA32_APIC_BASE, 0x7ffffff000ULL |
			HV_APIC_BASE_EN, &c), 0);
	c.features &= ~HV_MSR_GF_X2APIC;
	HV_ASSERT_EQ(GW(HV_MSR_IA32_APIC_BASE, base | HV_APIC_BASE_EXTD, &c),
		     -EPERM);
}

HV_TEST(ucode_rev_guest_writes_ignored)
{
	struct hv_msr_guest_caps c = icl();
	u64 v;

	HV_ASSERT_EQ(hv_msr_reset_value(HV_MSR_IA32_UCODE_REV, &c, &v), 0);
	HV_ASSERT_EQ(v, 0x100000000ULL);
	HV_ASSERT_EQ(GW(HV_MSR_IA32_UCODE_REV, 0, &c), 0);
	HV_ASSERT_EQ(hv_msr_write_value(HV_MSR_IA32_UCODE_REV, 0, v, false,
					&c), v);
	HV_ASSERT_EQ(hv_msr_write_value(HV_MSR_IA32_UCODE_REV, 0x42ULL << 32,
					v, true, &c), 0x42ULL << 32);
}

HV_TEST(vmx_constants)
{
	struct hv_msr_guest_caps c = icl();
	u64 v;

	HV_ASSERT_EQ(hv_msr_reset_value(HV_MSR_IA32_FEAT_CTL, &c, &v), 0);
	HV_ASSERT_EQ(v, HV_FEAT_CTL_LOCK);		/* locked, VMX off */
	HV_ASSERT_EQ(GR(HV_MSR_IA32_FEAT_CTL, &c), 0);
	HV_ASSERT_EQ(GW(HV_MSR_IA32_FEAT_CTL, 5, &c), -EPERM);
	HV_ASSERT_EQ(HW(HV_MSR_IA32_FEAT_CTL, 1, &c), 0);
	HV_ASSERT_EQ(HW(HV_MSR_IA32_FEAT_CTL, 5, &c), -EPERM);
	HV_ASSERT_EQ(GR(HV_MSR_PLATFORM_INFO, &c), 0);
	HV_ASSERT_EQ(GW(HV_MSR_PLATFORM_INFO, 0, &c), -EPERM);
	HV_ASSERT_EQ(HW(HV_MSR_PLATFORM_INFO, 0, &c), 0);
	HV_ASSERT_EQ(GR(HV_MSR_IA32_PLATFORM_ID, &c), 0);
}

HV_TEST(hwcr_and_debugctl)
{
	struct hv_msr_guest_caps c = icl(), a = amd();

	HV_ASSERT_EQ(GW(HV_MSR_K7_HWCR, BIT_ULL(24), &a), 0);
	HV_ASSERT_EQ(GW(HV_MSR_K7_HWCR, BIT_ULL(3) | BIT_ULL(8), &a), 0);
	HV_ASSERT_EQ(hv_msr_write_value(HV_MSR_K7_HWCR, BIT_ULL(3) |
					BIT_ULL(24), 0, false, &a),
		     BIT_ULL(24));
	HV_ASSERT_EQ(GW(HV_MSR_K7_HWCR, BIT_ULL(18), &a), -EPERM);
	HV_ASSERT_EQ(HW(HV_MSR_K7_HWCR, BIT_ULL(18), &a), -EPERM);

	HV_ASSERT_EQ(GW(HV_MSR_IA32_DEBUGCTL, 0, &c), 0);
	HV_ASSERT_EQ(GW(HV_MSR_IA32_DEBUGCTL, 2, &c), 0);	/* BTF */
	HV_ASSERT_EQ(hv_msr_write_value(HV_MSR_IA32_DEBUGCTL, 3, 0, false,
					&c), 0);
	HV_ASSERT_EQ(GW(HV_MSR_IA32_DEBUGCTL, 4, &c), -EPERM);
	HV_ASSERT_EQ(GR(HV_MSR_IA32_DEBUGCTL, &a), 0);
}

HV_TEST(xss)
{
	struct hv_msr_guest_caps c = icl();

	HV_ASSERT_EQ(GR(HV_MSR_IA32_XSS, &c), -EPERM);		/* no XSAVES */
	HV_ASSERT_EQ(HW(HV_MSR_IA32_XSS, 0, &c), 0);
	c = caps_of(icelake, host_n_icelake(), VMX,
		    ALL_FEATURES | HV_CPUID_F_XSAVES);
	HV_ASSERT(c.features & HV_MSR_GF_XSAVES, "xsaves");
	HV_ASSERT_EQ(GW(HV_MSR_IA32_XSS, 0, &c), 0);
	HV_ASSERT_EQ(GW(HV_MSR_IA32_XSS, BIT_ULL(8), &c), -EPERM);
	HV_ASSERT_EQ(HW(HV_MSR_IA32_XSS, BIT_ULL(8), &c), -EPERM);
	c.supported_xss = BIT_ULL(8);
	HV_ASSERT_EQ(GW(HV_MSR_IA32_XSS, BIT_ULL(8), &c), 0);
}

HV_TEST(descriptions_are_consistent)
{
	static const u32 all[] = {
		HV_MSR_IA32_TSC, HV_MSR_IA32_APIC_BASE, HV_MSR_EFER,
		HV_MSR_IA32_PAT, HV_MSR_MTRR_DEF_TYPE, HV_MSR_IA32_MCG_CAP,
		HV_MSR_IA32_MC0_CTL + 127, HV_MSR_IA32_MISC_ENABLE,
		HV_MSR_KVM_SYSTEM_TIME, HV_MSR_IA32_SPEC_CTRL,
		HV_MSR_IA32_ARCH_CAPABILITIES, HV_MSR_TSC_AUX,
	};
	struct hv_msr_guest_caps c = icl();
	unsigned int i;
	u64 v;

	for (i = 0; i < ARRAY_SIZE(all); i++) {
		const struct hv_msr_desc *d = hv_msr_desc_of(all[i], VMX);

		HV_ASSERT(d && d->name && d->count, "0x%x", all[i]);
		HV_ASSERT(all[i] >= d->index && all[i] < d->index + d->count,
			  "0x%x range", all[i]);
	}
	HV_ASSERT_EQ(hv_msr_desc_of(HV_MSR_IA32_TSC, VMX)->cls, HV_MSR_C_TSC);
	HV_ASSERT_EQ(hv_msr_desc_of(HV_MSR_IA32_APIC_BASE, SVM)->cls,
		     HV_MSR_C_APIC_BASE);
	/* Every reset value passes a host-initiated write of itself. */
	for (i = 0; i < 0x1000; i++) {
		u32 idx = i < 0x800 ? i : 0xc0000000 + i - 0x800;

		if (hv_msr_reset_value(idx, &c, &v))
			continue;
		HV_ASSERT_EQ(HW(idx, v, &c), 0);
	}
}
