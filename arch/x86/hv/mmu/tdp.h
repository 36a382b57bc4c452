/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Two-dimensional paging structures (EPT or NPT, 4 or 5 levels): building,
 * changing and tearing down the GPA -> HPA tables.  Pure logic: tables are
 * allocated, freed and reached through callbacks, so the same code runs in
 * hv.ko and in the userspace unit tests.
 *
 * Locking: none here.  Callers hold the VM's MMU lock around every call on
 * a given struct hv_tdp (lookups included, since other calls free tables).
 * When that lock is a spinlock, ops->alloc_table must not sleep: the kernel
 * glue tops up a cache of zeroed pages before taking the lock, with
 * hv_tdp_tables_needed() telling how many a map may take.
 *
 * The CPU walks these tables while vCPUs run: every entry is written with a
 * single 64-bit store, and a new table is filled before it is linked.  The
 * CPU may keep using a translation, or a cached pointer to a table (even to
 * a table without present entries), until the caller flushes: whenever an
 * operation reports @flush_needed the caller must flush the TLBs of every
 * CPU that used this root (INVEPT / ASID flush) before the guest can rely on
 * the change, and tables passed to ops->free_table must not be reused until
 * after that flush (the glue queues them and frees them after flushing).
 *
 * Entries are rewritten with plain read-then-store, not atomically: an A or
 * D bit the CPU sets between the two (hv_tdp_protect() changing a leaf, a
 * map splitting a large leaf) can be lost.  Dirty tracking that relies on
 * write protection is not affected; harvesting D bits would need a flush
 * or an atomic exchange first.
 */
#ifndef HV_TDP_H
#define HV_TDP_H

#include "tdp_pte.h"

struct hv_tdp_ops {
	/* Returns a zeroed 4 KiB table and its physical address, or NULL. */
	void *(*alloc_table)(void *ctx, u64 *pa);
	/* Gives back a table; see above about when it may be reused. */
	void (*free_table)(void *ctx, void *table, u64 pa);
	/* The kernel address of a table allocated by alloc_table. */
	void *(*pa_to_va)(void *ctx, u64 pa);
};

struct hv_tdp {
	const struct hv_pte_format *fmt;
	int levels;			/* 4 or 5 */
	u64 root_pa;			/* for hv_pte_eptp() / hv_pte_ncr3() */
	void *root;
	const struct hv_tdp_ops *ops;
	void *ctx;
	u64 max_gpa;			/* highest GPA in reach (inclusive) */
};

/*
 * Allocates the root table.  0, -EINVAL (bad @levels, missing @fmt, @ops or
 * callback) or -ENOMEM.
 */
int hv_tdp_init(struct hv_tdp *t, const struct hv_pte_format *fmt, int levels,
		const struct hv_tdp_ops *ops, void *ctx);

/*
 * Maps the @level-sized page at @gpa (1 = 4 KiB, 2 = 2 MiB, 3 = 1 GiB) to
 * @hpa with @perms (HV_PTE_*, see hv_pte_perms_valid()), replacing whatever
 * translated that range:
 *  - a larger leaf containing @gpa is split first into leaves one level
 *    smaller with the same translation, down to @level; the rest of it
 *    stays mapped as before;
 *  - a table in the place of the new leaf is unlinked and its whole subtree
 *    freed.
 * Returns 0; -EINVAL when @gpa or @hpa is not aligned to the page size, @gpa
 * is beyond max_gpa, @hpa beyond 52 bits, or @level or @perms are invalid;
 * -ENOMEM when ops->alloc_table fails.  On -ENOMEM every translation is the
 * one before the call, but tables allocated on the way may remain linked
 * (empty, or holding an equivalent split leaf); calling again after
 * refilling the cache reuses them, and unmap or destroy frees them.
 */
int hv_tdp_map(struct hv_tdp *t, u64 gpa, u64 hpa, unsigned int perms,
	       int level);

/*
 * hv_tdp_map(), also telling whether a translation the CPU may have cached
 * was changed or removed, or a table freed (see the locking note above).
 * Adding permissions to the same page needs no flush: the CPU rewalks on
 * the resulting EPT violation / nested page fault.  @flush_needed may be
 * NULL; otherwise it is always written.
 */
int hv_tdp_map_replace(struct hv_tdp *t, u64 gpa, u64 hpa, unsigned int perms,
		       int level, bool *flush_needed);

/*
 * Removes every leaf overlapping [@gpa, @gpa + @size).  A large leaf that
 * only partly overlaps the range is removed whole (never split, so unmap
 * never allocates and never fails for lack of memory): callers must expect
 * more than the range to fault again.  Tables left without any present
 * entry are freed (the root excepted).  @gpa and @size must be 4 KiB
 * aligned and the range within max_gpa, else -EINVAL; @size 0 does nothing.
 * *@flush_needed (when not NULL) says whether anything was removed.
 */
int hv_tdp_unmap(struct hv_tdp *t, u64 gpa, u64 size, bool *flush_needed);

/*
 * Translates @gpa.  Returns 0 and, for each non-NULL pointer, the host
 * physical address of @gpa itself (page base + offset), the permissions of
 * the translation (those of every entry on the walk, ANDed; SPP from the
 * leaf), and the level of the leaf.  -ENOENT when nothing maps @gpa,
 * -EINVAL when @gpa is beyond max_gpa.
 */
int hv_tdp_lookup(const struct hv_tdp *t, u64 gpa, u64 *hpa,
		  unsigned int *perms, int *level);

/*
 * Removes @clear_perms (HV_PTE_*) from every leaf overlapping [@gpa, @gpa +
 * @size), e.g. HV_PTE_W to write-protect for dirty logging.  Like unmap, a
 * large leaf partly in the range is changed whole.  Removing R removes W
 * too; a leaf left with nothing expressible (hv_pte_clear_perms()) is
 * removed, as by unmap.  Same range rules and errors as hv_tdp_unmap().
 * *@flush_needed (when not NULL) says whether any leaf changed.
 */
int hv_tdp_protect(struct hv_tdp *t, u64 gpa, u64 size,
		   unsigned int clear_perms, bool *flush_needed);

/*
 * How many tables hv_tdp_map(@gpa, ..., @level) would allocate now (at most
 * levels - @level): one per missing table, or per level to split down to
 * @level.  -EINVAL for a @level or @gpa that map would refuse.
 */
int hv_tdp_tables_needed(const struct hv_tdp *t, u64 gpa, int level);

/*
 * Frees every table, the root included; no CPU may be using the root any
 * more.  @t may be destroyed again (a no-op) but not used otherwise.
 */
void hv_tdp_destroy(struct hv_tdp *t);

#endif /* HV_TDP_H */
