/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Generic core of hv: /dev/hv, VMs, vCPUs, memslots and the run loop.  The
 * architecture provides the hv_arch_* functions declared at the end.
 */
#ifndef HV_GENERIC_H
#define HV_GENERIC_H

#include <linux/device.h>
#include <linux/fs.h>
#include <linux/kvm.h>
#include <linux/mm_types.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/rwsem.h>
#include <linux/signal.h>
#include <linux/spinlock.h>
#include <linux/types.h>

/* Newer kernels (6.10+) rename the field for kernel code with this macro. */
#ifdef HINT_UNSAFE_IN_KVM
#define hv_run_immediate_exit(run)	READ_ONCE((run)->immediate_exit__unsafe)
#else
#define hv_run_immediate_exit(run)	READ_ONCE((run)->immediate_exit)
#endif

#define HV_MAX_VCPUS		64
#define HV_MAX_MEMSLOTS		256
/* Largest slot, as KVM: the page count must fit in 31 bits. */
#define HV_MEM_MAX_NR_PAGES	((1UL << 31) - 1)

struct hv_memslot {
	u64 base_gfn;
	u64 npages;		/* 0: slot unused */
	unsigned long userspace_addr;
	u32 flags;		/* KVM_MEM_* */
};

struct hv_vm {
	struct mm_struct *mm;	/* the creator's; other mms get -EIO */
	refcount_t users;	/* the VM fd and every vCPU fd */
	struct mutex lock;	/* vCPU creation, memslot changes */
	/*
	 * Memslots are stable for holders of slots_sem (read: a vCPU handling
	 * an exit, which may sleep) or of mmu_lock (the MMU notifier, which
	 * may not); writers hold both.
	 */
	struct rw_semaphore slots_sem;
	spinlock_t mmu_lock;	/* also guards the arch's TDP tables */
	struct hv_memslot slots[HV_MAX_MEMSLOTS];

	/*
	 * MMU notifier state: a fault that raced with an invalidation of its
	 * host address must not install a translation (mmu_lock).
	 */
	struct mmu_notifier mmu_notifier;
	unsigned long mmu_invalidate_seq;
	long mmu_invalidate_in_progress;
	/*
	 * Page-table pages unlinked under mmu_lock: the CPU may still walk
	 * them until every vCPU flushed, so they are freed only after the next
	 * hv_flush_remote_tlbs() that started after they were queued.
	 */
	struct list_head freed_tables;

	struct hv_vcpu *vcpus[HV_MAX_VCPUS];
	atomic_t nr_vcpus;
	void *arch;
};

enum hv_vcpu_mode {
	HV_OUTSIDE_GUEST_MODE,
	HV_IN_GUEST_MODE,
};

/* Requests a vCPU serves before its next entry. */
#define HV_REQ_TLB_FLUSH	0

struct hv_vcpu {
	struct hv_vm *vm;
	u32 id;
	struct mutex mutex;	/* serializes the vCPU's ioctls */
	struct kvm_run *run;	/* page 0 of the vCPU mmap */
	void *pio_data;		/* page 1 (KVM_PIO_PAGE_OFFSET) */
	int mode;		/* enum hv_vcpu_mode, read by other CPUs */
	int cpu;		/* host CPU while in guest mode */
	unsigned long requests;
	bool sigset_active;
	sigset_t sigset;
	void *arch;
};

/* virt/hv/vm.c */
int hv_vm_create(unsigned long type);
void hv_vm_get(struct hv_vm *vm);
void hv_vm_put(struct hv_vm *vm);
extern atomic_t hv_nr_vms;

/* virt/hv/hv_main.c */
long hv_check_extension(struct hv_vm *vm, long ext);

/* virt/hv/memslot.c */
int hv_set_user_memory_region(struct hv_vm *vm,
			      const struct kvm_userspace_memory_region *mem);
const struct hv_memslot *hv_gfn_to_memslot(struct hv_vm *vm, u64 gfn);
int hv_guest_memory_rw(struct hv_vm *vm, u64 gpa, void *buf, unsigned int len,
		       bool write);
int hv_mmu_notifier_register(struct hv_vm *vm);
void hv_mmu_notifier_unregister(struct hv_vm *vm);
void hv_flush_remote_tlbs(struct hv_vm *vm);
/* Queues a page-table page for freeing after a flush; mmu_lock held. */
void hv_defer_free_table(struct hv_vm *vm, void *table);

/* virt/hv/vcpu.c */
int hv_vcpu_create(struct hv_vm *vm, unsigned long id);
void hv_vcpu_destroy(struct hv_vcpu *vcpu);
void hv_vcpu_kick(struct hv_vcpu *vcpu);

static inline void hv_make_request(struct hv_vcpu *vcpu, int req)
{
	set_bit(req, &vcpu->requests);
}

static inline bool hv_check_request(struct hv_vcpu *vcpu, int req)
{
	return test_and_clear_bit(req, &vcpu->requests);
}

/* Provided by the architecture (arch/x86/hv/). */
int hv_arch_init(void);
void hv_arch_exit(void);
/* Enables the hardware on all online CPUs while at least one user holds it. */
int hv_arch_hw_get(void);
void hv_arch_hw_put(void);
unsigned int hv_arch_hw_enabled_cpus(void);
/* Value of an architecture-specific capability, 0 when unknown. */
long hv_arch_check_extension(struct hv_vm *vm, long ext);
long hv_arch_dev_ioctl(unsigned int ioctl, unsigned long arg);
long hv_arch_vm_ioctl(struct hv_vm *vm, unsigned int ioctl, unsigned long arg);
int hv_arch_vm_init(struct hv_vm *vm);
void hv_arch_vm_destroy(struct hv_vm *vm);
/* Drops every translation of [gfn, gfn + npages); mmu_lock held. */
bool hv_arch_zap_gfn_range(struct hv_vm *vm, u64 gfn, u64 npages);
int hv_arch_vcpu_create(struct hv_vcpu *vcpu);
void hv_arch_vcpu_destroy(struct hv_vcpu *vcpu);
long hv_arch_vcpu_ioctl(struct hv_vcpu *vcpu, unsigned int ioctl, unsigned long arg);
/* Around each KVM_RUN: the guest's FPU state is loaded in between. */
void hv_arch_vcpu_run_begin(struct hv_vcpu *vcpu);
void hv_arch_vcpu_run_end(struct hv_vcpu *vcpu);
/*
 * Finishes what the last exit to userspace left pending (an I/O or MMIO
 * read gets its data).  Returns 1 to go on, else what KVM_RUN returns.
 */
int hv_arch_vcpu_complete_userspace_exit(struct hv_vcpu *vcpu);
/* One entry into the guest and the handling of its exit; same returns. */
int hv_arch_vcpu_enter_exit(struct hv_vcpu *vcpu);
extern const struct attribute_group hv_arch_attr_group;

#endif /* HV_GENERIC_H */
