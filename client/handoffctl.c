/*
 * handoffctl.c -- watch, list and claim handed-off children of a
 * handoffd server from the shell (docs/protocol.md).
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/handoff.h"
#include "client/rspc.h"

#define CTL_LIST_FIRST	256	/* entries asked for at first */
#define CTL_MAX_STOP	1024	/* bytes of a stop reply kept */
#define CTL_MAX_NUM	32	/* bytes of a number substituted */

static const char usage_text[] =
"usage: handoffctl watch ADDR [--pid PID] [--json] [--exec CMD]\n"
"       handoffctl list ADDR [--json]\n"
"       handoffctl claim ADDR PID [--stay]\n"
"       handoffctl --help\n"
"\n"
"ADDR: [HOST]:PORT, tcp://HOST:PORT, a unix socket PATH, unix:PATH,\n"
"unix-abstract:NAME (or unix:@NAME), fd:N (an inherited connection).\n"
"Pids are decimal.\n"
"\n"
"watch   Watch the tree of PID (default: the one the connection is bound\n"
"        to) and print a line per handoff:\n"
"          pid P ppid PP tid T kind fork|vfork|exec via fd|connect|reverse\n"
"        or with --json one object per line:\n"
"          {\"pid\":P,\"ppid\":PP,\"tid\":T,\"kind\":K,\"via\":V,\"fd\":N|null}\n"
"        --exec CMD runs CMD with /bin/sh -c once per child, not waiting\n"
"        for it, with {pid}, {ppid}, {fd} and {addr} replaced (also in\n"
"        $HANDOFF_PID, $HANDOFF_PPID, $HANDOFF_FD, $HANDOFF_ADDR).  {fd}\n"
"        is the child's connection for via:fd, inherited by CMD (-1 for\n"
"        the others); {addr} is ADDR as given, so a via:connect child\n"
"        can be claimed with it.  Values are put in as they are: quote\n"
"        {addr} in CMD if it needs it.  Without --exec, a via:fd\n"
"        child's connection is closed at once and the server treats\n"
"        it as a session that went away.\n"
"list    Print the held children: PID PPID TID KIND AGE(ms) STATE, or\n"
"        with --json one object per line.\n"
"claim   Claim PID (vAttach) and print its stop reply, then detach (D)\n"
"        so it runs on untraced.  With --stay, hold it stopped until\n"
"        stdin closes, then detach.\n"
"\n"
"Exit status: 0 done, 1 error (one line on stderr), 2 usage.\n";

static const char *ctl_addr;

static void usage(void) __attribute__((noreturn));
static void die(const char *) __attribute__((noreturn));

static void
usage(void)
{
	fputs(usage_text, stderr);
	exit(2);
}

static void
die(const char *what)
{
	fprintf(stderr, "handoffctl: %s: %s\n", what, strerror(errno));
	exit(1);
}

static pid_t
parse_pid(const char *s)
{
	const char *errstr;
	pid_t pid;

	pid = (pid_t)strtonum(s, 1, INT_MAX, &errstr);
	if (errstr != NULL) {
		fprintf(stderr, "handoffctl: pid %s: %s\n", s, errstr);
		exit(2);
	}
	return (pid);
}

/* Connect and shake hands, or die. */
static struct rspc *
ctl_connect(const char *addr)
{
	struct rspc *rc;

	if ((rc = rspc_connect(addr)) == NULL)
		die(addr);
	if (rspc_handshake(rc, HANDOFF_FEATURES) == -1)
		die("handshake");
	return (rc);
}

/* ------------------------------------------------------------ watch */

static void
reap(int sig)
{
	int e = errno;

	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	errno = e;
}

/* CMD with {pid} {ppid} {fd} {addr} replaced; NULL on no memory. */
static char *
expand(const char *cmd, const struct handoff *h)
{
	char num[4][CTL_MAX_NUM], *out = NULL;
	const char *keys[] = { "{pid}", "{ppid}", "{fd}", "{addr}" };
	const char *vals[] = { num[0], num[1], num[2], ctl_addr };
	size_t len = 0, i, klen;
	FILE *f;

	snprintf(num[0], sizeof(num[0]), "%d", (int)h->h_pid);
	snprintf(num[1], sizeof(num[1]), "%d", (int)h->h_ppid);
	snprintf(num[2], sizeof(num[2]), "%d", h->h_fd);
	if ((f = open_memstream(&out, &len)) == NULL)
		return (NULL);
	while (*cmd != '\0') {
		for (i = 0; i < 4; i++) {
			klen = strlen(keys[i]);
			if (strncmp(cmd, keys[i], klen) == 0)
				break;
		}
		if (i < 4) {
			fputs(vals[i], f);
			cmd += klen;
		} else
			fputc(*cmd++, f);
	}
	if (fclose(f) != 0) {
		free(out);
		return (NULL);
	}
	return (out);
}

/* Run cmd for h in the background, h_fd inherited. */
static void
spawn(const char *cmd, const struct handoff *h)
{
	char *line, num[CTL_MAX_NUM];
	pid_t pid;

	if ((line = expand(cmd, h)) == NULL) {
		fprintf(stderr, "handoffctl: out of memory\n");
		return;
	}
	if ((pid = fork()) == -1)
		fprintf(stderr, "handoffctl: fork: %s\n", strerror(errno));
	if (pid == 0) {
		signal(SIGCHLD, SIG_DFL);
		if (h->h_fd != -1 && fcntl(h->h_fd, F_SETFD, 0) == -1)
			_exit(127);
		snprintf(num, sizeof(num), "%d", (int)h->h_pid);
		setenv("HANDOFF_PID", num, 1);
		snprintf(num, sizeof(num), "%d", (int)h->h_ppid);
		setenv("HANDOFF_PPID", num, 1);
		snprintf(num, sizeof(num), "%d", h->h_fd);
		setenv("HANDOFF_FD", num, 1);
		setenv("HANDOFF_ADDR", ctl_addr, 1);
		execl("/bin/sh", "sh", "-c", line, (char *)NULL);
		_exit(127);
	}
	free(line);
}

static void
print_handoff(const struct handoff *h, bool json)
{
	char fd[CTL_MAX_NUM];

	if (!json) {
		printf("pid %d ppid %d tid %d kind %s via %s\n", (int)h->h_pid,
		    (int)h->h_ppid, (int)h->h_tid, h->h_kind, h->h_via);
	} else {
		if (h->h_fd == -1)
			strlcpy(fd, "null", sizeof(fd));
		else
			snprintf(fd, sizeof(fd), "%d", h->h_fd);
		printf("{\"pid\":%d,\"ppid\":%d,\"tid\":%d,\"kind\":\"%s\","
		    "\"via\":\"%s\",\"fd\":%s}\n", (int)h->h_pid,
		    (int)h->h_ppid, (int)h->h_tid, h->h_kind, h->h_via, fd);
	}
	fflush(stdout);
}

static int
cmd_watch(struct rspc *rc, pid_t pid, bool json, const char *cmd)
{
	struct sigaction sa;
	struct handoff h;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = reap;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	if (handoff_watch(rc, pid) == -1)
		die("watch");
	for (;;) {
		if (handoff_next(rc, &h, -1) == -1) {
			if (errno != EPROTO)
				die("watch");
			if (h.h_pid > 0)
				fprintf(stderr, "handoffctl: child %d: its "
				    "connection was lost\n", (int)h.h_pid);
			else
				fprintf(stderr, "handoffctl: a handoff "
				    "notification that does not parse\n");
			continue;
		}
		print_handoff(&h, json);
		if (cmd != NULL)
			spawn(cmd, &h);
		if (h.h_fd != -1)
			close(h.h_fd);
	}
}

/* ------------------------------------------------------------ list */

static int
cmd_list(struct rspc *rc, bool json)
{
	struct handoff_entry *e = NULL, *ne;
	size_t cap = CTL_LIST_FIRST, i;
	ssize_t n;

	for (;;) {
		if ((ne = reallocarray(e, cap, sizeof(*e))) == NULL)
			die("list");
		e = ne;
		if ((n = handoff_list(rc, e, cap)) == -1)
			die("list");
		if ((size_t)n <= cap)
			break;
		cap = (size_t)n;	/* more came meanwhile: ask again */
	}
	if (!json)
		printf("%-8s %-8s %-8s %-6s %10s %s\n", "PID", "PPID", "TID",
		    "KIND", "AGE(ms)", "STATE");
	for (i = 0; i < (size_t)n; i++) {
		if (json)
			printf("{\"pid\":%d,\"ppid\":%d,\"tid\":%d,"
			    "\"kind\":\"%s\",\"age_ms\":%lu,\"state\":\"%s\"}\n",
			    (int)e[i].pid, (int)e[i].ppid, (int)e[i].tid,
			    e[i].kind, e[i].age_ms, e[i].state);
		else
			printf("%-8d %-8d %-8d %-6s %10lu %s\n", (int)e[i].pid,
			    (int)e[i].ppid, (int)e[i].tid, e[i].kind,
			    e[i].age_ms, e[i].state);
	}
	free(e);
	rspc_close(rc);
	return (0);
}

/* ------------------------------------------------------------ claim */

static int
cmd_claim(const char *addr, pid_t pid, bool stay)
{
	char stop[CTL_MAX_STOP], buf[256];
	struct rspc *rc;
	const char *r;
	ssize_t n;

	if ((rc = handoff_claim(addr, pid, stop, sizeof(stop))) == NULL)
		die("claim");
	printf("%s\n", stop);
	fflush(stdout);
	while (stay) {
		n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n == 0 || (n == -1 && errno != EINTR))
			break;
	}
	if (rspc_requeststr(rc, "D", &r) == -1)
		die("detach");
	if (strcmp(r, "OK") != 0) {
		fprintf(stderr, "handoffctl: detach: %s\n", r);
		exit(1);
	}
	rspc_close(rc);
	return (0);
}

/* ------------------------------------------------------------ main */

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "exec", required_argument, NULL, 'e' },
		{ "stay", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *verb, *cmd = NULL;
	bool json = false, stay = false;
	pid_t pid = 0;
	int c;

	if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
		fputs(usage_text, stdout);
		return (0);
	}
	if (argc < 3)
		usage();
	verb = argv[1];
	while ((c = getopt_long(argc - 1, argv + 1, "", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'p':
			pid = parse_pid(optarg);
			break;
		case 'j':
			json = true;
			break;
		case 'e':
			cmd = optarg;
			break;
		case 's':
			stay = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return (0);
		default:
			usage();
		}
	}
	argc -= optind + 1;
	argv += optind + 1;
	if (argc < 1)
		usage();
	ctl_addr = argv[0];
	if (strcmp(verb, "watch") == 0 && argc == 1 && !stay)
		return (cmd_watch(ctl_connect(ctl_addr), pid, json, cmd));
	if (strcmp(verb, "list") == 0 && argc == 1 && !stay && pid == 0 &&
	    cmd == NULL)
		return (cmd_list(ctl_connect(ctl_addr), json));
	if (strcmp(verb, "claim") == 0 && argc == 2 && !json && pid == 0 &&
	    cmd == NULL)
		return (cmd_claim(ctl_addr, parse_pid(argv[1]), stay));
	usage();
}
