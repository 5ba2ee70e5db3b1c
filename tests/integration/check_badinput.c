/*
 * check_badinput.c -- the real server against bad client input.
 *
 * Each test starts "handoffd gdbserver --once" on a free port with a
 * test program, connects with the client library, sends one class of
 * bad input and checks the exact reply, then that the session still
 * works (a '?' stop reply, 'g', a memory read at the stop pc).  At the
 * end the client leaves; the server must exit 0 and its inferior must
 * be gone, not even a zombie.
 *
 * The server logs every packet to a private temp dir, removed when the
 * test passes and named in the failure message when it does not.  A
 * few tests read the raw bytes the server sends (acks and NAKs) from
 * the socket, with the client's input buffer known to be empty.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client/rspc.h"
#include "daemon/conn.h"
#include "daemon/gdb.h"
#include "platform/ax.h"
#include "tests/ck.h"
#include "tests/integration/itest.h"

#define SRV_START_MS	10000	/* for "Listening on port N" */
#define SRV_EXIT_MS	10000	/* for the server to exit */
#define PROC_GONE_MS	5000	/* for /proc/PID to go */
#define QUIET_MS	300	/* nothing more arrives in this time */
#define SRV_MAX_ERR	16384	/* bytes of the server's stderr kept */
#define SRV_MAX_ARGS	16
#define SRV_MAX_LOG	(4 << 20) /* bytes of the server's log searched */

/* What the server says on stderr, and the pid in it. */
#define LISTENING	"Listening on port "
#define CREATED		"created; pid = "

struct srv {
	pid_t		 s_pid;		/* handoffd */
	pid_t		 s_inferior;	/* the program it started */
	int		 s_port;
	int		 s_errfd;	/* read end of its stderr */
	char		 s_err[SRV_MAX_ERR];
	size_t		 s_errlen;
	char		 s_dir[64];	/* private temp dir, server.log */
	struct rspc	*s_rc;
	uint64_t	 s_pc;		/* from the first stop reply */
};

/* ------------------------------------------------------------ helpers */

/* Read the server's stderr until it holds s, EOF or the deadline. */
static const char *
srv_err_until(struct srv *sv, const char *s, long long deadline)
{
	return (read_until(sv->s_errfd, sv->s_err, sizeof(sv->s_err),
	    &sv->s_errlen, s, deadline));
}

/* ------------------------------------------------------------ server */

/*
 * Start the server with the options opts (NULL-terminated, or NULL) on
 * PROG ARGS..., not connected.
 */
static void
srv_startv(struct srv *sv, const char *const *opts, const char *prog,
    va_list ap)
{
	char *argv[SRV_MAX_ARGS], exe[1024], log[128], progpath[1024];
	const char *hit, *a;
	int n = 0;

	memset(sv, 0, sizeof(*sv));
	snprintf(sv->s_dir, sizeof(sv->s_dir), "/tmp/handoffd-badinput.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(sv->s_dir));
	snprintf(log, sizeof(log), "%s/server.log", sv->s_dir);
	path_of(exe, sizeof(exe), "handoffd");
	path_of(progpath, sizeof(progpath), prog);
	argv[n++] = exe;
	argv[n++] = "gdbserver";
	argv[n++] = "--once";
	argv[n++] = "--remote-debug";
	argv[n++] = "--log-file";
	argv[n++] = log;
	while (opts != NULL && *opts != NULL && n < SRV_MAX_ARGS - 3)
		argv[n++] = (char *)*opts++;
	argv[n++] = "127.0.0.1:0";
	argv[n++] = progpath;
	while ((a = va_arg(ap, const char *)) != NULL && n < SRV_MAX_ARGS - 1)
		argv[n++] = (char *)a;
	argv[n] = NULL;

	sv->s_pid = spawn(argv, &sv->s_errfd);
	hit = srv_err_until(sv, LISTENING, now_ms() + SRV_START_MS);
	ck_assert_msg(hit != NULL, "server did not start: %s", sv->s_err);
	sv->s_port = atoi(hit + strlen(LISTENING));
	hit = strstr(sv->s_err, CREATED);
	ck_assert_msg(hit != NULL, "no inferior pid: %s", sv->s_err);
	sv->s_inferior = atoi(hit + strlen(CREATED));
	ck_assert_int_gt(sv->s_port, 0);
	ck_assert_int_gt(sv->s_inferior, 0);
}

/* Start the server on PROG ARGS... (NULL-terminated), not connected. */
static void
srv_start(struct srv *sv, const char *prog, ...)
{
	va_list ap;

	va_start(ap, prog);
	srv_startv(sv, NULL, prog, ap);
	va_end(ap);
}

/* The same, with options before the address. */
static void
srv_start_opts(struct srv *sv, const char *const *opts, const char *prog, ...)
{
	va_list ap;

	va_start(ap, prog);
	srv_startv(sv, opts, prog, ap);
	va_end(ap);
}

/* The pc in a T stop reply: ";10:" then 8 bytes little-endian. */
static uint64_t
stop_pc(const char *r)
{
	const char *p = strstr(r, ";10:");
	uint8_t b[8];
	uint64_t pc = 0;
	int i;

	ck_assert_msg(p != NULL, "no pc in \"%s\"", r);
	ck_assert_int_eq(rsp_fromhex(b, p + 4, 8), 0);
	for (i = 7; i >= 0; i--)
		pc = pc << 8 | b[i];
	return (pc);
}

/*
 * Connect; with noack, do the handshake with these features (none: a
 * bare qSupported, which is lldb's).
 */
static void
srv_connect(struct srv *sv, bool noack, const char *features)
{
	char addr[64];
	const char *r;

	snprintf(addr, sizeof(addr), "127.0.0.1:%d", sv->s_port);
	sv->s_rc = rspc_connect(addr);
	ck_assert_msg(sv->s_rc != NULL, "connect %s: %s", addr,
	    strerror(errno));
	if (noack)
		ck_assert_int_eq(rspc_handshake(sv->s_rc, features), 0);
	ck_assert_int_gt(rspc_requeststr(sv->s_rc, "?", &r), 0);
	ck_assert_msg(strncmp(r, "T05", 3) == 0, "first stop: \"%s\"", r);
	sv->s_pc = stop_pc(r);
}

static void
srv_open(struct srv *sv, bool noack)
{
	srv_start(sv, "tests/progs/hello", "3", "7", NULL);
	srv_connect(sv, noack, "swbreak+");
}

/* The server has gone: its stderr closed, its log dir removed. */
static void
srv_cleanup(struct srv *sv)
{
	char log[128];

	close(sv->s_errfd);
	snprintf(log, sizeof(log), "%s/server.log", sv->s_dir);
	unlink(log);
	rmdir(sv->s_dir);
}

/* Does the server's log hold s? */
static bool
srv_logged(struct srv *sv, const char *s)
{
	char path[128], *buf;
	bool hit = false;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/server.log", sv->s_dir);
	if ((f = fopen(path, "r")) == NULL)
		return (false);
	buf = malloc(SRV_MAX_LOG + 1);
	ck_assert_ptr_nonnull(buf);
	n = fread(buf, 1, SRV_MAX_LOG, f);
	buf[n] = '\0';
	fclose(f);
	hit = strstr(buf, s) != NULL;
	free(buf);
	return (hit);
}

/* Wait until pid's state (/proc/PID/stat) is the letter state. */
static bool
wait_state(pid_t pid, char state, int ms)
{
	long long deadline = now_ms() + ms;
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	do {
		if ((fd = open(path, O_RDONLY)) == -1)
			return (false);
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[n > 0 ? n : 0] = '\0';
		if ((p = strrchr(buf, ')')) != NULL && p[1] == ' ' &&
		    p[2] == state)
			return (true);
		usleep(10000);
	} while (now_ms() < deadline);
	return (false);
}

/* The client leaves: the server exits 0 and its inferior is gone. */
static void
srv_finish(struct srv *sv)
{
	int status;

	if (sv->s_rc != NULL)
		rspc_close(sv->s_rc);
	sv->s_rc = NULL;
	status = wait_exit(sv->s_pid, SRV_EXIT_MS);
	if (status == -1)
		kill(sv->s_pid, SIGKILL);
	ck_assert_msg(status != -1, "server still running (log %s)",
	    sv->s_dir);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "server status %#x (log %s)", status, sv->s_dir);
	ck_assert_msg(proc_gone(sv->s_inferior, PROC_GONE_MS),
	    "inferior %d still there (log %s)", (int)sv->s_inferior,
	    sv->s_dir);
	srv_cleanup(sv);
}

/* ------------------------------------------------------------ asserts */

/* Send pkt (a C string) and check the reply is exactly want. */
#define REPLY_IS(sv, pkt, want) do {					\
	const char *r_;							\
	ssize_t n_ = rspc_requeststr((sv)->s_rc, (pkt), &r_);		\
	ck_assert_msg(n_ >= 0, "%s: %s (log %s)", (pkt),		\
	    strerror(errno), (sv)->s_dir);				\
	ck_assert_msg(strcmp(r_, (want)) == 0,				\
	    "%s: got \"%.200s\", want \"%s\" (log %s)", (pkt), r_,	\
	    (want), (sv)->s_dir);					\
} while (0)

/* The next reply (the packet was sent raw) is exactly want. */
#define NEXT_IS(sv, want) do {						\
	const char *r_;							\
	ssize_t n_ = rspc_wait((sv)->s_rc, &r_);			\
	ck_assert_msg(n_ >= 0, "reply: %s (log %s)", strerror(errno),	\
	    (sv)->s_dir);						\
	ck_assert_msg(strcmp(r_, (want)) == 0,				\
	    "got \"%.200s\", want \"%s\" (log %s)", r_, (want),		\
	    (sv)->s_dir);						\
} while (0)

static bool
is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (rsp_hexval((unsigned char)s[i]) == -1)
			return (false);
	}
	return (true);
}

/* An error reply: "E" and two hex digits. */
static bool
is_errno_reply(const char *r)
{
	return (r[0] == 'E' && strlen(r) == 3 && is_hex(r + 1, 2));
}

static void
reply_is_error(struct srv *sv, const char *pkt)
{
	const char *r;

	ck_assert_msg(rspc_requeststr(sv->s_rc, pkt, &r) >= 0, "%s: %s", pkt,
	    strerror(errno));
	ck_assert_msg(is_errno_reply(r), "%s: got \"%.200s\", want ENN "
	    "(log %s)", pkt, r, sv->s_dir);
}

/* lldb's error string: "Enn;" then the message in hex. */
static void
reply_is_message(struct srv *sv, const char *pkt, const char *msg)
{
	char want[256];
	const char *r;
	size_t i;

	for (i = 0; msg[i] != '\0' && 2 * i + 2 < sizeof(want); i++)
		snprintf(want + 2 * i, 3, "%02x", (unsigned char)msg[i]);
	want[2 * i] = '\0';
	ck_assert_msg(rspc_requeststr(sv->s_rc, pkt, &r) >= 0, "%s: %s", pkt,
	    strerror(errno));
	ck_assert_msg(r[0] == 'E' && is_hex(r + 1, 2) && r[3] == ';' &&
	    strcmp(r + 4, want) == 0, "%s: got \"%.200s\", want Enn;%s "
	    "(log %s)", pkt, r, want, sv->s_dir);
}

/* The session still answers: '?', 'g' and a read at the stop pc. */
static void
session_ok(struct srv *sv, const char *after)
{
	const char *r;
	ssize_t n;

	n = rspc_requeststr(sv->s_rc, "?", &r);
	ck_assert_msg(n > 0 && strncmp(r, "T05", 3) == 0 &&
	    strstr(r, "thread:") != NULL, "after %s: ? gave \"%s\" (log %s)",
	    after, n >= 0 ? r : strerror(errno), sv->s_dir);
	ck_assert_msg(stop_pc(r) == sv->s_pc, "after %s: pc moved", after);
	n = rspc_requeststr(sv->s_rc, "g", &r);
	ck_assert_msg(n >= 2 * 17 * 8 && is_hex(r, 2 * 17 * 8),
	    "after %s: g gave \"%.80s\" (log %s)", after,
	    n >= 0 ? r : strerror(errno), sv->s_dir);
	n = rspc_requestf(sv->s_rc, &r, "m%llx,4", (unsigned long long)sv->s_pc);
	ck_assert_msg(n == 8 && is_hex(r, 8), "after %s: m pc,4 gave "
	    "\"%s\" (log %s)", after, n >= 0 ? r : strerror(errno), sv->s_dir);
}

/* Raw bytes from the server: exactly want, within SRV_START_MS. */
static void
raw_expect(struct srv *sv, const char *want)
{
	struct pollfd pfd = { .fd = sv->s_rc->r_fd, .events = POLLIN };
	char got[64];
	size_t n = strlen(want), have = 0;
	ssize_t k;

	ck_assert_uint_eq(rsp_buf_used(&sv->s_rc->r_in), 0);
	ck_assert_uint_lt(n, sizeof(got));
	while (have < n && poll(&pfd, 1, SRV_START_MS) == 1 &&
	    (k = read(pfd.fd, got + have, n - have)) > 0)
		have += k;
	ck_assert_msg(have == n && memcmp(got, want, n) == 0,
	    "raw: got \"%.*s\", want \"%s\" (log %s)", (int)have, got, want,
	    sv->s_dir);
}

/* Nothing arrives from the server for QUIET_MS. */
static void
raw_quiet(struct srv *sv)
{
	struct pollfd pfd = { .fd = sv->s_rc->r_fd, .events = POLLIN };
	char c = 0;
	int n;

	ck_assert_uint_eq(rsp_buf_used(&sv->s_rc->r_in), 0);
	n = poll(&pfd, 1, QUIET_MS);
	if (n == 1)
		n = (int)read(pfd.fd, &c, 1);
	ck_assert_msg(n == 0, "unexpected byte '%c' (log %s)", c, sv->s_dir);
}

/* Send raw "$payload#cs" with the right checksum over the raw bytes. */
static void
send_framed(struct srv *sv, const char *raw, size_t len)
{
	char trailer[4];

	snprintf(trailer, sizeof(trailer), "#%02x", rsp_checksum(raw, len));
	ck_assert_int_eq(rspc_send_raw(sv->s_rc, "$", 1), 0);
	ck_assert_int_eq(rspc_send_raw(sv->s_rc, raw, len), 0);
	ck_assert_int_eq(rspc_send_raw(sv->s_rc, trailer, 3), 0);
}

/* ------------------------------------------------------------ framing */

START_TEST(bad_checksum_is_naked_and_the_resend_works)
{
	struct srv sv;

	srv_open(&sv, false);
	ck_assert_int_eq(rspc_send_raw(sv.s_rc, "$?#00", 5), 0);
	raw_expect(&sv, "-");
	raw_quiet(&sv);
	REPLY_IS(&sv, "m0,zz", "E16");
	session_ok(&sv, "a bad checksum");
	srv_finish(&sv);
}
END_TEST

START_TEST(bad_checksum_digits_are_naked)
{
	struct srv sv;

	srv_open(&sv, false);
	ck_assert_int_eq(rspc_send_raw(sv.s_rc, "$?#zz", 5), 0);
	raw_expect(&sv, "-");
	raw_quiet(&sv);
	session_ok(&sv, "non-hex checksum digits");
	srv_finish(&sv);
}
END_TEST

START_TEST(checksums_are_not_checked_in_noack_mode)
{
	struct srv sv;
	const char *r;

	srv_open(&sv, true);
	ck_assert_int_eq(rspc_send_raw(sv.s_rc, "$?#00", 5), 0);
	ck_assert_int_gt(rspc_wait(sv.s_rc, &r), 0);
	ck_assert_msg(strncmp(r, "T05", 3) == 0, "got \"%s\"", r);
	session_ok(&sv, "a wrong checksum in no-ack mode");
	srv_finish(&sv);
}
END_TEST

START_TEST(nak_after_a_reply_resends_it)
{
	struct srv sv;
	char want[64];

	srv_open(&sv, false);
	REPLY_IS(&sv, "mzz,10", "E16");
	ck_assert_int_eq(rspc_send_raw(sv.s_rc, "-", 1), 0);
	snprintf(want, sizeof(want), "$E16#%02x", rsp_checksum("E16", 3));
	raw_expect(&sv, want);
	raw_quiet(&sv);
	session_ok(&sv, "a NAK");
	srv_finish(&sv);
}
END_TEST

START_TEST(missing_hash_then_a_good_packet)
{
	struct srv sv;

	srv_open(&sv, false);
	ck_assert_int_eq(rspc_send_raw(sv.s_rc, "$m0,4", 5), 0);
	session_ok(&sv, "a packet without '#'");
	ck_assert_int_eq(rspc_send_raw(sv.s_rc, "junk $g", 7), 0);
	session_ok(&sv, "junk and a packet without '#'");
	srv_finish(&sv);
}
END_TEST

START_TEST(packet_at_the_limit_is_taken)
{
	struct srv sv;
	char *p = malloc(RSP_MAX_PACKET);
	const char *r;

	ck_assert_ptr_nonnull(p);
	srv_open(&sv, false);
	memset(p, 'a', RSP_MAX_PACKET);
	memcpy(p, "qZ", 2);		/* an unknown q packet */
	ck_assert_int_eq(rspc_request(sv.s_rc, p, RSP_MAX_PACKET, &r), 0);
	ck_assert_str_eq(r, "");
	free(p);
	session_ok(&sv, "a packet of RSP_MAX_PACKET bytes");
	srv_finish(&sv);
}
END_TEST

START_TEST(packet_past_the_limit_is_refused)
{
	struct srv sv;
	char *p = malloc(RSP_MAX_PACKET + 1);

	ck_assert_ptr_nonnull(p);
	srv_open(&sv, false);
	memset(p, 'a', RSP_MAX_PACKET + 1);
	memcpy(p, "qZ", 2);
	send_framed(&sv, p, RSP_MAX_PACKET + 1);
	free(p);
	raw_expect(&sv, "+");
	NEXT_IS(&sv, "E.packet too long");
	session_ok(&sv, "a packet one byte too long");
	srv_finish(&sv);
}
END_TEST

/* A few bytes that run-length expand past the limit. */
START_TEST(runs_expanding_past_the_limit_are_refused)
{
	struct srv sv;
	size_t i, n = 2 + 2 * (RSP_MAX_PACKET / RSP_MAX_RUN + 1);
	char *p = malloc(n);

	ck_assert_ptr_nonnull(p);
	srv_open(&sv, true);
	memcpy(p, "qa", 2);
	for (i = 2; i < n; i += 2)
		memcpy(p + i, "*~", 2);
	send_framed(&sv, p, n);
	free(p);
	NEXT_IS(&sv, "E.packet too long");
	session_ok(&sv, "runs past the limit");
	srv_finish(&sv);
}
END_TEST

START_TEST(unterminated_escape_is_malformed)
{
	struct srv sv;

	srv_open(&sv, false);
	send_framed(&sv, "m0,}", 4);
	raw_expect(&sv, "+");
	NEXT_IS(&sv, "E.malformed packet");
	session_ok(&sv, "an escape before '#'");
	/* An escape cut by a new packet: the new one counts. */
	ck_assert_int_eq(rspc_send_raw(sv.s_rc, "$m0,}", 5), 0);
	session_ok(&sv, "an escape cut by '$'");
	srv_finish(&sv);
}
END_TEST

START_TEST(bad_run_lengths_are_malformed)
{
	static const char *const bad[] = {
		"*5",		/* nothing to repeat */
		"m0*\x10",	/* count below 29 */
		"m0*\x7f",	/* count past RSP_MAX_RUN */
		"m0*",		/* no count before '#' */
	};
	struct srv sv;
	size_t i;

	srv_open(&sv, false);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		send_framed(&sv, bad[i], strlen(bad[i]));
		raw_expect(&sv, "+");
		NEXT_IS(&sv, "E.malformed packet");
	}
	session_ok(&sv, "bad run lengths");
	srv_finish(&sv);
}
END_TEST

START_TEST(empty_packet_gets_an_empty_reply)
{
	struct srv sv;

	srv_open(&sv, false);
	REPLY_IS(&sv, "", "");
	session_ok(&sv, "an empty packet");
	srv_finish(&sv);
}
END_TEST

/* ------------------------------------------------------------ fields */

START_TEST(non_hex_where_hex_is_due)
{
	static const char *const bad[] = {
		"mzz,10", "m1000,zz", "m1000", "m,4", "m1000,", "m1000,4x",
		"Mzz,1:00", "M1000,1:zz", "M1000,2:00",
		"Z0,zz,1", "z0,1000,zz", "Zq,1000,1", "pzz", "Pzz=00",
		"qXfer:features:read:target.xml:zz,10",
	};
	struct srv sv;
	size_t i;

	srv_open(&sv, true);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		REPLY_IS(&sv, bad[i], "E16");
	session_ok(&sv, "non-hex fields");
	srv_finish(&sv);
}
END_TEST

/*
 * GDB_MAX_ENV: the environment grows to the limit and no further; one
 * unset makes room for exactly one more.
 */
START_TEST(environment_at_and_past_its_limit)
{
	char pkt[64], hex[40], var[20];
	const char *r;
	struct srv sv;
	int i, added = 0;

	srv_open(&sv, true);
	for (i = 0; i <= GDB_MAX_ENV; i++) {
		snprintf(var, sizeof(var), "HOV%d=1", i);
		rsp_tohex(hex, var, strlen(var));
		hex[2 * strlen(var)] = '\0';
		snprintf(pkt, sizeof(pkt), "QEnvironmentHexEncoded:%s", hex);
		ck_assert_int_gt(rspc_requeststr(sv.s_rc, pkt, &r), 0);
		if (strcmp(r, "OK") != 0)
			break;
		added++;
	}
	ck_assert_msg(i <= GDB_MAX_ENV, "no limit after %d entries", added);
	ck_assert_str_eq(r, "E07");
	REPLY_IS(&sv, "QEnvironmentUnset:484f5630", "OK");	/* HOV0 */
	REPLY_IS(&sv, pkt, "OK");
	REPLY_IS(&sv, "QEnvironmentHexEncoded:484f56783d31", "E07"); /* HOVx=1 */
	session_ok(&sv, "a full environment");
	srv_finish(&sv);
}
END_TEST

/* Numbers past 64 bits, and negative ones, are EINVAL. */
START_TEST(numbers_that_overflow_are_refused)
{
	static const char *const bad[] = {
		"m1ffffffffffffffff,1", "m0,1ffffffffffffffff",
		"M1ffffffffffffffff,1:00", "Z0,1ffffffffffffffff,1",
		"Hgp1ffffffffffffffff.1", "Hgp1.1ffffffffffffffff",
		"p1ffffffffffffffff",
		/* Negative: '-' is no hex digit (only "-1", all, in H). */
		"m-1,4", "m1000,-4", "M-1,1:00", "M1000,-1:00", "Z0,-1000,1",
		"z0,1000,-1", "p-1",
	};
	struct srv sv;
	size_t i;

	srv_open(&sv, true);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		REPLY_IS(&sv, bad[i], "E16");
	REPLY_IS(&sv, "T1ffffffffffffffff", "E03");
	REPLY_IS(&sv, "vKill;1ffffffffffffffff", "E03");
	REPLY_IS(&sv, "D;1ffffffffffffffff", "E03");
	session_ok(&sv, "overflowing numbers");
	srv_finish(&sv);
}
END_TEST

START_TEST(huge_lengths_give_an_error_or_a_short_read)
{
	struct srv sv;
	char first[9], pkt[64];
	const char *r;
	ssize_t n;

	srv_open(&sv, true);
	snprintf(pkt, sizeof(pkt), "m%llx,4", (unsigned long long)sv.s_pc);
	ck_assert_int_eq(rspc_requeststr(sv.s_rc, pkt, &r), 8);
	memcpy(first, r, 9);
	/* At the pc: a short read of what is mapped, capped by the packet. */
	n = rspc_requestf(sv.s_rc, &r, "m%llx,ffffffffffffffff",
	    (unsigned long long)sv.s_pc);
	ck_assert_msg(n >= 8 && n < RSP_MAX_PACKET && n % 2 == 0 &&
	    is_hex(r, n), "m pc,ffffffffffffffff gave %zd bytes", n);
	ck_assert_int_eq(memcmp(r, first, 8), 0);
	reply_is_error(&sv, "m0,ffffffffffffffff");
	reply_is_error(&sv, "mffffffffffffffff,10");	/* wraps around */
	REPLY_IS(&sv, "M0,ffffffff:00", "E16");
	REPLY_IS(&sv, "M0,ffffffffffffffff:00", "E16");
	REPLY_IS(&sv, "X0,ffffffffffffffff:", "E16");
	session_ok(&sv, "huge lengths");
	srv_finish(&sv);
}
END_TEST

START_TEST(unmapped_memory_is_an_error)
{
	struct srv sv;

	srv_open(&sv, true);
	reply_is_error(&sv, "m0,4");
	reply_is_error(&sv, "m0,1");
	reply_is_error(&sv, "M0,1:00");
	reply_is_error(&sv, "Z0,0,1");		/* breakpoint at 0 */
	session_ok(&sv, "reads of unmapped memory");
	srv_finish(&sv);
}
END_TEST

/*
 * Target-side conditions on Z0: TGT_MAX_CONDS of them are taken, one
 * more is refused; so is one longer than AX_MAX_LEN, and each malformed
 * one.  A refused Z0 changes nothing: the z0 after finds the breakpoint
 * as the last Z0 taken left it, and removes it.
 */
START_TEST(breakpoint_conditions_to_their_limits)
{
	static char pkt[2 * AX_MAX_LEN + 4096];
	static const char *const bad[] = {
		";X3,22", ";X0,", ";Xzz,2201", ";X2,zz01", ";Y2,2201",
		";X2,2201;", ";cmds:0,X2,2201", ";X2,220127",
	};
	struct srv sv;
	size_t i, n;

	srv_open(&sv, true);
	/* TGT_MAX_CONDS conditions (const8 1; end), then one more. */
	n = (size_t)snprintf(pkt, sizeof(pkt), "Z0,%llx,1",
	    (unsigned long long)sv.s_pc);
	for (i = 0; i < TGT_MAX_CONDS; i++)
		n += (size_t)snprintf(pkt + n, sizeof(pkt) - n, ";X3,220127");
	REPLY_IS(&sv, pkt, "OK");
	snprintf(pkt + n, sizeof(pkt) - n, ";X3,220127");
	reply_is_error(&sv, pkt);
	/* One condition of AX_MAX_LEN bytes, then of one more. */
	for (i = 0; i < 2; i++) {
		n = (size_t)snprintf(pkt, sizeof(pkt), "Z0,%llx,1;X%x,",
		    (unsigned long long)sv.s_pc, AX_MAX_LEN + (unsigned)i);
		memset(pkt + n, '0', 2 * (AX_MAX_LEN + i));
		pkt[n + 2 * (AX_MAX_LEN + i)] = '\0';
		if (i == 0)
			REPLY_IS(&sv, pkt, "OK");
		else
			reply_is_error(&sv, pkt);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(pkt, sizeof(pkt), "Z0,%llx,1%s",
		    (unsigned long long)sv.s_pc, bad[i]);
		/* The last is one byte short of its length: malformed too. */
		reply_is_error(&sv, pkt);
	}
	snprintf(pkt, sizeof(pkt), "z0,%llx,1", (unsigned long long)sv.s_pc);
	REPLY_IS(&sv, pkt, "OK");
	reply_is_error(&sv, pkt);		/* gone: nothing left */
	session_ok(&sv, "breakpoint conditions");
	srv_finish(&sv);
}
END_TEST

/* ------------------------------------------------------------ ids */

START_TEST(unknown_thread_is_esrch)
{
	static const char *const bad[] = {
		"Hgp99999.99999", "Hg99999", "Hcp99999.99999", "Hc99999",
		"T99999", "Tp99999.99999", "vCont;c:p99999.99999",
		"vCont;s:99999",
	};
	struct srv sv;
	size_t i;

	srv_open(&sv, true);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		REPLY_IS(&sv, bad[i], "E03");
	session_ok(&sv, "unknown threads");	/* nothing ran: same pc */
	srv_finish(&sv);
}
END_TEST

START_TEST(unknown_pid_is_esrch)
{
	struct srv sv;

	srv_open(&sv, true);
	REPLY_IS(&sv, "vKill;99999", "E03");
	REPLY_IS(&sv, "D;99999", "E03");
	REPLY_IS(&sv, "qAttached:99999", "E03");
	REPLY_IS(&sv, "vAttach;0", "E16");
	session_ok(&sv, "unknown pids");
	srv_finish(&sv);
}
END_TEST

/*
 * vAttach to a pid that cannot be attached (the server itself: a
 * process never traces itself) fails, and what we debug is untouched.
 */
START_TEST(failed_vattach_leaves_the_session_alone)
{
	struct srv sv;
	char pkt[64];

	srv_open(&sv, true);
	snprintf(pkt, sizeof(pkt), "vAttach;%x", (unsigned)sv.s_pid);
	reply_is_error(&sv, pkt);
	reply_is_error(&sv, "vAttach;7fffffff");	/* past any pid_max */
	session_ok(&sv, "a failed vAttach");
	srv_finish(&sv);
}
END_TEST

START_TEST(failed_vattach_with_multiprocess_leaves_the_session_alone)
{
	struct srv sv;
	char pkt[64];

	srv_start(&sv, "tests/progs/hello", "3", "7", NULL);
	srv_connect(&sv, true, "multiprocess+");
	snprintf(pkt, sizeof(pkt), "vAttach;%x", (unsigned)sv.s_pid);
	reply_is_error(&sv, pkt);
	session_ok(&sv, "a failed vAttach (multiprocess)");
	srv_finish(&sv);
}
END_TEST

/*
 * vAttach to what must never be stopped, or cannot be: pid 1 and this
 * test (ancestors of the server: stopping them would stop it, and root
 * could), a zombie, and the program already debugged.  Each is refused
 * with its own errno and what we debug is untouched.
 */
START_TEST(vattach_to_init_an_ancestor_a_zombie_or_ours_is_refused)
{
	struct srv sv;
	char pkt[64];
	pid_t z;

	srv_start(&sv, "tests/progs/hello", "3", "7", NULL);
	srv_connect(&sv, true, "multiprocess+");
	REPLY_IS(&sv, "!", "OK");	/* extended: vAttach beside ours */
	REPLY_IS(&sv, "vAttach;1", "E01");
	snprintf(pkt, sizeof(pkt), "vAttach;%x", (unsigned)getpid());
	REPLY_IS(&sv, pkt, "E01");
	if ((z = fork()) == 0)
		_exit(0);
	ck_assert_int_gt(z, 0);
	ck_assert_msg(wait_state(z, 'Z', PROC_GONE_MS), "no zombie");
	snprintf(pkt, sizeof(pkt), "vAttach;%x", (unsigned)z);
	REPLY_IS(&sv, pkt, "E03");
	ck_assert_int_eq(waitpid(z, NULL, 0), z);
	snprintf(pkt, sizeof(pkt), "vAttach;%x", (unsigned)sv.s_inferior);
	REPLY_IS(&sv, pkt, "E72");
	ck_assert_msg(srv_logged(&sv, "attach 1 refused: an ancestor"),
	    "no reason logged (log %s)", sv.s_dir);
	session_ok(&sv, "refused vAttach");
	srv_finish(&sv);
}
END_TEST

/*
 * vRun of a program that does not exist fails, and what we debug is
 * untouched (gdbserver answers "Already debugging a process" rather
 * than kill the process when it cannot take another).
 */
START_TEST(failed_vrun_leaves_the_session_alone)
{
	static const char prog[] = "/nonexistent/prog";
	struct srv sv;
	char pkt[64], hex[2 * sizeof(prog)];

	rsp_tohex(hex, prog, sizeof(prog) - 1);
	hex[2 * (sizeof(prog) - 1)] = '\0';
	snprintf(pkt, sizeof(pkt), "vRun;%s", hex);
	srv_open(&sv, true);
	REPLY_IS(&sv, "vRun;zz", "E16");
	reply_is_error(&sv, pkt);
	session_ok(&sv, "a failed vRun");
	srv_finish(&sv);
}
END_TEST

START_TEST(failed_vrun_with_multiprocess_leaves_the_session_alone)
{
	static const char prog[] = "/nonexistent/prog";
	struct srv sv;
	char pkt[64], hex[2 * sizeof(prog)];

	rsp_tohex(hex, prog, sizeof(prog) - 1);
	hex[2 * (sizeof(prog) - 1)] = '\0';
	snprintf(pkt, sizeof(pkt), "vRun;%s", hex);
	srv_start(&sv, "tests/progs/hello", "3", "7", NULL);
	srv_connect(&sv, true, "multiprocess+");
	reply_is_error(&sv, pkt);
	session_ok(&sv, "a failed vRun (multiprocess)");
	srv_finish(&sv);
}
END_TEST

/* ------------------------------------------------------------ vFile */

/* vFile:open of PATH, read-only: the reply. */
static void
vfile_open_is(struct srv *sv, const char *path, const char *want)
{
	char pkt[256];
	size_t n = strlen(path);

	ck_assert_uint_lt(2 * n + 32, sizeof(pkt));
	memcpy(pkt, "vFile:open:", 11);
	rsp_tohex(pkt + 11, path, n);
	snprintf(pkt + 11 + 2 * n, sizeof(pkt) - 11 - 2 * n, ",0,0");
	REPLY_IS(sv, pkt, want);
}

START_TEST(vfile_bad_input_gets_fileio_errors)
{
	struct srv sv;
	char prog[1024], want[16], *pkt;
	const char *r;
	unsigned long cnt;
	size_t i;
	ssize_t n;
	int used;

	path_of(prog, sizeof(prog), "tests/progs/hello");
	srv_open(&sv, true);
	REPLY_IS(&sv, "vFile:pread:63,10,0", "F-1,9");
	REPLY_IS(&sv, "vFile:pread:ffffffffffffffff,1,0", "F-1,9");
	REPLY_IS(&sv, "vFile:close:63", "F-1,9");
	REPLY_IS(&sv, "vFile:fstat:0", "F-1,9");
	REPLY_IS(&sv, "vFile:setfs:1ffffffffffffffff", "F-1,16");
	vfile_open_is(&sv, "/nonexistent/file", "F-1,2");
	/* Malformed: EINVAL, as gdbserver's hostio_packet_error. */
	REPLY_IS(&sv, "vFile:open:zz,0,0", "F-1,16");
	REPLY_IS(&sv, "vFile:open:2f,zz,0", "F-1,16");
	/* A path past GDB_MAX_PATH (4096) bytes. */
	ck_assert_ptr_nonnull(pkt = malloc(11 + 2 * 4097 + 5));
	memcpy(pkt, "vFile:open:", 11);
	for (i = 0; i < 4097; i++)
		memcpy(pkt + 11 + 2 * i, "2f", 2);
	memcpy(pkt + 11 + 2 * 4097, ",0,0", 5);
	REPLY_IS(&sv, pkt, "F-1,5b");
	free(pkt);

	vfile_open_is(&sv, prog, "F0");
	n = rspc_requeststr(sv.s_rc, "vFile:pread:0,ffffffffffffffff,0", &r);
	ck_assert_msg(n > 0 && sscanf(r, "F%lx;%n", &cnt, &used) == 1,
	    "pread: \"%.40s\"", n >= 0 ? r : strerror(errno));
	ck_assert_uint_gt(cnt, 4);
	ck_assert_uint_lt(cnt, RSP_MAX_PACKET / 2);
	ck_assert_uint_eq((size_t)n, used + cnt);
	ck_assert_mem_eq(r + used, "\177ELF", 4);
	REPLY_IS(&sv, "vFile:pread:0,10,ffffffffffffffff", "F-1,16");
	REPLY_IS(&sv, "vFile:close:0", "F0");
	REPLY_IS(&sv, "vFile:close:0", "F-1,9");
	/* The descriptor table fills up, then says EMFILE. */
	for (i = 0; i < 64; i++) {
		snprintf(want, sizeof(want), "F%zx", i);
		vfile_open_is(&sv, prog, want);
	}
	vfile_open_is(&sv, prog, "F-1,18");
	session_ok(&sv, "bad vFile requests");
	srv_finish(&sv);
}
END_TEST

/* ------------------------------------------------------------ qXfer */

START_TEST(qxfer_past_the_end_and_unknown_objects)
{
	struct srv sv;

	srv_open(&sv, true);
	REPLY_IS(&sv, "qXfer:features:read:target.xml:ffffff,10", "l");
	REPLY_IS(&sv, "qXfer:features:read:target.xml:ffffffffffffffff,10",
	    "l");
	REPLY_IS(&sv, "qXfer:nonexistent:read::0,10", "");
	REPLY_IS(&sv, "qXfer:features:write:target.xml:0:00", "E16");
	reply_is_error(&sv, "qXfer:features:read:nonexistent.xml:0,10");
	reply_is_error(&sv, "qXfer:exec-file:read:1ffffffffffffffff:0,10");
	session_ok(&sv, "bad qXfer requests");
	srv_finish(&sv);
}
END_TEST

/* lldb's dialect (a bare qSupported): lldb-server's error numbers. */
START_TEST(lldb_dialect_gets_lldb_servers_numbers)
{
	struct srv sv;

	srv_start(&sv, "tests/progs/hello", "3", "7", NULL);
	srv_connect(&sv, true, NULL);
	REPLY_IS(&sv, "Hgp99999.99999", "Eff");	/* no such process */
	REPLY_IS(&sv, "Hgp0.0", "Eff");
	REPLY_IS(&sv, "Hg99999", "E15");		/* no such thread */
	REPLY_IS(&sv, "T99999", "E02");		/* not alive */
	REPLY_IS(&sv, "vStopped", "Eff");		/* not in non-stop */
	srv_finish(&sv);
}
END_TEST

/* ------------------------------------------------------------ streams */

START_TEST(error_strings_are_clean)
{
	struct srv sv;

	srv_open(&sv, true);
	REPLY_IS(&sv, "QEnableErrorStrings", "OK");
	reply_is_message(&sv, "mzz,10", "bad address or length");
	/* QEnableErrorStrings is lldb's: lldb-server's Eff, no process. */
	reply_is_message(&sv, "Hgp99999.99999", "no such process");
	reply_is_message(&sv, "vKill;99999", "no such process");
	session_ok(&sv, "error strings");
	srv_finish(&sv);
}
END_TEST

/* Many packets in one write, good and bad: every one answered, in order. */
START_TEST(pipelined_packets_are_answered_in_order)
{
	enum { NPKT = 200 };
	struct rsp_buf b;
	struct srv sv;
	char good[64];
	int i;

	srv_open(&sv, true);
	snprintf(good, sizeof(good), "m%llx,4", (unsigned long long)sv.s_pc);
	rsp_buf_init(&b);
	for (i = 0; i < NPKT; i++) {
		if (i % 2 == 0)
			ck_assert_int_eq(rsp_frame(&b, '$', good, strlen(good),
			    false), 0);
		else
			ck_assert_int_eq(rsp_frame(&b, '$', "mzz,10", 6,
			    false), 0);
	}
	ck_assert_int_eq(rspc_send_raw(sv.s_rc, rsp_buf_head(&b),
	    rsp_buf_used(&b)), 0);
	rsp_buf_free(&b);
	for (i = 0; i < NPKT; i++) {
		const char *r;
		ssize_t n = rspc_wait(sv.s_rc, &r);

		ck_assert_msg(n >= 0, "reply %d: %s", i, strerror(errno));
		if (i % 2 == 0)
			ck_assert_msg(n == 8 && is_hex(r, 8), "reply %d: \"%s\"",
			    i, r);
		else
			ck_assert_msg(strcmp(r, "E16") == 0, "reply %d: \"%s\"",
			    i, r);
	}
	session_ok(&sv, "pipelined packets");
	srv_finish(&sv);
}
END_TEST

/* Junk between packets and a client '%' notification: no reply at all. */
START_TEST(junk_and_client_notifications_are_ignored)
{
	enum { JUNK = 1 << 20 };
	struct srv sv;
	char *junk = malloc(JUNK), note[32];

	ck_assert_ptr_nonnull(junk);
	srv_open(&sv, false);
	memset(junk, 'j', JUNK);
	junk[JUNK / 2] = '#';
	junk[JUNK / 2 + 1] = '\n';
	ck_assert_int_eq(rspc_send_raw(sv.s_rc, junk, JUNK), 0);
	free(junk);
	snprintf(note, sizeof(note), "%%Stop:T05#%02x",
	    rsp_checksum("Stop:T05", 8));
	ck_assert_int_eq(rspc_send_raw(sv.s_rc, note, strlen(note)), 0);
	raw_quiet(&sv);
	session_ok(&sv, "junk and a notification");
	srv_finish(&sv);
}
END_TEST

/* ------------------------------------------------------------ running */

START_TEST(interrupt_while_stopped_is_ignored)
{
	struct srv sv;

	srv_open(&sv, false);
	ck_assert_int_eq(rspc_send_raw(sv.s_rc, "\x03", 1), 0);
	raw_quiet(&sv);
	session_ok(&sv, "an interrupt while stopped");
	srv_finish(&sv);
}
END_TEST

START_TEST(packets_while_running_are_refused_and_0x03_stops)
{
	struct srv sv;
	const char *r;
	char stop[4096];	/* lldb's stop replies carry every register */
	ssize_t n;

	srv_start(&sv, "tests/progs/spin", NULL);
	srv_connect(&sv, true, NULL);
	ck_assert_int_eq(rspc_send(sv.s_rc, "vCont;c", 7), 0);
	REPLY_IS(&sv, "g", "E10");
	REPLY_IS(&sv, "m0,4", "E10");
	ck_assert_int_eq(rspc_send_raw(sv.s_rc, "\x03", 1), 0);
	n = rspc_wait(sv.s_rc, &r);
	ck_assert_msg(n > 0 && r[0] == 'T', "after 0x03: \"%s\"",
	    n >= 0 ? r : strerror(errno));
	snprintf(stop, sizeof(stop), "%s", r);
	REPLY_IS(&sv, "?", stop);
	srv_finish(&sv);
}
END_TEST

/*
 * 0x03 inside a packet is a byte of that packet, not an interrupt: the
 * checksum, which counts it, decides.  Neither stops the program; an
 * 0x03 between packets does.
 */
START_TEST(interrupt_inside_a_packet_is_a_byte_of_it)
{
	struct srv sv;
	const char *r;
	ssize_t n;

	srv_start(&sv, "tests/progs/spin", NULL);
	srv_connect(&sv, false, NULL);
	ck_assert_int_eq(rspc_send(sv.s_rc, "vCont;c", 7), 0);
	/* "#3f" sums "?" alone: the 0x03 makes it wrong. */
	ck_assert_int_eq(rspc_send_raw(sv.s_rc, "$?\x03#3f", 6), 0);
	raw_expect(&sv, "-");
	raw_quiet(&sv);
	send_framed(&sv, "m0\x03,4", 6);
	raw_expect(&sv, "+");
	NEXT_IS(&sv, "E10");		/* still running */
	ck_assert_int_eq(rspc_send_raw(sv.s_rc, "\x03", 1), 0);
	n = rspc_wait(sv.s_rc, &r);
	ck_assert_msg(n > 0 && strncmp(r, "T02", 3) == 0,
	    "after 0x03: \"%s\"", n >= 0 ? r : strerror(errno));
	srv_finish(&sv);
}
END_TEST

/*
 * In all-stop mode a client may not resume a running target: 'c' is
 * refused with EBUSY, and a vCont must be too, not left unanswered
 * until the next stop (which would then answer two packets at once).
 */
START_TEST(resume_while_running_is_refused)
{
	struct srv sv;
	const char *r;
	ssize_t n;

	srv_start(&sv, "tests/progs/spin", NULL);
	srv_connect(&sv, true, NULL);
	sv.s_rc->r_timeout_ms = 2000;
	ck_assert_int_eq(rspc_send(sv.s_rc, "vCont;c", 7), 0);
	REPLY_IS(&sv, "c", "E10");
	REPLY_IS(&sv, "vCont;c", "E10");
	REPLY_IS(&sv, "vCont;s", "E10");
	ck_assert_int_eq(rspc_send_raw(sv.s_rc, "\x03", 1), 0);
	n = rspc_wait(sv.s_rc, &r);
	ck_assert_msg(n > 0 && r[0] == 'T', "after 0x03: \"%s\"",
	    n >= 0 ? r : strerror(errno));
	srv_finish(&sv);
}
END_TEST

/* ------------------------------------------------------------ pace */

#define SLOW_BYTE_MS	1000	/* a client that sends a byte a second */
#define STALL_SECS	"1"	/* --stall-timeout in these tests */
#define STALL_READ	"1000"	/* bytes of each m request, hex */

/* A packet that comes a byte a second is answered like any other. */
START_TEST(client_sending_a_byte_a_second_is_answered)
{
	static const char pkt[] = "$?#3f";
	struct srv sv;
	const char *r;
	size_t i;

	srv_open(&sv, true);
	for (i = 0; i < sizeof(pkt) - 1; i++) {
		ck_assert_int_eq(rspc_send_raw(sv.s_rc, pkt + i, 1), 0);
		usleep(SLOW_BYTE_MS * 1000);
	}
	ck_assert_int_gt(rspc_wait(sv.s_rc, &r), 0);
	ck_assert_msg(strncmp(r, "T05", 3) == 0, "got \"%s\"", r);
	session_ok(&sv, "a packet sent a byte a second");
	srv_finish(&sv);
}
END_TEST

/*
 * Send max "m PC,STALL_READ" requests without reading a reply; how many
 * were sent before the server stopped taking them (its output at
 * CONN_OUT_HIGH, its socket full).
 */
static int
pile_up(struct srv *sv, int max)
{
	struct pollfd pfd = { .fd = sv->s_rc->r_fd, .events = POLLOUT };
	char pkt[64], framed[80];
	size_t len, off;
	ssize_t k;
	int sent;

	snprintf(pkt, sizeof(pkt), "m%llx," STALL_READ,
	    (unsigned long long)sv->s_pc);
	len = (size_t)snprintf(framed, sizeof(framed), "$%s#%02x", pkt,
	    rsp_checksum(pkt, strlen(pkt)));
	for (sent = 0; sent < max; sent++) {
		for (off = 0; off < len; off += k) {
			k = send(pfd.fd, framed + off, len - off,
			    MSG_DONTWAIT | MSG_NOSIGNAL);
			if (k == -1 && errno == EAGAIN) {
				if (poll(&pfd, 1, QUIET_MS * 3) == 0)
					return (sent);
				k = 0;
			} else
				ck_assert_msg(k > 0, "send: %s",
				    strerror(errno));
		}
	}
	return (sent);
}

/*
 * Past the mark: a client that reads none of its replies, with
 * CONN_OUT_HIGH of them waiting, is closed after --stall-timeout and
 * the session ends as a client's leaving ends it (--once: the program
 * it started killed, the server gone).
 */
START_TEST(client_that_never_reads_is_closed_after_the_stall_timeout)
{
	static const char *const opts[] = { "--stall-timeout", STALL_SECS,
	    NULL };
	struct srv sv;
	int status, rcvbuf = 4096;

	srv_start_opts(&sv, opts, "tests/progs/hello", "3", "7", NULL);
	srv_connect(&sv, true, "swbreak+");
	ck_assert_int_eq(setsockopt(sv.s_rc->r_fd, SOL_SOCKET, SO_RCVBUF,
	    &rcvbuf, sizeof(rcvbuf)), 0);
	/* Replies many times CONN_OUT_HIGH, more than any socket holds. */
	pile_up(&sv, 16 * (CONN_OUT_HIGH / 8192));
	status = wait_exit(sv.s_pid, SRV_EXIT_MS);
	ck_assert_msg(status != -1 && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0, "server status %#x (log %s)", status,
	    sv.s_dir);
	sv.s_pid = 0;
	ck_assert_msg(srv_logged(&sv, "has read nothing for"),
	    "no stall logged (log %s)", sv.s_dir);
	ck_assert_msg(proc_gone(sv.s_inferior, PROC_GONE_MS),
	    "inferior %d still there (log %s)", (int)sv.s_inferior, sv.s_dir);
	rspc_close(sv.s_rc);
	sv.s_rc = NULL;
	srv_cleanup(&sv);
}
END_TEST

/*
 * Below the mark: a client that reads its replies late, but before its
 * output reaches CONN_OUT_HIGH, loses none of them to the stall limit.
 */
START_TEST(client_reading_late_below_the_mark_loses_nothing)
{
	static const char *const opts[] = { "--stall-timeout", STALL_SECS,
	    NULL };
	struct srv sv;
	const char *r;
	char want[2 * 0x1000 + 1];
	ssize_t n;
	int i, sent;

	srv_start_opts(&sv, opts, "tests/progs/hello", "3", "7", NULL);
	srv_connect(&sv, true, "swbreak+");
	n = rspc_requestf(sv.s_rc, &r, "m%llx," STALL_READ,
	    (unsigned long long)sv.s_pc);
	ck_assert_msg(n > 0 && (size_t)n < sizeof(want), "m: %zd", n);
	memcpy(want, r, n + 1);
	/* 2 MiB of replies, half the mark. */
	sent = pile_up(&sv, CONN_OUT_HIGH / 2 / (size_t)n);
	ck_assert_int_eq(sent, CONN_OUT_HIGH / 2 / (size_t)n);
	usleep(3 * 1000 * 1000);	/* three stall timeouts */
	for (i = 0; i < sent; i++) {
		n = rspc_wait(sv.s_rc, &r);
		ck_assert_msg(n > 0 && strcmp(r, want) == 0,
		    "reply %d of %d: \"%.40s\" (log %s)", i, sent,
		    n >= 0 ? r : strerror(errno), sv.s_dir);
	}
	session_ok(&sv, "replies read late");
	srv_finish(&sv);
}
END_TEST

/* ------------------------------------------------------------ leaving */

START_TEST(client_leaving_mid_packet_ends_the_session)
{
	struct srv sv;

	srv_open(&sv, false);
	ck_assert_int_eq(rspc_send_raw(sv.s_rc, "$m0,", 4), 0);
	srv_finish(&sv);
}
END_TEST

START_TEST(client_leaving_while_running_ends_the_session)
{
	struct srv sv;

	srv_start(&sv, "tests/progs/spin", NULL);
	srv_connect(&sv, true, NULL);
	ck_assert_int_eq(rspc_send(sv.s_rc, "vCont;c", 7), 0);
	usleep(100000);
	ck_assert(!proc_gone(sv.s_inferior, 0));
	srv_finish(&sv);
}
END_TEST

START_TEST(client_leaving_at_once_ends_the_session)
{
	struct srv sv;
	char addr[64];
	int fd;

	srv_start(&sv, "tests/progs/hello", NULL);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", sv.s_port);
	sv.s_rc = rspc_connect(addr);
	ck_assert_ptr_nonnull(sv.s_rc);
	fd = sv.s_rc->r_fd;
	ck_assert_int_eq(shutdown(fd, SHUT_RDWR), 0);
	srv_finish(&sv);
}
END_TEST

/* ------------------------------------------------------------ command line */

/* Run handoffd gdbserver ARGS...; its status and stderr. */
static int
run_cli(struct srv *sv, ...)
{
	char *argv[SRV_MAX_ARGS], exe[1024];
	const char *a;
	va_list ap;
	int n = 0, status;

	memset(sv, 0, sizeof(*sv));
	path_of(exe, sizeof(exe), "handoffd");
	argv[n++] = exe;
	argv[n++] = "gdbserver";
	va_start(ap, sv);
	while ((a = va_arg(ap, const char *)) != NULL && n < SRV_MAX_ARGS - 1)
		argv[n++] = (char *)a;
	va_end(ap);
	argv[n] = NULL;
	sv->s_pid = spawn(argv, &sv->s_errfd);
	srv_err_until(sv, "\1", now_ms() + SRV_EXIT_MS);	/* to EOF */
	close(sv->s_errfd);
	status = wait_exit(sv->s_pid, SRV_EXIT_MS);
	if (status == -1)
		kill(sv->s_pid, SIGKILL);
	return (status);
}

static void
cli_fails(struct srv *sv, int status, const char *msg)
{
	ck_assert_msg(status != -1 && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 1, "status %#x, stderr: %s", status,
	    sv->s_err);
	ck_assert_msg(strstr(sv->s_err, msg) != NULL,
	    "no \"%s\" in stderr: %s", msg, sv->s_err);
	ck_assert_msg(strstr(sv->s_err, LISTENING) == NULL,
	    "listened anyway: %s", sv->s_err);
}

START_TEST(cli_bad_address_exits_1)
{
	struct srv sv;
	char prog[1024];
	int st;

	path_of(prog, sizeof(prog), "tests/progs/hello");
	st = run_cli(&sv, "nonsense", prog, NULL);
	cli_fails(&sv, st, "nonsense: expected [HOST]:PORT");
	ck_assert_ptr_null(strstr(sv.s_err, CREATED));
	st = run_cli(&sv, "127.0.0.1:65536", prog, NULL);
	cli_fails(&sv, st, "bad port");
	st = run_cli(&sv, "127.0.0.1:http", prog, NULL);
	cli_fails(&sv, st, "bad port");
}
END_TEST

START_TEST(cli_port_in_use_exits_1_and_kills_the_program)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);
	struct srv sv;
	char prog[1024], comm[64];
	const char *hit;
	int fd, st;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ne(fd = socket(AF_INET, SOCK_STREAM, 0), -1);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(fd, 1), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	snprintf(comm, sizeof(comm), "127.0.0.1:%d", ntohs(sin.sin_port));
	path_of(prog, sizeof(prog), "tests/progs/hello");
	st = run_cli(&sv, comm, prog, NULL);
	close(fd);
	cli_fails(&sv, st, "Can't bind address: Address already in use");
	if ((hit = strstr(sv.s_err, CREATED)) != NULL)
		ck_assert_msg(proc_gone(atoi(hit + strlen(CREATED)),
		    PROC_GONE_MS), "the program outlived the server");
}
END_TEST

START_TEST(cli_missing_program_exits_1)
{
	struct srv sv;
	int st;

	st = run_cli(&sv, "127.0.0.1:0", "/nonexistent/prog", NULL);
	cli_fails(&sv, st, "/nonexistent/prog");
	ck_assert_ptr_null(strstr(sv.s_err, CREATED));
	st = run_cli(&sv, "--no-startup-with-shell", "127.0.0.1:0",
	    "/nonexistent/prog", NULL);
	cli_fails(&sv, st, "/nonexistent/prog: execve failed: No such file or directory");
	ck_assert_ptr_null(strstr(sv.s_err, CREATED));
}
END_TEST

START_TEST(cli_unknown_pid_exits_1)
{
	struct srv sv;
	int st;

	/* INT32_MAX: accepted as a pid, past any pid_max (4194304). */
	st = run_cli(&sv, "--attach", "127.0.0.1:0", "2147483647", NULL);
	cli_fails(&sv, st, "Cannot attach to process 2147483647");
	st = run_cli(&sv, "--attach", "127.0.0.1:0", "0", NULL);
	cli_fails(&sv, st, "0: bad pid");
	st = run_cli(&sv, "--attach", "127.0.0.1:0", "12abc", NULL);
	cli_fails(&sv, st, "12abc: bad pid");
}
END_TEST

/* ------------------------------------------------------------ suite */

static void
add(Suite *s, const char *name, const TTest *t)
{
	ck_add(s, name, t, 60, NULL);
}

static Suite *
badinput_suite(void)
{
	Suite	*s = suite_create("badinput");

	add(s, "bad checksum is NAKed, the resend works",
	    bad_checksum_is_naked_and_the_resend_works);
	add(s, "non-hex checksum digits are NAKed",
	    bad_checksum_digits_are_naked);
	add(s, "checksums are not checked in no-ack mode",
	    checksums_are_not_checked_in_noack_mode);
	add(s, "a NAK after a reply resends it", nak_after_a_reply_resends_it);
	add(s, "missing '#' then a good packet",
	    missing_hash_then_a_good_packet);
	add(s, "packet at RSP_MAX_PACKET is taken",
	    packet_at_the_limit_is_taken);
	add(s, "packet one byte past RSP_MAX_PACKET is refused",
	    packet_past_the_limit_is_refused);
	add(s, "runs expanding past the limit are refused",
	    runs_expanding_past_the_limit_are_refused);
	add(s, "unterminated escape is malformed",
	    unterminated_escape_is_malformed);
	add(s, "bad run lengths are malformed", bad_run_lengths_are_malformed);
	add(s, "empty packet gets an empty reply",
	    empty_packet_gets_an_empty_reply);
	add(s, "non-hex where hex is due is EINVAL", non_hex_where_hex_is_due);
	add(s, "lldb's dialect gets lldb-server's error numbers",
	    lldb_dialect_gets_lldb_servers_numbers);
	add(s, "the environment at and past GDB_MAX_ENV",
	    environment_at_and_past_its_limit);
	add(s, "numbers that overflow are refused",
	    numbers_that_overflow_are_refused);
	add(s, "huge lengths give an error or a short read",
	    huge_lengths_give_an_error_or_a_short_read);
	add(s, "unmapped memory is an error", unmapped_memory_is_an_error);
	add(s, "breakpoint conditions to their limits",
	    breakpoint_conditions_to_their_limits);
	add(s, "unknown thread is ESRCH", unknown_thread_is_esrch);
	add(s, "unknown pid is ESRCH", unknown_pid_is_esrch);
	add(s, "failed vAttach leaves the session alone",
	    failed_vattach_leaves_the_session_alone);
	add(s, "failed vAttach with multiprocess leaves the session alone",
	    failed_vattach_with_multiprocess_leaves_the_session_alone);
	add(s, "vAttach to init, an ancestor, a zombie or ours is refused",
	    vattach_to_init_an_ancestor_a_zombie_or_ours_is_refused);
	add(s, "failed vRun leaves the session alone",
	    failed_vrun_leaves_the_session_alone);
	add(s, "failed vRun with multiprocess leaves the session alone",
	    failed_vrun_with_multiprocess_leaves_the_session_alone);
	add(s, "vFile bad input gets File-I/O errors",
	    vfile_bad_input_gets_fileio_errors);
	add(s, "qXfer past the end and unknown objects",
	    qxfer_past_the_end_and_unknown_objects);
	add(s, "error strings are clean", error_strings_are_clean);
	add(s, "pipelined packets are answered in order",
	    pipelined_packets_are_answered_in_order);
	add(s, "junk and client notifications are ignored",
	    junk_and_client_notifications_are_ignored);
	add(s, "interrupt while stopped is ignored",
	    interrupt_while_stopped_is_ignored);
	add(s, "packets while running are refused, 0x03 stops",
	    packets_while_running_are_refused_and_0x03_stops);
	add(s, "resume while running is refused",
	    resume_while_running_is_refused);
	add(s, "0x03 inside a packet is a byte of it",
	    interrupt_inside_a_packet_is_a_byte_of_it);
	add(s, "a client sending a byte a second is answered",
	    client_sending_a_byte_a_second_is_answered);
	add(s, "a client that never reads is closed after --stall-timeout",
	    client_that_never_reads_is_closed_after_the_stall_timeout);
	add(s, "a client reading late below CONN_OUT_HIGH loses nothing",
	    client_reading_late_below_the_mark_loses_nothing);
	add(s, "client leaving mid-packet ends the session",
	    client_leaving_mid_packet_ends_the_session);
	add(s, "client leaving while running ends the session",
	    client_leaving_while_running_ends_the_session);
	add(s, "client leaving at once ends the session",
	    client_leaving_at_once_ends_the_session);
	add(s, "bad address: exit 1 with a message", cli_bad_address_exits_1);
	add(s, "port in use: exit 1, the program killed",
	    cli_port_in_use_exits_1_and_kills_the_program);
	add(s, "missing program: exit 1 with a message",
	    cli_missing_program_exits_1);
	add(s, "unknown pid: exit 1 with a message", cli_unknown_pid_exits_1);
	return (s);
}

int
main(void)
{
	return (ck_run(badinput_suite()));
}
