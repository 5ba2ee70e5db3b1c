/*
 * listen.h -- where the server listens: TCP, a unix socket, or stdio.
 */
#ifndef DAEMON_LISTEN_H
#define DAEMON_LISTEN_H

#include <sys/types.h>

#include <stdbool.h>

#define LISTEN_MAX_NAME		108	/* bytes of a unix socket path */

enum ep_kind { EP_TCP, EP_UNIX, EP_STDIO };

struct endpoint {
	enum ep_kind	 ep_kind;
	char		 ep_host[256];	/* TCP: "" means loopback */
	char		 ep_port[16];
	char		 ep_path[LISTEN_MAX_NAME];	/* unix socket */
	int		 ep_fd;		/* listening socket, -1 if none */
	int		 ep_bound_port;	/* TCP: the port we got */
};

/*
 * Parse "[HOST]:PORT", "unix:PATH" or a PATH with a '/', or "-".
 * Returns -1 with a message in err on a bad address.
 */
int	 ep_parse(struct endpoint *, const char *, char *err, size_t errlen);
/* Bind and listen; -1 with a message in err. */
int	 ep_listen(struct endpoint *, char *err, size_t errlen);
/*
 * Accept one connection (non-blocking, close-on-exec); -1 with errno.
 * desc gets "host H, port P" for TCP or the peer's pid for unix.
 */
int	 ep_accept(struct endpoint *, char *desc, size_t desclen);
void	 ep_close(struct endpoint *);

#endif /* DAEMON_LISTEN_H */
