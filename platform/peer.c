/*
 * peer.c -- who is on the other end of a socket.
 *
 * A unix socket carries its peer's credentials (SO_PEERCRED).  A TCP
 * connection carries none, but on loopback both ends are sockets of this
 * kernel: we ask NETLINK_SOCK_DIAG for the socket whose local address is
 * our peer's and whose remote address is ours, and read the uid that
 * created it.  A peer off loopback is another machine's: nobody here can
 * vouch for it.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "platform/peer.h"

#define PEER_DIAG_BUF	8192	/* bytes: one inet_diag_msg, no extensions */
#define PEER_DIAG_SEQ	1	/* a fresh socket per query: any will do */

bool
peer_addr_loopback(const struct sockaddr *sa)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

	switch (sa->sa_family) {
	case AF_INET:
		return (ntohl(sin->sin_addr.s_addr) >> 24) == IN_LOOPBACKNET;
	case AF_INET6:
		if (IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr))
			return true;
		return IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr) &&
		    sin6->sin6_addr.s6_addr[12] == IN_LOOPBACKNET;
	default:
		return false;
	}
}

/*
 * The family of fd if we know how to find its peer: AF_UNIX of any type,
 * or TCP over AF_INET/AF_INET6.  SO_PROTOCOL, not SO_TYPE alone: SCTP
 * has stream sockets too, and sock_diag's TCP table does not hold them.
 */
static int
peer_family(int fd)
{
	socklen_t len;
	int family, proto;

	len = sizeof(family);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &family, &len) == -1)
		return -1;
	if (family == AF_UNIX)
		return family;
	len = sizeof(proto);
	if ((family != AF_INET && family != AF_INET6) ||
	    getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) == -1 ||
	    proto != IPPROTO_TCP) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	return family;
}

static int
peer_unix(int fd, uid_t *uid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1)
		return -1;
	/* An unconnected unix socket reports uid -1 rather than failing. */
	if (cred.uid == (uid_t)-1) {
		errno = ENOTCONN;
		return -1;
	}
	*uid = cred.uid;
	return 0;
}

/*
 * Read the one reply to an exact (non-dump) request: the socket, or an
 * NLMSG_ERROR.  The kernel answers inside our send, so the reply is
 * queued already and MSG_DONTWAIT cannot make us miss it; it only keeps
 * a kernel that did otherwise from blocking the event loop.
 */
static int
peer_diag_recv(int nl, const struct inet_diag_req_v2 *req, uid_t *uid)
{
	union {
		struct nlmsghdr	nh;
		char		buf[PEER_DIAG_BUF];
	} u;
	struct sockaddr_nl from;
	socklen_t fromlen = sizeof(from);
	const struct inet_diag_msg *m = NLMSG_DATA(&u.nh);
	const struct nlmsgerr *err = NLMSG_DATA(&u.nh);
	ssize_t n;

	n = recvfrom(nl, &u, sizeof(u), MSG_DONTWAIT | MSG_TRUNC,
	    (struct sockaddr *)&from, &fromlen);
	if (n == -1)
		return -1;
	if ((size_t)n > sizeof(u)) {
		errno = EMSGSIZE;
		return -1;
	}
	/* From the kernel, ours, and whole; anything else is not an answer. */
	if (fromlen != sizeof(from) || from.nl_pid != 0 ||
	    (size_t)n < sizeof(u.nh) || u.nh.nlmsg_len > (size_t)n ||
	    u.nh.nlmsg_seq != PEER_DIAG_SEQ)
		goto proto;
	if (u.nh.nlmsg_type == NLMSG_ERROR) {
		if (u.nh.nlmsg_len < NLMSG_LENGTH(sizeof(*err)) ||
		    err->error >= 0)
			goto proto;
		errno = -err->error;
		return -1;
	}
	if (u.nh.nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    u.nh.nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		goto proto;
	/*
	 * The lookup falls back to a listener on the port when no connection
	 * matches: the ports must be the ones we asked for.  A socket with no
	 * inode has no process left: an orphan its owner closed, or a
	 * TIME_WAIT or request minisocket, which the kernel reports as uid 0
	 * whoever made it.
	 */
	if (m->id.idiag_sport != req->id.idiag_sport ||
	    m->id.idiag_dport != req->id.idiag_dport || m->idiag_inode == 0) {
		errno = ENOENT;
		return -1;
	}
	*uid = m->idiag_uid;
	return 0;
proto:
	errno = EPROTO;
	return -1;
}

/*
 * The uid of the TCP socket of this family bound to src:sport and
 * connected to dst:dport; addresses are 4 or 16 bytes, ports in network
 * order.
 */
static int
peer_diag(int family, const void *src, in_port_t sport, const void *dst,
    in_port_t dport, uid_t *uid)
{
	struct {
		struct nlmsghdr		nh;
		struct inet_diag_req_v2	r;
	} req;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	size_t alen = family == AF_INET ? 4 : 16;
	int nl, rc = -1, e;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = sizeof(req);
	req.nh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.nh.nlmsg_seq = PEER_DIAG_SEQ;
	req.r.sdiag_family = family;
	req.r.sdiag_protocol = IPPROTO_TCP;
	req.r.idiag_states = ~0U;
	req.r.id.idiag_sport = sport;
	req.r.id.idiag_dport = dport;
	memcpy(req.r.id.idiag_src, src, alen);
	memcpy(req.r.id.idiag_dst, dst, alen);
	req.r.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	req.r.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;

	if ((nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
	    NETLINK_SOCK_DIAG)) == -1)
		return -1;
	/* Connected to the kernel, the socket refuses other senders. */
	if (connect(nl, (struct sockaddr *)&kernel, sizeof(kernel)) == -1 ||
	    send(nl, &req, sizeof(req), 0) != (ssize_t)sizeof(req))
		goto out;
	rc = peer_diag_recv(nl, &req.r, uid);
out:
	e = errno;
	close(nl);
	errno = e;
	return rc;
}

static int
peer_tcp(int fd, uid_t *uid)
{
	struct sockaddr_storage me, them;
	struct sockaddr_in *me4 = (struct sockaddr_in *)&me;
	struct sockaddr_in *them4 = (struct sockaddr_in *)&them;
	struct sockaddr_in6 *me6 = (struct sockaddr_in6 *)&me;
	struct sockaddr_in6 *them6 = (struct sockaddr_in6 *)&them;
	socklen_t melen = sizeof(me), themlen = sizeof(them);

	if (getpeername(fd, (struct sockaddr *)&them, &themlen) == -1 ||
	    getsockname(fd, (struct sockaddr *)&me, &melen) == -1)
		return -1;
	if (!peer_addr_loopback((struct sockaddr *)&them)) {
		errno = EADDRNOTAVAIL;
		return -1;
	}
	/* The peer's socket: its source is our peer, its destination us. */
	if (them.ss_family == AF_INET)
		return peer_diag(AF_INET, &them4->sin_addr, them4->sin_port,
		    &me4->sin_addr, me4->sin_port, uid);
	if (peer_diag(AF_INET6, &them6->sin6_addr, them6->sin6_port,
	    &me6->sin6_addr, me6->sin6_port, uid) == 0)
		return 0;
	/*
	 * ::ffff:127.0.0.1 is an AF_INET client of our dual-stack socket.
	 * Current kernels look mapped pairs up in the IPv4 table themselves;
	 * older ones search only the IPv6 one, so ask in IPv4 terms.
	 */
	if (errno != ENOENT || !IN6_IS_ADDR_V4MAPPED(&them6->sin6_addr) ||
	    !IN6_IS_ADDR_V4MAPPED(&me6->sin6_addr))
		return -1;
	return peer_diag(AF_INET, &them6->sin6_addr.s6_addr[12],
	    them6->sin6_port, &me6->sin6_addr.s6_addr[12], me6->sin6_port, uid);
}

int
peer_uid(int fd, uid_t *uid)
{
	int family;

	if ((family = peer_family(fd)) == -1)
		return -1;
	if (family == AF_UNIX)
		return peer_unix(fd, uid);
	return peer_tcp(fd, uid);
}

/* The peer's address for a message, "?" when it has none. */
static void
peer_name(int fd, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	const void *a = NULL;

	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET)
			a = &((struct sockaddr_in *)&ss)->sin_addr;
		else if (ss.ss_family == AF_INET6)
			a = &((struct sockaddr_in6 *)&ss)->sin6_addr;
	}
	if (a == NULL || inet_ntop(ss.ss_family, a, buf, len) == NULL)
		snprintf(buf, len, "?");
}

bool
peer_uid_ok(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

bool
peer_entitled(int fd, bool allow_any, char *why, size_t whylen)
{
	char name[INET6_ADDRSTRLEN];
	uid_t uid;
	int family, e;

	if ((family = peer_family(fd)) == -1 && errno == ENOTSOCK)
		return true;
	if (allow_any && (family == AF_INET || family == AF_INET6))
		return true;
	if (family != -1 && peer_uid(fd, &uid) == 0) {
		if (peer_uid_ok(uid))
			return true;
		snprintf(why, whylen, "peer uid %lu is neither 0 nor ours",
		    (unsigned long)uid);
		return false;
	}
	e = errno;
	peer_name(fd, name, sizeof(name));
	switch (e) {
	case EADDRNOTAVAIL:
		snprintf(why, whylen, "TCP peer %s is not on loopback: its "
		    "user cannot be known", name);
		break;
	case ENOENT:
		snprintf(why, whylen, "TCP peer %s has no live socket here: "
		    "closed, or in another network namespace", name);
		break;
	case EAFNOSUPPORT:
		snprintf(why, whylen, "not a unix or TCP socket");
		break;
	default:
		snprintf(why, whylen, "peer cannot be identified: %s",
		    strerror(e));
		break;
	}
	return false;
}
