/*
 * listen.c -- listening endpoints (see listen.h).
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/listen.h"

#define LISTEN_BACKLOG		16

int
ep_parse(struct endpoint *ep, const char *s, char *err, size_t errlen)
{
	const char *colon, *errstr;

	memset(ep, 0, sizeof(*ep));
	ep->ep_fd = -1;
	if (strcmp(s, "-") == 0 || strcmp(s, "stdio") == 0) {
		ep->ep_kind = EP_STDIO;
		return 0;
	}
	if (strncmp(s, "unix:", 5) == 0 || strchr(s, '/') != NULL) {
		if (strncmp(s, "unix:", 5) == 0)
			s += 5;
		if (*s == '\0' || strlcpy(ep->ep_path, s, sizeof(ep->ep_path)) >=
		    sizeof(ep->ep_path)) {
			snprintf(err, errlen, "%s: bad unix socket path", s);
			return -1;
		}
		ep->ep_kind = EP_UNIX;
		return 0;
	}
	if ((colon = strrchr(s, ':')) == NULL) {
		snprintf(err, errlen, "%s: expected [HOST]:PORT, a unix "
		    "socket path or -", s);
		return -1;
	}
	strtonum(colon + 1, 0, 65535, &errstr);
	if (errstr != NULL || (size_t)(colon - s) >= sizeof(ep->ep_host) ||
	    strlcpy(ep->ep_port, colon + 1, sizeof(ep->ep_port)) >=
	    sizeof(ep->ep_port)) {
		snprintf(err, errlen, "%s: bad port", s);
		return -1;
	}
	memcpy(ep->ep_host, s, colon - s);
	ep->ep_host[colon - s] = '\0';
	/* "[::1]:PORT" */
	if (ep->ep_host[0] == '[') {
		size_t n = strlen(ep->ep_host);

		if (n < 2 || ep->ep_host[n - 1] != ']') {
			snprintf(err, errlen, "%s: bad host", s);
			return -1;
		}
		memmove(ep->ep_host, ep->ep_host + 1, n - 2);
		ep->ep_host[n - 2] = '\0';
	}
	ep->ep_kind = EP_TCP;
	return 0;
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
	if ((rc = getaddrinfo(host, ep->ep_port, &hints, &res)) != 0) {
		/* gdbserver's words; GDB's testsuite matches them. */
		snprintf(err, errlen, "%s:%s: cannot resolve name: %s", host,
		    ep->ep_port, gai_strerror(rc));
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
		    listen(fd, LISTEN_BACKLOG) == 0)
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
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
		ep->ep_bound_port = ntohs(ss.ss_family == AF_INET6 ?
		    ((struct sockaddr_in6 *)&ss)->sin6_port :
		    ((struct sockaddr_in *)&ss)->sin_port);
	ep->ep_fd = fd;
	return 0;
}

static int
ep_listen_unix(struct endpoint *ep, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old;
	int fd;

	strlcpy(sun.sun_path, ep->ep_path, sizeof(sun.sun_path));
	/* A stale socket from an earlier run goes; any other file stays. */
	if (lstat(ep->ep_path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(ep->ep_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1) {
		snprintf(err, errlen, "Can't open socket: %s", strerror(errno));
		return -1;
	}
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(fd, LISTEN_BACKLOG) == -1) {
		snprintf(err, errlen, "%s: Can't bind address: %s.",
		    ep->ep_path, strerror(errno));
		umask(old);
		close(fd);
		return -1;
	}
	umask(old);
	ep->ep_fd = fd;
	return 0;
}

int
ep_listen(struct endpoint *ep, char *err, size_t errlen)
{
	switch (ep->ep_kind) {
	case EP_TCP:
		return ep_listen_tcp(ep, err, errlen);
	case EP_UNIX:
		return ep_listen_unix(ep, err, errlen);
	default:
		return 0;
	}
}

int
ep_accept(struct endpoint *ep, char *desc, size_t desclen)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[NI_MAXHOST], serv[NI_MAXSERV];
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	int fd, on = 1;

	fd = accept4(ep->ep_fd, (struct sockaddr *)&ss, &sl,
	    SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd == -1)
		return -1;
	if (ep->ep_kind == EP_TCP) {
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
		if (getnameinfo((struct sockaddr *)&ss, sl, host, sizeof(host),
		    serv, sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) != 0)
			strlcpy(host, "?", sizeof(host)), strlcpy(serv, "?",
			    sizeof(serv));
		snprintf(desc, desclen, "host %s, port %s", host, serv);
		return fd;
	}
	/* A unix socket serves its owner (or root) only. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == -1 ||
	    (cred.uid != getuid() && cred.uid != 0)) {
		close(fd);
		errno = EACCES;
		return -1;
	}
	snprintf(desc, desclen, "pid %d, uid %d", (int)cred.pid, (int)cred.uid);
	return fd;
}

void
ep_close(struct endpoint *ep)
{
	if (ep->ep_fd != -1) {
		close(ep->ep_fd);
		ep->ep_fd = -1;
		if (ep->ep_kind == EP_UNIX)
			unlink(ep->ep_path);
	}
}
