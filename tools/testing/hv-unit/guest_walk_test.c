// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the guest page-table walker.  Each test builds guest page
 * tables in a small fake guest-physical memory with the builder below and
 * walks them.  Every test runs in its own process, so the globals start
 * fresh each time.
 */
#include "hv_test.h"
#include "../../../arch/x86/hv/guest_walk.h"

#define MEM_SIZE	BIT(20)		/* guest "RAM": 1 MiB at GPA 0 */
#define PAGE		0x1000ULL

#define CR0_PG		BIT_ULL(31)
#define CR0_WP		BIT_ULL(16)
#define CR4_PSE		BIT_ULL(4)
#define CR4_PAE		BIT_ULL(5)
#define CR4_LA57	BIT_ULL(12)
#define CR4_SMEP	BIT_ULL(20)
#define CR4_SMAP	BIT_ULL(21)
#define EFER_LME	BIT_ULL(8)
#define EFER_LMA	BIT_ULL(10)
#define EFER_NXE	BIT_ULL(11)

#define P		BIT_ULL(0)
#define W		BIT_ULL(1)
#define U		BIT_ULL(2)
#define A		BIT_ULL(5)
#define D		BIT_ULL(6)
#define PS		BIT_ULL(7)
#define XD		BIT_ULL(63)

#define EC_P		0x1
#define EC_W		0x2
#define EC_U		0x4
#define EC_RSVD		0x8
#define EC_ID		0x10

#define RD		0
#define WR		HV_WALK_WRITE
#define US		HV_WALK_USER
#define FE		HV_WALK_FETCH

static unsigned char gmem[MEM_SIZE] __attribute__((aligned(4096)));
static u64 gmem_next = PAGE;		/* page 0 stays unused */
static unsigned int nr_reads;
static unsigned int want_len;		/* 4 or 8, checked on every read */

static int read_gpa(void *opaque, u64 gpa, void *buf, unsigned int len)
{
	HV_ASSERT(opaque == (void *)gmem, "opaque passed through");
	HV_ASSERT(len == want_len, "len %u, want %u", len, want_len);
	HV_ASSERT(!(gpa & (len - 1)), "misaligned read at 0x%llx",
		  (unsigned long long)gpa);
	nr_reads++;
	if (gpa >= MEM_SIZE || len > MEM_SIZE - gpa)
		return -EFAULT;
	memcpy(buf, gmem + gpa, len);
	return 0;
}

/* A zeroed page of guest memory for a paging structure. */
static u64 alloc_page(void)
{
	u64 gpa = gmem_next;

	HV_ASSERT(gpa + PAGE <= MEM_SIZE, "out of fake guest memory");
	gmem_next += PAGE;
	return gpa;
}

static u64 rd(u64 gpa, unsigned int len)
{
	u32 v32;
	u64 v;

	if (len == 4) {
		memcpy(&v32, gmem + gpa, 4);
		return v32;
	}
	memcpy(&v, gmem + gpa, 8);
	return v;
}

static void wr(u64 gpa, unsigned int len, u64 val)
{
	u32 v32 = (u32)val;

	HV_ASSERT(len == 8 || val == v32, "32-bit entry 0x%llx",
		  (unsigned long long)val);
	memcpy(gmem + gpa, len == 4 ? (void *)&v32 : (void *)&val, len);
}

/* ---- the builder ---- */

enum mode { NOPG, M32, PAE, L4, L5 };

static int top_level(enum mode m)
{
	static const int top[] = { 0, 2, 3, 4, 5 };

	return top[m];
}

static unsigned int esize(enum mode m)
{
	return m == M32 ? 4 : 8;
}

/* GPA of the entry for @gva in the table at @table, at @level. */
static u64 slot(enum mode m, u64 table, u64 gva, int level)
{
	unsigned int bits = m == M32 ? 10 : 9;
	unsigned int shift = 12 + bits * (level - 1);
	u64 idx = (gva >> shift) & ((1ULL << bits) - 1);

	if (m == PAE && level == 3)
		idx &= 3;
	return table + idx * esize(m);
}

/*
 * A context for mode @m with its root table allocated; @cr0, @cr4 and @efer
 * are added to what the mode needs.  maxphyaddr 46 unless changed.
 */
static struct hv_walk_ctx mk(enum mode m, u64 cr0, u64 cr4, u64 efer)
{
	struct hv_walk_ctx c = {
		.cr0 = cr0, .cr4 = cr4, .efer = efer, .maxphyaddr = 46,
		.read_gpa = read_gpa, .opaque = gmem,
	};

	want_len = esize(m);
	if (m != NOPG)
		c.cr0 |= CR0_PG | 1;	/* PG, PE */
	if (m >= PAE)
		c.cr4 |= CR4_PAE;
	if (m >= L4)
		c.efer |= EFER_LME | EFER_LMA;
	if (m == L5)
		c.cr4 |= CR4_LA57;
	if (m == PAE)	/* a 32-byte aligned PDPT, not page aligned */
		c.cr3 = alloc_page() + 0x60;
	else if (m != NOPG)
		c.cr3 = alloc_page();
	return c;
}

static enum mode mode_of(const struct hv_walk_ctx *c)
{
	return (enum mode)hv_walk_mode(c);
}

static u64 root_of(const struct hv_walk_ctx *c)
{
	if (mode_of(c) == PAE)
		return c->cr3 & 0xffffffe0ULL;
	return c->cr3 & 0x000ffffffffff000ULL;
}

/*
 * GPA of the entry that translates @gva at @level, creating the tables above
 * it (entries P|W|U; a PAE PDPTE only P).
 */
static u64 entry(const struct hv_walk_ctx *c, u64 gva, int level)
{
	enum mode m = mode_of(c);
	u64 table = root_of(c);
	int l;

	for (l = top_level(m); l > level; l--) {
		u64 e = slot(m, table, gva, l);
		u64 v = rd(e, esize(m));

		if (!(v & P)) {
			v = alloc_page() | P;
			if (!(m == PAE && l == 3))
				v |= W | U;
			wr(e, esize(m), v);
		}
		HV_ASSERT(!(v & PS), "builder: large page at level %d", l);
		table = v & 0x000ffffffffff000ULL;
	}
	return slot(m, table, gva, level);
}

/*
 * Maps @gva to @gpa with a page whose leaf is at @level (PS set above 1),
 * leaf flags @flags.  Returns the GPA of the leaf entry.
 */
static u64 map(const struct hv_walk_ctx *c, u64 gva, u64 gpa, int level,
	       u64 flags)
{
	enum mode m = mode_of(c);
	u64 e = entry(c, gva, level), v = gpa | flags;

	if (level > 1)
		v |= PS;
	if (m == M32 && level == 2)	/* PSE-36: bits 39:32 in 20:13 */
		v = (gpa & 0xffc00000ULL) | ((gpa >> 32) << 13) | flags | PS;
	wr(e, esize(m), v);
	return e;
}

static void set_bits(const struct hv_walk_ctx *c, u64 e, u64 bits)
{
	unsigned int n = esize(mode_of(c));

	wr(e, n, rd(e, n) | bits);
}

static void clr_bits(const struct hv_walk_ctx *c, u64 e, u64 bits)
{
	unsigned int n = esize(mode_of(c));

	wr(e, n, rd(e, n) & ~bits);
}

static struct hv_walk_result walk(const struct hv_walk_ctx *c, u64 gva,
				  unsigned int access)
{
	struct hv_walk_result r;

	memset(&r, 0xa5, sizeof(r));
	HV_ASSERT_EQ(hv_guest_walk(c, gva, access, &r), 0);
	return r;
}

/* The walk succeeds with @gpa at @level. */
#define OK(c, gva, acc, want_gpa, want_level) do {			\
	struct hv_walk_result __r = walk(c, gva, acc);			\
	HV_ASSERT(!__r.fault, "unexpected fault, ec 0x%x level %d",	\
		  __r.error_code, __r.level);				\
	HV_ASSERT_EQ(__r.noncanonical, false);				\
	HV_ASSERT_EQ(__r.gpa, want_gpa);				\
	HV_ASSERT_EQ(__r.level, want_level);				\
} while (0)

/* The walk yields a #PF with error code @ec, detected at @lvl. */
#define PF(c, gva, acc, ec, lvl) do {					\
	struct hv_walk_result __r = walk(c, gva, acc);			\
	HV_ASSERT(__r.fault, "no fault, gpa 0x%llx",			\
		  (unsigned long long)__r.gpa);				\
	HV_ASSERT_EQ(__r.noncanonical, false);				\
	HV_ASSERT_EQ(__r.error_code, ec);				\
	HV_ASSERT_EQ(__r.level, lvl);					\
} while (0)

/* Does the access fault (any #PF)? */
static bool faults(const struct hv_walk_ctx *c, u64 gva, unsigned int acc)
{
	struct hv_walk_result r = walk(c, gva, acc);

	HV_ASSERT_EQ(r.noncanonical, false);
	return r.fault;
}

/* Typical addresses: a user-half and a kernel-half GVA per mode. */
#define GVA32		0x8040a123ULL
#define GVA64		0x00007f1234567abcULL
#define GVA64K		0xffffff8123456789ULL
#define GVA57		0x00ff12345678abcdULL

/* ---- paging mode ---- */

HV_TEST(mode_from_control_registers)
{
	struct hv_walk_ctx c = { 0 };

	HV_ASSERT_EQ(hv_walk_mode(&c), HV_WALK_MODE_NONE);
	c.cr4 = CR4_PAE | CR4_LA57 | CR4_PSE;
	c.efer = EFER_LME | EFER_LMA;
	HV_ASSERT_EQ(hv_walk_mode(&c), HV_WALK_MODE_NONE);	/* PG=0 */
	c = (struct hv_walk_ctx){ .cr0 = CR0_PG, .cr4 = CR4_PSE };
	HV_ASSERT_EQ(hv_walk_mode(&c), HV_WALK_MODE_32BIT);
	c.efer = EFER_LME;	/* inconsistent, but PAE=0 decides */
	HV_ASSERT_EQ(hv_walk_mode(&c), HV_WALK_MODE_32BIT);
	c = (struct hv_walk_ctx){ .cr0 = CR0_PG, .cr4 = CR4_PAE };
	HV_ASSERT_EQ(hv_walk_mode(&c), HV_WALK_MODE_PAE);
	c.cr4 |= CR4_LA57;	/* LA57 means nothing outside long mode */
	HV_ASSERT_EQ(hv_walk_mode(&c), HV_WALK_MODE_PAE);
	c.efer = EFER_NXE;
	HV_ASSERT_EQ(hv_walk_mode(&c), HV_WALK_MODE_PAE);
	c.cr4 = CR4_PAE;
	c.efer = EFER_LME;
	HV_ASSERT_EQ(hv_walk_mode(&c), HV_WALK_MODE_4LEVEL);
	c.efer = EFER_LMA;
	HV_ASSERT_EQ(hv_walk_mode(&c), HV_WALK_MODE_4LEVEL);
	c.efer = EFER_LME | EFER_LMA;
	HV_ASSERT_EQ(hv_walk_mode(&c), HV_WALK_MODE_4LEVEL);
	c.cr4 |= CR4_LA57;
	HV_ASSERT_EQ(hv_walk_mode(&c), HV_WALK_MODE_5LEVEL);
}

HV_TEST(bad_access_flags_einval)
{
	struct hv_walk_ctx c = mk(L4, 0, 0, 0);
	struct hv_walk_result r;

	map(&c, GVA64, 0x5000, 1, P | W | U);
	HV_ASSERT_EQ(hv_guest_walk(&c, GVA64, WR | FE, &r), -EINVAL);
	HV_ASSERT_EQ(hv_guest_walk(&c, GVA64, 1U << 3, &r), -EINVAL);
	HV_ASSERT_EQ(hv_guest_walk(&c, GVA64, ~0U, &r), -EINVAL);
	HV_ASSERT_EQ(nr_reads, 0);
	HV_ASSERT_EQ(hv_guest_walk(&c, GVA64, US | WR, &r), 0);
	HV_ASSERT_EQ(hv_guest_walk(&c, GVA64, US | FE, &r), 0);
}

/* ---- no paging ---- */

HV_TEST(nopaging_is_identity)
{
	struct hv_walk_ctx c = mk(NOPG, CR0_WP,
				  CR4_PAE | CR4_SMEP | CR4_SMAP, EFER_NXE);
	unsigned int acc;

	for (acc = 0; acc <= (US | FE); acc++) {
		if ((acc & WR) && (acc & FE))
			continue;
		OK(&c, 0x12345678, acc, 0x12345678, 0);
		OK(&c, 0xfffff000, acc, 0xfffff000, 0);
	}
	/* Linear addresses are 32 bits outside long mode. */
	OK(&c, 0x500000000abcULL, RD, 0xabc, 0);
	HV_ASSERT_EQ(nr_reads, 0);
}

/* ---- 32-bit paging ---- */

HV_TEST(m32_4k_page)
{
	struct hv_walk_ctx c = mk(M32, 0, 0, 0);

	map(&c, GVA32, 0xfedcb000, 1, P | W | U);
	OK(&c, GVA32, RD, 0xfedcb123, 1);
	HV_ASSERT_EQ(nr_reads, 2);
	OK(&c, GVA32 | 0xfff, US | WR, 0xfedcbfff, 1);
	OK(&c, GVA32 & ~0xfffULL, US | FE, 0xfedcb000, 1);
	/* Bits 63:32 of the GVA are ignored. */
	OK(&c, 0xabcd000000000000ULL | GVA32, RD, 0xfedcb123, 1);
	/* The next page of the same table is not mapped. */
	PF(&c, GVA32 + PAGE, RD, 0, 1);
}

HV_TEST(m32_cr3_low_and_high_bits_ignored)
{
	struct hv_walk_ctx c = mk(M32, 0, 0, 0);

	map(&c, GVA32, 0x7000, 1, P | W);
	c.cr3 |= 0xfff | 0xffffffff00000000ULL;	/* PCD, PWT, junk */
	OK(&c, GVA32, WR, 0x7123, 1);
}

HV_TEST(m32_4m_page_with_pse)
{
	struct hv_walk_ctx c = mk(M32, 0, CR4_PSE, 0);

	c.maxphyaddr = 40;
	map(&c, GVA32, 0xc0000000, 2, P | W | U);
	OK(&c, GVA32, US | WR, 0xc000a123, 2);
	HV_ASSERT_EQ(nr_reads, 1);
	OK(&c, GVA32 | 0x3fffff, RD, 0xc03fffff, 2);
	/* PSE-36: PDE bits 20:13 are address bits 39:32. */
	map(&c, GVA32, 0xab40000000ULL, 2, P);
	OK(&c, GVA32, RD, 0xab4000a123ULL, 2);
	/* PAT (bit 12), G (bit 8), D, A are not reserved. */
	map(&c, GVA32, 0xc0000000, 2, P | (1ULL << 12) | (1ULL << 8) | A | D);
	OK(&c, GVA32, RD, 0xc000a123, 2);
}

HV_TEST(m32_pse36_reserved_bits)
{
	struct hv_walk_ctx c = mk(M32, 0, CR4_PSE, 0);
	u64 e = map(&c, GVA32, 0xc0000000, 2, P | W);

	/* Bit 21 is always reserved. */
	c.maxphyaddr = 52;
	set_bits(&c, e, 1ULL << 21);
	PF(&c, GVA32, WR, EC_P | EC_W | EC_RSVD, 2);
	clr_bits(&c, e, 1ULL << 21);
	/* MAXPHYADDR 36: address bits 35:32 in PDE 16:13, 20:17 reserved. */
	c.maxphyaddr = 36;
	set_bits(&c, e, 0xfULL << 13);
	OK(&c, GVA32, RD, 0xfc000a123ULL, 2);
	set_bits(&c, e, 1ULL << 17);
	PF(&c, GVA32, RD, EC_P | EC_RSVD, 2);
	c.maxphyaddr = 40;
	OK(&c, GVA32, RD, 0x1fc000a123ULL, 2);
	/* MAXPHYADDR 32: all of 21:13 reserved (bit 12, PAT, is not). */
	c.maxphyaddr = 32;
	clr_bits(&c, e, 0x1ffULL << 13);
	set_bits(&c, e, 1ULL << 12);
	OK(&c, GVA32, RD, 0xc000a123, 2);
	set_bits(&c, e, 1ULL << 13);
	PF(&c, GVA32, US, EC_P | EC_U | EC_RSVD, 2);
}

HV_TEST(m32_ps_ignored_without_pse)
{
	struct hv_walk_ctx c = mk(M32, 0, 0, 0);
	u64 pde, v;

	map(&c, GVA32, 0x9000, 1, P | W | U);
	pde = entry(&c, GVA32, 2);
	/* With CR4.PSE=0 the PS bit is ignored: still a page table. */
	set_bits(&c, pde, PS);
	OK(&c, GVA32, US, 0x9123, 1);
	HV_ASSERT_EQ(nr_reads, 2);
	/* With CR4.PSE=1 the same PDE maps a 4 MiB page. */
	c.cr4 |= CR4_PSE;
	v = rd(pde, 4);
	OK(&c, GVA32, US, (v & 0xffc00000) | (((v >> 13) & 0xff) << 32) |
	   (GVA32 & 0x3fffff), 2);
	set_bits(&c, pde, 1ULL << 21);
	PF(&c, GVA32, US, EC_P | EC_U | EC_RSVD, 2);
}

HV_TEST(m32_no_reserved_bits_in_4k_entries)
{
	struct hv_walk_ctx c = mk(M32, 0, CR4_PSE, 0);
	u64 pte = map(&c, GVA32, 0x9000, 1, P | W | U);

	/* Every bit of a 32-bit PTE is defined or ignored. */
	set_bits(&c, pte, 0xfff);
	set_bits(&c, entry(&c, GVA32, 2), 0xf78);	/* all but PS */
	c.maxphyaddr = 32;
	OK(&c, GVA32, US | WR, 0x9123, 1);
}

HV_TEST(m32_not_present_each_level)
{
	struct hv_walk_ctx c = mk(M32, 0, 0, 0);
	u64 pte = map(&c, GVA32, 0x9000, 1, P | W | U);
	u64 pde = entry(&c, GVA32, 2);

	clr_bits(&c, pte, P);
	PF(&c, GVA32, RD, 0, 1);
	PF(&c, GVA32, WR, EC_W, 1);
	PF(&c, GVA32, US, EC_U, 1);
	PF(&c, GVA32, US | WR, EC_U | EC_W, 1);
	PF(&c, GVA32, US | FE, EC_U, 1);	/* no I/D: no NX, no SMEP */
	clr_bits(&c, pde, P);
	PF(&c, GVA32, US | WR, EC_U | EC_W, 2);
	HV_ASSERT_EQ(nr_reads, 6 * 2 - 1);
	/* The other bits of a not-present entry are ignored. */
	wr(pde, 4, 0xfffffffe);
	c.cr4 |= CR4_PSE;
	PF(&c, GVA32, RD, 0, 2);
}

HV_TEST(m32_fetch_no_nx_and_id_bit)
{
	struct hv_walk_ctx c = mk(M32, 0, 0, EFER_NXE);
	u64 pte = map(&c, GVA32, 0x9000, 1, P | U);

	/* No XD in 32-bit paging even with EFER.NXE. */
	OK(&c, GVA32, FE, 0x9123, 1);
	OK(&c, GVA32, US | FE, 0x9123, 1);
	clr_bits(&c, pte, U);
	PF(&c, GVA32, US | FE, EC_P | EC_U, 1);
	/* With SMEP, I/D reports fetches even in 32-bit paging. */
	c.cr4 |= CR4_SMEP;
	PF(&c, GVA32, US | FE, EC_P | EC_U | EC_ID, 1);
	set_bits(&c, pte, U);
	PF(&c, GVA32, FE, EC_P | EC_ID, 1);
}

/* ---- PAE paging ---- */

HV_TEST(pae_4k_and_2m_pages)
{
	struct hv_walk_ctx c = mk(PAE, 0, 0, 0);

	c.maxphyaddr = 52;
	map(&c, GVA32, 0x000ffffffffff000ULL, 1, P | W | U);
	OK(&c, GVA32, US | WR, 0x000ffffffffff123ULL, 1);
	HV_ASSERT_EQ(nr_reads, 3);
	map(&c, 0x40200000, 0x123400000ULL, 2, P | W | U);
	OK(&c, 0x402fedcb, US | WR, 0x1234fedcbULL, 2);
	/* PAE ignores bits 63:32 of the GVA. */
	OK(&c, 0xffffffff402fedcbULL, RD, 0x1234fedcbULL, 2);
	/* PAT of a 2 MiB page (bit 12) is not reserved. */
	map(&c, 0x40200000, 0x123400000ULL, 2, P | (1ULL << 12));
	OK(&c, 0x40200001, RD, 0x123400001ULL, 2);
}

HV_TEST(pae_pdpt_index_from_bits_31_30)
{
	struct hv_walk_ctx c = mk(PAE, 0, 0, 0);
	u64 gva;
	int i;

	HV_ASSERT_EQ(c.cr3 & 0xfff, 0x60);	/* not page aligned */
	for (i = 0; i < 4; i++) {
		gva = ((u64)i << 30) | 0x1234567;
		map(&c, gva, 0x100000ULL * (i + 1), 1, P);
	}
	for (i = 0; i < 4; i++) {
		gva = ((u64)i << 30) | 0x1234567;
		OK(&c, gva, RD, 0x100000ULL * (i + 1) + 0x567, 1);
	}
	/* The four PDPTEs are at CR3 + 0, 8, 16, 24. */
	clr_bits(&c, root_of(&c) + 16, P);
	PF(&c, (2ULL << 30) | 0x1234567, RD, 0, 3);
	OK(&c, (3ULL << 30) | 0x1234567, RD, 0x400567, 1);
}

HV_TEST(pae_pdpte_reserved_bits)
{
	static const u64 rsvd[] = {
		1ULL << 1, 1ULL << 2, 1ULL << 5, 1ULL << 6, PS, 1ULL << 8,
		1ULL << 46, 1ULL << 51, 1ULL << 52, 1ULL << 62, XD,
	};
	struct hv_walk_ctx c = mk(PAE, 0, 0, EFER_NXE);
	u64 pdpte;
	unsigned int i;

	map(&c, GVA32, 0x9000, 1, P | W | U);
	pdpte = entry(&c, GVA32, 3);
	/* PWT, PCD and the ignored bits 11:9 are fine. */
	set_bits(&c, pdpte, (1ULL << 3) | (1ULL << 4) | (7ULL << 9));
	OK(&c, GVA32, US | WR, 0x9123, 1);
	for (i = 0; i < ARRAY_SIZE(rsvd); i++) {
		set_bits(&c, pdpte, rsvd[i]);
		PF(&c, GVA32, US | WR, EC_P | EC_U | EC_W | EC_RSVD, 3);
		clr_bits(&c, pdpte, rsvd[i]);
	}
	OK(&c, GVA32, US | WR, 0x9123, 1);
}

HV_TEST(pae_bits_62_m_reserved)
{
	struct hv_walk_ctx c = mk(PAE, 0, 0, EFER_NXE);
	u64 pte = map(&c, GVA32, 0x9000, 1, P | W | U);
	u64 pde = entry(&c, GVA32, 2);
	int bit;

	/* Unlike long mode, PAE reserves 62:52 as well as 51:M. */
	for (bit = 46; bit <= 62; bit++) {
		set_bits(&c, pte, 1ULL << bit);
		PF(&c, GVA32, RD, EC_P | EC_RSVD, 1);
		clr_bits(&c, pte, 1ULL << bit);
		set_bits(&c, pde, 1ULL << bit);
		PF(&c, GVA32, RD, EC_P | EC_RSVD, 2);
		clr_bits(&c, pde, 1ULL << bit);
	}
	set_bits(&c, pte, 1ULL << 45);	/* address bit M-1: fine */
	OK(&c, GVA32, RD, 0x200000009123ULL, 1);
}

HV_TEST(pae_2m_low_bits_reserved)
{
	struct hv_walk_ctx c = mk(PAE, 0, 0, 0);
	u64 pde = map(&c, GVA32, 0x40000000, 2, P);
	int bit;

	for (bit = 13; bit <= 20; bit++) {
		set_bits(&c, pde, 1ULL << bit);
		PF(&c, GVA32, FE, EC_P | EC_RSVD, 2);	/* no I/D: NXE=0 */
		clr_bits(&c, pde, 1ULL << bit);
	}
	OK(&c, GVA32, FE, 0x4000a123, 2);
}

HV_TEST(pae_not_present_each_level)
{
	struct hv_walk_ctx c = mk(PAE, 0, 0, EFER_NXE);
	u64 pte = map(&c, GVA32, 0x9000, 1, P | W | U);
	u64 pde = entry(&c, GVA32, 2), pdpte = entry(&c, GVA32, 3);

	clr_bits(&c, pte, P);
	PF(&c, GVA32, US | FE, EC_U | EC_ID, 1);
	clr_bits(&c, pde, P);
	PF(&c, GVA32, WR, EC_W, 2);
	set_bits(&c, pdpte, 0xfffffffffffffffeULL);
	clr_bits(&c, pdpte, P);
	PF(&c, GVA32, RD, 0, 3);
	HV_ASSERT_EQ(nr_reads, 3 + 2 + 1);
}

HV_TEST(pae_nx_with_and_without_nxe)
{
	struct hv_walk_ctx c = mk(PAE, 0, 0, EFER_NXE);
	u64 pte = map(&c, GVA32, 0x9000, 1, P | W | U);
	u64 pde = entry(&c, GVA32, 2);

	OK(&c, GVA32, US | FE, 0x9123, 1);
	set_bits(&c, pte, XD);
	PF(&c, GVA32, US | FE, EC_P | EC_U | EC_ID, 1);
	PF(&c, GVA32, FE, EC_P | EC_ID, 1);
	OK(&c, GVA32, US | WR, 0x9123, 1);
	clr_bits(&c, pte, XD);
	set_bits(&c, pde, XD);
	PF(&c, GVA32, FE, EC_P | EC_ID, 1);
	/* Without EFER.NXE bit 63 is reserved, and I/D is never set. */
	c.efer = 0;
	PF(&c, GVA32, FE, EC_P | EC_RSVD, 2);
	PF(&c, GVA32, RD, EC_P | EC_RSVD, 2);
	clr_bits(&c, pde, XD);
	set_bits(&c, pte, XD);
	PF(&c, GVA32, US | FE, EC_P | EC_U | EC_RSVD, 1);
	clr_bits(&c, pte, XD);
	OK(&c, GVA32, US | FE, 0x9123, 1);
}

HV_TEST(pae_pdpte_has_no_access_rights)
{
	struct hv_walk_ctx c = mk(PAE, CR0_WP, 0, EFER_NXE);

	/* The builder's PDPTE has only P: user, write and fetch still OK. */
	map(&c, GVA32, 0x9000, 1, P | W | U);
	OK(&c, GVA32, US | WR, 0x9123, 1);
	OK(&c, GVA32, US | FE, 0x9123, 1);
	HV_ASSERT_EQ(rd(entry(&c, GVA32, 3), 8) & (W | U | XD), 0);
}

/* ---- 4-level paging ---- */

HV_TEST(l4_4k_2m_1g_pages)
{
	struct hv_walk_ctx c = mk(L4, 0, 0, EFER_NXE);

	map(&c, GVA64, 0x3fffffffd000ULL, 1, P | W | U);
	OK(&c, GVA64, US | WR, 0x3fffffffdabcULL, 1);
	HV_ASSERT_EQ(nr_reads, 4);
	map(&c, GVA64K, 0x200000000ULL, 2, P | W);
	OK(&c, GVA64K, WR, 0x200000000ULL | (GVA64K & 0x1fffff), 2);
	HV_ASSERT_EQ(nr_reads, 4 + 3);
	map(&c, 0xffffc00000000000ULL, 0x3fffc0000000ULL, 3, P);
	OK(&c, 0xffffc0003fffffffULL, FE, 0x3fffffffffffULL, 3);
	OK(&c, 0xffffc00012345678ULL, RD, 0x3fffd2345678ULL, 3);
	HV_ASSERT_EQ(nr_reads, 4 + 3 + 2 * 2);
	/* PAT in a large page (bit 12), G, A, D, ignored 11:9, 58:52. */
	map(&c, GVA64K, 0x200000000ULL, 2,
	    P | (1ULL << 12) | (0xfULL << 8) | A | D | (0x7fULL << 52));
	OK(&c, GVA64K, RD, 0x200000000ULL | (GVA64K & 0x1fffff), 2);
}

HV_TEST(l4_cr3_pcid_and_high_bits_ignored)
{
	struct hv_walk_ctx c = mk(L4, 0, 0, 0);

	map(&c, GVA64, 0x5000, 1, P);
	c.cr3 |= 0xfff | (7ULL << 61);	/* PCID/PWT/PCD, no-flush, LAM */
	OK(&c, GVA64, RD, 0x5abc, 1);
	c = mk(L5, 0, 0, 0);
	map(&c, GVA57, 0x5000, 1, P);
	c.cr3 |= 0xfff | (7ULL << 61);
	OK(&c, GVA57, RD, 0x5bcd, 1);
}

HV_TEST(l4_maxphyaddr_52)
{
	struct hv_walk_ctx c = mk(L4, 0, 0, 0);

	c.maxphyaddr = 52;
	map(&c, GVA64, 0x000ffffffffff000ULL, 1, P);
	OK(&c, GVA64, RD, 0x000ffffffffffabcULL, 1);
	map(&c, GVA64K, 0x000fffffc0000000ULL, 3, P);
	OK(&c, GVA64K, RD, 0x000fffffc0000000ULL | (GVA64K & 0x3fffffff), 3);
	/* Out-of-range values are clamped to 32..52. */
	c.maxphyaddr = 200;
	OK(&c, GVA64K, RD, 0x000fffffc0000000ULL | (GVA64K & 0x3fffffff), 3);
	c.maxphyaddr = 0;	/* as if 32: bit 32 and up are reserved */
	PF(&c, GVA64K, RD, EC_P | EC_RSVD, 3);
}

HV_TEST(l4_noncanonical)
{
	static const u64 bad[] = {
		0x0000800000000000ULL, 0xffff7fffffffffffULL,
		0x0001000000000000ULL, 0x8000000000000000ULL,
		0x7fffffffffffffffULL, 0xfffe800000000000ULL,
	};
	struct hv_walk_ctx c = mk(L4, 0, 0, 0);
	struct hv_walk_result r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		r = walk(&c, bad[i], RD);
		HV_ASSERT(r.fault && r.noncanonical, "0x%llx",
			  (unsigned long long)bad[i]);
		HV_ASSERT_EQ(r.error_code, 0);
		HV_ASSERT_EQ(r.level, 0);
		r = walk(&c, bad[i], US | FE);
		HV_ASSERT(r.fault && r.noncanonical, "fetch");
	}
	HV_ASSERT_EQ(nr_reads, 0);
	/* The canonical extremes walk (and fault not-present). */
	PF(&c, 0x00007fffffffffffULL, RD, 0, 4);
	PF(&c, 0xffff800000000000ULL, RD, 0, 4);
	PF(&c, 0, RD, 0, 4);
	PF(&c, ~0ULL, RD, 0, 4);
}

HV_TEST(l4_not_present_each_level)
{
	struct hv_walk_ctx c = mk(L4, 0, 0, EFER_NXE);
	u64 pte = map(&c, GVA64, 0x5000, 1, P | W | U);
	int level;

	for (level = 1; level <= 4; level++) {
		u64 e = level == 1 ? pte : entry(&c, GVA64, level);

		clr_bits(&c, e, P);
		set_bits(&c, e, XD | (1ULL << 51));	/* ignored when !P */
		PF(&c, GVA64, RD, 0, level);
		PF(&c, GVA64, WR, EC_W, level);
		PF(&c, GVA64, US | WR, EC_U | EC_W, level);
		PF(&c, GVA64, US | FE, EC_U | EC_ID, level);
		PF(&c, GVA64, FE, EC_ID, level);
	}
	/* Without NXE, XD set in a !P entry still does not count. */
	c.efer &= ~EFER_NXE;
	PF(&c, GVA64, FE, 0, 4);
}

HV_TEST(l4_reserved_above_maxphyaddr_each_level)
{
	struct hv_walk_ctx c = mk(L4, 0, 0, EFER_NXE);
	u64 pte = map(&c, GVA64, 0x5000, 1, P | W | U);
	int level, bit;

	for (level = 1; level <= 4; level++) {
		u64 e = level == 1 ? pte : entry(&c, GVA64, level);

		for (bit = 46; bit <= 51; bit++) {
			set_bits(&c, e, 1ULL << bit);
			PF(&c, GVA64, US, EC_P | EC_U | EC_RSVD, level);
			PF(&c, GVA64, FE, EC_P | EC_ID | EC_RSVD, level);
			clr_bits(&c, e, 1ULL << bit);
		}
		/* 62:52 are ignored in long mode (not reserved). */
		set_bits(&c, e, 0x7ffULL << 52);
		OK(&c, GVA64, US, 0x5abc, 1);
		clr_bits(&c, e, 0x7ffULL << 52);
	}
	/* MAXPHYADDR 47: bit 46 becomes an address bit. */
	c.maxphyaddr = 47;
	set_bits(&c, pte, 1ULL << 46);
	OK(&c, GVA64, RD, 0x400000005abcULL, 1);
}

HV_TEST(l4_xd_reserved_without_nxe_each_level)
{
	struct hv_walk_ctx c = mk(L4, 0, 0, 0);
	u64 pte = map(&c, GVA64, 0x5000, 1, P | W | U);
	int level;

	for (level = 1; level <= 4; level++) {
		u64 e = level == 1 ? pte : entry(&c, GVA64, level);

		set_bits(&c, e, XD);
		PF(&c, GVA64, RD, EC_P | EC_RSVD, level);
		PF(&c, GVA64, US | FE, EC_P | EC_U | EC_RSVD, level);
		clr_bits(&c, e, XD);
	}
	OK(&c, GVA64, US | FE, 0x5abc, 1);
}

HV_TEST(l4_ps_reserved_in_pml4e)
{
	struct hv_walk_ctx c = mk(L4, 0, 0, 0);
	u64 pml4e;

	map(&c, GVA64, 0x5000, 1, P | W | U);
	pml4e = entry(&c, GVA64, 4);
	set_bits(&c, pml4e, PS);
	PF(&c, GVA64, WR, EC_P | EC_W | EC_RSVD, 4);
	HV_ASSERT_EQ(nr_reads, 1);
}

HV_TEST(l4_large_page_low_bits_reserved)
{
	struct hv_walk_ctx c = mk(L4, 0, 0, 0);
	u64 pdpte = map(&c, GVA64K, 0x40000000, 3, P);
	u64 pde = map(&c, GVA64, 0x200000, 2, P);
	int bit;

	for (bit = 13; bit <= 29; bit++) {
		set_bits(&c, pdpte, 1ULL << bit);
		PF(&c, GVA64K, RD, EC_P | EC_RSVD, 3);
		clr_bits(&c, pdpte, 1ULL << bit);
	}
	for (bit = 13; bit <= 20; bit++) {
		set_bits(&c, pde, 1ULL << bit);
		PF(&c, GVA64, RD, EC_P | EC_RSVD, 2);
		clr_bits(&c, pde, 1ULL << bit);
	}
	OK(&c, GVA64K, RD, 0x40000000 | (GVA64K & 0x3fffffff), 3);
	OK(&c, GVA64, RD, 0x200000 | (GVA64 & 0x1fffff), 2);
	/* In an entry that points to a table those are address bits. */
	wr(pde, 8, 0xff000 | P);	/* the last page: zero, so PTE !P */
	PF(&c, GVA64, RD, 0, 1);
}

HV_TEST(l4_reserved_beats_deeper_not_present)
{
	struct hv_walk_ctx c = mk(L4, 0, 0, 0);
	u64 pte = map(&c, GVA64, 0x5000, 1, P | W | U);

	clr_bits(&c, pte, P);
	set_bits(&c, entry(&c, GVA64, 3), 1ULL << 50);
	PF(&c, GVA64, RD, EC_P | EC_RSVD, 3);
	HV_ASSERT_EQ(nr_reads, 2);
}

/* ---- access rights (4-level unless said otherwise) ---- */

HV_TEST(user_access_needs_u_at_every_level)
{
	struct hv_walk_ctx c = mk(L4, CR0_WP, 0, EFER_NXE);
	u64 pte = map(&c, GVA64, 0x5000, 1, P | W | U);
	int level;

	for (level = 1; level <= 4; level++) {
		u64 e = level == 1 ? pte : entry(&c, GVA64, level);

		clr_bits(&c, e, U);
		PF(&c, GVA64, US, EC_P | EC_U, 1);
		PF(&c, GVA64, US | WR, EC_P | EC_U | EC_W, 1);
		PF(&c, GVA64, US | FE, EC_P | EC_U | EC_ID, 1);
		OK(&c, GVA64, RD, 0x5abc, 1);
		OK(&c, GVA64, WR, 0x5abc, 1);
		OK(&c, GVA64, FE, 0x5abc, 1);
		set_bits(&c, e, U);
	}
	OK(&c, GVA64, US | WR, 0x5abc, 1);
}

HV_TEST(user_write_needs_w_at_every_level)
{
	struct hv_walk_ctx c = mk(L4, 0, 0, 0);
	u64 pte = map(&c, GVA64, 0x5000, 1, P | W | U);
	int level;

	for (level = 1; level <= 4; level++) {
		u64 e = level == 1 ? pte : entry(&c, GVA64, level);

		clr_bits(&c, e, W);
		/* CR0.WP does not matter for user-mode writes. */
		c.cr0 &= ~CR0_WP;
		PF(&c, GVA64, US | WR, EC_P | EC_U | EC_W, 1);
		c.cr0 |= CR0_WP;
		PF(&c, GVA64, US | WR, EC_P | EC_U | EC_W, 1);
		OK(&c, GVA64, US, 0x5abc, 1);
		OK(&c, GVA64, US | FE, 0x5abc, 1);
		set_bits(&c, e, W);
	}
}

HV_TEST(supervisor_write_and_cr0_wp)
{
	struct hv_walk_ctx c = mk(L4, 0, 0, 0);
	u64 pte = map(&c, GVA64, 0x5000, 1, P | W);
	int level;

	map(&c, GVA64K, 0x6000, 1, P | U);

	for (level = 1; level <= 4; level++) {
		u64 e = level == 1 ? pte : entry(&c, GVA64, level);

		clr_bits(&c, e, W);
		c.cr0 &= ~CR0_WP;
		OK(&c, GVA64, WR, 0x5abc, 1);
		c.cr0 |= CR0_WP;
		PF(&c, GVA64, WR, EC_P | EC_W, 1);
		OK(&c, GVA64, RD, 0x5abc, 1);
		set_bits(&c, e, W);
		OK(&c, GVA64, WR, 0x5abc, 1);
	}
	/* A read-only user page: WP=0 lets the supervisor write it too. */
	c.cr0 &= ~CR0_WP;
	OK(&c, GVA64K, WR, 0x6789, 1);
	c.cr0 |= CR0_WP;
	PF(&c, GVA64K, WR, EC_P | EC_W, 1);
}

HV_TEST(nx_at_any_level)
{
	struct hv_walk_ctx c = mk(L4, 0, 0, EFER_NXE);
	u64 pte = map(&c, GVA64, 0x5000, 1, P | W | U);
	int level;

	for (level = 1; level <= 4; level++) {
		u64 e = level == 1 ? pte : entry(&c, GVA64, level);

		set_bits(&c, e, XD);
		PF(&c, GVA64, FE, EC_P | EC_ID, 1);
		PF(&c, GVA64, US | FE, EC_P | EC_U | EC_ID, 1);
		OK(&c, GVA64, US | WR, 0x5abc, 1);
		OK(&c, GVA64, RD, 0x5abc, 1);
		clr_bits(&c, e, XD);
		OK(&c, GVA64, US | FE, 0x5abc, 1);
	}
}

HV_TEST(nx_on_large_pages)
{
	struct hv_walk_ctx c = mk(L4, 0, 0, EFER_NXE);

	map(&c, GVA64, 0x200000, 2, P | XD);
	map(&c, GVA64K, 0x40000000, 3, P | XD);
	PF(&c, GVA64, FE, EC_P | EC_ID, 2);
	PF(&c, GVA64K, FE, EC_P | EC_ID, 3);
	OK(&c, GVA64K, RD, 0x40000000 | (GVA64K & 0x3fffffff), 3);
}

HV_TEST(smep)
{
	struct hv_walk_ctx c = mk(L4, 0, CR4_SMEP, 0);
	u64 pte = map(&c, GVA64, 0x5000, 1, P | W | U);
	int level;

	map(&c, GVA64K, 0x6000, 1, P | W);
	/* Supervisor fetch from a user page: I/D set even without NXE. */
	PF(&c, GVA64, FE, EC_P | EC_ID, 1);
	OK(&c, GVA64, US | FE, 0x5abc, 1);
	OK(&c, GVA64, RD, 0x5abc, 1);	/* SMEP is about fetches only */
	OK(&c, GVA64, WR, 0x5abc, 1);
	OK(&c, GVA64K, FE, 0x6789, 1);
	/* U=0 at any one level makes it a supervisor page. */
	for (level = 1; level <= 4; level++) {
		u64 e = level == 1 ? pte : entry(&c, GVA64, level);

		clr_bits(&c, e, U);
		OK(&c, GVA64, FE, 0x5abc, 1);
		set_bits(&c, e, U);
	}
	c.cr4 &= ~CR4_SMEP;
	OK(&c, GVA64, FE, 0x5abc, 1);
}

HV_TEST(smap)
{
	struct hv_walk_ctx c = mk(L4, CR0_WP, CR4_SMAP, EFER_NXE);
	u64 pte = map(&c, GVA64, 0x5000, 1, P | W | U);

	map(&c, GVA64K, 0x6000, 1, P | W);
	PF(&c, GVA64, RD, EC_P, 1);
	PF(&c, GVA64, WR, EC_P | EC_W, 1);
	OK(&c, GVA64, FE, 0x5abc, 1);		/* fetches: SMEP's job */
	OK(&c, GVA64, US | WR, 0x5abc, 1);	/* user accesses unaffected */
	OK(&c, GVA64K, WR, 0x6789, 1);		/* supervisor pages too */
	c.ac = true;
	OK(&c, GVA64, RD, 0x5abc, 1);
	OK(&c, GVA64, WR, 0x5abc, 1);
	/* AC does not override R/W under CR0.WP. */
	clr_bits(&c, pte, W);
	PF(&c, GVA64, WR, EC_P | EC_W, 1);
	c.cr0 &= ~CR0_WP;
	OK(&c, GVA64, WR, 0x5abc, 1);
	c.ac = false;
	PF(&c, GVA64, WR, EC_P | EC_W, 1);
	c.cr4 &= ~CR4_SMAP;
	OK(&c, GVA64, WR, 0x5abc, 1);
}

HV_TEST(smep_smap_in_32bit_and_pae)
{
	enum mode m;

	for (m = M32; m <= PAE; m++) {
		struct hv_walk_ctx c = mk(m, 0, CR4_SMEP | CR4_SMAP, 0);

		map(&c, GVA32, 0x9000, 1, P | W | U);
		PF(&c, GVA32, FE, EC_P | EC_ID, 1);
		PF(&c, GVA32, RD, EC_P, 1);
		c.ac = true;
		OK(&c, GVA32, RD, 0x9123, 1);
		OK(&c, GVA32, US | FE, 0x9123, 1);
	}
}

HV_TEST(id_bit_rules)
{
	struct hv_walk_ctx c = mk(L4, 0, 0, 0);

	/* Long mode, NXE=0, no SMEP: no I/D even for fetches. */
	PF(&c, GVA64, FE, 0, 4);
	c.efer |= EFER_NXE;
	PF(&c, GVA64, FE, EC_ID, 4);
	PF(&c, GVA64, RD, 0, 4);
	PF(&c, GVA64, WR, EC_W, 4);
	c.efer &= ~EFER_NXE;
	c.cr4 |= CR4_SMEP;
	PF(&c, GVA64, US | FE, EC_U | EC_ID, 4);
}

/*
 * Every combination of leaf U/W/XD, access type, CR0.WP, CR4.SMEP/SMAP,
 * ac and EFER.NXE against the rules of SDM 4.6, spelled out case by case.
 */
HV_TEST(access_rights_matrix)
{
	static const unsigned int accs[] = {
		RD, WR, FE, US, US | WR, US | FE,
	};
	struct hv_walk_ctx c = mk(L4, 0, 0, 0);
	u64 pte = map(&c, GVA64, 0x5000, 1, P);
	unsigned int combo, i, n = 0;

	for (combo = 0; combo < 128; combo++) {
		bool u = combo & 1, w = combo & 2, xd = combo & 4;
		bool wp = combo & 8, smep = combo & 16, smap = combo & 32;
		bool nxe = combo & 64;

		wr(pte, 8, 0x5000 | P | (u ? U : 0) | (w ? W : 0) |
			   (xd && nxe ? XD : 0));
		c.cr0 = CR0_PG | 1 | (wp ? CR0_WP : 0);
		c.cr4 = CR4_PAE | (smep ? CR4_SMEP : 0) | (smap ? CR4_SMAP : 0);
		c.efer = EFER_LME | EFER_LMA | (nxe ? EFER_NXE : 0);
		for (c.ac = false; ; c.ac = true) {
			for (i = 0; i < ARRAY_SIZE(accs); i++) {
				unsigned int acc = accs[i];
				bool user = acc & US, fetch = acc & FE;
				bool write = acc & WR, ok;
				bool nx = xd && nxe;

				if (user && fetch)
					ok = u && !nx;
				else if (user && write)
					ok = u && w;
				else if (user)
					ok = u;
				else if (fetch)
					ok = !nx && !(u && smep);
				else if (write)
					ok = !(u && smap && !c.ac) &&
					     (w || !wp);
				else
					ok = !(u && smap && !c.ac);
				HV_ASSERT(faults(&c, GVA64, acc) == !ok,
					  "combo %u ac %d access %u", combo,
					  c.ac, acc);
				n++;
			}
			if (c.ac)
				break;
		}
	}
	HV_ASSERT_EQ(n, 128 * 2 * 6);
}

/* ---- 5-level paging ---- */

HV_TEST(l5_4k_2m_1g_pages)
{
	struct hv_walk_ctx c = mk(L5, 0, 0, EFER_NXE);

	map(&c, GVA57, 0x5000, 1, P | W | U);
	OK(&c, GVA57, US | WR, 0x5bcd, 1);
	HV_ASSERT_EQ(nr_reads, 5);
	map(&c, 0xff80000000200000ULL, 0x400000, 2, P | W);
	OK(&c, 0xff80000000212345ULL, WR, 0x412345, 2);
	map(&c, 0xff00000040000000ULL, 0x80000000ULL, 3, P);
	OK(&c, 0xff00000041234567ULL, FE, 0x81234567ULL, 3);
	HV_ASSERT_EQ(nr_reads, 5 + 4 + 3);
}

HV_TEST(l5_bits_56_48_select_the_pml5e)
{
	struct hv_walk_ctx c = mk(L5, 0, 0, 0);
	int bit;

	/* GVAs differing only in one of bits 56:48 translate separately. */
	map(&c, 0x1000, 0x10000, 1, P);
	for (bit = 48; bit <= 55; bit++)
		map(&c, (1ULL << bit) | 0x1000, 0x20000 + (bit << 12), 1, P);
	OK(&c, 0x1234, RD, 0x10234, 1);
	for (bit = 48; bit <= 55; bit++)
		OK(&c, (1ULL << bit) | 0x1234, RD,
		   0x20234 + (bit << 12), 1);
	/* Bit 56 set means the upper half: all of 63:56 set. */
	map(&c, 0xff00000000001000ULL, 0x30000, 1, P);
	OK(&c, 0xff00000000001234ULL, RD, 0x30234, 1);
	/* The same PML4/PDPT/PD/PT indices under 4-level: one page. */
	c.cr4 &= ~CR4_LA57;
	HV_ASSERT(walk(&c, (1ULL << 48) | 0x1234, RD).noncanonical, "4-level");
}

HV_TEST(l5_noncanonical)
{
	static const u64 bad[] = {
		0x0100000000000000ULL, 0xfeffffffffffffffULL,
		0x8000000000000000ULL, 0x0200000000000000ULL,
		0x7f00000000000000ULL,
	};
	struct hv_walk_ctx c = mk(L5, 0, 0, 0);
	struct hv_walk_result r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		r = walk(&c, bad[i], RD);
		HV_ASSERT(r.fault && r.noncanonical, "0x%llx",
			  (unsigned long long)bad[i]);
		HV_ASSERT_EQ(r.error_code, 0);
	}
	HV_ASSERT_EQ(nr_reads, 0);
	/* Canonical under 5-level, not under 4-level. */
	PF(&c, 0x00ffffffffffffffULL, RD, 0, 5);
	PF(&c, 0xff00000000000000ULL, RD, 0, 5);
	PF(&c, 0x0000800000000000ULL, RD, 0, 5);
}

HV_TEST(l5_pml5e_ps_and_reserved)
{
	struct hv_walk_ctx c = mk(L5, 0, 0, 0);
	u64 pml5e;

	map(&c, GVA57, 0x5000, 1, P | W | U);
	pml5e = entry(&c, GVA57, 5);
	set_bits(&c, pml5e, PS);
	PF(&c, GVA57, RD, EC_P | EC_RSVD, 5);
	clr_bits(&c, pml5e, PS);
	set_bits(&c, pml5e, 1ULL << 46);
	PF(&c, GVA57, RD, EC_P | EC_RSVD, 5);
	clr_bits(&c, pml5e, 1ULL << 46);
	set_bits(&c, pml5e, XD);		/* NXE=0 */
	PF(&c, GVA57, RD, EC_P | EC_RSVD, 5);
	clr_bits(&c, pml5e, XD);
	set_bits(&c, entry(&c, GVA57, 4), PS);
	PF(&c, GVA57, RD, EC_P | EC_RSVD, 4);
}

HV_TEST(l5_not_present_and_rights_at_pml5e)
{
	struct hv_walk_ctx c = mk(L5, CR0_WP, 0, EFER_NXE);
	u64 pml5e;

	map(&c, GVA57, 0x5000, 1, P | W | U);
	pml5e = entry(&c, GVA57, 5);
	clr_bits(&c, pml5e, U | W);
	set_bits(&c, pml5e, XD);
	PF(&c, GVA57, US, EC_P | EC_U, 1);
	PF(&c, GVA57, WR, EC_P | EC_W, 1);
	PF(&c, GVA57, FE, EC_P | EC_ID, 1);
	OK(&c, GVA57, RD, 0x5bcd, 1);
	clr_bits(&c, pml5e, P);
	PF(&c, GVA57, RD, 0, 5);
	HV_ASSERT_EQ(nr_reads, 4 * 5 + 1);
}

/* ---- unreadable paging structures ---- */

HV_TEST(efault_root_outside_memory)
{
	enum mode m;

	for (m = M32; m <= L5; m++) {
		struct hv_walk_ctx c = mk(m, 0, 0, 0);
		u64 gva = m >= L4 ? GVA64 : GVA32;
		struct hv_walk_result r;

		c.cr3 = m == M32 ? 0xfffff000ULL : 0x7fffffe0ULL;
		if (m >= L4)
			c.cr3 = 0x3ffffffff000ULL;
		HV_ASSERT_EQ(hv_guest_walk(&c, gva, RD, &r), -EFAULT);
		c.cr3 = MEM_SIZE;
		HV_ASSERT_EQ(hv_guest_walk(&c, 0, RD, &r), -EFAULT);
		/* The root's last entry is the last word of memory. */
		c.cr3 = m == PAE ? MEM_SIZE - 32 : MEM_SIZE - PAGE;
		PF(&c, ~0ULL, RD, 0, top_level(m));
	}
}

HV_TEST(efault_deeper_table_outside_memory)
{
	enum mode m;
	int level;

	for (m = M32; m <= L5; m++) {
		for (level = 1; level < top_level(m); level++) {
			struct hv_walk_ctx c = mk(m, 0, 0, 0);
			u64 gva = m >= L4 ? GVA64 : GVA32;
			struct hv_walk_result r;
			u64 e;

			map(&c, gva, 0x5000, 1, P | W | U);
			/* The entry above @level points outside memory. */
			e = entry(&c, gva, level + 1);
			wr(e, esize(m), (rd(e, esize(m)) & 0xfff) | 0x80000000);
			nr_reads = 0;
			HV_ASSERT_EQ(hv_guest_walk(&c, gva, RD, &r), -EFAULT);
			HV_ASSERT_EQ(nr_reads, top_level(m) - level + 1);
		}
	}
}

static int read_gpa_err;

static int read_gpa_fails(void *opaque, u64 gpa, void *buf, unsigned int len)
{
	(void)opaque;
	(void)gpa;
	(void)buf;
	(void)len;
	return read_gpa_err;
}

HV_TEST(read_errors_passed_through)
{
	struct hv_walk_ctx c = mk(L4, 0, 0, 0);
	struct hv_walk_result r;

	c.read_gpa = read_gpa_fails;
	read_gpa_err = -EIO;	/* a negative errno is passed on */
	HV_ASSERT_EQ(hv_guest_walk(&c, GVA64, US | FE, &r), -EIO);
	read_gpa_err = 1;	/* anything else nonzero is -EFAULT */
	HV_ASSERT_EQ(hv_guest_walk(&c, GVA64, RD, &r), -EFAULT);
	c = mk(M32, 0, 0, 0);
	c.read_gpa = read_gpa_fails;
	HV_ASSERT_EQ(hv_guest_walk(&c, GVA32, RD, &r), -EFAULT);
	read_gpa_err = -EIO;
	c = mk(NOPG, 0, 0, 0);
	c.read_gpa = read_gpa_fails;
	OK(&c, GVA32, RD, GVA32, 0);	/* no reads without paging */
}

/* ---- no side effects ---- */

HV_TEST(walk_never_writes_guest_memory)
{
	static unsigned char before[MEM_SIZE];
	enum mode m;

	for (m = M32; m <= L5; m++) {
		struct hv_walk_ctx c = mk(m, CR0_WP, 0, 0);
		u64 gva = m >= L4 ? GVA64 : GVA32;

		map(&c, gva, 0x5000, 1, P | W | U);
		memcpy(before, gmem, MEM_SIZE);
		walk(&c, gva, US | WR);
		walk(&c, gva, FE);
		walk(&c, gva + PAGE, WR);
		HV_ASSERT(!memcmp(before, gmem, MEM_SIZE), "mode %d", m);
		/* A and D stay clear in every entry of the walk. */
		HV_ASSERT_EQ(rd(entry(&c, gva, 1), esize(m)) & (A | D), 0);
	}
}
