/*
 * listen.h -- endpoints: where a server meets its client.
 *
 * An address names one endpoint; ep_parse reads it, then a listening
 * endpoint is made ready with ep_listen and gives connections with
 * ep_accept, and a connecting one (or a descriptor we were given) gives
 * its one connection with ep_connect.  "handoffd gdbserver" takes every
 * kind; "handoffd platform" takes the listening ones (ep_listening).
 *
 *   [HOST]:PORT  tcp://  listen://    listen on TCP (no HOST: loopback,
 *                                     "*": every address)
 *   PATH  unix:PATH  unix://  unix-accept://  accept://
 *                                     listen on a unix socket path
 *   unix-abstract://  unix-abstract-accept://NAME
 *                                     listen on an abstract unix socket
 *   sd-listen://                      the listening socket systemd passed
 *                                     (LISTEN_FDS, LISTEN_PID; fd 3)
 *   connect://  tcp-connect://HOST:PORT   connect out over TCP
 *   unix-connect://PATH  unix-abstract-connect://NAME
 *                                     connect out to a unix socket
 *   fd://N                            a connected socket by number (a
 *                                     listening one is listened on)
 *   serial://DEVICE[?OPTS]            a terminal device, made raw; OPTS
 *                                     as lldb's, joined by '&': baud=N,
 *                                     parity=no|even|odd|mark|space,
 *                                     parity-check=no|replace|ignore,
 *                                     stop-bits=1|2
 *   -                                 stdin and stdout
 *
 * With ep_parse_reverse (lldb-server's --reverse-connect) the forms that
 * do not say which way, [HOST]:PORT, a path, tcp://, unix:// and
 * unix-abstract://, connect out instead of listening.
 *
 * fd:// and sd-listen:// adopt their descriptor as they are parsed: it
 * becomes close-on-exec (and sd-listen:// clears LISTEN_PID, LISTEN_FDS
 * and LISTEN_FDNAMES), so that no program started meanwhile inherits it.
 *
 * Every unix socket connection, accepted or made, must belong to our own
 * user or root (SO_PEERCRED).  Descriptors returned are non-blocking and
 * close-on-exec; the caller owns them.
 */
#ifndef DAEMON_LISTEN_H
#define DAEMON_LISTEN_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>

#define EP_MAX_PATH		108	/* bytes of a unix socket path, NUL */
#define EP_MAX_ABSTRACT		107	/* bytes of an abstract name */
#define EP_MAX_HOST		256	/* bytes of a host name, NUL */
#define EP_MAX_PORT		65535
#define EP_MAX_FD		65535	/* highest fd:// number taken */
#define EP_MAX_BAUD		4000000	/* highest serial:// baud= */
#define EP_BACKLOG		16	/* connections waiting to be accepted */
#define EP_CONNECT_TIMEOUT	10000	/* ms for a TCP connect out */
#define EP_SD_LISTEN_FDS_START	3	/* systemd's first passed fd */

enum ep_kind {
	EP_TCP,		/* listen on [HOST]:PORT */
	EP_UNIX,	/* listen on a unix socket path */
	EP_ABSTRACT,	/* listen on an abstract unix socket name */
	EP_INHERITED,	/* a listening socket given to us (sd-listen, fd) */
	EP_TCP_CONNECT,	/* connect out to HOST:PORT */
	EP_UNIX_CONNECT, /* connect out to a unix socket path */
	EP_ABSTRACT_CONNECT, /* connect out to an abstract name */
	EP_FD,		/* a connected socket, by number */
	EP_SERIAL,	/* a terminal device */
	EP_STDIO,	/* stdin and stdout */
};

struct endpoint {
	enum ep_kind	 ep_kind;
	char		 ep_host[EP_MAX_HOST];	/* TCP: "" loopback, "*" any */
	char		 ep_port[8];
	char		 ep_path[EP_MAX_PATH];	/* path or abstract name */
	int		 ep_given;	/* fd:// number, -1 if none */
	int		 ep_fd;		/* listening socket, -1 if none */
	int		 ep_family;	/* of ep_fd: AF_INET, AF_INET6, AF_UNIX */
	int		 ep_bound_port;	/* TCP: the port we got */
	bool		 ep_any_uid;	/* TCP: no uid check (--allow-any-uid) */
	/* EP_SERIAL: what to set; 0 leaves the line as it is */
	unsigned int	 ep_baud;
	int		 ep_parity;	/* 'n', 'e', 'o', 'm', 's' */
	int		 ep_parity_check; /* 'n', 'r', 'i' */
	int		 ep_stop_bits;
};

/*
 * Read an address (above); -1 with a message in err on a bad one.
 * Nothing is opened yet.
 */
int	 ep_parse(struct endpoint *, const char *, char *err, size_t errlen);
/* The same, with --reverse-connect's meaning for undirected forms. */
int	 ep_parse_reverse(struct endpoint *, const char *, char *err,
	    size_t errlen);
/* True for the kinds that listen (ep_listen, ep_accept). */
bool	 ep_listening(const struct endpoint *);
/*
 * Listening kinds: bind and listen, or take over the inherited socket.
 * -1 with a message in err.  Other kinds: nothing to do, 0.
 */
int	 ep_listen(struct endpoint *, char *err, size_t errlen);
/*
 * Accept one connection; -1 with errno (EAGAIN: none waiting, EACCES:
 * refused, closed and logged: a unix peer of another user, or a loopback
 * TCP peer whose socket is not ours or root's, unless ep_any_uid).  desc
 * gets "host H, port P" for TCP or the peer's pid and uid for unix.
 */
int	 ep_accept(struct endpoint *, char *desc, size_t desclen);
/*
 * After ep_accept failed with errno: out of descriptors or memory, the
 * listener rests for EP_ACCEPT_REST_MS (logged); other errors but the
 * expected ones (EAGAIN, EINTR, EACCES) are logged.
 */
#define EP_ACCEPT_REST_MS	500
struct loop;
void	 ep_accept_failed(struct endpoint *, struct loop *);
/*
 * Connecting kinds: connect out and return the socket.  EP_FD: return
 * the descriptor given, now close-on-exec and non-blocking (the
 * endpoint no longer owns it).  EP_SERIAL: open the device, raw, with
 * the options asked for.  -1 with a message in err.
 */
int	 ep_connect(struct endpoint *, char *err, size_t errlen);
/*
 * What a listening endpoint is called, for "Listening on %s": "port N",
 * "unix socket PATH", "abstract unix socket @NAME".
 */
void	 ep_describe(const struct endpoint *, char *buf, size_t len);
/*
 * What lldb-server writes to --pipe and --named-pipe once listening:
 * the TCP port in decimal, else the socket's name.
 */
void	 ep_socket_id(const struct endpoint *, char *buf, size_t len);
/* Close the listening socket; a unix socket path we bound is removed. */
/*
 * Where a client connects to a listening endpoint: "HOST:PORT" (port, or
 * the bound one when 0; loopback for an unnamed or any host), the path,
 * or "unix-abstract://NAME".
 */
void	 ep_address(const struct endpoint *, int port, char *buf, size_t len);
void	 ep_close(struct endpoint *);

#endif /* DAEMON_LISTEN_H */
