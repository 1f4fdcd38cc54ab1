/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * abi.h - growable public structs (lib/abi.c; "ABI" at the top of
 * cti.h), shared by every module that takes or fills them. Not installed.
 */
#ifndef CTI_ABI_H
#define CTI_ABI_H

#include <stddef.h>

/* Init macro's work: zero the app's size bytes, copy the defaults (full bytes) in, set .size. */
void cti__abi_init(void *app, size_t size, const void *defaults, size_t full);
/*
 * Copy an app parameter struct into full (which holds the defaults): its first
 * .size bytes; .size becomes full_size. CTI_EINVAL naming fn and type when
 * .size is 0 (no init), CTI_ENOTSUP when a newer app sets fields we lack.
 */
int cti__abi_in(void *full, size_t full_size, const void *app, const char *fn, const char *type);
/* Copy an output struct out: size bytes of full (zero beyond full_size). */
int cti__abi_out(void *app, size_t size, const void *full, size_t full_size, const char *fn, const char *type);

#endif /* CTI_ABI_H */
