// SPDX-License-Identifier: GPL-2.0-only
/*
 * Events from a userspace interrupt controller, as QEMU drives them:
 * KVM_INTERRUPT, KVM_NMI, the interrupt window, the kvm_run fields around
 * each entry, and KVM_GET/SET_VCPU_EVENTS.
 */
#include "hv_guest.h"

/*
 * Real mode; IVT[0x20] -> out 0x20 then iret; IVT[2] (NMI) -> out 0x02 then
 * iret; IVT[6] (#UD) -> out 0x06 then hlt.  Then: announce on port 0x10
 * with IF clear, spin a while, STI, spin forever.
 */
HV_GUEST_CODE(g_ev, 16,
	      "movw $(g_ev_irq - g_ev_start + 0x1000), 0x20*4\n"
	      "movw $0, 0x20*4+2\n"
	      "movw $(g_ev_nmi - g_ev_start + 0x1000), 2*4\n"
	      "movw $0, 2*4+2\n"
	      "movw $(g_ev_ud - g_ev_start + 0x1000), 6*4\n"
	      "movw $0, 6*4+2\n"
	      "cli\n"
	      "out %al, $0x10\n"
	      "mov $200, %cx\n"
	      "1: loop 1b\n"
	      "sti\n"
	      "2: jmp 2b\n"
	      "g_ev_irq:\n"
	      "push %ax\n"
	      "mov $0x20, %al\n"
	      "out %al, $0x20\n"
	      "pop %ax\n"
	      "iret\n"
	      "g_ev_nmi:\n"
	      "push %ax\n"
	      "mov $0x02, %al\n"
	      "out %al, $0x02\n"
	      "pop %ax\n"
	      "iret\n"
	      "g_ev_ud:\n"
	      "mov $0x06, %al\n"
	      "out %al, $0x06\n"
	      "hlt\n");

static void start(struct hv_guest *g)
{
	hv_guest_init(g, 1 << 20);
	hv_guest_real_mode(g, g->vcpu, 0x1000, g_ev_start, g_ev_end);
	HV_ASSERT_OUT(g, 0x10, 1, hv_io_data(g));
}

HV_TEST(interrupt_window_and_injection)
{
	struct kvm_interrupt irq = { .irq = 0x20 };
	struct hv_guest g;

	start(&g);
	/* IF is clear: not ready, as QEMU reads it. */
	HV_ASSERT_EQ(g.run->if_flag, 0);
	HV_ASSERT_EQ(g.run->ready_for_interrupt_injection, 0);
	g.run->request_interrupt_window = 1;
	HV_ASSERT_EXIT(&g, KVM_EXIT_IRQ_WINDOW_OPEN);
	HV_ASSERT_EQ(g.run->if_flag, 1);
	HV_ASSERT_EQ(g.run->ready_for_interrupt_injection, 1);
	g.run->request_interrupt_window = 0;
	HV_ASSERT_OK(ioctl(g.vcpu, KVM_INTERRUPT, &irq));
	/* One at a time, as KVM without an in-kernel irqchip. */
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_INTERRUPT, &irq), ENXIO);
	HV_ASSERT_OUT(&g, 0x20, 1, 0x20);
	/* The handler's IRET returns to the spin loop; inject again. */
	HV_ASSERT_OK(ioctl(g.vcpu, KVM_INTERRUPT, &irq));
	HV_ASSERT_OUT(&g, 0x20, 1, 0x20);
}

HV_TEST(interrupt_queued_while_if_clear_waits)
{
	struct kvm_interrupt irq = { .irq = 0x20 };
	struct hv_guest g;

	start(&g);
	/* Queued with IF clear: delivered after STI, not before. */
	HV_ASSERT_OK(ioctl(g.vcpu, KVM_INTERRUPT, &irq));
	HV_ASSERT_OUT(&g, 0x20, 1, 0x20);
	HV_ASSERT_EQ(g.run->if_flag, 0);	/* inside the handler */
}

HV_TEST(nmi_masked_until_iret)
{
	struct kvm_vcpu_events ev;
	struct hv_guest g;

	start(&g);
	HV_ASSERT_OK(ioctl(g.vcpu, KVM_NMI));
	HV_ASSERT_OUT(&g, 0x02, 1, 0x02);
	HV_ASSERT_OK(ioctl(g.vcpu, KVM_GET_VCPU_EVENTS, &ev));
	HV_ASSERT_EQ(ev.nmi.masked, 1);
	/* A second NMI waits for the first handler's IRET, then runs. */
	HV_ASSERT_OK(ioctl(g.vcpu, KVM_NMI));
	HV_ASSERT_OK(ioctl(g.vcpu, KVM_GET_VCPU_EVENTS, &ev));
	HV_ASSERT_EQ(ev.nmi.pending, 1);
	HV_ASSERT_OUT(&g, 0x02, 1, 0x02);
}

HV_TEST(vcpu_events_inject_exception_and_bad_inputs)
{
	struct kvm_vcpu_events ev, bad;
	struct hv_guest g;

	start(&g);
	HV_ASSERT_OK(ioctl(g.vcpu, KVM_GET_VCPU_EVENTS, &ev));
	HV_ASSERT_EQ(ev.flags & KVM_VCPUEVENT_VALID_SHADOW, KVM_VCPUEVENT_VALID_SHADOW);
	HV_ASSERT_EQ(ev.exception.injected, 0);
	HV_ASSERT_EQ(ev.interrupt.injected, 0);

	bad = ev;
	bad.flags |= KVM_VCPUEVENT_VALID_PAYLOAD;
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_SET_VCPU_EVENTS, &bad), EINVAL);
	bad = ev;
	bad.flags |= 0x80;
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_SET_VCPU_EVENTS, &bad), EINVAL);
	bad = ev;
	bad.exception.injected = 1;
	bad.exception.nr = 2;		/* NMI is not an exception */
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_SET_VCPU_EVENTS, &bad), EINVAL);
	bad.exception.nr = 32;
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_SET_VCPU_EVENTS, &bad), EINVAL);
	bad = ev;
	bad.flags |= KVM_VCPUEVENT_VALID_SMM;
	bad.smi.smm = 1;		/* no SMM */
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_SET_VCPU_EVENTS, &bad), EINVAL);
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_SET_VCPU_EVENTS, NULL), EFAULT);
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_GET_VCPU_EVENTS, NULL), EFAULT);
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_INTERRUPT, &(struct kvm_interrupt){ .irq = 256 }),
			EINVAL);

	/* An exception set by userspace reaches the guest's IVT. */
	ev.exception.injected = 1;
	ev.exception.nr = 6;
	HV_ASSERT_OK(ioctl(g.vcpu, KVM_SET_VCPU_EVENTS, &ev));
	HV_ASSERT_OK(ioctl(g.vcpu, KVM_GET_VCPU_EVENTS, &bad));
	HV_ASSERT_EQ(bad.exception.injected, 1);
	HV_ASSERT_EQ(bad.exception.nr, 6);
	HV_ASSERT_OUT(&g, 0x06, 1, 0x06);
}

HV_TEST(cr8_is_userspaces)
{
	struct kvm_sregs s;
	struct hv_guest g;

	start(&g);
	g.run->cr8 = 16;
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_RUN, 0), EINVAL);
	g.run->cr8 = 7;
	g.run->immediate_exit = 1;
	HV_ASSERT_ERRNO(ioctl(g.vcpu, KVM_RUN, 0), EINTR);
	HV_ASSERT_EQ(g.run->cr8, 7);
	HV_ASSERT_OK(ioctl(g.vcpu, KVM_GET_SREGS, &s));
	HV_ASSERT_EQ(s.cr8, 7);
	HV_ASSERT_EQ(g.run->apic_base & 0xfffff000, 0xfee00000);
}
