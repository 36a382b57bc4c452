// SPDX-License-Identifier: GPL-2.0-only
/*
 * VT-x backend: VMXON/VMXOFF per CPU and the capability MSRs.  Mechanics
 * only; what to do with a VM lives in the x86 core.
 */
#define pr_fmt(fmt) "hv: " fmt

#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <asm/asm.h>
#include <asm/cpufeature.h>
#include <asm/perf_event.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>

#include <linux/hv.h>

#include "../x86.h"
#include "vmx_caps.h"

static struct hv_vmx_msrs hv_vmx_msrs;
static struct hv_vmx_caps hv_vmx_caps;
static DEFINE_PER_CPU(struct page *, hv_vmxon_region);

/* Optional MSRs read as 0 when absent (rdmsrl_safe faults are fine here). */
static u64 hv_vmx_rdmsr(u32 msr)
{
	u64 val;

	return rdmsrl_safe(msr, &val) ? 0 : val;
}

static void hv_vmx_read_msrs(struct hv_vmx_msrs *m)
{
	memset(m, 0, sizeof(*m));
	m->basic = hv_vmx_rdmsr(HV_MSR_VMX_BASIC);
	m->pinbased = hv_vmx_rdmsr(HV_MSR_VMX_PINBASED_CTLS);
	m->procbased = hv_vmx_rdmsr(HV_MSR_VMX_PROCBASED_CTLS);
	m->exit = hv_vmx_rdmsr(HV_MSR_VMX_EXIT_CTLS);
	m->entry = hv_vmx_rdmsr(HV_MSR_VMX_ENTRY_CTLS);
	m->misc = hv_vmx_rdmsr(HV_MSR_VMX_MISC);
	m->cr0_fixed0 = hv_vmx_rdmsr(HV_MSR_VMX_CR0_FIXED0);
	m->cr0_fixed1 = hv_vmx_rdmsr(HV_MSR_VMX_CR0_FIXED1);
	m->cr4_fixed0 = hv_vmx_rdmsr(HV_MSR_VMX_CR4_FIXED0);
	m->cr4_fixed1 = hv_vmx_rdmsr(HV_MSR_VMX_CR4_FIXED1);
	if ((m->procbased >> 32) & HV_VMX_PROC_ACTIVATE_SECONDARY) {
		m->procbased2 = hv_vmx_rdmsr(HV_MSR_VMX_PROCBASED_CTLS2);
		if ((m->procbased2 >> 32) &
		    (HV_VMX_PROC2_ENABLE_EPT | HV_VMX_PROC2_ENABLE_VPID))
			m->ept_vpid = hv_vmx_rdmsr(HV_MSR_VMX_EPT_VPID_CAP);
	}
	if (m->basic & HV_VMX_BASIC_TRUE_CTLS) {
		m->true_pinbased = hv_vmx_rdmsr(HV_MSR_VMX_TRUE_PINBASED_CTLS);
		m->true_procbased = hv_vmx_rdmsr(HV_MSR_VMX_TRUE_PROCBASED_CTLS);
		m->true_exit = hv_vmx_rdmsr(HV_MSR_VMX_TRUE_EXIT_CTLS);
		m->true_entry = hv_vmx_rdmsr(HV_MSR_VMX_TRUE_ENTRY_CTLS);
	}
}

/*
 * IA32_FEATURE_CONTROL must be locked with VMX outside SMX enabled.  Linux
 * locks it at boot already; lock it ourselves if firmware and kernel both
 * left it open.  Runs on each CPU.
 */
static int hv_vmx_feature_control(void)
{
	u64 fc;

	if (rdmsrl_safe(HV_MSR_IA32_FEAT_CTL, &fc))
		return -EOPNOTSUPP;
	if (!(fc & HV_FEAT_CTL_LOCKED)) {
		fc |= HV_FEAT_CTL_LOCKED | HV_FEAT_CTL_VMX_OUTSIDE_SMX;
		if (wrmsrl_safe(HV_MSR_IA32_FEAT_CTL, fc))
			return -EOPNOTSUPP;
	}
	return (fc & HV_FEAT_CTL_VMX_OUTSIDE_SMX) ? 0 : -EOPNOTSUPP;
}

static int hv_vmx_check_processor_compat(void)
{
	struct hv_vmx_msrs m;
	int cpu = raw_smp_processor_id();

	if (!(cpuid_ecx(1) & BIT(5)) || hv_vmx_feature_control()) {
		pr_err("VT-x missing or disabled by firmware on CPU %d\n", cpu);
		return -EOPNOTSUPP;
	}
	hv_vmx_read_msrs(&m);
	if (memcmp(&m, &hv_vmx_msrs, sizeof(m))) {
		pr_err("VT-x capabilities of CPU %d differ from the boot CPU's\n", cpu);
		return -EIO;
	}
	return 0;
}

static void hv_vmx_free_regions(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		if (per_cpu(hv_vmxon_region, cpu))
			__free_page(per_cpu(hv_vmxon_region, cpu));
		per_cpu(hv_vmxon_region, cpu) = NULL;
	}
}

static int hv_vmx_hardware_setup(void)
{
	int cpu, r;

	if (!(cpuid_ecx(1) & BIT(5))) {
		pr_err("no VT-x: CPUID.1:ECX.VMX is clear\n");
		return -ENODEV;
	}
	/* Linux clears the feature flag when it found VT-x disabled. */
	if (!boot_cpu_has(X86_FEATURE_VMX) || hv_vmx_feature_control()) {
		pr_err("VT-x is disabled by firmware (IA32_FEATURE_CONTROL)\n");
		return -EOPNOTSUPP;
	}

	hv_vmx_read_msrs(&hv_vmx_msrs);
	r = hv_vmx_caps_parse(&hv_vmx_caps, &hv_vmx_msrs);
	if (r) {
		pr_err("VT-x unusable: IA32_VMX_BASIC 0x%llx has no 4 KiB write-back VMCS with 64-bit addresses\n",
		       hv_vmx_msrs.basic);
		return r;
	}
	if (!hv_vmx_cr_valid(native_read_cr0(), hv_vmx_msrs.cr0_fixed0,
			     hv_vmx_msrs.cr0_fixed1) ||
	    !hv_vmx_cr_valid(__read_cr4() | X86_CR4_VMXE,
			     hv_vmx_msrs.cr4_fixed0, hv_vmx_msrs.cr4_fixed1)) {
		pr_err("VT-x unusable: host CR0/CR4 violate the VMX fixed bits\n");
		return -EOPNOTSUPP;
	}

	for_each_possible_cpu(cpu) {
		struct page *page = alloc_pages_node(cpu_to_node(cpu),
						     GFP_KERNEL | __GFP_ZERO, 0);

		if (!page) {
			hv_vmx_free_regions();
			return -ENOMEM;
		}
		*(u32 *)page_address(page) = hv_vmx_caps.revision;
		per_cpu(hv_vmxon_region, cpu) = page;
	}
	pr_info("VT-x: VMCS revision %u, features: %s%s%s\n", hv_vmx_caps.revision,
		HV_VMX_HAS(&hv_vmx_caps, EPT) ? "ept " : "",
		HV_VMX_HAS(&hv_vmx_caps, UNRESTRICTED_GUEST) ? "unrestricted_guest " : "",
		HV_VMX_HAS(&hv_vmx_caps, VPID) ? "vpid" : "");
	return 0;
}

static void hv_vmx_hardware_unsetup(void)
{
	hv_vmx_free_regions();
}

static int hv_vmx_hardware_enable(void)
{
	u64 pa = page_to_phys(__this_cpu_read(hv_vmxon_region));
	u8 fail = 1;

	/* CR4.VMXE already set: kvm_intel or another hypervisor owns VMX. */
	if (cr4_read_shadow() & X86_CR4_VMXE)
		return -EBUSY;

	intel_pt_handle_vmx(1);
	cr4_set_bits(X86_CR4_VMXE);
	/* VMfailInvalid/VMfailValid set CF/ZF; a fault skips to 2 with fail set. */
	asm volatile("1: vmxon %[pa]\n\t"
		     "setna %[fail]\n\t"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : [fail] "+qm" (fail) : [pa] "m" (pa) : "cc", "memory");
	if (!fail)
		return 0;
	cr4_clear_bits(X86_CR4_VMXE);
	intel_pt_handle_vmx(0);
	return -EBUSY;
}

static void hv_vmx_hardware_disable(void)
{
	/* VMXOFF only faults outside VMX operation, which is fine to ignore. */
	asm volatile("1: vmxoff\n\t"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : : : "cc", "memory");
	cr4_clear_bits(X86_CR4_VMXE);
	intel_pt_handle_vmx(0);
}

static int hv_vmx_show_features(char *buf, size_t size)
{
	return hv_vmx_features_format(buf, size, hv_vmx_caps.features);
}

static int hv_vmx_show_caps(char *buf, size_t size)
{
	return hv_vmx_caps_format(buf, size, &hv_vmx_caps);
}

struct hv_x86_ops hv_vmx_ops = {
	.name = "vmx",
	.backend = HV_BACKEND_VMX,
	.hardware_setup = hv_vmx_hardware_setup,
	.hardware_unsetup = hv_vmx_hardware_unsetup,
	.check_processor_compat = hv_vmx_check_processor_compat,
	.hardware_enable = hv_vmx_hardware_enable,
	.hardware_disable = hv_vmx_hardware_disable,
	.show_features = hv_vmx_show_features,
	.show_caps = hv_vmx_show_caps,
};
