/* SPDX-License-Identifier: GPL-2.0-only */
/* Register numbering shared by the x86 core and its pure-logic files. */
#ifndef HV_REGS_H
#define HV_REGS_H

/* General-purpose registers in hardware (ModRM) order. */
enum hv_gpr {
	HV_GPR_RAX, HV_GPR_RCX, HV_GPR_RDX, HV_GPR_RBX,
	HV_GPR_RSP, HV_GPR_RBP, HV_GPR_RSI, HV_GPR_RDI,
	HV_GPR_R8, HV_GPR_R9, HV_GPR_R10, HV_GPR_R11,
	HV_GPR_R12, HV_GPR_R13, HV_GPR_R14, HV_GPR_R15,
	HV_NR_GPRS
};

/* Segment registers in hardware (Sreg) order, then LDTR and TR. */
enum hv_seg {
	HV_SEG_ES, HV_SEG_CS, HV_SEG_SS, HV_SEG_DS, HV_SEG_FS, HV_SEG_GS,
	HV_SEG_LDTR, HV_SEG_TR,
	HV_NR_SEGS
};

#endif /* HV_REGS_H */
