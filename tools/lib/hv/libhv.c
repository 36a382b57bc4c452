// SPDX-License-Identifier: GPL-2.0-only
/*
 * libhv: a small C library for custom VMMs over the KVM ioctl ABI.
 * The interface and its conventions are described in libhv.h and libhv(3).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libhv.h"

#define HV_PAGE_SIZE		0x1000ULL
#define HV_CPUID_MAX_NENT	65536

#define BIT_ULL(nr)		(1ULL << (nr))

/* Control register and EFER bits the mode helpers use. */
#define CR0_PE		BIT_ULL(0)
#define CR0_MP		BIT_ULL(1)
#define CR0_ET		BIT_ULL(4)
#define CR0_NE		BIT_ULL(5)
#define CR0_WP		BIT_ULL(16)
#define CR0_PG		BIT_ULL(31)
#define CR4_PAE		BIT_ULL(5)
#define CR4_OSFXSR	BIT_ULL(9)
#define CR4_OSXMMEXCPT	BIT_ULL(10)
#define CR4_LA57	BIT_ULL(12)
#define EFER_LME	BIT_ULL(8)
#define EFER_LMA	BIT_ULL(10)

/* Page-table entry bits. */
#define PTE_P		BIT_ULL(0)
#define PTE_RW		BIT_ULL(1)
#define PTE_A		BIT_ULL(5)
#define PTE_D		BIT_ULL(6)
#define PTE_PS		BIT_ULL(7)

/* Offsets in the system area (see libhv.h). */
#define SYS_GDT		0x0000
#define SYS_PML5	0x1000
#define SYS_PML4	0x2000
#define SYS_PDPT	0x3000
#define SYS_PD		0x4000
#define SYS_NR_PD	(HV_IDENTITY_MAP_SIZE >> 30)

/* Segment descriptor types (S = 1). */
#define SEG_TYPE_DATA	0x3	/* read/write, accessed */
#define SEG_TYPE_CODE	0xb	/* execute/read, accessed */

/* 16550 register offsets from HV_SERIAL_PORT. */
#define UART_RBR_THR	0
#define UART_IER	1
#define UART_IIR_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7
#define UART_LCR_DLAB	0x80
#define UART_MCR_LOOP	0x10
#define UART_LSR_THRE	0x20
#define UART_LSR_TEMT	0x40
#define UART_IIR_NONE	0x01
#define UART_MSR_DEFAULT 0xb0	/* DCD, DSR, CTS */

const char *hv_strerror(int err)
{
	return strerror(err < 0 ? -err : err);
}

int hv_dev_open(const char *path)
{
	int fd, ver;

	fd = open(path ? path : HV_DEFAULT_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ver = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (ver != HV_KVM_API_VERSION) {
		int err = ver < 0 ? -errno : -EPROTONOSUPPORT;

		close(fd);
		return err;
	}
	return fd;
}

int hv_check_extension(struct hv_vm *vm, long cap)
{
	int r = ioctl(vm->dev_fd, KVM_CHECK_EXTENSION, cap);

	return r < 0 ? -errno : r;
}

int hv_vm_create(struct hv_vm *vm, const char *path)
{
	int r;

	memset(vm, 0, sizeof(*vm));
	vm->vm_fd = -1;
	vm->dev_fd = hv_dev_open(path);
	if (vm->dev_fd < 0) {
		r = vm->dev_fd;
		vm->dev_fd = -1;
		return r;
	}

	do {
		vm->vm_fd = ioctl(vm->dev_fd, KVM_CREATE_VM, 0);
	} while (vm->vm_fd < 0 && errno == EINTR);
	if (vm->vm_fd < 0) {
		r = -errno;
		goto fail;
	}

	r = ioctl(vm->dev_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (r < 0) {
		r = -errno;
		goto fail;
	}
	if ((size_t)r < sizeof(struct kvm_run)) {
		r = -EPROTO;
		goto fail;
	}
	vm->run_size = r;
	return 0;

fail:
	hv_vm_destroy(vm);
	return r;
}

void hv_vm_destroy(struct hv_vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->nr_slots; i++)
		munmap(vm->slots[i].hva, vm->slots[i].size);
	vm->nr_slots = 0;
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->dev_fd >= 0)
		close(vm->dev_fd);
	vm->vm_fd = -1;
	vm->dev_fd = -1;
	free(vm->supported_cpuid);
	vm->supported_cpuid = NULL;
}

int hv_mem_add(struct hv_vm *vm, uint64_t gpa, uint64_t size, uint32_t flags,
	       void **hva)
{
	struct kvm_userspace_memory_region region;
	struct hv_mem_slot *s;
	unsigned int i;
	void *mem;
	int r;

	if (!size || (gpa | size) & (HV_PAGE_SIZE - 1) || gpa + size < gpa ||
	    flags & ~HV_MEM_READONLY)
		return -EINVAL;
	if (vm->nr_slots >= HV_MAX_SLOTS)
		return -ENOSPC;
	for (i = 0; i < vm->nr_slots; i++) {
		s = &vm->slots[i];
		if (gpa < s->gpa + s->size && s->gpa < gpa + size)
			return -EEXIST;
	}
	if (flags & HV_MEM_READONLY) {
		r = hv_check_extension(vm, KVM_CAP_READONLY_MEM);
		if (r <= 0)
			return -EOPNOTSUPP;
	}

	mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		return -errno;

	memset(&region, 0, sizeof(region));
	region.slot = vm->nr_slots;
	region.flags = flags;
	region.guest_phys_addr = gpa;
	region.memory_size = size;
	region.userspace_addr = (uintptr_t)mem;
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		r = -errno;
		munmap(mem, size);
		return r;
	}

	s = &vm->slots[vm->nr_slots++];
	s->slot = region.slot;
	s->flags = flags;
	s->gpa = gpa;
	s->size = size;
	s->hva = mem;
	if (hva)
		*hva = mem;
	return 0;
}

void *hv_gpa_to_hva(struct hv_vm *vm, uint64_t gpa, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < vm->nr_slots; i++) {
		struct hv_mem_slot *s = &vm->slots[i];
		uint64_t off = gpa - s->gpa;

		if (gpa >= s->gpa && off < s->size && len <= s->size - off)
			return (char *)s->hva + off;
	}
	return NULL;
}

int hv_mem_write(struct hv_vm *vm, uint64_t gpa, const void *src, size_t len)
{
	void *dst = hv_gpa_to_hva(vm, gpa, len);

	if (!dst)
		return -EFAULT;
	memcpy(dst, src, len);
	return 0;
}

int hv_mem_read(struct hv_vm *vm, uint64_t gpa, void *dst, size_t len)
{
	const void *src = hv_gpa_to_hva(vm, gpa, len);

	if (!src)
		return -EFAULT;
	memcpy(dst, src, len);
	return 0;
}

static size_t cpuid_size(uint32_t nent)
{
	return sizeof(struct kvm_cpuid2) + nent * sizeof(struct kvm_cpuid_entry2);
}

int hv_get_supported_cpuid(int dev_fd, struct kvm_cpuid2 **out)
{
	uint32_t nent = 8;

	for (;;) {
		struct kvm_cpuid2 *cpuid = calloc(1, cpuid_size(nent));
		int r;

		if (!cpuid)
			return -ENOMEM;
		cpuid->nent = nent;
		if (ioctl(dev_fd, KVM_GET_SUPPORTED_CPUID, cpuid) == 0) {
			*out = cpuid;
			return 0;
		}
		r = -errno;
		free(cpuid);
		/* The device says "too small" without saying how big. */
		if (r != -E2BIG || nent >= HV_CPUID_MAX_NENT)
			return r;
		nent *= 2;
	}
}

struct kvm_cpuid_entry2 *hv_cpuid_find(const struct kvm_cpuid2 *cpuid,
				       uint32_t function, uint32_t index)
{
	uint32_t i;

	if (!cpuid)
		return NULL;
	for (i = 0; i < cpuid->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &cpuid->entries[i];

		if (e->function != function)
			continue;
		if ((e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) &&
		    e->index != index)
			continue;
		return (struct kvm_cpuid_entry2 *)e;
	}
	return NULL;
}

bool hv_cpuid_has_la57(const struct kvm_cpuid2 *cpuid)
{
	const struct kvm_cpuid_entry2 *e = hv_cpuid_find(cpuid, 7, 0);

	return e && (e->ecx & (1U << 16));
}

int hv_vcpu_create(struct hv_vm *vm, struct hv_vcpu *vcpu, unsigned int id)
{
	void *run;
	int r;

	memset(vcpu, 0, sizeof(*vcpu));
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)id);
	if (vcpu->fd < 0) {
		r = -errno;
		vcpu->fd = -1;
		return r;
	}
	run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   vcpu->fd, 0);
	if (run == MAP_FAILED) {
		r = -errno;
		close(vcpu->fd);
		vcpu->fd = -1;
		return r;
	}
	vcpu->run = run;
	return 0;
}

void hv_vcpu_destroy(struct hv_vcpu *vcpu)
{
	if (vcpu->run)
		munmap(vcpu->run, vcpu->vm->run_size);
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	free(vcpu->cpuid);
	vcpu->run = NULL;
	vcpu->fd = -1;
	vcpu->cpuid = NULL;
}

int hv_vcpu_set_cpuid(struct hv_vcpu *vcpu, const struct kvm_cpuid2 *cpuid)
{
	size_t size = cpuid_size(cpuid->nent);
	struct kvm_cpuid2 *copy;

	copy = malloc(size);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, cpuid, size);
	if (ioctl(vcpu->fd, KVM_SET_CPUID2, copy) < 0) {
		int r = -errno;

		free(copy);
		return r;
	}
	free(vcpu->cpuid);
	vcpu->cpuid = copy;
	return 0;
}

int hv_vcpu_init_cpuid(struct hv_vcpu *vcpu)
{
	struct hv_vm *vm = vcpu->vm;
	struct kvm_cpuid_entry2 *e;
	struct kvm_cpuid2 *cpuid;
	size_t size;
	uint32_t i;
	int r;

	if (!vm->supported_cpuid) {
		r = hv_get_supported_cpuid(vm->dev_fd, &vm->supported_cpuid);
		if (r)
			return r;
	}
	size = cpuid_size(vm->supported_cpuid->nent);
	cpuid = malloc(size);
	if (!cpuid)
		return -ENOMEM;
	memcpy(cpuid, vm->supported_cpuid, size);

	/* Initial APIC ID (leaf 1) and x2APIC ID (leaves 0xb, 0x1f). */
	e = hv_cpuid_find(cpuid, 1, 0);
	if (e)
		e->ebx = (e->ebx & 0x00ffffff) | (vcpu->id << 24);
	for (i = 0; i < cpuid->nent; i++) {
		e = &cpuid->entries[i];
		if (e->function == 0xb || e->function == 0x1f)
			e->edx = vcpu->id;
	}

	r = hv_vcpu_set_cpuid(vcpu, cpuid);
	free(cpuid);
	return r;
}

int hv_vcpu_get_regs(struct hv_vcpu *vcpu, struct kvm_regs *regs)
{
	return ioctl(vcpu->fd, KVM_GET_REGS, regs) < 0 ? -errno : 0;
}

int hv_vcpu_set_regs(struct hv_vcpu *vcpu, const struct kvm_regs *regs)
{
	return ioctl(vcpu->fd, KVM_SET_REGS, regs) < 0 ? -errno : 0;
}

int hv_vcpu_get_sregs(struct hv_vcpu *vcpu, struct kvm_sregs *sregs)
{
	return ioctl(vcpu->fd, KVM_GET_SREGS, sregs) < 0 ? -errno : 0;
}

int hv_vcpu_set_sregs(struct hv_vcpu *vcpu, const struct kvm_sregs *sregs)
{
	return ioctl(vcpu->fd, KVM_SET_SREGS, sregs) < 0 ? -errno : 0;
}

int hv_vcpu_run(struct hv_vcpu *vcpu)
{
	return ioctl(vcpu->fd, KVM_RUN, 0) < 0 ? -errno : 0;
}

/* Mode setup. */

static void set_seg(struct kvm_segment *seg, uint16_t selector, uint64_t base,
		    uint32_t limit, uint8_t type)
{
	memset(seg, 0, sizeof(*seg));
	seg->selector = selector;
	seg->base = base;
	seg->limit = limit;
	seg->type = type;
	seg->present = 1;
	seg->s = 1;
}

/* A flat 4 GiB segment as the GDT entry for @selector describes it. */
static void set_flat_seg(struct kvm_segment *seg, uint16_t selector)
{
	set_seg(seg, selector, 0, 0xffffffff,
		selector == HV_GDT_DATA ? SEG_TYPE_DATA : SEG_TYPE_CODE);
	seg->g = 1;
	if (selector == HV_GDT_CODE64)
		seg->l = 1;
	else
		seg->db = 1;
}

static uint64_t gdt_desc(uint32_t base, uint32_t limit, uint8_t access,
			 uint8_t flags)
{
	return (limit & 0xffffULL) |
	       ((uint64_t)(base & 0xffffff) << 16) |
	       ((uint64_t)access << 40) |
	       ((uint64_t)((limit >> 16) & 0xf) << 48) |
	       ((uint64_t)(flags & 0xf) << 52) |
	       ((uint64_t)(base >> 24) << 56);
}

/*
 * Writes the GDT at @sys_gpa.  Access bytes: present, DPL 0, S = 1, and the
 * accessed bit already set so the CPU never writes the table.  Flags: G = 1
 * with D/B = 1 (32-bit code, data) or L = 1 (64-bit code).
 */
static int write_gdt(struct hv_vm *vm, uint64_t sys_gpa)
{
	uint64_t gdt[HV_GDT_ENTRIES] = {
		[HV_GDT_CODE32 / 8] = gdt_desc(0, 0xfffff, 0x9b, 0xc),
		[HV_GDT_DATA / 8] = gdt_desc(0, 0xfffff, 0x93, 0xc),
		[HV_GDT_CODE64 / 8] = gdt_desc(0, 0xfffff, 0x9b, 0xa),
	};

	return hv_mem_write(vm, sys_gpa + SYS_GDT, gdt, sizeof(gdt));
}

static int set_entry_regs(struct hv_vcpu *vcpu, uint64_t rip, uint64_t rsp)
{
	struct kvm_regs regs;

	memset(&regs, 0, sizeof(regs));
	regs.rip = rip;
	regs.rsp = rsp;
	regs.rflags = 0x2;	/* bit 1 is always set; IF = 0 */
	return hv_vcpu_set_regs(vcpu, &regs);
}

int hv_setup_real(struct hv_vcpu *vcpu, uint16_t cs, uint16_t ip, uint16_t sp)
{
	struct kvm_sregs sregs;
	struct kvm_segment *data[] = {
		&sregs.ds, &sregs.es, &sregs.fs, &sregs.gs, &sregs.ss,
	};
	unsigned int i;
	int r;

	r = hv_vcpu_get_sregs(vcpu, &sregs);
	if (r)
		return r;

	set_seg(&sregs.cs, cs, (uint64_t)cs << 4, 0xffff, SEG_TYPE_CODE);
	for (i = 0; i < sizeof(data) / sizeof(data[0]); i++)
		set_seg(data[i], cs, (uint64_t)cs << 4, 0xffff, SEG_TYPE_DATA);
	sregs.idt.base = 0;
	sregs.idt.limit = 0x3ff;	/* the real-mode interrupt vector table */
	sregs.cr0 &= ~(CR0_PE | CR0_PG);
	sregs.cr4 = 0;
	sregs.efer = 0;

	r = hv_vcpu_set_sregs(vcpu, &sregs);
	if (r)
		return r;
	return set_entry_regs(vcpu, ip, sp);
}

static void set_flat_sregs(struct kvm_sregs *sregs, uint64_t sys_gpa,
			   uint16_t code_sel)
{
	set_flat_seg(&sregs->cs, code_sel);
	set_flat_seg(&sregs->ds, HV_GDT_DATA);
	set_flat_seg(&sregs->es, HV_GDT_DATA);
	set_flat_seg(&sregs->fs, HV_GDT_DATA);
	set_flat_seg(&sregs->gs, HV_GDT_DATA);
	set_flat_seg(&sregs->ss, HV_GDT_DATA);
	sregs->gdt.base = sys_gpa + SYS_GDT;
	sregs->gdt.limit = HV_GDT_ENTRIES * 8 - 1;
	sregs->idt.base = 0;
	sregs->idt.limit = 0;
}

int hv_setup_prot32(struct hv_vcpu *vcpu, uint64_t sys_gpa, uint32_t entry,
		    uint32_t stack)
{
	struct kvm_sregs sregs;
	int r;

	if (sys_gpa & (HV_PAGE_SIZE - 1) || sys_gpa + HV_PAGE_SIZE > 1ULL << 32)
		return -EINVAL;
	r = write_gdt(vcpu->vm, sys_gpa);
	if (r)
		return r;
	r = hv_vcpu_get_sregs(vcpu, &sregs);
	if (r)
		return r;

	set_flat_sregs(&sregs, sys_gpa, HV_GDT_CODE32);
	sregs.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE;
	sregs.cr3 = 0;
	sregs.cr4 = 0;
	sregs.efer = 0;

	r = hv_vcpu_set_sregs(vcpu, &sregs);
	if (r)
		return r;
	return set_entry_regs(vcpu, entry, stack);
}

/*
 * Identity map of [0, HV_IDENTITY_MAP_SIZE) with 2 MiB pages: one PDPT whose
 * first entries point at SYS_NR_PD page directories, below a PML4 (and a
 * PML5 for 5 levels) with only entry 0 present.  Returns the CR3 value.
 */
static uint64_t build_page_tables(uint64_t *sys, uint64_t sys_gpa,
				  unsigned int levels)
{
	const uint64_t table = PTE_P | PTE_RW | PTE_A;
	uint64_t *pml5 = sys + SYS_PML5 / 8;
	uint64_t *pml4 = sys + SYS_PML4 / 8;
	uint64_t *pdpt = sys + SYS_PDPT / 8;
	uint64_t *pd = sys + SYS_PD / 8;
	uint64_t i;

	memset(sys + SYS_PML5 / 8, 0, HV_SYS_AREA_SIZE - SYS_PML5);
	for (i = 0; i < SYS_NR_PD * 512; i++)
		pd[i] = (i << 21) | PTE_P | PTE_RW | PTE_A | PTE_D | PTE_PS;
	for (i = 0; i < SYS_NR_PD; i++)
		pdpt[i] = (sys_gpa + SYS_PD + i * HV_PAGE_SIZE) | table;
	pml4[0] = (sys_gpa + SYS_PDPT) | table;
	pml5[0] = (sys_gpa + SYS_PML4) | table;

	return sys_gpa + (levels == 5 ? SYS_PML5 : SYS_PML4);
}

int hv_setup_long(struct hv_vcpu *vcpu, unsigned int levels, uint64_t sys_gpa,
		  uint64_t entry, uint64_t stack)
{
	struct kvm_sregs sregs;
	uint64_t *sys;
	int r;

	if (levels != 4 && levels != 5)
		return -EINVAL;
	/* The GDT base is a linear address: it must be identity-mapped. */
	if (sys_gpa & (HV_PAGE_SIZE - 1) ||
	    sys_gpa + HV_SYS_AREA_SIZE > HV_IDENTITY_MAP_SIZE)
		return -EINVAL;
	if (levels == 5 && !hv_cpuid_has_la57(vcpu->cpuid))
		return -EOPNOTSUPP;
	sys = hv_gpa_to_hva(vcpu->vm, sys_gpa, HV_SYS_AREA_SIZE);
	if (!sys)
		return -EFAULT;

	r = write_gdt(vcpu->vm, sys_gpa);
	if (r)
		return r;
	r = hv_vcpu_get_sregs(vcpu, &sregs);
	if (r)
		return r;

	set_flat_sregs(&sregs, sys_gpa, HV_GDT_CODE64);
	sregs.cr3 = build_page_tables(sys, sys_gpa, levels);
	sregs.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	sregs.cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
	if (levels == 5)
		sregs.cr4 |= CR4_LA57;
	sregs.efer = EFER_LME | EFER_LMA;

	r = hv_vcpu_set_sregs(vcpu, &sregs);
	if (r)
		return r;
	return set_entry_regs(vcpu, entry, stack);
}

/* Exit dispatch: the serial port and the exit port. */

static void stdout_out(void *opaque, const char *buf, size_t len)
{
	(void)opaque;
	while (len) {
		ssize_t n = write(STDOUT_FILENO, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;		/* output lost; the guest goes on */
		buf += n;
		len -= n;
	}
}

struct out_buf {
	struct hv_console *con;
	size_t len;
	char data[256];
};

static void out_flush(struct out_buf *ob)
{
	struct hv_console *con = ob->con;

	if (!ob->len)
		return;
	if (con->out)
		con->out(con->opaque, ob->data, ob->len);
	else
		stdout_out(NULL, ob->data, ob->len);
	ob->len = 0;
}

static void uart_write(struct hv_console *con, struct out_buf *ob,
		       unsigned int reg, uint8_t val)
{
	bool dlab = con->lcr & UART_LCR_DLAB;

	switch (reg) {
	case UART_RBR_THR:
		if (dlab) {
			con->dll = val;
		} else if (!(con->mcr & UART_MCR_LOOP)) {
			if (ob->len == sizeof(ob->data))
				out_flush(ob);
			ob->data[ob->len++] = val;
		}
		break;
	case UART_IER:
		if (dlab)
			con->dlm = val;
		else
			con->ier = val & 0x0f;
		break;
	case UART_LCR:
		con->lcr = val;
		break;
	case UART_MCR:
		con->mcr = val & 0x1f;
		break;
	case UART_SCR:
		con->scr = val;
		break;
	default:	/* FCR, LSR, MSR: ignored */
		break;
	}
}

static uint8_t uart_read(struct hv_console *con, unsigned int reg)
{
	bool dlab = con->lcr & UART_LCR_DLAB;
	uint8_t m;

	switch (reg) {
	case UART_RBR_THR:
		return dlab ? con->dll : 0;	/* never any input */
	case UART_IER:
		return dlab ? con->dlm : con->ier;
	case UART_IIR_FCR:
		return UART_IIR_NONE;
	case UART_LCR:
		return con->lcr;
	case UART_MCR:
		return con->mcr;
	case UART_LSR:
		return UART_LSR_THRE | UART_LSR_TEMT;
	case UART_MSR:
		if (!(con->mcr & UART_MCR_LOOP))
			return UART_MSR_DEFAULT;
		/* Loopback: RTS -> CTS, DTR -> DSR, OUT1 -> RI, OUT2 -> DCD. */
		m = con->mcr;
		return ((m & 0x2) << 3) | ((m & 0x1) << 5) | ((m & 0xc) << 4);
	default:
		return con->scr;
	}
}

/* One KVM_EXIT_IO on the serial port's eight registers (any size, count). */
static void serial_io(struct hv_console *con, const struct kvm_run *run,
		      uint8_t *data)
{
	struct out_buf ob = { .con = con };
	uint32_t i, k, n = run->io.size * run->io.count;

	for (i = 0; i < n; i += run->io.size) {
		for (k = 0; k < run->io.size; k++) {
			unsigned int port = run->io.port + k;
			unsigned int reg = port - HV_SERIAL_PORT;

			if (run->io.direction == KVM_EXIT_IO_OUT) {
				if (reg < 8)
					uart_write(con, &ob, reg, data[i + k]);
			} else {
				data[i + k] = reg < 8 ? uart_read(con, reg) : 0xff;
			}
		}
	}
	out_flush(&ob);
}

int hv_vcpu_run_console(struct hv_vcpu *vcpu, struct hv_console *con,
			int *code)
{
	struct kvm_run *run = vcpu->run;

	for (;;) {
		uint64_t len;
		uint8_t *data;
		int r;

		r = hv_vcpu_run(vcpu);
		if (r)
			return r;
		if (run->exit_reason != KVM_EXIT_IO)
			return HV_RUN_UNHANDLED;

		len = (uint64_t)run->io.size * run->io.count;
		if (run->io.data_offset > vcpu->vm->run_size ||
		    len > vcpu->vm->run_size - run->io.data_offset)
			return -EPROTO;
		data = (uint8_t *)run + run->io.data_offset;

		if (run->io.port == HV_EXIT_PORT &&
		    run->io.direction == KVM_EXIT_IO_OUT) {
			uint32_t val = 0;

			memcpy(&val, data, run->io.size < 4 ? run->io.size : 4);
			if (code)
				*code = (int)val;
			return HV_RUN_GUEST_EXIT;
		}
		if (run->io.port >= HV_SERIAL_PORT &&
		    run->io.port < HV_SERIAL_PORT + 8) {
			serial_io(con, run, data);
			continue;
		}
		return HV_RUN_UNHANDLED;
	}
}

/* Describing exits. */

static const char *const exit_names[] = {
	[KVM_EXIT_UNKNOWN] = "UNKNOWN",
	[KVM_EXIT_EXCEPTION] = "EXCEPTION",
	[KVM_EXIT_IO] = "IO",
	[KVM_EXIT_HYPERCALL] = "HYPERCALL",
	[KVM_EXIT_DEBUG] = "DEBUG",
	[KVM_EXIT_HLT] = "HLT",
	[KVM_EXIT_MMIO] = "MMIO",
	[KVM_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
	[KVM_EXIT_SHUTDOWN] = "SHUTDOWN",
	[KVM_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
	[KVM_EXIT_INTR] = "INTR",
	[KVM_EXIT_SET_TPR] = "SET_TPR",
	[KVM_EXIT_TPR_ACCESS] = "TPR_ACCESS",
	[KVM_EXIT_NMI] = "NMI",
	[KVM_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
	[KVM_EXIT_WATCHDOG] = "WATCHDOG",
	[KVM_EXIT_SYSTEM_EVENT] = "SYSTEM_EVENT",
	[KVM_EXIT_IOAPIC_EOI] = "IOAPIC_EOI",
	[KVM_EXIT_HYPERV] = "HYPERV",
	[KVM_EXIT_X86_RDMSR] = "X86_RDMSR",
	[KVM_EXIT_X86_WRMSR] = "X86_WRMSR",
	[KVM_EXIT_DIRTY_RING_FULL] = "DIRTY_RING_FULL",
	[KVM_EXIT_AP_RESET_HOLD] = "AP_RESET_HOLD",
	[KVM_EXIT_X86_BUS_LOCK] = "X86_BUS_LOCK",
	[KVM_EXIT_XEN] = "XEN",
	[KVM_EXIT_NOTIFY] = "NOTIFY",
};

const char *hv_exit_reason_str(uint32_t reason)
{
	if (reason < sizeof(exit_names) / sizeof(exit_names[0]) &&
	    exit_names[reason])
		return exit_names[reason];
	return "UNKNOWN";
}

struct desc {
	char *buf;
	size_t size;
	int len;
};

static void __attribute__((format(printf, 2, 3)))
descf(struct desc *d, const char *fmt, ...)
{
	size_t used = (size_t)d->len < d->size ? (size_t)d->len : d->size;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(d->buf + used, d->size - used, fmt, ap);
	va_end(ap);
	if (n > 0)
		d->len += n;
}

static void describe_bytes(struct desc *d, const uint8_t *p, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		descf(d, "%s%02x", i ? " " : "", p[i]);
}

static void describe_fail_entry(struct desc *d, const struct kvm_run *run)
{
	uint64_t hw = run->fail_entry.hardware_entry_failure_reason;

	descf(d, "VM entry failed: hardware entry failure reason 0x%llx",
	      (unsigned long long)hw);
	if (hw == ~0ULL) {
		descf(d, " (SVM: VMRUN refused the VMCB: invalid guest state)");
	} else if (hw & 0x80000000ULL) {
		switch (hw & 0xffff) {
		case 33:
			descf(d, " (VMX: invalid guest state)");
			break;
		case 34:
			descf(d, " (VMX: MSR loading)");
			break;
		case 41:
			descf(d, " (VMX: machine-check event)");
			break;
		default:
			descf(d, " (VMX: basic exit reason %llu)",
			      (unsigned long long)(hw & 0xffff));
			break;
		}
	}
	descf(d, " on host CPU %u", run->fail_entry.cpu);
}

static void describe_internal(struct desc *d, const struct kvm_run *run)
{
	static const char *const sub[] = {
		[KVM_INTERNAL_ERROR_EMULATION] = "instruction emulation failed",
		[KVM_INTERNAL_ERROR_SIMUL_EX] = "simultaneous exceptions",
		[KVM_INTERNAL_ERROR_DELIVERY_EV] =
			"exit while delivering an event",
		[KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON] =
			"unexpected hardware exit reason",
	};
	uint32_t s = run->internal.suberror;
	uint32_t i, n = run->internal.ndata;

	descf(d, "internal error: suberror %u (%s)", s,
	      s < sizeof(sub) / sizeof(sub[0]) && sub[s] ? sub[s] : "unknown");
	if (n > 16)
		n = 16;
	if (s == KVM_INTERNAL_ERROR_EMULATION && n >= 3 &&
	    (run->emulation_failure.flags &
	     KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES)) {
		uint32_t len = run->emulation_failure.insn_size;

		if (len > sizeof(run->emulation_failure.insn_bytes))
			len = sizeof(run->emulation_failure.insn_bytes);
		descf(d, ", instruction bytes [");
		describe_bytes(d, run->emulation_failure.insn_bytes, len);
		descf(d, "]");
		return;
	}
	for (i = 0; i < n; i++)
		descf(d, "%s0x%llx", i ? " " : ", data ",
		      (unsigned long long)run->internal.data[i]);
}

int hv_exit_describe(const struct hv_vcpu *vcpu, char *buf, size_t size)
{
	const struct kvm_run *run = vcpu->run;
	struct desc d = { .buf = buf, .size = size };
	uint64_t len;

	if (size)
		buf[0] = '\0';
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		len = (uint64_t)run->io.size * run->io.count;
		descf(&d, "unhandled I/O: %s port 0x%x, size %u, count %u",
		      run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in",
		      run->io.port, run->io.size, run->io.count);
		if (run->io.direction == KVM_EXIT_IO_OUT && len <= 16 &&
		    run->io.data_offset <= vcpu->vm->run_size &&
		    len <= vcpu->vm->run_size - run->io.data_offset) {
			descf(&d, ", data [");
			describe_bytes(&d, (const uint8_t *)run +
				       run->io.data_offset, len);
			descf(&d, "]");
		}
		break;
	case KVM_EXIT_MMIO:
		len = run->mmio.len <= 8 ? run->mmio.len : 8;
		descf(&d, "unhandled MMIO: %u-byte %s at GPA 0x%llx",
		      run->mmio.len, run->mmio.is_write ? "write" : "read",
		      (unsigned long long)run->mmio.phys_addr);
		if (run->mmio.is_write) {
			descf(&d, ", data [");
			describe_bytes(&d, run->mmio.data, len);
			descf(&d, "]");
		}
		break;
	case KVM_EXIT_SHUTDOWN:
		descf(&d, "shutdown: the guest triple-faulted (or the device "
		      "shut it down)");
		break;
	case KVM_EXIT_FAIL_ENTRY:
		describe_fail_entry(&d, run);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		describe_internal(&d, run);
		break;
	case KVM_EXIT_HLT:
		descf(&d, "the guest executed HLT");
		break;
	case KVM_EXIT_EXCEPTION:
		descf(&d, "exception %u, error code 0x%x", run->ex.exception,
		      run->ex.error_code);
		break;
	case KVM_EXIT_DEBUG:
		descf(&d, "debug exit: exception %u at PC 0x%llx",
		      run->debug.arch.exception,
		      (unsigned long long)run->debug.arch.pc);
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		descf(&d, "system event: type %u", run->system_event.type);
		break;
	case KVM_EXIT_X86_RDMSR:
	case KVM_EXIT_X86_WRMSR:
		descf(&d, "%s of MSR 0x%x", run->exit_reason ==
		      KVM_EXIT_X86_RDMSR ? "RDMSR" : "WRMSR", run->msr.index);
		break;
	default:
		descf(&d, "exit reason %u (%s)", run->exit_reason,
		      hv_exit_reason_str(run->exit_reason));
		break;
	}
	return d.len;
}
