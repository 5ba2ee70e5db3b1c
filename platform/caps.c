/*
 * caps.c -- capabilities (see caps.h).
 */
#include <sys/capability.h>
#include <sys/prctl.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "platform/caps.h"

/* What the daemon uses, and why. */
static const cap_value_t caps_keep[] = {
	CAP_SYS_PTRACE,		/* attach to other users' processes */
	CAP_KILL,		/* signal them: interrupt, kill, SIGCONT */
	CAP_DAC_OVERRIDE,	/* vFile and qPlatform_* on others' files */
	CAP_DAC_READ_SEARCH,
	CAP_FOWNER,		/* qPlatform_chmod */
	CAP_SETPCAP,		/* empty the workers' bounding sets */
};
#define CAPS_NKEEP	(sizeof(caps_keep) / sizeof(caps_keep[0]))

static int
kept(cap_value_t v)
{
	size_t i;

	for (i = 0; i < CAPS_NKEEP; i++) {
		if (caps_keep[i] == v)
			return 1;
	}
	return 0;
}

int
caps_can_trace_others(void)
{
	cap_flag_value_t v = CAP_CLEAR;
	cap_t c;

	if ((c = cap_get_proc()) == NULL)
		return 0;
	cap_get_flag(c, CAP_SYS_PTRACE, CAP_EFFECTIVE, &v);
	cap_free(c);
	return v == CAP_SET;
}

int
caps_limit(char *names, size_t len)
{
	cap_flag_value_t v;
	cap_value_t i;
	cap_t c;
	char *n;
	int rc = 0;

	/* The bounding set first: dropping needs CAP_SETPCAP, kept. */
	for (i = 0; i <= cap_max_bits() - 1; i++) {
		if (!kept(i) && CAP_IS_SUPPORTED(i) && cap_get_bound(i) == 1 &&
		    cap_drop_bound(i) == -1 && errno != EPERM)
			rc = -1;
	}
	cap_reset_ambient();
	if ((c = cap_get_proc()) == NULL)
		return -1;
	for (i = 0; i <= cap_max_bits() - 1; i++) {
		if (kept(i))
			continue;
		cap_set_flag(c, CAP_EFFECTIVE, 1, &i, CAP_CLEAR);
		cap_set_flag(c, CAP_PERMITTED, 1, &i, CAP_CLEAR);
	}
	cap_clear_flag(c, CAP_INHERITABLE);
	if (cap_set_proc(c) == -1)
		rc = -1;
	names[0] = '\0';
	for (i = 0; i < (cap_value_t)CAPS_NKEEP; i++) {
		v = CAP_CLEAR;
		cap_get_flag(c, caps_keep[i], CAP_EFFECTIVE, &v);
		if (v != CAP_SET || (n = cap_to_name(caps_keep[i])) == NULL)
			continue;
		if (names[0] != '\0')
			strlcat(names, ",", len);
		strlcat(names, n, len);
		cap_free(n);
	}
	if (names[0] == '\0')
		strlcpy(names, "none", len);
	cap_free(c);
	return rc;
}

int
caps_clear_inherited(void)
{
	cap_t c;
	int rc = 0;

	if (cap_reset_ambient() == -1 && errno != EINVAL)
		rc = -1;
	if ((c = cap_get_proc()) == NULL)
		return -1;
	cap_clear_flag(c, CAP_INHERITABLE);
	if (cap_set_proc(c) == -1)
		rc = -1;
	cap_free(c);
	return rc;
}

int
caps_clear_bounding(void)
{
	cap_value_t i;
	cap_t c;
	int rc = 0;

	cap_reset_ambient();
	for (i = 0; i <= cap_max_bits() - 1; i++) {
		if (CAP_IS_SUPPORTED(i) && cap_get_bound(i) == 1 &&
		    cap_drop_bound(i) == -1)
			rc = -1;
	}
	if ((c = cap_get_proc()) == NULL)
		return -1;
	cap_clear_flag(c, CAP_INHERITABLE);
	/* CAP_SETPCAP was for the line above; the worker needs it no more. */
	i = CAP_SETPCAP;
	cap_set_flag(c, CAP_EFFECTIVE, 1, &i, CAP_CLEAR);
	cap_set_flag(c, CAP_PERMITTED, 1, &i, CAP_CLEAR);
	if (cap_set_proc(c) == -1)
		rc = -1;
	cap_free(c);
	return rc;
}
