/*
 * conn.c -- a client connection (see conn.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/conn.h"
#include "handoff/fdpass.h"
#include "daemon/log.h"
#include "daemon/loop.h"

static void	conn_io(int, int, void *);
static void	conn_process(void *);
static void	conn_update_mask(struct conn *);
static void	conn_lost(struct conn *);

static uint64_t	conn_stall_ms = CONN_STALL_SECS * 1000;

static void
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl != -1)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

struct conn *
conn_new(struct loop *l, int rfd, int wfd, const struct conn_ops *ops,
    void *arg, const char *name)
{
	struct conn *c = xcalloc(1, sizeof(*c));

	c->c_rfd = rfd;
	c->c_wfd = wfd;
	c->c_loop = l;
	c->c_ops = ops;
	c->c_arg = arg;
	strlcpy(c->c_name, name, sizeof(c->c_name));
	rsp_decoder_init(&c->c_dec, RSP_MAX_PACKET);
	rsp_buf_init(&c->c_in);
	rsp_buf_init(&c->c_out);
	rsp_buf_init(&c->c_last);
	set_nonblock(rfd);
	if (wfd != rfd)
		set_nonblock(wfd);
	if (loop_add_fd(l, rfd, LOOP_READ, conn_io, c) == -1)
		fatal("loop_add_fd");
	if (wfd != rfd && loop_add_fd(l, wfd, 0, conn_io, c) == -1)
		fatal("loop_add_fd");
	return c;
}

static void
conn_free(struct conn *c)
{
	loop_undefer(c->c_loop, conn_process, c);
	if (c->c_stall_timer != 0)
		loop_del_timer(c->c_loop, c->c_stall_timer);
	loop_del_fd(c->c_loop, c->c_rfd);
	close(c->c_rfd);
	if (c->c_wfd != c->c_rfd) {
		loop_del_fd(c->c_loop, c->c_wfd);
		close(c->c_wfd);
	}
	while (c->c_nfds > 0)
		close(c->c_fds[--c->c_nfds].fd);
	rsp_decoder_free(&c->c_dec);
	rsp_buf_free(&c->c_in);
	rsp_buf_free(&c->c_out);
	rsp_buf_free(&c->c_last);
	free(c);
}

/* The peer is gone: tell the owner once, then free. */
static void
conn_lost(struct conn *c)
{
	if (c->c_dead)
		return;
	c->c_dead = true;
	c->c_busy++;
	c->c_ops->co_closed(c);
	c->c_busy--;
	if (c->c_busy == 0)
		conn_free(c);
}

void
conn_close(struct conn *c)
{
	if (c->c_dead)
		return;
	conn_flush(c);
	c->c_dead = true;
	if (c->c_busy == 0)
		conn_free(c);
}

void
conn_pause(struct conn *c)
{
	c->c_paused = true;
	loop_undefer(c->c_loop, conn_process, c);
	conn_update_mask(c);
}

void
conn_abandon(struct conn *c)
{
	rsp_buf_reset(&c->c_out);
	while (c->c_nfds > 0)
		close(c->c_fds[--c->c_nfds].fd);
	c->c_dead = true;
	if (c->c_busy == 0)
		conn_free(c);
}

void
conn_rehome(struct conn *c, struct loop *l, int fd,
    const struct conn_ops *ops, void *arg)
{
	c->c_loop = l;
	c->c_rfd = c->c_wfd = fd;
	c->c_ops = ops;
	c->c_arg = arg;
	c->c_busy = 0;
	c->c_paused = false;
	c->c_stall_timer = 0;	/* the other process's loop's */
	set_nonblock(fd);
	if (loop_add_fd(l, fd, LOOP_READ, conn_io, c) == -1)
		fatal("loop_add_fd");
	conn_update_mask(c);
	loop_defer(l, conn_process, c);	/* what was buffered, or EOF */
}

size_t
conn_pending(const struct conn *c)
{
	return rsp_buf_used(&c->c_out);
}

void
conn_set_stall(unsigned secs)
{
	conn_stall_ms = (uint64_t)secs * 1000;
}

/*
 * The stall timer: nothing written for conn_stall_ms with the output at
 * CONN_OUT_HIGH.  A client that never reads its replies would otherwise
 * hold its session, and whatever that session debugs, forever.
 */
static void
conn_stalled(void *arg)
{
	struct conn *c = arg;
	uint64_t idle = loop_now() - c->c_progress;

	c->c_stall_timer = 0;
	if (idle < conn_stall_ms) {
		c->c_stall_timer = loop_add_timer(c->c_loop,
		    conn_stall_ms - idle, conn_stalled, c);
		return;
	}
	log_warnx("%s: the client has read nothing for %llu s with %zu bytes "
	    "waiting for it; closing the connection", c->c_name,
	    (unsigned long long)(idle / 1000), rsp_buf_used(&c->c_out));
	conn_lost(c);
}

/* Arm write interest only while output is queued (tmux). */
static void
conn_update_mask(struct conn *c)
{
	bool out = rsp_buf_used(&c->c_out) > 0;
	bool in = !c->c_eof && !c->c_paused &&
	    rsp_buf_used(&c->c_out) < CONN_OUT_HIGH;

	if (c->c_wfd == c->c_rfd) {
		loop_set_mask(c->c_loop, c->c_rfd,
		    (in ? LOOP_READ : 0) | (out ? LOOP_WRITE : 0));
	} else {
		loop_set_mask(c->c_loop, c->c_rfd, in ? LOOP_READ : 0);
		loop_set_mask(c->c_loop, c->c_wfd, out ? LOOP_WRITE : 0);
	}
	if (rsp_buf_used(&c->c_out) >= CONN_OUT_HIGH && conn_stall_ms > 0 &&
	    !c->c_dead) {
		if (c->c_stall_timer == 0) {
			c->c_progress = loop_now();
			c->c_stall_timer = loop_add_timer(c->c_loop,
			    conn_stall_ms, conn_stalled, c);
		}
	} else if (c->c_stall_timer != 0) {
		loop_del_timer(c->c_loop, c->c_stall_timer);
		c->c_stall_timer = 0;
	}
}

int
conn_flush(struct conn *c)
{
	size_t len;
	unsigned i;
	ssize_t n;

	while (rsp_buf_used(&c->c_out) > 0) {
		/*
		 * Write up to the next byte a descriptor rides with; that
		 * byte starts a sendmsg of its own.
		 */
		len = rsp_buf_used(&c->c_out);
		if (c->c_nfds > 0 && c->c_fds[0].at > 0)
			len = c->c_fds[0].at;
		else if (c->c_nfds > 1)
			len = c->c_fds[1].at;	/* this one's bytes only */
		if (c->c_nfds > 0 && c->c_fds[0].at == 0)
			n = fdpass_send(c->c_wfd, c->c_fds[0].fd,
			    rsp_buf_head(&c->c_out), len);
		else
			n = write(c->c_wfd, rsp_buf_head(&c->c_out), len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			return -1;
		}
		if (c->c_stall_timer != 0)
			c->c_progress = loop_now();
		if (c->c_nfds > 0 && c->c_fds[0].at == 0) {
			close(c->c_fds[0].fd);
			memmove(c->c_fds, c->c_fds + 1,
			    --c->c_nfds * sizeof(c->c_fds[0]));
		}
		for (i = 0; i < c->c_nfds; i++)
			c->c_fds[i].at -= (size_t)n;
		rsp_buf_drain(&c->c_out, n);
	}
	conn_update_mask(c);
	return 0;
}

static void
conn_queue(struct conn *c, const char *raw, size_t len)
{
	if (rsp_buf_add(&c->c_out, raw, len) == -1)
		fatal("%s: output", c->c_name);
}

int
conn_notify(struct conn *c, const char *payload, size_t len, int fd)
{
	if (c->c_dead || (fd != -1 && c->c_nfds == CONN_MAX_FDS)) {
		if (fd != -1)
			close(fd);
		errno = c->c_dead ? EPIPE : ENOBUFS;
		return -1;
	}
	log_packet(c->c_name, "<-", payload, len);
	if (fd != -1) {
		c->c_fds[c->c_nfds].at = rsp_buf_used(&c->c_out);
		c->c_fds[c->c_nfds++].fd = fd;
	}
	if (rsp_frame(&c->c_out, '%', payload, len, !c->c_norle) == -1)
		fatal("%s: frame", c->c_name);
	if (conn_flush(c) == -1)
		log_debug("%s: write: %s", c->c_name, strerror(errno));
	return 0;
}

void
conn_send(struct conn *c, const char *payload, size_t len)
{
	size_t before = rsp_buf_used(&c->c_out);

	if (c->c_dead)
		return;
	log_packet(c->c_name, "<-", payload, len);
	if (rsp_frame(&c->c_out, '$', payload, len, !c->c_norle) == -1)
		fatal("%s: frame", c->c_name);
	if (!c->c_noack) {
		rsp_buf_reset(&c->c_last);
		if (rsp_buf_add(&c->c_last, rsp_buf_head(&c->c_out) + before,
		    rsp_buf_used(&c->c_out) - before) == -1)
			fatal("%s: output", c->c_name);
	}
	if (conn_flush(c) == -1)
		log_debug("%s: write: %s", c->c_name, strerror(errno));
}

void
conn_sendstr(struct conn *c, const char *s)
{
	conn_send(c, s, strlen(s));
}

void
conn_sendbuf(struct conn *c, struct rsp_buf *b)
{
	conn_send(c, rsp_buf_head(b), rsp_buf_used(b));
	rsp_buf_reset(b);
}

void
conn_set_noack(struct conn *c, bool on)
{
	c->c_noack = on;
	rsp_decoder_noack(&c->c_dec, on);
}

void
conn_set_rle(struct conn *c, bool on)
{
	c->c_norle = !on;
}

static void
conn_event(struct conn *c, enum rsp_event ev, const char *p, size_t len)
{
	switch (ev) {
	case RSP_EV_PACKET:
		c->c_packets++;
		if (!c->c_noack)
			conn_queue(c, "+", 1);
		log_packet(c->c_name, "->", p, len);
		c->c_ops->co_packet(c, (char *)p, len);
		break;
	case RSP_EV_NAK:
		if (!c->c_noack && rsp_buf_used(&c->c_last) > 0)
			conn_queue(c, rsp_buf_head(&c->c_last),
			    rsp_buf_used(&c->c_last));
		break;
	case RSP_EV_INTERRUPT:
		log_debug("%s: interrupt", c->c_name);
		c->c_ops->co_interrupt(c);
		break;
	case RSP_EV_BADSUM:
		log_debug("%s: bad checksum, asking again", c->c_name);
		if (!c->c_noack)
			conn_queue(c, "-", 1);
		break;
	case RSP_EV_TOOLONG:
	case RSP_EV_BADFORMAT:
		log_debug("%s: %s packet dropped", c->c_name,
		    ev == RSP_EV_TOOLONG ? "oversized" : "malformed");
		if (!c->c_noack)
			conn_queue(c, "+", 1);
		conn_sendstr(c, ev == RSP_EV_TOOLONG ? "E.packet too long" :
		    "E.malformed packet");
		break;
	default:
		break;
	}
}

/* Decode and handle buffered input, a bounded number of packets a turn. */
static void
conn_process(void *arg)
{
	struct conn *c = arg;
	const char *payload;
	size_t used, plen;
	int handled = 0;
	enum rsp_event ev;

	c->c_busy++;
	while (!c->c_dead && !c->c_paused && rsp_buf_used(&c->c_in) > 0) {
		if (handled == CONN_MAX_PER_TURN ||
		    rsp_buf_used(&c->c_out) >= CONN_OUT_HIGH) {
			if (rsp_buf_used(&c->c_out) < CONN_OUT_HIGH)
				loop_defer(c->c_loop, conn_process, c);
			break;
		}
		ev = rsp_decode(&c->c_dec, rsp_buf_head(&c->c_in),
		    rsp_buf_used(&c->c_in), &used, &payload, &plen);
		rsp_buf_drain(&c->c_in, used);
		if (ev == RSP_EV_NONE)
			break;
		conn_event(c, ev, payload, plen);
		if (ev == RSP_EV_PACKET)
			handled++;
	}
	c->c_busy--;
	if (c->c_dead) {
		if (c->c_busy == 0)
			conn_free(c);
		return;
	}
	if (conn_flush(c) == -1) {
		conn_lost(c);
		return;
	}
	if (c->c_eof && !c->c_paused && rsp_buf_used(&c->c_in) == 0)
		conn_lost(c);
}

static void
conn_io(int fd, int events, void *arg)
{
	struct conn *c = arg;
	char *p;
	ssize_t n;

	if ((events & LOOP_WRITE) && conn_flush(c) == -1) {
		conn_lost(c);
		return;
	}
	if (!(events & LOOP_READ) || fd != c->c_rfd || c->c_eof ||
	    c->c_paused)
		goto process;
	if ((p = rsp_buf_reserve(&c->c_in, CONN_READ_CHUNK)) == NULL)
		fatal("%s: input", c->c_name);
	n = read(c->c_rfd, p, CONN_READ_CHUNK);
	/* Give back what the read did not fill. */
	c->c_in.b_len -= CONN_READ_CHUNK - (n > 0 ? n : 0);
	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
		log_debug("%s: %s", c->c_name, n == 0 ? "end of input" :
		    strerror(errno));
		c->c_eof = true;
	}
process:
	conn_process(c);
}
