/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Entry of the 64-bit demo guests: hvrun enters here in long mode (ELF entry
 * point).  Sets up a stack of our own, calls main() and writes its return
 * value to the exit port 0xf4.
 */
#define EXIT_PORT	0xf4

	.code64
	.section .text.start, "ax"
	.globl _start
_start:
	cli
	cld
	leaq	stack_top(%rip), %rsp
	xorl	%ebp, %ebp
	call	main
	outb	%al, $EXIT_PORT
1:	hlt
	jmp	1b

	.section .bss
	.balign	16
	.skip	16384
stack_top:
