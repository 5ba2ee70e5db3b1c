/*
 * check_listen.c -- endpoints: every address form and its kind, a clear
 * reason for each bad one, and each kind carrying bytes: TCP, unix path,
 * abstract name, connecting out, a descriptor by number, systemd's
 * inherited socket, a terminal, and the peer check on unix sockets.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "daemon/listen.h"
#include "tests/ck.h"

#define NOBODY	65534	/* uid of another user */

/* ------------------------------------------------------------ parsing */

static const struct good {
	const char	*g_addr;
	int		 g_reverse;
	enum ep_kind	 g_kind;
	const char	*g_host;	/* or the path or name */
	const char	*g_port;
} goods[] = {
	{ ":1234", 0, EP_TCP, "", "1234" },
	{ "localhost:0", 0, EP_TCP, "localhost", "0" },
	{ "[::1]:7", 0, EP_TCP, "::1", "7" },
	{ "*:7", 0, EP_TCP, "*", "7" },
	{ "tcp://127.0.0.1:9", 0, EP_TCP, "127.0.0.1", "9" },
	{ "listen://:9", 0, EP_TCP, "", "9" },
	{ "listen://:9", 1, EP_TCP, "", "9" },
	{ "127.0.0.1:9", 1, EP_TCP_CONNECT, "127.0.0.1", "9" },
	{ "tcp://h:9", 1, EP_TCP_CONNECT, "h", "9" },
	{ "connect://h:9", 0, EP_TCP_CONNECT, "h", "9" },
	{ "tcp-connect://[::1]:9", 0, EP_TCP_CONNECT, "::1", "9" },
	{ "/tmp/s", 0, EP_UNIX, "/tmp/s", "" },
	{ "unix:s", 0, EP_UNIX, "s", "" },
	{ "unix:///tmp/s", 0, EP_UNIX, "/tmp/s", "" },
	{ "unix-accept://s", 0, EP_UNIX, "s", "" },
	{ "accept://s", 0, EP_UNIX, "s", "" },
	{ "/tmp/s", 1, EP_UNIX_CONNECT, "/tmp/s", "" },
	{ "unix:///tmp/s", 1, EP_UNIX_CONNECT, "/tmp/s", "" },
	{ "unix-connect:///tmp/s", 0, EP_UNIX_CONNECT, "/tmp/s", "" },
	{ "unix-abstract://n", 0, EP_ABSTRACT, "n", "" },
	{ "unix-abstract-accept://n", 0, EP_ABSTRACT, "n", "" },
	{ "unix-abstract://n", 1, EP_ABSTRACT_CONNECT, "n", "" },
	{ "unix-abstract-connect://n", 0, EP_ABSTRACT_CONNECT, "n", "" },
	{ "-", 0, EP_STDIO, "", "" },
	{ "stdio", 0, EP_STDIO, "", "" },
	{ "serial:///dev/ttyS0", 0, EP_SERIAL, "/dev/ttyS0", "" },
	{ "serial:///dev/ttyS0", 1, EP_SERIAL, "/dev/ttyS0", "" },
	{ "serial:///dev/ttyS0?baud=4000000&parity=mark&parity-check=ignore&"
	    "stop-bits=2", 0, EP_SERIAL, "/dev/ttyS0", "" },
};
#define NGOODS	(int)(sizeof(goods) / sizeof(goods[0]))

START_TEST(each_address_form_gives_its_kind)
{
	const struct good *g = &goods[_i];
	struct endpoint ep;
	char err[256];
	int rc;

	rc = g->g_reverse ? ep_parse_reverse(&ep, g->g_addr, err, sizeof(err)) :
	    ep_parse(&ep, g->g_addr, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s: %s", g->g_addr, err);
	ck_assert_int_eq(ep.ep_kind, g->g_kind);
	if (g->g_kind == EP_TCP || g->g_kind == EP_TCP_CONNECT) {
		ck_assert_str_eq(ep.ep_host, g->g_host);
		ck_assert_str_eq(ep.ep_port, g->g_port);
	} else
		ck_assert_str_eq(ep.ep_path, g->g_host);
	ck_assert_int_eq(ep.ep_fd, -1);
	ck_assert(ep_listening(&ep) == (g->g_kind == EP_TCP ||
	    g->g_kind == EP_UNIX || g->g_kind == EP_ABSTRACT));
}
END_TEST

static const struct bad {
	const char	*b_addr;
	const char	*b_err;		/* the whole message */
} bads[] = {
	{ "bogus://x", "bogus://x: unknown URL scheme \"bogus\" (tcp, listen, "
	    "connect, unix, unix-accept, unix-connect, unix-abstract, "
	    "unix-abstract-accept, unix-abstract-connect, fd, sd-listen, "
	    "serial)" },
	{ "://x", "://x: unknown URL scheme \"\" (tcp, listen, connect, unix, "
	    "unix-accept, unix-connect, unix-abstract, unix-abstract-accept, "
	    "unix-abstract-connect, fd, sd-listen, serial)" },
	{ "hello", "hello: expected [HOST]:PORT, a unix socket path or -" },
	{ "connect://h", "connect://h: expected HOST:PORT after the scheme" },
	{ "listen://", "listen://: expected HOST:PORT after the scheme" },
	{ "connect://h:0", "connect://h:0: bad port" },
	{ "connect://*:1", "connect://*:1: cannot connect to every address" },
	{ ":65536", ":65536: bad port" },
	{ ":-1", ":-1: bad port" },
	{ "h:", "h:: bad port" },
	{ "tcp://h:x", "tcp://h:x: bad port" },
	{ "[::1:5", "[::1:5: bad host" },
	{ "unix:", "unix:: no socket path" },
	{ "unix-accept://", "unix-accept://: no socket path" },
	{ "unix-connect://", "unix-connect://: no socket path" },
	{ "unix-abstract://", "unix-abstract://: no socket name" },
	{ "unix-abstract-connect://",
	    "unix-abstract-connect://: no socket name" },
	{ "fd://", "fd://: bad descriptor number" },
	{ "fd://x", "fd://x: bad descriptor number" },
	{ "fd://-1", "fd://-1: bad descriptor number" },
	{ "fd://65536", "fd://65536: bad descriptor number" },
	{ "fd://999", "fd://999: fd 999 is not open" },
	{ "sd-listen://x", "sd-listen://x: sd-listen:// takes no name" },
	{ "sd-listen://", "sd-listen://: no socket was passed to this process "
	    "(LISTEN_PID, LISTEN_FDS)" },
	{ "serial://", "serial://: no device path" },
	{ "serial://?baud=9600", "serial://?baud=9600: no device path" },
	{ "serial:///dev/t?baud=0", "serial:///dev/t?baud=0: bad baud rate" },
	{ "serial:///dev/t?baud=4000001",
	    "serial:///dev/t?baud=4000001: bad baud rate" },
	{ "serial:///dev/t?baud=x", "serial:///dev/t?baud=x: bad baud rate" },
	{ "serial:///dev/t?parity=yes", "serial:///dev/t?parity=yes: parity "
	    "must be no, even, odd, mark or space" },
	{ "serial:///dev/t?parity-check=mark", "serial:///dev/t?parity-check="
	    "mark: parity-check must be no, replace or ignore" },
	{ "serial:///dev/t?stop-bits=3",
	    "serial:///dev/t?stop-bits=3: stop-bits must be 1 or 2" },
	{ "serial:///dev/t?baud=9600&speed=1",
	    "serial:///dev/t?baud=9600&speed=1: unknown option \"speed=1\"" },
	{ "serial:///dev/t?", "serial:///dev/t?: unknown option \"\"" },
};
#define NBADS	(int)(sizeof(bads) / sizeof(bads[0]))

START_TEST(each_bad_address_is_refused_with_its_reason)
{
	struct endpoint ep;
	char err[512] = "";

	unsetenv("LISTEN_PID");
	ck_assert_int_eq(ep_parse(&ep, bads[_i].b_addr, err, sizeof(err)), -1);
	ck_assert_str_eq(err, bads[_i].b_err);
}
END_TEST

START_TEST(longest_path_and_name_are_taken_one_more_refused)
{
	char addr[EP_MAX_PATH + 64], err[256];
	struct endpoint ep;

	/* A path: EP_MAX_PATH - 1 bytes and the NUL. */
	snprintf(addr, sizeof(addr), "unix:%0*d", EP_MAX_PATH - 1, 0);
	ck_assert_int_eq(ep_parse(&ep, addr, err, sizeof(err)), 0);
	snprintf(addr, sizeof(addr), "unix:%0*d", EP_MAX_PATH, 0);
	ck_assert_int_eq(ep_parse(&ep, addr, err, sizeof(err)), -1);
	ck_assert(strstr(err, "socket path longer than 107 bytes") != NULL);
	/* An abstract name: the leading NUL leaves EP_MAX_ABSTRACT. */
	snprintf(addr, sizeof(addr), "unix-abstract://%0*d", EP_MAX_ABSTRACT,
	    0);
	ck_assert_int_eq(ep_parse(&ep, addr, err, sizeof(err)), 0);
	snprintf(addr, sizeof(addr), "unix-abstract://%0*d",
	    EP_MAX_ABSTRACT + 1, 0);
	ck_assert_int_eq(ep_parse(&ep, addr, err, sizeof(err)), -1);
	ck_assert(strstr(err, "socket name longer than 107 bytes") != NULL);
}
END_TEST

/* The device path and the options, each to its limit. */
START_TEST(serial_options_are_read_path_and_options_to_their_limits)
{
	char addr[2 * EP_MAX_PATH + 64], err[256];
	struct endpoint ep;

	ck_assert_int_eq(ep_parse(&ep, "serial:///dev/ttyS0?baud=4000000&"
	    "parity=space&parity-check=replace&stop-bits=2", err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(ep.ep_baud, EP_MAX_BAUD);
	ck_assert_int_eq(ep.ep_parity, 's');
	ck_assert_int_eq(ep.ep_parity_check, 'r');
	ck_assert_int_eq(ep.ep_stop_bits, 2);
	ck_assert_int_eq(ep_parse(&ep, "serial:///dev/ttyS0", err,
	    sizeof(err)), 0);
	ck_assert(ep.ep_baud == 0 && ep.ep_parity == 0 &&
	    ep.ep_parity_check == 0 && ep.ep_stop_bits == 0);
	/* The path: EP_MAX_PATH - 1 bytes, then one more. */
	snprintf(addr, sizeof(addr), "serial://%0*d", EP_MAX_PATH - 1, 0);
	ck_assert_int_eq(ep_parse(&ep, addr, err, sizeof(err)), 0);
	snprintf(addr, sizeof(addr), "serial://%0*d", EP_MAX_PATH, 0);
	ck_assert_int_eq(ep_parse(&ep, addr, err, sizeof(err)), -1);
	ck_assert(strstr(err, ": device path too long") != NULL);
	/* The options: EP_MAX_PATH - 1 bytes (baud=0...09600), then one more. */
	snprintf(addr, sizeof(addr), "serial://t?baud=%0*d",
	    EP_MAX_PATH - 1 - 5, 9600);
	ck_assert_msg(ep_parse(&ep, addr, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(ep.ep_baud, 9600);
	snprintf(addr, sizeof(addr), "serial://t?baud=%0*d", EP_MAX_PATH - 5,
	    9600);
	ck_assert_int_eq(ep_parse(&ep, addr, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, ": options too long") != NULL, "%s", err);
}
END_TEST

/* ------------------------------------------------------------ traffic */

static void
parse(struct endpoint *ep, const char *addr)
{
	char err[256];

	ck_assert_msg(ep_parse(ep, addr, err, sizeof(err)) == 0, "%s: %s",
	    addr, err);
}

static void
listen_on(struct endpoint *ep, const char *addr)
{
	char err[256];

	parse(ep, addr);
	ck_assert_msg(ep_listen(ep, err, sizeof(err)) == 0, "%s: %s", addr,
	    err);
	ck_assert_int_ge(ep->ep_fd, 0);
}

static int
connect_to(const char *addr)
{
	struct endpoint ep;
	char err[256];
	int fd;

	parse(&ep, addr);
	fd = ep_connect(&ep, err, sizeof(err));
	ck_assert_msg(fd >= 0, "%s: %s", addr, err);
	return fd;
}

/* Accept, waiting for the connection a moment (the socket is O_NONBLOCK). */
static int
accept_one(struct endpoint *ep, char *desc, size_t len)
{
	struct pollfd pfd = { .fd = ep->ep_fd, .events = POLLIN };

	ck_assert_int_eq(poll(&pfd, 1, 5000), 1);
	return ep_accept(ep, desc, len);
}

static void
carries_bytes(int a, int b)
{
	char c = 0;
	struct pollfd pfd = { .fd = b, .events = POLLIN };

	ck_assert_int_eq(write(a, "z", 1), 1);
	ck_assert_int_eq(poll(&pfd, 1, 5000), 1);
	ck_assert_int_eq(read(b, &c, 1), 1);
	ck_assert_int_eq(c, 'z');
	ck_assert_int_eq(fcntl(a, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	ck_assert_int_eq(fcntl(b, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	ck_assert_int_eq(fcntl(a, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
	ck_assert_int_eq(fcntl(b, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
}

START_TEST(tcp_listens_reports_its_port_and_accepts_a_connect)
{
	struct endpoint ep;
	char addr[64], desc[128], buf[64];
	int c, s;

	listen_on(&ep, "127.0.0.1:0");
	ck_assert_int_gt(ep.ep_bound_port, 0);
	ep_describe(&ep, buf, sizeof(buf));
	snprintf(addr, sizeof(addr), "port %d", ep.ep_bound_port);
	ck_assert_str_eq(buf, addr);
	ep_socket_id(&ep, buf, sizeof(buf));
	snprintf(addr, sizeof(addr), "%d", ep.ep_bound_port);
	ck_assert_str_eq(buf, addr);
	snprintf(addr, sizeof(addr), "connect://127.0.0.1:%d", ep.ep_bound_port);
	c = connect_to(addr);
	s = accept_one(&ep, desc, sizeof(desc));
	ck_assert_int_ge(s, 0);
	ck_assert(strncmp(desc, "host 127.0.0.1, port ", 21) == 0);
	carries_bytes(c, s);
	ep_close(&ep);
	ck_assert_int_eq(ep.ep_fd, -1);
}
END_TEST

START_TEST(tcp_connect_to_nobody_is_refused)
{
	struct endpoint ep;
	char addr[64], err[256];
	int port;

	/* A port that was just free. */
	listen_on(&ep, "127.0.0.1:0");
	port = ep.ep_bound_port;
	ep_close(&ep);
	snprintf(addr, sizeof(addr), "connect://127.0.0.1:%d", port);
	parse(&ep, addr);
	ck_assert_int_eq(ep_connect(&ep, err, sizeof(err)), -1);
	ck_assert(strstr(err, "Can't connect: Connection refused.") != NULL);
}
END_TEST

START_TEST(unix_path_listens_connects_and_is_removed_on_close)
{
	char dir[] = "/tmp/check_listen.XXXXXX", addr[128], desc[128];
	char buf[160];
	struct endpoint ep;
	int c, s;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(addr, sizeof(addr), "%s/sock", dir);
	listen_on(&ep, addr);
	ep_describe(&ep, buf, sizeof(buf));
	ck_assert(strcmp(buf, "unix socket ") > 0 && strstr(buf, addr) != NULL);
	snprintf(buf, sizeof(buf), "unix-connect://%s", addr);
	c = connect_to(buf);
	s = accept_one(&ep, desc, sizeof(desc));
	ck_assert_int_ge(s, 0);
	ck_assert(strncmp(desc, "pid ", 4) == 0);
	carries_bytes(c, s);
	ep_close(&ep);
	ck_assert_int_eq(access(addr, F_OK), -1);
	rmdir(dir);
}
END_TEST

START_TEST(abstract_name_listens_connects_and_says_its_name)
{
	char name[64], addr[96], desc[128], buf[128];
	struct endpoint ep, again;
	char err[256];
	int c, s;

	snprintf(name, sizeof(name), "check-listen-%d", (int)getpid());
	snprintf(addr, sizeof(addr), "unix-abstract-accept://%s", name);
	listen_on(&ep, addr);
	ep_describe(&ep, buf, sizeof(buf));
	snprintf(addr, sizeof(addr), "abstract unix socket @%s", name);
	ck_assert_str_eq(buf, addr);
	ep_socket_id(&ep, buf, sizeof(buf));
	ck_assert_str_eq(buf, name);
	/* The name is taken while we hold it. */
	snprintf(addr, sizeof(addr), "unix-abstract://%s", name);
	parse(&again, addr);
	ck_assert_int_eq(ep_listen(&again, err, sizeof(err)), -1);
	ck_assert(strstr(err, "Address already in use") != NULL);
	snprintf(addr, sizeof(addr), "unix-abstract-connect://%s", name);
	c = connect_to(addr);
	s = accept_one(&ep, desc, sizeof(desc));
	ck_assert_int_ge(s, 0);
	carries_bytes(c, s);
	ep_close(&ep);
	/* Gone with the socket: no file to remove. */
	parse(&again, addr);
	ck_assert_int_eq(ep_connect(&again, err, sizeof(err)), -1);
	ck_assert(strstr(err, "Connection refused") != NULL);
}
END_TEST

/* A child of another user connects to name; we must refuse it. */
START_TEST(abstract_peer_of_another_user_is_refused)
{
	char name[64], addr[96], desc[128];
	struct endpoint ep;
	pid_t pid;
	int st;

	if (getuid() != 0)
		return;		/* needs root to become another user */
	snprintf(name, sizeof(name), "check-listen-peer-%d", (int)getpid());
	snprintf(addr, sizeof(addr), "unix-abstract://%s", name);
	listen_on(&ep, addr);
	if ((pid = fork()) == 0) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		int fd;

		if (setuid(NOBODY) == -1)
			_exit(2);
		memcpy(sun.sun_path + 1, name, strlen(name));
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		_exit(connect(fd, (struct sockaddr *)&sun,
		    offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name)));
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_int_eq(WEXITSTATUS(st), 0);
	ck_assert_int_eq(accept_one(&ep, desc, sizeof(desc)), -1);
	ck_assert_int_eq(errno, EACCES);
	ep_close(&ep);
}
END_TEST

/* We must not connect out to a listener another user put there. */
START_TEST(abstract_listener_of_another_user_is_refused)
{
	char name[64], addr[96], err[256];
	struct endpoint ep;
	int p[2];
	pid_t pid;
	char c;

	if (getuid() != 0)
		return;
	snprintf(name, sizeof(name), "check-listen-squat-%d", (int)getpid());
	ck_assert_int_eq(pipe(p), 0);
	if ((pid = fork()) == 0) {
		struct endpoint l;

		if (setuid(NOBODY) == -1)
			_exit(2);
		snprintf(addr, sizeof(addr), "unix-abstract://%s", name);
		if (ep_parse(&l, addr, err, sizeof(err)) == -1 ||
		    ep_listen(&l, err, sizeof(err)) == -1)
			_exit(3);
		if (write(p[1], "r", 1) != 1)
			_exit(4);
		pause();
		_exit(0);
	}
	ck_assert_int_eq(read(p[0], &c, 1), 1);
	snprintf(addr, sizeof(addr), "unix-abstract-connect://%s", name);
	parse(&ep, addr);
	ck_assert_int_eq(ep_connect(&ep, err, sizeof(err)), -1);
	ck_assert(strstr(err, "the listener is another user's") != NULL);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}
END_TEST

START_TEST(fd_by_number_is_made_close_on_exec_and_handed_over)
{
	struct endpoint ep;
	char addr[32], err[256];
	int sv[2], fd;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(fcntl(sv[0], F_GETFD) & FD_CLOEXEC, 0);
	snprintf(addr, sizeof(addr), "fd://%d", sv[0]);
	parse(&ep, addr);
	ck_assert_int_eq(ep.ep_kind, EP_FD);
	ck_assert(!ep_listening(&ep));
	/* At once: a program launched before we connect must not get it. */
	ck_assert_int_eq(fcntl(sv[0], F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	fd = ep_connect(&ep, err, sizeof(err));
	ck_assert_int_eq(fd, sv[0]);
	ep_close(&ep);
	/* ep_close does not close what was handed over. */
	ck_assert_int_ne(fcntl(fd, F_GETFD), -1);
	fcntl(sv[1], F_SETFD, FD_CLOEXEC);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	carries_bytes(fd, sv[1]);
}
END_TEST

START_TEST(fd_by_number_that_listens_is_listened_on)
{
	struct endpoint l, ep;
	char addr[64], desc[128], buf[64];
	int c, s;

	listen_on(&l, "127.0.0.1:0");
	snprintf(addr, sizeof(addr), "fd://%d", l.ep_fd);
	parse(&ep, addr);
	ck_assert_int_eq(ep.ep_kind, EP_INHERITED);
	ck_assert(ep_listening(&ep));
	ck_assert_int_eq(ep.ep_bound_port, l.ep_bound_port);
	ck_assert_int_eq(ep_listen(&ep, buf, sizeof(buf)), 0);
	ep_describe(&ep, buf, sizeof(buf));
	snprintf(addr, sizeof(addr), "port %d (fd %d)", l.ep_bound_port,
	    l.ep_fd);
	ck_assert_str_eq(buf, addr);
	snprintf(addr, sizeof(addr), "connect://127.0.0.1:%d", l.ep_bound_port);
	c = connect_to(addr);
	s = accept_one(&ep, desc, sizeof(desc));
	ck_assert_int_ge(s, 0);
	carries_bytes(c, s);
}
END_TEST

/*
 * systemd's way puts the socket at fd 3, where check(3) keeps its own
 * file in the test process: these tests run in a child of their own that
 * reports the line of a failed REQUIRE through a pipe.
 */
static int req_fd = -1;

#define REQUIRE(c) do {							\
	if (!(c)) {							\
		int line_ = __LINE__;					\
		if (write(req_fd, &line_, sizeof(line_)) < 0)		\
			_exit(2);					\
		_exit(1);						\
	}								\
} while (0)

static void
in_child(void (*body)(void))
{
	int p[2], line = 0, st;
	pid_t pid;

	ck_assert_int_eq(pipe(p), 0);
	if ((pid = fork()) == 0) {
		close(p[0]);
		req_fd = fcntl(p[1], F_DUPFD_CLOEXEC, 10);
		close(p[1]);
		body();
		_exit(0);
	}
	close(p[1]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	if (read(p[0], &line, sizeof(line)) != sizeof(line))
		line = 0;
	close(p[0]);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "failed at line %d", line);
}

/* A listening socket at fd 3, LISTEN_FDS=1, LISTEN_PID=pid. */
static int
pass_at_3(const char *addr, pid_t pid, struct endpoint *l)
{
	char s[16], err[256];

	REQUIRE(ep_parse(l, addr, err, sizeof(err)) == 0);
	REQUIRE(ep_listen(l, err, sizeof(err)) == 0);
	REQUIRE(dup2(l->ep_fd, 3) == 3);
	close(l->ep_fd);
	snprintf(s, sizeof(s), "%d", (int)pid);
	setenv("LISTEN_PID", s, 1);
	setenv("LISTEN_FDS", "1", 1);
	setenv("LISTEN_FDNAMES", "handoffd", 1);
	return l->ep_bound_port;
}

/* Connect to addr, accept it on ep, and pass a byte. */
static void
serve_one(struct endpoint *ep, const char *addr)
{
	struct endpoint cep;
	struct pollfd pfd = { .fd = ep->ep_fd, .events = POLLIN };
	char err[256], desc[128], c = 0;
	int cfd, sfd;

	REQUIRE(ep_parse(&cep, addr, err, sizeof(err)) == 0);
	REQUIRE((cfd = ep_connect(&cep, err, sizeof(err))) >= 0);
	REQUIRE(poll(&pfd, 1, 5000) == 1);
	REQUIRE((sfd = ep_accept(ep, desc, sizeof(desc))) >= 0);
	REQUIRE(write(cfd, "z", 1) == 1);
	pfd.fd = sfd;
	REQUIRE(poll(&pfd, 1, 5000) == 1);
	REQUIRE(read(sfd, &c, 1) == 1 && c == 'z');
}

static void
sd_tcp(void)
{
	struct endpoint l, ep;
	char addr[64], buf[64], err[256];
	int port;

	port = pass_at_3("127.0.0.1:0", getpid(), &l);
	REQUIRE(ep_parse(&ep, "sd-listen://", err, sizeof(err)) == 0);
	REQUIRE(ep.ep_kind == EP_INHERITED && ep.ep_bound_port == port);
	REQUIRE(getenv("LISTEN_PID") == NULL && getenv("LISTEN_FDS") == NULL &&
	    getenv("LISTEN_FDNAMES") == NULL);
	REQUIRE((fcntl(3, F_GETFD) & FD_CLOEXEC) == FD_CLOEXEC);
	REQUIRE(ep_listen(&ep, err, sizeof(err)) == 0 && ep.ep_fd == 3);
	REQUIRE((fcntl(3, F_GETFL) & O_NONBLOCK) == O_NONBLOCK);
	ep_socket_id(&ep, buf, sizeof(buf));
	snprintf(addr, sizeof(addr), "%d", port);
	REQUIRE(strcmp(buf, addr) == 0);
	snprintf(addr, sizeof(addr), "connect://127.0.0.1:%d", port);
	serve_one(&ep, addr);
	ep_close(&ep);
	REQUIRE(fcntl(3, F_GETFD) == -1);
}

START_TEST(systemd_socket_is_taken_from_fd_3_and_the_variables_go)
{
	in_child(sd_tcp);
}
END_TEST

static void
sd_abstract(void)
{
	char name[64], addr[96], buf[128], err[256];
	struct endpoint l, ep;

	snprintf(name, sizeof(name), "check-listen-sd-%d", (int)getpid());
	snprintf(addr, sizeof(addr), "unix-abstract://%s", name);
	pass_at_3(addr, getpid(), &l);
	REQUIRE(ep_parse(&ep, "sd-listen://", err, sizeof(err)) == 0);
	REQUIRE(ep_listen(&ep, err, sizeof(err)) == 0);
	ep_describe(&ep, buf, sizeof(buf));
	snprintf(addr, sizeof(addr), "abstract unix socket @%s (fd 3)", name);
	REQUIRE(strcmp(buf, addr) == 0);
	ep_socket_id(&ep, buf, sizeof(buf));
	REQUIRE(strcmp(buf, name) == 0);
	snprintf(addr, sizeof(addr), "unix-abstract-connect://%s", name);
	serve_one(&ep, addr);
	ep_close(&ep);
}

START_TEST(systemd_unix_socket_keeps_its_name)
{
	in_child(sd_abstract);
}
END_TEST

static void
sd_other_pid(void)
{
	struct endpoint l, ep;
	char err[256];

	pass_at_3("127.0.0.1:0", getpid() + 1, &l);
	REQUIRE(ep_parse(&ep, "sd-listen://", err, sizeof(err)) == -1);
	REQUIRE(strstr(err, "no socket was passed to this process") != NULL);
	/* Left alone for whoever they are meant for. */
	REQUIRE(getenv("LISTEN_PID") != NULL);
}

START_TEST(systemd_variables_for_another_pid_are_not_ours)
{
	in_child(sd_other_pid);
}
END_TEST

static void
sd_not_listening(void)
{
	struct endpoint ep;
	char err[256];
	int sv[2];

	REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	REQUIRE(dup2(sv[0], 3) == 3);
	setenv("LISTEN_FDS", "1", 1);
	snprintf(err, sizeof(err), "%d", (int)getpid());
	setenv("LISTEN_PID", err, 1);
	REQUIRE(ep_parse(&ep, "sd-listen://", err, sizeof(err)) == -1);
	REQUIRE(strcmp(err,
	    "sd-listen://: fd 3 is not a listening stream socket") == 0);
}

START_TEST(systemd_fd_3_that_does_not_listen_is_refused)
{
	in_child(sd_not_listening);
}
END_TEST

/* A pty: opened raw with the options asked for, and carrying bytes. */
START_TEST(serial_terminal_is_opened_raw_with_its_options)
{
	char addr[EP_MAX_PATH + 64], err[256];
	struct endpoint ep;
	struct termios t;
	int m, fd;

	ck_assert_int_ge(m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), 0);
	ck_assert(grantpt(m) == 0 && unlockpt(m) == 0);
	snprintf(addr, sizeof(addr), "serial://%s?baud=19200&parity=odd&"
	    "parity-check=ignore&stop-bits=2", ptsname(m));
	parse(&ep, addr);
	ck_assert_msg((fd = ep_connect(&ep, err, sizeof(err))) >= 0, "%s", err);
	ck_assert_int_eq(tcgetattr(fd, &t), 0);
	ck_assert_int_eq(t.c_lflag & (ICANON | ECHO | ISIG), 0);
	ck_assert_int_eq(t.c_oflag & OPOST, 0);
	ck_assert_int_eq(cfgetospeed(&t), B19200);
	/* Linux's pty keeps 8 bits with no parity bit (PARENB) whatever. */
	ck_assert_int_eq(t.c_cflag & (PARODD | CMSPAR | CSTOPB),
	    PARODD | CSTOPB);
	ck_assert_int_eq(t.c_iflag & (INPCK | IGNPAR), INPCK | IGNPAR);
	ck_assert_int_eq(fcntl(m, F_SETFL, O_NONBLOCK), 0);
	carries_bytes(fd, m);
	carries_bytes(m, fd);
	close(fd);
	close(m);
	/* Not a terminal, and no such device: said by name. */
	parse(&ep, "serial:///dev/null");
	ck_assert_int_eq(ep_connect(&ep, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "/dev/null: not a terminal");
	parse(&ep, "serial:///nonexistent/tty");
	ck_assert_int_eq(ep_connect(&ep, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "/nonexistent/tty: No such file or directory");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("listen");
	TCase *tc;

	tc = tcase_create("each_address_form_gives_its_kind");
	tcase_add_loop_test(tc, each_address_form_gives_its_kind, 0, NGOODS);
	suite_add_tcase(s, tc);
	tc = tcase_create("each_bad_address_is_refused_with_its_reason");
	tcase_add_loop_test(tc, each_bad_address_is_refused_with_its_reason,
	    0, NBADS);
	suite_add_tcase(s, tc);
	ck_add(s, "longest_path_and_name", longest_path_and_name_are_taken_one_more_refused, 10, NULL);
	ck_add(s, "serial_options", serial_options_are_read_path_and_options_to_their_limits, 10, NULL);
	ck_add(s, "serial_terminal", serial_terminal_is_opened_raw_with_its_options, 10, NULL);
	ck_add(s, "tcp", tcp_listens_reports_its_port_and_accepts_a_connect, 10, NULL);
	ck_add(s, "tcp_refused", tcp_connect_to_nobody_is_refused, 10, NULL);
	ck_add(s, "unix_path", unix_path_listens_connects_and_is_removed_on_close, 10, NULL);
	ck_add(s, "abstract", abstract_name_listens_connects_and_says_its_name, 10, NULL);
	ck_add(s, "abstract_peer", abstract_peer_of_another_user_is_refused, 10, NULL);
	ck_add(s, "abstract_squatter", abstract_listener_of_another_user_is_refused, 10, NULL);
	ck_add(s, "fd_connected", fd_by_number_is_made_close_on_exec_and_handed_over, 10, NULL);
	ck_add(s, "fd_listening", fd_by_number_that_listens_is_listened_on, 10, NULL);
	ck_add(s, "systemd_tcp", systemd_socket_is_taken_from_fd_3_and_the_variables_go, 10, NULL);
	ck_add(s, "systemd_unix", systemd_unix_socket_keeps_its_name, 10, NULL);
	ck_add(s, "systemd_other_pid", systemd_variables_for_another_pid_are_not_ours, 10, NULL);
	ck_add(s, "systemd_not_listening", systemd_fd_3_that_does_not_listen_is_refused, 10, NULL);
	return ck_run(s);
}
