/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * main.c - the ctid program.
 *
 *   ctid --check FILE   validate ctid.conf (and the cti.conf it names) without starting
 *
 * Exit codes: 0 valid, 1 the configuration has errors (all listed on stderr
 * as FILE:LINE: message), 2 bad command line.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cti.h"

#include "acd.h"
#include "config.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: ctid --check FILE\n"
		   "  -c, --check FILE   validate the configuration and exit (0: valid, 1: errors)\n"
		   "  -h, --help         this text\n"
		   "See docs/ctid.md.\n");
}

/* Everything --check can verify without opening the trunks. */
static int check(const char *path)
{
	struct ctid_config *cfg;
	char *errors;
	int n = ctid_config_load(path, &cfg, &errors);
	if (n) {
		fputs(errors ? errors : "out of memory\n", stderr);
		free(errors);
		return 1;
	}
	int bad = 0;
	if (cfg->cti_conf[0]) {
		cti_config_t *cc = cti_config_new();
		if (!cc || cti_config_load(cc, cfg->cti_conf)) {
			fprintf(stderr, "%s: cti_conf %s: %s\n", path, cfg->cti_conf, cti_last_error());
			bad = 1;
		}
		cti_config_free(cc);
	}
	acd_t *acd = acd_new();
	int r = acd ? ctid_config_apply(cfg, acd) : ACD_ENOMEM;
	if (r) {
		fprintf(stderr, "%s: ACD refused the configuration: %s\n", path, acd_strerror(r));
		bad = 1;
	}
	acd_free(acd);
	if (!bad)
		printf("%s: OK: %d trunks, %d routes, %d queues, %d agents, %d IVR flows, %d VIP numbers\n", path,
		       cfg->ntrunks, cfg->nroutes, cfg->nqueues, cfg->nagents, cfg->nflows, cfg->nvips);
	ctid_config_free(cfg);
	return bad;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "check", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *check_file = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			check_file = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ctid: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (!check_file) {
		fprintf(stderr, "ctid: only --check FILE is implemented so far (see docs/ctid.md)\n");
		usage(stderr);
		return 2;
	}
	return check(check_file);
}
