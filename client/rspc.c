/*
 * rspc.c -- a small RSP client (see rspc.h).
 *
 * Everything blocks, bounded by poll(2): each reply (and each ack) has
 * r_timeout_ms to arrive, counted from when we start waiting for it; a
 * negative timeout waits forever.  Bytes read go to r_in and are fed to
 * the decoder one event at a time, so nothing read is ever lost between
 * calls.
 *
 * In ack mode a sent packet is acked with '+' or refused with '-' (we
 * resend, up to RSPC_MAX_RESEND times); each good packet we take is
 * acked, each one with a bad checksum refused.  A '$' packet that comes
 * while we wait for an ack is a stale reply (gdb's view): it is acked
 * and dropped.  '%' notifications are never acked; the last one is kept
 * in r_notify, and each is queued (at most RSPC_MAX_NOTIFY) for
 * rspc_notify_next.  Stray '+', '-' and 0x03 between replies are skipped.
 *
 * On an AF_UNIX socket we read with fdpass_recv, and a descriptor must
 * end up with the notification whose '%' it rode with.  The kernel ends
 * a read right after the bytes of a sendmsg that carried descriptors,
 * but may glue bytes of earlier sends in front of them, and the decoder
 * may reach those bytes only later.  So the framing is followed as bytes
 * are read (rspc_scan: a '$' or '%' outside a packet starts one, a '$'
 * inside restarts it, '#' and two characters end it, as in rsp/codec.c):
 * the descriptor belongs to the last notification that starts in the
 * read that brought it.  It waits in r_pend with that notification's
 * stream offsets until the decoder delivers the notification ending
 * there.  A descriptor with no notification to go to is closed.
 */
#include <sys/socket.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client/rspc.h"
#include "client/rspc_int.h"
#include "handoff/fdpass.h"

#define RSPC_READ_CHUNK		16384	/* bytes per read(2) */
#define RSPC_MAX_RESEND		8	/* NAKs of one packet before EPROTO */

/* Framing states of rspc_scan. */
enum {
	SCAN_IDLE = 0,
	SCAN_IN,		/* in a payload */
	SCAN_SUM1,		/* after '#' */
	SCAN_SUM2,		/* after the first checksum character */
};

/* ------------------------------------------------------------ time */

long long
rspc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A deadline r_timeout_ms from now, or -1 for none. */
static long long
rspc_deadline(const struct rspc *rc)
{
	if (rc->r_timeout_ms < 0)
		return (-1);
	return (rspc_now_ms() + rc->r_timeout_ms);
}

/* Wait for events on fd until the deadline: 1 ready, -1 with errno. */
int
rspc_poll(int fd, short events, long long deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	long long left;
	int n;

	for (;;) {
		left = deadline < 0 ? -1 : deadline - rspc_now_ms();
		if (deadline >= 0 && left < 0)
			left = 0;
		if (left > INT_MAX)
			left = INT_MAX;
		n = poll(&pfd, 1, (int)left);
		if (n > 0)
			return (1);
		if (n == 0) {
			errno = ETIMEDOUT;
			return (-1);
		}
		if (errno != EINTR)
			return (-1);
	}
}

/* Copy a payload to *dst (NUL-terminated), growing it. */
static int
rspc_keep(char **dst, size_t *dlen, const char *p, size_t len)
{
	char *n;

	if ((n = realloc(*dst, len + 1)) == NULL)
		return (-1);
	memcpy(n, p, len);
	n[len] = '\0';
	*dst = n;
	*dlen = len;
	return (0);
}

/* ------------------------------------------------------------ fds */

/* Keep fd for the notification at start..end (end 0: not read yet). */
static void
rspc_pend_add(struct rspc *rc, int fd, uint64_t start, uint64_t end)
{
	struct rspc_pendfd *pf;

	if (rc->r_npend == RSPC_MAX_PENDFD) {
		close(fd);
		return;
	}
	pf = &rc->r_pend[rc->r_npend++];
	pf->p_fd = fd;
	pf->p_start = start;
	pf->p_end = end;
}

static void
rspc_pend_remove(struct rspc *rc, size_t i)
{
	rc->r_pend[i] = rc->r_pend[--rc->r_npend];
}

/* The notification that started at start ended at end, or was cut. */
static void
rspc_pend_ended(struct rspc *rc, uint64_t start, uint64_t end, bool cut)
{
	size_t i;

	for (i = 0; i < rc->r_npend; i++) {
		if (rc->r_pend[i].p_start != start || rc->r_pend[i].p_end != 0)
			continue;
		if (cut) {
			close(rc->r_pend[i].p_fd);
			rspc_pend_remove(rc, i);
		} else
			rc->r_pend[i].p_end = end;
		return;
	}
}

/*
 * Follow the framing over n bytes just read (see the top of the file);
 * then fd, if any, goes to the last notification that started in them.
 */
static void
rspc_scan(struct rspc *rc, const char *buf, size_t n, int fd)
{
	uint64_t pos, start = 0, end = 0;
	bool found = false, cut = false;
	size_t i;

	for (i = 0; i < n; i++) {
		pos = rc->r_rdpos + i;
		switch (rc->r_scan) {
		case SCAN_IDLE:
			if (buf[i] != '$' && buf[i] != '%')
				break;
			rc->r_scan = SCAN_IN;
			rc->r_scankind = buf[i];
			rc->r_scanstart = pos;
			if (buf[i] == '%') {
				found = true;
				start = pos;
				end = 0;
				cut = false;
			}
			break;
		case SCAN_IN:
			if (buf[i] == '#')
				rc->r_scan = SCAN_SUM1;
			else if (buf[i] == '$') {	/* the decoder restarts */
				if (rc->r_scankind == '%') {
					rspc_pend_ended(rc, rc->r_scanstart, 0,
					    true);
					cut = cut || (found &&
					    start == rc->r_scanstart);
				}
				rc->r_scankind = '$';
				rc->r_scanstart = pos;
			}
			break;
		case SCAN_SUM1:
			rc->r_scan = SCAN_SUM2;
			break;
		default:
			rc->r_scan = SCAN_IDLE;
			if (rc->r_scankind != '%')
				break;
			rspc_pend_ended(rc, rc->r_scanstart, pos + 1, false);
			if (found && start == rc->r_scanstart)
				end = pos + 1;
			break;
		}
	}
	rc->r_rdpos += n;
	if (fd < 0)
		return;
	if (!found || cut)
		close(fd);
	else
		rspc_pend_add(rc, fd, start, end);
}

/*
 * The decoder just ended a packet at r_decpos: the descriptor of the
 * notification that ends there, or -1.  Any descriptor whose
 * notification is behind us (bad checksum, format) is closed.
 */
static int
rspc_pend_take(struct rspc *rc, bool good)
{
	size_t i = 0;
	int fd = -1;

	while (i < rc->r_npend) {
		if (rc->r_pend[i].p_end == 0 ||
		    rc->r_pend[i].p_end > rc->r_decpos) {
			i++;
			continue;
		}
		if (good && fd == -1 && rc->r_pend[i].p_end == rc->r_decpos)
			fd = rc->r_pend[i].p_fd;
		else
			close(rc->r_pend[i].p_fd);
		rspc_pend_remove(rc, i);
	}
	return (fd);
}

/* ------------------------------------------------------------ notes */

/* Drop the oldest queued notification, closing its descriptor. */
static void
rspc_note_drop(struct rspc *rc)
{
	struct rspc_note *n = &rc->r_nq[rc->r_nqfirst];

	if (n->n_fd != -1) {
		if (n->n_fd == rc->r_notify_fd)
			rc->r_notify_fd = -1;
		close(n->n_fd);
	}
	free(n->n_payload);
	rc->r_nqfirst = (rc->r_nqfirst + 1) % RSPC_MAX_NOTIFY;
	rc->r_nqlen--;
}

/* Keep a notification in r_notify and queue it; fd is taken over. */
static int
rspc_note_push(struct rspc *rc, const char *p, size_t len, int fd)
{
	struct rspc_note *n;
	char *copy;

	if ((copy = malloc(len + 1)) == NULL ||
	    rspc_keep(&rc->r_notify, &rc->r_notifylen, p, len) == -1) {
		free(copy);
		if (fd != -1)
			close(fd);
		errno = ENOMEM;
		return (-1);
	}
	memcpy(copy, p, len);
	copy[len] = '\0';
	if (rc->r_nqlen == RSPC_MAX_NOTIFY)
		rspc_note_drop(rc);
	n = &rc->r_nq[(rc->r_nqfirst + rc->r_nqlen++) % RSPC_MAX_NOTIFY];
	n->n_payload = copy;
	n->n_len = len;
	n->n_fd = fd;
	rc->r_notify_fd = fd;
	return (0);
}

struct rspc *
rspc_from_fd(int fd)
{
	struct rspc *rc;
	socklen_t sl = sizeof(int);
	int domain;

	if ((rc = calloc(1, sizeof(*rc))) == NULL) {
		close(fd);
		errno = ENOMEM;
		return (NULL);
	}
	rc->r_fd = fd;
	rc->r_timeout_ms = RSPC_DEFAULT_TIMEOUT_MS;
	rc->r_notify_fd = -1;
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &sl) == 0 &&
	    domain == AF_UNIX)
		rc->r_unix = true;
	rsp_decoder_init(&rc->r_dec, RSP_MAX_PACKET);
	rsp_buf_init(&rc->r_in);
	rsp_buf_init(&rc->r_out);
	return (rc);
}

void
rspc_close(struct rspc *rc)
{
	size_t i;

	if (rc == NULL)
		return;
	if (rc->r_fd != -1)
		close(rc->r_fd);
	while (rc->r_nqlen > 0)
		rspc_note_drop(rc);
	for (i = 0; i < rc->r_npend; i++)
		close(rc->r_pend[i].p_fd);
	free(rc->r_ntaken);
	rsp_decoder_free(&rc->r_dec);
	rsp_buf_free(&rc->r_in);
	rsp_buf_free(&rc->r_out);
	free(rc->r_reply);
	free(rc->r_notify);
	free(rc);
}

/* ------------------------------------------------------------ bytes */

static int
rspc_write(struct rspc *rc, const void *data, size_t len)
{
	long long deadline = rspc_deadline(rc);
	const char *p = data;
	ssize_t n;

	while (len > 0) {
		if (rspc_poll(rc->r_fd, POLLOUT, deadline) == -1)
			return (-1);
		n = send(rc->r_fd, p, len, MSG_NOSIGNAL);
		if (n == -1 && errno == ENOTSOCK)
			n = write(rc->r_fd, p, len);
		if (n == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			if (errno == EPIPE)
				errno = ECONNRESET;
			return (-1);
		}
		p += n;
		len -= n;
	}
	return (0);
}

/* Read what is there into r_in, waiting until the deadline. */
static int
rspc_fill(struct rspc *rc, long long deadline)
{
	char buf[RSPC_READ_CHUNK];
	ssize_t n;
	int fd = -1;

	for (;;) {
		if (rspc_poll(rc->r_fd, POLLIN, deadline) == -1)
			return (-1);
		if (rc->r_unix)
			n = fdpass_recv(rc->r_fd, &fd, buf, sizeof(buf));
		else
			n = read(rc->r_fd, buf, sizeof(buf));
		if (n > 0 && rsp_buf_add(&rc->r_in, buf, n) == -1) {
			if (fd >= 0)
				close(fd);
			return (-1);
		}
		if (n > 0) {
			rspc_scan(rc, buf, n, fd);
			return (0);
		}
		if (fd >= 0)
			close(fd);
		if (n == 0) {
			errno = ECONNRESET;
			return (-1);
		}
		if (errno != EINTR && errno != EAGAIN)
			return (-1);
	}
}

/*
 * The next event from the peer, reading as needed until the deadline.
 * A packet or notification is in *payload, *plen until the next call;
 * *fd is the descriptor that came with a notification (the caller's
 * now), else -1.
 */
static int
rspc_event(struct rspc *rc, long long deadline, const char **payload,
    size_t *plen, int *fd)
{
	enum rsp_event ev;
	size_t used;

	*fd = -1;
	for (;;) {
		if (rsp_buf_used(&rc->r_in) > 0) {
			ev = rsp_decode(&rc->r_dec, rsp_buf_head(&rc->r_in),
			    rsp_buf_used(&rc->r_in), &used, payload, plen);
			rsp_buf_drain(&rc->r_in, used);
			rc->r_decpos += used;
			if (ev != RSP_EV_NONE && rc->r_npend > 0 &&
			    rc->r_dec.d_kind == '%' && ev != RSP_EV_ACK &&
			    ev != RSP_EV_NAK && ev != RSP_EV_INTERRUPT)
				*fd = rspc_pend_take(rc, ev == RSP_EV_NOTIFY);
			if (ev != RSP_EV_NONE)
				return (ev);
		}
		if (rspc_fill(rc, deadline) == -1)
			return (-1);
	}
}

static int
rspc_ack(struct rspc *rc, char c)
{
	if (rc->r_noack)
		return (0);
	return (rspc_write(rc, &c, 1));
}

/* ------------------------------------------------------------ packets */

/* In ack mode, wait for the '+' of the packet in r_out; resend on '-'. */
static int
rspc_wait_ack(struct rspc *rc)
{
	long long deadline = rspc_deadline(rc);
	const char *p;
	size_t len;
	int ev, fd, resent = 0;

	for (;;) {
		switch ((ev = rspc_event(rc, deadline, &p, &len, &fd))) {
		case -1:
			return (-1);
		case RSP_EV_ACK:
			return (0);
		case RSP_EV_NAK:
			if (++resent > RSPC_MAX_RESEND) {
				errno = EPROTO;
				return (-1);
			}
			if (rspc_write(rc, rsp_buf_head(&rc->r_out),
			    rsp_buf_used(&rc->r_out)) == -1)
				return (-1);
			break;
		case RSP_EV_NOTIFY:
			if (rspc_note_push(rc, p, len, fd) == -1)
				return (-1);
			break;
		case RSP_EV_PACKET:	/* stale: ack it, drop it */
			if (rspc_ack(rc, '+') == -1)
				return (-1);
			break;
		default:
			break;
		}
	}
}

int
rspc_send(struct rspc *rc, const char *payload, size_t len)
{
	rsp_buf_reset(&rc->r_out);
	if (rsp_frame(&rc->r_out, '$', payload, len, false) == -1)
		return (-1);
	if (rspc_write(rc, rsp_buf_head(&rc->r_out),
	    rsp_buf_used(&rc->r_out)) == -1)
		return (-1);
	if (rc->r_noack)
		return (0);
	return (rspc_wait_ack(rc));
}

/* What to do with an event while waiting for a packet: 1 done, 0 on. */
static int
rspc_take(struct rspc *rc, int ev, const char *p, size_t len, int fd)
{
	switch (ev) {
	case RSP_EV_PACKET:
		if (rspc_keep(&rc->r_reply, &rc->r_replylen, p, len) == -1)
			return (-1);
		return (rspc_ack(rc, '+') == -1 ? -1 : 1);
	case RSP_EV_NOTIFY:
		return (rspc_note_push(rc, p, len, fd));
	case RSP_EV_BADSUM:
		return (rspc_ack(rc, '-'));
	case RSP_EV_TOOLONG:
	case RSP_EV_BADFORMAT:
		/* A resend would not help: take it, and fail this reply. */
		if (rspc_ack(rc, '+') == 0)
			errno = EPROTO;
		return (-1);
	default:
		return (0);	/* stray '+', '-' or 0x03 */
	}
}

ssize_t
rspc_wait(struct rspc *rc, const char **reply)
{
	long long deadline = rspc_deadline(rc);
	const char *p;
	size_t len;
	int ev, fd, rv;

	if (reply != NULL)
		*reply = NULL;
	do {
		if ((ev = rspc_event(rc, deadline, &p, &len, &fd)) == -1)
			return (-1);
		if ((rv = rspc_take(rc, ev, p, len, fd)) == -1)
			return (-1);
	} while (rv == 0);
	if (reply != NULL)
		*reply = rc->r_reply;
	return ((ssize_t)rc->r_replylen);
}

/*
 * What to do with an event while waiting for a notification: 0 on, -1
 * with errno.  Notifications are never acked, even bad ones.
 */
static int
rspc_take_idle(struct rspc *rc, int ev, const char *p, size_t len, int fd)
{
	bool notify = rc->r_dec.d_kind == '%';

	switch (ev) {
	case RSP_EV_NOTIFY:
		return (rspc_note_push(rc, p, len, fd));
	case RSP_EV_PACKET:		/* nobody asked: ack it, drop it */
		return (rspc_ack(rc, '+'));
	case RSP_EV_BADSUM:
		if (!notify)
			return (rspc_ack(rc, '-'));
		break;
	case RSP_EV_TOOLONG:
	case RSP_EV_BADFORMAT:
		if (!notify)
			return (rspc_ack(rc, '+'));
		break;
	default:
		return (0);	/* stray '+', '-' or 0x03 */
	}
	errno = EPROTO;
	return (-1);
}

ssize_t
rspc_notify_next(struct rspc *rc, int timeout_ms, const char **payload,
    int *fd)
{
	long long deadline = timeout_ms < 0 ? -1 : rspc_now_ms() + timeout_ms;
	struct rspc_note *n;
	const char *p;
	size_t len;
	int ev, nfd;

	*payload = NULL;
	*fd = -1;
	free(rc->r_ntaken);
	rc->r_ntaken = NULL;
	while (rc->r_nqlen == 0) {
		if ((ev = rspc_event(rc, deadline, &p, &len, &nfd)) == -1)
			return (-1);
		if (rspc_take_idle(rc, ev, p, len, nfd) == -1)
			return (-1);
	}
	n = &rc->r_nq[rc->r_nqfirst];
	rc->r_nqfirst = (rc->r_nqfirst + 1) % RSPC_MAX_NOTIFY;
	rc->r_nqlen--;
	if (n->n_fd != -1 && n->n_fd == rc->r_notify_fd)
		rc->r_notify_fd = -1;
	rc->r_ntaken = n->n_payload;
	*payload = n->n_payload;
	*fd = n->n_fd;
	return ((ssize_t)n->n_len);
}

ssize_t
rspc_request(struct rspc *rc, const char *payload, size_t len,
    const char **reply)
{
	if (reply != NULL)
		*reply = NULL;
	if (rspc_send(rc, payload, len) == -1)
		return (-1);
	return (rspc_wait(rc, reply));
}

ssize_t
rspc_requeststr(struct rspc *rc, const char *payload, const char **reply)
{
	return (rspc_request(rc, payload, strlen(payload), reply));
}

ssize_t
rspc_requestf(struct rspc *rc, const char **reply, const char *fmt, ...)
{
	va_list ap;
	char *p;
	ssize_t rv;
	int n;

	if (reply != NULL)
		*reply = NULL;
	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0) {
		errno = ENOMEM;
		return (-1);
	}
	rv = rspc_request(rc, p, (size_t)n, reply);
	free(p);
	return (rv);
}

int
rspc_send_raw(struct rspc *rc, const void *data, size_t len)
{
	return (rspc_write(rc, data, len));
}

int
rspc_handshake(struct rspc *rc, const char *features)
{
	const char *r;

	if (features != NULL && features[0] != '\0') {
		if (rspc_requestf(rc, &r, "qSupported:%s", features) == -1)
			return (-1);
	} else if (rspc_requeststr(rc, "qSupported", &r) == -1)
		return (-1);
	if (r[0] == 'E' || r[0] == '\0') {
		errno = EPROTO;
		return (-1);
	}
	if (strstr(r, "QStartNoAckMode+") == NULL)
		return (0);
	if (rspc_requeststr(rc, "QStartNoAckMode", &r) == -1)
		return (-1);
	if (strcmp(r, "OK") != 0) {
		errno = EPROTO;
		return (-1);
	}
	rc->r_noack = true;
	rsp_decoder_noack(&rc->r_dec, true);
	return (0);
}
