/*
 * floor.c -- the work of a stop with bare ptrace and no protocol, and
 * a loopback TCP round trip with no work: the floors a server can
 * approach.
 *
 * A breakpoint cycle (workload 1) is, at the least:
 *   wait4 -> GETREGS (is it our int3?) -> SETREGS (pc back by one)
 *   -> POKETEXT (original byte) -> SINGLESTEP -> wait4
 *   -> POKETEXT (int3 again) -> CONT
 * eight system calls, timed from one stop to the next.  A continue at
 * a breakpoint left in place (workload 2) traps on it again at once:
 *   wait4 -> GETREGS -> SETREGS (pc back by one) -> CONT
 * four.  The round trip is one byte each way over TCP_NODELAY sockets.
 */
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/user.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "bench/bench.h"

#define FLOOR_INT3	0xcc

struct tracee {
	pid_t		 tr_pid;
	uint64_t	 tr_addr;	/* the breakpoint */
	long		 tr_orig;	/* the word there, without int3 */
	long		 tr_trap;	/* the word with int3 */
};

/* Wait for a SIGTRAP stop. */
static int
wait_trap(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st) ||
	    WSTOPSIG(st) != SIGTRAP)
		return -1;
	return 0;
}

static pid_t
start(const struct config *cfg)
{
	char count[32];
	pid_t pid;

	snprintf(count, sizeof(count), "%lu", cfg->c_bphits + 10);
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		execl(cfg->c_loop, cfg->c_loop, count, (char *)NULL);
		_exit(127);
	}
	if (wait_trap(pid) == -1 || ptrace(PTRACE_SETOPTIONS, pid, NULL,
	    (void *)PTRACE_O_EXITKILL) == -1) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	return pid;
}

/* Plant int3 and run to the first hit. */
static int
plant(struct tracee *tr)
{
	errno = 0;
	tr->tr_orig = ptrace(PTRACE_PEEKTEXT, tr->tr_pid, tr->tr_addr, NULL);
	if (errno != 0)
		return -1;
	tr->tr_trap = (tr->tr_orig & ~0xffL) | FLOOR_INT3;
	if (ptrace(PTRACE_POKETEXT, tr->tr_pid, tr->tr_addr,
	    tr->tr_trap) == -1 ||
	    ptrace(PTRACE_CONT, tr->tr_pid, NULL, NULL) == -1)
		return -1;
	return wait_trap(tr->tr_pid);
}

/* Move the PC back over the int3 the tracee just executed. */
static int
rewind_pc(struct tracee *tr)
{
	struct user_regs_struct regs;

	if (ptrace(PTRACE_GETREGS, tr->tr_pid, NULL, &regs) == -1 ||
	    regs.rip != tr->tr_addr + 1)
		return -1;
	regs.rip = tr->tr_addr;
	return ptrace(PTRACE_SETREGS, tr->tr_pid, NULL, &regs) == -1 ? -1 : 0;
}

/* One hit: back over the int3, step, re-plant, run to the next hit. */
static int
hit(struct tracee *tr)
{
	pid_t pid = tr->tr_pid;

	if (rewind_pc(tr) == -1 ||
	    ptrace(PTRACE_POKETEXT, pid, tr->tr_addr, tr->tr_orig) == -1 ||
	    ptrace(PTRACE_SINGLESTEP, pid, NULL, NULL) == -1 ||
	    wait_trap(pid) == -1 ||
	    ptrace(PTRACE_POKETEXT, pid, tr->tr_addr, tr->tr_trap) == -1 ||
	    ptrace(PTRACE_CONT, pid, NULL, NULL) == -1)
		return -1;
	return wait_trap(pid);
}

/* Back over the int3 and continue; it traps again at once. */
static int
retrap(struct tracee *tr)
{
	pid_t pid = tr->tr_pid;

	if (rewind_pc(tr) == -1 ||
	    ptrace(PTRACE_CONT, pid, NULL, NULL) == -1)
		return -1;
	return wait_trap(pid);
}

/* The median time of n calls of fn, in us; NAN on failure. */
static double
run(struct tracee *tr, unsigned long n, int (*fn)(struct tracee *))
{
	double *t, t0, m = NAN;
	unsigned long i;

	if ((t = calloc(n, sizeof(*t))) == NULL)
		return NAN;
	for (i = 0; i < n; i++) {
		t0 = now_us();
		if (fn(tr) == -1) {
			warnx("ptrace floor: stop %lu failed", i);
			goto out;
		}
		t[i] = now_us() - t0;
	}
	m = median(t, n);
out:
	free(t);
	return m;
}

/* Run fn n times; bench_hit must have run want times. */
static double
checked(struct tracee *tr, uint64_t hits, unsigned long n,
    int (*fn)(struct tracee *), unsigned long want)
{
	long before, after;
	double m;

	errno = 0;
	before = ptrace(PTRACE_PEEKDATA, tr->tr_pid, hits, NULL);
	m = run(tr, n, fn);
	after = ptrace(PTRACE_PEEKDATA, tr->tr_pid, hits, NULL);
	if (errno != 0 || (unsigned long)(after - before) != want) {
		warnx("ptrace floor: %ld calls for %lu stops", after - before,
		    n);
		return NAN;
	}
	return m;
}

int
floor_ptrace(const struct config *cfg, struct floors *fl)
{
	struct tracee tr = { .tr_addr = cfg->c_hit };
	int rv = -1;

	fl->f_cycle = fl->f_retrap = NAN;
	if ((tr.tr_pid = start(cfg)) == -1) {
		warn("ptrace floor: %s", cfg->c_loop);
		return -1;
	}
	if (plant(&tr) == -1)
		goto out;
	fl->f_cycle = checked(&tr, cfg->c_hits, cfg->c_bphits, hit,
	    cfg->c_bphits);
	fl->f_retrap = checked(&tr, cfg->c_hits, cfg->c_conthits, retrap, 0);
	rv = isnan(fl->f_cycle) || isnan(fl->f_retrap) ? -1 : 0;
out:
	kill(tr.tr_pid, SIGKILL);
	waitpid(tr.tr_pid, NULL, 0);
	return rv;
}

/* ------------------------------------------------------------ tcp */

/* A listening loopback socket; its address in *sin. */
static int
tcp_listen(struct sockaddr_in *sin)
{
	socklen_t sl = sizeof(*sin);
	int fd;

	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin->sin_port = 0;
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (bind(fd, (struct sockaddr *)sin, sl) == -1 ||
	    listen(fd, 1) == -1 ||
	    getsockname(fd, (struct sockaddr *)sin, &sl) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
nodelay(int fd)
{
	int on = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
}

/* The child: echo every byte until EOF. */
static void __attribute__((noreturn))
echo(int lfd)
{
	char c;
	int fd;

	if ((fd = accept(lfd, NULL, NULL)) == -1)
		_exit(1);
	nodelay(fd);
	while (read(fd, &c, 1) == 1 && write(fd, &c, 1) == 1)
		;
	_exit(0);
}

static double
pingpong(int fd, unsigned long n)
{
	double *t, t0, m = NAN;
	unsigned long i;
	char c = '$';

	if ((t = calloc(n, sizeof(*t))) == NULL)
		return NAN;
	for (i = 0; i < n; i++) {
		t0 = now_us();
		if (write(fd, &c, 1) != 1 || read(fd, &c, 1) != 1)
			goto out;
		t[i] = now_us() - t0;
	}
	m = median(t, n);
out:
	free(t);
	return m;
}

int
floor_tcp(const struct config *cfg, struct floors *fl)
{
	struct sockaddr_in sin;
	pid_t pid;
	int lfd, fd = -1;

	fl->f_rtt = NAN;
	if ((lfd = tcp_listen(&sin)) == -1)
		return -1;
	if ((pid = fork()) == 0)
		echo(lfd);
	close(lfd);
	if (pid == -1)
		return -1;
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) != -1 &&
	    connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0) {
		nodelay(fd);
		fl->f_rtt = pingpong(fd, cfg->c_greqs);
	}
	if (fd != -1)
		close(fd);
	waitpid(pid, NULL, 0);
	return isnan(fl->f_rtt) ? -1 : 0;
}

/*
 * The floor of a session start: fork, PTRACE_TRACEME, exec of the loop
 * program, and the wait for its first stop, in us; NAN on failure.  A
 * server launching over the protocol does at least this.
 */
double
floor_launch(const struct config *cfg)
{
	double t0, t;
	pid_t pid;

	t0 = now_us();
	if ((pid = start(cfg)) == -1)
		return NAN;
	t = now_us() - t0;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return t;
}
