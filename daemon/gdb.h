/*
 * gdb.h -- a debug session as a gdb or lldb client sees it: the packet
 * dispatcher and the state the packets share.
 *
 * One struct gsess per session; it owns the target (the traced
 * processes) and talks to one client connection at a time.  The packet
 * handlers live in gdb_*.c by family; each formats replies from the facts
 * that platform/ returns.
 */
#ifndef DAEMON_GDB_H
#define DAEMON_GDB_H

#include <sys/types.h>

#include <stdbool.h>
#include <stdint.h>

#include "platform/signals.h"
#include "platform/target.h"
#include "rsp/rsp.h"

#define GDB_MAX_ENV		TGT_MAX_ENV	/* environment entries */
#define GDB_MAX_ARGS		TGT_MAX_ARGS	/* vRun arguments */
#define GDB_MAX_PATH		4096		/* bytes of a path */
#define GDB_MAX_VFILE_FDS	64		/* open vFile descriptors */
#define GDB_MAX_SAVED_REGS	32		/* QSaveRegisterState snapshots */
#define GDB_MAX_NS_QUEUE	4096		/* non-stop stops not yet taken */
#define GDB_MAX_STDIO_QUEUE	256		/* lldb's %Stdio packets not yet
						   taken (of 1 KiB of output) */

struct conn;
struct gdb_await;

/*
 * A notification queue (gdb_nonstop.c): the head goes out as %NAME:TEXT,
 * the client acknowledges each with a packet (vStopped, vStdio) whose
 * reply is the next, or OK.  The head stays until acknowledged, so it is
 * never told twice nor lost.
 */
struct gdb_notes {
	const char	*gn_name;	/* "Stop", "Stdio" */
	size_t		 gn_max;	/* entries it holds at most */
	char		**gn_q;		/* oldest first */
	size_t		 gn_n;
	bool		 gn_told;	/* gn_q[0] went out, not yet taken */
};
struct gdb_tty;
struct gplat;
struct gsess;
struct loop;

/*
 * What the process around a session adds to it: the platform daemon
 * (daemon/platform.c) answers its own queries and hands a session that
 * launches or attaches to a worker.  NULL in handoffd gdbserver and in
 * the workers themselves.
 */
struct gsess_ops {
	/* A, vRun, vAttach*: the packet to replay once handed over. */
	void	(*so_bind)(struct gsess *, const char *pkt, size_t len);
	/* A daemon query (qLaunchGDBServer...); 0 when it was answered. */
	int	(*so_query)(struct gsess *, struct rsp_cursor *);
};

/* What the session does when its client goes away. */
struct gsess {
	struct loop	*s_loop;
	struct conn	*s_conn;	/* current client, or NULL */
	struct target	*s_tgt;
	struct rsp_buf	 s_reply;	/* reply being built */
	const struct gsess_ops *s_ops;	/* the platform daemon's, or NULL */
	void		*s_ops_arg;

	/* Negotiated with the client. */
	bool		 s_extended;	/* '!' sent, or --multi */
	bool		 s_multiprocess;
	bool		 s_swbreak;
	bool		 s_hwbreak;
	bool		 s_err_strings;	/* QEnableErrorStrings */
	bool		 s_exec_events;
	bool		 s_fork_events;	/* fork-events+, offered and asked */
	bool		 s_vfork_events; /* vfork-events+, the same */
	bool		 s_lldb;	/* the client is lldb (its packets) */
	bool		 s_thread_suffix; /* QThreadSuffixSupported */
	bool		 s_list_threads; /* QListThreadsInStopReply */
	bool		 s_lldb_server;	/* lldb-server's command line: every
					   client is lldb (its launch rules) */

	/* Thread selection (Hg, Hc): pid/tid, -1 all, 0 any. */
	pid_t		 s_gpid, s_gtid;
	pid_t		 s_cpid, s_ctid;
	struct thr	*s_last;	/* thread of the last stop reply */
	bool		 s_waiting;	/* a resume awaits its stop reply */

	/* Non-stop (gdb_nonstop.c): stop replies for %Stop and vStopped. */
	bool		 s_nonstop;
	struct gdb_notes s_stops;
	struct gdb_notes s_outq;	/* lldb: %Stdio output, vStdio */

	/* Launch settings. */
	char		**s_env;	/* NULL-terminated, s_nenv entries */
	size_t		 s_nenv;
	size_t		 s_envcap;	/* entries s_env has room for */
	char		*s_cwd;
	bool		 s_shell;
	bool		 s_no_aslr;
	char		*s_wrapper;
	char		**s_argv;	/* program of the command line */
	bool		 s_stdio;	/* the client is on our stdio */

	/* Signals (GDB numbering) the program may get on resume. */
	uint8_t		 s_progsig[(GDB_SIGNAL_LAST + 7) / 8];
	bool		 s_progsig_set;

	/* qXfer: the document of the read in progress, and its name. */
	struct rsp_buf	 s_xdoc;
	char		 s_xkey[320];

	/* vFile. */
	int		 s_vfds[GDB_MAX_VFILE_FDS];
	pid_t		 s_vfs_pid;	/* vFile:setfs: whose root, 0 ours */

	/* Platform packets (gdb_platform.c): the qfProcessInfo list. */
	struct gplat	*s_plat;

	/* lldb: launch settings for A, saved registers, vAttachWait. */
	char		*s_stdpath[3];	/* QSetSTDIN/OUT/ERR files, or NULL */
	bool		 s_detach_on_error; /* QSetDetachOnError */
	char		*s_launch_err;	/* why the last A failed, or NULL */
	struct regs	*s_saved[GDB_MAX_SAVED_REGS];
	uint32_t	 s_saved_id[GDB_MAX_SAVED_REGS];
	uint32_t	 s_next_save_id;
	struct gdb_await *s_await;	/* vAttachWait in progress, or NULL */
	struct gdb_tty	*s_tty;		/* the program's terminal, or NULL */

	/* Fork handoff (handoff.c). */
	TAILQ_ENTRY(gsess) s_entry;	/* the sessions of this process */
	bool		 s_tracked;	/* on that list */
	bool		 s_fork_handoff; /* qSupported: fork-handoff+ */
	uint64_t	 s_watch;	/* QHandoffWatch order; 0: none */
	bool		 s_watch_connect; /* ;via:connect: no fd passing */
	struct {			/* a child bound to a passed fd */
		pid_t		 pid;	/* 0: none, or its client spoke */
		pid_t		 ppid;
		const char	*kind;
		uint64_t	 since;
	} s_passed;

	/* Whole-server behaviour. */
	bool		 s_multi;	/* --multi: serve client after client */
	unsigned	 s_disabled;	/* GDB_DISABLE_*: --disable-packet */
	bool		 s_once;	/* one client, then exit */
	bool		 s_quit;	/* exit when the client has gone */
};

/*
 * Packets --disable-packet turns off, as gdbserver's maintainer option
 * does (GDB's testsuite uses it to test gdb against such servers).
 */
#define GDB_DISABLE_VCONT	0x01
#define GDB_DISABLE_TTHREAD	0x02	/* no thread: in T stop replies */
#define GDB_DISABLE_QC		0x04
#define GDB_DISABLE_QFTHREADINFO 0x08
#define GDB_DISABLE_T		0x10	/* S stop replies instead of T */
#define GDB_DISABLE_THREADS	(GDB_DISABLE_VCONT | GDB_DISABLE_TTHREAD | \
				 GDB_DISABLE_QC | GDB_DISABLE_QFTHREADINFO)

struct gsess *gsess_new(struct loop *);
/* The program R and an empty vRun start: a copy of argv is kept. */
void	 gsess_set_program(struct gsess *, char **argv);
void	 gsess_free(struct gsess *);
/* Give the session a client connection (fd for both directions). */
void	 gsess_attach_conn(struct gsess *, int rfd, int wfd, const char *name);
/*
 * In a session worker: take over the inherited copy of the daemon's
 * connection c, now on loop l with the descriptor fd that was passed.
 */
void	 gsess_adopt_conn(struct gsess *, struct conn *c, struct loop *l,
	    int fd);
/* True once nothing is left to do: no client and nothing to debug. */
bool	 gsess_done(const struct gsess *);

/* Dispatcher (gdb.c). */
void	 gdb_packet(struct gsess *, char *, size_t);
/* True for the packets that launch or attach (A, vRun, vAttach...). */
bool	 gdb_is_bind(const char *, size_t);
void	 gdb_reply(struct gsess *, const char *);
void	 gdb_replyf(struct gsess *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 gdb_reply_buf(struct gsess *);
void	 gdb_ok(struct gsess *);
void	 gdb_empty(struct gsess *);
/* An error: "Enn", or "Enn;" and the message in hex once the client
 * sent QEnableErrorStrings (lldb). */
void	 gdb_error(struct gsess *, int errnum, const char *msg);

/* Thread ids (gdb.c). */
int	 gdb_parse_ptid(struct gsess *, struct rsp_cursor *, pid_t *pid,
	    pid_t *tid);
void	 gdb_put_ptid(struct gsess *, struct rsp_buf *, pid_t pid, pid_t tid);
/* The thread Hg selects, or the last stopped one. */
struct thr *gdb_gthread(struct gsess *);
/* The thread pid/tid names (tid 0 or -1: the first of pid), or NULL. */
struct thr *gdb_select(struct gsess *, pid_t pid, pid_t tid);
struct proc *gdb_gproc(struct gsess *);
/*
 * The process named after sep ("D;PID", "qAttached:PID"), or the current
 * one when there is no sep; NULL after an error reply.
 */
struct proc *gdb_proc_arg(struct gsess *, struct rsp_cursor *, const char *);

/* Running (gdb_run.c). */
void	 gdb_stop_reply(struct gsess *, struct thr *);
/* The same, built in s_reply and not sent. */
void	 gdb_stop_format(struct gsess *, struct thr *);

/* Non-stop (gdb_nonstop.c). */
void	 gdb_nonstop(struct gsess *, bool on);	/* QNonStop */
void	 gdb_ns_events(struct gsess *);	/* queue events, %Stop the first */
void	 gdb_ns_stopped(struct gsess *);	/* vStopped */
void	 gdb_ns_status(struct gsess *);		/* '?' */
void	 gdb_ns_ctrlc(struct gsess *, bool reply);	/* vCtrlC, 0x03 */
/* t's stop waits in the vStopped queue, unseen by the client. */
bool	 gdb_ns_queued(struct gsess *, const struct thr *);
/* Each thread of t's process, t first, as a stop (vAttach, non-stop). */
void	 gdb_ns_tell_proc(struct gsess *, struct thr *);
/* lldb's k in non-stop: OK, then each process's X09 as a stop. */
void	 gdb_ns_killed(struct gsess *, const pid_t *pids, size_t n);
void	 gdb_ns_reset(struct gsess *);
/* lldb in non-stop: program output as a %Stdio notification. */
void	 gdb_ns_output(struct gsess *, const char *pkt, size_t len);
bool	 gdb_ns_output_full(struct gsess *);
void	 gdb_ns_stdio(struct gsess *);		/* vStdio */
void	 gdb_thread_stop(struct gsess *, struct thr *);
/* t went on over a breakpoint whose target-side conditions are false. */
bool	 gdb_cond_go_on(struct thr *);
/* The same T reply, in s_reply, not sent. */
void	 gdb_thread_format(struct gsess *, struct thr *);
void	 gdb_status(struct gsess *);		/* '?' */
void	 gdb_vcont(struct gsess *, struct rsp_cursor *);
void	 gdb_cont_legacy(struct gsess *, char, struct rsp_cursor *);
void	 gdb_vrun(struct gsess *, struct rsp_cursor *);
void	 gdb_vattach(struct gsess *, struct rsp_cursor *);
void	 gdb_vkill(struct gsess *, struct rsp_cursor *);
void	 gdb_kill(struct gsess *);
void	 gdb_detach(struct gsess *, struct rsp_cursor *);
void	 gdb_restart(struct gsess *);
/* Nothing of gdb_run.c is still queued for s (it is being freed). */
void	 gdb_run_forget(struct gsess *);
void	 gdb_interrupt(struct gsess *);
/* Stop p as 0x03 does: told as SIGINT to gdb, SIGSTOP to lldb. */
int	 gdb_interrupt_proc(struct gsess *, struct proc *);
void	 gdb_poll(struct gsess *);
/* The same once tgt_reap has taken the kernel's news (many sessions). */
void	 gdb_check(struct gsess *);
int	 gdb_launch(struct gsess *, char **argv, char *err, size_t errlen);
int	 gdb_attach(struct gsess *, pid_t);
/* Refuse (with a reply) a second process outside extended-remote. */
bool	 gdb_busy(struct gsess *);
void	 gdb_client_gone(struct gsess *);
void	 gdb_end_all(struct gsess *);
void	 gdb_pass_signals(struct gsess *, struct rsp_cursor *, bool program);

/* Registers, memory, breakpoints (gdb_data.c). */
/* "NN:value;" for register i, as stop replies expedite it. */
void	 gdb_put_reg(struct rsp_buf *, struct regs *, unsigned i);
void	 gdb_read_regs(struct gsess *);		/* g */
void	 gdb_write_regs(struct gsess *, struct rsp_cursor *);	/* G */
void	 gdb_read_reg(struct gsess *, struct rsp_cursor *);	/* p */
void	 gdb_write_reg(struct gsess *, struct rsp_cursor *);	/* P */
void	 gdb_read_mem(struct gsess *, struct rsp_cursor *, bool bin);
void	 gdb_write_mem(struct gsess *, struct rsp_cursor *, bool bin);
void	 gdb_breakpoint(struct gsess *, struct rsp_cursor *, bool insert);
void	 gdb_alloc_mem(struct gsess *, struct rsp_cursor *);	/* _M */
void	 gdb_free_mem(struct gsess *, struct rsp_cursor *);	/* _m */
void	 gdb_save_regs(struct gsess *, struct rsp_cursor *);
void	 gdb_restore_regs(struct gsess *, struct rsp_cursor *);

/* lldb's session packets (gdb_lldb.c). */
/* A JSON string: quoted; quotes, backslashes and control bytes escaped. */
void	 gdb_json_string(struct rsp_buf *, const char *);
int	 gdb_lldb_query(struct gsess *, struct rsp_cursor *);
void	 gdb_lldb_supported(struct gsess *);
void	 gdb_lldb_thread_suffix(struct gsess *, char *, size_t *);
/* lldb's keys in a T stop reply for t (name, threads, reason...). */
void	 gdb_lldb_stop_keys(struct gsess *, struct rsp_buf *, struct thr *);
/* ";thread:TID;" at the end of a packet: the thread, or NULL (replied). */
struct thr *gdb_lldb_suffix(struct gsess *, struct rsp_cursor *);

/* lldb's launch and attach packets (gdb_launch.c). */
void	 gdb_lldb_launch(struct gsess *, struct rsp_cursor *);	/* A */
void	 gdb_lldb_launch_result(struct gsess *);	/* qLaunchSuccess */
/* lldb's Q packets (launch settings, registers); 0 if handled. */
int	 gdb_lldb_set(struct gsess *, struct rsp_cursor *);
void	 gdb_attach_wait(struct gsess *, struct rsp_cursor *, bool existing);
/* Stop a vAttachWait in progress, with an error reply; false if none. */
bool	 gdb_attach_wait_cancel(struct gsess *, const char *why);
void	 gdb_lldb_free(struct gsess *);

/*
 * The launched program's terminal for lldb: its output as O packets
 * (gdb_stdio.c).  gdb_stdio_open fills the fds l leaves unset with a
 * pseudo-terminal named in tty before the launch; gdb_stdio_launched
 * says how it went (p NULL: failed).  It is read while the program runs
 * (gdb_stdio_resume), drained before each stop reply (gdb_stdio_stop)
 * and closed when the program is gone (gdb_stdio_gone, _close).
 */
int	 gdb_stdio_open(struct gsess *, struct launch *l, char *tty,
	    size_t cap);
void	 gdb_stdio_launched(struct gsess *, struct proc *p);
void	 gdb_stdio_resume(struct gsess *);
void	 gdb_stdio_stop(struct gsess *, struct thr *);
void	 gdb_stdio_gone(struct gsess *);
void	 gdb_stdio_close(struct gsess *);
void	 gdb_stdio_input(struct gsess *, struct rsp_cursor *);	/* I */

/* monitor commands (gdb_monitor.c). */
void	 gdb_monitor(struct gsess *, struct rsp_cursor *);

/* Transfers and host I/O (gdb_xfer.c, gdb_vfile.c). */
void	 gdb_qxfer(struct gsess *, struct rsp_cursor *);
void	 gdb_vfile(struct gsess *, struct rsp_cursor *);
void	 gdb_vfile_close_all(struct gsess *);
/*
 * A hex path argument up to sep, relative paths taken from the
 * QSetWorkingDir directory.  -1 with errno EINVAL or ENAMETOOLONG (past
 * GDB_MAX_PATH).  Such a path is only ever used through the calls below,
 * which walk it inside the vFile:setfs process's root.
 */
int	 gdb_host_path(struct gsess *, struct rsp_cursor *, char sep,
	    char *path, size_t cap);
/* The same for a path already decoded. */
int	 gdb_host_resolve(struct gsess *, const char *raw, char *path,
	    size_t cap);
/* open(2) of a host path; O_PATH for a descriptor to stat or name. */
int	 gdb_host_open(struct gsess *, const char *path, int flags, mode_t);
/* Its directory, opened (O_PATH), and its last component in base. */
int	 gdb_host_parent(struct gsess *, const char *path, char *base,
	    size_t cap);
struct stat;
int	 gdb_host_stat(struct gsess *, const char *path, struct stat *);
/* close(2) that leaves errno as it was, for error paths. */
void	 close_keep_errno(int fd);
/* A name for fd that open(2), opendir(3) and chdir(2) take. */
#define GDB_FD_PATH_MAX	32
void	 gdb_fd_path(int fd, char buf[GDB_FD_PATH_MAX]);

/* lldb's platform packets (gdb_platform.c); 0 if handled, -1 if not. */
int	 gdb_platform_query(struct gsess *, struct rsp_cursor *);
void	 gdb_platform_free(struct gsess *);
/* qModuleInfo, jModulesInfo (gdb_module.c). */
void	 gdb_module_info(struct gsess *, struct rsp_cursor *);
void	 gdb_modules_info(struct gsess *, struct rsp_cursor *);

/* Environment packets (gdb_env.c). */
void	 gdb_env_init(struct gsess *);
void	 gdb_env_free(struct gsess *);
void	 gdb_env_reset(struct gsess *);
int	 gdb_env_set(struct gsess *, const char *entry, size_t len);
int	 gdb_env_unset(struct gsess *, const char *name, size_t len);

#endif /* DAEMON_GDB_H */
