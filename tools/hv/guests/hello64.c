// SPDX-License-Identifier: GPL-2.0-only
/*
 * hello64: a 64-bit guest for hvrun (an ELF file, entered in long mode at
 * _start in start64.S).  Prints
 *
 *	Hello from hv: backend=<vmx|svm>, <N>-level paging
 *
 * on the serial port: the backend from the CPU vendor the guest sees
 * (GenuineIntel means VT-x, AuthenticAMD or HygonGenuine AMD-V), N from
 * CR4.LA57.  main()'s return value is the exit code.
 */
#include <stdint.h>

#define SERIAL		0x3f8
#define SERIAL_LSR	(SERIAL + 5)
#define LSR_THRE	0x20
#define BIT(nr)		(1UL << (nr))	/* no kernel headers here */
#define CR4_LA57	BIT(12)

static inline void outb(uint16_t port, uint8_t val)
{
	asm volatile("outb %0, %1" : : "a"(val), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t val;

	asm volatile("inb %1, %0" : "=a"(val) : "Nd"(port));
	return val;
}

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c,
			 uint32_t *d)
{
	asm volatile("cpuid"
		     : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
		     : "a"(leaf), "c"(0));
}

static inline uint64_t read_cr4(void)
{
	uint64_t val;

	asm volatile("mov %%cr4, %0" : "=r"(val));
	return val;
}

static void serial_putc(char c)
{
	while (!(inb(SERIAL_LSR) & LSR_THRE))
		;
	outb(SERIAL, c);
}

static void serial_puts(const char *s)
{
	while (*s)
		serial_putc(*s++);
}

static int vendor_is(uint32_t b, uint32_t c, uint32_t d, const char *name)
{
	const uint32_t regs[3] = { b, d, c };	/* the vendor string's order */
	int i;

	for (i = 0; i < 12; i++)
		if (name[i] != (char)(regs[i / 4] >> (8 * (i % 4))))
			return 0;
	return 1;
}

static const char *backend(void)
{
	uint32_t a, b, c, d;

	cpuid(0, &a, &b, &c, &d);
	if (vendor_is(b, c, d, "GenuineIntel"))
		return "vmx";
	if (vendor_is(b, c, d, "AuthenticAMD") ||
	    vendor_is(b, c, d, "HygonGenuine"))
		return "svm";
	return "unknown";
}

int main(void)
{
	serial_puts("Hello from hv: backend=");
	serial_puts(backend());
	serial_puts(read_cr4() & CR4_LA57 ? ", 5-level paging\n" :
		    ", 4-level paging\n");
	return 0;
}
