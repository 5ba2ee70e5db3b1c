/*
 * loop.h -- the event loop: descriptors, timers, signals, deferred work.
 *
 * One loop per process, on epoll, single-threaded, in the mould of
 * redis's ae.c.  Signals arrive through a signalfd and are dispatched
 * like any other event.  Deferred work runs once per turn and keeps the
 * loop from sleeping while any is queued: a long job does a bounded slice
 * and queues itself again, so other descriptors keep their latency.
 */
#ifndef DAEMON_LOOP_H
#define DAEMON_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#define LOOP_READ	0x1
#define LOOP_WRITE	0x2
#define LOOP_MAX_EVENTS	64	/* epoll events taken per turn */
#define LOOP_MAX_SIGNALS 8	/* signals taken per read of the signalfd */

struct loop;

typedef void loop_fd_cb(int fd, int events, void *arg);
typedef void loop_timer_cb(void *arg);
typedef void loop_signal_cb(int signo, void *arg);
typedef void loop_work_cb(void *arg);

struct loop *loop_new(void);
void	 loop_free(struct loop *);

/* Watch fd for the events in mask; -1 with errno on failure. */
int	 loop_add_fd(struct loop *, int fd, int mask, loop_fd_cb *, void *);
int	 loop_set_mask(struct loop *, int fd, int mask);
int	 loop_get_mask(struct loop *, int fd);
void	 loop_del_fd(struct loop *, int fd);
/*
 * Watch fd for nothing for ms, then as before: a listener whose accept(2)
 * fails for want of descriptors stays ready and would spin.  Nothing
 * happens at the end if fd was deleted meanwhile.
 */
void	 loop_rest_fd(struct loop *, int fd, uint64_t ms);

/* One-shot timer after ms milliseconds; returns an id > 0. */
uint64_t loop_add_timer(struct loop *, uint64_t ms, loop_timer_cb *, void *);
void	 loop_del_timer(struct loop *, uint64_t id);

/* Block signo and deliver it through the loop's signalfd. */
int	 loop_add_signal(struct loop *, int signo, loop_signal_cb *, void *);

/* Run cb once at the next turn (no duplicates of the same cb and arg). */
void	 loop_defer(struct loop *, loop_work_cb *, void *);
void	 loop_undefer(struct loop *, loop_work_cb *, void *);

/* Called before each sleep, e.g. to flush output. */
void	 loop_set_before_sleep(struct loop *, loop_work_cb *, void *);

/* Run until loop_stop; returns 0, or -1 with errno on a fatal error. */
int	 loop_run(struct loop *);
/* One turn, waiting at most timeout_ms (-1: until something happens). */
int	 loop_once(struct loop *, int timeout_ms);
void	 loop_stop(struct loop *);
bool	 loop_stopped(const struct loop *);

/* Monotonic milliseconds. */
uint64_t loop_now(void);

#endif /* DAEMON_LOOP_H */
