/* env.c -- prints its working directory and some environment. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	char cwd[4096];
	int i;

	printf("cwd %s\n", getcwd(cwd, sizeof(cwd)) ? cwd : "?");
	printf("HANDOFF_TEST %s\n", getenv("HANDOFF_TEST") ?
	    getenv("HANDOFF_TEST") : "(unset)");
	for (i = 1; i < argc; i++)
		printf("arg%d %s\n", i, argv[i]);
	return 0;
}
