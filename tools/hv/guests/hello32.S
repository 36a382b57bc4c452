/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hello32: a flat 32-bit protected-mode guest for hvrun (--mode prot32).
 * Linked to run at 0x100000 (hvrun's default load address there), it prints
 * a greeting naming the hardware backend on the serial port and exits with
 * code 0 through port 0xf4.  It checks that it really is in protected mode
 * with 32-bit code and paging off, and exits with 1 if not.
 */
#define SERIAL		0x3f8
#define SERIAL_LSR	(SERIAL + 5)
#define LSR_THRE	0x20
#define EXIT_PORT	0xf4
#define CR0_PE		0x00000001
#define CR0_PG		0x80000000

	.code32
	.section .text.start, "ax"
	.globl _start
_start:
	cli
	cld
	movl	$stack_top, %esp

	movl	%cr0, %eax
	andl	$(CR0_PE | CR0_PG), %eax
	cmpl	$CR0_PE, %eax
	jne	fail

	movl	$msg_hello, %esi
	call	puts
	call	backend			/* %esi = "svm", "vmx" or "unknown" */
	call	puts
	movl	$msg_end, %esi
	call	puts

	xorb	%al, %al		/* exit code 0 */
	outb	%al, $EXIT_PORT
1:	hlt
	jmp	1b

fail:
	movl	$msg_fail, %esi
	call	puts
	movb	$1, %al
	outb	%al, $EXIT_PORT
	jmp	1b

/* The CPU vendor tells which extension the hypervisor must be using. */
backend:
	xorl	%eax, %eax
	cpuid
	movl	$str_svm, %esi
	cmpl	$0x68747541, %ebx	/* "Auth"enticAMD */
	je	1f
	cmpl	$0x6f677948, %ebx	/* "Hygo"nGenuine */
	je	1f
	movl	$str_vmx, %esi
	cmpl	$0x756e6547, %ebx	/* "Genu"ineIntel */
	je	1f
	movl	$str_unknown, %esi
1:	ret

/* Prints the NUL-terminated string at %esi. */
puts:
	lodsb
	testb	%al, %al
	jz	2f
	movb	%al, %cl
	movw	$SERIAL_LSR, %dx
1:	inb	%dx, %al		/* wait for an empty transmit register */
	testb	$LSR_THRE, %al
	jz	1b
	movb	%cl, %al
	movw	$SERIAL, %dx
	outb	%al, %dx
	jmp	puts
2:	ret

	.section .rodata
msg_hello:	.asciz	"Hello from hv: 32-bit protected mode, backend="
msg_end:	.asciz	"\n"
msg_fail:	.asciz	"hello32: not in flat 32-bit protected mode\n"
str_svm:	.asciz	"svm"
str_vmx:	.asciz	"vmx"
str_unknown:	.asciz	"unknown"

	.section .bss
	.balign	16
	.skip	4096
stack_top:
