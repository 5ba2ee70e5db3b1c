/*
 * gdb_stdio.c -- the launched program's terminal, as lldb-server gives
 * it: a pseudo-terminal on the program's stdin, stdout and stderr, its
 * output sent to the client as O packets, and I packets written to it.
 *
 * Only for lldb (a client that spoke lldb's packets, or a server started
 * with lldb-server's command line), and only for the fds QSetSTDIN,
 * QSetSTDOUT and QSetSTDERR left unset (lldb-server's rule); gdb keeps
 * gdbserver's inherited stdio.
 *
 * As in lldb-server, the terminal is read only while the program runs,
 * so every O packet comes before the stop reply that follows it: at a
 * stop or an exit what is left is read (up to GDB_STDIO_FLUSH bytes) and
 * sent first.  While the program is stopped nothing is read: what a
 * child writes meanwhile waits in the kernel's terminal buffer (bounded
 * there: the writer blocks when it is full) and goes at the next resume.
 * Back-pressure: while more than GDB_STDIO_OUT_HIGH bytes wait to be
 * written to the client, the terminal is not read either (checked again
 * every GDB_STDIO_RETRY_MS), so a program that prints fast only blocks
 * in write(2); our memory never grows past that bound.
 *
 * In non-stop mode the terminal is read all along, and each O packet
 * goes as a %Stdio notification that lldb takes with vStdio
 * (gdb_ns_output, at most GDB_MAX_STDIO_QUEUE waiting: past that the
 * terminal is not read).
 *
 * One terminal per session, for the last program launched (lldb runs
 * one program per session); it is closed when that program is gone.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/conn.h"
#include "daemon/gdb.h"
#include "daemon/log.h"
#include "daemon/loop.h"
#include "platform/pty.h"

#define GDB_STDIO_CHUNK		1024	/* bytes per O packet (lldb-server's) */
#define GDB_STDIO_PER_TURN	16384	/* bytes read per loop turn */
#define GDB_STDIO_FLUSH		(128 * 1024) /* bytes read at a stop or exit */
#define GDB_STDIO_OUT_HIGH	(256 * 1024) /* bytes queued to the client:
						stop reading the terminal */
#define GDB_STDIO_RETRY_MS	10	/* look at the queue again, ms */
#define GDB_STDIO_INPUT		4096	/* bytes written per write(2) for I */
#define LLDB_E_STDIO		0x15	/* lldb-server's error for I */

struct gdb_tty {
	int		 ty_fd;		/* the master */
	pid_t		 ty_pid;	/* the program on it, 0 until launched */
	bool		 ty_watched;	/* in the loop: the program runs */
	uint64_t	 ty_timer;	/* back-pressure retry, or 0 */
};

static void	tty_readable(int, int, void *);

/* "O" and the bytes in hex, to the client (dropped when there is none). */
static void
send_o(struct gsess *s, const char *buf, size_t n)
{
	char pkt[1 + 2 * GDB_STDIO_CHUNK];

	if (s->s_conn == NULL)
		return;
	pkt[0] = 'O';
	rsp_tohex(pkt + 1, buf, n);
	if (s->s_nonstop)
		gdb_ns_output(s, pkt, 1 + 2 * n);
	else
		conn_send(s->s_conn, pkt, 1 + 2 * n);
}

/*
 * Read up to max bytes from the terminal into O packets.  Returns 0
 * when it may have more later, -1 when it never will: no slave is open
 * any more (EIO), or an error.
 */
static int
tty_pump(struct gsess *s, size_t max)
{
	char buf[GDB_STDIO_CHUNK];
	size_t done = 0;
	ssize_t n;

	while (done < max && !gdb_ns_output_full(s)) {
		n = read(s->s_tty->ty_fd, buf, sizeof(buf));
		if (n > 0) {
			send_o(s, buf, (size_t)n);
			done += (size_t)n;
		} else if (n == -1 && errno == EINTR) {
			continue;
		} else if (n == -1 && errno == EAGAIN) {
			return 0;
		} else {
			if (n == -1 && errno != EIO)
				log_warn("program terminal");
			return -1;
		}
	}
	return 0;
}

static void
tty_unwatch(struct gsess *s)
{
	struct gdb_tty *ty = s->s_tty;

	if (ty->ty_watched)
		loop_del_fd(s->s_loop, ty->ty_fd);
	ty->ty_watched = false;
	if (ty->ty_timer != 0)
		loop_del_timer(s->s_loop, ty->ty_timer);
	ty->ty_timer = 0;
}

void
gdb_stdio_close(struct gsess *s)
{
	if (s->s_tty == NULL)
		return;
	tty_unwatch(s);
	close(s->s_tty->ty_fd);
	log_debug("terminal of process %d closed", (int)s->s_tty->ty_pid);
	free(s->s_tty);
	s->s_tty = NULL;
}

static bool
client_full(struct gsess *s)
{
	return (s->s_conn != NULL && conn_pending(s->s_conn) >
	    GDB_STDIO_OUT_HIGH) || gdb_ns_output_full(s);
}

/* The program may run: all-stop resumed it, or non-stop (always read). */
static bool
tty_live(struct gsess *s)
{
	return s->s_nonstop || s->s_tgt->g_running;
}

static void
tty_retry(void *arg)
{
	struct gsess *s = arg;

	if (s->s_tty == NULL)
		return;
	s->s_tty->ty_timer = 0;
	gdb_stdio_resume(s);
}

/* Watch the terminal, or wait for the client to take its output. */
void
gdb_stdio_resume(struct gsess *s)
{
	struct gdb_tty *ty = s->s_tty;

	if (ty == NULL || ty->ty_watched || ty->ty_timer != 0 || !tty_live(s))
		return;
	if (client_full(s)) {
		ty->ty_timer = loop_add_timer(s->s_loop, GDB_STDIO_RETRY_MS,
		    tty_retry, s);
		return;
	}
	if (loop_add_fd(s->s_loop, ty->ty_fd, LOOP_READ, tty_readable, s) ==
	    -1) {
		log_warn("program terminal");
		return;
	}
	ty->ty_watched = true;
}

static void
tty_readable(int fd, int events, void *arg)
{
	struct gsess *s = arg;

	(void)fd;
	(void)events;
	if (s->s_tty == NULL)
		return;
	if (!tty_live(s)) {	/* stopped for a client that left */
		tty_unwatch(s);
		return;
	}
	if (client_full(s)) {
		tty_unwatch(s);
		gdb_stdio_resume(s);
		return;
	}
	if (tty_pump(s, GDB_STDIO_PER_TURN) == -1)
		gdb_stdio_close(s);
}

/*
 * Before t's stop reply: the output so far goes first.  The terminal is
 * closed when its program is gone.
 */
void
gdb_stdio_stop(struct gsess *s, struct thr *t)
{
	struct gdb_tty *ty = s->s_tty;
	bool gone;

	if (ty == NULL)
		return;
	if (!s->s_nonstop)	/* non-stop: read on, other threads run */
		tty_unwatch(s);
	gone = t->t_proc->p_pid == ty->ty_pid &&
	    (t->t_stop.s_kind == STOP_EXITED || t->t_stop.s_kind == STOP_KILLED);
	/*
	 * Non-stop: what the full %Stdio queue left in the terminal is read
	 * as lldb takes the queue, until the terminal says EIO (no writer
	 * left, nothing buffered).
	 */
	if (tty_pump(s, GDB_STDIO_FLUSH) == -1 || (gone && !s->s_nonstop))
		gdb_stdio_close(s);
}

/* Close the terminal once its program is no longer ours. */
void
gdb_stdio_gone(struct gsess *s)
{
	struct proc *p;

	if (s->s_tty == NULL)
		return;
	p = tgt_proc(s->s_tgt, s->s_tty->ty_pid);
	if (p == NULL || p->p_exited)
		gdb_stdio_close(s);
}

/*
 * Before launching: a terminal for the fds l leaves to us, its slave's
 * name in tty (which must outlive the launch).  0 with nothing to do,
 * -1 with errno.
 */
int
gdb_stdio_open(struct gsess *s, struct launch *l, char *tty, size_t cap)
{
	int fd, i;

	gdb_stdio_close(s);
	if ((!s->s_lldb && !s->s_lldb_server) || (l->l_stdio[0] != NULL &&
	    l->l_stdio[1] != NULL && l->l_stdio[2] != NULL))
		return 0;
	if ((fd = pty_open(tty, cap)) == -1)
		return -1;
	for (i = 0; i < 3; i++) {
		if (l->l_stdio[i] == NULL)
			l->l_stdio[i] = tty;
	}
	s->s_tty = xcalloc(1, sizeof(*s->s_tty));
	s->s_tty->ty_fd = fd;
	return 0;
}

/* After launching: p runs on the terminal, or (NULL) the launch failed. */
void
gdb_stdio_launched(struct gsess *s, struct proc *p)
{
	if (s->s_tty == NULL)
		return;
	if (p == NULL) {
		gdb_stdio_close(s);
		return;
	}
	s->s_tty->ty_pid = p->p_pid;
	log_debug("process %d runs on a terminal; output goes as O packets",
	    (int)p->p_pid);
}

/*
 * I HEX: input for the program, written to its terminal.  E15 without
 * one, or when the terminal takes no more (lldb-server would block).
 */
void
gdb_stdio_input(struct gsess *s, struct rsp_cursor *c)
{
	char buf[GDB_STDIO_INPUT];
	size_t n, off;
	ssize_t w;

	if (s->s_tty == NULL) {
		gdb_error(s, LLDB_E_STDIO, "no program terminal");
		return;
	}
	while (!rsp_cursor_eof(c)) {
		n = rsp_cursor_left(c) / 2;
		if (n == 0 || rsp_cursor_left(c) % 2 != 0) {
			gdb_error(s, EINVAL, "bad hex in I");
			return;
		}
		if (n > sizeof(buf))
			n = sizeof(buf);
		if (rsp_fromhex(buf, c->c_p, n) == -1) {
			gdb_error(s, EINVAL, "bad hex in I");
			return;
		}
		c->c_p += 2 * n;
		for (off = 0; off < n; off += (size_t)w) {
			w = write(s->s_tty->ty_fd, buf + off, n - off);
			if (w == -1 && errno == EINTR) {
				w = 0;
				continue;
			}
			if (w <= 0) {
				gdb_error(s, LLDB_E_STDIO,
				    "program terminal takes no more input");
				return;
			}
		}
	}
	gdb_ok(s);
}
