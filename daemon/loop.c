/*
 * loop.c -- the event loop (see loop.h).
 */
#include <sys/epoll.h>
#include <sys/queue.h>
#include <sys/signalfd.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/log.h"
#include "daemon/loop.h"

struct loop_fd {
	loop_fd_cb	*f_cb;
	void		*f_arg;
	int		 f_mask;	/* 0: slot unused */
};

struct loop_timer {
	TAILQ_ENTRY(loop_timer) t_entry;
	uint64_t	 t_id;
	uint64_t	 t_when;
	loop_timer_cb	*t_cb;
	void		*t_arg;
};

struct loop_work {
	TAILQ_ENTRY(loop_work) w_entry;
	loop_work_cb	*w_cb;
	void		*w_arg;
};

/* A descriptor resting (loop_rest_fd): who it was when it was put to rest. */
struct loop_rest {
	struct loop	*r_loop;
	int		 r_fd;
	loop_fd_cb	*r_cb;
	void		*r_arg;
	int		 r_mask;
};

struct loop_sig {
	loop_signal_cb	*s_cb;
	void		*s_arg;
};

struct loop {
	int		 l_epfd;
	int		 l_sigfd;
	sigset_t	 l_sigmask;
	struct loop_sig	 l_sigs[_NSIG];
	struct loop_fd	*l_fds;
	int		 l_nfds;
	TAILQ_HEAD(, loop_timer) l_timers;	/* sorted by t_when */
	uint64_t	 l_next_id;
	TAILQ_HEAD(loop_work_head, loop_work) l_work;
	loop_work_cb	*l_before;
	void		*l_before_arg;
	bool		 l_stop;
};

static void	loop_rest_end(void *);

uint64_t
loop_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct loop *
loop_new(void)
{
	struct loop *l = xcalloc(1, sizeof(*l));

	if ((l->l_epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		fatal("epoll_create1");
	l->l_sigfd = -1;
	sigemptyset(&l->l_sigmask);
	TAILQ_INIT(&l->l_timers);
	TAILQ_INIT(&l->l_work);
	l->l_next_id = 1;
	return l;
}

void
loop_free(struct loop *l)
{
	struct loop_timer *t;
	struct loop_work *w;

	if (l == NULL)
		return;
	while ((t = TAILQ_FIRST(&l->l_timers)) != NULL) {
		TAILQ_REMOVE(&l->l_timers, t, t_entry);
		if (t->t_cb == loop_rest_end)
			free(t->t_arg);
		free(t);
	}
	while ((w = TAILQ_FIRST(&l->l_work)) != NULL) {
		TAILQ_REMOVE(&l->l_work, w, w_entry);
		free(w);
	}
	if (l->l_sigfd != -1) {
		close(l->l_sigfd);
		sigprocmask(SIG_UNBLOCK, &l->l_sigmask, NULL);
	}
	close(l->l_epfd);
	free(l->l_fds);
	free(l);
}

static uint32_t
loop_epmask(int mask)
{
	uint32_t ev = 0;

	if (mask & LOOP_READ)
		ev |= EPOLLIN | EPOLLRDHUP;
	if (mask & LOOP_WRITE)
		ev |= EPOLLOUT;
	return ev;
}

int
loop_add_fd(struct loop *l, int fd, int mask, loop_fd_cb *cb, void *arg)
{
	struct epoll_event ev = { .events = loop_epmask(mask) };

	if (fd < 0) {
		errno = EBADF;
		return -1;
	}
	if (fd >= l->l_nfds) {
		int n = fd + 16;

		l->l_fds = xreallocarray(l->l_fds, n, sizeof(*l->l_fds));
		memset(l->l_fds + l->l_nfds, 0,
		    (n - l->l_nfds) * sizeof(*l->l_fds));
		l->l_nfds = n;
	}
	ev.data.fd = fd;
	if (epoll_ctl(l->l_epfd, EPOLL_CTL_ADD, fd, &ev) == -1)
		return -1;
	l->l_fds[fd].f_cb = cb;
	l->l_fds[fd].f_arg = arg;
	/* A registered slot is never 0, so a "no events" mask stays known. */
	l->l_fds[fd].f_mask = mask | 0x100;
	return 0;
}

int
loop_set_mask(struct loop *l, int fd, int mask)
{
	struct epoll_event ev = { .events = loop_epmask(mask) };

	if (fd < 0 || fd >= l->l_nfds || l->l_fds[fd].f_mask == 0) {
		errno = EBADF;
		return -1;
	}
	if ((l->l_fds[fd].f_mask & 0xff) == mask)
		return 0;
	ev.data.fd = fd;
	if (epoll_ctl(l->l_epfd, EPOLL_CTL_MOD, fd, &ev) == -1)
		return -1;
	l->l_fds[fd].f_mask = mask | 0x100;
	return 0;
}

int
loop_get_mask(struct loop *l, int fd)
{
	if (fd < 0 || fd >= l->l_nfds)
		return 0;
	return l->l_fds[fd].f_mask & 0xff;
}

void
loop_del_fd(struct loop *l, int fd)
{
	if (fd < 0 || fd >= l->l_nfds || l->l_fds[fd].f_mask == 0)
		return;
	epoll_ctl(l->l_epfd, EPOLL_CTL_DEL, fd, NULL);
	memset(&l->l_fds[fd], 0, sizeof(l->l_fds[fd]));
}

static void
loop_rest_end(void *arg)
{
	struct loop_rest *r = arg;
	struct loop_fd *f;

	/* Still the same registration, not a new one on a reused number. */
	if (r->r_fd < r->r_loop->l_nfds) {
		f = &r->r_loop->l_fds[r->r_fd];
		if (f->f_mask != 0 && f->f_cb == r->r_cb && f->f_arg == r->r_arg)
			loop_set_mask(r->r_loop, r->r_fd, r->r_mask);
	}
	free(r);
}

void
loop_rest_fd(struct loop *l, int fd, uint64_t ms)
{
	struct loop_rest *r;

	if (fd < 0 || fd >= l->l_nfds || l->l_fds[fd].f_mask == 0)
		return;
	r = xcalloc(1, sizeof(*r));
	r->r_loop = l;
	r->r_fd = fd;
	r->r_cb = l->l_fds[fd].f_cb;
	r->r_arg = l->l_fds[fd].f_arg;
	r->r_mask = l->l_fds[fd].f_mask & 0xff;
	loop_set_mask(l, fd, 0);
	loop_add_timer(l, ms, loop_rest_end, r);
}

uint64_t
loop_add_timer(struct loop *l, uint64_t ms, loop_timer_cb *cb, void *arg)
{
	struct loop_timer *t = xcalloc(1, sizeof(*t)), *it;

	t->t_id = l->l_next_id++;
	t->t_when = loop_now() + ms;
	t->t_cb = cb;
	t->t_arg = arg;
	TAILQ_FOREACH(it, &l->l_timers, t_entry) {
		if (it->t_when > t->t_when) {
			TAILQ_INSERT_BEFORE(it, t, t_entry);
			return t->t_id;
		}
	}
	TAILQ_INSERT_TAIL(&l->l_timers, t, t_entry);
	return t->t_id;
}

void
loop_del_timer(struct loop *l, uint64_t id)
{
	struct loop_timer *t;

	TAILQ_FOREACH(t, &l->l_timers, t_entry) {
		if (t->t_id == id) {
			TAILQ_REMOVE(&l->l_timers, t, t_entry);
			free(t);
			return;
		}
	}
}

static void
loop_signal_ready(int fd, int events, void *arg)
{
	struct loop *l = arg;
	struct signalfd_siginfo si[LOOP_MAX_SIGNALS];
	struct loop_sig *s;
	ssize_t n;
	size_t i;

	/* A short read means the queue is empty: no read to see EAGAIN. */
	do {
		if ((n = read(fd, si, sizeof(si))) <= 0)
			return;
		for (i = 0; i < (size_t)n / sizeof(si[0]); i++) {
			if (si[i].ssi_signo >= _NSIG)
				continue;
			s = &l->l_sigs[si[i].ssi_signo];
			if (s->s_cb != NULL)
				s->s_cb(si[i].ssi_signo, s->s_arg);
		}
	} while (n == (ssize_t)sizeof(si));
}

int
loop_add_signal(struct loop *l, int signo, loop_signal_cb *cb, void *arg)
{
	int fd;

	if (signo <= 0 || signo >= _NSIG) {
		errno = EINVAL;
		return -1;
	}
	sigaddset(&l->l_sigmask, signo);
	if (sigprocmask(SIG_BLOCK, &l->l_sigmask, NULL) == -1)
		return -1;
	fd = signalfd(l->l_sigfd, &l->l_sigmask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd == -1)
		return -1;
	if (l->l_sigfd == -1 &&
	    loop_add_fd(l, fd, LOOP_READ, loop_signal_ready, l) == -1) {
		close(fd);
		return -1;
	}
	l->l_sigfd = fd;
	l->l_sigs[signo].s_cb = cb;
	l->l_sigs[signo].s_arg = arg;
	return 0;
}

void
loop_defer(struct loop *l, loop_work_cb *cb, void *arg)
{
	struct loop_work *w;

	TAILQ_FOREACH(w, &l->l_work, w_entry) {
		if (w->w_cb == cb && w->w_arg == arg)
			return;
	}
	w = xcalloc(1, sizeof(*w));
	w->w_cb = cb;
	w->w_arg = arg;
	TAILQ_INSERT_TAIL(&l->l_work, w, w_entry);
}

void
loop_undefer(struct loop *l, loop_work_cb *cb, void *arg)
{
	struct loop_work *w, *tw;

	TAILQ_FOREACH_SAFE(w, &l->l_work, w_entry, tw) {
		if (w->w_cb == cb && w->w_arg == arg) {
			TAILQ_REMOVE(&l->l_work, w, w_entry);
			free(w);
		}
	}
}

void
loop_set_before_sleep(struct loop *l, loop_work_cb *cb, void *arg)
{
	l->l_before = cb;
	l->l_before_arg = arg;
}

/* Run the work queued before this turn; work queued meanwhile waits. */
static void
loop_run_work(struct loop *l)
{
	struct loop_work *w, *last = TAILQ_LAST(&l->l_work, loop_work_head);

	while ((w = TAILQ_FIRST(&l->l_work)) != NULL) {
		bool end = (w == last);
		loop_work_cb *cb = w->w_cb;
		void *arg = w->w_arg;

		TAILQ_REMOVE(&l->l_work, w, w_entry);
		free(w);
		cb(arg);
		if (end || l->l_stop)
			break;
	}
}

static void
loop_run_timers(struct loop *l)
{
	struct loop_timer *t;
	uint64_t now = loop_now();

	while ((t = TAILQ_FIRST(&l->l_timers)) != NULL && t->t_when <= now) {
		loop_timer_cb *cb = t->t_cb;
		void *arg = t->t_arg;

		TAILQ_REMOVE(&l->l_timers, t, t_entry);
		free(t);
		cb(arg);
		if (l->l_stop)
			return;
	}
}

static int
loop_timeout(struct loop *l, int timeout_ms)
{
	struct loop_timer *t;
	uint64_t now;
	int ms;

	if (!TAILQ_EMPTY(&l->l_work))
		return 0;
	if ((t = TAILQ_FIRST(&l->l_timers)) == NULL)
		return timeout_ms;
	now = loop_now();
	ms = t->t_when <= now ? 0 : (int)(t->t_when - now);
	if (timeout_ms >= 0 && timeout_ms < ms)
		ms = timeout_ms;
	return ms;
}

int
loop_once(struct loop *l, int timeout_ms)
{
	struct epoll_event evs[LOOP_MAX_EVENTS];
	int i, n;

	if (l->l_before != NULL)
		l->l_before(l->l_before_arg);
	n = epoll_wait(l->l_epfd, evs, LOOP_MAX_EVENTS,
	    loop_timeout(l, timeout_ms));
	if (n == -1 && errno != EINTR)
		return -1;
	for (i = 0; i < n && !l->l_stop; i++) {
		int fd = evs[i].data.fd, mask = 0;
		struct loop_fd *f;

		/* Re-read the slot: an earlier callback may have freed it. */
		if (fd >= l->l_nfds || (f = &l->l_fds[fd])->f_mask == 0)
			continue;
		if (evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP))
			mask |= LOOP_READ;
		if (evs[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			mask |= LOOP_WRITE;
		mask &= f->f_mask;
		if (mask == 0 && (evs[i].events & (EPOLLERR | EPOLLHUP)))
			mask = f->f_mask & 0xff;
		if (mask != 0)
			f->f_cb(fd, mask, f->f_arg);
	}
	if (!l->l_stop)
		loop_run_timers(l);
	if (!l->l_stop)
		loop_run_work(l);
	return 0;
}

int
loop_run(struct loop *l)
{
	l->l_stop = false;
	while (!l->l_stop) {
		if (loop_once(l, -1) == -1)
			return -1;
	}
	return 0;
}

void
loop_stop(struct loop *l)
{
	l->l_stop = true;
}

bool
loop_stopped(const struct loop *l)
{
	return l->l_stop;
}
