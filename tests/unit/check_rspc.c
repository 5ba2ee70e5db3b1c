/*
 * check_rspc.c -- unit tests for the RSP client library (client/).
 *
 * Each test forks a fake server on the far end of a socketpair (or of a
 * listening socket, for rspc_connect).  The fake runs a script: it reads
 * exactly the bytes it expects from the client and writes raw bytes
 * back, and exits non-zero, saying why on stderr, at the first byte it
 * did not expect.  Scripts end by reading to end of input, so a client
 * that sent one byte too many (an ack in no-ack mode, a resend) fails.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/rspc.h"
#include "handoff/fdpass.h"
#include "tests/ck.h"
#include "tests/unit/fakesrv.h"

#define SHORT_MS	200	/* client timeout in the timeout tests */

/* ------------------------------------------------------------ acks */

static void
script_ack_reply(int fd)
{
	fk_expect_packet(fd, "g");
	fk_send(fd, "+");
	fk_packet(fd, '$', "1234");
	fk_expect(fd, "+");
	fk_expect_eof(fd);
}

START_TEST(request_is_acked_and_reply_acked)
{
	struct fake f;
	const char *r;

	fake_start(&f, script_ack_reply);
	ck_assert_int_eq(rspc_requeststr(f.f_rc, "g", &r), 4);
	ck_assert_str_eq(r, "1234");
	ck_assert_str_eq(f.f_rc->r_reply, "1234");
	fake_finish(&f);
}
END_TEST

static void
script_nak_once(int fd)
{
	fk_expect_packet(fd, "m0,4");
	fk_send(fd, "-");
	fk_expect_packet(fd, "m0,4");
	fk_send(fd, "+");
	fk_packet(fd, '$', "OK");
	fk_expect(fd, "+");
	fk_expect_eof(fd);
}

START_TEST(nak_resends_the_packet)
{
	struct fake f;
	const char *r;

	fake_start(&f, script_nak_once);
	ck_assert_int_eq(rspc_requeststr(f.f_rc, "m0,4", &r), 2);
	ck_assert_str_eq(r, "OK");
	fake_finish(&f);
}
END_TEST

/* NAK every time: the client gives up after some resends. */
static void
script_nak_forever(int fd)
{
	char want[64], buf[64];
	size_t n;
	int i, resends = 0;

	frame(want, sizeof(want), '$', "?");
	n = strlen(want);
	fk_expect(fd, want);
	for (i = 0; i < 100; i++) {
		fk_send(fd, "-");
		if (fk_read(fd, buf, n) != (ssize_t)n)
			break;
		if (memcmp(buf, want, n) != 0)
			fk_fail("resend", want, buf, n);
		resends++;
	}
	_exit(resends >= 1 && resends < 100 ? 0 : 5);
}

START_TEST(endless_naks_fail_with_eproto)
{
	struct fake f;
	const char *r;

	fake_start(&f, script_nak_forever);
	errno = 0;
	ck_assert_int_eq(rspc_requeststr(f.f_rc, "?", &r), -1);
	ck_assert_int_eq(errno, EPROTO);
	ck_assert_ptr_null(r);
	fake_finish(&f);
}
END_TEST

static void
script_stray_acks(int fd)
{
	fk_expect_packet(fd, "?");
	fk_send(fd, "+++-+\x03");
	fk_packet(fd, '$', "S05");
	fk_expect(fd, "+");
	fk_expect_eof(fd);	/* the '-' after the ack caused no resend */
}

START_TEST(stray_acks_naks_and_interrupts_are_skipped)
{
	struct fake f;
	const char *r;

	fake_start(&f, script_stray_acks);
	ck_assert_int_eq(rspc_requeststr(f.f_rc, "?", &r), 3);
	ck_assert_str_eq(r, "S05");
	fake_finish(&f);
}
END_TEST

static void
script_bad_sum_reply(int fd)
{
	fk_expect_packet(fd, "?");
	fk_send(fd, "+$S05#00");
	fk_expect(fd, "-");
	fk_packet(fd, '$', "S05");
	fk_expect(fd, "+");
	fk_expect_eof(fd);
}

START_TEST(reply_with_bad_checksum_is_refused_then_taken)
{
	struct fake f;
	const char *r;

	fake_start(&f, script_bad_sum_reply);
	ck_assert_int_eq(rspc_requeststr(f.f_rc, "?", &r), 3);
	ck_assert_str_eq(r, "S05");
	fake_finish(&f);
}
END_TEST

static void
script_stale_before_ack(int fd)
{
	fk_expect_packet(fd, "g");
	fk_packet(fd, '$', "stale");
	fk_expect(fd, "+");
	fk_send(fd, "+");
	fk_packet(fd, '$', "fresh");
	fk_expect(fd, "+");
	fk_expect_eof(fd);
}

START_TEST(packet_before_the_ack_is_acked_and_dropped)
{
	struct fake f;
	const char *r;

	fake_start(&f, script_stale_before_ack);
	ck_assert_int_eq(rspc_requeststr(f.f_rc, "g", &r), 5);
	ck_assert_str_eq(r, "fresh");
	fake_finish(&f);
}
END_TEST

/* ------------------------------------------------------------ no-ack */

static void
script_noack(int fd)
{
	fk_expect_packet(fd, "qSupported:multiprocess+;swbreak+");
	fk_send(fd, "+");
	fk_packet(fd, '$', "PacketSize=20000;QStartNoAckMode+;multiprocess+");
	fk_expect(fd, "+");
	fk_expect_packet(fd, "QStartNoAckMode");
	fk_send(fd, "+");
	fk_packet(fd, '$', "OK");
	fk_expect(fd, "+");
	/* From here on, no acks either way. */
	fk_expect_packet(fd, "?");
	fk_packet(fd, '$', "T05");
	fk_expect_packet(fd, "g");
	fk_send(fd, "$00#00");		/* checksums are not checked */
	fk_expect_eof(fd);
}

START_TEST(handshake_switches_to_noack)
{
	struct fake f;
	const char *r;

	fake_start(&f, script_noack);
	ck_assert_int_eq(rspc_handshake(f.f_rc, "multiprocess+;swbreak+"), 0);
	ck_assert(f.f_rc->r_noack);
	ck_assert_int_eq(rspc_requeststr(f.f_rc, "?", &r), 3);
	ck_assert_str_eq(r, "T05");
	ck_assert_int_eq(rspc_requeststr(f.f_rc, "g", &r), 2);
	ck_assert_str_eq(r, "00");
	fake_finish(&f);
}
END_TEST

static void
script_no_noack(int fd)
{
	fk_expect_packet(fd, "qSupported");
	fk_send(fd, "+");
	fk_packet(fd, '$', "PacketSize=100");
	fk_expect(fd, "+");
	fk_expect_packet(fd, "?");
	fk_send(fd, "+");
	fk_packet(fd, '$', "S05");
	fk_expect(fd, "+");
	fk_expect_eof(fd);
}

START_TEST(handshake_keeps_acks_when_server_lacks_noack)
{
	struct fake f;
	const char *r;

	fake_start(&f, script_no_noack);
	ck_assert_int_eq(rspc_handshake(f.f_rc, NULL), 0);
	ck_assert(!f.f_rc->r_noack);
	ck_assert_int_eq(rspc_requeststr(f.f_rc, "?", &r), 3);
	fake_finish(&f);
}
END_TEST

static void
script_qsupported_error(int fd)
{
	fk_expect_packet(fd, "qSupported");
	fk_send(fd, "+");
	fk_packet(fd, '$', "E01");
	fk_expect(fd, "+");
	fk_expect_eof(fd);
}

START_TEST(handshake_fails_on_error_reply)
{
	struct fake f;

	fake_start(&f, script_qsupported_error);
	errno = 0;
	ck_assert_int_eq(rspc_handshake(f.f_rc, ""), -1);
	ck_assert_int_eq(errno, EPROTO);
	ck_assert(!f.f_rc->r_noack);
	fake_finish(&f);
}
END_TEST

/* ------------------------------------------------------------ payloads */

static void
script_rle(int fd)
{
	fk_expect_packet(fd, "m0,9");
	fk_send(fd, "+");
	fk_packet(fd, '$', "0* 1*!");	/* ' ': 3 more, '!': 4 more */
	fk_expect(fd, "+");
	fk_expect_packet(fd, "m0,62");
	fk_send(fd, "+");
	fk_packet(fd, '$', "a*~");	/* '~': 97 more, the most */
	fk_expect(fd, "+");
	fk_expect_eof(fd);
}

START_TEST(run_length_encoded_reply_is_expanded)
{
	struct fake f;
	const char *r;
	char want[99];

	fake_start(&f, script_rle);
	ck_assert_int_eq(rspc_requeststr(f.f_rc, "m0,9", &r), 9);
	ck_assert_str_eq(r, "000011111");
	memset(want, 'a', 98);
	want[98] = '\0';
	ck_assert_int_eq(rspc_requeststr(f.f_rc, "m0,62", &r), 98);
	ck_assert_str_eq(r, want);
	fake_finish(&f);
}
END_TEST

static void
script_escaped(int fd)
{
	fk_expect_packet(fd, "x0,6");
	fk_send(fd, "+");
	/* '#' '$' '}' '*', then a NUL and a 'b'. */
	fk_packet(fd, '$', "}\x03}\x04}]}\x0a}\x20" "b");
	fk_expect(fd, "+");
	fk_expect_eof(fd);
}

START_TEST(escaped_reply_is_unescaped)
{
	struct fake f;
	const char *r;

	fake_start(&f, script_escaped);
	ck_assert_int_eq(rspc_requeststr(f.f_rc, "x0,6", &r), 6);
	ck_assert_mem_eq(r, "#$}*\0b", 7);
	ck_assert_uint_eq(f.f_rc->r_replylen, 6);
	fake_finish(&f);
}
END_TEST

static void
script_empty(int fd)
{
	fk_expect_packet(fd, "qUnknown");
	fk_send(fd, "+$#00");
	fk_expect(fd, "+");
	fk_expect_eof(fd);
}

START_TEST(empty_reply_is_an_empty_string)
{
	struct fake f;
	const char *r;

	fake_start(&f, script_empty);
	ck_assert_int_eq(rspc_requeststr(f.f_rc, "qUnknown", &r), 0);
	ck_assert_str_eq(r, "");
	fake_finish(&f);
}
END_TEST

static void
script_oversized(int fd)
{
	static char big[RSP_MAX_PACKET + 1];

	fk_expect_packet(fd, "qXfer");
	fk_send(fd, "+$");
	memset(big, 'a', sizeof(big));
	if (write(fd, big, sizeof(big)) != (ssize_t)sizeof(big))
		_exit(4);
	fk_send(fd, "#00");
	fk_expect(fd, "+");		/* taken, not asked again */
	fk_expect_packet(fd, "?");
	fk_send(fd, "+");
	fk_packet(fd, '$', "S05");
	fk_expect(fd, "+");
	fk_expect_eof(fd);
}

START_TEST(oversized_reply_fails_with_eproto_and_session_goes_on)
{
	struct fake f;
	const char *r;

	fake_start(&f, script_oversized);
	errno = 0;
	ck_assert_int_eq(rspc_requeststr(f.f_rc, "qXfer", &r), -1);
	ck_assert_int_eq(errno, EPROTO);
	ck_assert_int_eq(rspc_requeststr(f.f_rc, "?", &r), 3);
	ck_assert_str_eq(r, "S05");
	fake_finish(&f);
}
END_TEST

static void
script_requestf(int fd)
{
	fk_expect_packet(fd, "m7fff0000,100");
	fk_send(fd, "+");
	fk_packet(fd, '$', "E01");
	fk_expect(fd, "+");
	fk_expect_eof(fd);
}

START_TEST(requestf_formats_the_payload)
{
	struct fake f;
	const char *r;

	fake_start(&f, script_requestf);
	ck_assert_int_eq(rspc_requestf(f.f_rc, &r, "m%x,%x", 0x7fff0000u,
	    0x100u), 3);
	ck_assert_str_eq(r, "E01");
	fake_finish(&f);
}
END_TEST

/* ------------------------------------------------------------ notify */

static void
script_notify(int fd)
{
	fk_expect_packet(fd, "vCont;c");
	fk_send(fd, "+");
	fk_packet(fd, '%', "Stop:T05");
	fk_packet(fd, '$', "OK");
	fk_expect(fd, "+");		/* the notification is not acked */
	fk_expect_packet(fd, "vStopped");
	fk_packet(fd, '%', "Handoff:pid:1");	/* before the ack */
	fk_send(fd, "+");
	fk_packet(fd, '$', "OK");
	fk_expect(fd, "+");
	fk_expect_eof(fd);
}

START_TEST(notifications_are_kept_not_acked)
{
	struct fake f;
	const char *r;

	fake_start(&f, script_notify);
	ck_assert_int_eq(rspc_requeststr(f.f_rc, "vCont;c", &r), 2);
	ck_assert_str_eq(r, "OK");
	ck_assert_str_eq(f.f_rc->r_notify, "Stop:T05");
	ck_assert_uint_eq(f.f_rc->r_notifylen, 8);
	ck_assert_int_eq(rspc_requeststr(f.f_rc, "vStopped", &r), 2);
	ck_assert_str_eq(f.f_rc->r_notify, "Handoff:pid:1");
	fake_finish(&f);
}
END_TEST

static void
script_send_then_wait(int fd)
{
	fk_expect_packet(fd, "vCont;c");
	fk_send(fd, "+");
	fk_expect(fd, "\x03");
	fk_packet(fd, '$', "T02thread:1;");
	fk_expect(fd, "+");
	fk_expect_eof(fd);
}

START_TEST(send_returns_at_the_ack_and_wait_takes_the_reply)
{
	struct fake f;
	const char *r;

	fake_start(&f, script_send_then_wait);
	ck_assert_int_eq(rspc_send(f.f_rc, "vCont;c", 7), 0);
	ck_assert_int_eq(rspc_send_raw(f.f_rc, "\x03", 1), 0);
	ck_assert_int_eq(rspc_wait(f.f_rc, &r), 12);
	ck_assert_str_eq(r, "T02thread:1;");
	fake_finish(&f);
}
END_TEST

static void
script_raw(int fd)
{
	fk_expect(fd, "$m0,#00}$#");
	fk_expect_eof(fd);
}

START_TEST(send_raw_sends_bytes_as_they_are)
{
	struct fake f;

	fake_start(&f, script_raw);
	ck_assert_int_eq(rspc_send_raw(f.f_rc, "$m0,#00}$#", 10), 0);
	fake_finish(&f);
}
END_TEST

/* ------------------------------------------------------------ fds */

/* Wait until n bytes are queued on fd, so a read takes them at once. */
static void
wait_queued(int fd, int n)
{
	int i, q = 0;

	for (i = 0; i < 500; i++) {
		ck_assert_int_eq(ioctl(fd, FIONREAD, &q), 0);
		if (q >= n)
			return;
		usleep(10000);
	}
	ck_abort_msg("only %d of %d bytes came", q, n);
}

static void
script_glued(int fd)
{
	fk_packet(fd, '%', "plain");
	fk_notify_fd(fd, "withfd", "b");
	fk_expect_eof(fd);
}

START_TEST(descriptor_goes_to_its_notification_not_the_one_before)
{
	struct fake f;
	const char *p;
	int nfd;

	fake_start(&f, script_glued);
	/* Both in the socket before the first read: one read takes both. */
	wait_queued(f.f_rc->r_fd, 2 * 4 + 5 + 6);
	ck_assert_int_eq(rspc_notify_next(f.f_rc, 1000, &p, &nfd), 5);
	ck_assert_str_eq(p, "plain");
	ck_assert_int_eq(nfd, -1);
	ck_assert_int_eq(rspc_notify_next(f.f_rc, 1000, &p, &nfd), 6);
	ck_assert_str_eq(p, "withfd");
	assert_marker(nfd, "b");
	fake_finish(&f);
}
END_TEST

static void
script_two_fds_around_reply(int fd)
{
	fk_expect_packet(fd, "?");
	fk_send(fd, "+");
	fk_notify_fd(fd, "one", "1");
	fk_notify_fd(fd, "two", "2");
	fk_packet(fd, '$', "S05");
	fk_expect(fd, "+");
	fk_expect_eof(fd);
}

START_TEST(notifications_read_while_waiting_keep_their_descriptors)
{
	struct fake f;
	const char *p, *r;
	int nfd;

	fake_start(&f, script_two_fds_around_reply);
	ck_assert_int_eq(rspc_requeststr(f.f_rc, "?", &r), 3);
	ck_assert_str_eq(r, "S05");
	ck_assert_str_eq(f.f_rc->r_notify, "two");
	ck_assert_int_ge(f.f_rc->r_notify_fd, 0);
	ck_assert_int_eq(rspc_notify_next(f.f_rc, 0, &p, &nfd), 3);
	ck_assert_str_eq(p, "one");
	assert_marker(nfd, "1");
	ck_assert_int_eq(rspc_notify_next(f.f_rc, 0, &p, &nfd), 3);
	ck_assert_str_eq(p, "two");
	ck_assert_int_eq(f.f_rc->r_notify_fd, -1);	/* handed over */
	assert_marker(nfd, "2");
	fake_finish(&f);
}
END_TEST

static void
script_flood(int fd)
{
	char raw[32], mark[32];
	int i;

	fk_expect_packet(fd, "?");
	fk_send(fd, "+");
	for (i = 0; i <= RSPC_MAX_NOTIFY; i++) {
		snprintf(raw, sizeof(raw), "n%d", i);
		snprintf(mark, sizeof(mark), "m%d", i);
		fk_notify_fd(fd, raw, mark);
	}
	fk_packet(fd, '$', "OK");
	fk_expect(fd, "+");
	fk_expect_eof(fd);
}

START_TEST(queue_past_max_drops_the_oldest_and_closes_its_descriptor)
{
	struct fake f;
	const char *p, *r;
	char want[32];
	int i, nfd, before;

	fake_start(&f, script_flood);
	before = count_fds();
	ck_assert_int_eq(rspc_requeststr(f.f_rc, "?", &r), 2);
	ck_assert_int_eq(count_fds(), before + RSPC_MAX_NOTIFY);
	for (i = 1; i <= RSPC_MAX_NOTIFY; i++) {
		ck_assert_int_ge(rspc_notify_next(f.f_rc, 0, &p, &nfd), 2);
		snprintf(want, sizeof(want), "n%d", i);
		ck_assert_str_eq(p, want);
		snprintf(want, sizeof(want), "m%d", i);
		assert_marker(nfd, want);
	}
	ck_assert_int_eq(count_fds(), before);
	errno = 0;
	ck_assert_int_eq(rspc_notify_next(f.f_rc, 0, &p, &nfd), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	fake_finish(&f);
}
END_TEST

static void
script_bad_notify_fd(int fd)
{
	int p[2];

	if (pipe(p) == -1)
		_exit(7);
	/* A bad checksum: never acked or refused; its descriptor closed. */
	if (fdpass_send(fd, p[0], "%bad#00", 7) != 7)
		_exit(7);
	close(p[0]);
	close(p[1]);
	fk_notify_fd(fd, "good", "g");
	fk_expect_eof(fd);
}

START_TEST(bad_notification_is_eproto_and_loses_its_descriptor)
{
	struct fake f;
	const char *p;
	int nfd, before;

	fake_start(&f, script_bad_notify_fd);
	before = count_fds();
	errno = 0;
	ck_assert_int_eq(rspc_notify_next(f.f_rc, 1000, &p, &nfd), -1);
	ck_assert_int_eq(errno, EPROTO);
	ck_assert_int_eq(nfd, -1);
	ck_assert_int_eq(rspc_notify_next(f.f_rc, 1000, &p, &nfd), 4);
	ck_assert_str_eq(p, "good");
	ck_assert_int_eq(count_fds(), before + 1);
	assert_marker(nfd, "g");
	fake_finish(&f);
}
END_TEST

static void
script_silent(int fd)
{
	fk_expect_eof(fd);
}

START_TEST(notify_next_times_out)
{
	struct fake f;
	const char *p;
	long long t0, dt;
	int nfd;

	fake_start(&f, script_silent);
	t0 = now_ms();
	errno = 0;
	ck_assert_int_eq(rspc_notify_next(f.f_rc, SHORT_MS, &p, &nfd), -1);
	dt = now_ms() - t0;
	ck_assert_int_eq(errno, ETIMEDOUT);
	ck_assert_ptr_null(p);
	ck_assert_int_ge(dt, SHORT_MS - 10);
	ck_assert_int_lt(dt, SHORT_MS * 5);
	fake_finish(&f);
}
END_TEST

/* ------------------------------------------------------------ failures */

static void
script_no_reply(int fd)
{
	fk_expect_packet(fd, "?");
	fk_send(fd, "+");
	fk_expect_eof(fd);
}

START_TEST(missing_reply_times_out)
{
	struct fake f;
	const char *r;
	long long t0, dt;

	fake_start(&f, script_no_reply);
	f.f_rc->r_timeout_ms = SHORT_MS;
	t0 = now_ms();
	errno = 0;
	ck_assert_int_eq(rspc_requeststr(f.f_rc, "?", &r), -1);
	dt = now_ms() - t0;
	ck_assert_int_eq(errno, ETIMEDOUT);
	ck_assert_int_ge(dt, SHORT_MS - 10);
	ck_assert_int_lt(dt, SHORT_MS * 5);
	fake_finish(&f);
}
END_TEST

static void
script_no_ack(int fd)
{
	fk_expect_packet(fd, "?");
	fk_expect_eof(fd);
}

START_TEST(missing_ack_times_out)
{
	struct fake f;
	const char *r;

	fake_start(&f, script_no_ack);
	f.f_rc->r_timeout_ms = SHORT_MS;
	errno = 0;
	ck_assert_int_eq(rspc_requeststr(f.f_rc, "?", &r), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	fake_finish(&f);
}
END_TEST

static void
script_close_mid_reply(int fd)
{
	fk_expect_packet(fd, "g");
	fk_send(fd, "+$12");
	_exit(0);
}

START_TEST(peer_closing_mid_reply_is_econnreset)
{
	struct fake f;
	const char *r;
	long long t0;

	fake_start(&f, script_close_mid_reply);
	t0 = now_ms();
	errno = 0;
	ck_assert_int_eq(rspc_requeststr(f.f_rc, "g", &r), -1);
	ck_assert_int_eq(errno, ECONNRESET);
	ck_assert_int_lt(now_ms() - t0, RSPC_DEFAULT_TIMEOUT_MS / 2);
	fake_finish(&f);
}
END_TEST

static void
script_close_at_once(int fd)
{
	_exit(0);
}

START_TEST(peer_gone_before_the_ack_is_an_error)
{
	struct fake f;
	const char *r;

	fake_start(&f, script_close_at_once);
	fake_wait(f.f_pid);
	errno = 0;
	ck_assert_int_eq(rspc_requeststr(f.f_rc, "g", &r), -1);
	ck_assert_int_eq(errno, ECONNRESET);
	rspc_close(f.f_rc);
}
END_TEST

/* ------------------------------------------------------------ connect */

static void
script_connected(int fd)
{
	fk_expect_packet(fd, "?");
	fk_send(fd, "+");
	fk_packet(fd, '$', "S05");
	fk_expect(fd, "+");
	fk_expect_eof(fd);
}

/* Accept one connection on lfd and run script_connected on it. */
static pid_t
serve_one(int lfd)
{
	pid_t pid = fork();
	int fd;

	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		if ((fd = accept(lfd, NULL, NULL)) == -1)
			_exit(6);
		close(lfd);
		script_connected(fd);
		_exit(0);
	}
	close(lfd);
	return (pid);
}

static void
talk_and_finish(struct rspc *rc, pid_t pid)
{
	const char *r;

	ck_assert_ptr_nonnull(rc);
	ck_assert_int_eq(rspc_requeststr(rc, "?", &r), 3);
	ck_assert_str_eq(r, "S05");
	rspc_close(rc);
	fake_wait(pid);
}

static int
tcp_listener(int *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);
	int fd;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ne(fd = socket(AF_INET, SOCK_STREAM, 0), -1);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(fd, 1), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	*port = ntohs(sin.sin_port);
	return (fd);
}

START_TEST(connect_tcp_sets_nodelay)
{
	char addr[64];
	struct rspc *rc;
	socklen_t sl = sizeof(int);
	int port, lfd, on = 0;
	pid_t pid;

	lfd = tcp_listener(&port);
	pid = serve_one(lfd);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	rc = rspc_connect(addr);
	ck_assert_ptr_nonnull(rc);
	ck_assert_int_eq(getsockopt(rc->r_fd, IPPROTO_TCP, TCP_NODELAY, &on,
	    &sl), 0);
	ck_assert_int_ne(on, 0);
	ck_assert_int_eq(rc->r_timeout_ms, RSPC_DEFAULT_TIMEOUT_MS);
	ck_assert(!rc->r_noack);
	talk_and_finish(rc, pid);
}
END_TEST

START_TEST(connect_tcp_bracketed_and_empty_host)
{
	char addr[64];
	int port, lfd;
	pid_t pid;

	lfd = tcp_listener(&port);
	pid = serve_one(lfd);
	snprintf(addr, sizeof(addr), "[127.0.0.1]:%d", port);
	talk_and_finish(rspc_connect(addr), pid);

	lfd = tcp_listener(&port);
	pid = serve_one(lfd);
	snprintf(addr, sizeof(addr), ":%d", port);
	talk_and_finish(rspc_connect(addr), pid);
}
END_TEST

static int
unix_listener(const char *path, bool abstract)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t sl;
	int fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	sl = offsetof(struct sockaddr_un, sun_path) + strlen(path) +
	    (abstract ? 0 : 1);
	if (abstract)
		sun.sun_path[0] = '\0';
	ck_assert_int_ne(fd = socket(AF_UNIX, SOCK_STREAM, 0), -1);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sl), 0);
	ck_assert_int_eq(listen(fd, 1), 0);
	return (fd);
}

START_TEST(connect_unix_path_and_prefix)
{
	char dir[] = "/tmp/check_rspc.XXXXXX", path[128], addr[140];
	pid_t pid;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sock", dir);
	pid = serve_one(unix_listener(path, false));
	talk_and_finish(rspc_connect(path), pid);
	unlink(path);

	pid = serve_one(unix_listener(path, false));
	snprintf(addr, sizeof(addr), "unix:%s", path);
	talk_and_finish(rspc_connect(addr), pid);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(connect_abstract_unix)
{
	char addr[64];
	pid_t pid;

	snprintf(addr, sizeof(addr), "@check_rspc.%d", (int)getpid());
	pid = serve_one(unix_listener(addr, true));
	snprintf(addr, sizeof(addr), "unix:@check_rspc.%d", (int)getpid());
	talk_and_finish(rspc_connect(addr), pid);
}
END_TEST

START_TEST(connect_abstract_and_fd_schemes)
{
	char name[64], at[80], addr[80];
	int sv[2];
	pid_t pid;

	snprintf(name, sizeof(name), "check_rspc.%d", (int)getpid());
	snprintf(at, sizeof(at), "@%s", name);
	pid = serve_one(unix_listener(at, true));
	snprintf(addr, sizeof(addr), "unix-abstract:%s", name);
	talk_and_finish(rspc_connect(addr), pid);

	pid = serve_one(unix_listener(at, true));
	snprintf(addr, sizeof(addr), "unix-abstract://%s", name);
	talk_and_finish(rspc_connect(addr), pid);

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	pid = fake_fork(sv[1], sv[0], script_connected);
	snprintf(addr, sizeof(addr), "fd:%d", sv[0]);
	talk_and_finish(rspc_connect(addr), pid);
}
END_TEST

START_TEST(connect_failures_set_errno)
{
	int port, lfd;
	char addr[64];

	errno = 0;
	ck_assert_ptr_null(rspc_connect("nonsense"));
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_ptr_null(rspc_connect("127.0.0.1:"));
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_ptr_null(rspc_connect("/nonexistent/check_rspc.sock"));
	ck_assert_int_eq(errno, ENOENT);
	errno = 0;
	ck_assert_ptr_null(rspc_connect("unix:"));
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_ptr_null(rspc_connect("fd:x"));
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_ptr_null(rspc_connect("fd:4000"));	/* not open */
	ck_assert_int_eq(errno, EBADF);
	errno = 0;
	ck_assert_ptr_null(rspc_connect("unix-abstract:"));
	ck_assert_int_eq(errno, EINVAL);

	/* A port that was just free: nobody listens there now. */
	lfd = tcp_listener(&port);
	close(lfd);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	errno = 0;
	ck_assert_ptr_null(rspc_connect(addr));
	ck_assert_int_eq(errno, ECONNREFUSED);
}
END_TEST

START_TEST(close_accepts_null)
{
	rspc_close(NULL);
}
END_TEST

/* ------------------------------------------------------------ suite */

static void
add(Suite *s, const char *name, const TTest *t)
{
	ck_add(s, name, t, 30, NULL);
}

static Suite *
rspc_suite(void)
{
	Suite	*s = suite_create("rspc");

	add(s, "request is acked and its reply acked",
	    request_is_acked_and_reply_acked);
	add(s, "a NAK resends the packet", nak_resends_the_packet);
	add(s, "endless NAKs fail with EPROTO", endless_naks_fail_with_eproto);
	add(s, "stray + - 0x03 are skipped",
	    stray_acks_naks_and_interrupts_are_skipped);
	add(s, "reply with a bad checksum is refused, then taken",
	    reply_with_bad_checksum_is_refused_then_taken);
	add(s, "a packet before the ack is acked and dropped",
	    packet_before_the_ack_is_acked_and_dropped);
	add(s, "handshake switches to no-ack mode",
	    handshake_switches_to_noack);
	add(s, "handshake keeps acks when the server lacks no-ack",
	    handshake_keeps_acks_when_server_lacks_noack);
	add(s, "handshake fails on an error reply",
	    handshake_fails_on_error_reply);
	add(s, "run-length encoded reply is expanded",
	    run_length_encoded_reply_is_expanded);
	add(s, "escaped reply is unescaped, NUL and all",
	    escaped_reply_is_unescaped);
	add(s, "empty reply is an empty string",
	    empty_reply_is_an_empty_string);
	add(s, "oversized reply fails with EPROTO, the session goes on",
	    oversized_reply_fails_with_eproto_and_session_goes_on);
	add(s, "requestf formats the payload", requestf_formats_the_payload);
	add(s, "notifications are kept, not acked",
	    notifications_are_kept_not_acked);
	add(s, "send returns at the ack, wait takes the reply",
	    send_returns_at_the_ack_and_wait_takes_the_reply);
	add(s, "send_raw sends bytes as they are",
	    send_raw_sends_bytes_as_they_are);
	add(s, "a descriptor goes to its notification, not the one before",
	    descriptor_goes_to_its_notification_not_the_one_before);
	add(s, "notifications read while waiting keep their descriptors",
	    notifications_read_while_waiting_keep_their_descriptors);
	add(s, "the queue past its limit drops the oldest, closing its fd",
	    queue_past_max_drops_the_oldest_and_closes_its_descriptor);
	add(s, "a bad notification is EPROTO and loses its descriptor",
	    bad_notification_is_eproto_and_loses_its_descriptor);
	add(s, "notify_next times out", notify_next_times_out);
	add(s, "a missing reply times out", missing_reply_times_out);
	add(s, "a missing ack times out", missing_ack_times_out);
	add(s, "peer closing mid-reply is ECONNRESET",
	    peer_closing_mid_reply_is_econnreset);
	add(s, "peer gone before the ack is an error",
	    peer_gone_before_the_ack_is_an_error);
	add(s, "connect over TCP sets TCP_NODELAY", connect_tcp_sets_nodelay);
	add(s, "connect to [HOST]:PORT and :PORT",
	    connect_tcp_bracketed_and_empty_host);
	add(s, "connect to a unix path, with and without unix:",
	    connect_unix_path_and_prefix);
	add(s, "connect to an abstract unix socket", connect_abstract_unix);
	add(s, "connect to unix-abstract:NAME, unix-abstract://NAME, fd:N",
	    connect_abstract_and_fd_schemes);
	add(s, "connect failures set errno", connect_failures_set_errno);
	add(s, "close accepts NULL", close_accepts_null);
	return (s);
}

int
main(void)
{
	return (ck_run(rspc_suite()));
}
