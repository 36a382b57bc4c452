// SPDX-License-Identifier: GPL-2.0-only
/* AMD-V capability decoding.  Pure logic. */
#include "svm_caps.h"
#include "../hv_features.h"

static const char *const hv_svm_feature_names[] = {
	[HV_SVM_F_NPT]			= "npt",
	[HV_SVM_F_LBRV]			= "lbrv",
	[HV_SVM_F_SVML]			= "svm_lock",
	[HV_SVM_F_NRIPS]		= "nrips",
	[HV_SVM_F_TSC_SCALE]		= "tsc_scale",
	[HV_SVM_F_VMCB_CLEAN]		= "vmcb_clean",
	[HV_SVM_F_FLUSH_BY_ASID]	= "flush_by_asid",
	[HV_SVM_F_DECODE_ASSISTS]	= "decode_assists",
	[HV_SVM_F_PAUSE_FILTER]		= "pause_filter",
	[HV_SVM_F_PAUSE_THRESHOLD]	= "pause_threshold",
	[HV_SVM_F_AVIC]			= "avic",
	[HV_SVM_F_VMSAVE_VIRT]		= "vmsave_virt",
	[HV_SVM_F_VGIF]			= "vgif",
	[HV_SVM_F_GMET]			= "gmet",
	[HV_SVM_F_X2AVIC]		= "x2avic",
	[HV_SVM_F_SSS_CHECK]		= "sss_check",
	[HV_SVM_F_SPEC_CTRL]		= "spec_ctrl",
	[HV_SVM_F_ROGPT]		= "rogpt",
	[HV_SVM_F_HOST_MCE_OVERRIDE]	= "host_mce_override",
	[HV_SVM_F_TLBI_CTL]		= "tlbi_ctl",
	[HV_SVM_F_VNMI]			= "vnmi",
	[HV_SVM_F_IBS_VIRT]		= "ibs_virt",
};

static const char *hv_svm_feature_name(unsigned int bit)
{
	return bit < ARRAY_SIZE(hv_svm_feature_names) ?
	       hv_svm_feature_names[bit] : NULL;
}

int hv_svm_caps_parse(struct hv_svm_caps *caps, u32 eax, u32 ebx, u32 edx)
{
	caps->revision = eax & 0xff;
	caps->nr_asids = ebx;
	caps->features = edx;
	return caps->nr_asids < 2 ? -EOPNOTSUPP : 0;
}

int hv_svm_features_format(char *buf, size_t size, u64 features)
{
	return hv_features_format(buf, size, features, hv_svm_feature_name);
}

int hv_svm_caps_format(char *buf, size_t size, const struct hv_svm_caps *caps)
{
	return scnprintf(buf, size, "revision=%u\nasids=%u\ncpuid_edx=0x%08llx\n",
			 caps->revision, caps->nr_asids,
			 (unsigned long long)caps->features);
}
