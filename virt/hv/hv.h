/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Generic core of hv: /dev/hv, VMs and their file descriptors.  The
 * architecture provides the hv_arch_* functions below.
 */
#ifndef HV_GENERIC_H
#define HV_GENERIC_H

#include <linux/device.h>
#include <linux/fs.h>
#include <linux/mm_types.h>
#include <linux/refcount.h>
#include <linux/types.h>

struct hv_vm {
	struct mm_struct *mm;	/* the creator's; other mms get -EIO */
};

/* virt/hv/vm.c */
int hv_vm_create(unsigned long type);
extern atomic_t hv_nr_vms;

/* virt/hv/hv_main.c */
long hv_check_extension(struct hv_vm *vm, long ext);

/* Provided by the architecture (arch/x86/hv/x86.c). */
int hv_arch_init(void);
void hv_arch_exit(void);
/* Enables the hardware on all online CPUs while at least one user holds it. */
int hv_arch_hw_get(void);
void hv_arch_hw_put(void);
unsigned int hv_arch_hw_enabled_cpus(void);
/* Value of an architecture-specific capability, 0 when unknown. */
long hv_arch_check_extension(struct hv_vm *vm, long ext);
extern const struct attribute_group hv_arch_attr_group;

#endif /* HV_GENERIC_H */
