/*
 * check_handoff.c -- unit tests for the client side of the fork handoff
 * (client/handoff.c) and handoffctl's library calls.
 *
 * A fake server (tests/unit/fakesrv.h), forked on the far end of a
 * socketpair, runs a script: it reads exactly the bytes it expects and
 * writes raw ones, %Handoff notifications with a descriptor riding with
 * their '%' among them, and exits non-zero at the first byte it did not
 * expect.  The handoffd side of these packets is written elsewhere;
 * these scripts follow docs/protocol.md.
 */
#include <sys/socket.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/handoff.h"
#include "client/rspc.h"
#include "handoff/fdpass.h"
#include "tests/ck.h"
#include "tests/unit/fakesrv.h"

#define SHORT_MS	200	/* client timeout in the timeout tests */

/* The client sends want; we ack it and reply (ack mode). */
static void
fk_reply(int fd, const char *want, const char *reply)
{
	fk_expect_packet(fd, want);
	fk_send(fd, "+");
	fk_packet(fd, '$', reply);
	fk_expect(fd, "+");
}

/* ------------------------------------------------------------ watch */

static void
script_watch(int fd)
{
	fk_reply(fd, "QHandoffWatch", "OK");
	fk_reply(fd, "QHandoffWatch:4d2", "OK");
	fk_expect_eof(fd);
}

START_TEST(watch_ok_own_tree_and_a_pid)
{
	struct fake f;

	fake_start(&f, script_watch);
	ck_assert_int_eq(handoff_watch(f.f_rc, 0), 0);
	ck_assert_int_eq(handoff_watch(f.f_rc, 1234), 0);
	fake_finish(&f);
}
END_TEST

static void
script_watch_errors(int fd)
{
	fk_reply(fd, "QHandoffWatch:1", "E03");
	fk_reply(fd, "QHandoffWatch:1", "E0d");
	fk_reply(fd, "QHandoffWatch:1", "E0D");
	fk_reply(fd, "QHandoffWatch:1", "E01");
	fk_reply(fd, "QHandoffWatch:1", "");
	fk_reply(fd, "QHandoffWatch:1", "OKAY");
	fk_expect_eof(fd);
}

START_TEST(watch_errors_map_to_errno)
{
	static const int want[] = {
		ESRCH, EACCES, EACCES, EPROTO, EOPNOTSUPP, EPROTO
	};
	struct fake f;
	size_t i;

	fake_start(&f, script_watch_errors);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		errno = 0;
		ck_assert_int_eq(handoff_watch(f.f_rc, 1), -1);
		ck_assert_int_eq(errno, want[i]);
	}
	fake_finish(&f);
}
END_TEST

/* ------------------------------------------------------------ next */

static void
script_via_fd(int fd)
{
	char buf[128];
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		_exit(7);
	frame(buf, sizeof(buf), '%',
	    "Handoff:pid:4d2;ppid:4d1;tid:4d2;kind:fork;via:fd");
	if (fdpass_send(fd, sv[0], buf, strlen(buf)) != (ssize_t)strlen(buf))
		_exit(7);
	close(sv[0]);
	/* The child's connection: a session of its own. */
	fk_reply(sv[1], "?", "T13thread:p4d2.4d2;");
	fk_expect_eof(sv[1]);
}

START_TEST(via_fd_brings_the_childs_connection)
{
	struct fake f;
	struct handoff h;
	struct rspc *child;
	const char *r;

	fake_start(&f, script_via_fd);
	ck_assert_int_eq(handoff_next(f.f_rc, &h, 2000), 0);
	ck_assert_int_eq(h.h_pid, 1234);
	ck_assert_int_eq(h.h_ppid, 1233);
	ck_assert_int_eq(h.h_tid, 1234);
	ck_assert_str_eq(h.h_kind, "fork");
	ck_assert_str_eq(h.h_via, "fd");
	ck_assert_int_ge(h.h_fd, 0);
	ck_assert_int_eq(fcntl(h.h_fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	child = rspc_from_fd(h.h_fd);
	ck_assert_ptr_nonnull(child);
	ck_assert_int_eq(rspc_requeststr(child, "?", &r), 19);
	ck_assert_str_eq(r, "T13thread:p4d2.4d2;");
	rspc_close(child);
	fake_finish(&f);
}
END_TEST

static void
script_two_fds(int fd)
{
	fk_notify_fd(fd, "Handoff:pid:a;ppid:1;tid:a;kind:fork;via:fd", "A");
	fk_notify_fd(fd, "Handoff:pid:b;ppid:1;tid:b;kind:vfork;via:fd",
	    "B");
	fk_expect_eof(fd);
}

START_TEST(two_notifications_back_to_back_keep_their_own_fds)
{
	struct fake f;
	struct handoff h;

	fake_start(&f, script_two_fds);
	usleep(100000);		/* both there before the first read */
	ck_assert_int_eq(handoff_next(f.f_rc, &h, 2000), 0);
	ck_assert_int_eq(h.h_pid, 10);
	assert_marker(h.h_fd, "A");
	ck_assert_int_eq(handoff_next(f.f_rc, &h, 2000), 0);
	ck_assert_int_eq(h.h_pid, 11);
	ck_assert_str_eq(h.h_kind, "vfork");
	assert_marker(h.h_fd, "B");
	fake_finish(&f);
}
END_TEST

static void
script_via_connect(int fd)
{
	fk_packet(fd, '%', "Stop:T05");	/* not ours: skipped */
	fk_packet(fd, '%',
	    "Handoff:pid:7fffffff;ppid:2;tid:7fffffff;kind:exec;via:connect");
	fk_packet(fd, '%',
	    "Handoff:via:reverse;kind:fork;tid:5;ppid:4;pid:5;later:x");
	fk_expect_eof(fd);
}

START_TEST(via_connect_has_no_fd_and_fields_may_come_in_any_order)
{
	struct fake f;
	struct handoff h;

	fake_start(&f, script_via_connect);
	ck_assert_int_eq(handoff_next(f.f_rc, &h, 2000), 0);
	ck_assert_int_eq(h.h_pid, 0x7fffffff);
	ck_assert_str_eq(h.h_kind, "exec");
	ck_assert_str_eq(h.h_via, "connect");
	ck_assert_int_eq(h.h_fd, -1);
	ck_assert_int_eq(handoff_next(f.f_rc, &h, 2000), 0);
	ck_assert_int_eq(h.h_pid, 5);
	ck_assert_int_eq(h.h_ppid, 4);
	ck_assert_str_eq(h.h_via, "reverse");
	fake_finish(&f);
}
END_TEST

static const char *bad_payloads[] = {
	"Handoff:pid:1;ppid:2;tid:1;kind:fork",		/* no via */
	"Handoff:pid:zz;ppid:2;tid:1;kind:fork;via:connect",
	"Handoff:pid:1;ppid:2;tid:1;kind:spawn;via:connect",
	"Handoff:pid:1;ppid:2;tid:1;kind:forkforkfork;via:connect",
	"Handoff:pid:1;ppid:2;tid:1;kind:fork;via:carrier-pigeon",
	"Handoff:pid:123456789;ppid:2;tid:1;kind:fork;via:connect",
	"Handoff:pid:80000000;ppid:2;tid:1;kind:fork;via:connect",
	"Handoff:pid:0;ppid:2;tid:1;kind:fork;via:connect",
	"Handoff:pid:;ppid:2;tid:1;kind:fork;via:connect",
	"Handoff:pid:1;pid:1;ppid:2;tid:1;kind:fork;via:connect",
	"Handoff:pid:1;ppid:2;tid:1;kind:fork;via:connect;",
	"Handoff:pid:1;;ppid:2;tid:1;kind:fork;via:connect",
	"Handoff:pid:1;ppid:2;tid:1;kind:fork;via:connect;junk",
	"Handoff:pid 1;ppid:2;tid:1;kind:fork;via:connect",
	"Handoff:",
	"Handoff",
	"handoff:pid:1;ppid:2;tid:1;kind:fork;via:connect",
};

START_TEST(parse_rejects_malformed_payloads)
{
	struct handoff h;
	char big[HANDOFF_MAX_NOTIFY + 64];
	size_t i;
	int n;

	for (i = 0; i < sizeof(bad_payloads) / sizeof(bad_payloads[0]);
	    i++) {
		errno = 0;
		ck_assert_msg(handoff_parse(bad_payloads[i],
		    strlen(bad_payloads[i]), &h) == -1 && errno == EPROTO,
		    "accepted %s", bad_payloads[i]);
	}
	/* At HANDOFF_MAX_NOTIFY it parses; one byte past, it does not. */
	n = snprintf(big, sizeof(big),
	    "Handoff:pid:1;ppid:2;tid:1;kind:fork;via:connect;x:");
	memset(big + n, 'y', sizeof(big) - n);
	ck_assert_int_eq(handoff_parse(big, HANDOFF_MAX_NOTIFY, &h), 0);
	ck_assert_int_eq(h.h_fd, -1);
	errno = 0;
	ck_assert_int_eq(handoff_parse(big, HANDOFF_MAX_NOTIFY + 1, &h), -1);
	ck_assert_int_eq(errno, EPROTO);
	/* A NUL inside. */
	ck_assert_int_eq(handoff_parse(
	    "Handoff:pid:1;ppid:2;tid:1;kind:fork;via:fd\0", 44, &h), -1);
}
END_TEST

static void
script_malformed(int fd)
{
	char big[HANDOFF_MAX_NOTIFY + 32];
	int n;

	fk_notify_fd(fd, "Handoff:pid:1;ppid:2;tid:1;kind:fork", "x");
	fk_packet(fd, '%', "Handoff:pid:zz;ppid:2;tid:1;kind:fork;via:connect");
	fk_packet(fd, '%', "Handoff:pid:1;ppid:2;tid:1;kind:spawn;via:connect");
	n = snprintf(big, sizeof(big), "Handoff:pid:1;ppid:2;tid:1;"
	    "kind:fork;via:connect;x:");
	memset(big + n, 'y', sizeof(big) - n - 1);
	big[sizeof(big) - 1] = '\0';
	fk_packet(fd, '%', big);
	fk_packet(fd, '%', "Handoff:pid:3;ppid:2;tid:3;kind:fork;via:fd");
	fk_notify_fd(fd, "Handoff:pid:4;ppid:2;tid:4;kind:fork;via:connect",
	    "y");
	fk_notify_fd(fd, "Handoff:pid:5;ppid:2;tid:5;kind:fork;via:fd", "z");
	fk_reply(fd, "qHandoffList", "l");
	fk_expect_eof(fd);
}

START_TEST(malformed_notifications_are_eproto_and_the_session_goes_on)
{
	struct handoff_entry e[1];
	struct fake f;
	struct handoff h;
	int i, before;

	fake_start(&f, script_malformed);
	before = count_fds();
	for (i = 0; i < 4; i++) {
		errno = 0;
		ck_assert_int_eq(handoff_next(f.f_rc, &h, 2000), -1);
		ck_assert_int_eq(errno, EPROTO);
	}
	/* via:fd without its descriptor: parsed, so we know who. */
	errno = 0;
	ck_assert_int_eq(handoff_next(f.f_rc, &h, 2000), -1);
	ck_assert_int_eq(errno, EPROTO);
	ck_assert_int_eq(h.h_pid, 3);
	ck_assert_int_eq(h.h_fd, -1);
	/* A descriptor with via:connect: refused and closed. */
	errno = 0;
	ck_assert_int_eq(handoff_next(f.f_rc, &h, 2000), -1);
	ck_assert_int_eq(errno, EPROTO);
	ck_assert_int_eq(h.h_pid, 4);
	ck_assert_int_eq(count_fds(), before);
	ck_assert_int_eq(handoff_next(f.f_rc, &h, 2000), 0);
	ck_assert_int_eq(h.h_pid, 5);
	assert_marker(h.h_fd, "z");
	ck_assert_int_eq(handoff_list(f.f_rc, e, 1), 0);
	fake_finish(&f);
}
END_TEST

static void
script_silent(int fd)
{
	fk_expect_eof(fd);
}

START_TEST(next_times_out)
{
	struct fake f;
	struct handoff h;
	long long t0, dt;

	fake_start(&f, script_silent);
	t0 = now_ms();
	errno = 0;
	ck_assert_int_eq(handoff_next(f.f_rc, &h, SHORT_MS), -1);
	dt = now_ms() - t0;
	ck_assert_int_eq(errno, ETIMEDOUT);
	ck_assert_int_ge(dt, SHORT_MS - 10);
	ck_assert_int_lt(dt, SHORT_MS * 5);
	fake_finish(&f);
}
END_TEST

static void
script_gone(int fd)
{
	_exit(0);
}

START_TEST(next_on_a_closed_connection_is_econnreset)
{
	struct fake f;
	struct handoff h;

	fake_start(&f, script_gone);
	errno = 0;
	ck_assert_int_eq(handoff_next(f.f_rc, &h, 2000), -1);
	ck_assert_int_eq(errno, ECONNRESET);
	fake_finish(&f);
}
END_TEST

/* ------------------------------------------------------------ list */

static void
script_list_pages(int fd)
{
	fk_reply(fd, "qHandoffList",
	    "m pid:64,ppid:1,tid:64,kind:fork,age:3e8,state:held;"
	    "pid:65,ppid:1,tid:65,kind:vfork,age:0,state:to-exec");
	fk_reply(fd, "qHandoffList:2",
	    "lstate:held,age:ffff,kind:exec,tid:66,ppid:65,pid:66");
	/* The same again, into room for two. */
	fk_reply(fd, "qHandoffList",
	    "m pid:64,ppid:1,tid:64,kind:fork,age:3e8,state:held;"
	    "pid:65,ppid:1,tid:65,kind:vfork,age:0,state:to-exec");
	fk_reply(fd, "qHandoffList:2",
	    "l pid:66,ppid:65,tid:66,kind:exec,age:ffff,state:held");
	fk_expect_eof(fd);
}

START_TEST(list_pages_until_l)
{
	struct handoff_entry e[4];
	struct fake f;

	fake_start(&f, script_list_pages);
	ck_assert_int_eq(handoff_list(f.f_rc, e, 4), 3);
	ck_assert_int_eq(e[0].pid, 100);
	ck_assert_int_eq(e[0].ppid, 1);
	ck_assert_str_eq(e[0].kind, "fork");
	ck_assert_uint_eq(e[0].age_ms, 1000);
	ck_assert_str_eq(e[0].state, "held");
	ck_assert_str_eq(e[1].kind, "vfork");
	ck_assert_str_eq(e[1].state, "to-exec");
	ck_assert_int_eq(e[2].pid, 102);
	ck_assert_int_eq(e[2].ppid, 101);
	ck_assert_uint_eq(e[2].age_ms, 0xffff);
	memset(e, 0, sizeof(e));
	ck_assert_int_eq(handoff_list(f.f_rc, e, 2), 3);	/* 2 kept */
	ck_assert_int_eq(e[1].pid, 101);
	ck_assert_int_eq(e[2].pid, 0);
	fake_finish(&f);
}
END_TEST

static void
script_list_empty_and_bad(int fd)
{
	fk_reply(fd, "qHandoffList", "l");
	fk_reply(fd, "qHandoffList", "");
	fk_reply(fd, "qHandoffList", "E0d");
	fk_reply(fd, "qHandoffList", "m");		/* no progress */
	fk_reply(fd, "qHandoffList", "l pid:1,ppid:2,tid:1,kind:fork");
	fk_reply(fd, "qHandoffList",
	    "l pid:1,ppid:2,tid:1,kind:fork,age:1,state:HELD");
	fk_reply(fd, "qHandoffList", "x");
	fk_expect_eof(fd);
}

START_TEST(list_empty_and_bad_pages)
{
	static const int want[] = { EOPNOTSUPP, EACCES, EPROTO, EPROTO,
	    EPROTO, EPROTO };
	struct handoff_entry e[2];
	struct fake f;
	size_t i;

	fake_start(&f, script_list_empty_and_bad);
	ck_assert_int_eq(handoff_list(f.f_rc, e, 2), 0);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		errno = 0;
		ck_assert_int_eq(handoff_list(f.f_rc, e, 2), -1);
		ck_assert_int_eq(errno, want[i]);
	}
	fake_finish(&f);
}
END_TEST

/* ------------------------------------------------------------ claim */

static void
script_claim(int fd)
{
	fk_reply(fd, "qSupported:" HANDOFF_FEATURES,
	    "PacketSize=4000;QStartNoAckMode+");
	fk_reply(fd, "QStartNoAckMode", "OK");
	fk_expect_packet(fd, "vAttach;4d2");
	fk_packet(fd, '$', "T13thread:p4d2.4d2;");
	fk_expect_packet(fd, "D");
	fk_packet(fd, '$', "OK");
	fk_expect_eof(fd);
}

static void
script_claim_busy(int fd)
{
	fk_reply(fd, "qSupported:" HANDOFF_FEATURES, "PacketSize=4000");
	fk_reply(fd, "vAttach;4d2", "E10");
	fk_expect_eof(fd);
}

/* A fake behind "fd:N", for handoff_claim's address. */
static pid_t
fake_addr(fake_script script, char *addr, size_t cap)
{
	int sv[2];
	pid_t pid;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	pid = fake_fork(sv[1], sv[0], script);
	snprintf(addr, cap, "fd:%d", sv[0]);
	return (pid);
}

START_TEST(claim_returns_the_connection_and_its_stop)
{
	char addr[32], stop[8];
	struct rspc *rc;
	const char *r;
	pid_t pid;

	pid = fake_addr(script_claim, addr, sizeof(addr));
	rc = handoff_claim(addr, 1234, stop, sizeof(stop));
	ck_assert_ptr_nonnull(rc);
	ck_assert_str_eq(stop, "T13thre");	/* cut to fit */
	ck_assert(rc->r_noack);
	ck_assert_int_eq(rspc_requeststr(rc, "D", &r), 2);
	rspc_close(rc);
	fake_wait(pid);
}
END_TEST

START_TEST(claim_errors_come_back_as_errno)
{
	char addr[32], stop[64];
	pid_t pid;

	pid = fake_addr(script_claim_busy, addr, sizeof(addr));
	errno = 0;
	ck_assert_ptr_null(handoff_claim(addr, 1234, stop, sizeof(stop)));
	ck_assert_int_eq(errno, EBUSY);
	ck_assert_str_eq(stop, "");
	fake_wait(pid);
	errno = 0;
	ck_assert_ptr_null(handoff_claim("nonsense", 1, NULL, 0));
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_ptr_null(handoff_claim("fd:3", 0, NULL, 0));
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* ------------------------------------------------------------ suite */

static void
add(Suite *s, const char *name, const TTest *t)
{
	ck_add(s, name, t, 30, NULL);
}

static Suite *
handoff_suite(void)
{
	Suite	*s = suite_create("handoff");

	add(s, "watch: OK for its own tree and for a pid",
	    watch_ok_own_tree_and_a_pid);
	add(s, "watch: E03 ESRCH, E0d EACCES, others EPROTO",
	    watch_errors_map_to_errno);
	add(s, "via:fd brings the child's connection",
	    via_fd_brings_the_childs_connection);
	add(s, "two notifications back to back keep their own fds",
	    two_notifications_back_to_back_keep_their_own_fds);
	add(s, "via:connect has no fd; fields in any order",
	    via_connect_has_no_fd_and_fields_may_come_in_any_order);
	add(s, "parse rejects malformed payloads",
	    parse_rejects_malformed_payloads);
	add(s, "malformed notifications are EPROTO, the session goes on",
	    malformed_notifications_are_eproto_and_the_session_goes_on);
	add(s, "next times out", next_times_out);
	add(s, "next on a closed connection is ECONNRESET",
	    next_on_a_closed_connection_is_econnreset);
	add(s, "list pages until 'l'", list_pages_until_l);
	add(s, "list: empty, and bad pages", list_empty_and_bad_pages);
	add(s, "claim returns the connection and its stop",
	    claim_returns_the_connection_and_its_stop);
	add(s, "claim errors come back as errno",
	    claim_errors_come_back_as_errno);
	return (s);
}

int
main(void)
{
	return (ck_run(handoff_suite()));
}
