/*
 * check_rsp.c -- unit tests for the RSP codec (rsp/).
 *
 * Decoder tests compare transcripts: every event of a stream as one
 * letter (A ack, N nak, I interrupt, S bad sum, L too long, F bad
 * format), packets as P(payload) and notifications as Q(payload), with
 * unprintable bytes and "\()" written as \xx.
 */
#include <sys/resource.h>

#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rsp/rsp.h"
#include "tests/ck.h"

#define LIMIT_SMALL	64		/* bytes, the small decoder limit */
#define MEM_SLACK	(64UL << 20)	/* bytes, allowed beyond current use */
#define MEM_HUGE	(256UL << 20)	/* bytes, more than MEM_SLACK allows */

#if defined(__SANITIZE_ADDRESS__)
#define HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_ASAN 1
#endif
#endif

#ifdef HAVE_ASAN
/* Under ASan, let oversized allocations fail instead of aborting. */
const char *__asan_default_options(void);

const char *
__asan_default_options(void)
{
	return ("allocator_may_return_null=1:max_allocation_size_mb=64");
}
#endif

/* ---------------------------------------------------------- helpers */

static void
record(struct rsp_buf *t, enum rsp_event ev, const char *p, size_t n)
{
	static const char	 letters[] = "-ANIPQSLF";
	unsigned char		 c;
	size_t			 i;

	ck_assert_int_lt(ev, (int)sizeof(letters) - 1);
	ck_assert_int_eq(rsp_buf_addc(t, letters[ev]), 0);
	if (ev != RSP_EV_PACKET && ev != RSP_EV_NOTIFY)
		return;
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(p[n], '\0');
	rsp_buf_addc(t, '(');
	for (i = 0; i < n; i++) {
		c = p[i];
		if (c < 0x20 || c >= 0x7f || c == '\\' || c == '(' || c == ')')
			rsp_buf_addf(t, "\\%02x", c);
		else
			rsp_buf_addc(t, c);
	}
	rsp_buf_addc(t, ')');
}

/* Feed in[0..len) to d in as many calls as it takes, recording events. */
static void
feed(struct rsp_decoder *d, const char *in, size_t len, struct rsp_buf *t)
{
	enum rsp_event	 ev;
	const char	*p;
	size_t		 used, n;

	while (len > 0) {
		ev = rsp_decode(d, in, len, &used, &p, &n);
		ck_assert_uint_le(used, len);
		if (ev == RSP_EV_NONE)
			ck_assert_uint_eq(used, len);
		else {
			ck_assert_uint_ge(used, 1);
			record(t, ev, p, n);
		}
		in += used;
		len -= used;
	}
}

/* The transcript of in[0..len) through d, as a malloc'd string. */
static char *
transcript(struct rsp_decoder *d, const char *in, size_t len)
{
	struct rsp_buf	t;

	rsp_buf_init(&t);
	feed(d, in, len, &t);
	rsp_buf_addc(&t, '\0');
	return (t.b_data);
}

static void
expect_d(struct rsp_decoder *d, const char *in, size_t len, const char *want)
{
	char	*got;

	got = transcript(d, in, len);
	ck_assert_str_eq(got, want);
	free(got);
}

/* A fresh decoder with limit max over in[0..len). */
static void
expect_n(size_t max, const char *in, size_t len, const char *want)
{
	struct rsp_decoder	d;

	rsp_decoder_init(&d, max);
	expect_d(&d, in, len, want);
	ck_assert_uint_le(d.d_cap, d.d_max + 1);
	rsp_decoder_free(&d);
}

#define expect(in, want)	expect_n(0, in, sizeof(in) - 1, want)

/* Append payload framed as kind, without RLE, checksum correct. */
static void
add_packet(struct rsp_buf *b, int kind, const char *payload, size_t len)
{
	ck_assert_int_eq(rsp_frame(b, kind, payload, len, false), 0);
}

#define add_str(b, kind, s)	add_packet(b, kind, s, sizeof(s) - 1)

/* A framed raw payload, followed by a good "$ok" packet. */
static void
expect_then_ok(size_t max, const char *raw, size_t len, const char *want)
{
	struct rsp_buf	 b;
	char		 full[256];

	rsp_buf_init(&b);
	add_packet(&b, '$', raw, len);
	add_str(&b, '$', "ok");
	snprintf(full, sizeof(full), "%sP(ok)", want);
	expect_n(max, rsp_buf_head(&b), rsp_buf_used(&b), full);
	rsp_buf_free(&b);
}

#define expect_ok(raw, want) expect_then_ok(0, raw, sizeof(raw) - 1, want)

/* Decode one framed packet and check its payload is want[0..n). */
static void
round_trip(struct rsp_buf *framed, const char *want, size_t n)
{
	struct rsp_decoder	 d;
	enum rsp_event		 ev;
	const char		*p;
	size_t			 used, plen;

	rsp_decoder_init(&d, 0);
	ev = rsp_decode(&d, rsp_buf_head(framed), rsp_buf_used(framed),
	    &used, &p, &plen);
	ck_assert_int_eq(ev, RSP_EV_PACKET);
	ck_assert_uint_eq(used, rsp_buf_used(framed));
	ck_assert_uint_eq(plen, n);
	ck_assert_mem_eq(p, want, n);
	rsp_decoder_free(&d);
}

/* Check a frame has '$' only first and '#' only third from last. */
static void
check_frame_shape(struct rsp_buf *framed)
{
	const char	*p = rsp_buf_head(framed);
	size_t		 n = rsp_buf_used(framed), i;

	ck_assert_uint_ge(n, 4);
	ck_assert_int_eq(p[0], '$');
	ck_assert_int_eq(p[n - 3], '#');
	for (i = 1; i < n - 3; i++) {
		ck_assert_int_ne(p[i], '$');
		ck_assert_int_ne(p[i], '#');
	}
}

/* A raw payload "a*n*n..." whose decoded length is exactly len. */
static void
add_rle_payload(struct rsp_buf *b, size_t len)
{
	size_t	rem = len - 1, k;

	rsp_buf_addc(b, 'a');
	while (rem > 0) {
		k = rem > 90 ? 90 : rem;
		if (k == 6 || k == 7)
			k = 5;
		rsp_buf_addc(b, '*');
		rsp_buf_addc(b, (char)(k + 29));
		rem -= k;
	}
}

/*
 * Cap the address space at MEM_SLACK beyond what is in use, or under
 * ASan rely on max_allocation_size_mb.  Restored by unlimit_memory, for
 * runs with CK_FORK=no.
 */
#ifndef HAVE_ASAN
static struct rlimit mem_saved;
#endif

static void
limit_memory(void)
{
#ifndef HAVE_ASAN
	struct rlimit	 rl;
	FILE		*f;
	unsigned long	 pages;

	ck_assert_ptr_nonnull(f = fopen("/proc/self/statm", "r"));
	ck_assert_int_eq(fscanf(f, "%lu", &pages), 1);
	fclose(f);
	ck_assert_int_eq(getrlimit(RLIMIT_AS, &mem_saved), 0);
	rl = mem_saved;
	rl.rlim_cur = pages * sysconf(_SC_PAGESIZE) + MEM_SLACK;
	ck_assert_int_eq(setrlimit(RLIMIT_AS, &rl), 0);
#endif
}

static void
unlimit_memory(void)
{
#ifndef HAVE_ASAN
	ck_assert_int_eq(setrlimit(RLIMIT_AS, &mem_saved), 0);
#endif
}

/* ----------------------------------------------------------- buffer */

START_TEST(buf_append_drain_reset)
{
	struct rsp_buf	b;

	rsp_buf_init(&b);
	ck_assert_uint_eq(rsp_buf_used(&b), 0);
	ck_assert_str_eq(rsp_buf_head(&b), "");
	ck_assert_ptr_nonnull(rsp_buf_reserve(&b, 0));
	ck_assert_int_eq(rsp_buf_addbin(&b, NULL, 0), 0);
	ck_assert_int_eq(rsp_buf_addhex(&b, NULL, 0), 0);
	ck_assert_int_eq(rsp_frame(&b, '$', NULL, 0, true), 0);
	ck_assert_mem_eq(rsp_buf_head(&b), "$#00", 4);
	rsp_buf_reset(&b);
	ck_assert_int_eq(rsp_buf_add(&b, "hello", 5), 0);
	ck_assert_int_eq(rsp_buf_addc(&b, '!'), 0);
	ck_assert_int_eq(rsp_buf_add(&b, NULL, 0), 0);
	ck_assert_uint_eq(rsp_buf_used(&b), 6);
	ck_assert_mem_eq(rsp_buf_head(&b), "hello!", 6);
	rsp_buf_drain(&b, 2);
	ck_assert_mem_eq(rsp_buf_head(&b), "llo!", 4);
	ck_assert_uint_eq(b.b_off, 2);
	rsp_buf_drain(&b, 100);
	ck_assert_uint_eq(rsp_buf_used(&b), 0);
	ck_assert_uint_eq(b.b_off, 0);
	ck_assert_uint_eq(b.b_len, 0);
	rsp_buf_add(&b, "xy", 2);
	rsp_buf_reset(&b);
	ck_assert_uint_eq(rsp_buf_used(&b), 0);
	rsp_buf_free(&b);
	ck_assert_ptr_null(b.b_data);
}
END_TEST

START_TEST(buf_grows_geometrically)
{
	struct rsp_buf	b;
	size_t		i, grows = 0, cap = 0;

	rsp_buf_init(&b);
	for (i = 0; i < 100000; i++) {
		ck_assert_int_eq(rsp_buf_addc(&b, (char)(i % 251)), 0);
		if (b.b_cap != cap) {
			ck_assert_uint_ge(b.b_cap, 2 * cap);
			cap = b.b_cap;
			grows++;
		}
	}
	ck_assert_uint_le(grows, 12);
	for (i = 0; i < 100000; i++)
		ck_assert_int_eq((unsigned char)b.b_data[i], i % 251);
	rsp_buf_free(&b);
}
END_TEST

START_TEST(buf_compacts_dead_prefix)
{
	struct rsp_buf	b;
	char		big[1000];
	size_t		cap;

	memset(big, 'x', sizeof(big));
	rsp_buf_init(&b);
	rsp_buf_add(&b, big, sizeof(big));
	rsp_buf_addc(&b, 'y');
	rsp_buf_drain(&b, sizeof(big));
	cap = b.b_cap;
	ck_assert_uint_eq(b.b_off, sizeof(big));
	rsp_buf_add(&b, big, cap - b.b_len + 1);
	ck_assert_uint_eq(b.b_off, 0);
	ck_assert_uint_eq(b.b_cap, cap);
	ck_assert_int_eq(rsp_buf_head(&b)[0], 'y');
	ck_assert_uint_eq(rsp_buf_used(&b), cap - sizeof(big) + 1);
	rsp_buf_free(&b);
}
END_TEST

START_TEST(buf_addf_addhex_reserve)
{
	struct rsp_buf	 b;
	char		*p;

	rsp_buf_init(&b);
	ck_assert_int_eq(rsp_buf_addf(&b, "T%02x;%s", 5, "thread"), 0);
	ck_assert_int_eq(rsp_buf_addhex(&b, "\x01\xab\xff", 3), 0);
	ck_assert_ptr_nonnull(p = rsp_buf_reserve(&b, 2));
	memcpy(p, "zz", 2);
	ck_assert_uint_eq(rsp_buf_used(&b), 18);
	ck_assert_mem_eq(rsp_buf_head(&b), "T05;thread01abffzz", 18);
	rsp_buf_free(&b);
}
END_TEST

START_TEST(buf_addbin_escapes_specials_only)
{
	struct rsp_buf	b;
	unsigned char	all[256];
	size_t		i, o;
	const char	*p;

	for (i = 0; i < 256; i++)
		all[i] = i;
	rsp_buf_init(&b);
	ck_assert_int_eq(rsp_buf_addbin(&b, all, 256), 0);
	ck_assert_uint_eq(rsp_buf_used(&b), 260);
	p = rsp_buf_head(&b);
	for (i = 0, o = 0; i < 256; i++) {
		if (i == '#' || i == '$' || i == '}' || i == '*') {
			ck_assert_int_eq(p[o++], '}');
			ck_assert_int_eq((unsigned char)p[o++], i ^ 0x20);
		} else
			ck_assert_int_eq((unsigned char)p[o++], i);
	}
	rsp_buf_free(&b);
}
END_TEST

START_TEST(buf_overflowing_size_fails_intact)
{
	struct rsp_buf	b;

	rsp_buf_init(&b);
	rsp_buf_add(&b, "keep", 4);
	errno = 0;
	ck_assert_ptr_null(rsp_buf_reserve(&b, SIZE_MAX - 1));
	ck_assert_int_eq(errno, ENOMEM);
	ck_assert_int_eq(rsp_buf_addhex(&b, "", SIZE_MAX / 2 + 1), -1);
	errno = 0;
	ck_assert_int_eq(rsp_frame(&b, '$', "", SIZE_MAX - 2, false), -1);
	ck_assert_int_eq(errno, ENOMEM);
	ck_assert_uint_eq(rsp_buf_used(&b), 4);
	ck_assert_mem_eq(rsp_buf_head(&b), "keep", 4);
	rsp_buf_free(&b);
}
END_TEST

START_TEST(buf_failed_allocation_fails_intact)
{
	struct rsp_buf	b;

	rsp_buf_init(&b);
	rsp_buf_add(&b, "keep", 4);
	limit_memory();
	errno = 0;
	ck_assert_ptr_null(rsp_buf_reserve(&b, 4 * MEM_HUGE));
	ck_assert_int_eq(errno, ENOMEM);
	unlimit_memory();
	ck_assert_int_eq(rsp_buf_add(&b, "!", 1), 0);
	ck_assert_mem_eq(rsp_buf_head(&b), "keep!", 5);
	rsp_buf_free(&b);
}
END_TEST

/* ---------------------------------------------------------- framing */

START_TEST(checksum_is_byte_sum_mod_256)
{
	unsigned char	ff[3] = { 0xff, 0xff, 0x03 };

	ck_assert_uint_eq(rsp_checksum("", 0), 0);
	ck_assert_uint_eq(rsp_checksum("abc", 3), 0x26);
	ck_assert_uint_eq(rsp_checksum(ff, 3), 0x01);
}
END_TEST

START_TEST(frame_writes_kind_payload_and_lowercase_sum)
{
	struct rsp_buf	b;

	rsp_buf_init(&b);
	rsp_buf_add(&b, "+", 1);
	ck_assert_int_eq(rsp_frame(&b, '$', "abc", 3, false), 0);
	ck_assert_int_eq(rsp_frame(&b, '$', "", 0, true), 0);
	ck_assert_int_eq(rsp_frame(&b, '%', "}]", 2, false), 0);
	ck_assert_int_eq(rsp_frame(&b, '$', "0000", 4, true), 0);
	ck_assert_int_eq(rsp_frame(&b, '$', "000", 3, true), 0);
	rsp_buf_addc(&b, '\0');
	ck_assert_str_eq(rsp_buf_head(&b), "+$abc#26$#00%}]#da$0* #7a$000#90");
	rsp_buf_free(&b);
}
END_TEST

START_TEST(frame_round_trips_through_decode)
{
	struct rsp_buf	b;
	const char	*s = "qSupported:multiprocess+;swbreak+";

	rsp_buf_init(&b);
	rsp_frame(&b, '$', s, strlen(s), false);
	round_trip(&b, s, strlen(s));
	rsp_buf_reset(&b);
	rsp_frame(&b, '$', s, strlen(s), true);
	round_trip(&b, s, strlen(s));
	rsp_buf_free(&b);
}
END_TEST

/* ---------------------------------------------------------- decoder */

START_TEST(good_checksum_either_case)
{
	expect("$abc#26", "P(abc)");
	expect("$:#3a$:#3A", "P(:)P(:)");
	expect("$#00", "P()");
	expect("$}]#da$}]#DA", "P(})P(})");
}
END_TEST

START_TEST(bad_checksum_is_badsum)
{
	expect("$abc#27$abc#26", "SP(abc)");
	expect("$abc#62", "S");
}
END_TEST

START_TEST(non_hex_checksum_is_badsum)
{
	expect("$abc#2g$abc#26", "SP(abc)");
	expect("$abc#x6$abc#26", "SP(abc)");
	expect("$abc#$1$abc#26", "SP(abc)");
}
END_TEST

START_TEST(ack_nak_interrupt_outside_packets)
{
	expect("+-\x03+", "ANIA");
}
END_TEST

START_TEST(junk_outside_packets_skipped)
{
	expect("hello\r\n#26}*\x04\xff$abc#26 tail", "P(abc)");
}
END_TEST

START_TEST(ack_nak_interrupt_inside_packet_are_payload)
{
	struct rsp_buf	b;

	rsp_buf_init(&b);
	add_str(&b, '$', "a+b-c\x03");
	expect_n(0, rsp_buf_head(&b), rsp_buf_used(&b), "P(a+b-c\\03)");
	rsp_buf_free(&b);
}
END_TEST

START_TEST(decode_stops_after_one_event)
{
	struct rsp_decoder	 d;
	const char		*p;
	size_t			 used, n;
	const char		 in[] = "+$abc#26-";

	rsp_decoder_init(&d, 0);
	ck_assert_int_eq(rsp_decode(&d, in, 9, &used, &p, &n), RSP_EV_ACK);
	ck_assert_uint_eq(used, 1);
	ck_assert_ptr_null(p);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(rsp_decode(&d, in + 1, 8, &used, &p, &n),
	    RSP_EV_PACKET);
	ck_assert_uint_eq(used, 7);
	ck_assert_str_eq(p, "abc");
	ck_assert_int_eq(rsp_decode(&d, in + 8, 1, &used, NULL, NULL),
	    RSP_EV_NAK);
	ck_assert_int_eq(rsp_decode(&d, in, 0, &used, &p, &n), RSP_EV_NONE);
	ck_assert_uint_eq(used, 0);
	rsp_decoder_free(&d);
}
END_TEST

START_TEST(input_ending_mid_packet_consumed)
{
	struct rsp_decoder	 d;
	const char		*p;
	size_t			 used, n;

	rsp_decoder_init(&d, 0);
	ck_assert_int_eq(rsp_decode(&d, "$ab", 3, &used, &p, &n), RSP_EV_NONE);
	ck_assert_uint_eq(used, 3);
	ck_assert_int_eq(rsp_decode(&d, "c#2", 3, &used, &p, &n), RSP_EV_NONE);
	ck_assert_uint_eq(used, 3);
	ck_assert_int_eq(rsp_decode(&d, "6+", 2, &used, &p, &n),
	    RSP_EV_PACKET);
	ck_assert_uint_eq(used, 1);
	ck_assert_str_eq(p, "abc");
	rsp_decoder_free(&d);
}
END_TEST

/* A stream with one of everything, for the split tests. */
static void
add_sample(struct rsp_buf *b)
{
	char	big[20];

	rsp_buf_add(b, "xx+-\x03", 5);
	add_str(b, '$', "abc");
	rsp_buf_add(b, "junk", 4);
	add_str(b, '$', "}]a*\"");
	add_str(b, '%', "Stop:T05");
	rsp_buf_add(b, "$abc#00", 7);
	memset(big, 'x', sizeof(big));
	add_packet(b, '$', big, sizeof(big));
	add_str(b, '$', "a*");
	rsp_buf_add(b, "$ab", 3);
	add_str(b, '$', "cd");
	add_str(b, '$', "");
	rsp_buf_addc(b, '+');
}

#define SAMPLE_EVENTS \
	"ANIP(abc)P(}aaaaaa)Q(Stop:T05)SLFP(cd)P()A"

START_TEST(split_at_every_boundary_same_events)
{
	struct rsp_decoder	 d;
	struct rsp_buf		 s, t;
	const char		*in;
	size_t			 len, i;

	rsp_buf_init(&s);
	add_sample(&s);
	in = rsp_buf_head(&s);
	len = rsp_buf_used(&s);
	expect_n(16, in, len, SAMPLE_EVENTS);

	rsp_decoder_init(&d, 16);
	rsp_buf_init(&t);
	for (i = 0; i < len; i++)
		feed(&d, in + i, 1, &t);
	rsp_buf_addc(&t, '\0');
	ck_assert_str_eq(rsp_buf_head(&t), SAMPLE_EVENTS);

	for (i = 0; i <= len; i++) {
		rsp_buf_reset(&t);
		feed(&d, in, i, &t);
		feed(&d, in + i, len - i, &t);
		rsp_buf_addc(&t, '\0');
		ck_assert_str_eq(rsp_buf_head(&t), SAMPLE_EVENTS);
	}
	rsp_decoder_free(&d);
	rsp_buf_free(&t);
	rsp_buf_free(&s);
}
END_TEST

START_TEST(dollar_inside_packet_restarts)
{
	expect("$ab$cd#c7", "P(cd)");
	expect("$a}$cd#c7", "P(cd)");
	expect("$a*$cd#c7", "P(cd)");
}
END_TEST

START_TEST(percent_inside_packet_is_payload)
{
	expect_ok("a%b", "P(a%b)");
}
END_TEST

START_TEST(notification_event)
{
	struct rsp_buf	b;

	rsp_buf_init(&b);
	add_str(&b, '%', "Stop:T05thread:p1.1;");
	add_str(&b, '%', "");
	expect_n(0, rsp_buf_head(&b), rsp_buf_used(&b),
	    "Q(Stop:T05thread:p1.1;)Q()");
	rsp_buf_free(&b);
}
END_TEST

START_TEST(escaped_specials_round_trip)
{
	struct rsp_buf	 b;
	const char	*specials = "#$}*";
	const char	*esc[] = { "}\x03", "}\x04", "}]", "}\n" };
	int		 i, rle;

	rsp_buf_init(&b);
	for (i = 0; i < 4; i++) {
		for (rle = 0; rle < 2; rle++) {
			rsp_buf_reset(&b);
			rsp_buf_addbin(&b, specials + i, 1);
			ck_assert_mem_eq(rsp_buf_head(&b), esc[i], 2);
			rsp_frame(&b, '$', esc[i], 2, rle);
			rsp_buf_drain(&b, 2);
			check_frame_shape(&b);
			round_trip(&b, specials + i, 1);
		}
	}
	rsp_buf_free(&b);
}
END_TEST

START_TEST(any_escaped_byte_is_xor_0x20)
{
	expect_ok("}a}\x7f", "P(A_)");
	expect_ok("}*~", "P(\\0a~)");
}
END_TEST

START_TEST(all_256_byte_values_round_trip)
{
	struct rsp_buf	bin, b;
	unsigned char	all[256];
	int		i, rle;

	for (i = 0; i < 256; i++)
		all[i] = i;
	rsp_buf_init(&bin);
	rsp_buf_init(&b);
	rsp_buf_addbin(&bin, all, 256);
	for (rle = 0; rle < 2; rle++) {
		rsp_buf_reset(&b);
		rsp_frame(&b, '$', rsp_buf_head(&bin), rsp_buf_used(&bin), rle);
		check_frame_shape(&b);
		round_trip(&b, (char *)all, 256);
	}
	rsp_buf_free(&bin);
	rsp_buf_free(&b);
}
END_TEST

START_TEST(rle_decode_gdb_example)
{
	char	want[2 + 1 + RSP_MAX_RUN + 2];

	expect("$0* #7a", "P(0000)");
	expect_ok("a*\x1d", "P(a)");
	expect_ok("ab*!c", "P(abbbbbc)");
	memset(want, 'a', sizeof(want));
	memcpy(want, "P(", 2);
	memcpy(want + 2 + 1 + RSP_MAX_RUN, ")", 2);
	expect_ok("a*~", want);
	expect_ok("a* * ", "P(aaaaaaa)");
	expect_ok("}]* ", "P(}}}})");
}
END_TEST

START_TEST(rle_runs_1_to_300_round_trip)
{
	struct rsp_buf	b;
	char		raw[302];
	size_t		len, off;

	rsp_buf_init(&b);
	for (len = 1; len <= 300; len++) {
		for (off = 0; off < 2; off++) {
			raw[0] = 'x';
			memset(raw + off, 'a', len);
			raw[off + len] = 'y';
			rsp_buf_reset(&b);
			rsp_frame(&b, '$', raw, len + off + 1, true);
			check_frame_shape(&b);
			if (len >= 4)
				ck_assert_uint_lt(rsp_buf_used(&b),
				    len + off + 5);
			round_trip(&b, raw, len + off + 1);
		}
	}
	rsp_buf_free(&b);
}
END_TEST

START_TEST(rle_never_counts_hash_or_dollar)
{
	struct rsp_buf	b;

	rsp_buf_init(&b);
	rsp_frame(&b, '$', "aaaaaaa", 7, true);		/* 6 repeats */
	rsp_frame(&b, '$', "bbbbbbbb", 8, true);	/* 7 repeats */
	rsp_frame(&b, '$', "ccccccccc", 9, true);	/* 8 repeats */
	rsp_buf_addc(&b, '\0');
	ck_assert_str_eq(rsp_buf_head(&b),
	    "$a*\"a#0e" "$b*\"bb#72" "$c*%#b2");
	rsp_buf_free(&b);
}
END_TEST

START_TEST(rle_leaves_escapes_alone)
{
	struct rsp_buf	 b, bin;
	const char	*want;
	unsigned char	 raw[9 * 256];
	size_t		 n = 0;
	int		 v, k;

	rsp_buf_init(&b);
	rsp_frame(&b, '$', "}]}]}]}]}]", 10, true);
	rsp_frame(&b, '$', "}]]]]]]", 7, true);
	rsp_frame(&b, '$', "####$$$$****", 12, true);
	rsp_frame(&b, '$', "}}}}}}", 6, true);
	rsp_buf_addc(&b, '\0');
	want = "$}]}]}]}]}]#42$}]]*!#82$####$$$$****#c4$}}}}}}#ee";
	ck_assert_str_eq(rsp_buf_head(&b), want);

	/* Runs of every byte value, escaped, framed with RLE. */
	for (v = 0; v < 256; v++) {
		for (k = 0; k <= v % 9; k++)
			raw[n++] = v;
	}
	rsp_buf_init(&bin);
	rsp_buf_addbin(&bin, raw, n);
	rsp_buf_reset(&b);
	rsp_frame(&b, '$', rsp_buf_head(&bin), rsp_buf_used(&bin), true);
	check_frame_shape(&b);
	ck_assert_uint_lt(rsp_buf_used(&b), rsp_buf_used(&bin));
	round_trip(&b, (char *)raw, n);
	rsp_buf_free(&bin);
	rsp_buf_free(&b);
}
END_TEST

START_TEST(bad_rle_is_badformat)
{
	expect_ok("*a", "F");
	expect_ok("a*\x1c", "F");
	expect_ok("a*\x7f", "F");
	expect_ok("a*\xff", "F");
	expect_ok("}a*\x1c", "F");
}
END_TEST

START_TEST(escape_or_run_at_end_is_badformat)
{
	expect_ok("abc}", "F");
	expect_ok("abc*", "F");
	expect_ok("}", "F");
	expect_ok("*", "F");
}
END_TEST

/* Expect one event ev, and for a packet a payload of len bytes. */
static void
expect_one(size_t max, struct rsp_buf *b, enum rsp_event want, size_t len)
{
	struct rsp_decoder	 d;
	enum rsp_event		 ev;
	const char		*p;
	size_t			 used, n;

	rsp_decoder_init(&d, max);
	ev = rsp_decode(&d, rsp_buf_head(b), rsp_buf_used(b), &used, &p, &n);
	ck_assert_int_eq(ev, want);
	ck_assert_uint_eq(used, rsp_buf_used(b));
	if (ev == RSP_EV_PACKET)
		ck_assert_uint_eq(n, len);
	ck_assert_uint_le(d.d_cap, d.d_max + 1);
	ev = rsp_decode(&d, "$k#6b", 5, &used, &p, &n);
	ck_assert_int_eq(ev, RSP_EV_PACKET);
	ck_assert_str_eq(p, "k");
	rsp_decoder_free(&d);
}

/* Raw, escaped and run-length payloads of max and max + 1 bytes. */
static void
check_limits(size_t max)
{
	struct rsp_buf	 raw, b;
	size_t		 n, i, lim = max != 0 ? max : RSP_MAX_PACKET;
	enum rsp_event	 ev;

	rsp_buf_init(&raw);
	rsp_buf_init(&b);
	for (n = lim; n <= lim + 1; n++) {
		ev = n == lim ? RSP_EV_PACKET : RSP_EV_TOOLONG;

		rsp_buf_reset(&raw);
		for (i = 0; i < n; i++)
			rsp_buf_addc(&raw, 'a');
		rsp_buf_reset(&b);
		add_packet(&b, '$', rsp_buf_head(&raw), n);
		expect_one(max, &b, ev, n);

		rsp_buf_reset(&raw);
		for (i = 0; i < n; i++)
			rsp_buf_add(&raw, "}]", 2);
		rsp_buf_reset(&b);
		add_packet(&b, '$', rsp_buf_head(&raw), 2 * n);
		expect_one(max, &b, ev, n);

		rsp_buf_reset(&raw);
		add_rle_payload(&raw, n);
		rsp_buf_reset(&b);
		add_packet(&b, '$', rsp_buf_head(&raw), rsp_buf_used(&raw));
		expect_one(max, &b, ev, n);
	}
	rsp_buf_free(&raw);
	rsp_buf_free(&b);
}

START_TEST(packet_at_small_limit_accepted_one_past_rejected)
{
	check_limits(LIMIT_SMALL);
	check_limits(1);
}
END_TEST

START_TEST(packet_at_max_packet_accepted_one_past_rejected)
{
	check_limits(0);
}
END_TEST

START_TEST(toolong_beats_badformat_beats_badsum)
{
	expect_n(4, "$*aaaaaa#00$ok#da", 17, "LP(ok)");
	expect_n(4, "$aaa}#00$ok#da", 14, "FP(ok)");
	expect_n(4, "$a*!#00$ok#da", 13, "LP(ok)");
	expect_n(4, "$a*\x01" "aaaa#00$ok#da", 17, "LP(ok)");
	expect_n(4, "$a*\x01#00$ok#da", 13, "FP(ok)");
	expect_n(4, "$aaaa#00$ok#da", 14, "SP(ok)");
}
END_TEST

START_TEST(failed_allocation_is_toolong)
{
	struct rsp_decoder	d;
	struct rsp_buf		b;
	size_t			want = MEM_HUGE;

	rsp_buf_init(&b);
	add_rle_payload(&b, want);
	rsp_buf_addc(&b, '#');
	rsp_buf_add(&b, "00$ok#da", 8);
	rsp_decoder_init(&d, 2 * want);
	limit_memory();
	expect_d(&d, "$", 1, "");
	expect_d(&d, rsp_buf_head(&b), rsp_buf_used(&b), "LP(ok)");
	unlimit_memory();
	ck_assert_uint_lt(d.d_cap, want);
	rsp_decoder_free(&d);
	rsp_buf_free(&b);
}
END_TEST

START_TEST(noack_skips_checksum_but_eats_trailer)
{
	struct rsp_decoder	d;

	rsp_decoder_init(&d, 4);
	rsp_decoder_noack(&d, true);
	expect_d(&d, "$abc#00$abc#zz$abc#26+", 22, "P(abc)P(abc)P(abc)A");
	expect_d(&d, "%x#!!$aaaaa#00$*a#00", 20, "Q(x)LF");
	rsp_decoder_noack(&d, false);
	expect_d(&d, "$abc#00$abc#26", 14, "SP(abc)");
	rsp_decoder_free(&d);
}
END_TEST

/* -------------------------------------------------------------- hex */

START_TEST(hexval_all_bytes)
{
	const char	*digits = "0123456789abcdef", *up = "ABCDEF";
	int		 c, want;

	for (c = -1; c < 256; c++) {
		want = -1;
		if (c > 0 && strchr(digits, c) != NULL)
			want = strchr(digits, c) - digits;
		else if (c > 0 && strchr(up, c) != NULL)
			want = strchr(up, c) - up + 10;
		ck_assert_int_eq(rsp_hexval(c), want);
	}
}
END_TEST

START_TEST(tohex_fromhex_round_trip)
{
	unsigned char	all[256], back[256];
	char		hex[513];
	int		i;

	for (i = 0; i < 256; i++)
		all[i] = i;
	rsp_tohex(hex, all, 256);
	ck_assert_mem_eq(hex, "00010203", 8);
	ck_assert_mem_eq(hex + 500, "fafbfcfdfeff", 12);
	ck_assert_int_eq(rsp_fromhex(back, hex, 256), 0);
	ck_assert_mem_eq(back, all, 256);
	ck_assert_int_eq(rsp_fromhex(back, "ABcd", 2), 0);
	ck_assert_mem_eq(back, "\xab\xcd", 2);
	memset(back, 0, 2);
	ck_assert_int_eq(rsp_fromhex(back, "ab-d", 2), -1);
	ck_assert_int_eq(rsp_fromhex(back, "abc", 2), -1);
	ck_assert_mem_eq(back, "\0\0", 2);
}
END_TEST

/* Parse s with rsp_get_hex; check result r, value v and bytes left. */
static void
check_hex(const char *s, int r, uint64_t v, size_t left)
{
	struct rsp_cursor	c;
	uint64_t		got = 12345;

	rsp_cursor_init(&c, s, strlen(s));
	ck_assert_int_eq(rsp_get_hex(&c, &got), r);
	ck_assert_uint_eq(rsp_cursor_left(&c), left);
	ck_assert_uint_eq(got, r == 0 ? v : 12345);
}

START_TEST(get_hex_16_digits_fit_17_overflow)
{
	check_hex("1f", 0, 0x1f, 0);
	check_hex("ABCdef,1", 0, 0xabcdef, 2);
	check_hex("ffffffffffffffff", 0, UINT64_MAX, 0);
	check_hex("FFFFFFFFFFFFFFFF;", 0, UINT64_MAX, 1);
	check_hex("10000000000000000", -1, 0, 17);
	check_hex("fffffffffffffffff", -1, 0, 17);
	check_hex("0000000000000000000000001", 0, 1, 0);
	check_hex("00000000ffffffffffffffff", 0, UINT64_MAX, 0);
	check_hex("", -1, 0, 0);
	check_hex(",12", -1, 0, 3);
	check_hex("g", -1, 0, 1);
}
END_TEST

static void
check_shex(const char *s, int r, int64_t v, size_t left)
{
	struct rsp_cursor	c;
	int64_t			got = 12345;

	rsp_cursor_init(&c, s, strlen(s));
	ck_assert_int_eq(rsp_get_shex(&c, &got), r);
	ck_assert_uint_eq(rsp_cursor_left(&c), left);
	ck_assert_int_eq(got, r == 0 ? v : 12345);
}

START_TEST(get_shex_signed_range)
{
	check_shex("-1", 0, -1, 0);
	check_shex("-1.-1", 0, -1, 3);
	check_shex("0", 0, 0, 0);
	check_shex("-0", 0, 0, 0);
	check_shex("1a2b", 0, 0x1a2b, 0);
	check_shex("7fffffffffffffff", 0, INT64_MAX, 0);
	check_shex("8000000000000000", -1, 0, 16);
	check_shex("-8000000000000000", 0, INT64_MIN, 0);
	check_shex("-8000000000000001", -1, 0, 17);
	check_shex("-", -1, 0, 1);
	check_shex("-x", -1, 0, 2);
	check_shex("--1", -1, 0, 3);
	check_shex("", -1, 0, 0);
}
END_TEST

START_TEST(cursor_skip_char_eof)
{
	struct rsp_cursor	c;
	size_t			n = 9;

	rsp_cursor_init(&c, "vCont;c", 7);
	ck_assert(!rsp_cursor_skip(&c, "vContX"));
	ck_assert(!rsp_cursor_skip(&c, "vCont;c;"));
	ck_assert(rsp_cursor_skip(&c, "vCont"));
	ck_assert_uint_eq(rsp_cursor_left(&c), 2);
	ck_assert_int_eq(rsp_get_char(&c, ':'), -1);
	ck_assert_int_eq(rsp_get_char(&c, ';'), 0);
	ck_assert(!rsp_cursor_eof(&c));
	ck_assert_int_eq(rsp_get_char(&c, 'c'), 0);
	ck_assert(rsp_cursor_eof(&c));
	ck_assert_int_eq(rsp_get_char(&c, 'c'), -1);
	ck_assert(rsp_cursor_skip(&c, ""));
	rsp_cursor_init(&c, NULL, 0);
	ck_assert(rsp_cursor_eof(&c));
	ck_assert(rsp_cursor_skip(&c, ""));
	ck_assert_int_eq(rsp_get_hexbytes(&c, ';', NULL, 0, &n), 0);
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(get_field_up_to_separator)
{
	struct rsp_cursor	 c;
	const char		*f;
	size_t			 n;

	rsp_cursor_init(&c, "qXfer:features:read:,rest", 25);
	ck_assert_int_eq(rsp_get_field(&c, ':', &f, &n), 0);
	ck_assert_uint_eq(n, 5);
	ck_assert_mem_eq(f, "qXfer", 5);
	ck_assert_int_eq(rsp_get_field(&c, ':', &f, &n), 0);
	ck_assert_mem_eq(f, "features", n);
	ck_assert_int_eq(rsp_get_field(&c, ':', &f, &n), 0);
	ck_assert_int_eq(rsp_get_field(&c, ',', &f, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(rsp_get_field(&c, ',', &f, &n), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_mem_eq(f, "rest", 4);
	ck_assert(rsp_cursor_eof(&c));
	ck_assert_int_eq(rsp_get_field(&c, ',', &f, &n), -1);
}
END_TEST

START_TEST(hexbytes_at_cap_and_one_past)
{
	struct rsp_cursor	c;
	unsigned char		dst[4];
	size_t			n = 99;

	rsp_cursor_init(&c, "0102abFF;x", 10);
	ck_assert_int_eq(rsp_get_hexbytes(&c, ';', dst, 3, &n), -1);
	ck_assert_uint_eq(rsp_cursor_left(&c), 10);
	ck_assert_uint_eq(n, 99);
	ck_assert_int_eq(rsp_get_hexbytes(&c, ';', dst, 4, &n), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_mem_eq(dst, "\x01\x02\xab\xff", 4);
	ck_assert_uint_eq(rsp_cursor_left(&c), 1);

	rsp_cursor_init(&c, "abc", 3);
	ck_assert_int_eq(rsp_get_hexbytes(&c, ';', dst, 4, &n), -1);
	rsp_cursor_init(&c, "zz;", 3);
	ck_assert_int_eq(rsp_get_hexbytes(&c, ';', dst, 4, &n), -1);
	ck_assert_uint_eq(rsp_cursor_left(&c), 3);
	rsp_cursor_init(&c, "a0", 2);
	ck_assert_int_eq(rsp_get_hexbytes(&c, ';', dst, 4, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert(rsp_cursor_eof(&c));
	ck_assert_int_eq(rsp_get_hexbytes(&c, ';', dst, 4, &n), 0);
	ck_assert_uint_eq(n, 0);
}
END_TEST

/* ------------------------------------------------------------ suite */

static void
add(Suite *s, const char *name, const TTest *t)
{
	ck_add(s, name, t, 60, NULL);
}

static Suite *
rsp_suite(void)
{
	Suite	*s = suite_create("rsp");

	add(s, "buffer appends, drains, resets when empty",
	    buf_append_drain_reset);
	add(s, "buffer grows geometrically", buf_grows_geometrically);
	add(s, "buffer compacts a dead prefix before growing",
	    buf_compacts_dead_prefix);
	add(s, "addf, addhex and reserve append", buf_addf_addhex_reserve);
	add(s, "addbin escapes # $ } * and nothing else",
	    buf_addbin_escapes_specials_only);
	add(s, "overflowing size fails with ENOMEM, contents intact",
	    buf_overflowing_size_fails_intact);
	add(s, "failed allocation fails with ENOMEM, contents intact",
	    buf_failed_allocation_fails_intact);
	add(s, "checksum is the byte sum modulo 256",
	    checksum_is_byte_sum_mod_256);
	add(s, "frame writes kind, payload, # and lower-case sum",
	    frame_writes_kind_payload_and_lowercase_sum);
	add(s, "frame round trips through decode",
	    frame_round_trips_through_decode);
	add(s, "good checksum in either case is a packet",
	    good_checksum_either_case);
	add(s, "bad checksum is BADSUM", bad_checksum_is_badsum);
	add(s, "non-hex checksum digit is BADSUM",
	    non_hex_checksum_is_badsum);
	add(s, "+ - 0x03 outside packets are events",
	    ack_nak_interrupt_outside_packets);
	add(s, "junk outside packets is skipped",
	    junk_outside_packets_skipped);
	add(s, "+ - 0x03 inside a packet are payload",
	    ack_nak_interrupt_inside_packet_are_payload);
	add(s, "decode stops after exactly one event",
	    decode_stops_after_one_event);
	add(s, "input ending mid-packet is all consumed",
	    input_ending_mid_packet_consumed);
	add(s, "split at every byte boundary gives the same events",
	    split_at_every_boundary_same_events);
	add(s, "$ inside a packet restarts it",
	    dollar_inside_packet_restarts);
	add(s, "% inside a packet is payload",
	    percent_inside_packet_is_payload);
	add(s, "% packet is a notification", notification_event);
	add(s, "each escaped special round trips",
	    escaped_specials_round_trip);
	add(s, "any escaped byte decodes as byte ^ 0x20",
	    any_escaped_byte_is_xor_0x20);
	add(s, "all 256 byte values round trip",
	    all_256_byte_values_round_trip);
	add(s, "run-length decodes (0* is 0000)", rle_decode_gdb_example);
	add(s, "runs of 1 to 300 round trip with RLE",
	    rle_runs_1_to_300_round_trip);
	add(s, "RLE never writes # or $ as a count",
	    rle_never_counts_hash_or_dollar);
	add(s, "RLE leaves escapes and specials alone",
	    rle_leaves_escapes_alone);
	add(s, "bad run-length is BADFORMAT", bad_rle_is_badformat);
	add(s, "escape or run at the end is BADFORMAT",
	    escape_or_run_at_end_is_badformat);
	add(s, "packet at a small limit is accepted, one byte past rejected",
	    packet_at_small_limit_accepted_one_past_rejected);
	add(s, "packet at RSP_MAX_PACKET is accepted, one byte past rejected",
	    packet_at_max_packet_accepted_one_past_rejected);
	add(s, "TOOLONG beats BADFORMAT beats BADSUM",
	    toolong_beats_badformat_beats_badsum);
	add(s, "failed payload allocation is TOOLONG",
	    failed_allocation_is_toolong);
	add(s, "no-ack mode skips the checksum but eats the trailer",
	    noack_skips_checksum_but_eats_trailer);
	add(s, "hexval of every byte", hexval_all_bytes);
	add(s, "tohex and fromhex round trip", tohex_fromhex_round_trip);
	add(s, "get_hex: 16 digits fit, 17 overflow",
	    get_hex_16_digits_fit_17_overflow);
	add(s, "get_shex: -1, INT64_MIN, INT64_MAX, one past",
	    get_shex_signed_range);
	add(s, "cursor skip, char and eof", cursor_skip_char_eof);
	add(s, "get_field up to the separator", get_field_up_to_separator);
	add(s, "hexbytes at cap accepted, one past rejected",
	    hexbytes_at_cap_and_one_past);
	return (s);
}

int
main(void)
{
	return (ck_run(rsp_suite()));
}
