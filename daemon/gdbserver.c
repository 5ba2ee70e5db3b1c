/*
 * gdbserver.c -- "handoffd gdbserver": one session, gdbserver's command
 * line, the listener and the session in one process.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/gdb.h"
#include "daemon/conn.h"
#include "daemon/handoffd.h"
#include "daemon/listen.h"
#include "daemon/log.h"
#include "daemon/loop.h"

struct gdbserver {
	struct loop	*gs_loop;
	struct gsess	*gs_sess;
	struct endpoint	 gs_ep;
};

static void
gdbserver_usage(FILE *fp)
{
	fprintf(fp,
"Usage:\thandoffd gdbserver [OPTIONS] COMM PROG [ARGS ...]\n"
"\thandoffd gdbserver [OPTIONS] --attach COMM PID\n"
"\thandoffd gdbserver [OPTIONS] --multi COMM\n"
"\n"
"COMM may be [HOST]:PORT (port 0 picks a free one; TCP listens on\n"
"loopback unless HOST is given), a unix socket path (unix:PATH or a\n"
"path with a '/'), or '-' to use stdin and stdout.\n"
"\n"
"Options:\n"
"  --attach               attach to the running process PID\n"
"  --multi                start with no process and serve client after\n"
"                         client (extended-remote)\n"
"  --once                 exit after the first client has gone\n"
"  --wrapper WRAPPER --   run the program through WRAPPER\n"
"  --startup-with-shell   start the program through the shell (default)\n"
"  --no-startup-with-shell\n"
"  --disable-randomization / --no-disable-randomization\n"
"  --debug                log decisions; twice: every packet too\n"
"  --remote-debug         log every packet\n"
"  --log-file FILE        log to FILE rather than stderr\n"
"  --disable-packet=vCont,Tthread,qC,qfThreadInfo,T,threads\n"
"                         behave as a server without these (for tests)\n"
"  --help, --version\n");
}

static void
on_sigchld(int sig, void *arg)
{
	struct gdbserver *gs = arg;

	gdb_poll(gs->gs_sess);
}

static void
on_terminate(int sig, void *arg)
{
	struct gdbserver *gs = arg;

	log_info("signal %d: ending the session", sig);
	if (gs->gs_sess->s_conn != NULL) {
		conn_close(gs->gs_sess->s_conn);
		gs->gs_sess->s_conn = NULL;
	}
	gdb_end_all(gs->gs_sess);
	gs->gs_sess->s_quit = true;
	loop_stop(gs->gs_loop);
}

static void	gdbserver_accept(int, int, void *);

/*
 * A startup failure, in gdbserver's words and shape (the message, then
 * "Exiting"), which scripts and GDB's testsuite wait for.  Status 1.
 */
static void __attribute__((noreturn, format(printf, 1, 2)))
startup_fail(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nExiting\n");
	exit(1);
}

static void
gdbserver_wait_client(struct gdbserver *gs)
{
	if (gs->gs_ep.ep_kind == EP_STDIO)
		return;
	if (loop_add_fd(gs->gs_loop, gs->gs_ep.ep_fd, LOOP_READ,
	    gdbserver_accept, gs) == -1)
		fatal("loop_add_fd");
}

static void
gdbserver_accept(int fd, int events, void *arg)
{
	struct gdbserver *gs = arg;
	char desc[256];
	int cfd;

	if ((cfd = ep_accept(&gs->gs_ep, desc, sizeof(desc))) == -1) {
		if (errno != EAGAIN && errno != EINTR)
			log_warn("accept");
		return;
	}
	/* One client at a time, as gdbserver. */
	loop_del_fd(gs->gs_loop, gs->gs_ep.ep_fd);
	fprintf(stderr, "Remote debugging from %s\n", desc);
	log_info("client connected: %s", desc);
	gsess_attach_conn(gs->gs_sess, cfd, cfd, "client");
}

/* Split off "--wrapper WORDS... --" before getopt sees the rest. */
static char *
take_wrapper(int *argc, char **argv)
{
	char buf[4096] = "";
	int i, j, end;

	for (i = 1; i < *argc; i++) {
		if (strcmp(argv[i], "--wrapper") != 0)
			continue;
		for (end = i + 1; end < *argc && strcmp(argv[end], "--") != 0;
		    end++) {
			if (buf[0] != '\0')
				strlcat(buf, " ", sizeof(buf));
			strlcat(buf, argv[end], sizeof(buf));
		}
		if (end == *argc || buf[0] == '\0')
			errx(1, "--wrapper needs WRAPPER ARGS... --");
		for (j = end + 1; j <= *argc; j++)
			argv[i + j - end - 1] = argv[j];
		*argc -= end - i + 1;
		return xstrdup(buf);
	}
	return NULL;
}

/* --disable-packet=vCont,Tthread,qC,qfThreadInfo,T,threads */
static int
disable_packets(const char *list, unsigned *mask)
{
	static const struct {
		const char	*name;
		unsigned	 bits;
	} names[] = {
		{ "vCont", GDB_DISABLE_VCONT },
		{ "Tthread", GDB_DISABLE_TTHREAD },
		{ "qC", GDB_DISABLE_QC },
		{ "qfThreadInfo", GDB_DISABLE_QFTHREADINFO },
		{ "T", GDB_DISABLE_T },
		{ "threads", GDB_DISABLE_THREADS },
	};
	char copy[256], *w, *save = NULL;
	size_t i;

	if (strlcpy(copy, list, sizeof(copy)) >= sizeof(copy))
		return -1;
	for (w = strtok_r(copy, ",", &save); w != NULL;
	    w = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			if (strcmp(w, names[i].name) == 0)
				break;
		}
		if (i == sizeof(names) / sizeof(names[0])) {
			warnx("Don't know how to disable \"%s\".", w);
			return -1;
		}
		*mask |= names[i].bits;
	}
	return 0;
}

static void
start_program(struct gdbserver *gs, char **argv, const char *attach)
{
	struct gsess *s = gs->gs_sess;
	char err[512];
	const char *errstr;
	pid_t pid;

	if (attach != NULL) {
		pid = strtonum(attach, 1, INT32_MAX, &errstr);
		if (errstr != NULL)
			startup_fail("%s: bad pid.", attach);
		if (gdb_attach(s, pid) == -1)
			startup_fail("Cannot attach to process %d: %s (%d)",
			    (int)pid, strerror(errno), errno);
		return;
	}
	gsess_set_program(s, argv);
	if (s->s_stdio)
		fprintf(stderr, "stdin/stdout redirected\n");
	if (gdb_launch(s, argv, err, sizeof(err)) == -1)
		startup_fail("%s", err);
}

int
cmd_gdbserver(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "attach", no_argument, NULL, 'a' },
		{ "multi", no_argument, NULL, 'm' },
		{ "once", no_argument, NULL, 'o' },
		{ "startup-with-shell", no_argument, NULL, 'S' },
		{ "no-startup-with-shell", no_argument, NULL, 'N' },
		{ "disable-randomization", no_argument, NULL, 'R' },
		{ "no-disable-randomization", no_argument, NULL, 'r' },
		{ "debug", no_argument, NULL, 'd' },
		{ "remote-debug", no_argument, NULL, 'D' },
		{ "log-file", required_argument, NULL, 'l' },
		{ "disable-packet", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct gdbserver gs = { 0 };
	const char *logfile = NULL;
	char *wrapper, err[512];
	bool attach = false, multi = false, once = false, shell = true;
	bool no_aslr = true;
	unsigned disabled = 0;
	int ch, level = 0;

	wrapper = take_wrapper(&argc, argv);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (ch) {
		case 'a': attach = true; break;
		case 'm': multi = true; break;
		case 'o': once = true; break;
		case 'S': shell = true; break;
		case 'N': shell = false; break;
		case 'R': no_aslr = true; break;
		case 'r': no_aslr = false; break;
		case 'd': level = level < 1 ? 1 : 2; break;
		case 'D': level = 2; break;
		case 'l': logfile = optarg; break;
		case 'P':
			if (disable_packets(optarg, &disabled) == -1) {
				gdbserver_usage(stderr);
				return 1;
			}
			break;
		case 'h':
			gdbserver_usage(stdout);
			return 0;
		case 'V':
			handoffd_version();
			return 0;
		default:
			gdbserver_usage(stderr);
			return 1;
		}
	}
	argc -= optind;
	argv += optind;
	/* --attach used to come after COMM; gdbserver still takes it there. */
	if (argc >= 2 && strcmp(argv[1], "--attach") == 0) {
		attach = true;
		argv[1] = argv[0];
		argc--;
		argv++;
	}
	if (argc < 1 || (attach && argc != 2) || (!attach && !multi && argc < 2)) {
		gdbserver_usage(stderr);
		return 1;
	}
	log_init(level, logfile);
	if (regs_init() == -1)
		fatal("cannot describe this CPU's registers");
	if (ep_parse(&gs.gs_ep, argv[0], err, sizeof(err)) == -1)
		startup_fail("%s", err);

	gs.gs_loop = loop_new();
	gs.gs_sess = gsess_new(gs.gs_loop);
	gs.gs_sess->s_multi = gs.gs_sess->s_extended = multi;
	gs.gs_sess->s_once = once;
	gs.gs_sess->s_shell = shell;
	gs.gs_sess->s_no_aslr = no_aslr;
	gs.gs_sess->s_wrapper = wrapper;
	gs.gs_sess->s_stdio = (gs.gs_ep.ep_kind == EP_STDIO);
	gs.gs_sess->s_disabled = disabled;
	signal(SIGPIPE, SIG_IGN);
	if (loop_add_signal(gs.gs_loop, SIGCHLD, on_sigchld, &gs) == -1 ||
	    loop_add_signal(gs.gs_loop, SIGTERM, on_terminate, &gs) == -1 ||
	    loop_add_signal(gs.gs_loop, SIGINT, on_terminate, &gs) == -1 ||
	    loop_add_signal(gs.gs_loop, SIGHUP, on_terminate, &gs) == -1)
		fatal("signals");

	if (argc >= 2)
		start_program(&gs, argv + 1, attach ? argv[1] : NULL);

	if (ep_listen(&gs.gs_ep, err, sizeof(err)) == -1) {
		gdb_end_all(gs.gs_sess);
		startup_fail("%s", err);
	}
	if (gs.gs_ep.ep_kind == EP_TCP)
		fprintf(stderr, "Listening on port %d\n", gs.gs_ep.ep_bound_port);
	else if (gs.gs_ep.ep_kind == EP_UNIX)
		fprintf(stderr, "Listening on unix socket %s\n",
		    gs.gs_ep.ep_path);
	fflush(stderr);

	if (gs.gs_ep.ep_kind == EP_STDIO) {
		fprintf(stderr, "Remote debugging using stdio\n");
		gsess_attach_conn(gs.gs_sess, 0, 1, "client");
	} else
		gdbserver_wait_client(&gs);

	while (!gsess_done(gs.gs_sess) && !loop_stopped(gs.gs_loop)) {
		bool had = gs.gs_sess->s_conn != NULL;

		if (loop_once(gs.gs_loop, -1) == -1)
			fatal("event loop");
		if (had && gs.gs_sess->s_conn == NULL && !gs.gs_sess->s_quit)
			gdbserver_wait_client(&gs);
	}
	if (gs.gs_sess->s_conn != NULL)
		conn_flush(gs.gs_sess->s_conn);
	ep_close(&gs.gs_ep);
	gsess_free(gs.gs_sess);
	loop_free(gs.gs_loop);
	return 0;
}
