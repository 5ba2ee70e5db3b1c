/*
 * check_lldbpkt.c -- lldb's session packets against the real server:
 * A and qLaunchSuccess, the launch settings (QEnvironment, QSetSTDOUT,
 * QSetDisableASLR, QLaunchArch, QSetDetachOnError), vAttachWait and
 * vAttachOrWait, _M/_m, QSaveRegisterState/QRestoreRegisterState and
 * jThreadsInfo, each with its malformed variants.
 *
 * Each test starts "handoffd gdbserver" on a free port, with a program
 * or with --multi and none, in a private temp dir that also holds the
 * server's packet log; the dir is removed when the test passes and
 * named in the failure message when it does not.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client/rspc.h"
#include "daemon/gdb.h"
#include "tests/ck.h"
#include "tests/integration/itest.h"

#define SRV_START_MS	10000	/* for "Listening on port N" */
#define SRV_EXIT_MS	10000	/* for the server to exit */
#define PROC_MS		10000	/* for a process to appear or go */
#define SRV_MAX_ERR	16384	/* bytes of the server's stderr kept */
#define SRV_MAX_ARGS	16
#define SHORT_WAIT_MS	"300"	/* vAttachWait limit for the timeout tests */
#define SPIN_TRIES	1000	/* runs of spin until its thread is there */
#define RAX_IN_PAUSE	"fefdffffffffffff" /* -ERESTARTNOHAND, as 'p0' */

#define LISTENING	"Listening on port "
#define CREATED		"created; pid = "

struct srv {
	pid_t		 s_pid;		/* handoffd */
	pid_t		 s_inferior;	/* the program it started, or 0 */
	int		 s_port;
	int		 s_errfd;
	char		 s_err[SRV_MAX_ERR];
	size_t		 s_errlen;
	char		 s_dir[64];	/* private temp dir */
	struct rspc	*s_rc;
	pid_t		 s_other;	/* a process the test started */
};

/* ------------------------------------------------------------ helpers */

static void
tohex(char *dst, size_t cap, const char *s)
{
	ck_assert_uint_lt(2 * strlen(s), cap);
	rsp_tohex(dst, s, strlen(s));
	dst[2 * strlen(s)] = '\0';
}

/* The message of an error reply ("Enn;HEX" or "E.text"), or "". */
static const char *
err_text(const char *r)
{
	static char msg[512];
	size_t n;

	msg[0] = '\0';
	if (r[0] != 'E')
		return (msg);
	if (r[1] == '.') {
		strlcpy(msg, r + 2, sizeof(msg));
	} else if (strlen(r) > 4 && r[3] == ';') {
		n = strlen(r + 4) / 2;
		if (n < sizeof(msg) && rsp_fromhex(msg, r + 4, n) == 0)
			msg[n] = '\0';
	}
	return (msg);
}

/* TracerPid of pid from /proc, or -1 if it is gone. */
static int
tracer_of(pid_t pid)
{
	char path[64], line[256];
	FILE *fp;
	int tracer = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((fp = fopen(path, "re")) == NULL)
		return (-1);
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "TracerPid: %d", &tracer) == 1)
			break;
	}
	fclose(fp);
	return (tracer);
}

/* Read the server's stderr until it holds s and a newline after it. */
static const char *
srv_err_until(struct srv *sv, const char *s, long long deadline)
{
	return (read_until(sv->s_errfd, sv->s_err, sizeof(sv->s_err),
	    &sv->s_errlen, s, deadline));
}

/*
 * Start the server: "--multi" with no program when prog is NULL, else
 * on prog with the arguments that follow (NULL-terminated).  wait_ms,
 * if not NULL, is the vAttachWait limit it gets.  Then connect and do
 * the no-ack handshake.
 */
static void
srv_start(struct srv *sv, const char *wait_ms, const char *prog, ...)
{
	char *argv[SRV_MAX_ARGS], exe[1024], log[128], progpath[1024];
	char addr[64];
	const char *hit, *a;
	va_list ap;
	int n = 0;

	memset(sv, 0, sizeof(*sv));
	snprintf(sv->s_dir, sizeof(sv->s_dir), "/tmp/handoffd-lldbpkt.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(sv->s_dir));
	snprintf(log, sizeof(log), "%s/server.log", sv->s_dir);
	path_of(exe, sizeof(exe), "handoffd");
	argv[n++] = exe;
	argv[n++] = "gdbserver";
	argv[n++] = "--remote-debug";
	argv[n++] = "--log-file";
	argv[n++] = log;
	if (prog == NULL) {
		argv[n++] = "--multi";
		argv[n++] = "127.0.0.1:0";
	} else {
		argv[n++] = "--once";
		argv[n++] = "127.0.0.1:0";
		path_of(progpath, sizeof(progpath), prog);
		argv[n++] = progpath;
		va_start(ap, prog);
		while ((a = va_arg(ap, const char *)) != NULL &&
		    n < SRV_MAX_ARGS - 1)
			argv[n++] = (char *)a;
		va_end(ap);
	}
	argv[n] = NULL;

	/* Each test runs in a process of its own: the variable stays there. */
	if (wait_ms != NULL)
		setenv("HANDOFFD_ATTACH_WAIT_MS", wait_ms, 1);
	sv->s_pid = spawn(argv, &sv->s_errfd);
	hit = srv_err_until(sv, LISTENING, now_ms() + SRV_START_MS);
	ck_assert_msg(hit != NULL, "server did not start: %s", sv->s_err);
	sv->s_port = atoi(hit + strlen(LISTENING));
	if (prog != NULL) {
		hit = strstr(sv->s_err, CREATED);
		ck_assert_msg(hit != NULL, "no inferior pid: %s", sv->s_err);
		sv->s_inferior = atoi(hit + strlen(CREATED));
	}
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", sv->s_port);
	sv->s_rc = rspc_connect(addr);
	ck_assert_msg(sv->s_rc != NULL, "connect %s: %s", addr,
	    strerror(errno));
	ck_assert_int_eq(rspc_handshake(sv->s_rc, NULL), 0);
}

/* End the server and whatever the test started; remove the dir. */
static void
srv_finish(struct srv *sv)
{
	char path[128];

	if (sv->s_rc != NULL)
		rspc_close(sv->s_rc);
	sv->s_rc = NULL;
	kill(sv->s_pid, SIGTERM);
	if (wait_exit(sv->s_pid, SRV_EXIT_MS) == -1) {
		kill(sv->s_pid, SIGKILL);
		waitpid(sv->s_pid, NULL, 0);
	}
	if (sv->s_other > 0) {
		kill(sv->s_other, SIGKILL);
		waitpid(sv->s_other, NULL, 0);
	}
	close(sv->s_errfd);
	snprintf(path, sizeof(path), "%s/server.log", sv->s_dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/out", sv->s_dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/lp-prog", sv->s_dir);
	unlink(path);
	rmdir(sv->s_dir);
}

/* Requests on the test's server. */
#define req(sv, pkt)	itest_req((sv)->s_rc, (pkt), (sv)->s_dir)
#define REPLY_IS(sv, pkt, want) \
	ITEST_REPLY_IS((sv)->s_rc, (sv)->s_dir, (pkt), (want))

#define REPLY_HAS(sv, pkt, want) do {					\
	const char *r_ = req((sv), (pkt));				\
	ck_assert_msg(strstr(r_, (want)) != NULL,			\
	    "%s: got \"%.300s\", want \"%s\" in it (log %s)", (pkt),	\
	    r_, (want), (sv)->s_dir);					\
} while (0)

/* An error reply: "E" and two hex digits, then nothing or ";HEX". */
#define REPLY_ERR(sv, pkt) do {						\
	const char *r_ = req((sv), (pkt));				\
	ck_assert_msg(r_[0] == 'E' && strlen(r_) >= 3 &&		\
	    rsp_hexval(r_[1]) != -1 && rsp_hexval(r_[2]) != -1 &&	\
	    (r_[3] == '\0' || r_[3] == ';'),				\
	    "%s: got \"%.300s\", want an error (log %s)", (pkt), r_,	\
	    (sv)->s_dir);						\
} while (0)

/* Copy a test program to DIR/lp-prog: a name nothing else runs. */
static void
private_copy(struct srv *sv, const char *prog, char *dst, size_t cap)
{
	char src[1024], cmd[2200];

	path_of(src, sizeof(src), prog);
	snprintf(dst, cap, "%s/lp-prog", sv->s_dir);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", src, dst);
	ck_assert_int_eq(system(cmd), 0);
}

/* Start path (no arguments) in the background, not traced. */
static pid_t
start_other(const char *path)
{
	pid_t pid;
	int nul;

	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if ((nul = open("/dev/null", O_RDWR)) != -1) {
			dup2(nul, 0);
			dup2(nul, 1);
		}
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	return (pid);
}

/* /proc/PID/exe of pid names path: it has exec'd. */
static void
wait_exec(pid_t pid, const char *path)
{
	char link[64], buf[1024];
	long long end = now_ms() + PROC_MS;
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	for (;;) {
		n = readlink(link, buf, sizeof(buf) - 1);
		if (n > 0) {
			buf[n] = '\0';
			if (strcmp(buf, path) == 0)
				return;
		}
		ck_assert_msg(now_ms() < end, "%d never ran %s", (int)pid, path);
		usleep(10000);
	}
}

/* "A" for these arguments. */
static void
a_packet(char *dst, size_t cap, const char *const *args)
{
	size_t len = 1;
	int i;

	dst[0] = 'A';
	dst[1] = '\0';
	for (i = 0; args[i] != NULL; i++) {
		len += snprintf(dst + len, cap - len, "%s%zu,%d,",
		    i > 0 ? "," : "", 2 * strlen(args[i]), i);
		ck_assert_uint_lt(len + 2 * strlen(args[i]), cap);
		rsp_tohex(dst + len, args[i], strlen(args[i]));
		len += 2 * strlen(args[i]);
		dst[len] = '\0';
	}
}

/* ------------------------------------------------------------ A */

START_TEST(a_with_a_bad_path_fails_and_qlaunchsuccess_says_why)
{
	const char *args[] = { "/nonexistent/lldbpkt-prog", NULL };
	char pkt[512];
	const char *r;
	struct srv sv;

	srv_start(&sv, NULL, NULL);
	REPLY_IS(&sv, "qLaunchSuccess", "OK");	/* nothing failed yet */
	a_packet(pkt, sizeof(pkt), args);
	REPLY_IS(&sv, pkt, "E08");		/* lldb-server's number */
	r = req(&sv, "qLaunchSuccess");
	ck_assert_msg(r[0] == 'E' && strstr(r, "/nonexistent/lldbpkt-prog: "
	    "execve failed: No such file or directory") != NULL,
	    "qLaunchSuccess: %s", r);
	REPLY_IS(&sv, "QEnableErrorStrings", "OK");
	r = req(&sv, pkt);
	ck_assert_msg(r[0] == 'E' && strstr(err_text(r),
	    "No such file or directory") != NULL, "A: %s", r);
	/* Nothing was started: no thread, no process. */
	REPLY_ERR(&sv, "qC");
	/* lldb-server's own tests put a space after the A: the same. */
	memmove(pkt + 2, pkt + 1, strlen(pkt + 1) + 1);
	pkt[1] = ' ';
	r = req(&sv, pkt);
	ck_assert_msg(r[0] == 'E' && strstr(err_text(r),
	    "No such file or directory") != NULL, "A with a space: %s", r);
	srv_finish(&sv);
}
END_TEST

/*
 * vRun of a program open for writing: lldb-server's own words, as lldb's
 * TestGdbRemoteLaunch wants them (no shell in between to hide them).
 */
START_TEST(vrun_of_a_busy_program_says_execve_failed)
{
	char prog[1024], hex[2100], pkt[2200];
	const char *r;
	struct srv sv;
	int fd;

	srv_start(&sv, NULL, NULL);
	private_copy(&sv, "tests/progs/hello", prog, sizeof(prog));
	ck_assert_int_ne(fd = open(prog, O_WRONLY | O_APPEND), -1);
	REPLY_IS(&sv, "QEnableErrorStrings", "OK");
	tohex(hex, sizeof(hex), prog);
	snprintf(pkt, sizeof(pkt), "vRun;%s", hex);
	r = req(&sv, pkt);
	ck_assert_msg(r[0] == 'E' && strstr(err_text(r),
	    "lp-prog: execve failed: Text file busy") != NULL, "vRun: %s", r);
	REPLY_ERR(&sv, "qC");
	/* Closed, the same program runs. */
	close(fd);
	r = req(&sv, pkt);
	ck_assert_msg(r[0] == 'T', "vRun: %s", r);
	srv_finish(&sv);
}
END_TEST

START_TEST(a_launches_with_stdout_and_environment_settings)
{
	char prog[1024], out[128], hex[512], pkt[2048], buf[256];
	const char *args[] = { prog, "4", NULL };
	const char *r;
	struct srv sv;
	FILE *fp;

	srv_start(&sv, NULL, NULL);
	path_of(prog, sizeof(prog), "tests/progs/session");
	snprintf(out, sizeof(out), "%s/out", sv.s_dir);
	tohex(hex, sizeof(hex), out);
	snprintf(pkt, sizeof(pkt), "QSetSTDOUT:%s", hex);
	REPLY_IS(&sv, pkt, "OK");
	REPLY_IS(&sv, "QEnvironment:SESSION_VALUE=plain=text", "OK");
	REPLY_IS(&sv, "QSetDisableASLR:1", "OK");
	REPLY_IS(&sv, "QLaunchArch:x86_64", "OK");
	a_packet(pkt, sizeof(pkt), args);
	REPLY_IS(&sv, pkt, "OK");
	REPLY_IS(&sv, "qLaunchSuccess", "OK");
	r = req(&sv, "?");
	ck_assert_msg(r[0] == 'T' && strstr(r, "thread:") != NULL, "?: %s", r);
	REPLY_HAS(&sv, "qProcessInfo", "pid:");
	/* Run to the end: exit status 4, the output in the file. */
	ck_assert_int_eq(rspc_send(sv.s_rc, "vCont;c", 7), 0);
	ck_assert_int_ge(rspc_wait(sv.s_rc, &r), 0);
	ck_assert_msg(strncmp(r, "W04", 3) == 0, "exit: %s (log %s)", r,
	    sv.s_dir);
	ck_assert_ptr_nonnull(fp = fopen(out, "r"));
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	ck_assert_str_eq(buf, "session plain=text 21\n");
	srv_finish(&sv);
}
END_TEST

/* A for args after QSetSTD* for the files named in DIR; run to exit. */
static void
run_with_stdio(struct srv *sv, const char *const *args, const char *in,
    const char *out, const char *err, const char *want_exit)
{
	const char *names[3] = { in, out, err }, *which[3] = {
	    "QSetSTDIN", "QSetSTDOUT", "QSetSTDERR" }, *r;
	char path[256], hex[600], pkt[2048];
	int i;

	for (i = 0; i < 3; i++) {
		if (names[i] == NULL)
			continue;
		snprintf(path, sizeof(path), "%s/%s", sv->s_dir, names[i]);
		tohex(hex, sizeof(hex), path);
		snprintf(pkt, sizeof(pkt), "%s:%s", which[i], hex);
		REPLY_IS(sv, pkt, "OK");
	}
	a_packet(pkt, sizeof(pkt), args);
	REPLY_IS(sv, pkt, "OK");
	ck_assert_int_eq(rspc_send(sv->s_rc, "vCont;c", 7), 0);
	ck_assert_int_ge(rspc_wait(sv->s_rc, &r), 0);
	ck_assert_msg(strcmp(r, want_exit) == 0, "exit: %s (log %s)", r,
	    sv->s_dir);
}

/* The first line of DIR/name ("" if empty); the file is removed. */
static void
first_line(struct srv *sv, const char *name, char *buf, size_t cap)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", sv->s_dir, name);
	ck_assert_ptr_nonnull(fp = fopen(path, "r"));
	if (fgets(buf, (int)cap, fp) == NULL)
		buf[0] = '\0';
	fclose(fp);
	unlink(path);
}

START_TEST(qsetstdin_and_qsetstderr_reach_the_program)
{
	const char *cat[] = { "/bin/cat", NULL };
	const char *sh[] = { "/bin/sh", "-c", "echo to-stderr >&2; exit 3",
	    NULL };
	char path[256], buf[128];
	struct srv sv;
	FILE *fp;

	srv_start(&sv, NULL, NULL);
	snprintf(path, sizeof(path), "%s/in", sv.s_dir);
	ck_assert_ptr_nonnull(fp = fopen(path, "w"));
	fputs("from-stdin\n", fp);
	fclose(fp);
	run_with_stdio(&sv, cat, "in", "out", NULL, "W00");
	first_line(&sv, "out", buf, sizeof(buf));
	ck_assert_str_eq(buf, "from-stdin\n");
	/* The settings stay for the next launch, as on lldb-server. */
	run_with_stdio(&sv, sh, NULL, NULL, "err", "W03");
	first_line(&sv, "err", buf, sizeof(buf));
	ck_assert_str_eq(buf, "to-stderr\n");
	first_line(&sv, "out", buf, sizeof(buf));
	ck_assert_str_eq(buf, "");		/* the shell's: nothing */
	unlink(path);
	srv_finish(&sv);
}
END_TEST

/* /proc/PID/personality of the process A started, after QSetDisableASLR. */
static unsigned
personality_after(struct srv *sv, const char *setting)
{
	char prog[1024], pkt[2048], path[64], buf[32];
	const char *args[] = { prog, NULL };
	unsigned pid, pers = ~0U;
	const char *r;
	FILE *fp;

	path_of(prog, sizeof(prog), "tests/progs/hello");
	REPLY_IS(sv, setting, "OK");
	a_packet(pkt, sizeof(pkt), args);
	REPLY_IS(sv, pkt, "OK");
	r = req(sv, "qProcessInfo");
	ck_assert_int_eq(sscanf(r, "pid:%x;", &pid), 1);
	snprintf(path, sizeof(path), "/proc/%u/personality", pid);
	ck_assert_ptr_nonnull(fp = fopen(path, "r"));
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	ck_assert_int_eq(sscanf(buf, "%x", &pers), 1);
	snprintf(pkt, sizeof(pkt), "vKill;%x", pid);
	REPLY_IS(sv, pkt, "OK");
	return (pers);
}

START_TEST(qsetdisableaslr_sets_the_personality)
{
	struct srv sv;

	srv_start(&sv, NULL, NULL);
	ck_assert_uint_eq(personality_after(&sv, "QSetDisableASLR:1") &
	    0x0040000, 0x0040000);		/* ADDR_NO_RANDOMIZE */
	ck_assert_uint_eq(personality_after(&sv, "QSetDisableASLR:0") &
	    0x0040000, 0);
	srv_finish(&sv);
}
END_TEST

START_TEST(a_with_a_bad_stdout_path_says_so)
{
	char prog[1024], hex[512], pkt[2048];
	const char *args[] = { prog, NULL };
	const char *r;
	struct srv sv;

	srv_start(&sv, NULL, NULL);
	path_of(prog, sizeof(prog), "tests/progs/session");
	tohex(hex, sizeof(hex), "/nonexistent-dir/out");
	snprintf(pkt, sizeof(pkt), "QSetSTDOUT:%s", hex);
	REPLY_IS(&sv, pkt, "OK");
	a_packet(pkt, sizeof(pkt), args);
	REPLY_IS(&sv, pkt, "E08");
	r = req(&sv, "qLaunchSuccess");
	ck_assert_msg(strstr(r, "/nonexistent-dir/out") != NULL, "%s", r);
	srv_finish(&sv);
}
END_TEST

START_TEST(malformed_launch_packets_are_refused)
{
	static const char *const bad[] = {
		"A", "A,", "Axx", "A4,0,2f", "A2,1,2f", "A3,0,2f7",
		"A2,0,zz", "A2,0,2f,", "A2,0,2f;2,1,2f", "A2,0,00",
		"A99999999999999999999,0,2f", "A2,99999,2f",
		"QSetSTDOUT:", "QSetSTDOUT:zz", "QSetSTDOUT:2f7",
		"QSetSTDIN:", "QSetSTDERR:0", "QSetSTDERR:2f00",
		"QEnvironment:", "QEnvironment:NOEQUALS", "QEnvironment:=x",
		"QSetDisableASLR:", "QSetDisableASLR:2", "QSetDisableASLR:10",
		"QSetDetachOnError:", "QSetDetachOnError:x",
		"QLaunchArch:", "QLaunchArch:arm64", "QLaunchArch:i386",
		"QLaunchArch:x86_64-", "QLaunchArch:x86_6",
		NULL,
	};
	struct srv sv;
	const char *r;
	int i;

	srv_start(&sv, NULL, NULL);
	for (i = 0; bad[i] != NULL; i++)
		REPLY_ERR(&sv, bad[i]);
	r = req(&sv, "qLaunchSuccess");
	ck_assert_msg(r[0] == 'E' && r[1] != '\0', "qLaunchSuccess: %s", r);
	/* The good forms. */
	REPLY_IS(&sv, "QSetDisableASLR:0", "OK");
	REPLY_IS(&sv, "QSetDetachOnError:0", "OK");
	REPLY_IS(&sv, "QLaunchArch:x86_64-pc-linux-gnu", "OK");
	REPLY_IS(&sv, "QEnvironment:A=", "OK");
	REPLY_IS(&sv, "QSetSTDIN:2f6465762f6e756c6c", "OK");
	/* Nothing was started by any of it. */
	REPLY_ERR(&sv, "qC");
	srv_finish(&sv);
}
END_TEST

START_TEST(detach_on_error_lets_the_program_go_when_the_client_vanishes)
{
	char prog[1024], pkt[2048];
	const char *args[] = { prog, NULL };
	const char *r;
	struct srv sv;
	long long end;
	int pid;

	srv_start(&sv, NULL, NULL);
	path_of(prog, sizeof(prog), "tests/progs/spin");
	REPLY_IS(&sv, "QSetDetachOnError:1", "OK");
	a_packet(pkt, sizeof(pkt), args);
	REPLY_IS(&sv, pkt, "OK");
	r = req(&sv, "qProcessInfo");
	ck_assert_int_eq(sscanf(r, "pid:%x;", (unsigned *)&pid), 1);
	ck_assert_int_eq(tracer_of(pid), sv.s_pid);
	rspc_close(sv.s_rc);
	sv.s_rc = NULL;
	end = now_ms() + PROC_MS;
	while (tracer_of(pid) != 0 && now_ms() < end)
		usleep(10000);
	ck_assert_int_eq(tracer_of(pid), 0);	/* alive, not traced */
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	srv_finish(&sv);
}
END_TEST

START_TEST(without_detach_on_error_the_program_stays_traced)
{
	char prog[1024], pkt[2048];
	const char *args[] = { prog, NULL };
	const char *r;
	struct srv sv;
	int pid;

	srv_start(&sv, NULL, NULL);
	path_of(prog, sizeof(prog), "tests/progs/spin");
	a_packet(pkt, sizeof(pkt), args);
	REPLY_IS(&sv, pkt, "OK");
	r = req(&sv, "qProcessInfo");
	ck_assert_int_eq(sscanf(r, "pid:%x;", (unsigned *)&pid), 1);
	rspc_close(sv.s_rc);
	sv.s_rc = NULL;
	/* --multi keeps it, stopped, for the next client. */
	ck_assert(srv_err_until(&sv, "terminated connection",
	    now_ms() + PROC_MS) != NULL);
	ck_assert_int_eq(tracer_of(pid), sv.s_pid);
	srv_finish(&sv);
}
END_TEST

/* ------------------------------------------------------------ attach */

START_TEST(vattachorwait_finds_a_running_process)
{
	char path[256], name[600], pkt[700];
	const char *r;
	struct srv sv;

	srv_start(&sv, NULL, NULL);
	private_copy(&sv, "tests/progs/spin", path, sizeof(path));
	sv.s_other = start_other(path);
	wait_exec(sv.s_other, path);
	tohex(name, sizeof(name), "lp-prog");
	snprintf(pkt, sizeof(pkt), "vAttachOrWait;%s", name);
	r = req(&sv, pkt);
	ck_assert_msg(r[0] == 'T', "vAttachOrWait: %s (log %s)", r, sv.s_dir);
	ck_assert_int_eq(tracer_of(sv.s_other), sv.s_pid);
	REPLY_IS(&sv, "qAttached", "1");
	REPLY_IS(&sv, "D", "OK");
	ck_assert_int_eq(tracer_of(sv.s_other), 0);
	srv_finish(&sv);
}
END_TEST

START_TEST(vattachorwait_with_two_processes_names_both)
{
	char path[256], name[600], pkt[700], want[128];
	pid_t second;
	const char *r;
	struct srv sv;

	srv_start(&sv, NULL, NULL);
	private_copy(&sv, "tests/progs/spin", path, sizeof(path));
	sv.s_other = start_other(path);
	second = start_other(path);
	wait_exec(sv.s_other, path);
	wait_exec(second, path);
	REPLY_IS(&sv, "QEnableErrorStrings", "OK");
	tohex(name, sizeof(name), "lp-prog");
	snprintf(pkt, sizeof(pkt), "vAttachOrWait;%s", name);
	r = req(&sv, pkt);
	ck_assert_msg(strncmp(err_text(r), "Multiple executables with name: "
	    "'lp-prog' found. Pids: ", 55) == 0, "%s (log %s)", r, sv.s_dir);
	snprintf(want, sizeof(want), "%d", (int)sv.s_other);
	ck_assert_ptr_nonnull(strstr(err_text(r), want));
	snprintf(want, sizeof(want), "%d", (int)second);
	ck_assert_ptr_nonnull(strstr(err_text(r), want));
	ck_assert_int_eq(tracer_of(sv.s_other), 0);
	ck_assert_int_eq(tracer_of(second), 0);
	kill(second, SIGKILL);
	waitpid(second, NULL, 0);
	srv_finish(&sv);
}
END_TEST

START_TEST(vattachwait_finds_a_new_process)
{
	char path[256], name[600], pkt[700];
	const char *r;
	struct srv sv;

	srv_start(&sv, NULL, NULL);
	private_copy(&sv, "tests/progs/spin", path, sizeof(path));
	tohex(name, sizeof(name), path);	/* a full path: its name */
	snprintf(pkt, sizeof(pkt), "vAttachWait;%s", name);
	ck_assert_int_eq(rspc_send(sv.s_rc, pkt, strlen(pkt)), 0);
	/* Answered while waiting; other packets are refused. */
	REPLY_IS(&sv, "qAttached", "E03");
	REPLY_ERR(&sv, "g");
	sv.s_other = start_other(path);
	ck_assert_int_ge(rspc_wait(sv.s_rc, &r), 0);
	ck_assert_msg(r[0] == 'T', "vAttachWait: %s (log %s)", r, sv.s_dir);
	ck_assert_int_eq(tracer_of(sv.s_other), sv.s_pid);
	REPLY_IS(&sv, "D", "OK");
	srv_finish(&sv);
}
END_TEST

START_TEST(vattachwait_passes_over_a_process_already_there)
{
	char path[256], name[600], pkt[700];
	const char *r;
	struct srv sv;

	srv_start(&sv, SHORT_WAIT_MS, NULL);
	private_copy(&sv, "tests/progs/spin", path, sizeof(path));
	sv.s_other = start_other(path);
	wait_exec(sv.s_other, path);
	REPLY_IS(&sv, "QEnableErrorStrings", "OK");
	tohex(name, sizeof(name), "lp-prog");
	snprintf(pkt, sizeof(pkt), "vAttachWait;%s", name);
	r = req(&sv, pkt);
	ck_assert_msg(strcmp(err_text(r),
	    "timed out waiting for the process") == 0, "%s", r);
	ck_assert_int_eq(tracer_of(sv.s_other), 0);
	/* The session goes on. */
	REPLY_ERR(&sv, "qAttached");
	srv_finish(&sv);
}
END_TEST

START_TEST(vattachwait_errors_past_its_limit)
{
	char name[64], pkt[256];
	struct srv sv;

	srv_start(&sv, SHORT_WAIT_MS, NULL);
	tohex(name, sizeof(name), "lldbpkt-never-runs");
	snprintf(pkt, sizeof(pkt), "vAttachWait;%s", name);
	REPLY_IS(&sv, pkt, "E6e");		/* ETIMEDOUT */
	snprintf(pkt, sizeof(pkt), "vAttachOrWait;%s", name);
	REPLY_IS(&sv, pkt, "E6e");
	srv_finish(&sv);
}
END_TEST

START_TEST(an_interrupt_cancels_vattachwait)
{
	char name[64], pkt[256];
	const char *r;
	struct srv sv;

	srv_start(&sv, NULL, NULL);
	tohex(name, sizeof(name), "lldbpkt-never-runs");
	snprintf(pkt, sizeof(pkt), "vAttachWait;%s", name);
	ck_assert_int_eq(rspc_send(sv.s_rc, pkt, strlen(pkt)), 0);
	REPLY_HAS(&sv, "qHostInfo", "triple:");
	ck_assert_int_eq(rspc_send_raw(sv.s_rc, "\003", 1), 0);
	ck_assert_int_ge(rspc_wait(sv.s_rc, &r), 0);
	ck_assert_str_eq(r, "E04");		/* EINTR */
	/* Not waiting any more: the next vAttachWait is taken. */
	REPLY_ERR(&sv, "vAttachWait;");
	srv_finish(&sv);
}
END_TEST

START_TEST(malformed_vattachwait_is_refused)
{
	static const char *const bad[] = {
		"vAttachWait;", "vAttachWait;zz", "vAttachWait;616",
		"vAttachWait;2f", "vAttachWait;6100", "vAttachOrWait;",
		"vAttachOrWait;2f2f", "vAttachOrWait;xyz",
		NULL,
	};
	struct srv sv;
	int i;

	srv_start(&sv, NULL, NULL);
	for (i = 0; bad[i] != NULL; i++)
		REPLY_ERR(&sv, bad[i]);
	REPLY_IS(&sv, "qVAttachOrWaitSupported", "OK");
	srv_finish(&sv);
}
END_TEST

START_TEST(vattachwait_with_a_process_is_busy)
{
	struct srv sv;

	srv_start(&sv, NULL, "tests/progs/hello", NULL);
	REPLY_IS(&sv, "vAttachWait;6869", "E10");	/* EBUSY */
	srv_finish(&sv);
}
END_TEST

/* ------------------------------------------------------------ memory */

START_TEST(alloc_and_free_round_trip)
{
	static char before[RSP_MAX_PACKET];
	char pkt[128];
	unsigned long long addr;
	const char *r;
	struct srv sv;

	srv_start(&sv, NULL, "tests/progs/hello", "3", "7", NULL);
	ck_assert(req(&sv, "?")[0] == 'T');
	strlcpy(before, req(&sv, "g"), sizeof(before));
	r = req(&sv, "_M1000,rw");
	ck_assert_msg(sscanf(r, "%llx", &addr) == 1 && addr != 0 &&
	    addr % 4096 == 0, "_M: %s (log %s)", r, sv.s_dir);
	snprintf(pkt, sizeof(pkt), "M%llx,4:01020304", addr);
	REPLY_IS(&sv, pkt, "OK");
	snprintf(pkt, sizeof(pkt), "m%llx,4", addr);
	REPLY_IS(&sv, pkt, "01020304");
	snprintf(pkt, sizeof(pkt), "qMemoryRegionInfo:%llx", addr);
	REPLY_HAS(&sv, pkt, "permissions:rw;");
	/* The registers are as they were. */
	REPLY_IS(&sv, "g", before);
	snprintf(pkt, sizeof(pkt), "_m%llx", addr);
	REPLY_IS(&sv, pkt, "OK");
	snprintf(pkt, sizeof(pkt), "m%llx,4", addr);
	REPLY_ERR(&sv, pkt);
	snprintf(pkt, sizeof(pkt), "_m%llx", addr);
	REPLY_IS(&sv, pkt, "E02");		/* not ours any more */
	r = req(&sv, "_M2000,rx");
	ck_assert_msg(sscanf(r, "%llx", &addr) == 1, "_M rx: %s", r);
	snprintf(pkt, sizeof(pkt), "qMemoryRegionInfo:%llx", addr);
	REPLY_HAS(&sv, pkt, "permissions:rx;");
	REPLY_IS(&sv, "g", before);
	/* The program still runs to its end. */
	ck_assert_int_eq(rspc_send(sv.s_rc, "c", 1), 0);
	ck_assert_int_ge(rspc_wait(sv.s_rc, &r), 0);
	ck_assert_msg(strncmp(r, "W07", 3) == 0, "exit: %s", r);
	srv_finish(&sv);
}
END_TEST

/* Continue, then stop it with 0x03; the stop reply. */
static const char *
run_and_interrupt(struct srv *sv)
{
	const char *r;

	ck_assert_int_eq(rspc_send(sv->s_rc, "c", 1), 0);
	REPLY_HAS(sv, "qHostInfo", "triple:");	/* it runs meanwhile */
	ck_assert_int_eq(rspc_send_raw(sv->s_rc, "\003", 1), 0);
	ck_assert_int_ge(rspc_wait(sv->s_rc, &r), 0);
	ck_assert_msg(r[0] == 'T', "stop: %s (log %s)", r, sv->s_dir);
	return (r);
}

/*
 * _M in a thread stopped inside a system call (spin's helper, in
 * pause(): rax -ERESTARTNOHAND, rip after the syscall instruction, the
 * kernel to move it back 2 bytes on resume): its registers are back
 * afterwards and, run and stopped again, it is still in that call, at
 * the same pc.
 */
START_TEST(alloc_in_a_thread_inside_a_syscall)
{
	char helper[32], pkt[64], rip[64], regs[RSP_MAX_PACKET];
	unsigned long long addr;
	const char *r;
	struct srv sv;
	int i;

	srv_start(&sv, NULL, "tests/progs/spin", NULL);
	ck_assert(req(&sv, "?")[0] == 'T');
	/*
	 * Until the helper thread is stopped inside pause().  Listed
	 * first, it may still be in start_thread, between the system
	 * calls that set it up; run again, it would go on to pause() and
	 * stop at another pc.
	 */
	for (i = 0; i < SPIN_TRIES; i++) {
		run_and_interrupt(&sv);
		r = req(&sv, "qfThreadInfo");
		if (r[0] != 'm' || strchr(r, ',') == NULL)
			continue;
		strlcpy(helper, strchr(r, ',') + 1, sizeof(helper));
		snprintf(pkt, sizeof(pkt), "Hg%s", helper);
		REPLY_IS(&sv, pkt, "OK");
		if (strcmp(req(&sv, "p0"), RAX_IN_PAUSE) == 0)
			break;
	}
	ck_assert_msg(i < SPIN_TRIES, "helper never in pause() (log %s)",
	    sv.s_dir);
	strlcpy(rip, req(&sv, "p10"), sizeof(rip));
	strlcpy(regs, req(&sv, "g"), sizeof(regs));
	r = req(&sv, "_M1000,rwx");
	ck_assert_msg(sscanf(r, "%llx", &addr) == 1, "_M: %s (log %s)", r,
	    sv.s_dir);
	REPLY_IS(&sv, "g", regs);
	run_and_interrupt(&sv);
	REPLY_IS(&sv, pkt, "OK");
	REPLY_IS(&sv, "p10", rip);
	snprintf(pkt, sizeof(pkt), "_m%llx", addr);
	REPLY_IS(&sv, pkt, "OK");
	run_and_interrupt(&sv);
	srv_finish(&sv);
}
END_TEST

START_TEST(malformed_alloc_is_refused)
{
	static const char *const bad[] = {
		"_M", "_M,rw", "_M1000", "_M0,rw", "_M1000,rq", "_M1000,r w",
		"_Mzz,rw", "_M100000001,rw", "_m", "_mzz", "_m1000,",
		"_m10000000000000000",
		NULL,
	};
	struct srv sv;
	int i;

	srv_start(&sv, NULL, "tests/progs/hello", NULL);
	for (i = 0; bad[i] != NULL; i++)
		REPLY_ERR(&sv, bad[i]);
	REPLY_IS(&sv, "_m1000", "E02");		/* never allocated */
	REPLY_IS(&sv, "_Q", "");
	srv_finish(&sv);
}
END_TEST

START_TEST(alloc_without_a_process_is_an_error)
{
	struct srv sv;

	srv_start(&sv, NULL, NULL);
	REPLY_IS(&sv, "_M1000,rw", "E03");
	REPLY_IS(&sv, "_m1000", "E03");
	srv_finish(&sv);
}
END_TEST

/* ------------------------------------------------------------ registers */

START_TEST(saved_register_states_up_to_the_limit)
{
	char want[16], rip[64], pkt[128];
	const char *r;
	struct srv sv;
	int i;

	srv_start(&sv, NULL, "tests/progs/hello", NULL);
	REPLY_IS(&sv, "QThreadSuffixSupported", "OK");
	strlcpy(rip, req(&sv, "p10"), sizeof(rip));
	for (i = 1; i <= GDB_MAX_SAVED_REGS; i++) {
		snprintf(want, sizeof(want), "%d", i);
		REPLY_IS(&sv, "QSaveRegisterState", want);
	}
	REPLY_IS(&sv, "QSaveRegisterState", "E1c");	/* ENOSPC */
	/* A restore frees its slot; the ids go on. */
	REPLY_IS(&sv, "P10=0000000000000000", "OK");
	REPLY_IS(&sv, "p10", "0000000000000000");
	REPLY_IS(&sv, "QRestoreRegisterState:1", "OK");
	REPLY_IS(&sv, "p10", rip);
	REPLY_IS(&sv, "QRestoreRegisterState:1", "E02");	/* used */
	snprintf(want, sizeof(want), "%d", GDB_MAX_SAVED_REGS + 1);
	REPLY_IS(&sv, "QSaveRegisterState", want);
	REPLY_IS(&sv, "QSaveRegisterState", "E1c");
	/* With lldb's thread suffix. */
	snprintf(pkt, sizeof(pkt), "QRestoreRegisterState:2;thread:%x;",
	    (unsigned)sv.s_inferior);
	REPLY_IS(&sv, pkt, "OK");
	snprintf(pkt, sizeof(pkt), "QSaveRegisterState;thread:%x;",
	    (unsigned)sv.s_inferior);
	snprintf(want, sizeof(want), "%d", GDB_MAX_SAVED_REGS + 2);
	REPLY_IS(&sv, pkt, want);
	r = req(&sv, "?");
	ck_assert_msg(r[0] == 'T', "?: %s", r);
	srv_finish(&sv);
}
END_TEST

START_TEST(malformed_register_state_packets_are_refused)
{
	static const char *const bad[] = {
		"QSaveRegisterStateX", "QSaveRegisterState;",
		"QSaveRegisterState;thread:zz;", "QSaveRegisterState;thread:;",
		"QSaveRegisterState;thread:1;x",
		"QRestoreRegisterState:", "QRestoreRegisterState:0",
		"QRestoreRegisterState:abc", "QRestoreRegisterState:-1",
		"QRestoreRegisterState:99999999999",
		"QRestoreRegisterState:1;thread:zz;",
		NULL,
	};
	struct srv sv;
	int i;

	srv_start(&sv, NULL, "tests/progs/hello", NULL);
	for (i = 0; bad[i] != NULL; i++)
		REPLY_ERR(&sv, bad[i]);
	REPLY_IS(&sv, "QSaveRegisterState;thread:7fffffff;", "E03");
	REPLY_IS(&sv, "QRestoreRegisterState:5", "E02");
	REPLY_IS(&sv, "QSaveRegisterState", "1");
	srv_finish(&sv);
}
END_TEST

/* ------------------------------------------------------------ threads */

START_TEST(jthreadsinfo_and_lldb_stop_keys)
{
	char want[64];
	const char *r;
	struct srv sv;

	srv_start(&sv, NULL, "tests/progs/hello", NULL);
	REPLY_IS(&sv, "QListThreadsInStopReply", "OK");
	r = req(&sv, "jThreadsInfo");
	ck_assert_msg(strncmp(r, "[{", 2) == 0, "jThreadsInfo: %s", r);
	snprintf(want, sizeof(want), "\"tid\":%d}]", (int)sv.s_inferior);
	ck_assert_msg(strstr(r, want) != NULL, "jThreadsInfo: %s", r);
	ck_assert_msg(strstr(r, "\"name\":\"hello\"") != NULL, "%s", r);
	ck_assert_msg(strstr(r, "\"registers\":{\"16\":\"") != NULL, "%s", r);
	r = req(&sv, "?");
	ck_assert_msg(strstr(r, ";name:hello;") != NULL &&
	    strstr(r, "reason:signal;") != NULL &&
	    strstr(r, "thread-pcs:") != NULL, "?: %s", r);
	REPLY_IS(&sv, "jThreadsInfoX", "");
	srv_finish(&sv);
}
END_TEST

/* ------------------------------------------------------------ suite */

static void
add(Suite *s, const char *name, const TTest *t)
{
	ck_add(s, name, t, 60, NULL);
}

static Suite *
lldbpkt_suite(void)
{
	Suite	*s = suite_create("lldbpkt");

	add(s, "A with a bad path fails, qLaunchSuccess says why",
	    a_with_a_bad_path_fails_and_qlaunchsuccess_says_why);
	add(s, "vRun of a program open for writing: execve failed",
	    vrun_of_a_busy_program_says_execve_failed);
	add(s, "A launches with QSetSTDOUT and QEnvironment",
	    a_launches_with_stdout_and_environment_settings);
	add(s, "QSetSTDIN and QSetSTDERR reach the program",
	    qsetstdin_and_qsetstderr_reach_the_program);
	add(s, "QSetDisableASLR sets the personality",
	    qsetdisableaslr_sets_the_personality);
	add(s, "A with a bad stdout path says so",
	    a_with_a_bad_stdout_path_says_so);
	add(s, "malformed launch packets are refused",
	    malformed_launch_packets_are_refused);
	add(s, "QSetDetachOnError: the program goes on when the client "
	    "vanishes",
	    detach_on_error_lets_the_program_go_when_the_client_vanishes);
	add(s, "without QSetDetachOnError the program stays traced",
	    without_detach_on_error_the_program_stays_traced);
	add(s, "vAttachOrWait finds a running process",
	    vattachorwait_finds_a_running_process);
	add(s, "vAttachOrWait with two processes names both",
	    vattachorwait_with_two_processes_names_both);
	add(s, "vAttachWait finds a new process",
	    vattachwait_finds_a_new_process);
	add(s, "vAttachWait passes over a process already there",
	    vattachwait_passes_over_a_process_already_there);
	add(s, "vAttachWait errors past its limit",
	    vattachwait_errors_past_its_limit);
	add(s, "an interrupt cancels vAttachWait",
	    an_interrupt_cancels_vattachwait);
	add(s, "malformed vAttachWait is refused",
	    malformed_vattachwait_is_refused);
	add(s, "vAttachWait with a process is busy",
	    vattachwait_with_a_process_is_busy);
	add(s, "_M/_m round trip", alloc_and_free_round_trip);
	add(s, "_M in a thread inside a system call",
	    alloc_in_a_thread_inside_a_syscall);
	add(s, "malformed _M/_m is refused", malformed_alloc_is_refused);
	add(s, "_M/_m without a process is an error",
	    alloc_without_a_process_is_an_error);
	add(s, "QSaveRegisterState up to GDB_MAX_SAVED_REGS",
	    saved_register_states_up_to_the_limit);
	add(s, "malformed register state packets are refused",
	    malformed_register_state_packets_are_refused);
	add(s, "jThreadsInfo and lldb's stop keys",
	    jthreadsinfo_and_lldb_stop_keys);
	return (s);
}

int
main(void)
{
	return (ck_run(lldbpkt_suite()));
}
