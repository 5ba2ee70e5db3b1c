/*
 * log.h -- logging in the OpenBSD daemon shape.
 *
 * Levels: 0 warnings and info, 1 debug (decisions), 2 packets (every
 * packet in and out).  Messages go to stderr or to a log file; the
 * process name set by log_procinit prefixes each line.
 */
#ifndef DAEMON_LOG_H
#define DAEMON_LOG_H

#include <stdarg.h>
#include <stddef.h>

#define LOG_LEVEL_INFO		0
#define LOG_LEVEL_DEBUG		1
#define LOG_LEVEL_PACKET	2

#define LOG_MAX_LINE		8192	/* bytes of a line, its newline in */

extern int log_level;

void	log_init(int level, const char *file);
/* The log file's descriptor, or -1 on stderr (kept across a fork). */
int	log_fd(void);
void	log_procinit(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug_(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_packet(const char *who, const char *dir, const char *, size_t);
/*
 * Called once by fatal() and fatalx() before the process exits, to put
 * right what its death would leave wrong (tgtlog_last_words).
 */
void	log_set_fatal_hook(void (*)(void));
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/* Debug messages cost nothing unless debug logging is on. */
#define log_debug(...) do {						\
	if (log_level >= LOG_LEVEL_DEBUG)				\
		log_debug_(__VA_ARGS__);				\
} while (0)

/* The _f forms prefix the calling function's name (OpenSSH). */
#define log_warn_f(fmt, ...)	log_warn("%s: " fmt, __func__, ##__VA_ARGS__)
#define log_warnx_f(fmt, ...)	log_warnx("%s: " fmt, __func__, ##__VA_ARGS__)
#define log_debug_f(fmt, ...)	log_debug("%s: " fmt, __func__, ##__VA_ARGS__)
#define fatal_f(fmt, ...)	fatal("%s: " fmt, __func__, ##__VA_ARGS__)
#define fatalx_f(fmt, ...)	fatalx("%s: " fmt, __func__, ##__VA_ARGS__)

/* Allocation that cannot fail: every size is bounded before we get here. */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
int	 xasprintf(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

#endif /* DAEMON_LOG_H */
