// SPDX-License-Identifier: GPL-2.0-or-later
/* util.c - argument parsing, error messages and output helpers of `cti`. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* ------------------------------------------------------------------ */
/* option parsing                                                       */

/* "-100", "-1.5", "-.5", "-1e-3": a negative number, never an option. */
static int negative_number(const char *a)
{
	return a[0] == '-' && (isdigit((unsigned char)a[1]) || (a[1] == '.' && isdigit((unsigned char)a[2])));
}

/* Does the long option named by a ("name" or a unique prefix of it) take a value? */
static int long_needs_value(const char *a, const struct option *longopts)
{
	size_t len = strlen(a);
	int has = -1;

	for (const struct option *o = longopts; o->name; o++) {
		if (strncmp(o->name, a, len))
			continue;
		if (strlen(o->name) == len)
			return o->has_arg == required_argument;
		if (has >= 0 && has != o->has_arg)
			return 0;	/* ambiguous: getopt reports it */
		has = o->has_arg;
	}
	return has == required_argument;
}

/*
 * Reorder argv[1..argc) in place: the options with their values first, then
 * "--" if one was given, then the positional arguments in their order. A
 * negative number ("cable ppm 2 -100") is a positional argument unless it is
 * the value of an option. Returns the index of the first positional one.
 */
static int permute_args(int argc, char **argv, const char *shortopts, const struct option *longopts)
{
	char **opts = calloc((size_t)argc + 1, sizeof(*opts)), **pos = calloc((size_t)argc + 1, sizeof(*pos));
	char *dashdash = NULL;
	int no = 0, np = 0, i;

	if (!opts || !pos) {
		free(opts);
		free(pos);
		return argc;	/* getopt sees everything, as before */
	}
	for (i = 1; i < argc; i++) {
		char *a = argv[i];

		if (dashdash) {
			pos[np++] = a;
		} else if (!strcmp(a, "--")) {
			dashdash = a;
		} else if (a[0] != '-' || !a[1] || negative_number(a)) {
			pos[np++] = a;
		} else if (a[1] == '-') {
			char name[128];

			opts[no++] = a;
			snprintf(name, sizeof(name), "%s", a + 2);
			if (!strchr(a, '=') && long_needs_value(name, longopts) && i + 1 < argc)
				opts[no++] = argv[++i];
		} else {
			opts[no++] = a;
			for (const char *p = a + 1; *p; p++) {
				const char *s = *p == ':' ? NULL : strchr(shortopts, *p);

				if (s && s[1] == ':') {
					if (!p[1] && i + 1 < argc)
						opts[no++] = argv[++i];
					break;
				}
			}
		}
	}
	i = 1;
	for (int k = 0; k < no; k++)
		argv[i++] = opts[k];
	if (dashdash)
		argv[i++] = dashdash;
	for (int k = 0; k < np; k++)
		argv[i++] = pos[k];
	free(opts);
	free(pos);
	return 1 + no + (dashdash != NULL);
}

int tool_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts)
{
	static int end;
	char so[32];
	int o;

	if (optind == 0)
		end = permute_args(argc, argv, shortopts, longopts);
	snprintf(so, sizeof(so), "+%s", shortopts);
	o = getopt_long(end, argv, so, longopts, NULL);
	if (o == -1 && optind < end)
		optind = end;
	return o;
}

/* ------------------------------------------------------------------ */
/* files named on the command line                                      */

int out_path_check(const char *cmd, const char *what, const char *path)
{
	char dir[4096];
	const char *slash;
	struct stat st;

	if (!path[0])
		return usage_error(cmd, "%s: empty file name", what);
	if (strlen(path) >= sizeof(dir))
		return usage_error(cmd, "%s: file name longer than %zu characters", what, sizeof(dir) - 1);
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return usage_error(cmd, "%s '%s' is a directory", what, path);
		if (access(path, W_OK))
			return usage_error(cmd, "%s '%s' cannot be written: %s", what, path, strerror(errno));
		return 0;
	}
	slash = strrchr(path, '/');
	if (slash && !slash[1])
		return usage_error(cmd, "%s '%s' names a directory, not a file", what, path);
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (stat(dir, &st))
		return usage_error(cmd, "%s '%s': directory '%s': %s", what, path, dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return usage_error(cmd, "%s '%s': '%s' is not a directory", what, path, dir);
	if (access(dir, W_OK | X_OK))
		return usage_error(cmd, "%s '%s': directory '%s' is not writable: %s", what, path, dir,
				   strerror(errno));
	return 0;
}

static const char *file_kind(mode_t m)
{
	return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO" : S_ISCHR(m) ? "a character device"
	       : S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket" : "not a plain file";
}

int in_path_check(const char *cmd, const char *what, const char *path)
{
	struct stat st;

	if (!path[0])
		return usage_error(cmd, "%s: empty file name", what);
	if (stat(path, &st))
		return usage_error(cmd, "%s '%s' cannot be read: %s", what, path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return usage_error(cmd, "%s '%s' is not a regular file (%s)", what, path, file_kind(st.st_mode));
	if (access(path, R_OK))
		return usage_error(cmd, "%s '%s' cannot be read: %s", what, path, strerror(errno));
	return 0;
}

FILE *open_regular(const char *cmd, const char *what, const char *path, int *rc)
{
	struct stat st;
	FILE *f;
	int fd;

	*rc = 0;
	if (!path[0]) {
		*rc = usage_error(cmd, "%s: empty file name", what);
		return NULL;
	}
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		fprintf(stderr, "cti: %s %s: cannot open: %s\n", what, path, strerror(errno));
		*rc = EXIT_USAGE;	/* a bad file name is bad input, like a bad --config */
		return NULL;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "cti: %s %s: not a regular file (%s)\n", what, path, file_kind(st.st_mode));
		close(fd);
		*rc = EXIT_USAGE;
		return NULL;
	}
	/* blocking reads again (a regular file never blocks, but keep stdio's usual behaviour) */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	f = fdopen(fd, "r");
	if (!f) {
		fprintf(stderr, "cti: %s %s: %s\n", what, path, strerror(errno));
		close(fd);
		*rc = EXIT_ERROR;
	}
	return f;
}
