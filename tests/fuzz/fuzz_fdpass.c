/*
 * fuzz_fdpass.c -- libFuzzer harness for fdpass_recv: hostile control
 * messages must cost neither a crash nor a leaked descriptor nor the
 * bytes of the stream.
 *
 * Each input is a small script for one message sent on a fresh AF_UNIX
 * socketpair (stream, seqpacket or datagram): its payload, an optional
 * descriptor-free prefix sent ahead of it (so that descriptors ride on a
 * later byte than the first), and a control area of up to FZ_CMSG_MAX
 * well-formed cmsgs whose level, type and descriptor count (/dev/null or
 * a pipe's write end) come from the input.  The receiver may have
 * SO_PASSCRED; the peer may close or shut down before or between the
 * receives; the receiver's descriptor table may be full (RLIMIT_NOFILE
 * lowered), or have room for one descriptor only, so that the kernel
 * installs none, or one and flags the rest cut short (MSG_CTRUNC).  An
 * input the kernel refuses to send is simply dropped.
 *
 * fdpass_recv is then called once with a receive length from the input
 * and again until the socket is drained, and every call is held to
 * fdpass.h:
 *   - -1 only with EAGAIN (the sockets are non-blocking), *fd -1;
 *   - otherwise at most len bytes, exactly the ones sent, in order;
 *   - *fd a new close-on-exec descriptor for the very file sent when
 *     exactly one descriptor rode on the bytes read, FDPASS_LOST when
 *     several did (even when only one could be installed), or the
 *     table was full, or other control data came, and -1 otherwise;
 *   - the drain ends in EAGAIN, or 0 when the peer has gone.
 * A zero-length datagram brings its descriptor with a return of 0, as
 * the kernel has it; fdpass.h is silent there, and so is this harness.
 * The descriptors open before and after each input are counted (through
 * /proc/self/fd): any difference, a leak of a passed descriptor or one
 * of ours closed by mistake, aborts.
 *
 * Input layout (missing bytes read as zero):
 *   [0]     flags: FZ_F_TYPE socket type, FZ_F_PASSCRED, FZ_F_PEER what
 *           the peer does, FZ_F_PREFIX a prefix is sent first,
 *           FZ_F_TABLE room in the receiver's descriptor table
 *   [1..2]  first receive length, little-endian, 1 .. FZ_RECV_MAX
 *   [3]     prefix length, 1 .. FZ_PREFIX_MAX
 *   [4]     payload length, 0 .. FZ_PAYLOAD_MAX
 *   [5]     number of cmsgs, 0 .. FZ_CMSG_MAX
 *   then per cmsg three bytes:
 *     kind:  FZ_K_LEVEL level, FZ_K_TYPE type, the high nibble the
 *            descriptors (modulo FZ_CMSG_FDS_MAX + 1)
 *     mask:  bit i: descriptor i is the pipe, not /dev/null
 *     extra: FZ_X_SLACK padding bytes; the rest a garbage level or type,
 *            or the credentials' seed
 *
 * A full table: the kernel installs none of the descriptors and says so
 * only by MSG_CTRUNC with an empty control area; fdpass_recv must still
 * report FDPASS_LOST (this harness found it reporting -1, "none came").
 */
#define _GNU_SOURCE		/* struct ucred, SCM_CREDENTIALS, pipe2 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "handoff/fdpass.h"
#include "tests/fuzz/fz.h"

#define FZ_RECV_MAX		4096	/* bytes: largest receive length */
#define FZ_PREFIX_MAX		64	/* bytes sent ahead, no descriptors */
#define FZ_PAYLOAD_MAX		255	/* bytes of the message with cmsgs */
#define FZ_CMSG_MAX		4	/* cmsgs in the one message */
#define FZ_CMSG_FDS_MAX		8	/* descriptors in one cmsg */
#define FZ_SLACK_MAX		3	/* bytes of padding after a cmsg's data */
#define FZ_CMSG_DATA_MAX	(FZ_CMSG_FDS_MAX * sizeof(int) + FZ_SLACK_MAX)
#define FZ_RECV_CALLS_MAX	8	/* fdpass_recv calls per input */
#define FZ_DGRAMS_MAX		2	/* prefix and message */

#define FZ_HDR_BYTES		6	/* fixed part of the input */

/* Input byte [0]. */
#define FZ_F_TYPE		0x03	/* 1: seqpacket, 2: datagram, else stream */
#define FZ_F_PASSCRED		0x04
#define FZ_F_PEER		0x18	/* enum fz_peer */
#define FZ_F_PEER_SHIFT		3
#define FZ_F_PREFIX		0x20
#define FZ_F_TABLE		0xc0	/* enum fz_table */
#define FZ_F_TABLE_SHIFT	6

#define FZ_TYPE_SEQPACKET	1
#define FZ_TYPE_DGRAM		2

/* Per cmsg: the kind byte. */
#define FZ_K_LEVEL		0x03	/* 3: a garbage level, else SOL_SOCKET */
#define FZ_K_LEVEL_GARBAGE	3
#define FZ_K_TYPE		0x0c	/* enum fz_ctype */
#define FZ_K_TYPE_SHIFT		2
#define FZ_K_NFDS_SHIFT		4
/* The extra byte. */
#define FZ_X_SLACK		0x03	/* 0 .. FZ_SLACK_MAX */
#define FZ_X_VALUE_SHIFT	2

/* Bytes of the prefix and the payload, told apart. */
#define FZ_FILL_STEP		7
#define FZ_FILL_PREFIX		0x50
#define FZ_FILL_PAYLOAD		0xa0

enum fz_peer {
	FZ_PEER_STAYS,		/* keeps its end open */
	FZ_PEER_CLOSES,		/* closes its end before the first receive */
	FZ_PEER_SHUTS,		/* shuts its end for writing, likewise */
	FZ_PEER_CLOSES_LATE,	/* closes its end after the first receive */
};

enum fz_table {
	FZ_TABLE_ROOMY,		/* the limit as it is */
	FZ_TABLE_FULL,		/* no number free below the limit */
	FZ_TABLE_ONE_FREE,	/* one number free below the limit */
	FZ_TABLE_ROOMY_TOO,
};

#define FZ_ROOM_ANY		(-1)	/* fs_room: the limit left alone */

enum fz_ctype {
	FZ_CT_RIGHTS,
	FZ_CT_CREDS,
	FZ_CT_RIGHTS_TOO,	/* SCM_RIGHTS again: the case that matters */
	FZ_CT_GARBAGE,
};

struct fz_cmsg {
	int		 fc_level;
	int		 fc_type;
	size_t		 fc_nfds;
	unsigned int	 fc_mask;	/* bit i: descriptor i is the pipe */
	size_t		 fc_slack;
	uint8_t		 fc_value;	/* garbage or credentials seed */
};

struct fz_script {
	int		 fs_type;
	bool		 fs_passcred;
	int		 fs_room;	/* descriptors that fit, FZ_ROOM_ANY */
	enum fz_peer	 fs_peer;
	size_t		 fs_recvlen;
	size_t		 fs_prefixlen;	/* 0: no prefix */
	size_t		 fs_paylen;
	size_t		 fs_ncmsg;
	struct fz_cmsg	 fs_cmsg[FZ_CMSG_MAX];
};

/* What was sent, and how far the receiver has come through it. */
struct fz_state {
	int		 st_sv[2];	/* [0] sends, [1] receives */
	uint8_t		 st_sent[FZ_PREFIX_MAX + FZ_PAYLOAD_MAX];
	size_t		 st_sentlen;
	size_t		 st_msgoff;	/* where the message's bytes begin */
	size_t		 st_dglen[FZ_DGRAMS_MAX];
	size_t		 st_ndgram;
	size_t		 st_rights;	/* descriptors the message carried */
	size_t		 st_got;	/* stream bytes received */
	size_t		 st_dgot;	/* datagrams received */
	bool		 st_gone;	/* the peer closed or shut down */
};

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static DIR		*fz_fddir;	/* /proc/self/fd, rewound per count */
static int		 fz_null = -1;	/* /dev/null, to pass */
static int		 fz_pipe[2] = { -1, -1 };	/* [1] is passed */
static struct stat	 fz_null_st, fz_pipe_st;
static struct rlimit	 fz_nofile;	/* the limit, while it is lowered */
static bool		 fz_lowered;

static void	fz_unfill_table(void);

static void __attribute__((noreturn))
fz_fail(const char *what, int line)
{
	fz_unfill_table();	/* room for the crash report and input */
	fprintf(stderr, "fuzz_fdpass.c:%d: check failed: %s\n", line, what);
	abort();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_fddir = opendir("/proc/self/fd");
	fz_null = open("/dev/null", O_RDWR | O_CLOEXEC);
	FZ_CHECK(fz_fddir != NULL && fz_null != -1);
	FZ_CHECK(pipe2(fz_pipe, O_CLOEXEC) == 0);
	FZ_CHECK(fstat(fz_null, &fz_null_st) == 0);
	FZ_CHECK(fstat(fz_pipe[1], &fz_pipe_st) == 0);
	return 0;
}

static void
fz_parse_cmsg(struct fz_input *in, struct fz_cmsg *c)
{
	uint8_t kind = fz_byte(in), mask = fz_byte(in), extra = fz_byte(in);
	uint8_t value = extra >> FZ_X_VALUE_SHIFT;

	c->fc_level = (kind & FZ_K_LEVEL) == FZ_K_LEVEL_GARBAGE ?
	    value : SOL_SOCKET;
	switch ((kind & FZ_K_TYPE) >> FZ_K_TYPE_SHIFT) {
	case FZ_CT_CREDS:
		c->fc_type = SCM_CREDENTIALS;
		break;
	case FZ_CT_GARBAGE:
		c->fc_type = value;
		break;
	default:
		c->fc_type = SCM_RIGHTS;
		break;
	}
	c->fc_nfds = (kind >> FZ_K_NFDS_SHIFT) % (FZ_CMSG_FDS_MAX + 1);
	c->fc_mask = mask;
	c->fc_slack = extra & FZ_X_SLACK;
	c->fc_value = value;
}

static void
fz_parse(const uint8_t *data, size_t size, struct fz_script *s)
{
	struct fz_input in = { data, size };
	uint8_t flags = fz_byte(&in), lo = fz_byte(&in), hi = fz_byte(&in);
	uint8_t prefix = fz_byte(&in), pay = fz_byte(&in), ncmsg = fz_byte(&in);
	size_t i;

	switch (flags & FZ_F_TYPE) {
	case FZ_TYPE_SEQPACKET:
		s->fs_type = SOCK_SEQPACKET;
		break;
	case FZ_TYPE_DGRAM:
		s->fs_type = SOCK_DGRAM;
		break;
	default:
		s->fs_type = SOCK_STREAM;
		break;
	}
	s->fs_passcred = (flags & FZ_F_PASSCRED) != 0;
	switch ((flags & FZ_F_TABLE) >> FZ_F_TABLE_SHIFT) {
	case FZ_TABLE_FULL:
		s->fs_room = 0;
		break;
	case FZ_TABLE_ONE_FREE:
		s->fs_room = 1;
		break;
	default:
		s->fs_room = FZ_ROOM_ANY;
		break;
	}
	s->fs_peer = (flags & FZ_F_PEER) >> FZ_F_PEER_SHIFT;
	s->fs_recvlen = 1 + (lo | (size_t)hi << 8) % FZ_RECV_MAX;
	s->fs_prefixlen = (flags & FZ_F_PREFIX) ? 1 + prefix % FZ_PREFIX_MAX : 0;
	s->fs_paylen = pay % (FZ_PAYLOAD_MAX + 1);
	s->fs_ncmsg = ncmsg % (FZ_CMSG_MAX + 1);
	for (i = 0; i < s->fs_ncmsg; i++)
		fz_parse_cmsg(&in, &s->fs_cmsg[i]);
}

/* Fill one cmsg's data; returns its length. */
static size_t
fz_fill_cmsg(const struct fz_cmsg *c, unsigned char *data)
{
	struct ucred cred;
	size_t i;
	int fd;

	if (c->fc_type == SCM_CREDENTIALS) {
		if (c->fc_value & 1) {
			cred.pid = getpid();
			cred.uid = getuid();
			cred.gid = getgid();
		} else {
			cred.pid = c->fc_value >> 1;
			cred.uid = cred.gid = c->fc_value;
		}
		memcpy(data, &cred, sizeof(cred));
		return sizeof(cred) + c->fc_slack;
	}
	for (i = 0; i < c->fc_nfds; i++) {
		fd = (c->fc_mask >> i) & 1 ? fz_pipe[1] : fz_null;
		memcpy(data + i * sizeof(int), &fd, sizeof(int));
	}
	return c->fc_nfds * sizeof(int) + c->fc_slack;
}

/*
 * Send the prefix, then the message with its cmsgs.  Returns false when
 * the kernel refused either: the input is of no interest.
 */
static bool
fz_send(const struct fz_script *s, struct fz_state *st)
{
	union {
		struct cmsghdr	hdr;
		char		buf[FZ_CMSG_MAX * CMSG_SPACE(FZ_CMSG_DATA_MAX)];
	} cmsgbuf;
	struct iovec iov;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cmsg;
	size_t i, len, used = 0;
	ssize_t n;

	for (i = 0; i < s->fs_prefixlen; i++)
		st->st_sent[i] = FZ_FILL_PREFIX + i * FZ_FILL_STEP;
	for (i = 0; i < s->fs_paylen; i++)
		st->st_sent[s->fs_prefixlen + i] = FZ_FILL_PAYLOAD +
		    i * FZ_FILL_STEP;
	if (s->fs_prefixlen > 0) {
		n = send(st->st_sv[0], st->st_sent, s->fs_prefixlen,
		    MSG_NOSIGNAL);
		if (n != (ssize_t)s->fs_prefixlen)
			return false;
		st->st_dglen[st->st_ndgram++] = n;
	}
	st->st_msgoff = s->fs_prefixlen;

	memset(&cmsgbuf, 0, sizeof(cmsgbuf));
	msg.msg_control = cmsgbuf.buf;
	msg.msg_controllen = sizeof(cmsgbuf.buf);
	cmsg = CMSG_FIRSTHDR(&msg);
	for (i = 0; i < s->fs_ncmsg; i++) {
		FZ_CHECK(cmsg != NULL);
		len = fz_fill_cmsg(&s->fs_cmsg[i], CMSG_DATA(cmsg));
		cmsg->cmsg_len = CMSG_LEN(len);
		cmsg->cmsg_level = s->fs_cmsg[i].fc_level;
		cmsg->cmsg_type = s->fs_cmsg[i].fc_type;
		used += CMSG_SPACE(len);
		if (cmsg->cmsg_level == SOL_SOCKET &&
		    cmsg->cmsg_type == SCM_RIGHTS)
			st->st_rights += s->fs_cmsg[i].fc_nfds;
		cmsg = CMSG_NXTHDR(&msg, cmsg);
	}
	msg.msg_controllen = used;
	if (used == 0)
		msg.msg_control = NULL;
	iov.iov_base = st->st_sent + st->st_msgoff;
	iov.iov_len = s->fs_paylen;
	if ((n = sendmsg(st->st_sv[0], &msg, MSG_NOSIGNAL)) == -1)
		return false;
	FZ_CHECK((size_t)n <= s->fs_paylen);
	st->st_sentlen = st->st_msgoff + n;
	st->st_dglen[st->st_ndgram++] = n;
	/* A stream carries descriptors only with a byte to ride on. */
	if (s->fs_type == SOCK_STREAM && n == 0)
		st->st_rights = 0;
	return true;
}

static void
fz_peer_goes(const struct fz_script *s, struct fz_state *st)
{
	if (s->fs_peer == FZ_PEER_SHUTS)
		FZ_CHECK(shutdown(st->st_sv[0], SHUT_WR) == 0);
	else {
		fz_close(st->st_sv[0]);
		st->st_sv[0] = -1;
	}
	st->st_gone = true;
}

/* A descriptor fdpass_recv gave us: new, close-on-exec, the file sent. */
static void
fz_check_fd(const struct fz_state *st, int fd)
{
	struct stat sb;
	int flags;

	FZ_CHECK(fd != st->st_sv[0] && fd != st->st_sv[1]);
	FZ_CHECK(fd != fz_null && fd != fz_pipe[0] && fd != fz_pipe[1]);
	FZ_CHECK((flags = fcntl(fd, F_GETFD)) != -1);
	FZ_CHECK(flags & FD_CLOEXEC);
	FZ_CHECK(fstat(fd, &sb) == 0);
	FZ_CHECK((sb.st_dev == fz_null_st.st_dev &&
	    sb.st_ino == fz_null_st.st_ino) ||
	    (sb.st_dev == fz_pipe_st.st_dev &&
	    sb.st_ino == fz_pipe_st.st_ino));
}

/*
 * What *fd must be after a read that brought data; carried: the
 * descriptors of the message came with it.
 */
static void
fz_check_rights(const struct fz_script *s, const struct fz_state *st,
    bool carried, int fd)
{
	if (s->fs_passcred)
		FZ_CHECK(fd == FDPASS_LOST);
	else if (!carried || st->st_rights == 0)
		FZ_CHECK(fd == -1);
	else if (s->fs_room == 0) {
		FZ_CHECK(fd == FDPASS_LOST);
	} else if (st->st_rights == 1)
		fz_check_fd(st, fd);
	else
		FZ_CHECK(fd == FDPASS_LOST);
}

/*
 * One fdpass_recv of up to len bytes, held to its contract.  Returns
 * true when the socket is drained: EAGAIN, or the end.
 */
static bool
fz_recv(const struct fz_script *s, struct fz_state *st, size_t len)
{
	static uint8_t buf[FZ_RECV_MAX];
	ssize_t n;
	size_t want;
	bool carried = false, eof;
	int fd = 0;	/* not -1: fdpass_recv must set it */

	n = fdpass_recv(st->st_sv[1], &fd, buf, len);
	if (n == -1) {
		FZ_CHECK(errno == EAGAIN);
		FZ_CHECK(fd == -1);
		FZ_CHECK(!st->st_gone || s->fs_type == SOCK_DGRAM);
		return true;
	}
	FZ_CHECK(n >= 0 && (size_t)n <= len);
	if (s->fs_type == SOCK_STREAM) {
		eof = n == 0;
		FZ_CHECK(st->st_got + n <= st->st_sentlen);
		FZ_CHECK(memcmp(buf, st->st_sent + st->st_got, n) == 0);
		carried = st->st_got <= st->st_msgoff &&
		    st->st_msgoff < st->st_got + n;
		st->st_got += n;
	} else {
		eof = st->st_dgot == st->st_ndgram;
		FZ_CHECK(!eof || n == 0);
	}
	if (eof) {
		/* The end: all of it read, the peer gone, nothing passed. */
		FZ_CHECK(st->st_gone && s->fs_type != SOCK_DGRAM);
		FZ_CHECK(st->st_got == st->st_sentlen ||
		    s->fs_type != SOCK_STREAM);
		FZ_CHECK(fd == -1 || (s->fs_passcred && fd == FDPASS_LOST));
		return true;
	}
	if (s->fs_type != SOCK_STREAM) {
		want = st->st_dglen[st->st_dgot];
		FZ_CHECK((size_t)n == (want < len ? want : len));
		FZ_CHECK(memcmp(buf, st->st_dgot == st->st_ndgram - 1 ?
		    st->st_sent + st->st_msgoff : st->st_sent, n) == 0);
		carried = st->st_dgot == st->st_ndgram - 1;
		st->st_dgot++;
	}
	fz_check_rights(s, st, carried, fd);
	if (fd >= 0)
		fz_close(fd);
	return false;
}

/*
 * Leave only room descriptor numbers free below the limit, by lowering
 * it to room past the lowest free one; again after each close while the
 * table is to stay that full.
 */
static void
fz_fill_table(int room)
{
	struct rlimit rl;
	int lowest;

	if (!fz_lowered)
		FZ_CHECK(getrlimit(RLIMIT_NOFILE, &fz_nofile) == 0);
	FZ_CHECK((lowest = fcntl(fz_null, F_DUPFD_CLOEXEC, 0)) != -1);
	fz_close(lowest);
	rl = fz_nofile;
	rl.rlim_cur = lowest + room;
	FZ_CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	fz_lowered = true;
}

static void
fz_unfill_table(void)
{
	if (!fz_lowered)
		return;
	fz_lowered = false;
	if (setrlimit(RLIMIT_NOFILE, &fz_nofile) == -1)
		fz_fail("setrlimit(RLIMIT_NOFILE) back", __LINE__);
}

/* Receive until drained; then nothing must be left behind. */
static void
fz_drain(const struct fz_script *s, struct fz_state *st)
{
	size_t calls = 1;

	if (fz_recv(s, st, s->fs_recvlen))
		goto out;
	if (s->fs_peer == FZ_PEER_CLOSES_LATE) {
		fz_peer_goes(s, st);
		if (s->fs_room != FZ_ROOM_ANY)
			fz_fill_table(s->fs_room);	/* the peer's is free */
	}
	while (!fz_recv(s, st, FZ_RECV_MAX))
		FZ_CHECK(++calls < FZ_RECV_CALLS_MAX);
out:
	FZ_CHECK(st->st_got == st->st_sentlen || s->fs_type != SOCK_STREAM);
	FZ_CHECK(st->st_dgot == st->st_ndgram || s->fs_type == SOCK_STREAM);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_script s;
	struct fz_state st;
	int before, on = 1;

	if (size < FZ_HDR_BYTES)
		return 0;
	memset(&s, 0, sizeof(s));
	memset(&st, 0, sizeof(st));
	fz_parse(data, size, &s);
	before = fz_count_fds(fz_fddir);

	FZ_CHECK(socketpair(AF_UNIX, s.fs_type | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0, st.st_sv) == 0);
	if (s.fs_passcred)
		FZ_CHECK(setsockopt(st.st_sv[1], SOL_SOCKET, SO_PASSCRED, &on,
		    sizeof(on)) == 0);
	if (!fz_send(&s, &st))
		goto out;
	if (s.fs_peer == FZ_PEER_CLOSES || s.fs_peer == FZ_PEER_SHUTS)
		fz_peer_goes(&s, &st);
	if (s.fs_room != FZ_ROOM_ANY)
		fz_fill_table(s.fs_room);
	fz_drain(&s, &st);
	fz_unfill_table();
out:
	if (st.st_sv[0] != -1)
		fz_close(st.st_sv[0]);
	fz_close(st.st_sv[1]);
	FZ_CHECK(fz_count_fds(fz_fddir) == before);
	return 0;
}
