/*
 * util.c -- clocks, medians, symbols and /proc for the benchmark.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/bench.h"

#define UTIL_MAX_LINE	512	/* bytes of an nm or status line */

double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* CPU time this process has used, user and system. */
double
cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of the values that are not NAN; NAN if there are none. */
double
median(const double *v, size_t n)
{
	double *s, m;
	size_t i, k;

	if ((s = calloc(n + 1, sizeof(*s))) == NULL)
		return NAN;
	for (i = k = 0; i < n; i++) {
		if (!isnan(v[i]))
			s[k++] = v[i];
	}
	if (k == 0)
		m = NAN;
	else {
		qsort(s, k, sizeof(*s), cmp_double);
		m = k % 2 ? s[k / 2] : (s[k / 2 - 1] + s[k / 2]) / 2;
	}
	free(s);
	return m;
}

/* The value of a global symbol, by nm; the programs are not PIE. */
int
symbol_addr(const char *prog, const char *sym, uint64_t *addr)
{
	char cmd[UTIL_MAX_LINE], line[UTIL_MAX_LINE], name[UTIL_MAX_LINE];
	char type;
	FILE *fp;
	int rv = -1;

	if ((size_t)snprintf(cmd, sizeof(cmd), "nm -P '%s'", prog) >=
	    sizeof(cmd) || (fp = popen(cmd, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "%511s %c %" SCNx64, name, &type, addr) == 3 &&
		    strcmp(name, sym) == 0) {
			rv = 0;
			break;
		}
	}
	pclose(fp);
	if (rv == -1)
		errno = ENOENT;
	return rv;
}

/* A "Field:   N kB" line of /proc/PID/status, or -1. */
long
proc_status_kib(pid_t pid, const char *field)
{
	char path[64], line[UTIL_MAX_LINE];
	size_t flen = strlen(field);
	long v = -1;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (strncmp(line, field, flen) == 0 && line[flen] == ':') {
			v = strtol(line + flen + 1, NULL, 10);
			break;
		}
	}
	fclose(fp);
	return v;
}
