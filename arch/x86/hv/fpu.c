// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest's FPU and XSAVE state for userspace: KVM_GET/SET_FPU,
 * KVM_GET/SET_XSAVE, KVM_GET_XSAVE2 and KVM_GET/SET_XCRS, with KVM's
 * semantics.
 *
 * Outside KVM_RUN the guest's state is in v->guest_fpu.fpstate, in the
 * kernel's own (possibly compacted) format.  The kernel's helpers convert it
 * to and from the standard-format XSAVE image of the KVM ABI ("UABI image",
 * struct kvm_xsave) and check what userspace gives; KVM_GET/SET_FPU go
 * through that image too.  vCPU ioctls hold the vCPU mutex and never overlap
 * KVM_RUN, so the state is never in the CPU while these run.
 */
#include <linux/kvm.h>
#include <linux/minmax.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>
#include <asm/fpu/xcr.h>

#include "x86.h"

/*
 * XCR0 bits hv can give any guest on this host (KVM's supported_xcr0): what
 * KVM_GET_SUPPORTED_CPUID reports in 0xD.0, within the guest's fpstate.
 */
static u64 hv_supported_xcr0(struct hv_x86_vcpu *v)
{
	const struct hv_cpuid_entry *e;
	unsigned int n;

	e = hv_supported_cpuid(&n);
	return hv_cpuid_guest_xcr0_mask(e, n) & v->guest_fpu.xfeatures;
}

/* What this guest's CPUID lets it enable (KVM's guest_supported_xcr0). */
static u64 hv_guest_supported_xcr0(struct hv_x86_vcpu *v)
{
	return hv_cpuid_guest_xcr0_mask(v->cpuid, v->cpuid_nent) &
	       hv_supported_xcr0(v);
}

bool hv_xcr0_valid(struct hv_x86_vcpu *v, u64 xcr0)
{
	/* x87 is valid even when the guest's CPUID has no XSAVE, as in KVM. */
	u64 allowed = hv_guest_supported_xcr0(v) | XFEATURE_MASK_FP;

	/*
	 * The SDM's rules: x87 always, AVX needs SSE, AVX-512 needs AVX and
	 * all three of its components; nothing the guest may not have.
	 */
	if (!(xcr0 & XFEATURE_MASK_FP) || (xcr0 & ~allowed))
		return false;
	if ((xcr0 & XFEATURE_MASK_YMM) && !(xcr0 & XFEATURE_MASK_SSE))
		return false;
	if ((xcr0 & XFEATURE_MASK_AVX512) &&
	    ((xcr0 & XFEATURE_MASK_AVX512) != XFEATURE_MASK_AVX512 ||
	     !(xcr0 & XFEATURE_MASK_YMM)))
		return false;
	return true;
}

u32 hv_fpu_xsave2_size(void)
{
	const struct hv_cpuid_entry *e;
	unsigned int n;
	u32 size;

	e = hv_supported_cpuid(&n);
	size = hv_cpuid_xsave_size(e, n, hv_cpuid_guest_xcr0_mask(e, n), false);
	return max_t(u32, size, sizeof(struct kvm_xsave));
}

/*
 * A zeroed buffer of @size bytes holding the guest's state as a UABI image,
 * with the components in @xfeatures; NULL when out of memory.  A component
 * the guest has in its initial state reads as that state, with its
 * XSTATE_BV bit clear (MXCSR reads 0x1f80 when neither SSE nor AVX is set).
 */
static void *hv_fpu_get_uabi(struct hv_x86_vcpu *v, unsigned int size,
			     u64 xfeatures)
{
	void *buf = kzalloc(size, GFP_KERNEL_ACCOUNT);

	/* PKRU is not virtualized: never in @xfeatures, 0 is a placeholder. */
	if (buf)
		fpu_copy_guest_fpstate_to_uabi(&v->guest_fpu, buf, size,
					       xfeatures, 0);
	return buf;
}

/*
 * Loads a UABI image into the guest's state.  The kernel refuses (-EINVAL)
 * XSTATE_BV bits outside hv's supported XCR0, a non-zero XCOMP_BV, non-zero
 * reserved header bytes, and MXCSR reserved bits.
 */
static int hv_fpu_set_uabi(struct hv_x86_vcpu *v, const void *buf)
{
	u32 pkru = 0;

	return fpu_copy_uabi_to_guest_fpstate(&v->guest_fpu, buf,
					      hv_supported_xcr0(v) |
					      XFEATURE_MASK_FPSSE, &pkru);
}

/*
 * KVM_GET_FPU: the legacy (FXSAVE) area.  Unlike KVM, which leaves it 0,
 * mxcsr holds the guest's MXCSR.
 */
static long hv_get_fpu(struct hv_x86_vcpu *v, struct kvm_fpu __user *u)
{
	struct fxregs_state *fx;
	struct kvm_fpu fpu;

	fx = hv_fpu_get_uabi(v, sizeof(struct kvm_xsave),
			     hv_supported_xcr0(v) | XFEATURE_MASK_FPSSE);
	if (!fx)
		return -ENOMEM;
	memset(&fpu, 0, sizeof(fpu));
	BUILD_BUG_ON(sizeof(fpu.fpr) != sizeof(fx->st_space));
	BUILD_BUG_ON(sizeof(fpu.xmm) != sizeof(fx->xmm_space));
	memcpy(fpu.fpr, fx->st_space, sizeof(fpu.fpr));
	fpu.fcw = fx->cwd;
	fpu.fsw = fx->swd;
	fpu.ftwx = fx->twd;	/* the abridged tag word, as KVM */
	fpu.last_opcode = fx->fop;
	fpu.last_ip = fx->rip;
	fpu.last_dp = fx->rdp;
	memcpy(fpu.xmm, fx->xmm_space, sizeof(fpu.xmm));
	fpu.mxcsr = fx->mxcsr;
	kfree(fx);
	return copy_to_user(u, &fpu, sizeof(fpu)) ? -EFAULT : 0;
}

/*
 * KVM_SET_FPU: x87 and SSE state, and MXCSR (which KVM ignores).  Both
 * components are marked in use so that the guest gets exactly these values;
 * the guest's other components are kept.
 */
static long hv_set_fpu(struct hv_x86_vcpu *v, struct kvm_fpu __user *u)
{
	struct xregs_state *xs;
	struct kvm_fpu fpu;
	int r;

	if (copy_from_user(&fpu, u, sizeof(fpu)))
		return -EFAULT;
	xs = hv_fpu_get_uabi(v, hv_fpu_xsave2_size(),
			     hv_supported_xcr0(v) | XFEATURE_MASK_FPSSE);
	if (!xs)
		return -ENOMEM;
	memcpy(xs->i387.st_space, fpu.fpr, sizeof(fpu.fpr));
	xs->i387.cwd = fpu.fcw;
	xs->i387.swd = fpu.fsw;
	xs->i387.twd = fpu.ftwx;
	xs->i387.fop = fpu.last_opcode;
	xs->i387.rip = fpu.last_ip;
	xs->i387.rdp = fpu.last_dp;
	memcpy(xs->i387.xmm_space, fpu.xmm, sizeof(fpu.xmm));
	xs->i387.mxcsr = fpu.mxcsr;
	xs->header.xfeatures |= XFEATURE_MASK_FPSSE;
	r = hv_fpu_set_uabi(v, xs);
	kfree(xs);
	return r;
}

/*
 * KVM_GET_XSAVE (@size 4096) and KVM_GET_XSAVE2 (the KVM_CAP_XSAVE2 size):
 * the components the guest's CPUID enables, and x87 and SSE always.
 */
static long hv_get_xsave(struct hv_x86_vcpu *v, void __user *u,
			 unsigned int size)
{
	void *buf;
	long r = 0;

	buf = hv_fpu_get_uabi(v, size,
			      hv_guest_supported_xcr0(v) | XFEATURE_MASK_FPSSE);
	if (!buf)
		return -ENOMEM;
	if (copy_to_user(u, buf, size))
		r = -EFAULT;
	kfree(buf);
	return r;
}

/* KVM_SET_XSAVE reads KVM_CAP_XSAVE2 bytes, 4096 today. */
static long hv_set_xsave(struct hv_x86_vcpu *v, const void __user *u)
{
	void *buf;
	long r;

	buf = memdup_user(u, hv_fpu_xsave2_size());
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	r = hv_fpu_set_uabi(v, buf);
	kfree(buf);
	return r;
}

static long hv_get_xcrs(struct hv_x86_vcpu *v, struct kvm_xcrs __user *u)
{
	struct kvm_xcrs x;

	memset(&x, 0, sizeof(x));
	/* Without XSAVE on the host there is no XCR at all (KVM: none). */
	if (boot_cpu_has(X86_FEATURE_XSAVE)) {
		x.nr_xcrs = 1;
		x.xcrs[0].xcr = XCR_XFEATURE_ENABLED_MASK;
		x.xcrs[0].value = v->xcr0;
	}
	return copy_to_user(u, &x, sizeof(x)) ? -EFAULT : 0;
}

/*
 * KVM_SET_XCRS: XCR0 is checked as XSETBV checks it.  KVM skips entries for
 * other XCRs; hv has none of them and refuses them instead.  Of several
 * XCR0 entries, the first counts, as in KVM.
 */
static long hv_set_xcrs(struct hv_x86_vcpu *v, struct kvm_xcrs __user *u)
{
	struct kvm_xcrs x;
	unsigned int i;

	if (copy_from_user(&x, u, sizeof(x)))
		return -EFAULT;
	if (!boot_cpu_has(X86_FEATURE_XSAVE) || x.nr_xcrs > KVM_MAX_XCRS ||
	    x.flags)
		return -EINVAL;
	for (i = 0; i < x.nr_xcrs; i++)
		if (x.xcrs[i].xcr != XCR_XFEATURE_ENABLED_MASK)
			return -EINVAL;
	if (!x.nr_xcrs)
		return 0;
	if (!hv_xcr0_valid(v, x.xcrs[0].value))
		return -EINVAL;
	v->xcr0 = x.xcrs[0].value;
	return 0;
}

long hv_vcpu_fpu_ioctl(struct hv_x86_vcpu *v, unsigned int ioctl,
		       void __user *argp)
{
	switch (ioctl) {
	case KVM_GET_FPU:
		return hv_get_fpu(v, argp);
	case KVM_SET_FPU:
		return hv_set_fpu(v, argp);
	case KVM_GET_XSAVE:
		/* As KVM: a state larger than struct kvm_xsave needs XSAVE2. */
		if (hv_fpu_xsave2_size() > sizeof(struct kvm_xsave))
			return -EINVAL;
		return hv_get_xsave(v, argp, sizeof(struct kvm_xsave));
	case KVM_GET_XSAVE2:
		return hv_get_xsave(v, argp, hv_fpu_xsave2_size());
	case KVM_SET_XSAVE:
		return hv_set_xsave(v, argp);
	case KVM_GET_XCRS:
		return hv_get_xcrs(v, argp);
	case KVM_SET_XCRS:
		return hv_set_xcrs(v, argp);
	default:
		return -ENOIOCTLCMD;
	}
}
