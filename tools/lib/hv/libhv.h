/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libhv: a small C library for custom VMMs over the KVM ioctl ABI.
 *
 * It drives /dev/hv and, unchanged, /dev/kvm: both speak the same ioctls and
 * structs (<linux/kvm.h>, API version 12).  One VM, a few memory slots,
 * vCPUs, and helpers that put a vCPU straight into real mode, flat 32-bit
 * protected mode or 64-bit long mode (4- or 5-level paging), plus a tiny run
 * loop that models a 16550 serial port at 0x3f8 and an "exit port" at 0xf4.
 *
 * Conventions:
 *  - Every function that can fail returns a negative errno (-EINVAL, ...) and
 *    0 (or a documented non-negative value) on success; hv_strerror() turns
 *    one into text.  The library never prints and never exits.
 *  - Objects are plain structs owned by the caller (on the stack or
 *    embedded); a *_create() fills one in, the matching *_destroy() releases
 *    what it holds.  A failed *_create() leaves nothing to release, and
 *    calling *_destroy() on it anyway is harmless.
 *  - Not thread-safe per object; different vCPUs may run in different
 *    threads.
 *
 * Typical use (error handling elided):
 *
 *	struct hv_vm vm;
 *	struct hv_vcpu vcpu;
 *	struct hv_console con = { 0 };
 *	int code;
 *
 *	hv_vm_create(&vm, "/dev/kvm");			// NULL = /dev/hv
 *	hv_mem_add(&vm, 0, 16 << 20, 0, NULL);		// 16 MiB at GPA 0
 *	hv_mem_write(&vm, 0x100000, image, image_size);
 *	hv_vcpu_create(&vm, &vcpu, 0);
 *	hv_vcpu_init_cpuid(&vcpu);
 *	hv_setup_long(&vcpu, 4, 0x1000, 0x100000, 0x80000);
 *	while (hv_vcpu_run_console(&vcpu, &con, &code) == HV_RUN_UNHANDLED)
 *		... look at vcpu.run->exit_reason, handle or give up ...
 *	hv_vcpu_destroy(&vcpu);
 *	hv_vm_destroy(&vm);
 *
 * Guest memory layout used by the mode helpers (all in guest RAM the caller
 * added with hv_mem_add(); "sys" is the sys_gpa argument, 4 KiB aligned):
 *
 *	sys + 0x0000	GDT (HV_GDT_* selectors below)		prot32, long
 *	sys + 0x1000	PML5 (5-level only)			long
 *	sys + 0x2000	PML4					long
 *	sys + 0x3000	PDPT					long
 *	sys + 0x4000	4 page directories of 2 MiB pages	long
 *	sys + 0x8000	end (HV_SYS_AREA_SIZE)
 *
 * The long-mode tables identity-map guest-physical [0, 4 GiB) with 2 MiB
 * pages, writable and executable, supervisor only.  No IDT is set up
 * (IDTR.limit = 0): any exception in the guest ends in a triple fault, which
 * the VMM sees as KVM_EXIT_SHUTDOWN.
 */
#ifndef LIBHV_H
#define LIBHV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

#define HV_DEFAULT_DEV		"/dev/hv"
#define HV_KVM_API_VERSION	12

#define HV_MAX_SLOTS		32

/* Flags of hv_mem_add(). */
#define HV_MEM_READONLY		KVM_MEM_READONLY  /* guest writes exit as MMIO */

/* GDT built by hv_setup_prot32() and hv_setup_long() at sys_gpa. */
#define HV_GDT_CODE32		0x08	/* flat 32-bit code, DPL 0 */
#define HV_GDT_DATA		0x10	/* flat data, DPL 0 */
#define HV_GDT_CODE64		0x18	/* 64-bit code (L=1), DPL 0 */
#define HV_GDT_ENTRIES		4

/* Bytes of guest RAM at sys_gpa the mode helpers write (see above). */
#define HV_SYS_AREA_SIZE	0x8000
/* Guest-physical range the long-mode page tables identity-map. */
#define HV_IDENTITY_MAP_SIZE	(4ULL << 30)

/* Port conventions of hv_vcpu_run_console(). */
#define HV_SERIAL_PORT		0x3f8	/* COM1, 8 registers */
#define HV_EXIT_PORT		0xf4	/* a write ends the guest: value = code */

struct hv_mem_slot {
	uint32_t slot;		/* KVM slot number */
	uint32_t flags;		/* HV_MEM_* */
	uint64_t gpa;
	uint64_t size;
	void *hva;		/* host mapping: always readable and writable */
};

struct hv_vm {
	int dev_fd;		/* /dev/hv or /dev/kvm */
	int vm_fd;
	size_t run_size;	/* KVM_GET_VCPU_MMAP_SIZE */
	unsigned int nr_slots;
	struct hv_mem_slot slots[HV_MAX_SLOTS];
	struct kvm_cpuid2 *supported_cpuid;	/* cached, or NULL */
};

struct hv_vcpu {
	struct hv_vm *vm;
	int fd;
	unsigned int id;
	struct kvm_run *run;	/* the shared kvm_run page(s) */
	struct kvm_cpuid2 *cpuid;	/* copy of what was set, or NULL */
};

/* Device and VM. */

/* Stringifies a negative errno returned by libhv (or a positive errno). */
const char *hv_strerror(int err);

/*
 * Opens the device at @path (NULL: HV_DEFAULT_DEV) and checks that it speaks
 * KVM API version 12.  Returns the file descriptor, or -errno; a device with
 * another API version gives -EPROTONOSUPPORT.
 */
int hv_dev_open(const char *path);

/* KVM_CHECK_EXTENSION on the device: the value (0 = absent), or -errno. */
int hv_check_extension(struct hv_vm *vm, long cap);

/*
 * Opens the device at @path (NULL: HV_DEFAULT_DEV), checks the API version,
 * creates a VM (type 0) and reads the vCPU mmap size.
 */
int hv_vm_create(struct hv_vm *vm, const char *path);

/* Unmaps the memory slots and closes the VM and device. */
void hv_vm_destroy(struct hv_vm *vm);

/* Guest memory. */

/*
 * Adds @size bytes of anonymous, zeroed memory at guest-physical @gpa as the
 * next free slot.  @gpa and @size must be page aligned.  @flags: 0 or
 * HV_MEM_READONLY (needs KVM_CAP_READONLY_MEM, else -EOPNOTSUPP).  Stores the
 * host address in *@hva if @hva is not NULL.
 */
int hv_mem_add(struct hv_vm *vm, uint64_t gpa, uint64_t size, uint32_t flags,
	       void **hva);

/*
 * Translates guest-physical @gpa to the host address, if [@gpa, @gpa + @len)
 * lies within one slot; NULL otherwise.
 */
void *hv_gpa_to_hva(struct hv_vm *vm, uint64_t gpa, uint64_t len);

/* Copy to and from guest memory (within one slot; -EFAULT otherwise). */
int hv_mem_write(struct hv_vm *vm, uint64_t gpa, const void *src, size_t len);
int hv_mem_read(struct hv_vm *vm, uint64_t gpa, void *dst, size_t len);

/* CPUID. */

/*
 * KVM_GET_SUPPORTED_CPUID, growing the buffer on -E2BIG.  On success *@out is
 * a malloc()ed table the caller frees.
 */
int hv_get_supported_cpuid(int dev_fd, struct kvm_cpuid2 **out);

/* The entry for @function/@index, or NULL. */
struct kvm_cpuid_entry2 *hv_cpuid_find(const struct kvm_cpuid2 *cpuid,
				       uint32_t function, uint32_t index);

/* Whether @cpuid offers 5-level paging (CPUID.(7,0):ECX[16], LA57). */
bool hv_cpuid_has_la57(const struct kvm_cpuid2 *cpuid);

/* vCPUs. */

/* KVM_CREATE_VCPU with @id and maps its kvm_run area. */
int hv_vcpu_create(struct hv_vm *vm, struct hv_vcpu *vcpu, unsigned int id);
void hv_vcpu_destroy(struct hv_vcpu *vcpu);

/* KVM_SET_CPUID2 with @cpuid; a copy is kept in vcpu->cpuid. */
int hv_vcpu_set_cpuid(struct hv_vcpu *vcpu, const struct kvm_cpuid2 *cpuid);

/*
 * Sets the device's supported CPUID (cached in the VM) with the initial APIC
 * ID of leaf 1 set to the vCPU id.  Call before the mode helpers: the device
 * checks CR4 and EFER bits against the vCPU's CPUID.
 */
int hv_vcpu_init_cpuid(struct hv_vcpu *vcpu);

int hv_vcpu_get_regs(struct hv_vcpu *vcpu, struct kvm_regs *regs);
int hv_vcpu_set_regs(struct hv_vcpu *vcpu, const struct kvm_regs *regs);
int hv_vcpu_get_sregs(struct hv_vcpu *vcpu, struct kvm_sregs *sregs);
int hv_vcpu_set_sregs(struct hv_vcpu *vcpu, const struct kvm_sregs *sregs);

/* One KVM_RUN: 0 (see vcpu->run->exit_reason) or -errno (-EINTR: signal). */
int hv_vcpu_run(struct hv_vcpu *vcpu);

/* Mode setup: each sets RIP, RSP, RFLAGS = 0x2 and the segment state. */

/*
 * Real mode at @cs:@ip with DS = ES = FS = GS = SS = @cs (base @cs * 16,
 * limit 0xffff) and SP = @sp.
 */
int hv_setup_real(struct hv_vcpu *vcpu, uint16_t cs, uint16_t ip, uint16_t sp);

/*
 * Flat 32-bit protected mode, paging off: writes the GDT at @sys_gpa (needs
 * 4 KiB there), CS = HV_GDT_CODE32, other segments HV_GDT_DATA, EIP = @entry,
 * ESP = @stack.
 */
int hv_setup_prot32(struct hv_vcpu *vcpu, uint64_t sys_gpa, uint32_t entry,
		    uint32_t stack);

/*
 * 64-bit long mode with @levels (4 or 5) of paging: writes the GDT and page
 * tables in HV_SYS_AREA_SIZE bytes at @sys_gpa, sets CR0 (PE, MP, ET, NE,
 * WP, PG), CR3, CR4 (PAE, OSFXSR, OSXMMEXCPT, LA57 for 5 levels), EFER (LME,
 * LMA), CS = HV_GDT_CODE64, other segments HV_GDT_DATA, RIP = @entry,
 * RSP = @stack.  5 levels need LA57 in the CPUID set on the vCPU
 * (hv_vcpu_set_cpuid()), else -EOPNOTSUPP.
 */
int hv_setup_long(struct hv_vcpu *vcpu, unsigned int levels, uint64_t sys_gpa,
		  uint64_t entry, uint64_t stack);

/* Exit dispatch. */

/* Receives the bytes the guest writes to the serial port. */
typedef void (*hv_serial_out_fn)(void *opaque, const char *buf, size_t len);

/*
 * State of the minimal 16550 at HV_SERIAL_PORT: transmit only, no
 * interrupts, always ready (LSR = THRE | TEMT).  Zero it before first use.
 */
struct hv_console {
	hv_serial_out_fn out;	/* NULL: write to standard output */
	void *opaque;		/* passed to @out */
	uint8_t ier, lcr, mcr, scr, dll, dlm;
};

enum {
	HV_RUN_GUEST_EXIT = 0,	/* the guest wrote to HV_EXIT_PORT */
	HV_RUN_UNHANDLED = 1,	/* an exit for the caller: see vcpu->run */
};

/*
 * Runs @vcpu, handling I/O to the serial port (through @con) and to the exit
 * port, until the guest writes to HV_EXIT_PORT (returns HV_RUN_GUEST_EXIT and
 * stores the value written, of any width, in *@code if @code is not NULL) or
 * another exit occurs
 * (returns HV_RUN_UNHANDLED; calling again resumes the guest, so a caller may
 * handle that exit itself first).  -errno if KVM_RUN fails (-EINTR when a
 * signal interrupted it).
 */
int hv_vcpu_run_console(struct hv_vcpu *vcpu, struct hv_console *con,
			int *code);

/* Name of a KVM_EXIT_* reason ("IO", "SHUTDOWN", ...), or "UNKNOWN". */
const char *hv_exit_reason_str(uint32_t reason);

/*
 * Writes a one-line description of @vcpu's last exit (vcpu->run) into @buf
 * (always NUL-terminated): the reason and its details (port and data, MMIO
 * address and data, hardware entry failure reason, internal error suberror
 * and data, ...).  Returns the length snprintf() would have written.
 */
int hv_exit_describe(const struct hv_vcpu *vcpu, char *buf, size_t size);

#endif /* LIBHV_H */
