/*
 * lean.c -- a lean reader for the replies of the memory workload.
 *
 * rspc decodes a byte at a time through rsp_decode, which costs about
 * as much per byte as a server spends; reading 64 KiB replies through
 * it measures the client.  Here the request still goes out through
 * rspc (in no-ack mode nothing else is in flight), and the reply is
 * taken straight off the socket: memchr for the frame, a table for the
 * hex, a copy per stretch between escapes and runs.  The checksum is
 * not checked, as in no-ack mode rsp_decode does not either.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench.h"

#define LEAN_RUN_BASE	29	/* '*' then (count + 29) */
#define LEAN_READ	65536	/* bytes per read(2) at least */

int
lean_init(struct lean *l, size_t cap)
{
	memset(l, 0, sizeof(*l));
	l->l_cap = cap + LEAN_READ;
	if ((l->l_buf = malloc(l->l_cap)) == NULL ||
	    (l->l_tmp = malloc(l->l_cap)) == NULL)
		return -1;
	return 0;
}

void
lean_free(struct lean *l)
{
	free(l->l_buf);
	free(l->l_tmp);
}

static int
lean_fill(struct lean *l, int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (l->l_len == l->l_cap) {
		errno = EMSGSIZE;
		return -1;
	}
	if (poll(&pfd, 1, timeout_ms) != 1) {
		errno = ETIMEDOUT;
		return -1;
	}
	if ((n = read(fd, l->l_buf + l->l_len, l->l_cap - l->l_len)) <= 0) {
		errno = n == 0 ? ECONNRESET : errno;
		return -1;
	}
	l->l_len += n;
	return 0;
}

/*
 * The next "$...#cs" packet: its raw payload, escapes and runs still
 * in, valid until the next call.  A raw '#' only ever ends a packet.
 */
ssize_t
lean_read(struct lean *l, int fd, int timeout_ms, const char **payload)
{
	char *start, *from, *hash, *end;
	size_t scanned = 0;	/* payload bytes known to hold no '#' */

	if (l->l_next > 0) {		/* drop the packet returned last */
		memmove(l->l_buf, l->l_buf + l->l_next, l->l_len - l->l_next);
		l->l_len -= l->l_next;
		l->l_next = 0;
	}
	for (;;) {
		end = l->l_buf + l->l_len;
		if ((start = memchr(l->l_buf, '$', l->l_len)) == NULL)
			l->l_len = 0;	/* nothing of a packet yet */
		else {
			from = start + 1 + scanned;
			hash = memchr(from, '#', end - from);
			if (hash != NULL && hash + 3 <= end) {
				*payload = start + 1;
				l->l_next = hash + 3 - l->l_buf;
				return hash - start - 1;
			}
			scanned = (hash != NULL ? hash : end) - start - 1;
		}
		if (lean_fill(l, fd, timeout_ms) == -1)
			return -1;
	}
}

/*
 * The next '*' (or '}' when binary) at or after p, before end; end if
 * none.  The last hits are kept in *star and *esc so that each byte is
 * searched once.
 */
static const char *
next_special(const char *p, const char *end, bool bin, const char **star,
    const char **esc)
{
	if (*star == NULL || *star < p) {
		if ((*star = memchr(p, '*', end - p)) == NULL)
			*star = end;
	}
	if (!bin)
		*esc = end;
	else if (*esc == NULL || *esc < p) {
		if ((*esc = memchr(p, '}', end - p)) == NULL)
			*esc = end;
	}
	return *star < *esc ? *star : *esc;
}

/* Undo runs (and escapes when bin) of p[0..n) into l_tmp. */
static ssize_t
unframe(struct lean *l, const char *p, size_t n, bool bin)
{
	const char *end = p + n, *s, *star = NULL, *esc = NULL;
	size_t o = 0, k;

	while (p < end) {
		s = next_special(p, end, bin, &star, &esc);
		if (o + (s - p) > l->l_cap)
			return -1;
		memcpy(l->l_tmp + o, p, s - p);
		o += s - p;
		if (s == end)
			break;
		if (s + 1 == end || (*s == '*' && o == 0))
			return -1;
		if (*s == '}')
			l->l_tmp[o++] = s[1] ^ 0x20;
		else {
			k = (unsigned char)s[1] - LEAN_RUN_BASE;
			if (o + k > l->l_cap)
				return -1;
			memset(l->l_tmp + o, l->l_tmp[o - 1], k);
			o += k;
		}
		p = s + 2;
	}
	return o;
}

static signed char hexval[256];
static bool hexready;

static void
hex_table(void)
{
	int i;

	hexready = true;
	memset(hexval, -1, sizeof(hexval));
	for (i = 0; i < 10; i++)
		hexval['0' + i] = i;
	for (i = 0; i < 6; i++)
		hexval['a' + i] = hexval['A' + i] = 10 + i;
}

/* 2n hex digits into n bytes; -1 on a bad digit. */
static int
unhex(unsigned char *dst, const char *src, size_t n)
{
	int bad = 0, hi, lo;
	size_t i;

	for (i = 0; i < n; i++) {
		hi = hexval[(unsigned char)src[2 * i]];
		lo = hexval[(unsigned char)src[2 * i + 1]];
		bad |= hi | lo;
		dst[i] = (unsigned char)(hi << 4 | lo);
	}
	return bad < 0 ? -1 : 0;
}

/*
 * Decode the payload of an m reply (hex) or an x reply (binary, after
 * its prefix) into dst, at most cap bytes; the bytes, or -1.
 */
ssize_t
lean_decode(struct lean *l, const char *p, size_t n, bool bin,
    unsigned char *dst, size_t cap)
{
	ssize_t m = n;

	if (!hexready)
		hex_table();
	if (memchr(p, '*', n) != NULL || (bin && memchr(p, '}', n))) {
		if ((m = unframe(l, p, n, bin)) == -1)
			return -1;
		p = l->l_tmp;
	}
	if (bin) {
		if ((size_t)m > cap)
			return -1;
		memcpy(dst, p, m);
		return m;
	}
	if (m % 2 != 0 || (size_t)m / 2 > cap || unhex(dst, p, m / 2) == -1)
		return -1;
	return m / 2;
}
