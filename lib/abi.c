/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * abi.c - growable public structs (see "ABI" at the top of cti.h).
 *
 * Parameter structs start with uint32_t size, set by their init macro to the
 * application's sizeof. The library works on its own full-size copy: its
 * defaults, overwritten by the first `size` bytes the application has.
 * Output structs get the application's sizeof from a macro; the library
 * fills a full-size struct and copies out that many bytes.
 */
#include <string.h>
#include "cti.h"
#include "abi.h"
#include "error.h"

static uint32_t app_size(const void *app)
{
	uint32_t size;

	memcpy(&size, app, sizeof(size));
	return size;
}

void cti__abi_init(void *app, size_t size, const void *defaults, size_t full)
{
	uint32_t sz = (uint32_t)size;

	if (!app || size < sizeof(uint32_t))
		return;
	memset(app, 0, size);
	memcpy(app, defaults, size < full ? size : full);
	memcpy(app, &sz, sizeof(sz));
}

int cti__abi_in(void *full, size_t full_size, const void *app, const char *fn, const char *type)
{
	uint32_t size, lib = (uint32_t)full_size;

	if (!app)
		return cti__error(CTI_EINVAL, "%s: %s is NULL", fn, type);
	size = app_size(app);
	if (size == 0)
		return cti__error(CTI_EINVAL, "%s: %s.size is 0: call %s_init() first", fn, type, type);
	if (size < sizeof(uint32_t) || size > (1u << 20))
		return cti__error(CTI_EINVAL, "%s: %s.size %u is not a size (call %s_init() first)", fn, type,
				  size, type);
	/* Built against a newer cti.h: its extra fields must be unused (zero) for us to ignore them. */
	for (uint32_t i = lib; i < size; i++)
		if (((const unsigned char *)app)[i])
			return cti__error(CTI_ENOTSUP, "%s: %s sets fields this libcti %s does not know (size %u > %u)",
					  fn, type, CTI_VERSION_STRING, size, lib);
	memcpy(full, app, size < lib ? size : lib);
	memcpy(full, &lib, sizeof(lib));
	return 0;
}

int cti__abi_out(void *app, size_t size, const void *full, size_t full_size, const char *fn, const char *type)
{
	if (!app)
		return cti__error(CTI_EINVAL, "%s: %s is NULL", fn, type);
	if (size == 0)
		return cti__error(CTI_EINVAL, "%s: %s size 0", fn, type);
	memset(app, 0, size);
	memcpy(app, full, size < full_size ? size : full_size);
	return 0;
}
