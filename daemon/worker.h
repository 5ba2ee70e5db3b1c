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

#define WORKER_MAX_PROCS	1024	/* debuggees a worker reports */
#define WORKER_MAX_CLAIM	512	/* bytes of a packet a claim replays */

/* Worker to daemon, one per SEQPACKET message. */
struct worker_msg {
	char		 wm_kind;	/* WM_* */
	uint8_t		 wm_attached;	/* attached, not launched (its tree) */
	char		 wm_child;	/* WM_CHILD: 'f'ork, 'v'fork, 'e'xec */
	int32_t		 wm_pid;
	int32_t		 wm_ppid;	/* WM_CHILD */
	uint64_t	 wm_start;	/* WM_HOLD, WM_CHILD: procfs_start_time,
					   0 if unknown; the daemon signals
					   wm_pid only while it matches */
};
#define WM_HOLD		'+'		/* wm_pid is ours now */
#define WM_GONE		'-'		/* wm_pid is no longer ours */
#define WM_CHILD	'c'		/* wm_pid is a child held, unclaimed */
#define WM_CHILD_GONE	'x'		/* no longer */

/*
 * Daemon to worker: a connection (the descriptor rides along) that
 * claims a child the worker holds, or watches its tree.  The session
 * state the daemon negotiated with it comes along; the worker replays
 * the packet.
 */
struct worker_claim {
	char		 wc_kind;	/* WC_CLAIM */
	uint8_t		 wc_noack, wc_norle, wc_lldb, wc_multiprocess;
	uint8_t		 wc_extended, wc_err_strings, wc_fork_handoff;
	uint8_t		 wc_swbreak, wc_hwbreak, wc_thread_suffix;
	uint8_t		 wc_list_threads;
	uint32_t	 wc_len;
	char		 wc_name[64];
	char		 wc_pkt[WORKER_MAX_CLAIM];
};
#define WC_CLAIM	'C'

/*
 * The worker's breakpoint ledger, shared memory the daemon maps before
 * the fork: each breakpoint byte the worker has in an attached process.
 * A worker that dies (SIGKILL) cannot take them out; the kernel detaches
 * the process and lets it run into them.  The daemon reads the ledger of
 * a worker that died and puts the bytes back.  Written by the worker
 * alone, read by the daemon only once the worker is dead.  Hardware
 * breakpoints and watchpoints outlive the worker too (the kernel's detach
 * leaves the debug registers set): the ledger names each attached process
 * that has one, and the daemon clears its debug registers.
 */
#define WORKER_MAX_BPS		4096	/* breakpoints a ledger holds */
#define WORKER_BP_INSN		0xcc	/* int3, what a breakpoint writes */
struct worker_bp {
	int32_t		 wb_pid;	/* 0: a free entry */
	uint8_t		 wb_saved;	/* the byte under the int3 */
	uint64_t	 wb_addr;
};
struct worker_ledger {
	uint32_t	 wl_lost;	/* breakpoints that found no entry */
	struct worker_bp wl_bps[WORKER_MAX_BPS];
	int32_t		 wl_hw[WORKER_MAX_PROCS]; /* pids with debug registers
						     set; 0: a free entry */
};
/* A new ledger (mmap MAP_SHARED), or NULL with errno; and its end. */
struct worker_ledger *worker_ledger_new(void);
void	 worker_ledger_free(struct worker_ledger *);

struct conn;
struct gsess;
struct handoff_opts;

/*
 * Fork a worker for the session s, whose connection c has paused on the
 * launch or attach packet pkt (len bytes).  In the daemon: returns the
 * worker's pid and its end of the channel in *ctl; c has been handed
 * over (abandoned here) and s may be freed.  -1 with errno if nothing
 * was forked.  The worker never returns.
 */
pid_t	 worker_spawn(struct worker_ledger *, struct gsess *s, struct conn *c,
	    const char *pkt, size_t len, int *ctl, const struct handoff_opts *,
	    const char *addr);
/*
 * Pass connection c of session s, paused on pkt, to the worker at the
 * other end of ctl.  0 (c abandoned), or -1 with errno (c untouched).
 */
int	 worker_pass(int ctl, struct gsess *s, struct conn *c, const char *pkt,
	    size_t len);
/*
 * A worker's parser of what the daemon sends on ctl, one message.  1: a
 * claim in *m, its connection in *fd (the caller's to close); 0: nothing
 * to act on (no message yet, or a bad one, dropped with any descriptor
 * it carried); -1: the daemon has gone (end of file, an empty message
 * or an error).
 */
int	 worker_recv_claim(int ctl, struct worker_claim *m, int *fd);

#endif /* DAEMON_WORKER_H */
