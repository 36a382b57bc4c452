// SPDX-License-Identifier: GPL-2.0-only
/*
 * AMD-V backend: EFER.SVME and the host save area per CPU, and CPUID
 * 0x8000000A.  Mechanics only; policy lives in the x86 core.
 */
#define pr_fmt(fmt) "hv: " fmt

#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <asm/asm.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/processor.h>

#include <linux/hv.h>

#include "svm.h"

struct hv_svm_caps hv_svm_caps;
static u32 hv_svm_cpuid[3];	/* CPUID 0x8000000A EAX, EBX, EDX of the boot CPU */
DEFINE_PER_CPU(struct hv_svm_cpu, hv_svm_cpu);

static void hv_svm_read_cpuid(u32 *regs)
{
	u32 ecx;

	cpuid(HV_CPUID_SVM_LEAF, &regs[0], &regs[1], &ecx, &regs[2]);
}

static int hv_svm_usable(void)
{
	u64 vm_cr;

	if (cpuid_eax(0x80000000) < HV_CPUID_SVM_LEAF ||
	    !(cpuid_ecx(0x80000001) & HV_CPUID_EXT_ECX_SVM))
		return -ENODEV;
	if (rdmsrl_safe(HV_MSR_VM_CR, &vm_cr) || (vm_cr & HV_VM_CR_SVMDIS))
		return -EOPNOTSUPP;
	return 0;
}

static int hv_svm_check_processor_compat(void)
{
	u32 regs[3];

	if (hv_svm_usable()) {
		pr_err("AMD-V missing or disabled by firmware on CPU %d\n",
		       raw_smp_processor_id());
		return -EOPNOTSUPP;
	}
	hv_svm_read_cpuid(regs);
	if (memcmp(regs, hv_svm_cpuid, sizeof(regs))) {
		pr_err("AMD-V capabilities of CPU %d differ from the boot CPU's\n",
		       raw_smp_processor_id());
		return -EIO;
	}
	return 0;
}

static void hv_svm_free_cpus(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct hv_svm_cpu *sd = per_cpu_ptr(&hv_svm_cpu, cpu);

		if (sd->hsave)
			__free_page(sd->hsave);
		if (sd->host_save)
			__free_page(sd->host_save);
		sd->hsave = NULL;
		sd->host_save = NULL;
	}
}

static int hv_svm_hardware_setup(void)
{
	int cpu, r;

	r = hv_svm_usable();
	if (r == -ENODEV) {
		pr_err("no AMD-V: CPUID 0x80000001 ECX.SVM is clear\n");
		return r;
	}
	if (r) {
		pr_err("AMD-V is disabled by firmware (VM_CR.SVMDIS)\n");
		return r;
	}
	hv_svm_read_cpuid(hv_svm_cpuid);
	r = hv_svm_caps_parse(&hv_svm_caps, hv_svm_cpuid[0], hv_svm_cpuid[1],
			      hv_svm_cpuid[2]);
	if (r) {
		pr_err("AMD-V unusable: only %u ASIDs\n", hv_svm_caps.nr_asids);
		return r;
	}

	for_each_possible_cpu(cpu) {
		struct hv_svm_cpu *sd = per_cpu_ptr(&hv_svm_cpu, cpu);

		sd->hsave = alloc_pages_node(cpu_to_node(cpu), GFP_KERNEL | __GFP_ZERO, 0);
		sd->host_save = alloc_pages_node(cpu_to_node(cpu), GFP_KERNEL | __GFP_ZERO, 0);
		if (!sd->hsave || !sd->host_save) {
			hv_svm_free_cpus();
			return -ENOMEM;
		}
	}
	r = hv_svm_vcpu_setup();
	if (r) {
		hv_svm_free_cpus();
		return r;
	}
	pr_info("AMD-V: SVM revision %u, %u ASIDs, features: %s%s%s\n",
		hv_svm_caps.revision, hv_svm_caps.nr_asids,
		HV_SVM_HAS(&hv_svm_caps, NPT) ? "npt " : "",
		HV_SVM_HAS(&hv_svm_caps, NRIPS) ? "nrips " : "",
		HV_SVM_HAS(&hv_svm_caps, DECODE_ASSISTS) ? "decode_assists" : "");
	return 0;
}

static void hv_svm_hardware_unsetup(void)
{
	hv_svm_vcpu_unsetup();
	hv_svm_free_cpus();
}

static int hv_svm_hardware_enable(void)
{
	u64 efer;

	rdmsrl(HV_MSR_EFER, efer);
	/* EFER.SVME already set: kvm_amd or another hypervisor owns SVM. */
	if (efer & HV_EFER_SVME)
		return -EBUSY;
	wrmsrl(HV_MSR_EFER, efer | HV_EFER_SVME);
	wrmsrl(HV_MSR_VM_HSAVE_PA, page_to_phys(this_cpu_ptr(&hv_svm_cpu)->hsave));
	/* ASIDs used before may be stale in this CPU's TLB: start afresh. */
	this_cpu_ptr(&hv_svm_cpu)->asid_generation++;
	this_cpu_ptr(&hv_svm_cpu)->next_asid = 0;
	return 0;
}

static void hv_svm_hardware_disable(void)
{
	u64 efer;

	wrmsrl(HV_MSR_VM_HSAVE_PA, 0);
	rdmsrl(HV_MSR_EFER, efer);
	if (!(efer & HV_EFER_SVME))
		return;
	/* Leave with GIF set, or interrupts stay blocked once SVME is clear. */
	asm volatile("1: stgi\n\t"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : : : "memory");
	wrmsrl(HV_MSR_EFER, efer & ~HV_EFER_SVME);
}

static int hv_svm_show_features(char *buf, size_t size)
{
	return hv_svm_features_format(buf, size, hv_svm_caps.features);
}

static int hv_svm_show_caps(char *buf, size_t size)
{
	return hv_svm_caps_format(buf, size, &hv_svm_caps);
}

struct hv_x86_ops hv_svm_ops = {
	.name = "svm",
	.backend = HV_BACKEND_SVM,
	.hardware_setup = hv_svm_hardware_setup,
	.hardware_unsetup = hv_svm_hardware_unsetup,
	.check_processor_compat = hv_svm_check_processor_compat,
	.hardware_enable = hv_svm_hardware_enable,
	.hardware_disable = hv_svm_hardware_disable,
	.show_features = hv_svm_show_features,
	.show_caps = hv_svm_show_caps,
	.tdp_format = &hv_pte_format_npt,
	.tdp_levels = hv_svm_tdp_levels,
	.vcpu_create = hv_svm_vcpu_create,
	.vcpu_free = hv_svm_vcpu_free,
	.vcpu_reset = hv_svm_vcpu_reset,
	.set_tdp_root = hv_svm_set_tdp_root,
	.run = hv_svm_run,
	.get_reg = hv_svm_get_reg,
	.set_reg = hv_svm_set_reg,
	.get_segment = hv_svm_get_segment,
	.set_segment = hv_svm_set_segment,
	.get_dtable = hv_svm_get_dtable,
	.set_dtable = hv_svm_set_dtable,
	.get_msr = hv_svm_get_msr,
	.set_msr = hv_svm_set_msr,
	.set_tsc_offset = hv_svm_set_tsc_offset,
	.set_event = hv_svm_set_event,
	.get_event = hv_svm_get_event,
	.get_interrupt_shadow = hv_svm_get_interrupt_shadow,
	.set_interrupt_shadow = hv_svm_set_interrupt_shadow,
	.set_irq_window = hv_svm_set_irq_window,
	.set_nmi_window = hv_svm_set_nmi_window,
};
