/*
 * elf.h -- what lldb asks of a module file on the host: its
 * architecture and its build id.
 */
#ifndef PLATFORM_ELF_H
#define PLATFORM_ELF_H

#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_PHDRS		256		/* program headers read */
#define ELF_MAX_NOTES		65536		/* bytes read of one PT_NOTE */
#define ELF_MAX_BUILD_ID	64		/* bytes of a build id */

struct elf_info {
	char		 ei_arch[16];		/* "x86_64", "i386", ... */
	uint8_t		 ei_build_id[ELF_MAX_BUILD_ID];
	size_t		 ei_build_id_len;	/* 0: none found */
	uint64_t	 ei_size;		/* bytes of the file */
};

/*
 * Read the ELF header and the notes of the file at path.  -1 with errno
 * on failure: ENOEXEC when it is no ELF file we read (not ELF, not
 * little-endian, more than ELF_MAX_PHDRS program headers).  A build id
 * longer than ELF_MAX_BUILD_ID, or past the first ELF_MAX_NOTES bytes of
 * its segment, is not found.
 */
int	 elf_read(const char *path, struct elf_info *);

#endif /* PLATFORM_ELF_H */
