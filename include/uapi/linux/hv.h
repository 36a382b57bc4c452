/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hv extensions to the KVM ABI.
 *
 * /dev/hv speaks the KVM ioctl ABI of <linux/kvm.h> (API version 12) for the
 * subset documented in Documentation/virt/hv/api.rst.  Everything hv adds
 * lives here, under an ioctl type code and a capability range of its own
 * that never collide with upstream KVM.
 */
#ifndef _UAPI_LINUX_HV_H
#define _UAPI_LINUX_HV_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* ioctl type code of hv's own ioctls (KVM's is 0xAE). */
#define HVIO			0xEA

/*
 * hv capabilities, queried with KVM_CHECK_EXTENSION like KVM's.  KVM's
 * capability numbers are small integers; hv's start far above them.
 */
#define HV_CAP_BASE		0x48560000	/* "HV" */

/*
 * HV_CAP_BACKEND: the hardware backend of this host, one of HV_BACKEND_*.
 * Always present.
 */
#define HV_CAP_BACKEND		(HV_CAP_BASE + 0)
#define HV_BACKEND_VMX		1
#define HV_BACKEND_SVM		2

/*
 * HV_CAP_TDP_LEVELS: depth of the nested page tables (EPT/NPT) of new VMs,
 * 4 or 5; 0 when the backend cannot run vCPUs.  Guest-physical addresses
 * are limited to 48 bits with 4 levels, 57 with 5.
 */
#define HV_CAP_TDP_LEVELS	(HV_CAP_BASE + 1)

#endif /* _UAPI_LINUX_HV_H */
