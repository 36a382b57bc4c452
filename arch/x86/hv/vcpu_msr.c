// SPDX-License-Identifier: GPL-2.0-only
/*
 * A vCPU's MSRs: one access path for the guest's RDMSR/WRMSR and for
 * KVM_GET/SET_MSRS.  The rules are msr.c's (pure); this file keeps the
 * values: the backend's VMCB/VMCS for what the hardware switches, the TSC
 * as an offset, and a small table for the rest.
 */
#include <linux/kvm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/msr.h>

#include "x86.h"
#include "msr.h"

/* KVM's limit on one KVM_GET/SET_MSRS batch. */
#define HV_MAX_IO_MSRS	256

static u64 *hv_msr_slot(struct hv_x86_vcpu *v, u32 index, bool create)
{
	unsigned int i;

	for (i = 0; i < v->nr_stored_msrs; i++)
		if (v->stored_msrs[i].index == index)
			return &v->stored_msrs[i].data;
	if (!create || v->nr_stored_msrs == ARRAY_SIZE(v->stored_msrs))
		return NULL;
	v->stored_msrs[i].index = index;
	v->nr_stored_msrs++;
	return &v->stored_msrs[i].data;
}

static u64 hv_msr_stored(struct hv_x86_vcpu *v, u32 index)
{
	u64 *slot = hv_msr_slot(v, index, false), val = 0;

	if (slot)
		return *slot;
	hv_msr_reset_value(index, &v->msr_caps, &val);
	return val;
}

/*
 * Reads @index for the guest (@host false) or for userspace.  Returns 0,
 * -EPERM when the guest gets #GP, -ENOENT for an MSR hv does not know.
 */
int hv_get_msr(struct hv_x86_vcpu *v, u32 index, u64 *val, bool host)
{
	const struct hv_msr_desc *d = hv_msr_desc_of(index, hv_ops->backend);
	int r;

	if (!d)
		return -ENOENT;
	r = hv_msr_policy_check(index, 0, false, host, &v->msr_caps);
	if (r)
		return r;
	switch (d->cls) {
	case HV_MSR_C_TSC:
		*val = rdtsc() + v->tsc_offset;
		return 0;
	case HV_MSR_C_APIC_BASE:
		*val = v->apic_base;
		return 0;
	case HV_MSR_C_MCG_CAP:
		*val = v->msr_caps.mcg_cap;
		return 0;
	default:
		if (hv_ops->get_msr(v, index, val))
			return 0;
		*val = hv_msr_stored(v, index);
		return 0;
	}
}

int hv_set_msr(struct hv_x86_vcpu *v, u32 index, u64 val, bool host)
{
	const struct hv_msr_desc *d = hv_msr_desc_of(index, hv_ops->backend);
	u64 old = 0, *slot;
	int r;

	if (!d)
		return -ENOENT;
	r = hv_msr_policy_check(index, val, true, host, &v->msr_caps);
	if (r)
		return r;
	if (d->cls != HV_MSR_C_TSC)
		hv_get_msr(v, index, &old, true);
	val = hv_msr_write_value(index, val, old, host, &v->msr_caps);

	switch (d->cls) {
	case HV_MSR_C_TSC:
		v->tsc_offset = val - rdtsc();
		hv_ops->set_tsc_offset(v, v->tsc_offset);
		return 0;
	case HV_MSR_C_APIC_BASE:
		v->apic_base = val;
		return 0;
	case HV_MSR_C_CONST:
	case HV_MSR_C_MCG_CAP:
	case HV_MSR_C_PRED_CMD:
		/* Nothing to keep: equal to the constant, or a command. */
		return 0;
	default:
		if (hv_ops->set_msr(v, index, val))
			return 0;
		slot = hv_msr_slot(v, index, true);
		if (!slot)
			return -ENOMEM;
		*slot = val;
		return 0;
	}
}

/* Recomputed whenever the guest's CPUID changes. */
void hv_msr_update_caps(struct hv_x86_vcpu *v)
{
	const struct hv_cpuid_entry *hv;
	unsigned int hv_n;

	hv = hv_supported_cpuid(&hv_n);
	hv_msr_caps_init(&v->msr_caps, hv_ops->backend, v->cpuid, v->cpuid_nent,
			 hv, hv_n);
}

/*
 * KVM_GET_MSRS / KVM_SET_MSRS: processes entries in order, stops at the
 * first one that fails, and returns how many were processed (QEMU asserts
 * that it was all of them).
 */
long hv_vcpu_msrs_ioctl(struct hv_x86_vcpu *v, struct kvm_msrs __user *u,
			bool set)
{
	struct kvm_msr_entry *e;
	struct kvm_msrs m;
	unsigned int i;
	long r;

	if (copy_from_user(&m, u, sizeof(m)))
		return -EFAULT;
	if (m.nmsrs >= HV_MAX_IO_MSRS)
		return -E2BIG;
	e = vmemdup_user(u->entries, array_size(m.nmsrs, sizeof(*e)));
	if (IS_ERR(e))
		return PTR_ERR(e);
	for (i = 0; i < m.nmsrs; i++) {
		if (set ? hv_set_msr(v, e[i].index, e[i].data, true) :
			  hv_get_msr(v, e[i].index, &e[i].data, true))
			break;
	}
	r = i;
	if (!set && copy_to_user(u->entries, e, array_size(i, sizeof(*e))))
		r = -EFAULT;
	kvfree(e);
	return r;
}
