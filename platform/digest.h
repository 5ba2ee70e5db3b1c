/*
 * digest.h -- MD5 and CRC-32 of host files, for the platform packets
 * (vFile:MD5, and a module's UUID when it has no build id).
 */
#ifndef PLATFORM_DIGEST_H
#define PLATFORM_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#define DIGEST_MAX_FILE		(256u << 20)	/* bytes hashed of one file */

struct md5 {
	uint32_t	 m_state[4];
	uint64_t	 m_bytes;
	uint8_t		 m_block[64];
};

void	 md5_init(struct md5 *);
void	 md5_update(struct md5 *, const void *, size_t);
void	 md5_final(struct md5 *, uint8_t out[16]);

/* CRC-32 (IEEE, as zlib and .gnu_debuglink): crc32_update(0, ...) first. */
uint32_t crc32_update(uint32_t crc, const void *, size_t);

/*
 * The MD5 (out, 16 bytes) or CRC-32 (*crc) of the file at path; -1 with
 * errno, EFBIG when it is larger than DIGEST_MAX_FILE.
 */
int	 digest_md5_file(const char *path, uint8_t out[16]);
int	 digest_crc32_file(const char *path, uint32_t *crc);

#endif /* PLATFORM_DIGEST_H */
