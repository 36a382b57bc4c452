// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvrun: run one small guest on /dev/hv (or /dev/kvm) with one vCPU.
 *
 * The guest is a flat binary or an ELF file; it talks to the world through
 * the serial port at 0x3f8 (forwarded to standard output) and ends by
 * writing its exit code to port 0xf4.  Everything else it does that leaves
 * the VM (a triple fault, HLT, I/O to other ports, MMIO, a failed entry, an
 * internal error) is reported on standard error.  See usage() below.
 */
#include <elf.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/hv.h>

#include "libhv.h"

#define SYS_GPA			0x1000ULL	/* libhv's GDT and page tables */
#define STACK_TOP		0x80000ULL	/* prot32, long: initial stack */
#define REAL_SP			0xfff0		/* real mode: SS:SP = CS:0xfff0 */
#define REAL_LOAD		0x1000ULL
#define PROT_LOAD		0x100000ULL
#define REAL_MAX		0x100000ULL	/* real mode reaches 1 MiB */
#define DEFAULT_MEM_MB		16
#define MAX_MEM_MB		4096

/* Exit statuses of hvrun itself (the guest's own code is 0-255). */
#define EXIT_SETUP		1
#define EXIT_USAGE		2
#define EXIT_UNSUPPORTED	4	/* kselftest's "skip" */
#define EXIT_TIMEOUT		124
#define EXIT_GUEST_FAULT	125

enum mode { MODE_NONE, MODE_REAL, MODE_PROT32, MODE_LONG4, MODE_LONG5 };

static const char *const mode_names[] = {
	[MODE_REAL] = "real",
	[MODE_PROT32] = "prot32",
	[MODE_LONG4] = "long4",
	[MODE_LONG5] = "long5",
};

enum image_kind { IMAGE_FLAT, IMAGE_ELF32, IMAGE_ELF64 };

struct options {
	const char *dev;
	const char *guest;
	uint64_t mem_mb;
	enum mode mode;
	uint64_t entry, load;
	bool have_entry, have_load;
	unsigned long timeout;
	bool verbose;
};

static const char *prog = "hvrun";
static volatile sig_atomic_t timed_out;
static struct kvm_run *volatile cur_run;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s [OPTIONS] GUEST\n"
		"\n"
		"Runs GUEST, a flat binary or an ELF executable, on one vCPU of a new VM of\n"
		"/dev/hv (or of any device that speaks the KVM API, such as /dev/kvm).\n"
		"\n"
		"Options:\n"
		"  --dev PATH       the device (default " HV_DEFAULT_DEV ")\n"
		"  --mem MB         guest RAM at guest-physical 0, in MiB (default %d, at\n"
		"                   most %d)\n"
		"  --mode MODE      the CPU mode at the first instruction:\n"
		"                     real    real mode, CS:IP = (ENTRY >> 4) & 0xf000 :\n"
		"                             ENTRY & 0xffff, DS = ES = FS = GS = SS = CS,\n"
		"                             SP = 0x%x\n"
		"                     prot32  flat 32-bit protected mode, paging off\n"
		"                     long4   64-bit mode, 4-level paging\n"
		"                     long5   64-bit mode, 5-level paging (needs LA57)\n"
		"                   default: real for a flat binary, prot32 for a 32-bit\n"
		"                   ELF, long4 for a 64-bit ELF\n"
		"  --load ADDR      where a flat binary is loaded (default 0x%llx in real\n"
		"                   mode, 0x%llx otherwise); ELF segments go to their\n"
		"                   physical addresses (p_paddr)\n"
		"  --entry ADDR     the first instruction (default: the load address, or\n"
		"                   the ELF entry point)\n"
		"  --timeout SEC    stop the guest after SEC seconds (default 0: never)\n"
		"  -v, --verbose    describe the VM on standard error before running it\n"
		"  -h, --help       this text\n"
		"\n"
		"In prot32 and long modes the GDT and page tables are at 0x%llx-0x%llx\n"
		"(the guest must leave them alone, and its image must not overlap them)\n"
		"and ESP/RSP = 0x%llx. Long modes identity-map the first 4 GiB with 2 MiB\n"
		"pages (virtual = physical, so ELF files must be linked so). There is no\n"
		"IDT: an exception in the guest ends it with a triple fault.\n"
		"\n"
		"The guest writes bytes to the serial port 0x%x (a 16550, transmit only;\n"
		"LSR always says ready): they go to standard output. Writing a value to\n"
		"port 0x%x ends the guest with that value as hvrun's exit status.\n"
		"\n"
		"Exit status: the guest's code (0-255, from port 0x%x); %d when hvrun\n"
		"could not set the VM up; %d on usage errors; %d when the device cannot\n"
		"provide the mode (long5 without LA57); %d when --timeout expired; %d\n"
		"when the guest stopped in any other way (shutdown, HLT, failed entry,\n"
		"internal error, unhandled I/O or MMIO), described on standard error.\n",
		prog, DEFAULT_MEM_MB, MAX_MEM_MB, REAL_SP, REAL_LOAD, PROT_LOAD,
		SYS_GPA, SYS_GPA + HV_SYS_AREA_SIZE - 1, STACK_TOP,
		HV_SERIAL_PORT, HV_EXIT_PORT, HV_EXIT_PORT, EXIT_SETUP,
		EXIT_USAGE, EXIT_UNSUPPORTED, EXIT_TIMEOUT, EXIT_GUEST_FAULT);
}

static void __attribute__((format(printf, 1, 2))) err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static bool parse_u64(const char *s, uint64_t *val)
{
	char *end;

	if (!*s || *s == '-')
		return false;
	errno = 0;
	*val = strtoull(s, &end, 0);
	return !errno && !*end;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "mem", required_argument, NULL, 'm' },
		{ "mode", required_argument, NULL, 'M' },
		{ "entry", required_argument, NULL, 'e' },
		{ "load", required_argument, NULL, 'l' },
		{ "timeout", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c, i;

	memset(o, 0, sizeof(*o));
	o->dev = HV_DEFAULT_DEV;
	o->mem_mb = DEFAULT_MEM_MB;

	while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->dev = optarg;
			break;
		case 'm':
			if (!parse_u64(optarg, &o->mem_mb) || !o->mem_mb ||
			    o->mem_mb > MAX_MEM_MB) {
				err("--mem: '%s' is not a size in MiB from 1 to %d",
				    optarg, MAX_MEM_MB);
				return -1;
			}
			break;
		case 'M':
			for (i = MODE_REAL; i <= MODE_LONG5; i++)
				if (!strcmp(optarg, mode_names[i]))
					o->mode = i;
			if (o->mode == MODE_NONE) {
				err("--mode: '%s' is not real, prot32, long4 or long5",
				    optarg);
				return -1;
			}
			break;
		case 'e':
			if (!parse_u64(optarg, &o->entry)) {
				err("--entry: '%s' is not an address", optarg);
				return -1;
			}
			o->have_entry = true;
			break;
		case 'l':
			if (!parse_u64(optarg, &o->load)) {
				err("--load: '%s' is not an address", optarg);
				return -1;
			}
			o->have_load = true;
			break;
		case 't':
			if (!parse_u64(optarg, &v) || v > 86400 * 365) {
				err("--timeout: '%s' is not a number of seconds",
				    optarg);
				return -1;
			}
			o->timeout = v;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			fprintf(stderr, "Try '%s --help'.\n", prog);
			return -1;
		}
	}
	if (optind != argc - 1) {
		err(optind < argc ? "only one GUEST, please" : "no GUEST given");
		fprintf(stderr, "Try '%s --help'.\n", prog);
		return -1;
	}
	o->guest = argv[optind];
	return 0;
}

static void *read_file(const char *path, size_t *size)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	FILE *f;

	f = fopen(path, "rb");
	if (!f) {
		err("%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > (uint64_t)MAX_MEM_MB << 20) {
		err("%s: not a regular file of at most %d MiB", path,
		    MAX_MEM_MB);
		fclose(f);
		return NULL;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (buf)
		got = fread(buf, 1, st.st_size, f);
	if (!buf || got != (size_t)st.st_size) {
		err("%s: %s", path, buf ? "short read" : strerror(ENOMEM));
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*size = st.st_size;
	return buf;
}

static enum image_kind image_kind(const unsigned char *img, size_t size)
{
	if (size < EI_NIDENT || memcmp(img, ELFMAG, SELFMAG))
		return IMAGE_FLAT;
	return img[EI_CLASS] == ELFCLASS64 ? IMAGE_ELF64 : IMAGE_ELF32;
}

/* Whether [a, a + alen) overlaps [b, b + blen). */
static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

/* Copies @filesz bytes to guest-physical @gpa and zeroes up to @memsz. */
static int place(struct hv_vm *vm, const struct options *o, bool sys_area,
		 uint64_t gpa, const void *src, uint64_t filesz, uint64_t memsz)
{
	char *dst;

	dst = gpa + memsz < gpa ? NULL : hv_gpa_to_hva(vm, gpa, memsz);
	if (!dst) {
		err("%s: 0x%llx bytes at 0x%llx do not fit in the %llu MiB of guest RAM",
		    o->guest, (unsigned long long)memsz,
		    (unsigned long long)gpa, (unsigned long long)o->mem_mb);
		return -1;
	}
	if (sys_area && overlaps(gpa, memsz, SYS_GPA, HV_SYS_AREA_SIZE)) {
		err("%s: 0x%llx-0x%llx overlaps hvrun's GDT and page tables at 0x%llx-0x%llx",
		    o->guest, (unsigned long long)gpa,
		    (unsigned long long)(gpa + memsz - 1), SYS_GPA,
		    SYS_GPA + HV_SYS_AREA_SIZE - 1);
		return -1;
	}
	memcpy(dst, src, filesz);
	memset(dst + filesz, 0, memsz - filesz);
	return 0;
}

/*
 * Loads the PT_LOAD segments of an ELF file (either class; the headers are
 * read field by field into 64-bit variables) and returns its entry point.
 */
static int load_elf(struct hv_vm *vm, const struct options *o, bool sys_area,
		    const unsigned char *img, size_t size, uint64_t *entry)
{
	bool is64 = img[EI_CLASS] == ELFCLASS64;
	uint64_t phoff, phentsize, phnum, i;
	unsigned int machine, type;

	if (is64) {
		const Elf64_Ehdr *eh = (const void *)img;

		if (size < sizeof(*eh))
			goto bad;
		machine = eh->e_machine;
		type = eh->e_type;
		*entry = eh->e_entry;
		phoff = eh->e_phoff;
		phentsize = eh->e_phentsize;
		phnum = eh->e_phnum;
		if (machine != EM_X86_64 || phentsize != sizeof(Elf64_Phdr))
			goto bad;
	} else {
		const Elf32_Ehdr *eh = (const void *)img;

		if (img[EI_CLASS] != ELFCLASS32 || size < sizeof(*eh))
			goto bad;
		machine = eh->e_machine;
		type = eh->e_type;
		*entry = eh->e_entry;
		phoff = eh->e_phoff;
		phentsize = eh->e_phentsize;
		phnum = eh->e_phnum;
		if (machine != EM_386 || phentsize != sizeof(Elf32_Phdr))
			goto bad;
	}
	if (img[EI_DATA] != ELFDATA2LSB || type != ET_EXEC ||
	    phoff > size || phnum * phentsize > size - phoff)
		goto bad;

	for (i = 0; i < phnum; i++) {
		const unsigned char *ph = img + phoff + i * phentsize;
		uint64_t ptype, off, paddr, filesz, memsz;

		if (is64) {
			const Elf64_Phdr *p = (const void *)ph;

			ptype = p->p_type;
			off = p->p_offset;
			paddr = p->p_paddr;
			filesz = p->p_filesz;
			memsz = p->p_memsz;
		} else {
			const Elf32_Phdr *p = (const void *)ph;

			ptype = p->p_type;
			off = p->p_offset;
			paddr = p->p_paddr;
			filesz = p->p_filesz;
			memsz = p->p_memsz;
		}
		if (ptype != PT_LOAD || !memsz)
			continue;
		if (filesz > memsz || off > size || filesz > size - off)
			goto bad;
		if (place(vm, o, sys_area, paddr, img + off, filesz, memsz))
			return -1;
		if (o->verbose)
			err("ELF segment: 0x%llx bytes at GPA 0x%llx (0x%llx from the file)",
			    (unsigned long long)memsz,
			    (unsigned long long)paddr,
			    (unsigned long long)filesz);
	}
	return 0;
bad:
	err("%s: not a loadable little-endian x86 ELF executable", o->guest);
	return -1;
}

static void on_alarm(int sig)
{
	struct kvm_run *run = cur_run;

	(void)sig;
	timed_out = 1;
	/* Closes the race with a KVM_RUN that is about to start. */
	if (run)
		run->immediate_exit = 1;
}

static int arm_timeout(unsigned long sec, struct kvm_run *run)
{
	struct sigaction sa;
	struct itimerval it;

	if (!sec)
		return 0;
	cur_run = run;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART: KVM_RUN gets -EINTR */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL))
		return -errno;
	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = sec;
	/* Repeats in case a device without immediate_exit missed the first. */
	it.it_interval.tv_usec = 100000;
	return setitimer(ITIMER_REAL, &it, NULL) ? -errno : 0;
}

/* Stops the timer; the kvm_run page may go away after this. */
static void disarm_timeout(void)
{
	struct itimerval it;

	cur_run = NULL;
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
}

static void report_state(struct hv_vcpu *vcpu)
{
	struct kvm_sregs s;
	struct kvm_regs r;

	if (hv_vcpu_get_regs(vcpu, &r) || hv_vcpu_get_sregs(vcpu, &s)) {
		err("(guest registers unavailable)");
		return;
	}
	err("RIP=0x%llx RSP=0x%llx RFLAGS=0x%llx RAX=0x%llx",
	    (unsigned long long)r.rip, (unsigned long long)r.rsp,
	    (unsigned long long)r.rflags, (unsigned long long)r.rax);
	err("CS=0x%x (base 0x%llx, L=%u D=%u) CR0=0x%llx CR3=0x%llx CR4=0x%llx EFER=0x%llx",
	    s.cs.selector, (unsigned long long)s.cs.base, s.cs.l, s.cs.db,
	    (unsigned long long)s.cr0, (unsigned long long)s.cr3,
	    (unsigned long long)s.cr4, (unsigned long long)s.efer);
}

/* Returns 0, or hvrun's exit status on failure. */
static int setup_mode(struct hv_vcpu *vcpu, const struct options *o,
		      enum mode mode, uint64_t entry)
{
	const char *what = mode_names[mode];
	int r = 0;

	switch (mode) {
	case MODE_REAL:
		if (entry >= REAL_MAX) {
			err("real mode: entry 0x%llx is not below 1 MiB",
			    (unsigned long long)entry);
			return EXIT_USAGE;
		}
		r = hv_setup_real(vcpu, (entry >> 4) & 0xf000, entry & 0xffff,
				  REAL_SP);
		break;
	case MODE_PROT32:
		if (entry >> 32) {
			err("prot32: entry 0x%llx is not a 32-bit address",
			    (unsigned long long)entry);
			return EXIT_USAGE;
		}
		r = hv_setup_prot32(vcpu, SYS_GPA, entry, STACK_TOP);
		break;
	case MODE_LONG4:
	case MODE_LONG5:
		r = hv_setup_long(vcpu, mode == MODE_LONG5 ? 5 : 4, SYS_GPA,
				  entry, STACK_TOP);
		if (r == -EOPNOTSUPP) {
			err("%s: %s does not offer 5-level paging to guests "
			    "(LA57, CPUID.(7,0):ECX bit 16, is clear)",
			    what, o->dev);
			return EXIT_UNSUPPORTED;
		}
		break;
	default:
		break;
	}
	if (r) {
		err("setting up %s mode: %s", what, hv_strerror(r));
		return EXIT_SETUP;
	}
	return 0;
}

static int run_guest(struct hv_vcpu *vcpu, const struct options *o)
{
	struct hv_console con = { 0 };
	char desc[512];
	int r, code = 0;

	r = arm_timeout(o->timeout, vcpu->run);
	if (r) {
		err("setting the timeout: %s", hv_strerror(r));
		return EXIT_SETUP;
	}
	for (;;) {
		r = hv_vcpu_run_console(vcpu, &con, &code);
		if (r == HV_RUN_GUEST_EXIT)
			return code & 0xff;
		if (r == -EINTR && !timed_out)
			continue;
		if (r == -EINTR) {
			err("timeout: the guest ran for %lu s without exiting",
			    o->timeout);
			report_state(vcpu);
			return EXIT_TIMEOUT;
		}
		if (r < 0) {
			err("KVM_RUN: %s", hv_strerror(r));
			return EXIT_SETUP;
		}
		hv_exit_describe(vcpu, desc, sizeof(desc));
		err("guest stopped: exit reason %u (%s): %s",
		    vcpu->run->exit_reason,
		    hv_exit_reason_str(vcpu->run->exit_reason), desc);
		if (vcpu->run->exit_reason == KVM_EXIT_SHUTDOWN)
			err("(KVM resets a vCPU on shutdown: "
			    "the registers below may be its reset state)");
		report_state(vcpu);
		return EXIT_GUEST_FAULT;
	}
}

/* hv reports its backend and nested paging depth; KVM answers 0 to both. */
static void describe_hypervisor(struct hv_vm *vm, const char *dev)
{
	long backend = hv_check_extension(vm, HV_CAP_BACKEND);
	long levels = hv_check_extension(vm, HV_CAP_TDP_LEVELS);
	bool vmx = backend == HV_BACKEND_VMX;

	if (backend <= 0)
		err("%s: a KVM device (backend and nested paging not reported)", dev);
	else
		err("%s: hv, backend %s, %ld-level %s", dev, vmx ? "vmx" : "svm",
		    levels, vmx ? "EPT" : "NPT");
}

int main(int argc, char **argv)
{
	struct hv_vcpu vcpu = { .fd = -1 };
	struct hv_vm vm = { .dev_fd = -1, .vm_fd = -1 };
	enum image_kind kind;
	struct options o;
	unsigned char *img;
	uint64_t entry = 0;
	size_t size;
	bool sys_area;
	int r, status = EXIT_SETUP;

	if (argv[0] && *argv[0]) {
		prog = strrchr(argv[0], '/');
		prog = prog ? prog + 1 : argv[0];
	}
	if (parse_args(argc, argv, &o))
		return EXIT_USAGE;

	img = read_file(o.guest, &size);
	if (!img)
		return EXIT_SETUP;
	kind = image_kind(img, size);

	if (o.mode == MODE_NONE)
		o.mode = kind == IMAGE_ELF64 ? MODE_LONG4 :
			 kind == IMAGE_ELF32 ? MODE_PROT32 : MODE_REAL;
	if ((kind == IMAGE_ELF64 && o.mode != MODE_LONG4 &&
	     o.mode != MODE_LONG5) ||
	    (kind == IMAGE_ELF32 && o.mode != MODE_PROT32)) {
		err("%s: a %s ELF file cannot start in %s mode", o.guest,
		    kind == IMAGE_ELF64 ? "64-bit" : "32-bit",
		    mode_names[o.mode]);
		free(img);
		return EXIT_USAGE;
	}
	if (kind != IMAGE_FLAT && o.have_load) {
		err("--load is for flat binaries; ELF segments go to their p_paddr");
		free(img);
		return EXIT_USAGE;
	}
	sys_area = o.mode != MODE_REAL;

	r = hv_vm_create(&vm, o.dev);
	if (r) {
		err("%s: %s%s", o.dev, hv_strerror(r),
		    r == -EPROTONOSUPPORT ? " (KVM API version is not 12)" : "");
		goto out;
	}
	r = hv_mem_add(&vm, 0, o.mem_mb << 20, 0, NULL);
	if (r) {
		err("adding %llu MiB of guest RAM: %s",
		    (unsigned long long)o.mem_mb, hv_strerror(r));
		goto out;
	}

	if (kind == IMAGE_FLAT) {
		if (!o.have_load)
			o.load = o.mode == MODE_REAL ? REAL_LOAD : PROT_LOAD;
		if (place(&vm, &o, sys_area, o.load, img, size, size))
			goto out;
		entry = o.load;
	} else if (load_elf(&vm, &o, sys_area, img, size, &entry)) {
		goto out;
	}
	if (o.have_entry)
		entry = o.entry;

	r = hv_vcpu_create(&vm, &vcpu, 0);
	if (r) {
		err("creating vCPU 0: %s", hv_strerror(r));
		goto out;
	}
	r = hv_vcpu_init_cpuid(&vcpu);
	if (r) {
		err("setting the vCPU's CPUID: %s", hv_strerror(r));
		goto out;
	}
	r = setup_mode(&vcpu, &o, o.mode, entry);
	if (r) {
		status = r;
		goto out;
	}

	if (o.verbose)
		describe_hypervisor(&vm, o.dev);
	if (o.verbose)
		err("%s: %llu MiB of RAM at GPA 0, %s mode, entry 0x%llx, guest %s (%s, %zu bytes)",
		    o.dev, (unsigned long long)o.mem_mb, mode_names[o.mode],
		    (unsigned long long)entry, o.guest,
		    kind == IMAGE_FLAT ? "flat binary" :
		    kind == IMAGE_ELF64 ? "64-bit ELF" : "32-bit ELF", size);

	status = run_guest(&vcpu, &o);
	if (o.timeout)
		disarm_timeout();
out:
	hv_vcpu_destroy(&vcpu);
	hv_vm_destroy(&vm);
	free(img);
	return status;
}
