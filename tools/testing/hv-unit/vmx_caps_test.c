// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of VMX capability decoding and control adjustment. */
#include "hv_test.h"
#include "../../../arch/x86/hv/vmx/vmx_caps.h"

/* As read in Bochs 2.7's Ice Lake model (shared/EMULATORS.md). */
#define ICL_BASIC		0x00d8100000000004ULL
#define ICL_PROCBASED2		0x02977fff00000000ULL
#define ICL_EPT_VPID		0x00000f0106334141ULL
#define ICL_MISC		0x00000000600401e0ULL

static struct hv_vmx_msrs icelake(void)
{
	struct hv_vmx_msrs m = {
		.basic = ICL_BASIC,
		.pinbased = 0x0000007f00000016ULL,
		.procbased = 0xfff9fffe0401e172ULL,
		.exit = 0x01ffffff00036dffULL,
		.entry = 0x0003ffff000011ffULL,
		.misc = ICL_MISC,
		.procbased2 = ICL_PROCBASED2,
		.ept_vpid = ICL_EPT_VPID,
		.true_pinbased = 0x0000007f00000016ULL,
		.true_procbased = 0xfff9fffe04006172ULL,
		.true_exit = 0x01ffffff00036dfbULL,
		.true_entry = 0x0003ffff000011fbULL,
	};
	return m;
}

HV_TEST(adjust_sets_must_be_one_bits)
{
	u32 out = 0;

	/* allowed-0 = 0x16: bits 1, 2, 4 must be 1 whatever we ask. */
	HV_ASSERT_EQ(hv_vmx_adjust_ctls(0x0000007f00000016ULL, 0, 0, &out), 0);
	HV_ASSERT_EQ(out, 0x16);
}

HV_TEST(adjust_keeps_allowed_optional_drops_disallowed)
{
	u32 out = 0;

	/* allowed-1 = 0x7f: optional bit 8 cannot be set and is dropped. */
	HV_ASSERT_EQ(hv_vmx_adjust_ctls(0x0000007f00000016ULL, BIT(0),
					BIT(3) | BIT(8), &out), 0);
	HV_ASSERT_EQ(out, 0x16 | BIT(0) | BIT(3));
}

HV_TEST(adjust_refuses_required_bit_not_allowed)
{
	u32 out = 0xdeadbeef;

	HV_ASSERT_EQ(hv_vmx_adjust_ctls(0x0000007f00000016ULL, BIT(7), 0, &out),
		     -EOPNOTSUPP);
	HV_ASSERT_EQ(out, 0xdeadbeef);	/* untouched on failure */
	/* Every bit allowed, nothing forced. */
	HV_ASSERT_EQ(hv_vmx_adjust_ctls(0xffffffff00000000ULL, 0x80000001,
					0, &out), 0);
	HV_ASSERT_EQ(out, 0x80000001);
}

HV_TEST(parse_icelake)
{
	struct hv_vmx_msrs m = icelake();
	struct hv_vmx_caps c;

	HV_ASSERT_EQ(hv_vmx_caps_parse(&c, &m), 0);
	HV_ASSERT_EQ(c.revision, 4);
	HV_ASSERT_EQ(c.vmcs_size, 0x1000);
	/* TRUE controls are used when BASIC bit 55 says they exist. */
	HV_ASSERT_EQ(c.procbased, m.true_procbased);
	HV_ASSERT(HV_VMX_HAS(&c, TRUE_CTLS), "true controls");
	HV_ASSERT(HV_VMX_HAS(&c, EPT), "ept");
	HV_ASSERT(HV_VMX_HAS(&c, VPID), "vpid");
	HV_ASSERT(HV_VMX_HAS(&c, UNRESTRICTED_GUEST), "ug");
	HV_ASSERT(HV_VMX_HAS(&c, SPP), "spp");
	HV_ASSERT(HV_VMX_HAS(&c, DESC_TABLE_EXITING), "umip emulation");
	HV_ASSERT(HV_VMX_HAS(&c, EPT_4LEVEL), "4-level ept");
	HV_ASSERT(!HV_VMX_HAS(&c, EPT_5LEVEL), "Bochs has no 5-level EPT");
	HV_ASSERT(HV_VMX_HAS(&c, EPT_AD) && HV_VMX_HAS(&c, INVVPID), "ad, invvpid");
	HV_ASSERT(!HV_VMX_HAS(&c, PT_CONCEAL_VMX), "no pt conceal");
	HV_ASSERT(!HV_VMX_HAS(&c, PT_IN_VMX), "misc bit 14 clear");
	HV_ASSERT(HV_VMX_HAS(&c, TSC_SCALING), "tsc scaling (bit 25)");
}

HV_TEST(parse_ignores_secondary_msrs_not_advertised)
{
	struct hv_vmx_msrs m = icelake();
	struct hv_vmx_caps c;

	/* Without "activate secondary controls", PROCBASED_CTLS2 is junk. */
	m.true_procbased &= ~(1ULL << (32 + 31));
	HV_ASSERT_EQ(hv_vmx_caps_parse(&c, &m), 0);
	HV_ASSERT_EQ(c.procbased2, 0);
	HV_ASSERT_EQ(c.ept_vpid, 0);
	HV_ASSERT(!HV_VMX_HAS(&c, EPT) && !HV_VMX_HAS(&c, EPT_4LEVEL), "no ept");
}

HV_TEST(parse_legacy_controls_without_true_msrs)
{
	struct hv_vmx_msrs m = icelake();
	struct hv_vmx_caps c;

	m.basic &= ~HV_VMX_BASIC_TRUE_CTLS;
	HV_ASSERT_EQ(hv_vmx_caps_parse(&c, &m), 0);
	HV_ASSERT_EQ(c.procbased, m.procbased);
	HV_ASSERT_EQ(c.entry, m.entry);
	HV_ASSERT(!HV_VMX_HAS(&c, TRUE_CTLS), "no true ctls");
}

HV_TEST(parse_rejects_unusable_basic)
{
	struct hv_vmx_msrs m = icelake();
	struct hv_vmx_caps c;

	m.basic = ICL_BASIC | HV_VMX_BASIC_32BIT_PA;
	HV_ASSERT_EQ(hv_vmx_caps_parse(&c, &m), -EOPNOTSUPP);
	m.basic = ICL_BASIC & ~(0xfULL << HV_VMX_BASIC_MEMTYPE_SHIFT);	/* UC */
	HV_ASSERT_EQ(hv_vmx_caps_parse(&c, &m), -EOPNOTSUPP);
	m.basic = (ICL_BASIC & ~(0x1fffULL << 32)) | (0x1001ULL << 32);
	HV_ASSERT_EQ(hv_vmx_caps_parse(&c, &m), -EOPNOTSUPP);
}

HV_TEST(every_feature_has_a_distinct_name)
{
	unsigned int i, j;

	for (i = 0; i < HV_VMX_F_NR; i++) {
		HV_ASSERT(hv_vmx_features[i].name, "feature %u has no name", i);
		for (j = 0; j < i; j++)
			HV_ASSERT(strcmp(hv_vmx_features[i].name,
					 hv_vmx_features[j].name),
				  "duplicate name %s", hv_vmx_features[i].name);
	}
}

HV_TEST(features_format_lists_names_and_truncates)
{
	char buf[512], tiny[8];
	u64 f = BIT_ULL(HV_VMX_F_EPT) | BIT_ULL(HV_VMX_F_SPP) | BIT_ULL(63);

	hv_vmx_features_format(buf, sizeof(buf), f);
	HV_ASSERT(!strcmp(buf, "ept spp\n"), "got '%s'", buf);
	hv_vmx_features_format(buf, sizeof(buf), 0);
	HV_ASSERT(!strcmp(buf, "\n"), "got '%s'", buf);
	HV_ASSERT_EQ(hv_vmx_features_format(tiny, sizeof(tiny), f), 7);
	HV_ASSERT(!strcmp(tiny, "ept spp"), "got '%s'", tiny);
}

HV_TEST(cr_fixed_bits)
{
	/* Ice Lake: CR4_FIXED0 = VMXE, CR4_FIXED1 = 0x772fff. */
	HV_ASSERT(hv_vmx_cr_valid(0x3726e0, 0x2000, 0x772fff), "typical CR4");
	HV_ASSERT(!hv_vmx_cr_valid(0x3706e0, 0x2000, 0x772fff), "VMXE clear");
	HV_ASSERT(!hv_vmx_cr_valid(0x10003726e0ULL, 0x2000, 0x772fff),
		  "bit outside FIXED1");
}
