// SPDX-License-Identifier: GPL-2.0-only
/*
 * Interrupts, NMIs and exceptions for a vCPU whose interrupt controller is
 * in userspace: KVM_INTERRUPT, KVM_NMI, the interrupt window, the kvm_run
 * fields QEMU reads around each entry, and KVM_GET/SET_VCPU_EVENTS.  The
 * backend only delivers what this file decides.
 */
#include <linux/kvm.h>
#include <linux/uaccess.h>

#include "x86.h"

#define HV_VEC_NMI	2

void hv_inject_exception(struct hv_x86_vcpu *v, u8 vector, bool has_error,
			 u32 error)
{
	struct hv_event e = {
		.type = HV_EVENT_EXCEPTION, .vector = vector,
		.has_error = has_error, .error = error,
	};

	hv_ops->set_event(v, &e);
}

static bool hv_event_in_flight(struct hv_x86_vcpu *v)
{
	struct hv_event e;

	hv_ops->get_event(v, &e);
	return e.type != HV_EVENT_NONE;
}

/* May an external interrupt be delivered at the next entry? */
bool hv_interrupt_allowed(struct hv_x86_vcpu *v)
{
	return (hv_ops->get_reg(v, HV_REG_RFLAGS) & X86_EFLAGS_IF) &&
	       !hv_ops->get_interrupt_shadow(v) && !hv_event_in_flight(v);
}

static bool hv_nmi_allowed(struct hv_x86_vcpu *v)
{
	return !v->nmi_masked && !hv_ops->get_interrupt_shadow(v) &&
	       !hv_event_in_flight(v);
}

/*
 * Before each entry: an NMI before an interrupt, each only when the guest
 * can take it; otherwise ask the hardware to exit when it can.
 */
void hv_inject_pending_events(struct hv_x86_vcpu *v)
{
	struct hv_event e = { .type = HV_EVENT_NONE };

	if (v->nmi_queued && hv_nmi_allowed(v)) {
		e.type = HV_EVENT_NMI;
		e.vector = HV_VEC_NMI;
		hv_ops->set_event(v, &e);
		v->nmi_queued = false;
		v->nmi_masked = true;
	}
	if (v->irq_queued && hv_interrupt_allowed(v)) {
		e.type = HV_EVENT_IRQ;
		e.vector = v->irq_vector;
		hv_ops->set_event(v, &e);
		v->irq_queued = false;
	}
	hv_ops->set_nmi_window(v, v->nmi_queued || v->nmi_masked);
	hv_ops->set_irq_window(v, v->irq_queued ||
			       (v->vcpu->run->request_interrupt_window &&
				!hv_interrupt_allowed(v)));
}

/* Userspace asked for a window and the guest can take an interrupt now. */
bool hv_irq_window_open(struct hv_x86_vcpu *v)
{
	return v->vcpu->run->request_interrupt_window && !v->irq_queued &&
	       hv_interrupt_allowed(v);
}

/* What QEMU reads in kvm_run after every KVM_RUN. */
void hv_sync_run_state(struct hv_x86_vcpu *v)
{
	struct kvm_run *run = v->vcpu->run;

	run->if_flag = !!(hv_ops->get_reg(v, HV_REG_RFLAGS) & X86_EFLAGS_IF);
	run->cr8 = hv_ops->get_reg(v, HV_REG_CR8);
	run->apic_base = v->apic_base;
	run->ready_for_interrupt_injection = !v->irq_queued &&
					     hv_interrupt_allowed(v);
}

static long hv_get_vcpu_events(struct hv_x86_vcpu *v, struct kvm_vcpu_events *ev)
{
	struct hv_event e;

	memset(ev, 0, sizeof(*ev));
	hv_ops->get_event(v, &e);
	if (e.type == HV_EVENT_EXCEPTION) {
		ev->exception.injected = 1;
		ev->exception.nr = e.vector;
		ev->exception.has_error_code = e.has_error;
		ev->exception.error_code = e.error;
	}
	if (e.type == HV_EVENT_IRQ || e.type == HV_EVENT_SOFT_IRQ) {
		ev->interrupt.injected = 1;
		ev->interrupt.nr = e.vector;
		ev->interrupt.soft = e.type == HV_EVENT_SOFT_IRQ;
	} else if (v->irq_queued) {
		ev->interrupt.injected = 1;
		ev->interrupt.nr = v->irq_vector;
	}
	ev->interrupt.shadow = hv_ops->get_interrupt_shadow(v);
	ev->nmi.injected = e.type == HV_EVENT_NMI;
	ev->nmi.pending = v->nmi_queued;
	ev->nmi.masked = v->nmi_masked;
	ev->flags = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW;
	return 0;
}

static long hv_set_vcpu_events(struct hv_x86_vcpu *v,
			       const struct kvm_vcpu_events *ev)
{
	struct hv_event e = { .type = HV_EVENT_NONE };

	/* What KVM accepts without SMM and the opt-in payload/triple-fault caps. */
	if (ev->flags & ~(KVM_VCPUEVENT_VALID_NMI_PENDING |
			  KVM_VCPUEVENT_VALID_SIPI_VECTOR |
			  KVM_VCPUEVENT_VALID_SHADOW | KVM_VCPUEVENT_VALID_SMM))
		return -EINVAL;
	if ((ev->exception.injected || ev->exception.pending) &&
	    (ev->exception.nr > 31 || ev->exception.nr == HV_VEC_NMI))
		return -EINVAL;
	if ((ev->flags & KVM_VCPUEVENT_VALID_SMM) &&
	    (ev->smi.smm || ev->smi.pending || ev->smi.smm_inside_nmi))
		return -EINVAL;
	if (ev->exception.injected + ev->interrupt.injected + ev->nmi.injected > 1)
		return -EINVAL;

	if (ev->exception.injected || ev->exception.pending) {
		e.type = HV_EVENT_EXCEPTION;
		e.vector = ev->exception.nr;
		e.has_error = ev->exception.has_error_code;
		e.error = ev->exception.error_code;
	} else if (ev->nmi.injected) {
		e.type = HV_EVENT_NMI;
		e.vector = HV_VEC_NMI;
	} else if (ev->interrupt.injected && ev->interrupt.soft) {
		e.type = HV_EVENT_SOFT_IRQ;
		e.vector = ev->interrupt.nr;
	}
	hv_ops->set_event(v, &e);
	/* A hardware interrupt not yet delivered is simply queued again. */
	v->irq_queued = ev->interrupt.injected && !ev->interrupt.soft;
	v->irq_vector = ev->interrupt.nr;
	if (ev->flags & KVM_VCPUEVENT_VALID_SHADOW)
		hv_ops->set_interrupt_shadow(v, ev->interrupt.shadow);
	if (ev->flags & KVM_VCPUEVENT_VALID_NMI_PENDING)
		v->nmi_queued = ev->nmi.pending;
	v->nmi_masked = ev->nmi.masked;
	return 0;
}

long hv_vcpu_events_ioctl(struct hv_x86_vcpu *v, unsigned int ioctl,
			  void __user *argp)
{
	struct kvm_vcpu_events ev;
	struct kvm_interrupt irq;

	switch (ioctl) {
	case KVM_INTERRUPT:
		if (copy_from_user(&irq, argp, sizeof(irq)))
			return -EFAULT;
		if (irq.irq >= 256)
			return -EINVAL;
		/* As KVM: one interrupt at a time from a userspace irqchip. */
		if (v->irq_queued)
			return -ENXIO;
		v->irq_queued = true;
		v->irq_vector = irq.irq;
		return 0;
	case KVM_NMI:
		v->nmi_queued = true;
		return 0;
	case KVM_GET_VCPU_EVENTS:
		hv_get_vcpu_events(v, &ev);
		return copy_to_user(argp, &ev, sizeof(ev)) ? -EFAULT : 0;
	case KVM_SET_VCPU_EVENTS:
		if (copy_from_user(&ev, argp, sizeof(ev)))
			return -EFAULT;
		return hv_set_vcpu_events(v, &ev);
	default:
		return -ENOIOCTLCMD;
	}
}
