/*
 * prefork.c -- handoffd's second demo program: a small pre-forking server.
 *
 * The master forks NWORKERS workers, each on a socketpair of its own, and
 * hands them a fixed list of requests round-robin: one line out, one line
 * back ("<status> <bytes> <checksum>" of the body the worker built). Then
 * it closes each socket and reaps the worker, which exits with id + 1.
 * No network, no input; the output differs between runs only in the pids.
 *
 * Under handoffd every worker is a forked child, so each one gets a debug
 * connection of its own: stop one worker in handle_request while another
 * client stays on the master in dispatch.
 */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NWORKERS	3
#define REQ_MAX_LINE	128	/* bytes, newline included */
#define RESP_MAX_BODY	256	/* bytes */

/* A body is at most a request line and a few words, so never truncated. */
_Static_assert(RESP_MAX_BODY >= 2 * REQ_MAX_LINE, "RESP_MAX_BODY too small");

struct worker {
	int	id;
	pid_t	pid;
	int	fd;		/* the master's end of the socketpair */
	int	served;
};

struct request {
	char		 line[REQ_MAX_LINE];
	char		*method;	/* these three point into line */
	char		*path;
	char		*body;		/* "" when there is none */
	int		 status;	/* the answer, from handle_request */
	int		 length;	/* of the response body, in bytes */
	unsigned int	 checksum;
};

struct route {
	const char	*method;
	const char	*path;
	const char	*content;	/* page text; NULL for a form */
};

static const struct route routes[] = {
	{ "GET",  "/index.html", "Welcome to the prefork demo.\n" },
	{ "GET",  "/about.html", "One master, three workers, no network.\n" },
	{ "GET",  "/news.html",  "Every worker gets a debugger.\n" },
	{ "POST", "/login",      NULL },
	{ "POST", "/comment",    NULL },
};

/* Request i goes to worker i % NWORKERS. */
static const char *requests[] = {
	"GET /index.html",
	"GET /about.html",
	"POST /login user=ada",
	"GET /news.html",
	"GET /missing.html",
	"POST /comment text=hello",
	"GET /index.html",
	"POST /login user=grace",
	"GET /favicon.ico",
};

/* Adler-32 of the response body: cheap, and different for every page. */
static unsigned int
checksum(const char *buf, size_t len)
{
	unsigned int a = 1, b = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		a = (a + (unsigned char)buf[i]) % 65521;
		b = (b + a) % 65521;
	}
	return (b << 16) | a;
}

/* Reads one line and drops its newline: 1, 0 at EOF, -1 with errno. */
static int
read_line(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;

	while ((n = read(fd, buf + len, 1)) == 1 && buf[len] != '\n') {
		if (++len == size) {
			errno = EMSGSIZE;
			return -1;
		}
	}
	if (n == -1)
		return -1;
	if (n == 0 && len == 0)
		return 0;
	if (n == 0) {
		errno = EPIPE;		/* EOF in the middle of a line */
		return -1;
	}
	buf[len] = '\0';
	return 1;
}

/* Splits "METHOD /path [body]" in place and clears the answer. */
static void
parse_request(struct request *req)
{
	char *sp;

	req->status = req->length = 0;
	req->checksum = 0;
	req->method = req->line;
	req->path = req->body = req->line + strlen(req->line);
	if ((sp = strchr(req->line, ' ')) == NULL)
		return;
	*sp = '\0';
	req->path = sp + 1;
	if ((sp = strchr(req->path, ' ')) != NULL) {
		*sp = '\0';
		req->body = sp + 1;
	}
}

static const struct route *
route_lookup(const char *method, const char *path)
{
	size_t i;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (strcmp(routes[i].method, method) == 0 &&
		    strcmp(routes[i].path, path) == 0)
			return &routes[i];
	}
	return NULL;
}

static void
handle_request(int id, struct request *req)
{
	const struct route *r;
	char body[RESP_MAX_BODY];
	int len;

	r = route_lookup(req->method, req->path);	/* DEMO:handle */
	if (r == NULL) {
		req->status = 404;
		len = snprintf(body, sizeof(body), "no page at %s\n",
		    req->path);
	} else if (r->content == NULL) {
		req->status = 201;
		len = snprintf(body, sizeof(body), "%s accepted: %s\n",
		    req->path, req->body);
	} else {
		req->status = 200;
		len = snprintf(body, sizeof(body), "%s", r->content);
	}
	len += snprintf(body + len, sizeof(body) - len, "-- worker %d\n", id);
	req->length = len;
	req->checksum = checksum(body, len);
}

static void
worker_main(int id, int fd)
{
	struct request req;
	int r, served = 0;

	while ((r = read_line(fd, req.line, sizeof(req.line))) == 1) {
		parse_request(&req);
		handle_request(id, &req);
		if (dprintf(fd, "%d %d %08x\n", req.status, req.length,
		    req.checksum) < 0)
			err(1, "worker %d: write", id);
		served++;
	}
	if (r == -1)
		err(1, "worker %d: read", id);
	printf("worker %d (pid %d): served %d requests\n", id, (int)getpid(),
	    served);
	close(fd);
}

static void
spawn_workers(struct worker *workers, int n)
{
	int i, j, sv[2];
	pid_t pid;

	for (i = 0; i < n; i++) {
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
			err(1, "socketpair");
		if ((pid = fork()) == -1)
			err(1, "fork");
		if (pid == 0) {
			close(sv[0]);
			for (j = 0; j < i; j++)
				close(workers[j].fd);
			worker_main(i, sv[1]);
			exit(i + 1);
		}
		close(sv[1]);
		workers[i] = (struct worker){ .id = i, .pid = pid,
		    .fd = sv[0] };
	}
}

static void
all_workers_started(const struct worker *workers, int n)
{
	int i;

	printf("master: %d workers started (pids", n);
	for (i = 0; i < n; i++)
		printf(" %d", (int)workers[i].pid);
	printf(")\n");
}

static void
dispatch(struct worker *w, const char *line, int n)
{
	char reply[REQ_MAX_LINE];
	int r;

	if (dprintf(w->fd, "%s\n", line) < 0)
		err(1, "worker %d: write", w->id);
	if ((r = read_line(w->fd, reply, sizeof(reply))) == -1)
		err(1, "worker %d: read", w->id);
	if (r == 0)
		errx(1, "worker %d (pid %d) hung up", w->id, (int)w->pid);
	w->served++;
	printf("master: request %d -> worker %d: %-24s => %s\n", n, w->id,
	    line, reply);
}

static void
reap_worker(struct worker *w)
{
	int status;

	close(w->fd);
	if (waitpid(w->pid, &status, 0) == -1)
		err(1, "waitpid %d", (int)w->pid);
	if (WIFEXITED(status))
		printf("worker pid %d exited with status %d\n", (int)w->pid,
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		printf("worker pid %d killed by signal %d\n", (int)w->pid,
		    WTERMSIG(status));
}

int
main(void)
{
	struct worker workers[NWORKERS];
	int i, nreq, served = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);	/* nothing buffered at fork */
	signal(SIGPIPE, SIG_IGN);	/* a dead peer is EPIPE, not death */
	nreq = sizeof(requests) / sizeof(requests[0]);
	spawn_workers(workers, NWORKERS);
	all_workers_started(workers, NWORKERS);	/* DEMO:started */
	for (i = 0; i < nreq; i++)
		dispatch(&workers[i % NWORKERS], requests[i], i);
	for (i = 0; i < NWORKERS; i++) {
		reap_worker(&workers[i]);
		served += workers[i].served;
	}
	printf("master: served %d requests, %d workers\n", served, NWORKERS);
	return 0;
}
