/*
 * gdb_platform.h -- what the platform packet files share among
 * themselves (gdb_platform.c dispatches to gdb_procs.c).
 */
#ifndef DAEMON_GDB_PLATFORM_H
#define DAEMON_GDB_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

#include "rsp/rsp.h"

struct gsess;

/*
 * A hex string argument up to sep into buf, NUL-terminated, with no NUL
 * inside; -1 with errno ENAMETOOLONG (cap bytes or more) or EINVAL.
 */
int	 plat_hexstr(struct rsp_cursor *, char sep, char *buf, size_t cap);
/* The whole of f[0..len) as a decimal number at most max; -1 if not. */
int	 plat_dec(const char *f, size_t len, uint64_t max, uint64_t *v);

/* gdb_procs.c */
void	 plat_first_process(struct gsess *, struct rsp_cursor *);
void	 plat_next_process(struct gsess *);
void	 plat_process_pid(struct gsess *, struct rsp_cursor *);
void	 plat_id_name(struct gsess *, struct rsp_cursor *, bool user);

#endif /* DAEMON_GDB_PLATFORM_H */
