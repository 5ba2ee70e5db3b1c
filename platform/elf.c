/*
 * elf.c -- the architecture and build id of an ELF file, read with
 * explicit bounds from its header and its PT_NOTE segments.
 */
#include <sys/stat.h>

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "platform/elf.h"

static const struct {
	uint16_t	 em;
	const char	*name32, *name64;
} elf_arches[] = {
	{ EM_386,	"i386",		"i386" },
	{ EM_X86_64,	"x86_64",	"x86_64" },
	{ EM_AARCH64,	"aarch64",	"aarch64" },
	{ EM_ARM,	"arm",		"arm" },
	{ EM_RISCV,	"riscv32",	"riscv64" },
	{ EM_PPC,	"powerpc",	"powerpc" },
	{ EM_PPC64,	"powerpc64le",	"powerpc64le" },
	{ EM_S390,	"s390",		"s390x" },
	{ EM_MIPS,	"mipsel",	"mips64el" },
};

static int
read_at(int fd, void *buf, size_t len, uint64_t off)
{
	ssize_t n;

	do
		n = pread(fd, buf, len, (off_t)off);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	if ((size_t)n != len) {
		errno = ENOEXEC;
		return -1;
	}
	return 0;
}

static size_t
align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* Look for NT_GNU_BUILD_ID in len bytes of notes. */
static void
find_build_id(const uint8_t *p, size_t len, size_t align,
    struct elf_info *ei)
{
	Elf64_Nhdr nh;		/* the same layout as Elf32_Nhdr */
	size_t off = 0, name, desc;

	while (len - off >= sizeof(nh)) {
		memcpy(&nh, p + off, sizeof(nh));
		off += sizeof(nh);
		name = align_up(nh.n_namesz, align);
		desc = align_up(nh.n_descsz, align);
		if (name > len - off || desc > len - off - name)
			return;
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
		    memcmp(p + off, "GNU", 4) == 0) {
			if (nh.n_descsz == 0 || nh.n_descsz > ELF_MAX_BUILD_ID)
				return;
			memcpy(ei->ei_build_id, p + off + name, nh.n_descsz);
			ei->ei_build_id_len = nh.n_descsz;
			return;
		}
		off += name + desc;
	}
}

/* The program headers, widened to Elf64_Phdr. */
static int
read_phdrs(int fd, const unsigned char *ident, uint64_t phoff,
    size_t phnum, Elf64_Phdr *ph)
{
	Elf32_Phdr p32;
	size_t i;

	for (i = 0; i < phnum; i++) {
		if (ident[EI_CLASS] == ELFCLASS64) {
			if (read_at(fd, &ph[i], sizeof(ph[i]),
			    phoff + i * sizeof(ph[i])) == -1)
				return -1;
			continue;
		}
		if (read_at(fd, &p32, sizeof(p32), phoff + i * sizeof(p32)) ==
		    -1)
			return -1;
		memset(&ph[i], 0, sizeof(ph[i]));
		ph[i].p_type = p32.p_type;
		ph[i].p_offset = p32.p_offset;
		ph[i].p_filesz = p32.p_filesz;
		ph[i].p_align = p32.p_align;
	}
	return 0;
}

static int
elf_notes(int fd, const unsigned char *ident, uint64_t phoff, size_t phnum,
    struct elf_info *ei)
{
	static Elf64_Phdr ph[ELF_MAX_PHDRS];
	static uint8_t notes[ELF_MAX_NOTES];
	size_t i, len;

	if (read_phdrs(fd, ident, phoff, phnum, ph) == -1)
		return -1;
	for (i = 0; i < phnum && ei->ei_build_id_len == 0; i++) {
		if (ph[i].p_type != PT_NOTE || ph[i].p_offset >= ei->ei_size)
			continue;
		len = ph[i].p_filesz < ELF_MAX_NOTES ? ph[i].p_filesz :
		    ELF_MAX_NOTES;
		if (len > ei->ei_size - ph[i].p_offset)
			len = ei->ei_size - ph[i].p_offset;
		if (read_at(fd, notes, len, ph[i].p_offset) == -1)
			return -1;
		find_build_id(notes, len, ph[i].p_align == 8 ? 8 : 4, ei);
	}
	return 0;
}

int
elf_read(const char *path, struct elf_info *ei)
{
	unsigned char ident[EI_NIDENT];
	Elf64_Ehdr e64;
	Elf32_Ehdr e32;
	struct stat st;
	uint64_t phoff;
	size_t phnum, i;
	uint16_t machine;
	int fd, rc = -1, e;

	memset(ei, 0, sizeof(*ei));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		return -1;
	if (fstat(fd, &st) == -1)
		goto out;
	if (!S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : ENOEXEC;
		goto out;
	}
	ei->ei_size = (uint64_t)st.st_size;
	if (read_at(fd, ident, sizeof(ident), 0) == -1)
		goto out;
	errno = ENOEXEC;
	if (memcmp(ident, ELFMAG, SELFMAG) != 0 ||
	    ident[EI_DATA] != ELFDATA2LSB ||
	    (ident[EI_CLASS] != ELFCLASS32 && ident[EI_CLASS] != ELFCLASS64))
		goto out;
	if (ident[EI_CLASS] == ELFCLASS64) {
		if (read_at(fd, &e64, sizeof(e64), 0) == -1)
			goto out;
		machine = e64.e_machine;
		phoff = e64.e_phoff;
		phnum = e64.e_phnum;
	} else {
		if (read_at(fd, &e32, sizeof(e32), 0) == -1)
			goto out;
		machine = e32.e_machine;
		phoff = e32.e_phoff;
		phnum = e32.e_phnum;
	}
	if (phnum > ELF_MAX_PHDRS) {
		errno = ENOEXEC;
		goto out;
	}
	strlcpy(ei->ei_arch, "unknown", sizeof(ei->ei_arch));
	for (i = 0; i < sizeof(elf_arches) / sizeof(elf_arches[0]); i++) {
		if (elf_arches[i].em == machine)
			strlcpy(ei->ei_arch, ident[EI_CLASS] == ELFCLASS64 ?
			    elf_arches[i].name64 : elf_arches[i].name32,
			    sizeof(ei->ei_arch));
	}
	if (elf_notes(fd, ident, phoff, phnum, ei) == -1)
		goto out;
	rc = 0;
out:
	e = errno;
	close(fd);
	errno = e;
	return rc;
}
