/* crash.c -- dies of SIGSEGV, or of the signal named in argv[1]. */
#include <signal.h>
#include <stdlib.h>

int
main(int argc, char **argv)
{
	volatile int *p = NULL;

	if (argc > 1)
		raise(atoi(argv[1]));
	return *p;
}
