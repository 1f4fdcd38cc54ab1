/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cti.h - libcti, the CTI library for E1/T1 ISDN PRI trunks.
 *
 * The one header applications include. Link with `pkg-config --libs libcti`.
 *
 * Model
 * -----
 * A context (cti_ctx_t) owns the spans of one configuration: PRI trunks on
 * DAHDI spans (any card, or our ctitdm board) or on the built-in emulated
 * board ("sim" transport: the board firmware hosted in the library, ports
 * wired by emulated cables). Calls (cti_call_t) are objects separate from
 * channels; media operations (play, record, digits, tones, fax) run on a
 * call's B-channel.
 *
 * Event loop
 * ----------
 * Everything the library reports arrives as a cti_event_t through the
 * handler set with cti_set_event_handler(), called only from inside
 * cti_dispatch() in the caller's thread, never while an internal lock is
 * held: a handler may call any function of this header.
 *
 *   - Real clock (CTI_CLOCK_REAL, default): an internal thread runs the
 *     lines, media and protocol timers. cti_fd() becomes readable when
 *     events are waiting; poll it in your loop and call cti_dispatch(ctx, 0).
 *   - Virtual clock (CTI_CLOCK_VIRTUAL, sim transport only): time stands
 *     still except inside cti_dispatch(), which runs the board as fast as
 *     the CPU allows. Runs are deterministic: tests and benchmarks use it.
 *
 * Every function is thread safe. Functions return 0 (or a positive value
 * documented with them) on success and a negative CTI_E* code on failure;
 * functions returning pointers return NULL. In both cases cti_last_error()
 * gives a message naming the problem (file, line, value) and
 * cti_last_error_code() the CTI_E* code (per thread).
 *
 * Handles: a cti_call_t is valid from the event that introduces it
 * (cti_call_place() return or CTI_EV_CALL_OFFERED) until the handler for its
 * CTI_EV_CALL_RELEASED event returns.
 *
 * ABI: structs that grow (libcti.so.1 stays compatible)
 * -----------------------------------------------------
 * New fields are only ever added at the end of a struct. So that a program
 * built against an older cti.h keeps working with a newer libcti.so.1:
 *
 *   - Parameter structs the application fills in (cti_span_config_t,
 *     cti_call_params_t, cti_term_t, cti_record_params_t, cti_cpa_params_t,
 *     cti_fax_params_t, cti_aoc_t) start with `uint32_t size`. Their init macro (e.g.
 *     cti_term_init(&t)) sets it to the application's sizeof and fills the
 *     defaults: always call it before setting fields. The library reads only
 *     the first `size` bytes (fields beyond take their defaults); size 0 is
 *     CTI_EINVAL "call cti_..._init() first". Copy such a struct only after
 *     init (a copy keeps its size).
 *   - Structs the library fills in (cti_span_status_t, cti_bert_status_t,
 *     cti_line_faults_t, cti_call_params_t via cti_call_get_params()) are
 *     passed through macros that add sizeof(*out): the library writes only
 *     that many bytes.
 *   - Structs embedded in others or used as arrays (cti_party_t,
 *     cti_counters_t, cti_play_item_t, cti_fax_doc_t) never change; new data
 *     goes into the containing struct.
 *   - cti_event_t is owned by the library: read it only through the pointer
 *     the handler gets, never copy it by value or keep the pointer (its size
 *     grows, and u.trace.data is valid only during the handler).
 *
 * Exported functions are the CTI_API declarations of this header, versioned
 * CTI_1.0; see docs/api.md for the ABI check and versioning rules.
 */
#ifndef CTI_H
#define CTI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Version of this header. cti_version() / cti_version_number() give the
 * library's at run time (they differ when an application built against an
 * older header runs with a newer libcti.so.1).
 */
#define CTI_VERSION_MAJOR 1
#define CTI_VERSION_MINOR 0
#define CTI_VERSION_PATCH 0
#define CTI_VERSION_STRING "1.0.0"
/* 0xMMmmpp: compare with >= (e.g. CTI_VERSION_NUMBER >= 0x010100). */
#define CTI_VERSION_NUMBER ((CTI_VERSION_MAJOR << 16) | (CTI_VERSION_MINOR << 8) | CTI_VERSION_PATCH)

/* Marks the exported functions (libcti is built with -fvisibility=hidden). */
#if defined(__GNUC__) && __GNUC__ >= 4
#define CTI_API __attribute__((visibility("default")))
#else
#define CTI_API
#endif

typedef struct cti_ctx cti_ctx_t;
typedef struct cti_call cti_call_t;
typedef struct cti_config cti_config_t;
typedef struct cti_conf cti_conf_t;

/* ======================================================================
 * Errors
 * ==================================================================== */

enum cti_error {
	CTI_OK = 0,
	CTI_EINVAL = -1,	/* bad argument or value */
	CTI_ENOMEM = -2,
	CTI_EBUSY = -3,		/* channel or media direction already in use */
	CTI_ENOCHAN = -4,	/* no free B-channel in the span or group */
	CTI_ESTATE = -5,	/* not allowed in the call's current state */
	CTI_EIO = -6,		/* system call or device failed */
	CTI_ENOENT = -7,	/* no such file, span, group, call or operation */
	CTI_ETIMEDOUT = -8,
	CTI_ENOTSUP = -9,	/* not supported by this transport/build */
	CTI_EFORMAT = -10,	/* file format not usable (WAV, TIFF) */
	CTI_ECONFIG = -11,	/* configuration error (message names file:line) */
	CTI_EDOWN = -12,	/* D-channel or line down */
};

/* Short text for an error code. */
CTI_API const char *cti_strerror(int err);
/* Detailed message of the last failure in this thread (never NULL). */
CTI_API const char *cti_last_error(void);
/*
 * CTI_E* code of the last failure in this thread (CTI_OK if none yet).
 * Set together with cti_last_error(): read it after a function returning a
 * pointer (cti_open, cti_call_place, cti_conf_new, ...) returned NULL.
 */
CTI_API int cti_last_error_code(void);
/* Version of the running library: "1.0.0" and 0xMMmmpp (see CTI_VERSION_NUMBER). */
CTI_API const char *cti_version(void);
CTI_API int cti_version_number(void);

/* ======================================================================
 * Configuration
 *
 * File format (INI; '#' comments; see docs/config.md and docs/cti.conf.sample):
 *
 *   [general]
 *   clock = real | virtual          # virtual: sim transport only
 *   sim_ports = 8                   # ports of the built-in emulated board
 *   tones = itu | us | uk | cn      # call progress tone table
 *   trace = /var/log/cti/dchan.pcap # D-channel capture of every span
 *
 *   [span pstn1]
 *   transport = sim | dahdi
 *   port = 1                        # sim: board port; dahdi: DAHDI span number
 *   line = e1 | t1
 *   framing = crc4 | nocrc4 | esf | d4
 *   coding = hdb3 | ami | b8zs
 *   signalling = pri | none         # none: line only (maintenance, BERT)
 *   role = network | user
 *   switchtype = euroisdn | ni2 | ni1 | dms100 | 4ess | 5ess | qsig
 *   bchannels = 1-15,17-31
 *   dchannel = 16
 *   law = alaw | ulaw
 *   overlap = yes | no              # overlap receiving
 *
 *   [group sales]
 *   spans = pstn1, pstn2
 *   hunt = first-free | round-robin
 *
 * Unknown sections, keys or values are CTI_ECONFIG errors naming the file,
 * the line and the accepted values.
 * ==================================================================== */

enum cti_transport { CTI_TRANSPORT_SIM = 0, CTI_TRANSPORT_DAHDI = 1 };
enum cti_line { CTI_LINE_E1 = 0, CTI_LINE_T1 = 1 };
enum cti_framing {
	CTI_FRAMING_CRC4 = 0,	/* E1 CRC-4 multiframe */
	CTI_FRAMING_NOCRC4,	/* E1 double frame */
	CTI_FRAMING_ESF,	/* T1 extended superframe */
	CTI_FRAMING_D4,		/* T1 superframe */
};
enum cti_coding { CTI_CODING_HDB3 = 0, CTI_CODING_AMI, CTI_CODING_B8ZS };
enum cti_signalling { CTI_SIG_PRI = 0, CTI_SIG_NONE = 1 };
enum cti_role { CTI_ROLE_NETWORK = 0, CTI_ROLE_USER = 1 };
enum cti_switchtype {
	CTI_SWITCH_EUROISDN = 0,
	CTI_SWITCH_NI2,
	CTI_SWITCH_NI1,
	CTI_SWITCH_DMS100,
	CTI_SWITCH_4ESS,
	CTI_SWITCH_5ESS,
	CTI_SWITCH_QSIG,
};
enum cti_law { CTI_LAW_ALAW = 0, CTI_LAW_ULAW = 1 };
enum cti_clock { CTI_CLOCK_REAL = 0, CTI_CLOCK_VIRTUAL = 1 };
enum cti_hunt { CTI_HUNT_FIRST_FREE = 0, CTI_HUNT_ROUND_ROBIN = 1 };

#define CTI_NAME_MAX 32

typedef struct cti_span_config {
	uint32_t size;			/* set by cti_span_config_init() (see ABI above) */
	char name[CTI_NAME_MAX];	/* unique; default "span<N>" */
	enum cti_transport transport;
	int port;			/* sim port 1..sim_ports, or DAHDI span number */
	enum cti_line line;
	enum cti_framing framing;
	enum cti_coding coding;
	enum cti_signalling signalling;
	enum cti_role role;
	enum cti_switchtype switchtype;
	char bchannels[96];		/* ranges "1-15,17-31"; "" = all but the D-channel */
	int dchannel;			/* 0 = default (16 on E1, 24 on T1) */
	enum cti_law law;
	int overlap;			/* accept overlap receiving (CTI_EV_CALL_INFO) */
} cti_span_config_t;

/* Defaults for a line type: E1 CRC-4/HDB3/EuroISDN/A-law or T1 ESF/B8ZS/NI2/u-law, PRI, user side, sim port 1. */
#define cti_span_config_init(sc, line) cti_span_config_init_sized((sc), sizeof(*(sc)), (line))
CTI_API void cti_span_config_init_sized(cti_span_config_t *sc, size_t size, enum cti_line line);

CTI_API cti_config_t *cti_config_new(void);
CTI_API void cti_config_free(cti_config_t *cfg);
/* Read a file (adds to what cfg holds). CTI_ECONFIG with "file:line: ..." on error. */
CTI_API int cti_config_load(cti_config_t *cfg, const char *path);
/* Same from a string; name is used in messages. */
CTI_API int cti_config_parse(cti_config_t *cfg, const char *text, const char *name);
/* Add a span; returns its index (1-based, in order of addition). */
CTI_API int cti_config_add_span(cti_config_t *cfg, const cti_span_config_t *sc);
/* Add a hunt group over spans named in a comma separated list. */
CTI_API int cti_config_add_group(cti_config_t *cfg, const char *name, enum cti_hunt hunt, const char *spans);
CTI_API int cti_config_set_clock(cti_config_t *cfg, enum cti_clock clock);
CTI_API int cti_config_set_sim_ports(cti_config_t *cfg, int ports);
/* Tone table: "itu" (default), "us", "uk", "cn". */
CTI_API int cti_config_set_tones(cti_config_t *cfg, const char *country);
/* Capture every span's D-channel to a pcap file from cti_open() on (NULL: off). */
CTI_API int cti_config_set_trace(cti_config_t *cfg, const char *pcap_path);
/*
 * Convenience for tests, demos and `cti --sim`: sim board with `pairs`
 * cabled port pairs (1-2, 3-4, ...), each pair a PRI trunk: odd port
 * network side, even port user side, spans named "sim<port>".
 */
CTI_API int cti_config_sim_pairs(cti_config_t *cfg, int pairs, enum cti_line line, enum cti_switchtype sw);
/* Add every DAHDI span found in the running system, with signalling none (line maintenance only). */
CTI_API int cti_config_dahdi_scan(cti_config_t *cfg);

/* ======================================================================
 * Context and event loop
 * ==================================================================== */

typedef struct cti_event cti_event_t;
typedef void (*cti_event_fn)(cti_ctx_t *ctx, const cti_event_t *ev, void *user);

/*
 * Open the spans of cfg (cfg may be freed afterwards). NULL on error, with
 * cti_last_error_code() telling which kind: CTI_ECONFIG (configuration),
 * CTI_EIO (device or file), CTI_ENOENT (no such DAHDI span), CTI_ENOMEM.
 */
CTI_API cti_ctx_t *cti_open(const cti_config_t *cfg);
/*
 * Hang up every call, stop every operation (recordings closed valid), free
 * everything. Called from an event handler, it takes effect when that
 * handler returns: no further event is delivered and the cti_dispatch()
 * that ran the handler closes the context before it returns (the context
 * must not be used after that dispatch).
 */
CTI_API void cti_close(cti_ctx_t *ctx);
CTI_API void cti_set_event_handler(cti_ctx_t *ctx, cti_event_fn fn, void *user);
/* Pollable (POLLIN) while events are waiting. */
CTI_API int cti_fd(cti_ctx_t *ctx);
/*
 * Deliver waiting events to the handler. Real clock: waits up to timeout_ms
 * (-1: forever, 0: no wait) for the first event. Virtual clock: advances
 * time until at least one event was delivered or timeout_ms of virtual time
 * passed (-1: until an event; 0: deliver what is waiting, time stands).
 * Returns the number of events delivered, or a negative error.
 */
CTI_API int cti_dispatch(cti_ctx_t *ctx, int timeout_ms);
/* Milliseconds on the context's clock (virtual or monotonic). */
CTI_API uint64_t cti_now_ms(cti_ctx_t *ctx);
/* One-shot application timer: CTI_EV_TIMER with id and user after ms. Returns id > 0. */
CTI_API int cti_timer_start(cti_ctx_t *ctx, uint32_t ms, void *user);
CTI_API int cti_timer_cancel(cti_ctx_t *ctx, int id);

/* ======================================================================
 * Calls
 * ==================================================================== */

/* Type of number (Q.931 4.5.8). */
enum cti_ton {
	CTI_TON_UNKNOWN = 0, CTI_TON_INTERNATIONAL = 1, CTI_TON_NATIONAL = 2,
	CTI_TON_NETWORK = 3, CTI_TON_SUBSCRIBER = 4, CTI_TON_ABBREVIATED = 6,
};
/* Numbering plan. */
enum cti_npi { CTI_NPI_UNKNOWN = 0, CTI_NPI_E164 = 1, CTI_NPI_PRIVATE = 9 };
enum cti_presentation {
	CTI_PRES_ALLOWED = 0, CTI_PRES_RESTRICTED = 1, CTI_PRES_UNAVAILABLE = 2,
};
enum cti_bearer { CTI_BEARER_SPEECH = 0, CTI_BEARER_AUDIO_3K1 = 1 };

#define CTI_NUMBER_MAX 32

typedef struct cti_party {
	char number[CTI_NUMBER_MAX];	/* digits 0-9 * # only */
	enum cti_ton ton;
	enum cti_npi npi;
	enum cti_presentation presentation;
	char name[48];			/* caller name (display) */
} cti_party_t;

/* Redirecting reasons (Q.952). */
enum cti_redirect_reason {
	CTI_REDIR_UNKNOWN = 0, CTI_REDIR_BUSY = 1, CTI_REDIR_NO_REPLY = 2,
	CTI_REDIR_UNCONDITIONAL = 15, CTI_REDIR_DEFLECTION = 10,
};

typedef struct cti_call_params {
	uint32_t size;			/* set by cti_call_params_init() (see ABI above) */
	cti_party_t called;
	cti_party_t calling;
	cti_party_t redirecting;	/* number "" = none */
	enum cti_redirect_reason redirect_reason;
	enum cti_bearer bearer;
	/* Where to place an outgoing call (one of): */
	char group[CTI_NAME_MAX];	/* hunt group name, or */
	int span;			/* span index (1-based), 0 = any span */
	int channel;			/* B-channel on that span, 0 = hunt */
	int sending_complete;		/* en bloc (default 1) */
	/* Filled on offered calls: */
	int overlap;			/* number still incomplete, CTI_EV_CALL_INFO follow */
	void *user;			/* application data carried on the call */
} cti_call_params_t;

#define cti_call_params_init(p) cti_call_params_init_sized((p), sizeof(*(p)))
CTI_API void cti_call_params_init_sized(cti_call_params_t *p, size_t size);
/*
 * Place an outgoing call. Hunts a free B-channel in the group or span
 * (first free or round robin; a channel seized by the far end at the same
 * time is handled as glare and another is tried). NULL on failure, with
 * cti_last_error_code() CTI_ENOCHAN when all are busy, CTI_EDOWN when the
 * D-channel is down, CTI_EINVAL for a bad number. Progress arrives as events.
 */
CTI_API cti_call_t *cti_call_place(cti_ctx_t *ctx, const cti_call_params_t *p);

/* Incoming call handling (after CTI_EV_CALL_OFFERED). */
CTI_API int cti_call_proceeding(cti_call_t *call);
CTI_API int cti_call_alerting(cti_call_t *call);
CTI_API int cti_call_progress(cti_call_t *call);	/* in-band information available */
CTI_API int cti_call_answer(cti_call_t *call);
/* Refuse an offered call with a Q.850 cause (e.g. 17 busy, 21 rejected). */
CTI_API int cti_call_reject(cti_call_t *call, int cause);

/*
 * Overlap sending: more called digits for an outgoing call placed with
 * sending_complete = 0, one INFORMATION message per digit; the far end gets
 * CTI_EV_CALL_INFO. CTI_ESTATE once answered or cleared.
 */
CTI_API int cti_call_send_digits(cti_call_t *call, const char *digits);

/* Q.850 location values (for cti_call_hangup and reported in hangup events). */
enum cti_location {
	CTI_LOC_USER = 0, CTI_LOC_PRIV_LOCAL = 1, CTI_LOC_PUB_LOCAL = 2, CTI_LOC_TRANSIT = 3,
	CTI_LOC_PUB_REMOTE = 4, CTI_LOC_PRIV_REMOTE = 5, CTI_LOC_INTERNATIONAL = 7,
	CTI_LOC_BEYOND_INTERWORKING = 10, CTI_LOC_DEFAULT = -1,
};
/*
 * Clear a call (any state) with a Q.850 cause (16 normal clearing) and
 * location (CTI_LOC_DEFAULT: the library's choice for the span's role).
 * Media operations stop with CTI_TERM_HANGUP. CTI_EV_CALL_HANGUP follows
 * when clearing is complete on the line.
 */
CTI_API int cti_call_hangup(cti_call_t *call, int cause, int location);
/*
 * Release the call object after CTI_EV_CALL_HANGUP (or to abandon a call:
 * hangs up first with cause 16). CTI_EV_CALL_RELEASED is the last event of
 * the call; the handle is invalid once its handler returns.
 */
CTI_API int cti_call_release(cti_call_t *call);

/*
 * Copy the call's parameters (numbers, names, bearer, user...) into *out,
 * taken under the context lock: safe from any thread while the handle is
 * valid. out needs no init (the macro passes its size).
 */
#define cti_call_get_params(call, out) cti_call_get_params_sized((call), (out), sizeof(*(out)))
CTI_API int cti_call_get_params_sized(cti_call_t *call, cti_call_params_t *out, size_t size);
/* Accessors (valid until released). */
CTI_API int cti_call_span(cti_call_t *call);		/* span index, 0 before a channel is known */
CTI_API int cti_call_channel(cti_call_t *call);		/* B-channel, 0 before one is known */
CTI_API int cti_call_outgoing(cti_call_t *call);
CTI_API void cti_call_set_user(cti_call_t *call, void *user);
CTI_API void *cti_call_get_user(cti_call_t *call);

enum cti_call_state {
	CTI_CALL_IDLE = 0, CTI_CALL_DIALING, CTI_CALL_OFFERED, CTI_CALL_PROCEEDING,
	CTI_CALL_ALERTING, CTI_CALL_CONNECTED, CTI_CALL_CLEARING, CTI_CALL_CLEARED,
};
CTI_API enum cti_call_state cti_call_state(cti_call_t *call);
CTI_API const char *cti_call_state_name(enum cti_call_state s);
/* Text of a Q.850 cause ("Normal Clearing"). */
CTI_API const char *cti_cause_text(int cause);

/* RESTART one channel (channel > 0) or the whole span (channel 0). */
CTI_API int cti_span_restart(cti_ctx_t *ctx, int span, int channel);

/* ======================================================================
 * Media: digits, play, record, tones (on a call's B-channel)
 *
 * One output operation (play, tone, DTMF generation) and one input
 * operation (record, get digits) may run at once per call; starting a
 * second of the same direction gives CTI_EBUSY. Each operation returns an
 * id > 0 and ends with exactly one CTI_EV_OP_DONE saying why.
 * DTMF and tone detection run always while the call has a B-channel.
 * ==================================================================== */

typedef struct cti_term {
	uint32_t size;			/* set by cti_term_init() (see ABI above) */
	int max_digits;			/* end after this many digits (0: no limit) */
	char term_digits[17];		/* any of these ends it ("#") */
	uint32_t first_digit_ms;	/* no digit within this time from the start */
	uint32_t inter_digit_ms;	/* no further digit within this time */
	uint32_t max_time_ms;		/* operation ran this long */
	uint32_t max_silence_ms;	/* silence this long after sound was heard */
	uint32_t initial_silence_ms;	/* nothing but silence this long from the start */
	int silence_dbm0;		/* below this level is silence (default -42) */
	int clear_digits;		/* flush the digit buffer at start */
	int stop_on_digit;		/* play/tone: any digit ends it (barge-in) */
} cti_term_t;

/* All conditions off, silence -42 dBm0. */
#define cti_term_init(t) cti_term_init_sized((t), sizeof(*(t)))
CTI_API void cti_term_init_sized(cti_term_t *t, size_t size);

enum cti_term_reason {
	CTI_TERM_EOD = 0,		/* end of data (play/tone/dtmf finished) */
	CTI_TERM_MAX_DIGITS,
	CTI_TERM_TERM_DIGIT,
	CTI_TERM_FIRST_DIGIT_TIMEOUT,
	CTI_TERM_INTER_DIGIT_TIMEOUT,
	CTI_TERM_MAX_TIME,
	CTI_TERM_MAX_SILENCE,
	CTI_TERM_INITIAL_SILENCE,
	CTI_TERM_DIGIT,			/* stop_on_digit */
	CTI_TERM_STOPPED,		/* cti_stop() */
	CTI_TERM_HANGUP,		/* call cleared */
	CTI_TERM_ERROR,			/* see ev->u.op.error and message */
};
CTI_API const char *cti_term_reason_name(enum cti_term_reason r);

enum cti_op_kind {
	CTI_OP_PLAY = 1, CTI_OP_RECORD, CTI_OP_GET_DIGITS, CTI_OP_SEND_DTMF, CTI_OP_TONE,
	CTI_OP_FAX, CTI_OP_CPA,
};

enum cti_format {
	CTI_FMT_AUTO = 0,	/* from the file: WAV header, else by extension .al/.alaw .ul/.ulaw .raw(pcm16) */
	CTI_FMT_WAV_PCM16,
	CTI_FMT_WAV_ALAW,
	CTI_FMT_WAV_ULAW,
	CTI_FMT_RAW_ALAW,
	CTI_FMT_RAW_ULAW,
	CTI_FMT_RAW_PCM16,	/* host endian, 8 kHz */
};

typedef struct cti_play_item {
	const char *path;	/* file, or NULL to play buf */
	const void *buf;	/* in-memory audio (copied at start) */
	size_t len;		/* bytes in buf */
	enum cti_format format;	/* for buf: a RAW format */
} cti_play_item_t;

/* Play items in order (WAV at 8 kHz mono, or raw G.711/PCM16). */
CTI_API int cti_play(cti_call_t *call, const cti_play_item_t *items, int n, const cti_term_t *term);
CTI_API int cti_play_file(cti_call_t *call, const char *path, const cti_term_t *term);

enum cti_record_mode {
	CTI_REC_MIXED = 0,	/* mono: both directions summed */
	CTI_REC_STEREO,		/* two-leg: left = received (caller), right = transmitted */
	CTI_REC_SPLIT,		/* two mono files: path (received) and path2 (transmitted) */
};

typedef struct cti_record_params {
	uint32_t size;			/* set by cti_record_params_init() (see ABI above) */
	const char *path;
	const char *path2;		/* CTI_REC_SPLIT only */
	enum cti_record_mode mode;
	enum cti_format format;		/* CTI_FMT_WAV_* (default PCM16) */
	int beep;			/* play a 1 kHz 200 ms beep first */
} cti_record_params_t;

#define cti_record_params_init(p) cti_record_params_init_sized((p), sizeof(*(p)))
CTI_API void cti_record_params_init_sized(cti_record_params_t *p, size_t size);
/*
 * Record the call. The WAV header is kept valid on disk at all times (the
 * file is playable if the process dies or the call drops). A write error
 * (disk full, unwritable) ends the operation with CTI_TERM_ERROR; the call
 * goes on.
 */
CTI_API int cti_record(cti_call_t *call, const cti_record_params_t *p, const cti_term_t *term);
CTI_API int cti_record_pause(cti_call_t *call, int paused);

/* Collect digits under term (ev->u.op.digits holds them). */
CTI_API int cti_get_digits(cti_call_t *call, const cti_term_t *term);
/* Take digits already buffered (returns count) without an operation. */
CTI_API int cti_digits_read(cti_call_t *call, char *buf, size_t size);
CTI_API void cti_digits_flush(cti_call_t *call);

/* Send DTMF (0-9 * # A-D; ',' = 500 ms pause). on/off 0 = 80/80 ms; level 0 = -10 dBm0. */
CTI_API int cti_send_dtmf(cti_call_t *call, const char *digits, int on_ms, int off_ms, int level_dbm0);

/* Call progress tones of the context's table. */
enum cti_tone {
	CTI_TONE_NONE = 0, CTI_TONE_DIAL, CTI_TONE_RINGBACK, CTI_TONE_BUSY, CTI_TONE_CONGESTION,
	CTI_TONE_SIT, CTI_TONE_CNG, CTI_TONE_CED, CTI_TONE_BEEP, CTI_TONE_MILLIWATT,
};
CTI_API const char *cti_tone_name(enum cti_tone t);
/* Generate a tone (cadenced per the table) until term ends it (max_time_ms, digits) or cti_stop(). */
CTI_API int cti_play_tone(cti_call_t *call, enum cti_tone tone, const cti_term_t *term);

/* Stop one operation (id) or all operations of the call (0). */
CTI_API int cti_stop(cti_call_t *call, int op);

/* Receive/transmit level of the call's channel over the last 100 ms, in dBm0 (-99 = silence). */
CTI_API int cti_levels(cti_call_t *call, double *rx_dbm0, double *tx_dbm0);

/* ======================================================================
 * Call progress analysis (outbound)
 * ==================================================================== */

enum cti_cpa_result {
	CTI_CPA_NONE = 0,
	CTI_CPA_BUSY,
	CTI_CPA_NO_ANSWER,	/* ringback until timeout */
	CTI_CPA_SIT,		/* special information tone (number unobtainable, ...) */
	CTI_CPA_FAX,		/* CED or fax answer tone */
	CTI_CPA_VOICE,		/* answered, live voice */
	CTI_CPA_MACHINE,	/* answered, long greeting (answering machine) */
	CTI_CPA_SILENCE,	/* answered, nothing heard */
	CTI_CPA_CONGESTION,
};
CTI_API const char *cti_cpa_result_name(enum cti_cpa_result r);

typedef struct cti_cpa_params {
	uint32_t size;			/* set by cti_cpa_params_init() (see ABI above) */
	uint32_t no_answer_ms;		/* ringback this long: NO_ANSWER (default 30000) */
	uint32_t voice_ms;		/* speech shorter than this then silence: VOICE (default 1500) */
	uint32_t max_ms;		/* give up after (default 45000) */
	uint32_t silence_ms;		/* answered and nothing heard this long: SILENCE (default 5000, 0 off) */
} cti_cpa_params_t;

#define cti_cpa_params_init(p) cti_cpa_params_init_sized((p), sizeof(*(p)))
CTI_API void cti_cpa_params_init_sized(cti_cpa_params_t *p, size_t size);
/* Start analysing the call's received audio (from placing the call or later). Ends with CTI_EV_CPA_DONE. */
CTI_API int cti_cpa_start(cti_call_t *call, const cti_cpa_params_t *p);

/* ======================================================================
 * Bridging, conferences and supervision
 * ==================================================================== */

/* Connect the audio of two calls both ways (transfer, agent connection). */
CTI_API int cti_bridge(cti_call_t *a, cti_call_t *b);
/* Undo the bridge the call is in. */
CTI_API int cti_unbridge(cti_call_t *call);

/* N-party conference (three-way calls): each member hears all others. */
CTI_API cti_conf_t *cti_conf_new(cti_ctx_t *ctx);
CTI_API int cti_conf_add(cti_conf_t *conf, cti_call_t *call);
CTI_API int cti_conf_remove(cti_conf_t *conf, cti_call_t *call);
CTI_API void cti_conf_free(cti_conf_t *conf);

enum cti_monitor_mode {
	CTI_MONITOR_LISTEN = 0,	/* supervisor hears both parties, nobody hears the supervisor */
	CTI_MONITOR_WHISPER,	/* ... and the target (agent) alone hears the supervisor */
	CTI_MONITOR_BARGE,	/* ... and both parties hear the supervisor */
};
/*
 * Let the supervisor call monitor target (a call, usually bridged to a
 * caller). Calling it again switches mode during the call.
 */
CTI_API int cti_monitor(cti_call_t *supervisor, cti_call_t *target, enum cti_monitor_mode mode);
CTI_API int cti_monitor_stop(cti_call_t *supervisor);

/* ======================================================================
 * Fax (T.30 over the call's B-channel; spandsp + libtiff)
 * ==================================================================== */

/* Documents one cti_fax_send() takes at most. */
#define CTI_FAX_MAX_DOCS 16

enum cti_fax_modem { CTI_FAX_V27TER = 1, CTI_FAX_V29 = 2, CTI_FAX_V17 = 4 };
/* Image compressions offered (T.4 1D = MH, T.4 2D = MR, T.6 = MMR, ECM only). */
enum cti_fax_compression { CTI_FAX_T4_1D = 1, CTI_FAX_T4_2D = 2, CTI_FAX_T6 = 4 };

typedef struct cti_fax_doc {
	const char *path;	/* bilevel TIFF, legal fax width (1728 at 8 px/mm) */
	int first_page;		/* 1-based; 0 = from the first */
	int last_page;		/* 0 = to the last */
} cti_fax_doc_t;

typedef struct cti_fax_params {
	uint32_t size;			/* set by cti_fax_params_init() (see ABI above) */
	const cti_fax_doc_t *docs;	/* send: ndocs documents in order (read when sending starts) */
	int ndocs;			/* 1..CTI_FAX_MAX_DOCS */
	const char *receive_path;	/* receive: multi-page TIFF written as pages arrive */
	char ident[21];			/* local ident (TSI/CSI) */
	char header[50];		/* page header line ("" = none) */
	int ecm;			/* error correction mode (default 1) */
	int modems;			/* CTI_FAX_* mask (default all) */
	int max_rate;			/* bit/s cap (default 14400) */
	int calling;			/* -1 auto (outgoing call = caller), 0 answerer, 1 caller */
	int compressions;		/* CTI_FAX_T4_* / CTI_FAX_T6 mask (default all; T.4 1D always kept) */
} cti_fax_params_t;

#define cti_fax_params_init(p) cti_fax_params_init_sized((p), sizeof(*(p)))
CTI_API void cti_fax_params_init_sized(cti_fax_params_t *p, size_t size);
/* Checks every document first (CTI_EFORMAT naming file and problem); the call is not touched on error. */
CTI_API int cti_fax_send(cti_call_t *call, const cti_fax_params_t *p);
CTI_API int cti_fax_receive(cti_call_t *call, const cti_fax_params_t *p);
/* Returns the page count of a TIFF usable for fax, or CTI_EFORMAT with the reason. */
CTI_API int cti_fax_check_tiff(const char *path);
/* Convert a TIFF (any bilevel/gray/colour, any width) to a 1728-wide G4 fax TIFF. */
CTI_API int cti_fax_convert_tiff(const char *in, const char *out);
/* Text of a T.30 result code (ev->u.fax.result). */
CTI_API const char *cti_fax_result_text(int result);

/* ======================================================================
 * D-channel trace
 * ==================================================================== */

/* Capture a span's (0: every span's) D-channel frames to a pcap (LINKTYPE_LINUX_LAPD) file. */
CTI_API int cti_trace_start(cti_ctx_t *ctx, int span, const char *pcap_path);
/* Also deliver each frame as CTI_EV_TRACE (on = 1). */
CTI_API int cti_trace_events(cti_ctx_t *ctx, int span, int on);
CTI_API int cti_trace_stop(cti_ctx_t *ctx, int span);
/* Human readable one-line Q.921/Q.931 decode of a frame (as in CTI_EV_TRACE). Returns length. */
CTI_API int cti_decode_frame(const uint8_t *frame, size_t len, char *out, size_t size);

/* ======================================================================
 * Line maintenance (for installers: the `cti` tool)
 * ==================================================================== */

#define CTI_ALARM_LOS		(1u << 0)
#define CTI_ALARM_LOF		(1u << 1)	/* red */
#define CTI_ALARM_AIS		(1u << 2)	/* blue */
#define CTI_ALARM_RAI		(1u << 3)	/* yellow */
#define CTI_ALARM_LMFA		(1u << 4)
#define CTI_ALARM_RECOVER	(1u << 5)
#define CTI_ALARM_LOOPBACK	(1u << 6)
#define CTI_ALARM_NOTOPEN	(1u << 7)	/* span not configured/started */

typedef struct cti_counters {
	uint32_t fas, mfas, crc, ebit, cv, bpv, slips;
	uint32_t es, ses, uas, seconds;
	uint32_t prbs_errors;
} cti_counters_t;

typedef struct cti_span_status {
	int index;
	char name[CTI_NAME_MAX];
	enum cti_transport transport;
	int port;
	enum cti_line line;
	enum cti_framing framing;
	enum cti_coding coding;
	enum cti_signalling signalling;
	uint32_t alarms;		/* CTI_ALARM_* */
	int timing_source;		/* 1: this span gives the timing */
	int dchan_up;
	int loopback;			/* enum cti_loopback */
	cti_counters_t counters;
	int nchannels;
	char chan_state[33];		/* per channel 1..n: '.' idle, 'B' busy, 'D' D-channel, '-' unused, 'X' out of service */
} cti_span_status_t;

/*
 * Parse a channel list ("1-15,17-31", spaces allowed) into a mask, bit n =
 * channel n, channels 1..max. CTI_EINVAL naming the bad part otherwise.
 * Used for B-channel lists and BERT timeslot sets.
 */
CTI_API int cti_parse_channels(const char *list, int max, uint32_t *mask);

CTI_API int cti_span_count(cti_ctx_t *ctx);
/* Span index by name, or CTI_ENOENT. */
CTI_API int cti_span_find(cti_ctx_t *ctx, const char *name);
/* The macro passes sizeof(*st): st needs no init. */
#define cti_span_status(ctx, span, st) cti_span_status_sized((ctx), (span), (st), sizeof(*(st)))
CTI_API int cti_span_status_sized(cti_ctx_t *ctx, int span, cti_span_status_t *st, size_t size);
CTI_API int cti_span_reset_counters(cti_ctx_t *ctx, int span);
CTI_API const char *cti_alarm_text(uint32_t alarms, char *buf, size_t size);	/* "RED YELLOW" / "OK" */

enum cti_loopback { CTI_LOOP_NONE = 0, CTI_LOOP_LOCAL, CTI_LOOP_NETWORK_LINE, CTI_LOOP_NETWORK_PAYLOAD };
CTI_API int cti_span_loopback(cti_ctx_t *ctx, int span, enum cti_loopback mode);
/*
 * T1: start sending loop-up (1) or loop-down (0) in-band codes to the far
 * end (T1.403 9.3.1), or stop (-1). A far end acts after 4 s of the code;
 * send it for at least 5 s. On the sim board the code runs until -1. On
 * DAHDI the driver ends it after DAHDI_LOOPCODE_TIME (10 s): call again
 * within that time to keep it up; -1 sends DAHDI_MAINT_NONE, which also
 * ends a loopback, PRBS or alarm simulation set on that span.
 */
CTI_API int cti_span_loopcode(cti_ctx_t *ctx, int span, int up);

enum cti_inject { CTI_INJ_FAS = 0, CTI_INJ_MFAS, CTI_INJ_CRC, CTI_INJ_CAS, CTI_INJ_PRBS, CTI_INJ_BPV };
/* count single errors, or (per_second > 0) a continuous rate (0 stops). */
CTI_API int cti_span_inject(cti_ctx_t *ctx, int span, enum cti_inject what, uint32_t count, uint32_t per_second);

/* BERT: O.150 PRBS on a timeslot mask of a span (bit n = channel n; 0xffffffff = all B-channels; 0 = unframed). */
enum cti_prbs { CTI_PRBS_2E11 = 1, CTI_PRBS_2E15, CTI_PRBS_2E20, CTI_PRBS_QRSS, CTI_PRBS_2E23 };
typedef struct cti_bert_status {
	int running;
	int sync;
	uint64_t bits, errors;
	uint32_t sync_losses, seconds, errored_seconds, severely_errored_seconds;
} cti_bert_status_t;
/* Takes the span out of call service (D-channel stopped) while the test runs. */
CTI_API int cti_bert_start(cti_ctx_t *ctx, int span, enum cti_prbs pattern, uint32_t slot_mask);
#define cti_bert_status(ctx, span, st) cti_bert_status_sized((ctx), (span), (st), sizeof(*(st)))
CTI_API int cti_bert_status_sized(cti_ctx_t *ctx, int span, cti_bert_status_t *st, size_t size);
CTI_API int cti_bert_stop(cti_ctx_t *ctx, int span);

/* Emulated cables (sim board, or ctitdm board through sysfs; ports are board ports). */
typedef struct cti_line_faults {
	int ais;		/* far end sends AIS */
	double ber;		/* bit error rate (0 .. 0.5) */
	int burst_bits;		/* errors in bursts of this length (0: random) */
	int ppm;		/* clock offset of the far end (-1000..1000) */
	int los;		/* no signal arrives (receive pair broken; the far end still receives) */
} cti_line_faults_t;
CTI_API int cti_cable_connect(cti_ctx_t *ctx, int port_a, int port_b);
CTI_API int cti_cable_cut(cti_ctx_t *ctx, int port);
CTI_API int cti_cable_peer(cti_ctx_t *ctx, int port);	/* peer port, 0 if cut */
/* Faults on the signal arriving at port (the macros pass sizeof(*f); fields beyond it: none). */
#define cti_cable_set_faults(ctx, port, f) cti_cable_set_faults_sized((ctx), (port), (f), sizeof(*(f)))
#define cti_cable_get_faults(ctx, port, f) cti_cable_get_faults_sized((ctx), (port), (f), sizeof(*(f)))
CTI_API int cti_cable_set_faults_sized(cti_ctx_t *ctx, int port, const cti_line_faults_t *f, size_t size);
CTI_API int cti_cable_get_faults_sized(cti_ctx_t *ctx, int port, cti_line_faults_t *f, size_t size);

/* ======================================================================
 * Supplementary services (docs/supplementary.md has the table of what each
 * switch type supports). A service the span's switch type does not offer
 * fails with CTI_ENOTSUP and cti_last_error() names the switch type.
 *
 * The same calls work on both sides of a trunk: the side that asks calls
 * cti_call_hold()/cti_call_transfer()/cti_call_deflect(); the side that
 * serves (usually the network, or the other PINX on QSIG) gets a *_REQUEST
 * event and answers with the matching *_reply() function.
 * ==================================================================== */

enum cti_suppl {
	CTI_SUPPL_HOLD = 1,	/* Q.931 HOLD/RETRIEVE */
	CTI_SUPPL_TRANSFER,	/* ECT, 2BCT/TBCT, RLT, QSIG transfer: see cti_call_transfer() */
	CTI_SUPPL_DEFLECT,	/* call deflection / rerouting */
	CTI_SUPPL_KEYPAD,	/* keypad facility */
	CTI_SUPPL_DISPLAY,	/* display text during a call */
	CTI_SUPPL_MWI,		/* message waiting indication: cti_mwi_send() */
};
/*
 * 1 if the span's switch type offers the service, 0 if not (the message in
 * cti_last_error() says why), CTI_ENOENT for no such PRI span.
 */
CTI_API int cti_suppl_supported(cti_ctx_t *ctx, int span, enum cti_suppl what);
/* How the span transfers calls: "ECT", "2BCT", "RLT", "QSIG" or "none". */
CTI_API const char *cti_transfer_method(cti_ctx_t *ctx, int span);

/*
 * Put a connected call on hold (HOLD). CTI_EV_CALL_HELD follows with
 * result 0 (the B-channel is free: cti_call_channel() is 0) or the Q.850
 * cause of the refusal. The far party hears what the holding side's
 * network plays (music on hold: on the serving side, play to the other leg).
 */
CTI_API int cti_call_hold(cti_call_t *call);
/* Take a held call back (RETRIEVE) on a free B-channel of its span; CTI_EV_CALL_RETRIEVED follows. */
CTI_API int cti_call_retrieve(cti_call_t *call);
/* 1 while the call is held (either side asked), else 0. */
CTI_API int cti_call_held(cti_call_t *call);
/* Answer CTI_EV_HOLD_REQUEST / CTI_EV_RETRIEVE_REQUEST: cause 0 accepts, else a Q.850 cause refuses. */
CTI_API int cti_call_hold_reply(cti_call_t *call, int cause);
CTI_API int cti_call_retrieve_reply(cti_call_t *call, int cause);

/*
 * Transfer: join the far parties of two calls on the same span and drop
 * out (blind: b still ringing; consultative: b answered, a usually held).
 * By switch type: EuroISDN ECT (explicit, link id), NI2/5ESS/4ESS 2BCT,
 * DMS100 RLT (needs the RLT call id the network gives on SETUP), QSIG
 * call transfer by join (the two B-channels stay bridged by this side).
 * CTI_EV_TRANSFER_DONE follows on a with result 0 when the network took
 * the calls over (both are then cleared: CTI_EV_CALL_HANGUP each, and the
 * B-channels are free) or a CTI_E* code with u.suppl.text saying why.
 */
CTI_API int cti_call_transfer(cti_call_t *a, cti_call_t *b);
/*
 * Serving side: answer CTI_EV_TRANSFER_REQUEST (ev->call and
 * ev->u.suppl.other). accept = 1: the application has joined the two far
 * parties (e.g. cti_bridge() of the legs behind them); libcti confirms and
 * clears both calls toward the requesting user (cause 16). accept = 0 refuses.
 */
CTI_API int cti_transfer_reply(cti_call_t *call, int accept);

/*
 * Deflect an offered (not yet answered) call, or reroute an answered one,
 * to another number (EuroISDN CallRerouting, QSIG CallRerouting).
 * CTI_EV_DEFLECT_DONE follows.
 */
CTI_API int cti_call_deflect(cti_call_t *call, const cti_party_t *to);
/*
 * Serving side: answer CTI_EV_DEFLECT_REQUEST. accept = 1 confirms and clears
 * the call toward the deflecting user; the application then places the call
 * to ev->u.suppl.party itself. accept = 0 refuses.
 */
CTI_API int cti_deflect_reply(cti_call_t *call, int accept);

/* Send keypad facility digits (0-9 * #) on a call; the far end gets CTI_EV_KEYPAD. */
CTI_API int cti_call_keypad(cti_call_t *call, const char *digits);
/* Send display text (printable ASCII, up to 80 characters); the far end gets CTI_EV_DISPLAY. */
CTI_API int cti_call_display(cti_call_t *call, const char *text);

/*
 * User-user information (UUI, IA5 text of 1-35 printable characters, e.g. an
 * account number for the agent's screen): cti_call_place_uui() sends it in
 * the SETUP; cti_call_set_uui() in the next ALERTING, DISCONNECT or RELEASE
 * of the call. The far end gets CTI_EV_UUI (before the event of the message
 * carrying it, or after CTI_EV_CALL_OFFERED for a SETUP).
 */
CTI_API cti_call_t *cti_call_place_uui(cti_ctx_t *ctx, const cti_call_params_t *p, const char *uui);
CTI_API int cti_call_set_uui(cti_call_t *call, const char *uui);

/* Advice of charge (ETSI AOC-S rate, AOC-D during the call, AOC-E at its end; EuroISDN only). */
enum cti_aoc_type { CTI_AOC_D = 1, CTI_AOC_E = 2, CTI_AOC_S = 3 };
typedef struct cti_aoc {
	uint32_t size;		/* set by cti_aoc_init() (see ABI above) */
	int type;		/* enum cti_aoc_type */
	int free_of_charge;	/* 1: the call is free (units and amount not used) */
	long units;		/* charging units so far (D) or in all (E); -1: a currency amount instead */
	long amount;		/* with units -1: amount in hundredths of the currency (250 = 2.50) */
	char currency[11];	/* e.g. "EUR" */
	int total;		/* AOC-D received: 1 total so far, 0 subtotal (libpri 1.6 always sends subtotal) */
	uint32_t per_seconds;	/* AOC-S: amount charged per this many seconds of the call; 0: flat rate */
} cti_aoc_t;

/* Defaults: no units, no amount (-1), not free. */
#define cti_aoc_init(a, type) cti_aoc_init_sized((a), sizeof(*(a)), (type))
CTI_API void cti_aoc_init_sized(cti_aoc_t *a, size_t size, enum cti_aoc_type type);
/*
 * Send advice of charge on a call (the network side charges its user).
 * AOC-S (the rate of the basic call: amount per per_seconds, or flat) and
 * AOC-D go at once (FACILITY); AOC-E with the next clearing message of the call
 * (send it, then cti_call_hangup()). The far end gets CTI_EV_AOC (u.aoc),
 * an AOC-E before its CTI_EV_CALL_HANGUP.
 */
CTI_API int cti_call_aoc(cti_call_t *call, const cti_aoc_t *aoc);

/*
 * Message waiting indication (QSIG only, ECMA-242): tell the PINX of the
 * served user `mailbox` that messages are waiting for it (active = 1,
 * MWIActivate) or not any more (active = 0, MWIDeactivate). Sent in the
 * SETUP of a call-independent signalling connection (no B-channel) with
 * libpri's pri_mwi_activate/pri_mwi_deactivate; `centre` (the message
 * centre's number, digits, NULL for none) goes as its calling number.
 * Returns 0 when the SETUP is sent; CTI_EV_MWI_DONE follows on the span
 * with u.mwi.result 0 (the far PINX answered: CONNECT or a ROSE result) or
 * the Q.850 cause it cleared with (libpri-based PINXes, libcti included,
 * always clear with 69, facility not implemented: docs/supplementary.md).
 * CTI_ENOTSUP naming the switch type on other spans (EuroISDN's
 * MWIIndicate exists in libpri 1.6 only for BRI point-to-multipoint),
 * CTI_EDOWN while the D-channel is down, CTI_EBUSY with 16 unanswered.
 * The receiving side gets CTI_EV_MWI (u.mwi) on QSIG spans.
 */
CTI_API int cti_mwi_send(cti_ctx_t *ctx, int span, const char *mailbox, const char *centre, int active);

/* ======================================================================
 * Events
 * ==================================================================== */

enum cti_event_type {
	CTI_EV_DCHAN_UP = 1,
	CTI_EV_DCHAN_DOWN,
	CTI_EV_ALARM,		/* u.alarm: span alarms changed */
	CTI_EV_RESTART,		/* u.restart: far end restarted channel(s) */
	CTI_EV_CALL_OFFERED,	/* u.offered: new incoming call (call handle is new) */
	CTI_EV_CALL_INFO,	/* u.info: overlap digits arrived */
	CTI_EV_CALL_PROCEEDING,
	CTI_EV_CALL_ALERTING,
	CTI_EV_CALL_PROGRESS,
	CTI_EV_CALL_ANSWERED,	/* outgoing call answered (CONNECT) */
	CTI_EV_CALL_CONNECTED,	/* incoming call: our answer acknowledged */
	CTI_EV_CALL_HANGUP,	/* u.hangup: call cleared on the line; now cti_call_release() */
	CTI_EV_CALL_RELEASED,	/* last event of a call */
	CTI_EV_DIGIT,		/* u.digit: DTMF digit detected */
	CTI_EV_TONE,		/* u.tone: tone detected (CNG/CED, progress tones) */
	CTI_EV_OP_DONE,		/* u.op: a media operation ended */
	CTI_EV_CPA_DONE,	/* u.cpa */
	CTI_EV_FAX_PHASE_B,	/* u.fax: negotiated */
	CTI_EV_FAX_PAGE,	/* u.fax: page sent/received */
	CTI_EV_FAX_DONE,	/* u.fax: result (also ends the op: CTI_EV_OP_DONE follows) */
	CTI_EV_TRACE,		/* u.trace: D-channel frame */
	CTI_EV_TIMER,		/* u.timer */
	/* supplementary services (u.suppl; docs/supplementary.md) */
	CTI_EV_HOLD_REQUEST,	/* far end asks to hold the call: cti_call_hold_reply() */
	CTI_EV_CALL_HELD,	/* hold done (result 0; B-channel free now) or refused (result = Q.850 cause) */
	CTI_EV_RETRIEVE_REQUEST,/* far end asks to retrieve a held call: cti_call_retrieve_reply() */
	CTI_EV_CALL_RETRIEVED,	/* retrieve done (result 0, ev->channel the new B-channel) or refused (cause) */
	CTI_EV_TRANSFER_REQUEST,/* network side: the user asks to join call and u.suppl.other: cti_transfer_reply() */
	CTI_EV_TRANSFER_DONE,	/* transfer asked with cti_call_transfer() ended: result 0 or CTI_E* */
	CTI_EV_DEFLECT_REQUEST,	/* network side: the user asks to send call to u.suppl.party: cti_deflect_reply() */
	CTI_EV_DEFLECT_DONE,	/* cti_call_deflect() ended: result 0 (the call clears next) or CTI_E* */
	CTI_EV_KEYPAD,		/* keypad facility digits received (u.suppl.text) */
	CTI_EV_DISPLAY,		/* display text received during the call (u.suppl.text) */
	CTI_EV_UUI,		/* user-user information received (u.suppl.text) */
	CTI_EV_AOC,		/* advice of charge received (u.aoc) */
	CTI_EV_MWI,		/* message waiting indication received (u.mwi; span event, call NULL) */
	CTI_EV_MWI_DONE,	/* cti_mwi_send() ended: u.mwi.result 0 or the far end's Q.850 cause */
};
CTI_API const char *cti_event_name(int type);

/* Library-owned: read through the handler's pointer only (see ABI above). */
struct cti_event {
	int type;		/* enum cti_event_type */
	cti_call_t *call;	/* the call, or NULL for span events */
	int span;		/* span index, 0 if none */
	int channel;		/* B-channel, 0 if none */
	uint64_t time_ms;	/* cti_now_ms() when it happened */
	union {
		struct { uint32_t alarms; } alarm;
		struct { int channel; } restart;	/* 0 = whole span */
		cti_call_params_t offered;
		struct { char digits[CTI_NUMBER_MAX]; int complete; } info;
		struct { int cause; int location; int remote; } hangup;	/* remote: far end cleared */
		struct { char digit; } digit;
		struct { int tone; } tone;		/* enum cti_tone */
		struct {
			int id;			/* operation id */
			int kind;		/* enum cti_op_kind */
			int reason;		/* enum cti_term_reason */
			int error;		/* CTI_E* when reason is CTI_TERM_ERROR */
			char digits[64];	/* get digits: what was collected */
			uint32_t duration_ms;
			uint64_t samples;	/* play/record: samples played/recorded */
			char message[128];	/* CTI_TERM_ERROR: what failed (file, reason) */
		} op;
		struct { int result; uint32_t duration_ms; } cpa;	/* enum cti_cpa_result */
		struct {
			int page;		/* pages done so far */
			int sending;
			char remote_ident[21];
			int bit_rate;
			int ecm;
			int x_res, y_res;	/* pixels per metre */
			int bad_rows;
			int result;		/* T.30 result (0 = OK), FAX_DONE */
			char result_text[64];
			int compression;	/* CTI_FAX_T4_1D/T4_2D/T6 on the line (PHASE_B on) */
		} fax;
		struct {
			int tx;			/* 1: sent by us */
			uint32_t len;		/* bytes at data */
			const uint8_t *data;	/* frame without FCS; valid only during the handler */
		} trace;
		struct { int id; void *user; } timer;
		struct {
			int result;		/* 0 or a Q.850 cause (hold/retrieve) or CTI_E* (transfer/deflect) */
			int remote;		/* 1: the far end asked for it */
			cti_call_t *other;	/* transfer: the second call */
			cti_party_t party;	/* deflect: where to */
			char text[128];		/* keypad digits, display text, or what failed */
		} suppl;
		cti_aoc_t aoc;
		struct {
			int active;		/* 1: messages waiting (MWIActivate), 0: none (MWIDeactivate) */
			int result;		/* CTI_EV_MWI_DONE: 0 or the far end's Q.850 cause */
			char mailbox[CTI_NUMBER_MAX];	/* served user number */
			char centre[CTI_NUMBER_MAX];	/* message centre (calling number), "" if none */
			int messages;		/* number of messages waiting, -1 if not given */
			int basic_service;	/* ECMA-242 BasicService: 1 speech, ...; -1 if not given */
		} mwi;
	} u;
};

#ifdef __cplusplus
}
#endif

#endif /* CTI_H */
