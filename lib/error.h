/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * error.h - libcti's error reporting, shared by every module (lib/error.c).
 * Not installed.
 */
#ifndef CTI_ERROR_H
#define CTI_ERROR_H

/* Record a formatted message for cti_last_error() and return code (negative). */
int cti__error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reset cti_last_error_code() to CTI_OK (entry of functions that return pointers). */
void cti__clear_error(void);

#endif /* CTI_ERROR_H */
