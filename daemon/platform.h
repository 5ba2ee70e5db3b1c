/*
 * platform.h -- the limits of handoffd platform, for its tests.
 */
#ifndef DAEMON_PLATFORM_H
#define DAEMON_PLATFORM_H

#define PLATFORM_MAX_CONNS	128	/* connections not yet bound */
#define PLATFORM_MAX_WORKERS	256	/* sessions at once, by default */
#define PLATFORM_LIMIT_WORKERS	4096	/* the most --max-sessions takes */
#define PLATFORM_HELLO_MS	10000	/* for a first packet, by default */
#define PLATFORM_MAX_HELLO_MS	3600000	/* the most --hello-timeout takes */

#endif /* DAEMON_PLATFORM_H */
