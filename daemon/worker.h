/*
 * worker.h -- session workers of the platform daemon.
 *
 * A worker is forked by the daemon when one of its connections launches
 * or attaches.  The child inherits the session's state (what the client
 * negotiated, its environment and launch settings) in its memory image;
 * the connection's descriptor travels over a SOCK_SEQPACKET socketpair
 * with SCM_RIGHTS, the same channel that later carries claims of held
 * children.  From then on the worker is the only ptracer of its process
 * tree and the daemon is off the connection's data path.
 *
 * Over the channel the worker tells the daemon which processes it holds,
 * so that the daemon can route claims, kill on qKillSpawnedProcess, and
 * leave nothing stopped when the worker dies.
 */
#ifndef DAEMON_WORKER_H
#define DAEMON_WORKER_H

#include <sys/types.h>

#include <stdbool.h>
#include <stdint.h>

#define WORKER_MAX_PROCS	64	/* debuggees a worker reports */

/* Worker to daemon, one per SEQPACKET message. */
struct worker_msg {
	char		 wm_kind;	/* WM_HOLD or WM_GONE */
	uint8_t		 wm_attached;	/* WM_HOLD: attached, not launched */
	int32_t		 wm_pid;
};
#define WM_HOLD		'+'		/* wm_pid is ours now */
#define WM_GONE		'-'		/* wm_pid is no longer ours */

struct conn;
struct gsess;

/*
 * Fork a worker for the session s, whose connection c has paused on the
 * launch or attach packet pkt (len bytes).  In the daemon: returns the
 * worker's pid and its end of the channel in *ctl; c has been handed
 * over (abandoned here) and s may be freed.  -1 with errno if nothing
 * was forked.  The worker never returns.
 */
pid_t	 worker_spawn(struct gsess *s, struct conn *c, const char *pkt,
	    size_t len, int *ctl);

#endif /* DAEMON_WORKER_H */
