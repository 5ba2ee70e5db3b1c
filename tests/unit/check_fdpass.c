/*
 * check_fdpass.c -- passing descriptors: the good cases, and hostile or
 * broken control data that must cost neither a crash nor a leaked
 * descriptor nor the bytes of the stream.
 */
#include <sys/socket.h>
#include <sys/uio.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "handoff/fdpass.h"
#include "tests/ck.h"
#include "tests/unit/fakesrv.h"

static void
pair(int type, int sv[2])
{
	ck_assert_int_eq(socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv), 0);
}

/* sendmsg with n descriptors of fds[], built by hand. */
static void
send_raw(int sock, const int *fds, int n, int type)
{
	char cbuf[CMSG_SPACE(16 * sizeof(int))];
	struct iovec iov = { "x", 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = cbuf, .msg_controllen = CMSG_SPACE(n * sizeof(int)) };
	struct cmsghdr *c;

	memset(cbuf, 0, sizeof(cbuf));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = type;
	c->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	ck_assert_int_eq(sendmsg(sock, &msg, 0), 1);
}

START_TEST(a_descriptor_and_its_bytes_arrive)
{
	int sv[2], p[2], fd;
	char buf[8], c;

	pair(SOCK_STREAM, sv);
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(fdpass_send(sv[0], p[1], "hello", 5), 5);
	ck_assert_int_eq(fdpass_recv(sv[1], &fd, buf, sizeof(buf)), 5);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_ne(fd, p[1]);
	ck_assert(memcmp(buf, "hello", 5) == 0);
	ck_assert_int_eq(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	ck_assert_int_eq(write(fd, "z", 1), 1);
	ck_assert_int_eq(read(p[0], &c, 1), 1);
	ck_assert_int_eq(c, 'z');
	/* The sender still owns its descriptor. */
	ck_assert_int_ne(fcntl(p[1], F_GETFD), -1);
}
END_TEST

START_TEST(no_descriptor_gives_minus_one)
{
	int sv[2], fd = 99;
	char buf[4];

	pair(SOCK_SEQPACKET, sv);
	ck_assert_int_eq(fdpass_send(sv[0], -1, "ab", 2), 2);
	ck_assert_int_eq(fdpass_recv(sv[1], &fd, buf, sizeof(buf)), 2);
	ck_assert_int_eq(fd, -1);
}
END_TEST

START_TEST(zero_length_is_refused)
{
	int sv[2], fd;
	char buf[1];

	pair(SOCK_STREAM, sv);
	ck_assert_int_eq(fdpass_send(sv[0], 0, buf, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(fdpass_recv(sv[1], &fd, buf, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(two_descriptors_are_closed_and_reported_lost)
{
	int sv[2], p[2], fds[2], fd, before;
	char buf[4];

	pair(SOCK_STREAM, sv);
	ck_assert_int_eq(pipe(p), 0);
	fds[0] = p[0];
	fds[1] = p[1];
	before = count_fds();
	send_raw(sv[0], fds, 2, SCM_RIGHTS);
	ck_assert_int_eq(fdpass_recv(sv[1], &fd, buf, sizeof(buf)), 1);
	ck_assert_int_eq(fd, FDPASS_LOST);
	ck_assert_int_eq(buf[0], 'x');
	ck_assert_int_eq(count_fds(), before);
}
END_TEST

START_TEST(too_many_descriptors_are_truncated_and_closed)
{
	int sv[2], fds[16], fd, before, i;
	char buf[4];

	pair(SOCK_STREAM, sv);
	for (i = 0; i < 16; i++)
		fds[i] = 0;	/* sixteen copies of stdin */
	before = count_fds();
	send_raw(sv[0], fds, 16, SCM_RIGHTS);
	ck_assert_int_eq(fdpass_recv(sv[1], &fd, buf, sizeof(buf)), 1);
	ck_assert_int_eq(fd, FDPASS_LOST);
	ck_assert_int_eq(count_fds(), before);
}
END_TEST

START_TEST(credentials_instead_of_rights_are_refused)
{
	struct ucred cred = { getpid(), getuid(), getgid() };
	int sv[2], fd, on = 1;
	char buf[4];

	pair(SOCK_STREAM, sv);
	ck_assert_int_eq(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on,
	    sizeof(on)), 0);
	send_raw(sv[0], (int *)&cred, sizeof(cred) / sizeof(int),
	    SCM_CREDENTIALS);
	ck_assert_int_eq(fdpass_recv(sv[1], &fd, buf, sizeof(buf)), 1);
	ck_assert_int_eq(fd, FDPASS_LOST);
}
END_TEST

START_TEST(empty_nonblocking_socket_is_eagain_and_eof_is_zero)
{
	int sv[2], fd;
	char buf[4];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
	    sv), 0);
	ck_assert_int_eq(fdpass_recv(sv[1], &fd, buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, EAGAIN);
	close(sv[0]);
	ck_assert_int_eq(fdpass_recv(sv[1], &fd, buf, sizeof(buf)), 0);
	ck_assert_int_eq(fd, -1);
}
END_TEST

START_TEST(send_to_a_closed_peer_fails_and_keeps_the_descriptor)
{
	int sv[2], p[2];

	pair(SOCK_STREAM, sv);
	ck_assert_int_eq(pipe(p), 0);
	close(sv[1]);
	ck_assert_int_eq(fdpass_send(sv[0], p[0], "x", 1), -1);
	ck_assert_int_eq(errno, EPIPE);
	ck_assert_int_ne(fcntl(p[0], F_GETFD), -1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("fdpass");
	TCase *tc = tcase_create("fdpass");

	tcase_add_test(tc, a_descriptor_and_its_bytes_arrive);
	tcase_add_test(tc, no_descriptor_gives_minus_one);
	tcase_add_test(tc, zero_length_is_refused);
	tcase_add_test(tc, two_descriptors_are_closed_and_reported_lost);
	tcase_add_test(tc, too_many_descriptors_are_truncated_and_closed);
	tcase_add_test(tc, credentials_instead_of_rights_are_refused);
	tcase_add_test(tc, empty_nonblocking_socket_is_eagain_and_eof_is_zero);
	tcase_add_test(tc, send_to_a_closed_peer_fails_and_keeps_the_descriptor);
	suite_add_tcase(s, tc);
	return ck_run(s);
}
