/*
 * fuzz_codec.c -- libFuzzer harness for the protocol codec (rsp/).
 *
 * The input is a byte stream as a client could send it.  Checked on
 * every input:
 *   - decoding never reads or writes out of bounds (ASan) and never
 *     loops: each call consumes input or reports an event;
 *   - splitting the stream anywhere gives the same events and payloads as
 *     decoding it whole (a TCP peer may cut a packet at any byte): the
 *     split point comes from the input's first two bytes, and every
 *     split is tried for inputs up to FUZZ_SPLIT_ALL bytes;
 *   - every payload decoded is within the decoder's limit, NUL-terminated
 *     and frames back (with and without run-length encoding, as '$' and
 *     '%') into a packet that decodes to the same bytes;
 *   - the field parsers (rsp_get_hex and friends) on a payload consume
 *     only what they parsed and leave the cursor alone on failure.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rsp/rsp.h"

#define FUZZ_MAX_EVENTS		4096	/* events recorded per decode */
#define FUZZ_SPLIT_ALL		64	/* inputs this short: every split */
#define FUZZ_LIMIT		512	/* decoder payload limit, to hit TOOLONG */
#define FUZZ_MAX_HEXBYTES	64

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

struct event {
	enum rsp_event	 ev;
	uint32_t	 hash;		/* of the payload, for packets */
	size_t		 len;
};

struct run {
	struct event	 ev[FUZZ_MAX_EVENTS];
	size_t		 n;
};

static uint32_t
fnv(const char *p, size_t n)
{
	uint32_t h = 2166136261u;

	while (n-- > 0)
		h = (h ^ (uint8_t)*p++) * 16777619u;
	return h;
}

static void
fields(const char *p, size_t n)
{
	struct rsp_cursor c, before;
	uint8_t bytes[FUZZ_MAX_HEXBYTES];
	const char *f;
	size_t flen, got;
	uint64_t u;
	int64_t s;

	rsp_cursor_init(&c, p, n);
	while (!rsp_cursor_eof(&c)) {
		before = c;
		if (rsp_get_hex(&c, &u) == -1)
			CHECK(c.c_p == before.c_p);
		before = c;
		if (rsp_get_shex(&c, &s) == -1)
			CHECK(c.c_p == before.c_p);
		before = c;
		if (rsp_get_hexbytes(&c, ',', bytes, sizeof(bytes), &got) == -1)
			CHECK(c.c_p == before.c_p);
		else
			CHECK(got <= sizeof(bytes));
		before = c;
		if (rsp_get_field(&c, ';', &f, &flen) == 0)
			CHECK(f >= p && f + flen <= p + n);
		else
			CHECK(c.c_p == before.c_p);
		CHECK(c.c_p >= p && c.c_p <= p + n);
		if (c.c_p == before.c_p && rsp_cursor_left(&c) > 0)
			c.c_p++;	/* nothing parsed: step over a byte */
	}
}

/* Frame payload both ways and decode it back: the same bytes. */
static void
roundtrip(const char *p, size_t n)
{
	struct rsp_decoder d;
	struct rsp_buf esc, out;
	const char *got;
	size_t used, glen;
	int kind, rle;

	rsp_buf_init(&esc);
	CHECK(rsp_buf_addbin(&esc, p, n) == 0);
	for (kind = 0; kind < 2; kind++) {
		for (rle = 0; rle < 2; rle++) {
			rsp_buf_init(&out);
			CHECK(rsp_frame(&out, kind ? '%' : '$',
			    rsp_buf_head(&esc), rsp_buf_used(&esc), rle) == 0);
			rsp_decoder_init(&d, 0);
			CHECK(rsp_decode(&d, rsp_buf_head(&out),
			    rsp_buf_used(&out), &used, &got, &glen) ==
			    (kind ? RSP_EV_NOTIFY : RSP_EV_PACKET));
			CHECK(used == rsp_buf_used(&out));
			CHECK(glen == n && memcmp(got, p, n) == 0);
			rsp_decoder_free(&d);
			rsp_buf_free(&out);
		}
	}
	rsp_buf_free(&esc);
}

/* Decode in[0..len) in pieces cut at the offsets in cuts[]. */
static void
decode(struct run *r, const char *in, size_t len, const size_t *cuts,
    size_t ncuts, bool noack, bool check)
{
	struct rsp_decoder d;
	const char *payload;
	size_t off = 0, end, used, plen, k = 0;
	enum rsp_event ev;

	rsp_decoder_init(&d, FUZZ_LIMIT);
	rsp_decoder_noack(&d, noack);
	r->n = 0;
	while (off < len) {
		end = k < ncuts ? cuts[k++] : len;
		if (end < off)
			end = off;
		while (off < end) {
			ev = rsp_decode(&d, in + off, end - off, &used,
			    &payload, &plen);
			CHECK(used <= end - off);
			CHECK(used > 0 || ev != RSP_EV_NONE);
			off += used;
			if (ev == RSP_EV_NONE)
				break;
			if (r->n == FUZZ_MAX_EVENTS)
				continue;
			r->ev[r->n].ev = ev;
			r->ev[r->n].len = 0;
			r->ev[r->n].hash = 0;
			if (ev == RSP_EV_PACKET || ev == RSP_EV_NOTIFY) {
				CHECK(plen <= FUZZ_LIMIT);
				CHECK(payload[plen] == '\0');
				r->ev[r->n].len = plen;
				r->ev[r->n].hash = fnv(payload, plen);
				if (check) {
					fields(payload, plen);
					roundtrip(payload, plen);
				}
			}
			r->n++;
		}
	}
	rsp_decoder_free(&d);
}

static void
same(const struct run *a, const struct run *b)
{
	size_t i;

	CHECK(a->n == b->n);
	for (i = 0; i < a->n; i++) {
		CHECK(a->ev[i].ev == b->ev[i].ev);
		CHECK(a->ev[i].len == b->ev[i].len);
		CHECK(a->ev[i].hash == b->ev[i].hash);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run whole, split;
	const char *in;
	size_t len, cut, i;
	bool noack;

	if (size < 2)
		return 0;
	noack = data[0] & 1;
	cut = ((size_t)data[0] << 8 | data[1]) % (size - 1);
	in = (const char *)data + 2;
	len = size - 2;

	decode(&whole, in, len, NULL, 0, noack, true);
	decode(&split, in, len, &cut, 1, noack, false);
	same(&whole, &split);
	if (len <= FUZZ_SPLIT_ALL) {
		for (i = 0; i <= len; i++) {
			decode(&split, in, len, &i, 1, noack, false);
			same(&whole, &split);
		}
	}
	return 0;
}
