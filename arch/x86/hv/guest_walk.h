/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest page-table walker: translates a guest-virtual (linear) address to a
 * guest-physical address the way the guest's MMU would, per Intel SDM Vol. 3
 * chapter 4 and AMD APM Vol. 2 chapter 5.  Used by the instruction emulator
 * (instruction fetch at the guest RIP, memory operands) and by shadow paging.
 *
 * Pure logic, shared with the userspace unit tests: guest memory is read
 * through a callback, so the walker knows nothing of memslots or pinning.
 *
 * What it models:
 *  - Paging modes: none (CR0.PG=0), 32-bit (4 KiB pages, 4 MiB pages with
 *    CR4.PSE, PSE-36 high address bits), PAE (4 KiB and 2 MiB pages),
 *    4-level and 5-level (4 KiB, 2 MiB and 1 GiB pages).
 *  - Not-present entries at any level, reserved bits (above MAXPHYADDR, PS in
 *    a PML5E/PML4E and in a PAE PDPTE, the low address bits of large pages,
 *    bit 63 when EFER.NXE=0, the PAE PDPTE's own reserved bits).
 *  - Access rights combined over all levels as the hardware does: a page is
 *    user only if U/S=1 at every level, writable only if R/W=1 at every
 *    level, and not executable if XD=1 at any level (EFER.NXE=1 only).
 *    CR0.WP, CR4.SMEP and CR4.SMAP (with ctx->ac) are honoured.
 *  - Canonical checks in 4-level and 5-level paging.
 *
 * What it does not model (callers must not rely on it):
 *  - Accessed and dirty bits are never set; the walk does not write guest
 *    memory at all.  Callers that must set them (shadow paging, emulated
 *    writes) will do so themselves.
 *  - PAE PDPTEs are read from memory at walk time rather than from the PDPTE
 *    registers loaded at MOV CR3; a reserved bit in one is reported as a #PF
 *    with RSVD, where the hardware would have raised #GP at MOV CR3.
 *  - Protection keys (CR4.PKE/PKS), shadow-stack accesses (CET), linear
 *    address masking (LAM), HLAT, SGX, and memory types (PAT, PCD, PWT, MTRRs).
 *  - CPUID-dependent variations: 1 GiB pages are always legal, PSE-36 is
 *    always supported, and AMD's must-be-zero bit 8 of non-leaf long-mode
 *    entries (ignored by Intel) is not checked.
 *  - Segmentation: @gva is a linear address.  Outside long mode it is
 *    truncated to 32 bits, as linear addresses are 32 bits there.
 */
#ifndef HV_GUEST_WALK_H
#define HV_GUEST_WALK_H

#include <hv/hv_types.h>

/* The guest control-register bits the walker consults. */
#define HV_WALK_CR0_WP		BIT_ULL(16)
#define HV_WALK_CR0_PG		BIT_ULL(31)
#define HV_WALK_CR4_PSE		BIT_ULL(4)
#define HV_WALK_CR4_PAE		BIT_ULL(5)
#define HV_WALK_CR4_LA57	BIT_ULL(12)
#define HV_WALK_CR4_SMEP	BIT_ULL(20)
#define HV_WALK_CR4_SMAP	BIT_ULL(21)
#define HV_WALK_EFER_LME	BIT_ULL(8)
#define HV_WALK_EFER_LMA	BIT_ULL(10)
#define HV_WALK_EFER_NXE	BIT_ULL(11)

/* Paging-structure entry bits (all modes; XD only in PAE and long mode). */
#define HV_GPTE_P		BIT_ULL(0)
#define HV_GPTE_W		BIT_ULL(1)
#define HV_GPTE_U		BIT_ULL(2)
#define HV_GPTE_A		BIT_ULL(5)
#define HV_GPTE_D		BIT_ULL(6)
#define HV_GPTE_PS		BIT_ULL(7)
#define HV_GPTE_XD		BIT_ULL(63)

/*
 * #PF error code bits produced by the walker: P (0 not present, 1 an
 * access-rights or reserved-bit violation), W/R (a write), U/S (a user-mode
 * access), RSVD (a reserved bit set) and I/D (an instruction fetch, see
 * hv_guest_walk()).
 */
#define HV_PFERR_P		BIT(0)
#define HV_PFERR_W		BIT(1)
#define HV_PFERR_U		BIT(2)
#define HV_PFERR_RSVD		BIT(3)
#define HV_PFERR_ID		BIT(4)

struct hv_walk_ctx {
	/* Guest control registers, as the guest sees them. */
	u64 cr0, cr3, cr4, efer;
	/*
	 * The guest's MAXPHYADDR (CPUID 0x80000008 EAX[7:0]); bits from it up
	 * to 51 are reserved in paging-structure entries.  Clamped to 32..52.
	 */
	unsigned int maxphyaddr;
	/*
	 * SMAP override: true if supervisor data accesses may touch user pages
	 * despite CR4.SMAP, i.e. RFLAGS.AC=1 and CPL<3.  Must be false at CPL 3
	 * (implicit supervisor accesses from user mode ignore AC).
	 */
	bool ac;
	/*
	 * Reads @len (8, or 4 with 32-bit paging) naturally aligned bytes of
	 * guest-physical memory at @gpa into @buf.  Returns 0, or -EFAULT
	 * when @gpa is not guest memory; another negative errno is passed on.
	 */
	int (*read_gpa)(void *opaque, u64 gpa, void *buf, unsigned int len);
	void *opaque;
};

/*
 * @access of hv_guest_walk(); 0 is a supervisor-mode data read.  WRITE: a
 * data write.  USER: a user-mode access (CPL 3, and not an implicit
 * supervisor access such as a descriptor-table read).  FETCH: an
 * instruction fetch, never together with WRITE.
 */
#define HV_WALK_WRITE		BIT(0)
#define HV_WALK_USER		BIT(1)
#define HV_WALK_FETCH		BIT(2)

struct hv_walk_result {
	u64 gpa;		/* the translation, when !fault */
	/*
	 * On success the level of the leaf: 0 no paging, 1 a 4 KiB page,
	 * 2 a 2 MiB or 4 MiB page, 3 a 1 GiB page.  On a not-present or RSVD
	 * fault the level of the offending entry (5 PML5E ... 1 PTE), on an
	 * access-rights fault the leaf's level, 0 on a non-canonical address.
	 */
	int level;
	/* The #PF error code (HV_PFERR_*) when fault && !noncanonical. */
	u32 error_code;
	bool fault;		/* no translation: inject an exception */
	/*
	 * Set with @fault when @gva is not canonical in 4/5-level paging: the
	 * caller injects #GP(0), or #SS(0) for a stack-segment access, and not
	 * #PF; error_code is 0 then.
	 */
	bool noncanonical;
};

enum hv_walk_mode {
	HV_WALK_MODE_NONE,	/* CR0.PG=0: linear == physical */
	HV_WALK_MODE_32BIT,	/* CR0.PG=1, CR4.PAE=0 */
	HV_WALK_MODE_PAE,	/* CR0.PG=1, CR4.PAE=1, not long mode */
	HV_WALK_MODE_4LEVEL,	/* long mode, CR4.LA57=0 */
	HV_WALK_MODE_5LEVEL,	/* long mode, CR4.LA57=1 */
};

/*
 * The paging mode implied by ctx->cr0, cr4 and efer.  Long mode is
 * EFER.LME or EFER.LMA with CR0.PG=1 and CR4.PAE=1 (the hardware keeps
 * LMA = LME && PG; either may be what the caller has at hand).
 */
enum hv_walk_mode hv_walk_mode(const struct hv_walk_ctx *ctx);

/*
 * Translates @gva for an access of type @access (HV_WALK_*).  Returns 0 with
 * res->gpa on success; 0 with res->fault set and res->error_code the #PF
 * error code to inject (P, W/R, U/S, RSVD and I/D; I/D is set for a fetch
 * only if CR4.SMEP=1, or EFER.NXE=1 with PAE or long-mode paging, as the
 * hardware does), or with res->noncanonical also set (see above); -EFAULT
 * (or the read_gpa error) when a paging structure could not be read;
 * -EINVAL for unknown @access bits or WRITE with FETCH.  *res is only
 * meaningful when 0 is returned.  Never writes guest memory: A/D bits are
 * not set.  Iterative, with a small constant stack.
 */
int hv_guest_walk(const struct hv_walk_ctx *ctx, u64 gva, unsigned int access,
		  struct hv_walk_result *res);

#endif /* HV_GUEST_WALK_H */
