// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench_ws.c - a lean WebSocket load client for ctid's benchmarks (bench_ctid.sh).
 *
 *   bench_ws --log FILE [--agents N --agent-token FMT] [--supervisors S --super-token FMT]
 *            [--rss] [--timeout S] -- CTID ARG...
 *
 * Starts CTID ARG... with its stderr in FILE, reads the WebSocket port from
 * the log ("WebSocket interface on port P"; use listen = 127.0.0.1:0), opens
 * N + S connections and logs each in (Login with FMT formatted with 1..N),
 * then counts every event each session receives until ctid closes the
 * connections and exits. --rss: once every session is logged in (or, with
 * none, once ctid is running), read ctid's VmRSS and stop it with SIGTERM.
 *
 * One thread, epoll, a hand-written RFC 6455 client (masked text frames
 * out, unmasked frames in, no JSON parsing: events are counted by their
 * "event":"NAME" field), so the client costs far less CPU per event than
 * ctid and is not what limits the rate. Prints key=value lines: ctid's CPU
 * (user + system, from wait4), peak and sampled RSS, its exit status, event
 * counts per name and per session kind, the time from the first to the last
 * event, the client's own CPU.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "wsclient.h"

enum cstate { S_CONNECTING, S_HANDSHAKE, S_OPEN, S_LOGGED_IN, S_CLOSED };

struct conn {
	int fd;
	enum cstate state;
	bool super;
	int index;		/* 1-based, formats the token */
	unsigned char *buf;	/* bytes received, not yet parsed */
	size_t len, cap;
	char *msg;		/* a fragmented message being put together */
	size_t mlen;
	uint64_t events;
	int close_code;
};

#define MAX_NAMES 32
static struct {
	char name[48];
	uint64_t agent, super;
} names[MAX_NAMES];
static int nnames;

static struct conn *conns;
static int nconns, logged_in, closed, errors_seen, bad_frames, failed;
static uint64_t events_agent, events_super;
static double first_event, last_event, all_logged_in;
static int ep;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void send_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {	/* tiny frames on a fresh socket: rare; wait a little */
			struct timespec ts = { 0, 1000000 };
			nanosleep(&ts, NULL);
			continue;
		}
		if (w <= 0)
			return;	/* the peer went away: noticed on the next read */
		c += w;
		n -= (size_t)w;
	}
}

static void send_frame(struct conn *c, int opcode, const void *payload, size_t n)
{
	size_t len;
	unsigned char *out = wsc_frame(opcode, payload, n, &len);
	if (!out)
		die("malloc");
	send_all(c->fd, out, len);
	free(out);
}

static void conn_close(struct conn *c)
{
	if (c->state == S_CLOSED)
		return;
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->state = S_CLOSED;
	closed++;
	free(c->buf);
	free(c->msg);
	c->buf = NULL;
	c->msg = NULL;
}

static const char *agent_fmt = "agent-token-%d", *super_fmt = "super-token-%d";

static void handle_message(struct conn *c, const char *m, size_t n)
{
	(void)n;
	const char *e = strstr(m, "\"event\":\"");
	if (e) {
		e += 9;
		const char *q = strchr(e, '"');
		size_t l = q ? (size_t)(q - e) : 0;
		int i;
		for (i = 0; i < nnames; i++)
			if (strlen(names[i].name) == l && !memcmp(names[i].name, e, l))
				break;
		if (i == nnames && nnames < MAX_NAMES && l < sizeof(names[0].name)) {
			memcpy(names[nnames].name, e, l);
			names[nnames].name[l] = 0;
			nnames++;
		}
		if (i < nnames && c->super)
			names[i].super++;
		else if (i < nnames)
			names[i].agent++;
		c->events++;
		if (c->super)
			events_super++;
		else
			events_agent++;
		double t = now_s();
		if (!first_event)
			first_event = t;
		last_event = t;
		return;
	}
	if (strstr(m, "\"response\":\"Login\"") && c->state == S_OPEN) {
		c->state = S_LOGGED_IN;
		if (++logged_in == nconns)
			all_logged_in = now_s();
		return;
	}
	if (strstr(m, "\"error\":")) {
		if (errors_seen++ < 5)
			fprintf(stderr, "bench_ws: session %d: %.*s\n", (int)(c - conns), (int)(n > 300 ? 300 : n), m);
	}
}

/* Parse complete frames out of c->buf. */
static void parse(struct conn *c)
{
	size_t off = 0;
	struct wsc_parsed f;
	long used;
	while (c->state != S_CLOSED && (used = wsc_parse(c->buf + off, c->len - off, &f)) != 0) {
		if (used < 0) {
			bad_frames++;
			conn_close(c);
			return;
		}
		const char *p = (const char *)f.payload;
		if (f.opcode == WSC_TEXT || f.opcode == WSC_CONT) {
			if (f.fin && f.opcode == WSC_TEXT) {
				/* NUL-terminate in place: the byte after the payload is the next frame's or spare. */
				char save = p[f.len];
				((char *)p)[f.len] = 0;
				handle_message(c, p, f.len);
				((char *)p)[f.len] = save;
			} else {
				char *m = realloc(c->msg, c->mlen + f.len + 1);
				if (!m)
					die("realloc");
				memcpy(m + c->mlen, p, f.len);
				c->msg = m;
				c->mlen += f.len;
				m[c->mlen] = 0;
				if (f.fin) {
					handle_message(c, c->msg, c->mlen);
					c->mlen = 0;
				}
			}
		} else if (f.opcode == WSC_CLOSE) {	/* answer with the same code, then close */
			c->close_code = f.len >= 2 ? ((unsigned char)p[0] << 8 | (unsigned char)p[1]) : 1005;
			send_frame(c, WSC_CLOSE, p, f.len >= 2 ? 2 : 0);
			conn_close(c);
			return;
		} else if (f.opcode == WSC_PING) {
			send_frame(c, WSC_PONG, p, f.len);
		}
		off += (size_t)used;
	}
	if (c->state == S_CLOSED)
		return;
	memmove(c->buf, c->buf + off, c->len - off);
	c->len -= off;
}

static void on_readable(struct conn *c)
{
	for (;;) {
		if (c->cap - c->len < 65536 + 1) {
			c->cap = c->len + 65536 + 1;
			unsigned char *b = realloc(c->buf, c->cap);
			if (!b)
				die("realloc");
			c->buf = b;
		}
		ssize_t r = recv(c->fd, c->buf + c->len, c->cap - c->len - 1, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return;
		if (r <= 0) {
			conn_close(c);
			return;
		}
		c->len += (size_t)r;
		if (c->state == S_HANDSHAKE) {
			c->buf[c->len] = 0;
			char *end = strstr((char *)c->buf, "\r\n\r\n");
			if (!end)
				continue;
			if (strncmp((char *)c->buf, "HTTP/1.1 101", 12)) {
				fprintf(stderr, "bench_ws: session %d: handshake refused: %.60s\n", (int)(c - conns),
					(char *)c->buf);
				failed++;
				conn_close(c);
				return;
			}
			size_t hl = (size_t)(end + 4 - (char *)c->buf);
			memmove(c->buf, c->buf + hl, c->len - hl);
			c->len -= hl;
			c->state = S_OPEN;
			char tok[96], login[160];
			snprintf(tok, sizeof(tok), c->super ? super_fmt : agent_fmt, c->index);
			int n = snprintf(login, sizeof(login), "{\"command\":\"Login\",\"token\":\"%s\"}", tok);
			send_frame(c, WSC_TEXT, login, (size_t)n);
		}
		if (c->state >= S_OPEN)
			parse(c);
		if (c->state == S_CLOSED)
			return;
	}
}

static int port;

static void start_connect(struct conn *c)
{
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		die("socket");
	int one = 1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(c->fd, (struct sockaddr *)&a, sizeof(a)) < 0 && errno != EINPROGRESS)
		die("connect");
	c->state = S_CONNECTING;
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT, .data.ptr = c };
	if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev))
		die("epoll_ctl");
}

static void on_writable(struct conn *c)
{
	if (c->state != S_CONNECTING)
		return;
	int err = 0;
	socklen_t el = sizeof(err);
	getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
	if (err) {
		fprintf(stderr, "bench_ws: session %d: connect: %s\n", (int)(c - conns), strerror(err));
		failed++;
		conn_close(c);
		return;
	}
	char req[256];
	int n = wsc_request(req, sizeof(req), port);
	send_all(c->fd, req, (size_t)n);
	c->state = S_HANDSHAKE;
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
	epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

static long vmrss_kb(pid_t pid)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	long kb = -1;
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			kb = atol(line + 6);
	if (f)
		fclose(f);
	return kb;
}

/* The log line that gives the port, and whether ctid says it is running. */
static void scan_log(const char *log, int *port_out, bool *running)
{
	FILE *f = fopen(log, "r");
	char line[1024];
	while (f && fgets(line, sizeof(line), f)) {
		const char *p = strstr(line, "WebSocket interface on port ");
		if (p)
			*port_out = atoi(p + 28);
		if (strstr(line, "ctid: [") && strstr(line, "] running:"))
			*running = true;
	}
	if (f)
		fclose(f);
}

static void usage(void)
{
	fprintf(stderr, "usage: bench_ws --log FILE [--agents N] [--agent-token FMT] [--supervisors S]\n"
			"                [--super-token FMT] [--rss] [--timeout S] -- CTID ARG...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *log = NULL;
	int nagents = 0, nsupers = 0, timeout_s = 600;
	bool rss_mode = false;
	int i;
	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--rss")) {
			rss_mode = true;
			continue;
		}
		if (!v)
			usage();
		if (!strcmp(a, "--log"))
			log = v;
		else if (!strcmp(a, "--agents"))
			nagents = atoi(v);
		else if (!strcmp(a, "--supervisors"))
			nsupers = atoi(v);
		else if (!strcmp(a, "--agent-token"))
			agent_fmt = v;
		else if (!strcmp(a, "--super-token"))
			super_fmt = v;
		else if (!strcmp(a, "--timeout"))
			timeout_s = atoi(v);
		else
			usage();
		i++;
	}
	if (!log || i >= argc - 1 || nagents < 0 || nsupers < 0)
		usage();
	char **cmd = argv + i + 1;

	struct rlimit rl;
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;	/* thousands of sockets here and in ctid */
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);
	unlink(log);	/* never read a former run's port */
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			die(log);
		dup2(fd, 2);
		int nul = open("/dev/null", O_WRONLY);
		if (nul >= 0)
			dup2(nul, 1);	/* --stats lines are not this tool's business */
		execv(cmd[0], cmd);
		perror(cmd[0]);
		_exit(127);
	}
	double t0 = now_s();
	nconns = nagents + nsupers;
	conns = calloc((size_t)(nconns ? nconns : 1), sizeof(*conns));
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (!conns || ep < 0)
		die("setup");
	for (int k = 0; k < nconns; k++) {
		conns[k].super = k >= nagents;
		conns[k].index = k >= nagents ? k - nagents + 1 : k + 1;
		conns[k].fd = -1;
	}
	int status = 0, started = 0;
	bool exited = false, running = false, stopped = false;
	long rss = -1;
	struct rusage ru;
	memset(&ru, 0, sizeof(ru));
	double rss_at = 0;
	while (!exited || closed < started) {
		if (!exited && wait4(pid, &status, WNOHANG, &ru) == pid)
			exited = true;
		if (failed && !exited && !stopped) {	/* a session could not log in: no valid figure */
			kill(pid, SIGTERM);
			stopped = true;
		}
		if (now_s() - t0 > timeout_s) {
			fprintf(stderr, "bench_ws: timeout after %d s (%d of %d sessions logged in, %d closed)\n", timeout_s,
				logged_in, nconns, closed);
			if (!exited) {
				kill(pid, SIGKILL);
				wait4(pid, &status, 0, &ru);
			}
			return 1;
		}
		if ((nconns && !port) || !running) {	/* no sessions: listen may be none */
			if (exited)
				break;
			scan_log(log, &port, &running);
			if ((nconns && !port) || !running) {
				struct timespec ts = { 0, 20 * 1000 * 1000 };
				nanosleep(&ts, NULL);
				continue;
			}
		}
		/* At most 200 handshakes in flight: do not overrun the listen backlog. */
		while (started < nconns && started - logged_in - closed < 200 && !exited && !failed)
			start_connect(&conns[started++]);
		if (rss_mode && !stopped && logged_in + closed >= nconns && started == nconns) {
			if (!rss_at)
				rss_at = now_s() + 0.5;	/* let allocations settle */
			else if (now_s() >= rss_at) {
				rss = vmrss_kb(pid);
				kill(pid, SIGTERM);
				stopped = true;
			}
		}
		struct epoll_event evs[256];
		int n = epoll_wait(ep, evs, 256, exited ? 50 : 20);
		for (int k = 0; k < n; k++) {
			struct conn *c = evs[k].data.ptr;
			if (c->state == S_CLOSED)
				continue;
			if (evs[k].events & EPOLLOUT)
				on_writable(c);
			if (c->state != S_CLOSED && evs[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
				on_readable(c);
		}
		if (exited && n == 0)
			break;	/* ctid is gone and nothing more arrives */
	}
	if (!exited)
		wait4(pid, &status, 0, &ru);
	struct rusage self;
	getrusage(RUSAGE_SELF, &self);
	int code1001 = 0;
	for (int k = 0; k < nconns; k++)
		code1001 += conns[k].close_code == 1001;
	printf("ctid_exit=%d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	printf("ctid_cpu_s=%.4f\n", ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
					    ru.ru_stime.tv_usec / 1e6);
	printf("ctid_maxrss_kb=%ld\n", ru.ru_maxrss);
	printf("ctid_rss_kb=%ld\n", rss);
	printf("wall_s=%.3f\n", now_s() - t0);
	printf("sessions=%d\nlogged_in=%d\nclosed_1001=%d\n", nconns, logged_in, code1001);
	printf("login_s=%.3f\n", all_logged_in ? all_logged_in - t0 : -1.0);
	printf("events_agent=%llu\nevents_super=%llu\n", (unsigned long long)events_agent,
	       (unsigned long long)events_super);
	printf("events_span_s=%.4f\n", last_event - first_event);
	printf("errors=%d\nbad_frames=%d\nfailed=%d\n", errors_seen, bad_frames, failed);
	for (int k = 0; k < nnames; k++)
		printf("event_%s=%llu/%llu\n", names[k].name, (unsigned long long)names[k].agent,
		       (unsigned long long)names[k].super);
	printf("client_cpu_s=%.4f\n", self.ru_utime.tv_sec + self.ru_utime.tv_usec / 1e6 + self.ru_stime.tv_sec +
					      self.ru_stime.tv_usec / 1e6);
	/* Every supervisor sees the same events: report the spread (0 when none was lost). */
	uint64_t smin = UINT64_MAX, smax = 0;
	for (int k = nagents; k < nconns; k++) {
		smin = conns[k].events < smin ? conns[k].events : smin;
		smax = conns[k].events > smax ? conns[k].events : smax;
	}
	printf("super_min=%llu\nsuper_max=%llu\n", nsupers ? (unsigned long long)smin : 0ULL,
	       (unsigned long long)smax);
	return failed || bad_frames ? 1 : 0;
}
