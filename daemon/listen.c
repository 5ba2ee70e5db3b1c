/*
 * listen.c -- endpoints (see listen.h).
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <termios.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/listen.h"
#include "daemon/log.h"
#include "daemon/loop.h"
#include "platform/peer.h"

#define EP_SD_MAX_FDS		64	/* LISTEN_FDS we make close-on-exec */

/* URL schemes: lldb-server's, and sd-listen:// for systemd. */
static const struct ep_scheme {
	const char	*es_name;
	enum ep_kind	 es_kind;
	enum ep_kind	 es_reverse;	/* with --reverse-connect */
} ep_schemes[] = {
	{ "tcp",			EP_TCP,		EP_TCP_CONNECT },
	{ "listen",			EP_TCP,		EP_TCP },
	{ "unix",			EP_UNIX,	EP_UNIX_CONNECT },
	{ "unix-accept",		EP_UNIX,	EP_UNIX },
	{ "accept",			EP_UNIX,	EP_UNIX },
	{ "unix-abstract",		EP_ABSTRACT,	EP_ABSTRACT_CONNECT },
	{ "unix-abstract-accept",	EP_ABSTRACT,	EP_ABSTRACT },
	{ "sd-listen",			EP_INHERITED,	EP_INHERITED },
	{ "connect",			EP_TCP_CONNECT,	EP_TCP_CONNECT },
	{ "tcp-connect",		EP_TCP_CONNECT,	EP_TCP_CONNECT },
	{ "unix-connect",		EP_UNIX_CONNECT, EP_UNIX_CONNECT },
	{ "unix-abstract-connect",	EP_ABSTRACT_CONNECT,
					EP_ABSTRACT_CONNECT },
	{ "fd",				EP_FD,		EP_FD },
	{ "serial",			EP_SERIAL,	EP_SERIAL },
};
#define EP_NSCHEMES	(sizeof(ep_schemes) / sizeof(ep_schemes[0]))

static const struct ep_scheme *
ep_scheme(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < EP_NSCHEMES; i++) {
		if (strlen(ep_schemes[i].es_name) == len &&
		    strncmp(ep_schemes[i].es_name, s, len) == 0)
			return &ep_schemes[i];
	}
	return NULL;
}

/* "[HOST]:PORT", "[::1]:PORT", "*:PORT"; an outgoing port is not 0. */
static int
ep_parse_tcp(struct endpoint *ep, const char *addr, const char *s,
    char *err, size_t errlen)
{
	const char *colon, *errstr;
	bool out = ep->ep_kind == EP_TCP_CONNECT;
	size_t n;

	if ((colon = strrchr(s, ':')) == NULL) {
		if (s != addr)
			snprintf(err, errlen, "%s: expected HOST:PORT after "
			    "the scheme", addr);
		else
			snprintf(err, errlen, "%s: expected [HOST]:PORT, a "
			    "unix socket path or -", addr);
		return -1;
	}
	strtonum(colon + 1, out ? 1 : 0, EP_MAX_PORT, &errstr);
	if (errstr != NULL || strlcpy(ep->ep_port, colon + 1,
	    sizeof(ep->ep_port)) >= sizeof(ep->ep_port)) {
		snprintf(err, errlen, "%s: bad port", addr);
		return -1;
	}
	if ((n = colon - s) >= sizeof(ep->ep_host)) {
		snprintf(err, errlen, "%s: bad host", addr);
		return -1;
	}
	memcpy(ep->ep_host, s, n);
	ep->ep_host[n] = '\0';
	if (ep->ep_host[0] == '[') {
		if (n < 2 || ep->ep_host[n - 1] != ']') {
			snprintf(err, errlen, "%s: bad host", addr);
			return -1;
		}
		memmove(ep->ep_host, ep->ep_host + 1, n - 2);
		ep->ep_host[n - 2] = '\0';
	}
	if (out && strcmp(ep->ep_host, "*") == 0) {
		snprintf(err, errlen, "%s: cannot connect to every address",
		    addr);
		return -1;
	}
	return 0;
}

static int
ep_parse_name(struct endpoint *ep, const char *addr, const char *s,
    char *err, size_t errlen)
{
	bool abstract = ep->ep_kind == EP_ABSTRACT ||
	    ep->ep_kind == EP_ABSTRACT_CONNECT;
	size_t max = abstract ? EP_MAX_ABSTRACT : EP_MAX_PATH - 1;

	if (*s == '\0') {
		snprintf(err, errlen, "%s: no socket %s", addr,
		    abstract ? "name" : "path");
		return -1;
	}
	if (strlen(s) > max) {
		snprintf(err, errlen, "%s: socket %s longer than %zu bytes",
		    addr, abstract ? "name" : "path", max);
		return -1;
	}
	strlcpy(ep->ep_path, s, sizeof(ep->ep_path));
	return 0;
}

static void
ep_cloexec(int fd)
{
	int flags;

	if ((flags = fcntl(fd, F_GETFD)) != -1)
		fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

/* A stream socket in the listening state. */
static bool
ep_is_listener(int fd)
{
	struct stat st;
	int type = 0, acc = 0;
	socklen_t tl = sizeof(type), al = sizeof(acc);

	return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) == 0 &&
	    type == SOCK_STREAM &&
	    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &al) == 0 && acc;
}

/*
 * A listening socket we were given: a stream socket, listening.  Learn
 * its family and name for ep_describe.
 */
static int
ep_adopt_listener(struct endpoint *ep, const char *addr, int fd,
    char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	struct sockaddr_un *sun = (struct sockaddr_un *)&ss;
	socklen_t sl = sizeof(ss);

	if (!ep_is_listener(fd) ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) == -1) {
		snprintf(err, errlen, "%s: fd %d is not a listening stream "
		    "socket", addr, fd);
		return -1;
	}
	ep->ep_kind = EP_INHERITED;
	ep->ep_given = fd;
	ep->ep_family = ss.ss_family;
	ep_cloexec(fd);
	if (ss.ss_family == AF_INET)
		ep->ep_bound_port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	else if (ss.ss_family == AF_INET6)
		ep->ep_bound_port =
		    ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	else if (ss.ss_family == AF_UNIX &&
	    sl > offsetof(struct sockaddr_un, sun_path)) {
		size_t n = sl - offsetof(struct sockaddr_un, sun_path);

		/* An abstract name keeps its leading NUL: "@name". */
		if (sun->sun_path[0] == '\0')
			sun->sun_path[0] = '@';
		n = n < sizeof(ep->ep_path) - 1 ? n : sizeof(ep->ep_path) - 1;
		memcpy(ep->ep_path, sun->sun_path, n);
		ep->ep_path[n] = '\0';
	} else if (ss.ss_family != AF_UNIX) {
		snprintf(err, errlen, "%s: fd %d is neither TCP nor a unix "
		    "socket", addr, fd);
		return -1;
	}
	return 0;
}

/* fd://N: a connected socket, or a listening one to listen on. */
static int
ep_parse_fd(struct endpoint *ep, const char *addr, const char *s,
    char *err, size_t errlen)
{
	const char *errstr;
	int fd;

	fd = strtonum(s, 0, EP_MAX_FD, &errstr);
	if (errstr != NULL) {
		snprintf(err, errlen, "%s: bad descriptor number", addr);
		return -1;
	}
	if (fcntl(fd, F_GETFD) == -1) {
		snprintf(err, errlen, "%s: fd %d is not open", addr, fd);
		return -1;
	}
	if (ep_is_listener(fd))
		return ep_adopt_listener(ep, addr, fd, err, errlen);
	/* A program we start must not inherit our client's socket. */
	ep_cloexec(fd);
	ep->ep_given = fd;
	return 0;
}

/*
 * sd-listen://: sd_listen_fds(3).  The sockets are ours only when
 * LISTEN_PID is our pid; the variables go, so that no program we start
 * takes them for its own, and every passed fd becomes close-on-exec.
 */
static int
ep_parse_sd(struct endpoint *ep, const char *addr, const char *s,
    char *err, size_t errlen)
{
	const char *pid_s = getenv("LISTEN_PID"), *n_s = getenv("LISTEN_FDS");
	const char *errstr = NULL;
	long long pid = 0, n = 0, i;

	if (*s != '\0') {
		snprintf(err, errlen, "%s: sd-listen:// takes no name", addr);
		return -1;
	}
	if (pid_s != NULL && n_s != NULL) {
		pid = strtonum(pid_s, 1, INT32_MAX, &errstr);
		if (errstr == NULL)
			n = strtonum(n_s, 1, INT32_MAX, &errstr);
	}
	if (pid_s == NULL || n_s == NULL || errstr != NULL ||
	    pid != (long long)getpid()) {
		snprintf(err, errlen, "%s: no socket was passed to this "
		    "process (LISTEN_PID, LISTEN_FDS)", addr);
		return -1;
	}
	for (i = 0; i < n && i < EP_SD_MAX_FDS; i++)
		ep_cloexec(EP_SD_LISTEN_FDS_START + i);
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return ep_adopt_listener(ep, addr, EP_SD_LISTEN_FDS_START, err,
	    errlen);
}

/* One serial option: a word from words, by its first letter. */
static int
ep_serial_word(const char *v, const char *const *words, int *out)
{
	for (; *words != NULL; words++) {
		if (strcmp(v, *words) == 0) {
			*out = **words;
			return 0;
		}
	}
	return -1;
}

/* serial://DEVICE[?OPT&OPT...]: lldb's SerialPort options. */
static int
ep_parse_serial(struct endpoint *ep, const char *addr, const char *s,
    char *err, size_t errlen)
{
	static const char *const parities[] = { "no", "even", "odd", "mark",
	    "space", NULL };
	static const char *const checks[] = { "no", "replace", "ignore",
	    NULL };
	char opts[EP_MAX_PATH], *o, *next;
	const char *q = strchr(s, '?'), *errstr;
	size_t n = q != NULL ? (size_t)(q - s) : strlen(s);

	if (n == 0 || n >= sizeof(ep->ep_path)) {
		snprintf(err, errlen, "%s: %s", addr, n == 0 ?
		    "no device path" : "device path too long");
		return -1;
	}
	memcpy(ep->ep_path, s, n);
	ep->ep_path[n] = '\0';
	if (q == NULL)
		return 0;
	if (strlcpy(opts, q + 1, sizeof(opts)) >= sizeof(opts)) {
		snprintf(err, errlen, "%s: options too long", addr);
		return -1;
	}
	for (o = opts; o != NULL; o = next) {
		if ((next = strchr(o, '&')) != NULL)
			*next++ = '\0';
		if (strncmp(o, "baud=", 5) == 0) {
			ep->ep_baud = strtonum(o + 5, 1, EP_MAX_BAUD, &errstr);
			if (errstr != NULL) {
				snprintf(err, errlen, "%s: bad baud rate", addr);
				return -1;
			}
		} else if (strncmp(o, "parity=", 7) == 0) {
			if (ep_serial_word(o + 7, parities,
			    &ep->ep_parity) == -1) {
				snprintf(err, errlen, "%s: parity must be no, "
				    "even, odd, mark or space", addr);
				return -1;
			}
		} else if (strncmp(o, "parity-check=", 13) == 0) {
			if (ep_serial_word(o + 13, checks,
			    &ep->ep_parity_check) == -1) {
				snprintf(err, errlen, "%s: parity-check must be "
				    "no, replace or ignore", addr);
				return -1;
			}
		} else if (strncmp(o, "stop-bits=", 10) == 0) {
			ep->ep_stop_bits = strtonum(o + 10, 1, 2, &errstr);
			if (errstr != NULL) {
				snprintf(err, errlen, "%s: stop-bits must be 1 "
				    "or 2", addr);
				return -1;
			}
		} else {
			snprintf(err, errlen, "%s: unknown option \"%s\"",
			    addr, o);
			return -1;
		}
	}
	return 0;
}

static int
ep_parse_kind(struct endpoint *ep, const char *addr, const char *rest,
    char *err, size_t errlen)
{
	switch (ep->ep_kind) {
	case EP_TCP:
	case EP_TCP_CONNECT:
		return ep_parse_tcp(ep, addr, rest, err, errlen);
	case EP_UNIX:
	case EP_UNIX_CONNECT:
	case EP_ABSTRACT:
	case EP_ABSTRACT_CONNECT:
		return ep_parse_name(ep, addr, rest, err, errlen);
	case EP_FD:
		return ep_parse_fd(ep, addr, rest, err, errlen);
	case EP_INHERITED:
		return ep_parse_sd(ep, addr, rest, err, errlen);
	case EP_SERIAL:
		return ep_parse_serial(ep, addr, rest, err, errlen);
	case EP_STDIO:
		break;
	}
	return 0;
}

static int
ep_parse_dir(struct endpoint *ep, const char *s, bool rev, char *err,
    size_t errlen)
{
	const struct ep_scheme *es;
	const char *sep, *rest = s;

	memset(ep, 0, sizeof(*ep));
	ep->ep_fd = ep->ep_given = -1;
	if (strcmp(s, "-") == 0 || strcmp(s, "stdio") == 0)
		ep->ep_kind = EP_STDIO;
	else if ((sep = strstr(s, "://")) != NULL) {
		if ((es = ep_scheme(s, sep - s)) == NULL) {
			snprintf(err, errlen, "%s: unknown URL scheme \"%.*s\" "
			    "(tcp, listen, connect, unix, unix-accept, "
			    "unix-connect, unix-abstract, unix-abstract-accept, "
			    "unix-abstract-connect, fd, sd-listen, serial)", s,
			    (int)(sep - s), s);
			return -1;
		}
		ep->ep_kind = rev ? es->es_reverse : es->es_kind;
		rest = sep + 3;
	} else if (strncmp(s, "unix:", 5) == 0 || strchr(s, '/') != NULL) {
		ep->ep_kind = rev ? EP_UNIX_CONNECT : EP_UNIX;
		if (strncmp(s, "unix:", 5) == 0)
			rest = s + 5;
	} else
		ep->ep_kind = rev ? EP_TCP_CONNECT : EP_TCP;
	return ep_parse_kind(ep, s, rest, err, errlen);
}

int
ep_parse(struct endpoint *ep, const char *s, char *err, size_t errlen)
{
	return ep_parse_dir(ep, s, false, err, errlen);
}

int
ep_parse_reverse(struct endpoint *ep, const char *s, char *err,
    size_t errlen)
{
	return ep_parse_dir(ep, s, true, err, errlen);
}

bool
ep_listening(const struct endpoint *ep)
{
	return ep->ep_kind == EP_TCP || ep->ep_kind == EP_UNIX ||
	    ep->ep_kind == EP_ABSTRACT || ep->ep_kind == EP_INHERITED;
}

static int
ep_listen_tcp(struct endpoint *ep, char *err, size_t errlen)
{
	struct addrinfo hints = { 0 }, *res, *ai;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	const char *host = ep->ep_host[0] != '\0' ? ep->ep_host : "127.0.0.1";
	int fd = -1, on = 1, rc, e = 0;

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	if (strcmp(host, "*") == 0)
		host = NULL;	/* every address */
	if ((rc = getaddrinfo(host, ep->ep_port, &hints, &res)) != 0) {
		/* gdbserver's words; GDB's testsuite matches them. */
		snprintf(err, errlen, "%s:%s: cannot resolve name: %s",
		    ep->ep_host, ep->ep_port, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, 0);
		if (fd == -1) {
			e = errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, EP_BACKLOG) == 0)
			break;
		e = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1) {
		snprintf(err, errlen, "Can't bind address: %s.", strerror(e));
		return -1;
	}
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
		ep->ep_family = ss.ss_family;
		ep->ep_bound_port = ntohs(ss.ss_family == AF_INET6 ?
		    ((struct sockaddr_in6 *)&ss)->sin6_port :
		    ((struct sockaddr_in *)&ss)->sin_port);
		if (!peer_addr_loopback((struct sockaddr *)&ss))
			log_warnx("listening on %s:%u, beyond loopback: any "
			    "host that can reach it may debug here "
			    "(docs/security.md)", host != NULL ? host : "*",
			    ep->ep_bound_port);
	}
	ep->ep_fd = fd;
	return 0;
}

/* A unix socket address for a path or, abstract, a name; its length. */
static socklen_t
ep_sun(const struct endpoint *ep, struct sockaddr_un *sun)
{
	size_t n = strlen(ep->ep_path);

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (ep->ep_kind == EP_ABSTRACT || ep->ep_kind == EP_ABSTRACT_CONNECT) {
		/* No NUL at the end: lldb names them this way too. */
		memcpy(sun->sun_path + 1, ep->ep_path, n);
		return offsetof(struct sockaddr_un, sun_path) + 1 + n;
	}
	memcpy(sun->sun_path, ep->ep_path, n);
	return sizeof(*sun);
}

static int
ep_listen_unix(struct endpoint *ep, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	socklen_t sl = ep_sun(ep, &sun);
	bool abstract = ep->ep_kind == EP_ABSTRACT;
	struct stat st;
	mode_t old;
	int fd;

	/* A stale socket from an earlier run goes; any other file stays. */
	if (!abstract && lstat(ep->ep_path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(ep->ep_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1) {
		snprintf(err, errlen, "Can't open socket: %s", strerror(errno));
		return -1;
	}
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sun, sl) == -1 ||
	    listen(fd, EP_BACKLOG) == -1) {
		snprintf(err, errlen, "%s%s: Can't bind address: %s.",
		    abstract ? "@" : "", ep->ep_path, strerror(errno));
		umask(old);
		close(fd);
		return -1;
	}
	umask(old);
	ep->ep_family = AF_UNIX;
	ep->ep_fd = fd;
	return 0;
}

int
ep_listen(struct endpoint *ep, char *err, size_t errlen)
{
	int flags;

	switch (ep->ep_kind) {
	case EP_TCP:
		return ep_listen_tcp(ep, err, errlen);
	case EP_UNIX:
	case EP_ABSTRACT:
		return ep_listen_unix(ep, err, errlen);
	case EP_INHERITED:
		if ((flags = fcntl(ep->ep_given, F_GETFL)) == -1 ||
		    fcntl(ep->ep_given, F_SETFL, flags | O_NONBLOCK) == -1) {
			snprintf(err, errlen, "fd %d: %s", ep->ep_given,
			    strerror(errno));
			return -1;
		}
		ep->ep_fd = ep->ep_given;
		return 0;
	default:
		return 0;
	}
}

/*
 * A unix socket peer must be our own user or root: a socket path has
 * file permissions (0600, but its owner may loosen them), an abstract
 * name has none.  0, or -1 with EACCES and the refusal logged.
 */
static int
ep_peer_ok(int fd, char *desc, size_t desclen)
{
	struct ucred cred;
	socklen_t cl = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == -1) {
		log_warn("unix socket peer refused: getsockopt SO_PEERCRED");
		errno = EACCES;
		return -1;
	}
	snprintf(desc, desclen, "pid %d, uid %d", (int)cred.pid, (int)cred.uid);
	if (!peer_uid_ok(cred.uid)) {
		log_warnx("unix socket peer refused: %s is neither 0 nor ours",
		    desc);
		errno = EACCES;
		return -1;
	}
	return 0;
}

int
ep_accept(struct endpoint *ep, char *desc, size_t desclen)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[NI_MAXHOST], serv[NI_MAXSERV];
	uid_t uid;
	int fd, on = 1;

	fd = accept4(ep->ep_fd, (struct sockaddr *)&ss, &sl,
	    SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd == -1)
		return -1;
	if (ep->ep_family != AF_UNIX) {
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
		if (getnameinfo((struct sockaddr *)&ss, sl, host, sizeof(host),
		    serv, sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) != 0)
			strlcpy(host, "?", sizeof(host)), strlcpy(serv, "?",
			    sizeof(serv));
		snprintf(desc, desclen, "host %s, port %s", host, serv);
		/*
		 * On loopback the kernel knows whose socket calls: ours or
		 * root's only.  Beyond it nobody can tell; the user named
		 * that address and was warned (ep_listen_tcp).  A peer the
		 * kernel cannot name (gone already, or no sock_diag) is let
		 * in: claims and watches are checked again, strictly.
		 */
		if (!ep->ep_any_uid && peer_addr_loopback((struct sockaddr *)
		    &ss) && peer_uid(fd, &uid) == 0 && !peer_uid_ok(uid)) {
			log_warnx("%s: refused: peer uid %lu is neither 0 nor "
			    "ours (--allow-any-uid lets any TCP peer in)", desc,
			    (unsigned long)uid);
			close(fd);
			errno = EACCES;
			return -1;
		}
		return fd;
	}
	if (ep_peer_ok(fd, desc, desclen) == -1) {
		close(fd);
		errno = EACCES;
		return -1;
	}
	return fd;
}

void
ep_accept_failed(struct endpoint *ep, struct loop *l)
{
	switch (errno) {
	case EAGAIN:
	case EINTR:
	case EACCES:		/* refused and logged */
	case ECONNABORTED:	/* the peer left before we took it */
		return;
	case EMFILE:
	case ENFILE:
	case ENOBUFS:
	case ENOMEM:
		log_warn("accept: not accepting for %d ms", EP_ACCEPT_REST_MS);
		loop_rest_fd(l, ep->ep_fd, EP_ACCEPT_REST_MS);
		return;
	default:
		log_warn("accept");
	}
}

static int
ep_ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 +
	    (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/* One non-blocking connect, waited for up to what is left of the time. */
static int
ep_connect_one(const struct addrinfo *ai, const struct timespec *t0)
{
	struct pollfd pfd;
	socklen_t el = sizeof(int);
	int fd, e = 0, left, rc;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0);
	if (fd == -1)
		return -1;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS)
		goto fail;
	pfd.fd = fd;
	pfd.events = POLLOUT;
	do {
		left = EP_CONNECT_TIMEOUT - ep_ms_since(t0);
		rc = poll(&pfd, 1, left > 0 ? left : 0);
	} while (rc == -1 && errno == EINTR);
	if (rc == 0)
		errno = ETIMEDOUT;
	if (rc <= 0)
		goto fail;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) == -1)
		goto fail;
	if (e == 0)
		return fd;
	errno = e;
fail:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

static int
ep_connect_tcp(struct endpoint *ep, char *err, size_t errlen)
{
	struct addrinfo hints = { 0 }, *res, *ai;
	struct timespec t0;
	const char *host = ep->ep_host[0] != '\0' ? ep->ep_host : "127.0.0.1";
	int fd = -1, on = 1, rc, e = ETIMEDOUT;

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, ep->ep_port, &hints, &res)) != 0) {
		snprintf(err, errlen, "%s:%s: cannot resolve name: %s", host,
		    ep->ep_port, gai_strerror(rc));
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (ai = res; ai != NULL && fd == -1; ai = ai->ai_next) {
		if ((fd = ep_connect_one(ai, &t0)) == -1)
			e = errno;
	}
	freeaddrinfo(res);
	if (fd == -1) {
		snprintf(err, errlen, "%s:%s: Can't connect: %s.", host,
		    ep->ep_port, strerror(e));
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	return fd;
}

static int
ep_connect_unix(struct endpoint *ep, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	socklen_t sl = ep_sun(ep, &sun);
	const char *at = ep->ep_kind == EP_ABSTRACT_CONNECT ? "@" : "";
	char desc[64];
	int fd, flags;

	/* Blocking: a unix connect is done at once, or refused. */
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		snprintf(err, errlen, "Can't open socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sl) == -1) {
		snprintf(err, errlen, "%s%s: Can't connect: %s.", at,
		    ep->ep_path, strerror(errno));
		goto fail;
	}
	if (ep_peer_ok(fd, desc, sizeof(desc)) == -1) {
		snprintf(err, errlen, "%s%s: the listener is another user's",
		    at, ep->ep_path);
		goto fail;
	}
	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1) {
		snprintf(err, errlen, "fcntl: %s", strerror(errno));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

/* The line discipline off, and the options asked for. */
static int
ep_serial_setup(const struct endpoint *ep, int fd, char *err, size_t errlen)
{
	struct termios t;

	if (tcgetattr(fd, &t) == -1) {
		snprintf(err, errlen, "%s: %s", ep->ep_path, errno == ENOTTY ?
		    "not a terminal" : strerror(errno));
		return -1;
	}
	cfmakeraw(&t);
	t.c_cflag |= CLOCAL | CREAD;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	/* glibc takes the rate itself as well as a B constant. */
	if (ep->ep_baud != 0 && cfsetspeed(&t, ep->ep_baud) == -1) {
		snprintf(err, errlen, "%s: baud rate %u is not supported",
		    ep->ep_path, ep->ep_baud);
		return -1;
	}
	if (ep->ep_parity != 0) {
		t.c_cflag &= ~(PARENB | PARODD | CMSPAR);
		if (ep->ep_parity != 'n')
			t.c_cflag |= PARENB;
		if (ep->ep_parity == 'o' || ep->ep_parity == 'm')
			t.c_cflag |= PARODD;
		if (ep->ep_parity == 'm' || ep->ep_parity == 's')
			t.c_cflag |= CMSPAR;
	}
	if (ep->ep_parity_check != 0) {
		t.c_iflag &= ~(INPCK | IGNPAR | PARMRK);
		if (ep->ep_parity_check != 'n')
			t.c_iflag |= INPCK;
		if (ep->ep_parity_check == 'i')
			t.c_iflag |= IGNPAR;
	}
	if (ep->ep_stop_bits == 2)
		t.c_cflag |= CSTOPB;
	else if (ep->ep_stop_bits == 1)
		t.c_cflag &= ~CSTOPB;
	if (tcsetattr(fd, TCSANOW, &t) == -1) {
		snprintf(err, errlen, "%s: %s", ep->ep_path, strerror(errno));
		return -1;
	}
	return 0;
}

static int
ep_open_serial(const struct endpoint *ep, char *err, size_t errlen)
{
	int fd;

	if ((fd = open(ep->ep_path, O_RDWR | O_NOCTTY | O_NONBLOCK |
	    O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", ep->ep_path, strerror(errno));
		return -1;
	}
	if (ep_serial_setup(ep, fd, err, errlen) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

int
ep_connect(struct endpoint *ep, char *err, size_t errlen)
{
	int fd, flags;

	switch (ep->ep_kind) {
	case EP_TCP_CONNECT:
		return ep_connect_tcp(ep, err, errlen);
	case EP_UNIX_CONNECT:
	case EP_ABSTRACT_CONNECT:
		return ep_connect_unix(ep, err, errlen);
	case EP_FD:
		fd = ep->ep_given;
		if ((flags = fcntl(fd, F_GETFL)) == -1 ||
		    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1) {
			snprintf(err, errlen, "fd %d: %s", fd, strerror(errno));
			return -1;
		}
		ep->ep_given = -1;	/* the caller's now */
		return fd;
	case EP_SERIAL:
		return ep_open_serial(ep, err, errlen);
	default:
		snprintf(err, errlen, "not an endpoint that connects");
		errno = EINVAL;
		return -1;
	}
}

void
ep_describe(const struct endpoint *ep, char *buf, size_t len)
{
	switch (ep->ep_kind) {
	case EP_TCP:
		snprintf(buf, len, "port %d", ep->ep_bound_port);
		break;
	case EP_UNIX:
		snprintf(buf, len, "unix socket %s", ep->ep_path);
		break;
	case EP_ABSTRACT:
		snprintf(buf, len, "abstract unix socket @%s", ep->ep_path);
		break;
	case EP_INHERITED:
		if (ep->ep_family != AF_UNIX)
			snprintf(buf, len, "port %d (fd %d)",
			    ep->ep_bound_port, ep->ep_given);
		else if (ep->ep_path[0] == '@')
			snprintf(buf, len, "abstract unix socket %s (fd %d)",
			    ep->ep_path, ep->ep_given);
		else
			snprintf(buf, len, "unix socket %s (fd %d)",
			    ep->ep_path, ep->ep_given);
		break;
	default:
		snprintf(buf, len, "nothing");
		break;
	}
}

void
ep_socket_id(const struct endpoint *ep, char *buf, size_t len)
{
	if (ep->ep_kind == EP_TCP ||
	    (ep->ep_kind == EP_INHERITED && ep->ep_family != AF_UNIX))
		snprintf(buf, len, "%d", ep->ep_bound_port);
	else if (ep->ep_kind == EP_INHERITED && ep->ep_path[0] == '@')
		strlcpy(buf, ep->ep_path + 1, len);
	else
		strlcpy(buf, ep->ep_path, len);
}

void
ep_address(const struct endpoint *ep, int port, char *buf, size_t len)
{
	const char *host = ep->ep_host;

	if (ep->ep_kind == EP_TCP ||
	    (ep->ep_kind == EP_INHERITED && ep->ep_family != AF_UNIX)) {
		if (host[0] == '\0' || strcmp(host, "*") == 0)
			host = "127.0.0.1";
		snprintf(buf, len, strchr(host, ':') != NULL ? "[%s]:%d" :
		    "%s:%d", host, port != 0 ? port : ep->ep_bound_port);
	} else if (ep->ep_kind == EP_ABSTRACT)
		snprintf(buf, len, "unix-abstract://%s", ep->ep_path);
	else if (ep->ep_kind == EP_INHERITED && ep->ep_path[0] == '@')
		snprintf(buf, len, "unix-abstract://%s", ep->ep_path + 1);
	else
		strlcpy(buf, ep->ep_path, len);
}

void
ep_close(struct endpoint *ep)
{
	if (ep->ep_fd != -1) {
		close(ep->ep_fd);
		if (ep->ep_kind == EP_UNIX)
			unlink(ep->ep_path);
	}
	/* A given descriptor not yet handed on (EP_INHERITED: the same). */
	if (ep->ep_given != -1 && ep->ep_given != ep->ep_fd)
		close(ep->ep_given);
	ep->ep_fd = ep->ep_given = -1;
}
