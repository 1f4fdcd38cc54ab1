/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tool.h - the `cti` command: shared state and helpers of its subcommands.
 * Uses only the public libcti API (cti.h).
 */
#ifndef CTI_TOOL_H
#define CTI_TOOL_H

#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include <cti.h>

/* Exit codes (documented in cti(1)). */
#define EXIT_PASS 0	/* done / test passed */
#define EXIT_FAIL 1	/* test ran and failed (alarm present, BER over threshold, call failed) */
#define EXIT_USAGE 2	/* bad command line, configuration file or file name */
#define EXIT_ERROR 3	/* could not run: no spans, device, I/O or library error */
#define EXIT_INTERRUPTED 4	/* SIGINT/SIGTERM ended a test call (cleared with cause 16) */

enum responder {
	RESP_NONE = 0,
	RESP_ECHO,	/* answer, send back what is received (DTMF echo) */
	RESP_MILLIWATT,	/* answer, 1004 Hz 0 dBm0 */
	RESP_RECORD,	/* answer, record to a file */
	RESP_SILENT,	/* answer, stay silent */
	RESP_FAX,	/* answer, receive a fax */
};

struct tool {
	cti_ctx_t *ctx;
	int json;
	int verbose;
	int quiet;
	/* how to open the context */
	int sim;
	int sim_ports;
	enum cti_line line;
	int switchtype;		/* -1: default for the line */
	const char *config_path;
	int real_clock;		/* --sim with the real clock */
	int progress;		/* live progress lines (stderr is a tty, or --progress) */
	volatile sig_atomic_t stop;
	/* event routing: the running command's hook sees every event */
	void (*hook)(const cti_event_t *ev, void *arg);
	void *hook_arg;
	/* test responder: answers calls offered on resp_span (0: any span) */
	enum responder resp;
	int resp_span;
	const char *resp_file;
	int resp_ops;		/* calls answered by the responder */
	int resp_ring_only;	/* responder alerts but does not answer (cti transfer --blind) */
};

extern struct tool T;

/* A subcommand: returns an exit code. argv[0] is the subcommand name. */
struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;	/* synopsis after the name */
	const char *summary;
	const char *help;	/* full --help text (options) */
};

extern const struct command commands[];

/* ---- errors and arguments (util.c) ---- */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int lib_error(const char *cmd, int rc);
int show_help(const char *cmd);
/* Integer in [min, max]; exit code 2 (message printed) or 0. */
int arg_int(const char *cmd, const char *what, const char *s, long min, long max, long *out);
int arg_double(const char *cmd, const char *what, const char *s, double min, double max, double *out);
/* Index of s in names (NULL terminated) or -1 with a message listing them. */
int arg_choice(const char *cmd, const char *what, const char *s, const char *const *names);
/*
 * getopt_long for the subcommands (optind = 0 before the first call): options
 * may follow the positional arguments, and a negative number ("-100") is a
 * positional argument (or an option's value), never an option.
 */
int tool_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts);
/*
 * A file the command will write (recording, fax): 0 when it can be created or
 * written; otherwise exit code 2 with a message naming the file and the
 * problem (empty name, a directory, missing or unwritable directory).
 */
int out_path_check(const char *cmd, const char *what, const char *path);
/* A file the command will read (play, fax send): a readable regular file, or exit code 2 and a message. */
int in_path_check(const char *cmd, const char *what, const char *path);
/*
 * Open a file to read (--batch, ...) without blocking: refuses FIFOs,
 * directories and devices before reading. NULL with *rc = 2 (bad input, as a
 * bad --config) and a message naming the file.
 */
FILE *open_regular(const char *cmd, const char *what, const char *path, int *rc);
/* Unknown option / missing argument message for getopt's '?' and ':'. */
int arg_getopt_error(const char *cmd, char **argv, int optopt_, const char *accepted);

/* ---- context (main.c) ---- */
/* Open the context once (options of the command line). Exit code or 0. */
int tool_open(const char *cmd);
/* Span by name or index: index, or exit code 2 (usage) / 3 with a message; *out gets the index. */
int span_arg(const char *cmd, const char *s, int *out);
/* Board port by number or span name. */
int port_arg(const char *cmd, const char *s, int *out);
/* The span whose sim port is `port`, or 0. */
int span_of_port(int port);
/* Run the line for ms (virtual: instantly); returns early if T.stop or done() says so. */
void run_for(uint32_t ms, int (*done)(void *), void *arg);
uint64_t now_ms(void);
int sim_mode(void);	/* context has a sim board (cable commands work) */

/* ---- output (util.c) ---- */
void json_out(json_t *j);	/* one compact JSON document per line, then frees j */
const char *line_name(enum cti_line l);
const char *framing_name(enum cti_framing f);
const char *coding_name(enum cti_coding c);
const char *loop_name(int l);
const char *prbs_name(enum cti_prbs p);
json_t *alarms_json(uint32_t alarms);
/* "1-15,17-31" from a mask */
void mask_text(uint32_t mask, char *buf, size_t size);
void progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void progress_end(void);

/* ---- subcommands ---- */
int cmd_status(int argc, char **argv);
int cmd_loop(int argc, char **argv);
int cmd_inject(int argc, char **argv);
int cmd_bert(int argc, char **argv);
int cmd_cable(int argc, char **argv);
int cmd_wait(int argc, char **argv);
int cmd_call(int argc, char **argv);
int cmd_answer(int argc, char **argv);
int cmd_dtmf(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_play(int argc, char **argv);
int cmd_fax(int argc, char **argv);
int cmd_levels(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_hold(int argc, char **argv);
int cmd_transfer(int argc, char **argv);
int cmd_mwi(int argc, char **argv);

/* responder (call.c): handles offered calls while T.resp is set */
void responder_event(const cti_event_t *ev);

#endif
