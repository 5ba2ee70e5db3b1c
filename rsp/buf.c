/*
 * buf.c -- a growable byte buffer with a read offset.
 *
 * Data lives in b_data[b_off..b_len).  Reading drains from the front;
 * appending grows at the back, doubling the allocation.  The dead
 * prefix before b_off is reclaimed when the buffer empties, and moved
 * out of the way before growing when it is at least as large as the
 * live data or when that alone makes room.  A failed append leaves the
 * unread bytes as they were.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rsp/rsp.h"

#define RSP_BUF_MIN	64	/* bytes, first allocation */

void
rsp_buf_init(struct rsp_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void
rsp_buf_free(struct rsp_buf *b)
{
	free(b->b_data);
	rsp_buf_init(b);
}

size_t
rsp_buf_used(const struct rsp_buf *b)
{
	return (b->b_len - b->b_off);
}

const char *
rsp_buf_head(const struct rsp_buf *b)
{
	if (b->b_data == NULL)
		return ("");
	return (b->b_data + b->b_off);
}

void
rsp_buf_drain(struct rsp_buf *b, size_t n)
{
	if (n > rsp_buf_used(b))
		n = rsp_buf_used(b);
	b->b_off += n;
	if (b->b_off == b->b_len)
		b->b_off = b->b_len = 0;
}

void
rsp_buf_reset(struct rsp_buf *b)
{
	b->b_off = b->b_len = 0;
}

/* Move the unread bytes to the front of the allocation. */
static void
rsp_buf_compact(struct rsp_buf *b)
{
	size_t	used = rsp_buf_used(b);

	if (b->b_off == 0)
		return;
	memmove(b->b_data, b->b_data + b->b_off, used);
	b->b_off = 0;
	b->b_len = used;
}

/* Make room for n more bytes after b_len. */
static int
rsp_buf_room(struct rsp_buf *b, size_t n)
{
	size_t	 used = rsp_buf_used(b), need, cap;
	char	*p;

	if (b->b_data != NULL && b->b_cap - b->b_len >= n)
		return (0);
	if (n > SIZE_MAX - b->b_len) {
		errno = ENOMEM;
		return (-1);
	}
	if (b->b_off >= used || used + n <= b->b_cap)
		rsp_buf_compact(b);
	need = b->b_len + n;
	if (b->b_data != NULL && need <= b->b_cap)
		return (0);

	cap = b->b_cap < RSP_BUF_MIN ? RSP_BUF_MIN : b->b_cap;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if ((p = realloc(b->b_data, cap)) == NULL) {
		errno = ENOMEM;
		return (-1);
	}
	b->b_data = p;
	b->b_cap = cap;
	return (0);
}

char *
rsp_buf_reserve(struct rsp_buf *b, size_t n)
{
	char	*p;

	if (rsp_buf_room(b, n) == -1)
		return (NULL);
	p = b->b_data + b->b_len;
	b->b_len += n;
	return (p);
}

int
rsp_buf_add(struct rsp_buf *b, const void *data, size_t len)
{
	char	*p;

	if (len == 0)
		return (0);
	if ((p = rsp_buf_reserve(b, len)) == NULL)
		return (-1);
	memcpy(p, data, len);
	return (0);
}

int
rsp_buf_addc(struct rsp_buf *b, char c)
{
	return (rsp_buf_add(b, &c, 1));
}

int
rsp_buf_addf(struct rsp_buf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return (-1);

	/* Room for the NUL vsnprintf writes; it is not counted. */
	if (rsp_buf_room(b, (size_t)n + 1) == -1)
		return (-1);
	va_start(ap, fmt);
	vsnprintf(b->b_data + b->b_len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->b_len += n;
	return (0);
}

int
rsp_buf_addhex(struct rsp_buf *b, const void *data, size_t len)
{
	char	*p;

	if (len > SIZE_MAX / 2) {
		errno = ENOMEM;
		return (-1);
	}
	if ((p = rsp_buf_reserve(b, len * 2)) == NULL)
		return (-1);
	rsp_tohex(p, data, len);
	return (0);
}

static int
rsp_buf_special(unsigned char c)
{
	return (c == '#' || c == '$' || c == '}' || c == '*');
}

int
rsp_buf_addbin(struct rsp_buf *b, const void *data, size_t len)
{
	const unsigned char	*s = data;
	size_t			 i, n = len;
	char			*p;

	for (i = 0; i < len; i++) {
		if (rsp_buf_special(s[i]))
			n++;
	}
	if (n < len) {
		errno = ENOMEM;
		return (-1);
	}
	if ((p = rsp_buf_reserve(b, n)) == NULL)
		return (-1);
	for (i = 0; i < len; i++) {
		if (rsp_buf_special(s[i])) {
			*p++ = '}';
			*p++ = s[i] ^ 0x20;
		} else
			*p++ = s[i];
	}
	return (0);
}
