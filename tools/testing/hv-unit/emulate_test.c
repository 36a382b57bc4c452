// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the x86 instruction decoder and MMIO emulator.  Expected
 * lengths come from the SDM's encoding rules worked by hand (and were
 * cross-checked against binutils' disassembler); expected flags of the ALU
 * instructions come from running the same instruction on the host CPU.
 */
#include "hv_test.h"
#include "../../../arch/x86/hv/emulate.h"

#define EINV	(-EINVAL)
#define NOSUP	(-EOPNOTSUPP)

static const char *const mode_name[HV_MODE_NR] = {
	"real", "vm86", "prot16", "prot32", "long64",
};

static void hexstr(char *buf, size_t size, const u8 *b, unsigned int n)
{
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < n && 3 * i + 3 < size; i++)
		sprintf(buf + 3 * i, "%02x ", b[i]);
}

/* ------------------------------------------------------------------ */
/* Lengths                                                             */
/* ------------------------------------------------------------------ */

struct len_case {
	u8 b[16];
	u8 n;
	s8 want[HV_MODE_NR];	/* by mode, vm86 unused: see len_want() */
};

/* Expected length (or error) in real/vm86, prot16, prot32, long64 mode. */
#define L(r, p16, p32, l64, ...)					\
	{ .b = { __VA_ARGS__ }, .n = sizeof((u8[]){ __VA_ARGS__ }),	\
	  .want = { [HV_MODE_REAL] = (r), [HV_MODE_PROT16] = (p16),	\
		    [HV_MODE_PROT32] = (p32), [HV_MODE_LONG64] = (l64) } }
/* The same, the bytes followed by a 4- or 8-byte displacement or immediate. */
#define L_D4(r, p16, p32, l64, ...)					\
	L(r, p16, p32, l64, __VA_ARGS__, 0x78, 0x56, 0x34, 0x12)
#define L_D8(r, p16, p32, l64, ...)					\
	L(r, p16, p32, l64, __VA_ARGS__, 0x78, 0x56, 0x34, 0x12,	\
	  0xf0, 0xde, 0xbc, 0x9a)

static const struct len_case len_cases[] = {
	/* Instructions the core skips when the hardware gives no length. */
	L(1, 1, 1, 1, 0x90),				/* NOP */
	L(1, 1, 1, 1, 0xf4),				/* HLT */
	L(1, 1, 1, 1, 0xcc),				/* INT3 */
	L(1, 1, 1, 1, 0xf1),				/* INT1 */
	L(2, 2, 2, 2, 0xcd, 0x80),			/* INT 80h */
	L(1, 1, 1, EINV, 0xce),				/* INTO */
	L(1, 1, 1, 1, 0xec),				/* IN AL,DX */
	L(1, 1, 1, 1, 0xef),				/* OUT DX,eAX */
	L(2, 2, 2, 2, 0x66, 0xed),			/* IN (e)AX,DX */
	L(2, 2, 2, 2, 0xe4, 0x60),			/* IN AL,60h */
	L(2, 2, 2, 2, 0xe7, 0x80),			/* OUT 80h,eAX */
	L(2, 2, 2, 2, 0xf3, 0x6c),			/* REP INSB */
	L(3, 3, 3, 3, 0xf3, 0x66, 0x6f),		/* REP OUTSW/D */
	L(2, 2, 2, 2, 0x0f, 0xa2),			/* CPUID */
	L(2, 2, 2, 2, 0x0f, 0x30),			/* WRMSR */
	L(2, 2, 2, 2, 0x0f, 0x32),			/* RDMSR */
	L(2, 2, 2, 2, 0x0f, 0x31),			/* RDTSC */
	L(2, 2, 2, 2, 0x0f, 0x33),			/* RDPMC */
	L(2, 2, 2, 2, 0x0f, 0x09),			/* WBINVD */
	L(2, 2, 2, 2, 0x0f, 0x08),			/* INVD */
	L(2, 2, 2, 2, 0x0f, 0x05),			/* SYSCALL */
	L(2, 2, 2, 2, 0x0f, 0x0b),			/* UD2 */
	L(3, 3, 3, 3, 0x0f, 0x01, 0xf9),		/* RDTSCP */
	L(3, 3, 3, 3, 0x0f, 0x01, 0xd9),		/* VMMCALL */
	L(3, 3, 3, 3, 0x0f, 0x01, 0xc1),		/* VMCALL */
	L(3, 3, 3, 3, 0x0f, 0x01, 0xd0),		/* XGETBV */
	L(3, 3, 3, 3, 0x0f, 0x01, 0xd1),		/* XSETBV */
	L(3, 3, 3, 3, 0x0f, 0x01, 0xc8),		/* MONITOR */
	L(3, 3, 3, 3, 0x0f, 0x01, 0xc9),		/* MWAIT */
	L(3, 3, 3, 3, 0x0f, 0x01, 0xf8),		/* SWAPGS */
	L(3, 3, 3, 3, 0x0f, 0x01, 0xd8),		/* VMRUN */
	L(2, 2, 2, 2, 0xf3, 0x90),			/* PAUSE */
	L(4, 4, 4, 4, 0xf3, 0x0f, 0x1e, 0xfa),		/* ENDBR64 */
	L(3, 3, 3, 3, 0x0f, 0x01, 0x38),		/* INVLPG [bx+si] / [eax] */
	L_D4(3, 3, 7, 7, 0x0f, 0x01, 0x3d),		/* INVLPG [di] / [d32] / [rip] */
	/* MOV CR/DR: ModRM.mod is ignored, always a register form. */
	L(3, 3, 3, 3, 0x0f, 0x20, 0xc0),		/* MOV eAX,CR0 */
	L(3, 3, 3, 3, 0x0f, 0x22, 0xd8),		/* MOV CR3,eAX */
	L_D4(3, 3, 3, 3, 0x0f, 0x20, 0x05),		/* mod 0 rm 5: no disp32 */
	L(3, 3, 3, 3, 0x0f, 0x23, 0x3f),		/* MOV DR7,eDI */
	L_D4(3, 3, 3, 3, 0x0f, 0x21, 0x84, 0x24),	/* mod 2 rm 4: no SIB */
	L(4, 4, 4, 4, 0xf0, 0x0f, 0x20, 0xc0),		/* AMD: MOV eAX,CR8 */
	L(1, 1, 1, 4, 0x44, 0x0f, 0x20, 0xc0),		/* INC SP / MOV RAX,CR8 */

	/* ModRM: 16-bit forms, SIB, disp8/16/32, RIP-relative. */
	L(2, 2, 2, 2, 0x8b, 0x07),			/* [bx] / [edi] / [rdi] */
	L(2, 2, 2, 2, 0x8b, 0xc3),			/* register */
	L(3, 3, 3, 3, 0x8b, 0x47, 0x10),		/* [bx+d8] / [edi+d8] */
	L_D4(4, 4, 6, 6, 0x8b, 0x87),			/* [bx+d16] / [edi+d32] */
	L_D4(4, 4, 2, 2, 0x8b, 0x06),			/* [d16] / [esi] */
	L(3, 3, 3, 3, 0x8b, 0x46, 0x00),		/* [bp+0] / [esi+0] */
	L(2, 2, 3, 3, 0x8b, 0x04, 0x24),		/* [si] / [esp] (SIB) */
	L_D4(2, 2, 7, 7, 0x8b, 0x04, 0x25),		/* [si] / SIB no base: d32 */
	L_D4(2, 2, 7, 7, 0x8b, 0x0c, 0x6d),		/* SIB [ebp*2+d32], no base */
	L_D4(2, 2, 6, 6, 0x8b, 0x05),			/* [di] / [d32] / [rip+d32] */
	L(3, 3, 4, 4, 0x8b, 0x44, 0x8d, 0x10),		/* [si+d8] / [ebp+ecx*4+d8] */
	L_D4(4, 4, 7, 7, 0x8b, 0x84, 0x24),		/* [si+d16] / [esp+d32] */
	L_D4(4, 4, 7, 7, 0x8b, 0x9c, 0x00),		/* [si+d16] / [eax+eax+d32] */
	L(4, 4, 3, 4, 0x67, 0x8b, 0x04, 0x24),		/* 67: the other width */
	L_D4(3, 3, 5, 3, 0x67, 0x8b, 0x06),
	L_D4(7, 7, 3, 7, 0x67, 0x8b, 0x05),		/* d32 / [di] / [eip+d32] */
	L(4, 4, 5, 5, 0x0f, 0x1f, 0x44, 0x00, 0x00),	/* NOP Ev */
	L_D4(6, 6, 9, 9, 0x66, 0x0f, 0x1f, 0x84, 0x00),

	/* Immediates and operand size. */
	L_D8(3, 3, 5, 5, 0xb8),				/* MOV eAX,imm16/32 */
	L_D8(6, 6, 4, 4, 0x66, 0xb8),
	L_D8(1, 1, 1, 10, 0x48, 0xb8),			/* DEC AX / MOV RAX,imm64 */
	L_D8(2, 2, 2, 11, 0x66, 0x48, 0xb8),		/* REX.W beats 66 */
	L_D8(1, 1, 1, 5, 0x48, 0x66, 0xb8),		/* REX before 66: ignored */
	L_D8(1, 1, 1, 12, 0x48, 0x48, 0x48, 0xb8),	/* repeated REX */
	L(2, 2, 2, 2, 0xb0, 0x12),			/* MOV AL,imm8 */
	L_D4(4, 4, 6, 6, 0x81, 0xc0),			/* ADD eAX,immz */
	L_D4(7, 7, 5, 5, 0x66, 0x81, 0xc0),
	L(3, 3, 3, 3, 0x83, 0xc0, 0x01),		/* ADD eAX,imm8 */
	L(3, 3, 3, EINV, 0x82, 0xc0, 0x01),		/* 82: #UD in 64-bit */
	L_D4(4, 4, 6, 6, 0x69, 0xc0),			/* IMUL Gv,Ev,Iz */
	L(3, 3, 3, 3, 0x6b, 0xc0, 0x01),
	L_D4(3, 3, 5, 5, 0x68),				/* PUSH Iz */
	L(2, 2, 2, 2, 0x6a, 0x01),
	L(3, 3, 3, 3, 0xc2, 0x08, 0x00),		/* RET imm16 */
	L(3, 3, 3, 3, 0xca, 0x08, 0x00),
	L(4, 4, 4, 4, 0xc8, 0x10, 0x00, 0x01),		/* ENTER */
	L(5, 5, 7, EINV, 0x9a, 0x78, 0x56, 0x34, 0x12, 0x08, 0x00),	/* CALL ptr16:16/32 */
	L(5, 5, 7, EINV, 0xea, 0x78, 0x56, 0x34, 0x12, 0x08, 0x00),
	L(8, 8, 6, EINV, 0x66, 0xea, 0x78, 0x56, 0x34, 0x12, 0x08, 0x00),
	L_D4(3, 3, 5, 5, 0xe8),				/* CALL rel16/32 */
	L_D4(3, 3, 5, 5, 0xe9),
	L(2, 2, 2, 2, 0xeb, 0xfe),
	L(2, 2, 2, 2, 0x70, 0x00),
	L(2, 2, 2, 2, 0xe3, 0x00),			/* JCXZ */
	L_D4(4, 4, 6, 6, 0x0f, 0x84),			/* JE rel16/32 */
	/* 66 on a near branch in 64-bit mode: vendor-dependent length. */
	L_D4(6, 6, 4, NOSUP, 0x66, 0xe8),
	L_D4(7, 7, 5, NOSUP, 0x66, 0x0f, 0x85),
	L_D4(1, 1, 1, 6, 0x48, 0xe8),
	L_D4(2, 2, 2, 7, 0x66, 0x48, 0xe8),		/* REX.W: rel32 */

	/* moffs: the offset has the address size. */
	L_D8(3, 3, 5, 9, 0xa1),
	L_D8(3, 3, 5, 9, 0xa0),
	L_D8(6, 6, 4, 6, 0x67, 0xa1),
	L_D8(4, 4, 6, 10, 0x66, 0xa1),
	L_D8(1, 1, 1, 10, 0x48, 0xa3),

	/* Groups whose immediate or validity depends on ModRM.reg. */
	L(3, 3, 3, 3, 0xf6, 0x07, 0x12),		/* TEST Eb,Ib */
	L(3, 3, 3, 3, 0xf6, 0x0f, 0x12),		/* TEST Eb,Ib (/1) */
	L(2, 2, 2, 2, 0xf6, 0x17),			/* NOT Eb */
	L_D4(4, 4, 6, 6, 0xf7, 0x07),			/* TEST Ev,Iz */
	L_D4(7, 7, 5, 5, 0x66, 0xf7, 0x07),
	L(2, 2, 2, 2, 0xf7, 0x1f),			/* NEG Ev */
	L(2, 2, 2, 2, 0xf7, 0x3f),			/* IDIV Ev */
	L_D4(4, 4, 10, 10, 0xf7, 0x05, 0x78, 0x56, 0x34, 0x12),	/* TEST [d32/rip],imm32 */
	L(3, 3, 3, 3, 0xc6, 0x07, 0x01),		/* MOV Eb,Ib */
	L(EINV, EINV, EINV, EINV, 0xc6, 0x08, 0x01),	/* C6 /1 */
	L(3, 3, 3, 3, 0xc6, 0xf8, 0x01),		/* XABORT */
	L_D4(4, 4, 6, 6, 0xc7, 0xf8),			/* XBEGIN */
	L_D4(4, 4, 6, 6, 0xc7, 0x07),			/* MOV Ev,Iz */
	L_D4(1, 1, 1, 7, 0x48, 0xc7, 0x07),		/* MOV r/m64,simm32 */
	L_D4(2, 2, 2, 8, 0x66, 0x48, 0xc7, 0xc0),
	L(2, 2, 2, 2, 0xfe, 0x07),			/* INC Eb */
	L(EINV, EINV, EINV, EINV, 0xfe, 0x17),
	L(2, 2, 2, 2, 0xff, 0x18),			/* CALL m16:16/32 */
	L(EINV, EINV, EINV, EINV, 0xff, 0xd8),		/* far CALL of a register */
	L(EINV, EINV, EINV, EINV, 0xff, 0x38),		/* FF /7 */
	L(2, 2, 2, 2, 0xff, 0xd0),			/* CALL eAX */
	L_D4(2, 2, 6, 6, 0xff, 0x25),			/* JMP [di] / [d32] / [rip] */
	L(2, 2, 2, 2, 0x8d, 0x07),			/* LEA */
	L(EINV, EINV, EINV, EINV, 0x8d, 0xc0),		/* LEA of a register */
	L(2, 2, 2, 2, 0x8c, 0xd8),			/* MOV eAX,DS */
	L(EINV, EINV, EINV, EINV, 0x8c, 0xf8),		/* no Sreg 7 */
	L(EINV, EINV, EINV, EINV, 0x8e, 0xc8),		/* no MOV CS */
	L(2, 2, 2, 2, 0x8e, 0xd8),
	L(EINV, 2, 2, 2, 0x63, 0x07),			/* ARPL / MOVSXD */
	L(1, 1, 1, 3, 0x48, 0x63, 0x07),
	L(2, 2, 2, 2, 0x8f, 0x07),			/* POP Ev */
	L(2, 2, 2, 2, 0x8f, 0xc0),
	L(NOSUP, NOSUP, NOSUP, NOSUP, 0x8f, 0xe8, 0x78, 0xc2, 0xc1, 0x01),
	L(EINV, EINV, EINV, EINV, 0xd6),		/* SALC */
	L(2, 2, 2, EINV, 0xd4, 0x0a),			/* AAM */
	L(2, 2, 2, NOSUP, 0xd5, 0x0a),			/* AAD / APX REX2 */
	L(1, 1, 1, EINV, 0x06),				/* PUSH ES */
	L(1, 1, 1, EINV, 0x1f),				/* POP DS */
	L(1, 1, 1, EINV, 0x27),				/* DAA */
	L(1, 1, 1, EINV, 0x60),				/* PUSHA */
	L(2, 2, 2, 2, 0x0f, 0xa0),			/* PUSH FS */
	L(2, 2, 2, 2, 0xd9, 0xc9),			/* FXCH */
	L_D4(2, 2, 6, 6, 0xdd, 0x05),			/* FLD m64 */

	/* Two- and three-byte maps. */
	L(EINV, EINV, EINV, EINV, 0x0f, 0x04),
	L(EINV, EINV, EINV, EINV, 0x0f, 0x24, 0xc0),	/* MOV from TR */
	L(EINV, EINV, EINV, EINV, 0x0f, 0x3b),
	L(3, 3, 3, 3, 0x0f, 0xff, 0x00),		/* UD0 Gv,Ev */
	L(3, 3, 3, 3, 0x0f, 0xb9, 0x00),		/* UD1 */
	L(4, 4, 4, 4, 0x0f, 0x0f, 0xc1, 0xb4),		/* 3DNow! */
	L(3, 3, 3, 3, 0x0f, 0x0d, 0x08),		/* PREFETCHW */
	L(4, 4, 4, 4, 0x0f, 0x38, 0x00, 0xc1),		/* PSHUFB */
	L(6, 6, 6, 6, 0x66, 0x0f, 0x3a, 0x0f, 0xc1, 0x08),	/* PALIGNR */
	L(5, 5, 5, 5, 0xf2, 0x0f, 0x38, 0xf1, 0xc1),	/* CRC32 */
	L(4, 4, 4, 4, 0x0f, 0xba, 0xe0, 0x05),		/* BT Ev,Ib */
	L(EINV, EINV, EINV, EINV, 0x0f, 0xba, 0xc0, 0x05),	/* 0F BA /0 */
	L(6, 6, 6, 6, 0x66, 0x0f, 0x78, 0xc0, 0x01, 0x02),	/* EXTRQ */
	L(6, 6, 6, 6, 0xf2, 0x0f, 0x78, 0xc1, 0x01, 0x02),	/* INSERTQ */
	L(3, 3, 3, 3, 0x0f, 0x78, 0xc0),		/* VMREAD */
	L(4, 4, 4, 4, 0x0f, 0x70, 0xc1, 0x1b),		/* PSHUFW */
	L(4, 4, 4, 4, 0x0f, 0xc2, 0xc1, 0x00),		/* CMPPS */
	L(4, 4, 4, 4, 0x0f, 0xa4, 0xc0, 0x04),		/* SHLD Ib */
	L(2, 2, 2, 2, 0x0f, 0xc8),			/* BSWAP */
	L(2, 2, 2, 2, 0x0f, 0x77),			/* EMMS */
	L(3, 3, 3, 3, 0x0f, 0xae, 0xf0),		/* MFENCE */
	L(3, 3, 3, 3, 0x0f, 0xc7, 0xf8),		/* RDSEED */
	L(3, 3, 3, 3, 0x0f, 0xa7, 0xc0),		/* VIA XSTORE */
	L_D4(3, 3, 7, 7, 0x0f, 0xb6, 0x05),		/* MOVZX */

	/* VEX and EVEX; LES, LDS and BOUND outside 64-bit mode. */
	L(EINV, 3, 3, 3, 0xc5, 0xf8, 0x77),		/* VZEROUPPER */
	L(EINV, 4, 4, 4, 0xc5, 0xfd, 0x6f, 0x07),	/* VMOVDQA ymm0,[m] */
	L(EINV, 6, 6, 6, 0xc4, 0xe3, 0x7d, 0x18, 0xc1, 0x01),	/* VINSERTF128 */
	L(EINV, 5, 5, 5, 0xc4, 0xe2, 0x7d, 0x18, 0x07),	/* VBROADCASTSS */
	L_D4(EINV, 5, 9, 9, 0xc4, 0xe2, 0x79, 0x18, 0x05),
	L(EINV, EINV, EINV, EINV, 0xc4, 0xe0, 0x7d, 0x18, 0xc1),	/* map 0 */
	L(EINV, EINV, EINV, EINV, 0x66, 0xc5, 0xf8, 0x77),	/* 66 + VEX */
	L(EINV, EINV, EINV, EINV, 0xf0, 0xc5, 0xf8, 0x77),	/* F0 + VEX */
	L(1, 1, 1, EINV, 0x40, 0xc5, 0xf8, 0x77),	/* INC AX / REX + VEX */
	L(2, 2, 2, EINV, 0xc4, 0x07, 0x00, 0x00, 0x00),	/* LES / bad VEX map */
	L(EINV, 6, 6, 6, 0x62, 0xf1, 0x7c, 0x48, 0x10, 0x07),	/* VMOVUPS zmm */
	L_D4(EINV, 6, 10, 10, 0x62, 0xf1, 0x7c, 0x48, 0x10, 0x05),
	L(EINV, 7, 7, 7, 0x62, 0xf1, 0x7c, 0x48, 0x10, 0x47, 0x01),
	L(EINV, 7, 7, 7, 0x62, 0xf3, 0x7d, 0x48, 0x18, 0xc1, 0x01),	/* map 3 */
	L(EINV, NOSUP, NOSUP, NOSUP, 0x62, 0xf5, 0x7c, 0x48, 0x10, 0xc0),
	L(EINV, EINV, EINV, EINV, 0x62, 0xf1, 0x78, 0x48, 0x10, 0xc0),	/* P1.2 = 0 */
	L(2, 2, 2, EINV, 0x62, 0x07, 0x00, 0x00, 0x00, 0x00),	/* BOUND */

	/* LOCK only on read-modify-write of memory. */
	L(3, 3, 3, 3, 0xf0, 0x01, 0x07),		/* LOCK ADD */
	L(EINV, EINV, EINV, EINV, 0xf0, 0x01, 0xc0),	/* register destination */
	L(EINV, EINV, EINV, EINV, 0xf0, 0x90),
	L(EINV, EINV, EINV, EINV, 0xf0, 0x8b, 0x07),	/* MOV */
	L(EINV, EINV, EINV, EINV, 0xf0, 0x39, 0x07),	/* CMP */
	L(EINV, EINV, EINV, EINV, 0xf0, 0x03, 0x07),	/* ADD Gv,Ev */
	L(EINV, EINV, EINV, EINV, 0xf0, 0x80, 0x3f, 0x01),	/* CMP Eb,Ib */
	L(4, 4, 4, 4, 0xf0, 0x80, 0x37, 0x01),		/* XOR Eb,Ib */
	L(3, 3, 3, 3, 0xf0, 0x87, 0x07),		/* XCHG */
	L(3, 3, 3, 3, 0xf0, 0xf6, 0x17),		/* NOT */
	L(EINV, EINV, EINV, EINV, 0xf0, 0xf6, 0x07, 0x01),	/* TEST */
	L(3, 3, 3, 3, 0xf0, 0xff, 0x07),		/* INC */
	L(EINV, EINV, EINV, EINV, 0xf0, 0xff, 0x17),	/* CALL */
	L(4, 4, 4, 4, 0xf0, 0x0f, 0xc7, 0x0f),		/* CMPXCHG8B */
	L(4, 4, 4, 4, 0xf0, 0x0f, 0xb1, 0x0f),		/* CMPXCHG */
	L(4, 4, 4, 4, 0xf0, 0x0f, 0xc1, 0x07),		/* XADD */
	L(4, 4, 4, 4, 0xf0, 0x0f, 0xab, 0x07),		/* BTS */
	L(EINV, EINV, EINV, EINV, 0xf0, 0x0f, 0xa3, 0x07),	/* BT */
	L(5, 5, 5, 5, 0xf0, 0x0f, 0xba, 0x2f, 0x01),	/* BTS Ib */
	L(EINV, EINV, EINV, EINV, 0xf0, 0x0f, 0xba, 0x27, 0x01),	/* BT Ib */

	/* REX and its interplay with legacy prefixes. */
	L(1, 1, 1, 5, 0x41, 0x8b, 0x44, 0x24, 0x08),	/* [r12+8]: SIB */
	L(1, 1, 1, 4, 0x41, 0x8b, 0x45, 0x00),		/* [r13+0] */
	L_D4(1, 1, 1, 7, 0x41, 0x8b, 0x05),		/* still RIP-relative */
	L_D4(1, 1, 1, 8, 0x42, 0x8b, 0x04, 0x25),	/* REX.X: [r12*1+d32] */
	L_D4(1, 1, 1, 8, 0x41, 0x8b, 0x04, 0x25),	/* REX.B: still no base */
	L_D4(1, 1, 1, 8, 0x4c, 0x8b, 0x24, 0x25),
	L(2, 2, 2, 4, 0x2e, 0x48, 0x8b, 0x00),
	L(1, 1, 1, 4, 0x48, 0x2e, 0x8b, 0x00),		/* REX, then legacy */
	L(1, 1, 1, EINV, 0x40),				/* lone REX: truncated */
	L(1, 1, 1, 4, 0x49, 0x0f, 0x20, 0xc0, 0x90),

	/* At most 15 bytes. */
	L(15, 15, 15, 15, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
	  0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x90),
	L(EINV, EINV, EINV, EINV, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
	  0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x90),
	L_D8(6, 6, 6, 15, 0x26, 0x26, 0x26, 0x26, 0x26, 0x48, 0xb8),
	L_D8(7, 7, 7, EINV, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x48, 0xb8),
	L(EINV, EINV, EINV, 15, 0x64, 0x67, 0xf0, 0x48, 0x81, 0x84, 0xc8,
	  0x78, 0x56, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12),
	L(EINV, EINV, EINV, EINV, 0x2e, 0x2e, 0x67, 0xf0, 0x48, 0x81,
	  0x84, 0xc8, 0x78, 0x56, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12),
};

/* The expected length (or error) in @mode: vm86 mode decodes like real mode. */
static int len_want(const struct len_case *c, unsigned int mode)
{
	return c->want[mode == HV_MODE_VM86 ? HV_MODE_REAL : mode];
}

HV_TEST(length_table)
{
	char hex[64];
	unsigned int i, m;
	int got;

	for (i = 0; i < ARRAY_SIZE(len_cases); i++) {
		const struct len_case *c = &len_cases[i];

		for (m = 0; m < HV_MODE_NR; m++) {
			got = hv_insn_length(c->b, c->n, m);
			if (got != len_want(c, m)) {
				hexstr(hex, sizeof(hex), c->b, c->n);
				HV_FAIL("case %u [%s] %s: got %d, want %d", i,
					hex, mode_name[m], got, len_want(c, m));
			}
		}
	}
}

/* Every proper prefix of a valid instruction is truncated: -EINVAL. */
HV_TEST(length_truncated)
{
	unsigned int i, m, n;
	int want;

	for (i = 0; i < ARRAY_SIZE(len_cases); i++) {
		const struct len_case *c = &len_cases[i];

		for (m = 0; m < HV_MODE_NR; m++) {
			want = len_want(c, m);
			if (want <= 0)
				continue;
			for (n = 0; n < (unsigned int)want; n++)
				HV_ASSERT(hv_insn_length(c->b, n, m) == EINV,
					  "case %u %s n=%u", i, mode_name[m], n);
			/* More bytes than needed change nothing. */
			HV_ASSERT_EQ(hv_insn_length(c->b, 16, m), want);
		}
	}
}

/* hv_insn_decode() agrees with hv_insn_length() on every table entry. */
HV_TEST(decode_agrees_with_length)
{
	struct hv_insn insn;
	unsigned int i, m;
	int r;

	for (i = 0; i < ARRAY_SIZE(len_cases); i++) {
		const struct len_case *c = &len_cases[i];

		for (m = 0; m < HV_MODE_NR; m++) {
			r = hv_insn_decode(&insn, c->b, c->n, m);
			if (len_want(c, m) > 0) {
				HV_ASSERT(r == 0 || r == NOSUP,
					  "case %u %s: %d", i, mode_name[m], r);
				HV_ASSERT_EQ(insn.len, len_want(c, m));
			} else {
				HV_ASSERT(r == len_want(c, m), "case %u %s: %d",
					  i, mode_name[m], r);
			}
		}
	}
}

HV_TEST(length_bad_arguments)
{
	static const u8 nop = 0x90;

	HV_ASSERT_EQ(hv_insn_length(&nop, 1, HV_MODE_NR), EINV);
	HV_ASSERT_EQ(hv_insn_length(&nop, 1, (enum hv_cpu_mode)-1), EINV);
	HV_ASSERT_EQ(hv_insn_length(NULL, 0, HV_MODE_LONG64), EINV);
	HV_ASSERT_EQ(hv_insn_length(&nop, 0, HV_MODE_LONG64), EINV);
}

/* ------------------------------------------------------------------ */
/* Decoded fields                                                      */
/* ------------------------------------------------------------------ */

static void decode_ok(struct hv_insn *insn, enum hv_cpu_mode mode,
		      const u8 *b, unsigned int n, int want)
{
	int r = hv_insn_decode(insn, b, n, mode);

	if (r != want) {
		char hex[64];

		hexstr(hex, sizeof(hex), b, n);
		HV_FAIL("decode [%s] %s: %d, want %d", hex, mode_name[mode],
			r, want);
	}
}

#define DECODE(insn, mode, want, ...)					\
	decode_ok(insn, mode, (const u8[]){ __VA_ARGS__ },		\
		  sizeof((u8[]){ __VA_ARGS__ }), want)

HV_TEST(decode_prefixes_and_sizes)
{
	struct hv_insn i;

	DECODE(&i, HV_MODE_LONG64, 0, 0x48, 0x89, 0x03);
	HV_ASSERT_EQ(i.len, 3);
	HV_ASSERT_EQ(i.op_bytes, 8);
	HV_ASSERT_EQ(i.addr_bytes, 8);
	HV_ASSERT_EQ(i.rex, 0x48);
	HV_ASSERT_EQ(i.nr_prefixes, 1);
	HV_ASSERT_EQ(i.map, HV_MAP_1B);
	HV_ASSERT_EQ(i.opcode, 0x89);
	HV_ASSERT_EQ(i.modrm, 0x03);
	HV_ASSERT_EQ(i.mod, 0);
	HV_ASSERT_EQ(i.reg, 0);
	HV_ASSERT_EQ(i.rm, 3);
	HV_ASSERT_EQ(i.op, HV_OP_MOV);
	HV_ASSERT_EQ(i.dst, HV_OPND_MEM);
	HV_ASSERT_EQ(i.src, HV_OPND_REG);
	HV_ASSERT_EQ(i.mem_bytes, 8);
	HV_ASSERT_EQ(i.mem_access, HV_MEM_WRITE);

	/* REX.W takes precedence over 66. */
	DECODE(&i, HV_MODE_LONG64, 0, 0x66, 0x48, 0x89, 0x03);
	HV_ASSERT_EQ(i.op_bytes, 8);
	HV_ASSERT(i.opsize_prefix, "66 recorded");
	DECODE(&i, HV_MODE_LONG64, 0, 0x66, 0x89, 0x03);
	HV_ASSERT_EQ(i.op_bytes, 2);
	/* A REX followed by a legacy prefix is ignored. */
	DECODE(&i, HV_MODE_LONG64, 0, 0x48, 0x66, 0x89, 0x03);
	HV_ASSERT_EQ(i.op_bytes, 2);
	HV_ASSERT_EQ(i.rex, 0);
	HV_ASSERT_EQ(i.nr_prefixes, 2);
	/* Only the last REX counts. */
	DECODE(&i, HV_MODE_LONG64, 0, 0x48, 0x41, 0x89, 0x03);
	HV_ASSERT_EQ(i.op_bytes, 4);
	HV_ASSERT_EQ(i.rm, 11);
	DECODE(&i, HV_MODE_LONG64, 0, 0x67, 0x89, 0x03);
	HV_ASSERT_EQ(i.addr_bytes, 4);
	HV_ASSERT_EQ(i.op_bytes, 4);

	DECODE(&i, HV_MODE_REAL, 0, 0x89, 0x07);
	HV_ASSERT_EQ(i.op_bytes, 2);
	HV_ASSERT_EQ(i.addr_bytes, 2);
	DECODE(&i, HV_MODE_VM86, 0, 0x66, 0x67, 0x89, 0x03);
	HV_ASSERT_EQ(i.op_bytes, 4);
	HV_ASSERT_EQ(i.addr_bytes, 4);
	DECODE(&i, HV_MODE_PROT16, 0, 0x66, 0x89, 0x07);
	HV_ASSERT_EQ(i.op_bytes, 4);
	HV_ASSERT_EQ(i.addr_bytes, 2);
	DECODE(&i, HV_MODE_PROT32, 0, 0x89, 0x03);
	HV_ASSERT_EQ(i.op_bytes, 4);
	HV_ASSERT_EQ(i.addr_bytes, 4);
	DECODE(&i, HV_MODE_PROT32, 0, 0x66, 0x67, 0x89, 0x07);
	HV_ASSERT_EQ(i.op_bytes, 2);
	HV_ASSERT_EQ(i.addr_bytes, 2);
	/* No REX outside 64-bit mode: 48 is DEC eAX. */
	DECODE(&i, HV_MODE_PROT32, NOSUP, 0x48, 0x89, 0x03);
	HV_ASSERT_EQ(i.len, 1);

	/* Last REP prefix and last segment override win. */
	DECODE(&i, HV_MODE_LONG64, 0, 0xf2, 0xf3, 0xa4);
	HV_ASSERT_EQ(i.rep, 0xf3);
	DECODE(&i, HV_MODE_LONG64, 0, 0xf3, 0xf2, 0xa4);
	HV_ASSERT_EQ(i.rep, 0xf2);
	DECODE(&i, HV_MODE_PROT32, 0, 0x26, 0x2e, 0x89, 0x03);
	HV_ASSERT_EQ(i.seg_prefix, 0x2e);
	HV_ASSERT_EQ(i.seg, HV_SEG_CS);
	HV_ASSERT_EQ(i.nr_prefixes, 2);
	DECODE(&i, HV_MODE_LONG64, 0, 0xf0, 0x01, 0x03);
	HV_ASSERT(i.lock, "lock");
}

HV_TEST(decode_modrm_fields)
{
	struct hv_insn i;

	/* REX.R and REX.B extend reg and the SIB base; index 4 is none. */
	DECODE(&i, HV_MODE_LONG64, 0, 0x4d, 0x89, 0x04, 0x24);
	HV_ASSERT_EQ(i.reg, HV_GPR_R8);
	HV_ASSERT(i.has_sib, "sib");
	HV_ASSERT_EQ(i.sib, 0x24);
	HV_ASSERT_EQ(i.ea_base, HV_GPR_R12);
	HV_ASSERT_EQ(i.ea_index, HV_EA_NONE);
	/* ... but with REX.X, index 12 (R12) is a real index. */
	DECODE(&i, HV_MODE_LONG64, 0, 0x4f, 0x89, 0x04, 0x24);
	HV_ASSERT_EQ(i.ea_index, HV_GPR_R12);
	HV_ASSERT_EQ(i.ea_base, HV_GPR_R12);
	/* [rbx+rcx*4-8] */
	DECODE(&i, HV_MODE_LONG64, 0, 0x8b, 0x44, 0x8b, 0xf8);
	HV_ASSERT_EQ(i.ea_base, HV_GPR_RBX);
	HV_ASSERT_EQ(i.ea_index, HV_GPR_RCX);
	HV_ASSERT_EQ(i.ea_scale, 2);
	HV_ASSERT_EQ(i.disp_bytes, 1);
	HV_ASSERT_EQ(i.disp, -8);
	/* SIB without base: disp32, sign-extended. */
	DECODE(&i, HV_MODE_LONG64, 0, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x00, 0x80);
	HV_ASSERT_EQ(i.ea_base, HV_EA_NONE);
	HV_ASSERT_EQ(i.ea_index, HV_EA_NONE);
	HV_ASSERT_EQ(i.disp, 0xffffffff80000000ULL);
	/* RIP-relative; plain disp32 outside 64-bit mode. */
	DECODE(&i, HV_MODE_LONG64, 0, 0x8b, 0x05, 0x78, 0x56, 0x34, 0x12);
	HV_ASSERT_EQ(i.ea_base, HV_EA_RIP);
	DECODE(&i, HV_MODE_PROT32, 0, 0x8b, 0x05, 0x78, 0x56, 0x34, 0x12);
	HV_ASSERT_EQ(i.ea_base, HV_EA_NONE);
	HV_ASSERT_EQ(i.disp, 0x12345678);
	/* 16-bit forms. */
	DECODE(&i, HV_MODE_REAL, 0, 0x8b, 0x42, 0xfe);
	HV_ASSERT_EQ(i.ea_base, HV_GPR_RBP);
	HV_ASSERT_EQ(i.ea_index, HV_GPR_RSI);
	HV_ASSERT_EQ(i.disp, -2);
	HV_ASSERT_EQ(i.seg, HV_SEG_SS);
	DECODE(&i, HV_MODE_REAL, 0, 0x8b, 0x06, 0x34, 0x12);
	HV_ASSERT_EQ(i.ea_base, HV_EA_NONE);
	HV_ASSERT_EQ(i.disp_bytes, 2);
	HV_ASSERT_EQ(i.disp, 0x1234);
	HV_ASSERT_EQ(i.seg, HV_SEG_DS);
	DECODE(&i, HV_MODE_REAL, 0, 0x8b, 0x87, 0x00, 0x80);
	HV_ASSERT_EQ(i.ea_base, HV_GPR_RBX);
	HV_ASSERT_EQ(i.disp, 0xffffffffffff8000ULL);
	/* MOV CR: register form whatever ModRM.mod says. */
	DECODE(&i, HV_MODE_PROT32, NOSUP, 0x0f, 0x20, 0x05);
	HV_ASSERT_EQ(i.mod, 3);
	HV_ASSERT(!i.has_mem, "no memory operand");
	/* Immediates, raw. */
	DECODE(&i, HV_MODE_LONG64, 0, 0x83, 0x03, 0xff);
	HV_ASSERT_EQ(i.imm_bytes, 1);
	HV_ASSERT_EQ(i.imm, 0xff);
	DECODE(&i, HV_MODE_LONG64, NOSUP, 0xc8, 0x10, 0x00, 0x01);
	HV_ASSERT_EQ(i.imm, 0x10);
	HV_ASSERT_EQ(i.imm_bytes, 2);
	HV_ASSERT_EQ(i.imm2, 1);
	HV_ASSERT_EQ(i.imm2_bytes, 1);
	DECODE(&i, HV_MODE_LONG64, 0, 0x48, 0xa1, 0x78, 0x56, 0x34, 0x12, 0xf0, 0xde, 0xbc, 0x9a);
	HV_ASSERT_EQ(i.disp, 0x9abcdef012345678ULL);
	HV_ASSERT_EQ(i.disp_bytes, 8);
	/* VEX is decoded for its length only. */
	DECODE(&i, HV_MODE_LONG64, NOSUP, 0xc4, 0xe2, 0x7d, 0x18, 0x07);
	HV_ASSERT_EQ(i.vex, 0xc4);
	HV_ASSERT_EQ(i.map, HV_MAP_0F38);
	HV_ASSERT_EQ(i.opcode, 0x18);
	HV_ASSERT_EQ(i.len, 5);
}

HV_TEST(decode_segments)
{
	struct hv_insn i;

	DECODE(&i, HV_MODE_LONG64, 0, 0x89, 0x03);
	HV_ASSERT_EQ(i.seg, HV_SEG_DS);
	DECODE(&i, HV_MODE_LONG64, 0, 0x89, 0x45, 0x00);	/* [rbp] */
	HV_ASSERT_EQ(i.seg, HV_SEG_SS);
	DECODE(&i, HV_MODE_LONG64, 0, 0x89, 0x04, 0x24);	/* [rsp] */
	HV_ASSERT_EQ(i.seg, HV_SEG_SS);
	DECODE(&i, HV_MODE_LONG64, 0, 0x89, 0x04, 0x2c);	/* [rsp+rbp] */
	HV_ASSERT_EQ(i.seg, HV_SEG_SS);
	DECODE(&i, HV_MODE_LONG64, 0, 0x89, 0x04, 0x65, 0x78, 0x56, 0x34, 0x12);	/* [d32] */
	HV_ASSERT_EQ(i.seg, HV_SEG_DS);
	DECODE(&i, HV_MODE_LONG64, 0, 0x64, 0x89, 0x03);
	HV_ASSERT_EQ(i.seg, HV_SEG_FS);
	DECODE(&i, HV_MODE_LONG64, 0, 0x65, 0x89, 0x45, 0x00);
	HV_ASSERT_EQ(i.seg, HV_SEG_GS);
	/* 64-bit mode ignores ES/CS/SS/DS overrides. */
	DECODE(&i, HV_MODE_LONG64, 0, 0x2e, 0x89, 0x03);
	HV_ASSERT_EQ(i.seg, HV_SEG_DS);
	DECODE(&i, HV_MODE_LONG64, 0, 0x3e, 0x89, 0x45, 0x00);
	HV_ASSERT_EQ(i.seg, HV_SEG_SS);
	DECODE(&i, HV_MODE_PROT32, 0, 0x3e, 0x89, 0x45, 0x00);
	HV_ASSERT_EQ(i.seg, HV_SEG_DS);
	DECODE(&i, HV_MODE_PROT32, 0, 0x26, 0x89, 0x03);
	HV_ASSERT_EQ(i.seg, HV_SEG_ES);
	DECODE(&i, HV_MODE_PROT16, 0, 0x36, 0x89, 0x07);
	HV_ASSERT_EQ(i.seg, HV_SEG_SS);
	DECODE(&i, HV_MODE_REAL, 0, 0x89, 0x46, 0x00);		/* [bp] */
	HV_ASSERT_EQ(i.seg, HV_SEG_SS);
	DECODE(&i, HV_MODE_REAL, 0, 0x89, 0x03);		/* [bp+di] */
	HV_ASSERT_EQ(i.seg, HV_SEG_SS);
	DECODE(&i, HV_MODE_REAL, 0, 0x89, 0x01);		/* [bx+di] */
	HV_ASSERT_EQ(i.seg, HV_SEG_DS);
	/* String source: DS:rSI, overridable. */
	DECODE(&i, HV_MODE_PROT32, 0, 0x26, 0xa4);
	HV_ASSERT_EQ(i.seg, HV_SEG_ES);
	DECODE(&i, HV_MODE_LONG64, 0, 0x65, 0xac);
	HV_ASSERT_EQ(i.seg, HV_SEG_GS);
}

/* Valid, but not for the MMIO emulator; and MMIO-ish but undefined. */
HV_TEST(decode_not_emulated)
{
	struct hv_insn i;

	DECODE(&i, HV_MODE_LONG64, NOSUP, 0x89, 0xc3);		/* register */
	HV_ASSERT_EQ(i.len, 2);
	DECODE(&i, HV_MODE_LONG64, NOSUP, 0x0f, 0xa2);		/* CPUID */
	DECODE(&i, HV_MODE_LONG64, NOSUP, 0xf4);
	DECODE(&i, HV_MODE_LONG64, NOSUP, 0x8d, 0x03);		/* LEA */
	DECODE(&i, HV_MODE_LONG64, NOSUP, 0x0f, 0xb6, 0xc3);	/* MOVZX reg */
	DECODE(&i, HV_MODE_LONG64, NOSUP, 0xf7, 0x23);		/* MUL */
	DECODE(&i, HV_MODE_LONG64, NOSUP, 0x0f, 0xab, 0x03);	/* BTS */
	DECODE(&i, HV_MODE_LONG64, NOSUP, 0x0f, 0xb1, 0x0b);	/* CMPXCHG */
	DECODE(&i, HV_MODE_LONG64, NOSUP, 0xa6);		/* CMPSB */
	DECODE(&i, HV_MODE_LONG64, NOSUP, 0xd1, 0x23);		/* SHL */
	DECODE(&i, HV_MODE_LONG64, NOSUP, 0xff, 0x33);		/* PUSH */
	DECODE(&i, HV_MODE_LONG64, NOSUP, 0x8f, 0x03);		/* POP */
	DECODE(&i, HV_MODE_LONG64, NOSUP, 0x0f, 0x10, 0x03);	/* MOVUPS */
	DECODE(&i, HV_MODE_LONG64, NOSUP, 0xc5, 0xfd, 0x6f, 0x03);
	DECODE(&i, HV_MODE_LONG64, NOSUP, 0x63, 0xc3);		/* MOVSXD reg */
	DECODE(&i, HV_MODE_PROT32, NOSUP, 0x63, 0x03);		/* ARPL */
	DECODE(&i, HV_MODE_PROT32, NOSUP, 0xc4, 0x03);		/* LES */
	DECODE(&i, HV_MODE_LONG64, NOSUP, 0xd5, 0x00, 0x8b, 0x03);	/* REX2 */
	DECODE(&i, HV_MODE_LONG64, EINV, 0x66, 0x0f, 0xc3, 0x03);	/* MOVNTI */
	DECODE(&i, HV_MODE_LONG64, EINV, 0xf3, 0x0f, 0xc3, 0x03);
	DECODE(&i, HV_MODE_LONG64, EINV, 0xf0, 0x89, 0x03);	/* LOCK MOV */
	DECODE(&i, HV_MODE_LONG64, EINV, 0xc7, 0x0b, 0x78, 0x56, 0x34, 0x12);	/* C7 /1 */
	DECODE(&i, HV_MODE_LONG64, EINV, 0x8b);		/* truncated */
	DECODE(&i, HV_MODE_LONG64, EINV, 0x8b, 0x43);
}

/* ------------------------------------------------------------------ */
/* MMIO: begin                                                         */
/* ------------------------------------------------------------------ */

/* RAX = f0e0d0c0b0a09080, RCX = f1e1..9181, ..., R15 = ffef..9f8f. */
static void regs_init(struct hv_emul_regs *r)
{
	unsigned int i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < HV_NR_GPRS; i++)
		r->gpr[i] = 0xf0e0d0c0b0a09080ULL + i * 0x0101010101010101ULL;
	r->rip = 0x1000;
	r->rflags = HV_RFLAGS_FIXED | HV_RFLAGS_IF;
}

#define RAX0	0xf0e0d0c0b0a09080ULL
#define RCX0	0xf1e1d1c1b1a19181ULL
#define RBX0	0xf3e3d3c3b3a39383ULL
#define R8_0	0xf8e8d8c8b8a89888ULL

struct begin_case {
	u8 mode;
	u8 b[15];
	u8 n;
	u8 dir;
	u8 size;
	bool rmw;
	bool movs;
	u64 data;
	u8 seg;
};

#define R	HV_MMIO_READ
#define W	HV_MMIO_WRITE
#define BEGS(m, d_, sz_, rmw_, mv_, val_, sg_, ...)			\
	{ .mode = HV_MODE_##m, .b = { __VA_ARGS__ },			\
	  .n = sizeof((u8[]){ __VA_ARGS__ }), .dir = d_, .size = sz_,	\
	  .rmw = rmw_, .movs = mv_, .data = val_, .seg = HV_SEG_##sg_ }
#define BEG(m, d_, sz_, rmw_, val_, ...)				\
	BEGS(m, d_, sz_, rmw_, 0, val_, DS, __VA_ARGS__)

static const struct begin_case begin_cases[] = {
	/* Stores: the value from the register, AH..BH only without REX. */
	BEG(LONG64, W, 1, 0, 0x80, 0x88, 0x03),		/* MOV [rbx],AL */
	BEG(LONG64, W, 1, 0, 0x90, 0x88, 0x23),		/* AH */
	BEG(LONG64, W, 1, 0, 0x84, 0x40, 0x88, 0x23),	/* SPL */
	BEG(LONG64, W, 1, 0, 0x91, 0x88, 0x2b),		/* CH */
	BEG(LONG64, W, 1, 0, 0x85, 0x40, 0x88, 0x2b),	/* BPL */
	BEG(LONG64, W, 1, 0, 0x92, 0x88, 0x33),		/* DH */
	BEG(LONG64, W, 1, 0, 0x86, 0x40, 0x88, 0x33),	/* SIL */
	BEG(LONG64, W, 1, 0, 0x93, 0x88, 0x3b),		/* BH */
	BEG(LONG64, W, 1, 0, 0x87, 0x40, 0x88, 0x3b),	/* DIL */
	BEG(LONG64, W, 1, 0, 0x84, 0x41, 0x88, 0x23),	/* REX.B: SPL */
	BEG(LONG64, W, 1, 0, 0x8c, 0x44, 0x88, 0x23),	/* R12B */
	BEG(LONG64, W, 4, 0, 0xb0a09080, 0x89, 0x03),
	BEG(LONG64, W, 2, 0, 0x9080, 0x66, 0x89, 0x03),
	BEG(LONG64, W, 8, 0, RAX0, 0x48, 0x89, 0x03),
	BEG(LONG64, W, 8, 0, R8_0, 0x4c, 0x89, 0x03),
	BEG(LONG64, W, 4, 0, 0xb8a89888, 0x44, 0x89, 0x03),
	BEG(LONG64, W, 4, 0, 0xb0a09080, 0x0f, 0xc3, 0x03),	/* MOVNTI */
	BEG(LONG64, W, 8, 0, RAX0, 0x48, 0x0f, 0xc3, 0x03),
	/* Immediates: C7 sign-extends imm32 to 64 bits. */
	BEG(LONG64, W, 1, 0, 0xab, 0xc6, 0x03, 0xab),
	BEG(LONG64, W, 4, 0, 0x80000000, 0xc7, 0x03, 0x00, 0x00, 0x00, 0x80),
	BEG(LONG64, W, 8, 0, 0xffffffff80000000ULL,
	    0x48, 0xc7, 0x03, 0x00, 0x00, 0x00, 0x80),
	BEG(LONG64, W, 8, 0, 0x7fffffff, 0x48, 0xc7, 0x03, 0xff, 0xff, 0xff, 0x7f),
	BEG(LONG64, W, 2, 0, 0x1234, 0x66, 0xc7, 0x03, 0x34, 0x12),
	BEGS(LONG64, W, 8, 0, 0, 0x12345678, SS, 0x48, 0xc7, 0x44, 0x24, 0x10,
	     0x78, 0x56, 0x34, 0x12),
	/* moffs */
	BEG(LONG64, W, 1, 0, 0x80, 0xa2, 0x78, 0x56, 0x34, 0x12, 0xf0, 0xde, 0xbc, 0x9a),
	BEG(LONG64, W, 8, 0, RAX0, 0x48, 0xa3, 0x78, 0x56, 0x34, 0x12, 0xf0, 0xde, 0xbc, 0x9a),
	BEG(LONG64, W, 2, 0, 0x9080, 0x66, 0xa3, 0x78, 0x56, 0x34, 0x12, 0xf0, 0xde, 0xbc, 0x9a),
	BEG(LONG64, R, 1, 0, 0, 0xa0, 0x78, 0x56, 0x34, 0x12, 0xf0, 0xde, 0xbc, 0x9a),
	BEG(LONG64, R, 4, 0, 0, 0xa1, 0x78, 0x56, 0x34, 0x12, 0xf0, 0xde, 0xbc, 0x9a),
	BEG(LONG64, R, 8, 0, 0, 0x48, 0xa1, 0x78, 0x56, 0x34, 0x12, 0xf0, 0xde, 0xbc, 0x9a),
	/* Loads */
	BEG(LONG64, R, 1, 0, 0, 0x8a, 0x03),
	BEG(LONG64, R, 4, 0, 0, 0x8b, 0x03),
	BEG(LONG64, R, 2, 0, 0, 0x66, 0x8b, 0x03),
	BEG(LONG64, R, 8, 0, 0, 0x48, 0x8b, 0x03),
	BEG(LONG64, R, 1, 0, 0, 0x0f, 0xb6, 0x03),
	BEG(LONG64, R, 2, 0, 0, 0x0f, 0xb7, 0x03),
	BEG(LONG64, R, 1, 0, 0, 0x48, 0x0f, 0xbe, 0x03),
	BEG(LONG64, R, 2, 0, 0, 0x48, 0x0f, 0xbf, 0x03),
	BEG(LONG64, R, 4, 0, 0, 0x48, 0x63, 0x03),
	BEG(LONG64, R, 4, 0, 0, 0x63, 0x03),
	BEG(LONG64, R, 2, 0, 0, 0x66, 0x63, 0x03),
	/* ALU: memory destination is read-modify-write, CMP/TEST read. */
	BEG(LONG64, R, 4, 1, 0, 0x01, 0x03),
	BEG(LONG64, R, 1, 1, 0, 0x00, 0x03),
	BEG(LONG64, R, 8, 1, 0, 0x48, 0x01, 0x03),
	BEG(LONG64, R, 2, 1, 0, 0x66, 0x29, 0x03),
	BEG(LONG64, R, 4, 1, 0, 0xf0, 0x09, 0x03),	/* LOCK OR */
	BEG(LONG64, R, 4, 0, 0, 0x39, 0x03),
	BEG(LONG64, R, 1, 0, 0, 0x38, 0x03),
	BEG(LONG64, R, 4, 0, 0, 0x03, 0x03),
	BEG(LONG64, R, 1, 0, 0, 0x0a, 0x03),
	BEG(LONG64, R, 4, 0, 0, 0x3b, 0x03),
	BEG(LONG64, R, 1, 1, 0, 0x80, 0x0b, 0x01),
	BEG(LONG64, R, 4, 1, 0, 0x81, 0x23, 0x78, 0x56, 0x34, 0x12),
	BEG(LONG64, R, 4, 1, 0, 0x83, 0x23, 0xf0),
	BEG(LONG64, R, 8, 1, 0, 0x48, 0x83, 0x23, 0xf0),
	BEG(LONG64, R, 1, 0, 0, 0x80, 0x3b, 0x05),
	BEG(LONG64, R, 4, 0, 0, 0x83, 0x3b, 0x05),
	BEG(LONG64, R, 1, 0, 0, 0x84, 0x03),
	BEG(LONG64, R, 4, 0, 0, 0x85, 0x03),
	BEG(LONG64, R, 1, 0, 0, 0xf6, 0x03, 0x01),
	BEG(LONG64, R, 4, 0, 0, 0xf7, 0x03, 0x78, 0x56, 0x34, 0x12),
	BEG(LONG64, R, 8, 0, 0, 0x48, 0xf7, 0x03, 0x78, 0x56, 0x34, 0x12),
	BEG(LONG64, R, 1, 1, 0, 0xf6, 0x13),		/* NOT */
	BEG(LONG64, R, 4, 1, 0, 0xf7, 0x1b),		/* NEG */
	BEG(LONG64, R, 1, 1, 0, 0xfe, 0x03),		/* INC */
	BEG(LONG64, R, 4, 1, 0, 0xff, 0x0b),		/* DEC */
	BEG(LONG64, R, 8, 1, 0, 0x48, 0xff, 0x03),
	BEG(LONG64, R, 1, 1, 0, 0x86, 0x03),		/* XCHG */
	BEG(LONG64, R, 4, 1, 0, 0x87, 0x03),
	/* Strings */
	BEGS(LONG64, W, 1, 0, 0, 0x80, ES, 0xaa),
	BEGS(LONG64, W, 2, 0, 0, 0x9080, ES, 0x66, 0xab),
	BEGS(LONG64, W, 8, 0, 0, RAX0, ES, 0x48, 0xab),
	BEGS(LONG64, W, 1, 0, 0, 0x80, ES, 0x64, 0xaa),	/* no override */
	BEGS(LONG64, R, 1, 0, 0, 0, DS, 0xac),
	BEGS(LONG64, R, 4, 0, 0, 0, FS, 0x64, 0xad),
	BEGS(LONG64, R, 1, 0, 0, 0, ES, 0xae),
	BEGS(LONG64, R, 4, 0, 0, 0, ES, 0x2e, 0xaf),
	BEGS(LONG64, R, 1, 1, 1, 0, DS, 0xa4),
	BEGS(LONG64, R, 8, 1, 1, 0, GS, 0x65, 0x48, 0xa5),
	BEGS(PROT32, R, 2, 1, 1, 0, SS, 0x36, 0x66, 0xa5),
	/* Segments of ModRM operands */
	BEGS(LONG64, W, 4, 0, 0, 0xb0a09080, FS, 0x64, 0x89, 0x03),
	BEGS(LONG64, W, 4, 0, 0, 0xb0a09080, SS, 0x89, 0x45, 0x00),
	BEGS(PROT32, W, 4, 0, 0, 0xb0a09080, ES, 0x26, 0x89, 0x03),
	BEGS(REAL, W, 2, 0, 0, 0x9080, SS, 0x89, 0x46, 0x02),
	/* Legacy modes */
	BEG(PROT32, W, 4, 0, 0xb0a09080, 0x89, 0x03),
	BEG(PROT32, W, 2, 0, 0x9080, 0x66, 0x89, 0x03),
	BEG(PROT32, W, 4, 0, 0x12345678, 0xc7, 0x03, 0x78, 0x56, 0x34, 0x12),
	BEG(PROT32, W, 1, 0, 0x90, 0x88, 0x23),		/* AH */
	BEG(PROT32, R, 4, 0, 0, 0xa1, 0x78, 0x56, 0x34, 0x12),
	BEG(PROT16, W, 2, 0, 0x9080, 0x89, 0x07),
	BEG(REAL, W, 2, 0, 0x9080, 0x89, 0x07),
	BEG(REAL, W, 4, 0, 0xb0a09080, 0x66, 0x89, 0x07),
	BEG(REAL, W, 1, 0, 0x90, 0x88, 0x27),
	BEG(REAL, W, 2, 0, 0x1234, 0xc7, 0x07, 0x34, 0x12),
	BEG(REAL, W, 4, 0, 0x12345678, 0x66, 0xc7, 0x07, 0x78, 0x56, 0x34, 0x12),
	BEG(VM86, W, 2, 0, 0xfffe, 0xc7, 0x07, 0xfe, 0xff),
};

#undef R
#undef W

HV_TEST(mmio_begin_table)
{
	struct hv_emul_regs regs;
	struct hv_mmio_access acc;
	struct hv_insn insn;
	unsigned int i;
	char hex[64];

	for (i = 0; i < ARRAY_SIZE(begin_cases); i++) {
		const struct begin_case *c = &begin_cases[i];

		hexstr(hex, sizeof(hex), c->b, c->n);
		regs_init(&regs);
		HV_ASSERT(hv_insn_decode(&insn, c->b, c->n, c->mode) == 0,
			  "case %u [%s]", i, hex);
		HV_ASSERT_EQ(insn.len, c->n);
		memset(&acc, 0x5a, sizeof(acc));
		HV_ASSERT_EQ(hv_emul_mmio_begin(&insn, &regs, &acc), 0);
		HV_ASSERT(acc.dir == c->dir && acc.size == c->size &&
			  acc.rmw == c->rmw && acc.movs == c->movs &&
			  acc.data == c->data && acc.seg == c->seg,
			  "case %u [%s]: dir %u size %u rmw %u movs %u data %#llx seg %u",
			  i, hex, acc.dir, acc.size, acc.rmw, acc.movs,
			  (unsigned long long)acc.data, acc.seg);
	}
}

/* ------------------------------------------------------------------ */
/* MMIO: loads                                                         */
/* ------------------------------------------------------------------ */

/*
 * Runs one instruction's access with @data as the value read (ignored for
 * writes).  Returns complete()'s result; @acc is left as complete() left it.
 */
static int run(struct hv_insn *insn, struct hv_emul_regs *regs,
	       struct hv_mmio_access *acc, u64 data)
{
	HV_ASSERT_EQ(hv_emul_mmio_begin(insn, regs, acc), 0);
	if (acc->dir == HV_MMIO_READ)
		acc->data = data;
	return hv_emul_mmio_complete(insn, regs, acc);
}

struct load_case {
	u8 mode;
	u8 b[15];
	u8 n;
	u64 data;
	u8 reg;		/* the one register that changes */
	u64 want;
};

#define LD(m, val_, r_, want_, ...)					\
	{ .mode = HV_MODE_##m, .b = { __VA_ARGS__ },			\
	  .n = sizeof((u8[]){ __VA_ARGS__ }), .data = val_,		\
	  .reg = HV_GPR_##r_, .want = want_ }

static const struct load_case load_cases[] = {
	/* 8-bit: AH..BH without REX, SPL..DIL with any REX. */
	LD(LONG64, 0xab, RAX, 0xf0e0d0c0b0a090abULL, 0x8a, 0x03),
	LD(LONG64, 0xab, RAX, 0xf0e0d0c0b0a0ab80ULL, 0x8a, 0x23),
	LD(LONG64, 0xab, RSP, 0xf4e4d4c4b4a494abULL, 0x40, 0x8a, 0x23),
	LD(LONG64, 0xab, RSP, 0xf4e4d4c4b4a494abULL, 0x41, 0x8a, 0x23),
	LD(LONG64, 0xab, RCX, 0xf1e1d1c1b1a1ab81ULL, 0x8a, 0x2b),
	LD(LONG64, 0xab, RBP, 0xf5e5d5c5b5a595abULL, 0x40, 0x8a, 0x2b),
	LD(LONG64, 0xab, RDX, 0xf2e2d2c2b2a2ab82ULL, 0x8a, 0x33),
	LD(LONG64, 0xab, RSI, 0xf6e6d6c6b6a696abULL, 0x40, 0x8a, 0x33),
	LD(LONG64, 0xab, RBX, 0xf3e3d3c3b3a3ab83ULL, 0x8a, 0x3b),
	LD(LONG64, 0xab, RDI, 0xf7e7d7c7b7a797abULL, 0x40, 0x8a, 0x3b),
	LD(LONG64, 0xab, R12, 0xfcecdcccbcac9cabULL, 0x44, 0x8a, 0x23),
	LD(LONG64, 0xab, RAX, 0xf0e0d0c0b0a090abULL, 0xa0,
	   0x78, 0x56, 0x34, 0x12, 0xf0, 0xde, 0xbc, 0x9a),
	/* Bytes above the access size are ignored. */
	LD(LONG64, 0xffffffffffffff12ULL, RAX, 0xf0e0d0c0b0a09012ULL, 0x8a, 0x03),
	/* 16 bits keep the rest, 32 bits zero-extend, 64 bits replace. */
	LD(LONG64, 0x1122334455667788ULL, RAX, 0x55667788, 0x8b, 0x03),
	LD(LONG64, 0x1234, RAX, 0xf0e0d0c0b0a01234ULL, 0x66, 0x8b, 0x03),
	LD(LONG64, 0x1122334455667788ULL, RAX, 0x1122334455667788ULL,
	   0x48, 0x8b, 0x03),
	LD(LONG64, 0x1122334455667788ULL, R15, 0x1122334455667788ULL,
	   0x4c, 0x8b, 0x3b),
	LD(LONG64, 0x11223344, R9, 0x11223344, 0x44, 0x8b, 0x0b),
	LD(LONG64, 0x55667788, RAX, 0x55667788, 0xa1,
	   0x78, 0x56, 0x34, 0x12, 0xf0, 0xde, 0xbc, 0x9a),
	LD(LONG64, 0x1122334455667788ULL, RAX, 0x1122334455667788ULL,
	   0x48, 0xa1, 0x78, 0x56, 0x34, 0x12, 0xf0, 0xde, 0xbc, 0x9a),
	/* MOVZX / MOVSX / MOVSXD */
	LD(LONG64, 0x80, RAX, 0x80, 0x0f, 0xb6, 0x03),
	LD(LONG64, 0x80, RAX, 0xf0e0d0c0b0a00080ULL, 0x66, 0x0f, 0xb6, 0x03),
	LD(LONG64, 0xff, RAX, 0xff, 0x48, 0x0f, 0xb6, 0x03),
	LD(LONG64, 0x80, RSP, 0x80, 0x0f, 0xb6, 0x23),	/* ESP, not AH */
	LD(LONG64, 0x80, RAX, 0xffffff80, 0x0f, 0xbe, 0x03),
	LD(LONG64, 0x7f, RAX, 0x7f, 0x0f, 0xbe, 0x03),
	LD(LONG64, 0x80, RAX, 0xffffffffffffff80ULL, 0x48, 0x0f, 0xbe, 0x03),
	LD(LONG64, 0x80, RAX, 0xf0e0d0c0b0a0ff80ULL, 0x66, 0x0f, 0xbe, 0x03),
	LD(LONG64, 0x8000, RAX, 0x8000, 0x0f, 0xb7, 0x03),
	LD(LONG64, 0x8000, RAX, 0xffff8000, 0x0f, 0xbf, 0x03),
	LD(LONG64, 0x8000, RAX, 0xffffffffffff8000ULL, 0x48, 0x0f, 0xbf, 0x03),
	LD(LONG64, 0x8000, R10, 0xffffffffffff8000ULL, 0x4c, 0x0f, 0xbf, 0x13),
	LD(LONG64, 0x80000000, RAX, 0xffffffff80000000ULL, 0x48, 0x63, 0x03),
	LD(LONG64, 0x7fffffff, RAX, 0x7fffffff, 0x48, 0x63, 0x03),
	LD(LONG64, 0x80000000, RAX, 0x80000000, 0x63, 0x03),
	LD(LONG64, 0x8000, RAX, 0xf0e0d0c0b0a08000ULL, 0x66, 0x63, 0x03),
	/* ALU with a register destination (no write back to memory). */
	LD(LONG64, 0x01, RAX, 0xf0e0d0c0b0a09180ULL, 0x02, 0x23),	/* ADD AH */
	LD(LONG64, 0x0f, RAX, 0xf0e0d0c0b0a09000ULL, 0x22, 0x03),	/* AND AL */
	LD(LONG64, 0x80, RAX, 0xb0a09000, 0x2b, 0x03),		/* SUB EAX */
	LD(LONG64, ~0ULL, RAX, ~RAX0, 0x48, 0x33, 0x03),		/* XOR RAX */
	LD(LONG64, 0x0001, RCX, 0xf1e1d1c1b1a19182ULL, 0x66, 0x03, 0x0b),
	LD(LONG64, 0x12345678, RAX, RAX0, 0x3b, 0x03),		/* CMP */
	LD(LONG64, 0x12345678, RAX, RAX0, 0x85, 0x03),		/* TEST */
	LD(LONG64, 0x12345678, RAX, RAX0, 0x81, 0x3b, 0x78, 0x56, 0x34, 0x12),	/* CMP imm */
	/* Legacy modes: 32-bit destinations are zero-extended too. */
	LD(PROT32, 0x11223344, RAX, 0x11223344, 0x8b, 0x03),
	LD(PROT32, 0x1234, RAX, 0xf0e0d0c0b0a01234ULL, 0x66, 0x8b, 0x03),
	LD(PROT32, 0xab, RAX, 0xf0e0d0c0b0a0ab80ULL, 0x8a, 0x23),
	LD(PROT32, 0x80, RDX, 0xffffff80, 0x0f, 0xbe, 0x13),
	LD(PROT16, 0x1234, RAX, 0xf0e0d0c0b0a01234ULL, 0x8b, 0x07),
	LD(REAL, 0x1234, RAX, 0xf0e0d0c0b0a01234ULL, 0x8b, 0x07),
	LD(REAL, 0xab, RAX, 0xf0e0d0c0b0a0ab80ULL, 0x8a, 0x27),
	LD(REAL, 0xab, RBX, 0xf3e3d3c3b3a3ab83ULL, 0x8a, 0x3f),	/* BH,[bx] */
	LD(REAL, 0x12345678, RAX, 0x12345678, 0x66, 0x8b, 0x07),
	LD(REAL, 0x80, RAX, 0xf0e0d0c0b0a00080ULL, 0x0f, 0xb6, 0x07),
	LD(VM86, 0x80, RAX, 0xf0e0d0c0b0a0ff80ULL, 0x0f, 0xbe, 0x07),
	LD(VM86, 0x1234, RAX, 0xf0e0d0c0b0a01234ULL, 0xa1, 0x00, 0x10),
};

HV_TEST(mmio_load_table)
{
	struct hv_mmio_access acc;
	struct hv_insn insn;
	unsigned int i, r;
	char hex[64];

	for (i = 0; i < ARRAY_SIZE(load_cases); i++) {
		const struct load_case *c = &load_cases[i];
		struct hv_emul_regs regs, before;

		hexstr(hex, sizeof(hex), c->b, c->n);
		regs_init(&regs);
		before = regs;
		HV_ASSERT(hv_insn_decode(&insn, c->b, c->n, c->mode) == 0,
			  "case %u [%s]", i, hex);
		HV_ASSERT(run(&insn, &regs, &acc, c->data) == 0,
			  "case %u [%s]", i, hex);
		HV_ASSERT_EQ(acc.dir, HV_MMIO_READ);
		for (r = 0; r < HV_NR_GPRS; r++) {
			u64 want = r == c->reg ? c->want : before.gpr[r];

			HV_ASSERT(regs.gpr[r] == want,
				  "case %u [%s]: gpr %u = %#llx, want %#llx",
				  i, hex, r, (unsigned long long)regs.gpr[r],
				  (unsigned long long)want);
		}
		HV_ASSERT_EQ(regs.rip, before.rip + c->n);
	}
}

/* ------------------------------------------------------------------ */
/* MMIO: read-modify-write and flags                                   */
/* ------------------------------------------------------------------ */

#define CF	HV_RFLAGS_CF
#define PF	HV_RFLAGS_PF
#define AF	HV_RFLAGS_AF
#define ZF	HV_RFLAGS_ZF
#define SF	HV_RFLAGS_SF
#define OF	HV_RFLAGS_OF
#define ARITH	HV_RFLAGS_ARITH

struct rmw_case {
	u8 mode;
	u8 b[15];
	u8 n;
	u64 data;
	u64 flags_in;	/* status flags before */
	int ret;	/* complete(): HV_EMUL_WRITE or 0 */
	u64 write;	/* the value written back */
	u64 flags;	/* status flags after, worked by hand */
	u8 reg;		/* a register that changes, or 0xff */
	u64 regval;
};

#define NOREG	0xff
#define RMW(m, val_, fin_, ret_, wr_, fl_, r_, rv_, ...)			\
	{ .mode = HV_MODE_##m, .b = { __VA_ARGS__ },			\
	  .n = sizeof((u8[]){ __VA_ARGS__ }), .data = val_,		\
	  .flags_in = fin_, .ret = ret_, .write = wr_, .flags = fl_,	\
	  .reg = r_, .regval = rv_ }
#define WR	HV_EMUL_WRITE

static const struct rmw_case rmw_cases[] = {
	/* ADD [rbx],eAX: 1 + b0a09080 */
	RMW(LONG64, 1, 0, WR, 0xb0a09081, SF | PF, NOREG, 0, 0x01, 0x03),
	/* ADD [rbx],AH: 70 + 90 = 100 */
	RMW(LONG64, 0x70, 0, WR, 0x00, CF | ZF | PF, NOREG, 0, 0x00, 0x23),
	/* OR byte [rbx],1: logic ops clear CF, OF and (undefined) AF */
	RMW(LONG64, 0x80, ARITH, WR, 0x81, SF | PF, NOREG, 0, 0x80, 0x0b, 0x01),
	/* AND dword [rbx],-16 */
	RMW(LONG64, 0x12345678, ARITH, WR, 0x12345670, 0, NOREG, 0,
	    0x83, 0x23, 0xf0),
	RMW(LONG64, ~0ULL, 0, WR, 0xfffffffffffffff0ULL, SF | PF, NOREG, 0,
	    0x48, 0x83, 0x23, 0xf0),
	/* XOR dword [rbx],80000000h */
	RMW(LONG64, 0x80000001, 0, WR, 0x00000001, 0, NOREG, 0,
	    0x81, 0x33, 0x00, 0x00, 0x00, 0x80),
	/* SUB word [rbx],1: 0 - 1 */
	RMW(LONG64, 0, 0, WR, 0xffff, CF | SF | PF | AF, NOREG, 0,
	    0x66, 0x81, 0x2b, 0x01, 0x00),
	/* SUB [rbx],RAX: equal */
	RMW(LONG64, RAX0, 0, WR, 0, ZF | PF, NOREG, 0, 0x48, 0x29, 0x03),
	/* SBB byte [rbx],AL with CF: 80 - 80 - 1 */
	RMW(LONG64, 0x80, CF, WR, 0xff, CF | SF | PF | AF, NOREG, 0, 0x18, 0x03),
	/* ADC byte [rbx],AL with CF: 7f + 80 + 1 */
	RMW(LONG64, 0x7f, CF, WR, 0x00, CF | ZF | PF | AF, NOREG, 0, 0x10, 0x03),
	/* ADD dword: 7fffffff + 1 overflows */
	RMW(LONG64, 0x7fffffff, 0, WR, 0x80000000, OF | SF | PF | AF, NOREG, 0,
	    0x83, 0x03, 0x01),
	/* NOT leaves the flags alone */
	RMW(LONG64, 0x0f, ARITH, WR, 0xf0, ARITH, NOREG, 0, 0xf6, 0x13),
	RMW(LONG64, 0x0f, 0, WR, 0xf0, 0, NOREG, 0, 0xf6, 0x13),
	/* NEG */
	RMW(LONG64, 0, ARITH, WR, 0, ZF | PF, NOREG, 0, 0xf7, 0x1b),
	RMW(LONG64, 1, 0, WR, 0xffffffff, CF | SF | PF | AF, NOREG, 0, 0xf7, 0x1b),
	RMW(LONG64, 0x80000000, 0, WR, 0x80000000, CF | SF | OF | PF, NOREG, 0,
	    0xf7, 0x1b),
	/* INC/DEC keep CF */
	RMW(LONG64, 0x7f, CF, WR, 0x80, CF | OF | SF | AF, NOREG, 0, 0xfe, 0x03),
	RMW(LONG64, 0x00, 0, WR, 0xff, SF | PF | AF, NOREG, 0, 0xfe, 0x0b),
	RMW(LONG64, 0xffffffff, 0, WR, 0, ZF | PF | AF, NOREG, 0, 0xff, 0x03),
	RMW(LONG64, 0x01, CF, WR, 0, CF | ZF | PF, NOREG, 0, 0x48, 0xff, 0x0b),
	/* XCHG: the register's old value is written, the loaded one kept */
	RMW(LONG64, 0x11223344, ARITH, WR, 0xb0a09080, ARITH, HV_GPR_RAX,
	    0x11223344, 0x87, 0x03),
	RMW(LONG64, 0x5a, 0, WR, 0x90, 0, HV_GPR_RAX, 0xf0e0d0c0b0a05a80ULL,
	    0x86, 0x23),
	RMW(LONG64, 0x1122334455667788ULL, 0, WR, RCX0, 0, HV_GPR_RCX,
	    0x1122334455667788ULL, 0x48, 0x87, 0x0b),
	RMW(LONG64, 0x5a, 0, WR, 0x85, 0, HV_GPR_RBP, 0xf5e5d5c5b5a5955aULL,
	    0x40, 0x86, 0x2b),
	/* CMP and TEST: flags only, nothing written */
	RMW(LONG64, 0xb0a09080, 0, 0, 0, ZF | PF, NOREG, 0, 0x39, 0x03),
	RMW(LONG64, 0x7f, 0, 0, 0, CF | SF | OF | PF, NOREG, 0, 0x38, 0x03),
	RMW(LONG64, 0x02, ARITH, 0, 0, ZF | PF, NOREG, 0, 0xf6, 0x03, 0x01),
	RMW(LONG64, 0x80000000, 0, 0, 0, SF | PF, NOREG, 0, 0x85, 0x03),
	RMW(LONG64, 5, 0, 0, 0, 0, NOREG, 0, 0x83, 0x3b, 0x04),
	/* 16-bit */
	RMW(REAL, 0x0001, 0, WR, 0x9081, SF | PF, NOREG, 0, 0x01, 0x07),
	RMW(PROT16, 0xffff, 0, WR, 0x0000, CF | ZF | PF | AF, NOREG, 0,
	    0x83, 0x07, 0x01),
	RMW(PROT32, 0x12345678, 0, WR, 0xedcba988, CF | SF | PF | AF, NOREG, 0,
	    0xf0, 0xf7, 0x1b),
};

#undef WR

HV_TEST(mmio_rmw_table)
{
	struct hv_mmio_access acc;
	struct hv_insn insn;
	unsigned int i, r;
	char hex[64];
	int ret;

	for (i = 0; i < ARRAY_SIZE(rmw_cases); i++) {
		const struct rmw_case *c = &rmw_cases[i];
		struct hv_emul_regs regs, before;

		hexstr(hex, sizeof(hex), c->b, c->n);
		regs_init(&regs);
		/* DF, TF and RF must survive; RF is cleared. */
		regs.rflags |= c->flags_in | HV_RFLAGS_DF | HV_RFLAGS_RF;
		before = regs;
		HV_ASSERT(hv_insn_decode(&insn, c->b, c->n, c->mode) == 0,
			  "case %u [%s]", i, hex);
		HV_ASSERT_EQ(hv_emul_mmio_begin(&insn, &regs, &acc), 0);
		HV_ASSERT_EQ(acc.dir, HV_MMIO_READ);
		HV_ASSERT_EQ(acc.rmw, c->ret == HV_EMUL_WRITE);
		acc.data = c->data;
		ret = hv_emul_mmio_complete(&insn, &regs, &acc);
		HV_ASSERT(ret == c->ret, "case %u [%s]: ret %d", i, hex, ret);
		if (ret == HV_EMUL_WRITE) {
			HV_ASSERT_EQ(acc.dir, HV_MMIO_WRITE);
			HV_ASSERT(!acc.rmw, "rmw cleared");
			HV_ASSERT(acc.data == c->write,
				  "case %u [%s]: wrote %#llx, want %#llx", i, hex,
				  (unsigned long long)acc.data,
				  (unsigned long long)c->write);
		} else {
			HV_ASSERT_EQ(acc.dir, HV_MMIO_READ);
		}
		HV_ASSERT(((regs.rflags ^ before.rflags) & ~ARITH) ==
			  HV_RFLAGS_RF, "case %u: other flags", i);
		HV_ASSERT((regs.rflags & ARITH) == c->flags,
			  "case %u [%s]: flags %#llx, want %#llx", i, hex,
			  (unsigned long long)(regs.rflags & ARITH),
			  (unsigned long long)c->flags);
		for (r = 0; r < HV_NR_GPRS; r++) {
			u64 want = r == c->reg ? c->regval : before.gpr[r];

			HV_ASSERT(regs.gpr[r] == want,
				  "case %u [%s]: gpr %u = %#llx", i, hex, r,
				  (unsigned long long)regs.gpr[r]);
		}
		HV_ASSERT_EQ(regs.rip, before.rip + c->n);
		/* The write half is not to be completed again. */
		if (ret == HV_EMUL_WRITE)
			HV_ASSERT_EQ(hv_emul_mmio_complete(&insn, &regs, &acc),
				     EINV);
	}
}

/* ------------------------------------------------------------------ */
/* ALU flags against the host CPU                                      */
/* ------------------------------------------------------------------ */

#ifdef __x86_64__
/*
 * Runs "op b, a" (AT&T order: a = a op b) of @size bytes on this CPU with
 * RFLAGS = @fi; returns a and stores RFLAGS in *@fo.  The red zone is
 * stepped over before pushing.
 */
#define HW_ASM(insn) do {						\
	u64 __f;							\
									\
	asm volatile("lea -128(%%rsp), %%rsp\n\t"			\
		     "push %[fi]\n\t"					\
		     "popfq\n\t"					\
		     insn "\n\t"					\
		     "pushfq\n\t"					\
		     "pop %[fo]\n\t"					\
		     "lea 128(%%rsp), %%rsp"				\
		     : [a] "+r" (a), [fo] "=&r" (__f)			\
		     : [b] "r" (b), [fi] "r" (fi)			\
		     : "cc", "memory");					\
	*fo = __f;							\
} while (0)

/* One of the four instructions, by @size. */
#define HW_SIZED(insn1, insn2, insn4, insn8) do {			\
	switch (size) {							\
	case 1:								\
		HW_ASM(insn1);						\
		break;							\
	case 2:								\
		HW_ASM(insn2);						\
		break;							\
	case 4:								\
		HW_ASM(insn4);						\
		break;							\
	default:							\
		HW_ASM(insn8);						\
		break;							\
	}								\
} while (0)

/* "mn b, a" and "mn a" in @size, for the mnemonic @mn. */
#define HW_OP(mn)	HW_SIZED(#mn "b %b[b], %b[a]", #mn "w %w[b], %w[a]", \
				 #mn "l %k[b], %k[a]", #mn "q %q[b], %q[a]")
#define HW_UNOP(mn)	HW_SIZED(#mn "b %b[a]", #mn "w %w[a]",	\
				 #mn "l %k[a]", #mn "q %q[a]")

static u64 hw_alu(u8 op, unsigned int size, u64 a, u64 b, u64 fi, u64 *fo)
{
	*fo = 0;
	switch (op) {
	case HV_OP_ADD:
		HW_OP(add);
		break;
	case HV_OP_OR:
		HW_OP(or);
		break;
	case HV_OP_ADC:
		HW_OP(adc);
		break;
	case HV_OP_SBB:
		HW_OP(sbb);
		break;
	case HV_OP_AND:
		HW_OP(and);
		break;
	case HV_OP_SUB:
		HW_OP(sub);
		break;
	case HV_OP_XOR:
		HW_OP(xor);
		break;
	case HV_OP_CMP:
		HW_OP(cmp);
		break;
	case HV_OP_TEST:
		HW_OP(test);
		break;
	case HV_OP_NOT:
		HW_UNOP(not);
		break;
	case HV_OP_NEG:
		HW_UNOP(neg);
		break;
	case HV_OP_INC:
		HW_UNOP(inc);
		break;
	case HV_OP_DEC:
		HW_UNOP(dec);
		break;
	}
	return a;
}
#endif

static u64 mask_of(unsigned int size)
{
	return size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

static u64 rng_state = 0x9e3779b97f4a7c15ULL;

static u64 rng(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

/* Operand values: the edges of each size, then random ones. */
static u64 pick(unsigned int size, unsigned int k)
{
	static const u64 edge[] = { 0, 1, 2, 0x0f, 0x10, 0x7f, 0x80, 0xff };
	u64 m = mask_of(size), sign = 1ULL << (8 * size - 1);

	switch (k) {
	case 0 ... 7:
		return edge[k] & m;
	case 8:
		return sign - 1;
	case 9:
		return sign;
	case 10:
		return sign + 1;
	case 11:
		return m;
	case 12:
		return m - 1;
	}
	return rng() & m;
}

#define NR_PICKS	40

/* Encoding forms of a binary ALU operation with a memory operand. */
enum alu_form { FORM_EG, FORM_GE, FORM_EI8, FORM_EIZ, FORM_UNARY };

/* Builds the instruction; the memory operand is [rbx], the register RCX. */
static unsigned int build(u8 *b, u8 op, unsigned int size, enum alu_form form,
			  u64 imm)
{
	unsigned int n = 0, alu = op - HV_OP_ADD;

	if (size == 2)
		b[n++] = 0x66;
	if (size == 8)
		b[n++] = 0x48;
	switch (form) {
	case FORM_EG:
	case FORM_GE:
		if (op == HV_OP_TEST)
			b[n++] = 0x84 | (size > 1);
		else
			b[n++] = (alu << 3) | (size > 1) |
				 (form == FORM_GE ? 2 : 0);
		b[n++] = 0x0b;			/* [rbx], rcx */
		break;
	case FORM_EI8:
		if (op == HV_OP_TEST)
			b[n++] = 0xf6;		/* only byte TEST has ib */
		else
			b[n++] = size == 1 ? 0x80 : 0x83;
		b[n++] = op == HV_OP_TEST ? 0x03 : 0x03 | (alu << 3);
		b[n++] = imm;
		break;
	case FORM_EIZ:
		b[n++] = op == HV_OP_TEST ? 0xf7 : 0x81;
		b[n++] = op == HV_OP_TEST ? 0x03 : 0x03 | (alu << 3);
		memcpy(b + n, &imm, size == 2 ? 2 : 4);
		n += size == 2 ? 2 : 4;
		break;
	case FORM_UNARY:
		b[n++] = size == 1 ? (op <= HV_OP_NEG ? 0xf6 : 0xfe) :
				     (op <= HV_OP_NEG ? 0xf7 : 0xff);
		b[n++] = 0x03 | ((op == HV_OP_NOT ? 2 : op == HV_OP_NEG ? 3 :
				  op == HV_OP_INC ? 0 : 1) << 3);
		break;
	}
	return n;
}

static const u8 alu_ops[] = {
	HV_OP_ADD, HV_OP_OR, HV_OP_ADC, HV_OP_SBB, HV_OP_AND, HV_OP_SUB,
	HV_OP_XOR, HV_OP_CMP, HV_OP_TEST, HV_OP_NOT, HV_OP_NEG, HV_OP_INC,
	HV_OP_DEC,
};

static bool is_logic(u8 op)
{
	return op == HV_OP_OR || op == HV_OP_AND || op == HV_OP_XOR ||
	       op == HV_OP_TEST;
}

static void check_alu(u8 op, unsigned int size, enum alu_form form, u64 mem,
		      u64 src, u64 fi)
{
	struct hv_emul_regs regs;
	struct hv_mmio_access acc;
	struct hv_insn insn;
	u64 m = mask_of(size), a, b, want, wflags, got, gflags, care;
	bool unary = form == FORM_UNARY, writes;
	unsigned int n;
	u8 bytes[16];
	int r, ret;

	n = build(bytes, op, size, form, src);
	if (form == FORM_EI8)
		src = (u64)(s64)(s8)src;
	else if (form == FORM_EIZ && size != 2)
		src = (u64)(s64)(s32)src;
	a = form == FORM_GE ? src : mem;
	b = form == FORM_GE ? mem : src;
#ifdef __x86_64__
	want = hw_alu(op, size, a & m, b & m, fi, &wflags);
#else
	want = 0;
	wflags = 0;
#endif
	regs_init(&regs);
	regs.rflags = fi;
	regs.gpr[HV_GPR_RCX] = ((form == FORM_GE ? a : b) & m) | (RCX0 & ~m);
	r = hv_insn_decode(&insn, bytes, n, HV_MODE_LONG64);
	HV_ASSERT(r == 0, "op %u size %u form %u: decode %d", op, size, form, r);
	HV_ASSERT_EQ(hv_emul_mmio_begin(&insn, &regs, &acc), 0);
	acc.data = form == FORM_GE ? b : a;
	ret = hv_emul_mmio_complete(&insn, &regs, &acc);
	writes = op != HV_OP_CMP && op != HV_OP_TEST;
	if (form == FORM_GE || !writes) {
		HV_ASSERT_EQ(ret, 0);
		got = form == FORM_GE ? regs.gpr[HV_GPR_RCX] : a;
		if (!writes)
			want = a;
		if (form == FORM_GE && size == 4 && writes)
			HV_ASSERT((got >> 32) == 0, "zero-extended");
		else if (form == FORM_GE)
			HV_ASSERT((got & ~m) == (RCX0 & ~m), "upper bits kept");
	} else {
		HV_ASSERT_EQ(ret, HV_EMUL_WRITE);
		got = acc.data;
	}
	care = ARITH & ~(is_logic(op) ? AF : 0);
	gflags = regs.rflags;
	if (op == HV_OP_NOT)
		care = ARITH;	/* unchanged, as on the CPU */
	HV_ASSERT((got & m) == (want & m) && (gflags & care) == (wflags & care),
		  "%s op %u size %u form %u: %#llx, %#llx (flags %#llx): "
		  "got %#llx flags %#llx, cpu %#llx flags %#llx",
		  unary ? "unary" : "binary", op, size, form,
		  (unsigned long long)a, (unsigned long long)b,
		  (unsigned long long)fi, (unsigned long long)got,
		  (unsigned long long)(gflags & ARITH),
		  (unsigned long long)want, (unsigned long long)(wflags & ARITH));
	if (is_logic(op))
		HV_ASSERT(!(gflags & AF), "AF cleared");
}

HV_TEST(alu_flags_match_cpu)
{
	static const unsigned int sizes[] = { 1, 2, 4, 8 };
	unsigned int o, s, i, j;
	u64 fi;

#ifndef __x86_64__
	HV_SKIP("the reference is the host CPU: x86-64 only");
#endif
	for (o = 0; o < ARRAY_SIZE(alu_ops); o++) {
		u8 op = alu_ops[o];
		bool unary = op >= HV_OP_NOT;

		for (s = 0; s < ARRAY_SIZE(sizes); s++) {
			unsigned int size = sizes[s];

			for (i = 0; i < NR_PICKS; i++) {
				for (j = 0; j < (unary ? 1 : NR_PICKS); j++) {
					u64 x = pick(size, i), y = pick(size, j);

					fi = HV_RFLAGS_FIXED |
					     (rng() & ARITH);
					if (unary) {
						check_alu(op, size, FORM_UNARY,
							  x, 0, fi);
						continue;
					}
					check_alu(op, size, FORM_EG, x, y, fi);
					if (op != HV_OP_TEST)
						check_alu(op, size, FORM_GE,
							  x, y, fi);
					if (size > 1)
						check_alu(op, size, FORM_EIZ,
							  x, y, fi);
					if (size == 1 || op != HV_OP_TEST)
						check_alu(op, size, FORM_EI8,
							  x, y & 0xff, fi);
				}
			}
		}
	}
}

/* ------------------------------------------------------------------ */
/* String instructions                                                 */
/* ------------------------------------------------------------------ */

static void decode_into(struct hv_insn *insn, enum hv_cpu_mode mode,
			const u8 *b, unsigned int n)
{
	decode_ok(insn, mode, b, n, 0);
}

#define INSN(insn, mode, ...)						\
	decode_into(insn, mode, (const u8[]){ __VA_ARGS__ },		\
		    sizeof((u8[]){ __VA_ARGS__ }))

HV_TEST(string_stos_lods)
{
	struct hv_emul_regs regs;
	struct hv_mmio_access acc;
	struct hv_insn insn;

	/* STOSB up, then down. */
	INSN(&insn, HV_MODE_LONG64, 0xaa);
	regs_init(&regs);
	regs.gpr[HV_GPR_RDI] = 0x2000;
	HV_ASSERT_EQ(run(&insn, &regs, &acc, 0), HV_EMUL_WRITE);
	HV_ASSERT_EQ(acc.seg, HV_SEG_ES);
	HV_ASSERT_EQ(acc.ea, 0x2000);
	HV_ASSERT_EQ(acc.data, 0x80);
	HV_ASSERT_EQ(regs.gpr[HV_GPR_RDI], 0x2001);
	HV_ASSERT_EQ(regs.gpr[HV_GPR_RSI], 0xf6e6d6c6b6a69686ULL);
	HV_ASSERT_EQ(regs.gpr[HV_GPR_RCX], RCX0);
	HV_ASSERT_EQ(regs.rip, 0x1001);
	regs.rflags |= HV_RFLAGS_DF;
	HV_ASSERT_EQ(run(&insn, &regs, &acc, 0), HV_EMUL_WRITE);
	HV_ASSERT_EQ(acc.ea, 0x2001);
	HV_ASSERT_EQ(regs.gpr[HV_GPR_RDI], 0x2000);

	/* STOSQ down from 0 wraps. */
	INSN(&insn, HV_MODE_LONG64, 0x48, 0xab);
	regs_init(&regs);
	regs.rflags |= HV_RFLAGS_DF;
	regs.gpr[HV_GPR_RDI] = 0;
	HV_ASSERT_EQ(run(&insn, &regs, &acc, 0), HV_EMUL_WRITE);
	HV_ASSERT_EQ(acc.size, 8);
	HV_ASSERT_EQ(acc.data, RAX0);
	HV_ASSERT_EQ(regs.gpr[HV_GPR_RDI], 0xfffffffffffffff8ULL);

	/* 67: EDI, and the update zero-extends RDI. */
	INSN(&insn, HV_MODE_LONG64, 0x67, 0x66, 0xab);
	regs_init(&regs);
	regs.gpr[HV_GPR_RDI] = 0xaaaa0000fffffffeULL;
	HV_ASSERT_EQ(run(&insn, &regs, &acc, 0), HV_EMUL_WRITE);
	HV_ASSERT_EQ(acc.ea, 0xfffffffe);
	HV_ASSERT_EQ(acc.size, 2);
	HV_ASSERT_EQ(regs.gpr[HV_GPR_RDI], 0);

	/* 16-bit addresses: DI wraps, the rest of RDI is kept. */
	INSN(&insn, HV_MODE_REAL, 0xab);
	regs_init(&regs);
	regs.gpr[HV_GPR_RDI] = 0xdead0000ffffULL;
	HV_ASSERT_EQ(run(&insn, &regs, &acc, 0), HV_EMUL_WRITE);
	HV_ASSERT_EQ(acc.ea, 0xffff);
	HV_ASSERT_EQ(acc.data, 0x9080);
	HV_ASSERT_EQ(regs.gpr[HV_GPR_RDI], 0xdead00000001ULL);

	/* ES is not overridable for STOS. */
	INSN(&insn, HV_MODE_PROT32, 0x2e, 0xaa);
	regs_init(&regs);
	HV_ASSERT_EQ(run(&insn, &regs, &acc, 0), HV_EMUL_WRITE);
	HV_ASSERT_EQ(acc.seg, HV_SEG_ES);
	HV_ASSERT_EQ(acc.ea, 0xb7a79787);

	/* LODS: DS:rSI, overridable; loads the accumulator. */
	INSN(&insn, HV_MODE_LONG64, 0x64, 0xac);
	regs_init(&regs);
	regs.gpr[HV_GPR_RSI] = 0x3000;
	HV_ASSERT_EQ(hv_emul_mmio_begin(&insn, &regs, &acc), 0);
	HV_ASSERT_EQ(acc.dir, HV_MMIO_READ);
	HV_ASSERT_EQ(acc.seg, HV_SEG_FS);
	HV_ASSERT_EQ(acc.ea, 0x3000);
	acc.data = 0x5a;
	HV_ASSERT_EQ(hv_emul_mmio_complete(&insn, &regs, &acc), 0);
	HV_ASSERT_EQ(regs.gpr[HV_GPR_RAX], 0xf0e0d0c0b0a0905aULL);
	HV_ASSERT_EQ(regs.gpr[HV_GPR_RSI], 0x3001);
	HV_ASSERT_EQ(regs.gpr[HV_GPR_RDI], 0xf7e7d7c7b7a79787ULL);
	HV_ASSERT_EQ(regs.rip, 0x1002);

	INSN(&insn, HV_MODE_LONG64, 0xad);
	regs_init(&regs);
	regs.gpr[HV_GPR_RSI] = 0x3000;
	regs.rflags |= HV_RFLAGS_DF;
	HV_ASSERT_EQ(run(&insn, &regs, &acc, 0x1122334455667788ULL), 0);
	HV_ASSERT_EQ(regs.gpr[HV_GPR_RAX], 0x55667788);
	HV_ASSERT_EQ(regs.gpr[HV_GPR_RSI], 0x2ffc);
}

HV_TEST(string_movs)
{
	struct hv_emul_regs regs;
	struct hv_mmio_access acc;
	struct hv_insn insn;

	INSN(&insn, HV_MODE_LONG64, 0xa4);
	regs_init(&regs);
	regs.gpr[HV_GPR_RSI] = 0x3000;
	regs.gpr[HV_GPR_RDI] = 0x4000;
	HV_ASSERT_EQ(hv_emul_mmio_begin(&insn, &regs, &acc), 0);
	HV_ASSERT_EQ(acc.dir, HV_MMIO_READ);
	HV_ASSERT(acc.rmw && acc.movs, "MOVS reads the source first");
	HV_ASSERT_EQ(acc.seg, HV_SEG_DS);
	HV_ASSERT_EQ(acc.ea, 0x3000);
	HV_ASSERT_EQ(acc.size, 1);
	acc.data = 0x1234;
	HV_ASSERT_EQ(hv_emul_mmio_complete(&insn, &regs, &acc), HV_EMUL_WRITE);
	HV_ASSERT_EQ(acc.dir, HV_MMIO_WRITE);
	HV_ASSERT(!acc.rmw && acc.movs, "then writes the destination");
	HV_ASSERT_EQ(acc.seg, HV_SEG_ES);
	HV_ASSERT_EQ(acc.ea, 0x4000);
	HV_ASSERT_EQ(acc.data, 0x34);
	HV_ASSERT_EQ(regs.gpr[HV_GPR_RSI], 0x3001);
	HV_ASSERT_EQ(regs.gpr[HV_GPR_RDI], 0x4001);
	HV_ASSERT_EQ(regs.rip, 0x1001);
	HV_ASSERT_EQ(hv_emul_mmio_complete(&insn, &regs, &acc), EINV);

	/* MOVSD with a segment override, downwards, 16-bit addresses. */
	INSN(&insn, HV_MODE_PROT16, 0x26, 0x66, 0xa5);
	regs_init(&regs);
	regs.rflags |= HV_RFLAGS_DF;
	regs.gpr[HV_GPR_RSI] = 0x10002;
	regs.gpr[HV_GPR_RDI] = 0x20010;
	HV_ASSERT_EQ(hv_emul_mmio_begin(&insn, &regs, &acc), 0);
	HV_ASSERT_EQ(acc.seg, HV_SEG_ES);
	HV_ASSERT_EQ(acc.ea, 0x0002);
	HV_ASSERT_EQ(acc.size, 4);
	acc.data = 0xcafef00d;
	HV_ASSERT_EQ(hv_emul_mmio_complete(&insn, &regs, &acc), HV_EMUL_WRITE);
	HV_ASSERT_EQ(acc.ea, 0x0010);
	HV_ASSERT_EQ(acc.data, 0xcafef00d);
	HV_ASSERT_EQ(regs.gpr[HV_GPR_RSI], 0x1fffe);
	HV_ASSERT_EQ(regs.gpr[HV_GPR_RDI], 0x2000c);
	HV_ASSERT_EQ(regs.rip, 0x1003);
}

HV_TEST(string_rep)
{
	struct hv_emul_regs regs;
	struct hv_mmio_access acc;
	struct hv_insn insn;
	int i;

	/* REP STOSB, RCX = 3: one element per call, RIP moves at the end. */
	INSN(&insn, HV_MODE_LONG64, 0xf3, 0xaa);
	regs_init(&regs);
	regs.gpr[HV_GPR_RCX] = 3;
	regs.gpr[HV_GPR_RDI] = 0x2000;
	for (i = 0; i < 2; i++) {
		HV_ASSERT_EQ(run(&insn, &regs, &acc, 0),
			     HV_EMUL_WRITE | HV_EMUL_REPEAT);
		HV_ASSERT_EQ(acc.ea, 0x2000 + i);
		HV_ASSERT_EQ(regs.gpr[HV_GPR_RCX], 2 - i);
		HV_ASSERT_EQ(regs.rip, 0x1000);
	}
	HV_ASSERT_EQ(run(&insn, &regs, &acc, 0), HV_EMUL_WRITE);
	HV_ASSERT_EQ(acc.ea, 0x2002);
	HV_ASSERT_EQ(regs.gpr[HV_GPR_RCX], 0);
	HV_ASSERT_EQ(regs.gpr[HV_GPR_RDI], 0x2003);
	HV_ASSERT_EQ(regs.rip, 0x1002);

	/* RCX = 0: no access, RIP advances. */
	HV_ASSERT_EQ(hv_emul_mmio_begin(&insn, &regs, &acc), 0);
	HV_ASSERT_EQ(acc.dir, HV_MMIO_NONE);
	HV_ASSERT_EQ(acc.size, 0);
	HV_ASSERT_EQ(hv_emul_mmio_complete(&insn, &regs, &acc), 0);
	HV_ASSERT_EQ(regs.gpr[HV_GPR_RDI], 0x2003);
	HV_ASSERT_EQ(regs.rip, 0x1004);

	/* F2 acts as REP on STOS. */
	INSN(&insn, HV_MODE_LONG64, 0xf2, 0xaa);
	regs_init(&regs);
	regs.gpr[HV_GPR_RCX] = 2;
	HV_ASSERT_EQ(run(&insn, &regs, &acc, 0), HV_EMUL_WRITE | HV_EMUL_REPEAT);
	HV_ASSERT_EQ(run(&insn, &regs, &acc, 0), HV_EMUL_WRITE);

	/* The count is CX with 16-bit addresses: upper bits stay. */
	INSN(&insn, HV_MODE_REAL, 0xf3, 0xaa);
	regs_init(&regs);
	regs.gpr[HV_GPR_RCX] = 0x10000;
	HV_ASSERT_EQ(hv_emul_mmio_begin(&insn, &regs, &acc), 0);
	HV_ASSERT_EQ(acc.dir, HV_MMIO_NONE);
	regs.gpr[HV_GPR_RCX] = 0x10001;
	HV_ASSERT_EQ(run(&insn, &regs, &acc, 0), HV_EMUL_WRITE);
	HV_ASSERT_EQ(regs.gpr[HV_GPR_RCX], 0x10000);
	HV_ASSERT_EQ(regs.rip, 0x1002);

	/* ECX with 67 in 64-bit mode; the write zero-extends RCX. */
	INSN(&insn, HV_MODE_LONG64, 0x67, 0xf3, 0xaa);
	regs_init(&regs);
	regs.gpr[HV_GPR_RCX] = 0x100000002ULL;
	HV_ASSERT_EQ(run(&insn, &regs, &acc, 0), HV_EMUL_WRITE | HV_EMUL_REPEAT);
	HV_ASSERT_EQ(regs.gpr[HV_GPR_RCX], 1);

	/* REP MOVSW: read/write pairs. */
	INSN(&insn, HV_MODE_PROT32, 0xf3, 0x66, 0xa5);
	regs_init(&regs);
	regs.gpr[HV_GPR_RCX] = 2;
	regs.gpr[HV_GPR_RSI] = 0x100;
	regs.gpr[HV_GPR_RDI] = 0x200;
	for (i = 0; i < 2; i++) {
		HV_ASSERT_EQ(hv_emul_mmio_begin(&insn, &regs, &acc), 0);
		HV_ASSERT_EQ(acc.ea, 0x100 + 2 * i);
		acc.data = 0xbeef + i;
		HV_ASSERT_EQ(hv_emul_mmio_complete(&insn, &regs, &acc),
			     HV_EMUL_WRITE | (i ? 0 : HV_EMUL_REPEAT));
		HV_ASSERT_EQ(acc.ea, 0x200 + 2 * i);
		HV_ASSERT_EQ(acc.data, 0xbeef + i);
	}
	HV_ASSERT_EQ(regs.rip, 0x1003);

	/* REP LODSB */
	INSN(&insn, HV_MODE_LONG64, 0xf3, 0xac);
	regs_init(&regs);
	regs.gpr[HV_GPR_RCX] = 2;
	HV_ASSERT_EQ(run(&insn, &regs, &acc, 1), HV_EMUL_REPEAT);
	HV_ASSERT_EQ(run(&insn, &regs, &acc, 2), 0);
	HV_ASSERT_EQ(regs.gpr[HV_GPR_RAX] & 0xff, 2);
}

HV_TEST(string_scas)
{
	struct hv_emul_regs regs;
	struct hv_mmio_access acc;
	struct hv_insn insn;

	/* SCASB: flags of AL - [rdi]. */
	INSN(&insn, HV_MODE_LONG64, 0xae);
	regs_init(&regs);
	regs.gpr[HV_GPR_RDI] = 0x2000;
	HV_ASSERT_EQ(hv_emul_mmio_begin(&insn, &regs, &acc), 0);
	HV_ASSERT_EQ(acc.seg, HV_SEG_ES);
	HV_ASSERT_EQ(acc.ea, 0x2000);
	acc.data = 0x81;
	HV_ASSERT_EQ(hv_emul_mmio_complete(&insn, &regs, &acc), 0);
	HV_ASSERT_EQ(regs.rflags & ARITH, CF | SF | PF | AF);
	HV_ASSERT_EQ(regs.gpr[HV_GPR_RAX], RAX0);
	HV_ASSERT_EQ(regs.gpr[HV_GPR_RDI], 0x2001);

	/* REPE: go on while equal. */
	INSN(&insn, HV_MODE_LONG64, 0xf3, 0xae);
	regs_init(&regs);
	regs.gpr[HV_GPR_RCX] = 5;
	HV_ASSERT_EQ(run(&insn, &regs, &acc, 0x80), HV_EMUL_REPEAT);
	HV_ASSERT(regs.rflags & ZF, "equal");
	HV_ASSERT_EQ(regs.rip, 0x1000);
	HV_ASSERT_EQ(run(&insn, &regs, &acc, 0x81), 0);
	HV_ASSERT_EQ(regs.gpr[HV_GPR_RCX], 3);
	HV_ASSERT_EQ(regs.rip, 0x1002);

	/* REPNE: go on while different. */
	INSN(&insn, HV_MODE_LONG64, 0xf2, 0xae);
	regs_init(&regs);
	regs.gpr[HV_GPR_RCX] = 5;
	HV_ASSERT_EQ(run(&insn, &regs, &acc, 0x81), HV_EMUL_REPEAT);
	HV_ASSERT_EQ(run(&insn, &regs, &acc, 0x80), 0);
	HV_ASSERT_EQ(regs.gpr[HV_GPR_RCX], 3);
	HV_ASSERT_EQ(regs.rip, 0x1002);

	/* REPE ending on the count even though equal. */
	INSN(&insn, HV_MODE_LONG64, 0xf3, 0x48, 0xaf);
	regs_init(&regs);
	regs.gpr[HV_GPR_RCX] = 1;
	HV_ASSERT_EQ(run(&insn, &regs, &acc, RAX0), 0);
	HV_ASSERT(regs.rflags & ZF, "equal");
	HV_ASSERT_EQ(regs.rip, 0x1003);
}

/* ------------------------------------------------------------------ */
/* RIP, effective addresses, misuse                                    */
/* ------------------------------------------------------------------ */

HV_TEST(rip_advance_and_wrap)
{
	static const struct {
		u8 mode;
		u64 rip, want;
	} c[] = {
		{ HV_MODE_LONG64, 0x1000, 0x1003 },
		{ HV_MODE_LONG64, 0xfffffffffffffffeULL, 0x1 },
		{ HV_MODE_LONG64, 0xfffffffe, 0x100000001ULL },
		{ HV_MODE_PROT32, 0xfffffffe, 0x1 },
		{ HV_MODE_PROT32, 0x12345678, 0x1234567b },
		{ HV_MODE_PROT16, 0xfffe, 0x1 },
		{ HV_MODE_PROT16, 0x1000, 0x1003 },
		{ HV_MODE_REAL, 0xfffe, 0x1 },
		{ HV_MODE_REAL, 0xfffd, 0x0 },
		{ HV_MODE_VM86, 0xffff, 0x2 },
	};
	/* MOV [bx+1],AL / MOV [ebx+1],AL / MOV [rbx+1],AL: 3 bytes */
	static const u8 b[] = { 0x88, 0x47, 0x01 };
	struct hv_emul_regs regs;
	struct hv_mmio_access acc;
	struct hv_insn insn;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		decode_into(&insn, c[i].mode, b, sizeof(b));
		regs_init(&regs);
		regs.rip = c[i].rip;
		regs.rflags |= HV_RFLAGS_RF | HV_RFLAGS_TF;
		HV_ASSERT_EQ(run(&insn, &regs, &acc, 0), HV_EMUL_WRITE);
		HV_ASSERT(regs.rip == c[i].want, "case %u: rip %#llx", i,
			  (unsigned long long)regs.rip);
		HV_ASSERT(!(regs.rflags & HV_RFLAGS_RF), "RF cleared");
		HV_ASSERT(regs.rflags & HV_RFLAGS_TF, "TF kept");
	}
}

HV_TEST(effective_addresses)
{
	struct hv_emul_regs regs;
	struct hv_mmio_access acc;
	struct hv_insn insn;
	u64 ea;

	regs_init(&regs);
#define EA_IS(mode, want, ...) do {					\
	u64 __want = (want);						\
	INSN(&insn, mode, __VA_ARGS__);					\
	HV_ASSERT_EQ(hv_insn_ea(&insn, &regs, &ea), 0);			\
	HV_ASSERT(ea == __want, "ea %#llx, want %#llx",			\
		  (unsigned long long)ea, (unsigned long long)__want);	\
	HV_ASSERT_EQ(hv_emul_mmio_begin(&insn, &regs, &acc), 0);	\
	HV_ASSERT(acc.ea == ea, "acc.ea");				\
} while (0)

	/* RIP-relative counts from the next instruction. */
	EA_IS(HV_MODE_LONG64, 0x1000 + 7 + 0x10,
	      0x48, 0x8b, 0x05, 0x10, 0x00, 0x00, 0x00);
	EA_IS(HV_MODE_LONG64, 0x1000 + 10 - 0x10,
	      0xc7, 0x05, 0xf0, 0xff, 0xff, 0xff, 0x78, 0x56, 0x34, 0x12);
	regs.rip = 0x100000008ULL;
	EA_IS(HV_MODE_LONG64, 0xffffffff,			/* EIP-relative */
	      0x67, 0x8b, 0x05, 0xf0, 0xff, 0xff, 0xff);
	regs.rip = 0x1000;
	EA_IS(HV_MODE_LONG64, RBX0 + 4 * RCX0 - 8, 0x8b, 0x44, 0x8b, 0xf8);
	EA_IS(HV_MODE_LONG64, (RBX0 + 4 * RCX0) & 0xffffffff,
	      0x67, 0x8b, 0x04, 0x8b);
	EA_IS(HV_MODE_LONG64, 4 * 0xfcecdcccbcac9c8cULL + 0x12345678,
	      0x42, 0x8b, 0x04, 0xa5, 0x78, 0x56, 0x34, 0x12);
	EA_IS(HV_MODE_LONG64, 0xffffffff80000000ULL,
	      0x8b, 0x04, 0x25, 0x00, 0x00, 0x00, 0x80);
	EA_IS(HV_MODE_LONG64, 0x12345678, 0x41, 0x8b, 0x04, 0x25, 0x78, 0x56, 0x34, 0x12);
	EA_IS(HV_MODE_LONG64, 0xfdedddcdbdad9d8dULL - 16, 0x41, 0x8b, 0x45, 0xf0);
	EA_IS(HV_MODE_LONG64, 0xf4e4d4c4b4a49484ULL, 0x8b, 0x04, 0x24);
	EA_IS(HV_MODE_LONG64, 0x9abcdef012345678ULL,
	      0xa1, 0x78, 0x56, 0x34, 0x12, 0xf0, 0xde, 0xbc, 0x9a);
	EA_IS(HV_MODE_LONG64, 0x12345678, 0x67, 0xa1, 0x78, 0x56, 0x34, 0x12);
	/* 16-bit: sums wrap at 64K. */
	EA_IS(HV_MODE_REAL, (0x9383 + 0x9686) & 0xffff, 0x8b, 0x00);
	EA_IS(HV_MODE_REAL, (0x9383 + 0x9787 - 2) & 0xffff, 0x8b, 0x41, 0xfe);
	EA_IS(HV_MODE_REAL, (0x9585 + 0x9686 + 0x10) & 0xffff, 0x8b, 0x42, 0x10);
	EA_IS(HV_MODE_REAL, 0x9585, 0x8b, 0x46, 0x00);
	EA_IS(HV_MODE_REAL, 0x1234, 0x8b, 0x06, 0x34, 0x12);
	EA_IS(HV_MODE_REAL, 0x9382, 0x8b, 0x87, 0xff, 0xff);
	EA_IS(HV_MODE_PROT16, 0x1234, 0xa1, 0x34, 0x12);
	EA_IS(HV_MODE_VM86, (0xb3a39383ULL + 0xb6a69686ULL) & 0xffffffff,
	      0x67, 0x8b, 0x04, 0x33);
	/* 32-bit */
	EA_IS(HV_MODE_PROT32, (RBX0 + 2 * RCX0 + 0xffffffff80000000ULL) &
	      0xffffffff, 0x8b, 0x84, 0x4b, 0x00, 0x00, 0x00, 0x80);
	EA_IS(HV_MODE_PROT32, 0x12345678, 0x8b, 0x05, 0x78, 0x56, 0x34, 0x12);
	EA_IS(HV_MODE_PROT32, 0x12345678, 0xa1, 0x78, 0x56, 0x34, 0x12);
	EA_IS(HV_MODE_PROT32, 0x1234, 0x67, 0xa1, 0x34, 0x12);
#undef EA_IS

	INSN(&insn, HV_MODE_LONG64, 0xaa);
	HV_ASSERT_EQ(hv_insn_ea(&insn, &regs, &ea), EINV);
	HV_ASSERT_EQ(hv_insn_decode(&insn, (const u8[]){ 0x89, 0xc3 }, 2,
				    HV_MODE_LONG64), NOSUP);
	HV_ASSERT_EQ(hv_insn_ea(&insn, &regs, &ea), EINV);
}

HV_TEST(complete_rejects_mismatches)
{
	struct hv_emul_regs regs, before;
	struct hv_mmio_access acc, good;
	struct hv_insn insn, none;

	regs_init(&regs);
	before = regs;

	/* A load completed as a write, with a wrong size, or as NONE. */
	INSN(&insn, HV_MODE_LONG64, 0x8b, 0x03);
	HV_ASSERT_EQ(hv_emul_mmio_begin(&insn, &regs, &good), 0);
	acc = good;
	acc.dir = HV_MMIO_WRITE;
	HV_ASSERT_EQ(hv_emul_mmio_complete(&insn, &regs, &acc), EINV);
	acc = good;
	acc.size = 8;
	HV_ASSERT_EQ(hv_emul_mmio_complete(&insn, &regs, &acc), EINV);
	acc = good;
	acc.dir = HV_MMIO_NONE;
	HV_ASSERT_EQ(hv_emul_mmio_complete(&insn, &regs, &acc), EINV);
	acc = good;
	acc.rmw = true;
	HV_ASSERT_EQ(hv_emul_mmio_complete(&insn, &regs, &acc), EINV);

	/* RMW: the read half must say rmw, the write half is final. */
	INSN(&insn, HV_MODE_LONG64, 0x01, 0x03);
	HV_ASSERT_EQ(hv_emul_mmio_begin(&insn, &regs, &good), 0);
	acc = good;
	acc.rmw = false;
	HV_ASSERT_EQ(hv_emul_mmio_complete(&insn, &regs, &acc), EINV);
	acc = good;
	acc.dir = HV_MMIO_WRITE;
	acc.rmw = false;
	HV_ASSERT_EQ(hv_emul_mmio_complete(&insn, &regs, &acc), EINV);

	/* A store completed as a read. */
	INSN(&insn, HV_MODE_LONG64, 0x89, 0x03);
	HV_ASSERT_EQ(hv_emul_mmio_begin(&insn, &regs, &good), 0);
	acc = good;
	acc.dir = HV_MMIO_READ;
	HV_ASSERT_EQ(hv_emul_mmio_complete(&insn, &regs, &acc), EINV);

	/* REP with a count: NONE is wrong; without one, only NONE. */
	INSN(&insn, HV_MODE_LONG64, 0xf3, 0xaa);
	regs.gpr[HV_GPR_RCX] = 1;
	acc = good;
	acc.dir = HV_MMIO_NONE;
	HV_ASSERT_EQ(hv_emul_mmio_complete(&insn, &regs, &acc), EINV);
	regs.gpr[HV_GPR_RCX] = 0;
	acc = good;
	HV_ASSERT_EQ(hv_emul_mmio_complete(&insn, &regs, &acc), EINV);
	regs.gpr[HV_GPR_RCX] = RCX0;

	/* Nothing changed along the way. */
	HV_ASSERT(!memcmp(&regs, &before, sizeof(regs)), "regs unchanged");

	/* An instruction that was not decoded for emulation. */
	memset(&none, 0, sizeof(none));
	HV_ASSERT_EQ(hv_emul_mmio_begin(&none, &regs, &acc), EINV);
	HV_ASSERT_EQ(hv_emul_mmio_complete(&none, &regs, &acc), EINV);
	HV_ASSERT_EQ(hv_insn_decode(&insn, (const u8[]){ 0x0f, 0xa2 }, 2,
				    HV_MODE_LONG64), NOSUP);
	HV_ASSERT_EQ(hv_emul_mmio_begin(&insn, &regs, &acc), EINV);
	HV_ASSERT(!memcmp(&regs, &before, sizeof(regs)), "regs unchanged");
}

HV_TEST(cpu_mode)
{
	/* pe, vm, lma, cs.l, cs.d */
	HV_ASSERT_EQ(hv_emul_cpu_mode(0, 0, 0, 0, 0), HV_MODE_REAL);
	HV_ASSERT_EQ(hv_emul_cpu_mode(0, 1, 0, 1, 1), HV_MODE_REAL);
	HV_ASSERT_EQ(hv_emul_cpu_mode(1, 1, 0, 0, 0), HV_MODE_VM86);
	HV_ASSERT_EQ(hv_emul_cpu_mode(1, 0, 0, 0, 0), HV_MODE_PROT16);
	HV_ASSERT_EQ(hv_emul_cpu_mode(1, 0, 0, 0, 1), HV_MODE_PROT32);
	HV_ASSERT_EQ(hv_emul_cpu_mode(1, 0, 0, 1, 1), HV_MODE_PROT32);
	HV_ASSERT_EQ(hv_emul_cpu_mode(1, 0, 1, 0, 1), HV_MODE_PROT32);
	HV_ASSERT_EQ(hv_emul_cpu_mode(1, 0, 1, 0, 0), HV_MODE_PROT16);
	HV_ASSERT_EQ(hv_emul_cpu_mode(1, 0, 1, 1, 0), HV_MODE_LONG64);
	HV_ASSERT_EQ(hv_emul_cpu_mode(1, 1, 1, 1, 0), HV_MODE_LONG64);
}

/* ------------------------------------------------------------------ */
/* Random bytes: invariants, and no sanitizer report                   */
/* ------------------------------------------------------------------ */

static void random_insn(u8 *b, enum hv_cpu_mode mode)
{
	static const u8 pfx[] = {
		0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3,
	};
	/* the emulated opcodes, to bias towards */
	static const u8 emulated[] = {
		0x88, 0x89, 0x8a, 0x8b, 0xc6, 0xc7, 0x80, 0x81, 0x83, 0x01,
		0x29, 0x3b, 0x85, 0xf6, 0xf7, 0xfe, 0xff, 0x86, 0xa1, 0xa3,
		0xa4, 0xab, 0xac, 0xaf, 0x63,
	};
	unsigned int n = 0, i, k = rng() % 4;

	for (i = 0; i < k; i++)
		b[n++] = pfx[rng() % ARRAY_SIZE(pfx)];
	if (mode == HV_MODE_LONG64 && rng() % 2)
		b[n++] = 0x40 | (rng() & 15);
	switch (rng() % 4) {
	case 0:
		b[n++] = 0x0f;
		break;
	case 1:
		b[n++] = emulated[rng() % ARRAY_SIZE(emulated)];
		break;
	}
	while (n < 16)
		b[n++] = rng();
}

HV_TEST(random_bytes)
{
	struct hv_emul_regs regs, before;
	struct hv_mmio_access acc;
	struct hv_insn insn;
	unsigned int i, m, emulated = 0;
	u64 ipmask;
	u8 b[16];
	int r, len;

	for (i = 0; i < 100000; i++) {
		m = i % HV_MODE_NR;
		random_insn(b, m);
		r = hv_insn_decode(&insn, b, 16, m);
		len = hv_insn_length(b, 16, m);
		HV_ASSERT(r == 0 || r == EINV || r == NOSUP, "r %d", r);
		if (r == EINV || (r == NOSUP && !insn.len)) {
			HV_ASSERT_EQ(len, r);
			continue;
		}
		HV_ASSERT(insn.len >= 1 && insn.len <= 15, "len %u", insn.len);
		HV_ASSERT_EQ(len, insn.len);
		HV_ASSERT_EQ(hv_insn_length(b, insn.len, m), len);
		HV_ASSERT_EQ(hv_insn_length(b, insn.len - 1, m), EINV);
		if (r)
			continue;

		emulated++;
		regs_init(&regs);
		regs.gpr[HV_GPR_RCX] = rng() % 3;
		regs.rip = rng();
		regs.rflags = rng() & (ARITH | HV_RFLAGS_DF);
		before = regs;
		HV_ASSERT_EQ(hv_emul_mmio_begin(&insn, &regs, &acc), 0);
		HV_ASSERT(!memcmp(&regs, &before, sizeof(regs)), "begin");
		if (acc.dir != HV_MMIO_NONE) {
			HV_ASSERT(acc.size == 1 || acc.size == 2 ||
				  acc.size == 4 || acc.size == 8, "size");
			HV_ASSERT_EQ(acc.size, insn.mem_bytes);
			HV_ASSERT(!(acc.data & ~mask_of(acc.size)), "data");
		}
		if (acc.dir == HV_MMIO_READ)
			acc.data = rng();
		r = hv_emul_mmio_complete(&insn, &regs, &acc);
		HV_ASSERT(r >= 0 && r <= (HV_EMUL_WRITE | HV_EMUL_REPEAT),
			  "complete %d", r);
		HV_ASSERT_EQ(!!(r & HV_EMUL_WRITE), acc.dir == HV_MMIO_WRITE);
		if (r & HV_EMUL_WRITE)
			HV_ASSERT(!(acc.data & ~mask_of(acc.size)), "data");
		ipmask = m == HV_MODE_LONG64 ? ~0ULL :
			 m == HV_MODE_PROT32 ? 0xffffffffULL : 0xffffULL;
		if (r & HV_EMUL_REPEAT)
			HV_ASSERT_EQ(regs.rip, before.rip);
		else
			HV_ASSERT_EQ(regs.rip, (before.rip + insn.len) & ipmask);
	}
	hv_diag("%u of 100000 emulated", emulated);
	HV_ASSERT(emulated > 10000, "enough emulated instructions");
}
