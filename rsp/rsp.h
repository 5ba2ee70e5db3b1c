/*
 * rsp.h -- the GDB remote serial protocol codec.
 *
 * Shared by the server, the client library and the tests.  Nothing here
 * logs, exits, or touches a descriptor: bytes in, events and bytes out.
 * Every size a peer can name is bounded by a constant below; a peer that
 * names more gets an error event, never an allocation of its choosing.
 */
#ifndef RSP_RSP_H
#define RSP_RSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Largest packet payload we accept or send, in bytes, counted after
 * unescaping and run-length expansion.  Advertised to the client as
 * PacketSize.  Large, because memory reads are bounded by it.
 */
#define RSP_MAX_PACKET		0x20000	/* bytes */

/* Largest run one run-length pair may stand for: '~' - 29 repeats. */
#define RSP_MAX_RUN		97	/* repeats of the previous byte */

/* The byte a client sends to interrupt a running target. */
#define RSP_INTERRUPT		0x03

/* A growable byte buffer with a read offset, for output queues. */
struct rsp_buf {
	char	*b_data;
	size_t	 b_off;		/* first unread byte */
	size_t	 b_len;		/* end of data */
	size_t	 b_cap;
};

void	 rsp_buf_init(struct rsp_buf *);
void	 rsp_buf_free(struct rsp_buf *);
/* Bytes waiting to be read. */
size_t	 rsp_buf_used(const struct rsp_buf *);
const char *rsp_buf_head(const struct rsp_buf *);
/* Mark n bytes read; the buffer resets when empty. */
void	 rsp_buf_drain(struct rsp_buf *, size_t);
/* Append; these return -1 (errno ENOMEM) if the buffer cannot grow. */
int	 rsp_buf_add(struct rsp_buf *, const void *, size_t);
int	 rsp_buf_addc(struct rsp_buf *, char);
int	 rsp_buf_addf(struct rsp_buf *, const char *, ...)
	     __attribute__((format(printf, 2, 3)));
/* Append n bytes as 2n lower-case hex digits. */
int	 rsp_buf_addhex(struct rsp_buf *, const void *, size_t);
/* Append bytes escaped for a binary payload ('}' then byte ^ 0x20). */
int	 rsp_buf_addbin(struct rsp_buf *, const void *, size_t);
/* Reserve n bytes at the end and return them, or NULL. */
char	*rsp_buf_reserve(struct rsp_buf *, size_t);
void	 rsp_buf_reset(struct rsp_buf *);

/* What the decoder found in the byte stream. */
enum rsp_event {
	RSP_EV_NONE = 0,	/* all input consumed, nothing complete yet */
	RSP_EV_ACK,		/* '+' */
	RSP_EV_NAK,		/* '-' */
	RSP_EV_INTERRUPT,	/* 0x03 outside a packet */
	RSP_EV_PACKET,		/* $...#xx with a good checksum */
	RSP_EV_NOTIFY,		/* %...#xx with a good checksum */
	RSP_EV_BADSUM,		/* a packet whose checksum did not match */
	RSP_EV_TOOLONG,		/* a packet past the decoder's limit; dropped */
	RSP_EV_BADFORMAT,	/* bad escape or run-length; packet dropped */
};

struct rsp_decoder {
	int	 d_state;
	int	 d_kind;	/* '$' or '%' */
	uint8_t	 d_sum;		/* running checksum of the raw bytes */
	uint8_t	 d_want;	/* checksum read from the trailer */
	bool	 d_bad;		/* set when the packet is to be dropped */
	enum rsp_event d_badev;
	char	*d_buf;		/* decoded payload, NUL-terminated */
	size_t	 d_len;
	size_t	 d_cap;
	size_t	 d_max;		/* limit on d_len */
	bool	 d_noack;	/* checksums not verified (QStartNoAckMode) */
};

/* max is the payload limit; 0 means RSP_MAX_PACKET. */
void	 rsp_decoder_init(struct rsp_decoder *, size_t max);
void	 rsp_decoder_free(struct rsp_decoder *);
void	 rsp_decoder_noack(struct rsp_decoder *, bool);

/*
 * Consume bytes from in[0..len) until one event is complete.  Sets *used
 * to the bytes consumed and returns the event (RSP_EV_NONE when the input
 * ran out first).  For RSP_EV_PACKET and RSP_EV_NOTIFY, *payload and *plen
 * give the payload: escapes removed, runs expanded, NUL-terminated, valid
 * until the next call.  Bytes outside a packet other than '+', '-', 0x03
 * are skipped.
 */
enum rsp_event rsp_decode(struct rsp_decoder *, const char *in, size_t len,
	    size_t *used, const char **payload, size_t *plen);

/*
 * Frame payload as "$payload#cs" (kind '$') or "%payload#cs" (kind '%')
 * onto out.  The payload must already be escaped where it holds binary
 * data (rsp_buf_addbin).  With rle, runs of the same byte are encoded as
 * "X*n", never across an escape and never producing '#' or '$'.
 * Returns -1 (ENOMEM) on failure, with out unchanged.
 */
int	 rsp_frame(struct rsp_buf *out, int kind, const char *payload,
	    size_t len, bool rle);

/* Checksum: sum of bytes modulo 256. */
uint8_t	 rsp_checksum(const void *, size_t);

/* Hex. */
int	 rsp_hexval(int c);		/* -1 if not a hex digit */
void	 rsp_tohex(char *dst, const void *src, size_t n);	/* 2n chars */
/* Decode exactly 2n hex digits into n bytes; -1 on a non-hex digit. */
int	 rsp_fromhex(void *dst, const char *src, size_t n);

/*
 * Field parsing over a bounded cursor.  Each function consumes what it
 * parsed and returns 0, or returns -1 and leaves the cursor alone.
 */
struct rsp_cursor {
	const char *c_p;
	const char *c_end;
};

void	 rsp_cursor_init(struct rsp_cursor *, const char *, size_t);
size_t	 rsp_cursor_left(const struct rsp_cursor *);
bool	 rsp_cursor_eof(const struct rsp_cursor *);
/* Consume s if the cursor starts with it. */
bool	 rsp_cursor_skip(struct rsp_cursor *, const char *s);
/* One to 16 hex digits into *v; -1 on none or on overflow. */
int	 rsp_get_hex(struct rsp_cursor *, uint64_t *v);
/* As rsp_get_hex but a leading '-' negates ("-1" = all threads). */
int	 rsp_get_shex(struct rsp_cursor *, int64_t *v);
/* Exactly one character c. */
int	 rsp_get_char(struct rsp_cursor *, char c);
/* The bytes up to (not including) sep or the end; consumes sep if found. */
int	 rsp_get_field(struct rsp_cursor *, char sep, const char **f,
	    size_t *flen);
/* 2n hex digits up to sep or end, decoded into dst (max cap bytes). */
int	 rsp_get_hexbytes(struct rsp_cursor *, char sep, void *dst,
	    size_t cap, size_t *n);

#endif /* RSP_RSP_H */
