/*
 * faultmalloc.c -- an LD_PRELOAD shim for the fault tests
 * (tests/integration/faults.sh): while the file FAULT_MALLOC_FILE names
 * exists, empty or holding this process's pid (in decimal), every
 * malloc, calloc and realloc fails with ENOMEM; otherwise they are
 * glibc's.  So one process of a server and its forked workers can be
 * starved alone.  The test builds it itself:
 *
 *   cc -shared -fPIC -o faultmalloc.so faultmalloc.c
 *
 * The constructor drops LD_PRELOAD and FAULT_MALLOC_FILE from the
 * environment, so the programs the server starts run without the shim.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

static char trigger[PATH_MAX];

__attribute__((constructor)) static void
faultmalloc_init(void)
{
	const char *f = getenv("FAULT_MALLOC_FILE");

	if (f != NULL && strlen(f) < sizeof(trigger))
		strcpy(trigger, f);
	unsetenv("FAULT_MALLOC_FILE");
	unsetenv("LD_PRELOAD");
}

/* No stdio here: it allocates. */
static int
failing(void)
{
	char buf[32], me[32];
	ssize_t n;
	int fd, e = errno;

	if (trigger[0] == '\0' ||
	    (fd = open(trigger, O_RDONLY | O_CLOEXEC)) == -1) {
		errno = e;
		return 0;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0) {
		buf[n] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		snprintf(me, sizeof(me), "%d", (int)getpid());
		if (strcmp(buf, me) != 0) {
			errno = e;
			return 0;
		}
	}
	errno = ENOMEM;
	return 1;
}

void *
malloc(size_t n)
{
	return failing() ? NULL : __libc_malloc(n);
}

void *
calloc(size_t n, size_t size)
{
	return failing() ? NULL : __libc_calloc(n, size);
}

void *
realloc(void *p, size_t n)
{
	return failing() ? NULL : __libc_realloc(p, n);
}
