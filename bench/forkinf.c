/*
 * forkinf.c -- what bench/forkloop and bench/comptree share (forkinf.h).
 */
#include <sys/mman.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "forkinf.h"

/* CLOCK_MONOTONIC in ns: the benchmark's now_us() clock. */
uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * The slots of FILE (made by the benchmark, at least (forks + 1) * 8
 * bytes), mapped shared; NULL if file is NULL; exit 1 on failure.
 */
volatile uint64_t *
map_times(const char *file, long forks)
{
	size_t len = (size_t)(forks + 1) * sizeof(uint64_t);
	void *p;
	int fd;

	if (file == NULL)
		return NULL;
	if ((fd = open(file, O_RDWR)) == -1 ||
	    (p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
	    0)) == MAP_FAILED) {
		perror(file);
		exit(1);
	}
	close(fd);
	return p;
}

/* Wait for pid; -1 if that fails or it did not exit 0. */
int
reap(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return -1;
	return 0;
}

/* Wait for every child; -1 if one did not exit 0. */
int
reap_all(void)
{
	int status, bad = 0;

	while (wait(&status) > 0) {
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			bad = 1;
	}
	return bad ? -1 : 0;
}
