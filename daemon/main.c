/*
 * main.c -- handoffd: one binary, sub-commands.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon/handoffd.h"
#include "daemon/log.h"
#include "daemon/tgtlog.h"

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

/* The start of the original argument area, and its last byte. */
static char *title_base, *title_last;

void
proc_title(const char *fmt, ...)
{
	char title[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(title, sizeof(title), fmt, ap);
	va_end(ap);
	setproctitle("%s", title);
	/*
	 * Linux shows the whole argument area, NUL padding and all, unless
	 * its last byte is not a NUL: then it shows the string at its start.
	 * libbsd leaves that byte a NUL when the title is shorter than the
	 * arguments were, and ps would show the padding as spaces.
	 */
	if (title_base != NULL && strstr(title_base, title) != NULL &&
	    title_base + strlen(title_base) < title_last)
		*title_last = '.';
}

int
main(int argc, char **argv)
{
	/* Workers rename themselves after what they debug: proc_title. */
	title_base = argv[0];
	title_last = argv[argc - 1] + strlen(argv[argc - 1]);
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
	log_set_fatal_hook(tgtlog_last_words);
	if (strcmp(argv[1], "gdbserver") == 0)
		return cmd_gdbserver(argc - 1, argv + 1);
	if (strcmp(argv[1], "platform") == 0)
		return cmd_platform(argc - 1, argv + 1);
	fprintf(stderr, "handoffd: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 1;
}
