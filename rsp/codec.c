/*
 * codec.c -- RSP framing: the incremental decoder and the framer.
 *
 * The decoder is a byte-at-a-time state machine, so input may be split
 * anywhere.  Outside a packet it reports '+', '-' and 0x03 and skips
 * anything else.  Inside, it sums the raw bytes, undoes '}' escapes and
 * '*' runs in stream order into d_buf, and never holds more than d_max
 * decoded bytes (plus a NUL).  A raw '$' before the '#' drops the packet
 * and starts a new one, as gdb does on a resync; '%' inside a packet is
 * payload, because gdb does not escape it in binary data.
 *
 * A packet that cannot be delivered is reported once its two trailer
 * characters have been read, with one event in this order of precedence:
 * RSP_EV_TOOLONG (decoded length past d_max, or no memory for it), then
 * RSP_EV_BADFORMAT (bad escape or run), then RSP_EV_BADSUM (checksum
 * differs or is not hex; never in no-ack mode).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rsp/rsp.h"

#define RSP_DEC_MIN	64	/* bytes, first payload allocation */
#define RSP_RUN_BASE	29	/* a run count character minus this = repeats */

enum {
	DEC_IDLE = 0,		/* between packets */
	DEC_DATA,		/* in the payload */
	DEC_ESC,		/* after '}' */
	DEC_RUN,		/* after '*' */
	DEC_SUM1,		/* after '#' */
	DEC_SUM2,		/* after the first checksum digit */
};

void
rsp_decoder_init(struct rsp_decoder *d, size_t max)
{
	memset(d, 0, sizeof(*d));
	d->d_state = DEC_IDLE;
	d->d_max = max != 0 ? max : RSP_MAX_PACKET;
}

void
rsp_decoder_free(struct rsp_decoder *d)
{
	free(d->d_buf);
	d->d_buf = NULL;
	d->d_len = d->d_cap = 0;
	d->d_state = DEC_IDLE;
}

void
rsp_decoder_noack(struct rsp_decoder *d, bool noack)
{
	d->d_noack = noack;
}

static int
rsp_decoder_rank(enum rsp_event ev)
{
	switch (ev) {
	case RSP_EV_TOOLONG:
		return (3);
	case RSP_EV_BADFORMAT:
		return (2);
	case RSP_EV_BADSUM:
		return (1);
	default:
		return (0);
	}
}

/* Mark the packet to be dropped, keeping the weightiest reason. */
static void
rsp_decoder_fail(struct rsp_decoder *d, enum rsp_event ev)
{
	if (!d->d_bad || rsp_decoder_rank(ev) > rsp_decoder_rank(d->d_badev))
		d->d_badev = ev;
	d->d_bad = true;
}

static void
rsp_decoder_start(struct rsp_decoder *d, int kind)
{
	d->d_state = DEC_DATA;
	d->d_kind = kind;
	d->d_sum = 0;
	d->d_want = 0;
	d->d_bad = false;
	d->d_badev = RSP_EV_NONE;
	d->d_len = 0;
}

/* Grow d_buf to hold need bytes; need is at most d_max + 1. */
static int
rsp_decoder_grow(struct rsp_decoder *d, size_t need)
{
	size_t	 cap;
	char	*p;

	if (need <= d->d_cap)
		return (0);
	cap = d->d_cap < RSP_DEC_MIN ? RSP_DEC_MIN : d->d_cap;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (cap > d->d_max + 1)
		cap = d->d_max + 1;
	if ((p = realloc(d->d_buf, cap)) == NULL)
		return (-1);
	d->d_buf = p;
	d->d_cap = cap;
	return (0);
}

/*
 * Append n copies of c.  Once the packet is bad nothing is stored, but
 * the length is still counted so that TOOLONG can win over BADFORMAT.
 */
static void
rsp_decoder_put(struct rsp_decoder *d, unsigned char c, size_t n)
{
	if (d->d_bad && d->d_badev == RSP_EV_TOOLONG)
		return;
	if (n > d->d_max - d->d_len) {
		rsp_decoder_fail(d, RSP_EV_TOOLONG);
		return;
	}
	if (!d->d_bad) {
		if (rsp_decoder_grow(d, d->d_len + n + 1) == -1) {
			rsp_decoder_fail(d, RSP_EV_TOOLONG);
			return;
		}
		memset(d->d_buf + d->d_len, c, n);
	}
	d->d_len += n;
}

/* The byte after '*': repeat the previous decoded byte. */
static void
rsp_decoder_run(struct rsp_decoder *d, unsigned char c)
{
	unsigned char	prev;

	if (d->d_len == 0 || c < RSP_RUN_BASE ||
	    c - RSP_RUN_BASE > RSP_MAX_RUN) {
		rsp_decoder_fail(d, RSP_EV_BADFORMAT);
		return;
	}
	prev = d->d_bad ? 0 : (unsigned char)d->d_buf[d->d_len - 1];
	rsp_decoder_put(d, prev, c - RSP_RUN_BASE);
}

/* A payload byte in state DATA, ESC or RUN; '$' and '#' are handled. */
static void
rsp_decoder_data(struct rsp_decoder *d, unsigned char c)
{
	d->d_sum += c;
	switch (d->d_state) {
	case DEC_ESC:
		rsp_decoder_put(d, c ^ 0x20, 1);
		d->d_state = DEC_DATA;
		break;
	case DEC_RUN:
		rsp_decoder_run(d, c);
		d->d_state = DEC_DATA;
		break;
	default:
		if (c == '}')
			d->d_state = DEC_ESC;
		else if (c == '*')
			d->d_state = DEC_RUN;
		else
			rsp_decoder_put(d, c, 1);
		break;
	}
}

/* One checksum digit; the second ends the packet. */
static enum rsp_event
rsp_decoder_sum(struct rsp_decoder *d, unsigned char c)
{
	int	v;

	if ((v = rsp_hexval(c)) == -1 && !d->d_noack)
		rsp_decoder_fail(d, RSP_EV_BADSUM);
	d->d_want = d->d_want << 4 | (v & 0xf);
	if (d->d_state == DEC_SUM1) {
		d->d_state = DEC_SUM2;
		return (RSP_EV_NONE);
	}

	d->d_state = DEC_IDLE;
	if (d->d_bad)
		return (d->d_badev);
	if (!d->d_noack && d->d_want != d->d_sum)
		return (RSP_EV_BADSUM);
	if (d->d_buf != NULL)
		d->d_buf[d->d_len] = '\0';
	return (d->d_kind == '%' ? RSP_EV_NOTIFY : RSP_EV_PACKET);
}

static enum rsp_event
rsp_decoder_idle(struct rsp_decoder *d, unsigned char c)
{
	switch (c) {
	case '+':
		return (RSP_EV_ACK);
	case '-':
		return (RSP_EV_NAK);
	case RSP_INTERRUPT:
		return (RSP_EV_INTERRUPT);
	case '$':
	case '%':
		rsp_decoder_start(d, c);
		break;
	}
	return (RSP_EV_NONE);
}

static enum rsp_event
rsp_decoder_byte(struct rsp_decoder *d, unsigned char c)
{
	switch (d->d_state) {
	case DEC_IDLE:
		return (rsp_decoder_idle(d, c));
	case DEC_SUM1:
	case DEC_SUM2:
		return (rsp_decoder_sum(d, c));
	}

	/* Inside the payload. */
	if (c == '$')
		rsp_decoder_start(d, c);
	else if (c == '#') {
		if (d->d_state != DEC_DATA)
			rsp_decoder_fail(d, RSP_EV_BADFORMAT);
		d->d_state = DEC_SUM1;
	} else
		rsp_decoder_data(d, c);
	return (RSP_EV_NONE);
}

enum rsp_event
rsp_decode(struct rsp_decoder *d, const char *in, size_t len, size_t *used,
    const char **payload, size_t *plen)
{
	enum rsp_event	ev = RSP_EV_NONE;
	size_t		i;

	for (i = 0; i < len && ev == RSP_EV_NONE; i++)
		ev = rsp_decoder_byte(d, (unsigned char)in[i]);
	*used = i;

	if (payload != NULL)
		*payload = NULL;
	if (plen != NULL)
		*plen = 0;
	if (ev == RSP_EV_PACKET || ev == RSP_EV_NOTIFY) {
		if (payload != NULL)
			*payload = d->d_buf != NULL ? d->d_buf : "";
		if (plen != NULL)
			*plen = d->d_len;
	}
	return (ev);
}

uint8_t
rsp_checksum(const void *data, size_t len)
{
	const unsigned char	*p = data;
	uint8_t			 sum = 0;

	while (len-- > 0)
		sum += *p++;
	return (sum);
}

/* Repeats of c at the start of s[0..len), at most RSP_MAX_RUN. */
static size_t
rsp_frame_repeats(const char *s, size_t len, char c)
{
	size_t	n = 0;

	while (n < len && n < RSP_MAX_RUN && s[n] == c)
		n++;
	return (n);
}

/*
 * Copy an escaped payload run-length encoded, gdbserver's way: a byte,
 * then "*n" for 3 to RSP_MAX_RUN repeats of it, where n - 29 is never
 * 6 or 7 (that would be '#' or '$'; those runs are cut to 5 repeats and
 * the rest start over).  A "}x" escape pair is copied whole and never
 * starts a run, and runs of '}', '*', '#' or '$' are left alone.  The
 * result is never longer than the input.
 */
#define RLE_ONES	0x0101010101010101ULL
#define RLE_LOWS	0x7f7f7f7f7f7f7f7fULL

/* 0x80 in each byte of x that is zero, 0 elsewhere (exact). */
static inline uint64_t
rle_zero_bytes(uint64_t x)
{
	return ~((((x & RLE_LOWS) + RLE_LOWS) | x) | RLE_LOWS);
}

static inline bool
rle_stop_at(const char *s, size_t i, size_t len)
{
	return s[i] == '}' || (i + 3 < len && s[i] == s[i + 1] &&
	    s[i] == s[i + 2] && s[i] == s[i + 3]);
}

/*
 * The index of the next '}' or run of four equal bytes at or after i, or
 * len.  Eight bytes at a time: neighbours compared by XOR, a run of four
 * being three equal neighbour pairs in a row; a word with neither lets
 * the scan move on by six (a run starting at 6 or 7 is seen next time).
 */
static size_t
rle_next(const char *s, size_t i, size_t len)
{
	uint64_t a, b, z;
	size_t lim;

	for (;;) {
		while (i + 9 <= len) {
			memcpy(&a, s + i, 8);
			memcpy(&b, s + i + 1, 8);
			z = rle_zero_bytes(a ^ b);
			if ((z & (z >> 8) & (z >> 16)) != 0 ||
			    rle_zero_bytes(a ^ (RLE_ONES * '}')) != 0)
				break;
			i += 6;
		}
		for (lim = i + 8 < len ? i + 8 : len; i < lim; i++) {
			if (rle_stop_at(s, i, len))
				return i;
		}
		if (i >= len)
			return len;
	}
}

static size_t
rsp_frame_rle(char *dst, const char *src, size_t len)
{
	size_t	i = 0, o = 0, n, start;
	char	c;

	while (i < len) {
		/* Copy in one go up to the next escape or run of four. */
		start = i;
		i = rle_next(src, i, len);
		memcpy(dst + o, src + start, i - start);
		o += i - start;
		if (i == len)
			break;
		c = dst[o++] = src[i++];
		if (c == '}') {
			if (i < len)
				dst[o++] = src[i++];
			continue;
		}
		if (c == '*' || c == '#' || c == '$')
			continue;
		if ((n = rsp_frame_repeats(src + i, len - i, c)) < 3)
			continue;
		if (n + RSP_RUN_BASE == '#' || n + RSP_RUN_BASE == '$')
			n = '#' - RSP_RUN_BASE - 1;
		dst[o++] = '*';
		dst[o++] = n + RSP_RUN_BASE;
		i += n;
	}
	return (o);
}

int
rsp_frame(struct rsp_buf *out, int kind, const char *payload, size_t len,
    bool rle)
{
	static const char	 hex[] = "0123456789abcdef";
	char			*p;
	size_t			 n;
	uint8_t			 sum;

	if (len > SIZE_MAX - 4) {
		errno = ENOMEM;
		return (-1);
	}
	if ((p = rsp_buf_reserve(out, len + 4)) == NULL)
		return (-1);
	*p++ = kind;
	if (rle)
		n = rsp_frame_rle(p, payload, len);
	else {
		if (len != 0)
			memcpy(p, payload, len);
		n = len;
	}
	sum = rsp_checksum(p, n);
	p += n;
	*p++ = '#';
	*p++ = hex[sum >> 4];
	*p++ = hex[sum & 0xf];
	out->b_len -= len - n;	/* give back what RLE saved */
	return (0);
}
