/*
 * inherit.c -- writes to FILE what it inherited from whoever started it:
 * its open descriptors (but FILE's and the directory's), then its
 * /proc/self/status lines for the signal mask, the ignored signals and
 * the inheritable and ambient capabilities.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const fields[] = { "SigBlk:", "SigIgn:", "CapInh:",
    "CapAmb:" };

int
main(int argc, char **argv)
{
	char line[256];
	struct dirent *de;
	FILE *out, *st;
	DIR *d;
	size_t i;
	int n;

	if (argc != 2 || (out = fopen(argv[1], "w")) == NULL ||
	    (d = opendir("/proc/self/fd")) == NULL ||
	    (st = fopen("/proc/self/status", "r")) == NULL)
		return 1;
	fprintf(out, "fds");
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		n = atoi(de->d_name);
		if (n != fileno(out) && n != dirfd(d) && n != fileno(st))
			fprintf(out, " %d", n);
	}
	fprintf(out, "\n");
	closedir(d);
	while (fgets(line, sizeof(line), st) != NULL) {
		for (i = 0; i < sizeof(fields) / sizeof(*fields); i++) {
			if (strncmp(line, fields[i], strlen(fields[i])) == 0)
				fputs(line, out);
		}
	}
	fclose(st);
	return fclose(out) != 0;
}
