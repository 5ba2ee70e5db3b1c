/*
 * digest.c -- MD5 (RFC 1321) and CRC-32 over host files.
 *
 * Our own, small, so the daemon needs no crypto library for two
 * checksums lldb asks for.  Neither is used for security.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "platform/digest.h"

#define DIGEST_CHUNK	65536	/* bytes read at a time */

/* ------------------------------------------------------------ MD5 */

static const uint32_t md5_k[64] = {
	0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a,
	0xa8304613, 0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be,
	0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340,
	0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
	0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8,
	0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c,
	0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
	0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
	0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92,
	0xffeff47d, 0x85845dd1, 0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1,
	0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};

static const uint8_t md5_r[64] = {
	7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
	5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
	4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
	6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
};

static void
md5_block(struct md5 *m, const uint8_t *p)
{
	uint32_t w[16], a, b, c, d, f, t;
	int i, g;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[i * 4] | (uint32_t)p[i * 4 + 1] << 8 |
		    (uint32_t)p[i * 4 + 2] << 16 | (uint32_t)p[i * 4 + 3] << 24;
	a = m->m_state[0];
	b = m->m_state[1];
	c = m->m_state[2];
	d = m->m_state[3];
	for (i = 0; i < 64; i++) {
		if (i < 16) {
			f = (b & c) | (~b & d);
			g = i;
		} else if (i < 32) {
			f = (d & b) | (~d & c);
			g = (5 * i + 1) & 15;
		} else if (i < 48) {
			f = b ^ c ^ d;
			g = (3 * i + 5) & 15;
		} else {
			f = c ^ (b | ~d);
			g = (7 * i) & 15;
		}
		t = d;
		d = c;
		c = b;
		f += a + md5_k[i] + w[g];
		b += (f << md5_r[i]) | (f >> (32 - md5_r[i]));
		a = t;
	}
	m->m_state[0] += a;
	m->m_state[1] += b;
	m->m_state[2] += c;
	m->m_state[3] += d;
}

void
md5_init(struct md5 *m)
{
	m->m_state[0] = 0x67452301;
	m->m_state[1] = 0xefcdab89;
	m->m_state[2] = 0x98badcfe;
	m->m_state[3] = 0x10325476;
	m->m_bytes = 0;
}

void
md5_update(struct md5 *m, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t have = m->m_bytes % 64, n;

	m->m_bytes += len;
	while (len > 0) {
		n = 64 - have < len ? 64 - have : len;
		memcpy(m->m_block + have, p, n);
		have += n;
		p += n;
		len -= n;
		if (have == 64) {
			md5_block(m, m->m_block);
			have = 0;
		}
	}
}

void
md5_final(struct md5 *m, uint8_t out[16])
{
	uint64_t bits = m->m_bytes * 8;
	uint8_t pad[72] = { 0x80 };
	size_t have = m->m_bytes % 64, n = have < 56 ? 56 - have : 120 - have;
	int i;

	for (i = 0; i < 8; i++)
		pad[n + i] = (uint8_t)(bits >> (8 * i));
	md5_update(m, pad, n + 8);
	for (i = 0; i < 16; i++)
		out[i] = (uint8_t)(m->m_state[i / 4] >> (8 * (i % 4)));
}

/* ------------------------------------------------------------ CRC-32 */

uint32_t
crc32_update(uint32_t crc, const void *data, size_t len)
{
	static uint32_t table[256];
	const uint8_t *p = data;
	uint32_t c;
	int i, k;

	if (table[1] == 0) {
		for (i = 0; i < 256; i++) {
			for (c = (uint32_t)i, k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320 ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
	}
	crc = ~crc;
	while (len-- > 0)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* ------------------------------------------------------------ files */

/* Feed the file at path to fn, or -1 with errno. */
static int
digest_file(const char *path, void (*fn)(void *, const void *, size_t),
    void *arg)
{
	static char buf[DIGEST_CHUNK];
	struct stat st;
	uint64_t total = 0;
	ssize_t n;
	int fd, rc = -1, e;

	/* Non-blocking: a FIFO without a writer must not hang us. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) ==
	    -1)
		return -1;
	if (fstat(fd, &st) == -1)
		goto out;
	if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		goto out;
	}
	if ((uint64_t)st.st_size > DIGEST_MAX_FILE) {
		errno = EFBIG;
		goto out;
	}
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		/* /proc files say 0 bytes and may hold more. */
		if ((total += (uint64_t)n) > DIGEST_MAX_FILE) {
			errno = EFBIG;
			goto out;
		}
		fn(arg, buf, (size_t)n);
	}
	rc = 0;
out:
	e = errno;
	close(fd);
	errno = e;
	return rc;
}

static void
md5_fn(void *arg, const void *p, size_t n)
{
	md5_update(arg, p, n);
}

static void
crc_fn(void *arg, const void *p, size_t n)
{
	uint32_t *crc = arg;

	*crc = crc32_update(*crc, p, n);
}

int
digest_md5_file(const char *path, uint8_t out[16])
{
	struct md5 m;

	md5_init(&m);
	if (digest_file(path, md5_fn, &m) == -1)
		return -1;
	md5_final(&m, out);
	return 0;
}

int
digest_crc32_file(const char *path, uint32_t *crc)
{
	*crc = 0;
	return digest_file(path, crc_fn, crc);
}
