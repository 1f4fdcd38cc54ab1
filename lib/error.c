/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* error.c - error codes and the per-thread last error message. */
#include <stdarg.h>
#include <stdio.h>
#include "cti.h"
#include "error.h"

static _Thread_local char last_error[512] = "no error";
static _Thread_local int last_code;

const char *cti_strerror(int err)
{
	switch (err) {
	case CTI_OK: return "success";
	case CTI_EINVAL: return "invalid argument";
	case CTI_ENOMEM: return "out of memory";
	case CTI_EBUSY: return "busy";
	case CTI_ENOCHAN: return "no free B-channel";
	case CTI_ESTATE: return "not allowed in this state";
	case CTI_EIO: return "I/O error";
	case CTI_ENOENT: return "not found";
	case CTI_ETIMEDOUT: return "timed out";
	case CTI_ENOTSUP: return "not supported";
	case CTI_EFORMAT: return "bad file format";
	case CTI_ECONFIG: return "configuration error";
	case CTI_EDOWN: return "D-channel or line down";
	default: return "unknown error";
	}
}

const char *cti_last_error(void)
{
	return last_error;
}

int cti_last_error_code(void)
{
	return last_code;
}

const char *cti_version(void)
{
	return CTI_VERSION_STRING;
}

int cti_version_number(void)
{
	return CTI_VERSION_NUMBER;
}

void cti__clear_error(void)
{
	last_code = CTI_OK;
	snprintf(last_error, sizeof(last_error), "no error");
}

int cti__error(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	last_code = code;
#ifdef CTI_DEBUG
	/* Debug builds (Kconfig DEBUG) log every error as it is reported. */
	fprintf(stderr, "libcti: %s: %s\n", cti_strerror(code), last_error);
#endif
	return code;
}
