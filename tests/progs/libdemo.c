/* libdemo.c -- a shared library for the shared-library tests. */
int
demo_twice(int x)
{
	return 2 * x;
}
