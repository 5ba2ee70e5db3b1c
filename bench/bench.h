/*
 * bench.h -- the server benchmark: what its files share.
 *
 * bench.c runs rounds and prints the table, server.c starts a server
 * and connects to it (or starts a daemon and a session through it), work.c runs the workloads over the protocol,
 * lean.c reads bulk replies faster than rspc can, floor.c does the
 * same stops with bare ptrace and times a bare TCP round trip, util.c
 * has clocks, medians and symbol look-ups.
 */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "client/rspc.h"

#define BENCH_MAX_ROUNDS	64	/* -r */
#define BENCH_MAX_SERVERS	8	/* -s entries */
#define BENCH_MAX_ARGV		32	/* words of a server command line */
#define BENCH_START_MS		10000	/* a server's wait to listen */
#define BENCH_STOP_MS		3000	/* a server's wait to exit */
#define BENCH_MIB		(1024 * 1024)	/* bytes */
#define BENCH_FEATURES	"multiprocess+;swbreak+;hwbreak+;vContSupported+"

enum srv_kind {
	SRV_HANDOFFD,
	SRV_GDBSERVER,
	SRV_LLDB,
	/* Daemons: a session starts over the protocol (bench -P). */
	SRV_HPLATFORM,	/* handoffd platform: qLaunchGDBServer, its own port */
	SRV_LPLATFORM,	/* lldb-server platform: a gdbserver per session */
	SRV_HMULTI,	/* handoffd gdbserver --multi: vRun on its port */
};

/* What lldb 16's qSupported offers (GetRemoteQSupported). */
#define BENCH_LLDB_FEATURES \
	"xmlRegisters=i386,arm,mips,arc;multiprocess+;fork-events+;vfork-events+"
#define BENCH_QUIET_MS		5000	/* a session's processes' wait to go */

/* One server to measure: how to start it. */
struct server {
	enum srv_kind	 sv_kind;
	const char	*sv_name;
	char		*sv_argv[BENCH_MAX_ARGV];	/* prefix, NULL-ended */
	int		 sv_argc;
};

/* One running server with its inferior and our connection to it. */
struct sess {
	const struct server *ss_srv;
	pid_t		 ss_pid;	/* the server */
	pid_t		 ss_inferior;
	char		 ss_thread[64];	/* as the stop reply names it */
	struct rspc	*ss_rc;
	size_t		 ss_packetsize;	/* bytes, from qSupported */
	char		 ss_log[64];	/* the server's stderr */
	int		 ss_keeplog;	/* set on failure: keep the log */
	struct rspc	*ss_platform;	/* via a platform daemon: to it */
	int		 ss_daemon;	/* 1: ss_pid is not our child */
};

/* One running daemon (a platform or gdbserver --multi). */
struct daemon {
	const struct server *d_srv;
	pid_t		 d_pid;
	int		 d_port;
	char		 d_log[64];	/* its stderr */
	char		 d_sockfile[80];	/* --socket-file */
};

/* The parts of a session start through a daemon, in us. */
enum phase {
	PH_PLATFORM,	/* connect to the platform, handshake */
	PH_LAUNCH,	/* qLaunchGDBServer */
	PH_CONNECT,	/* connect to the port it named, handshake */
	PH_RUN,		/* vRun to the first stop reply */
	PH_TOTAL,
	PH_N
};

/* What each workload measures; one row of the table each. */
enum metric {
	M_BPCYCLE,	/* us per hit, gdb's remove/step/insert/continue */
	M_CONT,		/* us per vCont;c to stop, breakpoint left in */
	M_G,		/* us per g */
	M_MREAD,	/* MiB/s with m */
	M_XREAD,	/* MiB/s with x */
	M_RREAD,	/* MiB/s with m, replies read through rspc */
	M_RSS,		/* KiB, idle after connect and first stop */
	M_HWM,		/* KiB, peak over the session */
	M_NMETRIC
};

struct config {
	const char	*c_loop;	/* inferior with bench_hit() */
	const char	*c_mem;		/* inferior with bench_mem */
	unsigned	 c_rounds;
	unsigned long	 c_bphits;
	unsigned long	 c_conthits;
	unsigned long	 c_greqs;
	unsigned long	 c_mib;
	int		 c_verbose;
	const char	*c_features;	/* what our qSupported offers */
	unsigned long	 c_starts;	/* -P: session starts per server */
	FILE		*c_dump;	/* -o: every iteration, or NULL */
	unsigned	 c_round;	/* the round running, from 1 */
	uint64_t	 c_hit;		/* &bench_hit */
	uint64_t	 c_hits;	/* &bench_hits */
	uint64_t	 c_ready;	/* &bench_ready */
	uint64_t	 c_memp;	/* &bench_mem */
};

/* Results of one session; NAN where not measured. */
struct sample {
	double		 sa_v[M_NMETRIC];
};

/* util.c */
double	 now_us(void);
double	 cpu_us(void);
double	 median(const double *, size_t);
int	 symbol_addr(const char *prog, const char *sym, uint64_t *addr);
long	 proc_status_kib(pid_t, const char *field);

/* server.c */
int	 server_parse(struct server *, const char *spec);
int	 sess_start(struct sess *, const struct server *, char *const prog[],
	    const char *features);
void	 sess_stop(struct sess *);
int	 sess_stopreply(struct sess *, const char *reply);
void	 sess_reap(void);
bool	 srv_is_daemon(const struct server *);
int	 daemon_start(struct daemon *, const struct server *);
void	 daemon_stop(struct daemon *);
int	 psess_start(struct sess *, const struct daemon *, char *const prog[],
	    const char *features, bool hostinfo, double ph[PH_N]);
void	 psess_stop(struct sess *);

/* lean.c: a reader for bulk replies, beside rspc. */
struct lean {
	char		*l_buf;		/* bytes read */
	size_t		 l_len;
	size_t		 l_cap;
	size_t		 l_next;	/* end of the packet returned last */
	char		*l_tmp;		/* a payload without escapes, runs */
};

int	 lean_init(struct lean *, size_t cap);
void	 lean_free(struct lean *);
ssize_t	 lean_read(struct lean *, int fd, int timeout_ms,
	    const char **payload);
ssize_t	 lean_decode(struct lean *, const char *, size_t, bool bin,
	    unsigned char *dst, size_t cap);

/* work.c */
int	 work_loop(struct sess *, const struct config *, struct sample *);
int	 work_mem(struct sess *, const struct config *, struct sample *);

/* floor.c: the floors of one round, in us; NAN if not measured. */
struct floors {
	double		 f_cycle;	/* a breakpoint cycle in bare ptrace */
	double		 f_retrap;	/* continue, trap on the same int3 */
	double		 f_rtt;		/* a loopback TCP round trip */
};

int	 floor_ptrace(const struct config *, struct floors *);
int	 floor_tcp(const struct config *, struct floors *);
double	 floor_launch(const struct config *);

#endif /* BENCH_BENCH_H */
