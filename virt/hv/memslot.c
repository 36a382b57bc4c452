// SPDX-License-Identifier: GPL-2.0-only
/*
 * Memslots (KVM_SET_USER_MEMORY_REGION) and the MMU notifier that keeps the
 * guest's translations in step with the host's page tables: nothing of guest
 * RAM is pinned; a host page that moves or goes away is unmapped first.
 */
#include <linux/kvm.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/sched/mm.h>
#include <linux/uaccess.h>

#include "hv.h"

#define HV_MEM_VALID_FLAGS	KVM_MEM_READONLY

const struct hv_memslot *hv_gfn_to_memslot(struct hv_vm *vm, u64 gfn)
{
	int i;

	for (i = 0; i < HV_MAX_MEMSLOTS; i++) {
		const struct hv_memslot *s = &vm->slots[i];

		if (s->npages && gfn >= s->base_gfn && gfn - s->base_gfn < s->npages)
			return s;
	}
	return NULL;
}

/*
 * Copies guest-physical memory from or to @buf, within one page, through
 * the memslots (slots_sem held).  Returns 0, or -EFAULT for an address no
 * memslot backs (or, when writing, a read-only one).
 */
int hv_guest_memory_rw(struct hv_vm *vm, u64 gpa, void *buf, unsigned int len,
		       bool write)
{
	const struct hv_memslot *slot = hv_gfn_to_memslot(vm, gpa >> PAGE_SHIFT);
	void __user *hva;

	if (!slot || offset_in_page(gpa) + len > PAGE_SIZE ||
	    (write && (slot->flags & KVM_MEM_READONLY)))
		return -EFAULT;
	hva = (void __user *)(slot->userspace_addr +
			      (((gpa >> PAGE_SHIFT) - slot->base_gfn) << PAGE_SHIFT) +
			      offset_in_page(gpa));
	if (write)
		return copy_to_user(hva, buf, len) ? -EFAULT : 0;
	return copy_from_user(buf, hva, len) ? -EFAULT : 0;
}

static bool hv_memslot_overlaps(struct hv_vm *vm, int except, u64 gfn, u64 npages)
{
	int i;

	for (i = 0; i < HV_MAX_MEMSLOTS; i++) {
		const struct hv_memslot *s = &vm->slots[i];

		if (i == except || !s->npages)
			continue;
		if (gfn < s->base_gfn + s->npages && s->base_gfn < gfn + npages)
			return true;
	}
	return false;
}

void hv_defer_free_table(struct hv_vm *vm, void *table)
{
	lockdep_assert_held(&vm->mmu_lock);
	list_add(&virt_to_page(table)->lru, &vm->freed_tables);
}

/*
 * Every vCPU drops its cached translations before it next enters; then the
 * tables unlinked before this call can no longer be walked and are freed.
 */
void hv_flush_remote_tlbs(struct hv_vm *vm)
{
	struct page *page, *tmp;
	LIST_HEAD(freed);
	int i;

	spin_lock(&vm->mmu_lock);
	list_splice_init(&vm->freed_tables, &freed);
	spin_unlock(&vm->mmu_lock);

	for (i = 0; i < HV_MAX_VCPUS; i++) {
		struct hv_vcpu *vcpu = READ_ONCE(vm->vcpus[i]);

		if (!vcpu)
			continue;
		hv_make_request(vcpu, HV_REQ_TLB_FLUSH);
		hv_vcpu_kick(vcpu);
	}
	list_for_each_entry_safe(page, tmp, &freed, lru) {
		list_del(&page->lru);
		__free_page(page);
	}
}

/*
 * Same checks and errnos as KVM's __kvm_set_memory_region(): create, delete
 * (size 0), move (new guest address) and flag changes; a slot's size, host
 * address and read-only flag cannot change.
 */
int hv_set_user_memory_region(struct hv_vm *vm,
			      const struct kvm_userspace_memory_region *mem)
{
	u32 as_id = mem->slot >> 16, id = (u16)mem->slot;
	u64 npages = mem->memory_size >> PAGE_SHIFT;
	struct hv_memslot *slot, new;
	bool zap = false;
	int r = 0;

	if (mem->flags & ~HV_MEM_VALID_FLAGS)
		return -EINVAL;
	if (as_id || id >= HV_MAX_MEMSLOTS)
		return -EINVAL;
	if ((mem->memory_size & (PAGE_SIZE - 1)) ||
	    (mem->guest_phys_addr & (PAGE_SIZE - 1)) ||
	    (mem->userspace_addr & (PAGE_SIZE - 1)) ||
	    (mem->memory_size &&
	     !access_ok((void __user *)(unsigned long)mem->userspace_addr,
			mem->memory_size)) ||
	    mem->guest_phys_addr + mem->memory_size < mem->guest_phys_addr ||
	    npages > HV_MEM_MAX_NR_PAGES)
		return -EINVAL;

	mutex_lock(&vm->lock);
	slot = &vm->slots[id];
	new = (struct hv_memslot) {
		.base_gfn = mem->guest_phys_addr >> PAGE_SHIFT,
		.npages = npages,
		.userspace_addr = mem->userspace_addr,
		.flags = mem->flags,
	};

	if (!npages) {
		if (!slot->npages)
			r = -EINVAL;
		zap = true;
	} else if (!slot->npages) {
		if (hv_memslot_overlaps(vm, id, new.base_gfn, npages))
			r = -EEXIST;
	} else {
		if (new.userspace_addr != slot->userspace_addr ||
		    npages != slot->npages ||
		    ((new.flags ^ slot->flags) & KVM_MEM_READONLY))
			r = -EINVAL;
		else if (new.base_gfn != slot->base_gfn) {
			if (hv_memslot_overlaps(vm, id, new.base_gfn, npages))
				r = -EEXIST;
			zap = true;
		}
	}
	if (r)
		goto out;

	down_write(&vm->slots_sem);
	spin_lock(&vm->mmu_lock);
	if (zap)
		hv_arch_zap_gfn_range(vm, slot->base_gfn, slot->npages);
	*slot = new;
	vm->mmu_invalidate_seq++;
	spin_unlock(&vm->mmu_lock);
	up_write(&vm->slots_sem);
	if (zap)
		hv_flush_remote_tlbs(vm);
out:
	mutex_unlock(&vm->lock);
	return r;
}

static inline struct hv_vm *mn_to_vm(struct mmu_notifier *mn)
{
	return container_of(mn, struct hv_vm, mmu_notifier);
}

/* Zaps every guest translation backed by host addresses [start, end). */
static bool hv_zap_hva_range(struct hv_vm *vm, unsigned long start,
			     unsigned long end)
{
	bool flush = false;
	int i;

	for (i = 0; i < HV_MAX_MEMSLOTS; i++) {
		const struct hv_memslot *s = &vm->slots[i];
		unsigned long s_start = s->userspace_addr;
		unsigned long s_end = s_start + (s->npages << PAGE_SHIFT);
		unsigned long lo, hi;

		if (!s->npages || end <= s_start || start >= s_end)
			continue;
		lo = max(start, s_start);
		hi = min(end, s_end);
		flush |= hv_arch_zap_gfn_range(vm,
					       s->base_gfn + ((lo - s_start) >> PAGE_SHIFT),
					       (PAGE_ALIGN(hi) - (lo & PAGE_MASK)) >> PAGE_SHIFT);
	}
	return flush;
}

static int hv_mmu_invalidate_range_start(struct mmu_notifier *mn,
					 const struct mmu_notifier_range *range)
{
	struct hv_vm *vm = mn_to_vm(mn);
	bool flush;

	spin_lock(&vm->mmu_lock);
	vm->mmu_invalidate_in_progress++;
	vm->mmu_invalidate_seq++;
	flush = hv_zap_hva_range(vm, range->start, range->end);
	spin_unlock(&vm->mmu_lock);
	if (flush)
		hv_flush_remote_tlbs(vm);
	return 0;
}

static void hv_mmu_invalidate_range_end(struct mmu_notifier *mn,
					const struct mmu_notifier_range *range)
{
	struct hv_vm *vm = mn_to_vm(mn);

	spin_lock(&vm->mmu_lock);
	vm->mmu_invalidate_seq++;
	vm->mmu_invalidate_in_progress--;
	spin_unlock(&vm->mmu_lock);
}

/* The mm is going away (the process exited with the VM fd still open). */
static void hv_mmu_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct hv_vm *vm = mn_to_vm(mn);
	bool flush;

	spin_lock(&vm->mmu_lock);
	vm->mmu_invalidate_seq++;
	flush = hv_zap_hva_range(vm, 0, ULONG_MAX);
	spin_unlock(&vm->mmu_lock);
	if (flush)
		hv_flush_remote_tlbs(vm);
}

static const struct mmu_notifier_ops hv_mmu_notifier_ops = {
	.invalidate_range_start = hv_mmu_invalidate_range_start,
	.invalidate_range_end = hv_mmu_invalidate_range_end,
	.release = hv_mmu_release,
};

int hv_mmu_notifier_register(struct hv_vm *vm)
{
	vm->mmu_notifier.ops = &hv_mmu_notifier_ops;
	return mmu_notifier_register(&vm->mmu_notifier, vm->mm);
}

void hv_mmu_notifier_unregister(struct hv_vm *vm)
{
	mmu_notifier_unregister(&vm->mmu_notifier, vm->mm);
}
