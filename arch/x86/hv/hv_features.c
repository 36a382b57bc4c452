// SPDX-License-Identifier: GPL-2.0-only
/* Feature-bitmap formatting shared by the VMX and SVM capability reports. */
#include "hv_features.h"

int hv_features_format(char *buf, size_t size, u64 features,
		       const char *(*name)(unsigned int bit))
{
	const char *sep = "";
	unsigned int i;
	int len = 0;

	for (i = 0; i < 64; i++) {
		const char *n = (features & BIT_ULL(i)) ? name(i) : NULL;

		if (!n)
			continue;
		len += scnprintf(buf + len, size - len, "%s%s", sep, n);
		sep = " ";
	}
	len += scnprintf(buf + len, size - len, "\n");
	return len;
}
