// SPDX-License-Identifier: GPL-2.0-only
/* VMX capability decoding (Intel SDM Vol. 3, Appendix A).  Pure logic. */
#include "vmx_caps.h"
#include "../hv_features.h"

#define F(feat, nm, source, b) \
	[HV_VMX_F_##feat] = { .name = nm, .src = HV_VMX_SRC_##source, .bit = (b) }

const struct hv_vmx_feature_desc hv_vmx_features[HV_VMX_F_NR] = {
	F(TRUE_CTLS, "true_ctls",		BASIC,		55),
	F(INOUT_INFO, "inout_info",		BASIC,		54),
	F(VIRTUAL_NMIS, "virtual_nmis",		PIN,		5),
	F(PREEMPTION_TIMER, "preemption_timer",	PIN,		6),
	F(POSTED_INTR, "posted_intr",		PIN,		7),
	F(TPR_SHADOW, "tpr_shadow",		PROC,		21),
	F(MSR_BITMAP, "msr_bitmap",		PROC,		28),
	F(IO_BITMAP, "io_bitmap",		PROC,		25),
	F(MTF, "mtf",				PROC,		27),
	F(SECONDARY, "secondary",		PROC,		31),
	F(VIRT_APIC_ACCESS, "virt_apic_access",	PROC2,		0),
	F(EPT, "ept",				PROC2,		1),
	F(DESC_TABLE_EXITING, "desc_table_exiting",	PROC2,		2),
	F(RDTSCP, "rdtscp",			PROC2,		3),
	F(VIRT_X2APIC, "virt_x2apic",		PROC2,		4),
	F(VPID, "vpid",				PROC2,		5),
	F(UNRESTRICTED_GUEST, "unrestricted_guest",	PROC2,		7),
	F(APIC_REG_VIRT, "apic_reg_virt",	PROC2,		8),
	F(VIRT_INTR_DELIVERY, "virt_intr_delivery",	PROC2,		9),
	F(PAUSE_LOOP_EXITING, "pause_loop_exiting",	PROC2,		10),
	F(INVPCID, "invpcid",			PROC2,		12),
	F(VMFUNC, "vmfunc",			PROC2,		13),
	F(PML, "pml",				PROC2,		17),
	F(PT_CONCEAL_VMX, "pt_conceal_vmx",	PROC2,		19),
	F(XSAVES, "xsaves",			PROC2,		20),
	F(SPP, "spp",				PROC2,		23),
	F(PT_GUEST_PA, "pt_guest_pa",		PROC2,		24),
	F(TSC_SCALING, "tsc_scaling",		PROC2,		25),
	F(LOAD_EFER, "load_efer",		ENTRY,		15),
	F(LOAD_PAT, "load_pat",			ENTRY,		14),
	F(EPT_EXEC_ONLY, "ept_exec_only",	EPT_VPID,	0),
	F(EPT_4LEVEL, "ept_4level",		EPT_VPID,	6),
	F(EPT_5LEVEL, "ept_5level",		EPT_VPID,	7),
	F(EPT_WB, "ept_wb",			EPT_VPID,	14),
	F(EPT_2M, "ept_2m",			EPT_VPID,	16),
	F(EPT_1G, "ept_1g",			EPT_VPID,	17),
	F(INVEPT, "invept",			EPT_VPID,	20),
	F(EPT_AD, "ept_ad",			EPT_VPID,	21),
	F(INVVPID, "invvpid",			EPT_VPID,	32),
	F(PT_IN_VMX, "pt_in_vmx",		MISC,		14),
};

#undef F

static u64 hv_vmx_cap_source(const struct hv_vmx_caps *caps, u64 basic, u8 src)
{
	switch (src) {
	case HV_VMX_SRC_PIN:
		return caps->pinbased >> 32;
	case HV_VMX_SRC_PROC:
		return caps->procbased >> 32;
	case HV_VMX_SRC_PROC2:
		return caps->procbased2 >> 32;
	case HV_VMX_SRC_EXIT:
		return caps->exit >> 32;
	case HV_VMX_SRC_ENTRY:
		return caps->entry >> 32;
	case HV_VMX_SRC_EPT_VPID:
		return caps->ept_vpid;
	case HV_VMX_SRC_BASIC:
		return basic;
	case HV_VMX_SRC_MISC:
		return caps->misc;
	}
	return 0;
}

int hv_vmx_caps_parse(struct hv_vmx_caps *caps, const struct hv_vmx_msrs *msrs)
{
	u64 basic = msrs->basic;
	bool true_ctls = basic & HV_VMX_BASIC_TRUE_CTLS;
	unsigned int i;

	memset(caps, 0, sizeof(*caps));
	caps->revision = basic & HV_VMX_BASIC_REVISION_MASK;
	caps->vmcs_size = (basic >> HV_VMX_BASIC_SIZE_SHIFT) & HV_VMX_BASIC_SIZE_MASK;
	if (!caps->vmcs_size || caps->vmcs_size > 4096 ||
	    (basic & HV_VMX_BASIC_32BIT_PA) ||
	    ((basic >> HV_VMX_BASIC_MEMTYPE_SHIFT) & HV_VMX_BASIC_MEMTYPE_MASK) !=
	    HV_VMX_BASIC_MEMTYPE_WB)
		return -EOPNOTSUPP;

	caps->pinbased = true_ctls ? msrs->true_pinbased : msrs->pinbased;
	caps->procbased = true_ctls ? msrs->true_procbased : msrs->procbased;
	caps->exit = true_ctls ? msrs->true_exit : msrs->exit;
	caps->entry = true_ctls ? msrs->true_entry : msrs->entry;
	caps->misc = msrs->misc;
	/* Secondary controls and EPT/VPID caps exist only if advertised. */
	if ((caps->procbased >> 32) & HV_VMX_PROC_ACTIVATE_SECONDARY) {
		caps->procbased2 = msrs->procbased2;
		if ((caps->procbased2 >> 32) &
		    (HV_VMX_PROC2_ENABLE_EPT | HV_VMX_PROC2_ENABLE_VPID))
			caps->ept_vpid = msrs->ept_vpid;
	}

	for (i = 0; i < HV_VMX_F_NR; i++) {
		const struct hv_vmx_feature_desc *d = &hv_vmx_features[i];

		if (hv_vmx_cap_source(caps, basic, d->src) & BIT_ULL(d->bit))
			caps->features |= BIT_ULL(i);
	}
	return 0;
}

int hv_vmx_adjust_ctls(u64 cap_msr, u32 required, u32 optional, u32 *out)
{
	u32 must_be_one = (u32)cap_msr;
	u32 may_be_one = (u32)(cap_msr >> 32);

	if (required & ~may_be_one)
		return -EOPNOTSUPP;
	*out = ((required | optional) & may_be_one) | must_be_one;
	return 0;
}

bool hv_vmx_cr_valid(u64 val, u64 fixed0, u64 fixed1)
{
	return (val & fixed0) == fixed0 && !(val & ~fixed1);
}

static const char *hv_vmx_feature_name(unsigned int bit)
{
	return bit < HV_VMX_F_NR ? hv_vmx_features[bit].name : NULL;
}

int hv_vmx_features_format(char *buf, size_t size, u64 features)
{
	return hv_features_format(buf, size, features, hv_vmx_feature_name);
}

int hv_vmx_caps_format(char *buf, size_t size, const struct hv_vmx_caps *caps)
{
	return scnprintf(buf, size,
			 "revision=%u\nvmcs_size=%u\npinbased=0x%016llx\n"
			 "procbased=0x%016llx\nprocbased2=0x%016llx\n"
			 "exit=0x%016llx\nentry=0x%016llx\nept_vpid=0x%016llx\n"
			 "misc=0x%016llx\n",
			 caps->revision, caps->vmcs_size,
			 (unsigned long long)caps->pinbased,
			 (unsigned long long)caps->procbased,
			 (unsigned long long)caps->procbased2,
			 (unsigned long long)caps->exit,
			 (unsigned long long)caps->entry,
			 (unsigned long long)caps->ept_vpid,
			 (unsigned long long)caps->misc);
}
