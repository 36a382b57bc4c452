/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The only header hv's pure-logic files include.  It maps kernel types onto
 * their userspace equivalents so that the same source builds into hv.ko and
 * into the userspace unit tests (tools/testing/hv-unit/).
 */
#ifndef HV_TYPES_H
#define HV_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#else
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <linux/types.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s8 s8;
typedef __s16 s16;
typedef __s32 s32;
typedef __s64 s64;

#define BIT(n)		(1UL << (n))
#define BIT_ULL(n)	(1ULL << (n))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define scnprintf	hv_scnprintf

#ifndef fallthrough
#define fallthrough	__attribute__((__fallthrough__))
#endif

/*
 * Single, untorn accesses to memory that other agents (here: the CPU's page
 * walker) read or write concurrently.  Scalar types only.
 */
#ifndef READ_ONCE
#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#endif
#ifndef WRITE_ONCE
#define WRITE_ONCE(x, val)	__atomic_store_n(&(x), (val), __ATOMIC_RELAXED)
#endif

/*
 * Like the kernel's: returns the number of characters actually written.
 * (Formats are checked where it matters: the module build uses the kernel's.)
 */
static inline int hv_scnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!size)
		return 0;
	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0)
		return 0;
	return (size_t)n >= size ? (int)(size - 1) : n;
}
#endif

#endif /* HV_TYPES_H */
