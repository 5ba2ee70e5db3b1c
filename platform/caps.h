/*
 * caps.h -- capabilities (libcap): what the daemon may do, kept to what
 * it uses.
 *
 * The daemon keeps CAP_SYS_PTRACE (tracing other users' processes), the
 * capabilities its file packets and signals need, and CAP_SETPCAP to hand
 * its workers an empty bounding set: the programs a worker starts get no
 * capabilities whatever their uid.  Everything else is dropped from every
 * set, the bounding set included, at start.
 */
#ifndef PLATFORM_CAPS_H
#define PLATFORM_CAPS_H

#include <stddef.h>

/* 1 if this process may trace other users' processes, else 0. */
int	caps_can_trace_others(void);
/*
 * Keep only the daemon's capabilities in every set; kept gets their
 * names ("cap_sys_ptrace,cap_kill..." or "none").  -1 with errno when
 * the sets could not be changed.
 */
int	caps_limit(char *kept, size_t keptlen);
/*
 * Empty the inheritable and ambient sets, so that no program this process
 * starts gets a capability from how it was started (gdbserver keeps the
 * rest: a program that root starts is root's).  -1 with errno.
 */
int	caps_clear_inherited(void);
/* Empty the bounding set and the inheritable and ambient sets. */
int	caps_clear_bounding(void);

#endif /* PLATFORM_CAPS_H */
