/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * campaign_sim.c - the emulated far end of the outbound trunks (see campaign_sim.h).
 */
#include "campaign_sim.h"
#include "prompts.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

enum far_kind {
	F_PERSON, F_MACHINE, F_FAX, F_BUSY, F_NOANSWER, F_SIT, F_CONGESTION, F_SPEAKER, F_VOICEMAIL, F_ANNOUNCEMENT,
	F__COUNT
};
static const char *const far_names[F__COUNT] = { "person", "machine", "fax", "busy", "noanswer", "sit",
						 "congestion", "speaker", "voicemail", "announcement" };
/* speaker and voicemail: a person and a machine that speak (espeak-ng) instead of syllable noise */
#define SPEAKER_SAYS "tts:en:Hello?"
#define VOICEMAIL_SAYS "tts:en:Hello, you have reached the Miller family. We cannot take your call right now. " \
		       "Please leave a message after the tone."
/* announcement: the network's recorded message before any answer (in-band, with progress) */
#define ANNOUNCEMENT_SAYS "tts:en:The number you have dialled is not in service. Please check the number."

struct far_spec {
	char number[CAMP_NUMBER_MAX];
	enum far_kind kinds[8];
	int nkinds, calls;
};

struct far {	/* the emulated far end: one called party */
	int kind, sub;	/* KIND_CAMPAIGN, CAMP_SUB_FAR */
	struct camp_sim *cs;
	cti_call_t *call;
	char number[CAMP_NUMBER_MAX];
	int n;
	enum far_kind what;
	int timer, op;
	char fax_path[CTID_PATH_MAX * 2];	/* deleted at the end unless --sim-record keeps it */
};


struct camp_sim {
	struct server *s;
	int far_spans[16], nfar_spans;	/* the far sides of the outbound trunks */
	struct far_spec *spec;
	int nspec;
	int far_up;
	char record_dir[CTID_PATH_MAX];	/* "": keep nothing */
	FILE *farlog;
	int16_t *hello, *greeting;
	size_t hello_n, greeting_n;
	char speaker_wav[CTID_PATH_MAX * 3], voicemail_wav[CTID_PATH_MAX * 3], announcement_wav[CTID_PATH_MAX * 3];
};

static void far_log(struct camp_sim *cs, const char *what, const struct far *f)
{
	if (cs->farlog) {
		fprintf(cs->farlog, "%" PRIu64 " %s %s %d %s up=%d\n", cti_now_ms(cs->s->ctx), what, f->number, f->n,
			far_names[f->what], cs->far_up);
		fflush(cs->farlog);
	}
}

static int16_t *noise(size_t n, unsigned seed)
{
	int16_t *x = calloc(n ? n : 1, sizeof(*x));
	for (size_t i = 0; x && i < n; i++)	/* 250 ms of sound, 50 ms pause: syllables */
		x[i] = (i / 8) % 300 < 250 ? (int16_t)((int)(rand_r(&seed) % 8001) - 4000) : 0;
	return x;
}

static void far_path(struct camp_sim *cs, const struct far *f, const char *ext, char *out, size_t size)
{
	if (cs->record_dir[0])
		snprintf(out, size, "%s/%s-%d.%s", cs->record_dir, f->number, f->n, ext);
	else
		snprintf(out, size, "%s/ctid-far-%d-%s-%d.%s", P_tmpdir, (int)getpid(), f->number, f->n, ext);
}

bool camp_sim_offered(struct camp_sim *cs, const cti_event_t *ev)
{
	struct server *s = cs->s;
	bool ours = false;
	for (int i = 0; i < cs->nfar_spans; i++)
		ours |= ev->span == cs->far_spans[i];
	if (!ours)
		return false;
	struct far *f = calloc(1, sizeof(*f));
	if (!f) {
		cti_call_reject(ev->call, 47);
		return true;
	}
	f->kind = KIND_CAMPAIGN;
	f->sub = CAMP_SUB_FAR;
	f->cs = cs;
	f->call = ev->call;
	snprintf(f->number, sizeof(f->number), "%s", ev->u.offered.called.number);
	f->what = F_PERSON;	/* numbers not in --sim-outbound */
	for (int i = 0; i < cs->nspec; i++)
		if (!strcmp(cs->spec[i].number, f->number)) {
			struct far_spec *sp = &cs->spec[i];
			f->n = ++sp->calls;
			f->what = sp->kinds[f->n - 1 < sp->nkinds ? f->n - 1 : sp->nkinds - 1];
		}
	if (!f->n)
		f->n = 1;
	cti_call_set_user(ev->call, f);
	cs->far_up++;
	far_log(cs, "offered", f);
	cti_term_t t;
	cti_term_init(&t);
	t.max_time_ms = 300000;
	switch (f->what) {
	case F_PERSON:
	case F_MACHINE:
	case F_SPEAKER:
	case F_VOICEMAIL:
	case F_FAX:
		cti_call_alerting(ev->call);
		f->timer = cti_timer_start(s->ctx, 1500, f);	/* rings 1.5 s, then answers */
		break;
	case F_ANNOUNCEMENT:
		cti_call_progress(ev->call);
		f->op = cti_play_file(ev->call, cs->announcement_wav, &t);
		break;
	case F_BUSY:
	case F_SIT:
	case F_CONGESTION:
	case F_NOANSWER:
		if (f->what == F_NOANSWER)
			cti_call_alerting(ev->call);
		cti_call_progress(ev->call);
		f->op = cti_play_tone(ev->call,
				      f->what == F_BUSY	  ? CTI_TONE_BUSY
				      : f->what == F_SIT  ? CTI_TONE_SIT
				      : f->what == F_NOANSWER ? CTI_TONE_RINGBACK
							      : CTI_TONE_CONGESTION,
				      &t);
		break;
	default:
		break;
	}
	return true;
}

void camp_sim_event(void *party, const cti_event_t *ev)
{
	struct far *f = party;
	struct camp_sim *cs = f->cs;
	char path[CTID_PATH_MAX * 2];
	switch (ev->type) {
	case CTI_EV_TIMER:
		f->timer = 0;
		if (f->call)
			cti_call_answer(f->call);
		return;
	case CTI_EV_CALL_CONNECTED:
		far_log(cs, "answered", f);
		if (f->what == F_FAX) {
			cti_fax_params_t fp;
			cti_fax_params_init(&fp);
			far_path(cs, f, "tif", f->fax_path, sizeof(f->fax_path));
			fp.receive_path = f->fax_path;
			f->op = cti_fax_receive(f->call, &fp);
		} else if (f->what == F_SPEAKER || f->what == F_VOICEMAIL) {
			f->op = cti_play_file(f->call, f->what == F_SPEAKER ? cs->speaker_wav : cs->voicemail_wav, NULL);
		} else {	/* "Hello?" (0.7 s) or a machine's greeting (5 s) */
			bool hello = f->what == F_PERSON;
			cti_play_item_t it = { NULL, hello ? cs->hello : cs->greeting,
					       (hello ? cs->hello_n : cs->greeting_n) * 2, CTI_FMT_RAW_PCM16 };
			f->op = cti_play(f->call, &it, 1, NULL);
		}
		return;
	case CTI_EV_OP_DONE:
		if (ev->u.op.id != f->op || ev->u.op.kind != CTI_OP_PLAY || ev->u.op.reason != CTI_TERM_EOD ||
		    f->what == F_FAX || !f->call)
			return;
		/* Then listen: what it hears is what the campaign said. */
		if (!cs->record_dir[0])
			return;
		cti_record_params_t rp;
		cti_record_params_init(&rp);
		far_path(cs, f, "wav", path, sizeof(path));
		rp.path = path;
		f->op = cti_record(f->call, &rp, NULL);
		return;
	case CTI_EV_CALL_HANGUP:
		far_log(cs, "cleared", f);
		cti_call_release(ev->call);
		return;
	case CTI_EV_CALL_RELEASED:
		if (f->timer > 0)
			cti_timer_cancel(cs->s->ctx, f->timer);
		cs->far_up--;
		if (!cs->record_dir[0] && f->fax_path[0])
			unlink(f->fax_path);
		far_log(cs, "released", f);
		free(f);
		return;
	default:
		return;
	}
}

/* NUMBER=KIND[/KIND...],... */
static int parse_sim_outbound(struct camp_sim *cs, const char *spec, char *err, size_t esize)
{
	char *copy = strdup(spec);
	if (!copy)
		return -1;
	int rc = 0;
	for (char *save, *item = strtok_r(copy, ",", &save); item && !rc; item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');
		struct far_spec sp;
		memset(&sp, 0, sizeof(sp));
		if (!eq || eq == item || (size_t)(eq - item) >= sizeof(sp.number) ||
		    strspn(item, "0123456789*#") != (size_t)(eq - item)) {
			snprintf(err, esize, "--sim-outbound: bad item '%s' (NUMBER=KIND[/KIND...], KIND one of person, "
					     "machine, speaker, voicemail, fax, busy, noanswer, sit, congestion, announcement)", item);
			rc = -1;
			break;
		}
		memcpy(sp.number, item, (size_t)(eq - item));
		for (char *s2, *k = strtok_r(eq + 1, "/", &s2); k; k = strtok_r(NULL, "/", &s2)) {
			int w = -1;
			for (int i = 0; i < F__COUNT; i++)
				if (!strcasecmp(k, far_names[i]))
					w = i;
			if (w < 0 || sp.nkinds == 8) {
				snprintf(err, esize, "--sim-outbound: %s: bad kind '%s' (person, machine, speaker, "
						     "voicemail, fax, busy, noanswer, sit, congestion, announcement; at "
						     "most 8 per number)", sp.number, k);
				rc = -1;
				break;
			}
			sp.kinds[sp.nkinds++] = (enum far_kind)w;
		}
		if (!rc && !sp.nkinds) {
			snprintf(err, esize, "--sim-outbound: %s: no kind", sp.number);
			rc = -1;
		}
		if (rc)
			break;
		struct far_spec *p = realloc(cs->spec, (size_t)(cs->nspec + 1) * sizeof(*p));
		if (!p) {
			rc = -1;
			break;
		}
		cs->spec = p;
		cs->spec[cs->nspec++] = sp;
	}
	free(copy);
	return rc;
}

struct camp_sim *camp_sim_new(struct server *s, const char *spec, const char *record_dir, char *err, size_t esize)
{
	const struct ctid_config *cfg = s->cfg;
	struct camp_sim *cs = calloc(1, sizeof(*cs));
	if (!cs) {
		snprintf(err, esize, "out of memory");
		return NULL;
	}
	cs->s = s;
	snprintf(cs->record_dir, sizeof(cs->record_dir), "%s", record_dir ? record_dir : "");
	if (!cfg->sim_pairs) {
		snprintf(err, esize, "--sim-outbound needs sim = ... in [ctid]");
		goto fail;
	}
	if (parse_sim_outbound(cs, spec, err, esize))
		goto fail;
	for (int i = 0; i < cfg->ntrunks && cs->nfar_spans < 16; i++) {
		if (cfg->trunks[i].role != CTID_TRUNK_OUTBOUND || cfg->trunks[i].is_group)
			continue;
		int sp = cti_span_find(s->ctx, cfg->trunks[i].span);
		cti_span_status_t st;
		char name[CTI_NAME_MAX];
		if (sp <= 0 || cti_span_status(s->ctx, sp, &st))
			continue;
		snprintf(name, sizeof(name), "sim%d", st.port % 2 ? st.port + 1 : st.port - 1);
		int far = cti_span_find(s->ctx, name);
		if (far > 0)
			cs->far_spans[cs->nfar_spans++] = far;
	}
	if (!cs->nfar_spans) {
		snprintf(err, esize, "--sim-outbound: no [trunk] with role = outbound on a sim span");
		goto fail;
	}
	if (record_dir) {
		char lp[CTID_PATH_MAX * 2];
		snprintf(lp, sizeof(lp), "%s/far.log", record_dir);
		cs->farlog = fopen(lp, "w");
		if (!cs->farlog) {
			snprintf(err, esize, "--sim-record: cannot write %s: %s", lp, strerror(errno));
			goto fail;
		}
	}
	for (int i = 0; i < cs->nspec; i++)
		for (int k = 0; k < cs->spec[i].nkinds; k++) {
			enum far_kind w = cs->spec[i].kinds[k];
			if (w == F_SPEAKER && !cs->speaker_wav[0] &&
			    ctid_tts_render(s, cfg, SPEAKER_SAYS, cs->speaker_wav, sizeof(cs->speaker_wav), err, esize))
				goto fail;
			if (w == F_ANNOUNCEMENT && !cs->announcement_wav[0] &&
			    ctid_tts_render(s, cfg, ANNOUNCEMENT_SAYS, cs->announcement_wav, sizeof(cs->announcement_wav), err,
					    esize))
				goto fail;
			if (w == F_VOICEMAIL && !cs->voicemail_wav[0] &&
			    ctid_tts_render(s, cfg, VOICEMAIL_SAYS, cs->voicemail_wav, sizeof(cs->voicemail_wav), err, esize))
				goto fail;
		}
	cs->hello_n = 700 * 8;
	cs->greeting_n = 5000 * 8;
	cs->hello = noise(cs->hello_n, 5);
	cs->greeting = noise(cs->greeting_n, 7);
	if (!cs->hello || !cs->greeting) {
		snprintf(err, esize, "out of memory");
		goto fail;
	}
	return cs;
fail:
	camp_sim_free(cs);
	return NULL;
}

void camp_sim_free(struct camp_sim *cs)
{
	if (!cs)
		return;
	if (cs->farlog)
		fclose(cs->farlog);
	free(cs->spec);
	free(cs->hello);
	free(cs->greeting);
	free(cs);
}

int camp_sim_up(const struct camp_sim *cs)
{
	return cs ? cs->far_up : 0;
}
