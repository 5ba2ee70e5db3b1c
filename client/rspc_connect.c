/*
 * rspc_connect.c -- rspc_connect: the addresses a client can name.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/rspc.h"
#include "client/rspc_int.h"

#define RSPC_MAX_HOST		256	/* bytes of a host name */
#define RSPC_MAX_PORT		16	/* bytes of a port */
#define RSPC_MAX_FDNUM		65535	/* highest "fd:N" taken */

static int
rspc_connect_unix(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t len = strlen(path);
	socklen_t sl;
	int fd;

	if (len == 0 || len >= sizeof(sun.sun_path)) {
		errno = len == 0 ? EINVAL : ENAMETOOLONG;
		return (-1);
	}
	memcpy(sun.sun_path, path, len);
	sl = offsetof(struct sockaddr_un, sun_path) + len;
	if (path[0] == '@')		/* abstract namespace */
		sun.sun_path[0] = '\0';
	else
		sl++;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return (-1);
	if (connect(fd, (struct sockaddr *)&sun, sl) == -1) {
		close(fd);
		return (-1);
	}
	return (fd);
}

/* Connect fd to ai without blocking past the deadline. */
static int
rspc_connect_one(const struct addrinfo *ai, long long deadline)
{
	socklen_t sl = sizeof(int);
	int fd, e, on = 1;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, ai->ai_protocol);
	if (fd == -1)
		return (-1);
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
		if (errno != EINPROGRESS || rspc_poll(fd, POLLOUT,
		    deadline) == -1)
			goto fail;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &sl) == -1)
			goto fail;
		if (e != 0) {
			errno = e;
			goto fail;
		}
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) == -1)
		goto fail;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	return (fd);
fail:
	e = errno;
	close(fd);
	errno = e;
	return (-1);
}

/* "[HOST]:PORT", "HOST:PORT" or ":PORT" into host and port. */
static int
rspc_split(const char *addr, char *host, char *port)
{
	const char *colon = strrchr(addr, ':');
	size_t hlen;

	if (colon == NULL || colon[1] == '\0' ||
	    strlen(colon + 1) >= RSPC_MAX_PORT)
		goto bad;
	hlen = colon - addr;
	if (hlen >= 2 && addr[0] == '[' && addr[hlen - 1] == ']') {
		addr++;
		hlen -= 2;
	}
	if (hlen >= RSPC_MAX_HOST)
		goto bad;
	memcpy(host, addr, hlen);
	host[hlen] = '\0';
	strcpy(port, colon + 1);
	if (host[0] == '\0')
		strcpy(host, "localhost");
	return (0);
bad:
	errno = EINVAL;
	return (-1);
}

static int
rspc_connect_tcp(const char *addr, long long deadline)
{
	struct addrinfo hints = { 0 }, *res, *ai;
	char host[RSPC_MAX_HOST], port[RSPC_MAX_PORT];
	int fd = -1, e = ECONNREFUSED;

	if (rspc_split(addr, host, port) == -1)
		return (-1);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if (getaddrinfo(host, port, &hints, &res) != 0) {
		errno = EHOSTUNREACH;
		return (-1);
	}
	for (ai = res; ai != NULL && fd == -1; ai = ai->ai_next) {
		if ((fd = rspc_connect_one(ai, deadline)) == -1)
			e = errno;
	}
	freeaddrinfo(res);
	if (fd == -1)
		errno = e;
	return (fd);
}

/* "fd:N": an inherited descriptor, which must be open. */
static int
rspc_connect_fd(const char *num)
{
	const char *errstr;
	int fd;

	fd = (int)strtonum(num, 0, RSPC_MAX_FDNUM, &errstr);
	if (errstr != NULL) {
		errno = EINVAL;
		return (-1);
	}
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		return (-1);
	return (fd);
}

/* "unix-abstract:NAME" as "@NAME". */
static int
rspc_connect_abstract(const char *name)
{
	char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];

	if (name[0] == '\0' || strlen(name) + 1 >= sizeof(path) - 1) {
		errno = name[0] == '\0' ? EINVAL : ENAMETOOLONG;
		return (-1);
	}
	snprintf(path, sizeof(path), "@%s", name);
	return (rspc_connect_unix(path));
}

/* Strip prefix, with ':' or "://" after it, from *addr. */
static bool
rspc_scheme(const char **addr, const char *prefix)
{
	size_t len = strlen(prefix);

	if (strncmp(*addr, prefix, len) != 0)
		return (false);
	if (strncmp(*addr + len, "://", 3) == 0)
		*addr += len + 3;
	else if ((*addr)[len] == ':')
		*addr += len + 1;
	else
		return (false);
	return (true);
}

struct rspc *
rspc_connect(const char *addr)
{
	long long deadline = rspc_now_ms() + RSPC_DEFAULT_TIMEOUT_MS;
	int fd;

	if (rspc_scheme(&addr, "fd"))
		fd = rspc_connect_fd(addr);
	else if (rspc_scheme(&addr, "unix-abstract"))
		fd = rspc_connect_abstract(addr);
	else if (rspc_scheme(&addr, "unix"))
		fd = rspc_connect_unix(addr);
	else if (strchr(addr, '/') != NULL)
		fd = rspc_connect_unix(addr);
	else {
		if (strncmp(addr, "tcp://", 6) == 0)
			addr += 6;
		fd = rspc_connect_tcp(addr, deadline);
	}
	if (fd == -1)
		return (NULL);
	return (rspc_from_fd(fd));
}
