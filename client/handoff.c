/*
 * handoff.c -- the client side of the fork handoff (see handoff.h and
 * docs/protocol.md).
 *
 * Everything a server sends is parsed with explicit bounds: a field is
 * NAME:VALUE, pids are 1 to 8 hex digits, words come from a fixed list.
 * A notification that does not parse is EPROTO and nothing more: the
 * connection goes on, and the descriptor that came with it is closed.
 */
#include <sys/types.h>

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/handoff.h"
#include "client/rspc_int.h"

#define HANDOFF_MAX_PIDHEX	8	/* hex digits of a pid */
#define HANDOFF_MAX_AGEHEX	16	/* hex digits of an age */
#define HANDOFF_MAX_ERRNO	255	/* highest "ENN" taken as errno */

static const char *handoff_kinds[] = { "fork", "vfork", "exec", NULL };
static const char *handoff_vias[] = { "fd", "connect", "reverse", NULL };

/* A token of a NAME:VALUE list: [s, s + len). */
struct tok {
	const char	*t_s;
	size_t		 t_len;
};

/* ------------------------------------------------------------ fields */

/* The next token up to sep (or end) of [*p, end); moves *p past it. */
static struct tok
tok_next(const char **p, const char *end, char sep)
{
	const char *q = memchr(*p, sep, end - *p);
	struct tok t = { *p, (q != NULL ? q : end) - *p };

	*p = q != NULL ? q + 1 : end;
	return (t);
}

static bool
tok_is(struct tok t, const char *s)
{
	return (t.t_len == strlen(s) && memcmp(t.t_s, s, t.t_len) == 0);
}

/* Split NAME:VALUE; -1 if there is no ':' or no name. */
static int
tok_field(struct tok t, struct tok *name, struct tok *val)
{
	const char *p = t.t_s, *end = t.t_s + t.t_len;

	*name = tok_next(&p, end, ':');
	if (name->t_len == 0 || name->t_len == t.t_len)
		return (-1);
	val->t_s = p;
	val->t_len = end - p;
	return (0);
}

/* 1 to maxdigits hex digits. */
static int
tok_hex(struct tok t, size_t maxdigits, uint64_t *v)
{
	size_t i;
	int d;

	if (t.t_len == 0 || t.t_len > maxdigits)
		return (-1);
	*v = 0;
	for (i = 0; i < t.t_len; i++) {
		if ((d = rsp_hexval((unsigned char)t.t_s[i])) == -1)
			return (-1);
		*v = *v << 4 | (uint64_t)d;
	}
	return (0);
}

static int
tok_pid(struct tok t, pid_t *pid)
{
	uint64_t v;

	if (tok_hex(t, HANDOFF_MAX_PIDHEX, &v) == -1 || v == 0 ||
	    v > INT_MAX)
		return (-1);
	*pid = (pid_t)v;
	return (0);
}

/* One of words, copied to dst (cap bytes). */
static int
tok_word(struct tok t, const char **words, char *dst, size_t cap)
{
	size_t i;

	for (i = 0; words[i] != NULL; i++) {
		if (tok_is(t, words[i]) && t.t_len < cap) {
			memcpy(dst, t.t_s, t.t_len);
			dst[t.t_len] = '\0';
			return (0);
		}
	}
	return (-1);
}

/* A state: 1 to cap - 1 of [a-z0-9-]. */
static int
tok_state(struct tok t, char *dst, size_t cap)
{
	size_t i;
	char c;

	if (t.t_len == 0 || t.t_len >= cap)
		return (-1);
	for (i = 0; i < t.t_len; i++) {
		c = t.t_s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-'))
			return (-1);
	}
	memcpy(dst, t.t_s, t.t_len);
	dst[t.t_len] = '\0';
	return (0);
}

/* "ENN" or "ENN;...": NN as an errno, 0 if r is not of that form. */
static int
handoff_errno(const char *r)
{
	int hi, lo;

	if (r[0] != 'E' || (hi = rsp_hexval((unsigned char)r[1])) == -1 ||
	    (lo = rsp_hexval((unsigned char)r[2])) == -1 ||
	    (r[3] != '\0' && r[3] != ';') || (hi << 4 | lo) == 0)
		return (0);
	return (hi << 4 | lo);
}

/* ------------------------------------------------------------ notify */

enum {
	HF_PID = 1 << 0,
	HF_PPID = 1 << 1,
	HF_TID = 1 << 2,
	HF_KIND = 1 << 3,
	HF_VIA = 1 << 4,
	HF_ALL = (1 << 5) - 1,
};

/* One NAME:VALUE of a notification into h; the bit it set, or -1. */
static int
handoff_field(struct tok name, struct tok val, struct handoff *h)
{
	if (tok_is(name, "pid"))
		return (tok_pid(val, &h->h_pid) == -1 ? -1 : HF_PID);
	if (tok_is(name, "ppid"))
		return (tok_pid(val, &h->h_ppid) == -1 ? -1 : HF_PPID);
	if (tok_is(name, "tid"))
		return (tok_pid(val, &h->h_tid) == -1 ? -1 : HF_TID);
	if (tok_is(name, "kind"))
		return (tok_word(val, handoff_kinds, h->h_kind,
		    sizeof(h->h_kind)) == -1 ? -1 : HF_KIND);
	if (tok_is(name, "via"))
		return (tok_word(val, handoff_vias, h->h_via,
		    sizeof(h->h_via)) == -1 ? -1 : HF_VIA);
	return (0);		/* a field of a later version */
}

int
handoff_parse(const char *payload, size_t len, struct handoff *h)
{
	const char *p = payload, *end = payload + len;
	struct tok f, name, val;
	int bit, seen = 0;

	memset(h, 0, sizeof(*h));
	h->h_fd = -1;
	if (len > HANDOFF_MAX_NOTIFY || memchr(payload, '\0', len) != NULL ||
	    len < 8 || memcmp(payload, "Handoff:", 8) != 0)
		goto bad;
	p += 8;
	while (p < end) {
		f = tok_next(&p, end, ';');
		if (tok_field(f, &name, &val) == -1 ||
		    (bit = handoff_field(name, val, h)) == -1 ||
		    (seen & bit) != 0)
			goto bad;
		seen |= bit;
	}
	if (seen != HF_ALL || end[-1] == ';')
		goto bad;
	return (0);
bad:
	errno = EPROTO;
	return (-1);
}

/* The name of a notification: "Handoff" for "Handoff:...". */
static bool
handoff_is_ours(const char *p, size_t len)
{
	const char *colon = memchr(p, ':', len);
	size_t n = colon != NULL ? (size_t)(colon - p) : len;

	return (n == 7 && memcmp(p, "Handoff", 7) == 0);
}

int
handoff_next(struct rspc *rc, struct handoff *h, int timeout_ms)
{
	long long deadline = rspc_now_ms() + timeout_ms, left;
	const char *p;
	ssize_t n;
	int fd;

	for (;;) {
		left = timeout_ms < 0 ? -1 : deadline - rspc_now_ms();
		if (timeout_ms >= 0 && left < 0)
			left = 0;
		if (left > INT_MAX)
			left = INT_MAX;
		if ((n = rspc_notify_next(rc, (int)left, &p, &fd)) == -1)
			return (-1);
		if (handoff_is_ours(p, (size_t)n))
			break;
		if (fd != -1)		/* someone else's: not ours to keep */
			close(fd);
	}
	if (handoff_parse(p, (size_t)n, h) == -1 ||
	    (strcmp(h->h_via, "fd") == 0) != (fd != -1)) {
		if (fd != -1)
			close(fd);
		errno = EPROTO;
		return (-1);
	}
	h->h_fd = fd;
	return (0);
}

int
handoff_watch(struct rspc *rc, pid_t pid)
{
	const char *r;
	ssize_t n;

	if (pid > 0)
		n = rspc_requestf(rc, &r, "QHandoffWatch:%x", (unsigned)pid);
	else
		n = rspc_requeststr(rc, "QHandoffWatch", &r);
	if (n == -1)
		return (-1);
	if (strcmp(r, "OK") == 0)
		return (0);
	switch (handoff_errno(r)) {
	case ESRCH:
		errno = ESRCH;
		break;
	case EACCES:
		errno = EACCES;
		break;
	default:
		errno = n == 0 ? EOPNOTSUPP : EPROTO;
		break;
	}
	return (-1);
}

/* ------------------------------------------------------------ list */

enum {
	LF_PID = 1 << 0,
	LF_PPID = 1 << 1,
	LF_TID = 1 << 2,
	LF_KIND = 1 << 3,
	LF_AGE = 1 << 4,
	LF_STATE = 1 << 5,
	LF_ALL = (1 << 6) - 1,
};

static int
handoff_list_field(struct tok name, struct tok val, struct handoff_entry *e)
{
	uint64_t v;

	if (tok_is(name, "pid"))
		return (tok_pid(val, &e->pid) == -1 ? -1 : LF_PID);
	if (tok_is(name, "ppid"))
		return (tok_pid(val, &e->ppid) == -1 ? -1 : LF_PPID);
	if (tok_is(name, "tid"))
		return (tok_pid(val, &e->tid) == -1 ? -1 : LF_TID);
	if (tok_is(name, "kind"))
		return (tok_word(val, handoff_kinds, e->kind,
		    sizeof(e->kind)) == -1 ? -1 : LF_KIND);
	if (tok_is(name, "age")) {
		if (tok_hex(val, HANDOFF_MAX_AGEHEX, &v) == -1 ||
		    v > ULONG_MAX)
			return (-1);
		e->age_ms = (unsigned long)v;
		return (LF_AGE);
	}
	if (tok_is(name, "state"))
		return (tok_state(val, e->state, sizeof(e->state)) == -1 ?
		    -1 : LF_STATE);
	return (0);
}

/* One entry, "pid:..,ppid:..,...". */
static int
handoff_list_entry(struct tok t, struct handoff_entry *e)
{
	const char *p = t.t_s, *end = t.t_s + t.t_len;
	struct tok f, name, val;
	int bit, seen = 0;

	memset(e, 0, sizeof(*e));
	while (p < end) {
		f = tok_next(&p, end, ',');
		if (tok_field(f, &name, &val) == -1 ||
		    (bit = handoff_list_field(name, val, e)) == -1 ||
		    (seen & bit) != 0)
			return (-1);
		seen |= bit;
	}
	return (seen == LF_ALL && end[-1] != ',' ? 0 : -1);
}

/*
 * One page: 'm' or 'l', an optional space, entries split by ';'.  Adds
 * them to out[*total..max) and *total; returns how many, or -1.
 */
static ssize_t
handoff_list_page(const char *r, size_t len, struct handoff_entry *out,
    size_t max, size_t *total)
{
	const char *p = r + 1, *end = r + len;
	struct handoff_entry e;
	size_t n = 0;

	if (p < end && *p == ' ')
		p++;
	if (p < end && end[-1] == ';')
		return (-1);
	while (p < end) {
		if (handoff_list_entry(tok_next(&p, end, ';'), &e) == -1 ||
		    *total >= HANDOFF_MAX_LIST)
			return (-1);
		if (*total < max)
			out[*total] = e;
		(*total)++;
		n++;
	}
	return ((ssize_t)n);
}

ssize_t
handoff_list(struct rspc *rc, struct handoff_entry *out, size_t max)
{
	size_t total = 0;
	const char *r;
	ssize_t len, n;
	int e;

	for (;;) {
		if (total == 0)
			len = rspc_requeststr(rc, "qHandoffList", &r);
		else
			len = rspc_requestf(rc, &r, "qHandoffList:%zx", total);
		if (len == -1)
			return (-1);
		if ((e = handoff_errno(r)) != 0 || len == 0) {
			errno = len == 0 ? EOPNOTSUPP : e;
			return (-1);
		}
		if ((r[0] != 'm' && r[0] != 'l') ||
		    memchr(r, '\0', (size_t)len) != NULL ||
		    (n = handoff_list_page(r, (size_t)len, out, max,
		    &total)) == -1 || (r[0] == 'm' && n == 0)) {
			errno = EPROTO;		/* or a page with no progress */
			return (-1);
		}
		if (r[0] == 'l')
			return ((ssize_t)total);
	}
}

/* ------------------------------------------------------------ claim */

struct rspc *
handoff_claim(const char *addr, pid_t pid, char *stop, size_t stoplen)
{
	struct rspc *rc;
	const char *r;
	int e;

	if (stop != NULL && stoplen > 0)
		stop[0] = '\0';
	if (pid <= 0) {
		errno = EINVAL;
		return (NULL);
	}
	if ((rc = rspc_connect(addr)) == NULL)
		return (NULL);
	if (rspc_handshake(rc, HANDOFF_FEATURES) == -1 ||
	    rspc_requestf(rc, &r, "vAttach;%x", (unsigned)pid) == -1)
		goto fail;
	if (r[0] != 'T' && r[0] != 'S') {
		errno = (e = handoff_errno(r)) != 0 ? e : EPROTO;
		goto fail;
	}
	if (stop != NULL && stoplen > 0)
		strlcpy(stop, r, stoplen);
	return (rc);
fail:
	e = errno;
	rspc_close(rc);
	errno = e;
	return (NULL);
}
