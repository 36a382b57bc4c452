/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hello16: a real-mode guest for hvrun.  Linked to run at 0000:1000 (hvrun's
 * default in real mode), it prints a greeting naming the hardware backend on
 * the serial port and exits with code 0 through port 0xf4.
 */
#define SERIAL		0x3f8
#define SERIAL_LSR	(SERIAL + 5)
#define LSR_THRE	0x20
#define EXIT_PORT	0xf4

	.code16
	.section .text.start, "ax"
	.globl _start
_start:
	cli
	cld
	xorw	%ax, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	$0x1000, %sp		/* below the code, above the BIOS data area */

	movw	$msg_hello, %si
	call	puts
	call	backend			/* %si = "svm", "vmx" or "unknown" */
	call	puts
	movw	$msg_end, %si
	call	puts

	xorb	%al, %al		/* exit code 0 */
	outb	%al, $EXIT_PORT
1:	hlt
	jmp	1b

/* The CPU vendor tells which extension the hypervisor must be using. */
backend:
	xorl	%eax, %eax
	cpuid
	movw	$str_svm, %si
	cmpl	$0x68747541, %ebx	/* "Auth"enticAMD */
	je	1f
	cmpl	$0x6f677948, %ebx	/* "Hygo"nGenuine */
	je	1f
	movw	$str_vmx, %si
	cmpl	$0x756e6547, %ebx	/* "Genu"ineIntel */
	je	1f
	movw	$str_unknown, %si
1:	ret

/* Prints the NUL-terminated string at %ds:%si. */
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
msg_hello:	.asciz	"Hello from hv: real mode, backend="
msg_end:	.asciz	"\n"
str_svm:	.asciz	"svm"
str_vmx:	.asciz	"vmx"
str_unknown:	.asciz	"unknown"
