// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of AMD-V capability decoding. */
#include "hv_test.h"
#include "../../../arch/x86/hv/svm/svm_caps.h"

HV_TEST(parse_qemu_tcg_max)
{
	struct hv_svm_caps c;
	char buf[256];

	/* QEMU 7.2 -cpu max: 16 ASIDs, EDX = NPT | VGIF (shared/EMULATORS.md). */
	HV_ASSERT_EQ(hv_svm_caps_parse(&c, 1, 16, 0x00010001), 0);
	HV_ASSERT_EQ(c.revision, 1);
	HV_ASSERT_EQ(c.nr_asids, 16);
	HV_ASSERT(HV_SVM_HAS(&c, NPT) && HV_SVM_HAS(&c, VGIF), "npt, vgif");
	HV_ASSERT(!HV_SVM_HAS(&c, NRIPS) && !HV_SVM_HAS(&c, DECODE_ASSISTS),
		  "no nrips, no decode assists");
	HV_ASSERT(!HV_SVM_HAS(&c, VMCB_CLEAN) && !HV_SVM_HAS(&c, FLUSH_BY_ASID),
		  "no clean bits, no flush by asid");
	hv_svm_features_format(buf, sizeof(buf), c.features);
	HV_ASSERT(!strcmp(buf, "npt vgif\n"), "got '%s'", buf);
}

HV_TEST(parse_zen_like)
{
	struct hv_svm_caps c;
	char buf[512];

	/* NPT LBRV SVML NRIPS TSC VMCB_CLEAN FLUSH DECODE PF PFT AVIC ... */
	HV_ASSERT_EQ(hv_svm_caps_parse(&c, 1, 32768, 0x0001bcff), 0);
	HV_ASSERT(HV_SVM_HAS(&c, NRIPS) && HV_SVM_HAS(&c, DECODE_ASSISTS) &&
		  HV_SVM_HAS(&c, FLUSH_BY_ASID) && HV_SVM_HAS(&c, AVIC), "zen");
	hv_svm_features_format(buf, sizeof(buf), c.features);
	HV_ASSERT(!strcmp(buf, "npt lbrv svm_lock nrips tsc_scale vmcb_clean "
			  "flush_by_asid decode_assists pause_filter "
			  "pause_threshold avic vmsave_virt vgif\n"), "got '%s'", buf);
}

HV_TEST(unnamed_bits_are_not_printed)
{
	char buf[64];

	/* Bits 8, 9, 11 and 14 are reserved or unnamed here. */
	hv_svm_features_format(buf, sizeof(buf), BIT(8) | BIT(9) | BIT(11) | BIT(14));
	HV_ASSERT(!strcmp(buf, "\n"), "got '%s'", buf);
}

HV_TEST(rejects_too_few_asids)
{
	struct hv_svm_caps c;

	HV_ASSERT_EQ(hv_svm_caps_parse(&c, 1, 1, 1), -EOPNOTSUPP);
	HV_ASSERT_EQ(hv_svm_caps_parse(&c, 1, 0, 1), -EOPNOTSUPP);
	HV_ASSERT_EQ(hv_svm_caps_parse(&c, 1, 2, 1), 0);
}

HV_TEST(caps_format)
{
	struct hv_svm_caps c;
	char buf[128];

	hv_svm_caps_parse(&c, 1, 16, 0x00010001);
	hv_svm_caps_format(buf, sizeof(buf), &c);
	HV_ASSERT(!strcmp(buf, "revision=1\nasids=16\ncpuid_edx=0x00010001\n"),
		  "got '%s'", buf);
}
