/*
 * check_conn.c -- notifications that carry a descriptor (conn_notify):
 * the descriptor rides with the notification's first byte, waits with
 * it behind a full socket, and CONN_MAX_FDS of them may wait at most;
 * one past that is refused and closed, never leaked.
 */
#include <sys/socket.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/conn.h"
#include "daemon/loop.h"
#include "handoff/fdpass.h"
#include "tests/ck.h"
#include "tests/unit/fakesrv.h"

static void
on_packet(struct conn *c, char *p, size_t len)
{
	(void)c, (void)p, (void)len;
}

static void
on_interrupt(struct conn *c)
{
	(void)c;
}

static void
on_closed(struct conn *c)
{
	(void)c;
}

static const struct conn_ops ops = { on_packet, on_interrupt, on_closed };

#define MARKER	"the child's connection"

struct rig {
	struct loop	*r_loop;
	struct conn	*r_conn;
	int		 r_peer;
};

static void
rig_open(struct rig *r)
{
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
	    sv), 0);
	r->r_loop = loop_new();
	r->r_conn = conn_new(r->r_loop, sv[0], sv[0], &ops, NULL, "test");
	conn_set_noack(r->r_conn, true);
	r->r_peer = sv[1];
}

static void
rig_close(struct rig *r)
{
	conn_close(r->r_conn);
	loop_free(r->r_loop);
	close(r->r_peer);
}

/*
 * Read everything the peer has, with the descriptors: each one must
 * arrive on a '%'.  Returns the descriptors received (closed here).
 */
static int
drain(struct rig *r, size_t *bytes)
{
	char buf[65536];
	ssize_t n;
	int fd, got = 0;

	*bytes = 0;
	fcntl(r->r_peer, F_SETFL, O_NONBLOCK);
	for (;;) {
		n = fdpass_recv(r->r_peer, &fd, buf, sizeof(buf));
		if (n == -1 && errno == EAGAIN) {
			if (conn_pending(r->r_conn) == 0)
				break;
			loop_once(r->r_loop, 100);	/* it writes more */
			continue;
		}
		ck_assert_int_gt(n, 0);
		if (fd >= 0) {
			/* Linux may join earlier bytes to the read. */
			ck_assert_ptr_nonnull(memchr(buf, '%', (size_t)n));
			assert_marker(fd, MARKER);
			got++;
		}
		*bytes += (size_t)n;
	}
	return (got);
}

/* A marked descriptor: a pipe end whose pair holds the marker. */
static int
marked(void)
{
	int p[2];

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	ck_assert_int_eq(write(p[1], MARKER, strlen(MARKER)),
	    (ssize_t)strlen(MARKER));
	close(p[1]);
	return (p[0]);
}

START_TEST(a_descriptor_rides_with_its_notification)
{
	struct rig r;
	char buf[256];
	int fd = -1, got, before = count_fds();
	size_t total = 0;
	ssize_t n;

	rig_open(&r);
	conn_send(r.r_conn, "OK", 2);
	ck_assert_int_eq(conn_notify(r.r_conn, "Handoff:pid:1", 13, marked()),
	    0);
	/*
	 * The packet, then the notification, with the descriptor in the
	 * read that holds the '%' (Linux may join the packet to it).
	 */
	while (total < 6 + 17) {
		n = fdpass_recv(r.r_peer, &got, buf + total,
		    sizeof(buf) - total);
		ck_assert_int_gt(n, 0);
		if (got >= 0) {
			ck_assert_int_eq(fd, -1);
			ck_assert_ptr_nonnull(memchr(buf + total, '%',
			    (size_t)n));
			fd = got;
		}
		total += (size_t)n;
	}
	ck_assert_int_eq(total, 6 + 17);	/* "$OK#9a%Handoff:pid:1#cs" */
	ck_assert_int_eq(memcmp(buf, "$OK#9a%Handoff:pid:1#", 21), 0);
	assert_marker(fd, MARKER);
	rig_close(&r);
	ck_assert_int_eq(count_fds(), before);
}
END_TEST

START_TEST(at_and_past_conn_max_fds)
{
	char big[60000];
	struct rig r;
	size_t bytes;
	int i, got, nopen, before = count_fds();

	rig_open(&r);
	nopen = count_fds();
	memset(big, 'x', sizeof(big));
	/* A peer that reads nothing: fill the socket, then queue. */
	while (conn_pending(r.r_conn) == 0)
		conn_send(r.r_conn, big, sizeof(big));
	for (i = 0; i < CONN_MAX_FDS; i++)
		ck_assert_int_eq(conn_notify(r.r_conn, "Handoff:pid:2", 13,
		    marked()), 0);
	errno = 0;
	ck_assert_int_eq(conn_notify(r.r_conn, "Handoff:pid:3", 13,
	    marked()), -1);
	ck_assert_int_eq(errno, ENOBUFS);
	ck_assert_int_eq(count_fds(), nopen + CONN_MAX_FDS);
	got = drain(&r, &bytes);
	ck_assert_int_eq(got, CONN_MAX_FDS);
	ck_assert_int_eq(conn_pending(r.r_conn), 0);
	rig_close(&r);
	ck_assert_int_eq(count_fds(), before);
}
END_TEST

START_TEST(queued_descriptors_close_with_the_connection)
{
	char big[60000];
	struct rig r;
	int i, before = count_fds();

	rig_open(&r);
	memset(big, 'x', sizeof(big));
	while (conn_pending(r.r_conn) == 0)
		conn_send(r.r_conn, big, sizeof(big));
	for (i = 0; i < 8; i++)
		ck_assert_int_eq(conn_notify(r.r_conn, "Handoff:pid:4", 13,
		    marked()), 0);
	rig_close(&r);
	ck_assert_int_eq(count_fds(), before);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("conn");
	TCase *tc = tcase_create("conn");

	tcase_add_test(tc, a_descriptor_rides_with_its_notification);
	tcase_add_test(tc, at_and_past_conn_max_fds);
	tcase_add_test(tc, queued_descriptors_close_with_the_connection);
	suite_add_tcase(s, tc);
	return (ck_run(s));
}
