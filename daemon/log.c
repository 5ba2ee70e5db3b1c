/*
 * log.c -- logging and allocation wrappers.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/log.h"

#define LOG_MAX_PACKET_SHOWN	512	/* bytes of a packet shown in the log */

int		 log_level;
static FILE	*log_fp;
static char	 log_proc[64] = "handoffd";

void
log_init(int level, const char *file)
{
	log_level = level;
	if (log_fp != NULL && log_fp != stderr)
		fclose(log_fp);
	log_fp = stderr;
	if (file != NULL && (log_fp = fopen(file, "ae")) == NULL) {
		log_fp = stderr;
		log_warn("%s", file);
		return;
	}
	setvbuf(log_fp, NULL, _IOLBF, 0);
}

int
log_fd(void)
{
	return log_fp != NULL && log_fp != stderr ? fileno(log_fp) : -1;
}

void
log_procinit(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(log_proc, sizeof(log_proc), fmt, ap);
	va_end(ap);
}

static void
log_vwrite(const char *level, const char *fmt, va_list ap, int errnum)
{
	FILE *fp = log_fp != NULL ? log_fp : stderr;
	struct timespec ts;
	struct tm tm;
	char when[32], line[LOG_MAX_LINE];
	size_t n;
	int saved = errno;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	/*
	 * The line is made whole, then written once: stderr is unbuffered,
	 * and a write per piece cost the fork handoff path a dozen calls.
	 */
	n = snprintf(line, sizeof(line), "%s.%03ld %s[%d] %s: ", when,
	    ts.tv_nsec / 1000000, log_proc, (int)getpid(), level);
	if (n < sizeof(line))
		n += vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (errnum != 0 && n < sizeof(line))
		n += snprintf(line + n, sizeof(line) - n, ": %s",
		    strerror(errnum));
	if (n >= sizeof(line) - 1)
		n = sizeof(line) - 2;	/* cut: the newline still ends it */
	line[n++] = '\n';
	line[n] = '\0';
	fputs(line, fp);
	errno = saved;
}

#define LOG_FN(name, level, useerrno)					\
void									\
name(const char *fmt, ...)						\
{									\
	va_list ap;							\
	int e = useerrno ? errno : 0;					\
									\
	va_start(ap, fmt);						\
	log_vwrite(level, fmt, ap, e);					\
	va_end(ap);							\
}

LOG_FN(log_warn, "warning", 1)
LOG_FN(log_warnx, "warning", 0)
LOG_FN(log_info, "info", 0)
LOG_FN(log_debug_, "debug", 0)

static void	(*fatal_hook)(void);

void
log_set_fatal_hook(void (*hook)(void))
{
	fatal_hook = hook;
}

/* The hook once, even if it ends in fatal() itself. */
static void __attribute__((noreturn))
fatal_exit(void)
{
	void (*hook)(void) = fatal_hook;

	fatal_hook = NULL;
	if (hook != NULL)
		hook();
	exit(1);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	log_vwrite("fatal", fmt, ap, e);
	va_end(ap);
	fatal_exit();
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite("fatal", fmt, ap, 0);
	va_end(ap);
	fatal_exit();
}

/* One packet, with unprintable bytes escaped, cut at a bound. */
void
log_packet(const char *who, const char *dir, const char *p, size_t len)
{
	char out[LOG_MAX_PACKET_SHOWN * 4 + 1];
	size_t i, o = 0;

	if (log_level < LOG_LEVEL_PACKET)
		return;
	for (i = 0; i < len && i < LOG_MAX_PACKET_SHOWN; i++) {
		unsigned char c = p[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			out[o++] = c;
		else
			o += snprintf(out + o, sizeof(out) - o, "\\x%02x", c);
	}
	out[o] = '\0';
	log_debug_("%s %s %s%s (%zu bytes)", who, dir, out,
	    len > LOG_MAX_PACKET_SHOWN ? "..." : "", len);
}

void *
xmalloc(size_t n)
{
	void *p;

	if ((p = malloc(n == 0 ? 1 : n)) == NULL)
		fatal("malloc %zu", n);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p;

	if ((p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size)) == NULL)
		fatal("calloc %zu x %zu", n, size);
	return p;
}

void *
xreallocarray(void *old, size_t n, size_t size)
{
	void *p;

	if ((p = reallocarray(old, n == 0 ? 1 : n, size == 0 ? 1 : size)) == NULL)
		fatal("reallocarray %zu x %zu", n, size);
	return p;
}

char *
xstrdup(const char *s)
{
	char *p;

	if ((p = strdup(s)) == NULL)
		fatal("strdup");
	return p;
}

int
xasprintf(char **ret, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(ret, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("vasprintf");
	return n;
}
