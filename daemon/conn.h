/*
 * conn.h -- one client connection: framing, acknowledgements, output
 * buffering and back-pressure, on top of the event loop.
 */
#ifndef DAEMON_CONN_H
#define DAEMON_CONN_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "rsp/rsp.h"

#define CONN_READ_CHUNK		65536	/* bytes read per read(2) */
#define CONN_MAX_PER_TURN	16	/* packets handled per loop turn */
#define CONN_OUT_HIGH		(4u << 20) /* bytes queued: stop reading */
#define CONN_MAX_FDS		64	/* descriptors queued to send */
/*
 * A client that reads nothing while CONN_OUT_HIGH bytes wait for it (its
 * input already paused) is closed after this long, and its session ends
 * as if it had left (--stall-timeout; 0: never).
 */
#define CONN_STALL_SECS		60
#define CONN_MAX_STALL_SECS	86400	/* --stall-timeout at most */

struct conn;
struct loop;

struct conn_ops {
	/* A packet arrived; payload is NUL-terminated, writable. */
	void	(*co_packet)(struct conn *, char *payload, size_t len);
	/* The 0x03 byte. */
	void	(*co_interrupt)(struct conn *);
	/* The peer went away or the connection failed; c is freed after. */
	void	(*co_closed)(struct conn *);
};

struct conn {
	int		 c_rfd;
	int		 c_wfd;
	struct loop	*c_loop;
	const struct conn_ops *c_ops;
	void		*c_arg;		/* owner's */
	struct rsp_decoder c_dec;
	struct rsp_buf	 c_in;		/* read, not yet decoded */
	struct rsp_buf	 c_out;		/* framed, not yet written */
	struct rsp_buf	 c_last;	/* last packet, for a NAK */
	struct {
		size_t	 at;		/* offset in c_out of the byte it */
		int	 fd;		/* rides with */
	}		 c_fds[CONN_MAX_FDS];
	unsigned	 c_nfds;
	bool		 c_noack;
	bool		 c_norle;	/* replies without run-length encoding */
	bool		 c_eof;		/* no more input */
	bool		 c_dead;	/* closed; free when safe */
	bool		 c_paused;	/* not reading or handling packets */
	uint64_t	 c_packets;	/* well-formed packets received */
	int		 c_busy;	/* inside a callback */
	uint64_t	 c_stall_timer;	/* armed while output is at the mark */
	uint64_t	 c_progress;	/* loop_now() of the last write */
	char		 c_name[64];
};

/* Take over rfd/wfd (the same for sockets), made non-blocking. */
struct conn *conn_new(struct loop *, int rfd, int wfd,
	    const struct conn_ops *, void *arg, const char *name);
/* Close now (or once the current callback returns). */
void	 conn_close(struct conn *);
/* Frame and queue a packet; writes at once when the socket takes it. */
void	 conn_send(struct conn *, const char *payload, size_t len);
void	 conn_sendstr(struct conn *, const char *);
/*
 * Frame and queue a notification ("%payload#cs"), between packets.  With
 * fd != -1 (a unix socket only), fd rides with the '%' as SCM_RIGHTS and
 * is closed once sent; conn_notify owns it whatever happens.  -1 with
 * errno (ENOBUFS: CONN_MAX_FDS already queued) and fd closed on failure.
 */
int	 conn_notify(struct conn *, const char *payload, size_t len, int fd);
/* Send a packet whose payload was built in buf (then reset). */
void	 conn_sendbuf(struct conn *, struct rsp_buf *);
void	 conn_set_noack(struct conn *, bool);
/* Run-length encode what is sent (the default; lldb-server never does). */
void	 conn_set_rle(struct conn *, bool);
/* Flush what can be written; -1 if the peer is gone. */
int	 conn_flush(struct conn *);
/* Output not yet written. */
size_t	 conn_pending(const struct conn *);
/* Every connection's stall limit (CONN_STALL_SECS); 0: none. */
void	 conn_set_stall(unsigned secs);

/*
 * Handing a connection to another process (the platform daemon's session
 * workers).  conn_pause stops reading and handling packets, after the
 * one being handled; what is buffered stays.  conn_abandon frees the
 * connection without writing anything more or telling the owner: the
 * descriptor now belongs to someone else.  conn_rehome, in the process
 * that received the descriptor (a fork of the one that paused it), puts
 * the inherited copy of the connection on that process's loop with fd,
 * its buffers, acknowledgement mode and decoder state intact.
 */
void	 conn_pause(struct conn *);
void	 conn_abandon(struct conn *);
void	 conn_rehome(struct conn *, struct loop *, int fd,
	    const struct conn_ops *, void *arg);

#endif /* DAEMON_CONN_H */
