// SPDX-License-Identifier: GPL-2.0-only
/*
 * EPT and NPT entry formats (Intel SDM Vol. 3C "EPT Translation Mechanism",
 * AMD APM Vol. 2 "Nested Paging" and "Long-Mode Page Translation").  Pure
 * logic.
 */
#include "tdp_pte.h"

const struct hv_pte_format hv_pte_format_ept = {
	.name		= "ept",
	.present_mask	= BIT_ULL(0) | BIT_ULL(1) | BIT_ULL(2),
	.r_bit		= BIT_ULL(0),
	.w_bit		= BIT_ULL(1),
	.x_bit		= BIT_ULL(2),
	.nx_bit		= 0,
	/* Bits 7:3 of non-leaf EPT entries are reserved. */
	.table_bits	= BIT_ULL(0) | BIT_ULL(1) | BIT_ULL(2),
	/* Memory type in bits 5:3, "ignore PAT" (bit 6) clear. */
	.leaf_bits	= HV_EPT_MT_WB << 3,
	.large_bit	= BIT_ULL(7),
	.accessed_bit	= BIT_ULL(8),
	.dirty_bit	= BIT_ULL(9),
	.spp_bit	= BIT_ULL(61),
	.exec_only	= true,
};

const struct hv_pte_format hv_pte_format_npt = {
	.name		= "npt",
	.present_mask	= BIT_ULL(0),
	.r_bit		= 0,
	.w_bit		= BIT_ULL(1),
	.x_bit		= 0,
	.nx_bit		= BIT_ULL(63),
	/* P, RW, US; PWT = PCD = 0 so the next table is read write-back. */
	.table_bits	= BIT_ULL(0) | BIT_ULL(1) | BIT_ULL(2),
	/* P, US; PWT = PCD = PAT = 0 selects host PAT entry 0 (WB). */
	.leaf_bits	= BIT_ULL(0) | BIT_ULL(2),
	.large_bit	= BIT_ULL(7),
	.accessed_bit	= BIT_ULL(5),
	.dirty_bit	= BIT_ULL(6),
	.spp_bit	= 0,
	.exec_only	= false,
};

bool hv_pte_perms_valid(const struct hv_pte_format *fmt, unsigned int perms,
			int level)
{
	if (level < 1 || level > HV_PTE_MAX_LEAF_LEVEL)
		return false;
	if (perms & ~HV_PTE_ALL_PERMS)
		return false;
	if (!(perms & HV_PTE_RWX))
		return false;
	if ((perms & HV_PTE_W) && !(perms & HV_PTE_R))
		return false;
	if (!(perms & HV_PTE_R) && !fmt->exec_only)
		return false;
	if ((perms & HV_PTE_SPP) && (!fmt->spp_bit || level != 1))
		return false;
	return true;
}

u64 hv_pte_make_table(const struct hv_pte_format *fmt, u64 table_pa)
{
	return fmt->table_bits | (table_pa & HV_PTE_PA_MASK);
}

u64 hv_pte_make_leaf(const struct hv_pte_format *fmt, u64 hpa,
		     unsigned int perms, int level)
{
	u64 pte;

	if (!hv_pte_perms_valid(fmt, perms, level))
		return 0;
	/* Beyond bit 51, or not aligned to the page size. */
	if (hpa & ~HV_PTE_PA_MASK)
		return 0;
	if (hpa & (hv_pte_level_size(level) - 1))
		return 0;

	pte = fmt->leaf_bits | hpa;
	if (level > 1)
		pte |= fmt->large_bit;
	if (perms & HV_PTE_R)
		pte |= fmt->r_bit;
	if (perms & HV_PTE_W)
		pte |= fmt->w_bit;
	if (perms & HV_PTE_X)
		pte |= fmt->x_bit;
	else
		pte |= fmt->nx_bit;
	if (perms & HV_PTE_SPP)
		pte |= fmt->spp_bit;
	return pte;
}

unsigned int hv_pte_perms(const struct hv_pte_format *fmt, u64 pte, int level)
{
	unsigned int perms = 0;

	if (!hv_pte_present(fmt, pte))
		return 0;
	if (!fmt->r_bit || (pte & fmt->r_bit))
		perms |= HV_PTE_R;
	if (pte & fmt->w_bit)
		perms |= HV_PTE_W;
	if (fmt->x_bit ? (pte & fmt->x_bit) : !(pte & fmt->nx_bit))
		perms |= HV_PTE_X;
	if (level == 1 && (pte & fmt->spp_bit))
		perms |= HV_PTE_SPP;
	return perms;
}

void hv_pte_decode(const struct hv_pte_format *fmt, u64 pte, int level,
		   struct hv_pte_info *info)
{
	memset(info, 0, sizeof(*info));
	if (!hv_pte_present(fmt, pte))
		return;
	info->present = true;
	info->leaf = hv_pte_is_leaf(fmt, pte, level);
	info->perms = hv_pte_perms(fmt, pte, level);
	info->accessed = pte & fmt->accessed_bit;
	info->pa = pte & HV_PTE_PA_MASK;
	if (info->leaf) {
		/* NPT large leaves keep PAT in bit 12: mask to the leaf size. */
		info->pa &= ~(hv_pte_level_size(level) - 1);
		info->dirty = pte & fmt->dirty_bit;
	}
}

u64 hv_pte_clear_perms(const struct hv_pte_format *fmt, u64 pte, int level,
		       unsigned int clear)
{
	unsigned int old = hv_pte_perms(fmt, pte, level);
	unsigned int new = old & ~clear;
	unsigned int gone;

	if (!(new & HV_PTE_R))
		new &= ~HV_PTE_W;
	if (!hv_pte_perms_valid(fmt, new, level))
		return 0;
	gone = old & ~new;
	if (gone & HV_PTE_R)
		pte &= ~fmt->r_bit;
	if (gone & HV_PTE_W)
		pte &= ~fmt->w_bit;
	if (gone & HV_PTE_X) {
		pte &= ~fmt->x_bit;
		pte |= fmt->nx_bit;
	}
	if (gone & HV_PTE_SPP)
		pte &= ~fmt->spp_bit;
	return pte;
}

u64 hv_pte_eptp(u64 root_pa, int levels, bool ad)
{
	u64 eptp;

	if (levels < HV_PTE_MIN_LEVELS || levels > HV_PTE_MAX_LEVELS)
		return 0;
	if (root_pa & ~HV_PTE_PA_MASK)
		return 0;
	eptp = HV_EPT_MT_WB << HV_EPTP_MT_SHIFT;
	eptp |= (u64)(levels - 1) << HV_EPTP_WALK_SHIFT;
	if (ad)
		eptp |= HV_EPTP_AD;
	return eptp | root_pa;
}

u64 hv_pte_ncr3(u64 root_pa)
{
	return root_pa & HV_PTE_PA_MASK;
}
