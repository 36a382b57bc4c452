// SPDX-License-Identifier: GPL-2.0-only
/*
 * Two-dimensional paging structures, written once for EPT and NPT (the
 * differences are in struct hv_pte_format) and for 4- or 5-level walks.
 * Pure logic; see tdp.h for the locking and TLB-flush rules.
 *
 * All walks are iterative and keep at most one small array per level on
 * the stack.
 */
#include "tdp.h"

static u64 *hv_tdp_va(const struct hv_tdp *t, u64 pa)
{
	return t->ops->pa_to_va(t->ctx, pa);
}

static u64 hv_tdp_get(const u64 *ptep)
{
	return READ_ONCE(*ptep);
}

/* One untorn store: the CPU may be walking this table right now. */
static void hv_tdp_set(u64 *ptep, u64 pte)
{
	WRITE_ONCE(*ptep, pte);
}

static u64 hv_tdp_next_pa(u64 pte)
{
	return pte & HV_PTE_PA_MASK;
}

static bool hv_tdp_table_empty(const struct hv_tdp *t, const u64 *table)
{
	int i;

	for (i = 0; i < HV_PTE_ENTRIES; i++)
		if (hv_pte_present(t->fmt, hv_tdp_get(&table[i])))
			return false;
	return true;
}

/* Frees the table at @pa, whose entries are at @level, and all below it. */
static void hv_tdp_free_tree(struct hv_tdp *t, u64 pa, int level)
{
	u64 *table[HV_PTE_MAX_LEVELS + 1];
	u64 table_pa[HV_PTE_MAX_LEVELS + 1];
	unsigned int idx[HV_PTE_MAX_LEVELS + 1];
	int top = level;
	u64 pte;

	table[level] = hv_tdp_va(t, pa);
	table_pa[level] = pa;
	idx[level] = 0;
	for (;;) {
		if (idx[level] == HV_PTE_ENTRIES) {
			t->ops->free_table(t->ctx, table[level], table_pa[level]);
			if (level == top)
				return;
			level++;
			continue;
		}
		pte = hv_tdp_get(&table[level][idx[level]++]);
		if (!hv_pte_present(t->fmt, pte) ||
		    hv_pte_is_leaf(t->fmt, pte, level))
			continue;
		level--;
		table_pa[level] = hv_tdp_next_pa(pte);
		table[level] = hv_tdp_va(t, table_pa[level]);
		idx[level] = 0;
	}
}

int hv_tdp_init(struct hv_tdp *t, const struct hv_pte_format *fmt, int levels,
		const struct hv_tdp_ops *ops, void *ctx)
{
	u64 pa = 0;
	void *root;

	memset(t, 0, sizeof(*t));
	if (!fmt || !ops || !ops->alloc_table || !ops->free_table ||
	    !ops->pa_to_va)
		return -EINVAL;
	if (levels < HV_PTE_MIN_LEVELS || levels > HV_PTE_MAX_LEVELS)
		return -EINVAL;
	root = ops->alloc_table(ctx, &pa);
	if (!root)
		return -ENOMEM;
	t->fmt = fmt;
	t->levels = levels;
	t->root_pa = pa;
	t->root = root;
	t->ops = ops;
	t->ctx = ctx;
	t->max_gpa = hv_pte_level_size(levels + 1) - 1;
	return 0;
}

void hv_tdp_destroy(struct hv_tdp *t)
{
	if (!t->root)
		return;
	hv_tdp_free_tree(t, t->root_pa, t->levels);
	t->root = NULL;
	t->root_pa = 0;
}

static bool hv_tdp_gpa_ok(const struct hv_tdp *t, u64 gpa, int level)
{
	if (level < 1 || level > HV_PTE_MAX_LEAF_LEVEL)
		return false;
	return gpa <= t->max_gpa && !(gpa & (hv_pte_level_size(level) - 1));
}

/*
 * A new table holding the translation of the large leaf @leaf (at @level)
 * as 512 leaves one level down, A/D bits included.  Not yet linked.
 */
static u64 *hv_tdp_split(struct hv_tdp *t, u64 leaf, int level, u64 *pa)
{
	const struct hv_pte_format *fmt = t->fmt;
	u64 keep = leaf & (fmt->accessed_bit | fmt->dirty_bit);
	u64 step = hv_pte_level_size(level - 1);
	struct hv_pte_info info;
	u64 *table, pte;
	int i;

	table = t->ops->alloc_table(t->ctx, pa);
	if (!table)
		return NULL;
	hv_pte_decode(fmt, leaf, level, &info);
	info.perms &= ~HV_PTE_SPP;
	/* Volatile stores too, so they stay before the one linking the table. */
	for (i = 0; i < HV_PTE_ENTRIES; i++) {
		pte = hv_pte_make_leaf(fmt, info.pa + i * step, info.perms,
				       level - 1);
		hv_tdp_set(&table[i], pte | keep);
	}
	return table;
}

int hv_tdp_map_replace(struct hv_tdp *t, u64 gpa, u64 hpa, unsigned int perms,
		       int level, bool *flush_needed)
{
	const struct hv_pte_format *fmt = t->fmt;
	u64 *table = t->root;
	struct hv_pte_info old_info;
	u64 *ptep, pte, new, pa;
	int l;

	if (flush_needed)
		*flush_needed = false;
	if (!hv_tdp_gpa_ok(t, gpa, level))
		return -EINVAL;
	new = hv_pte_make_leaf(fmt, hpa, perms, level);
	if (!new)
		return -EINVAL;

	for (l = t->levels; l > level; l--) {
		ptep = &table[hv_pte_index(gpa, l)];
		pte = hv_tdp_get(ptep);
		if (!hv_pte_present(fmt, pte)) {
			table = t->ops->alloc_table(t->ctx, &pa);
			if (!table)
				return -ENOMEM;
			hv_tdp_set(ptep, hv_pte_make_table(fmt, pa));
		} else if (hv_pte_is_leaf(fmt, pte, l)) {
			/* Same translation, finer grained: no flush needed. */
			table = hv_tdp_split(t, pte, l, &pa);
			if (!table)
				return -ENOMEM;
			hv_tdp_set(ptep, hv_pte_make_table(fmt, pa));
		} else {
			table = hv_tdp_va(t, hv_tdp_next_pa(pte));
		}
	}

	ptep = &table[hv_pte_index(gpa, level)];
	pte = hv_tdp_get(ptep);
	hv_tdp_set(ptep, new);
	hv_pte_decode(fmt, pte, level, &old_info);
	if (!old_info.present)
		return 0;
	if (!old_info.leaf) {
		hv_tdp_free_tree(t, old_info.pa, level - 1);
		if (flush_needed)
			*flush_needed = true;
	} else if (old_info.pa != hpa || (old_info.perms & ~perms)) {
		if (flush_needed)
			*flush_needed = true;
	}
	return 0;
}

int hv_tdp_map(struct hv_tdp *t, u64 gpa, u64 hpa, unsigned int perms,
	       int level)
{
	return hv_tdp_map_replace(t, gpa, hpa, perms, level, NULL);
}

int hv_tdp_tables_needed(const struct hv_tdp *t, u64 gpa, int level)
{
	const struct hv_pte_format *fmt = t->fmt;
	const u64 *table = t->root;
	u64 pte;
	int l;

	if (!hv_tdp_gpa_ok(t, gpa, level))
		return -EINVAL;
	for (l = t->levels; l > level; l--) {
		pte = hv_tdp_get(&table[hv_pte_index(gpa, l)]);
		if (!hv_pte_present(fmt, pte) || hv_pte_is_leaf(fmt, pte, l))
			return l - level;
		table = hv_tdp_va(t, hv_tdp_next_pa(pte));
	}
	return 0;
}

int hv_tdp_lookup(const struct hv_tdp *t, u64 gpa, u64 *hpa,
		  unsigned int *perms, int *level)
{
	const struct hv_pte_format *fmt = t->fmt;
	const u64 *table = t->root;
	unsigned int allowed = HV_PTE_ALL_PERMS;
	struct hv_pte_info info;
	int l;

	if (gpa > t->max_gpa)
		return -EINVAL;
	for (l = t->levels; l >= 1; l--) {
		hv_pte_decode(fmt, hv_tdp_get(&table[hv_pte_index(gpa, l)]), l,
			      &info);
		if (!info.present)
			return -ENOENT;
		if (info.leaf) {
			if (hpa)
				*hpa = info.pa +
				       (gpa & (hv_pte_level_size(l) - 1));
			if (perms)
				*perms = info.perms & allowed;
			if (level)
				*level = l;
			return 0;
		}
		allowed &= info.perms | HV_PTE_SPP;
		table = hv_tdp_va(t, info.pa);
	}
	return -ENOENT;	/* not reached: level 1 entries are leaves */
}

enum hv_tdp_range_op {
	HV_TDP_ZAP,
	HV_TDP_PROTECT,
};

/*
 * Walks the tables over [@start, @end) (both 4 KiB aligned, @start < @end,
 * @end <= max_gpa + 1), zapping or protecting every leaf met, whole.
 * Tables emptied on the way are unlinked and freed.
 */
static bool hv_tdp_walk_range(struct hv_tdp *t, u64 start, u64 end,
			      enum hv_tdp_range_op op, unsigned int clear)
{
	const struct hv_pte_format *fmt = t->fmt;
	u64 *table[HV_PTE_MAX_LEVELS + 1];
	u64 table_pa[HV_PTE_MAX_LEVELS + 1];
	u64 *parent[HV_PTE_MAX_LEVELS + 1];
	bool removed[HV_PTE_MAX_LEVELS + 1];
	u64 addr = start, size, base, pte, new, *ptep;
	int l = t->levels;
	bool flush = false;

	table[l] = t->root;
	removed[l] = false;
	for (;;) {
		size = hv_pte_level_size(l);
		base = addr & ~(size - 1);
		ptep = &table[l][hv_pte_index(addr, l)];
		pte = hv_tdp_get(ptep);

		if (!hv_pte_present(fmt, pte)) {
			/* nothing to do */
		} else if (hv_pte_is_leaf(fmt, pte, l)) {
			new = op == HV_TDP_ZAP ? 0 :
			      hv_pte_clear_perms(fmt, pte, l, clear);
			if (new != pte) {
				hv_tdp_set(ptep, new);
				flush = true;
				if (!hv_pte_present(fmt, new))
					removed[l] = true;
			}
		} else if (op == HV_TDP_ZAP && base >= start &&
			   base + size <= end) {
			hv_tdp_set(ptep, 0);
			hv_tdp_free_tree(t, hv_tdp_next_pa(pte), l - 1);
			flush = true;
			removed[l] = true;
		} else {
			/* Partly covered table, or protect: descend. */
			parent[l - 1] = ptep;
			l--;
			table_pa[l] = hv_tdp_next_pa(pte);
			table[l] = hv_tdp_va(t, table_pa[l]);
			removed[l] = false;
			continue;
		}

		addr = base + size;
		/* Go up past every table this step finished. */
		while (l < t->levels &&
		       (addr >= end || !(addr & (hv_pte_level_size(l + 1) - 1)))) {
			if (removed[l] && hv_tdp_table_empty(t, table[l])) {
				hv_tdp_set(parent[l], 0);
				t->ops->free_table(t->ctx, table[l], table_pa[l]);
				removed[l + 1] = true;
				flush = true;
			}
			l++;
		}
		if (addr >= end)
			return flush;
	}
}

static int hv_tdp_range_ok(const struct hv_tdp *t, u64 gpa, u64 size)
{
	if ((gpa | size) & (HV_PTE_PAGE_SIZE - 1))
		return -EINVAL;
	if (gpa > t->max_gpa || size > t->max_gpa - gpa + 1)
		return -EINVAL;
	return 0;
}

int hv_tdp_unmap(struct hv_tdp *t, u64 gpa, u64 size, bool *flush_needed)
{
	bool flush = false;
	int ret;

	ret = hv_tdp_range_ok(t, gpa, size);
	if (!ret && size)
		flush = hv_tdp_walk_range(t, gpa, gpa + size, HV_TDP_ZAP, 0);
	if (flush_needed)
		*flush_needed = flush;
	return ret;
}

int hv_tdp_protect(struct hv_tdp *t, u64 gpa, u64 size,
		   unsigned int clear_perms, bool *flush_needed)
{
	bool flush = false;
	int ret;

	ret = hv_tdp_range_ok(t, gpa, size);
	if (!ret && (clear_perms & ~HV_PTE_ALL_PERMS))
		ret = -EINVAL;
	if (!ret && size && clear_perms)
		flush = hv_tdp_walk_range(t, gpa, gpa + size, HV_TDP_PROTECT,
					  clear_perms);
	if (flush_needed)
		*flush_needed = flush;
	return ret;
}
