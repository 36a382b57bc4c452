/* SPDX-License-Identifier: GPL-2.0-only */
/* A feature bitmap described by a table of names; pure logic. */
#ifndef HV_FEATURES_H
#define HV_FEATURES_H

#include <hv/hv_types.h>

/*
 * Writes the names of the bits set in @features, separated by spaces and
 * ended by a newline, into @buf.  @name maps a bit number to its name, or to
 * NULL for bits that are not reported.  Returns the length written.
 */
int hv_features_format(char *buf, size_t size, u64 features,
		       const char *(*name)(unsigned int bit));

#endif /* HV_FEATURES_H */
