// SPDX-License-Identifier: GPL-2.0-only
/* The guest's FPU and XSAVE state for userspace (placeholder, see fpu work). */
#include <linux/kvm.h>

#include "x86.h"

long hv_vcpu_fpu_ioctl(struct hv_x86_vcpu *v, unsigned int ioctl,
		       void __user *argp)
{
	return -ENOIOCTLCMD;
}
