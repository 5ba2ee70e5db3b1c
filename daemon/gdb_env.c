/*
 * gdb_env.c -- the environment a launched program gets: the server's
 * own, changed by QEnvironmentHexEncoded, QEnvironmentUnset and
 * QEnvironmentReset.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/gdb.h"
#include "daemon/log.h"

extern char **environ;

void
gdb_env_free(struct gsess *s)
{
	size_t i;

	for (i = 0; i < s->s_nenv; i++)
		free(s->s_env[i]);
	free(s->s_env);
	s->s_env = NULL;
	s->s_nenv = 0;
}

void
gdb_env_init(struct gsess *s)
{
	size_t i, n;

	for (n = 0; environ[n] != NULL && n < GDB_MAX_ENV; n++)
		;
	/* Room to grow by half; a session per child makes this add up. */
	s->s_envcap = n + n / 2 + 8;
	if (s->s_envcap > GDB_MAX_ENV)
		s->s_envcap = GDB_MAX_ENV;
	s->s_env = xcalloc(s->s_envcap + 1, sizeof(*s->s_env));
	for (i = 0; i < n; i++)
		s->s_env[i] = xstrdup(environ[i]);
	s->s_nenv = n;
}

void
gdb_env_reset(struct gsess *s)
{
	gdb_env_free(s);
	gdb_env_init(s);
}

static ssize_t
env_find(struct gsess *s, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < s->s_nenv; i++) {
		if (strncmp(s->s_env[i], name, len) == 0 &&
		    s->s_env[i][len] == '=')
			return (ssize_t)i;
	}
	return -1;
}

int
gdb_env_set(struct gsess *s, const char *entry, size_t len)
{
	const char *eq = memchr(entry, '=', len);
	ssize_t i;

	if (eq == NULL || eq == entry) {
		errno = EINVAL;
		return -1;
	}
	if ((i = env_find(s, entry, eq - entry)) >= 0) {
		free(s->s_env[i]);
		s->s_env[i] = xstrdup(entry);
		return 0;
	}
	if (s->s_nenv == GDB_MAX_ENV) {
		errno = E2BIG;
		return -1;
	}
	if (s->s_nenv == s->s_envcap) {
		s->s_envcap = s->s_envcap * 2 > GDB_MAX_ENV ? GDB_MAX_ENV :
		    s->s_envcap * 2;
		s->s_env = xreallocarray(s->s_env, s->s_envcap + 1,
		    sizeof(*s->s_env));
	}
	s->s_env[s->s_nenv++] = xstrdup(entry);
	s->s_env[s->s_nenv] = NULL;
	return 0;
}

int
gdb_env_unset(struct gsess *s, const char *name, size_t len)
{
	ssize_t i;

	if (len == 0) {
		errno = EINVAL;
		return -1;
	}
	if ((i = env_find(s, name, len)) < 0)
		return 0;
	free(s->s_env[i]);
	s->s_env[i] = s->s_env[--s->s_nenv];
	s->s_env[s->s_nenv] = NULL;
	return 0;
}
