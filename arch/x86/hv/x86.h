/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86 core of hv.  A vendor backend (vmx/, svm/) is one ops table: the
 * mechanics of one vendor's hardware, no policy.
 */
#ifndef HV_X86_H
#define HV_X86_H

#include <linux/types.h>

struct hv_x86_ops {
	const char *name;		/* "vmx" or "svm" */
	int backend;			/* HV_BACKEND_* of <linux/hv.h> */

	/*
	 * Probes the boot CPU.  Returns 0, -ENODEV when the CPU lacks the
	 * extension, or -EOPNOTSUPP when firmware disabled it or it is
	 * unusable; the backend prints the one dmesg line that says why.
	 */
	int (*hardware_setup)(void);
	void (*hardware_unsetup)(void);
	/* Runs on each CPU as it comes up: same capabilities as the boot CPU? */
	int (*check_processor_compat)(void);
	/*
	 * Enter/leave VMX or SVM operation on this CPU (interrupts off).
	 * hardware_enable returns -EBUSY when another hypervisor already
	 * holds the CPU, and then changes nothing.
	 */
	int (*hardware_enable)(void);
	void (*hardware_disable)(void);

	/* sysfs report: feature names on one line, and raw key=value caps. */
	int (*show_features)(char *buf, size_t size);
	int (*show_caps)(char *buf, size_t size);
};

extern struct hv_x86_ops hv_vmx_ops;
extern struct hv_x86_ops hv_svm_ops;

#endif /* HV_X86_H */
