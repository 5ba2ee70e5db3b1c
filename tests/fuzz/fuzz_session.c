/*
 * fuzz_session.c -- libFuzzer harness for a debug session's packet
 * dispatcher (daemon/gdb*.c, platform/), against a real debuggee.
 *
 * One session, as `handoffd gdbserver` makes it, lives across inputs:
 * its client is a socketpair end whose replies are read and thrown
 * away, and its program (FUZZ_PROG, default /bin/true) is launched and
 * stays stopped at its first instruction.  Each input is a list of
 * packet payloads, one per line; each goes to gdb_packet() as the codec
 * would hand it over, then the event loop runs once.  Checked: no
 * crash, no out-of-bounds access or undefined behaviour (ASan, UBSan),
 * no leak, and the session keeps its client.  FUZZ_ECHO=1 shows the
 * replies on stderr.
 *
 * Left out, because they leave the harness or the machine: packets that
 * run the program (c, s, vCont actions, _M), end or replace it (k,
 * vKill, D, R, vRun, vAttach*, A), or act on the host (vFile,
 * qPlatform_*).  Their parsers are reached by the integration tests'
 * bad-input cases instead.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/gdb.h"
#include "daemon/handoff.h"
#include "daemon/log.h"
#include "daemon/loop.h"
#include "platform/regs.h"
#include "platform/target.h"

#define FUZZ_MAX_PACKETS	64	/* payloads taken from one input */
#define FUZZ_DRAIN		65536	/* bytes read from the client at once */

static struct loop *L;
static struct gsess *S;
static int client = -1;
static char *prog[2];

static const char *const skipped[] = {
	"c", "C", "s", "S", "k", "D", "R", "A", "i", "I", "_M", "_m",
	"vCont;", "vKill", "vRun", "vAttach", "vFile", "qPlatform_",
	"jLLDBTraceStart", NULL
};

static bool
skip(const char *p, size_t len)
{
	const char *const *s;
	size_t n;

	for (s = skipped; *s != NULL; s++) {
		n = strlen(*s);
		if (n == 1 ? len > 0 && p[0] == (*s)[0] :
		    len >= n && memcmp(p, *s, n) == 0)
			return true;
	}
	return false;
}

static void
on_sigchld(int sig, void *arg)
{
	(void)sig;
	(void)arg;
	handoff_poll_all();
}

/* The replies, thrown away (FUZZ_ECHO set: shown on stderr). */
static void
drain(void)
{
	static int echo = -1;
	char buf[FUZZ_DRAIN];
	ssize_t n;

	if (echo == -1)
		echo = getenv("FUZZ_ECHO") != NULL;
	while ((n = read(client, buf, sizeof(buf))) > 0)
		if (echo && write(STDERR_FILENO, buf, (size_t)n) == -1)
			abort();
}

static void
ensure_program(void)
{
	char err[512];

	if (tgt_first_proc(S->s_tgt) != NULL)
		return;
	if (gdb_launch(S, prog, err, sizeof(err)) == -1)
		abort();
}

static void
setup(void)
{
	struct handoff_opts ho;
	int sv[2];

	log_init(LOG_LEVEL_INFO, "/dev/null");
	if (regs_init() == -1)
		abort();
	prog[0] = getenv("FUZZ_PROG") != NULL ? getenv("FUZZ_PROG") :
	    "/bin/true";
	signal(SIGPIPE, SIG_IGN);
	L = loop_new();
	S = gsess_new(L);
	S->s_shell = false;
	if (loop_add_signal(L, SIGCHLD, on_sigchld, NULL) == -1)
		abort();
	handoff_opts_init(&ho);
	handoff_init(L, &ho, S, NULL, "fuzz", NULL);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		abort();
	client = sv[1];
	if (fcntl(client, F_SETFL, O_NONBLOCK) == -1)
		abort();
	gsess_attach_conn(S, sv[0], sv[0], "fuzz");
	gsess_set_program(S, prog);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *p, *nl, *end;
	int n = 0;

	if (L == NULL)
		setup();
	ensure_program();
	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	end = buf + size;
	for (p = buf; p < end && n < FUZZ_MAX_PACKETS; p = nl + 1, n++) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		*nl = '\0';
		if (skip(p, (size_t)(nl - p)))
			continue;
		gdb_packet(S, p, (size_t)(nl - p));
		loop_once(L, 0);
		drain();
		if (S->s_conn == NULL)
			abort();	/* the session hung up on its client */
	}
	free(buf);
	return 0;
}
