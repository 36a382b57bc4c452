// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest page-table walker (GVA -> GPA).  See guest_walk.h for what is and
 * is not modelled.  Pure logic, shared with the userspace unit tests.
 */
#include "guest_walk.h"

/* Bits @hi..@lo of a u64; 0 when @lo > @hi.  @hi and @lo are 0..63. */
static inline u64 gw_bits(unsigned int hi, unsigned int lo)
{
	if (lo > hi)
		return 0;
	return (~0ULL >> (63 - hi)) & (~0ULL << lo);
}

/* One walk, set up from the context once. */
struct gw_state {
	enum hv_walk_mode mode;
	unsigned int maxpa;	/* MAXPHYADDR, 32..52 */
	bool nxe;		/* XD bits are honoured (PAE and long mode) */
	bool pse;		/* 4 MiB pages in 32-bit paging */
};

enum hv_walk_mode hv_walk_mode(const struct hv_walk_ctx *ctx)
{
	if (!(ctx->cr0 & HV_WALK_CR0_PG))
		return HV_WALK_MODE_NONE;
	if (!(ctx->cr4 & HV_WALK_CR4_PAE))
		return HV_WALK_MODE_32BIT;
	if (!(ctx->efer & (HV_WALK_EFER_LME | HV_WALK_EFER_LMA)))
		return HV_WALK_MODE_PAE;
	if (ctx->cr4 & HV_WALK_CR4_LA57)
		return HV_WALK_MODE_5LEVEL;
	return HV_WALK_MODE_4LEVEL;
}

/* Number of the top level: 2 for 32-bit paging, 3 PAE, 4 or 5 long mode. */
static int gw_top_level(enum hv_walk_mode mode)
{
	switch (mode) {
	case HV_WALK_MODE_32BIT:
		return 2;
	case HV_WALK_MODE_PAE:
		return 3;
	case HV_WALK_MODE_4LEVEL:
		return 4;
	case HV_WALK_MODE_5LEVEL:
		return 5;
	default:
		return 0;
	}
}

/* May an entry at @level with PS=1 map a page (rather than be reserved)? */
static bool gw_large_ok(const struct gw_state *s, int level)
{
	switch (s->mode) {
	case HV_WALK_MODE_32BIT:
		return level == 2 && s->pse;
	case HV_WALK_MODE_PAE:
		return level == 2;
	default:
		return level == 2 || level == 3;
	}
}

/*
 * Reserved bits of a present entry at @level; @large says whether the entry
 * maps a page with PS=1 (already known to be allowed at this level).
 */
static u64 gw_rsvd_mask(const struct gw_state *s, int level, bool large)
{
	unsigned int m = s->maxpa;
	u64 rsvd;

	switch (s->mode) {
	case HV_WALK_MODE_32BIT:
		if (!large)
			return 0;
		/*
		 * 4 MiB PDE: bits 20:13 hold physical-address bits 39:32
		 * (PSE-36), as many of them as MAXPHYADDR (at most 40) allows;
		 * bit 21 and the unused high-address bits are reserved.
		 */
		return gw_bits(21, (m < 40 ? m : 40) - 19);
	case HV_WALK_MODE_PAE:
		if (level == 3)	/* PDPTE: no R/W, U/S, PS or XD */
			return gw_bits(63, m) | gw_bits(8, 5) | gw_bits(2, 1);
		rsvd = gw_bits(62, m);
		break;
	default:
		rsvd = gw_bits(51, m);
		if (level >= 4)
			rsvd |= HV_GPTE_PS;
		break;
	}
	if (!s->nxe)
		rsvd |= HV_GPTE_XD;
	/* The low address bits of a large page, above the PAT bit (12). */
	if (large)
		rsvd |= gw_bits(level == 3 ? 29 : 20, 13);
	return rsvd;
}

/*
 * The access-rights check of SDM 4.6, on the rights combined over all
 * levels.  Returns true if the access is allowed.
 */
static bool gw_access_ok(const struct hv_walk_ctx *ctx, unsigned int access,
			 bool user_page, bool writable, bool nx)
{
	bool write = access & HV_WALK_WRITE;

	if (access & HV_WALK_USER) {
		if (!user_page)
			return false;
		if (access & HV_WALK_FETCH)
			return !nx;
		return !write || writable;
	}

	/* Supervisor-mode access. */
	if (access & HV_WALK_FETCH) {
		if (user_page && (ctx->cr4 & HV_WALK_CR4_SMEP))
			return false;
		return !nx;
	}
	if (user_page && (ctx->cr4 & HV_WALK_CR4_SMAP) && !ctx->ac)
		return false;
	if (write && !writable && (ctx->cr0 & HV_WALK_CR0_WP))
		return false;
	return true;
}

/* Fills in a #PF and returns 0 (the walk itself succeeded). */
static int gw_fault(const struct hv_walk_ctx *ctx, const struct gw_state *s,
		    unsigned int access, struct hv_walk_result *res, int level,
		    u32 why)
{
	u32 ec = why;

	if (access & HV_WALK_WRITE)
		ec |= HV_PFERR_W;
	if (access & HV_WALK_USER)
		ec |= HV_PFERR_U;
	if ((access & HV_WALK_FETCH) &&
	    (s->nxe || (ctx->cr4 & HV_WALK_CR4_SMEP)))
		ec |= HV_PFERR_ID;
	res->fault = true;
	res->error_code = ec;
	res->level = level;
	return 0;
}

/* Reads the entry at @gpa: 4 bytes in 32-bit paging, else 8. */
static int gw_read_entry(const struct hv_walk_ctx *ctx,
			 const struct gw_state *s, u64 gpa, u64 *pte)
{
	int r;

	if (s->mode == HV_WALK_MODE_32BIT) {
		u32 e32;

		r = ctx->read_gpa(ctx->opaque, gpa, &e32, sizeof(e32));
		*pte = e32;
	} else {
		r = ctx->read_gpa(ctx->opaque, gpa, pte, sizeof(*pte));
	}
	if (r)
		return r < 0 ? r : -EFAULT;
	return 0;
}

/* Is @gva canonical for @mode (long mode only)? */
static bool gw_canonical(enum hv_walk_mode mode, u64 gva)
{
	unsigned int top = mode == HV_WALK_MODE_5LEVEL ? 56 : 47;
	u64 high = gva >> top;	/* bits 63:top must all be equal */

	return !high || high == (~0ULL >> top);
}

int hv_guest_walk(const struct hv_walk_ctx *ctx, u64 gva, unsigned int access,
		  struct hv_walk_result *res)
{
	bool user_page = true, writable = true, nx = false;
	struct gw_state s;
	u64 table, pte = 0, addr_mask;
	int level, r;

	if (access & ~(HV_WALK_WRITE | HV_WALK_USER | HV_WALK_FETCH))
		return -EINVAL;
	if ((access & HV_WALK_WRITE) && (access & HV_WALK_FETCH))
		return -EINVAL;

	memset(res, 0, sizeof(*res));
	s.mode = hv_walk_mode(ctx);
	s.maxpa = ctx->maxphyaddr;
	if (s.maxpa < 32)
		s.maxpa = 32;
	else if (s.maxpa > 52)
		s.maxpa = 52;
	s.pse = ctx->cr4 & HV_WALK_CR4_PSE;
	s.nxe = s.mode != HV_WALK_MODE_NONE && s.mode != HV_WALK_MODE_32BIT &&
		(ctx->efer & HV_WALK_EFER_NXE);

	switch (s.mode) {
	case HV_WALK_MODE_NONE:
		/* Linear addresses are 32 bits without long mode. */
		res->gpa = (u32)gva;
		return 0;
	case HV_WALK_MODE_32BIT:
		gva = (u32)gva;
		table = ctx->cr3 & gw_bits(31, 12);
		addr_mask = gw_bits(31, 12);
		break;
	case HV_WALK_MODE_PAE:
		gva = (u32)gva;
		/* The PDPT is 32-byte aligned. */
		table = ctx->cr3 & gw_bits(31, 5);
		addr_mask = gw_bits(51, 12);
		break;
	default:
		if (!gw_canonical(s.mode, gva)) {
			res->fault = true;
			res->noncanonical = true;
			return 0;
		}
		table = ctx->cr3 & gw_bits(s.maxpa - 1, 12);
		addr_mask = gw_bits(51, 12);
		break;
	}

	for (level = gw_top_level(s.mode); level >= 1; level--) {
		unsigned int bits = s.mode == HV_WALK_MODE_32BIT ? 10 : 9;
		unsigned int shift = 12 + (level - 1) * bits;
		unsigned int esize = s.mode == HV_WALK_MODE_32BIT ? 4 : 8;
		u64 index = (gva >> shift) & (BIT_ULL(bits) - 1);
		bool large;

		r = gw_read_entry(ctx, &s, table + index * esize, &pte);
		if (r)
			return r;
		if (!(pte & HV_GPTE_P))
			return gw_fault(ctx, &s, access, res, level, 0);

		large = level > 1 && (pte & HV_GPTE_PS) &&
			gw_large_ok(&s, level);
		if (pte & gw_rsvd_mask(&s, level, large))
			return gw_fault(ctx, &s, access, res, level,
					HV_PFERR_P | HV_PFERR_RSVD);

		/* A PAE PDPTE carries no access rights. */
		if (!(s.mode == HV_WALK_MODE_PAE && level == 3)) {
			user_page &= !!(pte & HV_GPTE_U);
			writable &= !!(pte & HV_GPTE_W);
			nx |= s.nxe && (pte & HV_GPTE_XD);
		}

		if (large || level == 1) {
			u64 off_mask = gw_bits(shift - 1, 0);

			if (s.mode == HV_WALK_MODE_32BIT && large) {
				/* PDE bits 20:13 are address bits 39:32. */
				res->gpa = (pte & gw_bits(31, 22)) |
					   (((pte >> 13) & 0xff) << 32);
			} else {
				res->gpa = pte & addr_mask & ~off_mask;
			}
			res->gpa |= gva & off_mask;
			res->level = level;
			break;
		}
		table = pte & addr_mask;
	}

	if (!gw_access_ok(ctx, access, user_page, writable, nx)) {
		res->gpa = 0;
		return gw_fault(ctx, &s, access, res, res->level, HV_PFERR_P);
	}
	return 0;
}
