/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Entry formats of the two-dimensional paging structures: Intel EPT and AMD
 * NPT.  The MMU (tdp.c) is written once against struct hv_pte_format; the
 * two formats differ only in the bits this descriptor names.  Pure logic,
 * shared with the userspace unit tests.
 *
 * Levels count from the leaves: 1 is a page table (4 KiB leaves), 2 a page
 * directory (2 MiB leaves), 3 a PDPT (1 GiB leaves), 4 the PML4, 5 the PML5.
 * Every table is 4 KiB and holds 512 64-bit entries.
 *
 * Permissions are given and reported as HV_PTE_* flags:
 *   EPT (SDM Vol. 3C "EPT Translation Mechanism"): R = bit 0, W = bit 1,
 *	X = bit 2 (supervisor execute); an entry is present when any of bits
 *	2:0 is set.  Leaves carry the memory type in bits 5:3, "ignore PAT" in
 *	bit 6; bit 7 marks a 2M/1G leaf; A = bit 8, D = bit 9; SPP = bit 61
 *	(4 KiB leaves only).
 *   NPT (APM Vol. 2 "Nested Paging"): ordinary long-mode entries, P = bit 0,
 *	RW = bit 1, US = bit 2 (always set: nested walks are user accesses),
 *	PWT/PCD = bits 3/4, A = bit 5, D = bit 6, PS = bit 7, NX = bit 63.
 *	Every present NPT entry is readable, so NPT cannot express write- or
 *	execute-only pages; NX needs the host's EFER.NXE (always on in Linux).
 * Both: physical address in bits 51:12.
 */
#ifndef HV_TDP_PTE_H
#define HV_TDP_PTE_H

#include <hv/hv_types.h>

/* Permission flags (not hardware bits). */
#define HV_PTE_R		0x1u
#define HV_PTE_W		0x2u
#define HV_PTE_X		0x4u
#define HV_PTE_SPP		0x8u	/* EPT sub-page write permission, 4K leaves */
#define HV_PTE_RWX		(HV_PTE_R | HV_PTE_W | HV_PTE_X)
#define HV_PTE_ALL_PERMS	(HV_PTE_RWX | HV_PTE_SPP)

#define HV_PTE_PAGE_SHIFT	12
#define HV_PTE_PAGE_SIZE	BIT_ULL(HV_PTE_PAGE_SHIFT)
#define HV_PTE_LEVEL_BITS	9
#define HV_PTE_ENTRIES		512
#define HV_PTE_MIN_LEVELS	4
#define HV_PTE_MAX_LEVELS	5
#define HV_PTE_MAX_LEAF_LEVEL	3	/* 1 GiB */
#define HV_PTE_PA_BITS		52
#define HV_PTE_PA_MASK		0x000ffffffffff000ULL	/* bits 51:12 */

/* EPT memory type: write-back (SDM "EPT and Memory Typing"). */
#define HV_EPT_MT_WB		6ULL
#define HV_EPTP_MT_SHIFT	0
#define HV_EPTP_WALK_SHIFT	3	/* walk length minus 1 */
#define HV_EPTP_AD		BIT_ULL(6)

struct hv_pte_format {
	const char *name;
	u64 present_mask;	/* the entry is present if any of these is set */
	u64 r_bit;		/* 0: every present entry is readable */
	u64 w_bit;
	u64 x_bit;		/* set = executable (EPT) */
	u64 nx_bit;		/* set = not executable (NPT) */
	u64 table_bits;		/* every entry that points to a table */
	u64 leaf_bits;		/* every leaf: WB memory type, US for NPT */
	u64 large_bit;		/* marks a leaf at level 2 or 3 */
	u64 accessed_bit;
	u64 dirty_bit;		/* leaves only */
	u64 spp_bit;		/* 0: no sub-page permissions */
	bool exec_only;		/* X without R can be expressed */
};

extern const struct hv_pte_format hv_pte_format_ept;
extern const struct hv_pte_format hv_pte_format_npt;

/* A decoded entry; see hv_pte_decode(). */
struct hv_pte_info {
	u64 pa;			/* table, or page base aligned to the leaf size */
	unsigned int perms;	/* HV_PTE_* */
	bool present;
	bool leaf;
	bool accessed;
	bool dirty;		/* leaves only */
};

static inline unsigned int hv_pte_level_shift(int level)
{
	return HV_PTE_PAGE_SHIFT + HV_PTE_LEVEL_BITS * (level - 1);
}

/* Bytes translated by one entry of a table at @level. */
static inline u64 hv_pte_level_size(int level)
{
	return 1ULL << hv_pte_level_shift(level);
}

/* Index of @gpa's entry in a table at @level. */
static inline unsigned int hv_pte_index(u64 gpa, int level)
{
	return (gpa >> hv_pte_level_shift(level)) & (HV_PTE_ENTRIES - 1);
}

static inline bool hv_pte_present(const struct hv_pte_format *fmt, u64 pte)
{
	return pte & fmt->present_mask;
}

/* A present entry at @level maps a page rather than pointing to a table. */
static inline bool hv_pte_is_leaf(const struct hv_pte_format *fmt, u64 pte,
				  int level)
{
	return level == 1 ||
	       (level <= HV_PTE_MAX_LEAF_LEVEL && (pte & fmt->large_bit));
}

/*
 * Whether @perms can be expressed by a leaf at @level: one of R/W/X at
 * least, W only with R, X without R only where the format allows it (EPT;
 * the caller must also check the CPU's execute-only capability), SPP only
 * in EPT 4 KiB leaves.
 */
bool hv_pte_perms_valid(const struct hv_pte_format *fmt, unsigned int perms,
			int level);

/* An entry pointing to the table at @table_pa, allowing everything. */
u64 hv_pte_make_table(const struct hv_pte_format *fmt, u64 table_pa);

/*
 * A leaf at @level (1..3) mapping @hpa with @perms and memory type WB (the
 * guest's PAT still applies, on both vendors).  Returns 0 (a non-present
 * entry) when @hpa is misaligned for the level or beyond 52 bits, or when
 * @perms is not valid for the level.
 */
u64 hv_pte_make_leaf(const struct hv_pte_format *fmt, u64 hpa,
		     unsigned int perms, int level);

/* Permissions granted by a present entry at @level (SPP only for leaves). */
unsigned int hv_pte_perms(const struct hv_pte_format *fmt, u64 pte, int level);

void hv_pte_decode(const struct hv_pte_format *fmt, u64 pte, int level,
		   struct hv_pte_info *info);

/*
 * The leaf @pte at @level with @clear removed from its permissions; other
 * bits (A/D, memory type) are kept.  Removing R removes W too.  Returns 0
 * when nothing expressible remains (NPT without R, EPT without R and X).
 */
u64 hv_pte_clear_perms(const struct hv_pte_format *fmt, u64 pte, int level,
		       unsigned int clear);

/*
 * EPTP for a root table at @root_pa walked with @levels (4 or 5) levels:
 * memory type WB, walk length - 1, A/D flags when @ad.  0 when invalid.
 */
u64 hv_pte_eptp(u64 root_pa, int levels, bool ad);

/* nCR3 for a root table at @root_pa (PWT = PCD = 0: write-back walks). */
u64 hv_pte_ncr3(u64 root_pa);

#endif /* HV_TDP_PTE_H */
