/*
 * check_loop.c -- the event loop: descriptors, timers, signals, deferred
 * work and its bound per turn.
 */
#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "daemon/loop.h"
#include "tests/ck.h"

static int hits[8];
static int order[8], norder;

static void
fd_cb(int fd, int events, void *arg)
{
	char c;

	if (events & LOOP_READ)
		(void)!read(fd, &c, 1);
	hits[0]++;
}

START_TEST(readable_fd_calls_its_callback)
{
	struct loop *l = loop_new();
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	hits[0] = 0;
	ck_assert_int_eq(loop_add_fd(l, p[0], LOOP_READ, fd_cb, NULL), 0);
	ck_assert_int_eq(loop_once(l, 0), 0);
	ck_assert_int_eq(hits[0], 0);
	ck_assert_int_eq(write(p[1], "x", 1), 1);
	ck_assert_int_eq(loop_once(l, 1000), 0);
	ck_assert_int_eq(hits[0], 1);
	loop_del_fd(l, p[0]);
	ck_assert_int_eq(write(p[1], "x", 1), 1);
	ck_assert_int_eq(loop_once(l, 0), 0);
	ck_assert_int_eq(hits[0], 1);
	loop_free(l);
}
END_TEST

START_TEST(write_interest_only_while_asked)
{
	struct loop *l = loop_new();
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	hits[0] = 0;
	ck_assert_int_eq(loop_add_fd(l, p[1], 0, fd_cb, NULL), 0);
	ck_assert_int_eq(loop_once(l, 0), 0);
	ck_assert_int_eq(hits[0], 0);
	ck_assert_int_eq(loop_set_mask(l, p[1], LOOP_WRITE), 0);
	ck_assert_int_eq(loop_get_mask(l, p[1]), LOOP_WRITE);
	ck_assert_int_eq(loop_once(l, 0), 0);
	ck_assert_int_eq(hits[0], 1);
	loop_free(l);
}
END_TEST

static void
timer_cb(void *arg)
{
	order[norder++] = (int)(long)arg;
}

START_TEST(timers_fire_in_deadline_order)
{
	struct loop *l = loop_new();
	uint64_t id;

	norder = 0;
	loop_add_timer(l, 30, timer_cb, (void *)3);
	loop_add_timer(l, 10, timer_cb, (void *)1);
	id = loop_add_timer(l, 20, timer_cb, (void *)2);
	loop_add_timer(l, 20, timer_cb, (void *)4);
	loop_del_timer(l, id);
	while (norder < 3)
		ck_assert_int_eq(loop_once(l, 1000), 0);
	ck_assert_int_eq(order[0], 1);
	ck_assert_int_eq(order[1], 4);
	ck_assert_int_eq(order[2], 3);
	loop_free(l);
}
END_TEST

static void
sig_cb(int signo, void *arg)
{
	hits[1] = signo;
}

START_TEST(signal_arrives_through_the_loop)
{
	struct loop *l = loop_new();

	hits[1] = 0;
	ck_assert_int_eq(loop_add_signal(l, SIGUSR1, sig_cb, NULL), 0);
	ck_assert_int_eq(kill(getpid(), SIGUSR1), 0);
	ck_assert_int_eq(loop_once(l, 1000), 0);
	ck_assert_int_eq(hits[1], SIGUSR1);
	loop_free(l);
}
END_TEST

static struct loop *work_loop;

static void
work_cb(void *arg)
{
	hits[2]++;
	/* Queue itself again: must run once per turn, not forever. */
	if (hits[2] < 5)
		loop_defer(work_loop, work_cb, arg);
}

START_TEST(deferred_work_runs_once_per_turn)
{
	int p[2];

	work_loop = loop_new();
	hits[0] = hits[2] = 0;
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], "xxxx", 4), 4);
	ck_assert_int_eq(loop_add_fd(work_loop, p[0], LOOP_READ, fd_cb, NULL), 0);
	loop_defer(work_loop, work_cb, NULL);
	loop_defer(work_loop, work_cb, NULL);	/* no duplicate */
	ck_assert_int_eq(loop_once(work_loop, 1000), 0);
	ck_assert_int_eq(hits[2], 1);
	ck_assert_int_eq(hits[0], 1);
	/* Queued work keeps the loop from sleeping, fds still served. */
	ck_assert_int_eq(loop_once(work_loop, -1), 0);
	ck_assert_int_eq(hits[2], 2);
	ck_assert_int_eq(hits[0], 2);
	loop_free(work_loop);
}
END_TEST

static void
stop_cb(void *arg)
{
	loop_stop(arg);
}

START_TEST(run_returns_after_stop)
{
	struct loop *l = loop_new();

	loop_add_timer(l, 1, stop_cb, l);
	ck_assert_int_eq(loop_run(l), 0);
	ck_assert(loop_stopped(l));
	loop_free(l);
}
END_TEST

static void
close_other_cb(int fd, int events, void *arg)
{
	int *other = arg;
	char c;

	(void)!read(fd, &c, 1);
	hits[3]++;
	loop_del_fd(work_loop, *other);
}

START_TEST(callback_removing_another_fd_is_safe)
{
	int a[2], b[2];

	work_loop = loop_new();
	hits[3] = 0;
	ck_assert_int_eq(pipe(a), 0);
	ck_assert_int_eq(pipe(b), 0);
	ck_assert_int_eq(write(a[1], "x", 1), 1);
	ck_assert_int_eq(write(b[1], "x", 1), 1);
	ck_assert_int_eq(loop_add_fd(work_loop, a[0], LOOP_READ, close_other_cb,
	    &b[0]), 0);
	ck_assert_int_eq(loop_add_fd(work_loop, b[0], LOOP_READ, close_other_cb,
	    &a[0]), 0);
	ck_assert_int_eq(loop_once(work_loop, 1000), 0);
	/* Whichever ran first removed the other: exactly one call. */
	ck_assert_int_eq(hits[3], 1);
	loop_free(work_loop);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("loop");
	TCase *tc = tcase_create("loop");

	tcase_add_test(tc, readable_fd_calls_its_callback);
	tcase_add_test(tc, write_interest_only_while_asked);
	tcase_add_test(tc, timers_fire_in_deadline_order);
	tcase_add_test(tc, signal_arrives_through_the_loop);
	tcase_add_test(tc, deferred_work_runs_once_per_turn);
	tcase_add_test(tc, run_returns_after_stop);
	tcase_add_test(tc, callback_removing_another_fd_is_safe);
	suite_add_tcase(s, tc);
	return ck_run(s);
}
