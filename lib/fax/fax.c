/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fax.c - public fax API of libcti: cti_fax_*.
 *
 * cti_fax_send/receive check their arguments and documents first (nothing
 * on the call changes on error), then install a T.30 session as the call's
 * media hook. See docs/fax.md.
 */
#include "cticonfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cti.h"
#include "../internal.h"

void cti_fax_params_init_sized(cti_fax_params_t *app, size_t size)
{
	cti_fax_params_t full, *p = &full;

	memset(p, 0, sizeof(*p));
	p->ecm = 1;
	p->modems = CTI_FAX_V27TER | CTI_FAX_V29 | CTI_FAX_V17;
	p->max_rate = 14400;
	p->calling = -1;
	p->compressions = CTI_FAX_T4_1D | CTI_FAX_T4_2D | CTI_FAX_T6;
	cti__abi_init(app, size, p, sizeof(*p));
}

#ifndef CONFIG_FAX

int cti_fax_send(cti_call_t *call, const cti_fax_params_t *p)
{
	(void)call;
	(void)p;
	return cti__error(CTI_ENOTSUP, "cti_fax_send: libcti was built without fax (CONFIG_FAX)");
}

int cti_fax_receive(cti_call_t *call, const cti_fax_params_t *p)
{
	(void)call;
	(void)p;
	return cti__error(CTI_ENOTSUP, "cti_fax_receive: libcti was built without fax (CONFIG_FAX)");
}

int cti_fax_check_tiff(const char *path)
{
	(void)path;
	return cti__error(CTI_ENOTSUP, "cti_fax_check_tiff: libcti was built without fax (CONFIG_FAX)");
}

int cti_fax_convert_tiff(const char *in, const char *out)
{
	(void)in;
	(void)out;
	return cti__error(CTI_ENOTSUP, "cti_fax_convert_tiff: libcti was built without fax (CONFIG_FAX)");
}

const char *cti_fax_result_text(int result)
{
	(void)result;
	return "fax not supported by this build";
}

#else /* CONFIG_FAX */

#include <spandsp.h>

#include "fax.h"
#include "../media/media.h"

static int check_common(const char *fn, cti_call_t *call, const cti_fax_params_t *p)
{
	if (!call)
		return cti__error(CTI_EINVAL, "%s: NULL call", fn);
	if (!p)
		return cti__error(CTI_EINVAL, "%s: NULL params", fn);
	if (memchr(p->ident, '\0', sizeof(p->ident)) == NULL)
		return cti__error(CTI_EINVAL, "%s: ident not terminated (max 20 characters)", fn);
	if (memchr(p->header, '\0', sizeof(p->header)) == NULL)
		return cti__error(CTI_EINVAL, "%s: header not terminated (max 49 characters)", fn);
	if (p->modems & ~(CTI_FAX_V27TER | CTI_FAX_V29 | CTI_FAX_V17))
		return cti__error(CTI_EINVAL, "%s: unknown modem bits 0x%x", fn, p->modems);
	if (p->compressions & ~(CTI_FAX_T4_1D | CTI_FAX_T4_2D | CTI_FAX_T6))
		return cti__error(CTI_EINVAL, "%s: unknown compression bits 0x%x", fn, p->compressions);
	if (p->calling < -1 || p->calling > 1)
		return cti__error(CTI_EINVAL, "%s: calling must be -1, 0 or 1 (is %d)", fn, p->calling);
	if (fax_modem_mask(p->modems, p->max_rate) == 0)
		return cti__error(CTI_EINVAL, "%s: no modem left with modems 0x%x and max_rate %d "
				  "(V.27ter needs >= 4800, V.29 >= 9600, V.17 >= 14400)", fn, p->modems, p->max_rate);
	return 0;
}

/* Install the session on the call's channel. Returns the op id or an error. */
static int start(const char *fn, cti_call_t *call, const cti_fax_params_t *p, struct fax_session_cfg *cfg)
{
	cti_ctx_t *ctx = cti__call_ctx(call);
	struct media_chan *chan;
	struct fax_session *s;
	int rc;

	/* Accessors take the lock themselves: read them first. */
	cfg->calling = p->calling >= 0 ? p->calling : (cti_call_outgoing(call) ? 1 : 0);
	cfg->span = cti_call_span(call);
	cfg->channel = cti_call_channel(call);
	cfg->ctx = ctx;
	cfg->call = call;
	cfg->ident = p->ident;
	cfg->header = p->header;
	cfg->ecm = p->ecm;
	cfg->modems = p->modems;
	cfg->max_rate = p->max_rate;
	cfg->compressions = p->compressions;

	cti__lock(ctx);
	chan = cti__call_media(call);
	if (!chan) {
		cti__unlock(ctx);
		return cti__error(CTI_ESTATE, "%s: the call has no B-channel (not connected or cleared)", fn);
	}
	if (fax_chan_busy(chan)) {
		cti__unlock(ctx);
		return cti__error(CTI_EBUSY, "%s: a fax is already running on this call", fn);
	}
	cfg->op_id = media_next_op_id(cti__media(ctx));
	s = fax_session_new(cfg);
	if (!s) {
		cti__unlock(ctx);
		return CTI_ENOMEM;
	}
	fax_session_set_chan(s, chan);
	rc = media_chan_set_hook(chan, fax_session_hook, fax_session_end, s);
	if (rc < 0) {
		cfg->tx_is_temp = 0;	/* session owns and unlinks the temp file */
		fax_session_free(s);
		cti__unlock(ctx);
		return rc;
	}
	/* cti_stop(call, op) then ends the fax (STOPPED). */
	media_chan_set_hook_op(chan, cfg->op_id);
	/* T.30 has no slack for gaps: the transport keeps a deep cushion (DAHDI). */
	media_chan_set_hook_continuous(chan, 1);
	cti__unlock(ctx);
	return cfg->op_id;
}

int cti_fax_send(cti_call_t *call, const cti_fax_params_t *p)
{
	struct fax_session_cfg cfg;
	char tmp[4096];
	int i, rc;
	cti_fax_params_t in;

	cti_fax_params_init(&in);
	if (p && (rc = cti__abi_in(&in, sizeof(in), p, "cti_fax_send", "cti_fax_params")) < 0)
		return rc;
	p = p ? &in : NULL;
	rc = check_common("cti_fax_send", call, p);
	if (rc < 0)
		return rc;
	if (p->ndocs < 1 || p->ndocs > CTI_FAX_MAX_DOCS)
		return cti__error(CTI_EINVAL, "cti_fax_send: ndocs %d (1..%d)", p->ndocs, CTI_FAX_MAX_DOCS);
	if (!p->docs)
		return cti__error(CTI_EINVAL, "cti_fax_send: docs is NULL (ndocs %d)", p->ndocs);
	for (i = 0; i < p->ndocs; i++) {
		if (!p->docs[i].path)
			return cti__error(CTI_EINVAL, "cti_fax_send: document %d: NULL path", i + 1);
		rc = fax_tiff_check(p->docs[i].path, p->docs[i].first_page, p->docs[i].last_page);
		if (rc < 0)
			return rc;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.sending = 1;
	if (p->ndocs == 1) {
		/* One document: spandsp reads the page range from it directly (0-based). */
		cfg.tx_file = p->docs[0].path;
		cfg.tx_first = p->docs[0].first_page ? p->docs[0].first_page - 1 : -1;
		cfg.tx_last = p->docs[0].last_page ? p->docs[0].last_page - 1 : -1;
	} else {
		/*
		 * Several: one temporary TIFF of all chosen pages, sent as one
		 * T.30 document (MPS between pages, no renegotiation as with EOM).
		 */
		const char *dir = getenv("TMPDIR");
		int fd;

		if (!dir || !dir[0] || strlen(dir) > sizeof(tmp) - 20)
			dir = "/tmp";
		snprintf(tmp, sizeof(tmp), "%s/cti-fax-XXXXXX", dir);
		fd = mkstemp(tmp);
		if (fd < 0)
			return cti__error(CTI_EIO, "cti_fax_send: cannot create a temporary file in %s", dir);
		close(fd);
		rc = fax_tiff_concat(p->docs, p->ndocs, tmp);
		if (rc < 0) {
			unlink(tmp);
			return rc;
		}
		cfg.tx_file = tmp;
		cfg.tx_first = cfg.tx_last = -1;
		cfg.tx_is_temp = 1;
	}
	rc = start("cti_fax_send", call, p, &cfg);
	if (rc < 0 && cfg.tx_is_temp)
		unlink(tmp);
	return rc;
}

int cti_fax_receive(cti_call_t *call, const cti_fax_params_t *p)
{
	struct fax_session_cfg cfg;
	int rc, fd;
	struct stat st;
	cti_fax_params_t in;

	cti_fax_params_init(&in);
	if (p && (rc = cti__abi_in(&in, sizeof(in), p, "cti_fax_receive", "cti_fax_params")) < 0)
		return rc;
	p = p ? &in : NULL;
	rc = check_common("cti_fax_receive", call, p);
	if (rc < 0)
		return rc;
	if (!p->receive_path || !p->receive_path[0])
		return cti__error(CTI_EINVAL, "cti_fax_receive: no receive_path");
	/* Find an unwritable path now, not at the first page. */
	/* Non-blocking: a FIFO without reader fails (ENXIO) instead of blocking for ever. */
	fd = open(p->receive_path, O_WRONLY | O_CREAT | O_NONBLOCK | O_CLOEXEC, 0644);
	if (fd < 0)
		return cti__error(CTI_EIO, "cti_fax_receive: cannot write %.200s: %s", p->receive_path,
				  errno == ENXIO ? "not a regular file (a FIFO)" : strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return cti__error(CTI_EIO, "cti_fax_receive: cannot write %.200s: not a regular file",
				  p->receive_path);
	}
	close(fd);
	memset(&cfg, 0, sizeof(cfg));
	cfg.sending = 0;
	cfg.rx_file = p->receive_path;
	return start("cti_fax_receive", call, p, &cfg);
}

int cti_fax_check_tiff(const char *path)
{
	return fax_tiff_check(path, 0, 0);
}

int cti_fax_convert_tiff(const char *in, const char *out)
{
	return fax_tiff_convert(in, out);
}

const char *cti_fax_result_text(int result)
{
	return t30_completion_code_to_str(result);
}

#endif /* CONFIG_FAX */
