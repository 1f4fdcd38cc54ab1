// SPDX-License-Identifier: GPL-2.0-or-later
/* util.c - argument parsing, error messages and output helpers of `cti`. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "cti%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'cti %s%s--help'.\n", cmd ? cmd : "", cmd ? " " : "");
	return EXIT_USAGE;
}

int lib_error(const char *cmd, int rc)
{
	fprintf(stderr, "cti %s: %s (%s)\n", cmd, cti_last_error(), cti_strerror(rc));
	/* Bad input (an argument, the --config file) is a usage error; anything else could not run. */
	return rc == CTI_EINVAL || rc == CTI_ECONFIG ? EXIT_USAGE : EXIT_ERROR;
}

int arg_int(const char *cmd, const char *what, const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end)
		return usage_error(cmd, "%s '%s' is not a number (accepted: %ld-%ld)", what, s, min, max);
	if (v < min || v > max)
		return usage_error(cmd, "%s %ld out of range (accepted: %ld-%ld)", what, v, min, max);
	*out = v;
	return 0;
}

int arg_double(const char *cmd, const char *what, const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || isnan(v))
		return usage_error(cmd, "%s '%s' is not a number (accepted: %g .. %g, e.g. 1e-6)", what, s, min,
				   max);
	if (v < min || v > max)
		return usage_error(cmd, "%s %g out of range (accepted: %g .. %g)", what, v, min, max);
	*out = v;
	return 0;
}

int arg_choice(const char *cmd, const char *what, const char *s, const char *const *names)
{
	char list[256] = "";
	size_t used = 0;

	for (int i = 0; names[i]; i++)
		if (!strcmp(s, names[i]))
			return i;
	for (int i = 0; names[i] && used < sizeof(list); i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "", names[i]);
	usage_error(cmd, "%s '%s' unknown (accepted: %s)", what, s, list);
	return -1;
}

int arg_getopt_error(const char *cmd, char **argv, int optopt_, const char *accepted)
{
	extern int optind;
	const char *arg = optind > 0 ? argv[optind - 1] : "";
	char name[64];

	if (!strncmp(arg, "--", 2)) {
		/* a long option: name it as typed, without "=value" */
		snprintf(name, sizeof(name), "%s", arg);
		name[strcspn(name, "=")] = '\0';
	} else if (optopt_ > ' ' && optopt_ < 127) {
		snprintf(name, sizeof(name), "-%c", optopt_);
	} else {
		snprintf(name, sizeof(name), "%s", arg);
	}
	return usage_error(cmd, "option '%s' unknown or missing its value (accepted: %s)", name, accepted);
}

void json_out(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);

	if (s) {
		puts(s);
		free(s);
	}
	fflush(stdout);
	json_decref(j);
}

const char *line_name(enum cti_line l)
{
	return l == CTI_LINE_T1 ? "T1" : "E1";
}

const char *framing_name(enum cti_framing f)
{
	static const char *const n[] = { "crc4", "nocrc4", "esf", "d4" };

	return (unsigned)f < 4 ? n[f] : "?";
}

const char *coding_name(enum cti_coding c)
{
	static const char *const n[] = { "hdb3", "ami", "b8zs" };

	return (unsigned)c < 3 ? n[c] : "?";
}

const char *loop_name(int l)
{
	static const char *const n[] = { "none", "local", "line", "payload" };

	return (unsigned)l < 4 ? n[l] : "?";
}

const char *prbs_name(enum cti_prbs p)
{
	static const char *const n[] = { "?", "2e11", "2e15", "2e20", "qrss", "2e23" };

	return (unsigned)p < 6 ? n[p] : "?";
}

json_t *alarms_json(uint32_t alarms)
{
	char buf[128], *save = NULL;
	json_t *a = json_array();

	cti_alarm_text(alarms, buf, sizeof(buf));
	if (!strcmp(buf, "OK"))
		return a;
	for (char *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		json_array_append_new(a, json_string(tok));
	return a;
}

void mask_text(uint32_t mask, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < 32 && used < size; i++) {
		int j;

		if (!(mask & (1u << i)))
			continue;
		for (j = i; j + 1 < 32 && (mask & (1u << (j + 1))); j++)
			;
		if (j == i)
			used += (size_t)snprintf(buf + used, size - used, "%s%d", used ? "," : "", i);
		else
			used += (size_t)snprintf(buf + used, size - used, "%s%d-%d", used ? "," : "", i, j);
		i = j;
	}
}

static int progress_shown;

void progress(const char *fmt, ...)
{
	va_list ap;

	if (!T.progress)
		return;
	fputs("\r\033[K", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
	progress_shown = 1;
}

void progress_end(void)
{
	if (progress_shown)
		fputs("\r\033[K", stderr);
	progress_shown = 0;
}
