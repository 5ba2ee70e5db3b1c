/*
 * check_output.c -- the launched program's output reaches lldb as O
 * packets, as lldb-server sends it.
 *
 * Each test starts "handoffd gdbserver --multi" on a free loopback port
 * and speaks RSP to it with the client library: as lldb (A launches on
 * a pseudo-terminal; its output comes as O packets before the stop
 * reply, with \r\n line ends; nothing is read while the program is
 * stopped; a flood is throttled, not buffered; I is input), with
 * QSetSTDOUT (the file has the output, no O), and as gdb (no O: the
 * program inherits the server's stdio).
 */
#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/rspc.h"
#include "tests/ck.h"
#include "tests/integration/itest.h"

/* Requests on a test's server (struct srv: s_rc, s_dir). */
#define req(sv, pkt)	itest_req((sv)->s_rc, (pkt), (sv)->s_dir)
#define REPLY_IS(sv, pkt, want) \
	ITEST_REPLY_IS((sv)->s_rc, (sv)->s_dir, (pkt), (want))

#define SRV_START_MS	10000	/* for "Listening on port N" */
#define SRV_GONE_MS	10000	/* for the server to end */
#define SRV_MAX_ERR	65536	/* bytes of the server's stderr kept */
#define OUT_MAX		4096	/* bytes of program output a test keeps */
#define QUIET_MS	800	/* no packet while the program is stopped */
#define FLOOD_BYTES	(24 << 20)	/* the program's output in the flood */
#define FLOOD_STALL_MS	1500	/* the client reads nothing meanwhile */
#define FLOOD_GROWTH_KB	(16 << 10)	/* the server may grow this much */
#define LISTENING	"Listening on port "

struct srv {
	pid_t		 s_pid;
	int		 s_errfd;
	char		 s_err[SRV_MAX_ERR];
	size_t		 s_errlen;
	char		 s_dir[64];	/* private temp dir */
	struct rspc	*s_rc;
};

/* gdb's qSupported features (lldb never sends swbreak+). */
#define GDB_FEATURES	"multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386;" \
			"vContSupported+"

/* handoffd gdbserver --multi, connected, no-ack; lldb if lldb. */
static void
srv_start(struct srv *sv, bool lldb)
{
	char exe[1024], log[128], addr[64];
	/* The shells here fork: their children run on, as gdbserver's. */
	char *argv[] = { exe, "gdbserver", "--remote-debug", "--log-file",
	    log, "--fork-mode", "detach", "--multi", "127.0.0.1:0", NULL };
	const char *hit, *r;

	memset(sv, 0, sizeof(*sv));
	snprintf(sv->s_dir, sizeof(sv->s_dir), "/tmp/handoffd-output.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(sv->s_dir));
	snprintf(log, sizeof(log), "%s/server.log", sv->s_dir);
	path_of(exe, sizeof(exe), "handoffd");
	sv->s_pid = spawn(argv, &sv->s_errfd);
	hit = read_until(sv->s_errfd, sv->s_err, sizeof(sv->s_err),
	    &sv->s_errlen, LISTENING, now_ms() + SRV_START_MS);
	ck_assert_msg(hit != NULL, "server did not start: %s", sv->s_err);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d",
	    atoi(hit + strlen(LISTENING)));
	sv->s_rc = rspc_connect(addr);
	ck_assert_msg(sv->s_rc != NULL, "connect %s: %s", addr,
	    strerror(errno));
	ck_assert_int_eq(rspc_handshake(sv->s_rc, lldb ? NULL : GDB_FEATURES),
	    0);
	if (lldb) {
		ck_assert_int_ge(rspc_requeststr(sv->s_rc,
		    "QThreadSuffixSupported", &r), 0);
		ck_assert_str_eq(r, "OK");
	}
}

static void
srv_finish(struct srv *sv)
{
	char path[128];

	rspc_close(sv->s_rc);
	kill(sv->s_pid, SIGTERM);
	if (wait_exit(sv->s_pid, SRV_GONE_MS) == -1) {
		kill(sv->s_pid, SIGKILL);
		waitpid(sv->s_pid, NULL, 0);
	}
	/* All it said, to EOF: nothing from ASan or UBSan. */
	read_until(sv->s_errfd, sv->s_err, sizeof(sv->s_err), &sv->s_errlen,
	    "\001", now_ms() + SRV_GONE_MS);
	close(sv->s_errfd);
	ck_assert_msg(strstr(sv->s_err, "Sanitizer") == NULL &&
	    strstr(sv->s_err, "runtime error") == NULL, "%s", sv->s_err);
	snprintf(path, sizeof(path), "%s/server.log", sv->s_dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/out", sv->s_dir);
	unlink(path);
	rmdir(sv->s_dir);
}

/* A with the arguments (NULL-ended), then qLaunchSuccess: both OK. */
static void
launch_a(struct srv *sv, ...)
{
	char pkt[8192];
	const char *a;
	size_t len = 1;
	va_list ap;
	int i = 0;

	pkt[0] = 'A';
	va_start(ap, sv);
	while ((a = va_arg(ap, const char *)) != NULL) {
		len += snprintf(pkt + len, sizeof(pkt) - len, "%s%zu,%d,",
		    i > 0 ? "," : "", 2 * strlen(a), i);
		ck_assert_uint_lt(len + 2 * strlen(a), sizeof(pkt));
		rsp_tohex(pkt + len, a, strlen(a));
		len += 2 * strlen(a);
		i++;
	}
	va_end(ap);
	pkt[len] = '\0';
	REPLY_IS(sv, pkt, "OK");
	REPLY_IS(sv, "qLaunchSuccess", "OK");
}

static void
hello_path(char *dst, size_t cap)
{
	path_of(dst, cap, "tests/progs/hello");
}

/*
 * Read packets until one is not an O packet; the O payloads, decoded,
 * go into out (NUL-terminated, the rest counted in *total).  Returns a
 * copy of the packet that ended it (static).
 */
static const char *
collect(struct srv *sv, char *out, size_t cap, size_t *total)
{
	static char last[256];
	const char *r;
	ssize_t n;
	size_t len = 0, k;

	*total = 0;
	for (;;) {
		n = rspc_wait(sv->s_rc, &r);
		ck_assert_msg(n >= 0, "waiting: %s (log %s)", strerror(errno),
		    sv->s_dir);
		if (r[0] != 'O' || n < 3)
			break;
		ck_assert_int_eq(n % 2, 1);
		k = (size_t)(n - 1) / 2;
		if (len + k < cap) {
			ck_assert_int_eq(rsp_fromhex(out + len, r + 1, k), 0);
			len += k;
		}
		*total += k;
	}
	out[len] = '\0';
	strlcpy(last, r, sizeof(last));
	return (last);
}

/* VmRSS of pid, in kB. */
static long
rss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	ck_assert_ptr_nonnull(fp = fopen(path, "re"));
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			break;
	}
	fclose(fp);
	return (kb);
}

/* ------------------------------------------------------------ tests */

START_TEST(output_comes_as_o_packets_before_the_exit)
{
	char prog[1024], out[OUT_MAX];
	const char *stop;
	struct srv sv;
	size_t total;

	srv_start(&sv, true);
	hello_path(prog, sizeof(prog));
	launch_a(&sv, prog, "4", NULL);
	ck_assert_int_eq(rspc_send(sv.s_rc, "c", 1), 0);
	stop = collect(&sv, out, sizeof(out), &total);
	ck_assert_str_eq(out, "sum 6\r\n");
	ck_assert_msg(strncmp(stop, "W00", 3) == 0, "stop reply %s", stop);
	/* The next program gets a terminal of its own. */
	launch_a(&sv, prog, "5", NULL);
	ck_assert_int_eq(rspc_send(sv.s_rc, "c", 1), 0);
	stop = collect(&sv, out, sizeof(out), &total);
	ck_assert_str_eq(out, "sum 10\r\n");
	ck_assert_msg(strncmp(stop, "W00", 3) == 0, "stop reply %s", stop);
	srv_finish(&sv);
}
END_TEST

START_TEST(output_while_stopped_waits_for_the_resume)
{
	char out[OUT_MAX];
	const char *stop, *r;
	struct srv sv;
	size_t total;

	srv_start(&sv, true);
	/* The child writes while its parent is stopped for the client. */
	launch_a(&sv, "/bin/sh", "-c",
	    "echo before; (sleep 0.3; echo late) & kill -STOP $$; echo after",
	    NULL);
	ck_assert_int_eq(rspc_send(sv.s_rc, "c", 1), 0);
	stop = collect(&sv, out, sizeof(out), &total);
	ck_assert_str_eq(out, "before\r\n");
	ck_assert_msg(strncmp(stop, "T13", 3) == 0, "stop reply %s", stop);
	sv.s_rc->r_timeout_ms = QUIET_MS;
	ck_assert_msg(rspc_wait(sv.s_rc, &r) == -1 && errno == ETIMEDOUT,
	    "a packet while stopped: %s", r);
	sv.s_rc->r_timeout_ms = RSPC_DEFAULT_TIMEOUT_MS;
	ck_assert_int_eq(rspc_send(sv.s_rc, "c", 1), 0);
	stop = collect(&sv, out, sizeof(out), &total);
	/* What the child wrote meanwhile comes first, then SIGCHLD. */
	ck_assert_str_eq(out, "late\r\n");
	ck_assert_msg(strncmp(stop, "T11", 3) == 0, "stop reply %s", stop);
	/* SIGCHLD is not passed: the shell does not need it. */
	ck_assert_int_eq(rspc_send(sv.s_rc, "c", 1), 0);
	stop = collect(&sv, out, sizeof(out), &total);
	ck_assert_str_eq(out, "after\r\n");
	ck_assert_msg(strncmp(stop, "W00", 3) == 0, "stop reply %s", stop);
	srv_finish(&sv);
}
END_TEST

START_TEST(a_flood_is_throttled_and_the_session_goes_on)
{
	char prog[1024], out[OUT_MAX], count[32];
	const char *stop;
	struct srv sv;
	size_t total;
	long before, after;

	srv_start(&sv, true);
	snprintf(count, sizeof(count), "%d", FLOOD_BYTES);
	launch_a(&sv, "/usr/bin/head", "-c", count, "/dev/zero", NULL);
	before = rss_kb(sv.s_pid);
	ck_assert_int_eq(rspc_send(sv.s_rc, "c", 1), 0);
	usleep(FLOOD_STALL_MS * 1000);
	after = rss_kb(sv.s_pid);
	ck_assert_msg(after - before < FLOOD_GROWTH_KB,
	    "the server grew from %ld kB to %ld kB", before, after);
	stop = collect(&sv, out, sizeof(out), &total);
	ck_assert_uint_eq(total, FLOOD_BYTES);
	ck_assert_msg(strncmp(stop, "W00", 3) == 0, "stop reply %s", stop);
	hello_path(prog, sizeof(prog));
	launch_a(&sv, prog, NULL);
	ck_assert_int_eq(rspc_send(sv.s_rc, "c", 1), 0);
	stop = collect(&sv, out, sizeof(out), &total);
	ck_assert_str_eq(out, "sum 3\r\n");
	ck_assert_msg(strncmp(stop, "W00", 3) == 0, "stop reply %s", stop);
	srv_finish(&sv);
}
END_TEST

START_TEST(qsetstdout_sends_the_output_to_the_file_not_as_o)
{
	char prog[1024], out[OUT_MAX], path[128], pkt[512], buf[64];
	const char *stop;
	struct srv sv;
	size_t total;
	FILE *fp;

	srv_start(&sv, true);
	snprintf(path, sizeof(path), "%s/out", sv.s_dir);
	memcpy(pkt, "QSetSTDOUT:", 11);
	rsp_tohex(pkt + 11, path, strlen(path));
	pkt[11 + 2 * strlen(path)] = '\0';
	REPLY_IS(&sv, pkt, "OK");
	hello_path(prog, sizeof(prog));
	launch_a(&sv, prog, NULL);
	ck_assert_int_eq(rspc_send(sv.s_rc, "c", 1), 0);
	stop = collect(&sv, out, sizeof(out), &total);
	ck_assert_uint_eq(total, 0);
	ck_assert_msg(strncmp(stop, "W00", 3) == 0, "stop reply %s", stop);
	ck_assert_ptr_nonnull(fp = fopen(path, "re"));
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	ck_assert_str_eq(buf, "sum 3\n");
	srv_finish(&sv);
}
END_TEST

START_TEST(a_gdb_client_gets_no_o_packets)
{
	char prog[1024], out[OUT_MAX], pkt[2200];
	const char *stop;
	struct srv sv;
	size_t total;

	srv_start(&sv, false);
	hello_path(prog, sizeof(prog));
	memcpy(pkt, "vRun;", 5);
	rsp_tohex(pkt + 5, prog, strlen(prog));
	pkt[5 + 2 * strlen(prog)] = '\0';
	ck_assert_msg(req(&sv, pkt)[0] == 'T', "vRun");
	ck_assert_int_eq(rspc_send(sv.s_rc, "c", 1), 0);
	stop = collect(&sv, out, sizeof(out), &total);
	ck_assert_uint_eq(total, 0);
	ck_assert_msg(strncmp(stop, "W00", 3) == 0, "stop reply %s", stop);
	srv_finish(&sv);
}
END_TEST

START_TEST(i_packets_are_the_programs_input)
{
	char out[OUT_MAX], pkt[64];
	const char *stop;
	struct srv sv;
	size_t total;

	srv_start(&sv, true);
	/* No program, no terminal: lldb-server's E15. */
	REPLY_IS(&sv, "I6869", "E15");
	launch_a(&sv, "/bin/sh", "-c", "read x; echo got $x", NULL);
	memcpy(pkt, "I", 1);
	rsp_tohex(pkt + 1, "hi\n", 3);
	pkt[7] = '\0';
	REPLY_IS(&sv, pkt, "OK");
	REPLY_IS(&sv, "Ixyz", "E16");
	ck_assert_int_eq(rspc_send(sv.s_rc, "c", 1), 0);
	stop = collect(&sv, out, sizeof(out), &total);
	/* The terminal echoes the input, as lldb-server's does. */
	ck_assert_str_eq(out, "hi\r\ngot hi\r\n");
	ck_assert_msg(strncmp(stop, "W00", 3) == 0, "stop reply %s", stop);
	srv_finish(&sv);
}
END_TEST

/* ------------------------------------------------------------ suite */

static Suite *
output_suite(void)
{
	Suite *s = suite_create("output");

	ck_add(s, "output comes as O packets before the exit",
	    output_comes_as_o_packets_before_the_exit, 60, NULL);
	ck_add(s, "output while stopped waits for the resume",
	    output_while_stopped_waits_for_the_resume, 60, NULL);
	ck_add(s, "a flood is throttled and the session goes on",
	    a_flood_is_throttled_and_the_session_goes_on, 120, NULL);
	ck_add(s, "QSetSTDOUT sends the output to the file, not as O",
	    qsetstdout_sends_the_output_to_the_file_not_as_o, 60, NULL);
	ck_add(s, "a gdb client gets no O packets",
	    a_gdb_client_gets_no_o_packets, 60, NULL);
	ck_add(s, "I packets are the program's input",
	    i_packets_are_the_programs_input, 60, NULL);
	return (s);
}

int
main(void)
{
	return (ck_run(output_suite()));
}
