/*
 * forkloop.c -- the forking inferior of bench/fork.
 *
 *	forkloop [-w] [-n FORKS] [-p PAUSE_US] [-t FILE]
 *
 * Forks FORKS children (default 1) one after another; each child
 * _exit(0)s at once.  By default the parent reaps each child before
 * the next fork, so a debugger that holds a child holds up its parent
 * too, as a shell's fork and wait would.  With -w the parent forks them
 * all first and then reaps them all: its fork loop then shows only what
 * a debugger costs the parent itself (bench/fork (b')), and with held
 * children it blocks in wait while they are held.  With -p the parent
 * sleeps PAUSE_US microseconds after reaping each child, so the forks
 * measured one at a time do not overlap the last one's teardown.
 *
 * With -t, FILE (made by bench/fork, at least (FORKS + 1) * 8 bytes) is
 * mapped shared and the parent writes the CLOCK_MONOTONIC time in
 * nanoseconds just before fork number i into 64-bit slot i + 1, then
 * the count of forks done into slot 0: the benchmark reads the moment
 * of each fork from there, on the same clock as its own.
 *
 * Exit status 0, 1 on usage or setup errors, 2 if a fork or a wait
 * failed or a child did not exit 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "forkinf.h"

#define FORKLOOP_MAX_FORKS	100000	/* -n */

int
main(int argc, char *argv[])
{
	const char *file = NULL;
	volatile uint64_t *t;
	long forks = 1, pause_us = 0, i;
	int ch, all = 0, bad = 0;
	pid_t pid;

	while ((ch = getopt(argc, argv, "n:p:t:w")) != -1) {
		switch (ch) {
		case 'n':
			forks = strtol(optarg, NULL, 10);
			break;
		case 'p':
			pause_us = strtol(optarg, NULL, 10);
			break;
		case 't':
			file = optarg;
			break;
		case 'w':
			all = 1;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc || forks < 0 || forks > FORKLOOP_MAX_FORKS ||
	    pause_us < 0)
		goto usage;
	t = map_times(file, forks);
	for (i = 0; i < forks; i++) {
		if (t != NULL)
			t[i + 1] = now_ns();
		if ((pid = fork()) == 0)
			_exit(0);
		if (t != NULL)
			t[0] = i + 1;
		if (pid == -1)
			return 2;
		if (!all && reap(pid) == -1)
			bad = 1;
		if (pause_us > 0)
			usleep(pause_us);
	}
	if (all && reap_all() == -1)
		bad = 1;
	return bad ? 2 : 0;
usage:
	fprintf(stderr, "usage: forkloop [-w] [-n forks] [-p pause_us] "
	    "[-t file]\n");
	return 1;
}
