/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A VM with one memslot at GPA 0 and one vCPU, for the guest selftests.
 * Guest code is assembled into the test binary between two labels (see
 * HV_GUEST_CODE) and copied into guest memory.
 */
#ifndef HV_GUEST_H
#define HV_GUEST_H

#include <sys/mman.h>

#include "hv_util.h"

struct hv_guest {
	int dev, vm, vcpu;
	struct kvm_run *run;
	uint8_t *mem;
	size_t mem_size;
};

/* Defines name##_start/name##_end around @asm_text in @mode (16 or 32). */
#define HV_GUEST_CODE(name, mode, asm_text)				\
	extern const uint8_t name##_start[], name##_end[];		\
	asm(".pushsection .rodata\n" #name "_start:\n"		\
	    ".code" #mode "\n" asm_text "\n.code64\n"			\
	    #name "_end:\n.popsection\n")

static inline int hv_guest_create_vcpu(struct hv_guest *g, int id)
{
	int vcpu = ioctl(g->vm, KVM_CREATE_VCPU, id);

	if (vcpu < 0 && errno == EOPNOTSUPP)
		HV_SKIP("this backend cannot run vCPUs yet (VT-x: the VMX vCPU issue)");
	if (vcpu < 0)
		HV_FAIL("KVM_CREATE_VCPU: %s", strerror(errno));
	return vcpu;
}

static inline struct kvm_run *hv_guest_map_run(struct hv_guest *g, int vcpu)
{
	long size = ioctl(g->dev, KVM_GET_VCPU_MMAP_SIZE, 0);
	struct kvm_run *run = mmap(NULL, size, PROT_READ | PROT_WRITE,
				   MAP_SHARED, vcpu, 0);

	HV_ASSERT(run != MAP_FAILED, "mmap vcpu: %s", strerror(errno));
	return run;
}

static inline void hv_guest_init(struct hv_guest *g, size_t mem_size)
{
	struct kvm_userspace_memory_region r = { .slot = 0 };

	memset(g, 0, sizeof(*g));
	g->dev = hv_open_dev();
	g->vm = hv_create_vm(g->dev);
	g->mem_size = mem_size;
	g->mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	HV_ASSERT(g->mem != MAP_FAILED, "mmap guest memory: %s", strerror(errno));
	r.memory_size = mem_size;
	r.userspace_addr = (uintptr_t)g->mem;
	HV_ASSERT_OK(ioctl(g->vm, KVM_SET_USER_MEMORY_REGION, &r));
	g->vcpu = hv_guest_create_vcpu(g, 0);
	g->run = hv_guest_map_run(g, g->vcpu);
}

/* Real mode, CS = 0, at @rip, with @code copied there. */
static inline void hv_guest_real_mode(struct hv_guest *g, int vcpu, uint64_t rip,
				      const uint8_t *start, const uint8_t *end)
{
	struct kvm_regs regs = { .rip = rip, .rflags = 0x202 };
	struct kvm_sregs s;

	memcpy(g->mem + rip, start, end - start);
	HV_ASSERT_OK(ioctl(vcpu, KVM_GET_SREGS, &s));
	s.cs.selector = 0;
	s.cs.base = 0;
	HV_ASSERT_OK(ioctl(vcpu, KVM_SET_SREGS, &s));
	regs.rsp = 0x8000;
	HV_ASSERT_OK(ioctl(vcpu, KVM_SET_REGS, &regs));
}

/* Flat 32-bit protected mode without paging, at @rip. */
static inline void hv_guest_prot32(struct hv_guest *g, int vcpu, uint64_t rip,
				   const uint8_t *start, const uint8_t *end)
{
	struct kvm_regs regs = { .rip = rip, .rflags = 0x202, .rsp = 0x8000 };
	struct kvm_segment code = {
		.base = 0, .limit = 0xffffffff, .selector = 0x8, .type = 0xb,
		.present = 1, .db = 1, .s = 1, .g = 1,
	};
	struct kvm_segment data = code;
	struct kvm_sregs s;

	memcpy(g->mem + rip, start, end - start);
	HV_ASSERT_OK(ioctl(vcpu, KVM_GET_SREGS, &s));
	data.selector = 0x10;
	data.type = 0x3;
	s.cs = code;
	s.ds = data;
	s.es = data;
	s.fs = data;
	s.gs = data;
	s.ss = data;
	s.cr0 |= 1;	/* PE */
	HV_ASSERT_OK(ioctl(vcpu, KVM_SET_SREGS, &s));
	HV_ASSERT_OK(ioctl(vcpu, KVM_SET_REGS, &regs));
}

#define HV_PT_BASE	0x70000		/* the guest page tables live here */

/*
 * 64-bit mode with @levels (4 or 5) of guest paging identity-mapping the
 * first GiB with 2 MiB pages, at @rip.  Guest memory must reach 0x80000.
 */
static inline void hv_guest_long64(struct hv_guest *g, int vcpu, int levels,
				   uint64_t rip, const uint8_t *start,
				   const uint8_t *end)
{
	struct kvm_regs regs = { .rip = rip, .rflags = 0x2, .rsp = 0x8000 };
	struct kvm_segment code = {
		.base = 0, .limit = 0xffffffff, .selector = 0x8, .type = 0xb,
		.present = 1, .l = 1, .s = 1, .g = 1,
	};
	struct kvm_segment data = code;
	uint64_t *pml5 = (uint64_t *)(g->mem + HV_PT_BASE);
	uint64_t *pml4 = (uint64_t *)(g->mem + HV_PT_BASE + 0x1000);
	uint64_t *pdpt = (uint64_t *)(g->mem + HV_PT_BASE + 0x2000);
	uint64_t *pd = (uint64_t *)(g->mem + HV_PT_BASE + 0x3000);
	struct kvm_sregs s;
	int i;

	memcpy(g->mem + rip, start, end - start);
	memset(g->mem + HV_PT_BASE, 0, 0x4000);
	for (i = 0; i < 512; i++)
		pd[i] = ((uint64_t)i << 21) | 0x83;	/* P, RW, PS */
	pdpt[0] = (HV_PT_BASE + 0x3000) | 0x3;
	pml4[0] = (HV_PT_BASE + 0x2000) | 0x3;
	pml5[0] = (HV_PT_BASE + 0x1000) | 0x3;

	HV_ASSERT_OK(ioctl(vcpu, KVM_GET_SREGS, &s));
	data.selector = 0x10;
	data.type = 0x3;
	data.l = 0;
	data.db = 1;
	s.cs = code;
	s.ds = data;
	s.es = data;
	s.fs = data;
	s.gs = data;
	s.ss = data;
	s.cr3 = HV_PT_BASE + (levels == 5 ? 0 : 0x1000);
	s.cr4 = 0x20 | (levels == 5 ? 0x1000 : 0);	/* PAE, LA57 */
	s.cr0 = 0x80010033;			/* PG, WP, NE, ET, MP, PE */
	s.efer = 0x500;				/* LME, LMA */
	HV_ASSERT_OK(ioctl(vcpu, KVM_SET_SREGS, &s));
	HV_ASSERT_OK(ioctl(vcpu, KVM_SET_REGS, &regs));
}

/* KVM_RUN that must succeed; returns the exit reason. */
static inline int hv_guest_run(struct hv_guest *g)
{
	if (ioctl(g->vcpu, KVM_RUN, 0))
		HV_FAIL("KVM_RUN: %s (exit_reason %u)", strerror(errno),
			g->run->exit_reason);
	return g->run->exit_reason;
}

static inline const char *hv_exit_name(int reason)
{
	static const char *const names[] = {
		[KVM_EXIT_UNKNOWN] = "UNKNOWN", [KVM_EXIT_IO] = "IO",
		[KVM_EXIT_HLT] = "HLT", [KVM_EXIT_MMIO] = "MMIO",
		[KVM_EXIT_SHUTDOWN] = "SHUTDOWN", [KVM_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
		[KVM_EXIT_INTR] = "INTR", [KVM_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
	};

	return reason >= 0 && reason < (int)(sizeof(names) / sizeof(names[0])) &&
	       names[reason] ? names[reason] : "?";
}

#define HV_ASSERT_EXIT(g, want) do {					\
	struct hv_guest *__eg = (g);					\
	int __r = hv_guest_run(__eg), __w = (want);			\
	if (__r != __w)							\
		HV_FAIL("exit %s (%d), expected %s; internal.suberror %u data %llx %llx", \
			hv_exit_name(__r), __r, hv_exit_name(__w),	\
			__eg->run->internal.suberror,			\
			(unsigned long long)__eg->run->internal.data[0], \
			(unsigned long long)__eg->run->internal.data[1]); \
} while (0)

static inline uint64_t hv_io_data(struct hv_guest *g)
{
	uint64_t v = 0;

	memcpy(&v, (uint8_t *)g->run + g->run->io.data_offset, g->run->io.size);
	return v;
}

#define HV_ASSERT_OUT(g, p, sz, val) do {				\
	struct hv_guest *__og = (g);					\
	HV_ASSERT_EXIT(__og, KVM_EXIT_IO);				\
	HV_ASSERT_EQ(__og->run->io.direction, KVM_EXIT_IO_OUT);		\
	HV_ASSERT_EQ(__og->run->io.port, p);				\
	HV_ASSERT_EQ(__og->run->io.size, sz);				\
	HV_ASSERT_EQ(__og->run->io.count, 1);				\
	HV_ASSERT_EQ(hv_io_data(__og), val);				\
} while (0)

#endif /* HV_GUEST_H */
