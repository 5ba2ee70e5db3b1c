/*
 * tgtlog.h -- the session's log of what the target did on its own.
 */
#ifndef DAEMON_TGTLOG_H
#define DAEMON_TGTLOG_H

#include "platform/target.h"

/* The g_note hook of a session's target: one log line per fact. */
void	tgtlog_note(void *, const struct tgt_note *);
/* The fatal() hook: each debuggee's fate, breakpoints out of attached ones. */
void	tgtlog_last_words(void);

#endif /* DAEMON_TGTLOG_H */
