// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_ctid_config.c - ctid.conf parser (server/ctid/config.c): the sample
 * file parses to the expected values; every kind of bad input gets a
 * message naming the file, the line and the value; all errors of a file are
 * reported at once; a reload applied to a running ACD keeps agent states and
 * waiting calls.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "acd.h"
#include "config.h"

#ifndef SAMPLE
#define SAMPLE "server/ctid/ctid.conf.sample"
#endif

static char tmpdir[64];

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_ctid_config.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	char p[128];
	snprintf(p, sizeof(p), "%s/prompts", tmpdir);
	mkdir(p, 0755);
	const char *files[] = { "welcome.wav", "tariffs.tif", "leave-message.wav", "billing-welcome.wav", "music.wav" };
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		write_file(p, files[i], "x");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct ctid_config *load_sample(void)
{
	FILE *in = fopen(SAMPLE, "r");
	assert_non_null(in);
	char buf[16384];
	size_t n = fread(buf, 1, sizeof(buf) - 1, in);
	fclose(in);
	buf[n] = 0;
	write_file(tmpdir, "ctid.conf", buf);
	char path[128];
	snprintf(path, sizeof(path), "%s/ctid.conf", tmpdir);
	struct ctid_config *cfg;
	char *errors;
	int r = ctid_config_load(path, &cfg, &errors);
	if (r)
		fail_msg("sample: %s", errors);
	assert_null(errors);
	return cfg;
}

static void test_sample(void **state)
{
	(void)state;
	struct ctid_config *cfg = load_sample();
	assert_int_equal(cfg->sim_pairs, 2);
	assert_string_equal(cfg->sim_line, "e1");
	assert_string_equal(cfg->listen, "127.0.0.1:8088");
	assert_string_equal(cfg->cdr, "sqlite:/var/lib/ctid/cdr.db");
	assert_int_equal(cfg->ring_timeout_s, 20);
	assert_int_equal(cfg->record_policy, CTID_POLICY_QUEUES);
	assert_int_equal(cfg->record_mode, CTID_RECORD_STEREO);
	assert_int_equal(cfg->ntrunks, 2);
	assert_int_equal(cfg->trunks[1].role, CTID_TRUNK_POSITIONS);
	assert_string_equal(cfg->trunks[1].span, "sim3");

	/* Routing: exact number, else "*". */
	assert_string_equal(ctid_config_route(cfg, "800200")->target, "queue:billing");
	assert_string_equal(ctid_config_route(cfg, "800100")->target, "ivr:main");
	assert_string_equal(ctid_config_route(cfg, "12345")->target, "ivr:main");

	const struct ctid_queue *q = ctid_config_queue(cfg, "billing");
	assert_non_null(q);
	assert_int_equal(q->acd.priority, 1);
	assert_int_equal(q->acd.strategy, ACD_LONGEST_IDLE);
	assert_int_equal(q->acd.nskills, 2);
	assert_string_equal(q->acd.skills[0].name, "billing");
	assert_int_equal(q->acd.skills[0].level, 3);
	assert_string_equal(q->acd.skills[1].name, "english");
	assert_int_equal(q->acd.service_level_ms, 20000);
	assert_int_equal(q->acd.wrapup_ms, 15000);
	assert_int_equal(q->acd.overflow_ms, 60000);
	assert_string_equal(q->acd.overflow_to, "general");	/* bare queue name for the ACD */
	assert_int_equal(q->acd.max_wait_ms, 600000);
	assert_string_equal(q->acd.max_wait_to, "ivr:voicemail");
	assert_string_equal(q->announce, "billing-welcome.wav");
	assert_int_equal(q->announce_every_s, 30);
	assert_true(q->record);
	q = ctid_config_queue(cfg, "outage");
	assert_int_equal(q->acd.strategy, ACD_BEST_SKILL);
	assert_int_equal(q->acd.priority, 5);
	assert_false(q->record);
	assert_null(ctid_config_queue(cfg, "nope"));

	const struct ivr_flow *f = ctid_config_flow(cfg, "main");
	assert_non_null(f);
	assert_int_equal(f->nsteps, 6);
	assert_int_equal(f->steps[0].op, IVR_PLAY);
	assert_string_equal(f->steps[0].arg, "welcome.wav");
	assert_int_equal(f->steps[1].op, IVR_DIGITS);
	assert_int_equal(f->steps[1].max_digits, 1);
	assert_int_equal(f->steps[1].timeout_s, 5);
	const struct ivr_step *b = &f->steps[2];
	assert_int_equal(b->op, IVR_BRANCH);
	assert_int_equal(b->nbranches, 3);
	assert_string_equal(b->branches[0].digits, "1");
	assert_string_equal(b->branches[0].target, "queue:billing");
	assert_string_equal(b->branches[2].target, "fax");
	assert_string_equal(b->dflt, "again");
	assert_int_equal(ivr_step_index(f, "menu"), 1);
	assert_int_equal(f->steps[3].op, IVR_GOTO);
	assert_int_equal(f->steps[5].op, IVR_HANGUP);
	assert_int_equal(f->steps[5].cause, 16);
	f = ctid_config_flow(cfg, "voicemail");
	assert_int_equal(f->steps[1].op, IVR_RECORD);
	assert_int_equal(f->steps[1].max_s, 120);

	const struct ctid_agent *a = ctid_config_agent_by_token(cfg, "bob-secret-token");
	assert_non_null(a);
	assert_string_equal(a->acd.id, "1002");
	assert_string_equal(a->acd.position, "3002");
	assert_false(a->supervisor);
	assert_true(ctid_config_agent_by_token(cfg, "supervisor-secret-token")->supervisor);
	assert_null(ctid_config_agent_by_token(cfg, "wrong"));
	assert_null(ctid_config_agent_by_token(cfg, ""));
	assert_int_equal(cfg->nvips, 2);
	assert_string_equal(cfg->vips[1], "00493087654321");
	ctid_config_free(cfg);
}

#define BASE "[ctid]\nsim = 1 e1 euroisdn\n[trunk in]\nspan = sim2\nrole = inbound\n"	/* 5 lines */

static const struct {
	const char *text;	/* appended to BASE (unless it starts with '!') */
	const char *error;	/* expected in the messages */
} bad[] = {
	{ "[queue q]\npriority = 101\n", "t.conf:7: bad value '101' for priority (accepted: 0-100" },
	{ "[queue q]\nstrategy = random\n", "t.conf:7: bad value 'random' for strategy (accepted: longest-idle, best-skill)" },
	{ "[queue q]\nskills = sales\n", "t.conf:7: skill 'sales' has no level" },
	{ "[queue q]\nskills = sales:0\n", "t.conf:7: bad level '0' for skill 'sales' (accepted: 1-100)" },
	{ "[queue q]\nskills = a:1, a:2\n", "t.conf:7: skill 'a' listed twice" },
	{ "[queue q]\ncolour = red\n", "t.conf:7: unknown key 'colour' in [queue] (accepted: priority, strategy, skills," },
	{ "[queue q]\nwrapup = 5\nwrapup = 6\n", "t.conf:8: duplicate key 'wrapup' in [queue]" },
	{ "[queue q]\noverflow = 60\n", "t.conf:7: bad value '60' for overflow (accepted: SECONDS queue:NAME|ivr:NAME|hangup)" },
	{ "[queue q]\noverflow = 60 queue:nowhere\n", "t.conf:7: queue 'q' overflow: no [queue nowhere]" },
	{ "[queue q]\noverflow = 60 queue:q\n", "t.conf:7: queue 'q' overflow: overflows into itself" },
	{ "[queue q]\nmax_wait = 60 ivr:nothere\n", "t.conf:7: queue 'q' max_wait: no [ivr nothere]" },
	{ "[queue q]\nmoh = missing.wav\n", "t.conf:7: queue 'q': cannot read " },
	{ "[queue q]\nannounce_position = welcome.wav\n", "t.conf:7: queue 'q': announce_position without announce" },
	{ "[queue q]\nannounce = welcome.wav\nannounce_position = welcome.wav\n",
	  "/digits/0.wav': No such file or directory" },	/* the digit prompts (line 8) */
	{ "[queue q]\nannounce_wait = welcome.wav\n", "t.conf:7: queue 'q': announce_wait without announce" },
	{ "[queue q]\nannounce_every = 3601\n", "t.conf:7: bad value '3601' for announce_every (accepted: 0-3600 seconds" },
	{ "[queue q]\n[queue q]\n", "t.conf:7: queue 'q' defined twice (first on line 6)" },
	{ "[queue]\n", "t.conf:6: section [queue] needs a name: [queue NAME]" },
	{ "[queue a/b]\n", "t.conf:6: bad name 'a/b' for [queue]" },
	{ "[queues x]\n", "t.conf:6: unknown section [queues] (accepted: ctid, recording," },
	{ "[queue x\n", "t.conf:6: bad section header '[queue x'" },
	{ "[routes]\n800 = queue:none\n", "t.conf:7: route 800: no [queue none]" },
	{ "[routes]\n800 = somewhere\n", "t.conf:7: bad value 'somewhere' for 800 (accepted: queue:NAME, ivr:NAME, hangup)" },
	{ "[routes]\nabc = hangup\n", "t.conf:7: bad called number 'abc' in [routes]" },
	{ "[routes]\n800 = hangup\n800 = hangup\n", "t.conf:8: called number '800' routed twice (first on line 7)" },
	{ "[agent 1]\nskills = x:1\n", "t.conf:6: agent '1' has no position" },
	{ "[agent 1]\nposition = 3001\n", "t.conf:6: agent '1' has a position but no [trunk] has role = positions" },
	{ "[agent 1]\nposition = 30a1\n", "t.conf:7: bad value '30a1' for position (accepted: a number: digits, *, #)" },
	{ "[agent 1]\nsupervisor = maybe\n", "t.conf:7: bad value 'maybe' for supervisor (accepted: yes, no)" },
	{ "[agent 1]\nanswer = headset\n", "t.conf:7: bad value 'headset' for answer (accepted: phone (the position answers), desktop" },
	{ "[agent 1]\nsupervisor = yes\nanswer = desktop\n", "t.conf:6: agent '1': answer = desktop needs a position" },
	{ "[trunk out]\nspan = sim3\noutbound = sometimes\n", "t.conf:8: bad value 'sometimes' for outbound (accepted: yes, no)" },
	{ "[trunk out]\nspan = sim3\noutbound = yes\n[trunk out2]\nspan = sim4\noutbound = yes\n",
	  "t.conf:9: trunk 'out2': only one trunk may have outbound = yes (first on line 6)" },
	{ "[agent 1]\ntoken = short\n", "t.conf:7: bad value 'short' for token (accepted: 8-127 characters)" },
	{ "[agent 1]\nsupervisor = yes\ntoken = abcdefgh\n[agent 2]\nsupervisor = yes\ntoken = abcdefgh\n",
	  "t.conf:9: agent '2': same token as agent '1'" },
	{ "[vip]\nani = 123, 12x\n", "t.conf:7: bad value '12x' for ani" },
	{ "[vip]\nnumber = 123\n", "t.conf:7: unknown key 'number' in [vip] (accepted: ani)" },
	{ "[ivr m]\na = sing loudly\n", "t.conf:7: unknown action 'sing' in step 'a' (accepted: play, say, digits," },
	{ "[ivr m]\na = digits 0\n", "t.conf:7: step 'a': digits needs the number of digits 1-32, got '0'" },
	{ "[ivr m]\na = digits 4 timeout=0\n", "t.conf:7: step 'a': bad option 'timeout=0' for digits" },
	{ "[ivr m]\na = digits 4 terminator=x\n", "t.conf:7: step 'a': bad option 'terminator=x' for digits" },
	{ "[ivr m]\na = branch 1=nowhere\n", "t.conf:7: step 'a': no step 'nowhere' in [ivr m]" },
	{ "[ivr m]\na = branch 1:queue:x\n", "t.conf:7: step 'a': bad branch '1:queue:x'" },
	{ "[ivr m]\na = queue ghost\n", "t.conf:7: step 'a': no [queue ghost]" },
	{ "[ivr m]\na = play\n", "t.conf:7: step 'a': play needs a file name" },
	{ "[ivr m]\na = play nothere.wav\n", "t.conf:7: step 'a': cannot read " },
	{ "[ivr m]\na = hangup 200\n", "t.conf:7: step 'a': bad hangup cause '200' (accepted: 1-127, default 16)" },
	{ "[ivr m]\na = hangup\na = hangup\n", "t.conf:8: step label 'a' used twice in [ivr m] (first on line 7)" },
	{ "[ivr m]\n", "t.conf:6: [ivr m] has no steps" },
	{ "[recording]\nmode = mono\n", "t.conf:7: bad value 'mono' for mode (accepted: stereo, split)" },
	{ "[trunk out]\nspan = a\ngroup = b\n", "t.conf:8: trunk 'out': give either span or group, not both" },
	{ "[trunk out]\nrole = both\n", "t.conf:7: bad value 'both' for role (accepted: inbound, positions, outbound)" },
	{ "[campaign c]\ncps = 0\n", "t.conf:7: bad value '0' for cps (accepted: calls per second 0.01-100)" },
	{ "[campaign c]\nwindow = 9-17\n", "t.conf:7: bad value '9-17' for window (accepted: HH:MM-HH:MM" },
	{ "[campaign c]\nretry = busy:2\n", "t.conf:7: bad retry 'busy:2' (write RESULT:RETRIES:DELAY_S" },
	{ "[campaign c]\nretry = voice:1:60\n", "t.conf:7: bad retry 'voice:1:60'" },
	{ "[campaign c]\nmode = predictive\n", "t.conf:7: bad value 'predictive' for mode (accepted: broadcast, progressive" },
	{ "[campaign c]\nspeed = 3\n", "t.conf:7: unknown key 'speed' in [campaign] (accepted: contacts, trunk," },
	{ "[campaign c]\ncps = 1\ncps = 2\n", "t.conf:8: duplicate key 'cps' in [campaign c]" },
	{ "[campaign c]\ntrunk = in\n", "t.conf:6: [campaign c] has no contacts = FILE.csv" },
	{ "[campaign c]\ncontacts = x.csv\n", "t.conf:6: [campaign c] has no trunk = NAME" },
	{ "[campaign c]\ncontacts = x.csv\ntrunk = in\n", "t.conf:8: campaign 'c': its trunk does not have role = outbound" },
	{ "[campaign c]\ncontacts = x.csv\ntrunk = nope\n", "t.conf:8: campaign 'c': no such [trunk]" },
	{ "[campaign c]\ncontacts = x.csv\ntrunk = in\nmode = progressive\n",
	  "t.conf:6: [campaign c]: mode progressive needs queue = NAME" },
	{ "[campaign c]\ncontacts = nothere.csv\ntrunk = in\n", "t.conf:7: campaign 'c': " },
	{ "[campaign c]\nmessage = tts:en\n", "t.conf:7: bad text-to-speech prompt 'tts:en'" },
	{ "[campaign c]\n[campaign c]\n", "t.conf:7: campaign 'c' defined twice (first on line 6)" },
	{ "[ivr m]\na = say hello\n", "t.conf:7: step 'a': say needs VOICE: TEXT" },
	{ "[trunk out]\n", "t.conf:6: trunk 'out' has no span or group" },
	{ "just words\n", "t.conf:6: expected 'key = value', got 'just words'" },
	{ "[vip]\nani =\n", "t.conf:7: key 'ani' has no value" },
	{ "[ctid]\n", "t.conf:6: section [ctid] given twice (first on line 1)" },
	{ "!key = 1\n", "t.conf:1: key 'key' outside of any section" },
	{ "!", "t.conf: no [ctid] section" },
	{ "![ctid]\nsim = 1 e1 euroisdn\n", "t.conf:1: no [trunk] with role = inbound" },
	{ "![ctid]\nsim = 1 e1 euroisdn\ncti_conf = /x\n[trunk t]\nspan=a\n",
	  "t.conf:1: [ctid] needs exactly one of sim = PAIRS LINE SWITCHTYPE or cti_conf = PATH" },
	{ "![ctid]\ncti_conf = /x\nclock = virtual\n[trunk t]\nspan=a\n", "t.conf:1: clock = virtual needs the emulated board" },
	{ "![ctid]\nsim = 1 e3 euroisdn\n", "t.conf:2: bad value '1 e3 euroisdn' for sim" },
	{ "![ctid]\nsim = 1 e1 ni3\n", "t.conf:2: bad value 'ni3' for sim switchtype (accepted: euroisdn, ni2," },
	{ "![ctid]\nlisten = 8088\n", "t.conf:2: bad value '8088' for listen (accepted: HOST:PORT" },
	{ "![ctid]\ncdr = mysql:x\n", "t.conf:2: bad value 'mysql:x' for cdr (accepted: sqlite:PATH, postgresql:CONNINFO)" },
	{ "![ctid]\ntls_cert = c.pem\n", "t.conf:2: TLS needs both tls_cert and tls_key" },
	{ "![ctid]\ntls_cert = c.pem\ntls_key = k.pem\n", "t.conf:3: tls_cert: cannot read " },
	{ "![ctid]\nring_timeout = 0\n", "t.conf:2: bad value '0' for ring_timeout (accepted: 1-600 seconds)" },
	/* [cluster] (several hosts on Redis) */
	{ "[cluster]\nredis = localhost\nhost = h1\n", "t.conf:7: bad value 'localhost' for redis (accepted: HOST:PORT" },
	{ "[cluster]\nredis = localhost:0\nhost = h1\n", "t.conf:7: bad value 'localhost:0' for redis" },
	{ "[cluster]\nredis = 10.0.0.5:6379\nhost = a/b\n", "t.conf:8: bad value 'a/b' for host (accepted: a name" },
	{ "[cluster]\nredis = /run/redis.sock\nhost = h1\nlease = 1\n", "t.conf:9: bad value '1' for lease (accepted: 2-3600 seconds)" },
	{ "[cluster]\nhost = h1\n", "t.conf:6: [cluster] needs redis = HOST:PORT (or a socket path) and host = NAME" },
	{ "[cluster]\nredis = h:1\n", "t.conf:6: [cluster] needs redis = HOST:PORT (or a socket path) and host = NAME" },
	{ "[cluster]\nredis = h:1\nhost = x\ncolour = red\n", "t.conf:9: unknown key 'colour' in [cluster] (accepted: redis, host, lease)" },
	{ "[cluster]\nredis = h:1\nhost = x\n[cluster]\n", "t.conf:9: section [cluster] given twice (first on line 6)" },
	{ "[cluster]\nredis = h:1\nhost = x\n[ctid]\n", "t.conf:9: section [ctid] given twice" },
	{ "![ctid]\nsim = 1 e1 euroisdn\nclock = virtual\n[trunk in]\nspan = sim2\n[cluster]\nredis = h:1\nhost = x\n",
	  "t.conf:6: [cluster] needs clock = real (the hosts share Redis' clock)" },
	{ "![ctid]\nweb_root = nothere\n", "t.conf:2: web_root: cannot use '" },
	{ "![ctid]\nweb_root = prompts/music.wav\n", "prompts/music.wav' is not a directory" },
	{ "[customer]\nsql = SELECT * FROM customer WHERE ani = ?\n", "t.conf:7: [customer] sql needs sqlite = DATABASE" },
	{ "[customer]\nurl = ftp://crm/{ani}\n", "t.conf:7: customer url 'ftp://crm/{ani}': expected http://... or https://..." },
	{ "[customer]\nurl = http://crm/customers\n", "t.conf:7: customer url 'http://crm/customers': no {ani}" },
	{ "[customer]\ntimeout = 50\n", "t.conf:7: bad value '50' for timeout (accepted: 100-30000 milliseconds)" },
	{ "[customer]\nsqlite = nothere.db\n", "t.conf:7: [customer] sqlite: cannot read '" },
	{ "[customer]\ncolour = red\n", "t.conf:7: unknown key 'colour' in [customer] (accepted: sqlite, sql, url, timeout)" },
	{ "[customer]\n[customer]\n", "t.conf:7: section [customer] given twice (first on line 6)" },
	{ "[customer x]\n", "t.conf:6: section [customer] takes no name, got 'x'" },
};

/* [cluster] read into the configuration; absent: one host (empty redis). */
static void test_cluster_section(void **state)
{
	(void)state;
	struct ctid_config *cfg = NULL;
	char *errors = NULL;
	assert_int_equal(ctid_config_parse(BASE "[cluster]\nredis = 10.0.0.5:6379\nhost = east-1\nlease = 5\n", "t.conf",
					   tmpdir, &cfg, &errors), 0);
	assert_string_equal(cfg->cluster_redis, "10.0.0.5:6379");
	assert_string_equal(cfg->cluster_host, "east-1");
	assert_int_equal(cfg->cluster_lease_s, 5);
	ctid_config_free(cfg);
	assert_int_equal(ctid_config_parse(BASE "[cluster]\nredis = /run/redis/redis.sock\nhost = h\n", "t.conf", tmpdir,
					   &cfg, &errors), 0);
	assert_string_equal(cfg->cluster_redis, "/run/redis/redis.sock");
	assert_int_equal(cfg->cluster_lease_s, 10);
	ctid_config_free(cfg);
	assert_int_equal(ctid_config_parse(BASE, "t.conf", tmpdir, &cfg, &errors), 0);
	assert_string_equal(cfg->cluster_redis, "");
	ctid_config_free(cfg);
}

static void test_bad_input(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[1024];
		if (bad[i].text[0] == '!')
			snprintf(text, sizeof(text), "%s", bad[i].text + 1);
		else
			snprintf(text, sizeof(text), "%s%s", BASE, bad[i].text);
		struct ctid_config *cfg = (void *)1;
		char *errors = NULL;
		int n = ctid_config_parse(text, "t.conf", tmpdir, &cfg, &errors);
		if (n <= 0 || !errors || !strstr(errors, bad[i].error))
			fail_msg("case %zu: expected '%s'\ngot (%d): %s", i, bad[i].error, n, errors ? errors : "(none)");
		assert_null(cfg);
		free(errors);
	}
}

/* Every error of a file is reported, in file order, and comments are not values. */
static void test_all_errors_and_comments(void **state)
{
	(void)state;
	const char *text = BASE
		"[queue q]   # a comment\n"
		"priority = 7 ; another\n"
		"strategy = wrong\n"
		"[ivr m]\n"
		"a = digits 4 terminator=#   # '#' as DTMF stays\n"
		"b = branch #=hangup 1=a\n"
		"c = queue nope\n"
		"[agent 9]\n"
		"position = 12#\n";
	struct ctid_config *cfg;
	char *errors;
	int n = ctid_config_parse(text, "t.conf", tmpdir, &cfg, &errors);
	assert_int_equal(n, 3);
	assert_string_equal(errors, "t.conf:8: bad value 'wrong' for strategy (accepted: longest-idle, best-skill)\n"
				    "t.conf:13: agent '9' has a position but no [trunk] has role = positions\n"
				    "t.conf:12: step 'c': no [queue nope]\n");
	free(errors);

	/* Without the bad lines the same file parses and keeps the '#' digits. */
	text = BASE
		"[trunk d]\nspan = sim3\nrole = positions\n"
		"[queue q]   # a comment\n"
		"priority = 7 ; another\n"
		"[ivr m]\n"
		"a = digits 4 terminator=#   # '#' as DTMF stays\n"
		"b = branch #=hangup 1=a\n"
		"[agent 9]\n"
		"position = 12#\n";
	assert_int_equal(ctid_config_parse(text, "t.conf", tmpdir, &cfg, &errors), 0);
	assert_int_equal(ctid_config_queue(cfg, "q")->acd.priority, 7);
	const struct ivr_flow *f = ctid_config_flow(cfg, "m");
	assert_int_equal(f->steps[0].terminator, '#');
	assert_string_equal(f->steps[1].branches[0].digits, "#");
	assert_string_equal(f->steps[1].branches[0].target, "hangup");
	assert_string_equal(cfg->agents[0].acd.position, "12#");
	ctid_config_free(cfg);
}

/* [customer] against a real SQLite file: the query is checked at load (ctid --check). */
static void test_customer(void **state)
{
	(void)state;
	char db[128], cmd[256];
	snprintf(db, sizeof(db), "%s/crm.db", tmpdir);
	snprintf(cmd, sizeof(cmd), "sqlite3 %s 'CREATE TABLE IF NOT EXISTS customer (ani TEXT, name TEXT)'", db);
	assert_int_equal(system(cmd), 0);
	static const struct {
		const char *text, *error;	/* error NULL: valid */
	} cases[] = {
		{ "[customer]\nsqlite = crm.db\n", NULL },
		{ "[customer]\nsqlite = crm.db\nsql = SELECT name FROM customer WHERE ani = ?\nurl = https://crm/c/{ani}\n", NULL },
		{ "[customer]\nsqlite = crm.db\nsql = SELECT name FROM clients WHERE ani = ?\n",
		  "t.conf:8: customer database '" },
		{ "[customer]\nsqlite = crm.db\nsql = SELECT name FROM clients WHERE ani = ?\n", "no such table: clients" },
		{ "[customer]\nsqlite = crm.db\nsql = SELECT name FROM customer WHERE ani = ? OR name = ?\n",
		  "t.conf:8: customer sql 'SELECT name FROM customer WHERE ani = ? OR name = ?': expected exactly one parameter" },
		{ "[customer]\nsqlite = crm.db\nsql = DELETE FROM customer WHERE ani = ?\n",
		  "t.conf:8: customer sql 'DELETE FROM customer WHERE ani = ?': expected a read-only SELECT" },
		{ "[customer]\nsqlite = crm.db\nsql = SELECT name FROM customer WHERE ani = ?; DROP TABLE customer\n",
		  "expected one SELECT statement" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[1024];
		snprintf(text, sizeof(text), "%s%s", BASE, cases[i].text);
		struct ctid_config *cfg = NULL;
		char *errors = NULL;
		int n = ctid_config_parse(text, "t.conf", tmpdir, &cfg, &errors);
		if (!cases[i].error) {
			if (n)
				fail_msg("case %zu: expected valid, got: %s", i, errors);
			assert_string_equal(cfg->customer.sqlite, "crm.db");
			assert_int_equal(cfg->customer.timeout_ms, 2000);
			ctid_config_free(cfg);
		} else if (n <= 0 || !errors || !strstr(errors, cases[i].error)) {
			fail_msg("case %zu: expected '%s'\ngot (%d): %s", i, cases[i].error, n, errors ? errors : "(none)");
		}
		free(errors);
	}
}

static void test_unreadable(void **state)
{
	(void)state;
	struct ctid_config *cfg;
	char *errors;
	assert_int_equal(ctid_config_load("/nonexistent/ctid.conf", &cfg, &errors), -1);
	assert_null(cfg);
	assert_string_equal(errors, "/nonexistent/ctid.conf: cannot open: No such file or directory\n");
	free(errors);
	char path[128];
	snprintf(path, sizeof(path), "%s/bin.conf", tmpdir);
	FILE *f = fopen(path, "w");
	fwrite("[ctid]\n\0x", 1, 9, f);
	fclose(f);
	assert_int_equal(ctid_config_load(path, &cfg, &errors), -1);
	assert_non_null(strstr(errors, "bin.conf: binary file (NUL byte)"));
	free(errors);
}

/* SIGHUP reload: applying a new configuration keeps agent states and waiting calls. */
static void test_apply_reload(void **state)
{
	(void)state;
	struct ctid_config *cfg = load_sample();
	acd_t *acd = acd_new();
	assert_int_equal(ctid_config_apply(cfg, acd), ACD_OK);
	assert_int_equal(acd_agent_count(acd), 3);
	assert_int_equal(acd_agent_login(acd, "1002", 0), ACD_OK);
	assert_int_equal(acd_agent_ready(acd, "1002", 0), ACD_OK);
	/* Bob (outage:9) cannot take billing (billing:3 english:1 needed). */
	int64_t call = acd_enqueue(acd, "billing", "555", 1000);
	assert_true(call > 0);
	assert_int_equal(acd_agent_call(acd, "1002"), 0);

	/* The new file gives Bob billing and english. */
	struct ctid_config *cfg2;
	char *errors;
	char text[16384];
	FILE *in = fopen(SAMPLE, "r");
	size_t n = fread(text, 1, sizeof(text) - 1, in);
	fclose(in);
	text[n] = 0;
	char *bob = strstr(text, "skills = outage:9");
	assert_non_null(bob);
	memcpy(bob, "skills = billing:4,english:2,outage:9", 38);
	memmove(bob + 38, bob + strlen("skills = outage:9"), strlen(bob + strlen("skills = outage:9")) + 1);
	char path[128];
	snprintf(path, sizeof(path), "%s/ctid.conf", tmpdir);
	write_file(tmpdir, "ctid.conf", text);
	assert_int_equal(ctid_config_load(path, &cfg2, &errors), 0);
	assert_int_equal(ctid_config_apply(cfg2, acd), ACD_OK);
	enum acd_agent_state st;
	assert_int_equal(acd_agent_state(acd, "1002", &st, NULL), ACD_OK);
	assert_int_equal(st, ACD_READY);
	acd_tick(acd, 2000);
	assert_int_equal(acd_agent_call(acd, "1002"), (uint64_t)call);
	assert_int_equal(acd_agent_count(acd), 3);
	ctid_config_free(cfg);
	ctid_config_free(cfg2);
	acd_free(acd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_cluster_section),
		cmocka_unit_test(test_all_errors_and_comments),
		cmocka_unit_test(test_customer),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_apply_reload),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
