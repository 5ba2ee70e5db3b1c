/*
 * fz.h -- what the libFuzzer harnesses share: reading an input a byte at
 * a time, their checks, and counting descriptors.  A harness defines
 * fz_fail(), which reports and aborts, before it includes this.
 */
#ifndef TESTS_FUZZ_FZ_H
#define TESTS_FUZZ_FZ_H

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

static void	fz_fail(const char *what, int line) __attribute__((noreturn));

#define FZ_CHECK(cond) do {					\
	if (!(cond))						\
		fz_fail(#cond, __LINE__);			\
} while (0)

struct fz_input {
	const uint8_t	*in_p;
	size_t		 in_left;
};

/* The next byte, 0 once the input is used up. */
static inline uint8_t
fz_byte(struct fz_input *in)
{
	if (in->in_left == 0)
		return 0;
	in->in_left--;
	return *in->in_p++;
}

/* Open descriptors, d's own included (/proc/self/fd, kept open). */
static inline int
fz_count_fds(DIR *d)
{
	struct dirent *de;
	int n = 0;

	rewinddir(d);
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	return n;
}

/* close(2) of a descriptor that must be open. */
static inline void
fz_close(int fd)
{
	FZ_CHECK(close(fd) == 0);
}

#endif /* TESTS_FUZZ_FZ_H */
