# SPDX-License-Identifier: GPL-2.0
#
# fastkernel-stub.s - 32-bit entry of the hv-vm "fast kernel" (see
# mkfastkernel.sh).  Plain GNU as, no preprocessor.
#
# A bzImage's real-mode setup code enters the protected-mode part at
# code32_start (normally 0x100000, where the boot loader put it) in flat 32-bit
# protected mode, interrupts off, %esi = boot_params.  In a fast kernel the
# protected-mode part is this stub followed by the kernel's uncompressed image
# (vmlinux laid out by physical address, trailing zeros trimmed).  The stub
#   1. finds its own address (position independent; any load address works as
#      long as the stub itself does not lie in the kernel's final location),
#   2. loads its own GDT (0x08 32-bit code, 0x10 64-bit code, 0x18 data: the
#      selectors the 64-bit boot protocol asks for),
#   3. moves the image to its physical load address KDEST (memmove: the source
#      and destination overlap, so it copies backwards when src < dst),
#   4. zeroes the rest of the image up to the kernel's end (bss, brk, ...),
#   5. drops boot_params.hdr.setup_data if it points into memory just
#      overwritten (a loader may append setup_data right after the image),
#   6. builds identity page tables for the low 4 GiB with 2 MiB pages at PT
#      (just above the kernel's end; init_size covers them),
#   7. enables PAE, EFER.LME and paging, far-jumps to 64-bit mode and jumps to
#      the kernel's ELF entry (startup_64, physical) with %rsi = boot_params,
#      which is the kernel's 64-bit boot protocol.
#
# Symbols supplied with --defsym by mkfastkernel.sh:
#   KDEST     physical load address of the image (lowest PT_LOAD p_paddr)
#   KFILELEN  bytes of image that follow this stub (multiple of 16)
#   KMEMEND   physical end of the kernel (max p_paddr + p_memsz, 4 KiB aligned)
#   KENTRY    physical address of the ELF entry point (startup_64)
#   PT        physical address of the page tables (6 pages, 4 KiB aligned)
#   DEBUG     1: print progress markers on COM1 (mkfastkernel.sh --debug)

	.set	BP_scratch,    0x1e4	# boot_params.scratch (u32)
	.set	BP_setup_data, 0x250	# boot_params.hdr.setup_data (u64)
	.set	PT_END,        PT + 6 * 0x1000
	.set	COM1,          0x3f8

	.text
	.code32
	.globl	_start
_start:
	cli
	cld
	# Temporary 4-byte stack in boot_params.scratch (the kernel's own
	# compressed entry does the same) to learn our address with call/pop.
	leal	(BP_scratch + 4)(%esi), %esp
	call	1f
1:	popl	%ebp
	subl	$(1b - _start), %ebp		# %ebp = runtime address of _start
	leal	(stack_top - _start)(%ebp), %esp
	movl	%esi, %ebx			# %ebx = boot_params from here on

	.if DEBUG
	leal	(msg_entry - _start)(%ebp), %esi
	call	puts
	.endif

	# Our GDT; the base in the descriptor is patched at run time.
	leal	(gdt - _start)(%ebp), %eax
	movl	%eax, (gdt_desc + 2 - _start)(%ebp)
	lgdt	(gdt_desc - _start)(%ebp)
	movl	$0x18, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	pushl	$0x08
	leal	(2f - _start)(%ebp), %eax
	pushl	%eax
	lret
2:
	# The stub must survive the copy: it must lie wholly below KDEST or at
	# or above PT_END.
	leal	(payload - _start)(%ebp), %esi	# %esi = source of the image
	cmpl	$KDEST, %esi
	jbe	3f
	cmpl	$PT_END, %ebp
	jae	3f
	leal	(msg_place - _start)(%ebp), %esi
	jmp	die
3:
	# memmove(KDEST, payload, KFILELEN)
	movl	$KDEST, %edi
	movl	$(KFILELEN / 4), %ecx
	cmpl	%edi, %esi
	je	5f
	ja	4f
	leal	-4(%esi,%ecx,4), %esi		# src < dst: copy backwards
	leal	-4(%edi,%ecx,4), %edi
	std
	rep	movsl
	cld
	jmp	5f
4:	rep	movsl				# src > dst: copy forwards
5:
	# Zero from the end of the copied image to the kernel's end, then the
	# page-table pages.
	movl	$(KDEST + KFILELEN), %edi
	movl	$((KMEMEND - KDEST - KFILELEN) / 4), %ecx
	xorl	%eax, %eax
	rep	stosl
	movl	$PT, %edi
	movl	$(6 * 0x1000 / 4), %ecx
	rep	stosl

	# setup_data pointing into [KDEST, PT_END) has just been overwritten.
	cmpl	$0, (BP_setup_data + 4)(%ebx)
	jne	6f
	movl	BP_setup_data(%ebx), %eax
	cmpl	$KDEST, %eax
	jb	6f
	cmpl	$PT_END, %eax
	jae	6f
	movl	$0, BP_setup_data(%ebx)
	leal	(msg_sdata - _start)(%ebp), %esi
	call	puts
6:
	# Page tables: PML4 at PT, PDPT at PT+0x1000, 4 PDs at PT+0x2000.
	movl	$(PT + 0x1000 + 0x3), PT	# PML4[0] -> PDPT, P|RW
	movl	$(PT + 0x1000), %edi
	movl	$(PT + 0x2000 + 0x3), %eax
	movl	$4, %ecx
7:	movl	%eax, (%edi)			# PDPT[0..3] -> PD0..PD3, P|RW
	addl	$0x1000, %eax
	addl	$8, %edi
	loop	7b
	movl	$(PT + 0x2000), %edi
	movl	$0x83, %eax			# P|RW|PS (2 MiB)
	movl	$2048, %ecx
8:	movl	%eax, (%edi)
	addl	$0x200000, %eax
	addl	$8, %edi
	loop	8b

	.if DEBUG
	leal	(msg_jump - _start)(%ebp), %esi
	call	puts
	.endif

	# Long mode.
	movl	%cr4, %eax
	orl	$0x20, %eax			# CR4.PAE
	movl	%eax, %cr4
	movl	$PT, %eax
	movl	%eax, %cr3
	movl	$0xc0000080, %ecx		# EFER
	rdmsr
	orl	$0x100, %eax			# EFER.LME
	wrmsr
	movl	%cr0, %eax
	orl	$0x80000001, %eax		# CR0.PG | CR0.PE
	movl	%eax, %cr0
	pushl	$0x10
	leal	(9f - _start)(%ebp), %eax
	pushl	%eax
	lret

	.code64
9:	movl	%ebx, %esi			# zero-extends: %rsi = boot_params
	xorl	%ebx, %ebx
	xorl	%ebp, %ebp
	xorl	%edi, %edi
	movl	$KENTRY, %eax
	jmp	*%rax

	.code32
# puts(%esi = NUL-terminated string) on COM1, polling LSR.THRE.
puts:
	movl	$(COM1 + 5), %edx
10:	inb	%dx, %al
	testb	$0x20, %al
	jz	10b
	movb	(%esi), %al
	testb	%al, %al
	jz	11f
	movl	$COM1, %edx
	outb	%al, %dx
	incl	%esi
	jmp	puts
11:	ret

die:	call	puts
12:	cli
	hlt
	jmp	12b

msg_place:
	.asciz	"hv-fastkernel: loaded at an address that overlaps the kernel; halting\r\n"
msg_sdata:
	.asciz	"hv-fastkernel: setup_data was inside the kernel area; dropped\r\n"
msg_entry:
	.asciz	"hv-fastkernel: entered\r\n"
msg_jump:
	.asciz	"hv-fastkernel: image in place, entering long mode\r\n"

	.balign	8
gdt:
	.quad	0
	.quad	0x00cf9a000000ffff		# 0x08: 32-bit code, flat
	.quad	0x00af9a000000ffff		# 0x10: 64-bit code
	.quad	0x00cf92000000ffff		# 0x18: data, flat
gdt_end:
	.balign	4
	.word	0
gdt_desc:
	.word	gdt_end - gdt - 1
	.long	0				# base, patched

	.balign	16
stack:
	.fill	64, 4, 0
stack_top:

	.balign	16
payload:					# the kernel image follows
