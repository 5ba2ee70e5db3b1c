/*
 * gdbserver.c -- "handoffd gdbserver": one session, gdbserver's command
 * line, the listener and the session in one process.
 */
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/gdb.h"
#include "daemon/conn.h"
#include "daemon/handoff.h"
#include "daemon/handoffd.h"
#include "daemon/listen.h"
#include "daemon/log.h"
#include "daemon/loop.h"
#include "platform/caps.h"

#define GDBSERVER_MAX_CHANNELS	1024	/* bytes of --log-channels read */
#define GDBSERVER_COMM_MAX	15	/* bytes the kernel keeps of a name */
#define GDBSERVER_PIPE_WAIT	10000	/* ms for a --named-pipe reader */
#define GDBSERVER_PIPE_POLL	10	/* ms between tries */

struct gdbserver {
	struct loop	*gs_loop;
	struct gsess	*gs_sess;
	struct endpoint	 gs_ep;
	bool		 gs_accepting;	/* the listener is on the loop */
};

static void
gdbserver_usage(FILE *fp)
{
	fprintf(fp,
"Usage:\thandoffd gdbserver [OPTIONS] COMM PROG [ARGS ...]\n"
"\thandoffd gdbserver [OPTIONS] --attach COMM PID\n"
"\thandoffd gdbserver [OPTIONS] --multi COMM\n"
"\thandoffd gdbserver [OPTIONS] COMM|--fd N [--attach PID|NAME]\n"
"\t    [-- PROG [ARGS ...]]               (lldb-server's form)\n"
"\n"
"COMM is where the client is met:\n"
"  [HOST]:PORT, tcp://HOST:PORT, listen://HOST:PORT\n"
"                         listen on TCP: on loopback unless HOST is given,\n"
"                         on every address for '*'; port 0 picks one\n"
"  PATH, unix:PATH, unix://PATH, unix-accept://PATH\n"
"                         listen on a unix socket (a PATH has a '/')\n"
"  unix-abstract://NAME, unix-abstract-accept://NAME\n"
"                         listen on an abstract unix socket\n"
"  sd-listen://           the listening socket systemd passed (fd 3;\n"
"                         LISTEN_PID, LISTEN_FDS)\n"
"  connect://HOST:PORT, unix-connect://PATH, unix-abstract-connect://NAME\n"
"                         connect out to the client\n"
"  fd://N                 the connected socket N (as --fd N)\n"
"  serial://DEVICE[?OPTS] a terminal, made raw; OPTS joined by '&':\n"
"                         baud=N, parity=no|even|odd|mark|space,\n"
"                         parity-check=no|replace|ignore, stop-bits=1|2\n"
"  -                      stdin and stdout\n"
"A unix socket serves its owner and root only.\n"
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
"  --help, --version\n"
"\n"
"%s"
"\n"
"lldb-server's options (lldb starts handoffd with them when\n"
"LLDB_DEBUGSERVER_PATH names it):\n"
"  --fd N                 serve the connected socket N; no COMM\n"
"  --reverse-connect      [HOST]:PORT or PATH: connect out, not listen\n"
"  --pipe FD, --named-pipe PATH\n"
"                         once listening, write the port (a unix socket:\n"
"                         its name) there, NUL-terminated\n"
"  --attach PID|NAME      attach to PID, or to the one process NAME\n"
"  --setsid, -S           run in a session of our own\n"
"  --native-regs          accepted: registers are always native\n"
"  --log-channels 'CHANNEL CATEGORY...[:...]'\n"
"                         any channel logs decisions (as --debug); the\n"
"                         categories all, packets or comm every packet\n"
"With neither a program nor --attach, the client starts or attaches to\n"
"one; with --fd or a connect:// COMM the server ends with its client.\n",
	    handoff_usage);
}

static void
on_sigchld(int sig, void *arg)
{
	handoff_poll_all();
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
	if (!ep_listening(&gs->gs_ep) || gs->gs_accepting)
		return;
	if (loop_add_fd(gs->gs_loop, gs->gs_ep.ep_fd, LOOP_READ,
	    gdbserver_accept, gs) == -1)
		fatal("loop_add_fd");
	gs->gs_accepting = true;
}

static void
gdbserver_accept(int fd, int events, void *arg)
{
	struct gdbserver *gs = arg;
	char desc[256], name[64];
	int cfd;

	if ((cfd = ep_accept(&gs->gs_ep, desc, sizeof(desc))) == -1) {
		ep_accept_failed(&gs->gs_ep, gs->gs_loop);
		return;
	}
	/*
	 * The session's client, as gdbserver; while it has one, a further
	 * connection is a session of its own: it claims a held child, or
	 * watches (docs/protocol.md).
	 */
	if (gs->gs_sess->s_conn == NULL && !gs->gs_sess->s_quit) {
		fprintf(stderr, "Remote debugging from %s\n", desc);
		log_info("client connected: %s", desc);
		gsess_attach_conn(gs->gs_sess, cfd, cfd, "client");
		return;
	}
	log_info("another client connected: %s", desc);
	snprintf(name, sizeof(name), "client fd %d", cfd);
	handoff_session(cfd, name);
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

/* The command line as read: gdbserver's options and lldb-server's. */
struct gs_opts {
	const char	*o_comm;	/* COMM, or NULL */
	int		 o_fd;		/* --fd N, or -1 */
	bool		 o_attach;	/* gdbserver's --attach: PID after COMM */
	bool		 o_pid_only;	/* gdbserver's: o_target is a pid */
	const char	*o_target;	/* lldb-server's --attach PID|NAME */
	bool		 o_lldb;	/* lldb-server's form: no program needed */
	bool		 o_multi, o_once, o_shell, o_no_aslr;
	bool		 o_reverse, o_setsid;
	const char	*o_named_pipe;	/* --named-pipe PATH */
	int		 o_pipe;	/* --pipe FD, or -1 */
	const char	*o_logfile;
	int		 o_level;
	unsigned	 o_disabled;
	char		*o_wrapper;
	char		**o_av;		/* our copy of argv, which we edit */
	char		**o_argv;	/* PROG ARGS, NULL-terminated */
	int		 o_argc;
	struct handoff_opts o_handoff;
};

/*
 * --log-channels "lldb process:gdb-remote packets": any channel logs
 * decisions; "all", "packets" or "comm" logs every packet too.
 */
static int
lldb_log_level(const char *channels)
{
	char copy[GDBSERVER_MAX_CHANNELS], *entry, *word, *s1 = NULL, *s2;
	int level = LOG_LEVEL_INFO;

	strlcpy(copy, channels, sizeof(copy));
	for (entry = strtok_r(copy, ":", &s1); entry != NULL;
	    entry = strtok_r(NULL, ":", &s1)) {
		s2 = NULL;
		if (strtok_r(entry, " ", &s2) == NULL)
			continue;
		if (level < LOG_LEVEL_DEBUG)
			level = LOG_LEVEL_DEBUG;
		while ((word = strtok_r(NULL, " ", &s2)) != NULL) {
			if (strcmp(word, "all") == 0 ||
			    strcmp(word, "packets") == 0 ||
			    strcmp(word, "comm") == 0)
				level = LOG_LEVEL_PACKET;
		}
	}
	return level;
}

static bool
all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
	}
	return true;
}

/*
 * "--attach X": lldb-server's --attach PID|NAME, or gdbserver's --attach
 * with COMM next?  A number is a pid (no COMM is a bare number); before
 * COMM, something shaped like an address is COMM; anything else a name.
 */
static bool
attach_takes(const char *next, bool have_comm)
{
	if (next[0] == '-')
		return false;
	if (all_digits(next) || have_comm)
		return true;
	return strchr(next, ':') == NULL && strchr(next, '/') == NULL &&
	    strcmp(next, "stdio") != 0;
}

static int
fd_arg(const char *s, const char *opt, int *fd)
{
	const char *errstr;

	*fd = strtonum(s, 0, EP_MAX_FD, &errstr);
	if (errstr != NULL) {
		warnx("invalid '--%s' argument: %s", opt, s);
		return -1;
	}
	return 0;
}

/* What the command line asks for, all together; -1 if it cannot be. */
static int
gdbserver_check(struct gs_opts *o)
{
	if (o->o_comm != NULL && strstr(o->o_comm, "://") != NULL)
		o->o_lldb = true;
	if (o->o_comm == NULL && o->o_fd == -1)
		return -1;
	if (o->o_comm != NULL && o->o_fd != -1) {
		warnx("--fd and %s: give one", o->o_comm);
		return -1;
	}
	if (o->o_attach) {
		if (o->o_argc != 1 || o->o_target != NULL)
			return -1;
		o->o_target = o->o_argv[0];
		o->o_pid_only = true;
		o->o_argc = 0;
	}
	if (o->o_target != NULL && o->o_argc > 0) {
		warnx("--attach %s and a program: give one", o->o_target);
		return -1;
	}
	/* gdbserver needs something to debug or --multi; lldb-server not. */
	if (o->o_target == NULL && o->o_argc == 0 && !o->o_multi &&
	    !o->o_lldb)
		return -1;
	return 0;
}

/* One option; -1 on a bad one, 1 when it was --help or --version. */
static int
gdbserver_opt(int ch, int argc, char **argv, struct gs_opts *o)
{
	int rc;

	if ((rc = handoff_getopt(&o->o_handoff, ch, optarg)) != 1)
		return rc;
	switch (ch) {
	case 'a':
		if (optarg != NULL)
			o->o_target = optarg;
		else if (optind < argc && attach_takes(argv[optind],
		    o->o_comm != NULL))
			o->o_target = argv[optind++];
		else
			o->o_attach = true;
		o->o_lldb |= o->o_target != NULL;
		break;
	case 'm': o->o_multi = true; break;
	case 'o': o->o_once = true; break;
	case 'H': o->o_shell = true; break;
	case 'N': o->o_shell = false; break;
	case 'R': o->o_no_aslr = true; break;
	case 'r': o->o_no_aslr = false; break;
	case 'd': o->o_level = o->o_level < 1 ? 1 : 2; break;
	case 'D': o->o_level = 2; break;
	case 'l': o->o_logfile = optarg[0] != '\0' ? optarg : NULL; break;
	case 'P':
		return disable_packets(optarg, &o->o_disabled);
	case 'f':
		o->o_lldb = true;
		return fd_arg(optarg, "fd", &o->o_fd);
	case 'p':
		o->o_lldb = true;
		return fd_arg(optarg, "pipe", &o->o_pipe);
	case 'n': o->o_lldb = true; o->o_named_pipe = optarg; break;
	case 'C': o->o_lldb = o->o_reverse = true; break;
	case 's':
	case 'S': o->o_lldb = o->o_setsid = true; break;
	case 'x': o->o_lldb = true; break;
	case 'L':
		o->o_lldb = true;
		if (o->o_level < lldb_log_level(optarg))
			o->o_level = lldb_log_level(optarg);
		break;
	case 'h':
		gdbserver_usage(stdout);
		return 1;
	case 'V':
		handoffd_version();
		return 1;
	default:
		return -1;
	}
	return 0;
}

/*
 * gdbserver: [OPTIONS] COMM PROG ARGS; lldb-server: [OPTIONS] [COMM]
 * [OPTIONS] [-- PROG ARGS], COMM being absent with --fd.  0 to go on,
 * 1 to exit 0 (--help), -1 on a bad command line (usage printed).
 */
static int
gdbserver_opts(int argc, char **argv, struct gs_opts *o)
{
	static const struct option opts[] = {
		{ "attach", optional_argument, NULL, 'a' },
		{ "multi", no_argument, NULL, 'm' },
		{ "once", no_argument, NULL, 'o' },
		{ "startup-with-shell", no_argument, NULL, 'H' },
		{ "no-startup-with-shell", no_argument, NULL, 'N' },
		{ "disable-randomization", no_argument, NULL, 'R' },
		{ "no-disable-randomization", no_argument, NULL, 'r' },
		{ "debug", no_argument, NULL, 'd' },
		{ "remote-debug", no_argument, NULL, 'D' },
		{ "log-file", required_argument, NULL, 'l' },
		{ "disable-packet", required_argument, NULL, 'P' },
		{ "fd", required_argument, NULL, 'f' },
		{ "pipe", required_argument, NULL, 'p' },
		{ "named-pipe", required_argument, NULL, 'n' },
		{ "reverse-connect", no_argument, NULL, 'C' },
		{ "setsid", no_argument, NULL, 's' },
		{ "native-regs", no_argument, NULL, 'x' },
		{ "log-channels", required_argument, NULL, 'L' },
		HANDOFF_LONG_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int ch, rc;

	memset(o, 0, sizeof(*o));
	handoff_opts_init(&o->o_handoff);
	o->o_fd = o->o_pipe = -1;
	o->o_shell = o->o_no_aslr = true;
	/*
	 * libbsd's setproctitle_init moved the strings to the heap with only
	 * argv pointing at them: we edit a copy, never argv itself.
	 */
	o->o_av = xcalloc(argc + 1, sizeof(*o->o_av));
	memcpy(o->o_av, argv, argc * sizeof(*argv));
	argv = o->o_av;
	o->o_wrapper = take_wrapper(&argc, argv);
	optind = 1;
	for (;;) {
		while ((ch = getopt_long(argc, argv, "+hS", opts, NULL)) != -1) {
			if ((rc = gdbserver_opt(ch, argc, argv, o)) != 0)
				goto out;
		}
		/* lldb puts its options after COMM: take COMM, go on. */
		if (o->o_comm != NULL || o->o_fd != -1 || optind >= argc)
			break;
		o->o_comm = argv[optind];
		memmove(argv + optind, argv + optind + 1,
		    (argc - optind) * sizeof(*argv));
		argc--;
	}
	o->o_argv = argv + optind;
	o->o_argc = argc - optind;
	rc = gdbserver_check(o);
out:
	if (rc == -1)
		gdbserver_usage(stderr);
	if (rc != 0) {
		free(o->o_wrapper);
		free(o->o_av);
	}
	return rc;
}

/* A process of this name (its comm, or its executable's file name). */
static bool
proc_named(pid_t pid, const char *name)
{
	char path[64], buf[GDB_MAX_PATH], *base;
	ssize_t n;
	FILE *fp;
	bool same = false;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	if ((n = readlink(path, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = '\0';
		base = strrchr(buf, '/');
		if (strcmp(base != NULL ? base + 1 : buf, name) == 0)
			return true;
	}
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if ((fp = fopen(path, "re")) == NULL)
		return false;
	if (fgets(buf, sizeof(buf), fp) != NULL) {
		buf[strcspn(buf, "\n")] = '\0';
		/* The kernel keeps only the start of a long name. */
		same = strcmp(buf, name) == 0 ||
		    (strlen(buf) == GDBSERVER_COMM_MAX &&
		    strncmp(buf, name, GDBSERVER_COMM_MAX) == 0);
	}
	fclose(fp);
	return same;
}

/* --attach NAME: the one process of that name, or a startup failure. */
static pid_t
pid_by_name(const char *name)
{
	DIR *d;
	struct dirent *de;
	const char *errstr;
	pid_t pid, found[2] = { 0, 0 };
	int n = 0;

	if ((d = opendir("/proc")) == NULL)
		startup_fail("/proc: %s", strerror(errno));
	while ((de = readdir(d)) != NULL) {
		pid = strtonum(de->d_name, 1, INT32_MAX, &errstr);
		if (errstr != NULL || pid == getpid() || !proc_named(pid, name))
			continue;
		if (n < 2)
			found[n] = pid;
		n++;
	}
	closedir(d);
	if (n == 0)
		startup_fail("Cannot attach to process %s: no process of "
		    "that name", name);
	if (n > 1)
		startup_fail("Cannot attach to process %s: %d processes of "
		    "that name (%d, %d...): give a pid", name, n,
		    (int)found[0], (int)found[1]);
	return found[0];
}

static void
start_program(struct gdbserver *gs, const struct gs_opts *o)
{
	struct gsess *s = gs->gs_sess;
	char err[512];
	const char *errstr;
	pid_t pid;

	if (o->o_target != NULL) {
		if (!o->o_pid_only && !all_digits(o->o_target))
			pid = pid_by_name(o->o_target);
		else if ((pid = strtonum(o->o_target, 1, INT32_MAX,
		    &errstr)) == 0)
			startup_fail("%s: bad pid.", o->o_target);
		if (gdb_attach(s, pid) == -1)
			startup_fail("Cannot attach to process %d: %s (%d)",
			    (int)pid, strerror(errno), errno);
		return;
	}
	if (o->o_argc == 0)
		return;
	gsess_set_program(s, o->o_argv);
	if (s->s_stdio)
		fprintf(stderr, "stdin/stdout redirected\n");
	if (gdb_launch(s, o->o_argv, err, sizeof(err)) == -1)
		startup_fail("%s", err);
}

static int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, buf, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= n;
	}
	return 0;
}

/*
 * --named-pipe: as lldb-server, wait a while for the reader (a FIFO
 * opened for writing without one fails with ENXIO), then write.
 */
static int
write_named_pipe(const char *path, const char *id)
{
	struct timespec ts = { 0, GDBSERVER_PIPE_POLL * 1000000L };
	int fd, waited, e;

	for (waited = 0;; waited += GDBSERVER_PIPE_POLL) {
		fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd != -1 || errno != ENXIO ||
		    waited >= GDBSERVER_PIPE_WAIT)
			break;
		nanosleep(&ts, NULL);
	}
	if (fd == -1)
		return -1;
	if (fcntl(fd, F_SETFL, 0) == -1 ||
	    write_all(fd, id, strlen(id) + 1) == -1) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return close(fd);
}

/* lldb learns where we listen from --pipe or --named-pipe. */
static void
report_socket_id(const struct gs_opts *o, const struct endpoint *ep)
{
	char id[EP_MAX_PATH + 1];

	ep_socket_id(ep, id, sizeof(id));
	if (o->o_named_pipe != NULL) {
		if (write_named_pipe(o->o_named_pipe, id) == -1)
			log_warn("failed to write to the named pipe '%s'",
			    o->o_named_pipe);
	} else if (o->o_pipe != -1) {
		if (write_all(o->o_pipe, id, strlen(id) + 1) == -1)
			log_warn("failed to write to the unnamed pipe %d",
			    o->o_pipe);
		close(o->o_pipe);
	}
	log_debug("socket id %s reported", id);
}

/* Listen and wait for the client, or connect to it, or take stdio. */
static void
gdbserver_meet(struct gdbserver *gs, const struct gs_opts *o,
    const char *comm)
{
	struct endpoint *ep = &gs->gs_ep;
	char err[512], what[EP_MAX_PATH + 64];
	char claim[EP_MAX_PATH + EP_MAX_HOST + 16];
	int fd;

	if (ep->ep_kind == EP_STDIO) {
		fprintf(stderr, "Remote debugging using stdio\n");
		gsess_attach_conn(gs->gs_sess, 0, 1, "client");
		return;
	}
	if (!ep_listening(ep)) {
		if ((fd = ep_connect(ep, err, sizeof(err))) == -1) {
			gdb_end_all(gs->gs_sess);
			startup_fail("%s", err);
		}
		fprintf(stderr, "Remote debugging using %s\n", comm);
		log_info("client connected: %s", comm);
		gsess_attach_conn(gs->gs_sess, fd, fd, "client");
		return;
	}
	if (ep_listen(ep, err, sizeof(err)) == -1) {
		gdb_end_all(gs->gs_sess);
		startup_fail("%s", err);
	}
	ep_describe(ep, what, sizeof(what));
	ep_address(ep, 0, claim, sizeof(claim));
	handoff_set_addr(claim);
	fprintf(stderr, "Listening on %s\n", what);
	fflush(stderr);
	log_debug("listening on %s", what);
	report_socket_id(o, ep);
	gdbserver_wait_client(gs);
}

/* The loop and the session, as the command line asks. */
static void
gdbserver_setup(struct gdbserver *gs, const struct gs_opts *o)
{
	gs->gs_loop = loop_new();
	gs->gs_sess = gsess_new(gs->gs_loop);
	gs->gs_sess->s_multi = gs->gs_sess->s_extended = o->o_multi;
	/* A client we connected to, or were given, is the only one. */
	gs->gs_sess->s_once = o->o_once || (!ep_listening(&gs->gs_ep) &&
	    gs->gs_ep.ep_kind != EP_STDIO);
	gs->gs_sess->s_shell = o->o_shell;
	gs->gs_sess->s_no_aslr = o->o_no_aslr;
	gs->gs_sess->s_wrapper = o->o_wrapper;
	gs->gs_sess->s_stdio = (gs->gs_ep.ep_kind == EP_STDIO);
	gs->gs_sess->s_disabled = o->o_disabled;
	gs->gs_sess->s_lldb_server = o->o_lldb;
	signal(SIGPIPE, SIG_IGN);
	if (loop_add_signal(gs->gs_loop, SIGCHLD, on_sigchld, gs) == -1 ||
	    loop_add_signal(gs->gs_loop, SIGTERM, on_terminate, gs) == -1 ||
	    loop_add_signal(gs->gs_loop, SIGINT, on_terminate, gs) == -1 ||
	    loop_add_signal(gs->gs_loop, SIGHUP, on_terminate, gs) == -1)
		fatal("signals");
}

int
cmd_gdbserver(int argc, char **argv)
{
	struct gdbserver gs = { 0 };
	struct gs_opts o;
	char comm[32], err[512];
	int rc;

	if ((rc = gdbserver_opts(argc, argv, &o)) != 0)
		return rc == 1 ? 0 : 1;
	log_init(o.o_level, o.o_logfile);
	/*
	 * lldb's ^C is a packet, not a signal to our process group.  lldb
	 * starts us as a group leader already, which setsid refuses.
	 */
	if (o.o_setsid && setsid() == -1) {
		if (errno == EPERM && getpgrp() == getpid())
			log_debug("setsid: already a process group leader");
		else
			log_warn("setsid");
	}
	if (regs_init() == -1)
		fatal("cannot describe this CPU's registers");
	if (caps_clear_inherited() == -1)
		log_warn("cannot empty the inheritable and ambient capabilities");
	if (o.o_comm == NULL) {
		snprintf(comm, sizeof(comm), "fd://%d", o.o_fd);
		o.o_comm = comm;
	}
	rc = o.o_reverse ? ep_parse_reverse(&gs.gs_ep, o.o_comm, err,
	    sizeof(err)) : ep_parse(&gs.gs_ep, o.o_comm, err, sizeof(err));
	if (rc == -1)
		startup_fail("%s", err);
	/* No program we start may hold lldb's end of the port pipe. */
	if (o.o_pipe != -1 && fcntl(o.o_pipe, F_SETFD, FD_CLOEXEC) == -1)
		log_warn("--pipe %d", o.o_pipe);

	gs.gs_ep.ep_any_uid = o.o_handoff.ho_allow_any_uid;
	gdbserver_setup(&gs, &o);
	handoff_init(gs.gs_loop, &o.o_handoff, gs.gs_sess,
	    ep_listening(&gs.gs_ep) || gs.gs_ep.ep_kind == EP_STDIO ||
	    gs.gs_ep.ep_kind == EP_FD || gs.gs_ep.ep_kind == EP_SERIAL ?
	    NULL : &gs.gs_ep, o.o_comm, NULL);

	start_program(&gs, &o);
	gdbserver_meet(&gs, &o, o.o_comm);

	/*
	 * Until the session is over, and every child claimed is done and
	 * every child held is claimed or let go: --once does not wait for
	 * claims, its server's life is one client.
	 */
	while (!(gsess_done(gs.gs_sess) && handoff_idle(!o.o_once)) &&
	    !loop_stopped(gs.gs_loop)) {
		if (loop_once(gs.gs_loop, -1) == -1)
			fatal("event loop");
		handoff_reap();
		if (gs.gs_sess->s_conn == NULL && !gs.gs_sess->s_quit)
			gdbserver_wait_client(&gs);
	}
	handoff_end(loop_stopped(gs.gs_loop) ? "the server was told to end" :
	    o.o_once ? "the server ends (--once)" : "the server ends");
	if (gs.gs_sess->s_conn != NULL)
		conn_flush(gs.gs_sess->s_conn);
	ep_close(&gs.gs_ep);
	gsess_free(gs.gs_sess);
	loop_free(gs.gs_loop);
	free(o.o_av);
	return 0;
}
