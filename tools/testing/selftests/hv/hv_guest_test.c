// SPDX-License-Identifier: GPL-2.0-only
/*
 * First guests: real and protected mode, port I/O, CPUID, HLT, lazily
 * mapped memory, triple fault, signals, immediate_exit, exceptions, and the
 * bad inputs of the vCPU and memslot ioctls.
 */
#include <pthread.h>
#include <stdarg.h>
#include <sched.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#include "hv_guest.h"

static double hv_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

HV_GUEST_CODE(g_real_io, 16,
	      "mov $0x42, %al\n"
	      "out %al, $0x10\n"
	      "mov $0x1234, %ax\n"
	      "out %ax, $0x11\n"
	      "mov $0xdeadbeef, %eax\n"
	      "mov $0x12, %dx\n"
	      "out %eax, %dx\n"
	      "in $0x13, %al\n"		/* userspace supplies 0x5a */
	      "out %al, $0x14\n"
	      "mov $0x11223344, %eax\n"
	      "in $0x15, %ax\n"		/* 0xbeef: upper half of EAX kept */
	      "out %eax, $0x16\n"
	      "in $0x17, %eax\n"		/* 0xcafef00d */
	      "out %eax, $0x18\n"
	      "movb $0x99, 0x3000\n"
	      "hlt\n"
	      "out %al, $0x19\n"
	      "hlt\n");

HV_TEST(real_mode_port_io_and_hlt)
{
	struct hv_guest g;

	hv_guest_init(&g, 1 << 20);
	hv_guest_real_mode(&g, g.vcpu, 0x1000, g_real_io_start, g_real_io_end);
	HV_ASSERT_OUT(&g, 0x10, 1, 0x42);
	HV_ASSERT_OUT(&g, 0x11, 2, 0x1234);
	HV_ASSERT_OUT(&g, 0x12, 4, 0xdeadbeef);
	HV_ASSERT_EXIT(&g, KVM_EXIT_IO);
	HV_ASSERT_EQ(g.run->io.direction, KVM_EXIT_IO_IN);
	HV_ASSERT_EQ(g.run->io.port, 0x13);
	*((uint8_t *)g.run + g.run->io.data_offset) = 0x5a;
	HV_ASSERT_OUT(&g, 0x14, 1, 0x5a);
	HV_ASSERT_EXIT(&g, KVM_EXIT_IO);
	HV_ASSERT_EQ(g.run->io.size, 2);
	memcpy((uint8_t *)g.run + g.run->io.data_offset, "\xef\xbe", 2);
	HV_ASSERT_OUT(&g, 0x16, 4, 0x1122beef);
	HV_ASSERT_EXIT(&g, KVM_EXIT_IO);
	memcpy((uint8_t *)g.run + g.run->io.data_offset, "\x0d\xf0\xfe\xca", 4);
	HV_ASSERT_OUT(&g, 0x18, 4, 0xcafef00d);
	HV_ASSERT_EXIT(&g, KVM_EXIT_HLT);
	HV_ASSERT_EQ(g.mem[0x3000], 0x99);
	/* KVM_RUN after HLT resumes after it. */
	HV_ASSERT_OUT(&g, 0x19, 1, 0x0d);
}

HV_GUEST_CODE(g_cpuid, 16,
	      "xor %eax, %eax\n"
	      "cpuid\n"
	      "out %eax, $0x10\n"
	      "mov %ebx, %eax\n"
	      "out %eax, $0x11\n"
	      "mov $7, %eax\n"
	      "mov $1, %ecx\n"
	      "cpuid\n"
	      "mov %edx, %eax\n"
	      "out %eax, $0x12\n"
	      "mov $7, %eax\n"
	      "xor %ecx, %ecx\n"
	      "cpuid\n"
	      "mov %edx, %eax\n"
	      "out %eax, $0x13\n"
	      "mov $0x4000, %eax\n"		/* above the highest basic leaf */
	      "xor %ecx, %ecx\n"
	      "cpuid\n"
	      "or %ebx, %eax\n"
	      "or %ecx, %eax\n"
	      "or %edx, %eax\n"
	      "out %eax, $0x14\n"
	      "hlt\n");

HV_TEST(cpuid_returns_set_cpuid2_values)
{
	struct {
		struct kvm_cpuid2 c;
		struct kvm_cpuid_entry2 e[3];
	} t = {
		.c.nent = 3,
		.e = {
			/* "GenuineIntel": Intel's rules for leaves out of range */
			{ .function = 0, .eax = 7, .ebx = 0x756e6547, .edx = 0x49656e69,
			  .ecx = 0x6c65746e },
			{ .function = 7, .index = 0, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
			  .edx = 0x700 },
			{ .function = 7, .index = 1, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
			  .edx = 0x701 },
		},
	};
	struct hv_guest g;

	hv_guest_init(&g, 1 << 20);
	HV_ASSERT_OK(ioctl(g.vcpu, KVM_SET_CPUID2, &t));
	hv_guest_real_mode(&g, g.vcpu, 0x1000, g_cpuid_start, g_cpuid_end);
	HV_ASSERT_OUT(&g, 0x10, 4, 7);
	HV_ASSERT_OUT(&g, 0x11, 4, 0x756e6547);
	HV_ASSERT_OUT(&g, 0x12, 4, 0x701);
	HV_ASSERT_OUT(&g, 0x13, 4, 0x700);
	/* As KVM on Intel: the highest basic leaf (7.0) answers. */
	HV_ASSERT_OUT(&g, 0x14, 4, 0x700);
	HV_ASSERT_EXIT(&g, KVM_EXIT_HLT);
}

/* Writes its index to the first dword of 4096 pages from 1 MiB on. */
HV_GUEST_CODE(g_touch, 32,
	      "mov $0x100000, %edi\n"
	      "xor %ecx, %ecx\n"
	      "1: mov %ecx, (%edi)\n"
	      "add $4096, %edi\n"
	      "inc %ecx\n"
	      "cmp $4096, %ecx\n"
	      "jne 1b\n"
	      "hlt\n");

HV_TEST(protected_mode_4096_pages_first_touched)
{
	struct hv_guest g;
	double t0, t1;
	int i;

	hv_guest_init(&g, 32 << 20);
	hv_guest_prot32(&g, g.vcpu, 0x1000, g_touch_start, g_touch_end);
	t0 = hv_now();
	HV_ASSERT_EXIT(&g, KVM_EXIT_HLT);
	t1 = hv_now();
	for (i = 0; i < 4096; i++) {
		uint32_t v;

		memcpy(&v, g.mem + 0x100000 + (size_t)i * 4096, 4);
		HV_ASSERT(v == (uint32_t)i, "page %d holds %u", i, v);
	}
	hv_diag("4096 first-touched pages: %.1f us/page (machine time)",
		(t1 - t0) * 1e6 / 4096);
}

/* No IDT entries: any exception becomes a triple fault. */
HV_GUEST_CODE(g_triple, 16,
	      "lidt 0x2000\n"
	      "int3\n"
	      "hlt\n");

HV_TEST(triple_fault_is_shutdown)
{
	struct hv_guest g;

	hv_guest_init(&g, 1 << 20);
	memset(g.mem + 0x2000, 0, 6);	/* IDTR: limit 0, base 0 */
	hv_guest_real_mode(&g, g.vcpu, 0x1000, g_triple_start, g_triple_end);
	HV_ASSERT_EXIT(&g, KVM_EXIT_SHUTDOWN);
}

/* #GP from an unknown MSR goes through the guest's IVT. */
HV_GUEST_CODE(g_gp, 16,
	      /* IVT[13] = 0000:handler (the code is loaded at 0x1000) */
	      "movw $(g_gp_handler - g_gp_start + 0x1000), 13*4\n"
	      "movw $0, 13*4+2\n"
	      "mov $0xdead0000, %ecx\n"
	      "rdmsr\n"
	      "out %al, $0x10\n"		/* not reached */
	      "hlt\n"
	      "g_gp_handler:\n"
	      "mov $0x0d, %al\n"
	      "out %al, $0x11\n"
	      "hlt\n");

HV_TEST(unknown_msr_raises_gp_in_guest)
{
	struct hv_guest g;

	hv_guest_init(&g, 1 << 20);
	hv_guest_real_mode(&g, g.vcpu, 0x1000, g_gp_start, g_gp_end);
	HV_ASSERT_OUT(&g, 0x11, 1, 0x0d);
}

struct hv_msrs {
	struct kvm_msrs h;
	struct kvm_msr_entry e[8];
};

static long hv_msrs(int vcpu, unsigned long op, struct hv_msrs *m, int n, ...)
{
	va_list ap;
	int i;

	m->h.nmsrs = n;
	va_start(ap, n);
	for (i = 0; i < n; i++) {
		m->e[i].index = va_arg(ap, unsigned int);
		m->e[i].data = va_arg(ap, unsigned long long);
	}
	va_end(ap);
	return ioctl(vcpu, op, m);
}

HV_TEST(get_set_msrs_count_and_values)
{
	struct hv_msrs m;
	struct hv_guest g;

	hv_guest_init(&g, 1 << 20);
	/* Each kind of storage: VMCB, the core's table, the TSC offset. */
	HV_ASSERT_EQ(hv_msrs(g.vcpu, KVM_SET_MSRS, &m, 6,
			     0xc0000081, 0x0023001000000000ULL,	/* STAR */
			     0x174, 0x10ULL,				/* SYSENTER_CS */
			     0x277, 0x0007040600070406ULL,		/* PAT */
			     0x2ff, 0xc06ULL,				/* MTRRdefType */
			     0x17a, 0ULL,				/* MCG_STATUS */
			     0x10, 1ULL << 40), 6);			/* TSC */
	HV_ASSERT_EQ(hv_msrs(g.vcpu, KVM_GET_MSRS, &m, 5, 0xc0000081, 0ULL,
			     0x174, 0ULL, 0x277, 0ULL, 0x2ff, 0ULL, 0x10, 0ULL), 5);
	HV_ASSERT_EQ(m.e[0].data, 0x0023001000000000ULL);
	HV_ASSERT_EQ(m.e[1].data, 0x10);
	HV_ASSERT_EQ(m.e[2].data, 0x0007040600070406ULL);
	HV_ASSERT_EQ(m.e[3].data, 0xc06);
	HV_ASSERT(m.e[4].data >= 1ULL << 40, "TSC went backwards: %llx",
		  (unsigned long long)m.e[4].data);
	/* Processing stops at the first MSR that fails: its index is the count. */
	HV_ASSERT_EQ(hv_msrs(g.vcpu, KVM_SET_MSRS, &m, 3, 0x175, 0x1234ULL,
			     0xdead0000, 0ULL, 0x176, 0x5678ULL), 1);
	HV_ASSERT_EQ(hv_msrs(g.vcpu, KVM_SET_MSRS, &m, 1, 0x277, 0x0202020202020202ULL), 0);
	HV_ASSERT_EQ(hv_msrs(g.vcpu, KVM_GET_MSRS, &m, 2, 0x175, 0ULL, 0x176, 0ULL), 2);
	HV_ASSERT_EQ(m.e[0].data, 0x1234);
	HV_ASSERT_EQ(m.e[1].data, 0);
	m.h.nmsrs = 256;
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_GET_MSRS, &m), E2BIG);
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_GET_MSRS, NULL), EFAULT);
}

/* The guest sees what the host set, and the host what the guest wrote. */
HV_GUEST_CODE(g_msr, 16,
	      "mov $0xc0000081, %ecx\n"	/* STAR, set by the host */
	      "rdmsr\n"
	      "out %eax, $0x10\n"
	      "mov %edx, %eax\n"
	      "out %eax, $0x11\n"
	      "mov $0xc0000082, %ecx\n"	/* LSTAR: a canonical address */
	      "mov $0x89abcdef, %eax\n"
	      "mov $0xffffffff, %edx\n"
	      "wrmsr\n"
	      "rdtsc\n"
	      "out %eax, $0x12\n"
	      "mov %edx, %eax\n"
	      "out %eax, $0x13\n"
	      "hlt\n");

HV_TEST(guest_and_host_share_msrs)
{
	struct hv_msrs m;
	struct hv_guest g;
	uint64_t tsc;

	hv_guest_init(&g, 1 << 20);
	hv_guest_real_mode(&g, g.vcpu, 0x1000, g_msr_start, g_msr_end);
	HV_ASSERT_EQ(hv_msrs(g.vcpu, KVM_SET_MSRS, &m, 2,
			     0xc0000081, 0x1122334455667788ULL, 0x10, 5ULL << 40), 2);
	HV_ASSERT_OUT(&g, 0x10, 4, 0x55667788);
	HV_ASSERT_OUT(&g, 0x11, 4, 0x11223344);
	HV_ASSERT_EXIT(&g, KVM_EXIT_IO);
	HV_ASSERT_EQ(g.run->io.port, 0x12);
	tsc = hv_io_data(&g);
	HV_ASSERT_EXIT(&g, KVM_EXIT_IO);
	tsc |= hv_io_data(&g) << 32;
	HV_ASSERT(tsc >= 5ULL << 40, "guest TSC %llx below what the host set",
		  (unsigned long long)tsc);
	HV_ASSERT_EXIT(&g, KVM_EXIT_HLT);
	HV_ASSERT_EQ(hv_msrs(g.vcpu, KVM_GET_MSRS, &m, 1, 0xc0000082, 0ULL), 1);
	HV_ASSERT_EQ(m.e[0].data, 0xffffffff89abcdefULL);
}

/* EFER.SVME is never the guest's: #GP, through the IVT. */
HV_GUEST_CODE(g_efer, 16,
	      "movw $(g_efer_handler - g_efer_start + 0x1000), 13*4\n"
	      "movw $0, 13*4+2\n"
	      "mov $0xc0000080, %ecx\n"
	      "rdmsr\n"
	      "or $0x1000, %eax\n"
	      "wrmsr\n"
	      "out %al, $0x10\n"		/* not reached */
	      "hlt\n"
	      "g_efer_handler:\n"
	      "rdmsr\n"
	      "out %eax, $0x11\n"
	      "hlt\n");

HV_TEST(guest_cannot_set_efer_svme)
{
	struct hv_guest g;

	hv_guest_init(&g, 1 << 20);
	hv_guest_real_mode(&g, g.vcpu, 0x1000, g_efer_start, g_efer_end);
	HV_ASSERT_OUT(&g, 0x11, 4, 0);	/* #GP, and EFER unchanged */
}

HV_GUEST_CODE(g_vmmcall, 16,
	      "mov $12345, %eax\n"
	      "vmmcall\n"
	      "out %eax, $0x10\n"
	      "hlt\n");

HV_TEST(unknown_hypercall_returns_enosys)
{
	struct hv_guest g;
	char backend[16];

	hv_guest_init(&g, 1 << 20);
	hv_sysfs_read("backend", backend, sizeof(backend));
	if (strcmp(backend, "svm"))
		HV_SKIP("VMMCALL is AMD's; VMCALL comes with the VMX vCPU work");
	hv_guest_real_mode(&g, g.vcpu, 0x1000, g_vmmcall_start, g_vmmcall_end);
	HV_ASSERT_OUT(&g, 0x10, 4, (uint32_t)-1000);	/* -KVM_ENOSYS */
}

HV_GUEST_CODE(g_spin, 16,
	      "1: jmp 1b\n");

static void hv_noop_handler(int sig)
{
	(void)sig;
}

HV_TEST(signal_interrupts_spinning_guest)
{
	struct sigaction sa = { .sa_handler = hv_noop_handler };
	struct itimerval it = { .it_value.tv_usec = 200000 };
	struct hv_guest g;
	double t0, dt;

	hv_guest_init(&g, 1 << 20);
	hv_guest_real_mode(&g, g.vcpu, 0x1000, g_spin_start, g_spin_end);
	HV_ASSERT_OK(sigaction(SIGALRM, &sa, NULL));
	t0 = hv_now();
	HV_ASSERT_OK(setitimer(ITIMER_REAL, &it, NULL));
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_RUN, 0), EINTR);
	dt = hv_now() - t0;
	HV_ASSERT_EQ(g.run->exit_reason, KVM_EXIT_INTR);
	hv_diag("KVM_RUN returned %.1f ms after it started (signal at 200 ms)", dt * 1e3);
	HV_ASSERT(dt < 5.0, "KVM_RUN took %.2f s to notice the signal", dt);

	/* A blocked signal does not interrupt, as with KVM_SET_SIGNAL_MASK. */
	HV_ASSERT_OK(ioctl(g.vcpu, KVM_SET_SIGNAL_MASK, NULL));
}

HV_TEST(immediate_exit_returns_eintr)
{
	struct hv_guest g;

	hv_guest_init(&g, 1 << 20);
	hv_guest_real_mode(&g, g.vcpu, 0x1000, g_real_io_start, g_real_io_end);
	g.run->immediate_exit = 1;
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_RUN, 0), EINTR);
	HV_ASSERT_EQ(g.run->exit_reason, KVM_EXIT_INTR);
	g.run->immediate_exit = 0;
	HV_ASSERT_OUT(&g, 0x10, 1, 0x42);
	/* The pending OUT completes before immediate_exit is honoured. */
	g.run->immediate_exit = 1;
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_RUN, 0), EINTR);
	g.run->immediate_exit = 0;
	HV_ASSERT_OUT(&g, 0x11, 2, 0x1234);
}

/* Counts to 2^24 in its own page, then halts. */
HV_GUEST_CODE(g_count, 32,
	      "xor %eax, %eax\n"
	      "1: inc %eax\n"
	      "mov %eax, (%esi)\n"
	      "cmp $0x1000000, %eax\n"
	      "jne 1b\n"
	      "hlt\n");

struct hv_vcpu_thread {
	struct hv_guest *g;
	int vcpu;
	struct kvm_run *run;
	int cpu;
	double start, end;
	int exit_reason;
};

static void *hv_vcpu_thread(void *arg)
{
	struct hv_vcpu_thread *t = arg;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(t->cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	t->start = hv_now();
	t->exit_reason = ioctl(t->vcpu, KVM_RUN, 0) ? -errno : (int)t->run->exit_reason;
	t->end = hv_now();
	return NULL;
}

HV_TEST(two_vcpus_run_at_once_on_two_cpus)
{
	struct hv_vcpu_thread t[2];
	pthread_t th[2];
	struct hv_guest g;
	struct kvm_regs regs;
	int i;

	if (hv_online_cpus() < 2)
		HV_SKIP("needs two online CPUs");
	hv_guest_init(&g, 1 << 20);
	for (i = 0; i < 2; i++) {
		t[i] = (struct hv_vcpu_thread){ .g = &g, .cpu = i };
		t[i].vcpu = i ? hv_guest_create_vcpu(&g, 1) : g.vcpu;
		t[i].run = i ? hv_guest_map_run(&g, t[i].vcpu) : g.run;
		hv_guest_prot32(&g, t[i].vcpu, 0x1000, g_count_start, g_count_end);
		HV_ASSERT_OK(ioctl(t[i].vcpu, KVM_GET_REGS, &regs));
		regs.rsi = 0x10000 + i * 0x1000;
		HV_ASSERT_OK(ioctl(t[i].vcpu, KVM_SET_REGS, &regs));
	}
	for (i = 0; i < 2; i++)
		HV_ASSERT_EQ(pthread_create(&th[i], NULL, hv_vcpu_thread, &t[i]), 0);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < 2; i++) {
		uint32_t v;

		HV_ASSERT_EQ(t[i].exit_reason, KVM_EXIT_HLT);
		memcpy(&v, g.mem + 0x10000 + i * 0x1000, 4);
		HV_ASSERT_EQ(v, 0x1000000);
	}
	hv_diag("vCPU 0 ran %.3f-%.3f s, vCPU 1 %.3f-%.3f s", 0.0, t[0].end - t[0].start,
		t[1].start - t[0].start, t[1].end - t[0].start);
	HV_ASSERT(t[0].start < t[1].end && t[1].start < t[0].end,
		  "the two vCPUs never ran at the same time");
}

HV_GUEST_CODE(g_strio, 16,
	      "cld\n"
	      "mov $0x2000, %si\n"		/* "hello, world" */
	      "mov $12, %cx\n"
	      "mov $0x3f8, %dx\n"
	      "rep outsb\n"
	      "mov %cx, %ax\n"
	      "out %ax, $0x10\n"		/* CX is 0 */
	      "mov %si, %ax\n"
	      "out %ax, $0x11\n"		/* SI moved by 12 */
	      "mov $0x4000, %di\n"
	      "mov $3, %cx\n"
	      "mov $0x60, %dx\n"
	      "rep insw\n"
	      "mov %di, %ax\n"
	      "out %ax, $0x12\n"
	      "mov $0x2ff8, %si\n"		/* 16 bytes across a page boundary */
	      "mov $16, %cx\n"
	      "mov $0x3f8, %dx\n"
	      "rep outsb\n"
	      "std\n"
	      "mov $0x2003, %si\n"		/* backwards: \"lleh\" */
	      "mov $4, %cx\n"
	      "rep outsb\n"
	      "cld\n"
	      "mov $0x200, %ax\n"		/* FS = 0x200: base 0x2000 */
	      "mov %ax, %fs\n"
	      "xor %si, %si\n"
	      "fs outsb\n"			/* one byte, 'h' */
	      "hlt\n");

static void expect_string_out(struct hv_guest *g, int port, const char *want, int size)
{
	int len = strlen(want);

	HV_ASSERT_EXIT(g, KVM_EXIT_IO);
	HV_ASSERT_EQ(g->run->io.direction, KVM_EXIT_IO_OUT);
	HV_ASSERT_EQ(g->run->io.port, port);
	HV_ASSERT_EQ(g->run->io.size, size);
	HV_ASSERT_EQ(g->run->io.count * size, len);
	HV_ASSERT(!memcmp((uint8_t *)g->run + g->run->io.data_offset, want, len),
		  "data '%.*s', want '%s'", len,
		  (char *)g->run + g->run->io.data_offset, want);
}

HV_TEST(string_port_io)
{
	struct hv_guest g;

	hv_guest_init(&g, 1 << 20);
	memcpy(g.mem + 0x2000, "hello, world", 12);
	memcpy(g.mem + 0x2ff8, "0123456789abcdef", 16);
	hv_guest_real_mode(&g, g.vcpu, 0x1000, g_strio_start, g_strio_end);
	expect_string_out(&g, 0x3f8, "hello, world", 1);
	HV_ASSERT_OUT(&g, 0x10, 2, 0);
	HV_ASSERT_OUT(&g, 0x11, 2, 0x200c);
	HV_ASSERT_EXIT(&g, KVM_EXIT_IO);
	HV_ASSERT_EQ(g.run->io.direction, KVM_EXIT_IO_IN);
	HV_ASSERT_EQ(g.run->io.size, 2);
	HV_ASSERT_EQ(g.run->io.count, 3);
	memcpy((uint8_t *)g.run + g.run->io.data_offset, "\x11\x22\x33\x44\x55\x66", 6);
	HV_ASSERT_OUT(&g, 0x12, 2, 0x4006);
	HV_ASSERT(!memcmp(g.mem + 0x4000, "\x11\x22\x33\x44\x55\x66", 6),
		  "INS data not in guest memory");
	/* One page at a time: 8 bytes, then the next 8. */
	expect_string_out(&g, 0x3f8, "01234567", 1);
	expect_string_out(&g, 0x3f8, "89abcdef", 1);
	expect_string_out(&g, 0x3f8, "lleh", 1);
	expect_string_out(&g, 0x3f8, "h", 1);
	HV_ASSERT_EXIT(&g, KVM_EXIT_HLT);
}

#define MMIO_BASE 0xd0000000u	/* no memslot there */

HV_GUEST_CODE(g_mmio, 32,
	      "mov $0xd0000000, %ebx\n"
	      "movb $0x11, (%ebx)\n"
	      "movw $0x2233, 2(%ebx)\n"
	      "movl $0x44556677, 4(%ebx)\n"
	      "mov 8(%ebx), %al\n"
	      "out %al, $0x10\n"
	      "mov $0xaaaa5555, %eax\n"
	      "mov 10(%ebx), %ax\n"		/* upper half of EAX kept */
	      "out %eax, $0x11\n"
	      "mov 12(%ebx), %eax\n"
	      "out %eax, $0x12\n"
	      "movsbl 16(%ebx), %ecx\n"
	      "mov %ecx, %eax\n"
	      "out %eax, $0x13\n"
	      "movzwl 18(%ebx), %ecx\n"
	      "mov %ecx, %eax\n"
	      "out %eax, $0x14\n"
	      "orl $0x100, 20(%ebx)\n"	/* read, then write the result */
	      "hlt\n");

static void expect_mmio(struct hv_guest *g, uint64_t addr, int len, int write,
			uint64_t wdata)
{
	uint64_t d = 0;

	HV_ASSERT_EXIT(g, KVM_EXIT_MMIO);
	HV_ASSERT_EQ(g->run->mmio.phys_addr, addr);
	HV_ASSERT_EQ(g->run->mmio.len, len);
	HV_ASSERT_EQ(g->run->mmio.is_write, write);
	if (write) {
		memcpy(&d, g->run->mmio.data, len);
		HV_ASSERT_EQ(d, wdata);
	}
}

static void reply_mmio(struct hv_guest *g, uint64_t data)
{
	memcpy(g->run->mmio.data, &data, sizeof(data));
}

HV_TEST(mmio_sizes_both_ways)
{
	struct hv_guest g;

	hv_guest_init(&g, 1 << 20);
	hv_guest_prot32(&g, g.vcpu, 0x1000, g_mmio_start, g_mmio_end);
	expect_mmio(&g, MMIO_BASE, 1, 1, 0x11);
	expect_mmio(&g, MMIO_BASE + 2, 2, 1, 0x2233);
	expect_mmio(&g, MMIO_BASE + 4, 4, 1, 0x44556677);
	expect_mmio(&g, MMIO_BASE + 8, 1, 0, 0);
	reply_mmio(&g, 0x9a);
	HV_ASSERT_OUT(&g, 0x10, 1, 0x9a);
	expect_mmio(&g, MMIO_BASE + 10, 2, 0, 0);
	reply_mmio(&g, 0xbeef);
	HV_ASSERT_OUT(&g, 0x11, 4, 0xaaaabeef);
	expect_mmio(&g, MMIO_BASE + 12, 4, 0, 0);
	reply_mmio(&g, 0x12345678);
	HV_ASSERT_OUT(&g, 0x12, 4, 0x12345678);
	expect_mmio(&g, MMIO_BASE + 16, 1, 0, 0);
	reply_mmio(&g, 0x80);
	HV_ASSERT_OUT(&g, 0x13, 4, 0xffffff80);	/* sign-extended */
	expect_mmio(&g, MMIO_BASE + 18, 2, 0, 0);
	reply_mmio(&g, 0x8001);
	HV_ASSERT_OUT(&g, 0x14, 4, 0x8001);	/* zero-extended */
	expect_mmio(&g, MMIO_BASE + 20, 4, 0, 0);
	reply_mmio(&g, 0x1);
	expect_mmio(&g, MMIO_BASE + 20, 4, 1, 0x101);
	HV_ASSERT_EXIT(&g, KVM_EXIT_HLT);
}

/* Reads and writes a read-only slot at 2 MiB. */
HV_GUEST_CODE(g_ro, 32,
	      "mov $0x200000, %ebx\n"
	      "mov (%ebx), %eax\n"
	      "out %eax, $0x10\n"
	      "movl $0xfeedface, (%ebx)\n"
	      "mov (%ebx), %eax\n"
	      "out %eax, $0x11\n"
	      "hlt\n");

HV_TEST(readonly_memslot_reads_and_traps_writes)
{
	struct kvm_userspace_memory_region r = {
		.slot = 1, .flags = KVM_MEM_READONLY, .guest_phys_addr = 0x200000,
		.memory_size = 0x1000,
	};
	struct hv_guest g;
	uint32_t *ro;

	hv_guest_init(&g, 1 << 20);
	ro = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	HV_ASSERT(ro != MAP_FAILED, "mmap");
	*ro = 0xc0ffee;
	r.userspace_addr = (uintptr_t)ro;
	HV_ASSERT_OK(ioctl(g.vm, KVM_SET_USER_MEMORY_REGION, &r));
	hv_guest_prot32(&g, g.vcpu, 0x1000, g_ro_start, g_ro_end);
	HV_ASSERT_OUT(&g, 0x10, 4, 0xc0ffee);
	expect_mmio(&g, 0x200000, 4, 1, 0xfeedface);
	HV_ASSERT_OUT(&g, 0x11, 4, 0xc0ffee);	/* memory unchanged */
	HV_ASSERT_EQ(*ro, 0xc0ffee);
	HV_ASSERT_EXIT(&g, KVM_EXIT_HLT);
}

/* Reads 3 MiB twice, with an OUT between for the host to act. */
HV_GUEST_CODE(g_slot, 32,
	      "1: mov 0x300000, %eax\n"
	      "out %eax, $0x10\n"
	      "jmp 1b\n");

HV_TEST(memslot_add_delete_while_vm_lives)
{
	struct kvm_userspace_memory_region r = {
		.slot = 2, .guest_phys_addr = 0x300000, .memory_size = 0x1000,
	};
	struct hv_guest g;
	uint32_t *mem;

	hv_guest_init(&g, 1 << 20);
	mem = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	HV_ASSERT(mem != MAP_FAILED, "mmap");
	*mem = 0x5107;
	r.userspace_addr = (uintptr_t)mem;
	HV_ASSERT_OK(ioctl(g.vm, KVM_SET_USER_MEMORY_REGION, &r));
	hv_guest_prot32(&g, g.vcpu, 0x1000, g_slot_start, g_slot_end);
	HV_ASSERT_OUT(&g, 0x10, 4, 0x5107);
	/* Deleted: the mapping the guest used is gone; the read is MMIO now. */
	r.memory_size = 0;
	HV_ASSERT_OK(ioctl(g.vm, KVM_SET_USER_MEMORY_REGION, &r));
	expect_mmio(&g, 0x300000, 4, 0, 0);
	reply_mmio(&g, 0xdead);
	HV_ASSERT_OUT(&g, 0x10, 4, 0xdead);
	/* Back again, and moved host pages are seen too. */
	r.memory_size = 0x1000;
	HV_ASSERT_OK(ioctl(g.vm, KVM_SET_USER_MEMORY_REGION, &r));
	*mem = 0xa9a1;
	HV_ASSERT_OUT(&g, 0x10, 4, 0xa9a1);
}

/* The host unmaps guest RAM under the guest: the MMU notifier zaps it. */
HV_TEST(host_munmap_is_seen_by_the_guest)
{
	struct kvm_userspace_memory_region r = {
		.slot = 2, .guest_phys_addr = 0x300000, .memory_size = 0x1000,
	};
	struct hv_guest g;
	uint32_t *mem;

	hv_guest_init(&g, 1 << 20);
	mem = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	HV_ASSERT(mem != MAP_FAILED, "mmap");
	*mem = 0x1111;
	r.userspace_addr = (uintptr_t)mem;
	HV_ASSERT_OK(ioctl(g.vm, KVM_SET_USER_MEMORY_REGION, &r));
	hv_guest_prot32(&g, g.vcpu, 0x1000, g_slot_start, g_slot_end);
	HV_ASSERT_OUT(&g, 0x10, 4, 0x1111);
	/* A new page at the same address: the guest must see the new one. */
	HV_ASSERT(mmap(mem, 0x1000, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == mem, "remap");
	*mem = 0x2222;
	HV_ASSERT_OUT(&g, 0x10, 4, 0x2222);
	/* Gone entirely: KVM_RUN fails with EFAULT, like KVM. */
	HV_ASSERT_OK(munmap(mem, 0x1000));
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_RUN, 0), EFAULT);
}

/* 8-byte MMIO and a CR4 report, from 64-bit mode. */
HV_GUEST_CODE(g_long, 64,
	      "mov %cr4, %rax\n"
	      "out %eax, $0x10\n"
	      "mov $0x20000000, %rbx\n"	/* mapped, but in no memslot */
	      "mov $0x1122334455667788, %rax\n"
	      "mov %rax, (%rbx)\n"
	      "mov 8(%rbx), %rax\n"
	      "out %eax, $0x11\n"
	      "shr $32, %rax\n"
	      "out %eax, $0x12\n"
	      "movb $0x77, 0x90000\n"	/* RAM through the guest's page tables */
	      "hlt\n");

static void long_mode_guest(int levels)
{
	struct hv_guest g;

	hv_guest_init(&g, 1 << 20);
	hv_guest_long64(&g, g.vcpu, levels, 0x1000, g_long_start, g_long_end);
	HV_ASSERT_EXIT(&g, KVM_EXIT_IO);
	if (levels == 5 && !(hv_io_data(&g) & 0x1000))
		HV_FAIL("CR4.LA57 is clear in a 5-level guest");
	expect_mmio(&g, 0x20000000, 8, 1, 0x1122334455667788ULL);
	expect_mmio(&g, 0x20000008, 8, 0, 0);
	reply_mmio(&g, 0xaabbccdd99887766ULL);
	HV_ASSERT_OUT(&g, 0x11, 4, 0x99887766);
	HV_ASSERT_OUT(&g, 0x12, 4, 0xaabbccdd);
	HV_ASSERT_EXIT(&g, KVM_EXIT_HLT);
	HV_ASSERT_EQ(g.mem[0x90000], 0x77);
}

HV_TEST(long_mode_4level_guest_8byte_mmio)
{
	long_mode_guest(4);
}

HV_TEST(long_mode_5level_guest_8byte_mmio)
{
	unsigned int a, b, c, d;

	__cpuid_count(7, 0, a, b, c, d);
	if (!(c & (1u << 16)))
		HV_SKIP("the CPU has no LA57 for 5-level guest paging");
	long_mode_guest(5);
}

/*
 * A state KVM_SET_SREGS accepts but the hardware refuses (CS.L and CS.D
 * both set in long mode): the entry fails, and says so.
 */
HV_TEST(invalid_guest_state_fails_entry)
{
	struct kvm_sregs s;
	struct hv_guest g;

	hv_guest_init(&g, 1 << 20);
	hv_guest_long64(&g, g.vcpu, 4, 0x1000, g_long_start, g_long_end);
	HV_ASSERT_OK(ioctl(g.vcpu, KVM_GET_SREGS, &s));
	s.cs.db = 1;
	HV_ASSERT_OK(ioctl(g.vcpu, KVM_SET_SREGS, &s));
	HV_ASSERT_EXIT(&g, KVM_EXIT_FAIL_ENTRY);
	hv_diag("hardware entry failure reason 0x%llx",
		(unsigned long long)g.run->fail_entry.hardware_entry_failure_reason);
	/* Given a valid state again (as a VMM would after a failure), it runs. */
	hv_guest_long64(&g, g.vcpu, 4, 0x1000, g_long_start, g_long_end);
	HV_ASSERT_EXIT(&g, KVM_EXIT_IO);
}

HV_TEST(memslot_bad_inputs)
{
	int fd = hv_open_dev(), vm = hv_create_vm(fd);
	void *mem = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct kvm_userspace_memory_region r = {
		.slot = 1, .guest_phys_addr = 0x100000, .memory_size = 1 << 20,
		.userspace_addr = (uintptr_t)mem,
	}, bad;

#define BAD(field, value, err) do {					\
	bad = r;							\
	bad.field = (value);						\
	HV_ASSERT_ERRNO(ioctl(vm, KVM_SET_USER_MEMORY_REGION, &bad), err); \
} while (0)
	BAD(flags, 1u << 7, EINVAL);
	BAD(slot, 256, EINVAL);
	BAD(slot, 1u << 16 | 1, EINVAL);		/* address space 1: no SMM */
	BAD(guest_phys_addr, 0x100800, EINVAL);
	BAD(memory_size, 4097, EINVAL);
	BAD(userspace_addr, (uintptr_t)mem + 1, EINVAL);
	BAD(userspace_addr, 0xffff800000000000ULL, EINVAL);	/* kernel address */
	BAD(guest_phys_addr, ~0ULL & ~0xfffULL, EINVAL);	/* wraps */
	bad = r;
	bad.slot = 2;
	bad.memory_size = 0;
	/* Deleting a slot that does not exist. */
	HV_ASSERT_ERRNO(ioctl(vm, KVM_SET_USER_MEMORY_REGION, &bad), EINVAL);
	HV_ASSERT_ERRNO(ioctl(vm, KVM_SET_USER_MEMORY_REGION, NULL), EFAULT);

	HV_ASSERT_OK(ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r));
	/* Overlap with slot 1, from another slot. */
	BAD(slot, 2, EEXIST);
	bad = r;
	bad.slot = 2;
	bad.guest_phys_addr = 0x1ff000;
	HV_ASSERT_ERRNO(ioctl(vm, KVM_SET_USER_MEMORY_REGION, &bad), EEXIST);
	/* A slot's size, host address and read-only flag cannot change. */
	BAD(memory_size, 1 << 19, EINVAL);
	BAD(userspace_addr, (uintptr_t)mem + 4096, EINVAL);
	BAD(flags, KVM_MEM_READONLY, EINVAL);
	/* Moving it is fine; deleting it too, once. */
	bad = r;
	bad.guest_phys_addr = 0x400000;
	HV_ASSERT_OK(ioctl(vm, KVM_SET_USER_MEMORY_REGION, &bad));
	bad.memory_size = 0;
	HV_ASSERT_OK(ioctl(vm, KVM_SET_USER_MEMORY_REGION, &bad));
	HV_ASSERT_ERRNO(ioctl(vm, KVM_SET_USER_MEMORY_REGION, &bad), EINVAL);
#undef BAD
	close(vm);
	close(fd);
}

HV_TEST(vcpu_bad_inputs)
{
	struct {
		struct kvm_cpuid2 c;
		struct kvm_cpuid_entry2 e[2];
	} dup = { .c.nent = 2 };
	struct kvm_cpuid2 big = { .nent = 257 };
	struct kvm_mp_state mp = { .mp_state = 42 };
	struct hv_guest g;
	int status;
	pid_t pid;

	hv_guest_init(&g, 1 << 20);
	HV_ASSERT_ERRNO(ioctl(g.vm, KVM_CREATE_VCPU, 64), EINVAL);
	HV_ASSERT_ERRNO(ioctl(g.vm, KVM_CREATE_VCPU, 0), EEXIST);
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_RUN, 1), EINVAL);
	HV_ASSERT_ERRNO(ioctl(g.vcpu, _IO(KVMIO, 0xff), 0), EINVAL);
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_GET_REGS, NULL), EFAULT);
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_SET_REGS, (void *)8), EFAULT);
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_GET_SREGS, NULL), EFAULT);
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_SET_SREGS, NULL), EFAULT);
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_SET_CPUID2, &big), E2BIG);
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_SET_CPUID2, &dup), EINVAL);
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_SET_CPUID2, NULL), EFAULT);
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_SET_MP_STATE, &mp), EINVAL);
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_SET_SIGNAL_MASK, (void *)8), EFAULT);
	pid = fork();
	if (pid == 0) {
		HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_RUN, 0), EIO);
		exit(0);
	}
	HV_ASSERT_EQ(waitpid(pid, &status, 0), pid);
	HV_ASSERT(WIFEXITED(status) && !WEXITSTATUS(status), "child failed");
	/* After all that, the vCPU still runs. */
	hv_guest_real_mode(&g, g.vcpu, 0x1000, g_real_io_start, g_real_io_end);
	HV_ASSERT_OUT(&g, 0x10, 1, 0x42);
}

HV_TEST(vm_lives_while_vcpu_fd_open)
{
	struct hv_guest g;

	hv_guest_init(&g, 1 << 20);
	hv_guest_real_mode(&g, g.vcpu, 0x1000, g_real_io_start, g_real_io_end);
	close(g.vm);
	close(g.dev);
	HV_ASSERT_EQ(hv_sysfs_long("vms"), 1);
	HV_ASSERT_OUT(&g, 0x10, 1, 0x42);
	/* The kvm_run mapping holds the vCPU file too, as on KVM. */
	munmap(g.run, ioctl(hv_open_dev(), KVM_GET_VCPU_MMAP_SIZE, 0));
	close(g.vcpu);
	HV_ASSERT_EQ(hv_sysfs_long("vms"), 0);
}
