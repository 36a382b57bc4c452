/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86 instruction decoder and MMIO emulator.  Pure logic, shared with the
 * userspace unit tests (tools/testing/hv-unit/emulate_test.c).
 *
 * The x86 core uses it in two situations:
 *
 *  - A guest access faulted on a guest-physical address outside every
 *    memslot (MMIO).  The core fetches up to 15 bytes at the guest's
 *    CS:RIP, decodes them with hv_insn_decode() and runs the access through
 *    hv_emul_mmio_begin() / hv_emul_mmio_complete() (protocol below).
 *
 *  - The hardware gave no instruction length (AMD without NRIPS or decode
 *    assists) and an intercepted instruction (CPUID, HLT, RDMSR, WRMSR,
 *    VMMCALL, IN, OUT, ...) must be skipped: hv_insn_length().
 *
 * MMIO protocol.  Every emulated instruction makes exactly one access to
 * the faulting MMIO address, or one read followed by one write:
 *
 *	err = hv_insn_decode(&insn, bytes, nbytes, mode);
 *	err = hv_emul_mmio_begin(&insn, &regs, &acc);
 *	if (acc.dir == HV_MMIO_READ)
 *		acc.data = <acc.size bytes read: MMIO exit round trip 1>;
 *	ret = hv_emul_mmio_complete(&insn, &regs, &acc);
 *	if (ret > 0 && (ret & HV_EMUL_WRITE))
 *		<write acc.size bytes of acc.data: MMIO exit round trip 2>;
 *	if (ret > 0 && (ret & HV_EMUL_REPEAT))
 *		<RIP still at the instruction: re-enter the guest, or loop>;
 *
 * begin() never changes the registers; complete() makes every register
 * and RFLAGS change of the instruction (RIP advanced, RFLAGS.RF cleared)
 * before returning, so a write is "posted": the core may return the
 * KVM_EXIT_MMIO write to userspace and resume the guest afterwards without
 * calling back into the emulator, exactly as KVM does.
 *
 *  - Plain stores (MOV, STOS): begin() reports HV_MMIO_WRITE with the value;
 *    complete() returns HV_EMUL_WRITE with @acc unchanged.  One round trip.
 *  - Plain loads and compares (MOV, MOVZX, MOVSX(D), LODS, ALU with a
 *    register destination, CMP, TEST, SCAS): begin() reports HV_MMIO_READ;
 *    complete() consumes acc.data and returns 0.  One round trip.
 *  - Read-modify-write (ALU/NOT/NEG/INC/DEC/XCHG with a memory destination):
 *    begin() reports HV_MMIO_READ with acc.rmw set.  complete() consumes the
 *    loaded value, updates registers and RFLAGS, and rewrites @acc into the
 *    write of the result (dir = HV_MMIO_WRITE, same address and size, data
 *    = result, rmw cleared), returning HV_EMUL_WRITE.  Two round trips; no
 *    third call.  The two halves are not atomic, LOCK or not.
 *  - MOVS: like read-modify-write but with acc.movs set: the read is from
 *    the source (acc.seg:acc.ea = DS:rSI, or the override) and complete()
 *    turns @acc into the write of the same data to the destination
 *    (ES:rDI).  Either side, or both, may be MMIO: the core translates
 *    acc.seg:acc.ea itself for each half and uses RAM or MMIO as backs it.
 *
 * For every other instruction acc.seg:acc.ea names the memory operand too;
 * it is the faulting access (the core may rely on the faulting GPA).
 *
 * REP string instructions run one iteration per begin/complete pair:
 * complete() updates rSI/rDI (by the element size, down when RFLAGS.DF is
 * set) and rCX within the address size, and advances RIP only after the
 * last iteration (rCX reaches 0, or REPE/REPNE SCAS stops on ZF); before
 * that it returns HV_EMUL_REPEAT and leaves RIP at the instruction.  With
 * rCX already 0, begin() reports HV_MMIO_NONE (no access) and complete()
 * just advances RIP.  REPNE (F2) acts as REP on MOVS, STOS and LODS.
 *
 * The core remains responsible for what is not data movement: segment
 * limit and permission checks, canonical checks, alignment checks, the
 * single-step #DB after the instruction when RFLAGS.TF was set, and
 * accesses that cross a page or MMIO-region boundary.
 */
#ifndef HV_EMULATE_H
#define HV_EMULATE_H

#include <hv/hv_types.h>

#include "regs.h"

#define HV_INSN_MAX_LEN		15

/* What decides default operand size, address size and instruction set. */
enum hv_cpu_mode {
	HV_MODE_REAL,	/* real-address mode */
	HV_MODE_VM86,	/* virtual-8086 mode: decodes like real mode */
	HV_MODE_PROT16,	/* protected or compatibility mode, CS.D = 0 */
	HV_MODE_PROT32,	/* protected or compatibility mode, CS.D = 1 */
	HV_MODE_LONG64,	/* 64-bit mode: EFER.LMA = 1, CS.L = 1 */
	HV_MODE_NR
};

/* The mode from CR0.PE, RFLAGS.VM, EFER.LMA, CS.L and CS.D/B. */
enum hv_cpu_mode hv_emul_cpu_mode(bool cr0_pe, bool rflags_vm, bool efer_lma,
				  bool cs_l, bool cs_db);

#define HV_RFLAGS_CF		BIT_ULL(0)
#define HV_RFLAGS_FIXED		BIT_ULL(1)
#define HV_RFLAGS_PF		BIT_ULL(2)
#define HV_RFLAGS_AF		BIT_ULL(4)
#define HV_RFLAGS_ZF		BIT_ULL(6)
#define HV_RFLAGS_SF		BIT_ULL(7)
#define HV_RFLAGS_TF		BIT_ULL(8)
#define HV_RFLAGS_IF		BIT_ULL(9)
#define HV_RFLAGS_DF		BIT_ULL(10)
#define HV_RFLAGS_OF		BIT_ULL(11)
#define HV_RFLAGS_RF		BIT_ULL(16)
#define HV_RFLAGS_VM		BIT_ULL(17)
/* The status flags arithmetic instructions define. */
#define HV_RFLAGS_ARITH		(HV_RFLAGS_CF | HV_RFLAGS_PF | HV_RFLAGS_AF | \
				 HV_RFLAGS_ZF | HV_RFLAGS_SF | HV_RFLAGS_OF)

struct hv_emul_regs {
	u64 gpr[HV_NR_GPRS];	/* enum hv_gpr */
	u64 rip;
	u64 rflags;
};

/* Opcode maps. */
enum hv_opcode_map {
	HV_MAP_1B,	/* one-byte opcodes */
	HV_MAP_0F,	/* 0F xx */
	HV_MAP_0F38,	/* 0F 38 xx */
	HV_MAP_0F3A,	/* 0F 3A xx */
};

/* hv_insn.ea_base / ea_index values besides enum hv_gpr. */
#define HV_EA_NONE		0xff	/* no base / no index register */
#define HV_EA_RIP		0xfe	/* RIP-relative: RIP of the next insn */

/* What hv_emul_mmio_* do with a decoded instruction. */
enum hv_emul_op {
	HV_OP_NONE,		/* not emulated */
	/* In ModRM.reg order of the 80-83 group: HV_OP_ADD + /n. */
	HV_OP_ADD, HV_OP_OR, HV_OP_ADC, HV_OP_SBB,
	HV_OP_AND, HV_OP_SUB, HV_OP_XOR, HV_OP_CMP,
	HV_OP_TEST,
	HV_OP_NOT, HV_OP_NEG, HV_OP_INC, HV_OP_DEC,
	HV_OP_MOV,		/* MOV, MOVNTI, MOVSXD without REX.W */
	HV_OP_MOVZX,
	HV_OP_MOVSX,		/* MOVSX, MOVSXD with REX.W */
	HV_OP_XCHG,
	HV_OP_MOVS, HV_OP_STOS, HV_OP_LODS, HV_OP_SCAS,
};

/* Operands of an emulated instruction. */
enum hv_operand {
	HV_OPND_NONE,
	HV_OPND_MEM,		/* the memory operand */
	HV_OPND_REG,		/* the register in ModRM.reg */
	HV_OPND_ACC,		/* AL, AX, EAX or RAX */
	HV_OPND_IMM,		/* the immediate, sign-extended to the size */
};

/* How an emulated instruction uses its memory operand. */
enum hv_mem_access {
	HV_MEM_NONE,
	HV_MEM_READ,
	HV_MEM_WRITE,
	HV_MEM_RMW,		/* read, then write (MOVS: source, dest) */
};

struct hv_insn {
	/* Encoding. */
	u8 len;			/* 1..15 bytes */
	u8 mode;		/* enum hv_cpu_mode decoded for */
	u8 nr_prefixes;		/* legacy and REX prefix bytes */
	u8 op_bytes;		/* operand-size attribute: 2, 4 or 8 */
	u8 addr_bytes;		/* address-size attribute: 2, 4 or 8 */
	u8 rex;			/* REX prefix in effect (0x40..0x4f) or 0 */
	u8 rep;			/* last of F2 / F3, or 0 */
	u8 seg_prefix;		/* last segment override byte, or 0 */
	bool opsize_prefix;	/* 66 */
	bool addrsize_prefix;	/* 67 */
	bool lock;		/* F0 */
	u8 vex;			/* C4 / C5 (VEX), 62 (EVEX) or 0 */
	u8 map;			/* enum hv_opcode_map */
	u8 opcode;		/* opcode byte within its map */
	bool has_modrm;
	bool has_sib;
	u8 modrm;
	u8 sib;
	u8 mod;			/* ModRM.mod; always 3 for MOV CR/DR */
	u8 reg;			/* ModRM.reg, with REX.R */
	u8 rm;			/* ModRM.rm, with REX.B */
	u8 disp_bytes;		/* 0, 1, 2 or 4; moffs: 2, 4 or 8 */
	u8 imm_bytes;		/* first immediate: 0, 1, 2, 4 or 8 */
	u8 imm2_bytes;		/* second: ENTER, far pointer, EXTRQ/INSERTQ */
	u16 imm2;
	u64 disp;		/* sign-extended displacement; moffs unsigned */
	u64 imm;		/* first immediate, zero-extended */

	/* Memory operand of ModRM or moffs (has_mem). */
	bool has_mem;
	u8 seg;			/* enum hv_seg, override applied (rSI's) */
	u8 ea_base;		/* enum hv_gpr, HV_EA_NONE or HV_EA_RIP */
	u8 ea_index;		/* enum hv_gpr or HV_EA_NONE */
	u8 ea_scale;		/* index shift, 0..3 */

	/* Emulation; op != HV_OP_NONE when hv_insn_decode() returned 0. */
	u8 op;			/* enum hv_emul_op */
	u8 dst;			/* enum hv_operand */
	u8 src;			/* enum hv_operand */
	u8 opnd_bytes;		/* operation size: 1, 2, 4 or 8 */
	u8 mem_bytes;		/* size of the memory access: 1, 2, 4 or 8 */
	u8 mem_access;		/* enum hv_mem_access */
};

/*
 * Decodes the instruction at @bytes (@nbytes of them fetched; more than 15
 * are ignored) for @mode.  Returns 0 when it is an instruction the MMIO
 * emulator handles (insn->op set), -EOPNOTSUPP when it is valid but not
 * emulated (a register-only form, a vector instruction, ...: insn->len is
 * its length, or 0 when that cannot be determined either), or -EINVAL when
 * it is undefined (#UD: undefined opcode, misplaced LOCK, an opcode invalid
 * in @mode), longer than 15 bytes, or truncated by @nbytes.
 */
int hv_insn_decode(struct hv_insn *insn, const u8 *bytes, unsigned int nbytes,
		   enum hv_cpu_mode mode);

/*
 * Length of any instruction in the one-byte, 0F, 0F38 and 0F3A maps,
 * VEX and EVEX included, or -EINVAL (undefined, longer than 15 bytes,
 * truncated) or -EOPNOTSUPP (length not determinable: XOP, APX REX2, EVEX
 * maps 4+, or 66-prefixed near branches in 64-bit mode, whose length
 * differs between Intel and AMD).
 */
int hv_insn_length(const u8 *bytes, unsigned int nbytes, enum hv_cpu_mode mode);

/*
 * Effective address (offset in insn->seg, truncated to the address size)
 * of the ModRM or moffs memory operand, RIP-relative forms included.
 * Returns 0, or -EINVAL when the instruction has none.
 */
int hv_insn_ea(const struct hv_insn *insn, const struct hv_emul_regs *regs,
	       u64 *ea);

enum hv_mmio_dir {
	HV_MMIO_NONE,		/* no access (REP with rCX = 0) */
	HV_MMIO_READ,
	HV_MMIO_WRITE,
};

struct hv_mmio_access {
	u8 dir;			/* enum hv_mmio_dir */
	u8 size;		/* bytes: 1, 2, 4 or 8 */
	u8 seg;			/* enum hv_seg of the access */
	bool rmw;		/* a READ that complete() turns into a WRITE */
	bool movs;		/* MOVS: seg:ea may not be the faulting one */
	u64 ea;			/* offset in @seg, within the address size */
	u64 data;		/* little-endian, low @size bytes; the rest 0 */
};

/* Positive results of hv_emul_mmio_complete(), or-ed. */
#define HV_EMUL_WRITE		1	/* do the write @acc now describes */
#define HV_EMUL_REPEAT		2	/* REP: RIP kept, iterate again */

/*
 * Starts the access of a decoded instruction: fills @acc from @insn and
 * @regs (for writes: the value, from a register or the immediate).
 * Returns 0, or -EINVAL when @insn was not decoded for emulation.
 */
int hv_emul_mmio_begin(const struct hv_insn *insn,
		       const struct hv_emul_regs *regs,
		       struct hv_mmio_access *acc);

/*
 * Completes the instruction with @acc as begin() left it, acc->data filled
 * in for a READ (bytes above acc->size are ignored).  Loads are zero- or
 * sign-extended as the instruction says into the destination register: 8-bit
 * registers 4..7 are AH, CH, DH, BH without a REX prefix and SPL, BPL, SIL,
 * DIL with one; 8- and 16-bit writes keep the rest of the register, 32-bit
 * writes zero-extend to 64 bits (architectural in 64-bit mode; the upper
 * half is undefined outside it).  Status flags are set as the instruction
 * does; AF, undefined after AND, OR, XOR and TEST, is cleared.  RIP is
 * advanced by the length and wrapped to 16 bits (real, virtual-8086, 16-bit
 * protected mode) or 32 bits (32-bit protected and compatibility mode).
 * Returns 0 or an or-ing of HV_EMUL_WRITE and HV_EMUL_REPEAT (see the top of
 * this file), or -EINVAL, with @regs unchanged, when @acc does not match
 * what begin() reported for @insn.
 */
int hv_emul_mmio_complete(const struct hv_insn *insn,
			  struct hv_emul_regs *regs,
			  struct hv_mmio_access *acc);

#endif /* HV_EMULATE_H */
