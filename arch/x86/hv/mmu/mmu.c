// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel glue of the TDP MMU: table pages, locking, and nested page faults.
 * Guest RAM is not pinned: a fault maps the memslot's host page as it is
 * now, and the MMU notifier (virt/hv/memslot.c) zaps it before it changes.
 */
#include <linux/kvm.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/pgtable.h>

#include "../x86.h"

static void *hv_mmu_alloc_table(void *ctx, u64 *pa)
{
	struct hv_x86_vm *xvm = ctx;
	void *table;

	if (xvm->cache) {
		if (!xvm->cache->nr)
			return NULL;
		table = xvm->cache->pages[--xvm->cache->nr];
	} else {
		/* Only at VM setup, with no lock held. */
		table = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	}
	if (table)
		*pa = __pa(table);
	return table;
}

static void hv_mmu_free_table(void *ctx, void *table, u64 pa)
{
	struct hv_x86_vm *xvm = ctx;

	if (xvm->destroying)
		free_page((unsigned long)table);
	else
		hv_defer_free_table(xvm->vm, table);
}

static void *hv_mmu_pa_to_va(void *ctx, u64 pa)
{
	return __va(pa);
}

static const struct hv_tdp_ops hv_mmu_tdp_ops = {
	.alloc_table = hv_mmu_alloc_table,
	.free_table = hv_mmu_free_table,
	.pa_to_va = hv_mmu_pa_to_va,
};

int hv_mmu_vm_init(struct hv_vm *vm)
{
	struct hv_x86_vm *xvm = to_x86_vm(vm);

	return hv_tdp_init(&xvm->tdp, hv_ops->tdp_format, hv_ops->tdp_levels(),
			   &hv_mmu_tdp_ops, xvm);
}

void hv_mmu_vm_destroy(struct hv_vm *vm)
{
	struct hv_x86_vm *xvm = to_x86_vm(vm);
	struct page *page, *tmp;

	xvm->destroying = true;
	if (xvm->tdp.root)
		hv_tdp_destroy(&xvm->tdp);
	list_for_each_entry_safe(page, tmp, &vm->freed_tables, lru) {
		list_del(&page->lru);
		__free_page(page);
	}
}

void hv_mmu_vcpu_free_cache(struct hv_x86_vcpu *v)
{
	while (v->table_cache.nr)
		free_page((unsigned long)v->table_cache.pages[--v->table_cache.nr]);
}

bool hv_arch_zap_gfn_range(struct hv_vm *vm, u64 gfn, u64 npages)
{
	struct hv_x86_vm *xvm = to_x86_vm(vm);
	u64 gpa = gfn << PAGE_SHIFT, size = npages << PAGE_SHIFT;
	bool flush = false;

	lockdep_assert_held(&vm->mmu_lock);
	if (!xvm->tdp.root || gpa > xvm->tdp.max_gpa)
		return false;
	size = min(size, xvm->tdp.max_gpa - gpa + 1);
	if (hv_tdp_unmap(&xvm->tdp, gpa, size, &flush))
		return false;
	return flush;
}

static int hv_mmu_topup_cache(struct hv_x86_vcpu *v)
{
	struct hv_table_cache *c = &v->table_cache;

	while (c->nr < ARRAY_SIZE(c->pages)) {
		void *page = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);

		if (!page)
			return -ENOMEM;
		c->pages[c->nr++] = page;
	}
	return 0;
}

int hv_mmu_page_fault(struct hv_x86_vcpu *v)
{
	struct hv_vm *vm = v->vcpu->vm;
	struct hv_x86_vm *xvm = to_x86_vm(vm);
	u64 gpa = v->exit.npf.gpa, gfn = gpa >> PAGE_SHIFT;
	const struct hv_memslot *slot;
	unsigned int perms = HV_PTE_R | HV_PTE_X;
	unsigned long hva, seq;
	struct page *page;
	bool writable;
	int r;

	r = hv_mmu_topup_cache(v);
	if (r)
		return r;

	down_read(&vm->slots_sem);
	slot = hv_gfn_to_memslot(vm, gfn);
	if (!slot || gpa > xvm->tdp.max_gpa ||
	    (v->exit.npf.write && (slot->flags & KVM_MEM_READONLY))) {
		up_read(&vm->slots_sem);
		return hv_emulate_mmio(v);
	}
	writable = !(slot->flags & KVM_MEM_READONLY);
	hva = slot->userspace_addr + ((gfn - slot->base_gfn) << PAGE_SHIFT);

	seq = READ_ONCE(vm->mmu_invalidate_seq);
	/* Read the sequence before the host page tables (pairs with mmu_lock). */
	smp_rmb();
	r = get_user_pages_fast(hva, 1, writable ? FOLL_WRITE : 0, &page);
	if (r != 1) {
		up_read(&vm->slots_sem);
		/* No host page behind the slot: KVM_RUN fails, as on KVM. */
		return r < 0 ? r : -EFAULT;
	}

	spin_lock(&vm->mmu_lock);
	if (vm->mmu_invalidate_in_progress || vm->mmu_invalidate_seq != seq) {
		/* The host page changed under us: let the guest fault again. */
		r = 1;
		goto out_unlock;
	}
	if (writable)
		perms |= HV_PTE_W;
	xvm->cache = &v->table_cache;
	r = hv_tdp_map(&xvm->tdp, gpa & PAGE_MASK, page_to_phys(page), perms, 1);
	xvm->cache = NULL;
	r = r ? r : 1;
out_unlock:
	spin_unlock(&vm->mmu_lock);
	put_page(page);
	up_read(&vm->slots_sem);
	return r;
}
