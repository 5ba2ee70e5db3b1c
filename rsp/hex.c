/*
 * hex.c -- hex digits and the bounded field parsers packets are read with.
 *
 * Every parser takes a cursor over [c_p, c_end), never reads past
 * c_end, and on failure leaves the cursor where it was.
 */
#include <stdint.h>
#include <string.h>

#include "rsp/rsp.h"

/* The two digits of every byte, so each byte costs one copy. */
static const char rsp_hexpairs[513] =
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
	"404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
	"606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
	"808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
	"a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
	"c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
	"e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

int
rsp_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

/* Writes exactly 2n characters, no NUL. */
void
rsp_tohex(char *dst, const void *src, size_t n)
{
	const unsigned char	*s = src;
	size_t			 i;

	for (i = 0; i < n; i++, dst += 2)
		memcpy(dst, rsp_hexpairs + s[i] * 2, 2);
}

/* Checks all 2n digits before writing, so dst is untouched on failure. */
int
rsp_fromhex(void *dst, const char *src, size_t n)
{
	unsigned char	*d = dst;
	size_t		 i;

	for (i = 0; i < 2 * n; i++) {
		if (rsp_hexval((unsigned char)src[i]) == -1)
			return (-1);
	}
	for (i = 0; i < n; i++) {
		d[i] = rsp_hexval((unsigned char)src[2 * i]) << 4 |
		    rsp_hexval((unsigned char)src[2 * i + 1]);
	}
	return (0);
}

void
rsp_cursor_init(struct rsp_cursor *c, const char *p, size_t len)
{
	c->c_p = p;
	c->c_end = len != 0 ? p + len : p;	/* no NULL + 0 */
}

size_t
rsp_cursor_left(const struct rsp_cursor *c)
{
	return (c->c_end - c->c_p);
}

bool
rsp_cursor_eof(const struct rsp_cursor *c)
{
	return (c->c_p >= c->c_end);
}

bool
rsp_cursor_skip(struct rsp_cursor *c, const char *s)
{
	size_t	n = strlen(s);

	if (n == 0)
		return (true);
	if (n > rsp_cursor_left(c) || memcmp(c->c_p, s, n) != 0)
		return (false);
	c->c_p += n;
	return (true);
}

/* Leading zeros are fine; -1 only if the value itself exceeds 64 bits. */
int
rsp_get_hex(struct rsp_cursor *c, uint64_t *v)
{
	const char	*p = c->c_p;
	uint64_t	 x = 0;
	int		 d;

	while (p < c->c_end && (d = rsp_hexval((unsigned char)*p)) != -1) {
		if (x > UINT64_MAX >> 4)
			return (-1);
		x = x << 4 | (uint64_t)d;
		p++;
	}
	if (p == c->c_p)
		return (-1);
	c->c_p = p;
	*v = x;
	return (0);
}

/* Values outside [INT64_MIN, INT64_MAX] fail. */
int
rsp_get_shex(struct rsp_cursor *c, int64_t *v)
{
	struct rsp_cursor	t = *c;
	uint64_t		x;
	bool			neg;

	neg = rsp_cursor_skip(&t, "-");
	if (rsp_get_hex(&t, &x) == -1)
		return (-1);
	if (x > (uint64_t)INT64_MAX + neg)
		return (-1);
	if (!neg)
		*v = (int64_t)x;
	else if (x == (uint64_t)INT64_MAX + 1)
		*v = INT64_MIN;
	else
		*v = -(int64_t)x;
	*c = t;
	return (0);
}

int
rsp_get_char(struct rsp_cursor *c, char ch)
{
	if (rsp_cursor_eof(c) || *c->c_p != ch)
		return (-1);
	c->c_p++;
	return (0);
}

/* The next sep before the end, or NULL. */
static const char *
rsp_cursor_find(const struct rsp_cursor *c, char sep)
{
	if (rsp_cursor_eof(c))
		return (NULL);
	return (memchr(c->c_p, sep, rsp_cursor_left(c)));
}

/* -1 only at the end of input; an empty field before sep is fine. */
int
rsp_get_field(struct rsp_cursor *c, char sep, const char **f, size_t *flen)
{
	const char	*q;

	if (rsp_cursor_eof(c))
		return (-1);
	q = rsp_cursor_find(c, sep);
	*f = c->c_p;
	*flen = (q != NULL ? q : c->c_end) - c->c_p;
	c->c_p = q != NULL ? q + 1 : c->c_end;
	return (0);
}

/* An empty field gives *n = 0; odd, non-hex or over cap bytes fail. */
int
rsp_get_hexbytes(struct rsp_cursor *c, char sep, void *dst, size_t cap,
    size_t *n)
{
	const char	*q;
	size_t		 len;

	q = rsp_cursor_find(c, sep);
	len = (q != NULL ? q : c->c_end) - c->c_p;
	if (len % 2 != 0 || len / 2 > cap)
		return (-1);
	if (rsp_fromhex(dst, c->c_p, len / 2) == -1)
		return (-1);
	*n = len / 2;
	c->c_p = q != NULL ? q + 1 : c->c_end;
	return (0);
}
