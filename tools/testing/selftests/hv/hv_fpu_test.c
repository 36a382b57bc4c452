// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest's FPU and XSAVE state: KVM_GET/SET_FPU, KVM_GET/SET_XSAVE,
 * KVM_GET_XSAVE2, KVM_GET/SET_XCRS, XSETBV in the guest, their bad inputs,
 * and the host's own FPU state across KVM_RUN.
 */
#include <sys/syscall.h>

#include "hv_guest.h"

/* The standard-format XSAVE image of struct kvm_xsave. */
#define X_FCW		0
#define X_FSW		2
#define X_FTW		4
#define X_MXCSR		24
#define X_ST(i)		(32 + 16 * (i))
#define X_XMM(i)	(160 + 16 * (i))
#define X_XSTATE_BV	512
#define X_XCOMP_BV	520
#define X_HDR_RSVD	528

#define XF_FP		0x1ULL
#define XF_SSE		0x2ULL
#define XF_YMM		0x4ULL
#define XF_PKRU		0x200ULL

#define CR0_EM		0x4ULL
#define CR0_TS		0x8ULL
#define CR4_OSFXSR	0x200ULL
#define CR4_OSXMMEXCPT	0x400ULL
#define CR4_OSXSAVE	0x40000ULL

#define MXCSR_DEFAULT	0x1f80
#define MXCSR_RC_DOWN	0x3f80
#define MXCSR_RC_UP	0x5f80
#define MXCSR_RC_ZERO	0x7f80

static bool host_has_xsave(void)
{
	unsigned int a, b, c, d;

	__cpuid(1, a, b, c, d);
	return c & (1u << 26);
}

/*
 * Is this QEMU's emulator (TCG)?  Its SVM never intercepts XSETBV: the
 * guest writes XCR0 itself and hv's XSETBV exit handler is not reached.
 */
static bool host_is_qemu_tcg(void)
{
	unsigned int a, b, c, d;
	char sig[13];

	__cpuid(1, a, b, c, d);
	if (!(c & (1u << 31)))
		return false;
	__cpuid(0x40000000, a, b, c, d);
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = '\0';
	return !strcmp(sig, "TCGTCGTCGTCG");
}

static uint64_t rd64(const void *p, size_t off)
{
	uint64_t v;

	memcpy(&v, (const uint8_t *)p + off, sizeof(v));
	return v;
}

static uint32_t rd32(const void *p, size_t off)
{
	uint32_t v;

	memcpy(&v, (const uint8_t *)p + off, sizeof(v));
	return v;
}

static uint16_t rd16(const void *p, size_t off)
{
	uint16_t v;

	memcpy(&v, (const uint8_t *)p + off, sizeof(v));
	return v;
}

static void wr64(void *p, size_t off, uint64_t v)
{
	memcpy((uint8_t *)p + off, &v, sizeof(v));
}

static void wr32(void *p, size_t off, uint32_t v)
{
	memcpy((uint8_t *)p + off, &v, sizeof(v));
}

/* 16 recognizable bytes: @seed, @seed + 1, ... */
static void pattern(uint8_t *p, uint8_t seed)
{
	int i;

	for (i = 0; i < 16; i++)
		p[i] = seed + i;
}

static uint32_t pattern_lo32(uint8_t seed)
{
	uint8_t p[16];

	pattern(p, seed);
	return rd32(p, 0);
}

/* The x87 80-bit form of @v, as FXSAVE stores it in a 16-byte slot. */
static void x87_reg(uint8_t *slot, long double v)
{
	memset(slot, 0, 16);
	memcpy(slot, &v, 10);
}

/* KVM_GET_SUPPORTED_CPUID into the vCPU (KVM_SET_CPUID2); its XCR0 mask. */
static uint64_t set_supported_cpuid(struct hv_guest *g)
{
	struct kvm_cpuid2 *c;
	uint64_t xcr0 = 0;
	unsigned int i;

	c = calloc(1, sizeof(*c) + 256 * sizeof(c->entries[0]));
	HV_ASSERT(c, "out of memory");
	c->nent = 256;
	HV_ASSERT_OK(ioctl(g->dev, KVM_GET_SUPPORTED_CPUID, c));
	HV_ASSERT_OK(ioctl(g->vcpu, KVM_SET_CPUID2, c));
	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == 0xd && c->entries[i].index == 0)
			xcr0 = c->entries[i].eax |
			       (uint64_t)c->entries[i].edx << 32;
	free(c);
	return xcr0;
}

/*
 * SSE on (CR4.OSFXSR, CR0.EM/TS clear), CR4.OSXSAVE if asked, and an empty
 * IDT so that any exception in the guest ends in a triple fault.
 */
static void guest_enable_sse(struct hv_guest *g, bool osxsave)
{
	struct kvm_sregs s;

	HV_ASSERT_OK(ioctl(g->vcpu, KVM_GET_SREGS, &s));
	s.cr0 &= ~(CR0_EM | CR0_TS);
	s.cr4 |= CR4_OSFXSR | CR4_OSXMMEXCPT | (osxsave ? CR4_OSXSAVE : 0);
	s.idt.limit = 0;
	HV_ASSERT_OK(ioctl(g->vcpu, KVM_SET_SREGS, &s));
}

static void get_xsave(struct hv_guest *g, struct kvm_xsave *x)
{
	memset(x, 0xcc, sizeof(*x));
	HV_ASSERT_OK(ioctl(g->vcpu, KVM_GET_XSAVE, x));
}

static void get_xcrs(struct hv_guest *g, struct kvm_xcrs *x)
{
	memset(x, 0xcc, sizeof(*x));
	HV_ASSERT_OK(ioctl(g->vcpu, KVM_GET_XCRS, x));
}

static int set_xcr0(struct hv_guest *g, uint64_t value)
{
	struct kvm_xcrs x = { .nr_xcrs = 1 };

	x.xcrs[0].xcr = 0;
	x.xcrs[0].value = value;
	return ioctl(g->vcpu, KVM_SET_XCRS, &x);
}

static uint64_t get_xcr0(struct hv_guest *g)
{
	struct kvm_xcrs x;

	get_xcrs(g, &x);
	HV_ASSERT_EQ(x.nr_xcrs, 1);
	HV_ASSERT_EQ(x.flags, 0);
	HV_ASSERT_EQ(x.xcrs[0].xcr, 0);
	return x.xcrs[0].value;
}

HV_TEST(capabilities)
{
	int dev = hv_open_dev(), vm = hv_create_vm(dev);
	long size;

	if (ioctl(dev, KVM_CHECK_EXTENSION, KVM_CAP_MP_STATE) <= 0)
		HV_SKIP("this backend cannot run vCPUs yet");
	HV_ASSERT_EQ(ioctl(dev, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE), 1);
	HV_ASSERT_EQ(ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE), 1);
	HV_ASSERT_EQ(ioctl(dev, KVM_CHECK_EXTENSION, KVM_CAP_XCRS),
		     host_has_xsave());
	size = ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE2);
	HV_ASSERT(size >= (long)sizeof(struct kvm_xsave), "XSAVE2 size %ld", size);
	HV_ASSERT_EQ(ioctl(dev, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE2), size);
}

HV_TEST(reset_state)
{
	struct kvm_xsave x;
	struct kvm_fpu f;
	struct hv_guest g;

	hv_guest_init(&g, 1 << 20);
	memset(&f, 0xcc, sizeof(f));
	HV_ASSERT_OK(ioctl(g.vcpu, KVM_GET_FPU, &f));
	HV_ASSERT_EQ(f.fcw, 0x37f);
	HV_ASSERT_EQ(f.fsw, 0);
	HV_ASSERT_EQ(f.ftwx, 0);	/* abridged: every register empty */
	HV_ASSERT_EQ(f.mxcsr, MXCSR_DEFAULT);
	get_xsave(&g, &x);
	HV_ASSERT_EQ(rd16(x.region, X_FCW), 0x37f);
	HV_ASSERT_EQ(rd32(x.region, X_MXCSR), MXCSR_DEFAULT);
	HV_ASSERT_EQ(rd64(x.region, X_XCOMP_BV), 0);
	if (host_has_xsave())
		HV_ASSERT_EQ(get_xcr0(&g), XF_FP);
}

/*
 * Stores MXCSR, XMM0 and FCW; adds ST0 (from KVM_SET_FPU) to the double at
 * 0x3028 and stores the sum at 0x3020.
 */
HV_GUEST_CODE(g_fpu_in, 32,
	      "stmxcsr 0x3000\n"
	      "movups %xmm0, 0x3010\n"
	      "movd %xmm0, %eax\n"
	      "out %eax, $0x10\n"
	      "fldl 0x3028\n"
	      "faddp\n"
	      "fstpl 0x3020\n"
	      "fnstcw 0x3030\n"
	      "fnstsw %ax\n"
	      "out %ax, $0x11\n"
	      "hlt\n");

HV_TEST(set_fpu_seen_by_guest)
{
	struct hv_guest g;
	struct kvm_fpu f;
	double sum, two = 2.0;
	uint16_t fcw;

	hv_guest_init(&g, 1 << 20);
	hv_guest_prot32(&g, g.vcpu, 0x1000, g_fpu_in_start, g_fpu_in_end);
	guest_enable_sse(&g, false);
	memcpy(g.mem + 0x3028, &two, sizeof(two));
	/* Before the first KVM_RUN, when the state is still all initial. */
	memset(&f, 0, sizeof(f));
	f.fcw = 0x27f;			/* double precision */
	f.fsw = 0;			/* TOP = 0: ST0 is R0 */
	f.ftwx = 0x01;			/* R0 valid */
	x87_reg(f.fpr[0], 1.5L);
	pattern(f.xmm[0], 0x40);
	pattern(f.xmm[15], 0x70);
	f.mxcsr = MXCSR_RC_ZERO;
	HV_ASSERT_OK(ioctl(g.vcpu, KVM_SET_FPU, &f));

	HV_ASSERT_OUT(&g, 0x10, 4, pattern_lo32(0x40));
	HV_ASSERT_EQ(rd32(g.mem, 0x3000), MXCSR_RC_ZERO);
	HV_ASSERT(!memcmp(g.mem + 0x3010, f.xmm[0], 16), "XMM0 in the guest");
	HV_ASSERT_EXIT(&g, KVM_EXIT_IO);
	HV_ASSERT_EQ(g.run->io.port, 0x11);
	/* No x87 exception: ST0 was a valid register holding 1.5. */
	HV_ASSERT_EQ(hv_io_data(&g) & 0x7f, 0);
	memcpy(&sum, g.mem + 0x3020, sizeof(sum));
	HV_ASSERT(sum == 3.5, "1.5 + 2.0 = %f in the guest", sum);
	memcpy(&fcw, g.mem + 0x3030, sizeof(fcw));
	HV_ASSERT_EQ(fcw, 0x27f);
	HV_ASSERT_EXIT(&g, KVM_EXIT_HLT);
}

/* Loads XMM1, MXCSR and one x87 value, halts, then reports them. */
HV_GUEST_CODE(g_fpu_out, 32,
	      "movups 0x3040, %xmm1\n"
	      "ldmxcsr 0x3050\n"
	      "fldl 0x3058\n"
	      "hlt\n"
	      "movd %xmm1, %eax\n"
	      "out %eax, $0x11\n"
	      "movd %xmm2, %eax\n"
	      "out %eax, $0x12\n"
	      "stmxcsr 0x3060\n"
	      "hlt\n");

static void start_fpu_out(struct hv_guest *g)
{
	double v = 2.5;

	hv_guest_init(g, 1 << 20);
	hv_guest_prot32(g, g->vcpu, 0x1000, g_fpu_out_start, g_fpu_out_end);
	guest_enable_sse(g, false);
	pattern(g->mem + 0x3040, 0x10);
	wr32(g->mem, 0x3050, MXCSR_RC_DOWN);
	memcpy(g->mem + 0x3058, &v, sizeof(v));
	HV_ASSERT_EXIT(g, KVM_EXIT_HLT);
}

HV_TEST(guest_state_in_get_fpu_and_xsave)
{
	uint8_t xmm1[16], st0[16];
	struct kvm_xsave *x2;
	struct kvm_xsave x;
	struct hv_guest g;
	struct kvm_fpu f;
	long size;

	start_fpu_out(&g);
	pattern(xmm1, 0x10);
	x87_reg(st0, 2.5L);

	memset(&f, 0xcc, sizeof(f));
	HV_ASSERT_OK(ioctl(g.vcpu, KVM_GET_FPU, &f));
	HV_ASSERT(!memcmp(f.xmm[1], xmm1, 16), "XMM1 in KVM_GET_FPU");
	HV_ASSERT_EQ(f.mxcsr, MXCSR_RC_DOWN);
	HV_ASSERT(!memcmp(f.fpr[0], st0, 10), "ST0 in KVM_GET_FPU");
	HV_ASSERT_EQ((f.fsw >> 11) & 7, 7);	/* one push: TOP = 7 */
	HV_ASSERT_EQ(f.ftwx, 0x80);		/* R7 valid */
	HV_ASSERT_EQ(f.fcw, 0x37f);

	get_xsave(&g, &x);
	HV_ASSERT(!memcmp((uint8_t *)x.region + X_XMM(1), xmm1, 16),
		  "XMM1 in KVM_GET_XSAVE");
	HV_ASSERT(!memcmp((uint8_t *)x.region + X_ST(0), st0, 10),
		  "ST0 in KVM_GET_XSAVE");
	HV_ASSERT_EQ(rd32(x.region, X_MXCSR), MXCSR_RC_DOWN);
	HV_ASSERT_EQ(rd16(x.region, X_FSW), f.fsw);
	HV_ASSERT_EQ(x.region[X_FTW / 4] & 0xff, 0x80);
	HV_ASSERT_EQ(rd64(x.region, X_XSTATE_BV) & (XF_FP | XF_SSE),
		     XF_FP | XF_SSE);
	HV_ASSERT_EQ(rd64(x.region, X_XCOMP_BV), 0);

	/* KVM_GET_XSAVE2 with the capability's size: the same image. */
	size = ioctl(g.vm, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE2);
	HV_ASSERT(size >= (long)sizeof(x), "XSAVE2 size %ld", size);
	x2 = malloc(size);
	HV_ASSERT(x2, "out of memory");
	memset(x2, 0xcc, size);
	HV_ASSERT_OK(ioctl(g.vcpu, KVM_GET_XSAVE2, x2));
	HV_ASSERT(!memcmp(x2, &x, sizeof(x)), "KVM_GET_XSAVE2 == KVM_GET_XSAVE");
	free(x2);

	/* Reading changed nothing for the guest. */
	HV_ASSERT_OUT(&g, 0x11, 4, pattern_lo32(0x10));
	HV_ASSERT_OUT(&g, 0x12, 4, 0);
	HV_ASSERT_EXIT(&g, KVM_EXIT_HLT);
	HV_ASSERT_EQ(rd32(g.mem, 0x3060), MXCSR_RC_DOWN);
}

HV_TEST(xsave_round_trip)
{
	struct kvm_xsave x, y;
	struct hv_guest g;
	struct kvm_fpu f;
	uint8_t xmm2[16];

	start_fpu_out(&g);
	get_xsave(&g, &x);
	HV_ASSERT_OK(ioctl(g.vcpu, KVM_SET_XSAVE, &x));
	get_xsave(&g, &y);
	HV_ASSERT(!memcmp(&x, &y, sizeof(x)), "GET, SET, GET gives the same image");

	/* A new XMM2 and MXCSR through the image. */
	pattern(xmm2, 0x80);
	memcpy((uint8_t *)x.region + X_XMM(2), xmm2, 16);
	wr32(x.region, X_MXCSR, MXCSR_RC_UP);
	wr64(x.region, X_XSTATE_BV, rd64(x.region, X_XSTATE_BV) | XF_FP | XF_SSE);
	HV_ASSERT_OK(ioctl(g.vcpu, KVM_SET_XSAVE, &x));
	get_xsave(&g, &y);
	HV_ASSERT(!memcmp(&x, &y, sizeof(x)), "the image set is the image read");
	HV_ASSERT_OK(ioctl(g.vcpu, KVM_GET_FPU, &f));
	HV_ASSERT(!memcmp(f.xmm[2], xmm2, 16), "XMM2 in KVM_GET_FPU");
	HV_ASSERT_EQ(f.mxcsr, MXCSR_RC_UP);

	/* The guest sees it; what it had before is kept. */
	HV_ASSERT_OUT(&g, 0x11, 4, pattern_lo32(0x10));
	HV_ASSERT_OUT(&g, 0x12, 4, pattern_lo32(0x80));
	HV_ASSERT_EXIT(&g, KVM_EXIT_HLT);
	HV_ASSERT_EQ(rd32(g.mem, 0x3060), MXCSR_RC_UP);

	/* KVM_GET_FPU, KVM_SET_FPU, KVM_GET_FPU: the same. */
	HV_ASSERT_OK(ioctl(g.vcpu, KVM_GET_FPU, &f));
	HV_ASSERT_OK(ioctl(g.vcpu, KVM_SET_FPU, &f));
	{
		struct kvm_fpu f2;

		HV_ASSERT_OK(ioctl(g.vcpu, KVM_GET_FPU, &f2));
		HV_ASSERT(!memcmp(&f, &f2, sizeof(f)), "FPU round trip");
	}
}

HV_TEST(xsave_bad_inputs)
{
	static const uint64_t bad_bv[] = {
		XF_PKRU,		/* never offered to guests */
		1ULL << 3,		/* MPX */
		1ULL << 18,		/* AMX tile data */
		1ULL << 62,
	};
	struct kvm_xsave good, x, y;
	struct hv_guest g;
	struct kvm_fpu f;
	unsigned int i;

	start_fpu_out(&g);
	get_xsave(&g, &good);

	for (i = 0; i < sizeof(bad_bv) / sizeof(bad_bv[0]); i++) {
		x = good;
		wr64(x.region, X_XSTATE_BV, XF_FP | XF_SSE | bad_bv[i]);
		HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_SET_XSAVE, &x), EINVAL);
	}
	/* Userspace's image is never compacted. */
	x = good;
	wr64(x.region, X_XCOMP_BV, (1ULL << 63) | XF_FP | XF_SSE);
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_SET_XSAVE, &x), EINVAL);
	/* Reserved header bytes. */
	x = good;
	wr64(x.region, X_HDR_RSVD + 8, 1);
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_SET_XSAVE, &x), EINVAL);
	/* MXCSR reserved bits. */
	x = good;
	wr64(x.region, X_XSTATE_BV, XF_FP | XF_SSE);
	wr32(x.region, X_MXCSR, 0xffff0000 | MXCSR_DEFAULT);
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_SET_XSAVE, &x), EINVAL);
	HV_ASSERT_OK(ioctl(g.vcpu, KVM_GET_FPU, &f));
	f.mxcsr = 0x80000000 | MXCSR_DEFAULT;
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_SET_FPU, &f), EINVAL);

	/* Nothing of the refused states got in. */
	get_xsave(&g, &y);
	HV_ASSERT(!memcmp(&good, &y, sizeof(y)), "state unchanged");

	/* Bad pointers. */
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_GET_FPU, NULL), EFAULT);
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_SET_FPU, NULL), EFAULT);
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_GET_XSAVE, NULL), EFAULT);
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_GET_XSAVE2, NULL), EFAULT);
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_SET_XSAVE, NULL), EFAULT);
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_SET_XSAVE, (void *)1), EFAULT);
}

HV_TEST(xcrs_round_trip_and_bad_inputs)
{
	struct hv_guest g;
	struct kvm_xcrs x;
	uint64_t mask;

	if (!host_has_xsave())
		HV_SKIP("the host has no XSAVE");
	hv_guest_init(&g, 1 << 20);
	HV_ASSERT_EQ(get_xcr0(&g), XF_FP);
	get_xcrs(&g, &x);
	HV_ASSERT_EQ(x.padding[0], 0);

	/* x87 alone is always valid; anything more needs the guest's CPUID. */
	HV_ASSERT_OK(set_xcr0(&g, XF_FP));
	HV_ASSERT_ERRNO(set_xcr0(&g, XF_FP | XF_SSE), EINVAL);
	mask = set_supported_cpuid(&g);
	if (!(mask & XF_SSE))
		HV_SKIP("KVM_GET_SUPPORTED_CPUID offers no XSAVE");
	HV_ASSERT_OK(set_xcr0(&g, XF_FP | XF_SSE));
	HV_ASSERT_EQ(get_xcr0(&g), XF_FP | XF_SSE);
	if (mask & XF_YMM) {
		HV_ASSERT_OK(set_xcr0(&g, XF_FP | XF_SSE | XF_YMM));
		HV_ASSERT_EQ(get_xcr0(&g), XF_FP | XF_SSE | XF_YMM);
		HV_ASSERT_ERRNO(set_xcr0(&g, XF_FP | XF_YMM), EINVAL);
		HV_ASSERT_OK(set_xcr0(&g, XF_FP | XF_SSE));
	}

	HV_ASSERT_ERRNO(set_xcr0(&g, 0), EINVAL);
	HV_ASSERT_ERRNO(set_xcr0(&g, XF_SSE), EINVAL);		/* no x87 */
	HV_ASSERT_ERRNO(set_xcr0(&g, XF_FP | XF_SSE | XF_PKRU), EINVAL);
	HV_ASSERT_ERRNO(set_xcr0(&g, XF_FP | (1ULL << 62)), EINVAL);
	HV_ASSERT_ERRNO(set_xcr0(&g, XF_FP | ~mask), EINVAL);

	memset(&x, 0, sizeof(x));
	x.nr_xcrs = 1;
	x.xcrs[0].xcr = 1;		/* only XCR0 exists */
	x.xcrs[0].value = XF_FP;
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_SET_XCRS, &x), EINVAL);
	x.xcrs[0].xcr = 0;
	x.nr_xcrs = KVM_MAX_XCRS + 1;
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_SET_XCRS, &x), EINVAL);
	x.nr_xcrs = 1;
	x.flags = 1;
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_SET_XCRS, &x), EINVAL);
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_GET_XCRS, NULL), EFAULT);
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_SET_XCRS, NULL), EFAULT);
	HV_ASSERT_EQ(get_xcr0(&g), XF_FP | XF_SSE);

	/* No entry: nothing changes.  Of two XCR0 entries, the first counts. */
	memset(&x, 0, sizeof(x));
	HV_ASSERT_OK(ioctl(g.vcpu, KVM_SET_XCRS, &x));
	HV_ASSERT_EQ(get_xcr0(&g), XF_FP | XF_SSE);
	x.nr_xcrs = 2;
	x.xcrs[0].value = XF_FP;
	x.xcrs[1].value = XF_FP | XF_SSE;
	HV_ASSERT_OK(ioctl(g.vcpu, KVM_SET_XCRS, &x));
	HV_ASSERT_EQ(get_xcr0(&g), XF_FP);
}

/*
 * Reports XCR0, sets it to x87|SSE with XSETBV and reports it again, halts;
 * then reports XCR0 (set by KVM_SET_XCRS meanwhile) and tries XSETBV
 * without x87, which must raise #GP (a triple fault with an empty IDT).
 */
HV_GUEST_CODE(g_xsetbv, 32,
	      "xor %ecx, %ecx\n"
	      "xgetbv\n"
	      "out %eax, $0x10\n"
	      "mov $3, %eax\n"
	      "xor %edx, %edx\n"
	      "xsetbv\n"
	      "xgetbv\n"
	      "out %eax, $0x11\n"
	      "hlt\n"
	      "xgetbv\n"
	      "out %eax, $0x12\n"
	      "mov $2, %eax\n"
	      "xor %edx, %edx\n"
	      "xsetbv\n"
	      "out %eax, $0x13\n"
	      "hlt\n");

HV_TEST(guest_xsetbv_and_xcrs)
{
	struct hv_guest g;

	if (!host_has_xsave())
		HV_SKIP("the host has no XSAVE");
	hv_guest_init(&g, 1 << 20);
	if (!(set_supported_cpuid(&g) & XF_SSE))
		HV_SKIP("KVM_GET_SUPPORTED_CPUID offers no XSAVE");
	hv_guest_prot32(&g, g.vcpu, 0x1000, g_xsetbv_start, g_xsetbv_end);
	guest_enable_sse(&g, true);
	HV_ASSERT_OUT(&g, 0x10, 4, XF_FP);
	HV_ASSERT_OUT(&g, 0x11, 4, XF_FP | XF_SSE);
	HV_ASSERT_EXIT(&g, KVM_EXIT_HLT);
	if (get_xcr0(&g) == XF_FP && host_is_qemu_tcg())
		hv_diag("QEMU TCG does not intercept XSETBV: hv's exit not tested");
	else
		HV_ASSERT_EQ(get_xcr0(&g), XF_FP | XF_SSE);
	/* KVM_SET_XCRS reaches the guest's XCR0. */
	HV_ASSERT_OK(set_xcr0(&g, XF_FP));
	HV_ASSERT_OUT(&g, 0x12, 4, XF_FP);
	HV_ASSERT_EXIT(&g, KVM_EXIT_SHUTDOWN);
	HV_ASSERT_EQ(get_xcr0(&g), XF_FP);
}

/* Trashes XMM0-7, MXCSR, FCW and the x87 stack, then halts. */
HV_GUEST_CODE(g_trash, 32,
	      "movups 0x3000, %xmm0\n"
	      "movups 0x3000, %xmm1\n"
	      "movups 0x3000, %xmm2\n"
	      "movups 0x3000, %xmm3\n"
	      "movups 0x3000, %xmm4\n"
	      "movups 0x3000, %xmm5\n"
	      "movups 0x3000, %xmm6\n"
	      "movups 0x3000, %xmm7\n"
	      "ldmxcsr 0x3010\n"
	      "fldcw 0x3014\n"
	      "fldpi\n"
	      "fldpi\n"
	      "fldpi\n"
	      "hlt\n"
	      "mov $0x1000, %eax\n"
	      "jmp *%eax\n");

struct host_fpu {
	uint8_t xmm[8][16];
	uint32_t mxcsr;
	uint16_t fcw;
};

/*
 * KVM_RUN as a raw system call with XMM0-7 holding @in, so that nothing
 * between loading the registers and reading them back can touch them;
 * @out gets XMM0-7, MXCSR and FCW as they are right after the call.
 */
static long run_keeping_xmm(int vcpu, const uint8_t in[8][16],
			    struct host_fpu *out)
{
	long ret = SYS_ioctl;

	asm volatile("movdqu 0x00(%[in]), %%xmm0\n\t"
		     "movdqu 0x10(%[in]), %%xmm1\n\t"
		     "movdqu 0x20(%[in]), %%xmm2\n\t"
		     "movdqu 0x30(%[in]), %%xmm3\n\t"
		     "movdqu 0x40(%[in]), %%xmm4\n\t"
		     "movdqu 0x50(%[in]), %%xmm5\n\t"
		     "movdqu 0x60(%[in]), %%xmm6\n\t"
		     "movdqu 0x70(%[in]), %%xmm7\n\t"
		     "syscall\n\t"
		     "movdqu %%xmm0, 0x00(%[out])\n\t"
		     "movdqu %%xmm1, 0x10(%[out])\n\t"
		     "movdqu %%xmm2, 0x20(%[out])\n\t"
		     "movdqu %%xmm3, 0x30(%[out])\n\t"
		     "movdqu %%xmm4, 0x40(%[out])\n\t"
		     "movdqu %%xmm5, 0x50(%[out])\n\t"
		     "movdqu %%xmm6, 0x60(%[out])\n\t"
		     "movdqu %%xmm7, 0x70(%[out])\n\t"
		     "stmxcsr %[mxcsr]\n\t"
		     "fnstcw %[fcw]\n\t"
		     : "+a" (ret), [mxcsr] "=m" (out->mxcsr), [fcw] "=m" (out->fcw)
		     : "D" ((long)vcpu), "S" ((long)KVM_RUN), "d" (0L),
		       [in] "r" (in), [out] "r" (out->xmm)
		     : "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3",
		       "xmm4", "xmm5", "xmm6", "xmm7");
	return ret;
}

static double host_divide(void)
{
	volatile double a = 2.0, b = 3.0;

	return a / b;
}

HV_TEST(host_fpu_state_kept_across_run)
{
	uint8_t in[8][16];
	struct host_fpu out;
	struct hv_guest g;
	double before, after;
	uint32_t mxcsr;
	uint16_t fcw;
	int i, n;

	hv_guest_init(&g, 1 << 20);
	hv_guest_prot32(&g, g.vcpu, 0x1000, g_trash_start, g_trash_end);
	guest_enable_sse(&g, false);
	memset(g.mem + 0x3000, 0xa5, 16);
	wr32(g.mem, 0x3010, 0xff80);		/* toward zero, flush to zero */
	wr32(g.mem, 0x3014, 0x0c7f);		/* x87 toward zero */

	/* First, so that MXCSR has the precision flag 2/3 sets. */
	before = host_divide();
	asm volatile("stmxcsr %0\n\tfnstcw %1" : "=m" (mxcsr), "=m" (fcw));
	for (i = 0; i < 8; i++)
		pattern(in[i], 0x20 + 16 * i);
	for (n = 0; n < 20; n++) {
		memset(&out, 0, sizeof(out));
		HV_ASSERT_EQ(run_keeping_xmm(g.vcpu, in, &out), 0);
		HV_ASSERT_EQ(g.run->exit_reason, KVM_EXIT_HLT);
		for (i = 0; i < 8; i++)
			HV_ASSERT(!memcmp(out.xmm[i], in[i], 16),
				  "host XMM%d changed by KVM_RUN", i);
		HV_ASSERT_EQ(out.mxcsr, mxcsr);
		HV_ASSERT_EQ(out.fcw, fcw);
		after = host_divide();
		HV_ASSERT(!memcmp(&before, &after, sizeof(after)),
			  "2/3 = %a before KVM_RUN, %a after", before, after);
	}
	/* And the guest kept its own. */
	{
		struct kvm_fpu f;

		HV_ASSERT_OK(ioctl(g.vcpu, KVM_GET_FPU, &f));
		HV_ASSERT_EQ(f.mxcsr, 0xff80);
		HV_ASSERT_EQ(f.fcw, 0x0c7f);
		for (i = 0; i < 8; i++)
			HV_ASSERT_EQ(f.xmm[i][0], 0xa5);
	}
}
