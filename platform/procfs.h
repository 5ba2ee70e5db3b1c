/*
 * procfs.h -- facts about processes from /proc and from their memory.
 */
#ifndef PLATFORM_PROCFS_H
#define PLATFORM_PROCFS_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#define PROCFS_MAX_FILE		(1u << 20)	/* bytes read of a /proc file */
#define SVR4_MAX_LIBS		4096		/* link map entries walked */
#define SVR4_MAX_NAME		4096		/* bytes of a library name */

struct proc;

/* The executable of pid; -1 with errno on failure. */
int	 procfs_exe(pid_t pid, char *buf, size_t cap);
/* The whole of /proc/PID/NAME into a malloc'd buffer (*len bytes). */
int	 procfs_read(pid_t pid, const char *name, char **out, size_t *len);
/* The name (comm) of a thread. */
int	 procfs_thread_name(pid_t pid, pid_t tid, char *buf, size_t cap);
/* A thread's state letter (R, S, T, t, Z, ...), or -1. */
int	 procfs_thread_state(pid_t pid, pid_t tid);
/* The CPU a thread last ran on, or -1. */
int	 procfs_thread_core(pid_t pid, pid_t tid);

/* A process, as /proc shows it. */
struct procinfo {
	pid_t		 pi_pid;
	pid_t		 pi_ppid;
	uid_t		 pi_uid, pi_euid;
	gid_t		 pi_gid, pi_egid;
	char		 pi_name[64];		/* comm */
	char		 pi_cmdline[1024];	/* arguments, space-separated */
	char		 pi_cores[128];		/* CPUs its threads last ran on */
	char		 pi_state;		/* R, S, Z, ... of status */
	pid_t		 pi_tracer;		/* TracerPid, 0 if none */
};

/*
 * Call cb for each process, in pid order of /proc; stops early when cb
 * returns non-zero and returns that.  Processes that vanish meanwhile are
 * skipped.
 */
int	 procfs_each_process(int (*cb)(const struct procinfo *, void *),
	    void *arg);
int	 procfs_process(pid_t, struct procinfo *);
/*
 * A task's process (Tgid) and that process's parent (PPid), from
 * /proc/PID/status alone (procfs_process reads much more); -1 with errno.
 */
int	 procfs_lineage(pid_t, pid_t *tgid, pid_t *ppid);
/*
 * When the process began, in clock ticks since boot (/proc/PID/stat,
 * field 22): with the pid, it names one process for good, where a pid
 * alone may be another's once its process is reaped.  0 with errno if
 * it cannot be read (ENOENT: the process is gone).
 */
uint64_t procfs_start_time(pid_t);

/* One loaded object, as the dynamic linker's r_debug list has it. */
struct svr4_lib {
	char		*l_name;
	uint64_t	 l_lm;		/* the link_map entry */
	uint64_t	 l_addr;	/* load bias */
	uint64_t	 l_ld;		/* its dynamic section */
	uint64_t	 l_lmid;	/* its namespace (r_debug address) */
};

struct svr4_list {
	uint64_t	 sl_main_lm;	/* link_map of the main program */
	struct svr4_lib	*sl_libs;
	size_t		 sl_n;
};

/*
 * Walk r_debug of a stopped process.  An empty list (before the dynamic
 * linker has run) is no error; a static program without PT_DYNAMIC is.
 */
int	 svr4_list(struct proc *, struct svr4_list *);
void	 svr4_free(struct svr4_list *);

#endif /* PLATFORM_PROCFS_H */
