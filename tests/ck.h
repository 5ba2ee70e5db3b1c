/*
 * ck.h -- what every check(3) test program shares: one test case per
 * test, named for its behaviour, and a forked runner whose exit status
 * says whether everything passed (TAP comes from CK_TAP_LOG_FILE_NAME).
 */
#ifndef TESTS_CK_H
#define TESTS_CK_H

#include <check.h>

/* Add t to s as its own case; fixture may be NULL. */
static inline TCase *
ck_add(Suite *s, const char *name, const TTest *t, int timeout,
    SFun fixture)
{
	TCase *tc = tcase_create(name);

	if (fixture != NULL)
		tcase_add_checked_fixture(tc, fixture, NULL);
	tcase_set_timeout(tc, timeout);
	tcase_add_test(tc, t);
	suite_add_tcase(s, tc);
	return tc;
}

/* Run s, each test in its own process; 0 if all passed, else 1. */
static inline int
ck_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}

#endif /* TESTS_CK_H */
