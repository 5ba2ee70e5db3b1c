/*
 * check_log.c -- a log line is written whole, once, and cut at
 * LOG_MAX_LINE with its newline kept.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/log.h"
#include "tests/ck.h"

static char path[] = "/tmp/check_log.XXXXXX";

/* The log's lines, read back: line i in out[i], count returned. */
static int
read_lines(char out[][LOG_MAX_LINE + 16], int max)
{
	FILE *fp = fopen(path, "r");
	int n = 0;

	ck_assert_ptr_nonnull(fp);
	while (n < max && fgets(out[n], LOG_MAX_LINE + 16, fp) != NULL)
		n++;
	fclose(fp);
	return (n);
}

START_TEST(lines_at_and_past_the_limit)
{
	static char lines[4][LOG_MAX_LINE + 16];
	char *msg = malloc(LOG_MAX_LINE * 2);
	size_t prefix, room;
	int fd;

	ck_assert_int_ne(fd = mkstemp(path), -1);
	close(fd);
	log_init(LOG_LEVEL_INFO, path);
	log_info("x");
	ck_assert_int_eq(read_lines(lines, 4), 1);
	prefix = strlen(lines[0]) - 2;		/* "x\n" */
	room = LOG_MAX_LINE - 2 - prefix;	/* the message that fills it */

	/* At the limit: whole, ending in Z and the newline. */
	memset(msg, 'a', room - 1);
	msg[room - 1] = 'Z';
	msg[room] = '\0';
	log_info("%s", msg);
	/* Past it: cut, the Z lost, the newline kept. */
	memset(msg, 'b', room);
	msg[room] = 'Z';
	msg[room + 1] = '\0';
	log_info("%s", msg);
	log_info("after");
	ck_assert_int_eq(read_lines(lines, 4), 4);
	ck_assert_int_eq(strlen(lines[1]), LOG_MAX_LINE - 1);
	ck_assert_int_eq(lines[1][LOG_MAX_LINE - 3], 'Z');
	ck_assert_int_eq(strlen(lines[2]), LOG_MAX_LINE - 1);
	ck_assert_int_eq(lines[2][LOG_MAX_LINE - 3], 'b');
	ck_assert_int_eq(lines[2][LOG_MAX_LINE - 2], '\n');
	ck_assert_ptr_nonnull(strstr(lines[3], "info: after\n"));
	log_init(LOG_LEVEL_INFO, NULL);
	unlink(path);
	free(msg);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("log");

	tcase_add_test(tc, lines_at_and_past_the_limit);
	suite_add_tcase(s, tc);
	return (ck_run(s));
}
