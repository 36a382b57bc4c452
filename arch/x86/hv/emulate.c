// SPDX-License-Identifier: GPL-2.0-only
/*
 * x86 instruction decoder and MMIO emulator (Intel SDM Vol. 2, chapter 2
 * and appendix A; AMD APM Vol. 3, chapter 1 and appendix A).  Pure logic.
 */
#include "emulate.h"

/*
 * Opcode table entries: the immediate kind in the low four bits, then
 * decoding attributes.
 */
#define HV_I_NONE	0x0
#define HV_I_B		0x1	/* imm8 */
#define HV_I_W		0x2	/* imm16 */
#define HV_I_Z		0x3	/* imm16, or imm32 for 32/64-bit operands */
#define HV_I_V		0x4	/* imm16, imm32 or imm64 by operand size */
#define HV_I_MOFFS	0x5	/* offset of the address size */
#define HV_I_AP		0x6	/* far pointer: offset16/32, selector */
#define HV_I_ENTER	0x7	/* imm16, imm8 */
#define HV_I_JZ		0x8	/* rel16/rel32 of a near branch */
#define HV_I_GRP3	0x9	/* F6/F7: imm8/immz for /0 and /1 only */
#define HV_I_SSE4A	0xa	/* 0F 78: imm8, imm8 with 66 or F2 */
#define HV_I_MASK	0xf

#define HV_D_MODRM	0x10	/* has a ModRM byte */
#define HV_D_INV64	0x20	/* #UD in 64-bit mode */
#define HV_D_UD		0x40	/* undefined opcode */
#define HV_D_REGONLY	0x80	/* ModRM.mod ignored: MOV CR/DR */

#define M	HV_D_MODRM
#define X	HV_D_INV64
#define U	HV_D_UD
#define IB	HV_I_B
#define IW	HV_I_W
#define IZ	HV_I_Z

/* One-byte map; prefix bytes and the 0F escape are handled before it. */
static const u8 hv_map_1b[256] = {
	[0x00 ... 0x03] = M, [0x04] = IB, [0x05] = IZ, [0x06 ... 0x07] = X,
	[0x08 ... 0x0b] = M, [0x0c] = IB, [0x0d] = IZ, [0x0e] = X,
	[0x10 ... 0x13] = M, [0x14] = IB, [0x15] = IZ, [0x16 ... 0x17] = X,
	[0x18 ... 0x1b] = M, [0x1c] = IB, [0x1d] = IZ, [0x1e ... 0x1f] = X,
	[0x20 ... 0x23] = M, [0x24] = IB, [0x25] = IZ, [0x27] = X,
	[0x28 ... 0x2b] = M, [0x2c] = IB, [0x2d] = IZ, [0x2f] = X,
	[0x30 ... 0x33] = M, [0x34] = IB, [0x35] = IZ, [0x37] = X,
	[0x38 ... 0x3b] = M, [0x3c] = IB, [0x3d] = IZ, [0x3f] = X,
	/* 40-5f: INC/DEC (REX in 64-bit mode), PUSH/POP r: no operands */
	[0x60 ... 0x61] = X, [0x62] = M | X, [0x63] = M,
	[0x68] = IZ, [0x69] = M | IZ, [0x6a] = IB, [0x6b] = M | IB,
	[0x70 ... 0x7f] = IB,
	[0x80] = M | IB, [0x81] = M | IZ, [0x82] = M | IB | X, [0x83] = M | IB,
	[0x84 ... 0x8f] = M,
	[0x9a] = HV_I_AP | X,
	[0xa0 ... 0xa3] = HV_I_MOFFS, [0xa8] = IB, [0xa9] = IZ,
	[0xb0 ... 0xb7] = IB, [0xb8 ... 0xbf] = HV_I_V,
	[0xc0 ... 0xc1] = M | IB, [0xc2] = IW, [0xc4 ... 0xc5] = M | X,
	[0xc6] = M | IB, [0xc7] = M | IZ,
	[0xc8] = HV_I_ENTER, [0xca] = IW, [0xcd] = IB, [0xce] = X,
	[0xd0 ... 0xd3] = M, [0xd4 ... 0xd5] = IB | X, [0xd6] = U,
	[0xd8 ... 0xdf] = M,
	[0xe0 ... 0xe7] = IB, [0xe8 ... 0xe9] = HV_I_JZ, [0xea] = HV_I_AP | X,
	[0xeb] = IB,
	[0xf6 ... 0xf7] = M | HV_I_GRP3, [0xfe ... 0xff] = M,
};

/* Two-byte map (0F xx); 0F 38 and 0F 3A are escapes handled before it. */
static const u8 hv_map_0f[256] = {
	[0x00 ... 0x03] = M, [0x04] = U, [0x0a] = U, [0x0c] = U, [0x0d] = M,
	[0x0f] = M | IB,		/* 3DNow!: the opcode is the imm8 */
	[0x10 ... 0x1f] = M,
	[0x20 ... 0x23] = M | HV_D_REGONLY, [0x24 ... 0x27] = U,
	[0x28 ... 0x2f] = M,
	[0x36] = U, [0x38 ... 0x3f] = U,
	[0x40 ... 0x6f] = M,
	[0x70 ... 0x73] = M | IB, [0x74 ... 0x76] = M,
	[0x78] = M | HV_I_SSE4A, [0x79] = M, [0x7a ... 0x7b] = U,
	[0x7c ... 0x7f] = M,
	[0x80 ... 0x8f] = HV_I_JZ,
	[0x90 ... 0x9f] = M,
	[0xa3] = M, [0xa4] = M | IB, [0xa5] = M,
	[0xa6 ... 0xa7] = M,		/* VIA PadLock */
	[0xab] = M, [0xac] = M | IB, [0xad ... 0xaf] = M,
	[0xb0 ... 0xb9] = M, [0xba] = M | IB, [0xbb ... 0xbf] = M,
	[0xc0 ... 0xc1] = M, [0xc2] = M | IB, [0xc3] = M,
	[0xc4 ... 0xc6] = M | IB, [0xc7] = M,
	[0xd0 ... 0xff] = M,
};

#undef M
#undef X
#undef U
#undef IB
#undef IW
#undef IZ

/* 16-bit ModRM addressing: base and index register of each rm value. */
static const u8 hv_ea16_base[8] = {
	HV_GPR_RBX, HV_GPR_RBX, HV_GPR_RBP, HV_GPR_RBP,
	HV_GPR_RSI, HV_GPR_RDI, HV_GPR_RBP, HV_GPR_RBX,
};

static const u8 hv_ea16_index[8] = {
	HV_GPR_RSI, HV_GPR_RDI, HV_GPR_RSI, HV_GPR_RDI,
	HV_EA_NONE, HV_EA_NONE, HV_EA_NONE, HV_EA_NONE,
};

#define HV_REX_W	0x08
#define HV_REX_R	0x04
#define HV_REX_X	0x02
#define HV_REX_B	0x01

/* The bytes being decoded: at most 15, fewer when the fetch was short. */
struct hv_dec {
	const u8 *p;
	unsigned int pos;
	unsigned int lim;
};

static int hv_fetch(struct hv_dec *d, unsigned int n, u64 *val)
{
	u64 v = 0;
	unsigned int i;

	if (n > d->lim - d->pos)
		return -EINVAL;
	for (i = 0; i < n; i++)
		v |= (u64)d->p[d->pos + i] << (8 * i);
	d->pos += n;
	*val = v;
	return 0;
}

static int hv_fetch8(struct hv_dec *d, u8 *val)
{
	if (d->pos >= d->lim)
		return -EINVAL;
	*val = d->p[d->pos++];
	return 0;
}

static int hv_peek8(const struct hv_dec *d, u8 *val)
{
	if (d->pos >= d->lim)
		return -EINVAL;
	*val = d->p[d->pos];
	return 0;
}

static u64 hv_mask(unsigned int bytes)
{
	return bytes >= 8 ? ~0ULL : BIT_ULL(bytes * 8) - 1;
}

static u64 hv_sext(u64 v, unsigned int bytes)
{
	u64 sign;

	if (!bytes || bytes >= 8)
		return bytes ? v : 0;
	sign = BIT_ULL(bytes * 8 - 1);
	v &= hv_mask(bytes);
	return (v ^ sign) - sign;
}

enum hv_cpu_mode hv_emul_cpu_mode(bool cr0_pe, bool rflags_vm, bool efer_lma,
				  bool cs_l, bool cs_db)
{
	if (!cr0_pe)
		return HV_MODE_REAL;
	if (efer_lma && cs_l)
		return HV_MODE_LONG64;
	if (rflags_vm && !efer_lma)
		return HV_MODE_VM86;
	return cs_db ? HV_MODE_PROT32 : HV_MODE_PROT16;
}

static int hv_decode_prefixes(struct hv_insn *insn, struct hv_dec *d)
{
	u8 b;

	for (;;) {
		if (hv_peek8(d, &b))
			return -EINVAL;
		switch (b) {
		case 0x26: case 0x2e: case 0x36: case 0x3e:
		case 0x64: case 0x65:
			insn->seg_prefix = b;
			break;
		case 0x66:
			insn->opsize_prefix = true;
			break;
		case 0x67:
			insn->addrsize_prefix = true;
			break;
		case 0xf0:
			insn->lock = true;
			break;
		case 0xf2: case 0xf3:
			insn->rep = b;
			break;
		default:
			if (insn->mode != HV_MODE_LONG64 || (b & 0xf0) != 0x40)
				return 0;
			/* REX: only the last one before the opcode counts */
			insn->rex = b;
			d->pos++;
			insn->nr_prefixes++;
			continue;
		}
		/* A legacy prefix after REX makes the REX ignored. */
		insn->rex = 0;
		d->pos++;
		insn->nr_prefixes++;
	}
}

static void hv_set_sizes(struct hv_insn *insn)
{
	switch (insn->mode) {
	case HV_MODE_LONG64:
		if (insn->rex & HV_REX_W)
			insn->op_bytes = 8;
		else
			insn->op_bytes = insn->opsize_prefix ? 2 : 4;
		insn->addr_bytes = insn->addrsize_prefix ? 4 : 8;
		break;
	case HV_MODE_PROT32:
		insn->op_bytes = insn->opsize_prefix ? 2 : 4;
		insn->addr_bytes = insn->addrsize_prefix ? 2 : 4;
		break;
	default:
		insn->op_bytes = insn->opsize_prefix ? 4 : 2;
		insn->addr_bytes = insn->addrsize_prefix ? 4 : 2;
		break;
	}
}

static bool hv_mode_real(const struct hv_insn *insn)
{
	return insn->mode == HV_MODE_REAL || insn->mode == HV_MODE_VM86;
}

/*
 * VEX (C4, C5) and EVEX (62).  Returns the table entry of the opcode that
 * follows, with the VEX fields consumed, or a negative errno.
 */
static int hv_decode_vex(struct hv_insn *insn, struct hv_dec *d, u8 first)
{
	u8 p0, p1, p2, map;
	int flags = HV_D_MODRM;

	/* VEX after 66, F2, F3, F0 or REX is #UD. */
	if (insn->opsize_prefix || insn->rep || insn->lock || insn->rex)
		return -EINVAL;
	insn->vex = first;
	if (hv_fetch8(d, &p0))
		return -EINVAL;
	if (first == 0xc5) {
		map = HV_MAP_0F;
	} else if (first == 0xc4) {
		map = p0 & 0x1f;	/* 1, 2, 3: as enum hv_opcode_map */
		if (map < HV_MAP_0F || map > HV_MAP_0F3A)
			return -EINVAL;
		if (hv_fetch8(d, &p1))
			return -EINVAL;
	} else {
		/* EVEX: P0.mmm selects the map, P1 bit 2 is fixed to 1. */
		map = p0 & 0x07;
		if (hv_fetch8(d, &p1) || hv_fetch8(d, &p2))
			return -EINVAL;
		if (!(p1 & 0x04))
			return -EINVAL;
		if (map == 0)
			return -EINVAL;
		if (map > HV_MAP_0F3A)
			return -EOPNOTSUPP;	/* maps 4-7: APX, AVX512-FP16 */
	}
	insn->map = map;
	if (hv_fetch8(d, &insn->opcode))
		return -EINVAL;
	if (map == HV_MAP_0F3A) {
		flags |= HV_I_B;
	} else if (map == HV_MAP_0F) {
		switch (insn->opcode) {
		case 0x77:		/* VZEROUPPER, VZEROALL */
			if (first == 0x62)
				return -EINVAL;
			flags = 0;
			break;
		case 0x70 ... 0x73: case 0xc2: case 0xc4 ... 0xc6:
			flags |= HV_I_B;
			break;
		}
	}
	return flags;
}

/*
 * Reads the opcode (escapes, VEX/EVEX included) and returns its table
 * entry, or a negative errno.
 */
static int hv_decode_opcode(struct hv_insn *insn, struct hv_dec *d)
{
	u8 b, next;
	bool vex;

	if (hv_fetch8(d, &b))
		return -EINVAL;
	if (b == 0x0f) {
		if (hv_fetch8(d, &b))
			return -EINVAL;
		if (b == 0x38 || b == 0x3a) {
			insn->map = b == 0x38 ? HV_MAP_0F38 : HV_MAP_0F3A;
			if (hv_fetch8(d, &insn->opcode))
				return -EINVAL;
			return HV_D_MODRM | (b == 0x3a ? HV_I_B : 0);
		}
		insn->map = HV_MAP_0F;
		insn->opcode = b;
		return hv_map_0f[b];
	}

	insn->map = HV_MAP_1B;
	insn->opcode = b;
	switch (b) {
	case 0xc4: case 0xc5: case 0x62:
		/*
		 * VEX/EVEX in 64-bit mode; elsewhere only when the next byte
		 * would be a register-form ModRM, invalid for LES, LDS and
		 * BOUND.  Real and virtual-8086 mode have no VEX/EVEX: #UD.
		 */
		if (hv_peek8(d, &next))
			return -EINVAL;
		vex = insn->mode == HV_MODE_LONG64 || next >= 0xc0;
		if (vex && hv_mode_real(insn))
			return -EINVAL;
		if (vex)
			return hv_decode_vex(insn, d, b);
		break;
	case 0x8f:
		/* 8F with ModRM.reg != 0 is AMD's XOP prefix. */
		if (hv_peek8(d, &next))
			return -EINVAL;
		if (next & 0x38)
			return -EOPNOTSUPP;
		break;
	case 0xd5:
		/* APX REX2 in 64-bit mode. */
		if (insn->mode == HV_MODE_LONG64)
			return -EOPNOTSUPP;
		break;
	}
	return hv_map_1b[b];
}

static int hv_decode_modrm(struct hv_insn *insn, struct hv_dec *d,
			   bool regonly)
{
	u8 modrm;
	u64 disp = 0;
	unsigned int dbytes = 0;

	if (hv_fetch8(d, &modrm))
		return -EINVAL;
	insn->has_modrm = true;
	insn->modrm = modrm;
	insn->mod = regonly ? 3 : modrm >> 6;
	insn->reg = ((modrm >> 3) & 7) | (insn->rex & HV_REX_R ? 8 : 0);
	insn->rm = (modrm & 7) | (insn->rex & HV_REX_B ? 8 : 0);
	if (insn->mod == 3)
		return 0;

	insn->has_mem = true;
	insn->ea_index = HV_EA_NONE;
	if (insn->addr_bytes == 2) {
		insn->ea_base = hv_ea16_base[modrm & 7];
		insn->ea_index = hv_ea16_index[modrm & 7];
		if (insn->mod == 0 && (modrm & 7) == 6) {
			insn->ea_base = HV_EA_NONE;
			dbytes = 2;
		} else {
			dbytes = insn->mod == 1 ? 1 : insn->mod == 2 ? 2 : 0;
		}
	} else {
		if ((modrm & 7) == 4) {
			u8 sib, base;

			if (hv_fetch8(d, &sib))
				return -EINVAL;
			insn->has_sib = true;
			insn->sib = sib;
			insn->ea_scale = sib >> 6;
			insn->ea_index = ((sib >> 3) & 7) |
					 (insn->rex & HV_REX_X ? 8 : 0);
			if (insn->ea_index == HV_GPR_RSP)
				insn->ea_index = HV_EA_NONE;
			base = (sib & 7) | (insn->rex & HV_REX_B ? 8 : 0);
			if (insn->mod == 0 && (sib & 7) == 5) {
				base = HV_EA_NONE;
				dbytes = 4;
			}
			insn->ea_base = base;
		} else if (insn->mod == 0 && (modrm & 7) == 5) {
			insn->ea_base = insn->mode == HV_MODE_LONG64 ?
					HV_EA_RIP : HV_EA_NONE;
			dbytes = 4;
		} else {
			insn->ea_base = insn->rm;
		}
		if (insn->mod == 1)
			dbytes = 1;
		else if (insn->mod == 2)
			dbytes = 4;
	}
	if (dbytes && hv_fetch(d, dbytes, &disp))
		return -EINVAL;
	insn->disp_bytes = dbytes;
	insn->disp = hv_sext(disp, dbytes);
	return 0;
}

static int hv_decode_imm(struct hv_insn *insn, struct hv_dec *d, int kind)
{
	unsigned int n = 0, n2 = 0;
	u64 v2 = 0;

	switch (kind) {
	case HV_I_B:
		n = 1;
		break;
	case HV_I_W:
		n = 2;
		break;
	case HV_I_Z:
		n = insn->op_bytes == 2 ? 2 : 4;
		break;
	case HV_I_V:
		n = insn->op_bytes;
		break;
	case HV_I_MOFFS:
		/* An absolute offset: kept in disp, zero-extended. */
		insn->has_mem = true;
		insn->ea_base = HV_EA_NONE;
		insn->ea_index = HV_EA_NONE;
		insn->disp_bytes = insn->addr_bytes;
		return hv_fetch(d, insn->addr_bytes, &insn->disp);
	case HV_I_AP:
		n = insn->op_bytes == 2 ? 2 : 4;
		n2 = 2;
		break;
	case HV_I_ENTER:
		n = 2;
		n2 = 1;
		break;
	case HV_I_JZ:
		/*
		 * 66 on a near branch in 64-bit mode: Intel ignores it (rel32),
		 * AMD honours it (rel16).  The length depends on the vendor.
		 */
		if (insn->mode == HV_MODE_LONG64 && insn->op_bytes == 2)
			return -EOPNOTSUPP;
		n = insn->op_bytes == 2 ? 2 : 4;
		break;
	case HV_I_GRP3:
		if ((insn->reg & 7) < 2)
			n = !(insn->opcode & 1) ? 1 :
			    insn->op_bytes == 2 ? 2 : 4;
		break;
	case HV_I_SSE4A:
		if (insn->opsize_prefix || insn->rep == 0xf2) {
			n = 1;
			n2 = 1;
		}
		break;
	}
	if (n && hv_fetch(d, n, &insn->imm))
		return -EINVAL;
	insn->imm_bytes = n;
	if (n2 && hv_fetch(d, n2, &v2))
		return -EINVAL;
	insn->imm2_bytes = n2;
	insn->imm2 = v2;
	return 0;
}

/* Opcode-extension checks of the one-byte map: true when #UD. */
static bool hv_group_invalid(const struct hv_insn *insn)
{
	u8 r = insn->reg & 7;

	if (insn->map == HV_MAP_0F) {
		switch (insn->opcode) {
		case 0xba:				/* BT group */
			return r < 4;
		case 0xc3:				/* MOVNTI: NP, memory */
			return insn->opsize_prefix || insn->rep ||
			       !insn->has_mem;
		}
		return false;
	}
	if (insn->map != HV_MAP_1B)
		return false;
	switch (insn->opcode) {
	case 0x62: case 0xc4: case 0xc5:	/* BOUND, LES, LDS */
	case 0x8d:				/* LEA */
		return !insn->has_mem;
	case 0x63:				/* ARPL */
		return hv_mode_real(insn);
	case 0x8c:
		return r > 5;
	case 0x8e:				/* no MOV to CS */
		return r > 5 || r == 1;
	case 0xc6: case 0xc7:			/* MOV; XABORT, XBEGIN */
		return r != 0 && insn->modrm != 0xf8;
	case 0xfe:
		return r > 1;
	case 0xff:				/* far CALL/JMP need memory */
		return r == 7 || ((r == 3 || r == 5) && !insn->has_mem);
	}
	return false;
}

/* May this instruction carry LOCK (F0)? */
static bool hv_lockable(const struct hv_insn *insn)
{
	u8 op = insn->opcode, r = insn->reg & 7;

	/* AMD's alternative encoding of MOV CR8 in 32-bit code. */
	if (insn->map == HV_MAP_0F && (op == 0x20 || op == 0x22))
		return true;
	if (!insn->has_modrm || !insn->has_mem)
		return false;
	if (insn->map == HV_MAP_1B) {
		/* ADD, OR, ADC, SBB, AND, SUB, XOR with a memory destination */
		if (op < 0x38 && (op & 7) < 2)
			return true;
		switch (op) {
		case 0x80 ... 0x83:
			return r != 7;
		case 0x86: case 0x87:
			return true;
		case 0xf6: case 0xf7:
			return r == 2 || r == 3;
		case 0xfe: case 0xff:
			return r < 2;
		}
		return false;
	}
	if (insn->map == HV_MAP_0F) {
		switch (op) {
		case 0xab: case 0xb3: case 0xbb:	/* BTS, BTR, BTC */
		case 0xb0: case 0xb1:			/* CMPXCHG */
		case 0xc0: case 0xc1:			/* XADD */
			return true;
		case 0xba:
			return r >= 5;
		case 0xc7:				/* CMPXCHG8B/16B */
			return r == 1;
		}
	}
	return false;
}

static u8 hv_prefix_seg(const struct hv_insn *insn, u8 def)
{
	switch (insn->seg_prefix) {
	case 0x64:
		return HV_SEG_FS;
	case 0x65:
		return HV_SEG_GS;
	}
	/* 64-bit mode ignores the ES, CS, SS and DS overrides. */
	if (insn->mode == HV_MODE_LONG64)
		return def;
	switch (insn->seg_prefix) {
	case 0x26:
		return HV_SEG_ES;
	case 0x2e:
		return HV_SEG_CS;
	case 0x36:
		return HV_SEG_SS;
	case 0x3e:
		return HV_SEG_DS;
	}
	return def;
}

/* Structure of the instruction: everything up to its length. */
static int hv_decode_insn(struct hv_insn *insn, const u8 *bytes,
			  unsigned int nbytes, enum hv_cpu_mode mode)
{
	struct hv_dec d;
	int flags, err;
	u8 def = HV_SEG_DS;

	memset(insn, 0, sizeof(*insn));
	if ((unsigned int)mode >= HV_MODE_NR || !bytes)
		return -EINVAL;
	d.p = bytes;
	d.pos = 0;
	d.lim = nbytes < HV_INSN_MAX_LEN ? nbytes : HV_INSN_MAX_LEN;
	insn->mode = mode;
	insn->ea_base = HV_EA_NONE;
	insn->ea_index = HV_EA_NONE;

	err = hv_decode_prefixes(insn, &d);
	if (err)
		return err;
	hv_set_sizes(insn);
	flags = hv_decode_opcode(insn, &d);
	if (flags < 0)
		return flags;
	if (flags & HV_D_UD)
		return -EINVAL;
	if ((flags & HV_D_INV64) && mode == HV_MODE_LONG64)
		return -EINVAL;
	if (flags & HV_D_MODRM) {
		err = hv_decode_modrm(insn, &d, flags & HV_D_REGONLY);
		if (err)
			return err;
	}
	err = hv_decode_imm(insn, &d, flags & HV_I_MASK);
	if (err)
		return err;
	insn->len = d.pos;

	if (insn->has_mem && (insn->ea_base == HV_GPR_RSP ||
			      insn->ea_base == HV_GPR_RBP))
		def = HV_SEG_SS;
	insn->seg = hv_prefix_seg(insn, def);
	if (insn->vex)
		return 0;
	if (hv_group_invalid(insn))
		return -EINVAL;
	if (insn->lock && !hv_lockable(insn))
		return -EINVAL;
	return 0;
}

int hv_insn_length(const u8 *bytes, unsigned int nbytes, enum hv_cpu_mode mode)
{
	struct hv_insn insn;
	int err;

	err = hv_decode_insn(&insn, bytes, nbytes, mode);
	return err ? err : insn.len;
}

static void hv_set_op(struct hv_insn *insn, u8 op, u8 dst, u8 src,
		      unsigned int opnd_bytes, unsigned int mem_bytes,
		      u8 access)
{
	insn->op = op;
	insn->dst = dst;
	insn->src = src;
	insn->opnd_bytes = opnd_bytes;
	insn->mem_bytes = mem_bytes;
	insn->mem_access = access;
}

static u8 hv_alu_access(u8 op)
{
	return op == HV_OP_CMP || op == HV_OP_TEST ? HV_MEM_READ : HV_MEM_RMW;
}

/* The memory-operand instructions of the one-byte map we emulate. */
static void hv_classify_1b(struct hv_insn *insn)
{
	u8 opc = insn->opcode, r = insn->reg & 7, op;
	unsigned int v = insn->op_bytes;
	unsigned int sz = opc & 1 ? v : 1;
	bool mem = insn->has_mem;

	if (opc < 0x40 && (opc & 7) < 4) {
		/* ALU Eb,Gb  Ev,Gv  Gb,Eb  Gv,Ev */
		if (!mem)
			return;
		op = HV_OP_ADD + (opc >> 3);
		if (opc & 2)
			hv_set_op(insn, op, HV_OPND_REG, HV_OPND_MEM, sz, sz,
				  HV_MEM_READ);
		else
			hv_set_op(insn, op, HV_OPND_MEM, HV_OPND_REG, sz, sz,
				  hv_alu_access(op));
		return;
	}

	switch (opc) {
	case 0x63:		/* MOVSXD Gv,Ed (64-bit mode; else ARPL) */
		if (!mem || insn->mode != HV_MODE_LONG64)
			return;
		if (v == 8)
			hv_set_op(insn, HV_OP_MOVSX, HV_OPND_REG, HV_OPND_MEM,
				  8, 4, HV_MEM_READ);
		else
			hv_set_op(insn, HV_OP_MOV, HV_OPND_REG, HV_OPND_MEM,
				  v, v, HV_MEM_READ);
		return;
	case 0x80: case 0x82: case 0x81: case 0x83:
		if (!mem)
			return;
		op = HV_OP_ADD + r;
		sz = opc == 0x80 || opc == 0x82 ? 1 : v;
		hv_set_op(insn, op, HV_OPND_MEM, HV_OPND_IMM, sz, sz,
			  hv_alu_access(op));
		return;
	case 0x84: case 0x85:	/* TEST Eb,Gb / Ev,Gv */
		if (mem)
			hv_set_op(insn, HV_OP_TEST, HV_OPND_MEM, HV_OPND_REG,
				  sz, sz, HV_MEM_READ);
		return;
	case 0x86: case 0x87:	/* XCHG */
		if (mem)
			hv_set_op(insn, HV_OP_XCHG, HV_OPND_MEM, HV_OPND_REG,
				  sz, sz, HV_MEM_RMW);
		return;
	case 0x88: case 0x89:	/* MOV Eb,Gb / Ev,Gv */
		if (mem)
			hv_set_op(insn, HV_OP_MOV, HV_OPND_MEM, HV_OPND_REG,
				  sz, sz, HV_MEM_WRITE);
		return;
	case 0x8a: case 0x8b:	/* MOV Gb,Eb / Gv,Ev */
		if (mem)
			hv_set_op(insn, HV_OP_MOV, HV_OPND_REG, HV_OPND_MEM,
				  sz, sz, HV_MEM_READ);
		return;
	case 0xa0: case 0xa1:	/* MOV AL/rAX,moffs */
		hv_set_op(insn, HV_OP_MOV, HV_OPND_ACC, HV_OPND_MEM, sz, sz,
			  HV_MEM_READ);
		return;
	case 0xa2: case 0xa3:	/* MOV moffs,AL/rAX */
		hv_set_op(insn, HV_OP_MOV, HV_OPND_MEM, HV_OPND_ACC, sz, sz,
			  HV_MEM_WRITE);
		return;
	/* Strings: DS:rSI (insn->seg) and ES:rDI. */
	case 0xa4: case 0xa5:
		hv_set_op(insn, HV_OP_MOVS, HV_OPND_MEM, HV_OPND_MEM, sz, sz,
			  HV_MEM_RMW);
		return;
	case 0xaa: case 0xab:
		hv_set_op(insn, HV_OP_STOS, HV_OPND_MEM, HV_OPND_ACC, sz, sz,
			  HV_MEM_WRITE);
		return;
	case 0xac: case 0xad:
		hv_set_op(insn, HV_OP_LODS, HV_OPND_ACC, HV_OPND_MEM, sz, sz,
			  HV_MEM_READ);
		return;
	case 0xae: case 0xaf:
		hv_set_op(insn, HV_OP_SCAS, HV_OPND_ACC, HV_OPND_MEM, sz, sz,
			  HV_MEM_READ);
		return;
	case 0xc6: case 0xc7:	/* MOV Eb,Ib / Ev,Iz */
		if (mem && r == 0)
			hv_set_op(insn, HV_OP_MOV, HV_OPND_MEM, HV_OPND_IMM,
				  sz, sz, HV_MEM_WRITE);
		return;
	case 0xf6: case 0xf7:	/* TEST, NOT, NEG */
		if (!mem)
			return;
		if (r < 2)
			hv_set_op(insn, HV_OP_TEST, HV_OPND_MEM, HV_OPND_IMM,
				  sz, sz, HV_MEM_READ);
		else if (r < 4)
			hv_set_op(insn, r == 2 ? HV_OP_NOT : HV_OP_NEG,
				  HV_OPND_MEM, HV_OPND_NONE, sz, sz,
				  HV_MEM_RMW);
		return;
	case 0xfe: case 0xff:	/* INC, DEC */
		if (mem && r < 2)
			hv_set_op(insn, r ? HV_OP_DEC : HV_OP_INC,
				  HV_OPND_MEM, HV_OPND_NONE, sz, sz,
				  HV_MEM_RMW);
		return;
	}
}

static void hv_classify_0f(struct hv_insn *insn)
{
	unsigned int v = insn->op_bytes;

	if (!insn->has_mem)
		return;
	switch (insn->opcode) {
	case 0xb6: case 0xb7:	/* MOVZX Gv,Eb / Gv,Ew */
	case 0xbe: case 0xbf:	/* MOVSX Gv,Eb / Gv,Ew */
		hv_set_op(insn, insn->opcode & 8 ? HV_OP_MOVSX : HV_OP_MOVZX,
			  HV_OPND_REG, HV_OPND_MEM, v,
			  insn->opcode & 1 ? 2 : 1, HV_MEM_READ);
		break;
	case 0xc3:		/* MOVNTI My,Gy */
		v = insn->rex & HV_REX_W ? 8 : 4;
		hv_set_op(insn, HV_OP_MOV, HV_OPND_MEM, HV_OPND_REG, v, v,
			  HV_MEM_WRITE);
		break;
	}
}

int hv_insn_decode(struct hv_insn *insn, const u8 *bytes, unsigned int nbytes,
		   enum hv_cpu_mode mode)
{
	int err;

	err = hv_decode_insn(insn, bytes, nbytes, mode);
	if (err)
		return err;
	if (insn->vex)
		return -EOPNOTSUPP;
	if (insn->map == HV_MAP_1B)
		hv_classify_1b(insn);
	else if (insn->map == HV_MAP_0F)
		hv_classify_0f(insn);
	return insn->op == HV_OP_NONE ? -EOPNOTSUPP : 0;
}

static u64 hv_ea(const struct hv_insn *insn, const struct hv_emul_regs *regs)
{
	u64 ea = insn->disp;

	if (insn->ea_base == HV_EA_RIP)
		ea += regs->rip + insn->len;
	else if (insn->ea_base < HV_NR_GPRS)
		ea += regs->gpr[insn->ea_base];
	if (insn->ea_index < HV_NR_GPRS)
		ea += regs->gpr[insn->ea_index] << insn->ea_scale;
	return ea & hv_mask(insn->addr_bytes);
}

int hv_insn_ea(const struct hv_insn *insn, const struct hv_emul_regs *regs,
	       u64 *ea)
{
	if (!insn->has_mem)
		return -EINVAL;
	*ea = hv_ea(insn, regs);
	return 0;
}

/* 8-bit registers 4..7 are AH, CH, DH, BH unless a REX prefix is present. */
static bool hv_high_byte(const struct hv_insn *insn, unsigned int reg,
			 unsigned int bytes)
{
	return bytes == 1 && !insn->rex && reg >= 4 && reg < 8;
}

static u64 hv_reg_read(const struct hv_insn *insn,
		       const struct hv_emul_regs *regs, unsigned int reg,
		       unsigned int bytes)
{
	if (hv_high_byte(insn, reg, bytes))
		return (regs->gpr[reg - 4] >> 8) & 0xff;
	return regs->gpr[reg] & hv_mask(bytes);
}

static void hv_reg_write(const struct hv_insn *insn, struct hv_emul_regs *regs,
			 unsigned int reg, unsigned int bytes, u64 val)
{
	u64 *r = &regs->gpr[reg];

	if (hv_high_byte(insn, reg, bytes)) {
		r = &regs->gpr[reg - 4];
		*r = (*r & ~0xff00ULL) | ((val & 0xff) << 8);
	} else if (bytes < 4) {
		*r = (*r & ~hv_mask(bytes)) | (val & hv_mask(bytes));
	} else {
		*r = val & hv_mask(bytes);
	}
}

/* A register used as an address (rSI, rDI, rCX of strings). */
static void hv_areg_write(const struct hv_insn *insn,
			  struct hv_emul_regs *regs, unsigned int reg, u64 val)
{
	hv_reg_write(insn, regs, reg, insn->addr_bytes, val);
}

static u64 hv_opnd_read(const struct hv_insn *insn,
			const struct hv_emul_regs *regs, u8 opnd)
{
	unsigned int sz = insn->opnd_bytes;

	switch (opnd) {
	case HV_OPND_REG:
		return hv_reg_read(insn, regs, insn->reg, sz);
	case HV_OPND_ACC:
		return hv_reg_read(insn, regs, HV_GPR_RAX, sz);
	case HV_OPND_IMM:
		return hv_sext(insn->imm, insn->imm_bytes) & hv_mask(sz);
	}
	return 0;
}

static void hv_opnd_write(const struct hv_insn *insn,
			  struct hv_emul_regs *regs, u8 opnd, u64 val)
{
	if (opnd == HV_OPND_REG)
		hv_reg_write(insn, regs, insn->reg, insn->opnd_bytes, val);
	else if (opnd == HV_OPND_ACC)
		hv_reg_write(insn, regs, HV_GPR_RAX, insn->opnd_bytes, val);
}

static bool hv_parity_even(u64 v)
{
	u8 p = v & 0xff;

	p ^= p >> 4;
	p ^= p >> 2;
	p ^= p >> 1;
	return !(p & 1);
}

/*
 * Computes @a op @b at @bytes wide and sets the status flags in @rflags as
 * the instruction does.  Returns the result.
 */
static u64 hv_alu(u8 op, unsigned int bytes, u64 a, u64 b, u64 *rflags)
{
	u64 mask = hv_mask(bytes), sign = BIT_ULL(bytes * 8 - 1);
	u64 cf_in = (*rflags & HV_RFLAGS_CF) ? 1 : 0;
	u64 r, c, flags = 0, keep = HV_RFLAGS_ARITH;
	bool arith = true;

	a &= mask;
	b &= mask;
	switch (op) {
	case HV_OP_INC:
	case HV_OP_DEC:
		b = 1;
		keep &= ~HV_RFLAGS_CF;	/* INC and DEC leave CF alone */
		break;
	case HV_OP_NEG:
		b = a;
		a = 0;
		break;
	}

	switch (op) {
	case HV_OP_ADD: case HV_OP_ADC: case HV_OP_INC:
		r = a + b + (op == HV_OP_ADC ? cf_in : 0);
		/* carry out of each bit */
		c = (a & b) | ((a | b) & ~r);
		if (c & sign)
			flags |= HV_RFLAGS_CF;
		if ((a ^ r) & (b ^ r) & sign)
			flags |= HV_RFLAGS_OF;
		break;
	case HV_OP_SUB: case HV_OP_SBB: case HV_OP_CMP: case HV_OP_DEC:
	case HV_OP_NEG:
		r = a - b - (op == HV_OP_SBB ? cf_in : 0);
		/* borrow out of each bit */
		c = (~a & b) | (~(a ^ b) & r);
		if (c & sign)
			flags |= HV_RFLAGS_CF;
		if ((a ^ b) & (a ^ r) & sign)
			flags |= HV_RFLAGS_OF;
		break;
	case HV_OP_OR:
		r = a | b;
		arith = false;
		break;
	case HV_OP_XOR:
		r = a ^ b;
		arith = false;
		break;
	default:	/* AND, TEST */
		r = a & b;
		arith = false;
		break;
	}
	if (arith && ((a ^ b ^ r) & 0x10))
		flags |= HV_RFLAGS_AF;
	r &= mask;
	if (!r)
		flags |= HV_RFLAGS_ZF;
	if (r & sign)
		flags |= HV_RFLAGS_SF;
	if (hv_parity_even(r))
		flags |= HV_RFLAGS_PF;
	*rflags = (*rflags & ~keep) | (flags & keep);
	return r;
}

static bool hv_is_string(u8 op)
{
	return op >= HV_OP_MOVS && op <= HV_OP_SCAS;
}

/* Remaining REP count, within the address size. */
static u64 hv_rep_count(const struct hv_insn *insn,
			const struct hv_emul_regs *regs)
{
	return regs->gpr[HV_GPR_RCX] & hv_mask(insn->addr_bytes);
}

static u64 hv_string_ea(const struct hv_insn *insn,
			const struct hv_emul_regs *regs, unsigned int reg)
{
	return regs->gpr[reg] & hv_mask(insn->addr_bytes);
}

int hv_emul_mmio_begin(const struct hv_insn *insn,
		       const struct hv_emul_regs *regs,
		       struct hv_mmio_access *acc)
{
	memset(acc, 0, sizeof(*acc));
	if (insn->op == HV_OP_NONE || insn->op > HV_OP_SCAS ||
	    !insn->mem_bytes || insn->mem_access == HV_MEM_NONE)
		return -EINVAL;

	if (hv_is_string(insn->op)) {
		if (insn->rep && !hv_rep_count(insn, regs))
			return 0;	/* HV_MMIO_NONE */
		if (insn->op == HV_OP_STOS || insn->op == HV_OP_SCAS) {
			acc->seg = HV_SEG_ES;
			acc->ea = hv_string_ea(insn, regs, HV_GPR_RDI);
		} else {
			acc->seg = insn->seg;
			acc->ea = hv_string_ea(insn, regs, HV_GPR_RSI);
		}
		acc->movs = insn->op == HV_OP_MOVS;
	} else {
		acc->seg = insn->seg;
		acc->ea = hv_ea(insn, regs);
	}
	acc->size = insn->mem_bytes;
	switch (insn->mem_access) {
	case HV_MEM_WRITE:
		acc->dir = HV_MMIO_WRITE;
		acc->data = hv_opnd_read(insn, regs, insn->src) &
			    hv_mask(insn->mem_bytes);
		break;
	case HV_MEM_RMW:
		acc->rmw = true;
		fallthrough;
	default:
		acc->dir = HV_MMIO_READ;
		break;
	}
	return 0;
}

static void hv_advance_rip(const struct hv_insn *insn,
			   struct hv_emul_regs *regs)
{
	u64 rip = regs->rip + insn->len;

	switch (insn->mode) {
	case HV_MODE_LONG64:
		break;
	case HV_MODE_PROT32:
		rip &= 0xffffffffULL;
		break;
	default:
		rip &= 0xffffULL;
		break;
	}
	regs->rip = rip;
	regs->rflags &= ~HV_RFLAGS_RF;
}

/* Advances rSI/rDI and counts rCX; returns HV_EMUL_REPEAT or 0. */
static int hv_string_step(const struct hv_insn *insn,
			  struct hv_emul_regs *regs)
{
	bool repe = insn->rep == 0xf3;
	u64 delta = insn->mem_bytes, count;
	bool zf = regs->rflags & HV_RFLAGS_ZF;

	if (regs->rflags & HV_RFLAGS_DF)
		delta = -delta;
	if (insn->op == HV_OP_MOVS || insn->op == HV_OP_LODS)
		hv_areg_write(insn, regs, HV_GPR_RSI,
			      regs->gpr[HV_GPR_RSI] + delta);
	if (insn->op != HV_OP_LODS)
		hv_areg_write(insn, regs, HV_GPR_RDI,
			      regs->gpr[HV_GPR_RDI] + delta);
	if (!insn->rep)
		return 0;
	count = hv_rep_count(insn, regs) - 1;
	hv_areg_write(insn, regs, HV_GPR_RCX, count);
	if (!count)
		return 0;
	/* REPE / REPNE SCAS also stop on ZF. */
	if (insn->op == HV_OP_SCAS && zf != repe)
		return 0;
	return HV_EMUL_REPEAT;
}

/* Turns @acc into the write of @val, after a read. */
static void hv_post_write(struct hv_mmio_access *acc, u64 val)
{
	acc->dir = HV_MMIO_WRITE;
	acc->rmw = false;
	acc->data = val & hv_mask(acc->size);
}

int hv_emul_mmio_complete(const struct hv_insn *insn,
			  struct hv_emul_regs *regs,
			  struct hv_mmio_access *acc)
{
	bool rmw;
	unsigned int sz = insn->opnd_bytes;
	bool string = hv_is_string(insn->op);
	u64 mem, a, b, res;
	u8 dir;
	int ret = 0;

	if (insn->op == HV_OP_NONE || insn->op > HV_OP_SCAS ||
	    !insn->mem_bytes || insn->mem_access == HV_MEM_NONE)
		return -EINVAL;
	if (string && insn->rep && !hv_rep_count(insn, regs)) {
		if (acc->dir != HV_MMIO_NONE)
			return -EINVAL;
		hv_advance_rip(insn, regs);
		return 0;
	}
	dir = insn->mem_access == HV_MEM_WRITE ? HV_MMIO_WRITE : HV_MMIO_READ;
	rmw = insn->mem_access == HV_MEM_RMW;
	if (acc->dir != dir || acc->size != insn->mem_bytes || acc->rmw != rmw)
		return -EINVAL;

	mem = acc->data & hv_mask(insn->mem_bytes);
	switch (insn->op) {
	case HV_OP_MOV:
	case HV_OP_MOVZX:
		hv_opnd_write(insn, regs, insn->dst, mem);
		break;
	case HV_OP_MOVSX:
		hv_opnd_write(insn, regs, insn->dst,
			      hv_sext(mem, insn->mem_bytes));
		break;
	case HV_OP_ADD ... HV_OP_TEST:
		if (insn->dst == HV_OPND_MEM) {
			a = mem;
			b = hv_opnd_read(insn, regs, insn->src);
		} else {
			a = hv_opnd_read(insn, regs, insn->dst);
			b = mem;
		}
		res = hv_alu(insn->op, sz, a, b, &regs->rflags);
		if (insn->op == HV_OP_CMP || insn->op == HV_OP_TEST)
			break;
		if (insn->dst == HV_OPND_MEM)
			hv_post_write(acc, res);
		else
			hv_opnd_write(insn, regs, insn->dst, res);
		break;
	case HV_OP_NOT:
		hv_post_write(acc, ~mem);
		break;
	case HV_OP_NEG:
	case HV_OP_INC:
	case HV_OP_DEC:
		hv_post_write(acc, hv_alu(insn->op, sz, mem, 0, &regs->rflags));
		break;
	case HV_OP_XCHG:
		hv_post_write(acc, hv_opnd_read(insn, regs, insn->src));
		hv_opnd_write(insn, regs, insn->src, mem);
		break;
	case HV_OP_MOVS:
		hv_post_write(acc, mem);
		acc->seg = HV_SEG_ES;
		acc->ea = hv_string_ea(insn, regs, HV_GPR_RDI);
		break;
	case HV_OP_LODS:
		hv_opnd_write(insn, regs, HV_OPND_ACC, mem);
		break;
	case HV_OP_SCAS:
		hv_alu(HV_OP_CMP, sz, hv_opnd_read(insn, regs, HV_OPND_ACC),
		       mem, &regs->rflags);
		break;
	}
	if (acc->dir == HV_MMIO_WRITE)
		ret |= HV_EMUL_WRITE;
	if (string)
		ret |= hv_string_step(insn, regs);
	if (!(ret & HV_EMUL_REPEAT))
		hv_advance_rip(insn, regs);
	return ret;
}
