/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One VMRUN round trip.  Called with GIF clear (CLGI), so that nothing can
 * run between loading the guest's and the host's VMLOAD/VMSAVE state (GS
 * base among them).
 */
#include <linux/linkage.h>
#include <asm/asm.h>

/* Offsets in the core's array of guest GPRs (enum hv_gpr, hardware order). */
#define G_RCX	(1 * 8)
#define G_RDX	(2 * 8)
#define G_RBX	(3 * 8)
#define G_RBP	(5 * 8)
#define G_RSI	(6 * 8)
#define G_RDI	(7 * 8)
#define G_R8	(8 * 8)
#define G_R9	(9 * 8)
#define G_R10	(10 * 8)
#define G_R11	(11 * 8)
#define G_R12	(12 * 8)
#define G_R13	(13 * 8)
#define G_R14	(14 * 8)
#define G_R15	(15 * 8)

/*
 * void hv_svm_vmrun(unsigned long vmcb_pa, unsigned long *gprs,
 *		     unsigned long host_save_pa)
 *
 * RAX and RSP of the guest live in the VMCB; the others in @gprs.
 */
	.text
SYM_FUNC_START(hv_svm_vmrun)
	push %rbp
	mov  %rsp, %rbp
	push %r15
	push %r14
	push %r13
	push %r12
	push %rbx
	/* Stack from here: 0 = host save pa, 8 = vmcb pa, 16 = gprs. */
	push %rsi
	push %rdi
	push %rdx

	/* The host's FS/GS/TR/LDTR and syscall MSRs. */
	mov  %rdx, %rax
	vmsave %rax

	mov  %rsi, %rax
	mov  G_RCX(%rax), %rcx
	mov  G_RDX(%rax), %rdx
	mov  G_RBX(%rax), %rbx
	mov  G_RBP(%rax), %rbp
	mov  G_RSI(%rax), %rsi
	mov  G_RDI(%rax), %rdi
	mov  G_R8(%rax),  %r8
	mov  G_R9(%rax),  %r9
	mov  G_R10(%rax), %r10
	mov  G_R11(%rax), %r11
	mov  G_R12(%rax), %r12
	mov  G_R13(%rax), %r13
	mov  G_R14(%rax), %r14
	mov  G_R15(%rax), %r15

	mov  8(%rsp), %rax
	vmload %rax
	vmrun %rax
	/* #VMEXIT: RAX, RSP and RIP are the host's again, the rest the guest's. */
	vmsave %rax

	/* Trade the guest's RCX for the gprs pointer. */
	xchg 16(%rsp), %rcx
	mov  %rdx, G_RDX(%rcx)
	mov  %rbx, G_RBX(%rcx)
	mov  %rbp, G_RBP(%rcx)
	mov  %rsi, G_RSI(%rcx)
	mov  %rdi, G_RDI(%rcx)
	mov  %r8,  G_R8(%rcx)
	mov  %r9,  G_R9(%rcx)
	mov  %r10, G_R10(%rcx)
	mov  %r11, G_R11(%rcx)
	mov  %r12, G_R12(%rcx)
	mov  %r13, G_R13(%rcx)
	mov  %r14, G_R14(%rcx)
	mov  %r15, G_R15(%rcx)
	mov  16(%rsp), %rax
	mov  %rax, G_RCX(%rcx)

	mov  (%rsp), %rax
	vmload %rax

	/* Leave no guest values in caller-saved registers. */
	xor  %ecx, %ecx
	xor  %edx, %edx
	xor  %esi, %esi
	xor  %edi, %edi
	xor  %r8d, %r8d
	xor  %r9d, %r9d
	xor  %r10d, %r10d
	xor  %r11d, %r11d

	add  $24, %rsp
	pop  %rbx
	pop  %r12
	pop  %r13
	pop  %r14
	pop  %r15
	pop  %rbp
	RET
SYM_FUNC_END(hv_svm_vmrun)
