/*
 * pty.h -- a pseudo-terminal for a launched program's stdio, the way
 * lldb-server gives one to the programs it starts.
 */
#ifndef PLATFORM_PTY_H
#define PLATFORM_PTY_H

#include <stddef.h>

/*
 * Open a pseudo-terminal's master, non-blocking and close-on-exec, and
 * write its slave's path into name.  The slave is not opened here: the
 * program opens it by name (O_NOCTTY, as lldb-server's launcher does
 * without setsid, so it is not the program's controlling terminal).
 * Returns the master, or -1 with errno (ENAMETOOLONG past cap).
 */
int	 pty_open(char *name, size_t cap);

#endif /* PLATFORM_PTY_H */
