// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the EPT/NPT paging structures (arch/x86/hv/mmu/tdp*.c).
 *
 * Tables come from a fake physical memory that detects leaks, double frees
 * and walks through freed tables, and can fail any allocation.  The tables
 * are checked with a reference walker written here from the SDM / APM
 * entry formats; it shares nothing with tdp*.c but the HV_PTE_* flags.
 */
#include "hv_test.h"
#include "../../../arch/x86/hv/mmu/tdp.h"

#define KB	BIT_ULL(10)
#define MB	BIT_ULL(20)
#define GB	BIT_ULL(30)
#define TB	BIT_ULL(40)

/* ---------------------------------------------------------------------- */
/* Fake physical memory: table n lives at FAKE_PA_BASE + (n + 1) * 4K.     */

/* Bits 50:48 set, so lost high address bits show. */
#define FAKE_PA_BASE	0x0007000000000000ULL

struct fake_mem {
	void **va;
	unsigned char *live;
	long nr, cap;
	long live_count;
	long allocs;
	long frees;
	long fail_after;	/* allocations still allowed; < 0: no limit */
};

static long fake_slot(struct fake_mem *m, u64 pa)
{
	u64 n;

	if (pa < FAKE_PA_BASE + 4096 || (pa & 4095))
		return -1;
	n = ((pa - FAKE_PA_BASE) >> 12) - 1;
	return n < (u64)m->nr ? (long)n : -1;
}

static void *fake_alloc(void *ctx, u64 *pa)
{
	struct fake_mem *m = ctx;
	void *p;

	if (m->fail_after == 0)
		return NULL;
	if (m->fail_after > 0)
		m->fail_after--;
	if (m->nr == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 256;
		m->va = realloc(m->va, m->cap * sizeof(*m->va));
		m->live = realloc(m->live, m->cap);
		HV_ASSERT(m->va && m->live, "out of memory");
	}
	p = aligned_alloc(4096, 4096);
	HV_ASSERT(p, "out of memory");
	memset(p, 0, 4096);
	m->va[m->nr] = p;
	m->live[m->nr] = 1;
	*pa = FAKE_PA_BASE + ((u64)(m->nr + 1) << 12);
	m->nr++;
	m->live_count++;
	m->allocs++;
	return p;
}

static void fake_free(void *ctx, void *table, u64 pa)
{
	struct fake_mem *m = ctx;
	long n = fake_slot(m, pa);

	HV_ASSERT(n >= 0, "free of unknown table pa %#llx", (unsigned long long)pa);
	HV_ASSERT(m->live[n], "double free of table pa %#llx", (unsigned long long)pa);
	HV_ASSERT(m->va[n] == table, "free: va/pa mismatch for %#llx", (unsigned long long)pa);
	/* Poison first: a later walk through it would show up in ASan too. */
	memset(table, 0xa5, 4096);
	free(table);
	m->va[n] = NULL;
	m->live[n] = 0;
	m->live_count--;
	m->frees++;
}

static void *fake_va(void *ctx, u64 pa)
{
	struct fake_mem *m = ctx;
	long n = fake_slot(m, pa);

	HV_ASSERT(n >= 0 && m->live[n], "pa_to_va of a dead or unknown table %#llx",
		  (unsigned long long)pa);
	return m->va[n];
}

static const struct hv_tdp_ops fake_ops = {
	.alloc_table = fake_alloc,
	.free_table = fake_free,
	.pa_to_va = fake_va,
};

struct env {
	struct fake_mem mem;
	struct hv_tdp t;
	bool ept;
	int levels;
};

static void env_init(struct env *e, bool ept, int levels)
{
	memset(e, 0, sizeof(*e));
	e->mem.fail_after = -1;
	e->ept = ept;
	e->levels = levels;
	HV_ASSERT_EQ(hv_tdp_init(&e->t, ept ? &hv_pte_format_ept : &hv_pte_format_npt,
				 levels, &fake_ops, &e->mem), 0);
	HV_ASSERT_EQ(e->mem.live_count, 1);
}

static void env_fini(struct env *e)
{
	hv_tdp_destroy(&e->t);
	HV_ASSERT_EQ(e->mem.live_count, 0);
	HV_ASSERT_EQ(e->mem.allocs, e->mem.frees);
	hv_tdp_destroy(&e->t);	/* again: a no-op */
	HV_ASSERT_EQ(e->mem.frees, e->mem.allocs);
	free(e->mem.va);
	free(e->mem.live);
}

/* NPT then EPT, each with 4- then 5-level tables. */
#define FOR_EACH_CONFIG(ept, levels)					\
	for (int __cfg = 0;						\
	     __cfg < 4 && ((ept) = __cfg / 2, (levels) = 4 + __cfg % 2, 1); \
	     __cfg++)

/* ---------------------------------------------------------------------- */
/* Reference walker, from the entry formats:                               */
/*  EPT (SDM Vol. 3C, "EPT Translation Mechanism"): present if any of bits  */
/*  2:0 (R, W, X); bit 7 = page size in PDPTE/PDE; leaf bits 5:3 memory    */
/*  type, bit 6 ignore PAT; non-leaf bits 7:3 reserved; W without R is a   */
/*  misconfiguration; bit 61 SPP in 4K leaves.                             */
/*  NPT (APM Vol. 2, nested paging = long-mode paging, user access): P=0,  */
/*  R/W=1, U/S=2 needed at every level, PWT=3, PCD=4, PS=7 in PDPE/PDE     */
/*  (reserved in PML4E/PML5E), PAT = bit 7 of a PTE / bit 12 of a large    */
/*  leaf, NX=63.  Rights are the AND of every level.  Address bits 51:12.  */

#define REF_ADDR(ent)	((ent) & 0x000ffffffffff000ULL)

struct ref_tr {
	u64 hpa;
	unsigned int perms;
	int level;
};

static u64 ref_lsize(int level)
{
	return 1ULL << (12 + 9 * (level - 1));
}

static const u64 *ref_table(struct env *e, u64 pa)
{
	long n = fake_slot(&e->mem, pa);

	HV_ASSERT(n >= 0 && e->mem.live[n], "entry points to dead/unknown table %#llx",
		  (unsigned long long)pa);
	return e->mem.va[n];
}

static bool ref_is_leaf(struct env *e, u64 ent, int level)
{
	if (e->ept) {
		if (level >= 4)
			HV_ASSERT(!(ent & 0xf8), "EPT level %d: reserved bits 7:3 set: %#llx",
				  level, (unsigned long long)ent);
		return level == 1 || ((level == 2 || level == 3) && (ent & 0x80));
	}
	if (level >= 4)
		HV_ASSERT(!(ent & 0x80), "NPT level %d: PS is reserved: %#llx", level,
			  (unsigned long long)ent);
	return level == 1 || (ent & 0x80);
}

static bool ref_present(struct env *e, u64 ent)
{
	return e->ept ? (ent & 7) : (ent & 1);
}

/* Translates @gpa; false if not mapped.  Fails the test on a bad entry. */
static bool ref_walk(struct env *e, u64 gpa, struct ref_tr *tr)
{
	u64 table_pa = e->t.root_pa;
	bool r = true, w = true, x = true;
	int level;

	for (level = e->levels; level >= 1; level--) {
		const u64 *table = ref_table(e, table_pa);
		u64 ent = table[(gpa >> (12 + 9 * (level - 1))) & 511];
		bool leaf;

		if (!ref_present(e, ent))
			return false;
		leaf = ref_is_leaf(e, ent, level);
		if (e->ept) {
			HV_ASSERT(!((ent & 2) && !(ent & 1)),
				  "EPT misconfiguration (W without R) %#llx",
				  (unsigned long long)ent);
			r = r && (ent & 1);
			w = w && (ent & 2);
			x = x && (ent & 4);
			if (leaf) {
				HV_ASSERT(((ent >> 3) & 7) == 6,
					  "EPT leaf memory type not WB: %#llx",
					  (unsigned long long)ent);
				HV_ASSERT(!(ent & 0x40), "EPT leaf ignores PAT");
			} else {
				HV_ASSERT(!(ent & 0xf8), "EPT table entry bits 7:3: %#llx",
					  (unsigned long long)ent);
			}
			if (!leaf || level > 1)
				HV_ASSERT(!(ent & (1ULL << 61)), "SPP outside a 4K leaf");
		} else {
			HV_ASSERT(ent & 4, "NPT entry without U/S at level %d", level);
			HV_ASSERT(!(ent & 0x18), "NPT PWT/PCD set: %#llx",
				  (unsigned long long)ent);
			w = w && (ent & 2);
			x = x && !(ent >> 63);
			if (leaf && level > 1)
				HV_ASSERT(!(ent & 0x1000), "NPT large leaf with PAT");
		}
		if (leaf) {
			u64 size = ref_lsize(level);

			HV_ASSERT(!(REF_ADDR(ent) & (size - 1)),
				  "leaf address not aligned / reserved bits: %#llx",
				  (unsigned long long)ent);
			tr->hpa = REF_ADDR(ent) | (gpa & (size - 1));
			tr->level = level;
			tr->perms = (r ? HV_PTE_R : 0) | (w ? HV_PTE_W : 0) |
				    (x ? HV_PTE_X : 0);
			if (e->ept && level == 1 && (ent & (1ULL << 61)))
				tr->perms |= HV_PTE_SPP;
			return true;
		}
		table_pa = REF_ADDR(ent);
	}
	HV_FAIL("walk fell off level 1");
}

/* hv_tdp_lookup() must agree with the reference walker. */
static void check_gpa(struct env *e, u64 gpa, bool mapped, u64 hpa,
		      unsigned int perms, int level)
{
	struct ref_tr tr;
	u64 lhpa = 0;
	unsigned int lperms = 0;
	int llevel = 0, ret;
	bool ok = ref_walk(e, gpa, &tr);

	ret = hv_tdp_lookup(&e->t, gpa, &lhpa, &lperms, &llevel);
	if (!mapped) {
		HV_ASSERT(!ok, "gpa %#llx: mapped to %#llx, expected nothing",
			  (unsigned long long)gpa, (unsigned long long)tr.hpa);
		HV_ASSERT_EQ(ret, -ENOENT);
		return;
	}
	HV_ASSERT(ok, "gpa %#llx: not mapped", (unsigned long long)gpa);
	HV_ASSERT_EQ(tr.hpa, hpa);
	HV_ASSERT_EQ(tr.perms, perms);
	HV_ASSERT_EQ(tr.level, level);
	HV_ASSERT_EQ(ret, 0);
	HV_ASSERT_EQ(lhpa, hpa);
	HV_ASSERT_EQ(lperms, perms);
	HV_ASSERT_EQ(llevel, level);
}

struct ref_stats {
	long tables;
	long leaves;
	long empty_tables;	/* non-root tables without a present entry */
	u64 mapped;		/* bytes */
};

typedef void (*ref_leaf_fn)(struct env *e, u64 gpa, const struct ref_tr *tr,
			    void *arg);

/* Visits every table and leaf reachable from the root. */
static void ref_enum(struct env *e, u64 table_pa, int level, u64 base,
		     struct ref_stats *st, ref_leaf_fn fn, void *arg)
{
	const u64 *table = ref_table(e, table_pa);
	bool any = false;
	int i;

	st->tables++;
	for (i = 0; i < 512; i++) {
		u64 ent = table[i], gpa = base + (u64)i * ref_lsize(level);
		struct ref_tr tr;

		if (!ref_present(e, ent))
			continue;
		any = true;
		if (!ref_is_leaf(e, ent, level)) {
			ref_enum(e, REF_ADDR(ent), level - 1, gpa, st, fn, arg);
			continue;
		}
		HV_ASSERT(ref_walk(e, gpa, &tr), "enumerated leaf not walkable");
		HV_ASSERT_EQ(tr.level, level);
		st->leaves++;
		st->mapped += ref_lsize(level);
		if (fn)
			fn(e, gpa, &tr, arg);
	}
	if (!any && level != e->levels)
		st->empty_tables++;
}

/* Every live table is reachable (no leak, no table reachable twice). */
static struct ref_stats check_tables(struct env *e, bool allow_empty)
{
	struct ref_stats st = { 0 };

	ref_enum(e, e->t.root_pa, e->levels, 0, &st, NULL, NULL);
	HV_ASSERT_EQ(st.tables, e->mem.live_count);
	if (!allow_empty)
		HV_ASSERT_EQ(st.empty_tables, 0);
	return st;
}

static u64 rt_pte(struct env *e, u64 gpa, int level)
{
	u64 pa = e->t.root_pa;
	int l;

	for (l = e->levels; l > level; l--)
		pa = REF_ADDR(ref_table(e, pa)[(gpa >> (12 + 9 * (l - 1))) & 511]);
	return ref_table(e, pa)[(gpa >> (12 + 9 * (level - 1))) & 511];
}

static u64 *rt_root(struct env *e)
{
	return (u64 *)ref_table(e, e->t.root_pa);
}

/* Snapshot of translations at a few addresses, to compare after a failure. */
struct snap {
	u64 gpa[16];
	struct ref_tr tr[16];
	bool mapped[16];
	int n;
};

static void snap_take(struct env *e, struct snap *s, const u64 *gpas, int n)
{
	int i;

	s->n = n;
	for (i = 0; i < n; i++) {
		s->gpa[i] = gpas[i];
		s->mapped[i] = ref_walk(e, gpas[i], &s->tr[i]);
	}
}

/* Same translations; the level may differ (a split leaf). */
static void snap_check(struct env *e, const struct snap *s)
{
	struct ref_tr tr;
	int i;

	for (i = 0; i < s->n; i++) {
		bool mapped = ref_walk(e, s->gpa[i], &tr);

		HV_ASSERT_EQ(mapped, s->mapped[i]);
		if (!mapped) {
			check_gpa(e, s->gpa[i], false, 0, 0, 0);
			continue;
		}
		HV_ASSERT_EQ(tr.hpa, s->tr[i].hpa);
		HV_ASSERT_EQ(tr.perms, s->tr[i].perms);
		check_gpa(e, s->gpa[i], true, tr.hpa, tr.perms, tr.level);
	}
}

/* ---------------------------------------------------------------------- */
/* Entry formats.                                                          */

HV_TEST(pte_ept_encoding)
{
	const struct hv_pte_format *f = &hv_pte_format_ept;
	struct hv_pte_info info;

	/* 4K RWX: R|W|X, memory type 6 in bits 5:3. */
	HV_ASSERT_EQ(hv_pte_make_leaf(f, 0x123456000ULL, HV_PTE_RWX, 1), 0x123456037ULL);
	/* 2M RW: large page bit 7. */
	HV_ASSERT_EQ(hv_pte_make_leaf(f, 0x40200000ULL, HV_PTE_R | HV_PTE_W, 2),
		     0x402000b3ULL);
	/* 1G R at the top of the 52-bit space. */
	HV_ASSERT_EQ(hv_pte_make_leaf(f, 0xfffffc0000000ULL, HV_PTE_R, 3),
		     0xfffffc00000b1ULL);
	/* Execute-only, and SPP in a 4K leaf. */
	HV_ASSERT_EQ(hv_pte_make_leaf(f, 0x1000, HV_PTE_X, 1), 0x1034ULL);
	HV_ASSERT_EQ(hv_pte_make_leaf(f, 0x1000, HV_PTE_R | HV_PTE_SPP, 1),
		     (1ULL << 61) | 0x1031ULL);
	/* Table: RWX, nothing in bits 7:3. */
	HV_ASSERT_EQ(hv_pte_make_table(f, 0x000ffffffffff000ULL), 0x000ffffffffff007ULL);

	hv_pte_decode(f, 0x402000b3ULL | (1ULL << 8) | (1ULL << 9), 2, &info);
	HV_ASSERT(info.present && info.leaf && info.accessed && info.dirty, "flags");
	HV_ASSERT_EQ(info.pa, 0x40200000ULL);
	HV_ASSERT_EQ(info.perms, HV_PTE_R | HV_PTE_W);
	hv_pte_decode(f, 0x5007ULL, 2, &info);
	HV_ASSERT(info.present && !info.leaf, "table");
	HV_ASSERT_EQ(info.pa, 0x5000ULL);
	hv_pte_decode(f, 0x5000ULL | (6 << 3), 1, &info);
	HV_ASSERT(!info.present, "EPT: not present unless bits 2:0");
	/* Bit 7 is no large page at the PML4 level. */
	HV_ASSERT(!hv_pte_is_leaf(f, 0x87, 4), "PML4E leaf");
	HV_ASSERT(hv_pte_is_leaf(f, 0x87, 3), "PDPTE leaf");
	HV_ASSERT(hv_pte_is_leaf(f, 0x7, 1), "PTE leaf");
}

HV_TEST(pte_npt_encoding)
{
	const struct hv_pte_format *f = &hv_pte_format_npt;
	struct hv_pte_info info;

	/* 4K R: P|US, NX. */
	HV_ASSERT_EQ(hv_pte_make_leaf(f, 0x123456000ULL, HV_PTE_R, 1),
		     (1ULL << 63) | 0x123456005ULL);
	/* 4K RWX: P|RW|US. */
	HV_ASSERT_EQ(hv_pte_make_leaf(f, 0x123456000ULL, HV_PTE_RWX, 1), 0x123456007ULL);
	/* 2M RX: P|US|PS. */
	HV_ASSERT_EQ(hv_pte_make_leaf(f, 0x40200000ULL, HV_PTE_R | HV_PTE_X, 2),
		     0x40200085ULL);
	HV_ASSERT_EQ(hv_pte_make_leaf(f, 0xc0000000ULL, HV_PTE_R | HV_PTE_W, 3),
		     (1ULL << 63) | 0xc0000087ULL);
	HV_ASSERT_EQ(hv_pte_make_table(f, 0x7000), 0x7007ULL);

	/* NPT cannot express X-only, W-only or SPP. */
	HV_ASSERT_EQ(hv_pte_make_leaf(f, 0x1000, HV_PTE_X, 1), 0);
	HV_ASSERT_EQ(hv_pte_make_leaf(f, 0x1000, HV_PTE_W, 1), 0);
	HV_ASSERT_EQ(hv_pte_make_leaf(f, 0x1000, HV_PTE_R | HV_PTE_SPP, 1), 0);

	/* Large leaf: bit 12 is PAT, not address. */
	hv_pte_decode(f, 0x40201085ULL | 0x60, 2, &info);
	HV_ASSERT(info.present && info.leaf && info.accessed && info.dirty, "flags");
	HV_ASSERT_EQ(info.pa, 0x40200000ULL);
	HV_ASSERT_EQ(info.perms, HV_PTE_R | HV_PTE_X);
	/* 4K leaf: bit 7 is PAT, still a leaf, address keeps bit 12. */
	hv_pte_decode(f, 0x1085ULL | (1ULL << 63), 1, &info);
	HV_ASSERT(info.leaf, "PTE");
	HV_ASSERT_EQ(info.pa, 0x1000ULL);
	HV_ASSERT_EQ(info.perms, HV_PTE_R);
	hv_pte_decode(f, 0x1006ULL, 1, &info);
	HV_ASSERT(!info.present, "NPT: P clear");
}

HV_TEST(pte_leaf_argument_checks)
{
	const struct hv_pte_format *fmts[] = { &hv_pte_format_ept, &hv_pte_format_npt };
	unsigned int i;

	for (i = 0; i < 2; i++) {
		const struct hv_pte_format *f = fmts[i];

		HV_ASSERT_EQ(hv_pte_make_leaf(f, 0x1000, 0, 1), 0);
		HV_ASSERT_EQ(hv_pte_make_leaf(f, 0x1000, HV_PTE_R, 0), 0);
		HV_ASSERT_EQ(hv_pte_make_leaf(f, 0x1000, HV_PTE_R, 4), 0);
		HV_ASSERT_EQ(hv_pte_make_leaf(f, 0x1800, HV_PTE_R, 1), 0);
		HV_ASSERT_EQ(hv_pte_make_leaf(f, 0x1000, HV_PTE_R, 2), 0);
		HV_ASSERT_EQ(hv_pte_make_leaf(f, 0x200000, HV_PTE_R, 3), 0);
		HV_ASSERT_EQ(hv_pte_make_leaf(f, 1ULL << 52, HV_PTE_R, 1), 0);
		HV_ASSERT_EQ(hv_pte_make_leaf(f, 0x1000, HV_PTE_W | HV_PTE_X, 1), 0);
		HV_ASSERT_EQ(hv_pte_make_leaf(f, 0x1000, 0x10 | HV_PTE_R, 1), 0);
		HV_ASSERT_EQ(hv_pte_make_leaf(f, 0x200000, HV_PTE_R | HV_PTE_SPP, 2), 0);
		HV_ASSERT(!hv_pte_perms_valid(f, HV_PTE_W, 1), "W only");
		HV_ASSERT(hv_pte_perms_valid(f, HV_PTE_RWX, 3), "RWX 1G");
	}
}

HV_TEST(pte_clear_perms)
{
	const struct hv_pte_format *e = &hv_pte_format_ept, *n = &hv_pte_format_npt;
	u64 pte;

	/* EPT: keep A/D and memory type, clear W. */
	pte = hv_pte_make_leaf(e, 0x5000, HV_PTE_RWX, 1) | 0x300;
	HV_ASSERT_EQ(hv_pte_clear_perms(e, pte, 1, HV_PTE_W), pte & ~2ULL);
	/* Removing R removes W: X-only remains. */
	HV_ASSERT_EQ(hv_pte_clear_perms(e, pte, 1, HV_PTE_R), pte & ~3ULL);
	HV_ASSERT_EQ(hv_pte_clear_perms(e, pte, 1, HV_PTE_R | HV_PTE_X), 0);
	pte = hv_pte_make_leaf(e, 0x5000, HV_PTE_R | HV_PTE_SPP, 1);
	HV_ASSERT_EQ(hv_pte_clear_perms(e, pte, 1, HV_PTE_SPP), pte & ~(1ULL << 61));
	HV_ASSERT_EQ(hv_pte_clear_perms(e, pte, 1, HV_PTE_R), 0);

	/* NPT: X clear sets NX; R clear removes the entry. */
	pte = hv_pte_make_leaf(n, 0x200000, HV_PTE_RWX, 2) | 0x60;
	HV_ASSERT_EQ(hv_pte_clear_perms(n, pte, 2, HV_PTE_X), pte | (1ULL << 63));
	HV_ASSERT_EQ(hv_pte_clear_perms(n, pte, 2, HV_PTE_W), pte & ~2ULL);
	HV_ASSERT_EQ(hv_pte_clear_perms(n, pte, 2, HV_PTE_R), 0);
	HV_ASSERT_EQ(hv_pte_clear_perms(n, pte, 2, HV_PTE_SPP), pte);
}

HV_TEST(pte_index_and_root_pointers)
{
	u64 gpa = 0x01ab3c5d7e9f1234ULL & ((1ULL << 57) - 1);

	HV_ASSERT_EQ(hv_pte_index(gpa, 1), (gpa >> 12) & 511);
	HV_ASSERT_EQ(hv_pte_index(gpa, 2), (gpa >> 21) & 511);
	HV_ASSERT_EQ(hv_pte_index(gpa, 3), (gpa >> 30) & 511);
	HV_ASSERT_EQ(hv_pte_index(gpa, 4), (gpa >> 39) & 511);
	HV_ASSERT_EQ(hv_pte_index(gpa, 5), (gpa >> 48) & 511);
	HV_ASSERT_EQ(hv_pte_level_size(3), GB);

	/* EPTP: WB (6) in 2:0, walk length - 1 in 5:3, A/D in bit 6. */
	HV_ASSERT_EQ(hv_pte_eptp(0x123456000ULL, 4, false), 0x12345601eULL);
	HV_ASSERT_EQ(hv_pte_eptp(0x123456000ULL, 4, true), 0x12345605eULL);
	HV_ASSERT_EQ(hv_pte_eptp(0x123456000ULL, 5, true), 0x123456066ULL);
	HV_ASSERT_EQ(hv_pte_eptp(0x123456000ULL, 3, false), 0);
	HV_ASSERT_EQ(hv_pte_eptp(0x123456800ULL, 4, false), 0);
	HV_ASSERT_EQ(hv_pte_ncr3(0x123456000ULL), 0x123456000ULL);
}

/* ---------------------------------------------------------------------- */
/* Map, lookup, replace.                                                   */

HV_TEST(map_lookup_every_size_format_depth)
{
	static const u64 gpas[] = { 0, 1 * GB, 511 * GB, 512 * GB,
				    (1ULL << 48) - GB, 0x00007f8040000000ULL };
	int ept, levels, level;
	unsigned int i;

	FOR_EACH_CONFIG(ept, levels) {
		struct env e;

		env_init(&e, ept, levels);
		for (level = 1; level <= 3; level++) {
			u64 size = ref_lsize(level);

			for (i = 0; i < ARRAY_SIZE(gpas); i++) {
				u64 gpa = gpas[i] + (u64)(level - 1) * 4 * GB + size;
				u64 hpa = (0x000ab0000000000ULL + i * GB +
					   (u64)level * 64 * GB) & ~(size - 1);
				unsigned int perms = i & 1 ? HV_PTE_RWX : HV_PTE_R | HV_PTE_W;
				struct snap around;
				u64 nb[2];

				if (gpa > e.t.max_gpa)
					continue;
				/* The neighbours must not change. */
				nb[0] = gpa + size;
				nb[1] = gpa - 4096;
				snap_take(&e, &around, nb, gpa + size <= e.t.max_gpa ? 2 : 1);
				HV_ASSERT_EQ(hv_tdp_map(&e.t, gpa, hpa, perms, level), 0);
				check_gpa(&e, gpa, true, hpa, perms, level);
				check_gpa(&e, gpa + size - 4096, true, hpa + size - 4096,
					  perms, level);
				check_gpa(&e, gpa + 0x123, true, hpa + 0x123, perms, level);
				snap_check(&e, &around);
			}
		}
		check_tables(&e, false);
		env_fini(&e);
	}
}

HV_TEST(five_level_uses_gpa_bits_56_48)
{
	int ept;

	for (ept = 0; ept < 2; ept++) {
		struct env e;
		u64 hi = 0x0123ULL << 48;	/* PML5 index 0x123 */
		const u64 *root;
		unsigned int i;

		env_init(&e, ept, 5);
		HV_ASSERT_EQ(e.t.max_gpa, (1ULL << 57) - 1);
		HV_ASSERT_EQ(hv_tdp_map(&e.t, 0x5000, 0x1000000, HV_PTE_RWX, 1), 0);
		HV_ASSERT_EQ(hv_tdp_map(&e.t, hi | 0x5000, 0x2000000, HV_PTE_R, 1), 0);
		HV_ASSERT_EQ(hv_tdp_map(&e.t, (1ULL << 57) - GB, 0x40000000, HV_PTE_R, 3), 0);
		check_gpa(&e, 0x5000, true, 0x1000000, HV_PTE_RWX, 1);
		check_gpa(&e, hi | 0x5000, true, 0x2000000, HV_PTE_R, 1);
		check_gpa(&e, (1ULL << 48) | 0x5000, false, 0, 0, 0);
		check_gpa(&e, (1ULL << 57) - 4096, true, 0x40000000 + GB - 4096, HV_PTE_R, 3);
		root = ref_table(&e, e.t.root_pa);
		for (i = 0; i < 512; i++)
			HV_ASSERT_EQ(ref_present(&e, root[i]),
				     i == 0 || i == 0x123 || i == 511);
		/* Beyond 57 bits. */
		HV_ASSERT_EQ(hv_tdp_map(&e.t, 1ULL << 57, 0, HV_PTE_R, 1), -EINVAL);
		HV_ASSERT_EQ(hv_tdp_lookup(&e.t, 1ULL << 57, NULL, NULL, NULL), -EINVAL);
		check_tables(&e, false);
		env_fini(&e);

		/* Four levels reach 48 bits only. */
		env_init(&e, ept, 4);
		HV_ASSERT_EQ(e.t.max_gpa, (1ULL << 48) - 1);
		HV_ASSERT_EQ(hv_tdp_map(&e.t, hi | 0x5000, 0x2000000, HV_PTE_R, 1), -EINVAL);
		HV_ASSERT_EQ(hv_tdp_map(&e.t, 1ULL << 48, 0x2000000, HV_PTE_R, 1), -EINVAL);
		HV_ASSERT_EQ(hv_tdp_map(&e.t, (1ULL << 48) - 4096, 0x2000000, HV_PTE_R, 1), 0);
		HV_ASSERT_EQ(hv_tdp_lookup(&e.t, 1ULL << 48, NULL, NULL, NULL), -EINVAL);
		HV_ASSERT_EQ(e.mem.live_count, 4);
		env_fini(&e);
	}
}

HV_TEST(replace_mapping_reports_flush)
{
	int ept, levels;

	FOR_EACH_CONFIG(ept, levels) {
		struct env e;
		bool flush = true;
		long live;

		env_init(&e, ept, levels);
		HV_ASSERT_EQ(hv_tdp_map_replace(&e.t, 0x7000, 0x10000, HV_PTE_R, 1, &flush), 0);
		HV_ASSERT(!flush, "new mapping needs no flush");
		live = e.mem.live_count;
		/* More permissions on the same page: no flush. */
		HV_ASSERT_EQ(hv_tdp_map_replace(&e.t, 0x7000, 0x10000, HV_PTE_RWX, 1, &flush), 0);
		HV_ASSERT(!flush, "upgrade needs no flush");
		check_gpa(&e, 0x7000, true, 0x10000, HV_PTE_RWX, 1);
		/* Fewer permissions: flush. */
		HV_ASSERT_EQ(hv_tdp_map_replace(&e.t, 0x7000, 0x10000, HV_PTE_R | HV_PTE_X,
						1, &flush), 0);
		HV_ASSERT(flush, "downgrade needs a flush");
		/* Another page: flush. */
		HV_ASSERT_EQ(hv_tdp_map_replace(&e.t, 0x7000, 0x20000, HV_PTE_R | HV_PTE_X,
						1, &flush), 0);
		HV_ASSERT(flush, "new target needs a flush");
		check_gpa(&e, 0x7000, true, 0x20000, HV_PTE_R | HV_PTE_X, 1);
		HV_ASSERT_EQ(hv_tdp_map(&e.t, 0x7000, 0x30000, HV_PTE_R, 1), 0);
		check_gpa(&e, 0x7000, true, 0x30000, HV_PTE_R, 1);
		HV_ASSERT_EQ(e.mem.live_count, live);
		check_tables(&e, false);
		env_fini(&e);
	}
}

HV_TEST(split_large_keeps_the_rest)
{
	int ept, levels;

	FOR_EACH_CONFIG(ept, levels) {
		u64 g1 = 5 * GB, h1 = 0x0000123c0000000ULL;	/* 1G aligned */
		u64 g2 = 7 * GB + 6 * MB, h2 = 0x00000ab00600000ULL;
		unsigned int p = HV_PTE_R | HV_PTE_X;
		struct env e;
		bool flush;
		u64 *leaf;
		u64 off;

		env_init(&e, ept, levels);
		/* 1G -> 2M + 4K inside; the other pages keep their translation. */
		HV_ASSERT_EQ(hv_tdp_map(&e.t, g1, h1, p, 3), 0);
		HV_ASSERT_EQ(hv_tdp_tables_needed(&e.t, g1 + 3 * MB + 20 * 4096, 1), 2);
		HV_ASSERT_EQ(hv_tdp_map_replace(&e.t, g1 + 3 * MB + 20 * 4096, 0x999000,
						HV_PTE_RWX, 1, &flush), 0);
		HV_ASSERT(flush, "the 4K changed");
		check_gpa(&e, g1 + 3 * MB + 20 * 4096, true, 0x999000, HV_PTE_RWX, 1);
		for (off = 0; off < GB; off += 4096 * 97) {
			u64 g = g1 + off;
			int lvl = off >> 21 == 1 ? 1 : 2;

			if (g == g1 + 3 * MB + 20 * 4096)
				continue;
			check_gpa(&e, g, true, h1 + off, p, lvl);
		}
		check_gpa(&e, g1 + 2 * MB + 19 * 4096, true, h1 + 2 * MB + 19 * 4096, p, 1);
		check_gpa(&e, g1 + 2 * MB + 21 * 4096, true, h1 + 2 * MB + 21 * 4096, p, 1);
		/* Root .. PDPT, plus the two split tables. */
		HV_ASSERT_EQ(e.mem.live_count, levels - 2 + 2);

		/* Same translation again at 4K: no flush. */
		HV_ASSERT_EQ(hv_tdp_map_replace(&e.t, g1 + 2 * MB, h1 + 2 * MB, p, 1,
						&flush), 0);
		HV_ASSERT(!flush, "same translation");

		/* A/D bits of a split leaf are kept in its pieces. */
		HV_ASSERT_EQ(hv_tdp_map(&e.t, g2, h2, HV_PTE_RWX, 2), 0);
		leaf = (u64 *)&ref_table(&e, REF_ADDR(rt_pte(&e, g2, 3)))[(g2 >> 21) & 511];
		*leaf |= ept ? 0x300 : 0x60;
		HV_ASSERT_EQ(hv_tdp_map(&e.t, g2 + 4096, 0x5000, HV_PTE_R, 1), 0);
		HV_ASSERT_EQ(rt_pte(&e, g2, 1) & (ept ? 0x300 : 0x60), ept ? 0x300 : 0x60);
		HV_ASSERT_EQ(rt_pte(&e, g2 + 4096, 1) & (ept ? 0x300 : 0x60), 0);
		check_gpa(&e, g2 + 2 * MB - 4096, true, h2 + 2 * MB - 4096, HV_PTE_RWX, 1);
		check_tables(&e, false);
		env_fini(&e);
	}
}

HV_TEST(large_replaces_tables_without_leaking)
{
	int ept, levels;

	FOR_EACH_CONFIG(ept, levels) {
		struct env e;
		bool flush;
		u64 g;
		int i;

		env_init(&e, ept, levels);
		/* 4K pages in several page tables under one 1G region. */
		for (i = 0; i < 40; i++) {
			g = 3 * GB + (u64)i * 9 * MB + (u64)i * 4096;
			HV_ASSERT_EQ(hv_tdp_map(&e.t, g, 0x100000 + i * 4096ULL,
						HV_PTE_RWX, 1), 0);
		}
		HV_ASSERT_EQ(hv_tdp_map(&e.t, 3 * GB + 100 * MB, 0x40000000, HV_PTE_R, 2), 0);
		HV_ASSERT_EQ(e.mem.live_count, levels - 2 + 1 + 40);
		check_tables(&e, false);

		/* 2M over one page table: that table is freed. */
		HV_ASSERT_EQ(hv_tdp_map_replace(&e.t, 3 * GB, 0x00000fff00000000ULL,
						HV_PTE_RWX, 2, &flush), 0);
		HV_ASSERT(flush, "replaced a table");
		HV_ASSERT_EQ(e.mem.live_count, levels - 2 + 1 + 39);
		check_gpa(&e, 3 * GB + 4096, true, 0x00000fff00001000ULL, HV_PTE_RWX, 2);

		/* 1G over the rest: the whole subtree goes. */
		HV_ASSERT_EQ(hv_tdp_tables_needed(&e.t, 3 * GB, 3), 0);
		HV_ASSERT_EQ(hv_tdp_map_replace(&e.t, 3 * GB, 0x000ffffc0000000ULL,
						HV_PTE_R, 3, &flush), 0);
		HV_ASSERT(flush, "replaced a subtree");
		HV_ASSERT_EQ(e.mem.live_count, levels - 2);
		for (i = 0; i < 40; i++) {
			g = 3 * GB + (u64)i * 9 * MB + (u64)i * 4096;
			check_gpa(&e, g, true, 0x000ffffc0000000ULL + (g - 3 * GB),
				  HV_PTE_R, 3);
		}
		check_tables(&e, false);
		env_fini(&e);
	}
}

/* ---------------------------------------------------------------------- */
/* Unmap and protect.                                                      */

HV_TEST(unmap_ranges_across_tables)
{
	int ept, levels;

	FOR_EACH_CONFIG(ept, levels) {
		u64 base = 512 * GB - 4 * MB;	/* crosses a PML4 entry */
		struct env e;
		bool flush;
		u64 g;

		env_init(&e, ept, levels);
		for (g = base; g < base + 8 * MB; g += 4096)
			HV_ASSERT_EQ(hv_tdp_map(&e.t, g, g & 0xffffffffffULL,
						HV_PTE_RWX, 1), 0);
		HV_ASSERT_EQ(hv_tdp_map(&e.t, 600 * GB + 2 * MB, 2 * MB, HV_PTE_R, 2), 0);
		check_tables(&e, false);

		/* A range over two page tables and two PML4 entries. */
		HV_ASSERT_EQ(hv_tdp_unmap(&e.t, base + 3 * MB + 4096, 2 * MB, &flush), 0);
		HV_ASSERT(flush, "something removed");
		for (g = base; g < base + 8 * MB; g += 4096)
			check_gpa(&e, g, g < base + 3 * MB + 4096 ||
				  g >= base + 5 * MB + 4096, g & 0xffffffffffULL,
				  HV_PTE_RWX, 1);
		check_tables(&e, false);

		/* Nothing there: no flush. */
		HV_ASSERT_EQ(hv_tdp_unmap(&e.t, base + 3 * MB + 4096, 2 * MB, &flush), 0);
		HV_ASSERT(!flush, "nothing removed");
		HV_ASSERT_EQ(hv_tdp_unmap(&e.t, 7 * TB, 100 * GB, &flush), 0);
		HV_ASSERT(!flush, "nothing removed");
		HV_ASSERT_EQ(hv_tdp_unmap(&e.t, 0, 0, &flush), 0);
		HV_ASSERT(!flush, "empty range");

		/* One page in the middle of a 2M leaf removes the whole leaf. */
		HV_ASSERT_EQ(hv_tdp_unmap(&e.t, 600 * GB + 3 * MB, 4096, &flush), 0);
		HV_ASSERT(flush, "large leaf removed");
		check_gpa(&e, 600 * GB + 2 * MB, false, 0, 0, 0);
		check_tables(&e, false);

		/* Everything: only the root remains. */
		HV_ASSERT_EQ(hv_tdp_unmap(&e.t, 0, e.t.max_gpa + 1, &flush), 0);
		HV_ASSERT(flush, "all removed");
		HV_ASSERT_EQ(e.mem.live_count, 1);
		check_tables(&e, false);
		env_fini(&e);
	}
}

HV_TEST(unmap_frees_emptied_tables)
{
	int ept, levels;

	FOR_EACH_CONFIG(ept, levels) {
		struct env e;
		bool flush;

		env_init(&e, ept, levels);
		HV_ASSERT_EQ(hv_tdp_map(&e.t, 40 * GB + 4096, 0x1000, HV_PTE_R, 1), 0);
		HV_ASSERT_EQ(hv_tdp_map(&e.t, 40 * GB + 8192, 0x2000, HV_PTE_R, 1), 0);
		HV_ASSERT_EQ(e.mem.live_count, levels);
		HV_ASSERT_EQ(hv_tdp_unmap(&e.t, 40 * GB + 4096, 4096, &flush), 0);
		HV_ASSERT_EQ(e.mem.live_count, levels);
		HV_ASSERT_EQ(hv_tdp_unmap(&e.t, 40 * GB + 8192, 4096, &flush), 0);
		HV_ASSERT(flush, "removed");
		HV_ASSERT_EQ(e.mem.live_count, 1);
		check_tables(&e, false);
		env_fini(&e);
	}
}

HV_TEST(protect_changes_permissions)
{
	int ept, levels;

	FOR_EACH_CONFIG(ept, levels) {
		struct env e;
		bool flush;
		u64 g;

		env_init(&e, ept, levels);
		for (g = 8 * MB; g < 12 * MB; g += 4096)
			HV_ASSERT_EQ(hv_tdp_map(&e.t, g, g + GB, HV_PTE_RWX, 1), 0);
		HV_ASSERT_EQ(hv_tdp_map(&e.t, 2 * GB, 4 * GB, HV_PTE_RWX, 3), 0);
		HV_ASSERT_EQ(hv_tdp_map(&e.t, 4 * GB, 6 * GB, HV_PTE_R, 2), 0);

		/* Write-protect a range crossing a page-table boundary. */
		HV_ASSERT_EQ(hv_tdp_protect(&e.t, 10 * MB - 8192, 16384, HV_PTE_W, &flush), 0);
		HV_ASSERT(flush, "changed");
		for (g = 10 * MB - 12288; g < 10 * MB + 12288; g += 4096)
			check_gpa(&e, g, true, g + GB,
				  g >= 10 * MB - 8192 && g < 10 * MB + 8192 ?
				  HV_PTE_R | HV_PTE_X : HV_PTE_RWX, 1);
		/* Again: nothing changes. */
		HV_ASSERT_EQ(hv_tdp_protect(&e.t, 10 * MB - 8192, 16384, HV_PTE_W, &flush), 0);
		HV_ASSERT(!flush, "no change");

		/* Part of the 1G leaf: the whole leaf loses X. */
		HV_ASSERT_EQ(hv_tdp_protect(&e.t, 2 * GB + 4096, 4096, HV_PTE_X, &flush), 0);
		HV_ASSERT(flush, "changed");
		check_gpa(&e, 3 * GB - 4096, true, 5 * GB - 4096, HV_PTE_R | HV_PTE_W, 3);

		/* Clearing R: NPT removes; EPT keeps execute-only. */
		HV_ASSERT_EQ(hv_tdp_protect(&e.t, 8 * MB, 4096, HV_PTE_R, &flush), 0);
		HV_ASSERT(flush, "changed");
		if (ept)
			check_gpa(&e, 8 * MB, true, 8 * MB + GB, HV_PTE_X, 1);
		else
			check_gpa(&e, 8 * MB, false, 0, 0, 0);
		/* Clearing R of an R-only leaf removes it on both. */
		HV_ASSERT_EQ(hv_tdp_protect(&e.t, 4 * GB, 2 * MB, HV_PTE_R, &flush), 0);
		HV_ASSERT(flush, "changed");
		check_gpa(&e, 4 * GB, false, 0, 0, 0);
		check_tables(&e, false);

		/* Everything gone through protect: tables are freed. */
		HV_ASSERT_EQ(hv_tdp_protect(&e.t, 0, e.t.max_gpa + 1, HV_PTE_RWX, &flush), 0);
		HV_ASSERT(flush, "changed");
		HV_ASSERT_EQ(e.mem.live_count, 1);
		check_tables(&e, false);
		env_fini(&e);
	}
}

HV_TEST(spp_in_ept_4k_leaves_only)
{
	struct env e;
	bool flush;

	env_init(&e, true, 4);
	HV_ASSERT_EQ(hv_tdp_map(&e.t, 0x3000, 0x9000, HV_PTE_R | HV_PTE_X | HV_PTE_SPP, 1), 0);
	check_gpa(&e, 0x3000, true, 0x9000, HV_PTE_R | HV_PTE_X | HV_PTE_SPP, 1);
	HV_ASSERT_EQ(rt_pte(&e, 0x3000, 1) >> 61 & 1, 1);
	HV_ASSERT_EQ(hv_tdp_map(&e.t, 0x200000, 0x200000, HV_PTE_R | HV_PTE_SPP, 2), -EINVAL);
	HV_ASSERT_EQ(hv_tdp_protect(&e.t, 0, 2 * MB, HV_PTE_SPP, &flush), 0);
	HV_ASSERT(flush, "SPP cleared");
	check_gpa(&e, 0x3000, true, 0x9000, HV_PTE_R | HV_PTE_X, 1);
	env_fini(&e);

	env_init(&e, false, 4);
	HV_ASSERT_EQ(hv_tdp_map(&e.t, 0x3000, 0x9000, HV_PTE_R | HV_PTE_SPP, 1), -EINVAL);
	env_fini(&e);
}

HV_TEST(lookup_ands_every_level)
{
	int ept, levels;

	FOR_EACH_CONFIG(ept, levels) {
		struct env e;
		u64 *root;

		env_init(&e, ept, levels);
		HV_ASSERT_EQ(hv_tdp_map(&e.t, 0x3000, 0x9000, HV_PTE_RWX, 1), 0);
		root = rt_root(&e);
		/* Take W and X away at the root entry. */
		if (ept)
			root[0] &= ~6ULL;
		else
			root[0] = (root[0] & ~2ULL) | (1ULL << 63);
		check_gpa(&e, 0x3000, true, 0x9000, HV_PTE_R, 1);
		env_fini(&e);
	}
}

/* ---------------------------------------------------------------------- */
/* Errors.                                                                 */

HV_TEST(bad_arguments)
{
	int ept, levels, level;

	FOR_EACH_CONFIG(ept, levels) {
		u64 reach = 1ULL << (levels == 5 ? 57 : 48);
		struct env e;
		bool flush = true;

		env_init(&e, ept, levels);
		for (level = 1; level <= 3; level++) {
			u64 size = ref_lsize(level);

			HV_ASSERT_EQ(hv_tdp_map(&e.t, size / 2, 0, HV_PTE_R, level), -EINVAL);
			HV_ASSERT_EQ(hv_tdp_map(&e.t, size, size / 2, HV_PTE_R, level), -EINVAL);
			HV_ASSERT_EQ(hv_tdp_map(&e.t, size, 4096, HV_PTE_R, level),
				     level == 1 ? 0 : -EINVAL);
			HV_ASSERT_EQ(hv_tdp_map(&e.t, reach, 0, HV_PTE_R, level), -EINVAL);
			HV_ASSERT_EQ(hv_tdp_map(&e.t, reach - size, 1ULL << 52, HV_PTE_R,
						level), -EINVAL);
			HV_ASSERT_EQ(hv_tdp_map(&e.t, -size, 0, HV_PTE_R, level), -EINVAL);
			HV_ASSERT_EQ(hv_tdp_map(&e.t, 0, 0, 0, level), -EINVAL);
			HV_ASSERT_EQ(hv_tdp_map(&e.t, 0, 0, HV_PTE_W, level), -EINVAL);
			HV_ASSERT_EQ(hv_tdp_map(&e.t, 0, 0, HV_PTE_W | HV_PTE_X, level), -EINVAL);
			HV_ASSERT_EQ(hv_tdp_map(&e.t, 0, 0, HV_PTE_R | 0x100, level), -EINVAL);
			HV_ASSERT_EQ(hv_tdp_map(&e.t, 0, 0, HV_PTE_X, level), ept ? 0 : -EINVAL);
			HV_ASSERT_EQ(hv_tdp_tables_needed(&e.t, size / 2, level), -EINVAL);
			HV_ASSERT_EQ(hv_tdp_tables_needed(&e.t, reach, level), -EINVAL);
		}
		HV_ASSERT_EQ(hv_tdp_map(&e.t, 0, 0, HV_PTE_R, 0), -EINVAL);
		HV_ASSERT_EQ(hv_tdp_map(&e.t, 0, 0, HV_PTE_R, 4), -EINVAL);
		HV_ASSERT_EQ(hv_tdp_map(&e.t, 0, 0, HV_PTE_R, -1), -EINVAL);
		HV_ASSERT_EQ(hv_tdp_tables_needed(&e.t, 0, 0), -EINVAL);
		HV_ASSERT_EQ(hv_tdp_tables_needed(&e.t, 0, 4), -EINVAL);

		HV_ASSERT_EQ(hv_tdp_unmap(&e.t, 2048, 4096, &flush), -EINVAL);
		HV_ASSERT(!flush, "flush written on error");
		HV_ASSERT_EQ(hv_tdp_unmap(&e.t, 4096, 100, NULL), -EINVAL);
		HV_ASSERT_EQ(hv_tdp_unmap(&e.t, reach, 4096, NULL), -EINVAL);
		HV_ASSERT_EQ(hv_tdp_unmap(&e.t, reach - 4096, 8192, NULL), -EINVAL);
		HV_ASSERT_EQ(hv_tdp_unmap(&e.t, 4096, -4096ULL, NULL), -EINVAL);
		HV_ASSERT_EQ(hv_tdp_unmap(&e.t, reach - 4096, 4096, NULL), 0);
		HV_ASSERT_EQ(hv_tdp_protect(&e.t, 4096, -4096ULL, HV_PTE_W, NULL), -EINVAL);
		HV_ASSERT_EQ(hv_tdp_protect(&e.t, 0, 4096, 0x10, NULL), -EINVAL);
		HV_ASSERT_EQ(hv_tdp_protect(&e.t, 2048, 4096, HV_PTE_W, NULL), -EINVAL);
		HV_ASSERT_EQ(hv_tdp_lookup(&e.t, reach, NULL, NULL, NULL), -EINVAL);
		HV_ASSERT_EQ(hv_tdp_lookup(&e.t, reach - 1, NULL, NULL, NULL), -ENOENT);
		check_tables(&e, true);
		env_fini(&e);
	}
}

HV_TEST(init_errors)
{
	struct fake_mem m = { .fail_after = 0 };
	struct hv_tdp_ops no_free = fake_ops;
	struct hv_tdp t;

	HV_ASSERT_EQ(hv_tdp_init(&t, &hv_pte_format_ept, 3, &fake_ops, &m), -EINVAL);
	HV_ASSERT_EQ(hv_tdp_init(&t, &hv_pte_format_ept, 6, &fake_ops, &m), -EINVAL);
	HV_ASSERT_EQ(hv_tdp_init(&t, NULL, 4, &fake_ops, &m), -EINVAL);
	HV_ASSERT_EQ(hv_tdp_init(&t, &hv_pte_format_ept, 4, NULL, &m), -EINVAL);
	no_free.free_table = NULL;
	HV_ASSERT_EQ(hv_tdp_init(&t, &hv_pte_format_ept, 4, &no_free, &m), -EINVAL);
	HV_ASSERT_EQ(hv_tdp_init(&t, &hv_pte_format_npt, 5, &fake_ops, &m), -ENOMEM);
	HV_ASSERT_EQ(m.allocs, 0);
	hv_tdp_destroy(&t);	/* after a failed init: harmless */
	HV_ASSERT_EQ(m.frees, 0);
}

/* Sets up a scenario; returns the map to attempt. */
static void enomem_setup(struct env *e, int scenario, u64 *gpa, int *level)
{
	switch (scenario) {
	case 0:		/* empty tree, 4K: every level allocates */
		*gpa = 0x00007f0012345000ULL;
		*level = 1;
		break;
	case 1:		/* empty tree, 2M */
		*gpa = 0x00007f0012400000ULL;
		*level = 2;
		break;
	case 2:		/* split 1G -> 2M -> 4K */
		HV_ASSERT_EQ(hv_tdp_map(&e->t, 9 * GB, 0x40000000, HV_PTE_RWX, 3), 0);
		*gpa = 9 * GB + 5 * MB + 3 * 4096;
		*level = 1;
		break;
	case 3:		/* half the path exists */
		HV_ASSERT_EQ(hv_tdp_map(&e->t, 9 * GB, 0x40000000, HV_PTE_RWX, 1), 0);
		*gpa = 9 * GB + 4 * GB + 4096;
		*level = 1;
		break;
	default:	/* split 2M -> 4K under an existing path */
		HV_ASSERT_EQ(hv_tdp_map(&e->t, 9 * GB + 2 * MB, 0x40200000, HV_PTE_R, 2), 0);
		*gpa = 9 * GB + 3 * MB;
		*level = 1;
		break;
	}
}

HV_TEST(enomem_at_every_allocation_point)
{
	int ept, levels, scenario, fail_at;

	FOR_EACH_CONFIG(ept, levels) {
		for (scenario = 0; scenario < 5; scenario++) {
			int needed = -1;

			for (fail_at = 0; ; fail_at++) {
				u64 gpa, probes[8];
				struct snap before;
				struct env e;
				long allocs;
				int level, ret, n;

				env_init(&e, ept, levels);
				enomem_setup(&e, scenario, &gpa, &level);
				n = hv_tdp_tables_needed(&e.t, gpa, level);
				HV_ASSERT(n >= 0 && n <= levels - level, "needed %d", n);
				if (needed < 0)
					needed = n;
				probes[0] = gpa;
				probes[1] = gpa + 4096;
				probes[2] = gpa - 4096;
				probes[3] = gpa & ~(GB - 1);
				probes[4] = (gpa & ~(GB - 1)) + GB - 4096;
				probes[5] = 9 * GB;
				probes[6] = 9 * GB + 2 * MB;
				probes[7] = (gpa & ~(2 * MB - 1)) + 2 * MB - 4096;
				snap_take(&e, &before, probes, 8);

				allocs = e.mem.allocs;
				e.mem.fail_after = fail_at;
				ret = hv_tdp_map(&e.t, gpa, 0x77000000, HV_PTE_R, level);
				e.mem.fail_after = -1;
				if (fail_at < needed) {
					HV_ASSERT_EQ(ret, -ENOMEM);
					HV_ASSERT_EQ(e.mem.allocs - allocs, fail_at);
					snap_check(&e, &before);
					check_tables(&e, true);
					/* The retry takes only what is still missing. */
					n = hv_tdp_tables_needed(&e.t, gpa, level);
					HV_ASSERT_EQ(n, needed - fail_at);
					allocs = e.mem.allocs;
					HV_ASSERT_EQ(hv_tdp_map(&e.t, gpa, 0x77000000,
								HV_PTE_R, level), 0);
					HV_ASSERT_EQ(e.mem.allocs - allocs, n);
				} else {
					HV_ASSERT_EQ(ret, 0);
					HV_ASSERT_EQ(e.mem.allocs - allocs, needed);
				}
				check_gpa(&e, gpa, true, 0x77000000, HV_PTE_R, level);
				check_tables(&e, false);
				env_fini(&e);
				if (fail_at >= needed)
					break;
			}
			HV_ASSERT(needed >= 1, "scenario %d allocates", scenario);
		}
	}
}

HV_TEST(destroy_frees_everything)
{
	int ept, levels;

	FOR_EACH_CONFIG(ept, levels) {
		struct env e;
		u64 g;

		env_init(&e, ept, levels);
		for (g = 0; g < 64 * MB; g += 4096 * 3)
			HV_ASSERT_EQ(hv_tdp_map(&e.t, g, g, HV_PTE_RWX, 1), 0);
		for (g = 100 * GB; g < 110 * GB; g += 6 * MB)
			HV_ASSERT_EQ(hv_tdp_map(&e.t, g, g, HV_PTE_RWX, 2), 0);
		HV_ASSERT_EQ(hv_tdp_map(&e.t, 200 * TB, 0, HV_PTE_RWX, 3), 0);
		if (levels == 5)
			HV_ASSERT_EQ(hv_tdp_map(&e.t, 0x00ff000000000000ULL, 0,
						HV_PTE_R, 1), 0);
		HV_ASSERT(e.mem.live_count > 40, "a big tree");
		check_tables(&e, false);
		env_fini(&e);
	}
}

/* ---------------------------------------------------------------------- */
/* Randomized: map/unmap/protect against a model of 4K pages.             */

#define NREGIONS	4
#define REGION_PAGES	(GB / 4096)

struct mslot {
	u64 hpa;
	u8 perms;
	u8 level;	/* 0: not mapped */
};

struct model {
	u64 region[NREGIONS];	/* 1G aligned, ascending */
	struct mslot *s;
};

static u64 rnd_state;

static u64 rnd(void)
{
	/* xorshift64* */
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 0x2545f4914f6cdd1dULL;
}

static u64 rnd_below(u64 n)
{
	return rnd() % n;
}

static struct mslot *mslot(struct model *m, u64 gpa)
{
	int r;

	for (r = 0; r < NREGIONS; r++)
		if (gpa >= m->region[r] && gpa - m->region[r] < GB)
			return &m->s[r * REGION_PAGES + ((gpa - m->region[r]) >> 12)];
	return NULL;
}

/* Leaves are at most 1G and regions 1G aligned: a leaf is in one region. */
static struct mslot *mblock(struct model *m, u64 gpa, int level, u64 *base)
{
	*base = gpa & ~(ref_lsize(level) - 1);
	return mslot(m, *base);
}

static bool model_map(struct model *m, u64 gpa, u64 hpa, unsigned int perms,
		      int level)
{
	struct mslot *s = mslot(m, gpa), *b;
	u64 size = ref_lsize(level), base, i, n;
	bool flush = false;
	int cur;

	/* The tree splits a larger leaf down to @level. */
	for (cur = s->level; cur > level; cur--) {
		b = mblock(m, gpa, cur, &base);
		n = ref_lsize(cur) >> 12;
		for (i = 0; i < n; i++)
			b[i].level = cur - 1;
	}
	for (i = 0; i < size >> 12; i++) {
		if (s[i].level &&
		    (s[i].level < level || s[i].hpa != hpa + (i << 12) ||
		     (s[i].perms & ~perms)))
			flush = true;
		s[i].hpa = hpa + (i << 12);
		s[i].perms = perms;
		s[i].level = level;
	}
	return flush;
}

/* The documented rule of hv_tdp_protect(), written out independently. */
static unsigned int model_clear(bool ept, unsigned int perms, unsigned int clear)
{
	unsigned int p = perms & ~clear;

	if (!(p & HV_PTE_R))
		p &= ~HV_PTE_W;
	if (!(p & HV_PTE_RWX) || (!ept && !(p & HV_PTE_R)))
		return 0;
	return p;
}

/* Applies to whole leaves overlapping [start, end); returns "changed". */
static bool model_range(struct model *m, bool ept, u64 start, u64 end,
			bool zap, unsigned int clear)
{
	bool changed = false;
	u64 gpa = start;
	int r;

	for (r = 0; r < NREGIONS; r++) {
		u64 lo = m->region[r], hi = lo + GB;

		if (end <= lo || start >= hi)
			continue;
		for (gpa = start > lo ? start : lo; gpa < end && gpa < hi; ) {
			struct mslot *s = mslot(m, gpa), *b;
			u64 base, n, i;
			unsigned int np;

			if (!s->level) {
				gpa += 4096;
				continue;
			}
			b = mblock(m, gpa, s->level, &base);
			n = ref_lsize(s->level) >> 12;
			np = zap ? 0 : model_clear(ept, b->perms, clear);
			if (np != b->perms)
				changed = true;
			for (i = 0; i < n; i++) {
				if (np)
					b[i].perms = np;
				else
					b[i].level = 0;
			}
			gpa = base + (n << 12);
		}
	}
	return changed;
}

static void model_check_gpa(struct env *e, struct model *m, u64 gpa)
{
	struct mslot *s = mslot(m, gpa);

	if (!s || !s->level)
		check_gpa(e, gpa, false, 0, 0, 0);
	else
		check_gpa(e, gpa, true, s->hpa, s->perms, s->level);
}

static void model_leaf_fn(struct env *e, u64 gpa, const struct ref_tr *tr, void *arg)
{
	struct model *m = arg;
	struct mslot *s = mslot(m, gpa);
	u64 i, n = ref_lsize(tr->level) >> 12;

	(void)e;
	HV_ASSERT(s, "leaf at %#llx outside the model's regions", (unsigned long long)gpa);
	for (i = 0; i < n; i++) {
		if (s[i].level != tr->level || s[i].hpa != tr->hpa + (i << 12) ||
		    s[i].perms != tr->perms)
			HV_FAIL("gpa %#llx: tree %#llx/%x/L%d, model %#llx/%x/L%d",
				(unsigned long long)(gpa + (i << 12)),
				(unsigned long long)(tr->hpa + (i << 12)), tr->perms,
				tr->level, (unsigned long long)s[i].hpa, s[i].perms,
				s[i].level);
	}
}

/* The whole tree against the whole model. */
static void model_check_all(struct env *e, struct model *m)
{
	struct ref_stats st = { 0 };
	u64 pages = 0, i;

	ref_enum(e, e->t.root_pa, e->levels, 0, &st, model_leaf_fn, m);
	for (i = 0; i < NREGIONS * REGION_PAGES; i++)
		pages += m->s[i].level != 0;
	HV_ASSERT_EQ(st.mapped >> 12, pages);
	HV_ASSERT_EQ(st.tables, e->mem.live_count);
	HV_ASSERT_EQ(st.empty_tables, 0);
}

static unsigned int rnd_perms(bool ept, int level)
{
	static const unsigned int p[] = {
		HV_PTE_R, HV_PTE_R | HV_PTE_W, HV_PTE_R | HV_PTE_X, HV_PTE_RWX,
		HV_PTE_RWX, HV_PTE_X, HV_PTE_R | HV_PTE_SPP, HV_PTE_RWX | HV_PTE_SPP,
	};
	unsigned int n = !ept ? 5 : level == 1 ? 8 : 6;

	return p[rnd_below(n)];
}

static void random_ops(bool ept, int levels, u64 seed, int nops)
{
	static const u64 regions4[NREGIONS] = {
		0, 511 * GB, 512 * GB, (1ULL << 48) - GB,	/* 511G|512G: PML4 edge */
	};
	static const u64 regions5[NREGIONS] = {
		0, (1ULL << 48) - GB, 1ULL << 48,		/* PML5 edge */
		(1ULL << 57) - GB,
	};
	struct model m;
	struct env e;
	int op, i, r;
	u64 stats[3] = { 0 };
	long max_live = 0, splits = 0, merges = 0;

	/* HV_TDP_SEED=n runs other sequences (the default ones are fixed). */
	if (getenv("HV_TDP_SEED"))
		seed ^= strtoull(getenv("HV_TDP_SEED"), NULL, 0) * 0x9e3779b97f4a7c15ULL;
	rnd_state = seed ? seed : 1;
	memcpy(m.region, levels == 5 ? regions5 : regions4, sizeof(m.region));
	m.s = calloc(NREGIONS * REGION_PAGES, sizeof(*m.s));
	HV_ASSERT(m.s, "out of memory");
	env_init(&e, ept, levels);

	for (op = 0; op < nops; op++) {
		u64 kind = rnd_below(100), start, len, probe;
		bool flush = false, expect;

		r = rnd_below(NREGIONS);
		if (kind < 50) {
			u64 k = rnd_below(100), gpa, hpa, size, span;
			int level = k < 62 ? 1 : k < 95 ? 2 : 3;
			unsigned int perms = rnd_perms(ept, level);
			long allocs = e.mem.allocs;
			int need;

			size = ref_lsize(level);
			/* Half in the first 8M of a region: splits and merges. */
			span = rnd() & 1 ? GB : 8 * MB;
			if (span < size)
				span = size;
			gpa = m.region[r] + rnd_below(span / size) * size;
			hpa = rnd() & 0x000ffffffffff000ULL & ~(size - 1);
			need = hv_tdp_tables_needed(&e.t, gpa, level);
			HV_ASSERT(need >= 0 && need <= levels - level, "need %d", need);
			if (mslot(&m, gpa)->level > level)
				splits++;
			else if (level > 1 && mslot(&m, gpa)->level &&
				 mslot(&m, gpa)->level < level)
				merges++;
			expect = model_map(&m, gpa, hpa, perms, level);
			HV_ASSERT_EQ(hv_tdp_map_replace(&e.t, gpa, hpa, perms, level, &flush), 0);
			HV_ASSERT_EQ(e.mem.allocs - allocs, need);
			HV_ASSERT_EQ(flush, expect);
			start = gpa;
			len = size;
			stats[0]++;
		} else {
			u64 k = rnd_below(100);
			unsigned int clear = 0;
			bool zap = kind < 80;

			start = m.region[r] + (rnd_below(REGION_PAGES) << 12);
			if (rnd() & 1)	/* often start near a table edge */
				start = (start & ~(2 * MB - 1)) - (rnd_below(4) << 12);
			len = k < 40 ? rnd_below(16) + 1 :
			      k < 70 ? rnd_below(1024) + 1 :
			      k < 92 ? rnd_below(REGION_PAGES) + 1 :
			      rnd_below(2 * REGION_PAGES) + 1;
			len <<= 12;
			if (start > e.t.max_gpa)
				start = 0;
			if (len > e.t.max_gpa + 1 - start)
				len = e.t.max_gpa + 1 - start;
			if (zap) {
				expect = model_range(&m, ept, start, start + len, true, 0);
				HV_ASSERT_EQ(hv_tdp_unmap(&e.t, start, len, &flush), 0);
				stats[1]++;
			} else {
				while (!clear)
					clear = rnd_below(16);
				expect = model_range(&m, ept, start, start + len, false, clear);
				HV_ASSERT_EQ(hv_tdp_protect(&e.t, start, len, clear, &flush), 0);
				stats[2]++;
			}
			HV_ASSERT_EQ(flush, expect);
		}

		/* Spot checks in and around the range. */
		for (i = 0; i < 8; i++) {
			probe = start + (rnd_below(len >> 12) << 12);
			model_check_gpa(&e, &m, probe);
		}
		model_check_gpa(&e, &m, start);
		model_check_gpa(&e, &m, start + len - 4096);
		if (start >= 4096)
			model_check_gpa(&e, &m, start - 4096);
		if (start + len <= e.t.max_gpa)
			model_check_gpa(&e, &m, start + len);

		if (e.mem.live_count > max_live)
			max_live = e.mem.live_count;
		if (op % 250 == 249)
			model_check_all(&e, &m);
	}
	model_check_all(&e, &m);
	hv_diag("%s%d seed %#llx: %llu maps (%ld splits, %ld over tables), "
		"%llu unmaps, %llu protects, %ld tables at most, %ld allocated",
		ept ? "ept" : "npt", levels, (unsigned long long)seed,
		(unsigned long long)stats[0], splits,
		merges, (unsigned long long)stats[1], (unsigned long long)stats[2],
		max_live, e.mem.allocs);
	/* Unmapping everything leaves only the root. */
	HV_ASSERT_EQ(hv_tdp_unmap(&e.t, 0, e.t.max_gpa + 1, NULL), 0);
	HV_ASSERT_EQ(e.mem.live_count, 1);
	env_fini(&e);
	free(m.s);
}

HV_TEST(random_ept_4level)
{
	random_ops(true, 4, 0x9e3779b97f4a7c15ULL, 3000);
}

HV_TEST(random_ept_5level)
{
	random_ops(true, 5, 0xd1b54a32d192ed03ULL, 3000);
}

HV_TEST(random_npt_4level)
{
	random_ops(false, 4, 0x8cb92ba72f3d8dd7ULL, 3000);
}

HV_TEST(random_npt_5level)
{
	random_ops(false, 5, 0xabcdef0123456789ULL, 3000);
}
