/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tap.h - TAP output of the C test programs that run inside the QEMU guests
 * (tests/qemu-core, tests/qemu-fax): one "ok N - ..." / "not ok N - ..." line
 * per check, flushed at once so the serial console shows it even if the
 * guest dies next. tap_done() prints the plan and gives the exit status.
 */
#ifndef CTI_TESTS_TAP_H
#define CTI_TESTS_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_n, tap_fails;

static void ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", cond ? "ok" : "not ok", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!cond)
		tap_fails++;
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_fails ? 1 : 0;
}

#endif
