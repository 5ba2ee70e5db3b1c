/*
 * check_peer.c -- who is on the other end: real sockets of every kind the
 * claim check meets, a peer of another uid (as root), and peers that are
 * gone, which must never pass for root.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "platform/peer.h"
#include "tests/ck.h"

#define NOBODY	65534

/* addr (numeric) and port as a sockaddr of its family. */
static socklen_t
mkaddr(struct sockaddr_storage *ss, int family, const char *addr,
    in_port_t port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	ss->ss_family = family;
	if (family == AF_INET) {
		ck_assert_int_eq(inet_pton(AF_INET, addr, &sin->sin_addr), 1);
		sin->sin_port = port;
		return sizeof(*sin);
	}
	ck_assert_int_eq(inet_pton(AF_INET6, addr, &sin6->sin6_addr), 1);
	sin6->sin6_port = port;
	return sizeof(*sin6);
}

/* A TCP listener on addr, any port; -1 when addr cannot be bound. */
static int
listener(int family, const char *addr, in_port_t *port)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, off = 0;

	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	/* Dual stack, so an AF_INET client can reach a mapped listener. */
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	sl = mkaddr(&ss, family, addr, 0);
	if (bind(fd, (struct sockaddr *)&ss, sl) == -1) {
		close(fd);
		return -1;
	}
	ck_assert_int_eq(listen(fd, 4), 0);
	sl = sizeof(ss);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&ss, &sl), 0);
	*port = family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port :
	    ((struct sockaddr_in6 *)&ss)->sin6_port;
	return fd;
}

static int
dial(int family, const char *addr, in_port_t port)
{
	struct sockaddr_storage ss;
	socklen_t sl = mkaddr(&ss, family, addr, port);
	int fd;

	if ((fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&ss, sl) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The next connection on l, waited for briefly: a child may have failed. */
static int
take(int l)
{
	struct pollfd pfd = { l, POLLIN, 0 };

	ck_assert_int_eq(poll(&pfd, 1, 3000), 1);
	return accept4(l, NULL, NULL, SOCK_CLOEXEC);
}

/*
 * A connection from a client of family cfam dialing caddr to a listener
 * of family lfam on laddr: the accepted end in *acc, the client's in
 * *cli.  False when laddr cannot be bound here.
 */
static bool
tcp_conn(int lfam, const char *laddr, int cfam, const char *caddr, int *acc,
    int *cli)
{
	in_port_t port;
	int l;

	if ((l = listener(lfam, laddr, &port)) == -1)
		return false;
	ck_assert_int_ne(*cli = dial(cfam, caddr, port), -1);
	ck_assert_int_ne(*acc = take(l), -1);
	close(l);
	return true;
}

/* Both ends of a connection see our own uid, and are entitled. */
static void
both_ends_are_ours(int acc, int cli)
{
	char why[128];
	uid_t uid;

	uid = (uid_t)-2;
	ck_assert_int_eq(peer_uid(acc, &uid), 0);
	ck_assert_uint_eq(uid, geteuid());
	uid = (uid_t)-2;
	ck_assert_int_eq(peer_uid(cli, &uid), 0);
	ck_assert_uint_eq(uid, geteuid());
	ck_assert(peer_entitled(acc, false, why, sizeof(why)));
	ck_assert(peer_entitled(cli, false, why, sizeof(why)));
}

/*
 * Close a connected client so its socket becomes a TIME_WAIT minisocket
 * at once, not an orphan that turns into one later: send the FIN first
 * and close only once it is acknowledged (FIN_WAIT2).  False if the
 * acknowledgement does not come.
 */
static bool
close_to_time_wait(int fd)
{
	struct tcp_info ti;
	socklen_t len;
	int i;

	if (shutdown(fd, SHUT_WR) == -1)
		return false;
	for (i = 0; i < 200; i++) {
		len = sizeof(ti);
		if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == -1)
			return false;
		if (ti.tcpi_state == TCP_FIN_WAIT2)
			return close(fd) == 0;
		usleep(10000);
	}
	return false;
}

/*
 * A child that becomes NOBODY, then creates its socket (the kernel
 * records the uid at creation) and connects to port on 127.0.0.1.  It
 * holds the connection until *hold is closed, or, when hold is NULL,
 * closes it into TIME_WAIT and exits.
 */
static pid_t
nobody_dials(in_port_t port, int *hold)
{
	int p[2], fd;
	pid_t pid;
	char c;

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		close(p[1]);
		if (setresuid(NOBODY, NOBODY, NOBODY) == -1)
			_exit(2);
		if ((fd = dial(AF_INET, "127.0.0.1", port)) == -1)
			_exit(3);
		if (hold == NULL)
			_exit(close_to_time_wait(fd) ? 0 : 4);
		while (read(p[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(p[0]);
	if (hold != NULL)
		*hold = p[1];
	else
		close(p[1]);
	return pid;
}

static void
reaped_clean(pid_t pid)
{
	int st;

	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);
}

START_TEST(unix_socketpair_peer_is_our_uid)
{
	char why[128];
	uid_t uid = (uid_t)-2;
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
	    sv), 0);
	ck_assert_int_eq(peer_uid(sv[0], &uid), 0);
	ck_assert_uint_eq(uid, geteuid());
	ck_assert(peer_entitled(sv[1], false, why, sizeof(why)));
}
END_TEST

START_TEST(tcp_ipv4_loopback_peer_is_our_uid)
{
	int acc, cli;

	ck_assert(tcp_conn(AF_INET, "127.0.0.1", AF_INET, "127.0.0.1", &acc,
	    &cli));
	both_ends_are_ours(acc, cli);
}
END_TEST

START_TEST(tcp_ipv4_loopback_beyond_127_0_0_1_is_our_uid)
{
	int acc, cli;

	ck_assert(tcp_conn(AF_INET, "127.1.2.3", AF_INET, "127.1.2.3", &acc,
	    &cli));
	both_ends_are_ours(acc, cli);
}
END_TEST

START_TEST(tcp_ipv6_loopback_peer_is_our_uid)
{
	int acc, cli;

	if (!tcp_conn(AF_INET6, "::1", AF_INET6, "::1", &acc, &cli)) {
		fprintf(stderr, "# ::1 unavailable: case skipped\n");
		return;
	}
	both_ends_are_ours(acc, cli);
}
END_TEST

/* Our AF_INET6 socket, an AF_INET peer: the IPv4-mapped pair. */
START_TEST(ipv4_client_of_a_dual_stack_listener_is_our_uid)
{
	struct sockaddr_in6 sin6;
	socklen_t sl = sizeof(sin6);
	int acc, cli;

	if (!tcp_conn(AF_INET6, "::ffff:127.0.0.1", AF_INET, "127.0.0.1",
	    &acc, &cli)) {
		fprintf(stderr, "# no IPv6: case skipped\n");
		return;
	}
	ck_assert_int_eq(getpeername(acc, (struct sockaddr *)&sin6, &sl), 0);
	ck_assert_int_eq(sin6.sin6_family, AF_INET6);
	ck_assert(IN6_IS_ADDR_V4MAPPED(&sin6.sin6_addr));
	both_ends_are_ours(acc, cli);
}
END_TEST

/* Our AF_INET socket, an AF_INET6 peer dialing a mapped address. */
START_TEST(mapped_ipv6_client_of_an_ipv4_listener_is_our_uid)
{
	int acc, cli;

	if (!tcp_conn(AF_INET, "127.0.0.1", AF_INET6, "::ffff:127.0.0.1",
	    &acc, &cli)) {
		fprintf(stderr, "# no IPv6: case skipped\n");
		return;
	}
	both_ends_are_ours(acc, cli);
}
END_TEST

START_TEST(tcp_peer_of_another_uid_is_named_and_refused)
{
	char why[128];
	in_port_t port;
	uid_t uid = 0;
	int l, acc, hold;
	pid_t pid;

	if (geteuid() != 0)
		return;		/* needs root to become another user */
	ck_assert_int_ne(l = listener(AF_INET, "127.0.0.1", &port), -1);
	pid = nobody_dials(port, &hold);
	ck_assert_int_ne(acc = take(l), -1);
	ck_assert_int_eq(peer_uid(acc, &uid), 0);
	ck_assert_uint_eq(uid, NOBODY);
	why[0] = '\0';
	ck_assert(!peer_entitled(acc, false, why, sizeof(why)));
	ck_assert_str_eq(why, "peer uid 65534 is neither 0 nor ours");
	ck_assert(peer_entitled(acc, true, why, sizeof(why)));
	close(hold);
	reaped_clean(pid);
}
END_TEST

/*
 * The kernel reports a TIME_WAIT socket (what a closed client leaves) as
 * uid 0: a peer that closes first must not pass for root.  (An orphan
 * still in FIN_WAIT2 keeps its uid; close_to_time_wait avoids that.)
 */
START_TEST(closed_peer_of_another_uid_is_not_taken_for_root)
{
	char why[128], c;
	in_port_t port;
	uid_t uid = 0;
	int l, acc, rc;

	if (geteuid() != 0)
		return;
	ck_assert_int_ne(l = listener(AF_INET, "127.0.0.1", &port), -1);
	reaped_clean(nobody_dials(port, NULL));
	ck_assert_int_ne(acc = take(l), -1);
	ck_assert_int_eq(read(acc, &c, 1), 0);	/* its FIN is here */
	errno = 0;
	rc = peer_uid(acc, &uid);
	if (rc == 0)
		ck_assert_uint_eq(uid, NOBODY);
	else
		ck_assert_int_eq(errno, ENOENT);
	ck_assert(!peer_entitled(acc, false, why, sizeof(why)));
}
END_TEST

START_TEST(closed_peer_is_gone_or_still_ours)
{
	char why[128], c;
	uid_t uid = (uid_t)-2;
	int acc, cli, rc;

	ck_assert(tcp_conn(AF_INET, "127.0.0.1", AF_INET, "127.0.0.1", &acc,
	    &cli));
	ck_assert(close_to_time_wait(cli));
	ck_assert_int_eq(read(acc, &c, 1), 0);
	errno = 0;
	rc = peer_uid(acc, &uid);
	if (rc == 0) {
		ck_assert_uint_eq(uid, geteuid());
	} else {
		ck_assert_int_eq(errno, ENOENT);
		ck_assert(!peer_entitled(acc, false, why, sizeof(why)));
		ck_assert(strstr(why, "127.0.0.1") != NULL);
	}
}
END_TEST

START_TEST(unix_peer_of_another_uid_is_refused_even_with_allow_any)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char why[128], c;
	socklen_t sl;
	uid_t uid = 0;
	int l, acc, p[2];
	pid_t pid;

	if (geteuid() != 0)
		return;
	snprintf(sun.sun_path + 1, sizeof(sun.sun_path) - 1,
	    "check-peer-%d", (int)getpid());
	sl = offsetof(struct sockaddr_un, sun_path) + 1 +
	    strlen(sun.sun_path + 1);
	ck_assert_int_ne(l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0),
	    -1);
	ck_assert_int_eq(bind(l, (struct sockaddr *)&sun, sl), 0);
	ck_assert_int_eq(listen(l, 1), 0);
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		int fd;

		close(p[1]);
		if (setresuid(NOBODY, NOBODY, NOBODY) == -1 ||
		    (fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
		    connect(fd, (struct sockaddr *)&sun, sl) == -1)
			_exit(2);
		while (read(p[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(p[0]);
	ck_assert_int_ne(acc = take(l), -1);
	ck_assert_int_eq(peer_uid(acc, &uid), 0);
	ck_assert_uint_eq(uid, NOBODY);
	ck_assert(!peer_entitled(acc, true, why, sizeof(why)));
	ck_assert(strstr(why, "65534") != NULL);
	close(p[1]);
	reaped_clean(pid);
}
END_TEST

START_TEST(pipe_is_not_a_socket_and_is_entitled)
{
	uid_t uid;
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(peer_uid(p[0], &uid), -1);
	ck_assert_int_eq(errno, ENOTSOCK);
	ck_assert(peer_entitled(p[0], false, NULL, 0));
}
END_TEST

START_TEST(udp_socket_is_eafnosupport_and_refused)
{
	struct sockaddr_storage ss;
	socklen_t sl = mkaddr(&ss, AF_INET, "127.0.0.1", htons(9));
	char why[128];
	uid_t uid;
	int fd;

	ck_assert_int_ne(fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0),
	    -1);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&ss, sl), 0);
	ck_assert_int_eq(peer_uid(fd, &uid), -1);
	ck_assert_int_eq(errno, EAFNOSUPPORT);
	ck_assert(!peer_entitled(fd, false, why, sizeof(why)));
	ck_assert(!peer_entitled(fd, true, why, sizeof(why)));
	ck_assert_str_eq(why, "not a unix or TCP socket");
}
END_TEST

START_TEST(unconnected_sockets_are_enotconn)
{
	uid_t uid;
	int u, t;

	ck_assert_int_ne(u = socket(AF_UNIX, SOCK_STREAM, 0), -1);
	ck_assert_int_eq(peer_uid(u, &uid), -1);
	ck_assert_int_eq(errno, ENOTCONN);
	ck_assert_int_ne(t = socket(AF_INET, SOCK_STREAM, 0), -1);
	ck_assert_int_eq(peer_uid(t, &uid), -1);
	ck_assert_int_eq(errno, ENOTCONN);
}
END_TEST

static const struct {
	const char	*addr;
	bool		 loopback;
} addrs[] = {
	{ "127.0.0.1", true },
	{ "127.1.2.3", true },
	{ "::1", true },
	{ "::ffff:127.0.0.1", true },
	{ "10.0.0.5", false },
	{ "::ffff:10.0.0.5", false },
	{ "192.168.1.1", false },
	{ "fe80::1", false },
	{ "128.0.0.1", false },
	{ "::", false },
};
#define NADDRS	(sizeof(addrs) / sizeof(addrs[0]))

START_TEST(each_address_is_classed_loopback_or_not)
{
	struct sockaddr_storage ss;
	int family = strchr(addrs[_i].addr, ':') ? AF_INET6 : AF_INET;

	mkaddr(&ss, family, addrs[_i].addr, 0);
	ck_assert_msg(peer_addr_loopback((struct sockaddr *)&ss) ==
	    addrs[_i].loopback, "%s", addrs[_i].addr);
}
END_TEST

START_TEST(unix_address_is_not_loopback)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	ck_assert(!peer_addr_loopback((struct sockaddr *)&sun));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("peer");
	TCase *tc;

	ck_add(s, "unix_pair", unix_socketpair_peer_is_our_uid, 10, NULL);
	ck_add(s, "tcp4", tcp_ipv4_loopback_peer_is_our_uid, 10, NULL);
	ck_add(s, "tcp4_127_1_2_3",
	    tcp_ipv4_loopback_beyond_127_0_0_1_is_our_uid, 10, NULL);
	ck_add(s, "tcp6", tcp_ipv6_loopback_peer_is_our_uid, 10, NULL);
	ck_add(s, "mapped_listener",
	    ipv4_client_of_a_dual_stack_listener_is_our_uid, 10, NULL);
	ck_add(s, "mapped_client",
	    mapped_ipv6_client_of_an_ipv4_listener_is_our_uid, 10, NULL);
	ck_add(s, "other_uid", tcp_peer_of_another_uid_is_named_and_refused,
	    10, NULL);
	ck_add(s, "closed_other_uid",
	    closed_peer_of_another_uid_is_not_taken_for_root, 10, NULL);
	ck_add(s, "closed", closed_peer_is_gone_or_still_ours, 10, NULL);
	ck_add(s, "unix_other_uid",
	    unix_peer_of_another_uid_is_refused_even_with_allow_any, 10, NULL);
	ck_add(s, "pipe", pipe_is_not_a_socket_and_is_entitled, 10, NULL);
	ck_add(s, "udp", udp_socket_is_eafnosupport_and_refused, 10, NULL);
	ck_add(s, "unconnected", unconnected_sockets_are_enotconn, 10, NULL);
	tc = tcase_create("each_address_is_classed_loopback_or_not");
	tcase_add_loop_test(tc, each_address_is_classed_loopback_or_not, 0,
	    NADDRS);
	suite_add_tcase(s, tc);
	ck_add(s, "unix_addr", unix_address_is_not_loopback, 10, NULL);
	return ck_run(s);
}
