/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * trace.c - D-channel trace: pcap files (LINKTYPE_LINUX_LAPD, 177, with
 * the 16-byte Linux LAPD "sll" pseudo header that Wireshark/tshark decode as
 * LAPD + Q.931), CTI_EV_TRACE events, and a one-line Q.921/Q.931 decoder.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/time.h>
#include "core.h"
#include "cticonfig.h"
#ifdef CONFIG_PCAP
#include <pcap/pcap.h>
#endif

#define LINKTYPE_LINUX_LAPD 177
#define LAPD_HDR 16

#ifdef CONFIG_PCAP
static void *dump_open(const char *path, void **dead, char *err, size_t errsize)
{
	pcap_t *pd = pcap_open_dead(LINKTYPE_LINUX_LAPD, 65535);
	pcap_dumper_t *d;

	if (!pd) {
		snprintf(err, errsize, "pcap_open_dead failed");
		return NULL;
	}
	d = pcap_dump_open(pd, path);
	if (!d) {
		snprintf(err, errsize, "%s", pcap_geterr(pd));
		pcap_close(pd);
		return NULL;
	}
	*dead = pd;
	return d;
}

static void dump_close(void **d, void **dead)
{
	if (*d) {
		pcap_dump_flush(*d);
		pcap_dump_close(*d);
	}
	if (*dead)
		pcap_close(*dead);
	*d = NULL;
	*dead = NULL;
}

static void dump_frame(void *d, struct core_span *sp, int tx, const uint8_t *buf, int len)
{
	struct pcap_pkthdr h;
	uint8_t pkt[LAPD_HDR + CORE_DFRAME_MAX];
	cti_ctx_t *ctx = sp->ctx;

	if (len > CORE_DFRAME_MAX)
		len = CORE_DFRAME_MAX;
	if (ctx->clock == CTI_CLOCK_VIRTUAL) {
		uint64_t us = ctx->frames * 125;

		h.ts.tv_sec = (time_t)(1700000000LL + (int64_t)(us / 1000000));
		h.ts.tv_usec = (suseconds_t)(us % 1000000);
	} else {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		h.ts.tv_sec = ts.tv_sec;
		h.ts.tv_usec = ts.tv_nsec / 1000;
	}
	memset(pkt, 0, LAPD_HDR);
	pkt[1] = tx ? 4 : 0;		/* packet type: PACKET_OUTGOING / PACKET_HOST */
	pkt[2] = 0x20;			/* ARPHRD_LAPD = 8445 */
	pkt[3] = 0xfd;
	pkt[5] = 1;			/* address length */
	pkt[6] = sp->cfg.role == CTI_ROLE_NETWORK;	/* we are network side: C/R meaning */
	pkt[15] = 0x30;			/* ETH_P_LAPD */
	memcpy(pkt + LAPD_HDR, buf, (size_t)len);
	h.caplen = h.len = (bpf_u_int32)(LAPD_HDR + len);
	pcap_dump(d, &h, pkt);
	/* a capture stays readable while running and after a crash */
	pcap_dump_flush(d);
}
#endif

void core_trace_frame(struct core_span *sp, int tx, const uint8_t *buf, int len)
{
	cti_ctx_t *ctx = sp->ctx;

#ifdef CONFIG_PCAP
	if (sp->pcap)
		dump_frame(sp->pcap, sp, tx, buf, len);
	if (ctx->pcap)
		dump_frame(ctx->pcap, sp, tx, buf, len);
#endif
	if (sp->trace_events || ctx->trace_events_all) {
		cti_event_t ev;

		memset(&ev, 0, sizeof(ev));
		ev.type = CTI_EV_TRACE;
		ev.span = sp->index;
		ev.u.trace.tx = tx;
		ev.u.trace.len = (uint32_t)len;
		ev.u.trace.data = buf;	/* cti__post() copies the frame */
		cti__post(ctx, &ev);
	}
}

int core_trace_open_config(cti_ctx_t *ctx, const char *path)
{
#ifdef CONFIG_PCAP
	char err[300];

	ctx->pcap = dump_open(path, &ctx->pcap_dead, err, sizeof(err));
	if (!ctx->pcap)
		return cti__error(CTI_EIO, "cti_open: trace '%s': %s", path, err);
	return 0;
#else
	return cti__error(CTI_ENOTSUP, "cti_open: trace '%s': built without CONFIG_PCAP", path);
#endif
}

void core_trace_close_all(cti_ctx_t *ctx)
{
#ifdef CONFIG_PCAP
	dump_close(&ctx->pcap, &ctx->pcap_dead);
	for (int i = 1; i <= ctx->nspans; i++)
		dump_close(&ctx->spans[i]->pcap, &ctx->spans[i]->pcap_dead);
#else
	(void)ctx;
#endif
}

static int span_arg(cti_ctx_t *ctx, int span, const char *fn)
{
	if (!ctx)
		return cti__error(CTI_EINVAL, "%s: NULL context", fn);
	if (span < 0 || span > ctx->nspans)
		return cti__error(CTI_ENOENT, "%s: no span %d (spans 1-%d, 0 = all)", fn, span, ctx->nspans);
	return 0;
}

int cti_trace_start(cti_ctx_t *ctx, int span, const char *pcap_path)
{
	int rc = span_arg(ctx, span, "cti_trace_start");

	if (rc)
		return rc;
	if (!pcap_path)
		return cti__error(CTI_EINVAL, "cti_trace_start: NULL path");
#ifdef CONFIG_PCAP
	{
		char err[300];
		void *d, *dead = NULL;

		d = dump_open(pcap_path, &dead, err, sizeof(err));
		if (!d)
			return cti__error(CTI_EIO, "cti_trace_start: '%s': %s", pcap_path, err);
		cti__lock(ctx);
		if (span) {
			dump_close(&ctx->spans[span]->pcap, &ctx->spans[span]->pcap_dead);
			ctx->spans[span]->pcap = d;
			ctx->spans[span]->pcap_dead = dead;
		} else {
			dump_close(&ctx->pcap, &ctx->pcap_dead);
			ctx->pcap = d;
			ctx->pcap_dead = dead;
		}
		cti__unlock(ctx);
		return 0;
	}
#else
	return cti__error(CTI_ENOTSUP, "cti_trace_start: built without CONFIG_PCAP");
#endif
}

int cti_trace_events(cti_ctx_t *ctx, int span, int on)
{
	int rc = span_arg(ctx, span, "cti_trace_events");

	if (rc)
		return rc;
	cti__lock(ctx);
	if (span)
		ctx->spans[span]->trace_events = !!on;
	else
		ctx->trace_events_all = !!on;
	cti__unlock(ctx);
	return 0;
}

int cti_trace_stop(cti_ctx_t *ctx, int span)
{
	int rc = span_arg(ctx, span, "cti_trace_stop");

	if (rc)
		return rc;
	cti__lock(ctx);
#ifdef CONFIG_PCAP
	if (span)
		dump_close(&ctx->spans[span]->pcap, &ctx->spans[span]->pcap_dead);
	else
		dump_close(&ctx->pcap, &ctx->pcap_dead);
#endif
	if (span)
		ctx->spans[span]->trace_events = 0;
	else
		ctx->trace_events_all = 0;
	cti__unlock(ctx);
	return 0;
}

/* ---------------- Q.850 causes ---------------- */

const char *cti_cause_text(int cause)
{
	switch (cause) {
	case 1: return "Unallocated (unassigned) number";
	case 2: return "No route to specified transit network";
	case 3: return "No route to destination";
	case 6: return "Channel unacceptable";
	case 7: return "Call awarded and being delivered in an established channel";
	case 16: return "Normal Clearing";
	case 17: return "User busy";
	case 18: return "No user responding";
	case 19: return "No answer from user (user alerted)";
	case 21: return "Call rejected";
	case 22: return "Number changed";
	case 26: return "Non-selected user clearing";
	case 27: return "Destination out of order";
	case 28: return "Invalid number format (incomplete number)";
	case 29: return "Facility rejected";
	case 30: return "Response to STATUS ENQUIRY";
	case 31: return "Normal, unspecified";
	case 34: return "No circuit/channel available";
	case 38: return "Network out of order";
	case 41: return "Temporary failure";
	case 42: return "Switching equipment congestion";
	case 43: return "Access information discarded";
	case 44: return "Requested circuit/channel not available";
	case 47: return "Resource unavailable, unspecified";
	case 49: return "Quality of service not available";
	case 50: return "Requested facility not subscribed";
	case 52: return "Outgoing calls barred";
	case 54: return "Incoming calls barred";
	case 57: return "Bearer capability not authorized";
	case 58: return "Bearer capability not presently available";
	case 63: return "Service or option not available, unspecified";
	case 65: return "Bearer capability not implemented";
	case 66: return "Channel type not implemented";
	case 69: return "Requested facility not implemented";
	case 79: return "Service or option not implemented, unspecified";
	case 81: return "Invalid call reference value";
	case 82: return "Identified channel does not exist";
	case 88: return "Incompatible destination";
	case 95: return "Invalid message, unspecified";
	case 96: return "Mandatory information element is missing";
	case 97: return "Message type non-existent or not implemented";
	case 98: return "Message not compatible with call state";
	case 99: return "Information element non-existent or not implemented";
	case 100: return "Invalid information element contents";
	case 101: return "Message not compatible with call state";
	case 102: return "Recovery on timer expiry";
	case 111: return "Protocol error, unspecified";
	case 127: return "Interworking, unspecified";
	default: return "Unknown cause";
	}
}

/* ---------------- decoder ---------------- */

static const char *q931_msg_name(int mt)
{
	switch (mt) {
	case 0x01: return "ALERTING";
	case 0x02: return "CALL PROCEEDING";
	case 0x03: return "PROGRESS";
	case 0x05: return "SETUP";
	case 0x07: return "CONNECT";
	case 0x0d: return "SETUP ACKNOWLEDGE";
	case 0x0f: return "CONNECT ACKNOWLEDGE";
	case 0x20: return "USER INFORMATION";
	case 0x24: return "HOLD";			/* Q.932 / EN 300 139 call hold */
	case 0x28: return "HOLD ACKNOWLEDGE";
	case 0x30: return "HOLD REJECT";
	case 0x31: return "RETRIEVE";
	case 0x33: return "RETRIEVE ACKNOWLEDGE";
	case 0x37: return "RETRIEVE REJECT";
	case 0x45: return "DISCONNECT";
	case 0x46: return "RESTART";
	case 0x4d: return "RELEASE";
	case 0x4e: return "RESTART ACKNOWLEDGE";
	case 0x5a: return "RELEASE COMPLETE";
	case 0x62: return "FACILITY";
	case 0x6e: return "NOTIFY";
	case 0x75: return "STATUS ENQUIRY";
	case 0x79: return "CONGESTION CONTROL";
	case 0x7b: return "INFORMATION";
	case 0x7d: return "STATUS";
	default: return NULL;
	}
}

#define OUT(...) do { if (n < size) n += (size_t)snprintf(out + n, size - n, __VA_ARGS__); } while (0)

static size_t digits(const uint8_t *p, int len, char *buf, size_t bsize)
{
	size_t k = 0;

	for (int i = 0; i < len && k + 1 < bsize; i++)
		if (p[i] >= 0x20 && p[i] < 0x7f)
			buf[k++] = (char)p[i];
	buf[k] = 0;
	return k;
}

int cti_decode_frame(const uint8_t *f, size_t len, char *out, size_t size)
{
	size_t n = 0;
	int sapi, cr, tei;

	if (!out || !size)
		return cti__error(CTI_EINVAL, "cti_decode_frame: no output buffer");
	out[0] = 0;
	if (!f || len < 3) {
		OUT("short frame (%zu bytes)", f ? len : 0);
		return (int)(n < size ? n : size - 1);
	}
	sapi = f[0] >> 2;
	cr = (f[0] >> 1) & 1;
	tei = f[1] >> 1;
	OUT("SAPI %d TEI %d %c ", sapi, tei, cr ? 'C' : 'R');
	if (!(f[2] & 1)) {
		if (len < 4) {
			OUT("short I frame");
			goto done;
		}
		OUT("I N(S)=%d N(R)=%d%s", f[2] >> 1, f[3] >> 1, (f[3] & 1) ? " P" : "");
		if (len > 4) {
			const uint8_t *q = f + 4;
			size_t ql = len - 4;
			int crl, cref = 0, flag = 0, mt;
			size_t i;
			const char *name;

			if (q[0] != 0x08 || ql < 3) {
				OUT(" | protocol 0x%02x", q[0]);
				goto done;
			}
			crl = q[1] & 0x0f;
			if ((size_t)(2 + crl + 1) > ql) {
				OUT(" | Q.931 truncated");
				goto done;
			}
			for (int k = 0; k < crl; k++) {
				uint8_t b = q[2 + k];

				if (k == 0) {
					flag = b >> 7;
					b &= 0x7f;
				}
				cref = (cref << 8) | b;
			}
			mt = q[2 + crl];
			name = q931_msg_name(mt);
			if (name)
				OUT(" | Q.931 %s", name);
			else
				OUT(" | Q.931 message 0x%02x", mt);
			OUT(" cref %d%s", cref, flag ? "/dest" : "/orig");
			for (i = 3 + (size_t)crl; i < ql;) {
				uint8_t ie = q[i];
				int il;
				const uint8_t *d;
				char buf[64];

				if (ie & 0x80) {
					if (ie == 0xa1)
						OUT(" complete");
					i++;
					continue;
				}
				if (i + 1 >= ql)
					break;
				il = q[i + 1];
				d = q + i + 2;
				if (i + 2 + (size_t)il > ql)
					break;
				switch (ie) {
				case 0x08:	/* cause */
					if (il >= 2) {
						int k = (d[0] & 0x80) ? 1 : 2;

						if (k < il) {
							int cv = d[k] & 0x7f;

							OUT(" cause %d (%s) loc %d", cv, cti_cause_text(cv), d[0] & 0x0f);
						}
					}
					break;
				case 0x18:	/* channel identification */
					if (il >= 1 && (d[0] & 0x20) && il >= 3)
						OUT(" chan %d%s", d[il - 1] & 0x7f, (d[0] & 0x08) ? " excl" : "");
					break;
				case 0x28:	/* display */
					digits(d, il, buf, sizeof(buf));
					OUT(" display '%s'", buf);
					break;
				case 0x6c: {	/* calling party number */
					int k = (d[0] & 0x80) ? 1 : 2;

					if (il >= k) {
						digits(d + k, il - k, buf, sizeof(buf));
						OUT(" calling %s", buf[0] ? buf : "-");
					}
					break;
				}
				case 0x70:	/* called party number */
					if (il >= 1) {
						digits(d + 1, il - 1, buf, sizeof(buf));
						OUT(" called %s", buf);
					}
					break;
				case 0x74: {	/* redirecting number */
					int k = 1;

					while (k <= il && !(d[k - 1] & 0x80))
						k++;
					if (il >= k) {
						digits(d + k, il - k, buf, sizeof(buf));
						OUT(" redirecting %s", buf);
					}
					break;
				}
				case 0x79:	/* restart indicator */
					if (il >= 1)
						OUT(" class %d", d[0] & 7);
					break;
				default:
					break;
				}
				i += 2 + (size_t)il;
			}
		}
	} else if ((f[2] & 3) == 1) {
		const char *s = (f[2] & 0x0c) == 0 ? "RR" : (f[2] & 0x0c) == 4 ? "RNR" : (f[2] & 0x0c) == 8 ? "REJ" : "S?";

		if (len < 4)
			OUT("%s", s);
		else
			OUT("%s N(R)=%d%s", s, f[3] >> 1, (f[3] & 1) ? " P/F" : "");
	} else {
		int m = f[2] & 0xef;
		const char *s = m == 0x6f ? "SABME" : m == 0x0f ? "DM" : m == 0x03 ? "UI" : m == 0x43 ? "DISC" :
				m == 0x63 ? "UA" : m == 0x87 ? "FRMR" : m == 0xaf ? "XID" : "U?";

		OUT("%s%s", s, (f[2] & 0x10) ? " P/F" : "");
	}
done:
	return (int)(n < size ? n : size - 1);
}
