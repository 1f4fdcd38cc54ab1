// SPDX-License-Identifier: GPL-2.0-or-later
/* cable.c - `cti cable`: cables and line faults of the emulated board. */
#include <getopt.h>
#include <string.h>

#include "tool.h"

static json_t *faults_json(const cti_line_faults_t *f)
{
	return json_pack("{s:b, s:b, s:f, s:i, s:i}", "los", f->los, "ais", f->ais, "ber", f->ber,
			 "burst_bits", f->burst_bits, "ppm", f->ppm);
}

static void faults_text(const cti_line_faults_t *f, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	if (f->los)
		used += (size_t)snprintf(buf + used, size - used, "%sLOS (rx pair broken)", used ? ", " : "");
	if (f->ais && used < size)
		used += (size_t)snprintf(buf + used, size - used, "%sAIS", used ? ", " : "");
	if (f->ber > 0 && used < size)
		used += (size_t)snprintf(buf + used, size - used, "%sBER %.2g%s", used ? ", " : "", f->ber,
					 f->burst_bits > 1 ? " (bursts)" : "");
	if (f->ppm && used < size)
		used += (size_t)snprintf(buf + used, size - used, "%s%+d ppm", used ? ", " : "", f->ppm);
	if (!used)
		snprintf(buf, size, "none");
}

static int cable_show(void)
{
	int n = 0;
	json_t *arr = T.json ? json_array() : NULL;

	/* ports: as many as the board has (cti_cable_peer fails past the last) */
	for (int p = 1; p <= 256; p++) {
		cti_line_faults_t f;
		int peer = cti_cable_peer(T.ctx, p), span;
		char ft[128];
		cti_span_status_t st;

		if (peer < 0) {
			if (p == 1) {
				json_decref(arr);
				return lib_error("cable", peer);
			}
			break;
		}
		n++;
		if (cti_cable_get_faults(T.ctx, p, &f) < 0)
			memset(&f, 0, sizeof(f));
		span = span_of_port(p);
		if (span)
			cti_span_status(T.ctx, span, &st);
		if (arr) {
			json_array_append_new(arr, json_pack("{s:i, s:i, s:s?, s:o}", "port", p, "peer", peer, "span",
							     span ? st.name : NULL, "faults", faults_json(&f)));
			continue;
		}
		faults_text(&f, ft, sizeof(ft));
		if (peer == p)
			printf("port %d%s%s%s: loop plug", p, span ? " (" : "", span ? st.name : "", span ? ")" : "");
		else if (peer)
			printf("port %d%s%s%s <-> port %d", p, span ? " (" : "", span ? st.name : "", span ? ")" : "",
			       peer);
		else
			printf("port %d%s%s%s: no cable", p, span ? " (" : "", span ? st.name : "", span ? ")" : "");
		printf("  faults in: %s\n", ft);
	}
	if (arr)
		json_out(json_pack("{s:o}", "ports", arr));
	return n ? EXIT_PASS : EXIT_ERROR;
}

static int done(const char *what, int port, const cti_line_faults_t *f)
{
	if (T.json) {
		json_t *j = json_pack("{s:s, s:i}", "action", what, "port", port);

		if (f)
			json_object_set_new(j, "faults", faults_json(f));
		json_out(j);
	} else if (f) {
		char ft[128];

		faults_text(f, ft, sizeof(ft));
		printf("port %d: faults in: %s\n", port, ft);
	}
	return EXIT_PASS;
}

int cmd_cable(int argc, char **argv)
{
	static const char *const actions[] = { "show", "connect", "cut", "ais", "ber", "ppm", "clear", NULL };
	static const char *const onoff[] = { "off", "on", NULL };
	static const int nargs[] = { 0, 2, 1, 2, 2, 2, 1 };
	static const struct option opts[] = {
		{ "rx", no_argument, NULL, 'r' },
		{ "burst", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int rc, o, action, rx = 0, a = 0, b = 0, onoff_v = 0;
	long burst = -1, ppm = 0;
	double ber = 0;
	cti_line_faults_t f;

	while ((o = tool_getopt(argc, argv, "h", opts)) != -1) {
		switch (o) {
		case 'r': rx = 1; break;
		case 'b': if ((rc = arg_int("cable", "--burst", optarg, 0, 1000000, &burst))) return rc; break;
		case 'h': return show_help("cable");
		default: return arg_getopt_error("cable", argv, optopt, "--rx, --burst, --help");
		}
	}
	if (optind >= argc)
		return usage_error("cable", "expects an action (accepted: show, connect, cut, ais, ber, ppm, clear)");
	action = arg_choice("cable", "action", argv[optind], actions);
	if (action < 0)
		return EXIT_USAGE;
	if (argc - optind - 1 != nargs[action])
		return usage_error("cable", "%s expects %d argument%s", actions[action], nargs[action],
				   nargs[action] == 1 ? "" : "s");
	if (rx && action != 2)
		return usage_error("cable", "--rx goes with cut");
	if (burst >= 0 && action != 4)
		return usage_error("cable", "--burst goes with ber");
	/* values first: a bad command line never opens the spans */
	switch (action) {
	case 3:
		if ((onoff_v = arg_choice("cable", "ais", argv[optind + 2], onoff)) < 0)
			return EXIT_USAGE;
		break;
	case 4:
		if ((rc = arg_double("cable", "BER", argv[optind + 2], 0, 0.5, &ber)))
			return rc;
		break;
	case 5:
		if ((rc = arg_int("cable", "ppm", argv[optind + 2], -1000, 1000, &ppm)))
			return rc;
		break;
	}
	if ((rc = tool_open("cable")))
		return rc;
	if (action == 0)
		return cable_show();
	if ((rc = port_arg("cable", argv[optind + 1], &a)))
		return rc;
	if (action == 1 && (rc = port_arg("cable", argv[optind + 2], &b)))
		return rc;
	if (action >= 2) {
		rc = cti_cable_get_faults(T.ctx, a, &f);
		if (rc < 0)
			return lib_error("cable", rc);
	}
	switch (action) {
	case 1:
		rc = cti_cable_connect(T.ctx, a, b);
		if (rc < 0)
			return lib_error("cable", rc);
		if (!T.json)
			printf("port %d <-> port %d connected\n", a, b);
		return done("connect", a, NULL);
	case 2:
		if (rx) {
			f.los = 1;
			rc = cti_cable_set_faults(T.ctx, a, &f);
		} else {
			rc = cti_cable_cut(T.ctx, a);
		}
		if (rc < 0)
			return lib_error("cable", rc);
		if (!T.json)
			printf("port %d: %s\n", a, rx ? "receive pair broken" : "cable cut");
		return done(rx ? "cut-rx" : "cut", a, NULL);
	case 3:
		f.ais = onoff_v;
		break;
	case 4:
		f.ber = ber;
		if (burst >= 0)
			f.burst_bits = (int)burst;
		break;
	case 5:
		f.ppm = (int)ppm;
		break;
	case 6:
		memset(&f, 0, sizeof(f));
		break;
	}
	rc = cti_cable_set_faults(T.ctx, a, &f);
	if (rc < 0)
		return lib_error("cable", rc);
	return done(actions[action], a, &f);
}
