/*
 * pty.c -- a pseudo-terminal for a launched program's stdio.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "platform/pty.h"

int
pty_open(char *name, size_t cap)
{
	int fd, e;

	if ((fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1)
		return -1;
	if (grantpt(fd) == -1 || unlockpt(fd) == -1)
		goto fail;
	if ((e = ptsname_r(fd, name, cap)) != 0) {
		errno = e == ERANGE ? ENAMETOOLONG : e;
		goto fail;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == -1)
		goto fail;
	return fd;
fail:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}
