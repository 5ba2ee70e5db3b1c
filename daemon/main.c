/*
 * main.c -- handoffd: one binary, sub-commands.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon/handoffd.h"

static void
usage(FILE *fp)
{
	fprintf(fp,
"Usage: handoffd COMMAND [OPTIONS] ...\n"
"\n"
"A debug server speaking the GDB remote serial protocol.\n"
"\n"
"Commands:\n"
"  gdbserver   one debug session, with gdbserver's command line\n"
"              (handoffd gdbserver --help)\n"
"  platform    a daemon for every session on one port, with\n"
"              lldb-server platform's command line\n"
"              (handoffd platform --help)\n"
"\n"
"  --help      this text\n"
"  --version   the version\n");
}

void
handoffd_version(void)
{
	printf("handoffd %s\n", PACKAGE_VERSION);
}

extern char **environ;

/*
 * LeakSanitizer asks for this: libbsd's setproctitle_init copies the
 * environment once, on purpose, to make room for the title.
 */
const char *__lsan_default_suppressions(void);

const char *
__lsan_default_suppressions(void)
{
	return "leak:setproctitle_init\n";
}

int
main(int argc, char **argv)
{
	/* Workers rename themselves (setproctitle) after what they debug. */
	setproctitle_init(argc, argv, environ);
	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		handoffd_version();
		return 0;
	}
	if (strcmp(argv[1], "gdbserver") == 0)
		return cmd_gdbserver(argc - 1, argv + 1);
	if (strcmp(argv[1], "platform") == 0)
		return cmd_platform(argc - 1, argv + 1);
	fprintf(stderr, "handoffd: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 1;
}
