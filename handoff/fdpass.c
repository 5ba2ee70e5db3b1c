/*
 * fdpass.c -- SCM_RIGHTS, with OpenSSH's discipline (at least one byte
 * of payload, exact CMSG_LEN checks, the wrong type refused) and tmux's
 * receive hygiene (extra descriptors closed, MSG_CTRUNC a lost
 * descriptor, not a crash).
 */
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "handoff/fdpass.h"

#define FDPASS_MAX_FDS	8	/* descriptors we make room for, to close */

ssize_t
fdpass_send(int sock, int fd, const void *buf, size_t len)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cmsgbuf;
	struct iovec iov = { (void *)buf, len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cmsg;
	ssize_t n;

	if (len == 0) {
		errno = EINVAL;
		return -1;
	}
	if (fd >= 0) {
		memset(&cmsgbuf, 0, sizeof(cmsgbuf));
		msg.msg_control = cmsgbuf.buf;
		msg.msg_controllen = sizeof(cmsgbuf.buf);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	}
	while ((n = sendmsg(sock, &msg, MSG_NOSIGNAL)) == -1 && errno == EINTR)
		;
	return n;
}

/* Close every descriptor a control message carried. */
static void
close_all(struct msghdr *msg)
{
	struct cmsghdr *cmsg;
	size_t i, n;
	int fd;

	for (cmsg = CMSG_FIRSTHDR(msg); cmsg != NULL;
	    cmsg = CMSG_NXTHDR(msg, cmsg)) {
		if (cmsg->cmsg_level != SOL_SOCKET ||
		    cmsg->cmsg_type != SCM_RIGHTS ||
		    cmsg->cmsg_len < CMSG_LEN(0))
			continue;
		n = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(cmsg) + i * sizeof(int),
			    sizeof(int));
			close(fd);
		}
	}
}

ssize_t
fdpass_recv(int sock, int *fd, void *buf, size_t len)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(FDPASS_MAX_FDS * sizeof(int))];
	} cmsgbuf;
	struct iovec iov = { buf, len };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cmsgbuf.buf, .msg_controllen = sizeof(cmsgbuf.buf),
	};
	struct cmsghdr *cmsg;
	ssize_t n;

	*fd = -1;
	if (len == 0) {
		errno = EINVAL;
		return -1;
	}
	while ((n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) == -1 &&
	    errno == EINTR)
		;
	if (n == -1)
		return -1;
	/*
	 * No control data: nothing came, unless the kernel cut it (a full
	 * descriptor table gives MSG_CTRUNC and an empty control area).
	 */
	if (msg.msg_controllen == 0 && !(msg.msg_flags & MSG_CTRUNC))
		return n;
	cmsg = CMSG_FIRSTHDR(&msg);
	if ((msg.msg_flags & MSG_CTRUNC) || cmsg == NULL ||
	    CMSG_NXTHDR(&msg, cmsg) != NULL ||
	    cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS ||
	    cmsg->cmsg_len != CMSG_LEN(sizeof(int))) {
		close_all(&msg);
		*fd = FDPASS_LOST;
		return n;
	}
	memcpy(fd, CMSG_DATA(cmsg), sizeof(int));
	return n;
}
