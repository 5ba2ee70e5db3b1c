/*
 * faultsuid.c -- the set-uid case of the fault tests
 * (tests/integration/faults.sh).
 *
 *   faultsuid [PROG]
 *
 * With PROG, prints "faultsuid PID exec PROG" and execs PROG (no
 * arguments; exit 127 if that fails).  Without, prints "faultsuid euid E
 * uid U" and exits 0.  The test execs a set-uid root copy of this program
 * from a debuggee traced by a server that is not root: the kernel runs it
 * without the privilege, so E is the caller's uid, not 0.
 */
#include <stdio.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	char *args[2];

	if (argc > 1) {
		printf("faultsuid %d exec %s\n", (int)getpid(), argv[1]);
		fflush(stdout);
		args[0] = argv[1];
		args[1] = NULL;
		execv(argv[1], args);
		perror(argv[1]);
		return 127;
	}
	printf("faultsuid euid %d uid %d\n", (int)geteuid(), (int)getuid());
	return 0;
}
